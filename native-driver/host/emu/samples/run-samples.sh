#!/bin/sh
# run-samples.sh - compiles Microsoft's minifilter samples UNCHANGED against the
# emulator's headers (../include: fltKernel.h, ...) and runs each in the
# emulated Filter Manager through ../run-minifilter.sh and sample_harness.c
# (several volumes, creates, reads, writes, directory queries, unload; any
# leak, violation or failed check of checks/<sample>.c fails it).
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
case "$1" in
    -h|--help) sed -n '2,/^set -eu$/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "$0: unknown option $1" >&2; usage ;;
esac
SNAPSHOT=$1; shift
[ $# -ge 1 ] || set -- nullFilter passThrough ctx swapBuffers scanner cdo delete change simrep MetadataManager

HERE=$(cd "$(dirname "$0")" && pwd)
EMU=$(cd "$HERE/.." && pwd)
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

# Each sample goes through run-minifilter.sh, the emulator's runner for any
# minifilter: its kernel part compiled unchanged (with inc/ when it has one),
# the project's checks of it (checks/<sample>.c, harness.h hooks) and, when
# those checks run it (they call SampleUserMain), its user-mode part (user/).
failed=
samples="$*"
for sample in $samples; do
    echo "== $sample"
    # The kernel part: the sample's folder, or its filter/ folder when it also
    # has a user-mode part (avscan, scanner, minispy: filter/, user/, inc/).
    top="$WORK/src/$sample"
    dir=$top
    if extract "$sample" 2>"$WORK/extract.err" && [ -d "$dir/filter" ]; then
        dir="$dir/filter"
    fi
    if [ -z "$(ls "$dir"/*.c 2>/dev/null)" ]; then
        cat "$WORK/extract.err" >&2
        echo "$sample: no sources under filesys/miniFilter/$sample in $SNAPSHOT" >&2
        failed="$failed $sample"; continue
    fi
    set --
    [ -d "$top/inc" ] && set -- "$@" --include "$top/inc"
    if [ -f "$HERE/checks/$sample.c" ]; then
        set -- "$@" --checks "$HERE/checks/$sample.c"
        if [ -d "$top/user" ] && grep -q SampleUserMain "$HERE/checks/$sample.c"; then
            set -- "$@" --user "$top/user"
        fi
    fi
    if ! "$EMU/run-minifilter.sh" --name "$sample" "$@" "$dir"; then
        failed="$failed $sample"
    fi
done

if [ -n "$failed" ]; then
    echo "samples that did not run clean:$failed" >&2
    exit 1
fi
echo "all samples ran clean: $samples"
