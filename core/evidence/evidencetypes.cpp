#include "evidencetypes.h"

#include "parsehelpers.h"
#include "parsers.h"

#include <QFile>

#include <algorithm>

namespace ikev2wb {

QString evidenceKindName(EvidenceKind kind)
{
    switch (kind) {
    case EvidenceKind::Unknown:
        return QStringLiteral("unknown");
    case EvidenceKind::XfrmStat:
        return QStringLiteral("xfrm_stat");
    case EvidenceKind::XfrmState:
        return QStringLiteral("xfrm_state");
    case EvidenceKind::XfrmPolicy:
        return QStringLiteral("xfrm_policy");
    case EvidenceKind::IpLink:
        return QStringLiteral("ip_link");
    case EvidenceKind::EthtoolStats:
        return QStringLiteral("ethtool_stats");
    case EvidenceKind::EthtoolFeatures:
        return QStringLiteral("ethtool_features");
    case EvidenceKind::Snmp:
        return QStringLiteral("snmp");
    case EvidenceKind::Snmp6:
        return QStringLiteral("snmp6");
    case EvidenceKind::Sysctl:
        return QStringLiteral("sysctl");
    case EvidenceKind::SwanctlListSas:
        return QStringLiteral("swanctl_list_sas");
    case EvidenceKind::SwanctlListConns:
        return QStringLiteral("swanctl_list_conns");
    case EvidenceKind::SwanctlConf:
        return QStringLiteral("swanctl_conf");
    case EvidenceKind::StrongswanConf:
        return QStringLiteral("strongswan_conf");
    case EvidenceKind::IpsecConf:
        return QStringLiteral("ipsec_conf");
    case EvidenceKind::CharonLog:
        return QStringLiteral("charon_log");
    case EvidenceKind::Manifest:
        return QStringLiteral("manifest");
    case EvidenceKind::IpRoute:
        return QStringLiteral("ip_route");
    case EvidenceKind::ProbeResult:
        return QStringLiteral("probe_result");
    case EvidenceKind::Firewall:
        return QStringLiteral("firewall");
    case EvidenceKind::ConntrackStats:
        return QStringLiteral("conntrack_stats");
    case EvidenceKind::IpRule:
        return QStringLiteral("ip_rule");
    }
    return QStringLiteral("unknown");
}

QString evidenceKindSource(EvidenceKind kind)
{
    switch (kind) {
    case EvidenceKind::Unknown:
        return QStringLiteral("recognised evidence file");
    case EvidenceKind::XfrmStat:
        return QStringLiteral("/proc/net/xfrm_stat");
    case EvidenceKind::XfrmState:
        return QStringLiteral("`ip -s xfrm state` output");
    case EvidenceKind::XfrmPolicy:
        return QStringLiteral("`ip -s xfrm policy` output");
    case EvidenceKind::IpLink:
        return QStringLiteral("`ip -s link` output");
    case EvidenceKind::EthtoolStats:
        return QStringLiteral("`ethtool -S` output");
    case EvidenceKind::EthtoolFeatures:
        return QStringLiteral("`ethtool -k` output");
    case EvidenceKind::Snmp:
        return QStringLiteral("/proc/net/snmp");
    case EvidenceKind::Snmp6:
        return QStringLiteral("/proc/net/snmp6");
    case EvidenceKind::Sysctl:
        return QStringLiteral("`sysctl` output");
    case EvidenceKind::SwanctlListSas:
        return QStringLiteral("`swanctl --list-sas` output");
    case EvidenceKind::SwanctlListConns:
        return QStringLiteral("`swanctl --list-conns` output");
    case EvidenceKind::SwanctlConf:
        return QStringLiteral("swanctl.conf");
    case EvidenceKind::StrongswanConf:
        return QStringLiteral("strongswan.conf");
    case EvidenceKind::IpsecConf:
        return QStringLiteral("ipsec.conf");
    case EvidenceKind::CharonLog:
        return QStringLiteral("charon log");
    case EvidenceKind::Manifest:
        return QStringLiteral("collect MANIFEST.txt");
    case EvidenceKind::IpRoute:
        return QStringLiteral("ip route show table all");
    case EvidenceKind::ProbeResult:
        return QStringLiteral("ikev2wb probe HOST --json");
    case EvidenceKind::Firewall:
        return QStringLiteral("iptables-save -c / ip6tables-save -c / nft -a list ruleset");
    case EvidenceKind::ConntrackStats:
        return QStringLiteral("conntrack -S");
    case EvidenceKind::IpRule:
        return QStringLiteral("ip rule");
    }
    return {};
}

QString logEventKindName(LogEventKind kind)
{
    switch (kind) {
    case LogEventKind::Retransmit:
        return QStringLiteral("retransmit");
    case LogEventKind::GiveUp:
        return QStringLiteral("give_up");
    case LogEventKind::ResponseRetransmit:
        return QStringLiteral("response_retransmit");
    case LogEventKind::PeerNotResponding:
        return QStringLiteral("peer_not_responding");
    case LogEventKind::EstablishFailed:
        return QStringLiteral("establish_failed");
    case LogEventKind::DpdRequest:
        return QStringLiteral("dpd_request");
    case LogEventKind::DpdUnsupported:
        return QStringLiteral("dpd_unsupported");
    case LogEventKind::ChildRestart:
        return QStringLiteral("child_restart");
    case LogEventKind::NatDetected:
        return QStringLiteral("nat_detected");
    case LogEventKind::Keepalive:
        return QStringLiteral("keepalive");
    case LogEventKind::NatMappingChanged:
        return QStringLiteral("nat_mapping_changed");
    case LogEventKind::EndpointChanged:
        return QStringLiteral("endpoint_changed");
    case LogEventKind::RekeyScheduled:
        return QStringLiteral("rekey_scheduled");
    case LogEventKind::Rekey:
        return QStringLiteral("rekey");
    case LogEventKind::RekeyFailed:
        return QStringLiteral("rekey_failed");
    case LogEventKind::RekeyCollision:
        return QStringLiteral("rekey_collision");
    case LogEventKind::Delete:
        return QStringLiteral("delete");
    case LogEventKind::Fragmentation:
        return QStringLiteral("fragmentation");
    case LogEventKind::MessageParsed:
        return QStringLiteral("message_parsed");
    case LogEventKind::MessageGenerated:
        return QStringLiteral("message_generated");
    case LogEventKind::IkeEstablished:
        return QStringLiteral("ike_established");
    case LogEventKind::ChildEstablished:
        return QStringLiteral("child_established");
    case LogEventKind::AuthFailed:
        return QStringLiteral("auth_failed");
    case LogEventKind::NoProposal:
        return QStringLiteral("no_proposal");
    case LogEventKind::TsUnacceptable:
        return QStringLiteral("ts_unacceptable");
    case LogEventKind::Other:
        return QStringLiteral("other");
    }
    return {};
}

void ParseStatus::warn(int line, const QString &message)
{
    // A hostile file could produce a warning per line; keep the first ones and a count.
    constexpr std::size_t MaxWarnings = 200;
    if (warnings.size() < MaxWarnings)
        warnings.push_back({line, message});
    else if (warnings.size() == MaxWarnings)
        warnings.push_back({0, QStringLiteral("more warnings suppressed")});
}

void ParseStatus::warnCut(int line, const QString &message)
{
    if (cut.message.isEmpty()) cut = {line, message};
    warn(line, message);
}

std::uint64_t LinkStats::counter(const QString &counterName) const
{
    const auto it = counters.find(counterName);
    return it == counters.end() ? 0 : it->second;
}

const EthtoolFeature *EthtoolFeatures::find(const QString &featureName) const
{
    const auto it = std::find_if(features.begin(), features.end(),
                                 [&](const EthtoolFeature &f) { return f.name == featureName; });
    return it == features.end() ? nullptr : &*it;
}

const ConfigSection *ConfigSection::section(const QString &sectionName) const
{
    const auto it = std::find_if(sections.begin(), sections.end(),
                                 [&](const ConfigSection &s) { return s.name == sectionName; });
    return it == sections.end() ? nullptr : &*it;
}

const ConfigValue *ConfigSection::find(const QString &dottedPath) const
{
    const qsizetype dot = dottedPath.indexOf(QLatin1Char('.'));
    if (dot < 0) {
        // The last assignment wins, as in strongSwan.
        for (auto it = values.rbegin(); it != values.rend(); ++it)
            if (it->key == dottedPath) return &*it;
        return nullptr;
    }
    const QString head = dottedPath.left(dot);
    const QString rest = dottedPath.mid(dot + 1);
    for (auto it = sections.rbegin(); it != sections.rend(); ++it)
        if (it->name == head)
            if (const ConfigValue *v = it->find(rest)) return v;
    return nullptr;
}

QByteArray readEvidenceText(const QString &path, ParseStatus &status, const TextLimits &limits)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        status.error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
        return {};
    }
    return readEvidenceText(f, path, status, limits);
}

