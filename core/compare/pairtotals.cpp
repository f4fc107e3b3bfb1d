#include "pairtotals.h"

#include "endpointcompare.h"
#include "util/textformat.h"

namespace ikev2wb {

std::vector<PairDirectionTotals> pairDirectionTotals(const CompareResult &r)
{
    std::vector<PairDirectionTotals> out;
    const auto address = [&](int side) {
        return r.side[side].localAddresses.empty() ? QString()
                                                   : addressText(r.side[side].localAddresses.front());
    };
    for (const DirectionComparison &d : r.directions) {
        PairDirectionTotals t;
        t.from = d.from;
        t.fromAddress = address(d.from);
        t.toAddress = address(1 - d.from);
        t.sent = d.sent;
        t.received = d.received;
        t.lostInTransit = d.lostInTransit.size();
        t.captureDrops = d.captureDropAtSender.size();
        t.outsideSpan = d.outsideSenderSpan.size() + d.outsideReceiverSpan.size();
        t.reordered = d.reordered;
        t.duplicated = d.duplicated;
        t.ikeSent = d.ikeSent;
        t.ikeLost = d.ikeLost;
        if (r.clock.identifiable) {
            t.clockOffsetS = d.from == 0 ? r.clock.offsetS : -r.clock.offsetS;
            t.clockErrorS = r.clock.errorBoundS;
        }
        out.push_back(std::move(t));
    }
    return out;
}

} // namespace ikev2wb
