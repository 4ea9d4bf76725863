"""Golden fixtures for the optimizers: torch.optim.AdamW, Adam and SGD.

Writes into `<out>/optim/`:

* `inputs.json` - the parameters (state_dict names, several shapes, sizes
  that are and are not multiples of the 8/16-float SIMD blocks) and one
  seeded random gradient per parameter per step, in float32. The float64
  cases use the same numbers widened to float64 (exact).
* `adam.json`, `sgd.json` - one case per (optimizer, hyper-parameters,
  dtype): torch's keyword arguments, optional param groups and lr scheduler,
  the lr torch used at every step, and every parameter after the last step.
* `errors.json` - torch's argument-validation messages.

Tensors are stored as the base64 of their raw little-endian bytes
(`{"dtype", "shape", "b64"}`), which is exact and about 4x smaller than
decimal text. Every file records torch's and numpy's versions.

torch runs single-threaded with foreach=False (1.13's default on CPU), so
`_single_tensor_adamw` / `_single_tensor_adam` / `_single_tensor_sgd` run.

Run on its own (`/usr/bin/python3 scripts/golden/gen_optim.py [OUT_DIR]`,
default test/fixtures) or through generate.py, which calls `main(out_dir)`.
"""

from __future__ import annotations

import base64
import math
import os
import sys
from typing import Any, Callable, Dict, List

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from common import case_seed, torch_error, versions, write_json  # noqa: E402

STEPS = 12

#: Parameter shapes: a 2-D [100, 10], a 1-D [100], and sizes that are not
#: multiples of 8 (37, 5, 1), so both the vector body and the scalar tail of
#: torch's CPU kernels run.
SHAPES: Dict[str, List[int]] = {
    "fc1.weight": [100, 10],
    "fc1.bias": [100],
    "fc2.weight": [1, 37],
    "fc2.bias": [1],
    "norm.weight": [5],
}

#: Names excluded from decay in the param-group cases (biases, norm weights).
NO_DECAY = ["fc1.bias", "fc2.bias", "norm.weight"]


def encode(t: torch.Tensor) -> Dict[str, Any]:
    """Exact, compact encoding of a tensor: base64 of its little-endian bytes."""
    arr = t.detach().cpu().contiguous().numpy()
    arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    return {"dtype": str(arr.dtype.name), "shape": list(arr.shape), "b64": base64.b64encode(arr.tobytes()).decode("ascii")}


def make_inputs() -> Dict[str, Any]:
    """Initial parameters and per-step gradients (float32, seeded).

    Gradients are normal numbers times a log-uniform scale in [e^-3, e^3], so
    that the moments span several binades and rounding differences show.
    """
    gen = torch.Generator().manual_seed(case_seed("optim/inputs"))

    def draw(shape: List[int]) -> torch.Tensor:
        scale = torch.exp(torch.rand(shape, generator=gen) * 6 - 3)
        return (torch.randn(shape, generator=gen) * scale).to(torch.float32)

    params = {name: draw(shape) * 0.3 for name, shape in SHAPES.items()}
    grads = [{name: draw(shape) for name, shape in SHAPES.items()} for _ in range(STEPS)]
    return {"params": params, "grads": grads}


Scheduler = Callable[[torch.optim.Optimizer], Any]

#: LR schedulers by name; the TypeScript test maps each to a closed-form schedule.
SCHEDULERS: Dict[str, Scheduler] = {
    "cosine": lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=1e-4),
    "step": lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
    "exponential": lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.8),
    "warmup_cosine": lambda opt: torch.optim.lr_scheduler.LambdaLR(
        opt, lambda t: (t + 0.0) / 4 if t < 4 else 0.5 * (1 + math.cos(math.pi * (t - 4) / 8))
    ),
}


