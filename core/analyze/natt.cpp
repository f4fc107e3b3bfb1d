#include "natt.h"

#include "../report/jsonwriter.h"
#include "analyzeutil.h"

#include <QStringList>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace ikev2wb {

using namespace analyze_detail;

namespace {

// Gaps shorter than this are ordinary pauses; NAT devices with aggressive UDP timeouts (some
// carrier-grade NATs, conntrack tuned down) expire mappings after 10 s or more.
constexpr std::int64_t kMinIdleGapNs = 10 * kNsPerS;
constexpr std::int64_t kAfterGapWindowNs = 30 * kNsPerS;
constexpr std::uint16_t kNatTPort = 4500;

struct PairState
{
    std::int64_t lastAny = -1;
    std::int64_t lastDir[2] = {-1, -1};
    bool checking = false;
    std::int64_t windowEnd = 0;
    std::uint64_t after[2] = {0, 0};
};

void finishCheck(PairState &st, NatPeerPair &p)
{
    if (!st.checking) return;
    p.idleGaps.back().oneWayAfter = (st.after[0] == 0) != (st.after[1] == 0);
    st.checking = false;
}

} // namespace

const char *NatPeerPair::encapsulation() const
{
    if (espPackets && espInUdpPackets) return "mixed";
    if (espInUdpPackets) return "esp-in-udp";
    if (espPackets) return "esp";
    return "none";
}

bool NatKeepaliveFlow::matchesStrongswanDefault() const
{
    // strongSwan sends a keepalive when nothing else was sent for keep_alive seconds.
    const double v = medianIdleBeforeS > 0 ? medianIdleBeforeS : medianIntervalS;
    return count >= 2 && v >= kStrongswanKeepAliveS - 2 && v <= kStrongswanKeepAliveS + 2;
}

