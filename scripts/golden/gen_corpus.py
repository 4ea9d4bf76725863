"""Golden fixture for the model corpus: real model files from Debian's torch packages.

Usage (from the repository root):

    /usr/bin/python3 scripts/golden/gen_corpus.py [OUT_DIR [ID ...]]     # or: npm run golden:corpus

With IDs, only those entries are built (to try a new entry; write such a
partial file elsewhere than the corpus directory).

Reads `test/fixtures/corpus/manifest.json` and writes `expected.json` next to
it (or into OUT_DIR). Every manifest entry names a file of an installed
package (python3-torchvision, python3-torchaudio, python3-torchtext,
python3-torch; `scripts/setup-python.sh` installs them), relative to the
Python dist-packages directory, and a class or builder function in it with
the Python text of its arguments. For each entry the file is imported as its
package's module, `torch.manual_seed(seed)` is set (the manifest's seed, 0), `<class or factory>(<args>)`
is evaluated in the file's namespace, and the generator records

* the state_dict keys in order, one row each (columns `TENSOR_FIELDS`): name,
  shape, dtype, "parameter" or "buffer", for a floating tensor the float64
  mean, unbiased std (null for a single element), min and max of its values
  (null for an integer tensor), and its `writes`;
* `sum(p.numel() for p in model.parameters())` (each shared tensor once) and
  the same for parameters with requires_grad;
* tied keys: a key whose tensor is the same tensor as an earlier key's (and
  keys whose tensors merely share memory with an earlier key's);
* non-persistent buffers (in `named_buffers()` but not in the state_dict);
* `writes`: per key, the initializers and in-place writes that construction
  applied to its memory, in order (see `Tracer`), which shows where a
  model re-initializes what torch's layers had already initialized;
* parameters with requires_grad False (`frozen`);
* the warnings construction raised.

No raw values are stored, and no source of the packages is copied: the files
are read where Debian installed them. A second run writes a byte-identical
file (torch single-threaded, fixed seed, statistics in numpy float64).
An entry that fails to build stops the run: deliberate omissions are listed
under `skipped` in the manifest, with the reason.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.metadata
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import types
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(REPO, "test", "fixtures", "corpus")

#: The Python packages the corpus reads, and the Debian packages that ship them.
PACKAGES = {
    "torch": "python3-torch",
    "torchvision": "python3-torchvision",
    "torchaudio": "python3-torchaudio",
    "torchtext": "python3-torchtext",
}

#: The columns of an entry's `tensors` rows (one row per state_dict key, in order).
TENSOR_FIELDS = ("name", "shape", "dtype", "kind", "mean", "std", "min", "max", "writes")

#: torch.nn.init functions that write into their first argument (the
#: deprecated names without the trailing underscore included).
INIT_FUNCTIONS = [
    "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_",
    "uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
    "orthogonal", "sparse",
]

#: Tensor methods that write into the tensor they are called on.
TENSOR_WRITES = [
    "normal_", "uniform_", "fill_", "zero_", "copy_", "bernoulli_", "exponential_", "random_", "log_normal_",
    "cauchy_", "geometric_", "mul_", "div_", "add_", "sub_", "clamp_", "clamp_min_", "clamp_max_", "abs_",
    "masked_fill_", "index_fill_", "scatter_", "__imul__", "__itruediv__", "__iadd__", "__isub__", "__setitem__",
]


def _arg_text(value: Any) -> str:
    """A short, stable text of an argument of a traced call."""
    import torch

    if isinstance(value, torch.Tensor):
        return "<tensor>"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (int, str, bool, type(None), slice)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_arg_text(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return f"<{type(value).__name__}>"


def _call_text(name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> str:
    parts = [_arg_text(a) for a in args] + [f"{k}={_arg_text(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _extent(t: Any) -> Optional[Tuple[int, int, int]]:
    """(storage address, first byte, end byte) of the memory a tensor's elements occupy."""
    import torch

    if t.numel() == 0 or t.layout != torch.strided:
        return None
    span = 1 + sum((s - 1) * abs(st) for s, st in zip(t.shape, t.stride()))
    size = t.element_size()
    storage = t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage()
    return (storage.data_ptr(), t.storage_offset() * size, (t.storage_offset() + span) * size)


