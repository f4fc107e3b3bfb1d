#pragma once
// Follows a live capture as its pcapng arrives on a pipe (ikev2wb-capture's standard output):
// bytes are fed in whatever pieces the pipe gives; every complete block is handled once and
// dropped (memory holds one partial block at most), packets go into the same IndexBuilder a
// file load uses, and each ESP packet updates its SA's sequence tracker. snapshot() is cheap
// (the SA table and the new seconds of the timeline, never the packets), so a window can show
// the capture a few times a second however long it runs: the work is O(packets) in all.
#include "analyze/analysis.h"
#include "capture/pcapngstats.h"
#include "index/espsa.h"
#include "index/indexbuilder.h"

#include <QString>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace ikev2wb {

/// One ESP SA as the live capture sees it so far.
struct LiveSa
{
    std::uint32_t spi = 0;
    QString flow; // "src → dst" (with ports for ESP-in-UDP)
    Encapsulation encap = Encapsulation::Esp;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0; // outer IP bytes
    /// Sequence numbers are 64-bit by the file analysis' rule (EspSequenceRule, core/index/espsa.h):
    /// once the numbering has been both near 2^32 and near 0 it wrapped (ESN), and a fall to a
    /// small number from far above is a restart (a new run; these are the current run's).
    std::uint64_t firstSeq = 0; // lowest sequence number seen
    std::uint64_t topSeq = 0;   // highest
    /// Sequence numbers between the lowest and the highest not seen (yet): late packets within
    /// LiveCapture::kWindow of the top fill their gap; older ones count in `late`.
    std::uint64_t missing = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t late = 0; // arrived more than kWindow below the top: neither fill nor duplicate known
    bool esn = false;       // the numbering wrapped past 2^32
    std::uint32_t restarts = 0;
    std::uint64_t invalidZero = 0; // sequence number 0 (never sent: RFC 4303 §3.3.3)
};

/// One ESP packet on the live timeline of its SA.
struct LiveSeqPoint
{
    enum class Kind : std::uint8_t { InOrder, Late, Duplicate };
    std::int64_t tNs = 0;
    std::uint64_t seq = 0;    // 64-bit, as LiveSa's numbers
    std::uint64_t packet = 0; // its index in the capture (from 0)
    Kind kind = Kind::InOrder;
};
/// Sequence numbers a packet jumped over (missing so far: a late packet may still fill them).
struct LiveSeqGap
{
    std::int64_t tNs = 0; // the packet that jumped
    std::uint64_t first = 0;
    std::uint64_t count = 0;
};

/// What the window shows of a running capture.
struct LiveSnapshot
{
    QString interfaceName; // the IDB's if_name
    int linkType = -1;
    std::uint64_t streamBytes = 0; // pcapng bytes received
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0; // frame bytes on the wire
    std::array<std::uint64_t, std::size_t(PacketKind::Count_)> kindCounts{};
    std::size_t ikeMessages = 0;
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    std::vector<LiveSa> sas;
    /// The capturing machine's counters from the helper's latest statistics block (no value
    /// until the first one arrives).
    std::optional<CaptureDrops> drops;
    /// The per-second timeline of ESP packets and of sequence numbers found missing, from the
    /// capture's first packet; this snapshot carries buckets [seriesFrom, seriesFrom + size),
    /// the first of them possibly an update of one sent before.
    std::size_t seriesFrom = 0;
    std::vector<std::uint64_t> espPerSecond;
    std::vector<std::uint64_t> missingPerSecond;
    /// The ESP timeline of one SA (LiveCapture::setTimelineSa): its points and gaps from
    /// `timelineFrom`/`timelineGapsFrom` on (0 after a change of SA: its whole history, else what is new).
    std::size_t timelineSa = SIZE_MAX;
    std::size_t timelineFrom = 0;
    std::size_t timelineGapsFrom = 0;
    std::vector<LiveSeqPoint> timelinePoints;
    std::vector<LiveSeqGap> timelineGaps;
    /// The IKE messages so far as an index without packets (flows, ESP SAs, IKE messages) and
    /// their exchange analysis (core/analyze, as a file's): set only when IKE messages arrived
    /// since the previous snapshot, for the IKE ladder.
    std::shared_ptr<const CaptureIndex> ikeIndex;
    std::shared_ptr<const CaptureAnalysis> ikeAnalysis;
    QString error; // the stream is damaged: what and where (the capture stops being followed)
    /// Filled by whoever also runs a peer's capture (LiveCapture leaves them): bytes received
    /// from the peer so far.
    bool peer = false;
    std::uint64_t peerStreamBytes = 0;
    /// The start skew of the two ends: the peer's stream began this many milliseconds after the
    /// local one (negative: before), each stream's first bytes being its capture's start (the
    /// helper and tcpdump write their header once the interface is open); set once both began.
    bool peerStarted = false;
    std::int64_t peerStartSkewMs = 0;
};

