// The fuzz oracles of fuzz/securityfuzz.h as a deterministic test: a few thousand mutations of a
// seed corpus through the redactors of `ikev2wb collect` and through the fix-script generator of
// `ikev2wb diagnose --fix-script`, checked as the libFuzzer targets fuzz_redact and fuzz_fixscript
// check them (see fuzz/README.md). IKEV2WB_FUZZ_ITERATIONS scales the run (default 1: 4,000
// redactor inputs, 300 diagnoses of mutated evidence), IKEV2WB_FUZZ_SEED changes the sequence.
// The oracles themselves are tested first against hand-written bad output, so that a pass means
// something.
#include "securityfuzz.h"

#include "diagnose/fixes.h"
#include "evidence/redact.h"
#include "report/diagnosisreport.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

using namespace ikev2wb;
using namespace ikev2wb::fuzz;

namespace {

const QString kData = QStringLiteral(IKEV2WB_TEST_DATA);

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int scale()
{
    const int n = qEnvironmentVariableIntValue("IKEV2WB_FUZZ_ITERATIONS");
    return n > 0 ? n : 1;
}

std::uint64_t seed()
{
    bool ok = false;
    const qulonglong s = qEnvironmentVariable("IKEV2WB_FUZZ_SEED").toULongLong(&ok);
    return ok ? s : 20261206;
}

/// The heredoc delimiter is random per script: scripts that differ only by it are the same.
QByteArray normalized(const QByteArray &script)
{
    static const QRegularExpression eof(QStringLiteral("IKEV2WB_EOF_[0-9a-f]{16}"));
    return QString::fromUtf8(script).replace(eof, QStringLiteral("IKEV2WB_EOF_X")).toUtf8();
}

QString joined(const QStringList &l)
{
    return l.join(QStringLiteral("\n  "));
}

/// IKEV2WB_FUZZ_DUMP=DIR keeps a failing input and its script there (the message shows only
/// the start of them).
void dump(const QString &name, const QByteArray &input, const QByteArray &script)
{
    const QString dir = qEnvironmentVariable("IKEV2WB_FUZZ_DUMP");
    if (dir.isEmpty()) return;
    QFile in(dir + QStringLiteral("/failing-") + name);
    if (in.open(QIODevice::WriteOnly)) in.write(input);
    QFile sc(dir + QStringLiteral("/failing-script.sh"));
    if (sc.open(QIODevice::WriteOnly)) sc.write(script);
}

} // namespace

class TestFuzzSecurity : public QObject
{
    Q_OBJECT

    FixScriptHarness m_harness;

private slots:
    void initTestCase()
    {
        QElapsedTimer t;
        t.start();
        QString error;
        // Labs whose diagnoses carry fixes built from evidence: MTU (interface, peer route,
        // gateway, MSS rules), ESP blocked (addresses, nft/iptables rules), IKE fragmentation
        // (names, configuration, client settings), NAT keep-alive (connection names).
        QVERIFY2(m_harness.load(kData + QStringLiteral("/lab"),
                                {QStringLiteral("mtu-blackhole"), QStringLiteral("esp-blocked"),
                                 QStringLiteral("ike-frag-drop"), QStringLiteral("natt-expiry")},
                                kData + QStringLiteral("/evidence"), &error),
                 qPrintable(error));
        qInfo("labs loaded in %lld ms", t.elapsed());
    }

    // ---- the oracles catch what they are for

