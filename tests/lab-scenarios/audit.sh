# shellcheck shell=bash
# Project scenarios for the IPsec fault lab (/work/shared/lab): a blind audit of `ikev2wb diagnose`
# on faults the staged lab folders do not hold (other directions, sizes and combinations). Run with
#   LAB_OUT_ROOT=/var/tmp/NAME LAB_STATE=/var/tmp/NAME-state scripts/lab.sh audit-blackhole-r2l ...
# (never under /tmp or /run: the lab kernel mounts its own tmpfs there). A folder is staged in
# tests/data/lab only when a test needs it.
#
# ESP aes128-sha256, tunnel, IPv4: outer = 20 + 8 + 16 + pad16(inner + 2) + 16 (NAT-T: + 8 UDP);
# inner = ping payload + 28.

LAB_SCENARIOS="$LAB_SCENARIOS audit-blackhole-r2l audit-blackhole-natt-1300 audit-loss-blackhole audit-reorder-natt audit-cert-frag-1200 audit-ipfrag-1200 audit-natt-expiry-20 audit-dpd-natt audit-esp-blocked-r2l audit-clean-cert"

# A black hole right->left only: the left link (left wan0 <-> mid eth-l) has MTU 1400, so left
# knows it locally, but right sends 1500-byte ESP that mid cannot forward to left, and mid drops
# the ICMP fragmentation-needed it would send right. Bulk goes right->left (iperf3 -R).
sc_audit_blackhole_r2l() {
    MTU_L=1400
    DROP_ICMP_FRAG=1
    # left->right: 1000 -> 1100 B, 1200 -> 1292 B (fit left's own 1400 link)
    PING_SIZES="56 1000 1200"
    IPERF_ARGS="-t 6 -b 8M -R"
    TRUTH_SUMMARY="PMTUD black hole right->left: the left link (left wan0 <-> mid eth-l) has MTU 1400 on both ends, the mid->right link 1500, and mid drops the ICMP 'fragmentation needed' it would send. iperf3 -R: rhost sends bulk TCP to lhost, so right sends ESP of up to 1500 bytes with DF, which mid cannot forward to eth-l (1400) and drops without any ICMP error reaching right. Left's own sends are limited by its own 1400-byte link (its kernel knows, no loss). Right->left ESP of up to 1400 bytes passes. The packets that are too large are right's: the route/MTU fix belongs on right (towards 10.0.1.1), the MSS clamp works at either end (inner MTU 1326, MSS 1286)."
    TRUTH_FAULTS='[{"type":"mtu_blackhole","where":"left wan0 <-> mid eth-l","link_mtu":1400,"natt":false,"icmp_frag_needed":"dropped by iptables on mid (OUTPUT+FORWARD)","direction":"right->left (large packets)"}]'
    TRUTH_EXPECT='{"diagnosis":"pmtud_blackhole","direction":"right->left","sender_of_too_large_packets":"right (10.0.2.1)","max_esp_packet_passing":1400,"inner_mtu":1326,"mss":1286,"small_packets_ok":true,"icmp_frag_needed_seen_at_right":false}'
}

# A black hole at 1300 with NAT-T: ESP in UDP 4500, outer = 68 + pad16(inner + 2) <= 1300, so the
# largest inner packet is 1230 (MSS 1190).
sc_audit_blackhole_natt_1300() {
    NAT=1
    MTU_R=1300
    DROP_ICMP_FRAG=1
    # 1000 -> 1108 B, 1200 -> 1300 B (fits exactly), 1250 -> 1348 B and 1400 -> 1508 B (lost)
    PING_SIZES="56 1000 1200 1250 1400"
    IPERF_ARGS="-t 6 -b 8M"
    TRUTH_SUMMARY="PMTUD black hole at 1300 with NAT-T: mid masquerades left (ESP in UDP 4500), the mid->right link has MTU 1300, and mid drops the ICMP 'fragmentation needed' it would send. ESP-in-UDP larger than 1300 bytes with DF is dropped at mid: ping payload 1200 -> 1300 B passes, 1250 -> 1348 B and 1400 -> 1508 B are lost, TCP bulk stalls. Largest inner packet 1230, MSS 1190. Right's wan0 shows mtu 1300."
    TRUTH_FAULTS='[{"type":"mtu_blackhole","where":"mid eth-r <-> right wan0","link_mtu":1300,"natt":true,"icmp_frag_needed":"dropped by iptables on mid","direction":"left->right (large packets)"}]'
    TRUTH_EXPECT='{"diagnosis":"pmtud_blackhole","direction":"left->right","max_esp_packet_passing":1300,"inner_mtu":1230,"mss":1190,"nat_detected":true,"small_packets_ok":true}'
}

