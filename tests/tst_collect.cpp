// `ikev2wb collect`: a real run on this machine, a run against a fake /etc holding secrets and
// private keys, and the redaction functions on their own.
#include "evidence/collector.h"
#include "evidence/evidenceset.h"
#include "evidence/outputfolder.h"
#include "evidence/parsers.h"
#include "evidence/redact.h"
#include "securityfuzz.h" // describeConfig

#include <QDirIterator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

using namespace ikev2wb;
using ikev2wb::fuzz::describeConfig;

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

/// Permission bits of a path (not following a final symlink), -1 if it cannot be read.
int modeOf(const QString &path)
{
    struct stat st = {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0) return -1;
    return int(st.st_mode & 07777);
}

CollectOptions offlineOptions(const QString &outDir, const QString &rootDir)
{
    CollectOptions o;
    o.outDir = outDir;
    o.rootDir = rootDir;
    o.runCommands = false;
    o.readProc = false;
    return o;
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

QByteArray hostile(const char *name)
{
    return readAll(QFINDTESTDATA(QStringLiteral("data/evidence/hostile/") + QLatin1String(name)));
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
    void hostileFixtures();
    void redactedLines_data();
    void redactedLines();
    void redactedParsesTheSame_data();
    void redactedParsesTheSame();
    void folderAndFileModes();
    void existingFolderRules();
    void plantedSymlinkNotFollowed();
    void sourcesOthersPlantedNotRead();
    void linksHigherUpThePathNotFollowed();
    void defaultFolderNameIsRandom();
    void rootIgnoresPath();
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

    const CollectOptions o = offlineOptions(out.path() + QStringLiteral("/ev"), r);
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
            const QString ran = i.program.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(i.program);
            QVERIFY2(manifest.contains((i.source + ran + QLatin1String(": ") + i.note).toUtf8()),
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
    // Firewall and routing state: each source tried (collected, or not collected with a reason),
    // each collected file 0600 and read as the evidence kind it is.
    const std::pair<const char *, EvidenceKind> wanted[] = {
        {"iptables-save -c", EvidenceKind::Firewall},
        {"ip6tables-save -c", EvidenceKind::Firewall},
        {"nft -a list ruleset", EvidenceKind::Firewall},
        {"conntrack -S", EvidenceKind::ConntrackStats},
        {"ip route show table all", EvidenceKind::IpRoute},
        {"ip -6 route show table all", EvidenceKind::IpRoute},
        {"ip rule", EvidenceKind::IpRule},
        {"ip -6 rule", EvidenceKind::IpRule}};
    EvidenceSet set;
    QVERIFY(set.addPath(o.outDir));
    for (const EvidenceFile &f : set.files())
        QVERIFY2(f.status.ok(), qPrintable(f.status.error));
    for (const auto &[source, kind] : wanted) {
        const auto it = std::find_if(res.items.begin(), res.items.end(),
                                     [&](const CollectItem &i) { return i.source == QLatin1String(source); });
        QVERIFY2(it != res.items.end(), source);
        if (!it->ok) continue;
        const QString path = o.outDir + QLatin1Char('/') + it->file;
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0600));
        if (QFileInfo(path).size() == 0) continue; // no rules: an empty file, which the set skips
        const auto ef = std::find_if(set.files().begin(), set.files().end(),
                                     [&](const EvidenceFile &f) { return f.path == path; });
        QVERIFY2(ef != set.files().end(), qPrintable(path));
        QCOMPARE(int(ef->kind), int(kind));
    }
}

void TestCollect::refusesNonEmptyFolder()
{
    QTemporaryDir out;
    writeFile(out.path() + QStringLiteral("/something.txt"), "x");
    const CollectResult res = collectEvidence(offlineOptions(out.path(), QStringLiteral("/nonexistent")));
    QVERIFY(!res.ok());
    QVERIFY(res.error.contains(QLatin1String("not empty")));
}

