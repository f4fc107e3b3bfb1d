#!/usr/bin/env bash
# Reads the same synthetic IPsec capture with three tools and compares them:
#   floor    ikev2wb-pcaploop: fopen + 1 MiB setvbuf + pcap_fopen_offline + pcap_next_ex, nothing else
#   ikev2wb  `ikev2wb summary FILE` (dissect, reassemble, index, summarise, print)
#   tshark   `tshark -n -r FILE -q -z expert` with ESP sequence analysis on
# and prints wall time, packets/s, peak RSS and the ratios to the floor, plus whether
# `ikev2wb summary` meets its targets (<= 1.5x the floor's wall time; peak RSS <= 32 B/packet + 100 MB).
#
# usage: bench/run-bench.sh [N ...]        N = packet count, k/M suffix allowed (default: 1M)
# env:   RUNS=3           runs of the floor and of ikev2wb per size (the median wall time is used)
#        TSHARK_RUNS=1    runs of tshark per size
#        SKIP_TSHARK=1    leave tshark out
#        DELETE_AFTER=1   delete each generated capture after measuring it (for the 10M file)
#        REBUILD=1        rebuild the build folder even if the binaries exist
#        BENCH_BUILD=DIR  build folder to use (default build/release)
# Captures go to bench/out/ (gitignored) and are reused if present. The page cache is warmed
# by one untimed floor run before anything is measured.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BENCH_BUILD:-$ROOT/build/release}
OUT=$ROOT/bench/out
RUNS=${RUNS:-3}
TSHARK_RUNS=${TSHARK_RUNS:-1}
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1M)

GENCAP=$BUILD/bench/ikev2wb-gencap
PCAPLOOP=$BUILD/bench/ikev2wb-pcaploop
IKEV2WB=$BUILD/app/cli/ikev2wb

if [ "${REBUILD:-0}" = 1 ] || [ ! -x "$GENCAP" ] || [ ! -x "$PCAPLOOP" ] || [ ! -x "$IKEV2WB" ]; then
  (cd "$ROOT" && cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIKEV2WB_BUILD_TESTS=OFF \
     -DIKEV2WB_BUILD_GUI=OFF >/dev/null &&
     cmake --build "$BUILD" -j2 --target ikev2wb ikev2wb-gencap ikev2wb-pcaploop)
fi
if [ -z "${SKIP_TSHARK:-}" ] && ! command -v tshark >/dev/null; then
  echo "installing tshark (Debian package, no setuid dumpcap)" >&2
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -o DPkg::Lock::Timeout=300 -y tshark >/dev/null
fi
if [ ! -x /usr/bin/time ]; then
  echo "run-bench.sh needs GNU time (/usr/bin/time): apt-get install time" >&2
  exit 1
fi
TSHARK_ARGS=(-n -q -z expert)
if [ -z "${SKIP_TSHARK:-}" ] && tshark -G defaultprefs 2>/dev/null | grep -q '^#\?esp\.do_esp_sequence_analysis:'; then
  TSHARK_ARGS+=(-o esp.do_esp_sequence_analysis:TRUE)
fi

mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

expand() { # 1M -> 1000000, 200k -> 200000
  local n=$1
  case $n in
    *[kK]) echo $(( ${n%[kK]} * 1000 )) ;;
    *[mM]) echo $(( ${n%[mM]} * 1000000 )) ;;
    *) echo "$n" ;;
  esac
}

# measure NAME CMD... : runs CMD under /usr/bin/time -v, appends "wall_s rss_kib cpu_s" to $TMP/NAME
measure() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$TMP/time.txt" "$@" >"$TMP/$name.stdout" 2>"$TMP/$name.stderr" || {
    echo "$name failed:" >&2; cat "$TMP/$name.stderr" >&2; exit 1; }
  t1=$(date +%s.%N)
  local rss
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.txt")
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$TMP/time.txt")
  echo "$(echo "$t1 - $t0" | bc -l) $rss $cpu" >>"$TMP/$name"
}

