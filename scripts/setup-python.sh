#!/usr/bin/env bash
# Installs what the probe's Python tests need: Debian's python3-torch and python3-numpy for /usr/bin/python3.
# Does nothing when torch already imports. Needs root (or sudo) for apt-get.
set -euo pipefail
if /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
  echo "setup-python: torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') is installed"
  exit 0
fi
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup-python: need root (or sudo) to run: $*" >&2; return 1; fi
}
export DEBIAN_FRONTEND=noninteractive
as_root apt-get -o DPkg::Lock::Timeout=600 update
as_root apt-get -o DPkg::Lock::Timeout=600 install -y python3-torch python3-numpy
