#pragma once
// Vertical placement of IKE messages in the ladder diagram: gaps to scale (log-compressed so a
// 40 s retransmission gap does not push everything off screen) but never closer than a row.
#include <cstdint>
#include <vector>

namespace ikev2wb::ui {

struct LadderLayout
{
    double rowHeight = 22;    // minimum distance between two arrows
    double secondHeight = 40; // pixels for a 1 s gap (before compression)
    double top = 40;

    /// y for each time (times sorted ascending). Gap g seconds takes
    /// max(rowHeight, secondHeight * log2(1 + g)) pixels.
    [[nodiscard]] std::vector<double> place(const std::vector<std::int64_t> &timesNs) const;
    /// Index of the row nearest to y (binary search), -1 if `ys` is empty.
    [[nodiscard]] static int hitTest(const std::vector<double> &ys, double y);
};

} // namespace ikev2wb::ui
