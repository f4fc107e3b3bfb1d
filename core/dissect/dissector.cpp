#include "dissector.h"

#include "ikepayloads.h"

#include <pcap/dlt.h>

#include <algorithm>
#include <cstring>

namespace ikev2wb {

namespace {

constexpr std::uint16_t kIkePort = 500;
constexpr std::uint16_t kNatTPort = 4500;

// DLT_RAW is 12 on most systems and 14 on OpenBSD; LINKTYPE_RAW (101) is mapped by libpcap.
constexpr int kDltRawAlt = 14;

void malformed(PacketFacts &f, const char *why)
{
    f.flags |= FlagMalformed;
    if (!f.warning) f.warning = why;
}

/// RFC 791/1071: the one's complement sum of the header's 16-bit words, checksum included, is
/// all ones when the header is intact. Summed 32 bits at a time in the machine's byte order and
/// folded: the one's complement sum does not depend on byte order or on how the words are
/// grouped (RFC 1071 §2 (A), (B)), and the header's length is a multiple of 4.
[[gnu::always_inline]] inline bool ipv4HeaderChecksumOk(const std::uint8_t *h, std::size_t ihl)
{
    // The 20-byte header of nearly every packet as five loads (the loop below is not unrolled).
    std::uint32_t w[5];
    std::memcpy(w, h, sizeof w);
    std::uint64_t sum = std::uint64_t(w[0]) + w[1] + w[2] + w[3] + w[4];
    for (std::size_t i = 20; i + 3 < ihl; i += 4) {
        std::uint32_t o;
        std::memcpy(&o, h + i, 4);
        sum += o;
    }
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    return sum == 0xffffu;
}

/// An IPv4 header (`ihl` bytes at `h`, present) corrupted on the way: the kernel that receives it
/// drops it (ip_rcv checks the header checksum). Taken at face value it would make a flow or an
/// ESP SA of corrupted addresses, or a 17884-byte "packet" on a 1500-byte link from a flipped
/// length bit. Judged only after a router: it lowered the TTL and rewrote the checksum, so the
/// header must sum up; a packet with an initial TTL (64, 128, 255) may come from the capturing
/// host itself, whose NIC fills the checksum in after the capture saw it (offload). A checksum
/// field of 0 is one never filled in (a FreeBSD gateway leaves the checksum of forwarded packets
/// to its NIC, and its capture sees 0): not judged. A total length beyond the frame alone is no
/// proof: a slicing tap or packet broker records the cut length as the wire length.
[[gnu::always_inline]] inline bool ipv4HeaderCorrupted(const std::uint8_t *h, std::size_t ihl)
{
    const std::uint8_t ttl = h[8];
    return ttl != 64 && ttl != 128 && ttl != 255 && (h[10] | h[11]) != 0 && !ipv4HeaderChecksumOk(h, ihl);
}

std::uint64_t endpointKey(const IpAddress &a, std::uint16_t port)
{
    return hashBytes(&port, sizeof port, std::hash<IpAddress>{}(a));
}

/// Parses the header of the packet quoted inside an ICMP error (as much as is there).
void parseQuoted(ByteView q, PacketFacts &f)
{
    auto &qt = f.quoted;
    const auto v = q.u8(0);
    if (!v) return;
    std::size_t l4 = 0;
    if ((*v >> 4) == 4) {
        if (!q.has(0, 20)) return;
        const std::size_t ihl = std::size_t(*v & 0x0f) * 4;
        if (ihl < 20) return;
        qt.present = true;
        qt.totalLen = *q.u16(2);
        qt.df = (*q.u16(6) & 0x4000) != 0;
        qt.mf = (*q.u16(6) & 0x2000) != 0;
        qt.ipId = *q.u16(4);
        qt.fragOffset = static_cast<std::uint16_t>((*q.u16(6) & 0x1fff) * 8);
        qt.proto = *q.u8(9);
        qt.src = IpAddress::fromV4(q.data() + 12);
        qt.dst = IpAddress::fromV4(q.data() + 16);
        if ((*q.u16(6) & 0x1fff) != 0) return; // a non-first fragment quotes no transport header
        l4 = ihl;
    } else if ((*v >> 4) == 6) {
        if (!q.has(0, 40)) return;
        qt.present = true;
        qt.totalLen = 40u + *q.u16(4);
        qt.src = IpAddress::fromV6(q.data() + 8);
        qt.dst = IpAddress::fromV6(q.data() + 24);
        std::uint8_t nh = *q.u8(6);
        l4 = 40;
        for (int guard = 0; guard < 8; ++guard) {
            if (nh == 0 || nh == 43 || nh == 60) {
                const auto next = q.u8(l4);
                const auto len = q.u8(l4 + 1);
                if (!next || !len) return;
                nh = *next;
                l4 += (std::size_t(*len) + 1) * 8;
            } else if (nh == 44) {
                const auto next = q.u8(l4);
                const auto off = q.u16(l4 + 2);
                if (!next || !off) return;
                nh = *next;
                l4 += 8;
                if ((*off & 0xfff8) != 0) {
                    qt.proto = nh;
                    return;
                }
            } else {
                break;
            }
        }
        qt.proto = nh;
    } else {
        return;
    }
    if (qt.proto == 50) {
        if (auto spi = q.u32(l4)) qt.spi = *spi;
        if (auto seq = q.u32(l4 + 4)) qt.seq = *seq;
        f.flags |= FlagQuotedEsp;
    } else if (qt.proto == 17 || qt.proto == 6) {
        if (auto sp = q.u16(l4)) qt.srcPort = *sp;
        if (auto dp = q.u16(l4 + 2)) qt.dstPort = *dp;
        if (qt.proto == 17 && (qt.srcPort == kNatTPort || qt.dstPort == kNatTPort)) {
            // ESP-in-UDP: a non-zero first word after the UDP header is an SPI.
            const auto spi = q.u32(l4 + 8);
            if (spi && *spi != 0) {
                qt.spi = *spi;
                if (auto seq = q.u32(l4 + 12)) qt.seq = *seq;
                f.flags |= FlagQuotedEsp;
            }
        }
    } else if (qt.proto == 1 || qt.proto == 58) {
        if (auto t = q.u8(l4)) qt.icmpType = *t;
        if (auto c = q.u8(l4 + 1)) qt.icmpCode = *c;
    }
}

/// The bulk of tunnel traffic read in one go: an IPv4 datagram with a 20-byte header, not a
/// fragment, carrying ESP, or ESP-in-UDP to or from port 4500. Fills `f` as dissectIpInto() does
/// and returns true only where each of dissectIpv4's, dissectTransport's and dissectUdp's checks
/// would pass without a warning, with plain loads after the one length check that covers them
/// (the general path checks each field's bytes on its own, a third of the dissector's work per
/// packet). Everything else returns false untouched for the general path: IP options,
/// fragments (MF or an offset), SPI 0, a zero marker (IKE), a keepalive, a datagram shorter than
/// its headers, a total length beyond the captured bytes (a warning unless the frame is
/// snap-truncated or a bytesToDissect() prefix), other ports (learned NAT-T floats), a header
/// corrupted on the way.
[[gnu::always_inline]] inline bool tunnelIpv4(ByteView ip, std::size_t l3Offset, bool lengthUnknown,
                                              PacketFacts &f)
{
    const std::uint8_t *d = ip.data();
    const auto be16 = [d](std::size_t o) { return std::uint16_t((d[o] << 8) | d[o + 1]); };
    const auto be32 = [d](std::size_t o) {
        return std::uint32_t(d[o]) << 24 | std::uint32_t(d[o + 1]) << 16 | std::uint32_t(d[o + 2]) << 8 |
               d[o + 3];
    };
    constexpr std::size_t kIhl = 20;
    if (ip.size() < kIhl + 8 || d[0] != 0x45) return false; // version 4, header length 20
    const std::uint16_t total = be16(2);
    const std::uint16_t fragField = be16(6);
    if ((fragField & 0x3fff) != 0) return false; // MF or a fragment offset
    if (total > ip.size() && !lengthUnknown) return false;
    // A header corrupted on the way: dissectIpv4 makes it Malformed.
    if (ipv4HeaderCorrupted(d, kIhl)) return false;
    const std::size_t datagram = std::min<std::size_t>(total, ip.size()); // the bytes dissectIpv4 reads
    const std::uint8_t proto = d[9];
    if (proto == 50) {
        // dissectTransport: the SPI and the sequence number present, the SPI not 0.
        if (datagram < kIhl + 8 || be32(kIhl) == 0) return false;
        f.kind = PacketKind::Esp;
        f.spi = be32(kIhl);
        f.seq = be32(kIhl + 4);
        f.espLen = std::uint32_t(total) - kIhl; // total >= datagram >= 28
    } else if (proto == 17) {
        // dissectUdp on a NAT-T port: the UDP header, a UDP length of at least 16 (a payload
        // of 8 bytes or more: not a keepalive's 1), its first 8 bytes present, a non-zero SPI.
        const std::uint16_t srcPort = be16(kIhl), dstPort = be16(kIhl + 2), udpLen = be16(kIhl + 4);
        if (datagram < kIhl + 16 || (srcPort != kNatTPort && dstPort != kNatTPort) || udpLen < 16 ||
            be32(kIhl + 8) == 0)
            return false;
        f.kind = PacketKind::EspInUdp;
        f.srcPort = srcPort;
        f.dstPort = dstPort;
        f.spi = be32(kIhl + 8);
        f.seq = be32(kIhl + 12);
        f.espLen = std::uint32_t(udpLen) - 8;
    } else {
        return false;
    }
    f.l3Offset = static_cast<std::uint16_t>(l3Offset);
    f.l4Offset = static_cast<std::uint16_t>(l3Offset + kIhl);
    f.ipVersion = 4;
    f.ipId = be16(4);
    f.ttl = d[8];
    f.ipProto = proto;
    f.src = IpAddress::fromV4(d + 12);
    f.dst = IpAddress::fromV4(d + 16);
    f.ipTotalLen = total;
    if (fragField & 0x4000) f.flags |= FlagDontFragment;
    return true;
}

} // namespace

bool isSupportedLinkType(int dlt)
{
    switch (dlt) {
    case DLT_NULL:
    case DLT_EN10MB:
    case DLT_RAW:
    case kDltRawAlt:
    case DLT_LOOP:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_IPV4:
    case DLT_IPV6:
        return true;
    default:
        return false;
    }
}

const char *linkTypeName(int dlt)
{
    switch (dlt) {
    case DLT_NULL:
        return "BSD loopback (NULL)";
    case DLT_EN10MB:
        return "Ethernet";
    case DLT_RAW:
    case kDltRawAlt:
        return "raw IP";
    case DLT_LOOP:
        return "OpenBSD loopback";
    case DLT_LINUX_SLL:
        return "Linux cooked (SLL)";
    case DLT_LINUX_SLL2:
        return "Linux cooked v2 (SLL2)";
    case DLT_IPV4:
        return "raw IPv4";
    case DLT_IPV6:
        return "raw IPv6";
    default:
        return "unsupported";
    }
}

Dissector::Dissector(int linkType) : m_linkType(linkType) {}

std::size_t Dissector::bytesToDissect(int linkType, ByteView frame, std::uint32_t originalLength)
{
    // Runs on the reading thread for every packet, so plain loads after explicit length checks
    // (the same decisions as dissect(), which is what tst_robustness compares).
    const std::size_t all = frame.size();
    if (originalLength != all) return all;
    const std::uint8_t *d = frame.data();
    auto be16 = [d](std::size_t o) { return std::uint16_t((d[o] << 8) | d[o + 1]); };
    std::size_t l3 = 0;
    std::uint16_t ethertype = 0;
    switch (linkType) {
    case DLT_EN10MB: {
        if (all < 14) return all;
        ethertype = be16(12);
        l3 = 14;
        for (int tags = 0; tags < 4 && (ethertype == 0x8100 || ethertype == 0x88a8 || ethertype == 0x9100);
             ++tags) {
            if (all < l3 + 4) return all;
            ethertype = be16(l3 + 2);
            l3 += 4;
        }
        break;
    }
    case DLT_LINUX_SLL:
        if (all < 16) return all;
        ethertype = be16(14);
        l3 = 16;
        break;
    case DLT_LINUX_SLL2:
        if (all < 20) return all;
        ethertype = be16(0);
        l3 = 20;
        break;
    case DLT_RAW:
    case kDltRawAlt:
    case DLT_IPV4:
    case DLT_IPV6:
        if (all < 1) return all;
        ethertype = (d[0] >> 4) == 6 ? 0x86dd : ((d[0] >> 4) == 4 ? 0x0800 : 0);
        break;
    default:
        return all;
    }
    std::size_t l4 = 0;
    std::uint8_t proto = 0;
    if (ethertype == 0x0800) {
        if (all < l3 + 20 || (d[l3] >> 4) != 4) return all;
        const std::size_t ihl = std::size_t(d[l3] & 0x0f) * 4;
        const std::uint16_t total = be16(l3 + 2);
        if (ihl < 20 || total < ihl || l3 + total > all || (be16(l3 + 6) & 0x3fff) != 0) return all;
        proto = d[l3 + 9];
        l4 = l3 + ihl;
    } else if (ethertype == 0x86dd) {
        if (all < l3 + 40 || (d[l3] >> 4) != 6 || l3 + 40 + be16(l3 + 4) > all) return all;
        proto = d[l3 + 6];
        l4 = l3 + 40;
    } else {
        return all;
    }
    if (proto == 50) return all < l4 + 8 ? all : l4 + 8; // SPI, sequence number
    // ESP-in-UDP on 4500 with at least an SPI and a sequence number; a zero marker is IKE.
    if (proto != 17 || all < l4 + 16) return all;
    const std::uint16_t sp = be16(l4), dp = be16(l4 + 2);
    if ((sp != kNatTPort && dp != kNatTPort) || be16(l4 + 4) < 16) return all;
    if (d[l4 + 8] == 0 && d[l4 + 9] == 0 && d[l4 + 10] == 0 && d[l4 + 11] == 0) return all;
    return l4 + 16;
}

// Both dissect()s in one body, inline: the reading thread's per-packet call is one call, not a
// wrapper's call of the other (−10 instructions a packet, callgrind). tunnelIpv4() is forced
// inline too: with this body in two places GCC put it out of line (+10 a packet).
[[gnu::always_inline]] inline PacketFacts Dissector::dissectFrame(ByteView frame,
                                                                  std::uint32_t originalLength)
{
    PacketFacts f;
    m_capturedFrame = true;
    if (originalLength > frame.size()) f.flags |= FlagSnapTruncated;

    std::size_t l3 = 0;
    std::uint16_t ethertype = 0;
    bool byVersion = false; // network protocol given by the IP version nibble

    switch (m_linkType) {
    case DLT_EN10MB: {
        auto et = frame.u16(12);
        if (!et) {
            malformed(f, "Ethernet header truncated");
            f.kind = PacketKind::Malformed;
            return f;
        }
        l3 = 14;
        // 802.1Q, 802.1ad (QinQ) and the old 0x9100 tag; a few levels at most.
        for (int tags = 0; tags < 4 && (*et == 0x8100 || *et == 0x88a8 || *et == 0x9100); ++tags) {
            et = frame.u16(l3 + 2);
            if (!et) {
                malformed(f, "VLAN tag truncated");
                f.kind = PacketKind::Malformed;
                return f;
            }
            l3 += 4;
        }
        ethertype = *et;
        break;
    }
    case DLT_LINUX_SLL: {
        const auto et = frame.u16(14);
        if (!et) {
            malformed(f, "Linux cooked header truncated");
            f.kind = PacketKind::Malformed;
            return f;
        }
        ethertype = *et;
        l3 = 16;
        break;
    }
    case DLT_LINUX_SLL2: {
        const auto et = frame.u16(0);
        if (!frame.has(0, 20) || !et) {
            malformed(f, "Linux cooked v2 header truncated");
            f.kind = PacketKind::Malformed;
            return f;
        }
        ethertype = *et;
        l3 = 20;
        break;
    }
    case DLT_NULL:
    case DLT_LOOP: {
        const auto be = frame.u32(0);
        if (!be) {
            malformed(f, "loopback header truncated");
            f.kind = PacketKind::Malformed;
            return f;
        }
        // DLT_NULL stores the family in the writer's byte order; DLT_LOOP in network order.
        std::uint32_t family = *be;
        if (m_linkType == DLT_NULL && (family & 0xffff) == 0) family = *frame.u32le(0);
        l3 = 4;
        if (family == 2)
            ethertype = 0x0800;
        else if (family == 10 || family == 24 || family == 28 || family == 30)
            ethertype = 0x86dd;
        else
            byVersion = true;
        break;
    }
    default: // raw IP flavours
        byVersion = true;
        break;
    }

    if (byVersion) {
        const auto v = frame.u8(l3);
        if (!v) {
            malformed(f, "empty packet");
            f.kind = PacketKind::Malformed;
            return f;
        }
        ethertype = (*v >> 4) == 6 ? 0x86dd : ((*v >> 4) == 4 ? 0x0800 : 0);
    }
    if (ethertype != 0x0800 && ethertype != 0x86dd) {
        f.kind = PacketKind::NonIp;
        return f;
    }
    // Only a datagram that reaches dissectIpv4 (ethertype 0x0800 or version 4 by the nibble);
    // the general path would warn about an IP length beyond the frame unless it is truncated on
    // purpose (snap length, a bytesToDissect() prefix).
    if (ethertype == 0x0800 &&
        tunnelIpv4(frame.from(l3), l3, (f.flags & FlagSnapTruncated) != 0 || m_prefixOnly, f))
        return f;
    dissectIpInto(frame.from(l3), l3, f);
    return f;
}

PacketFacts Dissector::dissect(ByteView frame, std::uint32_t originalLength)
{
    return dissectFrame(frame, originalLength);
}

PacketFacts Dissector::dissect(ByteView prefix, std::uint32_t originalLength, std::uint32_t capturedLength)
{
    // bytesToDissect() chose a prefix only for a complete datagram, so the checks of the IP
    // length against the captured bytes, which the prefix cannot answer, would pass.
    const bool prefixOnly = prefix.size() < capturedLength;
    m_prefixOnly = prefixOnly;
    PacketFacts f = dissectFrame(prefix, originalLength);
    m_prefixOnly = false;
    if (prefixOnly && originalLength <= capturedLength) f.flags &= std::uint16_t(~FlagSnapTruncated);
    return f;
}

PacketFacts Dissector::dissectIp(ByteView ip)
{
    PacketFacts f;
    m_capturedFrame = false;
    dissectIpInto(ip, 0, f);
    return f;
}

void Dissector::dissectIpInto(ByteView ip, std::size_t l3Offset, PacketFacts &f)
{
    f.l3Offset = static_cast<std::uint16_t>(l3Offset);
    const auto v = ip.u8(0);
    if (!v) {
        f.kind = PacketKind::Malformed;
        malformed(f, "IP header missing");
        return;
    }
    if ((*v >> 4) == 4)
        dissectIpv4(ip, l3Offset, f);
    else if ((*v >> 4) == 6)
        dissectIpv6(ip, l3Offset, f);
    else {
        f.kind = PacketKind::Malformed;
        malformed(f, "IP version is neither 4 nor 6");
    }
}

void Dissector::dissectIpv4(ByteView ip, std::size_t l3Offset, PacketFacts &f)
{
    f.ipVersion = 4;
    if (!ip.has(0, 20)) {
        f.kind = PacketKind::Malformed;
        malformed(f, "IPv4 header truncated");
        return;
    }
    const std::size_t ihl = std::size_t(*ip.u8(0) & 0x0f) * 4;
    const std::uint16_t total = *ip.u16(2);
    const std::uint16_t fragField = *ip.u16(6);
    f.ipId = *ip.u16(4);
    f.ttl = *ip.u8(8);
    f.ipProto = *ip.u8(9);
    f.src = IpAddress::fromV4(ip.data() + 12);
    f.dst = IpAddress::fromV4(ip.data() + 16);
    f.ipTotalLen = total;
    if (fragField & 0x4000) f.flags |= FlagDontFragment;
    if (fragField & 0x2000) f.flags |= FlagMoreFragments | FlagFragment;
    f.fragOffset = static_cast<std::uint16_t>((fragField & 0x1fff) * 8);
    if (f.fragOffset != 0) f.flags |= FlagFragment;
    if (ihl < 20 || total < ihl) {
        f.kind = PacketKind::Malformed;
        malformed(f, ihl < 20 ? "IPv4 header length below 20" : "IPv4 total length below header length");
        return;
    }
    if (!ip.has(0, ihl)) {
        f.kind = PacketKind::Malformed;
        malformed(f, "IPv4 options truncated");
        return;
    }
    // Bit errors after the link's CRC, a mangling box (dissect() of a captured frame only: a
    // reassembled datagram's header was rewritten by the reassembly).
    if (m_capturedFrame && ipv4HeaderCorrupted(ip.data(), ihl)) {
        f.kind = PacketKind::Malformed;
        f.flags |= FlagCorruptHeader;
        malformed(f, "IPv4 header checksum wrong after a router: header corrupted");
        return;
    }
    // Clip to the datagram: Ethernet padding is not payload; a shorter capture is truncation.
    const ByteView datagram = ip.slice(0, total);
    if (datagram.size() < total && !(f.flags & FlagSnapTruncated) && !m_prefixOnly)
        malformed(f, "IPv4 total length exceeds the captured frame");
    f.l4Offset = static_cast<std::uint16_t>(l3Offset + ihl);
    if (f.fragOffset != 0) {
        f.kind = PacketKind::Fragment;
        return;
    }
    dissectTransport(datagram.from(ihl), f.l4Offset, f);
}

void Dissector::dissectIpv6(ByteView ip, std::size_t l3Offset, PacketFacts &f)
{
    f.ipVersion = 6;
    f.flags |= FlagIpv6;
    if (!ip.has(0, 40)) {
        f.kind = PacketKind::Malformed;
        malformed(f, "IPv6 header truncated");
        return;
    }
    const std::uint16_t payloadLen = *ip.u16(4);
    f.ipTotalLen = 40u + payloadLen;
    f.ttl = *ip.u8(7);
    f.src = IpAddress::fromV6(ip.data() + 8);
    f.dst = IpAddress::fromV6(ip.data() + 24);
    const ByteView datagram = ip.slice(0, f.ipTotalLen);
    if (datagram.size() < f.ipTotalLen && !(f.flags & FlagSnapTruncated) && !m_prefixOnly)
        malformed(f, "IPv6 payload length exceeds the captured frame");

    std::uint8_t nh = *ip.u8(6);
    std::size_t off = 40;
    for (int guard = 0; guard < 16; ++guard) {
        if (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
            const auto next = datagram.u8(off);
            const auto len = datagram.u8(off + 1);
            if (!next || !len) {
                f.kind = PacketKind::Malformed;
                malformed(f, "IPv6 extension header truncated");
                return;
            }
            nh = *next;
            off += nh == 51 ? (std::size_t(*len) + 2) * 4 : (std::size_t(*len) + 1) * 8;
            if (off > f.ipTotalLen) {
                f.kind = PacketKind::Malformed;
                malformed(f, "IPv6 extension header longer than the payload");
                return;
            }
        } else if (nh == 44) {
            const auto next = datagram.u8(off);
            const auto offField = datagram.u16(off + 2);
            const auto id = datagram.u32(off + 4);
            if (!next || !offField || !id) {
                f.kind = PacketKind::Malformed;
                malformed(f, "IPv6 fragment header truncated");
                return;
            }
            nh = *next;
            f.ipId = *id;
            f.fragOffset = static_cast<std::uint16_t>(*offField & 0xfff8);
            f.flags |= FlagFragment;
            if (*offField & 1) f.flags |= FlagMoreFragments;
            off += 8;
        } else {
            break;
        }
    }
    f.ipProto = nh;
    f.l4Offset = static_cast<std::uint16_t>(l3Offset + off);
    if (f.fragOffset != 0) {
        f.kind = PacketKind::Fragment;
        return;
    }
    if (nh == 59) { // no next header
        f.kind = PacketKind::Other;
        return;
    }
    dissectTransport(datagram.from(off), f.l4Offset, f);
}

void Dissector::dissectTransport(ByteView l4, std::size_t l4Offset, PacketFacts &f)
{
    switch (f.ipProto) {
    case 50: { // ESP
        const auto spi = l4.u32(0);
        const auto seq = l4.u32(4);
        if (!spi || !seq) {
            f.kind = PacketKind::Malformed;
            malformed(f, "ESP header truncated");
            return;
        }
        f.kind = PacketKind::Esp;
        f.spi = *spi;
        f.seq = *seq;
        f.espLen =
            f.ipTotalLen > (l4Offset - f.l3Offset) ? f.ipTotalLen - std::uint32_t(l4Offset - f.l3Offset) : 0;
        if (f.spi == 0) malformed(f, "ESP SPI 0 is reserved");
        return;
    }
    case 17:
        dissectUdp(l4, l4Offset, f);
        return;
    case 6:
        dissectTcp(l4, l4Offset, f);
        return;
    case 1:
        if (f.ipVersion == 4) {
            dissectIcmp4(l4, f);
            return;
        }
        break;
    case 58:
        if (f.ipVersion == 6) {
            dissectIcmp6(l4, f);
            return;
        }
        break;
    default:
        break;
    }
    f.kind = PacketKind::Other;
}

bool Dissector::isNatTEndpoint(const IpAddress &a, std::uint16_t port) const
{
    return !m_natTEndpoints.empty() && m_natTEndpoints.count(endpointKey(a, port)) != 0;
}

void Dissector::learnNatT(const PacketFacts &f)
{
    // Bound the table: a hostile capture must not grow it without limit.
    if (m_natTEndpoints.size() >= 65536) return;
    m_natTEndpoints.insert(endpointKey(f.src, f.srcPort));
    m_natTEndpoints.insert(endpointKey(f.dst, f.dstPort));
}

void Dissector::dissectUdp(ByteView l4, std::size_t l4Offset, PacketFacts &f)
{
    const auto sp = l4.u16(0);
    const auto dp = l4.u16(2);
    const auto ulen = l4.u16(4);
    if (!sp || !dp || !ulen) {
        f.kind = PacketKind::Malformed;
        malformed(f, "UDP header truncated");
        return;
    }
    f.srcPort = *sp;
    f.dstPort = *dp;
    if (*ulen < 8) {
        f.kind = PacketKind::Malformed;
        malformed(f, "UDP length below 8");
        return;
    }
    const std::size_t payloadLen = std::size_t(*ulen) - 8;
    const ByteView payload = l4.slice(8, payloadLen);
    const bool natTPort = f.srcPort == kNatTPort || f.dstPort == kNatTPort ||
                          isNatTEndpoint(f.src, f.srcPort) || isNatTEndpoint(f.dst, f.dstPort);

    if (natTPort) {
        if (payloadLen == 1) {
            if (payload.u8(0) == std::uint8_t(0xff)) {
                f.kind = PacketKind::NatKeepalive;
            } else {
                f.kind = PacketKind::Other;
                if (!payload.empty()) malformed(f, "one-byte UDP payload on a NAT-T port that is not 0xFF");
            }
            return;
        }
        const auto marker = payload.u32(0);
        if (!marker) {
            f.kind = PacketKind::Malformed;
            malformed(f, "UDP payload on a NAT-T port shorter than 4 bytes");
            return;
        }
        if (*marker == 0) {
            IkeHeader h;
            if (!parseIkeHeader(payload.from(4), h)) {
                f.kind = PacketKind::Malformed;
                malformed(f, "non-ESP marker not followed by an IKE header");
                return;
            }
            f.kind = PacketKind::IkeNatT;
            f.ike = h;
            f.ikeMessage = payload.from(4);
            if (h.length != payloadLen - 4) malformed(f, "IKE length field disagrees with the UDP length");
            return;
        }
        const auto seq = payload.u32(4);
        if (!seq) {
            f.kind = PacketKind::Malformed;
            malformed(f, "ESP-in-UDP shorter than the ESP header");
            return;
        }
        f.kind = PacketKind::EspInUdp;
        f.spi = *marker;
        f.seq = *seq;
        f.espLen = static_cast<std::uint32_t>(payloadLen);
        return;
    }

    if (f.srcPort == kIkePort || f.dstPort == kIkePort) {
        IkeHeader h;
        if (!parseIkeHeader(payload, h)) {
            f.kind = PacketKind::Malformed;
            malformed(f, "UDP port 500 payload is not an IKE header");
            return;
        }
        f.kind = PacketKind::Ike;
        f.ike = h;
        f.ikeMessage = payload;
        // One IKE message per datagram (RFC 7296 §3.1): any other length is a broken header.
        if (h.length != payloadLen) malformed(f, "IKE length field disagrees with the UDP length");
        return;
    }

    // A NAT-T float to a port other than 4500: recognise IKE behind a non-ESP marker whose
    // length field matches the datagram exactly, and remember both endpoints.
    if (payloadLen >= 32 && payload.u32(0) == std::uint32_t(0)) {
        IkeHeader h;
        if (parseIkeHeader(payload.from(4), h) && h.length == payloadLen - 4 &&
            (h.version == 0x20 || h.version == 0x10)) {
            f.kind = PacketKind::IkeNatT;
            f.ike = h;
            f.ikeMessage = payload.from(4);
            learnNatT(f);
            return;
        }
    }
    (void)l4Offset;
    f.kind = PacketKind::Other;
}

void Dissector::dissectTcp(ByteView l4, std::size_t l4Offset, PacketFacts &f)
{
    (void)l4Offset;
    const auto sp = l4.u16(0);
    const auto dp = l4.u16(2);
    const auto offFlags = l4.u16(12);
    if (!sp || !dp || !offFlags) {
        f.kind = PacketKind::Malformed;
        malformed(f, "TCP header truncated");
        return;
    }
    f.srcPort = *sp;
    f.dstPort = *dp;
    const std::size_t hlen = std::size_t(*offFlags >> 12) * 4;
    const bool syn = (*offFlags & 0x02) != 0;
    f.kind = PacketKind::Other;
    if (hlen < 20) {
        malformed(f, "TCP header length below 20");
        return;
    }
    if (syn) {
        // Options: walk for MSS (kind 2, length 4).
        std::size_t o = 20;
        for (int guard = 0; guard < 40 && o < hlen; ++guard) {
            const auto kind = l4.u8(o);
            if (!kind || *kind == 0) break;
            if (*kind == 1) {
                ++o;
                continue;
            }
            const auto len = l4.u8(o + 1);
            if (!len || *len < 2) break;
            if (*kind == 2 && *len == 4) {
                if (auto mss = l4.u16(o + 2)) {
                    f.tcpMss = *mss;
                    f.flags |= FlagInnerTcpSyn;
                }
                break;
            }
            o += *len;
        }
    }
    if (f.srcPort != kNatTPort && f.dstPort != kNatTPort) return;
    // RFC 9329: the initiator opens the stream with "IKETCP"; every message is framed by a
    // 16-bit length (which counts itself) and IKE messages carry the non-ESP marker.
    ByteView payload = l4.from(hlen);
    static constexpr std::uint8_t prefix[6] = {'I', 'K', 'E', 'T', 'C', 'P'};
    bool sawPrefix = false;
    if (payload.has(0, 6) && std::equal(prefix, prefix + 6, payload.data())) {
        sawPrefix = true;
        payload = payload.from(6);
    }
    const auto frameLen = payload.u16(0);
    const auto marker = payload.u32(2);
    if (frameLen && marker && *marker == 0 && *frameLen >= 2 + 4 + 28) {
        IkeHeader h;
        if (parseIkeHeader(payload.from(6), h) && h.length == *frameLen - 6u) {
            f.kind = PacketKind::IkeTcp;
            f.ike = h;
            f.ikeMessage = payload.from(6);
            return;
        }
    }
    if (sawPrefix) f.kind = PacketKind::IkeTcp; // stream prefix only; the header comes in a later segment
}

void Dissector::dissectIcmp4(ByteView l4, PacketFacts &f)
{
    const auto type = l4.u8(0);
    const auto code = l4.u8(1);
    if (!type || !code) {
        f.kind = PacketKind::Malformed;
        malformed(f, "ICMP header truncated");
        return;
    }
    f.icmpType = *type;
    f.icmpCode = *code;
    if (*type != 3) {
        f.kind = PacketKind::Other;
        return;
    }
    if (*code == 4) {
        f.kind = PacketKind::IcmpNeedFrag;
        if (auto mtu = l4.u16(6)) f.mtu = *mtu;
    } else {
        f.kind = PacketKind::IcmpUnreachable;
    }
    parseQuoted(l4.from(8), f);
}

void Dissector::dissectIcmp6(ByteView l4, PacketFacts &f)
{
    const auto type = l4.u8(0);
    const auto code = l4.u8(1);
    if (!type || !code) {
        f.kind = PacketKind::Malformed;
        malformed(f, "ICMPv6 header truncated");
        return;
    }
    f.icmpType = *type;
    f.icmpCode = *code;
    if (*type == 2) {
        f.kind = PacketKind::Icmp6TooBig;
        if (auto mtu = l4.u32(4)) f.mtu = *mtu;
    } else if (*type == 1) {
        f.kind = PacketKind::IcmpUnreachable;
    } else {
        f.kind = PacketKind::Other;
        return;
    }
    parseQuoted(l4.from(8), f);
}

const char *packetKindName(PacketKind kind)
{
    switch (kind) {
    case PacketKind::Other:
        return "other";
    case PacketKind::Esp:
        return "esp";
    case PacketKind::EspInUdp:
        return "esp_udp";
    case PacketKind::Ike:
        return "ike";
    case PacketKind::IkeNatT:
        return "ike_natt";
    case PacketKind::IkeTcp:
        return "ike_tcp";
    case PacketKind::NatKeepalive:
        return "nat_keepalive";
    case PacketKind::IcmpNeedFrag:
        return "icmp_need_frag";
    case PacketKind::Icmp6TooBig:
        return "icmp6_too_big";
    case PacketKind::IcmpUnreachable:
        return "icmp_unreachable";
    case PacketKind::Fragment:
        return "ip_fragment";
    case PacketKind::NonIp:
        return "non_ip";
    case PacketKind::Malformed:
        return "malformed";
    case PacketKind::OutOfScope:
        return "out_of_scope";
    case PacketKind::Count_:
        break;
    }
    return "unknown";
}

} // namespace ikev2wb
