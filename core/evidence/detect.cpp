// Picks the evidence kind of a file: the name's hint first (a lab or collect file name says what
// it holds, and a mismatch should become a clear parse error), then the content.
#include "parsers.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace ikev2wb {

namespace {

EvidenceKind kindFromName(const QString &fileName)
{
    const QString path = QFileInfo(fileName).filePath().toLower();
    const QString base = QFileInfo(fileName).fileName().toLower();
    auto has = [&](const char *s) { return base.contains(QLatin1String(s)); };
    if (base == QLatin1String("manifest.txt")) return EvidenceKind::Manifest;
    if (base.endsWith(QLatin1String(".pcap")) || base.endsWith(QLatin1String(".pcapng")) ||
        base.endsWith(QLatin1String(".json")) || base.endsWith(QLatin1String(".md")) ||
        base.startsWith(QLatin1String("tcpdump")))
        return EvidenceKind::Unknown;
    if (has("xfrm_stat")) return EvidenceKind::XfrmStat;
    if (has("xfrm-state") || has("xfrm_state")) return EvidenceKind::XfrmState;
    if (has("xfrm-policy") || has("xfrm_policy")) return EvidenceKind::XfrmPolicy;
    if (has("list-sas") || has("list_sas")) return EvidenceKind::SwanctlListSas;
    if (has("list-conns") || has("list_conns")) return EvidenceKind::SwanctlListConns;
    if (has("ethtool-s-") || has("ethtool_s_")) return EvidenceKind::EthtoolStats;
    if (has("ethtool-k-") || has("ethtool_k_")) return EvidenceKind::EthtoolFeatures;
    if (has("snmp6")) return EvidenceKind::Snmp6;
    if (has("snmp")) return EvidenceKind::Snmp;
    if (has("sysctl")) return EvidenceKind::Sysctl;
    if (base == QLatin1String("ipsec.conf") || base.endsWith(QLatin1String("-ipsec.conf")))
        return EvidenceKind::IpsecConf;
    if (base.endsWith(QLatin1String(".conf"))) {
        // strongswan.d/swanctl.conf holds the swanctl tool's settings, not connections.
        if (path.contains(QLatin1String("strongswan.d"))) return EvidenceKind::StrongswanConf;
        if (path.contains(QLatin1String("swanctl"))) return EvidenceKind::SwanctlConf;
        if (path.contains(QLatin1String("strongswan"))) return EvidenceKind::StrongswanConf;
    }
    if ((has("charon") || has("journal")) && !base.endsWith(QLatin1String(".conf")))
        return EvidenceKind::CharonLog;
    if (has("-link-") || base.startsWith(QLatin1String("link")) || has("ip-s-link") || has("ip_link"))
        return EvidenceKind::IpLink;
    if (has("route") && !base.endsWith(QLatin1String(".conf"))) return EvidenceKind::IpRoute;
    return EvidenceKind::Unknown;
}

EvidenceKind kindFromContent(const QByteArray &head)
{
    // Skip leading blank and comment lines for the first meaningful line.
    QByteArrayView first;
    for (QByteArrayView rest(head); !rest.isEmpty();) {
        const qsizetype nl = rest.indexOf('\n');
        const QByteArrayView line = (nl < 0 ? rest : rest.first(nl)).trimmed();
        rest = nl < 0 ? QByteArrayView() : rest.sliced(nl + 1);
        if (!line.isEmpty() && !line.startsWith('#')) {
            first = line;
            break;
        }
    }
    if (head.contains('\0')) return EvidenceKind::Unknown;
    if (head.startsWith("# ikev2wb collect manifest")) return EvidenceKind::Manifest;
    if (first.startsWith("Xfrm")) return EvidenceKind::XfrmStat;
    if (first.startsWith("Ip6") || first.startsWith("Icmp6")) return EvidenceKind::Snmp6;
    if (first.startsWith("Ip: Forwarding")) return EvidenceKind::Snmp;
    if (first == "NIC statistics:") return EvidenceKind::EthtoolStats;
    if (first.startsWith("Features for ")) return EvidenceKind::EthtoolFeatures;
    const QString text = QString::fromUtf8(head);
    if (first.startsWith("src ") && first.contains(" dst ")) {
        if (QRegularExpression(QStringLiteral("\\n\\s+(dir|socket) ")).match(text).hasMatch())
            return EvidenceKind::XfrmPolicy;
        return EvidenceKind::XfrmState;
    }
    if (QRegularExpression(QStringLiteral("^\\d+: \\S+: <")).match(QString::fromUtf8(first)).hasMatch())
        return EvidenceKind::IpLink;
    if (QRegularExpression(QStringLiteral("^(default|local|broadcast|unreachable|blackhole|prohibit|"
                                          "[0-9.]+(/\\d+)?|[0-9a-f:]+/\\d+) .*\\b(dev|via) \\S+"))
            .match(QString::fromUtf8(first))
            .hasMatch())
        return EvidenceKind::IpRoute;
    if (QRegularExpression(QStringLiteral("^\\S+: #\\d+, [A-Z_]+, "))
            .match(QString::fromUtf8(first))
            .hasMatch())
        return EvidenceKind::SwanctlListSas;
    if (QRegularExpression(QStringLiteral("^\\S+: IKE(v1|v2)?, ")).match(QString::fromUtf8(first)).hasMatch())
        return EvidenceKind::SwanctlListConns;
    if (QRegularExpression(QStringLiteral("^[a-z0-9_]+(\\.[\\w-]+)+ = "))
            .match(QString::fromUtf8(first))
            .hasMatch())
        return EvidenceKind::Sysctl;
    if (QRegularExpression(QStringLiteral("(^|\\n)(config setup|conn \\S+)\\s*(\\n|$)"))
            .match(text)
            .hasMatch())
        return EvidenceKind::IpsecConf;
    if (QRegularExpression(QStringLiteral("(^|\\n)\\s*(connections|secrets|authorities|pools)\\s*\\{"))
            .match(text)
            .hasMatch())
        return EvidenceKind::SwanctlConf;
    if (QRegularExpression(
            QStringLiteral(
                "(^|\\n)\\s*(charon|charon-systemd|libstrongswan|starter|swanctl|libcharon)\\s*\\{"))
            .match(text)
            .hasMatch())
        return EvidenceKind::StrongswanConf;
    if (QRegularExpression(QStringLiteral("(^|\\n|\\s|: )\\d{2,3}\\[[A-Z]{2,4}\\] "))
            .match(text)
            .hasMatch() ||
        QRegularExpression(QStringLiteral("\\bcharon(-systemd)?(\\[\\d+\\])?: ")).match(text).hasMatch())
        return EvidenceKind::CharonLog;
    return EvidenceKind::Unknown;
}

} // namespace

