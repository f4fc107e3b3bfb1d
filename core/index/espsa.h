#pragma once
// What makes packets one ESP SA, and how an SA's 32-bit sequence numbers become 64-bit ones.
// The one place for both: the ESP sequence analysis (core/analyze) and the endpoint comparison
// (core/compare) read them from here, so they cannot count an SA's packets differently.
#include "captureindex.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace ikev2wb {

/// Key of an entry of CaptureIndex::espSas: SPI and outer flow (the index keeps one entry per
/// outer flow an SPI travelled on, so a NAT rebinding shows as a second entry).
inline std::uint64_t espSaKey(std::uint32_t spi, std::uint32_t flowId)
{
    return (std::uint64_t(spi) << 32) | flowId;
}

/// An SA across its outer flows: SPI and destination address (RFC 4301 §4.1). The source
/// address and the ports may change under NAT; the SA does not.
struct EspSaId
{
    std::uint32_t spi = 0;
    IpAddress dst;
    bool operator==(const EspSaId &) const = default;
};
struct EspSaIdHash
{
    std::size_t operator()(const EspSaId &k) const noexcept
    {
        return hashBytes(k.dst.bytes.data(), 16, 0x9e3779b97f4a7c15ULL ^ k.spi);
    }
};
inline EspSaId espSaId(const CaptureIndex &index, const EspSa &sa)
{
    return {sa.spi, index.flows[sa.flowId].dst};
}

/// Finds the index in CaptureIndex::espSas of an ESP packet's SA. Captures interleave a handful
/// of SAs, so a direct-mapped cache in front of the hash map answers almost every packet with
/// one compare (a hash-map lookup per packet was a large part of each analyzer's pass).
class EspSaResolver
{
public:
    static constexpr std::uint32_t kNone = 0xffffffffu;
    explicit EspSaResolver(const std::vector<EspSa> &sas)
    {
        m_map.reserve(sas.size());
        for (std::size_t s = 0; s < sas.size(); ++s)
            m_map.emplace(espSaKey(sas[s].spi, sas[s].flowId), std::uint32_t(s));
    }
    /// kNone if no SA of the index has this SPI on this flow.
    std::uint32_t find(const PacketRecord &r)
    {
        const std::uint64_t key = espSaKey(r.spi(), r.flowId);
        Entry &e = m_cache[(key * 0x9e3779b97f4a7c15ULL) >> (64 - kCacheBits)];
        if (e.key == key) return e.id;
        const auto it = m_map.find(key);
        e.key = key;
        e.id = it == m_map.end() ? kNone : it->second;
        return e.id;
    }

private:
    static constexpr unsigned kCacheBits = 8;
    struct Entry
    {
        std::uint64_t key = ~0ULL; // flow ID 0xffffffff never carries ESP
        std::uint32_t id = kNone;
    };
    std::array<Entry, std::size_t(1) << kCacheBits> m_cache{};
    std::unordered_map<std::uint64_t, std::uint32_t> m_map;
};

/// The 32 → 64-bit rule for one SA's sequence numbers, fed in arrival order.
/// - Wrap (ESN, RFC 4303 §3.3.3): a non-ESN sender stops at 2^32 − 1, so numbering that has
///   been both near 2^32 and near 0 (`wraps()` of the SA's lowest and highest 32-bit number)
///   can only have wrapped. Only then is a number placed next to the highest so far by serial
///   arithmetic (half the 32-bit space either way, RFC 1982 style).
/// - Restart: a fall to a small number (≤ kRestartMaxSeq) from far above it (> kRestartMinDrop)
///   is the sender numbering again (a reused SPI, a restarted peer): every receiver window
///   would call the packet too old, so it cannot be a useful late arrival.
class EspSequenceRule
{
public:
    static constexpr std::uint32_t kWrapHigh = 0xc0000000u;
    static constexpr std::uint32_t kWrapLow = 0x40000000u;
    static constexpr std::uint64_t kRestartMaxSeq = 1024;
    static constexpr std::uint64_t kRestartMinDrop = 4096;

    /// Whether an SA whose 32-bit numbers span [minSeq, maxSeq] wrapped past 2^32.
    static bool wraps(std::uint32_t minSeq, std::uint32_t maxSeq)
    {
        return maxSeq >= kWrapHigh && minSeq < kWrapLow;
    }

    explicit EspSequenceRule(bool wraps) : m_wraps(wraps) {}
    [[nodiscard]] bool esn() const { return m_wraps; }
    [[nodiscard]] bool started() const { return m_started; }
    /// The highest 64-bit number of the current run.
    [[nodiscard]] std::uint64_t top() const { return m_top; }

    /// The 64-bit number of `s` given the numbers seen so far in this run.
    [[nodiscard]] std::uint64_t extend(std::uint32_t s) const
    {
        if (!m_wraps || !m_started) return s;
        const auto d = static_cast<std::int32_t>(s - static_cast<std::uint32_t>(m_top));
        if (d < 0 && std::uint64_t(-std::int64_t(d)) >= m_top) return s;
        return std::uint64_t(std::int64_t(m_top) + d);
    }
    /// Whether the extended number `ext` of `s` starts a new run (call restart() then).
    [[nodiscard]] bool isRestart(std::uint32_t s, std::uint64_t ext) const
    {
        return m_started && ext < m_top && s <= kRestartMaxSeq && m_top - ext > kRestartMinDrop;
    }
    /// Records `ext` as seen (the first number of a run starts it).
    void accept(std::uint64_t ext)
    {
        if (!m_started || ext > m_top) m_top = ext;
        m_started = true;
    }
    /// Ends the current run: the next accept() starts a new one.
    void restart() { m_started = false; }

private:
    bool m_wraps;
    bool m_started = false;
    std::uint64_t m_top = 0;
};

} // namespace ikev2wb

namespace ikev2wb {

/// Where one ESP packet stands in its SA when it arrived, numbered by EspSequenceRule: what a
/// packet's details show (64-bit across a wrap; a restart begins a new run).
struct EspPosition
{
    bool found = false;            // the packet is ESP and its SA is in the index
    std::uint32_t saIndex = 0;     // into CaptureIndex::espSas
    std::uint64_t seq = 0;         // the packet's 64-bit sequence number
    std::uint64_t before = 0;      // packets of the SA before it (all runs)
    bool restart = false;          // it began a new numbering run
    bool anyBefore = false;        // an earlier packet of its run
    std::uint64_t highest = 0;     // the highest number of its run before it (if anyBefore)
    bool duplicate = false;        // its number was seen before in its run
    std::uint64_t duplicateOf = 0; // the first packet (index) that carried it
};

/// One pass over the packets before `packet` (two when it has to look for its copy). `cancel`
/// is polled every 64 Ki packets; a cancelled call returns `found` false.
EspPosition espPosition(const CaptureIndex &index, std::uint64_t packet,
                        const std::atomic_bool *cancel = nullptr);

} // namespace ikev2wb
