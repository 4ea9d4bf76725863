"""Golden fixtures for the convolutional, pooling, normalization, embedding,
recurrent and cross-entropy ops: torch's outputs and gradients on small
seeded inputs, in float64 and float32.

Writes `<out>/ops/cnn.json`:

* `cases[]`: `{name, op, options, inputs, ints, grads, upstream, results}`
  - `inputs`: float tensors `{shape, values}`, drawn in float32 and widened
    (exact), so the float32 and float64 runs see the very same numbers;
  - `ints`: integer tensors (class targets, token ids) `{shape, values}`;
  - `grads`: the names of the inputs whose gradients are recorded;
  - `upstream`: one `{shape, values}` per output: the op's outputs are
    reduced to φ = Σₖ Σ upstreamₖ ⊙ outputₖ before `backward` (absent for a
    loss that is a scalar: then φ is the loss);
  - `results[dtype]`: `outputs[]` (`{shape, values}`), `grads{}` and, for
    batch_norm in training, the running statistics after the update
    (`state{}`).

Run through `generate.py`, or alone:
    /usr/bin/python3 scripts/golden/gen_ops_cnn.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F

from common import case_seed, tensor_values, versions, write_json

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def spec(t: torch.Tensor) -> Dict[str, Any]:
    return {"shape": list(t.shape), "values": tensor_values(t.reshape(-1))}


class Case:
    """One op call: float inputs, integer inputs, options, and how to run it in torch."""

    def __init__(self, name: str, op: str, options: Dict[str, Any], shapes: Dict[str, List[int]],
                 run: Callable[..., Any], grads: Optional[List[str]] = None,
                 ints: Optional[Dict[str, torch.Tensor]] = None, scales: Optional[Dict[str, float]] = None,
                 positive: Optional[List[str]] = None, scalar: bool = False, state: Optional[List[str]] = None):
        self.name, self.op, self.options, self.run = name, op, options, run
        gen = torch.Generator().manual_seed(case_seed(name))
        self.inputs: Dict[str, torch.Tensor] = {}
        for key, shape in shapes.items():
            t = torch.randn(shape, generator=gen, dtype=torch.float32) * (scales or {}).get(key, 1.0)
            if key in (positive or []):
                t = t.abs() + 0.5
            self.inputs[key] = t
        self.ints = ints or {}
        self.grads = grads if grads is not None else [k for k in shapes if k not in (positive or [])]
        self.scalar = scalar
        self.state = state or []
        self.gen = gen

    def record(self) -> Dict[str, Any]:
        results: Dict[str, Any] = {}
        upstream: Optional[List[torch.Tensor]] = None
        for dname, dtype in DTYPES.items():
            leaves = {k: v.to(dtype).clone().requires_grad_(k in self.grads) for k, v in self.inputs.items()}
            outs = self.run(leaves, self.ints, self.options)
            outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
            if self.scalar:
                phi = outs[0]
            else:
                if upstream is None:
                    upstream = [torch.randn(o.shape, generator=self.gen, dtype=torch.float32) for o in outs]
                phi = sum((u.to(dtype) * o).sum() for u, o in zip(upstream, outs))
            phi.backward()
            entry: Dict[str, Any] = {
                "outputs": [spec(o.detach()) for o in outs],
                "grads": {k: tensor_values(leaves[k].grad.reshape(-1)) for k in self.grads},
            }
            if self.state:
                entry["state"] = {k: tensor_values(leaves[k].detach().reshape(-1)) for k in self.state}
            results[dname] = entry
        return {
            "name": self.name, "op": self.op, "options": self.options,
            "inputs": {k: spec(v) for k, v in self.inputs.items()},
            "ints": {k: spec(v) for k, v in self.ints.items()},
            "grads": self.grads,
            "upstream": None if upstream is None else [spec(u) for u in upstream],
            "results": results,
        }


def ints(name: str, shape: List[int], high: int, low: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(case_seed(name + "/ints"))
    return torch.randint(low, high, shape, generator=gen)


def conv_cases() -> List[Case]:
    def conv2d(t, _i, o):
        return F.conv2d(t["x"], t["weight"], t.get("bias"), stride=o["stride"], padding=o["padding"], dilation=o["dilation"], groups=o["groups"])

    def conv1d(t, _i, o):
        return F.conv1d(t["x"], t["weight"], t.get("bias"), stride=o["stride"], padding=o["padding"], dilation=o["dilation"], groups=o["groups"])

    def convt2d(t, _i, o):
        return F.conv_transpose2d(t["x"], t["weight"], t.get("bias"), stride=o["stride"], padding=o["padding"],
                                  output_padding=o["output_padding"], groups=o["groups"], dilation=o["dilation"])

    def convt1d(t, _i, o):
        return F.conv_transpose1d(t["x"], t["weight"], t.get("bias"), stride=o["stride"], padding=o["padding"],
                                  output_padding=o["output_padding"], groups=o["groups"], dilation=o["dilation"])

    c2 = lambda **o: {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, **o}
    ct = lambda **o: {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, "groups": 1, **o}
    return [
        Case("conv2d/mnist", "conv2d", c2(), {"x": [2, 1, 7, 7], "weight": [4, 1, 3, 3], "bias": [4]}, conv2d),
        Case("conv2d/stride-pad", "conv2d", c2(stride=2, padding=1), {"x": [2, 3, 6, 5], "weight": [4, 3, 3, 3], "bias": [4]}, conv2d),
        Case("conv2d/rect-dilation", "conv2d", c2(stride=[1, 2], padding=[2, 1], dilation=[2, 1]), {"x": [1, 2, 7, 6], "weight": [3, 2, 3, 2], "bias": [3]}, conv2d),
        Case("conv2d/groups", "conv2d", c2(groups=2, padding=1), {"x": [2, 4, 5, 5], "weight": [6, 2, 3, 3], "bias": [6]}, conv2d),
        Case("conv2d/depthwise-nobias", "conv2d", c2(groups=3, stride=2), {"x": [2, 3, 6, 6], "weight": [3, 1, 3, 3]}, conv2d),
        Case("conv2d/same-even", "conv2d", c2(padding="same", dilation=[1, 2]), {"x": [1, 2, 5, 6], "weight": [2, 2, 4, 2], "bias": [2]}, conv2d),
        Case("conv2d/valid-1x1", "conv2d", c2(padding="valid"), {"x": [2, 3, 4, 4], "weight": [5, 3, 1, 1], "bias": [5]}, conv2d),
        Case("conv1d/basic", "conv1d", c2(stride=2, padding=1), {"x": [2, 3, 9], "weight": [4, 3, 3], "bias": [4]}, conv1d),
        Case("conv1d/same-groups", "conv1d", c2(padding="same", groups=2, dilation=2), {"x": [2, 4, 8], "weight": [4, 2, 4], "bias": [4]}, conv1d),
        Case("conv_transpose2d/basic", "conv_transpose2d", ct(stride=2, padding=1, output_padding=1), {"x": [2, 3, 4, 3], "weight": [3, 2, 3, 3], "bias": [2]}, convt2d),
        Case("conv_transpose2d/groups-dilation", "conv_transpose2d", ct(stride=[2, 1], groups=2, dilation=[1, 2]), {"x": [1, 4, 3, 4], "weight": [4, 3, 2, 3], "bias": [6]}, convt2d),
        Case("conv_transpose2d/unet-up", "conv_transpose2d", ct(stride=2), {"x": [2, 4, 3, 3], "weight": [4, 2, 2, 2], "bias": [2]}, convt2d),
        Case("conv_transpose1d/basic", "conv_transpose1d", ct(stride=3, padding=1, output_padding=2), {"x": [2, 2, 5], "weight": [2, 3, 4], "bias": [3]}, convt1d),
    ]


def pool_cases() -> List[Case]:
    def maxp2(t, _i, o):
        return F.max_pool2d(t["x"], o["kernel_size"], o["stride"], o["padding"], o["dilation"], o["ceil_mode"])

    def maxp1(t, _i, o):
        return F.max_pool1d(t["x"], o["kernel_size"], o["stride"], o["padding"], o["dilation"], o["ceil_mode"])

    def avgp2(t, _i, o):
        return F.avg_pool2d(t["x"], o["kernel_size"], o["stride"], o["padding"], o["ceil_mode"], o["count_include_pad"], o["divisor_override"])

    def avgp1(t, _i, o):
        return F.avg_pool1d(t["x"], o["kernel_size"], o["stride"], o["padding"], o["ceil_mode"], o["count_include_pad"])

    def adapt2(t, _i, o):
        return F.adaptive_avg_pool2d(t["x"], o["output_size"])

    def adapt1(t, _i, o):
        return F.adaptive_avg_pool1d(t["x"], o["output_size"])

    mp = lambda **o: {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False, **o}
    ap = lambda **o: {"stride": None, "padding": 0, "ceil_mode": False, "count_include_pad": True, "divisor_override": None, **o}
    return [
        Case("max_pool2d/mnist", "max_pool2d", mp(kernel_size=2), {"x": [2, 3, 6, 6]}, maxp2),
        Case("max_pool2d/resnet", "max_pool2d", mp(kernel_size=3, stride=2, padding=1), {"x": [2, 2, 7, 8]}, maxp2),
        Case("max_pool2d/ceil-dilation", "max_pool2d", mp(kernel_size=[2, 3], stride=[2, 2], padding=[1, 1], dilation=[2, 1], ceil_mode=True), {"x": [1, 2, 8, 7]}, maxp2),
        Case("max_pool1d/ceil", "max_pool1d", mp(kernel_size=3, stride=2, ceil_mode=True), {"x": [2, 3, 8]}, maxp1),
        Case("avg_pool2d/pad-include", "avg_pool2d", ap(kernel_size=3, stride=2, padding=1), {"x": [2, 2, 7, 6]}, avgp2),
        Case("avg_pool2d/pad-exclude-ceil", "avg_pool2d", ap(kernel_size=[3, 2], stride=[2, 2], padding=[1, 1], ceil_mode=True, count_include_pad=False), {"x": [1, 2, 6, 7]}, avgp2),
        Case("avg_pool2d/divisor", "avg_pool2d", ap(kernel_size=2, divisor_override=3), {"x": [1, 2, 4, 4]}, avgp2),
        Case("avg_pool1d/basic", "avg_pool1d", ap(kernel_size=3, stride=2, padding=1, ceil_mode=True), {"x": [2, 2, 8]}, avgp1),
        Case("adaptive_avg_pool2d/global", "adaptive_avg_pool2d", {"output_size": [1, 1]}, {"x": [2, 3, 5, 4]}, adapt2),
        Case("adaptive_avg_pool2d/uneven", "adaptive_avg_pool2d", {"output_size": [3, 4]}, {"x": [2, 2, 7, 5]}, adapt2),
        Case("adaptive_avg_pool2d/none", "adaptive_avg_pool2d", {"output_size": [2, None]}, {"x": [1, 2, 5, 3]}, adapt2),
        Case("adaptive_avg_pool1d/uneven", "adaptive_avg_pool1d", {"output_size": 3}, {"x": [2, 2, 7]}, adapt1),
    ]


def norm_cases() -> List[Case]:
    def bn(t, _i, o):
        return F.batch_norm(t["x"], t.get("running_mean"), t.get("running_var"), t.get("weight"), t.get("bias"),
                            training=o["training"], momentum=o["momentum"], eps=o["eps"])

    def gn(t, _i, o):
        return F.group_norm(t["x"], o["num_groups"], t.get("weight"), t.get("bias"), o["eps"])

    stats = {"running_mean": [3], "running_var": [3]}
    return [
        Case("batch_norm/train-2d", "batch_norm", {"training": True, "momentum": 0.1, "eps": 1e-5},
             {"x": [4, 3, 3, 2], "weight": [3], "bias": [3], **stats}, bn, positive=["running_mean", "running_var"], state=["running_mean", "running_var"]),
        Case("batch_norm/train-1d-momentum", "batch_norm", {"training": True, "momentum": 0.3, "eps": 1e-3},
             {"x": [5, 3], "weight": [3], "bias": [3], **stats}, bn, positive=["running_mean", "running_var"], state=["running_mean", "running_var"]),
        Case("batch_norm/train-3d-no-affine", "batch_norm", {"training": True, "momentum": 0.1, "eps": 1e-5},
             {"x": [2, 3, 4], **stats}, bn, positive=["running_mean", "running_var"], state=["running_mean", "running_var"]),
        Case("batch_norm/eval", "batch_norm", {"training": False, "momentum": 0.1, "eps": 1e-5},
             {"x": [3, 3, 2, 2], "weight": [3], "bias": [3], **stats}, bn, positive=["running_mean", "running_var"]),
        Case("group_norm/4d", "group_norm", {"num_groups": 2, "eps": 1e-5}, {"x": [2, 4, 3, 2], "weight": [4], "bias": [4]}, gn),
        Case("group_norm/3d-no-affine", "group_norm", {"num_groups": 3, "eps": 1e-5}, {"x": [2, 6, 5]}, gn),
    ]


def embedding_cases() -> List[Case]:
    def emb(t, i, o):
        return F.embedding(i["indices"], t["weight"], padding_idx=o["padding_idx"])

    return [
        Case("embedding/basic", "embedding", {"padding_idx": None}, {"weight": [7, 4]}, emb, ints={"indices": ints("embedding/basic", [3, 5], 7)}),
        Case("embedding/padding", "embedding", {"padding_idx": 0},
             {"weight": [6, 3]}, emb, ints={"indices": torch.tensor([[0, 2, 5, 0], [1, 2, 2, 0]])}),
    ]


def loss_cases() -> List[Case]:
    def ce(t, i, o):
        return F.cross_entropy(t["x"], i["target"], ignore_index=o["ignore_index"], reduction=o["reduction"], label_smoothing=o["label_smoothing"])

    def nll(t, i, o):
        return F.nll_loss(t["x"], i["target"], ignore_index=o["ignore_index"], reduction=o["reduction"])

    opt = lambda **o: {"ignore_index": -100, "reduction": "mean", "label_smoothing": 0.0, **o}
    tgt_bt = ints("ce/bt", [12], 5)
    tgt_bt[3] = -1
    tgt_bt[7] = -1
    tgt_img = ints("ce/img", [2, 3, 2], 4)
    tgt_img[0, 1, 1] = 2
    tgt_img_ign = tgt_img.clone()
    tgt_img_ign[1, 2, 0] = -100
    return [
        Case("cross_entropy/bt-ignore-smooth", "cross_entropy", opt(ignore_index=-1, label_smoothing=0.1), {"x": [12, 5]}, ce, ints={"target": tgt_bt}, scalar=True),
        Case("cross_entropy/spatial", "cross_entropy", opt(), {"x": [2, 4, 3, 2]}, ce, ints={"target": tgt_img}, scalar=True),
        Case("cross_entropy/spatial-smooth-ignore", "cross_entropy", opt(label_smoothing=0.2), {"x": [2, 4, 3, 2]}, ce, ints={"target": tgt_img_ign}, scalar=True),
        Case("cross_entropy/spatial-sum", "cross_entropy", opt(reduction="sum", label_smoothing=0.05), {"x": [2, 4, 3, 2]}, ce, ints={"target": tgt_img_ign}, scalar=True),
        Case("cross_entropy/spatial-none", "cross_entropy", opt(reduction="none", label_smoothing=0.3), {"x": [2, 4, 3, 2]}, ce, ints={"target": tgt_img_ign}),
        Case("nll_loss/mnist", "nll_loss", opt(), {"x": [6, 4]}, nll, ints={"target": ints("nll/mnist", [6], 4)}, scalar=True),
        Case("nll_loss/spatial-ignore", "nll_loss", opt(ignore_index=2), {"x": [2, 4, 3, 2]}, nll, ints={"target": tgt_img}, scalar=True),
        Case("nll_loss/none", "nll_loss", opt(reduction="none", ignore_index=1), {"x": [5, 3]}, nll, ints={"target": ints("nll/none", [5], 3)}),
    ]


def rnn_weights(kind: str, input_size: int, hidden: int, layers: int, bidirectional: bool, bias: bool, proj: int = 0) -> Dict[str, List[int]]:
    gates = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}[kind]
    shapes: Dict[str, List[int]] = {}
    real = proj if proj > 0 else hidden
    for layer in range(layers):
        for direction in range(2 if bidirectional else 1):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            layer_in = input_size if layer == 0 else real * (2 if bidirectional else 1)
            shapes[f"weight_ih{suffix}"] = [gates * hidden, layer_in]
            shapes[f"weight_hh{suffix}"] = [gates * hidden, real]
            if bias:
                shapes[f"bias_ih{suffix}"] = [gates * hidden]
                shapes[f"bias_hh{suffix}"] = [gates * hidden]
            if proj > 0:
                shapes[f"weight_hr{suffix}"] = [proj, hidden]
    return shapes


def rnn_cases() -> List[Case]:
    def make(kind: str):
        def run(t, _i, o):
            cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn_tanh": torch.nn.RNN, "rnn_relu": torch.nn.RNN}[kind]
            kwargs = dict(input_size=o["input_size"], hidden_size=o["hidden_size"], num_layers=o["num_layers"], bias=o["bias"],
                          batch_first=o["batch_first"], bidirectional=o["bidirectional"])
            if kind == "lstm":
                kwargs["proj_size"] = o["proj_size"]
            if kind.startswith("rnn"):
                kwargs["nonlinearity"] = kind[4:]
            module = cls(**kwargs).to(t["x"].dtype)
            # The module's parameters are replaced by our leaves (functional call).
            for name in list(module._parameters):
                module._parameters[name] = t[name]
            module._flat_weights = [t[n] for n in module._flat_weights_names]
            hx = None
            if "h0" in t:
                hx = (t["h0"], t["c0"]) if kind == "lstm" else t["h0"]
            out, state = module(t["x"], hx)
            return (out, *state) if kind == "lstm" else (out, state)
        return run

    cases = []
    configs = [
        ("lstm/lm", "lstm", dict(input_size=4, hidden_size=5, num_layers=2, bias=True, batch_first=True, bidirectional=False, proj_size=0), [3, 4, 4], False),
        ("lstm/bidirectional-h0", "lstm", dict(input_size=3, hidden_size=4, num_layers=2, bias=True, batch_first=False, bidirectional=True, proj_size=0), [5, 2, 3], True),
        ("lstm/proj-nobias", "lstm", dict(input_size=3, hidden_size=5, num_layers=1, bias=False, batch_first=True, bidirectional=True, proj_size=2), [2, 4, 3], True),
        ("gru/bidirectional", "gru", dict(input_size=3, hidden_size=4, num_layers=2, bias=True, batch_first=True, bidirectional=True), [2, 5, 3], True),
        ("rnn/tanh", "rnn_tanh", dict(input_size=3, hidden_size=4, num_layers=2, bias=True, batch_first=False, bidirectional=False), [4, 2, 3], False),
        ("rnn/relu-bidirectional", "rnn_relu", dict(input_size=2, hidden_size=3, num_layers=1, bias=True, batch_first=True, bidirectional=True), [2, 3, 2], True),
    ]
    for name, kind, o, x_shape, with_h0 in configs:
        o = {"mode": kind, "proj_size": 0, **o}
        shapes = {"x": x_shape, **rnn_weights(kind, o["input_size"], o["hidden_size"], o["num_layers"], o["bidirectional"], o["bias"], o["proj_size"])}
        directions = 2 if o["bidirectional"] else 1
        batch = x_shape[0] if o["batch_first"] else x_shape[1]
        if with_h0:
            real = o["proj_size"] or o["hidden_size"]
            shapes["h0"] = [o["num_layers"] * directions, batch, real]
            if kind == "lstm":
                shapes["c0"] = [o["num_layers"] * directions, batch, o["hidden_size"]]
        scales = {k: 0.5 for k in shapes if k.startswith(("weight", "bias"))}
        cases.append(Case(name, kind, o, shapes, make(kind), scales=scales))
    return cases


def pad_cases() -> List[Case]:
    def pad(t, _i, o):
        return F.pad(t["x"], o["pad"], mode=o["mode"], value=o["value"]) if o["mode"] == "constant" else F.pad(t["x"], o["pad"], mode=o["mode"])

    return [
        Case("pad/constant-crop", "pad", {"pad": [1, -1, 2, 0], "mode": "constant", "value": 0.5}, {"x": [2, 2, 3, 4]}, pad),
        Case("pad/constant-leading", "pad", {"pad": [0, 1, 1, 1, 1, 0], "mode": "constant", "value": 0.0}, {"x": [2, 3, 2]}, pad),
        Case("pad/reflect-2d", "pad", {"pad": [2, 1, 1, 2], "mode": "reflect", "value": 0.0}, {"x": [2, 2, 3, 4]}, pad),
        Case("pad/replicate-1d", "pad", {"pad": [3, 1], "mode": "replicate", "value": 0.0}, {"x": [2, 3, 4]}, pad),
        Case("pad/circular-3d", "pad", {"pad": [1, 2, 0, 1, 2, 1], "mode": "circular", "value": 0.0}, {"x": [1, 2, 2, 3, 3]}, pad),
        Case("pad/reflect-unbatched", "pad", {"pad": [1, 1, 1, 1], "mode": "reflect", "value": 0.0}, {"x": [2, 3, 3]}, pad),
    ]


def interpolate_cases() -> List[Case]:
    def interp(t, _i, o):
        return F.interpolate(t["x"], size=o["size"], scale_factor=o["scale_factor"], mode=o["mode"], align_corners=o["align_corners"])

    opt = lambda **o: {"size": None, "scale_factor": None, "align_corners": None, **o}
    return [
        Case("interpolate/nearest-2x", "interpolate", opt(scale_factor=2, mode="nearest"), {"x": [2, 2, 3, 4]}, interp),
        Case("interpolate/nearest-size", "interpolate", opt(size=[5, 7], mode="nearest"), {"x": [1, 2, 3, 4]}, interp),
        Case("interpolate/nearest-1d-scale", "interpolate", opt(scale_factor=1.7, mode="nearest"), {"x": [2, 2, 5]}, interp),
        Case("interpolate/bilinear-align", "interpolate", opt(scale_factor=2, mode="bilinear", align_corners=True), {"x": [2, 2, 3, 4]}, interp),
        Case("interpolate/bilinear-size", "interpolate", opt(size=[5, 3], mode="bilinear", align_corners=False), {"x": [1, 2, 4, 6]}, interp),
        Case("interpolate/linear-scale", "interpolate", opt(scale_factor=2.5, mode="linear", align_corners=False), {"x": [2, 2, 4]}, interp),
    ]


def model_cases() -> List[Case]:
    """Small versions of the target models, composed from the ops above and the existing ones."""

    def mnist(t, i, _o):
        # PyTorch's MNIST example (examples/mnist/main.py) with fewer channels and a 10×10 image, no dropout.
        x = F.relu(F.conv2d(t["x"], t["conv1.weight"], t["conv1.bias"]))
        x = F.relu(F.conv2d(x, t["conv2.weight"], t["conv2.bias"]))
        x = torch.flatten(F.max_pool2d(x, 2), 1)
        x = F.relu(F.linear(x, t["fc1.weight"], t["fc1.bias"]))
        return F.nll_loss(F.log_softmax(F.linear(x, t["fc2.weight"], t["fc2.bias"]), dim=1), i["target"])

    def resnet(t, i, _o):
        # A ResNet basic block (training-mode BatchNorm), global average pooling and a linear head.
        def bn(x, name):
            return F.batch_norm(x, None, None, t[name + ".weight"], t[name + ".bias"], training=True)
        out = F.relu(bn(F.conv2d(t["x"], t["conv1.weight"], padding=1), "bn1"))
        out = F.relu(bn(F.conv2d(out, t["conv2.weight"], padding=1), "bn2") + t["x"])
        out = torch.flatten(F.adaptive_avg_pool2d(out, 1), 1)
        return F.cross_entropy(F.linear(out, t["fc.weight"], t["fc.bias"]), i["target"])

    def lstm_lm(t, i, _o):
        # Embedding, a batch_first LSTM and a decoder; the loss on the flattened (B·T, V) logits.
        module = torch.nn.LSTM(4, 6, batch_first=True).to(t["embedding.weight"].dtype)
        for name in list(module._parameters):
            module._parameters[name] = t["lstm." + name]
        module._flat_weights = [t["lstm." + n] for n in module._flat_weights_names]
        out, _ = module(F.embedding(i["tokens"], t["embedding.weight"]))
        logits = F.linear(out, t["decoder.weight"], t["decoder.bias"])
        return F.cross_entropy(logits.reshape(-1, 7), i["targets"].reshape(-1))

    small = lambda shapes: {k: 0.5 for k in shapes if k != "x"}
    mnist_shapes = {"x": [2, 1, 10, 10], "conv1.weight": [4, 1, 3, 3], "conv1.bias": [4], "conv2.weight": [8, 4, 3, 3],
                    "conv2.bias": [8], "fc1.weight": [16, 72], "fc1.bias": [16], "fc2.weight": [10, 16], "fc2.bias": [10]}
    resnet_shapes = {"x": [2, 4, 5, 5], "conv1.weight": [4, 4, 3, 3], "bn1.weight": [4], "bn1.bias": [4],
                     "conv2.weight": [4, 4, 3, 3], "bn2.weight": [4], "bn2.bias": [4], "fc.weight": [3, 4], "fc.bias": [3]}
    lstm_shapes = {"embedding.weight": [7, 4], "lstm.weight_ih_l0": [24, 4], "lstm.weight_hh_l0": [24, 6],
                   "lstm.bias_ih_l0": [24], "lstm.bias_hh_l0": [24], "decoder.weight": [7, 6], "decoder.bias": [7]}
    return [
        Case("model/mnist_cnn", "model_mnist_cnn", {}, mnist_shapes, mnist, ints={"target": torch.tensor([3, 7])},
             scales=small(mnist_shapes), scalar=True),
        Case("model/resnet_block", "model_resnet_block", {}, resnet_shapes, resnet, ints={"target": torch.tensor([2, 0])},
             scales=small(resnet_shapes), scalar=True),
        Case("model/lstm_lm", "model_lstm_lm", {}, lstm_shapes, lstm_lm,
             ints={"tokens": ints("model/lstm_lm/tokens", [2, 5], 7), "targets": ints("model/lstm_lm/targets", [2, 5], 7)},
             scales=small(lstm_shapes), scalar=True),
    ]


def main(out: str) -> None:
    torch.set_num_threads(1)
    cases = conv_cases() + pool_cases() + norm_cases() + embedding_cases() + loss_cases() + rnn_cases() + pad_cases() + interpolate_cases() + model_cases()
    payload = {**versions(), "cases": [c.record() for c in cases]}
    os.makedirs(os.path.join(out, "ops"), exist_ok=True)
    write_json(os.path.join(out, "ops", "cnn.json"), payload)
    print(f"ops/cnn.json: {len(cases)} cases")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(here)), "test", "fixtures"))
