#include "securityfuzz.h"

#include "evidence/evidenceset.h"
#include "evidence/parsers.h"
#include "evidence/redact.h"
#include "report/diagnosisreport.h"
#include "session/investigation.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryFile>

#include <arpa/inet.h>

#include <algorithm>

namespace ikev2wb::fuzz {

std::uint64_t Rng::next()
{
    std::uint64_t z = (m_s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

namespace {

template <std::size_t N> const char *pick(Rng &rng, const char *const (&list)[N])
{
    return list[rng.below(N)];
}

QByteArray hexOf(const QByteArray &bytes, bool upper)
{
    QByteArray h = bytes.toHex();
    return upper ? h.toUpper() : h;
}

// ---------------------------------------------------------------- planted configurations

const char *const kCredentialKeys[] = {
    "secret", "psk",    "xauth_secret", "private_key_pin", "password",   "pin",     "key",
    "token",  "cookie", "eap_secret",   "passphrase",      "credential", "private", "pwd"};
const char *const kKeptKeys[] = {"remote_addrs", "local_addrs", "id",        "auth",
                                 "proposals",    "address",     "auth_port", "cacert",
                                 "remote_ts",    "crl_uris",    "file",      "load"};
const char *const kUnknownKeys[] = {"unknown_option", "database", "opt", "foo_bar", "comment", "uri"};
const char *const kNames[] = {"connections", "site-a",      "local", "remote", "children", "net",
                              "eap-radius",  "servers",     "r1",    "ha",     "sql",      "charon",
                              "plugins",     "authorities", "ca-a",  "pools",  "p1",       "x"};

/// A value of one of the forms strongSwan reads; `secret` puts kSecret in it.
QByteArray confValue(Rng &rng, bool secret)
{
    const QByteArray s = secret ? QByteArray(kSecret) + QByteArray::number(rng.below(1000)) : QByteArray("v");
    switch (rng.below(7)) {
    case 0:
        return s;
    case 1:
        return s + " more words";
    case 2:
        return "\"" + s + " \\\"escaped\\\" # not a comment { } \"";
    case 3:
        return "\"" + s + "\n" + s + "-second-line }\"";
    case 4:
        return "mysql://user:" + s + "@db.example.org/vpn";
    case 5:
        return "\"" + s + "{\"";
    default:
        return "0x" + hexOf(s, false) + "00112233445566778899";
    }
}

/// A harmless value of an allowlisted key; may carry a URI password (secret) in it.
QByteArray keptValue(Rng &rng)
{
    switch (rng.below(6)) {
    case 0:
        return "198.51.100.7";
    case 1:
        return "\"CN=peer {remote\"";
    case 2:
        return "http://crl:" + QByteArray(kSecret) + "@crl.example.org/ca.crl";
    case 3:
        return "ldap://cn:" + QByteArray(kSecret) + "x@h/x, http://h/y";
    case 4:
        return "aes256gcm16-prfsha384-ecp384";
    default:
        return "1812";
    }
}

struct ConfGen
{
    Rng &rng;
    QByteArray out;

    QByteArray indent(int depth) { return QByteArray(depth * 4, ' '); }

    /// key = value (a secret unless the key is allowlisted and the value harmless).
    QByteArray keyValue(bool inSecrets)
    {
        const int k = int(rng.below(3));
        QByteArray key, value;
        if (k == 0) {
            key = pick(rng, kCredentialKeys);
            value = confValue(rng, true);
        } else if (k == 1 && !inSecrets) {
            key = pick(rng, kKeptKeys);
            value = keptValue(rng);
        } else {
            key = pick(rng, kUnknownKeys);
            value = confValue(rng, true);
            if (value.startsWith("0x")) value = "\"words " + value + "\"";
        }
        const char *const eqs[] = {" = ", "=", " =", "= ", "\t=\t"};
        return key + pick(rng, eqs) + value;
    }

    void section(int depth, bool inSecrets)
    {
        const int items = int(rng.below(5));
        for (int i = 0; i < items; ++i) {
            const int what = int(rng.below(100));
            if (what < 40) {
                out += indent(depth) + keyValue(inSecrets);
                if (rng.chance(20)) out += rng.chance(50) ? " # trailing comment" : "#c";
                out += '\n';
            } else if (what < 55 && depth < 4) {
                const bool secrets = !inSecrets && rng.chance(25);
                QByteArray name = secrets ? QByteArray("secrets") : QByteArray(pick(rng, kNames));
                if (inSecrets) name += "-" + QByteArray(kSecret);
                out += indent(depth) + name +
                       (rng.chance(20) ? QByteArray("\n" + indent(depth) + "{\n") : QByteArray(" {\n"));
                section(depth + 1, inSecrets || secrets);
                out += indent(depth) + "}\n";
            } else if (what < 70) {
                // One-line sections, nested or not, spaced or not.
                const bool secrets = !inSecrets && rng.chance(25);
                const QByteArray name = secrets ? QByteArray("secrets") : QByteArray(pick(rng, kNames));
                const QByteArray inner = rng.chance(30) ? QByteArray(QByteArray(pick(rng, kNames)) + " { " +
                                                                     keyValue(inSecrets || secrets) + " }")
                                                        : keyValue(inSecrets || secrets);
                out += indent(depth) + name +
                       (rng.chance(50) ? QByteArray(" { " + inner + " }") : QByteArray("{" + inner + "}")) +
                       '\n';
            } else if (what < 82) {
                // Commented-out settings and comments about secrets.
                switch (rng.below(3)) {
                case 0:
                    out += indent(depth) + "# " + QByteArray(pick(rng, kCredentialKeys)) + " = " + kSecret +
                           "\n";
                    break;
                case 1:
                    out += indent(depth) + "#" + QByteArray(pick(rng, kUnknownKeys)) + "=" + kSecret + " x\n";
                    break;
                default:
                    out += indent(depth) + "# the psk is " + kSecret + "\n";
                }
            } else if (what < 90) {
                out += '\n';
            } else if (what < 95 && depth == 0) {
                out += "include \"strongswan.d/*.conf\"\n";
            } else {
                out += indent(depth) + "# plain comment\n";
            }
        }
    }
};

QByteArray generateStrongswan(Rng &rng)
{
    ConfGen g{rng, {}};
    g.out = "# generated\n";
    const int top = 1 + int(rng.below(3));
    for (int i = 0; i < top; ++i) {
        const bool secrets = rng.chance(30);
        g.out += (secrets ? QByteArray("secrets") : QByteArray(pick(rng, kNames))) + " {\n";
        g.section(1, secrets);
        g.out += "}\n";
    }
    return g.out;
}

QByteArray generateIpsec(Rng &rng)
{
    QByteArray out = "# generated ipsec.conf\nconfig setup\n\tcharondebug=\"ike 2, knl 2\"\n";
    const int conns = 1 + int(rng.below(3));
    for (int c = 0; c < conns; ++c) {
        out += "\nconn site-" + QByteArray::number(c) + "\n";
        const int lines = 1 + int(rng.below(7));
        for (int i = 0; i < lines; ++i) {
            switch (rng.below(7)) {
            case 0:
                out += "\tleft=192.0.2.1\n\tright=203.0.113.9\n";
                break;
            case 1:
                out += "\t" + QByteArray(pick(rng, kCredentialKeys)) + "=" + kSecret + "\n";
                break;
            case 2:
                out += "\tleftid=\"CN=x " + QByteArray(rng.chance(50) ? "#" : "") + "\"\n";
                break;
            case 3:
                out += "\t" + QByteArray(pick(rng, kUnknownKeys)) + "=\"" + kSecret + " words\"\n";
                break;
            case 4:
                out += "\t" + QByteArray(pick(rng, kCredentialKeys)) + "=\"" + kSecret + "\n" + kSecret +
                       " second line\"\n";
                break;
            case 5:
                out += "\t# " + QByteArray(pick(rng, kCredentialKeys)) + "=" + kSecret + "\n";
                break;
            default:
                out += "\tauto=start # " + QByteArray(rng.chance(50) ? "psk=" : "note ") +
                       (rng.chance(50) ? QByteArray(kSecret) : QByteArray("x")) + "\n";
            }
        }
    }
    return out;
}

const char *const kLogPrefixes[] = {"Nov 27 12:00:01 13[IKE] ",
                                    "Nov 27 12:00:01 gw charon: 13[IKE] ",
                                    "2026-11-27T12:00:01.123456+00:00 gw charon[812]: 13[IKE] ",
                                    "13[IKE] ",
                                    "Nov 27 12:00:01 13[IKE] <site-a|1> ",
                                    "Dec  6 06:00:00 06[ENC] <lab|3> "};
const char *const kLogMessages[] = {"sending DPD request",
                                    "retransmit 1 of request with message ID 2",
                                    "received packet: from 192.0.2.1[500] to 203.0.113.9[500] (464 bytes)",
                                    "IKE_SA lab[1] established between 192.0.2.1[gw]...203.0.113.9[peer]",
                                    "CHILD_SA net{1} established with SPIs c0ffee01_i c0ffee02_o",
                                    "splitting IKE message (1500 bytes) into 2 fragments"};

PlantedText generateCharonLog(Rng &rng)
{
    PlantedText p;
    p.kind = RedactKind::CharonLog;
    const int events = 1 + int(rng.below(8));
    for (int e = 0; e < events; ++e) {
        const QByteArray prefix = pick(rng, kLogPrefixes);
        if (rng.chance(40)) {
            p.text += prefix + pick(rng, kLogMessages) + "\n";
            continue;
        }
        if (rng.chance(25)) {
            // A key printed as a number in an ordinary line.
            QByteArray key = QByteArray(kSecret);
            key += QByteArray(int(4 + rng.below(20)), char('A' + rng.below(26)));
            p.text += prefix + "sending DPD request 0x" + hexOf(key, rng.chance(50)) + "\n";
            continue;
        }
        // A hex dump as charon prints it at log level 4: the header, then 16 bytes a line.
        QByteArray secret = QByteArray(kSecret).left(int(1 + rng.below(12)));
        const int extra = int(rng.below(60));
        for (int i = 0; i < extra; ++i)
            secret += char(rng.below(256));
        const char *const names[] = {"Sk_ei secret", "Sk_d secret", "shared Diffie Hellman secret", "nonce",
                                     "PSK"};
        p.text +=
            prefix + pick(rng, names) + " => " + QByteArray::number(secret.size()) + " bytes @ 0x55d0c0a0\n";
        for (int off = 0; off < secret.size(); off += 16) {
            const QByteArray chunk = secret.mid(off, 16);
            QByteArray hex;
            QByteArray ascii;
            for (int i = 0; i < chunk.size(); ++i) {
                hex += (i ? " " : "") +
                       QByteArray::number(std::uint8_t(chunk[i]), 16).rightJustified(2, '0').toUpper();
                const char c = chunk[i];
                ascii += c >= 0x20 && c < 0x7f ? c : '.';
            }
            QByteArray line = QByteArray::number(off).rightJustified(4, ' ') + ": " +
                              hex.leftJustified(47, ' ') + "  " + ascii;
            p.text += prefix + line + "\n";
            p.secretLines << line.left(6 + chunk.size() * 3 - 1); // offset and the hex bytes
        }
    }
    return p;
}

PlantedText generateXfrmState(Rng &rng)
{
    PlantedText p;
    p.kind = RedactKind::XfrmState;
    const int sas = 1 + int(rng.below(3));
    for (int s = 0; s < sas; ++s) {
        p.text += "src 192.0.2.1 dst 203.0.113.9\n\tproto esp spi 0xc0ffee0" + QByteArray::number(s) +
                  " reqid 1 mode tunnel\n\treplay-window 0 flag af-unspec\n";
        const char *const algos[] = {"auth-trunc hmac(sha256)", "auth hmac(sha1)", "enc cbc(aes)",
                                     "aead rfc4106(gcm(aes))", "enc cbc(des3_ede)"};
        const int keys = 1 + int(rng.below(3));
        for (int k = 0; k < keys; ++k) {
            QByteArray key = QByteArray(kSecret).left(int(4 + rng.below(9)));
            const int extra = int(rng.below(24));
            for (int i = 0; i < extra; ++i)
                key += char(rng.below(256));
            const char *const spaces[] = {" ", "  ", "\t", " \t "};
            p.text += QByteArray(rng.chance(80) ? "\t" : "    ") + pick(rng, algos) + pick(rng, spaces) +
                      "0x" + hexOf(key, rng.chance(30)) + (rng.chance(60) ? " 128" : "") + "\n";
        }
        if (rng.chance(50)) p.text += "\tencap type espinudp sport 4500 dport 4500 addr 0.0.0.0\n";
    }
    return p;
}

// ---------------------------------------------------------------- structure of a configuration

/// The content of a `secrets` section at any depth is dropped by the redactor by design (our
/// parser drops only swanctl's top-level one): left out on both sides.
void describe(QStringList &out, const ConfigSection &s, const QString &indent)
{
    for (const ConfigValue &v : s.values)
        out << QStringLiteral("%1value %2 @%3 = %4").arg(indent, v.key).arg(v.line).arg(v.value);
    for (const ConfigSection &sub : s.sections) {
        out << QStringLiteral("%1section %2 @%3").arg(indent, sub.name).arg(sub.line);
        if (sub.name != QLatin1String("secrets")) describe(out, sub, indent + QStringLiteral("  "));
    }
}

QStringList describe(const QByteArray &text, RedactKind kind)
{
    return describeConfig(text, kind == RedactKind::IpsecConf ? EvidenceKind::IpsecConf
                                                              : EvidenceKind::StrongswanConf);
}

QString cut(const QString &s, int n = 160)
{
    QString t = s.left(n);
    t.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return t;
}

} // namespace

QStringList describeConfig(const QByteArray &text, EvidenceKind kind)
{
    ParseStatus status;
    const QString name = QStringLiteral("x.conf");
    const ConfigFile f = kind == EvidenceKind::IpsecConf ? parseIpsecConf(text, name, status)
                                                         : parseStrongswanStyleConf(text, name, kind, status);
    QStringList out;
    if (!status.ok()) out << QStringLiteral("error ") + status.error;
    for (const EvidenceIssue &w : status.warnings)
        out << QStringLiteral("warning @%1 %2").arg(w.line).arg(w.message);
    describe(out, f.root, QString());
    for (const QString &i : f.includes)
        out << QStringLiteral("include ") + i;
    out << QStringLiteral("connections %1").arg(f.connections.size());
    return out;
}

PlantedText generatePlanted(Rng &rng, RedactKind kind)
{
    switch (kind) {
    case RedactKind::StrongswanConf:
        return {kind, generateStrongswan(rng), {}};
    case RedactKind::IpsecConf:
        return {kind, generateIpsec(rng), {}};
    case RedactKind::CharonLog:
        return generateCharonLog(rng);
    case RedactKind::XfrmState:
        return generateXfrmState(rng);
    }
    return {};
}

QByteArray redact(RedactKind kind, const QByteArray &text)
{
    switch (kind) {
    case RedactKind::StrongswanConf:
        return redactStrongswanConf(text);
    case RedactKind::IpsecConf:
        return redactIpsecConf(text);
    case RedactKind::CharonLog:
        return redactCharonLog(text);
    case RedactKind::XfrmState:
        return redactXfrmState(text);
    }
    return text;
}

QStringList checkRedactedStructure(RedactKind kind, const QByteArray &original, const QByteArray &redacted)
{
    QStringList problems;
    if (kind == RedactKind::CharonLog) return problems; // dump lines are dropped on purpose
    if (redacted.count('\n') != original.count('\n'))
        problems << QStringLiteral("line count %1 -> %2").arg(original.count('\n')).arg(redacted.count('\n'));
    if (kind == RedactKind::XfrmState) return problems;
    // No setting whose key is a credential (isCredentialKey, the policy's definition) keeps its
    // value, wherever it stands (one-line sections, commented-out lines): checked on the text
    // line by line, independently of both lexers.
    static const QRegularExpression assignment(QStringLiteral("([A-Za-z0-9_.-]+)[ \t]*=[ \t]*([^\\s}#]*)"));
    for (const QByteArray &line : redacted.split('\n')) {
        const QString l = QString::fromUtf8(line);
        for (auto it = assignment.globalMatch(l); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            const QString v = m.captured(2);
            if (isCredentialKey(m.captured(1).toUtf8()) && !v.isEmpty() &&
                !v.startsWith(QLatin1String("[redacted]")) && !v.startsWith(QLatin1String("\"[redacted]\"")))
                problems << QStringLiteral("credential kept: '%1'").arg(cut(l));
        }
    }
    const QStringList a = describe(original, kind);
    // Our parser reads lines, strongSwan's lexer characters: they agree on files without a
    // warning from ours, a backslash or a line with an odd number of quotes. Elsewhere (an
    // unterminated string, a quote inside an unquoted value) strongSwan may reject the file and
    // the redactor, which follows strongSwan's lexer, may drop more than a value: only the line
    // count and the credential check above hold there.
    const bool plain = !original.contains('\\') && std::none_of(a.begin(), a.end(), [](const QString &e) {
        return e.startsWith(QLatin1String("warning ")) || e.startsWith(QLatin1String("error "));
    }) && [&] {
        for (const QByteArray &line : original.split('\n'))
            if (line.count('"') % 2) return false;
        return true;
    }();
    if (!plain) return problems;
    const QStringList b = describe(redacted, kind);
    if (a.size() != b.size()) {
        problems << QStringLiteral("parses to %1 entries, redacted to %2").arg(a.size()).arg(b.size());
        for (qsizetype i = 0; i < std::max(a.size(), b.size()); ++i) {
            const QString x = i < a.size() ? a[i] : QString(), y = i < b.size() ? b[i] : QString();
            const qsizetype eq = y.indexOf(QLatin1String(" = "));
            if (x != y && !(eq > 0 && y.contains(QLatin1String("[redacted]")) && x.left(eq) == y.left(eq))) {
                problems << QStringLiteral("first difference: '%1' | '%2'").arg(cut(x), cut(y));
                break;
            }
        }
        return problems;
    }
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i] == b[i]) continue;
        const qsizetype eq = b[i].indexOf(QLatin1String(" = "));
        if (eq > 0 && b[i].contains(QLatin1String("[redacted]")) && a[i].left(eq) == b[i].left(eq)) continue;
        problems << QStringLiteral("entry changed: '%1' | '%2'").arg(cut(a[i]), cut(b[i]));
    }
    return problems;
}

