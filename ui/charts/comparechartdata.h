#pragma once
// What the endpoint comparison chart draws, extracted from a CompareResult in a worker thread.
// Every time is converted to one shared timeline: nanoseconds since capture A started, on A's
// clock (B's times are moved onto it by the clock offset). When the offset cannot be
// identified, each direction stays on its sender's clock, counted from that capture's start.
// Kept at full resolution so a zoom can re-reduce the visible range; the chart only ever gets
// reduced points.
#include "compare/endpointcompare.h"
#include "util/seriesreducer.h"

#include <QString>

#include <vector>

namespace ikev2wb::ui {

/// One direction (one lane of the timeline, one line of the delay chart).
struct CompareLane
{
    QString label;     // "A → B"
    QString endpoints; // "10.0.1.1 → 10.0.2.1"
    std::uint64_t sent = 0;
    std::uint64_t lostCount = 0;
    std::vector<SeriesPoint> sentPerSecond; // (second, ESP packets sent in it), 0 across idle gaps
    double maxSentPerSecond = 0;
    std::vector<SeriesPoint> lost;           // (time sent, outer IP size) of each lost-in-transit packet
    std::vector<ComparedPacket> lostPackets; // same order as `lost`, original times
    struct Span
    {
        std::int64_t startNs, endNs;
        std::uint64_t lost;
    };
    std::vector<Span> outages;
    std::vector<SeriesPoint> ikeLost;   // (time sent, message ID)
    std::vector<QString> ikeLostText;   // same order as `ikeLost`
    std::vector<SeriesPoint> owdMeanMs; // per second, all SAs of the direction
    bool owdAbsolute = false;
};

struct CompareChartData
{
    bool sharedClock = false; // the offset was identified and B's times were moved to A's clock
    std::int64_t startNs = 0; // timeline range covering both captures
    std::int64_t endNs = 1;
    CompareLane lanes[2]; // [0] A → B, [1] B → A
    QString timeAxisTitle;
};

CompareChartData buildCompareChart(const CompareResult &r);

} // namespace ikev2wb::ui
