"""Adapter folders written by PEFT itself, in the layouts users meet, with PEFT's own logits to compare against.

What it does: loads the committed golden Qwen3 checkpoint (test/fixtures/golden/qwen3-tiny) with transformers,
wraps it with PEFT LoRA (float32, as adapters are saved) (r 4, alpha 8, all seven projections, random nonzero A and B: init_lora_weights=False,
seeded) and saves:

  named/meta_lora/                  save_pretrained of an adapter named "meta_lora" (PEFT puts a non-default adapter
                                    in a subfolder named after it; the released introspection adapters look like this)
  run/checkpoint-2/                 a transformers Trainer run of 2 steps with save_steps=2: PEFT's two files beside
                                    the Trainer's optimizer.pt, scheduler.pt, rng_state.pth, trainer_state.json,
                                    training_args.bin (only the adapter files and trainer_state.json are kept: the
                                    rest is binary state no loader reads)
  peft_layouts.json                 versions, the sequence, and PEFT's float32 last-position logits for the named
                                    adapter and for the checkpoint's, computed with the adapter active

What it doesn't: touch any other fixture. It needs torch, transformers and peft (CPU is enough).

Usage (repository root): python3 tools/reference/model/peft_layouts.py [--out test/fixtures/peft]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
# Relative, and loaded from ROOT: PEFT records it as base_model_name_or_path, so the fixture names no machine's path.
QWEN3_TINY = os.path.join("test", "fixtures", "golden", "qwen3-tiny")
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
SEQUENCE = [3, 17, 42, 99, 5, 64, 120]


def base_model():
    import transformers

    try:
        m = transformers.AutoModelForCausalLM.from_pretrained(QWEN3_TINY, dtype=torch.float32, attn_implementation="eager")
    except TypeError:  # transformers < 4.56 names it torch_dtype
        m = transformers.AutoModelForCausalLM.from_pretrained(QWEN3_TINY, torch_dtype=torch.float32, attn_implementation="eager")
    m.eval()
    return m


def lora_config():
    from peft import LoraConfig

    return LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=TARGETS, init_lora_weights=False, task_type="CAUSAL_LM")


def last_logits(model) -> list[float]:
    with torch.no_grad():
        out = model(input_ids=torch.tensor([SEQUENCE]))
    return [float(x) for x in out.logits[0, -1].tolist()]


def write_named(out: str) -> list[float]:
    from peft import get_peft_model

    torch.manual_seed(20241201)
    model = get_peft_model(base_model(), lora_config(), adapter_name="meta_lora")
    model.eval()
    logits = last_logits(model)
    model.save_pretrained(os.path.join(out, "named"))
    return logits


def write_trainer_checkpoint(out: str) -> list[float]:
    import transformers
    from peft import get_peft_model

    torch.manual_seed(20241202)
    model = get_peft_model(base_model(), lora_config())
    rows = [{"input_ids": torch.tensor(SEQUENCE), "labels": torch.tensor(SEQUENCE)} for _ in range(4)]
    with tempfile.TemporaryDirectory() as tmp:
        args = transformers.TrainingArguments(
            output_dir=tmp, max_steps=2, save_steps=2, per_device_train_batch_size=2, learning_rate=1e-2,
            report_to=[], use_cpu=True, logging_steps=1, seed=7,
        )
        transformers.Trainer(model=model, args=args, train_dataset=rows).train()
        src = os.path.join(tmp, "checkpoint-2")
        dst = os.path.join(out, "run", "checkpoint-2")
        os.makedirs(dst, exist_ok=True)
        listing = sorted(os.listdir(src))
        for f in ("adapter_config.json", "adapter_model.safetensors", "trainer_state.json"):
            shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
    model.eval()
    return last_logits(model), listing


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "test", "fixtures", "peft"))
    a = ap.parse_args()
    a.out = os.path.abspath(a.out)
    os.chdir(ROOT)
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    import peft
    import transformers

    named = write_named(a.out)
    trained, listing = write_trainer_checkpoint(a.out)
    info = {
        "written_by": {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__},
        "base": "test/fixtures/golden/qwen3-tiny (float32)",
        "sequence": SEQUENCE,
        "trainer_checkpoint_files": listing,
        "logits": {"named/meta_lora": named, "run/checkpoint-2": trained},
    }
    with open(os.path.join(a.out, "peft_layouts.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    print(f"wrote {a.out}: {sorted(os.listdir(a.out))}; trainer checkpoint had {listing}")


if __name__ == "__main__":
    main()
