// Takes a screenshot of every page of the workbench for docs/screenshots (run by
// scripts/screenshots.sh under Xvfb). Not a test: it drives the real window like a user would
// and saves what a user would see. With `--pair A B` it saves the Comparison page of the two
// endpoint captures A and B instead (PREFIX-compare.png); with `--start` the start page that
// shows while nothing is open (PREFIX.png, its recent list as earlier runs left it). Capture
// pages are saved once the checklist's diagnosis is in, so the Overview shows its findings.
// `--forget-recent` empties the recent captures and pairs first. `--dark` uses a dark Fusion palette
// (to check legibility in a dark desktop theme); `--evidence PATH` imports host evidence (a file
// or folder) into the capture before the pages are saved; `--size WxH` or `--size screen` sets the
// window's size (default 1500x950, bounded by the screen).
#include "compare/endpointcompare.h"
#include "mainwindow.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "pages/comparepage.h"
#include "pages/evidencepage.h"
#include "pages/mtupage.h"
#include "pages/packetspage.h"
#include "settings/workbenchsettings.h"
#include "theme/theme.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QPainter>
#include <QPalette>
#include <QScreen>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace {
quint64 packetToShow(const ikev2wb::CaptureIndex &index, const ikev2wb::CaptureAnalysis &analysis)
{
    const ikev2wb::EspSaSequence *worst = nullptr;
    for (const auto &s : analysis.esp.sas)
        if (!s.missingRanges.empty() && (!worst || s.missing > worst->missing)) worst = &s;
    if (worst) {
        const ikev2wb::EspSa &sa = index.espSas[worst->saIndex];
        const std::uint64_t after = worst->missingRanges.front().last + 1;
        for (std::size_t i = 0; i < index.packetCount(); ++i) {
            const ikev2wb::PacketRecord &r = index.packets[i];
            if (r.isEsp() && r.spi() == sa.spi && r.flowId == sa.flowId && r.seq() == after) return i;
        }
    }
    return index.ikeMessages.empty() ? 0 : index.ikeMessages.front().packet;
}

/// The packet of a pair's capture `side` to show: in A its first packet lost in transit, in B the
/// copy of the first packet A delivered after that one (~0 when there is none).
quint64 pairPacket(const ikev2wb::CompareResult &r, int side)
{
    using ikev2wb::PacketFate;
    const auto &a = r.pairing.side[0];
    const auto lost =
        std::find_if(a.begin(), a.end(), [](const auto &p) { return p.fate == PacketFate::LostInTransit; });
    if (lost == a.end()) return ~0ULL;
    if (side == 0) return lost->packet;
    const auto next =
        std::find_if(lost, a.end(), [](const auto &p) { return p.fate == PacketFate::Delivered; });
    return next == a.end() ? ~0ULL : next->other;
}
} // namespace

using namespace ikev2wb::ui;

