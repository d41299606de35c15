// A tiny served world for the serve tests: the `test` base preset (built in seconds, cached per process),
// random nonzero PEFT adapters under an adapter root (organisms/quirk_1..N at r 4, `ia` at r 8), an adapter made
// for another base (the golden qwen3-tiny fixture), and a symlink from inside the root to an adapter outside it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildBase } from "../../src/base/buildBase.ts";
import { randn } from "../../src/engine/factory.ts";
import { initEngine, manualSeed } from "../../src/engine/runtime.ts";
import { keep, tidy } from "../../src/engine/scope.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import { saveAdapter } from "../../src/lora/peft.ts";
import { readModelConfig, type ModelConfig } from "../../src/model/config.ts";
import { loadModel } from "../../src/model/weights.ts";
import { createServer, type Server } from "../../src/serve/server.ts";
import type { ServeOptions } from "../../src/serve/context.ts";
import { ChatTokenizer } from "../../src/tokenizer/ChatTokenizer.ts";
import { tempDir } from "../helpers/tempDir.ts";

const golden = path.resolve(import.meta.dirname, "../fixtures/golden");

export interface World {
    tmp: string;
    base: string;
    root: string;
    outside: string;
}

/** Random adapter with nonzero B (so it changes the output), saved in PEFT format. */
export function writeAdapter(dir: string, config: ModelConfig, r: number, seed: number, std = 0.3): void {
    manualSeed(seed);
    const a = LoraAdapter.create(path.basename(dir), config, { r, alpha: 2 * r });
    for (const [mod, p] of a.weights) {
        const B = keep(tidy(() => randn(p.B.shape).mul(std)));
        p.B.dispose();
        a.weights.set(mod, { A: p.A, B });
    }
    saveAdapter(a, dir, { baseModel: "test-base" });
    a.dispose();
}

let world: World | null = null;

/**
 * The `test` base, built once for all serve test files (they run in parallel processes): a shared cache folder
 * with a lock (mkdir is atomic), so one process builds while the others wait; reruns reuse it.
 */
function sharedBase(): string {
    const cacheDir = path.join(os.tmpdir(), `ia-serve-test-base-${process.getuid?.() ?? 0}`);
    fs.mkdirSync(cacheDir, { recursive: true });
    const lock = path.join(cacheDir, "lock");
    const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    for (;;) {
        try {
            fs.mkdirSync(lock);
            break;
        } catch {
            const st = fs.statSync(lock, { throwIfNoEntry: false });
            if (st && Date.now() - st.mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true }); // a builder that died
            sleep(200);
        }
    }
    try {
        return buildBase({ preset: "test", cacheDir, quiet: true }).dir;
    } finally {
        fs.rmSync(lock, { recursive: true, force: true });
    }
}

export function makeWorld(organisms = 4): World {
    if (world) return world;
    initEngine(2);
    const tmp = tempDir("ia-serve");
    const base = sharedBase();
    const config = readModelConfig(path.join(base, "config.json"));
    const root = path.join(tmp, "adapters");
    for (let i = 1; i <= organisms; i++) writeAdapter(path.join(root, "organisms", `quirk_${i}`), config, 4, 100 + i);
    writeAdapter(path.join(root, "ia"), config, 8, 7);
    fs.cpSync(path.join(golden, "adapters", "qwen3-a"), path.join(root, "foreign"), { recursive: true });
    const outside = path.join(tmp, "outside");
    writeAdapter(path.join(outside, "secret"), config, 4, 99);
    fs.symlinkSync(path.join(outside, "secret"), path.join(root, "escape"));
    fs.symlinkSync(outside, path.join(root, "organisms", "link"));
    fs.mkdirSync(path.join(root, "empty"));
    world = { tmp, base, root, outside };
    return world;
}

export async function startServer(w: World, o: Partial<ServeOptions> = {}): Promise<{ server: Server; url: string }> {
    const model = loadModel(w.base);
    const tok = ChatTokenizer.fromFolder(w.base);
    const server = createServer(model, tok, { baseId: "base", adapterRoots: [w.root], ...o });
    const url = await server.listen(0, "127.0.0.1");
    return { server, url };
}
