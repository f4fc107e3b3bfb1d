#include "mtu.h"

#include "analyzeutil.h"
#include "espsequence.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

namespace ikev2wb {

using namespace analyze_detail;

namespace {

constexpr std::uint64_t kMinLargeDf = 3;            // a handful of large DF packets, not one odd one
constexpr std::uint64_t kMinPacketsAfterLarge = 10; // traffic that went on after the large sizes stopped
constexpr std::int64_t kMinTimeAfterLargeNs = 5 * kNsPerS;
constexpr std::int64_t kReplyWindowNs = 1 * kNsPerS;
// A run of a direction's packets ends at a longer gap than this: a peer answering a 1 s or 2 s
// ping (its answers 1.000x s apart) runs steadily (review of 2e95fff).
constexpr std::int64_t kRunGapNs = 3 * kNsPerS;
// Backed-off resends (MtuSaSizes::Backoff): TCP's retransmission timeout is at least 200 ms (Linux
// TCP_RTO_MIN; RFC 6298 asks for 1 s) and doubles with each resend of the same segment.
constexpr std::int64_t kMinResendGapNs = 200 * kNsPerS / 1000;
constexpr std::uint32_t kMinResends = 3; // unanswered, before the capture's final second

int binOf(std::uint16_t len)
{
    return std::min(int(len) / kMtuBinBytes, kMtuBins - 1);
}

/// Packets per outer length of one SA, 4 bytes a length: the lengths up to 2047 from the start
/// (no size check on a packet's path but for a jumbo one), a count that wraps past 2^32 carried
/// in a map (so a count is exact whatever the packets; no SA sends 4 billion of one size).
class LengthCounts
{
public:
    static constexpr std::size_t kInitial = 2048;
    void add(std::uint16_t len)
    {
        if (len >= m_counts.size()) m_counts.resize(std::max<std::size_t>(kInitial, std::size_t(len) + 1), 0);
        if (++m_counts[len] == 0) ++m_wraps[len];
    }
    [[nodiscard]] std::size_t size() const { return m_counts.size(); }
    [[nodiscard]] std::uint64_t operator[](std::size_t len) const
    {
        const std::uint64_t n = m_counts[len];
        if (m_wraps.empty()) return n;
        const auto it = m_wraps.find(std::uint16_t(len));
        return it == m_wraps.end() ? n : n + (it->second << 32);
    }

private:
    std::vector<std::uint32_t> m_counts;
    std::map<std::uint16_t, std::uint64_t> m_wraps; // count / 2^32 of a length that wrapped
};

/// The k-th smallest lengths for the nearest ranks of p50/p90/p99 (as analyze_detail::quantile
/// picks them), the smallest, the largest and the histogram, from the SA's count of packets per
/// length.
void lengthQuantiles(const LengthCounts &counts, std::uint64_t n, MtuSaSizes &m)
{
    const double qs[3] = {0.5, 0.9, 0.99};
    std::uint16_t *out[3] = {&m.p50, &m.p90, &m.p99};
    std::uint64_t seen = 0;
    int next = 0;
    bool haveMin = false;
    for (std::size_t len = 0; len < counts.size(); ++len) {
        const std::uint64_t c = counts[len];
        if (!c) continue;
        m.histogram[std::size_t(binOf(std::uint16_t(len)))] += c;
        if (!haveMin) {
            m.min = std::uint16_t(len);
            haveMin = true;
        }
        m.max = std::uint16_t(len);
        m.modePackets = std::max(m.modePackets, c);
        seen += c;
        while (next < 3 && std::min(std::uint64_t(qs[next] * double(n - 1) + 0.5), n - 1) < seen)
            *out[next++] = std::uint16_t(len);
    }
}

/// Packets of one outer size of an SA: sent, answered by reverse ESP within kReplyWindowNs, and
/// when one of them was answered.
struct SizeClass
{
    std::uint32_t sent = 0, answered = 0;
    std::uint32_t late = 0; // sent in the capture's final second: not in `sent`
    std::int64_t answeredNs = -1;
    std::int64_t answeredPacket = -1; // MtuSaSizes::answeredBelowPacket of answeredNs
};

/// The size cliff of one SA (MtuSaSizes::cliffSize and the counts around it) from its size
/// classes (index 0 = kLargeOuterBytes) and its smaller packets taken together.
void findSizeCliff(const std::vector<SizeClass> &classes, std::uint64_t smallSent, std::uint64_t smallLate,
                   std::uint64_t smallAnsweredCount, std::uint16_t smallAnswered,
                   std::int64_t smallAnsweredNs, std::int64_t smallAnsweredPacket,
                   std::int64_t smallLatestAnsweredNs, std::int64_t firstLargeUnansweredNs, MtuSaSizes &m)
{
    // The cliff T: the smallest size above the largest size answered at least as often as
    // not, so that every size from T on went mostly unanswered; then, together, packets of
    // T bytes or more must have been answered at most 40 % of the time against at least half
    // of the smaller ones, 50 points apart (or at most 20 % against half).
    std::size_t t = 0;
    for (std::size_t c = 0; c < classes.size(); ++c)
        if (classes[c].sent && 2 * classes[c].answered >= classes[c].sent) t = c + 1;
    std::uint64_t hiSent = 0, hiAnswered = 0, loSent = smallSent, loAnswered = smallAnsweredCount;
    for (std::size_t c = 0; c < classes.size(); ++c) {
        (c < t ? loSent : hiSent) += classes[c].sent;
        (c < t ? loAnswered : hiAnswered) += classes[c].answered;
    }
    while (t < classes.size() && classes[t].sent == 0)
        ++t;
    const double hi = hiSent ? double(hiAnswered) / double(hiSent) : 1;
    const double lo = loSent ? double(loAnswered) / double(loSent) : 0;
    if (t == classes.size() || hiSent < kMinLargeDf || lo < 0.5 ||
        !(hi <= 0.2 || (hi <= 0.4 && lo - hi >= 0.5)))
        return;
    // Sizes went unanswered only if smaller ones were still answered after the first large packet
    // that was not: when nothing was answered from then on, every size went silent together (an
    // outage, the peer gone), and the sizes that happened to be sent then prove nothing.
    std::int64_t latestBelow = smallLatestAnsweredNs;
    for (std::size_t c = 0; c < t; ++c)
        latestBelow = std::max(latestBelow, classes[c].answeredNs);
    if (firstLargeUnansweredNs >= 0 && latestBelow < firstLargeUnansweredNs) return;
    m.cliffSize = std::uint16_t(kLargeOuterBytes + t);
    m.cliffSent = hiSent;
    m.cliffAnswered = hiAnswered;
    m.belowSent = loSent;
    m.belowAnswered = loAnswered;
    m.belowLate = smallLate;
    for (std::size_t c = 0; c < classes.size(); ++c)
        (c < t ? m.belowLate : m.cliffLate) += classes[c].late;
    // The lower bound: the largest size below T answered like the small packets (at least two
    // of its packets and 80 % of them; one lucky answer near a reply to something else
    // proves nothing), else the largest small packet answered.
    m.answeredBelow = smallAnswered;
    m.answeredBelowNs = smallAnsweredNs;
    m.answeredBelowPacket = smallAnsweredPacket;
    for (std::size_t c = 0; c < t; ++c)
        if (classes[c].answered >= 2 && 5 * classes[c].answered >= 4 * classes[c].sent) {
            m.answeredBelow = std::uint16_t(kLargeOuterBytes + c);
            m.answeredBelowNs = classes[c].answeredNs;
            m.answeredBelowPacket = classes[c].answeredPacket;
        }
}

/// "; not counted: 1 more packet of 1404 bytes or more and 7 smaller packets, sent in the
/// capture's final second (…)", or nothing when none were: the cliff's counts leave those out.
QString notCountedInTheFinalSecond(const MtuSaSizes &m)
{
    QStringList parts;
    if (m.cliffLate)
        parts << QStringLiteral("%1 more %2 of %3 bytes or more")
                     .arg(m.cliffLate)
                     .arg(m.cliffLate == 1 ? QStringLiteral("packet") : QStringLiteral("packets"))
                     .arg(m.cliffSize);
    if (m.belowLate)
        parts << QStringLiteral("%1 smaller %2")
                     .arg(m.belowLate)
                     .arg(m.belowLate == 1 ? QStringLiteral("packet") : QStringLiteral("packets"));
    if (parts.isEmpty()) return {};
    return QStringLiteral("; not counted: %1, sent in the capture's final second (the capture ends before "
                          "their 1 s for an answer does)")
        .arg(parts.join(QStringLiteral(" and ")));
}

} // namespace

const char *pathMtuSourceName(MtuAnalysis::PathMtuSource s)
{
    switch (s) {
    case MtuAnalysis::PathMtuSource::None:
        return "none";
    case MtuAnalysis::PathMtuSource::Ptb:
        return "ptb";
    case MtuAnalysis::PathMtuSource::LargestSeen:
        return "largest_seen";
    }
    return "none";
}

const char *blackHoleLevelName(MtuBlackHole::Level l)
{
    switch (l) {
    case MtuBlackHole::Level::None:
        return "none";
    case MtuBlackHole::Level::Possible:
        return "possible";
    case MtuBlackHole::Level::Suspected:
        return "suspected";
    }
    return "none";
}

namespace {

/// Sequence numbers seen, for missingSequenceNumbers() of an SA without keeping them: one bit per
/// number in chunks of 4096 numbers, found through a map (the chunk of the previous packet is
/// kept at hand, as an SA's numbers mostly grow one by one). Numbers scattered so thinly that the
/// chunks would take more than 16 bytes a packet are kept as a list instead (4 bytes a packet).
class SeenNumbers
{
public:
    /// The next number: most are in the chunk of the one before (a call only for the others;
    /// m_chunk is kNoChunk before the first number and once listed, so one test says it).
    void add(std::uint32_t seq)
    {
        if ((seq >> kChunkBits) != m_chunk) {
            addElsewhere(seq);
            return;
        }
        ++m_count;
        setBit(seq);
    }
    /// Numbers never seen between the smallest and the largest seen (0 for fewer than 2 packets).
    [[nodiscard]] std::uint64_t missing()
    {
        if (m_count < 2) return 0;
        if (m_listed) return missingSequenceNumbers(m_list);
        return std::uint64_t(m_hi) - m_lo + 1 - m_distinct;
    }

private:
    static constexpr unsigned kChunkBits = 12;
    static constexpr std::size_t kChunkWords = (std::size_t(1) << kChunkBits) / 64;
    static constexpr std::size_t kListFromBytes = std::size_t(1) << 16;
    static constexpr std::uint32_t kNoChunk = 0xffffffffu; // no chunk is (a number >> kChunkBits)

