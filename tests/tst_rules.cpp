// Each checklist rule on hand-built Facts: it fires on the situation it is written for (with
// the status and numbers the facts imply) and stays quiet on a healthy baseline and on the
// situations other rules own. Expected numbers are worked out in the comments.
#include "diagnose/checklist.h"
#include "diagnose/fixes.h"
#include "diagnose/rules.h"

#include <QtTest>

#include <functional>

using namespace ikev2wb;

namespace {

/// A healthy capture pair with host evidence: nothing should fire.
Facts healthy()
{
    Facts f;
    f.haveCapture = f.havePair = f.haveCounters = f.haveLogs = true;
    f.connection = QStringLiteral("lab");
    f.child = QStringLiteral("net");
    f.wanInterface = QStringLiteral("wan0");
    f.localAddress = QStringLiteral("10.0.1.1");
    f.peerAddress = QStringLiteral("10.0.2.1");
    f.suite = EspSuite{EspCipher::AesCbc, EspIntegrity::HmacSha256_128, 128, false};
    f.suiteSource = QStringLiteral("configuration");
    f.espPackets = 2000;
    f.dir[0] = DirectionFacts{QStringLiteral("10.0.1.1"),
                              QStringLiteral("10.0.2.1"),
                              1000,
                              1000,
                              0,
                              0,
                              0,
                              false,
                              1500,
                              0,
                              0,
                              0,
                              0,
                              0,
                              {},
                              {}};
    f.dir[1] = DirectionFacts{QStringLiteral("10.0.2.1"),
                              QStringLiteral("10.0.1.1"),
                              1000,
                              1000,
                              0,
                              0,
                              0,
                              false,
                              1500,
                              0,
                              0,
                              0,
                              0,
                              0,
                              {},
                              {}};
    f.largestOuter = 1500;
    f.ikeEstablished = true;
    f.ikeExchanges = f.ikeAnswered = 2;
    return f;
}

struct Case
{
    const char *name;
    const char *cause; // rule under test
    bool fires;
    StepStatus status; // when it fires
    std::function<void(Facts &)> build;
};

const std::vector<Case> &cases()
{
    static const std::vector<Case> c{
        // --- packet_loss_in_transit
        {"loss/pair 58 of 5995", "packet_loss_in_transit", true, StepStatus::Fail,
         [](Facts &f) {
             f.dir[0].lost = 58;
             f.dir[0].received = 942;
         }},
        {"loss/pair 1 of 1000 is a warning", "packet_loss_in_transit", true, StepStatus::Warn,
         [](Facts &f) {
             f.dir[0].lost = 1;
             f.dir[0].received = 999;
         }},
        {"loss/size-dependent is the MTU's", "packet_loss_in_transit", false, StepStatus::Pass,
         [](Facts &f) {
             f.dir[0].lost = 30;
             f.dir[0].sizeDependent = true;
         }},
        {"loss/inside outages is not random", "packet_loss_in_transit", false, StepStatus::Pass,
         [](Facts &f) {
             f.dir[0].lost = 30;
             f.dir[0].outageLost = 30;
         }},
        {"loss/nothing arrived is esp_blocked", "packet_loss_in_transit", false, StepStatus::Pass,
         [](Facts &f) {
             f.dir[0].lost = 1000;
             f.dir[0].received = 0;
         }},
        {"loss/one capture gaps", "packet_loss_in_transit", true, StepStatus::Fail,
         [](Facts &f) {
             f.havePair = false;
             f.seqMissing.value = 58;
             f.seqMissingSaPackets = 5937;
         }},
        {"loss/healthy", "packet_loss_in_transit", false, StepStatus::Pass, [](Facts &) {}},
        // --- mtu_blackhole
        {"mtu/pair size-dependent", "mtu_blackhole", true, StepStatus::Fail,
         [](Facts &f) {
             f.dir[0].lost = 31;
             f.dir[0].sizeDependent = true;
             f.dir[0].largestDelivered = 1100;
             f.dir[0].smallestLost = 1404;
             f.pathMtuLower = 1100;
             f.pathMtuUpper = 1404;
         }},
        {"mtu/one capture suspected", "mtu_blackhole", true, StepStatus::Fail,
         [](Facts &f) {
             f.havePair = false;
             f.blackHoleLevel = 2;
         }},
        {"mtu/one capture possible", "mtu_blackhole", true, StepStatus::Warn,
         [](Facts &f) {
             f.havePair = false;
             f.blackHoleLevel = 1;
         }},
        {"mtu/pair overrules the analyzer", "mtu_blackhole", false, StepStatus::Pass,
         [](Facts &f) { f.blackHoleLevel = 2; }},
        {"mtu/PTB seen: PMTUD works", "mtu_blackhole", false, StepStatus::Pass,
         [](Facts &f) {
             f.dir[0].lost = 5;
             f.dir[0].sizeDependent = true;
             f.ptbSeen = true;
             f.ptbMtu = 1400;
         }},
        {"mtu/healthy", "mtu_blackhole", false, StepStatus::Pass, [](Facts &) {}},
        // --- path_mtu_reduced
        {"ptb/1400", "path_mtu_reduced", true, StepStatus::Warn,
         [](Facts &f) {
             f.ptbSeen = true;
             f.ptbMtu = 1400;
         }},
        {"ptb/1500 is no reduction", "path_mtu_reduced", false, StepStatus::Pass,
         [](Facts &f) {
             f.ptbSeen = true;
             f.ptbMtu = 1500;
         }},
        // --- peer_unreachable
        {"peer/log gives up", "peer_unreachable", true, StepStatus::Fail,
         [](Facts &f) {
             f.logGiveUps.value = 1;
             f.peerNotResponding.value = 1;
         }},
        {"peer/capture gave up", "peer_unreachable", true, StepStatus::Fail,
         [](Facts &f) { f.ikeGaveUp.value = 1; }},
        {"peer/outage both ways", "peer_unreachable", true, StepStatus::Fail,
         [](Facts &f) {
             f.outageS = 20;
             f.outageBothWays = true;
             f.outageLost.value = 90;
         }},
        {"peer/outage one way", "peer_unreachable", true, StepStatus::Warn,
         [](Facts &f) {
             f.outageS = 20;
             f.outageLost.value = 90;
         }},
        {"peer/short outage", "peer_unreachable", false, StepStatus::Pass,
         [](Facts &f) {
             f.outageS = 2;
             f.outageLost.value = 5;
         }},
        {"peer/outage the NAT explains", "peer_unreachable", false, StepStatus::Pass,
         [](Facts &f) {
             f.outageS = 6;
             f.outageLost.value = 11;
             f.icmpPortUnreachNatT.value = 11;
         }},
        {"peer/healthy", "peer_unreachable", false, StepStatus::Pass, [](Facts &) {}},
        // --- nat_mapping_expiry
        {"nat/icmp + rebinding", "nat_mapping_expiry", true, StepStatus::Fail,
         [](Facts &f) {
             f.natT = true;
             f.icmpPortUnreachNatT.value = 11;
             f.rebindings.value = 1;
             f.idleBeforeFailureS = 16.5;
         }},
        {"nat/log mapping change only", "nat_mapping_expiry", true, StepStatus::Warn,
         [](Facts &f) {
             f.natT = true;
             f.natMappingChanges.value = 1;
         }},
        {"nat/no NAT-T", "nat_mapping_expiry", false, StepStatus::Pass,
         [](Facts &f) { f.icmpPortUnreachNatT.value = 3; }},
        {"nat/NAT-T healthy", "nat_mapping_expiry", false, StepStatus::Pass,
         [](Facts &f) {
             f.natT = true;
             f.natDetected = true;
             f.keepaliveIntervalS = 20;
         }},
        // --- ike_retransmissions
        {"ike/5 retransmits, 3 for one", "ike_retransmissions", true, StepStatus::Fail,
         [](Facts &f) {
             f.ikeRetransmissions.value = 5;
             f.maxRetransmitsOneExchange = 3;
         }},
        {"ike/1 retransmit", "ike_retransmissions", true, StepStatus::Warn,
         [](Facts &f) {
             f.logRetransmits.value = 1;
             f.maxRetransmitsOneExchange = 1;
         }},
        {"ike/given up is peer_unreachable's", "ike_retransmissions", true, StepStatus::Warn,
         [](Facts &f) {
             f.ikeRetransmissions.value = 5;
             f.maxRetransmitsOneExchange = 3;
             f.logGiveUps.value = 1;
         }},
        {"ike/healthy", "ike_retransmissions", false, StepStatus::Pass, [](Facts &) {}},
        // --- antireplay_reordering
        {"replay/counter grew with reordering", "antireplay_reordering", true, StepStatus::Fail,
         [](Facts &f) {
             f.replayCounter.value = 25;
             f.reordered.value = 1022;
             f.minSafeWindow = 32;
             f.configuredReplayWindow = 16;
         }},
        {"replay/window below measured need", "antireplay_reordering", true, StepStatus::Fail,
         [](Facts &f) {
             f.reordered.value = 100;
             f.minSafeWindow = 40;
             f.configuredReplayWindow = 32;
         }},
        {"replay/reordering, window unknown", "antireplay_reordering", true, StepStatus::Warn,
         [](Facts &f) {
             f.reordered.value = 100;
             f.minSafeWindow = 29;
         }},
        {"replay/reordering within known window", "antireplay_reordering", false, StepStatus::Pass,
         [](Facts &f) {
             f.reordered.value = 100;
             f.minSafeWindow = 20;
             f.configuredReplayWindow = 32;
         }},
        {"replay/healthy", "antireplay_reordering", false, StepStatus::Pass, [](Facts &) {}},
        // --- esp_blocked
        {"esp/pair nothing arrives", "esp_blocked", true, StepStatus::Fail,
         [](Facts &f) {
             f.dir[0].received = 0;
             f.dir[0].lost = 13;
             f.dir[0].sent = 13;
             f.espNeverReceived = true;
         }},
        {"esp/one capture one-way + inbound SA 0", "esp_blocked", true, StepStatus::Fail,
         [](Facts &f) {
             f.havePair = false;
             f.espOneWay.value = 5;
             f.inboundSaZero.value = 1;
             f.outboundSaPackets = 5;
         }},
        {"esp/IKE not established", "esp_blocked", false, StepStatus::Pass,
         [](Facts &f) {
             f.espNeverReceived = true;
             f.ikeEstablished = false;
         }},
        {"esp/healthy", "esp_blocked", false, StepStatus::Pass, [](Facts &) {}},
        // --- firewall_reject
        {"fw/admin prohibited", "firewall_reject", true, StepStatus::Fail,
         [](Facts &f) { f.icmpAdminProhibited.value = 2; }},
        {"fw/healthy", "firewall_reject", false, StepStatus::Pass, [](Facts &) {}},
        // --- offload_or_crypto_errors
        {"offload/proto errors", "offload_or_crypto_errors", true, StepStatus::Warn,
         [](Facts &f) { f.xfrmInStateProtoError.value = 12; }},
        {"offload/healthy", "offload_or_crypto_errors", false, StepStatus::Pass, [](Facts &) {}},
        // --- host_receive_drops
        {"rx/missed", "host_receive_drops", true, StepStatus::Warn, [](Facts &f) { f.rxMissed.value = 300; }},
        {"rx/healthy", "host_receive_drops", false, StepStatus::Pass, [](Facts &) {}},
    };
    return c;
}

} // namespace

