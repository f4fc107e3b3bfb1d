#pragma once
// One pass over a capture: dissect every record, reassemble IP fragments, and fill a
// CaptureIndex. Also the one-call loader used by the CLI, the GUI workers and the tests.
#include "../dissect/dissector.h"
#include "captureindex.h"

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>

namespace ikev2wb {

inline constexpr std::uint32_t kNoFlow = 0xffffffffu;

/// Sees every packet's record as the read makes it, in file order, whether or not the index keeps
/// the records: an analyzer fed during the read needs none kept. `sa` is the packet's index into
/// `tables.espSas` (IndexBuilder::kNoSa if it is not ESP); `tables` is the index built so far.
class RecordObserver
{
public:
    virtual ~RecordObserver() = default;
    virtual void record(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables) = 0;
};

/// Visits the records of `index` in file order, `visit(record, sa)` (sa as RecordObserver's)
/// until it returns false. False when the index keeps no records (IndexContents::TablesOnly):
/// what needs a pass over the packets then is taken during the read (RecordObserver).
bool revisitRecords(const CaptureIndex &index,
                    const std::function<bool(const PacketRecord &, std::uint32_t)> &visit);

class IndexBuilder final
{
public:
    explicit IndexBuilder(const CaptureFileInfo &file);
    /// The next records come from another file of the same capture (a set of files read as one):
    /// its link type may differ; packet numbers, flows, SAs and IKE messages continue.
    void beginFile(const CaptureFileInfo &file) { m_dissector.setLinkType(file.linkType); }
    /// TablesOnly: add() counts packets instead of storing their records.
    void setContents(IndexContents c) { m_keepRecords = c == IndexContents::Records; }
    /// Every record goes to `o` too (nullptr: none); `o` must outlive the pass.
    void setObserver(RecordObserver *o) { m_observer = o; }
    /// Only the packets of this tunnel enter the tables; the others become OutOfScope records.
    void setScope(const TunnelScope &scope) { m_index.scope = scope; }
    /// Adds the next record of the capture.
    void add(const RawPacket &pkt);
    /// Ends the pass: flushes the reassembler and records how the read ended.
    CaptureIndex finish(const ReadOutcome &outcome);
    /// The index as built so far (a live capture reads its counters and SAs between packets).
    [[nodiscard]] const CaptureIndex &current() const { return m_index; }
    /// The ESP SA (index into espSas) of the packet add() just took; kNoSa if it was not ESP.
    static constexpr std::uint32_t kNoSa = 0xffffffffu;
    [[nodiscard]] std::uint32_t lastEspSa() const { return m_lastEspSa; }

private:
    struct FlowKey
    {
        IpAddress src;
        IpAddress dst;
        std::uint16_t srcPort;
        std::uint16_t dstPort;
        std::uint8_t proto;
        bool operator==(const FlowKey &) const = default;
    };
    struct FlowKeyHash
    {
        std::size_t operator()(const FlowKey &k) const noexcept;
    };
    std::uint32_t flowFor(const PacketFacts &f, std::int64_t tsNs, std::uint32_t ipLen);
    std::uint32_t flowIdOf(const FlowKey &key, std::int64_t tsNs); // made if new
    void addEsp(const PacketFacts &f, PacketRecord &rec);
    void addIke(const PacketFacts &f, PacketRecord &rec, bool fromReassembly);
    void addIcmp(const PacketFacts &f, PacketRecord &rec);
    void warn(std::int64_t packet, QString message);
    void completeFromReassembly();
    /// The packet's record to the observer and the store (or counted): the next packet's number.
    void keep(const PacketRecord &rec);

    CaptureIndex m_index;
    Dissector m_dissector;
    Reassembler m_reassembler;
    std::vector<std::uint8_t> m_datagram;
    std::unordered_map<FlowKey, std::uint32_t, FlowKeyHash> m_flowIds;
    std::unordered_map<std::uint64_t, std::uint32_t> m_saIds;          // (spi << 32 | flow) → espSas
    std::unordered_map<std::uint64_t, std::uint32_t> m_ikeByFirstFrag; // first fragment packet → ikeMessages
    // Direct-mapped caches in front of m_flowIds and m_saIds: captures interleave a handful of
    // flows and SAs, and the maps' prime-modulo bucket lookup was the largest per-packet cost.
    struct FlowCacheEntry
    {
        FlowKey key{};
        std::uint32_t id = kNoFlow;
    };
    struct SaCacheEntry
    {
        std::uint64_t key = ~0ULL;
        std::uint32_t id = 0;
    };
    /// An IPv4 flow's 5-tuple in 16 bytes (addresses; ports, protocol, bit 40 set), in front of
    /// m_flowCache.
    struct V4CacheEntry
    {
        std::uint64_t k0 = 0, k1 = 0;
        std::uint32_t id = kNoFlow;
    };
    static constexpr std::size_t kCacheSize = 256;
    std::array<FlowCacheEntry, kCacheSize> m_flowCache{};
    std::array<V4CacheEntry, kCacheSize> m_v4FlowCache{};
    std::array<SaCacheEntry, kCacheSize> m_saCache{};
    std::uint64_t m_packetIndex = 0;
    std::int64_t m_previousNs = 0; // the previous packet's timestamp (file order)
    std::uint32_t m_lastEspSa = kNoSa;
    bool m_keepRecords = true;
    RecordObserver *m_observer = nullptr;
};

/// Reads a whole capture into an index. Returns nullptr and sets `error` when the file cannot be
/// opened at all; a file that breaks off midway gives a partial index with a warning.
/// A folder is read as one capture made of its capture files (loadCaptureSet()).
/// `readerThread` false: libpcap runs on the calling thread (CaptureReader::setReaderThread).
/// `scope` active: only that tunnel's packets are analysed (TunnelScope).
std::unique_ptr<CaptureIndex>
loadCapture(const QString &path, QString *error, const ProgressFn &progress = {},
            const std::atomic_bool *cancel = nullptr, IndexContents contents = IndexContents::Records,
            RecordObserver *observer = nullptr, bool readerThread = true, const TunnelScope &scope = {});
/// Several files and folders read as ONE capture (a ring of files): see captureset.h. One plain
/// file is read as loadCapture(path) reads it.
std::unique_ptr<CaptureIndex>
loadCapture(const QStringList &paths, QString *error, const ProgressFn &progress = {},
            const std::atomic_bool *cancel = nullptr, IndexContents contents = IndexContents::Records,
            RecordObserver *observer = nullptr, bool readerThread = true, const TunnelScope &scope = {});

} // namespace ikev2wb
