#include "captureindex.h"

#include <arpa/inet.h>

#include <algorithm>
#include <map>

namespace ikev2wb {

QString TunnelScope::text() const
{
    QStringList parts;
    for (const IpAddress &a : ends)
        parts << QString::fromStdString(a.toString());
    return parts.join(QLatin1Char(','));
}

QString TunnelScope::endsText() const
{
    if (ends.size() == 1) return QStringLiteral("with %1").arg(QString::fromStdString(ends[0].toString()));
    if (ends.size() == 2)
        return QStringLiteral("%1 ↔ %2").arg(QString::fromStdString(ends[0].toString()),
                                             QString::fromStdString(ends[1].toString()));
    return {};
}

std::optional<TunnelScope> TunnelScope::parse(const QString &text, QString *error)
{
    const auto fail = [&](const QString &why) -> std::optional<TunnelScope> {
        if (error) *error = why;
        return std::nullopt;
    };
    const QStringList parts = text.split(QLatin1Char(','));
    if (parts.size() > 2)
        return fail(
            QStringLiteral("a tunnel is one or two addresses (ADDR or ADDR,ADDR), not %1").arg(parts.size()));
    TunnelScope scope;
    for (const QString &p : parts) {
        // inet_pton takes exactly one literal: no whitespace, no scope id, no prefix length.
        const QByteArray a = p.toLatin1();
        unsigned char bytes[16];
        if (p.size() > 45 || a != p.toUtf8() || a.contains('\0'))
            return fail(QStringLiteral("'%1' is not an IPv4 or IPv6 address").arg(p.left(60)));
        if (inet_pton(AF_INET, a.constData(), bytes) == 1)
            scope.ends.push_back(IpAddress::fromV4(bytes));
        else if (inet_pton(AF_INET6, a.constData(), bytes) == 1)
            scope.ends.push_back(IpAddress::fromV6(bytes));
        else
            return fail(QStringLiteral("'%1' is not an IPv4 or IPv6 address").arg(p.left(60)));
    }
    if (scope.ends.size() == 2 && scope.ends[0].v6 != scope.ends[1].v6)
        return fail(
            QStringLiteral("the two ends of a tunnel are of one address family: %1").arg(text.left(100)));
    if (scope.ends.size() == 2 && scope.ends[0] == scope.ends[1])
        return fail(QStringLiteral("the two ends of a tunnel are two addresses: %1").arg(text.left(100)));
    return scope;
}

std::vector<TunnelPair> tunnelPairs(const CaptureIndex &index, std::size_t limit, bool *more)
{
    std::map<std::pair<IpAddress, IpAddress>, std::uint64_t> pairs;
    if (more) *more = false;
    for (const Flow &fl : index.flows) {
        if (!fl.carriesIkeOrEsp() || fl.packets == 0) continue;
        const auto key = fl.src < fl.dst ? std::pair{fl.src, fl.dst} : std::pair{fl.dst, fl.src};
        if (pairs.size() >= limit && !pairs.count(key)) {
            if (more) *more = true;
            continue;
        }
        pairs[key] += fl.packets;
    }
    std::vector<TunnelPair> out;
    out.reserve(pairs.size());
    for (const auto &[k, n] : pairs)
        out.push_back({k.first, k.second, n});
    std::stable_sort(out.begin(), out.end(),
                     [](const TunnelPair &x, const TunnelPair &y) { return x.packets > y.packets; });
    return out;
}

} // namespace ikev2wb
