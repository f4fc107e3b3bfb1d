#include "sequencechart.h"
#include "charts/axisticks.h"
#include "charts/chartnavigator.h"
#include "charts/plotalign.h"

#include "theme/theme.h"
#include "widgets/plaintext.h"

#include <QChart>
#include <QChartView>
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
constexpr int kMaxEventLines = 60;

/// Points a line drawn as `first` + `pool` pieces (or as `dots`) holds.
int piecePoints(const QLineSeries *first, const std::vector<QLineSeries *> &pool, const QScatterSeries *dots)
{
    qsizetype n = first->count() + dots->count();
    for (const QLineSeries *s : pool)
        n += s->count();
    return int(n);
}

/// Non-empty pieces of a line drawn as `first` + `pool`.
int nonEmptyPieces(const QLineSeries *first, const std::vector<QLineSeries *> &pool)
{
    int n = first->count() > 0 ? 1 : 0;
    for (const QLineSeries *s : pool)
        n += s->count() > 0 ? 1 : 0;
    return n;
}

double toS(std::int64_t ns, std::int64_t origin)
{
    return double(ns - origin) / 1e9;
}
std::int64_t toNs(double s, std::int64_t origin)
{
    return origin + std::int64_t(s * 1e9);
}

void styleChart(QChart *chart, const QPalette &pal)
{
    chart->setBackgroundBrush(pal.color(QPalette::Base));
    chart->setTitleBrush(pal.color(QPalette::Text));
    chart->legend()->setLabelColor(pal.color(QPalette::Text));
}

void styleAxis(QValueAxis *axis, const QPalette &pal)
{
    axis->setLabelsColor(pal.color(QPalette::Text));
    axis->setTitleBrush(pal.color(QPalette::Text));
    axis->setGridLineColor(pal.color(QPalette::Mid));
}
} // namespace

