// The Evidence page, its models, the log-time placement and the settings wrapper (offscreen).
// Expected values come from the lab's own files, not from the workbench:
// - reorder-antireplay/stats/right-xfrm_stat-start.txt line 7 "XfrmInStateSeqError 0" and
//   right-xfrm_stat-end.txt line 7 "XfrmInStateSeqError 25" (25 packets refused by anti-replay);
// - rekey-loss/charon-left.log: `grep -c 'retransmit [0-9]* of request'` gives 5 (lines 90, 93,
//   96, 147, 153); the first, line 90, is "2026-11-27T13:33:54.242 ... retransmit 1 of request
//   with message ID 2";
// - rekey-loss/left-outer.pcap: `tshark -t ud` shows CREATE_CHILD_SA MID=02 requests at
//   13:33:52.242501 (frame 431) and 13:33:54.243064 (frame 486, the first retransmission). The
//   test takes the second MID 2 CREATE_CHILD_SA request of the index (the capture's clock) and
//   expects the log line within 0.5 s of it with a clock offset of 0 (one lab clock, UTC).
#include "analyze/analysis.h"
#include "charts/evidencetimeline.h"
#include "dissect/ikeconstants.h"
#include "evidence/evidenceset.h"
#include "hostiletext.h"
#include "index/indexbuilder.h"
#include "loadedcapture.h"
#include "models/checklistmodel.h"
#include "models/evidencemodel.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "pages/evidencepage.h"
#include "settings/timedisplay.h"
#include "settings/workbenchsettings.h"
#include "supersededjob.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QClipboard>
#include <QCoreApplication>
#include <QDateTime>
#include <QGuiApplication>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QTreeWidget>

#include <cmath>

using namespace ikev2wb;
using namespace ikev2wb::ui;

namespace {

QString lab(const QString &rel)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/lab/") + rel;
}

} // namespace

