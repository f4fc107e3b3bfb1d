// MTU analyzer on hand-built captures (expectations derived from the packet lists below) and on
// zeek's icmp6-toobig.pcap (PTB MTU 1280) and smtp.pcap (need-frag MTU 1492), per INDEX.md and
// zeek's icmp6-events baseline.
#include "analyze/mtu.h"
#include "index/indexbuilder.h"
#include "report/analysisreport.h"
#include "report/jsonwriter.h"
#include "synthcapture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace ikev2wb;

namespace {

const std::uint32_t A = synth::ip4(10, 0, 1, 1), B = synth::ip4(10, 0, 2, 1);

synth::Packet espPacket(double t, std::uint32_t src, std::uint32_t dst, std::uint32_t spi, std::uint32_t seq,
                        std::uint16_t ipLen, bool df, std::uint16_t id)
{
    // IP length = 20 (IPv4) + 8 (ESP header) + body.
    return {std::int64_t(t * 1e6 + 0.5),
            synth::ipv4(synth::Ip{src, dst, id, df}, 50, synth::esp(spi, seq, ipLen - 28u))};
}

// Black hole, sender side. SA 0x100 A->B, all with DF: seq 1..20 of 200 bytes at 0.0..1.9 s,
// seq 21..30 of 1500 bytes at 2.0..2.9 s, seq 31..50 of 200 bytes at 4.0..13.5 s: the large
// sizes stop 10.6 s before the end with 20 smaller packets after them, no ICMP error. That
// alone fits a bulk transfer that ended (possible); what makes it suspected is the peer: SA
// 0x200 B->A answers every later small packet 50 ms after it (seq 11..30, 100 bytes) but none
// of the large ones (nothing from B within 1 s of 2.0..2.9 s).
// Histogram: 40 in bin 3 ([192,256)), 10 in bin 23 ([1472,1536)). SA 0x200 B->A: 1400 bytes
// without DF, seq 1..10 without 4 (one number missing) → not black-hole evidence (no DF).
std::vector<synth::Packet> blackHole()
{
    std::vector<synth::Packet> p;
    std::uint16_t id = 1;
    std::uint32_t seq = 1;
    for (int k = 0; k < 20; ++k)
        p.push_back(espPacket(0.1 * k, A, B, 0x100, seq++, 200, true, id++));
    for (int k = 0; k < 10; ++k)
        p.push_back(espPacket(2.0 + 0.1 * k, A, B, 0x100, seq++, 1500, true, id++));
    for (int k = 0; k < 20; ++k) {
        p.push_back(espPacket(4.0 + 0.5 * k, A, B, 0x100, seq++, 200, true, id++));
        p.push_back(espPacket(4.05 + 0.5 * k, B, A, 0x200, std::uint32_t(11 + k), 100, false, id++));
    }
    for (std::uint32_t s = 1; s <= 10; ++s)
        if (s != 4) p.push_back(espPacket(0.05 + 0.1 * s, B, A, 0x200, s, 1400, false, id++));
    std::sort(p.begin(), p.end(),
              [](const synth::Packet &a, const synth::Packet &b) { return a.tsUs < b.tsUs; });
    return p;
}

// PTB and fragments. SA 0x100 A->B: 1500-byte DF packets seq 1..3 at 0, 0.1, 0.2 s; at 0.3 s
// router 10.0.9.9 sends A an ICMP need-frag (MTU 1400) quoting A->B ESP SPI 0x100 seq 3, 1500
// bytes, DF. Then SA 0x300 A->B as IP fragments: datagram ID 777 first fragment only (MF, no
// second) → incomplete; ID 778 both fragments → complete.
std::vector<synth::Packet> ptbAndFragments()
{
    using namespace synth;
    std::vector<Packet> p;
    for (std::uint32_t s = 1; s <= 3; ++s)
        p.push_back(espPacket(0.1 * (s - 1), A, B, 0x100, s, 1500, true, std::uint16_t(10 + s)));
    Buf quoted = ipv4(Ip{A, B, 13, true}, 50, esp(0x100, 3, 0), 1500);
    Buf icmp{3, 4, 0, 0, 0, 0};
    put16(icmp, 1400);
    append(icmp, quoted);
    p.push_back({300000, ipv4(Ip{ip4(10, 0, 9, 9), A, 500}, 1, icmp)});
    const Buf whole = esp(0x300, 1, 1592); // 1600 bytes of ESP
    auto fragment = [&](double t, std::uint16_t ipId, std::size_t from, std::size_t len, bool more) {
        Ip h{A, B, ipId, false, more, std::uint16_t(from)};
        p.push_back({std::int64_t(t * 1e6), ipv4(h, 50,
                                                 Buf(whole.begin() + std::ptrdiff_t(from),
                                                     whole.begin() + std::ptrdiff_t(from + len)))});
    };
    fragment(1.0, 777, 0, 1480, true);
    fragment(2.0, 778, 0, 1480, true);
    fragment(2.001, 778, 1480, 120, false);
    return p;
}

std::unique_ptr<CaptureIndex> load(const QString &path)
{
    QString error;
    auto index = loadCapture(path, &error);
    if (!index) qWarning("%s", qPrintable(error));
    return index;
}

const MtuSaSizes *sizesOf(const CaptureIndex &index, const MtuAnalysis &a, std::uint32_t spi)
{
    for (const auto &m : a.sas)
        if (index.espSas[m.espSa].spi == spi) return &m;
    return nullptr;
}

/// `p` in time order, written to `path` and loaded (nullptr on failure).
std::unique_ptr<CaptureIndex> loadInTimeOrder(std::vector<synth::Packet> p, const QString &path)
{
    std::stable_sort(p.begin(), p.end(),
                     [](const synth::Packet &a, const synth::Packet &b) { return a.tsUs < b.tsUs; });
    if (!synth::writePcap(path, p)) return nullptr;
    return load(path);
}

/// `n` 300-byte ESP packets of an SA 0x300 C->D without a reverse direction, `step` seconds
/// apart from `from`: they make the reply check settle packets during the read (every 1,024
/// ESP packets), not only at its end.
void addUnrelatedSa(std::vector<synth::Packet> &p, std::uint32_t n, double from, double step,
                    std::uint16_t &id)
{
    const std::uint32_t c = synth::ip4(10, 0, 3, 1), d = synth::ip4(10, 0, 4, 1);
    for (std::uint32_t k = 0; k < n; ++k)
        p.push_back(espPacket(from + step * k, c, d, 0x300, k + 1, 300, false, id++));
}

} // namespace

