#!/bin/sh
# run-samples.sh - compiles Microsoft's minifilter samples UNCHANGED against the
# emulator's headers (../include: fltKernel.h, ...) and runs each in the
# emulated Filter Manager through sample_harness.c (several volumes, creates,
# reads, writes, directory queries, unload; any leak or violation fails it).
#
#   run-samples.sh SNAPSHOT [SAMPLE...]
#
# SNAPSHOT is a copy of https://github.com/microsoft/Windows-driver-samples:
# a checkout (a directory holding filesys/miniFilter) or a git directory (bare
# or .git; its HEAD is read with git archive). Nothing from it is copied into
# the project: the samples' sources are extracted into a temporary directory,
# compiled there and deleted. SAMPLE defaults to the samples known to run
# (README: "Microsoft's minifilter samples"); a name is a folder under
# filesys/miniFilter. Exit status: 0 if every sample ran clean.
set -eu

usage() { echo "usage: $0 SNAPSHOT [SAMPLE...]  (SNAPSHOT: a checkout or git directory of microsoft/Windows-driver-samples)" >&2; exit 2; }
[ $# -ge 1 ] || usage
SNAPSHOT=$1; shift
[ $# -ge 1 ] || set -- nullFilter passThrough ctx simrep delete change cdo MetadataManager

HERE=$(cd "$(dirname "$0")" && pwd)
EMU=$(cd "$HERE/.." && pwd)
CC=${CC:-cc}
BUILD="$EMU/build/samples"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

# Where the samples' sources come from.
if [ -d "$SNAPSHOT/filesys/miniFilter" ]; then
    extract() { mkdir -p "$WORK/src" && cp -R "$SNAPSHOT/filesys/miniFilter/$1" "$WORK/src/$1"; }
elif git --git-dir="$SNAPSHOT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
    extract() {
        mkdir -p "$WORK/src"
        git --git-dir="$SNAPSHOT" archive --format=tar HEAD "filesys/miniFilter/$1" | tar -x -C "$WORK" \
            && mv "$WORK/filesys/miniFilter/$1" "$WORK/src/$1"
    }
else
    echo "$0: $SNAPSHOT is neither a checkout holding filesys/miniFilter nor a git directory" >&2
    exit 2
fi

# As the emulator's own test build (Makefile): UTF-16 WCHAR, ASan + UBSan.
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
BASE="-std=gnu11 -fshort-wchar -g -O1 -fno-omit-frame-pointer -pthread"
# The samples are written for MSVC: unknown pragmas (alloc_text, prefast),
# multi-character pool tags and positional initializers are correct there.
# Their warnings are shown, not fatal: the point is to run them unchanged.
# -fcommon: MSVC merges a global defined without initializer in a header that
# several files include (change.h's gFilterInstance), as C's common symbols do.
SAMPLE_WARN="-fcommon -Wall -Wextra -Wno-multichar -Wno-unknown-pragmas -Wno-missing-field-initializers -Wno-unused-parameter -Werror=implicit-function-declaration"

# The emulator, compiled when its sources change. emu_explain.c is left out:
# it links jminifilter's own policy core (`jminifilter explain`), no sample's.
mkdir -p "$BUILD/emu"
EMU_OBJS=
for c in "$EMU"/src/*.c; do
    [ "$(basename "$c")" = emu_explain.c ] && continue
    o="$BUILD/emu/$(basename "$c" .c).o"
    if [ ! -f "$o" ] || [ -n "$(find "$EMU/src" "$EMU/include" -newer "$o" -name '*.[ch]' | head -1)" ]; then
        $CC $BASE $SAN -Wall -Wextra -Werror -Wno-multichar -I"$EMU/include" -I"$EMU/src" -c "$c" -o "$o"
    fi
    EMU_OBJS="$EMU_OBJS $o"
done
$CC $BASE $SAN -Wall -Wextra -Werror -I"$EMU/include" -I"$HERE" -c "$HERE/sample_harness.c" -o "$BUILD/sample_harness.o"

failed=
for sample in "$@"; do
    echo "== $sample"
    # The kernel part: the sample's folder, or its filter/ folder when it also
    # has a user-mode part (avscan, scanner, minispy: filter/, user/, inc/).
    dir="$WORK/src/$sample"
    if extract "$sample" 2>"$WORK/extract.err" && [ -d "$dir/filter" ]; then
        dir="$dir/filter"
    fi
    if [ -z "$(ls "$dir"/*.c 2>/dev/null)" ]; then
        cat "$WORK/extract.err" >&2
        echo "$sample: no sources under filesys/miniFilter/$sample in $SNAPSHOT" >&2
        failed="$failed $sample"; continue
    fi
    # Windows' file names ignore case: an #include spelled otherwise than the
    # header's file (NameChanger's <fltkernel.h>) finds it through a link of
    # that spelling in the temporary directory, searched last. The project
    # keeps one spelling of each header (two would collide on a checkout that
    # ignores case).
    ci="$WORK/ci/$sample"
    mkdir -p "$ci"
    for name in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"/]*\)[>"].*/\1/p' \
                      "$dir"/*.c "$dir"/*.h "$WORK/src/$sample/inc"/*.h 2>/dev/null | sort -u); do
        for d in "$EMU/include" "$dir" "$WORK/src/$sample/inc"; do
            [ -e "$d/$name" ] && continue 2
        done
        for d in "$EMU/include" "$dir" "$WORK/src/$sample/inc"; do
            match=$(ls "$d" 2>/dev/null | grep -Fxi -- "$name" | head -n 1)
            if [ -n "$match" ]; then
                ln -s "$d/$match" "$ci/$name"
                break
            fi
        done
    done
    mkdir -p "$BUILD/$sample"
    objs=
    ok=1
    for c in "$dir"/*.c; do
        o="$BUILD/$sample/$(basename "$c" .c).o"
        # Only the emulator's WDK headers and the sample's own folders.
        if ! $CC $BASE $SAN $SAMPLE_WARN -I"$EMU/include" -I"$dir" -I"$WORK/src/$sample/inc" -I"$ci" -c "$c" -o "$o"; then
            ok=0; break
        fi
        objs="$objs $o"
    done
    # The project's own checks of this sample, if any (harness.h hooks).
    if [ $ok = 1 ] && [ -f "$HERE/checks/$sample.c" ]; then
        o="$BUILD/$sample/checks.o"
        if $CC $BASE $SAN -Wall -Wextra -Werror -I"$EMU/include" -I"$HERE" -c "$HERE/checks/$sample.c" -o "$o"; then
            objs="$objs $o"
        else
            ok=0
        fi
    fi
    if [ $ok = 1 ] && ! $CC $SAN -pthread -rdynamic -o "$BUILD/sample-$sample" $objs "$BUILD/sample_harness.o" $EMU_OBJS; then
        ok=0
    fi
    if [ $ok = 0 ]; then
        echo "$sample: does not compile or link unchanged against the emulator (first errors above)" >&2
        failed="$failed $sample"; continue
    fi
    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$BUILD/sample-$sample" "$sample"; then
        failed="$failed $sample"
    fi
done

if [ -n "$failed" ]; then
    echo "samples that did not run clean:$failed" >&2
    exit 1
fi
echo "all samples ran clean: $*"