SequenceChart::SequenceChart(QWidget *parent) : QWidget(parent)
{
    const QPalette pal = palette();
    m_chart = new QChart;
    styleChart(m_chart, pal);
    m_sequence = new QLineSeries;
    m_sequence->setName(tr("sequence number"));
    m_sequence->setPen(QPen(roleColor(ColorRole::Primary, pal), 1.2));
    m_lost = new QScatterSeries;
    m_lost->setName(tr("lost (first missing number)"));
    m_lost->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_lost->setMarkerSize(9);
    m_lost->setColor(roleColor(ColorRole::Bad, pal));
    m_lost->setBorderColor(m_lost->color());
    m_reordered = new QScatterSeries;
    m_reordered->setName(tr("arrived late (reordered)"));
    m_reordered->setMarkerSize(7);
    m_reordered->setColor(roleColor(ColorRole::Warning, pal));
    m_reordered->setBorderColor(m_reordered->color());
    m_duplicates = new QScatterSeries;
    m_duplicates->setName(tr("duplicate"));
    m_duplicates->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
    m_duplicates->setMarkerSize(8);
    m_duplicates->setColor(roleColor(ColorRole::Accent, pal));
    // A pair: the other end's copy of the SA on this capture's time axis, and the packets lost
    // in transit where they died (the sender's time), a marker of their own.
    m_otherEnd = new QLineSeries;
    m_otherEnd->setPen(QPen(otherEndColor(pal), 1.2, Qt::DashLine));
    m_lostInTransit = new QScatterSeries;
    m_lostInTransit->setName(tr("lost in transit (at the sender's time)"));
    m_lostInTransit->setMarkerShape(QScatterSeries::MarkerShapeStar);
    m_lostInTransit->setMarkerSize(13);
    m_lostInTransit->setColor(statusColor(StepStatus::Fail, pal));
    m_lostInTransit->setBorderColor(m_lostInTransit->color());
    for (auto *s : {static_cast<QXYSeries *>(m_sequence), static_cast<QXYSeries *>(m_otherEnd),
                    static_cast<QXYSeries *>(m_lost), static_cast<QXYSeries *>(m_reordered),
                    static_cast<QXYSeries *>(m_duplicates), static_cast<QXYSeries *>(m_lostInTransit)})
        m_chart->addSeries(s);
    m_otherEnd->setVisible(false);
    m_lostInTransit->setVisible(false);
    m_x = new QValueAxis;
    m_x->setTitleText(tr("time since capture start (s)"));
    m_y = new QValueAxis;
    m_y->setTitleText(tr("ESP sequence number"));
    m_y->setLabelFormat(QStringLiteral("%.0f"));
    styleAxis(m_x, pal);
    styleAxis(m_y, pal);
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    for (auto *s : m_chart->series()) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing, false);
    m_view->setRubberBand(QChartView::HorizontalRubberBand);
    m_navigator = new ChartNavigator(
        m_view, m_x,
        [this](AxisRange r) {
            if (m_data) setVisibleRange(toNs(r.lo, m_data->originNs), toNs(r.hi, m_data->originNs));
        },
        [this]() { resetZoom(); }, [this](QPointF v) { return describeAt(v); });
    m_hint = ChartNavigator::makeHint(this);
    m_hint->setText(m_hint->text() + tr(" · click a marker to select its packet"));
    // With many gaps in view the line would be cut in too many pieces: every packet a dot.
    m_sequenceDots = new QScatterSeries;
    m_sequenceDots->setMarkerSize(3);
    m_sequenceDots->setColor(m_sequence->pen().color());
    m_sequenceDots->setBorderColor(m_sequence->pen().color());
    m_chart->addSeries(m_sequenceDots);
    m_sequenceDots->attachAxis(m_x);
    m_sequenceDots->attachAxis(m_y);
    if (auto *marker = m_chart->legend()->markers(m_sequenceDots).value(0)) marker->setVisible(false);
    connect(m_sequenceDots, &QScatterSeries::clicked, this, &SequenceChart::pickNearest);
    m_otherEndDots = new QScatterSeries;
    m_otherEndDots->setMarkerSize(3);
    m_otherEndDots->setColor(m_otherEnd->pen().color());
    m_otherEndDots->setBorderColor(m_otherEnd->pen().color());
    m_chart->addSeries(m_otherEndDots);
    m_otherEndDots->attachAxis(m_x);
    m_otherEndDots->attachAxis(m_y);
    if (auto *marker = m_chart->legend()->markers(m_otherEndDots).value(0)) marker->setVisible(false);

    m_lossChart = new QChart;
    styleChart(m_lossChart, pal);
    m_lossLine = new QLineSeries;
    m_lossLine->setName(tr("sequence numbers lost per second"));
    m_lossLine->setPen(QPen(m_lost->color(), 1.5));
    m_lossChart->addSeries(m_lossLine);
    m_lossX = new QValueAxis;
    m_lossY = new QValueAxis;
    m_lossY->setLabelFormat(QStringLiteral("%.0f"));
    m_lossY->setTitleText(tr("lost/s"));
    styleAxis(m_lossX, pal);
    styleAxis(m_lossY, pal);
    m_lossChart->addAxis(m_lossX, Qt::AlignBottom);
    m_lossChart->addAxis(m_lossY, Qt::AlignLeft);
    m_lossLine->attachAxis(m_lossX);
    m_lossLine->attachAxis(m_lossY);
    m_lossChart->legend()->setAlignment(Qt::AlignTop);
    m_lossView = new QChartView(m_lossChart, this);
    m_lossView->setRenderHint(QPainter::Antialiasing, false);
    // Legend, x labels, margins and a plot of at least three text lines: shorter, QtCharts writes
    // the strip's axis labels as "..." (the live page gives the whole timeline about 400 px).
    m_lossView->setMinimumHeight(10 * fontMetrics().height());

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_view, 3);
    layout->addWidget(m_lossView, 1);
    layout->addWidget(m_hint);

    // The loss strip shares the time axis: its plot keeps the sequence plot's left and right edges.
    new PlotAligner({m_view, m_lossView}, QMargins(4, 4, 4, 4), this);
    connect(m_x, &QValueAxis::rangeChanged, this, &SequenceChart::onRangeChanged);
    for (QScatterSeries *s : {m_lost, m_reordered, m_duplicates, m_lostInTransit})
        connect(s, &QScatterSeries::clicked, this, &SequenceChart::pickNearest);
    connect(m_sequence, &QLineSeries::clicked, this, &SequenceChart::pickNearest);
}