    void setBit(std::uint32_t seq)
    {
        const std::uint32_t i = seq & ((1u << kChunkBits) - 1);
        std::uint64_t &w = m_words[m_offset + (i >> 6)];
        const std::uint64_t bit = std::uint64_t(1) << (i & 63);
        // Without a branch: a number seen before leaves all four as they are.
        m_distinct += (w & bit) == 0;
        w |= bit;
        m_lo = std::min(m_lo, seq);
        m_hi = std::max(m_hi, seq);
    }

    [[gnu::noinline]] void addElsewhere(std::uint32_t seq)
    {
        ++m_count;
        if (m_listed) {
            m_list.push_back(seq);
            return;
        }
        const std::uint32_t chunk = seq >> kChunkBits;
        if (chunk != m_chunk) {
            const auto [it, inserted] = m_chunks.try_emplace(chunk, m_words.size());
            if (inserted) {
                m_words.resize(m_words.size() + kChunkWords, 0);
                if (m_words.size() * 8 > kListFromBytes + 16 * m_count) {
                    toList();
                    m_list.push_back(seq);
                    return;
                }
            }
            m_chunk = chunk;
            m_offset = it->second;
        }
        setBit(seq);
    }

    void toList()
    {
        m_list.reserve(std::size_t(m_distinct) + 1);
        for (const auto &[chunk, offset] : m_chunks)
            for (std::size_t w = 0; w < kChunkWords; ++w)
                for (std::uint64_t b = m_words[offset + w]; b; b &= b - 1)
                    m_list.push_back((chunk << kChunkBits) + std::uint32_t(w * 64) +
                                     std::uint32_t(std::countr_zero(b)));
        m_chunks.clear();
        m_words.clear();
        m_words.shrink_to_fit();
        m_listed = true;
        m_chunk = kNoChunk;
    }

