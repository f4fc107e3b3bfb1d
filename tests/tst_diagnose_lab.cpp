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
// Assumptions (replay window, NAT UDP timeout) against the same lab:
// - reorder-antireplay: the drops at an assumed window of 16 are the receiver kernel's own count
//   for its window of 16 (`ip -s xfrm state` stats "replay-window N", end minus start); at 32
//   they are what the bare emulator (replaywindow.h) gives fed the captured sequence numbers;
//   with the host's xfrm state imported, its window (16) wins over any assumption;
// - natt-expiry: the idle gap is the lab's scheduled idle (truth.json timeline idle_start →
//   idle_end), the NAT's timeout truth.json's conntrack_udp_timeout_s.
#include "analyze/analysis.h"
#include "analyze/replaywindow.h"
#include "diagnose/checklist.h"
#include "diagnose/fixes.h"
#include "index/indexbuilder.h"
#include "labdata.h"
#include "report/diagnosisreport.h"
#include "session/investigation.h"
#include "synthcapture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <pcap/pcap.h>

#include <cstring>

using namespace ikev2wb;
using ikev2wb::testdata::labDir;

namespace {

/// A lab's two outer captures (right's as A when `swapped`) with its stats/ folder.
DiagnosisFiles labPairWithStats(const QString &dir, bool swapped)
{
    DiagnosisFiles files;
    files.captureA =
        dir + (swapped ? QStringLiteral("/right-outer.pcap") : QStringLiteral("/left-outer.pcap"));
    files.captureB =
        dir + (swapped ? QStringLiteral("/left-outer.pcap") : QStringLiteral("/right-outer.pcap"));
    files.evidence << dir + QStringLiteral("/stats");
    return files;
}

/// The lab pair of `dir` (capture A left, right when swapped), with its stats or without evidence.
bool diagnoseLabPair(const QString &dir, bool swapped, bool withEvidence, Investigation &ld, QString *error)
{
    DiagnosisFiles files = labPairWithStats(dir, swapped);
    if (!withEvidence) files.evidence.clear();
    return diagnoseFiles(files, ld, error);
}

/// A finding's cites, one a line.
QString citesOf(const Finding &f)
{
    QString out;
    for (const EvidenceItem &e : f.evidence)
        out += e.text + QLatin1Char('\n');
    return out;
}

/// "TITLE: WORD" of the first fix of any finding whose text holds one of `words`; empty if none.
QString fixHolding(const Investigation &ld, std::initializer_list<const char *> words)
{
    for (const Finding &f : ld.diagnosis().findings)
        for (const Fix &x : f.fixes)
            for (const char *w : words)
                if (x.text.contains(QLatin1String(w)))
                    return x.title + QStringLiteral(": ") + QString::fromLatin1(w);
    return {};
}

/// `files` diagnosed into `ld`: its finding `cause` (null if none) and the diagnosis' text for
/// failure messages (or the error).
std::pair<const Finding *, QString> diagnosedFinding(const DiagnosisFiles &files, Investigation &ld,
                                                     QLatin1String cause)
{
    QString error;
    if (!diagnoseFiles(files, ld, &error)) return {nullptr, error};
    const QString text = diagnosisText(ld.diagnosis());
    for (const Finding &f : ld.diagnosis().findings)
        if (f.cause == cause) return {&f, text};
    return {nullptr, text};
}

/// The lab pair of `dir` with its stats and both charon logs, diagnosed into `ld`.
bool diagnoseLabPairWithLogs(const QString &dir, bool swapped, Investigation &ld, QString *error)
{
    DiagnosisFiles files = labPairWithStats(dir, swapped);
    files.evidence << dir + QStringLiteral("/charon-left.log") << dir + QStringLiteral("/charon-right.log");
    return diagnoseFiles(files, ld, error);
}

/// One capture of the lab `dir` (`file`: "/right-outer.pcap"), with its stats and both charon logs
/// when `withEvidence`, diagnosed into `ld`.
/// An IPv4 ESP packet of `ipLen` bytes numbered `seq`, with `ttl` and its header checksum (RFC
/// 1071): 64 as it leaves its host, 63 after a router.
/// IPv4 datagram `b` with its TTL set to `ttl` and its header checksum again (RFC 1071).
synth::Buf withTtl(synth::Buf b, std::uint8_t ttl)
{
    b[8] = ttl;
    b[10] = b[11] = 0;
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 20; i += 2)
        sum += std::uint32_t(b[i]) << 8 | b[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    b[10] = std::uint8_t(~sum >> 8);
    b[11] = std::uint8_t(~sum);
    return b;
}

synth::Buf espWithTtl(std::uint32_t src, std::uint32_t dst, std::uint32_t spi, std::uint32_t seq,
                      std::size_t ipLen, std::uint8_t ttl)
{
    return withTtl(synth::ipv4({src, dst, std::uint16_t(seq)}, 50, synth::esp(spi, seq, ipLen - 28)), ttl);
}

/// Diagnoses `packets` (in time order), written as one capture in `dir`, with no evidence.
bool diagnoseBuiltCapture(const QTemporaryDir &dir, const std::vector<synth::Packet> &packets,
                          Investigation &inv, QString *error)
{
    const QString cap = dir.filePath(QStringLiteral("built.pcap"));
    if (!synth::writePcap(cap, packets)) {
        *error = QStringLiteral("cannot write ") + cap;
        return false;
    }
    DiagnosisFiles files;
    files.captureA = cap;
    return diagnoseFiles(files, inv, error);
}

bool diagnoseLabCapture(const QString &dir, const QString &file, bool withEvidence, Investigation &ld,
                        QString *error)
{
    DiagnosisFiles files;
    files.captureA = dir + file;
    if (withEvidence)
        files.evidence << dir + QStringLiteral("/stats") << dir + QStringLiteral("/charon-left.log")
                       << dir + QStringLiteral("/charon-right.log");
    return diagnoseFiles(files, ld, error);
}

/// Copies a lab's stats/ files into TO/left and TO/right by their host prefix, keeping the
/// prefix (`keepPrefix`, the host stays named) or dropping it (nothing names the host).
bool splitStatsByHost(const QString &stats, const QString &to, bool keepPrefix)
{
    for (const QString &host : {QStringLiteral("left"), QStringLiteral("right")}) {
        if (!QDir(to).mkpath(host)) return false;
        for (const QString &f : QDir(stats).entryList({host + QStringLiteral("-*")}, QDir::Files))
            if (!QFile::copy(stats + QLatin1Char('/') + f, to + QLatin1Char('/') + host + QLatin1Char('/') +
                                                               (keepPrefix ? f : f.mid(host.size() + 1))))
                return false;
    }
    return true;
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
        {QStringLiteral("mtu-blackhole-1350"), QStringLiteral("left")},
        {QStringLiteral("mtu-blackhole-natt-1420"), QStringLiteral("left")},
        {QStringLiteral("natt"), QStringLiteral("right")},
        {QStringLiteral("natt-expiry"), QStringLiteral("right")},
        {QStringLiteral("reorder-antireplay"), QStringLiteral("right")},
        {QStringLiteral("rekey-loss"), QStringLiteral("left")},
        {QStringLiteral("dpd"), QStringLiteral("left")},
        {QStringLiteral("esp-blocked"), QStringLiteral("right")},
    };
    return host.value(scenario);
}

/// A swanctl.conf whose FIRST connection is unrelated to the lab's tunnel (other/misc, replay_window
/// 4096) and whose lab/net (the tunnel's names in the lab's swanctl --list-sas) has replay_window 16.
const QByteArray kTwoConnections = "connections {\n"
                                   "    other {\n"
                                   "        children {\n"
                                   "            misc {\n"
                                   "                replay_window = 4096\n"
                                   "            }\n"
                                   "        }\n"
                                   "    }\n"
                                   "    lab {\n"
                                   "        children {\n"
                                   "            net {\n"
                                   "                replay_window = 16\n"
                                   "            }\n"
                                   "        }\n"
                                   "    }\n"
                                   "}\n";

/// A lab folder's stats/ files of one host (file names starting with `host`, e.g. "right-"),
/// without those starting with one of `without`.
QStringList statsOf(const QString &dir, const QString &host, const QStringList &without = {})
{
    QStringList out;
    for (const QString &s : QDir(dir + QStringLiteral("/stats")).entryList(QDir::Files))
        if (s.startsWith(host) &&
            std::none_of(without.begin(), without.end(), [&](const QString &w) { return s.startsWith(w); }))
            out << dir + QStringLiteral("/stats/") + s;
    return out;
}

/// The direction from 10.0.1.1 (the lab's left) was judged with `window` on a basis containing
/// `basis`.
void checkWindowFromLeft(const Investigation &ld, uint window, const QString &basis)
{
    bool seen = false;
    for (const DirectionReplayWindow &w : ld.diagnosis().basis.replayWindows) {
        if (w.from != QLatin1String("10.0.1.1")) continue;
        seen = true;
        QCOMPARE(w.window, window);
        QVERIFY2(w.basis.contains(basis), qPrintable(w.basis));
    }
    QVERIFY(seen);
}

/// Writes `text` to NAME in `dir`; its path, or "" when it could not be written.
QString writeIn(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    QFile out(dir.filePath(name));
    if (!out.open(QIODevice::WriteOnly) || out.write(text) != text.size()) return {};
    return out.fileName();
}

/// The last finding of `cause` in the diagnosis, or null.
const Finding *findingOf(const Investigation &ld, QLatin1String cause)
{
    const Finding *found = nullptr;
    for (const Finding &fd : ld.diagnosis().findings)
        if (fd.cause == cause) found = &fd;
    return found;
}

const Fix *findFix(const Finding &f, FixKind kind)
{
    for (const Fix &x : f.fixes)
        if (x.kind == kind) return &x;
    return nullptr;
}

/// tshark's `fields` of the packets of `file` that `filter` selects, one row per packet (empty
/// when tshark fails or a row has another number of fields).
QList<QStringList> tsharkFields(const QString &tshark, const QString &file, const QString &filter,
                                const QStringList &fields)
{
    QStringList args{QStringLiteral("-r"),    file, QStringLiteral("-Y"), filter, QStringLiteral("-T"),
                     QStringLiteral("fields")};
    for (const QString &f : fields)
        args << QStringLiteral("-e") << f;
    QProcess p;
    p.start(tshark, args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0) return {};
    QList<QStringList> rows;
    for (const QString &l :
         QString::fromLatin1(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        rows << l.split(QLatin1Char('\t'));
        if (rows.back().size() != fields.size()) return {};
    }
    return rows;
}

int capture(const QString &text, const QString &pattern)
{
    const QRegularExpressionMatch m = QRegularExpression(pattern).match(text);
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

/// `ip -s xfrm state` of `path`: (configured window, stats "replay-window" count) of every SA
/// whose configured window is not 0 (the inbound ones).
std::vector<std::pair<int, qint64>> inboundReplayStats(const QString &path)
{
    std::vector<std::pair<int, qint64>> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return out;
    static const QRegularExpression cfg(QStringLiteral("\\n\\s*replay-window (\\d+) seq"));
    static const QRegularExpression stats(QStringLiteral("stats:\\s*\\n\\s*replay-window (\\d+) replay"));
    const QStringList blocks =
        QString::fromUtf8(f.readAll())
            .split(QRegularExpression(QStringLiteral("^src "), QRegularExpression::MultilineOption),
                   Qt::SkipEmptyParts);
    for (const QString &b : blocks) {
        const auto c = cfg.match(b);
        const auto st = stats.match(b);
        if (c.hasMatch() && st.hasMatch() && c.captured(1).toInt() > 0)
            out.emplace_back(c.captured(1).toInt(), st.captured(1).toLongLong());
    }
    return out;
}

const ChecklistStep &step(const Diagnosis &d, int number)
{
    return d.steps.at(std::size_t(number - 1));
}

/// "would have dropped N" of the step's emulation line, -1 if the step has none.
qint64 droppedInStep(const ChecklistStep &s, QString *line = nullptr)
{
    static const QRegularExpression re(
        QStringLiteral("replay window of (\\d+) packets \\((.*)\\) would have dropped (\\d+)"));
    for (const EvidenceItem &e : s.evidence) {
        const auto m = re.match(e.text);
        if (!m.hasMatch()) continue;
        if (line) *line = e.text;
        return m.captured(3).toLongLong();
    }
    return -1;
}

/// Classic little-endian pcap (as the lab's tcpdump writes it), read by hand so the cut does not
/// depend on the project's reader: the global header and each record's bytes with its time.
struct PcapRecord
{
    double t = 0;
    QByteArray bytes; // record header + data
    QByteArray data;
};

bool readPcap(const QString &path, QByteArray &header, std::vector<PcapRecord> &records, int &linkType)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return false;
    const QByteArray all = f.readAll();
    auto u32 = [&](qsizetype at) {
        quint32 v = 0;
        std::memcpy(&v, all.constData() + at, 4);
        return v; // little endian host and file (magic d4 c3 b2 a1 checked below)
    };
    if (all.size() < 24 || u32(0) != 0xa1b2c3d4u) return false;
    header = all.left(24);
    linkType = int(u32(20));
    for (qsizetype at = 24; at + 16 <= all.size();) {
        const quint32 incl = u32(at + 8);
        if (at + 16 + incl > quint32(all.size())) return false;
        PcapRecord r;
        r.t = double(u32(at)) + double(u32(at + 4)) / 1e6;
        r.bytes = all.mid(at, 16 + incl);
        r.data = all.mid(at + 16, incl);
        records.push_back(r);
        at += 16 + incl;
    }
    return true;
}

/// IKE request (R flag clear) with this message ID sent from `src` (IPv4 over Ethernet, UDP 500,
/// or 4500 behind the non-ESP marker).
bool isIkeRequestFrom(const QByteArray &d, int linkType, const QByteArray &src, quint32 messageId)
{
    qsizetype ip = linkType == 1 ? 14 : 0;
    if (linkType == 1 && (d.size() < 14 || quint8(d[12]) != 0x08 || quint8(d[13]) != 0x00)) return false;
    if (d.size() < ip + 20 || (quint8(d[ip]) >> 4) != 4 || quint8(d[ip + 9]) != 17) return false;
    if (d.mid(ip + 12, 4) != src) return false;
    const qsizetype udp = ip + (quint8(d[ip]) & 0x0f) * 4;
    const int sport = (quint8(d[udp]) << 8) | quint8(d[udp + 1]);
    qsizetype ike = udp + 8;
    if (sport == 4500)
        ike += 4;
    else if (sport != 500)
        return false;
    if (d.size() < ike + 28) return false;
    const bool response = quint8(d[ike + 19]) & 0x20;
    const quint32 mid = (quint32(quint8(d[ike + 20])) << 24) | (quint32(quint8(d[ike + 21])) << 16) |
                        (quint32(quint8(d[ike + 22])) << 8) | quint32(quint8(d[ike + 23]));
    return !response && mid == messageId;
}

/// right-outer.pcap of lab folder `dir`, the assumed window from "Preferences", and (when
/// `withEvidence`) every right-* file of its stats folder as evidence.
DiagnosisFiles rightCaptureAndStats(const QString &dir, int assumed, bool withEvidence)
{
    DiagnosisFiles files;
    files.captureA = dir + QStringLiteral("/right-outer.pcap");
    files.assumptions.replayWindow = std::uint32_t(assumed);
    files.assumptions.replayWindowFrom = QStringLiteral("Preferences");
    if (withEvidence)
        for (const QString &s :
             QDir(dir + QStringLiteral("/stats")).entryList({QStringLiteral("right-*")}, QDir::Files))
            files.evidence << dir + QStringLiteral("/stats/") + s;
    return files;
}

} // namespace

