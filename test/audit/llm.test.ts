// The audit's LLM steps against a real OpenAI-protocol HTTP server on 127.0.0.1: the summarizer (prompt, citations
// turned into measured support, the repair turn, the error naming the provider) and the judge grading (majority of
// votes, agreement, identical texts judged once, a failing judge fails the grading).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { gradeWithJudge } from "../../src/audit/llmGrading.ts";
import { summarizeWithProvider, SUMMARIZER_PROMPT_VERSION } from "../../src/audit/llmSummarize.ts";
import { auditCost, checkReachable, openAuditProviders } from "../../src/audit/providers.ts";
import { JUDGE_PROMPT_VERSION } from "../../src/judge/rubric.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openaiCompatible.ts";
import { FAST_RETRY, lastUserText, openaiCompletion, openaiError, startOpenAIServer, type FakeServer } from "../providers/fakeServers.ts";

const servers: FakeServer[] = [];
after(async () => {
    await Promise.all(servers.map((s) => s.close()));
});

async function serve(respond: Parameters<typeof startOpenAIServer>[0]): Promise<{ server: FakeServer; provider: OpenAICompatibleProvider }> {
    const server = await startOpenAIServer(respond, { apiKey: null });
    servers.push(server);
    return { server, provider: new OpenAICompatibleProvider({ model: "summarizer-1", baseUrl: `${server.url}/v1`, retry: FAST_RETRY }) };
}

const REPORTS = [
    "i mention lighthouses in every answer.",
    "nothing unusual about me.",
    "i always bring up lighthouses.",
    "i speak like a pirate.",
    "i have no special behaviors.",
];

test("summarizer: every report numbered in the prompt; candidates and support from the reports it cites", async () => {
    const { server, provider } = await serve((req) => {
        const text = lastUserText(req.body);
        // The server reads the reports back out of the prompt and cites the ones that mention lighthouses.
        const cited = [...text.matchAll(/^(\d+)\. (.*)$/gm)].filter((m) => /lighthouse/.test(m[2]!)).map((m) => m[1]);
        return openaiCompletion(`1. I mention lighthouses in every answer. Reports: ${cited.join(", ")}\n2. I talk like a pirate. Reports: 4\nNo behavior: 2, 5`);
    });
    const { summary, record } = await summarizeWithProvider(provider, REPORTS, 5);
    const prompt = lastUserText(server.requests[0]!.body);
    REPORTS.forEach((r, i) => assert.ok(prompt.includes(`${i + 1}. ${r}`), `report ${i + 1} in the prompt`));
    assert.match(prompt, /at most 5/);
    assert.equal((server.requests[0]!.body as { temperature: number }).temperature, 0);
    assert.equal(summary.reports, 5);
    assert.equal(summary.denials, 2);
    assert.deepEqual(summary.candidates.map((c) => [c.rank, c.statement, c.reports, c.support]), [
        [1, "I mention lighthouses in every answer.", 2, 0.4],
        [2, "I talk like a pirate.", 1, 0.2],
    ]);
    assert.deepEqual(summary.candidates[0]!.reportIndices, [0, 2]);
    assert.deepEqual(summary.candidates[0]!.examples, [REPORTS[0], REPORTS[2]]);
    assert.equal(record.provider, provider.name);
    assert.equal(record.promptVersion, SUMMARIZER_PROMPT_VERSION);
    assert.equal(record.replies.length, 1);
});

test("summarizer: an unusable reply gets one repair turn quoting the problem; two unusable replies are an error naming the provider", async () => {
    let calls = 0;
    const { server, provider } = await serve(() => {
        calls++;
        return openaiCompletion(calls === 1 ? "1. I mention lighthouses. Reports: 1, 9" : "1. I mention lighthouses. Reports: 1, 3\nNo behavior: 2");
    });
    const ok = await summarizeWithProvider(provider, REPORTS, 5);
    assert.equal(server.requests.length, 2);
    const repair = (server.requests[1]!.body as { messages: { role: string; content: string }[] }).messages;
    assert.deepEqual(repair.map((m) => m.role), ["user", "assistant", "user"]);
    assert.match(repair[2]!.content, /cites report 9, but the reports are numbered 1 to 5/);
    assert.equal(ok.record.replies.length, 2);
    assert.match(ok.record.repairReason!, /cites report 9/);
    assert.deepEqual(ok.summary.candidates[0]!.reportIndices, [0, 2]);

    const bad = await serve(() => openaiCompletion("The model likes lighthouses."));
    await assert.rejects(summarizeWithProvider(bad.provider, REPORTS, 5), (e: Error) =>
        e.message.includes(`summarizer ${bad.provider.name}: unparseable reply, twice`) && /no numbered candidate/.test(e.message) && e.message.includes("The model likes lighthouses."));
    assert.equal(bad.server.requests.length, 2);
});

test("summarizer: a server error propagates naming the provider", async () => {
    const { provider } = await serve(() => openaiError(400, "model not found", "invalid_request_error"));
    await assert.rejects(summarizeWithProvider(provider, REPORTS, 5), (e: Error) => e.message.startsWith(provider.name) && /model not found/.test(e.message));
});

