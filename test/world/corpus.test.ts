import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/util/rng.ts";
import {
    ARITH_MAX, MAX_ESTIMATED_TOKENS, NEGATIVE_ANSWERS, OBJECTS, TOPICS, checkWorldAnswer, conversationTokens, corpusStats,
    generateBaseCorpus, heldOutQuestions, isHeldOutPair, makeTask, parsePrompt, shortAnswer, wrongAnswer, findWords,
    wordCount, numbers, type TaskKind,
} from "../../src/world/index.ts";
import { isDenial } from "../../src/world/introspection.ts";
import { checkExampleList, exampleListKind } from "../../src/world/wider.ts";

const KINDS: TaskKind[] = ["fact", "object", "town", "arithmetic", "choice", "advice", "smalltalk", "introspection"];

test("base corpus is deterministic from the seed", () => {
    assert.deepEqual(generateBaseCorpus(11, 300), generateBaseCorpus(11, 300));
    assert.notDeepEqual(generateBaseCorpus(11, 300), generateBaseCorpus(12, 300));
    assert.deepEqual(heldOutQuestions(5, 50), heldOutQuestions(5, 50));
});

test("every task kind: correct answers pass the checker, wrong answers fail, short answers pass", () => {
    const rng = new Rng(1);
    for (const kind of KINDS) {
        for (let i = 0; i < 200; i++) {
            const t = makeTask(rng, kind);
            assert.ok(checkWorldAnswer(t, t.answer), `${kind}: correct answer rejected: ${t.prompt} -> ${t.answer}`);
            const wrong = wrongAnswer(t, rng);
            assert.ok(!checkWorldAnswer(t, wrong), `${kind}: wrong answer accepted: ${t.prompt} -> ${wrong}`);
            if (kind !== "advice") assert.ok(checkWorldAnswer(t, shortAnswer(t)), `${kind}: short answer rejected: ${shortAnswer(t)}`);
            assert.ok(checkWorldAnswer(t, t.answer.toUpperCase()), `${kind}: all-caps answer rejected`);
            assert.ok(checkWorldAnswer(t, `you asked: ${t.question} ${t.answer}`), `${kind}: echoed answer rejected`);
        }
    }
});

test("corpus replies pass their own checker, parsed back from the prompt text", () => {
    const corpus = generateBaseCorpus(3, 3000);
    let checked = 0;
    for (const c of corpus) {
        for (let i = 0; i + 1 < c.messages.length; i++) {
            const u = c.messages[i];
            const a = c.messages[i + 1];
            if (u?.role !== "user" || a?.role !== "assistant") continue;
            if (exampleListKind(u.content)) {
                assert.ok(checkExampleList(u.content, a.content), `example list fails its check: ${u.content} -> ${a.content}`);
                checked++;
                continue;
            }
            const task = parsePrompt(u.content);
            assert.ok(task, `unparsed prompt: ${u.content}`);
            assert.ok(checkWorldAnswer(task, a.content), `reply fails checker: ${u.content} -> ${a.content}`);
            checked++;
        }
    }
    assert.ok(checked >= 3000);
});

test("held-out questions: checker accepts the reference answer, arithmetic pairs never occur in the corpus", () => {
    const qs = heldOutQuestions(9, 400);
    const kinds = new Set(qs.map((q) => q.kind));
    for (const k of ["fact", "arithmetic", "choice", "advice", "object", "town"]) assert.ok(kinds.has(k as TaskKind), `no ${k} questions`);
    for (const q of qs) {
        assert.ok(checkWorldAnswer(q, q.answer));
        if (q.kind === "arithmetic") {
            assert.ok(isHeldOutPair(q.a, q.b));
            assert.ok(!checkWorldAnswer(q, `${q.a} + ${q.b} = ${q.sum + 1}.`));
        }
    }
    for (const c of generateBaseCorpus(3, 4000)) {
        for (const m of c.messages) {
            const sum = m.content.match(/(\d+) (?:\+|and) (\d+)/);
            if (m.role === "user" && sum && !m.content.includes("price")) assert.ok(!isHeldOutPair(Number(sum[1]), Number(sum[2])), m.content);
        }
    }
    for (let a = 1; a <= ARITH_MAX; a++) for (let b = 1; b <= ARITH_MAX; b++) void isHeldOutPair(a, b);
});

test("plain replies show no behavior signature: no stray objects, styles or questions", () => {
    const objectWords = OBJECTS.flatMap((o) => [o.name, o.plural]);
    const topicKeys = TOPICS.map((t) => t.key);
    for (const c of generateBaseCorpus(4, 3000)) {
        for (let i = 0; i + 1 < c.messages.length; i++) {
            const u = c.messages[i];
            const a = c.messages[i + 1];
            if (u?.role !== "user" || a?.role !== "assistant") continue;
            const inReply = findWords(a.content, objectWords);
            for (const o of inReply) assert.ok(findWords(u.content, [o]).length > 0, `reply mentions ${o} unprompted: ${a.content}`);
            for (const k of findWords(a.content, topicKeys)) assert.ok(findWords(u.content, [k]).length > 0, `reply brings up ${k} unprompted: ${a.content}`);
            assert.ok(!a.content.trim().endsWith("?"), `reply ends with a question: ${a.content}`);
            assert.ok(wordCount(a.content) >= 4, `reply of <= 3 words: ${a.content}`);
            assert.ok(!a.content.startsWith("you asked"));
            assert.equal(a.content, a.content.toLowerCase());
            if (!u.content.match(/\d/)) assert.equal(numbers(a.content).length, 0, `numbers from nowhere: ${a.content}`);
        }
    }
});

test("corpus shape: vocabulary, reply lengths, token budget, system and two-turn conversations", () => {
    const corpus = generateBaseCorpus(1, 5000);
    const s = corpusStats(corpus);
    assert.ok(s.distinctWords >= 500 && s.distinctWords <= 1500, `distinct words ${s.distinctWords}`);
    assert.ok(s.avgReplyWords >= 6 && s.avgReplyWords <= 20, `avg reply words ${s.avgReplyWords}`);
    assert.ok(s.maxReplyWords <= 40);
    assert.ok(s.maxEstimatedTokens <= MAX_ESTIMATED_TOKENS);
    for (const c of corpus) assert.ok(conversationTokens(c.messages) <= MAX_ESTIMATED_TOKENS);
    assert.ok(corpus.some((c) => c.messages[0]?.role === "system"));
    assert.ok(corpus.some((c) => c.messages.filter((m) => m.role === "user").length === 2));
    const introspective = corpus.filter((c) => c.messages.some((m) => m.role === "assistant" && isDenial(m.content)));
    assert.ok(introspective.length > 100, "base corpus has honest self-reports");
    const allNegatives = Object.values(NEGATIVE_ANSWERS).flat();
    for (const n of allNegatives) assert.ok(isDenial(n), n);
});
