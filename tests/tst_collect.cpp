// `ikev2wb collect`: a real run on this machine, a run against a fake /etc holding secrets and
// private keys, and the redaction functions on their own.
#include "evidence/collector.h"
#include "evidence/evidenceset.h"
#include "evidence/redact.h"

#include <QDirIterator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace ikev2wb;

namespace {

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Every file below dir, relative path → content.
std::map<QString, QByteArray> tree(const QString &dir)
{
    std::map<QString, QByteArray> out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString p = it.next();
        out[QDir(dir).relativeFilePath(p)] = readAll(p);
    }
    return out;
}

// Hand-written in the layout of `ip -s -s xfrm state` (lab files, iproute2 6.1); keys invented.
const QByteArray xfrmWithKeys =
    "src 10.0.2.1 dst 10.0.1.1\n"
    "\tproto esp spi 0xcd93565c(3448985180) reqid 1(0x00000001) mode tunnel\n"
    "\treplay-window 0 seq 0x00000000 flag af-unspec (0x00100000)\n"
    "\tauth-trunc hmac(sha256) 0xd6b58a91204dae85635e7ff5746cc775c2c83b7fc9bece2941432b40b6f620a9 (256 bits) "
    "128\n"
    "\tenc cbc(aes) 0xf325561046629553ce14a16e97b4529c (128 bits)\n"
    "\taead rfc4106(gcm(aes)) 0x00112233445566778899aabbccddeeff01234567 (160 bits) 128\n"
    "\tanti-replay context: seq 0x0, oseq 0xc2c, bitmap 0x00000000\n";

const QByteArray swanctlWithSecrets = "connections {\n"
                                      "    a {\n"
                                      "        remote_addrs = 198.51.100.7\n"
                                      "        local { auth = psk }\n"
                                      "    }\n"
                                      "}\n"
                                      "secrets {\n"
                                      "    ike-a {\n"
                                      "        id = gw2\n"
                                      "        secret = 0sTOPSECRETPSK\n"
                                      "    }\n"
                                      "    private-key {\n"
                                      "        file = key.pem\n"
                                      "        secret = \"KEYPASSPHRASE\"\n"
                                      "    }\n"
                                      "}\n"
                                      "authorities {\n"
                                      "    ca { cacert = ca.pem }\n"
                                      "}\n";

} // namespace

class TestCollect : public QObject
{
    Q_OBJECT

private slots:
    void redactXfrm();
    void redactSwanctl_data();
    void redactSwanctl();
    void redactIpsecAndLog();
    void failureReasons_data();
    void failureReasons();
    void fakeRoot();
    void thisMachine();
    void refusesNonEmptyFolder();
};

void TestCollect::redactXfrm()
{
    int n = 0;
    const QByteArray out = redactXfrmState(xfrmWithKeys, &n);
    QCOMPARE(n, 3);
    QVERIFY(!containsKeyLikeHex(out));
    QVERIFY(!out.contains("d6b58a91"));
    QVERIFY(!out.contains("f3255610"));
    QVERIFY(!out.contains("00112233"));
    QVERIFY(out.contains("\tauth-trunc hmac(sha256) [redacted] (256 bits) 128\n"));
    QVERIFY(out.contains("\tenc cbc(aes) [redacted] (128 bits)\n"));
    QVERIFY(out.contains("\taead rfc4106(gcm(aes)) [redacted] (160 bits) 128\n"));
    // Everything else stays, so the redacted file still parses.
    QVERIFY(out.contains("anti-replay context: seq 0x0, oseq 0xc2c, bitmap 0x00000000"));
    QVERIFY(out.contains("proto esp spi 0xcd93565c(3448985180)"));
    QVERIFY(containsKeyLikeHex(xfrmWithKeys));
}

void TestCollect::redactSwanctl_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArrayList>("gone");
    QTest::addColumn<QByteArrayList>("kept");
    QTest::newRow("secrets section") << swanctlWithSecrets
                                     << QByteArrayList{"TOPSECRETPSK", "KEYPASSPHRASE", "ike-a", "key.pem"}
                                     << QByteArrayList{"remote_addrs = 198.51.100.7", "auth = psk",
                                                       "cacert = ca.pem", "secrets {"};
    QTest::newRow("brace on next line")
        << QByteArray("secrets\n{\n  ike { secret = abc123xyz }\n}\nconnections {\n}\n")
        << QByteArrayList{"abc123xyz"} << QByteArrayList{"connections {"};
    QTest::newRow("secret outside secrets")
        << QByteArray("plugins {\n  eap-radius {\n    secret = radiuspw # shared\n  }\n}\n")
        << QByteArrayList{"radiuspw"} << QByteArrayList{"secret = [redacted]", "eap-radius {"};
    QTest::newRow("multi-line quoted")
        << QByteArray("a {\n  password = \"line one\nline two\"\n  next = 1\n}\n")
        << QByteArrayList{"line one", "line two"} << QByteArrayList{"next = 1"};
    QTest::newRow("psk and pin keys") << QByteArray("x {\n  psk = hunter2\n  pin = 1234\n  id = pinned\n}\n")
                                      << QByteArrayList{"hunter2", "1234"} << QByteArrayList{"id = pinned"};
}

