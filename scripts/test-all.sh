#!/usr/bin/env bash
# Runs every test of the project; this is what CI runs (.ci/run) on a fresh clone.
#
#   bash scripts/test-all.sh
#
# Steps (each timed): npm ci, E2E tool setup, type-check, unit + golden tests with
# coverage, build + package with size and file-list checks, end-to-end tests in
# code-server + headless chromium (screenshots in e2e-out/); the Python probe's tests
# (python/tests, with Debian's python3-torch) run after the unit tests.
# A failing step does not hide the results of independent later steps, but the
# script exits non-zero if any step failed. Steps that need a failed step are skipped.
#
# Environment:
#   CI=true             always run `npm ci` (otherwise only when node_modules is stale)
#   MAX_VSIX_BYTES      package size limit [2097152 = 2 MB]
#   E2E_*               passed on to the E2E harness (see test/e2e/harness.mjs)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

MAX_VSIX_BYTES="${MAX_VSIX_BYTES:-2097152}"
VSIX="dist-vsix/weightscope.vsix"
E2E_TIMEOUT_TOTAL="${E2E_TIMEOUT_TOTAL:-2400}"   # seconds for the whole E2E step

t_all=$(date +%s)
declare -a summary=()
failed=0

# step <name> <function>: runs the function in a subshell with `set -e` (so it must
# not be called from an `if`/`||` context, where bash ignores -e), prints a header,
# records status and time, and leaves the exit code in STEP_RC. Always returns 0.
STEP_RC=0
step() {
  local name="$1" fn="$2" t0 rc dt
  echo
  echo "================================================================"
  echo "== $name"
  echo "================================================================"
  t0=$(date +%s)
  set +e
  ( set -euo pipefail; "$fn" )
  rc=$?
  set -e
  STEP_RC=$rc
  dt=$(( $(date +%s) - t0 ))
  if [ "$rc" -eq 0 ]; then
    summary+=("$(printf '  %-30s %-6s %5ds' "$name" ok "$dt")")
    echo "-- $name: ok (${dt}s)"
  else
    summary+=("$(printf '  %-30s %-6s %5ds  (exit %d)' "$name" FAILED "$dt" "$rc")")
    echo "-- $name: FAILED with exit code $rc (${dt}s)"
    failed=1
  fi
}

skip() {
  summary+=("$(printf '  %-30s %-6s %5s   (%s)' "$1" skipped - "$2")")
  echo
  echo "== $1: skipped ($2)"
}

finish() {
  echo
  echo "================================================================"
  echo "test-all summary"
  for line in "${summary[@]}"; do echo "$line"; done
  echo "  total: $(( $(date +%s) - t_all ))s"
  if [ "$failed" -ne 0 ]; then echo "test-all: FAILED"; exit 1; fi
  echo "test-all: all steps passed"
}

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

do_npm_ci() {
  if [ "${CI:-}" = "true" ] || ! node_modules_fresh; then
    npm ci --no-audit --no-fund
  else
    echo "node_modules is up to date (CI is not set): skipping npm ci"
  fi
}

do_setup_e2e() { bash scripts/setup-e2e.sh; }

do_typecheck() { npm run --silent typecheck; }

do_unit() {
  # The coverage reporters (vitest.config.mts) print the coverage summary.
  npx vitest run --coverage
}

do_package() {
  rm -f "$VSIX"
  npm run --silent package
  [ -f "$VSIX" ] || { echo "package: $VSIX was not produced" >&2; return 1; }
  local size
  size=$(stat -c %s "$VSIX")
  echo "vsix: $VSIX, $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }') MiB), limit $MAX_VSIX_BYTES bytes"
  if [ "$size" -gt "$MAX_VSIX_BYTES" ]; then
    echo "package: $VSIX is larger than the limit" >&2; return 1
  fi
  local files bad
  files=$(npx vsce ls --no-dependencies)
  echo "packaged files ($(printf '%s\n' "$files" | grep -c .)):"
  printf '%s\n' "$files" | sed 's/^/  /'
  # No TypeScript sources (.ts, .mts, .cts, also .d.ts), no tests, no source maps, no node_modules.
  bad=$(printf '%s\n' "$files" | grep -E '\.(m|c)?ts$|(^|/)tests?/|\.(test|spec)\.|\.map$|(^|/)node_modules(/|$)' || true)
  if [ -n "$bad" ]; then
    echo "package: files that must not be shipped:" >&2
    printf '%s\n' "$bad" | sed 's/^/  /' >&2
    return 1
  fi
}

do_setup_python() { bash scripts/setup-python.sh; }

do_python() {
  # The probe (python/weightscope_probe) under Debian's torch; the runner prints 'python: N passed, N failed'.
  bash scripts/setup-python.sh || echo "setup-python failed: the runner will say whether torch is importable"
  /usr/bin/python3 python/tests/run.py
}

do_e2e() {
  rm -rf e2e-out
  timeout -k 30 "$E2E_TIMEOUT_TOTAL" node test/e2e/run.mjs
}

step "npm ci" do_npm_ci
[ "$STEP_RC" -eq 0 ] || finish
step "setup E2E tools" do_setup_e2e
e2e_tools_rc=$STEP_RC
step "typecheck" do_typecheck
# The model corpus (test/unit/corpus) reads the model files of Debian's torchvision, torchaudio and torchtext.
step "setup Python packages" do_setup_python
step "unit + golden tests (vitest)" do_unit
step "python probe tests" do_python
step "build + package" do_package
if [ "$STEP_RC" -ne 0 ]; then
  skip "E2E tests" "no package"
elif [ "$e2e_tools_rc" -ne 0 ]; then
  skip "E2E tests" "E2E tool setup failed"
else
  step "E2E tests" do_e2e
fi
finish