class TestEvidencePage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2wb-tst-evidencepage"));
        QSettings().clear();
    }

    void badCounters_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("bad");
        QTest::newRow("seq error") << int(EvidenceKind::XfrmStat) << QStringLiteral("XfrmInStateSeqError")
                                   << true;
        QTest::newRow("no states") << int(EvidenceKind::XfrmStat) << QStringLiteral("XfrmInNoStates") << true;
        QTest::newRow("sa replay") << int(EvidenceKind::XfrmState)
                                   << QStringLiteral("0xcd95a8a5@10.0.2.1/replay-window") << true;
        QTest::newRow("rx_dropped") << int(EvidenceKind::IpLink) << QStringLiteral("wan0.rx_dropped") << true;
        QTest::newRow("rcvbuf") << int(EvidenceKind::Snmp) << QStringLiteral("Udp.RcvbufErrors") << true;
        QTest::newRow("fragfails") << int(EvidenceKind::Snmp) << QStringLiteral("Ip.FragFails") << true;
        QTest::newRow("rx_packets") << int(EvidenceKind::IpLink) << QStringLiteral("wan0.rx_packets")
                                    << false;
        QTest::newRow("sa packets") << int(EvidenceKind::XfrmState)
                                    << QStringLiteral("0xcd95a8a5@10.0.2.1/packets") << false;
    }
    void badCounters()
    {
        QFETCH(int, kind);
        QFETCH(QString, name);
        QFETCH(bool, bad);
        QCOMPARE(isBadCounter(EvidenceKind(kind), name), bad);
    }

    void syslogWithoutYearTakesCaptureYear()
    {
        // Capture starts 2026-11-27 13:33:36 UTC; a syslog line "Nov 27 13:33:54" has no year.
        const QDateTime start(QDate(2026, 11, 27), QTime(13, 33, 36), QTimeZone::utc());
        LogTime t;
        t.dateTime = QDateTime(QDate(2000, 11, 27), QTime(13, 33, 54, 242), QTimeZone::utc());
        t.yearKnown = false;
        const std::int64_t startNs = start.toMSecsSinceEpoch() * 1'000'000;
        QCOMPARE(logTimeOnCapture(t, startNs), 18.242);
        // A known UTC offset (+01:00 wall clock) moves it back by an hour.
        t.offsetKnown = true;
        t.utcOffsetSec = 3600;
        QCOMPARE(logTimeOnCapture(t, startNs), 18.242 - 3600);
    }

    void emptyPageSaysWhatToImport()
    {
        EvidencePage page;
        const QString status = page.findChild<QLabel *>(QStringLiteral("evidenceStatus"))->text();
        QVERIFY2(status.contains(QStringLiteral("ikev2wb collect")), qPrintable(status));
    }

    void counterDeltasOfTheRightHost()
    {
        const Loaded l = load(lab(QStringLiteral("reorder-antireplay/right-outer.pcap")));
        QVERIFY(l.index && l.analysis);
        CapturePage page(l.index);
        page.setAnalysis(l.analysis);
        QCOMPARE(page.tabs()->tabText(CapturePage::EvidenceTab), QStringLiteral("Evidence"));
        EvidencePage *ev = page.evidencePage();
        QAbstractItemModelTester t1(ev->counterModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(ev->counterProxy(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t3(ev->logModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);

        const QString stats = lab(QStringLiteral("reorder-antireplay/stats/"));
        page.addEvidencePaths({stats + QStringLiteral("right-xfrm_stat-start.txt"),
                               stats + QStringLiteral("right-xfrm_stat-end.txt"),
                               stats + QStringLiteral("right-link-start.txt"),
                               stats + QStringLiteral("right-link-end.txt")});
        QTRY_VERIFY_WITH_TIMEOUT(page.evidence() && !ev->isBusy() && ev->counterModel()->rowCount() > 0,
                                 60000);
        QVERIFY(!page.checklist()->isBusy());
        QCOMPARE(ev->fileList()->topLevelItemCount(), 4);

        const int r =
            ev->counterModel()->find(QStringLiteral("right"), QStringLiteral("XfrmInStateSeqError"));
        QVERIFY(r >= 0);
        auto cell = [&](int col, int role = Qt::DisplayRole) {
            return ev->counterModel()->index(r, col).data(role);
        };
        QCOMPARE(cell(CounterDeltaModel::ColBefore, CounterDeltaModel::SortRole).toULongLong(), 0ULL);
        QCOMPARE(cell(CounterDeltaModel::ColAfter, CounterDeltaModel::SortRole).toULongLong(), 25ULL);
        QCOMPARE(cell(CounterDeltaModel::ColDelta, CounterDeltaModel::SortRole).toLongLong(), 25LL);
        QCOMPARE(cell(CounterDeltaModel::ColDelta).toString(), QStringLiteral("+25"));
        QVERIFY(cell(0, CounterDeltaModel::BadRole).toBool());
        QCOMPARE(cell(CounterDeltaModel::ColCounter, Qt::ForegroundRole).value<QColor>(),
                 statusColor(StepStatus::Fail, QGuiApplication::palette()));

        // "Only changed" (on by default) hides the unchanged counters, and the filter narrows.
        CounterFilterProxy *proxy = ev->counterProxy();
        QVERIFY(proxy->onlyChanged());
        QVERIFY(proxy->rowCount() < ev->counterModel()->rowCount());
        for (int i = 0; i < proxy->rowCount(); ++i)
            QVERIFY(proxy->index(i, 0).data(CounterDeltaModel::ChangedRole).toBool());
        proxy->setFilterFixedString(QStringLiteral("SeqError"));
        QCOMPARE(proxy->rowCount(), 1);
        proxy->setOnlyChanged(false);
        proxy->setFilterFixedString(QString());
        QCOMPARE(proxy->rowCount(), ev->counterModel()->rowCount());
        // "Non-zero only" (the page's checkbox): right-xfrm_stat-end.txt has XfrmInError 0 and
        // XfrmInStateSeqError 25; every counter left is non-zero in the later snapshot.
        auto *nonZero = ev->findChild<QCheckBox *>(QStringLiteral("onlyNonZero"));
        QVERIFY(nonZero && !nonZero->isChecked());
        nonZero->setChecked(true);
        QVERIFY(proxy->onlyNonZero());
        QVERIFY(proxy->rowCount() > 0 && proxy->rowCount() < ev->counterModel()->rowCount());
        const auto shown = [&](const QString &name) {
            for (int i = 0; i < proxy->rowCount(); ++i)
                if (proxy->index(i, CounterDeltaModel::ColCounter).data().toString() == name) return true;
            return false;
        };
        QVERIFY(shown(QStringLiteral("XfrmInStateSeqError")));
        QVERIFY(!shown(QStringLiteral("XfrmInError")));
        for (int i = 0; i < proxy->rowCount(); ++i)
            QVERIFY(
                proxy->index(i, CounterDeltaModel::ColAfter).data(CounterDeltaModel::SortRole).toULongLong() >
                0);
        nonZero->setChecked(false);
        QCOMPARE(proxy->rowCount(), ev->counterModel()->rowCount());
    }

    void charonLogOnTheCaptureAxis()
    {
        const Loaded l = load(lab(QStringLiteral("rekey-loss/left-outer.pcap")));
        QVERIFY(l.index && l.analysis);
        CapturePage page(l.index);
        page.setAnalysis(l.analysis);
        EvidencePage *ev = page.evidencePage();
        QAbstractItemModelTester tester(ev->logModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.addEvidencePaths({lab(QStringLiteral("rekey-loss/charon-left.log"))});
        QTRY_VERIFY_WITH_TIMEOUT(page.evidence() && !ev->isBusy() && ev->logModel()->rowCount() > 0, 60000);
        QVERIFY(ev->timeline()->hasActivity());

        int retransmits = 0;
        int firstRow = -1;
        for (int r = 0; r < ev->logModel()->rowCount(); ++r) {
            if (LogEventKind(ev->logModel()->index(r, 0).data(LogEventModel::KindRole).toInt()) !=
                LogEventKind::Retransmit)
                continue;
            if (++retransmits == 1) firstRow = r;
        }
        QCOMPARE(retransmits, 5);
        QCOMPARE(ev->logModel()->index(firstRow, LogEventModel::ColLine).data().toInt(), 90);

        // The capture's first retransmitted CREATE_CHILD_SA request: the second request MID 2.
        std::int64_t retransmitNs = -1;
        int seen = 0;
        for (const IkeMessage &m : l.index->ikeMessages)
            if (m.header.exchange == std::uint8_t(ike::Exchange::CreateChildSa) && !m.header.isResponse() &&
                m.header.messageId == 2 && ++seen == 2) {
                retransmitNs = m.tsNs;
                break;
            }
        QVERIFY(retransmitNs > 0);
        const double captureS = double(retransmitNs - l.index->firstNs) / 1e9;

        QCOMPARE(ev->clockOffset(), 0.0);
        const std::vector<TimelineMarker> &markers = ev->timeline()->markers();
        auto firstRetransmitMarker = [&]() {
            double x = std::nan("");
            for (const TimelineMarker &m : markers)
                if (m.lane == int(LogMarker::Retransmit) && (std::isnan(x) || m.x < x)) x = m.x;
            return x;
        };
        const double x = firstRetransmitMarker();
        QVERIFY2(std::abs(x - captureS) < 0.5,
                 qPrintable(QStringLiteral("log %1 s, capture %2 s").arg(x).arg(captureS)));
        QVERIFY(std::count_if(markers.begin(), markers.end(), [](const TimelineMarker &m) {
                    return m.lane == int(LogMarker::Retransmit);
                }) >= 5);

        // The editable offset moves the markers and the table's capture-time column.
        ev->setClockOffset(2.0);
        QCOMPARE(ev->logModel()->clockOffset(), 2.0);
        QVERIFY(std::abs(firstRetransmitMarker() - (x + 2.0)) < 1e-9);
        QVERIFY(std::abs(ev->logModel()->captureSeconds(firstRow) - (x + 2.0)) < 1e-9);
    }

    // A capture and a charon log whose names and lines hold HTML (an image of a local file, a
    // file:// link, bold): every label, tool tip and browser of the tab shows it as text.
    // Before: the log table's tool tips (file, line) and the checklist's quoted log lines were
    // rendered as HTML.
    void hostileMarkupShownAsText()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString tag = QStringLiteral("<b>EVIL");
        const QString capture = dir.filePath(tag + QStringLiteral(" capture.pcap"));
        QVERIFY(QFile::copy(lab(QStringLiteral("rekey-loss/left-outer.pcap")), capture));
        QFile in(lab(QStringLiteral("rekey-loss/charon-left.log")));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray log;
        int planted = 0;
        for (QByteArray line : in.readAll().split('\n')) {
            if (line.contains("retransmit") || line.contains("sending packet")) {
                line += " <img src=\"file:///etc/passwd\"><a href=\"file:///etc/\">link</a><b>EVIL";
                ++planted;
            }
            log += line + '\n';
        }
        QVERIFY(planted >= 5);
        const QString logPath = dir.filePath(tag + QStringLiteral(" charon.log"));
        QFile out(logPath);
        QVERIFY(out.open(QIODevice::WriteOnly) && out.write(log) == log.size());
        out.close();

        // The receiver's replay window is read from this file: the checklist names it.
        const QString xfrm = dir.filePath(tag + QStringLiteral(" xfrm-state.txt"));
        QVERIFY(QFile::copy(lab(QStringLiteral("rekey-loss/stats/left-xfrm-state-end.txt")), xfrm));

        const Loaded l = load(capture);
        QVERIFY(l.index && l.analysis);
        CapturePage page(l.index);
        page.setAnalysis(l.analysis);
        EvidencePage *ev = page.evidencePage();
        page.addEvidencePaths({logPath, xfrm});
        QTRY_VERIFY_WITH_TIMEOUT(page.evidence() && !ev->isBusy() && ev->logModel()->rowCount() > 0, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(page.checklist()->diagnosis() != nullptr, 60000);
        // The planted text is there to be shown: in the log table's tool tips.
        bool inToolTip = false;
        for (int r = 0; r < ev->logModel()->rowCount(); ++r)
            inToolTip |=
                shownText(ev->logModel()->index(r, 0).data(Qt::ToolTipRole).toString()).contains(tag);
        QVERIFY(inToolTip);
        QStringList rendered = renderedMarkup(&page, tag);
        for (const TimelineMarker &m : ev->timeline()->markers()) // shown by QToolTip::showText on hover
            if (rendersTag(m.tooltip, Qt::AutoText, tag))
                rendered << QStringLiteral("timeline marker: ") + m.tooltip;
        QVERIFY2(rendered.isEmpty(), qPrintable(rendered.join(QLatin1Char('\n'))));
    }

    // A capture and a charon log whose names and lines hold a bidi override (U+202E: "x\u202Egol.txt"
    // reads "xtxt.log"), a tag character (U+E0041, invisible), a zero-width space and an escape
    // sequence: every label, button, tab, tool tip, text view and table cell of the tab shows
    // them written as \xNN, and copying the log table puts no raw control on the clipboard.
    // Before: the cells and labels showed them raw (the text reordered or hidden).
    void hostileControlsShownVisibly()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString planted =
            QString::fromUcs4(U"\u202Egol\U000E0041\u200B") + QChar(0x1b) + QStringLiteral("[2J");
        const QString capture = dir.filePath(QStringLiteral("cap") + planted + QStringLiteral(".pcap"));
        QVERIFY(QFile::copy(lab(QStringLiteral("rekey-loss/left-outer.pcap")), capture));
        QFile in(lab(QStringLiteral("rekey-loss/charon-left.log")));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray log;
        int count = 0;
        for (QByteArray line : in.readAll().split('\n')) {
            if (line.contains("retransmit") || line.contains("sending packet")) {
                line += ' ' + planted.toUtf8();
                ++count;
            }
            log += line + '\n';
        }
        QVERIFY(count >= 5);
        const QString logPath = dir.filePath(QStringLiteral("charon") + planted + QStringLiteral(".log"));
        QFile out(logPath);
        QVERIFY(out.open(QIODevice::WriteOnly) && out.write(log) == log.size());
        out.close();
        const QString xfrm = dir.filePath(QStringLiteral("xfrm") + planted + QStringLiteral(".txt"));
        QVERIFY(QFile::copy(lab(QStringLiteral("rekey-loss/stats/left-xfrm-state-end.txt")), xfrm));

        const Loaded l = load(capture);
        QVERIFY(l.index && l.analysis);
        CapturePage page(l.index);
        page.setAnalysis(l.analysis);
        page.show();
        EvidencePage *ev = page.evidencePage();
        page.addEvidencePaths({logPath, xfrm});
        QTRY_VERIFY_WITH_TIMEOUT(page.evidence() && !ev->isBusy() && ev->logModel()->rowCount() > 0, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(page.checklist()->diagnosis() != nullptr, 60000);
        // The planted text is in the log table's data, to be shown.
        bool inModel = false;
        for (int r = 0; r < ev->logModel()->rowCount() && !inModel; ++r)
            for (int c = 0; c < ev->logModel()->columnCount(); ++c)
                inModel |= ev->logModel()->index(r, c).data().toString().contains(planted);
        QVERIFY(inModel);
        const QStringList raw = rawControls(&page);
        QVERIFY2(raw.isEmpty(), qPrintable(raw.join(QLatin1Char('\n'))));

        // Ctrl+C on the whole log table: the clipboard holds the lines, controls written visibly.
        auto *logView = page.findChild<QTableView *>(QStringLiteral("logView"));
        QVERIFY(logView);
        logView->selectAll();
        QTest::keySequence(logView, QKeySequence::Copy);
        const QString copied = QGuiApplication::clipboard()->text();
        QVERIFY(copied.contains(QStringLiteral("\\x202egol\\xe0041\\x200b\\x1b[2J")));
        QVERIFY(!holdsRawControl(copied));
    }

    void settingsRoundTrip()
    {
        QSettings().clear();
        {
            const WorkbenchSettings s;
            QCOMPARE(s.assumedReplayWindow(), 32);
            QCOMPARE(s.assumedNatUdpTimeoutS(), 30);
            QVERIFY(s.recentFiles().isEmpty());
            QVERIFY(!s.hasWindowGeometry());
        }
        // The key MainWindow used before the wrapper still holds the recent files.
        QSettings().setValue(QStringLiteral("recentFiles"), QStringList{QStringLiteral("/old/a.pcap")});
        {
            WorkbenchSettings s;
            QCOMPARE(s.recentFiles(), QStringList{QStringLiteral("/old/a.pcap")});
            s.addRecentFile(QStringLiteral("/new/b.pcap"));
            s.addRecentFile(QStringLiteral("/old/a.pcap"));
            s.setAssumedReplayWindow(1024);
            s.setAssumedNatUdpTimeoutS(120);
            s.setLastDirectory(QStringLiteral("/captures"));
            s.setWindowGeometry(QByteArray("geom"));
            s.setWindowState(QByteArray("state"));
            for (int i = 0; i < 20; ++i)
                s.addRecentFile(QStringLiteral("/many/%1.pcap").arg(i));
        }
        const WorkbenchSettings s;
        QCOMPARE(s.recentFiles().size(), WorkbenchSettings::MaxRecentFiles);
        QCOMPARE(s.recentFiles().first(), QStringLiteral("/many/19.pcap"));
        QCOMPARE(s.assumedReplayWindow(), 1024);
        QCOMPARE(s.assumedNatUdpTimeoutS(), 120);
        QCOMPARE(s.lastDirectory(), QStringLiteral("/captures"));
        QCOMPARE(s.windowGeometry(), QByteArray("geom"));
        QCOMPARE(s.windowState(), QByteArray("state"));
        QCOMPARE(QSettings().value(QStringLiteral("assumptions/replayWindow")).toInt(), 1024);
        // The Checklist header shows the assumptions.
        ChecklistPage checklist;
        QVERIFY(checklist.assumptionsText().contains(QStringLiteral("1024")));
        QSettings().clear();
    }

    void logTimesFollowTheTimeDisplay()
    {
        // charon-left.log line 90 "2026-11-27T13:33:54.242 … retransmit 1 of request with message
        // ID 2"; the lab's host clocks run in UTC. The Capture time column shows that instant as
        // View ▸ Time Display asks: the date in UTC, or seconds since the capture's first packet.
        const Loaded l = load(lab(QStringLiteral("rekey-loss/left-outer.pcap")));
        QVERIFY(l.index && l.analysis);
        CapturePage page(l.index);
        page.setAnalysis(l.analysis);
        EvidencePage *ev = page.evidencePage();
        page.addEvidencePaths({lab(QStringLiteral("rekey-loss/charon-left.log"))});
        QTRY_VERIFY_WITH_TIMEOUT(page.evidence() && !ev->isBusy() && ev->logModel()->rowCount() > 0, 60000);
        LogEventModel *m = ev->logModel();
        int row = -1;
        for (int r = 0; r < m->rowCount() && row < 0; ++r)
            if (m->index(r, LogEventModel::ColLine).data().toInt() == 90) row = r;
        QVERIFY(row >= 0);
        const QModelIndex cell = m->index(row, LogEventModel::ColCaptureTime);
        const std::int64_t lineNs =
            QDateTime(QDate(2026, 11, 27), QTime(13, 33, 54, 242), QTimeZone::utc()).toMSecsSinceEpoch() *
            1'000'000;
        TimeDisplayChoice &choice = TimeDisplayChoice::instance();
        const TimeDisplay before = choice.mode();
        QSignalSpy header(m, &QAbstractItemModel::headerDataChanged);
        QSignalSpy cells(m, &QAbstractItemModel::dataChanged);

        choice.setMode(TimeDisplay::Utc);
        QCOMPARE(cell.data().toString(), QStringLiteral("2026-11-27 13:33:54.242000"));
        QCOMPARE(m->headerData(LogEventModel::ColCaptureTime, Qt::Horizontal).toString(),
                 QStringLiteral("Capture time (UTC)"));
        QVERIFY(header.count() >= 1 && cells.count() >= 1);
        ev->setClockOffset(1.5); // the host clock 1.5 s behind the capture's
        QCOMPARE(cell.data().toString(), QStringLiteral("2026-11-27 13:33:55.742000"));
        ev->setClockOffset(0);

        const QString since = QString::number(double(lineNs - l.index->firstNs) / 1e9, 'f', 6);
        for (const TimeDisplay mode :
             {TimeDisplay::SinceStart, TimeDisplay::SinceReference, TimeDisplay::SincePrevious}) {
            choice.setMode(mode);
            QCOMPARE(cell.data().toString(), since);
            QCOMPARE(m->headerData(LogEventModel::ColCaptureTime, Qt::Horizontal).toString(),
                     QStringLiteral("Capture time (s since start)"));
        }
        // The host's own clock column stays as the log wrote it.
        QCOMPARE(m->index(row, LogEventModel::ColTime).data().toString(),
                 QStringLiteral("2026-11-27 13:33:54.242"));
        choice.setMode(before);
    }
    // The Evidence page's two jobs poll their cancel flags: run superseded (runSuperseded), the
    // packets-per-second walk and the rows of the evidence stop at once (0 walked) while the run
    // that superseded them walks everything: every packet of reorder-antireplay's right-outer.pcap
    // (7144 frames by tshark), every pair of snapshots and log event of its stats and charon log.
    void supersededJobsStopEarly()
    {
        const Loaded l = load(lab(QStringLiteral("reorder-antireplay/right-outer.pcap")));
        QVERIFY(l.index);
        QCOMPARE(l.index->packetCount(), std::size_t(7144));
        const SupersededRuns activity = runSuperseded([index = l.index](Job &job) {
            return captureActivity(*index, 1200, job.cancelFlag(), &job.items).cancelled;
        });
        QVERIFY(activity.firstCancelled);
        QCOMPARE(activity.firstWalked, quint64(0));
        QVERIFY(!activity.firstDelivered);
        QVERIFY(!activity.secondCancelled);
        QCOMPARE(activity.secondWalked, quint64(7144));

        auto set = std::make_shared<EvidenceSet>();
        QVERIFY(set->addPath(lab(QStringLiteral("reorder-antireplay/stats"))));
        QVERIFY(set->addPath(lab(QStringLiteral("reorder-antireplay/charon-right.log"))));
        std::size_t events = 0;
        for (const EvidenceFile &f : set->files())
            if (const auto *log = std::get_if<CharonLog>(&f.data)) events += log->events.size();
        const std::size_t pairs = set->deltas().size();
        QVERIFY(pairs > 0 && events > 0);
        const SupersededRuns rows = runSuperseded([set, start = l.index->firstNs](Job &job) {
            return evidenceRows(*set, start, job.cancelFlag(), &job.items).cancelled;
        });
        QVERIFY(rows.firstCancelled);
        QCOMPARE(rows.firstWalked, quint64(0));
        QVERIFY(!rows.firstDelivered);
        QVERIFY(!rows.secondCancelled);
        QCOMPARE(rows.secondWalked, quint64(pairs + events));
    }
};

QTEST_MAIN(TestEvidencePage)
#include "tst_evidencepage.moc"
