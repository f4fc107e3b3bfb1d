#include "textformat.h"

#include "dissect/ipaddress.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <utility>

namespace ikev2wb {

QString addressText(const IpAddress &a)
{
    return QString::fromStdString(a.toString());
}

bool isControlCharacter(char32_t u)
{
    return u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0) || u == 0x2028 || u == 0x2029 ||
           (u >= 0xd800 && u <= 0xdfff) || QChar::category(u) == QChar::Other_Format;
}

QString visibleControls(const QString &s, bool keepNewlineAndTab)
{
    const auto kept = [keepNewlineAndTab](char32_t u) {
        return (keepNewlineAndTab && (u == u'\n' || u == u'\t')) || !isControlCharacter(u);
    };
    // The code point at s[i] and how many UTF-16 units it takes (a lone surrogate is one).
    const auto at = [&s](qsizetype i) -> std::pair<char32_t, qsizetype> {
        const char16_t u = s[i].unicode();
        if (QChar::isHighSurrogate(u) && i + 1 < s.size() && QChar::isLowSurrogate(s[i + 1].unicode()))
            return {QChar::surrogateToUcs4(u, s[i + 1].unicode()), 2};
        return {u, 1};
    };
    qsizetype first = 0;
    while (first < s.size()) {
        const auto [u, n] = at(first);
        if (!kept(u)) break;
        first += n;
    }
    if (first == s.size()) return s;
    QString out = s.left(first);
    out.reserve(s.size() + 16);
    for (qsizetype i = first; i < s.size();) {
        const auto [u, n] = at(i);
        if (kept(u))
            out += s.mid(i, n);
        else
            out += QStringLiteral("\\x%1").arg(uint(u),
                                               u > 0xffff ? 5
                                               : u > 0xff ? 4
                                                          : 2,
                                               16, QLatin1Char('0'));
        i += n;
    }
    return out;
}

QString terminalText(const QString &s)
{
    return visibleControls(s, true);
}

std::string terminalText(const std::string &utf8)
{
    // Printable ASCII, newline and tab need no decoding (the packets listing is all of that).
    const bool plain = std::all_of(utf8.begin(), utf8.end(), [](char ch) {
        const auto b = static_cast<unsigned char>(ch);
        return (b >= 0x20 && b < 0x7f) || b == '\n' || b == '\t';
    });
    if (plain) return utf8;
    return terminalText(QString::fromStdString(utf8)).toStdString();
}

QString endpointText(const IpAddress &a, std::uint16_t port)
{
    if (port == 0) return addressText(a);
    if (a.v6) return QStringLiteral("[%1]:%2").arg(addressText(a)).arg(port);
    return QStringLiteral("%1:%2").arg(addressText(a)).arg(port);
}

QString spiText(std::uint32_t spi)
{
    return QStringLiteral("0x%1").arg(spi, 8, 16, QLatin1Char('0'));
}

QString utcText(std::int64_t ns, UtcFormat format)
{
    if (format == UtcFormat::Nanoseconds) {
        std::int64_t secs = ns / 1'000'000'000;
        std::int64_t frac = ns % 1'000'000'000;
        if (frac < 0) {
            frac += 1'000'000'000;
            --secs;
        }
        return QDateTime::fromSecsSinceEpoch(secs, QTimeZone::utc())
                   .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) +
               QStringLiteral(".%1 UTC").arg(frac, 9, 10, QLatin1Char('0'));
    }
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ns / 1'000'000, QTimeZone::utc());
    switch (format) {
    case UtcFormat::Milliseconds:
        return t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    case UtcFormat::TimeOfDay:
        return t.toString(QStringLiteral("HH:mm:ss.zzz"));
    case UtcFormat::Minutes:
        return t.toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
    case UtcFormat::MillisecondsSuffix:
    case UtcFormat::Nanoseconds:
        break;
    }
    return t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz 'UTC'"));
}

std::string epochSeconds(std::int64_t ns)
{
    char buf[48];
    const bool neg = ns < 0;
    const std::uint64_t a = neg ? std::uint64_t(-(ns + 1)) + 1 : std::uint64_t(ns);
    std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%09" PRIu64, neg ? "-" : "",
                  std::uint64_t(a / 1000000000ULL), std::uint64_t(a % 1000000000ULL));
    return buf;
}

} // namespace ikev2wb
