"""Golden fixture for the torch.nn module catalogue: state_dicts and initial distributions.

Writes `modules.json` into the output directory. For every constructor case
`nn.<type>(*args, **kwargs)` it records

* the `state_dict` keys in order, each with its shape, dtype and whether it is
  a parameter or a buffer, and `sum(p.numel() for p in m.parameters())`;
* for every floating tensor, statistics of torch's own initial values: the
  module is constructed again under `torch.manual_seed(k)` for k = 0, 1, …
  until at least SAMPLE_SIZE values of that tensor have been gathered, and
  n / mean / unbiased std / min / max / quantiles are computed in float64 (a
  tensor that comes out the same under two seeds is deterministic; its
  statistics are those of its values, from one construction);
* `_calculate_fan_in_and_fan_out` of every floating tensor with ≥ 2 dimensions;
* for invalid arguments, the class name and text of the exception torch raises.

No raw values are stored. Run through `generate.py`; `main(out_dir)` is the
entry point.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from typing import Any, Dict, List, Tuple

import numpy as np
import torch
import torch.nn as nn
from torch.nn.init import _calculate_fan_in_and_fan_out

from common import quantiles, torch_error, versions, write_json

#: Values gathered per floating tensor (construction repeated until reached).
SAMPLE_SIZE = 200_000

#: Quantile levels stored for every floating tensor.
QUANTILE_PROBS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]

#: A guard against a case whose smallest random tensor is tiny (each
#: construction adds only a few values): more constructions than this is a
#: mistake in the case list, not something to wait for.
MAX_CONSTRUCTIONS = 100_000


class Mod:
    """`nn.<type>(*args, **kwargs)`, usable as a case or as an argument of one."""

    def __init__(self, type_: str, *args: Any, **kwargs: Any) -> None:
        self.type = type_
        self.args = args
        self.kwargs = kwargs

    def build(self) -> nn.Module:
        args = [_build_arg(a) for a in self.args]
        kwargs = {k: _build_arg(v) for k, v in self.kwargs.items()}
        return getattr(nn, self.type)(*args, **kwargs)

    def call_text(self) -> str:
        """The call as Python source: `Conv2d(4, 8, 3, groups=2)`."""
        parts = [_arg_text(a) for a in self.args] + [f"{k}={_arg_text(v)}" for k, v in self.kwargs.items()]
        return f"{self.type}({', '.join(parts)})"

    def spec(self) -> Dict[str, Any]:
        """type, positional args and keyword args as JSON (a module argument is {"module": spec})."""
        return {"type": self.type, "args": [_arg_json(a) for a in self.args], "kwargs": {k: _arg_json(v) for k, v in self.kwargs.items()}}


def _build_arg(a: Any) -> Any:
    return a.build() if isinstance(a, Mod) else a


def _arg_text(a: Any) -> str:
    return a.call_text() if isinstance(a, Mod) else repr(a)


def _arg_json(a: Any) -> Any:
    if isinstance(a, Mod):
        return {"module": a.spec()}
    if isinstance(a, (list, tuple)):
        return [_arg_json(x) for x in a]
    if a is None or isinstance(a, (bool, int, float, str)):
        return a
    raise TypeError(f"argument {a!r} has no JSON form")


def M(type_: str, *args: Any, **kwargs: Any) -> Mod:
    return Mod(type_, *args, **kwargs)


#: Constructor cases that torch accepts. Every module of the catalogue with
#: parameters or buffers appears, with the options that change its tensors.
CASES: List[Mod] = [
    # nn.Linear, nn.Bilinear
    M("Linear", 20, 30),
    M("Linear", 7, 3, bias=False),
    M("Bilinear", 5, 7, 3),
    M("Bilinear", 4, 6, 10, bias=False),
    # convolutions: weight (out, in/groups, *k); transposed (in, out/groups, *k)
    M("Conv1d", 4, 16, 5),
    M("Conv1d", 6, 9, 3, groups=3, bias=False),
    M("Conv2d", 3, 16, 3),
    M("Conv2d", 4, 8, 3, groups=2),
    M("Conv2d", 3, 8, (3, 5), stride=2, bias=False),
    M("Conv2d", 3, 8, 3, padding="same", padding_mode="reflect"),
    M("Conv2d", 8, 8, 3, padding="valid", dilation=2, groups=8, padding_mode="circular"),
    M("Conv3d", 2, 8, 3),
    M("Conv3d", 4, 6, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1), groups=2, padding_mode="replicate"),
    M("ConvTranspose1d", 8, 12, 3, groups=2),
    M("ConvTranspose2d", 16, 8, 3, groups=4),
    M("ConvTranspose2d", 3, 6, (2, 4), stride=2, output_padding=1, bias=False),
    M("ConvTranspose3d", 4, 8, 3, dilation=2),
    # normalization
    M("BatchNorm1d", 10),
    M("BatchNorm1d", 10, track_running_stats=False),
    M("BatchNorm2d", 16),
    M("BatchNorm2d", 16, affine=False),
    M("BatchNorm3d", 8, eps=1e-3, momentum=None),
    M("SyncBatchNorm", 12),
    M("InstanceNorm1d", 6),
    M("InstanceNorm2d", 6, affine=True, track_running_stats=True),
    M("InstanceNorm3d", 4, affine=True),
    M("LayerNorm", 16),
    M("LayerNorm", [4, 5]),
    M("LayerNorm", 8, elementwise_affine=False),
    M("GroupNorm", 4, 16),
    M("GroupNorm", 2, 6, affine=False),
    # embeddings
    M("Embedding", 100, 16),
    M("Embedding", 50, 8, padding_idx=3),
    M("Embedding", 50, 8, padding_idx=-1),
    M("EmbeddingBag", 40, 6),
    M("EmbeddingBag", 40, 6, mode="sum"),
    M("EmbeddingBag", 30, 5, mode="max", padding_idx=0),
    # recurrent layers and cells
    M("RNN", 10, 20),
    M("RNN", 8, 16, num_layers=2, nonlinearity="relu"),
    M("RNN", 6, 12, bias=False, bidirectional=True),
    M("LSTM", 10, 20),
    M("LSTM", 10, 20, num_layers=2, bidirectional=True, proj_size=5),
    M("LSTM", 8, 16, bias=False, proj_size=4),
    M("GRU", 10, 20),
    M("GRU", 10, 20, bias=False),
    M("GRU", 6, 12, num_layers=3, batch_first=True, dropout=0.2),
    M("RNNCell", 10, 20),
    M("RNNCell", 10, 20, bias=False, nonlinearity="relu"),
    M("LSTMCell", 10, 20),
    M("GRUCell", 10, 20),
    # attention and transformers
    M("MultiheadAttention", 32, 4),
    M("MultiheadAttention", 32, 4, kdim=16, vdim=24),
    M("MultiheadAttention", 32, 4, add_bias_kv=True),
    M("MultiheadAttention", 32, 4, bias=False),
    M("MultiheadAttention", 16, 2, bias=False, add_bias_kv=True, add_zero_attn=True, kdim=8, batch_first=True),
    M("TransformerEncoderLayer", 32, 4, 64),
    M("TransformerEncoderLayer", 32, 4, 64, dropout=0.0, activation="gelu", batch_first=True, norm_first=True),
    M("TransformerDecoderLayer", 32, 4, 64),
    M("TransformerEncoder", M("TransformerEncoderLayer", 32, 4, 64), 2, norm=M("LayerNorm", 32)),
    M("TransformerDecoder", M("TransformerDecoderLayer", 32, 4, 64, norm_first=True), 2, norm=M("LayerNorm", 32)),
    M("Transformer", d_model=32, nhead=4, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=64),
    # PReLU and parameter-free modules
    M("PReLU"),
    M("PReLU", 3, init=0.1),
    M("ReLU"),
    M("GELU", approximate="tanh"),
    M("Dropout", 0.3),
    M("MaxPool2d", 2),
    M("Flatten"),
    M("Identity", 3, unused="x"),
]

#: Constructor calls torch rejects, with the check that fires.
ERROR_CASES: List[Mod] = [
    M("Conv2d", 3, 8, 3, groups=2),                        # in_channels % groups
    M("Conv2d", 4, 6, 3, groups=4),                        # out_channels % groups
    M("Conv1d", 4, 4, 3, groups=0),                        # groups <= 0
    M("Conv2d", 1, 1, 3, padding="same", stride=2),
    M("Conv2d", 1, 1, 3, padding="full"),
    M("Conv2d", 1, 1, 3, padding_mode="mirror"),
    M("ConvTranspose2d", 1, 1, 3, padding_mode="reflect"),
    M("GroupNorm", 3, 16),
    M("MultiheadAttention", 30, 4),
    M("TransformerEncoderLayer", 30, 4),                   # through its MultiheadAttention
    M("Embedding", 10, 4, padding_idx=10),
    M("Embedding", 10, 4, padding_idx=-11),
    M("EmbeddingBag", 10, 4, padding_idx=10),              # lower-case "padding_idx" in torch's text
    M("LSTM", 4, 8, proj_size=8),
    M("LSTM", 4, 8, proj_size=-1),
    M("LSTM", 4, 8, dropout=1.5),
    M("GRU", 4, 8, proj_size=2),
    M("RNN", 4, 8, nonlinearity="gelu"),
]

_PY_SET = re.compile(r"\{('[^']*'(?:, '[^']*')*)\}")


def _normalize_set_order(message: str) -> Tuple[str, bool]:
    """Sort the items of a Python set literal in an error message.

    Some torch messages format a set of strings (`{'valid', 'same'}`), whose
    iteration order depends on PYTHONHASHSEED; sorting makes the fixture
    reproducible. Returns the message and whether it contained such a set.
    """
    found = False

    def repl(m: "re.Match[str]") -> str:
        nonlocal found
        found = True
        items = sorted(s.strip() for s in m.group(1).split(","))
        return "{" + ", ".join(items) + "}"

    return _PY_SET.sub(repl, message), found


def _dtype_name(t: torch.Tensor) -> str:
    return str(t.dtype).replace("torch.", "")


def _construct(case: Mod, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        # e.g. GRU's "dropout option adds dropout after all but last recurrent layer"
        warnings.simplefilter("ignore")
        return case.build()


def _stats(values: np.ndarray, reps: int, deterministic: bool) -> Dict[str, Any]:
    arr = values.astype(np.float64)
    constant = bool(arr.min() == arr.max())
    return {
        "deterministic": deterministic,
        "reps": reps,
        "n": int(arr.size),
        "mean": float(arr.mean()),
        # An all-equal tensor has std 0 (also for a single value, where ddof=1 is undefined).
        "std": 0.0 if constant else float(arr.std(ddof=1)),
        "min": float(arr.min()),
        "max": float(arr.max()),
        "quantiles": quantiles(arr, QUANTILE_PROBS),
    }


def module_case(case: Mod) -> Dict[str, Any]:
    """state_dict layout, parameter count, fans and value statistics of one constructor call."""
    first = _construct(case, 0)
    second = _construct(case, 1)
    state = first.state_dict(keep_vars=True)
    other = second.state_dict(keep_vars=True)

    entries: List[Dict[str, Any]] = []
    random_names: List[str] = []
    reps_needed: Dict[str, int] = {}
    for name, t in state.items():
        entry: Dict[str, Any] = {
            "name": name,
            "shape": list(t.shape),
            "dtype": _dtype_name(t),
            "kind": "parameter" if isinstance(t, nn.Parameter) else "buffer",
        }
        if t.is_floating_point():
            if t.dim() >= 2:
                fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
                entry["fans"] = [int(fan_in), int(fan_out)]
            deterministic = bool(torch.equal(t.detach(), other[name].detach()))
            if deterministic:
                entry["stats"] = _stats(t.detach().numpy().reshape(-1), 1, True)
            else:
                # torch.nn.TransformerEncoder/Decoder deep-copy their layer: the
                # copies start with the values of the first one.
                for earlier in entries:
                    if earlier["name"] in random_names and earlier["shape"] == entry["shape"] and torch.equal(state[earlier["name"]].detach(), t.detach()):
                        entry["same_values_as"] = earlier["name"]
                        break
                random_names.append(name)
                reps_needed[name] = math.ceil(SAMPLE_SIZE / t.numel())
        else:
            # Integer buffers (num_batches_tracked): their values, exactly.
            values = t.detach().reshape(-1).tolist()
            if t.dim() == 0:
                entry["value"] = values[0]
            else:
                entry["values"] = values
        entries.append(entry)

    if random_names:
        copies = {e["name"]: e["same_values_as"] for e in entries if "same_values_as" in e}
        sampled = [name for name in random_names if name not in copies]
        total = max(reps_needed[name] for name in sampled)
        if total > MAX_CONSTRUCTIONS:
            raise AssertionError(f"{case.call_text()}: {total} constructions needed; use larger tensors")
        chunks: Dict[str, List[np.ndarray]] = {name: [] for name in sampled}
        for k in range(total):
            sd = first.state_dict() if k == 0 else _construct(case, k).state_dict()
            for name in sampled:
                if k < reps_needed[name]:
                    chunks[name].append(sd[name].detach().numpy().reshape(-1).copy())
            # A deep copy keeps its original's values in every construction, so
            # its statistics would repeat those of the entry it names.
            for name, original in copies.items():
                if k < reps_needed[name] and not torch.equal(sd[name], sd[original]):
                    raise AssertionError(f"{case.call_text()}: {name} differs from {original} under seed {k}")
        for entry in entries:
            if entry["name"] in chunks:
                entry["stats"] = _stats(np.concatenate(chunks[entry["name"]]), reps_needed[entry["name"]], False)

    return {
        "id": case.call_text(),
        **case.spec(),
        "param_count": int(sum(p.numel() for p in first.parameters())),
        "state_dict": entries,
    }


def error_case(case: Mod) -> Dict[str, Any]:
    """torch's exception for an invalid constructor call."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        err = torch_error(case.build)
    message, had_set = _normalize_set_order(err["message"])
    out: Dict[str, Any] = {"id": case.call_text(), **case.spec(), "error": {"type": err["type"], "message": message}}
    if had_set:
        out["error"]["message_set_sorted"] = True
    return out


def main(out_dir: str) -> str:
    """Build modules.json in `out_dir`; returns the written path."""
    ids = [c.call_text() for c in CASES + ERROR_CASES]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise AssertionError(f"duplicate case ids: {duplicates}")
    payload = {
        "format": "weightscope-golden-modules/1",
        "generator": "scripts/golden/generate.py (gen_modules.py)",
        **versions(),
        "sample_size": SAMPLE_SIZE,
        "seeds": "torch.manual_seed(k), k = 0 … reps − 1, one construction per k",
        "std_ddof": 1,
        "quantile_probs": QUANTILE_PROBS,
        "cases": [module_case(c) for c in CASES],
        "errors": [error_case(c) for c in ERROR_CASES],
    }
    path = os.path.join(out_dir, "modules.json")
    size = write_json(path, payload)
    print(f"wrote {path} ({size} bytes, {len(payload['cases'])} module cases, {len(payload['errors'])} error cases)")
    return path

