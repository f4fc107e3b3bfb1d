#pragma once
// The compact view of one capture that the endpoint comparison needs: per ESP SA the
// (sequence, time, size) of every packet, and every IKE message's matching key. Taken from the
// capture's CaptureIndex, or during the read without one (observeCapture()): 16 bytes per ESP
// packet plus the IKE messages, and the comparison sorts them in place.
#include "../index/captureindex.h"
#include "../index/indexbuilder.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace ikev2wb {

/// One ESP packet of an SA, in capture order. `epoch` is the high half of its 64-bit (ESN)
/// sequence number as EspSequenceRule (core/index/espsa.h) places it.
struct EspObservation
{
    std::int64_t tsNs = 0;
    std::uint32_t seqLow = 0;
    std::uint16_t size = 0; // outer IP length
    std::uint16_t epoch = 0;
    [[nodiscard]] std::uint64_t seq() const { return (std::uint64_t(epoch) << 32) | seqLow; }
};
static_assert(sizeof(EspObservation) == 16, "EspObservation must stay at 16 bytes");

/// One ESP SA (EspSaId: SPI and destination) as one capture saw it. A SPI that restarts its
/// sequence numbers (EspSequenceRule: reused for a new SA, or a peer that restarted) gets a new
/// `generation` and its own entry.
struct ObservedSa
{
    std::uint32_t spi = 0;
    std::uint16_t generation = 0;
    bool udp = false; // ESP-in-UDP
    IpAddress src;
    IpAddress dst;
    std::uint16_t srcPort = 0; // of the first packet (NAT may rebind later)
    std::uint16_t dstPort = 0;
    std::uint8_t maxTtl = 0; // IPv4 TTL / IPv6 hop limit: highest at the sender's own capture
    std::vector<EspObservation> packets;
    /// Per outer IP length (the index), the packet of that length with the lowest sequence
    /// number: what the comparison cites as a direction's largest delivered packet
    /// (ComparedPacket::packet) without per-packet indexes. `packet` is the first packet of the
    /// SA at that one's time (0-based index in its capture). Grows with the lengths seen.
    struct LowestOfLength
    {
        std::uint64_t seq = ~std::uint64_t(0);
        std::int64_t tsNs = 0;
        std::int64_t packet = -1;
    };
    std::vector<LowestOfLength> lowestOfLength;
    /// Each packet's index in its capture, parallel to `packets` (kept in step when they are
    /// sorted); empty unless observeIndex() was asked for them.
    std::vector<std::uint32_t> packetIndex;
};

/// One IKE message (or RFC 7383 fragment) with the fields that identify it on both sides.
struct ObservedIke
{
    std::int64_t tsNs = 0;
    IpAddress src;
    IpAddress dst;
    std::uint16_t srcPort = 0;
    std::uint16_t dstPort = 0;
    std::uint64_t ispi = 0;
    std::uint64_t rspi = 0;
    std::uint32_t messageId = 0;
    std::uint32_t length = 0;   // IKE header length field
    std::uint16_t size = 0;     // outer IP length
    std::uint16_t fragment = 0; // SKF fragment number, 0 if unfragmented
    std::uint8_t exchange = 0;
    std::uint8_t flags = 0; // IKE header flags (I, R)
    std::uint8_t ttl = 0;
    [[nodiscard]] bool isResponse() const { return (flags & 0x20) != 0; }
};

/// Everything one capture contributes to a comparison.
struct CaptureObservations
{
    CaptureFileInfo file;
    std::uint64_t packets = 0;
    std::uint64_t espPackets = 0;
    std::uint64_t ignoredPackets = 0; // not ESP/IKE (inner cleartext, ICMP, keepalives, ...)
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    std::vector<ObservedSa> sas;
    std::vector<ObservedIke> ike;
    QString readWarning;          // the read stopped early (truncated file)
    CaptureSet set;               // read as a set of files: the files and the gaps between them
    TunnelScope scope;            // the tunnel the read was scoped to (inactive: the whole capture)
    std::uint64_t outOfScope = 0; // packets outside it (counted in `packets`, not `ignoredPackets`)
    bool cancelled = false;
    [[nodiscard]] bool empty() const { return packets == 0; }
    /// Whether the capture was running at `tsNs`: inside its span and not in a gap between the
    /// files of a set (a file of the ring is missing).
    [[nodiscard]] bool contains(std::int64_t tsNs, std::int64_t marginNs = 0) const
    {
        return packets != 0 && tsNs >= firstNs - marginNs && tsNs <= lastNs + marginNs && !set.inGap(tsNs);
    }
};

/// The comparison's view of a capture, from its index in one pass over the records. `cancel`
/// is polled every 64 Ki packets; a cancelled run returns what it has with `cancelled` set (so
/// does an index whose read was cancelled). With `packetIndexes`, each SA also keeps the index
/// of every packet (ObservedSa::packetIndex: 4 more bytes per ESP packet) so the comparison can
/// pair the packets themselves (PacketPairing); not for captures of 2^32 packets or more.
std::unique_ptr<CaptureObservations>
observeIndex(const CaptureIndex &index, const std::atomic_bool *cancel = nullptr, bool packetIndexes = false);

/// The observations taken during a read, from each record as the read makes it (observeCapture();
/// a reader that feeds other observers from the same read holds one too). Give it every record.
class ObservationsDuringRead final : public RecordObserver
{
public:
    ObservationsDuringRead();
    ~ObservationsDuringRead() override;
    ObservationsDuringRead(const ObservationsDuringRead &) = delete;
    ObservationsDuringRead &operator=(const ObservationsDuringRead &) = delete;
    void record(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables) override;
    /// The observations of the finished read's `index`, equal to observeIndex() of an index with
    /// records; nullptr when one pass cannot give that (an SA's numbering wrapped past 2^32: it
    /// must be known from the SA's first packet), unless the read was cancelled (then the partial
    /// observations). Call once.
    std::unique_ptr<CaptureObservations> finish(const CaptureIndex &index);

private:
    struct State;
    std::unique_ptr<State> d;
};

/// The same observations taken during the read of a capture (one file, a folder or several
/// files, as loadCapture()), without per-packet records: memory is the observations (16 bytes
/// per ESP packet) and the index's tables. Equal to observeIndex() of the capture's index with
/// records; where one pass cannot give that (an SA whose numbering wraps past 2^32 must be known
/// to wrap from its first packet) the capture is read a second time with records (`readTwice`).
/// nullptr and `error` set when it cannot be opened. `readerThread` and `scope` as loadCapture().
/// `index`, when given, gets the index read (its tables; with records when read twice).
std::unique_ptr<CaptureObservations>
observeCapture(const QStringList &paths, QString *error, const ProgressFn &progress = {},
               const std::atomic_bool *cancel = nullptr, bool *readTwice = nullptr, bool readerThread = true,
               const TunnelScope &scope = {}, std::shared_ptr<const CaptureIndex> *index = nullptr);

} // namespace ikev2wb
