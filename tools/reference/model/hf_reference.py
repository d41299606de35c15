"""Independent eager PyTorch reference for HF Qwen3ForCausalLM / LlamaForCausalLM + PEFT LoRA.

What it does:
  * Loads an HF checkpoint folder (config.json + model.safetensors, or sharded
    model.safetensors.index.json) into a plain eager re-implementation of the
    transformers forward pass, in any float dtype (the golden values use float64).
  * Loads PEFT LoRA adapter folders (adapter_config.json + adapter_model.safetensors)
    and applies any number of them unmerged, each with an extra user scale, or
    merges them into the base weights (W + s * B @ A).
  * Greedy generation with a KV cache, and without one (full recompute) for checks.

What it doesn't: sampling, sliding-window attention (Qwen3 ships with
use_sliding_window=false), DoRA, LoRA on embeddings/lm_head, rank/alpha
patterns, bias="all"/"lora_only", rope types other than default and llama3,
dropout (eval mode only).

Written from the Hugging Face transformers modeling source (modeling_qwen3.py,
modeling_llama.py, modeling_rope_utils._compute_llama3_parameters) and PEFT's
LoRA layer (tuners/lora/layer.py) and save_pretrained key naming -- never from
this repository's TypeScript implementation.

Deliberate precision choice: HF upcasts RMSNorm and the attention softmax to
float32 and computes the RoPE inverse frequencies / cos / sin in float32. Here
those steps run in max(float32, model dtype): identical to HF for fp32/bf16
models, and exact (no fp32 bottleneck) when the model runs in float64. So
float64 results are "the true math of the HF architecture", which an fp32 HF
run matches to about 1e-6 relative.
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io as st  # noqa: E402

LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
_ATTN = ("q_proj", "k_proj", "v_proj", "o_proj")


def _upcast(dtype: torch.dtype) -> torch.dtype:
    """Compute dtype for norms/softmax/rope: at least float32 (HF), float64 stays float64."""
    return torch.float64 if dtype == torch.float64 else torch.float32


# ----------------------------------------------------------------------------- config

@dataclass
class ModelConfig:
    model_type: str
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: int
    rms_norm_eps: float
    rope_theta: float
    rope_scaling: Optional[dict]
    tie_word_embeddings: bool
    attention_bias: bool
    mlp_bias: bool
    max_position_embeddings: int
    hidden_act: str = "silu"
    raw: dict = field(default_factory=dict)

    @property
    def qk_norm(self) -> bool:
        return self.model_type == "qwen3"

    @staticmethod
    def from_dict(d: dict, where: str = "config") -> "ModelConfig":
        mt = d.get("model_type")
        if mt not in ("qwen3", "llama"):
            raise ValueError(f"{where}: model_type {mt!r} not supported (qwen3, llama)")
        heads = int(d["num_attention_heads"])
        hidden = int(d["hidden_size"])
        # transformers: getattr(config, "head_dim", None) or hidden // heads
        head_dim = d.get("head_dim") or hidden // heads
        kv = d.get("num_key_value_heads") or heads
        if heads % kv:
            raise ValueError(f"{where}: num_attention_heads {heads} not a multiple of num_key_value_heads {kv}")
        # v4 configs: rope_theta + rope_scaling; v5 configs: rope_parameters {rope_type, rope_theta, ...}
        rp = d.get("rope_parameters")
        rope_scaling = d.get("rope_scaling")
        theta = d.get("rope_theta")
        if rp:
            theta = rp.get("rope_theta", theta)
            rope_scaling = rp if rp.get("rope_type", rp.get("type", "default")) != "default" else None
        if theta is None:
            theta = 10000.0
        if rope_scaling is not None:
            rt = rope_scaling.get("rope_type", rope_scaling.get("type"))
            if rt == "default":
                rope_scaling = None
            elif rt != "llama3":
                raise ValueError(f"{where}: rope_scaling type {rt!r} not supported (llama3)")
        if d.get("hidden_act", "silu") != "silu":
            raise ValueError(f"{where}: hidden_act {d.get('hidden_act')!r} not supported (silu)")
        if d.get("use_sliding_window"):
            raise ValueError(f"{where}: use_sliding_window=true not supported")
        return ModelConfig(
            model_type=mt,
            vocab_size=int(d["vocab_size"]),
            hidden_size=hidden,
            intermediate_size=int(d["intermediate_size"]),
            num_hidden_layers=int(d["num_hidden_layers"]),
            num_attention_heads=heads,
            num_key_value_heads=int(kv),
            head_dim=int(head_dim),
            rms_norm_eps=float(d.get("rms_norm_eps", 1e-6)),
            rope_theta=float(theta),
            rope_scaling=rope_scaling,
            tie_word_embeddings=bool(d.get("tie_word_embeddings", False)),  # Qwen3Config/LlamaConfig default
            attention_bias=bool(d.get("attention_bias", False)),
            mlp_bias=bool(d.get("mlp_bias", False)),
            max_position_embeddings=int(d.get("max_position_embeddings", 2048)),
            raw=dict(d),
        )


def rope_inv_freq(cfg: ModelConfig, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Default RoPE inverse frequencies, optionally llama3-scaled
    (transformers modeling_rope_utils._compute_llama3_parameters)."""
    dim = cfg.head_dim
    inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype) / dim))
    rs = cfg.rope_scaling
    if rs is None:
        return inv
    factor = float(rs["factor"])
    low = float(rs["low_freq_factor"])
    high = float(rs["high_freq_factor"])
    old_ctx = float(rs.get("original_max_position_embeddings", cfg.max_position_embeddings))
    low_wavelen = old_ctx / low
    high_wavelen = old_ctx / high
    wavelen = 2 * math.pi / inv
    inv_l = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old_ctx / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
    medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, inv_l)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


