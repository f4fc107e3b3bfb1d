#pragma once
// A small pcapng writer (draft-ietf-opsawg-pcapng): one Section Header Block, one Interface
// Description Block, Enhanced Packet Blocks and, at the end, an Interface Statistics Block.
// Blocks are written in host byte order (the SHB's byte-order magic says which). Plain C++20,
// no Qt, so that the privileged helper stays small enough to read in one sitting.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ikev2wb::capture {

struct InterfaceDescription
{
    std::uint16_t linkType = 1; // DLT_/LINKTYPE_ value
    std::uint32_t snapLength = 262144;
    std::string name;         // if_name
    std::string description;  // if_description
    std::string filter;       // if_filter (a libpcap filter expression)
    std::uint8_t tsresol = 9; // if_tsresol: 9 = nanoseconds, 6 = microseconds
};

struct InterfaceStatistics
{
    std::uint64_t timestamp = 0; // in units of the interface's tsresol
    std::uint64_t startTime = 0;
    std::uint64_t received = 0;  // isb_ifrecv  (pcap_stats ps_recv)
    std::uint64_t ifDrop = 0;    // isb_ifdrop  (ps_ifdrop)
    std::uint64_t osDrop = 0;    // isb_osdrop  (ps_drop)
    std::uint64_t delivered = 0; // isb_usrdeliv (packets written to this file)
};

/// The LINKTYPE_ value a file must carry for libpcap's DLT_ value `dlt` (pcap_datalink()): the
/// two differ for a few link types whose DLT_ numbers vary between platforms (tcpdump.org's
/// linktypes list; libpcap's own dlt_to_linktype is not exported). Linux values.
constexpr std::uint16_t linkTypeForDlt(int dlt)
{
    switch (dlt) {
    case 11:
        return 100; // DLT_ATM_RFC1483 → LINKTYPE_ATM_RFC1483
    case 12:
        return 101; // DLT_RAW (raw IP: tun, xfrm/vti interfaces) → LINKTYPE_RAW
    case 14:
        return 101; // DLT_RAW as OpenBSD numbers it (libpcap may hand it over for such files)
    default:
        return static_cast<std::uint16_t>(dlt);
    }
}

/// Builds blocks into an in-memory buffer; the caller drains it with take() and writes it out.
class PcapngWriter
{
public:
    void sectionHeader(std::string_view userApplication);
    void interfaceDescription(const InterfaceDescription &idb);
    /// A packet of interface `interfaceId` (the order of the interfaceDescription() calls).
    void enhancedPacket(std::uint64_t timestamp, const std::uint8_t *data, std::uint32_t capturedLength,
                        std::uint32_t originalLength, std::uint32_t interfaceId = 0);
    void interfaceStatistics(const InterfaceStatistics &isb);

    [[nodiscard]] std::size_t pending() const { return m_buf.size(); }
    [[nodiscard]] const std::vector<std::uint8_t> &buffer() const { return m_buf; }
    void clear() { m_buf.clear(); }

private:
    std::size_t beginBlock(std::uint32_t type);
    void endBlock(std::size_t start);
    void put(const void *p, std::size_t n);
    void put16(std::uint16_t v) { put(&v, 2); }
    void put32(std::uint32_t v) { put(&v, 4); }
    void put64(std::uint64_t v) { put(&v, 8); }
    void pad4();
    void option(std::uint16_t code, const void *p, std::size_t n);
    void optionString(std::uint16_t code, std::string_view s);
    void option64(std::uint16_t code, std::uint64_t v) { option(code, &v, 8); }
    void optionTimestamp(std::uint16_t code, std::uint64_t ts);
    void endOfOptions();

    std::vector<std::uint8_t> m_buf;
};

} // namespace ikev2wb::capture
