#!/usr/bin/env bash
# Builds the Debian package from a fresh build folder (Release, no tests or benchmarks) with CPack
# and prints the path of the .deb on its last line.
#   scripts/package.sh            # build/package, 2 parallel jobs
#   BUILD=/tmp/b JOBS=4 scripts/package.sh
# Install it with `sudo apt-get install ./ikev2-workbench_*.deb`; tests/package/test-deb.sh checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=${BUILD:-build/package}
JOBS=${JOBS:-2}
case "$JOBS" in '' | *[!0-9]*) echo "package.sh: JOBS must be a number, got '$JOBS'" >&2; exit 2 ;; esac
[ "$BUILD" != / ] && [ "$BUILD" != . ] || { echo "package.sh: refusing BUILD='$BUILD'" >&2; exit 2; }
rm -rf -- "$BUILD"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Debian's hardening flags (stack protector, _FORTIFY_SOURCE, PIE, full RELRO, bindnow): the capture
# helper holds CAP_NET_RAW/CAP_NET_ADMIN. -ffile-prefix-map keeps the build path out of the binaries.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CXXFLAGS="$(dpkg-buildflags --get CXXFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
export CXXFLAGS LDFLAGS
cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DIKEV2WB_BUILD_TESTS=OFF -DIKEV2WB_BUILD_BENCH=OFF -DIKEV2WB_BUILD_GUI=ON "${launcher[@]}" >/dev/null
cmake --build "$BUILD" -j "$JOBS"
(cd "$BUILD" && cpack -G DEB >/dev/null)
deb=$(ls -t "$BUILD"/ikev2-workbench_*.deb | head -n 1)
[ -f "$deb" ] || { echo "package.sh: cpack wrote no .deb in $BUILD" >&2; exit 1; }
echo "$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