NattAnalysis analyzeNatt(const CaptureIndex &index, const std::atomic_bool *cancel)
{
    NattAnalysis out;
    const auto &flows = index.flows;

    // Peer pairs: address pairs that carry IKE, ESP or anything on the NAT-T port.
    std::map<std::pair<IpAddress, IpAddress>, std::size_t> pairIds;
    auto pairKey = [](const Flow &f) {
        return f.src < f.dst ? std::make_pair(f.src, f.dst) : std::make_pair(f.dst, f.src);
    };
    auto notePair = [&](const Flow &f) {
        auto [it, inserted] = pairIds.try_emplace(pairKey(f), out.pairs.size());
        if (inserted) {
            NatPeerPair p;
            p.a = it->first.first;
            p.b = it->first.second;
            out.pairs.push_back(p);
        }
    };
    for (const EspSa &sa : index.espSas)
        notePair(flows[sa.flowId]);
    for (const IkeMessage &m : index.ikeMessages)
        notePair(flows[m.flowId]);
    for (const Flow &f : flows)
        if (f.proto == 17 && (f.srcPort == kNatTPort || f.dstPort == kNatTPort)) notePair(f);
    std::vector<std::int32_t> pairOfFlow(flows.size(), -1);
    for (std::size_t f = 0; f < flows.size(); ++f) {
        const auto it = pairIds.find(pairKey(flows[f]));
        if (it != pairIds.end()) pairOfFlow[f] = std::int32_t(it->second);
    }

    SaResolver saOf(index.espSas);
    // Direction inside its peer pair (0: a → b), once per flow instead of an address compare
    // per packet.
    std::vector<std::uint8_t> dirOfFlow(flows.size(), 0);
    for (std::size_t f = 0; f < flows.size(); ++f)
        if (pairOfFlow[f] >= 0)
            dirOfFlow[f] = flows[f].src == out.pairs[std::size_t(pairOfFlow[f])].a ? 0 : 1;
    struct SaLast
    {
        std::int64_t ts = -1;
        std::uint32_t seq = 0;
    };
    std::vector<SaLast> saLast(index.espSas.size());
    std::vector<std::int64_t> lastFlowNs(flows.size(), -1);
    std::unordered_map<std::uint32_t, std::vector<std::int64_t>> keepaliveTimes;
    std::unordered_map<std::uint32_t, std::vector<double>> keepaliveIdle;
    std::vector<PairState> state(out.pairs.size());

    std::size_t n = 0;
    bool stop = false;
    index.packets.forEach([&](const PacketRecord &r) {
        if (stop) return;
        if ((++n & 0xffff) == 0 && cancelled(cancel)) {
            stop = true;
            return;
        }
        if (r.flowId >= flows.size()) return;
        if (r.kind == PacketKind::NatKeepalive) {
            keepaliveTimes[r.flowId].push_back(r.tsNs);
            if (lastFlowNs[r.flowId] >= 0)
                keepaliveIdle[r.flowId].push_back(seconds(r.tsNs - lastFlowNs[r.flowId]));
        }
        lastFlowNs[r.flowId] = r.tsNs;
        const std::int32_t pi = pairOfFlow[r.flowId];
        if (pi < 0) return;
        NatPeerPair &p = out.pairs[std::size_t(pi)];
        PairState &st = state[std::size_t(pi)];
        const int d = dirOfFlow[r.flowId];
        if (st.checking && r.tsNs > st.windowEnd) finishCheck(st, p);
        if (st.checking) ++st.after[d]; // counted for the open window before a new gap may replace it
        auto openGap = [&](std::int64_t from, NatIdleGap::Direction dir) {
            finishCheck(st, p);
            NatIdleGap g;
            g.startNs = from;
            g.endNs = r.tsNs;
            g.direction = dir;
            p.idleGaps.push_back(g);
            st.checking = true;
            st.windowEnd = r.tsNs + kAfterGapWindowNs;
            st.after[0] = st.after[1] = 0;
            ++st.after[d];
        };
        if (st.lastAny >= 0 && r.tsNs - st.lastAny >= kMinIdleGapNs)
            openGap(st.lastAny, NatIdleGap::Direction::Both);
        else if (st.lastDir[d] >= 0 && r.tsNs - st.lastDir[d] >= kMinIdleGapNs &&
                 st.lastDir[1 - d] > st.lastDir[d])
            openGap(st.lastDir[d], d == 0 ? NatIdleGap::Direction::AToB : NatIdleGap::Direction::BToA);
        st.lastAny = r.tsNs;
        st.lastDir[d] = r.tsNs;

        switch (r.kind) {
        case PacketKind::Esp:
            ++p.espPackets;
            break;
        case PacketKind::EspInUdp:
            ++p.espInUdpPackets;
            break;
        case PacketKind::Ike:
            ++p.ike500;
            break;
        case PacketKind::IkeNatT:
            ++p.ikeNatT;
            break;
        case PacketKind::NatKeepalive:
            ++p.keepalives;
            break;
        default:
            break;
        }
        if (r.isEsp()) {
            const std::uint32_t sa = saOf.find(r);
            if (sa != SaResolver::kNone) {
                SaLast &l = saLast[sa];
                // First packet of this SA since before a gap: did numbers go missing? Charged to
                // every recent gap the SA's own silence spans.
                for (std::size_t g = p.idleGaps.size(); l.ts >= 0 && r.seq() > l.seq + 1 && g-- > 0;) {
                    NatIdleGap &gap = p.idleGaps[g];
                    if (r.tsNs - gap.endNs > kAfterGapWindowNs) break;
                    if (l.ts <= gap.startNs && r.tsNs >= gap.endNs)
                        gap.espSequenceJump += r.seq() - l.seq - 1;
                }
                l.ts = r.tsNs;
                l.seq = r.seq();
            }
        }
    });
    out.cancelled = stop || cancelled(cancel);
    for (std::size_t pi = 0; pi < out.pairs.size(); ++pi)
        finishCheck(state[pi], out.pairs[pi]);

    // Port change after a gap: a UDP flow of the pair that starts after the gap began while
    // another UDP flow between the same addresses, same direction, other ports, existed before.
    for (std::size_t pi = 0; pi < out.pairs.size(); ++pi) {
        for (NatIdleGap &g : out.pairs[pi].idleGaps) {
            for (std::size_t f = 0; f < flows.size() && !g.portChangeAfter; ++f) {
                const Flow &nf = flows[f];
                if (pairOfFlow[f] != std::int32_t(pi) || nf.proto != 17 || nf.firstNs < g.startNs ||
                    nf.firstNs > g.endNs + kAfterGapWindowNs)
                    continue;
                for (std::size_t o = 0; o < flows.size(); ++o) {
                    const Flow &of = flows[o];
                    if (o != f && of.proto == 17 && of.src == nf.src && of.dst == nf.dst &&
                        of.firstNs < g.startNs && (of.srcPort != nf.srcPort || of.dstPort != nf.dstPort) &&
                        of.srcPort != 500 && of.dstPort != 500) {
                        g.portChangeAfter = true;
                        break;
                    }
                }
            }
        }
    }

    // Keepalive timing per direction.
    for (auto &[flowId, times] : keepaliveTimes) {
        NatKeepaliveFlow k;
        k.flowId = flowId;
        k.count = times.size();
        std::vector<double> gaps;
        for (std::size_t i = 1; i < times.size(); ++i)
            gaps.push_back(seconds(times[i] - times[i - 1]));
        if (!gaps.empty()) {
            k.maxIntervalS = *std::max_element(gaps.begin(), gaps.end());
            k.medianIntervalS = quantile(gaps, 0.5);
        }
        auto &idle = keepaliveIdle[flowId];
        k.medianIdleBeforeS = quantile(idle, 0.5);
        out.keepalives.push_back(k);
    }
    std::sort(out.keepalives.begin(), out.keepalives.end(),
              [](const NatKeepaliveFlow &a, const NatKeepaliveFlow &b) { return a.flowId < b.flowId; });

    // The IKE float: the first message behind the non-ESP marker after messages on port 500.
    std::unordered_map<std::uint64_t, bool> on500;
    for (const IkeMessage &m : index.ikeMessages) {
        const std::uint64_t spi = m.header.initiatorSpi;
        if (m.transport == IkeTransport::Udp) {
            on500.try_emplace(spi, true);
            continue;
        }
        if (m.transport != IkeTransport::UdpNatT) continue;
        auto it = on500.find(spi);
        if (it == on500.end() || !it->second) continue;
        it->second = false;
        const Flow &f = flows[m.flowId];
        NatPortFloat fl;
        fl.tsNs = m.tsNs;
        fl.ikeInitiatorSpi = spi;
        const bool fromInitiator = m.header.majorVersion() == 2 ? m.header.isInitiator() : true;
        fl.initiator = fromInitiator ? f.src : f.dst;
        fl.toSrcPort = f.srcPort;
        fl.toDstPort = f.dstPort;
        out.floats.push_back(fl);
    }

    // NAT rebinding: one ESP-in-UDP SPI on several UDP flows, in order of appearance.
    std::map<std::uint32_t, std::vector<std::size_t>> bySpi;
    for (std::size_t s = 0; s < index.espSas.size(); ++s)
        if (index.espSas[s].encap == Encapsulation::Udp) bySpi[index.espSas[s].spi].push_back(s);
    for (auto &[spi, list] : bySpi) {
        std::sort(list.begin(), list.end(), [&](std::size_t x, std::size_t y) {
            return index.espSas[x].firstNs < index.espSas[y].firstNs;
        });
        for (std::size_t i = 1; i < list.size(); ++i)
            out.rebindings.push_back({spi, list[i - 1], list[i]});
    }

    // ESP SAs whose reverse direction carries no SA at all.
    std::set<std::pair<IpAddress, IpAddress>> directions;
    for (const EspSa &sa : index.espSas)
        directions.insert({flows[sa.flowId].src, flows[sa.flowId].dst});
    for (std::size_t s = 0; s < index.espSas.size(); ++s) {
        const Flow &f = flows[index.espSas[s].flowId];
        if (!directions.count({f.dst, f.src})) out.oneWaySas.push_back(s);
    }
    return out;
}

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
                if (g.seconds() >= t) w.value(t);
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