# median wall of NAME, max RSS (KiB) of NAME
median_wall() { awk '{print $1}' "$TMP/$1" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max_rss() { awk '{print $2}' "$TMP/$1" | sort -g | tail -1; }
median_cpu() { awk '{print $3}' "$TMP/$1" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# tshark: $(tshark --version 2>/dev/null | head -1 || echo none); args: ${TSHARK_ARGS[*]}"

for size in "${SIZES[@]}"; do
  n=$(expand "$size")
  file=$OUT/ipsec-$size.pcap
  if [ ! -s "$file" ]; then
    echo "# generating $file"
    t0=$(date +%s.%N)
    "$GENCAP" --packets "$n" --out "$file"
    t1=$(date +%s.%N)
    printf '# generated in %.1f s\n' "$(echo "$t1 - $t0" | bc -l)"
  fi
  bytes=$(stat -c %s "$file")
  rm -f "$TMP"/floor "$TMP"/ikev2wb "$TMP"/analyze "$TMP"/tshark

  "$PCAPLOOP" "$file" >/dev/null # warm the page cache (not timed)
  for _ in $(seq "$RUNS"); do
    measure floor "$PCAPLOOP" "$file"
    measure ikev2wb "$IKEV2WB" summary "$file"
    # The analyzers issue's target: full analysis (index + every analyzer) within 2x the floor.
    measure analyze "$IKEV2WB" analyze --json "$file"
  done
  got=$(awk '{print $1}' "$TMP/floor.stdout")
  [ "$got" = "$n" ] || { echo "floor read $got packets, expected $n" >&2; exit 1; }
  listed=$(awk '/^Packets/ {print $2; exit}' "$TMP/ikev2wb.stdout")
  [ "$listed" = "$n" ] || { echo "ikev2wb summary reports $listed packets, expected $n" >&2; exit 1; }
  tools=(floor ikev2wb analyze)
  if [ -z "${SKIP_TSHARK:-}" ]; then
    for _ in $(seq "$TSHARK_RUNS"); do
      measure tshark tshark -r "$file" "${TSHARK_ARGS[@]}"
    done
    tools+=(tshark)
  fi

  floor_wall=$(median_wall floor)
  floor_rss=$(max_rss floor)
  floor_cpu=$(median_cpu floor)
  echo
  printf '## %s packets, %.2f GB (%s), page cache warm, median of %s runs (tshark: %s)\n\n' \
    "$size" "$(echo "$bytes / 1000000000" | bc -l)" "$(basename "$file")" "$RUNS" "$TSHARK_RUNS"
  echo "| tool | wall s | packets/s | peak RSS MiB | wall vs floor | CPU s (user+sys) | CPU vs floor | RSS vs floor |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for t in "${tools[@]}"; do
    w=$(median_wall "$t"); r=$(max_rss "$t"); c=$(median_cpu "$t")
    printf '| %s | %.3f | %.0f | %.1f | %.2fx | %.2f | %.2fx | %.1fx |\n' "$t" "$w" "$(echo "$n / $w" | bc -l)" \
      "$(echo "$r / 1024" | bc -l)" "$(echo "$w / $floor_wall" | bc -l)" "$c" \
      "$(echo "$c / $floor_cpu" | bc -l)" "$(echo "$r / $floor_rss" | bc -l)"
  done
  echo
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) CPUs)"
  w=$(median_wall ikev2wb); r=$(max_rss ikev2wb)
  ratio=$(echo "$w / $floor_wall" | bc -l)
  budget=$(echo "(32 * $n) / 1048576 + 100" | bc -l)
  rss_mib=$(echo "$r / 1024" | bc -l)
  echo
  aratio=$(echo "$(median_wall analyze) / $floor_wall" | bc -l)
  printf 'analyze: target wall <= 2x floor: %.2fx -> %s\n' "$aratio" "$( (( $(echo "$aratio <= 2" | bc) )) && echo met || echo MISSED)"
  printf 'target wall <= 1.5x floor: %.2fx -> %s\n' "$ratio" "$( (( $(echo "$ratio <= 1.5" | bc) )) && echo met || echo MISSED)"
  cratio=$(echo "$(median_cpu ikev2wb) / $floor_cpu" | bc -l)
  printf '(same target on CPU time, less sensitive to other load: %.2fx -> %s)\n' "$cratio" \
    "$( (( $(echo "$cratio <= 1.5" | bc) )) && echo met || echo MISSED)"
  printf 'target RSS <= 32 B/packet + 100 MiB = %.0f MiB: %.1f MiB (%.1f B/packet above 100 MiB) -> %s\n' \
    "$budget" "$rss_mib" "$(echo "($r * 1024 - 104857600) / $n" | bc -l)" \
    "$( (( $(echo "$rss_mib <= $budget" | bc) )) && echo met || echo MISSED)"
  if [ "${DELETE_AFTER:-0}" = 1 ]; then
    rm -f "$file"
    echo "(deleted $file)"
  fi
done
