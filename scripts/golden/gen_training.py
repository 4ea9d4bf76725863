"""Golden fixtures for 10 AdamW steps of nine real models, read from their `.py` files.

Each model lives in `test/fixtures/training/<model>/model.py`, written in the
style of the code it stands for (PyTorch's MNIST example, a torchvision-style
ResNet, nanoGPT, word_language_model's RNNModel and TransformerModel, the
nn.Transformer tutorial's Seq2SeqTransformer, torchaudio's ConvTasNet, a U-Net
level, CleanRL's PPO agent). The file is executed here, by torch, under `torch.manual_seed(0)`
(the seed the engine assumes for a `.py` model), which builds `model` and
`optimizer` exactly as a user's script would. This generator then writes,
next to the model file:

* `init.safetensors` - the model's initial float32 parameters, by
  `named_parameters()` name (a tied tensor once, under its first name), the
  file's `init_from`;
* `x.npy`, `y.npy` - one fixed batch (float32 images or features, int64
  token ids, int64 class targets), the file's `data`;
* `training.json` - what was run (optimizer groups by parameter name, the
  loss, the batch) and the loss of each of the 10 steps in float64 and in
  float32; the batch goes through a DataLoader (batch size = the batch,
  shuffle=False), one batch per epoch, as a training script feeds it;
* `steps.<dtype>.safetensors` - after steps 1 and 10: every gradient
  (`step<k>.grad.<name>`, as `backward()` left it, before the update), every
  parameter after the update (`step<k>.param.<name>`) and every floating
  buffer (`step<k>.buffer.<name>`: BatchNorm's running statistics).

Both dtypes start from the same float32 weights and batch (widened exactly
to float64 for the float64 run). Dropout draws its masks from the generator
where building the model left it: for the float64 run, building it under
`torch.set_default_dtype(torch.float64)`, which is what the engine's float64
mode stands for (initial values drawn as doubles consume the generator
differently from floats). The model's own `optimizer` gives the
hyper-parameters and param groups; a fresh AdamW with the same groups is
built for each dtype's copy of the model.

Run through `generate.py`; `main(out_dir)` is the entry point.
"""

from __future__ import annotations

import copy
import os
import runpy
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from common import case_seed, cpu_capability, versions, write_json, write_npy, write_safetensors

STEPS = 10
RECORDED_STEPS = (1, 10)
#: The seed a `.py` model is built under (the engine's default for Python files).
MODEL_SEED = 0


def _images(seed: int, shape: Tuple[int, ...], classes: int, target_shape: Tuple[int, ...]) -> Tuple[np.ndarray, np.ndarray]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float32)
    y = torch.randint(0, classes, target_shape, generator=g, dtype=torch.int64)
    return x.numpy(), y.numpy()


def _tokens(seed: int, batch: int, length: int, vocab: int) -> Tuple[np.ndarray, np.ndarray]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, vocab, (batch, length), generator=g, dtype=torch.int64)
    y = torch.randint(0, vocab, (batch, length), generator=g, dtype=torch.int64)
    return x.numpy(), y.numpy()


def _output(model, x, y):
    return model(x)


def _loss_in_forward(model, x, y):
    return model(x, y)[1]


#: name -> (batch maker, loss of (model, x, y), what the loss is).
MODELS: Dict[str, Dict[str, Any]] = {
    "mnist_net": {
        "batch": lambda s: _images(s, (8, 1, 28, 28), 10, (8,)),
        "loss": lambda m, x, y: F.nll_loss(m(x), y),
        "loss_text": "F.nll_loss(model(x), y), as the example's train()",
    },
    "resnet": {
        "batch": lambda s: _images(s, (4, 3, 8, 8), 10, (4,)),
        "loss": lambda m, x, y: F.cross_entropy(m(x), y),
        "loss_text": "nn.CrossEntropyLoss()(model(x), y)",
    },
    "gpt": {
        "batch": lambda s: _tokens(s, 4, 8, 16),
        "loss": _loss_in_forward,
        "loss_text": "logits, loss = model(idx, targets)",
    },
    "lstm_lm": {
        "batch": lambda s: _tokens(s, 4, 8, 16),
        "loss": _loss_in_forward,
        "loss_text": "output, loss = model(input, targets)",
    },
    "unet": {
        "batch": lambda s: _images(s, (4, 3, 8, 8), 2, (4, 8, 8)),
        "loss": lambda m, x, y: F.cross_entropy(m(x), y),
        "loss_text": "nn.CrossEntropyLoss()(model(x), y) per pixel",
    },
    "transformer_lm": {
        "batch": lambda s: _tokens(s, 4, 8, 16),
        "loss": _loss_in_forward,
        "loss_text": "output, loss = model(src, targets)",
    },
    "seq2seq": {
        "batch": lambda s: _tokens(s, 4, 8, 16),
        "loss": _loss_in_forward,
        "loss_text": "logits, loss = model(src, targets)",
    },
    "tasnet": {
        "batch": lambda s: _images(s, (4, 1, 64), 3, (4,)),
        "loss": lambda m, x, y: F.cross_entropy(m(x), y),
        "loss_text": "nn.CrossEntropyLoss()(model(x), y)",
    },
    "ppo_agent": {
        "batch": lambda s: _images(s, (8, 4), 2, (8,)),
        "loss": _loss_in_forward,
        "loss_text": "logits, loss = agent(obs, actions): cross_entropy(actor(obs), actions) + 0.5 * mean(critic(obs) ** 2)",
    },
}


