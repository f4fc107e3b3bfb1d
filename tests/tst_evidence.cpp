// Host evidence parsers, detection, snapshot deltas and the JSON output. Expected values are
// read by hand from the lab files (tests/data/lab, README there) and the fixtures in
// tests/data/evidence (README there); each is quoted or its grep command cited.
#include "evidence/evidenceset.h"
#include "evidence/parsers.h"
#include "report/evidencereport.h"
#include "report/jsonwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace ikev2wb;

namespace {

QString lab(const QString &rel)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/lab/") + rel;
}
QString fixture(const QString &rel)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/evidence/") + rel;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) qFatal("cannot open test file");
    return f.readAll();
}

/// Parses a file with the kind the detector picks; fails the test on a parse error.
EvidenceData parseFile(const QString &path, ParseStatus &status)
{
    const QByteArray text = readAll(path);
    const EvidenceKind kind = detectEvidenceKind(text.left(16 * 1024), path);
    return parseEvidence(kind, text, path, status);
}

int countKind(const CharonLog &log, LogEventKind kind)
{
    return int(std::count_if(log.events.begin(), log.events.end(),
                             [&](const LogEvent &e) { return e.kind == kind; }));
}

const XfrmSa *findSa(const XfrmStateList &l, std::uint32_t spi)
{
    for (const XfrmSa &sa : l.sas)
        if (sa.spi == spi) return &sa;
    return nullptr;
}

} // namespace

class TestEvidence : public QObject
{
    Q_OBJECT

private slots:
    void charonLinesRedacted();
    void detect_data();
    void detect();
    void labDeltas_data();
    void labDeltas();
    void labSaSequence();
    void labLogCounts_data();
    void labLogCounts();
    void labRetransmitFields();
    void configMismatchLines_data();
    void configMismatchLines();
    void labListSas();
    void sampleLogs_data();
    void sampleLogs();
    void ipLinkVersions_data();
    void ipLinkVersions();
    void ethtool();
    void snmpAndSysctl();
    void firewallListings();
    void firewallHostile();
    void swanctlConf();
    void ipsecAndStrongswanConf();
    void listConns();
    void xfrmStateEsnEncap();
    void xfrmStateEsnWindow();
    void wrongKind_data();
    void wrongKind();
    void binaryGarbage_data();
    void binaryGarbage();
    void percentInFileName();
    void manyConnectionsCapped();
    void linkMtuBeyondIntNotWrapped();
    void replayWindowBeyondIntNotWrapped();
    void ifIdBeyond32BitsNotWrapped();
    void truncated();
    void cutInsideTheLastSa();
    void hugeInput();
    void folderAndJson();
    void unnamedSnapshotsPairByFolder();
    void hostileFolder();
    void hostileFileNamedDirectly();
    void byteBudget();
};

void TestEvidence::detect_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("kind");
    QTest::newRow("lab xfrm_stat") << lab(QStringLiteral("loss1/stats/left-xfrm_stat-end.txt"))
                                   << int(EvidenceKind::XfrmStat);
    QTest::newRow("lab xfrm state") << lab(QStringLiteral("loss1/stats/left-xfrm-state-end.txt"))
                                    << int(EvidenceKind::XfrmState);
    QTest::newRow("lab xfrm policy") << lab(QStringLiteral("loss1/stats/left-xfrm-policy-start.txt"))
                                     << int(EvidenceKind::XfrmPolicy);
    QTest::newRow("lab link") << lab(QStringLiteral("loss1/stats/mid-link-end.txt"))
                              << int(EvidenceKind::IpLink);
    QTest::newRow("lab list-sas") << lab(QStringLiteral("loss1/stats/right-swanctl-list-sas-end.txt"))
                                  << int(EvidenceKind::SwanctlListSas);
    QTest::newRow("lab charon log") << lab(QStringLiteral("loss1/charon-left.log"))
                                    << int(EvidenceKind::CharonLog);
    QTest::newRow("lab tcpdump log") << lab(QStringLiteral("loss1/stats/tcpdump-left-outer.pcap.log"))
                                     << int(EvidenceKind::Unknown);
    QTest::newRow("lab pcap") << lab(QStringLiteral("loss1/left-outer.pcap")) << int(EvidenceKind::Unknown);
    QTest::newRow("ethtool -k") << fixture(QStringLiteral("ethtool-k-eth0.txt"))
                                << int(EvidenceKind::EthtoolFeatures);
    QTest::newRow("ethtool -S") << fixture(QStringLiteral("ethtool-S-eth0.txt"))
                                << int(EvidenceKind::EthtoolStats);
    QTest::newRow("snmp") << fixture(QStringLiteral("snmp.txt")) << int(EvidenceKind::Snmp);
    QTest::newRow("snmp6") << fixture(QStringLiteral("snmp6.txt")) << int(EvidenceKind::Snmp6);
    QTest::newRow("sysctl") << fixture(QStringLiteral("sysctl.txt")) << int(EvidenceKind::Sysctl);
    QTest::newRow("swanctl.conf") << fixture(QStringLiteral("swanctl-with-secrets.conf"))
                                  << int(EvidenceKind::SwanctlConf);
    QTest::newRow("strongswan.conf") << fixture(QStringLiteral("strongswan-retransmit.conf"))
                                     << int(EvidenceKind::StrongswanConf);
    QTest::newRow("ipsec.conf") << fixture(QStringLiteral("ipsec-conns.conf"))
                                << int(EvidenceKind::IpsecConf);
    QTest::newRow("list-conns") << fixture(QStringLiteral("swanctl-list-conns.txt"))
                                << int(EvidenceKind::SwanctlListConns);
    QTest::newRow("syslog") << fixture(QStringLiteral("syslog-charon.log")) << int(EvidenceKind::CharonLog);
    QTest::newRow("journal") << fixture(QStringLiteral("journal-charon.log")) << int(EvidenceKind::CharonLog);
    QTest::newRow("binary") << fixture(QStringLiteral("garbage.bin")) << int(EvidenceKind::Unknown);
}

void TestEvidence::detect()
{
    QFETCH(QString, path);
    QFETCH(int, kind);
    const QByteArray head = readAll(path).left(16 * 1024);
    QCOMPARE(int(detectEvidenceKind(head, path)), kind);
    // Content alone (a neutral name) must reach the same answer for text evidence.
    if (kind != int(EvidenceKind::Unknown))
        QCOMPARE(int(detectEvidenceKind(head, QStringLiteral("evidence.txt"))), kind);
}

void TestEvidence::labDeltas_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("counter");
    QTest::addColumn<quint64>("before");
    QTest::addColumn<quint64>("after");
    // right-xfrm-state-start.txt SA 0xcd95a8a5: "replay-window 0 replay 0 failed 0";
    // right-xfrm-state-end.txt: "replay-window 25 replay 0 failed 0" (lab README: 25 anti-replay drops).
    QTest::newRow("reorder replay-window")
        << QStringLiteral("reorder-antireplay/stats") << QStringLiteral("right")
        << int(EvidenceKind::XfrmState) << QStringLiteral("0xcd95a8a5@10.0.2.1/replay-window") << quint64(0)
        << quint64(25);
    QTest::newRow("reorder replay") << QStringLiteral("reorder-antireplay/stats") << QStringLiteral("right")
                                    << int(EvidenceKind::XfrmState)
                                    << QStringLiteral("0xcd95a8a5@10.0.2.1/replay") << quint64(0)
                                    << quint64(0);
    // right-xfrm_stat-start.txt "XfrmInStateSeqError 0", -end.txt "XfrmInStateSeqError 25".
    QTest::newRow("reorder XfrmInStateSeqError")
        << QStringLiteral("reorder-antireplay/stats") << QStringLiteral("right")
        << int(EvidenceKind::XfrmStat) << QStringLiteral("XfrmInStateSeqError") << quint64(0) << quint64(25);
    // loss1 right-xfrm-state start "84(bytes), 1(packets)", end "8460857(bytes), 5937(packets)".
    QTest::newRow("loss1 right inbound packets")
        << QStringLiteral("loss1/stats") << QStringLiteral("right") << int(EvidenceKind::XfrmState)
        << QStringLiteral("0xc8b78eba@10.0.2.1/packets") << quint64(1) << quint64(5937);
    // loss1 left-xfrm-state start "oseq 0x0", end "oseq 0x176b" (= 5995 sent).
    QTest::newRow("loss1 left oseq") << QStringLiteral("loss1/stats") << QStringLiteral("left")
                                     << int(EvidenceKind::XfrmState)
                                     << QStringLiteral("0xc8b78eba@10.0.2.1/oseq") << quint64(0)
                                     << quint64(0x176b);
    // loss1 right-link wan0 "RX: bytes packets ..." start "1202 5", end "8913762 5941".
    QTest::newRow("loss1 right wan0 rx_packets")
        << QStringLiteral("loss1/stats") << QStringLiteral("right") << int(EvidenceKind::IpLink)
        << QStringLiteral("wan0.rx_packets") << quint64(5) << quint64(5941);
    // loss1 xfrm_stat: every counter 0 at start and end (no kernel-side drops for underlay loss).
    QTest::newRow("loss1 XfrmInNoStates")
        << QStringLiteral("loss1/stats") << QStringLiteral("right") << int(EvidenceKind::XfrmStat)
        << QStringLiteral("XfrmInNoStates") << quint64(0) << quint64(0);
}

