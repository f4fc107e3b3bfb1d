#include "redact.h"

#include <QByteArrayView>
#include <QList>
#include <QRegularExpression>
#include <QString>

namespace ikev2wb {

namespace {

const QRegularExpression &longHex()
{
    static const QRegularExpression re(QStringLiteral("0[xX][0-9a-fA-F]{32,}"));
    return re;
}

QByteArray redactLongHex(const QByteArray &line, int &count)
{
    QString s = QString::fromUtf8(line);
    auto it = longHex().globalMatch(s);
    if (!it.hasNext()) return line;
    while (it.hasNext()) {
        it.next();
        ++count;
    }
    s.replace(longHex(), QStringLiteral("[redacted]"));
    return s.toUtf8();
}

bool isSecretKeyName(QByteArrayView key)
{
    const QByteArray k = key.trimmed().toByteArray().toLower();
    return k == "secret" || k == "pin" || k.contains("psk") || k.contains("password") ||
           k.contains("passphrase");
}

QByteArrayView withoutComment(QByteArrayView line)
{
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (line[i] == '#' && !quoted)
            return line.first(i);
    }
    return line;
}

/// "  secret = abc" → "  secret = [redacted]"; returns true if the line was a secret assignment.
/// openQuote is set when the value starts a quoted string that continues on later lines.
bool redactAssignment(QByteArray &line, bool &openQuote)
{
    const QByteArrayView code = withoutComment(line);
    const qsizetype eq = code.indexOf('=');
    if (eq <= 0 || code.first(eq).contains('{')) return false;
    if (!isSecretKeyName(code.first(eq))) return false;
    const QByteArrayView value = code.sliced(eq + 1).trimmed();
    openQuote = value.startsWith('"') && value.count('"') % 2 == 1;
    line = line.first(eq + 1) + " [redacted]";
    return true;
}

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
    QList<QByteArray> lines = text.split('\n');
    QList<QByteArray> out;
    int depth = 0;
    int secretsDepth = -1;       // depth inside the secrets section, -1 when outside
    bool pendingSecrets = false; // "secrets" alone on a line, "{" on the next
    bool inQuote = false;        // continuation of a redacted multi-line quoted value
    for (QByteArray &line : lines) {
        if (inQuote) {
            if (line.contains('"')) inQuote = false;
            continue;
        }
        const QByteArrayView code = withoutComment(line).trimmed();
        const int opens = int(code.count('{'));
        const int closes = int(code.count('}'));
        if (secretsDepth >= 0) {
            depth += opens - closes;
            if (depth < secretsDepth) {
                out << QByteArray("}");
                secretsDepth = -1;
            }
            continue;
        }
        const bool secretsStart =
            depth == 0 && (code.startsWith("secrets") &&
                           (code.sliced(7).trimmed().startsWith('{') ||
                            code.sliced(7).trimmed().startsWith(':') || code.sliced(7).trimmed().isEmpty()));
        if (secretsStart || (pendingSecrets && code.startsWith('{'))) {
            if (opens == 0 && !pendingSecrets) {
                pendingSecrets = true;
                out << line;
                continue;
            }
            pendingSecrets = false;
            out << (code.startsWith('{') ? QByteArray("{") : QByteArray("secrets {"));
            out << QByteArray("    # content removed by ikev2wb collect (credentials)");
            ++n;
            depth += opens - closes;
            if (depth > 0)
                secretsDepth = depth;
            else
                out << QByteArray("}");
            continue;
        }
        pendingSecrets = false;
        depth = std::max(0, depth + opens - closes);
        bool openQuote = false;
        if (redactAssignment(line, openQuote)) {
            ++n;
            inQuote = openQuote;
        }
        out << redactLongHex(line, n);
    }
    if (count) *count += n;
    return out.join('\n');
}

QByteArray redactIpsecConf(const QByteArray &text, int *count)
{
    int n = 0;
    QList<QByteArray> lines = text.split('\n');
    QList<QByteArray> out;
    bool inQuote = false;
    for (QByteArray &line : lines) {
        if (inQuote) {
            if (line.contains('"')) inQuote = false;
            continue;
        }
        bool openQuote = false;
        if (redactAssignment(line, openQuote)) {
            ++n;
            inQuote = openQuote;
        }
        out << redactLongHex(line, n);
    }
    if (count) *count += n;
    return out.join('\n');
}

QByteArray redactCharonLog(const QByteArray &text, int *count)
{
    static const QRegularExpression dump(QStringLiteral("(^|\\s)\\d+: ([0-9A-Fa-f]{2} ){3,}[0-9A-Fa-f]{2}"));
    int n = 0;
    QList<QByteArray> lines = text.split('\n');
    QList<QByteArray> out;
    out.reserve(lines.size());
    for (const QByteArray &line : lines) {
        if (dump.match(QString::fromUtf8(line)).hasMatch()) {
            ++n;
            continue;
        }
        out << redactLongHex(line, n);
    }
    if (count) *count += n;
    return out.join('\n');
}

bool containsKeyLikeHex(const QByteArray &text)
{
    return longHex().match(QString::fromUtf8(text)).hasMatch();
}

} // namespace ikev2wb
