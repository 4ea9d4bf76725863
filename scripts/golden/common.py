"""Shared helpers for the golden-fixture generators.

Everything here is a pure function of its arguments: no module-level state.
The generators (`gen_init.py`, `gen_mlp.py`, and the optimizer one) call
these to stamp versions into fixtures, to turn torch tensors into JSON
numbers that round-trip exactly, and to write the two binary formats the
fixtures use (safetensors and npy).
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from typing import Any, Dict, Iterable, List, Mapping, Sequence

import numpy as np
import torch

#: The one seed every generator derives its per-case seeds from.
BASE_SEED = 20240607

#: Formats understood by `write_safetensors` (safetensors dtype codes).
_SAFETENSORS_DTYPES = {
    np.dtype("<f4"): "F32",
    np.dtype("<f8"): "F64",
    np.dtype("<i8"): "I64",
    np.dtype("<i4"): "I32",
}


def versions() -> Dict[str, str]:
    """The library versions a fixture was produced with."""
    return {"torch_version": str(torch.__version__), "numpy_version": str(np.__version__)}


def cpu_capability() -> str:
    """The SIMD level torch's CPU kernels dispatch to (e.g. "AVX2").

    It decides whether float32 multiply-adds are fused, so results that are
    meant to be bit-exact depend on it.
    """
    return torch.__config__.show().split("CPU capability usage: ")[-1].split("\n")[0].strip()


def case_seed(case_id: str) -> int:
    """A per-case seed derived from BASE_SEED and a stable case name.

    Using the case name (not its position in a list) means adding or
    removing a case never changes the random numbers of the other cases.
    """
    return (BASE_SEED + zlib.crc32(case_id.encode("utf-8"))) % (2**31 - 1)


def tensor_values(t: torch.Tensor) -> List[Any]:
    """A (nested) list of Python floats with the tensor's exact values.

    A float32 value is widened to the double that equals it (no rounding),
    and Python's `repr` of a double (used by json) is the shortest text that
    parses back to the same double, so in JavaScript `JSON.parse` gives that
    double and `Math.fround` of it the original float32 bits.
    """
    arr = t.detach().cpu().numpy()
    return arr.astype(np.float64).tolist() if arr.dtype.kind == "f" else arr.tolist()


def torch_error(fn, *args, **kwargs) -> Dict[str, str]:
    """Call `fn` expecting an exception; return its class name and message.

    Raises AssertionError if `fn` does not raise, so a fixture can never
    silently record "no error" as an error message.
    """
    try:
        fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - we record whatever torch raises
        return {"type": type(exc).__name__, "message": str(exc)}
    raise AssertionError(f"{getattr(fn, '__name__', fn)} did not raise for {args} {kwargs}")


def write_json(path: str, payload: Mapping[str, Any]) -> int:
    """Write `payload` as UTF-8 JSON (stable key order, trailing newline).

    Returns the number of bytes written. NaN/Infinity are rejected because
    they are not JSON.
    """
    text = _dumps(payload, 0)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text + "\n")
    return len(text.encode("utf-8")) + 1


def _dumps(value: Any, depth: int) -> str:
    """JSON text with one object member per line and scalar lists kept on one line."""
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_dumps(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value):
            return "[" + ", ".join(_dumps(v, depth + 1) for v in value) + "]"
        return "[\n" + ",\n".join(inner + _dumps(v, depth + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def write_safetensors(path: str, tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str]) -> int:
    """Write tensors in the safetensors format, without the safetensors package.

    Layout: an unsigned 64-bit little-endian header length N, then N bytes
    of UTF-8 JSON, then the raw little-endian, C-order tensor bytes. The
    header maps each tensor name to {"dtype", "shape", "data_offsets"}
    (offsets relative to the start of the data section, end exclusive) and
    holds string metadata under "__metadata__". Tensors are laid out in
    sorted-name order with no gaps; the header is padded with spaces so the
    data section starts at an 8-byte aligned offset.

    Returns the file size in bytes.
    """
    header: Dict[str, Any] = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    blobs: List[bytes] = []
    offset = 0
    for name in sorted(tensors):
        src = np.asarray(tensors[name])
        arr = np.ascontiguousarray(src, dtype=src.dtype.newbyteorder("<"))
        code = _SAFETENSORS_DTYPES.get(np.dtype(arr.dtype.str))
        if code is None:
            raise ValueError(f"unsupported dtype {arr.dtype} for {name}")
        raw = arr.tobytes(order="C")
        header[name] = {"dtype": code, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - (8 + len(head)) % 8) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(head)))
        fh.write(head)
        for raw in blobs:
            fh.write(raw)
    return 8 + len(head) + offset


def read_safetensors(path: str) -> Dict[str, Any]:
    """Parse a safetensors file written by `write_safetensors` (self-check)."""
    with open(path, "rb") as fh:
        data = fh.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    body = data[8 + n :]
    codes = {v: k for k, v in _SAFETENSORS_DTYPES.items()}
    out: Dict[str, Any] = {"__metadata__": header.pop("__metadata__", {})}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(body[begin:end], dtype=codes[info["dtype"]]).reshape(info["shape"])
    return out


def write_npy(path: str, array: np.ndarray) -> int:
    """Write an array as .npy (format version 1.0, little-endian, C order)."""
    arr = np.ascontiguousarray(array)
    arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        np.lib.format.write_array(fh, arr, version=(1, 0), allow_pickle=False)
    return os.path.getsize(path)


def quantiles(values: np.ndarray, probs: Sequence[float]) -> List[float]:
    """Empirical quantiles (numpy's default linear interpolation) as floats."""
    return [float(q) for q in np.quantile(values.astype(np.float64), list(probs))]


def summary(values: Iterable[float]) -> Dict[str, float]:
    """min/max/mean/std (unbiased, ddof=1) of a 1-D float sample, in float64."""
    arr = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=np.float64)
    return {
        "n": int(arr.size),
        "min": float(arr.min()),
        "max": float(arr.max()),
        "mean": float(arr.mean()),
        "std": float(arr.std(ddof=1)),
    }
