#include "analysis.h"

#include "../index/captureset.h"

#include <future>

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

} // namespace ikev2wb
