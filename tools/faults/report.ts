/** The fault harness's table (terminal) and markdown report. */
import type { CommandResult } from "./harness.ts";

const yes = (b: boolean) => (b ? "yes" : "NO");

export function tableRows(results: CommandResult[]): string[][] {
    return results.map((r) => [
        r.command,
        String(r.kills),
        yes(r.resumedOk) + (r.errors.length ? ` (${r.errors.length} failed runs)` : ""),
        String(new Set(r.corrupted.map((c) => c.path)).size),
        `${r.maxLostSteps} (interval ${r.interval})`,
        yes(r.finalEqual) + (r.completions ? ` (+${r.completions} early finishes)` : ""),
        String(r.temps.length),
        r.seconds.toFixed(0),
    ]);
}

const HEADER = ["command", "kills", "resumed ok", "artifacts corrupted", "max lost steps", "final == uninterrupted", "temp leftovers", "seconds"];

export function textTable(results: CommandResult[]): string {
    const rows = [HEADER, ...tableRows(results)];
    const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n");
}

export function markdownReport(results: CommandResult[], meta: { command: string; seed: number; kills: number; checkpointEvery: number; seconds: number; date: string; sizes: string }): string {
    const lines = [
        `# Kill -9 fault injection (${meta.date})`,
        "",
        `Command: \`${meta.command}\` — ${meta.seconds.toFixed(0)} s on this machine. Seed ${meta.seed}, ${meta.kills} kills per command, ` +
            `every training loop checkpointing every ${meta.checkpointEvery} steps (IA_CHECKPOINT_EVERY) and logging every step (IA_LOG_EVERY=1). Sizes: ${meta.sizes}.`,
        "",
        "Each command first runs uninterrupted (the reference). Then runs on one output folder are killed with SIGKILL after a seeded random " +
            "delay (counted from the run's first line of output, uniform up to the reference's time from its first output to its exit) and rerun with the same arguments; after every kill every artifact is read with " +
            "the project's loaders; after the last kill a rerun goes to the end. \"max lost steps\": the most optimizer steps one rerun had to " +
            "execute again in one training loop (must not exceed the checkpoint interval). \"final == uninterrupted\": adapter/model bytes, " +
            "final loss, manifest and benchmark figures of every run that finished equal the reference's (same machine). Temp leftovers are " +
            "files/folders of killed writers that nothing reads.",
        "",
        `| ${HEADER.join(" | ")} |`,
        `|${HEADER.map(() => "---").join("|")}|`,
        ...tableRows(results).map((r) => `| ${r.join(" | ")} |`),
        "",
    ];
    for (const r of results) {
        lines.push(`## ${r.command}`, "", `Reference run ${r.referenceSeconds.toFixed(1)} s; ${r.kills} kills, ${r.completions} runs finished before their kill time.`, "");
        if (r.errors.length) lines.push("Runs that failed by themselves:", "", ...r.errors.map((e) => `- ${e}`), "");
        if (r.corrupted.length) lines.push("Corrupted artifacts:", "", ...r.corrupted.map((c) => `- after kill ${c.kill || "(final)"}: \`${c.path}\`: ${c.reason}`), "");
        if (r.resumeMismatches.length) lines.push("Resume mismatches:", "", ...r.resumeMismatches.map((m) => `- ${m}`), "");
        if (r.finalDiffs.length) lines.push("Differences from the uninterrupted run:", "", ...r.finalDiffs.slice(0, 20).map((d) => `- ${d}`), "");
        if (r.temps.length) lines.push("Temp leftovers seen after kills (removed by the next run of the stage that owns the folder, or left):", "", ...r.temps.slice(0, 20).map((t) => `- \`${t}\``), "");
        lines.push("| kill | at (s) | doing | interrupted loops: steps done -> resume point |", "|---|---|---|---|");
        r.records.forEach((k, i) => {
            const loops = k.loops.map((l) => `${l.dir.split("/").slice(-2).join("/")} ${l.reached}->${l.resumeAt}`).join(", ") || "—";
            lines.push(`| ${i + 1} | ${(k.delayMs / 1000).toFixed(2)} | ${k.phase.replace(/\|/g, "/").slice(0, 90)} | ${loops} |`);
        });
        lines.push("");
    }
    return lines.join("\n");
}
