/**
 * The text of one choice as its tokens arrive: incremental detokenization (a token may end inside a UTF-8
 * character: text ending in U+FFFD is held back), stop strings (the reply ends before the first occurrence;
 * while streaming, the last maxStopLength-1 characters are held back so no part of a stop string is sent).
 */
export class TextStream {
    readonly tokens: number[] = [];
    private text = "";
    private emitted = 0;
    private readonly holdback: number;
    /** Set when a stop string was found: the final text. */
    stopped = false;

    constructor(private readonly decode: (ids: number[]) => string, private readonly stop: readonly string[]) {
        this.holdback = Math.max(0, ...stop.map((s) => s.length - 1));
    }

    /** Adds a token; returns the new text that is safe to send (may be ""). */
    push(token: number): string {
        this.tokens.push(token);
        this.text = this.decode(this.tokens);
        let cut = -1;
        for (const s of this.stop) {
            const i = this.text.indexOf(s, Math.max(0, this.emitted - s.length));
            if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        if (cut >= 0) {
            this.stopped = true;
            this.text = this.text.slice(0, cut);
            return this.flush();
        }
        let end = this.text.length - this.holdback;
        while (end > this.emitted && this.text.charCodeAt(end - 1) === 0xfffd) end--;
        if (end <= this.emitted) return "";
        const out = this.text.slice(this.emitted, end);
        this.emitted = end;
        return out;
    }

    /** Everything not yet sent (at the end of the choice). */
    flush(): string {
        const out = this.text.slice(this.emitted);
        this.emitted = this.text.length;
        return out;
    }

    get fullText(): string {
        return this.text;
    }
}