# Two faults in one direction: 2 % random loss left->right and a black hole at 1400.
sc_audit_loss_blackhole() {
    NETEM_ETH_R="loss 2%"
    MTU_R=1400
    DROP_ICMP_FRAG=1
    PING_SIZES="56 1000 1200 1300 1400"
    PING_COUNT=20
    IPERF_ARGS="-t 6 -b 8M"
    TRUTH_SUMMARY="Random loss and a PMTUD black hole, both left->right: netem 'loss 2%' on mid eth-r egress, the mid->right link has MTU 1400 and mid drops the ICMP 'fragmentation needed'. Small ESP (ping payload 56/1000/1200 -> up to 1292 B) loses about 2 % at random; ESP larger than 1400 bytes (payload 1300 -> 1404 B, 1400 -> 1500 B, TCP bulk) is always lost. Right->left is loss-free. Both causes must be reported: the black hole (path MTU 1400, inner 1326, MSS 1286) and the random loss of small packets."
    TRUTH_FAULTS='[{"type":"random_loss","where":"mid eth-r egress","direction":"left->right","rate_pct":2,"tool":"tc netem loss 2%"},{"type":"mtu_blackhole","where":"mid eth-r <-> right wan0","link_mtu":1400,"natt":false,"icmp_frag_needed":"dropped by iptables on mid","direction":"left->right (large packets)"}]'
    TRUTH_EXPECT='{"diagnosis":["pmtud_blackhole","underlay_packet_loss"],"direction":"left->right","max_esp_packet_passing":1400,"inner_mtu":1326,"mss":1286,"small_packet_loss_pct_approx":2,"right_to_left_loss":0}'
}

# Reordering left->right through NAT-T with right's inbound window 16.
sc_audit_reorder_natt() {
    NAT=1
    NETEM_ETH_R="delay 20ms reorder 25% 50%"
    R_REPLAY_WINDOW=16
    PING_SIZES="56 1000"
    IPERF_ARGS="-t 4 -b 12M"
    TRUTH_SUMMARY="Reordering left->right (netem 'delay 20ms reorder 25% 50%' on mid eth-r) through NAT-T (mid masquerades left, ESP in UDP 4500) with right's inbound anti-replay window 16 (left's 32). Right's kernel discards ESP that arrives 16 or more below the highest sequence number (XfrmInStateSeqError at right > 0) although it was delivered. Fix: a larger replay_window on right's CHILD_SA (or less reordering); right->left unaffected."
    TRUTH_FAULTS='[{"type":"reordering","where":"mid eth-r egress","direction":"left->right","netem":"delay 20ms reorder 25% 50%"},{"type":"small_replay_window","where":"right inbound SA","replay_window":16},{"type":"nat","where":"mid eth-r","nat":"MASQUERADE 10.0.1.0/24 -> 10.0.2.254"}]'
    TRUTH_EXPECT='{"diagnosis":"anti_replay_drops_due_to_reordering","direction":"left->right","drop_location":"right (receiver) kernel XFRM","counter":"XfrmInStateSeqError on right > 0","wire_loss":"none","fix":"increase right replay_window; left unchanged","nat_detected":true}'
}

