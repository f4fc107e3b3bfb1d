#include "livecapture.h"

#include "analyze/ikeexchanges.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cstring>

namespace ikev2wb {

namespace {
constexpr std::uint32_t kShb = 0x0A0D0D0A;
constexpr std::uint32_t kIdb = 1;
constexpr std::uint32_t kSpb = 3;
constexpr std::uint32_t kIsb = 5;
constexpr std::uint32_t kEpb = 6;
constexpr std::size_t kWords = LiveCapture::kWindow / 64;

QString flowText(const CaptureIndex &index, const EspSa &sa)
{
    if (sa.flowId >= index.flows.size()) return {};
    const Flow &f = index.flows[sa.flowId];
    const auto end = [&](const IpAddress &a, std::uint16_t port) -> QString {
        const QString addr = QString::fromStdString(a.toString());
        if (sa.encap != Encapsulation::Udp) return addr;
        const QString host = a.v6 ? QStringLiteral("[%1]").arg(addr) : addr;
        return host + QLatin1Char(':') + QString::number(port);
    };
    return end(f.src, f.srcPort) + QStringLiteral(" → ") + end(f.dst, f.dstPort);
}
} // namespace

LiveCapture::LiveCapture() = default;
LiveCapture::~LiveCapture() = default;

std::uint32_t LiveCapture::rd32(const std::uint8_t *p) const
{
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return m_swap ? __builtin_bswap32(v) : v;
}

std::uint16_t LiveCapture::rd16(const std::uint8_t *p) const
{
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return m_swap ? __builtin_bswap16(v) : v;
}

bool LiveCapture::fail(QString message)
{
    if (m_error.isEmpty()) m_error = std::move(message);
    m_buf.clear();
    m_at = 0;
    return false;
}

bool LiveCapture::feed(const char *data, std::size_t size)
{
    if (!m_error.isEmpty()) return false;
    m_buf.insert(m_buf.end(), reinterpret_cast<const std::uint8_t *>(data),
                 reinterpret_cast<const std::uint8_t *>(data) + size);
    while (m_buf.size() - m_at >= 12) {
        const std::uint8_t *p = m_buf.data() + m_at;
        std::uint32_t type;
        std::memcpy(&type, p, 4); // the section header's type reads the same in either byte order
        if (type == kShb) {
            std::uint32_t bom;
            std::memcpy(&bom, p + 8, 4);
            if (bom == 0x1A2B3C4D)
                m_swap = false;
            else if (bom == 0x4D3C2B1A)
                m_swap = true;
            else
                return fail(QStringLiteral("pcapng section header at byte %1 has no valid byte-order magic")
                                .arg(m_offset));
        } else if (!m_inSection) {
            return fail(QStringLiteral("the capture stream does not start with a pcapng section header"));
        }
        const std::uint32_t len = rd32(p + 4);
        if (len < 12 || len % 4 != 0 || len > kMaxBlock)
            return fail(
                QStringLiteral("pcapng block at byte %1 has an invalid length %2").arg(m_offset).arg(len));
        if (m_buf.size() - m_at < len) break; // the rest of the block is still on its way
        if (rd32(p + len - 4) != len)
            return fail(QStringLiteral("pcapng block at byte %1: its trailing length differs from %2")
                            .arg(m_offset)
                            .arg(len));
        if (!block(p, len, m_offset)) return false;
        m_at += len;
        m_offset += len;
    }
    // Keep only the partial block: what was handled is never looked at again.
    if (m_at == m_buf.size()) {
        m_buf.clear();
        m_at = 0;
    } else if (m_at >= (std::size_t(1) << 20) || m_at * 2 >= m_buf.size()) {
        m_buf.erase(m_buf.begin(), m_buf.begin() + std::ptrdiff_t(m_at));
        m_at = 0;
    }
    return true;
}

bool LiveCapture::block(const std::uint8_t *b, std::uint32_t len, std::uint64_t offset)
{
    const std::uint32_t type = rd32(b);
    switch (type) {
    case kShb:
        if (len < 28)
            return fail(QStringLiteral("pcapng section header at byte %1 is too short").arg(offset));
        m_inSection = true;
        m_interfaces.clear();
        return true;
    case kIdb:
        if (len < 20)
            return fail(QStringLiteral("pcapng interface description at byte %1 is too short").arg(offset));
        interfaceDescription(b, len);
        return true;
    case kEpb: {
        if (len < 32) return fail(QStringLiteral("pcapng packet block at byte %1 is too short").arg(offset));
        const std::uint32_t ifId = rd32(b + 8);
        const std::uint64_t ts = (std::uint64_t(rd32(b + 12)) << 32) | rd32(b + 16);
        const std::uint32_t cap = rd32(b + 20), orig = rd32(b + 24);
        if (cap > len - 32)
            return fail(QStringLiteral("pcapng packet block at byte %1: %2 captured bytes do not fit in it")
                            .arg(offset)
                            .arg(cap));
        if (ifId >= m_interfaces.size())
            return fail(QStringLiteral("pcapng packet block at byte %1 names interface %2, which was not "
                                       "described")
                            .arg(offset)
                            .arg(ifId));
        packet(ifId, ts, b + 28, cap, orig);
        return true;
    }
    case kSpb: {
        if (len < 16 || m_interfaces.empty())
            return fail(QStringLiteral("pcapng simple packet block at byte %1 is invalid").arg(offset));
        const std::uint32_t orig = rd32(b + 8);
        packet(0, 0, b + 12, std::min(orig, len - 16), orig);
        return true;
    }
    case kIsb:
        if (len >= 24) statistics(b, len);
        return true;
    default:
        return true; // name resolution, custom, decryption secrets ...: not needed here
    }
}

void LiveCapture::interfaceDescription(const std::uint8_t *b, std::uint32_t len)
{
    Interface i;
    i.linkType = rd16(b + 8);
    std::uint32_t o = 16;
    while (o + 4 <= len - 4) {
        const std::uint16_t code = rd16(b + o), olen = rd16(b + o + 2);
        if (code == 0 || o + 4 + olen > len - 4) break;
        if (code == 2) { // if_name
            i.name = QString::fromUtf8(reinterpret_cast<const char *>(b + o + 4), olen);
        } else if (code == 9 && olen == 1) { // if_tsresol
            i.powerOfTwo = (b[o + 4] & 0x80) != 0;
            i.exponent = b[o + 4] & 0x7f;
        }
        o += 4 + ((std::uint32_t(olen) + 3U) & ~3U);
    }
    if (!i.powerOfTwo && i.exponent > 18) i.exponent = 18;
    if (i.powerOfTwo && i.exponent > 62) i.exponent = 62;
    // The index reads one link type: the first interface's (the helper writes one interface).
    if (!m_builder) {
        CaptureFileInfo info;
        info.path = i.name;
        info.format = QStringLiteral("pcapng");
        info.linkType = i.linkType;
        if (const char *n = pcap_datalink_val_to_name(i.linkType)) info.linkTypeName = QString::fromLatin1(n);
        info.snapLength = int(std::min<std::uint32_t>(rd32(b + 12), 0x7fffffff));
        info.nanosecondFile = !i.powerOfTwo && i.exponent == 9;
        m_builder = std::make_unique<IndexBuilder>(info);
        m_builderLinkType = i.linkType;
    }
    i.used = i.linkType == m_builderLinkType;
    m_interfaces.push_back(std::move(i));
}

void LiveCapture::packet(std::uint32_t ifId, std::uint64_t ts, const std::uint8_t *data, std::uint32_t capLen,
                         std::uint32_t origLen)
{
    const Interface &i = m_interfaces[ifId];
    if (!i.used) return;
    std::int64_t ns;
    if (i.powerOfTwo) {
        // ts / 2^e seconds: whole seconds and the fraction apart (no 128-bit product needed).
        const std::uint64_t whole = i.exponent >= 64 ? 0 : ts >> i.exponent;
        std::uint64_t frac = ts - (whole << i.exponent);
        int e = i.exponent;
        for (; e > 30; --e) // keeps frac * 10^9 within 64 bits
            frac >>= 1;
        ns = std::int64_t(whole * 1000000000u + ((frac * 1000000000u) >> e));
    } else if (i.exponent <= 9) {
        std::uint64_t mul = 1;
        for (int k = i.exponent; k < 9; ++k)
            mul *= 10;
        ns = std::int64_t(ts * mul);
    } else {
        std::uint64_t div = 1;
        for (int k = 9; k < i.exponent; ++k)
            div *= 10;
        ns = std::int64_t(ts / div);
    }
    RawPacket pkt;
    pkt.tsNs = ns;
    pkt.capturedLength = capLen;
    pkt.originalLength = origLen;
    pkt.presentLength = capLen;
    pkt.data = data;
    m_builder->add(pkt);
    m_bytes += origLen;
    const std::uint32_t sa = m_builder->lastEspSa();
    if (sa == IndexBuilder::kNoSa) return;
    const CaptureIndex &index = m_builder->current();
    if (m_originNs == 0 && m_espPerSecond.empty()) m_originNs = index.firstNs;
    if (sa >= m_trackers.size()) {
        m_trackers.resize(std::size_t(sa) + 1);
        m_points.resize(std::size_t(sa) + 1);
        m_gaps.resize(std::size_t(sa) + 1);
    }
    std::uint64_t ext = 0;
    LiveSeqPoint::Kind kind = LiveSeqPoint::Kind::InOrder;
    const std::uint64_t skipped =
        m_trackers[sa].add(index.packets[index.packets.size() - 1].seq(), &ext, &kind);
    if (ext != 0) m_points[sa].push_back({ns, ext, std::uint64_t(index.packets.size() - 1), kind});
    if (skipped > 0) m_gaps[sa].push_back({ns, ext - skipped, skipped});
    const std::size_t bucket = bucketOf(ns);
    ++m_espPerSecond[bucket];
    m_missingPerSecond[bucket] += skipped;
}

std::size_t LiveCapture::bucketOf(std::int64_t tsNs)
{
    std::size_t b = 0;
    if (tsNs > m_originNs)
        b = std::min<std::size_t>(std::size_t((tsNs - m_originNs) / 1000000000), kMaxSeconds - 1);
    if (b >= m_espPerSecond.size()) {
        m_espPerSecond.resize(b + 1, 0);
        m_missingPerSecond.resize(b + 1, 0);
    }
    return b;
}

std::uint64_t LiveCapture::SeqTracker::runMissing() const
{
    if (!rule.started()) return 0;
    const std::uint64_t span = rule.top() - first + 1;
    return span - std::min(distinct, span);
}

std::uint64_t LiveCapture::SeqTracker::add(std::uint32_t seq32, std::uint64_t *ext, LiveSeqPoint::Kind *kind)
{
    *kind = LiveSeqPoint::Kind::InOrder;
    // The file analysis decides the wrap from the SA's lowest and highest 32-bit numbers over the
    // whole capture; live, from those seen so far: the rule becomes an ESN one at the first
    // packet that shows it, carrying on from the current top (numbers seen before it lie on one
    // side of 2^32 and extend to themselves either way).
    min32 = std::min(min32, seq32);
    max32 = std::max(max32, seq32);
    if (!rule.esn() && EspSequenceRule::wraps(min32, max32)) {
        const bool running = rule.started();
        const std::uint64_t top = rule.top();
        rule = EspSequenceRule(true);
        if (running) rule.accept(top);
    }
    const std::uint64_t seq = rule.extend(seq32);
    *ext = seq;
    if (seq == 0) { // never valid (RFC 4303 §3.3.3); the file analysis counts it apart too
        ++invalidZero;
        return 0;
    }
    if (rule.isRestart(seq32, seq)) {
        missingBefore += runMissing();
        ++restarts;
        rule.restart();
    }
    const auto bit = [this](std::uint64_t n) -> std::uint64_t & { return seen[(n % kWindow) / 64]; };
    const auto mask = [](std::uint64_t n) { return std::uint64_t(1) << (n % 64); };
    if (!rule.started()) {
        seen.assign(kWords, 0);
        rule.accept(seq);
        first = seq;
        distinct = 1;
        bit(seq) |= mask(seq);
        return 0;
    }
    const std::uint64_t top = rule.top();
    if (seq > top) {
        const std::uint64_t skipped = seq - top - 1;
        if (seq - top >= kWindow) {
            std::fill(seen.begin(), seen.end(), 0);
        } else {
            for (std::uint64_t n = top + 1; n <= seq; ++n)
                bit(n) &= ~mask(n);
        }
        rule.accept(seq);
        bit(seq) |= mask(seq);
        ++distinct;
        return skipped;
    }
    *kind = LiveSeqPoint::Kind::Late;
    if (seq + kWindow <= top) { // too far behind to tell a late fill from a duplicate
        ++late;
        return 0;
    }
    if (bit(seq) & mask(seq)) {
        ++duplicates;
        *kind = LiveSeqPoint::Kind::Duplicate;
        return 0;
    }
    bit(seq) |= mask(seq);
    ++distinct;
    first = std::min(first, seq);
    return 0;
}

void LiveCapture::setTimelineSa(std::size_t sa)
{
    m_timelineSa = sa;
    m_timelineSent = m_timelineGapsSent = 0;
}

void LiveCapture::statistics(const std::uint8_t *b, std::uint32_t len)
{
    IsbCounters c;
    QString why;
    readIsbCounters(b, len, m_swap, &c, &why); // a bad option ends the list; what came before counts
    m_lastIsb[rd32(b + 8)] = c;
}

LiveSnapshot LiveCapture::snapshot()
{
    LiveSnapshot s;
    s.streamBytes = m_offset + (m_buf.size() - m_at);
    s.error = m_error;
    if (!m_interfaces.empty()) {
        s.interfaceName = m_interfaces.front().name;
        s.linkType = m_interfaces.front().linkType;
    }
    if (!m_lastIsb.empty()) {
        CaptureDrops d;
        for (const auto &[key, c] : m_lastIsb)
            addIsbCounters(d, c);
        s.drops = d;
    }
    if (m_builder) {
        const CaptureIndex &index = m_builder->current();
        s.packets = index.packets.size();
        s.bytes = m_bytes;
        s.kindCounts = index.kindCounts;
        s.ikeMessages = index.ikeMessages.size();
        s.firstNs = index.firstNs;
        s.lastNs = index.lastNs;
        s.sas.reserve(index.espSas.size());
        for (std::size_t i = 0; i < index.espSas.size(); ++i) {
            const EspSa &sa = index.espSas[i];
            LiveSa l;
            l.spi = sa.spi;
            l.flow = flowText(index, sa);
            l.encap = sa.encap;
            l.packets = sa.packets;
            l.bytes = sa.bytes;
            if (i < m_trackers.size()) {
                const SeqTracker &t = m_trackers[i];
                l.firstSeq = t.first;
                l.topSeq = t.rule.top();
                l.missing = t.missingBefore + t.runMissing();
                l.duplicates = t.duplicates;
                l.late = t.late;
                l.esn = t.rule.esn();
                l.restarts = t.restarts;
                l.invalidZero = t.invalidZero;
            }
            s.sas.push_back(std::move(l));
        }
    }
    if (m_timelineSa < m_points.size()) {
        const auto &points = m_points[m_timelineSa];
        const auto &gaps = m_gaps[m_timelineSa];
        s.timelineSa = m_timelineSa;
        s.timelineFrom = m_timelineSent;
        s.timelineGapsFrom = m_timelineGapsSent;
        s.timelinePoints.assign(points.begin() + std::ptrdiff_t(m_timelineSent), points.end());
        s.timelineGaps.assign(gaps.begin() + std::ptrdiff_t(m_timelineGapsSent), gaps.end());
        m_timelineSent = points.size();
        m_timelineGapsSent = gaps.size();
    }
    if (m_builder && m_builder->current().ikeMessages.size() != m_ikeMessagesSent) {
        // The ladder needs the IKE messages, their flows and the SAs, not the packets: a copy of
        // those tables (small) is analysed as a file's would be.
        const CaptureIndex &index = m_builder->current();
        auto ike = std::make_shared<CaptureIndex>();
        ike->file = index.file;
        ike->flows = index.flows;
        ike->espSas = index.espSas;
        ike->ikeMessages = index.ikeMessages;
        ike->kindCounts = index.kindCounts;
        ike->firstNs = index.firstNs;
        ike->lastNs = index.lastNs;
        auto analysis = std::make_shared<CaptureAnalysis>();
        analysis->ike = analyzeIkeExchanges(*ike);
        m_ikeMessagesSent = index.ikeMessages.size();
        s.ikeIndex = std::move(ike);
        s.ikeAnalysis = std::move(analysis);
    }
    s.seriesFrom = std::min(m_sentUpTo, m_espPerSecond.size());
    s.espPerSecond.assign(m_espPerSecond.begin() + std::ptrdiff_t(s.seriesFrom), m_espPerSecond.end());
    s.missingPerSecond.assign(m_missingPerSecond.begin() + std::ptrdiff_t(s.seriesFrom),
                              m_missingPerSecond.end());
    // The last bucket may still grow: it is sent again next time.
    m_sentUpTo = m_espPerSecond.empty() ? 0 : m_espPerSecond.size() - 1;
    return s;
}

} // namespace ikev2wb
