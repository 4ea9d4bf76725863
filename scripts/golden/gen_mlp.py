"""Golden fixtures for full MLP training: forward, backward and AdamW, 5 steps.

Writes into `<out>/mlp/`:

* `<model>.init.safetensors` - the initial float32 weights (state_dict names),
  drawn by nn.Linear's own reset_parameters under a fixed seed;
* `x.npy`, `y_mse.npy`, `y_bce.npy`, `y_ce.npy` - the batch (npy v1.0);
* `<run>.<dtype>.json` - the run description (layers, loss, optimizer
  hyper-parameters, file names), the loss of every step and diagnostics;
* `<run>.<dtype>.safetensors` - every parameter gradient of every step
  (`step<k>.grad.<name>`) and every parameter after every step
  (`step<k>.param.<name>`), in the run's dtype;
* `index.json` - the list of runs.

The float64 runs start from the float32 initial weights and data widened to
float64 (exact), so both dtypes train the very same network.

Run through `generate.py`; `main(out_dir)` is the entry point.
"""

from __future__ import annotations

import math
import os
from typing import Any, Dict, List, Tuple

import numpy as np
import torch
import torch.nn as nn

from common import (
    case_seed,
    cpu_capability,
    read_safetensors,
    versions,
    write_json,
    write_npy,
    write_safetensors,
)

STEPS = 5
BATCH = 32
IN_FEATURES = 10

#: Layer lists. Named layers carry parameters (state_dict prefix = name).
MODELS: Dict[str, List[Dict[str, Any]]] = {
    # The article's SimpleModel: fc1 -> ReLU -> fc2 -> fc3 (no nonlinearity
    # between fc2 and fc3).
    "simple": [
        {"type": "linear", "name": "fc1", "in_features": 10, "out_features": 100},
        {"type": "relu"},
        {"type": "linear", "name": "fc2", "in_features": 100, "out_features": 10},
        {"type": "linear", "name": "fc3", "in_features": 10, "out_features": 1},
    ],
    # Smooth activations and a LayerNorm, three classes.
    "act": [
        {"type": "linear", "name": "fc1", "in_features": 10, "out_features": 16},
        {"type": "tanh"},
        {"type": "layer_norm", "name": "ln1", "normalized_shape": 16, "eps": 1e-5},
        {"type": "linear", "name": "fc2", "in_features": 16, "out_features": 16},
        {"type": "gelu"},
        {"type": "linear", "name": "fc3", "in_features": 16, "out_features": 3},
    ],
}

#: Runs: name, model, loss, target array (a key of make_data), AdamW hyper-parameters.
RUNS: List[Dict[str, Any]] = [
    {"name": "simple_mse", "model": "simple", "loss": "mse", "target": "y_mse",
     "optimizer": {"type": "adamw", "lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8,
                   "weight_decay": 1e-2, "amsgrad": False}},
    {"name": "act_ce", "model": "act", "loss": "cross_entropy", "target": "y_ce",
     "optimizer": {"type": "adamw", "lr": 3e-3, "betas": [0.85, 0.995], "eps": 1e-6,
                   "weight_decay": 5e-2, "amsgrad": True}},
    {"name": "simple_bce", "model": "simple", "loss": "bce_with_logits", "target": "y_bce",
     "optimizer": {"type": "adamw", "lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8,
                   "weight_decay": 1e-2, "amsgrad": False}},
]

DTYPES = {"float32": torch.float32, "float64": torch.float64}


