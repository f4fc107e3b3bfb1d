#include "endpointcompare.h"

#include "../index/indexbuilder.h"
#include "../util/textformat.h"
#include "comparedetail.h"

#include <QFileInfo>

#include <algorithm>
#include <bit>
#include <cmath>
#include <future>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

namespace ikev2wb {

using namespace comparedetail;

namespace {

/// The capture index of receiver packet `r` of `sa` when the observations noted it (the lowest
/// sequence number of its length, at that time), else -1.
std::int64_t packetOf(const ObservedSa &sa, const EspObservation &r)
{
    if (r.size >= sa.lowestOfLength.size()) return -1;
    const ObservedSa::LowestOfLength &l = sa.lowestOfLength[r.size];
    return l.seq == r.seq() && l.tsNs == r.tsNs ? l.packet : -1;
}

constexpr std::int64_t kSecond = 1000000000;

/// What one capture's copy of an SA looks like before matching.
struct SideSa
{
    ObservedSa *sa = nullptr;
    std::uint64_t distinct = 0;
    std::uint64_t gaps = 0; // sequence numbers missing inside [min, max]
    std::uint64_t minSeq = 0, maxSeq = 0;
    std::vector<ReorderedPacket> reordered; // arrival order against sequence order
    std::uint32_t maxDisplacement = 0;
};

/// One SA of the tunnel, with its copy in each capture (either may be missing).
struct SaPair
{
    SideSa *side[2] = {nullptr, nullptr};
    int sender = 0;
    QString basis;
    bool haveDelta = false;            // some sequence number is in both copies
    std::int64_t minBA = 0, maxBA = 0; // min / max of t_B − t_A over those
};

/// Whether packet j, numbered above the running maximum `top` + 1, is a lone number ahead: the
/// packets after it go on from `top`, in order below it, until its own number arrives in turn or
/// the capture ends (a flipped low bit: 1000 arriving as 1008, then 1001..1008). The same
/// judgement as the sequence analysis' out_of_run (EspSaSequence::outOfRun); the packets after
/// it are not late.
template <class Packets> bool loneAhead(const Packets &pk, std::size_t j, std::uint64_t top)
{
    const std::uint64_t q = pk[j].seq();
    std::uint64_t last = top;
    std::size_t k = j + 1;
    for (; k < pk.size(); ++k) {
        const std::uint64_t n = pk[k].seq();
        if (n <= last || n >= q) return n == q && k > j + 1;
        last = n;
    }
    return k > j + 1;
}

/// Late packets in arrival order: a packet is reordered when a higher sequence number arrived
/// before it; its displacement is how many packets arrived since the first such one (RFC 4737).
/// A number more than kFarAhead above the running maximum whose next packet falls back within
/// kFarAhead of that maximum (or that is the last) is no new maximum: a number corrupted on the
/// way (a flipped high bit) would otherwise make every later packet "late". A real jump that
/// large (a failover, a capture that missed that many) is followed by numbers from it, and is
/// taken (the same look-ahead as the sequence analysis, EspSequenceAnalysis::kHorizon). A
/// nearer lone number ahead (loneAhead) is no new maximum either.
void findReordered(SideSa &s)
{
    constexpr std::uint64_t kFarAhead = 65536; // EspSequenceAnalysis::kHorizon
    std::vector<std::pair<std::uint64_t, std::uint64_t>>
        rises; // (arrival index, running max) at each new maximum
    const auto &pk = s.sa->packets;
    for (std::size_t j = 0; j < pk.size(); ++j) {
        const std::uint64_t q = pk[j].seq();
        if (!rises.empty() && q > rises.back().second + kFarAhead &&
            (j + 1 == pk.size() || pk[j + 1].seq() <= rises.back().second + kFarAhead))
            continue;
        if (!rises.empty() && q > rises.back().second + 1 && q <= rises.back().second + kFarAhead &&
            loneAhead(pk, j, rises.back().second))
            continue;
        if (rises.empty() || q > rises.back().second) {
            rises.emplace_back(j, q);
            continue;
        }
        if (q == rises.back().second)
            continue; // a copy of the newest packet: duplicates are counted elsewhere
        auto it = std::upper_bound(rises.begin(), rises.end(), q,
                                   [](std::uint64_t v, const auto &r) { return v < r.second; });
        const auto disp = static_cast<std::uint32_t>(j - it->first);
        s.reordered.push_back({s.sa->spi, q, pk[j].tsNs, disp});
        s.maxDisplacement = std::max(s.maxDisplacement, disp);
    }
}

void prepare(SideSa &s)
{
    findReordered(s);
    auto &pk = s.sa->packets;
    auto &ix = s.sa->packetIndex;
    const auto bySeq = [](const EspObservation &x, const EspObservation &y) { return x.seq() < y.seq(); };
    if (!std::is_sorted(pk.begin(), pk.end(), bySeq)) {
        if (ix.size() == pk.size()) {
            // The packet indexes move with their packets.
            std::vector<std::uint32_t> order(pk.size());
            for (std::size_t i = 0; i < order.size(); ++i)
                order[i] = std::uint32_t(i);
            std::stable_sort(order.begin(), order.end(),
                             [&](std::uint32_t x, std::uint32_t y) { return pk[x].seq() < pk[y].seq(); });
            std::vector<EspObservation> sortedPk;
            std::vector<std::uint32_t> sortedIx;
            sortedPk.reserve(pk.size());
            sortedIx.reserve(ix.size());
            for (const std::uint32_t o : order) {
                sortedPk.push_back(pk[o]);
                sortedIx.push_back(ix[o]);
            }
            pk.swap(sortedPk);
            ix.swap(sortedIx);
        } else {
            std::stable_sort(pk.begin(), pk.end(), bySeq); // copies keep their arrival order
        }
    }
    if (pk.empty()) return;
    s.minSeq = pk.front().seq();
    s.maxSeq = pk.back().seq();
    for (std::size_t i = 0; i < pk.size(); ++i)
        if (i == 0 || pk[i].seq() != pk[i - 1].seq()) ++s.distinct;
    s.gaps = (s.maxSeq - s.minSeq + 1) - s.distinct;
}

std::uint64_t overlap(const SideSa &x, const SideSa &y)
{
    const std::uint64_t lo = std::max(x.minSeq, y.minSeq), hi = std::min(x.maxSeq, y.maxSeq);
    return hi >= lo ? hi - lo + 1 : 0;
}

bool contains(const std::vector<IpAddress> &v, const IpAddress &a)
{
    return std::find(v.begin(), v.end(), a) != v.end();
}
void addUnique(std::vector<IpAddress> &v, const IpAddress &a)
{
    if (!contains(v, a)) v.push_back(a);
}

/// The sending capture of a pair: the sender's own capture sees the packets before any router
/// decremented the TTL; failing that, the sender's copy has no sequence gaps the receiver lacks
/// (a sender numbers every packet it sends); failing that, timing against the decided SAs.
void decideSender(SaPair &p)
{
    const ObservedSa &a = *p.side[0]->sa, &b = *p.side[1]->sa;
    if (a.maxTtl != b.maxTtl) {
        p.sender = a.maxTtl > b.maxTtl ? 0 : 1;
        p.basis = QStringLiteral("ttl");
        return;
    }
    if (p.side[0]->gaps != p.side[1]->gaps) {
        p.sender = p.side[0]->gaps < p.side[1]->gaps ? 0 : 1;
        p.basis = QStringLiteral("sequence gaps");
        return;
    }
    p.sender = -1;
}

/// Walks the seq-sorted copies of a pair: calls both(s, r, rCopies, sCopies), senderOnly(s),
/// receiverOnly(r, copies) per sequence number.
template <typename Both, typename SOnly, typename ROnly>
void mergeJoin(const std::vector<EspObservation> *s, const std::vector<EspObservation> *r, Both &&both,
               SOnly &&senderOnly, ROnly &&receiverOnly)
{
    static const std::vector<EspObservation> none;
    const auto &S = s ? *s : none;
    const auto &R = r ? *r : none;
    std::size_t i = 0, j = 0;
    while (i < S.size() || j < R.size()) {
        const std::uint64_t qs = i < S.size() ? S[i].seq() : ~0ULL;
        const std::uint64_t qr = j < R.size() ? R[j].seq() : ~0ULL;
        const std::uint64_t q = std::min(qs, qr);
        std::size_t ni = i, nj = j;
        while (ni < S.size() && S[ni].seq() == q)
            ++ni;
        while (nj < R.size() && R[nj].seq() == q)
            ++nj;
        if (ni > i && nj > j)
            both(S[i], R[j], nj - j, ni - i, &R[j]);
        else if (ni > i)
            senderOnly(S[i]);
        else
            receiverOnly(R[j], nj - j, &R[j]);
        i = ni;
        j = nj;
    }
}

struct DirectionWork
{
    DeltaList deltas;                  // raw t_receiver − t_sender of matched packets
    std::vector<LossSecond> perSecond; // indexed from the sender capture's first second
    std::int64_t firstSecond = 0;
    std::vector<SizeBucket> bySize; // indexed by size / bucket width
    std::vector<Outage> runs;
    std::uint64_t lostBeyondReceiverSpan = 0; // counted lost though the receiver's capture shows nothing then
};

/// Puts a capture's pairing entries (one per packet at most, indexes below `packets`) in packet
/// order in linear time: each entry's place is the number of entries with a lower index, counted
/// in a bitmap of the capture's packets (a comparison sort of millions of entries took longer
/// than the pairing itself).
void sortByPacket(std::vector<PacketPeer> &v, std::uint64_t packets)
{
    const auto byPacket = [](const PacketPeer &x, const PacketPeer &y) { return x.packet < y.packet; };
    if (std::is_sorted(v.begin(), v.end(), byPacket)) return;
    const std::size_t words = std::size_t((packets + 63) / 64);
    std::vector<std::uint64_t> bits(words, 0);
    for (const PacketPeer &p : v) {
        if (p.packet >= packets) { // cannot happen (indexes come from the capture); stay correct
            std::sort(v.begin(), v.end(), byPacket);
            return;
        }
        bits[p.packet >> 6] |= std::uint64_t(1) << (p.packet & 63);
    }
    std::vector<std::uint32_t> before(words, 0); // entries in the words before each word
    std::uint32_t n = 0;
    for (std::size_t w = 0; w < words; ++w) {
        before[w] = n;
        n += std::uint32_t(std::popcount(bits[w]));
    }
    std::vector<PacketPeer> out(v.size());
    for (const PacketPeer &p : v) {
        const std::uint64_t below = bits[p.packet >> 6] & ((std::uint64_t(1) << (p.packet & 63)) - 1);
        out[before[p.packet >> 6] + std::uint32_t(std::popcount(below))] = p;
    }
    v.swap(out);
}

/// Records the fate of each packet of one SA pair in a PacketPairing (when both copies carry
/// their packet indexes; a copy without them gets no entries).
class PairRecorder
{
public:
    PairRecorder(PacketPairing *out, const SaPair &p) : m_out(out), m_sender(p.sender)
    {
        for (int s = 0; s < 2; ++s) {
            const SideSa *x = p.side[s];
            if (out && x && !x->sa->packets.empty() && x->sa->packetIndex.size() == x->sa->packets.size())
                m_sa[s] = x->sa;
        }
    }
    /// The capture index of `o`, a packet of side `s`'s copy (kNone without indexes).
    [[nodiscard]] std::uint32_t index(int s, const EspObservation &o) const
    {
        return m_sa[s] ? m_sa[s]->packetIndex[std::size_t(&o - m_sa[s]->packets.data())] : PacketPeer::kNone;
    }
    /// `n` copies starting at `first` of side `s`, all with `fate`; `other` gives each one's counterpart.
    template <typename Other>
    void put(int s, const EspObservation *first, std::size_t n, PacketFate fate, Other &&other)
    {
        if (!m_sa[s]) return;
        for (std::size_t k = 0; k < n; ++k)
            m_out->side[s].push_back({index(s, first[k]), other(k), fate});
    }
    /// The sender's copies of a sequence number absent at the receiver, starting at `first`.
    void senderOnly(const EspObservation &first, PacketFate fate)
    {
        const int s = m_sender;
        if (!m_sa[s]) return;
        const auto &pk = m_sa[s]->packets;
        std::size_t n = 1;
        for (std::size_t i = std::size_t(&first - pk.data()) + 1; i < pk.size() && pk[i].seq() == first.seq();
             ++i)
            ++n;
        put(s, &first, n, fate, [](std::size_t) { return PacketPeer::kNone; });
    }

private:
    PacketPairing *m_out;
    int m_sender;
    const ObservedSa *m_sa[2] = {nullptr, nullptr};
};

/// Phase 2 for one pair: every count, list and series of the SA (and each packet's fate in
/// `pairing` when given).
void analysePair(const SaPair &p, const CaptureObservations *obs[2], const ClockMap &clock, std::int64_t base,
                 const CompareOptions &opt, DirectionComparison &d, DirectionWork &w, PacketPairing *pairing)
{
    PairRecorder rec(pairing, p);
    const int dir = p.sender; // A→B is direction 0 and is sent by capture 0
    const int rs = 1 - p.sender;
    const SideSa *ss = p.side[p.sender], *rr = p.side[rs];
    const CaptureObservations &sobs = *obs[p.sender], &robs = *obs[rs];
    SaComparison c;
    const ObservedSa &any = ss ? *ss->sa : *rr->sa;
    c.spi = any.spi;
    c.generation = any.generation;
    c.udp = any.udp;
    c.senderBasis = p.basis;
    c.atSender = ss != nullptr;
    c.atReceiver = rr != nullptr;
    if (ss) {
        c.srcAtSender = ss->sa->src;
        c.dstAtSender = ss->sa->dst;
        c.srcPortAtSender = ss->sa->srcPort;
        c.dstPortAtSender = ss->sa->dstPort;
    }
    if (rr) {
        c.srcAtReceiver = rr->sa->src;
        c.dstAtReceiver = rr->sa->dst;
        c.srcPortAtReceiver = rr->sa->srcPort;
        c.dstPortAtReceiver = rr->sa->dstPort;
    }
    c.firstSeq = std::min(ss ? ss->minSeq : ~0ULL, rr ? rr->minSeq : ~0ULL);
    c.lastSeq = std::max(ss ? ss->maxSeq : 0, rr ? rr->maxSeq : 0);
    c.firstNs = ss ? ss->sa->packets.front().tsNs : clock.toSender(dir, rr->sa->packets.front().tsNs);
    c.lastNs = c.firstNs;

    // This SA's deltas go straight to the direction's (its statistics are taken from its part).
    const std::size_t firstDelta = w.deltas.size();
    std::map<std::int64_t, OwdBucket> series;
    std::int64_t prevDelta = 0;
    bool havePrev = false;
    double jitterSum = 0;
    std::uint64_t jitterN = 0;
    std::vector<std::uint64_t> dupSeqs;
    std::vector<std::int64_t> firstArrival; // of duplicated sequence numbers
    // Current run of consecutive losses (sequence order) within this SA.
    Outage run;
    std::int64_t lastDelivered = -1;
    bool inRun = false;

    const auto second = [&](std::int64_t ts) -> LossSecond & {
        const std::int64_t sec = ts / kSecond - w.firstSecond;
        const std::size_t i = sec < 0 ? 0 : std::min<std::size_t>(std::size_t(sec), w.perSecond.size() - 1);
        return w.perSecond[i];
    };
    const auto sized = [&](std::uint16_t size) -> SizeBucket & {
        const std::uint32_t width = std::max(1u, opt.sizeBucket);
        const std::size_t i = size / width;
        if (i >= w.bySize.size()) w.bySize.resize(i + 1);
        SizeBucket &b = w.bySize[i];
        b.minSize = std::uint32_t(i) * width;
        b.maxSize = b.minSize + width - 1;
        return b;
    };
    // Sequence order is nearly time order: remember the last one-second bucket.
    std::int64_t lastSecond = INT64_MIN;
    OwdBucket *lastBucket = nullptr;
    const auto endRun = [&](std::int64_t nextDelivered) {
        if (!inRun) return;
        run.firstDeliveredAfterNs = nextDelivered;
        w.runs.push_back(run);
        ++d.lossBursts;
        d.longestBurst = std::max(d.longestBurst, run.lost);
        inRun = false;
    };

    mergeJoin(
        ss ? &ss->sa->packets : nullptr, rr ? &rr->sa->packets : nullptr,
        [&](const EspObservation &s, const EspObservation &r, std::size_t rCopies, std::size_t sCopies,
            const EspObservation *copies) {
            ++c.sent;
            ++c.received;
            c.lastNs = std::max(c.lastNs, s.tsNs);
            endRun(s.tsNs);
            lastDelivered = s.tsNs;
            ++second(s.tsNs).sent;
            ++sized(s.size).sent;
            if (s.size > d.largestDelivered)
                d.largestDeliveredPacket = {c.spi, s.seq(), r.tsNs, s.size, packetOf(*rr->sa, r)};
            d.largestDelivered = std::max<std::uint32_t>(d.largestDelivered, s.size);
            const std::int64_t delta = r.tsNs - s.tsNs;
            w.deltas.push_back(delta);
            if (havePrev) {
                jitterSum += std::fabs(nsToMs(delta - prevDelta));
                ++jitterN;
            }
            if (s.tsNs / kSecond != lastSecond) {
                lastSecond = s.tsNs / kSecond;
                lastBucket = &series[lastSecond];
            }
            OwdBucket &b = *lastBucket;
            const double ms = nsToMs(delta - base);
            if (b.samples == 0) {
                b.startNs = s.tsNs / kSecond * kSecond;
                b.minMs = b.maxMs = ms;
            }
            b.minMs = std::min(b.minMs, ms);
            b.maxMs = std::max(b.maxMs, ms);
            b.meanMs += ms;
            if (havePrev && b.samples > 0) b.jitterMs += std::fabs(nsToMs(delta - prevDelta));
            ++b.samples;
            prevDelta = delta;
            havePrev = true;
            // The sender's copies pair with the receiver's in order; the receiver's extra copies
            // are duplicates of the first.
            const int sd = p.sender;
            const std::size_t sn = std::max<std::size_t>(sCopies, 1);
            rec.put(sd, &s, sn, PacketFate::Delivered,
                    [&](std::size_t k) { return rec.index(rs, copies[std::min(k, rCopies - 1)]); });
            rec.put(rs, copies, std::min(rCopies, sn), PacketFate::Received,
                    [&](std::size_t k) { return rec.index(sd, (&s)[k]); });
            if (rCopies > sn)
                rec.put(rs, copies + sn, rCopies - sn, PacketFate::Duplicate,
                        [&](std::size_t) { return rec.index(sd, s); });
            if (rCopies > std::max<std::size_t>(sCopies, 1)) {
                dupSeqs.push_back(s.seq());
                firstArrival.push_back(r.tsNs);
                for (std::size_t k = std::max<std::size_t>(sCopies, 1); k < rCopies; ++k) {
                    d.duplicates.push_back({c.spi, s.seq(), copies[k].tsNs, copies[k].size});
                    ++c.duplicated;
                }
            }
        },
        [&](const EspObservation &s) {
            ++c.sent;
            c.lastNs = std::max(c.lastNs, s.tsNs);
            if (clock.captureOff(rs, clock.toReceiver(dir, s.tsNs))) {
                ++c.outsideReceiverSpan;
                d.outsideReceiverSpan.push_back({c.spi, s.seq(), s.tsNs, s.size});
                rec.senderOnly(s, PacketFate::OutsideReceiverSpan);
                endRun(-1);
                return;
            }
            if (!robs.contains(clock.toReceiver(dir, s.tsNs))) ++w.lostBeyondReceiverSpan;
            ++c.lost;
            d.lostInTransit.push_back({c.spi, s.seq(), s.tsNs, s.size});
            rec.senderOnly(s, PacketFate::LostInTransit);
            LossSecond &ls = second(s.tsNs);
            ++ls.sent;
            ++ls.lost;
            ++sized(s.size).lost;
            ++sized(s.size).sent;
            d.smallestLost = d.smallestLost ? std::min<std::uint32_t>(d.smallestLost, s.size) : s.size;
            if (!inRun) {
                run = Outage{};
                run.firstLostNs = s.tsNs;
                run.lastDeliveredBeforeNs = lastDelivered;
                inRun = true;
            }
            run.lastLostNs = s.tsNs;
            ++run.lost;
        },
        [&](const EspObservation &r, std::size_t copies, const EspObservation *all) {
            ++c.received;
            const ComparedPacket cp{c.spi, r.seq(), r.tsNs, r.size};
            const bool inSpan = sobs.contains(clock.toSender(dir, r.tsNs));
            if (inSpan) {
                ++c.captureDropAtSender;
                d.captureDropAtSender.push_back(cp);
            } else {
                ++c.outsideSenderSpan;
                d.outsideSenderSpan.push_back(cp);
            }
            rec.put(rs, all, copies, inSpan ? PacketFate::MissingAtSender : PacketFate::OutsideSenderSpan,
                    [](std::size_t) { return PacketPeer::kNone; });
            for (std::size_t k = 1; k < copies; ++k) {
                d.duplicates.push_back({c.spi, r.seq(), all[k].tsNs, all[k].size});
                ++c.duplicated;
            }
        });
    endRun(-1);

    // Reordering is judged at the receiver; a later copy of a duplicated packet is not reordered.
    if (rr) {
        for (const ReorderedPacket &rp : rr->reordered) {
            const auto it = std::lower_bound(dupSeqs.begin(), dupSeqs.end(), rp.seq);
            if (it != dupSeqs.end() && *it == rp.seq &&
                firstArrival[std::size_t(it - dupSeqs.begin())] != rp.tsNs)
                continue;
            d.reorderedPackets.push_back(rp);
            d.maxDisplacement = std::max(d.maxDisplacement, rp.displacement);
            ++c.reordered;
        }
    }
    for (auto &[sec, b] : series) {
        b.meanMs /= double(b.samples);
        b.jitterMs = b.samples > 1 ? b.jitterMs / double(b.samples - 1) : 0;
        c.owdSeries.push_back(b);
    }
    c.owd = w.deltas.stats(firstDelta, base, jitterSum, jitterN);
    d.sent += c.sent;
    d.received += c.received;
    d.duplicated += c.duplicated;
    d.reordered += c.reordered;
    d.spis << spiText(c.spi);
    d.sas.push_back(std::move(c));
}

} // namespace

CompareResult compareCaptures(CaptureObservations a, CaptureObservations b, const CompareOptions &opt,
                              const CompareProgressFn &progress, const std::atomic_bool *cancel)
{
    CompareResult r;
    // Work is counted in ESP packets: each is visited once to prepare its SA and once when its
    // pair is analysed.
    const auto total = std::int64_t(2 * (a.espPackets + b.espPackets));
    std::int64_t done = 0;
    const auto step = [&](std::int64_t packets) {
        done += packets;
        if (progress) progress(CompareStage::Comparing, std::min(done, total), total);
        if (cancel && cancel->load(std::memory_order_relaxed)) r.cancelled = true;
        return r.cancelled;
    };
    if (step(0)) return r;
    const CaptureObservations *obs[2] = {&a, &b};
    for (int s = 0; s < 2; ++s) {
        CompareSide &side = r.side[s];
        side.file = obs[s]->file;
        side.packets = obs[s]->packets;
        side.espPackets = obs[s]->espPackets;
        side.ikeMessages = obs[s]->ike.size();
        side.firstNs = obs[s]->firstNs;
        side.lastNs = obs[s]->lastNs;
        side.set = obs[s]->set;
        side.scope = obs[s]->scope;
        side.outOfScope = obs[s]->outOfScope;
        for (const QString &n : side.set.notes)
            r.notes << QStringLiteral("%1: %2").arg(QLatin1String(s == 0 ? "A" : "B"), n);
        if (!obs[s]->readWarning.isEmpty())
            r.notes << QStringLiteral("%1: %2").arg(QFileInfo(side.file.path).fileName(),
                                                    obs[s]->readWarning);
    }

    // Each capture's SAs in arrival order → reordering, then sorted by sequence number.
    std::vector<SideSa> sides[2];
    for (int s = 0; s < 2; ++s) {
        CaptureObservations &o = s == 0 ? a : b;
        sides[s].resize(o.sas.size());
        for (std::size_t i = 0; i < o.sas.size(); ++i) {
            sides[s][i].sa = &o.sas[i];
            prepare(sides[s][i]);
            if (step(std::int64_t(o.sas[i].packets.size()))) return r;
        }
    }

    // Pair the two copies of an SA by SPI; among several (reused SPIs, other tunnels) the one
    // whose sequence numbers overlap most.
    std::unordered_multimap<std::uint32_t, std::size_t> bySpi;
    for (std::size_t i = 0; i < sides[1].size(); ++i)
        bySpi.emplace(sides[1][i].sa->spi, i);
    std::vector<bool> usedB(sides[1].size(), false);
    std::vector<SaPair> pairs;
    std::vector<SideSa *> single[2];
    for (SideSa &x : sides[0]) {
        const auto [lo, hi] = bySpi.equal_range(x.sa->spi);
        std::ptrdiff_t best = -1;
        std::uint64_t bestOverlap = 0;
        std::size_t candidates = 0;
        for (auto it = lo; it != hi; ++it) {
            if (usedB[it->second]) continue;
            ++candidates;
            const std::uint64_t ov = overlap(x, sides[1][it->second]);
            if (best < 0 || ov > bestOverlap) {
                best = std::ptrdiff_t(it->second);
                bestOverlap = ov;
            }
        }
        if (best >= 0 && (bestOverlap > 0 || candidates == 1)) {
            usedB[std::size_t(best)] = true;
            SaPair p;
            p.side[0] = &x;
            p.side[1] = &sides[1][std::size_t(best)];
            decideSender(p);
            pairs.push_back(p);
        } else {
            single[0].push_back(&x);
        }
    }
    for (std::size_t i = 0; i < sides[1].size(); ++i)
        if (!usedB[i]) single[1].push_back(&sides[1][i]);

    // Undecided pairs: by timing against decided ones. For A→B, min(t_B − t_A) = d + θ; for
    // B→A it is θ − d: an SA lies on the side of the midpoint its direction belongs to.
    for (SaPair &p : pairs) {
        mergeJoin(
            &p.side[0]->sa->packets, &p.side[1]->sa->packets,
            [&](const EspObservation &x, const EspObservation &y, std::size_t, std::size_t,
                const EspObservation *) {
                const std::int64_t d = y.tsNs - x.tsNs;
                p.minBA = p.haveDelta ? std::min(p.minBA, d) : d;
                p.maxBA = p.haveDelta ? std::max(p.maxBA, d) : d;
                p.haveDelta = true;
            },
            [](const EspObservation &) {},
            [](const EspObservation &, std::size_t, const EspObservation *) {});
    }
    {
        std::int64_t lowestAb = 0, highestBa = 0;
        bool haveAb = false, haveBa = false;
        for (const SaPair &p : pairs) {
            if (!p.haveDelta) continue;
            if (p.sender == 0) {
                lowestAb = haveAb ? std::min(lowestAb, p.minBA) : p.minBA;
                haveAb = true;
            } else if (p.sender == 1) {
                highestBa = haveBa ? std::max(highestBa, p.maxBA) : p.maxBA;
                haveBa = true;
            }
        }
        for (SaPair &p : pairs) {
            if (p.sender >= 0 || !p.haveDelta || !haveAb || !haveBa || lowestAb <= highestBa) continue;
            const std::int64_t theta = (lowestAb + highestBa) / 2;
            if (p.minBA > theta)
                p.sender = 0;
            else if (p.maxBA < theta)
                p.sender = 1;
            else
                continue;
            p.basis = QStringLiteral("timing");
        }
        for (SaPair &p : pairs) {
            if (p.sender < 0) {
                p.sender = 0;
                p.basis = QStringLiteral("assumed");
                r.notes << QStringLiteral("SA %1: direction could not be decided (same TTL, same sequence "
                                          "numbers in both captures); assumed sent by capture A")
                               .arg(spiText(p.side[0]->sa->spi));
            }
        }
    }

    // Each endpoint's own addresses as its capture shows them, and the peer's.
    std::vector<IpAddress> local[2], peer[2];
    for (const SaPair &p : pairs) {
        const int s = p.sender, rcv = 1 - p.sender;
        addUnique(local[s], p.side[s]->sa->src);
        addUnique(peer[s], p.side[s]->sa->dst);
        addUnique(local[rcv], p.side[rcv]->sa->dst);
        addUnique(peer[rcv], p.side[rcv]->sa->src);
    }
    // IKE: match, learn the clock from unambiguous messages, classify loss and retransmissions.
    ClockMap clock;
    for (const SaPair &p : pairs)
        if (p.haveDelta) clock.observe(p.sender, p.sender == 0 ? p.minBA : -p.maxBA);
    for (int s = 0; s < 2; ++s) {
        clock.first[s] = obs[s]->firstNs;
        clock.last[s] = obs[s]->lastNs;
        if (!obs[s]->set.gaps.empty()) clock.sets[s] = &obs[s]->set;
    }
    const auto noteMissing = [&](const SaPair &p) {
        if (p.side[1 - p.sender] == nullptr) return;
        mergeJoin(
            p.side[p.sender] ? &p.side[p.sender]->sa->packets : nullptr, &p.side[1 - p.sender]->sa->packets,
            [](const EspObservation &, const EspObservation &, std::size_t, std::size_t,
               const EspObservation *) {},
            [](const EspObservation &) {},
            [&](const EspObservation &x, std::size_t, const EspObservation *) {
                clock.noteMissingAtSender(p.sender, clock.toSender(p.sender, x.tsNs));
            });
    };
    for (const SaPair &p : pairs)
        noteMissing(p);
    compareIke(obs, local, peer, clock, r);

    // Behind one NAT address two tunnels to one gateway share the outer address pair and differ by
    // the NAT's UDP port (two road warriors behind one NAT): the ports of this tunnel's ESP-in-UDP
    // SAs in each capture, as (this end's, the peer's), from their first packets.
    using Ports = std::pair<std::uint16_t, std::uint16_t>;
    const auto portsAt = [](const ObservedSa &sa, bool sent) {
        return sent ? Ports{sa.srcPort, sa.dstPort} : Ports{sa.dstPort, sa.srcPort};
    };
    std::set<Ports> tunnelPorts[2];
    for (const SaPair &p : pairs)
        for (int s = 0; s < 2; ++s)
            if (p.side[s] && p.side[s]->sa->udp)
                tunnelPorts[s].insert(portsAt(*p.side[s]->sa, p.sender == s));
    // SAs seen in one capture only: part of this tunnel when they run between the endpoint and
    // its peer (then wholly lost, or wholly missing at the sender), on the ports of the tunnel's
    // SAs seen in both when it is ESP in UDP; otherwise another tunnel.
    for (int s = 0; s < 2; ++s) {
        for (SideSa *x : single[s]) {
            SaPair p;
            p.side[s] = x;
            p.basis = QStringLiteral("only one capture");
            p.sender = -1;
            if (contains(local[s], x->sa->src) && contains(peer[s], x->sa->dst))
                p.sender = s;
            else if (contains(local[s], x->sa->dst) && contains(peer[s], x->sa->src))
                p.sender = 1 - s;
            if (p.sender < 0 || (x->sa->udp && !tunnelPorts[s].empty() &&
                                 !tunnelPorts[s].count(portsAt(*x->sa, p.sender == s)))) {
                r.side[s].otherSpis.push_back(x->sa->spi);
                continue;
            }
            pairs.push_back(p);
        }
    }
    for (int s = 0; s < 2; ++s) {
        r.side[s].localAddresses = local[s];
        r.side[s].peerAddresses = peer[s];
    }
    for (const SaPair &p : pairs)
        if (p.side[p.sender] == nullptr) noteMissing(p);

    // Clock offset from the minimum delays of both directions.
    ClockOffset &co = r.clock;
    co.haveAb = clock.have[0];
    co.haveBa = clock.have[1];
    co.minDeltaAbS = double(clock.minDelta[0]) / 1e9;
    co.minDeltaBaS = double(clock.minDelta[1]) / 1e9;
    co.identifiable = clock.have[0] && clock.have[1];
    if (co.identifiable) {
        co.offsetS = double(clock.minDelta[0] - clock.minDelta[1]) / 2e9;
        co.pathDelayS = double(clock.minDelta[0] + clock.minDelta[1]) / 2e9;
        co.errorBoundS = std::fabs(co.pathDelayS);
        co.assumption = QStringLiteral(
            "the minimum one-way path delay is the same both ways; if it is not, the offset is off by "
            "half the difference, at most the estimated path delay");
    } else {
        co.assumption = QStringLiteral("traffic matched in one direction only: the clock offset is not "
                                       "identifiable and one-way delays are relative to their minimum");
    }

    // Phase 2: per direction and SA.
    for (int s = 0; s < 2; ++s) {
        const auto &o = *obs[s];
        if (std::any_of(o.sas.begin(), o.sas.end(),
                        [](const ObservedSa &x) { return !x.packetIndex.empty(); }))
            r.pairing.side[s].reserve(std::size_t(o.espPackets));
    }
    DirectionWork work[2];
    for (int dir = 0; dir < 2; ++dir) {
        DirectionComparison &d = r.directions[dir];
        d.from = dir;
        d.owdAbsolute = co.identifiable;
        const CaptureObservations &sender = *obs[dir];
        work[dir].firstSecond = sender.firstNs / kSecond;
        work[dir].perSecond.resize(
            std::size_t(std::max<std::int64_t>(0, sender.lastNs / kSecond - work[dir].firstSecond)) + 1);
        for (std::size_t i = 0; i < work[dir].perSecond.size(); ++i)
            work[dir].perSecond[i].startNs = (work[dir].firstSecond + std::int64_t(i)) * kSecond;
    }
    std::sort(pairs.begin(), pairs.end(), [](const SaPair &x, const SaPair &y) {
        const auto first = [](const SaPair &p) {
            const SideSa *s = p.side[p.sender] ? p.side[p.sender] : p.side[1 - p.sender];
            return s->sa->packets.empty() ? 0 : s->minSeq;
        };
        const SideSa *sx = x.side[x.sender] ? x.side[x.sender] : x.side[1 - x.sender];
        const SideSa *sy = y.side[y.sender] ? y.side[y.sender] : y.side[1 - y.sender];
        return std::tuple(sx->sa->packets.front().tsNs, first(x)) <
               std::tuple(sy->sa->packets.front().tsNs, first(y));
    });
    // At most one delay per sequence number in both copies: reserved, not grown by doubling.
    {
        std::size_t matches[2] = {0, 0};
        for (const SaPair &p : pairs)
            if (p.side[0] && p.side[1])
                matches[p.sender] += std::size_t(std::min(p.side[0]->distinct, p.side[1]->distinct));
        for (int dir = 0; dir < 2; ++dir)
            work[dir].deltas.reserve(matches[dir]);
    }
    for (const SaPair &p : pairs) {
        const int dir = p.sender;
        // Delays are t_receiver − t_sender minus the receiver's clock lead: θ for A→B, −θ for B→A;
        // relative to the minimum when θ is unknown.
        const std::int64_t theta = clock.theta();
        const std::int64_t base = co.identifiable ? (dir == 0 ? theta : -theta) : clock.minDelta[dir];
        analysePair(p, obs, clock, base, opt, r.directions[dir], work[dir], &r.pairing);
        r.pairing.delayBaseNs[dir] = base;
        std::int64_t n = 0;
        for (const SideSa *x : p.side)
            if (x) n += std::int64_t(x->sa->packets.size());
        if (step(n)) return r;
    }
    for (int dir = 0; dir < 2; ++dir) {
        DirectionComparison &d = r.directions[dir];
        DirectionWork &w = work[dir];
        const std::int64_t theta = clock.theta();
        const std::int64_t base = co.identifiable ? (dir == 0 ? theta : -theta) : clock.minDelta[dir];
        double jsum = 0;
        std::uint64_t jn = 0;
        for (const SaComparison &c : d.sas) {
            jsum += c.owd.jitterMs * double(c.owd.samples > 1 ? c.owd.samples - 1 : 0);
            jn += c.owd.samples > 1 ? c.owd.samples - 1 : 0;
        }
        d.owd = w.deltas.stats(0, base, jsum, jn);
        if (w.lostBeyondReceiverSpan)
            r.notes << QStringLiteral(
                           "%1 → %2: %3 packets counted as lost in transit were due at %2 before its "
                           "first or after its last captured packet; if that capture was not running "
                           "then, they were not lost")
                           .arg(QLatin1String(dir == 0 ? "A" : "B"), QLatin1String(dir == 0 ? "B" : "A"))
                           .arg(w.lostBeyondReceiverSpan);
        w.deltas.release();
        for (const LossSecond &s : w.perSecond)
            if (s.sent) d.lossPerSecond.push_back(s);
        for (const SizeBucket &bucket : w.bySize)
            if (bucket.sent) d.lossBySize.push_back(bucket);
        d.sizeDependent =
            !d.lostInTransit.empty() && d.largestDelivered > 0 && d.smallestLost > d.largestDelivered;
        const auto byTime = [](const ComparedPacket &x, const ComparedPacket &y) {
            return std::tuple(x.tsNs, x.spi, x.seq) < std::tuple(y.tsNs, y.spi, y.seq);
        };
        std::sort(d.lostInTransit.begin(), d.lostInTransit.end(), byTime);
        std::sort(d.captureDropAtSender.begin(), d.captureDropAtSender.end(), byTime);
        std::sort(d.outsideSenderSpan.begin(), d.outsideSenderSpan.end(), byTime);
        std::sort(d.outsideReceiverSpan.begin(), d.outsideReceiverSpan.end(), byTime);
        std::sort(d.duplicates.begin(), d.duplicates.end(), byTime);
        std::sort(d.reorderedPackets.begin(), d.reorderedPackets.end(),
                  [](const ReorderedPacket &x, const ReorderedPacket &y) { return x.tsNs < y.tsNs; });

        // Outages: runs of consecutive losses that overlap in time across the direction's SAs
        // are one outage; it counts when it lasts long enough.
        std::sort(w.runs.begin(), w.runs.end(),
                  [](const Outage &x, const Outage &y) { return x.firstLostNs < y.firstLostNs; });
        std::vector<Outage> merged;
        for (const Outage &o : w.runs) {
            if (!merged.empty() && o.firstLostNs <= merged.back().lastLostNs) {
                Outage &m = merged.back();
                m.lastLostNs = std::max(m.lastLostNs, o.lastLostNs);
                m.lost += o.lost;
                if (o.firstDeliveredAfterNs > m.firstDeliveredAfterNs)
                    m.firstDeliveredAfterNs = o.firstDeliveredAfterNs;
                continue;
            }
            merged.push_back(o);
        }
        std::vector<Outage> candidates;
        for (const Outage &o : merged)
            if (double(o.lastLostNs - o.firstLostNs) / 1e9 >= opt.outageMinS &&
                o.lost >= opt.outageMinPackets)
                candidates.push_back(o);
        // Across SAs: the neighbours are the last / first packet delivered on any SA of the
        // direction, and a window in which another SA got packets through is no outage.
        std::vector<std::uint64_t> deliveredInside(candidates.size(), 0);
        for (Outage &o : candidates)
            o.lastDeliveredBeforeNs = o.firstDeliveredAfterNs = -1;
        for (const SaPair &p : pairs) {
            if (p.sender != dir || candidates.empty() || !p.side[0] || !p.side[1]) continue;
            mergeJoin(
                &p.side[dir]->sa->packets, &p.side[1 - dir]->sa->packets,
                [&](const EspObservation &x, const EspObservation &, std::size_t, std::size_t,
                    const EspObservation *) {
                    // Candidates are disjoint and sorted: only the one after x and the one
                    // before (or around) x can be affected.
                    const auto it =
                        std::upper_bound(candidates.begin(), candidates.end(), x.tsNs,
                                         [](std::int64_t t, const Outage &o) { return t < o.firstLostNs; });
                    if (it != candidates.end())
                        it->lastDeliveredBeforeNs = std::max(it->lastDeliveredBeforeNs, x.tsNs);
                    if (it != candidates.begin()) {
                        Outage &o = *std::prev(it);
                        if (x.tsNs <= o.lastLostNs)
                            ++deliveredInside[std::size_t(std::prev(it) - candidates.begin())];
                        else
                            o.firstDeliveredAfterNs = o.firstDeliveredAfterNs < 0
                                                          ? x.tsNs
                                                          : std::min(o.firstDeliveredAfterNs, x.tsNs);
                    }
                },
                [](const EspObservation &) {},
                [](const EspObservation &, std::size_t, const EspObservation *) {});
        }
        for (std::size_t i = 0; i < candidates.size(); ++i)
            if (deliveredInside[i] == 0) d.outages.push_back(candidates[i]);
    }

    r.pairing.offsetApplied = co.identifiable;
    r.pairing.offsetS = double(clock.theta()) / 1e9; // the best estimate even when not identifiable
    for (int s = 0; s < 2; ++s)
        sortByPacket(r.pairing.side[s], obs[s]->packets);

    // ESP loss around each IKE exchange, on capture A's clock.
    for (IkeEventLoss &e : r.ikeEvents) {
        for (int dir = 0; dir < 2; ++dir) {
            // lostInTransit is in sending order and toA() only shifts: search the window.
            const auto win = std::int64_t(opt.eventWindowS * 1e9);
            const auto &lost = r.directions[dir].lostInTransit;
            const auto at = [&](std::int64_t t) {
                return std::lower_bound(
                    lost.begin(), lost.end(), t,
                    [&](const ComparedPacket &l, std::int64_t v) { return clock.toA(dir, l.tsNs) < v; });
            };
            e.lostNearby[dir] = std::uint64_t(at(e.tsNs + win + 1) - at(e.tsNs - win));
        }
    }
    if (!r.side[0].otherSpis.empty() || !r.side[1].otherSpis.empty())
        r.notes << QStringLiteral("SAs of other tunnels were left out (%1 in A, %2 in B)")
                       .arg(r.side[0].otherSpis.size())
                       .arg(r.side[1].otherSpis.size());
    return r;
}

const char *packetFateName(PacketFate f)
{
    switch (f) {
    case PacketFate::Delivered:
        return "delivered";
    case PacketFate::LostInTransit:
        return "lost_in_transit";
    case PacketFate::OutsideReceiverSpan:
        return "outside_receiver_span";
    case PacketFate::Received:
        return "received";
    case PacketFate::MissingAtSender:
        return "capture_drop_at_sender";
    case PacketFate::OutsideSenderSpan:
        return "outside_sender_span";
    case PacketFate::Duplicate:
        return "duplicate";
    }
    return "unknown";
}

const PacketPeer *PacketPairing::find(int s, std::uint64_t packet) const
{
    if (s < 0 || s > 1 || packet > PacketPeer::kNone) return nullptr;
    const auto &v = side[s];
    const auto it = std::lower_bound(v.begin(), v.end(), packet,
                                     [](const PacketPeer &p, std::uint64_t x) { return p.packet < x; });
    return it != v.end() && it->packet == packet ? &*it : nullptr;
}

std::uint64_t PacketPairing::count(int s, PacketFate fate) const
{
    if (s < 0 || s > 1) return 0;
    return std::uint64_t(std::count_if(side[s].begin(), side[s].end(),
                                       [fate](const PacketPeer &p) { return p.fate == fate; }));
}

std::int64_t PacketPairing::oneWayDelayNs(int s, const PacketPeer &p, std::int64_t tsHere,
                                          std::int64_t tsThere) const
{
    // Direction 0 is A→B: sent by capture 0.
    const int dir = p.sentHere() ? s : 1 - s;
    const std::int64_t sent = p.sentHere() ? tsHere : tsThere;
    const std::int64_t received = p.sentHere() ? tsThere : tsHere;
    return received - sent - delayBaseNs[dir];
}

PairReadingProgress::PairReadingProgress(const QString &pathA, const QString &pathB,
                                         CompareProgressFn progress)
    : PairReadingProgress(QStringList{pathA}, QStringList{pathB}, std::move(progress))
{
}

PairReadingProgress::PairReadingProgress(const QStringList &pathsA, const QStringList &pathsB,
                                         CompareProgressFn progress, CompareStage stage)
    : m_progress(std::move(progress)), m_stage(stage)
{
    // Folders count 0 until their reader reports the size of their captures.
    for (int s = 0; s < 2; ++s)
        for (const QString &p : s == 0 ? pathsA : pathsB)
            if (const QFileInfo fi(p); fi.isFile()) m_size[s] += fi.size();
}

ProgressFn PairReadingProgress::side(int side)
{
    if (!m_progress) return {};
    return [this, side](std::int64_t done, std::int64_t total, std::uint64_t) {
        m_read[side] = done;
        m_size[side] = total;
        m_progress(m_stage, m_read[0] + m_read[1], m_size[0] + m_size[1]);
    };
}

PairTunnels
readProvenTunnels(const CaptureIndex &a, const CaptureIndex &b, const QStringList &pathsA,
                  const QStringList &pathsB, const TunnelScope (&given)[2], const CompareProgressFn &progress,
                  const std::function<void(int, const TunnelScope &, const ProgressFn &)> &readAgain)
{
    PairTunnels judged;
    if (!given[1].active()) judged[1] = peerTunnelOf(a, b);
    if (!given[0].active()) judged[0] = ownTunnelOf(a, b);
    const bool again[2] = {judged[0].basis == PeerTunnel::Basis::Spis,
                           judged[1].basis == PeerTunnel::Basis::Spis};
    PairReadingProgress reading(again[0] ? pathsA : QStringList{}, again[1] ? pathsB : QStringList{},
                                progress, CompareStage::ReadingTunnel);
    // Both hubs' captures (a tunnel between two concentrators): the two second reads side by side.
    std::future<void> second;
    if (again[0] && again[1])
        second = std::async(std::launch::async, [&] { readAgain(1, judged[1].scope, reading.side(1)); });
    else if (again[1])
        readAgain(1, judged[1].scope, reading.side(1));
    if (again[0]) readAgain(0, judged[0].scope, reading.side(0));
    if (second.valid()) second.get();
    return judged;
}

bool compareCaptureFiles(const QString &pathA, const QString &pathB, CompareResult &result, QString *error,
                         const CompareOptions &options, const CompareProgressFn &progress,
                         const std::atomic_bool *cancel)
{
    return compareCaptureFiles(QStringList{pathA}, QStringList{pathB}, result, error, options, progress,
                               cancel);
}

bool compareCaptureFiles(const QStringList &pathsA, const QStringList &pathsB, CompareResult &result,
                         QString *error, const CompareOptions &options, const CompareProgressFn &progress,
                         const std::atomic_bool *cancel)
{
    PairReadingProgress reading(pathsA, pathsB, progress);
    // The two reads are independent: run them side by side.
    QString errorA, errorB;
    // Observed during the read: no per-packet records, only what is compared. The two reads keep
    // two cores busy, so each calls libpcap itself: a reader thread per side only added the copy
    // of every packet (two 5M-packet files: 3.56 -> 3.15 s CPU).
    std::shared_ptr<const CaptureIndex> indexA, indexB; // their tables: which tunnel of B's is A's
    const auto observe = [&](const QStringList &paths, QString *err, int side) {
        return observeCapture(paths, err, reading.side(side), cancel, nullptr, false, options.scope[side],
                              side == 0 ? &indexA : &indexB);
    };
    auto futureB = std::async(std::launch::async, [&] { return observe(pathsB, &errorB, 1); });
    auto a = observe(pathsA, &errorA, 0);
    auto b = futureB.get();
    // A hub's capture on either side: read again as the one tunnel proven the other's.
    PairTunnels judged;
    if (a && b && !a->cancelled && !b->cancelled)
        judged = readProvenTunnels(*indexA, *indexB, pathsA, pathsB, options.scope, progress,
                                   [&](int side, const TunnelScope &scope, const ProgressFn &again) {
                                       auto &o = side == 0 ? a : b;
                                       o.reset();
                                       o = observeCapture(side == 0 ? pathsA : pathsB,
                                                          side == 0 ? &errorA : &errorB, again, cancel,
                                                          nullptr, false, scope);
                                   });
    indexA.reset();
    indexB.reset();
    if (!a || !b) {
        if (error) *error = !a ? errorA : errorB;
        return false;
    }
    const auto cancelled = [&] {
        result = CompareResult{};
        result.cancelled = true;
        if (error)
            *error = QStringLiteral("%1 ⇄ %2: comparison cancelled")
                         .arg(QFileInfo(pathsA.front()).fileName(), QFileInfo(pathsB.front()).fileName());
        return false;
    };
    if (a->cancelled || b->cancelled || (cancel && cancel->load())) return cancelled();
    result = compareCaptures(std::move(*a), std::move(*b), options, progress, cancel);
    if (result.cancelled) return cancelled();
    result.ownTunnel = std::move(judged[0]);
    result.peerTunnel = std::move(judged[1]);
    return true;
}

CompareResult compareIndexes(const CaptureIndex &a, const CaptureIndex &b, const CompareOptions &options,
                             const CompareProgressFn &progress, const std::atomic_bool *cancel)
{
    auto futureB =
        std::async(std::launch::async, [&] { return observeIndex(b, cancel, options.pairPackets); });
    auto oa = observeIndex(a, cancel, options.pairPackets);
    auto ob = futureB.get();
    if (oa->cancelled || ob->cancelled || (cancel && cancel->load())) {
        CompareResult r;
        r.cancelled = true;
        return r;
    }
    return compareCaptures(std::move(*oa), std::move(*ob), options, progress, cancel);
}

} // namespace ikev2wb
