#pragma once
// All single-capture analyzers together: one call runs them in parallel over the same index
// (each is a pure function of it) and one JSON document carries their results.
#include "espsequence.h"
#include "ikeexchanges.h"
#include "mtu.h"
#include "natt.h"

#include <atomic>
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

} // namespace ikev2wb
