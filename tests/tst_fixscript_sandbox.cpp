// The fix script `ikev2wb diagnose --fix-script` writes is run as root on a gateway. Evidence
// files are hostile input: this test plants command substitutions, backticks, `;`, `&&`, quote
// breaks, newlines, heredoc terminators and very long values in every evidence field that feeds a
// fix (the interface of a route listing, connection and CHILD_SA names of swanctl --list-sas, a
// swanctl.conf and a charon log, the addresses and traffic selector of swanctl.conf, the source
// and target of an `ikev2wb probe --json` result), runs the
// real CLI on the lab's MTU black-hole capture with that evidence, and then runs the script it
// wrote: `bash -n`, without arguments, and every fix answered "y" — with stub commands (iptables,
// nft, ip, sysctl, ethtool, swanctl, ...) as the only programs on PATH, inside a fresh network
// namespace when root. The payloads would create a marker file; the test fails if it appears, if
// a stub ever receives an argument holding a payload, or if the script runs anything when called
// without arguments.
#include "diagnose/facts.h"
#include "diagnose/fixes.h"
#include "diagnose/rules.h"
#include "evidence/evidenceset.h"
#include "testfiles.h"

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

#include <functional>
#include <unistd.h>

using namespace ikev2wb;

namespace {

const QString kData = QStringLiteral(IKEV2WB_TEST_DATA);
const QString kLab = kData + QStringLiteral("/lab/mtu-blackhole");

/// Programs a fix may call; each stub records its name and arguments (fields separated by 0x1f,
/// records by 0x1e) and succeeds.
const char *const kStubs[] = {"iptables", "ip6tables", "nft",       "ip",     "sysctl",
                              "ethtool",  "swanctl",   "ipsec",     "tc",     "conntrack",
                              "ping",     "tcpdump",   "systemctl", "ikev2wb"};

struct Payload
{
    const char *name;
    QByteArray (*make)(const QByteArray &marker);
};

const Payload kPayloads[] = {
    {"command substitution",
     [](const QByteArray &m) -> QByteArray { return QByteArray("x$(touch ") + m + ")"; }},
    {"backticks", [](const QByteArray &m) -> QByteArray { return QByteArray("x`touch ") + m + "`"; }},
    {"semicolon", [](const QByteArray &m) -> QByteArray { return QByteArray("x;touch ") + m; }},
    {"and-and", [](const QByteArray &m) -> QByteArray { return QByteArray("x&&touch ") + m; }},
    {"single quote break",
     [](const QByteArray &m) -> QByteArray { return QByteArray("x'$(touch ") + m + ")'"; }},
    {"double quote break",
     [](const QByteArray &m) -> QByteArray { return QByteArray("x\"$(touch ") + m + ")\""; }},
    {"pipe", [](const QByteArray &m) -> QByteArray { return QByteArray("x|touch ") + m; }},
    {"long value",
     [](const QByteArray &m) -> QByteArray { return QByteArray(5000, 'a') + "$(touch " + m + ")"; }},
    {"leading dash", [](const QByteArray &m) -> QByteArray { return QByteArray("--x=$(touch ") + m + ")"; }},
};

/// Where a payload is planted. `text` has PAYLOAD where it goes; `noSpaces`: the parser reads the
/// field as \S+, so spaces become ${IFS}; `quotedMultiLine`: the field is a quoted swanctl.conf
/// value, so the payload may also carry newlines and a heredoc terminator.
struct Site
{
    const char *name;
    const char *file;
    QByteArray (*text)();
    bool noSpaces;
    /// The lab whose captures are diagnosed ("" = mtu-blackhole) and whether all of left's own
    /// stats/ files go with the planted one (so that left is capture A's host and its
    /// ruleset, links and sysctls are its own); esp-blocked makes the filter fixes.
    const char *lab = "";
    bool leftStats = false;
    /// The finding quotes the value as evidence (a firewall rule's chain, escaped by oneLine):
    /// prose, not a command, so the report is not checked for it.
    bool quotedInReport = false;
};

QByteArray routesWith(const QByteArray &dev)
{
    QByteArray r = readAll(kLab + QStringLiteral("/stats/left-routes-start.txt"));
    r.replace("dev wan0", QByteArray(QByteArray("dev ") + dev));
    return r;
}

QByteArray swanctlConf(const QByteArray &conn, const QByteArray &remote, const QByteArray &local,
                       const QByteArray &ts)
{
    return QByteArray("connections {\n    ") + conn + " {\n        remote_addrs = " + remote +
           "\n        local_addrs = " + local +
           "\n        children {\n            net {\n                remote_ts = " + ts +
           "\n            }\n        }\n    }\n}\n";
}

const Site kSites[] = {
    {"route listing: interface", "left-routes-start.txt",
     []() -> QByteArray { return routesWith("PAYLOAD"); }, true},
    {"swanctl --list-sas: connection name", "left-swanctl-list-sas-end.txt",
     []() -> QByteArray {
         QByteArray s = readAll(kLab + QStringLiteral("/stats/left-swanctl-list-sas-end.txt"));
         s.replace("lab: #1", "PAYLOAD: #1");
         return s;
     },
     true},
    {"swanctl --list-sas: child name", "left-swanctl-list-sas-end.txt",
     []() -> QByteArray {
         QByteArray s = readAll(kLab + QStringLiteral("/stats/left-swanctl-list-sas-end.txt"));
         s.replace("  net: #1", "  PAYLOAD: #1");
         return s;
     },
     true},
    {"swanctl.conf: connection name", "swanctl/swanctl.conf",
     []() -> QByteArray { return swanctlConf("PAYLOAD", "10.0.2.1", "10.0.1.1", "10.2.0.0/24"); }, true},
    {"swanctl.conf: remote_addrs", "swanctl/swanctl.conf",
     []() -> QByteArray { return swanctlConf("lab", "\"PAYLOAD\"", "10.0.1.1", "10.2.0.0/24"); }, false},
    {"swanctl.conf: local_addrs", "swanctl/swanctl.conf",
     []() -> QByteArray { return swanctlConf("lab", "10.0.2.1", "\"PAYLOAD\"", "10.2.0.0/24"); }, false},
    {"swanctl.conf: remote_ts", "swanctl/swanctl.conf",
     []() -> QByteArray { return swanctlConf("lab", "10.0.2.1", "10.0.1.1", "\"PAYLOAD\""); }, false},
    {"charon log: connection name", "charon-left.log",
     []() -> QByteArray {
         QByteArray s = readAll(kLab + QStringLiteral("/charon-left.log"));
         s.replace("<lab|", "<PAYLOAD|");
         return s;
     },
     true},
    {"ipsec.conf: connection name", "ipsec.conf",
     []() -> QByteArray {
         return "config setup\n\nconn PAYLOAD\n    left=10.0.1.1\n    right=10.0.2.1\n"
                "    rightsubnet=10.2.0.0/24\n    auto=start\n";
     },
     true},
    {"route listing: host route to the peer", "left-routes-start.txt",
     []() -> QByteArray { return routesWith("wan0") + "10.0.2.1 via 10.0.1.254 dev wan0 PAYLOAD\n"; }, true,
     "", true},
    {"ip -d link: tunnel interface", "left-link-end.txt",
     []() -> QByteArray {
         return readAll(kLab + QStringLiteral("/stats/left-link-end.txt")) +
                "9: PAYLOAD: <NOARP,UP,LOWER_UP> mtu 1400 qdisc noqueue state UNKNOWN mode DEFAULT\n"
                "    link/none  promiscuity 0\n"
                "    xfrm if_id 0x1 addrgenmode eui64\n";
     },
     true, "", true, true},
    {"sysctl: interface of a disable_xfrm key", "left-sysctl.txt",
     []() -> QByteArray { return "net.ipv4.conf.PAYLOAD.disable_xfrm = 1\nnet.ipv4.ip_forward = 1\n"; }, true,
     "", true},
    {"nft ruleset: table name", "left-nft-ruleset-end.txt",
     []() -> QByteArray {
         return "table inet PAYLOAD {\n\tchain input {\n\t\ttype filter hook input priority filter; "
                "policy accept;\n\t\tip saddr 10.0.2.1 meta l4proto esp counter packets 13 bytes 1000 drop\n"
                "\t}\n}\n";
     },
     true, "esp-blocked", true, true},
    {"nft ruleset: chain name", "left-nft-ruleset-end.txt",
     []() -> QByteArray {
         return "table inet fw {\n\tchain PAYLOAD {\n\t\ttype filter hook input priority filter; "
                "policy drop;\n\t}\n}\n";
     },
     true, "esp-blocked", true, true},
    {"iptables-save: chain name", "left-iptables-end.txt",
     []() -> QByteArray {
         return "*filter\n:INPUT ACCEPT [0:0]\n:PAYLOAD - [0:0]\n[13:1000] -A INPUT -j PAYLOAD\n"
                "[13:1000] -A PAYLOAD -s 10.0.2.1/32 -p esp -j DROP\nCOMMIT\n";
     },
     true, "esp-blocked", true, true},
    // ikev2wb.probe/1 `source` (added later) and `target`: only an IP literal gives a direction.
    {"probe result: source", "probe-peer.json",
     []() -> QByteArray {
         return R"({"schema":"ikev2wb.probe/1","target":"10.0.2.1","source":"PAYLOAD","path_mtu":1400,)"
                R"("pmtud":"black_hole"})";
     },
     false},
    {"probe result: target", "probe-peer.json",
     []() -> QByteArray {
         return R"({"schema":"ikev2wb.probe/1","target":"PAYLOAD","source":"10.0.1.1","path_mtu":1400,)"
                R"("pmtud":"black_hole"})";
     },
     false},
    {"iptables-save: rule comment", "left-iptables-end.txt",
     []() -> QByteArray {
         return "*filter\n:INPUT ACCEPT [0:0]\n"
                "[13:1000] -A INPUT -s 10.0.2.1/32 -p esp -m comment --comment \"PAYLOAD\" -j DROP\nCOMMIT\n";
     },
     true, "esp-blocked", true, true},
};

/// Copies a classic little-endian pcap of Ethernet frames (the lab's: magic d4 c3 b2 a1, link type
/// 1) with the TTL of every IPv4 packet set by `ttl(source, destination, old TTL)` and its header
/// checksum recomputed (RFC 1071 over the IHL*4 header bytes, checksum field zeroed). Offsets by
/// hand: 24-byte file header, 16-byte record header (incl_len at +8), Ethernet type at frame +12,
/// IPv4 at +14: TTL +8, checksum +10, source +12, destination +16. False on another format.
bool rewriteTtls(const QString &in, const QString &out,
                 const std::function<std::uint8_t(const QByteArray &, const QByteArray &, std::uint8_t)> &ttl)
{
    QByteArray b = readAll(in);
    if (b.size() < 24 || !b.startsWith(QByteArray::fromHex("d4c3b2a1")) || std::uint8_t(b[20]) != 1)
        return false;
    const auto u32 = [&](qsizetype o) {
        return std::uint32_t(std::uint8_t(b[o])) | std::uint32_t(std::uint8_t(b[o + 1])) << 8 |
               std::uint32_t(std::uint8_t(b[o + 2])) << 16 | std::uint32_t(std::uint8_t(b[o + 3])) << 24;
    };
    for (qsizetype o = 24; o + 16 <= b.size();) {
        const qsizetype len = qsizetype(u32(o + 8)), f = o + 16;
        if (f + len > b.size()) return false;
        if (len >= 34 && std::uint8_t(b[f + 12]) == 0x08 && std::uint8_t(b[f + 13]) == 0x00 &&
            (std::uint8_t(b[f + 14]) >> 4) == 4) {
            const qsizetype ip = f + 14, ihl = (std::uint8_t(b[ip]) & 0x0f) * 4;
            if (ihl >= 20 && ip + ihl <= f + len) {
                b[ip + 8] = char(ttl(b.mid(ip + 12, 4), b.mid(ip + 16, 4), std::uint8_t(b[ip + 8])));
                b[ip + 10] = b[ip + 11] = 0;
                std::uint32_t sum = 0;
                for (qsizetype i = 0; i < ihl; i += 2)
                    sum += std::uint32_t(std::uint8_t(b[ip + i])) << 8 | std::uint8_t(b[ip + i + 1]);
                while (sum >> 16)
                    sum = (sum & 0xffff) + (sum >> 16);
                b[ip + 10] = char(~sum >> 8);
                b[ip + 11] = char(~sum);
            }
        }
        o = f + len;
    }
    return writeFile(out, b);
}

} // namespace

