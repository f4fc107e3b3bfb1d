#pragma once
// Values taken from evidence files (configurations, route and link listings, logs) are hostile
// input: a connection name or an interface can hold `$(…)`, backticks, `;` or a newline. Before
// such a value enters a command the tool prints or writes into a fix script it is
//   1. validated by what the consuming program accepts (an interface name by the kernel's rules,
//      an address or subnet parsed by QHostAddress, a connection/child name by a subset of the
//      character set strongSwan's settings lexer takes) — anything else becomes the fix's
//      `<placeholder>` and the diagnosis says why;
//   2. quoted for the shell (shq), even though a validated value never needs it.
// Text that lands in a comment, a title or a heredoc of a generated script is flattened to one
// line of printable characters first (oneLine).
#include <QString>
#include <QStringList>

namespace ikev2wb {

/// POSIX shell quoting: `s` unchanged when it consists only of characters that are never special
/// to the shell ([A-Za-z0-9_@%+=:,./-]), otherwise wrapped in single quotes with each embedded
/// single quote written as '\''. The empty string becomes ''.
QString shq(const QString &s);

/// A network interface name the kernel accepts (1–15 bytes, not "." or "..", no '/', ':' or
/// whitespace — dev_valid_name()) and that we additionally restrict to [A-Za-z0-9_.+-], starting
/// with a letter, digit or '_' (never an option to the command it is passed to), so that it is
/// safe inside shell, nft and iptables quoting alike.
bool isValidInterfaceName(const QString &s);
/// A connection or CHILD_SA name: 1–64 characters of [A-Za-z0-9_.+@:-], starting with a letter
/// or digit (a subset of what strongSwan's settings lexer takes for a section name).
bool isValidConnectionName(const QString &s);
/// The canonical text of an IPv4/IPv6 address (no scope id), or an empty string when `s` is not
/// exactly one address.
QString canonicalAddress(const QString &s);
/// The canonical "address/prefix" of a subnet (a bare address gets /32 or /128), or an empty
/// string when `s` is not exactly one subnet.
QString canonicalSubnet(const QString &s);

/// `s` on one line of printable characters: control characters (newline, CR, tab, ESC, …)
/// become \n, \r, \t or \xNN, and the result is cut to `maxChars` with "…" when longer. For
/// comments, titles and notes quoting untrusted text.
QString oneLine(const QString &s, int maxChars = 200);

} // namespace ikev2wb
