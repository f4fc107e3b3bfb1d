#include "liverate.h"
#include "charts/axisticks.h"
#include "theme/theme.h"

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>

namespace ikev2wb::ui {

LiveRateChart::LiveRateChart(QWidget *parent) : QChartView(new QChart, parent), m_chart(chart())
{
    m_chart->setTitle(tr("ESP packets and sequence numbers skipped, per second"));
    m_espSeries = new QLineSeries(m_chart);
    m_espSeries->setName(tr("ESP packets/s"));
    m_missingSeries = new QLineSeries(m_chart);
    m_missingSeries->setName(tr("skipped/s"));
    QPen lossPen(roleColor(ColorRole::Bad, palette()));
    lossPen.setWidthF(2);
    m_missingSeries->setPen(lossPen);
    m_chart->addSeries(m_espSeries);
    m_chart->addSeries(m_missingSeries);
    m_x = new QValueAxis(m_chart);
    m_x->setTitleText(tr("seconds since the first packet"));
    m_x->setLabelFormat(QStringLiteral("%d"));
    m_x->setRange(0, 10);
    m_x->setTickType(QValueAxis::TicksDynamic);
    m_x->setTickAnchor(0);
    m_x->setTickInterval(1);
    // Two scales: a handful of skipped numbers must show beside tens of thousands of packets.
    m_y = new QValueAxis(m_chart);
    m_y->setLabelFormat(QStringLiteral("%d"));
    m_y->setTitleText(tr("ESP packets/s"));
    m_y->setRange(0, 1);
    m_yMissing = new QValueAxis(m_chart);
    m_yMissing->setLabelFormat(QStringLiteral("%d"));
    m_yMissing->setTitleText(tr("skipped/s"));
    m_yMissing->setLabelsColor(lossPen.color());
    m_yMissing->setTitleBrush(lossPen.color());
    m_yMissing->setRange(0, 1);
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_chart->addAxis(m_yMissing, Qt::AlignRight);
    m_espSeries->attachAxis(m_x);
    m_espSeries->attachAxis(m_y);
    m_missingSeries->attachAxis(m_x);
    m_missingSeries->attachAxis(m_yMissing);
}

void LiveRateChart::setBuckets(std::size_t seriesFrom, const std::vector<std::uint64_t> &espPerSecond,
                               const std::vector<std::uint64_t> &missingPerSecond)
{
    // Buckets from seriesFrom on replace what was drawn there, the rest are new. Two points a
    // bucket (its start and end) draw steps.
    if (espPerSecond.empty()) return;
    const std::size_t from = std::min(seriesFrom, m_seriesBuckets);
    const int keepPoints = int(from * 2);
    if (m_espSeries->count() > keepPoints) {
        m_espSeries->removePoints(keepPoints, m_espSeries->count() - keepPoints);
        m_missingSeries->removePoints(keepPoints, m_missingSeries->count() - keepPoints);
    }
    QList<QPointF> esp, missing;
    // Buckets a snapshot skipped (seriesFrom beyond what was drawn) have no values: nothing is
    // drawn for them (the line joins across), and nothing is read outside the two vectors.
    for (std::size_t k = 0; k < espPerSecond.size(); ++k) {
        const double x = double(seriesFrom + k);
        const double e = double(espPerSecond[k]);
        const double m = k < missingPerSecond.size() ? double(missingPerSecond[k]) : 0.0;
        esp << QPointF(x, e) << QPointF(x + 1, e);
        missing << QPointF(x, m) << QPointF(x + 1, m);
        m_yMax = std::max(m_yMax, e);
        m_yMissingMax = std::max(m_yMissingMax, m);
    }
    m_espSeries->append(esp);
    m_missingSeries->append(missing);
    m_seriesBuckets = seriesFrom + espPerSecond.size();
    const double span = std::max<double>(10, double(m_seriesBuckets));
    setNiceRange(m_x, 0, span, 12, true); // whole seconds
    setNiceRange(m_y, 0, std::max(1.0, m_yMax * 1.1), 6, true);
    setNiceRange(m_yMissing, 0, std::max(4.0, m_yMissingMax * 1.1), 4, true);
}

} // namespace ikev2wb::ui