# Certificates with IKEv2 fragmentation on, through a 1200-byte link that passes no non-first IP
# fragment: charon's 1280-byte IKE fragments are larger than the path; mid's ICMP errors reach left.
sc_audit_cert_frag_1200() {
    AUTH=cert; CERT_BITS=4096
    FRAGMENTATION=yes
    DROP_IP_FRAGMENTS=1
    MTU_R=1200
    RETRANSMIT_TIMEOUT=2.0; RETRANSMIT_BASE=1.4; RETRANSMIT_TRIES=3
    PING_SIZES="56"
    IPERF_ARGS=""
    TRUTH_SUMMARY="IKEv2 fragments larger than the path: certificate authentication (RSA 4096), IKEv2 fragmentation on (fragment_size default 1280), the mid->right link has MTU 1200 and mid drops every non-first IPv4 fragment; its ICMP 'fragmentation needed' (mtu 1200) is not dropped. IKE_SA_INIT (small) succeeds; each 1280-byte IKE fragment of left's IKE_AUTH request either hits the 1200 link with DF (ICMP frag-needed mtu 1200 back to left) or is fragmented by left's kernel once it learned the path MTU, and its non-first IP fragment is dropped at mid. IKE_AUTH is retransmitted (2.0/1.4/3) and never completes. Fix: charon.fragment_size below the 1200-byte path (ICMP proves 1200), or let the router pass fragments; fragmentation = yes is already set."
    TRUTH_FAULTS='[{"type":"ip_fragments_dropped","where":"mid forward","match":"non-first IPv4 fragments (iptables -f) drop","direction":"both"},{"type":"link_mtu","where":"mid eth-r <-> right wan0","link_mtu":1200,"icmp_frag_needed":"sent by mid (not dropped)"}]'
    TRUTH_EXPECT='{"diagnosis":"ike_fragmentation","ike_fragments_used":true,"ike_auth_answered":false,"path_mtu":1200,"path_mtu_source":"icmp frag-needed from mid 10.0.1.254","fix":"charon.fragment_size <= 1200 (left at least)","fragmentation_yes_already":true}'
}

# IKE_AUTH fragmented at the IP layer (IKEv2 fragmentation off) on a 1200-byte path: the same as
# audit-cert-frag-1200 but with fragmentation = no. The fix is fragmentation = yes AND a
# fragment_size below 1200: with the default 1280 the IKE fragments would be IP-fragmented too.
sc_audit_ipfrag_1200() {
    AUTH=cert; CERT_BITS=4096
    FRAGMENTATION=no
    DROP_IP_FRAGMENTS=1
    MTU_R=1200
    RETRANSMIT_TIMEOUT=2.0; RETRANSMIT_BASE=1.4; RETRANSMIT_TRIES=3
    PING_SIZES="56"
    IPERF_ARGS=""
    TRUTH_SUMMARY="IKE_AUTH as IP fragments on a 1200-byte path: certificate authentication (RSA 4096), IKEv2 fragmentation off (fragmentation = no), the mid->right link has MTU 1200 and mid drops every non-first IPv4 fragment; its ICMP 'fragmentation needed' (mtu 1200) is not dropped. IKE_SA_INIT (small) succeeds; left's IKE_AUTH request leaves as IP fragments, their non-first fragments are dropped at mid, IKE_AUTH is retransmitted (2.0/1.4/3) and never completes. Fix: fragmentation = yes on both ends with charon.fragment_size at most 1200 (with the default 1280 each IKE fragment would be IP-fragmented again), or let the router pass fragments."
    TRUTH_FAULTS='[{"type":"ip_fragments_dropped","where":"mid forward","match":"non-first IPv4 fragments (iptables -f) drop","direction":"both"},{"type":"link_mtu","where":"mid eth-r <-> right wan0","link_mtu":1200,"icmp_frag_needed":"sent by mid (not dropped)"}]'
    TRUTH_EXPECT='{"diagnosis":"ike_fragmentation","ike_fragments_used":false,"ike_auth_answered":false,"path_mtu":1200,"fix":"fragmentation = yes and charon.fragment_size <= 1200 (left at least)","fragmentation_yes_already":false}'
}

# NAT mapping expiry with a 20 s conntrack UDP timeout and a 45 s keepalive.
sc_audit_natt_expiry_20() {
    NAT=1
    CT_UDP_TIMEOUT=20
    KEEPALIVE=45s
    PING_SIZES="56 1000"
    IPERF_ARGS="-t 3 -b 4M"
    TRUTH_SUMMARY="NAT mapping expiry: mid masquerades left (NAT-T, ESP-in-UDP/4500), its conntrack UDP timeouts (nf_conntrack_udp_timeout and _stream) are 20 s while left's NAT-T keepalive interval is 45 s. After 26 s of silence the mapping is gone: right->left ESP-in-UDP (rhost pinging lhost) is lost at mid (ICMP port unreachable to right) until left sends again (phase 3), then right follows the new mapping."
    TRUTH_FAULTS='[{"type":"nat_mapping_expiry","where":"mid (MASQUERADE, nf_conntrack_udp_timeout=20s, udp_timeout_stream=20s)","keepalive_interval_s":45,"direction":"right->left lost while mapping absent"}]'
    TRUTH_EXPECT='{"diagnosis":"nat_mapping_expired","direction":"right->left","root_cause":"NAT UDP timeout (20 s) shorter than NAT-T keepalive interval (45 s)","fix":"keepalive < 20 s (charon.keep_alive) or NAT UDP stream timeout >= 90 s (twice the keepalive)"}'
    hook_traffic() { traffic_natt_expiry; }
}

