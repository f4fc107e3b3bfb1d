#pragma once
// IPv4/IPv6 fragment reassembly with bounded memory and a timeout on capture time. Used for
// fragmented IKE messages (large IKE_AUTH with certificates) and to tell whether every fragment
// of an outer ESP datagram arrived.
#include "packetfacts.h"

#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

namespace ikev2wb {

/// One datagram the reassembler gave up on or completed.
struct FragmentedDatagram
{
    enum class Outcome : std::uint8_t { Complete, Timeout, MemoryLimit, EndOfCapture, SnapTruncated };
    std::uint64_t firstPacket = 0; // index of the first fragment seen
    std::uint64_t lastPacket = 0;
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    IpAddress src;
    IpAddress dst;
    std::uint32_t id = 0;
    std::uint8_t proto = 0;        // transport protocol (from the first fragment, if seen)
    std::uint16_t fragments = 0;   // fragments seen
    std::uint32_t bytesSeen = 0;   // payload bytes held
    std::uint32_t totalLength = 0; // payload length once the last fragment was seen, else 0
    bool haveFirst = false;
    bool haveLast = false;
    Outcome outcome = Outcome::Complete;
};
const char *outcomeName(FragmentedDatagram::Outcome o);

class Reassembler final
{
public:
    struct Limits
    {
        std::size_t maxBytes = 16u << 20;          // payload bytes held across all datagrams
        std::size_t maxDatagrams = 4096;           // datagrams in progress
        std::int64_t timeoutNs = 30'000'000'000LL; // Linux ipfrag_time default
    };
    Reassembler() = default;
    explicit Reassembler(Limits limits) : m_limits(limits) {}

    /// Feeds a fragment (facts.flags has FlagFragment). `ip` starts at the IP header.
    /// When this completes a datagram, returns true and fills `datagram` with a rebuilt IP
    /// packet (header without fragmentation fields, then the whole payload).
    bool add(const PacketFacts &facts, ByteView ip, std::uint64_t packetIndex, std::int64_t tsNs,
             std::vector<std::uint8_t> &datagram);
    /// Gives up on everything still pending (end of capture).
    void flush();

    /// Datagrams finished (completed or abandoned), in the order they finished.
    [[nodiscard]] const std::vector<FragmentedDatagram> &finished() const { return m_finished; }
    [[nodiscard]] std::size_t pending() const { return m_pending.size(); }

private:
    struct Key
    {
        IpAddress src;
        IpAddress dst;
        std::uint32_t id;
        std::uint8_t proto; // IPv4 protocol field; 0 for IPv6 (the id is 32-bit there)
        bool operator==(const Key &) const = default;
    };
    struct KeyHash
    {
        std::size_t operator()(const Key &k) const noexcept
        {
            std::uint64_t h = std::hash<IpAddress>{}(k.src) ^ (std::hash<IpAddress>{}(k.dst) * 31);
            return hashBytes(&k.id, sizeof k.id, h) ^ k.proto;
        }
    };
    struct Piece
    {
        std::uint32_t offset;
        std::vector<std::uint8_t> bytes;
    };
    struct Pending
    {
        FragmentedDatagram info;
        std::vector<std::uint8_t> header; // IP header of the first fragment (unfragmentable part)
        std::vector<Piece> pieces;
        bool truncated = false;
        std::list<Key>::iterator age;
    };
    void finish(std::unordered_map<Key, Pending, KeyHash>::iterator it, FragmentedDatagram::Outcome outcome);
    void expire(std::int64_t nowNs);

    Limits m_limits;
    std::unordered_map<Key, Pending, KeyHash> m_pending;
    std::list<Key> m_order; // oldest first
    std::size_t m_bytes = 0;
    std::vector<FragmentedDatagram> m_finished;
};

} // namespace ikev2wb
