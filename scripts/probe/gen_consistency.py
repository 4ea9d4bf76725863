"""Write the probe's consistency fixture: test/fixtures/probe/simple_mse/ (run.json, steps.jsonl).

The article's SimpleModel as the golden run `simple_mse` defines it
(test/fixtures/mlp/simple_mse.nn.json: fc1 10→100, ReLU, fc2 100→10, fc3
10→1, MSELoss, AdamW lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay
1e-2), from the same initial weights (simple.init.safetensors) on the same
full batch (x.npy, y_mse.npy), trained for STEPS steps in float32 with the
probe attached (every step recorded). test/golden/probe.test.ts trains the
engine from the same files and compares the two runs statistic by statistic.

    /usr/bin/python3 scripts/probe/gen_consistency.py
"""
from __future__ import annotations

import json
import os
import shutil
import sys

import numpy as np
import torch
from torch import nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'python'))
sys.path.insert(0, os.path.join(ROOT, 'scripts', 'golden'))
sys.path.insert(0, os.path.join(ROOT, 'python', 'tests'))

import weightscope_probe  # noqa: E402
from common import read_safetensors  # noqa: E402
from helpers import SimpleModel  # noqa: E402  (fc1 → ReLU → fc2 → fc3, as simple_mse.nn.json)

STEPS = 60
MLP = os.path.join(ROOT, 'test', 'fixtures', 'mlp')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'probe')
RUN_ID = 'simple_mse'


def main() -> None:
    torch.set_num_threads(1)
    model = SimpleModel()
    init = read_safetensors(os.path.join(MLP, 'simple.init.safetensors'))
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in init.items() if k != '__metadata__'})
    x = torch.from_numpy(np.load(os.path.join(MLP, 'x.npy')))
    y = torch.from_numpy(np.load(os.path.join(MLP, 'y_mse.npy')))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)
    loss_fn = nn.MSELoss()
    shutil.rmtree(os.path.join(OUT, RUN_ID), ignore_errors=True)
    probe = weightscope_probe.attach(opt, model, log_dir=OUT, every=1, run_id=RUN_ID, name='simple_mse (torch)',
                                     steps=STEPS, batch_size=32, dataset='x.npy, y_mse.npy (32 examples)')
    for step in range(STEPS):
        loss = loss_fn(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        probe.log(loss, epoch=step)  # one full batch per step: step k is epoch k − 1
        opt.step()
    probe.close()
    # Fixed timestamps, so that regenerating gives the same bytes.
    meta_path = os.path.join(OUT, RUN_ID, 'run.json')
    with open(meta_path, encoding='utf-8') as f:
        meta = json.load(f)
    meta['createdAt'] = meta['updatedAt'] = '2026-11-27T00:00:00.000Z'
    with open(meta_path, 'w', encoding='utf-8') as f:
        f.write(json.dumps(meta, indent=2) + '\n')
    print(f'wrote {os.path.relpath(os.path.join(OUT, RUN_ID), ROOT)} ({STEPS} steps, torch {torch.__version__})')


if __name__ == '__main__':
    main()
