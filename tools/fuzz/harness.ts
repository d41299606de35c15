/**
 * The fuzz harness: a target turns a generated input into files (or a value) and a parser call; the harness runs
 * the call and classifies the outcome against the properties every parser of outside input must have:
 *   - accepted: returned normally (and the target's check of the result, if any, passed);
 *   - rejected: threw an Error whose message names the input (its file or folder path);
 *   - crash: threw something that is not an Error, or an engine error (TypeError, RangeError, ...: "Cannot read
 *     properties of null", "Maximum call stack size exceeded", "Array buffer allocation failed"), which means the
 *     parser did not validate before using the data; a dead process (native abort) is detected by the runner;
 *   - unnamed: threw an Error that does not name the input;
 *   - invalid: accepted a result that its own type promises cannot exist (the target's check);
 *   - hang: took more CPU time than the per-input limit (the runner's watchdog catches an input that never returns);
 *   - alloc: JS heap or external memory grew by more than a bound proportional to the input's size, i.e. an
 *     allocation sized by a number in the input instead of by the data present;
 *   - leak: native tensors still alive after a failed (or disposed) load.
 * Inputs come from fast-check (fc.check with a seed), so a run is deterministic and a failure replays by index.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";

export interface Prepared {
    /** Strings of which an error message must contain at least one (the input's file or folder paths). */
    names: string[];
    /** Total bytes of the input, for the allocation bound. */
    bytes: number;
    call(): unknown;
    /** Checks an accepted result against what its type promises; returns the problem, or undefined. */
    check?(result: unknown): string | undefined;
    /** Releases what an accepted result holds (native tensors). */
    dispose?(result: unknown): void;
}

export interface FuzzTarget<C, I> {
    /** Row name in the report. */
    name: string;
    /** The parser under test: file and function(s). */
    parser: string;
    /** Whether the parser hands data to the native addon (the runner then isolates it in a child process anyway). */
    native?: boolean;
    /** Builds the seed corpus once per process, under `dir` (a fresh temp folder). */
    init(dir: string): C | Promise<C>;
    arbitrary(ctx: C): fc.Arbitrary<I>;
    /** Writes the input under `dir` (emptied before every input) and returns the call to make. */
    prepare(ctx: C, input: I, dir: string): Prepared;
}

/** A target with its types erased, as the registry holds it. */
export interface AnyTarget {
    name: string;
    parser: string;
    native: boolean;
    start(dir: string): Promise<{ arbitrary: fc.Arbitrary<unknown>; prepare(input: unknown, dir: string): Prepared }>;
}

export function defineTarget<C, I>(t: FuzzTarget<C, I>): AnyTarget {
    return {
        name: t.name,
        parser: t.parser,
        native: t.native ?? false,
        async start(dir) {
            const ctx = await t.init(dir);
            return {
                arbitrary: t.arbitrary(ctx) as fc.Arbitrary<unknown>,
                prepare: (input, d) => t.prepare(ctx, input as I, d),
            };
        },
    };
}

export type Verdict = "accepted" | "rejected" | "crash" | "unnamed" | "invalid" | "hang" | "alloc" | "leak";
export const FAILURES: readonly Verdict[] = ["crash", "unnamed", "invalid", "hang", "alloc", "leak"];

export interface Failure {
    index: number;
    verdict: Verdict;
    detail: string;
    /** fc.stringify of the input, cut to a readable length. */
    input: string;
}

export interface TargetResult {
    target: string;
    parser: string;
    seed: number;
    inputs: number;
    counts: Record<Verdict, number>;
    seconds: number;
    /** Slowest single input, ms, and its index. */
    slowestMs: number;
    slowestIndex: number;
    failures: Failure[];
}

export interface RunOptions {
    runs: number;
    seed: number;
    /**
     * An input taking more CPU time than this plus 4 s per MB of input counts as a hang: V8's JSON.parse of
     * 100,000-deep nesting runs at ~2 s per MB (a 5 MB config.json of it: 10 s), and time linear in the data
     * present is not a hang. Default 2000 ms.
     */
    hangMs?: number;
    /** Keep at most this many failure examples. Default 20. */
    keepFailures?: number;
    /** Only execute this input index (the others are generated and skipped), to replay a failure. */
    only?: number;
    /** Skip (generate but do not execute) the inputs before this index: resuming after a crashed worker. */
    from?: number;
    /** Called before each executed input (the runner's progress / watchdog heartbeat). */
    onInput?(index: number, inputDir: string): void;
    /** Called for each failure, with the folder holding the failing input's files. */
    onFailure?(f: Failure, inputDir: string): void;
    /** Called after each executed input with its verdict (replaying one input prints it). */
    onOutcome?(index: number, verdict: Verdict, detail: string, ms: number, input: unknown): void;
    /** Live native tensor count, for the leak check (native targets). */
    liveTensors?(): number;
    /** Work folder (created if needed); the default is a fresh folder under os.tmpdir(). */
    workDir: string;
}

/** Bytes of unexplained growth allowed per input: generous for parser bookkeeping, far below any attack size. */
function allocBound(inputBytes: number): number {
    return 64 * 2 ** 20 + 64 * inputBytes;
}

const ENGINE_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError];

