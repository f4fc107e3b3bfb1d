#include "espsequence.h"

#include "../index/captureset.h"
#include "../index/espsa.h"
#include "../report/capturesummary.h"
#include "../report/jsonwriter.h"
#include "analyzeutil.h"
#include "replaywindow.h"

#include <QStringList>

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>

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

class SaTracker
{
public:
    SaTracker(const CaptureIndex &index, EspSaSequence &out, bool esn,
              const std::vector<std::uint32_t> &windows)
        : m_index(index), m_out(out), m_rule(esn), m_sizes(windows), m_sumOutside(windows.size()),
          m_sumReplayed(windows.size()), m_sumInvalid(windows.size()), m_sumEsn(windows.size()),
          m_firstSeenDrops(windows.size())
    {
        m_out.esn = esn;
        resetWindows();
        m_out.antiReplay.resize(windows.size());
    }

    void add(const PacketRecord &r)
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

        const std::uint32_t s = r.seq();
        const std::uint64_t ext = m_rule.extend(s);
        if (ext == 0) {
            ++o.invalidSeqZero;
            feedWindows(0, false);
            return;
        }
        if (m_rule.isRestart(s, ext)) {
            closeEpoch();
            ++o.restarts;
            resetWindows();
        }
        if (!m_rule.started()) {
            startEpoch(ext, r.tsNs);
            feedWindows(ext, false);
            return;
        }
        bool duplicate = false;
        const std::uint64_t index = m_arrivals++;
        const std::uint64_t top = m_rule.top();
        if (ext > top) {
            if (ext > top + 1) m_holes.emplace(top + 1, Hole{ext - 1, m_topNs, r.tsNs, index, r.tsNs});
            m_rule.accept(ext);
            m_topNs = r.tsNs;
            while (!m_holes.empty() && m_holes.begin()->second.last + EspSequenceAnalysis::kHorizon < ext)
                finalize(m_holes.begin());
        } else if (top - ext > EspSequenceAnalysis::kHorizon) {
            // Its gap, if it had one, is already final: count it apart rather than guess.
            ++o.lateUntracked;
            duplicate = true; // keeps it out of the first-seen drop counts
        } else if (ext < m_low) {
            // Older than anything seen so far in this epoch: it extends the range downwards.
            if (ext + 1 < m_low)
                m_holes.emplace(ext + 1, Hole{m_low - 1, r.tsNs, m_lowNs, m_epochFirstIndex, m_epochFirstNs});
            reordered(ext, index - m_epochFirstIndex, r.tsNs - m_epochFirstNs);
            m_low = ext;
            m_lowNs = r.tsNs;
        } else {
            auto it = m_holes.upper_bound(ext);
            if (it != m_holes.begin() && std::prev(it)->second.last >= ext) {
                --it;
                const std::uint64_t first = it->first;
                const Hole h = it->second;
                reordered(ext, index - h.creatorIndex, r.tsNs - h.creatorNs);
                m_holes.erase(it);
                if (first < ext)
                    m_holes.emplace(first, Hole{ext - 1, h.afterNs, r.tsNs, h.creatorIndex, h.creatorNs});
                if (ext < h.last)
                    m_holes.emplace(ext + 1, Hole{h.last, r.tsNs, h.beforeNs, h.creatorIndex, h.creatorNs});
            } else {
                duplicate = true;
                ++o.duplicates;
            }
        }
        ++m_epoch.packets;
        feedWindows(ext, duplicate);
    }

    void finish()
    {
        closeEpoch();
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
        if (!o.epochs.empty()) {
            o.firstSeq = o.epochs.front().firstSeq;
            o.lastSeq = o.epochs.back().lastSeq;
        }
    }

