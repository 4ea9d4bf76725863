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

and the same in float64 (`libm64.f64`: glibc's erf, exp, log; `erfinv64.f64`;
`trunc_normal64.f64`), where torch's kernel calls the double functions.

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


D_ONE = 0x3FF0000000000000
D_07 = 0x3FE6666666666666  # 0.7
D_SIGN = 0x8000000000000000
D_STEP = 0x3FF0000000000000 // 12000 | 1

#: float64 ranges: the same regions, bit patterns as hex strings (JSON numbers cannot hold 64 bits).
def rng64(start: int, step: int, count: int) -> Dict[str, Any]:
    return {"start": hex(start), "step": step, "count": count}


def around64(bits: int, half: int, step: int = 1) -> List[Dict[str, Any]]:
    return [rng64(bits - half * step, step, 2 * half), rng64(D_SIGN | (bits - half * step), step, 2 * half)]


ERFINV64_RANGES = [
    rng64(7, D_STEP, (D_ONE - 8) // D_STEP + 1), rng64(D_SIGN | 13, D_STEP, (D_ONE - 14) // D_STEP + 1),
    rng64(0, 1, 64), rng64(D_SIGN, 1, 64),
    *around64(D_07, 1024), *around64(D_07, 256, 2**29 + 1),
    rng64(D_ONE - 1024, 1, 1024), rng64(D_SIGN | (D_ONE - 1024), 1, 1024),
    rng64(D_ONE - 2**40, 2**30 + 3, 1024), rng64(D_SIGN | (D_ONE - 2**40), 2**30 + 3, 1024),
    rng64(D_ONE, 1, 2), rng64(D_SIGN | D_ONE, 1, 2),
]

LIBM64_STEP = 0x40E0000000000000 // 6000 | 1
LIBM64_RANGES = {
    "erf": [rng64(0, LIBM64_STEP, 0x4020000000000000 // LIBM64_STEP), rng64(D_SIGN | 5, LIBM64_STEP, 0x4020000000000000 // LIBM64_STEP),
            *around64(0x3E30000000000000, 32), *around64(0x3FEB000000000000, 32), *around64(0x3FF4000000000000, 32),
            *around64(0x4006DB6E00000000, 32), *around64(0x4018000000000000, 32), rng64(0x7FF0000000000000, 1, 2),
            rng64(0xFFF0000000000000, 1, 1)],
    "exp": [rng64(0, LIBM64_STEP, 0x4090000000000000 // LIBM64_STEP), rng64(D_SIGN | 3, LIBM64_STEP, 0x4090000000000000 // LIBM64_STEP),
            *around64(0x4080000000000000, 32, 2**40 + 1), *around64(0x40862E42FEFA39EF, 32, 2**30 + 1), *around64(0x40874910D52D3051, 32, 2**30 + 1),
            *around64(0x3C90000000000000, 32), rng64(0x7FF0000000000000, 1, 2), rng64(0xFFF0000000000000, 1, 1)],
    "log": [rng64(0, LIBM64_STEP * 2 + 2, 0x7FF0000000000000 // (LIBM64_STEP * 2 + 2) + 1), rng64(1, 1, 64),
            rng64(0x3FEE000000000000 - 2**44, 2**40 + 1, 128), rng64(0x3FF1090000000000 - 2**44, 2**40 + 1, 128),
            rng64(D_ONE - 512, 1, 1024), rng64(0x7FF0000000000000, 1, 2), rng64(D_SIGN, 1, 2), rng64(0xBFF0000000000000, 1, 1)],
}
TRUNC64_SIZES = [1, 17, 1001]


def expand64(ranges: List[Dict[str, Any]]) -> np.ndarray:
    parts = [(np.arange(r["count"], dtype=np.uint64) * np.uint64(r["step"]) + np.uint64(int(r["start"], 16))) for r in ranges]
    return np.concatenate(parts).view(np.float64)


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

    import math
    libm64_out: List[np.ndarray] = []
    libm64_sections: Dict[str, Any] = {}
    for name, ranges in LIBM64_RANGES.items():
        fn = getattr(math, name)  # Python's math.erf/exp/log call the C library's erf/exp/log
        xs = expand64(ranges)
        out64 = []
        for x in xs:
            try:
                out64.append(fn(float(x)))
            except (ValueError, OverflowError):  # math raises where the C function returns NaN / ±inf / -inf
                out64.append(float("nan") if (x < 0 or x != x) and name == "log" else (float("-inf") if name == "log" else float("inf")))
        libm64_out.append(np.array(out64, dtype=np.float64))
        libm64_sections[name] = {"ranges": ranges, "count": int(xs.size)}
    np.concatenate(libm64_out).astype("<f8").tofile(os.path.join(folder, "libm64.f64"))

    ys64 = torch.from_numpy(expand64(ERFINV64_RANGES).copy())
    ys64.erfinv().numpy().astype("<f8").tofile(os.path.join(folder, "erfinv64.f64"))

    trunc64_cases: List[Dict[str, Any]] = []
    values64: List[np.ndarray] = []
    offset = 0
    for mean, std, a, b in TRUNC_PARAMS:
        for i, n in enumerate(TRUNC64_SIZES):
            seed = TRUNC_SEEDS[i % len(TRUNC_SEEDS)]
            torch.manual_seed(seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = nn.init.trunc_normal_(torch.empty(n, dtype=torch.float64), mean, std, a, b)
            values64.append(t.numpy().astype("<f8"))
            trunc64_cases.append({"mean": mean, "std": std, "a": a, "b": b, "n": n, "seed": seed, "offset": offset})
            offset += n
    np.concatenate(values64).tofile(os.path.join(folder, "trunc_normal64.f64"))

    write_json(os.path.join(folder, "erfinv.json"), {
        **versions(), "cpu_capability": cpu_capability(), "cpu_fma_avx2": True, "libc": " ".join(os.confstr("CS_GNU_LIBC_VERSION").split()),
        "libm": libm_sections,
        "erfinv": {"ranges": ERFINV_RANGES, "count": int(ys.numel()), "strided_equals_contiguous": True},
        "trunc_normal": trunc_cases,
        "libm64": libm64_sections,
        "erfinv64": {"ranges": ERFINV64_RANGES, "count": int(ys64.numel())},
        "trunc_normal64": trunc64_cases,
    })


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(here)), "test", "fixtures"))
