/**
 * Seeded pseudo-random numbers (mulberry32 over a splitmix32-hashed seed).
 * Every random choice in the project goes through an Rng so runs are reproducible from a seed.
 * Not cryptographic.
 */
export class Rng {
    private state: number;

    constructor(seed: number | string) {
        this.state = typeof seed === "number" ? splitmix32(seed >>> 0) : splitmix32(hashString(seed));
    }

    /** Uniform float in [0, 1). */
    next(): number {
        let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** Uniform integer in [0, n). */
    int(n: number): number {
        return Math.floor(this.next() * n);
    }

    /** A uniformly chosen element; throws on an empty array. */
    pick<T>(items: readonly T[]): T {
        if (items.length === 0) throw new Error("Rng.pick: empty array");
        return items[this.int(items.length)] as T;
    }

    /** True with probability p. */
    chance(p: number): boolean {
        return this.next() < p;
    }

    /** Fisher–Yates shuffle of a copy. */
    shuffle<T>(items: readonly T[]): T[] {
        const out = items.slice();
        for (let i = out.length - 1; i > 0; i--) {
            const j = this.int(i + 1);
            [out[i], out[j]] = [out[j] as T, out[i] as T];
        }
        return out;
    }

    /** Standard normal sample (Box–Muller). */
    normal(): number {
        const u = Math.max(this.next(), 1e-12);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
    }

    /** An independent child stream, so adding draws in one place does not shift another's. */
    fork(label: string | number): Rng {
        return new Rng(hashString(`${this.state}:${label}`));
    }
}

export function hashString(s: string): number {
    // FNV-1a, 32-bit.
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) {
        h ^= s.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
}

function splitmix32(x: number): number {
    x = (x + 0x9e3779b9) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return (x ^ (x >>> 16)) >>> 0;
}
