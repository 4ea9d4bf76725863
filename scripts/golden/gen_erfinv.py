"""Golden fixture for torch's float32 erfinv and trunc_normal_: `erfinv/`.

torch 1.13's `trunc_normal_` draws `uniform_(2l - 1, 2u - 1)` and maps it
through `erfinv_`, whose float kernel (ATen's calc_erfinv, built for the AVX2
capability torch dispatches to here) calls the C library's `erff`, `expf` and
`logf`. The engine reproduces those functions bit for bit, so this fixture
records, with no tolerance intended:

* `libm.f32`   glibc's erff, expf and logf (called through ctypes, the same
               libm.so.6 torch links) on deterministic sets of float32 inputs;
* `erfinv.f32` `torch.erfinv` of a float32 tensor over every k-th float in
               (-1, 1), the floats around 0, around +-0.7 (where the kernel
               switches from its central to its tail approximation) and just
               below +-1, and +-1 and beyond;
* `trunc_normal.f32` `nn.init.trunc_normal_` on float32 tensors after
               `torch.manual_seed(seed)`, for several seeds, sizes (below, at
               and above the 16-value vector block, odd) and mean/std/a/b.

Inputs are given in `erfinv.json` as ranges of float32 bit patterns
`{start, step, count}` (the sign bit included) that the tests expand the same
way, so the binary files hold outputs only (little-endian float32, in order).

Run directly (`/usr/bin/python3 scripts/golden/gen_erfinv.py [OUT_DIR]`) or
through `generate.py`; `main(out_dir)` is the entry point.
"""

from __future__ import annotations

import ctypes
import warnings
import ctypes.util
import os
import sys
from typing import Any, Dict, List

import numpy as np
import torch
import torch.nn as nn

from common import cpu_capability, versions, write_json

F32_ONE = 0x3F800000
F32_07 = 0x3F333333  # float32(0.7), the kernel's CENTRAL_RANGE
SIGN = 0x80000000


def rng(start: int, step: int, count: int) -> Dict[str, int]:
    return {"start": start, "step": step, "count": count}


def expand(ranges: List[Dict[str, int]]) -> np.ndarray:
    """The float32 values of a list of bit-pattern ranges, in order."""
    parts = [(np.arange(r["count"], dtype=np.uint64) * r["step"] + r["start"]).astype(np.uint32) for r in ranges]
    return np.concatenate(parts).view(np.float32)


def around(bits: int, half: int) -> List[Dict[str, int]]:
    """The 2*half floats centred on a positive bit pattern, and their negatives."""
    return [rng(bits - half, 1, 2 * half), rng(SIGN | (bits - half), 1, 2 * half)]