class TestRules : public QObject
{
    Q_OBJECT
private slots:
    void rule_data()
    {
        QTest::addColumn<int>("index");
        for (std::size_t i = 0; i < cases().size(); ++i)
            QTest::newRow(cases()[i].name) << int(i);
    }

    void rule()
    {
        QFETCH(int, index);
        const Case &c = cases()[std::size_t(index)];
        Facts f = healthy();
        c.build(f);
        const Rule *r = findRule(QString::fromLatin1(c.cause));
        QVERIFY(r);
        const std::optional<Finding> fd = r->fn(f);
        QCOMPARE(fd.has_value(), c.fires);
        if (!fd) return;
        QCOMPARE(fd->cause, QString::fromLatin1(c.cause));
        QCOMPARE(fd->step, r->step);
        QCOMPARE(int(fd->status), int(c.status));
        QVERIFY(fd->confidence > 0 && fd->confidence <= 1);
        QVERIFY(!fd->evidence.empty());
    }

    void healthyFactsGiveNoFinding()
    {
        const Diagnosis d = runChecklist(healthy());
        QVERIFY(d.findings.empty());
        QCOMPARE(d.steps.size(), std::size_t(6));
        for (const ChecklistStep &s : d.steps)
            QVERIFY(s.status == StepStatus::Pass || s.status == StepStatus::NotEnoughEvidence);
    }