QStringList checkPlanted(const PlantedText &p)
{
    const QByteArray red = redact(p.kind, p.text);
    QStringList problems = checkRedactedStructure(p.kind, p.text, red);
    if (red.contains(kSecret)) {
        const qsizetype at = red.indexOf(kSecret);
        const qsizetype from = red.lastIndexOf('\n', at) + 1;
        problems << QStringLiteral("%1 survives: '%2'")
                        .arg(QLatin1String(kSecret), cut(QString::fromUtf8(red.mid(from, 200))));
    }
    // The marker as hex (a key in a log line or an xfrm listing): any 4 bytes of it.
    const QByteArray lower = red.toLower();
    for (int i = 0; i + 4 <= int(qstrlen(kSecret)); ++i) {
        const QByteArray h = QByteArray(kSecret).mid(i, 4).toHex();
        if (lower.contains(h)) {
            problems << QStringLiteral("hex of the marker survives: %1").arg(QLatin1String(h));
            break;
        }
    }
    const QList<QByteArray> lines = red.split('\n');
    for (const QByteArray &s : p.secretLines)
        for (const QByteArray &l : lines)
            if (l.contains(s)) {
                problems << QStringLiteral("dump line survives: '%1'").arg(QString::fromLatin1(l));
                break;
            }
    return problems;
}

