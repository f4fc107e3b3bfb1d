// IKE, NAT-T and MTU analyzers on the strongSwan lab captures (tests/data/lab, see its README).
// Expected values come from the lab: charon's own log lines, truth.json (injected faults and
// parameters) and the README's scenario descriptions; never from this project's output.
#include "analyze/ikeexchanges.h"
#include "analyze/mtu.h"
#include "analyze/natt.h"
#include "index/indexbuilder.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

using namespace ikev2wb;

namespace {

const QString kLab = QStringLiteral(IKEV2WB_TEST_DATA "/lab/");
// Lab topology (README): left 10.0.1.1 initiator, right 10.0.2.1 responder.
const QString kLeft = QStringLiteral("10.0.1.1");

std::unique_ptr<CaptureIndex> loadLab(const QString &scenario, const QString &file)
{
    QString error;
    auto index = loadCapture(kLab + scenario + QLatin1Char('/') + file, &error);
    if (!index) qWarning("%s", qPrintable(error));
    return index;
}

QJsonObject truth(const QString &scenario)
{
    QFile f(kLab + scenario + QStringLiteral("/truth.json"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

int countLogLines(const QString &path, const QRegularExpression &re)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return -1;
    int n = 0;
    while (!f.atEnd())
        if (re.match(QString::fromUtf8(f.readLine())).hasMatch()) ++n;
    return n;
}

// Request retransmissions sent by `sender` in the capture.
int retransmissionsFrom(const CaptureIndex &index, const IkeExchangeAnalysis &a, const QString &sender)
{
    int n = 0;
    for (const auto &sa : a.ikeSas)
        for (const auto &e : sa.exchanges)
            for (const auto &r : e.retransmissions)
                if (QString::fromStdString(index.flows[index.ikeMessages[r.message].flowId].src.toString()) ==
                    sender)
                    ++n;
    return n;
}

} // namespace

class TestLabIke : public QObject
{
    Q_OBJECT
private:
    void requireScenario(const QString &scenario)
    {
        if (!QDir(kLab + scenario).exists())
            QSKIP(qPrintable(QStringLiteral("lab scenario %1 not present in tests/data/lab").arg(scenario)));
    }

private Q_SLOTS:
    void retransmissionsMatchCharon_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("rekey-loss") << QStringLiteral("rekey-loss");
        QTest::newRow("dpd") << QStringLiteral("dpd");
        QTest::newRow("clean") << QStringLiteral("clean");
    }
    // Every "retransmit N of request with message ID M" that left's charon logged is a re-send
    // left's own outer capture holds.
    void retransmissionsMatchCharon()
    {
        QFETCH(QString, scenario);
        requireScenario(scenario);
        const int logged = countLogLines(
            kLab + scenario + QStringLiteral("/charon-left.log"),
            QRegularExpression(QStringLiteral("retransmit \\d+ of request with message ID \\d+")));
        QVERIFY(logged >= 0);
        auto index = loadLab(scenario, QStringLiteral("left-outer.pcap"));
        QVERIFY(index);
        const auto a = analyzeIkeExchanges(*index);
        QCOMPARE(retransmissionsFrom(*index, a, kLeft), logged);
        if (scenario == QLatin1String("clean")) QCOMPARE(a.summary.retransmissions, 0u);
    }

    // dpd: DPD 5 s; both sides "giving up after 3 retransmits" on a DPD request (README).
    void dpd()
    {
        requireScenario(QStringLiteral("dpd"));
        auto index = loadLab(QStringLiteral("dpd"), QStringLiteral("left-outer.pcap"));
        QVERIFY(index);
        const auto a = analyzeIkeExchanges(*index);
        int dpds = 0, gaveUp = 0;
        for (const auto &sa : a.ikeSas)
            for (const auto &e : sa.exchanges) {
                dpds += e.cls == ExchangeClass::Dpd;
                if (e.gaveUp && e.cls == ExchangeClass::Dpd &&
                    QString::fromStdString(
                        index->flows[index->ikeMessages[e.requestMessages.front()].flowId].src.toString()) ==
                        kLeft) {
                    ++gaveUp;
                    QCOMPARE(e.retransmissions.size(), std::size_t(3));
                }
            }
        QVERIFY(dpds >= 1);
        QCOMPARE(gaveUp, 1);
    }

    // natt: left behind MASQUERADE, IKE floats 500 -> 4500, ESP-in-UDP (README, truth.json).
    void natt()
    {
        requireScenario(QStringLiteral("natt"));
        auto index = loadLab(QStringLiteral("natt"), QStringLiteral("left-outer.pcap"));
        QVERIFY(index);
        const auto a = analyzeNatt(*index);
        QVERIFY(!a.floats.empty());
        bool udp = false;
        for (const auto &p : a.pairs)
            udp |= QString::fromLatin1(p.encapsulation()) == QLatin1String("esp-in-udp");
        QVERIFY(udp);
        const auto ike = analyzeIkeExchanges(*index);
        QVERIFY(!ike.ikeSas.empty());
        QVERIFY(ike.ikeSas.front().floatToNatTNs >= 0);
    }

    // natt-expiry: conntrack UDP timeout (truth.json) shorter than the idle period; at right the
    // NATed left reappears on a new public port (rebinding).
    void nattExpiry()
    {
        requireScenario(QStringLiteral("natt-expiry"));
        const int timeout = truth(QStringLiteral("natt-expiry"))
                                .value(QStringLiteral("topology"))
                                .toObject()
                                .value(QStringLiteral("mid"))
                                .toObject()
                                .value(QStringLiteral("conntrack_udp_timeout_s"))
                                .toInt();
        QVERIFY(timeout > 0);
        auto index = loadLab(QStringLiteral("natt-expiry"), QStringLiteral("right-outer.pcap"));
        QVERIFY(index);
        const auto a = analyzeNatt(*index);
        double longest = 0;
        for (const auto &p : a.pairs)
            for (const auto &g : p.idleGaps)
                longest = std::max(longest, g.seconds());
        QVERIFY2(
            longest > timeout,
            qPrintable(QStringLiteral("longest idle gap %1 s, NAT timeout %2 s").arg(longest).arg(timeout)));
        QVERIFY(!a.rebindings.empty());
    }

    // mtu-blackhole: link MTU (truth.json) below the endpoints' 1500, PTBs dropped.
    void mtuBlackhole()
    {
        requireScenario(QStringLiteral("mtu-blackhole"));
        QJsonObject fault;
        for (const auto &v :
             truth(QStringLiteral("mtu-blackhole")).value(QStringLiteral("injected_faults")).toArray())
            if (v.toObject().value(QStringLiteral("type")).toString() == QLatin1String("mtu_blackhole"))
                fault = v.toObject();
        const int linkMtu = fault.value(QStringLiteral("link_mtu")).toInt();
        QVERIFY(linkMtu > 0);
        auto left = loadLab(QStringLiteral("mtu-blackhole"), QStringLiteral("left-outer.pcap"));
        QVERIFY(left);
        const auto a = analyzeMtu(*left);
        QCOMPARE(a.blackHole.level, MtuBlackHole::Level::Suspected);
        QVERIFY(a.largestOuter > linkMtu);
        QVERIFY(a.icmp.empty() || a.pathMtuSource != MtuAnalysis::PathMtuSource::Ptb);
        // At the receiver nothing above the link MTU arrives: the largest seen is within it.
        auto right = loadLab(QStringLiteral("mtu-blackhole"), QStringLiteral("right-outer.pcap"));
        QVERIFY(right);
        const auto b = analyzeMtu(*right);
        QCOMPARE(b.pathMtuSource, MtuAnalysis::PathMtuSource::LargestSeen);
        QVERIFY(int(b.pathMtu) <= linkMtu);
    }
};

QTEST_GUILESS_MAIN(TestLabIke)
#include "tst_lab_ike.moc"