    void tableIsComplete()
    {
        // Each cause once, steps 1..6, and every step but none without a rule.
        QSet<QString> seen;
        QSet<int> steps;
        for (const Rule &r : checklistRules()) {
            QVERIFY(!seen.contains(QString::fromLatin1(r.cause)));
            seen.insert(QString::fromLatin1(r.cause));
            QVERIFY(r.step >= 1 && r.step <= 6);
            steps.insert(r.step);
        }
        QCOMPARE(steps.size(), 6);
    }

    void mtuFixNumbers()
    {
        // 1100 passed, 1404 lost: the largest common link MTU in [1100, 1404) is 1400. AES-CBC +
        // HMAC-SHA256-128, IPv4, no NAT-T: A = 1400 − 20 − 8 − 16 − 16 = 1340; floor(1340/16)·16 = 1328;
        // inner 1326; MSS 1286.
        Facts f = healthy();
        f.dir[0].lost = 31;
        f.dir[0].sizeDependent = true;
        f.dir[0].largestDelivered = 1100;
        f.dir[0].smallestLost = 1404;
        f.pathMtuLower = 1100;
        f.pathMtuUpper = 1404;
        QCOMPARE(likelyPathMtu(f), 1400u);
        const auto fd = ruleMtuBlackhole(f);
        QVERIFY(fd);
        bool mss = false, mtu = false;
        for (const Fix &x : fd->fixes) {
            mss |= x.kind == FixKind::Iptables && x.text.contains(QLatin1String("--set-mss 1286"));
            mtu |= x.kind == FixKind::IpLink &&
                   x.text.contains(QLatin1String("ip link set dev wan0 mtu 1400")) &&
                   x.text.contains(QLatin1String("xfrm0 mtu 1326"));
        }
        QVERIFY(mss);
        QVERIFY(mtu);
        // Nothing common in range: the largest size that passed.
        f.pathMtuLower = 1401;
        f.pathMtuUpper = 1404;
        QCOMPARE(likelyPathMtu(f), 1401u);
    }

