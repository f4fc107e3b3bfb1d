# shellcheck shell=bash
# Project scenario for the IPsec fault lab (/work/shared/lab): the MTU black hole's fixes, as
# `ikev2wb diagnose --fix-script` writes them, run unchanged on the gateways of a real tunnel
# (kernel ESP in User-Mode-Linux), with TCP through the tunnel before, with and after the undo of
# each. Run with
#   scripts/lab.sh mtu-fix-proof mtu-fix-proof-natt
# It uses this checkout's release, ci or dev build of ikev2wb (the guest sees the host's / through
# hostfs). Results staged with tests/data/lab/stage-fix-proof.sh NAME in tests/data/lab/NAME
# (tests/tst_fixproof_lab.cpp; about 70 s per scenario in the lab).
#
# Phase 1: the black hole of sc_mtu_blackhole (mid->right link MTU 1400, or 1420 with NAT-T; mid
# drops the ICMP fragmentation-needed): a ping sweep and an iperf3 upload lhost -> rhost, captured at both
# gateways' outer interfaces (phase1/*-outer.pcap) with before/after host snapshots
# (phase1/stats). ikev2wb diagnose reads exactly that, once with left as capture A
# (fix-left.sh) and once with right as A (fix-right.sh). Then each fix is applied on its gateway
# by running the script as an engineer would (`bash fix-left.sh N`, answering y), an iperf3 upload
# runs, the fix's own undo line is run, and the upload runs again. Every upload goes to its own
# address of rhost (10.2.0.11 ...), so no path MTU lhost learned in one phase carries over.
#
# The gateways run the script with two things of the guest around it, never in it: `iptables`
# resolves to iptables-legacy (the UML kernel has no nf_tables for ip/ip6/inet; the script calls
# plain `iptables`, which on Debian 12 is iptables-nft), and /var/lib is a per-gateway folder on
# the guest's tmpfs (the scripts save values under /var/lib/ikev2wb; the guest's / is the host's).

LAB_SCENARIOS="$LAB_SCENARIOS mtu-fix-proof mtu-fix-proof-natt mtu-fix-proof-gcm"

# ESP (aes128-sha256, tunnel, IPv4): outer = 20 + 8 + 16 + pad16(inner + 2) + 16 (NAT-T: + 8 UDP),
# so the largest inner packet through 1400 bytes is 1326 (MSS 1286), through 1420 with NAT-T 1342
# (MSS 1302); through left's own 1500-byte link 1438 (NAT-T 1422), what left's kernel reports to
# lhost without a fix.
sc_mtu_fix_proof() {
    MTU_R=1400
    _fx_scenario 1326 1286 "no NAT"
}

# The same through NAT-T: mid masquerades left (ESP in UDP 4500), the mid->right link has MTU 1420.
sc_mtu_fix_proof_natt() {
    NAT=1
    MTU_R=1420
    _fx_scenario 1342 1302 "NAT-T: mid masquerades left, ESP in UDP 4500"
}

# The same with AES-GCM-16 (aes128gcm16), the AEAD suite most tunnels negotiate today: outer =
# 20 + 8 + IV 8 + pad4(inner + 2) + ICV 16, so the largest inner packet through 1400 bytes is 1346
# (MSS 1306); through left's own 1500-byte link 1446.
sc_mtu_fix_proof_gcm() {
    MTU_R=1400
    ESP_PROPOSAL=aes128gcm16
    _fx_scenario 1346 1306 "no NAT, ESP aes128gcm16"
    EXTRA_MODULES="$EXTRA_MODULES gcm ghash_generic ctr gf128mul"
}

