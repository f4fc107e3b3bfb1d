#pragma once
// The per-packet record every analyzer and view shares, and the store that keeps millions of
// them in 24 bytes each, in chunks (no reallocation spikes).
#include "../dissect/packetfacts.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace ikev2wb {

/// One packet as every reader sees it, decoded by PacketStore from the 24 bytes it keeps.
/// Field meaning of `a`/`b` depends on `kind`:
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

/// How PacketStore keeps a PacketRecord: 24 bytes. Three fields are narrowed, each with a
/// sentinel meaning "the value is in the store's exception table for this packet":
/// - the timestamp as a 40-bit offset from the first timestamp of its block of 1024 packets
///   (biased by 2^39: about ±9 minutes around it), so a block that spans more (under one packet
///   per second) or a clock that jumps puts only the packets that do not fit in the table;
/// - the flow id in 24 bits (all ones: no flow, kNoFlow); 16.7M flows and beyond in the table;
/// - the frame length as what the frame holds beyond the outer IP datagram (link header,
///   padding; the whole frame when not IP), up to 254 bytes; longer frames (non-IP over 254
///   bytes, reassembled datagrams whose IP length exceeds the frame) in the table.
/// Kind (4 bits) and the 12 PacketFlag bits share 16 bits; the rest is kept whole.
struct PackedRecord
{
    std::uint64_t tsFlow; // bits 0..39: timestamp offset, 40..63: flow id
    std::uint32_t a;
    std::uint32_t b;
    std::uint16_t ipLength;
    std::uint16_t ipId;
    std::uint16_t kindFlags; // kind << 12 | flags
    std::uint8_t aux;
    std::uint8_t frameBeyondIp;
};
static_assert(sizeof(PackedRecord) == 24, "PackedRecord must stay at 24 bytes");
static_assert(std::size_t(PacketKind::Count_) <= 16, "PackedRecord keeps the kind in 4 bits");
static_assert(FlagTimeBackwards < (1u << 12), "PackedRecord keeps 12 flag bits");

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

/// The packets of a capture: PackedRecords in 64 Ki-record chunks, one base timestamp per
/// 1024 packets, and the exception tables (packet index order) for the values a PackedRecord
/// cannot hold. Append-only; reads decode a PacketRecord.
class PacketStore final
{
public:
    static constexpr std::size_t BlockShift = 10; // packets per timestamp base: 1024

    void push_back(const PacketRecord &r)
    {
        const std::uint64_t i = m_records.size();
        if ((i & ((std::uint64_t(1) << BlockShift) - 1)) == 0) m_tsBase.push_back(r.tsNs);
        // Unsigned: wraps for times 2^63 ns apart, and adding it back below restores the value.
        std::uint64_t offset = std::uint64_t(r.tsNs) - std::uint64_t(m_tsBase.back()) + kTsBias;
        if (offset >= kTsInTable) {
            offset = kTsInTable;
            m_tsTable.push_back({i, std::uint64_t(r.tsNs)});
        }
        std::uint64_t flow = r.flowId;
        if (flow == 0xffffffffu) {
            flow = kFlowNone;
        } else if (flow >= kFlowInTable) {
            flow = kFlowInTable;
            m_flowTable.push_back({i, r.flowId});
        }
        std::uint32_t beyond = r.frameLength - r.ipLength;
        if (r.frameLength < r.ipLength || beyond >= kFrameInTable) {
            beyond = kFrameInTable;
            m_frameTable.push_back({i, r.frameLength});
        }
        PackedRecord p;
        p.tsFlow = offset | flow << 40;
        p.a = r.a;
        p.b = r.b;
        p.ipLength = r.ipLength;
        p.ipId = r.ipId;
        p.kindFlags = std::uint16_t(unsigned(r.kind) << 12 | (r.flags & 0xfffu));
        p.aux = r.aux;
        p.frameBeyondIp = std::uint8_t(beyond);
        m_records.push_back(p);
    }
    [[nodiscard]] PacketRecord operator[](std::size_t i) const
    {
        return decode(m_records[i], i, [i](const std::vector<Exception> &table) { return lookUp(table, i); });
    }
    [[nodiscard]] std::size_t size() const { return m_records.size(); }
    [[nodiscard]] bool empty() const { return m_records.empty(); }
    /// Bytes held: the chunks, the bases and the exception tables (their capacity).
    [[nodiscard]] std::size_t memoryBytes() const
    {
        return m_records.memoryBytes() + m_tsBase.capacity() * sizeof(std::int64_t) +
               (m_tsTable.capacity() + m_flowTable.capacity() + m_frameTable.capacity()) * sizeof(Exception);
    }
    /// Packets with a value in an exception table (each table counts once per packet in it).
    [[nodiscard]] std::size_t exceptions() const
    {
        return m_tsTable.size() + m_flowTable.size() + m_frameTable.size();
    }
    void clear()
    {
        m_records.clear();
        m_tsBase.clear();
        m_tsTable.clear();
        m_flowTable.clear();
        m_frameTable.clear();
    }