class SpecModel(nn.Module):
    """An MLP built from a layer list, with state_dict names from the list."""

    def __init__(self, layers: List[Dict[str, Any]]):
        super().__init__()
        self.layers = layers
        self.ops: List[Any] = []
        for i, spec in enumerate(layers):
            kind = spec["type"]
            if kind == "linear":
                mod: nn.Module = nn.Linear(spec["in_features"], spec["out_features"])
            elif kind == "layer_norm":
                mod = nn.LayerNorm(spec["normalized_shape"], eps=spec["eps"])
            elif kind == "relu":
                mod = nn.ReLU()
            elif kind == "tanh":
                mod = nn.Tanh()
            elif kind == "gelu":
                mod = nn.GELU()  # exact (erf) form, torch's default
            else:
                raise ValueError(kind)
            name = spec.get("name", f"act{i}")
            self.add_module(name, mod)
            self.ops.append((name, kind))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, float]:
        """Output and the smallest |input| seen by a ReLU (the kink margin)."""
        margin = math.inf
        for name, kind in self.ops:
            if kind == "relu":
                margin = min(margin, float(x.detach().abs().min()))
            x = getattr(self, name)(x)
        return x, margin


def make_data() -> Dict[str, np.ndarray]:
    """The shared batch: inputs and the three kinds of targets (seeded)."""
    torch.manual_seed(case_seed("mlp/data"))
    x = torch.randn(BATCH, IN_FEATURES, dtype=torch.float32)
    teacher = torch.randn(IN_FEATURES, 1, dtype=torch.float32)
    y_mse = torch.sin(x @ teacher) + 0.1 * torch.randn(BATCH, 1, dtype=torch.float32)
    y_bce = (x[:, :1] + x[:, 1:2] - 0.25 * x[:, 2:3] > 0).to(torch.float32)
    y_ce = torch.argmax(x[:, :3] + 0.5 * torch.randn(BATCH, 3, dtype=torch.float32), dim=1).to(torch.int64)
    return {"x": x.numpy(), "y_mse": y_mse.numpy(), "y_bce": y_bce.numpy(), "y_ce": y_ce.numpy()}


def make_initial_weights(model_name: str) -> Dict[str, np.ndarray]:
    """float32 initial weights from torch's default initialization (seeded)."""
    torch.manual_seed(case_seed(f"mlp/{model_name}/init"))
    model = SpecModel(MODELS[model_name])
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def loss_fn(kind: str) -> nn.Module:
    """The loss module (mean reduction, torch defaults)."""
    return {"mse": nn.MSELoss(), "bce_with_logits": nn.BCEWithLogitsLoss(), "cross_entropy": nn.CrossEntropyLoss()}[kind]


def train(run: Dict[str, Any], dtype: torch.dtype, init: Dict[str, np.ndarray],
          data: Dict[str, np.ndarray]) -> Dict[str, Any]:
    """Train `STEPS` full-batch AdamW steps; record losses, grads and params."""
    model = SpecModel(MODELS[run["model"]]).to(dtype)
    model.load_state_dict({k: torch.from_numpy(v).to(dtype) for k, v in init.items()})
    x = torch.from_numpy(data["x"]).to(dtype)
    target = torch.from_numpy(data[run["target"]])
    if target.dtype.is_floating_point:
        target = target.to(dtype)
    opt_cfg = run["optimizer"]
    opt = torch.optim.AdamW(model.parameters(), lr=opt_cfg["lr"], betas=tuple(opt_cfg["betas"]),
                            eps=opt_cfg["eps"], weight_decay=opt_cfg["weight_decay"], amsgrad=opt_cfg["amsgrad"])
    criterion = loss_fn(run["loss"])
    names = [n for n, _ in model.named_parameters()]
    losses: List[float] = []
    tensors: Dict[str, np.ndarray] = {}
    margin = math.inf
    for step in range(1, STEPS + 1):
        opt.zero_grad(set_to_none=True)
        out, m = model(x)
        margin = min(margin, m)
        loss = criterion(out, target)
        loss.backward()
        losses.append(float(loss.detach()))
        for name, p in model.named_parameters():
            tensors[f"step{step}.grad.{name}"] = p.grad.detach().numpy().copy()
        opt.step()
        for name, p in model.named_parameters():
            tensors[f"step{step}.param.{name}"] = p.detach().numpy().copy()
    return {"losses": losses, "tensors": tensors, "param_names": names, "relu_margin": margin}


def normwise_deviation(a: np.ndarray, ref: np.ndarray) -> float:
    """max|a - ref| / max|ref| (0 when both are all zeros)."""
    scale = float(np.abs(ref).max())
    diff = float(np.abs(a.astype(np.float64) - ref.astype(np.float64)).max())
    return diff / scale if scale > 0 else diff


