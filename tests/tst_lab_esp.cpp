// ESP sequence analysis and the suite estimator against the strongSwan fault lab
// (tests/data/lab, see its README.md). Expected values never come from the analyzer itself:
// - loss1: the sequence numbers the receiver's capture lacks against the sender's capture,
//   computed here from the two captures' (SPI, sequence) sets;
// - reorder-antireplay: the receiver kernel's per-SA counters (`ip -s -s xfrm state`,
//   "replay-window N replay N failed N", end minus start) for its configured window;
// - clean: no fault injected, so nothing missing, reordered or duplicated;
// - the lab's ESP proposal is aes128-sha256 (AES-CBC + HMAC-SHA256-128, truth.json/README).
#include "analyze/espsequence.h"
#include "analyze/overhead.h"
#include "analyze/replaywindow.h"
#include "index/indexbuilder.h"
#include "labdata.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

#include <map>
#include <set>

using namespace ikev2wb;
using ikev2wb::testdata::labDir;

namespace {

const QString kLeft = QStringLiteral("10.0.1.1");
const QString kRight = QStringLiteral("10.0.2.1");

std::unique_ptr<CaptureIndex> load(const QString &path)
{
    QString error;
    auto index = loadCapture(path, &error);
    if (!index) qWarning("%s", qPrintable(error));
    return index;
}

QString addr(const IpAddress &a)
{
    return QString::fromStdString(a.toString());
}

/// (SPI, src, dst) -> sequence numbers in capture order, straight from the packet records.
using SaKey = std::tuple<std::uint32_t, QString, QString>;
std::map<SaKey, std::vector<std::uint32_t>> sequencesBySa(const CaptureIndex &index)
{
    std::map<SaKey, std::vector<std::uint32_t>> out;
    index.packets.forEach([&](const PacketRecord &r) {
        if (!r.isEsp()) return;
        const Flow &fl = index.flows[r.flowId];
        out[{r.spi(), addr(fl.src), addr(fl.dst)}].push_back(r.seq());
    });
    return out;
}

struct XfrmStats
{
    std::uint32_t configuredWindow = 0;
    std::uint64_t replayWindow = 0;
    std::uint64_t replay = 0;
    std::uint64_t failed = 0;
    bool found = false;
};

/// The block of `ip -s -s xfrm state` for SPI `spi` towards `dst`.
XfrmStats parseXfrmState(const QString &path, std::uint32_t spi, const QString &dst)
{
    XfrmStats st;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return st;
    const QString text = QString::fromUtf8(f.readAll());
    static const QRegularExpression blockStart(QStringLiteral("^src "), QRegularExpression::MultilineOption);
    const QStringList blocks = text.split(blockStart, Qt::SkipEmptyParts);
    const QString spiText = QStringLiteral("spi 0x%1").arg(spi, 8, 16, QLatin1Char('0'));
    static const QRegularExpression cfg(QStringLiteral("\\n\\s*replay-window (\\d+) seq"));
    static const QRegularExpression stats(
        QStringLiteral("stats:\\s*\\n\\s*replay-window (\\d+) replay (\\d+) failed (\\d+)"));
    for (const QString &b : blocks) {
        if (!b.contains(spiText) || !b.contains(QStringLiteral("dst ") + dst + QLatin1Char('\n'))) continue;
        const auto c = cfg.match(b);
        const auto s = stats.match(b);
        if (!c.hasMatch() || !s.hasMatch()) continue;
        st.configuredWindow = c.captured(1).toUInt();
        st.replayWindow = s.captured(1).toULongLong();
        st.replay = s.captured(2).toULongLong();
        st.failed = s.captured(3).toULongLong();
        st.found = true;
    }
    return st;
}

} // namespace

class tst_lab_esp : public QObject
{
    Q_OBJECT
private slots:
    void loss1();
    void reorderAntireplay();
    void clean();
    void suiteEstimate_data();
    void suiteEstimate();
};

