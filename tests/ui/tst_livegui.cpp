// Capture ▸ Start Live Capture… against a real kernel. As root the test builds two network
// namespaces joined by a veth pair (tests/netnspair.h) and moves its own main thread into the
// capture side before any window or thread exists, so the window's helper captures there; a
// thread of the test in the other namespace sends crafted ESP-in-UDP (SPI, sequence number)
// with sequence numbers skipped on purpose. The truths are what the test sent. Traffic never
// leaves the two namespaces. Without root (or `ip`) the capture tests skip with the reason.
//
// The permission case runs this binary again as the user nobody (setpriv): the helper there has
// no capabilities, and the dialog and the live tab must say what to do.
#include "../netnspair.h"
#include "../synthcapture.h"
#include "charts/ikeladder.h"
#include "charts/sequencechart.h"
#include "charts/timelinedata.h"
#include "compare/endpointcompare.h"
#include "index/indexbuilder.h"
#include "mainwindow.h"
#include "pages/capturepage.h"
#include "pages/comparepage.h"
#include "pages/livecapturedialog.h"
#include "pages/livepage.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace ikev2wb;
using namespace ikev2wb::ui;

namespace {

constexpr std::uint32_t kGapSpi = 0xc0ffee01;  // paced, with sequence numbers skipped
constexpr std::uint32_t kBulkSpi = 0xb0b0b0b2; // as fast as the sender goes, no gaps sent
constexpr std::uint32_t kGapLast = 300;
const std::set<std::uint32_t> kSkipped{40, 41, 42, 100, 200, 201, 202, 203, 204};
constexpr std::uint32_t kBulkCount = 40000;
constexpr std::uint64_t kIkeSpi = 0x1122334455667788ULL;

/// Sends, from namespace B, ESP-in-UDP (port 4500 → 4500): first SA kGapSpi with sequence
/// numbers 1..kGapLast except kSkipped every 5 ms, then SA kBulkSpi 1..kBulkCount as fast as
/// the socket takes them. The payload is what RFC 3948 puts after the UDP header: SPI, sequence
/// number, then 64 bytes standing for IV and ciphertext.
class EspSender
{
public:
    /// `bulk`: the second SA's burst too.
    explicit EspSender(const QString &ns, bool bulk = true)
        : m_ns(QStringLiteral("/run/netns/%1").arg(ns).toLocal8Bit()), m_bulk(bulk)
    {
        m_thread = std::thread([this] { loop(); });
    }
    ~EspSender()
    {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
    }
    std::atomic_bool joined{false}, gapsDone{false}, done{false};
    std::atomic<std::uint32_t> gapSent{0}, bulkSent{0};
    std::atomic<qint64> bulkNs{0};

private:
    void loop()
    {
        // This thread starts in namespace A (the test's main thread moved there): the IKE
        // responder's socket is made here, before the thread moves to B.
        const int responder = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in a500{}, b500{};
        a500.sin_family = b500.sin_family = AF_INET;
        a500.sin_port = b500.sin_port = htons(500);
        ::inet_pton(AF_INET, kCaptureAddr, &a500.sin_addr);
        ::inet_pton(AF_INET, kSenderAddr, &b500.sin_addr);
        if (responder < 0 || ::bind(responder, reinterpret_cast<sockaddr *>(&a500), sizeof a500) != 0) return;
        const int nsfd = ::open(m_ns.constData(), O_RDONLY | O_CLOEXEC);
        if (nsfd < 0) return;
        const bool ok = ::setns(nsfd, CLONE_NEWNET) == 0; // this thread only
        ::close(nsfd);
        if (!ok) return;
        const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0) return;
        sockaddr_in from{}, to{};
        from.sin_family = to.sin_family = AF_INET;
        from.sin_port = to.sin_port = htons(4500);
        ::inet_pton(AF_INET, kSenderAddr, &from.sin_addr);
        ::inet_pton(AF_INET, kCaptureAddr, &to.sin_addr);
        if (::bind(s, reinterpret_cast<sockaddr *>(&from), sizeof from) != 0) return;
        joined = true;
        // An IKE_SA_INIT exchange first: B's request on port 500, A's response (the IKE ladder).
        const int initiator = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (initiator < 0 || ::bind(initiator, reinterpret_cast<sockaddr *>(&b500), sizeof b500) != 0) return;
        const std::vector<synth::Payload> payloads{{33, synth::Bytes(40, 1)}, {40, synth::Bytes(32, 2)}};
        const synth::Bytes request = synth::ike(kIkeSpi, 0, 34, 0x08, 0, payloads);
        const synth::Bytes response = synth::ike(kIkeSpi, kIkeSpi + 1, 34, 0x20, 0, payloads);
        ::sendto(initiator, request.data(), request.size(), 0, reinterpret_cast<sockaddr *>(&a500),
                 sizeof a500);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ::sendto(responder, response.data(), response.size(), 0, reinterpret_cast<sockaddr *>(&b500),
                 sizeof b500);
        ::close(initiator);
        ::close(responder);
        std::uint8_t p[72];
        std::memset(p, 0x5a, sizeof p);
        const auto send = [&](std::uint32_t spi, std::uint32_t seq) {
            const std::uint32_t be[2] = {htonl(spi), htonl(seq)};
            std::memcpy(p, be, 8);
            return ::sendto(s, p, sizeof p, 0, reinterpret_cast<sockaddr *>(&to), sizeof to) ==
                   ssize_t(sizeof p);
        };
        for (std::uint32_t seq = 1; seq <= kGapLast && !m_stop; ++seq) {
            if (!kSkipped.count(seq) && send(kGapSpi, seq)) ++gapSent;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        gapsDone = true;
        QElapsedTimer t;
        t.start();
        for (std::uint32_t seq = 1; seq <= kBulkCount && m_bulk && !m_stop; ++seq) {
            if (send(kBulkSpi, seq)) ++bulkSent;
            if (seq % 200 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1)); // the veth backlog
        }
        bulkNs = t.nsecsElapsed();
        ::close(s);
        done = true;
    }
    QByteArray m_ns;
    std::thread m_thread;
    std::atomic_bool m_stop{false};
    bool m_bulk = true;
};

