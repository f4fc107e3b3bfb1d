#pragma once
// Compares the captures of the two ends of an IPsec tunnel: which endpoint each capture
// belongs to, the direction of every SA, and per direction what was sent, received, lost in
// transit, missing from a capture, duplicated and reordered; the clock offset between the
// captures, one-way delay and jitter; loss against size, time and IKE events; and which IKE
// messages were lost and why IKE retransmitted. Matching uses SPIs and sequence numbers (ESP)
// and SPIs, message ID, flags, length and fragment number (IKE), never addresses, so one side
// may be behind NAT.
#include "observations.h"
#include "peertunnel.h"

#include <QString>
#include <QStringList>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

namespace ikev2wb {

struct CompareOptions
{
    double eventWindowS = 2.0; // ESP loss this close to an IKE exchange is attributed to it
    double outageMinS = 1.0;   // a run of consecutive losses at least this long is an outage
    std::uint32_t outageMinPackets = 3;
    std::uint32_t sizeBucket = 100; // bytes per bucket of loss-against-size
    /// Pair the ESP packets themselves (CompareResult::pairing) when comparing indexes.
    bool pairPackets = true;
    /// compareCaptureFiles(): the tunnel each side's read is scoped to ([0] A, [1] B; inactive:
    /// the whole capture).
    TunnelScope scope[2];
};

/// One ESP packet in a list: times are on the clock of the capture that holds it.
struct ComparedPacket
{
    std::uint32_t spi = 0;
    std::uint64_t seq = 0;
    std::int64_t tsNs = 0;
    std::uint16_t size = 0;
    /// Its index in its capture (0-based) where the comparison knows it (the largest delivered
    /// packet: ObservedSa::lowestOfLength), else -1.
    std::int64_t packet = -1;
};

struct ReorderedPacket
{
    std::uint32_t spi = 0;
    std::uint64_t seq = 0;
    std::int64_t tsNs = 0;          // arrival, receiver's clock
    std::uint32_t displacement = 0; // packets that arrived before it although sent after it (RFC 4737 extent)
};

struct OwdStats
{
    std::uint64_t samples = 0;
    double minMs = 0, medianMs = 0, p99Ms = 0, maxMs = 0;
    double jitterMs = 0; // mean |Δ delay| of consecutive packets in sending order (RFC 3550 style)
};

/// One-way delay of one SA in one second (sender's clock).
struct OwdBucket
{
    std::int64_t startNs = 0;
    std::uint64_t samples = 0;
    double minMs = 0, meanMs = 0, maxMs = 0, jitterMs = 0;
};

struct LossSecond
{
    std::int64_t startNs = 0; // sender's clock
    std::uint64_t sent = 0;
    std::uint64_t lost = 0;
};

struct SizeBucket
{
    std::uint32_t minSize = 0; // outer IP length, inclusive
    std::uint32_t maxSize = 0;
    std::uint64_t sent = 0;
    std::uint64_t lost = 0;
};

/// A run of consecutive losses (in sending order, all SAs of the direction).
struct Outage
{
    std::int64_t firstLostNs = 0; // sender's clock
    std::int64_t lastLostNs = 0;
    std::int64_t lastDeliveredBeforeNs = -1; // -1: none
    std::int64_t firstDeliveredAfterNs = -1;
    std::uint64_t lost = 0;
};

/// One SA of a direction.
struct SaComparison
{
    std::uint32_t spi = 0;
    std::uint16_t generation = 0;
    bool udp = false;
    QString senderBasis; // how the direction was decided: "addresses", "sequence gaps", "only one capture"
    IpAddress srcAtSender, dstAtSender, srcAtReceiver, dstAtReceiver;
    std::uint16_t srcPortAtSender = 0, dstPortAtSender = 0, srcPortAtReceiver = 0, dstPortAtReceiver = 0;
    bool atSender = false, atReceiver = false;
    std::uint64_t firstSeq = 0, lastSeq = 0;
    std::int64_t firstNs = 0, lastNs = 0; // sender's clock if seen there
    std::uint64_t sent = 0, received = 0, lost = 0, captureDropAtSender = 0, outsideSenderSpan = 0,
                  outsideReceiverSpan = 0, duplicated = 0, reordered = 0;
    OwdStats owd;
    std::vector<OwdBucket> owdSeries;
};

/// An IKE exchange and the ESP loss around it.
struct IkeEventLoss
{
    std::int64_t tsNs = 0; // first request, on capture A's clock
    std::uint8_t exchange = 0;
    std::uint32_t messageId = 0;
    std::uint64_t ispi = 0;
    int initiator = 0;                    // 0 = capture A's endpoint, 1 = B's
    std::uint64_t lostNearby[2] = {0, 0}; // ESP lost within ±eventWindowS, per direction (A→B, B→A)
};

/// One direction: packets sent by `from` (capture index 0 = A, 1 = B) and received by the other.
struct DirectionComparison
{
    int from = 0;
    QStringList spis;
    std::uint64_t sent = 0, received = 0, duplicated = 0, reordered = 0;
    std::vector<ComparedPacket> lostInTransit; // at sender, absent at receiver (sender's clock)
    std::vector<ComparedPacket>
        captureDropAtSender; // at receiver, absent at sender within its span (receiver's clock)
    std::vector<ComparedPacket>
        outsideSenderSpan; // at receiver, sent while the sender's capture was not running
    std::vector<ComparedPacket>
        outsideReceiverSpan;                // at sender, arrived while the receiver's capture was not running
    std::vector<ComparedPacket> duplicates; // extra copies at the receiver (receiver's clock)
    std::vector<ReorderedPacket> reorderedPackets;
    std::uint32_t maxDisplacement = 0;
    bool owdAbsolute = false; // false: delays relative to the minimum (offset not identifiable)
    OwdStats owd;
    std::vector<SizeBucket> lossBySize;
    bool sizeDependent = false; // every lost packet larger than every delivered one
    std::uint32_t largestDelivered = 0, smallestLost = 0;
    ComparedPacket largestDeliveredPacket; // its copy at the receiver (receiver's clock)
    std::vector<LossSecond> lossPerSecond;
    std::vector<Outage> outages;
    std::uint64_t lossBursts = 0, longestBurst = 0;
    std::uint64_t ikeSent = 0, ikeReceived = 0, ikeLost = 0;
    std::vector<SaComparison> sas;
};

/// Clock offset θ = clock(B) − clock(A).
struct ClockOffset
{
    bool identifiable = false;
    double offsetS = 0;
    double pathDelayS = 0;  // estimated minimum one-way path delay d
    double errorBoundS = 0; // |θ error| ≤ d
    double minDeltaAbS = 0; // min(t_B − t_A) over packets A→B = d_ab + θ
    double minDeltaBaS = 0; // min(t_A − t_B) over packets B→A = d_ba − θ
    bool haveAb = false, haveBa = false;
    QString assumption;
};

struct IkeLostMessage
{
    int from = 0;
    std::int64_t tsNs = 0; // sender's clock
    std::uint64_t ispi = 0, rspi = 0;
    std::uint32_t messageId = 0;
    std::uint8_t exchange = 0;
    bool response = false;
    std::uint16_t fragment = 0;
    std::uint16_t size = 0;
    std::uint32_t attempt = 0; // 1 = original, 2.. = retransmission
    /// Due at the receiver before its capture's first or after its last packet: counted lost,
    /// but if that capture was not running then, it was not lost (as ESP's lostBeyondReceiverSpan).
    bool beyondReceiverSpan = false;
};

struct IkeRetransmissionCause
{
    int from = 0;          // who retransmitted
    std::int64_t tsNs = 0; // sender's clock
    std::uint64_t ispi = 0;
    std::uint32_t messageId = 0;
    std::uint8_t exchange = 0;
    std::uint32_t attempt = 0;
    QString cause; // request_lost, response_lost, response_late, no_response, unknown
};

/// What became of one ESP packet of one capture, as the comparison classified it.
enum class PacketFate : std::uint8_t {
    Delivered,           // sent by this end, the same packet is in the other capture
    LostInTransit,       // sent by this end, never arrived at the other (its capture was running)
    OutsideReceiverSpan, // sent by this end, due at the other while its capture was not running
    Received,            // sent by the other end, which captured it too
    MissingAtSender,     // received here, absent from the sender's capture while it ran (capture drop)
    OutsideSenderSpan,   // received here, sent while the sender's capture was not running
    Duplicate,           // an extra copy of a packet this end already received
};
const char *packetFateName(PacketFate f);

/// One ESP packet of a tunnel SA in one capture and its counterpart in the other capture.
struct PacketPeer
{
    static constexpr std::uint32_t kNone = 0xffffffffu;
    std::uint32_t packet = 0;    // 0-based index in this capture
    std::uint32_t other = kNone; // the same packet in the other capture (Delivered, Received, Duplicate)
    PacketFate fate = PacketFate::Delivered;
    /// Sent by this capture's end (Delivered, LostInTransit, OutsideReceiverSpan).
    [[nodiscard]] bool sentHere() const
    {
        return fate == PacketFate::Delivered || fate == PacketFate::LostInTransit ||
               fate == PacketFate::OutsideReceiverSpan;
    }
};

/// Packet by packet: every ESP packet of the tunnel's SAs in capture A and in capture B with its
/// counterpart or the reason it has none. Packets of other tunnels have no entry.
struct PacketPairing
{
    std::vector<PacketPeer> side[2]; // [0] capture A, [1] capture B; sorted by packet
    /// Subtracted from t_receiver − t_sender for a one-way delay, per direction ([0] A→B): the
    /// receiver's clock lead (±θ) when the offset is identifiable, else the direction's minimum.
    std::int64_t delayBaseNs[2] = {0, 0};
    bool offsetApplied = false; // the clock offset is known and applied (else delays are relative)
    /// θ = clock(B) − clock(A); when not identifiable, the one matched direction's minimum delay
    /// taken as all offset (a path delay assumed zero).
    double offsetS = 0;

