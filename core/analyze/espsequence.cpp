#include "espsequence.h"

#include "../index/captureset.h"
#include "../index/espsa.h"
#include "analyzeutil.h"
#include "replaywindow.h"

#include <QStringList>

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <unordered_map>
#include <utility>

namespace ikev2wb {

namespace {

/// A gap not yet filled: sequence numbers [first, last] (first is the map key).
struct Hole
{
    std::uint64_t last = 0;
    std::int64_t afterNs = 0;
    std::int64_t beforeNs = 0;
    // The earliest arrival with a higher number than anything in the hole (RFC 4737 "j").
    std::uint64_t creatorIndex = 0;
    std::int64_t creatorNs = 0;
};

void seriesAdd(EspRateSeries &s, std::int64_t ns, std::uint64_t packets, std::uint64_t bytes,
               std::uint64_t missing)
{
    const std::int64_t rel = std::max<std::int64_t>(0, ns - s.startNs);
    auto idx = static_cast<std::size_t>(rel / s.bucketNs);
    while (idx >= EspRateSeries::kMaxBuckets) {
        // Merge neighbours pairwise: the series keeps its span with half the buckets.
        s.bucketNs *= 2;
        const std::size_t n = (s.packets.size() + 1) / 2;
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t a = 2 * i, b = 2 * i + 1;
            const bool hasB = b < s.packets.size();
            s.packets[i] = s.packets[a] + (hasB ? s.packets[b] : 0);
            s.bytes[i] = s.bytes[a] + (hasB ? s.bytes[b] : 0);
            s.missing[i] = s.missing[a] + (hasB ? s.missing[b] : 0);
        }
        s.packets.resize(n);
        s.bytes.resize(n);
        s.missing.resize(n);
        idx = static_cast<std::size_t>(rel / s.bucketNs);
    }
    if (idx >= s.packets.size()) {
        s.packets.resize(idx + 1, 0);
        s.bytes.resize(idx + 1, 0);
        s.missing.resize(idx + 1, 0);
    }
    s.packets[idx] += packets;
    s.bytes[idx] += bytes;
    s.missing[idx] += missing;
}

/// The ESP length espLengthsForSa() takes from a record (0: none, an IP fragment or no payload).
std::uint32_t espLength(const PacketRecord &r)
{
    if (!r.isEsp() || (r.flags & FlagFragment)) return 0;
    const std::uint32_t hdr = ((r.flags & FlagIpv6) ? 40u : 20u) + (r.kind == PacketKind::EspInUdp ? 8u : 0u);
    return r.ipLength > hdr ? r.ipLength - hdr : 0;
}

class SaTracker
{
public:
    SaTracker(std::uint32_t saIndex, std::uint32_t spi, bool esn, const std::vector<std::uint32_t> &windows)
        : m_rule(esn), m_sizes(windows), m_sumOutside(windows.size()), m_sumReplayed(windows.size()),
          m_sumInvalid(windows.size()), m_sumEsn(windows.size()), m_firstSeenDrops(windows.size())
    {
        m_out.saIndex = saIndex;
        m_out.spi = spi;
        m_out.esn = esn;
        resetWindows();
        m_out.antiReplay.resize(windows.size());
    }

