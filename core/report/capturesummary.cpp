#include "capturesummary.h"

#include "../capture/pcapngstats.h"
#include "../dissect/ikeconstants.h"
#include "../index/captureset.h"
#include "../index/indexbuilder.h"
#include "jsonwriter.h"

#include <QStringList>

#include <algorithm>
#include <unordered_map>

namespace ikev2wb {

namespace {

void countExchange(std::vector<ExchangeCount> &v, const IkeHeader &h)
{
    auto it =
        std::find_if(v.begin(), v.end(), [&](const ExchangeCount &e) { return e.exchange == h.exchange; });
    if (it == v.end()) {
        v.push_back({h.exchange, 0, 0});
        it = std::prev(v.end());
    }
    // IKEv1 has no response flag: every message counts as a request there.
    if (h.isResponse())
        ++it->responses;
    else
        ++it->requests;
}

QString exchangeText(std::uint8_t e)
{
    const auto n = ike::exchangeName(e);
    return n.empty() ? QStringLiteral("exchange-%1").arg(e)
                     : QString::fromLatin1(n.data(), qsizetype(n.size()));
}

const char *protoName(std::uint8_t p)
{
    switch (p) {
    case 1:
        return "icmp";
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 50:
        return "esp";
    case 51:
        return "ah";
    case 58:
        return "icmp6";
    default:
        return nullptr;
    }
}

void writeFlags(JsonWriter &w, std::uint16_t flags)
{
    w.key("flags").beginArray();
    if (flags & FlagDontFragment) w.value("df");
    if (flags & FlagMoreFragments) w.value("mf");
    if (flags & FlagFragment) w.value("fragment");
    if (flags & FlagSnapTruncated) w.value("snap_truncated");
    if (flags & FlagMalformed) w.value("malformed");
    if (flags & FlagTimeBackwards) w.value("time_backwards");
    if (flags & FlagInnerTcpSyn) w.value("tcp_syn_mss");
    w.endArray();
}

void writeIkeSummaryPayloads(JsonWriter &w, const IkePayloadSummary &p)
{
    w.key("payloads").beginArray();
    for (int i = 0; i < std::min<int>(p.payloadCount, IkePayloadSummary::MaxPayloads); ++i) {
        const auto n = ike::payloadName(p.payloads[std::size_t(i)]);
        if (n.empty())
            w.value(std::uint64_t(p.payloads[std::size_t(i)]));
        else
            w.value(n);
    }
    w.endArray();
    w.key("notifies").beginArray();
    for (int i = 0; i < std::min<int>(p.notifyCount, IkePayloadSummary::MaxNotifies); ++i) {
        const auto n = ike::notifyName(p.notifies[std::size_t(i)]);
        if (n.empty())
            w.value(std::uint64_t(p.notifies[std::size_t(i)]));
        else
            w.value(n);
    }
    w.endArray();
    if (p.dhGroup) w.field("dh_group", unsigned(p.dhGroup));
    if (p.invalidKeGroup) w.field("invalid_ke_group", unsigned(p.invalidKeGroup));
    if (p.rekeySpi) w.key("rekey_spi").spi(p.rekeySpi);
    if (p.hasSkf) {
        w.key("fragment").beginObject();
        w.field("number", unsigned(p.fragmentNumber)).field("total", unsigned(p.totalFragments));
        w.endObject();
    }
    if (p.deleteProtocol) {
        w.key("delete").beginObject();
        w.field("protocol", p.deleteProtocol == 1 ? "ike" : (p.deleteProtocol == 3 ? "esp" : "ah"));
        w.key("spis").beginArray();
        for (int i = 0; i < std::min<int>(p.deleteSpiCount, IkePayloadSummary::MaxDeletedSpis); ++i)
            w.spi(p.deletedSpis[std::size_t(i)]);
        w.endArray();
        w.endObject();
    }
    w.field("encrypted", p.hasSk || p.hasSkf || p.v1Encrypted);
    w.field("truncated", p.truncated);
}

} // namespace

CaptureSummary summarize(const CaptureIndex &index)
{
    CaptureSummary s;
    std::unordered_map<std::uint64_t, std::size_t> saByIspi;
    for (const IkeMessage &m : index.ikeMessages) {
        countExchange(s.exchanges, m.header);
        auto [it, inserted] = saByIspi.try_emplace(m.header.initiatorSpi, s.ikeSas.size());
        if (inserted) {
            IkeSaSummary sa;
            sa.initiatorSpi = m.header.initiatorSpi;
            sa.version = m.header.majorVersion();
            sa.firstNs = m.tsNs;
            s.ikeSas.push_back(sa);
        }
        IkeSaSummary &sa = s.ikeSas[it->second];
        const Flow &fl = index.flows[m.flowId];
        if (!sa.responderSpi && m.header.responderSpi) sa.responderSpi = m.header.responderSpi;
        if (!sa.initiatorKnown) {
            // IKEv2: the I flag marks the original initiator; IKEv1: the first sender.
            const bool fromInitiator = m.header.majorVersion() == 2 ? m.header.isInitiator() : true;
            sa.initiator = fromInitiator ? fl.src : fl.dst;
            sa.responder = fromInitiator ? fl.dst : fl.src;
            sa.initiatorKnown = true;
        }
        ++sa.messages;
        sa.firstNs = std::min(sa.firstNs, m.tsNs);
        sa.lastNs = std::max(sa.lastNs, m.tsNs);
        sa.usedPort500 |= m.transport == IkeTransport::Udp;
        sa.usedNatT |= m.transport == IkeTransport::UdpNatT;
        sa.usedTcp |= m.transport == IkeTransport::Tcp;
        sa.natDetection |= m.payloads.hasNotify(ike::NatDetectionSourceIp) ||
                           m.payloads.hasNotify(ike::NatDetectionDestinationIp);
        countExchange(sa.exchanges, m.header);
    }

    std::unordered_map<IpAddress, std::size_t> eps;
    auto endpoint = [&](const IpAddress &a) -> EndpointSummary & {
        auto [it, inserted] = eps.try_emplace(a, s.endpoints.size());
        if (inserted) s.endpoints.push_back({a, 0, 0, false, false});
        return s.endpoints[it->second];
    };
    for (const EspSa &sa : index.espSas) {
        const Flow &fl = index.flows[sa.flowId];
        auto &src = endpoint(fl.src);
        src.sent += sa.packets;
        src.esp = true;
        auto &dst = endpoint(fl.dst);
        dst.received += sa.packets;
        dst.esp = true;
    }
    for (const IkeMessage &m : index.ikeMessages) {
        const Flow &fl = index.flows[m.flowId];
        auto &src = endpoint(fl.src);
        ++src.sent;
        src.ike = true;
        auto &dst = endpoint(fl.dst);
        ++dst.received;
        dst.ike = true;
    }
    std::sort(s.endpoints.begin(), s.endpoints.end(),
              [](const EndpointSummary &a, const EndpointSummary &b) { return a.address < b.address; });
    for (const auto &d : index.fragmentedDatagrams) {
        if (d.outcome == FragmentedDatagram::Outcome::Complete)
            ++s.fragmentsComplete;
        else
            ++s.fragmentsIncomplete;
    }
    return s;
}

std::string summaryJson(const CaptureIndex &index, const CaptureSummary &s, bool pretty)
{
    JsonWriter w(pretty);
    w.beginObject();
    w.field("schema", "ikev2wb.summary/1");
    w.key("file").beginObject();
    w.field("path", index.file.path).field("format", index.file.format);
    w.field("link_type", index.file.linkType).field("link_type_name", index.file.linkTypeName);
    w.field("snap_length", index.file.snapLength).field("size_bytes", index.file.fileSize);
    w.endObject();
    writeCaptureSetJson(w, index.set);
    writeTunnelScopeJson(w, index.scope, index.count(PacketKind::OutOfScope));
    w.field("packets", std::uint64_t(index.packetCount()));
    w.key("first_time").time(index.firstNs);
    w.key("last_time").time(index.lastNs);
    w.key("duration_s").time(index.lastNs - index.firstNs);
    w.field("partial", index.partial);
    w.key("packets_by_kind").beginObject();
    for (std::size_t k = 0; k < index.kindCounts.size(); ++k)
        if (PacketKind(k) != PacketKind::OutOfScope || index.scope.active()) // only when scoped
            w.field(packetKindName(PacketKind(k)), index.kindCounts[k]);
    w.endObject();
    w.field("snap_truncated", index.snapTruncated).field("malformed", index.malformed);
    w.field("time_backwards", index.timeBackwards);
    w.key("largest_step_back_s").time(index.largestStepBackNs);
    w.key("capture_drops");
    if (const auto &d = index.captureDrops) {
        auto counter = [&w](std::string_view key, bool present, std::uint64_t v) {
            w.key(key);
            if (present)
                w.value(v);
            else
                w.null();
        };
        w.beginObject();
        counter("if_drop", d->haveIfDrop, d->ifDrop);
        counter("os_drop", d->haveOsDrop, d->osDrop);
        counter("received", d->haveReceived, d->received);
        w.field("interfaces", d->interfaces);
        w.endObject();
    } else {
        w.null();
    }

    w.key("endpoints").beginArray();
    for (const auto &e : s.endpoints) {
        w.beginObject();
        w.field("address", addressText(e.address)).field("sent", e.sent).field("received", e.received);
        w.field("ike", e.ike).field("esp", e.esp);
        w.endObject();
    }
    w.endArray();

    w.key("esp_sas").beginArray();
    for (const EspSa &sa : index.espSas) {
        const Flow &fl = index.flows[sa.flowId];
        w.beginObject();
        w.key("spi").spi(sa.spi);
        w.field("src", addressText(fl.src)).field("dst", addressText(fl.dst));
        if (sa.encap == Encapsulation::Udp)
            w.field("src_port", unsigned(fl.srcPort)).field("dst_port", unsigned(fl.dstPort));
        w.field("encap", encapName(sa.encap));
        w.field("packets", sa.packets).field("bytes", sa.bytes);
        w.field("first_seq", std::uint64_t(sa.firstSeq)).field("last_seq", std::uint64_t(sa.lastSeq));
        w.field("min_seq", std::uint64_t(sa.minSeq)).field("max_seq", std::uint64_t(sa.maxSeq));
        w.key("first_time").time(sa.firstNs);
        w.key("last_time").time(sa.lastNs);
        w.field("max_ip_length", unsigned(sa.maxIpLength)).field("fragmented", sa.fragmented);
        w.endObject();
    }
    w.endArray();

    w.key("ike_sas").beginArray();
    for (const auto &sa : s.ikeSas) {
        w.beginObject();
        w.key("initiator_spi").spi64(sa.initiatorSpi);
        w.key("responder_spi").spi64(sa.responderSpi);
        w.field("version", sa.version);
        w.field("initiator", addressText(sa.initiator)).field("responder", addressText(sa.responder));
        w.field("messages", sa.messages);
        w.key("first_time").time(sa.firstNs);
        w.key("last_time").time(sa.lastNs);
        w.field("udp_500", sa.usedPort500).field("nat_t", sa.usedNatT).field("tcp", sa.usedTcp);
        w.field("nat_detection", sa.natDetection);
        w.key("exchanges").beginArray();
        for (const auto &e : sa.exchanges) {
            w.beginObject();
            w.field("exchange", exchangeText(e.exchange)).field("type", unsigned(e.exchange));
            w.field("requests", e.requests).field("responses", e.responses);
            w.endObject();
        }
        w.endArray();
        w.endObject();
    }
    w.endArray();

    w.key("ike_exchanges").beginArray();
    for (const auto &e : s.exchanges) {
        w.beginObject();
        w.field("exchange", exchangeText(e.exchange)).field("type", unsigned(e.exchange));
        w.field("requests", e.requests).field("responses", e.responses);
        w.endObject();
    }
    w.endArray();

    w.key("icmp_errors").beginArray();
    for (const IcmpError &e : index.icmpErrors) {
        w.beginObject();
        w.field("packet", e.packet + 1);
        w.key("time").time(e.tsNs);
        w.field("from", addressText(e.reporter)).field("to", addressText(e.to));
        w.field("type", unsigned(e.type)).field("code", unsigned(e.code)).field("mtu", std::uint64_t(e.mtu));
        if (e.quoted.present) {
            w.key("quoted").beginObject();
            w.field("src", addressText(e.quoted.src)).field("dst", addressText(e.quoted.dst));
            w.field("proto", unsigned(e.quoted.proto)).field("length", std::uint64_t(e.quoted.totalLen));
            if (e.quoted.srcPort || e.quoted.dstPort)
                w.field("src_port", unsigned(e.quoted.srcPort)).field("dst_port", unsigned(e.quoted.dstPort));
            if (e.quotesEsp) w.key("spi").spi(e.quoted.spi);
            w.endObject();
        }
        w.endObject();
    }
    w.endArray();

    w.key("ip_fragments").beginObject();
    w.field("datagrams_complete", s.fragmentsComplete).field("datagrams_incomplete", s.fragmentsIncomplete);
    w.endObject();

    w.key("warnings").beginArray();
    for (const auto &warning : index.warnings) {
        w.beginObject();
        if (warning.packet >= 0) w.field("packet", std::uint64_t(warning.packet) + 1);
        w.field("message", warning.message);
        w.endObject();
    }
    w.endArray();
    w.field("warnings_suppressed", index.warningsSuppressed);
    w.endObject();
    std::string out = w.take();
    out += '\n';
    return out;
}

QString summaryText(const CaptureIndex &index, const CaptureSummary &s)
{
    QStringList out;
    const auto &fi = index.file;
    out << QStringLiteral("Capture   %1").arg(fi.path);
    out << QStringLiteral("Format    %1, link type %2 (%3), snap length %4, %5 bytes")
               .arg(fi.format, fi.linkTypeName)
               .arg(fi.linkType)
               .arg(fi.snapLength)
               .arg(fi.fileSize);
    out << QStringLiteral("Packets   %1%2")
               .arg(index.packetCount())
               .arg(index.partial ? QStringLiteral(" (partial)") : QString());
    if (index.packetCount() > 0)
        out << QStringLiteral("Time      %1 → %2 (%3 s)")
                   .arg(utcText(index.firstNs), utcText(index.lastNs))
                   .arg(double(index.lastNs - index.firstNs) / 1e9, 0, 'f', 3);
    if (index.timeBackwards)
        out << QStringLiteral("          %1 timestamp(s) earlier than the packet before (first: packet %2, "
                              "largest step back %3 s): merged capture or clock stepped back")
                   .arg(index.timeBackwards)
                   .arg(index.firstTimeBackwards + 1)
                   .arg(double(index.largestStepBackNs) / 1e9, 0, 'f', 6);
    if (index.scope.active())
        out << tunnelScopeText(index.scope, index.count(PacketKind::OutOfScope), index.packetCount(), 9);
    if (index.set.isSet()) out << QString() << captureSetText(index.set).trimmed();
    out << QString() << QStringLiteral("Packets by kind");
    for (std::size_t k = 0; k < index.kindCounts.size(); ++k)
        if (index.kindCounts[k])
            out << QStringLiteral("  %1 %2")
                       .arg(QString::fromLatin1(packetKindName(PacketKind(k))), -18)
                       .arg(index.kindCounts[k]);
    if (index.snapTruncated)
        out << QStringLiteral("  (%1 packets cut by the snap length)").arg(index.snapTruncated);
    if (index.captureDrops) {
        const QString drops = captureDropsText(*index.captureDrops);
        if (!drops.isEmpty()) out << QString() << QStringLiteral("Capture   %1").arg(drops);
    }

    out << QString() << QStringLiteral("Endpoints");
    if (s.endpoints.empty()) out << QStringLiteral("  none with IKE or ESP traffic");
    for (const auto &e : s.endpoints) {
        QStringList roles;
        if (e.ike) roles << QStringLiteral("IKE");
        if (e.esp) roles << QStringLiteral("ESP");
        out << QStringLiteral("  %1 sent %2, received %3 (%4)")
                   .arg(addressText(e.address), -40)
                   .arg(e.sent)
                   .arg(e.received)
                   .arg(roles.join(QLatin1Char('+')));
    }

    out << QString() << QStringLiteral("ESP SAs");
    if (index.espSas.empty()) out << QStringLiteral("  none");
    for (const EspSa &sa : index.espSas) {
        const Flow &fl = index.flows[sa.flowId];
        out << QStringLiteral("  SPI %1  %2 → %3  %4  %5 packets  seq %6..%7")
                   .arg(spiText(sa.spi),
                        endpointText(fl.src, sa.encap == Encapsulation::Udp ? fl.srcPort : 0),
                        endpointText(fl.dst, sa.encap == Encapsulation::Udp ? fl.dstPort : 0),
                        sa.encap == Encapsulation::Udp ? QStringLiteral("ESP-in-UDP") : QStringLiteral("ESP"))
                   .arg(sa.packets)
                   .arg(sa.firstSeq)
                   .arg(sa.lastSeq);
    }

    out << QString() << QStringLiteral("IKE SAs");
    if (s.ikeSas.empty()) out << QStringLiteral("  none");
    for (const auto &sa : s.ikeSas) {
        QStringList ex;
        for (const auto &e : sa.exchanges)
            ex << (e.responses || sa.version == 2
                       ? QStringLiteral("%1 %2/%3")
                             .arg(exchangeText(e.exchange))
                             .arg(e.requests)
                             .arg(e.responses)
                       : QStringLiteral("%1 %2").arg(exchangeText(e.exchange)).arg(e.requests));
        QStringList transports;
        if (sa.usedPort500) transports << QStringLiteral("UDP 500");
        if (sa.usedNatT) transports << QStringLiteral("NAT-T");
        if (sa.usedTcp) transports << QStringLiteral("TCP");
        char spis[64];
        std::snprintf(spis, sizeof spis, "%016llx/%016llx", static_cast<unsigned long long>(sa.initiatorSpi),
                      static_cast<unsigned long long>(sa.responderSpi));
        out << QStringLiteral("  IKEv%1 %2  %3 → %4  %5 messages via %6")
                   .arg(sa.version)
                   .arg(QString::fromLatin1(spis), addressText(sa.initiator), addressText(sa.responder))
                   .arg(sa.messages)
                   .arg(transports.join(QStringLiteral(", ")));
        out << QStringLiteral("      %1").arg(ex.join(QStringLiteral(", ")));
    }
    if (!s.exchanges.empty()) {
        out << QString() << QStringLiteral("IKE exchanges (requests/responses)");
        for (const auto &e : s.exchanges)
            out << QStringLiteral("  %1 %2/%3")
                       .arg(exchangeText(e.exchange), -20)
                       .arg(e.requests)
                       .arg(e.responses);
    }
    if (!index.icmpErrors.empty()) {
        out << QString() << QStringLiteral("ICMP errors");
        for (const IcmpError &e : index.icmpErrors) {
            QString what =
                e.type == 3 && e.code == 4
                    ? QStringLiteral("fragmentation needed, MTU %1").arg(e.mtu)
                    : (e.type == 2 ? QStringLiteral("packet too big, MTU %1").arg(e.mtu)
                                   : QStringLiteral("unreachable type %1 code %2").arg(e.type).arg(e.code));
            QString quoted;
            if (e.quoted.present)
                quoted = QStringLiteral(" for %1 → %2 (%3 bytes%4)")
                             .arg(addressText(e.quoted.src), addressText(e.quoted.dst))
                             .arg(e.quoted.totalLen)
                             .arg(e.quotesEsp ? QStringLiteral(", SPI ") + spiText(e.quoted.spi) : QString());
            out << QStringLiteral("  #%1 from %2: %3%4")
                       .arg(e.packet + 1)
                       .arg(addressText(e.reporter), what, quoted);
        }
    }
    if (s.fragmentsComplete || s.fragmentsIncomplete)
        out << QString()
            << QStringLiteral("IP fragments: %1 datagrams reassembled, %2 incomplete")
                   .arg(s.fragmentsComplete)
                   .arg(s.fragmentsIncomplete);
    if (!index.warnings.empty()) {
        out << QString()
            << QStringLiteral("Warnings (%1)").arg(index.warnings.size() + index.warningsSuppressed);
        const std::size_t shown = std::min<std::size_t>(index.warnings.size(), 20);
        for (std::size_t i = 0; i < shown; ++i) {
            const auto &w = index.warnings[i];
            out << (w.packet >= 0 ? QStringLiteral("  packet %1: %2").arg(w.packet + 1).arg(w.message)
                                  : QStringLiteral("  %1").arg(w.message));
        }
        if (index.warnings.size() + index.warningsSuppressed > shown)
            out << QStringLiteral("  ... %1 more (see --json)")
                       .arg(index.warnings.size() + index.warningsSuppressed - shown);
    }
    return out.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void writePacketJson(JsonWriter &w, const CaptureIndex &index, std::size_t i)
{
    const PacketRecord &r = index.packets[i];
    w.beginObject();
    w.field("n", std::uint64_t(i) + 1);
    w.key("time").time(r.tsNs);
    w.field("kind", packetKindName(r.kind));
    w.field("frame_length", std::uint64_t(r.frameLength));
    if (r.flowId != kNoFlow) {
        const Flow &fl = index.flows[r.flowId];
        w.field("src", addressText(fl.src)).field("dst", addressText(fl.dst));
        const char *pn = protoName(fl.proto);
        if (pn)
            w.field("proto", pn);
        else
            w.field("proto", unsigned(fl.proto));
        if (fl.srcPort || fl.dstPort)
            w.field("src_port", unsigned(fl.srcPort)).field("dst_port", unsigned(fl.dstPort));
        w.field("ip_length", unsigned(r.ipLength)).field("ip_id", unsigned(r.ipId));
    }
    writeFlags(w, r.flags);
    if (r.isEsp()) {
        w.key("spi").spi(r.spi());
        w.field("seq", std::uint64_t(r.seq()));
    } else if (r.isIke() && r.a < index.ikeMessages.size() && index.ikeMessages[r.a].packet == i) {
        const IkeMessage &m = index.ikeMessages[r.a];
        w.key("ike").beginObject();
        w.key("initiator_spi").spi64(m.header.initiatorSpi);
        w.key("responder_spi").spi64(m.header.responderSpi);
        w.field("version", m.header.majorVersion());
        w.field("exchange", exchangeText(m.header.exchange))
            .field("exchange_type", unsigned(m.header.exchange));
        w.field("message_id", std::uint64_t(m.header.messageId));
        w.field("response", m.header.isResponse()).field("initiator", m.header.isInitiator());
        w.field("length", std::uint64_t(m.header.length));
        w.field("transport", ikeTransportName(m.transport));
        writeIkeSummaryPayloads(w, m.payloads);
        w.endObject();
    } else if ((r.kind == PacketKind::IcmpNeedFrag || r.kind == PacketKind::Icmp6TooBig ||
                r.kind == PacketKind::IcmpUnreachable) &&
               r.a < index.icmpErrors.size()) {
        const IcmpError &e = index.icmpErrors[r.a];
        w.key("icmp").beginObject();
        w.field("type", unsigned(e.type)).field("code", unsigned(e.code)).field("mtu", std::uint64_t(e.mtu));
        if (e.quoted.present) {
            w.key("quoted").beginObject();
            w.field("src", addressText(e.quoted.src)).field("dst", addressText(e.quoted.dst));
            w.field("proto", unsigned(e.quoted.proto)).field("length", std::uint64_t(e.quoted.totalLen));
            if (e.quoted.srcPort || e.quoted.dstPort)
                w.field("src_port", unsigned(e.quoted.srcPort)).field("dst_port", unsigned(e.quoted.dstPort));
            if (e.quotesEsp) w.key("spi").spi(e.quoted.spi).field("seq", std::uint64_t(e.quoted.seq));
            w.endObject();
        }
        w.endObject();
    }
    w.endObject();
}

QString packetText(const CaptureIndex &index, std::size_t i)
{
    const PacketRecord &r = index.packets[i];
    QString where;
    if (r.flowId != kNoFlow) {
        const Flow &fl = index.flows[r.flowId];
        where = endpointText(fl.src, fl.srcPort) + QStringLiteral(" > ") + endpointText(fl.dst, fl.dstPort);
    }
    QString what = QString::fromLatin1(packetKindName(r.kind));
    if (r.isEsp()) {
        what += QStringLiteral(" spi=%1 seq=%2").arg(spiText(r.spi())).arg(r.seq());
    } else if (r.isIke() && r.a < index.ikeMessages.size() && index.ikeMessages[r.a].packet == i) {
        const IkeMessage &m = index.ikeMessages[r.a];
        what += QStringLiteral(" %1 %2 msgid=%3")
                    .arg(exchangeText(m.header.exchange))
                    .arg(m.header.majorVersion() == 2 ? (m.header.isResponse() ? QStringLiteral("response")
                                                                               : QStringLiteral("request"))
                                                      : QStringLiteral("v1"))
                    .arg(m.header.messageId);
    } else if (r.kind == PacketKind::IcmpNeedFrag || r.kind == PacketKind::Icmp6TooBig) {
        what += QStringLiteral(" mtu=%1").arg(r.b);
    }
    return QStringLiteral("%1 %2 %3 %4 len=%5")
        .arg(i + 1, 7)
        .arg(epochSecondsText(r.tsNs), where, what)
        .arg(r.frameLength);
}

void writeCaptureSetJson(JsonWriter &w, const CaptureSet &set)
{
    if (!set.isSet()) return;
    w.key("files").beginArray();
    for (const CaptureSetFile &f : set.files) {
        w.beginObject();
        w.field("path", f.path).field("format", f.format);
        w.field("link_type", f.linkType).field("link_type_name", f.linkTypeName);
        w.field("size_bytes", f.sizeBytes).field("packets", f.packets);
        w.field("first_frame", f.firstPacket + 1);
        w.key("first_time");
        f.packets ? w.time(f.firstNs) : w.null();
        w.key("last_time");
        f.packets ? w.time(f.lastNs) : w.null();
        w.key("longest_pause_s").time(f.longestPauseNs);
        w.key("ring_number");
        f.ringNumber >= 0 ? w.value(f.ringNumber) : w.null();
        w.key("warning");
        f.warning.isEmpty() ? w.null() : w.value(f.warning);
        w.endObject();
    }
    w.endArray();
    w.key("file_gaps").beginArray();
    for (const CaptureFileGap &g : set.gaps) {
        w.beginObject();
        w.field("before", set.files[g.before].path).field("after", set.files[g.after].path);
        w.key("from_time").time(g.fromNs);
        w.key("to_time").time(g.toNs);
        w.key("seconds").time(g.toNs - g.fromNs);
        w.key("missing_files");
        g.missingFiles >= 0 ? w.value(g.missingFiles) : w.null();
        w.field("by_numbering", g.byNumbering).field("by_time", g.byTime);
        w.endObject();
    }
    w.endArray();
    w.key("set_notes").beginArray();
    for (const QString &n : set.notes)
        w.value(n);
    w.endArray();
}

void writeTunnelScopeJson(JsonWriter &w, const TunnelScope &scope, std::uint64_t outside)
{
    if (!scope.active()) return;
    w.key("tunnel").beginObject();
    w.key("ends").beginArray();
    for (const IpAddress &a : scope.ends)
        w.value(a.toString());
    w.endArray();
    w.field("packets_outside", outside);
    w.endObject();
}

QString tunnelScopeText(const TunnelScope &scope, std::uint64_t outside, std::uint64_t packets,
                        int labelWidth)
{
    if (!scope.active()) return {};
    const QString ends = scope.ends.size() == 1 ? QStringLiteral("with %1").arg(scope.text())
                                                : QStringLiteral("between %1 and %2")
                                                      .arg(QString::fromStdString(scope.ends[0].toString()),
                                                           QString::fromStdString(scope.ends[1].toString()));
    return QStringLiteral("%1 %2: %3 of %4 packets are outside it (other tunnels, plain traffic, "
                          "non-IP frames) and not analysed; packet numbers are the file's")
        .arg(QStringLiteral("Tunnel"), -labelWidth)
        .arg(ends, QString::number(outside), QString::number(packets));
}

QString captureSetText(const CaptureSet &set)
{
    if (!set.isSet()) return {};
    QStringList out;
    out << QStringLiteral("Capture set %1: %2 files read as one capture, by their first packet's time")
               .arg(set.name, QString::number(set.files.size()));
    for (std::size_t i = 0; i < set.files.size(); ++i) {
        const CaptureSetFile &f = set.files[i];
        out << QStringLiteral("  %1. %2  %3, %4, %5 packets from frame %6%7%8")
                   .arg(QString::number(i + 1), f.path, f.format, f.linkTypeName, QString::number(f.packets),
                        QString::number(f.firstPacket + 1),
                        f.packets ? QStringLiteral(", %1 .. %2")
                                        .arg(epochSecondsText(f.firstNs), epochSecondsText(f.lastNs))
                                  : QString(),
                        f.warning.isEmpty() ? QString() : QStringLiteral(" (read stopped early)"));
    }
    for (const QString &n : set.notes)
        out << QStringLiteral("  note: %1").arg(n);
    return out.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace ikev2wb
