// The Overview tab on lab captures with a known injected fault (tests/data/lab, README.md).
// Expected values come from the lab, not from our analyzers:
// - the fault: truth.json injected_faults[0].type, mapped to the checklist cause that names it
//   (the same table as tst_diagnose_lab);
// - the loss per direction: verify.json (tshark) missing_in_range of the receiver's capture;
// - the packet count: verify.json frames.
#include "../labdata.h"
#include "../synthcapture.h"
#include "analyze/analysis.h"
#include "compare/endpointcompare.h"
#include "index/indexbuilder.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "pages/mtupage.h"
#include "pages/overviewpage.h"
#include "util/textformat.h"

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>

using namespace ikev2wb;
using namespace ikev2wb::ui;
using ikev2wb::testdata::labDir;
using ikev2wb::testdata::readJson;

namespace {

/// truth.json fault type → the checklist cause that names it (as in tst_diagnose_lab).
QString expectedCause(const QJsonObject &truth)
{
    static const QHash<QString, QString> map{
        {QStringLiteral("mtu_blackhole"), QStringLiteral("mtu_blackhole")},
        {QStringLiteral("random_loss"), QStringLiteral("packet_loss_in_transit")},
        {QStringLiteral("nat_mapping_expiry"), QStringLiteral("nat_mapping_expiry")},
        {QStringLiteral("reordering"), QStringLiteral("antireplay_reordering")},
    };
    const QJsonArray faults = truth.value(QStringLiteral("injected_faults")).toArray();
    return faults.isEmpty() ? QString()
                            : map.value(faults.first().toObject().value(QStringLiteral("type")).toString());
}

QStringList causes(const OverviewPage &page)
{
    QStringList out;
    for (const OverviewPage::ShownFinding &f : page.findings())
        out << f.cause;
    return out;
}

/// A pair tab of lab run `dir` (shown, 1400x900): A = left-outer.pcap, B = right-outer.pcap with
/// its analysis, and their comparison; A's analysis is the caller's to set. Null when a capture
/// cannot be read (`error` says why).
std::unique_ptr<CapturePage> labPairPage(const QString &dir, QString *error)
{
    std::shared_ptr<const CaptureIndex> a(loadCapture(dir + QStringLiteral("/left-outer.pcap"), error));
    std::shared_ptr<const CaptureIndex> b(loadCapture(dir + QStringLiteral("/right-outer.pcap"), error));
    if (!a || !b) return nullptr;
    auto page = std::make_unique<CapturePage>(a);
    page->resize(1400, 900);
    page->show();
    page->setPeer(b, std::make_shared<const CaptureAnalysis>(analyzeCapture(*b)));
    page->setComparison(std::make_shared<const CompareResult>(compareIndexes(*a, *b)),
                        dir + QStringLiteral("/right-outer.pcap"));
    return page;
}

} // namespace

