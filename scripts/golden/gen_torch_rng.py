"""Golden fixture for torch's own random numbers: `torch_rng.json`.

Every case seeds torch's default CPU generator with `torch.manual_seed(seed)`
and records the tensor torch then makes (the generator's raw words through
`randint`, the `uniform_`/`normal_`/`bernoulli_` kernels in float32 and
float64 at sizes below, at and above the vector kernel's block of 16,
`randperm`, every `torch.nn.init` function, every module's default
initialization, whole models, and a short training run), so that the engine's
generator can be checked bit for bit without Python.

A tensor of at most INLINE_LIMIT elements is stored whole; a larger one as its
first HEAD values, its float64 sum and the CRC-32 of its little-endian bytes.
Values are JSON doubles that equal the float32 (or float64) values exactly.

Run directly (`/usr/bin/python3 scripts/golden/gen_torch_rng.py [OUT_DIR]`) or
through `generate.py`; `main(out_dir)` is the entry point.
"""

from __future__ import annotations

import math
import os
import sys
import zlib
from typing import Any, Callable, Dict, List

import numpy as np
import torch
import torch.nn as nn

from common import cpu_capability, versions, write_json

INLINE_LIMIT = 48
HEAD = 8


def tensor_record(t: torch.Tensor) -> Dict[str, Any]:
    """A tensor as the fixture stores it (whole, or head + sum + CRC-32)."""
    t = t.detach().contiguous()
    arr = t.numpy()
    rec: Dict[str, Any] = {"dtype": str(arr.dtype), "shape": list(arr.shape)}
    flat = arr.reshape(-1)
    if flat.size <= INLINE_LIMIT:
        rec["values"] = flat.astype(np.float64).tolist() if arr.dtype.kind == "f" else flat.tolist()
    else:
        rec["head"] = flat[:HEAD].astype(np.float64).tolist() if arr.dtype.kind == "f" else flat[:HEAD].tolist()
        rec["sum"] = float(flat.astype(np.float64).sum())
        rec["crc32"] = zlib.crc32(flat.astype(arr.dtype.newbyteorder("<")).tobytes())
    return rec


def seeded(seed: int, make: Callable[[], torch.Tensor]) -> Dict[str, Any]:
    torch.manual_seed(seed)
    return tensor_record(make())


def primitive_cases() -> List[Dict[str, Any]]:
    """The generator's words and the sampling kernels on fresh tensors."""
    cases: List[Dict[str, Any]] = []

    def add(case_id: str, op: str, seed: int, args: Dict[str, Any], make: Callable[[], torch.Tensor]) -> None:
        cases.append({"id": case_id, "op": op, "seed": seed, "args": args, "result": seeded(seed, make)})

    for seed in (0, 1, 12345):
        add(f"randint31-{seed}", "randint", seed, {"low": 0, "high": 2**31, "n": 40}, lambda: torch.randint(0, 2**31, (40,)))
    add("randint40-0", "randint", 0, {"low": -5, "high": 2**40, "n": 12}, lambda: torch.randint(-5, 2**40, (12,)))
    add("randint10-3", "randint", 3, {"low": 3, "high": 13, "n": 30}, lambda: torch.randint(3, 13, (30,)))
    for dtype in ("float32", "float64"):
        dt = getattr(torch, dtype)
        for n in (1, 5, 16, 17, 33, 1000):
            for lo, hi in ((0.0, 1.0), (-0.3, 0.3), (-1 / math.sqrt(7), 1 / math.sqrt(7)), (2.5, 7.25)):
                seed = n + 7
                add(f"uniform-{dtype}-{n}-{lo:.4g}-{hi:.4g}", "uniform", seed, {"dtype": dtype, "n": n, "from": lo, "to": hi},
                    lambda: torch.empty(n, dtype=dt).uniform_(lo, hi))
        for n in (1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 100, 1000, 4099):
            for mean, std in ((0.0, 1.0), (0.5, 0.02), (-1.0, 3.0)):
                seed = n
                add(f"normal-{dtype}-{n}-{mean:g}-{std:g}", "normal", seed, {"dtype": dtype, "n": n, "mean": mean, "std": std},
                    lambda: torch.empty(n, dtype=dt).normal_(mean, std))
        for p in (0.5, 0.1, 0.9):
            add(f"bernoulli-{dtype}-{p}", "bernoulli", 5, {"dtype": dtype, "n": 40, "p": p}, lambda: torch.empty(40, dtype=dt).bernoulli_(p))
    # The cached second normal of a scalar pair carries over to the next small tensor.
    def cached_pair() -> torch.Tensor:
        a = torch.empty(3).normal_()
        b = torch.empty(3).normal_()
        c = torch.empty(20).normal_()
        d = torch.empty(1).normal_()
        return torch.cat([a, b, c, d])
    add("normal-cache", "normal-sequence", 2, {"sizes": [3, 3, 20, 1]}, cached_pair)
    for n in (1, 2, 10, 100, 1000):
        add(f"randperm-{n}", "randperm", 11, {"n": n}, lambda: torch.randperm(n))
    add("randn-5", "normal", 4, {"dtype": "float32", "n": 5, "mean": 0.0, "std": 1.0}, lambda: torch.randn(5))
    add("randn-40", "normal", 4, {"dtype": "float32", "n": 40, "mean": 0.0, "std": 1.0}, lambda: torch.randn(40))
    add("rand-7", "uniform", 4, {"dtype": "float32", "n": 7, "from": 0.0, "to": 1.0}, lambda: torch.rand(7))
    return cases


def main(out: str) -> None:
    torch.set_num_threads(1)
    fixture = {**versions(), "cpu_capability": cpu_capability(), "mkl": bool(torch.backends.mkl.is_available()),
               "primitives": primitive_cases()}
    write_json(os.path.join(out, "torch_rng.json"), fixture)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(here)), "test", "fixtures"))
