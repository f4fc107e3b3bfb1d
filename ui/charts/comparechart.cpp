#include "comparechart.h"
#include "charts/axisticks.h"
#include "charts/chartnavigator.h"
#include "charts/plotalign.h"
#include "theme/theme.h"

#include "util/textformat.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace ikev2wb::ui {

namespace {
constexpr int kMaxOutages = 40; // shaded per view; more than that is one long outage anyway
// Lane layout in y units: lane 0 (A → B) on top, lane 1 (B → A) below; inside a lane the
// traffic line uses the lower part, lost packets and lost IKE messages sit on rows above it.
constexpr double kTrafficBottom = 0.08;
constexpr double kTrafficHeight = 0.55;
constexpr double kLostRow = 0.76;
constexpr double kIkeRow = 0.90;

double laneBase(int lane)
{
    return lane == 0 ? 1.0 : 0.0;
}
double toS(std::int64_t ns)
{
    return double(ns) / 1e9;
}
std::int64_t toNs(double s)
{
    return std::int64_t(s * 1e9);
}
QColor laneColor(int lane, const QPalette &pal)
{
    return roleColor(lane == 0 ? ColorRole::Primary : ColorRole::Secondary, pal);
}

void styleChart(QChart *chart, const QPalette &pal)
{
    chart->setBackgroundBrush(pal.color(QPalette::Base));
    chart->setTitleBrush(pal.color(QPalette::Text));
    chart->legend()->setLabelColor(pal.color(QPalette::Text));
    chart->legend()->setAlignment(Qt::AlignTop);
}

template <typename Axis> void styleAxis(Axis *axis, const QPalette &pal)
{
    axis->setLabelsColor(pal.color(QPalette::Text));
    axis->setTitleBrush(pal.color(QPalette::Text));
    axis->setGridLineColor(pal.color(QPalette::Mid));
}

QVector<QPointF> atRow(QVector<QPointF> points, double y)
{
    for (QPointF &p : points)
        p.setY(y);
    return points;
}
} // namespace

