// The start page (offscreen): it lists the bundled lab samples with the fault each shows, opens
// a sample and a pair of endpoint captures from there, remembers pairs as pairs, and a drop of
// two captures offers to compare them. Expected values: the sample files present in
// resources/samples and the lab's truth.json next to their link targets (tests/data/lab).
#include "mainwindow.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "pages/comparepage.h"
#include "pages/startpage.h"
#include "pairtab.h"
#include "settings/workbenchsettings.h"

#include <QAction>
#include <QDir>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTest>
#include <QUrl>

using namespace ikev2wb::ui;

namespace {

QAction *action(StartPage *page, const QString &name)
{
    for (QAction *a : page->sampleActions())
        if (a->objectName() == name) return a;
    return nullptr;
}

QString sample(const QString &file)
{
    return QDir(QStringLiteral(IKEV2WB_SAMPLES)).absoluteFilePath(file);
}

} // namespace

class TstStartPage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2-workbench-tests-startpage"));
        qRegisterMetaType<IndexPtr>("ikev2wb::ui::IndexPtr");
        qputenv("IKEV2WB_SAMPLES_DIR", QByteArray(IKEV2WB_SAMPLES));
    }
    void init()
    {
        WorkbenchSettings settings;
        settings.setRecentFiles({});
        settings.setRecentPairs({});
    }

    void listsSamples()
    {
        QCOMPARE(QDir(findSampleDirectory()).canonicalPath(),
                 QDir(QStringLiteral(IKEV2WB_SAMPLES)).canonicalPath());
        const QStringList files =
            QDir(QStringLiteral(IKEV2WB_SAMPLES)).entryList({QStringLiteral("*.pcap")}, QDir::Files);
        QVERIFY(files.size() >= 2);
        const QList<SampleScenario> scenarios = sampleScenarios(QStringLiteral(IKEV2WB_SAMPLES));
        int captures = 0;
        for (const SampleScenario &s : scenarios) {
            QVERIFY2(!s.title.isEmpty() && !s.description.isEmpty(), qPrintable(s.name));
            for (const QString &path : {s.left, s.right}) {
                if (path.isEmpty()) continue;
                ++captures;
                QVERIFY(files.contains(QFileInfo(path).fileName()));
                QVERIFY(QFileInfo(path).fileName().startsWith(s.name + QLatin1Char('-')));
            }
            // The card's details are the lab's own summary of the scenario.
            QFile truth(QFileInfo(QFileInfo(s.right.isEmpty() ? s.left : s.right).canonicalFilePath())
                            .absoluteDir()
                            .filePath(QStringLiteral("truth.json")));
            QVERIFY(truth.open(QIODevice::ReadOnly));
            QCOMPARE(s.details, QJsonDocument::fromJson(truth.readAll())
                                    .object()
                                    .value(QStringLiteral("summary"))
                                    .toString());
        }
        QCOMPARE(captures, files.size());
        // Both ends bundled: a pair entry. One end only (reorder-antireplay): none.
        MainWindow w;
        StartPage *page = w.startPage();
        for (const SampleScenario &s : scenarios)
            QCOMPARE(action(page, QStringLiteral("pair:") + s.name) != nullptr,
                     !s.left.isEmpty() && !s.right.isEmpty());
        QVERIFY(action(page, QStringLiteral("pair:mtu-blackhole")));
    }

    void opensSampleFromStartPage()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        auto *stack = w.findChild<QStackedWidget *>();
        QVERIFY(stack);
        QCOMPARE(stack->currentWidget(), w.startPage()); // nothing open: the start page
        QAction *open = action(w.startPage(), QStringLiteral("sample:mtu-blackhole-right-outer.pcap"));
        QVERIFY(open);
        open->trigger();
        auto *tabs = w.findChild<QTabWidget *>();
        CapturePage *page = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((page = qobject_cast<CapturePage *>(tabs->currentWidget())) != nullptr,
                                 30000);
        QCOMPARE(stack->currentWidget(), tabs);
        QVERIFY(page->isVisible());
        QCOMPARE(QFileInfo(page->index()->file.path).fileName(),
                 QStringLiteral("mtu-blackhole-right-outer.pcap"));
        QTRY_VERIFY_WITH_TIMEOUT(page->analysis() != nullptr, 30000);

        // Back to the start page: the capture is among the recent ones and reopens from there.
        w.findChild<QAction *>(QStringLiteral("startPageAction"))->trigger();
        QCOMPARE(stack->currentWidget(), w.startPage());
        QListWidget *recent = w.startPage()->recentList();
        QVERIFY(recent->count() >= 1);
        QVERIFY(recent->item(0)->text().contains(QStringLiteral("mtu-blackhole-right-outer.pcap")));
        auto *back = w.startPage()->findChild<QPushButton *>(QStringLiteral("startBack"));
        QVERIFY(back && back->isVisible());
        back->click();
        QCOMPARE(stack->currentWidget(), tabs);
        // Closing the last tab shows the start page again.
        Q_EMIT tabs->tabCloseRequested(0);
        QCOMPARE(tabs->count(), 0);
        QCOMPARE(stack->currentWidget(), w.startPage());
    }

    void opensPairFromStartPageAndRemembersIt()
    {
        {
            MainWindow w;
            w.resize(1400, 900);
            w.show();
            QAction *pair = action(w.startPage(), QStringLiteral("pair:mtu-blackhole"));
            QVERIFY(pair);
            pair->trigger();
            auto *tabs = w.findChild<QTabWidget *>();
            QTRY_VERIFY_WITH_TIMEOUT(shownComparePage(tabs) != nullptr, 60000);
        }
        const QList<QStringList> pairs = WorkbenchSettings().recentPairs();
        QCOMPARE(pairs.size(), 1);
        QCOMPARE(pairs.first(), (QStringList{sample(QStringLiteral("mtu-blackhole-left-outer.pcap")),
                                             sample(QStringLiteral("mtu-blackhole-right-outer.pcap"))}));
        // A new window offers the pair again, and it reopens as a comparison.
        MainWindow w;
        w.show();
        QListWidget *recent = w.startPage()->recentList();
        QVERIFY(recent->item(0)->text().contains(QStringLiteral("⇄")));
        QAction *menuEntry = nullptr;
        for (QAction *a : w.menuBar()->findChildren<QAction *>())
            if (a->text().contains(QStringLiteral("⇄"))) menuEntry = a;
        QVERIFY2(menuEntry, "Open Recent lists the pair");
        Q_EMIT recent->itemActivated(recent->item(0));
        auto *tabs = w.findChild<QTabWidget *>();
        QTRY_VERIFY_WITH_TIMEOUT(shownComparePage(tabs) != nullptr, 60000);
    }

    // The Start page adds a peer's capture to the tab in front that holds one end alone: the
    // capture of the other end (a recent one selected and the button, the recent entry's context
    // menu, or the file dialog) joins that tab (no second tab), which then holds both files
    // (A = the tab's, B = the one picked), their comparison and the diagnosis of both.
    void addsPeerToOpenTabFromStartPage_data()
    {
        QTest::addColumn<QString>("route");
        QTest::newRow("recent, button") << QStringLiteral("button");
        QTest::newRow("recent, context menu") << QStringLiteral("menu");
        QTest::newRow("file dialog") << QStringLiteral("dialog");
    }
    void addsPeerToOpenTabFromStartPage()
    {
        QFETCH(QString, route);
        const QString left = sample(QStringLiteral("mtu-blackhole-left-outer.pcap"));
        const QString right = sample(QStringLiteral("mtu-blackhole-right-outer.pcap"));
        WorkbenchSettings().setRecentFiles({right}); // opened in an earlier session
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        auto *stack = w.findChild<QStackedWidget *>();
        auto *tabs = w.findChild<QTabWidget *>();
        auto *bar = w.startPage()->findChild<QWidget *>(QStringLiteral("startPeerBar"));
        QVERIFY(bar);
        QVERIFY(!bar->isVisible()); // nothing open: nothing to add a peer to
        action(w.startPage(), QStringLiteral("sample:mtu-blackhole-left-outer.pcap"))->trigger();
        CapturePage *page = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((page = qobject_cast<CapturePage *>(tabs->currentWidget())) &&
                                     page->analysis() != nullptr,
                                 30000);
        QCOMPARE(page->index()->file.path, left);

        // Back on the Start page: the offer names the open tab; Recent holds both captures.
        w.findChild<QAction *>(QStringLiteral("startPageAction"))->trigger();
        QCOMPARE(stack->currentWidget(), w.startPage());
        QVERIFY(bar->isVisible());
        QCOMPARE(w.startPage()->peerTargetName(), tabs->tabText(tabs->indexOf(page)));
        auto *text = bar->findChild<QLabel *>(QStringLiteral("startPeerText"));
        QVERIFY(text && text->text().contains(QStringLiteral("mtu-blackhole-left-outer.pcap")));
        auto *fromRecent = bar->findChild<QPushButton *>(QStringLiteral("startPeerFromRecent"));
        QVERIFY(fromRecent && bar->findChild<QPushButton *>(QStringLiteral("startPeerChoose")));
        QListWidget *recent = w.startPage()->recentList();
        QListWidgetItem *rightItem = nullptr, *leftItem = nullptr;
        for (int i = 0; i < recent->count(); ++i) {
            if (recent->item(i)->text().startsWith(QStringLiteral("mtu-blackhole-right-outer.pcap")))
                rightItem = recent->item(i);
            if (recent->item(i)->text().startsWith(QStringLiteral("mtu-blackhole-left-outer.pcap")))
                leftItem = recent->item(i);
        }
        QVERIFY(rightItem && leftItem);
        // The tab's own capture cannot be its peer.
        recent->setCurrentItem(leftItem);
        QVERIFY(!fromRecent->isEnabled());
        recent->setCurrentItem(rightItem);
        QVERIFY(fromRecent->isEnabled());
        if (route == QLatin1String("button")) {
            fromRecent->click();
        } else if (route == QLatin1String("menu")) {
            Q_EMIT recent->customContextMenuRequested(recent->visualItemRect(rightItem).center());
            QMenu *menu = nullptr;
            QTRY_VERIFY((menu = recent->findChild<QMenu *>()) != nullptr);
            auto *add = menu->findChild<QAction *>(QStringLiteral("recentAddAsPeer"));
            QVERIFY(add);
            QVERIFY(add->text().contains(QStringLiteral("mtu-blackhole-left-outer.pcap")));
            add->trigger();
            menu->close();
        } else {
            bar->findChild<QPushButton *>(QStringLiteral("startPeerChoose"))->click();
            QFileDialog *dialog = nullptr;
            QTRY_VERIFY((dialog = w.findChild<QFileDialog *>(QStringLiteral("fileDialog"))) != nullptr);
            QVERIFY(dialog->windowTitle().contains(QStringLiteral("other endpoint")));
            QCOMPARE(dialog->fileMode(), QFileDialog::ExistingFile);
            Q_EMIT dialog->filesSelected({right}); // as accepting the dialog with the file chosen does
            dialog->close();
        }
        QCOMPARE(stack->currentWidget(), tabs); // back to the tab that gets its peer

        // The same tab is now the pair: both files, their comparison, the diagnosis of both ends.
        QTRY_VERIFY_WITH_TIMEOUT(page->comparison() && page->peerIndex(), 60000);
        QCOMPARE(tabs->count(), 1);
        QCOMPARE(tabs->currentWidget(), page);
        QCOMPARE(page->index()->file.path, left);
        QCOMPARE(page->peerPath(), right);
        QCOMPARE(page->peerIndex()->file.path, right);
        QVERIFY(tabs->tabText(0).contains(QStringLiteral("mtu-blackhole-left-outer.pcap ⇄ "
                                                         "mtu-blackhole-right-outer.pcap")));
        QTRY_VERIFY_WITH_TIMEOUT(page->checklist()->diagnosis() && !page->checklist()->isBusy() &&
                                     page->checklist()->diagnosis()->inputs.size() == 2,
                                 60000);
        // A pair has its peer: the Start page no longer offers to add one.
        w.showStartPage();
        QVERIFY(!bar->isVisible());
        QVERIFY(w.startPage()->peerTargetName().isEmpty());
        // Remembered as a pair.
        QCOMPARE(WorkbenchSettings().recentPairs().value(0), (QStringList{left, right}));
    }

    void dropOfTwoOffersPair()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(sample(QStringLiteral("natt-expiry-left-outer.pcap"))),
                       QUrl::fromLocalFile(sample(QStringLiteral("natt-expiry-right-outer.pcap")))});
        QDropEvent drop(QPointF(100, 100), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        // QApplication::notify() drops a Drop event without a drag in progress: deliver it as the
        // drag manager would, straight to the window's event().
        static_cast<QObject &>(w).event(&drop);
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = w.findChild<QMessageBox *>(QStringLiteral("dropPairBox"))) != nullptr,
                                 5000);
        auto *compare = box->findChild<QPushButton *>(QStringLiteral("dropCompare"));
        QVERIFY(compare && box->findChild<QPushButton *>(QStringLiteral("dropSeparate")));
        compare->click();
        auto *tabs = w.findChild<QTabWidget *>();
        QTRY_VERIFY_WITH_TIMEOUT(shownComparePage(tabs) != nullptr, 60000);
        QCOMPARE(tabs->count(), 1);
        delete mime;
    }
};

QTEST_MAIN(TstStartPage)
#include "tst_startpage.moc"
