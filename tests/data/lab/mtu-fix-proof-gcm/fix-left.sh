#!/usr/bin/env bash
# Fixes proposed by `ikev2wb diagnose` for: left-outer.pcap, right-outer.pcap, stats
#
# Review before use. Nothing in this file runs by itself:
#   ./THIS_SCRIPT          lists the fixes
#   ./THIS_SCRIPT N [M..]  shows fix N (what it changes, trade-off, verify, undo) and asks
#                          for confirmation before running it
# A fix that still holds a <placeholder> (a value the evidence did not give, or gave in a
# form that was refused) does not run: put the real value in and delete its guard line.
# Configuration snippets (swanctl.conf, ipsec.conf, strongswan.conf) are only printed:
# merge them into the named file by hand, then apply them as the fix says.
# note: host 'left' is capture A's endpoint (left-outer.pcap): 10.0.1.1 in its ip route show table all (local route)
# note: host 'mid' (mid-iptables-end.txt, mid-iptables-start.txt, mid-link-end.txt, mid-link-start.txt) names none of its own addresses: its counters, replay window, configuration and logs are used for neither capture's end (its links, routes and firewall rules still count for the path); assign it with --evidence-a / --evidence-b if it is one of them
# note: host 'right' is capture B's endpoint (right-outer.pcap): 10.0.2.1 in its ip route show table all (local route)
# note: receiver replay window of 10.0.1.1 → 10.0.2.1 read from ip xfrm state (0xcacb45a3) of host 'right' (10.0.2.1): 32
# note: receiver replay window of 10.0.2.1 → 10.0.1.1 read from ip xfrm state (0xcdb3c403) of host 'left' (10.0.1.1): 32
# note: NAT UDP timeout assumed 30 s (default)
set -euo pipefail

# ---------------------------------------------------------------- fix 1 (mtu_blackhole)
# [iptables] Clamp TCP MSS to 1306 with iptables
# changes:   Rewrites the MSS option of TCP SYN and SYN/ACK packets that enter or leave the tunnel through wan0 to at most 1306, so TCP never builds an inner packet above 1346 bytes, which fits the 1400-byte path after ESP. A smaller MSS in a SYN is left alone.
# trade-off: Only TCP is helped: UDP and ICMP still need the MTU fix. Connections opened before the rule keep their MSS. Traffic this host originates itself (OUTPUT) is not clamped. Each segment carries a few bytes less payload.
# verify:    iptables -t mangle -L FORWARD -v -n: the TCPMSS rules' packet counters grow as connections open; on this gateway's LAN-side interface, the SYN/ACKs that come out of the tunnel carry 'mss 1306' in tcpdump -n -v 'tcp[tcpflags] & tcp-syn != 0' (the local hosts' SYNs are captured before the rule and keep their own MSS there; the peer's LAN side shows them with 'mss 1306'); a bulk transfer through the tunnel no longer stalls.
# undo:      iptables -t mangle -D FORWARD -p tcp --tcp-flags SYN,RST SYN -o wan0 -m policy --dir out --pol ipsec -j TCPMSS --set-mss 1306; iptables -t mangle -D FORWARD -p tcp --tcp-flags SYN,RST SYN -i wan0 -m policy --dir in --pol ipsec -j TCPMSS --set-mss 1306
describe_1() {
    cat <<'IKEV2WB_EOF_196746b738f58d92'
[iptables] Clamp TCP MSS to 1306 with iptables
changes:   Rewrites the MSS option of TCP SYN and SYN/ACK packets that enter or leave the tunnel through wan0 to at most 1306, so TCP never builds an inner packet above 1346 bytes, which fits the 1400-byte path after ESP. A smaller MSS in a SYN is left alone.
trade-off: Only TCP is helped: UDP and ICMP still need the MTU fix. Connections opened before the rule keep their MSS. Traffic this host originates itself (OUTPUT) is not clamped. Each segment carries a few bytes less payload.
verify:    iptables -t mangle -L FORWARD -v -n: the TCPMSS rules' packet counters grow as connections open; on this gateway's LAN-side interface, the SYN/ACKs that come out of the tunnel carry 'mss 1306' in tcpdump -n -v 'tcp[tcpflags] & tcp-syn != 0' (the local hosts' SYNs are captured before the rule and keep their own MSS there; the peer's LAN side shows them with 'mss 1306'); a bulk transfer through the tunnel no longer stalls.
undo:      iptables -t mangle -D FORWARD -p tcp --tcp-flags SYN,RST SYN -o wan0 -m policy --dir out --pol ipsec -j TCPMSS --set-mss 1306; iptables -t mangle -D FORWARD -p tcp --tcp-flags SYN,RST SYN -i wan0 -m policy --dir in --pol ipsec -j TCPMSS --set-mss 1306
IKEV2WB_EOF_196746b738f58d92
}
fix_1() {
    :
    # path MTU 1400, AES-GCM-16: inner MTU 1346, TCP MSS 1306 (= 1346 − 40) for IPv4
    # path MTU from: the smallest link MTU on the path in the evidence: 1400 bytes, mid eth-r (a router interface whose packet counters grew between the snapshots, eth-r mtu 1400 in mid-link-end.txt)
    iptables -t mangle -C FORWARD -p tcp --tcp-flags SYN,RST SYN -o wan0 -m policy --dir out --pol ipsec -j TCPMSS --set-mss 1306 2>/dev/null || iptables -t mangle -I FORWARD 1 -p tcp --tcp-flags SYN,RST SYN -o wan0 -m policy --dir out --pol ipsec -j TCPMSS --set-mss 1306
    iptables -t mangle -C FORWARD -p tcp --tcp-flags SYN,RST SYN -i wan0 -m policy --dir in --pol ipsec -j TCPMSS --set-mss 1306 2>/dev/null || iptables -t mangle -I FORWARD 1 -p tcp --tcp-flags SYN,RST SYN -i wan0 -m policy --dir in --pol ipsec -j TCPMSS --set-mss 1306
    # Once ICMP fragmentation-needed reaches this host again, the kernel's path MTU can be used instead:
    # iptables -t mangle -I FORWARD 1 -p tcp --tcp-flags SYN,RST SYN -o wan0 -m policy --dir out --pol ipsec -j TCPMSS --clamp-mss-to-pmtu
}