CompareChart::CompareChart(QWidget *parent) : QWidget(parent)
{
    const QPalette pal = palette();
    m_timeline = new QChart;
    styleChart(m_timeline, pal);
    m_x = new QValueAxis;
    m_lanesAxis = new QCategoryAxis;
    m_lanesAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
    m_lanesAxis->setStartValue(0);
    styleAxis(m_x, pal);
    styleAxis(m_lanesAxis, pal);
    QFont laneFont = m_lanesAxis->labelsFont();
    laneFont.setBold(true);
    m_lanesAxis->setLabelsFont(laneFont);
    m_timeline->addAxis(m_x, Qt::AlignBottom);
    m_timeline->addAxis(m_lanesAxis, Qt::AlignLeft);
    for (int lane = 0; lane < 2; ++lane) {
        m_sent[lane] = new QLineSeries;
        m_sent[lane]->setPen(QPen(laneColor(lane, pal), 1.2));
        m_lost[lane] = new QScatterSeries;
        m_lost[lane]->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
        m_lost[lane]->setMarkerSize(9);
        m_lost[lane]->setColor(roleColor(ColorRole::Bad, pal));
        m_lost[lane]->setBorderColor(roleColor(ColorRole::Bad, pal));
        m_ikeLost[lane] = new QScatterSeries;
        m_ikeLost[lane]->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
        m_ikeLost[lane]->setMarkerSize(11);
        m_ikeLost[lane]->setColor(roleColor(ColorRole::Warning, pal));
        m_ikeLost[lane]->setBorderColor(roleColor(ColorRole::Warning, pal).darker());
        for (QXYSeries *s : {static_cast<QXYSeries *>(m_sent[lane]), static_cast<QXYSeries *>(m_lost[lane]),
                             static_cast<QXYSeries *>(m_ikeLost[lane])}) {
            m_timeline->addSeries(s);
            s->attachAxis(m_x);
            s->attachAxis(m_lanesAxis);
        }
        connect(m_lost[lane], &QScatterSeries::hovered, this, [this, lane](const QPointF &p, bool state) {
            if (state) showLostTip(lane, p);
        });
        connect(m_ikeLost[lane], &QScatterSeries::hovered, this, [this, lane](const QPointF &p, bool state) {
            if (state) showIkeTip(lane, p);
        });
    }
    // One legend entry per kind, not per lane.
    m_sent[0]->setName(tr("ESP packets sent per second (scaled to the lane)"));
    m_lost[0]->setName(tr("lost in transit (at the time it was sent)"));
    m_ikeLost[0]->setName(tr("IKE message lost"));
    for (QXYSeries *s : {static_cast<QXYSeries *>(m_sent[1]), static_cast<QXYSeries *>(m_lost[1]),
                         static_cast<QXYSeries *>(m_ikeLost[1])})
        if (auto *marker = m_timeline->legend()->markers(s).value(0)) marker->setVisible(false);
    m_timelineView = new QChartView(m_timeline, this);
    m_timelineView->setRenderHint(QPainter::Antialiasing, false);
    m_timelineView->setRubberBand(QChartView::HorizontalRubberBand);
    // Both plots share the time range: either one's navigation moves both (setVisibleRange).
    auto apply = [this](AxisRange r) { setVisibleRange(toNs(r.lo), toNs(r.hi)); };
    // The timeline's marks have their own tooltips (hover a red mark for the lost packet).
    new ChartNavigator(m_timelineView, m_x, apply, [this]() { resetZoom(); });

    m_owd = new QChart;
    styleChart(m_owd, pal);
    m_owdX = new QValueAxis;
    m_owdY = new QValueAxis;
    styleAxis(m_owdX, pal);
    styleAxis(m_owdY, pal);
    m_owd->addAxis(m_owdX, Qt::AlignBottom);
    m_owd->addAxis(m_owdY, Qt::AlignLeft);
    for (int lane = 0; lane < 2; ++lane) {
        m_owdLine[lane] = new QLineSeries;
        m_owdLine[lane]->setPen(QPen(laneColor(lane, pal), 1.5));
        m_owd->addSeries(m_owdLine[lane]);
        m_owdLine[lane]->attachAxis(m_owdX);
        m_owdLine[lane]->attachAxis(m_owdY);
    }
    m_owdView = new QChartView(m_owd, this);
    m_owdView->setRenderHint(QPainter::Antialiasing, false);
    m_owdView->setRubberBand(QChartView::HorizontalRubberBand);
    new ChartNavigator(
        m_owdView, m_owdX, apply, [this]() { resetZoom(); },
        [](QPointF v) {
            return tr("t %1 s, one-way delay %2 ms under the cursor")
                .arg(v.x(), 0, 'f', 6)
                .arg(v.y(), 0, 'f', 3);
        });
    m_hint = ChartNavigator::makeHint(this);
    m_hint->setText(m_hint->text() + tr(" · hover a red mark for the lost packet"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_timelineView, 3);
    layout->addWidget(m_owdView, 2);
    // QtCharts gives the axes at most 40 % of the height left under the title and legend and
    // elides their labels to "..." beyond that. The shared time axis has its title once, under the
    // lower chart (at QT_SCALE_FACTOR 1.5 on 1920x1080 the timeline's ticks and title were elided
    // with both under it): title, legend, two lanes and the ticks; legend, a plot, ticks and title.
    const int line = fontMetrics().height();
    m_timelineView->setMinimumHeight(10 * line);
    m_owdView->setMinimumHeight(12 * line);
    layout->addWidget(m_hint);

    // Both plots share the time axis: their plot areas keep the same left and right edges.
    new PlotAligner({m_timelineView, m_owdView}, QMargins(4, 2, 4, 2), this);
    connect(m_x, &QValueAxis::rangeChanged, this, &CompareChart::onRangeChanged);
    connect(m_owdX, &QValueAxis::rangeChanged, this, &CompareChart::onRangeChanged);
}

CompareChart::~CompareChart() = default;

int CompareChart::buckets() const
{
    return std::max(100, int(m_timeline->plotArea().width()));
}

int CompareChart::plottedPoints() const
{
    int n = 0;
    for (int lane = 0; lane < 2; ++lane)
        n += int(m_sent[lane]->count() + m_lost[lane]->count() + m_ikeLost[lane]->count() +
                 m_owdLine[lane]->count());
    for (const QAreaSeries *a : m_outages)
        n += int(a->upperSeries()->count() + (a->lowerSeries() ? a->lowerSeries()->count() : 0));
    return n;
}

int CompareChart::pointBudget() const
{
    // 4 lines (sent ×2, delay ×2) at 4 points per column, 4 marker kinds at 1, outage corners.
    return buckets() * (4 * 4 + 4) + kMaxOutages * 4;
}

void CompareChart::setData(std::shared_ptr<const CompareChartData> data)
{
    m_data = std::move(data);
    resetZoom();
}

void CompareChart::resetZoom()
{
    if (!m_data) return;
    const std::int64_t pad = std::max<std::int64_t>((m_data->endNs - m_data->startNs) / 50, 1'000'000);
    setVisibleRange(m_data->startNs - pad, m_data->endNs + pad);
}

void CompareChart::setVisibleRange(std::int64_t startNs, std::int64_t endNs)
{
    m_viewStart = startNs;
    m_viewEnd = std::max(endNs, startNs + 1000);
    rebuild();
}

void CompareChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    rebuild();
}