EvidenceKind detectEvidenceKind(const QByteArray &head, const QString &fileName)
{
    // `ikev2wb probe --json` output: a JSON object naming its schema (before the name rules,
    // which leave .json files alone).
    if (head.trimmed().startsWith('{') && head.contains("\"schema\"") && head.contains("\"ikev2wb.probe/1\""))
        return EvidenceKind::ProbeResult;
    const EvidenceKind byName = kindFromName(fileName);
    if (byName != EvidenceKind::Unknown) return byName;
    const QString base = QFileInfo(fileName).fileName().toLower();
    if (base.endsWith(QLatin1String(".pcap")) || base.endsWith(QLatin1String(".pcapng")))
        return EvidenceKind::Unknown;
    return kindFromContent(head.left(16 * 1024));
}

EvidenceData parseEvidence(EvidenceKind kind, QByteArrayView text, const QString &fileName,
                           ParseStatus &status)
{
    switch (kind) {
    case EvidenceKind::XfrmStat:
        return parseXfrmStat(text, fileName, status);
    case EvidenceKind::XfrmState:
        return parseXfrmState(text, fileName, status);
    case EvidenceKind::XfrmPolicy:
        return parseXfrmPolicy(text, fileName, status);
    case EvidenceKind::IpLink:
        return parseIpLink(text, fileName, status);
    case EvidenceKind::EthtoolStats: {
        EthtoolStats s = parseEthtoolStats(text, fileName, status);
        if (s.interfaceName.isEmpty()) {
            // "ethtool-S-eth0.txt": the output itself does not name the interface.
            const QString base = QFileInfo(fileName).completeBaseName();
            const qsizetype i = base.indexOf(QLatin1String("-S-"), 0, Qt::CaseInsensitive);
            if (i >= 0) s.interfaceName = base.mid(i + 3);
        }
        return s;
    }
    case EvidenceKind::EthtoolFeatures:
        return parseEthtoolFeatures(text, fileName, status);
    case EvidenceKind::Snmp:
        return parseSnmp(text, fileName, status);
    case EvidenceKind::Snmp6:
        return parseSnmp6(text, fileName, status);
    case EvidenceKind::Sysctl:
        return parseSysctl(text, fileName, status);
    case EvidenceKind::SwanctlListSas:
        return parseSwanctlListSas(text, fileName, status);
    case EvidenceKind::SwanctlListConns:
        return parseSwanctlListConns(text, fileName, status);
    case EvidenceKind::SwanctlConf:
    case EvidenceKind::StrongswanConf:
        return parseStrongswanStyleConf(text, fileName, kind, status);
    case EvidenceKind::IpsecConf:
        return parseIpsecConf(text, fileName, status);
    case EvidenceKind::CharonLog:
        return parseCharonLog(text, fileName, status);
    case EvidenceKind::Manifest: {
        CollectManifest m;
        const auto lines = splitEvidenceLines(text, fileName, status);
        for (const QByteArrayView l : lines)
            m.lines << QString::fromUtf8(l.data(), l.size());
        return m;
    }
    case EvidenceKind::IpRoute: {
        RouteListing r;
        const auto lines = splitEvidenceLines(text, fileName, status);
        // Detection may go by the name alone: text without a single route is not a listing.
        static const QRegularExpression route(
            QStringLiteral("^\\s*(default|local|broadcast|unreachable|blackhole|prohibit|throw|anycast|"
                           "multicast|[0-9a-fA-F:.]+(/\\d{1,3})?)( |$).*\\bdev \\S+"));
        bool any = false;
        for (const QByteArrayView l : lines)
            if (!l.trimmed().isEmpty()) {
                r.lines << QString::fromUtf8(l.data(), l.size());
                any = any || route.match(r.lines.back()).hasMatch();
            }
        if (!r.lines.isEmpty() && !any && status.ok())
            status.error = QStringLiteral("%1: not an ip route listing (no line of the form "
                                          "'DEST [via GW] dev IF ...')")
                               .arg(fileName);
        return r;
    }
    case EvidenceKind::ProbeResult:
        return parseProbeResult(text, fileName, status);
    case EvidenceKind::Unknown:
        break;
    }
    status.error = QStringLiteral("%1: not a recognised evidence file").arg(fileName);
    return std::monostate{};
}

} // namespace ikev2wb
