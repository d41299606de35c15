"""Create the tiny golden checkpoints + golden.json under test/fixtures/golden/.

What it does: with fixed torch seeds, writes
  qwen3-tiny/            Qwen3ForCausalLM config.json + model.safetensors (F32, tied embeddings)
  llama-tiny/            LlamaForCausalLM with llama3 rope_scaling, untied lm_head, 1 KV head
  adapters/qwen3-a/      PEFT LoRA r=4 alpha=8 on all 7 projections
  adapters/qwen3-b/      PEFT LoRA r=2 alpha=2 use_rslora on q_proj, v_proj, down_proj
  golden.json            float64 reference log-probs / logits / greedy continuations
then reloads every file from disk and evaluates it with hf_reference.py in
float64, running the self-checks (merge == stacked, KV cache == recompute,
padding invariance, causal prefix invariance). Exits non-zero if one fails.

What it doesn't: touch anything outside test/fixtures/golden/.

Run from the repository root:  /usr/bin/python3 tools/reference/model/make_golden.py
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_reference as ref  # noqa: E402
import safetensors_io as st  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "golden")
SEED = 20240607
TF_VERSION = "4.51.3"  # the transformers release whose config.json layout is imitated

QWEN3_CONFIG = {
    "architectures": ["Qwen3ForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "head_dim": 16,
    "hidden_act": "silu",
    "hidden_size": 32,
    "initializer_range": 0.02,
    "intermediate_size": 64,
    "max_position_embeddings": 128,
    "max_window_layers": 2,
    "model_type": "qwen3",
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "num_key_value_heads": 2,
    "rms_norm_eps": 1e-06,
    "rope_scaling": None,
    "rope_theta": 10000,
    "sliding_window": None,
    "tie_word_embeddings": True,
    "torch_dtype": "float32",
    "transformers_version": TF_VERSION,
    "use_cache": True,
    "use_sliding_window": False,
    "vocab_size": 128,
}

# head_dim deliberately absent: exercises the hidden_size // num_attention_heads default (= 32).
# head_dim 32 with theta 5e5 and original_max_position_embeddings 32 puts one frequency in each
# llama3 band (high: kept, medium: smoothed, low: divided by factor).
LLAMA_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "hidden_act": "silu",
    "hidden_size": 64,
    "initializer_range": 0.02,
    "intermediate_size": 96,
    "max_position_embeddings": 128,
    "mlp_bias": False,
    "model_type": "llama",
    "num_attention_heads": 2,
    "num_hidden_layers": 2,
    "num_key_value_heads": 1,
    "pretraining_tp": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": {
        "factor": 8.0,
        "high_freq_factor": 4.0,
        "low_freq_factor": 1.0,
        "original_max_position_embeddings": 32,
        "rope_type": "llama3",
    },
    "rope_theta": 500000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
    "transformers_version": TF_VERSION,
    "use_cache": True,
    "vocab_size": 128,
}


def peft_config(r: int, alpha: float, targets, rslora: bool) -> dict:
    # Field set of adapter_config.json as written by PEFT 0.15 save_pretrained.
    return {
        "alpha_pattern": {},
        "auto_mapping": None,
        "base_model_name_or_path": "qwen3-tiny",
        "bias": "none",
        "corda_config": None,
        "eva_config": None,
        "exclude_modules": None,
        "fan_in_fan_out": False,
        "inference_mode": True,
        "init_lora_weights": True,
        "layer_replication": None,
        "layers_pattern": None,
        "layers_to_transform": None,
        "loftq_config": {},
        "lora_alpha": alpha,
        "lora_bias": False,
        "lora_dropout": 0.05,
        "megatron_config": None,
        "megatron_core": "megatron.core",
        "modules_to_save": None,
        "peft_type": "LORA",
        "r": r,
        "rank_pattern": {},
        "revision": None,
        "target_modules": sorted(targets),
        "task_type": "CAUSAL_LM",
        "trainable_token_indices": None,
        "use_dora": False,
        "use_rslora": rslora,
    }


# ----------------------------------------------------------------------------- writing

def write_json(path: str, obj, indent=2) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=indent)
        f.write("\n")
    os.replace(tmp, path)


def randn(g, *shape, std=1.0):
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * std).to(torch.float32).numpy()


def norm_w(g, n):  # around 1, never all ones
    return (1.0 + 0.3 * (2 * torch.rand(n, generator=g, dtype=torch.float64) - 1)).to(torch.float32).numpy()


def make_base(cfg_dict: dict, seed: int) -> dict:
    cfg = ref.ModelConfig.from_dict(cfg_dict)
    g = torch.Generator().manual_seed(seed)
    h, V = cfg.hidden_size, cfg.vocab_size
    H, KV, D, I = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim, cfg.intermediate_size
    t = {"model.embed_tokens.weight": randn(g, V, h, std=0.35)}
    shapes = {"q_proj": (H * D, h), "k_proj": (KV * D, h), "v_proj": (KV * D, h), "o_proj": (h, H * D),
              "gate_proj": (I, h), "up_proj": (I, h), "down_proj": (h, I)}
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}"
        t[f"{p}.input_layernorm.weight"] = norm_w(g, h)
        t[f"{p}.post_attention_layernorm.weight"] = norm_w(g, h)
        for name, (o, n_in) in shapes.items():
            sub = "self_attn" if name in ref._ATTN else "mlp"
            t[f"{p}.{sub}.{name}.weight"] = randn(g, o, n_in, std=1.0 / math.sqrt(n_in))
            if sub == "self_attn" and cfg.attention_bias:
                t[f"{p}.{sub}.{name}.bias"] = randn(g, o, std=0.1)
        if cfg.qk_norm:
            t[f"{p}.self_attn.q_norm.weight"] = norm_w(g, D)
            t[f"{p}.self_attn.k_norm.weight"] = norm_w(g, D)
    t["model.norm.weight"] = norm_w(g, h)
    if not cfg.tie_word_embeddings:
        t["lm_head.weight"] = randn(g, V, h, std=2.0 / math.sqrt(h))
    return t


def make_adapter(cfg_dict: dict, r: int, targets, seed: int, b_std: float) -> dict:
    cfg = ref.ModelConfig.from_dict(cfg_dict)
    g = torch.Generator().manual_seed(seed)
    h, H, KV, D, I = (cfg.hidden_size, cfg.num_attention_heads, cfg.num_key_value_heads,
                      cfg.head_dim, cfg.intermediate_size)
    dims = {"q_proj": (h, H * D), "k_proj": (h, KV * D), "v_proj": (h, KV * D), "o_proj": (H * D, h),
            "gate_proj": (h, I), "up_proj": (h, I), "down_proj": (I, h)}
    t = {}
    for i in range(cfg.num_hidden_layers):
        for name in ref.LORA_TARGETS:  # fixed order so the stream is reproducible
            if name not in targets:
                continue
            n_in, n_out = dims[name]
            sub = "self_attn" if name in ref._ATTN else "mlp"
            k = f"base_model.model.model.layers.{i}.{sub}.{name}"
            t[f"{k}.lora_A.weight"] = randn(g, r, n_in, std=1.0 / math.sqrt(n_in))
            t[f"{k}.lora_B.weight"] = randn(g, n_out, r, std=b_std / math.sqrt(r))
    return t


# ----------------------------------------------------------------------------- evaluation

def f(x) -> float:
    return float(x)


def evaluate(model, seqs):
    out = []
    with torch.no_grad():
        for ids in seqs:
            logits = model(torch.tensor([ids]))[0]
            out.append({"logprobs": ref.next_token_logprobs(logits, ids),
                        "final_logits": [f(v) for v in logits[-1]]})
    return out


def qwen3_with(adapters, base_dir, ad_dirs):
    m = ref.load_model(base_dir)
    for name, scale in adapters:
        ref.attach_adapter(m, ref.load_adapter(ad_dirs[name]), scale, name)
    return m.eval()


def main() -> int:
    torch.use_deterministic_algorithms(True)
    q_dir, l_dir = os.path.join(OUT, "qwen3-tiny"), os.path.join(OUT, "llama-tiny")
    ad_dirs = {"qwen3-a": os.path.join(OUT, "adapters", "qwen3-a"),
               "qwen3-b": os.path.join(OUT, "adapters", "qwen3-b")}
    for d in (q_dir, l_dir, *ad_dirs.values()):
        os.makedirs(d, exist_ok=True)

    meta = {"format": "pt"}
    write_json(os.path.join(q_dir, "config.json"), QWEN3_CONFIG)
    st.save(make_base(QWEN3_CONFIG, SEED + 1), os.path.join(q_dir, "model.safetensors"), metadata=meta)
    write_json(os.path.join(l_dir, "config.json"), LLAMA_CONFIG)
    st.save(make_base(LLAMA_CONFIG, SEED + 2), os.path.join(l_dir, "model.safetensors"), metadata=meta)

    a_targets = list(ref.LORA_TARGETS)
    b_targets = ["q_proj", "v_proj", "down_proj"]
    write_json(os.path.join(ad_dirs["qwen3-a"], "adapter_config.json"), peft_config(4, 8, a_targets, False))
    st.save(make_adapter(QWEN3_CONFIG, 4, a_targets, SEED + 3, 0.3),
            os.path.join(ad_dirs["qwen3-a"], "adapter_model.safetensors"), metadata=meta)
    write_json(os.path.join(ad_dirs["qwen3-b"], "adapter_config.json"), peft_config(2, 2, b_targets, True))
    st.save(make_adapter(QWEN3_CONFIG, 2, b_targets, SEED + 4, 0.5),
            os.path.join(ad_dirs["qwen3-b"], "adapter_model.safetensors"), metadata=meta)

    g = torch.Generator().manual_seed(SEED)
    seqs = [torch.randint(0, 128, (n,), generator=g).tolist() for n in (1, 7, 20)]

    # ---- everything below reads back from disk
    stack = [("qwen3-a", 1.0), ("qwen3-b", 0.5)]
    models = {
        "qwen3_base": qwen3_with([], q_dir, ad_dirs),
        "qwen3_a": qwen3_with([("qwen3-a", 1.0)], q_dir, ad_dirs),
        "qwen3_a1_b05": qwen3_with(stack, q_dir, ad_dirs),
        "llama_base": ref.load_model(l_dir).eval(),
    }
    cases = {k: evaluate(m, seqs) for k, m in models.items()}

    checks = {}
    failures = []

    def check(name, value, tol):
        checks[name] = {"max_abs_diff": value, "tol": tol, "ok": bool(value <= tol)}
        if value > tol:
            failures.append(name)

    # 1. merged == stacked (float64)
    merged = qwen3_with(stack, q_dir, ad_dirs)
    ref.merge_adapters(merged)
    mg = evaluate(merged, seqs)
    d = max(abs(a - b) for s1, s2 in zip(mg, cases["qwen3_a1_b05"]) for a, b in zip(s1["final_logits"], s2["final_logits"]))
    with torch.no_grad():
        for ids in seqs:
            x = torch.tensor([ids])
            d = max(d, f((merged(x) - models["qwen3_a1_b05"](x)).abs().max()))
    check("merged_equals_stacked", d, 1e-10)

    # 2. causal mask: logits of a prefix do not depend on later tokens
    with torch.no_grad():
        d = 0.0
        for k, m in models.items():
            full = m(torch.tensor([seqs[2]]))[0]
            pre = m(torch.tensor([seqs[2][:7]]))[0]
            d = max(d, f((full[:7] - pre).abs().max()))
    check("causal_prefix_invariance", d, 1e-12)

    # 3. padding: left/right padded batch == unpadded rows (positions from cumsum(mask)-1)
    pad = 0
    s7, s20 = seqs[1], seqs[2]
    padded = {}
    with torch.no_grad():
        d = 0.0
        for side in ("left", "right"):
            row7 = [pad] * 13 + s7 if side == "left" else s7 + [pad] * 13
            mask7 = [0] * 13 + [1] * 7 if side == "left" else [1] * 7 + [0] * 13
            ids = torch.tensor([row7, s20])
            am = torch.tensor([mask7, [1] * 20])
            entry = {"input_ids": ids.tolist(), "attention_mask": am.tolist(), "rows": {}}
            for k in ("qwen3_base", "qwen3_a1_b05", "llama_base"):
                m = models[k]
                out = m(ids, attention_mask=am)
                last7 = 19 if side == "left" else 6
                real7 = out[0, 13:] if side == "left" else out[0, :7]
                d = max(d, f((real7 - m(torch.tensor([s7]))[0]).abs().max()))
                d = max(d, f((out[1] - m(torch.tensor([s20]))[0]).abs().max()))
                assert torch.isfinite(out).all(), "non-finite logits at padding positions"
                entry["rows"][k] = [{"position": last7, "final_logits": [f(v) for v in out[0, last7]]},
                                    {"position": 19, "final_logits": [f(v) for v in out[1, 19]]}]
            padded[side] = entry
    check("padding_invariance", d, 1e-10)

    # 4. a mask that hides a real key must change the output (the mask is actually applied)
    with torch.no_grad():
        m = models["qwen3_base"]
        ids = torch.tensor([s7])
        am = torch.ones(1, 7, dtype=torch.long)
        am[0, 3] = 0
        changed = f((m(ids, attention_mask=am, position_ids=torch.arange(7)[None])[0, -1] - m(ids)[0, -1]).abs().max())
    checks["mask_changes_output"] = {"max_abs_diff": changed, "ok": changed > 1e-3}
    if changed <= 1e-3:
        failures.append("mask_changes_output")

    # 5. greedy continuations (KV cache) == full recompute. Pick the first prompt whose continuations
    # have clear top-1 margins (robust to fp32 error), no EOS, and >= 4 distinct tokens (a constant
    # continuation would not notice a wrong cache position).
    greedy = None
    for cand in range(256):
        prompt = seqs[1] if cand == 0 else torch.randint(3, 128, (7,), generator=g).tolist()
        res = {}
        okp = True
        for k in ("qwen3_base", "qwen3_a"):
            toks, margins = ref.greedy(models[k], prompt, 10, use_cache=True)
            toks2, _ = ref.greedy(models[k], prompt, 10, use_cache=False)
            if toks != toks2:
                failures.append(f"kv_cache_greedy_{k}")
            okp = (okp and min(margins) > 0.05 and QWEN3_CONFIG["eos_token_id"] not in toks
                   and len(set(toks)) >= 4)
            res[k] = {"tokens": toks, "min_top1_top2_margin": min(margins)}
        if okp:
            greedy = {"prompt": prompt, "max_new_tokens": 10, "stop_on_eos": False, "candidates_tried": cand + 1, **res}
            break
    if greedy is None:
        failures.append("no greedy prompt with clear margins")
    with torch.no_grad():  # cached step logits == recompute logits
        m = models["qwen3_a"]
        cache = m.new_cache()
        full_ids = greedy["prompt"] + greedy["qwen3_a"]["tokens"]
        m(torch.tensor([full_ids[:7]]), cache=cache)
        d = 0.0
        ref_logits = m(torch.tensor([full_ids]))[0]
        for t in range(7, len(full_ids)):
            step = m(torch.tensor([[full_ids[t]]]), cache=cache)[0, -1]
            d = max(d, f((step - ref_logits[t]).abs().max()))
    check("kv_cache_logits_equal_recompute", d, 1e-12)

    # 6. informative: float32 run of the same reference vs float64
    m32 = ref.load_model(q_dir, torch.float32)
    with torch.no_grad():
        d32 = f((m32(torch.tensor([s20]))[0].double() - models["qwen3_base"](torch.tensor([s20]))[0]).abs().max())
    checks["float32_vs_float64_qwen3_base"] = {"max_abs_diff": d32, "ok": True, "informative": True}

    # llama3 rope bands actually exercised
    lcfg = models["llama_base"].cfg
    inv = ref.rope_inv_freq(lcfg)
    base_inv = 1.0 / (lcfg.rope_theta ** (torch.arange(0, lcfg.head_dim, 2, dtype=torch.float64) / lcfg.head_dim))
    wl = 2 * math.pi / base_inv
    bands = ["high" if w < 32 / 4 else "low" if w > 32 / 1 else "medium" for w in wl.tolist()]
    if not {"high", "medium", "low"} <= set(bands):
        failures.append("llama3 rope bands not all exercised")

    golden = {
        "description": "float64 reference values from tools/reference/model/hf_reference.py; see README.md",
        "generator": "tools/reference/model/make_golden.py",
        "torch_version": torch.__version__,
        "seed": SEED,
        "models": {"qwen3": "qwen3-tiny", "llama": "llama-tiny"},
        "adapters": {"qwen3-a": "adapters/qwen3-a", "qwen3-b": "adapters/qwen3-b"},
        "sequences": seqs,
        "logprobs_convention": "logprobs[t] = log p(ids[t] | ids[:t]) from a log_softmax over the full vocab; logprobs[0] = null",
        "cases": {
            k: {"model": "qwen3" if k.startswith("qwen3") else "llama",
                "adapters": {"qwen3_base": [], "llama_base": [], "qwen3_a": [{"name": "qwen3-a", "scale": 1.0}],
                             "qwen3_a1_b05": [{"name": "qwen3-a", "scale": 1.0}, {"name": "qwen3-b", "scale": 0.5}]}[k],
                "results": v}
            for k, v in cases.items()
        },
        "adapter_effective_scaling": {
            "qwen3-a": "lora_alpha/r = 8/4 = 2.0",
            "qwen3-b": "lora_alpha/sqrt(r) = 2/sqrt(2) = 1.41421356 (use_rslora); times user scale 0.5 in qwen3_a1_b05",
        },
        "llama_rope": {"inv_freq": [f(v) for v in inv], "bands": bands},
        "padded_batch": {
            "pad_token_id": pad,
            "position_ids": "cumsum(attention_mask)-1 (as HF generate passes them); padded rows must equal the unpadded sequence",
            **padded,
        },
        "greedy": greedy,
        "self_checks": checks,
    }
    write_json(os.path.join(OUT, "golden.json"), golden, indent=1)

    total = 0
    sums = {}
    for dp, _, fs in os.walk(OUT):
        for fn in sorted(fs):
            p = os.path.join(dp, fn)
            total += os.path.getsize(p)
            if fn != "README.md":
                sums[os.path.relpath(p, OUT)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    print(json.dumps({"self_checks": checks, "greedy": greedy, "llama_rope_bands": bands,
                      "total_bytes": total, "sha256": dict(sorted(sums.items()))}, indent=1))
    if failures:
        print("FAILED:", failures, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
