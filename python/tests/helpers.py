"""Shared test helpers: import path, a small model, and reading a run folder."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # python/, for weightscope_probe

import torch  # noqa: E402
from torch import nn  # noqa: E402


class SimpleModel(nn.Module):
    """The article's SimpleModel: 10 → 100 → ReLU → 10 → 1."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 100)
        self.fc2 = nn.Linear(100, 10)
        self.fc3 = nn.Linear(10, 1)

    def forward(self, x):
        return self.fc3(self.fc2(torch.relu(self.fc1(x))))


def read_run(folder):
    """(run.json as a dict, step records, snapshot records) of a run folder; non-finite strings kept as strings."""
    meta, steps, snapshots, _ = read_run_with_losses(folder)
    return meta, steps, snapshots


def read_run_with_losses(folder):
    """read_run and the loss lines ([step, loss] or [step, loss, valLoss]) of the steps without a full record."""
    with open(os.path.join(folder, 'run.json'), encoding='utf-8') as f:
        meta = json.load(f)
    steps, snapshots, losses = [], [], []
    with open(os.path.join(folder, 'steps.jsonl'), encoding='utf-8') as f:
        for line in f:
            record = json.loads(line)
            if isinstance(record, list):
                losses.append(record)
            else:
                (steps if record.pop('type') == 'step' else snapshots).append(record)
    return meta, steps, snapshots, losses


def only_run(log_dir):
    """The one run folder in log_dir (fails when there is not exactly one)."""
    runs = [d for d in os.listdir(log_dir) if os.path.isdir(os.path.join(log_dir, d))]
    if len(runs) != 1:
        raise AssertionError(f'expected one run folder in {log_dir}, found {runs}')
    return os.path.join(log_dir, runs[0])
