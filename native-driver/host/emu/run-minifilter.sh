#!/bin/sh
# run-minifilter.sh - runs a minifilter written anywhere in the emulated Filter
# Manager: its sources compiled UNCHANGED against the emulator's WDK headers
# (include/: fltKernel.h, ...), or the .sys the WDK linked, loaded as it is.
#
#   run-minifilter.sh [options] SOURCE_DIR        a minifilter's kernel sources (*.c)
#   run-minifilter.sh [options] --sys FILE.sys    a WDK-built x64 driver binary (x86-64 Linux)
#
#   --name NAME       labels the output and the build directory (default: the folder's name,
#                     its parent's for a folder named filter)
#   --include DIR     another folder of headers the sources include (repeatable; e.g. a shared inc/)
#   --checks FILE.c   your own checks, linked with the harness (samples/harness.h: hooks before
#                     the load, while loaded, after the unload; a failed CHECK fails the run)
#   --user DIR        the filter's user-mode part (*.c), compiled against include-user/ (windows.h,
#                     fltUser.h) and linked with the emulator's fltlib/kernel32 surface; its main is
#                     renamed SampleUserMain, which your --checks file calls (in a thread of its own)
#   --altitude N      the filter's altitude (default 370020; an observer filter sits at 100000)
#
# The harness (samples/sample_harness.c) makes two volumes, loads the filter
# (DriverEntry), adds a network volume, and on every volume creates, writes
# (synchronous, asynchronous, fast I/O), reads back, lists, reopens and asks
# for an oplock, with read/write post-operation callbacks at PASSIVE_LEVEL and
# then DISPATCH_LEVEL; then a mandatory unload. Everything is built with ASan
# and UBSan. A violation the emulator reports (wrong IRQL, pageable memory at
# DISPATCH_LEVEL, an unbalanced reference, a misused callback data, a failed
# FLT_ASSERT, ...), a leak at unload (pool by tag, references, contexts, file
# objects, MDLs, device objects), a wrong byte or a failed CHECK fails the run.
# Environment: CC (default cc), JMF_EMU_TRACE=1 shows the filter's DbgPrint
# output. Exit status: 0 when the filter ran clean, 1 when not, 2 on bad usage.
set -eu

usage() {
    echo "usage: $0 [--name NAME] [--include DIR]... [--checks FILE.c] [--user DIR] [--altitude N] (SOURCE_DIR | --sys FILE.sys)" >&2
    exit 2
}
NAME= SRC= SYS= CHECKS= UDIR= INCS= ALTITUDE=370020
while [ $# -gt 0 ]; do
    case "$1" in
        --name) [ $# -ge 2 ] || usage; NAME=$2; shift 2 ;;
        --include) [ $# -ge 2 ] || usage; [ -d "$2" ] || { echo "$0: --include $2: no such folder" >&2; exit 2; }
                   INCS="$INCS -I$(cd "$2" && pwd)"; shift 2 ;;
        --checks) [ $# -ge 2 ] || usage; [ -f "$2" ] || { echo "$0: --checks $2: no such file" >&2; exit 2; }
                  CHECKS=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
        --user) [ $# -ge 2 ] || usage; [ -d "$2" ] || { echo "$0: --user $2: no such folder" >&2; exit 2; }
                UDIR=$(cd "$2" && pwd); shift 2 ;;
        --altitude) [ $# -ge 2 ] || usage; ALTITUDE=$2; shift 2 ;;
        --sys) [ $# -ge 2 ] || usage; [ -f "$2" ] || { echo "$0: --sys $2: no such file" >&2; exit 2; }
               SYS=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
        -h|--help) sed -n '2,/^set -eu$/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "$0: unknown option $1" >&2; usage ;;
        *) [ -z "$SRC" ] || usage; SRC=$1; shift ;;
    esac
done
if [ -n "$SYS" ] && [ -n "$SRC" ]; then echo "$0: give SOURCE_DIR or --sys, not both" >&2; exit 2; fi
if [ -z "$SYS" ] && [ -z "$SRC" ]; then usage; fi
if [ -n "$SRC" ]; then
    [ -d "$SRC" ] || { echo "$0: $SRC: no such folder" >&2; exit 2; }
    SRC=$(cd "$SRC" && pwd)
    [ -n "$(ls "$SRC"/*.c 2>/dev/null)" ] || { echo "$0: $SRC holds no .c file" >&2; exit 2; }
    # A kernel part kept in filter/ (beside user/ and inc/, as Microsoft's samples do) is named by its project.
    if [ -z "$NAME" ]; then
        NAME=$(basename "$SRC")
        [ "$NAME" != filter ] || NAME=$(basename "$(dirname "$SRC")")
    fi
else
    [ -n "$NAME" ] || NAME=$(basename "$SYS" .sys)
fi
case "$ALTITUDE" in ''|*[!0-9.]*) echo "$0: --altitude $ALTITUDE: an altitude is digits (and one '.')" >&2; exit 2 ;; esac

EMU=$(cd "$(dirname "$0")" && pwd)
HARNESS="$EMU/samples"
CC=${CC:-cc}
BUILD="$EMU/build/minifilter"
OUT="$BUILD/$NAME"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

