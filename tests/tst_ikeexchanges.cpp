// IKE exchange analyzer on tcpdump's captures (expected values from their .out files and the
// captures INDEX.md) and on a hand-built capture whose expectations follow from the packet list.
#include "analyze/analyzeutil.h"
#include "analyze/ikeexchanges.h"
#include "index/indexbuilder.h"
#include "report/analysisreport.h"
#include "report/jsonwriter.h"
#include "synthcapture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <deque>
#include <random>

using namespace ikev2wb;

namespace {

const IkeSaExchanges *saBySpi(const IkeExchangeAnalysis &a, std::uint64_t ispi)
{
    for (const auto &sa : a.ikeSas)
        if (sa.initiatorSpi == ispi) return &sa;
    return nullptr;
}

QString capture(const char *rel)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/captures/") + QString::fromLatin1(rel);
}

// The hand-built capture: 10.0.0.1 (initiator) <-> 10.0.0.2, UDP 500, IKEv2.
//  SA 0xa1: CREATE_CHILD_SA mid 2 sent at 0, 4, 11.2, 24.16 s (strongSwan's 4 × 1.8^(n−1)), the
//           first send captured twice (same IP ID, +20 µs); answered at 24.2 s.
//  SA 0xb1: INFORMATIONAL mid 7 with an empty SK body (DPD) at 30, 34, 41.2 s, never answered;
//           then silence in that SA and at 60 s a new IKE_SA_INIT (SA 0xc1) from the same host.
//  SA 0xd1: IKE_AUTH mid 1 as RFC 7383 fragments 1, 2 and 4 of 4 at 70 s; response 1/1.
//  SA 0xe1: INFORMATIONAL mid 3 at 80 s answered at 80.01 s, request again at 84 s and the
//           response again at 84.01 s.
//  SA 0x81: INFORMATIONAL mid 5 at 85 and 89 s, never answered, nothing of the SA after it: the
//           capture runs to 101.2 s, 12.2 s of silence > 1.1 × 4 × 1.8 = 7.92 s, when the second
//           retransmission was due: the sender stopped (gave up).
//  SA 0xf1: INFORMATIONAL mid 9 at 90, 94, 101.2 s, never answered, the capture's last packet:
//           0 s of silence < 1.1 × 4 × 1.8^2 = 14.3 s: the capture ended before the outcome.
std::vector<synth::Packet> handBuilt()
{
    using namespace synth;
    std::vector<Packet> p;
    std::uint16_t id = 100;
    const std::uint32_t i = ip4(10, 0, 0, 1), r = ip4(10, 0, 0, 2);
    auto send = [&](double t, bool fromInitiator, const Buf &msg, std::uint16_t ipId = 0) {
        Ip h{fromInitiator ? i : r, fromInitiator ? r : i, ipId ? ipId : ++id};
        p.push_back({std::int64_t(t * 1e6 + 0.5), ipv4(h, 17, udp(500, 500, msg))});
    };
    const Buf cc = ike(0xa1, 0xa2, 36, kInitiator, 2, {sk(200)}, 33);
    send(0, true, cc, 42);
    send(0.00002, true, cc, 42); // capture duplicate
    send(4.0, true, cc);
    send(11.2, true, cc);
    send(24.16, true, cc);
    send(24.2, false, ike(0xa1, 0xa2, 36, kResponse, 2, {sk(180)}, 33));

    const Buf dpd = ike(0xb1, 0xb2, 37, kInitiator, 7, {sk(60)}, 0);
    send(30, true, dpd);
    send(34, true, dpd);
    send(41.2, true, dpd);
    send(60, true, ike(0xc1, 0, 34, kInitiator, 0, {{33, Buf(40, 1)}}));

    send(70.0, true, ike(0xd1, 0xd2, 35, kInitiator, 1, {skf(1, 4, 500)}, 35));
    send(70.001, true, ike(0xd1, 0xd2, 35, kInitiator, 1, {skf(2, 4, 500)}));
    send(70.003, true, ike(0xd1, 0xd2, 35, kInitiator, 1, {skf(4, 4, 120)}));
    send(70.05, false, ike(0xd1, 0xd2, 35, kResponse, 1, {skf(1, 1, 300)}, 36));

    const Buf info = ike(0xe1, 0xe2, 37, kInitiator, 3, {sk(60)}, 0);
    const Buf infoResp = ike(0xe1, 0xe2, 37, kResponse, 3, {sk(60)}, 0);
    send(80, true, info);
    send(80.01, false, infoResp);
    send(84, true, info);
    send(84.01, false, infoResp);

    const Buf stopped = ike(0x81, 0x82, 37, kInitiator, 5, {sk(60)}, 0);
    send(85, true, stopped);
    send(89, true, stopped);
    const Buf cut = ike(0xf1, 0xf2, 37, kInitiator, 9, {sk(60)}, 0);
    send(90, true, cut);
    send(94, true, cut);
    send(101.2, true, cut);
    return p;
}

} // namespace

