// `analyze` without per-packet records: loadAndAnalyzeCapture() feeds the analyzers during the
// read. Its results must be those of the analyzers' passes over an index with records: checked
// on a hand-built rekey (expected values counted from the packet list below), on every lab and
// peer-project capture, and on the cases where it has to read the capture again (a clock that
// steps back, a ring with a file missing).
#include "analyze/analysis.h"
#include "index/indexbuilder.h"
#include "report/analysisreport.h"
#include "synthcapture.h"

#include <QDirIterator>
#include <QTemporaryDir>
#include <QtTest>

using namespace ikev2wb;

namespace {

constexpr std::int64_t kS = 1000000; // µs

// 10.0.0.1 (initiator) -> 10.0.0.2, ESP:
//  old SA 0x1000: seq k at k × 0.1 s, k = 1..150, except 48, 49 and 120 (lost);
//  CREATE_CHILD_SA (IKE SA 0xa1) request at 4.99 s, response at 5.0 s: the rekey's time;
//  new SA 0x2000: seq k at 5.5 + (k − 1) × 0.1 s, k = 1..146 (to 20.0 s), except 10 (at 6.4 s);
//  INFORMATIONAL with a Delete inside (SK's first payload 42) at 6.0 s, answered at 6.01 s.
// Rekey window ±5 s around 5.0 s: old SA k = 1..100 (48, 49 missing), new SA k = 1..46 (10
// missing): 3 numbers never seen. Old-SA packets later than 6.01 + 1 s: k = 71..150 without 120 = 79.
std::vector<synth::Packet> rekey(bool stepBack)
{
    using namespace synth;
    std::vector<Packet> p;
    std::uint16_t id = 1;
    const std::uint32_t i = ip4(10, 0, 0, 1), r = ip4(10, 0, 0, 2);
    auto at = [&](std::int64_t us, bool fromI, std::uint8_t proto, const Buf &payload) {
        p.push_back({us, ipv4(Ip{fromI ? i : r, fromI ? r : i, ++id}, proto, payload)});
    };
    for (std::uint32_t k = 1; k <= 150; ++k)
        if (k != 48 && k != 49 && k != 120) at(k * kS / 10, true, 50, esp(0x1000, k, 100));
    for (std::uint32_t k = 1; k <= 146; ++k)
        if (k != 10) at(55 * kS / 10 + (k - 1) * kS / 10, true, 50, esp(0x2000, k, 100));
    at(499 * kS / 100, true, 17, udp(500, 500, ike(0xa1, 0xa2, 36, kInitiator, 2, {sk(200)}, 33)));
    at(5 * kS, false, 17, udp(500, 500, ike(0xa1, 0xa2, 36, kResponse, 2, {sk(180)}, 33)));
    at(6 * kS, true, 17, udp(500, 500, ike(0xa1, 0xa2, 37, kInitiator, 3, {sk(80)}, 42)));
    at(601 * kS / 100, false, 17, udp(500, 500, ike(0xa1, 0xa2, 37, kResponse, 3, {sk(60)}, 0)));
    std::stable_sort(p.begin(), p.end(), [](const Packet &a, const Packet &b) { return a.tsUs < b.tsUs; });
    if (stepBack) std::swap(p[20], p[21]); // two ESP packets of the old SA out of time order
    return p;
}

const IkeRekeyEvent *onlyRekey(const IkeExchangeAnalysis &a)
{
    return a.rekeys.size() == 1 ? &a.rekeys.front() : nullptr;
}

std::string recordsJson(const QStringList &paths)
{
    QString error;
    auto index = loadCapture(paths, &error);
    if (!index) return "unreadable: " + error.toStdString();
    return analysisJson(*index, analyzeCapture(*index));
}

} // namespace

class TestDuringRead : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const std::vector<synth::Packet> &packets)
    {
        const QString path = m_dir.filePath(name);
        if (!synth::writePcap(path, packets)) return {};
        return path;
    }

