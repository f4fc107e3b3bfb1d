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
    addReceiverSuspicions(a.mtu, index, a.esp);
    return a;
}

/// The four analyzers fed with each record as the read makes it.
struct CaptureAnalysisDuringRead::State
{
    EspSequenceAnalyzer esp;
    std::optional<MtuAnalyzer> mtu;
    NattAnalyzer natt;
    IkeEspWindows ike;
    // The analyzers take the records in batches, one analyzer after the other: each keeps its
    // per-SA and per-flow tables in the cache for a whole batch instead of sharing it with the
    // read and the other analyzers packet by packet. They look at nothing but the records, SA and
    // flow entries that do not change once made, and the IKE messages made up to each record
    // (noted with it), so the result is the same.
    static constexpr std::size_t kBatch = 1024;
    std::vector<PacketRecord> records = std::vector<PacketRecord>(kBatch);
    std::vector<std::uint32_t> sas = std::vector<std::uint32_t>(kBatch);
    // Of tables->ikeMessages: how many were made at the batch's first record, and how many more
    // when the read reached each record (a packet makes at most one: at most kBatch).
    std::size_t ikeMessagesBefore = 0;
    std::vector<std::uint32_t> newIkeMessages = std::vector<std::uint32_t>(kBatch);
    std::size_t batched = 0;
    const CaptureIndex *tables = nullptr; // the builder's, until the read ends
    void flush()
    {
        const std::span<const PacketRecord> r(records.data(), batched);
        const std::span<const std::uint32_t> s(sas.data(), batched);
        esp.observe(r, s);
        mtu->observe(r, s);
        natt.observe(r, s, *tables);
        ike.observe(r, s, *tables, ikeMessagesBefore, {newIkeMessages.data(), batched});
        batched = 0;
    }
};

CaptureAnalysisDuringRead::CaptureAnalysisDuringRead() : d(std::make_unique<State>()) {}
CaptureAnalysisDuringRead::~CaptureAnalysisDuringRead() = default;

void CaptureAnalysisDuringRead::record(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables)
{
    // The MTU analyzer keeps the builder's tables (they grow in place until the read ends).
    if (!d->mtu) d->mtu.emplace(tables);
    d->tables = &tables;
    if (d->batched == 0) d->ikeMessagesBefore = tables.ikeMessages.size();
    d->records[d->batched] = r;
    d->sas[d->batched] = sa;
    d->newIkeMessages[d->batched] = std::uint32_t(tables.ikeMessages.size() - d->ikeMessagesBefore);
    ++d->batched;
    if (d->batched == State::kBatch) d->flush();
}

bool CaptureAnalysisDuringRead::finish(const CaptureIndex &index, CaptureAnalysis &a,
                                       const std::atomic_bool *cancel)
{
    if (!d->mtu) d->mtu.emplace(index);
    d->mtu->setTables(index); // the builder's tables have moved into `index`
    d->tables = &index;
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
    addReceiverSuspicions(a.mtu, index, a.esp);
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
