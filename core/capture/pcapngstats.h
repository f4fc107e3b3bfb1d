#pragma once
// The capture's own drop counters. pcapng Interface Statistics Blocks (ISB) say how many
// packets the capturing machine received, and how many the kernel (no buffer room) and the
// interface dropped before they reached the file; libpcap does not hand them over, so a small
// separate pass walks the file's block headers and reads only the ISBs. Packets the capture
// dropped are not transit loss.
#include <QString>

#include <cstdint>
#include <optional>

namespace ikev2wb {

struct CaptureDrops
{
    int interfaces = 0;         // interfaces with at least one ISB (their last one is used)
    std::uint64_t received = 0; // isb_ifrecv, summed over those interfaces
    std::uint64_t ifDrop = 0;   // isb_ifdrop: dropped by the interface / driver
    std::uint64_t osDrop = 0;   // isb_osdrop: dropped by the OS (kernel buffer full)
    bool haveReceived = false;  // the option was present (else `received` means nothing)
    bool haveIfDrop = false;
    bool haveOsDrop = false;
    std::uint64_t delivered = 0; // isb_usrdeliv, when present
    bool haveDelivered = false;
    [[nodiscard]] std::uint64_t dropped() const { return ifDrop + osDrop; }
};

struct PcapngStatsScan
{
    std::optional<CaptureDrops> drops; // no value: not pcapng, or no ISB in it
    QString warning;                   // a damaged block stopped the scan (with its offset)
};

/// The counters of one Interface Statistics Block.
struct IsbCounters
{
    std::uint64_t recv = 0, ifDrop = 0, osDrop = 0, delivered = 0;
    bool hasRecv = false, hasIfDrop = false, hasOsDrop = false, hasDelivered = false;
};

/// Reads the options of the ISB `block` (`len` bytes from its type field; `swap`: the section's
/// byte order is not the host's). A malformed option ends the list: false and `*why` say so.
bool readIsbCounters(const unsigned char *block, std::uint32_t len, bool swap, IsbCounters *out,
                     QString *why);
/// Adds one interface's last ISB counters to `d` (counting the interface).
void addIsbCounters(CaptureDrops &d, const IsbCounters &c);

/// Walks the blocks of a pcapng file (each section's byte order from its SHB) and sums, per
/// interface, the counters of the last ISB (they are cumulative). A file that is not pcapng
/// gives no value and no warning. Bounded: block lengths are checked against the file size,
/// and only ISB bodies are read (at most 64 KiB each); the rest is skipped.
PcapngStatsScan scanPcapngStatistics(const QString &path);
/// The same over an open descriptor of the file (taken over and closed): a capture already open
/// for reading is not opened a second time (CaptureReader::duplicateHandle()).
PcapngStatsScan scanPcapngStatistics(int fd);

/// One sentence for people, e.g. "the capture itself dropped 12 packets (kernel 12,
/// interface 0) of 5000 received: these are not transit loss". Empty for no drops data.
QString captureDropsText(const CaptureDrops &d);

} // namespace ikev2wb
