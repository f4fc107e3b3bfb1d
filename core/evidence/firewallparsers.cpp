// Firewall and routing-policy state: `iptables-save -c` / `ip6tables-save -c`, `nft [-a] list
// ruleset`, `conntrack -S`. Hostile input: every loop is bounded by the line limits of
// splitEvidenceLines and by the rule and token caps below; nothing here allocates per byte more
// than once.
#include "parsers.h"

#include <QRegularExpression>

#include <algorithm>

namespace ikev2wb {

namespace {

constexpr std::size_t kMaxRules = 200'000;
constexpr int kMaxTokens = 512;

QString str(QByteArrayView v)
{
    return QString::fromUtf8(v.data(), v.size());
}

/// Whitespace-separated words; a double-quoted word ("a b") stays one word with its quotes.
QStringList words(const QString &line)
{
    QStringList out;
    QString cur;
    bool quoted = false;
    for (const QChar c : line) {
        if (c == QLatin1Char('"')) quoted = !quoted;
        if (!quoted && c.isSpace()) {
            if (!cur.isEmpty()) out << cur;
            cur.clear();
            if (out.size() >= kMaxTokens) return out;
        } else {
            cur += c;
        }
    }
    if (!cur.isEmpty()) out << cur;
    return out;
}

/// "500", "4000:4500" (iptables) or "4000-4500" (nft) → a range; false when not one.
bool portRange(const QString &s, std::pair<int, int> &out)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{1,5})(?:[:-](\\d{1,5}))?$"));
    const QRegularExpressionMatch m = re.match(s);
    if (!m.hasMatch()) return false;
    const int a = m.captured(1).toInt();
    const int b = m.captured(2).isEmpty() ? a : m.captured(2).toInt();
    if (a > 65535 || b > 65535 || b < a) return false;
    out = {a, b};
    return true;
}

/// "500,4500,6000:6010" → ranges; false when any part is not a port.
bool portList(const QString &s, std::vector<std::pair<int, int>> &out)
{
    const QStringList parts = s.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parts.isEmpty() || parts.size() > 64) return false;
    for (const QString &p : parts) {
        std::pair<int, int> r;
        if (!portRange(p.trimmed(), r)) return false;
        out.push_back(r);
    }
    return true;
}

// ---------------------------------------------------------------- iptables-save

/// One `-A CHAIN ...` line (counters already removed) into `r`.
void parseIptablesRule(const QStringList &t, FirewallRule &r)
{
    bool neg = false;
    for (qsizetype i = 0; i < t.size(); ++i) {
        const QString &w = t[i];
        const auto next = [&]() -> QString { return i + 1 < t.size() ? t[++i] : QString(); };
        if (w == QLatin1String("!")) {
            neg = true;
            continue;
        }
        const bool n = neg;
        neg = false;
        if (w == QLatin1String("-A") || w == QLatin1String("--append")) {
            r.chain = next();
        } else if (w == QLatin1String("-s") || w == QLatin1String("--source") || w == QLatin1String("-d") ||
                   w == QLatin1String("--destination")) {
            const QString v = next();
            r.negated = r.negated || n;
            (w.startsWith(QLatin1String("-s")) || w == QLatin1String("--source") ? r.src : r.dst)
                << v.split(QLatin1Char(','), Qt::SkipEmptyParts);
        } else if (w == QLatin1String("-p") || w == QLatin1String("--protocol")) {
            r.proto = next().toLower();
            r.negated = r.negated || n;
        } else if (w == QLatin1String("-i") || w == QLatin1String("--in-interface") ||
                   w == QLatin1String("-o") || w == QLatin1String("--out-interface")) {
            (w == QLatin1String("-i") || w == QLatin1String("--in-interface") ? r.inIfaces : r.outIfaces)
                << next();
            r.negated = r.negated || n;
        } else if (w == QLatin1String("-m") || w == QLatin1String("--match")) {
            const QString m = next();
            static const QStringList known{QStringLiteral("comment"), QStringLiteral("udp"),
                                           QStringLiteral("tcp"), QStringLiteral("esp"),
                                           QStringLiteral("multiport")};
            if (!known.contains(m)) r.other << QStringLiteral("-m ") + m;
        } else if (w == QLatin1String("--comment")) {
            next();
        } else if (w == QLatin1String("--dport") || w == QLatin1String("--destination-port") ||
                   w == QLatin1String("--sport") || w == QLatin1String("--source-port")) {
            std::pair<int, int> range;
            const QString v = next();
            if (!portRange(v, range)) {
                r.other << w + QLatin1Char(' ') + v;
                continue;
            }
            r.negated = r.negated || n;
            (w.contains(QLatin1String("d")) && !w.startsWith(QLatin1String("--s")) ? r.dports : r.sports)
                .push_back(range);
        } else if (w == QLatin1String("--dports") || w == QLatin1String("--destination-ports") ||
                   w == QLatin1String("--sports") || w == QLatin1String("--source-ports") ||
                   w == QLatin1String("--ports")) {
            const QString v = next();
            auto &target = w == QLatin1String("--ports")        ? r.ports
                           : w.startsWith(QLatin1String("--d")) ? r.dports
                                                                : r.sports;
            if (!portList(v, target)) r.other << w + QLatin1Char(' ') + v;
            r.negated = r.negated || n;
        } else if (w == QLatin1String("-j") || w == QLatin1String("--jump") || w == QLatin1String("-g") ||
                   w == QLatin1String("--goto")) {
            r.verdict = next().toUpper();
        } else if (w == QLatin1String("--reject-with")) {
            next();
        } else {
            // Anything else (a module's option, -f, ...): a match the diagnosis does not judge.
            r.other << w;
            if (n) r.negated = true;
        }
    }
}

