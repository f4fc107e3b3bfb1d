#include "analysis.h"

#include "../index/captureset.h"
#include "../index/indexbuilder.h"

#include <future>
#include <optional>

namespace ikev2wb {

CaptureAnalysis analyzeCapture(const CaptureIndex &index, const std::atomic_bool *cancel)
{
    // The index is read-only here, so the analyzers share it without locks. ESP sequence
    // analysis is the heaviest (it walks every packet); it runs on this thread.
    auto ike = std::async(std::launch::async, [&] { return analyzeIkeExchanges(index, cancel); });
    auto natt = std::async(std::launch::async, [&] { return analyzeNatt(index, cancel); });
    auto mtu = std::async(std::launch::async, [&] { return analyzeMtu(index, cancel); });
    CaptureAnalysis a;
    a.esp = analyzeEspSequences(index, cancel);
    a.ike = ike.get();
    a.natt = natt.get();
    a.mtu = mtu.get();
    return a;
}

namespace {

/// The four analyzers fed with each record as the read makes it.
class DuringRead final : public RecordObserver
{
public:
    void record(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables) override
    {
        // The MTU analyzer keeps the builder's tables (they grow in place until the read ends).
        if (!mtu) mtu.emplace(tables);
        if (sa != IndexBuilder::kNoSa) esp.observe(r, sa);
        mtu->observe(r, sa);
        natt.observe(r, sa, tables);
        ike.observe(r, sa, tables);
    }

    EspSequenceAnalyzer esp;
    std::optional<MtuAnalyzer> mtu;
    NattAnalyzer natt;
    IkeEspWindows ike;
};

} // namespace

AnalyzedCapture loadAndAnalyzeCapture(const QStringList &paths, QString *error, const ProgressFn &progress,
                                      const std::atomic_bool *cancel)
{
    AnalyzedCapture out;
    {
        DuringRead during;
        out.index = loadCapture(paths, error, progress, cancel, IndexContents::TablesOnly, &during);
        if (!out.index) return out;
        const CaptureIndex &index = *out.index;
        if (!during.mtu) during.mtu.emplace(index);
        // Fed in file order, the analyzers match the records' passes when packets came in time
        // order, no SA's numbering wrapped and no file of a set is missing; else read again.
        // A cancelled read is not read again: what it has is the partial result.
        const bool exact =
            index.timeBackwards == 0 && !during.mtu->outOfOrder() && !during.esp.needsRecords(index);
        if (exact || index.cancelled) {
            CaptureAnalysis &a = out.analysis;
            a.esp = during.esp.finish(index);
            a.esp.cancelled = index.cancelled;
            a.natt = during.natt.finish(index, index.cancelled);
            a.mtu = during.mtu->finish(index);
            a.mtu.cancelled = index.cancelled;
            a.ike = analyzeIkeExchanges(index, cancel, &during.ike);
            a.ike.cancelled = a.ike.cancelled || index.cancelled;
            if (during.ike.complete() || index.cancelled) return out;
        }
    }
    out.index = loadCapture(paths, error, progress, cancel, IndexContents::Records);
    if (!out.index) return out;
    out.readTwice = true;
    out.analysis = analyzeCapture(*out.index, cancel);
    return out;
}

} // namespace ikev2wb
