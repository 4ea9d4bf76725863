"""Golden fixture for the piecewise-linear activations of mobile CNNs and
audio models: relu6, hardtanh (default and custom bounds), hardsigmoid and
hardswish, as `torch.nn.functional` computes them.

Writes `<out>/activations.json`: for every case, its input (float32 values
drawn at 4·N(0, 1) so that every piece of the function is hit, followed by
the breakpoints themselves, where torch's gradient conventions differ:
hardtanh's and hardsigmoid's are 0 at the bounds, hardswish's is x/3 + 1/2
at ±3), a fixed upstream gradient, and in float64 and float32 the output and
the input's gradient from torch's autograd.

Run through `generate.py`, or alone:
    /usr/bin/python3 scripts/golden/gen_activations.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, List, Tuple

import torch
import torch.nn.functional as F

from common import case_seed, tensor_values, versions, write_json

BREAKPOINTS = [-6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0]

CASES: Dict[str, Tuple[Dict[str, Any], Callable[[torch.Tensor], torch.Tensor]]] = {
    "relu6": ({}, F.relu6),
    "hardtanh": ({"min_val": -1.0, "max_val": 1.0}, lambda x: F.hardtanh(x)),
    "hardtanh_bounds": ({"min_val": -0.5, "max_val": 3.0}, lambda x: F.hardtanh(x, -0.5, 3.0)),
    "hardsigmoid": ({}, F.hardsigmoid),
    "hardswish": ({}, F.hardswish),
}


def run_case(name: str) -> Dict[str, Any]:
    options, fn = CASES[name]
    gen = torch.Generator().manual_seed(case_seed("activations/" + name))
    drawn = (torch.randn([3, 8], generator=gen) * 4.0).float().reshape(-1)
    x = torch.cat([drawn, torch.tensor(BREAKPOINTS, dtype=torch.float32)]).reshape(3, 11)
    upstream = torch.randn(x.shape, generator=gen).float()
    results: Dict[str, Any] = {}
    for dtype, label in ((torch.float64, "float64"), (torch.float32, "float32")):
        leaf = x.to(dtype).clone().requires_grad_(True)
        out = fn(leaf)
        out.backward(upstream.to(dtype))
        results[label] = {"output": tensor_values(out.reshape(-1)), "grad": tensor_values(leaf.grad.reshape(-1))}
    return {
        "options": options,
        "input": {"shape": list(x.shape), "values": tensor_values(x.reshape(-1))},
        "upstream": tensor_values(upstream.reshape(-1)),
        **results,
    }


def main(out: str) -> None:
    torch.set_num_threads(1)
    payload = {**versions(), "cases": {name: run_case(name) for name in CASES}}
    size = write_json(os.path.join(out, "activations.json"), payload)
    print(f"activations.json: {len(CASES)} cases, {size} bytes")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(here)), "test", "fixtures"))