_fx_scenario() {
    local inner=$1 mss=$2 nat=$3
    DROP_ICMP_FRAG=1
    # payload 1000 -> ESP 1100 B (NAT-T 1108) delivered; 1300 -> 1404 B (1412) lost at 1400 and
    # delivered at 1420; 1400 -> 1500 (1508) lost
    PING_SIZES="56 1000 1300 1400"
    IPERF_ARGS="-t 2 -b 8M"
    IPERF_TIMEOUT=10
    EXTRA_MODULES="iptable_mangle xt_policy xt_TCPMSS nfnetlink nf_tables"
    TRUTH_SUMMARY="The fixes ikev2wb diagnose writes for a PMTUD black hole, run on a real tunnel ($nat). The mid->right link has MTU $MTU_R and mid drops the ICMP 'fragmentation needed' it would send. Phase 1: ping sweep $PING_SIZES and an iperf3 upload lhost -> rhost 10.2.0.11, captured at both gateways (phase1/*-outer.pcap, host snapshots before/after in phase1/stats); ikev2wb diagnose (this checkout's build, inside the guest) reads phase1/ with left as A (fix-left.sh) and with right as A (fix-right.sh). Then, each on its gateway, run unchanged as 'bash SCRIPT N' answered y, an upload while it is in place and one after its own undo line: left's iptables MSS clamp (uploads to 10.2.0.12 / .13), right's iptables MSS clamp (.14 / .15), left's route fix 'mtu lock' (.16 / .17), the route fix of right's script 'On the peer' run on left (.18 / .19; first on right, where it must refuse), left's script's tcp_mtu_probing fix run on lhost, the host that sends (.20 with an 8 s upload / .21), left's nftables clamp (fails: the UML kernel has nf_tables for the bridge family only). Each upload but .20 is iperf3 -t 2 -b 8M from lhost to its own rhost address (no path MTU learned in one phase carries over); the inner captures show each SYN's MSS and the ICMP errors left sends lhost."
    TRUTH_FAULTS="[{\"type\":\"mtu_blackhole\",\"where\":\"mid eth-r <-> right wan0\",\"link_mtu\":$MTU_R,\"natt\":$([ "$NAT" = 1 ] && echo true || echo false),\"icmp_frag_needed\":\"dropped by iptables on mid (OUTPUT+FORWARD)\",\"direction\":\"left->right (large packets)\"}]"
    TRUTH_EXPECT="{\"diagnosis\":\"pmtud_blackhole\",\"direction\":\"left->right\",\"max_esp_packet_passing\":$MTU_R,\"inner_mtu\":$inner,\"mss\":$mss,\"uploads\":{\"10.2.0.11\":\"stalls (no fix)\",\"10.2.0.12\":\"completes (left iptables clamp: SYN and SYN/ACK MSS $mss)\",\"10.2.0.13\":\"stalls (undone)\",\"10.2.0.14\":\"completes (right iptables clamp)\",\"10.2.0.15\":\"stalls (undone)\",\"10.2.0.16\":\"completes (left route mtu lock $MTU_R: left answers lhost with ICMP frag-needed mtu $inner)\",\"10.2.0.17\":\"stalls (undone)\",\"10.2.0.18\":\"completes (right's 'on the peer' route fix run on left)\",\"10.2.0.19\":\"stalls (undone)\",\"10.2.0.20\":\"recovers after retransmission timeouts (tcp_mtu_probing 1 on lhost)\",\"10.2.0.21\":\"stalls (undone)\"},\"nftables\":\"not runnable in the UML kernel (CONFIG_NF_TABLES_INET/IPV4/IPV6 unset)\"}"
    hook_traffic() { traffic_fix_proof; }
    # Phase 1's own outer captures (packet-buffered, stopped before the diagnosis reads them)
    # start with the lab's, so they hold the IKE exchange too.
    declare -F start_captures > /dev/null && eval "_fx_lab_start_captures() $(declare -f start_captures | tail -n +2)"
    start_captures() {
        local F='udp port 500 or udp port 4500 or esp or icmp or icmp6 or (ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] == 44)' n
        mkdir -p "$RUN/cap" "$OUT/phase1/stats"
        _FX_P1=()
        for n in left right; do
            ip netns exec "$n" tcpdump -n -U -i wan0 -s 0 -Z root -w "$RUN/cap/p1-$n-outer.pcap" "$F" \
                > "$RUN/cap/p1-$n-outer.pcap.log" 2>&1 &
            BGPIDS+=($!)
            _FX_P1+=($!)
        done
        _fx_lab_start_captures
    }
}

# _fx_upload TAG DST [SECONDS]: iperf3 -t SECONDS (2) -b 8M from lhost to rhost's DST, client and
# server JSON kept.
_fx_upload() {
    local tag=$1 dst=$2 secs=${3:-2} sp rc=0 i
    ip netns exec rhost iperf3 -s -1 -B "$dst" -J > "$TR/iperf3-$tag-server.json" 2>&1 &
    sp=$!
    BGPIDS+=($sp)
    bsleep 1
    ev "upload_${tag}_start" "lhost -> $dst iperf3 -t $secs -b 8M"
    timeout $((secs + 8)) ip netns exec lhost iperf3 -c "$dst" -t "$secs" -b 8M -J --connect-timeout 3000 \
        > "$TR/iperf3-$tag.json" 2> "$TR/iperf3-$tag.stderr" || rc=$?
    ev "upload_${tag}_end" "rc=$rc"
    for ((i = 0; i < 10; i++)); do kill -0 "$sp" 2>/dev/null || break; bsleep 0.3; done
    kill "$sp" 2>/dev/null
    printf '{"tool":"iperf3","tag":"%s","to":"%s","args":"-t %s -b 8M","rc":%s,"see":"traffic/iperf3-%s.json"}\n' \
        "$tag" "$dst" "$secs" "$rc" "$tag" >> "$OUT/traffic.jsonl"
}