// ---------------------------------------------------------------- the shell lexer

std::vector<ShellContext> classifyShell(const QByteArray &b, QString *error)
{
    const qsizetype n = b.size();
    std::vector<ShellContext> ctx(std::size_t(n), ShellContext::Code);
    enum Kind : std::uint8_t { Top, Dq, Sub, Brace, Backtick };
    struct Frame
    {
        Kind kind;
        int depth;
    };
    std::vector<Frame> st{{Top, 0}};
    struct Pending
    {
        QByteArray delim;
        bool quoted, stripTabs;
    };
    std::vector<Pending> pending;
    bool wordStart = true;
    auto fail = [&](const QString &why) {
        if (error && error->isEmpty()) *error = why;
    };
    qsizetype i = 0;
    while (i < n) {
        const char c = b[i];
        Frame &top = st.back();
        const bool code = top.kind != Dq;
        if (c == '\n' && code && !pending.empty()) {
            ++i;
            for (const Pending &h : pending) {
                bool closed = false;
                while (i < n) {
                    qsizetype nl = b.indexOf('\n', i);
                    if (nl < 0) nl = n;
                    QByteArray line = b.mid(i, nl - i);
                    if (h.stripTabs)
                        while (line.startsWith('\t'))
                            line.remove(0, 1);
                    if (line == h.delim) {
                        i = std::min(nl + 1, n);
                        closed = true;
                        break;
                    }
                    for (qsizetype j = i; j < std::min(nl + 1, n); ++j)
                        ctx[std::size_t(j)] =
                            h.quoted ? ShellContext::HeredocQuoted : ShellContext::HeredocUnquoted;
                    i = nl + 1;
                }
                if (!closed) fail(QStringLiteral("heredoc %1 not closed").arg(QString::fromUtf8(h.delim)));
            }
            pending.clear();
            wordStart = true;
            continue;
        }
        if (!code) { // inside "..."
            if (c == '"') {
                st.pop_back();
                ++i;
            } else if (c == '\\' && i + 1 < n) {
                ctx[std::size_t(i)] = ctx[std::size_t(i + 1)] = ShellContext::DoubleQuoted;
                i += 2;
            } else if (c == '$' && i + 1 < n && b[i + 1] == '(') {
                st.push_back({Sub, 0});
                i += 2;
                wordStart = true;
            } else if (c == '$' && i + 1 < n && b[i + 1] == '{') {
                st.push_back({Brace, 0});
                i += 2;
            } else if (c == '`') {
                st.push_back({Backtick, 0});
                ++i;
                wordStart = true;
            } else {
                ctx[std::size_t(i)] = ShellContext::DoubleQuoted;
                ++i;
            }
            continue;
        }
        if (c == '#' && wordStart && top.kind != Brace) {
            while (i < n && b[i] != '\n')
                ctx[std::size_t(i++)] = ShellContext::Comment;
            continue;
        }
        if (c == '\'') {
            const qsizetype end = b.indexOf('\'', i + 1);
            if (end < 0) {
                fail(QStringLiteral("unterminated single quote at byte %1").arg(i));
                for (qsizetype j = i + 1; j < n; ++j)
                    ctx[std::size_t(j)] = ShellContext::SingleQuoted;
                break;
            }
            for (qsizetype j = i + 1; j < end; ++j)
                ctx[std::size_t(j)] = ShellContext::SingleQuoted;
            i = end + 1;
            wordStart = false;
            continue;
        }
        if (c == '"') {
            st.push_back({Dq, 0});
            ++i;
            wordStart = false;
            continue;
        }
        if (c == '\\') {
            i += 2;
            wordStart = false;
            continue;
        }
        if (c == '$' && i + 1 < n && b[i + 1] == '(') {
            st.push_back({Sub, 0});
            i += 2;
            wordStart = true;
            continue;
        }
        if (c == '$' && i + 1 < n && b[i + 1] == '{') {
            st.push_back({Brace, 0});
            i += 2;
            continue;
        }
        if (c == '`') {
            if (top.kind == Backtick)
                st.pop_back();
            else
                st.push_back({Backtick, 0});
            ++i;
            continue;
        }
        if (top.kind == Sub && c == '(') {
            ++top.depth;
        } else if (top.kind == Sub && c == ')') {
            if (top.depth == 0) {
                st.pop_back();
                ++i;
                wordStart = false;
                continue;
            }
            --top.depth;
        } else if (top.kind == Brace && c == '}') {
            st.pop_back();
            ++i;
            continue;
        }
        if (c == '<' && i + 2 < n && b[i + 1] == '<' && b[i + 2] != '<') {
            qsizetype j = i + 2;
            bool strip = false;
            if (b[j] == '-') strip = true, ++j;
            while (j < n && (b[j] == ' ' || b[j] == '\t'))
                ++j;
            QByteArray delim;
            bool quoted = false;
            while (j < n && !QByteArrayView(" \t\n;&|<>()").contains(b[j])) {
                if (b[j] == '\'' || b[j] == '"') {
                    const char q = b[j];
                    const qsizetype end = b.indexOf(q, j + 1);
                    if (end < 0) break;
                    delim += b.mid(j + 1, end - j - 1);
                    quoted = true;
                    j = end + 1;
                } else if (b[j] == '\\' && j + 1 < n) {
                    delim += b[j + 1];
                    quoted = true;
                    j += 2;
                } else {
                    delim += b[j++];
                }
            }
            if (delim.isEmpty()) fail(QStringLiteral("heredoc without a delimiter at byte %1").arg(i));
            pending.push_back({delim, quoted, strip});
            i = j;
            wordStart = false;
            continue;
        }
        wordStart = QByteArrayView(" \t\n;&|()<>").contains(c);
        ++i;
    }
    if (st.size() > 1) fail(QStringLiteral("unterminated quote or substitution at the end"));
    if (!pending.empty()) fail(QStringLiteral("heredoc never started"));
    return ctx;
}