void TestCollect::hostileFixtures()
{
    // Every leak of issue 11, planted where collect looks; "SECRETMARKER" marks each secret.
    QTemporaryDir root;
    QTemporaryDir out;
    const QString r = root.path();
    const QByteArray swanctl = hostile("swanctl.conf");
    const QByteArray strongswan = hostile("strongswan.conf");
    const QByteArray ipsec = hostile("ipsec.conf");
    const QByteArray log = hostile("charon.log");
    QCOMPARE(swanctl.count("SECRETMARKER"), 7); // the fixtures were found and hold their secrets
    QCOMPARE(strongswan.count("SECRETMARKER"), 6);
    QCOMPARE(ipsec.count("SECRETMARKER"), 3);
    QVERIFY(!swanctl.first(swanctl.indexOf("connections")).contains("SECRETMARKER")); // only in values
    QVERIFY(log.contains("DE AD BE") && log.contains("0x5345435245544d41524b4552"));
    writeFile(r + QStringLiteral("/etc/swanctl/swanctl.conf"), swanctl);
    writeFile(r + QStringLiteral("/etc/swanctl/conf.d/copy.conf"), swanctl);
    writeFile(r + QStringLiteral("/etc/strongswan.conf"), strongswan);
    writeFile(r + QStringLiteral("/etc/strongswan.d/charon/plugins.conf"), strongswan);
    writeFile(r + QStringLiteral("/etc/ipsec.conf"), ipsec);
    writeFile(r + QStringLiteral("/var/log/charon.log"), log);
    const CollectOptions o = offlineOptions(out.path() + QStringLiteral("/ev"), r);
    const CollectResult res = collectEvidence(o);
    QVERIFY2(res.ok(), qPrintable(res.error));
    const auto files = tree(o.outDir);
    QCOMPARE(files.size(), std::size_t(7)); // the six copies and MANIFEST.txt
    for (const auto &[name, data] : files) {
        QVERIFY2(!data.contains("SECRETMARKER"), qPrintable(name));
        QVERIFY2(!data.contains("DE AD BE"), qPrintable(name));          // last line of a key dump
        QVERIFY2(!data.contains("5345435245544d41"), qPrintable(name));  // a key in a log line
        QVERIFY2(!data.contains("53 45 43 52 45 54"), qPrintable(name)); // first line of the dump
    }
    // What the diagnosis needs is still there, and every file keeps its line count.
    const QByteArray cs = files.at(QStringLiteral("config/etc/swanctl/swanctl.conf"));
    QVERIFY(cs.contains("        remote_addrs = 198.51.100.7\n"));
    QVERIFY(cs.contains("        children { net { esp_proposals = aes256gcm16 } }\n"));
    QVERIFY(cs.contains("crl_uris = http://crl:[redacted]@crl.example.org/ca.crl }"));
    QCOMPARE(cs.count('\n'), swanctl.count('\n'));
    const QByteArray ss = files.at(QStringLiteral("config/etc/strongswan.conf"));
    QVERIFY(ss.contains("    retransmit_tries = 5\n    retransmit_base = 1.8\n"));
    QVERIFY(ss.contains("                    auth_port = 1812\n"));
    QCOMPARE(ss.count('\n'), strongswan.count('\n'));
    const QByteArray ic = files.at(QStringLiteral("config/etc/ipsec.conf"));
    QVERIFY(ic.contains("\tleft=192.0.2.1\n\tright=203.0.113.9\n\tauthby=secret\n"));
    QVERIFY(ic.contains("charondebug=\"ike 2, knl 2\""));
    QCOMPARE(ic.count('\n'), ipsec.count('\n'));
    const QByteArray cl = files.at(QStringLiteral("logs/charon-file.log"));
    QVERIFY(cl.contains("Sk_ei secret => 19 bytes @ 0x55d0c0a0\n"));
    QVERIFY(cl.contains("sending DPD request [redacted]\n"));
    QVERIFY(cl.contains("retransmit 1 of request with message ID 2"));
}