def _groups(model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> List[Dict[str, Any]]:
    """The optimizer's param groups with parameters by name (hyper-parameters as given)."""
    names = {id(p): n for n, p in model.named_parameters()}
    out = []
    for g in optimizer.param_groups:
        group = {k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items() if k != "params"}
        group["params"] = [names[id(p)] for p in g["params"]]
        out.append(group)
    return out


def _optimizer_for(model: torch.nn.Module, groups: List[Dict[str, Any]]) -> torch.optim.AdamW:
    params = dict(model.named_parameters())
    built = []
    for g in groups:
        built.append({**{k: (tuple(v) if isinstance(v, list) else v) for k, v in g.items() if k != "params"}, "params": [params[n] for n in g["params"]]})
    return torch.optim.AdamW(built)


def _train(model: torch.nn.Module, groups, loss_fn: Callable, x: torch.Tensor, y: torch.Tensor, rng_state: torch.Tensor) -> Tuple[List[float], Dict[str, np.ndarray]]:
    optimizer = _optimizer_for(model, groups)
    # One batch per epoch, through a DataLoader as a training script has it: iterating it draws the
    # loader's base seed from the generator every epoch (shuffle or not), which moves dropout's masks.
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=x.shape[0], shuffle=False)
    model.train()
    torch.set_rng_state(rng_state)
    losses: List[float] = []
    recorded: Dict[str, np.ndarray] = {}
    step = 0
    while step < STEPS:
        (xb, yb), = list(loader)
        step += 1
        optimizer.zero_grad()
        loss = loss_fn(model, xb, yb)
        loss.backward()
        if step in RECORDED_STEPS:
            for n, p in model.named_parameters():
                if p.grad is None:
                    raise AssertionError(f"{n} gets no gradient: torch would skip it, pick a loss that reaches it")
                recorded[f"step{step}.grad.{n}"] = p.grad.detach().numpy().copy()
        optimizer.step()
        losses.append(float(loss.item()))
        if step in RECORDED_STEPS:
            for n, p in model.named_parameters():
                recorded[f"step{step}.param.{n}"] = p.detach().numpy().copy()
            for n, b in model.named_buffers():
                if b.dtype.is_floating_point:
                    recorded[f"step{step}.buffer.{n}"] = b.detach().numpy().copy()
    return losses, recorded


def generate_model(name: str, directory: str) -> Dict[str, Any]:
    spec = MODELS[name]
    torch.manual_seed(MODEL_SEED)
    namespace = runpy.run_path(os.path.join(directory, "model.py"), run_name="weightscope_fixture")
    model: torch.nn.Module = namespace["model"]
    groups = _groups(model, namespace["optimizer"])
    # The generator's state after the model was built: dropout's masks are drawn from here. A model built in
    # float64 (the engine's float64 runs are torch under set_default_dtype(float64)) draws its initial values
    # as doubles, which consumes the generator differently; its values are then replaced by the float32 ones.
    rng_states = {"float32": torch.get_rng_state()}
    torch.set_default_dtype(torch.float64)
    try:
        torch.manual_seed(MODEL_SEED)
        runpy.run_path(os.path.join(directory, "model.py"), run_name="weightscope_fixture")
        rng_states["float64"] = torch.get_rng_state()
    finally:
        torch.set_default_dtype(torch.float32)

    params = {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
    meta = {**versions(), "model": name}
    write_safetensors(os.path.join(directory, "init.safetensors"), params, meta)
    x_np, y_np = spec["batch"](case_seed(f"training/{name}"))
    write_npy(os.path.join(directory, "x.npy"), x_np)
    write_npy(os.path.join(directory, "y.npy"), y_np)

    losses: Dict[str, List[float]] = {}
    for dtype, torch_dtype in (("float64", torch.float64), ("float32", torch.float32)):
        copy_ = copy.deepcopy(model).to(torch_dtype)
        x = torch.from_numpy(x_np)
        x = x.to(torch_dtype) if x.dtype.is_floating_point else x
        losses[dtype], recorded = _train(copy_, groups, spec["loss"], x, torch.from_numpy(y_np), rng_states[dtype])
        write_safetensors(os.path.join(directory, f"steps.{dtype}.safetensors"), recorded, {**meta, "dtype": dtype})

    payload = {
        **versions(),
        "cpu_capability": cpu_capability(),
        "model": name,
        "model_seed": MODEL_SEED,
        "steps": STEPS,
        "recorded_steps": list(RECORDED_STEPS),
        "loss": spec["loss_text"],
        "files": {"model": "model.py", "init": "init.safetensors", "x": "x.npy", "y": "y.npy",
                  "steps": {"float64": "steps.float64.safetensors", "float32": "steps.float32.safetensors"}},
        "batch": {"x_shape": list(x_np.shape), "x_dtype": str(x_np.dtype), "y_shape": list(y_np.shape)},
        "parameters": {n: list(p.shape) for n, p in params.items()},
        "parameter_count": int(sum(p.size for p in params.values())),
        "buffers": [n for n, b in model.named_buffers() if b.dtype.is_floating_point],
        "optimizer": {"type": "AdamW", "param_groups": groups},
        "losses": losses,
    }
    write_json(os.path.join(directory, "training.json"), payload)
    return payload


def main(out: str) -> None:
    for name in MODELS:
        payload = generate_model(name, os.path.join(out, "training", name))
        print(f"training/{name}: {payload['parameter_count']} parameters, loss {payload['losses']['float64'][0]:.6f} -> {payload['losses']['float64'][-1]:.6f}")


if __name__ == "__main__":
    import sys

    torch.set_num_threads(1)
    here = os.path.dirname(os.path.abspath(__file__))
    main(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(here)), "test", "fixtures"))