namespace {

bool shellSafeByte(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           QByteArrayView("_@%+=:,./-").contains(c);
}

bool wordBreak(char c)
{
    return QByteArrayView(" \t\n;&|()<>").contains(c);
}

} // namespace

QStringList checkFixScript(const QByteArray &script, const QStringList &validated)
{
    QStringList problems;
    // No control character but the line break: a carriage return, an escape sequence or a
    // Unicode line separator could hide or end a comment on the engineer's terminal.
    for (qsizetype i = 0; i < script.size(); ++i) {
        const auto u = std::uint8_t(script[i]);
        const bool c1 = u == 0xC2 && i + 1 < script.size() && std::uint8_t(script[i + 1]) >= 0x80 &&
                        std::uint8_t(script[i + 1]) <= 0x9F;
        const bool sep = u == 0xE2 && i + 2 < script.size() && std::uint8_t(script[i + 1]) == 0x80 &&
                         (std::uint8_t(script[i + 2]) == 0xA8 || std::uint8_t(script[i + 2]) == 0xA9);
        if ((u < 0x20 && u != '\n') || u == 0x7F || c1 || sep) {
            const qsizetype from = script.lastIndexOf('\n', i) + 1;
            problems << QStringLiteral("control character 0x%1 in line '%2'")
                            .arg(u, 2, 16, QLatin1Char('0'))
                            .arg(cut(QString::fromUtf8(script.mid(from, 120))));
            break;
        }
    }
    QString lexError;
    const std::vector<ShellContext> ctx = classifyShell(script, &lexError);
    if (!lexError.isEmpty()) problems << QStringLiteral("lexer: ") + lexError;
    QList<QByteArray> allowed;
    for (const QString &v : validated)
        allowed << v.toUtf8();
    // The taint, and the word the hostile suffixes carry after a metacharacter ("x;touch PWNED"):
    // a bare word after an operator is evidence text too.
    for (const QByteArray &taint : {QByteArray(kTaint), QByteArray(kTaint2)})
        for (qsizetype at = script.indexOf(taint); at >= 0; at = script.indexOf(taint, at + 1)) {
            const ShellContext c = ctx[std::size_t(at)];
            bool same = true;
            for (qsizetype j = at; j < at + taint.size(); ++j)
                same = same && ctx[std::size_t(j)] == c;
            const qsizetype lineStart = script.lastIndexOf('\n', at) + 1;
            const QString where = cut(QString::fromUtf8(script.mid(lineStart, 160)));
            if (!same) {
                problems << QStringLiteral("evidence text straddles a quote: '%1'").arg(where);
                continue;
            }
            if (c == ShellContext::Comment || c == ShellContext::HeredocQuoted) continue;
            if (c == ShellContext::DoubleQuoted || c == ShellContext::HeredocUnquoted) {
                problems << QStringLiteral("evidence text in an expanding context: '%1'").arg(where);
                continue;
            }
            // The run of the same context around it: the single-quoted string, or the bare word.
            qsizetype from = at, to = at + taint.size();
            auto inRun = [&](qsizetype j) {
                return ctx[std::size_t(j)] == c && (c != ShellContext::Code || !wordBreak(script[j]));
            };
            while (from > 0 && inRun(from - 1))
                --from;
            while (to < script.size() && inRun(to))
                ++to;
            const QByteArray run = script.mid(from, to - from);
            if (c == ShellContext::Code && !std::all_of(run.begin(), run.end(), shellSafeByte)) {
                problems << QStringLiteral("evidence text unquoted with shell characters: '%1'").arg(where);
                continue;
            }
            // A value the validators accepted covers this occurrence.
            bool covered = false;
            for (const QByteArray &v : allowed) {
                const qsizetype off = v.indexOf(taint);
                if (off < 0) continue;
                for (qsizetype p = run.indexOf(v); p >= 0 && !covered; p = run.indexOf(v, p + 1))
                    covered = from + p <= at && at + taint.size() <= from + p + v.size();
            }
            if (!covered)
                problems << QStringLiteral(
                                "evidence text reached a command without validation: '%1' (in '%2')")
                                .arg(cut(QString::fromUtf8(run)), where);
        }
    return problems;
}

namespace {

const QRegularExpression &interfaceRe()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,14}$"));
    return re;
}

