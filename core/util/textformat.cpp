#include "textformat.h"

#include "dissect/ipaddress.h"

#include <QDateTime>
#include <QTimeZone>

#include <cinttypes>
#include <cstdio>

namespace ikev2wb {

QString addressText(const IpAddress &a)
{
    return QString::fromStdString(a.toString());
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
