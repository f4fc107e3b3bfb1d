#pragma once
// Everything the ESP sequence timeline draws for one SA, extracted from the index and the
// analysis in a worker thread. Kept as full-resolution vectors so zooming can re-reduce the
// visible range; the chart itself only ever gets reduced points.
#include "compare/endpointcompare.h"
#include "sharedtypes.h"
#include "util/seriesreducer.h"

#include <QString>

#include <algorithm>
#include <atomic>
#include <vector>

namespace ikev2wb::ui {

struct TimelineEvent
{
    std::int64_t tNs;
    QString label; // "CREATE_CHILD_SA #2", "DPD", "retransmit", ...
    bool problem;  // retransmission or unanswered request
};

/// Packet indexes in non-decreasing order (buildTimeline walks the capture forwards, a live
/// capture sends its points as they arrive) in 4 bytes each: the low 32 bits, and for each
/// higher 32-bit page the position it starts at (empty below 2^32 packets).
class PacketIndexes final
{
public:
    void push_back(std::uint64_t packet)
    {
        while (m_pageStarts.size() < (packet >> 32))
            m_pageStarts.push_back(m_low.size());
        m_low.push_back(std::uint32_t(packet));
    }
    [[nodiscard]] std::uint64_t operator[](std::size_t k) const
    {
        const auto page =
            std::upper_bound(m_pageStarts.begin(), m_pageStarts.end(), k) - m_pageStarts.begin();
        return std::uint64_t(page) << 32 | m_low[k];
    }
    [[nodiscard]] std::size_t size() const { return m_low.size(); }
    [[nodiscard]] bool empty() const { return m_low.empty(); }
    void reserve(std::size_t n) { m_low.reserve(n); }

private:
    std::vector<std::uint32_t> m_low;
    std::vector<std::size_t> m_pageStarts; // [p]: the first position whose packet is ≥ (p + 1) << 32
};

struct TimelineData
{
    std::size_t saIndex = 0;
    QString title;
    std::int64_t originNs = 0; // x = 0 s
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
    std::vector<SeriesPoint> sequence;  // (arrival time, sequence number)
    PacketIndexes packetOf;             // packet index of each sequence point
    std::vector<SeriesPoint> lost;      // (time of the gap, first missing number)
    std::vector<SeriesPoint> reordered; // late arrivals
    std::vector<SeriesPoint> duplicates;
    std::vector<SeriesPoint>
        lossPerSecond; // two points per bucket (start, end - 1 ns): numbers lost per second in it
    std::vector<TimelineEvent> events; // IKE events in the SA's time range (± a margin)
    std::uint64_t missing = 0;
    bool cancelled = false; // the walk stopped early (cancel): the rest is missing

    // A pair (addOtherEnd): the same SA in the other end's capture, on this capture's time axis.
    bool pair = false;
    QString otherName;
    double offsetS = 0;                     // the other clock's offset subtracted from its times
    bool offsetMeasured = false;            // false: assumed from one direction (path delay taken as 0)
    std::vector<SeriesPoint> otherEnd;      // (time at the other end, sequence number)
    std::vector<SeriesPoint> lostInTransit; // (the sender's time, sequence number): where they died
};

/// Builds the timeline of ESP SA `saIndex` (index into CaptureIndex::espSas). The walk over the
/// packets polls `cancel` (stopping with `cancelled` set) and reports how far it got in `progress`
/// (packets walked), e.g. a worker Job's.
TimelineData buildTimeline(const CaptureIndex &index, const CaptureAnalysis &analysis, std::size_t saIndex,
                           const std::atomic_bool *cancel = nullptr,
                           std::atomic<quint64> *progress = nullptr);

/// A pair: adds to `d` (built from capture `side` of `comparison`, `here`) the same SA's packets
/// in the other capture `there` (called `thereName`), its times moved onto this capture's clock
/// by the comparison's clock offset, and the SA's packets lost in transit at their sender's time,
/// as the comparison paired the packets (CompareResult::pairing).
void addOtherEnd(TimelineData &d, const CaptureIndex &here, int side, const CaptureIndex &there,
                 const CompareResult &comparison, const QString &thereName);

} // namespace ikev2wb::ui
