#pragma once
// What the dissector learns about one captured packet. A plain value filled on the stack for
// every packet; it holds no pointers into the packet except the IKE message view, which is
// valid only while the packet's bytes are.
#include "../util/bytes.h"
#include "ipaddress.h"

#include <cstdint>

namespace ikev2wb {

/// The IPsec-relevant classification of a packet.
enum class PacketKind : std::uint8_t {
    Other = 0,       // IP traffic that is none of the below (e.g. decrypted inner packets)
    Esp,             // ESP on IP protocol 50
    EspInUdp,        // RFC 3948 ESP-in-UDP
    Ike,             // IKE on UDP 500 (or another port without a non-ESP marker)
    IkeNatT,         // IKE behind the 4-byte non-ESP marker (UDP 4500 or floated port)
    IkeTcp,          // RFC 9329 IKE over TCP (stream prefix or framed message)
    NatKeepalive,    // single 0xFF byte on a NAT-T port
    IcmpNeedFrag,    // ICMPv4 type 3 code 4
    Icmp6TooBig,     // ICMPv6 type 2
    IcmpUnreachable, // other ICMPv4/ICMPv6 destination unreachable
    Fragment,        // a non-first IP fragment (its transport header is in another fragment)
    NonIp,           // ARP, LLDP, ... or an unsupported ethertype
    Malformed,       // could not be dissected far enough to classify
    OutOfScope,      // outside the tunnel a read was scoped to (TunnelScope): counted, not analysed
    Count_
};
const char *packetKindName(PacketKind kind);

/// Bits for PacketFacts::flags and PacketRecord::flags.
enum PacketFlag : std::uint16_t {
    FlagIpv6 = 1u << 0,
    FlagDontFragment = 1u << 1,
    FlagMoreFragments = 1u << 2, // MF set (IPv4) or M bit (IPv6 fragment header)
    FlagFragment = 1u << 3,      // part of a fragmented datagram (first or later)
    FlagSnapTruncated = 1u << 4, // caplen < original length
    FlagMalformed = 1u << 5,     // a header was inconsistent; see PacketFacts::warning
    FlagIkeResponse = 1u << 6,
    FlagIkeInitiator = 1u << 7,
    FlagInnerTcpSyn = 1u << 8,  // a visible inner/plain TCP SYN carrying an MSS option
    FlagQuotedEsp = 1u << 9,    // ICMP error quoting an ESP / ESP-in-UDP packet
    FlagReassembled = 1u << 10, // facts come from a reassembled datagram
    // Set by the index, not the dissector: the timestamp is earlier than the previous packet's
    // in file order (a merged capture, a clock stepped back).
    FlagTimeBackwards = 1u << 11,
    // The IP header was corrupted on the way (a wrong IPv4 checksum after a router): the packet
    // is Malformed, and its receiver's kernel drops it.
    FlagCorruptHeader = 1u << 12,
};

/// A parsed IKE header (RFC 7296 §3.1; IKEv1 shares the layout).
struct IkeHeader
{
    std::uint64_t initiatorSpi = 0;
    std::uint64_t responderSpi = 0;
    std::uint32_t messageId = 0;
    std::uint32_t length = 0;
    std::uint8_t nextPayload = 0;
    std::uint8_t version = 0; // raw octet: 0x20 = IKEv2, 0x10 = IKEv1
    std::uint8_t exchange = 0;
    std::uint8_t flags = 0;
    [[nodiscard]] int majorVersion() const { return version >> 4; }
    [[nodiscard]] bool isResponse() const { return majorVersion() == 2 ? (flags & 0x20) != 0 : false; }
    [[nodiscard]] bool isInitiator() const { return (flags & 0x08) != 0; }
};

/// Everything the dissector extracted from one packet.
struct PacketFacts
{
    PacketKind kind = PacketKind::NonIp;
    std::uint16_t flags = 0;
    const char *warning = nullptr; // static string naming the first problem found, or nullptr

    // Outer IP
    std::uint8_t ipVersion = 0;
    IpAddress src;
    IpAddress dst;
    std::uint8_t ipProto = 0; // final protocol after IPv6 extension headers
    std::uint8_t ttl = 0;
    std::uint32_t ipId = 0;       // IPv4 ID or IPv6 fragment identification
    std::uint32_t ipTotalLen = 0; // IP datagram length from the header
    std::uint16_t fragOffset = 0; // in bytes
    std::uint16_t l3Offset = 0;   // offset of the IP header in the captured bytes
    std::uint16_t l4Offset = 0;   // offset of the transport header

    // Transport
    std::uint16_t srcPort = 0;
    std::uint16_t dstPort = 0;
    std::uint16_t tcpMss = 0; // MSS option of a TCP SYN, 0 if none

    // ESP (also for ESP-in-UDP)
    std::uint32_t spi = 0;
    std::uint32_t seq = 0;
    std::uint32_t espLen = 0; // ESP header + payload + ICV as on the wire

    // IKE
    IkeHeader ike;
    ByteView ikeMessage; // the IKE message (header onwards) as captured

    // ICMP errors
    std::uint8_t icmpType = 0;
    std::uint8_t icmpCode = 0;
    std::uint32_t mtu = 0; // next-hop MTU (type 3 code 4) or PTB MTU
    struct Quoted
    {
        bool present = false;
        IpAddress src;
        IpAddress dst;
        std::uint8_t proto = 0;
        std::uint16_t srcPort = 0;
        std::uint16_t dstPort = 0;
        std::uint32_t spi = 0;
        std::uint32_t seq = 0;
        std::uint32_t totalLen = 0; // IP length of the packet that did not fit
        bool df = false;
        bool mf = false;              // IPv4 MF of the quoted header
        std::uint16_t ipId = 0;       // IPv4 identification of the quoted header
        std::uint16_t fragOffset = 0; // IPv4 fragment offset of the quoted header, in bytes
        std::uint8_t icmpType = 0;    // when the quoted packet is ICMP/ICMPv6 (proto 1/58)
        std::uint8_t icmpCode = 0;
    } quoted;
};

} // namespace ikev2wb
