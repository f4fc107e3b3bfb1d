#!/usr/bin/env bash
# Two builds of ikev2wb side by side on one capture, alternated run by run (so machine load hits
# both alike), with the bare libpcap loop as the floor; prints the minimum CPU time (user + sys),
# the minimum wall time and the peak RSS of each command over RUNS rounds, and the load average.
#   bench/ab-bench.sh OLD_IKEV2WB NEW_IKEV2WB CAPTURE [COMMAND...]
# COMMAND: ikev2wb subcommands as one word each, options after a colon (default:
# "summary analyze:--json"). env: RUNS (default 5), PCAPLOOP (default build/release/bench/ikev2wb-pcaploop)
set -euo pipefail
OLD=${1:?usage: ab-bench.sh OLD NEW CAPTURE [COMMAND...]}; NEW=${2:?}; CAP=${3:?}; shift 3
CMDS=("$@"); [ ${#CMDS[@]} -eq 0 ] && CMDS=(summary analyze:--json)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOOP=${PCAPLOOP:-$ROOT/build/release/bench/ikev2wb-pcaploop}
RUNS=${RUNS:-5}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
one() { # one NAME CMD...: appends "cpu wall rss_kib" to $TMP/NAME
  local name=$1; shift
  /usr/bin/time -f '%U %S %e %M' -o "$TMP/t" "$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
  awk '{printf "%.3f %.3f %d\n", $1 + $2, $3, $4}' "$TMP/t" >>"$TMP/$name"
}
"$LOOP" "$CAP" >/dev/null # page cache
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq "$RUNS"); do
  one floor "$LOOP" "$CAP"
  for c in "${CMDS[@]}"; do
    sub=${c%%:*}; opt=; [ "$c" != "$sub" ] && opt=${c#*:}
    # shellcheck disable=SC2086
    one "old-$c" "$OLD" $sub $opt "$CAP"
    # shellcheck disable=SC2086
    one "new-$c" "$NEW" $sub $opt "$CAP"
  done
done
stat() { sort -g -k"$2" "$TMP/$1" | head -1 | awk -v k="$2" '{print $k}'; }
rss() { sort -g -k3 "$TMP/$1" | tail -1 | awk '{printf "%.1f", $3 / 1024}'; }
fc=$(stat floor 1)
echo "capture $(basename "$CAP"), $RUNS rounds, load average before $load0, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| command | build | min CPU s | CPU vs floor | min wall s | peak RSS MiB |"
echo "|---|---|---:|---:|---:|---:|"
printf '| floor | | %s | 1.00x | %s | %s |\n' "$fc" "$(stat floor 2)" "$(rss floor)"
for c in "${CMDS[@]}"; do
  for b in old new; do
    cpu=$(stat "$b-$c" 1)
    printf '| %s | %s | %s | %.2fx | %s | %s |\n' "${c/:/ }" "$b" "$cpu" "$(echo "$cpu / $fc" | bc -l)" \
      "$(stat "$b-$c" 2)" "$(rss "$b-$c")"
  done
done
