// View ▸ Time Display on the Packets table, the time reference and the flag on timestamps going
// backwards, the Overview's count. The capture: tcpdump's ikev2four.pcap cut with editcap into
// frames 1-10, 11-15 shifted back 1 s and 16-21 shifted back 2 s, joined again with mergecap -a:
// two steps back (frames 11 and 16). Expected times are worked by hand from ikev2four.out's
// times (tshark prints the same: frame 1 12:21:24.386989, frame 10 .441104, frame 11 .447581,
// frame 15 .470120, frame 16 .472695, all 2007-08-06 UTC).
#include "../labdata.h"
#include "index/indexbuilder.h"
#include "models/packettablemodel.h"
#include "pages/overviewpage.h"
#include "pages/packetspage.h"
#include "settings/settingsdialog.h"
#include "settings/timedisplay.h"
#include "settings/workbenchsettings.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QHeaderView>
#include <QMenu>
#include <QProcess>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace ikev2wb;
using namespace ikev2wb::ui;

namespace {

bool run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QString timeCell(const PacketsPage &page, int row, int role = Qt::DisplayRole)
{
    return page.model()->index(row, PacketTableModel::ColTime).data(role).toString();
}

int rowOf(const PacketsPage &page, quint64 packet)
{
    return page.model()->rowOfPacket(packet);
}

} // namespace