void TestCollect::redactedLines_data()
{
    // Input line → the line strongSwan must read afterwards (hand-written from strongSwan's lexer:
    // a value ends at '#', '}' or the line's end; quoted strings may hold them).
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("one-line section")
        << QByteArray("eap-radius { secret = X }\n") << QByteArray("eap-radius { secret = [redacted] }\n");
    QTest::newRow("ha, no spaces") << QByteArray("ha{secret=X}\n") << QByteArray("ha{secret=[redacted]}\n");
    QTest::newRow("database URI") << QByteArray("sql { database = mysql://u:PW@h/db }\n")
                                  << QByteArray("sql { database = [redacted] }\n");
    QTest::newRow("URI password in a kept value")
        << QByteArray("ca { crl_uris = ldap://cn:PW@h/x, http://h/y }\n")
        << QByteArray("ca { crl_uris = ldap://cn:[redacted]@h/x, http://h/y }\n");
    QTest::newRow("xauth_secret") << QByteArray("x { xauth_secret = X }\n")
                                  << QByteArray("x { xauth_secret = [redacted] }\n");
    QTest::newRow("quoted brace and hash")
        << QByteArray("a { pin = \"}#\" } # tail\n") << QByteArray("a { pin = [redacted] } # tail\n");
    QTest::newRow("escaped quote") << QByteArray("a { psk = \"x\\\" }\" }\n")
                                   << QByteArray("a { psk = [redacted] }\n");
    QTest::newRow("multi-line keeps lines") << QByteArray("a {\n  secret = \"x\ny\" }\nb = 1\n")
                                            << QByteArray("a {\n  secret = [redacted]\n }\nb = 1\n");
    QTest::newRow("unknown key, free text")
        << QByteArray("opt = some words\n") << QByteArray("opt = [redacted]\n");
    QTest::newRow("unknown key, number") << QByteArray("mtu = 1400\n") << QByteArray("mtu = 1400\n");
    QTest::newRow("number under a secret key")
        << QByteArray("pin = 1234\n") << QByteArray("pin = [redacted]\n");
    QTest::newRow("commented-out secret")
        << QByteArray("# secret = X\n#note\n") << QByteArray("# secret = [redacted]\n#note\n");
    QTest::newRow("secrets after quoted brace")
        << QByteArray("a { id = \"{\" }\nsecrets { x { id = ID } }\nc = 1\n")
        << QByteArray("a { id = \"{\" }\nsecrets {}\nc = 1\n");
    QTest::newRow("unterminated quote keeps nothing after it")
        << QByteArray("a { id = \"x\n}\nsecrets { s { id = ID } }\n")
        << QByteArray("a { id = [redacted]\n\n\n");
    QTest::newRow("comment, words before =") << QByteArray("# the psk = X\n") << QByteArray("# [redacted]\n");
    QTest::newRow("nested secrets") << QByteArray("x {\n  secrets { a { id = ID } }\n}\n")
                                    << QByteArray("x {\n  secrets {}\n}\n");
    QTest::newRow("secrets over lines")
        << QByteArray("secrets {\n  x { id = ID }\n}\n")
        << QByteArray("secrets { # content removed by ikev2wb collect (credentials)\n\n}\n");
}

void TestCollect::redactedLines()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    int n = 0;
    const QByteArray out = redactStrongswanConf(input, &n);
    QCOMPARE(out, expected);
    QCOMPARE(n > 0, out != input);
}

void TestCollect::redactedParsesTheSame_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("redactedValues"); // counted by hand in the fixture
    const int swan = int(EvidenceKind::SwanctlConf);
    const int ss = int(EvidenceKind::StrongswanConf);
    const int ipsec = int(EvidenceKind::IpsecConf);
    QTest::newRow("hostile swanctl") << hostile("swanctl.conf") << swan
                                     << 2; // unknown_option, crl_uris' password
    QTest::newRow("hostile strongswan")
        << hostile("strongswan.conf") << ss << 1;                          // database (secrets: both sides)
    QTest::newRow("hostile ipsec") << hostile("ipsec.conf") << ipsec << 1; // also_unknown
    QTest::newRow("swanctl-with-secrets")
        << readAll(QFINDTESTDATA("data/evidence/swanctl-with-secrets.conf")) << swan << 0;
    QTest::newRow("strongswan-retransmit")
        << readAll(QFINDTESTDATA("data/evidence/strongswan-retransmit.conf")) << ss << 0;
    QTest::newRow("ipsec-conns") << readAll(QFINDTESTDATA("data/evidence/ipsec-conns.conf")) << ipsec << 0;
}

void TestCollect::redactedParsesTheSame()
{
    QFETCH(QByteArray, text);
    QFETCH(int, kind);
    QFETCH(int, redactedValues);
    QVERIFY(!text.isEmpty());
    const auto k = EvidenceKind(kind);
    const QByteArray red = k == EvidenceKind::IpsecConf ? redactIpsecConf(text) : redactStrongswanConf(text);
    QCOMPARE(red.count('\n'), text.count('\n'));
    const QStringList a = describeConfig(text, k);
    const QStringList b = describeConfig(red, k);
    // Same sections, keys, lines, includes and warnings; a value differs only by being redacted
    // (secret keys read "[redacted]" on both sides: our parsers drop them too).
    QCOMPARE(b.size(), a.size());
    int redacted = 0;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i] == b[i]) continue;
        const qsizetype eq = b[i].indexOf(QLatin1String(" = "));
        QVERIFY2(eq > 0 && b[i].contains(QLatin1String("[redacted]")) && a[i].left(eq) == b[i].left(eq),
                 qPrintable(a[i] + QLatin1String(" | ") + b[i]));
        ++redacted;
    }
    QCOMPARE(redacted, redactedValues);
    QVERIFY(!a.join(QLatin1Char('\n')).contains(QLatin1String("warning")));
}