void TestEvidence::labDeltas()
{
    QFETCH(QString, folder);
    QFETCH(QString, host);
    QFETCH(int, kind);
    QFETCH(QString, counter);
    QFETCH(quint64, before);
    QFETCH(quint64, after);
    EvidenceSet set;
    QVERIFY(set.addPath(lab(folder)));
    for (const EvidenceFile &f : set.files())
        QVERIFY2(f.status.ok(), qPrintable(f.status.error));
    const auto deltas = set.deltas();
    const auto it = std::find_if(deltas.begin(), deltas.end(), [&](const SnapshotDelta &d) {
        return d.host == host && int(d.kind) == kind;
    });
    QVERIFY(it != deltas.end());
    QVERIFY(it->beforePath.contains(QLatin1String("-start")));
    QVERIFY(it->afterPath.contains(QLatin1String("-end")));
    const CounterDelta *c = it->find(counter);
    QVERIFY2(c, qPrintable(counter));
    QCOMPARE(c->before, before);
    QCOMPARE(c->after, after);
    QCOMPARE(c->delta, std::int64_t(after) - std::int64_t(before));
}

void TestEvidence::labSaSequence()
{
    // loss1: the sender's "oseq 0x176b" (5995) against the receiver's "5937(packets)": 58 lost,
    // which is netem's "dropped 58" in the lab README.
    ParseStatus s1, s2;
    const auto left =
        std::get<XfrmStateList>(parseFile(lab(QStringLiteral("loss1/stats/left-xfrm-state-end.txt")), s1));
    const auto right =
        std::get<XfrmStateList>(parseFile(lab(QStringLiteral("loss1/stats/right-xfrm-state-end.txt")), s2));
    QVERIFY(s1.ok() && s2.ok());
    const XfrmSa *out = findSa(left, 0xc8b78eba);
    const XfrmSa *in = findSa(right, 0xc8b78eba);
    QVERIFY(out && in);
    QCOMPARE(out->oseq, std::uint64_t(5995));
    QCOMPARE(in->currentPackets, std::uint64_t(5937));
    QCOMPARE(in->seq, std::uint64_t(0x176b));
    QCOMPARE(out->oseq - in->currentPackets, std::uint64_t(58));
    QCOMPARE(in->bitmap, QStringLiteral("0xffffffff"));
    QCOMPARE(in->mode, QStringLiteral("tunnel"));
    QCOMPARE(in->reqid, 1u);
    // "auth-trunc hmac(sha256) 0x... (256 bits) 128": the name and ICV kept, never the key.
    QVERIFY(in->algorithms.contains(QStringLiteral("auth-trunc hmac(sha256) 128")));
    QVERIFY(in->algorithms.contains(QStringLiteral("enc cbc(aes)")));
    for (const QString &a : in->algorithms)
        QVERIFY(!a.contains(QLatin1String("0x")));
}

void TestEvidence::labLogCounts_data()
{
    QTest::addColumn<QString>("log");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("count");
    // grep -c 'retransmit [0-9]* of request with message ID' rekey-loss/charon-left.log → 5
    QTest::newRow("rekey-loss left retransmits")
        << QStringLiteral("rekey-loss/charon-left.log") << int(LogEventKind::Retransmit) << 5;
    // grep -c 'received retransmit of request' rekey-loss/charon-right.log → 3
    QTest::newRow("rekey-loss right response retransmits")
        << QStringLiteral("rekey-loss/charon-right.log") << int(LogEventKind::ResponseRetransmit) << 3;
    // grep -c 'retransmit [0-9]* of request with message ID' dpd/charon-left.log → 5
    QTest::newRow("dpd left retransmits")
        << QStringLiteral("dpd/charon-left.log") << int(LogEventKind::Retransmit) << 5;
    // grep -c 'giving up after' dpd/charon-left.log → 1 (and 1 in charon-right.log)
    QTest::newRow("dpd left give-up")
        << QStringLiteral("dpd/charon-left.log") << int(LogEventKind::GiveUp) << 1;
    QTest::newRow("dpd right give-up")
        << QStringLiteral("dpd/charon-right.log") << int(LogEventKind::GiveUp) << 1;
    // grep -c 'sending DPD request' dpd/charon-left.log → 1
    QTest::newRow("dpd left DPD") << QStringLiteral("dpd/charon-left.log") << int(LogEventKind::DpdRequest)
                                  << 1;
    // grep -c 'behind NAT\|faking NAT' natt/charon-left.log → 1
    QTest::newRow("natt left NAT") << QStringLiteral("natt/charon-left.log") << int(LogEventKind::NatDetected)
                                   << 1;
    // grep -n 'NAT mappings' natt-expiry/charon-right.log → line 55 only
    QTest::newRow("natt-expiry mapping")
        << QStringLiteral("natt-expiry/charon-right.log") << int(LogEventKind::NatMappingChanged) << 1;
    // grep -c '\[ENC\] .*generating ' rekey-loss/charon-left.log → 9
    QTest::newRow("rekey-loss generated")
        << QStringLiteral("rekey-loss/charon-left.log") << int(LogEventKind::MessageGenerated) << 9;
    // grep -c 'NO_PROPOSAL_CHOSEN\|no acceptable proposal found\|no IKE config found'
    // ike-frag-ok/charon-left.log → 1 ("received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built")
    QTest::newRow("ike-frag-ok left no proposal")
        << QStringLiteral("ike-frag-ok/charon-left.log") << int(LogEventKind::NoProposal) << 1;
    // ... and it is no "peer not responding": grep -c 'establishing .*failed' → 0
    QTest::newRow("ike-frag-ok left no establish failure")
        << QStringLiteral("ike-frag-ok/charon-left.log") << int(LogEventKind::EstablishFailed) << 0;
    // grep -c 'splitting IKE message\|received fragment #' ike-frag-ok/charon-left.log → 3
    QTest::newRow("ike-frag-ok left fragments")
        << QStringLiteral("ike-frag-ok/charon-left.log") << int(LogEventKind::Fragmentation) << 3;
    // grep -c 'giving up after' ike-frag-drop/charon-left.log → 1
    QTest::newRow("ike-frag-drop left give-up")
        << QStringLiteral("ike-frag-drop/charon-left.log") << int(LogEventKind::GiveUp) << 1;
    // grep -c 'retransmit [0-9]* of request' clean/charon-left.log → 0
    QTest::newRow("clean no retransmits")
        << QStringLiteral("clean/charon-left.log") << int(LogEventKind::Retransmit) << 0;
}

void TestEvidence::labLogCounts()
{
    QFETCH(QString, log);
    QFETCH(int, kind);
    QFETCH(int, count);
    ParseStatus st;
    const auto data = parseFile(lab(log), st);
    QVERIFY2(st.ok(), qPrintable(st.error));
    const auto &l = std::get<CharonLog>(data);
    QCOMPARE(l.format, CharonLog::Format::FileLog);
    QCOMPARE(countKind(l, LogEventKind(kind)), count);
}

void TestEvidence::configMismatchLines_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("kind");
    // Message texts as strongSwan 5.9 prints them (src/libcharon/sa/ikev2/tasks/*.c DBG1 lines);
    // the first is verbatim from ike-frag-ok/charon-left.log.
    QTest::newRow("child no proposal")
        << QStringLiteral("received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built")
        << int(LogEventKind::NoProposal);
    QTest::newRow("ike no proposal") << QStringLiteral("received NO_PROPOSAL_CHOSEN notify error")
                                     << int(LogEventKind::NoProposal);
    QTest::newRow("responder no proposal")
        << QStringLiteral("no acceptable proposal found") << int(LogEventKind::NoProposal);
    QTest::newRow("ts unacceptable") << QStringLiteral("received TS_UNACCEPTABLE notify, no CHILD_SA built")
                                     << int(LogEventKind::TsUnacceptable);
    QTest::newRow("responder ts") << QStringLiteral(
                                         "traffic selectors 10.1.0.0/24 === 10.9.0.0/24 unacceptable")
                                  << int(LogEventKind::TsUnacceptable);
    QTest::newRow("auth failed notify")
        << QStringLiteral("received AUTHENTICATION_FAILED notify error") << int(LogEventKind::AuthFailed);
    QTest::newRow("psk mismatch") << QStringLiteral(
                                         "tried 1 shared key for 'left' - 'right', but MAC mismatched")
                                  << int(LogEventKind::AuthFailed);
    QTest::newRow("no peer config") << QStringLiteral("no matching peer config found")
                                    << int(LogEventKind::AuthFailed);
    QTest::newRow("peer not responding") << QStringLiteral("establishing IKE_SA failed, peer not responding")
                                         << int(LogEventKind::EstablishFailed);
}

void TestEvidence::configMismatchLines()
{
    QFETCH(QString, message);
    QFETCH(int, kind);
    QCOMPARE(int(classifyCharonMessage(message).kind), kind);
}

void TestEvidence::labRetransmitFields()
{
    // rekey-loss/charon-left.log (lab README: 3 for msg ID 2 CHILD rekey, 2 for msg ID 4 IKE rekey):
    // "2026-11-27T13:33:54.242 05[IKE] <lab|1> retransmit 1 of request with message ID 2" ...
    // "2026-11-27T13:34:17.042 05[IKE] <lab|1> retransmit 2 of request with message ID 4"
    ParseStatus st;
    const auto l = std::get<CharonLog>(parseFile(lab(QStringLiteral("rekey-loss/charon-left.log")), st));
    std::vector<std::pair<int, qint64>> seen;
    const LogEvent *first = nullptr;
    for (const LogEvent &e : l.events)
        if (e.kind == LogEventKind::Retransmit) {
            seen.emplace_back(e.retransmit, e.messageId);
            if (!first) first = &e;
        }
    const std::vector<std::pair<int, qint64>> expected = {{1, 2}, {2, 2}, {3, 2}, {1, 4}, {2, 4}};
    QCOMPARE(seen, expected);
    QVERIFY(first && first->time);
    QCOMPARE(first->time->dateTime, QDateTime(QDate(2026, 11, 27), QTime(13, 33, 54, 242), Qt::UTC));
    QVERIFY(first->time->yearKnown);
    QCOMPARE(first->thread, 5);
    QCOMPARE(first->group, QStringLiteral("IKE"));
    QCOMPARE(first->ikeName, QStringLiteral("lab"));
    QCOMPARE(first->ikeUniqueId, 1);
    QVERIFY(first->raw.endsWith(QLatin1String("retransmit 1 of request with message ID 2")));
}

