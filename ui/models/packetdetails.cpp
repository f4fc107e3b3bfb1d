#include "packetdetails.h"
#include "util/textformat.h"
#include "widgets/plaintext.h"

#include "index/espsa.h"

#include "dissect/ikeconstants.h"
#include "report/capturesummary.h"
#include "report/jsonwriter.h"

#include <QDateTime>
#include <QStringList>
#include <QTimeZone>

#include <algorithm>

namespace ikev2wb::ui {

namespace {

QString protoText(std::uint8_t p)
{
    switch (p) {
    case 1:
        return QStringLiteral("ICMP (1)");
    case 6:
        return QStringLiteral("TCP (6)");
    case 17:
        return QStringLiteral("UDP (17)");
    case 50:
        return QStringLiteral("ESP (50)");
    case 51:
        return QStringLiteral("AH (51)");
    case 58:
        return QStringLiteral("ICMPv6 (58)");
    default:
        return QString::number(p);
    }
}

QString hex64(std::uint64_t v)
{
    return QStringLiteral("%1").arg(v, 16, 16, QLatin1Char('0'));
}

QString hex32(std::uint32_t v)
{
    return QStringLiteral("0x%1").arg(v, 8, 16, QLatin1Char('0'));
}

QString latin1(std::string_view s)
{
    return QString::fromLatin1(s.data(), qsizetype(s.size()));
}

QString seconds(std::int64_t ns)
{
    return QString::number(double(ns) / 1e9, 'f', 9) + QStringLiteral(" s");
}

QString notifyText(std::uint16_t type)
{
    const auto name = ike::notifyName(type);
    return name.empty() ? QString::number(type) : QStringLiteral("%1 (%2)").arg(latin1(name)).arg(type);
}

class Builder
{
public:
    explicit Builder(PacketDetails &d) : m_d(d) {}
    void section(const QString &s) { m_section = s; }
    void add(const QString &field, const QString &value, bool warning = false)
    {
        m_d.rows.push_back({m_section, field, value, warning});
    }

private:
    PacketDetails &m_d;
    QString m_section;
};

void flagsRows(Builder &b, const PacketRecord &r)
{
    QStringList ip;
    if (r.flags & FlagDontFragment) ip << QStringLiteral("DF (don't fragment)");
    if (r.flags & FlagMoreFragments) ip << QStringLiteral("MF (more fragments)");
    if (r.flags & FlagFragment)
        ip << ((r.flags & FlagMoreFragments) ? QStringLiteral("fragment of a larger datagram")
                                             : QStringLiteral("fragment (last or only the first seen)"));
    if (r.flags & FlagReassembled) ip << QStringLiteral("read from the reassembled datagram");
    b.add(QStringLiteral("IP flags"), ip.isEmpty() ? QStringLiteral("none") : ip.join(QStringLiteral(", ")));
    if (r.flags & FlagSnapTruncated)
        b.add(QStringLiteral("Capture"),
              QStringLiteral("truncated by the snapshot length (caplen < frame length)"), true);
    if (r.flags & FlagMalformed)
        b.add(QStringLiteral("Malformed"), QStringLiteral("a header was inconsistent"), true);
    if (r.flags & FlagInnerTcpSyn)
        b.add(QStringLiteral("TCP SYN"), QStringLiteral("carries MSS option %1").arg(r.b));
}

/// Where this ESP packet stands in its SA: duplicate, late (reordered), after a gap.
void espContext(Builder &b, const CaptureIndex &index, const CaptureAnalysis *analysis, std::uint64_t packet,
                const PacketRecord &r, const std::atomic_bool *cancel)
{
    // The SA is (SPI, outer flow), as in CaptureIndex::espSas; its numbers are placed by core's
    // one sequence rule (64-bit across a wrap, a restart begins a new run).
    const EspPosition pos = espPosition(index, packet, cancel);
    b.section(QStringLiteral("ESP SA"));
    if (!pos.found) {
        if (cancel && cancel->load(std::memory_order_relaxed)) return;
        b.add(QStringLiteral("SA"), QStringLiteral("not in the SA table"));
        return;
    }
    const std::size_t saIndex = pos.saIndex;
    const EspSa &sa = index.espSas[saIndex];
    const Flow &fl = index.flows[sa.flowId];
    const bool udp = sa.encap == Encapsulation::Udp;
    b.add(QStringLiteral("SA"), QStringLiteral("#%1  SPI %2  %3 → %4 (%5)")
                                    .arg(saIndex + 1)
                                    .arg(spiText(sa.spi), endpointText(fl.src, udp ? fl.srcPort : 0),
                                         endpointText(fl.dst, udp ? fl.dstPort : 0),
                                         udp ? QStringLiteral("ESP in UDP") : QStringLiteral("ESP")));
    b.add(QStringLiteral("Packets in SA"), QStringLiteral("%1, sequence %2 … %3 (first seen %4, last %5)")
                                               .arg(sa.packets)
                                               .arg(sa.minSeq)
                                               .arg(sa.maxSeq)
                                               .arg(sa.firstSeq)
                                               .arg(sa.lastSeq));

    b.add(QStringLiteral("Position"),
          QStringLiteral("packet %1 of %2 in this SA").arg(pos.before + 1).arg(sa.packets));
    if (pos.seq > 0xffffffffULL)
        b.add(QStringLiteral("Sequence (64-bit)"),
              QStringLiteral("%1 (the 32-bit number wrapped: ESN)").arg(pos.seq));
    if (r.b == 0 && pos.seq == 0)
        b.add(QStringLiteral("Sequence"), QStringLiteral("0 is invalid (RFC 4303 starts at 1)"), true);
    const std::uint64_t highest = pos.highest;
    if (pos.restart) {
        b.add(QStringLiteral("Order"),
              QStringLiteral("the sender numbers again from %1 (a new run of this SPI)").arg(pos.seq));
    } else if (pos.duplicate) {
        b.add(QStringLiteral("Duplicate"),
              QStringLiteral("yes: sequence %1 was already seen in packet %2")
                  .arg(pos.seq)
                  .arg(pos.duplicateOf + 1),
              true);
    } else if (pos.anyBefore && pos.seq < highest) {
        b.add(
            QStringLiteral("Reordered"),
            QStringLiteral("yes: arrived after sequence %1 (%2 behind)").arg(highest).arg(highest - pos.seq),
            true);
    } else if (pos.anyBefore && pos.seq > highest + 1) {
        const std::uint64_t gapFirst = highest + 1, gapLast = pos.seq - 1;
        QString fate;
        if (analysis) {
            // Did the gap stay open to the end of the capture? (the analysis's missing ranges)
            for (const EspSaSequence &s : analysis->esp.sas) {
                if (s.saIndex != saIndex) continue;
                std::uint64_t stillMissing = 0;
                for (const EspMissingRange &m : s.missingRanges) {
                    const std::uint64_t lo = std::max<std::uint64_t>(m.first, gapFirst);
                    const std::uint64_t hi = std::min<std::uint64_t>(m.last, gapLast);
                    if (lo <= hi) stillMissing += hi - lo + 1;
                }
                fate =
                    stillMissing == gapLast - gapFirst + 1
                        ? QStringLiteral("; never seen in this capture (lost)")
                        : QStringLiteral("; %1 of them never seen, the rest arrived later").arg(stillMissing);
            }
        }
        b.add(QStringLiteral("Gap before"),
              QStringLiteral("sequence %1 (%2) not seen before this packet%3")
                  .arg(gapFirst == gapLast ? QString::number(gapFirst)
                                           : QStringLiteral("%1 … %2").arg(gapFirst).arg(gapLast))
                  .arg(gapLast - gapFirst + 1)
                  .arg(fate),
              true);
    } else {
        b.add(QStringLiteral("Order"), pos.anyBefore ? QStringLiteral("in order (next after %1)").arg(highest)
                                                     : QStringLiteral("first packet of this SA"));
    }
    if (!analysis) {
        b.add(QStringLiteral("Analysis"), QStringLiteral("still running"));
        return;
    }
    for (const EspSaSequence &s : analysis->esp.sas) {
        if (s.saIndex != saIndex) continue;
        b.add(QStringLiteral("SA loss"),
              QStringLiteral("%1 missing in %2 bursts (longest %3)")
                  .arg(s.missing)
                  .arg(s.lossBursts)
                  .arg(s.longestBurst),
              s.missing > 0);
        b.add(QStringLiteral("SA duplicates / reordered"),
              QStringLiteral("%1 / %2 (max reorder distance %3)")
                  .arg(s.duplicates)
                  .arg(s.reordered)
                  .arg(s.maxReorderDistance),
              s.duplicates > 0 || s.reordered > 0);
        if (s.minSafeWindow)
            b.add(QStringLiteral("Replay window"),
                  QStringLiteral("%1 is the smallest emulated window dropping nothing").arg(s.minSafeWindow));
        else if (s.minWindowExact > 1)
            b.add(QStringLiteral("Replay window"),
                  QStringLiteral("every emulated window drops packets (needs %1)").arg(s.minWindowExact),
                  true);
    }
}

void ikeRows(Builder &b, const CaptureIndex &index, const CaptureAnalysis *analysis, const PacketRecord &r)
{
    b.section(QStringLiteral("IKE"));
    if (r.a >= index.ikeMessages.size()) {
        b.add(QStringLiteral("Message"), QStringLiteral("not in the message table"));
        return;
    }
    const IkeMessage &m = index.ikeMessages[r.a];
    const IkeHeader &h = m.header;
    const auto ex = ike::exchangeName(h.exchange);
    b.add(QStringLiteral("Exchange"),
          QStringLiteral("%1 (%2)").arg(ex.empty() ? QStringLiteral("?") : latin1(ex)).arg(h.exchange));
    QStringList role;
    if (h.majorVersion() == 2) {
        role << (h.isResponse() ? QStringLiteral("response") : QStringLiteral("request"));
        role << (h.isInitiator() ? QStringLiteral("from the original initiator (I)")
                                 : QStringLiteral("from the original responder (R)"));
    }
    b.add(QStringLiteral("Direction"),
          role.isEmpty() ? QStringLiteral("IKEv1 (no I/R flags)") : role.join(QStringLiteral(", ")));
    b.add(QStringLiteral("Message ID"), QStringLiteral("%1 (%2)").arg(h.messageId).arg(hex32(h.messageId)));
    b.add(QStringLiteral("Version"), QStringLiteral("%1.%2").arg(h.version >> 4).arg(h.version & 0xf));
    b.add(QStringLiteral("SPIs"),
          QStringLiteral("i %1  r %2").arg(hex64(h.initiatorSpi), hex64(h.responderSpi)));
    b.add(QStringLiteral("Length"),
          QStringLiteral("%1 bytes (%2 captured)%3")
              .arg(h.length)
              .arg(m.capturedLength)
              .arg(m.complete() ? QString() : QStringLiteral(", incomplete")),
          !m.complete());
    b.add(QStringLiteral("Transport"), QString::fromLatin1(ikeTransportName(m.transport)) +
                                           (m.reassembled ? QStringLiteral(", IP-reassembled") : QString()));
    const IkePayloadSummary &p = m.payloads;
    QStringList payloads;
    for (int i = 0; i < std::min<int>(p.payloadCount, IkePayloadSummary::MaxPayloads); ++i) {
        const auto n = ike::payloadName(p.payloads[std::size_t(i)]);
        payloads << (n.empty() ? QString::number(p.payloads[std::size_t(i)]) : latin1(n));
    }
    if (p.payloadCount > IkePayloadSummary::MaxPayloads) payloads << QStringLiteral("…");
    b.add(QStringLiteral("Payloads"),
          payloads.isEmpty() ? QStringLiteral("none") : payloads.join(QStringLiteral(", ")));
    if (p.notifyCount) {
        QStringList n;
        bool error = false;
        for (int i = 0; i < std::min<int>(p.notifyCount, IkePayloadSummary::MaxNotifies); ++i) {
            n << notifyText(p.notifies[std::size_t(i)]);
            error |= ike::isErrorNotify(p.notifies[std::size_t(i)]);
        }
        b.add(QStringLiteral("Notifies"), n.join(QStringLiteral(", ")), error);
    }
    if (p.dhGroup) b.add(QStringLiteral("KE group"), QString::number(p.dhGroup));
    if (p.invalidKeGroup)
        b.add(QStringLiteral("INVALID_KE wants group"), QString::number(p.invalidKeGroup), true);
    if (p.rekeySpi) b.add(QStringLiteral("REKEY_SA SPI"), spiText(p.rekeySpi));
    if (p.hasSkf)
        b.add(QStringLiteral("SKF fragment"),
              QStringLiteral("%1 of %2").arg(p.fragmentNumber).arg(p.totalFragments));
    if (p.hasSk || p.hasSkf) {
        const auto first = ike::payloadName(p.encryptedFirstPayload);
        b.add(QStringLiteral("Encrypted"),
              QStringLiteral("%1 bytes, first inner payload %2")
                  .arg(p.encryptedLength)
                  .arg(first.empty() ? QString::number(p.encryptedFirstPayload) : latin1(first)));
    }
    if (p.deleteProtocol) {
        QStringList spis;
        for (int i = 0; i < std::min<int>(p.deleteSpiCount, IkePayloadSummary::MaxDeletedSpis); ++i)
            spis << spiText(p.deletedSpis[std::size_t(i)]);
        b.add(QStringLiteral("Delete"),
              QStringLiteral("%1 %2").arg(
                  p.deleteProtocol == 1
                      ? QStringLiteral("IKE SA")
                      : (p.deleteProtocol == 3 ? QStringLiteral("ESP") : QStringLiteral("AH")),
                  spis.join(QStringLiteral(", "))));
    }
    if (p.truncated)
        b.add(QStringLiteral("Payload chain"), QStringLiteral("runs past the captured bytes"), true);
    if (p.warning) b.add(QStringLiteral("Warning"), QString::fromLatin1(p.warning), true);

    if (!analysis) return;
    for (const IkeSaExchanges &sa : analysis->ike.ikeSas) {
        for (const IkeExchange &e : sa.exchanges) {
            const auto inReq =
                std::find(e.requestMessages.begin(), e.requestMessages.end(), std::size_t(r.a));
            const auto inResp =
                std::find(e.responseMessages.begin(), e.responseMessages.end(), std::size_t(r.a));
            if (inReq == e.requestMessages.end() && inResp == e.responseMessages.end()) continue;
            b.section(QStringLiteral("IKE exchange"));
            if (inReq != e.requestMessages.end()) {
                const auto nth = inReq - e.requestMessages.begin();
                b.add(QStringLiteral("Request send"),
                      nth == 0 ? QStringLiteral("first of %1").arg(e.requestMessages.size())
                               : QStringLiteral("retransmission %1 of %2")
                                     .arg(nth)
                                     .arg(e.requestMessages.size() - 1),
                      nth > 0);
            } else {
                const auto nth = inResp - e.responseMessages.begin();
                b.add(QStringLiteral("Response send"),
                      nth == 0 ? QStringLiteral("first") : QStringLiteral("re-send %1").arg(nth), nth > 0);
            }
            b.add(QStringLiteral("Answered"),
                  e.answered ? QStringLiteral("yes, after %1 ms").arg(e.responseMs(), 0, 'f', 1)
                             : QStringLiteral("no response in this capture"),
                  !e.answered);
            b.add(QStringLiteral("IKE SA"), QStringLiteral("%1 → %2 (SPIs %3 / %4)")
                                                .arg(QString::fromStdString(sa.initiator.toString()),
                                                     QString::fromStdString(sa.responder.toString()),
                                                     hex64(sa.initiatorSpi), hex64(sa.responderSpi)));
            return;
        }
    }
}

void icmpRows(Builder &b, const CaptureIndex &index, std::uint64_t packet, const PacketRecord &r)
{
    b.section(QStringLiteral("ICMP error"));
    if (r.a >= index.icmpErrors.size() || index.icmpErrors[r.a].packet != packet) {
        b.add(QStringLiteral("Error"), QStringLiteral("not in the ICMP table"));
        return;
    }
    const IcmpError &e = index.icmpErrors[r.a];
    QString what;
    if (r.kind == PacketKind::IcmpNeedFrag)
        what = QStringLiteral(" (fragmentation needed and DF set)");
    else if (r.kind == PacketKind::Icmp6TooBig)
        what = QStringLiteral(" (packet too big)");
    else
        what = QStringLiteral(" (destination unreachable)");
    b.add(QStringLiteral("Type / code"), QStringLiteral("%1 / %2%3").arg(e.type).arg(e.code).arg(what));
    b.add(QStringLiteral("Reported by"),
          QStringLiteral("%1, sent to %2")
              .arg(QString::fromStdString(e.reporter.toString()), QString::fromStdString(e.to.toString())));
    if (e.mtu) b.add(QStringLiteral("Next-hop MTU"), QString::number(e.mtu), true);
    const PacketFacts::Quoted &q = e.quoted;
    if (!q.present) {
        b.add(QStringLiteral("Quoted packet"), QStringLiteral("not readable"));
        return;
    }
    b.add(QStringLiteral("Quoted flow"),
          QStringLiteral("%1 → %2, %3")
              .arg(endpointText(q.src, q.srcPort), endpointText(q.dst, q.dstPort), protoText(q.proto)));
    if (e.quotesEsp)
        b.add(QStringLiteral("Quoted ESP"),
              QStringLiteral("SPI %1, sequence %2").arg(spiText(q.spi)).arg(q.seq));
    if (q.totalLen)
        b.add(
            QStringLiteral("Quoted IP length"),
            QStringLiteral("%1 bytes%2").arg(q.totalLen).arg(q.df ? QStringLiteral(", DF set") : QString()));
}

} // namespace

QString PacketDetails::value(const QString &section, const QString &field) const
{
    for (const PacketDetailRow &r : rows)
        if (r.section == section && r.field == field) return r.value;
    return {};
}

QString PacketDetails::toHtml() const
{
    // Sections side by side (frame and IP | protocol | SA or exchange), so a pane a third of
    // the window high shows everything without scrolling.
    std::vector<std::pair<QString, QString>> sections; // name, rows
    for (const PacketDetailRow &r : rows) {
        if (sections.empty() || sections.back().first != r.section)
            sections.emplace_back(r.section, QString());
        const QString value = htmlText(r.value);
        sections.back().second +=
            QStringLiteral("<tr><td style='padding-left:8px; padding-right:12px'>%1</td><td>%2</td></tr>")
                .arg(htmlText(r.field),
                     r.warning ? QStringLiteral("<span class='warn'>%1</span>").arg(value) : value);
    }
    std::vector<QString> columns(sections.size() <= 2 ? sections.size() : 3);
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const std::size_t c = sections.size() <= 2 ? i : (i < 2 ? 0 : (i == 2 ? 1 : 2));
        columns[c] += QStringLiteral("<tr><td colspan='2' style='padding-top:4px'><b>%1</b></td></tr>")
                          .arg(htmlText(sections[i].first)) +
                      sections[i].second;
    }
    QString html =
        QStringLiteral("<p style='margin:2px'><b>%1</b></p><table cellspacing='0' cellpadding='0'><tr>")
            .arg(htmlText(title));
    for (const QString &c : columns)
        html += QStringLiteral("<td valign='top' style='padding-right:28px'><table cellspacing='0' "
                               "cellpadding='1'>%1</table></td>")
                    .arg(c);
    return html + QStringLiteral("</tr></table>");
}

