#include "observations.h"

#include "../index/espsa.h"
#include "../index/indexbuilder.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace ikev2wb {

namespace {

constexpr std::uint32_t kNone = 0xffffffffu;

/// One SA (SPI and destination) while the records go by: its numbering, the entry of
/// CaptureObservations::sas its current generation fills, and the span of its 32-bit numbers.
struct SaTrack
{
    EspSequenceRule rule{false};
    std::uint32_t current = kNone;
    std::uint32_t minSeq = 0xffffffffu, maxSeq = 0;
};

/// Storage that grows without copying: blocks of doubling size (256 entries up to 64 Ki), so a
/// read of millions of packets holds no spare capacity and no freed copies of a doubling vector
/// (at 5M packets a side that was ~25 MiB of the comparison's peak). take() moves the entries
/// into a vector of the exact size when the read has ended, one SA at a time.
template <typename T> class GrowingBlocks
{
public:
    void push_back(const T &v)
    {
        if (m_free == 0) {
            const std::size_t n = m_blocks.empty() ? kFirst : std::min(m_last * 2, kLargest);
            m_blocks.emplace_back(new T[n]);
            m_last = m_free = n;
        }
        m_blocks.back()[m_last - m_free--] = v;
        ++m_size;
    }
    [[nodiscard]] std::vector<T> take()
    {
        std::vector<T> out;
        out.reserve(m_size);
        std::size_t n = kFirst;
        for (const auto &b : m_blocks) {
            const std::size_t k = std::min(n, m_size - out.size());
            out.insert(out.end(), b.get(), b.get() + k);
            n = std::min(n * 2, kLargest);
        }
        m_blocks.clear();
        m_size = m_last = m_free = 0;
        return out;
    }

private:
    static constexpr std::size_t kFirst = 256, kLargest = std::size_t(1) << 16;
    std::vector<std::unique_ptr<T[]>> m_blocks;
    std::size_t m_size = 0, m_last = 0, m_free = 0;
};

/// Builds a CaptureObservations from the records in file order, whether they come from an index
/// with records (observeIndex()) or during the read (observeCapture()). The only thing it cannot
/// know before the packets is whether an SA's numbering wraps past 2^32 (EspSequenceRule needs
/// it from the first packet): given `wrapsOf`, it uses it; without, it takes every SA as not
/// wrapping and says so afterwards (wrapped()).
class ObservationBuilder final : public RecordObserver
{
public:
    ObservationBuilder(CaptureObservations &out, bool packetIndexes)
        : m_out(out), m_packetIndexes(packetIndexes)
    {
    }

    /// The SAs whose numbering wraps (decided over all of each SA's packets, on any flow).
    void setWraps(std::unordered_map<EspSaId, bool, EspSaIdHash> wraps) { m_wraps = std::move(wraps); }

    void record(const PacketRecord &r, std::uint32_t leg, const CaptureIndex &tables) override
    {
        add(r, leg, m_packet++, tables);
    }

    /// `packet`: the record's index in the capture; `leg`: its entry of tables.espSas.
    void add(const PacketRecord &r, std::uint32_t leg, std::uint64_t packet, const CaptureIndex &tables)
    {
        if (r.isEsp()) {
            addEsp(r, leg, packet, tables);
        } else if (r.isIke() && r.a < tables.ikeMessages.size() && tables.ikeMessages[r.a].packet == packet &&
                   tables.ikeMessages[r.a].header.length != 0) {
            // An IKE-over-TCP segment without an IKE header has the kind but no message. The
            // message is taken at the end: an IP-fragmented one is completed on reassembly.
            m_ike.push_back(r.a);
        } else if (r.kind != PacketKind::OutOfScope) {
            // Decrypted inner packets re-injected by Linux, ICMP, keepalives, later fragments.
            ++m_out.ignoredPackets;
        }
    }

    /// Whether some SA's numbers, taken as not wrapping, span both ends of the 32-bit space.
    [[nodiscard]] bool wrapped() const
    {
        return std::any_of(m_tracks.begin(), m_tracks.end(), [](const SaTrack &t) {
            return !t.rule.esn() && t.current != kNone && EspSequenceRule::wraps(t.minSeq, t.maxSeq);
        });
    }