    void natKeepaliveNumbers()
    {
        // Known NAT timeout 10 s → half: 5 s. Only an upper bound of 16.5 s idle → a third: 5 s.
        // 120 s → capped at strongSwan's default 20 s.
        QCOMPARE(recommendedKeepalive(10, true), 5);
        QCOMPARE(recommendedKeepalive(16.5, false), 5);
        QCOMPARE(recommendedKeepalive(120, true), 20);
        QCOMPARE(recommendedKeepalive(1, true), 1);
    }

    void replayWindowNumbers()
    {
        // 2 × the measured minimum, rounded up to a power of two, at least 64.
        QCOMPARE(recommendedReplayWindow(32), 64u);
        QCOMPARE(recommendedReplayWindow(33), 128u);
        QCOMPARE(recommendedReplayWindow(5), 64u);
        QCOMPARE(recommendedReplayWindow(1000), 2048u);
    }

    void retransmitSchedule()
    {
        // DOMAIN.md: 4, 7.2, 12.96, 23.33, 41.99 s, then 75.58 s to the give-up: 165 s in all.
        QVERIFY(qAbs(retransmitTotalS(5, 4.0, 1.8) - 165.07) < 0.1);
    }

    void ranking()
    {
        Finding a, b, c;
        a.status = StepStatus::Warn;
        a.confidence = 0.9;
        b.status = StepStatus::Fail;
        b.confidence = 0.5;
        c.status = StepStatus::Fail;
        c.confidence = 0.7;
        QVERIFY(findingRanksBefore(b, a));
        QVERIFY(findingRanksBefore(c, b));
        QVERIFY(!findingRanksBefore(a, c));
    }
};

QTEST_GUILESS_MAIN(TestRules)
#include "tst_rules.moc"
