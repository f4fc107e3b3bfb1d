#pragma once
// Mouse and keyboard navigation of a chart's time axis, the same on every zoomable chart:
// the wheel zooms around the cursor, Ctrl+drag or a middle-button drag pans, a plain drag draws
// the view's rubber band, double-click or 0 resets, + and − zoom around the centre, ← and →
// pan. The chart applies a range through a callback (it re-reduces its points), coalesced to
// one per event-loop turn. The view's hint label says all this on screen; moving over the plot
// shows the values under the cursor (the chart describes them).
#include <QObject>
#include <QPointF>
#include <QString>
#include <QTimer>

#include <functional>

class QChartView;
class QLabel;
class QValueAxis;
class QWidget;

namespace ikev2wb::ui {

/// A visible axis range.
struct AxisRange
{
    double lo = 0;
    double hi = 1;
    [[nodiscard]] double span() const { return hi - lo; }
};

/// `r` scaled by `factor` (< 1 zooms in) keeping `anchor` at the same place on screen.
AxisRange zoomAround(AxisRange r, double anchor, double factor);
/// `r` moved by `delta` (axis units).
AxisRange panBy(AxisRange r, double delta);

class ChartNavigator final : public QObject
{
    Q_OBJECT
public:
    using ApplyFn = std::function<void(AxisRange)>;
    using DescribeFn = std::function<QString(QPointF value)>;
    /// Navigates `x` of `view`'s chart: `apply` shows a range, `reset` the whole data;
    /// `describe` (optional) gives the tooltip text for a point in axis values.
    ChartNavigator(QChartView *view, QValueAxis *x, ApplyFn apply, std::function<void()> reset,
                   DescribeFn describe = {});
    /// One wheel notch zooms by this factor (in: its inverse).
    static constexpr double kWheelStep = 1.25;
    /// + / − zoom by kWheelStep; ← / → pan by this fraction of the visible span.
    static constexpr double kPanStep = 0.1;
    /// The on-screen hint: a small muted label to put beside the chart.
    static QLabel *makeHint(QWidget *parent);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    [[nodiscard]] AxisRange current() const;
    void request(AxisRange r);
    [[nodiscard]] bool inPlot(const QPointF &viewportPos) const;

    QChartView *m_view;
    QValueAxis *m_x;
    ApplyFn m_apply;
    std::function<void()> m_reset;
    DescribeFn m_describe;
    QTimer m_pending;
    AxisRange m_wanted;
    bool m_hasWanted = false;
    bool m_panning = false;
    QPointF m_panStart;
    AxisRange m_panFrom;
};

} // namespace ikev2wb::ui