bool addressRoundTrips(const QString &s)
{
    const QByteArray a = s.toLatin1();
    unsigned char buf[16];
    char back[64];
    for (const int af : {AF_INET, AF_INET6})
        if (inet_pton(af, a.constData(), buf) == 1 && inet_ntop(af, buf, back, sizeof back) &&
            QByteArray(back) == a)
            return true;
    return false;
}

} // namespace

QStringList validatedFirewallValues(const std::vector<Facts::FirewallDrop> &drops)
{
    // Re-checked here, independently of fixes.cpp: a table iptables has, a chain name that is no
    // option (not starting with '-'), a rule text of one printable line that is in that chain.
    static const QRegularExpression table(QStringLiteral("^(filter|mangle|raw|security|nat)$"));
    static const QRegularExpression chain(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,28}$"));
    static const QRegularExpression text(
        QStringLiteral("^-A [ !\"#$%&()*+,./0-9:;<=>?@A-Z[\\\\\\]^_`a-z{|}~-]{1,1000}$"));
    // nft: family, table and chain as nft identifiers (the rule text goes into comments only).
    static const QRegularExpression ident(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"));
    static const QRegularExpression family(QStringLiteral("^(ip|ip6|inet)$"));
    QStringList out;
    for (const Facts::FirewallDrop &d : drops)
        if (d.format == QLatin1String("nft") && family.match(d.family).hasMatch() &&
            ident.match(d.table).hasMatch() && ident.match(d.chain).hasMatch())
            out << d.family << d.table << d.chain;
    for (const Facts::FirewallDrop &d : drops)
        if (table.match(d.table).hasMatch() && chain.match(d.chain).hasMatch() &&
            text.match(d.text).hasMatch() && d.text.startsWith(QStringLiteral("-A %1 ").arg(d.chain)))
            out << d.table << d.chain << d.text;
    return out;
}

QStringList validatedTargetValues(const FixTarget &t, const QStringList &sysctlKeys, QStringList *problems)
{
    static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.+@:-]{0,63}$"));
    static const QRegularExpression key(QStringLiteral(
        "^net\\.ipv[46]\\.conf\\.[A-Za-z0-9_][A-Za-z0-9_.+-]{0,14}\\.(disable_xfrm|disable_policy)$"));
    QStringList out;
    auto check = [&](const QString &what, const QString &v, bool ok) {
        if (v.isEmpty() || v.startsWith(QLatin1Char('<'))) return;
        if (!ok && problems)
            *problems << QStringLiteral("fixTarget let through %1 '%2'").arg(what, cut(v, 80));
        if (ok) out << v;
    };
    check(QStringLiteral("connection"), t.connection, name.match(t.connection).hasMatch());
    check(QStringLiteral("child"), t.child, name.match(t.child).hasMatch());
    for (const QString *i : {&t.wanInterface, &t.tunnelInterface})
        check(QStringLiteral("interface"), *i,
              interfaceRe().match(*i).hasMatch() && *i != QLatin1String(".") && *i != QLatin1String(".."));
    for (const QString *a : {&t.localAddress, &t.peerAddress, &t.gateway})
        check(QStringLiteral("address"), *a, addressRoundTrips(*a));
    if (!t.remoteSubnet.isEmpty()) {
        const qsizetype slash = t.remoteSubnet.indexOf(QLatin1Char('/'));
        bool ok = slash > 0;
        const QString addr = t.remoteSubnet.left(slash);
        int prefix = -1;
        if (ok) prefix = QStringView(t.remoteSubnet).sliced(slash + 1).toInt(&ok);
        ok = ok && addressRoundTrips(addr) && prefix >= 0 &&
             prefix <= (addr.contains(QLatin1Char(':')) ? 128 : 32) &&
             QString::number(prefix) == t.remoteSubnet.mid(slash + 1);
        check(QStringLiteral("subnet"), t.remoteSubnet, ok);
    }
    for (const QString &k : sysctlKeys)
        check(QStringLiteral("sysctl key"), k, key.match(k).hasMatch());
    // nft base chains the accepts are inserted into: a family with an IP input hook, table and
    // chain names nft reads as identifiers (never an option, a keyword break or a quote).
    static const QRegularExpression nftFamily(QStringLiteral("^(ip|ip6|inet)$"));
    static const QRegularExpression nftName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"));
    for (const FixTarget::NftChain &c : t.nftInputChains) {
        check(QStringLiteral("nft family"), c.family, nftFamily.match(c.family).hasMatch());
        check(QStringLiteral("nft table"), c.table, nftName.match(c.table).hasMatch());
        check(QStringLiteral("nft chain"), c.chain, nftName.match(c.chain).hasMatch());
    }
    // The host route to the peer rebuilt from a routes listing for the undo: every word of it
    // must need no quoting (addresses, validated names, keywords, numbers).
    static const QRegularExpression safeWord(QStringLiteral("^[A-Za-z0-9_.:/-]+$"));
    for (const QString &w : t.peerHostRouteRestore.split(QLatin1Char(' '), Qt::SkipEmptyParts))
        check(QStringLiteral("word of the host route to restore"), w, safeWord.match(w).hasMatch());
    return out;
}

QString bashSyntaxError(const QByteArray &script)
{
    static const QString bash = QStandardPaths::findExecutable(QStringLiteral("bash"));
    if (bash.isEmpty()) return QStringLiteral("bash not found");
    // From a file: bash reads a script on stdin one byte at a time (a system call each).
    QTemporaryFile file;
    if (!file.open() || file.write(script) != script.size() || !file.flush())
        return QStringLiteral("cannot write a temporary file");
    QProcess p;
    p.start(bash, {QStringLiteral("-n"), file.fileName()});
    p.closeWriteChannel();
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return QStringLiteral("bash -n did not finish");
    }
    if (p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0) return {};
    return QString::fromUtf8(p.readAllStandardError()).trimmed();
}

// ---------------------------------------------------------------- harness

namespace {
const std::vector<QRegularExpression> &fieldPatterns();
} // namespace

struct FixScriptHarness::Lab
{
    QString name;
    Investigation loaded; // both captures, analysed and compared; no evidence
    std::vector<std::pair<QString, QByteArray>> evidence;
};

FixScriptHarness::FixScriptHarness() = default;
FixScriptHarness::~FixScriptHarness() = default;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

