#include "seriesreducer.h"

#include <algorithm>

namespace ikev2wb {

namespace {

std::pair<std::size_t, std::size_t> range(const std::vector<SeriesPoint> &p, std::int64_t startNs,
                                          std::int64_t endNs)
{
    const auto lo = std::lower_bound(p.begin(), p.end(), startNs,
                                     [](const SeriesPoint &a, std::int64_t t) { return a.tNs < t; });
    const auto hi =
        std::lower_bound(lo, p.end(), endNs, [](const SeriesPoint &a, std::int64_t t) { return a.tNs < t; });
    return {std::size_t(lo - p.begin()), std::size_t(hi - p.begin())};
}

double seconds(std::int64_t ns, std::int64_t originNs)
{
    return double(ns - originNs) / 1e9;
}

/// The indexes of the points reduceMinMax keeps, in time order.
std::vector<std::size_t> keptMinMax(const std::vector<SeriesPoint> &points, std::int64_t startNs,
                                    std::int64_t endNs, int buckets)
{
    std::vector<std::size_t> out;
    if (buckets <= 0 || endNs <= startNs) return out;
    const auto [lo, hi] = range(points, startNs, endNs);
    if (hi - lo <= std::size_t(buckets) * 4) {
        out.reserve(hi - lo);
        for (std::size_t i = lo; i < hi; ++i)
            out.push_back(i);
        return out;
    }
    out.reserve(std::size_t(buckets) * 4);
    const double span = double(endNs - startNs);
    // One formula decides a point's bucket, so every point belongs to exactly one bucket and
    // the scan always advances.
    auto bucketOf = [&](std::size_t k) {
        return std::min(buckets - 1, int(double(points[k].tNs - startNs) / span * buckets));
    };
    std::size_t i = lo;
    while (i < hi) {
        const int b = bucketOf(i);
        const std::size_t first = i;
        std::size_t minI = i, maxI = i;
        do {
            if (points[i].value < points[minI].value) minI = i;
            if (points[i].value > points[maxI].value) maxI = i;
            ++i;
        } while (i < hi && bucketOf(i) == b);
        const std::size_t last = i - 1;
        // Emit in time order so the line is drawn as the data went.
        std::size_t idx[4] = {first, minI, maxI, last};
        std::sort(idx, idx + 4);
        std::size_t prev = hi;
        for (std::size_t k : idx) {
            if (k == prev) continue;
            out.push_back(k);
            prev = k;
        }
    }
    return out;
}

} // namespace

QVector<QPointF> reduceMinMax(const std::vector<SeriesPoint> &points, std::int64_t startNs,
                              std::int64_t endNs, int buckets, std::int64_t originNs)
{
    const std::vector<std::size_t> kept = keptMinMax(points, startNs, endNs, buckets);
    QVector<QPointF> out;
    out.reserve(qsizetype(kept.size()));
    for (std::size_t k : kept)
        out.append(QPointF(seconds(points[k].tNs, originNs), points[k].value));
    return out;
}

std::vector<QVector<QPointF>> reduceMinMaxSplit(const std::vector<SeriesPoint> &points, std::int64_t startNs,
                                                std::int64_t endNs, int buckets, std::int64_t originNs,
                                                double maxRise)
{
    const std::vector<std::size_t> kept = keptMinMax(points, startNs, endNs, buckets);
    std::vector<QVector<QPointF>> pieces;
    for (std::size_t j = 0; j < kept.size(); ++j) {
        const std::size_t k = kept[j];
        // Two kept points that are neighbours in the data (the last of one pixel column and the
        // first of the next, or any two when nothing was reduced) with a rise beyond maxRise:
        // nothing arrived in between, so no line joins them.
        const bool gap = j > 0 && k == kept[j - 1] + 1 && points[k].value - points[k - 1].value > maxRise;
        if (pieces.empty() || gap) pieces.emplace_back();
        pieces.back().append(QPointF(seconds(points[k].tNs, originNs), points[k].value));
    }
    return pieces;
}

QVector<QPointF> reduceMarkers(const std::vector<SeriesPoint> &points, std::int64_t startNs,
                               std::int64_t endNs, int buckets, std::int64_t originNs)
{
    QVector<QPointF> out;
    if (buckets <= 0 || endNs <= startNs) return out;
    const auto [lo, hi] = range(points, startNs, endNs);
    const double span = double(endNs - startNs);
    int lastBucket = -1;
    for (std::size_t i = lo; i < hi; ++i) {
        const int b = std::min(buckets - 1, int(double(points[i].tNs - startNs) / span * buckets));
        if (b == lastBucket) continue;
        lastBucket = b;
        out.append(QPointF(seconds(points[i].tNs, originNs), points[i].value));
    }
    return out;
}

} // namespace ikev2wb
