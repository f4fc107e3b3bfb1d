#pragma once
// Bounds-checked, zero-copy views over packet bytes. Every read checks its range and reports
// failure through its return value; nothing here allocates or throws.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ikev2wb {

using Bytes = std::span<const std::uint8_t>;

/// Reads big-endian integers from a byte span; out-of-range reads return std::nullopt.
class ByteView final
{
public:
    constexpr ByteView() = default;
    constexpr explicit ByteView(Bytes bytes) : m_bytes(bytes) {}
    constexpr ByteView(const std::uint8_t *data, std::size_t size) : m_bytes(data, size) {}

    [[nodiscard]] constexpr std::size_t size() const { return m_bytes.size(); }
    [[nodiscard]] constexpr bool empty() const { return m_bytes.empty(); }
    [[nodiscard]] constexpr const std::uint8_t *data() const { return m_bytes.data(); }
    [[nodiscard]] constexpr Bytes bytes() const { return m_bytes; }
    [[nodiscard]] constexpr bool has(std::size_t offset, std::size_t count) const
    {
        return offset <= m_bytes.size() && count <= m_bytes.size() - offset;
    }

    [[nodiscard]] constexpr std::optional<std::uint8_t> u8(std::size_t off) const
    {
        if (!has(off, 1)) return std::nullopt;
        return m_bytes[off];
    }
    [[nodiscard]] constexpr std::optional<std::uint16_t> u16(std::size_t off) const
    {
        if (!has(off, 2)) return std::nullopt;
        return static_cast<std::uint16_t>((m_bytes[off] << 8) | m_bytes[off + 1]);
    }
    [[nodiscard]] constexpr std::optional<std::uint32_t> u32(std::size_t off) const
    {
        if (!has(off, 4)) return std::nullopt;
        return (std::uint32_t(m_bytes[off]) << 24) | (std::uint32_t(m_bytes[off + 1]) << 16) |
               (std::uint32_t(m_bytes[off + 2]) << 8) | std::uint32_t(m_bytes[off + 3]);
    }
    [[nodiscard]] constexpr std::optional<std::uint64_t> u64(std::size_t off) const
    {
        const auto hi = u32(off);
        const auto lo = u32(off + 4);
        if (!hi || !lo) return std::nullopt;
        return (std::uint64_t(*hi) << 32) | *lo;
    }
    /// Little-endian 32-bit read (BSD loopback headers are in host order of the writer).
    [[nodiscard]] constexpr std::optional<std::uint32_t> u32le(std::size_t off) const
    {
        if (!has(off, 4)) return std::nullopt;
        return (std::uint32_t(m_bytes[off + 3]) << 24) | (std::uint32_t(m_bytes[off + 2]) << 16) |
               (std::uint32_t(m_bytes[off + 1]) << 8) | std::uint32_t(m_bytes[off]);
    }

    /// Sub-view from offset; clipped to what exists (an empty view when offset is past the end).
    [[nodiscard]] constexpr ByteView from(std::size_t offset) const
    {
        if (offset >= m_bytes.size()) return {};
        return ByteView(m_bytes.subspan(offset));
    }
    /// Sub-view [offset, offset+count) clipped to what exists.
    [[nodiscard]] constexpr ByteView slice(std::size_t offset, std::size_t count) const
    {
        if (offset >= m_bytes.size()) return {};
        const std::size_t avail = m_bytes.size() - offset;
        return ByteView(m_bytes.subspan(offset, count < avail ? count : avail));
    }

private:
    Bytes m_bytes;
};

} // namespace ikev2wb