    std::uint64_t m_count = 0;
    std::uint64_t m_distinct = 0;
    std::uint32_t m_lo = 0xffffffffu, m_hi = 0; // of the numbers in m_words, once there is one
    std::uint32_t m_chunk = kNoChunk;           // the chunk at hand (m_offset), kNoChunk for none
    std::size_t m_offset = 0;
    std::unordered_map<std::uint32_t, std::size_t> m_chunks; // chunk → its first word in m_words
    std::vector<std::uint64_t> m_words;
    bool m_listed = false;
    std::vector<std::uint32_t> m_list;
};

/// An ESP packet whose reply check waits until the capture has gone on kReplyWindowNs past it.
struct Pending
{
    std::int64_t tsNs = 0;
    std::int64_t packet = -1; // the first packet of its SA at its time (0-based; -1: not counted)
    std::uint32_t sa = 0;
    std::uint16_t len = 0;
    bool df = false;
};

/// The run of backed-off resends an SA is in, being built (MtuSaSizes::Backoff).
struct ResendRun
{
    MtuSaSizes::Backoff b;
    std::int64_t lastNs = -1;        // the run's latest packet, -1 before one
    std::uint32_t answered = 0;      // resends that drew reverse ESP within 1 s: not a run to keep
    std::uint64_t smallSent = 0;     // smaller packets since the latest resend: they count once
    std::uint64_t smallAnswered = 0; // another resend follows them
};

/// Whether run `a` is a better sign than `b`: small packets answered meanwhile, then more resends.
bool betterRun(const MtuSaSizes::Backoff &a, const MtuSaSizes::Backoff &b)
{
    if ((a.smallAnswered > 0) != (b.smallAnswered > 0)) return a.smallAnswered > 0;
    return a.resends > b.resends;
}

/// ESP packets of one direction (source → destination address), in time order. A packet is
/// answered when the first packet of the reverse direction later than it comes within
/// kReplyWindowNs: so it is not answered exactly when it falls into one of the reverse
/// direction's silences (two of its consecutive packets more than kReplyWindowNs apart, at
/// L and N: sent in [L, N − kReplyWindowNs)), before the reverse direction's first packet by more
/// than kReplyWindowNs, or not before its latest packet. Keeping the silences (a few, not one
/// per packet) instead of marking each waiting packet when a reverse packet comes spares a loop
/// of an unpredictable length per packet.
struct Direction
{
    RingQueue<Pending> pending; // not settled yet
    std::uint32_t rev = 0;      // the reverse direction
    bool any = false;           // a packet seen
    std::int64_t firstNs = 0, lastNs = 0;
    struct Silence
    {
        std::int64_t from, to; // reverse packets sent in [from, to) drew none of this direction
    };
    std::vector<Silence> silences;
    std::size_t revSilence = 0; // the first of the reverse direction's silences not yet passed
    // The packets settled since the last one the reverse direction answered (MtuUnansweredTail),
    // counted per run of packets with one outcome (expire()), not per packet.
    MtuUnansweredTail tail;
    bool inTail = false;
    /// A packet settled unanswered after an answered one (or as the first): a new tail.
    void startTail(const Pending &p)
    {
        inTail = true;
        tail.packets = tail.late = 0;
        tail.firstNs = tail.lastNs = p.tsNs;
        tail.firstPacket = p.packet;
        tail.espSa = p.sa;
    }

    // The latest run of packets with no gap of more than kRunGapNs: its first packet's time and
    // its packets (MtuUnansweredTail::peerRun...).
    std::int64_t runFirstNs = 0;
    std::uint64_t runPackets = 0;

    void add(std::int64_t tsNs)
    {
        if (!any) {
            any = true;
            firstNs = runFirstNs = tsNs;
        } else if (tsNs - lastNs > kReplyWindowNs) {
            silences.push_back({lastNs, tsNs - kReplyWindowNs});
            if (tsNs - lastNs > kRunGapNs) {
                runFirstNs = tsNs;
                runPackets = 0;
            }
        }
        ++runPackets;
        lastNs = tsNs;
    }
    /// Whether a packet of this direction sent at `tsNs` was answered by `rev` (the reverse
    /// direction), once `rev` has seen every packet up to `tsNs` + kReplyWindowNs; in time order.
    bool answeredBy(const Direction &r, std::int64_t tsNs)
    {
        if (!r.any || tsNs >= r.lastNs || tsNs < r.firstNs - kReplyWindowNs) return false;
        while (revSilence < r.silences.size() && r.silences[revSilence].to <= tsNs)
            ++revSilence;
        return revSilence == r.silences.size() || r.silences[revSilence].from > tsNs;
    }
    /// answeredBy(r, tsNs), and in `until` the time up to which (exclusive) every later packet
    /// gets the same answer: the outcome changes only at the reverse direction's first packet
    /// (less kReplyWindowNs), its latest packet and the ends of its silences, so the packets
    /// settled in time order need one decision per run between two of those times, not one each.
    bool answeredUntil(const Direction &r, std::int64_t tsNs, std::int64_t &until)
    {
        constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
        if (!r.any || tsNs >= r.lastNs) {
            until = kNever;
            return false;
        }
        if (tsNs < r.firstNs - kReplyWindowNs) {
            until = r.firstNs - kReplyWindowNs;
            return false;
        }
        const bool answered = answeredBy(r, tsNs);
        if (revSilence == r.silences.size())
            until = r.lastNs;
        else
            until = answered ? std::min(r.silences[revSilence].from, r.lastNs) : r.silences[revSilence].to;
        return answered;
    }
};

} // namespace

struct MtuAnalyzer::State
{
    const CaptureIndex *tables; // the finished index once finish() is called
    Mode mode;
    bool outOfOrder = false;
    std::int64_t lastEspNs = std::numeric_limits<std::int64_t>::min();
    std::int64_t packets = 0; // observed so far: the next packet's 0-based number
    std::uint64_t innerTcpSynWithMss = 0;
    struct Sa
    {
        MtuSaSizes m;
        LengthCounts lengthCounts; // packets per outer length (the histogram and quantiles at the end)
        SeenNumbers seen;
        std::uint32_t dir = 0, rev = 0; // into directions: its own and the reverse one
        bool haveDirections = false;
        // The reply check's counts for the size cliff (packets not in the capture's last second).
        std::vector<SizeClass> classes; // index 0 = kLargeOuterBytes
        SizeClass smallClass;           // settle()'s target for the small packets' class counts: unread
        std::uint64_t followedByReverse[2] = {0, 0}; // small, large: MtuSaSizes::...FollowedByReverse
        std::uint16_t smallAnswered = 0;             // largest small packet answered
        std::int64_t smallAnsweredNs = -1;
        std::int64_t smallAnsweredPacket = -1;
        std::uint64_t smallSent = 0, smallAnsweredCount = 0;
        std::uint64_t smallLate = 0; // small packets in the capture's last second (not in smallSent)
        std::int64_t firstLargeUnansweredNs = -1; // findSizeCliff: an outage is no cliff
        // The time of its latest packet and the first packet of the SA at that time (0-based).
        std::int64_t lastTs = std::numeric_limits<std::int64_t>::min();
        std::int64_t firstAtLastTs = -1;
        std::int32_t dfTop = -1;           // the largest DF packet's length (m.dfSteps.back()), -1 before one
        std::int32_t sizeTop = -1;         // the largest packet's length (m.sizeSteps.back()), -1 before one
        std::uint16_t largeDfMin = 0xffff; // m.largeDfMin once there is a large DF packet
        ResendRun run;
        // KeepTimes: every packet's time, length and DF bit.
        std::vector<std::int64_t> times;
        std::vector<std::uint16_t> lengths;
        std::vector<std::uint8_t> dfs;
    };
    std::vector<Sa> sas;
    std::map<std::pair<IpAddress, IpAddress>, std::uint32_t> directionIds;
    std::vector<Direction> directions;

    State(const CaptureIndex &t, Mode m) : tables(&t), mode(m) {}

