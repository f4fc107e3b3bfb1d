// Text and JSON of the ESP sequence analysis (core/analyze/espsequence).
#include "../analyze/analyzeutil.h"
#include "../analyze/espsequence.h"
#include "../index/captureset.h"
#include "../index/espsa.h"
#include "analysisreport.h"
#include "capturesummary.h"
#include "jsonwriter.h"

#include <QStringList>
#include <algorithm>
#include <map>

namespace ikev2wb {

using namespace analyze_detail;

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
        w.field("out_of_run", s.outOfRun);
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
                       .arg(epochSecondsText(r.afterNs), epochSecondsText(r.beforeNs));
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
