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
 * A device name in one of DEVICE_FORMS, lower-cased, with its GPU index for cuda:N; anything else is an error listing
 * those forms (libtorch's own message lists every backend it knows, most of which this build cannot use). Checks the
 * form only, not whether the device exists: the CLI validates options with it before any work.
 */
export function parseDeviceName(want: string): { name: string; index?: number } {
    const name = want.trim().toLowerCase();
    const m = /^(?:auto|cpu|cuda(?::(\d+))?)$/.exec(name);
    if (!m) throw new Error(`--device ${JSON.stringify(want)}: unknown device; expected ${DEVICE_FORMS}`);
    return m[1] !== undefined ? { name, index: Number(m[1]) } : { name };
}

/** "cuda" when a GPU is usable, else "cpu"; `want` forces one ("auto" by default). The one place devices are resolved. */
export function resolveDevice(want: string = "auto"): string {
    const { name, index } = parseDeviceName(want);
    if (name === "auto") return cudaIsAvailable() ? "cuda" : "cpu";
    if (name === "cpu") return "cpu";
    if (!cudaIsAvailable()) throw new Error(`--device ${want}: CUDA is not available in this libtorch build (or no GPU is visible); use --device cpu or auto`);
    if (index !== undefined) {
        const count = native.cuda_device_count();
        if (index >= count) throw new Error(`--device ${want}: no such GPU (${count} visible: cuda:0${count > 1 ? `..cuda:${count - 1}` : ""})`);
    }
    return name;
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