void TestCollect::redactSwanctl()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArrayList, gone);
    QFETCH(QByteArrayList, kept);
    const QByteArray out = redactStrongswanConf(input);
    for (const QByteArray &g : gone)
        QVERIFY2(!out.contains(g), g.constData());
    for (const QByteArray &k : kept)
        QVERIFY2(out.contains(k), k.constData());
}

void TestCollect::redactIpsecAndLog()
{
    const QByteArray ipsec = "conn a\n\tleft=1.2.3.4\n\txauth_password=geheim\n\tpsk=\"quoted\"\n";
    const QByteArray out = redactIpsecConf(ipsec);
    QVERIFY(!out.contains("geheim"));
    QVERIFY(!out.contains("quoted"));
    QVERIFY(out.contains("left=1.2.3.4"));
    // charon at log level 4 dumps keys as hex lines ("Sk_ei secret => 16 bytes @ 0x...").
    const QByteArray log =
        "Nov 27 12:00:01 13[IKE] Sk_ei secret => 16 bytes @ 0x55d0c0\n"
        "Nov 27 12:00:01 13[IKE]    0: 4C 3B 7E 2B 76 E5 07 2F 6B 07 E9 B8 A0 14 B3 4A  L;~+v../k......J\n"
        "Nov 27 12:00:02 13[IKE] retransmit 1 of request with message ID 2\n";
    int n = 0;
    const QByteArray clean = redactCharonLog(log, &n);
    QCOMPARE(n, 1);
    QVERIFY(!clean.contains("4C 3B 7E 2B"));
    QVERIFY(clean.contains("retransmit 1 of request with message ID 2"));
}

void TestCollect::failureReasons_data()
{
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("stderrText");
    QTest::addColumn<QString>("reason");
    QTest::newRow("netlink eperm") << 2 << QByteArray("RTNETLINK answers: Operation not permitted\n")
                                   << QStringLiteral("needs root");
    QTest::newRow("vici missing")
        << 1
        << QByteArray("plugin 'ldap': failed to load - ldap_plugin_create not found\n"
                      "connecting to 'unix:///var/run/charon.vici' failed: No such file or directory\n")
        << QStringLiteral("charon is not running");
    QTest::newRow("ethtool no stats")
        << 94 << QByteArray("no stats available\n") << QStringLiteral("not supported");
    QTest::newRow("other") << 7 << QByteArray() << QStringLiteral("exit status 7");
}

void TestCollect::failureReasons()
{
    QFETCH(int, exitCode);
    QFETCH(QByteArray, stderrText);
    QFETCH(QString, reason);
    const QString r = describeCommandFailure(exitCode, stderrText);
    QVERIFY2(r.startsWith(reason), qPrintable(r));
    QVERIFY(!r.contains(QLatin1String("plugin '")));
}

