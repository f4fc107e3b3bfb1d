# shellcheck shell=bash
# Project scenarios for the IPsec fault lab (/work/shared/lab): the fourth blind audit of
# `ikev2wb diagnose` (session 18): integrity algorithms whose overhead differs from the suites the
# earlier audits used, IKE retransmissions that lose nothing, and loss in bursts of a
# small-packet stream. Run with
#   LAB_OUT_ROOT=/var/tmp/NAME LAB_STATE=/var/tmp/NAME-state scripts/lab.sh audit4-blackhole-sha512-1380 ...
# (never under /tmp or /run). A folder is staged in tests/data/lab only when a test needs it.
# The truth below was written before any ikev2wb output of these runs was looked at.

LAB_SCENARIOS="$LAB_SCENARIOS audit4-blackhole-sha512-1380 audit4-blackhole-sha1-natt-1360 audit4-ike-slow-rtt audit4-burst-loss-small"

# A black hole at 1380 with AES-256-CBC and HMAC-SHA2-512-256 (RFC 4868: a 32-byte ICV): outer =
# 20 (IP) + 8 (SPI, sequence) + 16 (IV) + pad16(inner + 2) + 32 <= 1380: the ciphertext may be
# at most 1304 bytes, a multiple of 16, so 1296, and the largest inner packet is 1294 (MSS 1254).
# (The truth first written here said 1302 / 1262, forgetting that 1304 is not a multiple of 16;
# corrected after the run, by hand, against the captured sizes: 1356 B passes, 1388 B is lost.)
# Ping payload p -> inner p + 28: 1250 -> 1356 B passes, 1280 -> 1388 B and 1400 -> 1500 B are lost.
sc_audit4_blackhole_sha512_1380() {
    MTU_R=1380
    DROP_ICMP_FRAG=1
    ESP_PROPOSAL=aes256-sha512
    EXTRA_MODULES="${EXTRA_MODULES:-} sha512_generic"
    PING_SIZES="56 1000 1250 1280 1400"
    IPERF_ARGS="-t 6 -b 8M"
    TRUTH_SUMMARY="PMTUD black hole left->right at 1380 with ESP aes256-sha512 (HMAC-SHA2-512-256, 32-byte ICV; AES-CBC, 16-byte IV): the mid->right link has MTU 1380 and mid drops the ICMP 'fragmentation needed' it would send. Outer = 20 + 8 + 16 + pad16(inner + 2) + 32: ping payload 1250 -> 1356 B passes, 1280 -> 1388 B and 1400 -> 1500 B are lost, the TCP bulk stalls. Largest inner packet 1294 (ciphertext 1296, outer 1372), MSS 1254 (a table for AES-CBC/SHA-256 with a 16-byte ICV would say 1310 / 1270: wrong here). Right->left is loss-free."
    TRUTH_FAULTS='[{"type":"mtu_blackhole","where":"mid eth-r <-> right wan0","link_mtu":1380,"natt":false,"esp":"aes256-sha512 (ICV 32)","icmp_frag_needed":"dropped by iptables on mid","direction":"left->right (large packets)"}]'
    TRUTH_EXPECT='{"diagnosis":"pmtud_blackhole","direction":"left->right","max_esp_packet_passing":1380,"inner_mtu":1294,"mss":1254,"small_packets_ok":true}'
}

# A black hole at 1360 with NAT-T and AES-128-CBC / HMAC-SHA1-96 (a 12-byte ICV): outer = 20 + 8
# (UDP) + 8 + 16 + pad16(inner + 2) + 12 <= 1360, so the largest inner packet is 1294 (MSS 1254).
# Ping payload 1250 -> 1344 B passes, 1270 -> 1376 B and 1400 -> 1516 B are lost.
sc_audit4_blackhole_sha1_natt_1360() {
    NAT=1
    MTU_R=1360
    DROP_ICMP_FRAG=1
    ESP_PROPOSAL=aes128-sha1
    EXTRA_MODULES="${EXTRA_MODULES:-} sha1_generic"
    PING_SIZES="56 1000 1250 1270 1400"
    IPERF_ARGS="-t 6 -b 8M"
    TRUTH_SUMMARY="PMTUD black hole left->right at 1360 through NAT-T (mid masquerades left, ESP in UDP 4500) with ESP aes128-sha1 (HMAC-SHA1-96, 12-byte ICV): the mid->right link has MTU 1360 and mid drops the ICMP 'fragmentation needed'. Outer = 20 + 8 + 8 + 16 + pad16(inner + 2) + 12: ping payload 1250 -> 1344 B passes, 1270 -> 1376 B and 1400 -> 1516 B are lost, the TCP bulk stalls. Largest inner packet 1294, MSS 1254."
    TRUTH_FAULTS='[{"type":"mtu_blackhole","where":"mid eth-r <-> right wan0","link_mtu":1360,"natt":true,"esp":"aes128-sha1 (ICV 12)","icmp_frag_needed":"dropped by iptables on mid","direction":"left->right (large packets)"}]'
    TRUTH_EXPECT='{"diagnosis":"pmtud_blackhole","direction":"left->right","max_esp_packet_passing":1360,"inner_mtu":1294,"mss":1254,"nat_detected":true,"small_packets_ok":true}'
}

