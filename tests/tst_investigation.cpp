// One investigation (core/session): a pair opened as one object, evidence per host, a finding
// that needs the peer's capture, cancel and stale results. Expected numbers come from the lab's
// own records: verify.json (tshark's count of the loss netem injected) and truth.json.
#include "diagnose/checklist.h"
#include "index/indexbuilder.h"
#include "labdata.h"
#include "report/diagnosisreport.h"
#include "session/investigation.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <mutex>

using namespace ikev2wb;
using ikev2wb::testdata::labDir;

namespace {

QString loss1(const QString &file)
{
    return labDir(QStringLiteral("loss1")) + QLatin1Char('/') + file;
}

/// loss1's two endpoint captures, no evidence.
DiagnosisFiles loss1Pair()
{
    DiagnosisFiles files;
    files.captureA = loss1(QStringLiteral("left-outer.pcap"));
    files.captureB = loss1(QStringLiteral("right-outer.pcap"));
    return files;
}

/// tshark's count of ESP lost left → right in the loss1 lab (verify.json).
std::uint64_t verifiedLostLeftToRight()
{
    QFile f(loss1(QStringLiteral("verify.json")));
    if (!f.open(QIODevice::ReadOnly)) return ~0ULL;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    return std::uint64_t(o.value(QStringLiteral("esp_loss"))
                             .toObject()
                             .value(QStringLiteral("left_to_right"))
                             .toObject()
                             .value(QStringLiteral("lost"))
                             .toInt(-1));
}

const ChecklistStep *step(const Diagnosis &d, int number)
{
    for (const ChecklistStep &s : d.steps)
        if (s.number == number) return &s;
    return nullptr;
}

bool hasCause(const Diagnosis &d, const QString &cause)
{
    return std::any_of(d.findings.begin(), d.findings.end(),
                       [&](const Finding &f) { return f.cause == cause; });
}

} // namespace

