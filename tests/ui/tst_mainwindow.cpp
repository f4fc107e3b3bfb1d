// Smoke test of the main window (offscreen): loads the bundled samples in the background,
// shows one page per capture, and reports a bad file without blocking.
#include "mainwindow.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"

#include <QAction>
#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QProcess>
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
