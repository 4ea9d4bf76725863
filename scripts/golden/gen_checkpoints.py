"""Checkpoint fixtures for the engine's checkpoint readers (test/unit/checkpoint).

Run with Debian's python3 (python3-torch 1.13.1, numpy 1.24):

    /usr/bin/python3 scripts/golden/gen_checkpoints.py

Writes into `test/fixtures/checkpoints/`:

* `model.pt` - `torch.save` of a small model's state_dict (float32 Linear,
  BatchNorm with its 0-d int64 `num_batches_tracked`) plus float16,
  bfloat16, float64, int8/16/32/64, uint8 and bool tensors, two views of one
  base that are not contiguous (a transpose, and a strided slice with a
  storage offset) and two names for one tensor (tied weights, one storage);
* `lightning.ckpt` - Lightning's layout: `state_dict` next to `epoch`,
  `global_step`, `hyper_parameters` and `optimizer_states` (a real AdamW
  state after one step, which also holds tensors that are not weights);
* `ddp.pth` - `{"model": state_dict, "epoch": 5}` whose names carry DDP's
  `module.` prefix;
* `model.safetensors` - every safetensors dtype the readers decode, the file
  written here byte by byte (8-byte little-endian header length, JSON
  header, data buffer), no safetensors package needed;
* `sharded/` - two safetensors shards and `model.safetensors.index.json`;
* `trained/initial.pt`, `trained/trained.pt` - TinyMLP of `trained/mlp.py` at
  initialization and after 200 AdamW steps (the drift ‖θ − θ₀‖/‖θ₀‖ per tensor
  in expected.json);
* `arrays.npz` - `np.savez` of float16/32/64, int64, bool arrays, one of them
  in Fortran order;
* `malicious.pt` - a torch-style zip whose data.pkl would call
  `os.system` when unpickled. It is built with pickle here and never loaded;
* `expected.json` - per file, every tensor's name, dtype, shape, its values
  (exact: Python's repr of the double that equals each element; NaN and
  infinities as the strings "NaN", "Infinity", "-Infinity") and its sum, mean
  and unbiased std computed by torch in float64.

Everything is seeded, so a second run writes the same tensors.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'checkpoints'))

DTYPE_NAMES = {
    torch.float32: 'float32', torch.float16: 'float16', torch.bfloat16: 'bfloat16', torch.float64: 'float64',
    torch.int8: 'int8', torch.int16: 'int16', torch.int32: 'int32', torch.int64: 'int64',
    torch.uint8: 'uint8', torch.bool: 'bool',
}


def number(x: float):
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


def describe(name: str, t: torch.Tensor) -> dict:
    """Name, dtype, shape, exact values (C order) and torch's float64 statistics."""
    flat = t.detach().reshape(-1)
    if t.dtype == torch.bool:
        values = [1.0 if v else 0.0 for v in flat.tolist()]
    else:
        values = [float(v) for v in flat.double().tolist()]  # every supported dtype widens exactly
    wide = torch.tensor(values, dtype=torch.float64)
    finite = wide[torch.isfinite(wide)]
    out = {'name': name, 'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape), 'values': [number(v) for v in values]}
    out['sum'] = number(finite.sum().item())
    out['mean'] = number(finite.mean().item()) if finite.numel() > 0 else None
    out['std'] = number(finite.std().item()) if finite.numel() > 1 else None
    return out


class Small(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.bn = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 3)


def model_state() -> 'OrderedDict[str, torch.Tensor]':
    torch.manual_seed(1234)
    model = Small()
    model.train()
    model.bn(torch.randn(6, 8))  # moves running_mean/var and counts num_batches_tracked
    sd = model.state_dict()
    sd['half.weight'] = torch.tensor([[0.0, -0.0, 1.0, -2.5, 65504.0], [6.1035e-05, 5.96e-08, -3.0e-07, 0.333, 1000.5]], dtype=torch.float16)
    sd['bf16.weight'] = (torch.randn(3, 4) * 3).to(torch.bfloat16)
    sd['f64.weight'] = torch.randn(2, 3, dtype=torch.float64) / 7
    sd['ints.i8'] = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
    sd['ints.u8'] = torch.tensor([0, 1, 200, 255], dtype=torch.uint8)
    sd['ints.i16'] = torch.tensor([-32768, 12345, 0], dtype=torch.int16)
    sd['ints.i32'] = torch.tensor([-2147483648, 7, 2147483647], dtype=torch.int32)
    sd['ints.i64'] = torch.tensor([-(2 ** 40), -3, 0, 2 ** 52 + 1], dtype=torch.int64)
    sd['mask'] = torch.tensor([True, False, True, True, False])
    sd['special'] = torch.tensor([float('nan'), float('inf'), -float('inf'), 1.5, 0.0], dtype=torch.float32)
    base = torch.arange(20, dtype=torch.float32).reshape(4, 5) / 4
    sd['view.transposed'] = base.t()  # shape [5, 4], stride (1, 5)
    sd['view.sliced'] = base[1:, ::2]  # shape [3, 3], stride (5, 2), storage offset 5
    assert not sd['view.transposed'].is_contiguous() and sd['view.sliced'].storage_offset() == 5
    emb = torch.randn(5, 3)
    sd['embed.weight'] = emb
    sd['head.weight'] = emb  # tied: one storage, two names
    return sd


def write_torch(path: str, obj) -> None:
    torch.save(obj, path)
    with zipfile.ZipFile(path) as z:  # torch stores its records uncompressed; the readers count on it
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())


