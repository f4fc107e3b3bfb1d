// Text and JSON of the IKE exchange analysis (core/analyze/ikeexchanges).
#include "../analyze/analyzeutil.h"
#include "../analyze/ikeexchanges.h"
#include "../dissect/ikeconstants.h"
#include "analysisreport.h"
#include "jsonwriter.h"

#include <QFileInfo>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <map>

namespace ikev2wb {

using namespace analyze_detail;

namespace {

QString exchangeText(std::uint8_t e)
{
    return latin1(ike::exchangeName(e));
}

QString notifyText(std::uint16_t t)
{
    const auto n = ike::notifyName(t);
    return n.empty() ? QString::number(t) : latin1(n);
}

QString spi64Text(std::uint64_t v)
{
    return QStringLiteral("%1").arg(v, 16, 16, QLatin1Char('0'));
}

void writeFragments(JsonWriter &w, std::string_view key, const IkeFragmentSet &f)
{
    if (!f.total) return;
    w.key(key).beginObject();
    w.field("total", unsigned(f.total));
    w.key("seen").beginArray();
    for (auto n : f.seen)
        w.value(unsigned(n));
    w.endArray();
    w.key("missing").beginArray();
    for (auto n : f.missing)
        w.value(unsigned(n));
    w.endArray();
    w.endObject();
}

void timeOrNull(JsonWriter &w, std::string_view key, std::int64_t ns)
{
    w.key(key);
    if (ns < 0)
        w.null();
    else
        w.time(ns);
}

} // namespace

void writeIkeExchangesJson(JsonWriter &w, const CaptureIndex &index, const IkeExchangeAnalysis &a)
{
    w.key("ike").beginObject();
    w.key("ike_sas").beginArray();
    for (const IkeSaExchanges &sa : a.ikeSas) {
        w.beginObject();
        w.key("initiator_spi").spi64(sa.initiatorSpi);
        w.key("responder_spi").spi64(sa.responderSpi);
        w.field("version", sa.version);
        w.field("initiator", addressText(sa.initiator)).field("responder", addressText(sa.responder));
        w.key("exchanges").beginArray();
        for (const IkeExchange &e : sa.exchanges) {
            w.beginObject();
            w.field("exchange", exchangeText(e.exchange)).field("type", unsigned(e.exchange));
            w.field("message_id", std::uint64_t(e.messageId));
            w.field("by_initiator", e.byInitiator);
            timeOrNull(w, "request_time", e.requestNs);
            timeOrNull(w, "response_time", e.answered ? e.responseNs : -1);
            w.key("response_ms");
            if (e.answered && e.requestNs >= 0)
                w.value(e.responseMs(), 3);
            else
                w.null();
            w.field("request_length", std::uint64_t(e.requestLength));
            w.field("response_length", std::uint64_t(e.responseLength));
            w.key("retransmissions").beginArray();
            for (const IkeRetransmission &r : e.retransmissions) {
                w.beginObject();
                w.key("time").time(r.tsNs);
                w.key("gap_s").value(r.gapS, 6);
                w.key("expected_gap_s").value(r.expectedGapS, 3);
                w.key("ratio").value(r.ratio(), 3);
                w.endObject();
            }
            w.endArray();
            w.key("fits_strongswan_schedule");
            if (e.retransmissions.empty())
                w.null();
            else
                w.value(e.fitsStrongswanSchedule());
            w.field("response_retransmissions", std::uint64_t(e.responseRetransmissions));
            w.field("answered", e.answered).field("gave_up", e.gaveUp);
            w.field("silence_to_capture_end", e.silenceToCaptureEnd)
                .field("restarted", e.restarted)
                .field("outcome_not_captured", e.outcomeNotCaptured);
            if (!e.answered && e.requestNs >= 0) w.key("silence_after_s").value(e.silenceAfterS, 3);
            if (index.set.isSet()) w.field("outcome_in_file_gap", e.fileGap >= 0);
            w.field("class", exchangeClassName(e.cls)).field("class_inferred", e.classInferred);
            w.key("notifies").beginArray();
            for (auto t : e.notifies)
                w.value(notifyText(t));
            w.endArray();
            w.key("error_notifies").beginArray();
            for (auto t : e.errorNotifies)
                w.value(notifyText(t));
            w.endArray();
            writeFragments(w, "fragments", e.fragments);
            writeFragments(w, "response_fragments", e.responseFragments);
            w.field("ip_fragmented", e.ipFragmented);
            if (e.ipFragmented) w.field("ip_fragments_complete", e.ipFragmentsComplete);
            w.endObject();
        }
        w.endArray();
        w.field("retransmissions", std::uint64_t(sa.retransmissions));
        w.field("response_retransmissions", std::uint64_t(sa.responseRetransmissions));
        w.field("unanswered", std::uint64_t(sa.unanswered));
        if (index.set.isSet()) w.field("outcome_in_file_gap", std::uint64_t(sa.inFileGap));
        w.field("capture_duplicates", std::uint64_t(sa.captureDuplicates));
        w.field("gave_up", std::uint64_t(sa.gaveUp));
        w.field("cookie_retries", std::uint64_t(sa.cookieRetries));
        w.field("invalid_ke_retries", std::uint64_t(sa.invalidKeRetries));
        w.field("nat_detection", sa.natDetection);
        timeOrNull(w, "float_to_natt_time", sa.floatToNatTNs);
        w.field("natt_from_start", sa.natTFromStart);
        w.endObject();
    }
    w.endArray();

    w.key("rekeys").beginArray();
    for (const IkeRekeyEvent &ev : a.rekeys) {
        const IkeSaExchanges &sa = a.ikeSas[ev.ikeSa];
        w.beginObject();
        w.key("time").time(ev.tsNs);
        w.field("kind", QString::fromLatin1(exchangeClassName(ev.kind)) +
                            (ev.inferred ? QStringLiteral("_inferred") : QString()));
        w.key("ike_initiator_spi").spi64(sa.initiatorSpi);
        w.field("message_id", std::uint64_t(sa.exchanges[ev.exchange].messageId));
        auto spis = [&](std::string_view key, const std::vector<std::size_t> &v) {
            w.key(key).beginArray();
            for (std::size_t s : v)
                w.spi(index.espSas[s].spi);
            w.endArray();
        };
        spis("new_spis", ev.newSas);
        spis("old_spis", ev.oldSas);
        timeOrNull(w, "delete_time", ev.deleteNs);
        w.field("packets_after_delete", ev.packetsAfterDelete);
        w.field("esp_missing_near_rekey", ev.espMissingNearRekey);
        w.endObject();
    }
    w.endArray();

    const IkeExchangeSummary &s = a.summary;
    w.key("summary").beginObject();
    w.field("ike_sas", std::uint64_t(s.ikeSas)).field("exchanges", std::uint64_t(s.exchanges));
    w.field("answered", std::uint64_t(s.answered)).field("unanswered", std::uint64_t(s.unanswered));
    if (index.set.isSet()) w.field("outcome_in_file_gap", std::uint64_t(s.inFileGap));
    w.field("retransmissions", std::uint64_t(s.retransmissions));
    w.field("response_retransmissions", std::uint64_t(s.responseRetransmissions));
    w.field("capture_duplicates", std::uint64_t(s.captureDuplicates));
    w.field("gave_up", std::uint64_t(s.gaveUp));
    w.field("missing_fragments", std::uint64_t(s.missingFragments));
    w.field("incomplete_ip_fragmented", std::uint64_t(s.incompleteIpFragmented));
    w.field("rekeys", std::uint64_t(s.rekeys));
    w.key("max_response_ms").value(s.maxResponseMs, 3);
    w.field("cancelled", a.cancelled);
    w.endObject();
    w.endObject();
}

QString ikeExchangesText(const CaptureIndex &index, const IkeExchangeAnalysis &a)
{
    QStringList out;
    const IkeExchangeSummary &s = a.summary;
    out << QStringLiteral("IKE exchanges: %1 IKE SAs, %2 exchanges (%3 answered, %4 unanswered), "
                          "%5 retransmissions, %6 re-sent responses, %7 capture duplicates, %8 give-ups")
               .arg(s.ikeSas)
               .arg(s.exchanges)
               .arg(s.answered)
               .arg(s.unanswered)
               .arg(s.retransmissions)
               .arg(s.responseRetransmissions)
               .arg(s.captureDuplicates)
               .arg(s.gaveUp);
    if (s.inFileGap)
        out << QStringLiteral("  %1 request(s) without a captured response whose outcome falls in a hole "
                              "between files of the set (not counted as unanswered)")
                   .arg(s.inFileGap);
    const std::int64_t t0 = index.firstNs;
    auto rel = [t0](std::int64_t ns) { return QString::number(seconds(ns - t0), 'f', 3); };
    for (const IkeSaExchanges &sa : a.ikeSas) {
        out << QStringLiteral("  IKEv%1 %2/%3  %4 → %5")
                   .arg(sa.version)
                   .arg(spi64Text(sa.initiatorSpi), spi64Text(sa.responderSpi), addressText(sa.initiator),
                        addressText(sa.responder));
        if (sa.floatToNatTNs >= 0)
            out << QStringLiteral("    floated to NAT-T (port 4500) at +%1 s").arg(rel(sa.floatToNatTNs));
        for (const IkeExchange &e : sa.exchanges) {
            QString line = QStringLiteral("    %1 #%2 %3%4")
                               .arg(exchangeText(e.exchange), -16)
                               .arg(e.messageId)
                               .arg(QString::fromLatin1(exchangeClassName(e.cls)))
                               .arg(e.classInferred ? QStringLiteral(" (inferred)") : QString());
            if (e.requestNs >= 0) line += QStringLiteral("  at +%1 s").arg(rel(e.requestNs));
            if (e.answered && e.requestNs >= 0)
                line += QStringLiteral(", answered in %1 ms").arg(e.responseMs(), 0, 'f', 1);
            else if (!e.answered)
                line +=
                    e.fileGap >= 0
                        ? QStringLiteral(", no response captured: the outcome falls in the hole "
                                         "between files %1 and %2 (not captured, not lost)")
                              .arg(QFileInfo(
                                       index.set.files[index.set.gaps[std::size_t(e.fileGap)].before].path)
                                       .fileName(),
                                   QFileInfo(
                                       index.set.files[index.set.gaps[std::size_t(e.fileGap)].after].path)
                                       .fileName())
                    : e.gaveUp             ? QStringLiteral(", UNANSWERED, gave up")
                    : e.outcomeNotCaptured ? QStringLiteral(", UNANSWERED, capture ended before the outcome")
                                           : QStringLiteral(", UNANSWERED");
            out << line;
            for (const IkeRetransmission &r : e.retransmissions)
                out << QStringLiteral(
                           "      retransmit at +%1 s after %2 s (strongSwan default %3 s, ratio %4)")
                           .arg(rel(r.tsNs))
                           .arg(r.gapS, 0, 'f', 3)
                           .arg(r.expectedGapS, 0, 'f', 2)
                           .arg(r.ratio(), 0, 'f', 2);
            if (e.responseRetransmissions)
                out << QStringLiteral("      response re-sent %1 time(s)").arg(e.responseRetransmissions);
            if (!e.errorNotifies.empty()) {
                QStringList n;
                for (auto t : e.errorNotifies)
                    n << notifyText(t);
                out << QStringLiteral("      error notifies: %1").arg(n.join(QStringLiteral(", ")));
            }
            if (!e.fragments.missing.empty() || !e.responseFragments.missing.empty())
                out << QStringLiteral(
                           "      RFC 7383 fragments missing: %1 of %2 (request), %3 of %4 (response)")
                           .arg(e.fragments.missing.size())
                           .arg(e.fragments.total)
                           .arg(e.responseFragments.missing.size())
                           .arg(e.responseFragments.total);
            if (e.ipFragmented && !e.ipFragmentsComplete)
                out << QStringLiteral("      IP-fragmented and not every fragment arrived");
        }
    }
    for (const IkeRekeyEvent &ev : a.rekeys) {
        QStringList nw, old;
        for (std::size_t x : ev.newSas)
            nw << spiText(index.espSas[x].spi);
        for (std::size_t x : ev.oldSas)
            old << spiText(index.espSas[x].spi);
        out << QStringLiteral(
                   "  rekey at +%1 s: %2%3, new SPIs [%4], old SPIs [%5], %6 ESP numbers missing nearby, "
                   "%7 old-SPI packets after the delete")
                   .arg(rel(ev.tsNs), QString::fromLatin1(exchangeClassName(ev.kind)),
                        ev.inferred ? QStringLiteral(" (inferred)") : QString(), nw.join(QLatin1Char(' ')),
                        old.join(QLatin1Char(' ')))
                   .arg(ev.espMissingNearRekey)
                   .arg(ev.packetsAfterDelete);
    }
    return out.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace ikev2wb
