// The navigation entries of every table's context menu (ui/widgets/cellnavigation.h): filter on
// this value, follow this SA, open in Wireshark at this packet, show this packet at the other
// end. Each test right-clicks a cell of a real page, triggers the entry and checks where the
// capture tab went. Oracles: the lab's addresses (loss1: left 10.0.1.1, right 10.0.2.1), the
// SPI formatted here from the SA's raw number, the packet counts of the SA table (the index)
// against the filter engine's match count, the pairing checked through the packets' own SPI and
// sequence number at both ends, and a stand-in `wireshark` on PATH that records its arguments.
#include "analyze/analysis.h"
#include "charts/sequencechart.h"
#include "index/indexbuilder.h"
#include "loadedcapture.h"
#include "loader/livesession.h"
#include "loader/pairloader.h"
#include "mainwindow.h"
#include "models/cellroles.h"
#include "models/checklistmodel.h"
#include "models/directionmodel.h"
#include "models/ikeexchangemodel.h"
#include "models/packettablemodel.h"
#include "models/satablemodel.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "pages/comparepage.h"
#include "pages/evidencepage.h"
#include "pages/livepage.h"
#include "pages/overviewpage.h"
#include "pages/packetspage.h"
#include "pairtab.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QMenu>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace ikev2wb;
using namespace ikev2wb::ui;

namespace {

QString lab(const char *file)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/lab/loss1/") + QLatin1String(file);
}

/// Opens the context menu of `view` at `at` (as a right click does) and returns it.
QMenu *openMenu(QAbstractItemView *view, const QModelIndex &at)
{
    view->scrollTo(at);
    Q_EMIT view->customContextMenuRequested(view->visualRect(at).center());
    QMenu *found = nullptr;
    for (QWidget *w : QApplication::topLevelWidgets())
        if (auto *m = qobject_cast<QMenu *>(w); m && m->isVisible()) found = m;
    return found;
}

QAction *entry(QMenu *menu, const char *name)
{
    for (QAction *a : menu->actions())
        if (a->objectName() == QLatin1String(name)) return a;
    return nullptr;
}

/// Triggers entry `name` of the menu of `view` at `at`; false if absent or disabled.
bool trigger(QAbstractItemView *view, const QModelIndex &at, const char *name)
{
    QMenu *menu = openMenu(view, at);
    if (!menu) return false;
    QAction *a = entry(menu, name);
    const bool ok = a && a->isEnabled();
    if (ok) a->trigger();
    menu->close();
    return ok;
}

bool shown(CapturePage &capture)
{
    capture.resize(1300, 850);
    capture.show();
    return QTest::qWaitForWindowExposed(&capture);
}

QString spiFilterText(quint32 spi)
{
    return QStringLiteral("esp.spi == 0x") + QStringLiteral("%1").arg(spi, 8, 16, QLatin1Char('0'));
}

} // namespace

