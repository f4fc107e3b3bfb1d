#include "evidencereport.h"

#include "capturesummary.h"
#include "evidence/evidenceset.h"
#include "jsonwriter.h"

#include <QStringList>

namespace ikev2wb {

namespace {

constexpr std::size_t MaxJsonEvents = 2000;

/// Settings of a connection or child that the diagnosis looks at (others stay in the tree).
const QStringList &interestingKeys()
{
    static const QStringList keys = {
        QStringLiteral("version"),       QStringLiteral("proposals"),     QStringLiteral("esp_proposals"),
        QStringLiteral("ike"),           QStringLiteral("esp"),           QStringLiteral("local_addrs"),
        QStringLiteral("remote_addrs"),  QStringLiteral("left"),          QStringLiteral("right"),
        QStringLiteral("dpd_delay"),     QStringLiteral("dpd_timeout"),   QStringLiteral("dpd_action"),
        QStringLiteral("dpddelay"),      QStringLiteral("dpdtimeout"),    QStringLiteral("dpdaction"),
        QStringLiteral("rekey_time"),    QStringLiteral("reauth_time"),   QStringLiteral("over_time"),
        QStringLiteral("rand_time"),     QStringLiteral("life_time"),     QStringLiteral("rekey_bytes"),
        QStringLiteral("rekey_packets"), QStringLiteral("lifetime"),      QStringLiteral("keylife"),
        QStringLiteral("ikelifetime"),   QStringLiteral("margintime"),    QStringLiteral("rekeymargin"),
        QStringLiteral("rekeyfuzz"),     QStringLiteral("replay_window"), QStringLiteral("encap"),
        QStringLiteral("forceencaps"),   QStringLiteral("mobike"),        QStringLiteral("fragmentation"),
        QStringLiteral("keyingtries"),   QStringLiteral("mode"),          QStringLiteral("type"),
        QStringLiteral("start_action"),  QStringLiteral("close_action"),  QStringLiteral("auto"),
        QStringLiteral("closeaction"),   QStringLiteral("hw_offload"),    QStringLiteral("copy_df"),
        QStringLiteral("tfc_padding"),   QStringLiteral("local_ts"),      QStringLiteral("remote_ts"),
        QStringLiteral("leftsubnet"),    QStringLiteral("rightsubnet")};
    return keys;
}

const QStringList &strongswanKeys()
{
    static const QStringList keys = {QStringLiteral("charon.retransmit_tries"),
                                     QStringLiteral("charon.retransmit_timeout"),
                                     QStringLiteral("charon.retransmit_base"),
                                     QStringLiteral("charon.retransmit_jitter"),
                                     QStringLiteral("charon.retransmit_limit"),
                                     QStringLiteral("charon.keep_alive"),
                                     QStringLiteral("charon.keep_alive_dpd_margin"),
                                     QStringLiteral("charon.fragment_size"),
                                     QStringLiteral("charon.make_before_break"),
                                     QStringLiteral("charon.delete_rekeyed_delay"),
                                     QStringLiteral("charon.install_routes"),
                                     QStringLiteral("charon.plugins.kernel-netlink.mtu"),
                                     QStringLiteral("charon.plugins.kernel-netlink.mss"),
                                     QStringLiteral("charon.plugins.kernel-netlink.xfrm_acq_expires")};
    return keys;
}

void writeCounters(JsonWriter &w, const CounterMap &m, bool nonZeroOnly)
{
    w.beginObject();
    for (const auto &[k, v] : m)
        if (!nonZeroOnly || v) w.key(k.toStdString()).value(v);
    w.endObject();
}

void writeSettings(JsonWriter &w, const std::map<QString, QString> &s)
{
    w.beginObject();
    for (const auto &[k, v] : s)
        if (interestingKeys().contains(k)) w.field(k.toStdString(), v);
    w.endObject();
}

std::map<LogEventKind, int> eventsByKind(const CharonLog &log)
{
    std::map<LogEventKind, int> m;
    for (const LogEvent &e : log.events)
        ++m[e.kind];
    return m;
}

QString formatName(CharonLog::Format f)
{
    switch (f) {
    case CharonLog::Format::FileLog:
        return QStringLiteral("file_log");
    case CharonLog::Format::FileLogNoTime:
        return QStringLiteral("file_log_no_time");
    case CharonLog::Format::Syslog:
        return QStringLiteral("syslog");
    case CharonLog::Format::Journal:
        return QStringLiteral("journal");
    case CharonLog::Format::Mixed:
        return QStringLiteral("mixed");
    }
    return {};
}

void writeEvent(JsonWriter &w, const LogEvent &e)
{
    w.beginObject();
    w.field("line", e.line).field("kind", logEventKindName(e.kind));
    if (e.time)
        w.field("time",
                e.time->dateTime.toString(e.time->yearKnown ? QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")
                                                            : QStringLiteral("MM-ddTHH:mm:ss.zzz")));
    if (e.thread >= 0) w.field("thread", e.thread);
    if (!e.group.isEmpty()) w.field("group", e.group);
    if (!e.ikeName.isEmpty()) w.field("ike_sa", e.ikeName);
    if (e.ikeUniqueId) w.field("ike_sa_id", e.ikeUniqueId);
    if (!e.childName.isEmpty()) w.field("child_sa", e.childName).field("child_sa_id", e.childUniqueId);
    if (e.messageId >= 0) w.field("message_id", std::int64_t(e.messageId));
    if (e.retransmit) w.field("retransmit", e.retransmit);
    if (!e.exchange.isEmpty())
        w.field("exchange", e.exchange).field("response", e.response).field("payloads", e.payloads);
    if (!e.spis.isEmpty()) {
        w.key("spis").beginArray();
        for (const QString &s : e.spis)
            w.value(s);
        w.endArray();
    }
    w.field("message", e.message);
    w.endObject();
}

void writeData(JsonWriter &w, const EvidenceFile &f)
{
    if (const auto *x = std::get_if<XfrmStat>(&f.data)) {
        w.key("nonzero_counters");
        writeCounters(w, x->counters, true);
        w.field("counter_count", std::uint64_t(x->counters.size()));
    } else if (const auto *st = std::get_if<XfrmStateList>(&f.data)) {
        w.key("sas").beginArray();
        for (const XfrmSa &sa : st->sas) {
            w.beginObject();
            w.field("src", sa.src).field("dst", sa.dst).field("proto", sa.proto).key("spi").spi(sa.spi);
            w.field("reqid", sa.reqid).field("mode", sa.mode).field("replay_window", sa.replayWindow);
            w.key("flags").beginArray();
            for (const QString &fl : sa.flags)
                w.value(fl);
            w.endArray();
            w.key("algorithms").beginArray();
            for (const QString &a : sa.algorithms)
                w.value(a);
            w.endArray();
            if (sa.hasEncap) {
                w.key("encap").beginObject();
                w.field("type", sa.encapType)
                    .field("sport", unsigned(sa.encapSport))
                    .field("dport", unsigned(sa.encapDport));
                w.endObject();
            }
            if (sa.hasLifetimeCurrent) w.field("bytes", sa.currentBytes).field("packets", sa.currentPackets);
            if (sa.hasStats) {
                w.key("stats").beginObject();
                w.field("replay_window", sa.statsReplayWindow)
                    .field("replay", sa.statsReplay)
                    .field("failed", sa.statsFailed);
                w.endObject();
            }
            if (sa.hasReplayContext) w.field("seq", sa.seq).field("oseq", sa.oseq);
            w.endObject();
        }
        w.endArray();
    } else if (const auto *pol = std::get_if<XfrmPolicyList>(&f.data)) {
        w.key("policies").beginArray();
        for (const XfrmPolicy &p : pol->policies) {
            w.beginObject();
            w.field("src", p.src).field("dst", p.dst).field("dir", p.dir).field("action", p.action);
            if (!p.tmplProto.isEmpty())
                w.field("tmpl_src", p.tmplSrc)
                    .field("tmpl_dst", p.tmplDst)
                    .field("tmpl_proto", p.tmplProto)
                    .field("tmpl_reqid", p.tmplReqid);
            w.endObject();
        }
        w.endArray();
    } else if (const auto *links = std::get_if<LinkStatsList>(&f.data)) {
        w.key("links").beginArray();
        for (const LinkStats &l : links->links) {
            w.beginObject();
            w.field("name", l.name).field("mtu", l.mtu).field("state", l.state).key("counters");
            writeCounters(w, l.counters, false);
            w.endObject();
        }
        w.endArray();
    } else if (const auto *es = std::get_if<EthtoolStats>(&f.data)) {
        w.field("interface", es->interfaceName).key("nonzero_counters");
        writeCounters(w, es->counters, true);
    } else if (const auto *ef = std::get_if<EthtoolFeatures>(&f.data)) {
        w.field("interface", ef->interfaceName).key("features").beginObject();
        for (const EthtoolFeature &ft : ef->features)
            w.field(ft.name.toStdString(), QString(QLatin1String(ft.on ? "on" : "off") +
                                                   (ft.fixed ? QStringLiteral(" [fixed]") : QString())));
        w.endObject();
    } else if (const auto *sn = std::get_if<SnmpCounters>(&f.data)) {
        w.key("nonzero_counters");
        writeCounters(w, sn->counters, true);
    } else if (const auto *sy = std::get_if<SysctlValues>(&f.data)) {
        w.key("values").beginObject();
        for (const auto &[k, v] : sy->values)
            w.field(k.toStdString(), v);
        w.endObject();
        w.key("unreadable").beginArray();
        for (const QString &u : sy->unreadable)
            w.value(u);
        w.endArray();
    } else if (const auto *sas = std::get_if<SwanctlSaList>(&f.data)) {
        w.key("ike_sas").beginArray();
        for (const SwanctlIkeSa &ike : sas->ikeSas) {
            w.beginObject();
            w.field("name", ike.name)
                .field("unique_id", ike.uniqueId)
                .field("state", ike.state)
                .field("version", ike.version);
            w.field("local", ike.local).field("remote", ike.remote).field("proposal", ike.proposal);
            w.key("children").beginArray();
            for (const SwanctlChildSa &c : ike.children) {
                w.beginObject();
                w.field("name", c.name)
                    .field("unique_id", c.uniqueId)
                    .field("state", c.state)
                    .field("mode", c.mode);
                w.field("proposal", c.proposal).key("spi_in").spi(c.spiIn).key("spi_out").spi(c.spiOut);
                w.field("bytes_in", c.bytesIn)
                    .field("packets_in", c.packetsIn)
                    .field("bytes_out", c.bytesOut)
                    .field("packets_out", c.packetsOut);
                w.endObject();
            }
            w.endArray();
            w.endObject();
        }
        w.endArray();
    } else if (const auto *conns = std::get_if<SwanctlConnList>(&f.data)) {
        w.key("connections").beginArray();
        for (const SwanctlConn &c : conns->connections) {
            w.beginObject();
            w.field("name", c.name).field("summary", c.summary);
            w.key("children").beginArray();
            for (const auto &ch : c.children) {
                w.beginObject();
                w.field("name", ch.name).field("summary", ch.summary);
                w.endObject();
            }
            w.endArray();
            w.endObject();
        }
        w.endArray();
    } else if (const auto *cfg = std::get_if<ConfigFile>(&f.data)) {
        w.field("secrets_present", cfg->secretsPresent);
        w.key("includes").beginArray();
        for (const QString &i : cfg->includes)
            w.value(i);
        w.endArray();
        w.key("connections").beginArray();
        for (const ConfigConnection &c : cfg->connections) {
            w.beginObject();
            w.field("name", c.name).field("line", c.line).key("settings");
            writeSettings(w, c.settings);
            w.key("children").beginArray();
            for (const ConfigChild &ch : c.children) {
                w.beginObject();
                w.field("name", ch.name).key("settings");
                writeSettings(w, ch.settings);
                w.endObject();
            }
            w.endArray();
            w.endObject();
        }
        w.endArray();
        if (f.kind == EvidenceKind::StrongswanConf) {
            w.key("settings").beginObject();
            for (const QString &k : strongswanKeys())
                if (const ConfigValue *v = cfg->root.find(k)) w.field(k.toStdString(), v->value);
            w.endObject();
        }
    } else if (const auto *log = std::get_if<CharonLog>(&f.data)) {
        w.field("format", formatName(log->format)).field("charon_lines", log->charonLines);
        w.key("events_by_kind").beginObject();
        for (const auto &[k, n] : eventsByKind(*log))
            w.field(logEventKindName(k).toStdString(), n);
        w.endObject();
        // Message summaries are many; they are counted above, the rest listed.
        w.key("events").beginArray();
        std::size_t written = 0;
        for (const LogEvent &e : log->events) {
            if (e.kind == LogEventKind::MessageParsed || e.kind == LogEventKind::MessageGenerated) continue;
            if (++written > MaxJsonEvents) break;
            writeEvent(w, e);
        }
        w.endArray();
    }
}

QString fileLabel(const EvidenceFile &f)
{
    QStringList parts;
    if (!f.host.isEmpty()) parts << f.host;
    if (!f.subject.isEmpty()) parts << f.subject;
    if (f.phase != SnapshotPhase::None) parts << snapshotPhaseName(f.phase);
    return parts.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(parts.join(QStringLiteral(", ")));
}

} // namespace

void writeEvidenceJson(JsonWriter &w, const EvidenceSet &set)
{
    w.beginObject();
    w.key("files").beginArray();
    for (const EvidenceFile &f : set.files()) {
        w.beginObject();
        w.field("path", f.path).field("kind", evidenceKindName(f.kind));
        if (!f.host.isEmpty()) w.field("host", f.host);
        if (!f.subject.isEmpty()) w.field("subject", f.subject);
        if (f.phase != SnapshotPhase::None) w.field("phase", snapshotPhaseName(f.phase));
        if (!f.status.ok()) w.field("error", f.status.error);
        w.key("warnings").beginArray();
        for (const EvidenceIssue &i : f.status.warnings) {
            w.beginObject();
            w.field("line", i.line).field("message", i.message);
            w.endObject();
        }
        w.endArray();
        writeData(w, f);
        w.endObject();
    }
    w.endArray();
    w.key("skipped").beginArray();
    for (const SkippedFile &s : set.skipped()) {
        w.beginObject();
        w.field("path", s.path).field("reason", s.reason);
        w.endObject();
    }
    w.endArray();
    w.key("deltas").beginArray();
    for (const SnapshotDelta &d : set.deltas()) {
        w.beginObject();
        w.field("host", d.host).field("kind", evidenceKindName(d.kind)).field("subject", d.subject);
        w.field("before", d.beforePath).field("after", d.afterPath);
        const auto changed = d.changed();
        w.key("changed").beginArray();
        for (const CounterDelta &c : changed) {
            w.beginObject();
            w.field("name", c.name)
                .field("before", c.before)
                .field("after", c.after)
                .field("delta", std::int64_t(c.delta));
            if (!c.inBefore) w.field("new", true);
            if (!c.inAfter) w.field("gone", true);
            w.endObject();
        }
        w.endArray();
        w.field("unchanged", std::uint64_t(d.counters.size() - changed.size()));
        w.endObject();
    }
    w.endArray();
    w.key("warnings").beginArray();
    for (const QString &s : set.warnings())
        w.value(s);
    w.endArray();
    w.endObject();
}

QString evidenceText(const EvidenceSet &set)
{
    QString out;
    for (const EvidenceFile &f : set.files()) {
        out += QStringLiteral("%1: %2%3\n").arg(f.path, evidenceKindName(f.kind), fileLabel(f));
        if (!f.status.ok()) out += QStringLiteral("  error: %1\n").arg(f.status.error);
        for (const EvidenceIssue &i : f.status.warnings)
            out += QStringLiteral("  warning (line %1): %2\n").arg(i.line).arg(i.message);
        if (const auto *st = std::get_if<XfrmStateList>(&f.data)) {
            for (const XfrmSa &sa : st->sas)
                out += QStringLiteral("  SA %1 %2 -> %3 %4 replay-window %5 bytes %6 packets %7 stats "
                                      "replay-window %8 replay %9 failed %10\n")
                           .arg(spiText(sa.spi), sa.src, sa.dst,
                                sa.hasEncap ? QStringLiteral("(UDP-encap)") : QString(),
                                QString::number(sa.replayWindow), QString::number(sa.currentBytes),
                                QString::number(sa.currentPackets), QString::number(sa.statsReplayWindow),
                                QString::number(sa.statsReplay), QString::number(sa.statsFailed));
        } else if (const auto *log = std::get_if<CharonLog>(&f.data)) {
            out +=
                QStringLiteral("  %1 charon lines (%2)\n").arg(log->charonLines).arg(formatName(log->format));
            for (const auto &[k, n] : eventsByKind(*log))
                out += QStringLiteral("  %1: %2\n").arg(logEventKindName(k)).arg(n);
        } else if (const auto *cfg = std::get_if<ConfigFile>(&f.data)) {
            for (const ConfigConnection &c : cfg->connections)
                out += QStringLiteral("  connection %1 (%2 children)\n")
                           .arg(c.name, QString::number(c.children.size()));
            if (cfg->secretsPresent) out += QStringLiteral("  secrets present (not shown)\n");
        } else {
            const CounterMap m = evidenceCounters(f);
            int nonZero = 0;
            for (const auto &kv : m)
                nonZero += kv.second ? 1 : 0;
            if (!m.empty()) out += QStringLiteral("  %1 counters, %2 non-zero\n").arg(m.size()).arg(nonZero);
        }
    }
    const auto deltas = set.deltas();
    if (!deltas.empty()) out += QStringLiteral("\ndeltas:\n");
    for (const SnapshotDelta &d : deltas) {
        const auto changed = d.changed();
        out += QStringLiteral("%1 %2%3: %4 changed\n")
                   .arg(d.host.isEmpty() ? QStringLiteral("-") : d.host, evidenceKindName(d.kind),
                        d.subject.isEmpty() ? QString() : QLatin1Char(' ') + d.subject,
                        QString::number(changed.size()));
        for (const CounterDelta &c : changed)
            out += QStringLiteral("  %1: %2 -> %3 (%4%5)\n")
                       .arg(c.name, QString::number(c.before), QString::number(c.after),
                            c.delta >= 0 ? QStringLiteral("+") : QString(), QString::number(c.delta));
    }
    if (!set.skipped().empty())
        out += QStringLiteral("\nskipped %1 file(s) that are not host evidence\n").arg(set.skipped().size());
    for (const QString &s : set.warnings())
        out += QStringLiteral("warning: %1\n").arg(s);
    return out;
}

} // namespace ikev2wb