class TestMtu : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    /// The packets (in time order) analysed: SA 0x100 A->B's and 0x200 B->A's {large, small}
    /// packets followed by reverse ESP within 1 s.
    void checkReplies(const std::vector<synth::Packet> &p, const QString &file,
                      std::pair<std::uint64_t, std::uint64_t> fromAToB,
                      std::pair<std::uint64_t, std::uint64_t> fromBToA)
    {
        auto index = loadInTimeOrder(p, m_dir.filePath(file));
        QVERIFY(index);
        QCOMPARE(index->timeBackwards, std::uint64_t(0));
        const auto a = analyzeMtu(*index);
        const MtuSaSizes *fromA = sizesOf(*index, a, 0x100);
        const MtuSaSizes *fromB = sizesOf(*index, a, 0x200);
        QVERIFY(fromA && fromB);
        QCOMPARE(fromA->largeFollowedByReverse, fromAToB.first);
        QCOMPARE(fromA->smallFollowedByReverse, fromAToB.second);
        QCOMPARE(fromB->largeFollowedByReverse, fromBToA.first);
        QCOMPARE(fromB->smallFollowedByReverse, fromBToA.second);
    }

private Q_SLOTS:
    void sizeTailGrowsWithLengthsNotPackets()
    {
        // 2000 packets alternating between 1000 and 500 bytes, then 10 of 300: the largest packet
        // after a time is kept as a list of (length, last time) that grows with the distinct
        // lengths; alternating lengths used to add an entry each cycle (review of 5efb55c).
        std::vector<synth::Packet> p;
        std::uint16_t id = 1;
        std::uint32_t seq = 1;
        for (int k = 0; k < 2000; ++k)
            p.push_back(espPacket(0.001 * k, A, B, 0x100, seq++, k % 2 ? 500 : 1000, true, id++));
        for (int k = 0; k < 10; ++k)
            p.push_back(espPacket(3.0 + 0.01 * k, A, B, 0x100, seq++, 300, true, id++));
        const QString path = m_dir.filePath(QStringLiteral("alternating.pcap"));
        QVERIFY(synth::writePcap(path, p));
        auto index = load(path);
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        const MtuSaSizes *m = sizesOf(*index, a, 0x100);
        QVERIFY(m);
        QCOMPARE(m->packets, std::uint64_t(2010));
        QVERIFY2(m->sizeTail.size() <= 3, qPrintable(QString::number(m->sizeTail.size())));
        // by construction: the last 1000-byte packet at 1.998 s, the last 500 at 1.999 s
        const std::int64_t t0 = index->firstNs;
        QCOMPARE(m->largestAfter(t0 + 1'997'000'000), std::uint16_t(1000));
        QCOMPARE(m->largestAfter(t0 + 1'998'500'000), std::uint16_t(500));
        QCOMPARE(m->largestAfter(t0 + 2'500'000'000), std::uint16_t(300));
    }

    void blackHoleSuspected()
    {
        const QString path = m_dir.filePath(QStringLiteral("bh.pcap"));
        QVERIFY(synth::writePcap(path, blackHole()));
        auto index = load(path);
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        const MtuSaSizes *m = sizesOf(*index, a, 0x100);
        QVERIFY(m);
        QCOMPARE(m->packets, std::uint64_t(50));
        QCOMPARE(m->histogram[3], std::uint64_t(40));
        QCOMPARE(m->histogram[23], std::uint64_t(10));
        QCOMPARE(m->p50, std::uint16_t(200));
        QCOMPARE(m->max, std::uint16_t(1500));
        QCOMPARE(m->dfFraction(), 1.0);
        QCOMPARE(m->largeDfPackets, std::uint64_t(10));
        QCOMPARE(m->largeDfMin, std::uint16_t(1500)); // the smallest large DF packet (all are 1500)
        QCOMPARE(m->packetsAfterLastLarge, std::uint64_t(20));
        // The size cliff: the 10 packets of 1500 bytes, none answered; the 40 smaller ones but
        // those of the capture's final second (after 12.55 s: seq 49 and 50 at 13.0 and 13.5 s),
        // which are counted apart.
        QCOMPARE(m->cliffSize, std::uint16_t(1500));
        QCOMPARE(m->cliffSent, std::uint64_t(10));
        QCOMPARE(m->cliffAnswered, std::uint64_t(0));
        QCOMPARE(m->cliffLate, std::uint64_t(0));
        QCOMPARE(m->belowSent, std::uint64_t(38));
        QCOMPARE(m->belowLate, std::uint64_t(2));
        const MtuSaSizes *back = sizesOf(*index, a, 0x200);
        QVERIFY(back);
        QCOMPARE(back->sequenceMissing, std::uint64_t(1));
        QCOMPARE(back->dfPackets, std::uint64_t(0));
        QCOMPARE(back->largeDfMin, std::uint16_t(0)); // 1400-byte packets, none with DF
        QCOMPARE(a.blackHole.level, MtuBlackHole::Level::Suspected);
        QCOMPARE(index->espSas[std::size_t(a.blackHole.espSa)].spi, 0x100u);
        QCOMPARE(a.pathMtuSource, MtuAnalysis::PathMtuSource::LargestSeen);
        QCOMPARE(a.pathMtu, 1500u);
    }

    // The black hole capture with one more 1500-byte DF packet A->B at 13.2 s (seq 51), in the
    // capture's final second (after 12.55 s: the last packet is B's at 13.55 s). B's 13.55 s
    // packet comes 0.35 s after it, so it counts as followed by reverse ESP (the only large one:
    // 1), but like the two small packets of the final second it stays out of the cliff's counts:
    // 10 sent, none answered as before, 1 more of 1500 bytes or more in the final second.
    void cliffLeavesTheFinalSecondOut()
    {
        std::vector<synth::Packet> p = blackHole();
        p.push_back(espPacket(13.2, A, B, 0x100, 51, 1500, true, 999));
        std::sort(p.begin(), p.end(),
                  [](const synth::Packet &a, const synth::Packet &b) { return a.tsUs < b.tsUs; });
        const QString path = m_dir.filePath(QStringLiteral("bh-late.pcap"));
        QVERIFY(synth::writePcap(path, p));
        auto index = load(path);
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        const MtuSaSizes *m = sizesOf(*index, a, 0x100);
        QVERIFY(m);
        QCOMPARE(m->packets, std::uint64_t(51));
        QCOMPARE(m->largeFollowedByReverse, std::uint64_t(1));
        QCOMPARE(m->cliffSize, std::uint16_t(1500));
        QCOMPARE(m->cliffSent, std::uint64_t(10));
        QCOMPARE(m->cliffAnswered, std::uint64_t(0));
        QCOMPARE(m->cliffLate, std::uint64_t(1));
        QCOMPARE(m->belowSent, std::uint64_t(38));
        QCOMPARE(m->belowLate, std::uint64_t(2));
    }

    // The reply check by hand. SA 0x100 A->B: 200 bytes at 0.0 s, 1400 (DF) at 0.5, 1400 (DF)
    // at 3.0, 200 at 10.0. SA 0x200 B->A, 100 bytes each: 0.5, 1.2, 2.5, 3.0, 5.0. A packet is
    // answered when the first reverse packet strictly after it comes within 1 s:
    //   A 0.0 -> B 0.5 (yes, small)   A 0.5 -> B 1.2 (yes, large)   A 3.0 -> B 5.0 (no: B's 3.0 is
    //   not after it)   A 10.0 -> none;   B 0.5 -> A 3.0 (no)   B 1.2 -> A 3.0 (no)
    //   B 2.5 -> A 3.0 (yes)   B 3.0 -> A 10.0 (no)   B 5.0 -> A 10.0 (no).
    // The same packets in a file whose clock steps back (B's 0.5 s packet written last) give the
    // same answers: the check is about times, not file order (A's 0.0 s packet has no other
    // answer than that one).
    void replyCheckByHand_data()
    {
        QTest::addColumn<bool>("steppedBack");
        QTest::newRow("time order") << false;
        QTest::newRow("clock stepped back") << true;
    }
    void replyCheckByHand()
    {
        QFETCH(bool, steppedBack);
        std::vector<synth::Packet> p;
        std::uint16_t id = 1;
        const double aTimes[] = {0.0, 0.5, 3.0, 10.0};
        const std::uint16_t aLens[] = {200, 1400, 1400, 200};
        for (std::uint32_t k = 0; k < 4; ++k)
            p.push_back(espPacket(aTimes[k], A, B, 0x100, k + 1, aLens[k], aLens[k] > 1000, id++));
        const double bTimes[] = {0.5, 1.2, 2.5, 3.0, 5.0};
        for (std::uint32_t k = 0; k < 5; ++k)
            p.push_back(espPacket(bTimes[k], B, A, 0x200, k + 1, 100, false, id++));
        std::stable_sort(p.begin(), p.end(),
                         [](const synth::Packet &a, const synth::Packet &b) { return a.tsUs < b.tsUs; });
        if (steppedBack) {
            // B's 0.5 s packet (after A's 0.5 s one in time order) moves to the end of the file.
            const auto it = std::find_if(p.begin(), p.end(), [](const synth::Packet &x) {
                return x.tsUs == 500000 && x.ip.size() == 100;
            });
            QVERIFY(it != p.end());
            const synth::Packet moved = *it;
            p.erase(it);
            p.push_back(moved);
        }
        const QString path = m_dir.filePath(QStringLiteral("reply.pcap"));
        QVERIFY(synth::writePcap(path, p));
        auto index = load(path);
        QVERIFY(index);
        QCOMPARE(index->timeBackwards, steppedBack ? std::uint64_t(1) : std::uint64_t(0));
        const auto a = analyzeMtu(*index);
        const MtuSaSizes *fromA = sizesOf(*index, a, 0x100);
        const MtuSaSizes *fromB = sizesOf(*index, a, 0x200);
        QVERIFY(fromA && fromB);
        QCOMPARE(fromA->largeFollowedByReverse, std::uint64_t(1));
        QCOMPARE(fromA->smallFollowedByReverse, std::uint64_t(1));
        QCOMPARE(fromB->largeFollowedByReverse, std::uint64_t(0));
        QCOMPARE(fromB->smallFollowedByReverse, std::uint64_t(1));
        QCOMPARE(fromA->p50,
                 std::uint16_t(1400)); // nearest rank 0.5 * 3 + 0.5 = 2: the third of 200 200 1400 1400
        QCOMPARE(fromA->min, std::uint16_t(200));
        QCOMPARE(fromA->max, std::uint16_t(1400));
    }

    // The reply check's edges by hand. SA 0x100 A->B: 0.5 s (200 bytes), 1.0 (1400, DF), 2.5 (200),
    // 5.0 (200), 6.0 (200), 19.0 (1400, DF), 20.0 (200). SA 0x200 B->A, 100 bytes: 2.0, 2.5, 6.0,
    // 6.0, 20.0. Answered when the first reverse packet strictly after it comes within 1 s:
    //   A 0.5 -> B 2.0 (no: 1.5 s, before B's first packet)   A 1.0 -> B 2.0 (yes, exactly 1 s,
    //   large)   A 2.5 -> B 6.0 (no: B's 2.5 is not after it)   A 5.0 -> B 6.0 (yes, small)
    //   A 6.0 -> B 20.0 (no)   A 19.0 -> B 20.0 (yes, large)   A 20.0 -> none (no: B's last packet
    //   is at its time);   B 2.0 -> A 2.5 (yes)   B 2.5 -> A 5.0 (no)   B 6.0 (twice) -> A 19.0
    //   (no)   B 20.0 -> none (no).
    // 2,000 ESP packets of an SA C->D without a reverse direction, every 10 ms, make the check
    // settle A's and B's packets during the read as well as at its end (every 1,024 ESP packets).
    void replyCheckEdges()
    {
        std::vector<synth::Packet> p;
        std::uint16_t id = 1;
        const double aTimes[] = {0.5, 1.0, 2.5, 5.0, 6.0, 19.0, 20.0};
        const std::uint16_t aLens[] = {200, 1400, 200, 200, 200, 1400, 200};
        for (std::uint32_t k = 0; k < 7; ++k)
            p.push_back(espPacket(aTimes[k], A, B, 0x100, k + 1, aLens[k], aLens[k] > 1000, id++));
        const double bTimes[] = {2.0, 2.5, 6.0, 6.0, 20.0};
        for (std::uint32_t k = 0; k < 5; ++k)
            p.push_back(espPacket(bTimes[k], B, A, 0x200, k + 1, 100, false, id++));
        addUnrelatedSa(p, 2000, 0, 0.01, id);
        checkReplies(p, QStringLiteral("reply-edges.pcap"), {2, 1}, {0, 1});
    }

    // A sparse tunnel: A->B sends 200 bytes every second (t = 0..599 s), B->A answers only the
    // even seconds, 0.5 s later: each of A's odd-second packets waits 1.5 s for the next reverse
    // packet, so it is not answered, and B's direction has a silence before every one of them
    // (299, far more than the analyzer keeps once A's packets are settled past them). Hand
    // count: A's even seconds 0..598 are answered (300; the last, 598, is before B's last
    // packet at 598.5); each of B's 300 packets is followed by A's 0.5 s later (the last, at
    // 598.5, by A's at 599): all answered. 3000 packets of an unrelated SA C->D every 0.2 s make
    // the analyzer settle packets (and drop passed silences) during the read, not only at the end.
    void replyCheckAcrossManySilences()
    {
        std::vector<synth::Packet> p;
        std::uint16_t id = 1;
        for (std::uint32_t k = 0; k < 600; ++k) {
            p.push_back(espPacket(double(k), A, B, 0x100, k + 1, 200, false, id++));
            if (k % 2 == 0) p.push_back(espPacket(k + 0.5, B, A, 0x200, k / 2 + 1, 100, false, id++));
        }
        addUnrelatedSa(p, 3000, 0.01, 0.2, id);
        checkReplies(p, QStringLiteral("silences.pcap"), {0, 300}, {0, 300});
    }

    // Outer lengths beyond the 2047 counted from the start: 98 packets of 200 bytes and 2 of
    // 9000 (a jumbo frame path). By hand: the overflow bin (>= 1600) holds 2, bin 3 holds 98;
    // nearest ranks of 100 sizes: p50 = the 50th (200), p90 = the 90th (200), p99 = the 99th
    // (9000); min 200, max 9000.
    void jumboLengths()
    {
        std::vector<synth::Packet> p;
        for (std::uint16_t k = 0; k < 100; ++k)
            p.push_back(espPacket(0.01 * k, A, B, 0x800, k + 1u, k == 40 || k == 70 ? 9000 : 200, false, k));
        const QString path = m_dir.filePath(QStringLiteral("jumbo.pcap"));
        QVERIFY(synth::writePcap(path, p));
        auto index = load(path);
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        const MtuSaSizes *m = sizesOf(*index, a, 0x800);
        QVERIFY(m);
        QCOMPARE(m->histogram[3], std::uint64_t(98));
        QCOMPARE(m->histogram[25], std::uint64_t(2));
        QCOMPARE(m->p50, std::uint16_t(200));
        QCOMPARE(m->p90, std::uint16_t(200));
        QCOMPARE(m->p99, std::uint16_t(9000));
        QCOMPARE(m->min, std::uint16_t(200));
        QCOMPARE(m->max, std::uint16_t(9000));
        QCOMPARE(a.largestOuter, std::uint16_t(9000));
    }

    // Sequence numbers never seen between an SA's smallest and largest, kept as bits: two runs
    // 2^31 apart (1..10 and 2^31..2^31+5: 2^31 + 5 - 16 missing), and numbers scattered so
    // thinly (1 + k * 1000003 for k < 2000, one of them twice) that they are kept as a list.
    void sequenceMissingSparse_data()
    {
        QTest::addColumn<QList<quint32>>("seqs");
        QTest::addColumn<quint64>("missing");
        QList<quint32> runs;
        for (std::uint32_t s = 1; s <= 10; ++s)
            runs.push_back(s);
        for (std::uint32_t s = 0; s <= 5; ++s)
            runs.push_back(0x80000000u + s);
        QTest::newRow("two runs") << runs << quint64((quint64(1) << 31) + 5 - 16);
        QList<quint32> scattered;
        for (std::uint32_t k = 0; k < 2000; ++k)
            scattered.push_back(1 + k * 1000003u);
        scattered.push_back(1);
        QTest::newRow("scattered") << scattered << quint64(quint64(1999) * 1000003u + 1 - 2000);
        // Bits are kept in chunks of 4096 numbers, the chunk of the previous packet at hand: numbers
        // crossing from chunk 0 into 1 and back (4095 after 4100, 4 after 4096: 4 shares its bit
        // position with 4100, so taking it in 4100's chunk would count it as seen), repeats in
        // both. Seen: 4 and 4090..4105 (17 numbers) between 4 and 4105: 4102 - 17 missing.
        QList<quint32> chunks;
        for (std::uint32_t s = 4090; s <= 4100; ++s)
            chunks.push_back(s);
        chunks << 4095;
        for (std::uint32_t s = 4101; s <= 4105; ++s)
            chunks.push_back(s);
        chunks << 4100 << 4096 << 4 << 4105 << 4;
        QTest::newRow("across chunks and back") << chunks << quint64(4102 - 17);
    }
    void sequenceMissingSparse()
    {
        QFETCH(QList<quint32>, seqs);
        QFETCH(quint64, missing);
        std::vector<synth::Packet> p;
        for (qsizetype k = 0; k < seqs.size(); ++k)
            p.push_back(espPacket(0.001 * double(k), A, B, 0x700, seqs[k], 200, false, std::uint16_t(k)));
        const QString path = m_dir.filePath(QStringLiteral("sparse.pcap"));
        QVERIFY(synth::writePcap(path, p));
        auto index = load(path);
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        const MtuSaSizes *m = sizesOf(*index, a, 0x700);
        QVERIFY(m);
        QCOMPARE(m->packets, std::uint64_t(seqs.size()));
        QCOMPARE(quint64(m->sequenceMissing), missing);
    }

    void largePacketsArrivingAreNoBlackHole()
    {
        // Issue 10, defect 13. A receiver's capture: SA 0x500 A->B delivers 1400-byte DF packets
        // seq 1..30 at 0.0..2.9 s (7 and 19 missing: lost somewhere upstream), then 200-byte ones
        // seq 31..50 at 4.0..13.5 s. The missing numbers prove the capture is downstream of the
        // loss, so the 28 large packets in it arrived: the loss is not a black hole for large sizes.
        std::vector<synth::Packet> p;
        std::uint16_t id = 1;
        for (std::uint32_t s = 1; s <= 30; ++s)
            if (s != 7 && s != 19) p.push_back(espPacket(0.1 * (s - 1), A, B, 0x500, s, 1400, true, id++));
        for (std::uint32_t s = 31; s <= 50; ++s)
            p.push_back(espPacket(4.0 + 0.5 * (s - 31), A, B, 0x500, s, 200, true, id++));
        const QString path = m_dir.filePath(QStringLiteral("arrive.pcap"));
        QVERIFY(synth::writePcap(path, p));
        auto index = load(path);
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        const MtuSaSizes *m = sizesOf(*index, a, 0x500);
        QVERIFY(m);
        QCOMPARE(m->sequenceMissing, std::uint64_t(2));
        QCOMPARE(m->largeDfPackets, std::uint64_t(28));
        QCOMPARE(a.blackHole.level, MtuBlackHole::Level::None);
        QVERIFY(a.blackHole.evidence.isEmpty());
    }

    // The smallest large DF size (the "N outer packets of MIN–MAX bytes were sent with DF set"
    // of a sender-side suspicion): SA 0x100 A->B sends 1300 bytes without DF, then with DF 1450,
    // 1350, 200 (small), 1400 and 1500 bytes: 4 large DF packets, the smallest 1350 bytes.
    void smallestLargeDfSize()
    {
        std::vector<synth::Packet> p;
        std::uint16_t id = 1;
        std::uint32_t seq = 1;
        p.push_back(espPacket(0.0, A, B, 0x100, seq++, 1300, false, id++));
        for (const std::uint16_t len : {1450, 1350, 200, 1400, 1500}) {
            p.push_back(espPacket(0.1 * seq, A, B, 0x100, seq, len, true, id++));
            ++seq;
        }
        auto index = loadInTimeOrder(p, m_dir.filePath(QStringLiteral("dfmin.pcap")));
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        const MtuSaSizes *m = sizesOf(*index, a, 0x100);
        QVERIFY(m);
        QCOMPARE(m->largeDfPackets, std::uint64_t(4));
        QCOMPARE(m->largeDfMin, std::uint16_t(1350));
    }

    void bulkEndIsOnlyPossible()
    {
        // The same sender-side pattern without the peer's answers (drop B->A seq 11..30): large
        // sizes that stop are what any bulk transfer looks like when it ends → only possible.
        auto packets = blackHole();
        packets.erase(std::remove_if(
                          packets.begin(), packets.end(),
                          [](const synth::Packet &pk) { return pk.tsUs >= 4'000'000 && pk.ip.size() < 150; }),
                      packets.end());
        const QString path = m_dir.filePath(QStringLiteral("bulk.pcap"));
        QVERIFY(synth::writePcap(path, packets));
        auto index = load(path);
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        QCOMPARE(a.blackHole.level, MtuBlackHole::Level::Possible);
    }

    void ptbAndFragments()
    {
        const QString path = m_dir.filePath(QStringLiteral("ptb.pcap"));
        QVERIFY(synth::writePcap(path, ::ptbAndFragments()));
        auto index = load(path);
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        QCOMPARE(a.icmp.size(), std::size_t(1));
        QVERIFY(a.icmp[0].tunnel);
        QVERIFY(a.icmp[0].espSa >= 0);
        QCOMPARE(index->espSas[std::size_t(a.icmp[0].espSa)].spi, 0x100u);
        QCOMPARE(a.pathMtu, 1400u);
        QCOMPARE(a.pathMtuSource, MtuAnalysis::PathMtuSource::Ptb);
        QCOMPARE(a.blackHole.level, MtuBlackHole::Level::None);
        QCOMPARE(a.fragmentsComplete, std::uint64_t(1));
        QCOMPARE(a.fragmentsIncomplete, std::uint64_t(1));
    }

    void realIcmp_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("errors");
        QTest::addColumn<int>("mtu");
        // INDEX.md: icmp6-toobig.pcap "ICMPv6 Packet Too Big, MTU 1280"; smtp.pcap "ICMP
        // Fragmentation-Needed (type 3 code 4, next-hop MTU 1492) ... x4" for a TCP flow.
        QTest::newRow("icmp6-toobig")
            << QStringLiteral("zeek/testing/btest/Traces/icmp/icmp6-toobig.pcap") << 1 << 1280;
        QTest::newRow("smtp") << QStringLiteral("zeek/testing/btest/Traces/smtp.pcap") << 4 << 1492;
    }
    void realIcmp()
    {
        QFETCH(QString, file);
        QFETCH(int, errors);
        QFETCH(int, mtu);
        auto index = load(QStringLiteral(IKEV2WB_TEST_DATA "/captures/") + file);
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        int sized = 0;
        for (const auto &x : a.icmp) {
            const IcmpError &e = index->icmpErrors[x.icmpError];
            if (e.mtu) {
                ++sized;
                QCOMPARE(int(e.mtu), mtu);
            }
            QVERIFY(!x.tunnel); // neither quotes IPsec traffic
        }
        QCOMPARE(sized, errors);
        QCOMPARE(int(a.minIcmpMtuAny), mtu);
        QCOMPARE(a.pathMtuSource, MtuAnalysis::PathMtuSource::None);
    }

    void json()
    {
        const QString path = m_dir.filePath(QStringLiteral("bh2.pcap"));
        QVERIFY(synth::writePcap(path, blackHole()));
        auto index = load(path);
        QVERIFY(index);
        const auto a = analyzeMtu(*index);
        JsonWriter w;
        w.beginObject();
        writeMtuJson(w, *index, a);
        w.endObject();
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(w.str()));
        QCOMPARE(doc.object().keys(), QStringList{QStringLiteral("mtu")});
        const QJsonObject bh = doc.object()
                                   .value(QStringLiteral("mtu"))
                                   .toObject()
                                   .value(QStringLiteral("black_hole"))
                                   .toObject();
        QCOMPARE(bh.value(QStringLiteral("level")).toString(), QStringLiteral("suspected"));
        QVERIFY(!mtuText(*index, a).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMtu)
#include "tst_mtu.moc"
