// A peer for the data-parallel tests' failure cases (dataParallel.test.ts): it says it is up, then waits for rank 0's
// start. Run as a script, this file is a rank 0 that starts one such peer, prints the exchange folder and blocks until
// it is killed.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { zeros } from "../../src/engine/factory.ts";
import { initEngine } from "../../src/engine/runtime.ts";
import { runDataParallel, type DataParallelGroup } from "../../src/parallel/dataParallel.ts";
import { sleep } from "../../src/parallel/pool.ts";

export const WAITING_PEER = { module: fileURLToPath(import.meta.url), name: "waitingPeer" };

/** Writes `up-r<rank>` into the exchange folder, then waits for rank 0's start (which these tests never send). */
export function waitingPeer(_job: unknown, group: DataParallelGroup): void {
    fs.writeFileSync(path.join(group.dir, `up-r${group.rank}`), "");
    group.syncStart([zeros([2])], [0]);
}

/** On rank 0: waits (up to a minute) until peer 1 is up, and returns its pid. */
export function waitForPeer(group: DataParallelGroup): number {
    for (let waited = 0; !fs.existsSync(path.join(group.dir, "up-r1")); waited += 20) {
        if (waited > 60_000) throw new Error("the peer did not start within a minute");
        sleep(20);
    }
    return Number(fs.readFileSync(path.join(group.dir, "pid-r1"), "utf8"));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    initEngine(1);
    runDataParallel({ processes: 2, runner: WAITING_PEER, job: null }, (group) => {
        const peer = waitForPeer(group);
        process.stdout.write(`${JSON.stringify({ dir: group.dir, peer })}\n`);
        for (;;) sleep(1000);
    });
}
