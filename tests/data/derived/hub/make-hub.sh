#!/usr/bin/env bash
# make-hub.sh OUTDIR: hub.pcap, a hub's capture of two tunnels (the recipe of tst_cli's and
# tst_mainwindow's hub): natt's right capture (10.0.2.1 <-> the NAT 10.0.2.254) moved 30 s earlier
# with editcap, merged by time with mtu-blackhole's right capture (10.0.1.1 <-> 10.0.2.1).
set -euo pipefail
OUT=${1:?usage: make-hub.sh OUTDIR}
LAB=$(cd "$(dirname "$0")/../../lab" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
editcap -t -30 "$LAB/natt/right-outer.pcap" "$tmp/natt-shift.pcap"
mergecap -F pcap -w "$OUT/hub.pcap" "$tmp/natt-shift.pcap" "$LAB/mtu-blackhole/right-outer.pcap"