FirewallRuleset parseIptablesSave(const std::vector<QByteArrayView> &lines, const QString &fileName,
                                  ParseStatus &status)
{
    FirewallRuleset out;
    out.format = QStringLiteral("iptables-save");
    QString table;
    bool sawTable = false;
    bool v6 = fileName.contains(QLatin1String("ip6tables"), Qt::CaseInsensitive);
    std::map<std::pair<QString, QString>, int> positions; // (table, chain) → rules seen
    static const QRegularExpression counters(QStringLiteral("^\\[(\\d+):(\\d+)\\]\\s+(.*)$"));
    int lineNo = 0;
    for (const QByteArrayView raw : lines) {
        ++lineNo;
        const QString line = str(raw).trimmed();
        if (line.startsWith(QLatin1String("# Generated by ip6tables-save"))) v6 = true;
        if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) continue;
        if (line.startsWith(QLatin1Char('*'))) {
            table = line.mid(1).trimmed();
            sawTable = true;
            continue;
        }
        if (line.startsWith(QLatin1Char(':'))) {
            // ":INPUT DROP [18:7432]": a built-in chain's policy and what it dropped.
            static const QRegularExpression policy(
                QStringLiteral("^:(\\S+)\\s+(DROP)(?:\\s+\\[(\\d+):(\\d+)\\])?"));
            if (const QRegularExpressionMatch m = policy.match(line);
                m.hasMatch() && out.dropPolicies.size() < kMaxRules) {
                FirewallRuleset::DropPolicy p;
                p.family = v6 ? QStringLiteral("ipv6") : QStringLiteral("ipv4");
                p.table = table;
                p.chain = m.captured(1);
                p.hook = p.chain.toLower();
                bool ok1 = false, ok2 = false;
                p.packets = m.captured(3).toULongLong(&ok1);
                p.bytes = m.captured(4).toULongLong(&ok2);
                p.hasCounters = ok1 && ok2;
                p.line = lineNo;
                out.dropPolicies.push_back(p);
            }
            continue;
        }
        if (line == QLatin1String("COMMIT")) continue;
        FirewallRule r;
        QString rest = line;
        if (const QRegularExpressionMatch m = counters.match(line); m.hasMatch()) {
            bool ok1 = false, ok2 = false;
            r.packets = m.captured(1).toULongLong(&ok1);
            r.bytes = m.captured(2).toULongLong(&ok2);
            r.hasCounters = ok1 && ok2;
            rest = m.captured(3);
        }
        if (!rest.startsWith(QLatin1String("-A "))) {
            status.warn(lineNo, QStringLiteral("not a rule line of iptables-save: skipped"));
            continue;
        }
        if (out.rules.size() >= kMaxRules) {
            status.warnCut(lineNo, QStringLiteral("more than %1 rules: the rest was ignored").arg(kMaxRules));
            break;
        }
        r.family = v6 ? QStringLiteral("ipv6") : QStringLiteral("ipv4");
        r.table = table;
        r.text = rest;
        r.line = lineNo;
        parseIptablesRule(words(rest), r);
        r.position = ++positions[{table, r.chain}];
        out.rules.push_back(std::move(r));
    }
    // No output at all is a host without rules (iptables-nft prints nothing then).
    const bool anyText =
        std::any_of(lines.begin(), lines.end(), [](QByteArrayView l) { return !l.trimmed().isEmpty(); });
    if (!sawTable && anyText && status.ok())
        status.error = QStringLiteral("%1: not iptables-save output (no '*table' line)").arg(fileName);
    return out;
}

