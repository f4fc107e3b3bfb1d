# shellcheck shell=bash
# Project scenarios for the IPsec fault lab (/work/shared/lab): the second blind audit of
# `ikev2wb diagnose` (session 16), on faults no staged folder holds. Run with
#   LAB_OUT_ROOT=/var/tmp/NAME LAB_STATE=/var/tmp/NAME-state scripts/lab.sh audit2-pmtud-works ...
# (never under /tmp or /run). A folder is staged in tests/data/lab only when a test needs it.
#
# ESP aes128-sha256, tunnel, IPv4: outer = 20 + 8 + 16 + pad16(inner + 2) + 16 (NAT-T: + 8 UDP);
# inner = ping payload + 28.

LAB_SCENARIOS="$LAB_SCENARIOS audit2-pmtud-works audit2-child-expires audit2-loss-both-ways audit2-natt-blackhole-r2l"

# A small link WITH working PMTUD: the mid->right link has MTU 1400 and mid sends its ICMP
# 'fragmentation needed' (nothing dropped). Left learns the path MTU 1400 from the first large
# packet; TCP and DF pings adapt.
sc_audit2_pmtud_works() {
    MTU_R=1400
    # 1000 -> 1100 B; 1300 -> 1404 B (too large: ICMP mtu 1400 to left; then lhost gets the
    # smaller MTU locally); 56 fine
    PING_SIZES="56 1000 1300"
    IPERF_ARGS="-t 6 -b 8M"
    TRUTH_SUMMARY="A 1400-byte link with working PMTUD: the mid->right link has MTU 1400 and mid sends ICMP 'fragmentation needed' (type 3 code 4, mtu 1400) for ESP larger than 1400 bytes with DF. Left's kernel learns the path MTU towards 10.0.2.1 and lowers the tunnel's MTU: the first too-large packets are lost and answered with the ICMP error, then TCP adapts (MSS) and DF pings that no longer fit fail locally at lhost ('message too long' / frag needed from left). Nothing to fix: PMTUD works; an MSS clamp is optional, not a cure for loss."
    TRUTH_FAULTS='[{"type":"small_link_mtu","where":"mid eth-r <-> right wan0","link_mtu":1400,"icmp_frag_needed":"sent by mid (not dropped)","direction":"left->right (large packets)"}]'
    TRUTH_EXPECT='{"diagnosis":"pmtud_works","pmtud_blackhole":false,"icmp_frag_needed_seen_at_left":true,"icmp_mtu":1400,"fix_needed":false}'
}

# Right's CHILD_SA expires without a rekey: right has rekey_time 0 (no rekey) and a hard
# life_time of 14 s, left rekeys only after 1 h. About 14 s after the tunnel is up right's
# CHILD_SA reaches its hard lifetime and charon (5.9.8) deletes it and at once creates a new one
# ("scheduling CHILD_SA recreate after hard expire", seen in the run of 2026-12-07): break before
# make, a gap of milliseconds, no ping lost in that run.
sc_audit2_child_expires() {
    R_CHILD_REKEY=0s
    R_CHILD_LIFE=14s
    PING_SIZES="56"
    IPERF_ARGS=""
    TRUTH_SUMMARY="A CHILD_SA without a rekey: right's child has rekey_time 0 (never rekeys) and life_time 14 s, left's rekeys after 1 h. About 14 s after the tunnel is up right's CHILD_SA reaches its hard lifetime: charon deletes it (INFORMATIONAL with DELETE to left) and immediately creates a new CHILD_SA (CREATE_CHILD_SA, new SPIs): break before make instead of a rekey, a gap of milliseconds. The background pings (0.2 s) lose nothing or a packet at most. Not a cause of loss worth a fix; rekey_time > 0 below life_time would make it make-before-break."
    TRUTH_FAULTS='[{"type":"child_sa_expired_without_rekey","where":"right swanctl.conf children.net","rekey_time":"0s","life_time":"14s","direction":"both (tunnel gone)"}]'
    TRUTH_EXPECT='{"diagnosis":"healthy_or_minor","who":"right","child_deleted_by":"right (hard lifetime), recreated at once","esp_after_expiry":"on new SPIs","loss":"none or one packet"}'
    hook_traffic() {
        bg_ping_start bg-l2r lhost "$R_HOST"
        bg_ping_start bg-r2l rhost "$L_HOST"
        sleep_until_up 24
        bg_ping_stop
    }
}

# Random loss both ways, different rates: 3 % left->right, 1 % right->left.
sc_audit2_loss_both_ways() {
    NETEM_ETH_R="loss 3%"
    NETEM_ETH_L="loss 1%"
    PING_SIZES="56 1000"
    PING_COUNT=20
    IPERF_ARGS="-t 8 -b 8M"
    TRUTH_SUMMARY="Random loss on the transit path in both directions at different rates: netem loss 3% on mid eth-r (left->right) and 1% on mid eth-l (right->left). ESP sequence gaps in both directions, about 3 % and 1 % (netem's own counts in stats/mid-tc-end.txt). IPsec itself is healthy; the loss is the path's, each direction at its own rate."
    TRUTH_FAULTS='[{"type":"random_loss","where":"mid eth-r egress","direction":"left->right","rate_pct":3},{"type":"random_loss","where":"mid eth-l egress","direction":"right->left","rate_pct":1}]'
    TRUTH_EXPECT='{"diagnosis":"underlay_packet_loss","direction":"both","esp_loss_left_to_right_pct_approx":3,"esp_loss_right_to_left_pct_approx":1}'
}

# A black hole right->left with NAT-T: mid masquerades left (ESP in UDP 4500), the left link
# (left wan0 <-> mid eth-l) has MTU 1400 and mid drops its ICMP frag-needed. Right sends the bulk
# (iperf3 -R): ESP-in-UDP up to 1500 bytes towards the NAT, which mid cannot forward to left.
# NAT-T outer = 68 + pad16(inner + 2) <= 1400: inner <= 1326, MSS 1286.
sc_audit2_natt_blackhole_r2l() {
    NAT=1
    MTU_L=1400
    DROP_ICMP_FRAG=1
    PING_SIZES="56 1000 1200"
    IPERF_ARGS="-t 6 -b 8M -R"
    TRUTH_SUMMARY="PMTUD black hole right->left through NAT-T: mid masquerades left's outer address (10.0.1.1 -> 10.0.2.254, ESP in UDP 4500), the left link (left wan0 <-> mid eth-l) has MTU 1400 on both ends, and mid drops the ICMP 'fragmentation needed' it would send. iperf3 -R: rhost sends the bulk, so right sends ESP-in-UDP of up to 1500 bytes with DF to 10.0.2.254, which mid cannot forward on eth-l and drops without an ICMP error reaching right. Left's own sends fit its 1400 link (its kernel knows). The packets that are too large are right's: the route/MTU fix belongs on right (towards the NAT's address 10.0.2.254, as right sees left), the MSS clamp works at either end (inner MTU 1326, MSS 1286)."
    TRUTH_FAULTS='[{"type":"mtu_blackhole","where":"left wan0 <-> mid eth-l","link_mtu":1400,"natt":true,"icmp_frag_needed":"dropped by iptables on mid","direction":"right->left (large packets)"}]'
    TRUTH_EXPECT='{"diagnosis":"pmtud_blackhole","direction":"right->left","sender_of_too_large_packets":"right (10.0.2.1)","right_sees_left_as":"10.0.2.254","max_esp_packet_passing":1400,"inner_mtu":1326,"mss":1286,"nat_detected":true}'
}
