#pragma once
// MTU and fragmentation: outer packet sizes per ESP SA (histogram and percentiles), outer IP
// fragments of tunnel traffic, DF usage, ICMP need-frag / packet-too-big tied to tunnel flows
// through the headers they quote, the inferred path MTU, and PMTUD black-hole suspicion.
//
// JSON written by writeMtuJson under the key "mtu":
//   sas[]            {spi, src, dst, encap, packets, bin_bytes (64), histogram[26] (bins
//                    [0,64) .. [1536,1600) then >= 1600), p50, p90, p99, min, max, df_packets,
//                    df_fraction, large_packets, large_df_packets, fragmented, last_large_time,
//                    packets_after_last_large, sequence_missing, large_followed_by_reverse,
//                    small_followed_by_reverse (ESP in the reverse direction within 1 s),
//                    size_cliff (null, or {bytes: the smallest outer size from which on packets
//                    mostly drew no reverse ESP while smaller ones did, sent, answered: packets of
//                    that size or more; below_sent, below_answered: smaller packets;
//                    largest_answered_below: the largest smaller size answered at least as often
//                    as not, null if none; added: sent_final_second, below_sent_final_second:
//                    packets of that size or more / smaller ones sent in the capture's final
//                    second, which the four counts leave out)}}
//   largest_outer    {length, spi}
//   outer_fragments  {datagrams_complete, datagrams_incomplete, incomplete[] {time, src, dst, id,
//                    fragments, outcome}} for ESP (50) and UDP (17) datagrams
//   icmp_errors[]    {time, reporter, to, type, code, mtu, quoted_length, quoted_df, tunnel,
//                    spi (when it quotes an ESP SA of this capture)}
//   path_mtu         {value, source: "ptb" (smallest MTU in an ICMP error quoting tunnel traffic)
//                    | "largest_seen" (largest outer ESP packet; one capture cannot say more)
//                    | "none"}, min_icmp_mtu_any (any need-frag / PTB, tunnel or not)
//   black_hole       {level: "none" | "possible" | "suspected", spi, evidence[] (sentences)}
//   inner_tcp_syn_with_mss  count of visible TCP SYNs carrying an MSS option
#include "../index/captureindex.h"

#include <QString>
#include <QStringList>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace ikev2wb {

class JsonWriter;

inline constexpr int kMtuBinBytes = 64;
inline constexpr int kMtuBins = 26; // 25 bins up to 1600 bytes, then one overflow bin
/// Outer IP length from which a packet counts as "large" for black-hole suspicion: above the
/// IPv6 minimum MTU (1280), so it may not fit every path.
inline constexpr std::uint16_t kLargeOuterBytes = 1281;
/// Outer IP length from which an ESP packet is as large as a 1500-byte link carries: ESP lengths
/// step by the cipher's block (at most 16 bytes), so nothing of the SA can be larger by a block.
inline constexpr std::uint16_t kFullSizeOuterBytes = 1500 - 15;