class Tracer:
    """Records, during construction, every write into a tensor's memory made by model code.

    torch.nn.init's in-place initializers and the writing Tensor methods are
    wrapped; only the outermost call is recorded (an initializer's own
    `tensor.uniform_` is not), with its non-tensor arguments; a write that
    covered only part of the tensor ends in '[part]'. Each written tensor is
    kept alive until the trace is read, so that no later tensor reuses its
    memory and inherits its writes. A deep copy (`copy.deepcopy` of a layer,
    as `nn.TransformerEncoder` does) starts with its source's history followed
    by 'deepcopy'; `torch.nn.utils.weight_norm`'s `_g` and `_v` parameters
    start with the weight's history followed by 'weight_norm(…)'. Other ways
    of making a tensor from another (`clone()`, arithmetic) are not followed:
    such a tensor's history starts after it was made, and a tensor that
    construction never wrote into (e.g. `nn.Parameter(torch.zeros(…))`) has
    none.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.active = False
        self.events: List[Tuple[Tuple[int, int, int], int, str]] = []
        self.keep: List[Any] = []

    def record(self, t: Any, text: str) -> None:
        extent = _extent(t)
        if extent is not None:
            self.events.append((extent, t.numel(), text))
            self.keep.append(t)

    def wrap(self, fn: Callable[..., Any], label: str, target: Callable[..., Any]) -> Callable[..., Any]:
        tracer = self

        def traced(*args: Any, **kwargs: Any) -> Any:
            if not tracer.active or tracer.depth > 0:
                return fn(*args, **kwargs)
            tracer.depth += 1
            try:
                result = fn(*args, **kwargs)
            finally:
                tracer.depth -= 1
            t = target(args, kwargs, result)
            if t is not None:
                tracer.record(t, _call_text(label, args[1:], kwargs))
            return result

        traced.__name__ = getattr(fn, "__name__", label)
        traced.__doc__ = getattr(fn, "__doc__", None)
        traced.__wrapped__ = fn  # type: ignore[attr-defined]
        return traced

    def install(self) -> None:
        import torch
        import torch.nn.init as init

        first = lambda args, kwargs, result: args[0] if args else kwargs.get("tensor")  # noqa: E731
        replaced: Dict[int, Callable[..., Any]] = {}
        for name in INIT_FUNCTIONS:
            if hasattr(init, name):
                original = getattr(init, name)
                replaced[id(original)] = self.wrap(original, f"init.{name}", first)
                setattr(init, name, replaced[id(original)])
        # Modules imported with torch that bound an initializer by name
        # (torch/nn/modules/transformer.py: `from torch.nn.init import xavier_uniform_`).
        for mod in list(sys.modules.values()):
            names = getattr(mod, "__dict__", {})
            for attr, value in list(names.items()):
                if callable(value) and id(value) in replaced and mod is not init:
                    setattr(mod, attr, replaced[id(value)])
        for name in TENSOR_WRITES:
            setattr(torch.Tensor, name, self.wrap(getattr(torch.Tensor, name), name, first))

        tracer = self

        def copying(fn: Callable[..., Any]) -> Callable[..., Any]:
            """A deep copy starts with its source's history, then 'deepcopy'."""

            def __deepcopy__(self_: Any, memo: Any) -> Any:
                if not tracer.active or tracer.depth > 0:
                    return fn(self_, memo)
                history = tracer.writes_of(self_)
                tracer.depth += 1
                try:
                    result = fn(self_, memo)
                finally:
                    tracer.depth -= 1
                for text in history + ["deepcopy"]:
                    tracer.record(result, text)
                return result

            return __deepcopy__

        torch.Tensor.__deepcopy__ = copying(torch.Tensor.__deepcopy__)
        torch.nn.Parameter.__deepcopy__ = copying(torch.nn.Parameter.__deepcopy__)

        weight_norm_original = torch.nn.utils.weight_norm

        def weight_norm(module: Any, name: str = "weight", dim: int = 0) -> Any:
            """weight_g and weight_v are computed from the weight: its history, then 'weight_norm'."""
            history = tracer.writes_of(getattr(module, name)) if tracer.active and tracer.depth == 0 else []
            tracer.depth += 1
            try:
                result = weight_norm_original(module, name, dim)
            finally:
                tracer.depth -= 1
            if tracer.active and tracer.depth == 0:
                text = f"weight_norm(name={name!r}, dim={dim!r})"
                for suffix in ("_g", "_v"):
                    t = getattr(module, name + suffix)
                    for h in history if not tracer.writes_of(t) else []:
                        tracer.record(t, h)
                    tracer.record(t, text)
            return result

        torch.nn.utils.weight_norm = weight_norm

    def writes_of(self, t: Any) -> List[str]:
        """The recorded writes that touched `t`'s elements; '[part]' when one covered only some."""
        extent = _extent(t)
        if extent is None:
            return []
        out = []
        for (ptr, lo, hi), numel, text in self.events:
            if ptr != extent[0] or hi <= extent[1] or lo >= extent[2]:
                continue
            whole = lo <= extent[1] and hi >= extent[2] and numel >= t.numel()
            out.append(text if whole else text + "[part]")
        return out

    def reset(self) -> None:
        self.events = []
        self.keep = []


