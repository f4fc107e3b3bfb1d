#pragma once
// Maps capture time (nanoseconds) to pixels and back for the hand-painted and charted
// timelines. Small on purpose so it has its own unit test (hotspot's mapTimeToX).
#include <cstdint>

namespace ikev2wb::ui {

struct TimeAxis
{
    std::int64_t startNs = 0; // time at the left edge
    std::int64_t endNs = 1;   // time at the right edge (> startNs)
    double left = 0;          // pixel of startNs
    double width = 1;         // pixels from startNs to endNs

    [[nodiscard]] double mapTimeToX(std::int64_t ns) const
    {
        const double span = double(endNs - startNs);
        return left + (span > 0 ? double(ns - startNs) / span * width : 0.0);
    }
    [[nodiscard]] std::int64_t mapXToTime(double x) const
    {
        if (width <= 0) return startNs;
        return startNs + std::int64_t((x - left) / width * double(endNs - startNs));
    }
    /// Zooms by `factor` (< 1 zooms in) keeping the time under pixel `x` fixed.
    [[nodiscard]] TimeAxis zoomed(double x, double factor) const
    {
        const std::int64_t anchor = mapXToTime(x);
        TimeAxis z = *this;
        z.startNs = anchor - std::int64_t(double(anchor - startNs) * factor);
        z.endNs = anchor + std::int64_t(double(endNs - anchor) * factor);
        if (z.endNs <= z.startNs) z.endNs = z.startNs + 1;
        return z;
    }
    /// Pans by `dx` pixels (positive moves the view to later times).
    [[nodiscard]] TimeAxis panned(double dx) const
    {
        TimeAxis p = *this;
        const std::int64_t shift = width > 0 ? std::int64_t(dx / width * double(endNs - startNs)) : 0;
        p.startNs += shift;
        p.endNs += shift;
        return p;
    }
};

} // namespace ikev2wb::ui
