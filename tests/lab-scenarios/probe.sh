# shellcheck shell=bash
# Project scenario for the IPsec fault lab (/work/shared/lab): `ikev2wb probe` through a real
# tunnel. The mid->right link has MTU 1420; first mid drops the ICMP "fragmentation needed" it
# would send (a black hole), then the drop rule is removed (PMTUD works). In each phase the probe
# runs twice: from lhost to rhost through the tunnel (inner packets, ESP on the path) and from
# left to right's outer address (plain IPv4 over the same 1420-byte link). Run with
#   scripts/lab.sh mtu-probe-1420
# It uses this checkout's release, ci or dev build of ikev2wb (the guest sees the host's / through
# hostfs). Results staged in tests/data/lab/mtu-probe-1420 (tests/tst_probe_lab.cpp).

LAB_SCENARIOS="$LAB_SCENARIOS mtu-probe-1420"

_wb_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# ESP (aes128-sha256, tunnel, IPv4): outer = 20 + 8 + 16 + pad16(inner + 2) + 16, so the largest
# inner packet through a 1420-byte path is 1358 (pad16(1360) = 1360, outer 1420).
sc_mtu_probe_1420() {
    MTU_R=1420
    DROP_ICMP_FRAG=1
    PING_SIZES="56 1300 1330"
    IPERF_ARGS="-t 2 -b 2M"
    TRUTH_SUMMARY="ikev2wb probe through a real tunnel. The mid->right link has MTU 1420. Phase 1: mid drops the ICMP 'fragmentation needed' it would send: the probes from lhost to rhost (inner, ESP aes128-sha256 on the path: largest inner packet 1358) and from left to 10.0.2.1 (plain, largest 1420) meet a black hole. Phase 2: the drop rule is removed: both probes get ICMP fragmentation-needed (from left's own kernel for the inner probe once its SA learned the path MTU, from mid 10.0.1.254 for the outer one)."
    TRUTH_FAULTS='[{"type":"mtu_blackhole","where":"mid eth-r <-> right wan0","link_mtu":1420,"natt":false,"icmp_frag_needed":"dropped by iptables on mid in phase 1, allowed in phase 2","direction":"left->right (large packets)"}]'
    TRUTH_EXPECT='{"diagnosis":"pmtud_blackhole","direction":"left->right","max_esp_packet_passing":1420,"max_inner_packet_passing":1358,"small_packets_ok":true}'
    hook_traffic() { traffic_probe; }
}

_wb_bin() {
    local b
    for b in "$_wb_repo"/build/{release,ci,dev}/app/cli/ikev2wb; do
        [ -x "$b" ] && { echo "$b"; return 0; }
    done
    return 1
}

# probe TAG NS DST: one `ikev2wb probe --json`, its output and exit code kept in OUT/probe-TAG.*
_wb_probe() {
    local tag=$1 n=$2 dst=$3 bin rc=0
    bin=$(_wb_bin) || { log "probe $tag: no ikev2wb build in $_wb_repo"; return 0; }
    ev "probe_${tag}_start" "$n -> $dst"
    nsx "$n" "$bin" probe "$dst" --json --tries 2 --timeout 1 > "$OUT/probe-$tag.json" 2> "$OUT/probe-$tag.err" || rc=$?
    echo "$rc" > "$OUT/probe-$tag.rc"
    ev "probe_${tag}_end" "rc=$rc"
}

traffic_probe() {
    ping_sweep
    iperf_run
    _wb_probe blackhole-inner lhost "$R_HOST"
    _wb_probe blackhole-outer left 10.0.2.1
    nsx mid sh -c "$IPT -D OUTPUT -p icmp --icmp-type fragmentation-needed -m comment --comment drop-icmp-frag-needed -j DROP; $IPT -D FORWARD -p icmp --icmp-type fragmentation-needed -m comment --comment drop-icmp-frag-needed -j DROP"
    ev icmp_frag_needed_allowed "mid no longer drops ICMP fragmentation-needed"
    _wb_probe pmtud-inner lhost "$R_HOST"
    _wb_probe pmtud-outer left 10.0.2.1
}
