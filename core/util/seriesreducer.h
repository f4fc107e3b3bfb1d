#pragma once
// Reduces a time series to a fixed point budget before it reaches a chart: per pixel column
// (time bucket) it keeps the first, minimum, maximum and last value, so spikes and gaps survive
// and the drawn line looks the same as with every point. Marked points (loss, reorder, ...)
// are reduced separately and never dropped below one per bucket and kind. One implementation for
// the charts (ui/charts) and the PDF report's plots (core/report/pdf). QtCore only: the reduction
// runs in a worker thread.
#include <QPointF>
#include <QVector>

#include <cstdint>
#include <vector>

namespace ikev2wb {

struct SeriesPoint
{
    std::int64_t tNs;
    double value;
};

/// Reduces `points` (sorted by time) within [startNs, endNs) into at most 4 × buckets points,
/// x in seconds relative to `originNs`.
QVector<QPointF> reduceMinMax(const std::vector<SeriesPoint> &points, std::int64_t startNs,
                              std::int64_t endNs, int buckets, std::int64_t originNs);

/// reduceMinMax's points cut into pieces where the line must break: between two neighbouring
/// points of the data whose value rises by more than `maxRise` (an ESP sequence gap: the numbers
/// in between never arrived), so a gap is never drawn as a slope that looks like traffic.
std::vector<QVector<QPointF>> reduceMinMaxSplit(const std::vector<SeriesPoint> &points, std::int64_t startNs,
                                                std::int64_t endNs, int buckets, std::int64_t originNs,
                                                double maxRise);

/// Keeps at most one marker per bucket (the first), x in seconds relative to `originNs`.
QVector<QPointF> reduceMarkers(const std::vector<SeriesPoint> &points, std::int64_t startNs,
                               std::int64_t endNs, int buckets, std::int64_t originNs);

} // namespace ikev2wb
