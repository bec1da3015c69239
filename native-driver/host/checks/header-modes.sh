#!/usr/bin/env bash
# header-modes.sh: jmf_protocol.h must compile in every C mode a user may
# include it from, and its assertions must assert there:
#
#   cc -std=c89/-std=c99 -ffreestanding -pedantic-errors  no _Static_assert: the typedef fallback
#                                                        (freestanding: glibc's <sys/cdefs.h> would
#                                                        otherwise define _Static_assert for C89/C99)
#   cc -std=c11                                          _Static_assert
#   clang-cl-19 /TC, no /std                             MSVC-compatible mode as the WDK check uses it
#   clang-cl-19 /TC as cl.exe without /std               no __STDC_VERSION__ (cl.exe defines none by
#                                                        default) and not __clang__, so JMF_OFFSETOF takes
#                                                        cl.exe's branch: the typedef fallback with the
#                                                        WDK's FIELD_OFFSET form in a constant expression
#   clang-cl-19 /TP                                      C++: static_assert
#
# Each mode compiles header_modes.c cleanly (warnings are errors) and
# refuses it with -DJMF_CHECK_FALSE_ASSERTION, naming the assertion. In the
# fallback modes _Static_assert is an error (-pedantic-errors,
# -Werror=c11-extensions), so a header that used it there fails here.
#
# clang-cl-19 (Debian: clang-tools-19, with clang-19) is optional: without
# it the clang modes are skipped with a message, unless
# JMF_NATIVE_REQUIRED=true (CI), when that is an error.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
inc=$here/../../include
src=$here/header_modes.c
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
cc=${CC:-cc}
clang_cl=${CLANG_CL:-clang-cl-19}     # overridable to try the skip path
clang=${CLANG:-clang-19}
failures=0; modes=0

# check NAME COMMAND...: the command must compile src (with -I inc); with the
# false assertion added it must fail with an assertion error.
check() {
  local name=$1; shift
  modes=$((modes + 1))
  if ! "$@" >"$out/log" 2>&1; then
    echo "header-modes: FAIL [$name]: jmf_protocol.h does not compile:"; sed 's/^/    /' "$out/log"
    failures=$((failures + 1)); return
  fi
  if "$@" -DJMF_CHECK_FALSE_ASSERTION >"$out/log" 2>&1; then
    echo "header-modes: FAIL [$name]: a false JMF_ASSERT_OFFSET compiled: the assertions do not assert in this mode"
    failures=$((failures + 1)); return
  fi
  if ! grep -Eqi 'negative|static assertion failed|static_assert failed' "$out/log"; then
    echo "header-modes: FAIL [$name]: the false assertion failed for another reason:"; sed 's/^/    /' "$out/log"
    failures=$((failures + 1)); return
  fi
  echo "header-modes: ok [$name]"
}

strict=(-Wall -Wextra -Werror -I"$inc" -c "$src" -o "$out/o.o")
check "$cc -std=c89" "$cc" -std=c89 -ffreestanding -pedantic-errors "${strict[@]}"
check "$cc -std=c99" "$cc" -std=c99 -ffreestanding -pedantic-errors "${strict[@]}"
check "$cc -std=c11" "$cc" -std=c11 -pedantic-errors "${strict[@]}"

if command -v "$clang_cl" >/dev/null 2>&1 && command -v "$clang" >/dev/null 2>&1; then
  check "clang-19 -std=c89" "$clang" -std=c89 -ffreestanding -pedantic-errors "${strict[@]}"
  check "clang-19 -std=c99" "$clang" -std=c99 -ffreestanding -pedantic-errors "${strict[@]}"
  # clang-cl reads an argument starting with / as an option: name the source relative to here.
  cd "$here"
  cl=("$clang_cl" /nologo /c -fms-compatibility-version=19.40 /W4 /WX -I"$inc" /Fo"$out/o.obj")
  check "clang-cl-19 /TC (no /std)" "${cl[@]}" /TC header_modes.c
  # clang calls folding FIELD_OFFSET's form into a constant an extension; cl.exe folds it
  # (the WDK's own C_ASSERT(FIELD_OFFSET(...) == n) lines depend on that).
  check "clang-cl-19 /TC as cl.exe without /std" "${cl[@]}" /TC /clang:-std=c89 -U__clang__ \
        /clang:-Werror=c11-extensions /clang:-Wno-gnu-folding-constant header_modes.c
  check "clang-cl-19 /TP (C++)" "${cl[@]}" /TP header_modes.c
elif [ "${JMF_NATIVE_REQUIRED:-false}" = true ]; then
  echo "header-modes: FAIL: clang-cl-19 and clang-19 are required (JMF_NATIVE_REQUIRED=true); Debian: apt-get install clang-tools-19"
  failures=$((failures + 1))
else
  echo "header-modes: SKIPPED the MSVC-compatible modes: no clang-cl-19 (Debian: clang-tools-19)"
fi

if [ "$failures" -ne 0 ]; then
  echo "header-modes: $failures failure(s) ($modes modes tried)"; exit 1
fi
echo "header-modes: jmf_protocol.h compiles and asserts in $modes modes"