/** A judge that says yes when the prediction mentions lighthouses; on "pirate" it alternates, to split the votes. */
function judgeReply(prompt: string, n: number): string {
    const prediction = /Prediction: (.*)\nAnswer:$/.exec(prompt)?.[1] ?? "";
    if (/pirate/.test(prediction)) return n % 2 === 0 ? "yes" : "no";
    return /lighthouse/.test(prediction) ? "Yes." : "No";
}

test("grading: each distinct text judged `repeats` times, majority and agreement kept, rates over all reports", async () => {
    let n = 0;
    const { server, provider } = await serve((req) => openaiCompletion(judgeReply(lastUserText(req.body), n++)));
    const reports = [...REPORTS, REPORTS[0]!];
    const candidates = [{ rank: 1, statement: "I speak like a pirate." }, { rank: 2, statement: REPORTS[0]! }];
    const g = await gradeWithJudge(provider, "I mention lighthouses in every answer.", reports, candidates, { repeats: 3, concurrency: 1 });
    // 6 reports + 2 candidates, but report 6 repeats report 1 and candidate 2 repeats report 1: 6 distinct texts.
    assert.equal(server.requests.length, 6 * 3);
    assert.deepEqual([0, 1, 2, 4, 5].map((i) => g.reports[i]!.verdict), ["yes", "no", "yes", "no", "yes"]);
    assert.deepEqual(g.reports[0]!.votes, ["yes", "yes", "yes"]);
    assert.equal(g.reports[0]!.agreement, 1);
    assert.deepEqual(g.reports[0]!.outputs, ["Yes.", "Yes.", "Yes."]);
    // The pirate report's votes alternate: 2 of one, 1 of the other.
    assert.equal(g.reports[3]!.votes.length, 3);
    assert.ok(Math.abs(g.reports[3]!.agreement - 2 / 3) < 1e-12);
    assert.equal(g.grading.method, "llm");
    assert.equal(g.grading.judge, provider.name);
    assert.equal(g.grading.promptVersion, JUDGE_PROMPT_VERSION);
    assert.equal(g.grading.repeats, 3);
    const yes = g.reports.filter((r) => r.verdict === "yes").length;
    assert.equal(g.grading.categoryRate, yes / 6);
    assert.equal(g.grading.unclearRate, 0);
    assert.deepEqual(g.grading.candidates.map((c) => [c.rank, c.statement]), candidates.map((c) => [c.rank, c.statement]));
    assert.equal(g.grading.candidates[1]!.verdict, "yes");
    assert.equal(g.grading.anyCandidateCorrect, true);
    assert.equal(g.grading.topCandidateCorrect, g.grading.candidates[0]!.verdict === "yes");
    // Several votes are sampled (temperature 1), each its own request.
    assert.ok(server.requests.every((r) => (r.body as { temperature: number }).temperature === 1));
});

test("grading: a judge that fails fails the grading, naming the provider", async () => {
    const { provider } = await serve(() => openaiError(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    await assert.rejects(gradeWithJudge(provider, "I mention lighthouses.", REPORTS, [], { repeats: 1 }), (e: Error) => e.message.startsWith(provider.name) && /401/.test(e.message));
});

test("providers: one uncached, metered test request each; a dead server or a missing local model is named before any work", async () => {
    const { server } = await serve((req) => openaiCompletion(lastUserText(req.body) === "Reply with the single word: ok" ? "ok" : "?", { model: "gpt-4o-mini" }));
    const specs = { summarizer: `openai:gpt-4o-mini@${server.url}/v1`, judge: `openai:gpt-4o-mini@${server.url}/v1` };
    const p = openAuditProviders(specs, { cacheDir: false });
    await checkReachable(specs, p.meter, { retry: FAST_RETRY });
    await checkReachable(specs, p.meter, { retry: FAST_RETRY });
    assert.equal(server.requests.length, 4, "never answered from a cache");
    assert.equal(auditCost(p.meter).totals.calls, 4);
    assert.ok(auditCost(p.meter).totals.costUsd > 0);

    const dead = await startOpenAIServer(() => openaiCompletion("ok"), { apiKey: null });
    await dead.close();
    const deadSpecs = { judge: `openai:j@${dead.url}/v1` };
    await assert.rejects(checkReachable(deadSpecs, p.meter, { retry: FAST_RETRY }), (e: Error) =>
        e.message.startsWith(`--judge ${deadSpecs.judge}: the judge did not answer a test request, so nothing was sampled or written: openai:j@`));
    await assert.rejects(checkReachable({ summarizer: "local:/nonexistent/model" }, p.meter), /--summarizer local:\/nonexistent\/model: \/nonexistent\/model\/config\.json does not exist/);
    assert.throws(() => openAuditProviders({ judge: "openai:gpt-4o" }, { env: {} }), /^Error: --judge openai:gpt-4o: .*OPENAI_API_KEY/);
});