bool FixScriptHarness::load(const QString &labRoot, const QStringList &labs, const QString &evidenceRoot,
                            QString *error)
{
    for (const QString &l : labs) {
        auto lab = std::make_unique<Lab>();
        lab->name = l;
        const QString dir = labRoot + QLatin1Char('/') + l;
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        files.captureB = dir + QStringLiteral("/right-outer.pcap");
        if (!diagnoseFiles(files, lab->loaded, error)) return false;
        const QDir stats(dir + QStringLiteral("/stats"));
        for (const QString &f : stats.entryList({QStringLiteral("*.txt")}, QDir::Files, QDir::Name))
            if (!f.startsWith(QLatin1String("tcpdump-")))
                lab->evidence.emplace_back(f, readAll(stats.filePath(f)));
        for (const char *log : {"charon-left.log", "charon-right.log"})
            lab->evidence.emplace_back(QString::fromLatin1(log),
                                       readAll(dir + QLatin1Char('/') + QLatin1String(log)));
        if (lab->evidence.empty()) {
            if (error) *error = dir + QStringLiteral(": no evidence");
            return false;
        }
        m_labs.push_back(std::move(lab));
    }
    // Seeds of the evidence kinds the labs do not have: configurations naming the labs' peers
    // (their names and addresses reach the fixes), sysctl bypass keys, ring sizes, probes.
    m_extra.push_back(
        {0, QStringLiteral("swanctl.conf"),
         "connections {\n    lab {\n        remote_addrs = 10.0.2.1\n        local_addrs = 10.0.1.1\n"
         "        fragmentation = no\n        dpd_delay = 30s\n        children {\n"
         "            net {\n                remote_ts = 10.2.0.0/24\n                replay_window = 32\n"
         "            }\n        }\n    }\n}\n"});
    m_extra.push_back(
        {0, QStringLiteral("ipsec.conf"),
         "conn lab\n\tleft=10.0.1.1\n\tright=10.0.2.1\n\trightsubnet=10.2.0.0/24\n\tfragmentation=no\n"});
    m_extra.push_back(
        {0, QStringLiteral("sysctl.txt"),
         "net.ipv4.conf.all.rp_filter = 2\nnet.ipv4.conf.wan0.disable_policy = 1\n"
         "net.ipv4.conf.wan0.disable_xfrm = 1\nnet.netfilter.nf_conntrack_udp_timeout_stream = 120\n"});
    for (const char *f : {"ethtool-g-eth0.txt", "ethtool-S-eth0.txt", "ethtool-k-eth0.txt", "sysctl.txt",
                          "swanctl-with-secrets.conf", "strongswan-retransmit.conf", "ipsec-conns.conf",
                          "swanctl-list-conns.txt", "hostile/swanctl.conf", "hostile/charon.log"})
        m_extra.push_back({0, QFileInfo(QLatin1String(f)).fileName(),
                           readAll(evidenceRoot + QLatin1Char('/') + QLatin1String(f))});
    // Firewall listings of host A (left) whose DROP rules take the tunnel: their table, chain and
    // rule text reach firewall_drop's iptables fix (the text as grep's pattern, single-quoted).
    m_extra.push_back({0, QStringLiteral("left-iptables-end.txt"),
                       "# Generated by iptables-save v1.8.9\n*filter\n:INPUT ACCEPT [0:0]\n"
                       ":FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:ipsec-in - [0:0]\n"
                       "[7:2800] -A INPUT -s 10.0.2.1/32 -i wan0 -p esp -m comment --comment \"no esp\" "
                       "-j DROP\n"
                       "[3:900] -A INPUT -p udp -m multiport --dports 500,4500 -j ipsec-in\n"
                       "[3:900] -A ipsec-in -s 10.0.2.0/24 -d 10.0.1.1/32 -p udp -m udp --dport 4500 -j "
                       "REJECT --reject-with icmp-port-unreachable\n"
                       "[5:700] -A OUTPUT -d 10.0.2.1/32 -o wan0 -p esp -j DROP\nCOMMIT\n"});
    m_extra.push_back(
        {0, QStringLiteral("left-nft-ruleset-end.txt"),
         "table inet fw { # handle 4\n\tchain input { # handle 1\n"
         "\t\ttype filter hook input priority filter; policy accept;\n"
         "\t\tiifname \"wan0\" ip saddr 10.0.2.1 meta l4proto esp counter packets 7 bytes 2800 "
         "drop comment \"no esp\" # handle 2\n"
         "\t\tip saddr 10.0.2.1 udp dport { 500, 4500 } counter packets 3 bytes 900 drop # handle 3\n"
         "\t}\n}\n"});
    for (const char *f :
         {"firewall/iptables-save-netns.txt", "firewall/ip6tables-save-netns.txt",
          "firewall/nft-ruleset-netns.txt", "firewall/conntrack-S-netns.txt", "firewall/ip-rule-netns.txt"})
        m_extra.push_back({0, QFileInfo(QLatin1String(f)).fileName(),
                           readAll(evidenceRoot + QLatin1Char('/') + QLatin1String(f))});
    m_extra.push_back({0, QStringLiteral("probe.json"),
                       "{\"schema\": \"ikev2wb.probe/1\", \"target\": \"10.0.2.1\", \"proto\": \"icmp\", "
                       "\"verdict\": \"black_hole\", \"path_mtu\": 1313, \"largest_delivered\": 1313, "
                       "\"interface\": \"wan0\"}\n"});
    return true;
}

int FixScriptHarness::labCount() const
{
    return int(m_labs.size());
}

QString FixScriptHarness::labName(int lab) const
{
    return m_labs.at(std::size_t(lab))->name;
}

bool FixScriptHarness::isFirewall(const QString &name)
{
    // Any host's firewall listing (a router's DROP rule gets a fix too).
    return name.contains(QLatin1String("iptables")) || name.contains(QLatin1String("nft"));
}

bool FixScriptHarness::feedsFixes(const QString &name)
{
    // The labs' captures make the left host A: its files name what the fixes use.
    static const QRegularExpression re(QStringLiteral(
        "routes|swanctl|ipsec|strongswan|charon|sysctl|link|ethtool-g|probe|xfrm-state|xfrm-policy"));
    return re.match(name).hasMatch() && !name.startsWith(QLatin1String("right-")) &&
           !name.startsWith(QLatin1String("mid-")) && name != QLatin1String("charon-right.log");
}

std::vector<EvidenceSeed> FixScriptHarness::seeds() const
{
    std::vector<EvidenceSeed> out;
    for (int l = 0; l < labCount(); ++l) {
        for (const auto &[name, text] : m_labs[std::size_t(l)]->evidence)
            out.push_back({l, name, text});
        for (const EvidenceSeed &e : m_extra)
            out.push_back({l, e.name, e.text});
    }
    return out;
}

FixScriptHarness::Result FixScriptHarness::run(const EvidenceSeed &input) const
{
    if (m_labs.empty()) return {};
    const int labIndex = int(std::size_t(input.lab) % m_labs.size());
    const Lab &lab = *m_labs[std::size_t(labIndex)];
    auto base = m_base.find({labIndex, input.name});
    if (base == m_base.end()) {
        EvidenceSet others;
        for (const auto &[name, text] : lab.evidence)
            if (name != input.name) others.addText(name, text, 0);
        base = m_base.emplace(std::pair{labIndex, input.name}, std::move(others)).first;
    }
    EvidenceSet ev = base->second;
    ev.addText(input.name, input.text, 0);
    return diagnose(labIndex, ev, input.name);
}

FixScriptHarness::Result FixScriptHarness::runRenamed(int lab, const QByteArray &from,
                                                      const QByteArray &to) const
{
    if (m_labs.empty() || from.isEmpty()) return {};
    const int labIndex = int(std::size_t(lab) % m_labs.size());
    const Lab &l = *m_labs[std::size_t(labIndex)];
    // The files that do not name `from` are parsed once per (lab, from).
    const QString key = QStringLiteral("renamed:") + QString::fromLatin1(from);
    auto base = m_base.find({labIndex, key});
    if (base == m_base.end()) {
        EvidenceSet others;
        for (const auto &[name, text] : l.evidence)
            if (!text.contains(from)) others.addText(name, text, 0);
        base = m_base.emplace(std::pair{labIndex, key}, std::move(others)).first;
    }
    EvidenceSet ev = base->second;
    auto rename = [&](QByteArray text) { return text.replace(from, to); };
    for (const auto &[name, text] : l.evidence)
        if (text.contains(from)) ev.addText(name, rename(text), 0);
    // A configuration naming the lab's peers: names and selectors come from it too.
    ev.addText(m_extra.front().name, rename(m_extra.front().text), 0);
    ev.addText(QStringLiteral("sysctl.txt"), rename(m_extra[2].text), 0);
    return diagnose(labIndex, ev, QStringLiteral("renamed"));
}

