/**
 * Max-heap of candidate BPE merges for the trainer. Order: higher count first; on equal counts the pair whose
 * merged token has the lexicographically smaller bytes wins; if two pairs would give the same bytes (e.g. "ab"+"c"
 * vs "a"+"bc"), the one with the smaller left-token bytes wins. Byte strings are stored as latin1 strings (one
 * char per byte), so JS string comparison is byte-wise lexicographic comparison (a prefix sorts first).
 *
 * The heap is lazy: it does not know current counts. The trainer re-checks a popped entry against its live count.
 */

export interface PairEntry {
    /** Pair count when the entry was pushed (may be stale). */
    count: number;
    /** Packed pair key (left * KEY_MUL + right), see trainBpe.ts. */
    key: number;
    /** Bytes of the merged token, latin1-encoded. */
    merged: string;
    /** Bytes of the left token, latin1-encoded. */
    left: string;
}

function better(a: PairEntry, b: PairEntry): boolean {
    if (a.count !== b.count) return a.count > b.count;
    if (a.merged !== b.merged) return a.merged < b.merged;
    return a.left < b.left;
}

export class PairHeap {
    private readonly items: PairEntry[] = [];

    get size(): number {
        return this.items.length;
    }

    push(e: PairEntry): void {
        const items = this.items;
        let i = items.length;
        items.push(e);
        while (i > 0) {
            const p = (i - 1) >> 1;
            const parent = items[p] as PairEntry;
            if (!better(e, parent)) break;
            items[i] = parent;
            i = p;
        }
        items[i] = e;
    }

    peek(): PairEntry | undefined {
        return this.items[0];
    }

    pop(): PairEntry | undefined {
        const items = this.items;
        const top = items[0];
        const last = items.pop();
        if (top === undefined || last === undefined || items.length === 0) return top;
        const n = items.length;
        let i = 0;
        for (;;) {
            const l = 2 * i + 1;
            if (l >= n) break;
            const r = l + 1;
            let c = l;
            if (r < n && better(items[r] as PairEntry, items[l] as PairEntry)) c = r;
            const child = items[c] as PairEntry;
            if (!better(child, last)) break;
            items[i] = child;
            i = c;
        }
        items[i] = last;
        return top;
    }
}
