"""Golden fixture for torch's own random numbers: `torch_rng.json`.

Every case seeds torch's default CPU generator with `torch.manual_seed(seed)`
and records the tensor torch then makes (the generator's raw words through
`randint`, the `uniform_`/`normal_`/`bernoulli_` kernels in float32 and
float64 at sizes below, at and above the vector kernel's block of 16,
`randperm`, every `torch.nn.init` function, every module's default
initialization, whole models, and a short training run), so that the engine's
generator can be checked bit for bit without Python.

A tensor of at most INLINE_LIMIT elements is stored whole; a larger one as its
first HEAD values, its float64 sum and the CRC-32 of its little-endian bytes.
Values are JSON doubles that equal the float32 (or float64) values exactly.

Run directly (`/usr/bin/python3 scripts/golden/gen_torch_rng.py [OUT_DIR]`) or
through `generate.py`; `main(out_dir)` is the entry point.
"""

from __future__ import annotations

import math
import os
import sys
import zlib
from typing import Any, Callable, Dict, List

import numpy as np
import torch
import torch.nn as nn

from common import cpu_capability, versions, write_json

INLINE_LIMIT = 48
HEAD = 8


def tensor_record(t: torch.Tensor) -> Dict[str, Any]:
    """A tensor as the fixture stores it (whole, or head + sum + CRC-32)."""
    t = t.detach().contiguous()
    arr = t.numpy()
    rec: Dict[str, Any] = {"dtype": str(arr.dtype), "shape": list(arr.shape)}
    flat = arr.reshape(-1)
    if flat.size <= INLINE_LIMIT:
        rec["values"] = flat.astype(np.float64).tolist() if arr.dtype.kind == "f" else flat.tolist()
    else:
        rec["head"] = flat[:HEAD].astype(np.float64).tolist() if arr.dtype.kind == "f" else flat[:HEAD].tolist()
        rec["sum"] = float(flat.astype(np.float64).sum())
        rec["crc32"] = zlib.crc32(flat.astype(arr.dtype.newbyteorder("<")).tobytes())
    return rec


def seeded(seed: int, make: Callable[[], torch.Tensor]) -> Dict[str, Any]:
    torch.manual_seed(seed)
    return tensor_record(make())


def primitive_cases() -> List[Dict[str, Any]]:
    """The generator's words and the sampling kernels on fresh tensors."""
    cases: List[Dict[str, Any]] = []

    def add(case_id: str, op: str, seed: int, args: Dict[str, Any], make: Callable[[], torch.Tensor]) -> None:
        cases.append({"id": case_id, "op": op, "seed": seed, "args": args, "result": seeded(seed, make)})

    for seed in (0, 1, 12345):
        add(f"randint31-{seed}", "randint", seed, {"low": 0, "high": 2**31, "n": 40}, lambda: torch.randint(0, 2**31, (40,)))
    add("randint40-0", "randint", 0, {"low": -5, "high": 2**40, "n": 12}, lambda: torch.randint(-5, 2**40, (12,)))
    add("randint10-3", "randint", 3, {"low": 3, "high": 13, "n": 30}, lambda: torch.randint(3, 13, (30,)))
    for dtype in ("float32", "float64"):
        dt = getattr(torch, dtype)
        for n in (1, 5, 16, 17, 33, 1000):
            for lo, hi in ((0.0, 1.0), (-0.3, 0.3), (-1 / math.sqrt(7), 1 / math.sqrt(7)), (2.5, 7.25)):
                seed = n + 7
                add(f"uniform-{dtype}-{n}-{lo:.4g}-{hi:.4g}", "uniform", seed, {"dtype": dtype, "n": n, "from": lo, "to": hi},
                    lambda: torch.empty(n, dtype=dt).uniform_(lo, hi))
        for n in (1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 100, 1000, 4099):
            for mean, std in ((0.0, 1.0), (0.5, 0.02), (-1.0, 3.0)):
                seed = n
                add(f"normal-{dtype}-{n}-{mean:g}-{std:g}", "normal", seed, {"dtype": dtype, "n": n, "mean": mean, "std": std},
                    lambda: torch.empty(n, dtype=dt).normal_(mean, std))
        for p in (0.5, 0.1, 0.9):
            add(f"bernoulli-{dtype}-{p}", "bernoulli", 5, {"dtype": dtype, "n": 40, "p": p}, lambda: torch.empty(40, dtype=dt).bernoulli_(p))
    # The cached second normal of a scalar pair carries over to the next small tensor.
    def cached_pair() -> torch.Tensor:
        a = torch.empty(3).normal_()
        b = torch.empty(3).normal_()
        c = torch.empty(20).normal_()
        d = torch.empty(1).normal_()
        return torch.cat([a, b, c, d])
    add("normal-cache", "normal-sequence", 2, {"sizes": [3, 3, 20, 1]}, cached_pair)
    for n in (1, 2, 10, 100, 1000):
        add(f"randperm-{n}", "randperm", 11, {"n": n}, lambda: torch.randperm(n))
    add("randn-5", "normal", 4, {"dtype": "float32", "n": 5, "mean": 0.0, "std": 1.0}, lambda: torch.randn(5))
    add("randn-40", "normal", 4, {"dtype": "float32", "n": 40, "mean": 0.0, "std": 1.0}, lambda: torch.randn(40))
    add("rand-7", "uniform", 4, {"dtype": "float32", "n": 7, "from": 0.0, "to": 1.0}, lambda: torch.rand(7))
    return cases


