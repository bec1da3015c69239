#!/usr/bin/env bash
# run-tests.sh [all|test]: builds the host library (all) or builds it and runs
# the C tests (test, the default). Called by Maven (compile and test phases).
# Without a C compiler the tests are skipped with a message, unless
# JMF_NATIVE_REQUIRED=true (CI), when that is an error.
#
# Quiet by default: make's output (about 75 compiler command lines, every C
# test's "ok" line) goes to build/run-tests-<target>.log and only a summary is
# printed: what was compiled, and each suite's pass count. On failure the whole
# log is printed (to stderr). VERBOSE=1 prints everything as it happens.
# Maven forwards what this prints at INFO level, so `mvn -q` shows nothing but
# failures.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:-test}
if ! command -v "${CC:-cc}" >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
  if [ "${JMF_NATIVE_REQUIRED:-false}" = true ]; then
    echo "jminifilter: a C compiler and make are required (JMF_NATIVE_REQUIRED=true)" >&2
    exit 1
  fi
  echo "jminifilter: SKIPPED the native host build and tests: no C compiler or make on this machine"
  exit 0
fi
if [ -n "${VERBOSE:-}" ] && [ "${VERBOSE}" != 0 ]; then
  exec make --no-print-directory -C "$here" "$target"
fi

mkdir -p "$here/build"
log="$here/build/run-tests-$target.log"
status=0
make --no-print-directory -C "$here" "$target" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  {
    echo "jminifilter: native host '$target' FAILED (make exit status $status); its whole output follows ($log):"
    cat "$log"
  } >&2
  exit "$status"
fi

# A compiler command line starts with the compiler's name (cc, gcc, clang-19, a path to one).
compiled=$(grep -cE '^([^ ]*/)?(cc|gcc|clang)(-[0-9]+)?( |$)' "$log" || true)
if [ "$compiled" -gt 0 ]; then
  echo "jminifilter: native host '$target': $compiled compiler runs (VERBOSE=1 shows them; log: $log)"
else
  echo "jminifilter: native host '$target': nothing to recompile"
fi
if [ "$target" = test ]; then
  # Each suite's and check's summary ("unit: N passed, M failed", "header-modes: ... in 8
  # modes", a SKIPPED), not the per-item "ok" lines, and the measurements some tests print
  # (indented: the ask flood's counts, the disconnect's delay).
  grep -E '^[a-z][a-z-]*: ' "$log" | grep -vE '^[a-z][a-z-]*: ok ' || true
  grep -E '^    [a-z]' "$log" || true
fi