def run_case(inputs: Dict[str, Any], case: Dict[str, Any]) -> Dict[str, Any]:
    """Run one optimizer over STEPS steps; return the case with its results."""
    dtype = getattr(torch, case["dtype"])
    params = {name: p.clone().to(dtype).requires_grad_(True) for name, p in inputs["params"].items()}
    cls = getattr(torch.optim, case["optimizer"])
    kwargs = dict(case["kwargs"])
    if "groups" in case:
        spec = [{**g, "params": [params[n] for n in g["params"]]} for g in case["groups"]]
        opt = cls(spec, foreach=False, **kwargs)
    else:
        opt = cls(list(params.values()), foreach=False, **kwargs)
    sched = SCHEDULERS[case["scheduler"]](opt) if "scheduler" in case else None
    lrs: List[List[float]] = []
    for grads in inputs["grads"]:
        for name, p in params.items():
            p.grad = grads[name].clone().to(dtype)
        lrs.append([float(g["lr"]) for g in opt.param_groups])
        opt.step()
        if sched is not None:
            sched.step()
    out = dict(case)
    out["lrs"] = lrs
    out["final"] = {name: encode(p) for name, p in params.items()}
    return out


def adam_cases() -> List[Dict[str, Any]]:
    f32, f64 = "float32", "float64"
    cases: List[Dict[str, Any]] = [
        {"id": "adamw-defaults", "optimizer": "AdamW", "dtype": f32, "kwargs": {}},
        {"id": "adamw-lr1e-2-wd0.1", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 1e-2, "weight_decay": 0.1}},
        {"id": "adamw-no-decay", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 3e-3, "weight_decay": 0.0}},
        {"id": "adamw-amsgrad", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 1e-2, "weight_decay": 0.05, "amsgrad": True}},
        {"id": "adamw-maximize", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 1e-2, "weight_decay": 0.1, "maximize": True}},
        {"id": "adamw-large-eps", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 1e-2, "eps": 0.1}},
        {"id": "adamw-b1-0-b2-0.5", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 1e-2, "betas": [0.0, 0.5]}},
        {"id": "adamw-b1-0.5-b2-0.9", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 5e-2, "betas": [0.5, 0.9], "weight_decay": 0.3}},
        {"id": "adamw-cosine", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 1e-2, "weight_decay": 0.1}, "scheduler": "cosine"},
        {"id": "adamw-step", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 1e-2, "weight_decay": 0.1}, "scheduler": "step"},
        {"id": "adamw-exponential", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 1e-2}, "scheduler": "exponential"},
        {"id": "adamw-warmup-cosine", "optimizer": "AdamW", "dtype": f32, "kwargs": {"lr": 1e-2, "weight_decay": 0.1}, "scheduler": "warmup_cosine"},
        {
            "id": "adamw-groups-no-decay",
            "optimizer": "AdamW",
            "dtype": f32,
            "kwargs": {"lr": 1e-2, "weight_decay": 0.1},
            "groups": [
                {"params": [n for n in SHAPES if n not in NO_DECAY]},
                {"params": NO_DECAY, "weight_decay": 0.0, "lr": 3e-3},
            ],
        },
        {
            "id": "adamw-no-decay-group",
            "optimizer": "AdamW",
            "dtype": f32,
            "kwargs": {"lr": 1e-2, "weight_decay": 0.2},
            "groups": [{"params": [n for n in SHAPES if n not in NO_DECAY]}, {"params": NO_DECAY, "weight_decay": 0.0}],
        },
        {"id": "adam-defaults", "optimizer": "Adam", "dtype": f32, "kwargs": {}},
        {"id": "adam-l2", "optimizer": "Adam", "dtype": f32, "kwargs": {"lr": 1e-2, "weight_decay": 0.1}},
        {"id": "adam-amsgrad-l2-maximize", "optimizer": "Adam", "dtype": f32, "kwargs": {"lr": 1e-2, "weight_decay": 0.05, "amsgrad": True, "maximize": True}},
        {"id": "adamw-defaults-f64", "optimizer": "AdamW", "dtype": f64, "kwargs": {}},
        {"id": "adamw-amsgrad-f64", "optimizer": "AdamW", "dtype": f64, "kwargs": {"lr": 1e-2, "weight_decay": 0.1, "amsgrad": True}},
        {"id": "adamw-cosine-f64", "optimizer": "AdamW", "dtype": f64, "kwargs": {"lr": 1e-2, "weight_decay": 0.1}, "scheduler": "cosine"},
        {"id": "adam-l2-f64", "optimizer": "Adam", "dtype": f64, "kwargs": {"lr": 1e-2, "weight_decay": 0.1, "betas": [0.0, 0.5]}},
    ]
    return cases