private:
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
        for (auto &w : m_windows)
            w.prime(ext - 1);
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
        for (std::uint32_t w : m_sizes)
            m_windows.emplace_back(w, m_rule.esn());
    }

    // Adds the current windows' counters to the SA totals (an SA has one set per epoch).
    void foldWindows()
    {
        for (std::size_t i = 0; i < m_windows.size(); ++i) {
            const auto &c = m_windows[i].counters();
            m_sumOutside[i] += c.outsideWindow + c.esnMismatch;
            m_sumReplayed[i] += c.replayed;
            m_sumInvalid[i] += c.invalid;
            m_sumEsn[i] += c.esnMismatch;
        }
    }

    void feedWindows(std::uint64_t ext, bool duplicate)
    {
        for (std::size_t i = 0; i < m_windows.size(); ++i) {
            const auto v = m_windows[i].receive(ext);
            if (v != ReplayWindow::Verdict::Accepted && v != ReplayWindow::Verdict::Invalid && !duplicate)
                ++m_firstSeenDrops[i];
        }
    }

    void reordered(std::uint64_t ext, std::uint64_t extent, std::int64_t lateNs)
    {
        EspSaSequence &o = m_out;
        ++o.reordered;
        o.maxReorderDistance = std::max(o.maxReorderDistance, extent);
        o.maxReorderNs = std::max(o.maxReorderNs, lateNs);
        o.maxReorderLag = std::max(o.maxReorderLag, m_rule.top() - ext);
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
        r.fileGap = m_index.set.gaps.empty() ? -1 : m_index.set.gapSpanned(r.afterNs, r.beforeNs);
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

    const CaptureIndex &m_index;
    EspSaSequence &m_out;
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
    std::vector<std::uint32_t> m_sizes;
    std::vector<ReplayWindow> m_windows;
    std::vector<std::uint64_t> m_sumOutside, m_sumReplayed, m_sumInvalid, m_sumEsn, m_firstSeenDrops;
};

QString nsText(std::int64_t ns)
{
    return QString::fromStdString(JsonWriter::formatTime(ns));
}

} // namespace

EspSequenceAnalysis analyzeEspSequences(const CaptureIndex &index, const std::atomic_bool *cancel)
{
    return analyzeEspSequences(index, EspSequenceOptions{}, cancel);
}

EspSequenceAnalysis analyzeEspSequences(const CaptureIndex &index, const EspSequenceOptions &options,
                                        const std::atomic_bool *cancel)
{
    std::vector<std::uint32_t> windows = options.windows;
    std::sort(windows.begin(), windows.end());
    windows.erase(std::unique(windows.begin(), windows.end()), windows.end());
    windows.erase(std::remove(windows.begin(), windows.end(), 0u), windows.end()); // 0 = check disabled
    EspSequenceAnalysis result;
    result.sas.resize(index.espSas.size());
    std::vector<std::unique_ptr<SaTracker>> trackers;
    trackers.reserve(index.espSas.size());
    for (std::size_t i = 0; i < index.espSas.size(); ++i) {
        const EspSa &sa = index.espSas[i];
        EspSaSequence &o = result.sas[i];
        o.saIndex = static_cast<std::uint32_t>(i);
        o.spi = sa.spi;
        const bool esn = EspSequenceRule::wraps(sa.minSeq, sa.maxSeq);
        trackers.push_back(std::make_unique<SaTracker>(index, o, esn, windows));
    }
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
        if (sa != analyze_detail::SaResolver::kNone) trackers[sa]->add(r);
    });
    for (auto &t : trackers)
        t->finish();
    result.cancelled = stop;
    return result;
}