    void shellLexer()
    {
        QString err;
        const QByteArray s = "a 'b c' \"d $(e 'f') g\" # h\ncat <<'X'\ni $j\nX\ncat <<Y\nk\nY\nl\\ m\n";
        const std::vector<ShellContext> c = classifyShell(s, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        auto at = [&](const char *needle) { return c[std::size_t(s.indexOf(needle))]; };
        QCOMPARE(int(at("a ")), int(ShellContext::Code));
        QCOMPARE(int(at("b c")), int(ShellContext::SingleQuoted));
        QCOMPARE(int(at("d ")), int(ShellContext::DoubleQuoted));
        QCOMPARE(int(at("e ")), int(ShellContext::Code)); // command substitution inside "..."
        QCOMPARE(int(at("f'")), int(ShellContext::SingleQuoted));
        QCOMPARE(int(at(" g")), int(ShellContext::DoubleQuoted));
        QCOMPARE(int(at("h\n")), int(ShellContext::Comment));
        QCOMPARE(int(at("i $j")), int(ShellContext::HeredocQuoted));
        QCOMPARE(int(at("k\n")), int(ShellContext::HeredocUnquoted));
        QCOMPARE(int(at("l\\")), int(ShellContext::Code));
        classifyShell("echo 'open\n", &err);
        QVERIFY(err.contains(QLatin1String("single quote")));
        err.clear();
        classifyShell("cat <<'E'\nx\n", &err);
        QVERIFY(err.contains(QLatin1String("not closed")));
    }

    void fixScriptOracleCatches_data()
    {
        QTest::addColumn<QByteArray>("script");
        QTest::addColumn<QStringList>("validated");
        QTest::addColumn<QString>("problem"); // empty: must pass
        const QStringList none;
        const QStringList iface{QStringLiteral("wanZq9")};
        QTest::newRow("comment") << QByteArray("# note: 'x$(Zq9)' refused\n") << none << QString();
        QTest::newRow("quoted heredoc") << QByteArray("cat <<'E1'\n$(Zq9)\nE1\n") << none << QString();
        QTest::newRow("validated, bare")
            << QByteArray("ip link set dev wanZq9 mtu 1400\n") << iface << QString();
        QTest::newRow("validated, quoted")
            << QByteArray("nft add rule x 'oifname \"wanZq9\" accept'\n") << iface << QString();
        QTest::newRow("not validated") << QByteArray("ip link set dev 'Zq9' mtu 1400\n") << iface
                                       << QStringLiteral("without validation");
        // A limit of the oracle: a validated value found inside a longer single-quoted word
        // covers it (harmless to the shell; the validators are checked on the target's values).
        QTest::newRow("validated value inside a longer one")
            << QByteArray("ip link set dev 'wanZq9;x' mtu 1\n") << iface << QString();
        QTest::newRow("unquoted metacharacter") << QByteArray("ip link set dev wanZq9;touch PWNED\n") << iface
                                                << QStringLiteral("without validation");
        QTest::newRow("unquoted metacharacter in a word") << QByteArray("ip link set dev wanZq9$x mtu 1\n")
                                                          << iface << QStringLiteral("unquoted with shell");
        QTest::newRow("double quotes")
            << QByteArray("echo \"wanZq9\"\n") << iface << QStringLiteral("expanding context");
        QTest::newRow("unquoted heredoc")
            << QByteArray("cat <<E1\nwanZq9\nE1\n") << iface << QStringLiteral("expanding context");
        QTest::newRow("newline ends a comment")
            << QByteArray("# note: x\nZq9 y\n") << none << QStringLiteral("without validation");
        QTest::newRow("carriage return")
            << QByteArray("# a\rb\n") << none << QStringLiteral("control character");
        QTest::newRow("line separator")
            << QByteArray("# a\xe2\x80\xa8 b\n") << none << QStringLiteral("control character");
        QTest::newRow("escape sequence")
            << QByteArray("# a\x1b[2J\n") << none << QStringLiteral("control character");
    }
    void fixScriptOracleCatches()
    {
        QFETCH(QByteArray, script);
        QFETCH(QStringList, validated);
        QFETCH(QString, problem);
        const QStringList p = checkFixScript(script, validated);
        if (problem.isEmpty()) {
            QVERIFY2(p.isEmpty(), qPrintable(joined(p)));
        } else {
            QVERIFY2(!p.isEmpty() && p.join(QLatin1Char(' ')).contains(problem), qPrintable(joined(p)));
        }
    }

    void targetValidators()
    {
        FixTarget t;
        t.connection = QStringLiteral("lab");
        t.wanInterface = QStringLiteral("-Zq9");
        t.peerAddress = QStringLiteral("010.0.2.1");
        t.remoteSubnet = QStringLiteral("10.2.0.0/24");
        QStringList problems;
        const QStringList ok =
            validatedTargetValues(t, {QStringLiteral("net.ipv4.conf.a;b.disable_xfrm")}, &problems);
        QCOMPARE(ok, (QStringList{QStringLiteral("lab"), QStringLiteral("10.2.0.0/24")}));
        QCOMPARE(problems.size(), 3); // interface starting with '-', non-canonical address, sysctl key
        QVERIFY(bashSyntaxError("echo 'ok'\n").isEmpty());
        QVERIFY(!bashSyntaxError("echo 'open\n").isEmpty());
    }

    void redactorOracleCatches()
    {
        // The planted generator plants, and a redactor that does nothing is caught.
        Rng rng(7);
        for (int k = 0; k < kRedactKinds; ++k) {
            const PlantedText p = generatePlanted(rng, RedactKind(k));
            if (!p.text.contains(kSecret) &&
                !p.text.toLower().contains(QByteArray(kSecret).left(4).toHex())) {
                --k; // an ipsec.conf of harmless lines only: draw again
                continue;
            }
            QVERIFY2(p.text.contains(kSecret) || p.text.toLower().contains("53454352"), p.text.constData());
        }
        const QByteArray conf = "a {\n  secret = x\n}\n";
        QVERIFY(checkRedactedStructure(RedactKind::StrongswanConf, conf, "a {\n  secret = x\n\n").size() > 0);
        QVERIFY(checkRedactedStructure(RedactKind::StrongswanConf, conf, "a {\n  secret = [redacted]\n}\n")
                    .isEmpty());
        QVERIFY(
            checkRedactedStructure(RedactKind::IpsecConf, "conn a\n\tleft=1\n", "conn a\n\tleft=2\n").size() >
            0);
    }

    // ---- what the fuzzing found (each fails on the code before its fix)

    void regressionIpsecLineStartingWithEquals()
    {
        // redactIpsecConf copied a line whose first character is '=' as it was.
        const QByteArray text =
            readAll(kData + QStringLiteral("/fuzz-regressions/ipsec-conf-line-starting-with-equals.conf"));
        QVERIFY(text.contains("SECRETMARKER"));
        const QByteArray red = redactIpsecConf(text);
        QVERIFY2(!red.contains("SECRETMARKER"), red.constData());
        QCOMPARE(red.count('\n'), text.count('\n'));
        QVERIFY(red.contains("\tleft=192.0.2.1\n"));
    }

    void regressionIpsecTwoSettingsOnOneLine()
    {
        // fuzz_redact: "authby=secret<TAB>xauth_secret=X" was kept whole as authby's (allowlisted)
        // value; strongSwan's starter reads two settings there.
        const QByteArray text =
            readAll(kData + QStringLiteral("/fuzz-regressions/ipsec-conf-two-settings-on-one-line.conf"));
        QVERIFY(text.contains("SECRETMARKER"));
        const QByteArray red = redactIpsecConf(text);
        QVERIFY2(!red.contains("SECRETMARKER"), red.constData());
        QVERIFY(red.contains("\tauthby=[redacted]\n"));
        QVERIFY(red.contains("\tleft=192.0.2.1\n\t"));
        QCOMPARE(red.count('\n'), text.count('\n'));
    }

    void regressionSecretInsideKeptValue()
    {
        // fuzz_redact: "auth =eap-radius { secret = X" is one value of `auth` (allowlisted) to
        // strongSwan's lexer, so it was kept, secret text included.
        const QByteArray text = readAll(
            kData + QStringLiteral("/fuzz-regressions/strongswan-conf-secret-inside-kept-value.conf"));
        QVERIFY(text.contains("SECRETMARKER"));
        const QByteArray red = redactStrongswanConf(text);
        QVERIFY2(!red.contains("SECRETMARKER"), red.constData());
        QCOMPARE(red.count('\n'), text.count('\n'));
        // An allowlisted value with '=' in it that names no credential stays (a DN).
        const QByteArray dn = "c { remote { id = C=CH, O=strongSwan, CN=peer } }\n";
        QCOMPARE(redactStrongswanConf(dn), dn);
    }

    void regressionQuoteInConfigFileName()
    {
        // The client-settings fix of ike_fragmentation printed "echo 'Merge this into the VPN
        // client's settings …'": the apostrophe ended the quote and the whole script failed
        // bash -n (syntax error near '('), so every fix of such a diagnosis was lost.
        Diagnosis d;
        Finding f;
        f.cause = QStringLiteral("ike_fragmentation");
        f.fixes = ikeFragmentationFixes(FixTarget(), IkeFragmentationParams());
        QVERIFY(std::any_of(f.fixes.begin(), f.fixes.end(),
                            [](const Fix &x) { return x.kind == FixKind::ClientSettings; }));
        d.findings.push_back(f);
        const QByteArray script = fixScript(d).toUtf8();
        QVERIFY(script.contains("Merge this into the VPN client"));
        const QString bash = bashSyntaxError(script);
        QVERIFY2(bash.isEmpty(), qPrintable(bash));
        const QStringList p = checkFixScript(script, {});
        QVERIFY2(p.isEmpty(), qPrintable(joined(p)));
    }

    // ---- the fuzzing

    void redactorsPlanted()
    {
        Rng rng(seed());
        const int perKind = 500 * scale();
        int planted = 0;
        for (int k = 0; k < kRedactKinds; ++k) {
            for (int i = 0; i < perKind; ++i) {
                const PlantedText p = generatePlanted(rng, RedactKind(k));
                planted += int(p.text.count(kSecret)) + int(p.secretLines.size());
                const QStringList problems = checkPlanted(p);
                if (!problems.isEmpty()) dump(QStringLiteral("planted.txt"), p.text, redact(p.kind, p.text));
                QVERIFY2(problems.isEmpty(),
                         qPrintable(QStringLiteral("kind %1: %2\ninput:\n%3")
                                        .arg(k)
                                        .arg(joined(problems), QString::fromUtf8(p.text.left(1500)))));
            }
        }
        qInfo("%d generated files, %d secrets planted, none survived", kRedactKinds * perKind, planted);
        QVERIFY(planted > kRedactKinds * perKind);
    }

    void redactorsMutated()
    {
        struct Seed
        {
            RedactKind kind;
            QByteArray text;
        };
        std::vector<Seed> seeds;
        const QString ev = kData + QStringLiteral("/evidence/");
        for (const char *f : {"hostile/swanctl.conf", "hostile/strongswan.conf", "swanctl-with-secrets.conf",
                              "strongswan-retransmit.conf"})
            seeds.push_back({RedactKind::StrongswanConf, readAll(ev + QLatin1String(f))});
        for (const char *f : {"hostile/ipsec.conf", "ipsec-conns.conf"})
            seeds.push_back({RedactKind::IpsecConf, readAll(ev + QLatin1String(f))});
        for (const char *f : {"hostile/charon.log", "charon-bsdtime.log", "syslog-charon.log"})
            seeds.push_back({RedactKind::CharonLog, readAll(ev + QLatin1String(f))});
        for (const char *f : {"xfrm-state-esn-encap.txt", "xfrm-state-truncated.txt"})
            seeds.push_back({RedactKind::XfrmState, readAll(ev + QLatin1String(f))});
        for (const Seed &s : seeds) {
            QVERIFY(!s.text.isEmpty());
            const QStringList p = checkRedactedStructure(s.kind, s.text, redact(s.kind, s.text));
            QVERIFY2(p.isEmpty(), qPrintable(joined(p)));
        }
        Rng rng(seed() + 1);
        const int n = 2000 * scale();
        for (int i = 0; i < n; ++i) {
            const Seed &s = seeds[rng.below(std::uint32_t(seeds.size()))];
            const QByteArray text = mutateText(s.text, rng);
            const QByteArray red = redact(s.kind, text);
            const QStringList p = checkRedactedStructure(s.kind, text, red);
            if (!p.isEmpty()) dump(QStringLiteral("mutated.txt"), text, red);
            QVERIFY2(p.isEmpty(),
                     qPrintable(QStringLiteral("mutation %1 of kind %2: %3 (IKEV2WB_FUZZ_DUMP=DIR keeps "
                                               "the input)")
                                    .arg(i)
                                    .arg(int(s.kind))
                                    .arg(joined(p))));
        }
        qInfo("%d mutated files: same lines and structure after redaction", n);
    }

    void fixScriptSeeds()
    {
        const std::vector<EvidenceSeed> seeds = m_harness.seeds();
        QVERIFY(seeds.size() > 50);
        int fixes = 0;
        QSet<QByteArray> distinct;
        for (const EvidenceSeed &s : seeds) {
            const FixScriptHarness::Result r = m_harness.run(s);
            if (!r.problems.isEmpty()) dump(s.name, s.text, r.script);
            QVERIFY2(r.problems.isEmpty(), qPrintable(s.name + QStringLiteral(": ") + joined(r.problems)));
            fixes += r.fixes;
            const QByteArray norm = normalized(r.script);
            if (distinct.contains(norm)) continue;
            distinct.insert(norm);
            const QString bash = bashSyntaxError(r.script);
            QVERIFY2(bash.isEmpty(), qPrintable(s.name + QStringLiteral(": ") + bash));
        }
        qInfo("%zu seeds, %lld distinct scripts, %d fixes", seeds.size(), qlonglong(distinct.size()), fixes);
        QVERIFY(fixes > int(seeds.size())); // the seeds make diagnoses with fixes
    }

    // An attacker who configures the gateway names it everywhere: one name or address of the
    // lab's host-A evidence replaced in every file by a hostile value.
    void fixScriptRenamed()
    {
        Rng rng(seed() + 3);
        const int n = 100 * scale();
        QSet<QByteArray> distinct;
        int withTaint = 0, taintInCode = 0, rejected = 0;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < n; ++i) {
            const int lab = int(rng.below(std::uint32_t(m_harness.labCount())));
            const QByteArrayList ids = m_harness.identities(lab);
            const QByteArray from = ids[rng.below(std::uint32_t(ids.size()))];
            const QByteArray to = hostileValue(rng);
            const FixScriptHarness::Result r = m_harness.runRenamed(lab, from, to);
            if (r.script.contains(kTaint)) ++withTaint;
            if (r.script.contains("from the evidence")) ++rejected;
            taintInCode += r.taintInCode;
            if (!r.problems.isEmpty()) dump(QStringLiteral("renamed.txt"), from + " -> " + to, r.script);
            QVERIFY2(r.problems.isEmpty(),
                     qPrintable(QStringLiteral("lab %1, '%2' renamed '%3':\n  %4")
                                    .arg(m_harness.labName(lab), QString::fromUtf8(from),
                                         QString::fromUtf8(to), joined(r.problems))));
            const QByteArray norm = normalized(r.script);
            if (distinct.contains(norm)) continue;
            distinct.insert(norm);
            const QString bash = bashSyntaxError(r.script);
            if (!bash.isEmpty()) dump(QStringLiteral("renamed.txt"), from + " -> " + to, r.script);
            QVERIFY2(bash.isEmpty(), qPrintable(QStringLiteral("lab %1, '%2' renamed '%3': bash -n: %4")
                                                    .arg(m_harness.labName(lab), QString::fromUtf8(from),
                                                         QString::fromUtf8(to), bash)));
        }
        qInfo(
            "%d renamings in %lld ms: %lld distinct scripts, %d carry planted text (%d with a refused value "
            "noted), %d times inside a command (validated and quoted)",
            n, t.elapsed(), qlonglong(distinct.size()), withTaint, rejected, taintInCode);
        QVERIFY(withTaint > n / 4);
        QVERIFY(taintInCode > n / 4);
    }

private:
    /// The esp-blocked lab (its fixes are the filter fixes) and its seed file `name`.
    QByteArray espBlockedSeed(const QString &name, int *lab) const
    {
        for (int i = 0; i < m_harness.labCount(); ++i)
            if (m_harness.labName(i) == QLatin1String("esp-blocked")) *lab = i;
        for (const EvidenceSeed &s : m_harness.seeds())
            if (s.lab == *lab && s.name == name) return s.text;
        return {};
    }

private slots:
    // Hostile firewall listings: the comment, chain and table of host A's DROP rules (the
    // left-iptables-end.txt seed) replaced by hostile values. The rule's text goes into the fix as
    // grep's pattern: single-quoted, and only after the independent check of
    // validatedFirewallValues; anything else is refused.
    void fixScriptFirewallHostile()
    {
        int lab = -1;
        const QByteArray seedText = espBlockedSeed(QStringLiteral("left-iptables-end.txt"), &lab);
        QVERIFY(lab >= 0);
        QVERIFY(seedText.contains("--comment \"no esp\""));
        {
            // Not vacuous: the clean seed gives firewall_drop's fix with the rule's text in it.
            const FixScriptHarness::Result r =
                m_harness.run({lab, QStringLiteral("left-iptables-end.txt"), seedText});
            QVERIFY2(r.problems.isEmpty(), qPrintable(joined(r.problems)));
            QVERIFY(
                r.script.contains("grep -nxF -e '-A INPUT -s 10.0.2.1/32 -i wan0 -p esp -m comment --comment "
                                  "\"no esp\" -j DROP'"));
        }
        Rng rng(seed() + 4);
        const int n = 60 * scale();
        int taintInCode = 0;
        const QByteArrayList fields{"\"no esp\"", "INPUT", "ipsec-in", "filter"};
        for (int i = 0; i < n; ++i) {
            const QByteArray from = fields[qsizetype(rng.below(std::uint32_t(fields.size())))];
            QByteArray to = hostileValue(rng);
            if (from.startsWith('"') && rng.chance(50)) to = '"' + to + '"';
            QByteArray text = seedText;
            text.replace(from, to);
            const FixScriptHarness::Result r =
                m_harness.run({lab, QStringLiteral("left-iptables-end.txt"), text});
            taintInCode += r.taintInCode;
            if (!r.problems.isEmpty()) dump(QStringLiteral("left-iptables-end.txt"), text, r.script);
            QVERIFY2(r.problems.isEmpty(), qPrintable(QStringLiteral("'%1' -> '%2':\n  %3")
                                                          .arg(QString::fromUtf8(from), QString::fromUtf8(to),
                                                               joined(r.problems))));
            const QString bash = bashSyntaxError(r.script);
            QVERIFY2(bash.isEmpty(), qPrintable(QString::fromUtf8(to) + QStringLiteral(": ") + bash));
        }
        qInfo("%d hostile firewall listings: planted text inside a command %d times (validated, quoted)", n,
              taintInCode);
        QVERIFY(taintInCode > 0);
    }