export function classifyError(err: unknown, names: readonly string[]): { verdict: Verdict; detail: string } {
    if (!(err instanceof Error)) return { verdict: "crash", detail: `threw a non-Error: ${String(err).slice(0, 300)}` };
    const msg = err.message;
    if (ENGINE_ERRORS.some((E) => err instanceof E)) {
        return { verdict: "crash", detail: `${err.name}: ${msg.slice(0, 500)}\n${(err.stack ?? "").split("\n").slice(1, 6).join("\n")}` };
    }
    if (!names.some((n) => msg.includes(n))) return { verdict: "unnamed", detail: `Error not naming ${names[0]}: ${msg.slice(0, 500)}` };
    return { verdict: "rejected", detail: msg.slice(0, 300) };
}

function emptyDir(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
}

function memSnapshot(): { heap: number; external: number } {
    const m = process.memoryUsage();
    return { heap: m.heapUsed, external: m.external };
}

/** Runs `opts.runs` generated inputs through one target, in this process. */
export async function runTarget(target: AnyTarget, opts: RunOptions): Promise<TargetResult> {
    const hangMs = opts.hangMs ?? 2000;
    const keep = opts.keepFailures ?? 20;
    fs.mkdirSync(opts.workDir, { recursive: true });
    const seedDir = path.join(opts.workDir, "seeds");
    const inputDir = path.join(opts.workDir, "input");
    emptyDir(seedDir);
    const session = await target.start(seedDir);
    const counts = Object.fromEntries(["accepted", "rejected", ...FAILURES].map((v) => [v, 0])) as Record<Verdict, number>;
    const failures: Failure[] = [];
    let index = -1;
    let executed = 0;
    let slowestMs = 0;
    let slowestIndex = -1;
    const t0 = performance.now();

    const record = (verdict: Verdict, detail: string, input: unknown, ms: number): void => {
        counts[verdict]++;
        opts.onOutcome?.(index, verdict, detail, ms, input);
        if (!FAILURES.includes(verdict)) return;
        // Short: the worker reports it on a pipe, and a long write could still be queued when the next input hangs.
        const f: Failure = { index, verdict, detail: detail.slice(0, 1000), input: fc.stringify(input).slice(0, 2000) };
        if (failures.length < keep) failures.push(f);
        opts.onFailure?.(f, inputDir);
    };

    const property = fc.asyncProperty(session.arbitrary, async (input) => {
        index++;
        if (opts.only !== undefined && index !== opts.only) return true;
        if (opts.from !== undefined && index < opts.from) return true;
        executed++;
        emptyDir(inputDir);
        opts.onInput?.(index, inputDir);
        const prepared = session.prepare(input, inputDir);
        const tensorsBefore = opts.liveTensors?.();
        const m0 = memSnapshot();
        const start = performance.now();
        const cpu0 = process.cpuUsage();
        let result: unknown;
        let returned = false;
        let outcome: { verdict: Verdict; detail: string };
        try {
            result = await prepared.call();
            returned = true;
            const problem = prepared.check?.(result);
            outcome = problem === undefined ? { verdict: "accepted", detail: "" } : { verdict: "invalid", detail: problem };
        } catch (err) {
            outcome = classifyError(err, prepared.names);
        }
        const ms = performance.now() - start;
        const cpu = process.cpuUsage(cpu0);
        const cpuMs = (cpu.user + cpu.system) / 1000;
        const m1 = memSnapshot();
        if (ms > slowestMs) [slowestMs, slowestIndex] = [ms, index];
        if (returned) prepared.dispose?.(result);
        const grew = Math.max(m1.heap - m0.heap, m1.external - m0.external);
        const tensorsAfter = opts.liveTensors?.();
        // CPU time, so other work on a shared machine does not turn a slow input into a "hang"; wall time too, ten
        // times looser, for an async call that waits instead of computing.
        const limitMs = hangMs + (prepared.bytes / 1e6) * 4000;
        if (cpuMs > limitMs || ms > 10 * limitMs) {
            record("hang", `took ${cpuMs.toFixed(0)} ms CPU, ${ms.toFixed(0)} ms wall (limit ${limitMs.toFixed(0)} ms CPU); outcome ${outcome.verdict}: ${outcome.detail}`, input, ms);
        }
        else if (grew > allocBound(prepared.bytes)) record("alloc", `memory grew by ${(grew / 2 ** 20).toFixed(0)} MiB for a ${prepared.bytes}-byte input; outcome ${outcome.verdict}: ${outcome.detail}`, input, ms);
        else if (tensorsBefore !== undefined && tensorsAfter !== tensorsBefore) record("leak", `${tensorsAfter! - tensorsBefore} native tensors left alive; outcome ${outcome.verdict}: ${outcome.detail}`, input, ms);
        else record(outcome.verdict, outcome.detail, input, ms);
        return true;
    });
    const details = await fc.check(property, { numRuns: opts.runs, seed: opts.seed });
    // The property always returns true, so a failed check means the harness or a target's prepare() threw.
    if (details.failed) throw new Error(`fuzz harness error in target ${target.name} at input ${index}: ${String(details.errorInstance)}`);
    return {
        target: target.name,
        parser: target.parser,
        seed: opts.seed,
        inputs: executed,
        counts,
        seconds: (performance.now() - t0) / 1000,
        slowestMs,
        slowestIndex,
        failures,
    };
}

/** Sum of the failure verdicts of a result. */
export function failureCount(r: TargetResult): number {
    return FAILURES.reduce((n, v) => n + r.counts[v], 0);
}
