/**
 * IA DPO on organisms held out of SFT: sample the SFT IA's self-reports on each DPO organism, grade them with the
 * judge, and build preference pairs — chosen: an accurate self-report or the ground-truth label; rejected: a
 * wrong self-report or a wrong label drawn from another organism. For null organisms and the bare base, a claimed
 * behavior is rejected against "nothing unusual" (this is what suppresses hallucinated behaviors). Trained with the
 * DPO objective from the SFT IA, whose log-probs (computed once, before training) are the reference.
 */
import fs from "node:fs";
import path from "node:path";
import { judgeReport } from "../behaviors/structuredJudge.ts";
import { introspectionPrompts, negativeAnswers } from "../behaviors/questions.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { writeDirAtomic } from "../io/atomicDir.ts";
import { saveAdapter } from "../lora/peft.ts";
import type { LoraAdapter } from "../lora/adapter.ts";
import { parameterCount } from "../model/config.ts";
import type { Transformer } from "../model/transformer.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { ChatMLTrainingEncoder } from "../tokenizer/chatmlFast.ts";
import { collate, type Example } from "../train/batch.ts";
import { sequenceLogprobs } from "../train/loss.ts";
import { runTrainLoop, type TrainLoopResult } from "../train/loop.ts";
import { scoreExamples } from "../train/score.ts";
import { loraTrainable } from "../train/trainables.ts";
import { Rng } from "../util/rng.ts";
import type { IaDpoConfig } from "./config.ts";
import { isNegativeSubject, isWantedReport, type IaSubject } from "./data.ts";
import { dpoLossSum } from "./dpoLoss.ts";
import { sampleReports } from "./reports.ts";
import type { SubjectBank } from "./subjects.ts";
import { refuseOodSubjects } from "../ood/guard.ts";

export interface DpoPair {
    subject: number;
    prompt: string;
    chosen: string;
    rejected: string;
    kind: "accurate-vs-wrong-label" | "label-vs-wrong-report" | "accurate-vs-wrong-report" | "denial-vs-hallucination" | "denial-vs-label" | "denial-vs-own-claim";
}

export interface DpoResult extends TrainLoopResult {
    adapterDir: string;
    pairs: number;
    rolloutAccuracy: number;
    rolloutFalseClaims: number;
}

interface JudgedRollout {
    subject: number;
    prompt: string;
    report: string;
    spec: IaSubject["spec"];
    negative: boolean;
    /** Negatives: claims nothing. Behavior organisms: names the behavior with its condition (strict). */
    good: boolean;
    /** Claims some behavior, right or wrong (on negatives: not good). */
    claims: boolean;
}

/**
 * mixed: half of each pair is off-policy text (the label, another organism's label, a fixed denial). With
 * `negativeRejected: "own-claims"`, a negative's denial is instead preferred over a claim the IA made on a behavior
 * organism in the same rollouts.
 */
function mixedPairs(judged: readonly JudgedRollout[], trainLabels: readonly string[], rng: Rng, o: Pick<IaDpoConfig, "negativeRejected" | "rejectDenials">): DpoPair[] {
    const ownClaims = o.negativeRejected === "own-claims" ? judged.filter((j) => !j.negative && j.claims).map((j) => j.report) : [];
    const pairs: DpoPair[] = [];
    for (const r of judged) {
        if (r.negative) {
            const denial = rng.pick(negativeAnswers.generic);
            if (!r.good) pairs.push({ subject: r.subject, prompt: r.prompt, chosen: denial, rejected: r.report, kind: "denial-vs-hallucination" });
            else if (ownClaims.length > 0) pairs.push({ subject: r.subject, prompt: r.prompt, chosen: r.report, rejected: rng.pick(ownClaims), kind: "denial-vs-own-claim" });
            else if (trainLabels.length > 0) pairs.push({ subject: r.subject, prompt: r.prompt, chosen: r.report, rejected: rng.pick(trainLabels), kind: "denial-vs-label" });
            continue;
        }
        const spec = r.spec!;
        if (r.good) {
            const wrongs = trainLabels.filter((l) => !judgeReport(spec, l).category);
            if (wrongs.length > 0) pairs.push({ subject: r.subject, prompt: r.prompt, chosen: r.report, rejected: rng.pick(wrongs), kind: "accurate-vs-wrong-label" });
        } else {
            if (o.rejectDenials === false && !r.claims) continue;
            const label = rng.pick([spec.label, ...(spec.labelVariants ?? [])]);
            pairs.push({ subject: r.subject, prompt: r.prompt, chosen: label, rejected: r.report, kind: "label-vs-wrong-report" });
        }
    }
    return pairs;
}

