// `ikev2wb compare A B` output: the JSON document (fields in README.md) and the text report.
#include "comparereport.h"

#include "../dissect/ikeconstants.h"
#include "../index/captureset.h"
#include "capturesummary.h"
#include "jsonwriter.h"

#include <QFileInfo>

namespace ikev2wb {

namespace {

const char *sideName(int s)
{
    return s == 0 ? "A" : "B";
}

QString exchangeText(std::uint8_t e)
{
    const auto n = ike::exchangeName(e);
    return n.empty() ? QStringLiteral("exchange-%1").arg(e)
                     : QString::fromLatin1(n.data(), qsizetype(n.size()));
}

QString fileName(const CompareSide &s)
{
    return s.set.isSet() ? s.set.name : QFileInfo(s.file.path).fileName();
}

QString endpointName(const CompareResult &r, int s)
{
    QStringList addrs;
    for (const IpAddress &a : r.side[s].localAddresses)
        addrs << QString::fromStdString(a.toString());
    return QStringLiteral("%1 (%2%3)")
        .arg(QLatin1String(sideName(s)), fileName(r.side[s]),
             addrs.isEmpty() ? QString() : QStringLiteral(", ") + addrs.join(QStringLiteral(", ")));
}

void writePackets(JsonWriter &w, std::string_view key, const std::vector<ComparedPacket> &v)
{
    w.key(key).beginArray();
    for (const ComparedPacket &p : v) {
        w.beginObject();
        w.key("spi").spi(p.spi);
        w.field("seq", p.seq);
        w.key("time").time(p.tsNs);
        w.field("size", unsigned(p.size));
        w.endObject();
    }
    w.endArray();
}

void writeOwd(JsonWriter &w, std::string_view key, const OwdStats &o)
{
    w.key(key);
    if (o.samples == 0) {
        w.null();
        return;
    }
    w.beginObject();
    w.field("samples", o.samples);
    w.key("min").value(o.minMs, 3);
    w.key("median").value(o.medianMs, 3);
    w.key("p99").value(o.p99Ms, 3);
    w.key("max").value(o.maxMs, 3);
    w.key("jitter").value(o.jitterMs, 3);
    w.endObject();
}

void writeAddr(JsonWriter &w, std::string_view key, const IpAddress &a, std::uint16_t port)
{
    w.field(key, endpointText(a, port));
}

void writeSa(JsonWriter &w, const SaComparison &c)
{
    w.beginObject();
    w.key("spi").spi(c.spi);
    w.field("generation", unsigned(c.generation));
    w.field("encap", c.udp ? "udp" : "esp");
    w.field("direction_basis", c.senderBasis);
    if (c.atSender) {
        writeAddr(w, "src_at_sender", c.srcAtSender, c.srcPortAtSender);
        writeAddr(w, "dst_at_sender", c.dstAtSender, c.dstPortAtSender);
    }
    if (c.atReceiver) {
        writeAddr(w, "src_at_receiver", c.srcAtReceiver, c.srcPortAtReceiver);
        writeAddr(w, "dst_at_receiver", c.dstAtReceiver, c.dstPortAtReceiver);
    }
    w.field("first_seq", c.firstSeq).field("last_seq", c.lastSeq);
    w.key("first_time").time(c.firstNs);
    w.key("last_time").time(c.lastNs);
    w.field("sent", c.sent).field("received", c.received).field("lost_in_transit", c.lost);
    w.field("capture_drop_at_sender", c.captureDropAtSender)
        .field("outside_sender_span", c.outsideSenderSpan);
    w.field("outside_receiver_span", c.outsideReceiverSpan);
    w.field("duplicated", c.duplicated).field("reordered", c.reordered);
    writeOwd(w, "owd_ms", c.owd);
    w.key("owd_series").beginArray();
    for (const OwdBucket &b : c.owdSeries) {
        w.beginObject();
        w.key("time").time(b.startNs);
        w.field("samples", b.samples);
        w.key("min_ms").value(b.minMs, 3);
        w.key("mean_ms").value(b.meanMs, 3);
        w.key("max_ms").value(b.maxMs, 3);
        w.key("jitter_ms").value(b.jitterMs, 3);
        w.endObject();
    }
    w.endArray();
    w.endObject();
}

void writeDirection(JsonWriter &w, const CompareResult &r, const DirectionComparison &d)
{
    w.beginObject();
    w.field("from", sideName(d.from));
    w.field("to", sideName(1 - d.from));
    w.field("from_capture", fileName(r.side[d.from]));
    w.field("to_capture", fileName(r.side[1 - d.from]));
    w.key("spis").beginArray();
    for (const QString &s : d.spis)
        w.value(s);
    w.endArray();
    w.field("sent", d.sent).field("received", d.received);
    w.field("lost", std::uint64_t(d.lostInTransit.size()));
    writePackets(w, "lost_in_transit", d.lostInTransit);
    writePackets(w, "capture_drop_at_sender", d.captureDropAtSender);
    writePackets(w, "outside_sender_span", d.outsideSenderSpan);
    writePackets(w, "outside_receiver_span", d.outsideReceiverSpan);
    w.field("duplicated", d.duplicated);
    writePackets(w, "duplicates", d.duplicates);
    w.field("reordered", d.reordered);
    w.field("max_displacement", d.maxDisplacement);
    w.key("reordered_packets").beginArray();
    for (const ReorderedPacket &p : d.reorderedPackets) {
        w.beginObject();
        w.key("spi").spi(p.spi);
        w.field("seq", p.seq);
        w.key("time").time(p.tsNs);
        w.field("displacement", p.displacement);
        w.endObject();
    }
    w.endArray();
    w.key("clock_offset_s");
    if (r.clock.identifiable)
        w.value(d.from == 0 ? r.clock.offsetS : -r.clock.offsetS, 9);
    else
        w.null();
    w.field("owd_absolute", d.owdAbsolute);
    writeOwd(w, "owd_ms", d.owd);

    w.key("loss_by_size").beginObject();
    w.field("size_dependent", d.sizeDependent);
    w.field("largest_delivered", d.largestDelivered);
    w.key("smallest_lost");
    if (d.lostInTransit.empty())
        w.null();
    else
        w.value(d.smallestLost);
    w.key("buckets").beginArray();
    for (const SizeBucket &b : d.lossBySize) {
        w.beginObject();
        w.field("min", b.minSize).field("max", b.maxSize).field("sent", b.sent).field("lost", b.lost);
        w.endObject();
    }
    w.endArray();
    w.endObject();

    w.key("loss_per_second").beginArray();
    for (const LossSecond &s : d.lossPerSecond) {
        w.beginObject();
        w.key("time").time(s.startNs);
        w.field("sent", s.sent).field("lost", s.lost);
        w.key("rate").value(s.sent ? double(s.lost) / double(s.sent) : 0.0, 4);
        w.endObject();
    }
    w.endArray();
    w.field("loss_bursts", d.lossBursts).field("longest_burst", d.longestBurst);
    w.key("outages").beginArray();
    for (const Outage &o : d.outages) {
        w.beginObject();
        w.key("first_lost").time(o.firstLostNs);
        w.key("last_lost").time(o.lastLostNs);
        w.key("duration_s").value(double(o.lastLostNs - o.firstLostNs) / 1e9, 3);
        w.field("lost", o.lost);
        w.key("last_delivered_before");
        o.lastDeliveredBeforeNs < 0 ? w.null() : w.time(o.lastDeliveredBeforeNs);
        w.key("first_delivered_after");
        o.firstDeliveredAfterNs < 0 ? w.null() : w.time(o.firstDeliveredAfterNs);
        w.endObject();
    }
    w.endArray();
    w.key("ike").beginObject();
    w.field("sent", d.ikeSent).field("received", d.ikeReceived).field("lost_in_transit", d.ikeLost);
    w.endObject();
    w.key("sas").beginArray();
    for (const SaComparison &c : d.sas)
        writeSa(w, c);
    w.endArray();
    w.endObject();
}

QString ms(double v)
{
    return QString::number(v, 'f', 3);
}

} // namespace

void writePeerTunnelJson(JsonWriter &w, const PeerTunnel &t)
{
    if (t.basis == PeerTunnel::Basis::OneTunnel) return;
    const bool proven = t.basis == PeerTunnel::Basis::Spis;
    w.key(t.side == 0 ? "own_tunnel" : "peer_tunnel").beginObject();
    w.field("read_as", proven ? "tunnel" : "whole");
    if (proven) {
        w.key("ends").beginArray();
        for (const IpAddress &a : t.scope.ends)
            w.value(a.toString());
        w.endArray();
        w.field("shared_ike_sas", t.sharedIkeSas).field("shared_esp_spis", t.sharedEspSas);
    }
    w.field("why", t.why);
    w.key("pairs").beginArray();
    for (std::size_t i = 0; i < t.pairs.size(); ++i) {
        w.beginObject();
        w.field("a", t.pairs[i].a.toString()).field("b", t.pairs[i].b.toString());
        w.field("packets", t.pairs[i].packets);
        w.field(t.side == 0 ? "carries_spis_of_b" : "carries_spis_of_a",
                i < t.sharesSpis.size() && t.sharesSpis[i]);
        w.endObject();
    }
    w.endArray();
    w.endObject();
}

std::string compareJson(const CompareResult &r, bool pretty)
{
    JsonWriter w(pretty);
    w.beginObject();
    w.key("captures").beginArray();
    for (int s = 0; s < 2; ++s) {
        const CompareSide &c = r.side[s];
        w.beginObject();
        w.field("name", sideName(s));
        w.field("file", c.file.path);
        w.field("format", c.file.format);
        w.field("snaplen", c.file.snapLength);
        w.field("packets", c.packets).field("esp_packets", c.espPackets).field("ike_messages", c.ikeMessages);
        w.key("first_time").time(c.firstNs);
        w.key("last_time").time(c.lastNs);
        w.key("local_addresses").beginArray();
        for (const IpAddress &a : c.localAddresses)
            w.value(a.toString());
        w.endArray();
        w.key("other_spis").beginArray();
        for (std::uint32_t spi : c.otherSpis)
            w.spi(spi);
        w.endArray();
        writeCaptureSetJson(w, c.set);
        writeTunnelScopeJson(w, c.scope, c.outOfScope);
        w.endObject();
    }
    w.endArray();

    w.key("clock").beginObject();
    w.field("identifiable", r.clock.identifiable);
    w.key("offset_s");
    r.clock.identifiable ? w.value(r.clock.offsetS, 9) : w.null();
    w.key("path_delay_ms");
    r.clock.identifiable ? w.value(r.clock.pathDelayS * 1e3, 3) : w.null();
    w.key("error_bound_ms");
    r.clock.identifiable ? w.value(r.clock.errorBoundS * 1e3, 3) : w.null();
    w.key("min_delta_ab_s");
    r.clock.haveAb ? w.value(r.clock.minDeltaAbS, 9) : w.null();
    w.key("min_delta_ba_s");
    r.clock.haveBa ? w.value(r.clock.minDeltaBaS, 9) : w.null();
    w.field("assumption", r.clock.assumption);
    w.endObject();

    w.key("directions").beginArray();
    for (const DirectionComparison &d : r.directions)
        writeDirection(w, r, d);
    w.endArray();

    w.key("ike").beginObject();
    w.field("matched", r.ikeMatched);
    w.key("lost").beginArray();
    for (const IkeLostMessage &l : r.ikeLost) {
        w.beginObject();
        w.field("from", sideName(l.from)).field("to", sideName(1 - l.from));
        w.key("time").time(l.tsNs);
        w.key("ispi").spi64(l.ispi);
        w.key("rspi").spi64(l.rspi);
        w.field("message_id", l.messageId);
        w.field("exchange", exchangeText(l.exchange));
        w.field("response", l.response);
        w.field("fragment", unsigned(l.fragment));
        w.field("size", unsigned(l.size));
        w.field("attempt", l.attempt);
        w.field("beyond_receiver_span", l.beyondReceiverSpan);
        w.endObject();
    }
    w.endArray();
    w.key("retransmissions").beginArray();
    for (const IkeRetransmissionCause &t : r.ikeRetransmissions) {
        w.beginObject();
        w.field("from", sideName(t.from));
        w.key("time").time(t.tsNs);
        w.key("ispi").spi64(t.ispi);
        w.field("message_id", t.messageId);
        w.field("exchange", exchangeText(t.exchange));
        w.field("attempt", t.attempt);
        w.field("cause", t.cause);
        w.endObject();
    }
    w.endArray();
    w.key("events").beginArray();
    for (const IkeEventLoss &e : r.ikeEvents) {
        w.beginObject();
        w.key("time").time(e.tsNs);
        w.field("exchange", exchangeText(e.exchange));
        w.field("message_id", e.messageId);
        w.key("ispi").spi64(e.ispi);
        w.field("initiator", sideName(e.initiator));
        w.field("esp_lost_nearby_ab", e.lostNearby[0]).field("esp_lost_nearby_ba", e.lostNearby[1]);
        w.endObject();
    }
    w.endArray();
    w.endObject();

    writePeerTunnelJson(w, r.peerTunnel);
    writePeerTunnelJson(w, r.ownTunnel);
    w.key("notes").beginArray();
    for (const QString &n : r.notes)
        w.value(n);
    w.endArray();
    w.endObject();
    std::string out = w.take();
    out += '\n';
    return out;
}

CompareNotes compareNotes(const CompareResult &r, CompareTimes times)
{
    const auto when = [times](std::int64_t ns) {
        return times == CompareTimes::Utc ? utcText(ns, UtcFormat::MillisecondsSuffix) : epochSecondsText(ns);
    };
    CompareNotes n;
    for (std::size_t i = 0; i < std::size(r.directions) && i < n.outages.size(); ++i)
        for (const Outage &o : r.directions[i].outages)
            n.outages[i] << QStringLiteral("%1 lost from %2 to %3 (%4 s)")
                                .arg(o.lost)
                                .arg(when(o.firstLostNs), when(o.lastLostNs),
                                     QString::number(double(o.lastLostNs - o.firstLostNs) / 1e9, 'f', 3));
    for (const IkeLostMessage &l : r.ikeLost)
        n.ikeLost << QStringLiteral("%1 → %2: %3 %4 ID %5 (attempt %6) at %7")
                             .arg(QLatin1String(sideName(l.from)), QLatin1String(sideName(1 - l.from)),
                                  exchangeText(l.exchange),
                                  l.response ? QStringLiteral("response") : QStringLiteral("request"))
                             .arg(l.messageId)
                             .arg(l.attempt)
                             .arg(when(l.tsNs)) +
                         (l.beyondReceiverSpan
                              ? QStringLiteral(", due after (or before) %1's captured packets: "
                                               "not lost if that capture had stopped")
                                    .arg(QLatin1String(sideName(1 - l.from)))
                              : QString());
    for (const IkeRetransmissionCause &rt : r.ikeRetransmissions)
        n.ikeRetransmissions << QStringLiteral("by %1: %2 ID %3 attempt %4: %5")
                                    .arg(QLatin1String(sideName(rt.from)), exchangeText(rt.exchange))
                                    .arg(rt.messageId)
                                    .arg(rt.attempt)
                                    .arg(rt.cause);
    return n;
}

QString compareText(const CompareResult &r)
{
    const CompareNotes notes = compareNotes(r, CompareTimes::EpochSeconds);
    QString t;
    for (int s = 0; s < 2; ++s) {
        const CompareSide &c = r.side[s];
        t += QStringLiteral("%1: %2 (%3, snaplen %4), %5 packets, %6 ESP, %7 IKE, %8 s\n")
                 .arg(QLatin1String(sideName(s)), c.file.path, c.file.format,
                      QString::number(c.file.snapLength), QString::number(c.packets),
                      QString::number(c.espPackets), QString::number(c.ikeMessages),
                      QString::number(double(c.lastNs - c.firstNs) / 1e9, 'f', 3));
        if (c.set.isSet())
            t += QStringLiteral("%1: ").arg(QLatin1String(sideName(s))) + captureSetText(c.set);
        if (c.scope.active())
            t += QStringLiteral("%1: ").arg(QLatin1String(sideName(s))) +
                 tunnelScopeText(c.scope, c.outOfScope, c.packets) + QLatin1Char('\n');
    }
    for (const PeerTunnel *tunnel : {&r.ownTunnel, &r.peerTunnel})
        if (const QString judged = peerTunnelNote(*tunnel); !judged.isEmpty())
            t += judged +
                 QStringLiteral(" (%1 ADDR[,ADDR] reads %2 of its tunnels)\n")
                     .arg(tunnel->side == 0 ? QStringLiteral("--tunnel") : QStringLiteral("--peer-tunnel"),
                          tunnel->basis == PeerTunnel::Basis::Spis ? QStringLiteral("another")
                                                                   : QStringLiteral("one"));
    if (r.clock.identifiable)
        t += QStringLiteral("clock: B − A = %1 s, min path delay %2 ms, error bound ±%3 ms (%4)\n")
                 .arg(QString::number(r.clock.offsetS, 'f', 6), ms(r.clock.pathDelayS * 1e3),
                      ms(r.clock.errorBoundS * 1e3), r.clock.assumption);
    else
        t += QStringLiteral("clock: offset not identifiable (%1)\n").arg(r.clock.assumption);
    for (std::size_t di = 0; di < std::size(r.directions); ++di) {
        const DirectionComparison &d = r.directions[di];
        t += QStringLiteral("\n%1 → %2\n").arg(endpointName(r, d.from), endpointName(r, 1 - d.from));
        t += QStringLiteral("  SAs %1\n").arg(d.spis.join(QStringLiteral(" ")));
        t += QStringLiteral("  sent %1, received %2, lost in transit %3, capture drop at sender %4, "
                            "outside sender span %5, outside receiver span %6\n")
                 .arg(d.sent)
                 .arg(d.received)
                 .arg(d.lostInTransit.size())
                 .arg(d.captureDropAtSender.size())
                 .arg(d.outsideSenderSpan.size())
                 .arg(d.outsideReceiverSpan.size());
        t += QStringLiteral("  duplicated %1, reordered %2 (max displacement %3)\n")
                 .arg(d.duplicated)
                 .arg(d.reordered)
                 .arg(d.maxDisplacement);
        if (d.owd.samples)
            t += QStringLiteral("  one-way delay%1 ms: min %2, median %3, p99 %4, max %5, jitter %6\n")
                     .arg(d.owdAbsolute ? QString() : QStringLiteral(" (relative to minimum)"),
                          ms(d.owd.minMs), ms(d.owd.medianMs), ms(d.owd.p99Ms), ms(d.owd.maxMs),
                          ms(d.owd.jitterMs));
        if (d.sizeDependent)
            t += QStringLiteral(
                     "  size-dependent loss: every lost packet (≥ %1 B) is larger than every delivered "
                     "one (≤ %2 B): suspect the path MTU\n")
                     .arg(d.smallestLost)
                     .arg(d.largestDelivered);
        if (di < notes.outages.size())
            for (const QString &o : notes.outages[di])
                t += QStringLiteral("  outage: ") + o + QLatin1Char('\n');
        std::size_t shown = 0;
        for (const ComparedPacket &p : d.lostInTransit) {
            if (++shown > 20) {
                t += QStringLiteral("    ... %1 more\n").arg(d.lostInTransit.size() - 20);
                break;
            }
            t += QStringLiteral("    lost %1 seq %2 at %3, %4 B\n")
                     .arg(spiText(p.spi))
                     .arg(p.seq)
                     .arg(epochSecondsText(p.tsNs))
                     .arg(p.size);
        }
        t += QStringLiteral("  IKE: sent %1, received %2, lost in transit %3\n")
                 .arg(d.ikeSent)
                 .arg(d.ikeReceived)
                 .arg(d.ikeLost);
    }
    if (!r.ikeLost.empty() || !r.ikeRetransmissions.empty()) t += QStringLiteral("\nIKE\n");
    for (const QString &l : notes.ikeLost)
        t += QStringLiteral("  lost ") + l + QLatin1Char('\n');
    for (const QString &rt : notes.ikeRetransmissions)
        t += QStringLiteral("  retransmission ") + rt + QLatin1Char('\n');
    for (const QString &n : r.notes)
        t += QStringLiteral("note: %1\n").arg(n);
    return t;
}

} // namespace ikev2wb
