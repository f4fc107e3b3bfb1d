#pragma once
// A compact IPv4/IPv6 address value (no allocation) used as a hash key in flow tables.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ikev2wb {

/// IPv4 addresses are stored as IPv4-mapped IPv6 (::ffff:a.b.c.d) so both families share one key.
struct IpAddress
{
    std::array<std::uint8_t, 16> bytes{};
    bool v6 = false;

    static IpAddress fromV4(const std::uint8_t *p)
    {
        IpAddress a;
#if defined(__SSE2__)
        // The 16 bytes made in a register and stored at once. Written in pieces, the next copy of
        // the address as a whole (into PacketFacts, then into a flow key) had to wait for the
        // pieces to reach the cache: a store-to-load forward fails when one load spans several
        // stores. bytes 0-9 zero, 10-11 0xff, 12-15 the address (little-endian lanes).
        std::int32_t v;
        std::memcpy(&v, p, 4);
        _mm_storeu_si128(reinterpret_cast<__m128i *>(a.bytes.data()),
                         _mm_set_epi32(v, static_cast<std::int32_t>(0xffff0000u), 0, 0));
#else
        a.bytes[10] = 0xff;
        a.bytes[11] = 0xff;
        std::memcpy(a.bytes.data() + 12, p, 4);
#endif
        return a;
    }
    static IpAddress fromV6(const std::uint8_t *p)
    {
        IpAddress a;
        std::memcpy(a.bytes.data(), p, 16);
        a.v6 = true;
        return a;
    }
    [[nodiscard]] std::uint32_t v4() const
    {
        return (std::uint32_t(bytes[12]) << 24) | (std::uint32_t(bytes[13]) << 16) |
               (std::uint32_t(bytes[14]) << 8) | bytes[15];
    }
    /// Dotted quad or RFC 5952 text.
    [[nodiscard]] std::string toString() const;
    /// Exactly one IPv4 or IPv6 literal, as inet_pton reads it (no whitespace, scope id, prefix
    /// length or host name; an embedded NUL is no literal); nullopt for anything else.
    static std::optional<IpAddress> parse(std::string_view text);

    friend bool operator==(const IpAddress &, const IpAddress &) = default;
    friend auto operator<=>(const IpAddress &, const IpAddress &) = default;
};

/// FNV-1a over the address bytes; cheap and good enough for flow tables.
inline std::uint64_t hashBytes(const void *data, std::size_t n, std::uint64_t h = 1469598103934665603ULL)
{
    const auto *p = static_cast<const std::uint8_t *>(data);
    for (std::size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

} // namespace ikev2wb

template <> struct std::hash<ikev2wb::IpAddress>
{
    std::size_t operator()(const ikev2wb::IpAddress &a) const noexcept
    {
        return ikev2wb::hashBytes(a.bytes.data(), a.bytes.size());
    }
};