QByteArray readEvidenceText(QIODevice &f, const QString &name, ParseStatus &status, const TextLimits &limits)
{
    // /proc files report size 0: read in chunks up to the cap instead of trusting size().
    QByteArray data;
    while (data.size() < limits.maxFileBytes) {
        const QByteArray chunk = f.read(std::min<qint64>(1 << 20, limits.maxFileBytes - data.size()));
        if (chunk.isEmpty()) break;
        data += chunk;
    }
    if (data.size() >= limits.maxFileBytes && !f.atEnd()) {
        if (!limits.capReason.isEmpty())
            status.warnCut(0, QStringLiteral("%1: %2; only the first %3 bytes were read")
                                  .arg(name, limits.capReason, QString::number(data.size())));
        else
            status.warnCut(0, QStringLiteral("%1: file larger than %2 MB, only the first %2 MB were read")
                                  .arg(name, QString::number(limits.maxFileBytes / (1024 * 1024))));
    }
    return data;
}

std::vector<QByteArrayView> splitEvidenceLines(QByteArrayView text, const QString &fileName,
                                               ParseStatus &status, const TextLimits &limits)
{
    std::vector<QByteArrayView> lines;
    const qsizetype probe = std::min<qsizetype>(text.size(), 4096);
    int odd = 0;
    for (qsizetype i = 0; i < probe; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == 0) {
            status.error = QStringLiteral("%1: binary data (NUL byte at offset %2), not a text file")
                               .arg(fileName, QString::number(i));
            return lines;
        }
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') ++odd;
    }
    if (probe > 0 && odd * 10 > probe) {
        status.error =
            QStringLiteral("%1: binary data (mostly control bytes), not a text file").arg(fileName);
        return lines;
    }
    qsizetype pos = 0;
    int cut = 0;
    while (pos < text.size()) {
        if (int(lines.size()) >= limits.maxLines) {
            status.warnCut(int(lines.size()), QStringLiteral("%1: more than %2 lines, the rest was ignored")
                                                  .arg(fileName, QString::number(limits.maxLines)));
            break;
        }
        qsizetype end = text.indexOf('\n', pos);
        if (end < 0) end = text.size();
        QByteArrayView line = text.sliced(pos, end - pos);
        if (line.endsWith('\r')) line.chop(1);
        if (line.size() > limits.maxLineLength) {
            if (++cut <= 5)
                status.warn(int(lines.size()) + 1,
                            QStringLiteral("line longer than %1 bytes, cut").arg(limits.maxLineLength));
            line.truncate(limits.maxLineLength);
        }
        lines.push_back(line);
        pos = end + 1;
    }
    return lines;
}

