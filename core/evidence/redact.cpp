#include "redact.h"

#include "parsehelpers.h"

#include <QByteArrayView>
#include <QList>
#include <QRegularExpression>
#include <QSet>
#include <QString>

#include <algorithm>
#include <utility>

namespace ikev2wb {

namespace {

const QRegularExpression &longHex()
{
    static const QRegularExpression re(QStringLiteral("0[xX][0-9a-fA-F]{32,}"));
    return re;
}

QByteArray redactLongHex(const QByteArray &line, int &count)
{
    if (!line.contains("0x") && !line.contains("0X")) return line;
    int n = 0;
    const QString s = redactKeyLikeHex(QString::fromUtf8(line), &n);
    if (n == 0) return line;
    count += n;
    return s.toUtf8();
}

/// "mysql://user:PW@host" → "mysql://user:[redacted]@host", in any URI.
QByteArray redactUriPasswords(const QByteArray &text, int &count)
{
    if (!text.contains("://")) return text;
    static const QRegularExpression uri(
        QStringLiteral("([A-Za-z][A-Za-z0-9+.-]*://[^/\\s:@\"]*):([^@\\s/\"]*)@"));
    QString s = QString::fromUtf8(text);
    int n = 0;
    for (auto it = uri.globalMatch(s); it.hasNext(); it.next())
        ++n;
    if (n == 0) return text;
    count += n;
    s.replace(uri, QStringLiteral("\\1:[redacted]@"));
    return s.toUtf8();
}

} // namespace

bool isCredentialKey(QByteArrayView key)
{
    const QByteArray k = key.trimmed().toByteArray().toLower();
    for (const char *word : {"secret", "psk", "pass", "token", "cookie", "credential", "private"})
        if (k.contains(word)) return true;
    // Whole parts only: "pin" but not "mapping", "key" but not "keyexchange" or "rekey_time".
    qsizetype start = 0;
    for (qsizetype i = 0; i <= k.size(); ++i) {
        if (i < k.size() && std::isalnum(static_cast<unsigned char>(k[i]))) continue;
        const QByteArrayView part = QByteArrayView(k).sliced(start, i - start);
        if (part == "pin" || part == "key" || part == "pw" || part == "pwd") return true;
        start = i + 1;
    }
    return false;
}

namespace {

/// Keys whose values are kept as they are (strongSwan's swanctl.conf, strongswan.conf and
/// ipsec.conf settings that name addresses, algorithms, timers, modes, files or identities).
bool isAllowedKey(QByteArrayView key)
{
    static const QSet<QByteArray> keys = {
        // swanctl.conf connections, local/remote, children, pools, authorities
        "version", "local_addrs", "remote_addrs", "local_port", "remote_port", "proposals", "vips",
        "aggressive", "pull", "dscp", "encap", "mobike", "dpd_delay", "dpd_timeout", "fragmentation",
        "childless", "send_certreq", "send_cert", "ocsp", "keyingtries", "unique", "reauth_time",
        "rekey_time", "over_time", "rand_time", "pools", "if_id_in", "if_id_out", "mediation", "mediated_by",
        "close_action", "start_action", "dpd_action", "round", "certs", "pubkeys", "auth", "id", "eap_id",
        "aaa_id", "xauth_id", "revocation", "cacerts", "ca_id", "groups", "cert_policy", "ah_proposals",
        "esp_proposals", "sha256_96", "local_ts", "remote_ts", "rekey_bytes", "life_bytes", "rand_bytes",
        "rekey_packets", "life_packets", "rand_packets", "updown", "hostaccess", "mode", "policies",
        "policies_fwd_out", "ipcomp", "inactivity", "reqid", "priority", "interface", "mark_in", "mark_in_sa",
        "mark_out", "set_mark_in", "set_mark_out", "label", "label_mode", "tfc_padding", "replay_window",
        "hw_offload", "copy_df", "copy_ecn", "copy_dscp", "life_time", "per_cpu_sas", "addrs", "dns", "nbns",
        "netmask", "subnet", "split_include", "split_exclude", "cacert", "file", "crl_uris", "ocsp_uris",
        "cert_uri_base",
        // strongswan.conf
        "load", "path", "time_format", "ike_name", "append", "flush_line", "default", "identifier",
        "interfaces_use", "interfaces_ignore", "install_routes", "install_virtual_ip", "routing_table",
        "routing_table_prio", "port", "port_nat_t", "charondebug", "address", "auth_port", "acct_port",
        // ipsec.conf
        "left", "right", "leftsubnet", "rightsubnet", "leftid", "rightid", "leftcert", "rightcert",
        "leftauth", "rightauth", "leftauth2", "rightauth2", "leftsourceip", "rightsourceip", "leftprotoport",
        "rightprotoport", "leftfirewall", "rightfirewall", "lefthostaccess", "righthostaccess", "leftupdown",
        "rightupdown", "leftsendcert", "rightsendcert", "leftca", "rightca", "leftgroups", "rightgroups",
        "leftikeport", "rightikeport", "leftallowany", "rightallowany", "leftdns", "rightdns", "auto", "type",
        "keyexchange", "ike", "esp", "ah", "ikelifetime", "lifetime", "keylife", "margintime", "rekeymargin",
        "rekeyfuzz", "rekey", "reauth", "dpdaction", "dpddelay", "dpdtimeout", "closeaction", "compress",
        "forceencaps", "installpolicy", "mark", "also", "authby", "eap_identity", "aaa_identity", "xauth",
        "xauth_identity", "modeconfig", "uniqueids", "strictcrlpolicy", "cachecrls", "ikedscp", "lifebytes",
        "lifepackets", "marginbytes", "marginpackets", "tfc"};
    return keys.contains(key.trimmed().toByteArray().toLower());
}

/// A number (with a unit: 30s, 1.8, 4h, 90%) or a yes/no word: nothing to hide.
bool isPlainValue(QByteArrayView value)
{
    static const QRegularExpression plain(
        QStringLiteral(
            "^(?:[0-9]{1,12}(?:\\.[0-9]{1,6})?[a-z%]{0,2}|yes|no|true|false|on|off|enabled|disabled)$"),
        QRegularExpression::CaseInsensitiveOption);
    QByteArrayView v = value.trimmed();
    if (v.size() >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.sliced(1, v.size() - 2);
    return plain.match(QString::fromUtf8(v.data(), v.size())).hasMatch();
}

/// True if the value itself holds "KEY =" for a credential key: a mangled line such as
/// "auth = eap-radius { secret = PW" is one value to strongSwan, but its text carries a secret
/// (found by fuzz_redact).
bool holdsCredentialSetting(QByteArrayView value)
{
    for (qsizetype eq = value.indexOf('='); eq > 0; eq = value.indexOf('=', eq + 1)) {
        qsizetype end = eq;
        while (end > 0 && (value[end - 1] == ' ' || value[end - 1] == '\t'))
            --end;
        qsizetype start = end;
        while (start > 0 && (std::isalnum(static_cast<unsigned char>(value[start - 1])) ||
                             value[start - 1] == '_' || value[start - 1] == '-' || value[start - 1] == '.'))
            --start;
        if (start < end && isCredentialKey(value.sliced(start, end - start))) return true;
    }
    return false;
}

bool keepValue(QByteArrayView key, QByteArrayView value)
{
    // A value over several lines is a quoted string; left unterminated it runs to the end of the
    // file (strongSwan then rejects the file) and would carry everything after it.
    if (isCredentialKey(key) || value.contains('\n') || holdsCredentialSetting(value)) return false;
    return isAllowedKey(key) || isPlainValue(value);
}

/// The text a value becomes: itself (minus URI passwords and long hex) or "[redacted]" followed
/// by the line breaks it held, so every later line keeps its number.
QByteArray valueText(QByteArrayView key, QByteArrayView value, int &count)
{
    if (value.isEmpty()) return {};
    if (keepValue(key, value)) return redactUriPasswords(redactLongHex(value.toByteArray(), count), count);
    ++count;
    return QByteArray("[redacted]") + QByteArray(value.count('\n'), '\n');
}

/// A comment's text (after '#'): a commented-out "key = value" gets the value rules, a comment
/// that talks about secrets is dropped.
QByteArray commentText(QByteArrayView comment, int &count)
{
    const qsizetype eq = comment.indexOf('=');
    const QByteArrayView key = eq > 0 ? comment.first(eq).trimmed() : QByteArrayView();
    if (!key.isEmpty() && !key.contains(' ') && !key.contains('\t')) {
        const QByteArrayView value = comment.sliced(eq + 1).trimmed();
        if (!value.isEmpty() && !keepValue(key, value)) {
            ++count;
            return comment.first(eq + 1).toByteArray() + " [redacted]";
        }
    } else if (isCredentialKey(comment)) {
        ++count;
        return " [redacted]";
    }
    return redactUriPasswords(redactLongHex(comment.toByteArray(), count), count);
}

/// strongSwan's settings lexer (libstrongswan/settings/settings_lexer.l), rewriting values.
class SettingsRedactor
{
public:
    explicit SettingsRedactor(QByteArrayView text) : m_t(text) {}

    QByteArray run(int &count)
    {
        m_out.reserve(m_t.size());
        while (m_i < m_t.size()) {
            const char c = m_t[m_i];
            if (c == '#') {
                comment();
            } else if (c == '\n') {
                put(m_t.sliced(m_i++, 1));
                // "name" alone on a line may open a section with "{" on the next.
                if (m_names.size() != 1) m_names.clear();
            } else if (c == ' ' || c == '\t' || c == '\r') {
                put(m_t.sliced(m_i++, 1));
            } else if (c == '{') {
                openSection();
            } else if (c == '}') {
                closeSection();
            } else if (c == '=') {
                const QByteArray key = m_names.isEmpty() ? QByteArray() : m_names.last();
                m_names.clear();
                put(m_t.sliced(m_i++, 1));
                value(key);
            } else if (c == '"') {
                quotedInInitialState();
            } else {
                const qsizetype start = m_i;
                while (m_i < m_t.size() && isNameChar(m_t[m_i]))
                    ++m_i;
                m_names << m_t.sliced(start, m_i - start).toByteArray();
                put(m_t.sliced(start, m_i - start));
            }
        }
        count += m_count;
        return m_out;
    }

private:
    static bool isNameChar(char c)
    {
        return c != '#' && c != '{' && c != '}' && c != '=' && c != '"' && c != '\r' && c != '\n' &&
               c != '\t' && c != ' ';
    }
    static bool isSecretsName(QByteArrayView n) { return n == "secrets" || n == "secrets:"; }
    static bool isValueChar(char c) { return c != '{' ? isNameChar(c) || c == '=' : true; }

    /// Inside a dropped `secrets` section only line breaks are written.
    void put(QByteArrayView text)
    {
        if (m_skipLevel < 0)
            m_out += text;
        else
            m_out += QByteArray(text.count('\n'), '\n');
    }

    /// End of the quoted string starting at `from` (after the closing quote, or the end).
    qsizetype stringEnd(qsizetype from) const
    {
        qsizetype j = from + 1;
        while (j < m_t.size()) {
            if (m_t[j] == '\\' && j + 1 < m_t.size()) {
                j += 2;
                continue;
            }
            if (m_t[j] == '"') return j + 1;
            ++j;
        }
        return m_t.size();
    }

    void comment()
    {
        const qsizetype start = m_i + 1;
        while (m_i < m_t.size() && m_t[m_i] != '\n')
            ++m_i;
        put("#");
        const QByteArrayView text = m_t.sliced(start, m_i - start);
        if (m_skipLevel < 0) m_out += commentText(text, m_count);
    }

    void openSection()
    {
        const QByteArrayList names = std::exchange(m_names, {});
        QByteArray name = names.isEmpty() ? QByteArray() : names.first();
        if (name.endsWith(':')) name.chop(1);
        put("{");
        ++m_i;
        m_stack.push_back(name);
        // swanctl's credentials live in the top-level `secrets`; one at any depth (after an
        // unclosed section, say) or behind a stray word is dropped just as well.
        if (m_skipLevel < 0 &&
            (isSecretsName(name) || std::any_of(names.cbegin(), names.cend(), isSecretsName))) {
            m_skipLevel = int(m_stack.size());
            m_secretsAt = m_out.size();
            ++m_count;
        }
    }

    void closeSection()
    {
        m_names.clear();
        if (!m_stack.empty()) m_stack.pop_back();
        if (m_skipLevel >= 0 && int(m_stack.size()) < m_skipLevel) {
            // Say what happened where the section opened, if a line break follows it (a comment
            // on a one-line section would swallow its closing brace).
            if (m_out.indexOf('\n', m_secretsAt) >= 0)
                m_out.insert(m_secretsAt, " # content removed by ikev2wb collect (credentials)");
            m_skipLevel = -1;
        }
        put("}");
        ++m_i;
    }

    /// After '=': the value runs to '#', '}' or the end of the line; quoted parts may hold any of
    /// them and line breaks.
    void value(const QByteArray &key)
    {
        while (m_i < m_t.size() && (m_t[m_i] == ' ' || m_t[m_i] == '\t' || m_t[m_i] == '\r'))
            put(m_t.sliced(m_i++, 1));
        const qsizetype start = m_i;
        qsizetype end = m_i;
        while (m_i < m_t.size()) {
            const char c = m_t[m_i];
            if (c == '#' || c == '}' || c == '\n') break;
            if (c == ' ' || c == '\t' || c == '\r') {
                ++m_i;
                continue;
            }
            if (c == '"') {
                m_i = stringEnd(m_i);
            } else {
                while (m_i < m_t.size() && isValueChar(m_t[m_i]))
                    ++m_i;
            }
            end = m_i;
        }
        const QByteArrayView v = m_t.sliced(start, end - start);
        if (m_skipLevel < 0)
            m_out += valueText(key, v, m_count);
        else
            put(v);
        put(m_t.sliced(end, m_i - end));
    }

    /// strongSwan rejects a string outside a value (except an include pattern); whatever it
    /// holds is not copied.
    void quotedInInitialState()
    {
        const qsizetype end = stringEnd(m_i);
        const QByteArrayView s = m_t.sliced(m_i, end - m_i);
        const bool include = m_names.size() == 1 && m_names.first() == "include";
        m_names.clear();
        m_i = end;
        if (include || m_skipLevel >= 0) {
            put(s);
            return;
        }
        ++m_count;
        m_out += QByteArray("\"[redacted]\"") + QByteArray(s.count('\n'), '\n');
    }

    QByteArrayView m_t;
    qsizetype m_i = 0;
    QByteArray m_out;
    int m_count = 0;
    QByteArrayList m_names; // NAME tokens since the last '{', '}', '=' or line break
    std::vector<QByteArray> m_stack;
    int m_skipLevel = -1; // stack depth of the secrets section being dropped
    qsizetype m_secretsAt = 0;
};

} // namespace

QByteArray redactXfrmState(const QByteArray &text, int *count)
{
    int n = 0;
    QList<QByteArray> lines = text.split('\n');
    for (QByteArray &line : lines) {
        const QByteArray t = line.trimmed();
        const QList<QByteArray> w = t.simplified().split(' ');
        const bool algo = !w.isEmpty() && (w[0] == "auth" || w[0] == "auth-trunc" || w[0] == "enc" ||
                                           w[0] == "aead" || w[0] == "comp");
        if (algo && w.size() >= 3) {
            // "enc cbc(aes) 0xKEY (128 bits)": everything between the name and "(bits)" is key.
            QByteArray out = line.left(line.indexOf(w[0])) + w[0] + ' ' + w[1] + " [redacted]";
            for (qsizetype i = 2; i < w.size(); ++i) {
                if (w[i].startsWith('(')) {
                    for (qsizetype j = i; j < w.size(); ++j)
                        out += ' ' + w[j];
                    break;
                }
            }
            line = out;
            ++n;
        }
        line = redactLongHex(line, n);
    }
    if (count) *count += n;
    return lines.join('\n');
}

QByteArray redactStrongswanConf(const QByteArray &text, int *count)
{
    int n = 0;
    QByteArray out = SettingsRedactor(text).run(n);
    if (count) *count += n;
    return out;
}

QByteArray redactIpsecConf(const QByteArray &text, int *count)
{
    int n = 0;
    QList<QByteArray> lines = text.split('\n');
    bool inQuote = false; // continuation of a redacted quoted value: the lines are left empty
    for (QByteArray &line : lines) {
        if (inQuote) {
            inQuote = !line.contains('"');
            line.clear();
            continue;
        }
        // The comment starts at a '#' outside quotes.
        const qsizetype hash = evidence_detail::indexOutsideQuotes(line, '#');
        QByteArray code = hash >= 0 ? line.first(hash) : line;
        const QByteArray comment =
            hash >= 0 ? commentText(QByteArrayView(line).sliced(hash + 1), n) : QByteArray();
        // A line that starts with '=' has an empty key: its value is redacted all the same
        // (found by tst_fuzz_security: "=\txauth_secret=X" was copied as it was).
        const qsizetype eq = code.indexOf('=');
        if (eq >= 0) {
            const QByteArrayView key = QByteArrayView(code).first(eq).trimmed();
            const QByteArrayView value = QByteArrayView(code).sliced(eq + 1).trimmed();
            if (value.startsWith('"') && value.count('"') % 2 == 1) {
                // A quoted value running over lines: dropped whatever its key.
                ++n;
                inQuote = true;
                line = code.first(eq + 1) + "[redacted]";
                continue;
            }
            const qsizetype at = code.indexOf(value.isEmpty() ? QByteArrayView("\n") : value, eq + 1);
            // strongSwan's starter splits unquoted text at blanks: "authby=x xauth_secret=PW" is
            // not one value of an allowlisted key, so several unquoted words are never kept (found
            // by fuzz_redact).
            const bool severalWords = !value.startsWith('"') && (value.contains(' ') || value.contains('\t'));
            const QByteArray replacement =
                severalWords ? (++n, QByteArray("[redacted]")) : valueText(key, value, n);
            if (at > 0) code = code.first(at) + replacement + code.sliced(at + value.size());
        }
        line = hash >= 0 ? code + '#' + comment : code;
    }
    if (count) *count += n;
    return lines.join('\n');
}

QByteArray redactCharonLog(const QByteArray &text, int *count)
{
    // "13[IKE]    0: 4C 3B 7E ..." down to a last line of a single byte.
    static const QRegularExpression dumpLine(
        QStringLiteral("(^|\\s)\\d+: [0-9A-Fa-f]{2}( [0-9A-Fa-f]{2})*( |$)"));
    // After "Sk_ei secret => 16 bytes @ 0x55d0c0" every "N: XX..." line belongs to the dump.
    static const QRegularExpression dumpHeader(QStringLiteral("=> \\d+ bytes @ "));
    static const QRegularExpression dumpContinuation(QStringLiteral("(^|\\s)\\d+:\\s+[0-9A-Fa-f]{2}"));
    int n = 0;
    const QList<QByteArray> lines = text.split('\n');
    QList<QByteArray> out;
    out.reserve(lines.size());
    bool inDump = false;
    for (const QByteArray &line : lines) {
        const QString s = QString::fromUtf8(line);
        if ((inDump && dumpContinuation.match(s).hasMatch()) || dumpLine.match(s).hasMatch()) {
            ++n;
            continue;
        }
        inDump = dumpHeader.match(s).hasMatch();
        out << redactLongHex(line, n);
    }
    if (count) *count += n;
    return out.join('\n');
}

QString redactKeyLikeHex(const QString &text, int *count)
{
    auto it = longHex().globalMatch(text);
    if (!it.hasNext()) return text;
    int n = 0;
    while (it.hasNext()) {
        it.next();
        ++n;
    }
    if (count) *count += n;
    QString s = text;
    s.replace(longHex(), QStringLiteral("[redacted]"));
    return s;
}

bool containsKeyLikeHex(const QByteArray &text)
{
    return longHex().match(QString::fromUtf8(text)).hasMatch();
}

} // namespace ikev2wb