def write_safetensors(path: str, tensors: 'OrderedDict[str, np.ndarray]', dtypes: dict, metadata=None) -> None:
    """The format by hand: u64 LE header length N, N bytes of JSON (space-padded to 8), then the data."""
    header = {}
    if metadata is not None:
        header['__metadata__'] = metadata
    blobs = []
    offset = 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {'dtype': dtypes[name], 'shape': list(array.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def bf16_bits(t: torch.Tensor) -> np.ndarray:
    return t.to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)


def safetensors_tensors():
    """(numpy arrays to write, safetensors dtypes, torch tensors for expected.json)."""
    g = torch.Generator().manual_seed(99)
    f32 = torch.randn(3, 4, generator=g)
    f16 = torch.tensor([0.0, -0.0, 5.96e-08, 65504.0, -1.0009765625, float('inf')], dtype=torch.float16)
    bf16 = torch.tensor([[1.0, -3.140625], [1e30, -1e-30]], dtype=torch.bfloat16)
    f64 = torch.randn(2, 2, generator=g, dtype=torch.float64)
    i8 = torch.tensor([-128, 5, 127], dtype=torch.int8)
    i16 = torch.tensor([-32768, 32767], dtype=torch.int16)
    i32 = torch.tensor([[-7], [1 << 30]], dtype=torch.int32)
    i64 = torch.tensor([-(2 ** 50), 1, 2 ** 53], dtype=torch.int64)
    u8 = torch.tensor([0, 128, 255], dtype=torch.uint8)
    bools = torch.tensor([[True, False], [False, True]])
    scalar = torch.tensor(2.5, dtype=torch.float32)
    empty = torch.zeros(0, 3, dtype=torch.float32)
    torch_tensors = OrderedDict([
        ('layer.f32', f32), ('layer.f16', f16), ('layer.bf16', bf16), ('layer.f64', f64), ('ints.i8', i8),
        ('ints.i16', i16), ('ints.i32', i32), ('ints.i64', i64), ('ints.u8', u8), ('mask', bools),
        ('scalar', scalar), ('empty', empty),
    ])
    st_dtype = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64', torch.int8: 'I8',
                torch.int16: 'I16', torch.int32: 'I32', torch.int64: 'I64', torch.uint8: 'U8', torch.bool: 'BOOL'}
    arrays = OrderedDict()
    dtypes = {}
    for name, t in torch_tensors.items():
        arrays[name] = bf16_bits(t) if t.dtype == torch.bfloat16 else t.numpy()
        dtypes[name] = st_dtype[t.dtype]
    return arrays, dtypes, torch_tensors


def write_sharded(folder: str):
    os.makedirs(folder, exist_ok=True)
    g = torch.Generator().manual_seed(7)
    shards = [
        OrderedDict([('encoder.weight', torch.randn(4, 3, generator=g)), ('encoder.bias', torch.randn(4, generator=g))]),
        OrderedDict([('decoder.weight', torch.randn(2, 4, generator=g).to(torch.float16))]),
    ]
    weight_map = {}
    total = 0
    for i, shard in enumerate(shards):
        file = f'model-{i + 1:05d}-of-{len(shards):05d}.safetensors'
        dtypes = {n: ('F32' if t.dtype == torch.float32 else 'F16') for n, t in shard.items()}
        write_safetensors(os.path.join(folder, file), OrderedDict((n, t.numpy()) for n, t in shard.items()), dtypes, {'format': 'pt'})
        for n, t in shard.items():
            weight_map[n] = file
            total += t.numel() * t.element_size()
    with open(os.path.join(folder, 'model.safetensors.index.json'), 'w') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2)
    return OrderedDict((n, t) for shard in shards for n, t in shard.items())


class RunsACommand:
    """Unpickling this calls os.system: what a malicious checkpoint does. Only ever pickled here."""

    def __reduce__(self):
        return (os.system, ('echo this checkpoint ran a command',))