def dist_dir(package: str) -> str:
    """The directory that holds `package/` (Debian: /usr/lib/python3/dist-packages)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"gen_corpus: package {package} is not installed; run scripts/setup-python.sh")
    return os.path.dirname(os.path.realpath(list(spec.submodule_search_locations)[0]))


def load_file(dist: str, rel: str) -> Tuple[types.ModuleType, Optional[str]]:
    """Import dist/rel as its package's module.

    Returns the module and, when the packages' own `__init__.py` files could
    not run, the reason: those parents are then replaced by empty package
    modules with the right `__path__`, so that only the file and what it
    imports run. (Debian's torchtext 0.14 needs this: its compiled
    `_torchtext` module is an empty stub and `import torchtext` fails, while
    its model files need nothing but torch.)
    """
    path = os.path.join(dist, rel)
    if not os.path.isfile(path):
        raise SystemExit(f"gen_corpus: {rel} not found under {dist}; run scripts/setup-python.sh")
    parts = rel[: -len(".py")].split("/")
    name = ".".join(parts)
    try:
        module, note = importlib.import_module(name), None
    except ImportError as exc:
        note = f"the package __init__ files were not run: import {parts[0]} fails ({type(exc).__name__}: {exc})"
        for k in [m for m in sys.modules if m == parts[0] or m.startswith(parts[0] + ".")]:
            del sys.modules[k]
        for i in range(1, len(parts)):
            pkg = types.ModuleType(".".join(parts[:i]))
            pkg.__path__ = [os.path.join(dist, *parts[:i])]  # type: ignore[attr-defined]
            pkg.__package__ = pkg.__name__
            pkg.__spec__ = importlib.machinery.ModuleSpec(pkg.__name__, None, is_package=True)
            pkg.__spec__.submodule_search_locations = pkg.__path__  # type: ignore[attr-defined]
            sys.modules[pkg.__name__] = pkg
        module = importlib.import_module(name)
    if os.path.realpath(module.__file__ or "") != os.path.realpath(path):
        raise SystemExit(f"gen_corpus: {name} was imported from {module.__file__}, not {path}")
    return module, note


def tensor_stats(t: Any) -> Dict[str, Any]:
    """float64 mean, unbiased std (None for one element), min and max of a floating tensor."""
    import numpy as np
    import torch

    a = t.detach().cpu().to(dtype=torch.float64).numpy().reshape(-1)
    if a.size == 0:
        return {"mean": None, "std": None, "min": None, "max": None}
    if not np.isfinite(a).all():
        raise SystemExit("gen_corpus: a tensor has non-finite values")
    return {
        "mean": float(a.mean()),
        "std": float(a.std(ddof=1)) if a.size > 1 else None,
        "min": float(a.min()),
        "max": float(a.max()),
    }


def describe(model: Any, tracer: Tracer) -> Dict[str, Any]:
    import torch

    params = {id(p) for m in model.modules() for p in m._parameters.values() if p is not None}
    state = model.state_dict(keep_vars=True)
    tensors: List[List[Any]] = []
    tied: List[Dict[str, str]] = []
    shared: List[Dict[str, str]] = []
    seen: Dict[int, str] = {}
    seen_memory: List[Tuple[Tuple[int, int, int], str]] = []
    frozen: List[str] = []
    for key, t in state.items():
        kind = "parameter" if isinstance(t, torch.nn.Parameter) or id(t) in params else "buffer"
        if kind == "parameter" and not t.requires_grad:
            frozen.append(key)
        stats = tensor_stats(t) if t.is_floating_point() else {"mean": None, "std": None, "min": None, "max": None}
        row = [key, list(t.shape), str(t.dtype).replace("torch.", ""), kind]
        row += [stats[k] for k in ("mean", "std", "min", "max")]
        row.append(tracer.writes_of(t))
        tensors.append(row)
        if id(t) in seen:
            tied.append({"name": key, "same_as": seen[id(t)]})
            continue
        seen[id(t)] = key
        extent = _extent(t)
        if extent is not None:
            for other, name in seen_memory:
                if other[0] == extent[0] and other[1] < extent[2] and extent[1] < other[2]:
                    shared.append({"name": key, "shares_memory_with": name})
                    break
            seen_memory.append((extent, key))
    non_persistent = []
    for mod_name, mod in model.named_modules():
        for buf_name in mod._buffers:
            if buf_name in mod._non_persistent_buffers_set and mod._buffers[buf_name] is not None:
                b = mod._buffers[buf_name]
                full = f"{mod_name}.{buf_name}" if mod_name else buf_name
                non_persistent.append({"name": full, "shape": list(b.shape), "dtype": str(b.dtype).replace("torch.", "")})
    return {
        "type": f"{type(model).__module__}.{type(model).__qualname__}",
        "parameter_count": sum(p.numel() for p in model.parameters()),
        "trainable_parameter_count": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "state_dict_count": len(state),
        "frozen": frozen,
        "tied": tied,
        "shared_memory": shared,
        "non_persistent_buffers": non_persistent,
        "tensors": tensors,
    }


def build(entry: Dict[str, Any], dist: str, tracer: Tracer, seed: int) -> Tuple[Dict[str, Any], float]:
    import torch

    module, note = load_file(dist, entry["file"])
    fn_name = entry.get("class") or entry.get("factory")
    if not fn_name or ("class" in entry) == ("factory" in entry):
        raise SystemExit(f"gen_corpus: {entry['id']}: give exactly one of class and factory")
    namespace = dict(vars(module))
    if fn_name not in namespace:
        raise SystemExit(f"gen_corpus: {entry['id']}: {fn_name} is not defined in {entry['file']}")
    call = f"{fn_name}({entry.get('args', '')})"
    code = compile(call, f"<{entry['id']}>", "eval")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.manual_seed(seed)
        tracer.reset()
        tracer.active = True
        start = time.perf_counter()
        try:
            model = eval(code, namespace)  # noqa: S307 - the manifest's own constructor text
        finally:
            tracer.active = False
        seconds = time.perf_counter() - start
    if not isinstance(model, torch.nn.Module):
        raise SystemExit(f"gen_corpus: {entry['id']}: {call} is a {type(model).__name__}, not an nn.Module")
    out: Dict[str, Any] = {"id": entry["id"], "package": entry["package"], "file": entry["file"]}
    out["class" if "class" in entry else "factory"] = fn_name
    out["args"] = entry.get("args", "")
    out["call"] = call
    if note:
        out["import_note"] = note
    msgs: List[str] = []
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message).replace(dist + os.sep, '')}"
        if text not in msgs:
            msgs.append(text)
    out["warnings"] = msgs
    out.update(describe(model, tracer))
    tracer.reset()
    return out, seconds


def debian_version(pkg: str) -> Optional[str]:
    try:
        res = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return res.stdout.strip() or None


def _dumps(value: Any, depth: int = 0) -> str:
    """JSON with one member per line, except that an object or list holding only
    scalars and lists of scalars (a tensor row, a tie) is written on one line."""
    pad, inner = "  " * depth, "  " * (depth + 1)

    def flat(v: Any) -> bool:
        if isinstance(v, dict):
            return all(not isinstance(x, (dict, list)) or (isinstance(x, list) and all(not isinstance(y, (dict, list)) for y in x)) for x in v.values())
        return False

    if isinstance(value, dict):
        if not value:
            return "{}"
        if depth > 0 and flat(value):
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dumps(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if depth > 0 and all(not isinstance(v, dict) and (not isinstance(v, list) or all(not isinstance(y, (dict, list)) for y in v)) for v in value):
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        return "[\n" + ",\n".join(inner + _dumps(v, depth + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def main(argv: List[str]) -> int:
    tracer = Tracer()
    import numpy as np
    import torch

    tracer.install()  # before any package is imported, so that their bound names are the traced ones
    torch.set_num_threads(1)
    out_dir = os.path.abspath(argv[1]) if len(argv) > 1 else CORPUS
    with open(os.path.join(CORPUS, "manifest.json"), encoding="utf-8") as fh:
        manifest = json.load(fh)
    ids = [e["id"] for e in manifest["entries"]]
    if len(set(ids)) != len(ids):
        raise SystemExit("gen_corpus: duplicate ids in the manifest")
    only = set(argv[2:])
    if only - set(ids):
        raise SystemExit(f"gen_corpus: not in the manifest: {sorted(only - set(ids))}")
    if only:
        if out_dir == os.path.abspath(CORPUS):
            raise SystemExit("gen_corpus: a run of some entries writes elsewhere than test/fixtures/corpus (give OUT_DIR)")
        ids = [i for i in ids if i in only]
    seed = int(manifest.get("seed", 0))
    versions = {"torch": str(torch.__version__)}
    for pkg in PACKAGES:
        if pkg != "torch":
            versions[pkg] = importlib.metadata.version(pkg)
    debian = {deb: debian_version(deb) for deb in PACKAGES.values()}
    print(f"gen_corpus: torch {torch.__version__}; {len(ids)} entries", flush=True)
    dists = {pkg: dist_dir(pkg) for pkg in sorted({e["file"].split("/")[0] for e in manifest["entries"]})}
    total = time.perf_counter()
    entries = []
    for entry in manifest["entries"]:
        if entry["id"] not in ids:
            continue
        dist = dists[entry["file"].split("/")[0]]
        t0 = time.perf_counter()
        rec, seconds = build(entry, dist, tracer, seed)
        elapsed = time.perf_counter() - t0
        entries.append(rec)
        print(f"  {entry['id']:40s} {rec['parameter_count']:>11,d} parameters  build {seconds:6.2f} s  total {elapsed:6.2f} s", flush=True)
    payload = {
        "generator": "scripts/golden/gen_corpus.py",
        "torch_version": str(torch.__version__),
        "numpy_version": str(np.__version__),
        "python_version": platform.python_version(),
        "package_versions": versions,
        "debian_packages": debian,
        "seed": seed,
        "std_ddof": 1,
        "tensor_fields": list(TENSOR_FIELDS),
        "entries": entries,
    }
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "expected.json")
    text = _dumps(payload) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    print(f"gen_corpus: wrote {path} ({len(text.encode('utf-8')):,d} bytes) in {time.perf_counter() - total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