PacketDetails packetDetails(const CaptureIndex &index, const CaptureAnalysis *analysis, std::uint64_t packet,
                            const std::atomic_bool *cancel)
{
    PacketDetails d;
    d.packet = packet;
    if (packet >= index.packetCount()) return d;
    const PacketRecord &r = index.packets[std::size_t(packet)];
    const bool hasFlow = r.flowId < index.flows.size();
    const Flow *fl = hasFlow ? &index.flows[r.flowId] : nullptr;
    d.title =
        QStringLiteral("Packet %1: %2").arg(packet + 1).arg(QString::fromLatin1(packetKindName(r.kind)));
    if (fl)
        d.title += QStringLiteral("  %1 → %2")
                       .arg(endpointText(fl->src, fl->srcPort), endpointText(fl->dst, fl->dstPort));
    Builder b(d);

    b.section(QStringLiteral("Frame"));
    b.add(QStringLiteral("Number"), QString::number(packet + 1));
    b.add(QStringLiteral("Arrival (UTC)"), utcText(r.tsNs, UtcFormat::Nanoseconds));
    b.add(QStringLiteral("Since capture start"), seconds(r.tsNs - index.firstNs));
    if (packet > 0)
        b.add(QStringLiteral("Since previous packet"),
              seconds(r.tsNs - index.packets[std::size_t(packet - 1)].tsNs));
    b.add(QStringLiteral("Frame length"), QStringLiteral("%1 bytes on the wire").arg(r.frameLength));
    b.add(QStringLiteral("Kind"), QString::fromLatin1(packetKindName(r.kind)));

    b.section(QStringLiteral("IP"));
    if (fl) {
        b.add(QStringLiteral("Version"),
              (r.flags & FlagIpv6) ? QStringLiteral("IPv6") : QStringLiteral("IPv4"));
        b.add(QStringLiteral("Source"), endpointText(fl->src, fl->srcPort));
        b.add(QStringLiteral("Destination"), endpointText(fl->dst, fl->dstPort));
        b.add(QStringLiteral("Protocol"), protoText(fl->proto));
        b.add(QStringLiteral("Flow"),
              QStringLiteral("%1 packets, %2 bytes in this direction").arg(fl->packets).arg(fl->bytes));
    } else {
        b.add(QStringLiteral("Flow"), QStringLiteral("none (not IP or not dissected)"));
    }
    if (r.ipLength) b.add(QStringLiteral("IP length"), QStringLiteral("%1 bytes").arg(r.ipLength));
    if (fl && !(r.flags & FlagIpv6))
        b.add(QStringLiteral("IP ID"),
              QStringLiteral("%1 (0x%2)").arg(r.ipId).arg(r.ipId, 4, 16, QLatin1Char('0')));
    flagsRows(b, r);

    if (r.isEsp()) {
        b.section(QStringLiteral("ESP"));
        b.add(QStringLiteral("SPI"), spiText(r.a));
        b.add(QStringLiteral("Sequence"), QString::number(r.b));
        b.add(QStringLiteral("Encapsulation"), r.kind == PacketKind::EspInUdp
                                                   ? QStringLiteral("UDP (RFC 3948)")
                                                   : QStringLiteral("IP protocol 50"));
        espContext(b, index, analysis, packet, r, cancel);
    } else if (r.isIke()) {
        ikeRows(b, index, analysis, r);
    } else if (r.kind == PacketKind::IcmpNeedFrag || r.kind == PacketKind::Icmp6TooBig ||
               r.kind == PacketKind::IcmpUnreachable) {
        icmpRows(b, index, packet, r);
    }
    return d;
}

