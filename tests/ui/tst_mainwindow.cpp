// Smoke test of the main window (offscreen): loads the bundled samples in the background,
// shows one page per capture, and reports bad files inline (a notice bar) without blocking.
#include "loader/captureloader.h"
#include "mainwindow.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "pages/comparepage.h"
#include "pages/overviewpage.h"
#include "settings/workbenchsettings.h"
#include "widgets/noticebar.h"

#include "hostiletext.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDir>
#include <QDropEvent>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
#include <QSet>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QUrl>

#include <array>

using namespace ikev2wb::ui;

class TstMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2-workbench-tests"));
        qRegisterMetaType<ikev2wb::ui::IndexPtr>("ikev2wb::ui::IndexPtr");
    }
    void opensSamples()
    {
        const QDir samples(QStringLiteral(IKEV2WB_SAMPLES));
        const QStringList files = samples.entryList({QStringLiteral("*.pcap")}, QDir::Files);
        QVERIFY(files.size() >= 2);
        QStringList paths;
        for (const QString &f : files)
            paths << samples.filePath(f);
        MainWindow w;
        w.show();
        w.openFiles(paths);
        auto *tabs = w.findChild<QTabWidget *>();
        QVERIFY(tabs);
        QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), paths.size(), 30000);
        for (int i = 0; i < tabs->count(); ++i)
            QVERIFY(qobject_cast<CapturePage *>(tabs->widget(i)));
    }
    // A window saved on a larger screen (2400x1400 at 3000,2000: a monitor that is gone) opens
    // inside the screen it opens on, whole, not off to the side or larger than it.
    void restoredInsideTheScreen()
    {
        {
            QMainWindow big;
            big.setGeometry(3000, 2000, 2400, 1400);
            WorkbenchSettings().setWindowGeometry(big.saveGeometry());
        }
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QRect screen = w.screen()->availableGeometry();
        QVERIFY2(screen.contains(w.frameGeometry()),
                 qPrintable(QStringLiteral("window %1,%2 %3x%4 on screen %5,%6 %7x%8")
                                .arg(w.frameGeometry().x())
                                .arg(w.frameGeometry().y())
                                .arg(w.frameGeometry().width())
                                .arg(w.frameGeometry().height())
                                .arg(screen.x())
                                .arg(screen.y())
                                .arg(screen.width())
                                .arg(screen.height())));
        WorkbenchSettings().setWindowGeometry(QByteArray());
    }
    // File ▸ Open Capture… runs no nested event loop: the action returns at once with a
    // window-modal QFileDialog, a child of the window (title, filters, the last directory);
    // choosing a sample opens it in a tab and remembers its folder; Cancel opens nothing.
    void openDialogRunsNoNestedLoop()
    {
        const QDir samples(QStringLiteral(IKEV2WB_SAMPLES));
        const QStringList files = samples.entryList({QStringLiteral("*.pcap")}, QDir::Files);
        QVERIFY(!files.isEmpty());
        QTemporaryDir last;
        WorkbenchSettings().setLastDirectory(last.path());
        MainWindow w;
        w.show();
        auto *tabs = w.findChild<QTabWidget *>();
        QVERIFY(tabs);
        auto *action = w.findChild<QAction *>(QStringLiteral("openCaptureAction"));
        QVERIFY(action);
        // A static QFileDialog::get…() would spin its own loop inside trigger(): this timer would
        // fire in it, before trigger() returned, and close the dialog.
        bool returned = false, nested = false;
        QTimer::singleShot(0, this, [&]() {
            if (returned) return;
            nested = true;
            for (QFileDialog *d : w.findChildren<QFileDialog *>())
                d->reject();
        });
        action->trigger();
        returned = true;
        QVERIFY(!nested);
        auto *dialog = w.findChild<QFileDialog *>(QStringLiteral("fileDialog"));
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QCOMPARE(dialog->windowModality(), Qt::WindowModal);
        QCOMPARE(dialog->windowTitle(), QStringLiteral("Open captures"));
        QCOMPARE(dialog->nameFilters(), QStringList({QStringLiteral("Captures (*.pcap *.pcapng *.cap)"),
                                                     QStringLiteral("All files (*)")}));
        QCOMPARE(dialog->fileMode(), QFileDialog::ExistingFiles);
        QCOMPARE(dialog->directory().canonicalPath(), QDir(last.path()).canonicalPath());
        dialog->selectFile(samples.filePath(files.first()));
        static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept(): what the Open button does
        QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), 1, 30000);
        QCOMPARE(qobject_cast<CapturePage *>(tabs->widget(0))->index()->file.path,
                 samples.filePath(files.first()));
        QCOMPARE(WorkbenchSettings().lastDirectory(), samples.absolutePath());
        QTRY_VERIFY(!w.findChild<QFileDialog *>(QStringLiteral("fileDialog"))); // deleted when closed

        // Cancel: nothing opens.
        action->trigger();
        dialog = w.findChild<QFileDialog *>(QStringLiteral("fileDialog"));
        QVERIFY(dialog);
        QCOMPARE(dialog->directory().canonicalPath(), samples.canonicalPath()); // the remembered folder
        dialog->reject();
        QTest::qWait(200);
        QCOMPARE(tabs->count(), 1);
    }
    // File → Export Report writes the current capture's checklist as a PDF on a worker; read
    // back with pdftotext, it names the capture and the fault the lab injected (mtu-blackhole:
    // truth.json's PMTUD black hole).
    void exportsReport()
    {
        const QDir samples(QStringLiteral(IKEV2WB_SAMPLES));
        const QStringList right =
            samples.entryList({QStringLiteral("mtu-blackhole*right*.pcap")}, QDir::Files);
        QCOMPARE(right.size(), 1);
        MainWindow w;
        w.show();
        QVERIFY(w.findChild<QAction *>(QStringLiteral("exportReportAction")));
        w.openFiles({samples.filePath(right.front())});
        auto *tabs = w.findChild<QTabWidget *>();
        CapturePage *page = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(tabs && (page = qobject_cast<CapturePage *>(tabs->currentWidget())), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(page->checklist()->diagnosis() != nullptr, 30000);
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("report.pdf"));
        w.exportReportTo(pdf);
        auto *status = w.statusBar()->findChild<QLabel *>();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(pdf) && status &&
                                     status->text().startsWith(QStringLiteral("Report written")),
                                 30000);
        QProcess p;
        p.start(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")});
        QVERIFY(p.waitForFinished(30000));
        const QString text = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(text.contains(right.front()), qPrintable(text.left(400)));
        QVERIFY2(text.contains(QStringLiteral("black hole"), Qt::CaseInsensitive),
                 qPrintable(text.left(1500)));
    }
    // Several files as ONE capture (a ring): dropped at once and taken "as one", and a folder.
    // The pieces are a sample split with editcap; the set holds every packet of the whole file
    // and is named after its first file ("+N files") or its folder.
    void opensSetAsOneCapture()
    {
        const QString editcap = QStandardPaths::findExecutable(QStringLiteral("editcap"));
        if (editcap.isEmpty()) QSKIP("editcap (wireshark-common) not installed");
        const QDir samples(QStringLiteral(IKEV2WB_SAMPLES));
        const QStringList right = samples.entryList({QStringLiteral("loss1*right*.pcap")}, QDir::Files);
        QCOMPARE(right.size(), 1);
        QTemporaryDir dir;
        const QString ring = dir.filePath(QStringLiteral("ring"));
        QVERIFY(QDir().mkpath(ring));
        QCOMPARE(QProcess::execute(editcap,
                                   {QStringLiteral("-c"), QStringLiteral("2000"),
                                    samples.filePath(right.front()), ring + QStringLiteral("/piece.pcapng")}),
                 0);
        QStringList pieces;
        for (const QString &f : QDir(ring).entryList(QDir::Files, QDir::Name))
            pieces << ring + QLatin1Char('/') + f;
        QVERIFY(pieces.size() >= 3);
        QProcess capinfos;
        capinfos.start(QStringLiteral("capinfos"),
                       {QStringLiteral("-c"), QStringLiteral("-M"), QStringLiteral("-T"),
                        QStringLiteral("-r"), samples.filePath(right.front())});
        QVERIFY(capinfos.waitForFinished(30000));
        const qulonglong packets = QString::fromUtf8(capinfos.readAllStandardOutput())
                                       .trimmed()
                                       .section(QLatin1Char('\t'), -1)
                                       .toULongLong();
        QVERIFY(packets > 1000);

        MainWindow w;
        w.show();
        QVERIFY(w.findChild<QAction *>(QStringLiteral("openFolderAction")));
        auto *tabs = w.findChild<QTabWidget *>();
        // Dropped in reverse: asked, then read as one capture in time order.
        auto *mime = new QMimeData;
        QList<QUrl> urls;
        for (auto it = pieces.crbegin(); it != pieces.crend(); ++it)
            urls << QUrl::fromLocalFile(*it);
        mime->setUrls(urls);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        // QApplication::notify() drops a Drop event without a drag in progress: deliver it as the
        // drag manager would, straight to the window's event() (as tst_startpage does).
        static_cast<QObject &>(w).event(&drop);
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = w.findChild<QMessageBox *>(QStringLiteral("openSetBox"))) != nullptr,
                                 5000);
        auto *asOne = box->findChild<QPushButton *>(QStringLiteral("dropAsOne"));
        QVERIFY(asOne && box->findChild<QPushButton *>(QStringLiteral("dropSeparate")));
        asOne->click();
        CapturePage *page = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            tabs && tabs->count() == 1 && (page = qobject_cast<CapturePage *>(tabs->widget(0))), 30000);
        QCOMPARE(page->index()->packetCount(), std::size_t(packets));
        QCOMPARE(page->index()->set.files.size(), std::size_t(pieces.size()));
        QCOMPARE(page->index()->set.files.front().path, pieces.front());
        QTRY_COMPARE_WITH_TIMEOUT(
            tabs->tabText(0),
            QStringLiteral("%1 +%2 files").arg(QFileInfo(pieces.front()).fileName()).arg(pieces.size() - 1),
            10000);
        delete mime;

        // The folder: one tab named after it.
        w.openFiles({ring});
        QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), 2, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(1), QStringLiteral("ring"), 10000);
        auto *folderPage = qobject_cast<CapturePage *>(tabs->widget(1));
        QVERIFY(folderPage);
        QCOMPARE(folderPage->index()->packetCount(), std::size_t(packets));
    }
    // Capture files named with HTML: the status bar, the tab's tool tip, the recent-files menu and
    // the two-files question show the names as text. Before: the status line and the question
    // (QLabel / QMessageBox at Qt::AutoText) and the tool tips rendered "<b>EVIL" as bold.
    void hostileFileNamesShownAsText()
    {
        QTemporaryDir dir;
        const QString tag = QStringLiteral("<b>EVIL");
        const QDir samples(QStringLiteral(IKEV2WB_SAMPLES));
        const QString sample =
            samples.filePath(samples.entryList({QStringLiteral("*.pcap")}, QDir::Files).first());
        const QString a = dir.filePath(tag + QStringLiteral(" <img src=x.png> one.pcap"));
        const QString b = dir.filePath(tag + QStringLiteral(" two.pcap"));
        QVERIFY(QFile::copy(sample, a) && QFile::copy(sample, b));
        MainWindow w;
        w.show();
        w.openFiles({a});
        auto *tabs = w.findChild<QTabWidget *>();
        QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), 1, 30000);
        auto *status = w.findChild<QLabel *>(QStringLiteral("statusText"));
        QVERIFY(status);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(tag), 30000);
        QStringList rendered = renderedMarkup(&w, tag);
        QVERIFY2(rendered.isEmpty(), qPrintable(rendered.join(QLatin1Char('\n'))));

        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(a), QUrl::fromLocalFile(b)});
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        static_cast<QObject &>(w).event(&drop);
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = w.findChild<QMessageBox *>(QStringLiteral("dropPairBox"))) != nullptr,
                                 5000);
        QVERIFY(box->text().contains(tag));
        rendered = renderedMarkup(box, tag);
        QVERIFY2(rendered.isEmpty(), qPrintable(rendered.join(QLatin1Char('\n'))));
        box->reject();
        delete mime;
    }
    // A pair of capture files whose names hold a bidi override ("x\u202Egnp.pcap" reads
    // "xpcap.png"), a tag character, an escape sequence and markup: the tab, its tool tip, the
    // window title, the status line, the recent files and every page of the pair show the controls
    // written as \xNN and the markup as text. Before: controls shown raw (reordered, hidden), and
    // the ESP timeline's chart title and legend and the lost packets' tool tips rendered the other
    // file's name as HTML.
    void hostileControlFileNamesShownVisibly()
    {
        QTemporaryDir dir;
        const QDir samples(QStringLiteral(IKEV2WB_SAMPLES));
        const QString sample =
            samples.filePath(samples.entryList({QStringLiteral("*.pcap")}, QDir::Files).first());
        const QString planted =
            QString::fromUcs4(U"\u202Egnp\U000E0041") + QChar(0x1b) + QStringLiteral("[2J <b>EVIL");
        const QString a = dir.filePath(QStringLiteral("x") + planted + QStringLiteral(".pcap"));
        const QString b = dir.filePath(QStringLiteral("y") + planted + QStringLiteral(".pcap"));
        QVERIFY(QFile::copy(sample, a) && QFile::copy(sample, b));
        MainWindow w;
        w.show();
        w.openPair(a, b);
        auto *tabs = w.findChild<QTabWidget *>();
        QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), 1, 30000);
        auto *status = w.findChild<QLabel *>(QStringLiteral("statusText"));
        QVERIFY(status);
        QTRY_VERIFY_WITH_TIMEOUT(
            w.findChild<ChecklistPage *>() && w.findChild<ChecklistPage *>()->diagnosis(), 60000);
        QVERIFY2(status->text().contains(QStringLiteral("x\\x202egnp\\xe0041\\x1b[2J <b>EVIL.pcap")),
                 qPrintable(status->text()));
        QVERIFY2(tabs->tabText(0).contains(QStringLiteral("y\\x202egnp\\xe0041\\x1b[2J <b>EVIL.pcap")),
                 qPrintable(tabs->tabText(0)));
        // Every page of the pair shown once (the ESP timeline and the ladder build their charts
        // when first shown), then every text of the window checked for raw controls and markup.
        auto *page = qobject_cast<CapturePage *>(tabs->widget(0));
        QVERIFY(page);
        for (int t = 0; t < page->tabs()->count(); ++t) {
            page->tabs()->setCurrentIndex(t);
            QTest::qWait(50);
        }
        const QStringList raw = rawControls(&w);
        QVERIFY2(raw.isEmpty(), qPrintable(raw.join(QLatin1Char('\n'))));
        const QStringList rendered = renderedMarkup(&w, QStringLiteral("<b>EVIL"));
        QVERIFY2(rendered.isEmpty(), qPrintable(rendered.join(QLatin1Char('\n'))));
    }
    // Capture ▸ Read One Tunnel: a hub's capture (natt's right capture shifted 30 s with editcap
    // and merged by time with mtu-blackhole's right capture by mergecap) holds two tunnels. The
    // dialog offers both pairs; the one chosen opens in a new tab named after it, whose index left
    // out exactly the packets that are not between 10.0.1.1 and 10.0.2.1 (tshark's count of
    // "ip.addr==10.0.1.1 && ip.addr==10.0.2.1" is the independent reading), and whose checklist
    // says so.
    void readsOneTunnelOfSeveral()
    {
        if (!haveWiresharkTools())
            QSKIP("needs editcap, mergecap and tshark (scripts/setup-deps.sh installs them)");
        QTemporaryDir tmp;
        const QString hub = hubCapture(tmp, QStringLiteral("mtu-blackhole"));
        QVERIFY(!hub.isEmpty());
        const auto tsharkCount = [&](const QString &filter) { return countPackets(hub, filter); };
        const qsizetype inTunnel = tsharkCount(QStringLiteral("ip.addr==10.0.1.1 && ip.addr==10.0.2.1"));
        const qsizetype all = tsharkCount(QStringLiteral("frame"));
        QVERIFY(inTunnel > 0 && all > inTunnel);

        MainWindow w;
        w.show();
        auto *tabs = w.findChild<QTabWidget *>();
        w.openFiles({hub});
        QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), 1, 30000);
        // Read whole, the Overview says it holds two tunnels and where to read one apart.
        auto *whole = qobject_cast<CapturePage *>(tabs->widget(0));
        QTRY_VERIFY_WITH_TIMEOUT(whole->analysis() != nullptr, 30000);
        QVERIFY2(whole->overview()->report()->toPlainText().contains(QStringLiteral(
                     "2 address pairs carry IKE/ESP and are judged as one tunnel here: Capture ▸ Read "
                     "One Tunnel… opens one of them apart")),
                 qPrintable(whole->overview()->report()->toPlainText().left(600)));
        auto *action = w.findChild<QAction *>(QStringLiteral("readOneTunnelAction"));
        QVERIFY(action);
        action->trigger();
        QInputDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = w.findChild<QInputDialog *>(QStringLiteral("readOneTunnelDialog"))) != nullptr);
        QCOMPARE(dialog->windowModality(), Qt::WindowModal);
        const QStringList items = dialog->comboBoxItems();
        QCOMPARE(items.size(), 2);
        const QString wanted = items.filter(QStringLiteral("10.0.1.1 ↔ 10.0.2.1")).value(0);
        QVERIFY2(!wanted.isEmpty(), qPrintable(items.join(u'|')));
        dialog->setTextValue(wanted);
        dialog->accept();
        QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), 2, 30000);
        auto *page = qobject_cast<CapturePage *>(tabs->widget(1));
        QVERIFY(page && page->index());
        QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(1), QStringLiteral("hub.pcap [tunnel 10.0.1.1 ↔ 10.0.2.1]"),
                                  10000);
        QCOMPARE(page->index()->packetCount(), std::size_t(all));
        QCOMPARE(page->index()->count(ikev2wb::PacketKind::OutOfScope), std::uint64_t(all - inTunnel));
        QVERIFY(page->overview()->report()->toPlainText().contains(
            QStringLiteral("10.0.1.1 ↔ 10.0.2.1 — %1 of the %2 packets are outside it")
                .arg(all - inTunnel)
                .arg(all)));
        QTRY_VERIFY_WITH_TIMEOUT(page->checklist()->diagnosis() != nullptr, 60000);
        QVERIFY(page->checklist()->diagnosis()->notes.join(u'\n').contains(
            QStringLiteral("is read as one tunnel")));
        // The tunnel's tab holds one tunnel: nothing more to pick.
        tabs->setCurrentIndex(1);
        action->trigger();
        QTest::qWait(100);
        QVERIFY(!w.findChild<QInputDialog *>(QStringLiteral("readOneTunnelDialog")));
    }

    // The peer's capture is a hub's (two tunnels): a pair reads it as the one tunnel that carries
    // capture A's SPIs, named so in the tab title, the Overview and the Comparison. The hub is
    // natt's right capture shifted 30 s (editcap) merged with mtu-blackhole's right capture
    // (mergecap); which tunnel is A's is the recipe's (mtu-blackhole's left capture: its tunnel
    // 10.0.1.1 ↔ 10.0.2.1; natt's left capture: its tunnel behind the NAT, 10.0.2.1 ↔ 10.0.2.254
    // at the hub), and the packets left out are tshark's count of the other pair's.
    void peerHubCaptureReadAsTunnelOfA_data()
    {
        QTest::addColumn<QString>("left");
        QTest::addColumn<QString>("ends");
        QTest::addColumn<QString>("filter"); // the tunnel's packets in the hub, for tshark
        QTest::addColumn<bool>("attach");    // added to A's tab (File ▸ Add the Peer's Capture…)
        QTest::addColumn<QString>("scopeA"); // A read as this tunnel ("": whole)
        QTest::newRow("same ends, added to A's tab")
            << QStringLiteral("mtu-blackhole") << QStringLiteral("10.0.1.1 ↔ 10.0.2.1")
            << QStringLiteral("ip.addr==10.0.1.1 && ip.addr==10.0.2.1") << true << QString();
        QTest::newRow("added to A's tunnel tab")
            << QStringLiteral("mtu-blackhole") << QStringLiteral("10.0.1.1 ↔ 10.0.2.1")
            << QStringLiteral("ip.addr==10.0.1.1 && ip.addr==10.0.2.1") << true
            << QStringLiteral("10.0.2.1,10.0.1.1");
        // Behind the NAT, A's capture shows the same addresses as the OTHER tunnel at the hub:
        // only the SPIs tell which is A's.
        QTest::newRow("via NAT, --pair")
            << QStringLiteral("natt") << QStringLiteral("10.0.2.1 ↔ 10.0.2.254")
            << QStringLiteral("ip.addr==10.0.2.1 && ip.addr==10.0.2.254") << false << QString();
    }
    void peerHubCaptureReadAsTunnelOfA()
    {
        QFETCH(QString, left);
        QFETCH(QString, ends);
        QFETCH(QString, filter);
        QFETCH(bool, attach);
        QFETCH(QString, scopeA);
        if (!haveWiresharkTools())
            QSKIP("needs editcap, mergecap and tshark (scripts/setup-deps.sh installs them)");
        QTemporaryDir tmp;
        const QString hub = hubCapture(tmp, QStringLiteral("mtu-blackhole"));
        QVERIFY(!hub.isEmpty());
        const QString a =
            QStringLiteral(IKEV2WB_TEST_DATA "/lab/") + left + QStringLiteral("/left-outer.pcap");
        const auto [all, inTunnel, espInTunnel] = tunnelCounts(hub, filter);
        QVERIFY(inTunnel > 0 && all > inTunnel && espInTunnel > 0);

        MainWindow w;
        w.show();
        auto *tabs = w.findChild<QTabWidget *>();
        CapturePage *page = nullptr;
        QString nameA = QStringLiteral("left-outer.pcap");
        if (attach) {
            if (scopeA.isEmpty()) {
                w.openFiles({a});
            } else {
                const auto scope = ikev2wb::TunnelScope::parse(scopeA, nullptr);
                QVERIFY(scope);
                w.openFiles({tunnelKey(a, *scope)});
                nameA += QStringLiteral(" [tunnel %1]").arg(scope->endsText());
            }
            QTRY_VERIFY_WITH_TIMEOUT(
                (page = qobject_cast<CapturePage *>(tabs->currentWidget())) && page->analysis(), 30000);
            w.addPeerCaptureTo(page, hub);
        } else {
            w.openPair(a, hub);
            QTRY_VERIFY_WITH_TIMEOUT((page = qobject_cast<CapturePage *>(tabs->currentWidget())) != nullptr,
                                     60000);
        }
        QTRY_VERIFY_WITH_TIMEOUT(page->comparison() && page->peerIndex(), 60000);
        QCOMPARE(tabs->count(), 1);
        const ikev2wb::CaptureIndex &b = *page->peerIndex();
        QCOMPARE(b.scope.endsText(), ends);
        QCOMPARE(b.packetCount(), std::size_t(all));
        QCOMPARE(b.count(ikev2wb::PacketKind::OutOfScope), std::uint64_t(all - inTunnel));
        QCOMPARE(page->comparison()->side[1].espPackets, std::uint64_t(espInTunnel));
        QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(0),
                                  QStringLiteral("%1 ⇄ hub.pcap [tunnel %2]").arg(nameA, ends), 10000);
        page->tabs()->setCurrentIndex(CapturePage::OverviewTab);
        const QString tunnelRow =
            QStringLiteral("%1 in the peer's capture hub.pcap — %2 of its %3 packets are "
                           "outside it; chosen as A's tunnel")
                .arg(ends)
                .arg(all - inTunnel)
                .arg(all);
        QTRY_VERIFY2(page->overview()->report()->toPlainText().contains(tunnelRow),
                     qPrintable(page->overview()->report()->toPlainText().left(1500)));
        auto *sides = page->comparePage()->findChild<QLabel *>(QStringLiteral("compareSides"));
        QVERIFY(sides);
        QVERIFY2(sides->text().contains(QStringLiteral("hub.pcap [tunnel %1]").arg(ends)),
                 qPrintable(sides->text()));
        QVERIFY(
            page->comparePage()->notesText().contains(QStringLiteral("B read as the tunnel %1").arg(ends)));
        QTest::qWait(100);
        QVERIFY(!w.findChild<QInputDialog *>(QStringLiteral("peerTunnelDialog")));
    }
    // The mirror: the hub's capture is A, mtu-blackhole's left capture (a spoke's) B. The pair is
    // compared as the hub's tunnel that carries B's SPIs (10.0.1.1 ↔ 10.0.2.1 by the recipe), the
    // Comparison's header says so with the packets left out (tshark's count) and opens the whole hub.
    // Added to a tab showing the whole hub, that tab keeps it and the pair opens beside it.
    void hubCaptureAComparedAsTunnelOfB_data()
    {
        QTest::addColumn<bool>("attach"); // B added to the hub's tab (File ▸ Add the Peer's Capture…)
        QTest::newRow("--pair, hub first") << false;
        QTest::newRow("added to the hub's tab") << true;
    }
    void hubCaptureAComparedAsTunnelOfB()
    {
        QFETCH(bool, attach);
        if (!haveWiresharkTools())
            QSKIP("needs editcap, mergecap and tshark (scripts/setup-deps.sh installs them)");
        QTemporaryDir tmp;
        const QString hub = hubCapture(tmp, QStringLiteral("mtu-blackhole"));
        QVERIFY(!hub.isEmpty());
        const QString spoke = QStringLiteral(IKEV2WB_TEST_DATA "/lab/mtu-blackhole/left-outer.pcap");
        const QString filter = QStringLiteral("ip.addr==10.0.1.1 && ip.addr==10.0.2.1");
        const QString ends = QStringLiteral("10.0.1.1 ↔ 10.0.2.1");
        const auto [all, inTunnel, espInTunnel] = tunnelCounts(hub, filter);
        QVERIFY(inTunnel > 0 && all > inTunnel && espInTunnel > 0);

        MainWindow w;
        w.show();
        auto *tabs = w.findChild<QTabWidget *>();
        CapturePage *hubTab = nullptr;
        if (attach) {
            w.openFiles({hub});
            QTRY_VERIFY_WITH_TIMEOUT(
                (hubTab = qobject_cast<CapturePage *>(tabs->currentWidget())) && hubTab->analysis(), 30000);
            w.addPeerCaptureTo(hubTab, spoke);
        } else {
            w.openPair(hub, spoke);
        }
        CapturePage *page = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((page = qobject_cast<CapturePage *>(tabs->currentWidget())) &&
                                     page != hubTab && page->comparison() && page->peerIndex(),
                                 60000);
        QCOMPARE(tabs->count(), attach ? 2 : 1);
        if (attach) { // the hub's tab unchanged: its whole capture, no comparison
            QVERIFY(!hubTab->index()->scope.active());
            QCOMPARE(hubTab->index()->packetCount(), std::size_t(all));
            QVERIFY(!hubTab->comparison());
            QCOMPARE(tabs->tabText(0), QStringLiteral("hub.pcap"));
        }
        const ikev2wb::CaptureIndex &a = *page->index();
        QCOMPARE(a.scope.endsText(), ends);
        QCOMPARE(a.count(ikev2wb::PacketKind::OutOfScope), std::uint64_t(all - inTunnel));
        QCOMPARE(page->comparison()->side[0].espPackets, std::uint64_t(espInTunnel));
        QVERIFY(page->comparison()->ownTunnel.basis == ikev2wb::PeerTunnel::Basis::Spis);
        QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(tabs->indexOf(page)),
                                  QStringLiteral("hub.pcap [tunnel %1] ⇄ left-outer.pcap").arg(ends), 10000);
        auto *header = page->comparePage()->findChild<QLabel *>(QStringLiteral("compareTunnels"));
        QVERIFY(header);
        QVERIFY(!header->isHidden());
        const QString said =
            QStringLiteral("A is compared as one of its tunnels, %1</b></span> — capture A holds "
                           "the IKE/ESP of 2 address pairs; only %1 carries SPIs of the peer's "
                           "capture (1 IKE SA(s), 2 ESP SPI(s)). %2 of its %3 packets")
                .arg(ends)
                .arg(all - inTunnel)
                .arg(all);
        QVERIFY2(header->text().contains(said), qPrintable(header->text()));
        QVERIFY(
            page->comparePage()->notesText().contains(QStringLiteral("A read as the tunnel %1").arg(ends)));
        // "Open all of hub.pcap": the hub's own tab (attach), or the whole capture in a new one.
        Q_EMIT header->linkActivated(QStringLiteral("whole:0"));
        QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), 2, 30000);
        CapturePage *whole = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((whole = qobject_cast<CapturePage *>(tabs->currentWidget())) &&
                                     whole != page && whole->index(),
                                 30000);
        QVERIFY(!whole->index()->scope.active());
        QCOMPARE(whole->index()->packetCount(), std::size_t(all));
        if (attach) QCOMPARE(whole, hubTab);
    }
    // A hub's capture none of whose tunnels carries capture A's SPIs (natt's and clean's right
    // captures merged; A is mtu-blackhole's left capture, whose SPIs tshark finds in neither): the
    // pair is read whole and says so, and a window-modal dialog asks which tunnel to compare; the
    // one chosen opens in a new tab whose B is read as that tunnel (the pair loader's B scope),
    // leaving out tshark's count of the other pair's packets.
    void peerHubCaptureWithoutAProvenTunnelAsks()
    {
        if (!haveWiresharkTools())
            QSKIP("needs editcap, mergecap and tshark (scripts/setup-deps.sh installs them)");
        QTemporaryDir tmp;
        const QString hub = hubCapture(tmp, QStringLiteral("clean"));
        QVERIFY(!hub.isEmpty());
        const QString a = QStringLiteral(IKEV2WB_TEST_DATA "/lab/mtu-blackhole/left-outer.pcap");
        const auto spis = [](const QString &file) {
            QProcess t;
            t.start(QStringLiteral("tshark"),
                    {QStringLiteral("-r"), file, QStringLiteral("-Y"), QStringLiteral("esp"),
                     QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-e"),
                     QStringLiteral("esp.spi")});
            t.waitForFinished(60000);
            const QStringList lines =
                QString::fromLatin1(t.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
            return QSet<QString>(lines.begin(), lines.end());
        };
        QVERIFY(!spis(a).isEmpty() && !spis(a).intersects(spis(hub)));
        const QString filter = QStringLiteral("ip.addr==10.0.1.1 && ip.addr==10.0.2.1");
        const qsizetype all = countPackets(hub, QStringLiteral("frame")),
                        inTunnel = countPackets(hub, filter);
        QVERIFY(inTunnel > 0 && all > inTunnel);

        MainWindow w;
        w.show();
        auto *tabs = w.findChild<QTabWidget *>();
        w.openPair(a, hub);
        QInputDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = w.findChild<QInputDialog *>(QStringLiteral("peerTunnelDialog"))) != nullptr, 60000);
        QCOMPARE(dialog->windowModality(), Qt::WindowModal);
        auto *whole = qobject_cast<CapturePage *>(tabs->widget(0));
        QVERIFY(whole && whole->peerIndex());
        QVERIFY(!whole->peerIndex()->scope.active());
        QCOMPARE(tabs->tabText(0), QStringLiteral("left-outer.pcap ⇄ hub.pcap"));
        whole->tabs()->setCurrentIndex(CapturePage::OverviewTab);
        QTRY_VERIFY2(whole->overview()->report()->toPlainText().contains(QStringLiteral(
                         "The peer's capture is read whole, judged as one tunnel: the peer's capture "
                         "holds the IKE/ESP of 2 address pairs and none carries an IKE or ESP SPI of "
                         "capture A's")),
                     qPrintable(whole->overview()->report()->toPlainText().left(1500)));
        const QStringList items = dialog->comboBoxItems();
        QCOMPARE(items.size(), 2);
        // The pair with A's addresses is offered first, never taken unasked.
        QVERIFY2(dialog->textValue().startsWith(QStringLiteral("10.0.1.1 ↔ 10.0.2.1")) &&
                     dialog->textValue().contains(QStringLiteral("A's addresses")),
                 qPrintable(dialog->textValue()));
        dialog->accept();
        QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), 2, 60000);
        auto *page = qobject_cast<CapturePage *>(tabs->widget(1));
        QTRY_VERIFY_WITH_TIMEOUT(page->comparison() && page->peerIndex(), 60000);
        QCOMPARE(page->peerIndex()->scope.endsText(), QStringLiteral("10.0.1.1 ↔ 10.0.2.1"));
        QCOMPARE(page->peerIndex()->count(ikev2wb::PacketKind::OutOfScope), std::uint64_t(all - inTunnel));
        QCOMPARE(page->comparison()->side[1].outOfScope, std::uint64_t(all - inTunnel));
        QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(1),
                                  QStringLiteral("left-outer.pcap ⇄ hub.pcap [tunnel 10.0.1.1 ↔ 10.0.2.1]"),
                                  10000);
        // Its B was given: nothing more to ask.
        QTest::qWait(100);
        QVERIFY(!w.findChild<QInputDialog *>(QStringLiteral("peerTunnelDialog")));
    }

    void badFileDoesNotBlock()
    {
        QTemporaryDir dir;
        const QString bogus = dir.filePath(QStringLiteral("notes.pcap"));
        writeNotACapture(bogus);
        MainWindow w;
        w.show();
        w.openFiles({bogus});
        QTRY_COMPARE_WITH_TIMEOUT(w.notices()->notices().size(), 1, 10000);
        const QString text = w.notices()->notices().constFirst();
        QVERIFY2(text.contains(bogus), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("not a pcap or pcapng capture")));
        QVERIFY(w.notices()->isVisible());
        QVERIFY(!QApplication::activeModalWidget());
        QVERIFY(!w.findChild<QMessageBox *>());
    }
    void twoFailuresTwoNoticesNoModal()
    {
        // Two broken files: two failures, two rows of the notice bar, no dialog (modal or not) and
        // no nested event loop while they are reported.
        QTemporaryDir dir;
        const QString first = dir.filePath(QStringLiteral("first-broken.pcap"));
        const QString second = dir.filePath(QStringLiteral("second-broken.pcapng"));
        writeNotACapture(first);
        writeNotACapture(second);
        MainWindow w;
        w.show();
        // A nested event loop would raise the loop level while the failures are reported.
        const int level = QThread::currentThread()->loopLevel();
        int deepest = level;
        QTimer probe;
        QObject::connect(&probe, &QTimer::timeout, &probe, [&deepest]() {
            deepest = std::max(deepest, QThread::currentThread()->loopLevel());
        });
        probe.start(1);
        w.openFiles({first, second});
        QTRY_COMPARE_WITH_TIMEOUT(w.notices()->notices().size(), 2, 10000);
        const QStringList texts = w.notices()->notices();
        QVERIFY2(texts.at(0).contains(first), qPrintable(texts.at(0)));
        QVERIFY2(texts.at(1).contains(second), qPrintable(texts.at(1)));
        const QList<QWidget *> rows = w.notices()->findChildren<QWidget *>(QStringLiteral("notice"));
        QCOMPARE(rows.size(), 2);
        for (const QWidget *row : rows)
            QVERIFY(row->isVisible());
        QVERIFY(!QApplication::activeModalWidget());
        QVERIFY(!w.findChild<QMessageBox *>());
        QVERIFY(!w.findChild<QDialog *>());
        // The window is still usable: a good capture opens after the two failures.
        const QDir samples(QStringLiteral(IKEV2WB_SAMPLES));
        const QString good =
            samples.filePath(samples.entryList({QStringLiteral("*.pcap")}, QDir::Files).first());
        w.openFiles({good});
        auto *tabs = w.findChild<QTabWidget *>();
        QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), 1, 30000);
        probe.stop();
        QCOMPARE(deepest, level);
        // Dismissing one keeps the other.
        auto *close = rows.at(0)->findChild<QToolButton *>(QStringLiteral("noticeClose"));
        QVERIFY(close);
        close->click();
        QTRY_COMPARE(w.notices()->notices().size(), 1);
        QVERIFY(w.notices()->notices().constFirst().contains(second));
    }