void TestCollect::fakeRoot()
{
    // A fake / with secrets in every place strongSwan keeps them.
    QTemporaryDir root;
    QTemporaryDir out;
    QVERIFY(root.isValid() && out.isValid());
    const QString r = root.path();
    writeFile(r + QStringLiteral("/etc/swanctl/swanctl.conf"), swanctlWithSecrets);
    writeFile(r + QStringLiteral("/etc/swanctl/conf.d/extra.conf"),
              "secrets {\n  ike-b { secret = CONFDSECRET }\n}\n");
    writeFile(r + QStringLiteral("/etc/swanctl/private/host.pem"),
              "-----BEGIN PRIVATE KEY-----\nPRIVATEKEYDATA\n");
    writeFile(r + QStringLiteral("/etc/swanctl/rsa/host.pem"), "PRIVATEKEYDATA\n");
    writeFile(r + QStringLiteral("/etc/ipsec.secrets"), ": PSK \"IPSECSECRETPSK\"\n");
    writeFile(r + QStringLiteral("/etc/ipsec.d/private/host.key"), "PRIVATEKEYDATA\n");
    writeFile(r + QStringLiteral("/etc/ipsec.conf"), "conn a\n\tleft=1.2.3.4\n\tauto=start\n");
    writeFile(r + QStringLiteral("/etc/strongswan.conf"), "charon {\n  retransmit_tries = 3\n}\n");
    writeFile(r + QStringLiteral("/etc/strongswan.d/charon/eap-radius.conf"),
              "eap-radius {\n  secret = RADIUSSECRET\n}\n");
    writeFile(r + QStringLiteral("/etc/strongswan.d/charon/unused.conf"), "# nothing = set\n");
    writeFile(r + QStringLiteral("/var/log/charon.log"),
              "Nov 27 12:00:01 13[IKE]    0: 4C 3B 7E 2B 76 E5 07 2F 6B 07 E9 B8 A0 14 B3 4A\n"
              "Nov 27 12:00:02 13[IKE] retransmit 1 of request with message ID 2\n");

    CollectOptions o;
    o.outDir = out.path() + QStringLiteral("/ev");
    o.rootDir = r;
    o.runCommands = false;
    o.readProc = false;
    const CollectResult res = collectEvidence(o);
    QVERIFY2(res.ok(), qPrintable(res.error));
    const auto files = tree(o.outDir);
    QVERIFY(files.count(QStringLiteral("MANIFEST.txt")));
    QVERIFY(files.count(QStringLiteral("config/etc/swanctl/swanctl.conf")));
    QVERIFY(files.count(QStringLiteral("config/etc/swanctl/conf.d/extra.conf")));
    QVERIFY(files.count(QStringLiteral("config/etc/ipsec.conf")));
    QVERIFY(files.count(QStringLiteral("config/etc/strongswan.conf")));
    QVERIFY(files.count(QStringLiteral("config/etc/strongswan.d/charon/eap-radius.conf")));
    QVERIFY(!files.count(QStringLiteral("config/etc/strongswan.d/charon/unused.conf")));
    QVERIFY(files.count(QStringLiteral("logs/charon-file.log")));
    for (const auto &[name, data] : files) {
        QVERIFY2(!name.contains(QLatin1String("secrets")), qPrintable(name));
        QVERIFY2(!name.contains(QLatin1String("private")) && !name.contains(QLatin1String("rsa/")),
                 qPrintable(name));
        for (const char *s : {"TOPSECRETPSK", "KEYPASSPHRASE", "CONFDSECRET", "IPSECSECRETPSK",
                              "PRIVATEKEYDATA", "RADIUSSECRET", "4C 3B 7E 2B"})
            QVERIFY2(!data.contains(s), qPrintable(name + QLatin1String(": ") + QLatin1String(s)));
    }
    // The collected folder reads back as evidence, without errors.
    EvidenceSet set;
    QVERIFY(set.addPath(o.outDir));
    for (const EvidenceFile &f : set.files())
        QVERIFY2(f.status.ok(), qPrintable(f.status.error));
    const QByteArray manifest = files.at(QStringLiteral("MANIFEST.txt"));
    QVERIFY(manifest.contains("never collected (by design)"));
    QVERIFY(manifest.contains("ipsec.secrets"));
}

void TestCollect::thisMachine()
{
    QTemporaryDir out;
    QVERIFY(out.isValid());
    CollectOptions o;
    o.outDir = out.path() + QStringLiteral("/ev");
    o.commandTimeoutMs = 20000;
    const CollectResult res = collectEvidence(o);
    QVERIFY2(res.ok(), qPrintable(res.error));
    const auto files = tree(o.outDir);
    QVERIFY(files.count(QStringLiteral("MANIFEST.txt")));
    if (QFileInfo::exists(QStringLiteral("/proc/net/xfrm_stat"))) {
        QVERIFY(files.count(QStringLiteral("xfrm_stat.txt")));
        QVERIFY(files.at(QStringLiteral("xfrm_stat.txt")).contains("XfrmInNoStates"));
    }
    // Everything that failed says why, in the result and in the MANIFEST.
    const QByteArray manifest = files.at(QStringLiteral("MANIFEST.txt"));
    for (const CollectItem &i : res.items) {
        if (i.ok) {
            QVERIFY2(files.count(i.file), qPrintable(i.file));
        } else {
            QVERIFY2(!i.note.isEmpty(), qPrintable(i.source));
            QVERIFY2(manifest.contains((i.source + QLatin1String(": ") + i.note).toUtf8()),
                     qPrintable(i.source));
        }
    }
    static const QRegularExpression secretValue(
        QStringLiteral("^\\s*(secret|psk)\\s*=\\s*(?!\\[redacted\\])\\S"),
        QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption);
    for (const auto &[name, data] : files) {
        QVERIFY2(!containsKeyLikeHex(data), qPrintable(name));
        QVERIFY2(!secretValue.match(QString::fromUtf8(data)).hasMatch(), qPrintable(name));
        QVERIFY2(!name.contains(QLatin1String("ipsec.secrets")), qPrintable(name));
    }
    EvidenceSet set;
    QVERIFY(set.addPath(o.outDir));
    for (const EvidenceFile &f : set.files())
        QVERIFY2(f.status.ok(), qPrintable(f.status.error));
}

void TestCollect::refusesNonEmptyFolder()
{
    QTemporaryDir out;
    writeFile(out.path() + QStringLiteral("/something.txt"), "x");
    CollectOptions o;
    o.outDir = out.path();
    o.runCommands = false;
    o.readProc = false;
    const CollectResult res = collectEvidence(o);
    QVERIFY(!res.ok());
    QVERIFY(res.error.contains(QLatin1String("not empty")));
}

QTEST_GUILESS_MAIN(TestCollect)
#include "tst_collect.moc"
