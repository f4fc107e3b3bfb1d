#include "csv.h"

namespace ikev2wb {

namespace {
bool isPlainNumber(const QString &v)
{
    qsizetype i = 0;
    if (i < v.size() && (v[i] == QLatin1Char('+') || v[i] == QLatin1Char('-'))) ++i;
    bool digits = false, dot = false;
    for (; i < v.size(); ++i) {
        const QChar c = v[i];
        if (c >= QLatin1Char('0') && c <= QLatin1Char('9')) {
            digits = true;
        } else if (c == QLatin1Char('.') && !dot) {
            dot = true;
        } else {
            return false;
        }
    }
    return digits;
}

bool startsLikeFormula(const QString &v)
{
    if (v.isEmpty()) return false;
    const QChar c = v.front();
    return c == QLatin1Char('=') || c == QLatin1Char('+') || c == QLatin1Char('-') || c == QLatin1Char('@') ||
           c == QLatin1Char('\t') || c == QLatin1Char('\r') || c == QChar(0xFF1D) /* fullwidth = */;
}
} // namespace

QString csvField(const QString &value)
{
    QString v = value;
    if (startsLikeFormula(v) && !isPlainNumber(v)) v.prepend(QLatin1Char('\''));
    const bool quote = v.contains(QLatin1Char(',')) || v.contains(QLatin1Char('"')) ||
                       v.contains(QLatin1Char('\n')) || v.contains(QLatin1Char('\r')) ||
                       v.startsWith(QLatin1Char(' ')) || v.endsWith(QLatin1Char(' '));
    if (!quote) return v;
    v.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + v + QLatin1Char('"');
}

QString csvRow(const QStringList &fields)
{
    QString line;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0) line += QLatin1Char(',');
        line += csvField(fields[i]);
    }
    line += QStringLiteral("\r\n");
    return line;
}

} // namespace ikev2wb
