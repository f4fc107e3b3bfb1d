// Unit tests for the time <-> pixel mapping, axis ticks and the ladder layout (the series reduction:
// tests/tst_seriesreducer.cpp). Expected values are derived by hand in the comments.
#include "charts/axisticks.h"
#include "charts/ladderlayout.h"
#include "charts/liverate.h"
#include "charts/timeaxis.h"

#include <QLineSeries>
#include <QTest>

#include <cmath>

using namespace ikev2wb::ui;

class TstChartMath : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void niceStep_data()
    {
        QTest::addColumn<double>("span");
        QTest::addColumn<int>("maxTicks");
        QTest::addColumn<bool>("integer");
        QTest::addColumn<double>("interval");
        QTest::addColumn<int>("decimals");
        // Worked by hand: raw = span / maxTicks, the first of 1, 2, 5, 10 x 10^floor(log10 raw) >= raw.
        QTest::newRow("sequence numbers 0..6236") << 6236.0 << 8 << true << 1000.0 << 0; // raw 779.5
        QTest::newRow("lost/s 0..2.2, was 0 1 1 2") << 2.2 << 4 << true << 1.0 << 0;     // raw 0.55 -> 1
        QTest::newRow("16.6 s") << 16.6 << 8 << false << 5.0 << 0;                       // raw 2.075
        QTest::newRow("0.3 s") << 0.3 << 8 << false << 0.05 << 2;                        // raw 0.0375
        QTest::newRow("0.8 s") << 0.8 << 8 << false << 0.1 << 1;                         // raw 0.1 exactly
        QTest::newRow("counts below one") << 0.5 << 8 << true << 1.0 << 0;               // never 0.1 packets
        QTest::newRow("1e9") << 1e9 << 8 << false << 2e8 << 0;                           // raw 1.25e8
        QTest::newRow("boundary") << 10.0 << 10 << false << 1.0 << 0;                    // raw 1 -> 1
        QTest::newRow("empty") << 0.0 << 8 << false << 1.0 << 0;
        QTest::newRow("nan") << std::nan("") << 8 << false << 1.0 << 0;
    }

    void niceStep()
    {
        QFETCH(double, span);
        QFETCH(int, maxTicks);
        QFETCH(bool, integer);
        QFETCH(double, interval);
        QFETCH(int, decimals);
        const TickStep s = ikev2wb::ui::niceStep(span, maxTicks, integer);
        QCOMPARE(s.interval, interval);
        QCOMPARE(s.decimals, decimals);
    }

    void niceStepBounds()
    {
        // Over many spans: at most maxTicks intervals, a 1-2-5 mantissa, whole numbers when asked.
        for (double span = 0.001; span < 1e7; span *= 1.37)
            for (bool integer : {false, true}) {
                const TickStep s = ikev2wb::ui::niceStep(span, 8, integer);
                QVERIFY2(span / s.interval <= 8 + 1e-9 || (integer && s.interval == 1),
                         qPrintable(QString::number(span)));
                const double mant = s.interval / std::pow(10.0, std::floor(std::log10(s.interval) + 1e-12));
                QVERIFY2(std::abs(mant - 1) < 1e-6 || std::abs(mant - 2) < 1e-6 || std::abs(mant - 5) < 1e-6,
                         qPrintable(QString::number(s.interval)));
                if (integer) QCOMPARE(s.interval, std::round(s.interval));
            }
    }

    void mapTimeToX_data()
    {
        QTest::addColumn<qint64>("t");
        QTest::addColumn<double>("x");
        // Axis 0..10 s drawn from x=50 over 1000 px: 1 s = 100 px.
        QTest::newRow("left edge") << qint64(0) << 50.0;
        QTest::newRow("middle") << qint64(5'000'000'000) << 550.0;
        QTest::newRow("right edge") << qint64(10'000'000'000) << 1050.0;
        QTest::newRow("before start") << qint64(-1'000'000'000) << -50.0;
    }
    void mapTimeToX()
    {
        QFETCH(qint64, t);
        QFETCH(double, x);
        const TimeAxis axis{0, 10'000'000'000, 50, 1000};
        QCOMPARE(axis.mapTimeToX(t), x);
        QCOMPARE(axis.mapXToTime(x), t);
    }
    void zoomKeepsAnchor()
    {
        const TimeAxis axis{0, 10'000'000'000, 50, 1000};
        // Zoom in 2x around x=550 (t=5 s): the view becomes 2.5..7.5 s and 5 s stays at x=550.
        const TimeAxis z = axis.zoomed(550, 0.5);
        QCOMPARE(z.startNs, qint64(2'500'000'000));
        QCOMPARE(z.endNs, qint64(7'500'000'000));
        QCOMPARE(z.mapTimeToX(5'000'000'000), 550.0);
        // Pan by 100 px = 0.5 s at this zoom.
        const TimeAxis p = z.panned(100);
        QCOMPARE(p.startNs, qint64(3'000'000'000));
    }
    // The live chart's buckets: a snapshot that starts beyond the buckets drawn (seconds skipped)
    // draws its own buckets at their seconds and reads nothing outside its vectors (before: the
    // index wrapped below zero and read far out of bounds); one that starts inside replaces.
    void liveRateSkippedBuckets()
    {
        LiveRateChart chart;
        chart.setBuckets(0, {1, 2}, {0, 0});
        chart.setBuckets(5, {3}, {1});
        auto *esp = qobject_cast<QLineSeries *>(chart.chart()->series().value(0));
        QVERIFY(esp);
        const QList<QPointF> p = esp->points();
        QCOMPARE(p.size(), 6); // two points a bucket: 0, 1 and 5
        QCOMPARE(p[4], QPointF(5, 3));
        QCOMPARE(p[5], QPointF(6, 3));
        chart.setBuckets(1, {7, 8}, {0, 0}); // replaces 1 and 5, adds 2
        const QList<QPointF> q = esp->points();
        QCOMPARE(q.size(), 6);
        QCOMPARE(q[0], QPointF(0, 1));
        QCOMPARE(q[2], QPointF(1, 7));
        QCOMPARE(q[5], QPointF(3, 8));
    }

    void ladderPlacement()
    {
        // rowHeight 20, 40 px per log2(1 + gap s), top 10:
        // t=0 -> 10; gap 1 ms -> max(20, 40*log2(1.001)=0.06) = 20 -> 30;
        // gap 3 s -> max(20, 40*log2(4)=80) = 80 -> 110; gap 0 -> 20 -> 130.
        LadderLayout l{20, 40, 10};
        const auto ys = l.place({0, 1'000'000, 3'001'000'000, 3'001'000'000});
        QCOMPARE(ys.size(), std::size_t(4));
        QCOMPARE(ys[0], 10.0);
        QCOMPARE(ys[1], 30.0);
        QCOMPARE(ys[2], 110.0);
        QCOMPARE(ys[3], 130.0);
        QCOMPARE(LadderLayout::hitTest(ys, 0), 0);
        QCOMPARE(LadderLayout::hitTest(ys, 69), 1); // nearer 30 than 110
        QCOMPARE(LadderLayout::hitTest(ys, 71), 2);
        QCOMPARE(LadderLayout::hitTest(ys, 1000), 3);
        QCOMPARE(LadderLayout::hitTest({}, 5), -1);
    }
};

QTEST_MAIN(TstChartMath) // a QApplication: the live chart is a widget
#include "tst_chartmath.moc"
