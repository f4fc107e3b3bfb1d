#pragma once
// The endpoint comparison timeline: one lane per direction with the packets sent per second,
// every packet lost in transit marked in red at the time it was sent, outages shaded and lost
// IKE messages marked; below it the one-way delay over time per direction. Both share the time
// axis; dragging zooms both. The only file that knows Qt Charts for this view.
#include "charts/comparechartdata.h"

#include <QWidget>

#include <memory>

class QAreaSeries;
class QCategoryAxis;
class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace ikev2wb::ui {

class CompareChart final : public QWidget
{
    Q_OBJECT
public:
    explicit CompareChart(QWidget *parent = nullptr);
    ~CompareChart() override;
    void setData(std::shared_ptr<const CompareChartData> data);
    [[nodiscard]] const std::shared_ptr<const CompareChartData> &data() const { return m_data; }
    /// Shows [startNs, endNs) of the shared timeline and re-reduces to the plot's pixel width.
    void setVisibleRange(std::int64_t startNs, std::int64_t endNs);
    void resetZoom();
    /// Points every series currently holds (after reduction), and the most they may hold at
    /// this width: 4 per pixel column per line, 1 per pixel column per marker kind, a bounded
    /// number of outage shadings.
    [[nodiscard]] int plottedPoints() const;
    [[nodiscard]] int pointBudget() const;
    /// The navigation hint under the plots.
    [[nodiscard]] QLabel *hintLabel() const { return m_hint; }
    /// The lanes (above) and the one-way delay (below), on one time axis.
    [[nodiscard]] QChartView *timelineView() const { return m_timelineView; }
    [[nodiscard]] QChartView *delayView() const { return m_owdView; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void rebuild();
    void onRangeChanged(qreal minS, qreal maxS);
    void showLostTip(int lane, const QPointF &point);
    void showIkeTip(int lane, const QPointF &point);
    [[nodiscard]] int buckets() const;

    std::shared_ptr<const CompareChartData> m_data;
    QChart *m_timeline = nullptr;
    QChartView *m_timelineView = nullptr;
    QChart *m_owd = nullptr;
    QChartView *m_owdView = nullptr;
    QLabel *m_hint = nullptr;
    QValueAxis *m_x = nullptr;
    QCategoryAxis *m_lanesAxis = nullptr;
    QValueAxis *m_owdX = nullptr;
    QValueAxis *m_owdY = nullptr;
    QLineSeries *m_sent[2] = {};
    QScatterSeries *m_lost[2] = {};
    QScatterSeries *m_ikeLost[2] = {};
    QLineSeries *m_owdLine[2] = {};
    std::vector<QAreaSeries *> m_outages;
    std::int64_t m_viewStart = 0;
    std::int64_t m_viewEnd = 1;
    bool m_updating = false;
};

} // namespace ikev2wb::ui
