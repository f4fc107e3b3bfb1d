#include "natt.h"

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

    const bool stop = forEachRecord(index, cancel, [&](const PacketRecord &r) {
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

} // namespace ikev2wb