# ---------------------------------------------------------------- fix 2 (mtu_blackhole)
# [nftables] Clamp TCP MSS to 1306 with nftables
# changes:   Creates (or, run again, replaces) a table 'ikev2wb' (family inet: IPv4 and IPv6) whose forward chain lowers the MSS option of TCP SYN and SYN/ACK packets through wan0 to and from 10.2.0.0/24 to 1306 when it is larger.
# trade-off: Only TCP is helped; existing connections keep their MSS.
# verify:    nft list table inet ikev2wb: the rules' counters grow as connections open; on this gateway's LAN-side interface, the SYN/ACKs that come out of the tunnel carry 'mss 1306' in tcpdump -n -v 'tcp[tcpflags] & tcp-syn != 0' (the local hosts' SYNs are captured before the rule and keep their own MSS there; the peer's LAN side shows them with 'mss 1306').
# undo:      nft delete table inet ikev2wb
describe_2() {
    cat <<'IKEV2WB_EOF_196746b738f58d92'
[nftables] Clamp TCP MSS to 1306 with nftables
changes:   Creates (or, run again, replaces) a table 'ikev2wb' (family inet: IPv4 and IPv6) whose forward chain lowers the MSS option of TCP SYN and SYN/ACK packets through wan0 to and from 10.2.0.0/24 to 1306 when it is larger.
trade-off: Only TCP is helped; existing connections keep their MSS.
verify:    nft list table inet ikev2wb: the rules' counters grow as connections open; on this gateway's LAN-side interface, the SYN/ACKs that come out of the tunnel carry 'mss 1306' in tcpdump -n -v 'tcp[tcpflags] & tcp-syn != 0' (the local hosts' SYNs are captured before the rule and keep their own MSS there; the peer's LAN side shows them with 'mss 1306').
undo:      nft delete table inet ikev2wb
IKEV2WB_EOF_196746b738f58d92
}
fix_2() {
    :
    # path MTU 1400, AES-GCM-16: inner MTU 1346, TCP MSS 1306 (= 1346 − 40) for IPv4
    # path MTU from: the smallest link MTU on the path in the evidence: 1400 bytes, mid eth-r (a router interface whose packet counters grew between the snapshots, eth-r mtu 1400 in mid-link-end.txt)
    # Table inet ikev2wb replaced as a whole (a second run leaves the same rules):
    nft 'table inet ikev2wb
    delete table inet ikev2wb
    table inet ikev2wb {
        chain forward {
            type filter hook forward priority mangle; policy accept;
            oifname "wan0" ip daddr 10.2.0.0/24 tcp flags syn tcp option maxseg size > 1306 counter tcp option maxseg size set 1306
            iifname "wan0" ip saddr 10.2.0.0/24 tcp flags syn tcp option maxseg size > 1306 counter tcp option maxseg size set 1306
        }
    }'
    # Once ICMP fragmentation-needed reaches this host again, the rules can clamp to the route's MTU instead:
    # oifname "wan0" ip daddr 10.2.0.0/24 tcp flags syn tcp option maxseg size set rt mtu
}

