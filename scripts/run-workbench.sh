#!/usr/bin/env bash
# Installs what is missing, builds, and opens the workbench on the bundled sample captures: one
# endpoint pair side by side (--pair) and every capture on its own. Without a display it says so
# and prints the command-line summary of the samples (and the comparison of the pair) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"

PAIR=(resources/samples/mtu-blackhole-left-outer.pcap resources/samples/mtu-blackhole-right-outer.pcap)
mapfile -t SAMPLES < <(ls resources/samples/*.pcap resources/samples/*.pcapng 2>/dev/null || true)
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run-workbench: no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot open."
  echo "run-workbench: showing the command-line summary of the bundled samples instead."
  echo "run-workbench: to see the window headless, run: xvfb-run -a $0"
  for s in "${SAMPLES[@]}"; do
    echo; echo "=== $s"
    build/release/app/cli/ikev2wb summary "$s" || true
  done
  echo; echo "=== ${PAIR[0]} ⇄ ${PAIR[1]}"
  build/release/app/cli/ikev2wb compare "${PAIR[@]}" || true
  exit 0
fi
exec build/release/app/gui/ikev2-workbench --pair "${PAIR[@]}" "${SAMPLES[@]}"