# A slow path and an impatient IKE: 600 ms each way (RTT 1.2 s, from the moment the tunnel is up:
# the lab applies faults after the first exchanges) and a retransmit timeout of 0.5 s; left
# rekeys its CHILD_SA after about 12 s (during the upload), DPD every 3 s (sent only when the peer
# was quiet that long: after the upload). Each such IKE request is sent again before its answer can
# arrive; nothing is lost.
sc_audit4_ike_slow_rtt() {
    NETEM_ETH_R="delay 600ms"
    NETEM_ETH_L="delay 600ms"
    RETRANSMIT_TIMEOUT=0.5
    L_CHILD_REKEY=12s
    DPD_DELAY=3s
    PING_SIZES="56 1000"
    IPERF_ARGS="-t 8 -b 2M"
    IPERF_TIMEOUT=30
    TAIL_IDLE=5
    TRUTH_SUMMARY="No loss at all, a long path: netem delay 600ms on both of mid's egresses (RTT 1.2 s, applied once the tunnel is up) and charon's retransmit_timeout 0.5 s (base 1.8); left rekeys its CHILD_SA after about 12 s, DPD every 3 s when the peer is quiet. The IKE requests sent while the delay is on (the CREATE_CHILD_SA of the rekey, any DPD INFORMATIONAL) are retransmitted once or twice before their answer arrives 1.2 s later; the responder answers each copy from its cache. No IKE message and no ESP packet is lost. The retransmissions come from the timeout being shorter than the round trip: raising charon.retransmit_timeout above the RTT stops them; no MTU, firewall or replay-window change is called for."
    TRUTH_FAULTS='[{"type":"delay","where":"mid eth-r and eth-l egress","rtt_ms":1200,"tool":"tc netem delay 600ms (both ways)"},{"type":"short_retransmit_timeout","where":"left and right charon","retransmit_timeout_s":0.5}]'
    TRUTH_EXPECT='{"diagnosis":"ike_retransmissions_from_rtt_above_timeout","ike_messages_lost":0,"esp_loss":0,"rtt_s":1.2,"mtu_fix":false,"firewall_fix":false}'
}

# Loss in bursts left->right (a Gilbert-Elliott model on mid eth-r: into the bad state with 1 %,
# out of it with 25 %, 90 % lost in the bad state, none in the good) of a 200-byte UDP stream
# (iperf3 -u -l 200), ping sweep 56 and 1000 bytes before it. Average loss about 3.5 %.
sc_audit4_burst_loss_small() {
    NETEM_ETH_R="loss gemodel 1% 25% 90% 0%"
    PING_SIZES="56 1000"
    PING_COUNT=20
    IPERF_ARGS="-u -b 2M -l 200 -t 6"
    TRUTH_SUMMARY="Loss in bursts left->right: netem 'loss gemodel 1% 25% 90% 0%' on mid eth-r (bad state entered with 1 %, left with 25 %, 90 % lost in it): about 3.5 % of left->right packets, a few in a row. The bulk is a UDP stream of 200-byte datagrams (iperf3 -u -l 200, 2 Mbit/s), so the ESP packets are small (about 280 bytes); the ping sweep of 56 and 1000 bytes runs before it. The loss does not depend on size and is not an MTU problem; right->left is loss-free. Nothing on the hosts drops packets; the path does."
    TRUTH_FAULTS='[{"type":"burst_loss","where":"mid eth-r egress","direction":"left->right","mean_loss_pct_approx":3.5,"tool":"tc netem loss gemodel 1% 25% 90% 0%"}]'
    TRUTH_EXPECT='{"diagnosis":"underlay_packet_loss","direction":"left->right","size_dependent":false,"mtu_fix":false,"replay_window_fix":false,"firewall_fix":false,"right_to_left_loss":0}'
}
