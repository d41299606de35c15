/**
 * The investigation tools as an MCP server (Model Context Protocol, stdio), for one target: any MCP client — the
 * way AuditBench wires its agent — can call sample, prefill, multisample, compare_to_base, ia_reports and
 * summarize on it. The same ToolBox as every other driver: arguments validated (unknown tools, unknown or
 * oversized arguments are tool errors the client sees with isError), the sample budget enforced, every call
 * logged to the log folder.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { ToolBox } from "./tools.ts";
import { ToolError } from "./types.ts";

/** Largest serialized arguments object accepted, in characters. */
export const MAX_MCP_ARGS_CHARS = 64_000;

export function createMcpServer(tools: ToolBox, name = "introspect-investigator"): Server {
    const server = new Server({ name, version: "1.0.0" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
        tools: tools.grantedSpecs().map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (req) => {
        const { name, arguments: args } = req.params;
        try {
            const size = JSON.stringify(args ?? {}).length;
            if (size > MAX_MCP_ARGS_CHARS) throw new ToolError(`${name}: arguments are ${size} characters, more than the limit of ${MAX_MCP_ARGS_CHARS}`);
            const r = await tools.callAsync(name, args ?? {});
            return {
                content: [{ type: "text" as const, text: JSON.stringify(r.output) }],
                structuredContent: { output: r.output as Record<string, unknown>, tokens: r.tokens, samples: r.samples, samples_left: tools.budget.samplesLeft },
            };
        } catch (err) {
            if (err instanceof ToolError) return { content: [{ type: "text" as const, text: `error (${err.code}): ${err.message}` }], isError: true };
            throw err;
        }
    });
    return server;
}

/** Serve over stdio until the client disconnects. */
export async function serveStdio(tools: ToolBox): Promise<void> {
    const server = createMcpServer(tools);
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
        server.onclose = () => resolve();
    });
    await server.connect(transport);
    await closed;
}