namespace {
/// Packets of `path` libpcap's own BPF `filter` selects (-1: unreadable): an independent count.
int bpfCount(const QString &path, const char *filter)
{
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t *p = pcap_open_offline(QFile::encodeName(path).constData(), err);
    if (!p) return -1;
    bpf_program prog{};
    int n = 0;
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0) {
        pcap_pkthdr *h = nullptr;
        const u_char *d = nullptr;
        while (pcap_next_ex(p, &h, &d) == 1)
            n += pcap_offline_filter(&prog, h, d) != 0;
        pcap_freecode(&prog);
    }
    pcap_close(p);
    return n;
}
/// The lab runs holding both ends' captures, with their verify.json esp_loss (the lab's own
/// tshark count per direction; empty when the run has none).
struct LabPair
{
    QString name;
    QDir dir;
    QJsonObject loss;
};
/// A lab run's two captures as a pair to diagnose: left as A, right as B.
DiagnosisFiles pairFiles(const QDir &dir)
{
    DiagnosisFiles files;
    files.captureA = dir.filePath(QStringLiteral("left-outer.pcap"));
    files.captureB = dir.filePath(QStringLiteral("right-outer.pcap"));
    return files;
}
std::vector<LabPair> labPairs()
{
    std::vector<LabPair> out;
    const QDir root(QStringLiteral(IKEV2WB_TEST_DATA "/lab"));
    for (const QString &name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QDir dir(root.filePath(name));
        if (!dir.exists(QStringLiteral("left-outer.pcap")) || !dir.exists(QStringLiteral("right-outer.pcap")))
            continue;
        out.push_back({name, dir,
                       testdata::readJson(dir.filePath(QStringLiteral("verify.json")))
                           .value(QStringLiteral("esp_loss"))
                           .toObject()});
    }
    return out;
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
        for (const char *s :
             {"clean", "loss1", "mtu-blackhole", "natt", "natt-expiry", "reorder-antireplay", "rekey-loss",
              "dpd", "esp-blocked", "mtu-blackhole-1350", "mtu-blackhole-natt-1420"}) {
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
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
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

        if (scenario.startsWith(QLatin1String("mtu-blackhole"))) {
            // Router link MTU and suite from truth.json; DOMAIN.md: A = P − 20 − [8 NAT-T] − 8 − IV − ICV,
            // inner = floor(A / B) × B − 2, MSS = inner − 40. Neither of these runs has the router's
            // link in its evidence, so the advice may only use the largest outer packet proven
            // delivered: never above the link MTU (the fix would leave the black hole in place), and
            // at least the outer size of the largest DF ping payload that fits the link (truth's ping
            // sizes: payload + 28 inner, ESP 20 + [8] + 8 + 16 + pad16(inner + 2) + 16).
            const int link =
                t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("mtu_right_link")]
                    .toInt();
            const int udp =
                t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("nat_masquerade")]
                        .toBool()
                    ? 8
                    : 0;
            QCOMPARE(t[QStringLiteral("ipsec")][QStringLiteral("esp_proposal")].toString(),
                     QStringLiteral("aes128-sha256"));
            int pingOuter = 0;
            for (const QString &sz :
                 t[QStringLiteral("traffic")][QStringLiteral("ping_payload_sizes_df")].toString().split(
                     QLatin1Char(' '), Qt::SkipEmptyParts)) {
                const int outer = 20 + udp + 8 + 16 + (sz.toInt() + 28 + 2 + 15) / 16 * 16 + 16;
                if (outer <= link) pingOuter = std::max(pingOuter, outer);
            }
            // The lab's own figures (its README and the scenario files' comments): payload 1000 ->
            // 1100 B at MTU 1400; 1250 -> 1340 B at 1350; 1300 -> 1412 B (NAT-T) at 1420.
            static const QHash<QString, int> labPingOuter{{QStringLiteral("mtu-blackhole"), 1100},
                                                          {QStringLiteral("mtu-blackhole-1350"), 1340},
                                                          {QStringLiteral("mtu-blackhole-natt-1420"), 1412}};
            QCOMPARE(pingOuter, labPingOuter.value(scenario));
            QCOMPARE(d.basis.pathMtuSource, QStringLiteral("proven_delivered"));
            const int p = int(d.basis.pathMtu);
            QVERIFY2(p >= pingOuter && p <= link, qPrintable(d.basis.pathMtuText));
            const Fix *route = findFix(top, FixKind::IpLink);
            const Fix *ipt = findFix(top, FixKind::Iptables);
            QVERIFY(route && ipt);
            QCOMPARE(capture(route->text, QStringLiteral("mtu lock (\\d+)")), p);
            const int mss = capture(ipt->text, QStringLiteral("--set-mss (\\d+)"));
            // Whatever suite the run knows (configuration, or the worst of the estimated ones), the
            // MSS fits the path: CBC + SHA256 gives the largest inner packet of the candidates.
            QVERIFY(mss > 0 && mss <= (p - 20 - udp - 8 - 16 - 16) / 16 * 16 - 2 - 40);
        } else if (scenario == QLatin1String("reorder-antireplay")) {
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

    // Each direction judged with the receiving host's own evidence (issue 10): reorder-two-windows
    // reorders both ways, right's inbound window is 16 and left's 1024 (truth.json). Expected from
    // the lab, not the diagnosis: right's kernel counted verify.json's XfrmInStateSeqError drops;
    // the bare emulator fed left's captured right->left sequence numbers at left's window drops
    // none; so exactly one anti-replay finding, for left->right, whose fix is on right and is at
    // least the window right's capture needs. Either capture as A.
    void replayWindowPerHost_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        for (const char *s : {"reorder-two-windows", "reorder-window-64"}) {
            const QString sc = QString::fromLatin1(s);
            QTest::newRow(qPrintable(sc + QStringLiteral("/left as A")))
                << sc << QStringLiteral("left") << QStringLiteral("right");
            QTest::newRow(qPrintable(sc + QStringLiteral("/right as A")))
                << sc << QStringLiteral("right") << QStringLiteral("left");
        }
    }
    void replayWindowPerHost()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, a);
        QFETCH(QString, b);
        const QString dir = labDir(scenario);
        const QJsonObject t = truth(scenario);
        const QJsonObject windows = t[QStringLiteral("ipsec")][QStringLiteral("replay_window")].toObject();
        const int rightWindow = windows[QStringLiteral("right")].toInt();
        const int leftWindow = windows[QStringLiteral("left")].toInt();
        QVERIFY(rightWindow == 16 || rightWindow == 64);
        QCOMPARE(leftWindow, 1024);
        QFile vf(dir + QStringLiteral("/verify.json"));
        QVERIFY(vf.open(QIODevice::ReadOnly));
        const QJsonObject kernel =
            QJsonDocument::fromJson(vf.readAll()).object()[QStringLiteral("kernel")].toObject();
        const qint64 rightDrops = kernel[QStringLiteral("right")][QStringLiteral("xfrm_stat_nonzero_end")]
                                        [QStringLiteral("XfrmInStateSeqError")]
                                            .toInteger();
        QVERIFY(rightDrops > 0);
        QVERIFY(kernel[QStringLiteral("left")][QStringLiteral("xfrm_stat_nonzero_end")].toObject().isEmpty());

        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/%1-outer.pcap").arg(a);
        files.captureB = dir + QStringLiteral("/%1-outer.pcap").arg(b);
        for (const auto &[host, list] : {std::pair{a, &files.evidenceA}, std::pair{b, &files.evidenceB}})
            for (const QString &s :
                 QDir(dir + QStringLiteral("/stats")).entryList({host + QStringLiteral("-*")}, QDir::Files))
                *list << dir + QStringLiteral("/stats/") + s;
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();

        // Left's window on the right->left packets left captured: the emulator drops none.
        const CaptureIndex &left = a == QLatin1String("left") ? *ld.index(Host::A) : *ld.index(Host::B);
        std::uint64_t leftDrops = 0, r2lPackets = 0;
        for (const EspSa &sa : left.espSas) {
            static const std::uint8_t leftWan[4] = {10, 0, 1, 1}; // truth.json topology: left 10.0.1.1
            if (!(left.flows[sa.flowId].dst == IpAddress::fromV4(leftWan))) continue;
            ReplayWindow w{std::uint32_t(leftWindow)};
            left.packets.forEach([&](const PacketRecord &r) {
                if (r.isEsp() && r.spi() == sa.spi && r.flowId == sa.flowId) {
                    w.receive(r.seq());
                    ++r2lPackets;
                }
            });
            leftDrops += w.counters().outsideWindow + w.counters().replayed;
        }
        QVERIFY(r2lPackets > 1000);
        QCOMPARE(leftDrops, std::uint64_t(0));

        int replayFindings = 0;
        for (const Finding &f : d.findings)
            if (f.cause == QLatin1String("antireplay_reordering")) ++replayFindings;
        QCOMPARE(replayFindings, 1);
        QVERIFY(!d.findings.empty());
        const Finding &top = d.findings.front();
        QCOMPARE(top.cause, QStringLiteral("antireplay_reordering"));
        bool counterCited = false;
        for (const EvidenceItem &e : top.evidence) {
            QVERIFY2(!e.text.contains(QLatin1String("host 'left'")), qPrintable(e.text));
            if (e.text.startsWith(QStringLiteral("XfrmInStateSeqError grew by %1 ").arg(rightDrops)))
                counterCited = true;
        }
        QVERIFY(counterCited);
        const Fix *sw = findFix(top, FixKind::Swanctl);
        QVERIFY(sw);
        QVERIFY2(sw->changes.contains(QLatin1String("Set it on the receiving side: host 'right' (10.0.2.1)")),
                 qPrintable(sw->changes));
        // The window right's capture needs, from its own analysis.
        const CaptureIndex &right = a == QLatin1String("right") ? *ld.index(Host::A) : *ld.index(Host::B);
        const CaptureAnalysis ra = analyzeCapture(right);
        std::uint64_t minExact = 0;
        for (const EspSaSequence &s : ra.esp.sas)
            minExact = std::max(minExact, s.minWindowExact);
        QVERIFY(minExact > std::uint64_t(rightWindow));
        const int w = capture(sw->text, QStringLiteral("replay_window = (\\d+)"));
        QVERIFY2(w >= int(minExact), qPrintable(QStringLiteral("window %1 < %2").arg(w).arg(minExact)));
        QVERIFY(w > rightWindow && w <= 4096);
    }

    // The window fix goes into the RECEIVER's configuration under its own names: each end names
    // its connection in its own way. reorder-two-windows with right's swanctl --list-sas renamed
    // by hand (connection 'lab' -> 'site-b', CHILD_SA 'net' -> 'net-b'; SPIs unchanged): the
    // drops are right's (truth.json), so the snippet names site-b / net-b whichever capture is A,
    // never left's 'lab' / 'net'.
    void replayFixNamesTheReceiversConnection_data()
    {
        QTest::addColumn<bool>("swapped");
        QTest::newRow("left as A") << false;
        QTest::newRow("right as A") << true;
    }
    void replayFixNamesTheReceiversConnection()
    {
        QFETCH(bool, swapped);
        const QString dir = labDir(QStringLiteral("reorder-two-windows"));
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QStringList left, right;
        for (const QString &s : QDir(dir + QStringLiteral("/stats")).entryList(QDir::Files)) {
            QFile in(dir + QStringLiteral("/stats/") + s);
            QVERIFY(in.open(QIODevice::ReadOnly));
            QByteArray text = in.readAll();
            if (s.startsWith(QLatin1String("right-swanctl-list-sas"))) {
                QVERIFY(text.startsWith("lab: #"));
                QVERIFY(text.contains("\n  net: #"));
                text.replace("lab: #", "site-b: #").replace("\n  net: #", "\n  net-b: #");
            }
            if (s.startsWith(QLatin1String("left-")))
                left << writeIn(tmp, s, text);
            else if (s.startsWith(QLatin1String("right-")))
                right << writeIn(tmp, s, text);
        }
        DiagnosisFiles files;
        files.captureA =
            dir + (swapped ? QStringLiteral("/right-outer.pcap") : QStringLiteral("/left-outer.pcap"));
        files.captureB =
            dir + (swapped ? QStringLiteral("/left-outer.pcap") : QStringLiteral("/right-outer.pcap"));
        files.evidenceA = swapped ? right : left;
        files.evidenceB = swapped ? left : right;
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Finding &top = ld.diagnosis().findings.front();
        QCOMPARE(top.cause, QStringLiteral("antireplay_reordering"));
        const Fix *sw = findFix(top, FixKind::Swanctl);
        QVERIFY(sw);
        QVERIFY2(sw->text.startsWith(QLatin1String("connections {\n    site-b {\n")), qPrintable(sw->text));
        QVERIFY2(sw->text.contains(QLatin1String("\n            net-b {\n                replay_window = ")),
                 qPrintable(sw->text));
        QVERIFY2(!sw->text.contains(QLatin1String("lab")), qPrintable(sw->text));
        QVERIFY2(sw->verify.contains(QLatin1String("swanctl --terminate --ike site-b && swanctl --initiate "
                                                   "--child net-b")),
                 qPrintable(sw->verify));
        const Fix *legacy = findFix(top, FixKind::IpsecConf);
        QVERIFY(legacy);
        QVERIFY2(legacy->text.startsWith(QLatin1String("conn site-b\n")), qPrintable(legacy->text));
    }

    // The MTU/MSS arithmetic takes the suite of the SA the finding is about, not the first SA of
    // ip xfrm state. mtu-blackhole (truth.json: left->right loses ESP above 1400, mid eth-r MTU
    // 1400) with left's lab stats but, instead of its swanctl --list-sas and ip xfrm state, a
    // hand-written ip xfrm state of two SAs: first right->left with aes-gcm ICV 16, then the
    // finding's SA (left->right, SPI 0xc33b5ad9) with aes-cbc + hmac(sha512) 256. By hand (RFC
    // 4303, RFC 4106, RFC 4868): path MTU 1400 − IPv4 20 − ESP header 8 − IV 16 − ICV 32 = 1324,
    // padded down to a multiple of the AES block, 1312, − pad length and next header 2 = inner
    // MTU 1310, TCP MSS 1270. The first SA's suite would give 1400 − 20 − 8 − IV 8 − ICV 16 =
    // 1348 (4-byte alignment), − 2 = 1346, MSS 1306. With the finding's SPI on neither SA, the
    // largest overhead of the two: the same 1270.
    void mtuSuiteOfTheFindingsSa_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("suite");
        QTest::addColumn<int>("mss");
        QTest::addColumn<QByteArray>("listSas"); // left's swanctl --list-sas beside it, if any
        const auto xfrm = [](const QByteArray &spi) -> QByteArray {
            return "src 10.0.2.1 dst 10.0.1.1\n"
                   "\tproto esp spi 0xc4fa87d4 reqid 1 mode tunnel\n"
                   "\treplay-window 32 flag af-unspec\n"
                   "\taead rfc4106(gcm(aes)) 0x00112233445566778899aabbccddeeff00112233 (160 bits) 128\n"
                   "src 10.0.1.1 dst 10.0.2.1\n"
                   "\tproto esp spi " +
                   spi +
                   " reqid 1 mode tunnel\n"
                   "\treplay-window 0 flag af-unspec\n"
                   "\tauth-trunc hmac(sha512) "
                   "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aab"
                   "bcc"
                   "ddeeff00112233445566778899aabbccddeeff (512 bits) 256\n"
                   "\tenc cbc(aes) 0x00112233445566778899aabbccddeeff (128 bits)\n";
        };
        const QString x = QStringLiteral("left-xfrm-state-end.txt");
        const QString sha512 = QStringLiteral("AES-CBC + HMAC-SHA512-256");
        // swanctl --list-sas of left (its format as in the lab's stats) with two CHILD_SAs: first
        // 'voice' with AES-GCM-16 (1346 / 1306 as above), then 'net' with AES-CBC + HMAC-SHA512-256
        // (1310 / 1270), its outbound SPI `spi`.
        const auto listSas = [](const QByteArray &spi) -> QByteArray {
            return "lab: #1, ESTABLISHED, IKEv2, 3e57b625eed08ad1_i* b250d740c94a6534_r\n"
                   "  local  'left.lab.test' @ 10.0.1.1[500]\n"
                   "  remote 'right.lab.test' @ 10.0.2.1[500]\n"
                   "  AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048\n"
                   "  established 20s ago, rekeying in 14380s\n"
                   "  voice: #2, reqid 2, INSTALLED, TUNNEL, ESP:AES_GCM_16-128\n"
                   "    installed 20s ago, rekeying in 3580s, expires in 3940s\n"
                   "    in  c1111111,    100 bytes,     1 packets,     2s ago\n"
                   "    out c2222222,    100 bytes,     1 packets,     1s ago\n"
                   "    local  10.1.1.0/24\n"
                   "    remote 10.2.1.0/24\n"
                   "  net: #1, reqid 1, INSTALLED, TUNNEL, ESP:AES_CBC-128/HMAC_SHA2_512_256\n"
                   "    installed 20s ago, rekeying in 3580s, expires in 3940s\n"
                   "    in  c4fa87d4,   7155 bytes,    32 packets,     2s ago\n"
                   "    out " +
                   spi +
                   ",  51102 bytes,    63 packets,     1s ago\n"
                   "    local  10.1.0.0/24\n"
                   "    remote 10.2.0.0/24\n";
        };
        const QString l = QStringLiteral("left-swanctl-list-sas-end.txt");
        QTest::newRow("the finding's SA") << x << xfrm("0xc33b5ad9") << sha512 << 1270 << QByteArray();
        QTest::newRow("no SA of the finding: the largest overhead")
            << x << xfrm("0x0badf00d") << sha512 << 1270 << QByteArray();
        // The kernel's SAs win over swanctl's list (whose first CHILD_SA is AES-GCM-16).
        QTest::newRow("ip xfrm state wins over swanctl --list-sas")
            << x << xfrm("0xc33b5ad9") << sha512 << 1270 << listSas("c2222222");
        // swanctl --list-sas alone: the finding's CHILD_SA by its SPI, else the largest overhead,
        // never the first CHILD_SA listed.
        QTest::newRow("swanctl --list-sas: the finding's CHILD_SA")
            << l << listSas("c33b5ad9") << QStringLiteral("HMAC-SHA512-256") << 1270 << QByteArray();
        QTest::newRow("swanctl --list-sas, no CHILD_SA of the finding: the largest overhead")
            << l << listSas("0badf00d") << QStringLiteral("HMAC-SHA512-256") << 1270 << QByteArray();
        // swanctl.conf's sha256_96 = yes: ICV 12, not 16 (truth.json: aes128-sha256). 1400 − 20 −
        // 8 − 16 − 12 = 1344, a multiple of 16, − 2 = 1342, MSS 1302 (with ICV 16: 1326, 1286).
        QTest::newRow("sha256_96 = yes in swanctl.conf")
            << QStringLiteral("left-swanctl.conf")
            << QByteArray("connections {\n    lab {\n        children {\n            net {\n"
                          "                esp_proposals = aes128-sha256\n                sha256_96 = yes\n"
                          "            }\n        }\n    }\n}\n")
            << QStringLiteral("AES-CBC-128 + HMAC-SHA256-96") << 1302 << QByteArray();
    }
    void mtuSuiteOfTheFindingsSa()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, text);
        QFETCH(QString, suite);
        QFETCH(int, mss);
        QFETCH(QByteArray, listSas);
        const QString dir = labDir(QStringLiteral("mtu-blackhole"));
        QCOMPARE(truth(QStringLiteral("mtu-blackhole"))[QStringLiteral("topology")][QStringLiteral("mid")]
                                                       [QStringLiteral("mtu_right_link")]
                                                           .toInt(),
                 1400);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        files.captureB = dir + QStringLiteral("/right-outer.pcap");
        for (const QString &s : QDir(dir + QStringLiteral("/stats")).entryList(QDir::Files))
            if ((s.startsWith(QLatin1String("left-")) || s.startsWith(QLatin1String("mid-link"))) &&
                !s.contains(QLatin1String("swanctl-list-sas")) && !s.contains(QLatin1String("xfrm-state")))
                files.evidenceA << dir + QStringLiteral("/stats/") + s;
        files.evidenceA << writeIn(tmp, file, text);
        if (!listSas.isEmpty())
            files.evidenceA << writeIn(tmp, QStringLiteral("left-swanctl-list-sas-end.txt"), listSas);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Finding *fd = findingOf(ld, QLatin1String("mtu_blackhole"));
        QVERIFY(fd);
        bool seen = false;
        for (const EvidenceItem &e : fd->evidence)
            if (e.text.startsWith(QLatin1String("path MTU 1400 "))) {
                seen = true;
                QVERIFY2(e.text.contains(suite), qPrintable(e.text));
                QCOMPARE(capture(e.text, QStringLiteral("TCP MSS (\\d+) \\(IPv4\\)")), mss);
            }
        QVERIFY(seen);
        const Fix *clamp = findFix(*fd, FixKind::Iptables);
        QVERIFY(clamp);
        QVERIFY2(clamp->text.contains(QStringLiteral("--set-mss %1").arg(mss)), qPrintable(clamp->text));
        // With the finding's CHILD_SA ('net', remote 10.2.0.0/24) in swanctl's list, the nft clamp
        // takes that child's subnet, not the first child's ('voice', 10.2.1.0/24).
        if (QByteArray(QTest::currentDataTag()) == "swanctl --list-sas: the finding's CHILD_SA") {
            const Fix *nft = findFix(*fd, FixKind::Nftables);
            QVERIFY(nft);
            QVERIFY2(nft->text.contains(QLatin1String("ip daddr 10.2.0.0/24")) &&
                         !nft->text.contains(QLatin1String("10.2.1.0/24")),
                     qPrintable(nft->text));
        }
    }

    // Every undo is pasteable as it is: for each committed lab folder, the CLI's diagnosis of the
    // pair with all the host evidence (as README's lab example runs it) gives fixes whose undo
    // bash parses (bash -n). The old undos ended in a parenthesised note, or were prose
    // ("Remove the added lines (defaults ...) and ...") that bash refuses.
    void everyUndoIsPasteable()
    {
        const QDir root(QStringLiteral(IKEV2WB_TEST_DATA "/lab"));
        int folders = 0, undos = 0;
        for (const QString &name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            const QDir dir(root.filePath(name));
            if (!dir.exists(QStringLiteral("left-outer.pcap")) ||
                !dir.exists(QStringLiteral("right-outer.pcap")))
                continue;
            ++folders;
            QStringList args{QStringLiteral("diagnose"),
                             QStringLiteral("--capture"),
                             dir.filePath(QStringLiteral("left-outer.pcap")),
                             QStringLiteral("--peer-capture"),
                             dir.filePath(QStringLiteral("right-outer.pcap")),
                             QStringLiteral("--evidence"),
                             dir.filePath(QStringLiteral("stats"))};
            for (const QString &log : dir.entryList({QStringLiteral("charon-*.log")}, QDir::Files))
                args << dir.filePath(log);
            args << QStringLiteral("--json");
            QProcess p;
            p.start(QStringLiteral(IKEV2WB_CLI), args);
            QVERIFY(p.waitForFinished(120000));
            QCOMPARE(p.exitCode(), 0);
            const QJsonObject j = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
            for (const QJsonValue &fd : j[QStringLiteral("findings")].toArray())
                for (const QJsonValue &fx : fd[QStringLiteral("fixes")].toArray()) {
                    const QString undo = fx[QStringLiteral("undo")].toString();
                    QVERIFY2(!undo.isEmpty(), qPrintable(name + QStringLiteral(": ") +
                                                         fx[QStringLiteral("title")].toString()));
                    ++undos;
                    QProcess bash;
                    bash.start(QStringLiteral("bash"), {QStringLiteral("-n")});
                    QVERIFY(bash.waitForStarted());
                    bash.write(undo.toUtf8() + '\n');
                    bash.closeWriteChannel();
                    QVERIFY(bash.waitForFinished(10000));
                    QVERIFY2(bash.exitCode() == 0,
                             qPrintable(name + QStringLiteral(": ") + undo + QLatin1Char('\n') +
                                        QString::fromUtf8(bash.readAllStandardError())));
                }
        }
        QVERIFY(folders >= 10);
        QVERIFY(undos >= 30);
    }

    // One capture: the configured window of the capture host's own CHILD_SA for the SA, not the
    // configuration's first. reorder-two-windows' right-outer.pcap (right receives left->right;
    // truth.json: right's window 16) with right's evidence without its ip xfrm state and a
    // swanctl.conf whose FIRST connection is unrelated (replay_window = 4096), the tunnel's lab/net
    // at 16. With right's swanctl --list-sas (it names lab/net for the SPIs) the direction is
    // judged with 16; without it nothing ties the SA to a child: the first child's 4096 is said
    // to be unmatched, not presented as the receiver's window.
    void oneCaptureWindowOfItsOwnChild_data()
    {
        QTest::addColumn<bool>("withSas");
        QTest::addColumn<uint>("window");
        QTest::addColumn<QString>("basis");
        QTest::newRow("swanctl --list-sas names lab/net")
            << true << 16u << QStringLiteral("connection 'lab' CHILD_SA 'net'");
        // Neither connection names its peer (no remote_addrs, strongSwan's %any): either could be
        // the tunnel's, so neither's window is taken (4096 was the first one's).
        QTest::newRow("no evidence ties the SA to a child")
            << false << 32u << QStringLiteral("assumed 32 (default)");
    }
    void oneCaptureWindowOfItsOwnChild()
    {
        QFETCH(bool, withSas);
        QFETCH(uint, window);
        QFETCH(QString, basis);
        const QString dir = labDir(QStringLiteral("reorder-two-windows"));
        QCOMPARE(truth(QStringLiteral("reorder-two-windows"))[QStringLiteral("ipsec")][QStringLiteral(
                     "replay_window")][QStringLiteral("right")]
                     .toInt(),
                 16);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/right-outer.pcap");
        files.evidenceA = statsOf(dir, QStringLiteral("right-"),
                                  withSas ? QStringList{QStringLiteral("right-xfrm-state")}
                                          : QStringList{QStringLiteral("right-xfrm-state"),
                                                        QStringLiteral("right-swanctl-list-sas")});
        files.evidenceA << writeIn(tmp, QStringLiteral("right-swanctl.conf"), kTwoConnections);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        checkWindowFromLeft(ld, window, basis);
    }

    // The receiver's configured window is its own CHILD_SA's, not another connection's: right's
    // evidence without its ip xfrm state, with a swanctl.conf whose FIRST connection is unrelated
    // and has replay_window = 4096, and the tunnel's lab/net (as right's swanctl --list-sas names
    // the SA of the left->right SPIs) with replay_window = 16 (truth.json: right's window 16). The
    // left->right direction is judged with 16 read from the configuration, never 4096.
    void receiverWindowOfItsOwnChild()
    {
        const QString dir = labDir(QStringLiteral("reorder-two-windows"));
        QCOMPARE(truth(QStringLiteral("reorder-two-windows"))[QStringLiteral("ipsec")][QStringLiteral(
                     "replay_window")][QStringLiteral("right")]
                     .toInt(),
                 16);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        files.captureB = dir + QStringLiteral("/right-outer.pcap");
        files.evidenceA = statsOf(dir, QStringLiteral("left-"));
        files.evidenceB = statsOf(dir, QStringLiteral("right-"), {QStringLiteral("right-xfrm-state")});
        files.evidenceB << writeIn(tmp, QStringLiteral("right-swanctl.conf"), kTwoConnections);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        checkWindowFromLeft(ld, 16u, QStringLiteral("read from configuration ("));
    }

    // host-firewall-esp: right's own INPUT rule drops ESP from left. Expected from the lab
    // (verify.json, tshark and the kernel): every left->right ESP packet is in right's capture,
    // and right's inbound SA for that SPI counted 0. So the top finding blames the receiving host
    // (esp_dropped_by_receiver) with those numbers, never a filter on the path (esp_blocked);
    // left's own evidence (its SAs counted) gives no such finding. Right's iptables-save file is
    // left out here: this finding must come from the SA counters and the capture alone.
    void hostDropsEsp_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("rules");
        QTest::newRow("right alone") << QStringLiteral("right") << QString() << false;
        QTest::newRow("left alone") << QStringLiteral("left") << QString() << false;
        QTest::newRow("left as A") << QStringLiteral("left") << QStringLiteral("right") << false;
        QTest::newRow("right as A") << QStringLiteral("right") << QStringLiteral("left") << false;
        QTest::newRow("right alone + rules") << QStringLiteral("right") << QString() << true;
        QTest::newRow("left as A + rules") << QStringLiteral("left") << QStringLiteral("right") << true;
    }
    void hostDropsEsp()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, rules);
        const QString dir = labDir(QStringLiteral("host-firewall-esp"));
        QFile vf(dir + QStringLiteral("/verify.json"));
        QVERIFY(vf.open(QIODevice::ReadOnly));
        const QJsonObject v = QJsonDocument::fromJson(vf.readAll()).object();
        const QJsonObject perSpi =
            v[QStringLiteral("esp_loss")][QStringLiteral("left_to_right")][QStringLiteral("per_spi")]
                .toObject();
        QCOMPARE(perSpi.size(), 1);
        const QString spi = perSpi.keys().front();
        const qint64 arrived = perSpi[spi][QStringLiteral("received")].toInteger();
        QVERIFY(arrived >= 3);
        qint64 saPackets = -1;
        for (const QJsonValue &x :
             v[QStringLiteral("kernel")][QStringLiteral("right")][QStringLiteral("sas_end")].toArray())
            if (x[QStringLiteral("spi")].toString() == spi)
                saPackets = x[QStringLiteral("packets")].toInteger();
        QCOMPARE(saPackets, qint64(0));

        auto stats = [&](const QString &host) {
            QStringList out;
            for (const QString &s :
                 QDir(dir + QStringLiteral("/stats")).entryList({host + QStringLiteral("-*")}, QDir::Files))
                if (rules || !s.contains(QLatin1String("iptables")))
                    out << dir + QStringLiteral("/stats/") + s;
            return out;
        };
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/%1-outer.pcap").arg(a);
        if (b.isEmpty()) {
            files.evidence = stats(a);
        } else {
            files.captureB = dir + QStringLiteral("/%1-outer.pcap").arg(b);
            files.evidenceA = stats(a);
            files.evidenceB = stats(b);
        }
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
        for (const Finding &f : d.findings)
            QVERIFY2(f.cause != QLatin1String("esp_blocked"), qPrintable(f.title));
        if (a == QLatin1String("left") && b.isEmpty()) {
            for (const Finding &f : d.findings)
                QVERIFY2(f.cause != QLatin1String("esp_dropped_by_receiver"), qPrintable(f.title));
            return;
        }
        QVERIFY(!d.findings.empty());
        if (rules) {
            // With right's iptables-save -c (one snapshot, after the traffic): the DROP rule, whose
            // counter (the kernel's, in the file) covers the packets the capture holds and the SA
            // never counted, is proven and comes first, with ACCEPT for exactly the two ends.
            const Finding &fw = d.findings.front();
            QCOMPARE(fw.cause, QStringLiteral("firewall_drop"));
            QCOMPARE(fw.status, StepStatus::Fail);
            QVERIFY(
                fw.evidence.front().text.contains(QStringLiteral("-j DROP' counts %1 packets").arg(arrived)));
            const Fix *ipt = findFix(fw, FixKind::Iptables);
            QVERIFY(ipt);
            QVERIFY2(ipt->text.contains(QLatin1String("-s 10.0.1.1 -d 10.0.2.1 -p esp")),
                     qPrintable(ipt->text));
            QVERIFY(d.findings.size() >= 2);
            QCOMPARE(d.findings.at(1).cause, QStringLiteral("esp_dropped_by_receiver"));
            return;
        }
        const Finding &top = d.findings.front();
        QCOMPARE(top.cause, QStringLiteral("esp_dropped_by_receiver"));
        QVERIFY2(top.title.contains(QLatin1String("host 'right' (10.0.2.1)")), qPrintable(top.title));
        QVERIFY(!top.evidence.empty());
        QCOMPARE(
            top.evidence.front().text,
            QStringLiteral(
                "%1 ESP packets of SPI %2 from 10.0.1.1 arrived at 10.0.2.1 (its own capture holds them)")
                .arg(arrived)
                .arg(spi));
        QCOMPARE(top.evidence.front().ref.source, QStringLiteral("right-outer.pcap"));
        QVERIFY(top.evidence.at(1).text.startsWith(
            QStringLiteral("the host's inbound SA %1 counted 0 packets").arg(spi)));
        QVERIFY(top.evidence.at(1).ref.source.endsWith(QLatin1String("right-xfrm-state-end.txt")));
    }

    // The other side of sizeDependentLossBesideRandomLoss: loss at the smaller sizes that is not
    // independent of the larger ones' must not make a black hole (a wrong MSS clamp and route MTU
    // pasted as root). Two pairs derived from lab 'clean' by removing ESP packets by sequence number
    // (tests/data/derived: README.md, pfilt.py): an outage of every size (everything left sent in
    // 8.28-10.77 s lost, its only full-size packets and two smaller ones among them) and a few large
    // packets lost beside one small one (3 of 3 above the largest delivered, 1 of 28 below). The
    // premises are read here with tshark (left's ESP absent at right, by sequence number).
    void noBlackHoleFromAnOutageOrAFewPackets_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<int>("largeLost");
        QTest::addColumn<int>("smallLost");
        QTest::newRow("outage of every size") << QStringLiteral("outage-all-sizes") << 13 << 2;
        // The small one lost among the large ones (one run of losses, no packet between them got
        // through), and lost 4 s before them between delivered ones: then only the count (3 large
        // packets beside 1 of 28 small ones) is too small to prove a size's loss.
        QTest::newRow("3 large and 1 small lost") << QStringLiteral("few-large-lost") << 3 << 1;
        QTest::newRow("3 large and 1 small apart") << QStringLiteral("few-large-lost-apart") << 3 << 1;
    }
    void noBlackHoleFromAnOutageOrAFewPackets()
    {
        QFETCH(QString, folder);
        QFETCH(int, largeLost);
        QFETCH(int, smallLost);
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty()) QSKIP("tshark (wireshark) is needed");
        const QString dir = QStringLiteral(IKEV2WB_TEST_DATA "/derived/") + folder;
        const auto espOfLeft = [&](const QString &file) {
            QProcess p;
            p.start(tshark, {QStringLiteral("-r"), dir + file, QStringLiteral("-Y"),
                             QStringLiteral("esp && ip.src==10.0.1.1"), QStringLiteral("-T"),
                             QStringLiteral("fields"), QStringLiteral("-e"), QStringLiteral("esp.sequence"),
                             QStringLiteral("-e"), QStringLiteral("ip.len")});
            p.waitForFinished(60000);
            std::map<quint32, int> bySeq;
            for (const QString &l :
                 QString::fromLatin1(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                bySeq[l.section(QLatin1Char('\t'), 0, 0).toUInt()] =
                    l.section(QLatin1Char('\t'), 1, 1).toInt();
            return bySeq;
        };
        const auto sent = espOfLeft(QStringLiteral("/left-outer.pcap"));
        const auto arrived = espOfLeft(QStringLiteral("/right-outer.pcap"));
        int largest = 0;
        for (const auto &[seq, len] : arrived)
            largest = std::max(largest, len);
        int large = 0, small = 0;
        for (const auto &[seq, len] : sent)
            if (!arrived.count(seq)) ++(len > largest ? large : small);
        QCOMPARE(large, largeLost);
        QCOMPARE(small, smallLost);

        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        files.captureB = dir + QStringLiteral("/right-outer.pcap");
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        QVERIFY2(!findingOf(ld, QLatin1String("mtu_blackhole")), qPrintable(diagnosisText(ld.diagnosis())));
        for (const Finding &fd : ld.diagnosis().findings)
            for (const Fix &x : fd.fixes)
                QVERIFY2(!x.text.contains(QLatin1String("--set-mss")) &&
                             !x.text.contains(QLatin1String("mtu lock")),
                         qPrintable(x.text));
    }

    // Audit (tests/lab-scenarios/audit.sh, audit-loss-blackhole): netem "loss 2%" and a black hole
    // at 1400 (ICMP dropped), both left->right. One small packet lost at random (the router's netem
    // counter, stats/mid-tc-end.txt "dropped N") made the comparison's "every lost packet larger
    // than every delivered one" false: before, the top cause was packet_loss_in_transit ("spread
    // over sizes, not an MTU effect"), step 2 passed, and the black-holed TCP retransmissions made
    // an "outage" with a DPD fix. Truth: mtu_blackhole at truth.json's link MTU, plus the random
    // loss of the small packets as its own finding.
    void sizeDependentLossBesideRandomLoss()
    {
        const QString scenario = QStringLiteral("audit-loss-blackhole");
        const QString dir = labDir(scenario);
        const QJsonObject t = truth(scenario);
        QVERIFY(!t.isEmpty());
        const QJsonArray faults = t[QStringLiteral("injected_faults")].toArray();
        QCOMPARE(faults.size(), 2);
        QCOMPARE(faults[0][QStringLiteral("type")].toString(), QStringLiteral("random_loss"));
        QCOMPARE(faults[1][QStringLiteral("type")].toString(), QStringLiteral("mtu_blackhole"));
        // the router's own count of the packets netem dropped
        QFile tc(dir + QStringLiteral("/stats/mid-tc-end.txt"));
        QVERIFY(tc.open(QIODevice::ReadOnly));
        int netemDropped = 0;
        for (const QRegularExpressionMatch &m : QRegularExpression(QStringLiteral("dropped (\\d+),"))
                                                    .globalMatch(QString::fromUtf8(tc.readAll())))
            netemDropped += m.captured(1).toInt();
        QVERIFY(netemDropped > 0);
        const int link =
            t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("mtu_right_link")].toInt();
        QCOMPARE(t[QStringLiteral("ipsec")][QStringLiteral("esp_proposal")].toString(),
                 QStringLiteral("aes128-sha256"));
        const int inner = (link - 20 - 8 - 16 - 16) / 16 * 16 - 2; // DOMAIN.md, AES-CBC + HMAC-SHA256-128
        for (const bool swapped : {false, true}) {
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(labPairWithStats(dir, swapped), ld, &error), qPrintable(error));
            const Diagnosis &d = ld.diagnosis();
            QVERIFY(!d.findings.empty());
            const Finding &top = d.findings.front();
            QCOMPARE(top.cause, QStringLiteral("mtu_blackhole"));
            QCOMPARE(top.status, StepStatus::Fail);
            const Fix *ipt = findFix(top, FixKind::Iptables);
            const Fix *route = findFix(top, FixKind::IpLink);
            QVERIFY(ipt && route);
            QCOMPARE(capture(ipt->text, QStringLiteral("--set-mss (\\d+)")), inner - 40);
            QCOMPARE(capture(route->text, QStringLiteral("mtu lock (\\d+)")), link);
            // no outage: the lost packets are the large ones, not a dead path
            QVERIFY(!findingOf(ld, QLatin1String("peer_unreachable")));
            // the small packets' loss is the path's own, as many as netem dropped
            const Finding *loss = findingOf(ld, QLatin1String("packet_loss_in_transit"));
            QVERIFY(loss);
            int own = -1;
            for (const EvidenceItem &e : loss->evidence)
                if (own < 0) own = capture(e.text, QStringLiteral("(\\d+) of the \\d+ packets of up to"));
            QCOMPARE(own, netemDropped);
        }
    }

    // Audit (audit-blackhole-r2l): a black hole right->left only (left's link MTU 1400, ICMP
    // dropped, iperf3 -R). Right's capture alone holds left's 1292-byte pings, which arrived there;
    // before, the sender-side suspicion was taken from that SA ("5 outer packets of 1292 bytes were
    // sent with DF set") and, with the evidence, the fix sent the engineer to set the route MTU on
    // the peer 10.0.1.1, which sends nothing too large. With both captures the finding about
    // right->left cited the same lines about left's delivered SA. Truth: direction right->left.
    void noBlackHoleSuspicionAboutWhatArrived()
    {
        const QString scenario = QStringLiteral("audit-blackhole-r2l");
        const QString dir = labDir(scenario);
        const QJsonObject t = truth(scenario);
        QCOMPARE(t[QStringLiteral("expected_diagnosis")][QStringLiteral("direction")].toString(),
                 QStringLiteral("right->left"));
        const QString leftAddr =
            t[QStringLiteral("topology")][QStringLiteral("left")][QStringLiteral("outer_ip")].toString();
        // left -> right's SPI (lab verify, tshark): every one of its packets arrived
        const QJsonObject l2r = testdata::readJson(dir + QStringLiteral("/verify.json"))
                                    .value(QStringLiteral("esp_loss"))
                                    .toObject()
                                    .value(QStringLiteral("left_to_right"))
                                    .toObject();
        QCOMPARE(l2r[QStringLiteral("lost")].toInt(), 0);
        const QStringList spis = l2r[QStringLiteral("per_spi")].toObject().keys();
        QCOMPARE(spis.size(), 1);
        const std::uint32_t deliveredSpi = spis.front().toUInt(nullptr, 16);
        QVERIFY(deliveredSpi != 0);
        const auto citesDelivered = [&](const Finding &fd) {
            return std::any_of(fd.evidence.begin(), fd.evidence.end(), [&](const EvidenceItem &e) {
                return e.ref.hasSpi && e.ref.spi == deliveredSpi;
            });
        };
        for (const bool withEvidence : {false, true}) {
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseLabCapture(dir, QStringLiteral("/right-outer.pcap"), withEvidence, ld, &error),
                     qPrintable(error));
            for (const Finding &fd : ld.diagnosis().findings) {
                if (fd.cause != QLatin1String("mtu_blackhole")) continue;
                QVERIFY2(!citesDelivered(fd), qPrintable(fd.evidence.front().text));
                for (const Fix &x : fd.fixes)
                    QVERIFY2(!x.title.contains(QStringLiteral("On the peer %1").arg(leftAddr)),
                             qPrintable(x.title));
            }
        }
        Investigation pair;
        QString error;
        QVERIFY2(diagnoseFiles(labPairWithStats(dir, false), pair, &error), qPrintable(error));
        QVERIFY(!pair.diagnosis().findings.empty());
        const Finding &top = pair.diagnosis().findings.front();
        QCOMPARE(top.cause, QStringLiteral("mtu_blackhole"));
        QVERIFY(!citesDelivered(top));
        const Fix *route = findFix(top, FixKind::IpLink);
        QVERIFY(route);
        QVERIFY2(
            route->title.startsWith(
                QStringLiteral("On the peer %1:")
                    .arg(t[QStringLiteral("topology")][QStringLiteral("right")][QStringLiteral("outer_ip")]
                             .toString())),
            qPrintable(route->title));
        QCOMPARE(
            capture(route->text, QStringLiteral("mtu lock (\\d+)")),
            t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("mtu_left_link")].toInt());
    }

    // Lab audit-ipfrag-1200: IKE_AUTH fragmented at the IP layer (truth.json: ike_fragmentation
    // "no") on a path whose mid->right link has MTU 1200 (truth.json mtu_right_link), non-first
    // fragments dropped. IKE goes without DF, so no ICMP error exists (tshark: no ICMP in left's
    // capture, left's IKE_AUTH fragments without DF). The fix fragmentation = yes alone would send
    // 1280-byte IKE fragments (charon's default), IP-fragmented again: fragment_size must come with
    // it, here from mid's link MTU in the evidence. Before, only an ICMP error gave that number.
    // Without the evidence nothing proves a size: no fragment_size, and the fix says it is not known.
    void ikeFragmentedByIpTakesItsSizeFromThePath()
    {
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty()) QSKIP("tshark (wireshark) is needed");
        const QString scenario = QStringLiteral("audit-ipfrag-1200");
        const QString dir = labDir(scenario);
        const QJsonObject t = truth(scenario);
        QCOMPARE(t[QStringLiteral("ipsec")][QStringLiteral("ike_fragmentation")].toString(),
                 QStringLiteral("no"));
        const int link =
            t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("mtu_right_link")].toInt();
        QCOMPARE(link, 1200);
        const auto count = [&](const QString &filter) {
            QProcess p;
            p.start(tshark, {QStringLiteral("-r"), dir + QStringLiteral("/left-outer.pcap"),
                             QStringLiteral("-Y"), filter, QStringLiteral("-T"), QStringLiteral("fields"),
                             QStringLiteral("-e"), QStringLiteral("frame.number")});
            p.waitForFinished(60000);
            return QString::fromLatin1(p.readAllStandardOutput())
                .split(QLatin1Char('\n'), Qt::SkipEmptyParts)
                .size();
        };
        QCOMPARE(count(QStringLiteral("icmp")), 0);
        const QString left =
            t[QStringLiteral("topology")][QStringLiteral("left")][QStringLiteral("outer_ip")].toString();
        QVERIFY(count(QStringLiteral("ip.flags.mf == 1 && ip.flags.df == 0 && ip.src == %1").arg(left)) > 0);
        QCOMPARE(count(QStringLiteral("isakmp.frag.total")), 0); // no RFC 7383 fragments
        for (const bool withEvidence : {true, false}) {
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseLabCapture(dir, QStringLiteral("/left-outer.pcap"), withEvidence, ld, &error),
                     qPrintable(error));
            QVERIFY(!ld.diagnosis().findings.empty());
            const Finding &top = ld.diagnosis().findings.front();
            QCOMPARE(top.cause, QStringLiteral("ike_fragmentation"));
            const Fix *yes = findFix(top, FixKind::Swanctl);
            QVERIFY(yes);
            QVERIFY(yes->text.contains(QLatin1String("fragmentation = yes")));
            const Fix *size = findFix(top, FixKind::StrongswanConf);
            const Fix *client = findFix(top, FixKind::ClientSettings);
            QVERIFY(client);
            QVERIFY2(
                client->text.contains(QLatin1String("The gateway must announce it too: fragmentation = yes")),
                qPrintable(client->text));
            QVERIFY(!client->text.contains(QLatin1String("in use already")));
            if (!withEvidence) {
                QVERIFY2(!size, qPrintable(size ? size->text : QString()));
                QVERIFY2(yes->changes.contains(QLatin1String("No path MTU is proven here")),
                         qPrintable(yes->changes));
                continue;
            }
            QVERIFY2(size, qPrintable(diagnosisText(ld.diagnosis())));
            QCOMPARE(capture(size->text, QStringLiteral("fragment_size = (\\d+)")), link);
            QVERIFY2(
                size->changes.contains(QLatin1String("the smallest link MTU on the path in the evidence")),
                qPrintable(size->changes));
            QVERIFY2(
                yes->changes.contains(QStringLiteral("does not fit a path of at most %1 bytes").arg(link)),
                qPrintable(yes->changes));
        }
        // Left's own evidence only: its 1500-byte link bounds the path from above, it does not prove
        // 1280 fits (truth: the path is 1200). Review of 164a85e: it said "fits" and left
        // fragment_size out.
        DiagnosisFiles own;
        own.captureA = dir + QStringLiteral("/left-outer.pcap");
        for (const QString &s2 :
             QDir(dir + QStringLiteral("/stats")).entryList({QStringLiteral("left-*")}, QDir::Files))
            own.evidence << dir + QStringLiteral("/stats/") + s2;
        own.evidence << dir + QStringLiteral("/charon-left.log");
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(own, ld, &error), qPrintable(error));
        const Finding *top = findingOf(ld, QLatin1String("ike_fragmentation"));
        QVERIFY(top);
        const Fix *yes = findFix(*top, FixKind::Swanctl);
        QVERIFY(yes);
        QVERIFY2(!yes->changes.contains(QLatin1String("fits.")), qPrintable(yes->changes));
        QVERIFY2(yes->changes.contains(QLatin1String("is only an upper bound")), qPrintable(yes->changes));
        QVERIFY(!findFix(*top, FixKind::StrongswanConf));
    }

    // Audit (audit-blackhole-r2l), the capture at the end that SENDS the too-large packets (right,
    // truth.json): before, "No cause of loss found". Premises read here with tshark: right's ESP of
    // the largest size with DF set, the ones at least 200 ms after the one before, each gap 1.6-2.6
    // times the previous (TCP's backed-off resends: frames 96-99 and 117, gaps 0.21 s to 3.44 s),
    // none followed by left's ESP within 1 s, while right's smaller packets between them were. The
    // finding: mtu_blackhole, a warning at most 0.5 that cites the first resend; without evidence no
    // MTU or MSS (none is proven), the probe of left's outer address up to the resent size and a
    // capture at left instead; with the hosts' evidence (left's wan0 MTU 1400) the fixes of truth.json
    // (mtu 1400, MSS 1286) at right itself.
    void blackHoleAtTheSenderFromBackedOffResends()
    {
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty()) QSKIP("tshark (wireshark) is needed");
        const QString scenario = QStringLiteral("audit-blackhole-r2l");
        const QString dir = labDir(scenario);
        const QJsonObject t = truth(scenario);
        const QJsonObject topo = t[QStringLiteral("topology")].toObject();
        const QString left = topo[QStringLiteral("left")][QStringLiteral("outer_ip")].toString();
        const QString right = topo[QStringLiteral("right")][QStringLiteral("outer_ip")].toString();
        QVERIFY(t[QStringLiteral("expected_diagnosis")][QStringLiteral("sender_of_too_large_packets")]
                    .toString()
                    .contains(right));
        struct Esp
        {
            int frame;
            double time;
            QString src;
            int len;
            bool df;
        };
        std::vector<Esp> esp;
        QProcess p;
        p.start(tshark,
                {QStringLiteral("-r"), dir + QStringLiteral("/right-outer.pcap"), QStringLiteral("-Y"),
                 QStringLiteral("esp"), QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-e"),
                 QStringLiteral("frame.number"), QStringLiteral("-e"), QStringLiteral("frame.time_epoch"),
                 QStringLiteral("-e"), QStringLiteral("ip.src"), QStringLiteral("-e"),
                 QStringLiteral("ip.len"), QStringLiteral("-e"), QStringLiteral("ip.flags.df")});
        QVERIFY(p.waitForFinished(60000));
        for (const QString &l :
             QString::fromLatin1(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QStringList c = l.split(QLatin1Char('\t'));
            QCOMPARE(c.size(), 5);
            esp.push_back({c[0].toInt(), c[1].toDouble(), c[2], c[3].toInt(),
                           c[4] == QLatin1String("1") || c[4] == QLatin1String("True")});
        }
        QVERIFY(!esp.empty());
        const double end = esp.back().time;
        int size = 0;
        for (const Esp &e : esp)
            if (e.src == right && e.df) size = std::max(size, e.len);
        // The resends: right's DF packets of that size at least 200 ms after the one before.
        std::vector<const Esp *> big, resends;
        for (const Esp &e : esp)
            if (e.src == right && e.df && e.len == size) big.push_back(&e);
        for (std::size_t k = 1; k < big.size(); ++k)
            if (big[k]->time - big[k - 1]->time >= 0.2) {
                if (resends.empty()) resends.push_back(big[k - 1]);
                resends.push_back(big[k]);
            }
        QCOMPARE(int(resends.size()), 6); // the run's first packet and 5 resends
        for (std::size_t k = 2; k < resends.size(); ++k) {
            const double ratio =
                (resends[k]->time - resends[k - 1]->time) / (resends[k - 1]->time - resends[k - 2]->time);
            QVERIFY2(ratio >= 1.6 && ratio <= 2.6, qPrintable(QString::number(ratio)));
        }
        const auto answered = [&](const Esp &e) {
            for (const Esp &x : esp)
                if (x.src == left && x.time > e.time) return x.time - e.time <= 1.0;
            return false;
        };
        int judged = 0, smallAnswered = 0;
        for (std::size_t k = 1; k < resends.size(); ++k) {
            QVERIFY(!answered(*resends[k]));
            judged += resends[k]->time <= end - 1.0;
        }
        QCOMPARE(judged, 4);
        for (const Esp &e : esp)
            if (e.src == right && e.len < 1281 && e.time > resends[1]->time && e.time < resends.back()->time)
                smallAnswered += answered(e);
        QVERIFY(smallAnswered > 0);

        for (const bool withEvidence : {false, true}) {
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseLabCapture(dir, QStringLiteral("/right-outer.pcap"), withEvidence, ld, &error),
                     qPrintable(error));
            const Finding *fd = findingOf(ld, QLatin1String("mtu_blackhole"));
            QVERIFY2(fd, qPrintable(diagnosisText(ld.diagnosis())));
            QCOMPARE(fd->status, StepStatus::Warn);
            QVERIFY(fd->confidence <= 0.5);
            QVERIFY2(fd->title.contains(QString::number(size)), qPrintable(fd->title));
            QVERIFY(std::any_of(fd->evidence.begin(), fd->evidence.end(),
                                [&](const EvidenceItem &e) { return e.ref.packet == resends[1]->frame; }));
            QVERIFY(std::any_of(fd->evidence.begin(), fd->evidence.end(), [](const EvidenceItem &e) {
                return e.text.startsWith(QLatin1String("what this capture does not prove"));
            }));
            if (!withEvidence) {
                QVERIFY(fd->fixes.empty());
                const QString probe = QStringLiteral("ikev2wb probe %1 --max %2 ").arg(left).arg(size);
                QVERIFY2(
                    std::any_of(fd->collectNext.begin(), fd->collectNext.end(),
                                [&](const QString &c) { return c.contains(probe) && c.contains(right); }),
                    qPrintable(fd->collectNext.join(QLatin1Char('\n'))));
                QVERIFY(std::any_of(fd->collectNext.begin(), fd->collectNext.end(), [&](const QString &c) {
                    return c.startsWith(QStringLiteral("capture at the peer too (%1 ").arg(left));
                }));
                continue;
            }
            const Fix *route = findFix(*fd, FixKind::IpLink);
            QVERIFY(route);
            QVERIFY2(!route->title.startsWith(QLatin1String("On the peer")), qPrintable(route->title));
            QCOMPARE(capture(route->text, QStringLiteral("mtu lock (\\d+)")),
                     topo[QStringLiteral("mid")][QStringLiteral("mtu_left_link")].toInt());
            const Fix *ipt = findFix(*fd, FixKind::Iptables);
            QVERIFY(ipt);
            QCOMPARE(capture(ipt->text, QStringLiteral("--set-mss (\\d+)")),
                     t[QStringLiteral("expected_diagnosis")][QStringLiteral("mss")].toInt());
        }
    }

    // Audit (audit-cert-frag-1200): certificates, IKEv2 fragmentation on (both ends announce it),
    // the mid->right link 1200 with mid's ICMP fragmentation-needed getting through, non-first IP
    // fragments dropped. charon's 1280-byte IKE fragments are IP-fragmented and never arrive whole.
    // Before, the first fixes were "fragmentation = yes" (swanctl, ipsec.conf), which is in use and
    // changes nothing. Truth: charon.fragment_size at most the link MTU (ICMP mtu 1200).
    void ikeFragmentsLargerThanThePath()
    {
        const QString scenario = QStringLiteral("audit-cert-frag-1200");
        const QString dir = labDir(scenario);
        const QJsonObject t = truth(scenario);
        QCOMPARE(t[QStringLiteral("ipsec")][QStringLiteral("ike_fragmentation")].toString(),
                 QStringLiteral("yes"));
        const int link =
            t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("mtu_right_link")].toInt();
        for (const bool withEvidence : {false, true}) {
            DiagnosisFiles files = labPairWithStats(dir, false);
            if (!withEvidence) files.evidence.clear();
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            QVERIFY(!ld.diagnosis().findings.empty());
            const Finding &top = ld.diagnosis().findings.front();
            QCOMPARE(top.cause, QStringLiteral("ike_fragmentation"));
            // the configuration snippets (the client prose names the setting a gateway needs)
            QVERIFY(!findFix(top, FixKind::Swanctl));
            QVERIFY(!findFix(top, FixKind::IpsecConf));
            const Fix *size = findFix(top, FixKind::StrongswanConf);
            QVERIFY(size);
            QCOMPARE(capture(size->text, QStringLiteral("fragment_size = (\\d+)")), link);
            // The client prose agrees with the finding ("setting fragmentation = yes changes
            // nothing"): before, it said "the gateway must allow it (fragmentation = yes)".
            const Fix *client = findFix(top, FixKind::ClientSettings);
            QVERIFY(client);
            QVERIFY2(!client->text.contains(QLatin1String("fragmentation = yes")), qPrintable(client->text));
            QVERIFY2(client->text.contains(QLatin1String("IKEv2 fragmentation is in use already")),
                     qPrintable(client->text));
            QVERIFY(client->text.contains(QLatin1String("charon.fragment_size")));
        }
        // Without the router's ICMP error (frame 4 of left's capture, removed with editcap) the
        // fragments' size comes from the link MTU of mid in the evidence: still the 1200 truth.json
        // names. Before, no fix named fragment_size unless an ICMP error proved the MTU.
        const QString editcap = QStandardPaths::findExecutable(QStringLiteral("editcap"));
        if (editcap.isEmpty()) QSKIP("editcap (wireshark-common) is needed for the case without ICMP");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString noIcmp = tmp.filePath(QStringLiteral("left-outer.pcap"));
        QCOMPARE(QProcess::execute(editcap,
                                   {dir + QStringLiteral("/left-outer.pcap"), noIcmp, QStringLiteral("4")}),
                 0);
        DiagnosisFiles files;
        files.captureA = noIcmp;
        files.evidence << dir + QStringLiteral("/stats") << dir + QStringLiteral("/charon-left.log");
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        QVERIFY(!ld.diagnosis().findings.empty());
        const Finding &top = ld.diagnosis().findings.front();
        QCOMPARE(top.cause, QStringLiteral("ike_fragmentation"));
        const Fix *size = findFix(top, FixKind::StrongswanConf);
        QVERIFY2(size, qPrintable(diagnosisText(ld.diagnosis())));
        QCOMPARE(capture(size->text, QStringLiteral("fragment_size = (\\d+)")), link);
        QVERIFY2(size->changes.contains(QLatin1String("the smallest link MTU on the path in the evidence")),
                 qPrintable(size->changes));
    }

    void mtuWithRouterEvidence_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        for (const char *s : {"mtu-blackhole", "mtu-blackhole-1350", "mtu-blackhole-natt-1420"}) {
            QTest::newRow(qPrintable(QStringLiteral("%1/left as A").arg(QLatin1String(s))))
                << QString::fromLatin1(s) << QStringLiteral("left") << QStringLiteral("right");
            QTest::newRow(qPrintable(QStringLiteral("%1/right as A").arg(QLatin1String(s))))
                << QString::fromLatin1(s) << QStringLiteral("right") << QStringLiteral("left");
        }
    }

    // Issue 10, defect 1: with the lab's stats (both endpoints and the router) as evidence the
    // path MTU is the router's link MTU, whichever capture is given as --capture, and the fix
    // values are truth.json's link MTU → inner MTU → MSS by the RFC 4303 arithmetic.
    void mtuWithRouterEvidence()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, a);
        QFETCH(QString, b);
        const QString dir = labDir(scenario);
        const QJsonObject t = truth(scenario);
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/%1-outer.pcap").arg(a);
        files.captureB = dir + QStringLiteral("/%1-outer.pcap").arg(b);
        files.evidence << dir + QStringLiteral("/stats");
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
        QVERIFY(!d.findings.empty());
        const Finding &top = d.findings.front();
        QCOMPARE(top.cause, QStringLiteral("mtu_blackhole"));
        const int link =
            t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("mtu_right_link")].toInt();
        const bool natT =
            t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("nat_masquerade")].toBool();
        QCOMPARE(t[QStringLiteral("ipsec")][QStringLiteral("esp_proposal")].toString(),
                 QStringLiteral("aes128-sha256"));
        const int iv = 16, icv = 16, block = 16;
        const int inner = (link - 20 - (natT ? 8 : 0) - 8 - iv - icv) / block * block - 2;
        QCOMPARE(int(d.basis.pathMtu), link);
        QCOMPARE(d.basis.pathMtuSource, QStringLiteral("link_mtu"));
        const Fix *route = findFix(top, FixKind::IpLink);
        const Fix *ipt = findFix(top, FixKind::Iptables);
        const Fix *nft = findFix(top, FixKind::Nftables);
        QVERIFY(route && ipt && nft);
        QCOMPARE(capture(route->text, QStringLiteral("mtu lock (\\d+)")), link);
        QVERIFY(route->text.contains(QLatin1String("ip route replace ")));
        QCOMPARE(capture(route->text, QStringLiteral("= (\\d+) bytes for the inner packet")), inner);
        QCOMPARE(capture(ipt->text, QStringLiteral("--set-mss (\\d+)")), inner - 40);
        QCOMPARE(capture(nft->text, QStringLiteral("maxseg size set (\\d+)")), inner - 40);
    }

    // `ikev2wb probe` run inside the lab (tests/lab-scenarios/probe.sh): the mid->right link of
    // truth.json's MTU, mid's ICMP fragmentation-needed dropped (phase 1) or let through (phase 2);
    // probes from lhost to rhost through the tunnel (inner) and from left to right's outer address.
    // The probe results are checked against truth.json's link MTU and the RFC 4303 arithmetic, then
    // given to the diagnosis with left's capture: an outer probe is the outer path MTU, an inner one
    // the inner MTU itself (the fixes use it as measured), and without the traffic selectors in the
    // evidence an inner target is neither end of the tunnel, so its number is not used.
    void probeThroughRealTunnel_data()
    {
        QTest::addColumn<QString>("probe");
        QTest::addColumn<bool>("inner");
        QTest::addColumn<bool>("blackHole");
        QTest::newRow("outer, black hole") << QStringLiteral("blackhole-outer") << false << true;
        QTest::newRow("inner, black hole") << QStringLiteral("blackhole-inner") << true << true;
        QTest::newRow("outer, PMTUD works") << QStringLiteral("pmtud-outer") << false << false;
        QTest::newRow("inner, PMTUD works") << QStringLiteral("pmtud-inner") << true << false;
    }
    void probeThroughRealTunnel()
    {
        QFETCH(QString, probe);
        QFETCH(bool, inner);
        QFETCH(bool, blackHole);
        const QString scenario = QStringLiteral("mtu-probe-1420");
        const QString dir = labDir(scenario);
        const QJsonObject t = truth(scenario);
        const QJsonObject mid = t[QStringLiteral("topology")][QStringLiteral("mid")].toObject();
        const int link = mid[QStringLiteral("mtu_right_link")].toInt();
        QVERIFY(link > 1000);
        QVERIFY(!mid[QStringLiteral("nat_masquerade")].toBool());
        QCOMPARE(t[QStringLiteral("ipsec")][QStringLiteral("esp_proposal")].toString(),
                 QStringLiteral("aes128-sha256"));
        // Tunnel mode over IPv4: outer IP 20, SPI + sequence 8, IV 16, ICV 16; the inner packet and
        // its 2 trailer bytes padded to 16.
        const int innerMtu = (link - 20 - 8 - 16 - 16) / 16 * 16 - 2;
        const int measured = inner ? innerMtu : link;

        // What the probe itself measured through the real path.
        QFile pf(dir + QStringLiteral("/probe-%1.json").arg(probe));
        QVERIFY(pf.open(QIODevice::ReadOnly));
        const QJsonObject pj = QJsonDocument::fromJson(pf.readAll()).object();
        QCOMPARE(pj[QStringLiteral("target")].toString(),
                 inner ? t[QStringLiteral("topology")][QStringLiteral("right")][QStringLiteral("lan_host")]
                             .toString()
                       : t[QStringLiteral("topology")][QStringLiteral("right")][QStringLiteral("outer_ip")]
                             .toString());
        QCOMPARE(pj[QStringLiteral("path_mtu")].toInt(), measured);
        QCOMPARE(pj[QStringLiteral("pmtud")].toString(),
                 blackHole ? QStringLiteral("black_hole") : QStringLiteral("working"));
        if (!blackHole) {
            QCOMPARE(pj[QStringLiteral("reported_mtu")].toInt(), measured);
            if (!inner) // the router's address on left's side
                QCOMPARE(pj[QStringLiteral("failed_from")].toString(),
                         mid[QStringLiteral("left_if")].toString().section(QLatin1Char(' '), 1, 1));
        }

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QVERIFY(QFile::copy(dir + QStringLiteral("/probe-%1.json").arg(probe),
                            tmp.filePath(QStringLiteral("probe.json"))));
        // With left's own evidence (its traffic selectors and suite from swanctl --list-sas).
        {
            DiagnosisFiles files;
            files.captureA = dir + QStringLiteral("/left-outer.pcap");
            for (const QString &f :
                 QDir(dir + QStringLiteral("/stats")).entryList({QStringLiteral("left-*")}, QDir::Files))
                files.evidenceA << dir + QStringLiteral("/stats/") + f;
            files.evidence << tmp.path();
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            const Diagnosis &d = ld.diagnosis();
            QCOMPARE(d.basis.pathMtuSource, QStringLiteral("probe"));
            // An inner probe proves the outer size of its largest inner packet: the link MTU here.
            QCOMPARE(int(d.basis.pathMtu), link);
            // Left's capture holds phase 1 too: its DF packets above 1420 bytes drew no ICMP error
            // for 23 s (icmpOnlyLateAtTheSender), so the MTU finding is mtu_blackhole either way;
            // with a probe that found PMTUD working it rests on the capture alone.
            const Finding *mtu = nullptr;
            for (const Finding &fd : d.findings)
                if (fd.cause == QLatin1String("mtu_blackhole")) mtu = &fd;
            QVERIFY(mtu);
            QCOMPARE(d.findings.front().cause, QStringLiteral("mtu_blackhole"));
            for (const Finding &fd : d.findings)
                QVERIFY2(fd.cause != QLatin1String("path_mtu_reduced"), qPrintable(fd.title));
            if (blackHole) {
                QVERIFY2(mtu->title.contains(QString::number(measured)), qPrintable(mtu->title));
            } else {
                for (const Finding &fd : d.findings) // PMTUD works: no black hole from the probe
                    QVERIFY2(!fd.title.contains(QLatin1String("measured by a probe")), qPrintable(fd.title));
                QVERIFY2(mtu->title.contains(QLatin1String("drew no ICMP error")), qPrintable(mtu->title));
            }
            const Fix *route = findFix(*mtu, FixKind::IpLink);
            const Fix *ipt = findFix(*mtu, FixKind::Iptables);
            QVERIFY(route && ipt);
            QCOMPARE(capture(route->text, QStringLiteral("mtu lock (\\d+)")), link);
            QCOMPARE(capture(route->text, QStringLiteral("= (\\d+) bytes for the inner packet")), innerMtu);
            QCOMPARE(capture(ipt->text, QStringLiteral("--set-mss (\\d+)")), innerMtu - 40);
        }
        // Without the traffic selectors an inner target is no end of the tunnel: not used.
        if (inner) {
            DiagnosisFiles files;
            files.captureA = dir + QStringLiteral("/left-outer.pcap");
            files.evidence << tmp.path();
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            const Diagnosis &d = ld.diagnosis();
            QVERIFY(d.basis.pathMtuSource != QLatin1String("probe"));
            bool noted = false;
            for (const Finding &fd : d.findings)
                for (const auto &e : fd.evidence)
                    noted = noted || (e.text.contains(pj[QStringLiteral("target")].toString()) &&
                                      e.text.contains(QLatin1String("is not used")));
            QVERIFY(noted);
        }
    }

    // The same run as a pair: in phase 1 the large ESP packets left->right were lost without any
    // ICMP error (mid dropped it), in phase 2 mid's fragmentation-needed reached left. An ICMP error
    // captured 20 s after the losses does not explain them: the pair's top cause is the black hole
    // (it was "the path MTU is reduced, PMTUD works", a warning beside 27 unexplained losses).
    void icmpOnlyAfterTheLosses_data()
    {
        QTest::addColumn<bool>("swapped");
        QTest::newRow("left as A") << false;
        QTest::newRow("right as A") << true;
    }
    void icmpOnlyAfterTheLosses()
    {
        QFETCH(bool, swapped);
        const QString scenario = QStringLiteral("mtu-probe-1420");
        const QJsonObject t = truth(scenario);
        const int link =
            t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("mtu_right_link")].toInt();
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(labPairWithStats(labDir(scenario), swapped), ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
        QVERIFY(!d.findings.empty());
        const Finding &top = d.findings.front();
        QCOMPARE(top.cause, QStringLiteral("mtu_blackhole"));
        QCOMPARE(top.status, StepStatus::Fail);
        QCOMPARE(int(d.basis.pathMtu), link);
        bool late = false;
        for (const auto &e : top.evidence)
            late =
                late || e.text.contains(QLatin1String("after the first large packet was lost without one"));
        QVERIFY(late);
        const int innerMtu = (link - 20 - 8 - 16 - 16) / 16 * 16 - 2;
        const Fix *ipt = findFix(top, FixKind::Iptables);
        QVERIFY(ipt);
        QCOMPARE(capture(ipt->text, QStringLiteral("--set-mss (\\d+)")), innerMtu - 40);
        // The late ICMP error does not make a second finding that says PMTUD works.
        for (const Finding &f : d.findings)
            QVERIFY2(f.cause != QLatin1String("path_mtu_reduced"), qPrintable(f.title));
    }

    // The same run seen from left's capture alone: no loss is provable, but left sent DF packets
    // above the MTU the first ICMP error reports (1500 bytes, frame 84 at 1796567651.492305 by
    // tshark) 23.4 s before that error (frame 178, MTU 1420, at 1796567674.866770), and truth.json's
    // timeline has the router dropping those errors until 1796567673.445301. Control: the cut of
    // the same capture from that moment on (left-outer-phase2.pcap), where the error follows the
    // packet within 12 µs, says PMTUD works.
    void icmpOnlyLateAtTheSender_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("late");
        QTest::newRow("both phases") << QStringLiteral("left-outer.pcap") << true;
        QTest::newRow("phase 2 only") << QStringLiteral("left-outer-phase2.pcap") << false;
    }
    void icmpOnlyLateAtTheSender()
    {
        QFETCH(QString, file);
        QFETCH(bool, late);
        const QString scenario = QStringLiteral("mtu-probe-1420");
        const QJsonObject t = truth(scenario);
        const int link =
            t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("mtu_right_link")].toInt();
        double allowed = 0;
        for (const QJsonValue &e : t[QStringLiteral("timeline")].toArray())
            if (e[QStringLiteral("event")].toString() == QLatin1String("icmp_frag_needed_allowed"))
                allowed = e[QStringLiteral("t")].toDouble();
        QVERIFY(allowed > 0);
        DiagnosisFiles files;
        files.captureA = labDir(scenario) + QLatin1Char('/') + file;
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
        QVERIFY(!d.findings.empty());
        QCOMPARE(int(d.basis.pathMtu), link);
        const Finding &top = d.findings.front();
        if (!late) {
            QCOMPARE(top.cause, QStringLiteral("path_mtu_reduced"));
            for (const Finding &f : d.findings)
                QVERIFY2(f.cause != QLatin1String("mtu_blackhole"), qPrintable(f.title));
            return;
        }
        QCOMPARE(top.cause, QStringLiteral("mtu_blackhole"));
        QCOMPARE(top.status, StepStatus::Warn);
        const EvidenceItem *first = nullptr;
        for (const EvidenceItem &e : top.evidence)
            if (e.text.contains(QLatin1String("with DF set (the first of 1500 bytes)"))) first = &e;
        QVERIFY(first);
        QCOMPARE(first->ref.timeNs, std::int64_t(1796567651492305000LL));
        QVERIFY(double(first->ref.timeNs) / 1e9 < allowed); // while the router dropped the errors
        QVERIFY(first->text.contains(QStringLiteral("above %1 bytes").arg(link)));
        QVERIFY(first->text.contains(QLatin1String("23.4 s before")));
        for (const Finding &f : d.findings)
            QVERIFY2(f.cause != QLatin1String("path_mtu_reduced"), qPrintable(f.title));
        const Fix *route = findFix(top, FixKind::IpLink);
        QVERIFY(route);
        QVERIFY(route->text.contains(QStringLiteral("mtu lock %1").arg(link)));
    }

    // Defect 8: ike-frag-drop (IKE_AUTH as IP fragments, the router drops non-first fragments) and
    // its control ike-frag-ok (RFC 7383 fragments). Expected from truth.json's expected_diagnosis:
    // "ike_fragmentation" with the fix "fragmentation = yes", or "healthy" (then: no
    // ike_fragmentation finding; the host-kernel run's CHILD_SA failure is another matter, see
    // the folder's NOTES.md). Either capture alone, and both in either order.
    void ikeFragmentation_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        for (const char *s : {"ike-frag-drop", "ike-frag-ok"}) {
            const QString sc = QString::fromLatin1(s);
            QTest::newRow(qPrintable(sc + QStringLiteral("/left")))
                << sc << QStringLiteral("left") << QString();
            QTest::newRow(qPrintable(sc + QStringLiteral("/right")))
                << sc << QStringLiteral("right") << QString();
            QTest::newRow(qPrintable(sc + QStringLiteral("/left+right")))
                << sc << QStringLiteral("left") << QStringLiteral("right");
            QTest::newRow(qPrintable(sc + QStringLiteral("/right+left")))
                << sc << QStringLiteral("right") << QStringLiteral("left");
        }
    }
    void ikeFragmentation()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, a);
        QFETCH(QString, b);
        const QString dir = labDir(scenario);
        const QJsonObject expect = truth(scenario)[QStringLiteral("expected_diagnosis")].toObject();
        const QString diagnosis = expect[QStringLiteral("diagnosis")].toString();
        QVERIFY(diagnosis == QLatin1String("ike_fragmentation") || diagnosis == QLatin1String("healthy"));
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/%1-outer.pcap").arg(a);
        if (!b.isEmpty()) files.captureB = dir + QStringLiteral("/%1-outer.pcap").arg(b);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
        if (diagnosis == QLatin1String("healthy")) {
            for (const Finding &f : d.findings)
                QVERIFY2(f.cause != QLatin1String("ike_fragmentation"), qPrintable(f.title));
            return;
        }
        QVERIFY(!d.findings.empty());
        const Finding &top = d.findings.front();
        QVERIFY2(top.cause == QLatin1String("ike_fragmentation"),
                 qPrintable(top.cause + QLatin1Char(' ') + top.title));
        QCOMPARE(top.status, StepStatus::Fail);
        for (const Finding &f : d.findings)
            QVERIFY2(f.cause != QLatin1String("peer_unreachable"), "the peer answered IKE_SA_INIT");
        const Fix *sw = findFix(top, FixKind::Swanctl);
        QVERIFY(sw);
        QVERIFY(sw->text.contains(expect[QStringLiteral("fix")].toString()));
    }

    // Evidence the diagnosis did not use: a sysctl listing (format of tests/data/evidence/sysctl.txt,
    // i.e. `sysctl -a` output) with disable_xfrm = 1 on the lab's WAN interface and disable_policy =
    // 1 on a VTI (normal for route-based tunnels) gives ipsec_bypassed for wan0 only, its sysctl fix
    // turning exactly that key back to 0.
    void ipsecBypassFromSysctl()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString path = tmp.filePath(QStringLiteral("sysctl.txt"));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write("net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 1\n"
                  "net.ipv4.conf.wan0.disable_xfrm = 1\nnet.ipv4.conf.vti0.disable_policy = 1\n"
                  "net.ipv4.conf.lan0.disable_xfrm = 0\n");
        out.close();
        DiagnosisFiles files;
        files.captureA = labDir(QStringLiteral("clean")) + QStringLiteral("/left-outer.pcap");
        files.evidence << path;
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Finding *f = nullptr;
        for (const Finding &x : ld.diagnosis().findings)
            if (x.cause == QLatin1String("ipsec_bypassed")) f = &x;
        QVERIFY(f);
        QCOMPARE(f->fixes.size(), std::size_t(1));
        // Only wan0's key, set to 0 after its value then is saved for the undo.
        const QString &text = f->fixes.front().text;
        QVERIFY2(text.startsWith(QLatin1String(
                     "if [ ! -e /var/lib/ikev2wb/saved-net.ipv4.conf.wan0.disable_xfrm ]; then\n"
                     "    old=$(sysctl -n net.ipv4.conf.wan0.disable_xfrm)\n")),
                 qPrintable(text));
        QVERIFY2(text.endsWith(QLatin1String("\nfi\nsysctl -w net.ipv4.conf.wan0.disable_xfrm=0\n")),
                 qPrintable(text));
        QVERIFY(!text.contains(QLatin1String("lan0")));
    }

    // Defect 7: rekey-loss's left capture cut 1 s after the first retransmission of the CHILD rekey
    // (message ID 2; charon-left.log: "retransmit 1 of request with message ID 2"). The next
    // retransmission was due seconds later, so nobody can know from this capture whether the
    // peer answered: no "peer gave up / DPD declared it dead", no fix sized from an outage.
    void captureCutDuringRetransmissions()
    {
        const QString dir = labDir(QStringLiteral("rekey-loss"));
        const QJsonObject t = truth(QStringLiteral("rekey-loss"));
        const QStringList leftAddr =
            t[QStringLiteral("topology")][QStringLiteral("left")][QStringLiteral("outer_ip")]
                .toString()
                .split(QLatin1Char('.'));
        QCOMPARE(leftAddr.size(), 4);
        QByteArray src;
        for (const QString &o : leftAddr)
            src.append(char(o.toInt()));
        QByteArray header;
        std::vector<PcapRecord> records;
        int linkType = 0;
        QVERIFY(readPcap(dir + QStringLiteral("/left-outer.pcap"), header, records, linkType));
        std::vector<std::size_t> sends;
        for (std::size_t i = 0; i < records.size(); ++i)
            if (isIkeRequestFrom(records[i].data, linkType, src, 2)) sends.push_back(i);
        // README / charon-left.log: the first send and 3 retransmissions of message ID 2.
        QCOMPARE(sends.size(), std::size_t(4));
        const double cutAt = records[sends[1]].t + 1.0;
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString cutPath = tmp.filePath(QStringLiteral("left-outer-cut.pcap"));
        QFile out(cutPath);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(header);
        for (const PcapRecord &r : records)
            if (r.t <= cutAt) out.write(r.bytes);
        out.close();

        DiagnosisFiles files;
        files.captureA = cutPath;
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
        const Finding *ike = nullptr;
        for (const Finding &f : d.findings) {
            QVERIFY2(f.cause != QLatin1String("peer_unreachable"), qPrintable(f.title));
            if (f.cause == QLatin1String("ike_retransmissions")) ike = &f;
            for (const Fix &x : f.fixes)
                QVERIFY2(!x.text.contains(QLatin1String("retransmit_tries")), qPrintable(x.text));
        }
        QVERIFY(ike);
        bool said = false;
        for (const EvidenceItem &e : ike->evidence)
            said = said || e.text.contains(QLatin1String("the capture ended before the outcome"));
        QVERIFY(said);
    }

    void evidenceJudgedAtTheReceiver_data()
    {
        QTest::addColumn<bool>("swapped");
        QTest::newRow("A left, B right") << false;
        QTest::newRow("A right, B left") << true;
    }

    void evidenceJudgedAtTheReceiver()
    {
        // Both hosts' stats with both captures: the left→right direction is judged with right's
        // counters and window whichever capture is A (issue 10, defect 5), and the reordering of
        // that direction is counted once (defect 6). Expected values: verify.json's checks and
        // truth.json's injected window.
        QFETCH(bool, swapped);
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        const QJsonObject t = truth(QStringLiteral("reorder-antireplay"));
        const int rightWindow =
            t[QStringLiteral("ipsec")][QStringLiteral("replay_window")][QStringLiteral("right")].toInt();
        QCOMPARE(rightWindow, 16);
        const QJsonObject v = testdata::readJson(dir + QStringLiteral("/verify.json"));
        qint64 seqErrors = -1, outOfOrder = -1;
        for (const QJsonValue &c : v[QStringLiteral("checks")].toArray()) {
            const QString name = c[QStringLiteral("check")].toString();
            if (name.startsWith(QLatin1String("anti-replay drops on right")))
                seqErrors = c[QStringLiteral("value")].toInteger();
            else if (name.startsWith(QLatin1String("out-of-order ESP (left->right) at right")))
                outOfOrder = c[QStringLiteral("value")].toInteger();
        }
        QCOMPARE(seqErrors, qint64(25));
        QCOMPARE(outOfOrder, qint64(1022));

        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(labPairWithStats(dir, swapped), ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
        QVERIFY2(!d.findings.empty(), "no finding");
        const Finding &top = d.findings.front();
        QCOMPARE(top.cause, QStringLiteral("antireplay_reordering"));
        QCOMPARE(int(top.status), int(StepStatus::Fail));
        QCOMPARE(qint64(d.basis.replayWindow), qint64(rightWindow));
        QVERIFY(!d.basis.replayWindowAssumed);
        bool counter = false, reordered = false;
        for (const EvidenceItem &e : top.evidence) {
            counter |= e.text.startsWith(QStringLiteral("XfrmInStateSeqError grew by %1").arg(seqErrors));
            reordered |=
                e.text.startsWith(QStringLiteral("%1 ESP packets arrived after a higher").arg(outOfOrder));
        }
        QVERIFY2(counter, "right's XfrmInStateSeqError not cited");
        QVERIFY2(reordered, "reordering not counted once");
        const Fix *sw = findFix(top, FixKind::Swanctl);
        QVERIFY(sw);
        const int w = capture(sw->text, QStringLiteral("replay_window = (\\d+)"));
        QVERIFY(w > rightWindow);
        // The same window whichever capture is A.
        static int firstWindow = 0;
        if (!swapped)
            firstWindow = w;
        else if (firstWindow)
            QCOMPARE(w, firstWindow);
    }

    void evidenceOfNeitherEnd()
    {
        // Two captures and the stats of a host of another tunnel (right's files with the tunnel's
        // addresses replaced by 192.0.2.1 / 192.0.2.2): they name neither capture's end, so their
        // window (truth.json: 16) and their XfrmInStateSeqError growth (verify.json: 25) are no
        // one's receiver's. The window is the assumed default (strongSwan's replay_window, 32) and a
        // note names the files.
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        const QJsonObject t = truth(QStringLiteral("reorder-antireplay"));
        const int rightWindow =
            t[QStringLiteral("ipsec")][QStringLiteral("replay_window")][QStringLiteral("right")].toInt();
        QCOMPARE(rightWindow, 16);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QStringList names{QStringLiteral("xfrm-state-start.txt"), QStringLiteral("xfrm-state-end.txt"),
                                QStringLiteral("xfrm_stat-start.txt"), QStringLiteral("xfrm_stat-end.txt")};
        for (const QString &n : names) {
            QFile in(dir + QStringLiteral("/stats/right-") + n);
            QVERIFY(in.open(QIODevice::ReadOnly));
            QByteArray text = in.readAll();
            text.replace("10.0.1.1", "192.0.2.1").replace("10.0.2.1", "192.0.2.2");
            QFile out(tmp.filePath(QStringLiteral("other-") + n));
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(text);
        }
        for (const bool swapped : {false, true}) {
            DiagnosisFiles files;
            files.captureA =
                dir + (swapped ? QStringLiteral("/right-outer.pcap") : QStringLiteral("/left-outer.pcap"));
            files.captureB =
                dir + (swapped ? QStringLiteral("/left-outer.pcap") : QStringLiteral("/right-outer.pcap"));
            files.evidence << tmp.path();
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            const Diagnosis &d = ld.diagnosis();
            QVERIFY(d.basis.replayWindowAssumed);
            QCOMPARE(d.basis.replayWindow, 32u);
            for (const Finding &fd : d.findings)
                for (const EvidenceItem &e : fd.evidence)
                    QVERIFY2(!e.text.contains(QLatin1String("XfrmInStateSeqError")), qPrintable(e.text));
            const QString notes = d.notes.join(QLatin1Char('\n'));
            QVERIFY2(notes.contains(QLatin1String("host 'other' (other-xfrm-state-end.txt")) &&
                         notes.contains(QLatin1String("used for neither capture's end")),
                     qPrintable(notes));
            QVERIFY2(!notes.contains(QLatin1String("taken as capture A's")), qPrintable(notes));
        }
    }

    // A gateway's swanctl.conf holds every tunnel it has. Which connection is this capture's is
    // said by its remote_addrs: never another peer's connection. mtu-blackhole's left-outer.pcap
    // alone (truth.json: the peer is 10.0.2.1, its LAN 10.2.0.0/24, ESP aes128-sha256) with a
    // swanctl.conf whose FIRST connection goes to another branch (198.51.100.7, AES-GCM-16,
    // 172.16.0.0/16). Before, that first connection gave the peer's address (the route fix set
    // the MTU of the route to 198.51.100.7), the suite (an MSS too large for the real CBC +
    // SHA-256 tunnel) and the nft clamp's subnet. The MSS is checked by RFC 4303 arithmetic at
    // the path MTU the finding states: with AES-CBC + HMAC-SHA256-128, P − 20 − 8 − 16 (IV) − 16
    // (ICV), down to a multiple of 16, − 2 (pad length, next header), − 40.
    void configConnectionOfTheTunnel_data()
    {
        QTest::addColumn<QByteArray>("conf");
        QTest::addColumn<int>("icv");        // of the suite the MSS must be computed with (CBC, IV 16)
        QTest::addColumn<QString>("subnet"); // the nft clamp's, "" = by IPsec state
        QTest::addColumn<QString>("note");
        const auto conn = [](const char *name, const char *remote, const char *esp, const char *ts) {
            QByteArray c = QByteArray("    ") + name + " {\n        local_addrs = 10.0.1.1\n";
            if (*remote) c += QByteArray("        remote_addrs = ") + remote + "\n";
            c += QByteArray("        children {\n            ") + name + "-child {\n";
            c += QByteArray("                local_ts = 10.1.0.0/24\n                remote_ts = ") + ts +
                 "\n";
            c += QByteArray("                esp_proposals = ") + esp + "\n            }\n        }\n    }\n";
            return c;
        };
        const QByteArray other = conn("branch-b", "198.51.100.7", "aes256gcm16", "172.16.0.0/16");
        QTest::newRow("another branch first, then the tunnel's")
            << "connections {\n" + other + conn("lab", "10.0.2.1", "aes128-sha256", "10.2.0.0/24") + "}\n"
            << 16 << QStringLiteral("10.2.0.0/24") << QStringLiteral("connection 'lab' is this tunnel's");
        QTest::newRow("the tunnel's peer in a list of addresses")
            << "connections {\n" + other +
                   conn("lab", "192.0.2.9, 10.0.2.1", "aes128-sha256", "10.2.0.0/24") + "}\n"
            << 16 << QStringLiteral("10.2.0.0/24") << QStringLiteral("connection 'lab' is this tunnel's");
        // Two connections to the same peer: either may be the SA's. Neither's names or subnets;
        // the MSS for the larger overhead of the two (HMAC-SHA512-256: ICV 32).
        QTest::newRow("two connections to the peer")
            << "connections {\n" + conn("lab-a", "10.0.2.1", "aes128gcm16", "10.2.0.0/24") +
                   conn("lab-b", "10.0.2.1", "aes256-sha512", "10.3.0.0/24") + "}\n"
            << 32 << QString()
            << QStringLiteral("2 of its 2 connections could be this tunnel's ('lab-a', 'lab-b')");
        // One of them proposes a cipher this tool does not know: its overhead is unknown, so the
        // configuration's suites are not taken (before, lab-a's GCM alone, a smaller overhead than
        // the real one: MSS 1006). The ESP lengths decide: the lab's AES-CBC (truth.json) pads to
        // 16-byte blocks, so an ICV of 16 (its SHA-256-128) and of 32 (SHA-512-256) give the same
        // lengths, and the MSS is for the larger, 32.
        QTest::newRow("two connections to the peer, one proposal not understood")
            << "connections {\n" + conn("lab-a", "10.0.2.1", "aes128gcm16", "10.2.0.0/24") +
                   conn("lab-b", "10.0.2.1", "foo256-sha256", "10.3.0.0/24") + "}\n"
            << 32 << QString()
            << QStringLiteral("2 of its 2 connections could be this tunnel's ('lab-a', 'lab-b')");
        // Only another peer's connection: nothing of it is this tunnel's.
        QTest::newRow("only another peer's connection")
            << "connections {\n" + other + "}\n"
            << -1 << QString()
            << QStringLiteral("0 of its 1 connections could be this tunnel's (none names ");
    }
    void configConnectionOfTheTunnel()
    {
        QFETCH(QByteArray, conf);
        QFETCH(int, icv);
        QFETCH(QString, subnet);
        QFETCH(QString, note);
        const QJsonObject topo =
            truth(QStringLiteral("mtu-blackhole"))[QStringLiteral("topology")].toObject();
        QCOMPARE(
            truth(QStringLiteral("mtu-blackhole"))[QStringLiteral("ipsec")][QStringLiteral("esp_proposal")]
                .toString(),
            QStringLiteral("aes128-sha256"));
        const QString peer = topo[QStringLiteral("right")][QStringLiteral("outer_ip")].toString();
        QCOMPARE(peer, QStringLiteral("10.0.2.1"));
        QCOMPARE(topo[QStringLiteral("right")][QStringLiteral("lan")].toString(),
                 QStringLiteral("10.2.0.0/24"));
        const QString dir = labDir(QStringLiteral("mtu-blackhole"));
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        for (const QString &f :
             {QStringLiteral("left-link-end.txt"), QStringLiteral("left-routes-start.txt")})
            files.evidenceA << dir + QStringLiteral("/stats/") + f;
        files.evidenceA << writeIn(tmp, QStringLiteral("left-swanctl.conf"), conf);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Finding *fd = findingOf(ld, QLatin1String("mtu_blackhole"));
        QVERIFY(fd);
        QString all;
        for (const Fix &x : fd->fixes)
            all += x.text + x.changes + x.verify + x.undo + QLatin1Char('\n');
        for (const char *foreign : {"198.51.100.7", "172.16.0.0", "branch-b", "lab-a", "lab-b"})
            QVERIFY2(!all.contains(QLatin1String(foreign)),
                     qPrintable(QStringLiteral("%1 in\n%2").arg(QLatin1String(foreign), all)));
        const Fix *route = findFix(*fd, FixKind::IpLink);
        QVERIFY(route);
        QVERIFY2(route->text.contains(QStringLiteral("ip route replace %1/32 ").arg(peer)),
                 qPrintable(route->text));
        int pathMtu = 0;
        for (const EvidenceItem &e : fd->evidence)
            if (e.text.startsWith(QLatin1String("path MTU ")))
                pathMtu = capture(e.text, QStringLiteral("^path MTU (\\d+)"));
        QVERIFY(pathMtu > 0);
        const Fix *clamp = findFix(*fd, FixKind::Iptables);
        QVERIFY(clamp);
        if (icv > 0) {
            const int mss = (pathMtu - 20 - 8 - 16 - icv) / 16 * 16 - 2 - 40;
            QVERIFY2(clamp->text.contains(QStringLiteral("--set-mss %1 ").arg(mss)), qPrintable(clamp->text));
        }
        const Fix *nft = findFix(*fd, FixKind::Nftables);
        QVERIFY(nft);
        if (subnet.isEmpty())
            QVERIFY2(nft->text.contains(QLatin1String("rt ipsec exists")), qPrintable(nft->text));
        else
            QVERIFY2(nft->text.contains(QStringLiteral("ip daddr %1 ").arg(subnet)), qPrintable(nft->text));
        // The note says which connection was taken, or why none was.
        const QString notes = ld.diagnosis().notes.join(QLatin1Char('\n'));
        QVERIFY2(notes.contains(note), qPrintable(notes));
    }

    // A gateway's charon log holds every tunnel's lines. rekey-loss's left-outer.pcap with left's log
    // after five lines of another connection (branch-b to 198.51.100.7: three retransmissions and
    // a give-up). Before, branch-b's give-up made "the peer was unreachable" the top cause, with a
    // fix that restarts branch-b ("ipsec down branch-b && ipsec up branch-b"), and its
    // retransmissions were counted as the tunnel's (8). The tunnel's own count: the lab log's
    // "<lab|N> retransmit N of request" lines, counted here by regular expression.
    void logConnectionOfTheTunnel_data()
    {
        QTest::addColumn<bool>("withLabLines");
        QTest::addColumn<bool>("pair"); // the other connection's lines in B's (right's) log instead
        QTest::newRow("another connection's lines, then the tunnel's") << true << false;
        QTest::newRow("only another connection's lines") << false << false;
        QTest::newRow("a pair, the other connection in B's log") << true << true;
    }
    void logConnectionOfTheTunnel()
    {
        QFETCH(bool, withLabLines);
        QFETCH(bool, pair);
        const QString dir = labDir(QStringLiteral("rekey-loss"));
        QFile labLog(dir + QStringLiteral("/charon-left.log"));
        QVERIFY(labLog.open(QIODevice::ReadOnly));
        const QByteArray lab = labLog.readAll();
        const QRegularExpression own(
            QStringLiteral("<lab\\|\\d+> retransmit \\d+ of request with message ID \\d+$"));
        int retransmits = 0;
        for (const QByteArray &l : lab.split('\n'))
            retransmits += own.match(QString::fromUtf8(l).trimmed()).hasMatch();
        QCOMPARE(retransmits, 5);
        const QByteArray other =
            "2026-11-27T13:30:00.100 05[IKE] <branch-b|7> initiating IKE_SA branch-b[7] to 198.51.100.7\n"
            "2026-11-27T13:30:04.100 05[IKE] <branch-b|7> retransmit 1 of request with message ID 0\n"
            "2026-11-27T13:30:11.300 05[IKE] <branch-b|7> retransmit 2 of request with message ID 0\n"
            "2026-11-27T13:30:24.260 05[IKE] <branch-b|7> retransmit 3 of request with message ID 0\n"
            "2026-11-27T13:30:47.588 05[IKE] <branch-b|7> giving up after 3 retransmits\n";
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        if (pair) {
            QFile rightLog(dir + QStringLiteral("/charon-right.log"));
            QVERIFY(rightLog.open(QIODevice::ReadOnly));
            files.captureB = dir + QStringLiteral("/right-outer.pcap");
            files.evidenceA << dir + QStringLiteral("/charon-left.log");
            files.evidenceB << writeIn(tmp, QStringLiteral("charon-right.log"), other + rightLog.readAll());
        } else {
            files.evidenceA << writeIn(tmp, QStringLiteral("charon-left.log"),
                                       withLabLines ? other + lab : other);
        }
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        QString all;
        for (const Finding &fd : ld.diagnosis().findings) {
            QVERIFY2(fd.cause != QLatin1String("peer_unreachable"), qPrintable(fd.title));
            for (const EvidenceItem &e : fd.evidence)
                all += e.text + e.ref.logLine + QLatin1Char('\n');
            for (const Fix &x : fd.fixes)
                all += x.text + x.changes + x.verify + x.undo + QLatin1Char('\n');
        }
        QVERIFY2(!all.contains(QLatin1String("branch-b")), qPrintable(all));
        const Finding *rt = findingOf(ld, QLatin1String("ike_retransmissions"));
        QVERIFY(rt);
        bool counted = false;
        for (const EvidenceItem &e : rt->evidence)
            counted = counted ||
                      e.text.startsWith(QStringLiteral("%1 \"retransmit N of request\"").arg(retransmits));
        QCOMPARE(counted, withLabLines);
        if (pair) return; // B's log names nothing in A's fixes, so it leaves no note
        const QString notes = ld.diagnosis().notes.join(QLatin1Char('\n'));
        QVERIFY2(notes.contains(withLabLines ? QStringLiteral("'lab' is this tunnel's")
                                             : QStringLiteral("the events of branch-b")),
                 qPrintable(notes));
    }

    // The receiver's configuration without its swanctl --list-sas or ip xfrm state: its window and
    // names are the tunnel's connection's (its remote address is left's, 10.0.1.1 in truth.json),
    // not the first connection's (another branch's, replay_window 4096; before, the left->right
    // direction was judged with 4096 and the fix named branch-b). reorder-two-windows' pair with
    // right's evidence; right's window is 16 (truth.json). With two children whose windows
    // differ, neither is taken: the assumed default, and no child name in the fix.
    void receiverWindowOfItsOwnConnection_data()
    {
        QTest::addColumn<QByteArray>("children");
        QTest::addColumn<uint>("window");
        QTest::addColumn<QString>("basis");
        QTest::addColumn<QString>("child"); // in the window fix's snippet, "" none
        QTest::newRow("one child") << QByteArray("            net {\n                replay_window = 16\n"
                                                 "            }\n")
                                   << 16u << QStringLiteral("read from configuration (")
                                   << QStringLiteral("net {");
        QTest::newRow("two children, windows differ")
            << QByteArray("            net {\n                replay_window = 16\n            }\n"
                          "            voice {\n                replay_window = 64\n            }\n")
            << 32u << QStringLiteral("assumed 32") << QString();
    }
    void receiverWindowOfItsOwnConnection()
    {
        QFETCH(QByteArray, children);
        QFETCH(uint, window);
        QFETCH(QString, basis);
        QFETCH(QString, child);
        const QString dir = labDir(QStringLiteral("reorder-two-windows"));
        const QJsonObject t = truth(QStringLiteral("reorder-two-windows"));
        QCOMPARE(t[QStringLiteral("ipsec")][QStringLiteral("replay_window")][QStringLiteral("right")].toInt(),
                 16);
        QCOMPARE(t[QStringLiteral("topology")][QStringLiteral("left")][QStringLiteral("outer_ip")].toString(),
                 QStringLiteral("10.0.1.1"));
        const QByteArray conf =
            "connections {\n    branch-b {\n        remote_addrs = 198.51.100.7\n"
            "        children {\n            misc {\n                replay_window = 4096\n"
            "            }\n        }\n    }\n"
            "    lab {\n        remote_addrs = 10.0.1.1\n        children {\n" +
            children + "        }\n    }\n}\n";
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        files.captureB = dir + QStringLiteral("/right-outer.pcap");
        files.evidenceA = statsOf(dir, QStringLiteral("left-"));
        files.evidenceB =
            statsOf(dir, QStringLiteral("right-"),
                    {QStringLiteral("right-xfrm-state"), QStringLiteral("right-swanctl-list-sas")});
        files.evidenceB << writeIn(tmp, QStringLiteral("right-swanctl.conf"), conf);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        checkWindowFromLeft(ld, window, basis);
        if (QTest::currentTestFailed()) return;
        QString all;
        for (const Finding &fd : ld.diagnosis().findings)
            for (const Fix &x : fd.fixes)
                all += x.text + x.changes + x.verify + x.undo + QLatin1Char('\n');
        for (const char *foreign : {"branch-b", "misc", "voice"})
            QVERIFY2(!all.contains(QLatin1String(foreign)), qPrintable(all));
        const Finding *replay = findingOf(ld, QLatin1String("antireplay_reordering"));
        if (child.isEmpty()) return;
        QVERIFY(replay);
        const Fix *w = findFix(*replay, FixKind::Swanctl);
        QVERIFY(w);
        QVERIFY2(w->text.contains(QLatin1String("    lab {")) && w->text.contains(child),
                 qPrintable(w->text));
    }

    // A capture holding two tunnels (a hub: right's captures of natt, peer the NAT 10.0.2.254, and
    // of mtu-blackhole, peer 10.0.1.1, read as one capture) is judged as one tunnel: a note says
    // so, with each address pair's IKE/ESP packets, counted here by libpcap's own filter ('udp
    // port 500 or udp port 4500 or esp'), and how to cut out one. One lab capture: no such note.
    void severalTunnelsInOneCapture()
    {
        const auto count = [](const QString &path) {
            return bpfCount(path, "udp port 500 or udp port 4500 or esp");
        };
        const QString natt = labDir(QStringLiteral("natt")) + QStringLiteral("/right-outer.pcap");
        const QString mtu = labDir(QStringLiteral("mtu-blackhole")) + QStringLiteral("/right-outer.pcap");
        const int nattPackets = count(natt), mtuPackets = count(mtu);
        QVERIFY(nattPackets > 0 && mtuPackets > 0);
        DiagnosisFiles files;
        files.captureA = CapturePaths(QStringList{natt, mtu});
        Investigation hub;
        QString error;
        QVERIFY2(diagnoseFiles(files, hub, &error), qPrintable(error));
        const QString notes = hub.diagnosis().notes.join(QLatin1Char('\n'));
        for (const QString &pair : {QStringLiteral("10.0.2.1 ↔ 10.0.2.254: %1 packets").arg(nattPackets),
                                    QStringLiteral("10.0.1.1 ↔ 10.0.2.1: %1 packets").arg(mtuPackets),
                                    QStringLiteral("holds the IKE/ESP of 2 address pairs")})
            QVERIFY2(notes.contains(pair), qPrintable(pair + QStringLiteral(" not in\n") + notes));
        DiagnosisFiles one;
        one.captureA = mtu;
        Investigation single;
        QVERIFY2(diagnoseFiles(one, single, &error), qPrintable(error));
        QVERIFY(!single.diagnosis().notes.join(QLatin1Char('\n')).contains(QLatin1String("address pairs")));
    }

    // DPD shown on by this end's own log: dpd's left capture with left's charon log, whose
    // 'sending DPD request' lines (counted here by regex) prove DPD on at left (truth.json: dpd_delay
    // 5s). Before, the fix said 'without one DPD is off' and added 'dpd_delay = <dpd-delay>'. Only
    // the peer's log (right's, in a pair) proves nothing about left: the placeholder stays.
    void dpdOnFromTheOwnLog_data()
    {
        QTest::addColumn<bool>("ownLog");
        QTest::newRow("left's own log") << true;
        QTest::newRow("only the peer's log") << false;
    }
    void dpdOnFromTheOwnLog()
    {
        QFETCH(bool, ownLog);
        const QString dir = labDir(QStringLiteral("dpd"));
        QCOMPARE(
            truth(QStringLiteral("dpd"))[QStringLiteral("ipsec")][QStringLiteral("dpd_delay")].toString(),
            QStringLiteral("5s"));
        QFile log(dir + QStringLiteral("/charon-left.log"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const int requests =
            int(QString::fromUtf8(log.readAll()).count(QStringLiteral("] <lab|1> sending DPD request")));
        QVERIFY(requests > 0);
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        if (ownLog) {
            files.evidenceA << dir + QStringLiteral("/charon-left.log");
        } else {
            files.captureB = dir + QStringLiteral("/right-outer.pcap");
            files.evidenceB << dir + QStringLiteral("/charon-right.log");
        }
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Finding *fd = findingOf(ld, QLatin1String("peer_unreachable"));
        QVERIFY(fd);
        const Fix *dpd = nullptr;
        for (const Fix &x : fd->fixes)
            if (x.title.startsWith(QLatin1String("Detect a dead peer")) && x.kind == FixKind::Swanctl)
                dpd = &x;
        QVERIFY(dpd);
        QCOMPARE(dpd->text.contains(QLatin1String("dpd_delay = <dpd-delay>")), !ownLog);
        QCOMPARE(dpd->changes.contains(
                     QStringLiteral("this end's log shows %1 'sending DPD request'").arg(requests)),
                 ownLog);
        QCOMPARE(dpd->undo.contains(QLatin1String("dpd_delay = 0s")), !ownLog);
    }

    // A connection with several CHILD_SAs: the lifetimes are those of the child the capture's SAs
    // belong to, never the first child's. rekey-loss's left-outer.pcap (retransmitted IKE requests:
    // the lifetime fix) with a swanctl.conf whose tunnel connection 'lab' (remote 10.0.2.1, the
    // lab's right) has 'voice' first (rekey_time 1h, life_time 3700s) and the lab's 'net' (charon's
    // log and swanctl --list-sas name it for the captured SPIs) with rekey_time 8h, life_time
    // 28900s. Before, net's fix was life_time = 3780s, below its own rekey_time: its SAs would
    // expire before every rekey. Expected values by hand: strongSwan's default schedule (DOMAIN.md:
    // timeout 4 s, base 1.8, 5 tries) waits 4 * (1.8^6 - 1) / 0.8 = 165.1 s, in whole minutes 180 s,
    // so life_time = rekey_time + 180 s where life_time - rekey_time < 165.1 s.
    void configChildOfTheTunnel_data()
    {
        QTest::addColumn<QString>("tie"); // "log", "list-sas" or "" (nothing ties the SAs)
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<QStringList>("absent");
        QTest::addColumn<QString>("note");
        const double total = 4 * (std::pow(1.8, 6) - 1) / 0.8;
        const int margin = int(std::ceil(total / 60)) * 60;
        QCOMPARE(margin, 180);
        const QString net = QStringLiteral("life_time = %1s").arg(8 * 3600 + margin);
        const QString voice = QStringLiteral("life_time = %1s").arg(3600 + margin);
        QTest::newRow("the charon log's SPIs")
            << QStringLiteral("log") << QStringList{QStringLiteral("net {"), net}
            << QStringList{voice, QStringLiteral("voice")} << QStringLiteral("'net' is this capture's");
        QTest::newRow("swanctl --list-sas")
            << QStringLiteral("list-sas") << QStringList{QStringLiteral("net {"), net}
            << QStringList{voice, QStringLiteral("voice")} << QStringLiteral("'net' is this capture's");
        // Nothing ties them: each child whose own margin is short gets its own value, by name.
        QTest::newRow("nothing ties the SAs")
            << QString() << QStringList{QStringLiteral("net {"), net, QStringLiteral("voice {"), voice}
            << QStringList{} << QStringLiteral("rekey_time ('voice' 3600 s, 'net' 28800 s)");
    }
    void configChildOfTheTunnel()
    {
        QFETCH(QString, tie);
        QFETCH(QStringList, expected);
        QFETCH(QStringList, absent);
        QFETCH(QString, note);
        const QString dir = labDir(QStringLiteral("rekey-loss"));
        QCOMPARE(truth(QStringLiteral("rekey-loss"))[QStringLiteral("topology")][QStringLiteral("right")]
                                                    [QStringLiteral("outer_ip")]
                                                        .toString(),
                 QStringLiteral("10.0.2.1"));
        const QByteArray conf = "connections {\n    lab {\n        remote_addrs = 10.0.2.1\n"
                                "        children {\n"
                                "            voice {\n                rekey_time = 1h\n"
                                "                life_time = 3700s\n            }\n"
                                "            net {\n                rekey_time = 8h\n"
                                "                life_time = 28900s\n            }\n"
                                "        }\n    }\n}\n";
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        files.evidenceA << writeIn(tmp, QStringLiteral("left-swanctl.conf"), conf);
        if (tie == QLatin1String("log")) files.evidenceA << dir + QStringLiteral("/charon-left.log");
        if (tie == QLatin1String("list-sas"))
            files.evidenceA << dir + QStringLiteral("/stats/left-swanctl-list-sas-end.txt");
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Fix *life = nullptr;
        for (const Finding &fd : ld.diagnosis().findings)
            for (const Fix &x : fd.fixes)
                if (x.title.startsWith(QLatin1String("Leave room for retransmissions before SAs expire")))
                    life = &x;
        QVERIFY(life);
        for (const QString &e : expected)
            QVERIFY2(life->text.contains(e), qPrintable(e + QStringLiteral(" not in\n") + life->text));
        for (const QString &a : absent)
            QVERIFY2(!life->text.contains(a), qPrintable(a + QStringLiteral(" in\n") + life->text));
        const QString notes = ld.diagnosis().notes.join(QLatin1Char('\n'));
        QVERIFY2(notes.contains(note), qPrintable(notes));
    }

    // Evidence read only in part is said, with the place it was cut: a swanctl.conf that ends inside
    // its sections (the copy stopped early) still gives its connection to the fixes, so the
    // diagnosis must say that what it took may be incomplete, and where the file was cut. Before,
    // only `ikev2wb evidence` showed the parser's warnings; diagnose used the file silently. The
    // line expected is counted here in the text written (the innermost section opened before the
    // cut), and the line cap's from the number of lines written.
    void partlyReadEvidenceIsSaid_data()
    {
        QTest::addColumn<QByteArray>("conf");
        QTest::addColumn<QString>("cut"); // "" when the whole file is read
        const QByteArray whole = "connections {\n    lab {\n        remote_addrs = 10.0.2.1\n"
                                 "        children {\n            net {\n                rekey_time = 8h\n"
                                 "                life_time = 28900s\n            }\n        }\n    }\n}\n";
        QTest::newRow("whole") << whole << QString();
        // Cut right after the life_time line: 'net {' (line 5) is the innermost open section.
        const qsizetype at = whole.indexOf("            }");
        const QByteArray head = whole.left(at);
        QCOMPARE(head.count('\n'), 7);
        QCOMPARE(head.split('\n').at(4).trimmed(), QByteArray("net {"));
        QTest::newRow("ends inside its sections")
            << head
            << QStringLiteral("(line 5: the file ends inside 4 section(s), the innermost opened on "
                              "this line (cut short?))");
        // More lines than a configuration is read for (2,000,000): comments after the connection.
        QByteArray longer = whole;
        const int lines = 2'000'000 + 10 - int(whole.count('\n'));
        longer.reserve(longer.size() + 2 * lines);
        for (int i = 0; i < lines; ++i)
            longer += "#\n";
        QTest::newRow("more lines than are read")
            << longer << QStringLiteral("(line 2000000: more than 2000000 lines, the rest was ignored)");
    }
    void partlyReadEvidenceIsSaid()
    {
        QFETCH(QByteArray, conf);
        QFETCH(QString, cut);
        const QString dir = labDir(QStringLiteral("rekey-loss"));
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        const QString path = writeIn(tmp, QStringLiteral("left-swanctl.conf"), conf);
        files.evidenceA << path;
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        // The connection is taken either way (its name replaces the <connection> placeholder).
        const QString notes = ld.diagnosis().notes.join(QLatin1Char('\n'));
        QVERIFY2(!notes.contains(QLatin1String("<connection>")), qPrintable(notes));
        const QString said = QStringLiteral("evidence read only in part: %1 %2").arg(path, cut);
        if (cut.isEmpty())
            QVERIFY2(!notes.contains(QLatin1String("read only in part")), qPrintable(notes));
        else
            QVERIFY2(notes.contains(said), qPrintable(said + QStringLiteral("\nnot in\n") + notes));
    }

    // A pair is one investigation: which capture is A must not change what is found. Every lab run
    // with both captures, its stats/ and both charon logs, in both orders: the same causes, each
    // with the same status and confidence (swapped, rekey-loss was 0.85 against 0.75 and
    // natt-expiry 0.94 against 0.95: only capture A's retransmissions and A's host's log counted).
    void swappingThePairChangesNoFinding_data()
    {
        QTest::addColumn<QString>("scenario");
        const QDir lab(QStringLiteral(IKEV2WB_TEST_DATA "/lab"));
        for (const QString &n : lab.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            if (QFile::exists(lab.filePath(n + QStringLiteral("/left-outer.pcap"))) &&
                QFile::exists(lab.filePath(n + QStringLiteral("/right-outer.pcap"))))
                QTest::newRow(qPrintable(n)) << n;
    }
    void swappingThePairChangesNoFinding()
    {
        QFETCH(QString, scenario);
        const QString dir = labDir(scenario);
        QStringList found[2];
        for (const bool swapped : {false, true}) {
            DiagnosisFiles files = labPairWithStats(dir, swapped);
            for (const QString &log : QDir(dir).entryList({QStringLiteral("charon-*.log")}, QDir::Files))
                files.evidence << dir + QLatin1Char('/') + log;
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            for (const Finding &fd : ld.diagnosis().findings)
                found[swapped] << QStringLiteral("%1 step %2 %3 %4")
                                      .arg(fd.cause)
                                      .arg(fd.step)
                                      .arg(int(fd.status))
                                      .arg(fd.confidence, 0, 'f', 2);
        }
        QCOMPARE(found[1].join(QLatin1Char('\n')), found[0].join(QLatin1Char('\n')));
    }

    // The pair's retransmission count is what the two ends sent. charon logs every retransmission
    // it sends ("retransmit N of request with message ID M"): the lines of both logs, counted here
    // with a regular expression, are the number, whichever capture is A (dpd: both ends
    // retransmitted, 5 + 3; rekey-loss: left's 5, of which right's capture saw 3).
    void pairRetransmissionsAreBothEndsSends_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("swapped");
        for (const char *n : {"dpd", "rekey-loss", "ike-frag-drop"}) {
            QTest::addRow("%s, left as A", n) << QString::fromLatin1(n) << false;
            QTest::addRow("%s, right as A", n) << QString::fromLatin1(n) << true;
        }
    }
    void pairRetransmissionsAreBothEndsSends()
    {
        QFETCH(QString, scenario);
        QFETCH(bool, swapped);
        const QString dir = labDir(scenario);
        int sent = 0;
        const QRegularExpression line(
            QStringLiteral("\\] <[^>]+> retransmit \\d+ of request with message ID \\d+$"));
        for (const QString &host : {QStringLiteral("left"), QStringLiteral("right")}) {
            QFile log(dir + QStringLiteral("/charon-") + host + QStringLiteral(".log"));
            QVERIFY(log.open(QIODevice::ReadOnly));
            for (const QByteArray &l : log.readAll().split('\n'))
                sent += line.match(QString::fromUtf8(l).trimmed()).hasMatch();
        }
        QVERIFY(sent > 0);
        // The captures alone (no logs) and with both logs.
        for (const bool withLogs : {false, true}) {
            DiagnosisFiles files = labPairWithStats(dir, swapped);
            if (withLogs)
                files.evidence << dir + QStringLiteral("/charon-left.log")
                               << dir + QStringLiteral("/charon-right.log");
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            const Finding *rt = nullptr;
            for (const Finding &fd : ld.diagnosis().findings)
                if (fd.cause == QLatin1String("ike_retransmissions")) rt = &fd;
            QVERIFY(rt);
            QStringList texts;
            for (const EvidenceItem &e : rt->evidence)
                texts << e.text;
            const QString all = texts.join(QLatin1Char('\n'));
            QVERIFY2(all.contains(
                         QStringLiteral("%1 IKE request retransmission(s) in the two captures").arg(sent)),
                     qPrintable(all));
            if (withLogs)
                QVERIFY2(all.contains(QStringLiteral("%1 \"retransmit N of request\" line(s)").arg(sent)),
                         qPrintable(all));
        }
    }

    void noCountersNoCounterClaims()
    {
        // reorder-two-windows without host evidence: no receiver's anti-replay counters were read,
        // so no line may report what a receiver counted (XfrmInStateSeqError, "dropped N as too
        // old"); the emulation at the assumed window is all there is.
        const QString dir = labDir(QStringLiteral("reorder-two-windows"));
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        files.captureB = dir + QStringLiteral("/right-outer.pcap");
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        bool also = false;
        for (const Finding &fd : ld.diagnosis().findings)
            for (const EvidenceItem &e : fd.evidence) {
                QVERIFY2(!e.text.contains(QLatin1String("XfrmInStateSeqError")) &&
                             !e.text.contains(QLatin1String("as too old")),
                         qPrintable(e.text));
                also |= e.text.startsWith(QLatin1String("also ")) &&
                        e.text.contains(QLatin1String("its anti-replay counters were not given"));
            }
        QVERIFY(also);
    }

    void corruptIkeLengthIsNoFragmentProof_data()
    {
        // tcpdump's test captures of malformed ISAKMP (hand-decoded here: the first packet's IKE
        // header claims a length no UDP datagram can carry; three are IKEv1, version byte 0x10).
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("version");
        QTest::newRow("various-oobr") << QStringLiteral("isakmp-various-oobr.pcap") << 0x10;
        QTest::newRow("ikev1-id-ipv6") << QStringLiteral("ikev1_id_ipv6_addr_subnet-oobr.pcap") << 0x10;
        QTest::newRow("ikev1-attr") << QStringLiteral("isakmpv1-attr-oobr.pcap") << 0x10;
        QTest::newRow("n-print") << QStringLiteral("isakmp-ikev1_n_print-oobr.pcap") << 0x2c;
    }

    void corruptIkeLengthIsNoFragmentProof()
    {
        QFETCH(QString, file);
        QFETCH(int, version);
        const QString path =
            QStringLiteral(IKEV2WB_TEST_DATA) + QStringLiteral("/captures/tcpdump/tests/") + file;
        QFile in(path);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray b = in.readAll();
        // pcap header 24, record header 16, Ethernet 14, IPv4 header (IHL), UDP 8, IKE header.
        const int ip = 24 + 16 + 14, ike = ip + (b[ip] & 0x0f) * 4 + 8;
        QVERIFY(b.size() >= ike + 28);
        const auto u8 = [&](int o) { return quint32(quint8(b[o])); };
        QCOMPARE(int(u8(ike + 17)), version);
        const quint32 ikeLength = u8(ike + 24) << 24 | u8(ike + 25) << 16 | u8(ike + 26) << 8 | u8(ike + 27);
        QVERIFY(ikeLength > 65535);
        QVERIFY(u8(ip + 6) & 0x20); // MF: the first fragment of a datagram
        DiagnosisFiles files;
        files.captureA = path;
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        for (const Finding &fd : ld.diagnosis().findings)
            QVERIFY2(fd.cause != QLatin1String("ike_fragmentation"), qPrintable(fd.title));
    }

    void dropPolicyIsNotARule()
    {
        // host-firewall-esp with right's ruleset replaced by one whose INPUT policy is DROP and
        // whose only rule accepts IKE (written here; the policy counter 18 = verify.json's ESP
        // arrivals, as the policy would have dropped them): no rule counted the ESP, so there is
        // no firewall_drop; esp_dropped_by_receiver names the policy as a candidate, not a rule.
        // The nft form of the same policy is read as well.
        const QString dir = labDir(QStringLiteral("host-firewall-esp"));
        const QJsonObject v = testdata::readJson(dir + QStringLiteral("/verify.json"));
        const QJsonObject perSpi =
            v[QStringLiteral("esp_loss")][QStringLiteral("left_to_right")][QStringLiteral("per_spi")]
                .toObject();
        QCOMPARE(perSpi.size(), 1);
        const qint64 arrived = perSpi[perSpi.keys().front()][QStringLiteral("received")].toInteger();
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        for (const bool nft : {false, true}) {
            DiagnosisFiles files;
            files.captureA = dir + QStringLiteral("/left-outer.pcap");
            files.captureB = dir + QStringLiteral("/right-outer.pcap");
            for (const QString &s :
                 QDir(dir + QStringLiteral("/stats")).entryList({QStringLiteral("right-*")}))
                if (!s.contains(QLatin1String("iptables")))
                    files.evidenceB << dir + QStringLiteral("/stats/") + s;
            const QString listing = tmp.filePath(nft ? QStringLiteral("right-nft-ruleset-end.txt")
                                                     : QStringLiteral("right-iptables-end.txt"));
            QFile out(listing);
            QVERIFY(out.open(QIODevice::WriteOnly));
            if (nft)
                out.write("table inet fw {\n\tchain input {\n\t\ttype filter hook input priority filter; "
                          "policy drop;\n"
                          "\t\tudp dport { 500, 4500 } counter packets 6 bytes 2000 accept\n\t}\n}\n");
            else
                out.write(QStringLiteral(
                              "*filter\n:INPUT DROP [%1:7432]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                              "[6:2000] -A INPUT -p udp -m multiport --dports 500,4500 -j ACCEPT\nCOMMIT\n")
                              .arg(arrived)
                              .toUtf8());
            out.close();
            files.evidenceB << listing;
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            const Diagnosis &d = ld.diagnosis();
            QVERIFY(!d.findings.empty());
            QCOMPARE(d.findings.front().cause, QStringLiteral("esp_dropped_by_receiver"));
            bool policy = false;
            for (const Finding &fd : d.findings) {
                QVERIFY(fd.cause != QLatin1String("firewall_drop"));
                for (const EvidenceItem &e : fd.evidence)
                    if (e.text.contains(QLatin1String("chain INPUT has policy DROP")) ||
                        e.text.contains(QLatin1String("chain input has policy DROP"))) {
                        policy = true;
                        QVERIFY(e.text.contains(QLatin1String("it is the policy, not a rule")));
                        if (!nft)
                            QVERIFY2(e.text.contains(QStringLiteral("its counter: %1 packets").arg(arrived)),
                                     qPrintable(e.text));
                    }
            }
            QVERIFY(policy);
        }
    }

    void evidenceAssignedByTheUser()
    {
        // The same stats without the left-/right- prefixes (nothing names the host): assigned by
        // the user to A and B, the direction is judged with B's (right's) counters and window.
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QVERIFY(splitStatsByHost(dir + QStringLiteral("/stats"), tmp.path(), false));
        const auto start = inboundReplayStats(dir + QStringLiteral("/stats/right-xfrm-state-start.txt"));
        const auto end = inboundReplayStats(dir + QStringLiteral("/stats/right-xfrm-state-end.txt"));
        QVERIFY(start.size() == 1 && end.size() == 1);
        const qint64 tooOld = end.front().second - start.front().second;
        QCOMPARE(tooOld, qint64(25));
        for (const bool cli : {false, true}) {
            Diagnosis d;
            if (!cli) {
                DiagnosisFiles files;
                files.captureA = dir + QStringLiteral("/left-outer.pcap");
                files.captureB = dir + QStringLiteral("/right-outer.pcap");
                files.evidenceA << tmp.path() + QStringLiteral("/left");
                files.evidenceB << tmp.path() + QStringLiteral("/right");
                Investigation ld;
                QString error;
                QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
                d = ld.diagnosis();
            } else {
                // --evidence-b PATH and --evidence A=PATH on the command line.
                QProcess p;
                p.start(QStringLiteral(IKEV2WB_CLI),
                        {QStringLiteral("diagnose"), QStringLiteral("--capture"),
                         dir + QStringLiteral("/left-outer.pcap"), QStringLiteral("--peer-capture"),
                         dir + QStringLiteral("/right-outer.pcap"), QStringLiteral("--evidence"),
                         QStringLiteral("A=") + tmp.path() + QStringLiteral("/left"),
                         QStringLiteral("--evidence-b"), tmp.path() + QStringLiteral("/right"),
                         QStringLiteral("--json")});
                QVERIFY(p.waitForFinished(60000));
                QCOMPARE(p.exitCode(), 0);
                const QJsonObject j = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
                const QJsonObject top = j[QStringLiteral("findings")].toArray().first().toObject();
                QCOMPARE(top[QStringLiteral("cause")].toString(), QStringLiteral("antireplay_reordering"));
                QCOMPARE(j[QStringLiteral("assumptions")][QStringLiteral("replay_window")].toInt(),
                         end.front().first);
                continue;
            }
            QVERIFY(!d.findings.empty());
            const Finding &top = d.findings.front();
            QCOMPARE(top.cause, QStringLiteral("antireplay_reordering"));
            QCOMPARE(qint64(d.basis.replayWindow), qint64(end.front().first));
            bool cited = false;
            for (const EvidenceItem &e : top.evidence)
                cited |= e.text.startsWith(QStringLiteral("%1 packet(s) dropped as too old").arg(tooOld));
            QVERIFY(cited);
        }
    }

    void oneCaptureBothHostsEvidence_data()
    {
        // Issue 10: one capture and the evidence of both hosts, nothing assigned by the user.
        // The host whose evidence is the capture's end is found from the evidence (its own
        // addresses) and the capture (the TTL its own packets leave with), in either order of
        // the evidence folders; the capture's received direction is judged with that host's window.
        QTest::addColumn<QString>("host"); // the end the capture was taken at
        QTest::addColumn<bool>("rightFirst");
        for (const char *h : {"left", "right"})
            for (const bool rf : {false, true})
                QTest::addRow("%s-outer.pcap, %s folder first", h, rf ? "right's" : "left's")
                    << QString::fromLatin1(h) << rf;
    }

    void oneCaptureBothHostsEvidence()
    {
        QFETCH(QString, host);
        QFETCH(bool, rightFirst);
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        const QJsonObject t = truth(QStringLiteral("reorder-antireplay"));
        const int window = t[QStringLiteral("ipsec")][QStringLiteral("replay_window")][host].toInt();
        QVERIFY(window > 0);
        // verify.json: right's anti-replay drops (left → right is the reordered direction).
        const QJsonObject v = testdata::readJson(dir + QStringLiteral("/verify.json"));
        qint64 seqErrors = -1;
        for (const QJsonValue &c : v[QStringLiteral("checks")].toArray())
            if (c[QStringLiteral("check")].toString().startsWith(QLatin1String("anti-replay drops on right")))
                seqErrors = c[QStringLiteral("value")].toInteger();
        QCOMPARE(seqErrors, qint64(25));
        // Each host's files in a folder of its own (names keep the host prefix).
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QVERIFY(splitStatsByHost(dir + QStringLiteral("/stats"), tmp.path(), true));
        DiagnosisFiles files;
        files.captureA = dir + QLatin1Char('/') + host + QStringLiteral("-outer.pcap");
        files.evidence << tmp.path() + (rightFirst ? QStringLiteral("/right") : QStringLiteral("/left"))
                       << tmp.path() + (rightFirst ? QStringLiteral("/left") : QStringLiteral("/right"));
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
        QVERIFY(!d.basis.replayWindowAssumed);
        QCOMPARE(qint64(d.basis.replayWindow), qint64(window));
        QVERIFY2(
            d.notes.join(QLatin1Char('\n'))
                .contains(QStringLiteral("host '%1' is the end %1-outer.pcap was captured at").arg(host)),
            qPrintable(d.notes.join(QLatin1Char('\n'))));
        const Finding *replay = nullptr;
        for (const Finding &f : d.findings)
            if (f.cause == QLatin1String("antireplay_reordering")) replay = &f;
        if (host == QLatin1String("right")) {
            // The receiver of the reordered direction: its own counter and window.
            QVERIFY(replay);
            QCOMPARE(int(replay->status), int(StepStatus::Fail));
            bool counter = false;
            for (const EvidenceItem &e : replay->evidence)
                counter |= e.text.startsWith(QStringLiteral("XfrmInStateSeqError grew by %1").arg(seqErrors));
            QVERIFY(counter);
        } else {
            // left receives right → left in order: right's drops are not left's.
            QVERIFY(!replay || replay->status != StepStatus::Fail);
        }
    }

    void packetsCorruptedOnTheWay()
    {
        // audit3-corrupt-l2r (tests/lab-scenarios/audit3.sh): netem flips a bit in 3 % of the
        // packets mid sends to right. Before, right's capture alone gave esp_blocked (fail, an
        // iptables accept to paste) from flows of corrupted addresses, 2^31 "missing" sequence
        // numbers from one flipped high bit, and a 17884-byte "outer packet" from a flipped length
        // bit. Counts from independent sources:
        //   tshark -o ip.check_checksum:TRUE -r right-outer.pcap -Y 'ip.checksum.status==0': 34
        //   packets (30 with SPI 0xc5276732); tshark -Y 'esp.spi==0xc5276732 && esp.sequence >
        //   4574' (left sent 1..4574): 2 (2147485490, 526149); right's kernel: XfrmInNoStates
        //   +6 (stats/right-xfrm_stat-*.txt), the packets whose SPI was hit; verify.json: 16 of
        //   left's 4574 never in right's capture, so 16 + 30 did not arrive intact.
        const QString dir = labDir(QStringLiteral("audit3-corrupt-l2r"));
        const QJsonObject verify = testdata::readJson(dir + QStringLiteral("/verify.json"));
        const qint64 notInCapture =
            verify[QStringLiteral("esp_loss")][QStringLiteral("left_to_right")][QStringLiteral("lost")]
                .toInteger();
        QCOMPARE(notInCapture, 16);
        const auto counter = [&](const char *file) {
            QFile in(dir + QStringLiteral("/stats/") + QLatin1String(file));
            if (!in.open(QIODevice::ReadOnly)) return qint64(-1);
            const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("XfrmInNoStates\\s+(\\d+)"))
                                                  .match(QString::fromLatin1(in.readAll()));
            return m.hasMatch() ? m.captured(1).toLongLong() : qint64(-1);
        };
        const qint64 noStates = counter("right-xfrm_stat-end.txt") - counter("right-xfrm_stat-start.txt");
        QCOMPARE(noStates, 6);
        for (const bool pair : {false, true}) {
            DiagnosisFiles files;
            files.captureA =
                pair ? dir + QStringLiteral("/left-outer.pcap") : dir + QStringLiteral("/right-outer.pcap");
            if (pair) files.captureB = dir + QStringLiteral("/right-outer.pcap");
            files.evidence << dir + QStringLiteral("/stats");
            Investigation inv;
            QString error;
            QVERIFY2(diagnoseFiles(files, inv, &error), qPrintable(error));
            const Facts &f = inv.facts();
            const Diagnosis &d = inv.diagnosis();
            QCOMPARE(f.corruptHeaders.value, std::uint64_t(34));
            QCOMPARE(f.corruptSpiPackets.value, std::uint64_t(noStates));
            QCOMPARE(f.outOfRunSeq.value, std::uint64_t(2));
            QVERIFY2(d.basis.pathMtu <= 1500, qPrintable(d.basis.pathMtuText));
            for (const Finding &x : d.findings)
                QVERIFY2(x.cause != QLatin1String("esp_blocked"), qPrintable(x.title));
            QVERIFY(!d.findings.empty());
            QCOMPARE(d.findings.front().cause, QStringLiteral("packet_loss_in_transit"));
            QVERIFY(d.findings.front().evidence.size() > 1);
            if (!pair) {
                QCOMPARE(f.seqMissing.value, std::uint64_t(notInCapture + 30));
                continue;
            }
            // The pair: left → right lost what did not arrive intact; netem corrupt reorders
            // nothing (truth.json), so no packet is late.
            std::uint64_t lost = 0, reordered = 0;
            for (const DirectionFacts &x : f.dir)
                if (x.from == QLatin1String("10.0.1.1")) {
                    lost = x.lost;
                    reordered = x.reordered;
                }
            QCOMPARE(lost, std::uint64_t(notInCapture + 30));
            QCOMPARE(reordered, std::uint64_t(0));
            // Right's capture shows 34 + 6 + 2 = 42 of them arriving corrupted: the top cause
            // names the corruption, not congestion.
            const Finding &top = d.findings.front();
            QVERIFY2(top.title.contains(QLatin1String("corrupted in transit")), qPrintable(top.title));
            bool holds = false;
            for (const EvidenceItem &e : top.evidence) {
                QVERIFY2(!e.text.contains(QLatin1String("e.g. congestion")), qPrintable(e.text));
                holds = holds ||
                        e.text.contains(QLatin1String("capture holds 42 packets that arrived corrupted"));
            }
            QVERIFY(holds);
            QCOMPARE(f.reordered.value, std::uint64_t(0));
            // Right received the corrupted packets, so right's kernel counted the integrity
            // failures (stats): the offload check is a fix for right, A's peer, not for left.
            const Finding *offload = nullptr;
            for (const Finding &x : d.findings)
                if (x.cause == QLatin1String("offload_or_crypto_errors")) offload = &x;
            QVERIFY(offload);
            QVERIFY(!offload->fixes.empty());
            for (const Fix &x : offload->fixes)
                QVERIFY2(x.title.startsWith(QLatin1String("On the peer 10.0.2.1: ")) &&
                             x.text.contains(QLatin1String("grep -F -e ' 10.0.2.1/'")),
                         qPrintable(x.title));
        }
    }

    void aFlippedSequenceBitIsNoReordering_data()
    {
        // 10.0.1.1 sends `count` numbered packets every ms to this end 10.0.2.1 (TTL 63, checksums
        // right); on the way one number has a bit flipped (`at` arrives numbered `as`, its place in
        // the order unchanged) and `lost` never arrives (0: none). Hand-derived: a number flipped
        // upwards is a lone number ahead that the run reaches in turn (or never, the SA ending
        // first): out of run, and its own number missing; flipped downwards onto a lost number it
        // is the one late packet. Neither is reordering that a replay window could be fixed for.
        // The control: every 100th of 100..7700 arrives after number + 150 (77 late packets, 150
        // behind the top: a real reordering path, beyond strongSwan's default window of 32).
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("at");
        QTest::addColumn<int>("as");
        QTest::addColumn<int>("lost");
        QTest::addColumn<int>("outOfRun");
        QTest::addColumn<int>("reordered");
        QTest::addColumn<int>("missing");
        QTest::addColumn<bool>("windowFix");
        QTest::newRow("1000 as 1016 (bit 4)") << 3000 << 1000 << (1000 ^ 0x10) << 0 << 1 << 0 << 1 << false;
        QTest::newRow("1000 as 992 (bit 3 down, a copy)")
            << 3000 << 1000 << (1000 ^ 0x8) << 0 << 0 << 0 << 1 << false;
        QTest::newRow("1000 as 1004 (bit 2)") << 3000 << 1000 << (1000 ^ 0x4) << 0 << 1 << 0 << 1 << false;
        QTest::newRow("1000 as 5096 (bit 12), reached")
            << 8000 << 1000 << (1000 ^ 0x1000) << 0 << 1 << 0 << 1 << false;
        QTest::newRow("1000 as 5096 (bit 12), the SA ends first")
            << 3000 << 1000 << (1000 ^ 0x1000) << 0 << 1 << 0 << 1 << false;
        QTest::newRow("5000 as 904 (bit 12 down), 904 lost")
            << 8000 << 5000 << (5000 ^ 0x1000) << 904 << 0 << 1 << 1 << false;
        QTest::newRow("control: 77 late by 150") << 8000 << 0 << 0 << 0 << 0 << 77 << 0 << true;
    }

    void aFlippedSequenceBitIsNoReordering()
    {
        QFETCH(int, count);
        QFETCH(int, at);
        QFETCH(int, as);
        QFETCH(int, lost);
        QFETCH(int, outOfRun);
        QFETCH(int, reordered);
        QFETCH(int, missing);
        QFETCH(bool, windowFix);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::uint32_t self = synth::ip4(10, 0, 2, 1), peer = synth::ip4(10, 0, 1, 1);
        const std::int64_t t0 = 1'000'000'000;
        std::vector<std::uint32_t> order; // arrival order of the numbers sent
        const auto late = [&](int i) { return at == 0 && i > 0 && i % 100 == 0 && i <= 7700; };
        for (int i = 1; i <= count; ++i) {
            if (!late(i) && i != lost) order.push_back(std::uint32_t(i));
            if (late(i - 150)) order.push_back(std::uint32_t(i - 150));
        }
        std::vector<synth::Packet> pkts, sent; // this end's capture; the peer's (all in order, TTL 64)
        for (std::size_t k = 0; k < order.size(); ++k) {
            const std::int64_t t = t0 + std::int64_t(k) * 1'000;
            const std::uint32_t seq = int(order[k]) == at ? std::uint32_t(as) : order[k];
            pkts.push_back({t, espWithTtl(peer, self, 0x11111111, seq, 200, 63)});
            pkts.push_back({t + 500, espWithTtl(self, peer, 0x22222222, std::uint32_t(k + 1), 200, 64)});
        }
        for (int i = 1; i <= count; ++i) {
            const std::int64_t t = t0 + std::int64_t(i - 1) * 1'000 - 200;
            sent.push_back({t, espWithTtl(peer, self, 0x11111111, std::uint32_t(i), 200, 64)});
            sent.push_back({t + 600, espWithTtl(self, peer, 0x22222222, std::uint32_t(i), 200, 63)});
        }
        const QString peerCap = tmp.filePath(QStringLiteral("peer.pcap"));
        QVERIFY(synth::writePcap(peerCap, sent));
        for (const bool pair : {false, true}) {
            Investigation inv;
            QString error;
            if (pair) {
                DiagnosisFiles files;
                files.captureA = peerCap;
                files.captureB = tmp.filePath(QStringLiteral("built.pcap"));
                QVERIFY2(diagnoseFiles(files, inv, &error), qPrintable(error));
            } else {
                QVERIFY2(diagnoseBuiltCapture(tmp, pkts, inv, &error), qPrintable(error));
            }
            const Facts &f = inv.facts();
            const QString text = diagnosisText(inv.diagnosis());
            bool fix = false;
            for (const Finding &x : inv.diagnosis().findings)
                for (const Fix &y : x.fixes)
                    fix = fix || y.text.contains(QLatin1String("replay_window"));
            QVERIFY2(fix == windowFix, qPrintable(text));
            QCOMPARE(f.reordered.value, std::uint64_t(reordered));
            if (pair) continue;
            QCOMPARE(f.outOfRunSeq.value, std::uint64_t(outOfRun));
            QCOMPARE(f.seqMissing.value, std::uint64_t(missing));
        }
    }

    void noReceiverSuspicionWhenLargePacketsArriveAfterTheLoss()
    {
        // A policer's or a bad link's loss in runs, built here (the review of fd8e3fa found no test
        // that fails without this gate): 10.0.1.1 sends 2000 numbered packets every 10 ms to this
        // end 10.0.2.1, 1400 bytes except every third, with runs 300..305, 900..910 and 1500..1503
        // missing; 1400-byte packets keep arriving after each run, so the missing ones cannot be
        // told apart by size and no black hole is suspected. This end answers every other one.
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::uint32_t here = synth::ip4(10, 0, 2, 1), peer = synth::ip4(10, 0, 1, 1);
        std::vector<synth::Packet> pkts;
        const std::int64_t t0 = 1'000'000'000;
        const auto lost = [](std::uint32_t i) {
            return (i >= 300 && i <= 305) || (i >= 900 && i <= 910) || (i >= 1500 && i <= 1503);
        };
        for (std::uint32_t i = 1; i <= 2000; ++i) {
            const std::int64_t t = t0 + std::int64_t(i) * 10'000;
            if (!lost(i))
                pkts.push_back({t + 1'000, espWithTtl(peer, here, 0x55555555, i, i % 3 ? 1400 : 200, 63)});
            if (i % 2 == 0) pkts.push_back({t + 5'000, espWithTtl(here, peer, 0x66666666, i / 2, 120, 64)});
        }
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseBuiltCapture(tmp, pkts, inv, &error), qPrintable(error));
        const QString text = diagnosisText(inv.diagnosis());
        QVERIFY2(!findingOf(inv, QLatin1String("mtu_blackhole")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("10.0.1.1 → 10.0.2.1: 21 of 2000")), qPrintable(text));
    }

    void oneSpokesSuspicionLeavesAnotherSpokesLoss()
    {
        // A hub 10.0.2.1 (TTL 64 out, 63 in) with two spokes, built here (the review of fd8e3fa):
        // 10.0.1.1 sends 1500 numbered packets every 20 ms with 300..305 and 900..910 missing, every
        // fifth one of 1100 bytes up to number 299, the others 200 and 120 bytes in turn (two runs,
        // only small packets after the first, no length nine in ten: the receiver's black-hole
        // suspicion, as mtu-blackhole's 1100-byte pings then small packets at right); 10.0.3.1
        // sends 3000 numbered packets every 10 ms, 1400 bytes except every third, with every 20th
        // number missing (150, 5 %: random-like single losses while large packets keep arriving).
        // The suspicion about 10.0.1.1 must not demote 10.0.3.1's loss, which is step 1's fail.
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::uint32_t hub = synth::ip4(10, 0, 2, 1), p1 = synth::ip4(10, 0, 1, 1),
                            p2 = synth::ip4(10, 0, 3, 1);
        std::vector<synth::Packet> pkts;
        const std::int64_t t0 = 1'000'000'000;
        for (std::uint32_t i = 1; i <= 1500; ++i) {
            const std::int64_t t = t0 + std::int64_t(i) * 20'000;
            if (!((i >= 300 && i <= 305) || (i >= 900 && i <= 910)))
                pkts.push_back({t + 1'000, espWithTtl(p1, hub, 0x11111111, i,
                                                      i < 300 && i % 5 == 0 ? 1100
                                                      : i % 2               ? 200
                                                                            : 120,
                                                      63)});
            pkts.push_back({t + 11'000, espWithTtl(hub, p1, 0x22222222, i, 200, 64)});
        }
        for (std::uint32_t i = 1; i <= 3000; ++i) {
            const std::int64_t t = t0 + std::int64_t(i) * 10'000;
            if (i % 20 != 0)
                pkts.push_back({t + 3'000, espWithTtl(p2, hub, 0x33333333, i, i % 3 ? 1400 : 200, 63)});
            if (i % 2 == 0) pkts.push_back({t + 6'000, espWithTtl(hub, p2, 0x44444444, i / 2, 120, 64)});
        }
        std::sort(pkts.begin(), pkts.end(),
                  [](const synth::Packet &a, const synth::Packet &b) { return a.tsUs < b.tsUs; });
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseBuiltCapture(tmp, pkts, inv, &error), qPrintable(error));
        const QString text = diagnosisText(inv.diagnosis());
        const Finding *suspicion = findingOf(inv, QLatin1String("mtu_blackhole"));
        QVERIFY2(suspicion && suspicion->title.contains(QLatin1String("10.0.1.1")), qPrintable(text));
        const Finding *loss = findingOf(inv, QLatin1String("packet_loss_in_transit"));
        QVERIFY2(loss, qPrintable(text));
        QCOMPARE(loss->status, StepStatus::Fail);
        // 150 numbers dropped, but 3000 is the last: nothing after it shows it missing.
        QVERIFY2(text.contains(QStringLiteral("10.0.3.1 → 10.0.2.1: 149 of 2999")), qPrintable(text));
    }

    void noReceiverSuspicionWithoutSizesThatSayItMatters_data()
    {
        // 10.0.1.1 sends this end 1600 numbered packets, 200 bytes except every fifth: `before` bytes
        // up to number 1199, `after` bytes from 1200 on; 1200..1240 and 1242..1290 are missing (two
        // runs: a link that flaps, or a burst loss). With `bulk`, the first 1000 instead are all of
        // `before` bytes, every 2 ms (else every 20 ms).
        QTest::addColumn<bool>("bulk");
        QTest::addColumn<int>("before");
        QTest::addColumn<int>("after");
        // An outage after a bulk transfer of 1492-byte packets (the largest ESP a 1500-byte link
        // carries with NAT-T's CBC sizes): the large packets arrived before the loss.
        QTest::newRow("outage after a bulk of 1492-byte packets") << true << 1492 << 200;
        // Burst loss of a stream of 200-byte packets only: nothing larger was ever sent.
        QTest::newRow("burst loss of 200-byte packets only") << false << 200 << 200;
        // Sizes that shrink at the loss, but all below what every IPv4 path carries (576).
        QTest::newRow("500 then 200 bytes") << false << 500 << 200;
        // 1100-byte packets arrive before and after the loss alike.
        QTest::newRow("1100 bytes before and after") << false << 1100 << 1100;
    }

    // Review of fd8e3fa: the first two captures gave "PMTUD black hole suspected: packets from
    // 10.0.1.1 go missing in runs" as the top cause (warn 0.40) and demoted the loss. None shows that
    // size matters: in the first the largest packets arrived before the loss, in the others nothing
    // larger than 576 bytes, or nothing larger than what arrived after the loss too. The loss is the
    // finding, with no MTU or MSS words. The counts are the construction's: 41 + 49 = 90 of 1600.
    void noReceiverSuspicionWithoutSizesThatSayItMatters()
    {
        QFETCH(bool, bulk);
        QFETCH(int, before);
        QFETCH(int, after);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::uint32_t here = synth::ip4(10, 0, 2, 1), peer = synth::ip4(10, 0, 1, 1);
        std::vector<synth::Packet> pkts;
        std::int64_t t = 1'000'000'000; // µs
        for (std::uint32_t i = 1; i <= 1600; ++i) {
            const bool inBulk = bulk && i <= 1000;
            t += inBulk ? 2'000 : 20'000;
            const int len = inBulk || i % 5 == 0 ? (i < 1200 ? before : after) : 200;
            if (!((i >= 1200 && i <= 1240) || (i >= 1242 && i <= 1290)))
                pkts.push_back({t, espWithTtl(peer, here, 0x55555555, i, std::size_t(len), 63)});
            if (i % 2 == 0) pkts.push_back({t + 500, espWithTtl(here, peer, 0x66666666, i / 2, 120, 64)});
        }
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseBuiltCapture(tmp, pkts, inv, &error), qPrintable(error));
        const QString text = diagnosisText(inv.diagnosis());
        QVERIFY2(!findingOf(inv, QLatin1String("mtu_blackhole")), qPrintable(text));
        const Diagnosis &d = inv.diagnosis();
        QVERIFY2(!d.findings.empty(), qPrintable(text));
        QCOMPARE(d.findings.front().cause, QStringLiteral("packet_loss_in_transit"));
        QCOMPARE(d.findings.front().status, StepStatus::Fail);
        QVERIFY2(text.contains(QStringLiteral("10.0.1.1 → 10.0.2.1: 90 of 1600")), qPrintable(text));
        for (const Finding &f : d.findings) {
            QStringList words{f.title};
            for (const EvidenceItem &e : f.evidence)
                words << e.text;
            for (const Fix &x : f.fixes)
                words << x.title << x.text;
            words << f.collectNext;
            for (const QString &w : words)
                QVERIFY2(!w.contains(QLatin1String("black hole"), Qt::CaseInsensitive) &&
                             !w.contains(QLatin1String("MTU")) && !w.contains(QLatin1String("MSS")),
                         qPrintable(w));
        }
    }

    void ipv6PacketTooBigBelow1280IsNoPathMtu_data()
    {
        QTest::addColumn<int>("reported");
        QTest::addColumn<bool>("valid");
        QTest::newRow("1400: a path MTU") << 1400 << true;
        QTest::newRow("1000: below IPv6's 1280") << 1000 << false;
    }

    void ipv6PacketTooBigBelow1280IsNoPathMtu()
    {
        // 2001:db8::1 sends 20 ESP packets of 1500 bytes to 2001:db8::2 (40 + 8 + 1452) and gets
        // 20 small ones back; router 2001:db8::99 answers the first large one with an ICMPv6
        // packet-too-big (type 2, code 0) reporting `reported` and quoting it. RFC 8200 §5: every
        // IPv6 link carries 1280 bytes; RFC 8201 §4: a node never lowers its path MTU below
        // that. So 1000 is no path MTU and no fix may use it; 1400 is the path MTU (the control).
        QFETCH(int, reported);
        QFETCH(bool, valid);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const synth::Buf a = synth::ip6(1), b = synth::ip6(2), router = synth::ip6(0x99);
        std::vector<synth::Packet> pkts;
        std::int64_t ts = 1'000'000;
        for (std::uint32_t seq = 1; seq <= 20; ++seq) {
            const synth::Buf large = synth::ipv6(a, b, 50, synth::esp(0x100, seq, 1452));
            QCOMPARE(large.size(), std::size_t(1500));
            pkts.push_back({ts += 10'000, large});
            if (seq == 1) {
                synth::Buf icmp{2, 0, 0, 0};
                synth::put32(icmp, std::uint32_t(reported));
                synth::append(icmp, synth::Buf(large.begin(), large.begin() + 1232)); // ≤ 1280 in all
                pkts.push_back({ts += 1'000, synth::ipv6(router, a, 58, icmp)});
            }
            pkts.push_back({ts += 10'000, synth::ipv6(b, a, 50, synth::esp(0x200, seq, 92))});
        }
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseBuiltCapture(tmp, pkts, inv, &error), qPrintable(error));
        const Diagnosis &d = inv.diagnosis();
        QVERIFY(inv.facts().outerIpv6);
        QString fixes;
        for (const Finding &f : d.findings)
            for (const Fix &x : f.fixes)
                fixes += x.title + QLatin1Char('\n') + x.text + QLatin1Char('\n');
        if (valid) {
            QCOMPARE(d.basis.pathMtu, std::uint32_t(reported));
            QCOMPARE(d.basis.pathMtuSource, QStringLiteral("icmp"));
        } else {
            QVERIFY2(d.basis.pathMtu != std::uint32_t(reported), qPrintable(d.basis.pathMtuText));
            QVERIFY(d.basis.pathMtuSource != QLatin1String("icmp"));
            QVERIFY2(d.basis.pathMtuText.contains(QLatin1String("below IPv6's 1280 minimum")),
                     qPrintable(d.basis.pathMtuText));
            QVERIFY2(!fixes.contains(QString::number(reported)), qPrintable(fixes));
        }
    }

    void oneCaptureEvidenceUndecided()
    {
        // Both hosts' evidence and a capture that cannot tell which end it was taken at (ESP
        // both ways with TTL 64: no router between the ends): neither host's window is taken, the
        // notes ask for A=/B=; assigned by the user, the assigned host's window is used.
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        std::vector<synth::Packet> pkts;
        const std::uint32_t left = synth::ip4(10, 0, 1, 1), right = synth::ip4(10, 0, 2, 1);
        std::int64_t ts = 1'000'000;
        for (std::uint32_t seq = 1; seq <= 200; ++seq) {
            // right → left with the sequence numbers 40 behind every tenth packet.
            const std::uint32_t in = seq % 10 == 0 && seq > 40 ? seq - 40 : seq;
            pkts.push_back({ts += 1000, synth::ipv4({right, left, std::uint16_t(seq)}, 50,
                                                    synth::esp(0xc0000001, in, 100))});
            pkts.push_back({ts += 1000, synth::ipv4({left, right, std::uint16_t(seq)}, 50,
                                                    synth::esp(0xc0000002, seq, 100))});
        }
        const QString cap = tmp.filePath(QStringLiteral("direct.pcap"));
        QVERIFY(synth::writePcap(cap, pkts));
        const QString stats = labDir(QStringLiteral("reorder-antireplay")) + QStringLiteral("/stats");
        for (const bool assigned : {false, true}) {
            DiagnosisFiles files;
            files.captureA = cap;
            if (assigned) {
                // The capture is taken as left's end: left's window (truth.json: 32).
                QVERIFY(splitStatsByHost(stats, tmp.path(), true));
                files.evidenceA << tmp.filePath(QStringLiteral("left"));
                files.evidenceB << tmp.filePath(QStringLiteral("right"));
            } else {
                files.evidence << stats;
            }
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            const Diagnosis &d = ld.diagnosis();
            const QString notes = d.notes.join(QLatin1Char('\n'));
            if (!assigned) {
                QVERIFY2(notes.contains(QLatin1String("host evidence not used for this capture's end")),
                         qPrintable(notes));
                QVERIFY(notes.contains(QLatin1String("does not tell which end it was captured at")));
                QVERIFY(notes.contains(QLatin1String("--evidence-a PATH")));
                QVERIFY(d.basis.replayWindowAssumed);
                QVERIFY(ld.facts().connection.isEmpty());
            } else {
                QVERIFY(!d.basis.replayWindowAssumed);
                QCOMPARE(qint64(d.basis.replayWindow),
                         qint64(truth(QStringLiteral("reorder-antireplay"))[QStringLiteral(
                             "ipsec")][QStringLiteral("replay_window")][QStringLiteral("left")]
                                    .toInt()));
            }
        }
    }

    void firewallDropOnTheRouter()
    {
        // esp-blocked: the router's iptables-save -c before and after holds the DROP that takes
        // the tunnel's ESP. firewall_drop quotes it with the growth of its counters, computed here
        // from the two files' "[packets:bytes]" of that rule; either capture as A.
        const QString dir = labDir(QStringLiteral("esp-blocked"));
        const QString rule = QStringLiteral("-A FORWARD -p esp -m comment --comment drop-esp -j DROP");
        const auto counters = [&](const QString &file) {
            QFile in(dir + QStringLiteral("/stats/") + file);
            const QString text = in.open(QIODevice::ReadOnly) ? QString::fromUtf8(in.readAll()) : QString();
            const QRegularExpressionMatch m =
                QRegularExpression(QStringLiteral("\\[(\\d+):(\\d+)\\] ") + QRegularExpression::escape(rule))
                    .match(text);
            return std::pair{m.captured(1).toLongLong(), m.captured(2).toLongLong()};
        };
        const auto [p0, b0] = counters(QStringLiteral("mid-iptables-start.txt"));
        const auto [p1, b1] = counters(QStringLiteral("mid-iptables-end.txt"));
        QVERIFY(p1 > p0);
        for (const bool swapped : {false, true}) {
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(labPairWithStats(dir, swapped), ld, &error), qPrintable(error));
            QVERIFY2(ld.warnings().isEmpty(), qPrintable(ld.warnings().join(QLatin1Char('\n'))));
            const Finding *fw = nullptr;
            for (const Finding &f : ld.diagnosis().findings)
                if (f.cause == QLatin1String("firewall_drop")) fw = &f;
            QVERIFY(fw);
            QCOMPARE(int(fw->status), int(StepStatus::Fail));
            QCOMPARE(fw->evidence.size(), std::size_t(1));
            QVERIFY2(fw->evidence.front().text.startsWith(
                         QStringLiteral(
                             "host 'mid' (iptables table filter, chain FORWARD, rule 1) '%1' dropped %2 "
                             "packets (%3 bytes) between the snapshots")
                             .arg(rule)
                             .arg(p1 - p0)
                             .arg(b1 - b0)),
                     qPrintable(fw->evidence.front().text));
            QCOMPARE(fw->fixes.size(), std::size_t(1));
            // Both directions of ESP between the two ends, inserted before the rule.
            QCOMPARE(fw->fixes.front().text.count(QLatin1String("-I FORWARD \"$((pos - 1))\"")),
                     qsizetype(2));
        }
    }

    // esp_blocked's filter fixes add an accept to this host's input chains only where that can
    // help: a capture sees arriving packets before netfilter, so when this end's own capture
    // (which does see the peer's other traffic) holds the ESP it sent and none from the peer,
    // nothing reached those chains; in a pair, when all the peer's ESP arrived here, what is lost
    // is what this host sends. Expected from the lab's verify.json (its tshark count of each
    // direction): esp-blocked (both directions dropped at mid) and audit-esp-blocked-r2l
    // (right->left dropped at mid, left->right delivered). A capture that holds only what its
    // host sent (tests/data/derived/out-only: host-firewall-esp's right, whose own INPUT chain
    // dropped left's ESP) proves nothing: the INPUT accept stays.
    void espBlockedAddsNothingWhereNothingArrived_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("why"); // "none": no ESP from the peer; "all": all of it arrived; "": keep
        for (const char *sc : {"esp-blocked", "audit-esp-blocked-r2l"})
            for (const char *a : {"left", "right"})
                for (const bool pair : {false, true}) {
                    const bool r2lRight = QLatin1String(sc) == QLatin1String("audit-esp-blocked-r2l") &&
                                          QLatin1String(a) == QLatin1String("right");
                    // Right's capture alone shows ESP both ways and no loss (no esp_blocked).
                    if (r2lRight && !pair) continue;
                    const QString other = QLatin1String(a) == QLatin1String("left") ? QStringLiteral("right")
                                                                                    : QStringLiteral("left");
                    QTest::newRow(qPrintable(QStringLiteral("%1, A = %2%3")
                                                 .arg(QLatin1String(sc), QLatin1String(a),
                                                      pair ? QStringLiteral(", pair") : QString())))
                        << QString::fromLatin1(sc) << QString::fromLatin1(a) << (pair ? other : QString())
                        << (r2lRight ? QStringLiteral("all") : QStringLiteral("none"));
                }
        QTest::newRow("a capture of what right sent only")
            << QStringLiteral("out-only") << QStringLiteral("right") << QString() << QString();
    }
    void espBlockedAddsNothingWhereNothingArrived()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, why);
        const bool outOnly = scenario == QLatin1String("out-only");
        const QString dir =
            outOnly ? QStringLiteral(IKEV2WB_TEST_DATA "/derived/out-only") : labDir(scenario);
        const QString verifyDir = outOnly ? labDir(QStringLiteral("host-firewall-esp")) : dir;
        QFile vf(verifyDir + QStringLiteral("/verify.json"));
        QVERIFY(vf.open(QIODevice::ReadOnly));
        const QJsonObject loss =
            QJsonDocument::fromJson(vf.readAll()).object()[QStringLiteral("esp_loss")].toObject();
        const bool left = a == QLatin1String("left");
        const QJsonObject out =
            loss[left ? QStringLiteral("left_to_right") : QStringLiteral("right_to_left")].toObject();
        const QJsonObject in =
            loss[left ? QStringLiteral("right_to_left") : QStringLiteral("left_to_right")].toObject();
        const qint64 sent = out[QStringLiteral("sent")].toInteger();
        const qint64 peerSent = in[QStringLiteral("sent")].toInteger();
        QVERIFY(sent > 0);
        if (why == QLatin1String("all")) QCOMPARE(in[QStringLiteral("lost")].toInteger(), qint64(0));
        const QString self = left ? QStringLiteral("10.0.1.1") : QStringLiteral("10.0.2.1");
        const QString peer = left ? QStringLiteral("10.0.2.1") : QStringLiteral("10.0.1.1");

        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/%1-outer.pcap").arg(a);
        if (!b.isEmpty()) files.captureB = dir + QStringLiteral("/%1-outer.pcap").arg(b);
        if (outOnly) // right's SA listings and links, not its iptables listing (the finding must not need it)
            for (const QString &s : QDir(verifyDir + QStringLiteral("/stats"))
                                        .entryList({QStringLiteral("right-*")}, QDir::Files))
                if (!s.contains(QLatin1String("iptables")))
                    files.evidence << verifyDir + QStringLiteral("/stats/") + s;
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Finding *blocked = findingOf(ld, QLatin1String("esp_blocked"));
        QVERIFY(blocked);
        const QString expected =
            why == QLatin1String("none")
                ? QStringLiteral("its own capture (%1-outer.pcap) holds %2 ESP packets it sent to %3 and ")
                      .arg(a)
                      .arg(sent)
                      .arg(peer)
            : why == QLatin1String("all")
                ? QStringLiteral("all %1 ESP packets %2 sent arrived here (%3-outer.pcap)")
                      .arg(peerSent)
                      .arg(peer, a)
                : QString();
        bool cited = false;
        for (const EvidenceItem &e : blocked->evidence)
            cited = cited || (!expected.isEmpty() && e.text.startsWith(expected));
        QCOMPARE(cited, !why.isEmpty());
        for (const FixKind kind : {FixKind::Iptables, FixKind::Nftables}) {
            const Fix *fix = findFix(*blocked, kind);
            QVERIFY(fix);
            // The commands that run (lines not commented out) that touch this host's input chains.
            int input = 0;
            for (const QString &line : fix->text.split(QLatin1Char('\n')))
                if (!line.startsWith(QLatin1Char('#')) &&
                    (line.contains(QStringLiteral("-I INPUT -p esp -s %1 -d %2").arg(peer, self)) ||
                     line.contains(QLatin1String("nft insert rule"))))
                    ++input;
            if (why.isEmpty()) {
                QVERIFY2(kind == FixKind::Nftables || input == 1, qPrintable(fix->text));
                QVERIFY2(!fix->text.contains(QLatin1String("Nothing to add on this host")),
                         qPrintable(fix->text));
            } else {
                QVERIFY2(input == 0, qPrintable(fix->text));
                QVERIFY2(
                    fix->text.startsWith(QLatin1String("# Nothing to add on this host: ") +
                                         (why == QLatin1String("none")
                                              ? QStringLiteral("its own capture (%1-outer.pcap) holds no "
                                                               "ESP from %2 (")
                                                    .arg(a, peer)
                                              : expected)),
                    qPrintable(fix->text));
                QVERIFY2(fix->undo.startsWith(QLatin1String("# nothing was added on this host")),
                         qPrintable(fix->undo));
            }
            // The firewall between the peers gets both directions, commented (adapted there).
            QVERIFY2(fix->text.contains(QLatin1String("# On a Linux firewall between the peers")),
                     qPrintable(fix->text));
        }
    }

    // audit2-loss-both-ways (tests/lab-scenarios/audit2.sh): netem loss 3 % left->right and 1 %
    // right->left, nothing else. The pair gives each direction's loss as the lab's verify.json
    // counts it (its tshark), and left's capture alone with its evidence, whose only MTU is its
    // own full-sized 1500-byte link, offers no MTU or MSS fix for the loss it cannot size.
    void randomLossBothWaysGetsNoMtuFix()
    {
        const QString dir = labDir(QStringLiteral("audit2-loss-both-ways"));
        QFile vf(dir + QStringLiteral("/verify.json"));
        QVERIFY(vf.open(QIODevice::ReadOnly));
        const QJsonObject loss =
            QJsonDocument::fromJson(vf.readAll()).object()[QStringLiteral("esp_loss")].toObject();
        Investigation pair;
        QString error;
        QVERIFY2(diagnoseFiles(labPairWithStats(dir, false), pair, &error), qPrintable(error));
        QCOMPARE(pair.diagnosis().findings.front().cause, QStringLiteral("packet_loss_in_transit"));
        for (const auto &[key, from, to] : {std::tuple{"left_to_right", "10.0.1.1", "10.0.2.1"},
                                            std::tuple{"right_to_left", "10.0.2.1", "10.0.1.1"}}) {
            const QJsonObject d = loss[QLatin1String(key)].toObject();
            const QString line = QStringLiteral("%1 → %2: %3 of %4 ESP packets sent were never received")
                                     .arg(QLatin1String(from), QLatin1String(to))
                                     .arg(d[QStringLiteral("lost")].toInteger())
                                     .arg(d[QStringLiteral("sent")].toInteger());
            bool found = false;
            for (const EvidenceItem &e : pair.diagnosis().findings.front().evidence)
                found = found || e.text.startsWith(line);
            QVERIFY2(found, qPrintable(line));
        }
        for (const Finding &f : pair.diagnosis().findings)
            QVERIFY2(f.cause != QLatin1String("mtu_blackhole"), qPrintable(f.title));

        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        files.evidence << dir + QStringLiteral("/stats") << dir + QStringLiteral("/charon-left.log")
                       << dir + QStringLiteral("/charon-right.log");
        Investigation ld;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        for (const Finding &f : ld.diagnosis().findings) {
            if (f.cause != QLatin1String("mtu_blackhole")) continue;
            QVERIFY2(f.fixes.empty(), qPrintable(f.fixes.empty() ? QString() : f.fixes.front().text));
            QVERIFY(f.confidence <= 0.3);
        }
    }

    // tests/data/derived/outage-at-sender: right's capture of audit-blackhole-r2l with everything
    // left sent after 5.5 s removed (README there: tshark), so from then on nothing of any size is
    // answered. The 1500-byte packets sent then went unanswered with everything else: an outage,
    // not a size cliff. Before, the size cliff compared them with the small packets answered
    // before 5.5 s and gave mtu_blackhole (fail, 0.70) with MSS 1174.
    void noSizeCliffFromAnOutageAtTheSender()
    {
        DiagnosisFiles files;
        files.captureA = QStringLiteral(IKEV2WB_TEST_DATA "/derived/outage-at-sender/right-outer.pcap");
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        for (const Finding &f : ld.diagnosis().findings)
            QVERIFY2(f.cause != QLatin1String("mtu_blackhole"), qPrintable(f.title));
        // The same capture whole: left's answers go on, and the black hole is found (truth.json).
        files.captureA = labDir(QStringLiteral("audit-blackhole-r2l")) + QStringLiteral("/right-outer.pcap");
        Investigation whole;
        QVERIFY2(diagnoseFiles(files, whole, &error), qPrintable(error));
        QVERIFY(findingOf(whole, QLatin1String("mtu_blackhole")));
    }

    // audit-blackhole-r2l, left's capture alone: left RECEIVES the black-holed direction (truth.json:
    // right sends the packets that are too large). Left's own 1292-byte DF pings were all answered
    // by ESP from right within 1 s (tshark), so "large packets vanish" about them contradicts the
    // capture; before, that was the only MTU finding here. What left's capture does show is right's
    // SA losing sequence numbers in runs (verify.json's lost numbers) while only packets below 1281
    // bytes arrived after the first loss (tshark): the receiver's suspicion about right's direction,
    // with the measurement on right as its fix; with left's evidence (its 1400-byte link) the MSS
    // and the route on right follow from truth.json's figures.
    void receiverOfABlackHoleJudgesThePeersDirection()
    {
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty()) QSKIP("tshark (wireshark) is needed");
        const QString scenario = QStringLiteral("audit-blackhole-r2l");
        const QString dir = labDir(scenario);
        const QJsonObject t = truth(scenario);
        const QJsonObject topo = t[QStringLiteral("topology")].toObject();
        const QJsonObject expected = t[QStringLiteral("expected_diagnosis")].toObject();
        const QString left = topo[QStringLiteral("left")][QStringLiteral("outer_ip")].toString();
        const QString right = topo[QStringLiteral("right")][QStringLiteral("outer_ip")].toString();
        QVERIFY(expected[QStringLiteral("sender_of_too_large_packets")].toString().contains(right));
        struct Esp
        {
            double time;
            QString src;
            std::uint32_t spi;
            int seq, len;
        };
        std::vector<Esp> esp;
        const QList<QStringList> rows = tsharkFields(
            tshark, dir + QStringLiteral("/left-outer.pcap"), QStringLiteral("esp"),
            {QStringLiteral("frame.time_epoch"), QStringLiteral("ip.src"), QStringLiteral("esp.spi"),
             QStringLiteral("esp.sequence"), QStringLiteral("ip.len")});
        for (const QStringList &c : rows)
            esp.push_back({c[0].toDouble(), c[1], c[2].toUInt(nullptr, 16), c[3].toInt(), c[4].toInt()});
        QVERIFY(!esp.empty());
        // Left's own large packets: every one answered by ESP from right within 1 s.
        std::uint32_t leftSpi = 0, rightSpi = 0;
        int leftLarge = 0;
        for (const Esp &e : esp) {
            (e.src == left ? leftSpi : rightSpi) = e.spi;
            if (e.src != left || e.len < 1281) continue;
            ++leftLarge;
            const auto reply = std::find_if(esp.begin(), esp.end(),
                                            [&](const Esp &x) { return x.src == right && x.time > e.time; });
            QVERIFY(reply != esp.end() && reply->time - e.time <= 1.0);
        }
        QVERIFY(leftLarge >= 3 && leftSpi && rightSpi);
        // Right's direction: the numbers verify.json lists as lost, up to the last one that arrived,
        // in runs; no packet of 1281 bytes or more from right after the first of them.
        const QJsonArray lostSeq =
            testdata::readJson(dir + QStringLiteral("/verify.json"))
                .value(QStringLiteral("esp_loss"))
                .toObject()[QStringLiteral("right_to_left")][QStringLiteral("per_spi")]
                .toObject()[QStringLiteral("0x%1").arg(rightSpi, 8, 16, QLatin1Char('0'))]
                .toObject()[QStringLiteral("lost_seq_sample")]
                .toArray();
        int lastArrived = 0, largestArrived = 0;
        for (const Esp &e : esp)
            if (e.src == right) {
                lastArrived = std::max(lastArrived, e.seq);
                largestArrived = std::max(largestArrived, e.len);
            }
        std::vector<int> missing;
        for (const QJsonValue &v : lostSeq)
            if (v.toInt() < lastArrived) missing.push_back(v.toInt());
        QVERIFY(!missing.empty());
        int runs = 0, longest = 0, run = 0;
        for (std::size_t k = 0; k < missing.size(); ++k) {
            run = k > 0 && missing[k] == missing[k - 1] + 1 ? run + 1 : 1;
            runs += run == 1;
            longest = std::max(longest, run);
        }
        QVERIFY(runs >= 2 && longest >= 3);
        for (const Esp &e : esp)
            QVERIFY(!(e.src == right && e.seq > missing.front() && e.len >= 1281));

        for (const bool withEvidence : {false, true}) {
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseLabCapture(dir, QStringLiteral("/left-outer.pcap"), withEvidence, ld, &error),
                     qPrintable(error));
            const QString text = diagnosisText(ld.diagnosis());
            const Finding *fd = findingOf(ld, QLatin1String("mtu_blackhole"));
            QVERIFY2(fd, qPrintable(text));
            // Only one MTU finding, about right's direction; nothing said of left's answered packets.
            for (const Finding &f : ld.diagnosis().findings)
                for (const EvidenceItem &e : f.evidence)
                    QVERIFY2(!(e.ref.hasSpi && e.ref.spi == leftSpi), qPrintable(e.text));
            QVERIFY2(fd->title.contains(QStringLiteral("packets from %1 go missing").arg(right)),
                     qPrintable(fd->title));
            QCOMPARE(fd->status, StepStatus::Warn);
            QVERIFY(std::any_of(fd->evidence.begin(), fd->evidence.end(), [&](const EvidenceItem &e) {
                return e.ref.spi == rightSpi &&
                       e.text.startsWith(
                           QStringLiteral("%1 ESP sequence numbers of %2 → %3 are missing at this "
                                          "capture point in %4 runs, the longest %5")
                               .arg(missing.size())
                               .arg(right, left)
                               .arg(runs)
                               .arg(longest));
            }));
            // The receiver cannot see the sizes of what went missing: no figure becomes a fix, with
            // or without left's evidence (its 1400-byte link bounds the path, truth.json's
            // max_esp_packet_passing, but an outage after a bulk transfer looks the same here: the
            // review of fd8e3fa). The fix is the measurement, on right towards left, from the
            // largest size that arrived.
            QVERIFY2(fd->fixes.empty(), qPrintable(fd->fixes.empty() ? QString() : fd->fixes.front().title));
            QVERIFY2(std::any_of(fd->collectNext.begin(), fd->collectNext.end(),
                                 [&](const QString &c) {
                                     return c.contains(QStringLiteral("on %1 ").arg(right)) &&
                                            c.contains(QStringLiteral("ikev2wb probe %1 --min %2 ")
                                                           .arg(left)
                                                           .arg(largestArrived));
                                 }),
                     qPrintable(fd->collectNext.join(QLatin1Char('\n'))));
            if (withEvidence)
                QVERIFY2(
                    text.contains(QStringLiteral("path MTU %1 — ")
                                      .arg(expected[QStringLiteral("max_esp_packet_passing")].toInt())) &&
                        text.contains(QLatin1String("no MTU or MSS change is offered until the sending end "
                                                    "measures the path")),
                    qPrintable(text));
        }
    }

    void noFixForDuplicatesOrATailDroppingQueue_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("audit3-duplicate-l2r") << QStringLiteral("audit3-duplicate-l2r");
        QTest::newRow("audit3-rate-l2r") << QStringLiteral("audit3-rate-l2r");
    }

    // Blind audit 3 (tests/lab-scenarios/audit3.sh). Duplicates (netem duplicate 5 %): right's
    // anti-replay check drops the second copies (XfrmInStateSeqError +235, verify.json); a larger
    // replay window changes nothing, so no replay-window fix. A 3 Mbit/s queue of 20 packets
    // tail-drops mostly large packets because the bulk is large, while DF pings up to 1400 (outer
    // 1500) arrived: no MTU or MSS fix, no black-hole suspicion. Right receives the faulty
    // direction; each view is judged, with and without the evidence.
    void noFixForDuplicatesOrATailDroppingQueue()
    {
        QFETCH(QString, scenario);
        const QJsonObject expect = truth(scenario)[QStringLiteral("expected_diagnosis")].toObject();
        QCOMPARE(expect[QStringLiteral("mtu_fix")].toBool(true), false);
        const bool duplicates = scenario.contains(QLatin1String("duplicate"));
        if (duplicates) QCOMPARE(expect[QStringLiteral("replay_window_fix")].toBool(true), false);
        const QString dir = labDir(scenario);
        for (const bool pair : {false, true})
            for (const bool withEvidence : {false, true}) {
                DiagnosisFiles files;
                files.captureA =
                    dir + (pair ? QStringLiteral("/left-outer.pcap") : QStringLiteral("/right-outer.pcap"));
                if (pair) files.captureB = dir + QStringLiteral("/right-outer.pcap");
                if (withEvidence) files.evidence << dir + QStringLiteral("/stats");
                Investigation ld;
                QString error;
                QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
                const QString text = diagnosisText(ld.diagnosis());
                QVERIFY2(!findingOf(ld, QLatin1String("mtu_blackhole")), qPrintable(text));
                QVERIFY2(!findingOf(ld, QLatin1String("path_mtu_reduced")), qPrintable(text));
                for (const Finding &f : ld.diagnosis().findings)
                    for (const Fix &x : f.fixes) {
                        QVERIFY2(!x.text.contains(QLatin1String("TCPMSS")) &&
                                     !x.text.contains(QLatin1String("mtu lock")),
                                 qPrintable(x.title));
                        QVERIFY2(!x.text.contains(QLatin1String("replay_window")) &&
                                     !x.text.contains(QLatin1String("replay-window")),
                                 qPrintable(x.title));
                    }
                if (duplicates && withEvidence) {
                    // The replay drops are named as duplicates, the count being right's own.
                    QVERIFY2(findingOf(ld, QLatin1String("antireplay_reordering")), qPrintable(text));
                    QVERIFY2(text.contains(QLatin1String("dropped as duplicates")), qPrintable(text));
                }
            }
    }

    // Blind audit 5 (tests/lab-scenarios/audit5.sh), against the rule audit 4 brought. audit5-ike-loss:
    // 20 % loss both ways on a fast path, retransmit_timeout 1.0 s; every retransmission follows a
    // real loss (truth: early_retransmissions 0), so none is called early and no longer wait is
    // offered. audit5-ike-loss-slow: 300 ms each way and 10 % loss against retransmit_timeout
    // 0.5 s: the retransmissions chase answers on their way, and IKE messages are also lost
    // (truth: ike_messages_lost_gt 0): the pair must not read as "nothing lost" (its finding keeps
    // failing and cites the lost messages) while the longer wait is offered. (Staged without the
    // mid captures.)
    void ikeRetransmissionsAfterRealLoss()
    {
        for (const bool slow : {false, true}) {
            const QString scenario =
                slow ? QStringLiteral("audit5-ike-loss-slow") : QStringLiteral("audit5-ike-loss");
            const QJsonObject expect = truth(scenario)[QStringLiteral("expected_diagnosis")].toObject();
            if (slow)
                QVERIFY(expect[QStringLiteral("ike_messages_lost_gt")].toInt(-1) == 0 &&
                        !expect[QStringLiteral("nothing_lost_claim")].toBool(true));
            else
                QCOMPARE(expect[QStringLiteral("early_retransmissions")].toInt(-1), 0);
            const QString dir = labDir(scenario);
            for (const bool withEvidence : {false, true})
                for (const bool swapped : {false, true}) {
                    Investigation ld;
                    QString error;
                    QVERIFY2(diagnoseLabPair(dir, swapped, withEvidence, ld, &error), qPrintable(error));
                    const QString text = diagnosisText(ld.diagnosis());
                    const Finding *rt = findingOf(ld, QLatin1String("ike_retransmissions"));
                    QVERIFY2(rt, qPrintable(text));
                    QVERIFY2(!rt->title.contains(QLatin1String("before their answers")), qPrintable(text));
                    const QString cites = citesOf(*rt);
                    QCOMPARE(cites.contains(QLatin1String("went out while the answer")), slow);
                    QCOMPARE(!fixHolding(ld, {"retransmit_timeout"}).isEmpty(), slow);
                    if (slow) {
                        QVERIFY2(rt->status == StepStatus::Fail, qPrintable(text));
                        QVERIFY2(
                            cites.contains(QLatin1String("were sent by one end and never reached the other")),
                            qPrintable(cites));
                    }
                }
        }
    }

    // Review of 5117628 (tests/data/derived/README.md): real IKE loss must keep the finding a
    // failure. ike-path-dies: the path dies 3 s before left's last 4 IKE messages (tshark: 4 sent
    // after 22:22:25) while left's capture runs on; they were called "due after the other
    // capture's last packet: not counted as lost" and the finding a warning. ike-answers-lost:
    // three answers removed from left's capture (editcap, frames 60 77 85): one capture showed
    // no sign of loss and called most retransmissions early.
    void ikeLossIsNotReadAsEarlyRetransmissions()
    {
        const QString dir = QStringLiteral(IKEV2WB_TEST_DATA "/derived/");
        for (const bool pair : {true, false}) {
            DiagnosisFiles files;
            files.captureA = dir + (pair ? QStringLiteral("ike-path-dies/left-outer.pcap")
                                         : QStringLiteral("ike-answers-lost/left-outer.pcap"));
            if (pair) files.captureB = dir + QStringLiteral("ike-path-dies/right-outer.pcap");
            Investigation ld;
            const auto [rt, text] = diagnosedFinding(files, ld, QLatin1String("ike_retransmissions"));
            QVERIFY2(rt, qPrintable(text));
            QVERIFY2(rt->status == StepStatus::Fail, qPrintable(text));
            QVERIFY2(!rt->title.contains(QLatin1String("before their answers")), qPrintable(text));
            const QString cites = citesOf(*rt);
            QVERIFY2(
                cites.contains(
                    pair ? QLatin1String("4 IKE message(s) were sent by one end and never reached the other")
                         : QLatin1String("3 exchange(s) were answered fewer times than their request "
                                         "was sent")),
                qPrintable(cites));
        }
    }

    // Review of 5117628: a longer first wait stretches the give-up time (0.5 s x 1.8^k: 20.6 s to the
    // give-up; 4 s: 165.1 s), so the lifetimes must leave room for the new schedule, not the old.
    // Host A's configuration (derived/ike-short-lifetimes: CHILD rekey_time 11 s, life_time 12 s) on
    // the audit4-ike-slow-rtt pair: before, only the longer wait was offered. By hand: 4 s x
    // (1.8^6 - 1) / 0.8 = 165.06 s, whole minutes 180 s, so life_time = 11 + 180 = 191 s. And each
    // end's early retransmissions get the fix on their own host (verify.json: left 10, right 1).
    void longerWaitLeavesRoomBeforeExpiryOnEachEnd()
    {
        const QString lab = labDir(QStringLiteral("audit4-ike-slow-rtt"));
        for (const bool swapped : {false, true}) {
            DiagnosisFiles files = labPairWithStats(lab, swapped);
            files.evidence << lab + QStringLiteral("/charon-left.log")
                           << lab + QStringLiteral("/charon-right.log");
            (swapped ? files.evidenceB : files.evidenceA)
                << QStringLiteral(IKEV2WB_TEST_DATA "/derived/ike-short-lifetimes");
            Investigation ld;
            const auto [rt, text] = diagnosedFinding(files, ld, QLatin1String("ike_retransmissions"));
            QVERIFY2(rt, qPrintable(text));
            int life = -1, wait = -1, peerWait = -1;
            for (std::size_t i = 0; i < rt->fixes.size(); ++i) {
                const Fix &x = rt->fixes[i];
                if (x.text.contains(QLatin1String("life_time = 191s"))) life = int(i);
                if (x.text.contains(QLatin1String("retransmit_timeout = 4.0")))
                    (x.title.startsWith(QLatin1String("On the peer")) ? peerWait : wait) = int(i);
            }
            if (!swapped) QVERIFY2(life >= 0, qPrintable(text)); // A's configuration: left's
            QVERIFY2(wait >= 0 && peerWait >= 0, qPrintable(text));
            if (life >= 0) QVERIFY2(life < wait && life < peerWait, qPrintable(text));
            const QString peer = swapped ? QStringLiteral("10.0.1.1") : QStringLiteral("10.0.2.1");
            QVERIFY2(
                rt->fixes[std::size_t(peerWait)].title.startsWith(QStringLiteral("On the peer %1").arg(peer)),
                qPrintable(rt->fixes[std::size_t(peerWait)].title));
        }
    }

    // Blind audit 4 (tests/lab-scenarios/audit4.sh): loss in bursts left->right (netem gemodel) of
    // a stream of 200-byte UDP datagrams (iperf3 -u -l 200), after DF pings of 56 and 1000 bytes.
    // verify.json: 284 of 7559 lost left->right, none right->left. By hand, ESP aes128-sha256
    // tunnel: a 200-byte datagram is a 228-byte inner packet, 20 + 8 + 16 + pad16(230) + 16 = 300
    // bytes outer; the 1000-byte ping 1100. The pair's cite said "the loss is spread over sizes"
    // of a loss that was all of one size; it now gives both sizes. No MTU, replay or firewall fix.
    // (Staged without the mid captures: 4 MB, no test reads them.)
    void burstLossOfSmallPackets()
    {
        const QString scenario = QStringLiteral("audit4-burst-loss-small");
        const QJsonObject expect = truth(scenario)[QStringLiteral("expected_diagnosis")].toObject();
        QCOMPARE(expect[QStringLiteral("mtu_fix")].toBool(true), false);
        const QString dir = labDir(scenario);
        QFile vf(dir + QStringLiteral("/verify.json"));
        QVERIFY(vf.open(QIODevice::ReadOnly));
        const QJsonObject l2r = QJsonDocument::fromJson(vf.readAll())
                                    .object()[QStringLiteral("esp_loss")][QStringLiteral("left_to_right")]
                                    .toObject();
        const QString lost = QStringLiteral("%1 of %2 ESP packets sent were never received")
                                 .arg(l2r[QStringLiteral("lost")].toInt())
                                 .arg(l2r[QStringLiteral("sent")].toInt());
        QCOMPARE(lost, QStringLiteral("284 of 7559 ESP packets sent were never received"));
        for (const bool withEvidence : {false, true})
            for (const bool swapped : {false, true}) {
                Investigation ld;
                QString error;
                QVERIFY2(diagnoseLabPair(dir, swapped, withEvidence, ld, &error), qPrintable(error));
                const QString text = diagnosisText(ld.diagnosis());
                QVERIFY(!ld.diagnosis().findings.empty());
                const Finding &top = ld.diagnosis().findings.front();
                QCOMPARE(top.cause, QStringLiteral("packet_loss_in_transit"));
                const QString cites = citesOf(top);
                QVERIFY2(cites.contains(lost), qPrintable(cites));
                QVERIFY2(cites.contains(
                             QLatin1String("lost packets were as small as 300 bytes while packets of up to "
                                           "1100 bytes arrived")),
                         qPrintable(cites));
                QVERIFY2(!findingOf(ld, QLatin1String("mtu_blackhole")), qPrintable(text));
                const QString wrong =
                    fixHolding(ld, {"TCPMSS", "mtu lock", "replay_window", "-j ACCEPT", "ethtool -K"});
                QVERIFY2(wrong.isEmpty(), qPrintable(wrong));
            }
        // Right's capture alone, where the stream arrives: 1100-byte pings before the first missing
        // number, 300-byte packets after it (tshark), nine in ten of the SA's packets 300 bytes. Before,
        // the receiver's black-hole suspicion was the top cause and demoted the loss (review of
        // fd8e3fa's case of a small-packet stream).
        const QString seen = QStringLiteral("%1 of %2 ESP sequence numbers never reached this capture")
                                 .arg(l2r[QStringLiteral("lost")].toInt())
                                 .arg(l2r[QStringLiteral("sent")].toInt());
        for (const bool withEvidence : {false, true}) {
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseLabCapture(dir, QStringLiteral("/right-outer.pcap"), withEvidence, ld, &error),
                     qPrintable(error));
            const QString text = diagnosisText(ld.diagnosis());
            QVERIFY2(!findingOf(ld, QLatin1String("mtu_blackhole")), qPrintable(text));
            QVERIFY(!ld.diagnosis().findings.empty());
            QCOMPARE(ld.diagnosis().findings.front().cause, QStringLiteral("packet_loss_in_transit"));
            QVERIFY2(citesOf(ld.diagnosis().findings.front()).contains(seen), qPrintable(text));
        }
    }

    // Blind audit 4 (tests/lab-scenarios/audit4.sh): a black hole at 1380 with AES-256-CBC and
    // HMAC-SHA2-512-256, whose ICV is 32 bytes (RFC 4868), twice the one the other lab runs use.
    // Truth (by hand, ciphertext a multiple of 16): inner 1294, MSS 1254 through 1380. The captures
    // alone prove 1356 delivered and 1388 lost (tshark: ping payload 1250 and 1280), so by hand
    // 1356 - 20 - 8 - 16 - 32 = 1280 = pad16(inner + 2): inner 1278, MSS 1238. A suite with a
    // 16-byte ICV would give 1270 and 1254 from those sizes: larger than the path allows here.
    void blackHoleWithA32ByteIcv()
    {
        const QString scenario = QStringLiteral("audit4-blackhole-sha512-1380");
        const QJsonObject t = truth(scenario);
        const QJsonObject expect = t[QStringLiteral("expected_diagnosis")].toObject();
        const int mss = expect[QStringLiteral("mss")].toInt();
        const int link = expect[QStringLiteral("max_esp_packet_passing")].toInt();
        QCOMPARE(mss, 1254);
        QCOMPARE(link, 1380);
        const QString dir = labDir(scenario);
        for (const bool withEvidence : {false, true})
            for (const bool swapped : {false, true}) {
                Investigation ld;
                QString error;
                QVERIFY2(diagnoseLabPair(dir, swapped, withEvidence, ld, &error), qPrintable(error));
                const QString text = diagnosisText(ld.diagnosis());
                QVERIFY(!ld.diagnosis().findings.empty());
                QCOMPARE(ld.diagnosis().findings.front().cause, QStringLiteral("mtu_blackhole"));
                const Finding &fd = ld.diagnosis().findings.front();
                const Fix *ipt = findFix(fd, FixKind::Iptables);
                QVERIFY2(ipt, qPrintable(text));
                const int clamp = capture(ipt->text, QStringLiteral("--set-mss (\\d+)"));
                QCOMPARE(clamp, withEvidence ? mss : 1238);
                const Fix *route = findFix(fd, FixKind::IpLink);
                QVERIFY2(route, qPrintable(text));
                QCOMPARE(capture(route->text, QStringLiteral("mtu lock (\\d+)")), withEvidence ? link : 1356);
            }
    }

    // Blind audit 4 (tests/lab-scenarios/audit4.sh): 600 ms each way (RTT 1.2 s) and charon's
    // retransmit_timeout 0.5 s; nothing is lost (truth.json), yet every DPD and CREATE_CHILD_SA
    // request goes out twice: 11 retransmissions by charon's logs (verify.json: left 10, right 1).
    // Before: ike_retransmissions failed with "a rekey slowed by lost messages", the pair said 3 IKE
    // messages never reached the other end (sent in the captures' last 0.6 s), the comparison gave
    // every retransmission the cause no_response (it paired the first arrival with the
    // retransmission, its clock learned before the delay began), and XfrmInNoStates +7 (packets in
    // flight across the rekeys' deletes) drew an ethtool offload fix. Now: a warning that the
    // requests went out before their answers could arrive, with the measured round trip and wait,
    // strongSwan's default retransmit_timeout (4.0 s, above the 1.2 s round trip) as the fix, no
    // IKE message lost, and no offload, MTU or firewall fix.
    void ikeRetransmissionsFromALongRoundTrip()
    {
        const QString scenario = QStringLiteral("audit4-ike-slow-rtt");
        const QJsonObject t = truth(scenario);
        const QJsonObject expect = t[QStringLiteral("expected_diagnosis")].toObject();
        QCOMPARE(expect[QStringLiteral("ike_messages_lost")].toInt(-1), 0);
        const double rtt = expect[QStringLiteral("rtt_s")].toDouble();
        double timeout = 0;
        for (const QJsonValue f : t[QStringLiteral("injected_faults")].toArray())
            if (f[QStringLiteral("type")].toString() == QLatin1String("short_retransmit_timeout"))
                timeout = f[QStringLiteral("retransmit_timeout_s")].toDouble();
        QCOMPARE(rtt, 1.2);
        QCOMPARE(timeout, 0.5);
        const QString dir = labDir(scenario);
        QFile vf(dir + QStringLiteral("/verify.json"));
        QVERIFY(vf.open(QIODevice::ReadOnly));
        const QJsonObject logs =
            QJsonDocument::fromJson(vf.readAll()).object()[QStringLiteral("charon_log")].toObject();
        const int retransmits = logs[QStringLiteral("left")][QStringLiteral("retransmit")].toInt() +
                                logs[QStringLiteral("right")][QStringLiteral("retransmit")].toInt();
        QCOMPARE(retransmits, 11);
        const QRegularExpression measured(QStringLiteral(
            "the first answer came up to ([0-9.]+) s after the request, the first retransmission "
            "([0-9.]+) s after its request"));
        struct View
        {
            const char *a, *b;
            bool evidence;
        };
        for (const View v : {View{"left", "right", true}, View{"right", "left", true},
                             View{"left", "right", false}, View{"left", nullptr, false}}) {
            DiagnosisFiles files;
            files.captureA = dir + QStringLiteral("/%1-outer.pcap").arg(QLatin1String(v.a));
            if (v.b) files.captureB = dir + QStringLiteral("/%1-outer.pcap").arg(QLatin1String(v.b));
            if (v.evidence)
                files.evidence << dir + QStringLiteral("/stats") << dir + QStringLiteral("/charon-left.log")
                               << dir + QStringLiteral("/charon-right.log");
            Investigation ld;
            const auto [rt, text] = diagnosedFinding(files, ld, QLatin1String("ike_retransmissions"));
            QVERIFY2(rt, qPrintable(text));
            QVERIFY2(rt->status == StepStatus::Warn, qPrintable(text));
            const QString cites = citesOf(*rt);
            QVERIFY2(!cites.contains(QLatin1String("never reached the other")), qPrintable(text));
            QVERIFY2(!cites.contains(QLatin1String("slowed by lost messages")), qPrintable(text));
            const QRegularExpressionMatch m = measured.match(cites);
            QVERIFY2(m.hasMatch(), qPrintable(text));
            QVERIFY2(std::fabs(m.captured(1).toDouble() - rtt) < 0.05, qPrintable(m.captured(0)));
            QVERIFY2(std::fabs(m.captured(2).toDouble() - timeout) < 0.02, qPrintable(m.captured(0)));
            if (v.b) // every retransmission proven early in a pair
                QVERIFY2(rt->title.contains(QLatin1String("before their answers could arrive")),
                         qPrintable(text));
            const QString wrong = fixHolding(
                ld, {"TCPMSS", "mtu lock", "replay_window", "ethtool -K", "-j ACCEPT", "retransmit_tries"});
            QVERIFY2(wrong.isEmpty(), qPrintable(wrong));
            QVERIFY2(!fixHolding(ld, {"retransmit_timeout = 4.0"}).isEmpty(), qPrintable(text));
            if (v.b) {
                QVERIFY(ld.comparison());
                const CompareResult &c = *ld.comparison();
                QCOMPARE(int(c.ikeRetransmissions.size()), retransmits);
                for (const IkeRetransmissionCause &x : c.ikeRetransmissions)
                    QVERIFY2(x.cause == QLatin1String("response_late"),
                             qPrintable(QStringLiteral("ID %1: %2").arg(x.messageId).arg(x.cause)));
                for (const IkeLostMessage &l : c.ikeLost)
                    QVERIFY2(l.beyondReceiverSpan, qPrintable(QStringLiteral("ID %1").arg(l.messageId)));
            }
        }
    }

    // The receiver's suspicion needs runs of missing numbers: an outage leaves one run (natt-expiry:
    // NAT mapping expiry, truth.json), random loss single numbers (audit2-loss-both-ways: random
    // loss both ways, verify.json's lost numbers). Left's view of either gave "PMTUD black hole
    // suspected" before: natt-expiry from left's own bulk transfer, whose large packets were all
    // answered (the sender's claim), loss-both-ways from the peer's gaps (the receiver's).
    void noReceiverSuspicionFromAnOutageOrRandomLoss_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("natt-expiry") << QStringLiteral("natt-expiry");
        QTest::newRow("audit2-loss-both-ways") << QStringLiteral("audit2-loss-both-ways");
    }

    void noReceiverSuspicionFromAnOutageOrRandomLoss()
    {
        QFETCH(QString, scenario);
        const QJsonArray faults = truth(scenario)[QStringLiteral("injected_faults")].toArray();
        QVERIFY(!faults.isEmpty());
        const QString type = faults.first()[QStringLiteral("type")].toString();
        QVERIFY2(type == QLatin1String("nat_mapping_expiry") || type == QLatin1String("random_loss"),
                 qPrintable(type));
        for (const bool withEvidence : {false, true}) {
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseLabCapture(labDir(scenario), QStringLiteral("/left-outer.pcap"), withEvidence,
                                        ld, &error),
                     qPrintable(error));
            QVERIFY2(!findingOf(ld, QLatin1String("mtu_blackhole")),
                     qPrintable(diagnosisText(ld.diagnosis())));
        }
    }

    // tests/data/derived/outage-at-sender: right's capture of audit-blackhole-r2l with everything
    // left sent after 5.5 s removed (README there): right keeps sending, nothing comes back. Before,
    // "No cause of loss found". Now peer_silent says when the peer's last packet came and what this
    // host sent since (all counted here with tshark), asks for the peer's capture and SA state, and
    // offers no fix. The whole capture, where left answers to the end, gives none.
    void peerSilentAtTheSender()
    {
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty()) QSKIP("tshark (wireshark) is needed");
        const QJsonObject topo =
            truth(QStringLiteral("audit-blackhole-r2l"))[QStringLiteral("topology")].toObject();
        const QString left = topo[QStringLiteral("left")][QStringLiteral("outer_ip")].toString();
        const QString right = topo[QStringLiteral("right")][QStringLiteral("outer_ip")].toString();
        const QString file = QStringLiteral(IKEV2WB_TEST_DATA "/derived/outage-at-sender/right-outer.pcap");
        const QList<QStringList> rows =
            tsharkFields(tshark, file, QStringLiteral("ip"),
                         {QStringLiteral("frame.number"), QStringLiteral("frame.time_epoch"),
                          QStringLiteral("ip.src"), QStringLiteral("esp.spi")});
        QVERIFY(!rows.empty());
        const double end = rows.back()[1].toDouble();
        double lastFromLeft = -1;
        for (const QStringList &r : rows)
            if (r[2] == left) lastFromLeft = std::max(lastFromLeft, r[1].toDouble());
        QVERIFY(lastFromLeft > 0 && end - lastFromLeft >= 5);
        int sent = 0, judged = 0, firstFrame = 0;
        QString spi;
        for (const QStringList &r : rows)
            if (r[2] == right && !r[3].isEmpty() && r[1].toDouble() > lastFromLeft) {
                if (!sent++) {
                    firstFrame = r[0].toInt();
                    spi = r[3];
                }
                judged += r[1].toDouble() <= end - 1.0;
            }
        QVERIFY(sent >= 5);

        DiagnosisFiles files;
        files.captureA = file;
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Finding *fd = findingOf(ld, QLatin1String("peer_silent"));
        QVERIFY2(fd, qPrintable(diagnosisText(ld.diagnosis())));
        QCOMPARE(fd->status, StepStatus::Warn);
        QVERIFY(fd->fixes.empty());
        QVERIFY2(fd->title.contains(QStringLiteral("from %1 for the last %2 s")
                                        .arg(left, QString::number(end - lastFromLeft, 'f', 1))),
                 qPrintable(fd->title));
        QVERIFY(std::any_of(fd->evidence.begin(), fd->evidence.end(), [&](const EvidenceItem &e) {
            return e.ref.packet == firstFrame &&
                   e.text.startsWith(QStringLiteral("meanwhile this host sent %1 ESP packets to %2 ")
                                         .arg(sent)
                                         .arg(left)) &&
                   e.text.contains(QStringLiteral("SPI %1), %2 of them").arg(spi).arg(judged));
        }));
        QVERIFY(std::any_of(fd->collectNext.begin(), fd->collectNext.end(), [&](const QString &c) {
            return c.startsWith(QStringLiteral("a capture at the peer %1 ").arg(left));
        }));
        QVERIFY(std::any_of(fd->collectNext.begin(), fd->collectNext.end(), [&](const QString &c) {
            return c.contains(QStringLiteral("on %1, ip -s xfrm state").arg(left));
        }));
        // Step 6 does not say ESP gets through beside it.
        for (const ChecklistStep &st : ld.diagnosis().steps)
            for (const EvidenceItem &e : st.evidence)
                QVERIFY2(!e.text.startsWith(QLatin1String("ESP gets through")), qPrintable(e.text));

        files.captureA = labDir(QStringLiteral("audit-blackhole-r2l")) + QStringLiteral("/right-outer.pcap");
        Investigation whole;
        QVERIFY2(diagnoseFiles(files, whole, &error), qPrintable(error));
        QVERIFY(!findingOf(whole, QLatin1String("peer_silent")));
    }

    void peerSilentNeedsAPeerThatFellSilent_data()
    {
        // This end 10.0.2.1 (TTL 64 out) and its peer 10.0.1.1 (63 in), built here. Unless `oneWay`:
        // `peerRun` times, `spacing` µs apart, this end sends an ESP packet and the peer answers 5 ms
        // later; then the peer sends nothing, and this end sends `sent` packets 200 ms after the
        // peer's last and every 500 ms, and a last one `silence` µs after the peer's last (in the
        // capture's final second, so not judged). With `oneWay`: this end streams 1000 packets every
        // 20 ms; the peer answered the first 4, 5 ms after each, then sends nothing (with `dpd`, it
        // answers an INFORMATIONAL request of this end at 10 s).
        QTest::addColumn<bool>("oneWay");
        QTest::addColumn<bool>("dpd");
        QTest::addColumn<int>("peerRun");
        QTest::addColumn<int>("spacing");
        QTest::addColumn<int>("sent");
        QTest::addColumn<int>("silence");
        QTest::addColumn<bool>("silent");
        // At every threshold (README: 5 packets judged, 5 s, 10 peer packets over 3 s): 9 x 334 ms.
        QTest::newRow("at the thresholds") << false << false << 10 << 334'000 << 5 << 5'000'000 << true;
        QTest::newRow("4 packets judged") << false << false << 10 << 334'000 << 4 << 5'000'000 << false;
        QTest::newRow("4.9 s of silence") << false << false << 10 << 334'000 << 5 << 4'900'000 << false;
        QTest::newRow("9 peer packets") << false << false << 9 << 376'000 << 5 << 5'000'000 << false;
        QTest::newRow("peer's run 2.97 s") << false << false << 10 << 330'000 << 5 << 5'000'000 << false;
        QTest::newRow("peer's run broken by 3.1 s")
            << false << false << 10 << 3'100'000 << 5 << 5'000'000 << false;
        // A peer answering a default 1 s ping (replies 1.0003 s apart) or a 2 s one runs steadily
        // (review of 2e95fff: a gap of 1 s broke its run and the silence went unreported).
        QTest::newRow("1 s ping") << false << false << 60 << 1'000'300 << 5 << 5'000'000 << true;
        QTest::newRow("2 s ping") << false << false << 30 << 2'000'000 << 5 << 5'000'000 << true;
        QTest::newRow("one-way stream") << true << false << 0 << 0 << 0 << 0 << false;
        QTest::newRow("one-way stream, DPD answered") << true << true << 0 << 0 << 0 << 0 << false;
    }

    // Review of 51b2c4d: peer_silent fired (warn) on a healthy one-way stream, the peer having
    // answered four early packets and then nothing to send. A silent peer needs a peer that had been
    // sending: its ESP steady up to its last packet. The counts asserted are the construction's.
    void peerSilentNeedsAPeerThatFellSilent()
    {
        QFETCH(bool, oneWay);
        QFETCH(bool, dpd);
        QFETCH(int, peerRun);
        QFETCH(int, spacing);
        QFETCH(int, sent);
        QFETCH(int, silence);
        QFETCH(bool, silent);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::uint32_t here = synth::ip4(10, 0, 2, 1), peer = synth::ip4(10, 0, 1, 1);
        std::vector<synth::Packet> pkts;
        const std::int64_t t0 = 1'000'000'000; // µs
        std::uint32_t seq = 0;
        const auto mine = [&](std::int64_t t) {
            ++seq;
            pkts.push_back({t, espWithTtl(here, peer, 0x66666666, seq, 200, 64)});
        };
        const auto theirs = [&](std::int64_t t) {
            pkts.push_back({t, espWithTtl(peer, here, 0x55555555, seq, 200, 63)});
        };
        std::int64_t peerLast = 0;
        if (oneWay) {
            for (int k = 0; k < 1000; ++k) {
                const std::int64_t t = t0 + std::int64_t(k) * 20'000;
                mine(t);
                if (k < 4) theirs(peerLast = t + 5'000);
                if (dpd && k == 500) {
                    const auto info = [&](std::uint32_t src, std::uint32_t dst, std::uint8_t flags,
                                          std::uint8_t ttl) {
                        return withTtl(synth::ipv4({src, dst, 1}, 17,
                                                   synth::udp(500, 500,
                                                              synth::ike(0x1111, 0x2222, 37, flags, 7,
                                                                         {synth::sk(64)}))),
                                       ttl);
                    };
                    pkts.push_back({t + 1'000, info(here, peer, 0x08, 64)});
                    pkts.push_back({t + 11'000, info(peer, here, 0x20, 63)});
                }
            }
        } else {
            for (int k = 0; k < peerRun; ++k) {
                const std::int64_t t = t0 + std::int64_t(k) * spacing;
                mine(t);
                theirs(peerLast = t + 5'000);
            }
            for (int j = 0; j < sent; ++j)
                mine(peerLast + 200'000 + std::int64_t(j) * 500'000);
            mine(peerLast + silence);
        }
        std::sort(pkts.begin(), pkts.end(),
                  [](const synth::Packet &a, const synth::Packet &b) { return a.tsUs < b.tsUs; });
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseBuiltCapture(tmp, pkts, inv, &error), qPrintable(error));
        QCOMPARE(inv.facts().localAddress, QStringLiteral("10.0.2.1"));
        const QString text = diagnosisText(inv.diagnosis());
        const Finding *fd = findingOf(inv, QLatin1String("peer_silent"));
        QVERIFY2(bool(fd) == silent, qPrintable(text));
        if (!silent) return;
        QVERIFY2(fd->title.contains(QStringLiteral("from 10.0.1.1 for the last 5.0 s")),
                 qPrintable(fd->title));
        const auto cites = [&](const QString &start, const QString &part) {
            return std::any_of(fd->evidence.begin(), fd->evidence.end(), [&](const EvidenceItem &e) {
                return e.text.startsWith(start) && e.text.contains(part);
            });
        };
        QVERIFY(cites(QStringLiteral("meanwhile this host sent 6 ESP packets to 10.0.1.1 "),
                      QStringLiteral("SPI 0x66666666), 5 of them")));
        // by construction: peerRun answers, spacing µs apart
        QVERIFY(
            cites(QStringLiteral("before that the peer sent ESP to this host steadily: %1 packets over %2 s")
                      .arg(peerRun)
                      .arg(QString::number(double(peerRun - 1) * spacing / 1e6, 'f', 1)),
                  QString()));
    }

    // Two road warriors behind one NAT (public 10.0.2.254) to one gateway 10.0.2.1, NAT-T, built
    // here: rw1 192.168.1.10 (mapped to port 4500) and rw2 (mapped to 4501) each send 1000 ESP
    // packets every 10 ms and the gateway answers each 1 ms later; every 10th of rw2's packets
    // never reaches the gateway. A is rw1's capture, B the gateway's (both tunnels: one outer
    // address pair, different NAT ports and SPIs). rw1's tunnel lost nothing. Before, the gateway's
    // 1000 packets to rw2 counted as rw1's tunnel's and as never received: "10.0.2.1 →
    // 192.168.1.10: 1000 of 2000 ESP packets sent were never received (50.00 %)", fail 0.85.
    void twoTunnelsBehindOneNat()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::uint32_t gw = synth::ip4(10, 0, 2, 1), nat = synth::ip4(10, 0, 2, 254),
                            rw1 = synth::ip4(192, 168, 1, 10);
        const auto udpEsp = [](std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
                               std::uint32_t spi, std::uint32_t seq, std::uint8_t ttl) {
            return withTtl(synth::ipv4({src, dst, std::uint16_t(seq)}, 17,
                                       synth::udp(sport, dport, synth::esp(spi, seq, 200 - 36))),
                           ttl);
        };
        std::vector<synth::Packet> a, b;
        const std::int64_t t0 = 1'000'000'000; // µs
        for (std::uint32_t i = 1; i <= 1000; ++i) {
            const std::int64_t t = t0 + std::int64_t(i) * 10'000;
            a.push_back({t, udpEsp(rw1, 4500, gw, 4500, 0xa1000001, i, 64)});
            b.push_back({t + 300, udpEsp(nat, 4500, gw, 4500, 0xa1000001, i, 63)});
            b.push_back({t + 1'000, udpEsp(gw, 4500, nat, 4500, 0xb1000001, i, 64)});
            a.push_back({t + 1'300, udpEsp(gw, 4500, rw1, 4500, 0xb1000001, i, 62)});
            if (i % 10) b.push_back({t + 5'300, udpEsp(nat, 4501, gw, 4500, 0xa2000002, i, 63)});
            b.push_back({t + 6'000, udpEsp(gw, 4500, nat, 4501, 0xb2000002, i, 64)});
        }
        const QString capA = tmp.filePath(QStringLiteral("rw1.pcap")),
                      capB = tmp.filePath(QStringLiteral("gw.pcap"));
        QVERIFY(synth::writePcap(capA, a) && synth::writePcap(capB, b));
        DiagnosisFiles files;
        files.captureA = capA;
        files.captureB = capB;
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseFiles(files, inv, &error), qPrintable(error));
        const QString text = diagnosisText(inv.diagnosis());
        QVERIFY2(!findingOf(inv, QLatin1String("packet_loss_in_transit")), qPrintable(text));
        for (const DirectionFacts &d : inv.facts().dir)
            QVERIFY2(d.lost == 0, qPrintable(text));
        // rw2's two SAs are another tunnel's, left out and said so.
        QVERIFY(inv.comparison());
        QVERIFY(inv.comparison()->side[0].otherSpis.empty());
        std::vector<std::uint32_t> other = inv.comparison()->side[1].otherSpis;
        std::sort(other.begin(), other.end());
        QCOMPARE(other, (std::vector<std::uint32_t>{0xa2000002, 0xb2000002}));
    }

    void natPairPeerAsEachEndSeesIt_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("swapped");
        // The captures: the lab's own ("") or its IKE-only cut (tests/data/lab/ike-only, README
        // there: no ESP SA to match, each end's view comes from the IKE exchanges alone).
        QTest::addColumn<QString>("cut");
        const auto row = [](const char *s, bool swapped, const QString &cut) {
            QTest::newRow(
                qPrintable(QStringLiteral("%1%2, A = %3")
                               .arg(QLatin1String(s), cut.isEmpty() ? QString() : QStringLiteral(" ") + cut,
                                    swapped ? QStringLiteral("right") : QStringLiteral("left"))))
                << QString::fromLatin1(s) << swapped << cut;
        };
        for (const char *s : {"natt", "natt-expiry", "mtu-blackhole-natt-1420"})
            for (const bool swapped : {false, true}) {
                row(s, swapped, QString());
                row(s, swapped, QStringLiteral("ike-only/%1").arg(QLatin1String(s)));
            }
        // IKE_SA_INIT only (the IKE SA never completes).
        for (const bool swapped : {false, true})
            row("natt", swapped, QStringLiteral("ike-only/natt-init"));
    }

    void natPairPeerAsEachEndSeesIt()
    {
        // mid masquerades left (truth.json topology.mid.nat_public_ip_of_left): right sees left as
        // the NAT's address, left sees right as right's own. Each host's fixes name the peer as
        // that host sees it: host A's (fixTarget) and the peer's (fixTargetAtPeer), never the
        // other end's own address (the old fixTarget gave right 10.0.1.1; fixTargetAtPeer gave
        // left's route no address at all).
        QFETCH(QString, scenario);
        QFETCH(bool, swapped);
        QFETCH(QString, cut);
        const QJsonObject topo = truth(scenario).value(QStringLiteral("topology")).toObject();
        const QString left = topo[QStringLiteral("left")][QStringLiteral("outer_ip")].toString();
        const QString right = topo[QStringLiteral("right")][QStringLiteral("outer_ip")].toString();
        const QString nat = topo[QStringLiteral("mid")][QStringLiteral("nat_public_ip_of_left")].toString();
        QVERIFY(!left.isEmpty() && !right.isEmpty() && !nat.isEmpty() && nat != left);
        // dir + "/left" + "-outer.pcap": the lab folder's captures or the cut's.
        const QString dir = cut.isEmpty() ? labDir(scenario) : labDir(cut);
        const QString sep = cut.isEmpty() ? QStringLiteral("/") : QStringLiteral("-");
        const QString pathA =
            dir + sep + (swapped ? QStringLiteral("right-outer.pcap") : QStringLiteral("left-outer.pcap"));
        const QString pathB =
            dir + sep + (swapped ? QStringLiteral("left-outer.pcap") : QStringLiteral("right-outer.pcap"));
        QVERIFY2(QFile::exists(pathA) && QFile::exists(pathB), qPrintable(pathA));
        DiagnosisFiles files;
        files.captureA = pathA;
        files.captureB = pathB;
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Facts &f = ld.facts();
        // The cut holds no ESP at all: whatever is known comes from IKE.
        if (!cut.isEmpty())
            QCOMPARE(ld.comparison() ? ld.comparison()->side[0].espPackets : 1, std::uint64_t(0));
        const FixTarget a = fixTarget(f), b = fixTargetAtPeer(f);
        // (this host, the peer as it sees it) for A and for B
        const QString aLocal = swapped ? right : left, aPeer = swapped ? nat : right;
        const QString bLocal = swapped ? left : right, bPeer = swapped ? right : nat;
        QCOMPARE(a.localAddress, aLocal);
        QCOMPARE(a.peerAddress, aPeer);
        QCOMPARE(b.localAddress, bLocal);
        QCOMPARE(b.peerAddress, bPeer);
        // What A's filter fixes match is what A's kernel sees: the peer's packets from aPeer.
        const std::vector<Fix> esp = espBlockedFixes(a, EspCarrier::UdpEncap, 1422, 1500);
        QVERIFY2(esp.front().text.contains(QStringLiteral("-p udp -s %1 -d %2 ").arg(aPeer, aLocal)),
                 qPrintable(esp.front().text));
        if (swapped)
            QVERIFY2(!esp.front().text.contains(QStringLiteral("-s %1 ").arg(left)),
                     qPrintable(esp.front().text));
    }

    void routerRuleBesideANatStatesItsView()
    {
        // A router's FORWARD rule dropping UDP 4500 (a listing written here, host 'mid' by its file
        // name), diagnosed with natt's two captures: the ACCEPT rules use the ends' own addresses and
        // the fix says that this is an assumption with a NAT on the path, naming the translation the
        // captures show (right sees left as truth.json's nat_public_ip_of_left). Without NAT
        // (esp-blocked's captures) the same rule's fix carries no such note.
        const QJsonObject topo = truth(QStringLiteral("natt")).value(QStringLiteral("topology")).toObject();
        const QString left = topo[QStringLiteral("left")][QStringLiteral("outer_ip")].toString();
        const QString right = topo[QStringLiteral("right")][QStringLiteral("outer_ip")].toString();
        const QString nat = topo[QStringLiteral("mid")][QStringLiteral("nat_public_ip_of_left")].toString();
        QTemporaryDir tmp;
        const QString listing =
            writeIn(tmp, QStringLiteral("mid-iptables-end.txt"),
                    "*filter\n:FORWARD ACCEPT [0:0]\n[9:1000] -A FORWARD -p udp -m udp --dport 4500 -j DROP\n"
                    "[9:1000] -A FORWARD -p esp -j DROP\nCOMMIT\n");
        QVERIFY(!listing.isEmpty());
        for (const QString &scenario : {QStringLiteral("natt"), QStringLiteral("esp-blocked")}) {
            const QString dir = labDir(scenario);
            DiagnosisFiles files;
            files.captureA = dir + QStringLiteral("/left-outer.pcap");
            files.captureB = dir + QStringLiteral("/right-outer.pcap");
            files.evidence << listing;
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            const Finding *fw = findingOf(ld, QLatin1String("firewall_drop"));
            QVERIFY2(fw, qPrintable(scenario));
            QVERIFY(!fw->fixes.empty());
            const QString text = fw->fixes.front().text;
            QVERIFY2(text.contains(QStringLiteral("-s %1 -d %2 ").arg(left, right)), qPrintable(text));
            if (scenario == QLatin1String("natt")) {
                QVERIFY2(text.startsWith(QLatin1String("# NAT on the path")), qPrintable(text));
                QVERIFY2(text.contains(QStringLiteral("%1 reaches %2 as %3").arg(left, right, nat)),
                         qPrintable(text));
            } else {
                QVERIFY2(!text.contains(QLatin1String("NAT on the path")), qPrintable(text));
            }
        }
    }

    void natPairFirewallRuleOfTheRightHost()
    {
        // natt: right's own iptables drops UDP 4500 from left as right sees it, the NAT's address
        // (truth.json nat_public_ip_of_left). Right's listing, given as right's evidence (capture
        // B's, then capture A's with the captures swapped), is matched with right's view, and its
        // ACCEPT names the same two addresses (the old code matched left's own 10.0.1.1 only: no
        // finding at all).
        const QJsonObject topo = truth(QStringLiteral("natt")).value(QStringLiteral("topology")).toObject();
        const QString right = topo[QStringLiteral("right")][QStringLiteral("outer_ip")].toString();
        const QString nat = topo[QStringLiteral("mid")][QStringLiteral("nat_public_ip_of_left")].toString();
        QTemporaryDir tmp;
        const QString listing =
            writeIn(tmp, QStringLiteral("iptables-save.txt"),
                    QStringLiteral("*filter\n:INPUT ACCEPT [0:0]\n"
                                   "[9:1000] -A INPUT -s %1/32 -p udp -m udp --dport 4500 -j DROP\nCOMMIT\n")
                        .arg(nat)
                        .toUtf8());
        QVERIFY(!listing.isEmpty());
        const QString dir = labDir(QStringLiteral("natt"));
        for (const bool rightIsA : {false, true}) {
            DiagnosisFiles files;
            files.captureA =
                dir + (rightIsA ? QStringLiteral("/right-outer.pcap") : QStringLiteral("/left-outer.pcap"));
            files.captureB =
                dir + (rightIsA ? QStringLiteral("/left-outer.pcap") : QStringLiteral("/right-outer.pcap"));
            (rightIsA ? files.evidenceA : files.evidenceB) << listing;
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            const Finding *fw = findingOf(ld, QLatin1String("firewall_drop"));
            QVERIFY2(fw, rightIsA ? "right as A: no firewall_drop" : "right as B: no firewall_drop");
            QVERIFY(!fw->fixes.empty());
            const QString text = fw->fixes.front().text;
            QVERIFY2(
                text.contains(QStringLiteral("-s %1 -d %2 -p udp -m multiport --ports 4500").arg(nat, right)),
                qPrintable(text));
        }
    }

    void oneCaptureEndsFromTheTtl()
    {
        // One capture, no host evidence. left-outer.pcap of mtu-blackhole holds left's packets at
        // their initial TTL and right's lowered by mid: the capture is left's, the peer right
        // (truth.json topology), so the per-peer route names right's address (it was
        // <peer-address>). right-outer.pcap is right's (no path MTU is proven there, so no route
        // fix): its ends are named the other way round.
        const QString scenario = QStringLiteral("mtu-blackhole");
        const QJsonObject topo = truth(scenario).value(QStringLiteral("topology")).toObject();
        const QString left = topo[QStringLiteral("left")][QStringLiteral("outer_ip")].toString();
        const QString right = topo[QStringLiteral("right")][QStringLiteral("outer_ip")].toString();
        for (const bool atLeft : {true, false}) {
            DiagnosisFiles files;
            files.captureA = labDir(scenario) + (atLeft ? QStringLiteral("/left-outer.pcap")
                                                        : QStringLiteral("/right-outer.pcap"));
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
            QCOMPARE(ld.facts().localAddress, atLeft ? left : right);
            QCOMPARE(ld.facts().peerAddress, atLeft ? right : left);
            if (!atLeft) continue;
            const Fix *route = nullptr;
            for (const Finding &fd : ld.diagnosis().findings)
                for (const Fix &x : fd.fixes)
                    if (x.kind == FixKind::IpLink && !route) route = &x;
            QVERIFY(route);
            QVERIFY2(route->text.contains(QStringLiteral("route replace %1/32 ").arg(right)),
                     qPrintable(route->text));
            QVERIFY2(!route->text.contains(QLatin1String("<peer-address>")), qPrintable(route->text));
        }
    }

    // natt-expiry: the NAT gave left one new mapping (its port 52850). charon logs
    // that one change twice on right, as the kernel's "NAT mappings of CHILD_SA ... changed to
    // A[P]" and the IKE_SA's "remote endpoint changed from ... to A[P]": one change. Expected: the
    // distinct endpoints the logs' "NAT mappings ... changed to" lines name, counted by regex.
    void natMappingChangeCountedOnce_data()
    {
        QTest::addColumn<bool>("swapped");
        QTest::addRow("left as A") << false;
        QTest::addRow("right as A") << true;
    }
    void natMappingChangeCountedOnce()
    {
        QFETCH(bool, swapped);
        const QString dir = labDir(QStringLiteral("natt-expiry"));
        QSet<QString> endpoints;
        const QRegularExpression line(
            QStringLiteral("\\[KNL\\] NAT mappings of CHILD_SA \\S+ changed to (\\S+\\[\\d+\\]),"));
        for (const QString &host : {QStringLiteral("left"), QStringLiteral("right")}) {
            QFile log(dir + QStringLiteral("/charon-") + host + QStringLiteral(".log"));
            QVERIFY(log.open(QIODevice::ReadOnly));
            for (const QByteArray &l : log.readAll().split('\n'))
                if (const auto m = line.match(QString::fromUtf8(l)); m.hasMatch()) endpoints << m.captured(1);
        }
        QCOMPARE(endpoints.size(), 1);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseLabPairWithLogs(dir, swapped, ld, &error), qPrintable(error));
        const Finding *nat = findingOf(ld, QLatin1String("nat_mapping_expiry"));
        QVERIFY(nat);
        QStringList texts;
        for (const EvidenceItem &e : nat->evidence)
            texts << e.text;
        const QString all = texts.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(
                     QStringLiteral("charon saw the NAT mapping change %1 time(s)").arg(endpoints.size())),
                 qPrintable(all));
    }

    // dpd: charon ran retransmit_timeout 2.0, base 1.4, 3 tries (truth.json) and its log shows
    // it: "giving up after 3 retransmits", the retransmissions 2.0, 2.8 and 3.9 s apart. The
    // schedule the finding says is in use, and the one a retransmit_tries fix starts from, is that
    // one, not strongSwan's defaults (4 s × 1.8^k, 5 tries, 165 s). Expected values: the log's
    // own lines (regex and their timestamps) and truth.json.
    void retransmitScheduleFromTheLog_data()
    {
        QTest::addColumn<bool>("swapped");
        QTest::addColumn<bool>("peerLogOnly");
        QTest::addRow("left as A") << false << false;
        QTest::addRow("right as A") << true << false;
        QTest::addRow("left as A, only right's log") << false << true;
    }
    void retransmitScheduleFromTheLog()
    {
        QFETCH(bool, swapped);
        QFETCH(bool, peerLogOnly);
        const QString dir = labDir(QStringLiteral("dpd"));
        // The first request given up on in left's log: its first send and retransmissions.
        QFile log(dir + QStringLiteral("/charon-left.log"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(log.readAll()).split(QLatin1Char('\n'));
        const QRegularExpression giveUp(QStringLiteral("\\] <lab\\|1> giving up after (\\d+) retransmits$"));
        const QRegularExpression retx(QStringLiteral(
            "^(\\S+) \\d+\\[IKE\\] <lab\\|1> retransmit (\\d+) of request with message ID (\\d+)$"));
        int tries = -1;
        QString mid;
        std::vector<QDateTime> at;
        for (const QString &l : lines) {
            if (const auto m = retx.match(l); m.hasMatch() && tries < 0) {
                if (m.captured(2) == QLatin1String("1")) at.clear(), mid = m.captured(3);
                at.push_back(QDateTime::fromString(m.captured(1), Qt::ISODateWithMs));
            }
            if (const auto m = giveUp.match(l); m.hasMatch() && tries < 0) tries = m.captured(1).toInt();
        }
        QCOMPARE(tries, 3);
        const QRegularExpression first(
            QStringLiteral("^(\\S+) \\d+\\[ENC\\] <lab\\|1> generating \\S+ request %1 \\[").arg(mid));
        QDateTime sent;
        for (const QString &l : lines)
            if (const auto m = first.match(l); m.hasMatch())
                sent = QDateTime::fromString(m.captured(1), Qt::ISODateWithMs);
        QVERIFY(sent.isValid() && at.size() == 3);
        const double timeout = std::round(sent.msecsTo(at[0]) / 100.0) / 10;                      // 2.0
        const double base = std::round(100.0 * at[0].msecsTo(at[1]) / sent.msecsTo(at[0])) / 100; // 1.4
        QCOMPARE(timeout, 2.0);
        QCOMPARE(base, 1.4);
        const QString inTruth = truth(QStringLiteral("dpd"))
                                    .value(QStringLiteral("ipsec"))
                                    .toObject()
                                    .value(QStringLiteral("retransmit_timeout_base_tries"))
                                    .toString();
        QCOMPARE(inTruth, QStringLiteral("2.0/1.4/3"));

        DiagnosisFiles files = labPairWithStats(dir, swapped);
        if (!peerLogOnly) files.evidence << dir + QStringLiteral("/charon-left.log");
        files.evidence << dir + QStringLiteral("/charon-right.log");
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Finding *pu = findingOf(ld, QLatin1String("peer_unreachable"));
        QVERIFY(pu);
        QString schedule;
        for (const EvidenceItem &e : pu->evidence)
            if (e.text.startsWith(QLatin1String("retransmission schedule"))) schedule = e.text;
        if (peerLogOnly) {
            // Only the peer's log: it shows the peer's schedule, not this end's, whose fix and undo
            // are this end's strongswan.conf. Assumed (defaults), and no tries are sized on it.
            QVERIFY2(schedule.startsWith(QLatin1String("retransmission schedule: ")) &&
                         schedule.contains(QLatin1String("assumed")),
                     qPrintable(schedule));
            QVERIFY(!findFix(*pu, FixKind::StrongswanConf));
            return;
        }
        QVERIFY2(schedule.startsWith(
                     QStringLiteral("retransmission schedule in use: %1 s × %2^k, %3 retransmissions")
                         .arg(timeout)
                         .arg(base)
                         .arg(tries)),
                 qPrintable(schedule));
        QVERIFY2(!schedule.contains(QLatin1String("default")), qPrintable(schedule));
        // The outage (truth.json: 22 s) outlasts the 14.2 s that schedule retransmits for: the
        // fix asks for tries whose retransmissions outlast it, counted on the log's timeout and base.
        const double outage = truth(QStringLiteral("dpd"))
                                  .value(QStringLiteral("injected_faults"))
                                  .toArray()
                                  .first()
                                  .toObject()
                                  .value(QStringLiteral("duration_s"))
                                  .toDouble();
        QCOMPARE(outage, 22.0);
        const Fix *conf = findFix(*pu, FixKind::StrongswanConf);
        QVERIFY2(conf, "no retransmit_tries fix");
        const int fixed = capture(conf->text, QStringLiteral("retransmit_tries = (\\d+)"));
        double total = 0;
        for (int k = 0; k <= fixed; ++k)
            total += timeout * std::pow(base, k);
        QVERIFY2(fixed > tries && total > outage, qPrintable(conf->text + conf->changes));
        QVERIFY2(conf->undo.contains(QStringLiteral("put back retransmit_tries = %1").arg(tries)),
                 qPrintable(conf->undo));
    }

    // ike-frag-ok: neither capture holds ESP (verify.json, tshark: 0 ESP packets, 0 ESP in UDP).
    // Step 2 has no packet size to judge: it may not pass on "no size-dependent loss" nor quote a
    // largest outer ESP packet of 0 bytes.
    void mtuStepWithoutEsp_data()
    {
        QTest::addColumn<bool>("swapped");
        QTest::addRow("left as A") << false;
        QTest::addRow("right as A") << true;
    }
    void mtuStepWithoutEsp()
    {
        QFETCH(bool, swapped);
        const QString dir = labDir(QStringLiteral("ike-frag-ok"));
        QFile verify(dir + QStringLiteral("/verify.json"));
        QVERIFY(verify.open(QIODevice::ReadOnly));
        const QJsonObject caps =
            QJsonDocument::fromJson(verify.readAll()).object().value(QStringLiteral("captures")).toObject();
        for (const char *c : {"left-outer.pcap", "right-outer.pcap"}) {
            const QJsonObject o = caps.value(QLatin1String(c)).toObject();
            QVERIFY(o.contains(QStringLiteral("esp_packets")));
            QCOMPARE(o.value(QStringLiteral("esp_packets")).toInt() +
                         o.value(QStringLiteral("esp_udp_encap_packets")).toInt(),
                     0);
        }
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(labPairWithStats(dir, swapped), ld, &error), qPrintable(error));
        const ChecklistStep &mtu = step(ld.diagnosis(), 2);
        for (const EvidenceItem &e : mtu.evidence)
            QVERIFY2(!e.text.contains(QLatin1String("largest outer ESP packet")), qPrintable(e.text));
        QVERIFY(mtu.status != StepStatus::Pass);
    }

    // natt-expiry: left is behind the NAT (truth.json) and sends no keepalive in its idle time
    // (keepalive 60 s). What proves a bound on its keepalive interval is the longest time left
    // sent nothing: in left-outer.pcap, 22.3 s. Right's packets lost at the NAT after the idle
    // time left a longer one-way silence at left (22.8 s, right→left) while left was sending
    // again: no bound on left's keepalives. Expected: left-outer.pcap read by hand (IPv4 source).
    void keepaliveBoundFromTheNatHostsSilence()
    {
        const QString dir = labDir(QStringLiteral("natt-expiry"));
        const QJsonObject mid = truth(QStringLiteral("natt-expiry"))
                                    .value(QStringLiteral("topology"))
                                    .toObject()
                                    .value(QStringLiteral("mid"))
                                    .toObject();
        QVERIFY(mid.value(QStringLiteral("nat_masquerade")).toBool());
        QByteArray header;
        std::vector<PcapRecord> records;
        int linkType = 0;
        QVERIFY(readPcap(dir + QStringLiteral("/left-outer.pcap"), header, records, linkType));
        QCOMPARE(linkType, 1);
        const QByteArray left("\x0a\x00\x01\x01", 4); // 10.0.1.1
        double last = -1, longest = 0;
        for (const PcapRecord &r : records) {
            if (r.data.size() < 34 || quint8(r.data[12]) != 0x08 || quint8(r.data[13]) != 0x00) continue;
            if (r.data.mid(26, 4) != left) continue;
            if (last >= 0) longest = std::max(longest, r.t - last);
            last = r.t;
        }
        QVERIFY(longest > 20 && longest < 23);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseLabPairWithLogs(dir, false, ld, &error), qPrintable(error));
        const Finding *nat = findingOf(ld, QLatin1String("nat_mapping_expiry"));
        QVERIFY(nat);
        const QString expected = QString::number(std::round(longest * 10) / 10, 'f', 1);
        bool cited = false;
        for (const EvidenceItem &e : nat->evidence)
            if (e.text.contains(QLatin1String("no NAT-T keepalive was captured"))) {
                QVERIFY2(e.text.contains(QStringLiteral("longest idle gap captured, %1 s").arg(expected)),
                         qPrintable(e.text + QStringLiteral(" / expected ") + expected));
                cited = true;
            }
        QVERIFY(cited);
        const Fix *sysctl = findFix(*nat, FixKind::Sysctl);
        QVERIFY(sysctl);
        QVERIFY2(sysctl->changes.contains(QStringLiteral("idle gap of %1 s").arg(expected)),
                 qPrintable(sysctl->changes));
    }

    void wordsAgreeWithTheNumbers()
    {
        // mtu-blackhole at left: no packet of the large sizes drew reverse ESP. The evidence says
        // "none of the N packets", never "only 0 of N". truth.json: every ESP packet above 1400
        // bytes was lost. The packets sent in the capture's final second (their 1 s for an
        // answer runs past its end) are left out of the counts, and the words say how many: the
        // counted and the uncounted add up to every such packet left sent, counted here from the
        // capture's bytes (Ethernet, IPv4 from 10.0.1.1, protocol 50, IP total length; tshark:
        // 31 above 1400 bytes, the last of them the capture's last packet, and 32 smaller).
        const QString dir = labDir(QStringLiteral("mtu-blackhole"));
        const int passing = truth(QStringLiteral(
            "mtu-blackhole"))[QStringLiteral("expected_diagnosis")][QStringLiteral("max_esp_packet_passing")]
                                .toInt();
        QCOMPARE(passing, 1400);
        QByteArray header;
        std::vector<PcapRecord> records;
        int linkType = 0;
        QVERIFY(readPcap(dir + QStringLiteral("/left-outer.pcap"), header, records, linkType));
        QCOMPARE(linkType, 1);
        QVERIFY(!records.empty());
        const double end = records.back().t;
        const QByteArray left("\x0a\x00\x01\x01", 4); // 10.0.1.1
        int large = 0, largeLate = 0, small = 0, smallLate = 0, smallestLarge = 65536;
        for (const PcapRecord &r : records) {
            const QByteArray &d = r.data;
            if (d.size() < 34 || quint8(d[12]) != 0x08 || quint8(d[13]) != 0x00) continue;
            if (quint8(d[23]) != 50 || d.mid(26, 4) != left) continue;
            const int length = (quint8(d[16]) << 8) | quint8(d[17]);
            const bool late = r.t > end - 1.0;
            if (length > passing) {
                ++large;
                largeLate += late;
                smallestLarge = std::min(smallestLarge, length);
            } else {
                ++small;
                smallLate += late;
            }
        }
        QCOMPARE(large, 31);
        QVERIFY(largeLate > 0); // what this test is about: one lost packet in the final second
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        static const QRegularExpression none(
            QStringLiteral("^none of the \\d+ packets of \\d+ bytes or more drew any reverse ESP"));
        static const QRegularExpression against(QStringLiteral("against (\\d+) of"));
        int found = 0;
        for (const Finding &fd : ld.diagnosis().findings)
            for (const EvidenceItem &e : fd.evidence) {
                QVERIFY2(!e.text.contains(QLatin1String("only 0 of")), qPrintable(e.text));
                if (!none.match(e.text).hasMatch()) continue;
                // The smaller packets' answers are the analyzer's; their counts are checked.
                const QString answered = against.match(e.text).captured(1);
                QVERIFY2(!answered.isEmpty(), qPrintable(e.text));
                QCOMPARE(
                    e.text,
                    QStringLiteral("none of the %1 packets of %2 bytes or more drew any reverse ESP traffic "
                                   "within 1 s, against %3 of %4 smaller ones; not counted: %5 more %6 of "
                                   "%2 bytes or more and %7 smaller packets, sent in the capture's final "
                                   "second (the capture ends before their 1 s for an answer does)")
                        .arg(large - largeLate)
                        .arg(smallestLarge)
                        .arg(answered)
                        .arg(small - smallLate)
                        .arg(largeLate)
                        .arg(largeLate == 1 ? QStringLiteral("packet") : QStringLiteral("packets"))
                        .arg(smallLate));
                ++found;
            }
        QVERIFY(found > 0);
        // The path MTU's provenance counts the same packets and says so.
        const QString how =
            QStringLiteral("while the %1 packets of %2 bytes or more sent before the capture's "
                           "final second drew nothing (%3 more %4 sent in it)")
                .arg(large - largeLate)
                .arg(smallestLarge)
                .arg(largeLate)
                .arg(largeLate == 1 ? QStringLiteral("was") : QStringLiteral("were"));
        QVERIFY2(ld.diagnosis().basis.pathMtuText.contains(how),
                 qPrintable(ld.diagnosis().basis.pathMtuText + QStringLiteral(" / ") + how));
    }

    // Step 1 never shows PASS next to heavy loss. For every lab pair, each direction's loss as
    // the lab's own tshark count has it (verify.json esp_loss): from 10 lost and 0.5 % on (a
    // failure by the checklist's loss rule) step 1 is not PASS, names the count "L of S", and
    // when no finding of its own explains it, names the step that does ("step K"), whose status
    // is then warn or fail. Before, mtu-blackhole (31 of 63), dpd (90 of 186), natt-expiry (11
    // of 524) and esp-blocked (13 of 13) showed step 1 PASS: the loss belonged to another step.
    void stepOneNamesTheLossAndItsStep()
    {
        static const QRegularExpression stepRef(QStringLiteral("\\bstep (\\d)\\b"));
        int heavy = 0;
        for (const auto &[name, dir, loss] : labPairs()) {
            if (loss.isEmpty()) continue;
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(pairFiles(dir), ld, &error), qPrintable(error));
            const Diagnosis &d = ld.diagnosis();
            const ChecklistStep &one = step(d, 1);
            for (const QString &key : {QStringLiteral("left_to_right"), QStringLiteral("right_to_left")}) {
                const qint64 sent = loss[key][QStringLiteral("sent")].toInteger();
                const qint64 lost = loss[key][QStringLiteral("lost")].toInteger();
                if (lost < 10 || 200 * lost < sent) continue;
                ++heavy;
                const QString what = name + QLatin1Char(' ') + key;
                QVERIFY2(one.status != StepStatus::Pass, qPrintable(what));
                const QString count = QStringLiteral("%1 of %2").arg(lost).arg(sent);
                const EvidenceItem *line = nullptr;
                for (const EvidenceItem &e : one.evidence)
                    if (e.text.contains(count)) line = &e;
                QVERIFY2(line, qPrintable(what + QStringLiteral(": no line with ") + count));
                if (!one.causes.isEmpty()) continue; // a finding of step 1 explains it
                const auto m = stepRef.match(line->text);
                QVERIFY2(m.hasMatch(), qPrintable(what + QStringLiteral(": ") + line->text));
                const int k = m.captured(1).toInt();
                QVERIFY2(k >= 2 && k <= 6, qPrintable(line->text));
                const StepStatus other = step(d, k).status;
                QVERIFY2(other == StepStatus::Warn || other == StepStatus::Fail,
                         qPrintable(what + QStringLiteral(": ") + line->text));
            }
        }
        QVERIFY(heavy >= 5);
    }

    // Step 3's pass line says "no outage" only where ESP got through: in every lab pair whose
    // verify.json (the lab's own count) has a direction that lost all the ESP it sent
    // (esp-blocked: 13 of 13 and 5 of 5), step 3 does not say so. Before, esp-blocked's step 3
    // read "no NAT-T in use, no outage and no dead peer" beside 100 % loss both ways.
    void stepThreeSaysNoOutageOnlyWhereEspArrived()
    {
        int allLost = 0;
        for (const auto &[name, dir, loss] : labPairs()) {
            bool none = false;
            for (const QString &key : {QStringLiteral("left_to_right"), QStringLiteral("right_to_left")}) {
                const qint64 sent = loss[key][QStringLiteral("sent")].toInteger();
                none = none || (sent > 0 && loss[key][QStringLiteral("lost")].toInteger() == sent);
            }
            if (!none) continue;
            ++allLost;
            Investigation ld;
            QString error;
            QVERIFY2(diagnoseFiles(pairFiles(dir), ld, &error), qPrintable(error));
            for (const EvidenceItem &e : step(ld.diagnosis(), 3).evidence)
                QVERIFY2(!e.text.contains(QStringLiteral("no outage")),
                         qPrintable(name + QStringLiteral(": ") + e.text));
            // Each end's capture alone: ESP one way only (libpcap's BPF counts each direction).
            for (const QString &side :
                 {QStringLiteral("left-outer.pcap"), QStringLiteral("right-outer.pcap")}) {
                const QString cap = dir.filePath(side);
                const int out = bpfCount(cap, "esp and src host 10.0.1.1"),
                          in = bpfCount(cap, "esp and src host 10.0.2.1");
                if ((out > 0) == (in > 0)) continue;
                DiagnosisFiles one;
                one.captureA = cap;
                Investigation alone;
                QVERIFY2(diagnoseFiles(one, alone, &error), qPrintable(error));
                for (const EvidenceItem &e : step(alone.diagnosis(), 3).evidence)
                    QVERIFY2(!e.text.contains(QStringLiteral("no outage")),
                             qPrintable(name + QLatin1Char('/') + side + QStringLiteral(": ") + e.text));
                ++allLost;
            }
        }
        QVERIFY(allLost >= 3); // esp-blocked: the pair, left alone, right alone
    }

    // The dpd lab's restart fix for each end alone: truth.json's topology names left the initiator
    // and right the responder. Only the initiator re-creates the SA by itself (restart, start);
    // the responder keeps its policies as traps, or both ends would create one.
    void dpdRestartOnlyOnTheInitiator_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("left") << QStringLiteral("left");
        QTest::newRow("right") << QStringLiteral("right");
    }
    void dpdRestartOnlyOnTheInitiator()
    {
        QFETCH(QString, host);
        const QString role =
            truth(QStringLiteral("dpd"))[QStringLiteral("topology")][host][QStringLiteral("role")].toString();
        QVERIFY(role == QLatin1String("initiator") || role == QLatin1String("responder"));
        const bool initiator = role == QLatin1String("initiator");
        DiagnosisFiles files;
        files.captureA = labDir(QStringLiteral("dpd")) + QStringLiteral("/%1-outer.pcap").arg(host);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Finding *fd = nullptr;
        for (const Finding &f : ld.diagnosis().findings)
            if (f.cause == QLatin1String("peer_unreachable")) fd = &f;
        QVERIFY(fd);
        const Fix *swan = findFix(*fd, FixKind::Swanctl);
        const Fix *legacy = findFix(*fd, FixKind::IpsecConf);
        QVERIFY(swan && legacy);
        QCOMPARE(swan->text.contains(QLatin1String("start_action = start")), initiator);
        QCOMPARE(swan->text.contains(QLatin1String("close_action = start")), initiator);
        QCOMPARE(swan->text.contains(QLatin1String("dpd_action = restart")), initiator);
        QCOMPARE(swan->text.contains(QLatin1String("dpd_action = trap")), !initiator);
        QCOMPARE(swan->text.contains(QLatin1String("start_action = trap")), !initiator);
        QCOMPARE(legacy->text.contains(QLatin1String("auto=start")), initiator);
        QCOMPARE(legacy->text.contains(QLatin1String("auto=route")), !initiator);
    }

    // The dpd lab: truth.json gives left dpd_action = restart, right clear. charon-left.log shows
    // it: "restarting CHILD_SA net" right after "giving up after 3 retransmits" of the same
    // IKE_SA (strongSwan's ike_sa.c reestablish() logs that line for a child whose dpd_action is
    // restart when the IKE_SA is neither being deleted nor reauthenticated). With left's own log
    // the fix neither adds a dpd_action line nor says the default (clear) is what removing its
    // lines leaves; it cites the line. The same log with "proper IKE_SA delete failed" between
    // the two (a give-up while deleting: the restart is then a reauthentication's, every child
    // restarted whatever its dpd_action) proves nothing. And left's log as the peer's never
    // stands for right's own action.
    void dpdActionProvenByThisEndsLog_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("aLog");
        QTest::addColumn<QString>("bLog");
        QTest::addColumn<bool>("deleting");
        QTest::addColumn<bool>("proven");
        QTest::addColumn<bool>("percentName");
        QTest::newRow("left, its own log") << "left"
                                           << "left"
                                           << "" << false << true << false;
        // A %2 in the log's name is cited as it is, not filled in with the line number.
        QTest::newRow("left, its own log named charon%2-left.log") << "left"
                                                                   << "left"
                                                                   << "" << false << true << true;
        QTest::newRow("left, its own log, peer's too") << "left"
                                                       << "left"
                                                       << "right" << false << true << false;
        QTest::newRow("left, a give-up while deleting") << "left"
                                                        << "left"
                                                        << "" << true << false << false;
        QTest::newRow("right, left's log as the peer's") << "right"
                                                         << "right"
                                                         << "left" << false << false << false;
    }
    void dpdActionProvenByThisEndsLog()
    {
        QFETCH(QString, a);
        QFETCH(QString, aLog);
        QFETCH(QString, bLog);
        QFETCH(bool, deleting);
        QFETCH(bool, proven);
        QFETCH(bool, percentName);
        const QString dir = labDir(QStringLiteral("dpd"));
        const QJsonObject t = truth(QStringLiteral("dpd"));
        QCOMPARE(t[QStringLiteral("ipsec")][QStringLiteral("dpd_action")][QStringLiteral("left")].toString(),
                 QStringLiteral("restart"));
        QCOMPARE(t[QStringLiteral("ipsec")][QStringLiteral("dpd_action")][QStringLiteral("right")].toString(),
                 QStringLiteral("clear"));
        const bool initiator =
            t[QStringLiteral("topology")][a][QStringLiteral("role")].toString() == QLatin1String("initiator");
        // The log lines by hand: the restart and the give-up right before it.
        QFile lf(dir + QStringLiteral("/charon-%1.log").arg(aLog));
        QVERIFY(lf.open(QIODevice::ReadOnly));
        QStringList lines = QString::fromUtf8(lf.readAll()).split(QLatin1Char('\n'));
        int restartLine = 0, giveUpLine = 0;
        for (int i = 0; i < lines.size(); ++i) {
            if (lines[i].contains(QLatin1String("giving up after"))) giveUpLine = i + 1;
            if (lines[i].contains(QLatin1String("restarting CHILD_SA net")) && !restartLine)
                restartLine = i + 1;
        }
        QCOMPARE(restartLine > 0, aLog == QLatin1String("left"));
        QTemporaryDir tmp;
        QString aLogPath = dir + QStringLiteral("/charon-%1.log").arg(aLog);
        if (deleting) {
            QVERIFY(restartLine == giveUpLine + 1);
            QString deletingLine = lines[giveUpLine - 1];
            deletingLine.replace(QLatin1String("giving up after 3 retransmits"),
                                 QLatin1String("proper IKE_SA delete failed, peer not responding"));
            lines.insert(restartLine - 1, deletingLine);
            aLogPath =
                writeIn(tmp, QStringLiteral("charon-left.log"), lines.join(QLatin1Char('\n')).toUtf8());
            ++restartLine;
        }
        if (percentName)
            aLogPath =
                writeIn(tmp, QStringLiteral("charon%2-left.log"), lines.join(QLatin1Char('\n')).toUtf8());
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/%1-outer.pcap").arg(a);
        files.evidenceA << aLogPath;
        if (!bLog.isEmpty()) {
            files.captureB = dir + QStringLiteral("/%1-outer.pcap").arg(bLog);
            files.evidenceB << dir + QStringLiteral("/charon-%1.log").arg(bLog);
        }
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Finding *fd = findingOf(ld, QLatin1String("peer_unreachable"));
        QVERIFY(fd);
        const Fix *swan = findFix(*fd, FixKind::Swanctl);
        const Fix *legacy = findFix(*fd, FixKind::IpsecConf);
        QVERIFY(swan && legacy);
        const QString cited = QStringLiteral("line %1").arg(restartLine);
        if (proven) {
            QVERIFY(initiator);
            QVERIFY2(!swan->text.contains(QLatin1String("dpd_action")), qPrintable(swan->text));
            QVERIFY2(!legacy->text.contains(QLatin1String("dpdaction")), qPrintable(legacy->text));
            QVERIFY2(swan->changes.contains(QLatin1String("restarting CHILD_SA net")) &&
                         swan->changes.contains(cited),
                     qPrintable(swan->changes));
            if (percentName)
                QVERIFY2(swan->changes.contains(QStringLiteral("charon%2-left.log line %1").arg(restartLine)),
                         qPrintable(swan->changes));
            QVERIFY2(!swan->undo.contains(QLatin1String("dpd_action")), qPrintable(swan->undo));
            QVERIFY2(!legacy->undo.contains(QLatin1String("dpdaction")), qPrintable(legacy->undo));
        } else if (initiator) {
            QVERIFY2(swan->text.contains(QLatin1String("dpd_action = restart")), qPrintable(swan->text));
            QVERIFY2(!swan->changes.contains(QLatin1String("restarting CHILD_SA")),
                     qPrintable(swan->changes));
        } else {
            // The responder's own action (clear) is not the peer's restart.
            QVERIFY2(swan->text.contains(QLatin1String("dpd_action = trap")), qPrintable(swan->text));
            QVERIFY2(!swan->changes.contains(QLatin1String("restart in use")) &&
                         !swan->changes.contains(QLatin1String("instead of the restart")),
                     qPrintable(swan->changes));
            QVERIFY2(!swan->undo.contains(QLatin1String("dpd_action = restart")), qPrintable(swan->undo));
        }
    }

    // mtu-blackhole at right alone (the receiving end of the black-holed direction): by tshark
    // (`esp && ip.src==10.0.1.1`, none fragmented) the largest ESP packet from left it holds has
    // 1100 bytes; truth.json's link MTU is 1400. Those 1100 bytes arrived, so the path MTU is not
    // "no packet proven delivered", but with no size proven lost they are a lower bound only: no
    // value for a fix (it would cut the MTU to 1100), and the search starts there.
    void receiverLowerBoundIsNoFixValue()
    {
        const QString dir = labDir(QStringLiteral("mtu-blackhole"));
        const int link = truth(QStringLiteral(
            "mtu-blackhole"))[QStringLiteral("injected_faults")][0][QStringLiteral("link_mtu")]
                             .toInt();
        QCOMPARE(link, 1400);
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/right-outer.pcap");
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
        QCOMPARE(int(d.basis.pathMtu), 0);
        QVERIFY2(!d.basis.pathMtuText.contains(QLatin1String("no packet proven delivered")),
                 qPrintable(d.basis.pathMtuText));
        QVERIFY2(d.basis.pathMtuText.contains(QLatin1String("from 10.0.1.1 of up to 1100 bytes arrived")),
                 qPrintable(d.basis.pathMtuText));
        QVERIFY2(d.basis.pathMtuRefine.contains(QLatin1String("--min 1100 --max 1500")),
                 qPrintable(d.basis.pathMtuRefine));
        for (const Finding &fd : d.findings)
            for (const Fix &x : fd.fixes)
                QVERIFY2(!x.text.contains(QLatin1String("1100")), qPrintable(x.text));
    }

    void hostEvidenceFacts()
    {
        // iproute2's ESN form (fixture: " replay_window 1024" and " replay_window 64" under
        // "anti-replay esn context:", "replay-window 0" in the SA line): the smaller is in use.
        // The NAT's timeout for the established NAT-T flow is _stream, not nf_conntrack_udp_timeout.
        EvidenceSet set;
        QVERIFY(set.addPath(QStringLiteral(IKEV2WB_TEST_DATA "/evidence/xfrm-state-esn-window.txt")));
        set.addText(QStringLiteral("nat-sysctl.txt"),
                    QByteArrayLiteral("net.netfilter.nf_conntrack_udp_timeout = 30\n"
                                      "net.netfilter.nf_conntrack_udp_timeout_stream = 120\n"));
        DiagnosisInput in;
        in.evidence = &set;
        const Facts f = deriveFacts(in);
        QCOMPARE(f.configuredReplayWindow, 64);
        QString basis;
        QCOMPARE(replayWindowInUse(f, &basis), 64u);
        bool assumed = true;
        QCOMPARE(natUdpTimeoutInUse(f, &assumed, &basis), 120.0);
        QVERIFY(!assumed);
        QVERIFY2(basis.contains(QLatin1String("nf_conntrack_udp_timeout_stream")), qPrintable(basis));
    }

    void hostileNatTimeoutIsNoTimeout()
    {
        // "nan" parses as a double (QString::toDouble says ok) and passed "t <= 0": the diagnosis
        // then spoke of "the NAT's UDP timeout of nan s". Neither it nor "inf" is a timeout.
        for (const QByteArray &v : {QByteArrayLiteral("nan"), QByteArrayLiteral("inf")}) {
            EvidenceSet set;
            set.addText(QStringLiteral("nat-sysctl.txt"),
                        QByteArrayLiteral("net.netfilter.nf_conntrack_udp_timeout_stream = ") + v + '\n');
            DiagnosisInput in;
            in.evidence = &set;
            const Facts f = deriveFacts(in);
            bool assumed = false;
            QString basis;
            const double t = natUdpTimeoutInUse(f, &assumed, &basis);
            QVERIFY2(assumed && std::isfinite(t),
                     qPrintable(QString::fromLatin1(v) + QLatin1String(": ") + basis));
        }
    }

    void replayWindowAssumption_data()
    {
        QTest::addColumn<int>("assumed");
        QTest::addColumn<bool>("withEvidence");
        QTest::newRow("assumed 16") << 16 << false;
        QTest::newRow("assumed 32") << 32 << false;
        QTest::newRow("assumed 64, evidence says 16") << 64 << true;
        QTest::newRow("assumed 32, evidence says 16") << 32 << true;
    }

    void replayWindowAssumption()
    {
        QFETCH(int, assumed);
        QFETCH(bool, withEvidence);
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        // The receiving kernel: its SA's window and how many packets it dropped as too old.
        const auto start = inboundReplayStats(dir + QStringLiteral("/stats/right-xfrm-state-start.txt"));
        const auto end = inboundReplayStats(dir + QStringLiteral("/stats/right-xfrm-state-end.txt"));
        QCOMPARE(end.size(), std::size_t(1));
        QCOMPARE(start.size(), std::size_t(1));
        const int kernelWindow = end.front().first;
        const qint64 kernelDrops = end.front().second - start.front().second;
        QCOMPARE(kernelWindow, 16);
        QCOMPARE(kernelDrops, qint64(25));

        const DiagnosisFiles files = rightCaptureAndStats(dir, assumed, withEvidence);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();

        // What the window in use should drop: the kernel's own count at its window; at other
        // windows the bare emulator fed the receiver's captured sequence numbers per inbound SA.
        const int window = withEvidence ? kernelWindow : assumed;
        qint64 expected = 0;
        if (window == kernelWindow) {
            expected = kernelDrops;
        } else {
            for (const EspSa &sa : ld.index(Host::A)->espSas) {
                ReplayWindow w{std::uint32_t(window)};
                ld.index(Host::A)->packets.forEach([&](const PacketRecord &r) {
                    if (r.isEsp() && r.spi() == sa.spi && r.flowId == sa.flowId) w.receive(r.seq());
                });
                expected += qint64(w.counters().outsideWindow + w.counters().replayed);
            }
            if (window == 32) QCOMPARE(expected, qint64(0)); // the reordering stays within 32
        }
        QCOMPARE(qint64(d.basis.replayWindow), qint64(window));
        QCOMPARE(d.basis.replayWindowAssumed, !withEvidence);
        QVERIFY(d.basis.replayEmulated);
        QCOMPARE(qint64(d.basis.replayDrops), expected);
        const QString basis = d.basis.replayWindowBasis;
        if (withEvidence)
            QVERIFY2(basis.startsWith(QLatin1String("read from ip xfrm state")) &&
                         basis.endsWith(QLatin1String(": 16")),
                     qPrintable(basis));
        else
            QCOMPARE(basis, QStringLiteral("assumed %1 (Preferences)").arg(assumed));

        // The checklist's step 4 says the same, naming where the window came from.
        QString line;
        QCOMPARE(droppedInStep(step(d, 4), &line), expected);
        QVERIFY2(line.contains(basis), qPrintable(line));
        if (expected > 0)
            QVERIFY(step(d, 4).status == StepStatus::Fail || step(d, 4).status == StepStatus::Warn);
        // So does the JSON (an added object; nothing else changed shape).
        const QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(diagnosisJson(d)))
                                     .object()
                                     .value(QStringLiteral("assumptions"))
                                     .toObject();
        QCOMPARE(json.value(QStringLiteral("replay_window")).toInt(), window);
        QCOMPARE(json.value(QStringLiteral("replay_window_drops")).toInteger(), expected);
        QCOMPARE(json.value(QStringLiteral("replay_window_basis")).toString(), basis);
    }

    // One capture judges each direction with its receiving host's own window (issue 12): right's
    // capture with right's evidence only. left → right is received at right, the capture's host:
    // its kernel's window for that SA (right-xfrm-state-end.txt: 16) and the 25 drops the kernel
    // counted there; right → left is received at left, whose window no evidence gives: the
    // assumption (64), and no drops claimed (this capture is not at that receiver).
    void oneCaptureJudgesEachDirectionAtItsReceiver()
    {
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        const auto start = inboundReplayStats(dir + QStringLiteral("/stats/right-xfrm-state-start.txt"));
        const auto end = inboundReplayStats(dir + QStringLiteral("/stats/right-xfrm-state-end.txt"));
        QCOMPARE(end.size(), std::size_t(1));
        const int kernelWindow = end.front().first;
        const qint64 kernelDrops = end.front().second - start.front().second;
        QCOMPARE(kernelWindow, 16);
        const DiagnosisFiles files = rightCaptureAndStats(dir, 64, true);
        Investigation ld;
        QString error;
        QVERIFY2(diagnoseFiles(files, ld, &error), qPrintable(error));
        const Diagnosis &d = ld.diagnosis();
        // README topology: left 10.0.1.1, right 10.0.2.1.
        const DirectionReplayWindow *toRight = nullptr, *toLeft = nullptr;
        for (const DirectionReplayWindow &w : d.basis.replayWindows) {
            if (w.from == QLatin1String("10.0.1.1") && w.to == QLatin1String("10.0.2.1")) toRight = &w;
            if (w.from == QLatin1String("10.0.2.1") && w.to == QLatin1String("10.0.1.1")) toLeft = &w;
        }
        QCOMPARE(d.basis.replayWindows.size(), std::size_t(2));
        QVERIFY(toRight && toLeft);
        QCOMPARE(qint64(toRight->window), qint64(kernelWindow));
        QVERIFY(!toRight->assumed);
        QVERIFY2(toRight->basis.startsWith(QLatin1String("read from ip xfrm state (0xcd95a8a5)")),
                 qPrintable(toRight->basis));
        QVERIFY(toRight->emulated);
        QCOMPARE(qint64(toRight->drops), kernelDrops);
        QCOMPARE(toLeft->window, 64u);
        QVERIFY(toLeft->assumed);
        QCOMPARE(toLeft->basis, QStringLiteral("assumed 64 (Preferences)"));
        QVERIFY(!toLeft->emulated);
        // The JSON says the same per direction (replay_windows[], README).
        const QJsonArray json = QJsonDocument::fromJson(QByteArray::fromStdString(diagnosisJson(d)))
                                    .object()[QStringLiteral("assumptions")][QStringLiteral("replay_windows")]
                                    .toArray();
        QCOMPARE(json.size(), 2);
        for (const QJsonValue &w : json) {
            const bool right = w[QStringLiteral("to")].toString() == QLatin1String("10.0.2.1");
            QCOMPARE(w[QStringLiteral("window")].toInt(), right ? kernelWindow : 64);
            QCOMPARE(w[QStringLiteral("assumed")].toBool(), !right);
            if (right)
                QCOMPARE(w[QStringLiteral("drops")].toInteger(), kernelDrops);
            else
                QVERIFY(w[QStringLiteral("drops")].isNull());
        }
    }

    void cliAssumptions()
    {
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        const auto start = inboundReplayStats(dir + QStringLiteral("/stats/right-xfrm-state-start.txt"));
        const auto end = inboundReplayStats(dir + QStringLiteral("/stats/right-xfrm-state-end.txt"));
        QVERIFY(start.size() == 1 && end.size() == 1);
        QProcess p;
        p.start(QStringLiteral(IKEV2WB_CLI),
                {QStringLiteral("diagnose"), QStringLiteral("--capture"),
                 dir + QStringLiteral("/right-outer.pcap"), QStringLiteral("--replay-window"),
                 QString::number(end.front().first), QStringLiteral("--nat-timeout"), QStringLiteral("10"),
                 QStringLiteral("--json")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject a = QJsonDocument::fromJson(p.readAllStandardOutput())
                                  .object()
                                  .value(QStringLiteral("assumptions"))
                                  .toObject();
        QCOMPARE(a.value(QStringLiteral("replay_window")).toInt(), end.front().first);
        QCOMPARE(a.value(QStringLiteral("replay_window_drops")).toInteger(),
                 end.front().second - start.front().second);
        QCOMPARE(a.value(QStringLiteral("replay_window_basis")).toString(),
                 QStringLiteral("assumed %1 (command line)").arg(end.front().first));
        QCOMPARE(a.value(QStringLiteral("nat_udp_timeout_s")).toDouble(), 10.0);
        QVERIFY(a.value(QStringLiteral("nat_udp_timeout_assumed")).toBool());
        QCOMPARE(a.value(QStringLiteral("nat_udp_timeout_basis")).toString(),
                 QStringLiteral("assumed 10 s (command line)"));

        // Only the window given: the NAT timeout stays the documented default (DOMAIN.md: 30 s).
        QProcess one;
        one.start(QStringLiteral(IKEV2WB_CLI),
                  {QStringLiteral("diagnose"), QStringLiteral("--capture"),
                   dir + QStringLiteral("/right-outer.pcap"), QStringLiteral("--replay-window"),
                   QStringLiteral("64"), QStringLiteral("--json")});
        QVERIFY(one.waitForFinished(60000));
        const QJsonObject b = QJsonDocument::fromJson(one.readAllStandardOutput())
                                  .object()
                                  .value(QStringLiteral("assumptions"))
                                  .toObject();
        QCOMPARE(b.value(QStringLiteral("replay_window_basis")).toString(),
                 QStringLiteral("assumed 64 (command line)"));
        QCOMPARE(b.value(QStringLiteral("nat_udp_timeout_basis")).toString(),
                 QStringLiteral("assumed 30 s (default)"));

        for (const QStringList &bad : {QStringList{QStringLiteral("--replay-window"), QStringLiteral("many")},
                                       QStringList{QStringLiteral("--nat-timeout"), QStringLiteral("0")},
                                       QStringList{QStringLiteral("--nat-timeout")}}) {
            QProcess q;
            q.start(QStringLiteral(IKEV2WB_CLI),
                    QStringList{QStringLiteral("diagnose"), QStringLiteral("--capture"),
                                dir + QStringLiteral("/right-outer.pcap")} +
                        bad);
            QVERIFY(q.waitForFinished(60000));
            QCOMPARE(q.exitCode(), 2); // usage error
            QVERIFY(QString::fromUtf8(q.readAllStandardError()).contains(bad.front()));
        }
    }

    void natTimeoutAssumption()
    {
        const QString dir = labDir(QStringLiteral("natt-expiry"));
        const QJsonObject t = truth(QStringLiteral("natt-expiry"));
        const int natTimeout =
            t[QStringLiteral("topology")][QStringLiteral("mid")][QStringLiteral("conntrack_udp_timeout_s")]
                .toInt();
        QCOMPARE(natTimeout, 10);
        double idleStart = 0, idleEnd = 0;
        for (const QJsonValue &e : t[QStringLiteral("timeline")].toArray()) {
            const QString ev = e[QStringLiteral("event")].toString();
            if (ev == QLatin1String("idle_start")) idleStart = e[QStringLiteral("t")].toDouble();
            if (ev == QLatin1String("idle_end")) idleEnd = e[QStringLiteral("t")].toDouble();
        }
        const double idle = idleEnd - idleStart;
        QVERIFY(idle > natTimeout);

        auto run = [&](double assumedTimeout, Investigation &ld) {
            DiagnosisFiles files;
            files.captureA = dir + QStringLiteral("/right-outer.pcap");
            files.assumptions.natUdpTimeoutS = assumedTimeout;
            files.assumptions.natUdpTimeoutFrom = QStringLiteral("Preferences");
            QString error;
            return diagnoseFiles(files, ld, &error);
        };
        static const QRegularExpression overRe(QStringLiteral(
            "idle gap\\(s\\) of up to ([\\d.]+) s, longer than the NAT UDP timeout \\((.*)\\)"));
        auto overGap = [&](const Finding &f, QString *basis) {
            for (const EvidenceItem &e : f.evidence) {
                const auto m = overRe.match(e.text);
                if (!m.hasMatch()) continue;
                if (basis) *basis = m.captured(2);
                return m.captured(1).toDouble();
            }
            return -1.0;
        };
        auto keepAlive = [&](const Finding &f) {
            const Fix *sc = findFix(f, FixKind::StrongswanConf);
            return sc ? capture(sc->text, QStringLiteral("keep_alive = (\\d+)s")) : -1;
        };

        // The NAT's real timeout assumed: the idle gap exceeds it and the step says so.
        Investigation real;
        QVERIFY(run(natTimeout, real));
        QVERIFY(!real.diagnosis().findings.empty());
        const Finding &top = real.diagnosis().findings.front();
        QCOMPARE(top.cause, QStringLiteral("nat_mapping_expiry"));
        QString basis;
        const double gap = overGap(top, &basis);
        // The capture's gap spans the scheduled idle plus the last packets' spacing around it.
        QVERIFY2(gap >= idle - 0.5 && gap <= idle + 2, qPrintable(QString::number(gap)));
        QCOMPARE(basis, QStringLiteral("assumed %1 s (Preferences)").arg(natTimeout));
        QCOMPARE(real.diagnosis().basis.natUdpTimeoutS, double(natTimeout));
        QVERIFY(real.diagnosis().basis.natUdpTimeoutAssumed);
        const int k = keepAlive(top);
        QVERIFY2(k > 0 && k < natTimeout, qPrintable(QString::number(k)));

        // An assumed timeout far above the gap: the gap no longer counts as exceeding it, the
        // step instead says the mapping died sooner than assumed, the confidence drops a little;
        // the hard evidence (rebinding, ICMP from the NAT) still names the cause, and the
        // keepalive still comes from the observed idle time, below the real timeout.
        Investigation large;
        QVERIFY(run(3600, large));
        QVERIFY(!large.diagnosis().findings.empty());
        const Finding &top2 = large.diagnosis().findings.front();
        QCOMPARE(top2.cause, QStringLiteral("nat_mapping_expiry"));
        QCOMPARE(overGap(top2, nullptr), -1.0);
        QVERIFY(std::any_of(top2.evidence.begin(), top2.evidence.end(), [](const EvidenceItem &e) {
            return e.text.contains(
                QLatin1String("shorter than the NAT UDP timeout (assumed 3600 s (Preferences))"));
        }));
        QVERIFY(top2.confidence < top.confidence);
        const int k2 = keepAlive(top2);
        QVERIFY2(k2 > 0 && k2 < natTimeout, qPrintable(QString::number(k2)));
    }
};

QTEST_GUILESS_MAIN(TestDiagnoseLab)
#include "tst_diagnose_lab.moc"
