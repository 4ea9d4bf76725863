#!/usr/bin/env bash
# Installs what the probe's Python tests and the model corpus need, for /usr/bin/python3:
# Debian's python3-torch and python3-numpy, and python3-torchvision, python3-torchaudio and
# python3-torchtext, whose model files (torchvision/models/*.py, …) are test/fixtures/corpus's sources,
# and libopenblas0-pthread, the BLAS Debian's torch runs on in the benchmark's PyTorch peer (scripts/setup-bench.sh).
# Does nothing when all of them are there. Needs root (or sudo) for apt-get.
# Debian's torchtext 0.14 cannot be imported as a whole (its compiled _torchtext module is an empty
# stub), so it is only looked up, not imported; its model files need nothing but torch.
set -euo pipefail
if /usr/bin/python3 -c 'import importlib.util, torch, numpy, torchvision, torchaudio; assert importlib.util.find_spec("torchtext")' 2>/dev/null \
  && dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q 'install ok installed'; then
  echo "setup-python: $(/usr/bin/python3 -c 'import torch, importlib.metadata as m; print(f"torch {torch.__version__}, " + ", ".join(f"{p} {m.version(p)}" for p in ("torchvision", "torchaudio", "torchtext")))') are installed"
  exit 0
fi
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup-python: need root (or sudo) to run: $*" >&2; return 1; fi
}
export DEBIAN_FRONTEND=noninteractive
as_root apt-get -o DPkg::Lock::Timeout=600 update
as_root apt-get -o DPkg::Lock::Timeout=600 install -y python3-torch python3-numpy \
  python3-torchvision python3-torchaudio python3-torchtext libopenblas0-pthread
