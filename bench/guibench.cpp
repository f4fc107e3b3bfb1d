// Opens captures in the real MainWindow and measures what the GUI issue asks for:
//   stalls    a 10 ms QTimer on the GUI thread records the gap between consecutive timeouts;
//             max gap and gaps > 100 ms from openFiles() until the analysis is delivered
//             ("until analysis"), and until the Overview shows the checklist's diagnosis plus
//             500 ms for the timeline worker and the paints ("load"); separately while each
//             inner tab is shown and painted for the first time
//   overview  openFiles() -> the CapturePage tab exists; -> analysis delivered; -> diagnosis
//             shown on the Overview; -> timeline extracted (drawn when its tab is first shown)
//   timeline  SequenceChart::setVisibleRange with varying ranges, each followed by a synchronous
//             repaint of the chart views (fine in a benchmark, not in product code)
//   table     scrollTo + repaint at 100 positions across all rows
//   sort      PacketsPage::sortBy(Length, descending) until the sorted rows are on screen
//             (orderApplied + a repaint), and the max GUI-thread gap meanwhile
//   filter    an SPI typed into the filter box, one key per 40 ms, until the matching rows are
//             on screen (from the last key), max gap meanwhile; then the filter cleared again
//   RSS       peak resident set size (VmHWM)
//   turns     every top-level event delivery (one event-loop turn's unit of work) over 30 ms
//             (--turns MS)
//             during the load, with its receiver and event type: what to fix when "load" stalls
// usage: xvfb-run -a -s '-screen 0 1600x1000x24' ikev2wb-guibench [--frames N] [--no-sort] [--turns MS]
// FILE... Waiting uses a local QEventLoop: acceptable in a measurement tool, never in product code.
#include "charts/sequencechart.h"
#include "mainwindow.h"
#include "models/packettablemodel.h"
#include "pages/capturepage.h"
#include "pages/overviewpage.h"
#include "pages/packetspage.h"
#include "widgets/windowedtableview.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QChartView>
#include <QElapsedTimer>
#include <QEvent>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QLineEdit>
#include <QTabWidget>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <sys/resource.h>

using namespace ikev2wb::ui;

namespace {

/// Times every top-level event delivery (depth 0: straight from the event loop) while recording.
class TurnApplication final : public QApplication
{
public:
    using QApplication::QApplication;
    struct Turn
    {
        double startMs = 0, ms = 0, cpuMs = 0; // wall time, and the GUI thread's CPU time
        long waits = 0, preempted = 0;         // voluntary and involuntary context switches
        QString receiver;
        int type = 0;
    };
    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!m_recording || m_depth > 0) {
            ++m_depth;
            const bool r = QApplication::notify(receiver, event);
            --m_depth;
            return r;
        }
        // The receiver may be deleted by its event (DeferredDelete): name it first.
        const int type = int(event->type());
        QString name = QString::fromLatin1(receiver->metaObject()->className());
        if (!receiver->objectName().isEmpty()) name += QLatin1Char('/') + receiver->objectName();
        QElapsedTimer t;
        t.start();
        const double cpu0 = threadCpuMs();
        rusage ru0{};
        getrusage(RUSAGE_THREAD, &ru0);
        ++m_depth;
        const bool r = QApplication::notify(receiver, event);
        --m_depth;
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (ms >= m_thresholdMs) {
            rusage ru1{};
            getrusage(RUSAGE_THREAD, &ru1);
            m_turns.push_back({double(m_clock->nsecsElapsed()) / 1e6 - ms, ms, threadCpuMs() - cpu0,
                               ru1.ru_nvcsw - ru0.ru_nvcsw, ru1.ru_nivcsw - ru0.ru_nivcsw, name, type});
        }
        return r;
    }
    void record(const QElapsedTimer *clock, double thresholdMs)
    {
        m_clock = clock;
        m_thresholdMs = thresholdMs;
        m_turns.clear();
        m_recording = true;
    }
    std::vector<Turn> stop()
    {
        m_recording = false;
        return std::move(m_turns);
    }

    static double threadCpuMs()
    {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
    }

private:
    const QElapsedTimer *m_clock = nullptr;
    double m_thresholdMs = 30;
    bool m_recording = false;
    int m_depth = 0;
    std::vector<Turn> m_turns;
};