    Sa &sa(std::uint32_t s)
    {
        if (s >= sas.size()) sas.resize(std::size_t(s) + 1);
        return sas[s];
    }
    std::uint32_t directionId(const IpAddress &src, const IpAddress &dst)
    {
        const auto [it, inserted] = directionIds.try_emplace({src, dst}, std::uint32_t(directions.size()));
        if (inserted) directions.emplace_back();
        return it->second;
    }

    /// The reply check's outcome for one packet of SA `s`, in the SA's time order. `counted`: it
    /// is not in the capture's last second (whether that drew an answer nobody can tell).
    [[gnu::always_inline]] void settle(std::uint32_t s, std::uint16_t len, std::int64_t ts,
                                       std::int64_t packet, bool replied, bool counted)
    {
        // Without a branch on the size: about half the packets of a tunnel are large and the two
        // kinds come in no order a predictor can learn, so an `if (large)` here was a
        // misprediction every other packet. A small packet's class counts go to `smallClass`,
        // which nothing reads; its own counts are added under a mask.
        Sa &st = sas[s];
        const bool large = len >= kLargeOuterBytes;
        const std::size_t c = large ? std::size_t(len - kLargeOuterBytes) : 0;
        if (large && c >= st.classes.size()) st.classes.resize(c + 1);
        SizeClass &k = large ? st.classes[c] : st.smallClass;
        const bool answered = counted && replied;
        st.followedByReverse[large] += replied;
        k.late += !counted;
        k.sent += counted;
        k.answered += answered;
        // The first large packet that drew no answer (a conditional move, no branch).
        const bool miss = large & counted & !replied & (st.firstLargeUnansweredNs < 0);
        st.firstLargeUnansweredNs = miss ? ts : st.firstLargeUnansweredNs;
        const std::uint64_t small = large ? 0 : ~std::uint64_t(0);
        st.smallLate += small & std::uint64_t(!counted);
        st.smallSent += small & std::uint64_t(counted);
        st.smallAnsweredCount += small & std::uint64_t(answered);
        if (answered) {
            k.answeredNs = ts;
            k.answeredPacket = packet;
            if (!large && len > st.smallAnswered) {
                st.smallAnswered = len;
                st.smallAnsweredNs = ts;
                st.smallAnsweredPacket = packet;
            }
        }
    }

    /// The run of backed-off resends, for one packet of SA `s` in the SA's time order (settle()'s
    /// arguments and the packet's DF bit): a large DF packet extends the run or starts one; a
    /// smaller packet after a resend is counted for the run when another resend follows it. Inline
    /// and without a branch for the packets of a busy tunnel (small ones, and large ones that follow
    /// each other closely, which only move the start); the rest in extendRun().
    [[gnu::always_inline]] void resendStep(std::uint32_t s, std::uint16_t len, bool df, std::int64_t ts,
                                           std::int64_t packet, bool replied, bool counted)
    {
        ResendRun &r = sas[s].run;
        if (len < kLargeOuterBytes) {
            // An answer seen counts also in the capture's final second; only silence there is
            // left unjudged.
            const bool inRun = r.b.resends > 0;
            r.smallSent += inRun & (counted | replied);
            r.smallAnswered += inRun & replied;
            return;
        }
        if (!df) return;
        if (r.b.resends == 0 && (ts - r.lastNs < kMinResendGapNs || len != r.b.length || r.lastNs < 0)) {
            // No resend yet: this packet starts the run (nothing to keep of the one before).
            r.b.length = len;
            r.b.firstNs = ts;
            r.b.firstPacket = packet;
            r.lastNs = ts;
            return;
        }
        extendRun(s, len, ts, packet, replied, counted);
    }
    [[gnu::noinline]] void extendRun(std::uint32_t s, std::uint16_t len, std::int64_t ts, std::int64_t packet,
                                     bool replied, bool counted)
    {
        ResendRun &r = sas[s].run;
        const std::int64_t gap = ts - r.lastNs;
        const std::int64_t prev = r.b.lastGapNs;
        const bool extends = len == r.b.length && gap >= kMinResendGapNs &&
                             (r.b.resends == 0 || (5 * gap >= 8 * prev && 5 * gap <= 13 * prev));
        if (!extends) {
            keepRun(sas[s]);
            r = {};
            r.b.length = len;
            r.b.firstNs = ts;
            r.b.firstPacket = packet;
            r.lastNs = ts;
            return;
        }
        if (r.b.resends == 0) {
            r.b.firstResendNs = ts;
            r.b.firstResendPacket = packet;
            r.b.firstGapNs = gap;
        }
        ++r.b.resends;
        r.b.lastGapNs = gap;
        r.b.lastNs = r.lastNs = ts;
        r.b.unanswered += counted && !replied;
        r.b.late += !counted && !replied;
        r.answered += replied;
        r.b.smallSent += r.smallSent;
        r.b.smallAnswered += r.smallAnswered;
        r.smallSent = r.smallAnswered = 0;
    }
    /// The SA's current run becomes its MtuSaSizes::backoff when it is one (kMinResends resends
    /// unanswered, none answered) and a better sign than the one kept.
    static void keepRun(Sa &st)
    {
        const ResendRun &r = st.run;
        if (r.answered == 0 && r.b.unanswered >= kMinResends && betterRun(r.b, st.m.backoff))
            st.m.backoff = r.b;
    }

    /// Settles the packets of `d` sent more than kReplyWindowNs before `nowNs`: nothing later can
    /// answer them, and the capture goes on past their second.
    void expire(Direction &d, std::int64_t nowNs)
    {
        Direction &rev = directions[d.rev];
        std::int64_t until = std::numeric_limits<std::int64_t>::min();
        std::size_t n = 0;
        std::size_t tailFrom = 0; // the batch's first packet of the unanswered tail (when d.inTail)
        const std::int64_t settleBefore = nowNs - kReplyWindowNs; // p.tsNs + kReplyWindowNs < nowNs
        while (n < d.pending.size() && d.pending[n].tsNs < settleBefore) {
            const Pending &p = d.pending[n];
            // Once per run of packets with one outcome: the tail is counted at its ends.
            const bool replied = d.answeredUntil(rev, p.tsNs, until);
            if (replied) {
                d.inTail = false;
            } else if (!d.inTail) {
                d.startTail(p);
                tailFrom = n;
            }
            // The run's packets, from n up to the run's end or to the packets that must wait, with
            // the outcome a constant (settle() and resendStep() compiled for each outcome).
            const std::int64_t end = std::min(until, settleBefore);
            n = replied ? settleRun<true>(d, n, end) : settleRun<false>(d, n, end);
        }
        if (d.inTail && n > tailFrom) {
            d.tail.packets += n - tailFrom;
            d.tail.lastNs = d.pending[n - 1].tsNs;
        }
        d.pending.drop_front(n);
        // The reverse direction's silences before the one `d` looks at next serve no packet of
        // `d` any more (its packets are settled in time order), and `d` is their only reader:
        // dropped, so a sparse tunnel over a day keeps a few of them, not one per pause.
        if (d.revSilence >= kTrimSilences && 2 * d.revSilence >= rev.silences.size()) {
            rev.silences.erase(rev.silences.begin(), rev.silences.begin() + std::ptrdiff_t(d.revSilence));
            d.revSilence = 0;
        }
    }
    static constexpr std::size_t kTrimSilences = 64;
    /// Settles d.pending[n] and the packets after it sent before `end`, all with outcome
    /// `Replied` (counted: not in the capture's last second); returns the first one not settled.
    template <bool Replied>
    [[gnu::always_inline]] std::size_t settleRun(Direction &d, std::size_t n, std::int64_t end)
    {
        do {
            const Pending &p = d.pending[n];
            settle(p.sa, p.len, p.tsNs, p.packet, Replied, true);
            resendStep(p.sa, p.len, p.df, p.tsNs, p.packet, Replied, true);
            ++n;
        } while (n < d.pending.size() && d.pending[n].tsNs < end);
        return n;
    }

