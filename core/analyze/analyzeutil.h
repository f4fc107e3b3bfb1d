#pragma once
// Small helpers shared by the analyzers in this folder (not part of their public API).
#include "../index/captureindex.h"
#include "../index/espsa.h"
#include "../util/textformat.h"

#include <QString>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ikev2wb::analyze_detail {

constexpr std::int64_t kNsPerS = 1'000'000'000LL;

inline double seconds(std::int64_t ns)
{
    return double(ns) / 1e9;
}
inline std::int64_t nanos(double s)
{
    return std::int64_t(s * 1e9);
}

inline bool cancelled(const std::atomic_bool *cancel)
{
    return cancel && cancel->load(std::memory_order_relaxed);
}

inline QString latin1(std::string_view s)
{
    return QString::fromLatin1(s.data(), qsizetype(s.size()));
}

/// Value at quantile q (0..1) of `v` by nearest rank; `v` is reordered. 0 for an empty vector.
template <typename T> T quantile(std::vector<T> &v, double q)
{
    if (v.empty()) return T{};
    std::size_t k = std::size_t(q * double(v.size() - 1) + 0.5);
    k = std::min(k, v.size() - 1);
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
    return v[k];
}

/// Sequence numbers never seen between the smallest and largest of `seqs` (may reorder `seqs`).
/// A bitmap over the range when it is reasonably small (linear time); a sort otherwise.
inline std::uint64_t missingSequenceNumbers(std::vector<std::uint32_t> &seqs)
{
    if (seqs.size() < 2) return 0;
    const auto [lo, hi] = std::minmax_element(seqs.begin(), seqs.end());
    const std::uint64_t range = std::uint64_t(*hi) - *lo + 1;
    if (range <= std::max<std::uint64_t>(std::uint64_t(1) << 26, 4 * std::uint64_t(seqs.size()))) {
        std::vector<bool> seen(range);
        std::uint64_t distinct = 0;
        const std::uint32_t base = *lo;
        for (const std::uint32_t q : seqs) {
            auto bit = seen[q - base];
            if (!bit) {
                bit = true;
                ++distinct;
            }
        }
        return range - distinct;
    }
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    return std::uint64_t(seqs.back() - seqs.front() + 1) - seqs.size();
}

/// A FIFO queue in a ring of 2^k slots that doubles when full: pushing and popping never move
/// the elements, unlike a vector erased at its front now and then (which copied the queue's
/// older half, cold in the cache by then, every few thousand packets), and a slot is reused
/// as soon as its element is popped.
template <typename T> class RingQueue
{
public:
    [[nodiscard]] bool empty() const { return m_size == 0; }
    [[nodiscard]] std::size_t size() const { return m_size; }
    /// The i-th element from the front (0: the oldest).
    T &operator[](std::size_t i) { return m_slots[(m_first + i) & m_mask]; }
    const T &operator[](std::size_t i) const { return m_slots[(m_first + i) & m_mask]; }
    T &front() { return m_slots[m_first]; }
    const T &front() const { return m_slots[m_first]; }
    void push_back(const T &v)
    {
        if (m_size == m_slots.size()) grow();
        m_slots[(m_first + m_size) & m_mask] = v;
        ++m_size;
    }
    [[nodiscard]] bool full() const { return m_size == m_slots.size(); }
    void pop_front() { drop_front(1); }
    /// Pops the n oldest elements (n <= size()).
    void drop_front(std::size_t n)
    {
        m_first = (m_first + n) & m_mask;
        m_size -= n;
    }
    void clear() { m_first = m_size = 0; }

private:
    void grow()
    {
        std::vector<T> bigger(m_slots.empty() ? 64 : 2 * m_slots.size());
        for (std::size_t i = 0; i < m_size; ++i)
            bigger[i] = (*this)[i];
        m_slots = std::move(bigger);
        m_mask = m_slots.size() - 1;
        m_first = 0;
    }
    std::vector<T> m_slots;
    std::size_t m_mask = 0;
    std::size_t m_first = 0;
    std::size_t m_size = 0;
};

/// Calls f(record) for every record of the index in order, polling `cancel` every 64 Ki records;
/// true when it stopped there.
template <typename F> bool forEachRecord(const CaptureIndex &index, const std::atomic_bool *cancel, F &&f)
{
    std::size_t n = 0;
    bool stop = false;
    index.packets.forEach([&](const PacketRecord &r) {
        if (stop) return;
        if ((++n & 0xffff) == 0 && cancelled(cancel)) {
            stop = true;
            return;
        }
        f(r);
    });
    return stop;
}

/// The index's SA lookup (core/index/espsa.h), under the name the analyzers use.
using ikev2wb::espSaKey;
using SaResolver = EspSaResolver;

} // namespace ikev2wb::analyze_detail
