#include "timelinedata.h"

#include "dissect/ikeconstants.h"
#include "index/espsa.h"
#include "report/capturesummary.h"
#include "util/textformat.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

namespace ikev2wb::ui {

TimelineData buildTimeline(const CaptureIndex &index, const CaptureAnalysis &analysis, std::size_t saIndex,
                           const std::atomic_bool *cancel, std::atomic<quint64> *progress)
{
    TimelineData d;
    d.saIndex = saIndex;
    if (saIndex >= index.espSas.size()) return d;
    const EspSa &sa = index.espSas[saIndex];
    const Flow &fl = index.flows[sa.flowId];
    d.title = QStringLiteral("SPI %1  %2 → %3")
                  .arg(spiText(sa.spi), endpointText(fl.src, 0), endpointText(fl.dst, 0));
    d.originNs = index.firstNs;
    d.startNs = sa.firstNs;
    d.endNs = std::max(sa.lastNs, sa.firstNs + 1);
    d.sequence.reserve(std::size_t(sa.packets));
    d.packetOf.reserve(std::size_t(sa.packets));

    // Each packet at its 64-bit position (EspSequenceRule: past 2^32 on an ESN SA, the analysis's
    // numbering, so the line meets the lost markers); late arrivals and duplicates as the
    // receiver at this capture point saw them, within the current numbering run.
    EspSequenceRule rule(EspSequenceRule::wraps(sa.minSeq, sa.maxSeq));
    std::uint64_t top = 0;
    std::unordered_set<std::uint64_t> recent; // sequence numbers within a window below the top
    for (std::size_t i = 0; i < index.packetCount(); ++i) {
        if ((i & 0x3fff) == 0) {
            if (progress) progress->store(i, std::memory_order_relaxed);
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                d.cancelled = true;
                return d;
            }
        }
        const PacketRecord &r = index.packets[i];
        if (!r.isEsp() || r.a != sa.spi || r.flowId != sa.flowId) continue;
        const std::uint64_t ext = rule.extend(r.b);
        if (ext != 0 && rule.isRestart(r.b, ext)) {
            rule.restart(); // the sender numbers again: nothing before is late or a copy
            top = 0;
            recent.clear();
        }
        if (ext != 0) rule.accept(ext);
        const double seq = double(ext);
        d.sequence.push_back({r.tsNs, seq});
        d.packetOf.push_back(i);
        if (ext < top) {
            if (recent.count(ext))
                d.duplicates.push_back({r.tsNs, seq});
            else
                d.reordered.push_back({r.tsNs, seq});
        } else if (ext == top && d.sequence.size() > 1) {
            d.duplicates.push_back({r.tsNs, seq});
        }
        top = std::max(top, ext);
        recent.insert(ext);
        if (recent.size() > 8192)
            recent.clear(); // bounded; old entries only matter for rare very late duplicates
    }

    for (const EspSaSequence &s : analysis.esp.sas) {
        if (s.saIndex != saIndex) continue;
        d.missing = s.missing;
        for (const EspMissingRange &m : s.missingRanges)
            d.lost.push_back({m.afterNs, double(m.first)});
        const EspRateSeries &rs = s.series;
        // A step per bucket (its start and its end at the same height), so a loss shows over the
        // second it happened in, under its marker, not as a ramp towards the bucket's start.
        for (std::size_t b = 0; b < rs.missing.size(); ++b) {
            const std::int64_t from = rs.startNs + std::int64_t(b) * rs.bucketNs;
            const double rate = double(rs.missing[b]) * 1e9 / double(rs.bucketNs);
            d.lossPerSecond.push_back({from, rate});
            d.lossPerSecond.push_back({from + rs.bucketNs - 1, rate});
        }
    }
    std::sort(d.lost.begin(), d.lost.end(),
              [](const SeriesPoint &a, const SeriesPoint &b) { return a.tNs < b.tNs; });

    // IKE events of every IKE SA between the same peers, within the SA's life ± 30 s.
    const std::int64_t margin = 30'000'000'000LL;
    for (const IkeSaExchanges &ikeSa : analysis.ike.ikeSas) {
        const bool samePeers = (ikeSa.initiator == fl.src && ikeSa.responder == fl.dst) ||
                               (ikeSa.initiator == fl.dst && ikeSa.responder == fl.src);
        if (!samePeers) continue;
        for (const IkeExchange &ex : ikeSa.exchanges) {
            if (ex.requestNs < d.startNs - margin || ex.requestNs > d.endNs + margin || ex.requestNs < 0)
                continue;
            const auto n = ike::exchangeName(ex.exchange);
            QString label = QString::fromLatin1(exchangeClassName(ex.cls));
            if (label.isEmpty() || ex.cls == ExchangeClass::Unknown)
                label = QString::fromLatin1(n.data(), qsizetype(n.size()));
            d.events.push_back({ex.requestNs, QStringLiteral("%1 #%2").arg(label).arg(ex.messageId), false});
            for (const IkeRetransmission &rt : ex.retransmissions)
                d.events.push_back({rt.tsNs, QStringLiteral("retransmit #%1").arg(ex.messageId), true});
            if (!ex.answered && ex.fileGap < 0) d.events.back().problem = true;
        }
    }
    std::sort(d.events.begin(), d.events.end(),
              [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });
    return d;
}