    [[gnu::always_inline]] void add(const PacketRecord &r)
    {
        EspSaSequence &o = m_out;
        if (o.packets == 0) {
            o.firstNs = r.tsNs;
            o.series.startNs = r.tsNs;
        }
        ++o.packets;
        o.bytes += r.ipLength;
        o.lastNs = r.tsNs;
        addToSeries(r.tsNs, r.ipLength);
        if (o.lengths.lengths < EspSaSequence::kSuiteLengths)
            if (const std::uint32_t len = espLength(r)) o.lengths.add(len);

        const std::uint32_t s = r.seq();
        const std::uint64_t ext = m_rule.extend(s);
        if (ext == 0) {
            ++o.invalidSeqZero;
            feedWindows(0, false);
            return;
        }
        if (m_rule.isRestart(s, ext)) {
            // A jump far ahead just before the run ended: nothing went on from it.
            if (std::exchange(m_jumpExt, 0) != 0) ++o.outOfRun;
            endHold();
            closeEpoch();
            ++o.restarts;
            resetWindows();
        }
        if (!m_rule.started()) {
            startEpoch(ext, r.tsNs);
            feedWindows(ext, false);
            return;
        }
        if (m_jumpExt != 0) [[unlikely]] {
            // The packet before jumped far ahead: this one tells whether the numbering went on
            // from there (the capture missed that many) or from below it, where the run was. A
            // sender counts up by one, so a lone number far ahead of the run is a corrupted (or
            // forged) one, which the receiver drops at its integrity check.
            // Another number far from both (two corrupted in a row) leaves the jump alone too.
            constexpr std::uint64_t h = EspSequenceAnalysis::kHorizon;
            const std::uint64_t jumpExt = std::exchange(m_jumpExt, 0);
            if (ext > m_rule.top() + h && ext + h >= jumpExt && ext <= jumpExt + h)
                inSequence(jumpExt, m_jumpNs);
            else
                ++o.outOfRun;
        }
        if (m_heldExt != 0) [[unlikely]] {
            // A number ahead of the run is held (hold()): the packets after it went on from the run
            // below it so far. One more below it, above the last: still so.
            if (ext > m_heldLast && ext < m_heldExt) {
                m_heldAfter.emplace_back(ext, r.tsNs);
                m_heldLast = ext;
                return;
            }
            // Its own number in turn: the held one was a copy ahead of its time, a number whose
            // bit flipped on the way (the receiver drops it at its integrity check). Anything else
            // (a number above it, a copy, a late one): the held number was real, sent ahead.
            releaseHold(ext == m_heldExt && !m_heldAfter.empty());
        }
        const std::uint64_t top = m_rule.top();
        if (ext > top + 1) [[unlikely]] {
            if (ext > top + EspSequenceAnalysis::kHorizon) {
                m_jumpExt = ext;
                m_jumpNs = r.tsNs;
            } else {
                hold(ext, r.tsNs);
            }
            return;
        }
        inSequence(ext, r.tsNs);
    }

    [[nodiscard]] bool esn() const { return m_out.esn; }

    /// Ends the SA; `set`: the capture set's files and gaps (ranges across a gap are not loss).
    EspSaSequence finish(const CaptureSet &set)
    {
        m_set = &set;
        // A jump far ahead by the SA's last packet: nothing went on from it.
        if (std::exchange(m_jumpExt, 0) != 0) ++m_out.outOfRun;
        endHold();
        closeEpoch();
        return finishCounts();
    }

private:
    // A number above the run's next one (a gap, or one sent ahead of others, or a low bit
    // flipped on the way) waits for what follows before it enters the sequence: while the
    // packets after it go on from the run below it, in order, they are kept with it. At most
    // kHorizon are kept (they ascend between the top and the held number).
    void hold(std::uint64_t ext, std::int64_t tsNs)
    {
        m_heldExt = ext;
        m_heldNs = tsNs;
        m_heldLast = m_rule.top();
    }
    /// Ends the hold: the held number enters the sequence before the ones kept after it (the
    /// arrival order), or, as `outOfRun`, not at all: a lone number ahead that the run reached.
    void releaseHold(bool outOfRun)
    {
        if (outOfRun)
            ++m_out.outOfRun;
        else
            inSequence(m_heldExt, m_heldNs);
        for (const auto &[ext, ns] : m_heldAfter)
            inSequence(ext, ns);
        m_heldAfter.clear();
        m_heldExt = 0;
    }
    /// The run ends (the SA's last packet, a restart) with a number held: when packets went on
    /// from below it up to the end, nothing ever went on from it.
    void endHold()
    {
        if (m_heldExt != 0) releaseHold(!m_heldAfter.empty());
    }