namespace evidence_detail {

std::vector<QByteArrayView> words(QByteArrayView line)
{
    std::vector<QByteArrayView> out;
    qsizetype i = 0;
    const qsizetype n = line.size();
    while (i < n) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        const qsizetype start = i;
        while (i < n && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start) out.push_back(line.sliced(start, i - start));
    }
    return out;
}

std::optional<std::uint64_t> toU64(QByteArrayView v)
{
    if (v.isEmpty() || v.size() > 20) return std::nullopt;
    for (char c : v)
        if (c < '0' || c > '9') return std::nullopt;
    bool ok = false;
    const qulonglong r = v.toULongLong(&ok, 10);
    return ok ? std::optional<std::uint64_t>(r) : std::nullopt;
}

std::optional<std::uint64_t> hexU64(QByteArrayView v)
{
    if (v.startsWith("0x") || v.startsWith("0X")) v = v.sliced(2);
    if (v.isEmpty() || v.size() > 16) return std::nullopt;
    bool ok = false;
    const qulonglong r = v.toULongLong(&ok, 16);
    return ok ? std::optional<std::uint64_t>(r) : std::nullopt;
}

QByteArrayView after(const std::vector<QByteArrayView> &w, QByteArrayView key)
{
    for (std::size_t i = 0; i + 1 < w.size(); ++i)
        if (w[i] == key) return w[i + 1];
    return {};
}

void wrongKind(ParseStatus &status, const QString &fileName, EvidenceKind kind, const QString &expected)
{
    const QString source = evidenceKindSource(kind);
    QString article = QStringLiteral("a");
    if (source.startsWith(QLatin1Char('/'))) {
        article = QStringLiteral("a copy of");
    } else {
        const QString bare = source.startsWith(QLatin1Char('`')) ? source.mid(1) : source;
        if (!bare.isEmpty() && QStringLiteral("aeiou").contains(bare.front())) article = QStringLiteral("an");
    }
    status.error = QStringLiteral("%1: not %2 %3: expected %4").arg(fileName, article, source, expected);
}

int indentOf(QByteArrayView line)
{
    int n = 0;
    for (char c : line) {
        if (c == ' ')
            ++n;
        else if (c == '\t')
            n += 8;
        else
            break;
    }
    return n;
}

qsizetype indexOutsideQuotes(QByteArrayView line, char c)
{
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (line[i] == c && !quoted)
            return i;
    }
    return -1;
}

} // namespace evidence_detail

} // namespace ikev2wb
