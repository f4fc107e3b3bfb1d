#!/usr/bin/env bash
# Speed and memory of `ikev2wb compare A B` against the floor of reading both files with a bare
# libpcap loop (ikev2wb-pcaploop A, then B: the sum of both wall times, and of both CPU times).
# Targets: compare wall <= 2.5x that floor (issue "endpoint comparison"); compare CPU time
# (user + sys) <= 2x the floor's (issue 14); memory bounded by the ESP packets of the compared
# SAs (16 B each per capture, plus the lists of lost packets).
#
# The pair: one ikev2wb-gencap capture compared with a hard link to itself, so every ESP packet of
# every SA is matched (the most matching work; loss lists stay empty). gencap cannot write the
# peer's view of a capture: two runs with the same seed and different --loss-permille drift
# apart (the RNG draws go out of step), which makes nearly every packet "lost" and measures the
# JSON writer instead (about 1 GB of lists for 5M packets).
#
# usage: bench/run-compare-bench.sh [N]     N = packets per capture, k/M suffix (default 5M)
# env:   RUNS=3  REBUILD=1  DELETE_AFTER=1   (as in run-bench.sh)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build/release}  # another build dir: BUILD=... (must hold the three binaries)
OUT=$ROOT/bench/out
RUNS=${RUNS:-3}
SIZE=${1:-5M}
GENCAP=$BUILD/bench/ikev2wb-gencap
PCAPLOOP=$BUILD/bench/ikev2wb-pcaploop
IKEV2WB=$BUILD/app/cli/ikev2wb

if [ ! -f "$ROOT/bench/gencap.cpp" ]; then
  echo "bench/gencap.cpp is not there yet: nothing to generate the captures with; skipped" >&2
  exit 0
fi
if [ "${REBUILD:-0}" = 1 ] || [ ! -x "$GENCAP" ] || [ ! -x "$PCAPLOOP" ] || [ ! -x "$IKEV2WB" ]; then
  (cd "$ROOT" && cmake --preset release -DIKEV2WB_BUILD_TESTS=OFF -DIKEV2WB_BUILD_GUI=OFF >/dev/null &&
     cmake --build --preset release -j2 --target ikev2wb ikev2wb-gencap ikev2wb-pcaploop)
fi
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time): apt-get install time" >&2; exit 1; }

expand() {
  case $1 in
    *[kK]) echo $(( ${1%[kK]} * 1000 )) ;;
    *[mM]) echo $(( ${1%[mM]} * 1000000 )) ;;
    *) echo "$1" ;;
  esac
}
n=$(expand "$SIZE")
mkdir -p "$OUT"
A=$OUT/compare-$SIZE-a.pcap
B=$OUT/compare-$SIZE-b.pcap
[ -s "$A" ] || "$GENCAP" --packets "$n" --loss-permille 0 --reorder-permille 0 --seed 7 --out "$A"
[ -s "$B" ] || ln "$A" "$B" 2>/dev/null || cp "$A" "$B"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# wall seconds, max RSS (KiB) and CPU seconds (user + sys) of one run
run() {
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$TMP/time.txt" "$@" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$(echo "$t1 - $t0" | bc -l) $(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.txt")" \
    "$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$TMP/time.txt")"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

"$PCAPLOOP" "$A" >/dev/null; "$PCAPLOOP" "$B" >/dev/null # warm the page cache
: >"$TMP/floor"; : >"$TMP/floorcpu"; : >"$TMP/compare"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq "$RUNS"); do
  fa=$(run "$PCAPLOOP" "$A"); fb=$(run "$PCAPLOOP" "$B")
  echo "$(echo "${fa%% *} + ${fb%% *}" | bc -l)" >>"$TMP/floor"
  echo "$(echo "${fa##* } + ${fb##* }" | bc -l)" >>"$TMP/floorcpu"
  run "$IKEV2WB" compare "$A" "$B" --json >>"$TMP/compare"
done
floor=$(median <"$TMP/floor")
floorcpu=$(median <"$TMP/floorcpu")
cmp=$(awk '{print $1}' "$TMP/compare" | median)
cmpcpu=$(awk '{print $3}' "$TMP/compare" | median)
rss=$(awk '{print $2}' "$TMP/compare" | sort -g | tail -1)
ratio=$(echo "$cmp / $floor" | bc -l)
cpuratio=$(echo "$cmpcpu / $floorcpu" | bc -l)
echo "# $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ); $n packets per capture, median of $RUNS runs, cache warm;" \
  "load average before $load0, after $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'floor (pcaploop A + pcaploop B): %.3f s wall, %.2f s CPU\n' "$floor" "$floorcpu"
printf 'ikev2wb compare A B --json:      %.3f s wall, %.2f s CPU, peak RSS %.1f MiB (%.1f B per packet of both files)\n' \
  "$cmp" "$cmpcpu" "$(echo "$rss / 1024" | bc -l)" "$(echo "$rss * 1024 / (2 * $n)" | bc -l)"
printf 'target wall <= 2.5x floor: %.2fx -> %s\n' "$ratio" "$( (( $(echo "$ratio <= 2.5" | bc) )) && echo met || echo MISSED)"
printf 'target CPU <= 2x floor:    %.2fx -> %s (CPU: user + sys, 10 ms resolution)\n' "$cpuratio" \
  "$( (( $(echo "$cpuratio <= 2" | bc) )) && echo met || echo MISSED)"
if [ "${DELETE_AFTER:-0}" = 1 ]; then rm -f "$A" "$B"; fi