# _fx_run GW TAG COMMAND...: COMMAND in GW's namespace with /var/lib on GW's own tmpfs folder and
# iptables as iptables-legacy; output and exit code in OUT/fixrun/TAG.{txt,rc}.
_fx_run() {
    local gw=$1 tag=$2 rc=0
    shift 2
    nsx "$gw" bash -c 'mount --bind "$0" /var/lib && PATH=$1:$PATH && shift && exec "$@"' \
        "$RUN/varlib-$gw" "$RUN/legacy-bin" "$@" > "$OUT/fixrun/$tag.txt" 2>&1 < /dev/null || rc=$?
    echo "$rc" > "$OUT/fixrun/$tag.rc"
    return 0
}

# _fx_apply GW SCRIPT N TAG: `bash SCRIPT N`, answered y, as an engineer runs fix N of the script.
_fx_apply() {
    local gw=$1 script=$2 n=$3 tag=$4 rc=0
    nsx "$gw" bash -c 'mount --bind "$0" /var/lib && PATH=$1:$PATH && echo y | bash "$2" "$3"' \
        "$RUN/varlib-$gw" "$RUN/legacy-bin" "$script" "$n" > "$OUT/fixrun/$tag.txt" 2>&1 < /dev/null || rc=$?
    echo "$rc" > "$OUT/fixrun/$tag.rc"
    ev "fix_${tag}" "$gw: bash $(basename "$script") $n rc=$rc"
}

