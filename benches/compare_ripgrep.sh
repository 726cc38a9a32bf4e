#!/usr/bin/env bash
# Runs ripgrep with piiscan's built-in patterns (one regex pass, ASCII classes and word
# boundaries, counting matches) and piiscan itself on the same corpus, in the same run, and
# prints both times and the ratio. ripgrep only matches; piiscan also validates, weighs
# context, fingerprints and writes findings.
#
# Usage: benches/compare_ripgrep.sh [CORPUS_FILE...]
#   Without arguments it uses the corpora that `cargo bench` generates in target/bench-corpus.
# Needs: rg (Debian package ripgrep), python3 (3.11+, for tomllib), a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v rg >/dev/null || { echo "ripgrep (rg) is not installed: apt-get install ripgrep" >&2; exit 2; }
cargo build --release -q
bin=target/release/piiscan
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(ls target/bench-corpus/*.txt 2>/dev/null)
  [ ${#files[@]} -gt 0 ] || { echo "no corpus: run 'cargo bench' first or name files" >&2; exit 2; }
fi
patterns=$(mktemp)
trap 'rm -f "$patterns"' EXIT
python3 - "$patterns" <<'PY'
import sys, tomllib, pathlib, re
out = open(sys.argv[1], "w")
for f in sorted(pathlib.Path("rules").rglob("*.toml")):
    rule = tomllib.loads(f.read_text())
    for p in rule["patterns"]:
        # One regex for all: named groups would collide, so they become plain groups.
        body = re.sub(r"\(\?P<\w+>", "(?:", p["regex"])
        out.write("(?-u:" + body + ")\n")
PY
now() { date +%s.%N; }
printf '%-28s %8s %10s %10s %10s %8s\n' corpus threads "rg MB/s" "piiscan" "ratio" "mode"
export PIISCAN_FINGERPRINT_KEY=compare-key-not-secret
for f in "${files[@]}"; do
  size=$(stat -c %s "$f")
  for threads in 1 "$(nproc)"; do
    t0=$(now); rg --count-matches --no-unicode -j"$threads" -f "$patterns" "$f" >/dev/null || true; t1=$(now)
    "$bin" scan "$f" --format ndjson -q --threads "$threads" >/dev/null || true; t2=$(now)
    python3 - "$f" "$threads" "$size" "$t0" "$t1" "$t2" <<'PY'
import sys, os
f, th, size, t0, t1, t2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), *map(float, sys.argv[4:])
rg, pi = size / 1e6 / (t1 - t0), size / 1e6 / (t2 - t1)
print(f"{os.path.basename(f):<28} {th:>8} {rg:>10.1f} {pi:>10.1f} {pi/rg:>9.2f}x {'count':>8}")
PY
  done
  # JSON output on both sides: rg --json with the same patterns vs piiscan --format ndjson.
  t0=$(now); rg --json --no-unicode -f "$patterns" "$f" >/dev/null || true; t1=$(now)
  "$bin" scan "$f" --format ndjson -q >/dev/null || true; t2=$(now)
  python3 - "$f" "$size" "$t0" "$t1" "$t2" <<'PY'
import sys, os
f, size, t0, t1, t2 = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:])
rg, pi = size / 1e6 / (t1 - t0), size / 1e6 / (t2 - t1)
print(f"{os.path.basename(f):<28} {'all':>8} {rg:>10.1f} {pi:>10.1f} {pi/rg:>9.2f}x {'json':>8}")
PY
done