/// The longest time the GUI thread did not come back to its event loop, sampled by a 5 ms timer.
class GapProbe
{
public:
    GapProbe()
    {
        m_timer.setInterval(5);
        QObject::connect(&m_timer, &QTimer::timeout, [this]() {
            const qint64 now = m_clock.elapsed();
            m_max = std::max(m_max, now - m_last);
            m_last = now;
        });
        m_clock.start();
        m_timer.start();
    }
    [[nodiscard]] qint64 maxGapMs() const { return m_max; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_max = 0;
};

const LiveSa *findSa(const LiveSnapshot &s, std::uint32_t spi)
{
    for (const LiveSa &sa : s.sas)
        if (sa.spi == spi) return &sa;
    return nullptr;
}

CapturePage *capturePageOf(MainWindow &w)
{
    auto *tabs = w.findChild<QTabWidget *>();
    for (int i = 0; tabs && i < tabs->count(); ++i)
        if (auto *page = qobject_cast<CapturePage *>(tabs->widget(i))) return page;
    return nullptr;
}

/// The pids of this process's children named ikev2wb-capture, read from /proc (a process's
/// comm holds 15 characters: the helper's name fits exactly).
std::vector<pid_t> helperChildren()
{
    std::vector<pid_t> out;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool isPid = false;
        const int pid = entry.toInt(&isPid);
        if (!isPid) continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly)) continue;
        const QByteArray line = stat.readAll();
        // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        const qsizetype open = line.indexOf('('), close = line.lastIndexOf(')');
        if (open < 0 || close < open) continue;
        const QList<QByteArray> rest = line.mid(close + 2).split(' ');
        if (line.mid(open + 1, close - open - 1) == "ikev2wb-capture" && rest.size() > 1 &&
            rest.at(0) != "Z" && rest.at(1).toInt() == int(::getpid()))
            out.push_back(pid);
    }
    return out;
}

bool processGone(pid_t pid)
{
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

bool asChild()
{
    return qEnvironmentVariableIsSet("IKWB_LIVEGUI_CHILD");
}

} // namespace

class TestLiveGui : public QObject
{
    Q_OBJECT

    std::unique_ptr<NsPair> m_ns;
    QString m_why;
    QTemporaryDir m_tmp;

private slots:
    void initTestCase()
    {
        if (asChild()) return;
        QVERIFY(m_tmp.isValid());
        if (::geteuid() != 0 || QStandardPaths::findExecutable(QStringLiteral("ip")).isEmpty()) {
            m_why = QStringLiteral("needs root and iproute2's `ip` to build network namespaces and capture");
            return;
        }
        m_ns = std::make_unique<NsPair>();
        if (const QString e = m_ns->build(); !e.isEmpty()) {
            m_why = QStringLiteral("cannot build network namespaces here: ") + e;
            return;
        }
        // From here on the main thread — the window, the threads it starts and the helper they
        // run — is in namespace A; only the sender thread joins B.
        const int fd = ::open(QStringLiteral("/run/netns/%1").arg(m_ns->a).toLocal8Bit().constData(),
                              O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) m_why = QStringLiteral("cannot enter namespace A");
        if (fd >= 0) ::close(fd);
    }

