// Text and JSON of the MTU analysis (core/analyze/mtu).
#include "../analyze/analyzeutil.h"
#include "../analyze/mtu.h"
#include "analysisreport.h"
#include "jsonwriter.h"

#include <QStringList>
#include <algorithm>
#include <map>

namespace ikev2wb {

using namespace analyze_detail;

void writeMtuJson(JsonWriter &w, const CaptureIndex &index, const MtuAnalysis &a)
{
    const auto &flows = index.flows;
    w.key("mtu").beginObject();
    w.key("sas").beginArray();
    for (const MtuSaSizes &m : a.sas) {
        const EspSa &sa = index.espSas[m.espSa];
        const Flow &f = flows[sa.flowId];
        w.beginObject();
        w.key("spi").spi(sa.spi);
        w.field("src", addressText(f.src))
            .field("dst", addressText(f.dst))
            .field("encap", encapName(sa.encap));
        w.field("packets", m.packets).field("bin_bytes", kMtuBinBytes);
        w.key("histogram").beginArray();
        for (auto c : m.histogram)
            w.value(c);
        w.endArray();
        w.field("p50", unsigned(m.p50)).field("p90", unsigned(m.p90)).field("p99", unsigned(m.p99));
        w.field("min", unsigned(m.min)).field("max", unsigned(m.max));
        w.field("df_packets", m.dfPackets);
        w.key("df_fraction").value(m.dfFraction(), 3);
        w.field("large_packets", m.largePackets).field("large_df_packets", m.largeDfPackets);
        w.field("fragmented", m.fragmented);
        w.key("last_large_time");
        if (m.lastLargeNs >= 0)
            w.time(m.lastLargeNs);
        else
            w.null();
        w.field("packets_after_last_large", m.packetsAfterLastLarge);
        w.field("sequence_missing", m.sequenceMissing);
        w.field("large_followed_by_reverse", m.largeFollowedByReverse);
        w.field("small_followed_by_reverse", m.smallFollowedByReverse);
        w.key("size_cliff");
        if (m.cliffSize) {
            w.beginObject();
            w.field("bytes", unsigned(m.cliffSize))
                .field("sent", m.cliffSent)
                .field("answered", m.cliffAnswered);
            w.field("below_sent", m.belowSent).field("below_answered", m.belowAnswered);
            w.key("largest_answered_below");
            if (m.answeredBelow)
                w.value(unsigned(m.answeredBelow));
            else
                w.null();
            w.field("sent_final_second", m.cliffLate).field("below_sent_final_second", m.belowLate);
            w.endObject();
        } else {
            w.null();
        }
        w.endObject();
    }
    w.endArray();
    w.key("largest_outer").beginObject();
    w.field("length", unsigned(a.largestOuter));
    w.key("spi");
    if (a.largestSa >= 0)
        w.spi(index.espSas[std::size_t(a.largestSa)].spi);
    else
        w.null();
    w.endObject();
    w.key("outer_fragments").beginObject();
    w.field("datagrams_complete", a.fragmentsComplete).field("datagrams_incomplete", a.fragmentsIncomplete);
    w.key("incomplete").beginArray();
    for (std::size_t d : a.incompleteDatagrams) {
        const FragmentedDatagram &fd = index.fragmentedDatagrams[d];
        w.beginObject();
        w.key("time").time(fd.firstNs);
        w.field("src", addressText(fd.src))
            .field("dst", addressText(fd.dst))
            .field("id", std::uint64_t(fd.id));
        w.field("fragments", unsigned(fd.fragments)).field("outcome", outcomeName(fd.outcome));
        w.endObject();
    }
    w.endArray();
    w.endObject();
    w.key("icmp_errors").beginArray();
    for (const MtuIcmpError &x : a.icmp) {
        const IcmpError &e = index.icmpErrors[x.icmpError];
        w.beginObject();
        w.key("time").time(e.tsNs);
        w.field("reporter", addressText(e.reporter)).field("to", addressText(e.to));
        w.field("type", unsigned(e.type)).field("code", unsigned(e.code)).field("mtu", std::uint64_t(e.mtu));
        w.field("quoted_length", std::uint64_t(e.quoted.totalLen)).field("quoted_df", e.quoted.df);
        w.field("tunnel", x.tunnel);
        if (x.espSa >= 0) w.key("spi").spi(index.espSas[std::size_t(x.espSa)].spi);
        w.endObject();
    }
    w.endArray();
    w.key("path_mtu").beginObject();
    w.field("value", std::uint64_t(a.pathMtu)).field("source", pathMtuSourceName(a.pathMtuSource));
    w.endObject();
    w.field("min_icmp_mtu_any", std::uint64_t(a.minIcmpMtuAny));
    w.key("black_hole").beginObject();
    w.field("level", blackHoleLevelName(a.blackHole.level));
    w.key("spi");
    if (a.blackHole.level != MtuBlackHole::Level::None && a.blackHole.espSa >= 0)
        w.spi(index.espSas[std::size_t(a.blackHole.espSa)].spi);
    else
        w.null();
    w.key("evidence").beginArray();
    for (const QString &e : a.blackHole.evidence)
        w.value(e);
    w.endArray();
    w.endObject();
    w.field("inner_tcp_syn_with_mss", a.innerTcpSynWithMss);
    w.field("cancelled", a.cancelled);
    w.endObject();
}

QString mtuText(const CaptureIndex &index, const MtuAnalysis &a)
{
    QStringList out;
    out << QStringLiteral("MTU and fragmentation");
    for (const MtuSaSizes &m : a.sas) {
        const EspSa &sa = index.espSas[m.espSa];
        const Flow &f = index.flows[sa.flowId];
        out << QStringLiteral("  SPI %1 %2 -> %3: %4 packets, size p50 %5 p90 %6 p99 %7 max %8, DF %9%")
                   .arg(spiText(sa.spi), addressText(f.src), addressText(f.dst))
                   .arg(m.packets)
                   .arg(m.p50)
                   .arg(m.p90)
                   .arg(m.p99)
                   .arg(m.max)
                   .arg(m.dfFraction() * 100, 0, 'f', 0);
    }
    out << QStringLiteral("  largest outer packet: %1 bytes").arg(a.largestOuter);
    if (a.fragmentsComplete || a.fragmentsIncomplete)
        out << QStringLiteral("  outer IP fragments: %1 datagrams complete, %2 incomplete")
                   .arg(a.fragmentsComplete)
                   .arg(a.fragmentsIncomplete);
    for (const MtuIcmpError &x : a.icmp) {
        const IcmpError &e = index.icmpErrors[x.icmpError];
        out << QStringLiteral("  ICMP type %1 code %2 from %3, MTU %4%5")
                   .arg(e.type)
                   .arg(e.code)
                   .arg(addressText(e.reporter))
                   .arg(e.mtu)
                   .arg(x.tunnel ? QStringLiteral(" (quotes tunnel traffic)") : QString());
    }
    // The largest packet seen proves nothing of the path when this end sent it (it may have been
    // lost after the capture point): never "at least" here; the diagnosis decides with both ends.
    if (a.pathMtuSource == MtuAnalysis::PathMtuSource::Ptb)
        out << QStringLiteral("  path MTU: %1 (reported by ICMP)").arg(a.pathMtu);
    else if (a.pathMtuSource == MtuAnalysis::PathMtuSource::LargestSeen)
        out << QStringLiteral(
                   "  path MTU: not proven by this capture (its largest outer packet, %1 bytes, was "
                   "seen here; sent from this end it may still have been lost on the way: the "
                   "diagnosis decides, with both captures or a probe)")
                   .arg(a.pathMtu);
    else
        out << QStringLiteral("  path MTU: unknown");
    if (a.blackHole.level != MtuBlackHole::Level::None) {
        out << QStringLiteral("  PMTUD black hole %1:")
                   .arg(QString::fromLatin1(blackHoleLevelName(a.blackHole.level)));
        for (const QString &e : a.blackHole.evidence)
            out << QStringLiteral("    - %1").arg(e);
    }
    return out.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace ikev2wb
