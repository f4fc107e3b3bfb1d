#include "ikeoutcome.h"

#include "index/captureindex.h"

#include <QCoreApplication>

#include <algorithm>

namespace ikev2wb {

namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("IkeOutcome", s);
}

bool allOf(const std::vector<bool> &v)
{
    return !v.empty() && std::all_of(v.begin(), v.end(), [](bool b) { return b; });
}

/// Marks in `lost` the messages of `messages` that `comparison` says died on the way from this
/// end: the same send (time, message ID, request or response).
void markLost(const CaptureIndex &index, const std::vector<std::size_t> &messages, bool response,
              const std::vector<const IkeLostMessage *> &sentHere, std::vector<bool> &lost)
{
    lost.assign(messages.size(), false);
    for (std::size_t k = 0; k < messages.size(); ++k) {
        const IkeMessage &m = index.ikeMessages[messages[k]];
        lost[k] = std::any_of(sentHere.begin(), sentHere.end(), [&](const IkeLostMessage *l) {
            return l->tsNs == m.tsNs && l->messageId == m.header.messageId && l->response == response;
        });
    }
}

} // namespace

IkeSaOutcomes judgeIkeSa(const CaptureIndex &index, const IkeSaExchanges &sa, const CompareResult *comparison,
                         int side)
{
    IkeSaOutcomes r;
    const bool pair = comparison && (side == 0 || side == 1);
    const QString other = side == 0 ? QStringLiteral("B") : QStringLiteral("A");
    std::vector<const IkeLostMessage *> sentHere;
    if (pair) {
        for (const IkeLostMessage &l : comparison->ikeLost) {
            if (l.ispi != sa.initiatorSpi) continue;
            if (l.from == side)
                sentHere.push_back(&l);
            else
                r.lostFromOther.push_back(l);
        }
    }
    r.exchanges.reserve(sa.exchanges.size());
    for (const IkeExchange &ex : sa.exchanges) {
        IkeExchangeOutcome o;
        markLost(index, ex.requestMessages, false, sentHere, o.requestLost);
        markLost(index, ex.responseMessages, true, sentHere, o.responseLost);
        // The other end's responses to this exchange that never arrived here.
        const bool responseDiedOnTheWayHere =
            std::any_of(r.lostFromOther.begin(), r.lostFromOther.end(),
                        [&](const IkeLostMessage &l) { return l.response && l.messageId == ex.messageId; });
        if (ex.answered && allOf(o.responseLost)) {
            o.outcome = IkeOutcome::ResponseLost;
            o.text = tr("answered here after %1 ms; the response never arrived at %2: lost in transit")
                         .arg(ex.responseMs(), 0, 'f', 1)
                         .arg(other);
        } else if (ex.answered) {
            o.outcome = IkeOutcome::Answered;
            o.text = tr("answered after %1 ms").arg(ex.responseMs(), 0, 'f', 1);
        } else if (ex.requestMessages.empty()) {
            o.outcome = IkeOutcome::ResponseOnly;
            o.text = tr("response only (request not captured)");
        } else if (ex.fileGap >= 0) {
            o.outcome = IkeOutcome::InFileGap;
            o.text = tr("outcome in a missing file of the set");
        } else if (allOf(o.requestLost)) {
            o.outcome = IkeOutcome::RequestLost;
            o.text = o.requestLost.size() == 1
                         ? tr("never answered: the request never arrived at %1 (lost in transit)").arg(other)
                         : tr("never answered: none of its %1 sends arrived at %2 (lost in transit)")
                               .arg(o.requestLost.size())
                               .arg(other);
        } else if (responseDiedOnTheWayHere) {
            o.outcome = IkeOutcome::ResponseLost;
            o.text = tr("never answered here: %1's response was lost in transit").arg(other);
        } else if (ex.gaveUp) {
            o.outcome = IkeOutcome::GaveUp;
            o.text = tr("never answered: the sender gave up");
        } else if (ex.outcomeNotCaptured) {
            o.outcome = IkeOutcome::CaptureEnded;
            o.text = tr("never answered: the capture ended first");
        } else {
            o.outcome = IkeOutcome::Unanswered;
            o.text = tr("never answered in this capture");
        }
        r.exchanges.push_back(std::move(o));
    }
    return r;
}

} // namespace ikev2wb
