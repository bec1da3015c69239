#!/usr/bin/env bash
# ci/check/run.sh: the Linux checks of the Windows delivery (workflows, PowerShell scripts,
# names across the INF, vcxproj, emulator, README, scripts and workflows); Maven runs it in the
# test phase (ci/check/pom.xml). Installs the checks' npm packages into ci/check/node_modules
# from the committed package-lock.json when they are missing or stale (npm ci; offline once the
# npm cache has them). "run.sh --install-only" (from .ci/run) installs and stops. Without Node.js 20+ the checks are skipped with a message, unless
# JMF_NATIVE_REQUIRED=true (CI), when that is a failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
required=${JMF_NATIVE_REQUIRED:-false}
install_only=false
if [ "${1:-}" = --install-only ]; then  # .ci/run: install the packages now, fail if that fails
  install_only=true
  required=true
fi

# A Node.js that .ci/run fetched from the npm registry (when the system's is older than 20).
for bin in "$here"/.node/node_modules/node-linux-*/bin; do
  [ -x "$bin/node" ] && PATH="$bin:$PATH"
done

skip_or_fail() {
  if [ "$required" = true ]; then
    echo "ci-check: FAIL: $1 (required: jmf.native.required=true; .ci/run installs it)" >&2
    exit 1
  fi
  echo "ci-check: SKIPPED the checks of the workflows, PowerShell scripts and names: $1"
  exit 0
}

command -v node >/dev/null 2>&1 || skip_or_fail "no Node.js (node) on this machine"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || skip_or_fail "Node.js $(node --version) is too old (the checks need 20 or later)"

stamp="$here/node_modules/.jmf-package-lock.sha256"
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  command -v npm >/dev/null 2>&1 || skip_or_fail "no npm to install the checks' packages"
  echo "ci-check: installing the checks' npm packages (npm ci in ci/check)"
  (cd "$here" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error) ||
    skip_or_fail "npm ci failed in ci/check (offline and not in the npm cache?)"
  echo "$want" > "$stamp"
fi

[ "$install_only" = false ] || exit 0
exec node "$here/run-checks.mjs" "$root"
