// ikev2wb-gencap: writes a large, deterministic, synthetic IPsec capture (Ethernet, pcap with
// microsecond timestamps) for benchmarks.
//
// What is in it: four tunnels between gateway pairs, two of them plain ESP (IP protocol 50) and
// two behind NAT (ESP-in-UDP on 4500), each with two child SAs per direction; IKE_SA_INIT on
// UDP 500 and IKE_AUTH / INFORMATIONAL (DPD, Delete) / CREATE_CHILD_SA (rekey, new SPIs) with a
// valid IKEv2 header and an SK payload; NAT keepalives; ESP sequence numbers increasing per SA
// with injected loss (a number is skipped) and reordering (two neighbours swapped); outer IPv4
// fragments of oversized ESP packets on the tunnels that do not set DF; ICMP type 3 code 4
// quoting an ESP packet. Sizes are mostly 100–1500 bytes (10M packets is about 7.5 GB).
//
// The file is written straight from an 8 MiB buffer: this tool must not be the slow part.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Options
{
    std::uint64_t packets = 1'000'000;
    std::string out;
    unsigned lossPermille = 2;
    unsigned reorderPermille = 2;
    std::uint64_t seed = 0x1ce5eed5ULL;
};

/// splitmix64: small, fast, and the same sequence everywhere.
class Rng final
{
public:
    explicit Rng(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, n).
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32); }
    bool permille(unsigned p) { return below(1000) < p; }

private:
    std::uint64_t m_state;
};

void put16(std::uint8_t *p, std::uint32_t v)
{
    p[0] = std::uint8_t(v >> 8);
    p[1] = std::uint8_t(v);
}
void put32(std::uint8_t *p, std::uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}
void put64(std::uint8_t *p, std::uint64_t v)
{
    put32(p, std::uint32_t(v >> 32));
    put32(p + 4, std::uint32_t(v));
}
void putLe32(std::uint8_t *p, std::uint32_t v)
{
    p[0] = std::uint8_t(v);
    p[1] = std::uint8_t(v >> 8);
    p[2] = std::uint8_t(v >> 16);
    p[3] = std::uint8_t(v >> 24);
}