void tst_lab_esp::loss1()
{
    const QString dir = labDir(QStringLiteral("loss1"));
    if (!QDir(dir).exists()) QSKIP("tests/data/lab/loss1 is absent (strongSwan lab captures not generated)");
    const auto left = load(dir + QStringLiteral("/left-outer.pcap"));
    const auto right = load(dir + QStringLiteral("/right-outer.pcap"));
    QVERIFY(left && right);
    const auto leftSeqs = sequencesBySa(*left);
    const auto rightSeqs = sequencesBySa(*right);

    int checked = 0;
    std::uint64_t totalMissing = 0;
    // Each direction: the sender's capture against the receiver's.
    for (const auto &[receiver, receiverSeqs, sender, receiverIp] :
         {std::tuple{right.get(), &rightSeqs, &leftSeqs, kRight},
          std::tuple{left.get(), &leftSeqs, &rightSeqs, kLeft}}) {
        const EspSequenceAnalysis a = analyzeEspSequences(*receiver);
        for (const EspSaSequence &s : a.sas) {
            const EspSa &sa = receiver->espSas[s.saIndex];
            const Flow &fl = receiver->flows[sa.flowId];
            if (addr(fl.dst) != receiverIp) continue;
            const auto it = sender->find({s.spi, addr(fl.src), addr(fl.dst)});
            QVERIFY2(it != sender->end(), "SA seen by the receiver but not by the sender");
            const auto &got = receiverSeqs->at({s.spi, addr(fl.src), addr(fl.dst)});
            const std::set<std::uint32_t> received(got.begin(), got.end());
            const std::uint32_t lo = *received.begin(), hi = *received.rbegin();
            std::set<std::uint64_t> expected;
            std::uint64_t lostOutside = 0;
            for (std::uint32_t q : it->second) {
                if (received.count(q)) continue;
                if (q >= lo && q <= hi)
                    expected.insert(q);
                else
                    ++lostOutside; // before the receiver's first or after its last packet: invisible there
            }
            std::set<std::uint64_t> reported;
            for (const auto &r : s.missingRanges)
                for (std::uint64_t q = r.first; q <= r.last; ++q)
                    reported.insert(q);
            QVERIFY(!s.missingRangesTruncated);
            QCOMPARE(reported, expected);
            QCOMPARE(s.missing, std::uint64_t(expected.size()));
            QCOMPARE(s.duplicates, 0ull);
            totalMissing += s.missing + lostOutside;
            ++checked;
        }
    }
    QVERIFY(checked >= 2);
    // truth.json / README: netem dropped 58 ESP left->right, nothing right->left.
    QCOMPARE(totalMissing, 58ull);
}

void tst_lab_esp::reorderAntireplay()
{
    const QString dir = labDir(QStringLiteral("reorder-antireplay"));
    if (!QDir(dir).exists())
        QSKIP("tests/data/lab/reorder-antireplay is absent (strongSwan lab captures not generated)");
    // Right's inbound SA (left -> right). Its SPI is found in right's xfrm state as the SA
    // towards 10.0.2.1 that has a replay window configured.
    const auto right = load(dir + QStringLiteral("/right-outer.pcap"));
    QVERIFY(right);
    int checked = 0;
    for (const EspSa &sa : right->espSas) {
        const Flow &fl = right->flows[sa.flowId];
        if (addr(fl.dst) != kRight) continue;
        const XfrmStats start =
            parseXfrmState(dir + QStringLiteral("/stats/right-xfrm-state-start.txt"), sa.spi, kRight);
        const XfrmStats end =
            parseXfrmState(dir + QStringLiteral("/stats/right-xfrm-state-end.txt"), sa.spi, kRight);
        if (!start.found || !end.found || end.configuredWindow == 0) continue;
        const std::uint64_t kernelOutside = end.replayWindow - start.replayWindow;
        const std::uint64_t kernelReplay = end.replay - start.replay;
        QCOMPARE(end.failed - start.failed, 0ull);

        // 1. The emulator alone, fed the receiver's captured sequence numbers in arrival order.
        ReplayWindow w(end.configuredWindow);
        right->packets.forEach([&](const PacketRecord &r) {
            if (r.isEsp() && r.spi() == sa.spi && r.flowId == sa.flowId) w.receive(r.seq());
        });
        QCOMPARE(w.counters().outsideWindow, kernelOutside);
        QCOMPARE(w.counters().replayed, kernelReplay);

        // 2. The analyzer with the configured window added to the emulated ones.
        EspSequenceOptions opt;
        opt.windows.push_back(end.configuredWindow);
        const EspSequenceAnalysis a = analyzeEspSequences(*right, opt);
        for (const EspSaSequence &s : a.sas) {
            if (s.saIndex != std::uint32_t(&sa - right->espSas.data())) continue;
            bool seen = false;
            for (const auto &o : s.antiReplay) {
                if (o.window != end.configuredWindow) continue;
                seen = true;
                QCOMPARE(o.outsideWindow, kernelOutside);
                QCOMPARE(o.replayed, kernelReplay);
            }
            QVERIFY(seen);
            // Nothing was lost on the wire (truth.json: 4009/4009), so nothing is missing.
            QCOMPARE(s.missing, 0ull);
            QVERIFY(s.reordered > 0);
            QVERIFY(s.minWindowExact > end.configuredWindow);
            qInfo("SPI 0x%08x: kernel window %u dropped %llu; emulated 32: %llu, min safe %u, exact %llu",
                  sa.spi, end.configuredWindow, static_cast<unsigned long long>(kernelOutside),
                  static_cast<unsigned long long>(
                      s.antiReplay.front().window == 32 ? s.antiReplay.front().dropped() : 0),
                  s.minSafeWindow, static_cast<unsigned long long>(s.minWindowExact));
        }
        ++checked;
    }
    QCOMPARE(checked, 1);
}

