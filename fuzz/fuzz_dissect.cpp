// libFuzzer target: one frame through the Dissector and the IKE payload walker, then the input
// split into several frames through an IndexBuilder (reassembler, NAT-T learning, tables).
//
// Input layout:
//   bytes 0-1   big-endian selector: selector % 9 picks the link type, the quotient's bits
//               pick variations (see kOpt* below)
//   bytes 2-    the frame; for the IndexBuilder pass it is split at every kSeparator into
//               consecutive frames of the same link type
#include "dissect/dissector.h"
#include "dissect/ikepayloads.h"
#include "index/indexbuilder.h"

#include <pcap/dlt.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace ikev2wb;

namespace {

constexpr int kLinkTypes[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL,
                              DLT_LOOP,   DLT_IPV4,      DLT_IPV6,       14 /* OpenBSD DLT_RAW */};
constexpr unsigned kLinkTypeCount = sizeof kLinkTypes / sizeof kLinkTypes[0];

constexpr unsigned kOptSnapTruncated = 1u << 0; // originalLength > capturedLength
constexpr unsigned kOptSlowClock = 1u << 1;     // 20 s between frames: fragments time out
constexpr unsigned kOptRepeat = 1u << 2;        // feed the frame list twice (duplicates, re-learning)

// Rare in real packets, easy for libFuzzer to learn from the memcmp it sees.
constexpr std::uint8_t kSeparator[] = {'F', 'R', 'M', 0xfe};

void check(bool condition)
{
    if (!condition) std::abort();
}

void dissectOne(int dlt, ByteView frame, std::uint32_t originalLength)
{
    Dissector dissector(dlt);
    const PacketFacts f = dissector.dissect(frame, originalLength);
    check(f.kind < PacketKind::Count_);
    check(!(f.flags & FlagMalformed) || f.warning != nullptr);
    if (f.ipVersion != 0) check(f.l3Offset <= frame.size());
    if (f.kind == PacketKind::Ike || f.kind == PacketKind::IkeNatT || f.kind == PacketKind::IkeTcp) {
        const IkePayloadSummary s = parseIkePayloads(f.ikeMessage, f.ike);
        check(!s.hasSk || !s.hasSkf); // the walk stops at the first encrypted payload
    }
    // The reading thread may hand over only the bytesToDissect() prefix (copied into a buffer of
    // exactly that size, so ASan catches a read past it): it must dissect to the same facts.
    const std::size_t need = Dissector::bytesToDissect(dlt, frame, originalLength);
    check(need <= frame.size());
    if (need < frame.size()) {
        const std::vector<std::uint8_t> prefix(frame.data(), frame.data() + need);
        Dissector cut(dlt);
        const PacketFacts g = cut.dissect(ByteView(prefix.data(), prefix.size()), originalLength,
                                          static_cast<std::uint32_t>(frame.size()));
        check(g.kind == f.kind && g.flags == f.flags && g.spi == f.spi && g.seq == f.seq &&
              g.espLen == f.espLen && g.ipTotalLen == f.ipTotalLen && g.src == f.src && g.dst == f.dst &&
              g.srcPort == f.srcPort && g.dstPort == f.dstPort && g.l4Offset == f.l4Offset &&
              (g.warning == nullptr) == (f.warning == nullptr) && f.ikeMessage.empty());
    }
    // The same bytes as an IP packet (the path reassembled datagrams take).
    const PacketFacts ip = dissector.dissectIp(frame);
    if (ip.kind == PacketKind::Ike || ip.kind == PacketKind::IkeNatT || ip.kind == PacketKind::IkeTcp)
        (void)parseIkePayloads(ip.ikeMessage, ip.ike);
    // And as a bare IKE message.
    IkeHeader h;
    if (parseIkeHeader(frame, h)) (void)parseIkePayloads(frame, h);
}

std::vector<ByteView> splitFrames(ByteView rest)
{
    std::vector<ByteView> frames;
    const std::uint8_t *p = rest.data();
    const std::uint8_t *end = p + rest.size();
    while (frames.size() < 256) {
        const auto *hit = std::search(p, end, std::begin(kSeparator), std::end(kSeparator));
        frames.emplace_back(p, std::size_t(hit - p));
        if (hit == end) break;
        p = hit + sizeof kSeparator;
    }
    return frames;
}

void indexFrames(int dlt, unsigned opts, const std::vector<ByteView> &frames)
{
    CaptureFileInfo info;
    info.linkType = dlt;
    info.format = QStringLiteral("pcap");
    IndexBuilder builder(info);
    std::int64_t ts = 1'700'000'000'000'000'000LL;
    const std::int64_t step = (opts & kOptSlowClock) ? 20'000'000'000LL : 1'000'000LL;
    std::uint64_t fed = 0;
    const int rounds = (opts & kOptRepeat) ? 2 : 1;
    // Frames live in the fuzzer's buffer; copy each so ASan sees the exact captured extent.
    std::vector<std::uint8_t> copy;
    for (int round = 0; round < rounds; ++round) {
        for (const ByteView &frame : frames) {
            copy.assign(frame.data(), frame.data() + frame.size());
            RawPacket pkt;
            pkt.tsNs = ts;
            pkt.capturedLength = static_cast<std::uint32_t>(copy.size());
            pkt.presentLength = pkt.capturedLength;
            pkt.originalLength = pkt.capturedLength + ((opts & kOptSnapTruncated) ? 100u : 0u);
            pkt.data = copy.data();
            builder.add(pkt);
            ts += step;
            ++fed;
        }
    }
    ReadOutcome outcome;
    outcome.packets = fed;
    const CaptureIndex index = builder.finish(outcome);
    check(index.packetCount() == fed);
    std::uint64_t counted = 0;
    for (const auto c : index.kindCounts)
        counted += c;
    check(counted == fed);
    for (std::size_t i = 0; i < index.packetCount(); ++i) {
        const PacketRecord &r = index.packets[i];
        check(r.flowId == kNoFlow || r.flowId < index.flows.size());
        if (r.isIke()) check(r.a < index.ikeMessages.size());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2) return 0;
    const unsigned selector = (unsigned(data[0]) << 8) | data[1];
    const int dlt = kLinkTypes[selector % kLinkTypeCount];
    const unsigned opts = selector / kLinkTypeCount;
    const ByteView rest(data + 2, size - 2);

    // A heap copy of exactly the frame's bytes, so any over-read is caught by ASan.
    std::vector<std::uint8_t> frame(rest.data(), rest.data() + rest.size());
    const std::uint32_t caplen = static_cast<std::uint32_t>(frame.size());
    dissectOne(dlt, ByteView(frame.data(), frame.size()), caplen + ((opts & kOptSnapTruncated) ? 100u : 0u));

    indexFrames(dlt, opts, splitFrames(rest));
    return 0;
}
