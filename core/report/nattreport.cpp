// Text and JSON of the NAT-T analysis (core/analyze/natt).
#include "../analyze/analyzeutil.h"
#include "../analyze/natt.h"
#include "analysisreport.h"
#include "jsonwriter.h"

#include <QStringList>
#include <algorithm>
#include <map>

namespace ikev2wb {

using namespace analyze_detail;

namespace {

const char *directionName(NatIdleGap::Direction d)
{
    switch (d) {
    case NatIdleGap::Direction::Both:
        return "both";
    case NatIdleGap::Direction::AToB:
        return "a_to_b";
    case NatIdleGap::Direction::BToA:
        return "b_to_a";
    }
    return "both";
}

} // namespace

void writeNattJson(JsonWriter &w, const CaptureIndex &index, const NattAnalysis &a)
{
    const auto &flows = index.flows;
    w.key("natt").beginObject();
    w.key("peer_pairs").beginArray();
    for (const NatPeerPair &p : a.pairs) {
        w.beginObject();
        w.field("a", addressText(p.a)).field("b", addressText(p.b));
        w.field("encapsulation", p.encapsulation());
        w.field("esp_packets", p.espPackets).field("esp_in_udp_packets", p.espInUdpPackets);
        w.field("ike_500", p.ike500).field("ike_natt", p.ikeNatT).field("keepalives", p.keepalives);
        w.key("idle_gaps").beginArray();
        for (const NatIdleGap &g : p.idleGaps) {
            w.beginObject();
            w.key("start").time(g.startNs);
            w.key("end").time(g.endNs);
            w.key("seconds").value(g.seconds(), 3);
            w.field("direction", directionName(g.direction));
            w.key("nat_timeouts_exceeded").beginArray();
            for (int t : kNatUdpTimeoutsS)
                if (outlastsNatTimeout(g.seconds(), t)) w.value(t);
            w.endArray();
            w.field("port_change_after", g.portChangeAfter).field("one_way_after", g.oneWayAfter);
            w.field("esp_sequence_jump", g.espSequenceJump);
            w.endObject();
        }
        w.endArray();
        w.endObject();
    }
    w.endArray();
    w.key("floats").beginArray();
    for (const NatPortFloat &f : a.floats) {
        w.beginObject();
        w.key("time").time(f.tsNs);
        w.key("ike_initiator_spi").spi64(f.ikeInitiatorSpi);
        w.field("initiator", addressText(f.initiator));
        w.field("from_port", unsigned(f.fromPort)).field("to_src_port", unsigned(f.toSrcPort));
        w.field("to_dst_port", unsigned(f.toDstPort));
        w.endObject();
    }
    w.endArray();
    w.key("keepalives").beginArray();
    for (const NatKeepaliveFlow &k : a.keepalives) {
        const Flow &f = flows[k.flowId];
        w.beginObject();
        w.field("src", addressText(f.src)).field("dst", addressText(f.dst));
        w.field("src_port", unsigned(f.srcPort)).field("dst_port", unsigned(f.dstPort));
        w.field("count", k.count);
        w.key("median_interval_s").value(k.medianIntervalS, 3);
        w.key("max_interval_s").value(k.maxIntervalS, 3);
        w.key("median_idle_before_s").value(k.medianIdleBeforeS, 3);
        w.field("matches_strongswan_default", k.matchesStrongswanDefault());
        w.endObject();
    }
    w.endArray();
    w.key("rebindings").beginArray();
    for (const NatRebinding &r : a.rebindings) {
        const EspSa &o = index.espSas[r.oldSa];
        const EspSa &nw = index.espSas[r.newSa];
        const Flow &of = flows[o.flowId];
        const Flow &nf = flows[nw.flowId];
        w.beginObject();
        w.key("spi").spi(r.spi);
        w.field("src", addressText(nf.src)).field("dst", addressText(nf.dst));
        if (of.src != nf.src || of.dst != nf.dst)
            w.field("old_src", addressText(of.src)).field("old_dst", addressText(of.dst));
        w.field("old_src_port", unsigned(of.srcPort)).field("old_dst_port", unsigned(of.dstPort));
        w.field("new_src_port", unsigned(nf.srcPort)).field("new_dst_port", unsigned(nf.dstPort));
        w.key("old_last_time").time(o.lastNs);
        w.key("new_first_time").time(nw.firstNs);
        w.endObject();
    }
    w.endArray();
    w.key("one_way_sas").beginArray();
    for (std::size_t s : a.oneWaySas) {
        const EspSa &sa = index.espSas[s];
        const Flow &f = flows[sa.flowId];
        w.beginObject();
        w.key("spi").spi(sa.spi);
        w.field("src", addressText(f.src)).field("dst", addressText(f.dst));
        w.field("encap", encapName(sa.encap)).field("packets", sa.packets);
        w.endObject();
    }
    w.endArray();
    w.field("cancelled", a.cancelled);
    w.endObject();
}

QString nattText(const CaptureIndex &index, const NattAnalysis &a)
{
    QStringList out;
    const auto &flows = index.flows;
    auto rel = [&](std::int64_t ns) { return QString::number(seconds(ns - index.firstNs), 'f', 3); };
    out << QStringLiteral("NAT traversal");
    for (const NatPeerPair &p : a.pairs) {
        out << QStringLiteral(
                   "  %1 <-> %2: %3 (ESP %4, ESP-in-UDP %5, IKE/500 %6, IKE/NAT-T %7, keepalives %8)")
                   .arg(addressText(p.a), addressText(p.b), QString::fromLatin1(p.encapsulation()))
                   .arg(p.espPackets)
                   .arg(p.espInUdpPackets)
                   .arg(p.ike500)
                   .arg(p.ikeNatT)
                   .arg(p.keepalives);
        for (const NatIdleGap &g : p.idleGaps) {
            QStringList after;
            if (g.portChangeAfter) after << QStringLiteral("port change");
            if (g.oneWayAfter) after << QStringLiteral("one-way traffic");
            if (g.espSequenceJump) after << QStringLiteral("%1 ESP numbers skipped").arg(g.espSequenceJump);
            out << QStringLiteral("    idle %1 s from +%2 s (%3 silent)%4")
                       .arg(g.seconds(), 0, 'f', 1)
                       .arg(rel(g.startNs), QString::fromLatin1(directionName(g.direction)))
                       .arg(after.isEmpty() ? QString()
                                            : QStringLiteral(", then ") + after.join(QStringLiteral(", ")));
        }
    }
    for (const NatPortFloat &f : a.floats)
        out << QStringLiteral("  IKE floated 500 -> %1/%2 at +%3 s (initiator %4)")
                   .arg(f.toSrcPort)
                   .arg(f.toDstPort)
                   .arg(rel(f.tsNs), addressText(f.initiator));
    for (const NatKeepaliveFlow &k : a.keepalives) {
        const Flow &f = flows[k.flowId];
        out << QStringLiteral("  keepalives %1 -> %2: %3, median interval %4 s, max %5 s%6")
                   .arg(addressText(f.src), addressText(f.dst))
                   .arg(k.count)
                   .arg(k.medianIntervalS, 0, 'f', 1)
                   .arg(k.maxIntervalS, 0, 'f', 1)
                   .arg(k.matchesStrongswanDefault() ? QStringLiteral(" (strongSwan default 20 s)")
                                                     : QString());
    }
    for (const NatRebinding &r : a.rebindings) {
        const Flow &of = flows[index.espSas[r.oldSa].flowId];
        const Flow &nf = flows[index.espSas[r.newSa].flowId];
        out << QStringLiteral("  NAT rebinding of SPI %1: ports %2/%3 -> %4/%5 at +%6 s")
                   .arg(spiText(r.spi))
                   .arg(of.srcPort)
                   .arg(of.dstPort)
                   .arg(nf.srcPort)
                   .arg(nf.dstPort)
                   .arg(rel(index.espSas[r.newSa].firstNs));
    }
    for (std::size_t s : a.oneWaySas) {
        const Flow &f = flows[index.espSas[s].flowId];
        out << QStringLiteral("  one-way ESP SA %1 %2 -> %3 (no SA in the reverse direction)")
                   .arg(spiText(index.espSas[s].spi), addressText(f.src), addressText(f.dst));
    }
    return out.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace ikev2wb
