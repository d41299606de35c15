"""PyTorch baseline for bench/gpu.ts: transformers + PEFT on a CUDA GPU, same shape and work.

What it does: builds Qwen3ForCausalLM from a Qwen3-0.6B-shaped config (vocab 151936, hidden 1024, 28 layers,
16 heads, 8 KV heads, head_dim 128, ffn 3072, tied embeddings) with random weights in bfloat16 and SDPA attention,
adds a PEFT LoRA (r 16, alpha 32, no dropout, all 7 projections; PEFT keeps the adapter in float32), and times
  * a LoRA SFT step: forward, HF's causal-LM loss on every token, backward, torch.optim.AdamW (lr 1e-4) on the LoRA
    parameters, zero_grad -- alone and with a second frozen adapter active under the trained one;
  * greedy generate() with the KV cache at batch 1 and 32 (16-token prompts, exactly 32 new tokens), tokens/s over
    the whole call.
Median over timed steps after 3 warm-up steps, each step synchronized. Prints one JSON object.

What it doesn't: torch.compile, fused/flash kernels beyond what SDPA picks, or real data.

Usage: python3 bench/torch/hf_peft_gpu.py [--batch 8] [--seq 512] [--steps 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--steps", type=int, default=10)
    args = ap.parse_args()
    import peft
    import transformers
    from peft import LoraConfig, get_peft_model

    cfg = transformers.Qwen3Config(vocab_size=151936, hidden_size=1024, intermediate_size=3072, num_hidden_layers=28,
                                   num_attention_heads=16, num_key_value_heads=8, head_dim=128, rms_norm_eps=1e-6,
                                   rope_theta=1_000_000.0, tie_word_embeddings=True, max_position_embeddings=40960)
    torch.manual_seed(0)
    base = transformers.Qwen3ForCausalLM(cfg).to(device="cuda", dtype=torch.bfloat16)
    base.config._attn_implementation = "sdpa"
    lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules=TARGETS, task_type="CAUSAL_LM")
    model = get_peft_model(base, lora, adapter_name="trained")
    g = torch.Generator(device="cpu").manual_seed(0)
    ids = torch.randint(0, cfg.vocab_size, (args.batch, args.seq), generator=g).cuda()
    out: dict = {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "transformers": transformers.__version__,
                 "peft": peft.__version__, "batch": args.batch, "seq": args.seq}

    def time_steps(opt) -> list[float]:
        model.train()
        ms = []
        for i in range(3 + args.steps):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            loss = model(input_ids=ids, labels=ids).loss
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            torch.cuda.synchronize()
            if i >= 3:
                ms.append((time.perf_counter() - t0) * 1000)
        return ms

    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    ms = time_steps(opt)
    out["train"] = {"medianMs": statistics.median(ms), "bestMs": min(ms), "tokensPerS": args.batch * args.seq / (statistics.median(ms) / 1000)}

    # The IA setup: a frozen adapter under the trained one (both active; only "trained" has gradients).
    model.add_adapter("frozen", lora)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if ".frozen." in n and "lora_B" in n:
                p.normal_(0, 0.01)
    model.base_model.set_adapter(["trained", "frozen"])
    for n, p in model.named_parameters():
        p.requires_grad = ".trained." in n
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    ms = time_steps(opt)
    out["trainStacked"] = {"medianMs": statistics.median(ms), "bestMs": min(ms), "tokensPerS": args.batch * args.seq / (statistics.median(ms) / 1000)}
    model.base_model.set_adapter(["trained"])

    model.eval()
    gen = {}
    for b in (1, 32):
        prompt = torch.randint(0, cfg.vocab_size, (b, 16), generator=g).cuda()

        def run() -> float:
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            with torch.no_grad():
                o = model.generate(input_ids=prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=32, min_new_tokens=32,
                                   do_sample=False, pad_token_id=0)
            torch.cuda.synchronize()
            assert o.shape[1] == 48
            return (time.perf_counter() - t0) * 1000

        run()
        ms = [run(), run(), run()]
        gen[f"batch{b}"] = {"medianMs": statistics.median(ms), "tokensPerS": b * 32 / (statistics.median(ms) / 1000)}
    out["generate"] = gen
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