    [[gnu::always_inline]] void replyCheck(std::uint32_t s, Sa &st, const PacketRecord &r, bool df)
    {
        if (!st.haveDirections) {
            const Flow &f = tables->flows[tables->espSas[s].flowId];
            st.dir = directionId(f.src, f.dst);
            st.rev = directionId(f.dst, f.src);
            directions[st.dir].rev = st.rev;
            directions[st.rev].rev = st.dir;
            st.haveDirections = true;
        }
        if (r.tsNs != st.lastTs) {
            st.lastTs = r.tsNs;
            st.firstAtLastTs = packets - 1; // this packet's (observe() counted it)
        }
        Direction &own = directions[st.dir];
        own.add(r.tsNs);
        own.pending.push_back({r.tsNs, st.firstAtLastTs, s, r.ipLength, df});
        // Settling is done every kExpireEvery packets, over every direction: when a packet is
        // settled does not change its outcome (answered or not is decided by the first reverse
        // packet after it, which a packet more than kReplyWindowNs later can no longer be), and
        // the loops then run over many packets at once instead of zero, one or two per packet.
        if (++sinceExpire == kExpireEvery) {
            sinceExpire = 0;
            for (Direction &d : directions)
                expire(d, r.tsNs);
        }
    }
    static constexpr unsigned kExpireEvery = 1024;
    unsigned sinceExpire = 0;

    [[gnu::always_inline]] inline void observe(const PacketRecord &r, std::uint32_t s);

    /// KeepTimes: the reply check over every packet's time, sorted per direction (the packets
    /// came out of time order).
    void replyCheckFromTimes()
    {
        std::map<std::pair<IpAddress, IpAddress>, std::vector<std::int64_t>> byDirection;
        for (std::size_t s = 0; s < sas.size(); ++s) {
            const Flow &f = tables->flows[tables->espSas[s].flowId];
            auto &v = byDirection[{f.src, f.dst}];
            v.insert(v.end(), sas[s].times.begin(), sas[s].times.end());
        }
        for (auto &[key, v] : byDirection)
            std::sort(v.begin(), v.end());
        for (std::size_t s = 0; s < sas.size(); ++s) {
            const Flow &f = tables->flows[tables->espSas[s].flowId];
            const auto it = byDirection.find({f.dst, f.src});
            if (it == byDirection.end()) continue;
            const auto &rev = it->second;
            const auto &mine = sas[s].times;
            std::vector<std::uint8_t> replies(mine.size());
            for (std::size_t k = 0; k < mine.size(); ++k) { // in capture order
                const auto next = std::upper_bound(rev.begin(), rev.end(), mine[k]);
                const bool replied = next != rev.end() && *next - mine[k] <= kReplyWindowNs;
                replies[k] = replied;
                settle(std::uint32_t(s), sas[s].lengths[k], mine[k], -1, replied,
                       mine[k] <= tables->lastNs - kReplyWindowNs);
            }
            // The resends need the SA's time order.
            std::vector<std::size_t> order(mine.size());
            for (std::size_t k = 0; k < order.size(); ++k)
                order[k] = k;
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t x, std::size_t y) { return mine[x] < mine[y]; });
            for (const std::size_t k : order)
                resendStep(std::uint32_t(s), sas[s].lengths[k], sas[s].dfs[k] != 0, mine[k], -1,
                           replies[k] != 0, mine[k] <= tables->lastNs - kReplyWindowNs);
        }
    }
};

MtuAnalyzer::MtuAnalyzer(const CaptureIndex &tables, Mode mode) : d(std::make_unique<State>(tables, mode)) {}
MtuAnalyzer::~MtuAnalyzer() = default;

void MtuAnalyzer::setTables(const CaptureIndex &tables)
{
    d->tables = &tables;
}

bool MtuAnalyzer::outOfOrder() const
{
    return d->outOfOrder;
}

void MtuAnalyzer::State::observe(const PacketRecord &r, std::uint32_t s)
{
    ++packets;
    if (r.flags & FlagInnerTcpSyn) ++innerTcpSynWithMss;
    if (s == kNoEspSa) return;
    Sa &st = sa(s);
    MtuSaSizes &m = st.m;
    const std::uint16_t len = r.ipLength;
    ++m.packets;
    st.lengthCounts.add(len);
    st.seen.add(r.seq());
    // Without branches on DF and on the size (see settle()): the tunnels' packets interleave.
    const bool df = (r.flags & FlagDontFragment) != 0;
    const bool large = len >= kLargeOuterBytes;
    m.dfPackets += df;
    if (df && std::int32_t(len) > st.dfTop) {
        m.dfSteps.push_back({len, r.tsNs});
        st.dfTop = len;
    }
    if (std::int32_t(len) > st.sizeTop) {
        m.sizeSteps.push_back({len, r.tsNs});
        st.sizeTop = len;
    }
    // Smaller entries before a packet are dropped; one of its length left (the usual case: a run
    // of one size) moves on to it, so the list grows with distinct lengths, not with packets that
    // alternate between them (review of 5efb55c: 3M packets of two lengths took 40 MB).
    while (!m.sizeTail.empty() && m.sizeTail.back().length < len)
        m.sizeTail.pop_back();
    if (!m.sizeTail.empty() && m.sizeTail.back().length == len)
        m.sizeTail.back().tsNs = r.tsNs;
    else
        m.sizeTail.push_back({len, r.tsNs});
    m.fragmented += (r.flags & FlagFragment) != 0;
    // From 0xffff down, so that no test of "none yet" is needed per packet (finish() gives 0 for
    // none; a large DF packet of 65535 bytes leaves 0xffff, its length).
    st.largeDfMin = std::min(st.largeDfMin, large & df ? len : std::uint16_t(0xffff));
    m.largePackets += large;
    m.largeDfPackets += large & df;
    m.packetsAfterLastLarge = large ? 0 : m.packetsAfterLastLarge + (m.lastLargeNs >= 0);
    m.lastLargeNs = large ? r.tsNs : m.lastLargeNs;
    m.lastNs = r.tsNs;
    if (mode == Mode::KeepTimes) {
        st.times.push_back(r.tsNs);
        st.lengths.push_back(len);
        st.dfs.push_back(df);
        return;
    }
    if (r.tsNs < lastEspNs) outOfOrder = true;
    lastEspNs = r.tsNs;
    if (!outOfOrder) replyCheck(s, st, r, df);
}