def sgd_cases() -> List[Dict[str, Any]]:
    f32, f64 = "float32", "float64"
    return [
        {"id": "sgd-plain", "optimizer": "SGD", "dtype": f32, "kwargs": {"lr": 0.1}},
        {"id": "sgd-momentum", "optimizer": "SGD", "dtype": f32, "kwargs": {"lr": 0.05, "momentum": 0.9}},
        {"id": "sgd-dampening", "optimizer": "SGD", "dtype": f32, "kwargs": {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}},
        {"id": "sgd-nesterov", "optimizer": "SGD", "dtype": f32, "kwargs": {"lr": 0.05, "momentum": 0.9, "nesterov": True}},
        {"id": "sgd-weight-decay", "optimizer": "SGD", "dtype": f32, "kwargs": {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}},
        {"id": "sgd-maximize", "optimizer": "SGD", "dtype": f32, "kwargs": {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1, "maximize": True}},
        {"id": "sgd-step", "optimizer": "SGD", "dtype": f32, "kwargs": {"lr": 0.1, "momentum": 0.9}, "scheduler": "step"},
        {"id": "sgd-nesterov-f64", "optimizer": "SGD", "dtype": f64, "kwargs": {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}},
        {"id": "sgd-dampening-f64", "optimizer": "SGD", "dtype": f64, "kwargs": {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}},
    ]


def error_cases() -> List[Dict[str, Any]]:
    """torch's ValueError for invalid hyper-parameters, in its order of checks."""
    bad: List[Dict[str, Any]] = []
    for name in ["Adam", "AdamW"]:
        for kwargs in [
            {"lr": -1e-3},
            {"eps": -1e-8},
            {"betas": [1.0, 0.999]},
            {"betas": [-0.1, 0.999]},
            {"betas": [0.9, 1.0]},
            {"betas": [0.9, -2.5e-05]},
            {"weight_decay": -0.01},
            {"lr": -1.0, "eps": -1.0},
        ]:
            bad.append({"optimizer": name, "kwargs": kwargs})
    for kwargs in [
        {"lr": -0.1},
        {"lr": 0.1, "momentum": -0.5},
        {"lr": 0.1, "weight_decay": -1e-05},
        {"lr": 0.1, "nesterov": True},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
    ]:
        bad.append({"optimizer": "SGD", "kwargs": kwargs})
    p = [torch.zeros(3, requires_grad=True)]
    for case in bad:
        kwargs = {k: tuple(v) if k == "betas" else v for k, v in case["kwargs"].items()}
        case.update(torch_error(getattr(torch.optim, case["optimizer"]), p, **kwargs))
    return bad


def main(out_dir: str) -> None:
    torch.set_num_threads(1)
    folder = os.path.join(out_dir, "optim")
    inputs = make_inputs()
    meta = {**versions(), "cpu_capability": torch.__config__.show().split("CPU capability usage: ")[-1].split("\n")[0].strip()}
    written = write_json(
        os.path.join(folder, "inputs.json"),
        {
            **meta,
            "steps": STEPS,
            "params": {name: encode(p) for name, p in inputs["params"].items()},
            "grads": [{name: encode(g) for name, g in step.items()} for step in inputs["grads"]],
        },
    )
    for file, cases in [("adam.json", adam_cases()), ("sgd.json", sgd_cases())]:
        written += write_json(os.path.join(folder, file), {**meta, "steps": STEPS, "cases": [run_case(inputs, c) for c in cases]})
    written += write_json(os.path.join(folder, "errors.json"), {**meta, "cases": error_cases()})
    print(f"optim: wrote {written} bytes to {folder}")


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(HERE)), "test", "fixtures"))