void TestCollect::folderAndFileModes()
{
    QTemporaryDir root;
    QTemporaryDir out;
    writeFile(root.path() + QStringLiteral("/etc/swanctl/conf.d/a.conf"), "connections {\n}\n");
    writeFile(root.path() + QStringLiteral("/var/log/charon.log"),
              "Nov 27 12:00:02 13[IKE] sending DPD request\n");
    const QString dir = out.path() + QStringLiteral("/ev");
    const mode_t oldMask = ::umask(0); // the modes must not depend on a permissive umask
    const CollectResult res = collectEvidence(offlineOptions(dir, root.path()));
    ::umask(oldMask);
    QVERIFY2(res.ok(), qPrintable(res.error));
    QCOMPARE(modeOf(dir), 0700);
    int files = 0;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString p = it.next();
        const bool isDir = QFileInfo(p).isDir();
        QCOMPARE(modeOf(p), isDir ? 0700 : 0600);
        if (!isDir) ++files;
    }
    QCOMPARE(files, 3); // MANIFEST.txt, config/etc/swanctl/conf.d/a.conf, logs/charon-file.log
}

void TestCollect::existingFolderRules()
{
    QTemporaryDir root;
    QTemporaryDir base;
    // An empty folder of ours, 0755: used, and made 0700.
    const QString mine = base.path() + QStringLiteral("/mine");
    QVERIFY(QDir().mkdir(mine));
    QVERIFY(::chmod(QFile::encodeName(mine).constData(), 0755) == 0);
    CollectResult res = collectEvidence(offlineOptions(mine, root.path()));
    QVERIFY2(res.ok(), qPrintable(res.error));
    QCOMPARE(modeOf(mine), 0700);
    QVERIFY(QFileInfo::exists(mine + QStringLiteral("/MANIFEST.txt")));
    // An empty but world-writable folder: anyone could have planted (or later plant) files.
    const QString open = base.path() + QStringLiteral("/open");
    QVERIFY(QDir().mkdir(open));
    QVERIFY(::chmod(QFile::encodeName(open).constData(), 0777) == 0);
    res = collectEvidence(offlineOptions(open, root.path()));
    QVERIFY(!res.ok());
    QVERIFY2(res.error.contains(QLatin1String("writable by group or others")), qPrintable(res.error));
    QVERIFY(QDir(open).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden));
    // A symlink to an empty folder of ours: refused, nothing written through it.
    const QString target = base.path() + QStringLiteral("/target");
    QVERIFY(QDir().mkdir(target));
    QVERIFY(::chmod(QFile::encodeName(target).constData(), 0700) == 0);
    const QString link = base.path() + QStringLiteral("/link");
    QVERIFY(QFile::link(target, link));
    res = collectEvidence(offlineOptions(link, root.path()));
    QVERIFY(!res.ok());
    QVERIFY2(res.error.contains(QLatin1String("symlink")), qPrintable(res.error));
    QVERIFY(QDir(target).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden));
    // A folder holding only a symlink is not empty.
    const QString planted = base.path() + QStringLiteral("/planted");
    QVERIFY(QDir().mkdir(planted));
    QVERIFY(
        QFile::link(base.path() + QStringLiteral("/elsewhere"), planted + QStringLiteral("/MANIFEST.txt")));
    res = collectEvidence(offlineOptions(planted, root.path()));
    QVERIFY(!res.ok());
    QVERIFY2(res.error.contains(QLatin1String("not empty")), qPrintable(res.error));
    QVERIFY(!QFileInfo::exists(base.path() + QStringLiteral("/elsewhere")));
}