class TstOverviewPage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QCoreApplication::setOrganizationName(QStringLiteral("ikev2-workbench-tests")); }

    void showsInjectedFault_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("lossDirection"); // outer src → dst of the faulty direction
        QTest::newRow("loss1 receiver") << QStringLiteral("loss1") << QStringLiteral("right-outer.pcap")
                                        << QStringLiteral("10.0.1.1 → 10.0.2.1");
        QTest::newRow("mtu-blackhole sender")
            << QStringLiteral("mtu-blackhole") << QStringLiteral("left-outer.pcap") << QString();
        QTest::newRow("mtu-blackhole receiver")
            << QStringLiteral("mtu-blackhole") << QStringLiteral("right-outer.pcap")
            << QStringLiteral("10.0.1.1 → 10.0.2.1");
    }

    void showsInjectedFault()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, file);
        QFETCH(QString, lossDirection);
        const QJsonObject truth = readJson(labDir(scenario) + QStringLiteral("/truth.json"));
        const QString cause = expectedCause(truth);
        QVERIFY(!cause.isEmpty());
        const QJsonObject verify = readJson(labDir(scenario) + QStringLiteral("/verify.json"))
                                       .value(QStringLiteral("captures"))
                                       .toObject()
                                       .value(file)
                                       .toObject();

        QString error;
        std::shared_ptr<const CaptureIndex> index(
            loadCapture(labDir(scenario) + QLatin1Char('/') + file, &error));
        QVERIFY2(index, qPrintable(error));
        CapturePage page(index);
        page.resize(1400, 900);
        page.show();
        OverviewPage *overview = page.overview();
        QVERIFY(overview);
        QCOMPARE(page.tabs()->widget(CapturePage::OverviewTab), overview);

        // Before the analysis: the index part, and "analysing…" where the analysis goes.
        const QString before = overview->report()->toPlainText();
        QVERIFY2(before.contains(file), qPrintable(before));
        QVERIFY(before.contains(QString::number(verify[QStringLiteral("frames")].toInt())));
        QVERIFY(before.contains(QStringLiteral("nalysing…")));
        QVERIFY(overview->findings().isEmpty());

        // The analysis: its numbers, but findings only from the checklist's diagnosis.
        page.setAnalysis(std::make_shared<const CaptureAnalysis>(analyzeCapture(*index)));
        QVERIFY(!overview->report()->toPlainText().contains(QStringLiteral("nalysing…")));
        if (!lossDirection.isEmpty()) {
            // The biggest loss as seen here: tshark's missing_in_range of the SPI with any.
            qint64 missing = 0;
            const QJsonObject bySpi = verify[QStringLiteral("esp_by_spi")].toObject();
            for (const QJsonValue &v : bySpi)
                missing = std::max<qint64>(
                    missing, v.toObject().value(QStringLiteral("missing_in_range")).toInteger());
            QVERIFY(missing > 0);
            const QString text = overview->report()->toPlainText();
            const int at = text.indexOf(lossDirection);
            QVERIFY2(at >= 0, qPrintable(text));
            QVERIFY2(text.mid(at, 200).contains(QString::number(missing)), qPrintable(text.mid(at, 200)));
            // No findings of the Overview's own before the diagnosis (they could contradict it).
            if (!overview->findingsFromDiagnosis()) QVERIFY(overview->findings().isEmpty());
        }

        // The diagnosis: its findings, the injected fault among them, each linking somewhere.
        QTRY_VERIFY_WITH_TIMEOUT(overview->findingsFromDiagnosis(), 30000);
        const QStringList shown = causes(*overview);
        QVERIFY2(shown.contains(cause), qPrintable(shown.join(QLatin1Char(','))));
        const int row = int(shown.indexOf(cause));
        const OverviewPage::ShownFinding &f = overview->findings().at(row);
        QVERIFY(f.checklistRow >= 0);
        QVERIFY(overview->report()->toPlainText().contains(f.title));
        QVERIFY(overview->report()->toHtml().contains(QStringLiteral("finding:%1").arg(f.checklistRow)));

        // Issue 10, defect 1: the Overview and the MTU page (histogram line, calculator seed) show
        // the diagnosis's one path-MTU figure with its provenance; no internal token.
        const DiagnosisPtr d = page.checklist()->diagnosis();
        QVERIFY(d);
        const QString plain = overview->report()->toPlainText();
        QVERIFY2(plain.contains(d->basis.pathMtuText), qPrintable(plain));
        QVERIFY(!plain.contains(QStringLiteral("largest_seen")));
        // A size proven delivered bounds the path MTU from below: the figure says "at least".
        if (d->basis.pathMtuSource == QLatin1String("proven_delivered"))
            QVERIFY2(plain.contains(QStringLiteral("at least %1 B").arg(d->basis.pathMtu)),
                     qPrintable(plain));
        else if (d->basis.pathMtu)
            QVERIFY2(!plain.contains(QStringLiteral("at least %1 B").arg(d->basis.pathMtu)),
                     qPrintable(plain));
        QTRY_COMPARE_WITH_TIMEOUT(page.mtu()->pathMtu(), d->basis.pathMtu, 5000);
        // The MTU page at a 1366-px screen's width: the reason whole, on a wrapping line whose
        // height holds all of it (in the chart's title it was cut to "…").
        page.resize(1366, 700);
        page.tabs()->setCurrentIndex(CapturePage::MtuTab);
        QTRY_VERIFY(page.mtu()->isFilled());
        QTRY_VERIFY2(page.mtu()->pathMtuLine().contains(d->basis.pathMtuText),
                     qPrintable(page.mtu()->pathMtuLine()));
        auto *reason = page.mtu()->findChild<QLabel *>(QStringLiteral("pathMtuReason"));
        QVERIFY(reason && reason->wordWrap() && reason->isVisible());
        QTRY_VERIFY(reason->height() >= reason->heightForWidth(reason->width()));
        page.tabs()->setCurrentIndex(CapturePage::OverviewTab);

        // Its link opens the finding on the Checklist.
        overview->openLink(QStringLiteral("finding:%1").arg(f.checklistRow));
        QCOMPARE(page.tabs()->currentIndex(), int(CapturePage::ChecklistTab));
        if (!f.link.isEmpty()) {
            page.tabs()->setCurrentIndex(CapturePage::OverviewTab);
            overview->openLink(f.link);
            QVERIFY(page.tabs()->currentIndex() != int(CapturePage::OverviewTab));
        }
    }

    void textSummaryAndSaTable()
    {
        QString error;
        std::shared_ptr<const CaptureIndex> index(
            loadCapture(labDir(QStringLiteral("loss1")) + QStringLiteral("/right-outer.pcap"), &error));
        QVERIFY2(index, qPrintable(error));
        CapturePage page(index);
        page.show();
        page.setAnalysis(std::make_shared<const CaptureAnalysis>(analyzeCapture(*index)));
        OverviewPage *overview = page.overview();
        // The CLI text stays available (collapsed) for tickets: summary and analysis.
        auto *toggle = overview->findChild<QToolButton *>(QStringLiteral("summaryToggle"));
        QVERIFY(toggle);
        QVERIFY(!toggle->isChecked());
        toggle->click();
        QVERIFY(overview->summaryText().contains(QStringLiteral("0xc8b78eba")));
        QVERIFY(overview->findChild<QPushButton *>(QStringLiteral("copySummary")));

        // Double-click on an SA row opens it in the ESP timeline.
        QSignalSpy spy(overview, &OverviewPage::timelineRequested);
        const QModelIndex first = overview->saProxy()->index(0, 0);
        QVERIFY(first.isValid());
        Q_EMIT overview->saView()->doubleClicked(first);
        QCOMPARE(spy.size(), 1);
        QCOMPARE(page.tabs()->currentIndex(), int(CapturePage::TimelineTab));
    }

    // The per-direction table shows core's figures computed with the diagnosis, for the window
    // it judged by: with 16 assumed (the receiving kernel's window in reorder-antireplay, not one
    // the analysis emulates), the 25 packets right's kernel dropped as too old (stats/
    // right-xfrm-state-*.txt: 0 at the start, 25 at the end). Before the diagnosis the same count
    // for the window the page assumes: the SA's reordering lags give any window without a pass.
    void directionDropsAreTheDiagnosis()
    {
        QString error;
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        std::shared_ptr<const CaptureIndex> index(
            loadCapture(dir + QStringLiteral("/right-outer.pcap"), &error));
        QVERIFY2(index, qPrintable(error));
        CapturePage page(index);
        page.resize(1400, 900);
        page.show();
        OverviewPage *overview = page.overview();
        page.checklist()->setAssumptions(16, 30);
        overview->setAssumptions(16, 30);
        page.setAnalysis(std::make_shared<const CaptureAnalysis>(analyzeCapture(*index)));
        const auto lateDirection = [&]() -> const EspDirectionTotals * {
            for (const EspDirectionTotals &t : overview->espDirections().directions)
                if (addressText(t.src) == QLatin1String("10.0.1.1")) return &t;
            return nullptr;
        };
        if (!overview->findingsFromDiagnosis()) {
            QVERIFY(lateDirection());
            QCOMPARE(lateDirection()->replayDrops, std::optional<std::uint64_t>(25));
            QVERIFY(overview->report()->toPlainText().contains(QStringLiteral("diagnosing…")));
        }
        QTRY_VERIFY_WITH_TIMEOUT(overview->findingsFromDiagnosis(), 30000);
        const DiagnosisPtr d = page.checklist()->diagnosis();
        QCOMPARE(d->basis.replayWindow, 16u);
        QCOMPARE(overview->espDirections().replayWindow, 16u);
        QVERIFY(lateDirection());
        QCOMPARE(lateDirection()->replayDrops, std::optional<std::uint64_t>(25));
        const QString text = overview->report()->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("Anti-replay drops (window 16)")), qPrintable(text));
        const int at = text.indexOf(QStringLiteral("10.0.1.1 → 10.0.2.1"));
        QVERIFY(at >= 0);
        // The row's cells (one line each in the plain text): the eight of the table's header.
        const QStringList row = text.mid(at).split(QLatin1Char('\n')).mid(0, 8);
        QVERIFY2(row.size() == 8 && row.at(6) == QLatin1String("25"), qPrintable(row.join(QLatin1Char('|'))));
    }

    // A pair judges each direction with its receiving host's window (reorder-two-windows:
    // truth.json's replay_window left 1024, right 16, read by the diagnosis from stats/): the
    // table says the window per cell, the note and the checklist where each came from; left's
    // 1024 drops none of the reordered right → left packets (truth.json's right_to_left).
    void pairDirectionsUseTheirReceiversWindow()
    {
        const QString dir = labDir(QStringLiteral("reorder-two-windows"));
        const QJsonObject windows = readJson(dir + QStringLiteral("/truth.json"))
                                        .value(QStringLiteral("ipsec"))
                                        .toObject()
                                        .value(QStringLiteral("replay_window"))
                                        .toObject();
        const int left = windows.value(QStringLiteral("left")).toInt();
        const int right = windows.value(QStringLiteral("right")).toInt();
        QCOMPARE(left, 1024);
        QCOMPARE(right, 16);
        QString error;
        const std::unique_ptr<CapturePage> pair = labPairPage(dir, &error);
        QVERIFY2(pair, qPrintable(error));
        CapturePage &page = *pair;
        page.addEvidencePaths({dir + QStringLiteral("/stats")});
        page.setAnalysis(std::make_shared<const CaptureAnalysis>(analyzeCapture(*page.index())));
        OverviewPage *overview = page.overview();
        QTRY_VERIFY_WITH_TIMEOUT(overview->findingsFromDiagnosis() && page.checklist()->diagnosis() &&
                                     page.checklist()->diagnosis()->basis.replayWindows.size() == 2,
                                 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!overview->espDirections().directions.empty() &&
                                     overview->espDirections().directions.front().replayWindow != 0,
                                 30000);
        for (const EspDirectionTotals &t : overview->espDirections().directions) {
            const bool intoLeft = addressText(t.dst) == QLatin1String("10.0.1.1");
            QCOMPARE(int(t.replayWindow), intoLeft ? left : right);
            if (intoLeft) QCOMPARE(t.replayDrops, std::optional<std::uint64_t>(0));
        }
        const QString text = overview->report()->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("Anti-replay drops (receiver's window)")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("(window 1024)")) &&
                     text.contains(QStringLiteral("(window 16)")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("10.0.2.1 → 10.0.1.1 at host 'left' (10.0.1.1): read from ip "
                                              "xfrm state (0xce25694c) of host 'left' (10.0.1.1): 1024")),
                 qPrintable(text));
        const QString assumptions = page.checklist()->assumptionsText();
        QVERIFY2(
            assumptions.contains(QStringLiteral("10.0.1.1 → 10.0.2.1 read from ip xfrm state (0xc5641fa5) "
                                                "of host 'right' (10.0.2.1): 16")),
            qPrintable(assumptions));
    }

    // A pair's MTU page shows capture A or B behind its switch, each from its own capture. The
    // mtu-blackhole lab (truth.json: a PMTUD black hole between left and right) dropped the large
    // packets left → right, so the SA 0xc33b5ad9 is 63 packets up to 1500 bytes in left's capture
    // and 32 up to 1100 in right's. Expected values: verify.json's tshark counts per capture and
    // SPI (packets, max_iplen: the outer IP total length).
    void pairMtuShowsEachCapture()
    {
        const QString dir = labDir(QStringLiteral("mtu-blackhole"));
        const QJsonObject captures =
            readJson(dir + QStringLiteral("/verify.json")).value(QStringLiteral("captures")).toObject();
        QString error;
        const std::unique_ptr<CapturePage> pair = labPairPage(dir, &error);
        QVERIFY2(pair, qPrintable(error));
        CapturePage &page = *pair;
        page.setAnalysis(std::make_shared<const CaptureAnalysis>(analyzeCapture(*page.index())));
        page.tabs()->setCurrentIndex(CapturePage::MtuTab);
        MtuPage *mtu = page.mtu();
        QTRY_VERIFY(mtu->isFilled());
        auto *toB = mtu->findChild<QToolButton *>(QStringLiteral("mtuSideB"));
        auto *toA = mtu->findChild<QToolButton *>(QStringLiteral("mtuSideA"));
        QVERIFY(toA && toB && toB->isVisible());
        QVERIFY2(toB->text().contains(QStringLiteral("right-outer.pcap")), qPrintable(toB->text()));
        int checkedSas = 0;
        for (int side : {0, 1, 0}) {
            const QString file =
                side == 0 ? QStringLiteral("left-outer.pcap") : QStringLiteral("right-outer.pcap");
            QTest::mouseClick(side == 0 ? toA : toB, Qt::LeftButton);
            QCOMPARE(mtu->side(), side);
            QTRY_VERIFY(mtu->isFilled());
            const QString capture =
                QStringLiteral("Capture %1, %2").arg(QLatin1Char(side == 0 ? 'A' : 'B')).arg(file);
            QVERIFY2(mtu->sizeText().startsWith(capture), qPrintable(mtu->sizeText()));
            const QJsonObject spis =
                captures.value(file).toObject().value(QStringLiteral("esp_by_spi")).toObject();
            QCOMPARE(mtu->saPicker()->count(), int(spis.size()));
            for (auto it = spis.begin(); it != spis.end(); ++it) {
                const QJsonObject sa = it.value().toObject();
                int row = -1;
                for (int i = 0; i < mtu->saPicker()->count(); ++i)
                    if (mtu->saPicker()->itemText(i).startsWith(it.key())) row = i;
                QVERIFY2(row >= 0, qPrintable(it.key()));
                const QString picked = mtu->saPicker()->itemText(row);
                QVERIFY2(picked.contains(
                             QStringLiteral("%1 → %2").arg(sa.value(QStringLiteral("src")).toString(),
                                                           sa.value(QStringLiteral("dst")).toString())),
                         qPrintable(picked));
                mtu->saPicker()->setCurrentIndex(row);
                const QString title = mtu->histogramTitle();
                QVERIFY2(
                    title.startsWith(capture) &&
                        title.contains(
                            QStringLiteral("%1 packets,").arg(sa.value(QStringLiteral("packets")).toInt())) &&
                        title.contains(QStringLiteral("max %1 bytes")
                                           .arg(sa.value(QStringLiteral("max_iplen")).toInt())),
                    qPrintable(file + QStringLiteral(": ") + title));
                ++checkedSas;
            }
        }
        QCOMPARE(checkedSas, 6); // two SAs in each capture, A twice
        // The lost direction differs between the two captures (the test would pass with one side only
        // otherwise).
        const auto maxOf = [&](const QString &file) {
            return captures.value(file)
                .toObject()
                .value(QStringLiteral("esp_by_spi"))
                .toObject()
                .value(QStringLiteral("0xc33b5ad9"))
                .toObject()
                .value(QStringLiteral("max_iplen"))
                .toInt();
        };
        QCOMPARE(maxOf(QStringLiteral("left-outer.pcap")), 1500);
        QCOMPARE(maxOf(QStringLiteral("right-outer.pcap")), 1100);
    }

    // A pcap header followed by 64 MiB of zeros (a sparse file): the read stops after 16 MiB
    // of empty records, and the overview says so with the offsets (16 MiB / 16-byte records:
    // 1,048,575 handed over; the zeros start after the 24-byte file header).
    void zeroFilledCaptureSaysWhereItStopped()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("zeros.pcap"));
        QVERIFY(synth::writeZeroFilledPcap(path, qint64(64) << 20));
        QString error;
        std::shared_ptr<const CaptureIndex> index(loadCapture(path, &error));
        QVERIFY2(index, qPrintable(error));
        CapturePage page(index);
        page.show();
        const QString text = page.overview()->report()->toPlainText();
        QVERIFY2(
            text.contains(QStringLiteral("read stopped after 1048575 packets: no valid packet in the last 16 "
                                         "MiB: the records from byte 24 to byte 16777240")),
            qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("Partial:")));
    }
};

QTEST_MAIN(TstOverviewPage)
#include "tst_overviewpage.moc"
