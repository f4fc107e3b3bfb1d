// Takes a screenshot of every page of the workbench for docs/screenshots (run by
// scripts/screenshots.sh under Xvfb). Not a test: it drives the real window like a user would
// and saves what a user would see. With `--pair A B` it saves the Comparison page of the two
// endpoint captures A and B instead (PREFIX-compare.png).
#include "mainwindow.h"
#include "pages/capturepage.h"
#include "pages/comparepage.h"

#include <QApplication>
#include <QDir>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>

using namespace ikev2wb::ui;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("ikev2-workbench-screenshots"));
    qRegisterMetaType<IndexPtr>("ikev2wb::ui::IndexPtr");
    QStringList args = app.arguments().mid(1);
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: ikev2wb-screenshots OUTDIR PREFIX CAPTURE [CAPTURE...]\n"
                             "       ikev2wb-screenshots OUTDIR PREFIX --pair A B\n");
        return 2;
    }
    const QString outDir = args.takeFirst();
    const QString prefix = args.takeFirst();
    QDir().mkpath(outDir);
    MainWindow w;
    w.resize(1500, 950);
    w.show();
    auto *tabs = w.findChild<QTabWidget *>();
    int step = 0;
    QTimer timer;
    timer.setInterval(400);

    if (args.first() == QLatin1String("--pair")) {
        if (args.size() != 3) {
            std::fprintf(stderr, "--pair needs exactly two captures\n");
            return 2;
        }
        w.openPair(args.at(1), args.at(2));
        QObject::connect(&timer, &QTimer::timeout, &app, [&]() {
            auto *page = qobject_cast<ComparePage *>(tabs->currentWidget());
            if (!page || !page->isChartReady()) return; // still comparing
            if (++step < 2) return;                     // one more tick so the chart has painted
            const QString name = QStringLiteral("%1/%2-compare.png").arg(outDir, prefix);
            w.grab().save(name);
            std::printf("%s (Comparison)\n", qPrintable(name));
            app.quit();
        });
        timer.start();
        QTimer::singleShot(120000, &app, [&]() {
            std::fprintf(stderr, "timed out waiting for the comparison\n");
            app.exit(1);
        });
        return app.exec();
    }

    w.openFiles(args);
    QObject::connect(&timer, &QTimer::timeout, &app, [&]() {
        auto *page = qobject_cast<CapturePage *>(tabs->currentWidget());
        if (!page || !page->analysis()) return; // still loading
        if (step > 0) {
            const int tab = step - 1;
            const QString name = QStringLiteral("%1/%2-%3.png").arg(outDir, prefix).arg(tab);
            w.grab().save(name);
            std::printf("%s (%s)\n", qPrintable(name), qPrintable(page->tabs()->tabText(tab)));
        }
        if (step >= page->tabs()->count()) {
            app.quit();
            return;
        }
        page->tabs()->setCurrentIndex(step);
        ++step;
    });
    timer.start();
    QTimer::singleShot(120000, &app, [&]() {
        std::fprintf(stderr, "timed out waiting for the analysis\n");
        app.exit(1);
    });
    return app.exec();
}
