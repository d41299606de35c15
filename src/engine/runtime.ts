/**
 * Process-wide engine settings: threads, seeds, devices, grad mode, and the live-tensor count used by
 * memory tests.
 */
import os from "node:os";
import { native } from "./native.ts";

export function setNumThreads(n: number): void {
    native.set_num_threads(n);
}
export function getNumThreads(): number {
    return native.get_num_threads();
}
/** Threads to use by default: IA_THREADS, else the machine's cores. This libtorch defaults to 1 otherwise. */
export function defaultThreads(): number {
    const env = Number(process.env.IA_THREADS);
    return Number.isFinite(env) && env > 0 ? env : Math.max(1, os.availableParallelism());
}
export function manualSeed(seed: number): void {
    native.manual_seed(seed);
}
export function cudaIsAvailable(): boolean {
    return native.cuda_is_available();
}
export function cudaSynchronize(): void {
    native.cuda_synchronize();
}
/** The device names resolveDevice accepts. */
export const DEVICE_FORMS = "auto | cpu | cuda | cuda:N";

/**
 * "cuda" when a GPU is usable, else "cpu"; `want` forces one ("auto" by default). The one place device names are
 * checked: anything but auto, cpu, cuda or cuda:N is an error listing those forms (libtorch's own message lists
 * every backend it knows, most of which this build cannot use).
 */
export function resolveDevice(want: string = "auto"): string {
    const w = want.trim().toLowerCase();
    if (w === "auto") return cudaIsAvailable() ? "cuda" : "cpu";
    if (w === "cpu") return "cpu";
    const m = /^cuda(?::(\d+))?$/.exec(w);
    if (!m) throw new Error(`--device ${JSON.stringify(want)}: unknown device; expected ${DEVICE_FORMS}`);
    if (!cudaIsAvailable()) throw new Error(`--device ${want}: CUDA is not available in this libtorch build (or no GPU is visible); use --device cpu or auto`);
    if (m[1] !== undefined) {
        const count = native.cuda_device_count();
        if (Number(m[1]) >= count) throw new Error(`--device ${want}: no such GPU (${count} visible: cuda:0${count > 1 ? `..cuda:${count - 1}` : ""})`);
    }
    return w;
}
export function buildInfo(): { torchVersion: string; hasSdpa: boolean; parallelInfo: string } {
    return native.build_info();
}
export function liveTensors(): number {
    return native.live_tensors();
}
export function isGradEnabled(): boolean {
    return native.is_grad_enabled();
}

/** Runs fn with autograd recording off (inference, optimizer-free evaluation). */
export function noGrad<R>(fn: () => R): R {
    const prev = native.is_grad_enabled();
    native.set_grad_enabled(false);
    try {
        return fn();
    } finally {
        native.set_grad_enabled(prev);
    }
}

let initialized = false;
/** Sets the thread count once per process (idempotent). */
export function initEngine(threads = defaultThreads()): void {
    if (initialized) return;
    native.set_num_threads(threads);
    initialized = true;
}
