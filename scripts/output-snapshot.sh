#!/usr/bin/env bash
# Writes the CLI's outputs (stdout, stderr, exit status) for every capture in tests/data and in
# the lab's output folders to DIR, so two builds can be compared byte for byte:
#   scripts/output-snapshot.sh BUILD/app/cli/ikev2wb /tmp/before
#   scripts/output-snapshot.sh OTHER/app/cli/ikev2wb /tmp/after && diff -r /tmp/before /tmp/after
# Per capture: summary, summary --json, analyze, analyze --json, diagnose --json --capture F.
# Per folder holding left-outer.* and right-outer.* (a lab run): compare L R and diagnose
# --capture L --peer-capture R, each as text and as --json.
# env: LAB_DIRS  space-separated folders searched for captures besides tests/data
#      (default: /var/tmp/ikev2-lab/out and /work/shared/lab/out when present)
set -uo pipefail
BIN=${1:?usage: output-snapshot.sh IKEV2WB OUTDIR}
OUT=${2:?usage: output-snapshot.sh IKEV2WB OUTDIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$BIN" ] || { echo "not executable: $BIN" >&2; exit 2; }
mkdir -p "$OUT"
dirs=("$ROOT/tests/data")
for d in ${LAB_DIRS:-/var/tmp/ikev2-lab/out /work/shared/lab/out}; do [ -d "$d" ] && dirs+=("$d"); done

run() { # run NAME ARGS...: stdout, stderr and the exit status of `$BIN ARGS...` under OUT/NAME.*
  local name=$1; shift
  "$BIN" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
  echo $? >"$OUT/$name.rc"
}
key() { echo "$1" | sed 's|^/||; s|/|%|g'; }

n=0
while IFS= read -r -d '' f; do
  k=$(key "$f")
  run "$k.summary" summary "$f"
  run "$k.summary-json" summary --json "$f"
  run "$k.analyze" analyze "$f"
  run "$k.analyze-json" analyze --json "$f"
  run "$k.diagnose-json" diagnose --json --capture "$f"
  n=$((n + 1))
done < <(find "${dirs[@]}" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
pairs=0
while IFS= read -r -d '' l; do
  d=$(dirname "$l")
  r=$(ls "$d"/right-outer.pcap* 2>/dev/null | head -1)
  [ -n "$r" ] || continue
  k=$(key "$d")
  run "$k.compare-json" compare --json "$l" "$r"
  run "$k.compare" compare "$l" "$r"
  run "$k.diagnose-pair-json" diagnose --json --capture "$l" --peer-capture "$r"
  run "$k.diagnose-pair" diagnose --capture "$l" --peer-capture "$r"
  pairs=$((pairs + 1))
done < <(find "${dirs[@]}" -type f -name 'left-outer.pcap*' -print0 | sort -z)
echo "$n captures, $pairs pairs -> $OUT"
