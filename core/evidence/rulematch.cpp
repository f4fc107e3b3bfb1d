#include "rulematch.h"

#include <algorithm>
#include <arpa/inet.h>

namespace ikev2wb {

/// Is `a` inside `prefix` ("10.0.0.0/8", "10.0.2.1", "2001:db8::/32")? -1 when `prefix` is not
/// one this tool reads (a range, a set name, a hostname): the rule is then not judged.
int inPrefix(const QString &a, const QString &prefix)
{
    unsigned char x[16], p[16];
    const QString net = prefix.section(QLatin1Char('/'), 0, 0);
    const bool v6 = net.contains(QLatin1Char(':'));
    const int family = v6 ? AF_INET6 : AF_INET, bytes = v6 ? 16 : 4;
    if (inet_pton(family, net.toLatin1().constData(), p) != 1) return -1;
    if (inet_pton(family, a.toLatin1().constData(), x) != 1) return 0; // the other family
    bool ok = true;
    const int len =
        prefix.contains(QLatin1Char('/')) ? prefix.section(QLatin1Char('/'), 1, 1).toInt(&ok) : bytes * 8;
    if (!ok || len < 0 || len > bytes * 8) return -1;
    for (int bit = 0; bit < len; ++bit) {
        const unsigned char m = static_cast<unsigned char>(0x80u >> (bit % 8));
        if ((x[bit / 8] & m) != (p[bit / 8] & m)) return 0;
    }
    return 1;
}

/// Does the address list of a rule (empty: any) take `a`? -1: not judged.
int listTakes(const QStringList &list, const QString &a)
{
    if (list.isEmpty()) return 1;
    for (const QString &p : list) {
        const int r = inPrefix(a, p);
        if (r != 0) return r;
    }
    return 0;
}

/// Does the rule's port match (empty: any) take port `p`?
bool portsTake(const std::vector<std::pair<int, int>> &ranges, int p)
{
    return ranges.empty() || std::any_of(ranges.begin(), ranges.end(),
                                         [p](const auto &r) { return p >= r.first && p <= r.second; });
}

/// Does an interface match of a rule (-i / -o, iifname / oifname; empty: any) take `dev`? A
/// trailing '+' (iptables) or '*' (nft) matches every name it begins; an unknown `dev` none.
bool interfacesTake(const QStringList &names, const QString &dev)
{
    if (names.isEmpty()) return true;
    if (dev.isEmpty()) return false;
    return std::any_of(names.begin(), names.end(), [&](const QString &n) {
        if (n.endsWith(QLatin1Char('+')) || n.endsWith(QLatin1Char('*'))) return dev.startsWith(n.chopped(1));
        return n == dev;
    });
}

} // namespace ikev2wb
