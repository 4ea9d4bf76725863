"""Golden fixture for torch.nn.init: gains, fans, initializer theory and samples.

Writes `init.json` into the output directory. For every case it records

* what torch's own formula gives (re-derived here in Python, in the same
  operation order as torch's `torch/nn/init.py`, so the doubles are equal),
  which our engine's theory must reproduce to 1e-12;
* statistics of a large sample drawn by torch itself (min/max/mean/std and
  a set of quantiles), against which our engine's samples are compared
  statistically (our RNG is not torch's, so values cannot be equal);
* the exact error messages torch raises for invalid input.

Run through `generate.py`; `main(out_dir)` is the entry point.
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.init as init

from common import (
    BASE_SEED,
    case_seed,
    quantiles,
    summary,
    tensor_values,
    torch_error,
    versions,
    write_json,
)

#: Target size of each empirical sample (the initializer is re-applied to a
#: fresh tensor of the case's shape until at least this many values exist).
SAMPLE_SIZE = 200_000

#: Probabilities at which the empirical quantiles of torch's sample are kept.
QUANTILE_PROBS = [0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999]

#: Every nonlinearity name calculate_gain accepts, with the param to pass.
GAIN_CASES: List[Dict[str, Any]] = [
    {"nonlinearity": "linear"},
    {"nonlinearity": "conv1d"},
    {"nonlinearity": "conv2d"},
    {"nonlinearity": "conv3d"},
    {"nonlinearity": "conv_transpose1d"},
    {"nonlinearity": "conv_transpose2d"},
    {"nonlinearity": "conv_transpose3d"},
    {"nonlinearity": "sigmoid"},
    {"nonlinearity": "tanh"},
    {"nonlinearity": "relu"},
    {"nonlinearity": "selu"},
    {"nonlinearity": "leaky_relu"},
    {"nonlinearity": "leaky_relu", "param": 0},
    {"nonlinearity": "leaky_relu", "param": 0.01},
    {"nonlinearity": "leaky_relu", "param": 0.2},
    {"nonlinearity": "leaky_relu", "param": 1},
    {"nonlinearity": "leaky_relu", "param": -0.5},
    {"nonlinearity": "leaky_relu", "param": 3},
    {"nonlinearity": "leaky_relu", "param": math.sqrt(5)},
    # A param is ignored by every nonlinearity except leaky_relu.
    {"nonlinearity": "relu", "param": 0.2},
    {"nonlinearity": "tanh", "param": 7},
]

#: Inputs for which calculate_gain raises.
GAIN_ERROR_CASES: List[Dict[str, Any]] = [
    {"nonlinearity": "softmax"},
    {"nonlinearity": "gelu"},
    {"nonlinearity": "ReLU"},
    {"nonlinearity": ""},
    {"nonlinearity": "leaky_relu", "param": "0.2"},
    {"nonlinearity": "leaky_relu", "param": True},
    {"nonlinearity": "leaky_relu", "param": False},
]

FAN_SHAPES = [[100, 10], [10, 100], [3, 4, 5], [8, 3, 3, 3], [1, 1], [0, 5], [4, 3, 2, 2, 2]]
FAN_ERROR_SHAPES = [[5], []]


# ---------------------------------------------------------------------------
# torch's formulas, re-derived (same operation order as torch/nn/init.py)
# ---------------------------------------------------------------------------


def formula_fans(shape: Sequence[int]) -> Dict[str, int]:
    """fan_in = size(1)·receptive field, fan_out = size(0)·receptive field."""
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return {"fan_in": shape[1] * receptive, "fan_out": shape[0] * receptive}


def formula_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """calculate_gain for the valid inputs (mirrors torch's branches)."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                        "conv_transpose2d", "conv_transpose3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(nonlinearity)


def uniform_theory(low: float, high: float) -> Dict[str, float]:
    """U(low, high): bounds, mean and standard deviation."""
    return {"low": low, "high": high, "mean": (low + high) / 2, "std": (high - low) / math.sqrt(12.0)}


def norm_cdf(x: float) -> float:
    """Standard normal CDF exactly as torch's trunc_normal_ computes it."""
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def norm_pdf(x: float) -> float:
    """Standard normal density."""
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def trunc_normal_theory(mean: float, std: float, a: float, b: float) -> Dict[str, float]:
    """torch's intermediate values for trunc_normal_ plus the moments of N(mean, std²) truncated to [a, b]."""
    l = norm_cdf((a - mean) / std)
    u = norm_cdf((b - mean) / std)
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = u - l
    pa, pb = norm_pdf(alpha), norm_pdf(beta)
    t_mean = mean + std * (pa - pb) / z
    t_var = std * std * (1 + (alpha * pa - beta * pb) / z - ((pa - pb) / z) ** 2)
    return {
        "cdf_low": l,
        "cdf_high": u,
        "uniform_low": 2 * l - 1,
        "uniform_high": 2 * u - 1,
        "low": a,
        "high": b,
        "param_mean": mean,
        "param_std": std,
        "mean": t_mean,
        "std": math.sqrt(t_var),
    }


def kaiming_theory(shape: Sequence[int], a: float, mode: str, nonlinearity: str) -> Dict[str, float]:
    """fan, gain, scale_std = gain/sqrt(fan), bound = sqrt(3)·scale_std."""
    fans = formula_fans(shape)
    fan = fans["fan_in"] if mode.lower() == "fan_in" else fans["fan_out"]
    gain = formula_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return {"fan": fan, "gain": gain, "scale_std": std, "bound": bound}


def xavier_theory(shape: Sequence[int], gain: float) -> Dict[str, float]:
    """scale_std = gain·sqrt(2/(fan_in+fan_out)), bound = sqrt(3)·scale_std."""
    fans = formula_fans(shape)
    std = gain * math.sqrt(2.0 / float(fans["fan_in"] + fans["fan_out"]))
    return {**fans, "gain": gain, "scale_std": std, "bound": math.sqrt(3.0) * std}


# ---------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------


def draw(case_id: str, shape: Sequence[int], apply: Callable[[torch.Tensor], Any]) -> np.ndarray:
    """Re-apply an initializer to fresh float32 tensors until SAMPLE_SIZE values exist.

    Returns an array of shape (reps, *shape) in float32.
    """
    torch.manual_seed(case_seed(case_id))
    numel = int(np.prod(shape))
    reps = max(1, math.ceil(SAMPLE_SIZE / numel))
    out = np.empty((reps, *shape), dtype=np.float32)
    for r in range(reps):
        t = torch.empty(shape, dtype=torch.float32)
        apply(t)
        out[r] = t.numpy()
    return out


def sample_stats(values: np.ndarray, seed: int) -> Dict[str, Any]:
    """Summary statistics and quantiles of a flat float sample."""
    flat = values.reshape(-1)
    return {**summary(flat), "seed": seed, "quantiles": quantiles(flat, QUANTILE_PROBS)}


def random_case(case_id: str, fn: str, shape: List[int], args: Dict[str, Any], family: str,
                theory: Dict[str, Any], apply: Callable[[torch.Tensor], Any]) -> Dict[str, Any]:
    """One random initializer case: theory from the formula, statistics from torch's sample."""
    sample = draw(case_id, shape, apply)
    case = {"id": case_id, "fn": fn, "shape": shape, "args": args, "family": family,
            "theory": theory, "sample": {"reps": int(sample.shape[0]), **sample_stats(sample, case_seed(case_id))}}
    return case


def orthogonal_case(shape: List[int], gain: float) -> Dict[str, Any]:
    """orthogonal_: (semi-)orthogonality residual and element statistics."""
    case_id = f"orthogonal_/{shape}/gain={gain!r}"
    rows = shape[0]
    cols = int(np.prod(shape)) // rows
    sample = draw(case_id, shape, lambda t: init.orthogonal_(t, gain=gain))
    residual = 0.0
    for w in sample.reshape(sample.shape[0], rows, cols).astype(np.float64):
        gram = w @ w.T if rows < cols else w.T @ w
        residual = max(residual, float(np.abs(gram - gain * gain * np.eye(gram.shape[0])).max()))
    theory = {"rows": rows, "cols": cols, "gain": gain, "mean": 0.0,
              "std": gain / math.sqrt(max(rows, cols)), "gram": "W W^T" if rows < cols else "W^T W"}
    return {"id": case_id, "fn": "orthogonal_", "shape": shape, "args": {"gain": gain}, "family": "orthogonal",
            "theory": theory,
            "sample": {"reps": int(sample.shape[0]), **sample_stats(sample, case_seed(case_id)),
                       "gram_max_abs_error": residual}}


def sparse_case(shape: List[int], sparsity: float, std: float) -> Dict[str, Any]:
    """sparse_: exact zero count per column and statistics of the non-zeros."""
    case_id = f"sparse_/{shape}/sparsity={sparsity!r}/std={std!r}"
    rows, cols = shape
    sample = draw(case_id, shape, lambda t: init.sparse_(t, sparsity, std=std))
    zeros_per_col = (sample == 0).sum(axis=1)  # (reps, cols)
    nonzero = sample[sample != 0]
    num_zeros = int(math.ceil(sparsity * rows))
    theory = {"rows": rows, "cols": cols, "num_zeros_per_column": num_zeros, "mean": 0.0, "std": std}
    return {"id": case_id, "fn": "sparse_", "shape": shape, "args": {"sparsity": sparsity, "std": std},
            "family": "sparse", "theory": theory,
            "sample": {"reps": int(sample.shape[0]),
                       "zeros_per_column_min": int(zeros_per_col.min()),
                       "zeros_per_column_max": int(zeros_per_col.max()),
                       "nonzero": {**summary(nonzero), "quantiles": quantiles(nonzero, QUANTILE_PROBS)},
                       "seed": case_seed(case_id)}}


def linear_case(in_features: int, out_features: int) -> Dict[str, Any]:
    """nn.Linear's reset_parameters: kaiming_uniform_(a=sqrt(5)) weight, U(±1/sqrt(fan_in)) bias."""
    case_id = f"linear_reset_parameters/{in_features}x{out_features}"
    torch.manual_seed(case_seed(case_id))
    reps = max(1, math.ceil(SAMPLE_SIZE / (in_features * out_features)))
    bias_reps = max(reps, math.ceil(SAMPLE_SIZE / out_features))
    weights, biases = [], []
    for r in range(bias_reps):
        layer = nn.Linear(in_features, out_features)
        if r < reps:
            weights.append(layer.weight.detach().numpy().copy())
        biases.append(layer.bias.detach().numpy().copy())
    w_theory = kaiming_theory([out_features, in_features], math.sqrt(5), "fan_in", "leaky_relu")
    fan_in = formula_fans([out_features, in_features])["fan_in"]
    bias_bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    return {
        "id": case_id, "fn": "linear_reset_parameters", "shape": [out_features, in_features],
        "args": {"in_features": in_features, "out_features": out_features}, "family": "linear",
        "theory": {
            "weight": {**w_theory, **uniform_theory(-w_theory["bound"], w_theory["bound"]), "a": math.sqrt(5)},
            "bias": {"fan_in": fan_in, "bound": bias_bound, **uniform_theory(-bias_bound, bias_bound)},
        },
        "sample": {
            "weight": {"reps": reps, **sample_stats(np.stack(weights), case_seed(case_id))},
            "bias": {"reps": bias_reps, **sample_stats(np.stack(biases), case_seed(case_id))},
        },
    }


def exact_case(fn: str, shape: List[int], args: Dict[str, Any], apply: Callable[[torch.Tensor], Any]) -> Dict[str, Any]:
    """A deterministic initializer: the exact float32 values torch writes."""
    t = torch.full(shape, float("nan"), dtype=torch.float32)
    apply(t)
    return {"id": f"{fn}/{shape}/{args}", "fn": fn, "shape": shape, "args": args, "family": "exact",
            "values": tensor_values(t.reshape(-1))}


# ---------------------------------------------------------------------------
# Sections of the fixture
# ---------------------------------------------------------------------------


def gains_section() -> Dict[str, Any]:
    """calculate_gain values (checked against the formula) and error messages."""
    values = []
    for case in GAIN_CASES:
        got = init.calculate_gain(case["nonlinearity"], case.get("param"))
        expected = formula_gain(case["nonlinearity"], case.get("param"))
        assert got == expected, (case, got, expected)
        values.append({**case, "gain": float(got)})
    errors = [{**case, **torch_error(init.calculate_gain, case["nonlinearity"], case.get("param"))}
              for case in GAIN_ERROR_CASES]
    return {"values": values, "errors": errors}


def fans_section() -> Dict[str, Any]:
    """_calculate_fan_in_and_fan_out for several shapes, and its error text."""
    values = []
    for shape in FAN_SHAPES:
        fan_in, fan_out = init._calculate_fan_in_and_fan_out(torch.empty(shape))
        assert {"fan_in": fan_in, "fan_out": fan_out} == formula_fans(shape)
        values.append({"shape": shape, "fan_in": fan_in, "fan_out": fan_out})
    errors = [{"shape": shape, **torch_error(init._calculate_fan_in_and_fan_out, torch.empty(shape))}
              for shape in FAN_ERROR_SHAPES]
    return {"values": values, "errors": errors}


def initializer_cases() -> List[Dict[str, Any]]:
    """Every random and deterministic initializer case."""
    cases: List[Dict[str, Any]] = []

    for low, high, shape in [(0.0, 1.0, [100, 10]), (-0.3, 0.7, [3, 4, 5])]:
        cases.append(random_case(f"uniform_/{shape}/{low!r},{high!r}", "uniform_", shape, {"a": low, "b": high},
                                 "uniform", uniform_theory(low, high), lambda t, a=low, b=high: init.uniform_(t, a, b)))
    for mean, std, shape in [(0.0, 1.0, [100, 10]), (0.5, 0.02, [8, 3, 3, 3])]:
        cases.append(random_case(f"normal_/{shape}/{mean!r},{std!r}", "normal_", shape, {"mean": mean, "std": std},
                                 "normal", {"mean": mean, "std": std},
                                 lambda t, m=mean, s=std: init.normal_(t, m, s)))
    for mean, std, a, b, shape in [(0.0, 1.0, -2.0, 2.0, [100, 10]), (0.0, 0.02, -0.04, 0.04, [10, 100]),
                                   (1.0, 2.0, 0.0, 5.0, [3, 4, 5])]:
        cases.append(random_case(f"trunc_normal_/{shape}/{mean!r},{std!r},{a!r},{b!r}", "trunc_normal_", shape,
                                 {"mean": mean, "std": std, "a": a, "b": b}, "trunc_normal",
                                 trunc_normal_theory(mean, std, a, b),
                                 lambda t, m=mean, s=std, lo=a, hi=b: init.trunc_normal_(t, m, s, lo, hi)))

    for shape in [[100, 10], [10, 100], [8, 3, 3, 3]]:
        for gain_name, gain in [("1", 1.0), ("relu", init.calculate_gain("relu")), ("tanh", init.calculate_gain("tanh"))]:
            th = xavier_theory(shape, gain)
            cases.append(random_case(f"xavier_uniform_/{shape}/gain={gain_name}", "xavier_uniform_", shape,
                                     {"gain": gain}, "uniform", {**th, **uniform_theory(-th["bound"], th["bound"])},
                                     lambda t, g=gain: init.xavier_uniform_(t, gain=g)))
            cases.append(random_case(f"xavier_normal_/{shape}/gain={gain_name}", "xavier_normal_", shape,
                                     {"gain": gain}, "normal", {**th, "mean": 0.0, "std": th["scale_std"]},
                                     lambda t, g=gain: init.xavier_normal_(t, gain=g)))

    kaiming_variants = [
        (0, "leaky_relu"),  # the defaults
        (0.2, "leaky_relu"),
        (math.sqrt(5), "leaky_relu"),
        (0, "relu"),
        (0, "tanh"),
        (0, "linear"),
        (0, "selu"),
    ]
    for shape in [[100, 10], [8, 3, 3, 3]]:
        for mode in ["fan_in", "fan_out"]:
            for a, nonlin in kaiming_variants:
                th = kaiming_theory(shape, a, mode, nonlin)
                args = {"a": a, "mode": mode, "nonlinearity": nonlin}
                cases.append(random_case(f"kaiming_uniform_/{shape}/{mode}/{nonlin}/a={a!r}", "kaiming_uniform_",
                                         shape, args, "uniform", {**th, **uniform_theory(-th["bound"], th["bound"])},
                                         lambda t, k=args: init.kaiming_uniform_(t, **k)))
                cases.append(random_case(f"kaiming_normal_/{shape}/{mode}/{nonlin}/a={a!r}", "kaiming_normal_",
                                         shape, args, "normal", {**th, "mean": 0.0, "std": th["scale_std"]},
                                         lambda t, k=args: init.kaiming_normal_(t, **k)))
    # torch lower-cases the mode before checking it.
    upper = {"a": 0, "mode": "FAN_OUT", "nonlinearity": "relu"}
    th = kaiming_theory([100, 10], 0, "fan_out", "relu")
    cases.append(random_case("kaiming_uniform_/[100, 10]/FAN_OUT/relu/a=0", "kaiming_uniform_", [100, 10], upper,
                             "uniform", {**th, **uniform_theory(-th["bound"], th["bound"])},
                             lambda t: init.kaiming_uniform_(t, **upper)))

    for shape, gain in [([100, 10], 1.0), ([10, 100], 1.0), ([64, 64], init.calculate_gain("relu")), ([8, 3, 3, 3], 0.5)]:
        cases.append(orthogonal_case(shape, gain))
    for shape, sparsity, std in [([100, 10], 0.1, 0.01), ([10, 100], 0.25, 0.01), ([50, 20], 0.9, 0.5)]:
        cases.append(sparse_case(shape, sparsity, std))
    for fan_in, fan_out in [(10, 100), (100, 10), (10, 1), (64, 3)]:
        cases.append(linear_case(fan_in, fan_out))

    cases.append(exact_case("constant_", [2, 3], {"val": 0.3}, lambda t: init.constant_(t, 0.3)))
    cases.append(exact_case("constant_", [4], {"val": -1.5}, lambda t: init.constant_(t, -1.5)))
    cases.append(exact_case("ones_", [2, 3, 2], {}, init.ones_))
    cases.append(exact_case("zeros_", [3, 2], {}, init.zeros_))
    for shape in [[3, 5], [4, 2], [3, 3]]:
        cases.append(exact_case("eye_", shape, {}, init.eye_))
    for shape, groups in [([4, 2, 3], 1), ([2, 3, 3, 3], 1), ([4, 2, 3, 3], 2), ([2, 2, 1, 3, 3], 1)]:
        cases.append(exact_case("dirac_", shape, {"groups": groups}, lambda t, g=groups: init.dirac_(t, g)))
    return cases


def initializer_errors() -> List[Dict[str, Any]]:
    """Invalid calls and the exact exception torch raises for each."""
    calls: List[Dict[str, Any]] = [
        {"fn": "eye_", "shape": [2, 3, 4], "args": {}},
        {"fn": "eye_", "shape": [5], "args": {}},
        {"fn": "sparse_", "shape": [5], "args": {"sparsity": 0.1}},
        {"fn": "sparse_", "shape": [2, 3, 4], "args": {"sparsity": 0.1}},
        {"fn": "orthogonal_", "shape": [5], "args": {}},
        {"fn": "dirac_", "shape": [3, 4], "args": {}},
        {"fn": "dirac_", "shape": [3, 4, 5], "args": {"groups": 2}},
        {"fn": "xavier_uniform_", "shape": [5], "args": {}},
        {"fn": "xavier_normal_", "shape": [], "args": {}},
        {"fn": "kaiming_uniform_", "shape": [5], "args": {}},
        {"fn": "kaiming_normal_", "shape": [5], "args": {}},
        {"fn": "kaiming_uniform_", "shape": [3, 4], "args": {"mode": "fan_avg"}},
        {"fn": "kaiming_normal_", "shape": [3, 4], "args": {"mode": "FAN_AVG"}},
        # mode is validated before the fans are computed
        {"fn": "kaiming_uniform_", "shape": [5], "args": {"mode": "fan_avg"}},
        {"fn": "kaiming_uniform_", "shape": [3, 4], "args": {"nonlinearity": "softmax"}},
        {"fn": "kaiming_normal_", "shape": [3, 4], "args": {"nonlinearity": "gelu"}},
        # ATen's own checks (RuntimeError); doubles are printed with 6 significant digits
        {"fn": "uniform_", "shape": [3], "args": {"a": 1.0, "b": 0.0}},
        {"fn": "uniform_", "shape": [3], "args": {"a": 1.5, "b": 0.25}},
        {"fn": "uniform_", "shape": [3], "args": {"a": 1 / 3, "b": -0.1}},
        {"fn": "normal_", "shape": [3], "args": {"mean": 0.0, "std": -1.0}},
        {"fn": "normal_", "shape": [3], "args": {"mean": 0.0, "std": -1 / 3}},
        # torch does not validate a > b: the error comes from the inner uniform_
        {"fn": "trunc_normal_", "shape": [3], "args": {"mean": 0.0, "std": 1.0, "a": 2.0, "b": -2.0}},
    ]
    out = []
    for call in calls:
        fn = getattr(init, call["fn"])
        out.append({**call, **torch_error(fn, torch.empty(call["shape"]), **call["args"])})
    return out


def initializer_warnings() -> List[Dict[str, Any]]:
    """Warnings torch emits for questionable but accepted calls."""
    out = []
    for fn, shape, args in [("trunc_normal_", [10], {"mean": 5.0, "std": 1.0, "a": -2.0, "b": 2.0}),
                            ("kaiming_uniform_", [0, 3], {}), ("kaiming_normal_", [4, 0], {})]:
        torch.manual_seed(BASE_SEED)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(init, fn)(torch.empty(shape), **args)
        out.append({"fn": fn, "shape": shape, "args": args, "messages": [str(w.message) for w in caught]})
    return out


def main(out_dir: str) -> str:
    """Build init.json in `out_dir`; returns the written path."""
    payload = {
        "format": "weightscope-golden-init/1",
        "generator": "scripts/golden/generate.py (gen_init.py)",
        **versions(),
        "seed": BASE_SEED,
        "sample_size": SAMPLE_SIZE,
        "std_ddof": 1,
        "quantile_probs": QUANTILE_PROBS,
        "calculate_gain": gains_section(),
        "fans": fans_section(),
        "initializers": initializer_cases(),
        "errors": initializer_errors(),
        "warnings": initializer_warnings(),
    }
    path = os.path.join(out_dir, "init.json")
    size = write_json(path, payload)
    print(f"wrote {path} ({size} bytes, {len(payload['initializers'])} initializer cases)")
    return path