// ---------------------------------------------------------------- nft

/// One rule statement of `nft list ruleset` (the handle comment already removed) into `r`.
void parseNftRule(const QStringList &t, FirewallRule &r)
{
    static const QStringList verdicts{
        QStringLiteral("accept"), QStringLiteral("drop"),   QStringLiteral("reject"), QStringLiteral("jump"),
        QStringLiteral("goto"),   QStringLiteral("return"), QStringLiteral("queue")};
    for (qsizetype i = 0; i < t.size(); ++i) {
        const QString &w = t[i];
        const auto at = [&](qsizetype k) { return i + k < t.size() ? t[i + k] : QString(); };
        // A match's value: "X", "!= X", or a set "{ a, b }" joined back into "a,b".
        const auto value = [&](qsizetype from, bool *neg) -> QString {
            qsizetype k = i + from;
            *neg = false;
            if (k < t.size() && t[k] == QLatin1String("!=")) {
                *neg = true;
                ++k;
            }
            if (k < t.size() && t[k] == QLatin1String("==")) ++k;
            if (k < t.size() && t[k] == QLatin1String("{")) {
                QString v;
                for (++k; k < t.size() && t[k] != QLatin1String("}"); ++k)
                    v += t[k];
                i = k;
                return v.remove(QLatin1Char(' '));
            }
            i = k;
            return k < t.size() ? t[k] : QString();
        };
        bool neg = false;
        if (verdicts.contains(w) && r.verdict.isEmpty()) {
            r.verdict = w.toUpper();
            if (w == QLatin1String("reject")) break; // "with icmp type ..." belongs to it
            if (w == QLatin1String("jump") || w == QLatin1String("goto")) ++i;
        } else if (w == QLatin1String("counter")) {
            if (at(1) == QLatin1String("packets") && at(3) == QLatin1String("bytes")) {
                bool ok1 = false, ok2 = false;
                r.packets = at(2).toULongLong(&ok1);
                r.bytes = at(4).toULongLong(&ok2);
                r.hasCounters = ok1 && ok2;
                i += 4;
            }
        } else if ((w == QLatin1String("ip") || w == QLatin1String("ip6")) &&
                   (at(1) == QLatin1String("saddr") || at(1) == QLatin1String("daddr"))) {
            const bool s = at(1) == QLatin1String("saddr");
            const QString v = value(2, &neg);
            (s ? r.src : r.dst) << v.split(QLatin1Char(','), Qt::SkipEmptyParts);
            r.negated = r.negated || neg;
        } else if ((w == QLatin1String("ip") && at(1) == QLatin1String("protocol")) ||
                   (w == QLatin1String("meta") && at(1) == QLatin1String("l4proto")) ||
                   (w == QLatin1String("ip6") && at(1) == QLatin1String("nexthdr"))) {
            const QString v = value(2, &neg);
            r.proto = v.toLower();
            r.negated = r.negated || neg;
            if (v.contains(QLatin1Char(','))) r.other << QStringLiteral("protocol set ") + v;
        } else if ((w == QLatin1String("udp") || w == QLatin1String("tcp") || w == QLatin1String("th")) &&
                   (at(1) == QLatin1String("dport") || at(1) == QLatin1String("sport"))) {
            const bool d = at(1) == QLatin1String("dport");
            if (w != QLatin1String("th") && r.proto.isEmpty()) r.proto = w;
            const QString v = value(2, &neg);
            if (!portList(v, d ? r.dports : r.sports)) r.other << w + QStringLiteral(" port ") + v;
            r.negated = r.negated || neg;
        } else if (w == QLatin1String("iifname") || w == QLatin1String("oifname") ||
                   w == QLatin1String("iif") || w == QLatin1String("oif")) {
            const bool in = w.startsWith(QLatin1Char('i'));
            const QString v = value(1, &neg);
            for (QString name : v.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                if (name.size() >= 2 && name.startsWith(QLatin1Char('"')) && name.endsWith(QLatin1Char('"')))
                    name = name.mid(1, name.size() - 2);
                (in ? r.inIfaces : r.outIfaces) << name;
            }
            // iif / oif name an interface by its index at load time: the same name for this tool.
            r.negated = r.negated || neg;
        } else if (w == QLatin1String("comment")) {
            ++i;
        } else if (w == QLatin1String("log")) {
            // log [prefix "..."] [level X]: no match
            while (at(1) == QLatin1String("prefix") || at(1) == QLatin1String("level") ||
                   at(1) == QLatin1String("group"))
                i += 2;
        } else if (w == QLatin1String("esp") && at(1) == QLatin1String("spi")) {
            r.other << QStringLiteral("esp spi");
            value(2, &neg);
        } else {
            r.other << w;
        }
    }
}

