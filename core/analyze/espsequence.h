#pragma once
// ESP sequence-number analysis per SA: loss as seen at this capture point, duplicates,
// reordering told apart from loss (RFC 4737), rates over time, and what receivers with
// different anti-replay windows would have dropped (RFC 4303 §3.4.3, Linux xfrm_replay.c).
#include "../index/captureindex.h"

#include <QString>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

namespace ikev2wb {

class JsonWriter;

/// Receiver windows the analysis emulates (strongSwan's default is 32).
inline constexpr std::array<std::uint32_t, 6> kEmulatedReplayWindows{32, 64, 128, 256, 1024, 4096};

/// A run of consecutive sequence numbers that never arrived (one loss burst).
/// Sequence numbers are 64-bit: with ESN they continue past 2^32.
struct EspMissingRange
{
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::int64_t afterNs = 0;  // arrival of the packet carrying first - 1
    std::int64_t beforeNs = 0; // arrival of the packet carrying last + 1
    std::uint32_t epoch = 0;   // 0 unless the sender restarted its numbering
    int fileGap = -1;          // into CaptureIndex::fileGaps: the range spans that gap between files
    [[nodiscard]] std::uint64_t count() const { return last - first + 1; }
};

/// What one emulated receiver window would have done with the SA's packets.
struct EspReplayOutcome
{
    std::uint32_t window = 0;
    std::uint64_t outsideWindow = 0;    // too old (with ESN this includes esnMismatch)
    std::uint64_t replayed = 0;         // bit already set
    std::uint64_t invalid = 0;          // sequence number 0
    std::uint64_t esnMismatch = 0;      // ESN: high half guessed wrong, the kernel counts it as "failed"
    std::uint64_t droppedFirstSeen = 0; // drops of packets that were not capture duplicates
    [[nodiscard]] std::uint64_t dropped() const { return outsideWindow + replayed + invalid; }
};

/// Per-second series (bucket width grows in powers of two to stay within kMaxBuckets).
struct EspRateSeries
{
    static constexpr std::size_t kMaxBuckets = 4096;
    std::int64_t startNs = 0;
    std::int64_t bucketNs = 1000000000;
    std::vector<std::uint64_t> packets;
    std::vector<std::uint64_t> bytes;   // outer IP bytes
    std::vector<std::uint64_t> missing; // sequence numbers lost, by the time of the gap
};

/// One numbering run of an SA: the whole SA, unless the sender started again from a low number.
struct EspEpoch
{
    std::uint64_t firstSeq = 0; // lowest sequence number seen
    std::uint64_t lastSeq = 0;  // highest
    std::uint64_t packets = 0;
    std::uint64_t missing = 0;
    std::int64_t firstNs = 0;
};

/// What the suite estimate (estimateSuiteFromEspLengths(), core/analyze/overhead.h) takes from a
/// list of ESP lengths (ESP header..ICV), one length at a time: memory is the distinct lengths
/// (at most kMaxDistinct), not the lengths.
struct EspLengthSummary
{
    static constexpr std::size_t kMaxDistinct = 4096;
    std::uint64_t lengths = 0; // added, short ones included
    std::uint64_t used = 0;    // of 20 bytes or more (shorter: keepalives, junk)
    std::uint32_t first = 0;   // the first used one
    std::uint32_t minLen = 0;
    std::uint32_t gcd = 0;                 // of the differences to `first`
    std::vector<std::uint32_t> distinct;   // the used ones, sorted, each once, the first kMaxDistinct
    std::vector<std::uint64_t> inDistinct; // add()'s bit per length (below 2^16) in `distinct`
    /// Inline up to a length already in `distinct`, found by its bit (it runs for each of an SA's
    /// first 20,000 packets: as a call it was 69 instructions, callgrind); the rest in addNew().
    void add(std::uint32_t len)
    {
        ++lengths;
        if (len < 20) return;
        if (used++ == 0) first = minLen = len;
        minLen = std::min(minLen, len);
        // Once 1 the gcd stays 1 (most SAs get there within a few packets): no division loop then.
        if (gcd != 1) gcd = std::gcd(gcd, len > first ? len - first : first - len);
        const std::size_t w = len >> 6;
        if (len < (std::uint32_t(1) << 16) && w < inDistinct.size() && (inDistinct[w] >> (len & 63)) & 1)
            return;
        addNew(len);
    }
    /// add() of a length not found by its bit: inserted in order when there is room.
    void addNew(std::uint32_t len);
};

/// Sequence analysis of one SA (one entry of CaptureIndex::espSas, same order).
struct EspSaSequence
{
    std::uint32_t saIndex = 0; // into CaptureIndex::espSas
    std::uint32_t spi = 0;
    std::uint64_t packets = 0; // all, including invalid sequence 0
    std::uint64_t bytes = 0;   // outer IP bytes
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    std::uint64_t firstSeq = 0; // lowest sequence number of the first epoch
    std::uint64_t lastSeq = 0;  // highest sequence number of the last epoch
    bool esn = false;           // numbering wrapped past 2^32, so the SA must use ESN
    std::uint32_t restarts = 0; // numbering fell back to a small number far below the top
    std::vector<EspEpoch> epochs;

    std::uint64_t missing = 0;                  // sequence numbers absent inside each epoch's [first, last]
    std::vector<EspMissingRange> missingRanges; // in order; at most kMaxStoredRanges
    bool missingRangesTruncated = false;
    // Absent across a gap between the files of a capture set (a file of the ring is missing):
    // not captured, so neither in `missing` nor in the loss bursts.
    std::uint64_t notCaptured = 0;
    std::vector<EspMissingRange> notCapturedRanges; // at most kMaxStoredRanges
    std::uint64_t lossBursts = 0;                   // = number of missing ranges
    std::uint64_t longestBurst = 0;