def next_words() -> List[int]:
    """Four draws of random() % 2^31 after a case: they show that the generator was advanced exactly."""
    return torch.randint(0, 2**31, (4,)).tolist()


#: torch.nn.init calls: (name, keyword arguments), each on every shape of INIT_SHAPES it accepts.
INIT_CALLS = [
    ("uniform_", {"a": -0.5, "b": 2.0}),
    ("normal_", {"mean": 0.1, "std": 0.3}),
    ("trunc_normal_", {}),
    ("trunc_normal_", {"mean": 0.0, "std": 0.02, "a": -0.04, "b": 0.04}),
    ("trunc_normal_", {"mean": 1.0, "std": 2.0, "a": 0.5, "b": 6.0}),
    ("xavier_uniform_", {}),
    ("xavier_normal_", {"gain": 2.0}),
    ("kaiming_uniform_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {}),
    ("kaiming_normal_", {"a": 0.2, "mode": "fan_out"}),
    ("orthogonal_", {}),
    ("orthogonal_", {"gain": 1.5}),
    ("sparse_", {"sparsity": 0.1}),
    ("sparse_", {"sparsity": 0.5, "std": 0.2}),
]

#: Below, at and above the vector kernel's 16 elements; odd sizes; a convolution weight.
INIT_SHAPES = [[3, 5], [4, 4], [7, 3], [5, 9], [20, 30], [16, 3, 3, 3]]


def initializer_cases() -> List[Dict[str, Any]]:
    cases = []
    for fn, kwargs in INIT_CALLS:
        for shape in INIT_SHAPES:
            if fn == "sparse_" and len(shape) != 2:
                continue
            for dtype in ("float32", "float64"):
                seed = 100 + len(cases)
                torch.manual_seed(seed)
                t = torch.empty(shape, dtype=getattr(torch, dtype))
                getattr(nn.init, fn)(t, **kwargs)
                cases.append({"id": f"{fn}({kwargs}) {shape} {dtype}", "fn": fn, "args": kwargs, "shape": shape, "dtype": dtype,
                              "seed": seed, "result": tensor_record(t), "next": next_words()})
    # Fills in sequence share one generator: a small normal_ leaves a cached value for the next small one.
    torch.manual_seed(3)
    tensors = [torch.empty(3), torch.empty(5), torch.empty(2, 9), torch.empty(1)]
    nn.init.normal_(tensors[0])
    nn.init.normal_(tensors[1], 0.5, 2.0)
    nn.init.xavier_normal_(tensors[2])
    nn.init.trunc_normal_(tensors[3])
    cases.append({"id": "sequence", "fn": "sequence", "args": {}, "shape": [27], "dtype": "float32", "seed": 3,
                  "result": tensor_record(torch.cat([t.reshape(-1) for t in tensors])), "next": next_words()})
    return cases


def module_cases() -> List[Dict[str, Any]]:
    """Every module of the catalogue's golden cases, constructed right after torch.manual_seed(0)."""
    import gen_modules

    cases = []
    for mod in gen_modules.CASES:
        torch.manual_seed(0)
        m = mod.build()
        tensors = [{"name": k, "result": tensor_record(v)} for k, v in m.state_dict().items() if v.dtype == torch.float32]
        cases.append({"id": mod.call_text(), "spec": mod.spec(), "seed": 0, "tensors": tensors, "next": next_words()})
    return cases


#: Whole models as Python source: the engine reads the same text (never runs it) and must draw the same tensors.
MODEL_SOURCES = {
    "SimpleModel": """
import torch
import torch.nn as nn

class SimpleModel(nn.Module):
    def __init__(self):
        super(SimpleModel, self).__init__()
        self.fc1 = nn.Linear(10, 100)
        self.fc2 = nn.Linear(100, 10)
        self.fc3 = nn.Linear(10, 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.fc1(x))
        x = self.fc2(x)
        x = self.fc3(x)
        return x
""",
    "DeepMLP": """
import torch
import torch.nn as nn

class DeepMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(12, 64), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(64, 33), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(33, 3),
        )
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.net(x)
""",
    "SmallCNN": """
import torch
import torch.nn as nn

class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 3 * 3, 10)
        nn.init.trunc_normal_(self.conv2.weight, std=0.02)
        nn.init.normal_(self.fc.weight, std=0.01)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.pool(torch.relu(self.conv2(x)))
        return self.fc(torch.flatten(x, 1))
""",
    # A chain of layers whose code fills one parameter twice and fills out of layer order: every fill draws, in
    # the order the code runs.
    "RefilledChain": """
import torch
import torch.nn as nn

class RefilledChain(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 32)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(32, 4)
        nn.init.normal_(self.fc2.weight, std=0.1)
        nn.init.normal_(self.fc1.weight, std=0.5)
        nn.init.xavier_uniform_(self.fc1.weight)
        nn.init.uniform_(self.fc2.bias)
        nn.init.uniform_(self.fc2.bias, -0.2, 0.2)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))
""",
    # A chain whose code fills one parameter twice, in layer order otherwise.
    "RefilledInOrder": """
import torch
import torch.nn as nn

class RefilledInOrder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 20)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(20, 3)
        nn.init.normal_(self.fc1.weight, std=0.5)
        nn.init.kaiming_normal_(self.fc1.weight, nonlinearity='relu')
        nn.init.uniform_(self.fc1.bias, -0.1, 0.1)
        nn.init.normal_(self.fc2.weight, std=0.1)
        nn.init.normal_(self.fc2.weight, std=0.2)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))
""",
    # One fill per tensor, but not layer by layer, and layers built in another order than forward applies them.
    "FilledOutOfOrder": """
import torch
import torch.nn as nn

class FilledOutOfOrder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc2 = nn.Linear(24, 5)
        self.fc1 = nn.Linear(7, 24)
        self.relu = nn.ReLU()
        nn.init.normal_(self.fc2.weight, std=0.1)
        nn.init.normal_(self.fc1.bias, std=0.3)
        nn.init.xavier_normal_(self.fc1.weight)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))
""",
    # A Sequential filled after construction, not in layer order.
    "net": """
import torch
import torch.nn as nn

net = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
nn.init.normal_(net[4].weight, std=0.05)
nn.init.normal_(net[0].weight, std=0.2)
""",
    # nn.TransformerEncoder deep-copies its layer (after the code's fill of it), so every copy starts from the
    # same values; the fills after construction draw for each copy in turn.
    "ClonedEncoder": """
import torch
import torch.nn as nn

class ClonedEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 32)
        layer = nn.TransformerEncoderLayer(32, 4, 64, batch_first=True)
        nn.init.normal_(layer.linear1.weight, std=0.02)
        self.encoder = nn.TransformerEncoder(layer, 3)
        self.head = nn.Linear(32, 50)
        for block in self.encoder.layers:
            nn.init.normal_(block.linear2.weight, std=0.01)

    def forward(self, x):
        return self.head(self.encoder(self.emb(x)))
""",
}


#: Model files (*.nn.json) and the torch code they mean: the whole model built first (every module's
#: reset_parameters in construction order), then the file's own fills. In a module tree: bottom-up (a module's
#: submodules' fills, its own tensors', then its own `init` entries, in order), the model's own tensors, and the
#: top-level patterns last in state_dict order; a module given as a constructor argument is built and filled before
#: the module that takes it. In a chain (`layers` of Linear, activation, Dropout, LayerNorm): layer by layer.
MODEL_FILES = {
    "OverlappingInits": ("""{
  "version": 1,
  "name": "OverlappingInits",
  "class": "OverlappingInits",
  "seed": 3,
  "layers": [
    { "name": "emb", "type": "Embedding", "num_embeddings": 20, "embedding_dim": 16,
      "init": { "weight": { "fn": "normal_", "std": 0.02 } } },
    { "name": "block", "type": "Module", "class": "Block",
      "modules": {
        "attn": { "type": "MultiheadAttention", "embed_dim": 16, "num_heads": 2, "batch_first": true,
                  "init": { "out_proj.weight": "xavier_normal_", "in_proj_bias": { "fn": "uniform_", "a": -0.1, "b": 0.1 } } },
        "fc": { "type": "Linear", "in_features": 16, "out_features": 32, "init": { "weight": "kaiming_uniform_" } }
      },
      "parameters": { "gate": { "shape": [32], "init": "normal_" } },
      "init": {
        "attn.out_proj.weight": [{ "fn": "normal_", "std": 0.02 }, { "scale": 0.5 }],
        "fc.weight": { "fn": "normal_", "std": 0.1 },
        "fc.bias": "uniform_"
      } },
    { "name": "head", "type": "Linear", "in_features": 32, "out_features": 20 }
  ],
  "parameters": { "pos": { "shape": [1, 8, 16], "init": { "fn": "normal_", "std": 0.02 } } },
  "init": { "*.weight": "xavier_uniform_", "head.bias": "zeros_" }
}
""", """
import torch
import torch.nn as nn

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 2, batch_first=True)
        self.fc = nn.Linear(16, 32)
        self.gate = nn.Parameter(torch.empty(32))

class OverlappingInits(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 16)
        self.block = Block()
        self.head = nn.Linear(32, 20)
        self.pos = nn.Parameter(torch.empty(1, 8, 16))

torch.manual_seed(3)
model = OverlappingInits()
with torch.no_grad():
    nn.init.normal_(model.emb.weight, std=0.02)
    nn.init.xavier_normal_(model.block.attn.out_proj.weight)
    nn.init.uniform_(model.block.attn.in_proj_bias, a=-0.1, b=0.1)
    nn.init.kaiming_uniform_(model.block.fc.weight)
    nn.init.normal_(model.block.gate)
    nn.init.normal_(model.block.attn.out_proj.weight, std=0.02)
    model.block.attn.out_proj.weight.mul_(0.5)
    nn.init.normal_(model.block.fc.weight, std=0.1)
    nn.init.uniform_(model.block.fc.bias)
    nn.init.normal_(model.pos, std=0.02)
    nn.init.xavier_uniform_(model.head.weight)
    nn.init.zeros_(model.head.bias)
"""),
    "FilledPrototype": ("""{
  "version": 1,
  "name": "FilledPrototype",
  "seed": 11,
  "layers": [
    { "name": "proj", "type": "Linear", "in_features": 12, "out_features": 16, "init": { "bias": { "fn": "normal_", "std": 0.5 } } },
    { "name": "encoder", "type": "TransformerEncoder", "num_layers": 2,
      "encoder_layer": { "type": "TransformerEncoderLayer", "d_model": 16, "nhead": 2, "dim_feedforward": 24,
                         "init": { "linear1.weight": { "fn": "normal_", "std": 0.02 } } },
      "init": { "layers.1.linear2.weight": { "fn": "normal_", "std": 0.01 } } },
    { "name": "head", "type": "Linear", "in_features": 16, "out_features": 5, "init": { "weight": "xavier_normal_" } }
  ]
}
""", """
import torch
import torch.nn as nn

torch.manual_seed(11)
proj = nn.Linear(12, 16)
layer = nn.TransformerEncoderLayer(16, 2, 24)
with torch.no_grad():
    nn.init.normal_(layer.linear1.weight, std=0.02)
encoder = nn.TransformerEncoder(layer, 2)
head = nn.Linear(16, 5)
model = nn.Sequential()
model.add_module("proj", proj)
model.add_module("encoder", encoder)
model.add_module("head", head)
with torch.no_grad():
    nn.init.normal_(model.proj.bias, std=0.5)
    nn.init.normal_(model.encoder.layers[1].linear2.weight, std=0.01)
    nn.init.xavier_normal_(model.head.weight)
"""),
    # A chain: once every layer is built, layer by layer (weight, then bias), each tensor's own init, else the first
    # pattern that matches it.
    # The torch code is the one "Open as PyTorch script" writes for it (test/unit/run/export.test.ts checks that).
    "ChainOwnAndPatterns": ("""{
  "version": 1,
  "name": "ChainOwnAndPatterns",
  "input": 6,
  "seed": 4,
  "layers": [
    { "name": "fc1", "type": "Linear", "out_features": 24 },
    { "type": "ReLU" },
    { "name": "fc2", "type": "Linear", "out_features": 24, "init": { "weight": { "fn": "normal_", "std": 0.1 } } },
    { "type": "Tanh" },
    { "name": "fc3", "type": "Linear", "out_features": 3,
      "init": { "bias": { "fn": "uniform_", "a": -0.5, "b": 0.5 }, "weight": "linear_default_" } }
  ],
  "init": { "fc?.weight": "xavier_normal_", "*.bias": { "fn": "normal_", "std": 0.01 } }
}
""", """
import math
from collections import OrderedDict

import torch
from torch import nn

torch.manual_seed(4)
model = nn.Sequential(OrderedDict([
    ("fc1", nn.Linear(6, 24)),
    ("1", nn.ReLU()),
    ("fc2", nn.Linear(24, 24)),
    ("3", nn.Tanh()),
    ("fc3", nn.Linear(24, 3)),
]))

with torch.no_grad():
    nn.init.xavier_normal_(model.fc1.weight)
    nn.init.normal_(model.fc1.bias, std=0.01)
    nn.init.normal_(model.fc2.weight, std=0.1)
    nn.init.normal_(model.fc2.bias, std=0.01)
    nn.init.kaiming_uniform_(model.fc3.weight, a=math.sqrt(5))  # nn.Linear's default
    nn.init.uniform_(model.fc3.bias, a=-0.5, b=0.5)
"""),
}


def model_file_cases() -> List[Dict[str, Any]]:
    cases = []
    for name, (text, source) in MODEL_FILES.items():
        scope: Dict[str, Any] = {}
        exec(compile(source, f"<{name}>", "exec"), scope)  # noqa: S102 - our own fixture source; seeds, builds, fills
        m = scope["model"]
        tensors = [{"name": k, "result": tensor_record(v)} for k, v in m.state_dict().items() if v.dtype == torch.float32]
        cases.append({"name": name, "text": text, "source": source, "tensors": tensors, "next": next_words()})
    return cases


def model_cases() -> List[Dict[str, Any]]:
    cases = []
    for name, source in MODEL_SOURCES.items():
        scope: Dict[str, Any] = {}
        torch.manual_seed(0)  # a model built at module level (an nn.Sequential) is built by the source itself
        exec(compile(source, f"<{name}>", "exec"), scope)  # noqa: S102 - our own fixture source
        m = scope[name]
        if not isinstance(m, nn.Module):
            torch.manual_seed(0)
            m = m()
        tensors = [{"name": k, "result": tensor_record(v)} for k, v in m.state_dict().items() if v.dtype == torch.float32]
        cases.append({"name": name, "source": source, "seed": 0, "tensors": tensors, "next": next_words()})
    return cases


#: The article's SimpleModel with a Dropout, its AdamW and a shuffling DataLoader: the engine reads this text.
TRAINING_SOURCE = """
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)

class SimpleModel(nn.Module):
    def __init__(self):
        super(SimpleModel, self).__init__()
        self.fc1 = nn.Linear(10, 100)
        self.fc2 = nn.Linear(100, 10)
        self.fc3 = nn.Linear(10, 1)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(0.2)

    def forward(self, x):
        x = self.dropout(self.relu(self.fc1(x)))
        x = self.fc2(x)
        x = self.fc3(x)
        return x

model = SimpleModel()
criterion = nn.BCEWithLogitsLoss()
optimizer = optim.AdamW(model.parameters(), lr=0.001, weight_decay=1e-2)
"""

TRAINING_EXAMPLES = 64
TRAINING_BATCH = 16
TRAINING_STEPS = 100


def training_case() -> Dict[str, Any]:
    """100 AdamW steps of the source above on a fixed dataset, with dropout and DataLoader(shuffle=True)."""
    from torch.utils.data import DataLoader, TensorDataset

    rs = np.random.RandomState(0)  # the data come from numpy, so they do not move torch's generator
    x = rs.randn(TRAINING_EXAMPLES, 10).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float32)[:, None]
    scope: Dict[str, Any] = {}
    exec(compile(TRAINING_SOURCE, "<training>", "exec"), scope)  # noqa: S102 - our own fixture source; seeds and builds the model
    model, criterion, optimizer = scope["model"], scope["criterion"], scope["optimizer"]
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=TRAINING_BATCH, shuffle=True)
    losses: List[float] = []
    while len(losses) < TRAINING_STEPS:
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.item()))
            if len(losses) == TRAINING_STEPS:
                break
    return {"source": TRAINING_SOURCE, "batch_size": TRAINING_BATCH, "shuffle": True, "inputs": x.astype(np.float64).reshape(-1).tolist(),
            "targets": y.astype(np.float64).reshape(-1).tolist(), "input_dim": 10, "losses": losses}


def main(out: str) -> None:
    torch.set_num_threads(1)
    fixture = {**versions(), "cpu_capability": cpu_capability(), "mkl": bool(torch.backends.mkl.is_available()),
               "primitives": primitive_cases(), "initializers": initializer_cases(), "modules": module_cases(),
               "models": model_cases(), "model_files": model_file_cases(), "training": training_case()}
    write_json(os.path.join(out, "torch_rng.json"), fixture)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(here)), "test", "fixtures"))
