#!/usr/bin/env python3
"""PyTorch peer of the benchmark suite (bench/main.ts runs it with /usr/bin/python3).

Runs the suite's workloads on one thread (torch.set_num_threads(1)) with the
sizes, time budget and AdamW settings given as JSON (bench/workloads.ts,
SuiteConfig), and prints one JSON object per line:
    {"workload": ..., "impl": "pytorch", "metric": ..., "value": ..., "unit": ...}
after a first line {"info": {...}} with the torch version and its BLAS.
Timing: CPU time of the process (time.process_time, as bench/timing.ts);
one warm-up run, then runs until the budget is spent; the median.
Usage: torch_bench.py '<SuiteConfig as JSON>'
"""
import json
import re
import sys
import time

import torch

IMPL = "pytorch"
GEMM_FORMS = ["nn", "tn", "nt"]
FULL_GEMM_SIZES = [256, 1024]  # workload ids are named after the full sizes


def median_seconds(run, budget_ms, max_runs):
    w0 = time.process_time()
    run()
    warm_up = time.process_time() - w0
    if warm_up * 1000 > budget_ms and max_runs > 1:
        return warm_up
    times = []
    started = time.process_time()
    while len(times) < max_runs:
        t0 = time.process_time()
        run()
        t1 = time.process_time()
        times.append(t1 - t0)
        if (t1 - started) * 1000 >= budget_ms:
            break
    times.sort()
    mid = len(times) // 2
    return max(times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2, 1e-12)


def emit(workload, seconds, unit, work=1.0):
    if unit == "ms":
        value, metric = seconds * 1000, "median time"
    elif unit == "GFLOP/s":
        value, metric = work / seconds / 1e9, "median throughput"
    else:
        value, metric = 1 / seconds, "median throughput"
    print(json.dumps({"workload": workload, "impl": IMPL, "metric": metric, "value": value, "unit": unit}), flush=True)


def training_step(widths, batch, loss, adamw):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i + 2 < len(widths):
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.AdamW(
        model.parameters(), lr=adamw["lr"], betas=tuple(adamw["betas"]), eps=adamw["eps"], weight_decay=adamw["weightDecay"]
    )
    x = torch.randn(batch, widths[0])
    if loss == "mse":
        y = torch.randn(batch, widths[-1])
        criterion = torch.nn.MSELoss()
    else:
        y = torch.randint(0, widths[-1], (batch,))
        criterion = torch.nn.CrossEntropyLoss()

    def run():
        opt.zero_grad()
        value = criterion(model(x), y)
        value.backward()
        opt.step()
        value.item()

    return run


def gemm(n, form):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    if form == "nn":
        return lambda: torch.mm(a, b)
    if form == "tn":
        return lambda: torch.mm(a.t(), b)
    return lambda: torch.mm(a, b.t())


def inspect_mlp(widths):
    """nn.Linear's default init (reset_parameters), then mean, std, min, max and a 40-bin histogram per tensor."""
    with torch.no_grad():
        layers = [torch.nn.Linear(widths[i], widths[i + 1]) for i in range(len(widths) - 1)]
        for layer in layers:
            for p in layer.parameters():
                p.mean().item(), p.std().item()
                lo, hi = p.min().item(), p.max().item()
                torch.histc(p, bins=40, min=lo, max=hi)


def main():
    config = json.loads(sys.argv[1])
    sizes, budget, adamw, only = config["sizes"], config["budget"], config["adamw"], config["only"]
    budget_ms, max_runs = budget["ms"], budget["maxRuns"]
    torch.set_num_threads(1)
    torch.manual_seed(0)
    blas = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas.group(1) if blas else "unknown"}
    print(json.dumps({"info": info}), flush=True)

    def wanted(workload):
        return only is None or workload in only

    def measure(run):
        return median_seconds(run, budget_ms, max_runs)

    if wanted("mlp784"):
        emit("mlp784", measure(training_step(sizes["mnist"]["widths"], sizes["mnist"]["batch"], "ce", adamw)), "steps/s")
    if wanted("article"):
        emit("article", measure(training_step(sizes["article"]["widths"], sizes["article"]["batch"], "mse", adamw)), "steps/s")
    for index, n in enumerate(sizes["gemm"]):
        for form in GEMM_FORMS:
            workload = f"gemm{FULL_GEMM_SIZES[index]}-{form}"
            if wanted(workload):
                emit(workload, measure(gemm(n, form)), "GFLOP/s", 2.0 * n**3)
    if wanted("init10m"):
        emit("init10m", measure(lambda: inspect_mlp(sizes["mlp10m"]["widths"])), "ms")
    if wanted("hist10m"):
        values = torch.randn(sizes["histogram"]["values"])
        bins = sizes["histogram"]["bins"]
        emit("hist10m", measure(lambda: torch.histc(values, bins=bins, min=-4, max=4)), "ms")
    if wanted("randn10m"):
        normals = torch.empty(sizes["normals"])
        emit("randn10m", measure(lambda: normals.normal_()), "ms")


if __name__ == "__main__":
    main()
