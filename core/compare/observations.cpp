#include "observations.h"

#include "../index/espsa.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace ikev2wb {

namespace {

constexpr std::uint32_t kNone = 0xffffffffu;

/// One SA (SPI and destination) while the records go by: its numbering and the entry of
/// CaptureObservations::sas its current generation fills.
struct SaTrack
{
    EspSequenceRule rule{false};
    std::uint32_t current = kNone;
};

class Observer final
{
public:
    Observer(const CaptureIndex &index, CaptureObservations &out, bool packetIndexes)
        : m_index(index), m_out(out), m_legs(index.espSas), m_packetIndexes(packetIndexes)
    {
        // The SAs of the index are per outer flow; one SA may have several (NAT rebinding). The
        // wrap is decided over all the SA's packets, whichever flow they came on.
        std::unordered_map<EspSaId, std::uint32_t, EspSaIdHash> ids;
        struct Span
        {
            std::uint32_t minSeq = 0xffffffffu, maxSeq = 0;
        };
        std::vector<Span> spans;
        m_trackOfLeg.reserve(index.espSas.size());
        for (const EspSa &leg : index.espSas) {
            const auto [it, inserted] = ids.try_emplace(espSaId(index, leg), std::uint32_t(spans.size()));
            if (inserted) spans.emplace_back();
            Span &sp = spans[it->second];
            sp.minSeq = std::min(sp.minSeq, leg.minSeq);
            sp.maxSeq = std::max(sp.maxSeq, leg.maxSeq);
            m_trackOfLeg.push_back(it->second);
        }
        m_tracks.reserve(spans.size());
        for (const Span &sp : spans)
            m_tracks.push_back({EspSequenceRule(EspSequenceRule::wraps(sp.minSeq, sp.maxSeq)), kNone});
    }

    /// `packet`: the record's index in the capture.
    void add(const PacketRecord &r, std::uint64_t packet)
    {
        if (r.isEsp()) {
            addEsp(r, packet);
        } else if (const IkeMessage *m = ikeOf(r, packet); m && m->header.length != 0) {
            addIke(*m);
        } else {
            // Decrypted inner packets re-injected by Linux, ICMP, keepalives, later fragments.
            ++m_out.ignoredPackets;
        }
    }

private:
    // An IKE-over-TCP segment without an IKE header has the kind but no message.
    const IkeMessage *ikeOf(const PacketRecord &r, std::uint64_t packet) const
    {
        if (!r.isIke() || r.a >= m_index.ikeMessages.size()) return nullptr;
        const IkeMessage &m = m_index.ikeMessages[r.a];
        return m.packet == packet ? &m : nullptr;
    }

    void addEsp(const PacketRecord &r, std::uint64_t packet)
    {
        ++m_out.espPackets;
        const std::uint32_t leg = m_legs.find(r);
        if (leg == EspSaResolver::kNone) return; // every ESP record has its SA in the index
        SaTrack &t = m_tracks[m_trackOfLeg[leg]];
        const std::uint32_t s = r.seq();
        const std::uint64_t ext = t.rule.extend(s);
        // Sequence number 0 is invalid (RFC 4303): it neither moves the numbering nor restarts it.
        if (t.current == kNone) {
            t.current = newSa(r, 0);
        } else if (ext != 0 && t.rule.isRestart(s, ext)) {
            t.rule.restart();
            t.current = newSa(r, m_out.sas[t.current].generation + 1);
        }
        if (ext != 0) t.rule.accept(ext);
        EspObservation o;
        o.tsNs = r.tsNs;
        o.seqLow = s;
        o.epoch = static_cast<std::uint16_t>(std::min<std::uint64_t>(ext >> 32, 0xffff));
        o.size = r.ipLength;
        ObservedSa &sa = m_out.sas[t.current];
        sa.maxTtl = std::max(sa.maxTtl, m_index.flows[r.flowId].maxTtl);
        sa.packets.push_back(o);
        if (m_packetIndexes) sa.packetIndex.push_back(std::uint32_t(packet));
    }

    std::uint32_t newSa(const PacketRecord &r, int generation)
    {
        const Flow &fl = m_index.flows[r.flowId];
        ObservedSa sa;
        sa.spi = r.spi();
        sa.generation = static_cast<std::uint16_t>(generation);
        sa.udp = r.kind == PacketKind::EspInUdp;
        sa.src = fl.src;
        sa.dst = fl.dst;
        sa.srcPort = fl.srcPort;
        sa.dstPort = fl.dstPort;
        m_out.sas.push_back(std::move(sa));
        return static_cast<std::uint32_t>(m_out.sas.size() - 1);
    }

    void addIke(const IkeMessage &msg)
    {
        const Flow &fl = m_index.flows[msg.flowId];
        ObservedIke m;
        m.tsNs = msg.tsNs;
        m.src = fl.src;
        m.dst = fl.dst;
        m.srcPort = fl.srcPort;
        m.dstPort = fl.dstPort;
        m.ispi = msg.header.initiatorSpi;
        m.rspi = msg.header.responderSpi;
        m.messageId = msg.header.messageId;
        m.length = msg.header.length;
        m.size = msg.ipLength;
        m.exchange = msg.header.exchange;
        m.flags = msg.header.flags;
        m.ttl = msg.ttl;
        if (msg.payloads.hasSkf) m.fragment = msg.payloads.fragmentNumber;
        m_out.ike.push_back(m);
    }

    const CaptureIndex &m_index;
    CaptureObservations &m_out;
    EspSaResolver m_legs;
    std::vector<std::uint32_t> m_trackOfLeg; // espSas entry → its SA in m_tracks
    std::vector<SaTrack> m_tracks;
    bool m_packetIndexes = false;
};

} // namespace

std::unique_ptr<CaptureObservations> observeIndex(const CaptureIndex &index, const std::atomic_bool *cancel,
                                                  bool packetIndexes)
{
    auto out = std::make_unique<CaptureObservations>();
    out->file = index.file;
    out->set = index.set;
    out->packets = index.packetCount();
    out->firstNs = index.firstNs;
    out->lastNs = index.lastNs;
    out->cancelled = index.cancelled;
    // A read that broke off puts its reason first (IndexBuilder::finish).
    if (index.partial && !index.cancelled && !index.warnings.empty() && index.warnings.front().packet < 0)
        out->readWarning = index.warnings.front().message;
    Observer obs(index, *out,
                 packetIndexes && index.packetCount() <= std::numeric_limits<std::uint32_t>::max());
    std::uint64_t n = 0;
    index.packets.forEach([&](const PacketRecord &r) {
        if (out->cancelled) return;
        if ((++n & 0xffff) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
            out->cancelled = true;
            return;
        }
        obs.add(r, n - 1);
    });
    return out;
}

} // namespace ikev2wb
