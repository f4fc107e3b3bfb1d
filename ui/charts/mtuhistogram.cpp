#include "mtuhistogram.h"
#include "charts/axisticks.h"
#include "widgets/plaintext.h"

#include "analyze/mtu.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>

namespace ikev2wb::ui {

MtuHistogram::MtuHistogram(QWidget *parent) : QChartView(new QChart, parent), m_chart(chart())
{
    m_chart->legend()->setVisible(false);
    m_chart->setBackgroundBrush(palette().color(QPalette::Base));
    m_chart->setTitleBrush(palette().color(QPalette::Text));
}

void MtuHistogram::clear()
{
    m_chart->removeAllSeries();
    for (QAbstractAxis *axis : m_chart->axes())
        m_chart->removeAxis(axis);
}

void MtuHistogram::setSizes(const MtuSaSizes &m, const Marker &pathMtu, const Marker &fullInner,
                            const QString &whose)
{
    clear();
    auto *set = new QBarSet(tr("packets"));
    QStringList categories;
    for (int b = 0; b < kMtuBins; ++b) {
        set->append(double(m.histogram[std::size_t(b)]));
        // Every fourth bin is labelled; the others get distinct blank labels (categories must be unique).
        if (b == kMtuBins - 1)
            categories << tr(">%1").arg(b * kMtuBinBytes);
        else if (b % 4 == 0)
            categories << QString::number(b * kMtuBinBytes);
        else
            categories << QString(b, QChar(0x200B)); // zero-width: blank but distinct
    }
    set->setColor(palette().color(QPalette::Highlight));
    auto *series = new QBarSeries;
    series->append(set);
    series->setBarWidth(0.9);
    m_chart->addSeries(series);
    // The bars hang on a category axis (hidden); a value axis over the same span [0, 26 × 64)
    // carries readable byte labels and the vertical lines: the path MTU and the outer size the
    // calculator's suite makes of a full 1500-byte inner packet.
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    x->setVisible(false);
    auto *bytes = new QValueAxis;
    bytes->setRange(0, kMtuBins * kMtuBinBytes);
    bytes->setTickType(QValueAxis::TicksDynamic);
    bytes->setTickAnchor(0);
    bytes->setTickInterval(256);
    bytes->setLabelFormat(QStringLiteral("%d"));
    bytes->setTitleText(tr("outer IP packet size, bytes (bins of %1; the last holds ≥ %2)")
                            .arg(kMtuBinBytes)
                            .arg((kMtuBins - 1) * kMtuBinBytes));
    auto *y = new QValueAxis;
    y->setTitleText(tr("packets"));
    y->setLabelFormat(QStringLiteral("%.0f"));
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(bytes), static_cast<QAbstractAxis *>(y)}) {
        axis->setLabelsColor(palette().color(QPalette::Text));
        axis->setTitleBrush(palette().color(QPalette::Text));
    }
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(bytes, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    y->applyNiceNumbers();
    applyNiceTicks(y, 6, true); // packets
    const double top = y->max();
    auto line = [&](const Marker &marker) {
        if (marker.atBytes == 0) return;
        const double at = std::min<double>(marker.atBytes, kMtuBins * kMtuBinBytes);
        auto *l = new QLineSeries;
        l->setName(marker.name);
        l->append(at, 0);
        l->append(at, top);
        QPen pen(marker.colour, 2, Qt::DashLine);
        l->setPen(pen);
        m_chart->addSeries(l);
        l->attachAxis(bytes);
        l->attachAxis(y);
    };
    line(pathMtu);
    line(fullInner);
    m_chart->legend()->setVisible(true);
    m_chart->legend()->setLabelColor(palette().color(QPalette::Text));
    const QString sizes = tr("Outer sizes: %1 packets, p50 %2, p99 %3, max %4 bytes, DF on %5%")
                              .arg(m.packets)
                              .arg(m.p50)
                              .arg(m.p99)
                              .arg(m.max)
                              .arg(m.dfFraction() * 100, 0, 'f', 0);
    // The title is rich text: the capture's name is a file name, shown as text.
    m_chart->setTitle(whose.isEmpty() ? sizes : tr("%1 — %2").arg(htmlText(whose), sizes));
}

} // namespace ikev2wb::ui
