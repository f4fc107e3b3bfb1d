#pragma once
// Axis ticks an engineer reads at a glance: steps of 1, 2 or 5 × 10^k, anchored at 0 (so time
// ticks fall on round seconds or minutes whatever the zoom), and for counts (sequence numbers,
// packets, drops) whole numbers only: never "0, 1, 1, 2" on an axis of 0..2.
class QValueAxis;

namespace ikev2wb::ui {

struct TickStep
{
    double interval = 1; // distance between ticks, in axis units
    int decimals = 0;    // digits after the point the labels need
};

/// The 1-2-5 step giving at most `maxTicks` intervals over `span`; for an integer axis at least 1
/// and a whole number. A span ≤ 0 (or not finite) gives interval 1.
TickStep niceStep(double span, int maxTicks, bool integer);

/// Applies niceStep to `axis` (dynamic ticks anchored at 0, labels with just enough decimals)
/// for its current range.
void applyNiceTicks(QValueAxis *axis, int maxTicks = 8, bool integer = false);

/// Sets `axis`'s range and its nice ticks. Use this instead of setRange() on an axis with dynamic
/// ticks: QtCharts lays the ticks out at once, so a range 1000 times wider with the old interval
/// creates 1000 times the tick items on the GUI thread (a 56 s stall was measured). The axis goes
/// through fixed ticks while its range changes.
void setNiceRange(QValueAxis *axis, double min, double max, int maxTicks = 8, bool integer = false);

} // namespace ikev2wb::ui
