#include "rowranges.h"

#include <algorithm>

namespace ikev2wb::ui {

void RowRanges::add(int first, int last)
{
    if (first > last) std::swap(first, last);
    // Merge with every range that overlaps or touches [first, last].
    auto lo = std::lower_bound(m_ranges.begin(), m_ranges.end(), first,
                               [](const Range &r, int v) { return r.second + 1 < v; });
    auto hi = lo;
    while (hi != m_ranges.end() && hi->first <= last + 1) {
        first = std::min(first, hi->first);
        last = std::max(last, hi->second);
        ++hi;
    }
    lo = m_ranges.erase(lo, hi);
    m_ranges.insert(lo, Range(first, last));
}

void RowRanges::remove(int first, int last)
{
    if (first > last) std::swap(first, last);
    std::vector<Range> out;
    out.reserve(m_ranges.size() + 1);
    for (const Range &r : m_ranges) {
        if (r.second < first || r.first > last) {
            out.push_back(r);
            continue;
        }
        if (r.first < first) out.emplace_back(r.first, first - 1);
        if (r.second > last) out.emplace_back(last + 1, r.second);
    }
    m_ranges = std::move(out);
}

void RowRanges::toggle(int row)
{
    if (contains(row))
        remove(row, row);
    else
        add(row, row);
}

bool RowRanges::contains(int row) const
{
    const auto it = std::lower_bound(m_ranges.begin(), m_ranges.end(), row,
                                     [](const Range &r, int v) { return r.second < v; });
    return it != m_ranges.end() && it->first <= row;
}

long long RowRanges::count() const
{
    long long n = 0;
    for (const Range &r : m_ranges)
        n += (long long)(r.second) - r.first + 1;
    return n;
}

void RowRanges::unite(const RowRanges &other)
{
    for (const Range &r : other.m_ranges)
        add(r.first, r.second);
}

} // namespace ikev2wb::ui
