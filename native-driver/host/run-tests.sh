#!/usr/bin/env bash
# run-tests.sh [all|test]: builds the host library (all) or builds it and runs
# the C tests (test, the default). Called by Maven (compile and test phases).
# Without a C compiler the tests are skipped with a message, unless
# JMF_NATIVE_REQUIRED=true (CI), when that is an error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v "${CC:-cc}" >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
  if [ "${JMF_NATIVE_REQUIRED:-false}" = true ]; then
    echo "jminifilter: a C compiler and make are required (JMF_NATIVE_REQUIRED=true)" >&2
    exit 1
  fi
  echo "jminifilter: SKIPPED the native host build and tests: no C compiler or make on this machine"
  exit 0
fi
exec make --no-print-directory -C "$here" "${1:-test}"