QByteArrayList FixScriptHarness::identities(int lab) const
{
    QByteArrayList out;
    if (m_labs.empty()) return out;
    const Lab &l = *m_labs[std::size_t(lab) % m_labs.size()];
    for (const auto &[name, text] : l.evidence) {
        if (!feedsFixes(name)) continue;
        const QString latin = QString::fromLatin1(text);
        for (const QRegularExpression &re : fieldPatterns())
            for (auto it = re.globalMatch(latin); it.hasNext();) {
                const QByteArray v = it.next().captured(1).toLatin1();
                if (v.size() >= 2 && !out.contains(v)) out << v;
            }
    }
    for (const char *v : {"lab", "net", "wan0", "10.0.2.1", "10.0.1.1", "10.2.0.0/24"})
        if (!out.contains(v)) out << v;
    return out;
}

FixScriptHarness::Result FixScriptHarness::diagnose(int labIndex, const EvidenceSet &ev,
                                                    const QString &input) const
{
    Result r;
    const Lab &lab = *m_labs[std::size_t(labIndex)];
    DiagnosisInput in;
    in.indexA = lab.loaded.index(Host::A).get();
    in.analysisA = lab.loaded.analysis(Host::A).get();
    in.indexB = lab.loaded.index(Host::B).get();
    in.analysisB = lab.loaded.analysis(Host::B).get();
    in.comparison = lab.loaded.comparison().get();
    in.evidence = &ev;
    in.nameA = QStringLiteral("left-outer.pcap");
    in.nameB = QStringLiteral("right-outer.pcap");
    const Facts facts = deriveFacts(in);
    Diagnosis d = runChecklist(facts);
    // The input's name is left out, so that equal scripts are recognised as equal.
    Q_UNUSED(input);
    d.inputs = {lab.name + QStringLiteral("/left-outer.pcap"),
                lab.name + QStringLiteral("/right-outer.pcap")};
    // Every fix generator with this evidence's target as well, whether or not a rule asked for
    // it: the oracles then see each evidence-to-command path (route replace with its saved
    // routes, ethtool -G with its saved size, sysctl keys, nft rules, swanctl snippets) with
    // whatever the mutation planted, on every lab.
    const FixTarget target = fixTarget(facts);
    Finding all;
    all.cause = QStringLiteral("all_generators");
    const auto add = [&all](std::vector<Fix> v) {
        for (Fix &x : v)
            all.fixes.push_back(std::move(x));
    };
    for (const bool routeBased : {false, true})
        for (const bool v6 : {false, true}) {
            FixTarget u = target;
            u.routeBased = routeBased;
            u.outerIpv6 = v6;
            MtuFixParams mp;
            mp.pathMtu = 1400;
            mp.tunnelMtu = 1342;
            mp.mss = 1302;
            mp.mss6 = v6 ? 1282 : 0;
            mp.suiteName = QStringLiteral("AES-CBC + HMAC-SHA256-128");
            mp.pathMtuWhy = facts.peerRouteSource;
            add(mtuFixes(u, mp));
        }
    add(replayWindowFixes(target, 128, 40, 32));
    add(natKeepaliveFixes(target, 20, 30, NatTimeoutBasis::Known));
    PeerUnreachableParams pu;
    pu.outageS = 120;
    pu.dpdAction = facts.dpdAction;
    add(peerUnreachableFixes(target, pu));
    add(ikeRetransmissionFixes(target, 3, retransmitScheduleInUse(facts), lifetimesInUse(facts)));
    for (const EspCarrier c : {EspCarrier::Esp, EspCarrier::UdpEncap, EspCarrier::Ike})
        add(espBlockedFixes(target, c, 1300, 1400));
    IkeFragmentationParams fp;
    fp.configured = facts.fragmentationSetting;
    fp.configKnown = true;
    fp.provenPathMtu = 1200;
    add(ikeFragmentationFixes(target, fp));
    add(ipsecBypassFixes(facts.xfrmBypassedOn));
    add(offloadFixes(target));
    add(receiveDropFixes(target, true, true));
    // firewall_drop's iptables fix for every rule the facts hold, whether or not it ranks first.
    for (const Facts::FirewallDrop &fd : facts.firewallDrops) {
        if (fd.format == QLatin1String("nft") && !fd.hook.isEmpty()) {
            NftChainAcceptParams np;
            np.host = fd.host;
            np.family = fd.family;
            np.table = fd.table;
            np.chain = fd.chain;
            np.hook = fd.hook;
            np.ruleText = fd.text;
            np.esp = fd.esp;
            np.ports = fd.ports;
            add(nftChainAcceptFixes(target, np, nullptr));
        }
        if (fd.format != QLatin1String("iptables-save")) continue;
        FirewallAcceptParams fp2;
        fp2.host = fd.host;
        fp2.ipv6 = fd.family == QLatin1String("ipv6");
        fp2.table = fd.table;
        fp2.chain = fd.chain;
        fp2.ruleText = fd.text;
        fp2.esp = fd.esp;
        fp2.ports = fd.ports;
        add(firewallAcceptFixes(target, fp2, nullptr));
    }
    d.findings.push_back(std::move(all));
    for (const Finding &f : d.findings)
        r.fixes += int(f.fixes.size());
    QStringList allowed = validatedTargetValues(target, facts.xfrmBypassedOn, &r.problems);
    allowed += validatedFirewallValues(facts.firewallDrops);
    r.script = fixScript(d).toUtf8();
    r.problems += checkFixScript(r.script, allowed);
    for (qsizetype at = r.script.indexOf(kTaint); at >= 0; at = r.script.indexOf(kTaint, at + 1)) {
        const qsizetype ls = r.script.lastIndexOf('\n', at) + 1;
        const QByteArray line = r.script.mid(ls, at - ls).trimmed();
        if (!line.startsWith('#')) ++r.taintInCode;
    }
    return r;
}

// ---------------------------------------------------------------- mutators

