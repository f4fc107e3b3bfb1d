#pragma once
// What became of each exchange of one IKE SA as one capture saw it, with a pair's comparison
// when there is one: answered, never answered, or its request or response lost in transit; and
// which of its messages never arrived at the other end. Judged once here: the IKE ladder's
// arrows and the exchange table's Outcome column render these words, so the two views of one
// exchange cannot disagree ("never answered" in the table, "lost in transit" on the ladder).
#include "analyze/ikeexchanges.h"
#include "compare/endpointcompare.h"

#include <QString>

#include <vector>

namespace ikev2wb {

struct CaptureIndex;

enum class IkeOutcome {
    Answered,     // a response was captured (and, in a pair, reached the requester)
    ResponseOnly, // the request is not in the capture
    InFileGap,    // the outcome falls in a missing file of the set
    RequestLost,  // a pair: every request this end sent died on the way (none arrived)
    ResponseLost, // a pair: the request arrived, every response died on the way to the requester
    GaveUp,       // retransmitted, unanswered, the sender gave up (IkeExchange::gaveUp)
    CaptureEnded, // unanswered, the capture ended before the outcome (IkeExchange::outcomeNotCaptured)
    Unanswered,   // unanswered in this capture, nothing more known
};

struct IkeExchangeOutcome
{
    IkeOutcome outcome = IkeOutcome::Unanswered;
    std::vector<bool> requestLost;  // per IkeExchange::requestMessages: never arrived at the other end
    std::vector<bool> responseLost; // per IkeExchange::responseMessages: never arrived at the other end
    QString text;                   // the words every view shows
};

struct IkeSaOutcomes
{
    std::vector<IkeExchangeOutcome> exchanges; // IkeSaExchanges::exchanges' order
    /// A pair: this IKE SA's messages the other end sent that never arrived here (so this
    /// capture has no copy; times on the other end's clock).
    std::vector<IkeLostMessage> lostFromOther;
};

/// Judges IKE SA `sa` of capture `index`. `comparison` (may be null: a single capture) holds
/// this capture as side `side` (0 = A, 1 = B).
IkeSaOutcomes judgeIkeSa(const CaptureIndex &index, const IkeSaExchanges &sa, const CompareResult *comparison,
                         int side);

} // namespace ikev2wb
