#pragma once
// Turns one captured frame into PacketFacts: link layer, IPv4/IPv6, UDP/TCP, ESP, ESP-in-UDP,
// IKE (UDP 500/4500, non-ESP marker, RFC 9329 TCP), NAT keepalives and ICMP errors with their
// quoted headers. Zero-copy; no allocation except when a NAT-T port float is learned.
#include "packetfacts.h"

#include <cstdint>
#include <unordered_set>

namespace ikev2wb {

/// Link types (libpcap DLT_ values) the dissector understands.
bool isSupportedLinkType(int dlt);
const char *linkTypeName(int dlt);

class Dissector final
{
public:
    explicit Dissector(int linkType);
    /// The next frames come with another link type (the next file of a capture set); what was
    /// learned so far (NAT-T endpoints) stays.
    void setLinkType(int linkType) { m_linkType = linkType; }

    /// Dissects a captured frame. `originalLength` is the length on the wire.
    [[nodiscard]] PacketFacts dissect(ByteView frame, std::uint32_t originalLength);
    /// The same for a frame of which only the leading bytesToDissect() bytes are at hand:
    /// `capturedLength` is how many the capture holds. Gives the same facts as the whole frame.
    [[nodiscard]] PacketFacts dissect(ByteView prefix, std::uint32_t originalLength,
                                      std::uint32_t capturedLength);

    /// How many leading bytes of a captured frame dissect() reads. Less than the whole frame
    /// only for the bulk of tunnel traffic: a complete, unfragmented ESP or ESP-in-UDP (port
    /// 4500) datagram, whose facts lie in its headers; anything else needs every byte (IKE
    /// payloads, fragments for reassembly, ICMP quotes, learned NAT-T ports). Lets the reading
    /// thread copy ~60 bytes of such a packet instead of all of it.
    [[nodiscard]] static std::size_t bytesToDissect(int linkType, ByteView frame,
                                                    std::uint32_t originalLength);
    /// Dissects bytes that start with an IPv4 or IPv6 header (reassembled datagrams, quoted data).
    [[nodiscard]] PacketFacts dissectIp(ByteView ip);

    /// NAT-T endpoints learned from IKE behind a non-ESP marker on ports other than 4500.
    [[nodiscard]] std::size_t learnedNatTEndpoints() const { return m_natTEndpoints.size(); }

private:
    PacketFacts dissectFrame(ByteView frame, std::uint32_t originalLength);
    void dissectIpInto(ByteView ip, std::size_t l3Offset, PacketFacts &f);
    void dissectIpv4(ByteView ip, std::size_t l3Offset, PacketFacts &f);
    void dissectIpv6(ByteView ip, std::size_t l3Offset, PacketFacts &f);
    void dissectTransport(ByteView l4, std::size_t l4Offset, PacketFacts &f);
    void dissectUdp(ByteView l4, std::size_t l4Offset, PacketFacts &f);
    void dissectTcp(ByteView l4, std::size_t l4Offset, PacketFacts &f);
    void dissectIcmp4(ByteView l4, PacketFacts &f);
    void dissectIcmp6(ByteView l4, PacketFacts &f);
    [[nodiscard]] bool isNatTEndpoint(const IpAddress &a, std::uint16_t port) const;
    void learnNatT(const PacketFacts &f);

    bool m_prefixOnly = false; // dissecting a bytesToDissect() prefix of a complete datagram
    /// dissect() reads a captured frame; false for dissectIp() (a reassembled datagram or quoted
    /// bytes: a header the reassembly rewrote), whose header checksum is not judged.
    bool m_capturedFrame = false;

    int m_linkType;
    std::unordered_set<std::uint64_t> m_natTEndpoints; // hash(address, port)
};

} // namespace ikev2wb