    /// Completes the observations from the index as the read left it.
    void finish(const CaptureIndex &index)
    {
        for (std::size_t s = 0; s < m_out.sas.size(); ++s) {
            m_out.sas[s].packets = m_packets[s].take();
            if (m_packetIndexes) m_out.sas[s].packetIndex = m_indexes[s].take();
        }
        for (std::size_t s = 0; s < m_out.sas.size(); ++s)
            for (const std::uint32_t f : m_flowsOf[s])
                m_out.sas[s].maxTtl = std::max(m_out.sas[s].maxTtl, index.flows[f].maxTtl);
        m_out.ike.reserve(m_ike.size());
        for (const std::uint32_t i : m_ike)
            addIke(index, index.ikeMessages[i]);
    }

private:
    void addEsp(const PacketRecord &r, std::uint32_t leg, std::uint64_t packet, const CaptureIndex &tables)
    {
        ++m_out.espPackets;
        if (leg >= tables.espSas.size()) return; // every ESP record has its SA in the index
        SaTrack &t = m_tracks[trackOf(leg, tables)];
        const std::uint32_t s = r.seq();
        t.minSeq = std::min(t.minSeq, s);
        t.maxSeq = std::max(t.maxSeq, s);
        const std::uint64_t ext = t.rule.extend(s);
        // Sequence number 0 is invalid (RFC 4303): it neither moves the numbering nor restarts it.
        if (t.current == kNone) {
            t.current = newSa(r, 0, tables);
        } else if (ext != 0 && t.rule.isRestart(s, ext)) {
            t.rule.restart();
            t.current = newSa(r, m_out.sas[t.current].generation + 1, tables);
        }
        if (ext != 0) t.rule.accept(ext);
        EspObservation o;
        o.tsNs = r.tsNs;
        o.seqLow = s;
        o.epoch = static_cast<std::uint16_t>(std::min<std::uint64_t>(ext >> 32, 0xffff));
        o.size = r.ipLength;
        std::vector<std::uint32_t> &flows = m_flowsOf[t.current];
        if (flows.back() != r.flowId && std::find(flows.begin(), flows.end(), r.flowId) == flows.end())
            flows.push_back(r.flowId);
        m_packets[t.current].push_back(o);
        ObservedSa &sa = m_out.sas[t.current];
        At &at = m_at[t.current];
        if (r.tsNs != at.tsNs || at.packet < 0) at = {r.tsNs, std::int64_t(packet)};
        if (o.size >= sa.lowestOfLength.size()) sa.lowestOfLength.resize(std::size_t(o.size) + 1);
        ObservedSa::LowestOfLength &lowest = sa.lowestOfLength[o.size];
        if (o.seq() < lowest.seq) lowest = {o.seq(), o.tsNs, at.packet};
        if (m_packetIndexes) m_indexes[t.current].push_back(std::uint32_t(packet));
    }

    /// The SA (SPI and destination) of an espSas entry: an SA may come on several outer flows
    /// (NAT rebinding), each its own entry.
    std::uint32_t trackOf(std::uint32_t leg, const CaptureIndex &tables)
    {
        if (leg < m_trackOfLeg.size() && m_trackOfLeg[leg] != kNone) return m_trackOfLeg[leg];
        if (m_trackOfLeg.size() <= leg) m_trackOfLeg.resize(std::size_t(leg) + 1, kNone);
        const EspSaId id = espSaId(tables, tables.espSas[leg]);
        const auto [it, inserted] = m_trackIds.try_emplace(id, std::uint32_t(m_tracks.size()));
        if (inserted) {
            const auto w = m_wraps.find(id);
            SaTrack t;
            t.rule = EspSequenceRule(w != m_wraps.end() && w->second);
            m_tracks.push_back(t);
        }
        m_trackOfLeg[leg] = it->second;
        return it->second;
    }

    std::uint32_t newSa(const PacketRecord &r, int generation, const CaptureIndex &tables)
    {
        const Flow &fl = tables.flows[r.flowId];
        ObservedSa sa;
        sa.spi = r.spi();
        sa.generation = static_cast<std::uint16_t>(generation);
        sa.udp = r.kind == PacketKind::EspInUdp;
        sa.src = fl.src;
        sa.dst = fl.dst;
        sa.srcPort = fl.srcPort;
        sa.dstPort = fl.dstPort;
        m_out.sas.push_back(std::move(sa));
        m_flowsOf.push_back({r.flowId});
        m_packets.emplace_back();
        m_indexes.emplace_back();
        m_at.emplace_back();
        return static_cast<std::uint32_t>(m_out.sas.size() - 1);
    }

