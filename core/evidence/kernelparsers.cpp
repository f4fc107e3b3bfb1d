// Parsers for kernel and iproute2/ethtool output: /proc/net/xfrm_stat, ip xfrm state/policy,
// ip -s link, ethtool -S/-k, /proc/net/snmp(6), sysctl.
#include "parsehelpers.h"
#include "parsers.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <limits>

namespace ikev2wb {

using namespace evidence_detail;

namespace {

/// The largest replay window read (the kernel's are far smaller: 4096 with ESN).
constexpr std::uint64_t kMaxWindow = std::uint64_t(std::numeric_limits<int>::max());

/// An XFRM if_id (32 bits); 0 (none) for anything else: uint32_t() of 0x10000002a wrapped to the
/// 0x2a of another interface, tying the SAs to it.
std::uint32_t ifIdOf(QByteArrayView v)
{
    const std::uint64_t id = hexU64(v).value_or(0);
    return id <= 0xffffffffu ? std::uint32_t(id) : 0;
}

QByteArrayView stripComma(QByteArrayView v)
{
    return v.endsWith(',') ? v.chopped(1) : v;
}

/// "187088(bytes)," → 187088
std::optional<std::uint64_t> parenNumber(QByteArrayView v)
{
    const qsizetype p = v.indexOf('(');
    return toU64(p < 0 ? stripComma(v) : v.first(p));
}

/// "0xcd93565c(3448985180)" → 0xcd93565c; "1(0x00000001)" → 1
std::optional<std::uint64_t> spiOrReqid(QByteArrayView v)
{
    const qsizetype p = v.indexOf('(');
    const QByteArrayView head = p < 0 ? v : v.first(p);
    if (head.startsWith("0x")) return hexU64(head);
    return toU64(head);
}

bool isBlank(QByteArrayView line)
{
    return line.trimmed().isEmpty();
}

/// Value lines that follow "lifetime current:" or "stats:" headers.
enum class Pending { None, LifetimeCurrent, Stats, ReplayEsn };

} // namespace

XfrmStat parseXfrmStat(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    XfrmStat out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    int n = 0;
    for (const QByteArrayView line : lines) {
        ++n;
        if (isBlank(line)) continue;
        const auto w = words(line);
        const auto v = w.size() == 2 ? toU64(w[1]) : std::nullopt;
        if (!v || !w[0].startsWith("Xfrm")) {
            if (out.counters.empty() && n <= 3) {
                wrongKind(status, fileName, EvidenceKind::XfrmStat,
                          QStringLiteral("lines like 'XfrmInNoStates 0'"));
                return out;
            }
            status.warn(n, QStringLiteral("not a counter line: %1")
                               .arg(str(line.first(std::min<qsizetype>(line.size(), 80)))));
            continue;
        }
        out.counters[str(w[0])] = *v;
    }
    if (out.counters.empty() && !lines.empty() && status.ok())
        wrongKind(status, fileName, EvidenceKind::XfrmStat, QStringLiteral("lines like 'XfrmInNoStates 0'"));
    return out;
}

XfrmStateList parseXfrmState(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    XfrmStateList out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    Pending pending = Pending::None;
    // The listing is a command's output, whose last line ends with a line end: without one the
    // copy stopped inside a line.
    const bool endsMidLine = !text.isEmpty() && !text.endsWith('\n');
    int n = 0;
    for (const QByteArrayView line : lines) {
        ++n;
        if (isBlank(line)) continue;
        const auto w = words(line);
        if (indentOf(line) == 0) {
            pending = Pending::None;
            if (w.size() >= 4 && w[0] == "src" && w[2] == "dst") {
                XfrmSa sa;
                sa.line = n;
                sa.src = str(w[1]);
                sa.dst = str(w[3]);
                out.sas.push_back(sa);
                continue;
            }
            if (out.sas.empty()) {
                wrongKind(status, fileName, EvidenceKind::XfrmState,
                          QStringLiteral("lines starting with 'src '"));
                return out;
            }
            status.warn(n, QStringLiteral("unexpected unindented line in an SA block"));
            continue;
        }
        if (out.sas.empty()) {
            wrongKind(status, fileName, EvidenceKind::XfrmState,
                      QStringLiteral("lines starting with 'src '"));
            return out;
        }
        XfrmSa &sa = out.sas.back();
        const QByteArrayView first = w.front();
        if (pending == Pending::LifetimeCurrent && first.contains("(bytes)")) {
            sa.hasLifetimeCurrent = true;
            sa.currentBytes = parenNumber(first).value_or(0);
            if (w.size() > 1) sa.currentPackets = parenNumber(w[1]).value_or(0);
            pending = Pending::None;
            continue;
        }
        if (pending == Pending::Stats && first == "replay-window") {
            sa.hasStats = true;
            sa.statsReplayWindow = toU64(after(w, "replay-window")).value_or(0);
            sa.statsReplay = toU64(after(w, "replay")).value_or(0);
            sa.statsFailed = toU64(after(w, "failed")).value_or(0);
            pending = Pending::None;
            continue;
        }
        // ESN replay state (ESN, or a window above 32): the SA line says "replay-window 0" and the
        // real size follows as " replay_window N, bitmap-length M" (iproute2 with a "dir in" SA:
        // "replay-window N, bitmap-length M").
        if ((first == "replay_window" || first == "replay-window") && w.size() > 2 && w[1].endsWith(',') &&
            w[2] == "bitmap-length") {
            if (const auto win = toU64(stripComma(w[1])); win && *win <= kMaxWindow) {
                sa.replayWindow = std::uint32_t(*win);
                sa.replayWindowEsn = true;
            } else {
                status.warn(n, QStringLiteral("replay_window without a number"));
            }
            pending = Pending::None;
            continue;
        }
        if ((pending == Pending::ReplayEsn && (first == "seq-hi" || first == "seq")) || first == "seq-hi") {
            // "seq-hi 0x0, seq 0x5, oseq-hi 0x0, oseq 0x0": the 64-bit numbers are hi:lo.
            std::vector<QByteArrayView> clean;
            for (auto x : w)
                clean.push_back(stripComma(x));
            const std::uint64_t seqHi = hexU64(after(clean, "seq-hi")).value_or(0);
            const std::uint64_t oseqHi = hexU64(after(clean, "oseq-hi")).value_or(0);
            sa.seq = (seqHi << 32) | hexU64(after(clean, "seq")).value_or(0);
            sa.oseq = (oseqHi << 32) | hexU64(after(clean, "oseq")).value_or(0);
            sa.hasReplayContext = true;
            pending = Pending::None;
            continue;
        }
        // A last line cut short (no line end) is the cut below, not a malformed line.
        if ((pending == Pending::Stats || pending == Pending::LifetimeCurrent) &&
            !(endsMidLine && n == int(lines.size())))
            status.warn(n, pending == Pending::Stats
                               ? QStringLiteral("expected 'replay-window N replay N failed N' after 'stats:'")
                               : QStringLiteral("expected 'N(bytes), N(packets)' after 'lifetime current:'"));
        pending = Pending::None;
        if (first == "proto") {
            sa.proto = str(after(w, "proto"));
            if (const auto spi = spiOrReqid(after(w, "spi")))
                sa.spi = std::uint32_t(*spi);
            else
                status.warn(n, QStringLiteral("SPI missing or malformed"));
            sa.reqid = std::uint32_t(spiOrReqid(after(w, "reqid")).value_or(0));
            sa.mode = str(after(w, "mode"));
        } else if (first == "replay-window") {
            // Beyond int is no window (the diagnosis compares windows as int): uint32_t() of
            // 4294967328 wrapped to 32. 0: not given.
            const std::uint64_t win = toU64(w.size() > 1 ? w[1] : QByteArrayView()).value_or(0);
            sa.replayWindow = win <= kMaxWindow ? std::uint32_t(win) : 0;
            if (win > kMaxWindow) status.warn(n, QStringLiteral("replay-window beyond any window: not read"));
            bool inFlags = false;
            for (std::size_t i = 2; i < w.size(); ++i) {
                if (w[i] == "flag") {
                    inFlags = true;
                } else if (inFlags && !w[i].startsWith('(')) {
                    sa.flags << str(w[i]);
                }
            }
        } else if (first == "auth" || first == "auth-trunc" || first == "enc" || first == "aead" ||
                   first == "comp") {
            // The key (w[2]) is deliberately not kept.
            QString alg = str(first);
            if (w.size() > 1) alg += QLatin1Char(' ') + str(w[1]);
            if ((first == "auth-trunc" || first == "aead") && w.size() > 2 && toU64(w.back()))
                alg += QLatin1Char(' ') + str(w.back());
            sa.algorithms << alg;
        } else if (first == "encap") {
            sa.hasEncap = true;
            sa.encapType = str(after(w, "type"));
            sa.encapSport = std::uint16_t(toU64(after(w, "sport")).value_or(0));
            sa.encapDport = std::uint16_t(toU64(after(w, "dport")).value_or(0));
        } else if (first == "anti-replay") {
            if (w.size() > 1 && w[1] == "esn") {
                pending = Pending::ReplayEsn;
            } else {
                std::vector<QByteArrayView> clean;
                for (auto x : w)
                    clean.push_back(stripComma(x));
                const auto seq = hexU64(after(clean, "seq"));
                const auto oseq = hexU64(after(clean, "oseq"));
                if (seq && oseq) {
                    sa.hasReplayContext = true;
                    sa.seq = *seq;
                    sa.oseq = *oseq;
                    sa.bitmap = str(after(clean, "bitmap"));
                } else {
                    status.warn(n, QStringLiteral("anti-replay context without seq/oseq"));
                }
            }
        } else if (first == "lifetime" && w.size() > 1 && w[1] == "current:") {
            pending = Pending::LifetimeCurrent;
        } else if (first == "stats:") {
            pending = Pending::Stats;
        } else if (first == "if_id" && w.size() > 1) {
            sa.ifId = ifIdOf(w[1]);
        }
        // Other lines (lifetime config, sel, output-mark, replay bitmap words) are not needed.
    }
    // One `ip [-s [-s]] xfrm state` run prints the same blocks for every SA: a last SA without a
    // block the one before it has (its anti-replay context, current lifetime or statistics) was
    // cut off before it.
    const auto blocks = [](const XfrmSa &sa) {
        return (sa.hasReplayContext ? 1 : 0) | (sa.hasLifetimeCurrent ? 2 : 0) | (sa.hasStats ? 4 : 0);
    };
    const bool lastLacksBlocks =
        out.sas.size() >= 2 && (blocks(out.sas[out.sas.size() - 2]) & ~blocks(out.sas.back())) != 0;
    if (!out.sas.empty() &&
        (pending != Pending::None || endsMidLine || lastLacksBlocks || out.sas.back().proto.isEmpty()))
        status.warnCut(n, QStringLiteral("file ends inside the SA that starts on line %1 (truncated?)")
                              .arg(out.sas.back().line));
    return out;
}

XfrmPolicyList parseXfrmPolicy(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    XfrmPolicyList out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    bool lifetimeNext = false;
    bool inTmpl = false;
    int n = 0;
    for (const QByteArrayView line : lines) {
        ++n;
        if (isBlank(line)) continue;
        const auto w = words(line);
        if (indentOf(line) == 0) {
            if (w.size() >= 4 && w[0] == "src" && w[2] == "dst") {
                XfrmPolicy p;
                p.line = n;
                p.src = str(w[1]);
                p.dst = str(w[3]);
                out.policies.push_back(p);
                inTmpl = false;
                lifetimeNext = false;
                continue;
            }
            if (out.policies.empty()) {
                wrongKind(status, fileName, EvidenceKind::XfrmPolicy,
                          QStringLiteral("lines starting with 'src '"));
                return out;
            }
            status.warn(n, QStringLiteral("unexpected unindented line in a policy block"));
            continue;
        }
        if (out.policies.empty()) {
            wrongKind(status, fileName, EvidenceKind::XfrmPolicy,
                      QStringLiteral("lines starting with 'src '"));
            return out;
        }
        XfrmPolicy &p = out.policies.back();
        const QByteArrayView first = w.front();
        if (lifetimeNext && first.contains("(bytes)")) {
            p.hasLifetimeCurrent = true;
            p.currentBytes = parenNumber(first).value_or(0);
            if (w.size() > 1) p.currentPackets = parenNumber(w[1]).value_or(0);
            lifetimeNext = false;
            continue;
        }
        lifetimeNext = false;
        if (first == "dir" || first == "socket") {
            p.dir = first == "socket"
                        ? QStringLiteral("socket ") + str(w.size() > 1 ? w[1] : QByteArrayView())
                        : str(after(w, "dir"));
            p.action = str(after(w, "action"));
            p.index = std::uint32_t(toU64(after(w, "index")).value_or(0));
            p.priority = std::uint32_t(toU64(after(w, "priority")).value_or(0));
        } else if (first == "lifetime" && w.size() > 1 && w[1] == "current:") {
            lifetimeNext = true;
        } else if (first == "tmpl") {
            inTmpl = true;
            p.tmplSrc = str(after(w, "src"));
            p.tmplDst = str(after(w, "dst"));
        } else if (first == "proto" && inTmpl) {
            p.tmplProto = str(after(w, "proto"));
            p.tmplSpi = std::uint32_t(spiOrReqid(after(w, "spi")).value_or(0));
            p.tmplReqid = std::uint32_t(spiOrReqid(after(w, "reqid")).value_or(0));
            p.tmplMode = str(after(w, "mode"));
        }
    }
    return out;
}

LinkStatsList parseIpLink(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    LinkStatsList out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    QString prefix; // "rx_", "tx_", "rx_err_", "tx_err_" while a header waits for values
    std::vector<QString> cols;
    int n = 0;
    for (const QByteArrayView line : lines) {
        ++n;
        if (isBlank(line)) continue;
        const auto w = words(line);
        if (indentOf(line) == 0) {
            cols.clear();
            // "2: wan0@if3: <BROADCAST,...> mtu 1500 qdisc noqueue state UP ..."
            const bool header =
                w.size() >= 2 && w[0].endsWith(':') && toU64(w[0].chopped(1)) && w[1].endsWith(':');
            if (!header) {
                if (out.links.empty()) {
                    wrongKind(status, fileName, EvidenceKind::IpLink,
                              QStringLiteral("lines like '2: eth0: <...> mtu 1500 ...'"));
                    return out;
                }
                status.warn(n, QStringLiteral("unexpected unindented line"));
                continue;
            }
            LinkStats l;
            l.line = n;
            l.index = int(toU64(w[0].chopped(1)).value_or(0));
            QByteArrayView name = w[1].chopped(1);
            if (const qsizetype at = name.indexOf('@'); at > 0) name = name.first(at);
            l.name = str(name);
            if (w.size() > 2 && w[2].startsWith('<') && w[2].endsWith('>'))
                l.flags = str(w[2].sliced(1, w[2].size() - 2)).split(QLatin1Char(','), Qt::SkipEmptyParts);
            // A number beyond int is no MTU (0: unknown); int() of it wrapped, "mtu 4294967396"
            // becoming a plausible 100-byte link on the path.
            const std::uint64_t mtu = toU64(after(w, "mtu")).value_or(0);
            l.mtu = mtu <= std::uint64_t(std::numeric_limits<int>::max()) ? int(mtu) : 0;
            l.state = str(after(w, "state"));
            out.links.push_back(l);
            continue;
        }
        if (out.links.empty()) {
            wrongKind(status, fileName, EvidenceKind::IpLink,
                      QStringLiteral("lines like '2: eth0: <...> mtu 1500 ...'"));
            return out;
        }
        const QByteArrayView first = w.front();
        if (first == "RX:" || first == "TX:" ||
            ((first == "RX" || first == "TX") && w.size() > 1 && w[1] == "errors:")) {
            const bool errors = first == "RX" || first == "TX";
            prefix = (first.startsWith("RX") ? QStringLiteral("rx_") : QStringLiteral("tx_")) +
                     (errors ? QStringLiteral("err_") : QString());
            cols.clear();
            for (std::size_t i = errors ? 2 : 1; i < w.size(); ++i)
                cols.push_back(str(w[i]));
            continue;
        }
        if (!cols.empty()) {
            if (w.size() < cols.size())
                status.warn(n, QStringLiteral("%1 values for %2 columns").arg(w.size()).arg(cols.size()));
            for (std::size_t i = 0; i < std::min(w.size(), cols.size()); ++i) {
                if (const auto v = toU64(w[i]))
                    out.links.back().counters[prefix + cols[i]] = *v;
                else
                    status.warn(n, QStringLiteral("'%1' is not a number").arg(str(w[i])));
            }
            cols.clear();
        }
        // `ip -d link` detail line of a tunnel device: "xfrm if_id 0x2a ...", "vti remote A local B
        // ikey ...", "vti6 remote ...", "gre remote ...". link/ether, altname, alias lines are not needed.
        for (const char *k : {"xfrm", "vti", "vti6", "ipip", "gre", "ip6tnl", "sit"}) {
            if (first != QByteArrayView(k) || w.size() < 2) continue;
            LinkStats &l = out.links.back();
            l.linkKind = str(first);
            if (first == "xfrm") l.ifId = ifIdOf(after(w, "if_id"));
            break;
        }
    }
    return out;
}

EthtoolStats parseEthtoolStats(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    EthtoolStats out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    bool header = false;
    int n = 0;
    for (const QByteArrayView raw : lines) {
        ++n;
        const QByteArrayView line = raw.trimmed();
        if (line.isEmpty()) continue;
        if (line == "NIC statistics:") {
            header = true;
            continue;
        }
        if (line.startsWith("no stats available")) {
            status.warn(n, QStringLiteral("the driver offers no statistics"));
            header = true;
            continue;
        }
        const qsizetype colon = line.lastIndexOf(':');
        const auto v = colon > 0 ? toU64(line.sliced(colon + 1).trimmed()) : std::nullopt;
        if (!v) {
            if (!header && out.counters.empty()) {
                wrongKind(status, fileName, EvidenceKind::EthtoolStats,
                          QStringLiteral("'NIC statistics:' and 'name: value' lines"));
                return out;
            }
            status.warn(n, QStringLiteral("not a 'name: value' line"));
            continue;
        }
        out.counters[str(line.first(colon).trimmed())] = *v;
    }
    if (!header && out.counters.empty() && !lines.empty() && status.ok())
        wrongKind(status, fileName, EvidenceKind::EthtoolStats,
                  QStringLiteral("'NIC statistics:' and 'name: value' lines"));
    return out;
}

EthtoolFeatures parseEthtoolFeatures(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    EthtoolFeatures out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    bool header = false;
    int n = 0;
    for (const QByteArrayView raw : lines) {
        ++n;
        const QByteArrayView line = raw.trimmed();
        if (line.isEmpty()) continue;
        if (line.startsWith("Features for ") && line.endsWith(':')) {
            header = true;
            out.interfaceName = str(line.sliced(13, line.size() - 14));
            continue;
        }
        if (!header) {
            wrongKind(status, fileName, EvidenceKind::EthtoolFeatures,
                      QStringLiteral("a first line 'Features for IFACE:'"));
            return out;
        }
        // "tx-checksum-ipv4: off [fixed]", "rx-gro-hw: off [requested on]"
        const qsizetype colon = line.indexOf(": ");
        if (colon <= 0) {
            status.warn(n, QStringLiteral("not a 'feature: on|off' line"));
            continue;
        }
        const auto w = words(line.sliced(colon + 2));
        if (w.empty() || (w[0] != "on" && w[0] != "off")) {
            status.warn(n, QStringLiteral("not a 'feature: on|off' line"));
            continue;
        }
        EthtoolFeature f;
        f.name = str(line.first(colon));
        f.on = w[0] == "on";
        const QByteArrayView rest = line.sliced(colon + 2);
        f.fixed = rest.contains("[fixed]");
        if (const qsizetype rq = rest.indexOf("[requested "); rq >= 0) {
            const qsizetype close = rest.indexOf(']', rq);
            if (close > rq) f.requested = str(rest.sliced(rq + 11, close - rq - 11));
        }
        out.features.push_back(f);
    }
    if (!header && !lines.empty() && status.ok())
        wrongKind(status, fileName, EvidenceKind::EthtoolFeatures,
                  QStringLiteral("a first line 'Features for IFACE:'"));
    return out;
}

SnmpCounters parseSnmp(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    SnmpCounters out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    std::vector<QByteArrayView> names;
    QByteArrayView group;
    int n = 0;
    for (const QByteArrayView line : lines) {
        ++n;
        if (isBlank(line)) continue;
        const auto w = words(line);
        if (!w.front().endsWith(':') || w.size() < 2) {
            if (out.counters.empty() && names.empty()) {
                wrongKind(status, fileName, EvidenceKind::Snmp,
                          QStringLiteral("pairs of lines like 'Ip: Forwarding ...' / 'Ip: 1 ...'"));
                return out;
            }
            status.warn(n, QStringLiteral("not a 'Group: ...' line"));
            continue;
        }
        const bool numbers = toU64(w[1]) || (w[1].startsWith('-') && toU64(w[1].sliced(1)));
        if (!numbers) {
            group = w.front().chopped(1);
            names.assign(w.begin() + 1, w.end());
            continue;
        }
        if (names.empty() || w.front().chopped(1) != group) {
            status.warn(n, QStringLiteral("values without a header line"));
            continue;
        }
        if (w.size() - 1 != names.size())
            status.warn(n, QStringLiteral("%1 values for %2 names").arg(w.size() - 1).arg(names.size()));
        for (std::size_t i = 1; i < std::min(w.size(), names.size() + 1); ++i)
            if (const auto v = toU64(w[i])) // negative constants (Tcp MaxConn -1) are not counters
                out.counters[str(group) + QLatin1Char('.') + str(names[i - 1])] = *v;
        names.clear();
    }
    if (out.counters.empty() && !lines.empty() && status.ok())
        wrongKind(status, fileName, EvidenceKind::Snmp,
                  QStringLiteral("pairs of lines like 'Ip: Forwarding ...' / 'Ip: 1 ...'"));
    return out;
}

SnmpCounters parseSnmp6(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    SnmpCounters out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    int n = 0;
    for (const QByteArrayView line : lines) {
        ++n;
        if (isBlank(line)) continue;
        const auto w = words(line);
        const auto v = w.size() == 2 ? toU64(w[1]) : std::nullopt;
        const bool name = w.front().startsWith("Ip6") || w.front().startsWith("Icmp6") ||
                          w.front().startsWith("Udp6") || w.front().startsWith("UdpLite6");
        if (!v || !name) {
            if (out.counters.empty()) {
                wrongKind(status, fileName, EvidenceKind::Snmp6,
                          QStringLiteral("lines like 'Ip6InReceives 1'"));
                return out;
            }
            status.warn(n, QStringLiteral("not a counter line"));
            continue;
        }
        out.counters[str(w[0])] = *v;
    }
    return out;
}

SysctlValues parseSysctl(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    SysctlValues out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    int n = 0;
    for (const QByteArrayView raw : lines) {
        ++n;
        const QByteArrayView line = raw.trimmed();
        if (line.isEmpty()) continue;
        if (line.startsWith("sysctl:")) {
            // "sysctl: cannot stat /proc/sys/net/foo: No such file or directory"
            out.unreadable << str(line.sliced(7).trimmed());
            continue;
        }
        const qsizetype eq = line.indexOf(" = ");
        const QByteArrayView key = eq > 0 ? line.first(eq).trimmed() : QByteArrayView();
        if (key.isEmpty() || key.contains(' ') || !key.contains('.')) {
            if (out.values.empty() && out.unreadable.isEmpty()) {
                wrongKind(status, fileName, EvidenceKind::Sysctl,
                          QStringLiteral("lines like 'net.ipv4.ip_forward = 1'"));
                return out;
            }
            status.warn(n, QStringLiteral("not a 'name = value' line"));
            continue;
        }
        out.values[str(key)] = str(line.sliced(eq + 3).trimmed());
    }
    return out;
}

ProbeResult parseProbeResult(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    ProbeResult out;
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(text.toByteArray(), &err);
    const QJsonObject o = doc.object();
    if (err.error != QJsonParseError::NoError ||
        o.value(QStringLiteral("schema")).toString() != QLatin1String("ikev2wb.probe/1")) {
        status.error =
            QStringLiteral("%1: not an ikev2wb.probe/1 JSON object (%2)").arg(fileName, err.errorString());
        return out;
    }
    out.target = o.value(QStringLiteral("target")).toString().left(256);
    // Evidence text like the target: the diagnosis uses it only as an IP literal.
    out.source = o.value(QStringLiteral("source")).toString().left(256);
    static const QRegularExpression address(QStringLiteral("^[0-9A-Fa-f:.]{2,45}\\z"));
    if (o.contains(QStringLiteral("source")) && !o.value(QStringLiteral("source")).isNull() &&
        !address.match(out.source).hasMatch()) {
        status.warn(0, QStringLiteral("source is not an IP address: the probe's origin is not known"));
        out.source.clear();
    }
    const double mtu = o.value(QStringLiteral("path_mtu")).toDouble();
    if (mtu >= 68 && mtu <= 65535 && mtu == double(std::uint32_t(mtu)))
        out.pathMtu = std::uint32_t(mtu);
    else if (!o.value(QStringLiteral("path_mtu")).isNull())
        status.warn(0, QStringLiteral("path_mtu is not a size in 68..65535: ignored"));
    out.pmtud = o.value(QStringLiteral("pmtud")).toString().left(32);
    out.limitedByMax = o.value(QStringLiteral("limited_by_max")).toBool();
    return out;
}

} // namespace ikev2wb