# ---------------------------------------------------------------- fix 3 (mtu_blackhole)
# [ip_link] Set the path MTU 1400 on the route to the peer 10.0.2.1
# changes:   The kernel learns the real path size for the peer, so it answers over-large inner packets with ICMP fragmentation-needed (mtu 1346) to the inner hosts instead of sending ESP packets the path drops. 'lock' keeps a (lost or forged) ICMP error from changing it. The host routes to 10.0.2.1 from before are saved in /var/lib/ikev2wb/saved-route-10.0.2.1 for the undo.
# trade-off: Only traffic to 10.0.2.1 (the tunnel's, and anything else to that address) uses the lower MTU; the rest of wan0 keeps its MTU of 1500. A host route to 10.0.2.1 that exists already is overridden until the undo: replaced if its metric is 0, otherwise outranked by the new route's lower metric. Not persistent: add the route to the network configuration once verified. Inner hosts must accept ICMP fragmentation-needed for non-TCP traffic.
# verify:    ip route get 10.0.2.1 shows 'mtu lock 1400'; from an inner host, ping -M do -s 1318 <remote inner host> gets replies and ping -M do -s 1319 reports 'Frag needed' / 'message too long' (mtu 1346) instead of silence.
# undo:      ip route del 10.0.2.1/32 via 10.0.1.254 dev wan0 mtu lock 1400 && ip -batch /var/lib/ikev2wb/saved-route-10.0.2.1 && rm /var/lib/ikev2wb/saved-route-10.0.2.1  # deletes only the route this fix added: the routes listing stats/left-routes-start.txt had no host route to 10.0.2.1, and the saved file is empty if there was none when the fix ran
describe_3() {
    cat <<'IKEV2WB_EOF_196746b738f58d92'
[ip_link] Set the path MTU 1400 on the route to the peer 10.0.2.1
changes:   The kernel learns the real path size for the peer, so it answers over-large inner packets with ICMP fragmentation-needed (mtu 1346) to the inner hosts instead of sending ESP packets the path drops. 'lock' keeps a (lost or forged) ICMP error from changing it. The host routes to 10.0.2.1 from before are saved in /var/lib/ikev2wb/saved-route-10.0.2.1 for the undo.
trade-off: Only traffic to 10.0.2.1 (the tunnel's, and anything else to that address) uses the lower MTU; the rest of wan0 keeps its MTU of 1500. A host route to 10.0.2.1 that exists already is overridden until the undo: replaced if its metric is 0, otherwise outranked by the new route's lower metric. Not persistent: add the route to the network configuration once verified. Inner hosts must accept ICMP fragmentation-needed for non-TCP traffic.
verify:    ip route get 10.0.2.1 shows 'mtu lock 1400'; from an inner host, ping -M do -s 1318 <remote inner host> gets replies and ping -M do -s 1319 reports 'Frag needed' / 'message too long' (mtu 1346) instead of silence.
undo:      ip route del 10.0.2.1/32 via 10.0.1.254 dev wan0 mtu lock 1400 && ip -batch /var/lib/ikev2wb/saved-route-10.0.2.1 && rm /var/lib/ikev2wb/saved-route-10.0.2.1  # deletes only the route this fix added: the routes listing stats/left-routes-start.txt had no host route to 10.0.2.1, and the saved file is empty if there was none when the fix ran
IKEV2WB_EOF_196746b738f58d92
}
fix_3() {
    :
    # path MTU 1400, AES-GCM-16: inner MTU 1346, TCP MSS 1306 (= 1346 − 40) for IPv4
    # path MTU from: the smallest link MTU on the path in the evidence: 1400 bytes, mid eth-r (a router interface whose packet counters grew between the snapshots, eth-r mtu 1400 in mid-link-end.txt)
    # Policy-based tunnel (no tunnel interface): the route to the peer gets the path MTU, so only packets to the peer are affected;
    # the kernel then subtracts the ESP overhead itself (1400 − 54 = 1346 bytes for the inner packet).
    # The kernel must still route the peer out of wan0 via 10.0.1.254, as the evidence shows (else nothing changes):
    case " $(ip -o route get 10.0.2.1 2>/dev/null) " in *' via 10.0.1.254 dev wan0 '*) ;; *) echo 'the route to 10.0.2.1 does not leave through wan0 via 10.0.1.254 now (ip route get 10.0.2.1): nothing changed' >&2; exit 1 ;; esac
    # The host routes to the peer as they are now (none: an empty file) are saved for the undo, as ip -batch commands
    # (flags the kernel prints but does not take, such as linkdown, left out):
    if [ ! -e /var/lib/ikev2wb/saved-route-10.0.2.1 ]; then
        old=$(ip -o route show exact 10.0.2.1/32 | awk '{o = "route replace"; for (i = 1; i <= NF; i++) {if ($i == "expires") {i++; continue} if ($(i - 1) != "dev" && $i ~ /^(linkdown|dead|offload|trap|rt_offload|rt_trap|rt_offload_failed|pervasive|notify)$/) continue; o = o " " $i} print o}')
        case "$old" in *[!A-Za-z0-9_.:/\ $'\n'-]*) echo 'the current route (route-10.0.2.1) is not one this script can put back (multipath?): nothing changed' >&2; exit 1 ;; esac
        install -d -m 0700 /var/lib/ikev2wb
        (umask 077 && { [ -z "$old" ] || printf '%s\n' "$old"; } > /var/lib/ikev2wb/saved-route-10.0.2.1)
    fi
    ip route replace 10.0.2.1/32 via 10.0.1.254 dev wan0 mtu lock 1400
    # Coarser alternative, lowers every packet through wan0:
    # ip link set dev wan0 mtu 1400
}

