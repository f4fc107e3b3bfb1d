#pragma once
// The compact per-packet record every analyzer and view shares (32 bytes), and the chunked
// store that holds millions of them without reallocation spikes.
#include "../dissect/packetfacts.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace ikev2wb {

/// One packet in 32 bytes. Field meaning of `a`/`b` depends on `kind`:
/// ESP / ESP-in-UDP: a = SPI, b = sequence number;
/// IKE (any transport): a = index into CaptureIndex::ikeMessages, b = message ID;
/// ICMP errors: a = index into CaptureIndex::icmpErrors, b = MTU;
/// other packets with FlagInnerTcpSyn: b = the SYN's TCP MSS option;
/// other ICMP / ICMPv6 packets (kind Other): aux = ICMP type, a = ICMP code;
/// non-first IP fragments (kind Fragment): a = fragment offset in bytes.
struct PacketRecord
{
    std::int64_t tsNs = 0;
    std::uint32_t flowId = 0; // index into CaptureIndex::flows (directional 5-tuple)
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    std::uint32_t frameLength = 0; // original frame length on the wire
    std::uint16_t ipLength = 0;    // outer IP datagram length (header + payload), 0 if not IP
    std::uint16_t flags = 0;       // PacketFlag bits
    std::uint16_t ipId = 0;        // low 16 bits of the IPv4 ID / IPv6 fragment ID
    PacketKind kind = PacketKind::Other;
    std::uint8_t aux = 0; // IKE exchange type; ICMP type

    [[nodiscard]] bool isEsp() const { return kind == PacketKind::Esp || kind == PacketKind::EspInUdp; }
    [[nodiscard]] bool isIke() const
    {
        return kind == PacketKind::Ike || kind == PacketKind::IkeNatT || kind == PacketKind::IkeTcp;
    }
    [[nodiscard]] std::uint32_t spi() const { return a; }
    [[nodiscard]] std::uint32_t seq() const { return b; }
};
static_assert(sizeof(PacketRecord) == 32, "PacketRecord must stay at 32 bytes");

/// Append-only storage in fixed chunks: growth never copies what is stored, so peak memory
/// stays at the data plus one chunk.
template <typename T, std::size_t ChunkShift = 16> class ChunkedVector final
{
public:
    static constexpr std::size_t ChunkSize = std::size_t(1) << ChunkShift;

    void push_back(const T &v)
    {
        if ((m_size & (ChunkSize - 1)) == 0) {
            m_chunks.emplace_back(new T[ChunkSize]);
        }
        m_chunks.back()[m_size & (ChunkSize - 1)] = v;
        ++m_size;
    }
    [[nodiscard]] const T &operator[](std::size_t i) const
    {
        return m_chunks[i >> ChunkShift][i & (ChunkSize - 1)];
    }
    [[nodiscard]] T &operator[](std::size_t i) { return m_chunks[i >> ChunkShift][i & (ChunkSize - 1)]; }
    [[nodiscard]] std::size_t size() const { return m_size; }
    [[nodiscard]] bool empty() const { return m_size == 0; }
    [[nodiscard]] std::size_t memoryBytes() const { return m_chunks.size() * ChunkSize * sizeof(T); }
    void clear()
    {
        m_chunks.clear();
        m_size = 0;
    }

    /// Calls f(const T&) for every element in order.
    template <typename F> void forEach(F &&f) const
    {
        std::size_t left = m_size;
        for (const auto &chunk : m_chunks) {
            const std::size_t n = left < ChunkSize ? left : ChunkSize;
            for (std::size_t i = 0; i < n; ++i)
                f(chunk[i]);
            left -= n;
        }
    }

private:
    std::vector<std::unique_ptr<T[]>> m_chunks;
    std::size_t m_size = 0;
};

} // namespace ikev2wb
