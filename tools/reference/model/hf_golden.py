"""Cross-check the golden fixtures with Hugging Face transformers + PEFT themselves.

What it does: loads the committed fixture checkpoints (test/fixtures/golden/{qwen3-tiny,llama-tiny}) with
`AutoModelForCausalLM.from_pretrained` in float64 (eager attention) and the adapters with
`PeftModel.from_pretrained` / `load_adapter`, stacking a + 0.5*b the way golden.json defines it (a user scale
multiplies each LoRA layer's own scaling, i.e. PEFT's `scale_layer`), and recomputes every golden.json quantity:
per-sequence log-probs and final logits for the 4 cases, the left/right padded batches (position ids
cumsum(mask)-1), and the greedy continuations (full recompute, and HF `generate` with its KV cache).
Writes hf_golden.json (same layout as golden.json's `cases` / `padded_batch` / `greedy`) plus the largest
difference from golden.json (the independent reference) for each quantity, and exits non-zero if any difference
exceeds 1e-5 (HF computes norms, RoPE and softmax in float32) or a greedy token differs.

What it doesn't: touch the fixtures. It needs transformers, peft and torch (a GPU machine's image has them; the
computation runs on the CPU in float64, so no GPU is needed).

Usage (repository root): python3 tools/reference/model/hf_golden.py [--out test/fixtures/golden/hf_golden.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIX = os.path.join(ROOT, "test", "fixtures", "golden")
TOL = 1e-5  # HF runs RMSNorm, RoPE and softmax in float32 even for a float64 model


def load_case(golden: dict, case: dict, attn: str = "eager"):
    import transformers
    from peft import PeftModel
    from peft.tuners.lora import LoraLayer

    path = os.path.join(FIX, golden["models"][case["model"]])
    kw = {"attn_implementation": attn}
    try:
        model = transformers.AutoModelForCausalLM.from_pretrained(path, dtype=torch.float64, **kw)
    except TypeError:  # transformers < 4.56 names it torch_dtype
        model = transformers.AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.float64, **kw)
    adapters = case["adapters"]
    if adapters:
        first = adapters[0]
        model = PeftModel.from_pretrained(model, os.path.join(FIX, golden["adapters"][first["name"]]), adapter_name=first["name"])
        for a in adapters[1:]:
            model.load_adapter(os.path.join(FIX, golden["adapters"][a["name"]]), adapter_name=a["name"])
        model.base_model.set_adapter([a["name"] for a in adapters])
        for module in model.modules():
            if isinstance(module, LoraLayer):
                for a in adapters:
                    if a["name"] in module.scaling and a["scale"] != 1.0:
                        module.scaling[a["name"]] *= a["scale"]
        model = model.to(torch.float64)
    model.eval()
    return model


@torch.no_grad()
def logits_of(model, ids, mask=None, positions=None):
    t = torch.tensor([ids] if isinstance(ids[0], int) else ids, dtype=torch.long)
    kw = {}
    if mask is not None:
        kw["attention_mask"] = torch.tensor(mask, dtype=torch.long)
    if positions is not None:
        kw["position_ids"] = torch.tensor(positions, dtype=torch.long)
    return model(input_ids=t, use_cache=False, **kw).logits


def max_diff(a, b) -> float:
    m = 0.0
    for x, y in zip(a, b, strict=True):
        if x is None or y is None:
            assert x is None and y is None
            continue
        d = abs(x - y)
        if d != d:  # NaN on either side is a failure, not a zero difference
            return float("inf")
        m = max(m, d)
    return m


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(FIX, "hf_golden.json"))
    args = ap.parse_args()
    import peft
    import transformers

    golden = json.load(open(os.path.join(FIX, "golden.json")))
    out = {
        "description": "golden.json's quantities recomputed with Hugging Face transformers + PEFT in float64; see README.md",
        "generator": "tools/reference/model/hf_golden.py",
        "transformers_version": transformers.__version__,
        "peft_version": peft.__version__,
        "torch_version": torch.__version__,
        "sequences": golden["sequences"],
        "cases": {},
        "padded_batch": {},
        "greedy": {},
        "max_abs_diff_vs_golden": {},
    }
    diffs = out["max_abs_diff_vs_golden"]
    failures = []
    models = {}
    for name, case in golden["cases"].items():
        model = models[name] = load_case(golden, case)
        results = []
        worst = 0.0
        for seq, want in zip(golden["sequences"], case["results"], strict=True):
            logits = logits_of(model, seq)[0]
            lp = torch.log_softmax(logits, -1)
            logprobs = [None] + [lp[t - 1, seq[t]].item() for t in range(1, len(seq))]
            final = logits[-1].tolist()
            results.append({"logprobs": logprobs, "final_logits": final})
            worst = max(worst, max_diff(logprobs, want["logprobs"]), max_diff(final, want["final_logits"]))
        out["cases"][name] = {"model": case["model"], "adapters": case["adapters"], "results": results}
        diffs[f"cases.{name}"] = worst
        if worst > TOL:
            failures.append(f"{name}: {worst}")

    # Padded batches: in float64 with eager attention, transformers 5 leaves NaN in the left-padded row (the
    # all-masked pad queries' NaN values reach real tokens through 0 * NaN in the weighted sum). Each attention
    # implementation is tried and the first whose real-token logits are all finite is used; all are recorded.
    pb = golden["padded_batch"]
    out["padded_batch_attempts"] = {}
    for side in ("left", "right"):
        ids, mask = pb[side]["input_ids"], pb[side]["attention_mask"]
        positions = [[max(0, c - 1) for c in torch.tensor(m).cumsum(0).tolist()] for m in mask]
        rows_out = None
        for attn in ("eager", "sdpa"):
            attempt = {}
            for key, rows in pb[side]["rows"].items():
                model = models[key] if attn == "eager" else load_case(golden, golden["cases"][key], attn)
                logits = logits_of(model, ids, mask, positions)
                attempt[key] = [{"position": r["position"], "final_logits": logits[i, r["position"]].tolist()} for i, r in enumerate(rows)]
            finite = all(x == x for rs in attempt.values() for r in rs for x in r["final_logits"])
            out["padded_batch_attempts"][f"{side}.{attn}"] = "finite" if finite else "NaN in a real token's logits"
            if finite:
                rows_out = attempt
                out["padded_batch_attempts"][f"{side}.used"] = attn
                break
        if rows_out is None:
            failures.append(f"padded {side}: NaN with every attention implementation")
            continue
        for key, rows in pb[side]["rows"].items():
            worst = max(max_diff(o["final_logits"], r["final_logits"]) for o, r in zip(rows_out[key], rows, strict=True))
            diffs[f"padded_batch.{side}.{key}"] = worst
            if worst > TOL:
                failures.append(f"padded {side} {key}: {worst}")
        out["padded_batch"][side] = {"input_ids": ids, "attention_mask": mask, "rows": rows_out}

    g = golden["greedy"]
    out["greedy"] = {"prompt": g["prompt"], "max_new_tokens": g["max_new_tokens"]}
    for key in ("qwen3_base", "qwen3_a"):
        model = models[key]
        seq = list(g["prompt"])
        for _ in range(g["max_new_tokens"]):
            seq.append(int(logits_of(model, seq)[0, -1].argmax()))
        recompute = seq[len(g["prompt"]):]
        with torch.no_grad():
            gen = model.generate(input_ids=torch.tensor([g["prompt"]]), attention_mask=torch.ones(1, len(g["prompt"]), dtype=torch.long),
                                 max_new_tokens=g["max_new_tokens"], min_new_tokens=g["max_new_tokens"], do_sample=False,
                                 use_cache=True, pad_token_id=0)
        cached = gen[0, len(g["prompt"]):].tolist()
        out["greedy"][key] = {"tokens": recompute, "generate_with_cache": cached}
        if recompute != g[key]["tokens"] or cached != g[key]["tokens"]:
            failures.append(f"greedy {key}: recompute {recompute}, generate {cached}, golden {g[key]['tokens']}")

    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")
    os.replace(tmp, args.out)
    print(json.dumps({"versions": [transformers.__version__, peft.__version__, torch.__version__], "max_abs_diff_vs_golden": diffs,
                      "padded_batch_attempts": out["padded_batch_attempts"]}, indent=1))
    if failures:
        print("FAIL (tolerance %g): %s" % (TOL, "; ".join(failures)), file=sys.stderr)
        return 1
    print(f"OK: transformers {transformers.__version__} + peft {peft.__version__} agree with golden.json within {TOL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