# _fx_number SCRIPT TITLE_PREFIX: the number of the first fix whose title line starts so.
_fx_number() {
    local line n=""
    while IFS= read -r line; do
        [[ $line =~ ^#\ -+\ fix\ ([0-9]+)\  ]] && n=${BASH_REMATCH[1]}
        [[ -n $n && $line == "# $2"* ]] && { echo "$n"; return 0; }
    done < "$1"
    return 1
}

# _fx_undo SCRIPT N: fix N's undo line, as the script's comment block gives it.
_fx_undo() {
    local line n=""
    while IFS= read -r line; do
        [[ $line =~ ^#\ -+\ fix\ ([0-9]+)\  ]] && n=${BASH_REMATCH[1]}
        [[ $n == "$2" && $line == "# undo:      "* ]] && { echo "${line#"# undo:      "}"; return 0; }
    done < "$1"
    return 1
}

# _fx_prove GW SCRIPT TITLE TAG DST_WITH DST_UNDONE [SECONDS]: apply, upload (SECONDS long), undo,
# upload.
_fx_prove() {
    local gw=$1 script=$2 title=$3 tag=$4 n undo
    n=$(_fx_number "$script" "$title") || { ev "fix_${tag}_missing" "no '$title' in $(basename "$script")"; return 0; }
    undo=$(_fx_undo "$script" "$n")
    echo "$undo" > "$OUT/fixrun/$tag-undo.sh"
    _fx_apply "$gw" "$script" "$n" "$tag-apply"
    _fx_run "$gw" "$tag-state" sh -c "iptables-save -t mangle; ip -o route show table main; sysctl net.ipv4.tcp_mtu_probing"
    _fx_upload "$tag" "$5" "${7:-2}"
    _fx_run "$gw" "$tag-counters" iptables-save -c -t mangle
    _fx_run "$gw" "$tag-undo" bash -c "$undo"
    ev "fix_${tag}_undone" "$gw: rc=$(< "$OUT/fixrun/$tag-undo.rc")"
    _fx_run "$gw" "$tag-after-undo" sh -c "iptables-save -t mangle; ip -o route show table main; sysctl net.ipv4.tcp_mtu_probing; ls -A /var/lib/ikev2wb"
    _fx_upload "$tag-undone" "$6"
}

traffic_fix_proof() {
    local bin i n
    mkdir -p "$OUT/fixrun" "$RUN/legacy-bin" "$RUN/varlib-left" "$RUN/varlib-right" "$RUN/varlib-lhost"
    for n in iptables ip6tables; do
        ln -sf "/usr/sbin/$n-legacy" "$RUN/legacy-bin/$n"
        ln -sf "/usr/sbin/$n-legacy-save" "$RUN/legacy-bin/$n-save"
        ln -sf "/usr/sbin/$n-legacy-restore" "$RUN/legacy-bin/$n-restore"
    done
    printf 'addr add 10.2.0.%s/24 dev eth0\n' 11 12 13 14 15 16 17 18 19 20 21 > "$RUN/rhost-addrs.batch"
    nsx rhost ip -b "$RUN/rhost-addrs.batch"

    # Phase 1: the black hole as it is.
    ping_sweep
    _fx_upload before 10.2.0.11
    # the start snapshot runs in the background from tunnel_up; mid's conntrack file is its last
    for ((i = 0; i < 100; i++)); do [ -e "$OUT/stats/mid-conntrack-start.txt" ] && break; bsleep 0.3; done
    bsleep 1
    OUT=$OUT/phase1 snapshot end
    cp "$OUT"/stats/*-start.txt "$OUT/phase1/stats/"
    for i in "${_FX_P1[@]}"; do kill -INT "$i" 2>/dev/null; done
    for i in "${_FX_P1[@]}"; do
        for ((n = 0; n < 20; n++)); do kill -0 "$i" 2>/dev/null || break; bsleep 0.2; done
    done
    cp "$RUN"/cap/p1-left-outer.pcap "$OUT/phase1/left-outer.pcap"
    cp "$RUN"/cap/p1-right-outer.pcap "$OUT/phase1/right-outer.pcap"
    ev phase1_captured "phase1/left-outer.pcap phase1/right-outer.pcap phase1/stats"

    # this checkout's build, as probe.sh finds it (scripts/lab.sh sources every scenario file)
    bin=$(_wb_bin) || { ev no_ikev2wb "no ikev2wb build in $_wb_repo"; return 0; }
    for n in left right; do
        local peer=right
        [ $n = right ] && peer=left
        (cd "$OUT/phase1" && "$bin" diagnose --capture "$n-outer.pcap" --peer-capture "$peer-outer.pcap" \
            --evidence stats --fix-script "../fix-$n.sh" --json > "../diagnose-$n.json" 2> "../diagnose-$n.err")
        ev "diagnosed_$n" "rc=$? fix-$n.sh"
    done

    # The fixes, each on its gateway, with an upload while it is in place and one after its undo.
    _fx_prove left "$OUT/fix-left.sh" "[iptables] Clamp TCP MSS" ipt-left 10.2.0.12 10.2.0.13
    _fx_prove right "$OUT/fix-right.sh" "[iptables] Clamp TCP MSS" ipt-right 10.2.0.14 10.2.0.15
    _fx_prove left "$OUT/fix-left.sh" "[ip_link] Set the path MTU" route-left 10.2.0.16 10.2.0.17
    # right's script names left as the peer that must run its route fix: on right it must refuse
    n=$(_fx_number "$OUT/fix-right.sh" "[ip_link] On the peer") &&
        _fx_apply right "$OUT/fix-right.sh" "$n" route-peer-on-right &&
        _fx_run right route-peer-on-right-state ip -o route show table main
    _fx_prove left "$OUT/fix-right.sh" "[ip_link] On the peer" route-peer 10.2.0.18 10.2.0.19
    # TCP's own black-hole detection, on the host that sends the upload (lhost), 8 s uploads: the
    # first segments are lost until the retransmission timeouts make TCP lower its MSS
    _fx_prove lhost "$OUT/fix-left.sh" "[sysctl] Let TCP on the end hosts probe" probing-lhost 10.2.0.20 10.2.0.21 8

    # nftables: the clamp as written, then what the kernel takes at all.
    n=$(_fx_number "$OUT/fix-left.sh" "[nftables] Clamp TCP MSS") && _fx_apply left "$OUT/fix-left.sh" "$n" nft-left-apply
    _fx_run left nft-probe bash -c 'for f in bridge ip ip6 inet netdev; do
        printf "nft add table %s ikev2wb_probe: " "$f"; if nft add table "$f" ikev2wb_probe 2>&1; then echo ok; nft delete table "$f" ikev2wb_probe; fi
    done; echo "nft list ruleset:"; nft list ruleset 2>&1; nft --version'
    ev nft_probed "see fixrun/nft-probe.txt"
}
