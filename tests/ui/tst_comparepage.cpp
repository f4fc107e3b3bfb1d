// The Comparison page on the lab pair tests/data/lab/loss1 (tests/data/lab/README.md): the
// mid router's netem dropped packets left → right only. Expected values come from the lab, not
// from this program: netem's own drop counter (stats/mid-tc-end.txt, "dropped 58"; the lab
// notes that netem hits every IP packet, so ESP lost + IKE lost must add up to it), truth.json
// (right → left loss-free, the endpoints' outer addresses).
#include "charts/comparechart.h"
#include "loader/pairloader.h"
#include "mainwindow.h"
#include "models/directionmodel.h"
#include "pages/comparepage.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace ikev2wb;
using namespace ikev2wb::ui;

namespace {
QString lab(const char *file)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/lab/loss1/") + QLatin1String(file);
}

QJsonObject truth()
{
    QFile f(lab("truth.json"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// netem's drop counter on eth-r, the mid router's egress towards right (left → right).
qint64 netemDropped()
{
    QFile f(lab("stats/mid-tc-end.txt"));
    if (!f.open(QIODevice::ReadOnly)) return -1;
    const auto m =
        QRegularExpression(QStringLiteral("qdisc netem [^\\n]*dev eth-r[^\\n]*\\n[^\\n]*dropped (\\d+)"))
            .match(QString::fromUtf8(f.readAll()));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}
} // namespace

class TstComparePage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2-workbench-tests"));
        qRegisterMetaType<IndexPtr>("ikev2wb::ui::IndexPtr");
        if (!QFile::exists(lab("left-outer.pcap"))) QSKIP("tests/data/lab/loss1 is missing");
    }

    void directionModel()
    {
        // The loader runs the comparison on a worker thread; the model takes its result.
        PairLoader loader;
        QSignalSpy done(&loader, &PairLoader::compared);
        QSignalSpy failed(&loader, &PairLoader::failed);
        loader.compare(lab("left-outer.pcap"), lab("right-outer.pcap"));
        QVERIFY(loader.isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(done.count() + failed.count(), 1, 60000);
        QCOMPARE(failed.count(), 0);
        const auto result = done.at(0).at(2).value<ComparePtr>();
        QVERIFY(result);

        DirectionModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setResult(result);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(DirectionModel::ColumnCount));

        const qint64 dropped = netemDropped();
        QCOMPARE(dropped, qint64(58));
        // Row 0 is left (A, the first file) → right. Every netem drop was ESP or IKE.
        const auto num = [&](int row, int col) {
            return model.index(row, col).data(DirectionModel::SortRole).toLongLong();
        };
        QCOMPARE(num(0, DirectionModel::ColLost) + num(0, DirectionModel::ColIkeLost), dropped);
        QCOMPARE(model.index(0, DirectionModel::ColLost).data().toString(), QStringLiteral("58"));
        QCOMPARE(num(0, DirectionModel::ColSent) - num(0, DirectionModel::ColReceived), qint64(58));
        // truth.json: right → left is loss-free.
        QCOMPARE(truth()
                     .value(QStringLiteral("expected_diagnosis"))
                     .toObject()
                     .value(QStringLiteral("esp_loss_right_to_left_pct"))
                     .toInt(-1),
                 0);
        QCOMPARE(model.index(1, DirectionModel::ColLost).data().toString(), QStringLiteral("0"));
        QCOMPARE(num(1, DirectionModel::ColIkeLost), qint64(0));
        // The direction column names the endpoints by their outer addresses (truth.json topology).
        const QJsonObject topo = truth().value(QStringLiteral("topology")).toObject();
        const QString left =
            topo.value(QStringLiteral("left")).toObject().value(QStringLiteral("outer_ip")).toString();
        const QString right =
            topo.value(QStringLiteral("right")).toObject().value(QStringLiteral("outer_ip")).toString();
        QVERIFY(!left.isEmpty() && !right.isEmpty());
        const QString dir0 = model.index(0, DirectionModel::ColDirection).data().toString();
        QVERIFY2(dir0.indexOf(left) >= 0 && dir0.indexOf(left) < dir0.indexOf(right), qPrintable(dir0));

        // Sorting goes through the raw values: descending by loss puts left → right first,
        // ascending by loss % puts it last.
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(DirectionModel::SortRole);
        proxy.sort(DirectionModel::ColLost, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, DirectionModel::ColLost).data().toString(), QStringLiteral("58"));
        proxy.sort(DirectionModel::ColLossPercent, Qt::AscendingOrder);
        QCOMPARE(proxy.index(1, DirectionModel::ColLost).data().toString(), QStringLiteral("58"));
        model.setResult({});
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(proxy.rowCount(), 0);
    }

    void openPairShowsComparePage()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        w.openPair(lab("left-outer.pcap"), lab("right-outer.pcap"));
        auto *tabs = w.findChild<QTabWidget *>();
        QVERIFY(tabs);
        ComparePage *page = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((page = qobject_cast<ComparePage *>(tabs->currentWidget())) != nullptr,
                                 60000);
        QVERIFY(tabs->tabText(tabs->currentIndex()).contains(QStringLiteral("⇄")));
        QTRY_VERIFY_WITH_TIMEOUT(page->isChartReady(), 30000);
        QCOMPARE(page->directionModel()->index(0, DirectionModel::ColLost).data().toString(),
                 QStringLiteral("58"));
        // All 58 losses fall in a few seconds: every one gets a marker unless two share a pixel
        // column, and the chart stays within its per-pixel budget.
        const CompareChart *chart = page->chart();
        QCOMPARE(chart->data()->lanes[0].lost.size(), std::size_t(58));
        QVERIFY(chart->plottedPoints() > 0);
        QVERIFY2(chart->plottedPoints() <= chart->pointBudget(),
                 qPrintable(QStringLiteral("%1 > %2").arg(chart->plottedPoints()).arg(chart->pointBudget())));
    }

    void chartBudgetOnHugeInput()
    {
        // A day of traffic with a million losses must still reach the chart as a few thousand
        // points (4 per pixel column per line, 1 per column per marker kind).
        auto data = std::make_shared<CompareChartData>();
        constexpr std::int64_t day = 86'400LL * 1'000'000'000LL;
        data->startNs = 0;
        data->endNs = day;
        for (CompareLane &lane : data->lanes) {
            lane.sent = 10'000'000;
            lane.lostCount = 1'000'000;
            for (std::int64_t s = 0; s < 86'400; ++s) {
                lane.sentPerSecond.push_back({s * 1'000'000'000LL, double(100 + s % 37)});
                lane.owdMeanMs.push_back({s * 1'000'000'000LL, double(s % 101) / 10.0});
            }
            lane.maxSentPerSecond = 136;
            for (std::int64_t i = 0; i < 1'000'000; ++i) {
                lane.lost.push_back({i * (day / 1'000'000), 1400});
                lane.lostPackets.push_back({0x1234, std::uint64_t(i), i * (day / 1'000'000), 1400});
            }
            for (std::int64_t i = 0; i < 500; ++i)
                lane.outages.push_back({i * (day / 500), i * (day / 500) + 2'000'000'000LL, 10});
        }
        CompareChart chart;
        chart.resize(1200, 600);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setData(data);
        QVERIFY(chart.plottedPoints() > 1000);
        QVERIFY2(chart.plottedPoints() <= chart.pointBudget(),
                 qPrintable(QStringLiteral("%1 > %2").arg(chart.plottedPoints()).arg(chart.pointBudget())));
        QVERIFY(chart.pointBudget() < 40'000);
        // Zoomed into one hour: re-reduced, still within budget.
        chart.setVisibleRange(3600LL * 1'000'000'000LL, 7200LL * 1'000'000'000LL);
        QVERIFY(chart.plottedPoints() <= chart.pointBudget());
    }

    void badFileNamesTheFile()
    {
        QTemporaryDir dir;
        const QString bogus = dir.filePath(QStringLiteral("right-not-a-capture.pcap"));
        QFile f(bogus);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a capture\n");
        f.close();
        MainWindow w;
        w.show();
        w.openPair(lab("left-outer.pcap"), bogus); // returns at once: the work is on a worker
        auto *tabs = w.findChild<QTabWidget *>();
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (box = w.findChild<QMessageBox *>(QStringLiteral("pairErrorBox"))) != nullptr, 30000);
        QVERIFY2(box->text().contains(bogus), qPrintable(box->text()));
        QVERIFY(box->isVisible());
        QCOMPARE(tabs->count(), 0);
        box->close();
    }
};

QTEST_MAIN(TstComparePage)
#include "tst_comparepage.moc"
