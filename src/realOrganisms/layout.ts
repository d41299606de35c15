/**
 * Where `ia organisms` keeps a free-text organism's working files inside the population folder, so a rerun finds
 * what is done: `real-organisms/split.json` (the prompt split, shared by all), `real-organisms/base-probes.json`
 * (the base's probe replies, sampled once), and per organism `real-organisms/<id>/` with `train.jsonl` (the kept
 * teacher rows), `data.json` (synthesis counts), `sft/` (the SFT run: adapter/, checkpoint/, config.json) and
 * `verification.json` (every probe reply with the judge's verdict). The trained adapter is then copied to
 * `organisms/<id>/` by the population store, like every organism.
 */
import path from "node:path";

export const WORK_DIR = "real-organisms";

export interface OrganismFiles {
    dir: string;
    data: string;
    dataStats: string;
    sft: string;
    adapter: string;
    verification: string;
}

export function workDir(pop: string): string {
    return path.join(pop, WORK_DIR);
}

export function splitFile(pop: string): string {
    return path.join(workDir(pop), "split.json");
}

export function baseProbesFile(pop: string): string {
    return path.join(workDir(pop), "base-probes.json");
}

export function organismFiles(pop: string, id: string): OrganismFiles {
    const dir = path.join(workDir(pop), id);
    const sft = path.join(dir, "sft");
    return {
        dir,
        data: path.join(dir, "train.jsonl"),
        dataStats: path.join(dir, "data.json"),
        sft,
        adapter: path.join(sft, "adapter"),
        verification: path.join(dir, "verification.json"),
    };
}
