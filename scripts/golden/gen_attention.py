"""Golden fixture for nn.MultiheadAttention's training path (torch 1.13's
F.multi_head_attention_forward): packed and separate in-projections,
sequence-first and batch_first inputs, an unbatched input, boolean and float
attention masks, a boolean key padding mask, need_weights on and off, and
weights averaged over heads or not.

Writes `<out>/attention.json`: for every case, the module's arguments, its
parameters and inputs (float32 values, so that float32 and float64 runs see
the same numbers), the masks, fixed upstream gradients for the output (and
the weights, when returned), and in float64 and float32 the output, the
weights and the gradient of every parameter and input.

Run through `generate.py`, or alone:
    /usr/bin/python3 scripts/golden/gen_attention.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Optional

import torch
import torch.nn as nn

from common import case_seed, tensor_values, versions, write_json

CASES: Dict[str, Dict[str, Any]] = {
    "self_seq_first_weights": {"module": {"embed_dim": 8, "num_heads": 2}, "L": 4, "S": 4, "N": 3, "self": True, "call": {}},
    "batch_first_masks_no_weights": {
        "module": {"embed_dim": 8, "num_heads": 4, "batch_first": True}, "L": 5, "S": 5, "N": 2, "self": True,
        "call": {"need_weights": False}, "causal": True, "padding": [[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]],
    },
    "cross_kdim_vdim_float_mask_per_head": {
        "module": {"embed_dim": 6, "num_heads": 3, "kdim": 4, "vdim": 5}, "L": 3, "S": 4, "N": 2, "self": False,
        "call": {"average_attn_weights": False}, "float_mask": True,
    },
    "unbatched_no_bias": {"module": {"embed_dim": 6, "num_heads": 2, "bias": False}, "L": 3, "S": 5, "N": None, "self": False, "call": {}},
}


def spec(t: torch.Tensor) -> Dict[str, Any]:
    return {"shape": list(t.shape), "values": tensor_values(t.reshape(-1))}


def run_case(name: str) -> Dict[str, Any]:
    c = CASES[name]
    gen = torch.Generator().manual_seed(case_seed("attention/" + name))
    m = c["module"]
    E = m["embed_dim"]
    module = nn.MultiheadAttention(**m)
    params = {k: (torch.randn(p.shape, generator=gen) * 0.5).float() for k, p in module.named_parameters()}
    kdim, vdim = m.get("kdim", E), m.get("vdim", E)
    bf = m.get("batch_first", False)

    def shape(length: int, dim: int):
        if c["N"] is None:
            return [length, dim]
        return [c["N"], length, dim] if bf else [length, c["N"], dim]

    inputs = {"query": torch.randn(shape(c["L"], E), generator=gen).float()}
    if not c["self"]:
        inputs["key"] = torch.randn(shape(c["S"], kdim), generator=gen).float()
        inputs["value"] = torch.randn(shape(c["S"], vdim), generator=gen).float()
    masks: Dict[str, Any] = {}
    if c.get("causal"):
        masks["attn_mask"] = torch.triu(torch.ones(c["L"], c["S"], dtype=torch.bool), 1)
    if c.get("float_mask"):
        masks["attn_mask"] = torch.randn([c["L"], c["S"]], generator=gen).float()
    if c.get("padding"):
        masks["key_padding_mask"] = torch.tensor(c["padding"], dtype=torch.bool)
    upstream: Optional[Dict[str, torch.Tensor]] = None
    results: Dict[str, Any] = {}
    for dtype, label in ((torch.float64, "float64"), (torch.float32, "float32")):
        mod = nn.MultiheadAttention(**m).to(dtype)
        mod.train()
        with torch.no_grad():
            for k, p in mod.named_parameters():
                p.copy_(params[k].to(dtype))
        leaves = {k: v.to(dtype).clone().requires_grad_(True) for k, v in inputs.items()}
        q = leaves["query"]
        k_, v_ = (q, q) if c["self"] else (leaves["key"], leaves["value"])
        call_masks = {k: (v.to(dtype) if v.dtype != torch.bool else v) for k, v in masks.items()}
        out, weights = mod(q, k_, v_, **call_masks, **c["call"])
        if upstream is None:
            upstream = {"output": torch.randn(out.shape, generator=gen).float()}
            if weights is not None:
                upstream["weights"] = torch.randn(weights.shape, generator=gen).float()
        phi = (out * upstream["output"].to(dtype)).sum()
        if weights is not None:
            phi = phi + (weights * upstream["weights"].to(dtype)).sum()
        phi.backward()
        results[label] = {
            "output": tensor_values(out.reshape(-1)),
            "weights": None if weights is None else tensor_values(weights.reshape(-1)),
            "grads": {**{k: tensor_values(p.grad.reshape(-1)) for k, p in mod.named_parameters()}, **{k: tensor_values(v.grad.reshape(-1)) for k, v in leaves.items()}},
        }
        out_shape, weights_shape = list(out.shape), None if weights is None else list(weights.shape)
    return {
        "module": m,
        "call": c["call"],
        "self": c["self"],
        "parameters": {k: spec(v) for k, v in params.items()},
        "inputs": {k: spec(v) for k, v in inputs.items()},
        "masks": {k: {"shape": list(v.shape), "values": tensor_values(v.reshape(-1).to(torch.float64)), "boolean": v.dtype == torch.bool} for k, v in masks.items()},
        "outputShape": out_shape,
        "weightsShape": weights_shape,
        "upstream": {k: tensor_values(v.reshape(-1)) for k, v in upstream.items()},
        **results,
    }


def main(out: str) -> None:
    torch.set_num_threads(1)
    payload = {**versions(), "cases": {name: run_case(name) for name in CASES}}
    size = write_json(os.path.join(out, "attention.json"), payload)
    print(f"attention.json: {len(CASES)} cases, {size} bytes")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(here)), "test", "fixtures"))
