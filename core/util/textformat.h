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
/// "192.0.2.1:4500" (or "[2001:db8::1]:4500"); without port when port is 0.
QString endpointText(const IpAddress &a, std::uint16_t port);
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

/// A character a terminal or a text view acts on instead of showing it: C0 controls (ESC, CR,
/// BEL, backspace, newline, tab, …), DEL, C1 controls (U+0080–U+009F, CSI as U+009B), the line
/// and paragraph separators U+2028/U+2029, format characters (bidi overrides and isolates,
/// zero-width characters, and outside the BMP the tag characters U+E0000–U+E007F: category Cf)
/// and a surrogate that is not half of a pair. `u` is a code point (a UTF-16 unit of the BMP is
/// one).
bool isControlCharacter(char32_t u);
/// `s` with every isControlCharacter() written as \xNN (\xNNNN above U+00FF, \xNNNNN above
/// U+FFFF), except newline and tab when `keepNewlineAndTab`; a surrogate pair is one code point.
/// Text without such characters is returned unchanged.
QString visibleControls(const QString &s, bool keepNewlineAndTab = true);
/// `s` as a terminal may print it: visibleControls(s), so text quoted from a capture, a file name
/// or host evidence can neither move the cursor, set the title, erase or hide lines nor reorder
/// the text. For the CLI's text output and its messages on stderr (one place: what is written to
/// the terminal), and for what the window shows or copies of such text.
QString terminalText(const QString &s);
/// The same for UTF-8 bytes; text without such characters is returned unchanged without decoding.
std::string terminalText(const std::string &utf8);

/// A time in ns since the Unix epoch as seconds with nine decimals, "1700000000.123456789"
/// ("-0.000000001" before 1970): the JSON outputs' time values, and where text quotes them.
std::string epochSeconds(std::int64_t ns);
inline QString epochSecondsText(std::int64_t ns)
{
    return QString::fromStdString(epochSeconds(ns));
}

} // namespace ikev2wb
