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

/// The four analyzers fed with each record as the read makes it.
struct CaptureAnalysisDuringRead::State
{
    EspSequenceAnalyzer esp;
    std::optional<MtuAnalyzer> mtu;
    NattAnalyzer natt;
    IkeEspWindows ike;
    // The ESP sequence and MTU analyzers take the records in batches, one analyzer after the
    // other: each keeps its per-SA tables in the cache for a whole batch instead of sharing it
    // with the read and the other analyzers packet by packet. They look at nothing but the
    // records (and SA and flow entries that do not change), so the result is the same.
    struct Observed
    {
        PacketRecord r;
        std::uint32_t sa;
    };
    static constexpr std::size_t kBatch = 1024;
    std::vector<Observed> batch = std::vector<Observed>(kBatch);
    std::size_t batched = 0;
    void flush()
    {
        for (std::size_t i = 0; i < batched; ++i)
            if (batch[i].sa != IndexBuilder::kNoSa) esp.observe(batch[i].r, batch[i].sa);
        for (std::size_t i = 0; i < batched; ++i)
            mtu->observe(batch[i].r, batch[i].sa);
        batched = 0;
    }
};

CaptureAnalysisDuringRead::CaptureAnalysisDuringRead() : d(std::make_unique<State>()) {}
CaptureAnalysisDuringRead::~CaptureAnalysisDuringRead() = default;

void CaptureAnalysisDuringRead::record(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables)
{
    // The MTU analyzer keeps the builder's tables (they grow in place until the read ends).
    if (!d->mtu) d->mtu.emplace(tables);
    d->batch[d->batched++] = {r, sa};
    if (d->batched == State::kBatch) d->flush();
    d->natt.observe(r, sa, tables);
    d->ike.observe(r, sa, tables);
}

bool CaptureAnalysisDuringRead::finish(const CaptureIndex &index, CaptureAnalysis &a,
                                       const std::atomic_bool *cancel)
{
    if (!d->mtu) d->mtu.emplace(index);
    d->mtu->setTables(index); // the builder's tables have moved into `index`
    d->flush();
    // Fed in file order, the analyzers match the records' passes when packets came in time
    // order, no SA's numbering wrapped and no file of a set is missing; else read again.
    // A cancelled read is not read again: what it has is the partial result.
    const bool exact = index.timeBackwards == 0 && !d->mtu->outOfOrder() && !d->esp.needsRecords(index);
    if (!exact && !index.cancelled) return false;
    a.esp = d->esp.finish(index);
    a.esp.cancelled = index.cancelled;
    a.natt = d->natt.finish(index, index.cancelled);
    a.mtu = d->mtu->finish(index);
    a.mtu.cancelled = index.cancelled;
    a.ike = analyzeIkeExchanges(index, cancel, &d->ike);
    a.ike.cancelled = a.ike.cancelled || index.cancelled;
    return d->ike.complete() || index.cancelled;
}

AnalyzedCapture loadAndAnalyzeCapture(const QStringList &paths, QString *error, const ProgressFn &progress,
                                      const std::atomic_bool *cancel, bool readerThread,
                                      const TunnelScope &scope)
{
    AnalyzedCapture out;
    {
        CaptureAnalysisDuringRead during;
        out.index = loadCapture(paths, error, progress, cancel, IndexContents::TablesOnly, &during,
                                readerThread, scope);
        if (!out.index) return out;
        if (during.finish(*out.index, out.analysis, cancel)) return out;
    }
    out.index =
        loadCapture(paths, error, progress, cancel, IndexContents::Records, nullptr, readerThread, scope);
    if (!out.index) return out;
    out.readTwice = true;
    out.analysis = analyzeCapture(*out.index, cancel);
    return out;
}

} // namespace ikev2wb
