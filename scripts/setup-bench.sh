#!/usr/bin/env bash
# What `npm run bench` needs besides node_modules: Debian's OpenBLAS for the PyTorch peer.
#
# Debian's python3-torch calls the system's libblas.so.3, which is the reference BLAS (plain loops) unless an
# optimized one is installed; a user who installs torch from Debian gets OpenBLAS with it on most systems, so the
# peer is measured with libopenblas0-pthread (bench/torch_bench.py pins it to one thread and reports which BLAS it
# loaded). Does nothing when it is installed or when this is not a Debian system (no dpkg); when it cannot install
# it (no root, no network) it says so and the benchmark goes on, its PyTorch note then names the BLAS used.
set -uo pipefail
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup-bench: not a Debian system; the PyTorch peer uses whatever BLAS torch finds"
  exit 0
fi
if dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q 'install ok installed'; then
  exit 0
fi
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else return 1; fi
}
export DEBIAN_FRONTEND=noninteractive
if as_root apt-get -o DPkg::Lock::Timeout=600 update && as_root apt-get -o DPkg::Lock::Timeout=600 install -y libopenblas0-pthread; then
  echo "setup-bench: installed libopenblas0-pthread"
else
  echo "setup-bench: could not install libopenblas0-pthread (needs root or sudo); the PyTorch peer may run on the reference BLAS" >&2
fi
exit 0
