#!/usr/bin/env bash
# Installs the Debian 12 packages the workbench needs to build, test and run. Idempotent:
# packages already present are skipped and apt is not touched at all when nothing is missing.
set -euo pipefail

PKGS=(
  cmake ninja-build g++ pkg-config dpkg-dev file       # toolchain
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev  # Qt 6 (Charts' CMake config needs the OpenGL dev package)
  libpcap-dev                                           # capture files and live capture
  xvfb xauth fonts-dejavu-core                          # headless GUI tests and screenshots
  poppler-utils imagemagick                             # PDF report checks (pdftotext, pdftoppm)
  iproute2 iptables nftables procps ethtool util-linux  # tests in network namespaces (probe, live capture, fix-script sandbox)
  strace                                                # tst_cli: diagnose of a pair opens each capture once
  openssh-client openssh-server tcpdump                 # tst_livecapture: capture --ssh against an sshd in a namespace
  tshark                                                # independent oracle: tests compare selections, exports and decodes with tshark/editcap/capinfos
)
if [ "${IKEV2WB_WITH_FUZZ:-0}" = 1 ]; then PKGS+=(clang libclang-rt-14-dev); fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: missing packages (${missing[*]}) and not root; install them or run with sudo available" >&2
    exit 1
  fi
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
# The tests start their own sshd inside a network namespace: installing openssh-server here must
# not start or enable a system-wide sshd on port 22. Debian's policy-rc.d keeps the package's
# scripts from starting it (only when no policy-rc.d exists: never replace the machine's own), and
# the unit is disabled again afterwards, as the package was not on this machine before.
fresh_sshd=""
if [[ " ${missing[*]} " == *" openssh-server "* ]] && [ ! -e /usr/sbin/policy-rc.d ]; then
  fresh_sshd=1
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
if [ -n "$fresh_sshd" ] && command -v systemctl >/dev/null 2>&1; then
  $SUDO systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
fi
