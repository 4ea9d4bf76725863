#!/usr/bin/env python3
"""PyTorch peer of the benchmark suite (bench/main.ts runs it with /usr/bin/python3).

Runs the suite's workloads on one thread (torch.set_num_threads(1)) with the
sizes, time budget and AdamW settings given as JSON (bench/workloads.ts,
SuiteConfig), and prints one JSON object per line:
    {"workload": ..., "impl": "pytorch", "metric": ..., "value": ..., "unit": ...}
after a first line {"info": {...}} with the torch version and the BLAS it runs on.

Debian's torch is built against the generic BLAS interface (torch.__config__
says BLAS_INFO=generic whatever is installed) and gets whichever libblas.so.3
the system's alternatives point to: the reference BLAS, or OpenBLAS once
libopenblas0-pthread is installed (scripts/setup-bench.sh). So the BLAS is
read from the shared libraries this process has loaded (/proc/self/maps),
and OpenBLAS is asked for its version and threading. OpenBLAS's own thread
pool is pinned to one thread before torch loads it (OPENBLAS_NUM_THREADS):
torch.set_num_threads does not reach a BLAS it was not built for.
Timing: CPU time of the process (time.process_time, as bench/timing.ts);
one warm-up run, then runs until the budget is spent; the median.
Usage: torch_bench.py '<SuiteConfig as JSON>'
       torch_bench.py --info      the info line alone (the suite's run header)
"""
import ctypes
import importlib.util
import json
import os
import sys
import time

# Before torch loads libblas.so.3: OpenBLAS reads it once, when it starts its thread pool.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import torch  # noqa: E402

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


def import_file(root, relative, name):
    """A model file of the repository as a module (bench/mnist_cnn.py, examples/tiny_gpt/model.py): the same
    source our engine reads (bench/deepModels.ts), so that both train the same model."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(root, relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def adamw_of(model, adamw):
    return torch.optim.AdamW(
        model.parameters(), lr=adamw["lr"], betas=tuple(adamw["betas"]), eps=adamw["eps"], weight_decay=adamw["weightDecay"]
    )


def deep_training_step(model, inputs, targets, adamw):
    """One step as the example scripts take it; the model's forward returns (output, loss)."""
    model.train()
    opt = adamw_of(model, adamw)

    def run():
        opt.zero_grad()
        _, loss = model(inputs, targets)
        loss.backward()
        opt.step()
        loss.item()

    return run


def mnist_cnn_step(root, sizes, adamw):
    net = import_file(root, "bench/mnist_cnn.py", "mnist_cnn")
    config = net.NetConfig(channels=sizes["channels"], hidden=sizes["hidden"], classes=sizes["classes"], image=sizes["image"])
    model = net.Net(config)
    x = torch.randn(sizes["batch"], 1, sizes["image"], sizes["image"])
    y = torch.randint(0, sizes["classes"], (sizes["batch"],))
    return deep_training_step(model, x, y, adamw)


def char_gpt_step(root, sizes, adamw):
    gpt = import_file(root, "examples/tiny_gpt/model.py", "tiny_gpt")
    config = gpt.GPTConfig(vocab_size=sizes["vocabSize"], block_size=sizes["blockSize"], n_layer=sizes["nLayer"], n_head=sizes["nHead"], n_embd=sizes["nEmbd"])
    model = gpt.GPT(config)
    shape = (sizes["batch"], sizes["blockSize"])
    idx = torch.randint(0, sizes["vocabSize"], shape)
    targets = torch.randint(0, sizes["vocabSize"], shape)
    return deep_training_step(model, idx, targets, adamw)


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


OPENBLAS_THREADING = {0: "sequential", 1: "pthread", 2: "OpenMP"}


def loaded_blas():
    """The BLAS this process runs: "OpenBLAS 0.3.21 (pthread, 1 thread)", "reference BLAS", or what was loaded."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/" in line}
    except OSError:
        return "unknown (no /proc/self/maps)"
    candidates = sorted(p for p in paths if "blas" in os.path.basename(p))
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
            get_config = lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        get_config.restype = ctypes.c_char_p
        version = get_config().decode().split()[1]
        threading = OPENBLAS_THREADING.get(lib.openblas_get_parallel(), "unknown threading")
        threads = lib.openblas_get_num_threads()
        return f"OpenBLAS {version} ({threading}, {threads} thread{'s' if threads != 1 else ''})"
    if any(os.path.basename(p).startswith("libblas.so") for p in candidates):
        real = [os.path.realpath(p) for p in candidates if os.path.basename(p).startswith("libblas.so")]
        return "reference BLAS" if all("/blas/" in r for r in real) else f"libblas ({', '.join(real)})"
    return "none loaded (torch's own kernels)"


def info_line():
    torch.set_num_threads(1)
    # torch loads libblas.so.3 with its own library, at import: the maps list it from here on.
    return {"info": {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": loaded_blas()}}


def main():
    if sys.argv[1] == "--info":
        print(json.dumps(info_line()), flush=True)
        return
    config = json.loads(sys.argv[1])
    sizes, budget, adamw, only = config["sizes"], config["budget"], config["adamw"], config["only"]
    budget_ms, max_runs = budget["ms"], budget["maxRuns"]
    print(json.dumps(info_line()), flush=True)
    torch.manual_seed(0)

    def wanted(workload):
        return only is None or workload in only

    def measure(run):
        return median_seconds(run, budget_ms, max_runs)

    if wanted("mlp784"):
        emit("mlp784", measure(training_step(sizes["mnist"]["widths"], sizes["mnist"]["batch"], "ce", adamw)), "steps/s")
    if wanted("article"):
        emit("article", measure(training_step(sizes["article"]["widths"], sizes["article"]["batch"], "mse", adamw)), "steps/s")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if wanted("mnist-cnn"):
        emit("mnist-cnn", measure(mnist_cnn_step(root, sizes["mnistCnn"], adamw)), "steps/s")
    if wanted("char-gpt"):
        emit("char-gpt", measure(char_gpt_step(root, sizes["charGpt"], adamw)), "steps/s")
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
