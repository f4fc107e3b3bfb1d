#include "captureindex.h"

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
        // Latin-1 only: a character beyond it would be read as '?' and could not be a literal.
        const QByteArray a = p.toLatin1();
        const auto end = a == p.toUtf8()
                             ? IpAddress::parse(std::string_view(a.constData(), std::size_t(a.size())))
                             : std::nullopt;
        if (!end) return fail(QStringLiteral("'%1' is not an IPv4 or IPv6 address").arg(p.left(60)));
        scope.ends.push_back(*end);
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