SequenceChart::~SequenceChart() = default;

int SequenceChart::plottedPoints() const
{
    return piecePoints(m_sequence, m_sequencePieces, m_sequenceDots);
}

int SequenceChart::plottedLinePieces() const
{
    return nonEmptyPieces(m_sequence, m_sequencePieces);
}

bool SequenceChart::sequenceAsDots() const
{
    return m_sequenceDots->count() > 0;
}

void SequenceChart::plotSequence(std::vector<QVector<QPointF>> pieces)
{
    plotPieces(m_sequence, m_sequencePieces, m_sequenceDots, std::move(pieces), true);
}

void SequenceChart::plotPieces(QLineSeries *first, std::vector<QLineSeries *> &pool, QScatterSeries *dots,
                               std::vector<QVector<QPointF>> pieces, bool clickable)
{
    if (pieces.size() > std::size_t(kMaxLinePieces)) {
        QVector<QPointF> all;
        for (const QVector<QPointF> &p : pieces)
            all += p;
        dots->replace(all);
        pieces.clear();
    } else {
        dots->clear();
    }
    // The pool of line pieces grows to what a view needed (at most kMaxLinePieces) and stays.
    while (pool.size() + 1 < pieces.size()) {
        auto *piece = new QLineSeries;
        piece->setPen(first->pen());
        m_chart->addSeries(piece);
        piece->attachAxis(m_x);
        piece->attachAxis(m_y);
        if (auto *marker = m_chart->legend()->markers(piece).value(0)) marker->setVisible(false);
        if (clickable) connect(piece, &QLineSeries::clicked, this, &SequenceChart::pickNearest);
        pool.push_back(piece);
    }
    first->replace(pieces.empty() ? QVector<QPointF>() : pieces.front());
    for (std::size_t i = 0; i < pool.size(); ++i)
        pool[i]->replace(i + 1 < pieces.size() ? pieces[i + 1] : QVector<QPointF>());
}

std::ptrdiff_t SequenceChart::nearestPoint(std::int64_t t) const
{
    if (!m_data || m_data->sequence.empty()) return -1;
    const auto &seq = m_data->sequence;
    auto it = std::lower_bound(seq.begin(), seq.end(), t,
                               [](const SeriesPoint &p, std::int64_t v) { return p.tNs < v; });
    if (it == seq.end())
        it = std::prev(seq.end());
    else if (it != seq.begin() && (t - std::prev(it)->tNs) < (it->tNs - t))
        it = std::prev(it);
    return it - seq.begin();
}

QString SequenceChart::describeAt(QPointF value) const
{
    const std::ptrdiff_t i = m_data ? nearestPoint(toNs(value.x(), m_data->originNs)) : -1;
    if (i < 0) return tr("t %1 s").arg(value.x(), 0, 'f', 6);
    const SeriesPoint &p = m_data->sequence[std::size_t(i)];
    QString text = tr("t %1 s, sequence number %2 under the cursor\nnearest packet: #%3, seq %4 at %5 s")
                       .arg(value.x(), 0, 'f', 6)
                       .arg(std::llround(value.y()))
                       .arg(m_data->packetOf[std::size_t(i)] + 1)
                       .arg(std::llround(p.value))
                       .arg(toS(p.tNs, m_data->originNs), 0, 'f', 6);
    // An IKE event within a few pixels of the cursor.
    const double width = std::max(1.0, m_chart->plotArea().width());
    const double near = 4 * (m_x->max() - m_x->min()) / width;
    for (const TimelineEvent &e : m_data->events)
        if (std::abs(toS(e.tNs, m_data->originNs) - value.x()) <= near)
            text += QLatin1Char('\n') +
                    tr("%1 at %2 s").arg(e.label).arg(toS(e.tNs, m_data->originNs), 0, 'f', 3);
    return text;
}

