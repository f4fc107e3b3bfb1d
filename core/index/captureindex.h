#pragma once
// The result of reading one capture: compact packet records plus the flow, SA, IKE message
// and ICMP tables that analyzers and views share. Never holds raw packet bytes.
#include "../capture/capturereader.h"
#include "../capture/pcapngstats.h"
#include "../dissect/ikepayloads.h"
#include "../dissect/reassembler.h"
#include "packetrecord.h"

#include <QString>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace ikev2wb {

/// A directional transport flow (src → dst, protocol, ports; ports are 0 for ESP).
struct Flow
{
    IpAddress src;
    IpAddress dst;
    std::uint16_t srcPort = 0;
    std::uint16_t dstPort = 0;
    std::uint8_t proto = 0;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0; // outer IP bytes
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    // IPv4 TTL / IPv6 hop limit seen: a host's own packets leave with the initial value (64,
    // 128, 255), a router on the way lowers it.
    std::uint8_t minTtl = 255;
    std::uint8_t maxTtl = 0;
};

enum class Encapsulation : std::uint8_t { Esp, Udp };
inline const char *encapName(Encapsulation e)
{
    return e == Encapsulation::Esp ? "esp" : "udp";
}

/// One ESP SA as seen in this capture: SPI plus the outer flow it travelled on.
struct EspSa
{
    std::uint32_t spi = 0;
    std::uint32_t flowId = 0;
    Encapsulation encap = Encapsulation::Esp;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;    // outer IP bytes
    std::uint32_t firstSeq = 0; // sequence number of the first packet seen
    std::uint32_t lastSeq = 0;  // of the last packet seen
    std::uint32_t minSeq = 0xffffffffu;
    std::uint32_t maxSeq = 0;
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    std::uint16_t maxIpLength = 0;
    std::uint64_t fragmented = 0; // packets that were outer IP fragments
};

enum class IkeTransport : std::uint8_t { Udp, UdpNatT, Tcp };
inline const char *ikeTransportName(IkeTransport t)
{
    return t == IkeTransport::Udp ? "udp" : (t == IkeTransport::UdpNatT ? "udp-natt" : "tcp");
}

/// One IKE message (IKE messages are few, so each carries its payload summary).
struct IkeMessage
{
    std::uint64_t packet = 0; // index of the packet (the last fragment if IP-reassembled)
    std::int64_t tsNs = 0;
    std::uint32_t flowId = 0;
    IkeHeader header;
    IkeTransport transport = IkeTransport::Udp;
    std::uint16_t ipLength = 0;
    std::uint16_t ipId = 0;
    std::uint8_t ttl = 0;             // IPv4 TTL / IPv6 hop limit (tells the sender's capture)
    std::uint32_t capturedLength = 0; // bytes of the IKE message present in the capture
    bool ipFragmented = false;
    bool reassembled = false; // payloads were read from the reassembled datagram
    IkePayloadSummary payloads;
    [[nodiscard]] bool complete() const { return capturedLength >= header.length; }
};

/// ICMP "fragmentation needed" / "packet too big" / other unreachable, tied to what it quotes.
struct IcmpError
{
    std::uint64_t packet = 0;
    std::int64_t tsNs = 0;
    IpAddress reporter; // who sent the ICMP error (the router with the small MTU)
    IpAddress to;       // who it was sent to
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint32_t mtu = 0;
    PacketFacts::Quoted quoted;
    bool quotesEsp = false;
};

struct CaptureWarning
{
    std::int64_t packet = -1; // 0-based packet index, -1 for the file as a whole
    QString message;
};

/// Everything one pass over a capture produced.
struct CaptureIndex
{
    CaptureFileInfo file;
    ChunkedVector<PacketRecord> packets;
    std::vector<Flow> flows;
    std::vector<EspSa> espSas;
    std::vector<IkeMessage> ikeMessages;
    std::vector<IcmpError> icmpErrors;
    std::vector<FragmentedDatagram> fragmentedDatagrams;
    std::array<std::uint64_t, std::size_t(PacketKind::Count_)> kindCounts{};
    std::uint64_t snapTruncated = 0;
    std::uint64_t malformed = 0;
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    std::vector<CaptureWarning> warnings;
    std::uint64_t warningsSuppressed = 0; // warnings beyond the kept ones
    bool partial = false;                 // the read stopped early (truncated file or cancel)
    bool cancelled = false;
    /// The capturing machine's own drop counters (pcapng Interface Statistics Blocks); no value
    /// for pcap files and pcapng files without them.
    std::optional<CaptureDrops> captureDrops;

    [[nodiscard]] std::uint64_t count(PacketKind k) const { return kindCounts[std::size_t(k)]; }
    [[nodiscard]] std::size_t packetCount() const { return packets.size(); }
};

} // namespace ikev2wb