    /// A packet with the 64-bit number `ext`, after the run started: the holes, reordering,
    /// duplicates and the emulated windows.
    [[gnu::always_inline]] void inSequence(std::uint64_t ext, std::int64_t tsNs)
    {
        EspSaSequence &o = m_out;
        bool duplicate = false;
        const std::uint64_t index = m_arrivals++;
        const std::uint64_t top = m_rule.top();
        if (ext > top) {
            if (ext > top + 1) m_holes.emplace(top + 1, Hole{ext - 1, m_topNs, tsNs, index, tsNs});
            m_rule.accept(ext);
            m_topNs = tsNs;
            while (!m_holes.empty() && m_holes.begin()->second.last + EspSequenceAnalysis::kHorizon < ext)
                finalize(m_holes.begin());
        } else if (top - ext > EspSequenceAnalysis::kHorizon) {
            // Its gap, if it had one, is already final: count it apart rather than guess.
            ++o.lateUntracked;
            duplicate = true; // keeps it out of the first-seen drop counts
        } else if (ext < m_low) {
            // Older than anything seen so far in this epoch: it extends the range downwards.
            if (ext + 1 < m_low)
                m_holes.emplace(ext + 1, Hole{m_low - 1, tsNs, m_lowNs, m_epochFirstIndex, m_epochFirstNs});
            reordered(ext, index - m_epochFirstIndex, tsNs - m_epochFirstNs);
            m_low = ext;
            m_lowNs = tsNs;
        } else {
            auto it = m_holes.upper_bound(ext);
            if (it != m_holes.begin() && std::prev(it)->second.last >= ext) {
                --it;
                const std::uint64_t first = it->first;
                const Hole h = it->second;
                reordered(ext, index - h.creatorIndex, tsNs - h.creatorNs);
                m_holes.erase(it);
                if (first < ext)
                    m_holes.emplace(first, Hole{ext - 1, h.afterNs, tsNs, h.creatorIndex, h.creatorNs});
                if (ext < h.last)
                    m_holes.emplace(ext + 1, Hole{h.last, tsNs, h.beforeNs, h.creatorIndex, h.creatorNs});
            } else {
                duplicate = true;
                ++o.duplicates;
            }
        }
        ++m_epoch.packets;
        feedWindows(ext, duplicate);
    }

    EspSaSequence finishCounts()
    {
        foldWindows();
        EspSaSequence &o = m_out;
        for (std::size_t i = 0; i < m_windows.size(); ++i) {
            auto &a = o.antiReplay[i];
            a.window = m_windows[i].size();
            a.outsideWindow = m_sumOutside[i];
            a.replayed = m_sumReplayed[i];
            a.invalid = m_sumInvalid[i];
            a.esnMismatch = m_sumEsn[i];
            a.droppedFirstSeen = m_firstSeenDrops[i];
        }
        o.minSafeWindow = 0;
        for (const auto &a : o.antiReplay) {
            if (a.droppedFirstSeen == 0) {
                o.minSafeWindow = a.window;
                break;
            }
        }
        o.minWindowExact = o.epochs.empty() ? 0 : o.maxReorderLag + 1;
        o.reorderLags.assign(m_lags.begin(), m_lags.end());
        if (!o.epochs.empty()) {
            o.firstSeq = o.epochs.front().firstSeq;
            o.lastSeq = o.epochs.back().lastSeq;
        }
        return std::move(m_out);
    }

    // Packets mostly land in the bucket of the previous one: skip the division then.
    void addToSeries(std::int64_t ns, std::uint32_t bytes)
    {
        EspRateSeries &se = m_out.series;
        if (ns >= m_bucketFrom && ns < m_bucketTo && se.bucketNs == m_bucketWidth) {
            ++se.packets[m_bucket];
            se.bytes[m_bucket] += bytes;
            return;
        }
        seriesAdd(se, ns, 1, bytes, 0);
        const std::int64_t rel = std::max<std::int64_t>(0, ns - se.startNs);
        m_bucket = static_cast<std::size_t>(rel / se.bucketNs);
        m_bucketWidth = se.bucketNs;
        m_bucketFrom = ns < se.startNs ? ns : se.startNs + std::int64_t(m_bucket) * se.bucketNs;
        m_bucketTo = se.startNs + std::int64_t(m_bucket + 1) * se.bucketNs;
        if (ns < se.startNs) m_bucketTo = m_bucketFrom; // never take the fast path for clamped times
    }