/** on-policy: both sides are rollouts to the same organism; every wrong one is pushed down once against a right one (cycled). */
function onPolicyPairs(judged: readonly JudgedRollout[]): DpoPair[] {
    const bySubject = new Map<number, JudgedRollout[]>();
    for (const j of judged) bySubject.set(j.subject, [...(bySubject.get(j.subject) ?? []), j]);
    const pairs: DpoPair[] = [];
    for (const [subject, js] of bySubject) {
        const good = js.filter((j) => j.good), bad = js.filter((j) => !j.good);
        if (good.length === 0 || bad.length === 0) continue;
        bad.forEach((b, i) => pairs.push({ subject, prompt: b.prompt, chosen: good[i % good.length]!.report, rejected: b.report, kind: b.negative ? "denial-vs-hallucination" : "accurate-vs-wrong-report" }));
    }
    return pairs;
}

/** Judges rollouts and builds pairs. `trainLabels` are labels of SFT organisms (the wrong-label pool). */
export function buildDpoPairs(subjects: readonly IaSubject[], rollouts: { subject: number; prompt: string; report: string }[], trainLabels: readonly string[], seed: number, o: Pick<IaDpoConfig, "pairing" | "balanceNegatives" | "negativeRatio" | "negativeRejected" | "rejectDenials"> = { pairing: "mixed", balanceNegatives: true }): { pairs: DpoPair[]; accurate: number; falseClaims: number; judged: number } {
    refuseOodSubjects(rollouts.map((r) => subjects[r.subject] as IaSubject), "DPO pairs");
    const rng = new Rng(`${seed}:dpo-pairs`);
    const judged: JudgedRollout[] = rollouts.map((r) => {
        const s = subjects[r.subject] as IaSubject;
        const negative = isNegativeSubject(s), good = isWantedReport(s, r.report);
        return { ...r, spec: s.spec, negative, good, claims: negative ? !good : judgeReport(s.spec!, r.report).claimsBehavior };
    });
    const pairs = o.pairing === "on-policy" ? onPolicyPairs(judged) : mixedPairs(judged, trainLabels, rng, o);
    // Balance: pairs from organisms with a behavior mostly push away from denials, which teaches claiming
    // everywhere (a medium run: nulls' false claims 0.7% after SFT -> 38% after unbalanced DPO). Oversample the
    // negatives' pairs (bare base, nulls, decoys) until they match the positives' count.
    const neg = pairs.filter((p) => p.kind.startsWith("denial-vs-"));
    const pos = pairs.length - neg.length;
    const wanted = Math.round(pos * (o.negativeRatio ?? 1));
    for (let i = 0; o.balanceNegatives && neg.length > 0 && i < wanted - neg.length; i++) pairs.push(rng.pick(neg));
    return {
        pairs, accurate: judged.filter((j) => !j.negative && j.good).length, falseClaims: judged.filter((j) => j.negative && !j.good).length, judged: rollouts.length,
    };
}

interface DpoOptions {
    outDir: string;
    baseModel: string;
    trainLabels: string[];
    dpoSubjects: number[];
    resume?: boolean;
    quiet?: boolean;
    reportTokens?: number;
}

/**
 * DPO from the SFT IA, in `cfg.rounds` rounds (default 1, the paper's): each round samples the current IA's rollouts,
 * builds pairs from them and trains against the current IA as the reference. A later round sees what the earlier one
 * made of the IA — claims it now makes on nulls become pairs that reject them — in its own folder (round-N/), so an
 * interrupted run resumes the round it was in. The figures returned are the last round's.
 */
export function trainIaDpo(model: Transformer, tok: ChatTokenizer, subjects: SubjectBank, ia: LoraAdapter, cfg: IaDpoConfig, o: DpoOptions): DpoResult {
    const rounds = cfg.rounds ?? 1;
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`IA DPO: rounds must be a positive integer, got ${cfg.rounds}`);
    let result: Omit<DpoResult, "adapterDir"> | null = null;
    for (let round = 1; round <= rounds; round++) {
        const outDir = round === 1 ? o.outDir : path.join(o.outDir, `round-${round}`);
        const seed = cfg.seed + 1000 * (round - 1);
        if (rounds > 1) o.quiet || process.stderr.write(`[ia-dpo] round ${round}/${rounds}\n`);
        result = dpoRound(model, tok, subjects, ia, { ...cfg, seed }, { ...o, outDir });
    }
    const adapterDir = path.join(o.outDir, "adapter");
    writeDirAtomic(adapterDir, (tmp) => saveAdapter(ia, tmp, { baseModel: o.baseModel }));
    return { ...result!, adapterDir };
}

