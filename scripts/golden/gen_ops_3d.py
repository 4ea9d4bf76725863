"""Golden fixture for the 3-D ops of video models (torchvision's R3D and
R(2+1)D): conv3d (padding, stride, dilation, groups), adaptive_avg_pool3d and
batch_norm over [N, C, D, H, W] in training mode.

Writes `<out>/ops_3d.json`: for every case, its `options`, its inputs
(float32 values, so that the float32 and float64 runs see the same numbers),
a fixed upstream gradient, and in float64 and float32 the output and the
gradient of every input from torch's autograd.

Run through `generate.py`, or alone:
    /usr/bin/python3 scripts/golden/gen_ops_3d.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, List, Tuple

import torch
import torch.nn.functional as F

from common import case_seed, tensor_values, versions, write_json

CASES: Dict[str, Tuple[Dict[str, Any], Dict[str, List[int]], Callable[..., torch.Tensor]]] = {
    "conv3d_padded": (
        {"stride": 1, "padding": 1, "dilation": 1, "groups": 1},
        {"x": [2, 3, 4, 5, 5], "w": [4, 3, 3, 3, 3], "b": [4]},
        lambda t, o: F.conv3d(t["x"], t["w"], t["b"], o["stride"], o["padding"], o["dilation"], o["groups"]),
    ),
    "conv3d_strided_dilated_grouped": (
        {"stride": [2, 1, 2], "padding": [1, 0, 1], "dilation": [1, 2, 1], "groups": 2},
        {"x": [1, 4, 5, 6, 6], "w": [6, 2, 2, 3, 3]},
        lambda t, o: F.conv3d(t["x"], t["w"], None, o["stride"], o["padding"], o["dilation"], o["groups"]),
    ),
    "conv3d_unbatched": (
        {"stride": [1, 2, 1], "padding": 0, "dilation": 1, "groups": 1},
        {"x": [2, 3, 4, 4], "w": [3, 2, 1, 3, 3], "b": [3]},
        lambda t, o: F.conv3d(t["x"], t["w"], t["b"], o["stride"], o["padding"], o["dilation"], o["groups"]),
    ),
    "adaptive_avg_pool3d": (
        {"output_size": [2, 3, 4]},
        {"x": [2, 3, 5, 7, 6]},
        lambda t, o: F.adaptive_avg_pool3d(t["x"], o["output_size"]),
    ),
    "adaptive_avg_pool3d_one": (
        {"output_size": 1},
        {"x": [2, 4, 3, 5, 5]},
        lambda t, o: F.adaptive_avg_pool3d(t["x"], o["output_size"]),
    ),
    "batch_norm3d_training": (
        {"eps": 1e-5, "momentum": 0.1},
        {"x": [3, 2, 3, 4, 4], "w": [2], "b": [2]},
        lambda t, o: F.batch_norm(t["x"], None, None, t["w"], t["b"], True, o["momentum"], o["eps"]),
    ),
}


def run_case(name: str) -> Dict[str, Any]:
    options, shapes, fn = CASES[name]
    gen = torch.Generator().manual_seed(case_seed("ops_3d/" + name))
    values = {key: torch.randn(shape, generator=gen).float() for key, shape in shapes.items()}
    upstream = None
    results: Dict[str, Any] = {}
    for dtype, label in ((torch.float64, "float64"), (torch.float32, "float32")):
        leaves = {key: v.to(dtype).clone().requires_grad_(True) for key, v in values.items()}
        out = fn(leaves, options)
        if upstream is None:
            upstream = torch.randn(out.shape, generator=gen).float()
        out.backward(upstream.to(dtype))
        results[label] = {
            "output": tensor_values(out.reshape(-1)),
            "grads": {key: tensor_values(leaf.grad.reshape(-1)) for key, leaf in leaves.items()},
        }
        shape = list(out.shape)
    return {
        "options": options,
        "inputs": {key: {"shape": list(v.shape), "values": tensor_values(v.reshape(-1))} for key, v in values.items()},
        "outputShape": shape,
        "upstream": tensor_values(upstream.reshape(-1)),
        **results,
    }


def main(out: str) -> None:
    torch.set_num_threads(1)
    payload = {**versions(), "cases": {name: run_case(name) for name in CASES}}
    size = write_json(os.path.join(out, "ops_3d.json"), payload)
    print(f"ops_3d.json: {len(CASES)} cases, {size} bytes")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(here)), "test", "fixtures"))
