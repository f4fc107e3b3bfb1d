#include "ladderlayout.h"

#include <algorithm>
#include <cmath>

namespace ikev2wb::ui {

std::vector<double> LadderLayout::place(const std::vector<std::int64_t> &timesNs) const
{
    std::vector<double> ys;
    ys.reserve(timesNs.size());
    double y = top;
    for (std::size_t i = 0; i < timesNs.size(); ++i) {
        if (i > 0) {
            const double gapS = std::max(0.0, double(timesNs[i] - timesNs[i - 1]) / 1e9);
            y += std::max(rowHeight, secondHeight * std::log2(1.0 + gapS));
        }
        ys.push_back(y);
    }
    return ys;
}

int LadderLayout::hitTest(const std::vector<double> &ys, double y)
{
    if (ys.empty()) return -1;
    const auto it = std::lower_bound(ys.begin(), ys.end(), y);
    if (it == ys.begin()) return 0;
    if (it == ys.end()) return int(ys.size()) - 1;
    const auto prev = std::prev(it);
    return int((y - *prev <= *it - y) ? prev - ys.begin() : it - ys.begin());
}

} // namespace ikev2wb::ui
