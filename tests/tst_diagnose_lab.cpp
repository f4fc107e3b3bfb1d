// The guided checklist against the strongSwan fault lab (tests/data/lab, see its README.md).
// For every scenario, (a) with both endpoints' outer captures and (b) with one capture plus
// that host's stats/ files and charon log, the top finding must name the injected fault.
// Expected values come from the lab, never from the diagnosis:
// - the fault → cause table below maps truth.json's injected_faults[0].type;
// - mtu-blackhole: the fix's MTU/MSS are recomputed here by hand from truth.json's router link
//   MTU (topology.mid.mtu_right_link) and the suite (ipsec.esp_proposal "aes128-sha256":
//   AES-CBC IV 16, block 16, HMAC-SHA256-128 ICV 16) with DOMAIN.md's formula;
// - reorder-antireplay: the window must be at least the ESP analysis' min_window_exact of the
//   receiver's capture and above the configured 16 (truth.json ipsec.replay_window.right);
// - natt-expiry: keep_alive must be below truth.json topology.mid.conntrack_udp_timeout_s;
// - clean and natt (no loss injected): no step fails.
#include "analyze/analysis.h"
#include "diagnose/checklist.h"
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

QString labDir(const QString &scenario)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/lab/") + scenario;
}

QJsonObject truth(const QString &scenario)
{
    QFile f(labDir(scenario) + QStringLiteral("/truth.json"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

/// truth.json fault type → the cause the top finding must name ("" = no fault: nothing fails).
QString expectedCause(const QJsonObject &t)
{
    const QJsonArray faults = t.value(QStringLiteral("injected_faults")).toArray();
    if (faults.isEmpty()) return {};
    static const QHash<QString, QString> map{
        {QStringLiteral("mtu_blackhole"), QStringLiteral("mtu_blackhole")},
        {QStringLiteral("random_loss"), QStringLiteral("packet_loss_in_transit")},
        {QStringLiteral("nat_mapping_expiry"), QStringLiteral("nat_mapping_expiry")},
        {QStringLiteral("reordering"), QStringLiteral("antireplay_reordering")},
        {QStringLiteral("ike_drop_window"), QStringLiteral("ike_retransmissions")},
        {QStringLiteral("path_down"), QStringLiteral("peer_unreachable")},
        {QStringLiteral("esp_filtered"), QStringLiteral("esp_blocked")},
        {QStringLiteral("nat"), QString()}, // NAT-T working: not a fault
    };
    return map.value(faults.first().toObject().value(QStringLiteral("type")).toString(), QStringLiteral("?"));
}

/// The host whose single capture is the telling one: the receiver, or the sender where only
/// it sees the fault (the black-holed sizes, the retransmitting initiator, the ICMP from the NAT).
QString singleHost(const QString &scenario)
{
    static const QHash<QString, QString> host{
        {QStringLiteral("clean"), QStringLiteral("right")},
        {QStringLiteral("loss1"), QStringLiteral("right")},
        {QStringLiteral("mtu-blackhole"), QStringLiteral("left")},
        {QStringLiteral("natt"), QStringLiteral("right")},
        {QStringLiteral("natt-expiry"), QStringLiteral("right")},
        {QStringLiteral("reorder-antireplay"), QStringLiteral("right")},
        {QStringLiteral("rekey-loss"), QStringLiteral("left")},
        {QStringLiteral("dpd"), QStringLiteral("left")},
        {QStringLiteral("esp-blocked"), QStringLiteral("right")},
    };
    return host.value(scenario);
}

const Fix *findFix(const Finding &f, FixKind kind)
{
    for (const Fix &x : f.fixes)
        if (x.kind == kind) return &x;
    return nullptr;
}

int capture(const QString &text, const QString &pattern)
{
    const QRegularExpressionMatch m = QRegularExpression(pattern).match(text);
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

} // namespace

class TestDiagnoseLab : public QObject
{
    Q_OBJECT
private slots:
    void lab_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("pair");
        for (const char *s : {"clean", "loss1", "mtu-blackhole", "natt", "natt-expiry", "reorder-antireplay",
                              "rekey-loss", "dpd", "esp-blocked"}) {
            QTest::newRow(qPrintable(QStringLiteral("%1/pair").arg(QLatin1String(s))))
                << QString::fromLatin1(s) << true;
            QTest::newRow(qPrintable(QStringLiteral("%1/one+evidence").arg(QLatin1String(s))))
                << QString::fromLatin1(s) << false;
        }
    }

    void lab()
    {
        QFETCH(QString, scenario);
        QFETCH(bool, pair);
        const QString dir = labDir(scenario);
        const QJsonObject t = truth(scenario);
        QVERIFY2(!t.isEmpty(), "truth.json missing");
        DiagnosisFiles files;
        const QString host = singleHost(scenario);
        if (pair) {
            files.captureA = dir + QStringLiteral("/left-outer.pcap");
            files.captureB = dir + QStringLiteral("/right-outer.pcap");
        } else {
            files.captureA = dir + QStringLiteral("/%1-outer.pcap").arg(host);
            const QStringList stats =
                QDir(dir + QStringLiteral("/stats")).entryList({host + QStringLiteral("-*")}, QDir::Files);
            for (const QString &s : stats)
                files.evidence << dir + QStringLiteral("/stats/") + s;
            files.evidence << dir + QStringLiteral("/charon-%1.log").arg(host);
        }
        LoadedDiagnosis ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis;
        QCOMPARE(d.steps.size(), std::size_t(6));

        const QString expected = expectedCause(t);
        QVERIFY2(expected != QLatin1String("?"), "fault type without a mapping");
        if (expected.isEmpty()) {
            for (const ChecklistStep &s : d.steps)
                QVERIFY2(s.status != StepStatus::Fail, qPrintable(QStringLiteral("step %1 fails: %2")
                                                                      .arg(s.number)
                                                                      .arg(s.causes.join(QLatin1Char(',')))));
            return;
        }
        QVERIFY2(!d.findings.empty(), "no finding");
        const Finding &top = d.findings.front();
        QVERIFY2(top.cause == expected,
                 qPrintable(QStringLiteral("top finding %1, expected %2").arg(top.cause, expected)));
        QVERIFY(top.status == StepStatus::Fail || top.status == StepStatus::Warn);
        QVERIFY(!top.evidence.empty());

        if (scenario == QLatin1String("mtu-blackhole")) {
            // Router link MTU and suite from truth.json; DOMAIN.md: A = P − 20 − 8 − IV − ICV,
            // inner = floor(A / B) × B − 2, MSS = inner − 40. For 1400: A = 1400 − 20 − 8 − 16 − 16
            // = 1340, floor(1340 / 16) × 16 = 1328, inner 1326, MSS 1286.
            const int p =
                t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("mtu_right_link")]
                    .toInt();
            QCOMPARE(t[QStringLiteral("ipsec")][QStringLiteral("esp_proposal")].toString(),
                     QStringLiteral("aes128-sha256"));
            const int iv = 16, icv = 16, block = 16;
            const int inner = (p - 20 - 8 - iv - icv) / block * block - 2;
            const int mss = inner - 40;
            QCOMPARE(inner, 1326);
            const Fix *link = findFix(top, FixKind::IpLink);
            const Fix *ipt = findFix(top, FixKind::Iptables);
            const Fix *nft = findFix(top, FixKind::Nftables);
            QVERIFY(link && ipt && nft);
            QCOMPARE(capture(link->text, QStringLiteral("\\nip link set dev \\S+ mtu (\\d+)")), p);
            QCOMPARE(capture(link->text, QStringLiteral("xfrm0 mtu (\\d+)")), inner);
            QCOMPARE(capture(ipt->text, QStringLiteral("--set-mss (\\d+)")), mss);
            QCOMPARE(capture(nft->text, QStringLiteral("maxseg size set (\\d+)")), mss);
        } else if (scenario == QLatin1String("reorder-antireplay")) {
            // The receiver (right) capture's own analysis gives the smallest window dropping none.
            auto index = loadCapture(dir + QStringLiteral("/right-outer.pcap"), &error);
            QVERIFY(index);
            const CaptureAnalysis a = analyzeCapture(*index);
            std::uint64_t minExact = 0;
            for (const EspSaSequence &s : a.esp.sas)
                minExact = std::max(minExact, s.minWindowExact);
            QVERIFY(minExact > 16);
            const Fix *sw = findFix(top, FixKind::Swanctl);
            QVERIFY(sw);
            QVERIFY(sw->text.contains(QLatin1String("children {")));
            const int w = capture(sw->text, QStringLiteral("replay_window = (\\d+)"));
            QVERIFY2(w >= int(minExact),
                     qPrintable(QStringLiteral("window %1 < min_window_exact %2").arg(w).arg(minExact)));
            QVERIFY(
                w >
                t[QStringLiteral("ipsec")][QStringLiteral("replay_window")][QStringLiteral("right")].toInt());
        } else if (scenario == QLatin1String("natt-expiry")) {
            const int natTimeout = t[QStringLiteral("topology")][QStringLiteral("mid")]
                                    [QStringLiteral("conntrack_udp_timeout_s")]
                                        .toInt();
            QCOMPARE(natTimeout, 10);
            const Fix *sc = findFix(top, FixKind::StrongswanConf);
            QVERIFY(sc);
            const int k = capture(sc->text, QStringLiteral("keep_alive = (\\d+)s"));
            QVERIFY2(k > 0 && k < natTimeout, qPrintable(QStringLiteral("keep_alive %1 s").arg(k)));
        }
    }
};

QTEST_GUILESS_MAIN(TestDiagnoseLab)
#include "tst_diagnose_lab.moc"