void tst_lab_esp::clean()
{
    const QString dir = labDir(QStringLiteral("clean"));
    if (!QDir(dir).exists()) QSKIP("tests/data/lab/clean is absent (strongSwan lab captures not generated)");
    for (const QString &name : {QStringLiteral("left-outer.pcap"), QStringLiteral("right-outer.pcap")}) {
        const auto index = load(dir + QLatin1Char('/') + name);
        QVERIFY(index);
        const EspSequenceAnalysis a = analyzeEspSequences(*index);
        QVERIFY(!a.sas.empty());
        for (const EspSaSequence &s : a.sas) {
            QCOMPARE(s.missing, 0ull);
            QCOMPARE(s.reordered, 0ull);
            QCOMPARE(s.duplicates, 0ull);
            QCOMPARE(s.restarts, 0u);
            for (const auto &o : s.antiReplay)
                QCOMPARE(o.dropped(), 0ull);
        }
    }
}

void tst_lab_esp::suiteEstimate_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::newRow("clean") << QStringLiteral("clean");
    QTest::newRow("loss1") << QStringLiteral("loss1");
    QTest::newRow("reorder-antireplay") << QStringLiteral("reorder-antireplay");
}

void tst_lab_esp::suiteEstimate()
{
    QFETCH(QString, scenario);
    const QString dir = labDir(scenario);
    if (!QDir(dir).exists()) QSKIP("lab scenario absent (strongSwan lab captures not generated)");
    const auto index = load(dir + QStringLiteral("/right-outer.pcap"));
    QVERIFY(index);
    int estimated = 0;
    for (std::size_t i = 0; i < index->espSas.size(); ++i) {
        const auto lengths = espLengthsForSa(*index, i);
        if (lengths.size() < 10) continue;
        const OverheadEstimate e =
            estimateSuiteFromEspLengths(lengths, index->espSas[i].encap == Encapsulation::Udp);
        QVERIFY2(e.found, qPrintable(e.sentence));
        QCOMPARE(e.blockBytes, 16);
        QCOMPARE(e.icvBytes, 16);
        QCOMPARE(e.candidates.front().suite.cipher, EspCipher::AesCbc);
        QCOMPARE(e.candidates.front().suite.integrity, EspIntegrity::HmacSha256_128);
        qInfo("%s SPI 0x%08x: %s", qPrintable(scenario), index->espSas[i].spi, qPrintable(e.sentence));
        ++estimated;
    }
    QVERIFY(estimated > 0);
}

QTEST_APPLESS_MAIN(tst_lab_esp)
#include "tst_lab_esp.moc"