class TstCellActions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void saTableFiltersAndFollows()
    {
        const Loaded l = load(lab("left-outer.pcap"));
        QVERIFY(l.index && l.analysis);
        CapturePage capture(l.index);
        QVERIFY(shown(capture));
        capture.setAnalysis(l.analysis);
        QTableView *sas = capture.overview()->saView();
        QAbstractItemModel *m = sas->model(); // the proxy: the roles pass through it
        QVERIFY(m->rowCount() >= 2);
        PacketsPage *packets = capture.packetsPage();

        for (int row = 0; row < m->rowCount(); ++row) {
            const quint32 spi = m->index(row, SaTableModel::ColSpi).data(SaTableModel::SortRole).toUInt();
            const quint64 count =
                m->index(row, SaTableModel::ColPackets).data(SaTableModel::SortRole).toULongLong();
            capture.tabs()->setCurrentIndex(CapturePage::OverviewTab);
            QVERIFY(trigger(sas, m->index(row, SaTableModel::ColSpi), "filterOnValue"));
            QCOMPARE(capture.tabs()->currentIndex(), int(CapturePage::PacketsTab));
            QCOMPARE(packets->filterEdit()->text(), spiFilterText(spi));
            // The filter engine selects the SA's packets, as many as the index counted for it.
            QTRY_VERIFY_WITH_TIMEOUT(!packets->isBusy() && packets->isAttached(), 20000);
            QTRY_COMPARE_WITH_TIMEOUT(quint64(packets->model()->shownCount()), count, 20000);
        }

        // An address column filters on the address: left's own is 10.0.1.1 (the lab's plan).
        int leftSends = -1;
        for (int row = 0; row < m->rowCount(); ++row)
            if (m->index(row, SaTableModel::ColSource).data().toString() == QLatin1String("10.0.1.1"))
                leftSends = row;
        QVERIFY(leftSends >= 0);
        capture.tabs()->setCurrentIndex(CapturePage::OverviewTab);
        QVERIFY(trigger(sas, m->index(leftSends, SaTableModel::ColSource), "filterOnValue"));
        QCOMPARE(packets->filterEdit()->text(), QStringLiteral("ip.src == 10.0.1.1"));
        QVERIFY(trigger(sas, m->index(leftSends, SaTableModel::ColDestination), "filterOnValue"));
        QCOMPARE(packets->filterEdit()->text(), QStringLiteral("ip.dst == 10.0.2.1"));
        // A count column maps to no field: the entry is there, disabled, and says why.
        QMenu *menu = openMenu(sas, m->index(0, SaTableModel::ColMissing));
        QVERIFY(menu);
        QAction *none = entry(menu, "filterOnValue");
        QVERIFY(none && !none->isEnabled() && !none->toolTip().isEmpty());
        menu->close();

        // Follow This SA: the ESP timeline on that SA, from any column of its row.
        for (int row = 0; row < m->rowCount(); ++row) {
            const int sa = m->index(row, 0).data(SaTableModel::SaIndexRole).toInt();
            capture.tabs()->setCurrentIndex(CapturePage::OverviewTab);
            QVERIFY(trigger(sas, m->index(row, SaTableModel::ColBytes), "followSa"));
            QCOMPARE(capture.tabs()->currentIndex(), int(CapturePage::TimelineTab));
            bool found = false;
            for (QComboBox *c : capture.findChildren<QComboBox *>())
                if (c != capture.ikePicker() && c->currentData().toInt() == sa) found = true;
            QVERIFY2(found, qPrintable(QStringLiteral("SA %1 not picked").arg(sa)));
        }
    }

    void packetsTableOpensWireshark()
    {
        const Loaded l = load(lab("left-outer.pcap"));
        QVERIFY(l.index && l.analysis);
        CapturePage capture(l.index);
        QVERIFY(shown(capture));
        capture.setAnalysis(l.analysis);
        capture.selectPacket(41); // packet 42
        PacketsPage *packets = capture.packetsPage();
        QTRY_VERIFY(packets->isAttached());
        QTableView *t = packets->tableView();
        const QModelIndex at = packets->model()->index(41, PacketTableModel::ColSource);
        QCOMPARE(at.data(PacketTableModel::PacketIndexRole).toULongLong(), quint64(41));

        // No wireshark on PATH: disabled, with a tooltip saying so.
        const QByteArray path = qgetenv("PATH");
        QTemporaryDir bin;
        qputenv("PATH", bin.path().toLocal8Bit());
        QMenu *menu = openMenu(t, at);
        QVERIFY(menu);
        QAction *open = entry(menu, "openInWireshark");
        QVERIFY(open);
        QCOMPARE(open->text(), QStringLiteral("Open in Wireshark at Packet 42"));
        QVERIFY(!open->isEnabled());
        QVERIFY(open->toolTip().contains(QLatin1String("not installed")));
        QVERIFY(!entry(menu, "showAtOtherEnd")); // not a pair
        menu->close();

        // A stand-in wireshark that writes down how it was called: -r FILE -g N.
        const QString args = bin.filePath(QStringLiteral("args"));
        QFile script(bin.filePath(QStringLiteral("wireshark")));
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(QStringLiteral("#!/bin/sh\nprintf '%s\\n' \"$@\" > '%1'\n").arg(args).toUtf8());
        script.close();
        script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        qputenv("PATH", bin.path().toLocal8Bit() + ":" + path);
        const bool ran = trigger(t, at, "openInWireshark");
        qputenv("PATH", path);
        QVERIFY(ran);
        QTRY_VERIFY_WITH_TIMEOUT(QFile(args).size() > 0, 10000);
        QFile out(args);
        QVERIFY(out.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(out.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts),
                 (QStringList{QStringLiteral("-r"), lab("left-outer.pcap"), QStringLiteral("-g"),
                              QStringLiteral("42")}));

        // Filter on a packet's source: the Packets page's own box, the address and port.
        QVERIFY(trigger(t, at, "filterOnValue"));
        QVERIFY(packets->filterEdit()->text().startsWith(QLatin1String("ip.src == ")));
        // An ESP packet's row is an SA: Follow This SA opens its timeline.
        int espRow = -1;
        for (int r = 0; r < 200 && espRow < 0; ++r)
            if (packets->model()->index(r, 0).data(CellRole::EspSa).isValid()) espRow = r;
        QVERIFY(espRow >= 0);
        const QModelIndex esp = packets->model()->index(espRow, PacketTableModel::ColSpiOrExchange);
        const int sa = esp.data(CellRole::EspSa).toInt();
        QCOMPARE(l.index->espSas[std::size_t(sa)].spi,
                 l.index->packets[esp.data(PacketTableModel::PacketIndexRole).toULongLong()].spi());
        QVERIFY(trigger(t, esp, "followSa"));
        QCOMPARE(capture.tabs()->currentIndex(), int(CapturePage::TimelineTab));
    }

    // The IKE page's table of exchanges navigates like the others: its Message ID cell filters
    // the Packets page on the exchange (this IKE SA's initiator SPI, formatted here from the
    // analysis' raw number, and the message ID); loss1 left's first IKE_SA_INIT request and its
    // response are 2 packets (verify.json: no IKE retransmission in loss1).
    void ikeExchangeTableNavigates()
    {
        const Loaded l = load(lab("left-outer.pcap"));
        QVERIFY(l.index && l.analysis);
        QVERIFY(!l.analysis->ike.ikeSas.empty());
        CapturePage capture(l.index);
        QVERIFY(shown(capture));
        capture.setAnalysis(l.analysis);
        QTableView *t = capture.ikeExchangeTable();
        QVERIFY(t);
        capture.tabs()->setCurrentIndex(CapturePage::LadderTab);
        QAbstractItemModel *m = t->model();
        QCOMPARE(m->rowCount(), int(l.analysis->ike.ikeSas[0].exchanges.size()));
        QCOMPARE(m->index(0, IkeExchangeModel::ColExchange).data().toString().section(QLatin1Char(' '), 0, 0),
                 QStringLiteral("IKE_SA_INIT"));
        QVERIFY(trigger(t, m->index(0, IkeExchangeModel::ColMessageId), "filterOnValue"));
        QCOMPARE(capture.tabs()->currentIndex(), int(CapturePage::PacketsTab));
        PacketsPage *packets = capture.packetsPage();
        QCOMPARE(packets->filterEdit()->text(),
                 QStringLiteral("isakmp.ispi == %1 && isakmp.messageid == 0")
                     .arg(l.analysis->ike.ikeSas[0].initiatorSpi, 16, 16, QLatin1Char('0')));
        QTRY_VERIFY_WITH_TIMEOUT(!packets->isBusy() && packets->isAttached(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(packets->model()->shownCount(), 2, 20000);
        // The Response cell is the response's packet: Open in Wireshark names its frame.
        capture.tabs()->setCurrentIndex(CapturePage::LadderTab);
        QMenu *menu = openMenu(t, m->index(0, IkeExchangeModel::ColResponse));
        QVERIFY(menu);
        QAction *open = entry(menu, "openInWireshark");
        QVERIFY(open);
        const quint64 response =
            l.index->ikeMessages[l.analysis->ike.ikeSas[0].exchanges[0].responseMessages.front()].packet;
        QVERIFY(l.index->ikeMessages.size() > 1);
        QCOMPARE(open->text(), QStringLiteral("Open in Wireshark at Packet %1").arg(response + 1));
        menu->close();
    }

    // The live capture page has no Packets page: its SA table's menu follows the SA on the ESP
    // timeline (the row becomes the timeline's SA, the timeline tab shows) and copies the display
    // filter that selects it. A snapshot as the capture worker sends it, two SAs.
    void liveSaTableFollowsAnSa()
    {
        LiveCaptureOptions options;
        options.interfaceName = QStringLiteral("lo");
        options.output = QStringLiteral("/nonexistent/live.pcapng"); // never started
        LiveSession session(options);
        LivePage page(&session);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto snap = std::make_shared<LiveSnapshot>();
        for (const std::uint32_t spi : {0x1000u, 0xc0ffee01u}) {
            LiveSa sa;
            sa.spi = spi;
            sa.flow = QStringLiteral("10.0.1.1 → 10.0.2.1");
            sa.packets = 10;
            snap->sas.push_back(sa);
        }
        snap->timelineSa = 0;
        Q_EMIT session.updated(snap);
        auto *sas = page.findChild<QTableWidget *>(QStringLiteral("liveSas"));
        auto *views = page.findChild<QTabWidget *>(QStringLiteral("liveViews"));
        QVERIFY(sas && views);
        QCOMPARE(sas->rowCount(), 2);
        QVERIFY(views->currentWidget() != page.timelineChart());
        QVERIFY(trigger(sas, sas->model()->index(1, 0), "followSa"));
        QCOMPARE(sas->currentRow(), 1);
        QCOMPARE(views->currentWidget(), page.timelineChart());
        // The filter, written here from the SA's number: the one the Packets page would take.
        QMenu *menu = openMenu(sas, sas->model()->index(1, 1));
        QVERIFY(menu);
        QAction *copy = entry(menu, "copyFilter");
        QVERIFY(copy && copy->isEnabled());
        copy->trigger();
        menu->close();
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("esp.spi == 0xc0ffee01"));
    }

    void checklistAndEvidenceTables()
    {
        const Loaded l = load(QStringLiteral(IKEV2WB_TEST_DATA "/lab/rekey-loss/left-outer.pcap"));
        QVERIFY(l.index && l.analysis);
        CapturePage capture(l.index);
        QVERIFY(shown(capture));
        QSignalSpy changed(capture.checklist(), &ChecklistPage::diagnosisChanged);
        capture.setAnalysis(l.analysis);
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 30000);
        capture.tabs()->setCurrentIndex(CapturePage::ChecklistTab);
        QTreeView *steps = nullptr;
        for (QTreeView *v : capture.checklist()->findChildren<QTreeView *>())
            if (v->model() == capture.checklist()->checklistModel()) steps = v;
        QVERIFY(steps);
        steps->expandAll();
        // An evidence item that names a packet of this capture: its row is that packet.
        const QAbstractItemModel *m = steps->model();
        QModelIndex item;
        for (int s = 0; s < m->rowCount() && !item.isValid(); ++s)
            for (int c = 0; c < m->rowCount(m->index(s, 0)); ++c) {
                const QModelIndex i = m->index(c, 0, m->index(s, 0));
                if (i.data(PacketRole).toLongLong() > 0) {
                    item = i;
                    break;
                }
            }
        QVERIFY(item.isValid());
        const qint64 packet = item.data(PacketRole).toLongLong(); // 1-based
        QMenu *menu = openMenu(steps, item);
        QVERIFY(menu);
        QAction *open = entry(menu, "openInWireshark");
        QVERIFY(open);
        QCOMPARE(open->text(), QStringLiteral("Open in Wireshark at Packet %1").arg(packet));
        menu->close();
        QVERIFY(trigger(steps, item, "filterOnValue"));
        QCOMPARE(capture.tabs()->currentIndex(), int(CapturePage::PacketsTab));
        const QString filter = capture.packetsPage()->filterEdit()->text();
        QVERIFY2(filter == QStringLiteral("frame.number == %1").arg(packet) ||
                     filter.startsWith(QLatin1String("esp.spi == 0x")),
                 qPrintable(filter));

        // The findings table has no filterable column: the entry is shown disabled.
        capture.tabs()->setCurrentIndex(CapturePage::ChecklistTab);
        QTableView *findings = nullptr;
        for (QTableView *v : capture.checklist()->findChildren<QTableView *>())
            if (v->model() && v->model()->rowCount() > 0) findings = v;
        QVERIFY(findings);
        menu = openMenu(findings, findings->model()->index(0, 0));
        QVERIFY(menu);
        QVERIFY(entry(menu, "filterOnValue") && !entry(menu, "filterOnValue")->isEnabled());
        menu->close();
    }

    void pairShowsThePacketAtTheOtherEnd()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        w.openPair(lab("left-outer.pcap"), lab("right-outer.pcap"));
        auto *tabs = w.findChild<QTabWidget *>();
        QTRY_VERIFY_WITH_TIMEOUT(shownComparePage(tabs) != nullptr, 60000);
        auto *page = qobject_cast<CapturePage *>(tabs->currentWidget());
        QTRY_VERIFY_WITH_TIMEOUT(page->peerAnalysis() != nullptr && page->packetsPage(1) != nullptr, 60000);
        const CaptureIndex &a = *page->index();
        const CaptureIndex &b = *page->peerIndex();
        const PacketPairing &pairing = page->comparison()->pairing;

        // A delivered and a lost ESP packet sent by A (loss1 lost 58 of them on the way to B).
        qint64 delivered = -1, lost = -1;
        for (const PacketPeer &p : pairing.side[0]) {
            if (delivered < 0 && p.fate == PacketFate::Delivered) delivered = p.packet;
            if (lost < 0 && p.fate == PacketFate::LostInTransit) lost = p.packet;
        }
        QVERIFY(delivered >= 0 && lost >= 0);
        page->selectPacket(quint64(lost));
        PacketsPage *pa = page->packetsPage(0);
        QTRY_VERIFY(pa->isAttached());
        QTableView *t = pa->tableView();
        QMenu *menu = openMenu(t, pa->model()->index(int(lost), 0));
        QVERIFY(menu);
        QAction *other = entry(menu, "showAtOtherEnd");
        QVERIFY(other && !other->isEnabled()); // it never arrived at B
        menu->close();

        QVERIFY(trigger(pa->tableView(), pa->model()->index(int(delivered), PacketTableModel::ColTime),
                        "showAtOtherEnd"));
        QCOMPARE(page->tabs()->currentIndex(), int(CapturePage::PacketsTab));
        QCOMPARE(page->packetsSide(), 1);
        PacketsPage *pb = page->packetsPage(1);
        QTRY_VERIFY(pb->detailsPacket() >= 0);
        const PacketRecord &ra = a.packets[std::size_t(delivered)];
        const PacketRecord &rb = b.packets[std::size_t(pb->detailsPacket())];
        // The same ESP packet: its SPI and sequence number read from B's own capture.
        QVERIFY(rb.isEsp());
        QCOMPARE(rb.spi(), ra.spi());
        QCOMPARE(rb.seq(), ra.seq());
        const QModelIndexList sel = pb->tableView()->selectionModel()->selectedRows();
        QCOMPARE(sel.size(), 1);
        QCOMPARE(sel.first().data(PacketTableModel::PacketIndexRole).toLongLong(), pb->detailsPacket());

        // And back: from B's row to A's packet.
        QVERIFY(trigger(pb->tableView(), sel.first(), "showAtOtherEnd"));
        QCOMPARE(page->packetsSide(), 0);
        QTRY_COMPARE(pa->detailsPacket(), delivered);

        // The comparison's direction table: the SPIs of A → B filter A's packets, B → A's B's.
        page->tabs()->setCurrentIndex(CapturePage::ComparisonTab);
        QTableView *dirs = nullptr;
        for (QTableView *v : page->comparePage()->findChildren<QTableView *>())
            if (v->model() && v->model()->columnCount() == DirectionModel::ColumnCount) dirs = v;
        QVERIFY(dirs);
        for (int row = 0; row < dirs->model()->rowCount(); ++row) {
            const QModelIndex spis = dirs->model()->index(row, DirectionModel::ColSpis);
            const int from = dirs->model()
                                 ->index(row, DirectionModel::ColDirection)
                                 .data(DirectionModel::SortRole)
                                 .toInt();
            const QStringList list = spis.data(Qt::ToolTipRole).toString().split(QLatin1Char('\n'));
            page->tabs()->setCurrentIndex(CapturePage::ComparisonTab);
            QVERIFY(trigger(dirs, spis, "filterOnValue"));
            QCOMPARE(page->tabs()->currentIndex(), int(CapturePage::PacketsTab));
            QCOMPARE(page->packetsSide(), from);
            const QString text = page->packetsPage(from)->filterEdit()->text();
            QCOMPARE(text, list.size() == 1
                               ? QStringLiteral("esp.spi == ") + list.first()
                               : QStringLiteral("esp.spi in {%1}").arg(list.join(QStringLiteral(", "))));
            const QModelIndex dir = dirs->model()->index(row, DirectionModel::ColDirection);
            page->tabs()->setCurrentIndex(CapturePage::ComparisonTab);
            QVERIFY(trigger(dirs, dir, "filterOnValue"));
            QCOMPARE(page->packetsPage(from)->filterEdit()->text(),
                     from == 0 ? QStringLiteral("ip.src == 10.0.1.1 && ip.dst == 10.0.2.1")
                               : QStringLiteral("ip.src == 10.0.2.1 && ip.dst == 10.0.1.1"));
        }
    }
};

QTEST_MAIN(TstCellActions)
#include "tst_cellactions.moc"