    void startEpoch(std::uint64_t ext, std::int64_t ns)
    {
        m_rule.accept(ext);
        m_low = ext;
        m_topNs = m_lowNs = ns;
        m_epochFirstIndex = m_arrivals++;
        m_epochFirstNs = ns;
        m_epoch = EspEpoch{};
        m_epoch.packets = 1;
        m_epoch.firstNs = ns;
        // The receiver's state before the capture is unknown: start just below the first number.
        flushInOrder();
        for (auto &w : m_windows)
            w.prime(ext - 1);
        if (m_inOrderShortcut) m_windowsTop = static_cast<std::uint32_t>(m_windows.front().top());
    }

    void closeEpoch()
    {
        if (!m_rule.started()) return;
        while (!m_holes.empty())
            finalize(m_holes.begin());
        m_epoch.firstSeq = m_low;
        m_epoch.lastSeq = m_rule.top();
        m_out.epochs.push_back(m_epoch);
        m_rule.restart();
    }

    void resetWindows()
    {
        foldWindows();
        m_windows.clear();
        m_windows.reserve(m_sizes.size());
        m_inOrderShortcut = !m_sizes.empty();
        for (std::uint32_t w : m_sizes) {
            m_windows.emplace_back(w, m_rule.esn());
            m_inOrderShortcut = m_inOrderShortcut && m_windows.back().hasInOrderShortcut();
        }
        m_windowsTop = 0;
    }

    // Adds the current windows' counters to the SA totals (an SA has one set per epoch).
    void foldWindows()
    {
        flushInOrder();
        for (std::size_t i = 0; i < m_windows.size(); ++i) {
            const auto &c = m_windows[i].counters();
            m_sumOutside[i] += c.outsideWindow + c.esnMismatch;
            m_sumReplayed[i] += c.replayed;
            m_sumInvalid[i] += c.invalid;
            m_sumEsn[i] += c.esnMismatch;
        }
    }

    // Without ESN every window has the same top (the largest number seen: any number above it is
    // accepted by every window), so the next number in order is accepted by all of them through
    // ReplayWindow::receive's shortcut. Such packets are only counted here, and the run is handed
    // to the windows at once (acceptInOrder) before a packet out of order or a look at them.
    void feedWindows(std::uint64_t ext, bool duplicate)
    {
        const auto low = static_cast<std::uint32_t>(ext);
        if (m_inOrderShortcut && low != 0 && low == m_windowsTop + 1) {
            ++m_inOrder;
            m_windowsTop = low;
            return;
        }
        flushInOrder();
        for (std::size_t i = 0; i < m_windows.size(); ++i) {
            const auto v = m_windows[i].receive(ext);
            if (v != ReplayWindow::Verdict::Accepted && v != ReplayWindow::Verdict::Invalid && !duplicate)
                ++m_firstSeenDrops[i];
        }
        if (m_inOrderShortcut) m_windowsTop = static_cast<std::uint32_t>(m_windows.front().top());
    }
    void flushInOrder()
    {
        if (!m_inOrder) return;
        for (auto &w : m_windows)
            w.acceptInOrder(m_inOrder);
        m_inOrder = 0;
    }

    void reordered(std::uint64_t ext, std::uint64_t extent, std::int64_t lateNs)
    {
        EspSaSequence &o = m_out;
        ++o.reordered;
        o.maxReorderDistance = std::max(o.maxReorderDistance, extent);
        o.maxReorderNs = std::max(o.maxReorderNs, lateNs);
        const std::uint64_t lag = m_rule.top() - ext;
        o.maxReorderLag = std::max(o.maxReorderLag, lag);
        ++m_lags[lag];
    }