def write_malicious(path: str) -> None:
    payload = pickle.dumps(OrderedDict([('fc.weight', RunsACommand())]), protocol=2)
    assert b'posix\nsystem' in payload or b'os\nsystem' in payload
    with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_STORED) as z:
        z.writestr('malicious/data.pkl', payload)
        z.writestr('malicious/version', '3\n')


def write_trained(folder: str) -> dict:
    """initial.pt and trained.pt: TinyMLP (trained/mlp.py) at initialization and after 200 AdamW steps."""
    spec = importlib.util.spec_from_file_location('mlp', os.path.join(folder, 'mlp.py'))
    mlp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mlp)
    torch.manual_seed(11)
    model = mlp.TinyMLP()
    write_torch(os.path.join(folder, 'initial.pt'), model.state_dict())
    initial = {n: t.detach().clone() for n, t in model.state_dict().items()}
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)
    x = torch.randn(256, 16)
    y = torch.randn(256, 4)
    for _ in range(200):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    sd = model.state_dict()
    write_torch(os.path.join(folder, 'trained.pt'), sd)
    out = {'nesting': [], 'tensors': [describe(n, t) for n, t in sd.items()], 'drift': {}}
    for n, t in sd.items():
        t0 = initial[n].double()
        norm0 = torch.linalg.vector_norm(t0).item()
        out['drift'][n] = number(torch.linalg.vector_norm(t.double() - t0).item() / norm0) if norm0 > 0 else None
    return out


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    expected = {'torch_version': torch.__version__, 'numpy_version': np.__version__, 'files': {}}

    sd = model_state()
    write_torch(os.path.join(OUT, 'model.pt'), sd)
    expected['files']['model.pt'] = {'nesting': [], 'tensors': [describe(n, t) for n, t in sd.items()]}

    torch.manual_seed(5)
    lit = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    opt = torch.optim.AdamW(lit.parameters(), lr=1e-3)
    lit(torch.randn(4, 3)).sum().backward()
    opt.step()
    lit_sd = OrderedDict(('model.' + k, v) for k, v in lit.state_dict().items())
    write_torch(os.path.join(OUT, 'lightning.ckpt'), {
        'epoch': 3, 'global_step': 120, 'pytorch-lightning_version': '1.9.0',
        'state_dict': lit_sd, 'optimizer_states': [opt.state_dict()], 'lr_schedulers': [],
        'hyper_parameters': {'lr': 0.001, 'hidden': 2, 'name': 'tiny', 'betas': (0.9, 0.999), 'flag': True, 'none': None},
    })
    expected['files']['lightning.ckpt'] = {'nesting': ['state_dict'], 'tensors': [describe(n, t) for n, t in lit_sd.items()]}

    torch.manual_seed(6)
    ddp = nn.Linear(2, 2)
    ddp_sd = OrderedDict(('module.' + k, v) for k, v in ddp.state_dict().items())
    write_torch(os.path.join(OUT, 'ddp.pth'), {'model': ddp_sd, 'epoch': 5})
    expected['files']['ddp.pth'] = {
        'nesting': ['model'], 'strippedPrefix': 'module.',
        'tensors': [describe(n[len('module.'):], t) for n, t in ddp_sd.items()],
    }

    arrays, dtypes, st = safetensors_tensors()
    write_safetensors(os.path.join(OUT, 'model.safetensors'), arrays, dtypes, {'format': 'pt', 'note': 'written by hand'})
    expected['files']['model.safetensors'] = {'nesting': [], 'tensors': [describe(n, t) for n, t in st.items()]}

    sharded = write_sharded(os.path.join(OUT, 'sharded'))
    expected['files']['sharded/model.safetensors.index.json'] = {'nesting': [], 'tensors': [describe(n, t) for n, t in sharded.items()]}

    rng = np.random.default_rng(3)
    npz = OrderedDict([
        ('w', rng.standard_normal((3, 2)).astype(np.float32)),
        ('h', np.array([1.5, -0.0, 65504.0], dtype=np.float16)),
        ('d', rng.standard_normal(4)),
        ('steps', np.array([[1, -2], [3, 2 ** 40]], dtype=np.int64)),
        ('keep', np.array([True, False, True])),
        ('fortran', np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))),
    ])
    np.savez(os.path.join(OUT, 'arrays.npz'), **npz)
    expected['files']['arrays.npz'] = {'nesting': [], 'tensors': [describe(n, torch.from_numpy(np.ascontiguousarray(a))) for n, a in npz.items()]}

    write_malicious(os.path.join(OUT, 'malicious.pt'))

    expected['files']['trained/trained.pt'] = write_trained(os.path.join(OUT, 'trained'))

    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(OUT) for n in names)
    print(f'wrote {OUT} ({total} bytes)')


if __name__ == '__main__':
    main()