/// Outer sizes of one ESP SA (one direction).
struct MtuSaSizes
{
    std::size_t espSa = 0; // index into CaptureIndex::espSas
    std::uint64_t packets = 0;
    std::array<std::uint64_t, kMtuBins> histogram{};
    std::uint16_t p50 = 0, p90 = 0, p99 = 0, min = 0, max = 0;
    std::uint64_t dfPackets = 0;
    std::uint64_t largePackets = 0;
    std::uint16_t largeDfMin = 0; // smallest of the large packets with DF set (0: none)
    std::uint64_t largeDfPackets = 0;
    std::uint64_t fragmented = 0;
    std::int64_t lastLargeNs = -1;
    std::uint64_t packetsAfterLastLarge = 0;
    std::int64_t lastNs = 0;
    std::uint64_t sequenceMissing = 0; // numbers never seen between min and max
    // Packets followed within kReplyWindow by any ESP packet in the reverse direction: a ping
    // or TCP segment that got through usually draws a reply; a black-holed one draws nothing.
    std::uint64_t largeFollowedByReverse = 0;
    std::uint64_t smallFollowedByReverse = 0;
    // The size cliff (sender side of a black hole): the smallest outer size, at least
    // kLargeOuterBytes, from which on packets mostly drew no reverse ESP while the smaller ones
    // mostly did. Found from the sizes sent, not from a fixed threshold, so a black hole at 1350
    // with 1292- and 1340-byte packets answered is found as well as one at 1400. 0 = none.
    std::uint16_t cliffSize = 0;
    std::uint64_t cliffSent = 0, cliffAnswered = 0; // packets of cliffSize bytes or more
    std::uint64_t belowSent = 0, belowAnswered = 0; // the smaller ones
    // Packets sent in the capture's final second, left out of the four counts above (their 1 s
    // for an answer runs past the capture's end): of cliffSize bytes or more, and smaller.
    std::uint64_t cliffLate = 0, belowLate = 0;
    std::uint16_t answeredBelow = 0;   // largest size below the cliff answered for at least half its packets
    std::int64_t answeredBelowNs = -1; // when one packet of that size was answered
    /// The first packet of the SA at answeredBelowNs (0-based, counting every packet observed),
    /// for a finding to cite without the records; -1 when not known (packets out of time order).
    std::int64_t answeredBelowPacket = -1;
    /// Each DF packet larger than every earlier DF packet of the SA (in the order fed): its outer
    /// length and time. The first DF packet above any size S is the first step above S; the list
    /// grows only with a new largest size (a handful of entries in practice, at most one per length).
    /// The longest run of backed-off resends on the SA (the sender side of a black hole without an
    /// ICMP error): DF packets of one large size (kLargeOuterBytes or more), each at least 200 ms
    /// after the one before and the gaps growing 1.6 to 2.6 times each time (TCP's retransmission
    /// timer doubles), none of the resends drawing reverse ESP within 1 s. ESP hides the inner
    /// packets: that they resend one TCP segment is read from the timing only. length 0 = none.
    struct Backoff
    {
        std::uint16_t length = 0;
        std::uint32_t resends = 0;     // packets of the run after its first
        std::uint32_t unanswered = 0;  // resends sent before the capture's final second (none answered)
        std::uint32_t late = 0;        // unanswered resends in the capture's final second (not judged)
        std::int64_t firstNs = -1;     // the run's first packet
        std::int64_t firstPacket = -1; // its 0-based number (as answeredBelowPacket), -1 not known
        std::int64_t firstResendNs = -1, lastNs = -1; // the first and the last resend
        std::int64_t firstResendPacket = -1;
        std::int64_t firstGapNs = 0, lastGapNs = 0;
        /// Smaller packets of the SA sent after the first resend and before the last one, and those
        /// of them that drew reverse ESP within 1 s: small packets got answers while the resends
        /// got none (else an outage of every size looks the same). Those in the capture's final
        /// second count only when answered.
        std::uint64_t smallSent = 0, smallAnswered = 0;
    };
    Backoff backoff;
    struct DfStep
    {
        std::uint16_t length = 0;
        std::int64_t tsNs = 0;
    };
    std::vector<DfStep> dfSteps;
    /// Sizes on either side of a time (addReceiverSuspicions()), in the order fed: each packet
    /// larger than every earlier one (sizeSteps), and each larger than every later one, the
    /// earliest first (sizeTail: the largest packet after a time is its first entry later than it).
    /// Both grow only with the distinct lengths.
    std::vector<DfStep> sizeSteps, sizeTail;
    std::uint64_t modePackets = 0; // packets of its most common length
    [[nodiscard]] std::uint16_t largestUpTo(std::int64_t tsNs) const;
    [[nodiscard]] std::uint16_t largestAfter(std::int64_t tsNs) const;
    [[nodiscard]] double dfFraction() const { return packets ? double(dfPackets) / double(packets) : 0; }
};

/// An ICMP need-frag / packet-too-big (or other unreachable) and the tunnel flow it quotes.
struct MtuIcmpError
{
    std::size_t icmpError = 0; // index into CaptureIndex::icmpErrors
    bool tunnel = false;       // quotes ESP / ESP-in-UDP / IKE of this capture
    std::int64_t espSa = -1;   // index into CaptureIndex::espSas, -1 if none
};

struct MtuBlackHole
{
    enum class Level : std::uint8_t { None, Possible, Suspected };
    Level level = Level::None;
    std::int64_t espSa = -1;
    QStringList evidence;
    // Sequence numbers missing on an SA in runs while only small packets of it arrived (see
    // addReceiverSuspicions()): a suspicion about the capture point downstream (a receiver's). The
    // others are about the SA's sender.
    bool atReceiver = false;
    // The suspicion rests on the SA's backed-off resends (MtuSaSizes::backoff) alone.
    bool backoff = false;
};

/// The reply check's tail of one direction (outer source → destination): its packets since the
/// last one that drew ESP of the reverse direction within 1 s, up to the capture's end, when the
/// reverse direction sent ESP at all. At the end that sends them, a peer that went silent. Counted
/// per run of packets with one outcome, not per packet. Not judged (no entry) when the ESP packets
/// came out of time order (MtuAnalyzer::Mode::KeepTimes).
struct MtuUnansweredTail
{
    IpAddress src, dst;
    std::uint64_t packets = 0;
    std::uint64_t late = 0; // of them, sent in the capture's final second (their second ran past it)
    std::int64_t firstNs = -1, lastNs = -1;
    std::int64_t firstPacket = -1; // the first one's 0-based number (as answeredBelowPacket), -1 not known
    std::size_t espSa = 0;         // the first one's SA: index into CaptureIndex::espSas
    // The reverse direction's (the peer's) latest run of ESP with no gap of more than 1 s: its
    // packets, its first packet's time and its last (the peer's last ESP to this end).
    std::uint64_t peerRunPackets = 0;
    std::int64_t peerRunFirstNs = -1, peerLastNs = -1;
};

