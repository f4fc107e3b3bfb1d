#!/usr/bin/env bash
# stage.sh NAME [TRIM_FROM_EPOCH]: copies one lab run (LAB_OUT_ROOT, default
# /var/tmp/ikev2-lab/out) into this folder as the tests use it: everything but the inner
# captures (tests read outer, router and host files only). With TRIM_FROM_EPOCH, the two outer
# captures' ESP frames from that time on are cut to 96 captured bytes (trim-esp-payload.py:
# every frame kept with its timestamp and original length), as README.md describes.
set -euo pipefail
name=$1
src=${LAB_OUT_ROOT:-/var/tmp/ikev2-lab/out}/$name
here=$(cd "$(dirname "$0")" && pwd)
dst=$here/$name
[ -f "$src/truth.json" ] || { echo "stage.sh: no lab run at $src" >&2; exit 2; }
rm -rf "$dst"
mkdir -p "$dst/stats"
for f in truth.json verify.json verify.txt charon-left.log charon-right.log left-outer.pcap right-outer.pcap \
         mid-eth-l.pcap mid-eth-r.pcap; do
    [ -f "$src/$f" ] && cp "$src/$f" "$dst/$f"
done
cp "$src"/stats/*.txt "$src"/stats/*.log "$dst/stats/" 2>/dev/null || true
# `ikev2wb probe --json` results of the scenarios that run the probe inside the lab (tests/lab-scenarios/probe.sh)
for f in "$src"/probe-*.json; do [ -f "$f" ] && cp "$f" "$dst/"; done
if [ $# -ge 2 ]; then
    for side in left right; do
        python3 "$here/trim-esp-payload.py" "$src/$side-outer.pcap" "$dst/$side-outer.pcap" 96 "$2"
    done
fi
du -sh "$dst"
