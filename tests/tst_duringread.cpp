// `analyze` without per-packet records: loadAndAnalyzeCapture() feeds the analyzers during the
// read. Its results must be those of the analyzers' passes over an index with records: checked
// on a hand-built rekey (expected values counted from the packet list below), on every lab and
// peer-project capture, and on the cases where it has to read the capture again (a clock that
// steps back, a ring with a file missing).
#include "analyze/analysis.h"
#include "compare/endpointcompare.h"
#include "index/indexbuilder.h"
#include "report/analysisreport.h"
#include "report/comparereport.h"
#include "synthcapture.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace ikev2wb;

namespace {

constexpr std::int64_t kS = 1000000; // µs

/// A child SA rekey between 10.0.0.1 (initiator) and 10.0.0.2: the old SA's ESP, the
/// CREATE_CHILD_SA (IKE SA 0xa1) request 10 ms before the rekey's time and its response at it,
/// the new SA's ESP from 0.5 s after it, and an INFORMATIONAL with a Delete inside (SK's first
/// payload 42) 1 s after it, answered 10 ms later.
struct RekeyPlan
{
    std::int64_t stepUs;    // between two ESP packets of an SA
    std::uint32_t oldCount; // old SA 0x1000: seq k at k × step, k = 1..oldCount
    std::vector<std::uint32_t> oldLost;
    std::int64_t rekeyUs;
    std::uint32_t newCount; // new SA 0x2000: seq k at rekey + 0.5 s + (k − 1) × step
    std::vector<std::uint32_t> newLost;
};

// Old SA k = 1..150 every 0.1 s except 48, 49 and 120 (lost); rekey at 5.0 s; new SA k = 1..146
// (5.5 s to 20.0 s) except 10 (at 6.4 s); Delete at 6.0 s, answered at 6.01 s.
// Rekey window ±5 s around 5.0 s: old SA k = 1..100 (48, 49 missing), new SA k = 1..46 (10
// missing): 3 numbers never seen. Old-SA packets later than 6.01 + 1 s: k = 71..150 without 120 = 79.
const RekeyPlan kRekey{kS / 10, 150, {48, 49, 120}, 5 * kS, 146, {10}};

// The same after 15 s of dense ESP, so that the packets before the rekey no longer fit the
// read's first buffer of recent packets (it drops the older ones as it fills): old SA
// k = 1..1900 every 10 ms (to 19.0 s) except 500, 1001, 1200 and 1899; rekey at 15.0 s; new SA
// k = 1..451 (15.5 s to 20.0 s) except 100; Delete at 16.0 s, answered at 16.01 s.
// Rekey window ±5 s around 15.0 s: old SA k = 1000..1900 (1001, 1200, 1899 missing), new SA
// k = 1..451 (100 missing): 4 numbers never seen. Old-SA packets later than 16.01 + 1 s:
// k = 1702..1900 without 1899 = 198.
const RekeyPlan kRekeyAfterLongRun{kS / 100, 1900, {500, 1001, 1200, 1899}, 15 * kS, 451, {100}};

std::vector<synth::Packet> rekey(const RekeyPlan &plan, bool stepBack = false)
{
    using namespace synth;
    std::vector<Packet> p;
    std::uint16_t id = 1;
    const std::uint32_t i = ip4(10, 0, 0, 1), r = ip4(10, 0, 0, 2);
    auto at = [&](std::int64_t us, bool fromI, std::uint8_t proto, const Buf &payload) {
        p.push_back({us, ipv4(Ip{fromI ? i : r, fromI ? r : i, ++id}, proto, payload)});
    };
    auto lost = [](const std::vector<std::uint32_t> &l, std::uint32_t k) {
        return std::find(l.begin(), l.end(), k) != l.end();
    };
    for (std::uint32_t k = 1; k <= plan.oldCount; ++k)
        if (!lost(plan.oldLost, k)) at(k * plan.stepUs, true, 50, esp(0x1000, k, 100));
    for (std::uint32_t k = 1; k <= plan.newCount; ++k)
        if (!lost(plan.newLost, k))
            at(plan.rekeyUs + kS / 2 + (k - 1) * plan.stepUs, true, 50, esp(0x2000, k, 100));
    const std::int64_t t = plan.rekeyUs;
    at(t - kS / 100, true, 17, udp(500, 500, ike(0xa1, 0xa2, 36, kInitiator, 2, {sk(200)}, 33)));
    at(t, false, 17, udp(500, 500, ike(0xa1, 0xa2, 36, kResponse, 2, {sk(180)}, 33)));
    at(t + kS, true, 17, udp(500, 500, ike(0xa1, 0xa2, 37, kInitiator, 3, {sk(80)}, 42)));
    at(t + kS + kS / 100, false, 17, udp(500, 500, ike(0xa1, 0xa2, 37, kResponse, 3, {sk(60)}, 0)));
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

// Every field of a comparison's observations, as text (for equality with what it should be).
QString describe(const CaptureObservations &o)
{
    QString t = QStringLiteral("packets %1 esp %2 ignored %3 span %4-%5 cancelled %6 warning '%7'\n")
                    .arg(o.packets)
                    .arg(o.espPackets)
                    .arg(o.ignoredPackets)
                    .arg(o.firstNs)
                    .arg(o.lastNs)
                    .arg(o.cancelled)
                    .arg(o.readWarning);
    for (const ObservedSa &sa : o.sas) {
        t += QStringLiteral("sa %1/%2 udp %3 %4:%5 > %6:%7 ttl %8 packets %9 indexes %10:")
                 .arg(sa.spi, 0, 16)
                 .arg(sa.generation)
                 .arg(sa.udp)
                 .arg(QString::fromStdString(sa.src.toString()))
                 .arg(sa.srcPort)
                 .arg(QString::fromStdString(sa.dst.toString()))
                 .arg(sa.dstPort)
                 .arg(sa.maxTtl)
                 .arg(sa.packets.size())
                 .arg(sa.packetIndex.size());
        for (const EspObservation &p : sa.packets)
            t += QStringLiteral(" %1@%2/%3").arg(p.seq()).arg(p.tsNs).arg(p.size);
        t += QLatin1Char('\n');
    }
    for (const ObservedIke &m : o.ike)
        t +=
            QStringLiteral("ike %1 %2:%3 > %4:%5 %6/%7 mid %8 len %9 size %10 frag %11 x %12 f %13 ttl %14\n")
                .arg(m.tsNs)
                .arg(QString::fromStdString(m.src.toString()))
                .arg(m.srcPort)
                .arg(QString::fromStdString(m.dst.toString()))
                .arg(m.dstPort)
                .arg(m.ispi, 0, 16)
                .arg(m.rspi, 0, 16)
                .arg(m.messageId)
                .arg(m.length)
                .arg(m.size)
                .arg(m.fragment)
                .arg(m.exchange)
                .arg(m.flags)
                .arg(m.ttl);
    return t;
}

/// The observations the comparison took before it observed during the read: from an index with
/// a record per packet.
QString fromRecords(const QStringList &paths)
{
    QString error;
    auto index = loadCapture(paths, &error);
    if (!index) return QStringLiteral("unreadable: ") + error;
    return describe(*observeIndex(*index));
}

/// Every committed lab and peer-project capture.
QStringList committedCaptures()
{
    QStringList out;
    for (const char *dir : {"/lab", "/captures"}) {
        QDirIterator it(QStringLiteral(IKEV2WB_TEST_DATA) + QLatin1String(dir),
                        {QStringLiteral("*.pcap"), QStringLiteral("*.pcapng"), QStringLiteral("*.cap")},
                        QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            out << it.next();
    }
    return out;
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

    /// The rekey capture cut in three by time (0-4 s, 4-12 s, 12-20 s): ring numbers 1..3.
    QStringList ringOfThree(const QString &name)
    {
        std::vector<synth::Packet> part[3];
        for (const auto &p : rekey(kRekey))
            part[p.tsUs < 4 * kS ? 0 : (p.tsUs < 12 * kS ? 1 : 2)].push_back(p);
        QStringList files;
        for (int k = 0; k < 3; ++k)
            files << write(QStringLiteral("%1_0000%2.pcap").arg(name).arg(k + 1), part[k]);
        return files;
    }

private Q_SLOTS:
    void handBuiltRekey()
    {
        const QString path = write(QStringLiteral("rekey.pcap"), rekey(kRekey));
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

    void rekeyAfterSecondsOfPackets()
    {
        const QString path = write(QStringLiteral("rekey-long.pcap"), rekey(kRekeyAfterLongRun));
        QVERIFY(!path.isEmpty());
        QString error;
        const AnalyzedCapture read = loadAndAnalyzeCapture({path}, &error);
        QVERIFY2(read.index, qPrintable(error));
        QVERIFY(!read.readTwice); // the packets near the rekey were all still held
        const IkeRekeyEvent *ev = onlyRekey(read.analysis.ike);
        QVERIFY(ev);
        QCOMPARE(ev->kind, ExchangeClass::ChildRekey);
        QCOMPARE(ev->deleteNs, std::int64_t(16010000000LL));
        QCOMPARE(ev->packetsAfterDelete, std::uint64_t(198));
        QCOMPARE(ev->espMissingNearRekey, std::uint64_t(4));
        auto index = loadCapture(path, &error);
        QVERIFY(index && index->hasRecords());
        QCOMPARE(analysisJson(*read.index, read.analysis), analysisJson(*index, analyzeCapture(*index)));
    }

    void clockStepsBackReadsAgain()
    {
        const QString path = write(QStringLiteral("stepback.pcap"), rekey(kRekey, true));
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
        const QStringList files = ringOfThree(QStringLiteral("ring"));
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
        for (const QString &path : committedCaptures()) {
            QString error;
            const AnalyzedCapture read = loadAndAnalyzeCapture({path}, &error);
            if (!read.index) continue; // unreadable: loadCapture says so the same way
            QVERIFY2(analysisJson(*read.index, read.analysis) == recordsJson({path}), qPrintable(path));
            ++n;
        }
        QVERIFY(n >= 20);
    }

    // A pair counted by hand. 10.0.0.1 (A) sends SA 0x3000 numbers 1..20 every 10 ms; B's capture
    // has them 5 ms later, without 5 and 6 (lost), with 9 after 11 (reordered) and 14 twice.
    // B sends SA 0x3001 numbers 1..10 every 10 ms from 0.5 s; A's capture lacks 4.
    void handCountedPairObservedDuringRead()
    {
        using namespace synth;
        const std::uint32_t a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
        std::vector<Packet> pa, pb;
        std::uint16_t id = 1;
        const auto espAt = [&](std::vector<Packet> &v, std::int64_t us, std::uint32_t src, std::uint32_t dst,
                               std::uint32_t spi, std::uint32_t seq, std::size_t body) {
            v.push_back({us, ipv4(Ip{src, dst, ++id}, 50, esp(spi, seq, body))});
        };
        const std::int64_t ms = 1000;
        for (std::uint32_t k = 1; k <= 20; ++k) {
            espAt(pa, k * 10 * ms, a, b, 0x3000, k, 100 + k);
            if (k == 5 || k == 6 || k == 9) continue;
            espAt(pb, k * 10 * ms + 5 * ms, a, b, 0x3000, k, 100 + k);
            if (k == 11) espAt(pb, 115 * ms + 1 * ms, a, b, 0x3000, 9, 109);
            if (k == 14) espAt(pb, 145 * ms + 1 * ms, a, b, 0x3000, 14, 114);
        }
        for (std::uint32_t k = 1; k <= 10; ++k) {
            espAt(pb, 500 * ms + k * 10 * ms, b, a, 0x3001, k, 200);
            if (k != 4) espAt(pa, 500 * ms + k * 10 * ms + 7 * ms, b, a, 0x3001, k, 200);
        }
        const QString fa = write(QStringLiteral("pair-a.pcap"), pa),
                      fb = write(QStringLiteral("pair-b.pcap"), pb);
        QVERIFY(!fa.isEmpty() && !fb.isEmpty());

        QString error;
        bool twice = true;
        const auto ob = observeCapture({fb}, &error, {}, nullptr, &twice);
        QVERIFY2(ob, qPrintable(error));
        QVERIFY(!twice);
        QCOMPARE(ob->packets, std::uint64_t(18 + 1 + 10)); // 18 numbers of 0x3000, a copy, 10 of 0x3001
        QCOMPARE(ob->espPackets, std::uint64_t(29));
        QCOMPARE(ob->sas.size(), std::size_t(2));
        std::vector<std::uint64_t> arrival;
        for (const EspObservation &o : ob->sas[0].packets)
            arrival.push_back(o.seq());
        QCOMPARE(arrival, (std::vector<std::uint64_t>{1, 2, 3, 4, 7, 8, 10, 11, 9, 12, 13, 14, 14, 15, 16, 17,
                                                      18, 19, 20}));
        QCOMPARE(ob->sas[0].packets[8].tsNs, std::int64_t(116) * 1000000); // 9, late
        QCOMPARE(ob->sas[0].packets[8].size, std::uint16_t(20 + 8 + 109));
        QCOMPARE(describe(*ob), fromRecords({fb}));

        CompareResult r;
        QVERIFY2(compareCaptureFiles(fa, fb, r, &error), qPrintable(error));
        const DirectionComparison &ab = r.directions[0], &ba = r.directions[1];
        QCOMPARE(ab.sent, std::uint64_t(20));
        QCOMPARE(ab.received, std::uint64_t(18));
        QCOMPARE(ab.lostInTransit.size(), std::size_t(2));
        QCOMPARE(ab.lostInTransit[0].seq, std::uint64_t(5));
        QCOMPARE(ab.lostInTransit[1].seq, std::uint64_t(6));
        QCOMPARE(ab.duplicated, std::uint64_t(1));
        QCOMPARE(ab.reordered, std::uint64_t(1));
        QCOMPARE(ab.reorderedPackets.front().seq, std::uint64_t(9));
        QCOMPARE(ba.sent, std::uint64_t(10));
        QCOMPARE(ba.received, std::uint64_t(9));
        QCOMPARE(ba.lostInTransit.size(), std::size_t(1));
        QCOMPARE(ba.lostInTransit[0].seq, std::uint64_t(4));
        // Delays: 5 ms A→B, 7 ms B→A: offset (5 − 7) / 2 = −1 ms, path delay 6 ms.
        QVERIFY(r.clock.identifiable);
        QVERIFY(std::abs(r.clock.offsetS - (-0.001)) < 1e-9);
        QVERIFY(std::abs(r.clock.pathDelayS - 0.006) < 1e-9);
        // And the whole result as from the records.
        auto ia = loadCapture(fa, &error), ib = loadCapture(fb, &error);
        QVERIFY(ia && ib);
        CompareOptions noPairing;
        noPairing.pairPackets = false;
        QCOMPARE(compareJson(r), compareJson(compareIndexes(*ia, *ib, noPairing)));
    }

    // 0xfffffffe, 0xffffffff, 0, 1 of one SA wrapped (ESN, RFC 4303 §3.3.3): 64-bit 2^32 − 2 ..
    // 2^32 + 1. One pass cannot know it wraps at its first packet: the capture is read again.
    void wrappingSaObservedFromRecords()
    {
        using namespace synth;
        std::vector<Packet> p;
        std::uint16_t id = 1;
        const std::uint32_t seqs[] = {0xfffffffeu, 0xffffffffu, 0u, 1u};
        for (std::size_t k = 0; k < 4; ++k)
            p.push_back({std::int64_t(k + 1) * 1000,
                         ipv4(Ip{ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), ++id}, 50, esp(0x4000, seqs[k], 64))});
        const QString path = write(QStringLiteral("wrap.pcap"), p);
        QString error;
        bool twice = false;
        const auto o = observeCapture({path}, &error, {}, nullptr, &twice);
        QVERIFY2(o, qPrintable(error));
        QVERIFY(twice);
        QCOMPARE(o->sas.size(), std::size_t(1));
        const std::uint64_t two32 = std::uint64_t(1) << 32;
        std::vector<std::uint64_t> got;
        for (const EspObservation &x : o->sas[0].packets)
            got.push_back(x.seq());
        QCOMPARE(got, (std::vector<std::uint64_t>{two32 - 2, two32 - 1, two32, two32 + 1}));
        QCOMPARE(describe(*o), fromRecords({path}));
    }

    // Every committed capture, and the ring cut in three with and without its middle file,
    // observed during the read as from the records; every lab pair compared the same way.
    void committedCapturesObservedAsFromRecords()
    {
        int n = 0;
        QStringList lefts;
        for (const QString &path : committedCaptures()) {
            QString error;
            bool twice = true;
            const auto o = observeCapture({path}, &error, {}, nullptr, &twice);
            if (!o) continue; // unreadable: loadCapture says so the same way
            QVERIFY2(!twice, qPrintable(path));
            QVERIFY2(describe(*o) == fromRecords({path}), qPrintable(path));
            if (QFileInfo(path).fileName().startsWith(QLatin1String("left-outer."))) lefts << path;
            ++n;
        }
        QVERIFY(n >= 20);
        const QStringList files = ringOfThree(QStringLiteral("oring"));
        for (const QStringList &set : {files, QStringList{files[0], files[2]}}) {
            QString error;
            const auto o = observeCapture(set, &error);
            QVERIFY2(o, qPrintable(error));
            QCOMPARE(describe(*o), fromRecords(set));
        }
        QVERIFY(lefts.size() >= 10);
        for (const QString &l : lefts) {
            const QDir d = QFileInfo(l).dir();
            const QStringList rights = d.entryList({QStringLiteral("right-outer.pcap*")}, QDir::Files);
            if (rights.isEmpty()) continue;
            const QString r = d.filePath(rights.front());
            CompareResult during;
            QString error;
            QVERIFY2(compareCaptureFiles(l, r, during, &error), qPrintable(error));
            auto ia = loadCapture(l, &error), ib = loadCapture(r, &error);
            QVERIFY(ia && ib);
            CompareOptions noPairing;
            noPairing.pairPackets = false;
            QVERIFY2(compareJson(during) == compareJson(compareIndexes(*ia, *ib, noPairing)), qPrintable(l));
            QVERIFY2(compareText(during) == compareText(compareIndexes(*ia, *ib, noPairing)), qPrintable(l));
        }
    }
};

QTEST_GUILESS_MAIN(TestDuringRead)
#include "tst_duringread.moc"
