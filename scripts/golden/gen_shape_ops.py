"""Golden fixture for the shape and transformer ops: broadcasting arithmetic,
views, indexing, cat/stack/split, batched matmul, softmax on any dim,
masked_fill with causal masks, reductions over several dims, layer norm over a
trailing shape, the activations of transformer MLPs, and scaled dot-product
attention.

Writes `<out>/shape_ops.json`: for every case, its inputs (float32 values, so
that float32 and float64 runs see the same numbers), a fixed upstream
gradient, and in float64 and float32 the output and the gradient of every
input, from torch's autograd.

torch 1.13 has no public `F.scaled_dot_product_attention` (added in 2.0); the
causal and boolean-mask cases call its private predecessor
`F._scaled_dot_product_attention` (same math path), and the float-mask case
uses the formula torch 2's documentation gives for the function.

Run through `generate.py`; `main(out_dir)` is the entry point.
"""

from __future__ import annotations

import math
import os
from typing import Any, Callable, Dict, List, Tuple

import torch
import torch.nn.functional as F

from common import case_seed, tensor_values, versions, write_json

Case = Callable[[Dict[str, torch.Tensor], Dict[str, torch.Tensor]], torch.Tensor]


def sdpa_formula(q, k, v, mask):
    """torch 2's documented reference: softmax(Q·Kᵀ/√E + mask)·V."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    return torch.softmax(scores + mask, dim=-1) @ v


def causal_attention(t, c):
    """nanoGPT's attention core: masked_fill of a tril buffer, softmax, @ v."""
    x = t["x"]
    B, T, C = x.size()
    q, k, v = x.split(C // 3, dim=2)
    q = q.view(B, T, 2, C // 6).transpose(1, 2)
    k = k.view(B, T, 2, C // 6).transpose(1, 2)
    v = v.view(B, T, 2, C // 6).transpose(1, 2)
    att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
    att = att.masked_fill(c["mask"][:, :, :T, :T] == 0, float("-inf"))
    y = F.softmax(att, dim=-1) @ v
    return y.transpose(1, 2).contiguous().view(B, T, C // 3)


def gpt_block(t, c):
    """A pre-norm transformer block as examples/tiny_gpt/model.py writes it (2 heads, GELU MLP)."""
    x = t["x"]
    B, T, C = x.size()
    h = F.layer_norm(x, (C,), t["ln1_w"], t["ln1_b"])
    q, k, v = F.linear(h, t["qkv_w"], t["qkv_b"]).split(C, dim=2)
    q = q.view(B, T, 2, C // 2).transpose(1, 2)
    k = k.view(B, T, 2, C // 2).transpose(1, 2)
    v = v.view(B, T, 2, C // 2).transpose(1, 2)
    att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
    att = att.masked_fill(c["mask"][:, :, :T, :T] == 0, float("-inf"))
    y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).contiguous().view(B, T, C)
    x = x + F.linear(y, t["proj_w"], t["proj_b"])
    h = F.layer_norm(x, (C,), t["ln2_w"], t["ln2_b"])
    return x + F.linear(F.gelu(F.linear(h, t["up_w"], t["up_b"])), t["down_w"], t["down_b"])


# name -> (inputs: name -> (shape, kind), constants: name -> builder, function)
CASES: Dict[str, Tuple[Dict[str, Tuple[List[int], str]], Dict[str, Callable[[torch.dtype], torch.Tensor]], Case]] = {
    "add_broadcast": ({"a": ([2, 3, 4], "normal"), "b": ([3, 1], "normal")}, {}, lambda t, c: t["a"] + t["b"]),
    "sub_broadcast_left": ({"a": ([4], "normal"), "b": ([2, 3, 4], "normal")}, {}, lambda t, c: t["a"] - t["b"]),
    "mul_broadcast_both": ({"a": ([2, 1, 4], "normal"), "b": ([3, 1], "normal")}, {}, lambda t, c: t["a"] * t["b"]),
    "div_broadcast": ({"a": ([2, 3, 4], "normal"), "b": ([3, 1], "positive")}, {}, lambda t, c: t["a"] / t["b"]),
    "pow_tensor": ({"a": ([2, 3], "positive"), "b": ([3], "normal")}, {}, lambda t, c: t["a"] ** t["b"]),
    "rsub_scalar": ({"a": ([2, 3], "normal")}, {}, lambda t, c: 1 - t["a"]),
    "rdiv_scalar": ({"a": ([2, 3], "positive")}, {}, lambda t, c: 2 / t["a"]),
    "mul_scalar": ({"a": ([2, 3], "normal")}, {}, lambda t, c: t["a"] * 0.1),
    "residual": ({"a": ([2, 3, 4], "normal")}, {}, lambda t, c: t["a"] + torch.tanh(t["a"]) * 0.5),
    "where": (
        {"a": ([2, 3], "normal"), "b": ([3], "normal")},
        {"cond": lambda dt: torch.tensor([[1, 0, 1], [0, 0, 1]], dtype=torch.bool)},
        lambda t, c: torch.where(c["cond"], t["a"], t["b"]),
    ),
    "masked_fill_softmax": (
        {"a": ([2, 2, 4, 4], "normal")},
        {"mask": lambda dt: torch.tril(torch.ones(6, 6, dtype=dt)).view(1, 1, 6, 6)},
        lambda t, c: F.softmax(t["a"].masked_fill(c["mask"][:, :, :4, :4] == 0, float("-inf")), dim=-1),
    ),
    "view_transpose": ({"a": ([2, 4, 6], "normal")}, {}, lambda t, c: t["a"].view(2, 4, 2, 3).transpose(1, 2) * 1.5),
    "permute": ({"a": ([2, 3, 4], "normal")}, {}, lambda t, c: t["a"].permute(2, 0, 1) * t["a"].permute(2, 0, 1)),
    "flatten_unsqueeze_squeeze": (
        {"a": ([2, 1, 3, 2], "normal")},
        {},
        lambda t, c: torch.flatten(t["a"].squeeze(1).unsqueeze(-1), 1) ** 2,
    ),
    "expand": ({"a": ([3, 1], "normal")}, {}, lambda t, c: t["a"].expand(2, 3, 4) * torch.arange(4.0, dtype=t["a"].dtype)),
    "index_last_position": ({"a": ([2, 5, 3], "normal")}, {}, lambda t, c: t["a"][:, -1, :] ** 2),
    "index_ellipsis_slice": ({"a": ([2, 3, 5], "normal")}, {}, lambda t, c: t["a"][..., :2] ** 2),
    "index_step_none": ({"a": ([2, 5, 3], "normal")}, {}, lambda t, c: t["a"][None, :, 1:4:2, 1] ** 2),
    "cat_dim1": ({"a": ([2, 2, 3], "normal"), "b": ([2, 1, 3], "normal")}, {}, lambda t, c: torch.cat([t["a"], t["b"], t["a"]], dim=1) ** 2),
    "stack_dim2": ({"a": ([2, 3], "normal"), "b": ([2, 3], "normal")}, {}, lambda t, c: torch.stack([t["a"], t["b"]], dim=2) ** 2),
    "split_qkv": (
        {"a": ([2, 3, 6], "normal")},
        {},
        lambda t, c: (lambda q, k, v: q * k + v)(*t["a"].split(2, dim=2)),
    ),
    "chunk": ({"a": ([2, 7], "normal")}, {}, lambda t, c: torch.cat([p ** 2 for p in t["a"].chunk(3, dim=1)][::-1], dim=1)),
    "matmul_4d": ({"a": ([2, 3, 4, 5], "normal"), "b": ([2, 3, 5, 6], "normal")}, {}, lambda t, c: t["a"] @ t["b"]),
    "matmul_batch_matrix": ({"a": ([5, 2, 3], "normal"), "b": ([3, 4], "normal")}, {}, lambda t, c: t["a"] @ t["b"]),
    "matmul_broadcast_batch": ({"a": ([2, 1, 2, 3], "normal"), "b": ([4, 3, 2], "normal")}, {}, lambda t, c: torch.matmul(t["a"], t["b"])),
    "matmul_vector_batch": ({"a": ([3], "normal"), "b": ([2, 3, 4], "normal")}, {}, lambda t, c: torch.matmul(t["a"], t["b"])),
    "matmul_batch_vector": ({"a": ([2, 4, 3], "normal"), "b": ([3], "normal")}, {}, lambda t, c: torch.matmul(t["a"], t["b"])),
    "bmm": ({"a": ([3, 2, 4], "normal"), "b": ([3, 4, 5], "normal")}, {}, lambda t, c: torch.bmm(t["a"], t["b"])),
    "softmax_dim1": ({"a": ([2, 4, 3], "normal")}, {}, lambda t, c: F.softmax(t["a"], dim=1)),
    "log_softmax_dim0": ({"a": ([3, 2, 4], "normal")}, {}, lambda t, c: F.log_softmax(t["a"], dim=0)),
    "sum_dims_keepdim": ({"a": ([2, 3, 4], "normal")}, {}, lambda t, c: t["a"].sum(dim=(0, 2), keepdim=True)),
    "mean_dims": ({"a": ([2, 3, 4], "normal")}, {}, lambda t, c: t["a"].mean(dim=(-1, -2))),
    "layer_norm_trailing": (
        {"a": ([2, 3, 4], "normal"), "w": ([3, 4], "normal"), "b": ([3, 4], "normal")},
        {},
        lambda t, c: F.layer_norm(t["a"], [3, 4], t["w"], t["b"]),
    ),
    "gelu": ({"a": ([2, 6], "normal")}, {}, lambda t, c: F.gelu(t["a"])),
    "gelu_tanh": ({"a": ([2, 6], "normal")}, {}, lambda t, c: F.gelu(t["a"], approximate="tanh")),
    "silu": ({"a": ([2, 6], "normal")}, {}, lambda t, c: F.silu(t["a"])),
    "mish": ({"a": ([2, 6], "wide")}, {}, lambda t, c: F.mish(t["a"])),
    "tril_grad": ({"a": ([2, 3, 3], "normal")}, {}, lambda t, c: torch.tril(t["a"], -1) + torch.triu(t["a"], 2) * 2),
    "causal_attention_composed": (
        {"x": ([2, 5, 12], "normal")},
        {"mask": lambda dt: torch.tril(torch.ones(8, 8, dtype=dt)).view(1, 1, 8, 8)},
        causal_attention,
    ),
    "gpt_block": (
        {
            "x": ([2, 5, 8], "normal"),
            "ln1_w": ([8], "positive"), "ln1_b": ([8], "normal"),
            "qkv_w": ([24, 8], "normal"), "qkv_b": ([24], "normal"),
            "proj_w": ([8, 8], "normal"), "proj_b": ([8], "normal"),
            "ln2_w": ([8], "positive"), "ln2_b": ([8], "normal"),
            "up_w": ([32, 8], "normal"), "up_b": ([32], "normal"),
            "down_w": ([8, 32], "normal"), "down_b": ([8], "normal"),
        },
        {"mask": lambda dt: torch.tril(torch.ones(8, 8, dtype=dt)).view(1, 1, 8, 8)},
        gpt_block,
    ),
    "sdpa": (
        {"q": ([2, 3, 4], "normal"), "k": ([2, 5, 4], "normal"), "v": ([2, 5, 3], "normal")},
        {},
        lambda t, c: F._scaled_dot_product_attention(t["q"], t["k"], t["v"], None, 0.0, False, False)[0],
    ),
    "sdpa_causal": (
        {"q": ([2, 2, 3, 4], "normal"), "k": ([2, 2, 5, 4], "normal"), "v": ([2, 2, 5, 3], "normal")},
        {},
        lambda t, c: F._scaled_dot_product_attention(t["q"], t["k"], t["v"], None, 0.0, False, True)[0],
    ),
    "sdpa_bool_mask": (
        {"q": ([2, 3, 4], "normal"), "k": ([2, 5, 4], "normal"), "v": ([2, 5, 3], "normal")},
        {"mask": lambda dt: torch.tensor([[1, 0, 1, 1, 0], [0, 1, 1, 0, 1], [1, 1, 0, 0, 0]], dtype=torch.bool)},
        lambda t, c: F._scaled_dot_product_attention(t["q"], t["k"], t["v"], c["mask"], 0.0, False, False)[0],
    ),
    "sdpa_float_mask": (
        {"q": ([2, 3, 4], "normal"), "k": ([2, 5, 4], "normal"), "v": ([2, 5, 3], "normal"), "m": ([3, 5], "normal")},
        {},
        lambda t, c: sdpa_formula(t["q"], t["k"], t["v"], t["m"]),
    ),
}


def draw(shape: List[int], kind: str, gen: torch.Generator) -> torch.Tensor:
    """float32 values of a kind: N(0, 1), U(0.5, 2) ("positive") or 4·N(0, 1) ("wide")."""
    if kind == "positive":
        return (torch.rand(shape, generator=gen) * 1.5 + 0.5).float()
    scale = 4.0 if kind == "wide" else 1.0
    return (torch.randn(shape, generator=gen) * scale).float()


def run_case(name: str) -> Dict[str, Any]:
    spec, constants, fn = CASES[name]
    gen = torch.Generator().manual_seed(case_seed("shape_ops/" + name))
    values = {key: draw(shape, kind, gen) for key, (shape, kind) in spec.items()}
    upstream = None
    results: Dict[str, Any] = {}
    for dtype, label in ((torch.float64, "float64"), (torch.float32, "float32")):
        leaves = {key: v.to(dtype).clone().requires_grad_(True) for key, v in values.items()}
        consts = {key: build(dtype) for key, build in constants.items()}
        out = fn(leaves, consts)
        if upstream is None:
            upstream = torch.randn(out.shape, generator=gen).float()
        out.backward(upstream.to(dtype))
        results[label] = {
            "output": tensor_values(out.reshape(-1)),
            "grads": {key: tensor_values(leaf.grad.reshape(-1)) for key, leaf in leaves.items()},
        }
        shape = list(out.shape)
    return {
        "inputs": {key: {"shape": list(v.shape), "values": tensor_values(v.reshape(-1))} for key, v in values.items()},
        "outputShape": shape,
        "upstream": tensor_values(upstream.reshape(-1)),
        **results,
    }


def main(out: str) -> None:
    torch.set_num_threads(1)
    payload = {**versions(), "cases": {name: run_case(name) for name in CASES}}
    size = write_json(os.path.join(out, "shape_ops.json"), payload)
    print(f"shape_ops.json: {len(CASES)} cases, {size} bytes")


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures"))
