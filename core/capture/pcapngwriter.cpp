#include "pcapngwriter.h"

#include <cstring>

namespace ikev2wb::capture {

namespace {
constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescription = 1;
constexpr std::uint32_t kInterfaceStatistics = 5;
constexpr std::uint32_t kEnhancedPacket = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
// Option codes.
constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kShbUserAppl = 4;
constexpr std::uint16_t kIfName = 2;
constexpr std::uint16_t kIfDescription = 3;
constexpr std::uint16_t kIfTsresol = 9;
constexpr std::uint16_t kIfFilter = 11;
constexpr std::uint16_t kIsbStartTime = 2;
constexpr std::uint16_t kIsbEndTime = 3;
constexpr std::uint16_t kIsbIfRecv = 4;
constexpr std::uint16_t kIsbIfDrop = 5;
constexpr std::uint16_t kIsbOsDrop = 7;
constexpr std::uint16_t kIsbUsrDeliv = 8;
// Option values are at most 65535 bytes; longer strings are cut (the helper bounds them anyway).
constexpr std::size_t kMaxOption = 0xFFFC;
} // namespace

void PcapngWriter::put(const void *p, std::size_t n)
{
    const auto *b = static_cast<const std::uint8_t *>(p);
    m_buf.insert(m_buf.end(), b, b + n);
}

void PcapngWriter::pad4()
{
    while (m_buf.size() % 4 != 0)
        m_buf.push_back(0);
}

std::size_t PcapngWriter::beginBlock(std::uint32_t type)
{
    const std::size_t start = m_buf.size();
    put32(type);
    put32(0); // total length, patched by endBlock
    return start;
}

void PcapngWriter::endBlock(std::size_t start)
{
    pad4();
    const auto total = static_cast<std::uint32_t>(m_buf.size() - start + 4);
    put32(total);
    std::memcpy(m_buf.data() + start + 4, &total, 4);
}

void PcapngWriter::option(std::uint16_t code, const void *p, std::size_t n)
{
    if (n > kMaxOption) n = kMaxOption;
    put16(code);
    put16(static_cast<std::uint16_t>(n));
    put(p, n);
    pad4();
}

void PcapngWriter::optionString(std::uint16_t code, std::string_view s)
{
    if (!s.empty()) option(code, s.data(), s.size());
}

void PcapngWriter::optionTimestamp(std::uint16_t code, std::uint64_t ts)
{
    // Timestamps in options are two 32-bit words, high first, like the EPB's.
    const std::uint32_t words[2] = {static_cast<std::uint32_t>(ts >> 32), static_cast<std::uint32_t>(ts)};
    option(code, words, sizeof words);
}

void PcapngWriter::endOfOptions()
{
    put16(kOptEnd);
    put16(0);
}

void PcapngWriter::sectionHeader(std::string_view userApplication)
{
    const std::size_t b = beginBlock(kSectionHeader);
    put32(kByteOrderMagic);
    put16(1);                 // major
    put16(0);                 // minor
    put64(~std::uint64_t(0)); // section length not given (-1): the file is streamed
    optionString(kShbUserAppl, userApplication);
    endOfOptions();
    endBlock(b);
}

void PcapngWriter::interfaceDescription(const InterfaceDescription &idb)
{
    const std::size_t b = beginBlock(kInterfaceDescription);
    put16(idb.linkType);
    put16(0); // reserved
    put32(idb.snapLength);
    optionString(kIfName, idb.name);
    optionString(kIfDescription, idb.description);
    option(kIfTsresol, &idb.tsresol, 1);
    if (!idb.filter.empty()) {
        // if_filter: one byte saying the kind (0 = a libpcap filter string), then the filter.
        std::string value(1, '\0');
        value += idb.filter;
        option(kIfFilter, value.data(), value.size());
    }
    endOfOptions();
    endBlock(b);
}

void PcapngWriter::enhancedPacket(std::uint64_t timestamp, const std::uint8_t *data,
                                  std::uint32_t capturedLength, std::uint32_t originalLength,
                                  std::uint32_t interfaceId)
{
    const std::size_t b = beginBlock(kEnhancedPacket);
    put32(interfaceId);
    put32(static_cast<std::uint32_t>(timestamp >> 32));
    put32(static_cast<std::uint32_t>(timestamp));
    put32(capturedLength);
    put32(originalLength);
    put(data, capturedLength);
    endBlock(b); // pads the packet data to 32 bits
}

void PcapngWriter::interfaceStatistics(const InterfaceStatistics &isb)
{
    const std::size_t b = beginBlock(kInterfaceStatistics);
    put32(0); // interface id
    put32(static_cast<std::uint32_t>(isb.timestamp >> 32));
    put32(static_cast<std::uint32_t>(isb.timestamp));
    if (isb.startTime != 0) optionTimestamp(kIsbStartTime, isb.startTime);
    optionTimestamp(kIsbEndTime, isb.timestamp);
    option64(kIsbIfRecv, isb.received);
    option64(kIsbIfDrop, isb.ifDrop);
    option64(kIsbOsDrop, isb.osDrop);
    option64(kIsbUsrDeliv, isb.delivered);
    endOfOptions();
    endBlock(b);
}

} // namespace ikev2wb::capture
