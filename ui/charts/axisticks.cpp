#include "axisticks.h"

#include <QString>
#include <QValueAxis>

#include <cmath>

namespace ikev2wb::ui {

TickStep niceStep(double span, int maxTicks, bool integer)
{
    TickStep out;
    if (!(span > 0) || !std::isfinite(span) || maxTicks < 1) return out;
    const double raw = span / double(maxTicks);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw * (1 - 1e-9)) {
            step = m * mag;
            break;
        }
    if (integer) step = std::max(1.0, std::round(step));
    out.interval = step;
    out.decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
    return out;
}

void applyNiceTicks(QValueAxis *axis, int maxTicks, bool integer)
{
    const TickStep s = niceStep(axis->max() - axis->min(), maxTicks, integer);
    // Interval first, dynamic last: never an interval laid out over a range it was not made for.
    if (axis->tickType() == QValueAxis::TicksDynamic && s.interval < axis->tickInterval())
        axis->setTickType(QValueAxis::TicksFixed);
    axis->setTickAnchor(0);
    axis->setTickInterval(s.interval);
    axis->setLabelFormat(QStringLiteral("%.") + QString::number(s.decimals) + QStringLiteral("f"));
    axis->setTickType(QValueAxis::TicksDynamic);
}

void setNiceRange(QValueAxis *axis, double min, double max, int maxTicks, bool integer)
{
    axis->setTickType(QValueAxis::TicksFixed);
    axis->setRange(min, max);
    applyNiceTicks(axis, maxTicks, integer);
}

} // namespace ikev2wb::ui