# ----------------------------------------------------------------------------- modules

class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim), requires_grad=False)
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        in_dtype = x.dtype
        h = x.to(_upcast(in_dtype))
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(in_dtype)


class LoraAdapter(nn.Module):
    """One adapter on one Linear: delta(x) = scaling * (x @ A^T) @ B^T (PEFT Linear.forward)."""

    def __init__(self, A: torch.Tensor, B: torch.Tensor, scaling: float, trainable: bool = False):
        super().__init__()
        self.lora_A = nn.Parameter(A, requires_grad=trainable)  # [r, in]
        self.lora_B = nn.Parameter(B, requires_grad=trainable)  # [out, r]
        self.scaling = float(scaling)

    def delta_weight(self) -> torch.Tensor:
        return self.scaling * (self.lora_B @ self.lora_A)


class LoraLinear(nn.Module):
    """nn.Linear(bias optional, frozen) plus any number of stacked LoRA adapters."""

    def __init__(self, in_f: int, out_f: int, bias: bool):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(out_f, in_f), requires_grad=False)
        self.bias = nn.Parameter(torch.zeros(out_f), requires_grad=False) if bias else None
        self.adapters = nn.ModuleDict()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.linear(x, self.weight, self.bias)
        for ad in self.adapters.values():
            y = y + F.linear(F.linear(x, ad.lora_A), ad.lora_B) * ad.scaling
        return y


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        H, KV, D, h = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim, cfg.hidden_size
        b = cfg.attention_bias
        self.q_proj = LoraLinear(h, H * D, b)
        self.k_proj = LoraLinear(h, KV * D, b)
        self.v_proj = LoraLinear(h, KV * D, b)
        self.o_proj = LoraLinear(H * D, h, b)
        if cfg.qk_norm:
            self.q_norm = RMSNorm(D, cfg.rms_norm_eps)
            self.k_norm = RMSNorm(D, cfg.rms_norm_eps)
        self.scaling = D ** -0.5

    def forward(self, x, cos, sin, mask, cache: Optional[List[torch.Tensor]]):
        Bsz, T, _ = x.shape
        D = self.cfg.head_dim
        q = self.q_proj(x).view(Bsz, T, -1, D)
        k = self.k_proj(x).view(Bsz, T, -1, D)
        v = self.v_proj(x).view(Bsz, T, -1, D).transpose(1, 2)
        if self.cfg.qk_norm:  # per-head RMSNorm over head_dim, before RoPE
            q = self.q_norm(q)
            k = self.k_norm(k)
        q = q.transpose(1, 2)
        k = k.transpose(1, 2)
        c, s = cos[:, None], sin[:, None]  # [B,1,T,D]
        q = q * c + rotate_half(q) * s
        k = k * c + rotate_half(k) * s
        if cache is not None:
            if cache:
                k = torch.cat((cache[0], k), dim=2)
                v = torch.cat((cache[1], v), dim=2)
            cache[:] = [k, v]
        rep = self.cfg.num_attention_heads // self.cfg.num_key_value_heads
        if rep > 1:  # repeat_kv: kv head j serves query heads j*rep .. j*rep+rep-1
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        w = torch.matmul(q, k.transpose(2, 3)) * self.scaling
        w = w + mask
        w = F.softmax(w, dim=-1, dtype=_upcast(q.dtype)).to(q.dtype)
        o = torch.matmul(w, v).transpose(1, 2).reshape(Bsz, T, -1)
        return self.o_proj(o)