namespace {

/// What a hostile value may carry after the taint: shell syntax, control and separator
/// characters, heredoc terminators, option-looking and very long text.
const char *const kHostileSuffixes[] = {"",
                                        "$(touch PWNED)",
                                        "`touch PWNED`",
                                        ";touch PWNED",
                                        "&&touch PWNED",
                                        "|touch PWNED",
                                        "'",
                                        "'\\''",
                                        "\"",
                                        "\n",
                                        "\ntouch PWNED\n",
                                        "\r",
                                        "\x1b[2J",
                                        "\t",
                                        " x",
                                        "\\",
                                        "${IFS}x",
                                        "*",
                                        "?",
                                        "~",
                                        "!",
                                        ">PWNED",
                                        "<x",
                                        "(",
                                        ")",
                                        "{",
                                        "}",
                                        "#",
                                        "\xe2\x80\xa8",
                                        "\xc2\x85",
                                        "%1",
                                        "..",
                                        "/x",
                                        ".1",
                                        "@h",
                                        ":x",
                                        "\nIKEV2WB_EOF\n",
                                        "\x7f",
                                        "\xff\xfe"};
const char *const kHostilePrefixes[] = {"",         "",  "",   "-",   "--",   "x",
                                        "10.0.2.1", "'", "$(", "lab", "wan0", "net"};
/// Words of the evidence formats, to move a mutated file between parses.
const char *const kDomainTokens[] = {"dev",
                                     "via",
                                     "mtu",
                                     "lock",
                                     "src",
                                     "proto",
                                     "connections",
                                     "children",
                                     "remote_addrs",
                                     "local_addrs",
                                     "remote_ts",
                                     "=",
                                     "{",
                                     "}",
                                     "disable_policy",
                                     "1",
                                     "0",
                                     "ESTABLISHED",
                                     "INSTALLED",
                                     "wan0",
                                     "10.0.2.1",
                                     "/32",
                                     "default",
                                     ":",
                                     "#",
                                     "\"",
                                     "\n",
                                     "lab:",
                                     "net:",
                                     "<lab|1>",
                                     "fe80::1%eth0",
                                     "0x1fff",
                                     "if_id_out",
                                     "xfrm0",
                                     "vti0"};

bool wordByte(char c)
{
    return !QByteArrayView(" \t\n{}=#\"<>|[],").contains(c);
}

/// Where the values that reach fixes stand in each evidence format (capture group 1 of one of
/// these; searched on the Latin-1 view of the bytes, so offsets are byte offsets).
const std::vector<QRegularExpression> &fieldPatterns()
{
    static const std::vector<QRegularExpression> res = [] {
        std::vector<QRegularExpression> v;
        for (const char *p : {
                 "\\b(?:dev|via|src) (\\S+)",                // ip route / ip link
                 "^\\d+: ([^:\\s@]+)",                       // ip link: "2: wan0:"
                 "^\\s*([^\\s:]+): #\\d+",                   // swanctl --list-sas: "lab: #1", "  net: #1"
                 "<([^|>\\s]+)\\|",                          // charon log: "<lab|1>"
                 "\\bnet\\.ipv[46]\\.conf\\.([^.\\s=]+)\\.", // sysctl keys
                 "^\\s*([A-Za-z0-9_.+-]+)\\s*\\{",           // swanctl.conf section names
                 "\\bconn (\\S+)",                           // ipsec.conf
                 "(?:addrs|_ts|left|right|subnet)\\s*=\\s*(\\S+)", // addresses and selectors
                 "if_id(?:_in|_out)? (\\S+)",                      // xfrm state / policy
                 "\"(?:target|interface|source)\": \"([^\"]*)\"",  // probe JSON
                 "^\\*(\\S+)",                                     // iptables-save table
                 "(?:^|\\] )-A (\\S+)",                            // iptables-save chain
                 "--comment (\"[^\"]*\"|\\S+)",                    // iptables comment
                 " -[sdio] (\\S+)",                                // addresses, interfaces
                 "\\b(?:chain|table \\S+) (\\S+) \\{",             // nft
                 "\\b(?:[io]ifname|comment) (\"[^\"]*\")",         // nft
             })
            v.emplace_back(QString::fromLatin1(p), QRegularExpression::MultilineOption);
        return v;
    }();
    return res;
}

} // namespace

QByteArray hostileValue(Rng &rng)
{
    QByteArray v = QByteArray(rng.chance(70) ? "" : pick(rng, kHostilePrefixes)) + kTaint +
                   (rng.chance(40) ? "" : pick(rng, kHostileSuffixes));
    if (rng.chance(5)) v += QByteArray(int(rng.below(300)), 'a');
    return v;
}

QByteArray mutateEvidence(const QByteArray &seed, Rng &rng)
{
    QByteArray s = seed;
    const int ops = 1 + int(rng.below(4));
    for (int op = 0; op < ops; ++op) {
        const int what = int(rng.below(100));
        const qsizetype pos = s.isEmpty() ? 0 : qsizetype(rng.below(std::uint32_t(s.size())));
        if (what < 45) {
            // A value that feeds a fix (a random one of the fields this format has).
            // One place per distinct value, so that an interface named in every route is as
            // likely as each of the many addresses.
            std::vector<std::pair<qsizetype, qsizetype>> fields;
            QSet<QString> values;
            const QString latin = QString::fromLatin1(s);
            for (const QRegularExpression &re : fieldPatterns())
                for (auto it = re.globalMatch(latin); it.hasNext() && fields.size() < 4096;) {
                    const QRegularExpressionMatch m = it.next();
                    if (values.contains(m.captured(1))) continue;
                    values.insert(m.captured(1));
                    fields.emplace_back(m.capturedStart(1), m.capturedLength(1));
                }
            if (!fields.empty()) {
                const auto [at, len] = fields[rng.below(std::uint32_t(fields.size()))];
                // Often a value the validators accept (it then reaches commands: the quoting is
                // checked), else one with shell syntax, control characters, ... after it.
                const QByteArray value = hostileValue(rng);
                // The same name or address usually stands in several places (a connection in
                // every SA line, an interface in every route): all of them, mostly.
                const QByteArray old = s.mid(at, len);
                if (old.size() >= 3 && rng.chance(75))
                    s.replace(old, value);
                else
                    s.replace(at, len, value);
                continue;
            }
        }
        if (what < 55) {
            // A word (from a random place, extended to its ends) becomes a hostile value.
            qsizetype a = pos, e = pos;
            while (a > 0 && wordByte(s[a - 1]))
                --a;
            while (e < s.size() && wordByte(s[e]))
                ++e;
            QByteArray value = QByteArray(pick(rng, kHostilePrefixes)) + kTaint + pick(rng, kHostileSuffixes);
            if (rng.chance(10)) value += QByteArray(int(rng.below(400)), 'a');
            if (rng.chance(30)) value += kTaint;
            s.replace(a, e - a, value);
        } else if (what < 70) {
            s.insert(pos, QByteArray(pick(rng, kDomainTokens)) + (rng.chance(50) ? " " : ""));
        } else if (what < 78) {
            if (!s.isEmpty()) s[pos] = char(s[pos] ^ char(1 << rng.below(8)));
        } else if (what < 86) {
            s.remove(pos, qsizetype(rng.below(64)));
        } else if (what < 94) {
            // Duplicate a line somewhere else.
            const qsizetype ls = s.lastIndexOf('\n', pos) + 1;
            qsizetype le = s.indexOf('\n', pos);
            if (le < 0) le = s.size();
            const QByteArray line = s.mid(ls, le - ls) + '\n';
            s.insert(s.isEmpty() ? 0 : qsizetype(rng.below(std::uint32_t(s.size()))), line);
        } else {
            s.insert(pos, QByteArray(pick(rng, kHostilePrefixes)) + kTaint + pick(rng, kHostileSuffixes));
        }
        if (s.size() > 256 * 1024) s.truncate(256 * 1024);
    }
    return s;
}

QByteArray mutateText(const QByteArray &seed, Rng &rng)
{
    static const char *const tokens[] = {
        "{",       "}",     "\"", "#",       "=",    "\n",   "\\",        " ",  "secrets", "secret",
        "include", "conn ", "\t", "://u:p@", "\\\"", "\"\n", "{ x = 1 }", "\r", ":",       "secrets {"};
    QByteArray s = seed;
    const int ops = 1 + int(rng.below(4));
    for (int op = 0; op < ops; ++op) {
        const qsizetype pos = s.isEmpty() ? 0 : qsizetype(rng.below(std::uint32_t(s.size())));
        switch (rng.below(5)) {
        case 0:
        case 1:
            s.insert(pos, pick(rng, tokens));
            break;
        case 2:
            s.remove(pos, qsizetype(1 + rng.below(16)));
            break;
        case 3:
            if (!s.isEmpty()) s[pos] = char(rng.below(256));
            break;
        default: {
            const qsizetype ls = s.lastIndexOf('\n', pos) + 1;
            qsizetype le = s.indexOf('\n', pos);
            if (le < 0) le = s.size();
            s.insert(ls, s.mid(ls, le - ls) + '\n');
        }
        }
        if (s.size() > 128 * 1024) s.truncate(128 * 1024);
    }
    return s;
}

} // namespace ikev2wb::fuzz
