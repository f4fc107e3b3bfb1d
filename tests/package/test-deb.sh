#!/usr/bin/env bash
# Installs the Debian package, checks it installed and purges it again. Run as root on a Debian 12
# machine (CI) where the package is not installed yet; it installs system packages (apt-get), so it
# is not part of the ctest run:
#   sudo tests/package/test-deb.sh "$(scripts/package.sh | tail -n 1)" [OUTDIR]
# OUTDIR (default: a new temporary folder) receives lintian.txt and start.png, a screenshot of the
# installed GUI's start page under Xvfb (look at it: the lab samples must be listed).
# Checks: lintian (no error or warning), desktop-file-validate, appstreamcli validate; apt-get
# install ./FILE.deb; the helper root:ikev2wb 0750 with cap_net_raw,cap_net_admin=eip; the installed
# CLI reads an installed sample (packet and ESP counts equal to tcpdump's); every option --help
# prints is in the man page; the GUI starts; remove keeps the group, purge leaves no file of the
# package and no group; a reinstall keeps the helper's capabilities. Exit 0 when all passed; the package is purged at the end in any case.
set -uo pipefail
PKG=ikev2-workbench
HELPER=/usr/libexec/ikev2-workbench/ikev2wb-capture
GROUP=ikev2wb
SAMPLE=/usr/share/ikev2-workbench/samples/loss1-left-outer.pcap

die() { echo "test-deb: $*" >&2; exit 2; }
[ $# -ge 1 ] || die "usage: $0 FILE.deb [OUTDIR]"
[ "$(id -u)" = 0 ] || die "run as root (it installs and purges packages)"
DEB=$(realpath -e -- "$1") || die "no such file: $1"
case "$DEB" in *.deb) ;; *) die "not a .deb: $DEB" ;; esac
[ "$(dpkg-deb -f "$DEB" Package)" = "$PKG" ] || die "$DEB is not the $PKG package"
if dpkg-query -W -f '${Status}' "$PKG" 2>/dev/null | grep -q 'installed'; then
  die "$PKG is already installed here; purge it first (this test installs and purges it)"
fi
getent group "$GROUP" >/dev/null && die "the group $GROUP exists already; the test could not tell who made it"
OUT=${2:-$(mktemp -d /tmp/test-deb.XXXXXX)}
mkdir -p "$OUT"
OUT=$(realpath "$OUT")

failures=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
apt_install() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q "$@"; }
purge() {
  if dpkg-query -W -f '${Status}' "$PKG" 2>/dev/null | grep -q 'installed\|config-files'; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 purge -y -q "$PKG" >/dev/null
  fi
}
trap purge EXIT

echo "== tools"
apt_install lintian desktop-file-utils appstream xvfb xauth imagemagick tcpdump libcap2-bin man-db \
  >"$OUT/apt-tools.log" 2>&1 || die "could not install the test tools (see $OUT/apt-tools.log)"

echo "== static checks of $DEB"
mapfile -t FILES < <(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }')
[ "${#FILES[@]}" -gt 0 ] || die "dpkg-deb lists no files in $DEB"
lintian --fail-on error,warning --display-info "$DEB" >"$OUT/lintian.txt" 2>&1
rc=$?
cat "$OUT/lintian.txt"
[ $rc = 0 ] && pass "lintian: no error or warning" || fail "lintian (exit $rc)"
X=$(mktemp -d)
dpkg-deb -x "$DEB" "$X"
desktop-file-validate "$X/usr/share/applications/ikev2-workbench.desktop" && pass "desktop-file-validate" ||
  fail "desktop-file-validate"
grep -qx 'MimeType=application/vnd.tcpdump.pcap;application/x-pcapng;' \
  "$X/usr/share/applications/ikev2-workbench.desktop" && pass "desktop entry MIME types" || fail "desktop entry MIME types"