void TestCollect::plantedSymlinkNotFollowed()
{
    // The folder is ours and 0700, so only its owner (or root) can plant a link in it while
    // collect runs; the writes must still not follow one.
    QTemporaryDir base;
    QString error;
    const OutputFolder folder = OutputFolder::open(base.path() + QStringLiteral("/ev"), &error);
    QVERIFY2(folder.isValid(), qPrintable(error));
    const QString victim = base.path() + QStringLiteral("/victim.txt");
    writeFile(victim, "original\n");
    QVERIFY(QFile::link(victim, folder.path() + QStringLiteral("/MANIFEST.txt")));
    QVERIFY(!folder.writeFile(QStringLiteral("MANIFEST.txt"), "OVERWRITTEN", &error));
    QVERIFY2(error.contains(QLatin1String("MANIFEST.txt")), qPrintable(error));
    QCOMPARE(readAll(victim), QByteArray("original\n"));
    // A dangling link: O_CREAT alone would create its target.
    const QString created = base.path() + QStringLiteral("/created.txt");
    QVERIFY(QFile::link(created, folder.path() + QStringLiteral("/xfrm-state.txt")));
    QVERIFY(!folder.writeFile(QStringLiteral("xfrm-state.txt"), "X", &error));
    QVERIFY(!QFileInfo::exists(created));
    // A link in place of a sub-folder.
    const QString outside = base.path() + QStringLiteral("/outside");
    QVERIFY(QDir().mkdir(outside));
    QVERIFY(QFile::link(outside, folder.path() + QStringLiteral("/logs")));
    QVERIFY(!folder.writeFile(QStringLiteral("logs/charon-file.log"), "X", &error));
    QVERIFY(QDir(outside).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden));
    // No way out by name either, and an existing file is not overwritten.
    QVERIFY(!folder.writeFile(QStringLiteral("../escape.txt"), "X", &error));
    QVERIFY(!QFileInfo::exists(base.path() + QStringLiteral("/escape.txt")));
    QVERIFY(folder.writeFile(QStringLiteral("config/etc/a.conf"), "first", &error));
    QVERIFY(!folder.writeFile(QStringLiteral("config/etc/a.conf"), "second", &error));
    QCOMPARE(readAll(folder.path() + QStringLiteral("/config/etc/a.conf")), QByteArray("first"));
}

void TestCollect::sourcesOthersPlantedNotRead()
{
    // collect reads as root. In a folder someone else may write to (Ubuntu's /var/log is
    // root:syslog 0775) a symbolic link planted at a name collect copies made root copy the
    // link's target, here a stand-in for /etc/shadow, into the evidence; a link in a folder only
    // root writes is followed (distributions link /etc files), and a FIFO is never opened
    // (it waited for a writer for ever).
    QTemporaryDir root;
    QTemporaryDir out;
    QVERIFY(root.isValid() && out.isValid());
    const QString r = root.path();
    const QString shadow = r + QStringLiteral("/shadow");
    writeFile(shadow, "root:$6$SHADOWHASH:19000:0:99999:7:::\n");
    QVERIFY(QDir().mkpath(r + QStringLiteral("/var/log")));
    QVERIFY(::chmod(QFile::encodeName(r + QStringLiteral("/var/log")).constData(), 0775) == 0);
    QVERIFY(QFile::link(shadow, r + QStringLiteral("/var/log/charon.log")));
    writeFile(r + QStringLiteral("/etc/strongswan/real.conf"), "charon {\n  retransmit_tries = 3\n}\n");
    QVERIFY(QFile::link(r + QStringLiteral("/etc/strongswan/real.conf"),
                        r + QStringLiteral("/etc/strongswan.conf")));
    CollectOptions o = offlineOptions(out.path() + QStringLiteral("/ev"), r);
    CollectResult res = collectEvidence(o);
    QVERIFY2(res.ok(), qPrintable(res.error));
    auto files = tree(o.outDir);
    for (const auto &[name, data] : files)
        QVERIFY2(!data.contains("SHADOWHASH"), qPrintable(name));
    const auto note = [&](const QString &source) {
        for (const CollectItem &i : res.items)
            if (i.source == source) return i.note;
        return QStringLiteral("(not tried)");
    };
    QVERIFY2(note(QStringLiteral("/var/log/charon.log")).contains(QLatin1String("not followed")),
             qPrintable(note(QStringLiteral("/var/log/charon.log"))));
    QVERIFY(files.count(QStringLiteral("config/etc/strongswan.conf")));
    QVERIFY(files.at(QStringLiteral("config/etc/strongswan.conf")).contains("retransmit_tries = 3"));
    // A FIFO in place of a configuration: refused from what it is, the run ends.
    QVERIFY(QFile::remove(r + QStringLiteral("/var/log/charon.log")));
    QVERIFY(::mkfifo(QFile::encodeName(r + QStringLiteral("/etc/ipsec.conf")).constData(), 0644) == 0);
    o.outDir = out.path() + QStringLiteral("/ev2");
    res = collectEvidence(o);
    QVERIFY2(res.ok(), qPrintable(res.error));
    QVERIFY2(note(QStringLiteral("/etc/ipsec.conf")).contains(QLatin1String("not a regular file")),
             qPrintable(note(QStringLiteral("/etc/ipsec.conf"))));
}

