// The per-pixel-column series reduction (core/util/seriesreducer) the charts and the PDF
// report share. Expected values are derived by hand in the comments.
#include "util/seriesreducer.h"

#include <QTest>

#include <algorithm>

using namespace ikev2wb;

class TstSeriesReducer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void minMaxKeepsShape()
    {
        // 1000 points, one per ms, value i % 10, reduced to 10 buckets of 100 points each.
        // Per bucket: first (value 0) is also the minimum, the maximum is the first 9
        // (offset 9) and the last point has value 9 (offset 99): 3 distinct points per bucket.
        std::vector<SeriesPoint> pts;
        for (int i = 0; i < 1000; ++i)
            pts.push_back({std::int64_t(i) * 1'000'000, double(i % 10)});
        const auto out = reduceMinMax(pts, 0, 1'000'000'000, 10, 0);
        QCOMPARE(out.size(), 30);
        QCOMPARE(out.first().y(), 0.0);
        QCOMPARE(out.at(1).y(), 9.0);
        QCOMPARE(out.at(1).x(), 0.009);
        QCOMPARE(out.last().y(), 9.0);
        QCOMPARE(out.last().x(), 0.999);
    }
    void spikeSurvives()
    {
        // A single spike among 100000 zeros must survive a 100-bucket reduction.
        std::vector<SeriesPoint> pts;
        for (int i = 0; i < 100000; ++i)
            pts.push_back({std::int64_t(i) * 1000, i == 55555 ? 100.0 : 0.0});
        const auto out = reduceMinMax(pts, 0, 100'000'000, 100, 0);
        QVERIFY(out.size() <= 400);
        const bool found =
            std::any_of(out.begin(), out.end(), [](const QPointF &p) { return p.y() == 100.0; });
        QVERIFY(found);
    }
    void smallSeriesUntouched()
    {
        std::vector<SeriesPoint> pts{{0, 1}, {10, 2}, {20, 3}};
        QCOMPARE(reduceMinMax(pts, 0, 100, 10, 0).size(), 3);
        // Range selection: only the point at t=10 is inside [5, 15).
        QCOMPARE(reduceMinMax(pts, 5, 15, 10, 0).size(), 1);
    }
    void markersOnePerBucket()
    {
        std::vector<SeriesPoint> pts;
        for (int i = 0; i < 1000; ++i)
            pts.push_back({std::int64_t(i), double(i)});
        // 1000 markers over 1000 ns in 10 buckets: the first of each bucket survives.
        const auto out = reduceMarkers(pts, 0, 1000, 10, 0);
        QCOMPARE(out.size(), 10);
        QCOMPARE(out.at(3).y(), 300.0);
    }
    void perColumnFirstMinMaxLast()
    {
        // 4 columns over [0, 400) ns, 100 points each (t = 100 b + i): value b, except a dip to
        // -(b + 5) at i = 37 and a peak of 50 + b at i = 71. Each column keeps, in time order,
        // its first (i = 0), minimum (i = 37), maximum (i = 71) and last (i = 99) point.
        std::vector<SeriesPoint> pts;
        for (int b = 0; b < 4; ++b)
            for (int i = 0; i < 100; ++i)
                pts.push_back({std::int64_t(100 * b + i), i == 37   ? -(b + 5.0)
                                                          : i == 71 ? 50.0 + b
                                                                    : double(b)});
        const QVector<QPointF> out = reduceMinMax(pts, 0, 400, 4, 0);
        QCOMPARE(out.size(), 16);
        for (int b = 0; b < 4; ++b) {
            const qsizetype k = 4 * b;
            QCOMPARE(out.at(k), QPointF((100 * b) / 1e9, b));
            QCOMPARE(out.at(k + 1), QPointF((100 * b + 37) / 1e9, -(b + 5.0)));
            QCOMPARE(out.at(k + 2), QPointF((100 * b + 71) / 1e9, 50.0 + b));
            QCOMPARE(out.at(k + 3), QPointF((100 * b + 99) / 1e9, b));
        }
        // x is relative to the origin: the same columns 1 µs after it.
        QCOMPARE(reduceMinMax(pts, 0, 400, 4, -1000).first().x(), 1000 / 1e9);
    }
    void gapsBreakTheLine()
    {
        // Sequence numbers 1..500 then 511..1000, one per ms (t = i ms): 501..510 never arrived.
        // 10 columns of 100 ms: the jump 500 → 511 falls between column 4's last point
        // (t = 499 ms) and column 5's first (t = 500 ms), both kept and neighbours in the data:
        // two pieces, the first ending at 500, the second starting at 511.
        std::vector<SeriesPoint> pts;
        for (int i = 0; i < 990; ++i)
            pts.push_back({std::int64_t(i) * 1'000'000, double(i < 500 ? i + 1 : i + 11)});
        const auto pieces = reduceMinMaxSplit(pts, 0, 1'000'000'000, 10, 0, 1.0);
        QCOMPARE(pieces.size(), std::size_t(2));
        QCOMPARE(pieces[0].first(), QPointF(0, 1));
        QCOMPARE(pieces[0].last(), QPointF(0.499, 500));
        QCOMPARE(pieces[1].first(), QPointF(0.5, 511));
        QCOMPARE(pieces[1].last(), QPointF(0.989, 1000));
        // Cut, not thinned: the pieces hold exactly reduceMinMax's points.
        QCOMPARE(pieces[0].size() + pieces[1].size(), reduceMinMax(pts, 0, 1'000'000'000, 10, 0).size());
        // Unreduced (few points): every rise above maxRise breaks; a rise of exactly 1 does not.
        const std::vector<SeriesPoint> few{{0, 1}, {1, 2}, {2, 5}, {3, 6}, {4, 9}};
        const auto cut = reduceMinMaxSplit(few, 0, 10, 10, 0, 1.0);
        QCOMPARE(cut.size(), std::size_t(3));
        QCOMPARE(cut[0], (QVector<QPointF>{{0, 1}, {1e-9, 2}}));
        QCOMPARE(cut[1], (QVector<QPointF>{{2e-9, 5}, {3e-9, 6}}));
        QCOMPARE(cut[2], (QVector<QPointF>{{4e-9, 9}}));
        QCOMPARE(reduceMinMaxSplit(few, 0, 10, 10, 0, 3.0).size(), std::size_t(1));
    }
    void emptyInputs()
    {
        const std::vector<SeriesPoint> pts{{5, 1}};
        QVERIFY(reduceMinMax(pts, 0, 10, 0, 0).isEmpty());  // no columns
        QVERIFY(reduceMinMax(pts, 10, 10, 4, 0).isEmpty()); // empty span
        QVERIFY(reduceMinMaxSplit({}, 0, 10, 4, 0, 1.0).empty());
    }
};

QTEST_GUILESS_MAIN(TstSeriesReducer)
#include "tst_seriesreducer.moc"
