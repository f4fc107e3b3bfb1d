#pragma once
// Hand-built packets for analyzer tests: Ethernet + IPv4 + UDP/ESP/ICMP with IKEv2 messages,
// written with libpcap (pcap_open_dead + pcap_dump). Every byte is set here, so the expected
// results of a test follow from the packet list by hand.
#include <pcap/pcap.h>

#include <QFile>
#include <QString>

#include <cstdint>
#include <string>
#include <vector>

namespace synth {

using Buf = std::vector<std::uint8_t>;
using Bytes = Buf; // qualified use (synth::Bytes); unqualified clashes with ikev2wb::Bytes

inline void put16(Buf &b, std::uint16_t v)
{
    b.push_back(std::uint8_t(v >> 8));
    b.push_back(std::uint8_t(v));
}
inline void put32(Buf &b, std::uint32_t v)
{
    put16(b, std::uint16_t(v >> 16));
    put16(b, std::uint16_t(v));
}
inline void put64(Buf &b, std::uint64_t v)
{
    put32(b, std::uint32_t(v >> 32));
    put32(b, std::uint32_t(v));
}
inline void append(Buf &b, const Buf &x)
{
    b.insert(b.end(), x.begin(), x.end());
}

inline std::uint32_t ip4(int a, int b, int c, int d)
{
    return (std::uint32_t(a) << 24) | (std::uint32_t(b) << 16) | (std::uint32_t(c) << 8) | std::uint32_t(d);
}

struct Ip
{
    std::uint32_t src = 0;
    std::uint32_t dst = 0;
    std::uint16_t id = 1;
    bool df = false;
    bool mf = false;
    std::uint16_t fragOffset = 0; // bytes, multiple of 8
};

/// An IPv4 datagram (header checksum filled in).
inline Buf ipv4(const Ip &ip, std::uint8_t proto, const Buf &payload, std::uint16_t totalOverride = 0)
{
    Buf h;
    h.push_back(0x45);
    h.push_back(0);
    put16(h, totalOverride ? totalOverride : std::uint16_t(20 + payload.size()));
    put16(h, ip.id);
    std::uint16_t ff = std::uint16_t(ip.fragOffset / 8);
    if (ip.df) ff |= 0x4000;
    if (ip.mf) ff |= 0x2000;
    put16(h, ff);
    h.push_back(64);
    h.push_back(proto);
    put16(h, 0);
    put32(h, ip.src);
    put32(h, ip.dst);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 20; i += 2)
        sum += (std::uint32_t(h[i]) << 8) | h[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    const std::uint16_t c = std::uint16_t(~sum);
    h[10] = std::uint8_t(c >> 8);
    h[11] = std::uint8_t(c);
    append(h, payload);
    return h;
}

/// 2001:db8::`n` (RFC 3849's documentation prefix) as the 16 bytes of an IPv6 address.
inline Buf ip6(std::uint16_t n)
{
    Buf a{0x20, 0x01, 0x0d, 0xb8};
    a.resize(14, 0);
    put16(a, n);
    return a;
}

/// An IPv6 packet without extension headers (hop limit 64); `src`/`dst` from ip6().
inline Buf ipv6(const Buf &src, const Buf &dst, std::uint8_t next, const Buf &payload)
{
    Buf h{0x60, 0, 0, 0};
    put16(h, std::uint16_t(payload.size()));
    h.push_back(next);
    h.push_back(64);
    append(h, src);
    append(h, dst);
    append(h, payload);
    return h;
}

inline Buf udp(std::uint16_t sport, std::uint16_t dport, const Buf &payload)
{
    Buf u;
    put16(u, sport);
    put16(u, dport);
    put16(u, std::uint16_t(8 + payload.size()));
    put16(u, 0);
    append(u, payload);
    return u;
}

/// ESP header plus `bodyLen` opaque bytes (IV, ciphertext, ICV are all just bytes here).
inline Buf esp(std::uint32_t spi, std::uint32_t seq, std::size_t bodyLen)
{
    Buf e;
    put32(e, spi);
    put32(e, seq);
    e.resize(e.size() + bodyLen, 0xab);
    return e;
}

/// An IKEv2 message: header then one payload chain given as (type, body) pairs. The SK/SKF
/// payload's next-payload field is `innerFirst`.
struct Payload
{
    std::uint8_t type;
    Buf body;
};
inline Buf ike(std::uint64_t ispi, std::uint64_t rspi, std::uint8_t exchange, std::uint8_t flags,
               std::uint32_t mid, const std::vector<Payload> &payloads, std::uint8_t innerFirst = 0)
{
    Buf body;
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        const bool encrypted = payloads[i].type == 46 || payloads[i].type == 53;
        const std::uint8_t next =
            encrypted ? innerFirst : (i + 1 < payloads.size() ? payloads[i + 1].type : 0);
        body.push_back(next);
        body.push_back(0);
        put16(body, std::uint16_t(4 + payloads[i].body.size()));
        append(body, payloads[i].body);
    }
    Buf m;
    put64(m, ispi);
    put64(m, rspi);
    m.push_back(payloads.empty() ? 0 : payloads.front().type);
    m.push_back(0x20);
    m.push_back(exchange);
    m.push_back(flags);
    put32(m, mid);
    put32(m, std::uint32_t(28 + body.size()));
    append(m, body);
    return m;
}
inline Payload sk(std::size_t len)
{
    return {46, Buf(len, 0x5a)};
}
inline Payload skf(std::uint16_t number, std::uint16_t total, std::size_t len)
{
    Buf b;
    put16(b, number);
    put16(b, total);
    b.resize(4 + len, 0x5b);
    return {53, b};
}
inline Payload notify(std::uint16_t type, std::size_t dataLen = 0)
{
    Buf b{0, 0};
    put16(b, type);
    b.resize(4 + dataLen, 0x11);
    return {41, b};
}
inline Buf withNonEspMarker(const Buf &ikeMessage)
{
    Buf b(4, 0);
    append(b, ikeMessage);
    return b;
}