    std::uint64_t duplicates = 0;         // a sequence number seen again
    std::uint64_t reordered = 0;          // arrived after a higher number and filled a gap (RFC 4737)
    std::uint64_t maxReorderDistance = 0; // RFC 4737 reordering extent, in packets
    std::int64_t maxReorderNs = 0;        // RFC 4737 late-time offset: since the packet that overtook it
    std::uint64_t maxReorderLag = 0;      // largest (top - seq) of a reordered packet
    std::uint64_t invalidSeqZero = 0;
    std::uint64_t lateUntracked = 0; // older than the tracking horizon: neither gap fill nor duplicate known
    /// Packets numbered ahead of the run that nothing went on from. Far ahead (more than kHorizon
    /// above its top): the next packet continued the run, was far from both, or there was none
    /// (the SA's last packet, the run's last before a restart). Nearer: the packets after it went
    /// on from the run below it, in order, until its own number arrived in turn or the run ended
    /// (a low bit flipped: 1000 arriving as 1008, then 1001..1008). A corrupted or forged number,
    /// neither loss nor reordering; the receiver's integrity check drops it.
    std::uint64_t outOfRun = 0;

    /// The lag (top - seq when it arrived) of every reordered packet, as (lag, packets with it),
    /// ascending: grows with the distinct lags (at most kHorizon), not with the packets. Without
    /// ESN a receiver window of W packets drops exactly the first-seen packets with a lag >= W
    /// (an earlier number's bit is set only if it was accepted, i.e. seen), so any window is
    /// judged from it without another pass (reorderedAtLeast()).
    std::vector<std::pair<std::uint64_t, std::uint64_t>> reorderLags;
    std::vector<EspReplayOutcome> antiReplay; // one per emulated window, ascending
    std::uint32_t minSafeWindow = 0;  // smallest emulated window dropping no first-seen packet, 0 = none
    std::uint64_t minWindowExact = 0; // maxReorderLag + 1: the smallest window that drops none

    EspRateSeries series;
    /// ESP lengths of its first kSuiteLengths ESP packets (outer IP length minus the IP and UDP
    /// headers; IP fragments skipped), for the suite estimate (what espLengthsForSa() lists).
    static constexpr std::uint64_t kSuiteLengths = 20000;
    EspLengthSummary lengths;

    /// Reordered packets that arrived `lag` or more numbers behind the top (reorderLags).
    [[nodiscard]] std::uint64_t reorderedAtLeast(std::uint64_t lag) const
    {
        std::uint64_t n = 0;
        for (auto it = reorderLags.rbegin(); it != reorderLags.rend() && it->first >= lag; ++it)
            n += it->second;
        return n;
    }
};

struct EspSequenceAnalysis
{
    static constexpr std::size_t kMaxStoredRanges = 100000;
    /// Late packets are matched against gaps up to this many numbers behind the top; older gaps are final.
    static constexpr std::uint64_t kHorizon = 65536;
    std::vector<EspSaSequence> sas;
    bool cancelled = false;
};

/// What to emulate. The default windows are kEmulatedReplayWindows; a configured window (e.g.
/// strongSwan's replay_window) can be added. Sizes are sorted and made unique.
struct EspSequenceOptions
{
    std::vector<std::uint32_t> windows{kEmulatedReplayWindows.begin(), kEmulatedReplayWindows.end()};
};

/// The sequence analysis fed packet by packet (file order), so it can run during the read
/// without per-packet records. `finished`: the finished index when the packets come from its
/// records (every SA's ESN rule is known before its first packet); nullptr during a read, where
/// an SA is analysed as not wrapping past 2^32 and needsRecords() tells whether that held.
class EspSequenceAnalyzer final
{
public:
    explicit EspSequenceAnalyzer(const EspSequenceOptions &options = {},
                                 const CaptureIndex *finished = nullptr);
    ~EspSequenceAnalyzer();
    EspSequenceAnalyzer(const EspSequenceAnalyzer &) = delete;
    EspSequenceAnalyzer &operator=(const EspSequenceAnalyzer &) = delete;
    /// The next ESP packet; `sa`: its index into CaptureIndex::espSas.
    void observe(const PacketRecord &r, std::uint32_t sa);
    /// The next packets in order: records[i] with its SA sas[i] (0xffffffff: none, skipped). The
    /// same as observe() of each; one call for a batch spares a call per packet.
    void observe(std::span<const PacketRecord> records, std::span<const std::uint32_t> sas);
    /// Whether a result fed during the read would differ from one fed from the finished index's
    /// records: an SA's numbering wrapped past 2^32 (ESN), or a set has gaps between its files.
    [[nodiscard]] bool needsRecords(const CaptureIndex &index) const;
    /// The analysis; `index`: the finished index of the packets observed.
    EspSequenceAnalysis finish(const CaptureIndex &index);

private:
    struct State;
    std::unique_ptr<State> d;
};

/// One pass over the index. `cancel` is polled every 64 Ki packets; a cancelled run returns
/// what it had with `cancelled` set.
EspSequenceAnalysis analyzeEspSequences(const CaptureIndex &index, const std::atomic_bool *cancel = nullptr);
EspSequenceAnalysis analyzeEspSequences(const CaptureIndex &index, const EspSequenceOptions &options,
                                        const std::atomic_bool *cancel = nullptr);

} // namespace ikev2wb