struct MtuAnalysis
{
    std::vector<MtuSaSizes> sas;
    std::uint16_t largestOuter = 0;
    std::int64_t largestSa = -1;
    std::uint64_t fragmentsComplete = 0; // outer ESP/UDP datagrams reassembled
    std::uint64_t fragmentsIncomplete = 0;
    std::vector<std::size_t> incompleteDatagrams; // indexes into CaptureIndex::fragmentedDatagrams
    std::vector<MtuIcmpError> icmp;
    std::uint32_t pathMtu = 0;
    enum class PathMtuSource : std::uint8_t { None, Ptb, LargestSeen } pathMtuSource = PathMtuSource::None;
    std::uint32_t minIcmpMtuAny = 0;
    MtuBlackHole blackHole;
    std::vector<MtuBlackHole> saHoles;              // every SA's suspicion (level above None), in SA order
    std::vector<MtuUnansweredTail> unansweredTails; // by direction (source, destination)
    std::uint64_t innerTcpSynWithMss = 0;
    bool cancelled = false;
};
const char *pathMtuSourceName(MtuAnalysis::PathMtuSource s);
const char *blackHoleLevelName(MtuBlackHole::Level l);
/// Whether suspicion `x` ranks above `y` (a.blackHole is the top one of a.saHoles): a higher level,
/// else at the same level more large packets with DF set on x's SA. A.sas must hold both SAs.
bool ranksAbove(const MtuAnalysis &a, const MtuBlackHole &x, const MtuBlackHole &y);

/// The MTU analysis fed one packet at a time in capture order (observe()), then completed from
/// the index's tables (finish()). Per SA it keeps counters, a histogram of outer lengths and one
/// bit per sequence number; for the reply check only the ESP packets of the last second per
/// direction. That needs the ESP packets in time order: one arriving earlier than an ESP packet
/// before it makes outOfOrder() true, and the result of finish() is then not to be used (feed the
/// packets again to an analyzer made with KeepTimes, which keeps every ESP packet's time and
/// length and sorts them, as a capture whose clock stepped back needs).
class MtuAnalyzer final
{
public:
    enum class Mode : std::uint8_t { TimeOrdered, KeepTimes };
    /// `tables`: the index whose SA and flow tables the packets' SA ids refer to; it may still be
    /// growing while packets are observed (the SA of an observed packet must be in it).
    explicit MtuAnalyzer(const CaptureIndex &tables, Mode mode = Mode::TimeOrdered);
    ~MtuAnalyzer();
    MtuAnalyzer(const MtuAnalyzer &) = delete;
    MtuAnalyzer &operator=(const MtuAnalyzer &) = delete;
    /// The next packet; `sa`: its index into CaptureIndex::espSas, or kNoEspSa (not ESP, or no SA).
    static constexpr std::uint32_t kNoEspSa = 0xffffffffu;
    void observe(const PacketRecord &r, std::uint32_t sa);
    /// The next packets in order: records[i] with its SA sas[i]. The same as observe() of each;
    /// one call for a batch spares a call per packet.
    void observe(std::span<const PacketRecord> records, std::span<const std::uint32_t> sas);
    /// The tables given at construction moved (out of their builder, when the read ended): the
    /// packets still to be observed refer to `tables`.
    void setTables(const CaptureIndex &tables);
    /// An ESP packet came earlier than one before it (TimeOrdered mode only).
    [[nodiscard]] bool outOfOrder() const;
    /// The analysis; `index` is the finished index of the packets observed (its tables).
    MtuAnalysis finish(const CaptureIndex &index);

private:
    struct State;
    std::unique_ptr<State> d;
};

/// Feeds an MtuAnalyzer from the index's records (again with KeepTimes if they are out of order).
/// The receiver's side of a black hole is not in it: addReceiverSuspicions() adds it.
MtuAnalysis analyzeMtu(const CaptureIndex &index, const std::atomic_bool *cancel = nullptr);

struct EspSequenceAnalysis;
/// The receiver's side of a black hole, from the ESP sequence analysis of the same capture: an SA
/// whose missing sequence numbers come in runs (at least 2, the longest at least 3 numbers) with
/// packets of it arriving between them, no packet of kLargeOuterBytes or more arriving after the
/// first missing number, at least 10 packets, and no ICMP fragmentation-needed / packet-too-big
/// quoting tunnel traffic; and sizes that show size may matter: the largest packet before the first
/// missing number larger than every one after it and than the size every path carries (576 bytes
/// for IPv4, 1280 for IPv6), and below kFullSizeOuterBytes. Then the missing ones may be large
/// packets lost for their size (level Possible, atReceiver). One run is an outage's, single numbers random
/// loss's. Added to `a`'s saHoles (in SA order) and its top suspicion chosen again. analyzeCapture() and
/// CaptureAnalysisDuringRead call it once both analyses are done.
void addReceiverSuspicions(MtuAnalysis &a, const CaptureIndex &index, const EspSequenceAnalysis &esp);

} // namespace ikev2wb
