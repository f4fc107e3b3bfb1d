#include "indexbuilder.h"

#include "captureset.h"
#include "espsa.h"

#include <QFileInfo>

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>
#include <tuple>

namespace ikev2wb {

namespace {
constexpr std::size_t kMaxWarnings = 1000;
}

std::size_t IndexBuilder::FlowKeyHash::operator()(const FlowKey &k) const noexcept
{
    // Runs for every packet whose flow differs from the previous packet's. Mixing the four
    // 64-bit address words instead of FNV-1a over 32 single bytes (a chain of 32 dependent
    // multiplies) took this from ~11 % of `ikev2wb summary` to ~1 %.
    std::uint64_t w[4];
    std::memcpy(w, k.src.bytes.data(), 16);
    std::memcpy(w + 2, k.dst.bytes.data(), 16);
    const std::uint64_t ports = (std::uint64_t(k.srcPort) << 24) | (std::uint64_t(k.dstPort) << 8) | k.proto;
    std::uint64_t h = (w[0] * 0x9e3779b97f4a7c15ULL) ^ (w[1] * 0xc2b2ae3d27d4eb4fULL) ^
                      (w[2] * 0x165667b19e3779f9ULL) ^ (w[3] * 0xd6e8feb86659fd93ULL) ^
                      (ports * 0xff51afd7ed558ccdULL);
    h ^= h >> 32;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    return static_cast<std::size_t>(h);
}

IndexBuilder::IndexBuilder(const CaptureFileInfo &file) : m_dissector(file.linkType)
{
    m_index.file = file;
}

void IndexBuilder::warn(std::int64_t packet, QString message)
{
    if (m_index.warnings.size() >= kMaxWarnings) {
        ++m_index.warningsSuppressed;
        return;
    }
    m_index.warnings.push_back({packet, std::move(message)});
}

std::uint32_t IndexBuilder::flowIdOf(const FlowKey &key, std::int64_t tsNs)
{
    FlowCacheEntry &cached = m_flowCache[FlowKeyHash{}(key) & (kCacheSize - 1)];
    if (cached.id != kNoFlow && cached.key == key) return cached.id;
    auto [it, inserted] = m_flowIds.try_emplace(key, static_cast<std::uint32_t>(m_index.flows.size()));
    if (inserted) {
        Flow fl;
        fl.src = key.src;
        fl.dst = key.dst;
        fl.srcPort = key.srcPort;
        fl.dstPort = key.dstPort;
        fl.proto = key.proto;
        fl.firstNs = tsNs;
        m_index.flows.push_back(fl);
    }
    cached.key = key;
    cached.id = it->second;
    return it->second;
}

namespace {
/// The IPv4 address of an IpAddress the dissector made of an IPv4 header (IpAddress::fromV4:
/// bytes 12-15), in its byte order.
std::uint32_t v4Of(const IpAddress &a)
{
    std::uint32_t v4;
    std::memcpy(&v4, a.bytes.data() + 12, 4);
    return v4;
}
} // namespace

// flowFor(), addEsp() and keep() are forced inline into add(), which calls them for nearly every
// packet: GCC left them out of line (keep() too, declared `inline`), and as calls they cost their
// register saves and the facts reloaded from memory, 63 instructions a packet together
// (callgrind, analyze --json of a generated capture).
[[gnu::always_inline]] inline std::uint32_t IndexBuilder::flowFor(const PacketFacts &f, std::int64_t tsNs,
                                                                  std::uint32_t ipLen)
{
    const bool fragment = f.kind == PacketKind::Fragment;
    const std::uint16_t srcPort = fragment ? 0 : f.srcPort, dstPort = fragment ? 0 : f.dstPort;
    // The look-up in m_flowIds (and the IPv4 cache's refill) out of line: the cache hit below,
    // nearly every packet, then makes no call and keeps its values in registers (with the call
    // inline it saved and restored six registers and built the key on the stack each packet).
    // (clang-format breaks the lambda's GNU attribute over three lines.)
    // clang-format off
    const auto lookUp = [this](const PacketFacts &p, std::int64_t ts, std::uint16_t sp, std::uint16_t dp,
                               V4CacheEntry *cached, std::uint64_t k0, std::uint64_t k1) __attribute__((noinline)) {
        // clang-format on
        const std::uint32_t id = flowIdOf(FlowKey{p.src, p.dst, sp, dp, p.ipProto}, ts);
        if (cached) *cached = {k0, k1, id};
        return id;
    };
    std::uint32_t id;
    if (f.ipVersion == 4) {
        // An IPv4 flow is found by its 5-tuple in 16 bytes (two words hashed and compared)
        // before the general key of two 16-byte addresses (hashed from five words, compared in 37
        // bytes): most packets are IPv4, and this ran for every packet. The dissector sets
        // ipVersion 4 only with both addresses from the IPv4 header (an IPv6 header's v4-mapped
        // addresses come with ipVersion 6 and take the general key, as before).
        const std::uint64_t k0 = (std::uint64_t(v4Of(f.src)) << 32) | v4Of(f.dst);
        const std::uint64_t k1 = (std::uint64_t(1) << 40) | (std::uint64_t(srcPort) << 24) |
                                 (std::uint64_t(dstPort) << 8) | f.ipProto; // bit 40: entry in use
        std::uint64_t h = (k0 * 0x9e3779b97f4a7c15ULL) ^ (k1 * 0xc2b2ae3d27d4eb4fULL);
        h ^= h >> 29;
        V4CacheEntry &cached = m_v4FlowCache[(h >> 7) & (kCacheSize - 1)];
        if (cached.k0 == k0 && cached.k1 == k1) [[likely]]
            id = cached.id;
        else
            id = lookUp(f, tsNs, srcPort, dstPort, &cached, k0, k1);
    } else {
        id = lookUp(f, tsNs, srcPort, dstPort, nullptr, 0, 0);
    }
    Flow &fl = m_index.flows[id];
    ++fl.packets;
    fl.bytes += ipLen;
    fl.lastNs = tsNs;
    const std::uint8_t ttl = f.ttl;
    fl.minTtl = std::min(fl.minTtl, ttl);
    fl.maxTtl = std::max(fl.maxTtl, ttl);
    return id;
}

[[gnu::always_inline]] inline void IndexBuilder::addEsp(const PacketFacts &f, PacketRecord &rec)
{
    rec.a = f.spi;
    rec.b = f.seq;
    const std::uint64_t key = (std::uint64_t(f.spi) << 32) | rec.flowId;
    SaCacheEntry &cached = m_saCache[((key * 0x9e3779b97f4a7c15ULL) >> 32) & (kCacheSize - 1)];
    std::uint32_t id;
    if (cached.key == key) {
        id = cached.id;
    } else {
        auto [it, inserted] = m_saIds.try_emplace(key, static_cast<std::uint32_t>(m_index.espSas.size()));
        if (inserted) {
            EspSa sa;
            sa.spi = f.spi;
            sa.flowId = rec.flowId;
            sa.encap = f.kind == PacketKind::EspInUdp ? Encapsulation::Udp : Encapsulation::Esp;
            sa.firstSeq = f.seq;
            sa.firstNs = rec.tsNs;
            m_index.espSas.push_back(sa);
        }
        id = it->second;
        cached.key = key;
        cached.id = id;
    }
    m_lastEspSa = id;
    EspSa &sa = m_index.espSas[id];
    ++sa.packets;
    sa.bytes += rec.ipLength;
    sa.lastSeq = f.seq;
    sa.minSeq = std::min(sa.minSeq, f.seq);
    sa.maxSeq = std::max(sa.maxSeq, f.seq);
    sa.lastNs = rec.tsNs;
    sa.maxIpLength = std::max(sa.maxIpLength, rec.ipLength);
    if (f.flags & FlagFragment) ++sa.fragmented;
}

void IndexBuilder::addIke(const PacketFacts &f, PacketRecord &rec, bool fromReassembly)
{
    IkeMessage m;
    m.packet = m_packetIndex;
    m.tsNs = rec.tsNs;
    m.flowId = rec.flowId;
    m.header = f.ike;
    m.transport = f.kind == PacketKind::Ike
                      ? IkeTransport::Udp
                      : (f.kind == PacketKind::IkeNatT ? IkeTransport::UdpNatT : IkeTransport::Tcp);
    m.ipLength = rec.ipLength;
    m.ipId = rec.ipId;
    m.ttl = f.ttl;
    m.capturedLength = static_cast<std::uint32_t>(std::min<std::size_t>(f.ikeMessage.size(), f.ike.length));
    m.ipFragmented = (f.flags & FlagFragment) != 0;
    m.reassembled = fromReassembly;
    m.payloads = parseIkePayloads(f.ikeMessage, f.ike);
    if (m.payloads.warning)
        warn(std::int64_t(m_packetIndex), QStringLiteral("IKE message ID %1: %2")
                                              .arg(f.ike.messageId)
                                              .arg(QString::fromLatin1(m.payloads.warning)));
    rec.a = static_cast<std::uint32_t>(m_index.ikeMessages.size());
    rec.b = f.ike.messageId;
    rec.aux = f.ike.exchange;
    if (f.ike.isResponse()) rec.flags |= FlagIkeResponse;
    if (f.ike.isInitiator()) rec.flags |= FlagIkeInitiator;
    if (m.ipFragmented && !fromReassembly) m_ikeByFirstFrag[m_packetIndex] = rec.a;
    m_index.ikeMessages.push_back(m);
}

void IndexBuilder::addIcmp(const PacketFacts &f, PacketRecord &rec)
{
    IcmpError e;
    e.packet = m_packetIndex;
    e.tsNs = rec.tsNs;
    e.reporter = f.src;
    e.to = f.dst;
    e.type = f.icmpType;
    e.code = f.icmpCode;
    e.kind = f.kind;
    e.mtu = f.mtu;
    e.quoted = f.quoted;
    e.quotesEsp = (f.flags & FlagQuotedEsp) != 0;
    rec.a = static_cast<std::uint32_t>(m_index.icmpErrors.size());
    rec.b = f.mtu;
    rec.aux = f.icmpType;
    m_index.icmpErrors.push_back(e);
}

void IndexBuilder::completeFromReassembly()
{
    // The reassembled datagram carries the whole IKE message: re-read its payload chain and
    // attach it to the message recorded at the first fragment.
    const FragmentedDatagram &done = m_reassembler.finished().back();
    auto it = m_ikeByFirstFrag.find(done.firstPacket);
    if (it == m_ikeByFirstFrag.end()) return;
    const PacketFacts whole = m_dissector.dissectIp(ByteView(m_datagram.data(), m_datagram.size()));
    if (whole.kind == PacketKind::Ike || whole.kind == PacketKind::IkeNatT) {
        IkeMessage &m = m_index.ikeMessages[it->second];
        m.capturedLength =
            static_cast<std::uint32_t>(std::min<std::size_t>(whole.ikeMessage.size(), whole.ike.length));
        m.payloads = parseIkePayloads(whole.ikeMessage, whole.ike);
        m.reassembled = true;
    }
    m_ikeByFirstFrag.erase(it);
}

[[gnu::always_inline]] inline void IndexBuilder::keep(const PacketRecord &rec)
{
    if (m_observer) m_observer->record(rec, m_lastEspSa, m_index);
    if (m_keepRecords)
        m_index.packets.push_back(rec);
    else
        ++m_index.packetsNotKept;
    ++m_packetIndex;
}

void IndexBuilder::add(const RawPacket &pkt)
{
    const ByteView frame = pkt.bytes();
    const PacketFacts f = m_dissector.dissect(frame, pkt.originalLength, pkt.capturedLength);
    PacketRecord rec;
    rec.tsNs = pkt.tsNs;
    rec.frameLength = pkt.originalLength;
    rec.flags = f.flags;
    rec.kind = f.kind;
    rec.ipId = static_cast<std::uint16_t>(f.ipId);
    rec.ipLength = static_cast<std::uint16_t>(std::min<std::uint32_t>(f.ipTotalLen, 0xffff));
    rec.flowId = kNoFlow;
    m_lastEspSa = kNoSa;

    if (m_packetIndex == 0) m_index.firstNs = pkt.tsNs;
    if (m_packetIndex > 0 && pkt.tsNs < m_previousNs) {
        rec.flags |= FlagTimeBackwards;
        if (m_index.timeBackwards++ == 0) m_index.firstTimeBackwards = std::int64_t(m_packetIndex);
        // Unsigned: the two times may be 2^62 ns apart (pcapng); the step is clamped to int64.
        const std::uint64_t step = std::uint64_t(m_previousNs) - std::uint64_t(pkt.tsNs);
        m_index.largestStepBackNs = std::max(
            m_index.largestStepBackNs, std::int64_t(std::min<std::uint64_t>(
                                           step, std::uint64_t(std::numeric_limits<std::int64_t>::max()))));
    }
    m_previousNs = pkt.tsNs;
    m_index.firstNs = std::min(m_index.firstNs, pkt.tsNs);
    m_index.lastNs = std::max(m_index.lastNs, pkt.tsNs);
    if (m_index.scope.active() && !m_index.scope.holds(f)) {
        // Another tunnel's (or plain traffic, a non-IP frame): it keeps its number and time (the
        // capture was running), nothing else.
        rec.kind = PacketKind::OutOfScope;
        rec.flags &= FlagTimeBackwards;
        rec.ipId = 0;
        ++m_index.kindCounts[std::size_t(PacketKind::OutOfScope)];
        keep(rec);
        return;
    }
    if (f.flags & FlagSnapTruncated) ++m_index.snapTruncated;
    if (f.flags & FlagMalformed) {
        ++m_index.malformed;
        if ((f.flags & FlagCorruptHeader) && m_index.corruptHeaders++ == 0) {
            m_index.firstCorruptHeader = std::int64_t(m_packetIndex);
            m_index.firstCorruptHeaderNs = pkt.tsNs;
        }
        warn(std::int64_t(m_packetIndex), QString::fromLatin1(f.warning ? f.warning : "malformed packet"));
    }

    if (f.ipVersion != 0 && f.kind != PacketKind::Malformed) rec.flowId = flowFor(f, pkt.tsNs, f.ipTotalLen);

    switch (f.kind) {
    case PacketKind::Esp:
    case PacketKind::EspInUdp:
        addEsp(f, rec);
        break;
    case PacketKind::Ike:
    case PacketKind::IkeNatT:
        addIke(f, rec, false);
        break;
    case PacketKind::IkeTcp:
        m_index.flows[rec.flowId].ikeOverTcp = true;
        if (f.ike.length != 0) addIke(f, rec, false);
        break;
    case PacketKind::IcmpNeedFrag:
    case PacketKind::Icmp6TooBig:
    case PacketKind::IcmpUnreachable:
        addIcmp(f, rec);
        break;
    case PacketKind::Fragment:
        rec.a = f.fragOffset; // for the display filter's ip.frag_offset
        break;
    default:
        // Plain (or decrypted inner) TCP: keep a SYN's MSS option for the MTU analysis.
        if (f.tcpMss) rec.b = f.tcpMss;
        // Other ICMP / ICMPv6 (echo, neighbour discovery, time exceeded): type and code.
        if ((f.ipVersion == 4 && f.ipProto == 1) || (f.ipVersion == 6 && f.ipProto == 58)) {
            rec.aux = f.icmpType;
            rec.a = f.icmpCode;
        }
        break;
    }
    ++m_index.kindCounts[std::size_t(f.kind)];

    if ((f.flags & FlagFragment) && f.kind != PacketKind::Malformed) {
        if (m_reassembler.add(f, frame.from(f.l3Offset), m_packetIndex, pkt.tsNs, m_datagram))
            completeFromReassembly();
    }
    keep(rec);
}

namespace {
/// The flows of a TCP connection that carried IKE in one direction carry the tunnel both ways.
void markIkeOverTcpConnections(std::vector<Flow> &flows)
{
    std::set<std::tuple<IpAddress, IpAddress, std::uint16_t, std::uint16_t>> reverse;
    for (const Flow &fl : flows)
        if (fl.proto == 6 && fl.ikeOverTcp) reverse.insert({fl.dst, fl.src, fl.dstPort, fl.srcPort});
    if (reverse.empty()) return;
    for (Flow &fl : flows)
        if (fl.proto == 6 && reverse.count({fl.src, fl.dst, fl.srcPort, fl.dstPort})) fl.ikeOverTcp = true;
}
} // namespace

CaptureIndex IndexBuilder::finish(const ReadOutcome &outcome)
{
    markIkeOverTcpConnections(m_index.flows);
    m_reassembler.flush();
    m_index.fragmentedDatagrams = m_reassembler.finished();
    for (const auto &d : m_index.fragmentedDatagrams) {
        if (d.outcome != FragmentedDatagram::Outcome::Complete)
            warn(std::int64_t(d.firstPacket),
                 QStringLiteral("IP datagram %1 → %2 (ID %3) not reassembled: %4 of its fragments seen, %5")
                     .arg(QString::fromStdString(d.src.toString()), QString::fromStdString(d.dst.toString()))
                     .arg(d.id)
                     .arg(d.fragments)
                     .arg(QString::fromLatin1(outcomeName(d.outcome))));
    }
    if (m_index.scope.active()) {
        std::uint64_t tunnel = 0;
        for (const PacketKind k : {PacketKind::Esp, PacketKind::EspInUdp, PacketKind::Ike,
                                   PacketKind::IkeNatT, PacketKind::IkeTcp})
            tunnel += m_index.count(k);
        if (tunnel == 0)
            warn(-1,
                 QStringLiteral("no IKE or ESP packet of the capture is in the tunnel %1 (%2 of %3 packets "
                                "are outside it): is that the address this capture shows for the peer?")
                     .arg(m_index.scope.text())
                     .arg(m_index.count(PacketKind::OutOfScope))
                     .arg(m_packetIndex));
    }
    if (!outcome.warning.isEmpty()) {
        m_index.partial = true;
        m_index.warnings.insert(m_index.warnings.begin(), {-1, outcome.warning});
    }
    if (outcome.cancelled) {
        m_index.partial = true;
        m_index.cancelled = true;
    }
    return std::move(m_index);
}

void addPcapngStatistics(CaptureIndex &index, CaptureReader &reader)
{
    // libpcap does not hand over the statistics blocks: one pass over the block headers.
    PcapngStatsScan scan = scanPcapngStatistics(reader.duplicateHandle());
    index.captureDrops = scan.drops;
    if (!scan.warning.isEmpty() && !index.partial)
        index.warnings.push_back({-1, QStringLiteral("statistics blocks: %1").arg(scan.warning)});
}

std::unique_ptr<CaptureIndex> loadCapture(const QString &path, QString *error, const ProgressFn &progress,
                                          const std::atomic_bool *cancel, IndexContents contents,
                                          RecordObserver *observer, bool readerThread,
                                          const TunnelScope &scope)
{
    if (QFileInfo(path).isDir())
        return loadCaptureSet({path}, error, progress, cancel, contents, observer, readerThread, scope);
    auto reader = CaptureReader::open(path, error);
    if (!reader) return nullptr;
    IndexBuilder builder(reader->info());
    builder.setContents(contents);
    builder.setObserver(observer);
    builder.setScope(scope);
    reader->setDissectorPrefixOnly(true); // the builder reads packet bytes only through the dissector
    reader->setReaderThread(readerThread);
    const ReadOutcome outcome = reader->read([&](const RawPacket &p) { builder.add(p); }, progress, cancel);
    auto index = std::make_unique<CaptureIndex>(builder.finish(outcome));
    if (index->file.format == QLatin1String("pcapng") && !index->cancelled)
        addPcapngStatistics(*index, *reader);
    return index;
}

std::unique_ptr<CaptureIndex> loadCapture(const QStringList &paths, QString *error,
                                          const ProgressFn &progress, const std::atomic_bool *cancel,
                                          IndexContents contents, RecordObserver *observer, bool readerThread,
                                          const TunnelScope &scope)
{
    if (paths.size() == 1 && !QFileInfo(paths.front()).isDir())
        return loadCapture(paths.front(), error, progress, cancel, contents, observer, readerThread, scope);
    return loadCaptureSet(paths, error, progress, cancel, contents, observer, readerThread, scope);
}

bool revisitRecords(const CaptureIndex &index,
                    const std::function<bool(const PacketRecord &, std::uint32_t)> &visit)
{
    if (!index.hasRecords()) return false;
    EspSaResolver saOf(index.espSas);
    bool go = true;
    index.packets.forEach([&](const PacketRecord &r) {
        if (go) go = visit(r, r.isEsp() ? saOf.find(r) : IndexBuilder::kNoSa);
    });
    return true;
}

} // namespace ikev2wb
