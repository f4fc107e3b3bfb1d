// NAT traversal analyzer on a hand-built capture (expectations derived from the packet list in
// the comment below) and on tcpdump's isakmp4500.pcap (expectations from INDEX.md / isakmp4.out).
#include "analyze/natt.h"
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

// I = 10.0.0.1, R = 10.0.0.2.
//   0 / 0.01 s      IKE_SA_INIT request / response on UDP 500
//   0.1 / 0.11 s    IKE_AUTH request / response on 4500 behind the non-ESP marker (the float)
//   1..5 s          ESP-in-UDP I->R SPI 0x1000 seq 1..5 (4500->4500)
//   1.5, 2.5, 3.5 s ESP-in-UDP R->I SPI 0x2000 seq 1..3
//   25, 45, 65 s    NAT keepalives I->R (each 20 s after the previous I->R packet)
//   130 s           ESP-in-UDP I->R SPI 0x1000 seq 9 from source port 31000 (NAT rebinding)
//   131 s           ESP-in-UDP R->I SPI 0x2000 seq 10 on the old flow (seq 4..9 never seen)
//   2.2, 2.4, 2.6 s plain ESP 10.0.0.3 -> 10.0.0.4 SPI 0x3000 seq 1..3, no reverse SA
// So: idle gaps of the I/R pair (both directions silent): 5->25, 25->45, 45->65 (20 s each),
// 65->130 (65 s: beyond the 30 and 60 s NAT timeouts, then a port change and 6 ESP numbers
// skipped); and R->I alone silent 3.5->131 s (the same 6 numbers skipped after it).
std::vector<synth::Packet> handBuilt()
{
    using namespace synth;
    std::vector<Packet> p;
    std::uint16_t id = 1;
    const std::uint32_t i = ip4(10, 0, 0, 1), r = ip4(10, 0, 0, 2);
    auto add = [&](double t, std::uint32_t src, std::uint32_t dst, std::uint8_t proto, const Buf &payload) {
        p.push_back({std::int64_t(t * 1e6 + 0.5), ipv4(Ip{src, dst, id++}, proto, payload)});
    };
    add(0, i, r, 17, udp(500, 500, ike(0x77, 0, 34, kInitiator, 0, {notify(16388, 20)})));
    add(0.01, r, i, 17, udp(500, 500, ike(0x77, 0x88, 34, kResponse, 0, {notify(16388, 20)})));
    add(0.1, i, r, 17, udp(4500, 4500, withNonEspMarker(ike(0x77, 0x88, 35, kInitiator, 1, {sk(100)}, 35))));
    add(0.11, r, i, 17, udp(4500, 4500, withNonEspMarker(ike(0x77, 0x88, 35, kResponse, 1, {sk(100)}, 36))));
    for (int s = 1; s <= 5; ++s)
        add(s, i, r, 17, udp(4500, 4500, esp(0x1000, std::uint32_t(s), 100)));
    for (int s = 1; s <= 3; ++s)
        add(0.5 + s, r, i, 17, udp(4500, 4500, esp(0x2000, std::uint32_t(s), 100)));
    for (int s = 1; s <= 3; ++s)
        add(2.0 + 0.2 * s, ip4(10, 0, 0, 3), ip4(10, 0, 0, 4), 50, esp(0x3000, std::uint32_t(s), 100));
    for (double t : {25.0, 45.0, 65.0})
        add(t, i, r, 17, udp(4500, 4500, Buf{0xff}));
    add(130, i, r, 17, udp(31000, 4500, esp(0x1000, 9, 100)));
    add(131, r, i, 17, udp(4500, 4500, esp(0x2000, 10, 100)));
    std::sort(p.begin(), p.end(), [](const Packet &a, const Packet &b) { return a.tsUs < b.tsUs; });
    return p;
}

} // namespace

