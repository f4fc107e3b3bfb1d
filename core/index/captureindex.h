#pragma once
// The result of reading one capture: compact packet records plus the flow, SA, IKE message
// and ICMP tables that analyzers and views share. Never holds raw packet bytes.
#include "../capture/capturereader.h"
#include "../capture/pcapngstats.h"
#include "../dissect/ikepayloads.h"
#include "../dissect/reassembler.h"
#include "packetrecord.h"

#include <QString>
#include <QStringList>

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

    /// RFC 9329: a TCP connection that carried IKE (its "IKETCP" prefix or a framed IKE
    /// message), in either direction: the answering side's flow may hold ACKs only.
    bool ikeOverTcp = false;

    /// A flow of a tunnel's own traffic: ESP, UDP on the IKE / NAT-T ports, or a TCP connection
    /// that carried IKE. A TCP connection to port 4500 with no IKE in it proves no tunnel.
    [[nodiscard]] bool carriesIkeOrEsp() const
    {
        return proto == 50 ||
               (proto == 17 && (srcPort == 500 || srcPort == 4500 || dstPort == 500 || dstPort == 4500)) ||
               (proto == 6 && ikeOverTcp);
    }
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
    PacketKind kind = PacketKind::IcmpUnreachable; // or IcmpNeedFrag, Icmp6TooBig (its record's kind)
    std::uint32_t mtu = 0;
    PacketFacts::Quoted quoted;
    bool quotesEsp = false;
};

/// One file of a capture read as a set of files (a ring written by tcpdump -C/-G, dumpcap's
/// ring buffer, editcap -c pieces), in reading order: by the time of its first packet.
struct CaptureSetFile
{
    QString path;
    QString format; // "pcap" or "pcapng"
    int linkType = -1;
    QString linkTypeName;
    std::int64_t sizeBytes = 0;
    std::uint64_t packets = 0;
    std::uint64_t firstPacket = 0; // index of its first packet in the set
    std::int64_t firstNs = 0;      // its first and last packet (0 without packets)
    std::int64_t lastNs = 0;
    std::int64_t longestPauseNs = 0; // longest time between two consecutive packets inside it
    std::int64_t ringNumber = -1;    // the number its name carries in the ring, -1 for none
    QString warning;                 // its read stopped early (the set continues with the next file)
};

/// A hole between two consecutive files of a set: a file of the ring is missing, so what was
/// sent in between was not captured (not lost on the path).
struct CaptureFileGap
{
    std::uint32_t before = 0; // index into CaptureIndex::files
    std::uint32_t after = 0;
    std::int64_t fromNs = 0;        // the last packet of `before`
    std::int64_t toNs = 0;          // the first packet of `after`
    std::int64_t missingFiles = -1; // ring numbers skipped between the two; -1: names carry no numbering
    bool byNumbering = false;       // the names' ring numbering skips
    bool byTime = false;            // no packet for over kFileGapPauseFactor x the longest pause inside them
};
/// A hole between two files is a gap when it is longer than this many times the longest pause
/// between packets inside either of them (or, when their names skip a ring number, longer than it).
inline constexpr std::int64_t kFileGapPauseFactor = 4;

/// What reading several files as one capture adds: the files in reading order, the gaps
/// between them, and what the reading noted (folder entries skipped, files overlapping in time).
struct CaptureSet
{
    std::vector<CaptureSetFile> files; // empty: not a set
    std::vector<CaptureFileGap> gaps;
    QStringList notes;
    QStringList sources; // the paths as given (files and folders)
    QString name;        // for titles: the folder's name, or the first file's name and "+N files"

    [[nodiscard]] bool isSet() const { return !files.empty(); }
    /// The gap an absence from `afterNs` to `beforeNs` spans (the packet before it in an earlier
    /// file, the one after it in a later one), or -1 when it spans none.
    [[nodiscard]] int gapSpanned(std::int64_t afterNs, std::int64_t beforeNs) const
    {
        const std::int64_t lo = afterNs < beforeNs ? afterNs : beforeNs;
        const std::int64_t hi = afterNs < beforeNs ? beforeNs : afterNs;
        for (std::size_t i = 0; i < gaps.size(); ++i)
            if (lo <= gaps[i].fromNs && hi >= gaps[i].toNs) return int(i);
        return -1;
    }
    /// True when `ts` lies inside a gap (strictly between the two files' packets).
    [[nodiscard]] bool inGap(std::int64_t ts) const
    {
        for (const CaptureFileGap &g : gaps)
            if (ts > g.fromNs && ts < g.toNs) return true;
        return false;
    }
};

/// One tunnel cut out of a capture that holds the IKE/ESP of several (taken at a hub, a
/// remote-access server, a router between several gateways): its ends' addresses as the capture
/// shows them (behind a NAT, the NAT's). A packet belongs to it when its outer source or
/// destination is an end — with two ends given, when it goes between them — and an ICMP error
/// when it does or when the packet it quotes does. Every other packet (other tunnels, plain
/// traffic, non-IP frames) keeps its place and number as PacketKind::OutOfScope and enters no
/// table, counter or analysis.
struct TunnelScope
{
    std::vector<IpAddress> ends; // one or two; empty: the whole capture

