#include "fixes.h"

#include "facts.h"
#include "shellquote.h"

#include <QRegularExpression>

#include <cmath>

namespace ikev2wb {

namespace {

Fix make(FixKind kind, QString title, QString text, QString changes, QString tradeoff, QString verify,
         QString undo)
{
    return Fix{kind,
               std::move(title),
               std::move(text),
               std::move(changes),
               std::move(tradeoff),
               std::move(verify),
               std::move(undo)};
}

QString num(double v)
{
    return QString::number(v, 'g', 6);
}

/// strongswan.conf style decimals: 4.0, 1.8
QString dec(double v)
{
    return QString::number(v, 'f', 1);
}

/// swanctl.conf nesting: connections { CONN { conn lines; children { CHILD { child lines } } } }
/// connections { CONNECTION { connLines children { CHILD { lines } ... } } } with each child's
/// lines under its name (children without lines are left out).
QString swanctlChildrenSnippet(const FixTarget &t, const QStringList &connLines,
                               const std::vector<std::pair<QString, QStringList>> &children)
{
    QString s = QStringLiteral("connections {\n    %1 {\n").arg(t.connection);
    for (const QString &l : connLines)
        s += QStringLiteral("        ") + l + QLatin1Char('\n');
    QString inner;
    for (const auto &[name, lines] : children) {
        if (lines.isEmpty()) continue;
        inner += QStringLiteral("            %1 {\n").arg(name);
        for (const QString &l : lines)
            inner += QStringLiteral("                ") + l + QLatin1Char('\n');
        inner += QStringLiteral("            }\n");
    }
    if (!inner.isEmpty()) s += QStringLiteral("        children {\n") + inner + QStringLiteral("        }\n");
    s += QStringLiteral("    }\n}\n");
    return s;
}

QString swanctlSnippet(const FixTarget &t, const QStringList &connLines, const QStringList &childLines)
{
    return swanctlChildrenSnippet(t, connLines, {{t.child, childLines}});
}

QString ipsecConfSnippet(const FixTarget &t, const QStringList &lines)
{
    QString s = QStringLiteral("conn %1\n").arg(t.connection);
    for (const QString &l : lines)
        s += QStringLiteral("    ") + l + QLatin1Char('\n');
    return s;
}

QString charonSnippet(const QStringList &lines)
{
    QString s = QStringLiteral("charon {\n");
    for (const QString &l : lines)
        s += QStringLiteral("    ") + l + QLatin1Char('\n');
    s += QStringLiteral("}\n");
    return s;
}

/// A pasteable undo: the commands, then why as a `#` comment on the same line (just the comment
/// when there is nothing to run). The comment gets no line break, so it never becomes a command.
QString undoLine(const QString &commands, const QString &why)
{
    const QString note = QStringLiteral("# ") + oneLine(why, 100000);
    return commands.isEmpty() ? note : commands + QStringLiteral("  ") + note;
}

/// The commands of reloadSwanctl, for an undo.
QString reloadSwanctlCommands(const FixTarget &t)
{
    return QStringLiteral(
               "swanctl --load-conns && swanctl --terminate --ike %1 && swanctl --initiate --child %2")
        .arg(shq(t.connection), shq(t.child));
}

/// The commands of reloadIpsecConf, for an undo.
QString reloadIpsecConfCommands(const FixTarget &t)
{
    return QStringLiteral("ipsec update && ipsec down %1 && ipsec up %1").arg(shq(t.connection));
}

QString reloadSwanctl(const FixTarget &t)
{
    return QStringLiteral(
               "swanctl --load-conns, then re-establish the SA so the new value is used: "
               "swanctl --terminate --ike %1 && swanctl --initiate --child %2 (a short interruption)")
        .arg(shq(t.connection), shq(t.child));
}

QString reloadIpsecConf(const FixTarget &t)
{
    return QStringLiteral("ipsec update, then ipsec down %1 && ipsec up %1 (a short interruption)")
        .arg(shq(t.connection));
}

} // namespace

QString restorableRoute(const QString &line, const QString &peer, QString *why)
{
    const auto fail = [why](const QString &w) {
        if (why) *why = w;
        return QString();
    };
    const QString want = canonicalAddress(peer);
    if (want.isEmpty()) return fail(QStringLiteral("the peer address is not known"));
    const QStringList tok = line.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (tok.size() > 64) return fail(QStringLiteral("is too long"));
    static const QRegularExpression word(QStringLiteral("^[A-Za-z0-9_]{1,32}\\z"));
    static const QRegularExpression value(QStringLiteral("^[A-Za-z0-9_.]{1,32}\\z"));
    static const QRegularExpression number(QStringLiteral("^[0-9]{1,10}\\z"));
    static const QStringList types{QStringLiteral("unicast"), QStringLiteral("unreachable"),
                                   QStringLiteral("blackhole"), QStringLiteral("prohibit"),
                                   QStringLiteral("throw")};
    static const QStringList metrics{QStringLiteral("mtu"),      QStringLiteral("advmss"),
                                     QStringLiteral("window"),   QStringLiteral("rtt"),
                                     QStringLiteral("rttvar"),   QStringLiteral("rto_min"),
                                     QStringLiteral("ssthresh"), QStringLiteral("cwnd"),
                                     QStringLiteral("initcwnd"), QStringLiteral("initrwnd"),
                                     QStringLiteral("hoplimit"), QStringLiteral("reordering"),
                                     QStringLiteral("features"), QStringLiteral("quickack"),
                                     QStringLiteral("congctl"),  QStringLiteral("fastopen_no_cookie")};
    // Printed by iproute2 from the kernel's state, refused as input.
    static const QStringList outputOnly{QStringLiteral("linkdown"),
                                        QStringLiteral("dead"),
                                        QStringLiteral("offload"),
                                        QStringLiteral("trap"),
                                        QStringLiteral("rt_offload"),
                                        QStringLiteral("rt_trap"),
                                        QStringLiteral("rt_offload_failed"),
                                        QStringLiteral("pervasive"),
                                        QStringLiteral("notify")};
    QStringList out;
    qsizetype i = 0;
    if (i < tok.size() && types.contains(tok[i])) out << tok[i++];
    if (i >= tok.size()) return fail(QStringLiteral("names no destination"));
    QString dest = tok[i++];
    if (dest.endsWith(QLatin1String("/32")) || dest.endsWith(QLatin1String("/128")))
        dest = dest.section(QLatin1Char('/'), 0, 0);
    if (canonicalAddress(dest) != want) return fail(QStringLiteral("is not a host route to %1").arg(want));
    out << want;
    const auto arg = [&]() -> QString { return i < tok.size() ? tok[i++] : QString(); };
    while (i < tok.size()) {
        const QString key = tok[i++];
        if (key == QLatin1String("via") || key == QLatin1String("src")) {
            QString a = arg();
            QStringList pre;
            if (key == QLatin1String("via") && (a == QLatin1String("inet") || a == QLatin1String("inet6"))) {
                pre << a;
                a = arg();
            }
            const QString c = canonicalAddress(a);
            if (c.isEmpty())
                return fail(QStringLiteral("has '%1 %2', not an address").arg(key, oneLine(a, 60)));
            out << key << pre << c;
        } else if (key == QLatin1String("dev")) {
            const QString d = arg();
            if (!isValidInterfaceName(d))
                return fail(QStringLiteral("has 'dev %1', not an interface name this tool passes on")
                                .arg(oneLine(d, 60)));
            out << key << d;
        } else if (key == QLatin1String("proto") || key == QLatin1String("scope") ||
                   key == QLatin1String("tos") || key == QLatin1String("dsfield") ||
                   key == QLatin1String("pref")) {
            const QString v = arg();
            if (!word.match(v).hasMatch())
                return fail(QStringLiteral("has '%1 %2'").arg(key, oneLine(v, 60)));
            out << key << v;
        } else if (key == QLatin1String("metric") || key == QLatin1String("priority") ||
                   key == QLatin1String("preference")) {
            const QString v = arg();
            if (!number.match(v).hasMatch())
                return fail(QStringLiteral("has '%1 %2'").arg(key, oneLine(v, 60)));
            out << key << v;
        } else if (metrics.contains(key)) {
            out << key;
            QString v = arg();
            if (v == QLatin1String("lock")) {
                out << v;
                v = arg();
            }
            if (!value.match(v).hasMatch())
                return fail(QStringLiteral("has '%1 %2'").arg(key, oneLine(v, 60)));
            out << v;
        } else if (key == QLatin1String("onlink")) {
            out << key;
        } else if (key == QLatin1String("expires")) {
            ++i; // a lifetime the kernel counts down: the restored route is permanent
        } else if (!outputOnly.contains(key)) {
            return fail(
                QStringLiteral("holds '%1', which this tool does not put back").arg(oneLine(key, 60)));
        }
    }
    QStringList quoted;
    for (const QString &t : out)
        quoted << shq(t);
    const bool v6 = want.contains(QLatin1Char(':'));
    return QStringLiteral("%1 route replace %2")
        .arg(v6 ? QStringLiteral("ip -6") : QStringLiteral("ip"), quoted.join(QLatin1Char(' ')));
}

FixTarget fixTarget(const Facts &f)
{
    FixTarget t;
    const auto reject = [&t](const QString &what, const QString &value, const QString &why,
                             const QString &placeholder) {
        t.rejected << QStringLiteral("%1 '%2' from the evidence %3: left as %4")
                          .arg(what, oneLine(value, 60), why, placeholder);
    };
    const auto name = [&](const QString &value, QString *field, const QString &what) {
        if (value.isEmpty()) return;
        if (isValidConnectionName(value))
            *field = value;
        else
            reject(what, value,
                   QStringLiteral("is not a name this tool passes to swanctl ([A-Za-z0-9_.+@:-])"), *field);
    };
    const auto address = [&](const QString &value, QString *field, const QString &what) {
        if (value.isEmpty()) return;
        const QString a = canonicalAddress(value);
        if (!a.isEmpty())
            *field = a;
        else
            reject(what, value, QStringLiteral("is not one IPv4 or IPv6 address"), *field);
    };
    const auto interface = [&](const QString &value, QString *field, const QString &what) {
        if (value.isEmpty()) return;
        if (isValidInterfaceName(value))
            *field = value;
        else
            reject(
                what, value,
                QStringLiteral("is not an interface name (1-15 characters of [A-Za-z0-9_.+-], not starting "
                               "with . + or -)"),
                *field);
    };
    name(f.connection, &t.connection, QStringLiteral("connection name"));
    name(f.child, &t.child, QStringLiteral("CHILD_SA name"));
    interface(f.wanInterface, &t.wanInterface, QStringLiteral("interface name"));
    address(f.localAddress, &t.localAddress, QStringLiteral("local address"));
    // The peer as this host sees it (its capture's remote end: behind a NAT the NAT's address),
    // which is what its packets carry and its routes lead to; else the peer's own address.
    address(f.peerSeenHere.isEmpty() ? f.peerAddress : f.peerSeenHere, &t.peerAddress,
            QStringLiteral("peer address"));
    if (!f.remoteSubnet.isEmpty()) {
        t.remoteSubnet = canonicalSubnet(f.remoteSubnet);
        if (t.remoteSubnet.isEmpty())
            reject(QStringLiteral("remote subnet"), f.remoteSubnet,
                   QStringLiteral("is not one subnet (CIDR)"),
                   QStringLiteral(
                       "no subnet match (the nft clamp takes the tunnel's packets by their IPsec state)"));
    }
    t.interfaceMtu = f.interfaceMtu;
    t.ipsecConf = f.ipsecConfStyle;
    t.routeBased = f.routeBased;
    interface(f.tunnelInterface, &t.tunnelInterface, QStringLiteral("tunnel interface name"));
    if (f.routeBased) t.interfaceMtu = f.tunnelInterfaceMtu;
    if (f.peerRouteKnown) {
        if (f.wanGateway.isEmpty())
            t.gateway.clear(); // directly connected
        else
            address(f.wanGateway, &t.gateway, QStringLiteral("gateway"));
    }
    t.peerHostRoute = f.peerHostRoute;
    t.peerRouteSource = f.peerRouteSource;
    if (f.peerHostRoute && !t.peerAddress.startsWith(QLatin1Char('<'))) {
        QString why;
        t.peerHostRouteRestore = restorableRoute(f.peerHostRouteLine, t.peerAddress, &why);
        if (t.peerHostRouteRestore.isEmpty())
            reject(QStringLiteral("host route"), f.peerHostRouteLine, why,
                   QStringLiteral("the route saved when the fix runs as the only record"));
    }
    t.outerIpv6 = f.outerIpv6;
    t.replayReceiver = f.replayReceiver;
    t.nftKnown = f.nftKnown;
    t.nftSource = f.nftSource;
    for (const FirewallRuleset::BaseChain &c : f.nftInputChains) {
        // nft identifiers, never an option or a keyword break: [A-Za-z_][A-Za-z0-9_.-]*
        static const QRegularExpression ident(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]{0,63}\\z"));
        static const QRegularExpression family(QStringLiteral("^(ip|ip6|inet)\\z"));
        if (!family.match(c.family).hasMatch()) continue; // arp, bridge, netdev: no IP input hook
        if (ident.match(c.table).hasMatch() && ident.match(c.chain).hasMatch())
            t.nftInputChains.push_back({c.family, c.table, c.chain});
        else {
            ++t.nftChainsRefused;
            reject(QStringLiteral("nft chain"), QStringLiteral("%1 %2 %3").arg(c.family, c.table, c.chain),
                   QStringLiteral("is not a table and chain name this tool passes to nft"),
                   QStringLiteral("out of the commands (its accept rules must be added by hand)"));
        }
    }
    return t;
}

FixTarget fixTargetAtPeer(const Facts &f)
{
    Facts g = f;
    g.localAddress = f.peerAddress;
    // This end as the peer sees it: behind a NAT the peer sends to the NAT's address, not to this
    // end's own. Unknown (its capture shows neither) stays a placeholder.
    g.peerAddress = !f.localSeenThere.isEmpty() ? f.localSeenThere
                    : f.localSeenAtPeer         ? f.localAddress
                                                : QString();
    g.peerSeenHere.clear();
    g.localSeenThere.clear();
    g.nftKnown = false;
    g.nftSource.clear();
    g.nftInputChains.clear();
    g.wanInterface = f.peerSideRoute.dev;
    g.interfaceMtu = f.peerSideRoute.devMtu;
    g.peerRouteKnown = f.peerSideRoute.known;
    g.wanGateway = f.peerSideRoute.via;
    g.peerHostRoute = f.peerSideRoute.hostRoute;
    g.peerHostRouteLine = f.peerSideRoute.hostRouteLine;
    g.peerRouteSource = f.peerSideRoute.source;
    g.tunnelInterface.clear();
    g.tunnelInterfaceMtu = 0;
    FixTarget t = fixTarget(g);
    t.host = QStringLiteral("the peer %1").arg(t.localAddress);
    t.hostsOwn = QStringLiteral("the peer's");
    return t;
}

QStringList placeholders(const FixTarget &t)
{
    QStringList out;
    for (const QString *s :
         {&t.connection, &t.child, &t.wanInterface, &t.localAddress, &t.peerAddress, &t.gateway})
        if (s->startsWith(QLatin1Char('<'))) out << *s;
    // A policy-based tunnel has no tunnel interface: its placeholder is in no fix.
    if (t.routeBased && t.tunnelInterface.startsWith(QLatin1Char('<'))) out << t.tunnelInterface;
    return out;
}

namespace {

/// What a fix saves before it changes something: a number (sysctl value, ring size), or the
/// `ip route` lines of a destination, written as `route replace …` commands for `ip -batch`.
/// `Words`: `NAME on|off` lines (ethtool -k features), put back word by word.
enum class Saved : std::uint8_t { Number, Routes, Words };

const QString kSavedDir = QStringLiteral("/var/lib/ikev2wb");

QString savedFile(const QString &name)
{
    return kSavedDir + QStringLiteral("/saved-") + name;
}

QString saveOnce(const QString &name, const QString &command, Saved kind = Saved::Number)
{
    // Root-only folder and file; the first run keeps the value from before any change, later
    // runs do not overwrite it. A value of an unexpected form changes nothing.
    // The name holds a validated interface or address: single-quoted all the same (shq).
    const QString check =
        kind == Saved::Number
            ? QStringLiteral("    case \"$old\" in ''|*[!0-9]*) echo %1 >&2; exit 1 ;; esac\n")
                  .arg(shq(QStringLiteral("cannot read the current value (%1): nothing changed").arg(name)))
        : kind == Saved::Words
            ? QStringLiteral("    case \"$old\" in ''|*[!a-z0-9\\ $'\\n'-]*) echo %1 >&2; exit 1 ;; esac\n")
                  .arg(
                      shq(QStringLiteral("cannot read the current settings (%1): nothing changed").arg(name)))
            // Whole lines of addresses, names and numbers (several routes: several lines); a
            // multipath route (ip -o joins its nexthops with a backslash) or anything else is refused.
            : QStringLiteral(
                  "    case \"$old\" in *[!A-Za-z0-9_.:/\\ $'\\n'-]*) echo %1 >&2; exit 1 ;; esac\n")
                  .arg(shq(QStringLiteral("the current route (%1) is not one this script can put back "
                                          "(multipath?): nothing changed")
                               .arg(name)));
    return QStringLiteral("if [ ! -e %1 ]; then\n"
                          "    old=$(%2)\n"
                          "%3"
                          "    install -d -m 0700 %4\n"
                          "    (umask 077 && { [ -z \"$old\" ] || printf '%s\\n' \"$old\"; } > %1)\n"
                          "fi\n")
        .arg(shq(savedFile(name)), command, check, kSavedDir);
}

QString savedValue(const QString &name)
{
    return QStringLiteral("\"$(cat %1)\"").arg(shq(savedFile(name)));
}

/// Sets the sysctl `name` to twice the value saveOnce kept from before the fix, never lowering it:
/// running the fix again gives the same value, not four times it.
QString doubleSaved(const QString &name)
{
    return QStringLiteral("saved=$(cat %2)\n"
                          "case \"$saved\" in ''|*[!0-9]*) echo %3 >&2; exit 1 ;; esac\n"
                          "new=$((2 * saved))\n"
                          "if [ \"$(sysctl -n %1)\" -lt \"$new\" ]; then sysctl -w %1=\"$new\"; fi\n")
        .arg(name, shq(savedFile(name)),
             shq(QStringLiteral("the value saved before the change (%1) is not a number: nothing changed")
                     .arg(name)));
}

QString forgetSaved(const QString &name)
{
    return QStringLiteral("rm %1").arg(shq(savedFile(name)));
}

} // namespace

namespace {

/// An iptables rule added only when `-C` does not find it already, so that running the fix twice
/// adds it once and its `-D` undo removes it completely. `where`: "-t TABLE " or "";
/// `op`: "-I CHAIN", "-A CHAIN" or "-I CHAIN POS"; `chain`: the chain as -C takes it.
QString addRuleOnce(const QString &tool, const QString &where, const QString &chain, const QString &op,
                    const QString &spec)
{
    return QStringLiteral("%1 %2-C %3 %4 2>/dev/null || %1 %2%5 %4").arg(tool, where, chain, spec, op);
}

} // namespace

// ---------------------------------------------------------------- MTU / MSS

namespace {

/// Where a clamp's MSS shows in a capture, as the lab's tunnel showed it (tests/tst_fixproof_lab):
/// the rules rewrite packets in FORWARD, so on this gateway's LAN side its local hosts' SYNs are
/// captured before they reach the rule and the SYN/ACKs after it.
QString clampOnTheWire(int mss)
{
    return QStringLiteral(
               "on this gateway's LAN-side interface, the SYN/ACKs that come out of the tunnel carry "
               "'mss %1' in tcpdump -n -v 'tcp[tcpflags] & tcp-syn != 0' (the local hosts' SYNs are "
               "captured before the rule and keep their own MSS there; the peer's LAN side shows them "
               "with 'mss %1')")
        .arg(mss);
}

} // namespace

std::vector<Fix> mtuFixes(const FixTarget &t, const MtuFixParams &p)
{
    std::vector<Fix> out;
    // Names and addresses were validated by fixTarget (or are placeholders); quoted all the same.
    const QString iface = t.routeBased ? t.tunnelInterface : t.wanInterface;
    const QString qi = shq(iface);
    QStringList mssParts;
    if (p.mss > 0) mssParts << QStringLiteral("TCP MSS %1 (= %2 − 40) for IPv4").arg(p.mss).arg(p.tunnelMtu);
    if (p.mss6 > 0) mssParts << QStringLiteral("%1 (= %2 − 60) for IPv6").arg(p.mss6).arg(p.tunnelMtu);
    QString why = QStringLiteral("# path MTU %1, %2%3: inner MTU %4, %5\n")
                      .arg(p.pathMtu)
                      .arg(p.suiteName, p.natT ? QStringLiteral(" with NAT-T") : QString())
                      .arg(p.tunnelMtu)
                      .arg(mssParts.join(QStringLiteral(", ")));
    if (!p.pathMtuWhy.isEmpty())
        why += QStringLiteral("# path MTU from: %1\n").arg(oneLine(p.pathMtuWhy, 400));
    const QString mssText = p.mss > 0 && p.mss6 > 0
                                ? QStringLiteral("%1 (IPv4) / %2 (IPv6)").arg(p.mss).arg(p.mss6)
                                : QString::number(p.mss > 0 ? p.mss : p.mss6);
    {
        const QString rule = QStringLiteral("-p tcp --tcp-flags SYN,RST SYN");
        // Policy-based: the packets that leave / entered through IPsec on the WAN interface.
        // Route-based: everything routed through the tunnel interface is tunnel traffic.
        const QString outSel = t.routeBased ? QStringLiteral("-o %1").arg(qi)
                                            : QStringLiteral("-o %1 -m policy --dir out --pol ipsec").arg(qi);
        const QString inSel = t.routeBased ? QStringLiteral("-i %1").arg(qi)
                                           : QStringLiteral("-i %1 -m policy --dir in --pol ipsec").arg(qi);
        QString text = why;
        QString undo;
        for (const auto &[tool, mss] :
             {std::pair{QStringLiteral("iptables"), p.mss}, std::pair{QStringLiteral("ip6tables"), p.mss6}}) {
            if (mss <= 0) continue;
            for (const QString &sel : {outSel, inSel}) {
                // First in the chain: an ACCEPT earlier in the host's mangle FORWARD would end the
                // chain before an appended rule.
                text +=
                    addRuleOnce(
                        tool, QStringLiteral("-t mangle "), QStringLiteral("FORWARD"),
                        QStringLiteral("-I FORWARD 1"),
                        QStringLiteral("%1 %2 -j TCPMSS --set-mss %3").arg(rule, sel, QString::number(mss))) +
                    QLatin1Char('\n');
                undo += QStringLiteral("%1%2 -t mangle -D FORWARD %3 %4 -j TCPMSS --set-mss %5")
                            .arg(undo.isEmpty() ? QString() : QStringLiteral("; "), tool, rule, sel,
                                 QString::number(mss));
            }
        }
        text += QStringLiteral("# Once ICMP fragmentation-needed reaches this host again, the kernel's path "
                               "MTU can be used instead:\n"
                               "# %1 -t mangle -I FORWARD 1 %2 %3 -j TCPMSS --clamp-mss-to-pmtu\n")
                    .arg(p.mss > 0 ? QStringLiteral("iptables") : QStringLiteral("ip6tables"), rule, outSel);
        out.push_back(make(
            FixKind::Iptables,
            QStringLiteral("Clamp TCP MSS to %1 with %2")
                .arg(mssText, p.mss6 > 0 ? QStringLiteral("ip(6)tables") : QStringLiteral("iptables")),
            text,
            QStringLiteral(
                "Rewrites the MSS option of TCP SYN and SYN/ACK packets that enter or leave the tunnel "
                "through %1 to at most %2, so TCP never builds an inner packet above %3 bytes, which "
                "fits the %4-byte path after ESP. A smaller MSS in a SYN is left alone.")
                .arg(iface, mssText)
                .arg(p.tunnelMtu)
                .arg(p.pathMtu),
            QStringLiteral("Only TCP is helped: UDP and ICMP still need the MTU fix. Connections opened "
                           "before the rule keep their MSS. Traffic this host originates itself (OUTPUT) is "
                           "not clamped. Each segment carries a few bytes less payload."),
            QStringLiteral("%1 -t mangle -L FORWARD -v -n: the TCPMSS rules' packet counters grow as "
                           "connections open; %2; a bulk transfer through the tunnel no longer stalls.")
                .arg(p.mss > 0 ? QStringLiteral("iptables") : QStringLiteral("ip6tables"),
                     clampOnTheWire(p.mss > 0 ? p.mss : p.mss6)),
            undo));
    }
    {
        const bool both = p.mss > 0 && p.mss6 > 0;
        const bool subnet6 = t.remoteSubnet.contains(QLatin1Char(':'));
        // One nft transaction, one single-quoted argument (the shell must not see nft's '>' or
        // its double quotes): the table is declared, deleted and declared again with its rules,
        // so a second run replaces it instead of adding the rules twice, and nothing is left
        // half-applied if a line fails. The interface is validated to [A-Za-z0-9_.+-] (or the
        // placeholder), the subnet is canonical.
        QStringList rules;
        QString firstOut;
        bool ipsecMatch = false;
        for (const auto &[v6, mss] : {std::pair{false, p.mss}, std::pair{true, p.mss6}}) {
            if (mss <= 0) continue;
            const QString fam = v6 ? QStringLiteral("ip6") : QStringLiteral("ip");
            const bool subnetHere = !t.remoteSubnet.isEmpty() && subnet6 == v6;
            QString outMatch = subnetHere ? QStringLiteral(" %1 daddr %2").arg(fam, t.remoteSubnet)
                               : both     ? QStringLiteral(" meta nfproto ipv%1").arg(v6 ? 6 : 4)
                                          : QString();
            QString inMatch = subnetHere ? QStringLiteral(" %1 saddr %2").arg(fam, t.remoteSubnet) : outMatch;
            // Policy-based without the remote subnet (of this family): the tunnel's packets are
            // told by their IPsec state, as iptables' -m policy does — leaving: the route has an
            // IPsec transform (rt ipsec exists); entering: decrypted (meta ipsec exists). Else
            // every TCP connection through the interface would be clamped.
            if (!t.routeBased && !subnetHere) {
                outMatch += QStringLiteral(" rt ipsec exists");
                inMatch += QStringLiteral(" meta ipsec exists");
            }
            rules << QStringLiteral("oifname \"%1\"%2 tcp flags syn tcp option maxseg size > %3 counter "
                                    "tcp option maxseg size set %3")
                         .arg(iface, outMatch)
                         .arg(mss);
            rules << QStringLiteral("iifname \"%1\"%2 tcp flags syn tcp option maxseg size > %3 counter "
                                    "tcp option maxseg size set %3")
                         .arg(iface, inMatch)
                         .arg(mss);
            if (firstOut.isEmpty()) firstOut = outMatch;
            ipsecMatch = ipsecMatch || (!t.routeBased && !subnetHere);
        }
        QString ruleset =
            QStringLiteral("table inet ikev2wb\n"
                           "delete table inet ikev2wb\n"
                           "table inet ikev2wb {\n"
                           "    chain forward {\n"
                           "        type filter hook forward priority mangle; policy accept;\n");
        for (const QString &r : rules)
            ruleset += QStringLiteral("        ") + r + QLatin1Char('\n');
        ruleset += QStringLiteral("    }\n}");
        QString text = why;
        text += QStringLiteral(
            "# Table inet ikev2wb replaced as a whole (a second run leaves the same rules):\n");
        text += QStringLiteral("nft ") + shq(ruleset) + QLatin1Char('\n');
        text +=
            QStringLiteral("# Once ICMP fragmentation-needed reaches this host again, the rules can clamp to "
                           "the route's MTU instead:\n# ") +
            QStringLiteral("oifname \"%1\"%2 tcp flags syn tcp option maxseg size set rt mtu")
                .arg(iface, firstOut) +
            QLatin1Char('\n');
        out.push_back(make(
            FixKind::Nftables, QStringLiteral("Clamp TCP MSS to %1 with nftables").arg(mssText), text,
            QStringLiteral(
                "Creates (or, run again, replaces) a table 'ikev2wb' (family inet: IPv4 and IPv6) whose "
                "forward chain lowers the MSS option of TCP SYN and SYN/ACK packets through %1%2 to %3 "
                "when it is larger.")
                .arg(iface, t.remoteSubnet.isEmpty() ? QString()
                                                     : QStringLiteral(" to and from %1").arg(t.remoteSubnet))
                .arg(mssText),
            QStringLiteral("Only TCP is helped; existing connections keep their MSS.%1")
                .arg(ipsecMatch ? QStringLiteral(" Without the remote subnet the rules take the tunnel's "
                                                 "packets by their IPsec state (rt ipsec exists, meta ipsec "
                                                 "exists: Linux 4.20 and nftables 0.9.1 or later; an older "
                                                 "one refuses the table and nothing changes).")
                                : QString()),
            QStringLiteral("nft list table inet ikev2wb: the rules' counters grow as connections open; %1.")
                .arg(clampOnTheWire(p.mss > 0 ? p.mss : p.mss6)),
            QStringLiteral("nft delete table inet ikev2wb")));
    }
    const QString verifyPing =
        QStringLiteral(
            "from an inner host, ping -M do -s %1 <remote inner host> gets replies and ping -M do -s %2 "
            "reports 'Frag needed' / 'message too long' (mtu %3) instead of silence.")
            .arg(p.tunnelMtu - 28)
            .arg(p.tunnelMtu - 27)
            .arg(p.tunnelMtu);
    if (t.routeBased) {
        QString text = why;
        text += QStringLiteral("# Route-based tunnel: the tunnel interface %1 gets the inner MTU; the kernel "
                               "then answers larger inner packets with ICMP fragmentation-needed (mtu %2).\n")
                    .arg(iface)
                    .arg(p.tunnelMtu);
        // The MTU from before is read from the kernel and saved: the evidence may not hold it (a VTI
        // starts at 1480, an XFRM interface at 1500), and the undo must put back exactly that.
        const QString saved = QStringLiteral("mtu-") + iface;
        // From the kernel over netlink (not /sys, which shows the namespace it was mounted in).
        text += saveOnce(saved,
                         QStringLiteral("ip -o link show dev %1 | awk '{for (i = 1; i < NF; i++) if ($i == "
                                        "\"mtu\") {print $(i + 1); exit}}'")
                             .arg(qi)) +
                QStringLiteral("ip link set dev %1 mtu %2\n").arg(qi, QString::number(p.tunnelMtu));
        out.push_back(
            make(FixKind::IpLink,
                 QStringLiteral("Set the MTU of the tunnel interface %1 to %2")
                     .arg(iface, QString::number(p.tunnelMtu)),
                 text,
                 QStringLiteral(
                     "Inner packets above %1 bytes are refused at the tunnel interface with ICMP "
                     "fragmentation-needed (mtu %1) to the inner hosts, instead of becoming ESP packets "
                     "above the %2-byte path that are dropped.")
                     .arg(p.tunnelMtu)
                     .arg(p.pathMtu),
                 QStringLiteral(
                     "Only the tunnel's traffic is affected. Not persistent: set the MTU where the "
                     "interface is created (swanctl updown script, systemd-networkd, ifupdown) once "
                     "verified. Inner hosts must accept ICMP fragmentation-needed for non-TCP traffic."),
                 QStringLiteral("ip link show dev %1 shows 'mtu %2'; %3")
                     .arg(qi, QString::number(p.tunnelMtu), verifyPing),
                 undoLine(QStringLiteral("ip link set dev %1 mtu %2 && %3")
                              .arg(qi, savedValue(saved), forgetSaved(saved)),
                          QStringLiteral("the MTU it had before, saved in %1").arg(savedFile(saved)))));
    } else {
        const QString hostLen = t.outerIpv6 ? QStringLiteral("128") : QStringLiteral("32");
        const QString ip = t.outerIpv6 ? QStringLiteral("ip -6") : QStringLiteral("ip");
        const QString via = t.gateway.isEmpty() ? QString() : QStringLiteral(" via %1").arg(shq(t.gateway));
        const QString dest = shq(t.peerAddress + QLatin1Char('/') + hostLen);
        // The new route must outrank any host route there already: IPv4's default metric 0 is the
        // lowest; an IPv6 route without one gets 1024, so it names metric 1. `ip -6 route del`
        // without a metric would remove the first match, possibly an older route: the undo names
        // the metric too and removes exactly the route the fix added.
        const QString route = QStringLiteral("%1%2 dev %3%4")
                                  .arg(dest, via, qi, t.outerIpv6 ? QStringLiteral(" metric 1") : QString());
        const QString qpeer = shq(t.peerAddress);
        // Only a figure the evidence gave (ip link of this host), not an assumed 1500.
        const QString oldMtu = t.interfaceMtu > 0 ? QStringLiteral("its MTU of %1").arg(t.interfaceMtu)
                                                  : QStringLiteral("its own MTU");
        // The file name holds the peer address: validated by fixTarget (canonical address) or
        // the placeholder, and quoted as a whole by saveOnce.
        const QString saved = QStringLiteral("route-") + t.peerAddress;
        QString text = why;
        text +=
            QStringLiteral("# Policy-based tunnel (no tunnel interface): the route to the peer gets the path "
                           "MTU, so only packets to the peer are affected;\n"
                           "# the kernel then subtracts the ESP overhead itself (%1 − %2 = %3 bytes for the "
                           "inner packet).\n")
                .arg(p.pathMtu)
                .arg(p.pathMtu - p.tunnelMtu)
                .arg(p.tunnelMtu);
        // The evidence's interface or gateway may be out of date (a failover, another uplink, a new
        // DHCP gateway): the new route would then pin the tunnel's packets to a next hop that no
        // longer carries them. `ip route get` must show the evidence's next hop: "via GW dev IF", or
        // "dev IF" and no gateway when the peer is on the link.
        const QString hop = t.gateway.isEmpty() ? QStringLiteral("%1 directly").arg(t.wanInterface)
                                                : QStringLiteral("%1 via %2").arg(t.wanInterface, t.gateway);
        const QString refuse =
            shq(QStringLiteral("the route to %1 does not leave through %2 now (%3 route get "
                               "%1): nothing changed")
                    .arg(t.peerAddress, hop, ip));
        text +=
            QStringLiteral("# The kernel must still route the peer out of %1, as the evidence shows (else "
                           "nothing changes):\n")
                .arg(oneLine(hop, 100));
        text +=
            t.gateway.isEmpty()
                ? QStringLiteral("case \" $(%1 -o route get %2 2>/dev/null) \" in *' via '*) echo %4 >&2; "
                                 "exit 1 ;; *%3*) ;; *) echo %4 >&2; exit 1 ;; esac\n")
                      .arg(ip, qpeer, shq(QStringLiteral(" dev %1 ").arg(t.wanInterface)), refuse)
                : QStringLiteral("case \" $(%1 -o route get %2 2>/dev/null) \" in *%3*) ;; *) echo %4 >&2; "
                                 "exit 1 ;; esac\n")
                      .arg(ip, qpeer, shq(QStringLiteral(" via %1 dev %2 ").arg(t.gateway, t.wanInterface)),
                           refuse);
        text +=
            QStringLiteral("# The host routes to the peer as they are now (none: an empty file) are saved "
                           "for the undo, as ip -batch commands\n"
                           "# (flags the kernel prints but does not take, such as linkdown, left out):\n");
        text +=
            saveOnce(saved,
                     QStringLiteral("%1 -o route show exact %2 | awk '{o = \"route replace\"; for (i = 1; "
                                    "i <= NF; i++) {if ($i == \"expires\") {i++; continue} if ($(i - 1) "
                                    "!= \"dev\" && $i ~ /^(linkdown|dead|offload|trap|rt_offload|rt_trap|"
                                    "rt_offload_failed|pervasive|notify)$/) continue; o = o \" \" $i} "
                                    "print o}'")
                         .arg(ip, dest),
                     Saved::Routes);
        text +=
            QStringLiteral("%1 route replace %2 mtu lock %3\n").arg(ip, route, QString::number(p.pathMtu));
        text += QStringLiteral("# Coarser alternative, lowers every packet through %1:\n"
                               "# ip link set dev %1 mtu %2\n")
                    .arg(qi, QString::number(p.pathMtu));
        QString undoWhy;
        if (!t.peerHostRouteRestore.isEmpty())
            undoWhy = QStringLiteral("deletes the route this fix added, then puts back the host route to %1 "
                                     "saved before the change; the routes listing %2 had it as: %3")
                          .arg(t.peerAddress, oneLine(t.peerRouteSource, 200), t.peerHostRouteRestore);
        else if (t.peerHostRoute)
            undoWhy = QStringLiteral("deletes the route this fix added, then puts back the host route to %1 "
                                     "saved before the change; the one in the routes listing %2 cannot be "
                                     "rebuilt from the listing (see the notes)")
                          .arg(t.peerAddress, oneLine(t.peerRouteSource, 200));
        else if (!t.peerRouteSource.isEmpty())
            undoWhy =
                QStringLiteral("deletes only the route this fix added: the routes listing %1 had no host "
                               "route to %2, and the saved file is empty if there was none when the fix "
                               "ran")
                    .arg(oneLine(t.peerRouteSource, 200), t.peerAddress);
        else
            undoWhy = QStringLiteral("deletes the route this fix added, then puts back the host routes to %1 "
                                     "saved before the change, if there were any")
                          .arg(t.peerAddress);
        out.push_back(
            make(FixKind::IpLink,
                 QStringLiteral("Set the path MTU %1 on the route to the peer %2")
                     .arg(p.pathMtu)
                     .arg(t.peerAddress),
                 text,
                 QStringLiteral(
                     "The kernel learns the real path size for the peer, so it answers over-large inner "
                     "packets with ICMP fragmentation-needed (mtu %1) to the inner hosts instead of sending "
                     "ESP packets the path drops. 'lock' keeps a (lost or forged) ICMP error from changing "
                     "it. The host routes to %2 from before are saved in %3 for the undo.")
                     .arg(QString::number(p.tunnelMtu), t.peerAddress, savedFile(saved)),
                 QStringLiteral(
                     "Only traffic to %1 (the tunnel's, and anything else to that address) uses the lower "
                     "MTU; the rest of %2 keeps %3. A host route to %1 that exists already is overridden "
                     "until the undo: replaced if its metric is %4, otherwise outranked by the new route's "
                     "lower metric. Not persistent: add the route to the network configuration once "
                     "verified. Inner hosts must accept ICMP fragmentation-needed for non-TCP traffic.")
                     .arg(t.peerAddress, t.wanInterface, oldMtu, QString::number(t.outerIpv6 ? 1 : 0)),
                 QStringLiteral("%1 route get %2 shows 'mtu lock %3'; %4")
                     .arg(ip, qpeer, QString::number(p.pathMtu), verifyPing),
                 undoLine(QStringLiteral("%1 route del %2 mtu lock %3 && %1 -batch %4 && %5")
                              .arg(ip, route, QString::number(p.pathMtu), shq(savedFile(saved)),
                                   forgetSaved(saved)),
                          undoWhy)));
    }
    // Never lowered (2 = probe from the start is stronger than 1) and the undo puts back the
    // value from before, like every other sysctl fix (README "Undo of host changes").
    const QString probing = QStringLiteral("net.ipv4.tcp_mtu_probing");
    out.push_back(make(
        FixKind::Sysctl, QStringLiteral("Let TCP on the end hosts probe the path MTU itself"),
        QStringLiteral(
            "# On the hosts that originate the TCP traffic (this gateway only for its own connections):\n") +
            saveOnce(probing, QStringLiteral("sysctl -n ") + probing) +
            QStringLiteral("if [ \"$(sysctl -n %1)\" -lt 1 ]; then sysctl -w %1=1; fi\n").arg(probing),
        QStringLiteral(
            "Linux TCP starts packetization-layer PMTU discovery (RFC 4821) when it detects a black hole, so "
            "connections recover even where ICMP is dropped (never lowered: 2, probing from the start, is "
            "kept); the value before is saved in %1.")
            .arg(savedFile(probing)),
        QStringLiteral(
            "Only TCP of the hosts where it is set; the first stall still costs retransmission timeouts "
            "before "
            "probing shrinks the segments. Not persistent: add it to /etc/sysctl.d/ once verified."),
        QStringLiteral(
            "sysctl net.ipv4.tcp_mtu_probing prints 1 (or 2); a bulk transfer that stalled completes "
            "(slowly at first)."),
        undoLine(
            QStringLiteral("sysctl -w %1=%2 && %3").arg(probing, savedValue(probing), forgetSaved(probing)),
            QStringLiteral("the value saved before the change"))));
    return out;
}

// ---------------------------------------------------------------- anti-replay

std::uint64_t recommendedReplayWindow(std::uint64_t minSafe)
{
    const std::uint64_t want = std::max<std::uint64_t>(2 * minSafe, 64);
    std::uint64_t w = 1;
    while (w < want)
        w <<= 1;
    return std::min(w, kMaxReplayWindow);
}

std::vector<Fix> replayWindowFixes(const FixTarget &t, std::uint64_t window, std::uint64_t minSafe,
                                   int current)
{
    std::vector<Fix> out;
    const QString cur = current >= 0 ? QString::number(current) : QStringLiteral("the default 32");
    // Why this window: the measured need (and the headroom rule, when the window is its result), or
    // what it was chosen from when nothing measured the reordering.
    QString why;
    if (minSafe == 0)
        why =
            QStringLiteral("No capture of the receiver measured how deep the reordering goes, so %1 is four "
                           "times the larger of the window in use and 32 (a power of two, at most %2): a "
                           "starting point the counters must confirm")
                .arg(window)
                .arg(kMaxReplayWindow);
    else
        why =
            QStringLiteral("The reordering measured needs at least %1 (the largest lag of a late packet + 1)")
                .arg(minSafe);
    if (minSafe > 0 && window < kMaxReplayWindow && window == recommendedReplayWindow(minSafe))
        why +=
            QStringLiteral("; %1 is twice that, rounded up to a power of two and at least 64: headroom for "
                           "reordering deeper than this capture's")
                .arg(window);
    QString atTheLimit;
    if (window >= kMaxReplayWindow)
        atTheLimit =
            QStringLiteral(" %1 is the kernel's largest window (a larger replay_window makes it refuse "
                           "the SA and the tunnel goes down)%2: if late packets still arrive further "
                           "behind, reduce the reordering on the path (ECMP or link-aggregation hashing, "
                           "QoS queues, multipath WAN).")
                .arg(kMaxReplayWindow)
                .arg(minSafe > kMaxReplayWindow ? QStringLiteral(", below the %1 measured").arg(minSafe)
                                                : QString());
    const QString changes =
        QStringLiteral(
            "Raises the anti-replay window of the CHILD_SA's inbound SA from %1 to %2 packets. %3, so "
            "late packets are accepted instead of being dropped as 'replay-window'. Set it on the "
            "receiving side: %4.%5")
            .arg(cur)
            .arg(window)
            .arg(why,
                 t.replayReceiver.isEmpty() ? QStringLiteral("the host whose XfrmInStateSeqError grows")
                                            : oneLine(t.replayReceiver),
                 atTheLimit);
    const QString tradeoff =
        QStringLiteral(
            "A larger window accepts packets that arrive later, so a replayed packet that was never received "
            "inside the last %1 sequence numbers is accepted once: replay protection gets slightly weaker (0 "
            "would disable it; never use 0). Costs %1 bits of bitmap per SA. Windows above 32 need the "
            "kernel-netlink backend (strongSwan's default). Also worth asking why the path reorders.")
            .arg(window);
    const QString verify =
        QStringLiteral(
            "ip -s xfrm state shows 'replay-window %1' on the inbound SA of %2; its 'stats: replay-window N' "
            "and XfrmInStateSeqError in /proc/net/xfrm_stat stop growing under the same load.")
            .arg(window)
            .arg(t.child);
    out.push_back(make(
        FixKind::Swanctl, QStringLiteral("Set replay_window = %1 (swanctl.conf)").arg(window),
        swanctlSnippet(t, {}, {QStringLiteral("replay_window = %1").arg(window)}), changes, tradeoff,
        verify + QStringLiteral(" Apply with ") + reloadSwanctl(t) + QLatin1Char('.'),
        undoLine(reloadSwanctlCommands(t),
                 QStringLiteral("first put back replay_window = %1 in swanctl.conf (or remove the line for "
                                "the default 32); re-establishing the SA is a short interruption")
                     .arg(current >= 0 ? current : 32))));
    out.push_back(
        make(FixKind::IpsecConf, QStringLiteral("Set replay_window=%1 (legacy ipsec.conf)").arg(window),
             ipsecConfSnippet(t, {QStringLiteral("replay_window=%1").arg(window)}), changes, tradeoff,
             verify + QStringLiteral(" Apply with ") + reloadIpsecConf(t) + QLatin1Char('.'),
             undoLine(reloadIpsecConfCommands(t),
                      QStringLiteral("first remove the line from ipsec.conf (or put back the old value); "
                                     "restarting the connection is a short interruption"))));
    return out;
}

// ---------------------------------------------------------------- firewall rule

std::vector<Fix> firewallAcceptFixes(const FixTarget &t, const FirewallAcceptParams &p, QString *why)
{
    const auto fail = [why](const QString &w) {
        if (why) *why = w;
        return std::vector<Fix>{};
    };
    static const QRegularExpression table(QStringLiteral("^(filter|mangle|raw|security|nat)\\z"));
    // Not starting with '-' or '.': iptables would read "-X" as an option.
    static const QRegularExpression chain(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,28}\\z"));
    // One line of printable ASCII without a single quote (the text is grep's pattern, single-quoted).
    static const QRegularExpression text(QStringLiteral("^-A [\\x20-\\x26\\x28-\\x7e]{1,1000}\\z"));
    if (!table.match(p.table).hasMatch())
        return fail(QStringLiteral("table '%1' is not one of iptables' tables").arg(oneLine(p.table, 40)));
    if (!chain.match(p.chain).hasMatch())
        return fail(
            QStringLiteral("chain '%1' is not a chain name this tool passes on").arg(oneLine(p.chain, 40)));
    if (!text.match(p.ruleText).hasMatch() || !p.ruleText.startsWith(QStringLiteral("-A %1 ").arg(p.chain)))
        return fail(
            QStringLiteral(
                "the rule's text is not one line of printable characters without a single quote in chain %1")
                .arg(p.chain));
    if (!p.esp && p.ports.isEmpty()) return fail(QStringLiteral("the rule takes neither ESP nor IKE"));
    const QString tool = p.ipv6 ? QStringLiteral("ip6tables") : QStringLiteral("iptables");
    const QString where = QStringLiteral("-t %1").arg(shq(p.table));
    QStringList specs; // what each ACCEPT matches, without the chain
    QStringList matches;
    if (p.esp) matches << QStringLiteral("-p esp");
    if (!p.ports.isEmpty())
        // --ports: source or destination, as NAT may change the initiator's source port
        matches << QStringLiteral("-p udp -m multiport --ports %1").arg(p.ports.join(QLatin1Char(',')));
    for (const auto &[on, from, to] : {std::tuple{p.fromLocal, t.localAddress, t.peerAddress},
                                       std::tuple{p.fromPeer, t.peerAddress, t.localAddress}}) {
        if (!on) continue;
        for (const QString &m : matches)
            specs << QStringLiteral("-s %1 -d %2 %3 -m comment --comment ikev2wb-tunnel -j ACCEPT")
                         .arg(shq(from), shq(to), m);
    }
    const QString qchain = shq(p.chain);
    QString body =
        QStringLiteral(
            "# On %1: the rule below drops the tunnel's traffic; ACCEPT rules for exactly the two ends go "
            "right before it.\n"
            "# It is found at run time by its text (iptables -S prints rules as iptables-save does; "
            "line 1 is the chain's policy or -N line):\n"
            "pos=$(%2 %3 -S %4 | grep -nxF -e %5 | head -n 1 | cut -d: -f1 || true)\n"
            "case \"$pos\" in ''|*[!0-9]*|1) echo %6 >&2; exit 1 ;; esac\n")
            .arg(oneLine(p.host, 80), tool, where, qchain, shq(p.ruleText),
                 shq(QStringLiteral("the rule is not in chain %1 (table %2) any more: nothing changed")
                         .arg(p.chain, p.table)));
    QStringList undo;
    for (const QString &spec : specs) {
        // Once: a second run finds it with -C (and adds nothing where the rule moved since).
        body += addRuleOnce(tool, where + QLatin1Char(' '), qchain,
                            QStringLiteral("-I %1 \"$((pos - 1))\"").arg(qchain), spec) +
                QLatin1Char('\n');
        undo << QStringLiteral("%1 %2 -D %3 %4").arg(tool, where, qchain, spec);
    }
    std::vector<Fix> out;
    out.push_back(
        make(FixKind::Iptables,
             QStringLiteral("Accept the tunnel's %1 before the %2 rule in %3 %4")
                 .arg(p.esp && !p.ports.isEmpty() ? QStringLiteral("ESP and IKE")
                      : p.esp                     ? QStringLiteral("ESP")
                              : QStringLiteral("UDP %1").arg(p.ports.join(QLatin1Char('/'))),
                      p.ruleText.contains(QLatin1String("REJECT")) ? QStringLiteral("REJECT")
                                                                   : QStringLiteral("DROP"),
                      p.table, p.chain),
             body,
             QStringLiteral(
                 "Inserts %1 ACCEPT rule(s) (comment ikev2wb-tunnel) for %2 between %3 and %4 right before "
                 "the rule '%5', so the tunnel's packets no longer reach it; everything else still does.")
                 .arg(specs.size())
                 .arg(QStringList(matches).join(QStringLiteral(" and ")), t.localAddress, t.peerAddress,
                      oneLine(p.ruleText, 300)),
             QStringLiteral(
                 "The rule was written by someone, maybe on purpose: check the policy it implements before "
                 "overriding it for the tunnel. Not persistent: save the ruleset (iptables-save, "
                 "netfilter-persistent, firewalld, ...) once verified."),
             QStringLiteral(
                 "%1 %2 -L %3 -v -n --line-numbers: the ikev2wb-tunnel ACCEPT rules come right before the "
                 "rule and their counters grow; the rule's own counter stops growing.")
                 .arg(tool, where, qchain),
             undo.join(QStringLiteral("; "))));
    return out;
}

std::vector<Fix> nftChainAcceptFixes(const FixTarget &t, const NftChainAcceptParams &p, QString *why)
{
    const auto fail = [why](const QString &w) {
        if (why) *why = w;
        return std::vector<Fix>{};
    };
    // nft identifiers, never an option or a keyword break (as fixTarget's input chains).
    static const QRegularExpression ident(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]{0,63}\\z"));
    static const QRegularExpression family(QStringLiteral("^(ip|ip6|inet)\\z"));
    static const QRegularExpression hook(QStringLiteral("^(prerouting|input|forward)\\z"));
    if (!family.match(p.family).hasMatch())
        return fail(QStringLiteral("family '%1' is not ip, ip6 or inet").arg(oneLine(p.family, 20)));
    if (!ident.match(p.table).hasMatch() || !ident.match(p.chain).hasMatch())
        return fail(QStringLiteral("table '%1' / chain '%2' are not names this tool passes to nft")
                        .arg(oneLine(p.table, 40), oneLine(p.chain, 40)));
    if (!hook.match(p.hook).hasMatch())
        return fail(QStringLiteral("chain %1 is not a base chain on the prerouting, input or forward hook")
                        .arg(p.chain));
    if (t.localAddress.startsWith(QLatin1Char('<')) || t.peerAddress.startsWith(QLatin1Char('<')))
        return fail(QStringLiteral("the two ends' addresses are not both known"));
    if (!p.esp && p.ports.isEmpty()) return fail(QStringLiteral("the rule takes neither ESP nor IKE"));
    const bool v6 = t.peerAddress.contains(QLatin1Char(':')) || t.localAddress.contains(QLatin1Char(':'));
    if (p.family == (v6 ? QLatin1String("ip") : QLatin1String("ip6")))
        return fail(QStringLiteral("the chain's family %1 does not carry the tunnel's IPv%2")
                        .arg(p.family, v6 ? QStringLiteral("6") : QStringLiteral("4")));
    const QString ipf = v6 ? QStringLiteral("ip6") : QStringLiteral("ip");
    QStringList ports = p.ports;
    for (const QString &x : ports)
        if (x != QLatin1String("500") && x != QLatin1String("4500"))
            return fail(QStringLiteral("port '%1' is not 500 or 4500").arg(oneLine(x, 10)));
    const QString set = ports.size() > 1  ? QStringLiteral("{ %1 }").arg(ports.join(QStringLiteral(", ")))
                        : ports.isEmpty() ? QString()
                                          : ports.front();
    // Rules: what each accept matches and its tag (the comment names the peer and the tag).
    QStringList matches, tags;
    for (const auto &[on, from, to, dir] :
         {std::tuple{p.fromLocal, t.localAddress, t.peerAddress, QStringLiteral("out")},
          std::tuple{p.fromPeer, t.peerAddress, t.localAddress, QStringLiteral("in")}}) {
        if (!on) continue;
        const QString addrs = QStringLiteral("%1 saddr %2 %1 daddr %3").arg(ipf, from, to);
        if (p.esp) {
            matches << addrs + QStringLiteral(" meta l4proto esp");
            tags << QStringLiteral("esp-") + dir;
        }
        if (!set.isEmpty())
            // Either port: a NAT may have changed the other one.
            for (const QString &end : {QStringLiteral("dport"), QStringLiteral("sport")}) {
                matches << QStringLiteral("%1 udp %2 %3").arg(addrs, end, set);
                tags << QStringLiteral("udp-%1-%2").arg(end, dir);
            }
    }
    const QString comment = QStringLiteral("ikev2wb-accept %1").arg(t.peerAddress);
    const QString where = QStringLiteral("%1 %2 %3").arg(p.family, shq(p.table), shq(p.chain));
    const QString bare = QStringLiteral("%1 %2 %3").arg(p.family, p.table, p.chain); // validated identifiers
    QString body =
        QStringLiteral(
            "# On %1: the rule '%2' in the base chain %3 (hook %4) drops the tunnel's traffic; accept rules "
            "for\n"
            "# exactly the two ends go at the top of that chain (an accept in another chain or table does "
            "not "
            "stop it),\n"
            "# all in one nft transaction. Each is added once: a second run finds it by its comment.\n"
            "nft list chain %5 > /dev/null || { echo %6 >&2; exit 1; }\n"
            "batch=''\n")
            .arg(oneLine(p.host, 80), oneLine(p.ruleText, 300), bare, p.hook, where,
                 shq(QStringLiteral("chain %1 is not in the ruleset any more (changed since the evidence): "
                                    "nothing changed here")
                         .arg(bare)));
    for (qsizetype i = 0; i < matches.size(); ++i) {
        const QString c = QStringLiteral("comment \"%1 %2\"").arg(comment, tags[i]);
        // grep reads the whole listing (no -q): with pipefail an early exit would look like "absent".
        body += QStringLiteral("nft list chain %1 | grep -F -e %2 > /dev/null || batch+=%3$'\\n'\n")
                    .arg(where, shq(c),
                         shq(QStringLiteral("insert rule %1 %2 counter accept %3").arg(bare, matches[i], c)));
    }
    body += QStringLiteral("if [ -n \"$batch\" ]; then printf '%s' \"$batch\" | nft -f -; fi\n");
    const QString undo =
        QStringLiteral(
            "for h in $(nft -a list chain %1 | awk -v c=%2 'index($0, c) {print $NF}'); do "
            "nft delete rule %1 handle \"$h\"; done  # deletes exactly the rules whose comment starts "
            "with '%3 '")
            .arg(where, shq(QStringLiteral("comment \"%1 ").arg(comment)), oneLine(comment, 200));
    const QString what = p.esp && !ports.isEmpty()
                             ? QStringLiteral("ESP and UDP %1").arg(ports.join(QLatin1Char('/')))
                         : p.esp ? QStringLiteral("ESP")
                                 : QStringLiteral("UDP %1").arg(ports.join(QLatin1Char('/')));
    std::vector<Fix> out;
    out.push_back(make(
        FixKind::Nftables,
        QStringLiteral("Accept the tunnel's %1 at the top of nft chain %2 (hook %3)").arg(what, bare, p.hook),
        body,
        QStringLiteral(
            "Inserts %1 accept rule(s) (comment '%2 …') for %3 between %4 and %5 at the top of %6, "
            "so the tunnel's packets no longer reach the rule '%7'; everything else still does.")
            .arg(matches.size())
            .arg(comment, what, t.localAddress, t.peerAddress, bare, oneLine(p.ruleText, 300)),
        QStringLiteral(
            "The rule was written by someone, maybe on purpose: check the policy it implements before "
            "overriding it for the tunnel. Not persistent: save the ruleset (nft list ruleset > "
            "/etc/nftables.conf, or the firewall manager's own way) once verified."),
        QStringLiteral("nft list chain %1: the %2 rules come first and their counters grow; the drop rule's "
                       "counter stops growing.")
            .arg(where, comment),
        undo));
    return out;
}

// ---------------------------------------------------------------- NAT keepalive

int recommendedKeepalive(double timeoutOrBoundS, bool known)
{
    // A known timeout leaves room for one lost keepalive (half of it); an upper bound only
    // (the mapping was gone after this idle time) gets a third, as the real timeout may be lower.
    const double k = known ? timeoutOrBoundS / 2 : timeoutOrBoundS / 3;
    // Clamped before it becomes an int: a hostile sysctl's 1e300 s is no undefined conversion.
    return int(std::clamp(std::isnan(k) ? 1.0 : std::floor(k), 1.0, 20.0));
}

std::vector<Fix> natKeepaliveFixes(const FixTarget &t, int keepaliveS, double natTimeoutS, bool timeoutKnown,
                                   double longestIdleS, double keepaliveInUseS)
{
    return natKeepaliveFixes(t, keepaliveS, natTimeoutS,
                             timeoutKnown ? NatTimeoutBasis::Known : NatTimeoutBasis::IdleBound, longestIdleS,
                             keepaliveInUseS);
}

int recommendedNatStreamTimeout(double longestIdleS, double keepaliveInUseS)
{
    if (!(std::isfinite(keepaliveInUseS) && keepaliveInUseS > 0)) return 0;
    const double idle = std::max(std::isfinite(longestIdleS) ? longestIdleS : 0.0, keepaliveInUseS);
    const double twice = std::min(2 * idle, 86400.0);
    return int(std::ceil(twice / 10 - 1e-9)) * 10;
}

std::vector<Fix> natKeepaliveFixes(const FixTarget &t, int keepaliveS, double natTimeoutS,
                                   NatTimeoutBasis basis, double longestIdleS, double keepaliveInUseS)
{
    const QString kStream = QStringLiteral("net.netfilter.nf_conntrack_udp_timeout_stream");
    std::vector<Fix> out;
    const bool timeoutKnown = basis != NatTimeoutBasis::IdleBound;
    // Seconds to a tenth: a measured idle gap is not known to the microsecond (16.5 s, not 16.5074 s).
    auto tenth = [](double v) { return num(std::round(v * 10) / 10); };
    const QString bound =
        basis == NatTimeoutBasis::Known
            ? QStringLiteral("the NAT's UDP timeout of %1 s").arg(tenth(natTimeoutS))
        : basis == NatTimeoutBasis::Assumed
            ? QStringLiteral("the NAT UDP timeout of %1 s assumed for this diagnosis").arg(tenth(natTimeoutS))
            : QStringLiteral("the %1 s of idle time after which the NAT mapping was gone")
                  .arg(tenth(natTimeoutS));
    out.push_back(make(
        FixKind::StrongswanConf,
        QStringLiteral("Send NAT-T keepalives every %1 s (strongswan.conf)").arg(keepaliveS),
        QStringLiteral("# on the host behind the NAT\n") +
            charonSnippet({QStringLiteral("keep_alive = %1s").arg(keepaliveS)}),
        QStringLiteral("charon sends a 1-byte NAT-T keepalive to UDP 4500 whenever the tunnel was idle for "
                       "%1 s, which keeps "
                       "the NAT mapping alive: %1 s is below %2.")
            .arg(keepaliveS)
            .arg(bound),
        QStringLiteral(
            "One 29-byte packet every %1 s per idle IKE_SA (more traffic and wake-ups on metered or battery "
            "links). Only the side behind the NAT sends them. New IKE_SAs pick the value up.")
            .arg(keepaliveS),
        QStringLiteral(
            "swanctl --reload-settings, re-establish the IKE_SA (swanctl --terminate --ike %1 && swanctl "
            "--initiate --child %2); then tcpdump -ni %3 'udp port 4500 and udp[4:2] = 9' shows one "
            "keepalive "
            "every %4 s while idle, and traffic from the peer still arrives after a long pause.")
            .arg(shq(t.connection), shq(t.child), shq(t.wanInterface), QString::number(keepaliveS)),
        undoLine(
            QStringLiteral("swanctl --reload-settings && swanctl --terminate --ike %1 && swanctl --initiate "
                           "--child %2")
                .arg(shq(t.connection), shq(t.child)),
            QStringLiteral("first remove the keep_alive line from strongswan.conf (default 20s); "
                           "re-establishing the IKE_SA is a short interruption"))));
    // The alternative's number is twice the keepalive interval in use (the idle gaps last that long
    // while the tunnel idles) and must change something: a NAT whose known timeout already outlives
    // it is not the problem. With the interval not captured nor configured, the capture only says it
    // is longer than the idle gap seen without a keepalive: the value stays a placeholder (the script
    // refuses to run it) — twice that gap would be too short for a longer interval.
    const int streamTimeout = recommendedNatStreamTimeout(longestIdleS, keepaliveInUseS);
    const bool intervalUnknown = streamTimeout <= 0;
    if (intervalUnknown && !(longestIdleS > 0)) return out;
    if (!intervalUnknown && basis == NatTimeoutBasis::Known && natTimeoutS >= streamTimeout) return out;
    const QString idleBasis =
        keepaliveInUseS > longestIdleS
            ? QStringLiteral("the keepalive interval in use (%1 s)").arg(tenth(keepaliveInUseS))
            : QStringLiteral("the longest idle gap the capture measured (%1 s)").arg(tenth(longestIdleS));
    const double idleS = std::max(longestIdleS, keepaliveInUseS);
    const QString kPlaceholder = QStringLiteral("<twice-the-keepalive-interval>");
    const QString current = timeoutKnown ? QStringLiteral("%1 s").arg(tenth(natTimeoutS))
                                         : QStringLiteral("the short current value");
    const QString set =
        intervalUnknown
            ? QStringLiteral("if [ \"$(sysctl -n %1)\" -lt \"$t\" ]; then sysctl -w %1=\"$t\"; fi\n")
                  .arg(kStream)
            : QStringLiteral("if [ \"$(sysctl -n %1)\" -lt %2 ]; then sysctl -w %1=%2; fi\n")
                  .arg(kStream)
                  .arg(streamTimeout);
    const QString changes =
        intervalUnknown
            ? QStringLiteral(
                  "Conntrack keeps an idle NAT-T mapping for twice the keepalive interval in use on the host "
                  "behind the NAT (charon.keep_alive; strongSwan's default is 20 s), instead of %1 (never "
                  "lowered if it is already longer); the value before is saved in "
                  "/var/lib/ikev2wb/saved-%2. The capture does not give that interval: no keepalive was "
                  "captured in the idle gap of %3 s, so it is longer than that. Put twice its value in "
                  "place of %4.")
                  .arg(current, kStream, tenth(longestIdleS), kPlaceholder)
            : QStringLiteral("Conntrack keeps an idle NAT-T mapping for %3 s, twice %4, instead of %1 (never "
                             "lowered if it is already longer); the value before is saved in "
                             "/var/lib/ikev2wb/saved-%2.")
                  .arg(current, kStream)
                  .arg(streamTimeout)
                  .arg(idleBasis);
    const QString verify =
        intervalUnknown
            ? QStringLiteral(
                  "sysctl %1; conntrack -L -p udp --dport 4500 shows the entry [ASSURED] with a "
                  "timeout counting down from the value set, and it survives the tunnel idling for "
                  "longer than the keepalive interval.")
                  .arg(kStream)
            : QStringLiteral("sysctl %1; conntrack -L -p udp --dport 4500 shows the entry [ASSURED] with a "
                             "timeout counting down from %2 and surviving an idle gap of %3 s.")
                  .arg(kStream)
                  .arg(streamTimeout)
                  .arg(tenth(idleS));
    out.push_back(make(
        FixKind::Sysctl,
        QStringLiteral("Or: lengthen the NAT's UDP timeout (if the NAT is a Linux box you run)"),
        QStringLiteral(
            "# On the NAT device, not on the VPN endpoints. An established NAT-T flow (traffic both "
            "ways,\n"
            "# [ASSURED] in conntrack -L) expires after nf_conntrack_udp_timeout_stream; "
            "nf_conntrack_udp_timeout only\n"
            "# applies to flows that never saw a reply.\n") +
            (intervalUnknown
                 ? QStringLiteral("t='%1' # seconds: twice charon.keep_alive of the host behind the NAT\n"
                                  "case \"$t\" in ''|*[!0-9]*) echo %2 >&2; exit 1 ;; esac\n")
                       .arg(kPlaceholder,
                            shq(QStringLiteral("the timeout is not a number of seconds: nothing changed")))
                 : QString()) +
            saveOnce(kStream, QStringLiteral("sysctl -n ") + kStream) + set,
        changes,
        QStringLiteral("Affects every UDP flow through the NAT that saw replies: more conntrack entries held "
                       "longer. Keepalives below the timeout are still needed if the NAT is not yours."),
        verify,
        undoLine(
            QStringLiteral("sysctl -w %1=%2 && %3").arg(kStream, savedValue(kStream), forgetSaved(kStream)),
            QStringLiteral("the value saved before the change; the kernel default is 120"))));
    return out;
}

// ---------------------------------------------------------------- IKE retransmissions, DPD

double retransmitTotalS(int tries, double timeoutS, double base)
{
    // strongswan.conf is hostile input: a count of 2000000000 is the geometric series' closed form,
    // not billions of terms (the sum, term by term, for every count charon is ever given).
    if (tries > 1000)
        return base == 1 ? timeoutS * (double(tries) + 1)
                         : timeoutS * (std::pow(base, double(tries) + 1) - 1) / (base - 1);
    double total = 0;
    for (int k = 0; k <= tries; ++k)
        total += timeoutS * std::pow(base, k);
    return total;
}

double RetransmitSchedule::waitAfter(int n) const
{
    return timeoutS * std::pow(base, std::max(n, 0));
}

double RetransmitSchedule::totalS() const
{
    return retransmitTotalS(tries, timeoutS, base);
}

bool RetransmitSchedule::followed() const
{
    // The last wait is the longest (base >= 1), the first with a smaller base.
    return tries >= 0 && std::isfinite(timeoutS) && timeoutS > 0 && std::isfinite(base) && base > 0 &&
           std::max(waitAfter(0), waitAfter(tries)) <= kMaxRetransmitWaitS;
}

QString RetransmitSchedule::text() const
{
    QStringList set, logged;
    if (triesConfigured) set << QStringLiteral("retransmit_tries = %1").arg(tries);
    if (timeoutConfigured) set << QStringLiteral("retransmit_timeout = %1").arg(num(timeoutS));
    if (baseConfigured) set << QStringLiteral("retransmit_base = %1").arg(num(base));
    if (triesLogged) logged << QStringLiteral("giving up after %1 retransmits").arg(tries);
    if (timeoutLogged)
        logged << QStringLiteral("the first retransmission %1 s after the request").arg(num(timeoutS));
    if (baseLogged) logged << QStringLiteral("each wait %1 × the one before").arg(num(base));
    QStringList from;
    if (timeoutPlanned)
        from << QStringLiteral("retransmit_timeout = %1 as the longer-wait fix sets it").arg(num(timeoutS));
    if (!set.isEmpty()) from << QStringLiteral("strongswan.conf: %1").arg(set.join(QStringLiteral(", ")));
    if (!logged.isEmpty())
        from << QStringLiteral("charon's log (%1): %2").arg(loggedFrom, logged.join(QStringLiteral(", ")));
    const bool all = (triesConfigured || triesLogged) &&
                     (timeoutConfigured || timeoutLogged || timeoutPlanned) && (baseConfigured || baseLogged);
    if (from.isEmpty())
        from << QStringLiteral(
            "strongSwan's defaults, assumed (neither strongswan.conf nor charon's log shows it)");
    else if (!all)
        from << QStringLiteral("defaults for the rest");
    return QStringLiteral("%1 s × %2^k, %3 retransmissions, give-up %4 s after the first send; %5")
        .arg(num(timeoutS), num(base))
        .arg(tries)
        .arg(num(std::round(totalS() * 10) / 10), from.join(QStringLiteral("; ")));
}

std::vector<Fix> peerUnreachableFixes(const FixTarget &t, const PeerUnreachableParams &p)
{
    std::vector<Fix> out;
    const RetransmitSchedule &s = p.schedule;
    // More tries only for an outage that was measured and outlasts the schedule in use; timeout
    // and base stay as they are.
    if (p.outageS > 0) {
        int tries = s.tries;
        while (retransmitTotalS(tries, s.timeoutS, s.base) < 1.5 * p.outageS && tries < 12)
            ++tries;
        const double total = retransmitTotalS(tries, s.timeoutS, s.base);
        RetransmitSchedule sized = s;
        sized.tries = tries;
        if (tries > s.tries && sized.followed()) {
            const bool enough = total >= 1.5 * p.outageS;
            out.push_back(make(
                FixKind::StrongswanConf,
                QStringLiteral("Retransmit for %1 s before declaring the peer dead (strongswan.conf)")
                    .arg(std::lround(total)),
                charonSnippet({QStringLiteral("retransmit_tries = %1").arg(tries)}),
                QStringLiteral(
                    "An IKE request (DPD, rekey) is retried %1 times, Σ %2 × %3^k (k = 0..%1) = %4 s "
                    "before charon gives up, instead of %5 s now (%6). %7")
                    .arg(tries)
                    .arg(num(s.timeoutS), num(s.base))
                    .arg(std::lround(total))
                    .arg(std::lround(s.totalS()))
                    .arg(s.text(),
                         enough
                             ? QStringLiteral("That is longer than 1.5 × the %1 s outage measured, so a path "
                                              "outage of that length no longer tears the IKE_SA down.")
                                   .arg(num(std::round(p.outageS * 10) / 10))
                             : QStringLiteral("That is still shorter than 1.5 × the %1 s outage measured: "
                                              "raise retransmit_timeout as well, or rely on DPD restart.")
                                   .arg(num(std::round(p.outageS * 10) / 10))),
                QStringLiteral(
                    "A peer that is really gone is noticed later (%1 s), and traffic is black-holed "
                    "until then unless dpd_action restarts the SA.")
                    .arg(std::lround(total)),
                QStringLiteral(
                    "swanctl --reload-settings; charon's log shows 'retransmit N of request' up to N = "
                    "%1 during an outage, and no 'giving up after' for outages shorter than %2 s.")
                    .arg(tries)
                    .arg(std::lround(total)),
                undoLine(QStringLiteral("swanctl --reload-settings"),
                         s.triesConfigured || s.triesLogged
                             ? QStringLiteral("first put back retransmit_tries = %1 in strongswan.conf")
                                   .arg(s.tries)
                             : QStringLiteral("first remove the retransmit_tries line from "
                                              "strongswan.conf (default 5)"))));
        }
    }
    // DPD and restart: only what the configuration does not have yet.
    // On when configured, or when this end's own log shows it sending DPD requests.
    const bool dpdOn = p.dpdDelayS > 0 || p.dpdRequestsLogged > 0;
    // Restart in use: configured, or proven by this end's own log (which wins over a
    // configuration file that says otherwise: that file is not what ran).
    const bool restartLogged = !p.dpdRestartLogged.isEmpty();
    const bool restartOn = p.dpdAction == QLatin1String("restart") || restartLogged;
    // The file says another action than the log proves ran: the reload this fix asks for would
    // load the file's, so the snippet sets restart in its place (and the undo puts the file's back).
    const bool fileSaysOther =
        restartLogged && !p.dpdAction.isEmpty() && p.dpdAction != QLatin1String("restart");
    static const QRegularExpression word(QStringLiteral("\\A[a-z]{1,16}\\z"));
    const QString fileAction =
        word.match(p.dpdAction).hasMatch() ? p.dpdAction : QStringLiteral("(as it was)");
    // ": this end's log, charon.log line 98 'restarting CHILD_SA net', right after the give-up on line 97"
    const QString restartProof =
        !restartLogged ? QString()
        : p.dpdAction.isEmpty() || p.dpdAction == QLatin1String("restart")
            ? QStringLiteral(": this end's log, %1").arg(p.dpdRestartLogged)
            : QStringLiteral(": this end's log, %1; the configuration in the evidence says dpd_action = %2, "
                             "so it is not what ran, and the reload below would load it: the snippet sets "
                             "dpd_action = restart in its place")
                  .arg(p.dpdRestartLogged, p.dpdAction);
    QStringList conn, child;
    // No interval is proven by anything captured: a placeholder, never a number of ours that could
    // lengthen one the connection already has.
    if (!dpdOn) conn << QStringLiteral("dpd_delay = <dpd-delay>");
    conn << QStringLiteral("keyingtries = 0");
    // Only one end re-creates the SA by itself, the initiator; the responder brings it back on
    // demand (trap), or both would create one and duplicates appear.
    const bool responder = p.thisEndInitiates == 0;
    if (responder) {
        child << QStringLiteral("dpd_action = trap") << QStringLiteral("start_action = trap");
    } else {
        if (!restartOn || fileSaysOther) child << QStringLiteral("dpd_action = restart");
        child << QStringLiteral("start_action = start") << QStringLiteral("close_action = start");
    }
    out.push_back(make(
        FixKind::Swanctl,
        QStringLiteral("Detect a dead peer and bring the tunnel back by itself (swanctl.conf)"),
        swanctlSnippet(t, conn, child),
        (responder ? QStringLiteral(
                         "%1; this end is the IKE responder (the capture shows %3 sending the IKE_SA_INIT "
                         "request): when the peer is declared dead its policies stay in place as traps "
                         "(dpd_action = trap%2), so the next packet for the tunnel re-creates the SA, and "
                         "start_action = trap does the same after a reload. The initiator %3 should restart "
                         "(dpd_action = restart, start_action = start) and retry forever (keyingtries = 0).")
                   : QStringLiteral(
                         "%1; when the peer is declared dead the CHILD_SA is re-initiated (dpd_action = "
                         "restart%2) and the initiator retries forever (keyingtries = 0) instead of leaving "
                         "the tunnel down after the outage.%3"))
            .arg(
                p.dpdDelayS > 0 ? QStringLiteral("DPD is already on (dpd_delay = %1 s)").arg(num(p.dpdDelayS))
                : dpdOn
                    ? QStringLiteral("DPD is already on (this end's log shows %1 'sending DPD request'): its "
                                     "dpd_delay stays as it is")
                          .arg(p.dpdRequestsLogged)
                : p.dpdDelayS == 0
                    ? QStringLiteral("DPD is off in the configuration (dpd_delay 0s, the default): replace "
                                     "<dpd-delay> by the seconds of inbound silence after which charon "
                                     "checks the peer (nothing captured proves a value: a shorter one "
                                     "notices a dead peer sooner and costs one INFORMATIONAL exchange per "
                                     "quiet interval)")
                    : QStringLiteral("The configuration was not in the evidence: if the connection has a "
                                     "dpd_delay, keep it and drop that line; without one DPD is off (0s, "
                                     "the default) — replace <dpd-delay> by the seconds of inbound silence "
                                     "after which charon checks the peer (nothing captured proves a value: "
                                     "a shorter one notices a dead peer sooner and costs one INFORMATIONAL "
                                     "exchange per quiet interval)"),
                responder
                    ? (restartLogged ? QStringLiteral(", instead of the restart in use%1").arg(restartProof)
                       : restartOn   ? QStringLiteral(", instead of the restart configured")
                                     : QString())
                : restartLogged ? QStringLiteral(", already in use%1").arg(restartProof)
                : restartOn     ? QStringLiteral(", already configured")
                                : QString(),
                responder                 ? p.initiator
                : p.thisEndInitiates == 1 ? QStringLiteral(" This end is the IKE initiator (its IKE_SA_INIT "
                                                           "request is in the capture).")
                                          : QStringLiteral(" Which end initiates is not known from the "
                                                           "capture: use restart and start on the initiator "
                                                           "only.")),
        QStringLiteral(
            "DPD adds a small INFORMATIONAL exchange per idle period. Only one side should use restart "
            "/ start_action = start (the initiator); on both, duplicate SAs can appear (use 'trap' on "
            "the other)."),
        (responder ? QStringLiteral("After an outage: the first packet for the tunnel (or the initiator's "
                                    "restart) brings %1 back; swanctl --list-sas shows it ESTABLISHED again "
                                    "without manual action, and swanctl --list-pols lists %2 as a trap "
                                    "while it is down. Apply with ")
                   : QStringLiteral("After an outage: swanctl --list-sas shows %1 ESTABLISHED again without "
                                    "manual action; the log shows 'sending DPD request' and 'restarting "
                                    "CHILD_SA %2'. Apply with "))
                .arg(t.connection, t.child) +
            reloadSwanctl(t) + QLatin1Char('.'),
        undoLine(
            QStringLiteral("swanctl --load-conns"),
            responder && restartOn
                ? QStringLiteral("first remove the added lines from swanctl.conf and put back dpd_action = "
                                 "restart (defaults: %1keyingtries = 1, start_action = none)")
                      .arg(dpdOn ? QString() : QStringLiteral("dpd_delay = 0s, "))
            : fileSaysOther
                ? QStringLiteral("first remove the added lines from swanctl.conf and put back the file's "
                                 "dpd_action = %1 (defaults: %2keyingtries = 1, start_action = none, "
                                 "close_action = none)")
                      .arg(fileAction, dpdOn ? QString() : QStringLiteral("dpd_delay = 0s, "))
                : QStringLiteral(
                      "first remove the added lines from swanctl.conf (defaults: %1keyingtries = 1, "
                      "%2start_action = none, close_action = none)")
                      .arg(dpdOn ? QString() : QStringLiteral("dpd_delay = 0s, "),
                           restartOn ? QString() : QStringLiteral("dpd_action = clear, ")))));
    QStringList legacy;
    // dpddelay: ipsec.conf's own default (30s) applies unless the connection sets one.
    if (responder)
        legacy << QStringLiteral("dpdaction=hold") << QStringLiteral("keyingtries=%forever")
               << QStringLiteral("auto=route");
    else {
        if (!restartOn || fileSaysOther) legacy << QStringLiteral("dpdaction=restart");
        legacy << QStringLiteral("keyingtries=%forever") << QStringLiteral("auto=start");
    }
    out.push_back(make(
        FixKind::IpsecConf, QStringLiteral("Detect a dead peer and restart (legacy ipsec.conf)"),
        ipsecConfSnippet(t, legacy),
        responder
            ? QStringLiteral("The ipsec.conf equivalent for the responder: on a dead peer the policies "
                             "stay as traps (dpdaction=hold, auto=route) and the next packet re-creates "
                             "the SA. DPD runs every dpddelay (30s unless the connection sets it) once "
                             "dpdaction is set.")
            : QStringLiteral("The ipsec.conf equivalent: restart on a dead peer, retry forever. DPD runs "
                             "every dpddelay (30s unless the connection sets it) once dpdaction is set."),
        QStringLiteral(
            "As above; for IKEv2 the retransmission settings decide when the peer is dead (dpdtimeout "
            "only applies to IKEv1)."),
        QStringLiteral(
            "ipsec statusall shows the connection ESTABLISHED again after an outage. Apply with ") +
            reloadIpsecConf(t) + QLatin1Char('.'),
        undoLine(
            QStringLiteral("ipsec update"),
            responder && restartOn
                ? QStringLiteral("first remove the added lines from ipsec.conf and put back "
                                 "dpdaction=restart (defaults dpddelay=30s, keyingtries=3)")
            : fileSaysOther
                ? QStringLiteral("first remove the added lines from ipsec.conf and put back the file's "
                                 "dpdaction=%1 (defaults dpddelay=30s, keyingtries=3)")
                      .arg(fileAction)
                : QStringLiteral("first remove the added lines from ipsec.conf (defaults %1dpddelay=30s, "
                                 "keyingtries=3)")
                      .arg(restartOn ? QString() : QStringLiteral("dpdaction=none, ")))));
    return out;
}

std::vector<Fix> ikeRetransmissionFixes(const FixTarget &t, std::uint32_t retransmissions,
                                        const RetransmitSchedule &schedule, const LifetimesInUse &life)
{
    std::vector<Fix> out;
    // A schedule charon does not follow sizes nothing (its give-up time may be inf: lround of it).
    if (!schedule.followed()) return out;
    const double total = schedule.totalS();
    const long marginS = std::lround(std::ceil(total / 60.0)) * 60; // whole minutes ≥ the schedule
    auto from = [](bool configured) {
        return configured ? QStringLiteral("configured") : QStringLiteral("default");
    };
    if (!t.ipsecConf) {
        QStringList conn, why;
        std::vector<std::pair<QString, QStringList>> children;
        // A rekey starts at the latest at rekey_time (rand_time only moves it earlier); the SA
        // dies at life_time (CHILD) or rekey_time + over_time (IKE). Several children whose
        // lifetimes differ, none known to be the capture's: each one's own margin.
        std::vector<LifetimesInUse::Child> each = life.eachChild;
        if (each.empty())
            each.push_back({t.child, life.childRekeyS, life.childLifeS, life.childRekeyConfigured,
                            life.childLifeConfigured});
        for (const LifetimesInUse::Child &c : each) {
            const double childMargin = c.lifeS - c.rekeyS;
            // A rekey_time no whole number of seconds can be added to (1e300 from a hostile
            // swanctl.conf: lround() of it is LONG_MIN) sizes no life_time.
            if (childMargin >= total || !(c.rekeyS + double(marginS) <= kMaxSizedTimeS)) continue;
            const long newLife = std::lround(c.rekeyS) + marginS;
            const QString name =
                life.eachChild.empty() || isValidConnectionName(c.name) ? c.name : QStringLiteral("<child>");
            children.push_back({name, {QStringLiteral("life_time = %1s").arg(newLife)}});
            why << QStringLiteral(
                       "CHILD_SA%1: life_time %2 s (%3) − rekey_time %4 s (%5) leaves %6 s; life_time = "
                       "%7 s leaves %8 s")
                       .arg(life.eachChild.empty() ? QString() : QStringLiteral(" '%1'").arg(name),
                            num(c.lifeS), from(c.lifeConfigured), num(c.rekeyS), from(c.rekeyConfigured),
                            num(std::round(childMargin * 10) / 10), QString::number(newLife),
                            QString::number(marginS));
        }
        if (!life.eachChild.empty() && !children.empty())
            why << QStringLiteral(
                       "the connection's %1 CHILD_SAs have different lifetimes and nothing ties the "
                       "capture's SAs to one: each child whose margin is short gets its own")
                       .arg(life.eachChild.size());
        if (life.ikeOverS < total) {
            conn << QStringLiteral("over_time = %1s").arg(marginS);
            why << QStringLiteral("IKE_SA: over_time %1 s (%2) after rekey_time %3 s; over_time = %4 s")
                       .arg(num(std::round(life.ikeOverS * 10) / 10), from(life.ikeOverConfigured),
                            num(life.ikeRekeyS))
                       .arg(marginS);
        }
        if (!why.isEmpty())
            out.push_back(make(
                FixKind::Swanctl,
                QStringLiteral("Leave room for retransmissions before SAs expire (swanctl.conf)"),
                swanctlChildrenSnippet(t, conn, children),
                QStringLiteral(
                    "%1 IKE request(s) had to be retransmitted. A rekey slowed by lost messages may need "
                    "up to %2 s (%3), more than the time between the rekey and the hard expiry. %4. "
                    "rekey_time and rand_time stay as they are.")
                    .arg(retransmissions)
                    .arg(std::lround(total))
                    .arg(schedule.text(), why.join(QStringLiteral("; "))),
                QStringLiteral(
                    "Keys can live up to %1 s past the rekey time when a rekey is slow. Lost IKE "
                    "messages still point at loss on the path: look at the comparison for where they "
                    "were lost.")
                    .arg(marginS),
                QStringLiteral(
                    "swanctl --list-conns shows the new times; charon logs 'rekeyed CHILD_SA' without "
                    "'CHILD_SA ... expired' even when 'retransmit N of request' appears. Apply with ") +
                    reloadSwanctl(t) + QLatin1Char('.'),
                undoLine(
                    QStringLiteral("swanctl --load-conns"),
                    QStringLiteral("first put back the previous values in swanctl.conf (remove the added "
                                   "lines where they were not set: life_time = rekey_time + 10 %, "
                                   "over_time = 10 % of rekey_time)"))));
    } else if (life.marginS < total) {
        out.push_back(make(
            FixKind::IpsecConf,
            QStringLiteral("Leave room for retransmissions before SAs expire (ipsec.conf)"),
            ipsecConfSnippet(t, {QStringLiteral("margintime=%1s").arg(marginS)}),
            QStringLiteral(
                "%1 IKE request(s) had to be retransmitted. A rekey may need up to %2 s (%3); margintime "
                "%4 s (%5) starts it too close to the expiry. lifetime and rekeyfuzz stay as they are.")
                .arg(retransmissions)
                .arg(std::lround(total))
                .arg(schedule.text(), num(life.marginS), from(life.marginConfigured)),
            QStringLiteral("Rekeys start earlier, so SAs are rekeyed a little more often."),
            QStringLiteral(
                "ipsec statusall shows 'rekeying in' earlier; no 'expired' after retransmissions. Apply "
                "with ") +
                reloadIpsecConf(t) + QLatin1Char('.'),
            undoLine(QStringLiteral("ipsec update"),
                     QStringLiteral("first put back margintime=%1s in ipsec.conf (default 9m)")
                         .arg(num(life.marginS)))));
    }
    // A schedule shortened below strongSwan's defaults gives up during ordinary short losses.
    const RetransmitSchedule def;
    if (total < def.totalS()) {
        QStringList lines, undo;
        if (schedule.triesConfigured && schedule.tries < def.tries) {
            lines << QStringLiteral("retransmit_tries = %1").arg(def.tries);
            undo << QStringLiteral("retransmit_tries = %1").arg(schedule.tries);
        }
        if (schedule.timeoutConfigured && schedule.timeoutS < def.timeoutS) {
            lines << QStringLiteral("retransmit_timeout = %1").arg(dec(def.timeoutS));
            undo << QStringLiteral("retransmit_timeout = %1").arg(num(schedule.timeoutS));
        }
        if (schedule.baseConfigured && schedule.base < def.base) {
            lines << QStringLiteral("retransmit_base = %1").arg(dec(def.base));
            undo << QStringLiteral("retransmit_base = %1").arg(num(schedule.base));
        }
        if (!lines.isEmpty())
            out.push_back(
                make(FixKind::StrongswanConf,
                     QStringLiteral("Restore strongSwan's default retransmission schedule (strongswan.conf)"),
                     charonSnippet(lines),
                     QStringLiteral(
                         "The configured schedule (%1) gives up on a request after %2 s; the defaults retry "
                         "for %3 s (4, 7.2, 13, 23.3, 42 s, then 75.6 s to the give-up), so ordinary short "
                         "losses no longer abandon a rekey or declare the peer dead.")
                         .arg(schedule.text(), QString::number(std::lround(total)),
                              QString::number(std::lround(def.totalS()))),
                     QStringLiteral("A dead peer is noticed after %1 s rather than %2 s.")
                         .arg(std::lround(def.totalS()))
                         .arg(std::lround(total)),
                     QStringLiteral(
                         "swanctl --reload-settings; retransmissions in charon's log are spaced 4, 7.2, 13 "
                         "... s apart."),
                     undoLine(QStringLiteral("swanctl --reload-settings"),
                              QStringLiteral("first put back %1 in strongswan.conf")
                                  .arg(undo.join(QStringLiteral(", "))))));
    }
    return out;
}

std::vector<Fix> retransmitTimeoutFixes(double rttS, double waitS, const RetransmitSchedule &schedule)
{
    const RetransmitSchedule def;
    if (!(rttS > 0) || !(waitS > 0) || rttS >= def.timeoutS || waitS >= def.timeoutS) return {};
    const QString w = QString::number(waitS, 'f', 2), r = QString::number(rttS, 'f', 2);
    RetransmitSchedule now = schedule, after = schedule;
    now.timeoutS = waitS;
    after.timeoutS = def.timeoutS;
    const QString inUse =
        schedule.timeoutConfigured
            ? QStringLiteral("retransmit_timeout = %1 in strongswan.conf").arg(num(schedule.timeoutS))
            : QStringLiteral("measured: the first retransmission %1 s after its request").arg(w);
    return {make(
        FixKind::StrongswanConf,
        QStringLiteral(
            "Wait longer than the round trip before retransmitting IKE requests (strongswan.conf)"),
        charonSnippet({QStringLiteral("retransmit_timeout = %1").arg(dec(def.timeoutS))}),
        QStringLiteral(
            "charon waits %1 s (strongSwan's default) before a request's first retransmission instead "
            "of %2 s (%3): longer than the longest round trip measured, %4 s, so answers on their way "
            "are no longer chased with copies. Each later wait still grows by retransmit_base. "
            "retransmit_jitter, if set, shortens each wait by up to its percentage and retransmit_limit "
            "caps it: keep the shortest first wait above %4 s.")
            .arg(dec(def.timeoutS), w, inUse, r),
        now.followed() && after.followed()
            ? QStringLiteral(
                  "A request that is really lost is sent again after %1 s rather than %2 s; with "
                  "retransmit_tries and retransmit_base as they are, a dead peer is given up on %3 s "
                  "after the first send rather than %4 s.")
                  .arg(dec(def.timeoutS), w, num(std::round(after.totalS() * 10) / 10),
                       num(std::round(now.totalS() * 10) / 10))
            : QStringLiteral(
                  "A request that is really lost is sent again after %1 s rather than %2 s, and a dead "
                  "peer is given up on later by the same factor.")
                  .arg(dec(def.timeoutS), w),
        QStringLiteral(
            "swanctl --reload-settings; charon reads the wait when it creates an IKE_SA, so existing "
            "IKE_SAs keep the old one until they are rekeyed or set up again. After that, an exchange "
            "answered within %1 s no longer shows 'retransmit 1 of request' in charon's log, and a "
            "capture shows its request once.")
            .arg(r),
        undoLine(QStringLiteral("swanctl --reload-settings"),
                 schedule.timeoutConfigured
                     ? QStringLiteral("first put back retransmit_timeout = %1 in strongswan.conf")
                           .arg(num(schedule.timeoutS))
                     : QStringLiteral("first remove the retransmit_timeout line again (the wait in use "
                                      "was %1 s, measured; find where it is set: grep -r retransmit_timeout "
                                      "/etc/strongswan.conf /etc/strongswan.d)")
                           .arg(w)))};
}

// ---------------------------------------------------------------- ESP blocked

namespace {

/// `s` with its first letter upper case: a FixTarget's host words at the start of a sentence.
QString sentence(QString s)
{
    if (!s.isEmpty()) s[0] = s[0].toUpper();
    return s;
}

/// The comment that replaces a filter fix's part for the target's host when its own capture
/// proves the traffic never reached it (`why`): a capture sees arriving packets before the host's
/// firewall.
QString notOnThisHost(const FixTarget &t, const QString &why)
{
    return QStringLiteral("# Nothing to add on %1: %2.\n").arg(t.host, oneLine(why, 400));
}

/// The sentence a filter fix's "changes" ends with when nothing in it is for the target's host.
QString onlyOnTheFirewall(const FixTarget &t, const QString &notHere)
{
    return notHere.isEmpty() ? QString()
                             : QStringLiteral(" Only on the firewall between the peers: nothing is added on "
                                              "%1 (the first line says why).")
                                   .arg(t.host);
}

/// The nft filter fix's "changes": the host's input chains, or only the firewall between.
QString nftAcceptChanges(const FixTarget &t, const QString &what, const QString &notHere)
{
    return notHere.isEmpty()
               ? QStringLiteral("Accepts %1 from %2 to %3 before anything in %4 input chains can "
                                "drop it.")
                     .arg(what, t.peerAddress, t.localAddress, t.hostsOwn)
               : QStringLiteral("Accepts %1 between %2 and %3 in the forward chains of the firewall between "
                                "them.%4")
                     .arg(what, t.peerAddress, t.localAddress, onlyOnTheFirewall(t, notHere));
}

struct NftAcceptRule
{
    QString match, tag;
};

/// The nft part of a filter fix on this host: each rule inserted at the top of every base chain
/// on the input hook of this host's own ruleset (FixTarget::nftInputChains, from its evidence) of
/// the address family, once (a second run finds it by its comment), undone by deleting exactly
/// the rules that carry the comment. An accept in a table of our own would not help: a drop in
/// any base chain on the hook is final. Without the host's ruleset the fix is only a comment
/// saying what to add where; `forward` are the rules for a firewall between the peers, always
/// commented. Addresses are validated by fixTarget (or placeholders, which keep the fix from
/// running); table and chain names by fixTarget too.
struct NftAcceptText
{
    QString text, verify, undo;
};

NftAcceptText nftAccepts(const FixTarget &t, const std::vector<NftAcceptRule> &rules,
                         const QStringList &forward, const QString &what, const QString &notHere)
{
    NftAcceptText out;
    const bool v6 = t.peerAddress.contains(QLatin1Char(':')) || t.localAddress.contains(QLatin1Char(':'));
    const QString comment = QStringLiteral("ikev2wb-tunnel %1").arg(t.peerAddress);
    const auto rule = [&](const NftAcceptRule &r) {
        return QStringLiteral("%1 counter accept comment \"%2 %3\"").arg(r.match, comment, r.tag);
    };
    std::vector<FixTarget::NftChain> chains;
    for (const FixTarget::NftChain &c : t.nftInputChains)
        if (c.family == QLatin1String("inet") ||
            c.family == (v6 ? QLatin1String("ip6") : QLatin1String("ip")))
            chains.push_back(c);
    QString forwardText =
        QStringLiteral("# On a Linux firewall between the peers (run there, in the base chains on "
                       "its forward hook: nft list chains shows them):\n");
    for (const QString &f : forward)
        forwardText += QStringLiteral("# nft insert rule FAMILY TABLE CHAIN %1\n").arg(shq(f));
    if (!notHere.isEmpty()) {
        out.text = notOnThisHost(t, notHere) + forwardText;
        out.verify = QStringLiteral("on the firewall: nft list ruleset shows the accept rules and their "
                                    "counters grow; on %1 the inbound SA's counter (ip -s xfrm state) "
                                    "grows.")
                         .arg(t.host);
        out.undo = undoLine(QString(), QStringLiteral("nothing was added on %1; on the firewall, nft -a "
                                                      "list chain FAMILY TABLE CHAIN shows the added rules' "
                                                      "handles: nft delete rule FAMILY TABLE CHAIN handle N "
                                                      "for each")
                                           .arg(t.host));
        return out;
    }
    if (!t.nftKnown || (chains.empty() && t.nftChainsRefused > 0)) {
        out.text =
            QStringLiteral(
                "# %1, so no chain is named here. Insert "
                "these at the top of every base chain\n"
                "# on the input hook (nft list chains | grep -B 1 'hook input' shows them); an accept "
                "in a table of its own does not\n"
                "# stop a drop in another base chain:\n")
                .arg(
                    t.nftKnown
                        ? QStringLiteral("The input-hook chains of %1 nft ruleset have "
                                         "names this tool does not pass to nft (see the notes)")
                              .arg(t.hostsOwn)
                        : QStringLiteral("%1 nft ruleset was not in the evidence").arg(sentence(t.hostsOwn)));
        for (const NftAcceptRule &r : rules)
            out.text += QStringLiteral("# nft insert rule FAMILY TABLE CHAIN %1\n").arg(shq(rule(r)));
        out.text += forwardText;
        out.verify = QStringLiteral("nft list ruleset | grep ikev2wb-tunnel: the rules' counters grow; the "
                                    "inbound SA's counter (ip -s xfrm state) grows.");
        out.undo =
            undoLine(QString(), QStringLiteral("nft -a list ruleset | grep ikev2wb-tunnel shows each added "
                                               "rule's handle; nft delete rule FAMILY TABLE CHAIN handle N "
                                               "for each"));
        return out;
    }
    if (chains.empty()) {
        out.text = QStringLiteral(
                       "# %4 nft ruleset (%1) has no base chain on the input hook for %2: "
                       "nothing to add on that hook for %3 on %5 (a drop rule in a chain on another hook, "
                       "such as prerouting, is answered in that chain by its firewall_drop fix).\n")
                       .arg(oneLine(t.nftSource, 200), v6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4"),
                            what, sentence(t.hostsOwn), t.host) +
                   forwardText;
        out.verify = QStringLiteral("nft list chains | grep 'hook input' lists no chain for the family.");
        out.undo = undoLine(QString(), QStringLiteral("nothing was added on %1").arg(t.host));
        return out;
    }
    out.text = QStringLiteral("# %2 base chains on the input hook in its nft ruleset (%1): an accept "
                              "goes into each of them\n"
                              "# (a drop in any base chain on the hook is final). Each rule is added once: a "
                              "second run finds it by its comment.\n")
                   .arg(oneLine(t.nftSource, 200), sentence(t.hostsOwn));
    QStringList undo;
    for (const FixTarget::NftChain &c : chains) {
        const QString where = QStringLiteral("%1 %2 %3").arg(c.family, shq(c.table), shq(c.chain));
        out.text += QStringLiteral("nft list chain %1 > /dev/null || { echo %2 >&2; exit 1; }\n")
                        .arg(where, shq(QStringLiteral("chain %1 %2 %3 is not in the ruleset any more "
                                                       "(changed since the evidence): nothing changed here")
                                            .arg(c.family, c.table, c.chain)));
    }
    for (const FixTarget::NftChain &c : chains) {
        const QString where = QStringLiteral("%1 %2 %3").arg(c.family, shq(c.table), shq(c.chain));
        // grep reads the whole listing (no -q): nft never gets SIGPIPE, which pipefail would
        // take for "not found" and add the rule twice.
        for (const NftAcceptRule &r : rules)
            out.text +=
                QStringLiteral("nft list chain %1 | grep -F -e %2 > /dev/null || nft insert rule %1 %3\n")
                    .arg(where, shq(QStringLiteral("comment \"%1 %2\"").arg(comment, r.tag)), shq(rule(r)));
        undo << QStringLiteral(
                    "for h in $(nft -a list chain %1 | awk -v c=%2 'index($0, c) {print $NF}'); do "
                    "nft delete rule %1 handle \"$h\"; done")
                    .arg(where, shq(QStringLiteral("comment \"%1 ").arg(comment)));
    }
    if (t.nftChainsRefused > 0)
        out.text +=
            QStringLiteral("# %1 more base chain(s) on the input hook have names this tool does not pass "
                           "to nft (see the notes): insert the same rules there by hand.\n")
                .arg(t.nftChainsRefused);
    out.text += forwardText;
    out.verify =
        QStringLiteral("nft list ruleset | grep ikev2wb-tunnel shows the rules at the top of the input "
                       "chains and their counters grow; the inbound SA's counter (ip -s xfrm state) "
                       "grows.");
    out.undo =
        undoLine(undo.join(QStringLiteral("; ")),
                 QStringLiteral("deletes exactly the rules whose comment starts with '%1 '").arg(comment));
    return out;
}

/// iptables for IPv4 ends, ip6tables when an end is IPv6 (iptables refuses an IPv6 address).
QString iptablesFor(const FixTarget &t)
{
    return t.peerAddress.contains(QLatin1Char(':')) || t.localAddress.contains(QLatin1Char(':'))
               ? QStringLiteral("ip6tables")
               : QStringLiteral("iptables");
}

/// The iptables part of a filter fix: this host's INPUT accept for what the peer sends it (or,
/// with `notHere`, a comment saying why this host has nothing to add) and, commented, the two
/// FORWARD accepts for a Linux firewall between the peers. `in`/`out`: the rule's match for
/// peer → this host and this host → peer.
struct IptablesAcceptText
{
    QString text, verify, undo;
};

IptablesAcceptText iptablesAccepts(const FixTarget &t, const QString &in, const QString &out,
                                   const QString &notHere)
{
    const QString ipt = iptablesFor(t);
    IptablesAcceptText r;
    r.text =
        (notHere.isEmpty() ? QStringLiteral("# On %1:\n%2\n")
                                 .arg(t.host, addRuleOnce(ipt, QString(), QStringLiteral("INPUT"),
                                                          QStringLiteral("-I INPUT"), in))
                           : notOnThisHost(t, notHere)) +
        QStringLiteral("# On a Linux firewall between the peers (run there, adapted to the one that drops "
                       "it):\n# %1\n# %2\n")
            .arg(addRuleOnce(ipt, QString(), QStringLiteral("FORWARD"), QStringLiteral("-I FORWARD"), in),
                 addRuleOnce(ipt, QString(), QStringLiteral("FORWARD"), QStringLiteral("-I FORWARD"), out));
    const QString forwardUndo =
        QStringLiteral("on the firewall between the peers: %1 -D FORWARD %2; %1 -D FORWARD %3")
            .arg(ipt, in, out);
    if (notHere.isEmpty()) {
        r.verify =
            QStringLiteral("%1 -L INPUT -v -n (and FORWARD on the firewall): the ACCEPT rules count "
                           "packets; swanctl --list-sas shows the inbound SA's packet counter growing.")
                .arg(ipt);
        r.undo = undoLine(QStringLiteral("%1 -D INPUT %2").arg(ipt, in), forwardUndo);
    } else {
        r.verify =
            QStringLiteral("on the firewall, %1 -L FORWARD -v -n: the ACCEPT rules count packets; on %2 "
                           "swanctl --list-sas shows the inbound SA's packet counter growing.")
                .arg(ipt, t.host);
        r.undo = undoLine(QString(), QStringLiteral("nothing was added on %1; ").arg(t.host) + forwardUndo);
    }
    return r;
}

/// Accept rules for UDP between the peers with port 500 and/or 4500 on either end (the NAT may
/// have changed the other port): the carrier of IKE and of ESP-in-UDP.
std::vector<Fix> udpAcceptFixes(const FixTarget &t, EspCarrier carrier, const QString &notHere)
{
    std::vector<Fix> out;
    const bool ike = carrier == EspCarrier::Ike;
    const QString ports = ike ? QStringLiteral("500,4500") : QStringLiteral("4500");
    const QString what =
        ike ? QStringLiteral("IKE (UDP 500 and 4500)") : QStringLiteral("ESP-in-UDP (UDP 4500, RFC 3948)");
    const QString rule = QStringLiteral("-p udp -s %1 -d %2 -m multiport --ports %3 -j ACCEPT");
    const IptablesAcceptText i =
        iptablesAccepts(t, rule.arg(shq(t.peerAddress), shq(t.localAddress), ports),
                        rule.arg(shq(t.localAddress), shq(t.peerAddress), ports), notHere);
    out.push_back(make(
        FixKind::Iptables, QStringLiteral("Let %1 through the filter").arg(what),
        QStringLiteral("# The tunnel travels as %1: rules for IP protocol 50 or forcing UDP encapsulation "
                       "change nothing here.\n")
                .arg(what) +
            i.text,
        QStringLiteral("Accepts UDP between %1 and %2 with port %3 at either end (a NAT may have changed the "
                       "other port), ahead of the rules that drop it.%4")
            .arg(t.localAddress, t.peerAddress, ports, onlyOnTheFirewall(t, notHere)),
        QStringLiteral(
            "Opens only UDP %1 between the two addresses. Behind a NAT the peer's address is the NAT's "
            "public one. If a provider or DPI box drops it, these rules cannot help: ask the operator, "
            "or use another path.")
            .arg(ports),
        i.verify, i.undo));
    const QString set = ike ? QStringLiteral("{ 500, 4500 }") : QStringLiteral("4500");
    const QString ipf = t.peerAddress.contains(QLatin1Char(':')) || t.localAddress.contains(QLatin1Char(':'))
                            ? QStringLiteral("ip6")
                            : QStringLiteral("ip");
    const auto udp = [&](const QString &from, const QString &to, const char *dir) {
        return QStringLiteral("%1 saddr %2 %1 daddr %3 udp %4 %5")
            .arg(ipf, from, to, QLatin1String(dir), set);
    };
    const NftAcceptText n =
        nftAccepts(t,
                   {{udp(t.peerAddress, t.localAddress, "dport"), QStringLiteral("udp-dport")},
                    {udp(t.peerAddress, t.localAddress, "sport"), QStringLiteral("udp-sport")}},
                   {udp(t.peerAddress, t.localAddress, "dport") + QStringLiteral(" accept"),
                    udp(t.peerAddress, t.localAddress, "sport") + QStringLiteral(" accept"),
                    udp(t.localAddress, t.peerAddress, "dport") + QStringLiteral(" accept"),
                    udp(t.localAddress, t.peerAddress, "sport") + QStringLiteral(" accept")},
                   what, notHere);
    out.push_back(make(FixKind::Nftables, QStringLiteral("Let %1 through the filter (nftables)").arg(what),
                       n.text, nftAcceptChanges(t, what, notHere),
                       QStringLiteral("Opens only UDP %1 between the two addresses, ahead of every rule of "
                                      "those chains (also their logging or rate limits for it).")
                           .arg(ports),
                       n.verify, n.undo));
    return out;
}

} // namespace

const char *espCarrierName(EspCarrier c)
{
    switch (c) {
    case EspCarrier::Esp:
        return "esp";
    case EspCarrier::UdpEncap:
        return "udp_4500";
    case EspCarrier::Ike:
        return "ike";
    }
    return "esp";
}

std::vector<Fix> espBlockedFixes(const FixTarget &t, EspCarrier carrier, int tunnelMtuNatT, int pathMtu,
                                 const QString &notHere)
{
    if (carrier != EspCarrier::Esp) return udpAcceptFixes(t, carrier, notHere);
    std::vector<Fix> out;
    const QString rule = QStringLiteral("-p esp -s %1 -d %2 -j ACCEPT");
    const IptablesAcceptText i = iptablesAccepts(t, rule.arg(shq(t.peerAddress), shq(t.localAddress)),
                                                 rule.arg(shq(t.localAddress), shq(t.peerAddress)), notHere);
    out.push_back(
        make(FixKind::Iptables, QStringLiteral("Let ESP (IP protocol 50) through the filter"), i.text,
             QStringLiteral("Accepts ESP between %1 and %2 ahead of the rules that drop it; IKE (UDP "
                            "500/4500) already passes, so only ESP was filtered.%3")
                 .arg(t.localAddress, t.peerAddress, onlyOnTheFirewall(t, notHere)),
             QStringLiteral("Opens IP protocol 50 between the two gateways only. If the filter belongs "
                            "to a provider or DPI box you do not control, use UDP encapsulation instead "
                            "(next fix)."),
             i.verify, i.undo));
    {
        const QString ipf =
            t.peerAddress.contains(QLatin1Char(':')) || t.localAddress.contains(QLatin1Char(':'))
                ? QStringLiteral("ip6")
                : QStringLiteral("ip");
        const auto esp = [&](const QString &from, const QString &to) {
            return QStringLiteral("%1 saddr %2 %1 daddr %3 meta l4proto esp").arg(ipf, from, to);
        };
        const NftAcceptText n = nftAccepts(t, {{esp(t.peerAddress, t.localAddress), QStringLiteral("esp")}},
                                           {esp(t.peerAddress, t.localAddress) + QStringLiteral(" accept"),
                                            esp(t.localAddress, t.peerAddress) + QStringLiteral(" accept")},
                                           QStringLiteral("ESP"), notHere);
        out.push_back(
            make(FixKind::Nftables, QStringLiteral("Let ESP through the filter (nftables)"), n.text,
                 nftAcceptChanges(t, QStringLiteral("ESP"), notHere),
                 QStringLiteral("Opens IP protocol 50 between the two gateways only, ahead of every "
                                "rule of those chains. If the filter belongs to a provider or DPI box "
                                "you do not control, use UDP encapsulation instead."),
                 n.verify, n.undo));
    }
    out.push_back(make(
        FixKind::Swanctl, QStringLiteral("Or: wrap ESP in UDP 4500 (encap = yes)"),
        swanctlSnippet(t, {QStringLiteral("encap = yes")}, {}),
        QStringLiteral("Forces RFC 3948 UDP encapsulation even without NAT, so ESP travels as UDP 4500 "
                       "like IKE does and "
                       "passes filters that drop IP protocol 50."),
        QStringLiteral("8 more bytes per packet: the inner MTU for a %1-byte path drops to %2 (MSS %3); "
                       "UDP 4500 must be "
                       "allowed both ways.")
            .arg(pathMtu)
            .arg(tunnelMtuNatT)
            .arg(tunnelMtuNatT - 40),
        QStringLiteral("ip xfrm state shows 'encap type espinudp sport 4500 dport 4500'; tcpdump -ni %1 "
                       "udp port 4500 shows "
                       "the tunnel's traffic. Apply with ")
                .arg(shq(t.wanInterface)) +
            reloadSwanctl(t) + QLatin1Char('.'),
        undoLine(reloadSwanctlCommands(t),
                 QStringLiteral("first remove encap = yes from swanctl.conf (default no); re-establishing "
                                "the SA is a short interruption"))));
    out.push_back(make(
        FixKind::IpsecConf, QStringLiteral("Or: wrap ESP in UDP 4500 (legacy ipsec.conf)"),
        ipsecConfSnippet(t, {QStringLiteral("forceencaps=yes")}),
        QStringLiteral("The ipsec.conf equivalent of encap = yes."),
        QStringLiteral("8 more bytes per packet (inner MTU %1 for a %2-byte path).")
            .arg(tunnelMtuNatT)
            .arg(pathMtu),
        QStringLiteral("ip xfrm state shows 'encap type espinudp'. Apply with ") + reloadIpsecConf(t) +
            QLatin1Char('.'),
        undoLine(reloadIpsecConfCommands(t),
                 QStringLiteral("first remove forceencaps=yes from ipsec.conf; restarting the connection is "
                                "a short interruption"))));
    return out;
}

// ---------------------------------------------------------------- IKE fragmentation

std::vector<Fix> ikeFragmentationFixes(const FixTarget &t, const IkeFragmentationParams &p)
{
    std::vector<Fix> out;
    auto side = [](int a) {
        return a > 0    ? QStringLiteral("announced it")
               : a == 0 ? QStringLiteral("did not announce it")
                        : QStringLiteral("was not captured");
    };
    const QString seen = QStringLiteral("IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT: the initiator %1, the "
                                        "responder %2.")
                             .arg(side(p.initiatorAnnounces), side(p.responderAnnounces));
    const QString was = !p.configured.isEmpty() ? QStringLiteral("fragmentation = %1 now").arg(p.configured)
                        : p.configKnown ? QStringLiteral("the configuration leaves it at the default (yes)")
                                        : QStringLiteral("the configuration is not in the evidence");
    using Bound = IkeFragmentationParams::Bound;
    // A link MTU bounds the path from above only: it proves 1280 does not fit when below it, never
    // that 1280 fits. A size proven delivered bounds it from below only: it proves 1280 fits when
    // at least that, and below 1280 is a size that passes, not the path's MTU.
    const bool sizeProven = p.provenPathMtu >= 576 && !(p.bound == Bound::AtMost && p.provenPathMtu >= 1280);
    const QString provenBy =
        p.provenBy.isEmpty() ? QStringLiteral("the path MTU an ICMP error reported") : p.provenBy;
    // What fragmentation = yes would send: fragments of charon.fragment_size (default 1280, DOMAIN.md).
    const QString fragmentSize =
        !sizeProven ? QStringLiteral(
                          "No path MTU is proven here%2, so whether the default fragment_size (1280 bytes) "
                          "fits the path is not known: a path below 1280 bytes needs fragment_size at "
                          "most its MTU (ikev2wb probe %1 measures it).")
                          .arg(t.peerAddress,
                               p.bound == Bound::AtMost && p.provenPathMtu >= 1280
                                   ? QStringLiteral(
                                         " (%1, %2 bytes, is only an upper bound: a smaller link elsewhere "
                                         "is not excluded)")
                                         .arg(provenBy, QString::number(p.provenPathMtu))
                                   : QString())
        : p.provenPathMtu < 1280 && p.bound == Bound::AtLeast
            ? QStringLiteral("Packets of %1 bytes are proven to pass (%2), 1280 is not: the default "
                             "fragment_size (1280 bytes) is not proven to fit, so fragment_size %1, a size "
                             "that passes, is set too (the strongswan.conf fix).")
                  .arg(QString::number(p.provenPathMtu), provenBy)
        : p.provenPathMtu < 1280
            ? QStringLiteral(
                  "The default fragment_size (1280 bytes) does not fit a path of %3%1 bytes (%2): each IKE "
                  "fragment would be IP-fragmented again, so set fragment_size too (the strongswan.conf "
                  "fix).")
                  .arg(QString::number(p.provenPathMtu), provenBy,
                       p.bound == Bound::AtMost ? QStringLiteral("at most ") : QString())
            : QStringLiteral(
                  "The path carries %1 bytes (%2), so the default fragment_size (1280 bytes) fits.")
                  .arg(QString::number(p.provenPathMtu), provenBy);
    // The request was sent as RFC 7383 fragments: fragmentation = yes is in use on the sender and
    // the peer announced it; setting it changes nothing, the fragments' size is what must change.
    if (!p.fragmentsInUse) {
        out.push_back(make(
            FixKind::Swanctl, QStringLiteral("Use IKEv2 fragmentation on both ends (swanctl.conf)"),
            // The names are this end's: the peer has its own for the same tunnel.
            QStringLiteral("# on this end; on the peer, the same line in its own connection's section\n") +
                swanctlSnippet(t, {QStringLiteral("fragmentation = yes")}, {}),
            QStringLiteral(
                "charon announces IKEv2 fragmentation (RFC 7383) in IKE_SA_INIT and, when the peer announces "
                "it "
                "too, sends large messages (IKE_AUTH with certificates) as encrypted IKE fragments, each a "
                "whole UDP datagram no larger than charon.fragment_size (default 1280 bytes), instead of one "
                "datagram the kernel splits into IP fragments that filters drop. %1 On this host: %2. %3")
                .arg(seen, was, fragmentSize),
            QStringLiteral(
                "Only helps when both ends support RFC 7383 (strongSwan ≥ 5.2.1, Windows 10 1803 and later, "
                "current macOS/iOS and Android clients); IKE_SA_INIT itself is never fragmented. A few "
                "more packets per large exchange."),
            QStringLiteral(
                "charon's log shows 'splitting IKE message (N bytes) into M fragments' and the peer's "
                "'received fragment #i of M'; tcpdump -ni %1 'ip[6:2] & 0x3fff != 0' (IP fragments) stays "
                "silent during IKE_AUTH; the IKE_SA establishes. Apply with ")
                    .arg(shq(t.wanInterface)) +
                reloadSwanctl(t) + QLatin1Char('.'),
            undoLine(QStringLiteral("swanctl --load-conns"),
                     QStringLiteral("first put back the previous fragmentation value in swanctl.conf (%1)")
                         .arg(p.configured.isEmpty() ? QStringLiteral("remove the line")
                                                     : oneLine(p.configured, 100)))));
        out.push_back(make(
            FixKind::IpsecConf, QStringLiteral("Use IKEv2 fragmentation (legacy ipsec.conf)"),
            ipsecConfSnippet(t, {QStringLiteral("fragmentation=yes")}),
            QStringLiteral("The ipsec.conf equivalent of fragmentation = yes (RFC 7383 for IKEv2)."),
            QStringLiteral("As above: both ends must support it."),
            QStringLiteral("As above. Apply with ") + reloadIpsecConf(t) + QLatin1Char('.'),
            undoLine(reloadIpsecConfCommands(t),
                     QStringLiteral("first remove the line from ipsec.conf (default yes) or put back the old "
                                    "value; restarting the connection is a short interruption"))));
    }
    if (sizeProven && p.provenPathMtu < 1280)
        out.push_back(
            make(FixKind::StrongswanConf,
                 QStringLiteral("Keep IKE fragments below the %1-byte path MTU (strongswan.conf)")
                     .arg(p.provenPathMtu),
                 charonSnippet({QStringLiteral("fragment_size = %1").arg(p.provenPathMtu)}),
                 QStringLiteral("IKE fragments (whole IP datagrams) are at most %1 bytes, %2, instead of the "
                                "default 1280.")
                     .arg(QString::number(p.provenPathMtu), provenBy),
                 QStringLiteral("More fragments per large message."),
                 QStringLiteral(
                     "swanctl --reload-settings; 'splitting IKE message' in charon's log; no IKE datagram "
                     "above %1 bytes in a capture.")
                     .arg(p.provenPathMtu),
                 undoLine(QStringLiteral("swanctl --reload-settings"),
                          QStringLiteral(
                              "first remove the fragment_size line from strongswan.conf (default 1280)"))));
    // What the gateway's setting does depends on whether fragments are in use already: then it is
    // not what fails (the rule says "setting fragmentation = yes changes nothing"), and each side's
    // fragments have that side's size.
    const QString gatewaySide =
        p.fragmentsInUse
            ? QStringLiteral(
                  "Here IKEv2 fragmentation is in use already (the requests went out as RFC 7383\n"
                  "  fragments), so the gateway's fragmentation setting is not what fails: the fragments\n"
                  "  are larger than the path. Each side sizes its own fragments: the gateway's by\n"
                  "  charon.fragment_size in its strongswan.conf, a client's by the client (no setting on\n"
                  "  Windows, macOS or iOS devices), so a client whose fragments do not fit needs smaller\n"
                  "  IKE_AUTH messages (below) or a path that passes IP fragments.\n")
            : QStringLiteral(
                  "The gateway must announce it too: fragmentation = yes (strongSwan's default) in its\n"
                  "  connection, which also fragments the gateway's own large messages; accept announces\n"
                  "  it without fragmenting the gateway's messages; no turns it off.\n");
    out.push_back(make(
        FixKind::ClientSettings,
        QStringLiteral("Remote-access clients: IKEv2 fragmentation and smaller certificates"),
        QStringLiteral(
            "Windows (built-in IKEv2 client): supports IKEv2 fragmentation from Windows 10 1803 on; older\n"
            "  versions fail with error 809 when IKE_AUTH is fragmented by IP. Update the client, or make\n"
            "  IKE_AUTH smaller (below).\n"
            "macOS / iOS (built-in IKEv2): recent versions announce IKEv2 fragmentation themselves; there\n"
            "  is no setting on the device.\n"
            "Android: the strongSwan VPN Client app uses IKEv2 fragmentation by default; the built-in\n"
            "  IKEv2/IPsec client (Android 11 and later) announces it too.\n") +
            gatewaySide +
            QStringLiteral(
                "Any client: a capture of its IKE_SA_INIT shows whether it sends "
                "IKEV2_FRAGMENTATION_SUPPORTED.\n"
                "Smaller IKE_AUTH: ECDSA (P-256/P-384) or 2048-bit RSA certificates instead of RSA 4096, no\n"
                "  intermediate certificates sent that the peer already has, fewer CERTREQ payloads.\n"),
        QStringLiteral(
            "Gets large IKE_AUTH messages through paths that drop IP fragments without touching the path. "
            "%1")
            .arg(seen),
        QStringLiteral("Client versions that lack RFC 7383 need smaller certificates or a path that passes "
                       "fragments."),
        QStringLiteral(
            "The client connects; the gateway's log shows 'received fragment #i of n' during IKE_AUTH."),
        undoLine(QString(),
                 QStringLiteral("nothing to undo on the gateway; re-issue the old certificates if they "
                                "were replaced"))));
    out.push_back(make(
        FixKind::Iptables, QStringLiteral("Or: find and fix the box that drops IP fragments"),
        QStringLiteral("# Non-first IP fragments carry no UDP header, so port-based filters (ACLs matching\n"
                       "# UDP 500/4500, cloud security groups, some NAT/CGN and DSL/LTE routers) drop them.\n"
                       "# Nothing here runs on this host: these are steps for the path and its boxes.\n"
                       "# Capture on both sides of each hop and compare what arrives (Ctrl-C ends it):\n"
                       "#   tcpdump -ni %1 %2\n"
                       "# On a Linux firewall you run, a rule like this one is the cause (iptables -f):\n"
                       "#   iptables -S FORWARD | grep -e ' -f '\n"
                       "# There, accept fragments between the peers ahead of it:\n"
                       "#   iptables -I FORWARD -f -s %3 -d %4 -j ACCEPT\n"
                       "#   iptables -I FORWARD -f -s %4 -d %3 -j ACCEPT\n")
            .arg(
                shq(t.wanInterface),
                shq(QStringLiteral("host %1 and (udp port 500 or ip[6:2] & 0x1fff != 0)").arg(t.peerAddress)),
                shq(t.localAddress), shq(t.peerAddress)),
        QStringLiteral(
            "Lets the later fragments of large IKE datagrams between %1 and %2 through a Linux filter "
            "that drops fragments.")
            .arg(t.localAddress, t.peerAddress),
        QStringLiteral(
            "Fragments can be used to slip past filters: accept them only between the two peers. A "
            "box you do not control needs its operator; IKEv2 fragmentation avoids the question."),
        QStringLiteral(
            "The capture at the peer shows the non-first fragments (offset ≠ 0) of IKE_AUTH and the "
            "IKE_SA establishes."),
        undoLine(QString(),
                 QStringLiteral("on that firewall: iptables -D FORWARD -f -s %1 -d %2 -j ACCEPT; iptables "
                                "-D FORWARD -f -s %2 -d %1 -j ACCEPT")
                     .arg(shq(t.localAddress), shq(t.peerAddress)))));
    return out;
}

// ---------------------------------------------------------------- host: IPsec bypassed

std::vector<Fix> ipsecBypassFixes(const QStringList &keys)
{
    std::vector<Fix> out;
    if (keys.isEmpty()) return out;
    QString text, undo, verify;
    for (const QString &k : keys) {
        // The value when the fix runs is saved and the undo puts back exactly that: the evidence's
        // 1 may be out of date, and an undo writing 1 would then turn IPsec off on an interface
        // where it was on. A VLAN key's '/' (eth0/100) is no folder in the file's name.
        const QString saved = QString(k).replace(QLatin1Char('/'), QStringLiteral("%2F"));
        text += saveOnce(saved, QStringLiteral("sysctl -n %1").arg(shq(k)));
        if (!k.endsWith(QLatin1String(".disable_policy"))) {
            text += QStringLiteral("sysctl -w %1\n").arg(shq(k + QStringLiteral("=0")));
        } else {
            // A VTI or XFRM interface needs disable_policy = 1 whatever its name: the kernel's own
            // kind of the device decides (ip -j: iproute2's JSON, "info_kind":"vti"/"vti6"/"xfrm").
            const QString dev =
                k.section(QLatin1Char('.'), 3, -2).replace(QLatin1Char('/'), QLatin1Char('.'));
            text +=
                QStringLiteral("case \"$(ip -j -d link show dev %1 2>/dev/null)\" in\n"
                               "'') echo %2 >&2 ;;\n"
                               "*'\"info_kind\":\"vti'*|*'\"info_kind\":\"xfrm\"'*) echo %3 >&2 ;;\n"
                               "*) sysctl -w %4 ;;\n"
                               "esac\n")
                    .arg(shq(dev),
                         shq(QStringLiteral("%1: ip -j -d link show gives nothing (no such interface, or "
                                            "an iproute2 without JSON): its disable_policy is left as it is")
                                 .arg(dev)),
                         shq(QStringLiteral("%1 is a VTI or XFRM interface, which needs disable_policy = "
                                            "1: left as it is")
                                 .arg(dev)),
                         shq(k + QStringLiteral("=0")));
        }
        undo += QStringLiteral("sysctl -w %1=%2 && %3; ").arg(shq(k), savedValue(saved), forgetSaved(saved));
        verify += QStringLiteral(" %1").arg(shq(k));
    }
    undo.chop(2);
    out.push_back(make(
        FixKind::Sysctl, QStringLiteral("Let the kernel apply IPsec on these interfaces again"), text,
        QStringLiteral(
            "disable_xfrm = 1 sends packets out of the interface without IPsec whatever the policy "
            "says; disable_policy = 1 accepts inbound packets without checking them against the "
            "IPsec policy. Set back to 0, the policies strongSwan installs apply again."),
        QStringLiteral(
            "Route-based tunnels need disable_policy = 1 on their VTI/XFRM interface: keep it there "
            "(interfaces the evidence shows as such are not listed, and the fix asks the kernel for each "
            "interface's kind before it changes disable_policy). Not persistent: change /etc/sysctl.d/ once "
            "verified."),
        QStringLiteral("sysctl%1 prints 0; ip -s xfrm state shows the SAs' packet counters growing with the "
                       "traffic.")
            .arg(verify),
        undoLine(undo, QStringLiteral("the values saved in %1 before the change").arg(kSavedDir))));
    return out;
}

// ---------------------------------------------------------------- host: offload, receive drops

std::vector<Fix> offloadFixes(const FixTarget &t)
{
    std::vector<Fix> out;
    const QString qi = shq(t.wanInterface);
    // The file name holds the interface name: validated by fixTarget or a placeholder, quoted by
    // saveOnce. The three features as ethtool -k shows them now (`NAME on|off` lines) are saved,
    // and the undo sets exactly those values again: GRO off before stays off (veth, many VMs),
    // an ESP offload the NIC cannot turn on is not asked for (ethtool -K would fail).
    const QString saved = QStringLiteral("offload-") + t.wanInterface;
    out.push_back(make(
        FixKind::Ethtool,
        QStringLiteral("Turn ESP and receive offloads off on %1 to rule them out").arg(t.wanInterface),
        QStringLiteral("# For diagnosis: if the errors stop, the NIC offload (or its driver) is at fault.\n"
                       "# The features' settings now (ethtool -k) are saved for the undo:\n") +
            saveOnce(
                saved,
                QStringLiteral("ethtool -k %1 | awk -F ': ' '$1 == \"esp-hw-offload\" || $1 == "
                               "\"esp-tx-csum-hw-offload\" || $1 == \"generic-receive-offload\" {split($2, "
                               "v, \" \"); print $1 \" \" v[1]}'")
                    .arg(qi),
                Saved::Words) +
            QStringLiteral("ethtool -K %1 esp-hw-offload off esp-tx-csum-hw-offload off\n"
                           "ethtool -K %1 generic-receive-offload off\n")
                .arg(qi),
        QStringLiteral(
            "ESP encryption/decryption and GRO move from the NIC back to the kernel's software path. The "
            "settings before are saved in %1.")
            .arg(savedFile(saved)),
        QStringLiteral("More CPU per packet, so lower throughput on busy gateways; features marked [fixed] "
                       "cannot be changed. "
                       "Not persistent."),
        QStringLiteral("ethtool -k %1 | grep -E 'esp|generic-receive' shows 'off'; XfrmInStateProtoError / "
                       "XfrmInNoStates in "
                       "/proc/net/xfrm_stat stop growing under the same traffic.")
            .arg(qi),
        // The saved words (validated when saved: [a-z0-9 -] only) are split on purpose.
        undoLine(QStringLiteral("ethtool -K %1 $(cat %2) && %3")
                     .arg(qi, shq(savedFile(saved)), forgetSaved(saved)),
                 QStringLiteral("the settings saved before the change"))));
    return out;
}

std::vector<Fix> receiveDropFixes(const FixTarget &t)
{
    return receiveDropFixes(t, true, true);
}

std::vector<Fix> receiveDropFixes(const FixTarget &t, bool nicDrops, bool udpSocketDrops)
{
    std::vector<Fix> out;
    const QString qi = shq(t.wanInterface);
    // The file name holds the interface name: validated by fixTarget ([A-Za-z0-9_.+-]) or a
    // placeholder, and quoted as a whole by saveOnce.
    const QString ring = QStringLiteral("ring-rx-") + t.wanInterface;
    const QString currentRx = QStringLiteral("ethtool -g %1 | awk '/^Current hardware settings/ {c = 1} c && "
                                             "/^RX:/ && !n++ {print $2}'")
                                  .arg(qi);
    if (nicDrops) {
        out.push_back(make(
            FixKind::Ethtool,
            QStringLiteral("Enlarge the receive ring of %1 (up to the driver's maximum)").arg(t.wanInterface),
            QStringLiteral(
                "# Current and maximum ring sizes (the driver's limit is the RX line under 'Pre-set "
                "maximums'):\n"
                "ethtool -g %1\n")
                    .arg(qi) +
                saveOnce(ring, currentRx) +
                // Resized only when not at the maximum already: ethtool's ioctl path (kernels
                // without ethtool netlink) refuses an unchanged size ("no ring parameters changed,
                // aborting", exit 80), which would stop a second run; and no needless link reset.
                QStringLiteral("max=$(ethtool -g %1 | awk '/^Pre-set maximums/ {m = 1} m && /^RX:/ && !n++ "
                               "{print $2}')\n"
                               "case \"$max\" in ''|*[!0-9]*) echo %2 >&2; exit 1 ;; esac\n"
                               "if [ \"$(%3)\" != \"$max\" ]; then ethtool -G %1 rx \"$max\"; fi\n")
                    .arg(qi,
                         shq(QStringLiteral("%1 reports no RX ring maximum: its ring cannot be resized")
                                 .arg(oneLine(t.wanInterface, 40))),
                         currentRx),
            QStringLiteral(
                "Sets the RX ring to the driver's maximum, read from ethtool -g on this host when the "
                "script runs (no size of ours: how many descriptors a burst needs is not in the "
                "evidence; the maximum is the most the NIC can hold). The NIC can buffer more packets "
                "while the CPU is busy (decrypting), so bursts are not dropped as rx_missed. The size "
                "before the change is saved in /var/lib/ikev2wb/saved-%1 for the undo.")
                .arg(ring),
            QStringLiteral(
                "More memory and somewhat more latency under load; the link may flap briefly while "
                "the ring is resized. Not persistent (put it in the network configuration once it "
                "helps)."),
            QStringLiteral(
                "ethtool -g %1 shows the new RX size under 'Current hardware settings'; ip -s link "
                "show dev %1: rx missed / dropped stop growing under the same load.")
                .arg(qi),
            undoLine(QStringLiteral("{ [ \"$(%4)\" = %2 ] || ethtool -G %1 rx %2; } && %3")
                         .arg(qi, savedValue(ring), forgetSaved(ring), currentRx),
                     QStringLiteral("the RX ring size saved before the change; not resized when it has that "
                                    "size already"))));
        const QString backlog = QStringLiteral("net.core.netdev_max_backlog");
        out.push_back(make(
            FixKind::Sysctl, QStringLiteral("Enlarge the kernel's per-CPU receive backlog"),
            saveOnce(backlog, QStringLiteral("sysctl -n ") + backlog) + doubleSaved(backlog),
            QStringLiteral(
                "Twice as many packets may queue per CPU before the stack drops them as before the fix "
                "(the value before is saved in /var/lib/ikev2wb/saved-%1; running the fix again does "
                "not double it again). A step, not a measured size: nothing captured says how deep the "
                "queue must be. If the drops still grow, the CPU does not keep up (see the trade-off).")
                .arg(backlog),
            QStringLiteral(
                "More memory; queues hide CPU shortage instead of fixing it (check the CPU load of "
                "ksoftirqd and charon). Not persistent: /etc/sysctl.d/ once it helps."),
            QStringLiteral("sysctl %1; the second column (drops) of /proc/net/softnet_stat stops growing.")
                .arg(backlog),
            undoLine(QStringLiteral("sysctl -w %1=%2 && %3")
                         .arg(backlog, savedValue(backlog), forgetSaved(backlog)),
                     QStringLiteral("the value saved before the change"))));
    }
    if (udpSocketDrops) {
        const QString def = QStringLiteral("net.core.rmem_default");
        out.push_back(make(
            FixKind::Sysctl, QStringLiteral("Give charon's IKE sockets a larger receive buffer"),
            QStringLiteral(
                "# Which UDP socket overflows: skmem's d<N> (drops) per socket; charon holds UDP 500 "
                "and 4500.\n"
                "ss -u -a -n -p -m\n"
                "# charon does not ask for a buffer size on its IKE sockets (strongSwan sets no "
                "SO_RCVBUF there),\n"
                "# so they get net.core.rmem_default when they are created: raising "
                "net.core.rmem_max alone changes nothing.\n") +
                saveOnce(def, QStringLiteral("sysctl -n ") + def) + doubleSaved(def) +
                QStringLiteral("# charon creates its sockets at start: the new size applies after a restart "
                               "(the tunnels go down briefly):\n"
                               "# systemctl restart strongswan    (or strongswan-starter, depending on the "
                               "distribution)\n"),
            QStringLiteral(
                "New sockets that do not set their own size (charon's IKE sockets among them) get twice "
                "the receive buffer they got before the fix, so a burst of IKE messages (many peers "
                "rekeying at once) is less likely to be dropped as Udp RcvbufErrors. A step, not a "
                "measured size: nothing captured says how large the burst is. ESP in UDP is "
                "decapsulated by the kernel before any socket buffer and is not affected. The value "
                "before is saved in /var/lib/ikev2wb/saved-%1; running the fix again does not double it "
                "again.")
                .arg(def),
            QStringLiteral(
                "Applies to every socket on the host that does not choose its own size: more memory "
                "per socket. Needs a restart of charon to reach its sockets. Not persistent: "
                "/etc/sysctl.d/ once it helps."),
            QStringLiteral(
                "After the restart, ss -u -a -n -p -m shows in skmem of charon's sockets (UDP 500/4500) "
                "an rb of twice the saved value; Udp RcvbufErrors in /proc/net/snmp stops growing."),
            undoLine(QStringLiteral("sysctl -w %1=%2 && %3").arg(def, savedValue(def), forgetSaved(def)),
                     QStringLiteral("the value saved before the change; then restart charon"))));
    }
    return out;
}

} // namespace ikev2wb
