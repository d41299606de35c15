"""Minimal safetensors reader/writer in pure Python + numpy.

What it does: reads and writes the safetensors container (8-byte little-endian
header length, JSON header, raw little-endian tensor bytes) for the dtypes
F32, F16, BF16, F64, I64, I32. BF16 has no numpy dtype, so it is decoded by
shifting the uint16 bit pattern into the high half of a float32, and encoded
with round-to-nearest-even.

What it doesn't: memory-map, stream, or validate beyond the basic format
checks (offsets in bounds, contiguous, shape matches byte length).

Independent of the TypeScript code base: written from the published
safetensors format description.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Dict, Mapping, Optional, Tuple

import numpy as np

_NP = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "BF16": np.dtype("<u2"),  # raw bits
}
_ITEMSIZE = {k: v.itemsize for k, v in _NP.items()}


def bf16_bits_to_f32(bits: np.ndarray) -> np.ndarray:
    """uint16 bf16 bit patterns -> float32 (exact)."""
    return (bits.astype(np.uint32) << np.uint32(16)).view(np.float32)


def f32_to_bf16_bits(x: np.ndarray) -> np.ndarray:
    """float32 -> uint16 bf16 bit patterns, round-to-nearest-even, NaN kept quiet."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounding = np.uint32(0x7FFF) + ((u >> np.uint32(16)) & np.uint32(1))
    out = ((u + rounding) >> np.uint32(16)).astype(np.uint16)
    nan = np.isnan(x)
    if nan.any():
        out[nan] = ((u[nan] >> np.uint32(16)) | np.uint32(0x40)).astype(np.uint16)
    return out


def read_header(path: str) -> Tuple[dict, int]:
    """Returns (header dict, byte offset of the data section)."""
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) != 8:
            raise ValueError(f"{path}: too short for a safetensors header")
        (n,) = struct.unpack("<Q", raw)
        if n > 100_000_000:
            raise ValueError(f"{path}: header length {n} is implausible")
        hdr = json.loads(f.read(n).decode("utf-8"))
    return hdr, 8 + n


def load(path: str, as_float32: bool = True) -> Dict[str, np.ndarray]:
    """Load every tensor. BF16 is returned as float32 when as_float32 (default),
    else as raw uint16 bits."""
    hdr, base = read_header(path)
    with open(path, "rb") as f:
        buf = f.read()
    data_len = len(buf) - base
    out: Dict[str, np.ndarray] = {}
    for name, info in hdr.items():
        if name == "__metadata__":
            continue
        dt = info["dtype"]
        if dt not in _NP:
            raise ValueError(f"{path}: tensor {name}: unsupported dtype {dt}")
        shape = tuple(int(s) for s in info["shape"])
        b, e = info["data_offsets"]
        if not (0 <= b <= e <= data_len):
            raise ValueError(f"{path}: tensor {name}: offsets {b},{e} out of bounds ({data_len})")
        count = int(np.prod(shape)) if shape else 1
        if (e - b) != count * _ITEMSIZE[dt]:
            raise ValueError(f"{path}: tensor {name}: byte length {e-b} != shape {shape} x {dt}")
        arr = np.frombuffer(buf, dtype=_NP[dt], count=count, offset=base + b).reshape(shape).copy()
        if dt == "BF16" and as_float32:
            arr = bf16_bits_to_f32(arr)
        out[name] = arr
    return out


def load_metadata(path: str) -> Optional[dict]:
    hdr, _ = read_header(path)
    return hdr.get("__metadata__")


def save(tensors: Mapping[str, np.ndarray], path: str, dtypes: Optional[Mapping[str, str]] = None,
         metadata: Optional[Mapping[str, str]] = None) -> None:
    """Write tensors. dtype per tensor is taken from `dtypes[name]` if given
    (F32/F16/BF16/F64/I64/I32; floats are converted), else inferred from the
    numpy dtype. Written atomically (tmp file + rename)."""
    dtypes = dict(dtypes or {})
    header: Dict[str, object] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.asarray(tensors[name])
        dt = dtypes.get(name)
        if dt is None:
            dt = {"float64": "F64", "float32": "F32", "float16": "F16",
                  "int64": "I64", "int32": "I32"}.get(a.dtype.name)
            if dt is None:
                raise ValueError(f"{path}: tensor {name}: cannot infer dtype from {a.dtype}")
        if dt == "BF16":
            raw = f32_to_bf16_bits(a.astype(np.float32)).astype("<u2").tobytes()
        elif dt in _NP:
            raw = np.ascontiguousarray(a.astype(_NP[dt])).tobytes()
        else:
            raise ValueError(f"{path}: tensor {name}: unsupported dtype {dt}")
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)  # the reference writer pads to 8 bytes
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for raw in blobs:
            f.write(raw)
    os.replace(tmp, path)


if __name__ == "__main__":  # tiny self-test
    import tempfile
    rng = np.random.default_rng(0)
    t = {"a": rng.standard_normal((3, 4)).astype(np.float32),
         "b": rng.standard_normal((5,)).astype(np.float32),
         "c": np.arange(6, dtype=np.int64).reshape(2, 3),
         "d": rng.standard_normal((2, 2)).astype(np.float16)}
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "x.safetensors")
        save(t, p, dtypes={"b": "BF16"}, metadata={"format": "pt"})
        back = load(p)
        assert np.array_equal(back["a"], t["a"])
        assert np.array_equal(back["c"], t["c"]) and back["c"].dtype == np.int64
        assert np.array_equal(back["d"], t["d"])
        assert np.allclose(back["b"], t["b"], rtol=2 ** -8)
        # bf16 known values: 1.0 -> 0x3F80, round-to-even of 1+2^-8 -> 1.0, 1+3*2^-8 -> 1+2^-6
        bits = f32_to_bf16_bits(np.array([1.0, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.0], np.float32))
        assert list(bits) == [0x3F80, 0x3F80, 0x3F82, 0xC000], [hex(b) for b in bits]
        assert load_metadata(p) == {"format": "pt"}
    print("safetensors_io self-test ok")