    // The helper missing or not runnable: the dialog says exactly that, with the fix, and
    // offers no Start.
    void helperMissingOrNotRunnable()
    {
        if (asChild()) QSKIP("the parent's test");
        QTemporaryDir empty;
        QVERIFY(empty.isValid());
        {
            LiveCaptureDialog d(empty.path());
            QCOMPARE(d.helperCheck().state, CaptureHelperCheck::State::NotInstalled);
            const QString text = d.findChild<QLabel *>(QStringLiteral("livePermission"))->text();
            QVERIFY2(text.contains(QStringLiteral("is not installed")) &&
                         text.contains(empty.filePath(QStringLiteral("ikev2wb-capture"))),
                     qPrintable(text));
            QVERIFY(!d.findChild<QPushButton *>(QStringLiteral("liveStart"))->isEnabled());
        }
        const QString helper =
            QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("ikev2wb-capture"));
        QVERIFY2(QFileInfo(helper).isExecutable(), qPrintable(helper));
        const QString copy = empty.filePath(QStringLiteral("ikev2wb-capture"));
        QVERIFY(QFile::copy(helper, copy));
        QVERIFY(QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup));
        LiveCaptureDialog d(empty.path());
        // No execute bit for anyone: not even root may run it.
        QCOMPARE(d.helperCheck().state, CaptureHelperCheck::State::NotExecutable);
        const QString text = d.findChild<QLabel *>(QStringLiteral("livePermission"))->text();
        QVERIFY2(text.contains(QStringLiteral("usermod -aG")) && text.contains(copy), qPrintable(text));
        QVERIFY(!d.findChild<QPushButton *>(QStringLiteral("liveStart"))->isEnabled());
    }

    void liveTabThenAnalysis()
    {
        if (asChild()) QSKIP("the parent's test");
        if (!m_why.isEmpty()) QSKIP(qPrintable(m_why));
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));

        // The dialog lists the namespace's interfaces with their addresses (no privilege needed).
        LiveCaptureDialog *dialog = w.openLiveCaptureDialog();
        QVERIFY(dialog);
        QVERIFY2(dialog->helperCheck().ready(), qPrintable(dialog->helperCheck().message));
        QVERIFY(dialog->selectInterface(kCaptureIf));
        auto *list = dialog->findChild<QTreeWidget *>(QStringLiteral("liveInterfaces"));
        QVERIFY(list);
        const auto found = list->findItems(kCaptureIf, Qt::MatchExactly, 0);
        QCOMPARE(found.size(), 1);
        QVERIFY2(found.first()->text(1).contains(QLatin1String(kCaptureAddr)),
                 qPrintable(found.first()->text(1)));
        const QString out = m_tmp.filePath(QStringLiteral("live.pcapng"));
        dialog->findChild<QLineEdit *>(QStringLiteral("liveOutput"))->setText(out);
        auto *start = dialog->findChild<QPushButton *>(QStringLiteral("liveStart"));
        QVERIFY(start->isEnabled());

        if (const QByteArray dir = qgetenv("IKEV2WB_SHOT_DIR"); !dir.isEmpty())
            QVERIFY(dialog->grab().save(
                QDir(QString::fromLocal8Bit(dir)).filePath(QStringLiteral("live-capture-dialog.png"))));
        GapProbe gaps;
        start->click();
        auto *live = w.findChild<LivePage *>();
        QVERIFY(live);
        std::vector<LiveSnapshotPtr> last(1);
        connect(live->session(), &LiveSession::finished, this,
                [&last](const QStringList &, const QString &, LiveSnapshotPtr s) { last[0] = s; });
        // The helper writes its headers (and a statistics block every 500 ms) once it has the
        // interface open; only then may the sender start.
        QTRY_VERIFY_WITH_TIMEOUT(live->snapshot() && live->snapshot()->drops.has_value(), 10000);

        // The ESP timeline is the view on screen while it grows (its redraws count in the gaps).
        auto *views = live->findChild<QTabWidget *>(QStringLiteral("liveViews"));
        QVERIFY(views);
        views->setCurrentWidget(live->timelineChart());
        EspSender sender(m_ns->b);
        QTRY_VERIFY_WITH_TIMEOUT(sender.joined, 5000);
        // While the capture runs the tab shows the packets, in batches.
        QTRY_VERIFY_WITH_TIMEOUT(live->snapshot()->packets >= 100, 10000);
        QVERIFY(live->session()->isRunning());
        const int updatesAt100 = live->updates();
        // The timeline of the first SA (the table's first row) is growing: some of its packets now,
        // all of them below.
        QTRY_VERIFY_WITH_TIMEOUT(live->timeline() && !live->timeline()->sequence.empty(), 5000);
        const std::size_t timelineEarly = live->timeline()->sequence.size();
        // The IKE exchange is on the ladder while capturing: request and response.
        QTRY_COMPARE_WITH_TIMEOUT(live->ladder()->arrowCount(), 2, 5000);
        if (const QByteArray dir = qgetenv("IKEV2WB_SHOT_DIR"); !dir.isEmpty()) {
            QTRY_VERIFY_WITH_TIMEOUT(sender.gapsDone, 10000);
            QTest::qWait(600);
            QVERIFY(w.grab().save(
                QDir(QString::fromLocal8Bit(dir)).filePath(QStringLiteral("live-capture.png"))));
        }
        QTRY_VERIFY_WITH_TIMEOUT(sender.done, 30000);
        const std::uint32_t gapSent = sender.gapSent, bulkSent = sender.bulkSent;
        QCOMPARE(gapSent, kGapLast - std::uint32_t(kSkipped.size()));
        QTRY_VERIFY_WITH_TIMEOUT(findSa(*live->snapshot(), kGapSpi) &&
                                     findSa(*live->snapshot(), kGapSpi)->packets == gapSent,
                                 10000);
        // Everything the kernel handed over has arrived when two snapshots agree.
        QTest::qWait(1200);
        const LiveSnapshotPtr running = live->snapshot();
        QVERIFY(live->session()->isRunning());
        // A few updates a second at most (250 ms apart), not one per packet: the run from the
        // 100th packet to here is a few seconds.
        QVERIFY2(live->updates() - updatesAt100 < 60, qPrintable(QString::number(live->updates())));
        const LiveSa *gapSa = findSa(*running, kGapSpi);
        QVERIFY(gapSa);
        QCOMPARE(gapSa->firstSeq, 1ULL);
        QCOMPARE(gapSa->topSeq, std::uint64_t(kGapLast));
        QCOMPARE(gapSa->missing, std::uint64_t(kSkipped.size()));
        QCOMPARE(gapSa->duplicates, 0ULL);
        QVERIFY(!gapSa->esn);
        // The ESP timeline grew to every packet of the SA, with a marker at each run the sender
        // skipped (its first number), drawn on the chart.
        {
            const auto d = live->timeline();
            QCOMPARE(d->saIndex, std::size_t(0));
            QCOMPARE(d->sequence.size(), std::size_t(gapSent));
            QVERIFY2(timelineEarly < d->sequence.size(), qPrintable(QString::number(timelineEarly)));
            std::vector<double> lostAt;
            for (const SeriesPoint &p : d->lost)
                lostAt.push_back(p.value);
            QCOMPARE(lostAt, (std::vector<double>{40, 100, 200}));
            QCOMPARE(d->missing, std::uint64_t(kSkipped.size()));
            QVERIFY(live->timelineChart()->plottedPoints() > 0);
        }
        const LiveSa *bulkSa = findSa(*running, kBulkSpi);
        QVERIFY(bulkSa);
        // Picking the bulk SA in the table brings its whole history (tens of thousands of points).
        {
            auto *table = live->findChild<QTableWidget *>(QStringLiteral("liveSas"));
            int row = -1;
            for (int r = 0; r < int(running->sas.size()); ++r)
                if (running->sas[std::size_t(r)].spi == kBulkSpi) row = r;
            QVERIFY(row > 0);
            table->setCurrentCell(row, 0);
            QTRY_VERIFY_WITH_TIMEOUT(live->timeline()->saIndex == std::size_t(row) &&
                                         live->timeline()->sequence.size() == bulkSa->packets,
                                     5000);
        }
        const qint64 maxGapRunning = gaps.maxGapMs();
        qInfo("live: %llu packets while running; bulk SA %llu of %u sent in %.3f s (%.0f packets/s "
              "offered), %llu missing at the capture; kernel drops %llu; longest GUI-thread gap %lld ms; "
              "%d updates",
              static_cast<unsigned long long>(running->packets),
              static_cast<unsigned long long>(bulkSa->packets), bulkSent, double(sender.bulkNs) / 1e9,
              double(bulkSent) / (double(sender.bulkNs) / 1e9),
              static_cast<unsigned long long>(bulkSa->missing),
              static_cast<unsigned long long>(running->drops ? running->drops->osDrop : 0), maxGapRunning,
              live->updates());

        // Stop: the helper ends cleanly and the saved file opens as an ordinary tab in its place.
        live->findChild<QPushButton *>(QStringLiteral("liveStop"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(capturePageOf(w) && capturePageOf(w)->analysis(), 60000);
        QTRY_VERIFY(w.findChild<LivePage *>() == nullptr);
        QVERIFY(last[0]);
        CapturePage *page = capturePageOf(w);
        QCOMPARE(page->index()->file.path, out);
        QVERIFY(!page->index()->partial);
        // The live reader and libpcap's read of the saved file saw the same packets.
        QCOMPARE(std::uint64_t(page->index()->packetCount()), last[0]->packets);
        QVERIFY2(page->index()->captureDrops.has_value(), "the statistics block is in the file");
        QCOMPARE(page->index()->captureDrops->delivered, last[0]->packets);

        const CaptureAnalysis &a = *page->analysis();
        const EspSaSequence *seq = nullptr;
        for (const EspSaSequence &s : a.esp.sas)
            if (s.spi == kGapSpi) seq = &s;
        QVERIFY(seq);
        QCOMPARE(seq->packets, std::uint64_t(gapSent));
        QCOMPARE(seq->missing, std::uint64_t(kSkipped.size()));
        // Exactly the runs the sender skipped: 40-42, 100, 200-204.
        std::vector<std::pair<std::uint64_t, std::uint64_t>> runs, expected;
        for (const EspMissingRange &r : seq->missingRanges)
            runs.emplace_back(r.first, r.last);
        for (auto it = kSkipped.begin(); it != kSkipped.end();) {
            std::uint32_t first = *it, lastOfRun = *it;
            while (++it != kSkipped.end() && *it == lastOfRun + 1)
                lastOfRun = *it;
            expected.emplace_back(first, lastOfRun);
        }
        QCOMPARE(runs, expected);
        QCOMPARE(seq->duplicates, 0ULL);
        QCOMPARE(seq->reordered, 0ULL);
        // The window never froze while the tab followed the capture (the timeline on screen). This
        // is a liveness bound like tst_responsiveness' (a GUI thread that parses the capture itself
        // stalls for seconds), not a speed target: the measured gap is printed above.
        QVERIFY2(maxGapRunning < 1000, qPrintable(QString::number(maxGapRunning)));
    }

    // Closing a tab that is still capturing, then closing the window while a capture runs: the
    // GUI thread never waits for the helper (the old close blocked up to 5 s); the helper gets
    // the same clean stop as Stop, so the saved file is complete (statistics block, every packet
    // the sender sent), and no helper process is left once the session has gone.
    void closingLiveTabDoesNotBlock()
    {
        if (asChild()) QSKIP("the parent's test");
        if (!m_why.isEmpty()) QSKIP(qPrintable(m_why));
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto *tabs = w.findChild<QTabWidget *>();
        auto *status = w.findChild<QLabel *>(QStringLiteral("statusText"));
        QVERIFY(tabs && status);

        // Starts a capture into `out`, sends the paced SA, and waits until the tab has every
        // packet; returns the packets sent and the helper's pid.
        const auto startAndFill = [&](const QString &out, LivePage **live, std::uint32_t *sent,
                                      pid_t *helper) {
            LiveCaptureDialog *dialog = w.openLiveCaptureDialog();
            QVERIFY(dialog->selectInterface(kCaptureIf));
            dialog->findChild<QLineEdit *>(QStringLiteral("liveOutput"))->setText(out);
            const std::vector<pid_t> before = helperChildren();
            dialog->findChild<QPushButton *>(QStringLiteral("liveStart"))->click();
            *live = nullptr;
            for (int i = 0; i < tabs->count(); ++i)
                if (auto *l = qobject_cast<LivePage *>(tabs->widget(i)); l && l->session()->isRunning())
                    *live = l;
            QVERIFY(*live);
            QTRY_VERIFY_WITH_TIMEOUT((*live)->snapshot() && (*live)->snapshot()->drops.has_value(), 10000);
            std::vector<pid_t> now = helperChildren();
            std::erase_if(
                now, [&](pid_t p) { return std::find(before.begin(), before.end(), p) != before.end(); });
            QCOMPARE(now.size(), std::size_t(1));
            *helper = now.front();
            EspSender sender(m_ns->b, false);
            QTRY_VERIFY_WITH_TIMEOUT(sender.gapsDone, 10000);
            *sent = sender.gapSent;
            QCOMPARE(*sent, kGapLast - std::uint32_t(kSkipped.size()));
            QTRY_VERIFY_WITH_TIMEOUT(findSa(*(*live)->snapshot(), kGapSpi) &&
                                         findSa(*(*live)->snapshot(), kGapSpi)->packets == *sent,
                                     10000);
            QVERIFY((*live)->session()->isRunning());
        };
        // The saved file, read back by the core loader: whole, with the statistics block the
        // helper writes only on a clean stop, and every packet of the paced SA.
        const auto verifySaved = [](const QString &out, std::uint32_t sent) {
            QString error;
            const std::unique_ptr<CaptureIndex> idx = loadCapture(out, &error);
            QVERIFY2(idx, qPrintable(error));
            QVERIFY(!idx->partial);
            QVERIFY2(idx->captureDrops.has_value(), "the statistics block is in the file");
            const EspSa *sa = nullptr;
            for (const EspSa &s : idx->espSas)
                if (s.spi == kGapSpi) sa = &s;
            QVERIFY(sa);
            QCOMPARE(sa->packets, std::uint64_t(sent));
            QCOMPARE(sa->minSeq, 1U);
            QCOMPARE(sa->maxSeq, kGapLast);
        };

        // 1. Close the tab (Ctrl+W) while it captures.
        const QString out = m_tmp.filePath(QStringLiteral("closed.pcapng"));
        LivePage *live = nullptr;
        std::uint32_t sent = 0;
        pid_t helper = 0;
        startAndFill(out, &live, &sent, &helper);
        if (QTest::currentTestFailed()) return;
        const QPointer<LiveSession> session(live->session());
        tabs->setCurrentWidget(live);
        QElapsedTimer background;
        GapProbe gaps;
        QTest::qWait(50);
        // A helper slow to stop: stopped (SIGSTOP) before the close and continued 1.5 s later by
        // a thread of the test, it handles the SIGTERM only then. A close that waited for the
        // helper would stall the GUI thread for those 1.5 s.
        QCOMPARE(::kill(helper, SIGSTOP), 0);
        std::thread continuer([helper] {
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            ::kill(helper, SIGCONT);
        });
        background.start();
        w.findChild<QAction *>(QStringLiteral("closeTabAction"))->trigger();
        const qint64 triggerMs = background.elapsed();
        const bool tabGone = tabs->indexOf(live) == -1; // the tab went at once
        const bool sessionEnded = QTest::qWaitFor([&] { return session.isNull(); }, 15000);
        const qint64 sessionMs = background.elapsed();
        QTest::qWait(50); // the probe's timer fires once more: a stall just before counts too
        const qint64 closeGap = gaps.maxGapMs();
        continuer.join(); // long done: the session ended after the SIGCONT
        QVERIFY(tabGone);
        QVERIFY(sessionEnded);
        qInfo("closing a live tab: the close call took %lld ms; the session ended in the background "
              "after %lld ms; longest GUI-thread gap %lld ms",
              triggerMs, sessionMs, closeGap);
        QVERIFY2(closeGap < 300, qPrintable(QString::number(closeGap)));
        QVERIFY2(sessionMs >= 1500, qPrintable(QString::number(sessionMs))); // the helper was slow
        QVERIFY2(processGone(helper), qPrintable(QString::number(helper)));
        QVERIFY(helperChildren().empty());
        verifySaved(out, sent);
        if (QTest::currentTestFailed()) return;
        QVERIFY2(status->text().contains(out), qPrintable(status->text()));
        QCOMPARE(capturePageOf(w), nullptr); // a closed tab's capture is saved, not reopened

        // 2. Close the window while a capture runs: it stays until the helper has ended, says so
        // in the status bar, and does not freeze meanwhile.
        const QString out2 = m_tmp.filePath(QStringLiteral("quit.pcapng"));
        startAndFill(out2, &live, &sent, &helper);
        if (QTest::currentTestFailed()) return;
        GapProbe quitGaps;
        QTest::qWait(50);
        background.restart();
        QVERIFY(!w.close()); // not yet: the capture is stopping
        const qint64 closeCallMs = background.elapsed();
        QVERIFY2(status->text().contains(QStringLiteral("Stopping the live capture on %1").arg(kCaptureIf)),
                 qPrintable(status->text()));
        QVERIFY(w.isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!w.isVisible(), 15000);
        const qint64 quitMs = background.elapsed();
        QTest::qWait(50);
        QVERIFY(w.findChildren<LiveSession *>().isEmpty() ||
                !w.findChildren<LiveSession *>().first()->isRunning());
        QVERIFY2(processGone(helper), qPrintable(QString::number(helper)));
        QVERIFY(helperChildren().empty());
        verifySaved(out2, sent);
        qInfo("closing the window while capturing: close() returned after %lld ms, the window closed after "
              "%lld ms; longest GUI-thread gap %lld ms",
              closeCallMs, quitMs, quitGaps.maxGapMs());
        QVERIFY2(quitGaps.maxGapMs() < 300, qPrintable(QString::number(quitGaps.maxGapMs())));
    }

    // A helper that never ends (stopped with SIGSTOP, never continued) when its tab closes: the
    // session's bound kills it after LiveSession::kBackgroundKillMs, the session goes, nothing
    // is left behind (no file, no temporary), and the status bar says nothing was saved.
    void closingStuckCaptureKillsHelper()
    {
        if (asChild()) QSKIP("the parent's test");
        if (!m_why.isEmpty()) QSKIP(qPrintable(m_why));
        MainWindow w;
        w.show();
        QTemporaryDir dir(m_tmp.filePath(QStringLiteral("stuckXXXXXX")));
        QVERIFY(dir.isValid());
        const QString out = dir.filePath(QStringLiteral("stuck.pcapng"));
        LiveCaptureDialog *dialog = w.openLiveCaptureDialog();
        QVERIFY(dialog->selectInterface(kCaptureIf));
        dialog->findChild<QLineEdit *>(QStringLiteral("liveOutput"))->setText(out);
        dialog->findChild<QPushButton *>(QStringLiteral("liveStart"))->click();
        auto *live = w.findChild<LivePage *>();
        QVERIFY(live);
        QTRY_VERIFY_WITH_TIMEOUT(live->snapshot() && live->snapshot()->drops.has_value(), 10000);
        const std::vector<pid_t> helpers = helperChildren();
        QCOMPARE(helpers.size(), std::size_t(1));
        const pid_t helper = helpers.front();
        const QPointer<LiveSession> session(live->session());
        QCOMPARE(::kill(helper, SIGSTOP), 0);
        GapProbe gaps;
        QElapsedTimer t;
        t.start();
        w.findChild<QAction *>(QStringLiteral("closeTabAction"))->trigger();
        QCOMPARE(w.findChild<QTabWidget *>()->indexOf(live), -1);
        QTRY_VERIFY_WITH_TIMEOUT(session.isNull(), LiveSession::kBackgroundKillMs + 10000);
        const qint64 endedMs = t.elapsed();
        QTest::qWait(50);
        qInfo("a stuck helper: killed, the session gone after %lld ms; longest GUI-thread gap %lld ms",
              endedMs, gaps.maxGapMs());
        // A coarse QTimer (Qt's default) may fire up to 5 % early: 9,773 ms was seen under load.
        QVERIFY2(endedMs >= LiveSession::kBackgroundKillMs * 95 / 100, qPrintable(QString::number(endedMs)));
        QVERIFY2(gaps.maxGapMs() < 300, qPrintable(QString::number(gaps.maxGapMs())));
        QVERIFY(processGone(helper));
        QVERIFY(helperChildren().empty());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
        const QString status = w.findChild<QLabel *>(QStringLiteral("statusText"))->text();
        QVERIFY2(status.contains(QStringLiteral("nothing was saved")), qPrintable(status));
    }

    // A ring of 3 files of 1 MB: the helper writes the files and streams the same blocks (--tee),
    // one section per file; the live tab counts every packet across the sections, and Stop
    // opens the files the ring kept as ONE capture (core/index/captureset). 40,300 packets of
    // ~150 bytes in pcapng make ~6 MB: several rotations, three files kept, the older removed.
    // The truth for the opened tab: capinfos' packet counts of the kept files, and the sender's
    // last sequence number.
    void ringOpensAsOneCapture()
    {
        if (asChild()) QSKIP("the parent's test");
        if (!m_why.isEmpty()) QSKIP(qPrintable(m_why));
        if (QStandardPaths::findExecutable(QStringLiteral("capinfos")).isEmpty()) QSKIP("needs capinfos");
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        LiveCaptureDialog *dialog = w.openLiveCaptureDialog();
        QVERIFY(dialog->selectInterface(kCaptureIf));
        QTemporaryDir dir(m_tmp.filePath(QStringLiteral("ringXXXXXX")));
        QVERIFY(dir.isValid());
        dialog->findChild<QLineEdit *>(QStringLiteral("liveOutput"))
            ->setText(dir.filePath(QStringLiteral("r.pcapng")));
        dialog->findChild<QCheckBox *>(QStringLiteral("liveRing"))->setChecked(true);
        dialog->findChild<QSpinBox *>(QStringLiteral("liveRingFiles"))->setValue(3);
        dialog->findChild<QSpinBox *>(QStringLiteral("liveRingSize"))->setValue(1);
        dialog->findChild<QPushButton *>(QStringLiteral("liveStart"))->click();
        auto *live = w.findChild<LivePage *>();
        QVERIFY(live);
        QTRY_VERIFY_WITH_TIMEOUT(live->snapshot() && live->snapshot()->drops.has_value(), 10000);
        EspSender sender(m_ns->b);
        QTRY_VERIFY_WITH_TIMEOUT(sender.done, 30000);
        const std::uint64_t sent = sender.gapSent + sender.bulkSent;
        // Every packet the kernel handed over, across the ring's sections (no kernel drops here, or
        // they are counted: what reached the helper is what the tab shows).
        QTRY_VERIFY_WITH_TIMEOUT(findSa(*live->snapshot(), kBulkSpi) &&
                                     findSa(*live->snapshot(), kBulkSpi)->packets +
                                             findSa(*live->snapshot(), kGapSpi)->packets +
                                             live->snapshot()->drops->osDrop >=
                                         sent,
                                 10000);
        QTest::qWait(700);
        const LiveSnapshotPtr running = live->snapshot();
        QCOMPARE(findSa(*running, kGapSpi)->missing, std::uint64_t(kSkipped.size()));
        live->findChild<QPushButton *>(QStringLiteral("liveStop"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(capturePageOf(w) && capturePageOf(w)->analysis(), 60000);
        QTRY_VERIFY(w.findChild<LivePage *>() == nullptr);
        const QStringList kept = QDir(dir.path()).entryList(QDir::Files, QDir::Name);
        QCOMPARE(kept.size(), 3);
        QVERIFY2(kept.first() != QStringLiteral("r_00001.pcapng"), qPrintable(kept.join(QLatin1Char(' '))));
        // capinfos counts each kept file's packets.
        QStringList keptPaths;
        for (const QString &name : kept)
            keptPaths << dir.filePath(name);
        QProcess capinfos;
        capinfos.start(QStringLiteral("capinfos"), QStringList{QStringLiteral("-c"), QStringLiteral("-M"),
                                                               QStringLiteral("-T"), QStringLiteral("-r")} +
                                                       keptPaths);
        QVERIFY(capinfos.waitForFinished(30000));
        std::uint64_t inFiles = 0;
        const QStringList rows =
            QString::fromUtf8(capinfos.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), 3);
        for (const QString &row : rows) {
            const std::uint64_t n = row.section(QLatin1Char('\t'), -1).toULongLong();
            QVERIFY2(n > 0, qPrintable(row));
            inFiles += n;
        }
        CapturePage *page = capturePageOf(w);
        const CaptureIndex &index = *page->index();
        // The tab is the whole ring: its three files, every packet in them, oldest first.
        QVERIFY(index.set.isSet());
        QCOMPARE(index.set.files.size(), std::size_t(3));
        for (std::size_t i = 0; i < 3; ++i)
            QCOMPARE(index.set.files[i].path, keptPaths.at(qsizetype(i)));
        QCOMPARE(std::uint64_t(index.packetCount()), inFiles);
        QVERIFY2(index.set.gaps.empty(), "consecutive ring files: nothing missing between them");
        QVERIFY2(std::uint64_t(index.packetCount()) < running->packets, "older files were removed");
        QVERIFY(index.captureDrops.has_value());
        // The bulk SA ends in the newest file with the sender's last number (when the capture
        // dropped nothing: a kernel drop could be that very packet).
        const EspSaSequence *bulk = nullptr;
        for (const EspSaSequence &s : page->analysis()->esp.sas)
            if (s.spi == kBulkSpi) bulk = &s;
        QVERIFY(bulk);
        if (index.captureDrops->dropped() == 0 && std::uint32_t(sender.bulkSent) == kBulkCount)
            QCOMPARE(bulk->lastSeq, std::uint64_t(kBulkCount));
        const QString title =
            w.findChild<QTabWidget *>()->tabText(w.findChild<QTabWidget *>()->indexOf(page));
        QVERIFY2(title.contains(QStringLiteral("+2 files")), qPrintable(title));
    }

    // The peer's side over ssh from the window: an sshd the test starts in namespace B, tcpdump
    // there on B's end of the veth. Stop ends both; the two files open as one pair tab whose
    // comparison finds every ESP packet B sent at A (nothing lost in transit on a veth) and A's
    // own analysis the 9 numbers the sender skipped.
    void peerOverSshOpensAsPair()
    {
        if (asChild()) QSKIP("the parent's test");
        if (!m_why.isEmpty()) QSKIP(qPrintable(m_why));
        if (QStandardPaths::findExecutable(QStringLiteral("tcpdump")).isEmpty()) QSKIP("needs tcpdump");
        QTemporaryDir keys(m_tmp.filePath(QStringLiteral("keysXXXXXX")));
        QVERIFY(keys.isValid());
        SshServer sshd(m_ns->b, keys.path());
        if (!sshd.why.isEmpty()) QSKIP(qPrintable(sshd.why));
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        LiveCaptureDialog *dialog = w.openLiveCaptureDialog();
        QVERIFY(dialog->selectInterface(kCaptureIf));
        const QString out = m_tmp.filePath(QStringLiteral("pairA.pcapng"));
        const QString peerOut = m_tmp.filePath(QStringLiteral("pairA-peer.pcap"));
        dialog->findChild<QLineEdit *>(QStringLiteral("liveOutput"))->setText(out);
        dialog->findChild<QLineEdit *>(QStringLiteral("livePeer"))->setText(QStringLiteral("root@10.78.0.2"));
        dialog->findChild<QLineEdit *>(QStringLiteral("livePeerIface"))->setText(QStringLiteral("ikwbsend0"));
        auto *tool = dialog->findChild<QComboBox *>(QStringLiteral("livePeerTool"));
        tool->setCurrentIndex(tool->findData(QStringLiteral("tcpdump")));
        dialog->findChild<QLineEdit *>(QStringLiteral("liveSshOptions"))
            ->setText(QStringLiteral("IdentityFile=%1 UserKnownHostsFile=%2")
                          .arg(sshd.path(QStringLiteral("id")), sshd.knownHosts()));
        auto *start = dialog->findChild<QPushButton *>(QStringLiteral("liveStart"));
        QVERIFY2(start->isEnabled(),
                 qPrintable(dialog->findChild<QLabel *>(QStringLiteral("liveProblem"))->text()));
        start->click();
        auto *live = w.findChild<LivePage *>();
        QVERIFY(live);
        QTRY_VERIFY_WITH_TIMEOUT(live->snapshot() && live->snapshot()->drops.has_value(), 10000);
        QTest::qWait(1500); // the peer's login and tcpdump's start
        QVERIFY(live->session()->isRunning());
        EspSender sender(m_ns->b, false);
        QTRY_VERIFY_WITH_TIMEOUT(sender.gapsDone, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(findSa(*live->snapshot(), kGapSpi) &&
                                     findSa(*live->snapshot(), kGapSpi)->packets == sender.gapSent,
                                 5000);
        QVERIFY(live->snapshot()->peer && live->snapshot()->peerStreamBytes > 0);
        // The start skew of the two ends: the peer's stream began after the local one (the ssh
        // login), within the 1.5 s waited above.
        QVERIFY(live->snapshot()->peerStarted);
        const std::int64_t skewMs = live->snapshot()->peerStartSkewMs;
        QVERIFY2(skewMs > 0 && skewMs < 1500, qPrintable(QString::number(skewMs)));
        QVERIFY2(live->findChild<QLabel *>(QStringLiteral("liveCounters"))
                     ->text()
                     .contains(QStringLiteral("started %1 ms after this one").arg(skewMs)),
                 qPrintable(live->findChild<QLabel *>(QStringLiteral("liveCounters"))->text()));
        QTest::qWait(500);
        live->findChild<QPushButton *>(QStringLiteral("liveStop"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(capturePageOf(w) && capturePageOf(w)->comparison(), 60000);
        QTRY_VERIFY(w.findChild<LivePage *>() == nullptr);
        CapturePage *page = capturePageOf(w);
        QCOMPARE(page->index()->file.path, out);
        QCOMPARE(page->peerPath(), peerOut);
        std::uint64_t sentByB = 0, lost = 0;
        for (const DirectionComparison &d : page->comparison()->directions) {
            sentByB += d.sent;
            lost += d.lostInTransit.size();
        }
        QCOMPARE(sentByB, std::uint64_t(sender.gapSent));
        QCOMPARE(lost, 0ULL);
        // The pair's notes say how the captures were taken: the start skew measured live.
        QVERIFY(page->comparePage());
        const QString notes = page->comparePage()->notesText();
        QVERIFY2(
            notes.contains(QStringLiteral("Capture: the peer's capture (pairA-peer.pcap) started %1 ms after "
                                          "this one (pairA.pcapng)")
                               .arg(skewMs)),
            qPrintable(notes));
        QTRY_VERIFY_WITH_TIMEOUT(page->analysis(), 30000);
        for (const EspSaSequence &seq : page->analysis()->esp.sas)
            if (seq.spi == kGapSpi) QCOMPARE(seq.missing, std::uint64_t(kSkipped.size()));
    }

    // As nobody (no capabilities, not root) the dialog says what to do instead of offering
    // Start; started anyway, the helper refuses and the live tab shows its exact instructions,
    // and no file is left.
    void noPermissionSaysWhatToDo()
    {
        if (asChild()) QSKIP("the parent's test");
        if (::geteuid() != 0) QSKIP("needs root to run the check as another user");
        if (QStandardPaths::findExecutable(QStringLiteral("setpriv")).isEmpty()) QSKIP("needs setpriv");
        const QString self = QCoreApplication::applicationFilePath();
        QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/ikwblivegui-XXXXXX"));
        QVERIFY(dir.isValid());
        QFile::setPermissions(dir.path(), QFile::Permissions(0x7777));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), dir.path());
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        env.remove(QStringLiteral("XDG_CONFIG_HOME"));
        const QStringList asNobody{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                   QStringLiteral("--clear-groups"), self};
        QProcess probe;
        probe.setProcessEnvironment(env);
        probe.start(QStringLiteral("setpriv"), asNobody + QStringList{QStringLiteral("-functions")});
        if (!probe.waitForFinished(30000) || probe.exitCode() != 0)
            QSKIP("the build tree is not readable by nobody");
        QProcess child;
        env.insert(QStringLiteral("IKWB_LIVEGUI_CHILD"), dir.path());
        child.setProcessEnvironment(env);
        child.start(QStringLiteral("setpriv"), asNobody + QStringList{QStringLiteral("noPermissionChild")});
        QVERIFY(child.waitForFinished(60000));
        const QByteArray log = child.readAllStandardOutput() + child.readAllStandardError();
        QVERIFY2(child.exitCode() == 0, log.constData());
        QVERIFY2(log.contains("PASS   : TestLiveGui::noPermissionChild()"), log.constData());
    }

    void noPermissionChild()
    {
        if (!asChild()) QSKIP("runs as nobody, started by noPermissionSaysWhatToDo");
        QVERIFY(::geteuid() != 0);
        const QString dir = qEnvironmentVariable("IKWB_LIVEGUI_CHILD");
        const QString helper =
            QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("ikev2wb-capture"));
        MainWindow w;
        w.show();
        LiveCaptureDialog *dialog = w.openLiveCaptureDialog();
        QCOMPARE(dialog->helperCheck().state, CaptureHelperCheck::State::NoCapabilities);
        const QString text = dialog->findChild<QLabel *>(QStringLiteral("livePermission"))->text();
        QVERIFY2(text.contains(QStringLiteral("setcap cap_net_raw,cap_net_admin=eip ") + helper),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("usermod -aG ikev2wb")), qPrintable(text));
        QVERIFY(!dialog->findChild<QPushButton *>(QStringLiteral("liveStart"))->isEnabled());
        dialog->close();

        // Started anyway (a helper whose capabilities were lost after the check): its refusal,
        // with the commands, is what the tab shows; nothing is saved.
        LiveCaptureOptions o;
        o.helper = helper;
        o.interfaceName = QStringLiteral("lo");
        o.output = QDir(dir).filePath(QStringLiteral("denied.pcapng"));
        LivePage *live = w.startLiveCapture(o);
        auto *message = live->findChild<QLabel *>(QStringLiteral("liveMessage"));
        QTRY_VERIFY_WITH_TIMEOUT(message->isVisible() && !message->text().isEmpty(), 10000);
        QVERIFY2(message->text().contains(QStringLiteral("no permission to capture on lo")),
                 qPrintable(message->text()));
        QVERIFY2(message->text().contains(QStringLiteral("setcap cap_net_raw,cap_net_admin=eip")),
                 qPrintable(message->text()));
        QVERIFY(!QFileInfo::exists(o.output));
        QCOMPARE(QDir(dir).entryList({QStringLiteral("denied*")}, QDir::Files | QDir::Hidden).size(), 0);
    }
};

QTEST_MAIN(TestLiveGui)
#include "tst_livegui.moc"
