#include "natt.h"

#include "analyzeutil.h"

#include <QStringList>

#include <algorithm>
#include <array>
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
    // Packets of the pair by kind (NatPeerPair's counts, added in foldKinds()): counted by index,
    // as ESP and ESP-in-UDP packets of a gateway's tunnels interleave in no learnable order.
    std::array<std::uint64_t, std::size_t(PacketKind::Count_)> kinds{};
};

void foldKinds(PairState &st, NatPeerPair &p)
{
    p.espPackets += st.kinds[std::size_t(PacketKind::Esp)];
    p.espInUdpPackets += st.kinds[std::size_t(PacketKind::EspInUdp)];
    p.ike500 += st.kinds[std::size_t(PacketKind::Ike)];
    p.ikeNatT += st.kinds[std::size_t(PacketKind::IkeNatT)];
    p.keepalives += st.kinds[std::size_t(PacketKind::NatKeepalive)];
    st.kinds = {};
}

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

/// Per-packet state is kept for every address pair (which of them are peer pairs is known from
/// the finished tables only); a pair's counts and gaps depend on its own packets alone.
struct NattAnalyzer::State
{
    struct SaLast
    {
        std::int64_t ts = -1;
        std::uint32_t seq = 0;
    };
    std::map<std::pair<IpAddress, IpAddress>, std::uint32_t> pairIds; // all address pairs
    std::vector<NatPeerPair> pairs;
    std::vector<PairState> state;
    // Per flow: its address pair, its direction in it (0: a → b), its last packet.
    std::vector<std::uint32_t> pairOfFlow;
    std::vector<std::uint8_t> dirOfFlow;
    std::vector<std::int64_t> lastFlowNs;
    std::vector<SaLast> saLast;
    std::unordered_map<std::uint32_t, std::vector<std::int64_t>> keepaliveTimes;
    std::unordered_map<std::uint32_t, std::vector<double>> keepaliveIdle;

    void learnFlows(const std::vector<Flow> &flows)
    {
        for (std::size_t f = pairOfFlow.size(); f < flows.size(); ++f) {
            const Flow &fl = flows[f];
            const bool forward = fl.src < fl.dst;
            auto [it, inserted] =
                pairIds.try_emplace(forward ? std::make_pair(fl.src, fl.dst) : std::make_pair(fl.dst, fl.src),
                                    std::uint32_t(pairs.size()));
            if (inserted) {
                NatPeerPair p;
                p.a = it->first.first;
                p.b = it->first.second;
                pairs.push_back(p);
                state.emplace_back();
            }
            pairOfFlow.push_back(it->second);
            dirOfFlow.push_back(fl.src == pairs[it->second].a ? 0 : 1);
            lastFlowNs.push_back(-1);
        }
    }

    [[gnu::always_inline]] inline void observe(const PacketRecord &r, std::uint32_t sa,
                                               const CaptureIndex &tables);
};

NattAnalyzer::NattAnalyzer() : d(std::make_unique<State>()) {}
NattAnalyzer::~NattAnalyzer() = default;