std::uint16_t ipChecksum(const std::uint8_t *h, std::size_t len)
{
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < len; i += 2)
        sum += std::uint32_t(h[i] << 8 | h[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

/// Buffered pcap writer (classic pcap, microseconds, LINKTYPE_ETHERNET).
class PcapWriter final
{
public:
    explicit PcapWriter(const std::string &path) : m_path(path)
    {
        m_file = std::fopen(path.c_str(), "wb");
        if (!m_file) {
            std::fprintf(stderr, "ikev2wb-gencap: %s: %s\n", path.c_str(), std::strerror(errno));
            std::exit(1);
        }
        std::setvbuf(m_file, nullptr, _IONBF, 0);
        m_buf.resize(8u << 20);
        std::uint8_t h[24] = {};
        putLe32(h, 0xa1b2c3d4);
        h[4] = 2; // version 2.4, little-endian fields
        h[6] = 4;
        putLe32(h + 16, 65535); // snaplen
        putLe32(h + 20, 1);     // LINKTYPE_ETHERNET
        append(h, sizeof h);
    }
    ~PcapWriter() { close(); }

    void record(std::int64_t tsUs, const std::uint8_t *frame, std::uint32_t len)
    {
        std::uint8_t rh[16];
        putLe32(rh, std::uint32_t(tsUs / 1'000'000));
        putLe32(rh + 4, std::uint32_t(tsUs % 1'000'000));
        putLe32(rh + 8, len);
        putLe32(rh + 12, len);
        append(rh, sizeof rh);
        append(frame, len);
        ++m_records;
        m_bytes += 16 + len;
    }
    void close()
    {
        if (!m_file) return;
        flush();
        if (std::fclose(m_file) != 0) fail();
        m_file = nullptr;
    }
    [[nodiscard]] std::uint64_t records() const { return m_records; }
    [[nodiscard]] std::uint64_t bytes() const { return m_bytes + 24; }

private:
    void append(const std::uint8_t *p, std::size_t n)
    {
        if (m_used + n > m_buf.size()) flush();
        std::memcpy(m_buf.data() + m_used, p, n);
        m_used += n;
    }
    void flush()
    {
        if (m_used && std::fwrite(m_buf.data(), 1, m_used, m_file) != m_used) fail();
        m_used = 0;
    }
    [[noreturn]] void fail() const
    {
        std::fprintf(stderr, "ikev2wb-gencap: writing %s: %s\n", m_path.c_str(), std::strerror(errno));
        std::exit(1);
    }

    std::string m_path;
    FILE *m_file = nullptr;
    std::vector<std::uint8_t> m_buf;
    std::size_t m_used = 0;
    std::uint64_t m_records = 0;
    std::uint64_t m_bytes = 0;
};

constexpr std::size_t kEth = 14;
constexpr std::size_t kIp = 20;
constexpr std::uint32_t kMtu = 1500;

struct Host
{
    std::array<std::uint8_t, 4> addr;
    std::array<std::uint8_t, 6> mac;
    std::uint16_t ipId = 1;
};

struct Sa
{
    std::uint32_t spi = 0;
    std::uint32_t seq = 0;     // last sequence number used
    std::uint32_t heldSeq = 0; // a number held back to be sent after its successor (reorder)
};

struct Tunnel
{
    int left = 0; // index into hosts (the initiator, possibly behind NAT)
    int right = 0;
    bool natT = false;
    bool df = true;                  // outer DF; tunnels without it get fragmented outer packets
    std::uint16_t leftPort500 = 500; // the initiator's ports as the responder sees them
    std::uint16_t leftPort4500 = 4500;
    std::uint64_t spiI = 0;
    std::uint64_t spiR = 0;
    std::uint32_t nextMid = 0;
    std::array<Sa, 2> out{}; // left → right child SAs
    std::array<Sa, 2> in{};  // right → left
};

class Generator final
{
public:
    Generator(const Options &o, PcapWriter &w) : m_opt(o), m_w(w), m_rng(o.seed)
    {
        m_pool.resize(1u << 16);
        for (auto &b : m_pool)
            b = std::uint8_t(m_rng.next());
        // Gateways: 198.51.100.x (public), the NATed initiators appear as 203.0.113.x.
        for (int i = 0; i < 8; ++i) {
            Host h;
            h.addr = {std::uint8_t(i < 4 ? 198 : 203), std::uint8_t(i < 4 ? 51 : 0),
                      std::uint8_t(i < 4 ? 100 : 113), std::uint8_t(10 + i)};
            h.mac = {0x02, 0x00, 0x5e, 0x10, 0x00, std::uint8_t(i + 1)};
            m_hosts.push_back(h);
        }
        m_router = {{192, 0, 2, 254}, {0x02, 0x00, 0x5e, 0x10, 0x00, 0xfe}, 1};
        // Tunnels 0/1 plain ESP (1 without DF), 2/3 NAT-T (3 without DF).
        for (int t = 0; t < 4; ++t) {
            Tunnel tu;
            tu.natT = t >= 2;
            tu.left = tu.natT ? 4 + t : t;
            tu.right = tu.natT ? t - 2 : (t + 2) % 4;
            tu.df = (t % 2) == 0;
            if (tu.natT) {
                tu.leftPort500 = std::uint16_t(40000 + 2 * t);
                tu.leftPort4500 = std::uint16_t(40001 + 2 * t);
            }
            m_tunnels.push_back(tu);
        }
    }

    void run()
    {
        for (std::size_t t = 0; t < m_tunnels.size() && !full(); ++t)
            establish(m_tunnels[t]);
        std::uint64_t sinceDpd = 0, sinceKeepalive = 0, sinceIcmp = 0, sinceRekey = 0;
        while (!full()) {
            Tunnel &tu = m_tunnels[m_rng.below(std::uint32_t(m_tunnels.size()))];
            const bool outbound = m_rng.below(2) == 0;
            esp(tu, outbound, m_rng.below(2));
            if (++sinceDpd >= 40'000) {
                sinceDpd = 0;
                dpd(m_tunnels[m_rng.below(std::uint32_t(m_tunnels.size()))]);
            }
            if (++sinceKeepalive >= 15'000) {
                sinceKeepalive = 0;
                for (auto &k : m_tunnels)
                    if (k.natT && !full()) keepalive(k);
            }
            if (++sinceIcmp >= 25'000) {
                sinceIcmp = 0;
                m_icmpPending = true; // the next oversized ESP packet gets an ICMP error back
            }
            if (++sinceRekey >= 300'000) {
                sinceRekey = 0;
                rekey(m_tunnels[m_rng.below(std::uint32_t(m_tunnels.size()))]);
            }
        }
    }

private:
    [[nodiscard]] bool full() const { return m_w.records() >= m_opt.packets; }

    void tick()
    {
        // About 3,000 packets/s on average, bursty.
        m_tsUs += m_rng.below(660);
    }

    void emit(const std::uint8_t *frame, std::size_t len)
    {
        if (full()) return;
        tick();
        m_w.record(m_tsUs, frame, std::uint32_t(len));
    }

    void fill(std::uint8_t *p, std::size_t n)
    {
        std::size_t off = m_rng.below(std::uint32_t(m_pool.size()));
        while (n) {
            const std::size_t chunk = std::min(n, m_pool.size() - off);
            std::memcpy(p, m_pool.data() + off, chunk);
            p += chunk;
            n -= chunk;
            off = 0;
        }
    }

    /// Ethernet + IPv4 header; returns the offset of the IP payload.
    std::size_t ipHeader(std::uint8_t *f, Host &src, const Host &dst, std::uint8_t proto, std::size_t ipLen,
                         bool df, std::uint16_t id, std::uint16_t fragWord = 0)
    {
        std::memcpy(f, dst.mac.data(), 6);
        std::memcpy(f + 6, src.mac.data(), 6);
        put16(f + 12, 0x0800);
        std::uint8_t *ip = f + kEth;
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, std::uint32_t(ipLen));
        put16(ip + 4, id);
        put16(ip + 6, std::uint32_t(fragWord | (df ? 0x4000 : 0)));
        ip[8] = 64;
        ip[9] = proto;
        put16(ip + 10, 0);
        std::memcpy(ip + 12, src.addr.data(), 4);
        std::memcpy(ip + 16, dst.addr.data(), 4);
        put16(ip + 10, ipChecksum(ip, kIp));
        return kEth + kIp;
    }

    static void udpHeader(std::uint8_t *u, std::uint16_t sp, std::uint16_t dp, std::size_t udpLen)
    {
        put16(u, sp);
        put16(u + 2, dp);
        put16(u + 4, std::uint32_t(udpLen));
        put16(u + 6, 0); // no checksum (RFC 3948 recommends zero for ESP-in-UDP)
    }

    /// Sends an IP datagram whose payload is `payload`, fragmenting it at the MTU if needed.
    void sendIp(Host &src, const Host &dst, std::uint8_t proto, const std::uint8_t *payload, std::size_t len,
                bool df)
    {
        const std::uint16_t id = src.ipId++;
        if (kIp + len <= kMtu) {
            const std::size_t off = ipHeader(m_frame.data(), src, dst, proto, kIp + len, df, id);
            std::memcpy(m_frame.data() + off, payload, len);
            emit(m_frame.data(), off + len);
            return;
        }
        const std::size_t maxChunk = (kMtu - kIp) & ~std::size_t(7);
        for (std::size_t done = 0; done < len;) {
            const std::size_t chunk = std::min(maxChunk, len - done);
            const bool more = done + chunk < len;
            const std::uint16_t word = std::uint16_t((done / 8) | (more ? 0x2000 : 0));
            const std::size_t off = ipHeader(m_frame.data(), src, dst, proto, kIp + chunk, false, id, word);
            std::memcpy(m_frame.data() + off, payload + done, chunk);
            emit(m_frame.data(), off + chunk);
            done += chunk;
        }
    }

    /// An IKE message: header plus either cleartext IKE_SA_INIT payloads or one SK payload.
    std::size_t ikeMessage(std::uint8_t *m, const Tunnel &tu, std::uint8_t exchange, bool response,
                           std::uint32_t mid, std::uint8_t firstInner, std::size_t encryptedLen)
    {
        put64(m, tu.spiI);
        put64(m + 8, exchange == 34 && !response ? 0 : tu.spiR);
        m[17] = 0x20;
        m[18] = exchange;
        m[19] = std::uint8_t((response ? 0x20 : 0) | (response ? 0 : 0x08));
        put32(m + 20, mid);
        std::size_t off = 28;
        if (exchange == 34) {
            m[16] = 33; // SA
            // SA: one proposal (IKE, 4 transforms)
            std::uint8_t *sa = m + off;
            const std::size_t saLen = 4 + 8 + 4 * 8;
            sa[0] = 34;
            sa[1] = 0;
            put16(sa + 2, std::uint32_t(saLen));
            std::uint8_t *prop = sa + 4;
            prop[0] = 0;
            prop[1] = 0;
            put16(prop + 2, 8 + 4 * 8);
            prop[4] = 1;
            prop[5] = 1;
            prop[6] = 0;
            prop[7] = 4;
            const std::uint8_t types[4] = {1, 2, 3, 4};
            const std::uint16_t ids[4] = {12, 7, 12, 19}; // AES-CBC, SHA2-256 PRF/integ, ECP-256
            for (int i = 0; i < 4; ++i) {
                std::uint8_t *tr = prop + 8 + i * 8;
                tr[0] = i == 3 ? 0 : 3;
                tr[1] = 0;
                put16(tr + 2, 8);
                tr[4] = types[i];
                tr[5] = 0;
                put16(tr + 6, ids[i]);
            }
            off += saLen;
            // KE (group 19, 64 bytes)
            std::uint8_t *ke = m + off;
            ke[0] = 40;
            ke[1] = 0;
            put16(ke + 2, 8 + 64);
            put16(ke + 4, 19);
            put16(ke + 6, 0);
            fill(ke + 8, 64);
            off += 8 + 64;
            // Nonce (32 bytes)
            std::uint8_t *no = m + off;
            no[0] = 41;
            no[1] = 0;
            put16(no + 2, 4 + 32);
            fill(no + 4, 32);
            off += 4 + 32;
            // N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)
            for (int i = 0; i < 2; ++i) {
                std::uint8_t *n = m + off;
                n[0] = i == 0 ? 41 : 0;
                n[1] = 0;
                put16(n + 2, 8 + 20);
                n[4] = 0;
                n[5] = 0;
                put16(n + 6, i == 0 ? 16388 : 16389);
                fill(n + 8, 20);
                off += 8 + 20;
            }
        } else {
            m[16] = 46; // SK
            std::uint8_t *sk = m + off;
            const std::size_t skLen = 4 + 16 + encryptedLen + 16; // IV, ciphertext, ICV
            sk[0] = firstInner;
            sk[1] = 0;
            put16(sk + 2, std::uint32_t(skLen));
            fill(sk + 4, skLen - 4);
            off += skLen;
        }
        put32(m + 24, std::uint32_t(off));
        return off;
    }

    void sendIke(Tunnel &tu, bool fromLeft, std::uint8_t exchange, bool response, std::uint32_t mid,
                 std::uint8_t firstInner, std::size_t encryptedLen, bool natTPorts)
    {
        Host &src = m_hosts[std::size_t(fromLeft ? tu.left : tu.right)];
        const Host &dst = m_hosts[std::size_t(fromLeft ? tu.right : tu.left)];
        const std::uint16_t leftPort = natTPorts ? tu.leftPort4500 : tu.leftPort500;
        const std::uint16_t rightPort = natTPorts ? 4500 : 500;
        std::uint8_t *u = m_payload.data();
        std::size_t off = 8;
        if (natTPorts) {
            put32(u + off, 0); // non-ESP marker
            off += 4;
        }
        off += ikeMessage(u + off, tu, exchange, response, mid, firstInner, encryptedLen);
        udpHeader(u, fromLeft ? leftPort : rightPort, fromLeft ? rightPort : leftPort, off);
        // IKE_AUTH with certificates is the classic fragmented IKE message: let it fragment.
        sendIp(src, dst, 17, u, off, false);
    }

    void newSpis(Tunnel &tu, int child)
    {
        tu.out[std::size_t(child)] = Sa{std::uint32_t(m_rng.next()) | 0x1000u, 0, 0};
        tu.in[std::size_t(child)] = Sa{std::uint32_t(m_rng.next()) | 0x1000u, 0, 0};
    }

    void establish(Tunnel &tu)
    {
        tu.spiI = m_rng.next() | 1;
        tu.spiR = m_rng.next() | 1;
        tu.nextMid = 0;
        sendIke(tu, true, 34, false, 0, 0, 0, false);
        sendIke(tu, false, 34, true, 0, 0, 0, false);
        // IKE_AUTH with certificates (about 1,900 bytes: IP-fragmented), on 4500 behind NAT.
        sendIke(tu, true, 35, false, 1, 35, 1850, tu.natT);
        sendIke(tu, false, 35, true, 1, 36, 1700, tu.natT);
        tu.nextMid = 2;
        newSpis(tu, 0);
        // Second child SA: CREATE_CHILD_SA.
        sendIke(tu, true, 36, false, tu.nextMid, 33, 300, tu.natT);
        sendIke(tu, false, 36, true, tu.nextMid, 33, 280, tu.natT);
        ++tu.nextMid;
        newSpis(tu, 1);
    }

    void dpd(Tunnel &tu)
    {
        sendIke(tu, true, 37, false, tu.nextMid, 0, 0, tu.natT);
        sendIke(tu, false, 37, true, tu.nextMid, 0, 0, tu.natT);
        ++tu.nextMid;
    }

    void rekey(Tunnel &tu)
    {
        const int child = int(m_rng.below(2));
        sendIke(tu, true, 36, false, tu.nextMid, 33, 300, tu.natT);
        sendIke(tu, false, 36, true, tu.nextMid, 33, 280, tu.natT);
        ++tu.nextMid;
        // Delete the old pair (INFORMATIONAL with a Delete payload inside SK).
        sendIke(tu, true, 37, false, tu.nextMid, 42, 16, tu.natT);
        sendIke(tu, false, 37, true, tu.nextMid, 42, 16, tu.natT);
        ++tu.nextMid;
        newSpis(tu, child);
    }

    void keepalive(Tunnel &tu)
    {
        std::uint8_t *u = m_payload.data();
        udpHeader(u, tu.leftPort4500, 4500, 9);
        u[8] = 0xff;
        sendIp(m_hosts[std::size_t(tu.left)], m_hosts[std::size_t(tu.right)], 17, u, 9, false);
    }

    /// Outer IP length of the next ESP packet: a mix of ACK-sized, full-sized and in-between,
    /// with oversized ones (inner 1500 plus overhead) on the tunnels that do not set DF.
    std::size_t espIpLength(const Tunnel &tu)
    {
        const std::uint32_t r = m_rng.below(1000);
        if (r < 380) return 100 + m_rng.below(60);
        if (r < 880) return 1400 + m_rng.below(101);
        if (r < 995 || tu.df) return 160 + m_rng.below(1240);
        return 1560 + m_rng.below(60); // will be sent as two outer fragments
    }

    void esp(Tunnel &tu, bool outbound, std::uint32_t child)
    {
        Sa &sa = outbound ? tu.out[child] : tu.in[child];
        std::uint32_t seq;
        if (sa.heldSeq) {
            seq = sa.heldSeq; // the one that was overtaken
            sa.heldSeq = 0;
        } else {
            seq = ++sa.seq;
            if (m_rng.permille(m_opt.lossPermille))
                seq = ++sa.seq; // the previous number is lost before the capture point
            if (m_rng.permille(m_opt.reorderPermille)) {
                sa.heldSeq = seq;
                seq = ++sa.seq;
            }
        }
        Host &src = m_hosts[std::size_t(outbound ? tu.left : tu.right)];
        const Host &dst = m_hosts[std::size_t(outbound ? tu.right : tu.left)];
        const std::size_t ipLen = espIpLength(tu);
        std::uint8_t *p = m_payload.data();
        std::size_t off = 0;
        const std::size_t payloadLen = ipLen - kIp;
        if (tu.natT) {
            const std::uint16_t leftPort = tu.leftPort4500;
            udpHeader(p, outbound ? leftPort : 4500, outbound ? 4500 : leftPort, payloadLen);
            off = 8;
        }
        put32(p + off, sa.spi);
        put32(p + off + 4, seq);
        fill(p + off + 8, payloadLen - off - 8);
        const bool df = tu.df;
        if (m_icmpPending && df && ipLen >= 1400) {
            m_icmpPending = false;
            sendIp(src, dst, tu.natT ? 17 : 50, p, payloadLen, df);
            needFrag(src, tu.natT ? 17 : 50, p, payloadLen, ipLen, dst);
            return;
        }
        sendIp(src, dst, tu.natT ? 17 : 50, p, payloadLen, df);
    }

    /// A router on the path answers with ICMP "fragmentation needed", MTU 1400, quoting the
    /// IP header and the first 64 bytes of what it dropped (so the ESP header is visible).
    void needFrag(Host &espSrc, std::uint8_t proto, const std::uint8_t *payload, std::size_t payloadLen,
                  std::size_t ipLen, const Host &espDst)
    {
        std::uint8_t quoted[kIp + 64];
        std::uint8_t scratch[kEth + kIp];
        ipHeader(scratch, espSrc, espDst, proto, ipLen, true, std::uint16_t(espSrc.ipId - 1));
        std::memcpy(quoted, scratch + kEth, kIp);
        const std::size_t q = std::min<std::size_t>(64, payloadLen);
        std::memcpy(quoted + kIp, payload, q);
        std::uint8_t *icmp = m_icmp.data();
        icmp[0] = 3;
        icmp[1] = 4;
        put16(icmp + 2, 0);
        put16(icmp + 4, 0);
        put16(icmp + 6, 1400);
        std::memcpy(icmp + 8, quoted, kIp + q);
        const std::size_t icmpLen = 8 + kIp + q;
        put16(icmp + 2, ipChecksum(icmp, icmpLen));
        sendIp(m_router, espSrc, 1, icmp, icmpLen, false);
    }

    const Options &m_opt;
    PcapWriter &m_w;
    Rng m_rng;
    std::vector<std::uint8_t> m_pool;
    std::vector<Host> m_hosts;
    Host m_router{};
    std::vector<Tunnel> m_tunnels;
    std::array<std::uint8_t, 4096> m_frame{};
    std::array<std::uint8_t, 4096> m_payload{};
    std::array<std::uint8_t, 256> m_icmp{};
    std::int64_t m_tsUs = 1'735'689'600'000'000LL; // 2025-01-01T00:00:00Z
    bool m_icmpPending = false;
};

[[noreturn]] void usage(int rc)
{
    std::fprintf(rc ? stderr : stdout,
                 "usage: ikev2wb-gencap --out FILE [--packets N] [--loss-permille P] [--reorder-permille P]\n"
                 "                      [--seed S]\n"
                 "Writes a deterministic synthetic IPsec capture (Ethernet pcap) of N packets.\n"
                 "N accepts a k/M suffix (1M = 1,000,000). Defaults: 1M packets, loss 2, reorder 2.\n");
    std::exit(rc);
}

std::uint64_t parseCount(const char *s)
{
    char *end = nullptr;
    errno = 0;
    std::uint64_t v = std::strtoull(s, &end, 10);
    if (errno || end == s) usage(2);
    if (*end == 'k' || *end == 'K')
        v *= 1000, ++end;
    else if (*end == 'm' || *end == 'M')
        v *= 1'000'000, ++end;
    if (*end) usage(2);
    return v;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") usage(0);
        if (i + 1 >= argc) usage(2);
        const char *v = argv[++i];
        if (a == "--packets")
            o.packets = parseCount(v);
        else if (a == "--out")
            o.out = v;
        else if (a == "--loss-permille")
            o.lossPermille = unsigned(parseCount(v));
        else if (a == "--reorder-permille")
            o.reorderPermille = unsigned(parseCount(v));
        else if (a == "--seed")
            o.seed = parseCount(v);
        else
            usage(2);
    }
    if (o.out.empty() || o.lossPermille > 1000 || o.reorderPermille > 1000) usage(2);
    PcapWriter w(o.out);
    Generator g(o, w);
    g.run();
    w.close();
    std::printf("%s: %llu packets, %llu bytes\n", o.out.c_str(), static_cast<unsigned long long>(w.records()),
                static_cast<unsigned long long>(w.bytes()));
    return 0;
}
