// The probe result as JSON (`ikev2wb.probe/1`, README.md) and as text.
#include "probereport.h"

#include "report/jsonwriter.h"

namespace ikev2wb::probe {

namespace {

void optionalInt(JsonWriter &w, std::string_view key, const std::optional<int> &v)
{
    w.key(key);
    if (v)
        w.value(*v);
    else
        w.null();
}

void optionalText(JsonWriter &w, std::string_view key, const QString &v)
{
    w.key(key);
    if (v.isEmpty())
        w.null();
    else
        w.value(v);
}

void writeProbe(JsonWriter &w, const SizeProbe &p)
{
    w.beginObject();
    w.field("size", p.size);
    w.field("sent", p.sent);
    w.field("answered", p.answered);
    w.field("outcome", outcomeName(p.outcome));
    w.key("icmp");
    if (p.icmpType >= 0 && p.outcome != Outcome::Delivered) {
        w.beginObject();
        w.field("type", p.icmpType);
        w.field("code", p.icmpCode);
        optionalText(w, "from", p.from);
        optionalInt(w, "mtu", p.mtu > 0 ? std::optional<int>(p.mtu) : std::nullopt);
        w.endObject();
    } else {
        w.null();
    }
    optionalInt(w, "local_mtu",
                p.outcome == Outcome::TooBigLocal && p.mtu > 0 ? std::optional<int>(p.mtu) : std::nullopt);
    w.key("rtt_ms");
    if (p.outcome == Outcome::Delivered)
        w.value(p.rttMs, 3);
    else
        w.null();
    w.endObject();
}

} // namespace

std::string probeJson(const ProbeResult &r)
{
    const ProbeOptions &o = r.options;
    JsonWriter w(true);
    w.beginObject();
    w.field("schema", "ikev2wb.probe/1");
    w.field("target", o.host);
    optionalText(w, "address", r.address);
    optionalText(w, "source", r.source);
    w.field("family", o.ipv6 ? "ipv6" : "ipv4");
    w.field("proto", o.proto == Proto::Udp ? "udp" : "icmp");
    w.field("method", r.error.isEmpty() ? methodName(r.method) : QString());
    optionalInt(w, "port", o.proto == Proto::Udp ? std::optional<int>(o.port) : std::nullopt);
    w.field("min", o.minSize);
    w.field("max", o.maxSize);
    w.field("tries", o.tries);
    w.key("timeout_s").value(o.timeoutS, 3);
    w.key("started").time(r.startedNs);
    w.key("duration_s").value(r.durationS, 3);
    optionalInt(w, "path_mtu", r.pathMtu);
    w.field("pmtud", pmtudName(r.pmtud));
    w.field("verdict", r.verdict);
    optionalInt(w, "largest_delivered", r.largestDelivered);
    optionalInt(w, "smallest_failed", r.smallestFailed);
    optionalText(w, "failed_by", r.failedBy ? outcomeName(*r.failedBy) : QString());
    optionalText(w, "failed_from", r.failedFrom);
    optionalInt(w, "reported_mtu", r.reportedMtu);
    optionalInt(w, "local_mtu", r.localMtu);
    w.field("limited_by_max", r.limitedByMax);
    w.key("ptb").beginArray();
    for (const PtbReport &p : r.ptb) {
        w.beginObject();
        w.field("from", p.from);
        w.field("mtu", p.mtu);
        w.field("first_size", p.firstSize);
        w.field("count", p.count);
        w.endObject();
    }
    w.endArray();
    w.key("probes").beginArray();
    for (const SizeProbe &p : r.probes)
        writeProbe(w, p);
    w.endArray();
    w.field("cancelled", r.cancelled);
    optionalText(w, "error", r.error);
    w.key("warnings").beginArray();
    for (const QString &s : r.warnings)
        w.value(s);
    w.endArray();
    w.endObject();
    return w.take() + '\n';
}

QString sizeProbeText(const SizeProbe &p)
{
    QString line = QStringLiteral("%1 bytes: %2").arg(p.size, 5).arg(outcomeName(p.outcome));
    if (p.outcome == Outcome::Delivered)
        line += QStringLiteral(" (%1 ms, try %2)").arg(p.rttMs, 0, 'f', 2).arg(p.sent);
    else if (p.outcome == Outcome::TooBigIcmp)
        line += QStringLiteral(" from %1, MTU %2").arg(p.from).arg(p.mtu);
    else if (p.outcome == Outcome::TooBigLocal && p.mtu > 0)
        line += QStringLiteral(", local MTU %1").arg(p.mtu);
    else if (p.outcome == Outcome::Unreachable && p.icmpType >= 0)
        line += QStringLiteral(" (ICMP type %1 code %2 from %3)").arg(p.icmpType).arg(p.icmpCode).arg(p.from);
    else if (p.outcome == Outcome::Silent)
        line += QStringLiteral(" (%1 tries)").arg(p.sent);
    return line;
}

QString probeText(const ProbeResult &r)
{
    QString s = QStringLiteral("probe %1 (%2) by %3, sizes %4..%5, %6 tries of %7 s\n")
                    .arg(r.options.host, r.address, methodName(r.method), QString::number(r.options.minSize),
                         QString::number(r.options.maxSize), QString::number(r.options.tries),
                         QString::number(r.options.timeoutS));
    s += QStringLiteral("path MTU: %1\n")
             .arg(r.pathMtu ? QString::number(*r.pathMtu) : QStringLiteral("unknown"));
    s += QStringLiteral("PMTUD: %1 — %2\n").arg(pmtudName(r.pmtud), r.verdict);
    for (const PtbReport &p : r.ptb)
        s += QStringLiteral("ICMP too big from %1: MTU %2 (%3 times, first for %4 bytes)\n")
                 .arg(p.from)
                 .arg(p.mtu)
                 .arg(p.count)
                 .arg(p.firstSize);
    for (const QString &w : r.warnings)
        s += QStringLiteral("warning: %1\n").arg(w);
    return s;
}

} // namespace ikev2wb::probe