void MtuAnalyzer::observe(const PacketRecord &r, std::uint32_t s)
{
    d->observe(r, s);
}

void MtuAnalyzer::observe(std::span<const PacketRecord> records, std::span<const std::uint32_t> sas)
{
    State &st = *d;
    for (std::size_t i = 0; i < records.size(); ++i)
        st.observe(records[i], sas[i]);
}

MtuAnalysis MtuAnalyzer::finish(const CaptureIndex &index)
{
    d->tables = &index; // the tables given at construction may have been moved out of their builder
    MtuAnalysis out;
    const auto &sas = index.espSas;
    const auto &flows = index.flows;
    d->sas.resize(sas.size()); // an entry for every SA, also one without packets
    out.innerTcpSynWithMss = d->innerTcpSynWithMss;

    // The packets of the last second: answered or not, they stay out of the size classes when
    // they fall in the capture's last second.
    if (d->mode == Mode::KeepTimes) {
        d->replyCheckFromTimes();
    } else {
        for (Direction &dir : d->directions) {
            const Direction &rev = d->directions[dir.rev];
            for (std::size_t k = 0; k < dir.pending.size(); ++k) {
                const Pending &p = dir.pending[k];
                const bool replied = dir.answeredBy(rev, p.tsNs);
                const bool counted = p.tsNs <= index.lastNs - kReplyWindowNs;
                if (replied) {
                    dir.inTail = false;
                } else {
                    if (!dir.inTail) dir.startTail(p);
                    ++dir.tail.packets;
                    dir.tail.late += !counted;
                    dir.tail.lastNs = p.tsNs;
                }
                d->settle(p.sa, p.len, p.tsNs, p.packet, replied, counted);
                d->resendStep(p.sa, p.len, p.df, p.tsNs, p.packet, replied, counted);
            }
            dir.pending.clear();
        }
        // The directions whose latest packets drew nothing from a reverse direction that did send.
        for (const auto &[ends, id] : d->directionIds) {
            const Direction &dir = d->directions[id];
            if (!dir.inTail || !d->directions[dir.rev].any || dir.tail.packets == 0) continue;
            MtuUnansweredTail t = dir.tail;
            t.src = ends.first;
            t.dst = ends.second;
            const Direction &rev = d->directions[dir.rev];
            t.peerRunPackets = rev.runPackets;
            t.peerRunFirstNs = rev.runFirstNs;
            t.peerLastNs = rev.lastNs;
            out.unansweredTails.push_back(t);
        }
    }

    std::set<std::pair<IpAddress, IpAddress>> directions;
    for (const EspSa &sa : sas)
        directions.insert({flows[sa.flowId].src, flows[sa.flowId].dst});
    out.sas.resize(sas.size());
    for (std::size_t s = 0; s < sas.size(); ++s) {
        State::Sa &st = d->sas[s];
        State::keepRun(st);
        MtuSaSizes &m = out.sas[s];
        m = st.m;
        m.espSa = s;
        m.largeDfMin = m.largeDfPackets ? st.largeDfMin : 0;
        m.smallFollowedByReverse = st.followedByReverse[0];
        m.largeFollowedByReverse = st.followedByReverse[1];
        if (m.packets) lengthQuantiles(st.lengthCounts, m.packets, m);
        m.sequenceMissing = st.seen.missing();
        if (m.max > out.largestOuter) {
            out.largestOuter = m.max;
            out.largestSa = std::int64_t(s);
        }
        // No SA in the reverse direction: no reply check for this one.
        const Flow &f = flows[sas[s].flowId];
        if (!directions.count({f.dst, f.src})) {
            m.largeFollowedByReverse = m.smallFollowedByReverse = 0;
            continue;
        }
        if (m.largeDfPackets >= kMinLargeDf) { // so m.max >= kLargeOuterBytes
            st.classes.resize(std::size_t(m.max - kLargeOuterBytes + 1));
            findSizeCliff(st.classes, st.smallSent, st.smallLate, st.smallAnsweredCount, st.smallAnswered,
                          st.smallAnsweredNs, st.smallAnsweredPacket, st.smallClass.answeredNs,
                          st.firstLargeUnansweredNs, m);
        }
    }

    // Outer fragments of tunnel traffic (ESP, and UDP for ESP-in-UDP / IKE).
    for (std::size_t k = 0; k < index.fragmentedDatagrams.size(); ++k) {
        const FragmentedDatagram &fd = index.fragmentedDatagrams[k];
        if (fd.proto != 50 && fd.proto != 17) continue;
        if (fd.outcome == FragmentedDatagram::Outcome::Complete) {
            ++out.fragmentsComplete;
        } else {
            ++out.fragmentsIncomplete;
            out.incompleteDatagrams.push_back(k);
        }
    }

    // ICMP errors and the tunnel flows they quote.
    std::uint32_t minTunnelMtu = 0;
    std::set<std::size_t> quotedSas;
    for (std::size_t i = 0; i < index.icmpErrors.size(); ++i) {
        const IcmpError &e = index.icmpErrors[i];
        MtuIcmpError x;
        x.icmpError = i;
        if (e.quoted.present && e.quotesEsp) {
            for (std::size_t s = 0; s < sas.size(); ++s) {
                const Flow &f = flows[sas[s].flowId];
                if (sas[s].spi == e.quoted.spi && f.src == e.quoted.src && f.dst == e.quoted.dst) {
                    x.espSa = std::int64_t(s);
                    break;
                }
                if (sas[s].spi == e.quoted.spi && x.espSa < 0) x.espSa = std::int64_t(s);
            }
            x.tunnel = true;
        } else if (e.quoted.present && e.quoted.proto == 17) {
            const auto p1 = e.quoted.srcPort, p2 = e.quoted.dstPort;
            x.tunnel = p1 == 500 || p2 == 500 || p1 == 4500 || p2 == 4500;
        }
        if (x.espSa >= 0) quotedSas.insert(std::size_t(x.espSa));
        const bool sizeError =
            e.mtu > 0 && (e.kind == PacketKind::IcmpNeedFrag || e.kind == PacketKind::Icmp6TooBig);
        if (sizeError) {
            out.minIcmpMtuAny = out.minIcmpMtuAny ? std::min(out.minIcmpMtuAny, e.mtu) : e.mtu;
            if (x.tunnel) minTunnelMtu = minTunnelMtu ? std::min(minTunnelMtu, e.mtu) : e.mtu;
        }
        out.icmp.push_back(x);
    }
    if (minTunnelMtu) {
        out.pathMtu = minTunnelMtu;
        out.pathMtuSource = MtuAnalysis::PathMtuSource::Ptb;
    } else if (out.largestOuter) {
        out.pathMtu = out.largestOuter;
        out.pathMtuSource = MtuAnalysis::PathMtuSource::LargestSeen;
    }

    // PMTUD black hole: large DF packets, no PTB for them, then the large sizes stop while
    // smaller traffic goes on (sender side), or gaps on an SA where nothing large arrived
    // (receiver side: only the two-capture comparison proves the missing ones were large).
    for (std::size_t s = 0; s < sas.size(); ++s) {
        const MtuSaSizes &m = out.sas[s];
        MtuBlackHole b;
        b.espSa = std::int64_t(s);
        const bool ptb = quotedSas.count(s) || minTunnelMtu;
        // Sequence numbers missing on an SA means this capture is downstream of where they were
        // lost, so the large packets it holds of that SA arrived: no black hole swallows them.
        const bool largeArrived = m.sequenceMissing > 0 && m.largePackets > 0;
        if (m.largeDfPackets >= kMinLargeDf && !ptb && !largeArrived) {
            b.evidence << QStringLiteral("%1 outer packets of %2–%3 bytes were sent with DF set")
                              .arg(m.largeDfPackets)
                              .arg(m.largeDfMin)
                              .arg(m.max);
            b.evidence << QStringLiteral(
                "no ICMP fragmentation-needed / packet-too-big quoting tunnel traffic was captured");
            // Large DF packets without a PTB are what every healthy bulk transfer looks like;
            // only a sign that they did not get through raises a suspicion. The reply check's
            // counts of the large packets (those sent before the capture's final second): when
            // every one of them drew ESP from the peer within 1 s, nothing shows that any vanished.
            std::uint64_t largeJudged = 0, largeAnswered = 0;
            for (const SizeClass &k : d->sas[s].classes) {
                largeJudged += k.sent;
                largeAnswered += k.answered;
            }
            if (m.packetsAfterLastLarge >= kMinPacketsAfterLarge &&
                m.lastNs - m.lastLargeNs >= kMinTimeAfterLargeNs && largeAnswered < largeJudged) {
                b.evidence << QStringLiteral("the large sizes stopped %1 s before the SA's last packet while "
                                             "%2 smaller packets followed")
                                  .arg(seconds(m.lastNs - m.lastLargeNs), 0, 'f', 1)
                                  .arg(m.packetsAfterLastLarge);
                b.evidence << QStringLiteral("%1 of the %2 packets of %3 bytes or more sent before the "
                                             "capture's final second drew no ESP from the peer within 1 s")
                                  .arg(largeJudged - largeAnswered)
                                  .arg(largeJudged)
                                  .arg(kLargeOuterBytes);
                // A bulk transfer that simply ended looks the same: on its own this only
                // makes a black hole possible.
                b.level = MtuBlackHole::Level::Possible;
            }
            if (m.cliffSize) {
                // The words follow the numbers: "none of the 30 packets", "only 2 of the 30".
                const QString answered =
                    m.cliffAnswered == 0
                        ? (m.cliffSent == 1 ? QStringLiteral("the one packet")
                                            : QStringLiteral("none of the %1 packets").arg(m.cliffSent))
                        : QStringLiteral("only %1 of the %2 packets").arg(m.cliffAnswered).arg(m.cliffSent);
                b.evidence << QStringLiteral("%1 of %2 bytes or more drew %3 reverse ESP traffic within 1 s, "
                                             "against %4 of %5 smaller ones%6")
                                  .arg(answered)
                                  .arg(m.cliffSize)
                                  .arg(m.cliffAnswered == 0 && m.cliffSent == 1 ? QStringLiteral("no")
                                                                                : QStringLiteral("any"))
                                  .arg(m.belowAnswered)
                                  .arg(m.belowSent)
                                  .arg(notCountedInTheFinalSecond(m));
                b.level = MtuBlackHole::Level::Suspected;
            }
            // Large packets resent unanswered while smaller ones were answered meanwhile: not a
            // size cliff (the first copies may have drawn answers for what else went with them),
            // but the sign an engineer reads in a sender's capture of a black hole.
            const MtuSaSizes::Backoff &k = m.backoff;
            if (b.level != MtuBlackHole::Level::Suspected && k.length && k.smallAnswered > 0) {
                b.evidence << QStringLiteral(
                                  "a packet of %1 bytes with DF set was sent, then %2 more of the same size "
                                  "and no other DF packet of %9 bytes or more between them, the gaps growing "
                                  "from %3 s to %4 s, "
                                  "each 1.6–2.6 times the one before (as TCP's retransmission timer backs "
                                  "off), and none of the %2 "
                                  "drew ESP from the peer within 1 s (%5 judged%6), while %7 of the %8 "
                                  "smaller packets sent between them did")
                                  .arg(k.length)
                                  .arg(k.resends)
                                  .arg(seconds(k.firstGapNs), 0, 'f', 2)
                                  .arg(seconds(k.lastGapNs), 0, 'f', 2)
                                  .arg(k.unanswered)
                                  .arg(k.late == 1
                                           ? QStringLiteral("; 1 sent in the capture's final second is not")
                                       : k.late
                                           ? QStringLiteral("; %1 sent in the capture's final second are not")
                                                 .arg(k.late)
                                           : QString())
                                  .arg(k.smallAnswered)
                                  .arg(k.smallSent)
                                  .arg(kLargeOuterBytes);
                b.evidence << QStringLiteral(
                    "ESP hides what it carries: that these are resends of one TCP segment is read from "
                    "their timing, not seen in the packets");
                b.level = MtuBlackHole::Level::Possible;
                b.backoff = true;
            }
            if (b.level == MtuBlackHole::Level::None) b.evidence.clear();
        }
        // The receiver's side (sequence numbers missing) is judged with the ESP sequence
        // analysis' runs of missing numbers: addReceiverSuspicions().
        if (b.level != MtuBlackHole::Level::None) out.saHoles.push_back(b);
        if (ranksAbove(out, b, out.blackHole)) out.blackHole = b;
    }
    return out;
}