class TestIkeExchanges : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<CaptureIndex> m_synth;
    IkeExchangeAnalysis m_synthResult;

private Q_SLOTS:
    // The ring behind the rekey windows' queue of recent ESP packets is a FIFO: against
    // std::deque over random pushes, pops and drops, through its growth from 64 slots while the
    // front is anywhere in the ring, every element read back by position.
    void ringQueueIsAFifo()
    {
        analyze_detail::RingQueue<std::uint64_t> ring;
        std::deque<std::uint64_t> expected;
        std::mt19937 rng(14);
        std::uint64_t next = 0;
        std::size_t largest = 0;
        for (int step = 0; step < 20000; ++step) {
            const unsigned op = rng() % 8;
            if (op < 6) { // pushes outnumber pops: the ring grows several times
                ring.push_back(next);
                expected.push_back(next++);
            } else if (op == 6 && !expected.empty()) {
                QCOMPARE(ring.front(), expected.front());
                ring.pop_front();
                expected.pop_front();
            } else if (!expected.empty()) {
                const std::size_t n = rng() % std::min<std::size_t>(expected.size() + 1, 5);
                ring.drop_front(n);
                expected.erase(expected.begin(), expected.begin() + std::ptrdiff_t(n));
            }
            QCOMPARE(ring.size(), expected.size());
            largest = std::max(largest, expected.size());
            QCOMPARE(ring.empty(), expected.empty());
            if (step % 97 == 0)
                for (std::size_t i = 0; i < expected.size(); ++i)
                    QCOMPARE(ring[i], expected[i]);
        }
        QVERIFY(largest > 1024); // it grew well past its first 64 slots
    }

    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString path = m_dir.filePath(QStringLiteral("ike.pcap"));
        QVERIFY(synth::writePcap(path, handBuilt()));
        QString error;
        m_synth = loadCapture(path, &error);
        QVERIFY2(m_synth, qPrintable(error));
        m_synthResult = analyzeIkeExchanges(*m_synth);
    }

    // tcpdump's ikev2four.pcap: per ikev2four.out, IKE_SA_INIT answered by N(COOKIE) only and
    // retried, IKE_AUTH mid 1, CREATE_CHILD_SA mid 2..8 (mid 2 and 3 in flight together), and on
    // a second IKE SA one INFORMATIONAL request (mid 0) without a response. INDEX.md: 0 retransmits.
    void ikev2four()
    {
        QString error;
        auto index = loadCapture(capture("tcpdump/tests/ikev2four.pcap"), &error);
        QVERIFY2(index, qPrintable(error));
        const auto a = analyzeIkeExchanges(*index);
        QCOMPARE(a.ikeSas.size(), std::size_t(2));
        const IkeSaExchanges *sa = saBySpi(a, 0xa88875a8198992a6ULL);
        QVERIFY(sa);
        QCOMPARE(sa->responderSpi, 0x71be8358efae7663ULL);
        QCOMPARE(sa->exchanges.size(), std::size_t(10));
        QCOMPARE(sa->exchanges[0].cls, ExchangeClass::IkeSaInitCookie);
        QCOMPARE(sa->exchanges[1].cls, ExchangeClass::IkeSaInit);
        QCOMPARE(sa->cookieRetries, 1u);
        QCOMPARE(sa->exchanges[2].cls, ExchangeClass::IkeAuth);
        int creates = 0;
        for (const auto &e : sa->exchanges) {
            QVERIFY(e.answered);
            QVERIFY(e.retransmissions.empty());
            if (e.exchange == 36) {
                ++creates;
                QCOMPARE(e.messageId, std::uint32_t(creates + 1));
            }
        }
        QCOMPARE(creates, 7);
        // mid 2: request 12:21:24.428594, response .434259; mid 3: .431476 → .441104 (.out).
        QCOMPARE(qRound(sa->exchanges[3].responseMs() * 1000), 5665);
        QCOMPARE(qRound(sa->exchanges[4].responseMs() * 1000), 9628);
        QCOMPARE(sa->retransmissions + sa->unanswered + sa->captureDuplicates, 0u);

        const IkeSaExchanges *other = saBySpi(a, 0x1d9be9451d4f97a8ULL);
        QVERIFY(other);
        QCOMPARE(other->exchanges.size(), std::size_t(1));
        QCOMPARE(other->exchanges[0].exchange, std::uint8_t(37));
        QVERIFY(!other->exchanges[0].answered);
        QCOMPARE(other->unanswered, 1u);
        QCOMPARE(other->gaveUp, 0u); // never retransmitted: not a give-up
        // The SK payload's next-payload field is 42 (Delete), per the captures' tshark summary.
        QCOMPARE(other->exchanges[0].cls, ExchangeClass::Delete);
        QCOMPARE(a.summary.retransmissions, 0u);
    }

    // tcpdump's isakmp4500.pcap (IKEv1 NAT-T): per isakmp4.out, Main Mode on 500 then floats to
    // 4500 (frame 7); the Quick Mode responder message (frames 10, 15, 20, 30) and the
    // initiator's third message (11, 16, 21) are re-sent; INDEX.md: "retransmits 5".
    void isakmp4500()
    {
        QString error;
        auto index = loadCapture(capture("tcpdump/tests/isakmp4500.pcap"), &error);
        QVERIFY2(index, qPrintable(error));
        const auto a = analyzeIkeExchanges(*index);
        const IkeSaExchanges *sa = saBySpi(a, 0x9e89f2388f90bc1eULL);
        QVERIFY(sa);
        QCOMPARE(sa->version, 1);
        QCOMPARE(sa->retransmissions + sa->responseRetransmissions, 5u);
        QCOMPARE(sa->responseRetransmissions, 3u);
        QCOMPARE(sa->captureDuplicates, 0u); // every IP ID is 0: proves nothing
        QVERIFY(sa->floatToNatTNs >= 0);
        const IkeExchange *qm = nullptr;
        for (const auto &e : sa->exchanges)
            if (e.cls == ExchangeClass::V1QuickMode) qm = &e;
        QVERIFY(qm);
        QCOMPARE(qm->messageId, 0x8b7e8947u);
        QVERIFY(qm->answered);
        QCOMPARE(qm->retransmissions.size(), std::size_t(2));
    }

    void synthetic_data()
    {
        QTest::addColumn<quint64>("ispi");
        QTest::addColumn<int>("retransmissions");
        QTest::addColumn<int>("responseRetransmissions");
        QTest::addColumn<int>("captureDuplicates");
        QTest::addColumn<bool>("answered");
        QTest::addColumn<bool>("gaveUp");
        QTest::addColumn<int>("cls");
        QTest::addColumn<bool>("notCaptured");
        // Expectations from the packet list in handBuilt() above.
        QTest::newRow("strongswan schedule")
            << quint64(0xa1) << 3 << 0 << 1 << true << false << int(ExchangeClass::CreateChildSa) << false;
        QTest::newRow("give-up") << quint64(0xb1) << 2 << 0 << 0 << false << true << int(ExchangeClass::Dpd)
                                 << false;
        QTest::newRow("skf fragments")
            << quint64(0xd1) << 0 << 0 << 0 << true << false << int(ExchangeClass::IkeAuth) << false;
        QTest::newRow("re-sent response")
            << quint64(0xe1) << 1 << 1 << 0 << true << false << int(ExchangeClass::Dpd) << false;
        QTest::newRow("new IKE_SA_INIT")
            << quint64(0xc1) << 0 << 0 << 0 << false << false << int(ExchangeClass::IkeSaInit) << false;
        QTest::newRow("silence past the schedule")
            << quint64(0x81) << 1 << 0 << 0 << false << true << int(ExchangeClass::Dpd) << false;
        QTest::newRow("capture ends mid-retransmission")
            << quint64(0xf1) << 2 << 0 << 0 << false << false << int(ExchangeClass::Dpd) << true;
    }
    void synthetic()
    {
        QFETCH(quint64, ispi);
        QFETCH(int, retransmissions);
        QFETCH(int, responseRetransmissions);
        QFETCH(int, captureDuplicates);
        QFETCH(bool, answered);
        QFETCH(bool, gaveUp);
        QFETCH(int, cls);
        QFETCH(bool, notCaptured);
        const IkeSaExchanges *sa = saBySpi(m_synthResult, ispi);
        QVERIFY(sa);
        QCOMPARE(sa->exchanges.size(), std::size_t(1));
        const IkeExchange &e = sa->exchanges.front();
        QCOMPARE(int(e.retransmissions.size()), retransmissions);
        QCOMPARE(int(e.responseRetransmissions), responseRetransmissions);
        QCOMPARE(int(sa->captureDuplicates), captureDuplicates);
        QCOMPARE(e.answered, answered);
        QCOMPARE(e.gaveUp, gaveUp);
        QCOMPARE(int(e.cls), cls);
        QCOMPARE(e.outcomeNotCaptured, notCaptured);
    }

    void strongswanSchedule()
    {
        // DOMAIN.md: 4, 7.2, 13, 23.3, 42 s (rounded).
        QCOMPARE(qRound(strongswanExpectedGapS(1) * 10), 40);
        QCOMPARE(qRound(strongswanExpectedGapS(2) * 10), 72);
        QCOMPARE(qRound(strongswanExpectedGapS(3)), 13);
        QCOMPARE(qRound(strongswanExpectedGapS(4) * 10), 233);
        QCOMPARE(qRound(strongswanExpectedGapS(5)), 42);
        const IkeSaExchanges *sa = saBySpi(m_synthResult, 0xa1);
        QVERIFY(sa);
        const IkeExchange &e = sa->exchanges.front();
        // Sends at 0, 4, 11.2, 24.16 s: gaps 4, 7.2, 12.96 s against 4, 7.2, 12.96 s.
        const double gaps[] = {4.0, 7.2, 12.96};
        for (int n = 0; n < 3; ++n) {
            QVERIFY(qAbs(e.retransmissions[std::size_t(n)].gapS - gaps[n]) < 1e-5);
            QVERIFY(qAbs(e.retransmissions[std::size_t(n)].ratio() - 1.0) < 1e-3);
        }
        QVERIFY(e.fitsStrongswanSchedule());
        QCOMPARE(qRound(e.responseMs()), 24200);
    }

    void skfFragments()
    {
        const IkeSaExchanges *sa = saBySpi(m_synthResult, 0xd1);
        QVERIFY(sa);
        const IkeExchange &e = sa->exchanges.front();
        QCOMPARE(e.fragments.total, std::uint16_t(4));
        QCOMPARE(e.fragments.seen, (std::vector<std::uint16_t>{1, 2, 4}));
        QCOMPARE(e.fragments.missing, (std::vector<std::uint16_t>{3}));
        QCOMPARE(e.responseFragments.missing.size(), std::size_t(0));
        QCOMPARE(m_synthResult.summary.missingFragments, 1u);
    }

    void jsonHasOneKey()
    {
        JsonWriter w;
        w.beginObject();
        writeIkeExchangesJson(w, *m_synth, m_synthResult);
        w.endObject();
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(w.str()));
        QVERIFY(doc.isObject());
        QCOMPARE(doc.object().keys(), QStringList{QStringLiteral("ike")});
        const QJsonObject ike = doc.object().value(QStringLiteral("ike")).toObject();
        QCOMPARE(ike.value(QStringLiteral("summary"))
                     .toObject()
                     .value(QStringLiteral("capture_duplicates"))
                     .toInt(),
                 1);
        QVERIFY(!ikeExchangesText(*m_synth, m_synthResult).isEmpty());
    }

    void cancelStopsEarly()
    {
        std::atomic_bool cancel{true};
        const auto a = analyzeIkeExchanges(*m_synth, &cancel);
        QVERIFY(a.cancelled);
    }
};

QTEST_GUILESS_MAIN(TestIkeExchanges)
#include "tst_ikeexchanges.moc"