# As the emulator's own test build (Makefile): UTF-16 WCHAR, ASan + UBSan.
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
BASE="-std=gnu11 -fshort-wchar -g -O1 -fno-omit-frame-pointer -pthread"
# Filters are written for MSVC: unknown pragmas (alloc_text, prefast),
# multi-character pool tags and positional initializers are correct there.
# Their warnings are shown, not fatal: the point is to run them unchanged.
# -fcommon: MSVC merges a global defined without initializer in a header that
# several files include (the change sample's gFilterInstance), as C's common
# symbols do; gcc 10 and later refuse it otherwise.
FILTER_WARN="-fcommon -Wall -Wextra -Wno-multichar -Wno-unknown-pragmas -Wno-missing-field-initializers -Wno-unused-parameter -Werror=implicit-function-declaration"
USER_WARN="-Wall -Wextra -Wno-unknown-pragmas -Wno-unused-parameter -Werror=implicit-function-declaration"

# Windows finds #include names whatever their case (<fltkernel.h>, <fltuser.h>):
# lower-case aliases of the emulator's headers, in the temporary directory.
aliases() {  # aliases FROM_DIR TO_DIR
    mkdir -p "$2"
    for h in "$1"/*.h; do
        b=$(basename "$h"); l=$(printf '%s' "$b" | tr 'A-Z' 'a-z')
        [ "$l" = "$b" ] || printf '#include "%s"\n' "$h" > "$2/$l"
    done
}
aliases "$EMU/include" "$WORK/kernel-include"
aliases "$EMU/include-user" "$WORK/user-include"

# The emulator, compiled when its sources change (or, from the Makefile, the
# objects its own sanitized build made: JMF_EMU_OBJS_DIR). emu_explain.c is left
# out: it links jminifilter's own policy core (`jminifilter explain`), nobody else's.
OBJ_DIR=${JMF_EMU_OBJS_DIR:-$BUILD/emu}
mkdir -p "$OBJ_DIR" "$OUT"
EMU_OBJS=
for c in "$EMU"/src/*.c; do
    [ "$(basename "$c")" = emu_explain.c ] && continue
    o="$OBJ_DIR/$(basename "$c" .c).o"
    if [ ! -f "$o" ] || [ -n "$(find "$EMU/src" "$EMU/include" -newer "$o" -name '*.[ch]' | head -1)" ]; then
        $CC $BASE $SAN -Wall -Wextra -Werror -Wno-multichar -I"$EMU/include" -I"$EMU/src" -c "$c" -o "$o"
    fi
    EMU_OBJS="$EMU_OBJS $o"
done
$CC $BASE $SAN -Wall -Wextra -Werror -I"$EMU/include" -I"$HARNESS" -c "$HARNESS/sample_harness.c" -o "$OUT/harness.o"

fail() { echo "$NAME: $1" >&2; exit 1; }
objs=
# The kernel part: the filter's own folder, its --include folders and the emulator's headers only.
if [ -n "$SRC" ]; then
    for c in "$SRC"/*.c; do
        o="$OUT/$(basename "$c" .c).o"
        $CC $BASE $SAN $FILTER_WARN -I"$EMU/include" -I"$WORK/kernel-include" -I"$SRC" $INCS -c "$c" -o "$o" \
            || fail "does not compile unchanged against the emulator's headers (first errors above)"
        objs="$objs $o"
    done
fi
if [ -n "$CHECKS" ]; then
    $CC $BASE $SAN -Wall -Wextra -Werror -I"$EMU/include" -I"$HARNESS" -c "$CHECKS" -o "$OUT/checks.o" \
        || fail "the checks $CHECKS do not compile"
    objs="$objs $OUT/checks.o"
fi
# The user-mode part: a program of its own on Windows, so its main becomes
# SampleUserMain and every other symbol it defines is made local (a name the
# kernel part defines too, as scanner's ScannerPortName, must not collide).
if [ -n "$UDIR" ]; then
    uobjs=
    for c in "$UDIR"/*.c; do
        o="$OUT/user-$(basename "$c" .c).o"
        $CC $BASE $SAN $USER_WARN -I"$WORK/user-include" -I"$EMU/include-user" -I"$UDIR" $INCS -c "$c" -o "$o" \
            || fail "the user-mode part does not compile unchanged against include-user/ (first errors above)"
        uobjs="$uobjs $o"
    done
    ld -r -o "$OUT/user.o" $uobjs && objcopy --redefine-sym main=SampleUserMain "$OUT/user.o" \
        && objcopy --keep-global-symbol=SampleUserMain "$OUT/user.o" || fail "the user-mode part has no main"
    objs="$objs $OUT/user.o"
fi
# Without sources the emulator's weak DriverEntry loads the .sys (src/emu_pe.c).
$CC $SAN -pthread -rdynamic -o "$OUT/run" $objs "$OUT/harness.o" $EMU_OBJS \
    || fail "does not link against the emulator (a routine it calls is not emulated: see the names above)"
if [ -n "$SYS" ]; then
    export JMF_EMU_SYS="$SYS"
fi
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    HARNESS_ALTITUDE="$ALTITUDE" "$OUT/run" "$NAME"
