#!/usr/bin/env bash
# Screenshots of every page of the workbench under Xvfb, into docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
[ -x "$BUILD/tests/ikev2wb-screenshots" ] || { cmake --preset release >/dev/null; cmake --build --preset release --target ikev2wb-screenshots; }
OUT=${OUT:-docs/screenshots}
mkdir -p "$OUT"
shoot() { xvfb-run -a -s '-screen 0 1600x1000x24' "$BUILD/tests/ikev2wb-screenshots" "$OUT" "$@"; }
shoot rekey-loss --forget-recent resources/samples/rekey-loss-left-outer.pcap
shoot mtu-blackhole resources/samples/mtu-blackhole-right-outer.pcap
shoot natt-expiry resources/samples/natt-expiry-left-outer.pcap
# Host evidence imported (--evidence PATH): the Evidence page with counters, and with a charon log.
shoot reorder-antireplay --evidence tests/data/lab/reorder-antireplay/stats resources/samples/reorder-antireplay-right-outer.pcap
shoot rekey-loss-evidence --evidence tests/data/lab/rekey-loss/charon-left.log resources/samples/rekey-loss-left-outer.pcap
# Legibility in a dark desktop theme (--dark: dark Fusion palette).
shoot dark-rekey-loss --dark --evidence tests/data/lab/rekey-loss/charon-left.log resources/samples/rekey-loss-left-outer.pcap
# A pair of endpoint captures (--pair A B): every page of the pair's tab as PREFIX-pair-N.png,
# the Comparison tab as PREFIX-compare.png, the Packets and MTU tabs of capture B as PREFIX-pair-1-b.png and
# PREFIX-pair-4-b.png; light and dark.
shoot loss1 --pair tests/data/lab/loss1/left-outer.pcap tests/data/lab/loss1/right-outer.pcap
shoot dark-loss1 --dark --pair tests/data/lab/loss1/left-outer.pcap tests/data/lab/loss1/right-outer.pcap
shoot rekey-loss --pair tests/data/lab/rekey-loss/left-outer.pcap tests/data/lab/rekey-loss/right-outer.pcap
shoot dark-rekey-loss --dark --pair tests/data/lab/rekey-loss/left-outer.pcap tests/data/lab/rekey-loss/right-outer.pcap
shoot mtu-blackhole --pair resources/samples/mtu-blackhole-left-outer.pcap resources/samples/mtu-blackhole-right-outer.pcap
# Small and large screens: a pair on 1366x768 (every page must fit the width), and the dark theme
# at QT_SCALE_FACTOR=2 on 2560x1440 (legible, nothing clipped).
xvfb-run -a -s '-screen 0 1366x768x24' "$BUILD/tests/ikev2wb-screenshots" "$OUT" small-1366-loss1 \
  --size screen --pair tests/data/lab/loss1/left-outer.pcap tests/data/lab/loss1/right-outer.pcap
QT_SCALE_FACTOR=2 xvfb-run -a -s '-screen 0 2560x1440x24' "$BUILD/tests/ikev2wb-screenshots" "$OUT" \
  dark-2x-mtu-blackhole --dark --size screen resources/samples/mtu-blackhole-right-outer.pcap
# 2560x1440 at scale 1, the window filling the screen: a pair's every page.
xvfb-run -a -s '-screen 0 2560x1440x24' "$BUILD/tests/ikev2wb-screenshots" "$OUT" large-2560-mtu-blackhole \
  --size screen --pair resources/samples/mtu-blackhole-left-outer.pcap resources/samples/mtu-blackhole-right-outer.pcap
# QT_SCALE_FACTOR=1.5 on 1920x1080 (1280x720 logical): a pair's every page.
QT_SCALE_FACTOR=1.5 xvfb-run -a -s '-screen 0 1920x1080x24' "$BUILD/tests/ikev2wb-screenshots" "$OUT" \
  scale15-mtu-blackhole --size screen --pair resources/samples/mtu-blackhole-left-outer.pcap resources/samples/mtu-blackhole-right-outer.pcap
# The start page (what shows while nothing is open; its recent list holds the captures above).
shoot start --start
shoot dark-start --dark --start
# The start page while a capture is open alone: it offers to add the peer's capture to that tab.
shoot start-peer --start resources/samples/mtu-blackhole-left-outer.pcap
shoot dark-start-peer --dark --start resources/samples/mtu-blackhole-left-outer.pcap
# Last, so the start page shots above do not list its temporary files: a hub's capture of two
# tunnels (natt's right capture shifted 30 s, merged with another lab's right capture) as the
# peer's capture B of a pair, read as the tunnel carrying A's SPIs (natt's, behind the NAT), and
# the dialog asking which tunnel when none is proven (clean's: no SPI of A's).
HUB=$(mktemp -d)
editcap -t -30 tests/data/lab/natt/right-outer.pcap "$HUB/natt-shift.pcap"
mkdir "$HUB/proven" "$HUB/unproven"
mergecap -F pcap -w "$HUB/proven/hub.pcap" "$HUB/natt-shift.pcap" tests/data/lab/mtu-blackhole/right-outer.pcap
mergecap -F pcap -w "$HUB/unproven/hub.pcap" "$HUB/natt-shift.pcap" tests/data/lab/clean/right-outer.pcap
shoot hub-pair --pair tests/data/lab/natt/left-outer.pcap "$HUB/proven/hub.pcap"
mv "$OUT/hub-pair-pair-0.png" "$OUT/hub-pair-overview.png"
rm -f "$OUT"/hub-pair-pair-*.png
# The mirror: the hub's capture as A, mtu-blackhole's left (a spoke's) as B: compared as the hub's
# tunnel carrying B's SPIs, the Comparison's header saying so (hub-a-compare.png).
shoot hub-a --pair "$HUB/proven/hub.pcap" tests/data/lab/mtu-blackhole/left-outer.pcap
rm -f "$OUT"/hub-a-pair-*.png
shoot hub-pair --peer-tunnel-dialog tests/data/lab/mtu-blackhole/left-outer.pcap "$HUB/unproven/hub.pcap"
rm -r "$HUB"