class MLP(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        h, i, b = cfg.hidden_size, cfg.intermediate_size, cfg.mlp_bias
        self.gate_proj = LoraLinear(h, i, b)
        self.up_proj = LoraLinear(h, i, b)
        self.down_proj = LoraLinear(i, h, b)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.self_attn = Attention(cfg)
        self.mlp = MLP(cfg)
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)

    def forward(self, x, cos, sin, mask, cache):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask, cache)
        return x + self.mlp(self.post_attention_layernorm(x))


class Inner(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.embed_tokens.weight.requires_grad_(False)
        self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)


class CausalLM(nn.Module):
    """Qwen3ForCausalLM / LlamaForCausalLM (eager, no dropout)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.model = Inner(cfg)
        if not cfg.tie_word_embeddings:
            self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
            self.lm_head.weight.requires_grad_(False)
        self.register_buffer("inv_freq", rope_inv_freq(cfg, torch.float64), persistent=False)

    def lm_head_weight(self) -> torch.Tensor:
        return self.model.embed_tokens.weight if self.cfg.tie_word_embeddings else self.lm_head.weight

    def rope(self, position_ids: torch.Tensor, dtype: torch.dtype) -> Tuple[torch.Tensor, torch.Tensor]:
        cd = _upcast(dtype)
        freqs = position_ids.to(cd)[..., None] * self.inv_freq.to(cd)  # [B,T,D/2]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(dtype), emb.sin().to(dtype)

    def forward(self, input_ids: torch.Tensor, attention_mask: Optional[torch.Tensor] = None,
                position_ids: Optional[torch.Tensor] = None,
                cache: Optional[List[List[torch.Tensor]]] = None,
                return_hidden: bool = False) -> torch.Tensor:
        """input_ids [B,T]. attention_mask [B, past+T] of 1/0 (covers cached keys too).
        position_ids default: cumsum(attention_mask)-1 (what HF generate passes; pads get 1),
        or past..past+T-1 without a mask. cache: list (one per layer) of [] or [k, v],
        updated in place. Returns logits [B,T,V] (or final hidden states)."""
        Bsz, T = input_ids.shape
        past = cache[0][0].shape[2] if cache and cache[0] else 0
        S = past + T
        dev = input_ids.device
        dtype = self.model.embed_tokens.weight.dtype
        if attention_mask is not None and attention_mask.shape != (Bsz, S):
            raise ValueError(f"attention_mask shape {tuple(attention_mask.shape)} != {(Bsz, S)}")
        if position_ids is None:
            if attention_mask is not None:
                pos = attention_mask.long().cumsum(-1) - 1
                pos = pos.masked_fill(attention_mask == 0, 1)
                position_ids = pos[:, past:]
            else:
                position_ids = torch.arange(past, S, device=dev)[None].expand(Bsz, T)
        # additive mask, finfo.min like HF eager: causal AND key not padding
        qpos = torch.arange(past, S, device=dev)[:, None]
        kpos = torch.arange(S, device=dev)[None, :]
        allowed = (kpos <= qpos)[None, None]  # [1,1,T,S]
        if attention_mask is not None:
            allowed = allowed & (attention_mask[:, None, None, :] != 0)
        mask = torch.zeros(allowed.shape, dtype=dtype, device=dev).masked_fill(~allowed, torch.finfo(dtype).min)

        cos, sin = self.rope(position_ids, dtype)
        x = F.embedding(input_ids, self.model.embed_tokens.weight)
        for i, layer in enumerate(self.model.layers):
            x = layer(x, cos, sin, mask, cache[i] if cache is not None else None)
        x = self.model.norm(x)
        if return_hidden:
            return x
        return F.linear(x, self.lm_head_weight())

    def linears(self):
        """(layer index, target name, LoraLinear) for every LoRA-able projection."""
        for i, layer in enumerate(self.model.layers):
            for t in _ATTN:
                yield i, t, getattr(layer.self_attn, t)
            for t in ("gate_proj", "up_proj", "down_proj"):
                yield i, t, getattr(layer.mlp, t)

    def new_cache(self) -> List[List[torch.Tensor]]:
        return [[] for _ in range(self.cfg.num_hidden_layers)]


# ----------------------------------------------------------------------------- loading

def _hf_key(i: int, t: str) -> str:
    return f"model.layers.{i}.{'self_attn' if t in _ATTN else 'mlp'}.{t}"


def load_hf_folder(folder: str) -> Tuple[dict, Dict[str, np.ndarray]]:
    cfg_path = os.path.join(folder, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    single = os.path.join(folder, "model.safetensors")
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(single):
        tensors = st.load(single)
    elif os.path.exists(index):
        with open(index) as f:
            wm = json.load(f)["weight_map"]
        tensors = {}
        for shard in sorted(set(wm.values())):
            tensors.update(st.load(os.path.join(folder, shard)))
    else:
        raise FileNotFoundError(f"{folder}: neither model.safetensors nor model.safetensors.index.json")
    return cfg, tensors


def build_model(cfg_dict: dict, tensors: Optional[Dict[str, np.ndarray]], dtype=torch.float64,
                where: str = "model") -> CausalLM:
    cfg = ModelConfig.from_dict(cfg_dict, where)
    m = CausalLM(cfg)
    if tensors is None:
        return m.to(dtype)
    used = set()

    def take(name: str, shape: Tuple[int, ...]) -> torch.Tensor:
        if name not in tensors:
            raise KeyError(f"{where}: missing tensor {name}")
        a = tensors[name]
        if tuple(a.shape) != tuple(shape):
            raise ValueError(f"{where}: tensor {name} shape {a.shape} != expected {shape}")
        used.add(name)
        return torch.from_numpy(np.array(a, dtype=np.float64))

    with torch.no_grad():
        h = cfg.hidden_size
        m.model.embed_tokens.weight.copy_(take("model.embed_tokens.weight", (cfg.vocab_size, h)))
        m.model.norm.weight.copy_(take("model.norm.weight", (h,)))
        if not cfg.tie_word_embeddings:
            m.lm_head.weight.copy_(take("lm_head.weight", (cfg.vocab_size, h)))
        for i, layer in enumerate(m.model.layers):
            p = f"model.layers.{i}"
            layer.input_layernorm.weight.copy_(take(f"{p}.input_layernorm.weight", (h,)))
            layer.post_attention_layernorm.weight.copy_(take(f"{p}.post_attention_layernorm.weight", (h,)))
            if cfg.qk_norm:
                layer.self_attn.q_norm.weight.copy_(take(f"{p}.self_attn.q_norm.weight", (cfg.head_dim,)))
                layer.self_attn.k_norm.weight.copy_(take(f"{p}.self_attn.k_norm.weight", (cfg.head_dim,)))
        for i, t, lin in m.linears():
            k = _hf_key(i, t)
            lin.weight.copy_(take(f"{k}.weight", tuple(lin.weight.shape)))
            if lin.bias is not None:
                lin.bias.copy_(take(f"{k}.bias", tuple(lin.bias.shape)))
    unused = set(tensors) - used
    if cfg.tie_word_embeddings:
        unused.discard("lm_head.weight")  # some tied checkpoints still store it
    if unused:
        raise ValueError(f"{where}: unexpected tensors {sorted(unused)[:5]}")
    return m.to(dtype)


def load_model(folder: str, dtype=torch.float64) -> CausalLM:
    cfg, tensors = load_hf_folder(folder)
    return build_model(cfg, tensors, dtype, where=folder)


@dataclass
class Adapter:
    name: str
    config: dict
    scaling: float  # lora_alpha / r, or lora_alpha / sqrt(r) with use_rslora
    weights: Dict[Tuple[int, str], Tuple[np.ndarray, np.ndarray]]  # (layer, target) -> (A [r,in], B [out,r])


def lora_scaling(r: int, alpha: float, use_rslora: bool) -> float:
    return alpha / math.sqrt(r) if use_rslora else alpha / r


def load_adapter(folder: str) -> Adapter:
    cpath = os.path.join(folder, "adapter_config.json")
    with open(cpath) as f:
        c = json.load(f)
    if c.get("peft_type") != "LORA":
        raise ValueError(f"{cpath}: peft_type {c.get('peft_type')!r} is not LORA")
    for k, bad in (("use_dora", True), ("fan_in_fan_out", True)):
        if c.get(k) == bad:
            raise ValueError(f"{cpath}: {k}={bad} not supported")
    if c.get("bias", "none") != "none":
        raise ValueError(f"{cpath}: bias={c.get('bias')!r} not supported")
    if c.get("modules_to_save"):
        raise ValueError(f"{cpath}: modules_to_save not supported")
    if c.get("rank_pattern") or c.get("alpha_pattern"):
        raise ValueError(f"{cpath}: rank_pattern/alpha_pattern not supported")
    r, alpha = int(c["r"]), float(c["lora_alpha"])
    t = st.load(os.path.join(folder, "adapter_model.safetensors"))
    pairs: Dict[Tuple[int, str], Dict[str, np.ndarray]] = {}
    for key, arr in t.items():
        # base_model.model.model.layers.{i}.{self_attn|mlp}.{target}.lora_{A|B}[.{adapter}].weight
        parts = key.split(".")
        ok = (len(parts) in (9, 10) and parts[:4] == ["base_model", "model", "model", "layers"]
              and parts[4].isdigit() and parts[5] in ("self_attn", "mlp") and parts[6] in LORA_TARGETS
              and parts[7] in ("lora_A", "lora_B") and parts[-1] == "weight"
              and (parts[5] == "self_attn") == (parts[6] in _ATTN))
        if not ok:
            raise ValueError(f"{folder}: unsupported adapter key {key}")
        i, target, which = int(parts[4]), parts[6], parts[7][-1]
        pairs.setdefault((i, target), {})[which] = arr
    weights = {}
    for k, ab in pairs.items():
        if set(ab) != {"A", "B"}:
            raise ValueError(f"{folder}: layer {k[0]} {k[1]} lacks lora_A or lora_B")
        A, B = ab["A"], ab["B"]
        if A.shape[0] != r or B.shape[1] != r:
            raise ValueError(f"{folder}: layer {k[0]} {k[1]} rank {A.shape[0]}/{B.shape[1]} != r {r}")
        weights[k] = (A, B)
    return Adapter(os.path.basename(os.path.normpath(folder)), c, lora_scaling(r, alpha, bool(c.get("use_rslora"))), weights)


def attach_adapter(model: CausalLM, ad: Adapter, user_scale: float = 1.0, name: Optional[str] = None) -> None:
    """Add an adapter, unmerged. Effective scaling = user_scale * adapter scaling
    (like PEFT's scale_layer; note PEFT's set_scale would drop rslora's sqrt)."""
    name = name or ad.name
    dtype = model.model.embed_tokens.weight.dtype
    lins = {(i, t): lin for i, t, lin in model.linears()}
    for k, (A, B) in ad.weights.items():
        if k not in lins:
            raise ValueError(f"adapter {ad.name}: no module for layer {k[0]} {k[1]}")
        lin = lins[k]
        if A.shape[1] != lin.weight.shape[1] or B.shape[0] != lin.weight.shape[0]:
            raise ValueError(f"adapter {ad.name}: layer {k[0]} {k[1]} shapes A{A.shape} B{B.shape} "
                             f"do not fit weight {tuple(lin.weight.shape)}")
        lin.adapters[name.replace(".", "_")] = LoraAdapter(
            torch.from_numpy(np.array(A, np.float64)).to(dtype),
            torch.from_numpy(np.array(B, np.float64)).to(dtype), user_scale * ad.scaling)


@torch.no_grad()
def merge_adapters(model: CausalLM) -> None:
    """W <- W + sum_i scaling_i * B_i @ A_i, then drop the adapters (PEFT merge_and_unload)."""
    for _, _, lin in model.linears():
        for ad in lin.adapters.values():
            lin.weight += ad.delta_weight().to(lin.weight.dtype)
        lin.adapters = nn.ModuleDict()


# ----------------------------------------------------------------------------- generation

@torch.no_grad()
def greedy(model: CausalLM, prompt: Sequence[int], n_new: int, use_cache: bool = True):
    """Greedy decoding, no EOS stop. Returns (new tokens, top1-top2 logit margins per step)."""
    ids = torch.tensor([list(prompt)], dtype=torch.long)
    out, margins = [], []
    cache = model.new_cache() if use_cache else None
    inp = ids
    for _ in range(n_new):
        logits = model(inp, cache=cache)[0, -1] if use_cache else model(ids)[0, -1]
        top = torch.topk(logits, 2)
        nxt = int(top.indices[0])
        margins.append(float(top.values[0] - top.values[1]))
        out.append(nxt)
        ids = torch.cat((ids, torch.tensor([[nxt]])), dim=1)
        inp = torch.tensor([[nxt]])
    return out, margins


def next_token_logprobs(logits: torch.Tensor, ids: Sequence[int]) -> List[Optional[float]]:
    """[T,V] logits for one sequence -> [None, log p(t1|t0), ..., log p(t_{T-1}|...)]."""
    lp = F.log_softmax(logits, dim=-1)
    return [None] + [float(lp[t - 1, ids[t]]) for t in range(1, len(ids))]