int SequenceChart::plottedOtherEndPoints() const
{
    return piecePoints(m_otherEnd, m_otherEndPieces, m_otherEndDots);
}

int SequenceChart::plottedOtherEndPieces() const
{
    return nonEmptyPieces(m_otherEnd, m_otherEndPieces);
}

int SequenceChart::plottedLostInTransit() const
{
    return int(m_lostInTransit->count());
}

QString SequenceChart::title() const
{
    return m_chart->title();
}

void SequenceChart::setData(std::shared_ptr<const TimelineData> data)
{
    m_data = std::move(data);
    resetZoom();
}

void SequenceChart::resetZoom()
{
    if (!m_data) return;
    const std::int64_t pad = std::max<std::int64_t>((m_data->endNs - m_data->startNs) / 50, 1'000'000);
    setVisibleRange(m_data->startNs - pad, m_data->endNs + pad);
}

void SequenceChart::setVisibleRange(std::int64_t startNs, std::int64_t endNs)
{
    m_viewStart = startNs;
    m_viewEnd = std::max(endNs, startNs + 1000);
    rebuild();
}

void SequenceChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    rebuild();
}

void SequenceChart::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale) rebuild();
}

void SequenceChart::onRangeChanged(qreal minS, qreal maxS)
{
    if (m_updating || !m_data) return;
    // Zoom or pan by the chart view: re-reduce the newly visible range after this signal.
    const std::int64_t a = toNs(minS, m_data->originNs);
    const std::int64_t b = toNs(maxS, m_data->originNs);
    QMetaObject::invokeMethod(
        this, [this, a, b]() { setVisibleRange(a, b); }, Qt::QueuedConnection);
}

