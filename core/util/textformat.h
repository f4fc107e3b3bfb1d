#pragma once
// How SPIs, addresses and UTC times are written everywhere: text and JSON output of the CLI, the
// PDF report, the pages and the fixes. One place, so two outputs never disagree on a format.
// (A packet's time as the user's View ▸ Time Display shows it, µs, UTC/local/relative, is
// timeformat.h.)
#include <QString>

#include <cstdint>
#include <string>

namespace ikev2wb {

struct IpAddress;

/// "192.0.2.1" / "2001:db8::1" (RFC 5952).
QString addressText(const IpAddress &a);
/// An SPI as everywhere in text and JSON: "0x0000c1a2".
QString spiText(std::uint32_t spi);

/// How much of a UTC time utcText() writes.
enum class UtcFormat : std::uint8_t {
    Milliseconds,       // "2024-03-01 12:00:05.123"
    MillisecondsSuffix, // "2024-03-01 12:00:05.123 UTC"
    Nanoseconds,        // "2024-03-01 12:00:05.123456789 UTC"
    TimeOfDay,          // "12:00:05.123"
    Minutes,            // "2024-03-01 12:00 UTC"
};
/// A time in ns since the Unix epoch as UTC. Milliseconds are truncated toward zero, as
/// QDateTime::fromMSecsSinceEpoch(ns / 1'000'000) does; Nanoseconds floors (before 1970 too).
QString utcText(std::int64_t ns, UtcFormat format = UtcFormat::MillisecondsSuffix);

/// A time in ns since the Unix epoch as seconds with nine decimals, "1700000000.123456789"
/// ("-0.000000001" before 1970): the JSON outputs' time values, and where text quotes them.
std::string epochSeconds(std::int64_t ns);
inline QString epochSecondsText(std::int64_t ns)
{
    return QString::fromStdString(epochSeconds(ns));
}

} // namespace ikev2wb