constexpr std::uint8_t kInitiator = 0x08;
constexpr std::uint8_t kResponse = 0x20;

struct Packet
{
    std::int64_t tsUs;
    Buf ip; // starting at the IPv4 (or IPv6) header
};

/// Writes the packets as an Ethernet pcap (microsecond timestamps). Returns false on error.
inline bool writePcap(const QString &path, const std::vector<Packet> &packets)
{
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    if (!dead) return false;
    pcap_dumper_t *d = pcap_dump_open(dead, path.toLocal8Bit().constData());
    if (!d) {
        pcap_close(dead);
        return false;
    }
    for (const Packet &p : packets) {
        // The EtherType from the IP version: IPv6 (0x86dd) when the packet starts with 6.
        const bool v6 = !p.ip.empty() && (p.ip.front() >> 4) == 6;
        Buf frame{0x02,
                  0,
                  0,
                  0,
                  0,
                  2,
                  0x02,
                  0,
                  0,
                  0,
                  0,
                  1,
                  std::uint8_t(v6 ? 0x86 : 0x08),
                  std::uint8_t(v6 ? 0xdd : 0x00)};
        append(frame, p.ip);
        pcap_pkthdr h{};
        h.ts.tv_sec = p.tsUs / 1000000;
        h.ts.tv_usec = p.tsUs % 1000000;
        h.caplen = h.len = std::uint32_t(frame.size());
        pcap_dump(reinterpret_cast<u_char *>(d), &h, frame.data());
    }
    pcap_dump_close(d);
    pcap_close(dead);
    return true;
}

/// A classic pcap (Ethernet, µs) whose 24-byte header is followed by `zeros` zero bytes left as
/// a hole (sparse: no disk used), i.e. zero-length records of 16 bytes each.
inline bool writeZeroFilledPcap(const QString &path, qint64 zeros)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    const char header[24] = {'\xd4', '\xc3', '\xb2', '\xa1', 2,      0,      4, 0, 0, 0, 0, 0,
                             0,      0,      0,      0,      '\xff', '\xff', 0, 0, 1, 0, 0, 0};
    return f.write(header, sizeof header) == qint64(sizeof header) && f.resize(24 + zeros);
}

} // namespace synth
