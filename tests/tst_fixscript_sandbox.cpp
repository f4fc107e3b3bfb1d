// The fix script `ikev2wb diagnose --fix-script` writes is run as root on a gateway. Evidence
// files are hostile input: this test plants command substitutions, backticks, `;`, `&&`, quote
// breaks, newlines, heredoc terminators and very long values in every evidence field that feeds a
// fix (the interface of a route listing, connection and CHILD_SA names of swanctl --list-sas, a
// swanctl.conf and a charon log, the addresses and traffic selector of swanctl.conf), runs the
// real CLI on the lab's MTU black-hole capture with that evidence, and then runs the script it
// wrote: `bash -n`, without arguments, and every fix answered "y" — with stub commands (iptables,
// nft, ip, sysctl, ethtool, swanctl, ...) as the only programs on PATH, inside a fresh network
// namespace when root. The payloads would create a marker file; the test fails if it appears, if
// a stub ever receives an argument holding a payload, or if the script runs anything when called
// without arguments.
#include "diagnose/fixes.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace ikev2wb;

namespace {

const QString kData = QStringLiteral(IKEV2WB_TEST_DATA);
const QString kLab = kData + QStringLiteral("/lab/mtu-blackhole");

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

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
};

} // namespace

class TestFixScriptSandbox : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_stubs, m_log, m_bash, m_unshare;
    int m_scripts = 0, m_fixesRun = 0;

    /// Runs `bash SCRIPT args` with only the stubs (and cat/seq/head) on PATH, in a fresh
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
        if (!m_unshare.isEmpty()) argv.prepend(m_unshare), argv.insert(1, QStringLiteral("--net"));
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
            QVERIFY(writeFile(path, QByteArray("#!") + m_bash.toUtf8() +
                                        "\nprintf '%s\\x1f' \"${0##*/}\" \"$@\" >> \"$STUB_LOG\"\n"
                                        "printf '\\x1e' >> \"$STUB_LOG\"\nexit 0\n"));
            QFile::setPermissions(path,
                                  QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::WriteOwner);
        }
        // The script's own helpers; nothing else is reachable.
        for (const char *tool : {"cat", "seq", "head"}) {
            const QString real = QStandardPaths::findExecutable(QString::fromLatin1(tool));
            QVERIFY2(!real.isEmpty(), tool);
            QVERIFY(QFile::link(real, m_stubs + QLatin1Char('/') + QString::fromLatin1(tool)));
        }
        // A fresh network namespace as well when we may make one (root): even a command that
        // slipped past the stubs could not touch this host's network.
        const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        if (geteuid() == 0 && !unshare.isEmpty() &&
            QProcess::execute(unshare, {QStringLiteral("--net"), QStringLiteral("true")}) == 0)
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
        QVERIFY(writeFile(evidence + QLatin1Char('/') + QString::fromLatin1(st.file), text));
        if (QString::fromLatin1(st.file) != QLatin1String("left-routes-start.txt"))
            QVERIFY(writeFile(evidence + QStringLiteral("/left-routes-start.txt"), routesWith("wan0")));

        // The real CLI writes the script.
        const QString script = caseDir + QStringLiteral("/fixes.sh");
        QProcess cli;
        cli.start(QStringLiteral(IKEV2WB_CLI),
                  {QStringLiteral("diagnose"), QStringLiteral("--capture"),
                   kLab + QStringLiteral("/left-outer.pcap"), QStringLiteral("--peer-capture"),
                   kLab + QStringLiteral("/right-outer.pcap"), QStringLiteral("--evidence"), evidence,
                   QStringLiteral("--fix-script"), script});
        QVERIFY(cli.waitForFinished(120000));
        const QByteArray report = cli.readAllStandardOutput();
        QVERIFY2(QFile::exists(script), cli.readAllStandardError().constData());
        QVERIFY(!QFile::exists(marker));
        // The payload shows up in the diagnosis only as a rejected value, never as a name used
        // (a value the captures already gave, such as the peer address, is not read at all).
        for (const QByteArray &line : report.split('\n'))
            if (line.contains("PWNED")) QVERIFY2(line.contains("from the evidence"), line.constData());
        ++m_scripts;

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
            // A fix either ran (exit 0) or refused because it still holds a placeholder.
            if (rc != 0) {
                QVERIFY2(out.contains("still holds <"), out.constData());
                QVERIFY2(!QFile::exists(m_log), "a guarded fix ran a command");
                continue;
            }
            ++m_fixesRun;
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
        QVERIFY(
            writeFile(dir.filePath(QStringLiteral("bin/ethtool")),
                      QByteArray("#!/bin/sh\n"
                                 "state=") +
                          dir.filePath(QStringLiteral("rx")).toUtf8() +
                          "\n"
                          "case \"$1\" in\n"
                          "-g) awk -v cur=\"$(cat \"$state\")\" '/^Current hardware settings/ {c = 1} "
                          "c && /^RX:/ {sub(/[0-9]+/, cur)} {print}' " +
                          real.toUtf8() +
                          " ;;\n"
                          "-G) [ \"$2\" = eth0 ] && [ \"$3\" = rx ] && printf '%s' \"$4\" > \"$state\" ;;\n"
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
        // The undo is a command followed by a note in parentheses.
        const QString undo = ring.undo.section(QStringLiteral(" ("), 0, 0);
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
        // The fix alone: min(4096, maximum) and the old size saved.
        QByteArray out = run(QStringLiteral("/dev/null"));
        QVERIFY2(out.endsWith("rc=0"), out.constData());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("rx"))).toInt(), std::min(4096, maximum));
        QVERIFY2(out.contains(QByteArray(QByteArray::number(before) + '\n')),
                 out.constData()); // the saved file
        // Fix, then undo (in the same mount namespace, where the saved value lives).
        QVERIFY(writeFile(dir.filePath(QStringLiteral("rx")), QByteArray::number(before)));
        out = run(dir.filePath(QStringLiteral("undo.sh")));
        QVERIFY2(out.endsWith("rc=0"), out.constData());
        QCOMPARE(readAll(dir.filePath(QStringLiteral("rx"))).toInt(), before);
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
