# shellcheck shell=bash
# Project scenarios for the IPsec fault lab (/work/shared/lab): PMTUD black holes at link MTUs
# other than the lab's 1400, with and without NAT-T. Run with
#   LAB_EXTRA_SCENARIOS=$PWD/tests/lab-scenarios/mtu.sh /work/shared/lab/run-scenario.sh NAME
# Results staged in tests/data/lab/NAME (tests/tst_diagnose_lab.cpp checks them against truth.json).

LAB_SCENARIOS="$LAB_SCENARIOS mtu-blackhole-1350 mtu-blackhole-natt-1420"

# ESP (aes128-sha256, tunnel, IPv4): outer = 20 + 8 + 16 + pad16(inner + 2) + 16, inner = payload + 28.
sc_mtu_blackhole_1350() {
    MTU_R=1350
    DROP_ICMP_FRAG=1
    # 1250 -> outer 1340 (fits 1350), 1300 -> 1404, 1400 -> 1500 (lost)
    PING_SIZES="56 1000 1200 1250 1300 1400"
    IPERF_ARGS="-t 6 -b 8M"
    TRUTH_SUMMARY="PMTUD black hole at 1350: the mid->right link has MTU 1350, both endpoints see 1500 locally, and the mid router drops the ICMP 'fragmentation needed' it would send. ESP (aes128-sha256, no NAT-T) larger than 1350 bytes with DF is dropped at mid without any ICMP error: ping payload 1250 -> ESP 1340 B passes, 1300 -> 1404 B and 1400 -> 1500 B are lost. Right's wan0 shows mtu 1350 in its ip -s link."
    TRUTH_FAULTS='[{"type":"mtu_blackhole","where":"mid eth-r <-> right wan0","link_mtu":1350,"natt":false,"icmp_frag_needed":"dropped by iptables on mid","direction":"left->right (large packets)"}]'
    TRUTH_EXPECT='{"diagnosis":"pmtud_blackhole","direction":"left->right","max_esp_packet_passing":1350,"small_packets_ok":true,"icmp_frag_needed_seen_at_left":false}'
}

# ESP in UDP 4500: outer = 20 + 8 + 8 + 16 + pad16(inner + 2) + 16.
sc_mtu_blackhole_natt_1420() {
    NAT=1
    MTU_R=1420
    DROP_ICMP_FRAG=1
    # 1300 -> outer 1412 (fits 1420), 1360 -> 1460 and 1400 -> 1508 (lost)
    PING_SIZES="56 1000 1200 1300 1360 1400"
    IPERF_ARGS="-t 6 -b 8M"
    TRUTH_SUMMARY="PMTUD black hole at 1420 with NAT-T: mid masquerades left (ESP in UDP 4500), the mid->right link has MTU 1420, and mid drops the ICMP 'fragmentation needed' it would send. ESP-in-UDP (aes128-sha256) larger than 1420 bytes with DF is dropped at mid without any ICMP error: ping payload 1300 -> 1412 B passes, 1360 -> 1460 B and 1400 -> 1508 B are lost. Right's wan0 shows mtu 1420 in its ip -s link."
    TRUTH_FAULTS='[{"type":"mtu_blackhole","where":"mid eth-r <-> right wan0","link_mtu":1420,"natt":true,"icmp_frag_needed":"dropped by iptables on mid","direction":"left->right (large packets)"}]'
    TRUTH_EXPECT='{"diagnosis":"pmtud_blackhole","direction":"left->right","max_esp_packet_passing":1420,"nat_detected":true,"small_packets_ok":true,"icmp_frag_needed_seen_at_left":false}'
}
