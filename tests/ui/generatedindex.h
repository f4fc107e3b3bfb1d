#pragma once
// A CaptureIndex of `n` ESP packets of one SA made up in memory (no file): for tests that need
// more rows than any fixture capture holds. Packet i: time i ns, sequence number n - i
// (descending), IP length 100 + i % 7.
#include "index/indexbuilder.h"

#include <memory>

namespace ikev2wb::testdata {

inline std::shared_ptr<CaptureIndex> generatedEspIndex(int n)
{
    auto index = std::make_shared<CaptureIndex>();
    Flow flow; // ESP rides on IP: one flow, protocol 50 (the display filter reads it there)
    flow.proto = 50;
    index->flows.push_back(flow);
    for (int i = 0; i < n; ++i) {
        PacketRecord r;
        r.tsNs = i;
        r.flowId = 0;
        r.kind = PacketKind::Esp;
        r.a = 0x1000;
        r.b = std::uint32_t(n - i);
        r.ipLength = std::uint16_t(100 + i % 7);
        index->packets.push_back(r);
    }
    index->lastNs = n - 1;
    return index;
}

} // namespace ikev2wb::testdata
