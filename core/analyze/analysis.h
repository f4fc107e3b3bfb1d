#pragma once
// All single-capture analyzers together: one call runs them in parallel over the same index
// (each is a pure function of it) and one JSON document carries their results.
#include "../index/indexbuilder.h"
#include "espsequence.h"
#include "ikeexchanges.h"
#include "mtu.h"
#include "natt.h"

#include <QStringList>

#include <atomic>
#include <memory>
#include <string>

namespace ikev2wb {

struct CaptureAnalysis
{
    EspSequenceAnalysis esp;
    IkeExchangeAnalysis ike;
    NattAnalysis natt;
    MtuAnalysis mtu;
};

/// Runs the ESP sequence, IKE exchange, NAT-T and MTU analyzers concurrently.
CaptureAnalysis analyzeCapture(const CaptureIndex &index, const std::atomic_bool *cancel = nullptr);

struct AnalyzedCapture
{
    std::unique_ptr<CaptureIndex> index; // its tables only, unless readTwice; nullptr: unreadable
    CaptureAnalysis analysis;
    bool readTwice = false;
};

/// The four analyzers fed with each record during a read (loadAndAnalyzeCapture(); a reader that
/// feeds other observers from the same read holds one too). Give it every record of the read.
class CaptureAnalysisDuringRead final : public RecordObserver
{
public:
    CaptureAnalysisDuringRead();
    ~CaptureAnalysisDuringRead() override;
    CaptureAnalysisDuringRead(const CaptureAnalysisDuringRead &) = delete;
    CaptureAnalysisDuringRead &operator=(const CaptureAnalysisDuringRead &) = delete;
    void record(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables) override;
    /// The analysis of the finished read's `index` into `out`: true when it equals analyzeCapture()
    /// of an index with records (or the read was cancelled: then it is the partial result); false
    /// when a pass during the read cannot give that (an SA's numbers wrapping past 2^32, a set with
    /// a file missing, packets out of time order, a rekey window that began before the packets
    /// held): then read the capture again with records. Call once.
    bool finish(const CaptureIndex &index, CaptureAnalysis &out, const std::atomic_bool *cancel = nullptr);

private:
    struct State;
    std::unique_ptr<State> d;
};

/// Reads a capture (one file, a folder or several files, as loadCapture) and analyses it during
/// the read: no per-packet records, so memory grows with the SAs, flows and IKE messages rather
/// than the packets. The result equals analyzeCapture() of an index with records. Where a pass
/// during the read cannot give that (an SA's numbers wrapping past 2^32, a set with a file
/// missing, packets out of time order, a rekey window that began before the packets held), the
/// capture is read a second time with records and analysed from them (`readTwice`).
/// `readerThread` and `scope` as loadCapture().
AnalyzedCapture loadAndAnalyzeCapture(const QStringList &paths, QString *error,
                                      const ProgressFn &progress = {},
                                      const std::atomic_bool *cancel = nullptr, bool readerThread = true,
                                      const TunnelScope &scope = {});

} // namespace ikev2wb