void addOtherEnd(TimelineData &d, const CaptureIndex &here, int side, const CaptureIndex &there,
                 const CompareResult &comparison, const QString &thereName)
{
    if (d.saIndex >= here.espSas.size()) return;
    const PacketPairing &pp = comparison.pairing;
    d.pair = true;
    d.otherName = thereName;
    // θ = clock(B) − clock(A): B's times move by −θ onto A's clock, A's by +θ onto B's.
    d.offsetS = side == 0 ? pp.offsetS : -pp.offsetS;
    d.offsetMeasured = pp.offsetApplied;
    const auto shiftNs = std::int64_t(std::llround(d.offsetS * 1e9));
    const std::uint32_t spi = here.espSas[d.saIndex].spi;
    // This SA's packets here: their copies there, or where they died if this end sent them.
    bool sentHere = false;
    for (std::size_t k = 0; k < d.packetOf.size(); ++k) {
        const PacketPeer *p = pp.find(side, d.packetOf[k]);
        if (!p) continue;
        sentHere |= p->sentHere();
        if (p->other != PacketPeer::kNone && p->other < there.packetCount())
            d.otherEnd.push_back({there.packets[p->other].tsNs - shiftNs, d.sequence[k].value});
        else if (p->fate == PacketFate::LostInTransit)
            d.lostInTransit.push_back(d.sequence[k]);
    }
    // Packets the other end sent on this SA and that never arrived here are only in its capture
    // (the same SPI sent by this end is another SA: SPIs are chosen by each receiver). Each at its
    // 64-bit position as the sender's capture numbers it (EspSequenceRule over its SA's packets,
    // as buildTimeline numbers this end's), so past 2^32 on an ESN SA it meets the line.
    if (!sentHere) {
        std::vector<std::uint64_t> lostThere; // packet indexes in `there`, ascending
        for (const PacketPeer &p : pp.side[1 - side])
            if (p.fate == PacketFate::LostInTransit && p.packet < there.packetCount()) {
                const PacketRecord &r = there.packets[p.packet];
                if (r.isEsp() && r.spi() == spi) lostThere.push_back(p.packet);
            }
        std::sort(lostThere.begin(), lostThere.end());
        std::unordered_map<std::uint32_t, EspSequenceRule> rules; // by the SA's flow in `there`
        for (const EspSa &s : there.espSas)
            if (s.spi == spi)
                rules.emplace(s.flowId, EspSequenceRule(EspSequenceRule::wraps(s.minSeq, s.maxSeq)));
        auto next = lostThere.begin();
        for (std::uint64_t i = 0; next != lostThere.end() && i < there.packetCount(); ++i) {
            const PacketRecord &r = there.packets[i];
            if (!r.isEsp() || r.spi() != spi) continue;
            const auto rule = rules.find(r.flowId);
            std::uint64_t ext = r.seq();
            if (rule != rules.end()) {
                ext = rule->second.extend(r.seq());
                if (ext != 0 && rule->second.isRestart(r.seq(), ext)) rule->second.restart();
                if (ext != 0) rule->second.accept(ext);
            }
            if (i != *next) continue;
            ++next;
            d.otherEnd.push_back({r.tsNs - shiftNs, double(ext)});
            d.lostInTransit.push_back({r.tsNs - shiftNs, double(ext)});
        }
    }
    const auto byTime = [](const SeriesPoint &a, const SeriesPoint &b) { return a.tNs < b.tNs; };
    std::sort(d.otherEnd.begin(), d.otherEnd.end(), byTime);
    std::sort(d.lostInTransit.begin(), d.lostInTransit.end(), byTime);
    for (const auto *v : {&d.otherEnd, &d.lostInTransit})
        if (!v->empty()) {
            d.startNs = std::min(d.startNs, v->front().tNs);
            d.endNs = std::max(d.endNs, v->back().tNs);
        }
    // Below, the packets lost in transit per second (what this capture alone could not tell:
    // a sender's capture has no gaps), a step per second like the single capture's series.
    constexpr std::int64_t kSecond = 1'000'000'000;
    d.lossPerSecond.clear();
    const std::int64_t first = d.startNs - d.startNs % kSecond;
    auto lost = d.lostInTransit.begin();
    for (std::int64_t from = first; from <= d.endNs; from += kSecond) {
        std::uint64_t n = 0;
        for (; lost != d.lostInTransit.end() && lost->tNs < from + kSecond; ++lost)
            ++n;
        d.lossPerSecond.push_back({from, double(n)});
        d.lossPerSecond.push_back({from + kSecond - 1, double(n)});
    }
}

} // namespace ikev2wb::ui