void TestEvidence::labListSas()
{
    // reorder-antireplay/stats/right-swanctl-list-sas-end.txt:
    // "lab: #1, ESTABLISHED, IKEv2, 9246909655200604_i 8f10cefbd0f0cdc0_r*"
    // "  net: #1, reqid 1, INSTALLED, TUNNEL, ESP:AES_CBC-128/HMAC_SHA2_256_128"
    // "    in  cd95a8a5, 5676129 bytes,  3984 packets,     3s ago"
    ParseStatus st;
    const auto l = std::get<SwanctlSaList>(
        parseFile(lab(QStringLiteral("reorder-antireplay/stats/right-swanctl-list-sas-end.txt")), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    QCOMPARE(l.ikeSas.size(), std::size_t(1));
    const SwanctlIkeSa &ike = l.ikeSas.front();
    QCOMPARE(ike.name, QStringLiteral("lab"));
    QCOMPARE(ike.state, QStringLiteral("ESTABLISHED"));
    QCOMPARE(ike.version, QStringLiteral("IKEv2"));
    QCOMPARE(ike.initiatorSpi, QStringLiteral("9246909655200604"));
    QCOMPARE(ike.proposal, QStringLiteral("AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"));
    QCOMPARE(ike.children.size(), std::size_t(1));
    const SwanctlChildSa &c = ike.children.front();
    QCOMPARE(c.name, QStringLiteral("net"));
    QCOMPARE(c.reqid, 1u);
    QCOMPARE(c.state, QStringLiteral("INSTALLED"));
    QCOMPARE(c.mode, QStringLiteral("TUNNEL"));
    QCOMPARE(c.spiIn, 0xcd95a8a5u);
    QCOMPARE(c.bytesIn, std::uint64_t(5676129));
    QCOMPARE(c.packetsIn, std::uint64_t(3984));
    QCOMPARE(c.spiOut, 0xcd93565cu);
    QCOMPARE(c.packetsOut, std::uint64_t(3116));
    QCOMPARE(c.localTs, QStringLiteral("10.2.0.0/24"));
}

void TestEvidence::sampleLogs_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("eventIndex");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("thread");
    QTest::addColumn<qint64>("messageId");
    QTest::addColumn<int>("retransmit");
    QTest::addColumn<QString>("ikeName");
    QTest::addColumn<QString>("time"); // "MM-dd HH:mm:ss.zzz" or empty
    // "Nov 27 12:00:01 gw1 charon: 13[IKE] retransmit 2 of request with message ID 5"
    QTest::newRow("syslog retransmit")
        << QStringLiteral("syslog-charon.log") << int(CharonLog::Format::Syslog) << 0
        << int(LogEventKind::Retransmit) << 13 << qint64(5) << 2 << QString()
        << QStringLiteral("11-27 12:00:01.000");
    // "Nov 27 12:00:09 gw1 charon: 14[IKE] giving up after 5 retransmits"
    QTest::newRow("syslog give-up") << QStringLiteral("syslog-charon.log") << int(CharonLog::Format::Syslog)
                                    << 1 << int(LogEventKind::GiveUp) << 14 << qint64(-1) << 5 << QString()
                                    << QStringLiteral("11-27 12:00:09.000");
    // "Nov  3 12:00:10 gw1 charon: 09[IKE] establishing IKE_SA failed, peer not responding"
    QTest::newRow("syslog establish failed")
        << QStringLiteral("syslog-charon.log") << int(CharonLog::Format::Syslog) << 2
        << int(LogEventKind::EstablishFailed) << 9 << qint64(-1) << 0 << QString()
        << QStringLiteral("11-03 12:00:10.000");
    // "charon[1234]: 13[IKE] <site-a|7> retransmit 3 of request with message ID 12"
    QTest::newRow("journal retransmit")
        << QStringLiteral("journal-charon.log") << int(CharonLog::Format::Mixed) << 0
        << int(LogEventKind::Retransmit) << 13 << qint64(12) << 3 << QStringLiteral("site-a") << QString();
    // "charon[1234]: 13[ENC] <site-a|7> generating INFORMATIONAL request 12 [ ]"
    QTest::newRow("journal generated")
        << QStringLiteral("journal-charon.log") << int(CharonLog::Format::Mixed) << 1
        << int(LogEventKind::MessageGenerated) << 13 << qint64(12) << 0 << QStringLiteral("site-a")
        << QString();
    // "charon[1234]: 09[IKE] <site-a|7> sending DPD request"
    QTest::newRow("journal dpd") << QStringLiteral("journal-charon.log") << int(CharonLog::Format::Mixed) << 2
                                 << int(LogEventKind::DpdRequest) << 9 << qint64(-1) << 0
                                 << QStringLiteral("site-a") << QString();
    // "2026-11-27T12:00:01+0100 gw2 charon[1234]: 11[IKE] <site-a|7> CHILD_SA net{4} rekey collision won,
    // ..."
    QTest::newRow("journal collision")
        << QStringLiteral("journal-charon.log") << int(CharonLog::Format::Mixed) << 3
        << int(LogEventKind::RekeyCollision) << 11 << qint64(-1) << 0 << QStringLiteral("site-a")
        << QStringLiteral("11-27 12:00:01.000");
    // "... charon-systemd[880]: 06[KNL] NAT mappings of CHILD_SA ESP/0xc8c3f674/10.0.1.1 changed to ..."
    QTest::newRow("journal NAT mapping")
        << QStringLiteral("journal-charon.log") << int(CharonLog::Format::Mixed) << 4
        << int(LogEventKind::NatMappingChanged) << 6 << qint64(-1) << 0 << QString()
        << QStringLiteral("11-27 12:00:02.000");
    // "05[IKE] <roadwarrior|2> local host is behind NAT, sending keep alives"
    QTest::newRow("no time NAT") << QStringLiteral("charon-notime.log")
                                 << int(CharonLog::Format::FileLogNoTime) << 0
                                 << int(LogEventKind::NatDetected) << 5 << qint64(-1) << 0
                                 << QStringLiteral("roadwarrior") << QString();
    // "05[IKE] <roadwarrior|2> sending keep alive to 198.51.100.7[4500]"
    QTest::newRow("no time keepalive")
        << QStringLiteral("charon-notime.log") << int(CharonLog::Format::FileLogNoTime) << 1
        << int(LogEventKind::Keepalive) << 5 << qint64(-1) << 0 << QStringLiteral("roadwarrior") << QString();
    // "07[ENC] <roadwarrior|2> splitting IKE message (3012 bytes) into 3 fragments"
    QTest::newRow("no time fragments")
        << QStringLiteral("charon-notime.log") << int(CharonLog::Format::FileLogNoTime) << 2
        << int(LogEventKind::Fragmentation) << 7 << qint64(-1) << 0 << QStringLiteral("roadwarrior")
        << QString();
    // "08[ENC] <roadwarrior|2> parsed IKE_AUTH response 1 [ IDr CERT AUTH SA TSi TSr N(MOBIKE_SUP) ]"
    QTest::newRow("no time parsed") << QStringLiteral("charon-notime.log")
                                    << int(CharonLog::Format::FileLogNoTime) << 5
                                    << int(LogEventKind::MessageParsed) << 8 << qint64(1) << 0
                                    << QStringLiteral("roadwarrior") << QString();
    // "09[IKE] <roadwarrior|2> CHILD_SA rekeying failed, trying again in 15 seconds" (hex dump line before is
    // skipped)
    QTest::newRow("no time rekey failed")
        << QStringLiteral("charon-notime.log") << int(CharonLog::Format::FileLogNoTime) << 6
        << int(LogEventKind::RekeyFailed) << 9 << qint64(-1) << 0 << QStringLiteral("roadwarrior")
        << QString();
    // "10[IKE] <roadwarrior|2> received DELETE for ESP CHILD_SA with SPI c1d2e3f4"
    QTest::newRow("no time delete") << QStringLiteral("charon-notime.log")
                                    << int(CharonLog::Format::FileLogNoTime) << 7 << int(LogEventKind::Delete)
                                    << 10 << qint64(-1) << 0 << QStringLiteral("roadwarrior") << QString();
    // "11[IKE] <roadwarrior|2> detected changes in NAT mappings, initiating MOBIKE update"
    QTest::newRow("no time mobike") << QStringLiteral("charon-notime.log")
                                    << int(CharonLog::Format::FileLogNoTime) << 8
                                    << int(LogEventKind::NatMappingChanged) << 11 << qint64(-1) << 0
                                    << QStringLiteral("roadwarrior") << QString();
    // "12[IKE] <roadwarrior|2> peer not responding, trying again (2/0)"
    QTest::newRow("no time peer not responding")
        << QStringLiteral("charon-notime.log") << int(CharonLog::Format::FileLogNoTime) << 9
        << int(LogEventKind::PeerNotResponding) << 12 << qint64(-1) << 0 << QStringLiteral("roadwarrior")
        << QString();
    // "Nov 27 12:00:05.250 13[IKE] <lab|1> retransmit 2 of request with message ID 2"
    QTest::newRow("bsd time ms") << QStringLiteral("charon-bsdtime.log") << int(CharonLog::Format::FileLog)
                                 << 1 << int(LogEventKind::Retransmit) << 13 << qint64(2) << 2
                                 << QStringLiteral("lab") << QStringLiteral("11-27 12:00:05.250");
    // "Nov 27 12:00:12 07[IKE] <lab|1> IKE_SA lab[1] rekeyed between 10.0.1.1[left]...10.0.2.1[right]"
    QTest::newRow("bsd time rekey") << QStringLiteral("charon-bsdtime.log") << int(CharonLog::Format::FileLog)
                                    << 2 << int(LogEventKind::Rekey) << 7 << qint64(-1) << 0
                                    << QStringLiteral("lab") << QStringLiteral("11-27 12:00:12.000");
}

void TestEvidence::sampleLogs()
{
    QFETCH(QString, file);
    QFETCH(int, format);
    QFETCH(int, eventIndex);
    QFETCH(int, kind);
    QFETCH(int, thread);
    QFETCH(qint64, messageId);
    QFETCH(int, retransmit);
    QFETCH(QString, ikeName);
    QFETCH(QString, time);
    ParseStatus st;
    const auto l = std::get<CharonLog>(parseFile(fixture(file), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    QCOMPARE(int(l.format), format);
    QVERIFY(eventIndex < int(l.events.size()));
    const LogEvent &e = l.events[std::size_t(eventIndex)];
    QCOMPARE(logEventKindName(e.kind), logEventKindName(LogEventKind(kind)));
    QCOMPARE(e.thread, thread);
    QCOMPARE(e.messageId, messageId);
    QCOMPARE(e.retransmit, retransmit);
    QCOMPARE(e.ikeName, ikeName);
    if (time.isEmpty())
        QVERIFY(!e.time);
    else {
        QVERIFY(e.time);
        QCOMPARE(e.time->dateTime.toString(QStringLiteral("MM-dd HH:mm:ss.zzz")), time);
    }
}

void TestEvidence::ipLinkVersions_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("iface");
    QTest::addColumn<int>("mtu");
    QTest::addColumn<QString>("counter");
    QTest::addColumn<quint64>("value");
    // iproute2 6.1 (this machine, Debian 12): "4: eth0: <...> mtu 1400 ..."
    // "    RX:  bytes packets errors dropped  missed   mcast" / "      91897016    2049      0       0 0 0"
    QTest::newRow("deb12 rx_bytes") << QStringLiteral("ip-s-link-debian12.txt") << QStringLiteral("eth0")
                                    << 1400 << QStringLiteral("rx_bytes") << quint64(91897016);
    QTest::newRow("deb12 rx_missed") << QStringLiteral("ip-s-link-debian12.txt") << QStringLiteral("eth0")
                                     << 1400 << QStringLiteral("rx_missed") << quint64(0);
    // "    TX:  bytes packets errors dropped carrier collsns" / "         79683     974      0       0 0 0"
    QTest::newRow("deb12 tx_packets") << QStringLiteral("ip-s-link-debian12.txt") << QStringLiteral("eth0")
                                      << 1400 << QStringLiteral("tx_packets") << quint64(974);
    // older layout: "    RX: bytes  packets  errors  dropped overrun mcast" / "    987654321  812345   3 17
    // 2       410"
    QTest::newRow("deb11 rx_overrun") << QStringLiteral("ip-s-link-debian11.txt") << QStringLiteral("ens3")
                                      << 1500 << QStringLiteral("rx_overrun") << quint64(2);
    QTest::newRow("deb11 rx_dropped") << QStringLiteral("ip-s-link-debian11.txt") << QStringLiteral("ens3")
                                      << 1500 << QStringLiteral("rx_dropped") << quint64(17);
    QTest::newRow("deb11 tx_dropped") << QStringLiteral("ip-s-link-debian11.txt") << QStringLiteral("ens3")
                                      << 1500 << QStringLiteral("tx_dropped") << quint64(5);
    QTest::newRow("deb11 mcast") << QStringLiteral("ip-s-link-debian11.txt") << QStringLiteral("ens3") << 1500
                                 << QStringLiteral("rx_mcast") << quint64(410);
}

void TestEvidence::ipLinkVersions()
{
    QFETCH(QString, file);
    QFETCH(QString, iface);
    QFETCH(int, mtu);
    QFETCH(QString, counter);
    QFETCH(quint64, value);
    ParseStatus st;
    const auto l = std::get<LinkStatsList>(parseFile(fixture(file), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    QVERIFY(st.warnings.empty());
    const auto it =
        std::find_if(l.links.begin(), l.links.end(), [&](const LinkStats &s) { return s.name == iface; });
    QVERIFY(it != l.links.end());
    QCOMPARE(it->mtu, mtu);
    QCOMPARE(it->state, QStringLiteral("UP"));
    QVERIFY(it->counters.count(counter));
    QCOMPARE(it->counter(counter), std::uint64_t(value));
}

void TestEvidence::ethtool()
{
    ParseStatus st;
    const auto k = std::get<EthtoolFeatures>(parseFile(fixture(QStringLiteral("ethtool-k-eth0.txt")), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    QCOMPARE(k.interfaceName, QStringLiteral("eth0"));
    // `grep -c . ethtool-k-eth0.txt` → 64 lines, one of them "Features for eth0:"
    QCOMPARE(k.features.size(), std::size_t(63));
    // "generic-receive-offload: on", "large-receive-offload: off [fixed]", "esp-hw-offload: off [fixed]"
    QVERIFY(k.find(QStringLiteral("generic-receive-offload")));
    QVERIFY(k.find(QStringLiteral("generic-receive-offload"))->on);
    QVERIFY(!k.find(QStringLiteral("generic-receive-offload"))->fixed);
    QVERIFY(!k.find(QStringLiteral("large-receive-offload"))->on);
    QVERIFY(k.find(QStringLiteral("large-receive-offload"))->fixed);
    QVERIFY(k.find(QStringLiteral("esp-hw-offload"))->fixed);
    // "tx-checksumming: on" followed by the indented "	tx-checksum-ipv4: off [fixed]"
    QVERIFY(k.find(QStringLiteral("tx-checksum-ipv4")));
    QVERIFY(!k.find(QStringLiteral("tx-checksum-ipv4"))->on);

    ParseStatus st2;
    EvidenceSet set;
    set.addPath(fixture(QStringLiteral("ethtool-S-eth0.txt")));
    QCOMPARE(set.files().size(), std::size_t(1));
    const auto &s = std::get<EthtoolStats>(set.files().front().data);
    QCOMPARE(s.interfaceName, QStringLiteral("eth0"));
    // "     rx_kicks: 338", "     tx_kicks: 915"
    QCOMPARE(s.counters.at(QStringLiteral("rx_kicks")), std::uint64_t(338));
    QCOMPARE(s.counters.at(QStringLiteral("tx_kicks")), std::uint64_t(915));
    Q_UNUSED(st2);
}

void TestEvidence::snmpAndSysctl()
{
    ParseStatus st;
    const auto snmp = std::get<SnmpCounters>(parseFile(fixture(QStringLiteral("snmp.txt")), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    // "Ip: 2 64 2117 ..." under "Ip: Forwarding DefaultTTL InReceives ..."
    QCOMPARE(snmp.counters.at(QStringLiteral("Ip.DefaultTTL")), std::uint64_t(64));
    QCOMPARE(snmp.counters.at(QStringLiteral("Ip.InReceives")), std::uint64_t(2117));
    // "Udp: 32 0 0 33 0 0 0 0 0" under "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors ..."
    QCOMPARE(snmp.counters.at(QStringLiteral("Udp.InDatagrams")), std::uint64_t(32));
    QCOMPARE(snmp.counters.at(QStringLiteral("Udp.OutDatagrams")), std::uint64_t(33));
    QCOMPARE(snmp.counters.at(QStringLiteral("Ip.FragFails")), std::uint64_t(0));
    QCOMPARE(snmp.counters.count(QStringLiteral("Tcp.MaxConn")), std::size_t(0)); // "-1" is not a counter

    ParseStatus st6;
    const auto snmp6 = std::get<SnmpCounters>(parseFile(fixture(QStringLiteral("snmp6.txt")), st6));
    QVERIFY2(st6.ok(), qPrintable(st6.error));
    // "Ip6InReceives 1", "Ip6OutRequests 10"
    QCOMPARE(snmp6.counters.at(QStringLiteral("Ip6InReceives")), std::uint64_t(1));
    QCOMPARE(snmp6.counters.at(QStringLiteral("Ip6OutRequests")), std::uint64_t(10));

    ParseStatus sst;
    const auto sys = std::get<SysctlValues>(parseFile(fixture(QStringLiteral("sysctl.txt")), sst));
    QVERIFY2(sst.ok(), qPrintable(sst.error));
    // "net.core.rmem_max = 4194304", "sysctl: cannot stat /proc/sys/net/ipv4/no_such_key: ..."
    QCOMPARE(sys.values.at(QStringLiteral("net.core.rmem_max")), QStringLiteral("4194304"));
    QCOMPARE(sys.values.at(QStringLiteral("net.ipv4.ip_no_pmtu_disc")), QStringLiteral("0"));
    QCOMPARE(sys.values.size(), std::size_t(5));
    QCOMPARE(sys.unreadable.size(), 1);
    QVERIFY(sys.unreadable.front().contains(QLatin1String("no_such_key")));
}

void TestEvidence::swanctlConf()
{
    ParseStatus st;
    const auto cfg =
        std::get<ConfigFile>(parseFile(fixture(QStringLiteral("swanctl-with-secrets.conf")), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    QVERIFY(st.warnings.empty());
    QCOMPARE(cfg.connections.size(), std::size_t(1));
    const ConfigConnection &c = cfg.connections.front();
    QCOMPARE(c.name, QStringLiteral("site-a"));
    QCOMPARE(c.settings.at(QStringLiteral("dpd_delay")), QStringLiteral("30s"));
    QCOMPARE(c.settings.at(QStringLiteral("encap")), QStringLiteral("yes"));
    QCOMPARE(c.settings.at(QStringLiteral("proposals")), QStringLiteral("aes256gcm16-prfsha384-ecp384"));
    QCOMPARE(c.settings.at(QStringLiteral("local.auth")), QStringLiteral("psk"));
    QCOMPARE(c.children.size(), std::size_t(1));
    QCOMPARE(c.children.front().name, QStringLiteral("net"));
    QCOMPARE(c.children.front().settings.at(QStringLiteral("replay_window")), QStringLiteral("128"));
    QCOMPARE(c.children.front().settings.at(QStringLiteral("dpd_action")), QStringLiteral("restart"));
    QCOMPARE(cfg.includes, QStringList{QStringLiteral("conf.d/*.conf")});
    // The secrets section is noted but nothing of it is kept.
    QVERIFY(cfg.secretsPresent);
    QVERIFY(!cfg.root.section(QStringLiteral("secrets")));
    JsonWriter w;
    EvidenceSet set;
    set.addPath(fixture(QStringLiteral("swanctl-with-secrets.conf")));
    writeEvidenceJson(w, set);
    QVERIFY(!QByteArray::fromStdString(w.str()).contains("SuperSecret"));
    QVERIFY(!QByteArray::fromStdString(w.str()).contains("alice password"));
}

void TestEvidence::ipsecAndStrongswanConf()
{
    ParseStatus st;
    const auto cfg = std::get<ConfigFile>(parseFile(fixture(QStringLiteral("ipsec-conns.conf")), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    QVERIFY(st.warnings.empty());
    QCOMPARE(cfg.connections.size(), std::size_t(1)); // %default is merged, not listed
    const ConfigConnection &c = cfg.connections.front();
    QCOMPARE(c.name, QStringLiteral("site-b"));
    QCOMPARE(c.settings.at(QStringLiteral("dpddelay")), QStringLiteral("10s")); // from conn %default
    QCOMPARE(c.settings.at(QStringLiteral("forceencaps")), QStringLiteral("yes"));
    QCOMPARE(c.children.front().settings.at(QStringLiteral("esp")), QStringLiteral("aes128-sha256!"));
    QCOMPARE(c.children.front().settings.at(QStringLiteral("lifetime")), QStringLiteral("1h"));
    QCOMPARE(cfg.includes, QStringList{QStringLiteral("/etc/ipsec.d/*.conf")});
    QCOMPARE(cfg.root.section(QStringLiteral("config setup"))->values.front().value,
             QStringLiteral("ike 2, knl 2"));

    ParseStatus st2;
    const auto ss =
        std::get<ConfigFile>(parseFile(fixture(QStringLiteral("strongswan-retransmit.conf")), st2));
    QVERIFY2(st2.ok(), qPrintable(st2.error));
    QCOMPARE(ss.root.find(QStringLiteral("charon.retransmit_tries"))->value, QStringLiteral("3"));
    QCOMPARE(ss.root.find(QStringLiteral("charon.retransmit_base"))->value, QStringLiteral("1.4"));
    QCOMPARE(ss.root.find(QStringLiteral("charon.keep_alive"))->value, QStringLiteral("20s"));
    QVERIFY(!ss.root.find(QStringLiteral("charon.fragment_size")));
    QCOMPARE(ss.includes.size(), 2);
}

void TestEvidence::listConns()
{
    ParseStatus st;
    const auto l =
        std::get<SwanctlConnList>(parseFile(fixture(QStringLiteral("swanctl-list-conns.txt")), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    QCOMPARE(l.connections.size(), std::size_t(1));
    const SwanctlConn &c = l.connections.front();
    QCOMPARE(c.name, QStringLiteral("site-a"));
    QVERIFY(c.summary.contains(QLatin1String("dpd delay 30s")));
    QCOMPARE(c.localAddrs, QStringList{QStringLiteral("192.0.2.1")});
    QCOMPARE(c.remoteAddrs, QStringList{QStringLiteral("198.51.100.7")});
    QCOMPARE(c.children.size(), std::size_t(1));
    QCOMPARE(c.children.front().name, QStringLiteral("net"));
    QCOMPARE(c.children.front().localTs, QStringList{QStringLiteral("10.1.0.0/24")});
    QVERIFY(c.children.front().summary.contains(QLatin1String("dpd action is restart")));
}

void TestEvidence::xfrmStateEsnEncap()
{
    ParseStatus st;
    const auto l =
        std::get<XfrmStateList>(parseFile(fixture(QStringLiteral("xfrm-state-esn-encap.txt")), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    QVERIFY(st.warnings.empty());
    QCOMPARE(l.sas.size(), std::size_t(1));
    const XfrmSa &sa = l.sas.front();
    QCOMPARE(sa.spi, 0xc0ffee01u);
    QCOMPARE(sa.reqid, 3u);
    QVERIFY(sa.flags.contains(QStringLiteral("esn")));
    QVERIFY(sa.hasEncap);
    QCOMPARE(sa.encapType, QStringLiteral("espinudp"));
    QCOMPARE(sa.encapSport, 4500);
    QCOMPARE(sa.encapDport, 4500);
    // " seq-hi 0x0, seq 0x0, oseq-hi 0x1, oseq 0x10"
    QVERIFY(sa.hasReplayContext);
    QCOMPARE(sa.oseq, (std::uint64_t(1) << 32) | 0x10);
    QCOMPARE(sa.algorithms, QStringList{QStringLiteral("aead rfc4106(gcm(aes)) 128")});
    QCOMPARE(sa.currentBytes, std::uint64_t(1000));
    QCOMPARE(sa.currentPackets, std::uint64_t(10));
}

void TestEvidence::xfrmStateEsnWindow()
{
    // iproute2 prints "replay-window 0" for SAs with the ESN replay state (ESN, or a window above
    // 32) and the real size under "anti-replay esn context:" as " replay_window N, bitmap-length M".
    ParseStatus st;
    const auto l =
        std::get<XfrmStateList>(parseFile(fixture(QStringLiteral("xfrm-state-esn-window.txt")), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    QVERIFY(st.warnings.empty());
    QCOMPARE(l.sas.size(), std::size_t(2));
    const XfrmSa *esn = findSa(l, 0xc0ffee02u);
    QVERIFY(esn);
    QVERIFY(esn->flags.contains(QStringLiteral("esn")));
    // " replay_window 1024, bitmap-length 32"
    QCOMPARE(esn->replayWindow, 1024u);
    // " seq-hi 0x1, seq 0x2a, ..."
    QCOMPARE(esn->seq, (std::uint64_t(1) << 32) | 0x2a);
    // "  replay-window 7 replay 2 failed 0"
    QCOMPARE(esn->statsReplayWindow, std::uint64_t(7));
    QCOMPARE(esn->statsReplay, std::uint64_t(2));
    const XfrmSa *wide = findSa(l, 0xc0ffee03u);
    QVERIFY(wide);
    QVERIFY(!wide->flags.contains(QStringLiteral("esn")));
    // " replay_window 64, bitmap-length 2"
    QCOMPARE(wide->replayWindow, 64u);
    QCOMPARE(wide->seq, std::uint64_t(0x1f4));
}

void TestEvidence::wrongKind_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("message");
    QTest::newRow("snmp as xfrm state")
        << fixture(QStringLiteral("snmp.txt")) << int(EvidenceKind::XfrmState)
        << QStringLiteral("snmp.txt: not an `ip -s xfrm state` output: expected lines starting with 'src '");
    QTest::newRow("log as xfrm_stat")
        << lab(QStringLiteral("clean/charon-left.log")) << int(EvidenceKind::XfrmStat)
        << QStringLiteral(
               "charon-left.log: not a copy of /proc/net/xfrm_stat: expected lines like 'XfrmInNoStates 0'");
    QTest::newRow("xfrm_stat as log")
        << lab(QStringLiteral("clean/stats/left-xfrm_stat-end.txt")) << int(EvidenceKind::CharonLog)
        << QStringLiteral("left-xfrm_stat-end.txt: not a charon log: expected charon lines");
    QTest::newRow("swanctl.conf as ipsec.conf")
        << fixture(QStringLiteral("swanctl-with-secrets.conf")) << int(EvidenceKind::IpsecConf)
        << QStringLiteral("not an ipsec.conf: expected 'config setup' or 'conn NAME' sections");
    QTest::newRow("state as link") << lab(QStringLiteral("clean/stats/left-xfrm-state-end.txt"))
                                   << int(EvidenceKind::IpLink)
                                   << QStringLiteral("not an `ip -s link` output");
    QTest::newRow("link as ethtool -k")
        << fixture(QStringLiteral("ip-s-link-debian12.txt")) << int(EvidenceKind::EthtoolFeatures)
        << QStringLiteral("not an `ethtool -k` output: expected a first line 'Features for IFACE:'");
    QTest::newRow("policy as list-sas")
        << lab(QStringLiteral("clean/stats/left-xfrm-policy-start.txt")) << int(EvidenceKind::SwanctlListSas)
        << QStringLiteral("not a `swanctl --list-sas` output");
    QTest::newRow("list-sas as sysctl")
        << lab(QStringLiteral("clean/stats/left-swanctl-list-sas-end.txt")) << int(EvidenceKind::Sysctl)
        << QStringLiteral("not a `sysctl` output");
    QTest::newRow("log as snmp6") << fixture(QStringLiteral("syslog-charon.log")) << int(EvidenceKind::Snmp6)
                                  << QStringLiteral("not a copy of /proc/net/snmp6");
}

void TestEvidence::wrongKind()
{
    QFETCH(QString, file);
    QFETCH(int, kind);
    QFETCH(QString, message);
    ParseStatus st;
    parseEvidence(EvidenceKind(kind), readAll(file), file, st);
    QVERIFY(!st.ok());
    QVERIFY2(st.error.contains(message), qPrintable(st.error));
    QVERIFY(st.error.startsWith(file)); // names the file
}

void TestEvidence::binaryGarbage_data()
{
    QTest::addColumn<int>("kind");
    for (int k = int(EvidenceKind::XfrmStat); k <= int(EvidenceKind::CharonLog); ++k)
        QTest::newRow(qPrintable(evidenceKindName(EvidenceKind(k)))) << k;
}

void TestEvidence::binaryGarbage()
{
    // The first 2048 bytes of a pcap: "binary data", never a crash.
    QFETCH(int, kind);
    const QString file = fixture(QStringLiteral("garbage.bin"));
    ParseStatus st;
    parseEvidence(EvidenceKind(kind), readAll(file), file, st);
    QVERIFY(!st.ok());
    QVERIFY2(st.error.contains(QLatin1String("binary data")), qPrintable(st.error));
}

void TestEvidence::percentInFileName()
{
    // The file's name is put into the message once: its own "%1%2" is not a place for the offset.
    ParseStatus st;
    const QString name = QStringLiteral("/tmp/x%1%2.log");
    parseEvidence(EvidenceKind::CharonLog, QByteArray("abc\0def", 7), name, st);
    QCOMPARE(st.error, name + QStringLiteral(": binary data (NUL byte at offset 3), not a text file"));
}

void TestEvidence::manyConnectionsCapped()
{
    // A made-up swanctl.conf of 300,000 connections (each a section and a value): a file keeps
    // at most 500,000 sections and values, the rest is ignored with a warning naming the line
    // where that happened. Before, every one was kept (750,000 in the 64 MB a file is read up to
    // took 1 GB to hold and 80 s to diagnose).
    QByteArray text = "connections {\n";
    for (int i = 0; i < 300'000; ++i)
        text += "c" + QByteArray::number(i) + " {\nremote_addrs = 10.0.0.1\n}\n";
    text += "}\n";
    ParseStatus st;
    const EvidenceData d = parseEvidence(EvidenceKind::SwanctlConf, text, QStringLiteral("swanctl.conf"), st);
    QVERIFY2(st.ok(), qPrintable(st.error));
    const auto *cfg = std::get_if<ConfigFile>(&d);
    QVERIFY(cfg);
    // "connections" is the first entry; connection k (from 0) opens at entry 2k + 2 on line
    // 3k + 2 and its value is entry 2k + 3: entry 500,000 is connection 249,999's section, whose
    // value (line 750,000) is the first one dropped.
    QCOMPARE(cfg->connections.size(), std::size_t(250'000));
    QCOMPARE(cfg->connections.back().name, QStringLiteral("c249999"));
    QVERIFY(cfg->connections.back().settings.empty());
    QCOMPARE(cfg->connections[249'998].settings.at(QStringLiteral("remote_addrs")),
             QStringLiteral("10.0.0.1"));
    QCOMPARE(st.warnings.size(), std::size_t(1));
    QCOMPARE(st.warnings.front().line, 750'000);
    QCOMPARE(st.warnings.front().message,
             QStringLiteral("more than 500000 sections and values, the rest is ignored"));
}

void TestEvidence::linkMtuBeyondIntNotWrapped()
{
    // ip link's "mtu N" beyond int is no MTU: before, int() of 4294967396 was 100, a link on the
    // path smaller than any real one (the path MTU and the MSS fixes take the smallest).
    ParseStatus st;
    const EvidenceData d =
        parseEvidence(EvidenceKind::IpLink,
                      "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 4294967396 qdisc noqueue state UP\n"
                      "    link/ether 92:0e:03:d0:3d:3f brd ff:ff:ff:ff:ff:ff\n"
                      "3: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\n"
                      "    link/ether 92:0e:03:d0:3d:40 brd ff:ff:ff:ff:ff:ff\n",
                      QStringLiteral("ip-link.txt"), st);
    QVERIFY2(st.ok(), qPrintable(st.error));
    const auto *links = std::get_if<LinkStatsList>(&d);
    QVERIFY(links);
    QCOMPARE(links->links.size(), std::size_t(2));
    QCOMPARE(links->links[0].mtu, 0);
    QCOMPARE(links->links[1].mtu, 1500);
}

void TestEvidence::replayWindowBeyondIntNotWrapped()
{
    // "replay-window 4294967328" is no window: before, uint32_t() of it was 32, a plausible
    // window the replay finding and its fix then started from.
    ParseStatus st;
    const EvidenceData d =
        parseEvidence(EvidenceKind::XfrmState,
                      "src 10.0.2.1 dst 10.0.1.1\n"
                      "\tproto esp spi 0xcd93565c(3448985180) reqid 1(0x00000001) mode tunnel\n"
                      "\treplay-window 4294967328 seq 0x00000000 flag af-unspec (0x00100000)\n",
                      QStringLiteral("xfrm-state.txt"), st);
    QVERIFY2(st.ok(), qPrintable(st.error));
    const auto *list = std::get_if<XfrmStateList>(&d);
    QVERIFY(list);
    QCOMPARE(list->sas.size(), std::size_t(1));
    QCOMPARE(list->sas.front().replayWindow, std::uint32_t(0));
    QCOMPARE(st.warnings.size(), std::size_t(1));
    QCOMPARE(st.warnings.front().message, QStringLiteral("replay-window beyond any window: not read"));
}

void TestEvidence::ifIdBeyond32BitsNotWrapped()
{
    // An if_id is 32 bits: 0x10000002a is none (0), not the 0x2a of another XFRM interface.
    ParseStatus st;
    const EvidenceData d =
        parseEvidence(EvidenceKind::IpLink,
                      "7: xfrm0@NONE: <NOARP,UP,LOWER_UP> mtu 1422 qdisc noqueue state UNKNOWN\n"
                      "    link/none  promiscuity 0 minmtu 68 maxmtu 65535\n"
                      "    xfrm if_id 0x10000002a addrgenmode eui64\n",
                      QStringLiteral("ip-d-link.txt"), st);
    QVERIFY2(st.ok(), qPrintable(st.error));
    const auto *links = std::get_if<LinkStatsList>(&d);
    QVERIFY(links);
    QCOMPARE(links->links.size(), std::size_t(1));
    QCOMPARE(links->links.front().linkKind, QStringLiteral("xfrm"));
    QCOMPARE(links->links.front().ifId, std::uint32_t(0));
}

void TestEvidence::truncated()
{
    // First 700 bytes of reorder-antireplay right-xfrm-state-end.txt: ends "\tstats:\n\t  repl".
    ParseStatus st;
    const auto l =
        std::get<XfrmStateList>(parseFile(fixture(QStringLiteral("xfrm-state-truncated.txt")), st));
    QVERIFY2(st.ok(), qPrintable(st.error));
    QCOMPARE(l.sas.size(), std::size_t(1));
    QCOMPARE(l.sas.front().spi, 0xcd93565cu);
    QVERIFY(!l.sas.front().hasStats);
    QCOMPARE(st.warnings.size(), std::size_t(1));
    QCOMPARE(st.warnings.front().line, 16);
    // The copy stopped inside line 16 (no line end): the file was read only in part, which the
    // diagnosis says (a malformed statistics line would not be).
    QVERIFY(st.partial());
    QCOMPARE(st.cut.line, 16);
    QVERIFY2(st.cut.message.contains(QLatin1String("SA that starts on line 1")), qPrintable(st.cut.message));
}

void TestEvidence::cutInsideTheLastSa()
{
    // xfrm-state-esn-window.txt, two SAs of one `ip -s -s xfrm state` run (lines 1-21 and
    // 22-39), each with its anti-replay context, current lifetime and statistics. Cut after whole
    // lines inside the second SA, the file must be marked as read only in part, at its last line,
    // naming the SA on line 22; whole, or cut right after the first SA, it must not.
    QFile f(fixture(QStringLiteral("xfrm-state-esn-window.txt")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(lines.size(), 40); // 39 lines and the empty piece after the last line end
    QVERIFY(lines[21].startsWith("src "));
    for (int keep : {21, 23, 25, 29, 35, 37, 38, 39}) {
        QByteArray text;
        for (int i = 0; i < keep; ++i)
            text += lines[i] + '\n';
        ParseStatus st;
        const auto l = parseXfrmState(text, QStringLiteral("cut.txt"), st);
        QVERIFY2(st.ok(), qPrintable(st.error));
        const bool cut = keep != 21 && keep != 39;
        QCOMPARE(l.sas.size(), std::size_t(keep > 21 ? 2 : 1));
        QVERIFY2(st.partial() == cut, qPrintable(QString::number(keep)));
        if (!cut) continue;
        QCOMPARE(st.cut.line, keep);
        QVERIFY2(st.cut.message.contains(QLatin1String("SA that starts on line 22")),
                 qPrintable(st.cut.message));
    }
}

void TestEvidence::hugeInput()
{
    // 100,000 lines of which one is 1 MB long: cut with a warning, everything else read.
    QByteArray text;
    const QByteArray line = "13[IKE] <x|1> retransmit 1 of request with message ID 3\n";
    text.reserve(line.size() * 100'000 + (1 << 20));
    for (int i = 0; i < 100'000; ++i) {
        if (i == 500)
            text += QByteArray(1 << 20, 'A') + '\n';
        else
            text += line;
    }
    ParseStatus st;
    const auto log = parseCharonLog(text, QStringLiteral("huge.log"), st);
    QVERIFY(st.ok());
    QCOMPARE(int(log.events.size()), 99'999);
    QVERIFY(!st.warnings.empty());
    QCOMPARE(st.warnings.front().line, 501);
    QVERIFY(st.warnings.front().message.contains(QLatin1String("longer than")));

    // Line count cap.
    ParseStatus st2;
    TextLimits small;
    small.maxLines = 1000;
    const auto lines = splitEvidenceLines(text, QStringLiteral("huge.log"), st2, small);
    QCOMPARE(int(lines.size()), 1000);
    QVERIFY(st2.warnings.back().message.contains(QLatin1String("more than 1000 lines")));

    // File size cap.
    ParseStatus st3;
    TextLimits tiny;
    tiny.maxFileBytes = 1024;
    const QByteArray head = readEvidenceText(lab(QStringLiteral("rekey-loss/charon-left.log")), st3, tiny);
    QCOMPARE(head.size(), 1024);
    QCOMPARE(st3.warnings.size(), std::size_t(1));
    QVERIFY(st3.warnings.front().message.contains(QLatin1String("only the first")));

    // Deep nesting and unbalanced braces in a config.
    QByteArray deep;
    for (int i = 0; i < 10'000; ++i)
        deep += "a" + QByteArray::number(i) + " {\n";
    ParseStatus st4;
    const auto cfg =
        parseStrongswanStyleConf(deep, QStringLiteral("deep.conf"), EvidenceKind::StrongswanConf, st4);
    QVERIFY(st4.ok());
    QVERIFY(!st4.warnings.empty());
    Q_UNUSED(cfg);
}

void TestEvidence::folderAndJson()
{
    EvidenceSet set;
    QVERIFY(set.addPath(lab(QStringLiteral("reorder-antireplay/stats"))));
    QVERIFY(set.addPath(lab(QStringLiteral("reorder-antireplay/charon-right.log"))));
    int states = 0;
    for (const EvidenceFile &f : set.files()) {
        QVERIFY2(f.status.ok(), qPrintable(f.status.error));
        if (f.kind == EvidenceKind::XfrmState) ++states;
    }
    QCOMPARE(states, 4); // {left,right}-xfrm-state-{start,end}.txt
    const auto skipped = set.skipped();
    QVERIFY(std::any_of(skipped.begin(), skipped.end(), [](const SkippedFile &s) {
        return s.path.endsWith(QLatin1String("tcpdump-left-outer.pcap.log"));
    }));
    const EvidenceFile *log = set.find(QStringLiteral("right"), EvidenceKind::CharonLog, SnapshotPhase::None);
    QVERIFY(log);

    JsonWriter w(true);
    writeEvidenceJson(w, set);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(w.str()), &err);
    QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString()));
    bool found = false;
    for (const QJsonValue d : doc.object().value(QStringLiteral("deltas")).toArray()) {
        const QJsonObject o = d.toObject();
        if (o.value(QStringLiteral("host")).toString() != QLatin1String("right") ||
            o.value(QStringLiteral("kind")).toString() != QLatin1String("xfrm_state"))
            continue;
        for (const QJsonValue c : o.value(QStringLiteral("changed")).toArray())
            if (c.toObject().value(QStringLiteral("name")).toString() ==
                QLatin1String("0xcd95a8a5@10.0.2.1/replay-window")) {
                QCOMPARE(c.toObject().value(QStringLiteral("delta")).toInt(), 25);
                found = true;
            }
    }
    QVERIFY(found);
    // Keys never appear in the output, although the lab's xfrm-state files hold them.
    QVERIFY(!QByteArray::fromStdString(w.str()).contains("0x8561d0497880a66ae37c24eb9d6f48ed"));
    QVERIFY(!evidenceText(set).isEmpty());
}

void TestEvidence::unnamedSnapshotsPairByFolder()
{
    // Two collect runs name their files the same; the earlier folder is "before".
    EvidenceSet set;
    set.addText(QStringLiteral("xfrm_stat.txt"), "XfrmInNoStates 3\nXfrmInStateSeqError 1\n", 0);
    set.addText(QStringLiteral("xfrm_stat.txt"), "XfrmInNoStates 10\nXfrmInStateSeqError 1\n", 1);
    const auto d = set.deltas();
    QCOMPARE(d.size(), std::size_t(1));
    const auto changed = d.front().changed();
    QCOMPARE(changed.size(), std::size_t(1));
    QCOMPARE(changed.front().name, QStringLiteral("XfrmInNoStates"));
    QCOMPARE(changed.front().delta, std::int64_t(7));
}

void TestEvidence::charonLinesRedacted()
{
    // A log read as evidence (not collected, so not redacted on the way in): lines that reach
    // reports (JSON, text, the diagnosis' log_line, the PDF, the GUI) hold no key-like hex.
    const QString path = fixture(QStringLiteral("hostile/charon.log"));
    QVERIFY(readAll(path).contains("sending DPD request 0x5345435245544d41524b45522d4b4559303132"));
    EvidenceSet set;
    QVERIFY(set.addPath(path));
    QCOMPARE(set.files().size(), std::size_t(1));
    const auto *log = std::get_if<CharonLog>(&set.files().front().data);
    QVERIFY(log);
    bool dpd = false;
    for (const LogEvent &e : log->events) {
        QVERIFY2(!e.raw.contains(QLatin1String("5345435245544d41")), qPrintable(e.raw));
        QVERIFY2(!e.message.contains(QLatin1String("5345435245544d41")), qPrintable(e.message));
        if (e.kind == LogEventKind::DpdRequest) {
            dpd = true;
            QCOMPARE(e.message, QStringLiteral("sending DPD request [redacted]"));
            QCOMPARE(e.line, 4);
        }
    }
    QVERIFY(dpd);
    JsonWriter w;
    writeEvidenceJson(w, set);
    const QByteArray json = QByteArray::fromStdString(w.str());
    QVERIFY(json.contains("sending DPD request [redacted]"));
    QVERIFY(!json.contains("5345435245544d41"));
}

namespace {
bool skippedFor(const EvidenceSet &set, const QString &path, const QString &reasonPart)
{
    return std::any_of(set.skipped().begin(), set.skipped().end(),
                       [&](const SkippedFile &s) { return s.path == path && s.reason.contains(reasonPart); });
}
bool warned(const EvidenceSet &set, const QString &path, const QString &part)
{
    return std::any_of(set.warnings().begin(), set.warnings().end(), [&](const QString &w) {
        return w.startsWith(path + QLatin1Char(':')) && w.contains(part);
    });
}
} // namespace

void TestEvidence::hostileFolder()
{
    // One real evidence file, reached four ways, next to a FIFO named like a log.
    QTemporaryDir outside;
    QTemporaryDir dir;
    QVERIFY(dir.isValid() && outside.isValid());
    const QString real = dir.filePath(QStringLiteral("ethtool-S-eth0.txt"));
    QVERIFY(QFile::copy(fixture(QStringLiteral("ethtool-S-eth0.txt")), real));
    const QString hard = dir.filePath(QStringLiteral("b-ethtool-S-eth0.txt"));
    QCOMPARE(::link(QFile::encodeName(real).constData(), QFile::encodeName(hard).constData()), 0);
    const QString inner = dir.filePath(QStringLiteral("c-ethtool-S-eth0.txt"));
    QVERIFY(QFile::link(real, inner));
    const QString secret = outside.filePath(QStringLiteral("charon.log"));
    QVERIFY(QFile::copy(fixture(QStringLiteral("charon-bsdtime.log")), secret));
    const QString escape = dir.filePath(QStringLiteral("d-charon.log"));
    QVERIFY(QFile::link(secret, escape));
    const QString fifo = dir.filePath(QStringLiteral("charon.log"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);

    QElapsedTimer clock;
    clock.start();
    EvidenceSet set;
    QVERIFY(set.addPath(dir.path()));
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed()))); // hung for ever before

    // The real file is read once: under the first name in sorted order.
    QCOMPARE(set.files().size(), std::size_t(1));
    QCOMPARE(set.files().front().path, hard);
    QCOMPARE(set.files().front().kind, EvidenceKind::EthtoolStats);
    QVERIFY(skippedFor(set, real, QStringLiteral("the same file as %1").arg(hard)));
    QVERIFY(skippedFor(set, inner, QStringLiteral("the same file as %1").arg(hard)));
    // The link leading out of the folder is not followed, and says so.
    QVERIFY(skippedFor(set, escape, QStringLiteral("outside")));
    QVERIFY(warned(set, escape,
                   QStringLiteral("symbolic link to %1").arg(QFileInfo(secret).canonicalFilePath())));
    // The FIFO is refused from its stat, never opened.
    QVERIFY(skippedFor(set, fifo, QStringLiteral("FIFO")));
    QVERIFY(warned(set, fifo, QStringLiteral("not opened")));
    QVERIFY(evidenceText(set).contains(QStringLiteral("warning: %1: a FIFO").arg(fifo)));
}

void TestEvidence::hostileFileNamedDirectly()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A FIFO named on the command line: refused at once, with its name and type.
    const QString fifo = dir.filePath(QStringLiteral("charon.log"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    EvidenceSet set;
    QString error;
    QVERIFY(!set.addPath(fifo, &error));
    QVERIFY2(error.startsWith(fifo + QStringLiteral(": a FIFO")), qPrintable(error));
    // A file that is not evidence: an error naming it (it was silently skipped before).
    const QString garbage = fixture(QStringLiteral("garbage.bin"));
    QVERIFY(!set.addPath(garbage, &error));
    QCOMPARE(error, garbage + QStringLiteral(": not a recognised evidence file"));
    // A symbolic link named directly is the user's choice and is followed.
    const QString link = dir.filePath(QStringLiteral("sysctl.txt"));
    QVERIFY(QFile::link(fixture(QStringLiteral("sysctl.txt")), link));
    QVERIFY2(set.addPath(link, &error), qPrintable(error));
    QCOMPARE(set.files().size(), std::size_t(1));
    // An `ip route` listing named directly is accepted (read as the ip_route kind); a "routes"
    // file holding something else is not.
    const QString routes =
        lab(QStringLiteral("mtu-blackhole")) + QStringLiteral("/stats/left-routes-start.txt");
    QVERIFY2(set.addPath(routes, &error), qPrintable(error));
    QVERIFY(std::any_of(set.files().begin(), set.files().end(), [&](const EvidenceFile &f) {
        return f.path == routes && f.kind == EvidenceKind::IpRoute;
    }));
    const QString notRoutes = dir.filePath(QStringLiteral("routes.txt"));
    QFile nr(notRoutes);
    QVERIFY(nr.open(QIODevice::WriteOnly));
    nr.write("$(touch /tmp/x) dev\nnot a route\n");
    nr.close();
    QVERIFY(set.addPath(notRoutes, &error)); // read as ip_route by its name, then refused
    QVERIFY(std::any_of(set.files().begin(), set.files().end(), [&](const EvidenceFile &f) {
        return f.path == notRoutes &&
               f.status.error.startsWith(notRoutes + QStringLiteral(": not an ip route"));
    }));
}

void TestEvidence::byteBudget()
{
    // Three distinct copies of one log under a budget of one and a half of them: the first is
    // read whole, the second up to the budget (half its size, said in a warning), the third not.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString src = fixture(QStringLiteral("charon-notime.log"));
    const qint64 size = QFileInfo(src).size();
    QVERIFY(size > 100);
    QStringList copies;
    for (const char *name : {"a-charon.log", "b-charon.log", "c-charon.log"}) {
        copies << dir.filePath(QString::fromLatin1(name));
        QVERIFY(QFile::copy(src, copies.back()));
    }
    const qint64 budget = size + size / 2;
    EvidenceSet set(budget);
    QVERIFY(set.addPath(dir.path()));
    QCOMPARE(set.files().size(), std::size_t(2));
    QCOMPARE(set.files()[0].path, copies[0]);
    QVERIFY(set.files()[0].status.warnings.empty());
    QCOMPARE(set.files()[1].path, copies[1]);
    const auto &w = set.files()[1].status.warnings;
    QVERIFY(std::any_of(w.begin(), w.end(), [&](const EvidenceIssue &pw) {
        return pw.message ==
               QStringLiteral("%1: the evidence budget of %2 bytes for one load is spent; only the "
                              "first %3 bytes were read")
                   .arg(copies[1])
                   .arg(budget)
                   .arg(budget - size);
    }));
    QVERIFY(skippedFor(set, copies[2], QStringLiteral("budget")));
    QVERIFY(set.warnings().contains(
        QStringLiteral("not read: the evidence budget of %1 bytes for one load is spent").arg(budget)));
}

void TestEvidence::firewallListings()
{
    // Real listings from a network namespace (firewall/make-netns-listings.sh): the expected
    // counters are the packets that script sent (README: 5 ESP packets of 36 bytes REJECTed by
    // OUTPUT rule 2; 3 UDP datagrams of 30 bytes dropped by nft table inet t).
    EvidenceSet set;
    QVERIFY(set.addPath(fixture(QStringLiteral("firewall"))));
    const FirewallRuleset *ipt = nullptr, *ip6t = nullptr, *nft = nullptr;
    const ConntrackCounters *ct = nullptr;
    const RouteListing *rules = nullptr;
    for (const EvidenceFile &f : set.files()) {
        QVERIFY2(f.status.ok(), qPrintable(f.status.error));
        const QString name = QFileInfo(f.path).fileName();
        if (name == QLatin1String("iptables-save-netns.txt")) ipt = std::get_if<FirewallRuleset>(&f.data);
        if (name == QLatin1String("ip6tables-save-netns.txt")) ip6t = std::get_if<FirewallRuleset>(&f.data);
        if (name == QLatin1String("nft-ruleset-netns.txt")) nft = std::get_if<FirewallRuleset>(&f.data);
        if (name == QLatin1String("conntrack-S-netns.txt")) ct = std::get_if<ConntrackCounters>(&f.data);
        if (name == QLatin1String("ip-rule-netns.txt")) {
            QCOMPARE(int(f.kind), int(EvidenceKind::IpRule));
            rules = std::get_if<RouteListing>(&f.data);
        }
    }
    QVERIFY(ipt && ip6t && nft && ct && rules);
    // "[5:180] -A OUTPUT -d 10.0.2.1/32 -p esp -j REJECT --reject-with icmp-port-unreachable"
    QCOMPARE(ipt->rules.size(), std::size_t(2));
    const FirewallRule &esp = ipt->rules[1];
    QCOMPARE(esp.family, QStringLiteral("ipv4"));
    QCOMPARE(esp.table, QStringLiteral("filter"));
    QCOMPARE(esp.chain, QStringLiteral("OUTPUT"));
    QCOMPARE(esp.position, 2);
    QCOMPARE(esp.verdict, QStringLiteral("REJECT"));
    QCOMPARE(esp.proto, QStringLiteral("esp"));
    QCOMPARE(esp.dst, QStringList{QStringLiteral("10.0.2.1/32")});
    QVERIFY(esp.hasCounters);
    QCOMPARE(esp.packets, std::uint64_t(5));
    QCOMPARE(esp.bytes, std::uint64_t(5 * 36));
    QCOMPARE(esp.text,
             QStringLiteral("-A OUTPUT -d 10.0.2.1/32 -p esp -j REJECT --reject-with icmp-port-unreachable"));
    QVERIFY(esp.other.isEmpty() && !esp.negated);
    // "[0:0] -A OUTPUT -d 10.0.2.1/32 -p udp -m multiport --dports 500,4500 -j DROP"
    const FirewallRule &udp = ipt->rules[0];
    QCOMPARE(udp.dports, (std::vector<std::pair<int, int>>{{500, 500}, {4500, 4500}}));
    QCOMPARE(udp.packets, std::uint64_t(0));
    QCOMPARE(ip6t->rules.size(), std::size_t(1));
    QCOMPARE(ip6t->rules[0].family, QStringLiteral("ipv6"));
    // nft: "ip daddr 10.0.2.1 udp dport 4500 counter packets 3 bytes 90 drop # handle 2" in inet t out
    const auto it = std::find_if(nft->rules.begin(), nft->rules.end(),
                                 [](const FirewallRule &r) { return r.table == QLatin1String("t"); });
    QVERIFY(it != nft->rules.end());
    QCOMPARE(it->family, QStringLiteral("inet"));
    QCOMPARE(it->chain, QStringLiteral("out"));
    QCOMPARE(it->handle, std::int64_t(2));
    QCOMPARE(it->verdict, QStringLiteral("DROP"));
    QCOMPARE(it->proto, QStringLiteral("udp"));
    QCOMPARE(it->dst, QStringList{QStringLiteral("10.0.2.1")});
    QCOMPARE(it->dports, (std::vector<std::pair<int, int>>{{4500, 4500}}));
    QCOMPARE(it->packets, std::uint64_t(3));
    QCOMPARE(it->bytes, std::uint64_t(3 * 30));
    // iptables-nft's own tables as nft shows them: the set "{ 500, 4500 }" and the reject.
    QCOMPARE(nft->rules.size(), std::size_t(4));
    QCOMPARE(nft->rules[0].dports, (std::vector<std::pair<int, int>>{{500, 500}, {4500, 4500}}));
    QCOMPARE(nft->rules[1].verdict, QStringLiteral("REJECT"));
    QCOMPARE(nft->rules[1].packets, std::uint64_t(5));
    // conntrack -S: two CPUs, ten counters each, summed.
    QCOMPARE(ct->counters.size(), std::size_t(10));
    QCOMPARE(ct->counters.at(QStringLiteral("insert_failed")), std::uint64_t(0));
    QCOMPARE(rules->lines.size(), 3);
}

void TestEvidence::firewallHostile()
{
    // Bounded and explicit on malformed listings: braces that never close, a counter too large
    // for 64 bits, a rule line without -A, a long quoted comment, negations and unknown matches.
    QByteArray nft = "table inet x {\n chain c {\n";
    for (int i = 0; i < 2000; ++i)
        nft += "  set s { elements = { 1.2.3.4, ";
    nft += "\n  ip saddr != 10.0.0.1 counter packets 7 bytes 70 drop\n";
    ParseStatus st;
    const FirewallRuleset a = parseFirewall(nft, QStringLiteral("nft-ruleset.txt"), st);
    QVERIFY(st.ok());
    QCOMPARE(a.format, QStringLiteral("nft"));
    QVERIFY(a.rules.size() <= 2001);
    ParseStatus st2;
    const QByteArray ipt = QByteArray("*filter\n[99999999999999999999999:1] -A X -p esp -j DROP\n"
                                      "-A X -m conntrack --ctstate INVALID -j DROP\n"
                                      "[1:2] -A X ! -s 10.0.0.1 -p esp -j DROP\n"
                                      "[1:2] -A X -m comment --comment \"a b c ") +
                           QByteArray(10000, 'q') + QByteArray("\" -j DROP\nnot a rule\n");
    const FirewallRuleset b = parseFirewall(ipt, QStringLiteral("iptables-save.txt"), st2);
    QVERIFY(st2.ok());
    QCOMPARE(b.rules.size(), std::size_t(4));
    QVERIFY(!b.rules[0].hasCounters);                // 2^64 overflow: no counters rather than wrong ones
    QCOMPARE(b.rules[1].other.size(), qsizetype(3)); // -m conntrack --ctstate INVALID: not judged
    QVERIFY(b.rules[2].negated);
    QCOMPARE(b.rules[3].verdict, QStringLiteral("DROP")); // the quoted comment is one word
    QVERIFY(!st2.warnings.empty());                       // "not a rule" said, with its line
    ParseStatus st3;
    parseFirewall(QByteArray("hello\nworld\n"), QStringLiteral("iptables-save.txt"), st3);
    QVERIFY(!st3.ok());
}

QTEST_GUILESS_MAIN(TestEvidence)
#include "tst_evidence.moc"
