#!/usr/bin/env bash
# piiscan and ripgrep side by side, in the same run, on the same files.
#
# ripgrep runs `rg --no-unicode --count-matches -f PATTERNS` with every pattern of the built-in
# rules (one regex pass, ASCII classes and word boundaries, counting matches); piiscan runs
# `scan --format ndjson` (it also validates, weighs context, masks, fingerprints and writes
# each finding). Measured, each for 1 and 2 threads:
#   - the benchmark's sparse, dense and clean corpora (PIISCAN_BENCH_MB, default 200 MB each),
#   - a full-row CSV export (every cell, `--sample-rows 0`; PIISCAN_BENCH_TABLE_MB, default 200),
#   - NDJSON output against `rg --json` (sparse corpus),
#   - peak memory (/usr/bin/time -v, maximum resident set) of every run, plus a gzip log with a
#     finding on every line (PIISCAN_BENCH_GZ_LINES, default 5,000,000 lines).
# With PIISCAN_BENCH_PERF=1 each run is also counted with `perf stat -e instructions` (the machine
# may be shared: instruction counts do not depend on the load, wall time does). Where a VM has no
# hardware counters, count a slice with valgrind instead, e.g.
#   head -c 10000000 target/bench-corpus/sparse-200mb.txt > /tmp/s.txt
#   valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/piiscan scan /tmp/s.txt --threads 1 -q --format ndjson
#
# Usage: benches/compare_ripgrep.sh [CORPUS_FILE...]
#   Without arguments it writes (once) and uses the corpora in target/bench-corpus.
# Needs: rg (Debian package ripgrep), python3 (3.11+, for tomllib), GNU time, a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v rg >/dev/null || { echo "ripgrep (rg) is not installed: apt-get install ripgrep" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is not installed: apt-get install time" >&2; exit 2; }
target=${CARGO_TARGET_DIR:-target}
# PIISCAN_BIN names an already built binary (else a release build is made).
bin=${PIISCAN_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin=$target/release/piiscan
fi
mb=${PIISCAN_BENCH_MB:-200}
table_mb=${PIISCAN_BENCH_TABLE_MB:-200}
gz_lines=${PIISCAN_BENCH_GZ_LINES:-5000000}
dir=target/bench-corpus
mkdir -p "$dir"
files=("$@")
csv=""
if [ ${#files[@]} -eq 0 ]; then
  # The same generator as `cargo bench` (piiscan::corpus), through the bench binary
  # (PIISCAN_CORPUS_GEN names an already built one).
  all=("$dir/sparse-${mb}mb.txt" "$dir/dense-${mb}mb.txt" "$dir/clean-${mb}mb.txt" "$dir/${table_mb}mb-crm.csv")
  missing=0
  for f in "${all[@]}"; do [ -f "$f" ] || missing=1; done
  if [ "$missing" = 1 ]; then
    gen=${PIISCAN_CORPUS_GEN:-}
    if [ -z "$gen" ]; then
      cargo build --release -q --bench scan_throughput
      gen=$(ls -t "$target"/release/deps/scan_throughput-* | grep -v '\.d$' | head -1)
    fi
    mapfile -t all < <("$gen" --write-corpora "$dir" "$mb" "$table_mb")
  fi
  files=("${all[@]:0:3}")
  csv=${all[3]}
fi
patterns=$(mktemp)
trap 'rm -f "$patterns"' EXIT
python3 - "$patterns" <<'PY'
import sys, tomllib, pathlib, re
out = open(sys.argv[1], "w")
skipped = 0
for f in sorted(pathlib.Path("rules").rglob("*.toml")):
    rule = tomllib.loads(f.read_text())
    if rule.get("preview"):
        continue
    for p in rule["patterns"]:
        # ripgrep matches within a line: a pattern that spans lines (a closing, then the name
        # on the next line) is left out of its set, and counted.
        if "\\n" in p["regex"] or "\\r" in p["regex"]:
            skipped += 1
            continue
        # One regex for all: named groups would collide, so they become plain groups.
        body = re.sub(r"\(\?P<\w+>", "(?:", p["regex"])
        out.write("(?-u:" + body + ")\n")
print(f"ripgrep gets every built-in pattern but {skipped} that span lines", file=sys.stderr)
PY
# A pattern ripgrep refuses would make every rg figure meaningless: fail loudly instead.
if ! echo probe | rg --no-unicode -c -f "$patterns" >/dev/null 2>"$patterns.err" && [ -s "$patterns.err" ]; then
  echo "ripgrep refuses the patterns:" >&2; cat "$patterns.err" >&2; exit 2
fi
rm -f "$patterns.err"
export PIISCAN_FINGERPRINT_KEY=compare-key-not-secret
perf_on=${PIISCAN_BENCH_PERF:-0}
# run LABEL CMD...: prints "seconds peak_MB instructions" of one command, output discarded.
run() {
  local t; t=$(mktemp)
  local pre=()
  if [ "$perf_on" = 1 ]; then pre=(perf stat -x, -e instructions -o "$t.perf"); fi
  /usr/bin/time -f '%e %M' -o "$t" "${pre[@]}" "$@" >/dev/null 2>/dev/null || true
  local secs kb ins=-
  read -r secs kb < <(tail -1 "$t")
  if [ -f "$t.perf" ]; then
    ins=$(grep instructions "$t.perf" | cut -d, -f1)
    [[ "$ins" =~ ^[0-9]+$ ]] || ins=- # no hardware counters (a VM): see callgrind below
    rm -f "$t.perf"
  fi
  rm -f "$t"
  echo "$secs $((kb / 1024)) $ins"
}
row() { # corpus threads mode size rg-result piiscan-result
  python3 - "$@" <<'PY'
import sys
name, th, mode, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rs, rm, ri = sys.argv[5].split()
ps, pm, pi = sys.argv[6].split()
rs, ps = max(float(rs), 0.01), max(float(ps), 0.01)
ratio = (size / ps) / (size / rs)
ins = "-" if "-" in (ri, pi) else f"{int(ri)/1e9:.1f}/{int(pi)/1e9:.1f}"
print(f"{name:<24} {th:>3} {mode:>6} {size/1e6/rs:>8.1f} {size/1e6/ps:>8.1f} {ratio:>6.2f}x {rm:>6} {pm:>7}  {ins}")
PY
}
printf '%-24s %3s %6s %8s %8s %7s %6s %7s  %s\n' input thr mode "rg MB/s" "pii MB/s" ratio "rg MB" "pii MB" "Ginstr rg/pii"
for f in "${files[@]}"; do
  size=$(stat -L -c %s "$f")
  for threads in 1 2; do
    r=$(run rg --count-matches --no-unicode -j"$threads" -f "$patterns" "$f")
    p=$(run "$bin" scan "$f" --format ndjson -q --threads "$threads")
    row "$(basename "$f")" "$threads" count "$size" "$r" "$p"
  done
done
if [ -n "$csv" ]; then
  size=$(stat -L -c %s "$csv")
  for threads in 1 2; do
    r=$(run rg --count-matches --no-unicode -j"$threads" -f "$patterns" "$csv")
    p=$(run "$bin" scan "$csv" --sample-rows 0 --format ndjson -q --threads "$threads")
    row "$(basename "$csv") all" "$threads" count "$size" "$r" "$p"
  done
fi
# JSON output on both sides, sparse corpus: rg --json vs piiscan --format ndjson.
f=${files[0]}
size=$(stat -L -c %s "$f")
for threads in 1 2; do
  r=$(run rg --json --no-unicode -j"$threads" -f "$patterns" "$f")
  p=$(run "$bin" scan "$f" --format ndjson -q --threads "$threads")
  row "$(basename "$f")" "$threads" json "$size" "$r" "$p"
done
# A gzip log with a finding on every line: memory must stay bounded.
gz=$dir/every-line-${gz_lines}.log.gz
if [ ! -f "$gz" ]; then
  python3 - "$gz_lines" <<'PY' | gzip -1 > "$gz.tmp" && mv "$gz.tmp" "$gz"
import sys
n = int(sys.argv[1])
w = sys.stdout.write
for i in range(n):
    w(f"2024-03-{i % 28 + 1:02d}T10:00:00Z login ok user=klant{i}@voorbeeld.nl session={i:08x}\n")
PY
fi
raw=$(gzip -dc "$gz" | wc -c)
for threads in 1 2; do
  r=$(run sh -c "gzip -dc '$gz' | rg --count-matches --no-unicode -f '$patterns'")
  p=$(run "$bin" scan "$gz" --format ndjson -q --threads "$threads")
  row "$(basename "$gz")" "$threads" gzip "$raw" "$r" "$p"
done
