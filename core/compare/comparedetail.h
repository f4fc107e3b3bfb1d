#pragma once
// Internal helpers shared by the comparison's translation units (not part of the public API).
#include "endpointcompare.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace ikev2wb::comparedetail {

/// Maps a time between the two captures' clocks using what the ESP (and IKE) matching learned.
struct ClockMap
{
    bool have[2] = {false, false};     // [0] A→B, [1] B→A: some packet of this direction was matched
    std::int64_t minDelta[2] = {0, 0}; // min(t_receiver − t_sender) per direction, ns

    /// Earliest plausible arrival on the receiver's clock of a packet sent at `ts` in direction `dir`.
    [[nodiscard]] std::int64_t toReceiver(int dir, std::int64_t ts) const { return ts + delta(dir); }
    /// Estimated send time on the sender's clock of a packet that arrived at `ts` in direction `dir`.
    [[nodiscard]] std::int64_t toSender(int dir, std::int64_t ts) const { return ts - delta(dir); }
    /// A time of capture `side` on capture A's clock.
    [[nodiscard]] std::int64_t toA(int side, std::int64_t ts) const { return side == 0 ? ts : ts - theta(); }
    [[nodiscard]] std::int64_t theta() const
    {
        if (have[0] && have[1]) return (minDelta[0] - minDelta[1]) / 2;
        if (have[0]) return minDelta[0]; // assumes a negligible path delay
        if (have[1]) return -minDelta[1];
        return 0;
    }
    [[nodiscard]] std::int64_t delta(int dir) const
    {
        if (have[dir]) return minDelta[dir];
        if (have[1 - dir]) return -minDelta[1 - dir]; // zero-delay assumption: off by at most the path delays
        return 0;
    }
    // Capture spans, and whether a capture is known to have started late / ended early: the
    // other capture holds packets its endpoint sent before its first / after its last packet.
    std::int64_t first[2] = {0, 0}, last[2] = {0, 0};
    bool startedLate[2] = {false, false}, endedEarly[2] = {false, false};

    /// A packet sent by `sender` at `ts` (sender's clock) and absent from the sender's capture
    /// proves that capture was not running then.
    void noteMissingAtSender(int sender, std::int64_t ts)
    {
        if (ts < first[sender])
            startedLate[sender] = true;
        else if (ts > last[sender])
            endedEarly[sender] = true;
    }
    /// True when capture `side` is known not to have been running at `ts` (its own clock). After
    /// its last packet without such evidence it may still have run and seen nothing.
    [[nodiscard]] bool captureOff(int side, std::int64_t ts) const
    {
        return (ts < first[side] && startedLate[side]) || (ts > last[side] && endedEarly[side]) ||
               (sets[side] && sets[side]->inGap(ts));
    }
    /// A side read as a set of files: a gap between its files is a time it did not capture.
    const CaptureSet *sets[2] = {nullptr, nullptr};

    void observe(int dir, std::int64_t delta)
    {
        if (!have[dir] || delta < minDelta[dir]) minDelta[dir] = delta;
        have[dir] = true;
    }
};

/// Matches IKE messages, decides who sent each (own addresses from ESP, else TTL), adds the
/// endpoints' addresses it learns to local/peer, refines the clock from messages seen once on
/// each side, and fills r.ikeLost, r.ikeRetransmissions, r.ikeEvents and the IKE counts.
void compareIke(const CaptureObservations *const obs[2], std::vector<IpAddress> local[2],
                std::vector<IpAddress> peer[2], ClockMap &clock, CompareResult &r);

inline double nsToMs(std::int64_t ns)
{
    return double(ns) / 1e6;
}

/// Quantile by nth_element (values are reordered).
inline std::int64_t quantile(std::vector<std::int64_t> &v, double q)
{
    if (v.empty()) return 0;
    const std::size_t k = std::min(v.size() - 1, std::size_t(q * double(v.size() - 1) + 0.5));
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
    return v[k];
}

/// Quantile of [first, last) by nth_element (values are reordered); as comparedetail::quantile.
template <typename T> T quantileOf(T *first, T *last, double q)
{
    const auto n = std::size_t(last - first);
    const std::size_t k = std::min(n - 1, std::size_t(q * double(n - 1) + 0.5));
    std::nth_element(first, first + k, last);
    return first[k];
}

/// Delay statistics of the deltas in [first, last) (reordered), each `ref` + its value.
template <typename T>
OwdStats owdStats(T *first, T *last, std::int64_t ref, std::int64_t base, double jitterSumMs,
                  std::uint64_t jitterN)
{
    OwdStats o;
    o.samples = std::uint64_t(last - first);
    if (first == last) return o;
    const auto [mn, mx] = std::minmax_element(first, last);
    o.minMs = nsToMs(ref + *mn - base);
    o.maxMs = nsToMs(ref + *mx - base);
    o.medianMs = nsToMs(ref + quantileOf(first, last, 0.5) - base);
    o.p99Ms = nsToMs(ref + quantileOf(first, last, 0.99) - base);
    o.jitterMs = jitterN ? jitterSumMs / double(jitterN) : 0;
    return o;
}

/// The raw t_receiver − t_sender of a direction's matched packets, for the delay quantiles: 4
/// bytes each while every one lies within ±2^31 ns (2.1 s) of the first, else 8 (all of them
/// widened when the first one outside comes). Shifting by the first is order-preserving, so the
/// quantiles are those of the 8-byte values.
class DeltaList
{
public:
    void reserve(std::size_t n) { m_narrow.reserve(n); }
    [[nodiscard]] std::size_t size() const { return m_wide ? m_wideValues.size() : m_narrow.size(); }
    void push_back(std::int64_t delta)
    {
        if (!m_wide) {
            if (m_narrow.empty()) m_ref = delta;
            std::int64_t x = 0;
            if (!__builtin_sub_overflow(delta, m_ref, &x) && x >= std::numeric_limits<std::int32_t>::min() &&
                x <= std::numeric_limits<std::int32_t>::max()) {
                m_narrow.push_back(std::int32_t(x));
                return;
            }
            widen();
        }
        m_wideValues.push_back(delta);
    }
    /// Statistics of the deltas from index `from` to the end (they are reordered).
    [[nodiscard]] OwdStats stats(std::size_t from, std::int64_t base, double jitterSumMs,
                                 std::uint64_t jitterN)
    {
        if (m_wide)
            return owdStats(m_wideValues.data() + from, m_wideValues.data() + m_wideValues.size(), 0, base,
                            jitterSumMs, jitterN);
        return owdStats(m_narrow.data() + from, m_narrow.data() + m_narrow.size(), m_ref, base, jitterSumMs,
                        jitterN);
    }
    void release()
    {
        std::vector<std::int32_t>().swap(m_narrow);
        std::vector<std::int64_t>().swap(m_wideValues);
    }

private:
    void widen()
    {
        m_wideValues.reserve(std::max(m_narrow.capacity(), m_narrow.size() + 1));
        for (const std::int32_t x : m_narrow)
            m_wideValues.push_back(m_ref + x);
        std::vector<std::int32_t>().swap(m_narrow);
        m_wide = true;
    }

    std::int64_t m_ref = 0;
    bool m_wide = false;
    std::vector<std::int32_t> m_narrow;
    std::vector<std::int64_t> m_wideValues;
};

} // namespace ikev2wb::comparedetail