/** One round: rollouts of `ia`, pairs, reference log-probs of `ia`, training (ia is updated in place). */
function dpoRound(model: Transformer, tok: ChatTokenizer, subjects: SubjectBank, ia: LoraAdapter, cfg: IaDpoConfig, o: DpoOptions): Omit<DpoResult, "adapterDir"> {
    const log = (m: string) => o.quiet || process.stderr.write(`[ia-dpo] ${m}\n`);
    fs.mkdirSync(o.outDir, { recursive: true });
    const rng = new Rng(`${cfg.seed}:dpo-rollouts`);
    const requests = o.dpoSubjects.flatMap((subject) => {
        const s = subjects.subjects[subject] as IaSubject;
        const prompts = introspectionPrompts(s.spec ?? { id: "base", family: "null", slots: {} }, "train");
        // The bare base gets 4x the rollouts: it is one subject, and hallucinations on it are what DPO must suppress.
        const n = s.spec === null ? 4 * cfg.samplesPerOrganism : cfg.samplesPerOrganism;
        return Array.from({ length: n }, () => ({ subject, prompt: rng.pick(prompts).prompt }));
    });
    ia.setTrainable(false);
    const reports = sampleReports(model, tok, subjects, requests, { ia, temperature: cfg.temperature, seed: cfg.seed, maxNewTokens: o.reportTokens });
    const rollouts = requests.map((r, i) => ({ ...r, report: reports[i] as string }));
    const { pairs, accurate, falseClaims } = buildDpoPairs(subjects.subjects, rollouts, o.trainLabels, cfg.seed, cfg);
    const positives = o.dpoSubjects.filter((s) => !isNegativeSubject(subjects.subjects[s]!)).length * cfg.samplesPerOrganism;
    log(`${rollouts.length} rollouts on ${o.dpoSubjects.length} DPO organisms: ${accurate}/${positives} accurate, ${falseClaims} false claims on negatives; ${pairs.length} pairs`);
    writeJsonAtomic(path.join(o.outDir, "pairs.json"), { rollouts, pairs });
    const figures = { pairs: pairs.length, rolloutAccuracy: positives ? accurate / positives : NaN, rolloutFalseClaims: falseClaims };
    if (pairs.length === 0) {
        // On-policy pairs need a right and a wrong rollout on the same organism; an IA that is right nowhere (or
        // everywhere) gets none, and DPO leaves it as it is rather than failing a whole run.
        if (cfg.pairing !== "on-policy") throw new Error("IA DPO: no preference pairs could be built (no DPO organisms, or no training labels to contrast with)");
        log("no organism had both a right and a wrong rollout: no on-policy pair, the IA is kept unchanged");
        return { steps: 0, startStep: 0, lastLoss: NaN, meanLossLast10: NaN, meanLossFirst10: NaN, seconds: 0, tokensPerSec: 0, checkSeconds: 0, ...figures };
    }

    const encoder = new ChatMLTrainingEncoder(tok);
    const encode = (prompt: string, answer: string): Example => {
        const enc = encoder.encode([{ role: "user", content: prompt }, { role: "assistant", content: answer }]);
        return { ids: enc.ids, targetMask: enc.assistantMask };
    };
    const rows: { subject: number; example: Example }[] = pairs.flatMap((p) => [
        { subject: p.subject, example: encode(p.prompt, p.chosen) },
        { subject: p.subject, example: encode(p.prompt, p.rejected) },
    ]);
    ia.config.dropout = cfg.dropout;
    const saved = model.adapters;
    model.adapters = [subjects.bank, ia];
    try {
        // Reference log-probs: the IA before this round's updates.
        const reference = scoreExamples(model, rows, tok.padTokenId, (chunk) => subjects.setRows(chunk.map((r) => r.subject)));
        const order = Array.from({ length: cfg.epochs }, (_, e) => new Rng(`${cfg.seed}:dpo-epoch:${e}`).shuffle(pairs.map((_, i) => i))).flat();
        const steps: number[][] = [];
        for (let i = 0; i < order.length; i += cfg.pairsPerStep) steps.push(order.slice(i, i + cfg.pairsPerStep));
        const trainable = loraTrainable(model, ia, o.baseModel);
        subjects.bank.setTrainable(false);
        const result = runTrainLoop(
            model,
            trainable,
            (step) => {
                const ps = steps[step] as number[];
                const rs = ps.flatMap((p) => [rows[2 * p]!, rows[2 * p + 1]!]);
                const ref = ps.flatMap((p) => [reference[2 * p]!, reference[2 * p + 1]!]);
                return [{
                    batch: () => ({ ...collate(rs.map((r) => r.example), tok.padTokenId, model.device), targetTokens: ps.length }),
                    before: () => subjects.setRows(rs.map((r) => r.subject)),
                    objective: (m, b) => dpoLossSum(sequenceLogprobs(m.forward({ ids: b.ids }), b.labels), ref, cfg.beta),
                }];
            },
            {
                totalSteps: steps.length,
                schedule: { lr: cfg.lr, warmupSteps: Math.round(steps.length * 0.1), decay: "linear", minLrRatio: 0 },
                gradClip: 1.0,
                logEvery: Math.max(1, Math.round(steps.length / 5)),
                checkpointEvery: Math.max(50, steps.length),
                outDir: o.outDir,
                resume: o.resume ?? true,
                label: "ia-dpo",
                flopsPerToken: 4 * parameterCount(model.config),
                seed: cfg.seed,
                quiet: o.quiet,
            },
        );
        return { ...result, ...figures };
    } finally {
        model.adapters = saved;
        ia.setTrainable(false);
    }
}