    // Hostile nft listings: the table and chain of host A's input-hook base chain (the
    // left-nft-ruleset-end.txt seed) replaced by hostile values. A name nft reads as an identifier
    // goes into the accept commands (checked independently by validatedTargetValues); anything
    // else is refused with a note and stays out of every command.
    void fixScriptNftHostile()
    {
        int lab = -1;
        const QByteArray seedText = espBlockedSeed(QStringLiteral("left-nft-ruleset-end.txt"), &lab);
        QVERIFY(lab >= 0);
        QVERIFY(seedText.contains("table inet fw {"));
        {
            // Not vacuous: the clean seed puts the accept into inet fw input.
            const FixScriptHarness::Result r =
                m_harness.run({lab, QStringLiteral("left-nft-ruleset-end.txt"), seedText});
            QVERIFY2(r.problems.isEmpty(), qPrintable(joined(r.problems)));
            QVERIFY(
                r.script.contains("|| nft insert rule inet fw input 'ip saddr 10.0.2.1 ip daddr 10.0.1.1 "));
        }
        Rng rng(seed() + 5);
        const int n = 60 * scale();
        int taintInCode = 0, refused = 0;
        const QByteArrayList fields{"table inet fw {", "chain input {"};
        for (int i = 0; i < n; ++i) {
            const QByteArray from = fields[qsizetype(rng.below(std::uint32_t(fields.size())))];
            const QByteArray value = hostileValue(rng);
            const QByteArray to =
                QByteArray(from.startsWith("table") ? "table inet " : "chain ") + value + QByteArray(" {");
            QByteArray text = seedText;
            text.replace(from, to);
            const FixScriptHarness::Result r =
                m_harness.run({lab, QStringLiteral("left-nft-ruleset-end.txt"), text});
            taintInCode += r.taintInCode;
            if (r.script.contains("nft chain '")) ++refused;
            if (!r.problems.isEmpty()) dump(QStringLiteral("left-nft-ruleset-end.txt"), text, r.script);
            QVERIFY2(
                r.problems.isEmpty(),
                qPrintable(QStringLiteral("'%1':\n  %2").arg(QString::fromUtf8(to), joined(r.problems))));
            const QString bash = bashSyntaxError(r.script);
            QVERIFY2(bash.isEmpty(), qPrintable(QString::fromUtf8(to) + QStringLiteral(": ") + bash));
        }
        qInfo(
            "%d hostile nft listings: planted text inside a command %d times (validated, quoted), %d refused",
            n, taintInCode, refused);
        QVERIFY(taintInCode > 0);
        QVERIFY(refused > 0);
    }

