// The Comparison page on the lab pair tests/data/lab/loss1 (tests/data/lab/README.md): the
// mid router's netem dropped packets left → right only. Expected values come from the lab, not
// from this program: netem's own drop counter (stats/mid-tc-end.txt, "dropped 58"; the lab
// notes that netem hits every IP packet, so ESP lost + IKE lost must add up to it), truth.json
// (right → left loss-free, the endpoints' outer addresses).
#include "../labdata.h"
#include "../synthcapture.h"
#include "charts/comparechart.h"
#include "diagnose/diagnosis.h"
#include "loader/pairloader.h"
#include "mainwindow.h"
#include "models/directionmodel.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "pages/comparepage.h"
#include "pages/overviewpage.h"
#include "pairtab.h"
#include "plotx.h"
#include "report/comparereport.h"
#include "widgets/noticebar.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QUrl>
#include <QValueAxis>

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

/// A tunnel pair big enough for several reading reports (the reader reports every 64 Ki
/// records): A sends `n` ESP packets to B, every 1000th is lost on the way; B answers every 10th.
bool writeBigPair(const QString &pathA, const QString &pathB, std::uint32_t n, bool hubB = false)
{
    using namespace synth;
    const std::uint32_t a = ip4(10, 0, 1, 1), b = ip4(10, 0, 2, 1), other = ip4(10, 0, 3, 1);
    std::vector<Packet> atA, atB;
    atA.reserve(n + n / 10);
    atB.reserve(n + n / 10);
    for (std::uint32_t i = 1; i <= n; ++i) {
        const std::int64_t t = 1'000'000 + std::int64_t(i) * 100;
        const Buf out = ipv4(Ip{a, b, std::uint16_t(i)}, 50, esp(0x1000, i, 32));
        atA.push_back({t, out});
        if (i % 1000 != 0) atB.push_back({t + 5000, out});
        // hubB: B is a hub's capture, also holding another tunnel (10.0.3.1 -> 10.0.2.1, SPI 0x3000).
        if (hubB) atB.push_back({t + 50, ipv4(Ip{other, b, std::uint16_t(i)}, 50, esp(0x3000, i, 32))});
        if (i % 10 == 0) {
            const Buf back = ipv4(Ip{b, a, std::uint16_t(i)}, 50, esp(0x2000, i / 10, 32));
            atB.push_back({t + 6000, back});
            atA.push_back({t + 11000, back});
        }
    }
    const auto byTime = [](const Packet &x, const Packet &y) { return x.tsUs < y.tsUs; };
    std::stable_sort(atA.begin(), atA.end(), byTime);
    std::stable_sort(atB.begin(), atB.end(), byTime);
    return writePcap(pathA, atA) && writePcap(pathB, atB);
}

/// One PairLoader progress report: the stage, its units and the bar's ‰.
struct LoaderReport
{
    PairLoader::Stage stage;
    qint64 done, total;
    int permille;
};

/// Compares a and b with a PairLoader that reports every millisecond; false when it failed.
bool comparedWithProgress(const QString &a, const QString &b, std::vector<LoaderReport> &reports,
                          InvestigationPtr &investigation)
{
    PairLoader loader;
    loader.setProgressInterval(1);
    QObject::connect(&loader, &PairLoader::progress, &loader,
                     [&](const QString &, const QString &, PairLoader::Stage st, qint64 done, qint64 total,
                         int permille, double) {
                         reports.push_back({st, done, total, permille});
                     });
    QSignalSpy done(&loader, &PairLoader::compared);
    QSignalSpy failed(&loader, &PairLoader::failed);
    loader.compare(a, b);
    if (!QTest::qWaitFor([&] { return done.count() + failed.count() == 1; }, 120000) || failed.count() != 0)
        return false;
    investigation = done.at(0).at(2).value<InvestigationPtr>();
    return true;
}