class TstTimeDisplay : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    IndexPtr m_index;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2wb-tst-timedisplay"));
        const QString editcap = QStandardPaths::findExecutable(QStringLiteral("editcap"));
        const QString mergecap = QStandardPaths::findExecutable(QStringLiteral("mergecap"));
        if (editcap.isEmpty() || mergecap.isEmpty())
            QSKIP("editcap/mergecap (wireshark-common) not installed: scripts/setup-deps.sh");
        const QString src = QStringLiteral(IKEV2WB_TEST_DATA "/captures/tcpdump/tests/ikev2four.pcap");
        const QString a = m_dir.filePath(QStringLiteral("a.pcap")),
                      b = m_dir.filePath(QStringLiteral("b.pcap")),
                      c = m_dir.filePath(QStringLiteral("c.pcap")),
                      joined = m_dir.filePath(QStringLiteral("stepped.pcap"));
        QVERIFY(run(editcap, {QStringLiteral("-r"), src, a, QStringLiteral("1-10")}));
        QVERIFY(run(editcap, {QStringLiteral("-r"), QStringLiteral("-t"), QStringLiteral("-1"), src, b,
                              QStringLiteral("11-15")}));
        QVERIFY(run(editcap, {QStringLiteral("-r"), QStringLiteral("-t"), QStringLiteral("-2"), src, c,
                              QStringLiteral("16-21")}));
        QVERIFY(run(mergecap, {QStringLiteral("-a"), QStringLiteral("-F"), QStringLiteral("pcap"),
                               QStringLiteral("-w"), joined, a, b, c}));
        QString error;
        m_index = loadCapture(joined, &error);
        QVERIFY2(m_index, qPrintable(error));
        QCOMPARE(m_index->packetCount(), std::size_t(21));
        TimeDisplayChoice::instance().setMode(TimeDisplay::SinceStart);
    }

    void countedAndFlagged()
    {
        QCOMPARE(m_index->timeBackwards, std::uint64_t(2));
        QCOMPARE(m_index->firstTimeBackwards, std::int64_t(10));
        // frame 15 (24.470120 - 1 s) to frame 16 (24.472695 - 2 s): 0.997425 s back
        QCOMPARE(m_index->largestStepBackNs, std::int64_t(997'425'000));

        PacketsPage page(m_index);
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1200, 700);
        page.show();
        QTRY_VERIFY(page.isAttached());
        // The earliest time is frame 16's (22.472695): frame 1 is 24.386989 - 22.472695 later.
        QCOMPARE(
            page.model()->headerData(PacketTableModel::ColTime, Qt::Horizontal, Qt::DisplayRole).toString(),
            QStringLiteral("Since start (s)"));
        QCOMPARE(timeCell(page, 0), QStringLiteral("1.914294"));
        QCOMPARE(timeCell(page, 15), QStringLiteral("0.000000"));
        // Flagged: frames 11 and 16 only, in colour with a tooltip, and in the Flags column.
        for (int row = 0; row < 21; ++row) {
            const bool back = row == 10 || row == 15;
            QCOMPARE(page.model()->index(row, PacketTableModel::ColTime).data(Qt::ForegroundRole).isValid(),
                     back);
            QCOMPARE(page.model()
                         ->index(row, PacketTableModel::ColFlags)
                         .data()
                         .toString()
                         .contains(QStringLiteral("time-back")),
                     back);
        }
        // frame 10 (24.441104) to frame 11 (24.447581 - 1 s): 0.993523 s back
        QVERIFY2(
            timeCell(page, 10, Qt::ToolTipRole).contains(QStringLiteral("0.993523 s earlier than packet 10")),
            qPrintable(timeCell(page, 10, Qt::ToolTipRole)));

        // The Overview counts them.
        OverviewPage overview(m_index);
        overview.resize(1000, 700);
        overview.show(); // the report is laid out when shown
        const QString text = overview.report()->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("2 timestamp(s) go backwards")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("first: packet 11, largest step back 0.997425 s")));
    }

    void modesAndDeltas()
    {
        PacketsPage page(m_index);
        page.resize(1200, 700);
        page.show();
        QTRY_VERIFY(page.isAttached());
        TimeDisplayChoice &choice = TimeDisplayChoice::instance();

        choice.setMode(TimeDisplay::Utc);
        QCOMPARE(
            page.model()->headerData(PacketTableModel::ColTime, Qt::Horizontal, Qt::DisplayRole).toString(),
            QStringLiteral("Time (UTC)"));
        QCOMPARE(timeCell(page, 0), QStringLiteral("2007-08-06 12:21:24.386989"));  // ikev2four.out frame 1
        QCOMPARE(timeCell(page, 10), QStringLiteral("2007-08-06 12:21:23.447581")); // shifted back 1 s
        // The column is wide enough for a date (set from a sample string, not the contents).
        const QFontMetrics fm = page.tableView()->fontMetrics();
        QVERIFY(page.tableView()->columnWidth(PacketTableModel::ColTime) >
                fm.horizontalAdvance(QStringLiteral("2007-08-06 12:21:24.386989")));

        choice.setMode(TimeDisplay::SincePrevious);
        QCOMPARE(timeCell(page, 0), QStringLiteral("0.000000"));
        QCOMPARE(timeCell(page, 2), QStringLiteral("0.003803")); // 24.394523 - 24.390720
        QCOMPARE(timeCell(page, 10), QStringLiteral("-0.993523"));

        // Filtered and sorted: "previous shown" is the previous shown packet in packet order,
        // not the row above. Without frame 2, frame 3 follows frame 1: 24.394523 - 24.386989.
        page.setFilterText(QStringLiteral("frame.number != 2"));
        QTRY_VERIFY(!page.isBusy());
        page.sortBy(PacketTableModel::ColLength, Qt::DescendingOrder);
        QTRY_VERIFY(!page.isBusy());
        QVERIFY(!page.model()->isIdentityOrder());
        QCOMPARE(page.model()->shownCount(), 20);
        QCOMPARE(timeCell(page, rowOf(page, 2)), QStringLiteral("0.007534"));
        QCOMPARE(page.model()->previousShownPacket(rowOf(page, 2)), std::optional<quint64>(0));
        // Without frame 11, frame 12 (24.450581 - 1 s) follows frame 10 (24.441104): it did not step
        // back itself, but it is earlier than the previous shown packet, and says so.
        page.setFilterText(QStringLiteral("frame.number != 11"));
        QTRY_VERIFY(!page.isBusy());
        QCOMPARE(timeCell(page, rowOf(page, 11)), QStringLiteral("-0.990523"));
        QVERIFY(page.model()
                    ->index(rowOf(page, 11), PacketTableModel::ColTime)
                    .data(Qt::ForegroundRole)
                    .isValid());
        QVERIFY(timeCell(page, rowOf(page, 11), Qt::ToolTipRole)
                    .contains(QStringLiteral("previous shown packet")));
        page.setFilterText(QString());
        page.sortBy(PacketTableModel::ColNumber, Qt::AscendingOrder);
        QTRY_VERIFY(!page.isBusy());

        // A reference packet (context menu): frame 5 (24.414868); the program switches to it.
        choice.setMode(TimeDisplay::SinceStart);
        page.setTimeReference(4);
        QCOMPARE(choice.mode(), TimeDisplay::SinceReference);
        QCOMPARE(
            page.model()->headerData(PacketTableModel::ColTime, Qt::Horizontal, Qt::DisplayRole).toString(),
            QStringLiteral("Since #5 (s)"));
        QCOMPARE(timeCell(page, 0), QStringLiteral("-0.027879"));
        QCOMPARE(timeCell(page, 4), QStringLiteral("0.000000"));
        QCOMPARE(timeCell(page, 5), QStringLiteral("0.005983")); // 24.420851 - 24.414868
        page.setTimeReference({});
        QCOMPARE(timeCell(page, 0), QStringLiteral("1.914294")); // since the start again
        choice.setMode(TimeDisplay::SinceStart);
    }

    // A column width the user dragged stays when the Time Display changes the Time column's title
    // (it was recomputed from sample texts, every column), and a new Packets page opens with it.
    void userColumnWidthsKept()
    {
        WorkbenchSettings().setPacketColumnWidths({});
        TimeDisplayChoice &choice = TimeDisplayChoice::instance();
        const TimeDisplay before = choice.mode();
        choice.setMode(TimeDisplay::SinceStart);
        QHeaderView *header = nullptr;
        {
            PacketsPage page(m_index);
            page.resize(1200, 700);
            page.show();
            QTRY_VERIFY(page.isAttached());
            header = page.tableView()->horizontalHeader();
            const int timeSeconds = header->sectionSize(PacketTableModel::ColTime);
            header->resizeSection(PacketTableModel::ColSource, 333); // what a drag on the header does
            choice.setMode(TimeDisplay::Utc);
            QCOMPARE(header->sectionSize(PacketTableModel::ColSource), 333);
            QVERIFY(header->sectionSize(PacketTableModel::ColTime) > timeSeconds); // not chosen: fits dates
            header->resizeSection(PacketTableModel::ColTime, 250);
            choice.setMode(TimeDisplay::SinceStart);
            QCOMPARE(header->sectionSize(PacketTableModel::ColTime), 250);
            QCOMPARE(header->sectionSize(PacketTableModel::ColSource), 333);
        }
        PacketsPage again(m_index);
        again.resize(1200, 700);
        again.show();
        QTRY_VERIFY(again.isAttached());
        header = again.tableView()->horizontalHeader();
        QCOMPARE(header->sectionSize(PacketTableModel::ColSource), 333);
        QCOMPARE(header->sectionSize(PacketTableModel::ColTime), 250);
        WorkbenchSettings().setPacketColumnWidths({});
        choice.setMode(before);
    }

    // The View menu and Preferences set the same one choice.
    void menuAndPreferences()
    {
        QMenu view;
        QMenu *sub = TimeDisplayChoice::addMenu(&view);
        QCOMPARE(sub->actions().size(), 5);
        PacketsPage page(m_index);
        page.resize(1200, 700);
        page.show();
        QTRY_VERIFY(page.isAttached());
        QAction *local = sub->findChild<QAction *>(QStringLiteral("timeDisplay_local"));
        QVERIFY(local);
        QCOMPARE(local->shortcut(), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_2));
        local->trigger();
        QCOMPARE(TimeDisplayChoice::instance().mode(), TimeDisplay::Local);
        QCOMPARE(
            page.model()->headerData(PacketTableModel::ColTime, Qt::Horizontal, Qt::DisplayRole).toString(),
            QStringLiteral("Time (local)"));
        QCOMPARE(timeCell(page, 0).size(), qsizetype(26)); // yyyy-MM-dd HH:mm:ss.uuuuuu

        SettingsDialog prefs;
        QComboBox *box = prefs.timeDisplayBox();
        QCOMPARE(box->currentData().toInt(), int(TimeDisplay::Local));
        box->setCurrentIndex(box->findData(int(TimeDisplay::SincePrevious)));
        prefs.accept();
        QCOMPARE(TimeDisplayChoice::instance().mode(), TimeDisplay::SincePrevious);
        QVERIFY(sub->findChild<QAction *>(QStringLiteral("timeDisplay_previous"))->isChecked());
        QCOMPARE(timeCell(page, 2), QStringLiteral("0.003803"));
        TimeDisplayChoice::instance().setMode(TimeDisplay::SinceStart);
    }
};

QTEST_MAIN(TstTimeDisplay)
#include "tst_timedisplay.moc"