    void addIke(const CaptureIndex &index, const IkeMessage &msg)
    {
        const Flow &fl = index.flows[msg.flowId];
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

    CaptureObservations &m_out;
    bool m_packetIndexes = false;
    std::uint64_t m_packet = 0;
    std::unordered_map<EspSaId, bool, EspSaIdHash> m_wraps;
    std::unordered_map<EspSaId, std::uint32_t, EspSaIdHash> m_trackIds;
    std::vector<std::uint32_t> m_trackOfLeg; // espSas entry → its SA in m_tracks
    std::vector<SaTrack> m_tracks;
    // Per entry of m_out.sas: the outer flows its packets came on (its TTL is their highest,
    // known when the read has ended).
    std::vector<std::vector<std::uint32_t>> m_flowsOf;
    std::vector<std::uint32_t> m_ike; // ikeMessages entries in packet order
    // Per entry of m_out.sas: its packets (and their indexes) until finish().
    std::vector<GrowingBlocks<EspObservation>> m_packets;
    std::vector<GrowingBlocks<std::uint32_t>> m_indexes;
    // Per entry of m_out.sas: the time of its latest packet and its first packet at that time.
    struct At
    {
        std::int64_t tsNs = 0;
        std::int64_t packet = -1;
    };
    std::vector<At> m_at;
};

void describeIndex(const CaptureIndex &index, CaptureObservations &out)
{
    out.file = index.file;
    out.set = index.set;
    out.scope = index.scope;
    out.outOfScope = index.count(PacketKind::OutOfScope);
    out.packets = index.packetCount();
    out.firstNs = index.firstNs;
    out.lastNs = index.lastNs;
    out.cancelled = index.cancelled;
    // A read that broke off puts its reason first (IndexBuilder::finish).
    if (index.partial && !index.cancelled && !index.warnings.empty() && index.warnings.front().packet < 0)
        out.readWarning = index.warnings.front().message;
}

} // namespace

std::unique_ptr<CaptureObservations> observeIndex(const CaptureIndex &index, const std::atomic_bool *cancel,
                                                  bool packetIndexes)
{
    auto out = std::make_unique<CaptureObservations>();
    describeIndex(index, *out);
    ObservationBuilder obs(*out,
                           packetIndexes && index.packetCount() <= std::numeric_limits<std::uint32_t>::max());
    // The wrap is decided over all the SA's packets, whichever flow they came on.
    struct Span
    {
        std::uint32_t minSeq = 0xffffffffu, maxSeq = 0;
    };
    std::unordered_map<EspSaId, Span, EspSaIdHash> spans;
    for (const EspSa &leg : index.espSas) {
        Span &sp = spans[espSaId(index, leg)];
        sp.minSeq = std::min(sp.minSeq, leg.minSeq);
        sp.maxSeq = std::max(sp.maxSeq, leg.maxSeq);
    }
    std::unordered_map<EspSaId, bool, EspSaIdHash> wraps;
    for (const auto &[id, sp] : spans)
        wraps.emplace(id, EspSequenceRule::wraps(sp.minSeq, sp.maxSeq));
    obs.setWraps(std::move(wraps));
    EspSaResolver legs(index.espSas);
    std::uint64_t n = 0;
    index.packets.forEach([&](const PacketRecord &r) {
        if (out->cancelled) return;
        if ((++n & 0xffff) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
            out->cancelled = true;
            return;
        }
        obs.add(r, r.isEsp() ? legs.find(r) : EspSaResolver::kNone, n - 1, index);
    });
    obs.finish(index);
    return out;
}

struct ObservationsDuringRead::State
{
    std::unique_ptr<CaptureObservations> out = std::make_unique<CaptureObservations>();
    ObservationBuilder obs{*out, false};
};

ObservationsDuringRead::ObservationsDuringRead() : d(std::make_unique<State>()) {}
ObservationsDuringRead::~ObservationsDuringRead() = default;

void ObservationsDuringRead::record(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables)
{
    d->obs.record(r, sa, tables);
}

std::unique_ptr<CaptureObservations> ObservationsDuringRead::finish(const CaptureIndex &index)
{
    // Fed in file order as observeIndex() feeds them; only a numbering that wrapped needed
    // the decision before the SA's first packet. A cancelled read is not read again.
    if (d->obs.wrapped() && !index.cancelled) return nullptr;
    describeIndex(index, *d->out);
    d->obs.finish(index);
    return std::move(d->out);
}

std::unique_ptr<CaptureObservations> observeCapture(const QStringList &paths, QString *error,
                                                    const ProgressFn &progress,
                                                    const std::atomic_bool *cancel, bool *readTwice,
                                                    bool readerThread, const TunnelScope &scope,
                                                    std::shared_ptr<const CaptureIndex> *indexOut)
{
    if (readTwice) *readTwice = false;
    {
        ObservationsDuringRead obs;
        std::shared_ptr<const CaptureIndex> index =
            loadCapture(paths, error, progress, cancel, IndexContents::TablesOnly, &obs, readerThread, scope);
        if (!index) return nullptr;
        if (auto out = obs.finish(*index)) {
            if (indexOut) *indexOut = std::move(index);
            return out;
        }
    }
    std::shared_ptr<const CaptureIndex> index =
        loadCapture(paths, error, progress, cancel, IndexContents::Records, nullptr, readerThread, scope);
    if (!index) return nullptr;
    if (readTwice) *readTwice = true;
    auto out = observeIndex(*index, cancel);
    if (indexOut) *indexOut = std::move(index);
    return out;
}

} // namespace ikev2wb