void writeEspSequenceJson(JsonWriter &w, const CaptureIndex &index, const EspSequenceAnalysis &a)
{
    constexpr std::size_t kMaxJsonRanges = 1000;
    w.key("sas").beginArray();
    for (const EspSaSequence &s : a.sas) {
        const EspSa &sa = index.espSas[s.saIndex];
        const Flow &fl = index.flows[sa.flowId];
        w.beginObject();
        w.key("spi").spi(s.spi);
        w.field("src", addressText(fl.src)).field("dst", addressText(fl.dst));
        w.field("encap", encapName(sa.encap));
        if (sa.encap == Encapsulation::Udp)
            w.field("src_port", unsigned(fl.srcPort)).field("dst_port", unsigned(fl.dstPort));
        w.field("packets", s.packets).field("bytes", s.bytes);
        w.key("first_time").time(s.firstNs);
        w.key("last_time").time(s.lastNs);
        w.field("first_seq", s.firstSeq).field("last_seq", s.lastSeq);
        w.field("esn", s.esn);
        w.field("restarts", std::uint64_t(s.restarts));
        w.field("missing", s.missing);
        w.key("missing_ranges").beginArray();
        for (std::size_t i = 0; i < std::min(s.missingRanges.size(), kMaxJsonRanges); ++i) {
            const EspMissingRange &r = s.missingRanges[i];
            w.beginObject();
            w.field("first", r.first).field("last", r.last).field("count", r.count());
            w.key("after_time").time(r.afterNs);
            w.key("before_time").time(r.beforeNs);
            if (s.restarts) w.field("epoch", std::uint64_t(r.epoch));
            w.endObject();
        }
        w.endArray();
        w.field("missing_ranges_truncated",
                s.missingRangesTruncated || s.missingRanges.size() > kMaxJsonRanges);
        if (index.set.isSet()) {
            w.field("not_captured", s.notCaptured);
            w.key("not_captured_ranges").beginArray();
            for (std::size_t i = 0; i < std::min(s.notCapturedRanges.size(), kMaxJsonRanges); ++i) {
                const EspMissingRange &r = s.notCapturedRanges[i];
                const CaptureFileGap &g = index.set.gaps[std::size_t(r.fileGap)];
                w.beginObject();
                w.field("first", r.first).field("last", r.last).field("count", r.count());
                w.key("after_time").time(r.afterNs);
                w.key("before_time").time(r.beforeNs);
                w.field("file_gap", std::uint64_t(r.fileGap));
                w.key("between")
                    .beginArray()
                    .value(index.set.files[g.before].path)
                    .value(index.set.files[g.after].path);
                w.endArray();
                w.endObject();
            }
            w.endArray();
        }
        w.field("loss_bursts", s.lossBursts).field("longest_burst", s.longestBurst);
        w.field("duplicates", s.duplicates).field("reordered", s.reordered);
        w.field("max_reorder_distance", s.maxReorderDistance);
        w.key("max_reorder_ms").value(double(s.maxReorderNs) / 1e6, 3);
        w.field("invalid_seq_zero", s.invalidSeqZero).field("late_untracked", s.lateUntracked);
        w.key("antireplay").beginObject();
        for (const auto &o : s.antiReplay)
            w.field(std::to_string(o.window), o.dropped());
        w.endObject();
        w.key("antireplay_detail").beginObject();
        for (const auto &o : s.antiReplay) {
            w.key(std::to_string(o.window)).beginObject();
            w.field("outside_window", o.outsideWindow)
                .field("replayed", o.replayed)
                .field("invalid", o.invalid);
            if (s.esn) w.field("esn_auth_failed", o.esnMismatch);
            w.field("dropped_first_seen", o.droppedFirstSeen);
            w.endObject();
        }
        w.endObject();
        if (s.minSafeWindow)
            w.field("min_safe_window", std::uint64_t(s.minSafeWindow));
        else
            w.key("min_safe_window").null();
        w.field("min_window_exact", s.minWindowExact);
        w.key("epochs").beginArray();
        for (const EspEpoch &e : s.epochs) {
            w.beginObject();
            w.field("first_seq", e.firstSeq).field("last_seq", e.lastSeq);
            w.field("packets", e.packets).field("missing", e.missing);
            w.key("first_time").time(e.firstNs);
            w.endObject();
        }
        w.endArray();
        w.key("series").beginObject();
        w.key("start_time").time(s.series.startNs);
        w.field("bucket_s", std::uint64_t(s.series.bucketNs / 1000000000));
        const auto writeList = [&w](std::string_view k, const std::vector<std::uint64_t> &v) {
            w.key(k).beginArray();
            for (std::uint64_t x : v)
                w.value(x);
            w.endArray();
        };
        writeList("packets", s.series.packets);
        writeList("bytes", s.series.bytes);
        writeList("missing", s.series.missing);
        w.endObject();
        w.endObject();
    }
    w.endArray();
}

