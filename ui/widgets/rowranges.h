#pragma once
// A set of rows as sorted, disjoint, non-adjacent inclusive ranges: a selection of a million
// rows by Shift+click is one range, not a million indexes.
#include <utility>
#include <vector>

namespace ikev2wb::ui {

class RowRanges
{
public:
    using Range = std::pair<int, int>; // first, last (inclusive)

    void add(int first, int last);
    void remove(int first, int last);
    void toggle(int row);
    void clear() { m_ranges.clear(); }
    [[nodiscard]] bool contains(int row) const;
    [[nodiscard]] bool isEmpty() const { return m_ranges.empty(); }
    [[nodiscard]] long long count() const;
    [[nodiscard]] const std::vector<Range> &ranges() const { return m_ranges; }
    /// Every range added to this one.
    void unite(const RowRanges &other);
    bool operator==(const RowRanges &other) const = default;

private:
    std::vector<Range> m_ranges;
};

} // namespace ikev2wb::ui
