#include "mtu.h"

#include "analyzeutil.h"

#include <algorithm>
#include <bit>
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

int binOf(std::uint16_t len)
{
    return std::min(int(len) / kMtuBinBytes, kMtuBins - 1);
}

/// The k-th smallest lengths for the nearest ranks of p50/p90/p99 (as analyze_detail::quantile
/// picks them), by counting: one pass instead of three nth_element partitions.
void lengthQuantiles(const std::vector<std::uint16_t> &v, std::vector<std::uint32_t> &counts, MtuSaSizes &m)
{
    const std::size_t n = v.size();
    counts.assign(65536, 0);
    for (const std::uint16_t len : v)
        ++counts[len];
    const double qs[3] = {0.5, 0.9, 0.99};
    std::uint16_t *out[3] = {&m.p50, &m.p90, &m.p99};
    std::size_t seen = 0;
    int next = 0;
    bool haveMin = false;
    for (std::size_t len = 0; len < counts.size() && next < 3; ++len) {
        if (!counts[len]) continue;
        if (!haveMin) {
            m.min = std::uint16_t(len);
            haveMin = true;
        }
        seen += counts[len];
        while (next < 3 && std::min(std::size_t(qs[next] * double(n - 1) + 0.5), n - 1) < seen)
            *out[next++] = std::uint16_t(len);
    }
    m.max = *std::max_element(v.begin(), v.end());
}

/// missingSequenceNumbers() of an SA's numbers without keeping them: a bitmap over the SA's
/// [minSeq, maxSeq] when that range is not much wider than its packet count.
class SeenNumbers
{
public:
    explicit SeenNumbers(const EspSa &sa)
    {
        if (sa.packets == 0 || sa.maxSeq < sa.minSeq) return;
        const std::uint64_t range = std::uint64_t(sa.maxSeq) - sa.minSeq + 1;
        if (range <= std::max<std::uint64_t>(std::uint64_t(1) << 26, 4 * sa.packets)) {
            m_base = sa.minSeq;
            m_range = range;
            m_bits.assign(std::size_t((range + 63) / 64), 0);
        }
    }
    void add(std::uint32_t seq)
    {
        ++m_count;
        if (!m_bits.empty() && seq >= m_base && std::uint64_t(seq - m_base) < m_range) {
            const std::uint64_t i = seq - m_base;
            m_bits[std::size_t(i >> 6)] |= std::uint64_t(1) << (i & 63);
        } else {
            m_list.push_back(seq); // no bitmap, or (never for a whole pass) outside the index's range
        }
    }
    [[nodiscard]] std::uint64_t missing()
    {
        if (m_bits.empty()) return missingSequenceNumbers(m_list);
        if (!m_list.empty() || m_count < 2) {
            // Cannot happen with the index's own min/max; fall back to the plain count.
            std::vector<std::uint32_t> all = m_list;
            for (std::size_t w = 0; w < m_bits.size(); ++w)
                for (std::uint64_t b = m_bits[w]; b; b &= b - 1)
                    all.push_back(std::uint32_t(m_base + w * 64 + std::uint64_t(std::countr_zero(b))));
            return missingSequenceNumbers(all);
        }
        std::uint64_t distinct = 0;
        for (const std::uint64_t w : m_bits)
            distinct += std::uint64_t(std::popcount(w));
        // As missingSequenceNumbers: the range between the smallest and largest number seen.
        std::uint64_t lo = 0, hi = 0;
        for (std::size_t w = 0; w < m_bits.size(); ++w)
            if (m_bits[w]) {
                lo = w * 64 + std::uint64_t(std::countr_zero(m_bits[w]));
                break;
            }
        for (std::size_t w = m_bits.size(); w-- > 0;)
            if (m_bits[w]) {
                hi = w * 64 + 63 - std::uint64_t(std::countl_zero(m_bits[w]));
                break;
            }
        return hi - lo + 1 - distinct;
    }

private:
    std::uint32_t m_base = 0;
    std::uint64_t m_range = 0;
    std::uint64_t m_count = 0;
    std::vector<std::uint64_t> m_bits;
    std::vector<std::uint32_t> m_list;
};

/// Packets of one outer size of an SA: sent, answered by reverse ESP within kReplyWindowNs, and
/// when one of them was answered.
struct SizeClass
{
    std::uint32_t sent = 0, answered = 0;
    std::int64_t answeredNs = -1;
};