    [[nodiscard]] bool empty() const { return side[0].empty() && side[1].empty(); }
    /// The entry of packet `packet` (0-based) of capture `s`, null when it has none.
    [[nodiscard]] const PacketPeer *find(int s, std::uint64_t packet) const;
    /// Entries of capture `s` with this fate.
    [[nodiscard]] std::uint64_t count(int s, PacketFate fate) const;
    /// One-way delay (ns, clock offset applied) of an entry of capture `s` that has a
    /// counterpart: `tsHere` its time, `tsThere` the counterpart's (each on its own clock).
    [[nodiscard]] std::int64_t oneWayDelayNs(int s, const PacketPeer &p, std::int64_t tsHere,
                                             std::int64_t tsThere) const;
};

/// Facts about one of the two captures.
struct CompareSide
{
    CaptureFileInfo file;
    std::uint64_t packets = 0, espPackets = 0, ikeMessages = 0;
    std::int64_t firstNs = 0, lastNs = 0;
    std::vector<IpAddress> localAddresses; // this endpoint's own addresses as its capture shows them
    /// The other endpoint's addresses as this capture shows them (the remote outer address of its
    /// IKE/ESP): behind a NAT, the NAT's address rather than the peer's own.
    std::vector<IpAddress> peerAddresses;
    std::vector<std::uint32_t> otherSpis; // SAs not between these two endpoints (other tunnels)
    CaptureSet set;                       // read as a set of files: the files and the gaps between them
    TunnelScope scope;                    // the tunnel the read was scoped to (inactive: all)
    std::uint64_t outOfScope = 0;         // packets outside it (counted in `packets`)
};

/// What a comparison is busy with, for its progress reports.
enum class CompareStage : std::uint8_t {
    Reading, // both files, side by side: units are bytes of the two files together
    /// The peer's capture, read whole, holds several tunnels (a hub's) and one is proven A's
    /// (peerTunnelOf()): B read again as that tunnel alone. Units are bytes of B's files.
    ReadingTunnel,
    Comparing, // matching the SAs: units are ESP packets (each is visited twice)
};
/// `done` of `total` units of `stage`. Called from worker threads (while reading, from both
/// reading threads at once), up to a few hundred times per file: it must be thread-safe and
/// cheap (store into atomics, let the GUI poll them).
using CompareProgressFn = std::function<void(CompareStage stage, std::int64_t done, std::int64_t total)>;

/// Reading two files side by side as one Reading progress: bytes read of both together. Each
/// reading thread updates its own half; the sizes are known up front, so the total does not
/// grow when the second reader starts. Must outlive the reads.
class PairReadingProgress final
{
public:
    PairReadingProgress(const QString &pathA, const QString &pathB, CompareProgressFn progress);
    /// `stage`: what the reads are reported as (ReadingTunnel: the sides read again as their tunnel;
    /// a side not read again has no paths).
    PairReadingProgress(const QStringList &pathsA, const QStringList &pathsB, CompareProgressFn progress,
                        CompareStage stage = CompareStage::Reading);
    /// The ProgressFn for the reader of file `side` (0 = A, 1 = B); empty without a progress.
    ProgressFn side(int side);

private:
    CompareProgressFn m_progress;
    CompareStage m_stage = CompareStage::Reading;
    std::atomic<std::int64_t> m_read[2] = {0, 0};
    std::atomic<std::int64_t> m_size[2] = {0, 0};
};

struct CompareResult
{
    CompareSide side[2];
    ClockOffset clock;
    DirectionComparison directions[2]; // [0] A→B, [1] B→A
    std::uint64_t ikeMatched = 0;
    std::vector<IkeLostMessage> ikeLost;
    std::vector<IkeRetransmissionCause> ikeRetransmissions;
    std::vector<IkeEventLoss> ikeEvents;
    /// Filled by compareIndexes() (CompareOptions::pairPackets); empty from observations
    /// taken without packet indexes (compareCaptureFiles()).
    PacketPairing pairing;
    /// How B's tunnels were judged against A when B was read without a tunnel given for it
    /// (compareCaptureFiles(), Investigation::openPair()): Spis when B, a hub's capture, was read
    /// as the one tunnel proven A's; OneTunnel when B holds one tunnel or its tunnel was given.
    PeerTunnel peerTunnel;
    /// The mirror (side 0): how capture A's tunnels were judged against B when A was read without a
    /// tunnel given for it: Spis when A, a hub's capture, was read as the one tunnel proven B's.
    PeerTunnel ownTunnel;
    QStringList notes;
    bool cancelled = false; // the cancel flag stopped it: the result is incomplete, do not use it
};

/// Compares two captures' observations (observeIndex()). Takes them by value because the per-SA
/// packet lists are sorted in place (move them in to keep memory at one copy).
/// `cancel` is polled between SAs; a cancelled run returns at once with `cancelled` set.
CompareResult compareCaptures(CaptureObservations a, CaptureObservations b,
                              const CompareOptions &options = {}, const CompareProgressFn &progress = {},
                              const std::atomic_bool *cancel = nullptr);

/// Compares two captures from their indexes: observeIndex() of each (side by side), then
/// compareCaptures(). The indexes are only read. `result.cancelled` is set when `cancel` (or an
/// index whose read was cancelled) stopped it.
CompareResult compareIndexes(const CaptureIndex &a, const CaptureIndex &b, const CompareOptions &options = {},
                             const CompareProgressFn &progress = {},
                             const std::atomic_bool *cancel = nullptr);

/// How a pair's captures were judged against each other: [0] capture A's tunnels (ownTunnelOf()),
/// [1] B's (peerTunnelOf()).
using PairTunnels = std::array<PeerTunnel, 2>;

/// A pair's captures read (`a`, `b` their indexes), each whole where `given` has no tunnel for it:
/// judges each one holding the IKE/ESP of several tunnels (a hub's) against the other, B's first
/// (peerTunnelOf()) and A's (ownTunnelOf(), the mirror: A the hub's, B a spoke's), both from these
/// reads; then reads again, side by side, each side whose tunnel is proven, as that tunnel:
/// `readAgain(side, scope, progress)` (0 = A, 1 = B) replaces that side's read (called on two threads
/// at once when both are read again; progress ReadingTunnel, bytes of the files read again). The one
/// "judge, then read again" of compareCaptureFiles() and Investigation.
PairTunnels
readProvenTunnels(const CaptureIndex &a, const CaptureIndex &b, const QStringList &pathsA,
                  const QStringList &pathsB, const TunnelScope (&given)[2], const CompareProgressFn &progress,
                  const std::function<void(int, const TunnelScope &, const ProgressFn &)> &readAgain);

/// Reads both files into their indexes (in parallel) and compares them. B read without a tunnel
/// given for it (`options.scope[1]` inactive) and holding several (a hub's) is judged against A
/// (peerTunnelOf()) and, when one is proven A's, read again as that tunnel before the comparison
/// (`result.peerTunnel` says which and why). False and `error` naming the file
/// when either cannot be opened, and false with `result.cancelled` set (and `error` saying so) when `cancel`
/// stopped it.
bool compareCaptureFiles(const QString &a, const QString &b, CompareResult &result, QString *error,
                         const CompareOptions &options = {}, const CompareProgressFn &progress = {},
                         const std::atomic_bool *cancel = nullptr);
/// The same with each side given as several files or folders read as one capture (a ring).
bool compareCaptureFiles(const QStringList &a, const QStringList &b, CompareResult &result, QString *error,
                         const CompareOptions &options = {}, const CompareProgressFn &progress = {},
                         const std::atomic_bool *cancel = nullptr);

} // namespace ikev2wb