FirewallRuleset parseNftRuleset(const std::vector<QByteArrayView> &lines, const QString &fileName,
                                ParseStatus &status)
{
    FirewallRuleset out;
    out.format = QStringLiteral("nft");
    QString family, table, chain;
    int depth = 0;     // braces open
    int skipDepth = 0; // inside a set/map/flowtable block: its depth, else 0
    bool sawTable = false;
    static const QRegularExpression tableRe(QStringLiteral("^table\\s+(\\S+)\\s+(\\S+)\\s*\\{"));
    static const QRegularExpression chainRe(QStringLiteral("^chain\\s+(\\S+)\\s*\\{"));
    static const QRegularExpression handleRe(QStringLiteral("\\s*#\\s*handle\\s+(\\d{1,18})\\s*$"));
    int lineNo = 0;
    for (const QByteArrayView raw : lines) {
        ++lineNo;
        QString line = str(raw).trimmed();
        if (line.isEmpty()) continue;
        std::int64_t handle = -1;
        if (const QRegularExpressionMatch m = handleRe.match(line); m.hasMatch()) {
            handle = m.captured(1).toLongLong();
            line.truncate(m.capturedStart());
        }
        const int opens = int(line.count(QLatin1Char('{'))), closes = int(line.count(QLatin1Char('}')));
        if (skipDepth) {
            depth += opens - closes;
            if (depth < skipDepth) skipDepth = 0;
            continue;
        }
        if (const QRegularExpressionMatch m = tableRe.match(line); m.hasMatch() && depth == 0) {
            family = m.captured(1);
            table = m.captured(2);
            sawTable = true;
            depth += opens - closes;
            continue;
        }
        if (const QRegularExpressionMatch m = chainRe.match(line); m.hasMatch() && depth == 1) {
            chain = m.captured(1);
            depth += opens - closes;
            continue;
        }
        if (depth == 1 && opens > closes) { // set, map, flowtable, ...: not rules
            depth += opens - closes;
            skipDepth = depth;
            continue;
        }
        if (line == QLatin1String("}")) {
            depth = std::max(0, depth - 1);
            if (depth < 2) chain.clear();
            continue;
        }
        if (depth == 2 && !chain.isEmpty() && line.startsWith(QLatin1String("type ")) &&
            out.baseChains.size() < kMaxRules) {
            // "type filter hook input priority filter; policy drop;" (device / policy optional)
            static const QRegularExpression base(QStringLiteral(
                "^type\\s+\\S+\\s+hook\\s+(\\S+?)(?:\\s+device\\s+\\S+)?\\s+priority\\s+([^;]+?)"
                "\\s*;(?:\\s*policy\\s+(\\w+)\\s*;)?"));
            if (const QRegularExpressionMatch m = base.match(line); m.hasMatch())
                out.baseChains.push_back(
                    {family, table, chain, m.captured(1), m.captured(2), m.captured(3), lineNo});
        }
        if (depth == 2 && !chain.isEmpty() && line.startsWith(QLatin1String("type ")) &&
            out.dropPolicies.size() < kMaxRules) {
            // "type filter hook input priority filter; policy drop;"
            static const QRegularExpression base(
                QStringLiteral("\\bhook\\s+(\\S+?)\\s.*\\bpolicy\\s+drop\\s*;"));
            if (const QRegularExpressionMatch m = base.match(line); m.hasMatch()) {
                FirewallRuleset::DropPolicy p;
                p.family = family;
                p.table = table;
                p.chain = chain;
                p.hook = m.captured(1);
                p.line = lineNo;
                out.dropPolicies.push_back(p);
            }
        }
        if (depth != 2 || chain.isEmpty() || line.startsWith(QLatin1String("type ")) ||
            line.startsWith(QLatin1String("policy ")) || line.startsWith(QLatin1String("comment ")) ||
            line.startsWith(QLatin1String("devices ")))
            continue;
        if (out.rules.size() >= kMaxRules) {
            status.warnCut(lineNo, QStringLiteral("more than %1 rules: the rest was ignored").arg(kMaxRules));
            break;
        }
        FirewallRule r;
        r.family = family;
        r.table = table;
        r.chain = chain;
        r.handle = handle;
        r.line = lineNo;
        r.text = line;
        parseNftRule(words(line), r);
        // the rule's text without its counter values, so that snapshots compare by rule
        static const QRegularExpression counterRe(QStringLiteral("\\s*counter packets \\d+ bytes \\d+"));
        r.text.replace(counterRe, QStringLiteral(" counter"));
        out.rules.push_back(std::move(r));
    }
    if (!sawTable && status.ok())
        status.error =
            QStringLiteral("%1: not nft list ruleset output (no 'table FAMILY NAME {' line)").arg(fileName);
    return out;
}

} // namespace