void NattAnalyzer::State::observe(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables)
{
    if (r.flowId >= tables.flows.size()) return;
    if (r.flowId >= pairOfFlow.size()) learnFlows(tables.flows);
    if (r.kind == PacketKind::NatKeepalive) {
        keepaliveTimes[r.flowId].push_back(r.tsNs);
        if (lastFlowNs[r.flowId] >= 0)
            keepaliveIdle[r.flowId].push_back(seconds(r.tsNs - lastFlowNs[r.flowId]));
    }
    lastFlowNs[r.flowId] = r.tsNs;
    const std::uint32_t pi = pairOfFlow[r.flowId];
    NatPeerPair &p = pairs[pi];
    PairState &st = state[pi];
    const int dir = dirOfFlow[r.flowId];
    if (st.checking && r.tsNs > st.windowEnd) finishCheck(st, p);
    if (st.checking) ++st.after[dir]; // counted for the open window before a new gap may replace it
    auto openGap = [&](std::int64_t from, NatIdleGap::Direction silent) {
        finishCheck(st, p);
        NatIdleGap g;
        g.startNs = from;
        g.endNs = r.tsNs;
        g.direction = silent;
        p.idleGaps.push_back(g);
        st.checking = true;
        st.windowEnd = r.tsNs + kAfterGapWindowNs;
        st.after[0] = st.after[1] = 0;
        ++st.after[dir];
    };
    if (st.lastAny >= 0 && r.tsNs - st.lastAny >= kMinIdleGapNs)
        openGap(st.lastAny, NatIdleGap::Direction::Both);
    else if (st.lastDir[dir] >= 0 && r.tsNs - st.lastDir[dir] >= kMinIdleGapNs &&
             st.lastDir[1 - dir] > st.lastDir[dir])
        openGap(st.lastDir[dir], dir == 0 ? NatIdleGap::Direction::AToB : NatIdleGap::Direction::BToA);
    st.lastAny = r.tsNs;
    st.lastDir[dir] = r.tsNs;

    ++st.kinds[std::size_t(r.kind)];
    if (r.isEsp() && sa != kNoEspSa) {
        if (sa >= saLast.size()) saLast.resize(std::size_t(sa) + 1);
        State::SaLast &l = saLast[sa];
        // First packet of this SA since before a gap: did numbers go missing? Charged to
        // every recent gap the SA's own silence spans.
        for (std::size_t g = p.idleGaps.size(); l.ts >= 0 && r.seq() > l.seq + 1 && g-- > 0;) {
            NatIdleGap &gap = p.idleGaps[g];
            if (r.tsNs - gap.endNs > kAfterGapWindowNs) break;
            if (l.ts <= gap.startNs && r.tsNs >= gap.endNs) gap.espSequenceJump += r.seq() - l.seq - 1;
        }
        l.ts = r.tsNs;
        l.seq = r.seq();
    }
}

void NattAnalyzer::observe(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables)
{
    d->observe(r, sa, tables);
}

void NattAnalyzer::observe(std::span<const PacketRecord> records, std::span<const std::uint32_t> sas,
                           const CaptureIndex &tables)
{
    State &st = *d;
    for (std::size_t i = 0; i < records.size(); ++i)
        st.observe(records[i], sas[i], tables);
}

NattAnalysis NattAnalyzer::finish(const CaptureIndex &index, bool cancelled)
{
    NattAnalysis out;
    const auto &flows = index.flows;
    d->learnFlows(flows); // flows without an observed packet (a cancelled read)

    // Peer pairs: address pairs that carry IKE, ESP or anything on the NAT-T port, in the order
    // they are first named by the SA table, the IKE messages, then the flows.
    std::vector<std::int32_t> peerOfPair(d->pairs.size(), -1);
    auto notePair = [&](std::uint32_t flowId) {
        const std::uint32_t pi = d->pairOfFlow[flowId];
        if (peerOfPair[pi] >= 0) return;
        peerOfPair[pi] = std::int32_t(out.pairs.size());
        finishCheck(d->state[pi], d->pairs[pi]);
        foldKinds(d->state[pi], d->pairs[pi]);
        out.pairs.push_back(std::move(d->pairs[pi]));
    };
    for (const EspSa &sa : index.espSas)
        notePair(sa.flowId);
    for (const IkeMessage &m : index.ikeMessages)
        notePair(m.flowId);
    for (std::size_t f = 0; f < flows.size(); ++f)
        if (flows[f].proto == 17 && (flows[f].srcPort == kNatTPort || flows[f].dstPort == kNatTPort))
            notePair(std::uint32_t(f));
    out.cancelled = cancelled;
    std::vector<std::int32_t> pairOfFlow(flows.size(), -1);
    for (std::size_t f = 0; f < flows.size(); ++f)
        pairOfFlow[f] = peerOfPair[d->pairOfFlow[f]];
    auto &keepaliveTimes = d->keepaliveTimes;
    auto &keepaliveIdle = d->keepaliveIdle;

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

NattAnalysis analyzeNatt(const CaptureIndex &index, const std::atomic_bool *cancel)
{
    NattAnalyzer a;
    SaResolver saOf(index.espSas);
    const bool stop = forEachRecord(index, cancel, [&](const PacketRecord &r) {
        a.observe(r, r.isEsp() ? saOf.find(r) : NattAnalyzer::kNoEspSa, index);
    });
    return a.finish(index, stop || cancelled(cancel));
}

} // namespace ikev2wb
