"""PyTorch eager baseline: LoRA training step + KV-cache greedy generation throughput.

What it does: builds a Qwen3-architecture decoder from tools/reference/model/hf_reference.py
(random frozen base weights, fp32), puts PEFT-style LoRA adapters (default r=16, alpha=32,
A kaiming-uniform, B zeros) on all 7 projections, and times
  * a full training step: forward, next-token cross-entropy, backward, AdamW step on the
    LoRA parameters only, zero_grad -- tokens/s = batch*seq / step time, best and median of N;
  * greedy generation with a KV cache (HF DynamicCache-style concatenation), LoRA unmerged,
    at batch 1 and batch 32 -- decode tokens/s = batch*(new_tokens-1) / decode time (the first
    token comes from the prefill, which is timed separately and not counted).
With --frozen-adapters N, N frozen adapters (random, non-zero B) sit under the trained one (the IA setup:
organism adapter frozen + IA adapter trained). Presets: tiny, small, 0.6b (Qwen3-0.6B shape, ~4 GB).
Prints one JSON line. With --serve it instead answers JSON requests on stdin (train steps, generation reps), so
bench/engine.ts can interleave its own steps with these one by one on a shared machine.

What it doesn't: use SDPA/flash kernels, torch.compile, mixed precision, or real data.

Usage (repository root):
  OMP_WAIT_POLICY=passive /usr/bin/python3 bench/torch/lora_step.py --config tiny --threads 2
  OMP_WAIT_POLICY=passive /usr/bin/python3 bench/torch/lora_step.py --config small --frozen-adapters 1 --no-gen
  /usr/bin/python3 bench/torch/lora_step.py --config '{"vocab":4096,"hidden":128,"layers":4,
      "heads":4,"kv_heads":2,"head_dim":32,"ffn":384,"batch":8,"seq":128}'
Threads: --threads, else $BENCH_THREADS, else $OMP_NUM_THREADS, else torch's default.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "reference", "model"))
import hf_reference as ref  # noqa: E402

PRESETS = {
    "tiny": {"vocab": 4096, "hidden": 128, "layers": 4, "heads": 4, "kv_heads": 2, "head_dim": 32,
             "ffn": 384, "batch": 8, "seq": 128},
    "small": {"vocab": 8192, "hidden": 384, "layers": 8, "heads": 6, "kv_heads": 2, "head_dim": 64,
              "ffn": 1024, "batch": 8, "seq": 128},
    "0.6b": {"vocab": 151936, "hidden": 1024, "layers": 28, "heads": 16, "kv_heads": 8, "head_dim": 128,
             "ffn": 3072, "batch": 1, "seq": 256},
}
KEYS = ("vocab", "hidden", "layers", "heads", "kv_heads", "head_dim", "ffn", "batch", "seq")


def parse_config(s: str) -> dict:
    if s in PRESETS:
        c = dict(PRESETS[s])
    else:
        try:
            c = json.loads(open(s).read() if os.path.exists(s) else s)
        except json.JSONDecodeError as e:
            raise SystemExit(f"--config: neither a preset ({', '.join(PRESETS)}), a JSON file nor JSON: {e}")
    missing = [k for k in KEYS if k not in c]
    if missing:
        raise SystemExit(f"--config: missing keys {missing} (need {list(KEYS)})")
    return c


def build(c: dict, r: int, alpha: float, seed: int, frozen: int = 0) -> ref.CausalLM:
    hf = {"model_type": "qwen3", "vocab_size": c["vocab"], "hidden_size": c["hidden"],
          "intermediate_size": c["ffn"], "num_hidden_layers": c["layers"],
          "num_attention_heads": c["heads"], "num_key_value_heads": c["kv_heads"],
          "head_dim": c["head_dim"], "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
          "tie_word_embeddings": True, "max_position_embeddings": 40960}
    torch.manual_seed(seed)
    m = ref.build_model(hf, None, torch.float32)
    with torch.no_grad():
        for p in m.parameters():
            if p.dim() == 2:
                p.normal_(0.0, 0.02)  # HF initializer_range
        for _, _, lin in m.linears():
            out_f, in_f = lin.weight.shape
            for j in range(frozen):  # stacked under the trained one, as an organism adapter under the IA
                A = torch.empty(r, in_f)
                nn.init.kaiming_uniform_(A, a=math.sqrt(5))
                lin.adapters[f"frozen{j}"] = ref.LoraAdapter(A, torch.randn(out_f, r) * 0.01, alpha / r)
            A = torch.empty(r, in_f)
            nn.init.kaiming_uniform_(A, a=math.sqrt(5))  # PEFT default init
            lin.adapters["default"] = ref.LoraAdapter(A, torch.zeros(out_f, r), alpha / r, trainable=True)
    return m


def train_step(m, ids, opt) -> tuple[float, float]:
    """One LoRA SFT step (next-token cross-entropy on every token); returns (seconds, loss)."""
    t0 = time.perf_counter()
    logits = m(ids)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    return time.perf_counter() - t0, float(loss)


def bench_prompt(c: dict, seed: int, batch: int, prompt_len: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed + batch)
    return torch.randint(0, c["vocab"], (batch, prompt_len), generator=g)


def greedy_rep(m, prompt, new_tokens: int) -> tuple[float, float]:
    """One greedy generation with a fresh KV cache; returns (prefill seconds, decode seconds)."""
    cache = m.new_cache()
    t0 = time.perf_counter()
    nxt = m(prompt, cache=cache)[:, -1].argmax(-1, keepdim=True)
    t1 = time.perf_counter()
    for _ in range(new_tokens - 1):
        nxt = m(nxt, cache=cache)[:, -1].argmax(-1, keepdim=True)
    return t1 - t0, time.perf_counter() - t1


def time_train(m, c, steps, warmup, lr, seed):
    params = [p for p in m.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, c["vocab"], (c["batch"], c["seq"]), generator=g)
    m.train()
    times, losses = [], []
    for i in range(warmup + steps):
        dt, loss = train_step(m, ids, opt)
        losses.append(loss)
        if i >= warmup:
            times.append(dt)
    ntok = c["batch"] * c["seq"]
    best, med = min(times), statistics.median(times)
    return {"tokens_per_step": ntok, "steps": steps, "warmup": warmup,
            "step_ms_best": best * 1e3, "step_ms_median": med * 1e3,
            "tokens_per_s_best": ntok / best, "tokens_per_s_median": ntok / med,
            "loss_first": losses[0], "loss_last": losses[-1],
            "trainable_params": sum(p.numel() for p in params)}


@torch.no_grad()
def time_generate(m, c, batch, prompt_len, new_tokens, reps, seed):
    m.eval()
    prompt = bench_prompt(c, seed, batch, prompt_len)
    decode, prefill = [], []
    for _ in range(reps + 1):  # first rep is warmup
        p, d = greedy_rep(m, prompt, new_tokens)
        prefill.append(p)
        decode.append(d)
    decode, prefill = decode[1:], prefill[1:]
    n = batch * (new_tokens - 1)  # tokens produced by decode steps (the first comes from prefill)
    return {"batch": batch, "prompt_len": prompt_len, "new_tokens": new_tokens, "reps": reps,
            "decode_tokens_per_s_best": n / min(decode), "decode_tokens_per_s_median": n / statistics.median(decode),
            "prefill_ms_median": statistics.median(prefill) * 1e3}


class Session:
    """--serve state: one model whose trained adapter persists across requests, with its frozen adapters
    switched in or out per request, so a driver can interleave single steps with another engine's."""

    def __init__(self, m: ref.CausalLM, c: dict, lr: float, seed: int):
        self.m, self.c, self.lr, self.seed = m, c, lr, seed
        self.adapters = [(lin, dict(lin.adapters)) for _, _, lin in m.linears()]
        self.opt = None
        self.ids = None

    def set_frozen(self, n: int) -> None:
        for lin, ads in self.adapters:
            frozen = [(k, v) for k, v in ads.items() if k.startswith("frozen") and int(k[6:]) < n]
            if len(frozen) != n:
                raise ValueError(f"frozen={n}: only {len(frozen)} frozen adapters were built (--frozen-adapters)")
            lin.adapters = nn.ModuleDict(dict(frozen + [("default", ads["default"])]))

    def train_begin(self, frozen: int) -> dict:
        self.set_frozen(frozen)
        params = [p for p in self.m.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(params, lr=self.lr, weight_decay=0.0)
        g = torch.Generator().manual_seed(self.seed)
        self.ids = torch.randint(0, self.c["vocab"], (self.c["batch"], self.c["seq"]), generator=g)
        return {"trainable_params": sum(p.numel() for p in params)}

    def train_steps(self, n: int) -> dict:
        m, ids, opt = self.m, self.ids, self.opt
        m.train()
        times, losses = [], []
        for _ in range(n):
            dt, loss = train_step(m, ids, opt)
            times.append(dt * 1e3)
            losses.append(loss)
        return {"times_ms": times, "losses": losses}

    @torch.no_grad()
    def gen(self, batch: int, prompt_len: int, new_tokens: int, reps: int) -> dict:
        self.set_frozen(0)
        m = self.m
        m.eval()
        prompt = bench_prompt(self.c, self.seed, batch, prompt_len)
        prefill, decode = [], []
        for _ in range(reps):
            p, d = greedy_rep(m, prompt, new_tokens)
            prefill.append(p * 1e3)
            decode.append(d * 1e3)
        return {"prefill_ms": prefill, "decode_ms": decode}


def serve(session: Session, info: dict) -> None:
    """One JSON request per stdin line, one JSON reply per stdout line (until EOF or {"op": "quit"}):
    {"op": "info"} | {"op": "train_begin", "frozen": 0} | {"op": "train_steps", "n": 1}
    | {"op": "gen", "batch": 1, "prompt": 16, "new": 32, "reps": 1}. Errors reply {"error": "..."}."""
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "quit":
                return
            if op == "info":
                out = info
            elif op == "train_begin":
                out = session.train_begin(int(req.get("frozen", 0)))
            elif op == "train_steps":
                out = session.train_steps(int(req.get("n", 1)))
            elif op == "gen":
                out = session.gen(int(req["batch"]), int(req.get("prompt", 16)), int(req.get("new", 32)), int(req.get("reps", 1)))
            else:
                out = {"error": f"unknown op {op!r}"}
        except Exception as e:  # reply instead of dying, so the driver can report it
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default="tiny", help="preset name, JSON string or JSON file")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--steps", type=int, default=10, help="timed training steps")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=float, default=32.0)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--gen-batches", default="1,32")
    ap.add_argument("--gen-prompt", type=int, default=16)
    ap.add_argument("--gen-new", type=int, default=32)
    ap.add_argument("--gen-reps", type=int, default=3)
    ap.add_argument("--no-gen", action="store_true")
    ap.add_argument("--frozen-adapters", type=int, default=0,
                    help="frozen LoRA adapters (random, non-zero B) stacked under the trained one")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--serve", action="store_true",
                    help="build the model (with --frozen-adapters frozen ones available, default 1), then answer "
                         "JSON requests on stdin (see serve()) instead of running the fixed timing")
    a = ap.parse_args()

    threads = a.threads or int(os.environ.get("BENCH_THREADS") or os.environ.get("OMP_NUM_THREADS") or 0) or None
    if threads:
        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:
            pass
    c = parse_config(a.config)
    frozen = max(a.frozen_adapters, 1) if a.serve else a.frozen_adapters
    m = build(c, a.rank, a.alpha, a.seed, frozen)
    res = {"impl": "pytorch-eager (hf_reference, eager attention, fp32, CPU)",
           "torch": torch.__version__, "python": platform.python_version(), "machine": platform.machine(),
           "threads": torch.get_num_threads(), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
           "config": c, "lora": {"r": a.rank, "alpha": a.alpha, "targets": list(ref.LORA_TARGETS),
                                  "frozen_adapters": a.frozen_adapters},
           "optimizer": {"name": "AdamW", "lr": a.lr, "weight_decay": 0.0, "params": "LoRA only"}}
    if a.serve:
        serve(Session(m, c, a.lr, a.seed), res)
        return
    res["train"] = time_train(m, c, a.steps, a.warmup, a.lr, a.seed)
    if not a.no_gen:
        res["generate"] = {f"b{b}": time_generate(m, c, int(b), a.gen_prompt, a.gen_new, a.gen_reps, a.seed)
                           for b in a.gen_batches.split(",") if b}
    print(json.dumps(res))


if __name__ == "__main__":
    main()
