// Quoting and validation of values from evidence (core/diagnose/shellquote.h). The oracle for
// shq() is bash itself: `printf %s QUOTED` must print the original bytes, for every nasty input.
// The validators are checked against the rules they cite: the kernel's dev_valid_name()
// (net/core/dev.c: 1..15 bytes, not "." / "..", no '/', ':' or whitespace), inet_pton's grammar,
// and the subset of swanctl names documented in shellquote.h.
#include "diagnose/facts.h"
#include "diagnose/fixes.h"
#include "diagnose/shellquote.h"
#include "live/capturehelper.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace ikev2wb;

class TestShellQuote : public QObject
{
    Q_OBJECT
private slots:
    void quotedByBash_data()
    {
        QTest::addColumn<QString>("value");
        const char *const values[] = {"eth0",
                                      "",
                                      "a b",
                                      "$(touch /tmp/x)",
                                      "`id`",
                                      "a;b",
                                      "a&&b",
                                      "it's",
                                      "''",
                                      "'\\''",
                                      "\"$HOME\"",
                                      "a\nb",
                                      "*",
                                      "~root",
                                      "-n",
                                      "!!",
                                      "x\\",
                                      "<wan-interface>",
                                      "line1\r\nline2\t\x1b[31m"};
        for (const char *v : values)
            QTest::newRow(qPrintable(oneLine(QString::fromUtf8(v)))) << QString::fromUtf8(v);
        QTest::newRow("utf-8") << QStringLiteral("gr\u00fc\u00dfe \u2192 \u00e9");
        QTest::newRow("long") << QString(4000, QLatin1Char('\''));
    }

