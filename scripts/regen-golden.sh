#!/usr/bin/env bash
# Regenerates the golden files of the fix-snippet generator (tests/data/golden/fixes/*.txt)
# by running tst_fixes_golden in its writing mode. Review every changed line before
# committing: MSS/MTU arithmetic, iptables/nft syntax, swanctl.conf nesting.
#   scripts/regen-golden.sh [BUILD_DIR]     (default: build/dev)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/dev}"
cmake --build "$build" --target tst_fixes_golden
IKEV2WB_REGEN_GOLDEN=1 "$build/tests/tst_fixes_golden" golden
echo "golden files written to $root/tests/data/golden/fixes; review the changes before committing"