    [[nodiscard]] bool active() const { return !ends.empty(); }
    [[nodiscard]] bool holds(const IpAddress &src, const IpAddress &dst) const
    {
        if (ends.size() == 1) return src == ends[0] || dst == ends[0];
        return (src == ends[0] && dst == ends[1]) || (src == ends[1] && dst == ends[0]);
    }
    /// Whether the dissected packet belongs to the tunnel (see above).
    [[nodiscard]] bool holds(const PacketFacts &f) const
    {
        if (f.ipVersion == 0) return false;
        if (holds(f.src, f.dst)) return true;
        const bool icmpError = f.kind == PacketKind::IcmpNeedFrag || f.kind == PacketKind::Icmp6TooBig ||
                               f.kind == PacketKind::IcmpUnreachable;
        return icmpError && f.quoted.present && holds(f.quoted.src, f.quoted.dst);
    }
    /// "10.0.1.1" or "10.0.1.1,10.0.2.1" (the ends as given, canonical text).
    [[nodiscard]] QString text() const;
    /// For people: "with 10.0.1.1" or "10.0.1.1 ↔ 10.0.2.1" ("" when inactive).
    [[nodiscard]] QString endsText() const;
    /// Reads "ADDR" or "ADDR,ADDR" (IPv4 or IPv6 literals, nothing else). nullopt and `error` set
    /// when it is anything else.
    static std::optional<TunnelScope> parse(const QString &text, QString *error);
};

/// The address pairs a capture's IKE/ESP goes between (each pair once, whichever way), with its
/// packets: the tunnels a capture holds. Busiest first (ties: in address order); at most
/// `limit` (a hostile capture may hold millions), `more` set when there were more.
struct TunnelPair
{
    IpAddress a, b; // a < b
    std::uint64_t packets = 0;
};
struct CaptureIndex;
std::vector<TunnelPair> tunnelPairs(const CaptureIndex &index, std::size_t limit = 100000,
                                    bool *more = nullptr);

struct CaptureWarning
{
    std::int64_t packet = -1; // 0-based packet index, -1 for the file as a whole
    QString message;
};

/// What an index keeps: every packet's record (views, per-packet output, the analyzers' passes),
/// or the tables only (flows, SAs, IKE messages, ICMP errors, fragments, counters), for a reader
/// that needs no per-packet data (`ikev2wb summary`): no 24 bytes per packet.
enum class IndexContents : std::uint8_t { Records, TablesOnly };

/// Everything one pass over a capture produced.
struct CaptureIndex
{
    CaptureFileInfo file;
    /// One record per packet, unless the index was built without them (IndexContents::TablesOnly):
    /// then `packets` is empty and `packetsNotKept` counts the packets read.
    PacketStore packets;
    std::uint64_t packetsNotKept = 0;
    std::vector<Flow> flows;
    std::vector<EspSa> espSas;
    std::vector<IkeMessage> ikeMessages;
    std::vector<IcmpError> icmpErrors;
    std::vector<FragmentedDatagram> fragmentedDatagrams;
    std::array<std::uint64_t, std::size_t(PacketKind::Count_)> kindCounts{};
    std::uint64_t snapTruncated = 0;
    std::uint64_t malformed = 0;
    /// Of them, with an IP header corrupted on the way (FlagCorruptHeader); the first (0-based,
    /// -1 for none) and its time.
    std::uint64_t corruptHeaders = 0;
    std::int64_t firstCorruptHeader = -1;
    std::int64_t firstCorruptHeaderNs = 0;
    std::int64_t firstNs = 0; // the earliest timestamp (not necessarily the first packet's)
    std::int64_t lastNs = 0;  // the latest
    /// Packets whose timestamp is earlier than the previous packet's (FlagTimeBackwards): a
    /// merged capture or a stepped clock. The first such packet (0-based, -1 for none) and the
    /// largest step back.
    std::uint64_t timeBackwards = 0;
    std::int64_t firstTimeBackwards = -1;
    std::int64_t largestStepBackNs = 0;
    std::vector<CaptureWarning> warnings;
    std::uint64_t warningsSuppressed = 0; // warnings beyond the kept ones
    bool partial = false;                 // the read stopped early (truncated file or cancel)
    bool cancelled = false;
    /// The capturing machine's own drop counters (pcapng Interface Statistics Blocks); no value
    /// for pcap files and pcapng files without them.
    std::optional<CaptureDrops> captureDrops;
    /// Read as a set of files (several files or a folder given as one capture); empty for a
    /// capture opened as one file.
    CaptureSet set;
    /// The tunnel the read was scoped to (inactive: the whole capture); the packets outside it
    /// are count(PacketKind::OutOfScope).
    TunnelScope scope;

    [[nodiscard]] std::uint64_t count(PacketKind k) const { return kindCounts[std::size_t(k)]; }
    /// Packets read (kept as records or not).
    [[nodiscard]] std::size_t packetCount() const { return packets.size() + std::size_t(packetsNotKept); }
    /// Whether `packets` holds every packet read (false for an index of the tables only).
    [[nodiscard]] bool hasRecords() const { return packetsNotKept == 0; }
};

} // namespace ikev2wb
