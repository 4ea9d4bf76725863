"""How much the probe slows a training step: median time per step with and without it.

    /usr/bin/python3 python/bench/overhead.py [--steps 400] [--threads 1]

Models: the article's SimpleModel (10-100-10-1, batch 32) and a 784-256-256-10
MLP (batch 128, cross-entropy), AdamW lr 1e-3 wd 1e-2. For each, a step is
forward + backward + optimizer.step (+ probe.log), timed per step; the
overhead is median(with probe)/median(without) − 1, for every=1 and every=10.
The median hides the rare flush to disk (at most once a second), so the mean
is printed too. Runs alternate so that drift of the machine hits all alike.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

import torch  # noqa: E402
from torch import nn  # noqa: E402

import weightscope_probe  # noqa: E402


def simple_model():
    return nn.Sequential(nn.Linear(10, 100), nn.ReLU(), nn.Linear(100, 10), nn.Linear(10, 1)), (32, 10), 'mse'


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)), (128, 784), 'ce'


def time_steps(make, steps, every):
    torch.manual_seed(0)
    model, (batch, features), loss_kind = make()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    x = torch.randn(batch, features)
    y = torch.randn(batch, 1) if loss_kind == 'mse' else torch.randint(0, 10, (batch,))
    loss_fn = nn.MSELoss() if loss_kind == 'mse' else nn.CrossEntropyLoss()
    probe = weightscope_probe.attach(opt, model, log_dir=tempfile.mkdtemp(), every=every) if every else None
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        if probe:
            probe.log(loss)
        opt.step()
        times.append(time.perf_counter() - t0)
    if probe:
        probe.close()
    return times[steps // 10:]  # drop the warm-up


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--steps', type=int, default=400)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f'torch {torch.__version__}, {args.threads} thread(s), {args.steps} steps per run (first 10% dropped)')
    print(f'{"model":<22} {"every":>5} {"median ms/step":>15} {"mean ms/step":>13} {"overhead (median)":>18} {"(mean)":>8}')
    for label, make in (('SimpleModel 10-100-10-1', simple_model), ('MLP 784-256-256-10', mlp)):
        runs = {0: [], 1: [], 10: []}
        for _ in range(3):
            for every in runs:
                runs[every] += time_steps(make, args.steps, every)
        base_med, base_mean = statistics.median(runs[0]), statistics.fmean(runs[0])
        for every, times in runs.items():
            med, mean = statistics.median(times), statistics.fmean(times)
            over = '' if every == 0 else f'{100 * (med / base_med - 1):+.0f}%'
            over_mean = '' if every == 0 else f'{100 * (mean / base_mean - 1):+.0f}%'
            print(f'{label:<22} {every or "off":>5} {1e3 * med:>15.3f} {1e3 * mean:>13.3f} {over:>18} {over_mean:>8}')


if __name__ == '__main__':
    main()