def float32_vs_float64(r32: Dict[str, Any], r64: Dict[str, Any]) -> Dict[str, float]:
    """How far torch's own float32 run is from its float64 run (normwise, max over steps/tensors)."""
    out = {"loss": max(abs(a - b) / abs(b) for a, b in zip(r32["losses"], r64["losses"]))}
    for kind in ("grad", "param"):
        out[kind] = max(normwise_deviation(r32["tensors"][k], r64["tensors"][k])
                        for k in r32["tensors"] if f".{kind}." in k)
    return out


def main(out_dir: str) -> List[str]:
    """Write every MLP fixture into `<out_dir>/mlp`; returns the written paths."""
    mlp_dir = os.path.join(out_dir, "mlp")
    os.makedirs(mlp_dir, exist_ok=True)
    meta = {**versions(), "cpu_capability": cpu_capability(), "generator": "scripts/golden/generate.py (gen_mlp.py)"}
    written: List[str] = []

    data = make_data()
    for name, arr in data.items():
        path = os.path.join(mlp_dir, f"{name}.npy")
        write_npy(path, arr)
        written.append(path)

    inits = {}
    for model_name in MODELS:
        inits[model_name] = make_initial_weights(model_name)
        path = os.path.join(mlp_dir, f"{model_name}.init.safetensors")
        write_safetensors(path, inits[model_name], {**meta, "model": model_name})
        back = read_safetensors(path)
        assert all(np.array_equal(back[k], v) for k, v in inits[model_name].items())
        written.append(path)

    index = []
    for run in RUNS:
        results = {d: train(run, t, inits[run["model"]], data) for d, t in DTYPES.items()}
        deviation = float32_vs_float64(results["float32"], results["float64"])
        for dname, res in results.items():
            stem = f"{run['name']}.{dname}"
            st_path = os.path.join(mlp_dir, f"{stem}.safetensors")
            write_safetensors(st_path, res["tensors"], {**meta, "run": run["name"], "dtype": dname})
            doc = {
                "format": "weightscope-golden-mlp/1",
                **meta,
                "seed_names": {"data": "mlp/data", "init": f"mlp/{run['model']}/init"},
                "run": run["name"],
                "dtype": dname,
                "model": run["model"],
                "layers": MODELS[run["model"]],
                "param_names": res["param_names"],
                "loss": run["loss"],
                "loss_reduction": "mean",
                "optimizer": run["optimizer"],
                "steps": STEPS,
                "batch": BATCH,
                "files": {
                    "initial_weights": f"{run['model']}.init.safetensors",
                    "initial_weights_dtype": "float32 (widen exactly to the run dtype)",
                    "x": "x.npy",
                    "target": f"{run['target']}.npy",
                    "trajectory": f"{stem}.safetensors",
                },
                "trajectory_names": {"grad": "step<k>.grad.<param>", "param": "step<k>.param.<param> (after step k)"},
                "losses": res["losses"],
                "diagnostics": {
                    "relu_input_min_abs": res["relu_margin"] if math.isfinite(res["relu_margin"]) else None,
                    "torch_float32_vs_float64_normwise": deviation,
                },
            }
            js_path = os.path.join(mlp_dir, f"{stem}.json")
            write_json(js_path, doc)
            written += [st_path, js_path]
            index.append({"run": run["name"], "dtype": dname, "json": f"{stem}.json"})
            print(f"mlp {stem}: losses {', '.join(f'{v:.6g}' for v in res['losses'])}; "
                  f"relu margin {res['relu_margin']:.3g}; f32-vs-f64 {deviation}")
    index_path = os.path.join(mlp_dir, "index.json")
    write_json(index_path, {"format": "weightscope-golden-mlp-index/1", **meta, "runs": index})
    written.append(index_path)
    total = sum(os.path.getsize(p) for p in written)
    print(f"wrote {len(written)} files into {mlp_dir} ({total} bytes)")
    return written
