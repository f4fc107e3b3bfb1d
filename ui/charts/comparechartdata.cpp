#include "comparechartdata.h"

#include "dissect/ikeconstants.h"
#include "report/jsonwriter.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace ikev2wb::ui {

namespace {

constexpr std::int64_t kSecondNs = 1'000'000'000;

QString tr(const char *s)
{
    return QCoreApplication::translate("CompareChartData", s);
}

QString addresses(const CompareSide &s)
{
    QStringList out;
    for (const IpAddress &a : s.localAddresses)
        out << QString::fromStdString(a.toString());
    return out.isEmpty() ? QStringLiteral("?") : out.join(QStringLiteral(", "));
}

} // namespace

CompareChartData buildCompareChart(const CompareResult &r)
{
    CompareChartData d;
    d.sharedClock = r.clock.identifiable;
    const auto theta = std::int64_t(std::llround(r.clock.offsetS * 1e9));
    // x = 0 is where each sender's clock reads "capture A started" (or its own start).
    const std::int64_t origin[2] = {r.side[0].firstNs,
                                    d.sharedClock ? r.side[0].firstNs + theta : r.side[1].firstNs};
    d.timeAxisTitle = d.sharedClock ? tr("seconds since capture A started (A's clock; B's times moved "
                                         "onto it by the clock offset)")
                                    : tr("seconds since the sender's capture started (clock offset "
                                         "unknown: the two lanes are not aligned)");
    d.startNs = 0;
    d.endNs = std::max<std::int64_t>(r.side[0].lastNs - origin[0], 1);
    const std::int64_t bEnd = r.side[1].lastNs - origin[1];
    const std::int64_t bStart = r.side[1].firstNs - origin[1];
    d.startNs = std::min<std::int64_t>(0, bStart);
    d.endNs = std::max(d.endNs, bEnd);

    for (int dir = 0; dir < 2; ++dir) {
        const DirectionComparison &in = r.directions[dir];
        CompareLane &lane = d.lanes[dir];
        const std::int64_t o = origin[dir];
        const int from = in.from;
        lane.label = from == 0 ? QStringLiteral("A → B") : QStringLiteral("B → A");
        lane.endpoints = addresses(r.side[from]) + QStringLiteral(" → ") + addresses(r.side[1 - from]);
        lane.sent = in.sent;
        lane.lostCount = in.lostInTransit.size();
        lane.owdAbsolute = in.owdAbsolute;

        std::int64_t prev = std::numeric_limits<std::int64_t>::min();
        for (const LossSecond &s : in.lossPerSecond) {
            const std::int64_t t = s.startNs - o;
            // Seconds without traffic are not in the list: drop the line to zero across them.
            if (prev != std::numeric_limits<std::int64_t>::min() && t - prev > kSecondNs) {
                lane.sentPerSecond.push_back({prev + kSecondNs, 0});
                if (t - prev > 2 * kSecondNs) lane.sentPerSecond.push_back({t - kSecondNs, 0});
            }
            lane.sentPerSecond.push_back({t, double(s.sent)});
            lane.maxSentPerSecond = std::max(lane.maxSentPerSecond, double(s.sent));
            prev = t;
        }
        if (prev != std::numeric_limits<std::int64_t>::min())
            lane.sentPerSecond.push_back({prev + kSecondNs, 0});

        lane.lost.reserve(in.lostInTransit.size());
        lane.lostPackets = in.lostInTransit; // sorted by time by the comparison
        for (const ComparedPacket &p : in.lostInTransit)
            lane.lost.push_back({p.tsNs - o, double(p.size)});
        for (const Outage &out : in.outages)
            lane.outages.push_back({out.firstLostNs - o, out.lastLostNs - o, out.lost});

        std::vector<const IkeLostMessage *> ike;
        for (const IkeLostMessage &m : r.ikeLost)
            if (m.from == from) ike.push_back(&m);
        std::sort(ike.begin(), ike.end(),
                  [](const IkeLostMessage *x, const IkeLostMessage *y) { return x->tsNs < y->tsNs; });
        for (const IkeLostMessage *m : ike) {
            lane.ikeLost.push_back({m->tsNs - o, double(m->messageId)});
            const auto name = ike::exchangeName(m->exchange);
            lane.ikeLostText.push_back(
                tr("IKE %1 %2 ID %3 (attempt %4, %5 B) lost")
                    .arg(name.empty() ? QStringLiteral("exchange %1").arg(m->exchange)
                                      : QString::fromLatin1(name.data(), qsizetype(name.size())),
                         m->response ? tr("response") : tr("request"))
                    .arg(m->messageId)
                    .arg(m->attempt)
                    .arg(m->size));
        }

        // One delay point per second: SAs of the same direction are merged, weighted by samples.
        std::map<std::int64_t, std::pair<double, std::uint64_t>> perSecond;
        for (const SaComparison &sa : in.sas)
            for (const OwdBucket &b : sa.owdSeries) {
                auto &acc = perSecond[b.startNs - o];
                acc.first += b.meanMs * double(b.samples);
                acc.second += b.samples;
            }
        for (const auto &[t, acc] : perSecond)
            if (acc.second) lane.owdMeanMs.push_back({t, acc.first / double(acc.second)});
    }
    return d;
}

} // namespace ikev2wb::ui
