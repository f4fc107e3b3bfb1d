#include "shellquote.h"
#include "util/textformat.h"

#include <arpa/inet.h>

#include <algorithm>

namespace ikev2wb {

namespace {

bool shellSafe(QChar c)
{
    const char16_t u = c.unicode();
    if ((u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')) return true;
    switch (u) {
    case u'_':
    case u'@':
    case u'%':
    case u'+':
    case u'=':
    case u':':
    case u',':
    case u'.':
    case u'/':
    case u'-':
        return true;
    default:
        return false;
    }
}

bool alnum(char16_t u)
{
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9');
}

} // namespace

QString shq(const QString &s)
{
    if (!s.isEmpty() && std::all_of(s.begin(), s.end(), shellSafe)) return s;
    QString out;
    out.reserve(s.size() + 2);
    out += QLatin1Char('\'');
    for (const QChar c : s) {
        if (c == QLatin1Char('\''))
            out += QStringLiteral("'\\''");
        else
            out += c;
    }
    out += QLatin1Char('\'');
    return out;
}

bool isValidInterfaceName(const QString &s)
{
    if (s.isEmpty() || s.size() > 15 || s == QLatin1String(".") || s == QLatin1String("..")) return false;
    // A name starting with '-' reads as an option where a command takes the interface as a
    // positional argument (ethtool -g IFACE); '.' and '+' starts are not used by real interfaces.
    if (!alnum(s.front().unicode()) && s.front() != QLatin1Char('_')) return false;
    return std::all_of(s.begin(), s.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return alnum(u) || u == u'_' || u == u'.' || u == u'+' || u == u'-';
    });
}

bool isValidConnectionName(const QString &s)
{
    if (s.isEmpty() || s.size() > 64 || !alnum(s.front().unicode())) return false;
    return std::all_of(s.begin(), s.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return alnum(u) || u == u'_' || u == u'.' || u == u'+' || u == u'@' || u == u':' || u == u'-';
    });
}

namespace {

/// Parses exactly one address with inet_pton (no whitespace, no scope id); `bytes` gets 4 or 16.
int parseAddress(const QString &s, unsigned char *bytes)
{
    if (s.isEmpty() || s.size() > 45) return 0;
    if (std::any_of(s.begin(), s.end(), [](QChar c) {
            return !(alnum(c.unicode()) || c == QLatin1Char('.') || c == QLatin1Char(':'));
        }))
        return 0;
    const QByteArray a = s.toLatin1();
    if (inet_pton(AF_INET, a.constData(), bytes) == 1) return 4;
    if (inet_pton(AF_INET6, a.constData(), bytes) == 1) return 16;
    return 0;
}

QString addressText(const unsigned char *bytes, int len)
{
    char buf[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(len == 4 ? AF_INET : AF_INET6, bytes, buf, sizeof buf)) return {};
    return QString::fromLatin1(buf);
}

} // namespace

QString canonicalAddress(const QString &s)
{
    unsigned char b[16] = {};
    const int len = parseAddress(s, b);
    return len ? addressText(b, len) : QString();
}

QString canonicalSubnet(const QString &s)
{
    const qsizetype slash = s.indexOf(QLatin1Char('/'));
    unsigned char b[16] = {};
    const int len = parseAddress(slash < 0 ? s : s.left(slash), b);
    if (!len) return {};
    const int maxPrefix = len * 8;
    int prefix = maxPrefix;
    if (slash >= 0) {
        const QString p = s.mid(slash + 1);
        if (p.isEmpty() || p.size() > 3 || std::any_of(p.begin(), p.end(), [](QChar c) {
                return c < QLatin1Char('0') || c > QLatin1Char('9');
            }))
            return {};
        prefix = p.toInt();
        if (prefix > maxPrefix) return {};
    }
    for (int bit = prefix; bit < maxPrefix; ++bit) // the network: host bits cleared
        b[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
    return addressText(b, len) + QLatin1Char('/') + QString::number(prefix);
}

QString oneLine(const QString &s, int maxChars)
{
    QString out;
    out.reserve(std::min<qsizetype>(s.size(), maxChars) + 8);
    for (qsizetype i = 0; i < s.size();) {
        if (out.size() >= maxChars) {
            out += QChar(0x2026);
            break;
        }
        const char16_t u = s[i].unicode();
        // A surrogate pair is one character (a tag character outside the BMP is a control).
        const qsizetype n =
            QChar::isHighSurrogate(u) && i + 1 < s.size() && QChar::isLowSurrogate(s[i + 1].unicode()) ? 2
                                                                                                       : 1;
        if (u == u'\n')
            out += QStringLiteral("\\n");
        else if (u == u'\r')
            out += QStringLiteral("\\r");
        else if (u == u'\t')
            out += QStringLiteral("\\t");
        else
            out += visibleControls(s.mid(i, n), false);
        i += n;
    }
    return out;
}

} // namespace ikev2wb