void CompareChart::onRangeChanged(qreal minS, qreal maxS)
{
    if (m_updating || !m_data) return;
    const std::int64_t a = toNs(minS);
    const std::int64_t b = toNs(maxS);
    QMetaObject::invokeMethod(
        this, [this, a, b]() { setVisibleRange(a, b); }, Qt::QueuedConnection);
}

void CompareChart::rebuild()
{
    if (!m_data) return;
    m_updating = true;
    const CompareChartData &d = *m_data;
    const int n = buckets();

    // Lane labels carry the endpoints so the lanes read without the legend.
    for (const QString &label : m_lanesAxis->categoriesLabels())
        m_lanesAxis->remove(label);
    m_lanesAxis->append(d.lanes[1].label + QStringLiteral("  "), 1);
    m_lanesAxis->append(d.lanes[0].label + QStringLiteral("  "), 2);
    m_lanesAxis->setRange(0, 2);

    double owdMax = 0;
    for (int lane = 0; lane < 2; ++lane) {
        const CompareLane &l = d.lanes[lane];
        const double base = laneBase(lane);
        QVector<QPointF> sent = reduceMinMax(l.sentPerSecond, m_viewStart, m_viewEnd, n, 0);
        const double scale = l.maxSentPerSecond > 0 ? kTrafficHeight / l.maxSentPerSecond : 0;
        for (QPointF &p : sent)
            p.setY(base + kTrafficBottom + p.y() * scale);
        m_sent[lane]->replace(sent);
        m_lost[lane]->replace(atRow(reduceMarkers(l.lost, m_viewStart, m_viewEnd, n, 0), base + kLostRow));
        m_ikeLost[lane]->replace(
            atRow(reduceMarkers(l.ikeLost, m_viewStart, m_viewEnd, n, 0), base + kIkeRow));
        m_owdLine[lane]->replace(reduceMinMax(l.owdMeanMs, m_viewStart, m_viewEnd, n, 0));
        for (const QPointF &p : m_owdLine[lane]->points())
            owdMax = std::max(owdMax, p.y());
    }

    for (QAreaSeries *a : m_outages) {
        m_timeline->removeSeries(a);
        delete a;
    }
    m_outages.clear();
    for (int lane = 0; lane < 2; ++lane) {
        for (const CompareLane::Span &o : d.lanes[lane].outages) {
            if (o.endNs < m_viewStart || o.startNs >= m_viewEnd || int(m_outages.size()) >= kMaxOutages)
                continue;
            // At least a few pixels wide so a short outage stays visible at full zoom-out.
            const std::int64_t minWidth = (m_viewEnd - m_viewStart) / n * 3;
            const std::int64_t end = std::max(o.endNs, o.startNs + minWidth);
            auto *upper = new QLineSeries;
            auto *lower = new QLineSeries;
            upper->append(toS(o.startNs), laneBase(lane) + 0.98);
            upper->append(toS(end), laneBase(lane) + 0.98);
            lower->append(toS(o.startNs), laneBase(lane) + 0.02);
            lower->append(toS(end), laneBase(lane) + 0.02);
            auto *area = new QAreaSeries(upper, lower);
            upper->setParent(area);
            lower->setParent(area);
            QColor fill = roleColor(ColorRole::Bad, palette());
            fill.setAlpha(45);
            area->setBrush(fill);
            area->setPen(QPen(fill.darker(), 1, Qt::DotLine));
            area->setName(tr("outage: nothing delivered"));
            m_timeline->addSeries(area);
            area->attachAxis(m_x);
            area->attachAxis(m_lanesAxis);
            if (!m_outages.empty())
                if (auto *marker = m_timeline->legend()->markers(area).value(0)) marker->setVisible(false);
            const QString tip = tr("%1 outage: %2 lost over %3 s")
                                    .arg(d.lanes[lane].label)
                                    .arg(o.lost)
                                    .arg(double(o.endNs - o.startNs) / 1e9, 0, 'f', 2);
            connect(area, &QAreaSeries::hovered, this, [tip](const QPointF &, bool state) {
                if (state) QToolTip::showText(QCursor::pos(), tip);
            });
            m_outages.push_back(area);
        }
    }

    setNiceRange(m_x, toS(m_viewStart), toS(m_viewEnd));
    m_owdX->setTitleText(d.timeAxisTitle);
    setNiceRange(m_owdX, m_x->min(), m_x->max());
    // As many delay ticks as the plot's height has room for labels (a 768-px screen leaves the plot
    // ~50 px: QtCharts elided five labels there to "...").
    const int labelRoom = std::max(2, (m_owdView->height() - 70) / (2 * fontMetrics().height()));
    const int owdTicks = std::min(labelRoom, 5);
    const double owdTop = std::max(owdMax * 1.15, 0.01);
    const double owdStep = niceStep(owdTop, owdTicks, false).interval;
    // The top on a tick, so the top label is there however few ticks fit.
    setNiceRange(m_owdY, 0, std::ceil(owdTop / owdStep) * owdStep, owdTicks);
    const bool absolute = d.lanes[0].owdAbsolute || d.lanes[1].owdAbsolute;
    m_owdY->setTitleText(tr("ms"));
    // No chart title: the legend says what the lines are and the plot keeps the height.
    const QString what = absolute ? tr("one-way delay, mean per second")
                                  : tr("delay above its minimum (clock offset unknown), mean per second");
    for (int lane = 0; lane < 2; ++lane)
        m_owdLine[lane]->setName(tr("%1 %2  (%3)").arg(d.lanes[lane].label, what, d.lanes[lane].endpoints));

    auto laneText = [](const CompareLane &l) {
        if (l.sent == 0) return tr("%1: no ESP sent").arg(l.label);
        return tr("%1: %2 of %3 lost in transit (%4 %)")
            .arg(l.label)
            .arg(l.lostCount)
            .arg(l.sent)
            .arg(100.0 * double(l.lostCount) / double(l.sent), 0, 'f', 2);
    };
    m_timeline->setTitle(tr("Where packets died — %1;   %2").arg(laneText(d.lanes[0]), laneText(d.lanes[1])));
    m_updating = false;
}

