# shellcheck shell=bash
# Project scenarios for the IPsec fault lab where the two hosts differ, so each direction must be
# judged with the receiving host's own evidence. Run with scripts/lab.sh NAME.

LAB_SCENARIOS="$LAB_SCENARIOS reorder-two-windows reorder-window-64 host-firewall-esp"

# Reordering both ways, but only right's inbound window is small: right's kernel drops what
# arrives 16 or more below the highest sequence number; left (1024) drops nothing.
sc_reorder_two_windows() {
    NETEM_ETH_R="delay 20ms reorder 25% 50%"
    NETEM_ETH_L="delay 20ms reorder 25% 50%"
    L_REPLAY_WINDOW=1024
    R_REPLAY_WINDOW=16
    PING_SIZES="56 1000"
    IPERF_ARGS="-t 4 -b 12M --bidir"
    TRUTH_SUMMARY="Reordering in both directions (netem 'delay 20ms reorder 25% 50%' on both mid interfaces) with different inbound anti-replay windows: left 1024, right 16. iperf3 --bidir sends bulk both ways. Right's kernel discards left->right packets that arrive 16 or more below the highest sequence number seen (XfrmInStateSeqError at right > 0); left, with 1024, discards none of the right->left packets although they are reordered as much. Only right's window needs changing."
    TRUTH_FAULTS='[{"type":"reordering","where":"mid eth-r and eth-l egress","direction":"both","netem":"delay 20ms reorder 25% 50%"},{"type":"small_replay_window","where":"right inbound SA","replay_window":16},{"type":"note","where":"left inbound SA","replay_window":1024}]'
    TRUTH_EXPECT='{"diagnosis":"anti_replay_drops_due_to_reordering","direction":"left->right","drop_location":"right (receiver) kernel XFRM","counter":"XfrmInStateSeqError on right > 0, on left 0","fix":"increase right replay_window; left unchanged","right_to_left":"reordered, no anti-replay drops (window 1024)"}'
}

# The same with right's inbound window 64 (the case): reordering deeper than 64 packets
# still costs drops at right; left (1024) drops none.
sc_reorder_window_64() {
    sc_reorder_two_windows
    R_REPLAY_WINDOW=64
    TRUTH_SUMMARY="${TRUTH_SUMMARY//right 16/right 64}"
    TRUTH_SUMMARY="${TRUTH_SUMMARY//16 or more/64 or more}"
    TRUTH_FAULTS='[{"type":"reordering","where":"mid eth-r and eth-l egress","direction":"both","netem":"delay 20ms reorder 25% 50%"},{"type":"small_replay_window","where":"right inbound SA","replay_window":64},{"type":"note","where":"left inbound SA","replay_window":1024}]'
}

# Right's own firewall drops ESP from left in INPUT: the packets reach right's wan0 (its capture
# shows them) but never its XFRM input. The rule's counters are in right's iptables-save -c.
sc_host_firewall_esp() {
    PING_SIZES="56 1000"
    IPERF_ARGS="-t 4 -b 4M"
    IPERF_TIMEOUT=12
    TRUTH_SUMMARY="Right's host firewall drops ESP from left (iptables INPUT -s 10.0.1.1 -p esp -j DROP, added after the tunnel is up); IKE on UDP/500 passes. Every left->right ESP packet appears in right's outer capture (tcpdump sees it before netfilter) but is dropped before XFRM: right's inbound SA counts no packets, the rule's counter equals the ESP packets right received. Right->left ESP is delivered. The fix is on right's firewall, not on the path."
    TRUTH_FAULTS='[{"type":"host_firewall_drop","where":"right INPUT","match":"-s 10.0.1.1/32 -p esp -j DROP","direction":"left->right"}]'
    # defined here, not at file level, so the hooks belong to this scenario only
    hook_faults_on() {
        faults_on
        nsx right "$IPT" -A INPUT -s "$L_WAN/32" -p esp -m comment --comment drop-esp-from-left -j DROP
        ev fault_on "right INPUT drop esp from $L_WAN"
    }
    hook_traffic() {
        traffic_default
        nsx right bash -c "$IPT-save -c > $OUT/stats/right-iptables-end.txt 2>&1"
    }
    TRUTH_EXPECT='{"diagnosis":"host_firewall_drops_esp","direction":"left->right","drop_location":"right netfilter INPUT","evidence":"stats/right-iptables-end.txt counters","wire_loss":"none (ESP seen at right outer)"}'
}
