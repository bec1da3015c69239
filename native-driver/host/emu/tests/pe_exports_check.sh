#!/bin/sh
# pe_exports_check.sh - every kernel routine the emulator's WDK headers declare
# can be imported by a driver binary (src/emu_pe.c's export table), and every
# routine that takes a driver callback goes through a wrapper there (the
# callback is ms_abi code and must be called through a thunk).
#
#   pe_exports_check.sh CC
#
# The declarations come from the compiler itself (gcc -aux-info over the
# headers a minifilter includes), so a routine added to a header and forgotten
# in the loader fails the emulator's test, not a user's .sys at load time. As
# the table names every declared routine, a routine declared but never
# implemented fails the emulator's link too, instead of a sample's.
# Not imports, listed below with the reason: the emulator's own helpers that
# its header macros call (Emu*), ntstrsafe's routines (inline in the WDK's
# ntstrsafe.h, linked into the driver), and accessor shims for kernel data the
# loader exports as data.
set -eu
CC=${1:-cc}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

printf '#include <fltKernel.h>\n#include <ntstrsafe.h>\n#include <TraceLoggingProvider.h>\n' >"$WORK/all.c"
"$CC" -std=gnu11 -fshort-wchar -I"$HERE/include" -c "$WORK/all.c" -o "$WORK/all.o" -aux-info "$WORK/aux.txt"

# "/* include/fltKernel.h:468:NC */ extern NTSTATUS FltGetVolumeContext (PFLT_FILTER, ...);"
# NC = a declaration (NF would be an inline definition: nothing to import).
# Only the emulator's headers (the C library's string.h etc. are not the kernel's).
grep -F "/* $HERE/include/" "$WORK/aux.txt" | grep -E ':NC \*/' | grep -v '/jmf_emu\.h:' \
    | sed -E 's/^\/\* [^ ]+ \*\/ //' >"$WORK/decls.txt"

not_import() {
    case "$1" in
        Emu*) return 0 ;;                               # the emulator's helpers behind SEH/assert/PAGED_CODE/TraceLogging macros
        RtlString*|RtlUnicodeString*) return 0 ;;       # ntstrsafe: inline or ntstrsafe.lib, inside the driver
        PsInitialSystemProcess_get) return 0 ;;         # PsInitialSystemProcess is exported as data
    esac
    return 1
}

missing=0
while IFS= read -r decl; do
    name=$(printf '%s\n' "$decl" | sed -E 's/^(.*[ *])([A-Za-z_][A-Za-z_0-9]*) \(.*$/\2/')
    not_import "$name" && continue
    plain=0; wrapped=0
    grep -q "X($name)" "$HERE/src/emu_pe.c" && plain=1
    grep -q "{ \"$name\"," "$HERE/src/emu_pe.c" && wrapped=1
    if [ $plain = 0 ] && [ $wrapped = 0 ]; then
        echo "pe_exports_check: $name is declared by the emulator's headers but a driver binary cannot import it (add it to src/emu_pe.c's export table)" >&2
        missing=$((missing + 1)); continue
    fi
    # A parameter of a callback type (..._CALLBACK, ..._ROUTINE, ..._NOTIFY,
    # PFN_...) must be wrapped, not exported plain.
    params=$(printf '%s\n' "$decl" | sed -E 's/^[^(]*\((.*)\);$/\1/')
    if [ $plain = 1 ] && printf '%s\n' "$params" | grep -Eq '(CALLBACK|ROUTINE|NOTIFY)\b|\bPFN_'; then
        echo "pe_exports_check: $name takes a driver callback ($params) but is exported plain: wrap the callback (PE_CALLBACK) in src/emu_pe.c" >&2
        missing=$((missing + 1))
    fi
done <"$WORK/decls.txt"

total=$(wc -l <"$WORK/decls.txt")
if [ $missing -gt 0 ]; then
    echo "pe_exports_check: $missing of $total declared routines fail" >&2
    exit 1
fi
echo "pe_exports_check: the $total routines the headers declare are importable"