    void finalize(std::map<std::uint64_t, Hole>::iterator it)
    {
        EspSaSequence &o = m_out;
        EspMissingRange r;
        r.first = it->first;
        r.last = it->second.last;
        r.afterNs = it->second.afterNs;
        r.beforeNs = it->second.beforeNs;
        r.epoch = o.restarts;
        const std::uint64_t n = r.count();
        r.fileGap = !m_set || m_set->gaps.empty() ? -1 : m_set->gapSpanned(r.afterNs, r.beforeNs);
        if (r.fileGap >= 0) {
            o.notCaptured += n;
            if (o.notCapturedRanges.size() < EspSequenceAnalysis::kMaxStoredRanges)
                o.notCapturedRanges.push_back(r);
            m_holes.erase(it);
            return;
        }
        o.missing += n;
        m_epoch.missing += n;
        ++o.lossBursts;
        o.longestBurst = std::max(o.longestBurst, n);
        if (o.missingRanges.size() < EspSequenceAnalysis::kMaxStoredRanges)
            o.missingRanges.push_back(r);
        else
            o.missingRangesTruncated = true;
        seriesAdd(o.series, std::min(r.afterNs, r.beforeNs), 0, 0, n);
        m_holes.erase(it);
    }

    // Known once the read is over (finish): a hole closed earlier was closed while the set
    // had no gaps known, see EspSequenceAnalyzer::needsRecords.
    const CaptureSet *m_set = nullptr;
    EspSaSequence m_out;
    EspSequenceRule m_rule; // where the SA's numbering is: its 64-bit top, wrap and restarts
    std::size_t m_bucket = 0;
    std::int64_t m_bucketWidth = 0;
    std::int64_t m_bucketFrom = 0;
    std::int64_t m_bucketTo = 0;
    std::uint64_t m_low = 0;
    std::int64_t m_topNs = 0;
    std::int64_t m_lowNs = 0;
    std::uint64_t m_arrivals = 0;
    std::uint64_t m_epochFirstIndex = 0;
    std::int64_t m_epochFirstNs = 0;
    EspEpoch m_epoch;
    std::map<std::uint64_t, Hole> m_holes;
    std::uint64_t m_jumpExt = 0; // a packet far ahead of the run, judged by the next one (0: none)
    std::int64_t m_jumpNs = 0;
    std::uint64_t m_heldExt = 0; // a number ahead of the run waiting for what follows (hold(); 0: none)
    std::int64_t m_heldNs = 0;
    std::uint64_t m_heldLast = 0;                                    // the highest number kept after it
    std::vector<std::pair<std::uint64_t, std::int64_t>> m_heldAfter; // kept after it: (number, time)
    std::map<std::uint64_t, std::uint64_t> m_lags;                   // reordered packets by lag (reorderLags)
    std::vector<std::uint32_t> m_sizes;
    std::vector<ReplayWindow> m_windows;
    bool m_inOrderShortcut = false; // every window takes the in-order shortcut (feedWindows)
    std::uint32_t m_windowsTop = 0; // the windows' top with the run not yet handed to them
    std::uint32_t m_inOrder = 0;    // numbers in order counted but not yet handed to the windows
    std::vector<std::uint64_t> m_sumOutside, m_sumReplayed, m_sumInvalid, m_sumEsn, m_firstSeenDrops;
};

std::vector<std::uint32_t> emulatedWindows(const EspSequenceOptions &options)
{
    std::vector<std::uint32_t> windows = options.windows;
    std::sort(windows.begin(), windows.end());
    windows.erase(std::unique(windows.begin(), windows.end()), windows.end());
    windows.erase(std::remove(windows.begin(), windows.end(), 0u), windows.end()); // 0 = check disabled
    return windows;
}

} // namespace

void EspLengthSummary::addNew(std::uint32_t len)
{
    // A length already in `distinct` is found by its bit instead of a binary search (this ran for
    // every one of an SA's first 20,000 packets); a new one is inserted in order as before.
    if (len < (std::uint32_t(1) << 16)) {
        const std::size_t w = len >> 6;
        const std::uint64_t bit = std::uint64_t(1) << (len & 63);
        if (w >= inDistinct.size()) inDistinct.resize(w + 1, 0);
        if (inDistinct[w] & bit) return;
        if (distinct.size() < kMaxDistinct) {
            distinct.insert(std::lower_bound(distinct.begin(), distinct.end(), len), len);
            inDistinct[w] |= bit;
        }
        return;
    }
    if (distinct.size() < kMaxDistinct) {
        const auto it = std::lower_bound(distinct.begin(), distinct.end(), len);
        if (it == distinct.end() || *it != len) distinct.insert(it, len);
    }
}

