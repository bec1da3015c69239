#!/bin/sh
# bench.sh BENCH - instructions per decision with 10 and with 10,000 path
# rules, counted by callgrind inside BenchRunDecisions only, and their ratio
# (the issue's bound: at most 2x). Exits non-zero when the ratio is over 2.
set -eu
BENCH=$1
DECISIONS=${DECISIONS:-20000}
OUT=$(dirname "$BENCH")
command -v valgrind >/dev/null || { echo "bench: valgrind not found" >&2; exit 2; }

per_decision() {
    rules=$1
    file=$OUT/callgrind.$rules.out
    valgrind --tool=callgrind --toggle-collect=BenchRunDecisions --callgrind-out-file="$file" \
        "$BENCH" "$rules" "$DECISIONS" >"$OUT/bench.$rules.txt" 2>"$OUT/valgrind.$rules.txt"
    total=$(awk '/^totals:/ { print $2 }' "$file")
    [ -n "$total" ] || total=$(awk '/^summary:/ { print $2 }' "$file")
    echo "$total"
}

small=$(per_decision 10)
large=$(per_decision 10000)
cat "$OUT/bench.10.txt" "$OUT/bench.10000.txt"
awk -v s="$small" -v l="$large" -v d="$DECISIONS" 'BEGIN {
    printf "bench: command: valgrind --tool=callgrind --toggle-collect=BenchRunDecisions %s RULES %d\n", "build/bench", d;
    printf "bench: 10 path rules:     %.0f instructions per decision (%s in %d decisions)\n", s / d, s, d;
    printf "bench: 10,000 path rules: %.0f instructions per decision (%s in %d decisions)\n", l / d, l, d;
    printf "bench: ratio 10,000 / 10 = %.2f (bound: 2.00)\n", l / s;
    exit (l / s <= 2.0) ? 0 : 1;
}'
