#include "evidencetimeline.h"
#include "charts/axisticks.h"

#include "theme/theme.h"

#include "models/evidencemodel.h"
#include "util/seriesreducer.h"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QEvent>
#include <QLegend>
#include <QLineSeries>
#include <QScatterSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace ikev2wb::ui {

CaptureActivity captureActivity(const CaptureIndex &index, int buckets, const std::atomic_bool *cancel,
                                std::atomic<quint64> *walked)
{
    CaptureActivity out;
    const std::size_t n = index.packetCount();
    if (n == 0) return out;
    const std::int64_t first = index.firstNs;
    const std::int64_t last = std::max(index.lastNs, first + 1);
    out.durationS = double(last - first) / 1e9;
    const auto seconds = std::size_t((last - first) / 1'000'000'000) + 1;
    std::vector<double> esp(seconds, 0), ike(seconds, 0);
    for (std::size_t i = 0; i < n; ++i) {
        if ((i & 4095) == 0) {
            if (walked) walked->store(i, std::memory_order_relaxed);
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                out.cancelled = true;
                return out;
            }
        }
        const PacketRecord &p = index.packets[i];
        if (p.tsNs < first) continue;
        const auto s = std::min(std::size_t((p.tsNs - first) / 1'000'000'000), seconds - 1);
        if (p.isEsp())
            esp[s] += 1;
        else if (p.isIke())
            ike[s] += 1;
    }
    auto reduce = [&](const std::vector<double> &counts) {
        std::vector<SeriesPoint> pts;
        pts.reserve(counts.size());
        for (std::size_t s = 0; s < counts.size(); ++s) {
            pts.push_back({first + std::int64_t(s) * 1'000'000'000, counts[s]});
            out.peak = std::max(out.peak, counts[s]);
        }
        return reduceMinMax(pts, first, first + std::int64_t(counts.size()) * 1'000'000'000, buckets, first);
    };
    if (walked) walked->store(n, std::memory_order_relaxed);
    out.esp = reduce(esp);
    out.ike = reduce(ike);
    return out;
}

namespace {
constexpr int LaneCount = int(LogMarker::Count_);

QColor laneColor(int lane, const QPalette &pal)
{
    // Distinct hues, lighter on a dark base so every lane stays readable.
    switch (LogMarker(lane)) {
    case LogMarker::Retransmit:
        return roleColor(ColorRole::Bad, pal);
    case LogMarker::Dpd:
        return roleColor(ColorRole::Primary, pal);
    case LogMarker::Rekey:
        return roleColor(ColorRole::Good, pal);
    case LogMarker::Nat:
        return roleColor(ColorRole::Accent, pal);
    case LogMarker::Delete:
        return roleColor(ColorRole::Warning, pal);
    default:
        return pal.color(QPalette::Text);
    }
}
} // namespace

EvidenceTimeline::EvidenceTimeline(QWidget *parent) : QWidget(parent)
{
    m_chart = new QChart;
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_esp = new QLineSeries(m_chart);
    m_esp->setName(tr("ESP packets/s"));
    m_ike = new QLineSeries(m_chart);
    m_ike->setName(tr("IKE packets/s"));
    m_chart->addSeries(m_esp);
    m_chart->addSeries(m_ike);
    m_x = new QValueAxis(m_chart);
    m_x->setTitleText(tr("seconds since the capture's first packet"));
    m_x->setLabelFormat(QStringLiteral("%.0f"));
    m_y = new QValueAxis(m_chart);
    m_y->setTitleText(tr("packets/s"));
    m_y->setLabelFormat(QStringLiteral("%.0f"));
    m_laneAxis = new QCategoryAxis(m_chart);
    m_laneAxis->setRange(0, LaneCount);
    m_laneAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
    for (int l = 0; l < LaneCount; ++l)
        m_laneAxis->append(logMarkerName(LogMarker(l)), l + 1);
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_chart->addAxis(m_laneAxis, Qt::AlignRight);
    for (QLineSeries *s : {m_esp, m_ike}) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    for (int l = 0; l < LaneCount; ++l) {
        auto *lane = new QScatterSeries(m_chart);
        lane->setName(logMarkerName(LogMarker(l)));
        lane->setMarkerSize(11);
        m_chart->addSeries(lane);
        lane->attachAxis(m_x);
        lane->attachAxis(m_laneAxis);
        connect(lane, &QScatterSeries::hovered, this, [this, l](const QPointF &p, bool on) {
            if (!on) {
                QToolTip::hideText();
                return;
            }
            if (const TimelineMarker *m = nearest(l, p.x()))
                QToolTip::showText(QCursor::pos(), m->tooltip, m_view);
        });
        connect(lane, &QScatterSeries::clicked, this, [this, l](const QPointF &p) {
            if (const TimelineMarker *m = nearest(l, p.x())) Q_EMIT markerClicked(m->row);
        });
        m_lanes.push_back(lane);
    }
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing, true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    restyle();
    updateRange();
}

EvidenceTimeline::~EvidenceTimeline() = default;

void EvidenceTimeline::restyle()
{
    const QPalette pal = palette();
    m_chart->setBackgroundBrush(pal.color(QPalette::Base));
    m_chart->legend()->setLabelColor(pal.color(QPalette::Text));
    for (QAbstractAxis *a : {static_cast<QAbstractAxis *>(m_x), static_cast<QAbstractAxis *>(m_y),
                             static_cast<QAbstractAxis *>(m_laneAxis)}) {
        a->setLabelsColor(pal.color(QPalette::Text));
        a->setTitleBrush(pal.color(QPalette::Text));
        a->setGridLineColor(pal.color(QPalette::Mid));
    }
    m_esp->setPen(QPen(roleColor(ColorRole::Muted, pal), 1.2));
    // A hue no lane has (Warning is the Deletes lane's, Secondary a green like the Rekeys lane's:
    // either read as one series with it in the legend).
    m_ike->setPen(QPen(roleColor(ColorRole::Tertiary, pal), 1.2, Qt::DashLine));
    for (int l = 0; l < LaneCount; ++l) {
        m_lanes[std::size_t(l)]->setColor(laneColor(l, pal));
        m_lanes[std::size_t(l)]->setBorderColor(pal.color(QPalette::Base));
    }
}

void EvidenceTimeline::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) restyle();
}

void EvidenceTimeline::setActivity(std::shared_ptr<const CaptureActivity> activity)
{
    m_activity = std::move(activity);
    m_esp->replace(m_activity ? m_activity->esp : QVector<QPointF>{});
    m_ike->replace(m_activity ? m_activity->ike : QVector<QPointF>{});
    updateRange();
}

void EvidenceTimeline::setMarkers(std::vector<TimelineMarker> markers)
{
    m_markers = std::move(markers);
    std::stable_sort(m_markers.begin(), m_markers.end(),
                     [](const TimelineMarker &a, const TimelineMarker &b) {
                         return a.lane != b.lane ? a.lane < b.lane : a.x < b.x;
                     });
    rebuildMarkers();
    updateRange();
}

void EvidenceTimeline::rebuildMarkers()
{
    std::vector<QVector<QPointF>> lanes;
    lanes.resize(std::size_t(LaneCount));
    for (const TimelineMarker &m : m_markers)
        if (m.lane >= 0 && m.lane < LaneCount) lanes[std::size_t(m.lane)].append(QPointF(m.x, m.lane + 0.5));
    for (int l = 0; l < LaneCount; ++l)
        m_lanes[std::size_t(l)]->replace(lanes[std::size_t(l)]);
}

void EvidenceTimeline::updateRange()
{
    double lo = 0, hi = m_activity ? std::max(m_activity->durationS, 1.0) : 1.0;
    for (const TimelineMarker &m : m_markers) {
        lo = std::min(lo, m.x);
        hi = std::max(hi, m.x);
    }
    const double pad = (hi - lo) * 0.02;
    setNiceRange(m_x, lo - (lo < 0 ? pad : 0), hi + pad);
    setNiceRange(m_y, 0, m_activity ? std::max(1.0, m_activity->peak * 1.1) : 1.0, 4, true);
}

const TimelineMarker *EvidenceTimeline::nearest(int lane, double x) const
{
    // Markers are sorted by (lane, x): binary search within the lane.
    auto begin = std::lower_bound(m_markers.begin(), m_markers.end(), lane,
                                  [](const TimelineMarker &m, int l) { return m.lane < l; });
    auto end = std::upper_bound(begin, m_markers.end(), lane,
                                [](int l, const TimelineMarker &m) { return l < m.lane; });
    if (begin == end) return nullptr;
    auto it = std::lower_bound(begin, end, x, [](const TimelineMarker &m, double v) { return m.x < v; });
    if (it == end) return &*(end - 1);
    if (it != begin && x - (it - 1)->x < it->x - x) --it;
    return &*it;
}

} // namespace ikev2wb::ui