#: Every k-th float of (-1, 1) (k prime, so the low mantissa bits vary), and the regions where it matters most.
ERFINV_RANGES = [
    rng(7, 32771, (F32_ONE - 8) // 32771 + 1),
    rng(SIGN | 13, 32771, (F32_ONE - 14) // 32771 + 1),
    rng(0, 1, 1024), rng(SIGN, 1, 1024),  # +-0 and the smallest floats
    *around(F32_07, 2048),
    rng(F32_ONE - 4096, 1, 4096), rng(SIGN | (F32_ONE - 4096), 1, 4096),  # just below +-1
    rng(F32_ONE, 1, 3), rng(SIGN | F32_ONE, 1, 3),  # +-1 (infinite) and beyond (NaN)
]

LIBM_STEP = 131071  # 2^17 - 1, a prime

#: Per function: ranges of arguments over the values torch's erfinv can pass and the branch points of each algorithm.
LIBM_RANGES = {
    # erff: every branch of fdlibm's algorithm (|x| < 2^-28, < 0.84375, < 1.25, < 1/0.35, < 6, beyond).
    "erff": [rng(0, LIBM_STEP, 0x40E00000 // LIBM_STEP), rng(SIGN | 5, LIBM_STEP, 0x40E00000 // LIBM_STEP),
             *around(0x04000000, 64), *around(0x31800000, 64), *around(0x3F580000, 64), *around(0x3FA00000, 64),
             *around(0x4036DB6E, 64), *around(0x40C00000, 64), rng(0x7F800000, 1, 2), rng(0xFF800000, 1, 2)],
    # expf: overflow and underflow bounds, the main path in between, the special values.
    "expf": [rng(0, LIBM_STEP, 0x42B40000 // LIBM_STEP), rng(SIGN | 3, LIBM_STEP, (0x42D20000 - 3) // LIBM_STEP),
             *around(0x42B17217, 64), *around(0x42CFF1B4, 64), *around(0x42CE8ECF, 64), *around(0x42B00000, 64),
             rng(0x7F800000, 1, 2), rng(0xFF800000, 1, 2)],
    # logf: all positive floats (subnormals too), around 1, the special values.
    "logf": [rng(0, LIBM_STEP, 0x7F800000 // LIBM_STEP + 1), rng(1, 1, 512), rng(F32_ONE - 1024, 1, 2048),
             rng(0x3F330000 - 64, 1, 128), rng(0x7F800000, 1, 2), rng(SIGN, 1, 2), rng(0xBF800000, 1, 1)],
}

#: (mean, std, a, b): torch's default, ViT's std=0.02 with +-2 std, shifted, wide, one-sided and far-tail windows.
TRUNC_PARAMS = [
    (0.0, 1.0, -2.0, 2.0),
    (0.0, 0.02, -0.04, 0.04),
    (1.0, 2.0, 0.5, 6.0),
    (-3.0, 0.5, -10.0, 10.0),
    (0.0, 1.0, -0.5, 3.0),
    (0.0, 1.0, 3.0, 5.0),
    (0.25, 0.1, -1.0, 0.2),
]
TRUNC_SIZES = [1, 7, 15, 16, 17, 33, 100, 1001, 4099]
TRUNC_SEEDS = [0, 1, 42]


def libm_float_fn(name: str):
    libm = ctypes.CDLL(ctypes.util.find_library("m"))
    fn = getattr(libm, name)
    fn.restype = ctypes.c_float
    fn.argtypes = [ctypes.c_float]
    return fn


def cpu_flags() -> List[str]:
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("flags"):
                return line.split(":", 1)[1].split()
    return []


def main(out: str) -> None:
    torch.set_num_threads(1)
    assert cpu_capability() == "AVX2", "the float erfinv this fixture pins is the AVX2 build's"
    flags = cpu_flags()
    assert "fma" in flags and "avx2" in flags, "glibc picks its FMA expf/logf only on an FMA + AVX2 CPU"
    folder = os.path.join(out, "erfinv")
    os.makedirs(folder, exist_ok=True)

    libm_out: List[np.ndarray] = []
    libm_sections: Dict[str, Any] = {}
    for name, ranges in LIBM_RANGES.items():
        fn = libm_float_fn(name)
        xs = expand(ranges)
        libm_out.append(np.array([fn(float(x)) for x in xs], dtype=np.float32))
        libm_sections[name] = {"ranges": ranges, "count": int(xs.size)}
    np.concatenate(libm_out).astype("<f4").tofile(os.path.join(folder, "libm.f32"))

    ys = torch.from_numpy(expand(ERFINV_RANGES).copy())
    erfinv = ys.erfinv()
    # A strided tensor goes through the kernel's scalar loop, a contiguous one through its vector loop: the same values.
    strided = torch.empty(ys.numel() * 3, dtype=torch.float32)[::3].copy_(ys).erfinv()
    assert torch.equal(strided.isnan(), erfinv.isnan()) and torch.equal(strided.nan_to_num(), erfinv.nan_to_num())
    erfinv.numpy().astype("<f4").tofile(os.path.join(folder, "erfinv.f32"))

    trunc_cases: List[Dict[str, Any]] = []
    values: List[np.ndarray] = []
    offset = 0
    for mean, std, a, b in TRUNC_PARAMS:
        for i, n in enumerate(TRUNC_SIZES):
            seed = TRUNC_SEEDS[i % len(TRUNC_SEEDS)]
            torch.manual_seed(seed)
            with warnings.catch_warnings():  # "mean is more than 2 std from [a, b]": the far-tail window on purpose
                warnings.simplefilter("ignore")
                t = nn.init.trunc_normal_(torch.empty(n, dtype=torch.float32), mean, std, a, b)
            values.append(t.numpy().astype("<f4"))
            trunc_cases.append({"mean": mean, "std": std, "a": a, "b": b, "n": n, "seed": seed, "offset": offset})
            offset += n
    np.concatenate(values).tofile(os.path.join(folder, "trunc_normal.f32"))

    write_json(os.path.join(folder, "erfinv.json"), {
        **versions(), "cpu_capability": cpu_capability(), "cpu_fma_avx2": True, "libc": " ".join(os.confstr("CS_GNU_LIBC_VERSION").split()),
        "libm": libm_sections,
        "erfinv": {"ranges": ERFINV_RANGES, "count": int(ys.numel()), "strided_equals_contiguous": True},
        "trunc_normal": trunc_cases,
    })


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(here)), "test", "fixtures"))
