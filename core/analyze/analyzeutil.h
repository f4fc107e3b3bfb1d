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