struct EspSequenceAnalyzer::State
{
    std::vector<std::uint32_t> windows;
    std::vector<std::unique_ptr<SaTracker>> trackers; // by SA index; null until its first packet

    [[gnu::always_inline]] void observe(const PacketRecord &r, std::uint32_t sa)
    {
        if (sa >= trackers.size()) trackers.resize(std::size_t(sa) + 1);
        auto &t = trackers[sa];
        if (!t) t = std::make_unique<SaTracker>(sa, r.spi(), false, windows);
        t->add(r);
    }
};

EspSequenceAnalyzer::EspSequenceAnalyzer(const EspSequenceOptions &options, const CaptureIndex *finished)
    : d(std::make_unique<State>())
{
    d->windows = emulatedWindows(options);
    if (!finished) return;
    d->trackers.resize(finished->espSas.size());
    for (std::size_t i = 0; i < finished->espSas.size(); ++i) {
        const EspSa &sa = finished->espSas[i];
        d->trackers[i] = std::make_unique<SaTracker>(
            std::uint32_t(i), sa.spi, EspSequenceRule::wraps(sa.minSeq, sa.maxSeq), d->windows);
    }
}

EspSequenceAnalyzer::~EspSequenceAnalyzer() = default;

void EspSequenceAnalyzer::observe(const PacketRecord &r, std::uint32_t sa)
{
    d->observe(r, sa);
}

void EspSequenceAnalyzer::observe(std::span<const PacketRecord> records, std::span<const std::uint32_t> sas)
{
    State &st = *d;
    for (std::size_t i = 0; i < records.size(); ++i)
        if (sas[i] != 0xffffffffu) st.observe(records[i], sas[i]);
}

bool EspSequenceAnalyzer::needsRecords(const CaptureIndex &index) const
{
    if (!index.set.gaps.empty()) return true;
    for (std::size_t i = 0; i < index.espSas.size() && i < d->trackers.size(); ++i)
        if (d->trackers[i] &&
            d->trackers[i]->esn() != EspSequenceRule::wraps(index.espSas[i].minSeq, index.espSas[i].maxSeq))
            return true;
    return false;
}

EspSequenceAnalysis EspSequenceAnalyzer::finish(const CaptureIndex &index)
{
    EspSequenceAnalysis result;
    result.sas.resize(index.espSas.size());
    if (d->trackers.size() < index.espSas.size()) d->trackers.resize(index.espSas.size());
    for (std::size_t i = 0; i < index.espSas.size(); ++i) {
        auto &t = d->trackers[i];
        const EspSa &sa = index.espSas[i];
        if (!t)
            t = std::make_unique<SaTracker>(std::uint32_t(i), sa.spi,
                                            EspSequenceRule::wraps(sa.minSeq, sa.maxSeq), d->windows);
        result.sas[i] = t->finish(index.set);
    }
    return result;
}

EspSequenceAnalysis analyzeEspSequences(const CaptureIndex &index, const std::atomic_bool *cancel)
{
    return analyzeEspSequences(index, EspSequenceOptions{}, cancel);
}

EspSequenceAnalysis analyzeEspSequences(const CaptureIndex &index, const EspSequenceOptions &options,
                                        const std::atomic_bool *cancel)
{
    EspSequenceAnalyzer analyzer(options, &index);
    analyze_detail::SaResolver saOf(index.espSas);
    std::uint64_t n = 0;
    bool stop = false;
    index.packets.forEach([&](const PacketRecord &r) {
        if (stop) return;
        if ((++n & 0xffff) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
            stop = true;
            return;
        }
        if (!r.isEsp()) return;
        const std::uint32_t sa = saOf.find(r);
        if (sa != analyze_detail::SaResolver::kNone) analyzer.observe(r, sa);
    });
    EspSequenceAnalysis result = analyzer.finish(index);
    result.cancelled = stop;
    return result;
}

} // namespace ikev2wb
