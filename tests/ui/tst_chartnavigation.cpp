// Chart navigation (ui/charts/chartnavigator) and the sequence line's breaks at gaps, on a real
// SequenceChart shown offscreen: wheel, keys, Ctrl+drag and the rubber band move the time axis
// by the amounts worked out here from the plot's geometry; a gap cuts the line.
#include "charts/chartnavigator.h"
#include "charts/sequencechart.h"
#include "plotx.h"
#include "util/seriesreducer.h"

#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QTest>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

using namespace ikev2wb;
using namespace ikev2wb::ui;

namespace {

constexpr std::int64_t kS = 1'000'000'000;

/// 100 packets, one a second from t = 0; sequence numbers 1..50, then 61..110 (10 numbers never
/// arrived between t = 49 s and t = 50 s), or with `everyOther` rising by 2 each time (99 gaps).
std::shared_ptr<const TimelineData> timeline(bool everyOther = false)
{
    auto d = std::make_shared<TimelineData>();
    d->title = QStringLiteral("test SA");
    d->originNs = 0;
    d->startNs = 0;
    d->endNs = 99 * kS;
    for (int i = 0; i < 100; ++i) {
        const double seq = everyOther ? 1 + 2 * i : (i < 50 ? i + 1 : i + 11);
        d->sequence.push_back({i * kS, seq});
        d->packetOf.push_back(std::uint64_t(i));
    }
    return d;
}

struct Shown
{
    SequenceChart chart;
    Shown()
    {
        chart.resize(900, 600);
        chart.show();
        (void)QTest::qWaitForWindowExposed(&chart);
        chart.setData(timeline());
    }
    QChartView *view() const { return chart.chartView(); }
    QValueAxis *x() const { return chart.timeAxis(); }
    AxisRange range() const { return {x()->min(), x()->max()}; }
    QRectF plot() const { return view()->chart()->plotArea(); }
    /// The viewport position of scene point `p`.
    QPoint at(QPointF p) const { return view()->mapFromScene(p); }
    double valueAt(QPoint viewportPos) const
    {
        return view()->chart()->mapToValue(view()->mapToScene(viewportPos)).x();
    }
};

bool near(double a, double b, double tolerance)
{
    return std::abs(a - b) <= tolerance;
}

} // namespace