void CompareChart::showIkeTip(int lane, const QPointF &point)
{
    if (!m_data) return;
    const CompareLane &l = m_data->lanes[lane];
    if (l.ikeLost.empty()) return;
    const std::int64_t t = toNs(point.x());
    std::size_t best = 0;
    for (std::size_t i = 1; i < l.ikeLost.size(); ++i)
        if (std::llabs(l.ikeLost[i].tNs - t) < std::llabs(l.ikeLost[best].tNs - t)) best = i;
    QToolTip::showText(
        QCursor::pos(),
        tr("%1: %2 at %3 s").arg(l.label, l.ikeLostText[best]).arg(toS(l.ikeLost[best].tNs), 0, 'f', 3));
}

void CompareChart::showLostTip(int lane, const QPointF &point)
{
    if (!m_data) return;
    const CompareLane &l = m_data->lanes[lane];
    if (l.lost.empty()) return;
    const std::int64_t t = toNs(point.x());
    auto it = std::lower_bound(l.lost.begin(), l.lost.end(), t,
                               [](const SeriesPoint &p, std::int64_t v) { return p.tNs < v; });
    if (it == l.lost.end())
        it = std::prev(it);
    else if (it != l.lost.begin() && (t - std::prev(it)->tNs) < (it->tNs - t))
        it = std::prev(it);
    const ComparedPacket &p = l.lostPackets[std::size_t(it - l.lost.begin())];
    QToolTip::showText(QCursor::pos(), tr("%1 lost in transit: SPI %2 seq %3, %4 B, sent at %5 s (%6)")
                                           .arg(l.label, spiText(p.spi))
                                           .arg(p.seq)
                                           .arg(p.size)
                                           .arg(toS(it->tNs), 0, 'f', 3)
                                           .arg(epochSecondsText(p.tsNs)));
}

} // namespace ikev2wb::ui