appstreamcli validate --no-net "$X"/usr/share/metainfo/*.metainfo.xml && pass "appstreamcli validate" ||
  fail "appstreamcli validate"
rm -rf "$X"

echo "== install"
if apt_install "$DEB" >"$OUT/apt-install.log" 2>&1; then pass "apt-get install $DEB"; else
  cat "$OUT/apt-install.log"; fail "apt-get install"; exit 1
fi
grep 'ikev2-workbench:' "$OUT/apt-install.log"

getent group "$GROUP" >/dev/null && pass "group $GROUP created" || fail "no group $GROUP"
mode=$(stat -c '%U:%G %a' "$HELPER")
[ "$mode" = "root:$GROUP 750" ] && pass "helper $mode" || fail "helper is '$mode', not root:$GROUP 750"
caps=$(getcap "$HELPER")
echo "getcap: $caps"
# getcap prints the capabilities sorted by number: cap_net_admin (12) before cap_net_raw (13).
case "$caps" in *"cap_net_admin,cap_net_raw=eip"*) pass "helper capabilities" ;; *) fail "helper capabilities" ;; esac
"$HELPER" --version >/dev/null 2>&1 && pass "helper runs" || fail "helper does not run"
# A reinstall (as an upgrade) unpacks a fresh helper without capabilities: postinst gives them back.
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --reinstall "$DEB" >/dev/null 2>&1
[ "$(stat -c '%U:%G %a' "$HELPER")" = "root:$GROUP 750" ] && [[ "$(getcap "$HELPER")" == *"cap_net_admin,cap_net_raw=eip"* ]] &&
  pass "reinstall: helper root:$GROUP 750 with its capabilities" || fail "reinstall lost the helper's owner, mode or capabilities"

# The installed CLI on an installed sample; tcpdump counts the same file independently.
json=$(ikev2wb summary "$SAMPLE" --json) || fail "ikev2wb summary $SAMPLE (exit $?)"
ours=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["packets"], d["packets_by_kind"]["esp"])' <<<"$json")
theirs="$(tcpdump -nn -r "$SAMPLE" 2>/dev/null | wc -l) $(tcpdump -nn -r "$SAMPLE" esp 2>/dev/null | wc -l)"
echo "packets, ESP packets: ikev2wb $ours, tcpdump $theirs"
[ -n "$ours" ] && [ "$ours" = "$theirs" ] && [ "${ours#* }" -gt 0 ] && pass "installed ikev2wb summary of the installed sample" ||
  fail "ikev2wb summary counts differ from tcpdump's"

# Every option --help prints is in the installed man page.
CHECK_MAN=$(dirname "$(realpath "$0")")/check-manpage.sh
"$CHECK_MAN" "$(man -w ikev2wb)" ikev2wb && pass "man ikev2wb" || fail "man ikev2wb"
"$CHECK_MAN" "$(man -w ikev2-workbench)" ikev2-workbench && pass "man ikev2-workbench" || fail "man ikev2-workbench"
"$CHECK_MAN" "$(man -w 8 ikev2wb-capture)" "$HELPER" && pass "man ikev2wb-capture" || fail "man ikev2wb-capture"

# The GUI starts under Xvfb (a fresh HOME: no recent captures) and shows its start page.
export HOME_GUI=$(mktemp -d)
cat >"$OUT/gui.sh" <<'GUI'
HOME=$HOME_GUI XDG_CONFIG_HOME=$HOME_GUI/.config ikev2-workbench >"$OUT/gui.log" 2>&1 &
pid=$!
sleep 8
kill -0 $pid || exit 3
import -window root "$OUT/start.png" || exit 4
kill $pid; wait $pid
exit 0
GUI
export OUT
xvfb-run -a -s '-screen 0 1600x1000x24' bash "$OUT/gui.sh"
rc=$?
rm -rf "$HOME_GUI"
[ $rc = 0 ] && pass "GUI started under Xvfb; screenshot $OUT/start.png" || { cat "$OUT/gui.log"; fail "GUI under Xvfb (exit $rc)"; }

echo "== remove and purge"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 remove -y -q "$PKG" >/dev/null
left=0
for f in "${FILES[@]}"; do [ -e "$f" ] || [ -L "$f" ] && { echo "left after remove: $f"; left=1; }; done
[ $left = 0 ] && pass "remove leaves no file of the package" || fail "remove left files"
getent group "$GROUP" >/dev/null && pass "remove keeps the group (users stay members until purge)" || fail "remove deleted the group"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 purge -y -q "$PKG" >/dev/null
for f in "${FILES[@]}"; do [ -e "$f" ] || [ -L "$f" ] && { echo "left after purge: $f"; left=1; }; done
for d in /usr/libexec/ikev2-workbench /usr/share/ikev2-workbench /usr/share/doc/ikev2-workbench; do
  [ -e "$d" ] && { echo "left after purge: $d"; left=1; }
done
[ $left = 0 ] && pass "purge leaves no file of the package" || fail "purge left files"
getent group "$GROUP" >/dev/null && fail "purge left the group $GROUP" || pass "purge removed the group"
dpkg-query -W -f '${Status}' "$PKG" 2>/dev/null | grep -q . && fail "dpkg still knows $PKG" || pass "dpkg forgot $PKG"

echo "test-deb: $failures failed; output in $OUT"
[ $failures = 0 ]