class TestInvestigation final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The peer's capture is a hub's (tests/data/derived/hub: natt's and mtu-blackhole's right
    // captures merged) and no tunnel is given for it: openPair() judges it against A before the
    // comparison and reads it again as the one tunnel A's SPIs prove (mtu-blackhole's), with the
    // progress of that second read reported as ReadingTunnel in bytes of the hub's file, between
    // the reading of both and the comparison. The same with records and without. The packets left
    // out are tshark's count of those not between 10.0.1.1 and 10.0.2.1.
    void hubPeerReadAsTheTunnelOfA_data()
    {
        QTest::addColumn<int>("contents");
        QTest::newRow("records") << int(IndexContents::Records);
        QTest::newRow("tables only") << int(IndexContents::TablesOnly);
    }
    void hubPeerReadAsTheTunnelOfA()
    {
        QFETCH(int, contents);
        const QString hub = QStringLiteral(IKEV2WB_TEST_DATA "/derived/hub/hub.pcap");
        const QString left = labDir(QStringLiteral("mtu-blackhole")) + QStringLiteral("/left-outer.pcap");
        const auto tsharkCount = [&](const QString &filter) {
            QProcess p;
            p.start(QStringLiteral("tshark"), {QStringLiteral("-r"), hub, QStringLiteral("-Y"), filter});
            if (!p.waitForFinished(60000) || p.exitCode() != 0) return qint64(-1);
            return qint64(p.readAllStandardOutput().count('\n'));
        };
        const qint64 all = tsharkCount(QStringLiteral("frame")),
                     inTunnel = tsharkCount(QStringLiteral("ip.addr == 10.0.1.1 && ip.addr == 10.0.2.1"));
        QVERIFY(all > 0 && inTunnel > 0 && inTunnel < all);

        struct Report
        {
            CompareStage stage;
            std::int64_t done, total;
        };
        std::vector<Report> reports;
        std::mutex lock;
        const CompareProgressFn progress = [&](CompareStage st, std::int64_t done, std::int64_t total) {
            const std::lock_guard<std::mutex> hold(lock);
            reports.push_back({st, done, total});
        };
        Investigation inv;
        QString error;
        QVERIFY2(inv.openPair(left, hub, &error, progress, nullptr, IndexContents(contents)),
                 qPrintable(error));
        QVERIFY2(inv.peerTunnel().basis == PeerTunnel::Basis::Spis, qPrintable(inv.peerTunnel().why));
        const CaptureIndex &b = *inv.index(Host::B);
        QCOMPARE(b.scope.endsText(), QStringLiteral("10.0.1.1 ↔ 10.0.2.1"));
        QCOMPARE(qint64(b.packetCount()), all);
        QCOMPARE(qint64(b.count(PacketKind::OutOfScope)), all - inTunnel);
        QVERIFY(inv.scope(Host::B).active());
        QVERIFY(inv.comparison() && inv.comparison()->peerTunnel.basis == PeerTunnel::Basis::Spis);
        // Reading, then B's tunnel read again (bytes of the hub's file, to its end), then comparing.
        int order = 0;
        bool tunnelRead = false;
        for (const Report &r : reports) {
            const int o = r.stage == CompareStage::Reading         ? 0
                          : r.stage == CompareStage::ReadingTunnel ? 1
                                                                   : 2;
            QVERIFY2(o >= order, "the stages come in order");
            order = o;
            if (r.stage == CompareStage::ReadingTunnel) {
                QCOMPARE(r.total, QFileInfo(hub).size());
                tunnelRead = tunnelRead || r.done == r.total;
            }
        }
        QVERIFY(tunnelRead);
        QCOMPARE(order, 2);

        // A tunnel given for B is read as given: one read, nothing judged.
        Investigation given;
        given.setScope(Host::B, *TunnelScope::parse(QStringLiteral("10.0.2.254"), nullptr));
        reports.clear();
        QVERIFY2(given.openPair(left, hub, &error, progress, nullptr, IndexContents(contents)),
                 qPrintable(error));
        QVERIFY(given.peerTunnel().basis == PeerTunnel::Basis::OneTunnel);
        QCOMPARE(given.index(Host::B)->scope.text(), QStringLiteral("10.0.2.254"));
        for (const Report &r : reports)
            QVERIFY(r.stage != CompareStage::ReadingTunnel);
    }

    void initTestCase()
    {
        if (!QFile::exists(loss1(QStringLiteral("left-outer.pcap"))))
            QSKIP("the loss1 lab is not in tests/data");
        QCOMPARE(verifiedLostLeftToRight(), std::uint64_t(58));
    }

    // A and B read, each analysed, compared from the two indexes: the comparison's loss is
    // tshark's, and the diagnosis covers both files.
    void pairOpened()
    {
        Investigation inv;
        QString error;
        QVERIFY2(inv.openCapture(Host::A, loss1(QStringLiteral("left-outer.pcap")), &error),
                 qPrintable(error));
        QVERIFY(!inv.isPair());
        QVERIFY(!inv.compare()); // nothing to compare with yet
        QVERIFY2(inv.openCapture(Host::B, loss1(QStringLiteral("right-outer.pcap")), &error),
                 qPrintable(error));
        QVERIFY(inv.isPair());
        QVERIFY(inv.analysis(Host::A) && inv.analysis(Host::B));
        QVERIFY(inv.compare());
        const CompareResult &c = *inv.comparison();
        QCOMPARE(c.directions[0].lostInTransit.size(), std::size_t(verifiedLostLeftToRight()));
        QCOMPARE(c.directions[1].lostInTransit.size(), std::size_t(0));
        // The comparison is of these two captures (the indexes it was computed from).
        QCOMPARE(c.side[0].packets, std::uint64_t(inv.index(Host::A)->packetCount()));
        QCOMPARE(c.side[1].packets, std::uint64_t(inv.index(Host::B)->packetCount()));
        const Diagnosis &d = inv.diagnose();
        QCOMPARE(d.inputs, (QStringList{loss1(QStringLiteral("left-outer.pcap")),
                                        loss1(QStringLiteral("right-outer.pcap"))}));
    }

    // truth.json: loss on the transit path left → right. Only the pair can prove it: with A
    // alone the first step asks for the peer's capture; with B it fails on transit loss.
    void findingNeedsThePeer()
    {
        Investigation inv;
        QString error;
        QVERIFY(inv.openCapture(Host::A, loss1(QStringLiteral("left-outer.pcap")), &error));
        const Diagnosis alone = inv.diagnose();
        QVERIFY(step(alone, 1));
        QCOMPARE(step(alone, 1)->status, StepStatus::NotEnoughEvidence);
        QVERIFY(!hasCause(alone, QStringLiteral("packet_loss_in_transit")));

        QVERIFY(inv.openCapture(Host::B, loss1(QStringLiteral("right-outer.pcap")), &error));
        QVERIFY(inv.compare());
        const Diagnosis &pair = inv.diagnose();
        QCOMPARE(step(pair, 1)->status, StepStatus::Fail);
        QVERIFY(!pair.findings.empty());
        QCOMPARE(pair.findings.front().cause, QStringLiteral("packet_loss_in_transit"));
        QCOMPARE(inv.facts().dir[0].lost, verifiedLostLeftToRight());
        QCOMPARE(inv.facts().dir[1].lost, std::uint64_t(0));
    }

    // Evidence is kept per host: left's files are host A's, right's host B's, as assigned.
    void evidencePerHost()
    {
        Investigation inv;
        QString error;
        QVERIFY(inv.openCapture(Host::A, loss1(QStringLiteral("left-outer.pcap")), &error));
        QVERIFY(inv.openCapture(Host::B, loss1(QStringLiteral("right-outer.pcap")), &error));
        QVERIFY(inv.compare());
        const QDir stats(loss1(QStringLiteral("stats")));
        int added[2] = {0, 0};
        for (const QString &name : stats.entryList({QStringLiteral("*-xfrm_stat-*.txt")}, QDir::Files)) {
            const bool left = name.startsWith(QLatin1String("left-"));
            QVERIFY2(inv.addEvidence(stats.filePath(name), left ? Host::A : Host::B, &error),
                     qPrintable(error));
            ++added[left ? 0 : 1];
        }
        QCOMPARE(added[0], 2);
        QCOMPARE(added[1], 2);
        for (const EvidenceFile &f : inv.evidence().files())
            QCOMPARE(f.captureSide, QFileInfo(f.path).fileName().startsWith(QLatin1String("left-")) ? 0 : 1);
        const Diagnosis &d = inv.diagnose();
        QCOMPARE(d.inputs.filter(QStringLiteral("A=")).size(), 2);
        QCOMPARE(d.inputs.filter(QStringLiteral("B=")).size(), 2);
        QVERIFY(!inv.addEvidence(stats.filePath(QStringLiteral("no-such-file.txt")), Host::A, &error));
        QVERIFY(error.contains(QLatin1String("no-such-file.txt")));
    }

    // Cancelled work keeps nothing: a cancelled read leaves no capture, a cancelled comparison
    // no comparison.
    void cancel()
    {
        Investigation inv;
        QString error;
        std::atomic_bool stop{true};
        QVERIFY(!inv.openCapture(Host::A, loss1(QStringLiteral("left-outer.pcap")), &error, {}, &stop));
        QVERIFY2(error.contains(QLatin1String("cancelled")), qPrintable(error));
        QVERIFY(!inv.hasCapture(Host::A));
        QVERIFY(inv.openCapture(Host::A, loss1(QStringLiteral("left-outer.pcap")), &error));
        QVERIFY(inv.openCapture(Host::B, loss1(QStringLiteral("right-outer.pcap")), &error));
        QVERIFY(!inv.compare({}, {}, &stop));
        QVERIFY(!inv.comparison());
        QVERIFY(inv.compare());
        QVERIFY(inv.comparison());
    }

    // A cancelled diagnosis keeps nothing and an unset flag changes nothing. With the flag set
    // before the call deriveFacts derives no fact at all (not even the comparison's 58 lost, which
    // it takes first); Investigation::diagnose and diagnose() return an empty diagnosis marked
    // cancelled, which the Checklist's worker drops. Count-based: no timing.
    void diagnosisCancelled()
    {
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseFiles(loss1Pair(), inv, &error), qPrintable(error));
        const QByteArray full = QByteArray::fromStdString(diagnosisJson(inv.diagnosis()));
        QVERIFY(!inv.diagnosis().cancelled && !inv.diagnosis().findings.empty());
        QCOMPARE(inv.facts().dir[0].lost, verifiedLostLeftToRight());

        DiagnosisInput in;
        in.indexA = inv.index(Host::A).get();
        in.analysisA = inv.analysis(Host::A).get();
        in.indexB = inv.index(Host::B).get();
        in.analysisB = inv.analysis(Host::B).get();
        in.comparison = inv.comparison().get();
        std::atomic_bool stop{true};
        const Facts f = deriveFacts(in, &stop);
        QVERIFY(f.cancelled);
        QCOMPARE(f.dir[0].lost, std::uint64_t(0));
        QCOMPARE(f.dir[0].sent, std::uint64_t(0));
        QVERIFY(f.replayBySa[0].empty() && f.replayBySa[1].empty());
        const Diagnosis viaChecklist = diagnose(in, {}, &stop);
        QVERIFY(viaChecklist.cancelled);
        QVERIFY(viaChecklist.steps.empty() && viaChecklist.findings.empty());

        const Diagnosis &cancelled = inv.diagnose(&stop);
        QVERIFY(cancelled.cancelled);
        QVERIFY(cancelled.steps.empty() && cancelled.findings.empty() && cancelled.inputs.isEmpty());
        QVERIFY(inv.facts().cancelled);
        QCOMPARE(inv.facts().dir[0].lost, std::uint64_t(0));

        // Not cancelled: the same diagnosis as without a flag, byte for byte.
        std::atomic_bool go{false};
        const Diagnosis &again = inv.diagnose(&go);
        QVERIFY(!again.cancelled);
        QCOMPARE(QByteArray::fromStdString(diagnosisJson(again)), full);
        QCOMPARE(inv.facts().dir[0].lost, verifiedLostLeftToRight());
        QVERIFY(!deriveFacts(in, &go).cancelled);
        QCOMPARE(deriveFacts(in, &go).dir[0].lost, verifiedLostLeftToRight());
    }

    // Results of other captures never survive: replacing a capture drops the comparison and
    // the diagnosis computed with the old one, and the peer joins the diagnosis only compared.
    void staleResultsDropped()
    {
        Investigation inv;
        QString error;
        QVERIFY(inv.openCapture(Host::A, loss1(QStringLiteral("left-outer.pcap")), &error));
        QVERIFY(inv.openCapture(Host::B, loss1(QStringLiteral("right-outer.pcap")), &error));
        QVERIFY(inv.compare());
        QVERIFY(!inv.diagnose().findings.empty());
        const QString clean = labDir(QStringLiteral("clean")) + QStringLiteral("/right-outer.pcap");
        QVERIFY(inv.openCapture(Host::B, clean, &error));
        QVERIFY(!inv.comparison());
        QVERIFY(inv.diagnosis().findings.empty() && inv.diagnosis().steps.empty());
        // Not compared yet: B is not part of the diagnosis.
        QCOMPARE(inv.diagnose().inputs, QStringList{loss1(QStringLiteral("left-outer.pcap"))});
    }

    // What `ikev2wb diagnose` runs gives what the pieces give.
    void diagnoseFilesIsTheSameObject()
    {
        DiagnosisFiles files = loss1Pair();
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseFiles(files, inv, &error), qPrintable(error));
        QVERIFY(inv.comparison());
        QCOMPARE(inv.facts().dir[0].lost, verifiedLostLeftToRight());
        QCOMPARE(inv.diagnosis().findings.front().cause, QStringLiteral("packet_loss_in_transit"));
        files.captureB = loss1(QStringLiteral("no-such.pcap"));
        Investigation missing;
        QVERIFY(!diagnoseFiles(files, missing, &error));
        QVERIFY2(error.contains(QLatin1String("no-such.pcap")), qPrintable(error));
    }

    /// diagnose --json of a pair carries both directions' totals (pair_directions): loss1's
    /// A → B as verify.json counts it (sent 5995, lost 58, 0.967 %), B → A none lost.
    void pairDirectionsInTheJson()
    {
        QFile vf(loss1(QStringLiteral("verify.json")));
        QVERIFY(vf.open(QIODevice::ReadOnly));
        const QJsonObject loss =
            QJsonDocument::fromJson(vf.readAll()).object().value(QStringLiteral("esp_loss")).toObject();
        DiagnosisFiles files = loss1Pair();
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseFiles(files, inv, &error), qPrintable(error));
        const QJsonArray dirs =
            QJsonDocument::fromJson(QByteArray::fromStdString(diagnosisJson(inv.diagnosis())))
                .object()
                .value(QStringLiteral("pair_directions"))
                .toArray();
        QCOMPARE(dirs.size(), 2);
        const char *names[2] = {"left_to_right", "right_to_left"};
        for (int k = 0; k < 2; ++k) {
            const QJsonObject d = dirs.at(k).toObject();
            const QJsonObject v = loss.value(QLatin1String(names[k])).toObject();
            QCOMPARE(d.value(QStringLiteral("from")).toString(),
                     k == 0 ? QStringLiteral("A") : QStringLiteral("B"));
            QCOMPARE(d.value(QStringLiteral("from_address")).toString(),
                     k == 0 ? QStringLiteral("10.0.1.1") : QStringLiteral("10.0.2.1"));
            QCOMPARE(d.value(QStringLiteral("sent")).toInt(), v.value(QStringLiteral("sent")).toInt());
            QCOMPARE(d.value(QStringLiteral("lost_in_transit")).toInt(),
                     v.value(QStringLiteral("lost")).toInt());
            QCOMPARE(d.value(QStringLiteral("received")).toInt(),
                     v.value(QStringLiteral("sent")).toInt() - v.value(QStringLiteral("lost")).toInt());
            QCOMPARE(d.value(QStringLiteral("loss_percent")).toDouble(),
                     v.value(QStringLiteral("loss_pct")).toDouble());
            QVERIFY(d.contains(QStringLiteral("capture_drops")) &&
                    d.contains(QStringLiteral("outside_span")));
            QVERIFY(d.value(QStringLiteral("clock_offset_s")).isDouble());
        }
        // One capture: the array is there, empty.
        Investigation one;
        QVERIFY(one.openCapture(Host::A, loss1(QStringLiteral("left-outer.pcap")), &error));
        one.diagnose();
        const QJsonObject single =
            QJsonDocument::fromJson(QByteArray::fromStdString(diagnosisJson(one.diagnosis()))).object();
        QVERIFY(single.value(QStringLiteral("pair_directions")).isArray());
        QVERIFY(single.value(QStringLiteral("pair_directions")).toArray().isEmpty());
        // Its replay windows (issue 12): both directions, each judged for its own receiver; no
        // evidence, so both assumed, and drops only where this capture is the receiver's (left,
        // the capture's end by its TTLs: right → left).
        const QJsonArray windows = single.value(QStringLiteral("assumptions"))
                                       .toObject()
                                       .value(QStringLiteral("replay_windows"))
                                       .toArray();
        QCOMPARE(windows.size(), 2);
        for (const QJsonValue w : windows) {
            QVERIFY(w[QStringLiteral("assumed")].toBool());
            QCOMPARE(w[QStringLiteral("drops")].isNull(),
                     w[QStringLiteral("to")].toString() != QLatin1String("10.0.1.1"));
        }
    }
};

QTEST_GUILESS_MAIN(TestInvestigation)
#include "tst_investigation.moc"