void addReceiverSuspicions(MtuAnalysis &a, const CaptureIndex &index, const EspSequenceAnalysis &esp)
{
    std::set<std::size_t> quotedSas;
    for (const MtuIcmpError &e : a.icmp)
        if (e.espSa >= 0) quotedSas.insert(std::size_t(e.espSa));
    const bool tunnelPtb = a.pathMtuSource == MtuAnalysis::PathMtuSource::Ptb;
    // The SAs whose missing numbers come in runs with nothing large arriving after the first.
    struct Candidate
    {
        const EspSaSequence *q;
        std::int64_t firstGapNs;
        std::uint16_t maxBefore = 0, maxAfter = 0; // the largest packets up to / after firstGapNs
    };
    std::unordered_map<std::uint32_t, Candidate> candidates;
    for (const EspSaSequence &q : esp.sas) {
        const std::size_t s = q.saIndex;
        if (s >= a.sas.size() || q.missing == 0 || q.missingRanges.empty() || tunnelPtb || quotedSas.count(s))
            continue;
        const MtuSaSizes &m = a.sas[s];
        // An outage leaves one run of missing numbers, random loss mostly single ones; the large
        // packets of a black hole go missing in runs (a burst of them, their resends) while the
        // small ones sent between them arrive. Nothing large may arrive after the first missing
        // number: a large packet that arrived then proves the path carried it.
        const std::int64_t firstGapNs = q.missingRanges.front().afterNs;
        const bool noLargeAfter = m.largePackets == 0 || m.lastLargeNs <= firstGapNs;
        if (q.packets < 10 || q.lossBursts < 2 || q.longestBurst < 3 || !noLargeAfter) continue;
        candidates.emplace(std::uint32_t(s), Candidate{&q, firstGapNs});
    }
    if (candidates.empty()) return;
    for (auto &[s, c] : candidates) {
        c.maxBefore = a.sas[s].largestUpTo(c.firstGapNs);
        c.maxAfter = a.sas[s].largestAfter(c.firstGapNs);
    }
    bool added = false;
    for (std::size_t s = 0; s < a.sas.size(); ++s) {
        const auto it = candidates.find(std::uint32_t(s));
        if (it == candidates.end()) continue;
        const Candidate &c = it->second;
        const EspSaSequence &q = *c.q;
        const MtuSaSizes &m = a.sas[s];
        const Flow &f = index.flows[index.espSas[s].flowId];
        // Size matters only where the sizes show it: the SA carried larger packets before the first
        // missing number than any after it (a stream of one size that loses packets in bursts
        // shows nothing of the kind), larger than the size every path carries (576 bytes for IPv4,
        // RFC 791; 1280 for IPv6, RFC 8200); and not the largest an ESP packet can have on a
        // 1500-byte link (its length steps by up to a 16-byte cipher block): once those arrived,
        // no larger packet was there to go missing for its size, and the loss after a bulk
        // transfer of them is an outage's or a queue's (review of fd8e3fa).
        // Nine in ten of the SA's packets of one length (a stream): a missing one is most probably
        // one of those, not a larger one (audit4-burst-loss-small: 300-byte packets, 1100-byte
        // pings before them).
        if (m.modePackets * 10 >= m.packets * 9) continue;
        const std::uint16_t minPath = f.src.v6 ? 1280 : 576;
        if (c.maxBefore <= minPath || c.maxAfter >= c.maxBefore || c.maxBefore >= kFullSizeOuterBytes)
            continue;
        const std::int64_t firstGapNs = c.firstGapNs;
        MtuBlackHole b;
        b.espSa = std::int64_t(s);
        b.level = MtuBlackHole::Level::Possible;
        b.atReceiver = true;
        b.evidence << QStringLiteral(
                          "%1 ESP sequence numbers of %2 → %3 are missing at this capture point in %4 runs, "
                          "the longest %5, with packets of the SA arriving between them (an outage "
                          "leaves one run, random loss mostly single numbers)")
                          .arg(q.missing)
                          .arg(addressText(f.src), addressText(f.dst))
                          .arg(q.lossBursts)
                          .arg(q.longestBurst);
        b.evidence << QStringLiteral(
            "no ICMP fragmentation-needed / packet-too-big quoting tunnel traffic was captured");
        b.evidence << (m.largePackets == 0
                           ? QStringLiteral(
                                 "packets of up to %1 bytes arrived before the first missing number, none "
                                 "larger than %2 bytes after it")
                                 .arg(c.maxBefore)
                                 .arg(c.maxAfter)
                           : QStringLiteral("packets of up to %1 bytes arrived before the first missing "
                                            "number, the last of them %2 s before it; none of %3 "
                                            "bytes or more after it")
                                 .arg(m.max)
                                 .arg(seconds(firstGapNs - m.lastLargeNs), 0, 'f', 3)
                                 .arg(kLargeOuterBytes));
        b.evidence << QStringLiteral("the missing ones may be larger packets, lost for their size; only a "
                                     "capture at the sender (%1) shows their sizes")
                          .arg(addressText(f.src));
        a.saHoles.push_back(b);
        added = true;
    }
    if (!added) return;
    std::stable_sort(a.saHoles.begin(), a.saHoles.end(),
                     [](const MtuBlackHole &x, const MtuBlackHole &y) { return x.espSa < y.espSa; });
    a.blackHole = {};
    for (const MtuBlackHole &b : a.saHoles)
        if (ranksAbove(a, b, a.blackHole)) a.blackHole = b;
}

