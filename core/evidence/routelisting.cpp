#include "routelisting.h"

#include <QRegularExpression>

namespace ikev2wb {

/// "'right.lab.test' @ 10.0.2.1[500]" → "10.0.2.1"
QString swanctlAddress(const QString &s)
{
    const qsizetype at = s.lastIndexOf(QLatin1String("@ "));
    QString a = at >= 0 ? s.mid(at + 2) : s;
    const qsizetype br = a.indexOf(QLatin1Char('['));
    if (br >= 0) a.truncate(br);
    return a.trimmed();
}

/// "30s", "1h", "5m", "90" → seconds; negative if not a duration.
double parseDuration(QString v)
{
    v = v.trimmed().toLower();
    double mult = 1;
    if (v.endsWith(QLatin1Char('s')))
        v.chop(1);
    else if (v.endsWith(QLatin1Char('m')))
        mult = 60, v.chop(1);
    else if (v.endsWith(QLatin1Char('h')))
        mult = 3600, v.chop(1);
    else if (v.endsWith(QLatin1Char('d')))
        mult = 86400, v.chop(1);
    bool ok = false;
    const double d = v.toDouble(&ok);
    return ok ? d * mult : -1;
}

/// IPv4 only: dotted quad → number; false if not one.
bool parseIpv4(const QString &s, std::uint32_t &out)
{
    const QStringList parts = s.split(QLatin1Char('.'));
    if (parts.size() != 4) return false;
    out = 0;
    for (const QString &p : parts) {
        bool ok = false;
        const uint v = p.toUInt(&ok);
        if (!ok || v > 255) return false;
        out = (out << 8) | v;
    }
    return true;
}

bool isIpLiteral(const QString &s)
{
    std::uint32_t v4 = 0;
    if (parseIpv4(s, v4)) return true;
    static const QRegularExpression v6(QStringLiteral("^[0-9A-Fa-f:.]{2,45}\\z"));
    return s.contains(QLatin1Char(':')) && v6.match(s).hasMatch();
}

/// Inner address families of traffic selectors ("10.1.0.0/24, fd00::/64", "10.1.0.0/24 fd00::/64").
void trafficSelectorFamilies(const QString &ts, bool &ipv4, bool &ipv6)
{
    for (const QString &t : ts.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
        if (t.contains(QLatin1Char(':')))
            ipv6 = true;
        else if (t.contains(QLatin1Char('.')))
            ipv4 = true;
    }
}

/// Prefix length of `dest` ("10.0.2.0/24", "10.0.2.1") if it contains `peer`, else -1.
int ipv4PrefixLength(const QString &dest, std::uint32_t peer)
{
    const QString net = dest.section(QLatin1Char('/'), 0, 0);
    // A length that is not a number ("10.0.2.0/x", "10.0.2.0/") is no prefix: toInt() of it
    // was 0, a route to everything that outranked the default route.
    bool ok = true;
    const int len = dest.contains(QLatin1Char('/')) ? dest.section(QLatin1Char('/'), 1, 1).toInt(&ok) : 32;
    std::uint32_t n = 0;
    if (!ok || !parseIpv4(net, n) || len < 0 || len > 32) return -1;
    const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t(0) << (32 - len);
    return (n & mask) == (peer & mask) ? len : -1;
}

/// `ip route` output (not an evidence kind of its own): the most specific route towards
/// `target` in the main table (IPv4), else the default route.
RouteTowards routeTowards(const QString &text, const QString &target)
{
    RouteTowards best, fallback;
    int bestLen = -1;
    const QStringList lines = text.split(QLatin1Char('\n'));
    static const QRegularExpression devRe(QStringLiteral("\\bdev (\\S+)"));
    static const QRegularExpression viaRe(QStringLiteral("\\bvia (\\S+)"));
    static const QRegularExpression mtuRe(QStringLiteral("\\bmtu (?:lock )?(\\d{2,5})\\b"));
    std::uint32_t targetV4 = 0;
    const bool haveTarget = parseIpv4(target, targetV4);
    for (const QString &l : lines) {
        const QRegularExpressionMatch m = devRe.match(l);
        if (!m.hasMatch() || l.startsWith(QLatin1String("local ")) ||
            l.startsWith(QLatin1String("broadcast ")) || l.contains(QLatin1String(" table ")))
            continue;
        RouteTowards r;
        r.dev = m.captured(1);
        r.via = viaRe.match(l).captured(1);
        r.mtu = mtuRe.match(l).captured(1).toInt();
        r.line = l.trimmed();
        const QString dest = l.section(QLatin1Char(' '), 0, 0);
        if (dest == QLatin1String("default")) {
            if (fallback.dev.isEmpty()) fallback = r;
            continue;
        }
        if (!haveTarget) continue;
        const int len = ipv4PrefixLength(dest, targetV4);
        if (len > bestLen) {
            bestLen = len;
            r.hostRoute = len == 32;
            best = r;
        }
    }
    return best.dev.isEmpty() ? fallback : best;
}

QString interfaceFromRoutes(const QString &text, const QString &peer)
{
    return routeTowards(text, peer).dev;
}

/// The host's own addresses in an `ip route show table all` listing ("local A dev ..." lines).
QStringList ownAddresses(const QString &text)
{
    QStringList out;
    for (const QString &l : text.split(QLatin1Char('\n')))
        if (l.startsWith(QLatin1String("local "))) out << l.section(QLatin1Char(' '), 1, 1);
    return out;
}

} // namespace ikev2wb