void addPairRows(PacketDetails &d, const PacketPairing &pairing, int side, const CaptureIndex &here,
                 const CaptureIndex &there, const QString &thereName)
{
    if (d.packet >= here.packetCount() || !here.packets[std::size_t(d.packet)].isEsp()) return;
    Builder b(d);
    b.section(QStringLiteral("At the other end (%1)").arg(thereName));
    const PacketPeer *p = pairing.find(side, d.packet);
    if (!p) {
        b.add(QStringLiteral("Same packet"),
              QStringLiteral("not compared: its SA is not one of this tunnel's"));
        return;
    }
    if (p->other != PacketPeer::kNone && p->other < there.packetCount()) {
        const double ms = double(pairing.oneWayDelayNs(side, *p, here.packets[std::size_t(d.packet)].tsNs,
                                                       there.packets[std::size_t(p->other)].tsNs)) /
                          1e6;
        const QString delay =
            pairing.offsetApplied
                ? QStringLiteral("one-way delay %1 ms (clock offset %2 ms applied)")
                      .arg(ms, 0, 'f', 3)
                      .arg(pairing.offsetS * 1e3, 0, 'f', 3)
                : QStringLiteral("one-way delay %1 ms above this direction's minimum (clock offset "
                                 "unknown)")
                      .arg(ms, 0, 'f', 3);
        if (p->fate == PacketFate::Duplicate)
            b.add(QStringLiteral("Same packet"),
                  QStringLiteral("frame %1 (sent there); this is an extra copy, %2")
                      .arg(p->other + 1)
                      .arg(delay),
                  true);
        else
            b.add(QStringLiteral("Same packet"), QStringLiteral("frame %1, %2").arg(p->other + 1).arg(delay));
        return;
    }
    switch (p->fate) {
    case PacketFate::LostInTransit:
        b.add(QStringLiteral("Fate"), QStringLiteral("never arrived at %1 (lost in transit)").arg(thereName),
              true);
        break;
    case PacketFate::OutsideReceiverSpan:
        b.add(QStringLiteral("Fate"),
              QStringLiteral("not at %1: due there outside %1's capture span (not counted as lost)")
                  .arg(thereName));
        break;
    case PacketFate::MissingAtSender:
        b.add(
            QStringLiteral("Fate"),
            QStringLiteral("not in %1's capture, which was running when it was sent: dropped by the capture "
                           "at the sender")
                .arg(thereName),
            true);
        break;
    case PacketFate::OutsideSenderSpan:
        b.add(QStringLiteral("Fate"),
              QStringLiteral("sent outside %1's capture span (its capture was not running)").arg(thereName));
        break;
    default:
        b.add(QStringLiteral("Same packet"), QStringLiteral("not found in %1").arg(thereName));
        break;
    }
}

} // namespace ikev2wb::ui