/// The size cliff of one SA (MtuSaSizes::cliffSize and the counts around it) from its size
/// classes (index 0 = kLargeOuterBytes) and its smaller packets taken together.
void findSizeCliff(const std::vector<SizeClass> &classes, std::uint64_t smallSent,
                   std::uint64_t smallAnsweredCount, std::uint16_t smallAnswered,
                   std::int64_t smallAnsweredNs, MtuSaSizes &m)
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
    m.cliffSize = std::uint16_t(kLargeOuterBytes + t);
    m.cliffSent = hiSent;
    m.cliffAnswered = hiAnswered;
    m.belowSent = loSent;
    m.belowAnswered = loAnswered;
    // The lower bound: the largest size below T answered like the small packets (at least two
    // of its packets and 80 % of them; one lucky answer near a reply to something else
    // proves nothing), else the largest small packet answered.
    m.answeredBelow = smallAnswered;
    m.answeredBelowNs = smallAnsweredNs;
    for (std::size_t c = 0; c < t; ++c)
        if (classes[c].answered >= 2 && 5 * classes[c].answered >= 4 * classes[c].sent) {
            m.answeredBelow = std::uint16_t(kLargeOuterBytes + c);
            m.answeredBelowNs = classes[c].answeredNs;
        }
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

MtuAnalysis analyzeMtu(const CaptureIndex &index, const std::atomic_bool *cancel)
{
    MtuAnalysis out;
    const auto &sas = index.espSas;
    const auto &flows = index.flows;
    SaResolver saOf(sas);
    out.sas.resize(sas.size());
    std::vector<std::vector<std::uint16_t>> lengths(sas.size());
    std::vector<std::vector<std::int64_t>> times(sas.size());
    // Sequence numbers seen, as one bit each over the SA's [min, max] (known from the index), so
    // the pass writes a bit instead of appending 4 bytes; a vector for an unreasonably wide range.
    std::vector<SeenNumbers> seen;
    seen.reserve(sas.size());
    for (std::size_t s = 0; s < sas.size(); ++s) {
        seen.emplace_back(sas[s]);
        // The index counted each SA's packets: no regrowth (and copy) of these during the pass.
        lengths[s].reserve(std::size_t(sas[s].packets));
        times[s].reserve(std::size_t(sas[s].packets));
    }

    std::size_t n = 0;
    bool stop = false;
    index.packets.forEach([&](const PacketRecord &r) {
        if (stop) return;
        if ((++n & 0xffff) == 0 && cancelled(cancel)) {
            stop = true;
            return;
        }
        if (r.flags & FlagInnerTcpSyn) ++out.innerTcpSynWithMss;
        if (!r.isEsp()) return;
        const std::uint32_t lastSa = saOf.find(r);
        if (lastSa == SaResolver::kNone) return;
        MtuSaSizes &m = out.sas[lastSa];
        const std::uint16_t len = r.ipLength;
        ++m.packets;
        ++m.histogram[std::size_t(binOf(len))];
        lengths[lastSa].push_back(len);
        seen[lastSa].add(r.seq());
        times[lastSa].push_back(r.tsNs);
        if (r.flags & FlagDontFragment) ++m.dfPackets;
        if (r.flags & FlagFragment) ++m.fragmented;
        if (len >= kLargeOuterBytes) {
            if (m.largePackets == 0 || len < m.largeMin) m.largeMin = len;
            ++m.largePackets;
            if (r.flags & FlagDontFragment) ++m.largeDfPackets;
            m.lastLargeNs = r.tsNs;
            m.packetsAfterLastLarge = 0;
        } else if (m.lastLargeNs >= 0) {
            ++m.packetsAfterLastLarge;
        }
        m.lastNs = r.tsNs;
    });
    out.cancelled = stop || cancelled(cancel);

    std::vector<std::uint32_t> counts;
    for (std::size_t s = 0; s < sas.size(); ++s) {
        MtuSaSizes &m = out.sas[s];
        m.espSa = s;
        auto &v = lengths[s];
        if (!v.empty()) lengthQuantiles(v, counts, m);
        m.sequenceMissing = seen[s].missing();
        if (m.max > out.largestOuter) {
            out.largestOuter = m.max;
            out.largestSa = std::int64_t(s);
        }
    }

    // Reverse-direction ESP times per (src, dst) direction, for the reply check. Capture order
    // is (almost always) time order, so each list is merged, not sorted, and the check is a
    // sweep with one pointer into the reverse list instead of a binary search per packet.
    std::map<std::pair<IpAddress, IpAddress>, std::vector<std::int64_t>> byDirection;
    for (std::size_t s = 0; s < sas.size(); ++s) {
        const Flow &f = flows[sas[s].flowId];
        auto &v = byDirection[{f.src, f.dst}];
        const auto middle = v.insert(v.end(), times[s].begin(), times[s].end());
        if (std::is_sorted(middle, v.end()))
            std::inplace_merge(v.begin(), middle, v.end());
        else
            std::sort(v.begin(), v.end());
    }
    // Packets answered per outer size, for the size cliff: one class per size from
    // kLargeOuterBytes to the SA's largest (a few hundred entries), the smaller ones together.
    std::vector<SizeClass> classes;
    for (std::size_t s = 0; s < sas.size(); ++s) {
        const Flow &f = flows[sas[s].flowId];
        const auto it = byDirection.find({f.dst, f.src});
        if (it == byDirection.end()) continue;
        const auto &rev = it->second;
        const auto &mine = times[s];
        MtuSaSizes &m = out.sas[s];
        const bool sizes = m.largeDfPackets >= kMinLargeDf; // so m.max >= kLargeOuterBytes
        classes.assign(sizes ? std::size_t(m.max - kLargeOuterBytes + 1) : 0, SizeClass{});
        std::uint16_t smallAnswered = 0; // largest small packet answered
        std::int64_t smallAnsweredNs = -1;
        std::uint64_t smallSent = 0, smallAnsweredCount = 0;
        const bool sweep = std::is_sorted(mine.begin(), mine.end());
        auto next = rev.begin();
        for (std::size_t k = 0; k < mine.size(); ++k) {
            if (sweep) {
                while (next != rev.end() && *next <= mine[k])
                    ++next;
            } else {
                next = std::upper_bound(rev.begin(), rev.end(), mine[k]);
            }
            const bool replied = next != rev.end() && *next - mine[k] <= kReplyWindowNs;
            const std::uint16_t len = lengths[s][k];
            if (len >= kLargeOuterBytes) {
                if (replied) ++m.largeFollowedByReverse;
            } else if (replied) {
                ++m.smallFollowedByReverse;
            }
            // Whether the last second of the capture drew an answer nobody can tell.
            if (!sizes || mine[k] > index.lastNs - kReplyWindowNs) continue;
            if (len >= kLargeOuterBytes) {
                SizeClass &c = classes[len - kLargeOuterBytes];
                ++c.sent;
                if (replied) {
                    ++c.answered;
                    c.answeredNs = mine[k];
                }
            } else {
                ++smallSent;
                if (replied) {
                    ++smallAnsweredCount;
                    if (len > smallAnswered) {
                        smallAnswered = len;
                        smallAnsweredNs = mine[k];
                    }
                }
            }
        }
        if (sizes) findSizeCliff(classes, smallSent, smallAnsweredCount, smallAnswered, smallAnsweredNs, m);
    }

    // Outer fragments of tunnel traffic (ESP, and UDP for ESP-in-UDP / IKE).
    for (std::size_t d = 0; d < index.fragmentedDatagrams.size(); ++d) {
        const FragmentedDatagram &fd = index.fragmentedDatagrams[d];
        if (fd.proto != 50 && fd.proto != 17) continue;
        if (fd.outcome == FragmentedDatagram::Outcome::Complete) {
            ++out.fragmentsComplete;
        } else {
            ++out.fragmentsIncomplete;
            out.incompleteDatagrams.push_back(d);
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
        const bool sizeError = e.mtu > 0 && (index.packets[e.packet].kind == PacketKind::IcmpNeedFrag ||
                                             index.packets[e.packet].kind == PacketKind::Icmp6TooBig);
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
                              .arg(m.largeMin)
                              .arg(m.max);
            b.evidence << QStringLiteral(
                "no ICMP fragmentation-needed / packet-too-big quoting tunnel traffic was captured");
            // Large DF packets without a PTB are what every healthy bulk transfer looks like;
            // only a sign that they did not get through raises a suspicion.
            if (m.packetsAfterLastLarge >= kMinPacketsAfterLarge &&
                m.lastNs - m.lastLargeNs >= kMinTimeAfterLargeNs) {
                b.evidence << QStringLiteral("the large sizes stopped %1 s before the SA's last packet while "
                                             "%2 smaller packets followed")
                                  .arg(seconds(m.lastNs - m.lastLargeNs), 0, 'f', 1)
                                  .arg(m.packetsAfterLastLarge);
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
                                             "against %4 of %5 smaller ones")
                                  .arg(answered)
                                  .arg(m.cliffSize)
                                  .arg(m.cliffAnswered == 0 && m.cliffSent == 1 ? QStringLiteral("no")
                                                                                : QStringLiteral("any"))
                                  .arg(m.belowAnswered)
                                  .arg(m.belowSent);
                b.level = MtuBlackHole::Level::Suspected;
            }
            if (b.level == MtuBlackHole::Level::None) b.evidence.clear();
        } else if (m.sequenceMissing && m.packets >= 10 && m.max < kLargeOuterBytes && !ptb) {
            b.evidence << QStringLiteral(
                              "%1 ESP sequence numbers are missing on this SA and its largest packet that "
                              "arrived had %2 bytes: the missing ones may be larger ones; only a capture at "
                              "the sender proves it")
                              .arg(m.sequenceMissing)
                              .arg(m.max);
            b.level = MtuBlackHole::Level::Possible;
        }
        if (int(b.level) > int(out.blackHole.level) ||
            (b.level == out.blackHole.level && b.level != MtuBlackHole::Level::None &&
             out.blackHole.espSa >= 0 &&
             m.largeDfPackets > out.sas[std::size_t(out.blackHole.espSa)].largeDfPackets))
            out.blackHole = b;
    }
    return out;
}

} // namespace ikev2wb