/// The lines only in `a` ("-") and only in `b` ("+"), for a failure message.
QString lineDiff(const QByteArray &a, const QByteArray &b)
{
    const QStringList la = QString::fromUtf8(a).split(QLatin1Char('\n')),
                      lb = QString::fromUtf8(b).split(QLatin1Char('\n'));
    QStringList out;
    for (const QString &l : la)
        if (!lb.contains(l)) out << QStringLiteral("- ") + l;
    for (const QString &l : lb)
        if (!la.contains(l)) out << QStringLiteral("+ ") + l;
    return out.isEmpty() ? QStringLiteral("(same lines, other order)") : out.join(QLatin1Char('\n'));
}

class TestFixScriptSandbox : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_stubs, m_log, m_bash, m_unshare, m_mount;
    int m_scripts = 0, m_fixesRun = 0;

    /// Runs `bash SCRIPT args` with only the stubs (and cat/seq/head/awk/install) on PATH, in a fresh
    /// network namespace when possible; returns the exit code.
    int runScript(const QString &script, const QStringList &args, const QByteArray &input, QByteArray *out)
    {
        QProcess p;
        QProcessEnvironment env;
        env.insert(QStringLiteral("PATH"), m_stubs);
        env.insert(QStringLiteral("STUB_LOG"), m_log);
        env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(m_dir.path());
        QStringList argv{m_bash, script};
        argv += args;
        // Root: a fresh network namespace, and a private mount namespace whose /var/lib is a
        // tmpfs, where the fixes save the values their undo puts back.
        if (!m_unshare.isEmpty())
            argv =
                QStringList{m_unshare,
                            QStringLiteral("--net"),
                            QStringLiteral("--mount"),
                            QStringLiteral("--propagation"),
                            QStringLiteral("private"),
                            m_bash,
                            QStringLiteral("-c"),
                            QStringLiteral("%1 -t tmpfs tmpfs /var/lib && exec \"$0\" \"$@\"").arg(m_mount)} +
                argv;
        p.start(argv.takeFirst(), argv);
        p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(30000)) {
            p.kill();
            p.waitForFinished();
            return -1;
        }
        *out = p.readAllStandardOutput() + p.readAllStandardError();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_bash = QStandardPaths::findExecutable(QStringLiteral("bash"));
        QVERIFY2(!m_bash.isEmpty(), "bash is needed to run the generated scripts");
        m_stubs = m_dir.filePath(QStringLiteral("stubs"));
        m_log = m_dir.filePath(QStringLiteral("stub.log"));
        QVERIFY(QDir().mkpath(m_stubs));
        for (const char *s : kStubs) {
            const QString path = m_stubs + QLatin1Char('/') + QString::fromLatin1(s);
            QVERIFY(writeFile(
                path, QByteArray("#!") + m_bash.toUtf8() +
                          "\nprintf '%s\\x1f' \"${0##*/}\" \"$@\" >> \"$STUB_LOG\"\n"
                          "printf '\\x1e' >> \"$STUB_LOG\"\n"
                          // `ip -o route get PEER`: the lab's route (left-routes-start.txt),
                          // so that the per-peer route fix finds its interface and runs.
                          "if [ \"${0##*/} $1 $2 $3\" = 'ip -o route get' ]; then\n"
                          "    echo \"$4 via 10.0.1.254 dev wan0 src 10.0.1.1 uid 0 \\\\    cache \"\nfi\n"
                          "exit 0\n"));
            QFile::setPermissions(path,
                                  QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::WriteOwner);
        }
        // The script's own helpers; nothing else is reachable.
        for (const char *tool : {"cat", "seq", "head", "awk", "install"}) {
            const QString real = QStandardPaths::findExecutable(QString::fromLatin1(tool));
            QVERIFY2(!real.isEmpty(), tool);
            QVERIFY(QFile::link(real, m_stubs + QLatin1Char('/') + QString::fromLatin1(tool)));
        }
        // A fresh network namespace as well when we may make one (root): even a command that
        // slipped past the stubs could not touch this host's network.
        const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        m_mount = QStandardPaths::findExecutable(QStringLiteral("mount"));
        if (geteuid() == 0 && !unshare.isEmpty() && !m_mount.isEmpty() &&
            QProcess::execute(
                unshare, {QStringLiteral("--net"), QStringLiteral("--mount"), QStringLiteral("true")}) == 0)
            m_unshare = unshare;
        else
            qInfo("not root or no unshare: scripts run with stubs only, without a network namespace");
    }

    void hostileEvidence_data()
    {
        QTest::addColumn<int>("site");
        QTest::addColumn<int>("payload");
        for (int s = 0; s < int(std::size(kSites)); ++s)
            for (int p = 0; p < int(std::size(kPayloads)); ++p)
                QTest::newRow(qPrintable(QStringLiteral("%1 / %2").arg(QLatin1String(kSites[s].name),
                                                                       QLatin1String(kPayloads[p].name))))
                    << s << p;
        // Quoted swanctl.conf values can span lines: a newline followed by commands and by the
        // heredoc delimiter the script used to have (and a plausible random-looking one).
        for (int s = 4; s <= 6; ++s)
            QTest::newRow(
                qPrintable(QStringLiteral("%1 / newline and heredoc end").arg(QLatin1String(kSites[s].name))))
                << s << -1;
    }

    void hostileEvidence()
    {
        QFETCH(int, site);
        QFETCH(int, payload);
        const Site &st = kSites[site];
        const QString caseDir = m_dir.filePath(QStringLiteral("case-%1-%2").arg(site).arg(payload + 1));
        const QString marker = caseDir + QStringLiteral("/PWNED");
        QByteArray value = payload >= 0
                               ? kPayloads[payload].make(marker.toUtf8())
                               : "x\ntouch " + marker.toUtf8() + "\nIKEV2WB_EOF\ntouch " + marker.toUtf8() +
                                     "\nIKEV2WB_EOF_0123456789abcdef\n}\ntouch " + marker.toUtf8() + "\n#";
        if (st.noSpaces) value.replace(' ', "${IFS}");
        QByteArray text = st.text();
        QVERIFY(text.contains("PAYLOAD"));
        text.replace("PAYLOAD", value);
        const QString evidence = caseDir + QStringLiteral("/evidence");
        const QString lab = *st.lab ? kData + QStringLiteral("/lab/") + QString::fromLatin1(st.lab) : kLab;
        if (st.leftStats)
            for (const QString &f :
                 QDir(lab + QStringLiteral("/stats")).entryList({QStringLiteral("left-*")}, QDir::Files))
                QVERIFY(
                    writeFile(evidence + QLatin1Char('/') + f, readAll(lab + QStringLiteral("/stats/") + f)));
        QVERIFY(writeFile(evidence + QLatin1Char('/') + QString::fromLatin1(st.file), text));
        if (QString::fromLatin1(st.file) != QLatin1String("left-routes-start.txt") && !st.leftStats)
            QVERIFY(writeFile(evidence + QStringLiteral("/left-routes-start.txt"), routesWith("wan0")));

        // The real CLI writes the script.
        const QString script = caseDir + QStringLiteral("/fixes.sh");
        QProcess cli;
        cli.start(QStringLiteral(IKEV2WB_CLI),
                  {QStringLiteral("diagnose"), QStringLiteral("--capture"),
                   lab + QStringLiteral("/left-outer.pcap"), QStringLiteral("--peer-capture"),
                   lab + QStringLiteral("/right-outer.pcap"), QStringLiteral("--evidence"), evidence,
                   QStringLiteral("--fix-script"), script});
        QVERIFY(cli.waitForFinished(120000));
        const QByteArray report = cli.readAllStandardOutput();
        QVERIFY2(QFile::exists(script), cli.readAllStandardError().constData());
        QVERIFY(!QFile::exists(marker));
        // The payload shows up in the diagnosis only as a rejected value, never as a name used
        // (a value the captures already gave, such as the peer address, is not read at all).
        for (const QByteArray &line : report.split('\n'))
            if (line.contains("PWNED") && !st.quotedInReport)
                QVERIFY2(line.contains("from the evidence"), line.constData());
        ++m_scripts;

        // Static inspection: outside the quoted heredocs (describe_N, config snippets) evidence
        // text appears only in comment lines.
        {
            QByteArray delim;
            for (const QByteArray &line : readAll(script).split('\n')) {
                if (!delim.isEmpty()) {
                    if (line == delim) delim.clear();
                    continue;
                }
                if (const qsizetype h = line.indexOf("cat <<'"); h >= 0) {
                    delim = line.mid(h + 7);
                    delim.chop(1);
                    continue;
                }
                // What the shell would expand: the line without its single-quoted strings (taken
                // literally) and without a trailing comment.
                QByteArray live;
                bool dq = false;
                for (qsizetype i = 0; i < line.size(); ++i) {
                    const char c = line[i];
                    if (c == '\'' && !dq) {
                        const qsizetype end = line.indexOf('\'', i + 1);
                        i = end < 0 ? line.size() : end;
                        continue;
                    }
                    if (c == '"') dq = !dq;
                    if (c == '#' && !dq && (i == 0 || line[i - 1] == ' ')) break;
                    live += c;
                }
                QVERIFY2(!live.contains("PWNED"), line.left(300).constData());
            }
        }
        QByteArray out;
        QCOMPARE(runScript(QStringLiteral("-n"), {script}, {}, &out), 0); // bash -n SCRIPT
        QFile::remove(m_log);
        QCOMPARE(runScript(script, {}, {}, &out), 0);
        QVERIFY2(!QFile::exists(m_log), "the script ran a command when called without arguments");
        QVERIFY(!QFile::exists(marker));

        const QRegularExpressionMatch m =
            QRegularExpression(QStringLiteral("^COUNT=(\\d+)$"), QRegularExpression::MultilineOption)
                .match(QString::fromUtf8(readAll(script)));
        QVERIFY(m.hasMatch());
        const int count = m.captured(1).toInt();
        QVERIFY(count > 0);
        for (int n = 1; n <= count; ++n) {
            QFile::remove(m_log);
            const int rc = runScript(script, {QString::number(n)}, "y\n", &out);
            QVERIFY2(!QFile::exists(marker), qPrintable(QStringLiteral("fix %1 created the marker").arg(n)));
            // A fix either ran (exit 0) or refused because it still holds a placeholder. Not
            // root, a fix that saves a value for its undo cannot write /var/lib/ikev2wb.
            if (rc != 0 && geteuid() != 0 && out.contains("/var/lib/ikev2wb")) continue;
            // Or its run-time check refused (the firewall fix finds the rule by the text `iptables
            // -S` prints, which the stub does not): nothing changed, and what it did run got no
            // evidence text either.
            if (rc != 0 && !out.contains("nothing changed")) {
                QVERIFY2(out.contains("still holds <"), out.constData());
                QVERIFY2(!QFile::exists(m_log), "a guarded fix ran a command");
                continue;
            }
            if (rc == 0) ++m_fixesRun;
            for (const QByteArray &call : readAll(m_log).split('\x1e')) {
                QVERIFY2(!call.contains("touch") && !call.contains("PWNED"),
                         qPrintable(QStringLiteral("fix %1 passed evidence text to a command: %2")
                                        .arg(n)
                                        .arg(QString::fromUtf8(call).replace(QLatin1Char('\x1f'),
                                                                             QLatin1Char(' ')))));
            }
        }
    }

    void ringFixCappedAndUndone()
    {
        // Issue 10, defect 14: the ring fix asks for at most the driver's maximum (ethtool -g,
        // "Pre-set maximums" RX), and its undo puts back the size from before the change, not a
        // default. The stub ethtool prints the build VM's real `ethtool -g eth0` (ethtool 6.1,
        // virtio_net: maximum 256) with the current RX size it was last set to (128 at first).
        // Root only: the script saves under /var/lib/ikev2wb, here a tmpfs in a private mount
        // namespace.
        const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        if (geteuid() != 0 || unshare.isEmpty()) QSKIP("needs root and unshare for a private /var/lib");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString real = kData + QStringLiteral("/evidence/ethtool-g-eth0.txt");
        const QByteArray layout = readAll(real);
        QVERIFY(layout.contains("Pre-set maximums:\nRX:\t\t256\n"));
        const int maximum = 256, before = 128;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("rx")), QByteArray::number(before)));
        QVERIFY(writeFile(
            dir.filePath(QStringLiteral("bin/ethtool")),
            QByteArray("#!/bin/sh\n"
                       "state=") +
                dir.filePath(QStringLiteral("rx")).toUtf8() +
                "\n"
                "case \"$1\" in\n"
                "-g) awk -v cur=\"$(cat \"$state\")\" '/^Current hardware settings/ {c = 1} "
                "c && /^RX:/ {sub(/[0-9]+/, cur)} {print}' " +
                real.toUtf8() +
                " ;;\n"
                // ethtool 6.1's ioctl path (do_sring) on an unchanged size: it refuses
                "-G) [ \"$2\" = eth0 ] && [ \"$3\" = rx ] || exit 1\n"
                "    if [ \"$4\" = \"$(cat \"$state\")\" ]; then echo 'rx unmodified, ignoring' >&2\n"
                "      echo 'no ring parameters changed, aborting' >&2; exit 80; fi\n"
                "    printf '%s' \"$4\" > \"$state\" ;;\n"
                "*) exit 1 ;;\n"
                "esac\n"));
        QFile::setPermissions(dir.filePath(QStringLiteral("bin/ethtool")),
                              QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::WriteOwner);
        FixTarget t;
        t.wanInterface = QStringLiteral("eth0");
        const std::vector<Fix> fixes = receiveDropFixes(t, true, false);
        QVERIFY(!fixes.empty());
        const Fix &ring = fixes.front();
        QCOMPARE(int(ring.kind), int(FixKind::Ethtool));
        // The undo is pasted as it is: commands, then its note as a comment.
        const QString undo = ring.undo;
        QVERIFY(
            writeFile(dir.filePath(QStringLiteral("fix.sh")), "set -euo pipefail\n" + ring.text.toUtf8()));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("undo.sh")), "set -euo pipefail\n" + undo.toUtf8()));
        auto run = [&](const QString &script) -> QByteArray {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("PATH"), dir.filePath(QStringLiteral("bin")) +
                                                   QStringLiteral(":/usr/sbin:/usr/bin:/sbin:/bin"));
            p.setProcessEnvironment(env);
            p.start(unshare,
                    {QStringLiteral("--mount"), QStringLiteral("--propagation"), QStringLiteral("private"),
                     m_bash, QStringLiteral("-c"),
                     QStringLiteral("mount -t tmpfs tmpfs /var/lib && bash %1 && cat /var/lib/ikev2wb/*; "
                                    "bash %2")
                         .arg(dir.filePath(QStringLiteral("fix.sh")), script)});
            if (!p.waitForFinished(30000)) return QByteArray("timeout");
            return QByteArray(p.readAllStandardOutput() + p.readAllStandardError() +
                              "\nrc=" + QByteArray::number(p.exitCode()));
        };
        // The fix alone: the driver's maximum (no cap of ours) and the old size saved.
        QByteArray out = run(QStringLiteral("/dev/null"));
        QVERIFY2(out.endsWith("rc=0"), out.constData());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("rx"))).toInt(), maximum);
        QVERIFY2(out.contains(QByteArray(QByteArray::number(before) + '\n')),
                 out.constData()); // the saved file
        // Fix, then undo (in the same mount namespace, where the saved value lives).
        QVERIFY(writeFile(dir.filePath(QStringLiteral("rx")), QByteArray::number(before)));
        out = run(dir.filePath(QStringLiteral("undo.sh")));
        QVERIFY2(out.endsWith("rc=0"), out.constData());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("rx"))).toInt(), before);
        // A second run, with the ring at the maximum already: nothing to resize, and ethtool's
        // ioctl path would refuse the unchanged size (exit 80): the fix does not ask, and passes.
        out = run(dir.filePath(QStringLiteral("fix.sh")));
        QVERIFY2(out.endsWith("rc=0") && !out.contains("aborting"), out.constData());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("rx"))).toInt(), maximum);
        // The ring already at its maximum before the fix: the fix and its undo change nothing and pass.
        QVERIFY(writeFile(dir.filePath(QStringLiteral("rx")), QByteArray::number(maximum)));
        out = run(dir.filePath(QStringLiteral("undo.sh")));
        QVERIFY2(out.endsWith("rc=0") && !out.contains("aborting"), out.constData());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("rx"))).toInt(), maximum);
    }

    void routeFixUndoRestoresTheRoute_data()
    {
        // Issue 10: the per-peer `ip route replace … mtu lock` fix saves the host routes to the
        // peer before it changes them and its undo puts back exactly what was there. Each row
        // sets up routes with real iproute2 in a fresh network namespace; the expected state is
        // the kernel's own listing taken before the fix. A host route already there goes through
        // the evidence's gateway (through another one the fix refuses: tst_fixscript_lab).
        QTest::addColumn<bool>("ipv6");
        QTest::addColumn<QString>("existing"); // `ip route add` arguments of a route there before, or ""
        QTest::newRow("v4 none") << false << QString();
        QTest::newRow("v4 same metric, attributes")
            << false
            << QStringLiteral("203.0.113.7 via 10.0.1.254 dev v0 proto "
                              "static src 10.0.1.1 initcwnd 10 mtu 1450");
        QTest::newRow("v4 metric 100") << false
                                       << QStringLiteral("203.0.113.7 via 10.0.1.254 dev v0 proto static "
                                                         "metric 100 src 10.0.1.1");
        QTest::newRow("v6 none") << true << QString();
        QTest::newRow("v6 metric 100")
            << true << QStringLiteral("2001:db8:9::7 via 2001:db8:1::fe dev v0 metric 100");
        QTest::newRow("v6 metric 1, replaced")
            << true
            << QStringLiteral("2001:db8:9::7 via 2001:db8:1::fe dev v0 metric 1 "
                              "proto static");
        QTest::newRow("v6 default metric") << true
                                           << QStringLiteral("2001:db8:9::7 via 2001:db8:1::fe dev v0 proto "
                                                             "static");
    }

    void routeFixUndoRestoresTheRoute()
    {
        QFETCH(bool, ipv6);
        QFETCH(QString, existing);
        const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        if (geteuid() != 0 || unshare.isEmpty())
            QSKIP("needs root and unshare for a network namespace and a private /var/lib");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        FixTarget t;
        t.wanInterface = QStringLiteral("v0");
        t.outerIpv6 = ipv6;
        t.peerAddress = ipv6 ? QStringLiteral("2001:db8:9::7") : QStringLiteral("203.0.113.7");
        t.gateway = ipv6 ? QStringLiteral("2001:db8:1::fe") : QStringLiteral("10.0.1.254");
        MtuFixParams p;
        p.pathMtu = 1400;
        p.tunnelMtu = 1326;
        p.mss = 1286;
        const std::vector<Fix> fixes = mtuFixes(t, p);
        const Fix *route = nullptr;
        for (const Fix &f : fixes)
            if (f.text.contains(QLatin1String("route replace"))) route = &f;
        QVERIFY(route);
        const QString undo = route->undo;
        const QString ip = ipv6 ? QStringLiteral("ip -6") : QStringLiteral("ip");
        const QString host = t.peerAddress + (ipv6 ? QStringLiteral("/128") : QStringLiteral("/32"));
        const QString setup =
            QStringLiteral(
                "set -euo pipefail\n"
                "mount -t tmpfs tmpfs /var/lib\n"
                "ip link add v0 type veth peer name v1\n"
                // No IPv6 link-local addresses: their local routes appear only when DAD ends, about
                // a second after the link comes up, and would differ between the two listings.
                "ip link set v0 addrgenmode none\nip link set v1 addrgenmode none\n"
                "ip link set v1 up\nip link set v0 up\nip link set lo up\n"
                "ip addr add 10.0.1.1/24 dev v0\n"
                "ip -6 addr add 2001:db8:1::1/64 dev v0 nodad\n"
                "for i in $(seq 50); do ip link show v0 | grep LOWER_UP > /dev/null && break; sleep 0.1; "
                "done\n"
                // The IPv6 address's local route comes a moment after the address, also with nodad
                // (on a loaded machine after the first listing: it was the flake of this test).
                "for i in $(seq 100); do ip -6 route show table local | grep -F 'local 2001:db8:1::1 ' "
                "> /dev/null && break; sleep 0.1; done\n"
                "ip route add 203.0.113.0/24 via 10.0.1.254 dev v0\n"
                "ip -6 route add 2001:db8:9::/64 via 2001:db8:1::fe dev v0\n"
                "%1\n")
                .arg(existing.isEmpty() ? QString() : QStringLiteral("%1 route add %2").arg(ip, existing));
        QVERIFY(
            writeFile(dir.filePath(QStringLiteral("fix.sh")), "set -euo pipefail\n" + route->text.toUtf8()));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("undo.sh")), "set -euo pipefail\n" + undo.toUtf8()));
        const QString listAll =
            QStringLiteral("{ ip -o route show table all; ip -6 -o route show table all; }");
        QVERIFY(writeFile(
            dir.filePath(QStringLiteral("run.sh")),
            (setup + QStringLiteral("%1 > %2/before\n"
                                    "%3 -o route show exact %4 > %2/exact-before\n"
                                    // twice: the second run must not overwrite what the first saved
                                    "bash %2/fix.sh\nbash %2/fix.sh\n"
                                    "%3 route get %5 > %2/during\n"
                                    "stat -c %a /var/lib/ikev2wb /var/lib/ikev2wb/saved-route-* > %2/modes\n"
                                    "bash %2/undo.sh\n"
                                    "%1 > %2/after\n"
                                    "ls -A /var/lib/ikev2wb > %2/left\n")
                         .arg(listAll, dir.path(), ip, host, t.peerAddress))
                .toUtf8()));
        QProcess proc;
        proc.start(unshare,
                   {QStringLiteral("--net"), QStringLiteral("--mount"), QStringLiteral("--propagation"),
                    QStringLiteral("private"), m_bash, dir.filePath(QStringLiteral("run.sh"))});
        QVERIFY(proc.waitForFinished(30000));
        const QByteArray err = proc.readAllStandardError();
        QVERIFY2(proc.exitCode() == 0, err.constData());
        const QByteArray before = readAll(dir.filePath(QStringLiteral("before")));
        const QByteArray exactBefore = readAll(dir.filePath(QStringLiteral("exact-before")));
        QVERIFY(before.contains("203.0.113.0/24") && before.contains("2001:db8:9::/64"));
        QCOMPARE(exactBefore.isEmpty(), existing.isEmpty());
        // While the fix is in place the route the kernel picks for the peer carries the lock.
        const QByteArray during = readAll(dir.filePath(QStringLiteral("during")));
        QVERIFY2(during.contains("mtu lock 1400"), during.constData());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("modes"))), QByteArray("700\n600\n"));
        // After the undo: every route of both families exactly as before, and nothing saved.
        const QByteArray after = readAll(dir.filePath(QStringLiteral("after")));
        QVERIFY2(after == before, qPrintable(lineDiff(before, after)));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("left"))), QByteArray());

        if (existing.isEmpty()) return;
        // The evidence's copy of the same route (the listing taken before) rebuilt as the undo's
        // note shows it: validated, quoted, and run after the route was deleted, it gives it back.
        QString why;
        const QString restore =
            restorableRoute(QString::fromUtf8(exactBefore).trimmed(), t.peerAddress, &why);
        QVERIFY2(!restore.isEmpty(), qPrintable(why));
        FixTarget withEvidence = t;
        withEvidence.peerHostRoute = true;
        withEvidence.peerHostRouteRestore = restore;
        withEvidence.peerRouteSource = QStringLiteral("host-routes.txt");
        for (const Fix &f : mtuFixes(withEvidence, p))
            if (f.text.contains(QLatin1String("route replace")))
                QVERIFY2(f.undo.contains(QLatin1String("host-routes.txt had it as: ") + restore),
                         qPrintable(f.undo));
        QVERIFY(writeFile(
            dir.filePath(QStringLiteral("run2.sh")),
            (setup + QStringLiteral("%1 route del %2 %3\n%4\n%1 -o route show exact %2 > %5/rebuilt\n")
                         .arg(ip, host, existing.section(QLatin1Char(' '), 1), restore, dir.path()))
                .toUtf8()));
        proc.start(unshare,
                   {QStringLiteral("--net"), QStringLiteral("--mount"), QStringLiteral("--propagation"),
                    QStringLiteral("private"), m_bash, dir.filePath(QStringLiteral("run2.sh"))});
        QVERIFY(proc.waitForFinished(30000));
        QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("rebuilt"))), exactBefore);
    }

    void iptablesFixesAddTheirRulesOnce()
    {
        // The MSS clamp (mangle FORWARD, -I … 1), the ESP and the UDP 4500 accept (filter INPUT,
        // -I) run twice with the real iptables in a fresh namespace: each rule is in the kernel's
        // ruleset once (-C finds it on the second run), and one undo leaves the ruleset exactly as
        // before. The host's own mangle FORWARD already ends in an ACCEPT: the clamp must come
        // before it, or it never sees a packet. The rules for a firewall between the peers are
        // comments: nothing in FORWARD of filter.
        const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        if (geteuid() != 0 || unshare.isEmpty() ||
            QStandardPaths::findExecutable(QStringLiteral("iptables")).isEmpty())
            QSKIP("needs root, unshare and iptables");
        FixTarget t;
        t.wanInterface = QStringLiteral("v0");
        t.localAddress = QStringLiteral("10.0.1.1");
        t.peerAddress = QStringLiteral("10.0.2.1");
        MtuFixParams p;
        p.pathMtu = 1400;
        p.tunnelMtu = 1326;
        p.mss = 1286;
        std::vector<const Fix *> chosen;
        const std::vector<Fix> mtu = mtuFixes(t, p);
        const std::vector<Fix> esp = espBlockedFixes(t, EspCarrier::Esp, 1422, 1500);
        const std::vector<Fix> udp = espBlockedFixes(t, EspCarrier::UdpEncap, 1422, 1500);
        for (const std::vector<Fix> *v : {&mtu, &esp, &udp})
            for (const Fix &f : *v)
                if (f.kind == FixKind::Iptables) chosen.push_back(&f);
        QCOMPARE(chosen.size(), std::size_t(3));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString d = dir.path();
        QString run =
            QStringLiteral("set -euo pipefail\nip link set lo up\n"
                           "ip link add v0 type veth peer name v1\nip link set v0 up\n"
                           "iptables -t mangle -A FORWARD -m comment --comment host-accept -j ACCEPT\n"
                           "{ iptables -S; iptables -t mangle -S; } > %1/before\n")
                .arg(d);
        for (std::size_t i = 0; i < chosen.size(); ++i) {
            QVERIFY(writeFile(dir.filePath(QStringLiteral("fix%1.sh").arg(i)),
                              "set -euo pipefail\n" + chosen[i]->text.toUtf8()));
            QVERIFY(
                writeFile(dir.filePath(QStringLiteral("undo%1.sh").arg(i)),
                          "set -euo pipefail\n" +
                              chosen[i]->undo.section(QStringLiteral(" (on the firewall"), 0, 0).toUtf8()));
            run += QStringLiteral("bash %1/fix%2.sh\nbash %1/fix%2.sh\n").arg(d).arg(i);
        }
        run += QStringLiteral("{ iptables -S; iptables -t mangle -S; } > %1/during\n").arg(d);
        for (std::size_t i = 0; i < chosen.size(); ++i)
            run += QStringLiteral("bash %1/undo%2.sh\n").arg(d).arg(i);
        run += QStringLiteral("{ iptables -S; iptables -t mangle -S; } > %1/after\n").arg(d);
        QVERIFY(writeFile(dir.filePath(QStringLiteral("run.sh")), run.toUtf8()));
        QProcess proc;
        proc.start(unshare, {QStringLiteral("--net"), m_bash, dir.filePath(QStringLiteral("run.sh"))});
        QVERIFY(proc.waitForFinished(30000));
        QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
        const QString during = QString::fromUtf8(readAll(dir.filePath(QStringLiteral("during"))));
        QCOMPARE(during.count(QLatin1String("-j TCPMSS --set-mss 1286")),
                 qsizetype(2)); // out and in, once each
        QVERIFY2(during.lastIndexOf(QLatin1String("-j TCPMSS --set-mss 1286")) <
                     during.indexOf(QLatin1String("--comment host-accept -j ACCEPT")),
                 qPrintable(during));
        QCOMPARE(during.count(QLatin1String("-A INPUT -s 10.0.2.1/32 -d 10.0.1.1/32 -p esp -j ACCEPT")),
                 qsizetype(1));
        QCOMPARE(during.count(
                     QLatin1String("-A INPUT -s 10.0.2.1/32 -d 10.0.1.1/32 -p udp -m multiport --ports 4500 "
                                   "-j ACCEPT")),
                 qsizetype(1));
        QVERIFY2(!during.contains(QLatin1String("-A FORWARD -s")), qPrintable(during));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("after"))),
                 readAll(dir.filePath(QStringLiteral("before"))));
    }

    void nftFixesInTheHostsOwnChainOnce()
    {
        // A host whose nft input filter lives in `table ip fw` (policy drop), not in `inet
        // filter`. Its ruleset as the kernel lists it (nft -a list ruleset, from a first
        // namespace) is the host's evidence; the fixes generated from it run twice in a second
        // namespace with that ruleset: the ESP and UDP 4500 accepts land once each in ip fw input
        // (the old `nft insert rule inet filter input` failed: no such table), 5 raw ESP packets
        // from the peer are counted by the accept, the MSS clamp table holds its 2 rules once, and
        // the undos leave `nft list ruleset` exactly as before.
        const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (geteuid() != 0 || unshare.isEmpty() || python.isEmpty() ||
            QStandardPaths::findExecutable(QStringLiteral("nft")).isEmpty())
            QSKIP("needs root, unshare, nft and python3 (to send raw ESP inside the namespace)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString d = dir.path();
        QVERIFY(writeFile(dir.filePath(QStringLiteral("rules.nft")),
                          "table ip fw {\n"
                          "    chain input {\n"
                          "        type filter hook input priority 0; policy drop;\n"
                          "        ip saddr 127.0.0.1 accept\n"
                          "    }\n"
                          "}\n"
                          "table ip6 fw6 {\n"
                          "    chain in6 {\n"
                          "        type filter hook input priority 0; policy accept;\n"
                          "    }\n"
                          "}\n"));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("list.sh")),
                          QStringLiteral("set -euo pipefail\nnft -f %1/rules.nft\nnft -a list ruleset > "
                                         "%1/nft-ruleset.txt\n")
                              .arg(d)
                              .toUtf8()));
        QProcess proc;
        proc.start(unshare, {QStringLiteral("--net"), m_bash, dir.filePath(QStringLiteral("list.sh"))});
        QVERIFY(proc.waitForFinished(30000));
        QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());

        EvidenceSet set;
        set.addText(QStringLiteral("nft-ruleset.txt"),
                    readAll(dir.filePath(QStringLiteral("nft-ruleset.txt"))));
        DiagnosisInput in;
        in.evidence = &set;
        Facts f = deriveFacts(in);
        QVERIFY(f.nftKnown);
        f.localAddress = QStringLiteral("10.0.1.1");
        f.peerAddress = QStringLiteral("10.0.2.1");
        f.wanInterface = QStringLiteral("v0");
        const FixTarget t = fixTarget(f);
        QCOMPARE(t.nftInputChains.size(), std::size_t(2)); // ip fw input, ip6 fw6 in6
        MtuFixParams p;
        p.pathMtu = 1400;
        p.tunnelMtu = 1326;
        p.mss = 1286;
        std::vector<Fix> chosen;
        for (const std::vector<Fix> &v : {mtuFixes(t, p), espBlockedFixes(t, EspCarrier::Esp, 1422, 1500),
                                          espBlockedFixes(t, EspCarrier::UdpEncap, 1422, 1500)})
            for (const Fix &x : v)
                if (x.kind == FixKind::Nftables) chosen.push_back(x);
        QCOMPARE(chosen.size(), std::size_t(3));
        QString run = QStringLiteral("set -euo pipefail\nip link set lo up\n"
                                     "ip addr add 10.0.1.1/32 dev lo\nip addr add 10.0.2.1/32 dev lo\n"
                                     "nft -f %1/rules.nft\nnft list ruleset > %1/before\n")
                          .arg(d);
        for (std::size_t i = 0; i < chosen.size(); ++i) {
            QVERIFY(writeFile(dir.filePath(QStringLiteral("fix%1.sh").arg(i)),
                              "set -euo pipefail\n" + chosen[i].text.toUtf8()));
            QVERIFY(
                writeFile(dir.filePath(QStringLiteral("undo%1.sh").arg(i)),
                          "set -euo pipefail\n" +
                              chosen[i].undo.section(QStringLiteral(" (deletes exactly"), 0, 0).toUtf8()));
            run += QStringLiteral("bash %1/fix%2.sh\nbash %1/fix%2.sh\n").arg(d).arg(i);
        }
        // ESP from the peer's address to this host's (both on lo: the packets pass the input hook).
        run += QStringLiteral("%2 -c \"import socket\n"
                              "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)\n"
                              "s.bind(('10.0.2.1', 0))\n"
                              "for i in range(5): s.sendto(bytes(16), ('10.0.1.1', 0))\"\n"
                              "nft list ruleset > %1/during\n")
                   .arg(d, python);
        for (std::size_t i = 0; i < chosen.size(); ++i)
            run += QStringLiteral("bash %1/undo%2.sh\n").arg(d).arg(i);
        run += QStringLiteral("nft list ruleset > %1/after\n").arg(d);
        QVERIFY(writeFile(dir.filePath(QStringLiteral("run.sh")), run.toUtf8()));
        proc.start(unshare, {QStringLiteral("--net"), m_bash, dir.filePath(QStringLiteral("run.sh"))});
        QVERIFY(proc.waitForFinished(30000));
        QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
        const QString during = QString::fromUtf8(readAll(dir.filePath(QStringLiteral("during"))));
        QCOMPARE(during.count(QLatin1String("tcp option maxseg size set 1286")), qsizetype(2)); // out and in
        QCOMPARE(during.count(QLatin1String("table inet ikev2wb {")), qsizetype(1));
        QCOMPARE(during.count(QLatin1String("comment \"ikev2wb-tunnel 10.0.2.1 esp\"")), qsizetype(1));
        QCOMPARE(during.count(QLatin1String("comment \"ikev2wb-tunnel 10.0.2.1 udp-dport\"")), qsizetype(1));
        QCOMPARE(during.count(QLatin1String("comment \"ikev2wb-tunnel 10.0.2.1 udp-sport\"")), qsizetype(1));
        // In the host's own chain (ip fw input) and nowhere else: IPv4 rules skip the ip6 table.
        const QString fw =
            during.section(QStringLiteral("table ip fw {"), 1).section(QStringLiteral("\n}"), 0, 0);
        QCOMPARE(fw.count(QLatin1String("ikev2wb-tunnel")), qsizetype(3));
        // 5 ESP packets of 16 bytes + 20 bytes IPv4 header each
        QVERIFY2(fw.contains(QLatin1String("meta l4proto esp counter packets 5 bytes 180 accept")),
                 qPrintable(fw));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("after"))),
                 readAll(dir.filePath(QStringLiteral("before"))));

        // Without the host's ruleset in the evidence, or with one that filters nothing on the
        // input hook: comments only, no command that could fail or land elsewhere.
        FixTarget unknown = t;
        unknown.nftKnown = false;
        unknown.nftInputChains.clear();
        FixTarget none = t;
        none.nftInputChains.clear();
        FixTarget onlyRefused = none; // its one input chain's name did not validate
        onlyRefused.nftChainsRefused = 1;
        for (const FixTarget &x : {unknown, none, onlyRefused})
            for (const EspCarrier c : {EspCarrier::Esp, EspCarrier::UdpEncap, EspCarrier::Ike})
                for (const Fix &fix : espBlockedFixes(x, c, 1422, 1500))
                    if (fix.kind == FixKind::Nftables)
                        for (const QString &line : fix.text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                            QVERIFY2(line.startsWith(QLatin1Char('#')), qPrintable(line));
        // A refused chain next to a valid one: the commands cover the valid one, a comment the other.
        FixTarget partly = t;
        partly.nftChainsRefused = 1;
        const std::vector<Fix> fx = espBlockedFixes(partly, EspCarrier::Esp, 1422, 1500);
        QVERIFY2(fx[1].text.contains(QLatin1String("|| nft insert rule ip fw input ")) &&
                     fx[1].text.contains(QLatin1String("# 1 more base chain(s) on the input hook")),
                 qPrintable(fx[1].text));
    }

    void ttlsThatDoNotTellKeepThePlaceholder_data()
    {
        // mtu-blackhole's left-outer.pcap: left (10.0.1.1) sends at TTL 64, right's (10.0.2.1)
        // packets arrive at 63 (tshark -T fields -e ip.src -e ip.ttl). Rewritten so that the TTLs no
        // longer prove where the capture was taken: both ends at 64 (no router between them), both
        // lowered (a capture one hop away from both, e.g. at a router). The lab's own TTLs prove it:
        // the control row, whose route fix names right.
        QTest::addColumn<int>("fromLeft"); // 0 = keep the capture's TTLs
        QTest::addColumn<int>("fromRight");
        QTest::newRow("as captured (64 / 63): left's capture") << 0 << 0;
        QTest::newRow("both 64: no router between the ends") << 64 << 64;
        QTest::newRow("both 63: captured at a router") << 63 << 63;
        QTest::newRow("61 / 62: neither initial") << 61 << 62;
    }

    void ttlsThatDoNotTellKeepThePlaceholder()
    {
        // One capture, no evidence: the ends come from the TTLs only when they prove it. When they
        // do not, the per-peer route keeps <peer-address> and its fix refuses to run.
        QFETCH(int, fromLeft);
        QFETCH(int, fromRight);
        QString capture = kLab + QStringLiteral("/left-outer.pcap");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        if (fromLeft) {
            capture = dir.filePath(QStringLiteral("rewritten.pcap"));
            const QByteArray left = QByteArray::fromHex("0a000101"), right = QByteArray::fromHex("0a000201");
            QVERIFY(rewriteTtls(kLab + QStringLiteral("/left-outer.pcap"), capture,
                                [&](const QByteArray &src, const QByteArray &dst, std::uint8_t old) {
                                    if (src == left && dst == right) return std::uint8_t(fromLeft);
                                    if (src == right && dst == left) return std::uint8_t(fromRight);
                                    return old;
                                }));
        }
        const QString script = dir.filePath(QStringLiteral("fix.sh"));
        QProcess cli;
        cli.start(QStringLiteral(IKEV2WB_CLI),
                  {QStringLiteral("diagnose"), QStringLiteral("--capture"), capture,
                   QStringLiteral("--fix-script"), script, QStringLiteral("--json")});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        const QJsonObject d = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        QString route;
        for (const QJsonValue &fd : d[QStringLiteral("findings")].toArray())
            for (const QJsonValue &x : fd[QStringLiteral("fixes")].toArray())
                if (x[QStringLiteral("kind")].toString() == QLatin1String("ip_link") && route.isEmpty())
                    route = x[QStringLiteral("text")].toString();
        QVERIFY2(route.contains(QLatin1String("route replace")), qPrintable(route));
        const QString text = QString::fromUtf8(readAll(script));
        QVERIFY(!text.isEmpty());
        QByteArray out;
        QCOMPARE(runScript(QStringLiteral("-n"), {script}, {}, &out), 0);
        const QRegularExpressionMatch m =
            QRegularExpression(QStringLiteral("fix (\\d+) \\([^)]*\\)\n# \\[ip_link\\]")).match(text);
        QVERIFY2(m.hasMatch(), "no ip_link fix in the script");
        QFile::remove(m_log);
        const int rc = runScript(script, {m.captured(1)}, "y\n", &out);
        if (!fromLeft) {
            QVERIFY2(route.contains(QLatin1String("route replace 10.0.2.1/32 ")), qPrintable(route));
            QVERIFY2(!route.contains(QLatin1String("<peer-address>")), qPrintable(route));
            return; // it may run (or stop for /var/lib when not root): covered by the tests above
        }
        QVERIFY2(route.contains(QLatin1String("route replace '<peer-address>/32' ")), qPrintable(route));
        QVERIFY2(!route.contains(QLatin1String("10.0.2.1/32")) &&
                     !route.contains(QLatin1String("10.0.1.1/32")),
                 qPrintable(route));
        QVERIFY2(rc != 0 && out.contains("still holds <peer-address>"), out.constData());
        QVERIFY2(!QFile::exists(m_log), "the guarded fix ran a command");
    }

    void nftDropBeyondTheInputHookAnsweredInItsChain_data()
    {
        QTest::addColumn<QString>("hook");
        QTest::newRow("host: prerouting at raw priority") << QStringLiteral("prerouting");
        QTest::newRow("router: forward (inet)") << QStringLiteral("forward");
    }

    void nftDropBeyondTheInputHookAnsweredInItsChain()
    {
        // An nft drop of UDP 4500 in a base chain that is not on the input hook: the host's own
        // prerouting chain at raw priority (10.0.2.1 -> 10.0.1.1 over lo), or the forward chain of a
        // router between two namespaces (10.0.2.1 -> 10.0.1.1 routed through it). The kernel's own
        // listing after 3 dropped packets is the evidence; the firewall_drop fix must put the accepts
        // into THAT chain: run twice the ruleset is the same as after once, 5 packets of the peer are
        // counted by the accepts (the drop's counter stays at 0), and the undo leaves
        // `nft list ruleset` byte-identical to before.
        QFETCH(QString, hook);
        const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (geteuid() != 0 || unshare.isEmpty() || python.isEmpty() ||
            QStandardPaths::findExecutable(QStringLiteral("nft")).isEmpty())
            QSKIP("needs root, unshare, nft and python3 (to send UDP from the peer's address)");
        const bool forward = hook == QLatin1String("forward");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString d = dir.path();
        QVERIFY(writeFile(dir.filePath(QStringLiteral("rules.nft")),
                          forward ? "table inet filter {\n    chain forward {\n"
                                    "        type filter hook forward priority filter; policy accept;\n"
                                    "        udp dport 4500 counter drop\n    }\n}\n"
                                  : "table ip rawfw {\n    chain pre {\n"
                                    "        type filter hook prerouting priority raw; policy accept;\n"
                                    "        udp dport 4500 counter drop\n    }\n}\n"));
        // The topology, the ruleset, and $send N: N datagrams 10.0.2.1:4500 -> 10.0.1.1:4500.
        QString setup = QStringLiteral("set -euo pipefail\nmount -t tmpfs tmpfs /run\nip link set lo up\n");
        if (forward)
            setup +=
                QStringLiteral(
                    "ip netns add L\nip netns add R\n"
                    "ip link add vl type veth peer name e0 netns L\nip link add vr type veth peer name e0 "
                    "netns R\n"
                    "ip addr add 10.0.1.254/24 dev vl\nip addr add 10.0.2.254/24 dev vr\n"
                    "ip link set vl up\nip link set vr up\nsysctl -qw net.ipv4.ip_forward=1\n"
                    "for n in L:10.0.1 R:10.0.2; do h=${n%%:*}; net=${n#*:}\n"
                    "  ip -n $h link set lo up; ip -n $h link set e0 up\n"
                    "  ip -n $h addr add $net.1/24 dev e0; ip -n $h route add default via $net.254\n"
                    "done\n"
                    "send() { ip netns exec R %1 -c \"import socket\ns = socket.socket(socket.AF_INET, "
                    "socket.SOCK_DGRAM)\ns.bind(('10.0.2.1', 4500))\nfor i in range($1): s.sendto(bytes(8), "
                    "('10.0.1.1', 4500))\"; }\n")
                    .arg(python);
        else
            setup +=
                QStringLiteral(
                    "ip addr add 10.0.1.1/32 dev lo\nip addr add 10.0.2.1/32 dev lo\n"
                    "send() { %1 -c \"import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                    "s.bind(('10.0.2.1', 4500))\nfor i in range($1): s.sendto(bytes(8), ('10.0.1.1', "
                    "4500))\"; }\n")
                    .arg(python);
        setup += QStringLiteral("nft -f %1/rules.nft\n").arg(d);
        const auto run = [&](const QString &name, const QString &steps) {
            if (!writeFile(dir.filePath(name), (setup + steps).toUtf8())) return QByteArray("cannot write");
            QProcess proc;
            proc.start(unshare,
                       {QStringLiteral("--net"), QStringLiteral("--mount"), QStringLiteral("--propagation"),
                        QStringLiteral("private"), m_bash, dir.filePath(name)});
            if (!proc.waitForFinished(30000)) return QByteArray("timed out");
            return proc.exitCode() == 0 ? QByteArray() : proc.readAllStandardError() + "exit code";
        };
        QByteArray err = run(QStringLiteral("list.sh"),
                             QStringLiteral("send 3\nnft -a list ruleset > %1/nft-ruleset.txt\n").arg(d));
        QVERIFY2(err.isEmpty(), err.constData());
        const QByteArray listing = readAll(dir.filePath(QStringLiteral("nft-ruleset.txt")));
        QVERIFY2(listing.contains("udp dport 4500 counter packets 3 bytes 108 drop"), listing.constData());

        EvidenceSet set;
        set.addText(QStringLiteral("nft-ruleset.txt"), listing);
        DiagnosisInput in;
        in.evidence = &set;
        Facts f = deriveFacts(in);
        QCOMPARE(f.firewallDrops.size(), std::size_t(1));
        QCOMPARE(f.firewallDrops.front().hook, hook);
        f.localAddress = QStringLiteral("10.0.1.1");
        f.peerAddress = QStringLiteral("10.0.2.1");
        const std::optional<Finding> fd = ruleFirewallDrop(f);
        QVERIFY(fd);
        QCOMPARE(fd->fixes.size(), std::size_t(1));
        const Fix &fix = fd->fixes.front();
        QCOMPARE(fix.kind, FixKind::Nftables);
        const QString chain =
            forward ? QStringLiteral("inet filter forward") : QStringLiteral("ip rawfw pre");
        QVERIFY2(fix.text.contains(QStringLiteral("insert rule %1 ").arg(chain)) &&
                     fix.text.count(QLatin1String("| nft -f -")) == 1,
                 qPrintable(fix.text));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("fix.sh")), "set -euo pipefail\n" + fix.text.toUtf8()));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("undo.sh")),
                          "set -euo pipefail\n" +
                              fix.undo.section(QStringLiteral(" (deletes exactly"), 0, 0).toUtf8()));
        err = run(QStringLiteral("apply.sh"), QStringLiteral("nft list ruleset > %1/before\n"
                                                             "bash %1/fix.sh\nnft list ruleset > %1/once\n"
                                                             "bash %1/fix.sh\nnft list ruleset > %1/twice\n"
                                                             "send 5\nnft list ruleset > %1/during\n"
                                                             "bash %1/undo.sh\nnft list ruleset > %1/after\n")
                                                  .arg(d));
        QVERIFY2(err.isEmpty(), err.constData());
        const QByteArray once = readAll(dir.filePath(QStringLiteral("once")));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("twice"))), once);
        QCOMPARE(readAll(dir.filePath(QStringLiteral("after"))),
                 readAll(dir.filePath(QStringLiteral("before"))));
        // Both directions (the drop takes any address), ESP not (it takes UDP 4500 only): 4 accepts,
        // all in that chain.
        QCOMPARE(once.count("comment \"ikev2wb-accept 10.0.2.1 "), qsizetype(4));
        const QString during = QString::fromUtf8(readAll(dir.filePath(QStringLiteral("during"))));
        std::int64_t accepted = 0;
        const QRegularExpression counted(QStringLiteral(
            "counter packets (\\d+) bytes \\d+ accept comment \"ikev2wb-accept 10\\.0\\.2\\.1 "));
        for (auto it = counted.globalMatch(during); it.hasNext();)
            accepted += it.next().captured(1).toLongLong();
        QCOMPARE(accepted, std::int64_t(5));
        QVERIFY2(during.contains(QLatin1String("udp dport 4500 counter packets 0 bytes 0 drop")),
                 qPrintable(during));
    }

    void peerRouteFixRunsOnlyOnThePeer()
    {
        // mtu-blackhole diagnosed with right's capture as A: left (10.0.1.1) sends the packets the
        // 1400-byte mid->right link drops, so the per-peer route fix is left's: its route to
        // 10.0.2.1 through left's own gateway and interface (left-routes-start.txt, read here) with
        // mtu lock 1400 (truth.json's link MTU). Run in a namespace that owns 10.0.1.1 the kernel
        // then routes 10.0.2.1 that way; run in one that owns 10.0.2.1 (right) it changes nothing.
        const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        if (geteuid() != 0 || unshare.isEmpty())
            QSKIP("needs root and unshare for a network namespace and a private /var/lib");
        const QString summary = QString::fromUtf8(readAll(kLab + QStringLiteral("/truth.json")));
        QVERIFY(summary.contains(QLatin1String("the mid->right link has MTU 1400")));
        const QRegularExpressionMatch gw =
            QRegularExpression(QStringLiteral("^10\\.0\\.2\\.0/24 via (\\S+) dev (\\S+)"),
                               QRegularExpression::MultilineOption)
                .match(QString::fromUtf8(readAll(kLab + QStringLiteral("/stats/left-routes-start.txt"))));
        QVERIFY(gw.hasMatch());
        const QString gateway = gw.captured(1), dev = gw.captured(2);
        QProcess cli;
        cli.start(QStringLiteral(IKEV2WB_CLI),
                  {QStringLiteral("diagnose"), QStringLiteral("--capture"),
                   kLab + QStringLiteral("/right-outer.pcap"), QStringLiteral("--peer-capture"),
                   kLab + QStringLiteral("/left-outer.pcap"), QStringLiteral("--evidence"),
                   kLab + QStringLiteral("/stats"), QStringLiteral("--json")});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        const QJsonObject d = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        QString text;
        for (const QJsonValue &fd : d[QStringLiteral("findings")].toArray())
            for (const QJsonValue &x : fd[QStringLiteral("fixes")].toArray())
                if (x[QStringLiteral("kind")].toString() == QLatin1String("ip_link"))
                    text = x[QStringLiteral("text")].toString();
        QVERIFY2(
            text.contains(
                QStringLiteral("ip route replace 10.0.2.1/32 via %1 dev %2 mtu lock 1400").arg(gateway, dev)),
            qPrintable(text));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(writeFile(dir.filePath(QStringLiteral("fix.sh")), "set -euo pipefail\n" + text.toUtf8()));
        for (const bool onPeer : {true, false}) {
            const QString own = onPeer ? QStringLiteral("10.0.1.1") : QStringLiteral("10.0.2.1");
            const QString script = QStringLiteral("set -uo pipefail\n"
                                                  "mount -t tmpfs tmpfs /var/lib\n"
                                                  "ip link add %1 type veth peer name v1\n"
                                                  "ip link set v1 up\nip link set %1 up\nip link set lo up\n"
                                                  "ip addr add %2/24 dev %1\n"
                                                  // the evidence's next hop (the fix checks it)
                                                  "ip route add 10.0.0.0/16 via %4 dev %1 onlink\n"
                                                  // veth carriers come up asynchronously: until then
                                                  // the routes are listed "linkdown" (the listing
                                                  // before differed from the one after, under load)
                                                  "for i in $(seq 200); do ip -o link show | grep -e "
                                                  "NO-CARRIER -e LOWERLAYERDOWN > /dev/null || break; "
                                                  "sleep 0.05; done\n"
                                                  "{ ip -o route show table all; } > %3/before\n"
                                                  "bash %3/fix.sh; echo $? > %3/rc\n"
                                                  "{ ip -o route show table all; } > %3/after\n"
                                                  "ip route get 10.0.2.1 > %3/get\n")
                                       .arg(dev, own, dir.path(), gateway);
            QVERIFY(writeFile(dir.filePath(QStringLiteral("run.sh")), script.toUtf8()));
            QProcess proc;
            proc.start(unshare,
                       {QStringLiteral("--net"), QStringLiteral("--mount"), QStringLiteral("--propagation"),
                        QStringLiteral("private"), m_bash, dir.filePath(QStringLiteral("run.sh"))});
            QVERIFY(proc.waitForFinished(30000));
            QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
            const QByteArray rc = readAll(dir.filePath(QStringLiteral("rc"))).trimmed();
            const QByteArray get = readAll(dir.filePath(QStringLiteral("get")));
            if (onPeer) {
                QCOMPARE(rc, QByteArray("0"));
                QVERIFY2(get.contains(QStringLiteral("via %1 dev %2").arg(gateway, dev).toUtf8()) &&
                             get.contains("mtu lock 1400"),
                         get.constData());
            } else {
                QCOMPARE(rc, QByteArray("1"));
                QCOMPARE(readAll(dir.filePath(QStringLiteral("after"))),
                         readAll(dir.filePath(QStringLiteral("before"))));
            }
        }
    }

    void firewallFixInNetns()
    {
        // The firewall_drop fix with the real iptables in a fresh network namespace: the ACCEPT
        // lands right before the DROP it answers (found by the rule's text), takes the tunnel's
        // ESP (5 raw ESP packets sent: 5 × 36 bytes counted by the ACCEPT, none by the DROP), and
        // its undo leaves the ruleset exactly as before.
        const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (geteuid() != 0 || unshare.isEmpty() || python.isEmpty() ||
            QStandardPaths::findExecutable(QStringLiteral("iptables")).isEmpty())
            QSKIP("needs root, unshare, iptables and python3 (to send raw ESP inside the namespace)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        FixTarget t;
        t.localAddress = QStringLiteral("10.0.1.1");
        t.peerAddress = QStringLiteral("10.0.2.1");
        FirewallAcceptParams p;
        p.host = QStringLiteral("this host");
        p.table = QStringLiteral("filter");
        p.chain = QStringLiteral("OUTPUT");
        p.ruleText = QStringLiteral("-A OUTPUT -d 10.0.2.1/32 -p esp -j DROP");
        p.esp = true;
        p.fromPeer = false;
        QString why;
        const std::vector<Fix> fixes = firewallAcceptFixes(t, p, &why);
        QVERIFY2(fixes.size() == 1, qPrintable(why));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("fix.sh")),
                          "set -euo pipefail\n" + fixes[0].text.toUtf8()));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("undo.sh")),
                          "set -euo pipefail\n" + fixes[0].undo.toUtf8()));
        const QString d = dir.path();
        QVERIFY(writeFile(
            dir.filePath(QStringLiteral("run.sh")),
            QStringLiteral("set -euo pipefail\n"
                           "ip link set lo up\n"
                           "ip link add v0 type veth peer name v1\nip link set v0 up\nip link set v1 up\n"
                           "ip addr add 10.0.1.1/24 dev v0\n"
                           "ip route add 10.0.2.0/24 via 10.0.1.254 dev v0\n"
                           "iptables -A OUTPUT -p tcp -j ACCEPT\n"
                           "iptables -A OUTPUT -d 10.0.2.1/32 -p esp -j DROP\n"
                           "iptables -A OUTPUT -p icmp -j ACCEPT\n"
                           "iptables-save | grep -v '^#' > %1/before\n"
                           // twice: the second run finds the ACCEPT (-C) and adds nothing
                           "bash %1/fix.sh\nbash %1/fix.sh\n"
                           "iptables -S OUTPUT > %1/during\n"
                           "%2 -c \"import socket\n"
                           "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)\n"
                           "for i in range(5): s.sendto(bytes(16), ('10.0.2.1', 0))\"\n"
                           "iptables-save -c | grep -e ikev2wb-tunnel -e DROP > %1/counters\n"
                           "bash %1/undo.sh\n"
                           "iptables-save | grep -v '^#' > %1/after\n")
                .arg(d, python)
                .toUtf8()));
        QProcess proc;
        proc.start(unshare, {QStringLiteral("--net"), m_bash, dir.filePath(QStringLiteral("run.sh"))});
        QVERIFY(proc.waitForFinished(30000));
        QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("during"))),
                 QByteArray("-P OUTPUT ACCEPT\n"
                            "-A OUTPUT -p tcp -j ACCEPT\n"
                            "-A OUTPUT -s 10.0.1.1/32 -d 10.0.2.1/32 -p esp -m comment --comment "
                            "ikev2wb-tunnel -j ACCEPT\n"
                            "-A OUTPUT -d 10.0.2.1/32 -p esp -j DROP\n"
                            "-A OUTPUT -p icmp -j ACCEPT\n"));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("counters"))),
                 QByteArray("[5:180] -A OUTPUT -s 10.0.1.1/32 -d 10.0.2.1/32 -p esp -m comment --comment "
                            "ikev2wb-tunnel -j ACCEPT\n"
                            "[0:0] -A OUTPUT -d 10.0.2.1/32 -p esp -j DROP\n"));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("after"))),
                 readAll(dir.filePath(QStringLiteral("before"))));

        // The rule gone from the chain (the ruleset changed since the evidence): nothing changes.
        QVERIFY(writeFile(dir.filePath(QStringLiteral("run2.sh")),
                          QStringLiteral("set -euo pipefail\niptables -A OUTPUT -p tcp -j ACCEPT\n"
                                         "iptables-save | grep -v '^#' > %1/before2\n"
                                         "if bash %1/fix.sh; then echo applied; fi\n"
                                         "iptables-save | grep -v '^#' > %1/after2\n")
                              .arg(d)
                              .toUtf8()));
        proc.start(unshare, {QStringLiteral("--net"), m_bash, dir.filePath(QStringLiteral("run2.sh"))});
        QVERIFY(proc.waitForFinished(30000));
        QCOMPARE(proc.exitCode(), 0);
        const QByteArray out = proc.readAllStandardOutput(), err = proc.readAllStandardError();
        QVERIFY2(!out.contains("applied") && err.contains("is not in chain OUTPUT"), err.constData());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("after2"))),
                 readAll(dir.filePath(QStringLiteral("before2"))));
    }

    void cleanupTestCase()
    {
        qInfo("%d scripts, %d fixes run through the stubs", m_scripts, m_fixesRun);
        // The hostile cases must still leave fixes that run: otherwise the loop above proved
        // nothing about quoting.
        QVERIFY(m_fixesRun > m_scripts);
    }
};

QTEST_GUILESS_MAIN(TestFixScriptSandbox)
#include "tst_fixscript_sandbox.moc"