private Q_SLOTS:
    void handBuiltRekey()
    {
        const QString path = write(QStringLiteral("rekey.pcap"), rekey(false));
        QVERIFY(!path.isEmpty());
        QString error;
        const AnalyzedCapture read = loadAndAnalyzeCapture({path}, &error);
        QVERIFY2(read.index, qPrintable(error));
        QVERIFY(!read.readTwice);
        QVERIFY(!read.index->hasRecords()); // analysed without a record per packet
        QCOMPARE(read.index->packetCount(), std::size_t(150 - 3 + 146 - 1 + 4));
        const IkeRekeyEvent *ev = onlyRekey(read.analysis.ike);
        QVERIFY(ev);
        QCOMPARE(ev->kind, ExchangeClass::ChildRekey);
        QCOMPARE(ev->deleteNs, std::int64_t(6010000000LL)); // the INFORMATIONAL's response
        QCOMPARE(ev->packetsAfterDelete, std::uint64_t(79));
        QCOMPARE(ev->espMissingNearRekey, std::uint64_t(3));
        // The passes over the records count the same.
        auto index = loadCapture(path, &error);
        QVERIFY(index && index->hasRecords());
        const IkeExchangeAnalysis fromRecords = analyzeIkeExchanges(*index);
        QVERIFY(onlyRekey(fromRecords));
        QCOMPARE(onlyRekey(fromRecords)->packetsAfterDelete, std::uint64_t(79));
        QCOMPARE(onlyRekey(fromRecords)->espMissingNearRekey, std::uint64_t(3));
        QCOMPARE(analysisJson(*read.index, read.analysis), analysisJson(*index, analyzeCapture(*index)));
    }

    void clockStepsBackReadsAgain()
    {
        const QString path = write(QStringLiteral("stepback.pcap"), rekey(true));
        QString error;
        const AnalyzedCapture read = loadAndAnalyzeCapture({path}, &error);
        QVERIFY2(read.index, qPrintable(error));
        QVERIFY(read.readTwice);
        QVERIFY(read.index->hasRecords());
        QCOMPARE(read.index->timeBackwards, std::uint64_t(1));
        QCOMPARE(analysisJson(*read.index, read.analysis), recordsJson({path}));
    }

    void ringWithAndWithoutAMissingFile()
    {
        // The rekey capture cut in three by time (0-4 s, 4-12 s, 12-20 s): ring numbers 1..3.
        const std::vector<synth::Packet> all = rekey(false);
        std::vector<synth::Packet> part[3];
        for (const auto &p : all)
            part[p.tsUs < 4 * kS ? 0 : (p.tsUs < 12 * kS ? 1 : 2)].push_back(p);
        QStringList files;
        for (int k = 0; k < 3; ++k)
            files << write(QStringLiteral("ring_0000%1.pcap").arg(k + 1), part[k]);
        QString error;
        // Whole: no gap, analysed during the read, the ESP facts of the single file.
        const AnalyzedCapture whole = loadAndAnalyzeCapture(files, &error);
        QVERIFY2(whole.index, qPrintable(error));
        QVERIFY(!whole.readTwice);
        QVERIFY(whole.index->set.gaps.empty());
        QCOMPARE(analysisJson(*whole.index, whole.analysis), recordsJson(files));
        QCOMPARE(whole.analysis.esp.sas.size(), std::size_t(2));
        QCOMPARE(whole.analysis.esp.sas[0].missing, std::uint64_t(3)); // 48, 49, 120
        QCOMPARE(whole.analysis.esp.sas[1].missing, std::uint64_t(1)); // 10
        // The middle file missing: a gap, whose numbers are not loss; read again with records.
        const QStringList holed{files[0], files[2]};
        const AnalyzedCapture cut = loadAndAnalyzeCapture(holed, &error);
        QVERIFY2(cut.index, qPrintable(error));
        QCOMPARE(cut.index->set.gaps.size(), std::size_t(1));
        QVERIFY(cut.readTwice);
        QCOMPARE(analysisJson(*cut.index, cut.analysis), recordsJson(holed));
    }

    void everyCommittedCaptureAsFromRecords()
    {
        int n = 0;
        for (const char *dir : {"/lab", "/captures"}) {
            QDirIterator it(QStringLiteral(IKEV2WB_TEST_DATA) + QLatin1String(dir),
                            {QStringLiteral("*.pcap"), QStringLiteral("*.pcapng"), QStringLiteral("*.cap")},
                            QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString path = it.next();
                QString error;
                const AnalyzedCapture read = loadAndAnalyzeCapture({path}, &error);
                if (!read.index) continue; // unreadable: loadCapture says so the same way
                QVERIFY2(analysisJson(*read.index, read.analysis) == recordsJson({path}), qPrintable(path));
                ++n;
            }
        }
        QVERIFY(n >= 20);
    }
};

QTEST_GUILESS_MAIN(TestDuringRead)
#include "tst_duringread.moc"