class TestNatt : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<CaptureIndex> m_index;
    NattAnalysis m_a;

    const NatPeerPair *pair(const char *a, const char *b) const
    {
        for (const auto &p : m_a.pairs)
            if (QString::fromStdString(p.a.toString()) == QLatin1String(a) &&
                QString::fromStdString(p.b.toString()) == QLatin1String(b))
                return &p;
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString path = m_dir.filePath(QStringLiteral("natt.pcap"));
        QVERIFY(synth::writePcap(path, handBuilt()));
        QString error;
        m_index = loadCapture(path, &error);
        QVERIFY2(m_index, qPrintable(error));
        m_a = analyzeNatt(*m_index);
    }

    void encapsulation_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("encap");
        QTest::addColumn<int>("keepalives");
        QTest::newRow("nat-t pair") << QStringLiteral("10.0.0.1") << QStringLiteral("10.0.0.2")
                                    << QStringLiteral("esp-in-udp") << 3;
        QTest::newRow("plain esp") << QStringLiteral("10.0.0.3") << QStringLiteral("10.0.0.4")
                                   << QStringLiteral("esp") << 0;
    }
    void encapsulation()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, encap);
        QFETCH(int, keepalives);
        const NatPeerPair *p = pair(a.toLatin1().constData(), b.toLatin1().constData());
        QVERIFY(p);
        QCOMPARE(QString::fromLatin1(p->encapsulation()), encap);
        QCOMPARE(int(p->keepalives), keepalives);
    }

    void floatAndKeepalive()
    {
        QCOMPARE(m_a.floats.size(), std::size_t(1));
        QCOMPARE(m_a.floats[0].tsNs - m_index->firstNs, std::int64_t(100'000'000));
        QCOMPARE(m_a.floats[0].toDstPort, std::uint16_t(4500));
        QCOMPARE(m_a.keepalives.size(), std::size_t(1));
        const auto &k = m_a.keepalives[0];
        QCOMPARE(k.count, std::uint64_t(3));
        QVERIFY(qAbs(k.medianIntervalS - 20.0) < 1e-6);
        QVERIFY(qAbs(k.maxIntervalS - 20.0) < 1e-6);
        QVERIFY(qAbs(k.medianIdleBeforeS - 20.0) < 1e-6);
        QVERIFY(k.matchesStrongswanDefault());
    }

    void rebindingAndGap()
    {
        QCOMPARE(m_a.rebindings.size(), std::size_t(1));
        const NatRebinding &rb = m_a.rebindings[0];
        QCOMPARE(rb.spi, 0x1000u);
        QCOMPARE(m_index->flows[m_index->espSas[rb.oldSa].flowId].srcPort, std::uint16_t(4500));
        QCOMPARE(m_index->flows[m_index->espSas[rb.newSa].flowId].srcPort, std::uint16_t(31000));

        const NatPeerPair *p = pair("10.0.0.1", "10.0.0.2");
        QVERIFY(p);
        QCOMPARE(p->idleGaps.size(), std::size_t(5));
        const NatIdleGap *big = nullptr;
        for (const auto &g : p->idleGaps)
            if (g.seconds() > 60 && g.direction == NatIdleGap::Direction::Both) big = &g;
        QVERIFY(big);
        QVERIFY(qAbs(big->seconds() - 65.0) < 1e-6);
        QVERIFY(big->portChangeAfter);
        QVERIFY(!big->oneWayAfter);
        QCOMPARE(big->espSequenceJump, std::uint64_t(6));
        const NatIdleGap &last = p->idleGaps.back();
        QCOMPARE(last.direction, NatIdleGap::Direction::BToA); // R->I silent from 3.5 to 131 s
        QVERIFY(qAbs(last.seconds() - 127.5) < 1e-6);
        QCOMPARE(last.espSequenceJump, std::uint64_t(6));
    }

    void oneWay()
    {
        QCOMPARE(m_a.oneWaySas.size(), std::size_t(1));
        QCOMPARE(m_index->espSas[m_a.oneWaySas[0]].spi, 0x3000u);
    }

    // isakmp4500.pcap, INDEX.md: MM on 500 then floats to 4500, ESP-in-UDP SPI 0xf4dc0ae5 in one
    // direction only, 4 NAT keepalives.
    void isakmp4500()
    {
        QString error;
        auto index =
            loadCapture(QStringLiteral(IKEV2WB_TEST_DATA "/captures/tcpdump/tests/isakmp4500.pcap"), &error);
        QVERIFY2(index, qPrintable(error));
        const auto a = analyzeNatt(*index);
        QCOMPARE(a.pairs.size(), std::size_t(1));
        QCOMPARE(QString::fromLatin1(a.pairs[0].encapsulation()), QStringLiteral("esp-in-udp"));
        QCOMPARE(a.pairs[0].keepalives, std::uint64_t(4));
        QCOMPARE(a.floats.size(), std::size_t(1));
        QCOMPARE(a.oneWaySas.size(), std::size_t(1));
        QCOMPARE(index->espSas[a.oneWaySas[0]].spi, 0xf4dc0ae5u);
    }

    void json()
    {
        JsonWriter w;
        w.beginObject();
        writeNattJson(w, *m_index, m_a);
        w.endObject();
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(w.str()));
        QCOMPARE(doc.object().keys(), QStringList{QStringLiteral("natt")});
        QVERIFY(!nattText(*m_index, m_a).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestNatt)
#include "tst_natt.moc"
