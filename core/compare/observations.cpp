#include "observations.h"

#include "../dissect/dissector.h"
#include "../dissect/ikepayloads.h"

#include <algorithm>
#include <unordered_map>

namespace ikev2wb {

namespace {

constexpr std::uint8_t kPayloadSkf = 53;

struct SaKey
{
    std::uint32_t spi;
    IpAddress dst;
    bool operator==(const SaKey &) const = default;
};
struct SaKeyHash
{
    std::size_t operator()(const SaKey &k) const noexcept
    {
        return hashBytes(k.dst.bytes.data(), 16, 0x9e3779b97f4a7c15ULL ^ k.spi);
    }
};

/// Per-SA state while reading: where the sequence numbers are, to infer ESN epochs and restarts.
struct SaTrack
{
    std::uint64_t maxSeq = 0;
};

class Observer final
{
public:
    explicit Observer(CaptureObservations &out) : m_out(out), m_dissector(out.file.linkType) {}

    void add(const RawPacket &pkt)
    {
        const PacketFacts f = m_dissector.dissect(pkt.bytes(), pkt.originalLength);
        if (m_out.packets == 0) m_out.firstNs = m_out.lastNs = pkt.tsNs;
        m_out.firstNs = std::min(m_out.firstNs, pkt.tsNs);
        m_out.lastNs = std::max(m_out.lastNs, pkt.tsNs);
        ++m_out.packets;
        switch (f.kind) {
        case PacketKind::Esp:
        case PacketKind::EspInUdp:
            addEsp(f, pkt.tsNs);
            break;
        case PacketKind::Ike:
        case PacketKind::IkeNatT:
        case PacketKind::IkeTcp:
            if (f.ike.length != 0)
                addIke(f, pkt.tsNs);
            else
                ++m_out.ignoredPackets;
            break;
        default:
            // Decrypted inner packets re-injected by Linux, ICMP, keepalives, later fragments.
            ++m_out.ignoredPackets;
            break;
        }
    }

private:
    void addEsp(const PacketFacts &f, std::int64_t tsNs)
    {
        ++m_out.espPackets;
        const SaKey key{f.spi, f.dst};
        std::uint32_t id;
        if (m_lastId != kNone && key == m_lastKey) {
            id = m_lastId;
        } else {
            auto it = m_ids.find(key);
            id = it == m_ids.end() ? newSa(f, 0) : it->second;
            m_lastKey = key;
            m_lastId = id;
        }
        // Place the 32-bit number next to the highest one seen: across a wrap (ESN) the epoch
        // moves by one; far below the highest it is a restart of the SPI.
        SaTrack &tr = m_tracks[id];
        const std::uint32_t refLow = static_cast<std::uint32_t>(tr.maxSeq);
        std::int64_t epoch = std::int64_t(tr.maxSeq >> 32);
        if (!m_out.sas[id].packets.empty()) {
            if (refLow > f.seq && refLow - f.seq > 0x80000000u)
                ++epoch;
            else if (f.seq > refLow && f.seq - refLow > 0x80000000u && epoch > 0)
                --epoch;
        }
        std::uint64_t seq = (std::uint64_t(epoch) << 32) | f.seq;
        if (!m_out.sas[id].packets.empty() && seq + kSeqRestartDrop < tr.maxSeq) {
            id = newSa(f, m_out.sas[id].generation + 1);
            m_lastId = id;
            epoch = 0;
            seq = f.seq;
        }
        SaTrack &t = m_tracks[id];
        t.maxSeq = std::max(t.maxSeq, seq);
        EspObservation o;
        o.tsNs = tsNs;
        o.seqLow = f.seq;
        o.epoch = static_cast<std::uint16_t>(epoch);
        o.size = static_cast<std::uint16_t>(std::min<std::uint32_t>(f.ipTotalLen, 0xffff));
        ObservedSa &sa = m_out.sas[id];
        sa.maxTtl = std::max(sa.maxTtl, f.ttl);
        sa.packets.push_back(o);
    }

    std::uint32_t newSa(const PacketFacts &f, int generation)
    {
        ObservedSa sa;
        sa.spi = f.spi;
        sa.generation = static_cast<std::uint16_t>(generation);
        sa.udp = f.kind == PacketKind::EspInUdp;
        sa.src = f.src;
        sa.dst = f.dst;
        sa.srcPort = f.srcPort;
        sa.dstPort = f.dstPort;
        const auto id = static_cast<std::uint32_t>(m_out.sas.size());
        m_out.sas.push_back(std::move(sa));
        m_tracks.push_back({});
        m_ids[SaKey{f.spi, f.dst}] = id;
        return id;
    }

    void addIke(const PacketFacts &f, std::int64_t tsNs)
    {
        ObservedIke m;
        m.tsNs = tsNs;
        m.src = f.src;
        m.dst = f.dst;
        m.srcPort = f.srcPort;
        m.dstPort = f.dstPort;
        m.ispi = f.ike.initiatorSpi;
        m.rspi = f.ike.responderSpi;
        m.messageId = f.ike.messageId;
        m.length = f.ike.length;
        m.size = static_cast<std::uint16_t>(std::min<std::uint32_t>(f.ipTotalLen, 0xffff));
        m.exchange = f.ike.exchange;
        m.flags = f.ike.flags;
        m.ttl = f.ttl;
        if (f.ike.nextPayload == kPayloadSkf) {
            const IkePayloadSummary p = parseIkePayloads(f.ikeMessage, f.ike);
            if (p.hasSkf) m.fragment = p.fragmentNumber;
        }
        m_out.ike.push_back(m);
    }

    static constexpr std::uint32_t kNone = 0xffffffffu;
    CaptureObservations &m_out;
    Dissector m_dissector;
    std::unordered_map<SaKey, std::uint32_t, SaKeyHash> m_ids; // → the SPI's current generation
    std::vector<SaTrack> m_tracks;
    SaKey m_lastKey{};
    std::uint32_t m_lastId = kNone;
};

} // namespace

std::unique_ptr<CaptureObservations> observeCapture(const QString &path, QString *error,
                                                    const std::atomic_bool *cancel,
                                                    const ProgressFn &progress)
{
    auto reader = CaptureReader::open(path, error);
    if (!reader) return nullptr;
    auto out = std::make_unique<CaptureObservations>();
    out->file = reader->info();
    Observer obs(*out);
    const ReadOutcome outcome = reader->read([&](const RawPacket &p) { obs.add(p); }, progress, cancel);
    out->readWarning = outcome.warning;
    out->cancelled = outcome.cancelled;
    return out;
}

} // namespace ikev2wb