/// Records the gaps between the timeouts of a 10 ms timer on the GUI thread.
class StallMonitor final : public QObject
{
public:
    explicit StallMonitor(const QElapsedTimer &clock) : m_clock(clock)
    {
        m_timer.setInterval(10);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this]() { tick(); });
        m_timer.start();
        reset();
    }
    void reset()
    {
        m_last = m_clock.nsecsElapsed();
        m_max = 0;
        m_over100 = 0;
        m_stalls.clear();
    }
    void tick()
    {
        const qint64 now = m_clock.nsecsElapsed();
        const double gapMs = double(now - m_last) / 1e6;
        m_last = now;
        m_max = std::max(m_max, gapMs);
        if (gapMs > 100) {
            ++m_over100;
            m_stalls.push_back({double(now) / 1e6, gapMs});
        }
    }
    [[nodiscard]] double maxGapMs() const { return m_max; }
    [[nodiscard]] int over100() const { return m_over100; }
    /// {end of the gap in ms on the clock, gap in ms}
    [[nodiscard]] const std::vector<std::pair<double, double>> &stalls() const { return m_stalls; }

private:
    const QElapsedTimer &m_clock;
    QTimer m_timer;
    qint64 m_last = 0;
    double m_max = 0;
    int m_over100 = 0;
    std::vector<std::pair<double, double>> m_stalls;
};

bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(2);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&]() {
        if (done() || t.elapsed() > timeoutMs) loop.quit();
    });
    poll.start();
    if (!done()) loop.exec();
    return done();
}

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

double peakRssMiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) return -1;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &l : lines)
        if (l.startsWith("VmHWM:")) return l.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return -1;
}

void log(const QString &s)
{
    std::fprintf(stderr, "%s\n", qPrintable(s));
}

struct Row
{
    QString file;
    qint64 packets = 0;
    double overviewS = 0, analysisS = 0, settledS = 0, timelineS = 0;
    double analysisMaxGap = 0, loadMaxGap = 0;
    int loadOver100 = 0;
    double tabsMaxGap = 0;
    int tabsOver100 = 0;
    QString worstTab;
    double fps = 0, msPerFrame = 0, worstFrameMs = 0;
    double scrollMs = 0, scrollWorstMs = 0, sortMs = -1, sortGapMs = -1;
    double filterMs = -1, filterGapMs = -1, clearMs = -1, clearGapMs = -1;
    int filterRows = -1;
    double rssMiB = 0;
};