/// loss1's left capture opened alone in `w` (shown), its tab once diagnosed; null after 60 s.
CapturePage *openLeftAlone(MainWindow &w)
{
    w.resize(1400, 900);
    w.show();
    w.openFiles({lab("left-outer.pcap")});
    auto *tabs = w.findChild<QTabWidget *>();
    CapturePage *page = nullptr;
    const bool ready = QTest::qWaitFor(
        [&]() {
            page = qobject_cast<CapturePage *>(tabs->currentWidget());
            return page && page->checklist()->diagnosis() && !page->checklist()->isBusy();
        },
        60000);
    return ready ? page : nullptr;
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
        const auto investigation = done.at(0).at(2).value<InvestigationPtr>();
        QVERIFY(investigation && investigation->isPair() && investigation->analysis(Host::A) &&
                investigation->analysis(Host::B));
        const ComparePtr result = investigation->comparison();
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

    // The page's Notes and the CLI's compare text are one core function's lines (compareNotes):
    // on lab dpd (100 % loss both ways for 22 s, truth.json), every outage, IKE message lost and
    // IKE retransmission the CLI prints is on the page with the same count, duration, exchange,
    // ID and attempt; only the time is written in UTC there. (Before, the page wrote outage
    // durations to 2 decimals, the CLI to 3, and unknown exchanges differently.)
    void notesAreTheCliLines()
    {
        const auto left = testdata::loadTestCapture(QStringLiteral("lab/dpd/left-outer.pcap"));
        const auto right = testdata::loadTestCapture(QStringLiteral("lab/dpd/right-outer.pcap"));
        QVERIFY(left && right);
        auto r = std::make_shared<const CompareResult>(compareIndexes(*left, *right));
        ComparePage page(r);
        const QStringList cli = compareText(*r).split(QLatin1Char('\n'));
        const QStringList shown = page.notesText().split(QLatin1Char('\n'));
        // Outages: "N lost from T to T (D s)"; the times differ in format, N and D must not.
        const QRegularExpression outage(QStringLiteral("outage: (\\d+) lost from .* \\(([0-9.]+) s\\)$"));
        QStringList cliOutages, pageOutages;
        for (const QString &l : cli)
            if (const auto m = outage.match(l); m.hasMatch() && l.startsWith(QLatin1String("  outage: ")))
                cliOutages << m.captured(1) + QLatin1Char('/') + m.captured(2);
        for (const QString &l : shown)
            if (const auto m = outage.match(l); m.hasMatch() && !l.startsWith(QLatin1Char(' ')))
                pageOutages << m.captured(1) + QLatin1Char('/') + m.captured(2);
        QVERIFY(!cliOutages.isEmpty()); // the 22 s outage
        QCOMPARE(pageOutages, cliOutages);
        // IKE lost: everything before " at <time>"; retransmissions whole.
        const auto beforeAt = [](const QString &l) { return l.left(l.lastIndexOf(QLatin1String(" at "))); };
        QStringList cliLost, pageLost, cliRt, pageRt;
        for (const QString &l : cli) {
            if (l.startsWith(QLatin1String("  lost ")) && l.contains(QLatin1String(" ID ")))
                cliLost << beforeAt(l.mid(7));
            if (l.startsWith(QLatin1String("  retransmission "))) cliRt << l.mid(17);
        }
        for (const QString &l : shown) {
            if (l.startsWith(QLatin1String("IKE lost "))) pageLost << beforeAt(l.mid(9));
            if (l.startsWith(QLatin1String("IKE retransmission "))) pageRt << l.mid(19);
        }
        QVERIFY(!cliLost.isEmpty() && !cliRt.isEmpty());
        QCOMPARE(pageLost, cliLost);
        QCOMPARE(pageRt, cliRt);
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
        QTRY_VERIFY_WITH_TIMEOUT((page = shownComparePage(tabs)) != nullptr, 60000);
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

    // audit4-ike-slow-rtt (600 ms each way, nothing lost: truth.json): left sent 3 IKE messages
    // (tshark: at 22:22:25.788, 25.853 and 26.355) that were due at right 0.6 s later, after
    // right's last captured packet (22:22:25.889). The headline said "3 IKE message(s) lost".
    void ikeDueAfterTheOtherCaptureIsNotCalledLost()
    {
        const QString dir = QStringLiteral(IKEV2WB_TEST_DATA "/lab/audit4-ike-slow-rtt/");
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        w.openPair(dir + QStringLiteral("left-outer.pcap"), dir + QStringLiteral("right-outer.pcap"));
        auto *tabs = w.findChild<QTabWidget *>();
        QVERIFY(tabs);
        ComparePage *page = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((page = shownComparePage(tabs)) != nullptr, 60000);
        QString all;
        for (const QLabel *l : page->findChildren<QLabel *>())
            all += l->text() + QLatin1Char('\n');
        QVERIFY2(all.contains(QLatin1String("3 IKE message(s) due at B after its last captured packet")),
                 qPrintable(all));
        QVERIFY2(!all.contains(QLatin1String("IKE message(s) lost")), qPrintable(all));
    }

    // The lanes (category labels "A → B") and the one-way delay plot (labels "0.020" and the title
    // "ms": wider, on the lab pair rekey-loss) share the time axis: a given second sits at the same
    // pixel column in both, at the axis' ends and between them.
    void chartsShareTheTimeAxis()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        const QString dir = ikev2wb::testdata::labDir(QStringLiteral("rekey-loss"));
        w.openPair(dir + QStringLiteral("/left-outer.pcap"), dir + QStringLiteral("/right-outer.pcap"));
        auto *tabs = w.findChild<QTabWidget *>();
        ComparePage *page = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((page = shownComparePage(tabs)) != nullptr, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(page->isChartReady(), 30000);
        const CompareChart *chart = page->chart();
        const auto xs = [&](double t) {
            return std::pair(windowXOf(chart->timelineView(), t), windowXOf(chart->delayView(), t));
        };
        const auto *axis =
            qobject_cast<QValueAxis *>(chart->delayView()->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(axis);
        for (const double f : {0.0, 0.5, 1.0}) {
            const double t = axis->min() + f * (axis->max() - axis->min());
            QTRY_VERIFY2(std::abs(xs(t).first - xs(t).second) <= 1,
                         qPrintable(QStringLiteral("t %1 s: x %2 in the lanes, %3 in the delay plot")
                                        .arg(t)
                                        .arg(xs(t).first)
                                        .arg(xs(t).second)));
        }
    }

    void pairTabIsOneInvestigation()
    {
        // A pair opens as one tab with every page of a capture plus the Comparison, and its
        // checklist diagnoses both ends: step 1 ("capture at both endpoints and compare") is
        // settled by the comparison instead of asking for the peer's capture. loss1's truth.json:
        // 1 % underlay loss left -> right, so the pair's top cause is loss in transit.
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QSignalSpy opened(w.findChild<PairLoader *>(), &PairLoader::compared);
        w.openPair(lab("left-outer.pcap"), lab("right-outer.pcap"));
        auto *tabs = w.findChild<QTabWidget *>();
        QTRY_VERIFY_WITH_TIMEOUT(shownComparePage(tabs) != nullptr, 60000);
        QCOMPARE(tabs->count(), 1); // B feeds this tab, it opens none of its own
        auto *page = qobject_cast<CapturePage *>(tabs->currentWidget());
        QCOMPARE(page->tabs()->count(), 8);
        // The tab shows the one investigation's parts: the captures it read (once each) and the
        // comparison of those indexes, not copies read again by the tab.
        QCOMPARE(opened.count(), 1);
        const auto investigation = opened.at(0).at(2).value<InvestigationPtr>();
        QCOMPARE(page->index(), investigation->index(Host::A));
        QCOMPARE(page->comparison(), investigation->comparison());
        QCOMPARE(page->tabs()->tabText(CapturePage::ComparisonTab), QStringLiteral("Comparison"));
        QTRY_VERIFY_WITH_TIMEOUT(page->peerAnalysis() != nullptr, 60000);
        QCOMPARE(page->peerIndex(), investigation->index(Host::B));
        QCOMPARE(page->peerAnalysis(), investigation->analysis(Host::B));
        QTRY_VERIFY_WITH_TIMEOUT(page->checklist()->diagnosis() && !page->checklist()->isBusy() &&
                                     page->checklist()->diagnosis()->inputs.size() == 2,
                                 60000);
        const Diagnosis &d = *page->checklist()->diagnosis();
        QCOMPARE(QFileInfo(d.inputs.at(1)).fileName(), QStringLiteral("right-outer.pcap"));
        QCOMPARE(d.steps.front().number, 1);
        QCOMPARE(d.steps.front().status, StepStatus::Fail);
        QVERIFY(!d.findings.empty());
        QCOMPARE(d.findings.front().cause, QStringLiteral("packet_loss_in_transit"));
        // Every page of the capture is reachable in the pair's tab (Ctrl+1..8), pressed as keys.
        QVERIFY(QTest::qWaitForWindowActive(&w));
        for (int t = 0; t < page->tabs()->count(); ++t) {
            QAction *go = w.findChild<QAction *>(QStringLiteral("innerTab%1").arg(t + 1));
            QVERIFY(go);
            QCOMPARE(go->shortcut(), QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + t)));
            QVERIFY2(page->tabs()->isTabEnabled(t), qPrintable(page->tabs()->tabText(t)));
            page->tabs()->setCurrentIndex(t == 0 ? 1 : 0);
            QTest::keyClick(&w, Qt::Key(Qt::Key_1 + t), Qt::ControlModifier);
            QCOMPARE(page->tabs()->currentIndex(), t);
        }
        // The Overview leads with both ends: loss1 lost 58 ESP packets A -> B in transit (the
        // count tst_compare checks against the router's own capture), none B -> A.
        page->tabs()->setCurrentIndex(CapturePage::OverviewTab);
        QTRY_VERIFY_WITH_TIMEOUT(
            page->overview()->report()->toPlainText().contains(QStringLiteral("Both ends")), 10000);
        const QString report = page->overview()->report()->toPlainText();
        // The clock offset of B against A: tests/data/lab/README.md, "All captures of one run
        // share one clock", so it is zero to the microsecond.
        QVERIFY2(report.contains(QStringLiteral("Clock: B − A = 0.000000 s")), qPrintable(report));
        QVERIFY2(report.contains(QRegularExpression(
                     QStringLiteral("A 10\\.0\\.1\\.1 → B 10\\.0\\.2\\.1\\s+\\d+\\s+\\d+\\s+58 \\("))),
                 qPrintable(report));
        // Below it, each capture's own per-direction view: A's (left, the sender of the lossy
        // direction) and B's (right, where the 58 are missing). Expected: verify.json's counts.
        QFile vf(lab("verify.json"));
        QVERIFY(vf.open(QIODevice::ReadOnly));
        const QJsonObject loss =
            QJsonDocument::fromJson(vf.readAll()).object()[QStringLiteral("esp_loss")].toObject();
        const QJsonObject l2r =
            loss[QStringLiteral("left_to_right")][QStringLiteral("per_spi")][QStringLiteral("0xc8b78eba")]
                .toObject();
        const QJsonObject r2l =
            loss[QStringLiteral("right_to_left")][QStringLiteral("per_spi")][QStringLiteral("0xc1522098")]
                .toObject();
        QTRY_VERIFY_WITH_TIMEOUT(page->overview()->report()->toPlainText().contains(
                                     QStringLiteral("as seen at capture B (right-outer.pcap)")),
                                 10000);
        const QString all = page->overview()->report()->toPlainText();
        const qsizetype atA = all.indexOf(QStringLiteral("as seen at capture A (left-outer.pcap)"));
        const qsizetype atB = all.indexOf(QStringLiteral("as seen at capture B (right-outer.pcap)"));
        QVERIFY2(atA >= 0 && atB > atA, qPrintable(all));
        const QString viewA = all.mid(atA, atB - atA), viewB = all.mid(atB);
        const auto row = [](const QString &view, const QString &dir, const QString &spi, int packets,
                            int missing) {
            return view.contains(
                QRegularExpression(QRegularExpression::escape(dir) + QStringLiteral("\\s+") + spi +
                                   QStringLiteral("\\s+%1\\s+%2\\b").arg(packets).arg(missing)));
        };
        const QString leftRight = QStringLiteral("10.0.1.1 → 10.0.2.1"),
                      rightLeft = QStringLiteral("10.0.2.1 → 10.0.1.1");
        // A sent all of left → right and received all of right → left.
        QVERIFY2(row(viewA, leftRight, QStringLiteral("0xc8b78eba"), l2r[QStringLiteral("sent")].toInt(), 0),
                 qPrintable(viewA));
        QVERIFY2(
            row(viewA, rightLeft, QStringLiteral("0xc1522098"), r2l[QStringLiteral("received")].toInt(), 0),
            qPrintable(viewA));
        // B received left → right less the lost, and sent right → left.
        QVERIFY2(row(viewB, leftRight, QStringLiteral("0xc8b78eba"), l2r[QStringLiteral("received")].toInt(),
                     l2r[QStringLiteral("lost")].toInt()),
                 qPrintable(viewB));
        QVERIFY2(row(viewB, rightLeft, QStringLiteral("0xc1522098"), r2l[QStringLiteral("sent")].toInt(), 0),
                 qPrintable(viewB));
        // B's rows link B's SAs: followed on B's side, each opens A's timeline of the same SPI
        // (B's index read as A's opens another SA wherever the two list their SAs in another
        // order; in loss1 they happen to agree, so this checks the contract, not that mix-up).
        {
            const QString html = page->overview()->report()->toHtml();
            int followed = 0;
            for (auto it =
                     QRegularExpression(QStringLiteral("href=\"peer-timeline:(\\d+)\"")).globalMatch(html);
                 it.hasNext();) {
                const int inB = it.next().captured(1).toInt();
                QVERIFY(inB >= 0 && std::size_t(inB) < page->peerIndex()->espSas.size());
                const std::uint32_t spi = page->peerIndex()->espSas[std::size_t(inB)].spi;
                page->overview()->openLink(QStringLiteral("peer-timeline:%1").arg(inB));
                QCOMPARE(page->tabs()->currentIndex(), int(CapturePage::TimelineTab));
                const int sa = page->saPicker()->currentData().toInt();
                QVERIFY(sa >= 0 && std::size_t(sa) < page->index()->espSas.size());
                QCOMPARE(page->index()->espSas[std::size_t(sa)].spi, spi);
                ++followed;
                page->tabs()->setCurrentIndex(CapturePage::OverviewTab);
            }
            QCOMPARE(followed, 2);
        }
        page->overview()->openLink(QStringLiteral("compare"));
        QCOMPARE(page->tabs()->currentIndex(), int(CapturePage::ComparisonTab));
    }

    // File ▸ Export Report on a pair's tab: the PDF covers both ends. Read back with pdftotext,
    // it names both files and has both directions' rows: left → right (A → B) sent, received
    // (sent − lost) and lost as verify.json counts them (lost = netem's own drop counter), right →
    // left (B → A) none lost.
    void pairExportsReportOfBothEnds()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty())
            QSKIP("pdftotext (poppler-utils) not installed; scripts/setup-deps.sh installs it");
        MainWindow w;
        QVERIFY(openPairDiagnosed(w, lab("left-outer.pcap"), lab("right-outer.pcap")));
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("pair.pdf"));
        w.exportReportTo(pdf);
        auto *status = w.statusBar()->findChild<QLabel *>();
        QTRY_VERIFY_WITH_TIMEOUT(status && status->text().startsWith(QStringLiteral("Report written")),
                                 30000);
        QProcess p;
        p.start(QStringLiteral("pdftotext"), {QStringLiteral("-layout"), pdf, QStringLiteral("-")});
        QVERIFY(p.waitForFinished(30000));
        const QString text = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(text.contains(QStringLiteral("left-outer.pcap")) &&
                     text.contains(QStringLiteral("right-outer.pcap")),
                 qPrintable(text.left(600)));
        QVERIFY2(text.contains(QStringLiteral("A = 10.0.1.1, B = 10.0.2.1")), qPrintable(text.right(800)));
        QFile vf(lab("verify.json"));
        QVERIFY(vf.open(QIODevice::ReadOnly));
        const QJsonObject loss =
            QJsonDocument::fromJson(vf.readAll()).object()[QStringLiteral("esp_loss")].toObject();
        const QJsonObject l2r = loss[QStringLiteral("left_to_right")].toObject();
        const QJsonObject r2l = loss[QStringLiteral("right_to_left")].toObject();
        QCOMPARE(l2r[QStringLiteral("lost")].toInt(), netemDropped());
        const auto row = [&text](const QString &direction, const QJsonObject &counts) {
            return QRegularExpression(QStringLiteral("%1\\s+%2\\s+%3\\s+%4\\b")
                                          .arg(direction)
                                          .arg(counts[QStringLiteral("sent")].toInt())
                                          .arg(counts[QStringLiteral("sent")].toInt() -
                                               counts[QStringLiteral("lost")].toInt())
                                          .arg(counts[QStringLiteral("lost")].toInt()))
                .match(text)
                .hasMatch();
        };
        QVERIFY2(row(QStringLiteral("A\\s*→\\s*B"), l2r), qPrintable(text.right(1500)));
        QVERIFY2(row(QStringLiteral("B\\s*→\\s*A"), r2l), qPrintable(text.right(1500)));
        QCOMPARE(r2l[QStringLiteral("lost")].toInt(), 0);
        // Both captures' plots (timeline, sizes) are in, drawn with their own aspect: pdfimages
        // gives each image's resolution across and down, equal unless it was stretched (with the
        // width alone in the HTML, File ▸ Export Report drew them 240 ppi across, 96 down).
        QProcess images;
        images.start(QStringLiteral("pdfimages"), {QStringLiteral("-list"), pdf});
        QVERIFY(images.waitForFinished(30000));
        const QStringList rows = QString::fromUtf8(images.readAllStandardOutput()).split(QLatin1Char('\n'));
        int plots = 0;
        for (const QString &r : rows) {
            const QStringList c = r.simplified().split(QLatin1Char(' '));
            // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
            if (c.size() < 16 || c.at(2) != QLatin1String("image")) continue;
            ++plots;
            QVERIFY2(c.at(12) == c.at(13), qPrintable(r));
        }
        QCOMPARE(plots, 4);
    }

    void addPeerToSingleCaptureTab()
    {
        MainWindow w;
        auto *tabs = w.findChild<QTabWidget *>();
        CapturePage *page = openLeftAlone(w);
        QVERIFY(page);
        // Alone, capture A cannot tell loss in transit: step 1 asks for the peer's capture.
        QCOMPARE(page->checklist()->diagnosis()->steps.front().status, StepStatus::NotEnoughEvidence);
        QCOMPARE(page->tabs()->count(), 7);
        // Export Report the moment the comparison arrives: the peer's analysis and the diagnosis of
        // both ends are still on their way, so no report is written (it would cover A alone).
        QTemporaryDir dir;
        const QString early = dir.filePath(QStringLiteral("early.pdf"));
        QString said;
        auto *status = w.statusBar()->findChild<QLabel *>();
        connect(w.findChild<PairLoader *>(), &PairLoader::compared, &w, [&]() {
            QVERIFY(page->comparison() && !page->peerAnalysis());
            w.exportReportTo(early);
            said = status->text();
        });
        w.addPeerCaptureTo(page, lab("right-outer.pcap"));
        QTRY_VERIFY_WITH_TIMEOUT(shownComparePage(tabs) == page->comparePage() && page->comparePage(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(
            page->checklist()->diagnosis()->inputs.size() == 2 && !page->checklist()->isBusy(), 60000);
        QVERIFY2(said.contains(QStringLiteral("needs the finished checklist")), qPrintable(said));
        QVERIFY(!QFile::exists(early));
        QCOMPARE(page->checklist()->diagnosis()->steps.front().status, StepStatus::Fail);
        QCOMPARE(page->checklist()->diagnosis()->findings.front().cause,
                 QStringLiteral("packet_loss_in_transit"));
        QCOMPARE(tabs->count(), 1);
        QVERIFY(tabs->tabText(0).contains(QStringLiteral("⇄")));
    }

    // A second file dropped on a single capture's tab is offered as that tab's peer: accepted,
    // the same tab becomes the pair (no second tab), its checklist diagnoses both ends.
    void dropPeerOnSingleCaptureTab()
    {
        MainWindow w;
        auto *tabs = w.findChild<QTabWidget *>();
        CapturePage *page = openLeftAlone(w);
        QVERIFY(page);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(lab("right-outer.pcap"))});
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        // QApplication::notify() drops a Drop event without a drag in progress: deliver it as the
        // drag manager would, straight to the window's event() (as tst_mainwindow does).
        static_cast<QObject &>(w).event(&drop);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = w.findChild<QMessageBox *>(QStringLiteral("dropPeerBox"))) != nullptr);
        auto *add = box->findChild<QAbstractButton *>(QStringLiteral("dropAddPeer"));
        QVERIFY(add);
        add->click();
        QTRY_VERIFY_WITH_TIMEOUT(page->comparison() && page->peerIndex(), 60000);
        QCOMPARE(tabs->count(), 1);
        QCOMPARE(QFileInfo(page->peerPath()).fileName(), QStringLiteral("right-outer.pcap"));
        QTRY_VERIFY_WITH_TIMEOUT(page->checklist()->diagnosis() && !page->checklist()->isBusy() &&
                                     page->checklist()->diagnosis()->inputs.size() == 2,
                                 60000);
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
        QTRY_COMPARE_WITH_TIMEOUT(w.notices()->notices().size(), 1, 30000);
        const QString text = w.notices()->notices().constFirst();
        QVERIFY2(text.contains(bogus), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("not a pcap")), qPrintable(text)); // and why
        QVERIFY(!text.contains(QLatin1String("left-outer.pcap")));              // not A
        QVERIFY(w.notices()->isVisible());
        QCOMPARE(tabs->count(), 0);
    }

    void pairLoaderCancel()
    {
        PairLoader loader;
        QSignalSpy done(&loader, &PairLoader::compared);
        QSignalSpy failed(&loader, &PairLoader::failed);
        QSignalSpy cancelled(&loader, &PairLoader::cancelled);
        loader.compare(lab("left-outer.pcap"), lab("right-outer.pcap"));
        QVERIFY(loader.isBusy());
        loader.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 10000);
        QCOMPARE(cancelled.at(0).at(0).toString(), lab("left-outer.pcap"));
        QCOMPARE(cancelled.at(0).at(1).toString(), lab("right-outer.pcap"));
        QVERIFY(!loader.isBusy());
        QTest::qWait(50); // nothing else arrives late
        QCOMPARE(done.count(), 0);
        QCOMPARE(failed.count(), 0);
        // The loader is usable again afterwards.
        loader.compare(lab("left-outer.pcap"), lab("right-outer.pcap"));
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QCOMPARE(cancelled.count(), 1);
    }

    void pairLoaderProgress()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.pcap")), b = dir.filePath(QStringLiteral("b.pcap"));
        QVERIFY(writeBigPair(a, b, 200'000));
        std::vector<LoaderReport> reports;
        InvestigationPtr investigation;
        QVERIFY(comparedWithProgress(a, b, reports, investigation));
        QVERIFY(reports.size() >= 2);
        bool comparing = false, sawReadingMidway = false;
        int last = 0;
        for (const LoaderReport &r : reports) {
            QVERIFY2(r.permille >= last, qPrintable(QStringLiteral("%1 after %2").arg(r.permille).arg(last)));
            last = r.permille;
            if (r.stage == PairLoader::Stage::Comparing) comparing = true;
            QVERIFY(!(comparing && r.stage == PairLoader::Stage::Reading));
            if (r.stage == PairLoader::Stage::Reading) {
                // Bytes of both files: the file system says how many.
                QCOMPARE(r.total, QFileInfo(a).size() + QFileInfo(b).size());
                QVERIFY(r.done <= r.total);
                if (r.done > 0 && r.done < r.total) sawReadingMidway = true;
            }
        }
        QVERIFY(comparing);
        QCOMPARE(last, 1000);
        const LoaderReport &final = reports.back();
        QCOMPARE(final.done, final.total);
        // Each ESP packet of either capture is visited twice: A holds n + n/10, B n − n/1000 + n/10.
        QCOMPARE(final.total, qint64(2 * ((200'000 + 20'000) + (200'000 - 200 + 20'000))));
        if (!sawReadingMidway) qInfo("no report caught the reading half-way (fast machine)");
        // Losses are as written: every 1000th A→B packet.
        QVERIFY(investigation && investigation->isPair() && investigation->analysis(Host::A) &&
                investigation->analysis(Host::B));
        const ComparePtr result = investigation->comparison();
        QCOMPARE(result->directions[0].lostInTransit.size(), std::size_t(200));
    }

    // B is a hub's capture (a second tunnel, 10.0.3.1 -> 10.0.2.1, in every other packet): the pair
    // reads it again as A's tunnel (A's two SPIs prove it) between reading both and comparing, and
    // the bar moves through that read (900-950 ‰ in bytes of B), then through the comparison
    // (950-1000 ‰), never back. Before, the second read reported nothing the bar showed.
    void pairLoaderProgressThroughAHubsSecondRead()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.pcap")),
                      b = dir.filePath(QStringLiteral("hub.pcap"));
        QVERIFY(writeBigPair(a, b, 200'000, true));
        std::vector<LoaderReport> reports;
        InvestigationPtr investigation;
        QVERIFY(comparedWithProgress(a, b, reports, investigation));
        int last = 0, tunnelReports = 0;
        bool tunnelMidway = false, comparing = false;
        for (const LoaderReport &r : reports) {
            QVERIFY2(r.permille >= last, qPrintable(QStringLiteral("%1 after %2").arg(r.permille).arg(last)));
            last = r.permille;
            if (r.stage == PairLoader::Stage::ReadingTunnel) {
                QVERIFY(!comparing);
                ++tunnelReports;
                QCOMPARE(r.total, QFileInfo(b).size()); // bytes of B alone
                // The bar's share of the second read: 900 ‰ + 50 ‰ of its bytes (pairloader.h).
                QCOMPARE(r.permille, 900 + int(50 * double(r.done) / double(r.total)));
                if (r.done > 0 && r.done < r.total) tunnelMidway = true;
            } else if (r.stage == PairLoader::Stage::Comparing) {
                comparing = true;
            }
        }
        QVERIFY2(tunnelReports > 0, "no report of B's second read");
        if (!tunnelMidway) qInfo("no report caught B's second read half-way (fast machine)");
        QCOMPARE(last, 1000);
        QVERIFY(investigation->peerTunnel().basis == PeerTunnel::Basis::Spis);
        QCOMPARE(investigation->index(Host::B)->scope.endsText(), QStringLiteral("10.0.1.1 ↔ 10.0.2.1"));
        // As written: the other tunnel's 200000 packets left out, every 1000th A→B packet lost.
        QCOMPARE(investigation->index(Host::B)->count(PacketKind::OutOfScope), std::uint64_t(200'000));
        QCOMPARE(investigation->comparison()->directions[0].lostInTransit.size(), std::size_t(200));
    }

    void mainWindowCancelStopsComparison()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.pcap")), b = dir.filePath(QStringLiteral("b.pcap"));
        QVERIFY(writeBigPair(a, b, 200'000));
        MainWindow w;
        w.show();
        w.openPair(a, b);
        QPushButton *cancel = nullptr;
        for (QPushButton *p : w.findChildren<QPushButton *>())
            if (p->text() == QLatin1String("Cancel") && p->isVisible()) cancel = p;
        QVERIFY(cancel);
        cancel->click();
        const auto statusSays = [&](const QString &what) {
            for (QLabel *l : w.findChildren<QLabel *>())
                if (l->text().contains(what)) return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(statusSays(QStringLiteral("a.pcap ⇄ b.pcap cancelled")), 10000);
        QTRY_VERIFY(!cancel->isVisible());
        QCOMPARE(w.findChild<QTabWidget *>()->count(), 0);
        QVERIFY(w.notices()->notices().isEmpty()); // a cancel is no error
        // The window still compares the next pair.
        w.openPair(lab("left-outer.pcap"), lab("right-outer.pcap"));
        QTRY_VERIFY_WITH_TIMEOUT(shownComparePage(w.findChild<QTabWidget *>()), 60000);
    }
};

QTEST_MAIN(TstComparePage)
#include "tst_comparepage.moc"
