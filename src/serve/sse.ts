/**
 * Server-sent events on a raw Node response, as OpenAI streams: `data: {json}\n\n` per chunk, `data: [DONE]`
 * at the end. Writes after the client left are dropped; a client that does not read only fills its socket
 * buffer (bounded by max_tokens), never blocks the engine.
 */
import type { ServerResponse } from "node:http";

export class SseWriter {
    private started = false;

    constructor(private readonly res: ServerResponse) {}

    get open(): boolean {
        return !this.res.destroyed && !this.res.writableEnded;
    }

    start(): void {
        if (this.started) return;
        this.started = true;
        this.res.writeHead(200, {
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-cache",
            connection: "keep-alive",
            "x-accel-buffering": "no",
        });
    }

    send(data: unknown): void {
        this.start();
        if (this.open) this.res.write(`data: ${JSON.stringify(data)}\n\n`);
    }

    end(): void {
        this.start();
        if (this.open) this.res.end("data: [DONE]\n\n");
    }
}
