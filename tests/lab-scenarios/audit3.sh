# shellcheck shell=bash
# Project scenarios for the IPsec fault lab (/work/shared/lab): the third blind audit of
# `ikev2wb diagnose` (session 17), on faults that look like other faults. Run with
#   LAB_OUT_ROOT=/var/tmp/NAME LAB_STATE=/var/tmp/NAME-state scripts/lab.sh audit3-corrupt-l2r ...
# (never under /tmp or /run). A folder is staged in tests/data/lab only when a test needs it.

LAB_SCENARIOS="$LAB_SCENARIOS audit3-corrupt-l2r audit3-duplicate-l2r audit3-rate-l2r"

# Bit errors on the path left->right: netem corrupts 3 % of the packets mid sends to right (one
# bit each). Most bits land in the ESP payload or ICV, so right's kernel drops the packet after
# the integrity check (XfrmInStateProtoError); a bit in the IP header makes the header checksum
# wrong (dropped before IPsec, Ip InHdrErrors). The packets do arrive at right's capture.
sc_audit3_corrupt_l2r() {
    NETEM_ETH_R="corrupt 3%"
    PING_SIZES="56 1000"
    PING_COUNT=20
    IPERF_ARGS="-t 6 -b 8M"
    TRUTH_SUMMARY="Bit errors left->right: netem corrupt 3% on mid eth-r (left->right), one flipped bit per corrupted packet. The ESP packets arrive at right (right's capture holds them), but right's kernel drops those whose integrity check fails (XfrmInStateProtoError grows in right's xfrm_stat) or, for a bit in the IP header, whose header checksum is wrong (dropped before IPsec). Loss happens inside right's IPsec, not in transit: a capture pair shows the packets delivered. No MTU, firewall or replay-window change helps; the path (or a NIC/offload) corrupts packets."
    TRUTH_FAULTS='[{"type":"corruption","where":"mid eth-r egress","direction":"left->right","rate_pct":3,"tool":"tc netem corrupt 3%"}]'
    TRUTH_EXPECT='{"diagnosis":"corruption_integrity_failures","direction":"left->right","receiver":"right","esp_delivered_to_right_capture":true,"counter":"XfrmInStateProtoError at right","mtu_fix":false,"replay_window_fix":false,"firewall_fix":false}'
}

# Duplicates on the path left->right: netem duplicates 5 % of the packets mid sends to right.
# Right's kernel drops each second copy of an ESP packet by its anti-replay check (a sequence
# number already seen: XfrmInStateSeqError); nothing is lost, the pings see no DUP replies.
sc_audit3_duplicate_l2r() {
    NETEM_ETH_R="duplicate 5%"
    PING_SIZES="56 1000"
    PING_COUNT=20
    IPERF_ARGS="-t 6 -b 8M"
    TRUTH_SUMMARY="Duplicated packets left->right: netem duplicate 5% on mid eth-r. Right receives about 5 % of left's ESP packets twice; its anti-replay check drops the second copies (XfrmInStateSeqError grows at right by about that number) and the tunnel loses nothing. These replay drops are duplicates, not packets delayed beyond the window: a larger replay window would change nothing. No fix needed for loss (there is none); the duplicating box is a curiosity of the path."
    TRUTH_FAULTS='[{"type":"duplication","where":"mid eth-r egress","direction":"left->right","rate_pct":5,"tool":"tc netem duplicate 5%"}]'
    TRUTH_EXPECT='{"diagnosis":"duplicates_dropped_by_anti_replay_harmless","direction":"left->right","esp_loss_left_to_right_pct":0,"replay_window_fix":false,"mtu_fix":false}'
}

# A slow link left->right: netem limits mid eth-r to 3 Mbit/s with a 20-packet queue while iperf3
# sends 8 Mbit/s: the queue overflows during the bulk (tail drop), mostly full-sized packets
# because they are the bulk, but the drops are by arrival time at a full queue, not by size. The
# ping sweep runs before the bulk, so its DF pings of every size up to 1000 get through.
sc_audit3_rate_l2r() {
    NETEM_ETH_R="rate 3mbit limit 20"
    PING_SIZES="56 1000 1300 1400"
    IPERF_ARGS="-t 6 -b 8M"
    TRUTH_SUMMARY="Congestion left->right: netem rate 3mbit limit 20 on mid eth-r while iperf3 offers 8 Mbit/s. The 20-packet queue overflows during the bulk and tail-drops packets of whatever size arrives at a full queue: the large ones mostly, because the bulk is large. Before the bulk, DF pings of 56, 1000, 1300 and 1400 bytes (outer up to 1500 bytes with ESP) all get through: the path carries full-sized packets, there is no MTU problem. The loss is the queue's (rate), left->right only; an MTU/MSS change would not remove it."
    TRUTH_FAULTS='[{"type":"congestion_tail_drop","where":"mid eth-r egress","direction":"left->right","rate":"3mbit","queue_limit_packets":20,"tool":"tc netem rate 3mbit limit 20"}]'
    TRUTH_EXPECT='{"diagnosis":"underlay_packet_loss_congestion","direction":"left->right","large_packets_delivered":true,"mtu_fix":false,"esp_loss_right_to_left_pct":0}'
}