QString espSequenceText(const CaptureIndex &index, const EspSequenceAnalysis &a)
{
    QStringList out;
    out << QStringLiteral("ESP sequence analysis (loss as seen at this capture point)");
    if (a.sas.empty()) out << QStringLiteral("  no ESP SAs");
    if (a.cancelled) out << QStringLiteral("  (cancelled: partial results)");
    for (const EspSaSequence &s : a.sas) {
        const EspSa &sa = index.espSas[s.saIndex];
        const Flow &fl = index.flows[sa.flowId];
        const bool udp = sa.encap == Encapsulation::Udp;
        out << QString();
        out << QStringLiteral("SPI %1  %2 → %3  %4")
                   .arg(spiText(s.spi), endpointText(fl.src, udp ? fl.srcPort : 0),
                        endpointText(fl.dst, udp ? fl.dstPort : 0),
                        udp ? QStringLiteral("ESP-in-UDP") : QStringLiteral("ESP"));
        const double secs = double(s.lastNs - s.firstNs) / 1e9;
        out << QStringLiteral("  %1 packets, %2 bytes in %3 s (%4 pkt/s), seq %5..%6%7")
                   .arg(s.packets)
                   .arg(s.bytes)
                   .arg(secs, 0, 'f', 3)
                   .arg(secs > 0 ? double(s.packets) / secs : 0.0, 0, 'f', 1)
                   .arg(s.firstSeq)
                   .arg(s.lastSeq)
                   .arg(s.esn ? QStringLiteral(" (wrapped: ESN)") : QString());
        if (s.restarts)
            out << QStringLiteral("  numbering restarted %1 time(s); each run is analysed on its own")
                       .arg(s.restarts);
        out << QStringLiteral("  missing %1 in %2 burst(s), longest %3; duplicates %4; reordered %5 (max %6 "
                              "packets, %7 ms late)")
                   .arg(s.missing)
                   .arg(s.lossBursts)
                   .arg(s.longestBurst)
                   .arg(s.duplicates)
                   .arg(s.reordered)
                   .arg(s.maxReorderDistance)
                   .arg(double(s.maxReorderNs) / 1e6, 0, 'f', 3);
        const std::size_t shown = std::min<std::size_t>(s.missingRanges.size(), 10);
        for (std::size_t i = 0; i < shown; ++i) {
            const auto &r = s.missingRanges[i];
            out << QStringLiteral("    lost %1..%2 (%3) between %4 and %5")
                       .arg(r.first)
                       .arg(r.last)
                       .arg(r.count())
                       .arg(nsText(r.afterNs), nsText(r.beforeNs));
        }
        if (s.lossBursts > shown)
            out << QStringLiteral("    ... %1 more gap(s) (see --json)").arg(s.lossBursts - shown);
        if (s.notCaptured)
            out << QStringLiteral("  not captured (a file of the set missing, not loss): %1")
                       .arg(s.notCaptured);
        for (std::size_t i = 0; i < std::min<std::size_t>(s.notCapturedRanges.size(), 10); ++i) {
            const auto &r = s.notCapturedRanges[i];
            out << QStringLiteral("    not captured %1..%2 (%3) %4")
                       .arg(r.first)
                       .arg(r.last)
                       .arg(r.count())
                       .arg(fileGapText(index.set, index.set.gaps[std::size_t(r.fileGap)]));
        }
        if (s.invalidSeqZero)
            out << QStringLiteral("  %1 packet(s) with the invalid sequence number 0").arg(s.invalidSeqZero);
        QStringList windows;
        for (const auto &o : s.antiReplay)
            windows << QStringLiteral("%1: %2").arg(o.window).arg(o.dropped());
        out << QStringLiteral("  anti-replay drops by window size  %1")
                   .arg(windows.join(QStringLiteral(", ")));
        out << QStringLiteral("  smallest safe window: %1 (of those listed), exactly %2")
                   .arg(s.minSafeWindow ? QString::number(s.minSafeWindow) : QStringLiteral("none"))
                   .arg(s.minWindowExact);
    }
    return out.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace ikev2wb