void TestCollect::linksHigherUpThePathNotFollowed()
{
    // The rule "a link in a folder others may write to is not followed" holds for every folder
    // on the path, not only the one holding the file: a syslog-group user who replaced
    // /var/log/strongswan (in the 0775 /var/log) by a link to a folder of root's made root copy
    // that folder's charon.log, and a link in /etc that leads through a world-writable folder's
    // link reached the secret the same way.
    QTemporaryDir root;
    QTemporaryDir out;
    QVERIFY(root.isValid() && out.isValid());
    const QString r = root.path();
    const auto mkdir = [](const QString &path, mode_t mode) {
        QVERIFY(QDir().mkpath(path));
        QVERIFY(::chmod(QFile::encodeName(path).constData(), mode) == 0);
    };
    mkdir(r + QStringLiteral("/var/log"), 0775);
    mkdir(r + QStringLiteral("/rootonly"), 0700);
    writeFile(r + QStringLiteral("/rootonly/charon.log"), "root:$6$SHADOWHASH:19000:0:99999:7:::\n");
    QVERIFY(QFile::link(r + QStringLiteral("/rootonly"), r + QStringLiteral("/var/log/strongswan")));
    mkdir(r + QStringLiteral("/etc"), 0755);
    mkdir(r + QStringLiteral("/world"), 01777);
    QVERIFY(QFile::link(r + QStringLiteral("/rootonly/charon.log"), r + QStringLiteral("/world/planted")));
    QVERIFY(QFile::link(r + QStringLiteral("/world/planted"), r + QStringLiteral("/etc/ipsec.conf")));
    CollectOptions o = offlineOptions(out.path() + QStringLiteral("/ev"), r);
    CollectResult res = collectEvidence(o);
    QVERIFY2(res.ok(), qPrintable(res.error));
    const auto note = [&](const QString &source) {
        for (const CollectItem &i : res.items)
            if (i.source == source) return i.note;
        return QStringLiteral("(not tried)");
    };
    for (const auto &[name, data] : tree(o.outDir))
        QVERIFY2(!data.contains("SHADOWHASH"), qPrintable(name));
    const QString viaFolder = note(QStringLiteral("/var/log/strongswan/charon.log"));
    QVERIFY2(viaFolder.contains(QStringLiteral("(%1/var/log/strongswan)").arg(r)) &&
                 viaFolder.contains(QLatin1String("not followed")),
             qPrintable(viaFolder));
    const QString viaChain = note(QStringLiteral("/etc/ipsec.conf"));
    QVERIFY2(viaChain.contains(QStringLiteral("(%1/world/planted)").arg(r)) &&
                 viaChain.contains(QLatin1String("not followed")),
             qPrintable(viaChain));
    // The same log in a real folder of root's inside the 0775 /var/log is collected, and a link
    // in a folder only root writes still leads to it.
    QVERIFY(QFile::remove(r + QStringLiteral("/var/log/strongswan")));
    mkdir(r + QStringLiteral("/var/log/strongswan"), 0755);
    writeFile(r + QStringLiteral("/var/log/strongswan/charon.log"),
              "Jan  1 00:00:00 00[NET] sending packet\n");
    QVERIFY(QFile::remove(r + QStringLiteral("/etc/ipsec.conf")));
    QVERIFY(QFile::link(r + QStringLiteral("/var/log/strongswan/charon.log"),
                        r + QStringLiteral("/etc/ipsec.conf")));
    o.outDir = out.path() + QStringLiteral("/ev2");
    res = collectEvidence(o);
    QVERIFY2(res.ok(), qPrintable(res.error));
    const auto files = tree(o.outDir);
    QVERIFY2(files.count(QStringLiteral("logs/charon-file.log")),
             qPrintable(note(QStringLiteral("/var/log/strongswan/charon.log"))));
    QCOMPARE(files.at(QStringLiteral("logs/charon-file.log")),
             QByteArray("Jan  1 00:00:00 00[NET] sending packet\n"));
    QVERIFY2(files.count(QStringLiteral("config/etc/ipsec.conf")),
             qPrintable(note(QStringLiteral("/etc/ipsec.conf"))));
}

