#!/usr/bin/env bash
# Runs scenarios of the IPsec fault lab (../shared/lab, or LAB_DIR) with this project's own
# scenarios (tests/lab-scenarios/*.sh) added, on CPUs where the lab's User-Mode-Linux kernel
# would otherwise panic at boot ("ptrace set fp regs failed, errno = 14": AVX-512/AMX hosts;
# tests/lab/umlptrace.c says why and what the shim does).
#   scripts/lab.sh mtu-blackhole-1350 mtu-blackhole-natt-1420   -> $LAB_OUT_ROOT/NAME/
#   scripts/lab.sh --list
# Not part of the default test run (a scenario takes about a minute and needs root).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
lab=${LAB_DIR:-}
if [ -z "$lab" ]; then # the workplace keeps it in ../shared beside the checkout (or a worktree's parents)
    d=$here
    while [ "$d" != / ] && [ ! -x "$d/../shared/lab/run-scenario.sh" ]; do d=$(dirname "$d"); done
    lab=$(cd "$d/.." && pwd)/shared/lab
fi
[ -x "$lab/run-scenario.sh" ] || { echo "lab.sh: no lab at $lab (set LAB_DIR)" >&2; exit 2; }
state=${LAB_SHIM_DIR:-/var/tmp/ikev2wb-lab-shim}
mkdir -p "$state/bin"
shim=$state/umlptrace.so
if [ ! -e "$shim" ] || [ "$here/tests/lab/umlptrace.c" -nt "$shim" ]; then
    gcc -O2 -shared -fPIC -Wall -Wextra -Werror -o "$shim.tmp" "$here/tests/lab/umlptrace.c" -ldl
    mv "$shim.tmp" "$shim"
fi
real=$(PATH=/usr/local/bin:/usr/bin:/bin command -v linux.uml || true)
[ -n "$real" ] || { echo "lab.sh: linux.uml not installed (run $lab/install-deps.sh)" >&2; exit 2; }
printf '#!/bin/sh\nLD_PRELOAD=%s${LD_PRELOAD:+:$LD_PRELOAD} exec %s "$@"\n' "$shim" "$real" > "$state/bin/linux.uml"
chmod 755 "$state/bin/linux.uml"
extra=$(printf '%s:' "$here"/tests/lab-scenarios/*.sh)
export LAB_EXTRA_SCENARIOS=${LAB_EXTRA_SCENARIOS:+$LAB_EXTRA_SCENARIOS:}${extra%:}
export LAB_OUT_ROOT=${LAB_OUT_ROOT:-/var/tmp/ikev2-lab/out}
export PATH=$state/bin:$PATH
exec "$lab/run-scenario.sh" "$@"