class TstChartNavigation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void packetIndexesPastFourBillion()
    {
        // 4 bytes a point, yet a live capture's packet numbers past 2^32 (and a jump over a
        // whole 2^32 page) come back whole.
        PacketIndexes p;
        const std::vector<std::uint64_t> in = {0,
                                               5,
                                               0xffffffffULL,
                                               0x100000000ULL,
                                               0x100000003ULL,
                                               0x300000001ULL,
                                               0x300000001ULL,
                                               0x3ffffffffULL};
        for (std::uint64_t v : in)
            p.push_back(v);
        QCOMPARE(p.size(), in.size());
        for (std::size_t k = 0; k < in.size(); ++k)
            QCOMPARE(p[k], in[k]);
    }
    void zoomMaths()
    {
        // Halving [0, 10] around 5 keeps 5 in the middle: [2.5, 7.5].
        AxisRange r = zoomAround({0, 10}, 5, 0.5);
        QCOMPARE(r.lo, 2.5);
        QCOMPARE(r.hi, 7.5);
        // Around the left edge the left edge stays: [0, 5].
        r = zoomAround({0, 10}, 0, 0.5);
        QCOMPARE(r.lo, 0.0);
        QCOMPARE(r.hi, 5.0);
        // Doubling around 10 (the right edge): [-10, 10].
        r = zoomAround({0, 10}, 10, 2);
        QCOMPARE(r.lo, -10.0);
        QCOMPARE(r.hi, 10.0);
        r = panBy({0, 10}, -2.5);
        QCOMPARE(r.lo, -2.5);
        QCOMPARE(r.hi, 7.5);
    }

    void gapsSplitTheLine()
    {
        // 1, 2, 3, then 7 (4..6 never arrived), 8, then 6 (late: a fall is drawn, it is traffic).
        const std::vector<SeriesPoint> p{{0, 1}, {kS, 2}, {2 * kS, 3}, {3 * kS, 7}, {4 * kS, 8}, {5 * kS, 6}};
        const auto pieces = reduceMinMaxSplit(p, 0, 6 * kS, 100, 0, 1.0);
        QCOMPARE(pieces.size(), std::size_t(2));
        QCOMPARE(pieces[0], (QVector<QPointF>{{0, 1}, {1, 2}, {2, 3}}));
        QCOMPARE(pieces[1], (QVector<QPointF>{{3, 7}, {4, 8}, {5, 6}}));

        // Reduced (100,000 points into 100 columns): still one break, at the gap, and the pieces
        // end and start on the packets either side of it.
        std::vector<SeriesPoint> many;
        for (int i = 0; i < 100'000; ++i)
            many.push_back({std::int64_t(i) * 1'000'000, double(i < 50'000 ? i : i + 500)});
        const auto reduced = reduceMinMaxSplit(many, 0, 100 * kS, 100, 0, 1.0);
        QCOMPARE(reduced.size(), std::size_t(2));
        QCOMPARE(reduced[0].back().y(), 49'999.0);
        QCOMPARE(reduced[1].front().y(), 50'500.0);
        qsizetype total = 0;
        for (const auto &piece : reduced)
            total += piece.size();
        QCOMPARE(total, reduceMinMax(many, 0, 100 * kS, 100, 0).size()); // the same points, cut
    }

    void chartBreaksAtGaps()
    {
        Shown s;
        QCOMPARE(s.chart.plottedLinePieces(), 2);
        QCOMPARE(s.chart.plottedPoints(), 100);
        QVERIFY(!s.chart.sequenceAsDots());
        // 99 gaps in view: more than the line may be cut in, so every packet is a dot.
        s.chart.setData(timeline(true));
        QVERIFY(s.chart.sequenceAsDots());
        QCOMPARE(s.chart.plottedLinePieces(), 0);
        QCOMPARE(s.chart.plottedPoints(), 100);
        // Zoomed to [10, 20] s: 10 gaps visible, a line in 11 pieces again.
        s.chart.setVisibleRange(10 * kS, 20 * kS + 1);
        QVERIFY(!s.chart.sequenceAsDots());
        QCOMPARE(s.chart.plottedLinePieces(), 11);
    }

    void otherEndBreaksAtGaps()
    {
        // A pair: the other end received packets 1..30 and 36..100 of this SA (five lost on the
        // way): its dashed line is cut there too, not drawn as a slope across the loss.
        Shown s;
        auto d = std::make_shared<TimelineData>(*timeline());
        d->pair = true;
        d->otherName = QStringLiteral("B");
        for (int i = 0; i < 100; ++i)
            if (i < 30 || i >= 35) d->otherEnd.push_back({i * kS, double(i + 1)});
        s.chart.setData(d);
        QCOMPARE(s.chart.plottedOtherEndPieces(), 2);
        QCOMPARE(s.chart.plottedOtherEndPoints(), 95);
        QCOMPARE(s.chart.plottedLinePieces(), 2); // this end's own gap (51..60) as before
    }

    void wheelZoomsAroundTheCursor()
    {
        Shown s;
        // The whole timeline with 2 % margins: [-1.98, 100.98] s.
        QVERIFY(near(s.range().lo, -1.98, 1e-9));
        QVERIFY(near(s.range().hi, 100.98, 1e-9));
        QVERIFY(s.chart.hintLabel()->isVisible());
        QVERIFY(s.chart.hintLabel()->text().contains(QStringLiteral("Wheel")));
        // A quarter into the plot.
        const QRectF plot = s.plot();
        const QPoint pos = s.at(QPointF(plot.left() + plot.width() / 4, plot.center().y()));
        const double anchor = s.valueAt(pos);
        const AxisRange before = s.range();
        QWheelEvent wheel(pos, s.view()->viewport()->mapToGlobal(pos), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(s.view()->viewport(), &wheel);
        const AxisRange want = zoomAround(before, anchor, 1 / ChartNavigator::kWheelStep);
        QTRY_VERIFY(near(s.range().lo, want.lo, 1e-6));
        QVERIFY(near(s.range().hi, want.hi, 1e-6));
        QVERIFY(s.range().span() < before.span() * 0.81); // 1/1.25 = 0.8
        // The time under the cursor stayed under it (within a pixel).
        const double pixel = s.range().span() / s.plot().width();
        QVERIFY2(near(s.valueAt(pos), anchor, pixel), qPrintable(QString::number(s.valueAt(pos) - anchor)));
        // And back out with the other direction.
        QWheelEvent out(pos, s.view()->viewport()->mapToGlobal(pos), QPoint(), QPoint(0, -120), Qt::NoButton,
                        Qt::NoModifier, Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(s.view()->viewport(), &out);
        QTRY_VERIFY(near(s.range().span(), before.span(), 1e-6));
    }

    void keyboard()
    {
        Shown s;
        s.view()->setFocus();
        const AxisRange full = s.range();
        QTest::keyClick(s.view(), Qt::Key_Plus);
        const AxisRange zoomed = zoomAround(full, (full.lo + full.hi) / 2, 0.8);
        QTRY_VERIFY(near(s.range().lo, zoomed.lo, 1e-6));
        QVERIFY(near(s.range().hi, zoomed.hi, 1e-6));
        QTest::keyClick(s.view(), Qt::Key_Right);
        const AxisRange panned = panBy(zoomed, 0.1 * zoomed.span());
        QTRY_VERIFY(near(s.range().lo, panned.lo, 1e-6));
        QTest::keyClick(s.view(), Qt::Key_Left);
        QTRY_VERIFY(near(s.range().lo, zoomed.lo, 1e-6));
        QTest::keyClick(s.view(), Qt::Key_Minus);
        QTRY_VERIFY(near(s.range().span(), full.span(), 1e-6));
        QTest::keyClick(s.view(), Qt::Key_Plus);
        QTest::keyClick(s.view(), Qt::Key_Plus);
        QTRY_VERIFY(s.range().span() < full.span() * 0.7);
        QTest::keyClick(s.view(), Qt::Key_0);
        QTRY_VERIFY(near(s.range().lo, -1.98, 1e-9));
        QVERIFY(near(s.range().hi, 100.98, 1e-9));
    }

    void ctrlDragPans()
    {
        Shown s;
        const AxisRange before = s.range();
        const QRectF plot = s.plot();
        const QPoint from = s.at(plot.center());
        const QPoint to = from + QPoint(100, 0);
        QWidget *vp = s.view()->viewport();
        QTest::mousePress(vp, Qt::LeftButton, Qt::ControlModifier, from);
        QTest::mouseMove(vp, to);
        QTest::mouseRelease(vp, Qt::LeftButton, Qt::ControlModifier, to);
        // Dragging right by 100 px moves the view left by 100 px worth of time.
        const double shift = 100.0 / plot.width() * before.span();
        QTRY_VERIFY(near(s.range().lo, before.lo - shift, 1e-6));
        QVERIFY(near(s.range().hi, before.hi - shift, 1e-6));
    }

    void rubberBandZooms()
    {
        Shown s;
        const QRectF plot = s.plot();
        const QPoint a = s.at(QPointF(plot.left() + plot.width() * 0.2, plot.center().y()));
        const QPoint b = s.at(QPointF(plot.left() + plot.width() * 0.6, plot.center().y()));
        const double va = s.valueAt(a), vb = s.valueAt(b);
        QWidget *vp = s.view()->viewport();
        QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, a);
        QMouseEvent move(QEvent::MouseMove, b, vp->mapToGlobal(b), Qt::NoButton, Qt::LeftButton,
                         Qt::NoModifier);
        QCoreApplication::sendEvent(vp, &move);
        QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, b);
        const double pixel = (vb - va) / (b.x() - a.x());
        QTRY_VERIFY2(near(s.range().lo, va, 2 * pixel),
                     qPrintable(QStringLiteral("%1 vs %2").arg(s.range().lo).arg(va)));
        QVERIFY2(near(s.range().hi, vb, 2 * pixel),
                 qPrintable(QStringLiteral("%1 vs %2").arg(s.range().hi).arg(vb)));
        // The zoomed view re-reduced: the gap at 49-50 s is inside [va, vb], still a break.
        QVERIFY(va < 49 && vb > 50);
        QCOMPARE(s.chart.plottedLinePieces(), 2);
    }

    void tooltipGivesTheValuesUnderTheCursor()
    {
        Shown s;
        // At t = 30.2 s the nearest packet is the one at 30 s: packet #31, sequence number 31.
        const QString text = s.chart.describeAt(QPointF(30.2, 31));
        QVERIFY2(text.contains(QStringLiteral("nearest packet: #31, seq 31 at 30.000000 s")),
                 qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("t 30.200000 s")));
        // Moving the mouse over the plot shows it.
        const QRectF plot = s.plot();
        const QPoint pos = s.at(QPointF(plot.left() + plot.width() * 0.75, plot.center().y()));
        QTest::mouseMove(s.view()->viewport(), pos);
        const int packet = int(std::lround(s.valueAt(pos))) + 1;
        QTRY_VERIFY2(QToolTip::text().contains(QStringLiteral("nearest packet: #%1").arg(packet)),
                     qPrintable(QToolTip::text()));
    }
    void lossStripKeepsRoomForItsLabels()
    {
        // The live page gives the timeline about 400 px: the strip (a quarter of it) used to keep
        // a plot a few pixels tall, and QtCharts wrote its axis labels as "..." (seen on the live
        // capture screenshot). Its plot keeps at least two text lines, its labels whole.
        auto d = std::make_shared<TimelineData>();
        d->endNs = 9 * kS;
        for (int i = 0; i < 10; ++i) {
            d->sequence.push_back({i * kS, 1.0 + i});
            d->packetOf.push_back(std::uint64_t(i));
        }
        d->lossPerSecond = {{4 * kS, 6}, {5 * kS - 1, 6}};
        SequenceChart chart;
        chart.resize(1300, 400);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setData(d);
        const int line = chart.fontMetrics().height();
        QTRY_VERIFY2(chart.lossView()->chart()->plotArea().height() >= 2 * line,
                     qPrintable(QStringLiteral("loss plot %1 px tall, a text line %2 px")
                                    .arg(chart.lossView()->chart()->plotArea().height())
                                    .arg(line)));
    }
    void lossStripSharesTheTimeAxis()
    {
        // Sequence numbers near 2^32 (ten-digit labels) over a loss strip counting to 3 (one
        // digit): the plots still begin and end at the same columns, so a second sits at the
        // same pixel column in both, after the first layout and after a resize.
        auto d = std::make_shared<TimelineData>();
        d->title = QStringLiteral("wide labels");
        d->endNs = 99 * kS;
        for (int i = 0; i < 100; ++i) {
            d->sequence.push_back({i * kS, 4'294'967'000.0 + i});
            d->packetOf.push_back(std::uint64_t(i));
        }
        d->lossPerSecond = {{40 * kS, 3}, {41 * kS - 1, 3}};
        SequenceChart chart;
        chart.resize(900, 600);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setData(d);
        const auto aligned = [&]() {
            for (const double t : {5.0, 50.0, 95.0})
                if (std::abs(windowXOf(chart.chartView(), t) - windowXOf(chart.lossView(), t)) > 1)
                    return false;
            return true;
        };
        const auto gap = [&]() {
            return QStringLiteral("t = 5 s at x %1 above, %2 below")
                .arg(windowXOf(chart.chartView(), 5))
                .arg(windowXOf(chart.lossView(), 5));
        };
        QTRY_VERIFY2(aligned(), qPrintable(gap()));
        chart.resize(1300, 700);
        QTRY_VERIFY2(aligned(), qPrintable(gap()));
    }
};

QTEST_MAIN(TstChartNavigation)
#include "tst_chartnavigation.moc"