void TestCollect::defaultFolderNameIsRandom()
{
    QTemporaryDir cwd;
    QTemporaryDir root;
    const QString before = QDir::currentPath();
    QVERIFY(QDir::setCurrent(cwd.path()));
    const CollectResult a = collectEvidence(offlineOptions(QString(), root.path()));
    const CollectResult b = collectEvidence(offlineOptions(QString(), root.path()));
    QVERIFY(QDir::setCurrent(before));
    QVERIFY2(a.ok() && b.ok(), qPrintable(a.error + b.error));
    // Two runs within the same second still get different folders: the name has a random part.
    static const QRegularExpression name(QStringLiteral("^ikev2wb-evidence-\\d{8}-\\d{6}-[A-Za-z0-9]{6}$"));
    const QFileInfo fa(a.outDir);
    const QFileInfo fb(b.outDir);
    QVERIFY2(name.match(fa.fileName()).hasMatch(), qPrintable(fa.fileName()));
    QVERIFY2(name.match(fb.fileName()).hasMatch(), qPrintable(fb.fileName()));
    QVERIFY(fa.fileName() != fb.fileName());
    QCOMPARE(fa.dir().canonicalPath(), QDir(cwd.path()).canonicalPath());
    QCOMPARE(modeOf(a.outDir), 0700);
}

void TestCollect::rootIgnoresPath()
{
    if (::geteuid() != 0) QSKIP("needs root: as root, collect must not take commands from $PATH");
    // A fake `ip` (and ethtool, sysctl) first in PATH that leaves a marker when it runs.
    QTemporaryDir bin;
    QTemporaryDir root;
    QTemporaryDir out;
    const QString marker = bin.path() + QStringLiteral("/RAN");
    for (const char *tool : {"ip", "ethtool", "sysctl", "swanctl", "journalctl"}) {
        const QString path = bin.path() + QLatin1Char('/') + QLatin1String(tool);
        writeFile(path, "#!/bin/sh\ntouch '" + marker.toUtf8() + "'\necho fake\n");
        QVERIFY(::chmod(QFile::encodeName(path).constData(), 0755) == 0);
    }
    const QByteArray oldPath = qgetenv("PATH");
    qputenv("PATH", bin.path().toUtf8() + ':' + oldPath);
    const QString ip = resolveCollectCommand(QStringLiteral("ip"));
    CollectOptions o = offlineOptions(out.path() + QStringLiteral("/ev"), root.path());
    o.runCommands = true;
    const CollectResult res = collectEvidence(o);
    qputenv("PATH", oldPath);
    QVERIFY2(res.ok(), qPrintable(res.error));
    QVERIFY2(!QFileInfo::exists(marker), "a command was taken from $PATH while running as root");
    QVERIFY(!ip.startsWith(bin.path()));
    const QByteArray manifest = readAll(o.outDir + QStringLiteral("/MANIFEST.txt"));
    QVERIFY(!manifest.contains(bin.path().toUtf8()));
    // Every command that ran is named by its absolute path in a fixed folder, in the result and
    // the MANIFEST.
    int ran = 0;
    for (const CollectItem &i : res.items) {
        if (i.program.isEmpty()) continue;
        ++ran;
        QVERIFY2(rootCommandFolders().contains(QFileInfo(i.program).path()), qPrintable(i.program));
        QVERIFY2(manifest.contains((i.source + QStringLiteral(" [") + i.program + QLatin1Char(']')).toUtf8()),
                 qPrintable(i.source));
    }
    if (ip.isEmpty()) QSKIP("no ip in /usr/sbin, /usr/bin, /sbin or /bin: nothing to compare with");
    QVERIFY(ran > 0);
    QVERIFY(manifest.contains(QStringLiteral("ip -s -s xfrm state [%1]").arg(ip).toUtf8()));
}

QTEST_GUILESS_MAIN(TestCollect)
#include "tst_collect.moc"
