#pragma once
// The evidence timeline: the capture's ESP and IKE packets per second (reduced) with charon log
// events as markers in lanes above, on one axis of seconds since the capture's first packet.
// The only file that knows Qt Charts for this view.
#include "index/captureindex.h"

#include <QPointF>
#include <QVector>
#include <QWidget>

#include <atomic>
#include <memory>
#include <vector>

class QChart;
class QChartView;
class QLineSeries;
class QScatterSeries;
class QValueAxis;
class QCategoryAxis;

namespace ikev2wb::ui {

/// Packets per second of the capture, reduced to a point budget (x: seconds since firstNs).
struct CaptureActivity
{
    QVector<QPointF> esp;
    QVector<QPointF> ike;
    double durationS = 0;
    double peak = 0;
    bool cancelled = false; // `cancel` stopped the walk: the series are empty
};
/// Walks every packet: run it on a worker. `cancel` is polled every 4096 packets; `walked` (when
/// given) counts the packets walked so far (progress, and what a test of cancelling counts).
CaptureActivity captureActivity(const CaptureIndex &index, int buckets = 1200,
                                const std::atomic_bool *cancel = nullptr,
                                std::atomic<quint64> *walked = nullptr);

/// One log event drawn on the timeline.
struct TimelineMarker
{
    double x = 0; // seconds on the capture's axis (offset applied)
    int lane = 0; // LogMarker
    int row = 0;  // row of the log event model
    QString tooltip;
};

class EvidenceTimeline final : public QWidget
{
    Q_OBJECT
public:
    explicit EvidenceTimeline(QWidget *parent = nullptr);
    ~EvidenceTimeline() override;
    void setActivity(std::shared_ptr<const CaptureActivity> activity);
    /// Markers sorted by x within each lane.
    void setMarkers(std::vector<TimelineMarker> markers);
    [[nodiscard]] const std::vector<TimelineMarker> &markers() const { return m_markers; }
    [[nodiscard]] bool hasActivity() const { return m_activity != nullptr; }

Q_SIGNALS:
    /// A marker was clicked: the row of its log event.
    void markerClicked(int row);

protected:
    void changeEvent(QEvent *event) override;

private:
    void restyle();
    void rebuildMarkers();
    void updateRange();
    const TimelineMarker *nearest(int lane, double x) const;

    std::shared_ptr<const CaptureActivity> m_activity;
    std::vector<TimelineMarker> m_markers;
    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QLineSeries *m_esp = nullptr;
    QLineSeries *m_ike = nullptr;
    std::vector<QScatterSeries *> m_lanes;
    QValueAxis *m_x = nullptr;
    QValueAxis *m_y = nullptr;
    QCategoryAxis *m_laneAxis = nullptr;
};

} // namespace ikev2wb::ui