Row measure(const QString &path, int frames, bool sort, double turnThresholdMs)
{
    Row r;
    r.file = QFileInfo(path).fileName();
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    waitUntil([&]() { return w.isVisible(); }, 2000);
    spin(200);
    auto *tabs = w.findChild<QTabWidget *>();
    QElapsedTimer clock;
    clock.start();
    StallMonitor mon(clock);
    CapturePage *page = nullptr;
    double loadedAtMs = -1, analysedAtMs = -1;
    if (auto *loader = w.findChild<CaptureLoader *>()) {
        // Connected after MainWindow's own slots, so these run when they have finished.
        QObject::connect(loader, &CaptureLoader::loaded, &w,
                         [&]() { loadedAtMs = double(clock.nsecsElapsed()) / 1e6; });
        QObject::connect(loader, &CaptureLoader::analysed, &w,
                         [&]() { analysedAtMs = double(clock.nsecsElapsed()) / 1e6; });
    }
    const qint64 t0 = clock.nsecsElapsed();
    auto *app = static_cast<TurnApplication *>(QCoreApplication::instance());
    mon.reset();
    app->record(&clock, turnThresholdMs);
    w.openFiles({path});
    const bool opened = waitUntil(
        [&]() {
            for (int i = 0; tabs && i < tabs->count(); ++i)
                if ((page = qobject_cast<CapturePage *>(tabs->widget(i)))) return true;
            return false;
        },
        3'600'000);
    if (!opened) {
        log(QStringLiteral("no capture page for %1").arg(path));
        return r;
    }
    r.overviewS = double(clock.nsecsElapsed() - t0) / 1e9;
    waitUntil([&]() { return page->analysis() != nullptr; }, 3'600'000);
    r.analysisS = double(clock.nsecsElapsed() - t0) / 1e9;
    r.analysisMaxGap = mon.maxGapMs();
    // The load goes on after the analysis: the diagnosis replaces the Overview's findings, the
    // timeline arrives from its worker, and all of it gets painted.
    waitUntil([&]() { return page->overview()->findingsFromDiagnosis(); }, 3'600'000);
    r.settledS = double(clock.nsecsElapsed() - t0) / 1e9;
    spin(500);
    r.loadMaxGap = mon.maxGapMs();
    r.loadOver100 = mon.over100();
    for (const TurnApplication::Turn &turn : app->stop())
        log(QStringLiteral(
                "  load turn: %1 ms (GUI thread on CPU %5 ms; %6 waits, preempted %7 times) at %2 s, "
                "%3, event type %4")
                .arg(turn.ms, 0, 'f', 0)
                .arg((turn.startMs - double(t0) / 1e6) / 1000, 0, 'f', 3)
                .arg(turn.receiver)
                .arg(turn.type)
                .arg(turn.cpuMs, 0, 'f', 0)
                .arg(turn.waits)
                .arg(turn.preempted));
    for (const auto &[endMs, gap] : mon.stalls())
        log(QStringLiteral("  load stall: %1 ms from %2 s to %3 s (loaded handled at %4 s, analysed at %5 s, "
                           "diagnosis shown by %6 s)")
                .arg(gap, 0, 'f', 0)
                .arg((endMs - gap - double(t0) / 1e6) / 1000, 0, 'f', 3)
                .arg((endMs - double(t0) / 1e6) / 1000, 0, 'f', 3)
                .arg((loadedAtMs - double(t0) / 1e6) / 1000, 0, 'f', 2)
                .arg((analysedAtMs - double(t0) / 1e6) / 1000, 0, 'f', 2)
                .arg(r.settledS, 0, 'f', 2));
    r.packets = qint64(page->index()->packetCount());

    auto *chart = page->findChild<SequenceChart *>();
    waitUntil([&]() { return chart && chart->data(); }, 600'000);
    r.timelineS = double(clock.nsecsElapsed() - t0) / 1e9;

    // First paint of each inner tab.
    QTabWidget *inner = page->tabs();
    for (int t = 0; t < inner->count(); ++t) {
        if (!inner->isTabEnabled(t)) continue;
        mon.reset();
        app->record(&clock, turnThresholdMs);
        const double cpu0 = TurnApplication::threadCpuMs();
        QElapsedTimer switchClock;
        switchClock.start();
        inner->setCurrentIndex(t); // not an event delivery: timed here, its turns below
        const double switchMs = double(switchClock.nsecsElapsed()) / 1e6;
        const double switchCpuMs = TurnApplication::threadCpuMs() - cpu0;
        spin(400);
        const double tabCpuMs = TurnApplication::threadCpuMs() - cpu0;
        const std::vector<TurnApplication::Turn> turns = app->stop();
        double worstTurnCpuMs = switchCpuMs;
        for (const TurnApplication::Turn &turn : turns)
            worstTurnCpuMs = std::max(worstTurnCpuMs, turn.cpuMs);
        log(QStringLiteral("  tab %1: max gap %2 ms, %3 gaps > 100 ms; setCurrentIndex %4 ms (GUI thread on "
                           "CPU %5 ms); GUI thread CPU %6 ms in 400 ms, at most %7 ms in one turn")
                .arg(inner->tabText(t))
                .arg(mon.maxGapMs(), 0, 'f', 1)
                .arg(mon.over100())
                .arg(switchMs, 0, 'f', 0)
                .arg(switchCpuMs, 0, 'f', 0)
                .arg(tabCpuMs, 0, 'f', 0)
                .arg(worstTurnCpuMs, 0, 'f', 0));
        for (const TurnApplication::Turn &turn : turns)
            log(QStringLiteral("    turn: %1 ms (GUI thread on CPU %2 ms), %3, event type %4")
                    .arg(turn.ms, 0, 'f', 0)
                    .arg(turn.cpuMs, 0, 'f', 0)
                    .arg(turn.receiver)
                    .arg(turn.type));
        if (mon.maxGapMs() > r.tabsMaxGap) {
            r.tabsMaxGap = mon.maxGapMs();
            r.worstTab = inner->tabText(t);
        }
        r.tabsOver100 += mon.over100();
    }

    // Timeline: zoom and pan, each frame painted synchronously.
    inner->setCurrentIndex(CapturePage::TimelineTab);
    spin(300);
    if (chart && chart->plottedPoints() > 0) {
        const QList<QChartView *> views = chart->findChildren<QChartView *>();
        const std::int64_t a = page->index()->firstNs, b = page->index()->lastNs;
        const std::int64_t span = std::max<std::int64_t>(b - a, 1'000'000);
        QElapsedTimer ft;
        ft.start();
        double worst = 0;
        for (int i = 0; i < frames; ++i) {
            // Widths from the whole capture down to 1/1000 of it, centres sweeping across it.
            const double width = double(span) / std::pow(1000.0, double(i % 10) / 9.0);
            const double centre =
                double(a) + double(span) * (double((i * 37) % frames) + 0.5) / double(frames);
            const auto lo = std::int64_t(centre - width / 2), hi = std::int64_t(centre + width / 2);
            QElapsedTimer one;
            one.start();
            chart->setVisibleRange(lo, hi);
            for (QChartView *v : views)
                v->viewport()->repaint();
            worst = std::max(worst, double(one.nsecsElapsed()) / 1e6);
        }
        const double total = double(ft.nsecsElapsed()) / 1e6;
        r.msPerFrame = total / frames;
        r.fps = 1000.0 / r.msPerFrame;
        r.worstFrameMs = worst;
    }

    // Packet table: scroll to 100 positions across all rows, then sort once.
    inner->setCurrentIndex(CapturePage::PacketsTab);
    spin(300);
    if (auto *table = inner->widget(CapturePage::PacketsTab)->findChild<WindowedTableView *>()) {
        QAbstractItemModel *m = table->sourceModel(); // the table's own model holds the rows on screen
        const int rows = m->rowCount();
        QElapsedTimer st;
        st.start();
        double worst = 0;
        for (int i = 0; i < 100; ++i) {
            QElapsedTimer one;
            one.start();
            table->scrollTo(m->index(int(qint64(rows - 1) * i / 99), 0), QAbstractItemView::PositionAtCenter);
            table->viewport()->repaint();
            worst = std::max(worst, double(one.nsecsElapsed()) / 1e6);
        }
        r.scrollMs = double(st.nsecsElapsed()) / 1e6 / 100;
        r.scrollWorstMs = worst;
        PacketsPage *packets = page->packetsPage();
        if (sort && packets) {
            bool applied = false;
            auto conn = QObject::connect(packets, &PacketsPage::orderApplied, &w, [&]() { applied = true; });
            auto until = [&](const std::function<void()> &start, double *ms, double *gap) {
                applied = false;
                mon.reset();
                QElapsedTimer so;
                so.start();
                start();
                waitUntil([&]() { return applied && !packets->isBusy(); }, 600'000);
                table->viewport()->repaint();
                *ms = double(so.nsecsElapsed()) / 1e6;
                spin(50);
                *gap = mon.maxGapMs();
            };
            until([&]() { packets->sortBy(PacketTableModel::ColLength, Qt::DescendingOrder); }, &r.sortMs,
                  &r.sortGapMs);
            // Typing: one key per 40 ms; the time counts from the last key.
            const QString spi =
                page->index()->espSas.empty()
                    ? QStringLiteral("esp")
                    : QStringLiteral("0x%1").arg(page->index()->espSas[0].spi, 8, 16, QLatin1Char('0'));
            applied = false;
            mon.reset();
            for (qsizetype i = 1; i <= spi.size(); ++i) {
                packets->filterEdit()->setText(spi.left(i));
                if (i < spi.size()) spin(40);
            }
            QElapsedTimer fo;
            fo.start();
            waitUntil([&]() { return applied && !packets->isBusy(); }, 600'000);
            table->viewport()->repaint();
            r.filterMs = double(fo.nsecsElapsed()) / 1e6;
            spin(50);
            r.filterGapMs = mon.maxGapMs();
            r.filterRows = packets->model()->rowCount();
            until([&]() { packets->filterEdit()->clear(); }, &r.clearMs, &r.clearGapMs);
            QObject::disconnect(conn);
            log(QStringLiteral(
                    "  packets: sort %1 ms (max gap %2 ms), filter %3 (%4 rows) %5 ms after the last "
                    "key (max gap %6 ms), filter cleared %7 ms (max gap %8 ms)")
                    .arg(r.sortMs, 0, 'f', 0)
                    .arg(r.sortGapMs, 0, 'f', 0)
                    .arg(spi)
                    .arg(r.filterRows)
                    .arg(r.filterMs, 0, 'f', 0)
                    .arg(r.filterGapMs, 0, 'f', 0)
                    .arg(r.clearMs, 0, 'f', 0)
                    .arg(r.clearGapMs, 0, 'f', 0));
        }
    }
    // Attribution: the GUI-thread parts of a load, timed on their own (page not shown).
    {
        QElapsedTimer at;
        at.start();
        auto *probe = new CapturePage(page->index());
        const double ctorMs = double(at.nsecsElapsed()) / 1e6;
        at.restart();
        probe->setAnalysis(page->analysis());
        const double setMs = double(at.nsecsElapsed()) / 1e6;
        delete probe;
        log(QStringLiteral("  GUI thread: CapturePage constructor %1 ms, setAnalysis %2 ms")
                .arg(ctorMs, 0, 'f', 1)
                .arg(setMs, 0, 'f', 1));
    }
    r.rssMiB = peakRssMiB();
    w.close();
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    TurnApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("ikev2-workbench-bench"));
    QStringList files;
    int frames = 200;
    bool sort = true;
    double turnMs = 30;
    const QStringList args = app.arguments().mid(1);
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--frames") && i + 1 < args.size())
            frames = std::max(10, args[++i].toInt());
        else if (args[i] == QLatin1String("--no-sort"))
            sort = false;
        else if (args[i] == QLatin1String("--turns") && i + 1 < args.size())
            turnMs = args[++i].toDouble();
        else
            files << args[i];
    }
    if (files.isEmpty()) {
        log(QStringLiteral("usage: ikev2wb-guibench [--frames N] [--no-sort] [--turns MS] FILE..."));
        return 2;
    }
    QTextStream out(stdout);
    out << "| capture | packets | first overview s | analysis s | diagnosis shown s | timeline extracted s | "
           "until analysis: max gap ms | load: max gap ms | load: gaps > 100 ms | tabs: max gap ms (tab) | "
           "tabs: gaps > 100 ms | timeline fps | ms/frame "
           "(worst) | table scroll ms/pos (worst) | sort ms (max gap) | filter ms (max gap) | clear filter "
           "ms (max "
           "gap) | peak RSS MiB |\n"
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    out.flush();
    for (const QString &f : files) {
        const Row r = measure(f, frames, sort, turnMs);
        auto msGap = [](double ms, double gap) {
            return ms < 0 ? QStringLiteral("–")
                          : QStringLiteral("%1 (%2)").arg(ms, 0, 'f', 0).arg(gap, 0, 'f', 0);
        };
        out << QStringLiteral(
                   "| %1 | %2 | %3 | %4 | %5 | %6 | %7 | %8 | %9 | %10 (%11) | %12 | %13 | %14 (%15) "
                   "| %16 (%17) | %18 | %19 | %20 | %21 |\n")
                   .arg(r.file)
                   .arg(r.packets)
                   .arg(r.overviewS, 0, 'f', 2)
                   .arg(r.analysisS, 0, 'f', 2)
                   .arg(r.settledS, 0, 'f', 2)
                   .arg(r.timelineS, 0, 'f', 2)
                   .arg(r.analysisMaxGap, 0, 'f', 0)
                   .arg(r.loadMaxGap, 0, 'f', 0)
                   .arg(r.loadOver100)
                   .arg(r.tabsMaxGap, 0, 'f', 0)
                   .arg(r.worstTab)
                   .arg(r.tabsOver100)
                   .arg(r.fps, 0, 'f', 1)
                   .arg(r.msPerFrame, 0, 'f', 1)
                   .arg(r.worstFrameMs, 0, 'f', 1)
                   .arg(r.scrollMs, 0, 'f', 2)
                   .arg(r.scrollWorstMs, 0, 'f', 1)
                   .arg(msGap(r.sortMs, r.sortGapMs), msGap(r.filterMs, r.filterGapMs),
                        msGap(r.clearMs, r.clearGapMs))
                   .arg(r.rssMiB, 0, 'f', 0);
        out.flush();
    }
    return 0;
}
