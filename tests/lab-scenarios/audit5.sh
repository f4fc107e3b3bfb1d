# shellcheck shell=bash
# Project scenarios for the IPsec fault lab (/work/shared/lab): a fifth blind audit (session 18),
# against the rule audit 4 brought (IKE retransmissions that chase answers still on their way):
# IKE retransmissions that come from real loss must not be called early, and no longer wait
# should be offered for them. Run with
#   LAB_OUT_ROOT=/var/tmp/NAME LAB_STATE=/var/tmp/NAME-state scripts/lab.sh audit5-ike-loss ...
# The truth below was written before any ikev2wb output of these runs was looked at.

LAB_SCENARIOS="$LAB_SCENARIOS audit5-ike-loss audit5-ike-loss-slow"

# 20 % random loss both ways on a fast path (no added delay), retransmit_timeout 1.0 s, left's
# CHILD_SA rekeyed about every 10 s, DPD every 3 s when the peer is quiet: IKE requests and
# responses are lost at random and retransmitted after 1 s, far longer than the round trip.
sc_audit5_ike_loss() {
    NETEM_ETH_R="loss 20%"
    NETEM_ETH_L="loss 20%"
    RETRANSMIT_TIMEOUT=1.0
    L_CHILD_REKEY=10s
    DPD_DELAY=3s
    PING_SIZES="56 1000"
    IPERF_ARGS="-t 8 -b 2M"
    IPERF_TIMEOUT=30
    TAIL_IDLE=5
    TRUTH_SUMMARY="Random loss of 20 % both ways (netem loss 20% on both of mid's egresses, once the tunnel is up), a fast path (round trip about 1 ms), charon's retransmit_timeout 1.0 s, left's CHILD_SA rekeyed about every 10 s, DPD every 3 s when the peer is quiet. IKE requests and responses are lost at random; every retransmission follows a lost request or a lost response, never an answer still on its way (the round trip is a thousandth of the wait). ESP loses about 20 % each way. A longer retransmit_timeout would only slow recovery: no such fix; the loss is the path's."
    TRUTH_FAULTS='[{"type":"random_loss","where":"mid eth-r and eth-l egress","direction":"both","rate_pct":20,"tool":"tc netem loss 20% (both ways)"}]'
    TRUTH_EXPECT='{"diagnosis":"underlay_packet_loss","ike_retransmissions_from":"lost requests or responses","early_retransmissions":0,"retransmit_timeout_fix":false,"mtu_fix":false,"firewall_fix":false}'
}

# Both: 300 ms each way (round trip 0.6 s) against retransmit_timeout 0.5 s, and 10 % random loss
# both ways. Some retransmissions chase answers on their way, others follow real losses.
sc_audit5_ike_loss_slow() {
    NETEM_ETH_R="delay 300ms loss 10%"
    NETEM_ETH_L="delay 300ms loss 10%"
    RETRANSMIT_TIMEOUT=0.5
    L_CHILD_REKEY=10s
    DPD_DELAY=3s
    PING_SIZES="56 1000"
    IPERF_ARGS="-t 8 -b 2M"
    IPERF_TIMEOUT=30
    TAIL_IDLE=5
    TRUTH_SUMMARY="A slow and lossy path: netem delay 300ms loss 10% on both of mid's egresses (round trip 0.6 s, once the tunnel is up), charon's retransmit_timeout 0.5 s, left's CHILD_SA rekeyed about every 10 s, DPD every 3 s when the peer is quiet. Every IKE request is retransmitted once before its answer can arrive (0.5 s < 0.6 s), and some requests and responses are really lost (10 % each way), so the IKE side shows both causes. ESP loses about 10 % each way. A diagnosis must not say that nothing was lost; the wait below the round trip is a second, real misconfiguration."
    TRUTH_FAULTS='[{"type":"delay","where":"mid eth-r and eth-l egress","rtt_ms":600},{"type":"random_loss","where":"mid eth-r and eth-l egress","direction":"both","rate_pct":10},{"type":"short_retransmit_timeout","where":"left and right charon","retransmit_timeout_s":0.5}]'
    TRUTH_EXPECT='{"diagnosis":["underlay_packet_loss","ike_retransmissions_from_rtt_above_timeout"],"ike_messages_lost_gt":0,"esp_loss_pct_approx":10,"rtt_s":0.6,"nothing_lost_claim":false,"mtu_fix":false,"firewall_fix":false}'
}