private:
    static bool haveWiresharkTools()
    {
        for (const char *tool : {"editcap", "mergecap", "tshark"})
            if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty()) return false;
        return true;
    }
    /// A hub's capture of two tunnels: natt's right capture shifted 30 s by editcap, merged by
    /// time (mergecap) with lab `other`'s right capture. "" when a tool failed.
    static QString hubCapture(const QTemporaryDir &tmp, const QString &other)
    {
        const QString lab = QStringLiteral(IKEV2WB_TEST_DATA "/lab/");
        const QString shifted = tmp.filePath(QStringLiteral("natt.pcap")),
                      hub = tmp.filePath(QStringLiteral("hub.pcap"));
        if (QProcess::execute(QStringLiteral("editcap"),
                              {QStringLiteral("-t"), QStringLiteral("-30"),
                               lab + QStringLiteral("natt/right-outer.pcap"), shifted}) != 0)
            return {};
        if (QProcess::execute(QStringLiteral("mergecap"),
                              {QStringLiteral("-F"), QStringLiteral("pcap"), QStringLiteral("-w"), hub,
                               shifted, lab + other + QStringLiteral("/right-outer.pcap")}) != 0)
            return {};
        return hub;
    }
    /// tshark's counts in a hub's capture: all its packets, the tunnel's (`filter`) and its ESP.
    static std::array<qsizetype, 3> tunnelCounts(const QString &hub, const QString &filter)
    {
        return {countPackets(hub, QStringLiteral("frame")), countPackets(hub, filter),
                countPackets(hub, QStringLiteral("esp && ") + filter)};
    }
    /// tshark's count of the packets of `file` matching the display filter.
    static qsizetype countPackets(const QString &file, const QString &filter)
    {
        QProcess t;
        t.start(QStringLiteral("tshark"), {QStringLiteral("-r"), file, QStringLiteral("-Y"), filter});
        t.waitForFinished(60000);
        return t.readAllStandardOutput().count('\n');
    }
    static void writeNotACapture(const QString &path)
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a capture\n");
    }
};

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