std::uint16_t MtuSaSizes::largestUpTo(std::int64_t tsNs) const
{
    std::uint16_t top = 0;
    for (const DfStep &k : sizeSteps)
        if (k.tsNs <= tsNs) top = k.length;
    return top;
}

std::uint16_t MtuSaSizes::largestAfter(std::int64_t tsNs) const
{
    for (const DfStep &k : sizeTail)
        if (k.tsNs > tsNs) return k.length;
    return 0;
}

bool ranksAbove(const MtuAnalysis &a, const MtuBlackHole &x, const MtuBlackHole &y)
{
    if (x.level != y.level) return int(x.level) > int(y.level);
    return x.level != MtuBlackHole::Level::None && x.espSa >= 0 && y.espSa >= 0 &&
           a.sas[std::size_t(x.espSa)].largeDfPackets > a.sas[std::size_t(y.espSa)].largeDfPackets;
}

MtuAnalysis analyzeMtu(const CaptureIndex &index, const std::atomic_bool *cancel)
{
    const auto feed = [&](MtuAnalyzer &a) {
        SaResolver saOf(index.espSas);
        return forEachRecord(index, cancel, [&](const PacketRecord &r) {
            a.observe(r, r.isEsp() ? saOf.find(r) : MtuAnalyzer::kNoEspSa);
        });
    };
    MtuAnalyzer a(index);
    bool stop = feed(a);
    if (a.outOfOrder()) {
        MtuAnalyzer k(index, MtuAnalyzer::Mode::KeepTimes);
        stop = feed(k);
        MtuAnalysis out = k.finish(index);
        out.cancelled = stop || cancelled(cancel);
        return out;
    }
    MtuAnalysis out = a.finish(index);
    out.cancelled = stop || cancelled(cancel);
    return out;
}

} // namespace ikev2wb