# ---------------------------------------------------------------- fix 4 (mtu_blackhole)
# [sysctl] Let TCP on the end hosts probe the path MTU itself
# changes:   Linux TCP starts packetization-layer PMTU discovery (RFC 4821) when it detects a black hole, so connections recover even where ICMP is dropped (never lowered: 2, probing from the start, is kept); the value before is saved in /var/lib/ikev2wb/saved-net.ipv4.tcp_mtu_probing.
# trade-off: Only TCP of the hosts where it is set; the first stall still costs retransmission timeouts before probing shrinks the segments. Not persistent: add it to /etc/sysctl.d/ once verified.
# verify:    sysctl net.ipv4.tcp_mtu_probing prints 1 (or 2); a bulk transfer that stalled completes (slowly at first).
# undo:      sysctl -w net.ipv4.tcp_mtu_probing="$(cat /var/lib/ikev2wb/saved-net.ipv4.tcp_mtu_probing)" && rm /var/lib/ikev2wb/saved-net.ipv4.tcp_mtu_probing  # the value saved before the change
describe_4() {
    cat <<'IKEV2WB_EOF_196746b738f58d92'
[sysctl] Let TCP on the end hosts probe the path MTU itself
changes:   Linux TCP starts packetization-layer PMTU discovery (RFC 4821) when it detects a black hole, so connections recover even where ICMP is dropped (never lowered: 2, probing from the start, is kept); the value before is saved in /var/lib/ikev2wb/saved-net.ipv4.tcp_mtu_probing.
trade-off: Only TCP of the hosts where it is set; the first stall still costs retransmission timeouts before probing shrinks the segments. Not persistent: add it to /etc/sysctl.d/ once verified.
verify:    sysctl net.ipv4.tcp_mtu_probing prints 1 (or 2); a bulk transfer that stalled completes (slowly at first).
undo:      sysctl -w net.ipv4.tcp_mtu_probing="$(cat /var/lib/ikev2wb/saved-net.ipv4.tcp_mtu_probing)" && rm /var/lib/ikev2wb/saved-net.ipv4.tcp_mtu_probing  # the value saved before the change
IKEV2WB_EOF_196746b738f58d92
}
fix_4() {
    :
    # On the hosts that originate the TCP traffic (this gateway only for its own connections):
    if [ ! -e /var/lib/ikev2wb/saved-net.ipv4.tcp_mtu_probing ]; then
        old=$(sysctl -n net.ipv4.tcp_mtu_probing)
        case "$old" in ''|*[!0-9]*) echo 'cannot read the current value (net.ipv4.tcp_mtu_probing): nothing changed' >&2; exit 1 ;; esac
        install -d -m 0700 /var/lib/ikev2wb
        (umask 077 && { [ -z "$old" ] || printf '%s\n' "$old"; } > /var/lib/ikev2wb/saved-net.ipv4.tcp_mtu_probing)
    fi
    if [ "$(sysctl -n net.ipv4.tcp_mtu_probing)" -lt 1 ]; then sysctl -w net.ipv4.tcp_mtu_probing=1; fi
}

COUNT=4
if [ "$#" -eq 0 ]; then
    echo "$COUNT fix(es); run $0 N to review and apply fix N:"
    for n in $(seq 1 "$COUNT"); do
        printf '  %s. ' "$n"; "describe_$n" | head -n 1
    done
    exit 0
fi
for n in "$@"; do
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt "$COUNT" ]; then
        echo "no fix '$n' (1..$COUNT)" >&2
        exit 2
    fi
    "describe_$n"
    read -r -p "Apply fix $n? [y/N] " answer
    case "$answer" in
        y|Y|yes) "fix_$n" ;;
        *) echo "fix $n skipped" ;;
    esac
done
