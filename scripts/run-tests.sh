#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors and runs the whole test suite:
# every QtTest executable under ctest, then the dissector robustness tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
JOBS=$(nproc)

cmake --preset ci >/dev/null
cmake --build --preset ci -j "$JOBS"
ctest --preset ci -j "$JOBS"

if [ "${IKEV2WB_SKIP_ASAN:-0}" != 1 ]; then
  echo "== sanitizer pass (ASan + UBSan) over the core tests"
  cmake --preset asan -DIKEV2WB_BUILD_GUI=OFF >/dev/null
  cmake --build --preset asan -j "$JOBS"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$JOBS" -L core
fi
