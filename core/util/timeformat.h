#pragma once
// How packet times are written for people: the one choice of View ▸ Time Display (absolute UTC,
// local time, seconds since the capture start, since a reference packet, since the previous
// shown packet), shared by every table that shows packet times and by their CSV exports.
// Plain functions over nanoseconds since the epoch: the caller picks the base time.
#include <QString>
#include <QStringView>
#include <QTimeZone>

#include <cstdint>
#include <optional>

namespace ikev2wb {

enum class TimeDisplay : std::uint8_t {
    Utc,            // 2023-11-14 22:13:20.123457
    Local,          // the same in the machine's time zone
    SinceStart,     // seconds since the capture's first (earliest) packet
    SinceReference, // seconds since the reference packet
    SincePrevious,  // seconds since the previous shown packet
};

/// `tsNs` in `zone` as "yyyy-MM-dd HH:mm:ss.uuuuuu", rounded to the microsecond (half away from
/// zero; a carry reaches the seconds).
QString formatDateTime(std::int64_t tsNs, const QTimeZone &zone);

/// A signed duration in seconds with six decimals, rounded to the microsecond (half away from
/// zero): "12.000500", "-0.002000". A negative duration keeps its sign even when it rounds to
/// zero ("-0.000000"), so a step back in time never reads as none.
QString formatSeconds(std::int64_t ns);

/// `tsNs` as `mode` shows it. `baseNs` is what relative modes subtract (the capture start, the
/// reference packet or the previous shown packet); `zone` is used by Local.
QString formatPacketTime(TimeDisplay mode, std::int64_t tsNs, std::int64_t baseNs, const QTimeZone &zone);

/// The settings key of a mode ("utc", "local", "start", "reference", "previous") and back;
/// no value for an unknown key.
QString timeDisplayKey(TimeDisplay mode);
std::optional<TimeDisplay> timeDisplayFromKey(QStringView key);

} // namespace ikev2wb
