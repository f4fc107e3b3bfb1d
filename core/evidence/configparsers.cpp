// Parsers for strongSwan configuration (swanctl.conf, strongswan.conf, legacy ipsec.conf) and
// status output (swanctl --list-sas, --list-conns).
#include "parsehelpers.h"
#include "parsers.h"
#include "redact.h"

namespace ikev2wb {

using namespace evidence_detail;

namespace {

constexpr int MaxDepth = 32;
/// Sections and values kept of one file. A hub's configuration of 10,000 connections holds some
/// 100,000; a file of 750,000 made-up connections (64 MB, the most of a file that is read) took
/// 1 GB to hold and 80 s to diagnose.
constexpr int MaxEntries = 500'000;

/// Keys whose values are credentials: never kept, wherever they appear.
bool isSecretKey(const QString &key)
{
    return isCredentialKey(key.toUtf8());
}

/// Removes a '#' comment that is not inside double quotes.
QByteArrayView stripComment(QByteArrayView line)
{
    const qsizetype hash = indexOutsideQuotes(line, '#');
    return hash >= 0 ? line.first(hash) : line;
}

QString unquote(QString v)
{
    if (v.size() >= 2 && v.startsWith(QLatin1Char('"')) && v.endsWith(QLatin1Char('"')))
        return v.mid(1, v.size() - 2);
    return v;
}

ConfigSection *sectionAt(ConfigSection &root, const std::vector<std::size_t> &path)
{
    ConfigSection *s = &root;
    for (std::size_t i : path)
        s = &s->sections[i];
    return s;
}

void flattenInto(std::map<QString, QString> &out, const ConfigSection &s, const QString &prefix)
{
    for (const ConfigValue &v : s.values)
        out[prefix + v.key] = v.value;
    for (const ConfigSection &sub : s.sections)
        flattenInto(out, sub, prefix + sub.name + QLatin1Char('.'));
}

void swanctlConnections(ConfigFile &file)
{
    const ConfigSection *conns = file.root.section(QStringLiteral("connections"));
    if (!conns) return;
    for (const ConfigSection &c : conns->sections) {
        ConfigConnection conn;
        conn.name = c.name;
        conn.line = c.line;
        for (const ConfigValue &v : c.values)
            conn.settings[v.key] = v.value;
        for (const ConfigSection &sub : c.sections) {
            if (sub.name == QLatin1String("children")) {
                for (const ConfigSection &ch : sub.sections) {
                    ConfigChild child;
                    child.name = ch.name;
                    flattenInto(child.settings, ch, QString());
                    conn.children.push_back(child);
                }
            } else {
                flattenInto(conn.settings, sub, sub.name + QLatin1Char('.'));
            }
        }
        file.connections.push_back(conn);
    }
}

} // namespace

ConfigFile parseStrongswanStyleConf(QByteArrayView text, const QString &fileName, EvidenceKind kind,
                                    ParseStatus &status)
{
    ConfigFile out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    std::vector<std::size_t> path; // indices from root to the open section
    int skipDepth = 0;             // > 0 while inside a secrets section or one nested too deep
    int skipLine = 0;
    QString pendingName; // "name" on its own line, "{" on the next
    int pendingLine = 0;
    int recognised = 0;
    int unknown = 0;
    int entries = 0;
    const auto full = [&](int n) {
        if (entries < MaxEntries) return false;
        if (entries++ == MaxEntries)
            status.warnCut(
                n, QStringLiteral("more than %1 sections and values, the rest is ignored").arg(MaxEntries));
        return true;
    };
    for (std::size_t li = 0; li < lines.size(); ++li) {
        const int n = int(li) + 1;
        QByteArrayView rest = stripComment(lines[li]).trimmed();
        while (!rest.isEmpty()) {
            if (rest.startsWith('}')) {
                ++recognised;
                if (skipDepth > 0)
                    --skipDepth;
                else if (!path.empty())
                    path.pop_back();
                else
                    status.warn(n, QStringLiteral("'}' without an open section"));
                rest = rest.sliced(1).trimmed();
                continue;
            }
            if (rest.startsWith('{') && !pendingName.isEmpty()) {
                rest = rest.sliced(1).trimmed();
            } else if (rest == "{") {
                status.warn(n, QStringLiteral("'{' without a section name"));
                ++skipDepth;
                break;
            }
            const qsizetype eq = rest.indexOf('=');
            const qsizetype brace = rest.indexOf('{');
            if (!pendingName.isEmpty() || (brace >= 0 && (eq < 0 || brace < eq))) {
                // Section start: "name {", "name : template {", or a pending "name" + "{".
                QString name = pendingName;
                int line = pendingLine;
                if (name.isEmpty()) {
                    name = str(rest.first(brace).trimmed());
                    line = n;
                    rest = rest.sliced(brace + 1).trimmed();
                }
                pendingName.clear();
                if (const qsizetype colon = name.indexOf(QLatin1Char(':')); colon > 0)
                    name = name.left(colon).trimmed(); // inherited sections are not resolved
                ++recognised;
                const bool secrets =
                    kind == EvidenceKind::SwanctlConf && path.empty() && name == QLatin1String("secrets");
                if (skipDepth > 0 || secrets || int(path.size()) >= MaxDepth || full(n)) {
                    if (secrets) out.secretsPresent = true;
                    if (int(path.size()) >= MaxDepth && skipDepth == 0)
                        status.warnCut(n, QStringLiteral("sections nested deeper than %1 levels are ignored")
                                              .arg(MaxDepth));
                    if (skipDepth == 0) skipLine = n;
                    ++skipDepth;
                    continue;
                }
                ++entries;
                ConfigSection *parent = sectionAt(out.root, path);
                ConfigSection s;
                s.name = name;
                s.line = line;
                parent->sections.push_back(s);
                path.push_back(parent->sections.size() - 1);
                continue;
            }
            if (eq > 0) {
                ++recognised;
                ConfigValue v;
                v.key = str(rest.first(eq).trimmed());
                // As in strongSwan's lexer, a '}' outside quotes ends the value and closes the
                // section ("eap-radius { secret = x }").
                const QByteArrayView after = rest.sliced(eq + 1);
                const qsizetype close = indexOutsideQuotes(after, '}');
                QString value = str((close >= 0 ? after.first(close) : after).trimmed());
                rest = close >= 0 ? after.sliced(close) : QByteArrayView();
                // A quoted value may span lines; what follows its closing quote ("}") still counts.
                if (close < 0 && value.startsWith(QLatin1Char('"')) &&
                    value.count(QLatin1Char('"')) % 2 == 1) {
                    while (li + 1 < lines.size() && value.size() < 64 * 1024) {
                        ++li;
                        const QByteArrayView next = lines[li];
                        const qsizetype quote = next.indexOf('"');
                        if (quote < 0) {
                            value += QLatin1Char('\n') + str(next);
                            continue;
                        }
                        value += QLatin1Char('\n') + str(next.first(quote + 1));
                        const QByteArrayView tail = stripComment(next.sliced(quote + 1)).trimmed();
                        const qsizetype tailClose = tail.indexOf('}');
                        if (tailClose >= 0) rest = tail.sliced(tailClose);
                        break;
                    }
                }
                if (skipDepth > 0 || full(n)) continue;
                ++entries;
                v.value = unquote(value.trimmed());
                v.line = n;
                if (isSecretKey(v.key)) {
                    out.secretsPresent = true;
                    v.value = QStringLiteral("[redacted]");
                }
                sectionAt(out.root, path)->values.push_back(v);
                continue;
            }
            if (rest.startsWith("include ") || rest.startsWith("include\t")) {
                ++recognised;
                out.includes << str(rest.sliced(8).trimmed());
                break;
            }
            const auto w = words(rest);
            if (w.size() == 1 && li + 1 < lines.size() &&
                stripComment(lines[li + 1]).trimmed().startsWith('{')) {
                pendingName = str(w[0]);
                pendingLine = n;
                break;
            }
            ++unknown;
            status.warn(n, QStringLiteral("not 'name {', 'key = value', 'include' or '}'"));
            break;
        }
    }
    if (recognised == 0 && unknown > 0) {
        status.warnings.clear();
        wrongKind(status, fileName, kind, QStringLiteral("'name {' sections and 'key = value' lines"));
        return out;
    }
    if (skipDepth > 0)
        status.warnCut(skipLine,
                       QStringLiteral("the file ends inside the section opened on this line (cut short?)"));
    if (!path.empty())
        status.warnCut(
            sectionAt(out.root, path)->line,
            QStringLiteral(
                "the file ends inside %1 section(s), the innermost opened on this line (cut short?)")
                .arg(path.size()));
    if (kind == EvidenceKind::SwanctlConf) swanctlConnections(out);
    return out;
}

ConfigFile parseIpsecConf(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    ConfigFile out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    ConfigSection *current = nullptr;
    int recognised = 0;
    int unknown = 0;
    int n = 0;
    for (const QByteArrayView raw : lines) {
        ++n;
        const QByteArrayView line = stripComment(raw);
        const QByteArrayView t = line.trimmed();
        if (t.isEmpty()) continue;
        const auto w = words(t);
        if (indentOf(line) == 0) {
            if ((w[0] == "conn" || w[0] == "ca" || w[0] == "config") && w.size() == 2) {
                ++recognised;
                ConfigSection s;
                s.name = str(w[0]) + QLatin1Char(' ') + str(w[1]);
                s.line = n;
                out.root.sections.push_back(s);
                current = &out.root.sections.back();
                continue;
            }
            if (w[0] == "include" && w.size() >= 2) {
                ++recognised;
                out.includes << str(w[1]);
                current = nullptr;
                continue;
            }
            if (w[0] == "version") {
                ++recognised;
                continue;
            }
            ++unknown;
            status.warn(n, QStringLiteral("not 'config setup', 'conn NAME', 'ca NAME' or 'include'"));
            continue;
        }
        const qsizetype eq = t.indexOf('=');
        if (!current || eq <= 0) {
            ++unknown;
            status.warn(n, current ? QStringLiteral("not a 'key=value' line")
                                   : QStringLiteral("setting outside a section"));
            continue;
        }
        ++recognised;
        ConfigValue v;
        v.key = str(t.first(eq).trimmed());
        v.value = unquote(str(t.sliced(eq + 1).trimmed()));
        v.line = n;
        if (isSecretKey(v.key)) {
            out.secretsPresent = true;
            v.value = QStringLiteral("[redacted]");
        }
        current->values.push_back(v);
    }
    if ((recognised == 0 || out.root.sections.empty()) && unknown > 0) {
        status.warnings.clear();
        wrongKind(status, fileName, EvidenceKind::IpsecConf,
                  QStringLiteral("'config setup' or 'conn NAME' sections"));
        return out;
    }
    // conn %default applies to every later conn; `also=` references are noted, not resolved.
    std::map<QString, QString> defaults;
    static const QStringList childKeys = {
        QStringLiteral("esp"),           QStringLiteral("ah"),          QStringLiteral("lifetime"),
        QStringLiteral("keylife"),       QStringLiteral("lifebytes"),   QStringLiteral("lifepackets"),
        QStringLiteral("margintime"),    QStringLiteral("rekeymargin"), QStringLiteral("rekeyfuzz"),
        QStringLiteral("replay_window"), QStringLiteral("type"),        QStringLiteral("leftsubnet"),
        QStringLiteral("rightsubnet"),   QStringLiteral("dpdaction"),   QStringLiteral("closeaction"),
        QStringLiteral("auto"),          QStringLiteral("compress"),    QStringLiteral("mark"),
        QStringLiteral("hw_offload"),    QStringLiteral("reqid")};
    for (const ConfigSection &s : out.root.sections) {
        if (!s.name.startsWith(QLatin1String("conn "))) continue;
        const QString name = s.name.mid(5);
        if (name == QLatin1String("%default")) {
            for (const ConfigValue &v : s.values)
                defaults[v.key] = v.value;
            continue;
        }
        ConfigConnection c;
        c.name = name;
        c.line = s.line;
        c.settings = defaults;
        for (const ConfigValue &v : s.values)
            c.settings[v.key] = v.value;
        ConfigChild child;
        child.name = name;
        for (const auto &[k, v] : c.settings)
            if (childKeys.contains(k)) child.settings[k] = v;
        c.children.push_back(child);
        out.connections.push_back(c);
    }
    return out;
}

SwanctlSaList parseSwanctlListSas(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    SwanctlSaList out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    const QString expected = QStringLiteral("lines like 'NAME: #1, ESTABLISHED, IKEv2, ...'");
    int n = 0;
    for (const QByteArrayView line : lines) {
        ++n;
        const QByteArrayView t = line.trimmed();
        if (t.isEmpty()) continue;
        const auto w = words(t);
        const int indent = indentOf(line);
        const bool saHeader =
            w.size() >= 3 && w[0].endsWith(':') && w[1].startsWith('#') && w[1].endsWith(',');
        if (indent == 0) {
            if (!saHeader) {
                if (out.ikeSas.empty()) {
                    wrongKind(status, fileName, EvidenceKind::SwanctlListSas, expected);
                    return out;
                }
                status.warn(n, QStringLiteral("unexpected unindented line"));
                continue;
            }
            SwanctlIkeSa sa;
            sa.line = n;
            sa.name = str(w[0].chopped(1));
            sa.uniqueId = int(toU64(w[1].sliced(1).chopped(1)).value_or(0));
            sa.state = str(w[2].endsWith(',') ? w[2].chopped(1) : w[2]);
            if (w.size() > 3) sa.version = str(w[3].endsWith(',') ? w[3].chopped(1) : w[3]);
            for (std::size_t i = 4; i < w.size(); ++i) {
                if (w[i].contains("_i"))
                    sa.initiatorSpi = str(w[i].first(w[i].indexOf("_i")));
                else if (w[i].contains("_r"))
                    sa.responderSpi = str(w[i].first(w[i].indexOf("_r")));
            }
            out.ikeSas.push_back(sa);
            continue;
        }
        if (out.ikeSas.empty()) {
            wrongKind(status, fileName, EvidenceKind::SwanctlListSas, expected);
            return out;
        }
        SwanctlIkeSa &sa = out.ikeSas.back();
        if (saHeader && indent <= 4) {
            SwanctlChildSa c;
            c.name = str(w[0].chopped(1));
            c.uniqueId = int(toU64(w[1].sliced(1).chopped(1)).value_or(0));
            const QStringList parts =
                str(t.sliced(t.indexOf(',') + 1)).split(QLatin1Char(','), Qt::SkipEmptyParts);
            for (const QString &p : parts) {
                const QString q = p.trimmed();
                if (q.startsWith(QLatin1String("reqid ")))
                    c.reqid = q.mid(6).toUInt();
                else if (q.contains(QLatin1Char(':')))
                    c.proposal = q;
                else if (q.startsWith(QLatin1String("TUNNEL")) || q.startsWith(QLatin1String("TRANSPORT")) ||
                         q.startsWith(QLatin1String("BEET")) || q.startsWith(QLatin1String("PASS")) ||
                         q.startsWith(QLatin1String("DROP")))
                    c.mode = q;
                else if (c.state.isEmpty())
                    c.state = q;
            }
            sa.children.push_back(c);
            continue;
        }
        if (sa.children.empty()) {
            if (w[0] == "local" && w.size() > 1)
                sa.local = str(t.sliced(5).trimmed());
            else if (w[0] == "remote" && w.size() > 1)
                sa.remote = str(t.sliced(6).trimmed());
            else if (w[0] == "established" || w[0] == "rekeying" || w[0] == "reauth")
                sa.timing = str(t);
            else if (w.size() == 1 && t.contains('/'))
                sa.proposal = str(t);
            continue;
        }
        SwanctlChildSa &c = sa.children.back();
        if ((w[0] == "in" || w[0] == "out") && w.size() >= 2) {
            const std::uint32_t spi =
                std::uint32_t(hexU64(w[1].endsWith(',') ? w[1].chopped(1) : w[1]).value_or(0));
            std::uint64_t bytes = 0;
            std::uint64_t packets = 0;
            for (std::size_t i = 2; i + 1 < w.size(); ++i) {
                if (w[i + 1].startsWith("bytes"))
                    bytes = toU64(w[i]).value_or(0);
                else if (w[i + 1].startsWith("packets"))
                    packets = toU64(w[i]).value_or(0);
            }
            if (w[0] == "in") {
                c.spiIn = spi;
                c.bytesIn = bytes;
                c.packetsIn = packets;
            } else {
                c.spiOut = spi;
                c.bytesOut = bytes;
                c.packetsOut = packets;
            }
        } else if (w[0] == "local" && w.size() > 1) {
            c.localTs = str(t.sliced(5).trimmed());
        } else if (w[0] == "remote" && w.size() > 1) {
            c.remoteTs = str(t.sliced(6).trimmed());
        }
    }
    return out;
}

SwanctlConnList parseSwanctlListConns(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    SwanctlConnList out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    const QString expected = QStringLiteral("lines like 'NAME: IKEv2, ...'");
    static const QStringList modes = {QStringLiteral("TUNNEL"), QStringLiteral("TRANSPORT"),
                                      QStringLiteral("BEET"), QStringLiteral("PASS"), QStringLiteral("DROP")};
    int n = 0;
    for (const QByteArrayView line : lines) {
        ++n;
        const QByteArrayView t = line.trimmed();
        if (t.isEmpty()) continue;
        const auto w = words(t);
        const int indent = indentOf(line);
        if (indent == 0) {
            if (w.size() >= 2 && w[0].endsWith(':') && w[1].startsWith("IKE")) {
                SwanctlConn c;
                c.name = str(w[0].chopped(1));
                c.summary = str(t.sliced(w[0].size()).trimmed());
                out.connections.push_back(c);
                continue;
            }
            if (out.connections.empty()) {
                wrongKind(status, fileName, EvidenceKind::SwanctlListConns, expected);
                return out;
            }
            status.warn(n, QStringLiteral("unexpected unindented line"));
            continue;
        }
        if (out.connections.empty()) {
            wrongKind(status, fileName, EvidenceKind::SwanctlListConns, expected);
            return out;
        }
        SwanctlConn &c = out.connections.back();
        const QString mode = w.size() >= 2 ? str(w[1]).remove(QLatin1Char(',')) : QString();
        if (w[0].endsWith(':') && w[0] != "local:" && w[0] != "remote:" && modes.contains(mode)) {
            SwanctlConn::Child ch;
            ch.name = str(w[0].chopped(1));
            ch.summary = str(t.sliced(w[0].size()).trimmed());
            c.children.push_back(ch);
            continue;
        }
        if (w[0] == "local:" || w[0] == "remote:") {
            const QString value = str(t.sliced(w[0].size()).trimmed());
            const bool local = w[0] == "local:";
            if (!c.children.empty() && indent > 2)
                (local ? c.children.back().localTs : c.children.back().remoteTs) << value;
            else
                (local ? c.localAddrs : c.remoteAddrs) << value;
        }
    }
    return out;
}

} // namespace ikev2wb
