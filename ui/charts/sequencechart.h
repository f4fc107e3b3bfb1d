#pragma once
// The ESP sequence timeline: sequence number against time for one SA with lost, reordered and
// duplicate packets marked and IKE events as vertical markers, and the loss per second below.
// The only file that knows Qt Charts for this view (a Qt Graphs backend would replace it).
// Hidden, it only keeps the data: the points are reduced and the axes laid out when it is shown
// (a hidden chart's axis layout costs the GUI thread for nothing, and showing re-reduces anyway).
#include "charts/timelinedata.h"

#include <QPointF>
#include <QVector>
#include <QWidget>

#include <memory>
#include <vector>

class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace ikev2wb::ui {

class ChartNavigator;

class SequenceChart final : public QWidget
{
    Q_OBJECT
public:
    explicit SequenceChart(QWidget *parent = nullptr);
    ~SequenceChart() override;
    void setData(std::shared_ptr<const TimelineData> data);
    /// Shows [startNs, endNs) and re-reduces the visible points to the plot's pixel width.
    void setVisibleRange(std::int64_t startNs, std::int64_t endNs);
    void resetZoom();
    /// Points the sequence series currently holds (after reduction; 0 until first shown).
    [[nodiscard]] int plottedPoints() const;
    /// Pieces the sequence line is drawn in: one more per visible gap (a break, never a slope);
    /// 0 when more gaps are visible than kMaxLinePieces and the packets are drawn as dots.
    [[nodiscard]] int plottedLinePieces() const;
    [[nodiscard]] bool sequenceAsDots() const;
    static constexpr int kMaxLinePieces = 64;
    /// The tooltip over the plot at `value` (axis units): the time and the nearest packet's
    /// sequence number and number.
    [[nodiscard]] QString describeAt(QPointF value) const;
    [[nodiscard]] QChartView *chartView() const { return m_view; }
    /// The loss per second below the sequence plot, on the same time axis.
    [[nodiscard]] QChartView *lossView() const { return m_lossView; }
    [[nodiscard]] QValueAxis *timeAxis() const { return m_x; }
    [[nodiscard]] QLabel *hintLabel() const { return m_hint; }
    /// A pair: points of the other end's series and lost-in-transit markers plotted (reduced).
    [[nodiscard]] int plottedOtherEndPoints() const;
    /// Pieces the other end's line is drawn in (a break at each gap, as the sequence line);
    /// 0 when it is drawn as dots.
    [[nodiscard]] int plottedOtherEndPieces() const;
    [[nodiscard]] int plottedLostInTransit() const;
    /// The chart's title (what it says about the SA and, in a pair, the clock offset).
    [[nodiscard]] QString title() const;
    /// The timeline given to setData() (null: none yet).
    [[nodiscard]] const std::shared_ptr<const TimelineData> &data() const { return m_data; }

Q_SIGNALS:
    /// A lost/reordered/duplicate marker or a point was clicked: the packet nearest in time.
    void packetClicked(quint64 packet);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void rebuild();
    void onRangeChanged(qreal minS, qreal maxS);
    void pickNearest(const QPointF &point);
    void plotSequence(std::vector<QVector<QPointF>> pieces);
    /// Draws `pieces` as `first` plus line pieces from `pool` (grown as needed, up to
    /// kMaxLinePieces), or every point in `dots` when there are more pieces than that.
    void plotPieces(QLineSeries *first, std::vector<QLineSeries *> &pool, QScatterSeries *dots,
                    std::vector<QVector<QPointF>> pieces, bool clickable);
    [[nodiscard]] std::ptrdiff_t nearestPoint(std::int64_t tNs) const;

    std::shared_ptr<const TimelineData> m_data;
    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QChart *m_lossChart = nullptr;
    QChartView *m_lossView = nullptr;
    QLineSeries *m_sequence = nullptr;           // the first piece of the line (in the legend)
    std::vector<QLineSeries *> m_sequencePieces; // the others, after each visible gap
    QScatterSeries *m_sequenceDots = nullptr;    // too many gaps in view: every packet a dot
    ChartNavigator *m_navigator = nullptr;
    QLabel *m_hint = nullptr;
    QScatterSeries *m_lost = nullptr;
    QScatterSeries *m_reordered = nullptr;
    QScatterSeries *m_duplicates = nullptr;
    QLineSeries *m_otherEnd = nullptr;           // a pair: the other end's copy of the SA
    std::vector<QLineSeries *> m_otherEndPieces; // ... after each gap in it (packets lost on the way)
    QScatterSeries *m_otherEndDots = nullptr;    // ... every packet a dot when too many gaps are in view
    QScatterSeries *m_lostInTransit = nullptr;   // a pair: where the lost packets died
    QLineSeries *m_lossLine = nullptr;
    QValueAxis *m_x = nullptr;
    QValueAxis *m_y = nullptr;
    QValueAxis *m_lossX = nullptr;
    QValueAxis *m_lossY = nullptr;
    std::vector<QLineSeries *> m_eventLines;
    std::int64_t m_viewStart = 0;
    std::int64_t m_viewEnd = 1;
    bool m_updating = false;
    bool m_stale = false; // the series do not show m_data over the view range (hidden meanwhile)
};

} // namespace ikev2wb::ui
