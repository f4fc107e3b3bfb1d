#pragma once
// How the matches of a firewall rule (iptables-save, nft list ruleset: FirewallRule in
// evidencetypes.h) read: address prefixes, port ranges, interface names with iptables' '+' and
// nft's '*' wildcards. Whether a rule takes the tunnel's packets is judged in core/diagnose.
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace ikev2wb {

/// Is `a` inside `prefix` ("10.0.0.0/8", "10.0.2.1", "2001:db8::/32")? 1 yes, 0 no (also when
/// `a` is of the other family), -1 when `prefix` is not one this tool reads (a range, a set name,
/// a hostname): the rule is then not judged.
int inPrefix(const QString &a, const QString &prefix);

/// Does the address list of a rule (empty: any) take `a`? 1 / 0; -1: not judged.
int listTakes(const QStringList &list, const QString &a);

/// Does the rule's port match (inclusive ranges; empty: any) take port `p`?
bool portsTake(const std::vector<std::pair<int, int>> &ranges, int p);

/// Does an interface match of a rule (-i / -o, iifname / oifname; empty: any) take `dev`? A
/// trailing '+' (iptables) or '*' (nft) matches every name it begins; an unknown `dev` none.
bool interfacesTake(const QStringList &names, const QString &dev);

} // namespace ikev2wb
