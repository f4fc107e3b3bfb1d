// IKE side of the endpoint comparison: match messages by (SPIs, message ID, flags, length,
// fragment), find the ones lost in transit and explain every retransmission.
#include "comparedetail.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

namespace ikev2wb::comparedetail {

namespace {

constexpr std::int64_t kMatchToleranceNs = 20'000'000; // clock estimate noise allowed when pairing copies

struct IkeKey
{
    std::uint64_t ispi, rspi;
    std::uint32_t messageId, length;
    std::uint16_t fragment;
    std::uint8_t flags, exchange;
    bool operator==(const IkeKey &) const = default;
};
struct IkeKeyHash
{
    std::size_t operator()(const IkeKey &k) const noexcept
    {
        std::uint64_t h = k.ispi * 0x9e3779b97f4a7c15ULL ^ k.rspi;
        h = h * 0x100000001b3ULL ^ (std::uint64_t(k.messageId) << 32 | k.length);
        h = h * 0x100000001b3ULL ^
            (std::uint64_t(k.fragment) << 16 | std::uint64_t(k.flags) << 8 | k.exchange);
        return std::size_t(h);
    }
};

/// A copy of a message at its sender and what became of it.
struct Attempt
{
    const ObservedIke *msg = nullptr;
    enum class Fate { Delivered, Lost, Unobserved } fate = Fate::Unobserved;
    std::int64_t arrivalNs = 0; // receiver's clock, when delivered
};

struct Group
{
    IkeKey key{};
    std::vector<const ObservedIke *> copies[2];
    int sender = -1;
    std::vector<Attempt> attempts;      // the sender's copies, in time order
    std::vector<std::int64_t> arrivals; // receiver's copies matched to an attempt or not, receiver clock
};

bool has(const std::vector<IpAddress> &v, const IpAddress &a)
{
    return std::find(v.begin(), v.end(), a) != v.end();
}
void add(std::vector<IpAddress> &v, const IpAddress &a)
{
    if (!has(v, a)) v.push_back(a);
}

int senderByAddress(const Group &g, const std::vector<IpAddress> local[2])
{
    for (int s = 0; s < 2; ++s)
        for (const ObservedIke *m : g.copies[s]) {
            if (has(local[s], m->src)) return s;
            if (has(local[s], m->dst)) return 1 - s;
        }
    return -1;
}

} // namespace

void compareIke(const CaptureObservations *const obs[2], std::vector<IpAddress> local[2],
                std::vector<IpAddress> peer[2], ClockMap &clock, CompareResult &r)
{
    std::vector<Group> groups;
    std::unordered_map<IkeKey, std::size_t, IkeKeyHash> index;
    for (int s = 0; s < 2; ++s)
        for (const ObservedIke &m : obs[s]->ike) {
            const IkeKey k{m.ispi, m.rspi, m.messageId, m.length, m.fragment, m.flags, m.exchange};
            auto [it, inserted] = index.try_emplace(k, groups.size());
            if (inserted) {
                groups.emplace_back();
                groups.back().key = k;
            }
            groups[it->second].copies[s].push_back(&m);
        }

    // Who sent each message: the endpoint whose own address is its source. Without ESP to
    // tell the addresses, the copy with the higher TTL is the sender's (no router passed yet).
    const bool knowAddresses = !local[0].empty() || !local[1].empty();
    for (Group &g : groups) {
        if (knowAddresses) g.sender = senderByAddress(g, local);
        if (g.sender < 0 && !g.copies[0].empty() && !g.copies[1].empty() &&
            g.copies[0].front()->ttl != g.copies[1].front()->ttl)
            g.sender = g.copies[0].front()->ttl > g.copies[1].front()->ttl ? 0 : 1;
        if (g.sender >= 0 && !g.copies[0].empty() && !g.copies[1].empty()) {
            const int s = g.sender;
            add(local[s], g.copies[s].front()->src);
            add(peer[s], g.copies[s].front()->dst);
            add(local[1 - s], g.copies[1 - s].front()->dst);
            add(peer[1 - s], g.copies[1 - s].front()->src);
        }
    }
    for (Group &g : groups) {
        if (g.sender < 0) g.sender = senderByAddress(g, local);
        if (g.sender < 0) {
            // Same TTL and no known address: IKE alone cannot tell; count it as sent by the
            // capture that holds the earliest copy (exact when the clocks agree).
            g.sender = g.copies[1].empty() || (!g.copies[0].empty() &&
                                               g.copies[0].front()->tsNs <= g.copies[1].front()->tsNs)
                           ? 0
                           : 1;
        }
        // Messages seen once on each side pair up without help from the clock: they teach it.
        if (g.copies[0].size() == 1 && g.copies[1].size() == 1) {
            const int s = g.sender;
            clock.observe(s, g.copies[1 - s].front()->tsNs - g.copies[s].front()->tsNs);
        }
    }

    // Pair copies. Where every copy arrived (counts agree) first goes with first: the clock cannot
    // decide it, being learned from the smallest transit seen, so on a path whose delay grew (600 ms
    // against a 500 ms retransmission timer) a first arrival looks early enough to be the
    // retransmission's. Those pairs teach each direction's transit over time; where copies are
    // missing, a receiver copy goes with the sender copy its send time, estimated from the latest
    // transit before it, points to (without the transits: the latest copy the clock allows).
    const auto byTs = [](const ObservedIke *x, const ObservedIke *y) { return x->tsNs < y->tsNs; };
    std::vector<std::pair<std::int64_t, std::int64_t>> transits[2]; // (send time, transit) per direction
    for (int pass = 0; pass < 2; ++pass) {
        for (Group &g : groups) {
            const int s = g.sender, rcv = 1 - s;
            const int dir = s;
            auto S = g.copies[s], R = g.copies[rcv];
            const bool inOrder = S.size() == R.size();
            if (inOrder != (pass == 0)) continue;
            std::sort(S.begin(), S.end(), byTs);
            std::sort(R.begin(), R.end(), byTs);
            g.attempts.resize(S.size());
            for (std::size_t i = 0; i < S.size(); ++i)
                g.attempts[i].msg = S[i];
            std::vector<bool> taken(S.size(), false);
            DirectionComparison &d = r.directions[dir];
            const auto &known = transits[dir];
            for (const ObservedIke *m : R) {
                const std::int64_t sentBy = clock.toSender(dir, m->tsNs) + kMatchToleranceNs;
                std::ptrdiff_t pick = -1;
                if (inOrder) {
                    for (std::size_t i = 0; i < S.size() && pick < 0; ++i)
                        if (!taken[i]) pick = std::ptrdiff_t(i);
                } else {
                    const auto it =
                        std::upper_bound(known.begin(), known.end(), std::pair(sentBy, INT64_MAX));
                    const bool haveTransit = it != known.begin();
                    const std::int64_t sentAbout = haveTransit ? m->tsNs - std::prev(it)->second : sentBy;
                    std::int64_t best = INT64_MAX;
                    for (std::size_t i = 0; i < S.size(); ++i) {
                        if (taken[i] || S[i]->tsNs > sentBy) continue;
                        const std::int64_t off =
                            haveTransit ? std::abs(S[i]->tsNs - sentAbout) : sentBy - S[i]->tsNs;
                        if (off <= best) { // ties: the later copy
                            best = off;
                            pick = std::ptrdiff_t(i);
                        }
                    }
                }
                ++d.ikeReceived;
                if (pick < 0) {
                    clock.noteMissingAtSender(s, clock.toSender(dir, m->tsNs));
                    continue;
                }
                taken[std::size_t(pick)] = true;
                g.attempts[std::size_t(pick)].fate = Attempt::Fate::Delivered;
                g.attempts[std::size_t(pick)].arrivalNs = m->tsNs;
                ++r.ikeMatched;
            }
            d.ikeSent += S.size();
            if (pass == 0)
                for (const Attempt &at : g.attempts)
                    if (at.fate == Attempt::Fate::Delivered)
                        transits[dir].emplace_back(at.msg->tsNs, at.arrivalNs - at.msg->tsNs);
        }
        if (pass == 0)
            for (auto &t : transits)
                std::sort(t.begin(), t.end());
    }
    // A lost copy was due at the receiver by the latest transit before it.
    const auto dueAt = [&](int dir, std::int64_t ts) {
        std::int64_t due = clock.toReceiver(dir, ts);
        const auto &t = transits[dir];
        const auto it = std::upper_bound(t.begin(), t.end(), std::pair(ts, INT64_MAX));
        if (it != t.begin()) due = std::max(due, ts + std::prev(it)->second);
        return due;
    };
    // A copy on its way when a capture stopped (or before one started): due at the receiver after
    // its last packet, and within one transit of it (the receiver's capture stopped with the copy
    // on its way), or the two captures' last packets within one transit of each other (both
    // stopped together: nothing due after them was seen by either); the mirror at the start. A
    // receiver silent longer than that while the sender's capture went on is not explained by a
    // stop: a path that died leaves the receiver's capture empty too, so such a copy stays lost.
    const auto inFlightAtAStop = [&](int dir, std::int64_t ts) {
        const int rcv = 1 - dir;
        const std::int64_t toRcv = dir == 0 ? clock.theta() : -clock.theta();
        const std::int64_t due = dueAt(dir, ts);
        const std::int64_t transit = std::max<std::int64_t>(due - ts - toRcv, 0) + kMatchToleranceNs;
        if (due > clock.last[rcv])
            return due - clock.last[rcv] <= transit ||
                   std::abs(clock.last[dir] + toRcv - clock.last[rcv]) <= transit;
        if (due < clock.first[rcv])
            return clock.first[rcv] - due <= transit ||
                   std::abs(clock.first[dir] + toRcv - clock.first[rcv]) <= transit;
        return false;
    };
    for (Group &g : groups) {
        const int s = g.sender, rcv = 1 - s;
        const int dir = s;
        DirectionComparison &d = r.directions[dir];
        for (std::size_t i = 0; i < g.attempts.size(); ++i) {
            Attempt &at = g.attempts[i];
            if (at.fate == Attempt::Fate::Delivered) continue;
            if (clock.captureOff(rcv, clock.toReceiver(dir, at.msg->tsNs)))
                continue; // the receiver's capture was not running
            at.fate = Attempt::Fate::Lost;
            ++d.ikeLost;
            IkeLostMessage l;
            l.from = s;
            l.tsNs = at.msg->tsNs;
            l.ispi = g.key.ispi;
            l.rspi = g.key.rspi;
            l.messageId = g.key.messageId;
            l.exchange = g.key.exchange;
            l.response = (g.key.flags & 0x20) != 0;
            l.fragment = g.key.fragment;
            l.size = at.msg->size;
            l.attempt = std::uint32_t(i + 1);
            l.beyondReceiverSpan = inFlightAtAStop(dir, at.msg->tsNs);
            r.ikeLost.push_back(l);
        }
    }

    // Retransmissions: why did the requester send attempt k? Look at attempt k−1 and at the
    // responses the peer sent after receiving it.
    std::multimap<std::pair<std::uint64_t, std::uint32_t>, const Group *> responses;
    for (const Group &g : groups)
        if ((g.key.flags & 0x20) && g.key.fragment <= 1)
            responses.emplace(std::pair(g.key.ispi, g.key.messageId), &g);
    for (const Group &g : groups) {
        if ((g.key.flags & 0x20) || g.key.fragment > 1 || g.attempts.empty()) continue;
        const int s = g.sender;
        IkeEventLoss ev;
        ev.tsNs = clock.toA(s, g.attempts.front().msg->tsNs);
        ev.exchange = g.key.exchange;
        ev.messageId = g.key.messageId;
        ev.ispi = g.key.ispi;
        ev.initiator = s;
        r.ikeEvents.push_back(ev);
        for (std::size_t k = 1; k < g.attempts.size(); ++k) {
            const Attempt &prev = g.attempts[k - 1];
            const Attempt &cur = g.attempts[k];
            IkeRetransmissionCause rt;
            rt.from = s;
            rt.tsNs = cur.msg->tsNs;
            rt.ispi = g.key.ispi;
            rt.messageId = g.key.messageId;
            rt.exchange = g.key.exchange;
            rt.attempt = std::uint32_t(k + 1);
            if (prev.fate == Attempt::Fate::Lost) {
                rt.cause = QStringLiteral("request_lost");
            } else if (prev.fate == Attempt::Fate::Unobserved) {
                rt.cause = QStringLiteral("unknown");
            } else {
                // Responses the peer sent between receiving attempt k−1 and attempt k.
                const std::int64_t from = prev.arrivalNs;
                const std::int64_t until = cur.fate == Attempt::Fate::Delivered ? cur.arrivalNs : INT64_MAX;
                const Attempt *answer = nullptr;
                const auto [lo, hi] = responses.equal_range(std::pair(g.key.ispi, g.key.messageId));
                for (auto it = lo; it != hi && !answer; ++it) {
                    if (it->second->sender != 1 - s) continue;
                    for (const Attempt &a : it->second->attempts)
                        if (a.msg->tsNs >= from && a.msg->tsNs < until) {
                            answer = &a;
                            break;
                        }
                }
                if (!answer)
                    rt.cause = QStringLiteral("no_response");
                else if (answer->fate == Attempt::Fate::Lost)
                    // Not yet due when the retransmission went out: late, whatever became of it.
                    rt.cause = dueAt(1 - s, answer->msg->tsNs) > cur.msg->tsNs
                                   ? QStringLiteral("response_late")
                                   : QStringLiteral("response_lost");
                else if (answer->fate == Attempt::Fate::Delivered && answer->arrivalNs > cur.msg->tsNs)
                    rt.cause = QStringLiteral("response_late");
                else
                    rt.cause = QStringLiteral("unknown");
            }
            r.ikeRetransmissions.push_back(rt);
        }
    }
    std::sort(r.ikeLost.begin(), r.ikeLost.end(), [&](const IkeLostMessage &x, const IkeLostMessage &y) {
        return clock.toA(x.from, x.tsNs) < clock.toA(y.from, y.tsNs);
    });
    std::sort(r.ikeRetransmissions.begin(), r.ikeRetransmissions.end(),
              [&](const IkeRetransmissionCause &x, const IkeRetransmissionCause &y) {
                  return clock.toA(x.from, x.tsNs) < clock.toA(y.from, y.tsNs);
              });
    std::sort(r.ikeEvents.begin(), r.ikeEvents.end(),
              [](const IkeEventLoss &x, const IkeEventLoss &y) { return x.tsNs < y.tsNs; });
}

} // namespace ikev2wb::comparedetail