class LiveCapture final
{
public:
    /// Sequence numbers tracked below the highest one of an SA (late arrivals fill their gap).
    static constexpr std::uint64_t kWindow = 4096;
    /// Longest block accepted (the helper's are at most 262144 + 32 bytes).
    static constexpr std::uint32_t kMaxBlock = 16u << 20;
    /// Timeline buckets kept (one a second: a week, the helper's longest duration).
    static constexpr std::size_t kMaxSeconds = 7 * 24 * 3600;

    LiveCapture();
    ~LiveCapture();
    LiveCapture(const LiveCapture &) = delete;
    LiveCapture &operator=(const LiveCapture &) = delete;

    /// Takes the next bytes of the stream. Returns false once the stream is damaged (error()).
    bool feed(const char *data, std::size_t size);
    [[nodiscard]] const QString &error() const { return m_error; }
    /// The state so far; the timeline from the bucket after the last snapshot's last one.
    LiveSnapshot snapshot();
    /// The SA (index into LiveSnapshot::sas) whose timeline the snapshots carry; the next one
    /// carries its whole history. SIZE_MAX: none.
    void setTimelineSa(std::size_t sa);
    /// Bytes of a block not complete yet (the stream ended there if it ends now).
    [[nodiscard]] std::size_t pendingBytes() const { return m_buf.size() - m_at; }

private:
    struct Interface
    {
        int linkType = -1;
        std::int64_t unitsPerSecond = 1000000; // if_tsresol (default microseconds)
        bool powerOfTwo = false;
        std::uint8_t exponent = 6;
        QString name;
        bool used = false; // packets go to the index (the first interface's link type)
    };
    struct SeqTracker
    {
        EspSequenceRule rule{false}; // becomes an ESN rule once the numbers show a wrap
        std::uint32_t min32 = 0xffffffffu, max32 = 0;
        std::uint64_t first = 0, distinct = 0;
        std::uint64_t duplicates = 0, late = 0, invalidZero = 0;
        std::uint64_t missingBefore = 0; // of the runs before a restart
        std::uint32_t restarts = 0;
        std::vector<std::uint64_t> seen; // bit (seq % kWindow): seq within kWindow below top was seen
        [[nodiscard]] std::uint64_t runMissing() const;
        /// Takes the next packet's 32-bit number; `*ext` its 64-bit one (0: invalid), `*kind` how
        /// it came. Returns how many numbers this packet showed missing (a jump past top + 1).
        std::uint64_t add(std::uint32_t seq, std::uint64_t *ext, LiveSeqPoint::Kind *kind);
    };
    bool block(const std::uint8_t *b, std::uint32_t len, std::uint64_t offset);
    void interfaceDescription(const std::uint8_t *b, std::uint32_t len);
    void packet(std::uint32_t ifId, std::uint64_t ts, const std::uint8_t *data, std::uint32_t capLen,
                std::uint32_t origLen);
    void statistics(const std::uint8_t *b, std::uint32_t len);
    bool fail(QString message);
    std::uint32_t rd32(const std::uint8_t *p) const;
    std::uint16_t rd16(const std::uint8_t *p) const;
    std::size_t bucketOf(std::int64_t tsNs);

    std::vector<std::uint8_t> m_buf;
    std::size_t m_at = 0;       // start of the unhandled bytes in m_buf
    std::uint64_t m_offset = 0; // stream offset of m_buf[m_at]
    bool m_inSection = false;
    bool m_swap = false;
    std::vector<Interface> m_interfaces; // of the current section
    std::unique_ptr<IndexBuilder> m_builder;
    int m_builderLinkType = -1;
    std::uint64_t m_bytes = 0;
    std::vector<SeqTracker> m_trackers;              // per espSas entry
    std::vector<std::vector<LiveSeqPoint>> m_points; // per espSas entry: its packets, for the timeline
    std::vector<std::vector<LiveSeqGap>> m_gaps;
    std::size_t m_timelineSa = SIZE_MAX;
    std::size_t m_timelineSent = 0, m_timelineGapsSent = 0;
    std::size_t m_ikeMessagesSent = 0;
    std::vector<std::uint64_t> m_espPerSecond, m_missingPerSecond;
    std::int64_t m_originNs = 0;
    std::size_t m_sentUpTo = 0; // buckets already sent complete
    /// Interface id → its latest ISB. Not per section: the helper's counters (pcap_stats) run
    /// from the start of the capture, also across the sections a ring's files make in the stream.
    std::map<std::uint32_t, IsbCounters> m_lastIsb;
    QString m_error;
};

} // namespace ikev2wb