# The lab's dpd scenario through NAT-T.
sc_audit_dpd_natt() {
    sc_dpd
    NAT=1
    TRUTH_SUMMARY="Peer unreachable through NAT-T: mid masquerades left (IKE and ESP in UDP 4500); 100% loss on both mid interfaces (netem loss 100%) from tunnel_up+8 s to tunnel_up+30 s (22 s). DPD (dpd_delay 5 s) on both sides goes unanswered, charon retransmits (2.0/1.4/3 tries) and declares the peer dead; left (dpd_action=restart) re-initiates until the path is back, right (dpd_action=clear) deletes its SAs. After the outage a new IKE_SA/CHILD_SA (new SPIs) is established and traffic resumes."
    TRUTH_FAULTS='[{"type":"path_down","where":"mid eth-l and eth-r egress","netem":"loss 100%","direction":"both","duration_s":22},{"type":"nat","where":"mid eth-r","nat":"MASQUERADE 10.0.1.0/24 -> 10.0.2.254"}]'
    TRUTH_EXPECT='{"diagnosis":"peer_unreachable_dpd_restart","direction":"both","dpd_timeout_declared":true,"restart_by":"left","new_spis_after_outage":true,"nat_detected":true,"dpd_action_configured":{"left":"restart","right":"clear"}}'
}

# ESP dropped only right->left by the router.
sc_audit_esp_blocked_r2l() {
    PING_SIZES="56 1000"
    IPERF_ARGS="-t 4 -b 4M"
    IPERF_TIMEOUT=12
    TRUTH_SUMMARY="The router drops ESP right->left only (mid iptables FORWARD -s 10.0.2.1 -p esp -j DROP, added after the tunnel is up); left->right ESP and IKE (UDP/500) pass. Every ESP packet right sends is lost (left's inbound SA counts 0), left->right is delivered (right's inbound SA counts them). The fix is the router's rule for right->left (or encap = yes), not anything on left->right."
    TRUTH_FAULTS='[{"type":"esp_filtered","where":"mid FORWARD","match":"-s 10.0.2.1/32 -p esp -j DROP","direction":"right->left"}]'
    TRUTH_EXPECT='{"diagnosis":"esp_blocked_ike_ok","direction":"right->left","esp_loss_left_to_right_pct":0,"esp_loss_right_to_left_pct":100,"ike_ok":true,"evidence":"stats/mid-iptables-end.txt counters"}'
    hook_faults_on() {
        faults_on
        nsx mid "$IPT" -A FORWARD -s "$R_WAN/32" -p esp -m comment --comment drop-esp-from-right -j DROP
        ev fault_on "mid FORWARD drop esp from $R_WAN"
    }
}

# Baseline with certificates and IKEv2 fragmentation: nothing is wrong, nothing must be fixed.
sc_audit_clean_cert() {
    AUTH=cert; CERT_BITS=3072
    FRAGMENTATION=yes
    PING_SIZES="56 1000 1300 1400"
    IPERF_ARGS="-t 4 -b 8M"
    TRUTH_SUMMARY="Baseline with certificate authentication (RSA 3072) and IKEv2 fragmentation on: no fault injected. IKE_AUTH travels as RFC 7383 fragments (whole datagrams), the tunnel comes up on the first try, pings and TCP bulk pass, no loss, no retransmissions. (1400-byte DF pings fit: ESP 1500 B.)"
    TRUTH_FAULTS='[]'
    TRUTH_EXPECT='{"diagnosis":"healthy","ike_fragments_used":true,"ike_retransmissions":0,"esp_loss_left_to_right_pct":0,"esp_loss_right_to_left_pct":0,"fixes":"none"}'
}
