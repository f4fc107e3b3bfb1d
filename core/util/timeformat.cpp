#include "timeformat.h"

#include <QDateTime>

namespace ikev2wb {

namespace {

constexpr std::int64_t kNsPerUs = 1000;
constexpr std::int64_t kUsPerS = 1'000'000;

/// Nanoseconds to microseconds, half away from zero (no overflow: |ns| / 1000 fits).
std::int64_t roundToUs(std::int64_t ns)
{
    const std::int64_t us = ns / kNsPerUs;
    const std::int64_t rest = ns % kNsPerUs; // same sign as ns
    if (rest >= kNsPerUs / 2) return us + 1;
    if (rest <= -kNsPerUs / 2) return us - 1;
    return us;
}

/// `to - from` in seconds: the magnitude in unsigned arithmetic, so two pcapng times near ±2^62
/// ns apart (or INT64_MIN) never overflow.
QString formatDifference(std::int64_t to, std::int64_t from)
{
    const bool negative = to < from;
    const std::uint64_t ns =
        negative ? std::uint64_t(from) - std::uint64_t(to) : std::uint64_t(to) - std::uint64_t(from);
    const std::uint64_t us = ns / std::uint64_t(kNsPerUs) + (ns % std::uint64_t(kNsPerUs) >= 500 ? 1 : 0);
    return (negative ? QStringLiteral("-") : QString()) + QString::number(us / std::uint64_t(kUsPerS)) +
           QLatin1Char('.') + QStringLiteral("%1").arg(us % std::uint64_t(kUsPerS), 6, 10, QLatin1Char('0'));
}

} // namespace

QString formatSeconds(std::int64_t ns)
{
    return formatDifference(ns, 0);
}

QString formatDateTime(std::int64_t tsNs, const QTimeZone &zone)
{
    const std::int64_t us = roundToUs(tsNs);
    std::int64_t secs = us / kUsPerS;
    std::int64_t frac = us % kUsPerS;
    if (frac < 0) { // before 1970: the fraction counts up from the earlier second
        frac += kUsPerS;
        --secs;
    }
    const QDateTime dt = QDateTime::fromSecsSinceEpoch(secs, zone);
    if (!dt.isValid()) return formatSeconds(tsNs) + QStringLiteral(" s since 1970");
    return dt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QLatin1Char('.') +
           QStringLiteral("%1").arg(frac, 6, 10, QLatin1Char('0'));
}

QString formatPacketTime(TimeDisplay mode, std::int64_t tsNs, std::int64_t baseNs, const QTimeZone &zone)
{
    switch (mode) {
    case TimeDisplay::Utc:
        return formatDateTime(tsNs, QTimeZone::utc());
    case TimeDisplay::Local:
        return formatDateTime(tsNs, zone);
    case TimeDisplay::SinceStart:
    case TimeDisplay::SinceReference:
    case TimeDisplay::SincePrevious:
        break;
    }
    return formatDifference(tsNs, baseNs);
}

QString timeDisplayKey(TimeDisplay mode)
{
    switch (mode) {
    case TimeDisplay::Utc:
        return QStringLiteral("utc");
    case TimeDisplay::Local:
        return QStringLiteral("local");
    case TimeDisplay::SinceStart:
        return QStringLiteral("start");
    case TimeDisplay::SinceReference:
        return QStringLiteral("reference");
    case TimeDisplay::SincePrevious:
        return QStringLiteral("previous");
    }
    return QStringLiteral("start");
}

std::optional<TimeDisplay> timeDisplayFromKey(QStringView key)
{
    for (TimeDisplay m : {TimeDisplay::Utc, TimeDisplay::Local, TimeDisplay::SinceStart,
                          TimeDisplay::SinceReference, TimeDisplay::SincePrevious})
        if (key == timeDisplayKey(m)) return m;
    return std::nullopt;
}

} // namespace ikev2wb