    void fixScriptMutated()
    {
        // The seeds whose values feed fixes are drawn eight times as often as counters and tables.
        std::vector<EvidenceSeed> seeds;
        for (const EvidenceSeed &s : m_harness.seeds())
            for (int k = FixScriptHarness::feedsFixes(s.name) || FixScriptHarness::isFirewall(s.name) ? 8 : 1;
                 k > 0; --k)
                seeds.push_back(s);
        Rng rng(seed() + 2);
        const int n = 100 * scale();
        QSet<QByteArray> distinct;
        int taintInCode = 0, withTaint = 0, fixes = 0;
        QElapsedTimer t;
        t.start();
        qint64 bashMs = 0;
        for (int i = 0; i < n; ++i) {
            EvidenceSeed in = seeds[rng.below(std::uint32_t(seeds.size()))];
            in.text = mutateEvidence(in.text, rng);
            const FixScriptHarness::Result r = m_harness.run(in);
            fixes += r.fixes;
            taintInCode += r.taintInCode;
            if (r.script.contains(kTaint)) ++withTaint;
            if (!r.problems.isEmpty()) dump(in.name, in.text, r.script);
            QVERIFY2(r.problems.isEmpty(),
                     qPrintable(QStringLiteral("mutation %1 of %2 (lab %3):\n  %4\nevidence:\n%5")
                                    .arg(i)
                                    .arg(in.name, m_harness.labName(in.lab), joined(r.problems),
                                         QString::fromUtf8(in.text.left(4000)))));
            const QByteArray norm = normalized(r.script);
            if (distinct.contains(norm)) continue;
            distinct.insert(norm);
            QElapsedTimer b;
            b.start();
            const QString bash = bashSyntaxError(r.script);
            bashMs += b.elapsed();
            if (!bash.isEmpty()) dump(in.name, in.text, r.script);
            QVERIFY2(bash.isEmpty(), qPrintable(QStringLiteral("mutation %1 of %2: bash -n: %3\n%4")
                                                    .arg(i)
                                                    .arg(in.name, bash, QString::fromUtf8(r.script))));
        }
        qInfo("%d mutated evidence files in %lld ms (bash -n %lld ms): %lld distinct scripts, %d fixes, %d "
              "scripts carry planted text, %d times inside a command (validated and quoted)",
              n, t.elapsed(), bashMs, qlonglong(distinct.size()), fixes, withTaint, taintInCode);
        // Not vacuous: planted text reached the scripts, and some of it commands.
        // A single file rarely names what the fixes use (the charon log names the connection, the
        // routes the interface): fixScriptRenamed is the one that must reach commands.
        QVERIFY(withTaint > 0);
    }
};

QTEST_GUILESS_MAIN(TestFuzzSecurity)
#include "tst_fuzz_security.moc"