/// Saves the window as it will be painted: a grab from a timer slot renders the geometry of now,
/// so the layouts still waiting for their LayoutRequest (a loaded machine: a fix widget just
/// added to the Checklist, its wrapped labels) are done first, as the event loop does before a paint.
static void shoot(QWidget &w, const QString &name)
{
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    w.grab().save(name);
}

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("ikev2-workbench-screenshots"));
    qRegisterMetaType<IndexPtr>("ikev2wb::ui::IndexPtr");
    QStringList args = app.arguments().mid(1);
    const bool dark = args.removeAll(QStringLiteral("--dark")) > 0;
    QString evidence;
    if (const auto e = args.indexOf(QStringLiteral("--evidence")); e >= 0 && e + 1 < args.size()) {
        evidence = args.at(e + 1);
        args.remove(e, 2);
    }
    if (dark) applyTheme(ThemeChoice::Dark); // the Preferences' Dark theme
    const bool start = args.removeAll(QStringLiteral("--start")) > 0;
    // --tunnel-dialog: Capture ▸ Read One Tunnel… over CAPTURE, shot with its dialog open.
    const bool tunnelDialog = args.removeAll(QStringLiteral("--tunnel-dialog")) > 0;
    // --peer-tunnel-dialog A B: the pair of A and a hub's capture B none of whose tunnels is
    // proven A's, shot with the dialog that asks which one open.
    const bool peerTunnelDialog = args.removeAll(QStringLiteral("--peer-tunnel-dialog")) > 0;
    if (args.removeAll(QStringLiteral("--forget-recent")) > 0) {
        // The start page shot lists what this run opened, not what earlier runs left behind.
        WorkbenchSettings settings;
        settings.setRecentFiles({});
        settings.setRecentPairs({});
    }
    if (args.size() < (start ? 2 : 3)) {
        std::fprintf(
            stderr,
            "usage: ikev2wb-screenshots OUTDIR PREFIX [--dark] [--size WxH|screen] [--evidence "
            "PATH] CAPTURE...\n"
            "       ikev2wb-screenshots OUTDIR PREFIX [--dark] [--size WxH|screen] [--ike-sa N] --pair A B\n"
            "       ikev2wb-screenshots OUTDIR PREFIX [--dark] [--size WxH|screen] --start [CAPTURE]\n");
        return 2;
    }
    const QString outDir = args.takeFirst();
    const QString prefix = args.takeFirst();
    QDir().mkpath(outDir);
    // --size WxH: the window's size in logical pixels; --size screen: the whole screen (a 2560x1440
    // monitor). Without it 1500x950, or the whole screen when it is smaller (a 1366x768 laptop).
    QString sizeArg;
    if (const auto e = args.indexOf(QStringLiteral("--size")); e >= 0 && e + 1 < args.size()) {
        sizeArg = args.at(e + 1);
        args.remove(e, 2);
    }
    // --ike-sa N: the IKE ladder shows the picker's entry N (e.g. an IKE SA only capture B holds).
    int ikeSa = -1;
    if (const auto e = args.indexOf(QStringLiteral("--ike-sa")); e >= 0 && e + 1 < args.size()) {
        bool ok = false;
        ikeSa = args.at(e + 1).toInt(&ok);
        if (!ok || ikeSa < 0) {
            std::fprintf(stderr, "--ike-sa wants the picker's entry number (0, 1, ...), not '%s'\n",
                         qPrintable(args.at(e + 1)));
            return 2;
        }
        args.remove(e, 2);
    }
    MainWindow w;
    const QSize screen = w.screen()->availableGeometry().size();
    QSize size = QSize(1500, 950).boundedTo(screen);
    if (sizeArg == QLatin1String("screen")) {
        size = screen;
    } else if (!sizeArg.isEmpty()) {
        const QStringList wh = sizeArg.split(QLatin1Char('x'));
        const int width = wh.value(0).toInt();
        const int height = wh.size() == 2 ? wh.at(1).toInt() : 0;
        if (width < 200 || height < 200 || width > 10000 || height > 10000) {
            std::fprintf(stderr, "--size wants WxH (200-10000 each) or 'screen', not '%s'\n",
                         qPrintable(sizeArg));
            return 2;
        }
        size = QSize(width, height);
    }
    w.resize(size);
    w.show();
    auto *tabs = w.findChild<QTabWidget *>();
    int step = 0;
    QTimer timer;
    timer.setInterval(400);

    if (start) {
        // --start CAPTURE: the start page while CAPTURE is open alone (it offers to add its peer).
        if (!args.isEmpty()) w.openFiles(args);
        QObject::connect(&timer, &QTimer::timeout, &app, [&]() {
            if (!args.isEmpty() && step == 0) {
                auto *page = qobject_cast<CapturePage *>(tabs->currentWidget());
                if (!page || !page->analysis()) return; // still loading
                w.showStartPage();
            }
            if (++step < 3) return; // let the window lay out and paint
            const QString name = QStringLiteral("%1/%2.png").arg(outDir, prefix);
            shoot(w, name);
            std::printf("%s (Start page)\n", qPrintable(name));
            app.quit();
        });
        timer.start();
        return app.exec();
    }

    if (tunnelDialog || peerTunnelDialog) {
        if (peerTunnelDialog && args.size() == 2)
            w.openPair(args.at(0), args.at(1));
        else
            w.openFiles(args);
        QObject::connect(&timer, &QTimer::timeout, &app, [&]() {
            auto *page = qobject_cast<CapturePage *>(tabs->currentWidget());
            if (!page || !page->analysis()) return; // still loading
            auto *dialog = w.findChild<QDialog *>(peerTunnelDialog ? QStringLiteral("peerTunnelDialog")
                                                                   : QStringLiteral("readOneTunnelDialog"));
            if (!dialog) {
                if (!peerTunnelDialog)
                    w.findChild<QAction *>(QStringLiteral("readOneTunnelAction"))->trigger();
                return;
            }
            if (++step < 3) return; // let the dialog lay out and paint
            const QString name = QStringLiteral("%1/%2-tunnel-dialog.png").arg(outDir, prefix);
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
            QPixmap shot = w.grab();
            QPainter painter(&shot);
            painter.drawPixmap(dialog->mapToGlobal(QPoint(0, 0)) - w.mapToGlobal(QPoint(0, 0)),
                               dialog->grab());
            painter.end();
            shot.save(name);
            std::printf("%s (Read One Tunnel)\n", qPrintable(name));
            app.quit();
        });
        timer.start();
        return app.exec();
    }

    // --pair A B: the pair's tab, every page of it (PREFIX-pair-N.png; Packets of capture B as
    // PREFIX-pair-1-b.png, MTU of capture B as PREFIX-pair-4-b.png), the Comparison as PREFIX-compare.png.
    const bool pair = args.first() == QLatin1String("--pair");
    if (pair) {
        if (args.size() != 3) {
            std::fprintf(stderr, "--pair needs exactly two captures\n");
            return 2;
        }
        w.openPair(args.at(1), args.at(2));
    } else {
        w.openFiles(args);
    }
    bool imported = false;
    // A pair's Packets and MTU tabs are shot for A, then for B (PREFIX-pair-1-b.png, PREFIX-pair-4-b.png).
    int tabOfB = -1;
    QObject::connect(&timer, &QTimer::timeout, &app, [&]() {
        auto *page = qobject_cast<CapturePage *>(tabs->currentWidget());
        if (!page || !page->analysis()) return;                                          // still loading
        if (!page->checklist()->diagnosis() || page->checklist()->isBusy()) return;      // still diagnosing
        if (page->checklist()->isVisible() && page->checklist()->fixesPending()) return; // one fix a turn
        if (pair && (!page->comparePage() || !page->comparePage()->isChartReady() || !page->peerAnalysis() ||
                     page->checklist()->diagnosis()->inputs.size() < 2))
            return; // the peer's capture and the pair's diagnosis are still on their way
        if (!evidence.isEmpty()) {
            if (!page->evidence()) {
                if (!imported) page->addEvidencePaths({evidence});
                imported = true;
                return;
            }
            if (page->evidencePage()->isBusy() || page->checklist()->isBusy()) return;
        }
        if (tabOfB >= 0) {
            const QString name = QStringLiteral("%1/%2-pair-%3-b.png").arg(outDir, prefix).arg(tabOfB);
            shoot(w, name);
            std::printf("%s (%s, capture B)\n", qPrintable(name), qPrintable(page->tabs()->tabText(tabOfB)));
            if (tabOfB == CapturePage::PacketsTab)
                page->setPacketsSide(0);
            else
                page->mtu()->setSide(0);
            tabOfB = -1;
            page->tabs()->setCurrentIndex(step);
            ++step;
            return;
        }
        if (step > 0) {
            const int tab = step - 1;
            const QString name = !pair ? QStringLiteral("%1/%2-%3.png").arg(outDir, prefix).arg(tab)
                                 : tab == CapturePage::ComparisonTab
                                     ? QStringLiteral("%1/%2-compare.png").arg(outDir, prefix)
                                     : QStringLiteral("%1/%2-pair-%3.png").arg(outDir, prefix).arg(tab);
            shoot(w, name);
            std::printf("%s (%s)\n", qPrintable(name), qPrintable(page->tabs()->tabText(tab)));
            if (pair && tab == CapturePage::PacketsTab && page->packetsPage(1)) {
                // B's packets with the copy of the packet after A's first loss selected.
                page->setPacketsSide(1);
                page->packetsPage(1)->selectPacket(pairPacket(*page->comparison(), 1));
                tabOfB = tab;
                return;
            }
            if (pair && tab == CapturePage::MtuTab) {
                page->mtu()->setSide(1); // B's sizes, from B's own analysis
                tabOfB = tab;
                return;
            }
        }
        if (step >= page->tabs()->count()) {
            app.quit();
            return;
        }
        if (step == CapturePage::LadderTab && ikeSa >= 0) {
            if (ikeSa >= page->ikePicker()->count()) {
                std::fprintf(stderr, "--ike-sa %d: the IKE ladder lists %d IKE SAs\n", ikeSa,
                             int(page->ikePicker()->count()));
                app.exit(2);
                return;
            }
            page->ikePicker()->setCurrentIndex(ikeSa);
        }
        if (step == CapturePage::PacketsTab) {
            // Show the details pane filled: the first packet after the first sequence gap of the
            // SA with the most missing numbers, else the first IKE message.
            const quint64 lost = pair ? pairPacket(*page->comparison(), 0) : ~0ULL;
            page->selectPacket(lost != ~0ULL ? lost : packetToShow(*page->index(), *page->analysis()));
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