    void quotedByBash()
    {
        QFETCH(QString, value);
        const QString bash = QStandardPaths::findExecutable(QStringLiteral("bash"));
        QVERIFY(!bash.isEmpty());
        QProcess p;
        p.start(bash, {QStringLiteral("-c"), QStringLiteral("printf %s ") + shq(value)});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()), value);
    }

    void safeValuesStayReadable()
    {
        // Values that need no quoting are not decorated (fix text stays as an engineer writes it).
        QCOMPARE(shq(QStringLiteral("wan0")), QStringLiteral("wan0"));
        QCOMPARE(shq(QStringLiteral("10.2.0.0/24")), QStringLiteral("10.2.0.0/24"));
        QCOMPARE(shq(QStringLiteral("2001:db8::1")), QStringLiteral("2001:db8::1"));
        QCOMPARE(shq(QStringLiteral("<wan-interface>")), QStringLiteral("'<wan-interface>'"));
        QCOMPARE(shq(QStringLiteral("it's")), QStringLiteral("'it'\\''s'"));
    }

    void interfaceNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("eth0") << QStringLiteral("eth0") << true;
        QTest::newRow("vlan") << QStringLiteral("eth0.100") << true;
        QTest::newRow("15 bytes") << QStringLiteral("enp0s31f6abcdef") << true;
        QTest::newRow("16 bytes") << QStringLiteral("enp0s31f6abcdefg") << false; // IFNAMSIZ 16 incl. NUL
        QTest::newRow("dash") << QStringLiteral("br-lan") << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow(".") << QStringLiteral(".") << false;
        QTest::newRow("..") << QStringLiteral("..") << false;
        QTest::newRow("slash") << QStringLiteral("a/b") << false;
        QTest::newRow("colon alias") << QStringLiteral("eth0:1") << false;
        QTest::newRow("space") << QStringLiteral("a b") << false;
        QTest::newRow("newline") << QStringLiteral("a\nb") << false;
        QTest::newRow("substitution") << QStringLiteral("$(id)") << false;
        QTest::newRow("quote") << QStringLiteral("eth'0") << false;
        QTest::newRow("at (ip link's peer suffix)") << QStringLiteral("veth0@if3") << false;
        // The kernel takes these, but a leading '-' is an option to ethtool -g IFACE and the like.
        QTest::newRow("leading dash") << QStringLiteral("-h") << false;
        QTest::newRow("leading double dash") << QStringLiteral("--help") << false;
        QTest::newRow("leading plus") << QStringLiteral("+x") << false;
        QTest::newRow("leading dot") << QStringLiteral(".x") << false;
        QTest::newRow("leading underscore") << QStringLiteral("_x") << true;
    }

    void interfaceNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidInterfaceName(name), valid);
    }

    void connectionNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("lab") << QStringLiteral("lab") << true;
        QTest::newRow("site-a_to-b.v2") << QStringLiteral("site-a_to-b.v2") << true;
        QTest::newRow("user@host") << QStringLiteral("rw@vpn") << true;
        QTest::newRow("leading dash") << QStringLiteral("-x") << false;
        QTest::newRow("brace") << QStringLiteral("a{") << false;
        QTest::newRow("equals") << QStringLiteral("a=b") << false;
        QTest::newRow("hash") << QStringLiteral("a#b") << false;
        QTest::newRow("space") << QStringLiteral("a b") << false;
        QTest::newRow("substitution") << QStringLiteral("a$(id)") << false;
        QTest::newRow("65 chars") << QString(65, QLatin1Char('a')) << false;
    }

    void connectionNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidConnectionName(name), valid);
    }

    void addresses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("subnet");
        QTest::newRow("v4") << QStringLiteral("10.0.2.1") << QStringLiteral("10.0.2.1")
                            << QStringLiteral("10.0.2.1/32");
        QTest::newRow("v4 net") << QStringLiteral("10.2.0.0/24") << QString()
                                << QStringLiteral("10.2.0.0/24");
        QTest::newRow("v4 host bits")
            << QStringLiteral("10.2.0.77/24") << QString() << QStringLiteral("10.2.0.0/24");
        QTest::newRow("v4 /0") << QStringLiteral("0.0.0.0/0") << QString() << QStringLiteral("0.0.0.0/0");
        QTest::newRow("v4 /33") << QStringLiteral("10.0.0.0/33") << QString() << QString();
        QTest::newRow("v6") << QStringLiteral("2001:DB8:0:0::1") << QStringLiteral("2001:db8::1")
                            << QStringLiteral("2001:db8::1/128");
        QTest::newRow("v6 net") << QStringLiteral("2001:db8:1:2::/64") << QString()
                                << QStringLiteral("2001:db8:1:2::/64");
        QTest::newRow("v6 /129") << QStringLiteral("2001:db8::/129") << QString() << QString();
        QTest::newRow("scope id") << QStringLiteral("fe80::1%eth0") << QString() << QString();
        QTest::newRow("space") << QStringLiteral(" 10.0.2.1") << QString() << QString();
        QTest::newRow("octal-looking") << QStringLiteral("010.0.2.1") << QString() << QString();
        QTest::newRow("hostname") << QStringLiteral("vpn.example.com") << QString() << QString();
        QTest::newRow("range") << QStringLiteral("10.0.0.1-10.0.0.5") << QString() << QString();
        QTest::newRow("ts with proto") << QStringLiteral("10.2.0.0/24[tcp/80]") << QString() << QString();
        QTest::newRow("%any") << QStringLiteral("%any") << QString() << QString();
        QTest::newRow("injection") << QStringLiteral("1.2.3.4;id") << QString() << QString();
        QTest::newRow("prefix sign") << QStringLiteral("10.0.0.0/+8") << QString() << QString();
    }

    void addresses()
    {
        QFETCH(QString, text);
        QFETCH(QString, address);
        QFETCH(QString, subnet);
        if (!text.contains(QLatin1Char('/'))) QCOMPARE(canonicalAddress(text), address);
        QCOMPARE(canonicalSubnet(text), subnet);
    }

    void oneLineFlattens()
    {
        QCOMPARE(oneLine(QStringLiteral("a\nb\rc\td\x1b[0m")), QStringLiteral("a\\nb\\rc\\td\\x1b[0m"));
        QCOMPARE(oneLine(QStringLiteral("abcdef"), 3), QStringLiteral("abc\u2026"));
        QVERIFY(!oneLine(QStringLiteral("x\u2028y")).contains(QChar(0x2028)));
        // A tag character (U+E0041, outside the BMP) is one character, written visibly; an emoji is kept.
        QCOMPARE(oneLine(QString::fromUcs4(U"a\U000E0041b\U0001F600")),
                 QStringLiteral("a\\xe0041b") + QString::fromUcs4(U"\U0001F600"));
    }

    void targetRejectsAndSaysWhy()
    {
        Facts f;
        f.connection = QStringLiteral("lab$(id)");
        f.child = QStringLiteral("net");
        f.wanInterface = QStringLiteral("wan0;reboot");
        f.peerAddress = QStringLiteral("10.0.2.1");
        f.localAddress = QStringLiteral("10.0.1.1\ntouch /x");
        f.remoteSubnet = QStringLiteral("10.2.0.0/24");
        const FixTarget t = fixTarget(f);
        QCOMPARE(t.connection, QStringLiteral("<connection>"));
        QCOMPARE(t.child, QStringLiteral("net"));
        QCOMPARE(t.wanInterface, QStringLiteral("<wan-interface>"));
        QCOMPARE(t.peerAddress, QStringLiteral("10.0.2.1"));
        QCOMPARE(t.localAddress, QStringLiteral("<local-address>"));
        QCOMPARE(t.remoteSubnet, QStringLiteral("10.2.0.0/24"));
        QCOMPARE(t.rejected.size(), 3);
        for (const QString &r : t.rejected) {
            QVERIFY(r.contains(QLatin1String("from the evidence")));
            QVERIFY(!r.contains(QLatin1Char('\n')));
        }
        QVERIFY(t.rejected.join(QLatin1Char(' ')).contains(QLatin1String("10.0.1.1\\ntouch /x")));
    }

    // The peer's capture runs as a shell line on the peer (ssh USER@HOST 'sh -c LINE'), as root
    // there for tcpdump. checkPeerCapture is what the CLI and the GUI ask before they build it:
    // the packet count and snap length go into the line unquoted, so anything but digits is
    // refused; the filter is one quoted argument that tcpdump never reads as an option.
    void peerCaptureLine()
    {
        PeerCapture p;
        p.destination = QStringLiteral("root@192.0.2.1");
        p.iface = QStringLiteral("eth0.100");
        p.tool = QStringLiteral("tcpdump");
        p.count = QStringLiteral("100");
        p.snaplen = QStringLiteral("9216");
        QCOMPARE(checkPeerCapture(p), QString());
        for (const char *bad :
             {"1;touch /tmp/x", "$(touch /tmp/x)", "1 -w /etc/passwd", "-1", " 5", "5\n", ""}) {
            PeerCapture c = p;
            c.count = QString::fromLatin1(bad);
            if (c.count.isEmpty()) continue; // empty: no limit
            QVERIFY2(!checkPeerCapture(c).isEmpty(), bad);
            c = p;
            c.snaplen = QString::fromLatin1(bad);
            QVERIFY2(!checkPeerCapture(c).isEmpty(), bad);
        }
        // A final newline is no part of a valid value either (a '$' anchor would let it through).
        for (const auto &[field, value] :
             std::initializer_list<std::pair<QString PeerCapture::*, const char *>>{
                 {&PeerCapture::destination, "root@192.0.2.1\n"},
                 {&PeerCapture::helperPath, "/usr/lib/ikev2wb/helper\n"}}) {
            PeerCapture c = p;
            c.*field = QString::fromLatin1(value);
            QVERIFY2(!checkPeerCapture(c).isEmpty(), value);
        }
        PeerCapture withOption = p;
        withOption.sshOptions = {QStringLiteral("Port=2222\n")};
        QVERIFY(!checkPeerCapture(withOption).isEmpty());
        // The line as the peer's shell runs it, with a stub tcpdump that records its arguments: a
        // filter starting with '-' comes after "--", so tcpdump takes it as the expression.
        const QString sh = QStandardPaths::findExecutable(QStringLiteral("sh"));
        QVERIFY(!sh.isEmpty());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString args = dir.filePath(QStringLiteral("args"));
        QFile stub(dir.filePath(QStringLiteral("tcpdump")));
        QVERIFY(stub.open(QIODevice::WriteOnly));
        stub.write(QStringLiteral("#!%1\nprintf '%s\\n' \"$@\" > %2\n").arg(sh, shq(args)).toUtf8());
        stub.close();
        QVERIFY(stub.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        p.filter = QStringLiteral("-w /etc/passwd");
        QCOMPARE(checkPeerCapture(p), QString());
        const QStringList ssh = peerSshArguments(p);
        QVERIFY(ssh.last().startsWith(QLatin1String("sh -c ")));
        QProcess run;
        QProcessEnvironment env;
        env.insert(QStringLiteral("PATH"), dir.path() + QStringLiteral(":/usr/bin:/bin"));
        run.setProcessEnvironment(env);
        run.start(sh, {QStringLiteral("-c"), ssh.last()});
        QVERIFY(run.waitForFinished(10000));
        QFile got(args);
        QVERIFY(got.open(QIODevice::ReadOnly));
        const QStringList argv =
            QString::fromUtf8(got.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(argv.size() >= 2 && argv.last() == p.filter && argv[argv.size() - 2] == QLatin1String("--"),
                 qPrintable(argv.join(QLatin1Char(' '))));
        QVERIFY2(argv.contains(QStringLiteral("100")) && argv.contains(QStringLiteral("9216")),
                 qPrintable(argv.join(QLatin1Char(' '))));
    }
};

QTEST_GUILESS_MAIN(TestShellQuote)
#include "tst_shellquote.moc"