    /// Calls f(const PacketRecord &) for every packet in order.
    template <typename F> void forEach(F &&f) const
    {
        // In order: each table is walked once instead of searched per packet.
        std::size_t next[3] = {0, 0, 0}; // in m_tsTable, m_flowTable, m_frameTable
        const auto fromTable = [&](const std::vector<Exception> &table) {
            std::size_t &k = next[&table == &m_tsTable ? 0 : &table == &m_flowTable ? 1 : 2];
            return table[k++].value;
        };
        std::size_t i = 0;
        m_records.forEach([&](const PackedRecord &p) {
            const PacketRecord r = decode(p, i++, fromTable);
            f(r);
        });
    }

private:
    struct Exception
    {
        std::uint64_t packet;
        std::uint64_t value;
    };
    static constexpr std::uint64_t kTsMask = (std::uint64_t(1) << 40) - 1;
    static constexpr std::uint64_t kTsInTable = kTsMask;
    static constexpr std::uint64_t kTsBias = std::uint64_t(1) << 39;
    static constexpr std::uint64_t kFlowNone = 0xffffff;
    static constexpr std::uint64_t kFlowInTable = 0xfffffe;
    static constexpr std::uint32_t kFrameInTable = 0xff;

    /// `fromTable(table)`: the value `table` holds for packet i (present when the field says so).
    template <typename FromTable>
    PacketRecord decode(const PackedRecord &p, std::size_t i, const FromTable &fromTable) const
    {
        PacketRecord r;
        r.a = p.a;
        r.b = p.b;
        r.ipLength = p.ipLength;
        r.ipId = p.ipId;
        r.flags = std::uint16_t(p.kindFlags & 0xfffu);
        r.kind = PacketKind(p.kindFlags >> 12);
        r.aux = p.aux;
        const std::uint64_t offset = p.tsFlow & kTsMask;
        r.tsNs = offset == kTsInTable
                     ? std::int64_t(fromTable(m_tsTable))
                     : std::int64_t(std::uint64_t(m_tsBase[i >> BlockShift]) + offset - kTsBias);
        const std::uint64_t flow = p.tsFlow >> 40;
        r.flowId = flow == kFlowNone      ? 0xffffffffu
                   : flow == kFlowInTable ? std::uint32_t(fromTable(m_flowTable))
                                          : std::uint32_t(flow);
        r.frameLength = p.frameBeyondIp == kFrameInTable ? std::uint32_t(fromTable(m_frameTable))
                                                         : std::uint32_t(r.ipLength) + p.frameBeyondIp;
        return r;
    }
    static std::uint64_t lookUp(const std::vector<Exception> &table, std::size_t i)
    {
        const auto it = std::lower_bound(table.begin(), table.end(), std::uint64_t(i),
                                         [](const Exception &e, std::uint64_t k) { return e.packet < k; });
        return it->value; // push_back put every sentinel's value in its table
    }

    ChunkedVector<PackedRecord> m_records;
    std::vector<std::int64_t> m_tsBase;  // the first timestamp of each block of 1024 packets
    std::vector<Exception> m_tsTable;    // timestamps (as uint64) more than ~9 min from their base
    std::vector<Exception> m_flowTable;  // flow ids from 0xfffffe on
    std::vector<Exception> m_frameTable; // frame lengths below the IP length or 255+ beyond it
};

} // namespace ikev2wb