FirewallRuleset parseFirewall(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    const std::vector<QByteArrayView> lines = splitEvidenceLines(text, fileName, status);
    for (const QByteArrayView l : lines) {
        const QByteArrayView t = l.trimmed();
        if (t.isEmpty() || (t.startsWith('#') && !t.startsWith("# Generated by ip"))) continue;
        if (t.startsWith("table ")) return parseNftRuleset(lines, fileName, status);
        break;
    }
    return parseIptablesSave(lines, fileName, status);
}

ConntrackCounters parseConntrackStats(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    ConntrackCounters out;
    const std::vector<QByteArrayView> lines = splitEvidenceLines(text, fileName, status);
    static const QRegularExpression pair(QStringLiteral("(\\w{1,40})=(\\d{1,20})"));
    bool any = false;
    int lineNo = 0;
    for (const QByteArrayView raw : lines) {
        ++lineNo;
        const QString line = str(raw).trimmed();
        if (line.isEmpty()) continue;
        if (!line.startsWith(QLatin1String("cpu="))) {
            status.warn(lineNo, QStringLiteral("not a conntrack -S line: skipped"));
            continue;
        }
        any = true;
        for (auto it = pair.globalMatch(line); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            if (m.captured(1) == QLatin1String("cpu")) continue;
            bool ok = false;
            const std::uint64_t v = m.captured(2).toULongLong(&ok);
            if (ok) out.counters[m.captured(1)] += v;
        }
    }
    if (!any && status.ok())
        status.error = QStringLiteral("%1: not conntrack -S output (no 'cpu=N ...' line)").arg(fileName);
    return out;
}

} // namespace ikev2wb
