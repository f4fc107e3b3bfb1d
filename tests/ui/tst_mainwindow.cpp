// Smoke test of the main window (offscreen): loads the bundled samples in the background,
// shows one page per capture, and reports a bad file without blocking.
#include "mainwindow.h"
#include "pages/capturepage.h"

#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

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
    void badFileDoesNotBlock()
    {
        QTemporaryDir dir;
        const QString bogus = dir.filePath(QStringLiteral("notes.pcap"));
        QFile f(bogus);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a capture\n");
        f.close();
        MainWindow w;
        w.show();
        w.openFiles({bogus});
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (box = w.findChild<QMessageBox *>(QStringLiteral("loadErrorBox"))) != nullptr, 10000);
        QVERIFY(box->text().contains(bogus));
        QVERIFY(box->text().contains(QStringLiteral("not a pcap or pcapng capture")));
        box->close();
    }
};

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
