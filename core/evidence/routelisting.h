#pragma once
// Values read out of evidence text that is not an evidence kind of its own: `ip route` listings
// (the route towards an address, the host's own addresses), swanctl's "id @ address[port]"
// endpoints and traffic selectors, strongSwan durations, address literals. Plain parsing: the results are
// evidence text, validated (shellquote.h) before anything uses them in a command.
#include <QString>
#include <QStringList>

#include <cstdint>

namespace ikev2wb {

/// "'right.lab.test' @ 10.0.2.1[500]" → "10.0.2.1"
QString swanctlAddress(const QString &s);

/// "30s", "1h", "5m", "1d", "90" → seconds; negative if not a duration.
double parseDuration(QString v);

/// IPv4 only: dotted quad → number; false if not one.
bool parseIpv4(const QString &s, std::uint32_t &out);

/// An IPv4 dotted quad, or text of IPv6 address characters with a colon (not validated further).
bool isIpLiteral(const QString &s);

/// Inner address families of traffic selectors ("10.1.0.0/24, fd00::/64", "10.1.0.0/24 fd00::/64"):
/// sets `ipv4` / `ipv6` when a selector of that family is listed, never clears them.
void trafficSelectorFamilies(const QString &ts, bool &ipv4, bool &ipv6);

/// Prefix length of `dest` ("10.0.2.0/24", "10.0.2.1") if it contains `peer`, else -1.
int ipv4PrefixLength(const QString &dest, std::uint32_t peer);

/// The route of an `ip route` listing that a packet to `target` takes.
struct RouteTowards
{
    QString dev, via;
    int mtu = 0;            // "mtu N" / "mtu lock N" metric, 0 none
    bool hostRoute = false; // a /32 route to exactly the target
    QString line;
};

/// `ip route` output: the most specific route towards `target` in the main table (IPv4), else
/// the default route.
RouteTowards routeTowards(const QString &text, const QString &target);

/// The interface of routeTowards(text, peer).
QString interfaceFromRoutes(const QString &text, const QString &peer);

/// The host's own addresses in an `ip route show table all` listing ("local A dev ..." lines).
QStringList ownAddresses(const QString &text);

} // namespace ikev2wb