void SequenceChart::rebuild()
{
    if (!m_data) return;
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    m_updating = true;
    const auto &d = *m_data;
    const int buckets = std::max(100, int(m_chart->plotArea().width()));
    // A rise of more than 1 between neighbouring arrivals: numbers that never arrived, a break.
    plotSequence(reduceMinMaxSplit(d.sequence, m_viewStart, m_viewEnd, buckets, d.originNs, 1.0));
    m_lost->replace(reduceMarkers(d.lost, m_viewStart, m_viewEnd, buckets, d.originNs));
    m_reordered->replace(reduceMarkers(d.reordered, m_viewStart, m_viewEnd, buckets, d.originNs));
    m_duplicates->replace(reduceMarkers(d.duplicates, m_viewStart, m_viewEnd, buckets, d.originNs));
    // A step a second wide: the steps that begin before the view or end after it reach into it
    // (a view inside one second holds none of its two points), so a second more each side.
    constexpr std::int64_t kStepNs = 1'000'000'000;
    m_lossLine->replace(
        reduceMinMax(d.lossPerSecond, m_viewStart - kStepNs, m_viewEnd + kStepNs, buckets, d.originNs));
    m_lossLine->setName(d.pair ? tr("packets lost in transit per second")
                               : tr("sequence numbers lost per second"));
    m_otherEnd->setVisible(d.pair);
    m_lost->setVisible(!d.pair); // a pair marks where packets died instead of this end's gaps
    m_lostInTransit->setVisible(d.pair);
    m_otherEnd->setName(tr("at the other end (%1)").arg(htmlText(d.otherName))); // a legend label is HTML
    // The other end's copy breaks where packets never arrived there, as the sequence line does.
    plotPieces(m_otherEnd, m_otherEndPieces, m_otherEndDots,
               d.pair ? reduceMinMaxSplit(d.otherEnd, m_viewStart, m_viewEnd, buckets, d.originNs, 1.0)
                      : std::vector<QVector<QPointF>>{},
               false);
    m_lostInTransit->replace(reduceMarkers(d.lostInTransit, m_viewStart, m_viewEnd, buckets, d.originNs));

    // y range from the visible sequence numbers.
    double lo = 0, hi = 1;
    const auto first = std::lower_bound(d.sequence.begin(), d.sequence.end(), m_viewStart,
                                        [](const SeriesPoint &p, std::int64_t t) { return p.tNs < t; });
    const auto last = std::lower_bound(first, d.sequence.end(), m_viewEnd,
                                       [](const SeriesPoint &p, std::int64_t t) { return p.tNs < t; });
    if (first != last) {
        const auto [mn, mx] = std::minmax_element(
            first, last, [](const SeriesPoint &a, const SeriesPoint &b) { return a.value < b.value; });
        lo = mn->value;
        hi = std::max(mx->value, lo + 1);
    }
    const double pad = (hi - lo) * 0.04 + 1;
    setNiceRange(m_x, toS(m_viewStart, d.originNs), toS(m_viewEnd, d.originNs));
    setNiceRange(m_y, std::max(0.0, lo - pad), hi + pad, 8, true); // sequence numbers
    setNiceRange(m_lossX, m_x->min(), m_x->max());
    double lossMax = 1;
    for (const QPointF &p : m_lossLine->points())
        lossMax = std::max(lossMax, p.y());
    setNiceRange(m_lossY, 0, lossMax * 1.1, 4, true); // numbers lost per second

    // IKE events as vertical lines (a few dozen at most, the visible ones).
    for (QLineSeries *s : m_eventLines) {
        m_chart->removeSeries(s);
        delete s;
    }
    m_eventLines.clear();
    for (const TimelineEvent &e : d.events) {
        if (e.tNs < m_viewStart || e.tNs >= m_viewEnd || int(m_eventLines.size()) >= kMaxEventLines) continue;
        auto *line = new QLineSeries;
        const double x = toS(e.tNs, d.originNs);
        line->append(x, m_y->min());
        line->append(x, m_y->max());
        line->setPen(
            QPen(roleColor(e.problem ? ColorRole::Warning : ColorRole::Muted, palette()), 1, Qt::DashLine));
        // One legend entry says what the dashed lines are (unlabelled, a line at the axis read as
        // part of it); each names its exchange in its tooltip.
        const bool firstLine = m_eventLines.empty();
        line->setName(firstLine ? tr("IKE exchange (hover the dashed line)") : e.label);
        m_chart->addSeries(line);
        line->attachAxis(m_x);
        line->attachAxis(m_y);
        if (auto *marker = m_chart->legend()->markers(line).value(0); marker && !firstLine)
            marker->setVisible(false);
        const QString tip = tr("%1 at %2 s").arg(e.label).arg(x, 0, 'f', 3);
        connect(line, &QLineSeries::hovered, this, [tip](const QPointF &, bool state) {
            if (state) QToolTip::showText(QCursor::pos(), tip);
        });
        m_eventLines.push_back(line);
    }
    QString title = tr("%1 — %2 packets, %3 missing, %4 late, %5 duplicates; %6 IKE events")
                        .arg(d.title)
                        .arg(d.sequence.size())
                        .arg(d.missing)
                        .arg(d.reordered.size())
                        .arg(d.duplicates.size())
                        .arg(d.events.size());
    if (d.pair)
        title += QStringLiteral("<br>") +
                 tr("Both ends on this capture's clock: %1 shifted by its clock offset %2 ms%3; %4 lost in "
                    "transit")
                     .arg(htmlText(d.otherName), // the title is HTML; the name is the other file's
                          QString::number(d.offsetS * 1e3, 'f', 3),
                          d.offsetMeasured ? QString() : tr(" (assumed: traffic matched one way only)"),
                          QString::number(d.lostInTransit.size()));
    m_chart->setTitle(title);
    m_updating = false;
}

void SequenceChart::pickNearest(const QPointF &point)
{
    const std::ptrdiff_t i = m_data ? nearestPoint(toNs(point.x(), m_data->originNs)) : -1;
    if (i >= 0) Q_EMIT packetClicked(m_data->packetOf[std::size_t(i)]);
}

} // namespace ikev2wb::ui
