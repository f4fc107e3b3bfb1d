#include "ikeexchanges.h"

#include "../dissect/ikeconstants.h"
#include "analyzeutil.h"

#include <QFileInfo>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace ikev2wb {

using namespace analyze_detail;

namespace {

// Fragments (SKF or re-sent) closer than this belong to one send of a message.
constexpr std::int64_t kSendBurstNs = 1 * kNsPerS;
// ESP SPIs that start this long after a CREATE_CHILD_SA response belong to it.
constexpr std::int64_t kNewSpiAfterNs = 5 * kNsPerS;
constexpr std::int64_t kNewSpiBeforeNs = kNsPerS / 2;
// strongSwan deletes a rekeyed CHILD_SA delete_rekeyed_delay (5 s) after the rekey; allow margin.
constexpr std::int64_t kOldSpiStopNs = 15 * kNsPerS;
constexpr std::int64_t kRekeyWindowNs = 5 * kNsPerS;
constexpr std::int64_t kDeleteSearchNs = 30 * kNsPerS;
constexpr std::size_t kSearchBack = 64;
// Silence after the last send must outlast the scheduled wait by this factor before it proves
// that the sender stopped (timer slack, the capture's own clock).
constexpr double kStopMargin = 1.1; // exchanges searched backwards for a matching message ID

bool isV1(const IkeSaExchanges &sa)
{
    return sa.version == 1;
}

// What distinguishes two different IKEv1 messages of one exchange when lengths repeat.
struct V1Message
{
    bool fromInitiator;
    std::uint32_t length;
    std::uint8_t nextPayload;
    std::int64_t lastSendNs;
};

class Builder
{
public:
    Builder(const CaptureIndex &index, const std::atomic_bool *cancel, const IkeEspWindows *windows)
        : m_index(index), m_cancel(cancel), m_windows(windows)
    {
    }

    IkeExchangeAnalysis run()
    {
        for (std::size_t i = 0; i < m_index.ikeMessages.size(); ++i) {
            if ((i & 1023) == 0 && cancelled(m_cancel)) {
                m_out.cancelled = true;
                return std::move(m_out);
            }
            add(i);
        }
        for (std::size_t s = 0; s < m_out.ikeSas.size(); ++s)
            finishSa(s);
        rekeyTimeline();
        if (cancelled(m_cancel)) m_out.cancelled = true;
        summarize();
        return std::move(m_out);
    }

private:
    const IkeMessage &msg(std::size_t i) const { return m_index.ikeMessages[i]; }
    const Flow &flowOf(const IkeMessage &m) const { return m_index.flows[m.flowId]; }

    std::size_t saFor(const IkeMessage &m)
    {
        const std::uint64_t key = m.header.initiatorSpi ^ (std::uint64_t(m.header.majorVersion()) << 62);
        auto [it, inserted] = m_saByKey.try_emplace(key, m_out.ikeSas.size());
        if (inserted) {
            IkeSaExchanges sa;
            sa.initiatorSpi = m.header.initiatorSpi;
            sa.version = m.header.majorVersion();
            const Flow &fl = flowOf(m);
            const bool fromInitiator = sa.version == 2 ? m.header.isInitiator() : true;
            sa.initiator = fromInitiator ? fl.src : fl.dst;
            sa.responder = fromInitiator ? fl.dst : fl.src;
            sa.firstNs = m.tsNs;
            sa.natTFromStart = m.transport == IkeTransport::UdpNatT;
            sa.startedWithSaInit = m.header.exchange == std::uint8_t(ike::Exchange::IkeSaInit) ||
                                   m.header.exchange == std::uint8_t(ike::Exchange::V1IdentityProtection) ||
                                   m.header.exchange == std::uint8_t(ike::Exchange::V1Aggressive);
            m_out.ikeSas.push_back(sa);
            m_saMessages.emplace_back();
        }
        return it->second;
    }

    bool isCaptureDuplicate(std::size_t s, const IkeMessage &m) const
    {
        // IP ID 0 (IPv6 without a fragment header, or stacks that zero it) proves nothing.
        if (m.ipId == 0) return false;
        const auto &recent = m_saMessages[s];
        const std::size_t from = recent.size() > 16 ? recent.size() - 16 : 0;
        for (std::size_t k = recent.size(); k-- > from;) {
            const IkeMessage &o = msg(recent[k]);
            if (m.tsNs - o.tsNs > kCaptureDuplicateWindowNs) break;
            if (o.flowId == m.flowId && o.ipId == m.ipId && o.ipLength == m.ipLength &&
                o.header.length == m.header.length && o.header.messageId == m.header.messageId &&
                o.header.flags == m.header.flags && o.header.exchange == m.header.exchange)
                return true;
        }
        return false;
    }

    // Latest exchange of the SA with this message ID and exchange type (and request direction
    // for IKEv2, whose two directions number their requests independently).
    IkeExchange *findExchange(IkeSaExchanges &sa, const IkeHeader &h, bool byInitiator, std::size_t *at)
    {
        const std::size_t n = sa.exchanges.size();
        const std::size_t stop = n > kSearchBack ? n - kSearchBack : 0;
        for (std::size_t k = n; k-- > stop;) {
            IkeExchange &e = sa.exchanges[k];
            if (e.messageId == h.messageId && e.exchange == h.exchange &&
                (isV1(sa) || e.byInitiator == byInitiator)) {
                *at = k;
                return &e;
            }
        }
        return nullptr;
    }

    IkeExchange &newExchange(IkeSaExchanges &sa, const IkeHeader &h, bool byInitiator)
    {
        IkeExchange e;
        e.exchange = h.exchange;
        e.messageId = h.messageId;
        e.byInitiator = byInitiator;
        sa.exchanges.push_back(e);
        return sa.exchanges.back();
    }

    static void addFragment(IkeFragmentSet &f, const IkePayloadSummary &p)
    {
        f.total = std::max(f.total, p.totalFragments);
        if (std::find(f.seen.begin(), f.seen.end(), p.fragmentNumber) == f.seen.end())
            f.seen.push_back(p.fragmentNumber);
    }
    static bool fragmentSeen(const IkeFragmentSet &f, std::uint16_t n)
    {
        return std::find(f.seen.begin(), f.seen.end(), n) != f.seen.end();
    }

    void addRetransmission(IkeExchange &e, std::size_t i, std::int64_t lastSendNs)
    {
        const IkeMessage &m = msg(i);
        IkeRetransmission r;
        r.tsNs = m.tsNs;
        r.message = i;
        r.gapS = seconds(m.tsNs - lastSendNs);
        r.expectedGapS = strongswanExpectedGapS(int(e.retransmissions.size()) + 1);
        e.retransmissions.push_back(r);
    }

    void addV2(std::size_t s, std::size_t i)
    {
        IkeSaExchanges &sa = m_out.ikeSas[s];
        const IkeMessage &m = msg(i);
        const IkeHeader &h = m.header;
        const bool response = h.isResponse();
        const bool byInitiator = response ? !h.isInitiator() : h.isInitiator();
        const IkePayloadSummary &p = m.payloads;
        std::size_t at = 0;
        IkeExchange *e = findExchange(sa, h, byInitiator, &at);
        if (!response) {
            if (e && e->requestNs < 0) {
                // The response was seen first (the request was not captured).
                e->requestNs = m.tsNs;
                e->requestLength = h.length;
                e->requestNextPayload = h.nextPayload;
                e->requestMessages.push_back(i);
                m_sendNs[{s, at}] = m.tsNs;
                if (p.hasSkf) addFragment(e->fragments, p);
                return;
            }
            if (e) {
                std::int64_t &last = m_sendNs[{s, at}];
                if (p.hasSkf && e->fragments.total) {
                    if (!fragmentSeen(e->fragments, p.fragmentNumber)) {
                        addFragment(e->fragments, p);
                        e->requestMessages.push_back(i);
                        return;
                    }
                    e->requestMessages.push_back(i);
                    if (m.tsNs - last > kSendBurstNs) addRetransmission(*e, i, last);
                    last = m.tsNs;
                    return;
                }
                if (!p.hasSkf && h.length == e->requestLength && h.nextPayload == e->requestNextPayload) {
                    e->requestMessages.push_back(i);
                    addRetransmission(*e, i, last);
                    last = m.tsNs;
                    return;
                }
                // Same message ID, other content: a new exchange (an IKE_SA_INIT retried with a
                // cookie or another DH group; anything else reusing a message ID).
            }
            IkeExchange &n = newExchange(sa, h, byInitiator);
            n.requestNs = m.tsNs;
            n.requestLength = h.length;
            n.requestNextPayload = h.nextPayload;
            n.requestMessages.push_back(i);
            if (p.hasSkf) addFragment(n.fragments, p);
            m_sendNs[{s, sa.exchanges.size() - 1}] = m.tsNs;
            return;
        }
        if (!e) {
            IkeExchange &n = newExchange(sa, h, byInitiator);
            e = &n;
            at = sa.exchanges.size() - 1;
        }
        std::int64_t &lastResp = m_responseNs[{s, at}];
        if (!e->answered) {
            e->answered = true;
            e->responseNs = m.tsNs;
            e->responseLength = h.length;
            e->responseMessages.push_back(i);
            if (p.hasSkf) addFragment(e->responseFragments, p);
            lastResp = m.tsNs;
            return;
        }
        e->responseMessages.push_back(i);
        if (p.hasSkf && !fragmentSeen(e->responseFragments, p.fragmentNumber)) {
            addFragment(e->responseFragments, p);
            return;
        }
        if (!p.hasSkf || m.tsNs - lastResp > kSendBurstNs) ++e->responseRetransmissions;
        lastResp = m.tsNs;
    }

    // IKEv1 has no response flag: messages sharing cookies, message ID and exchange type form
    // one exchange; a message repeating an earlier one of the same direction (length and first
    // payload) is a retransmission, the first message from the other side the response.
    void addV1(std::size_t s, std::size_t i)
    {
        IkeSaExchanges &sa = m_out.ikeSas[s];
        const IkeMessage &m = msg(i);
        const IkeHeader &h = m.header;
        const bool fromInitiator = flowOf(m).src == sa.initiator;
        std::size_t at = 0;
        IkeExchange *e = findExchange(sa, h, fromInitiator, &at);
        if (!e) {
            IkeExchange &n = newExchange(sa, h, fromInitiator);
            n.requestNs = m.tsNs;
            n.requestLength = h.length;
            n.requestNextPayload = h.nextPayload;
            n.requestMessages.push_back(i);
            m_v1[{s, sa.exchanges.size() - 1}].push_back({fromInitiator, h.length, h.nextPayload, m.tsNs});
            return;
        }
        auto &seen = m_v1[{s, at}];
        for (V1Message &v : seen) {
            if (v.fromInitiator == fromInitiator && v.length == h.length && v.nextPayload == h.nextPayload) {
                if (fromInitiator == e->byInitiator) {
                    e->requestMessages.push_back(i);
                    addRetransmission(*e, i, v.lastSendNs);
                } else {
                    e->responseMessages.push_back(i);
                    ++e->responseRetransmissions;
                }
                v.lastSendNs = m.tsNs;
                return;
            }
        }
        seen.push_back({fromInitiator, h.length, h.nextPayload, m.tsNs});
        if (fromInitiator == e->byInitiator) {
            e->requestMessages.push_back(i);
        } else {
            e->responseMessages.push_back(i);
            if (!e->answered) {
                e->answered = true;
                e->responseNs = m.tsNs;
                e->responseLength = h.length;
            }
        }
    }

    void add(std::size_t i)
    {
        const IkeMessage &m = msg(i);
        const std::size_t s = saFor(m);
        IkeSaExchanges &sa = m_out.ikeSas[s];
        if (isCaptureDuplicate(s, m)) {
            ++sa.captureDuplicates;
            sa.captureDuplicateMessages.push_back(i);
            return;
        }
        m_saMessages[s].push_back(i);
        sa.lastNs = std::max(sa.lastNs, m.tsNs);
        if (!sa.responderSpi && m.header.responderSpi) sa.responderSpi = m.header.responderSpi;
        sa.natDetection |= m.payloads.hasNotify(ike::NatDetectionSourceIp) ||
                           m.payloads.hasNotify(ike::NatDetectionDestinationIp);
        if (m.transport == IkeTransport::UdpNatT) {
            if (!sa.natTFromStart && sa.floatToNatTNs < 0) sa.floatToNatTNs = m.tsNs;
        } else {
            sa.natTFromStart = false;
        }
        if (sa.version == 2)
            addV2(s, i);
        else
            addV1(s, i);
    }

    void collectNotifies(IkeExchange &e) const
    {
        auto take = [&](const std::vector<std::size_t> &msgs) {
            for (std::size_t i : msgs) {
                const IkePayloadSummary &p = msg(i).payloads;
                for (int k = 0; k < std::min<int>(p.notifyCount, IkePayloadSummary::MaxNotifies); ++k) {
                    const std::uint16_t t = p.notifies[std::size_t(k)];
                    if (std::find(e.notifies.begin(), e.notifies.end(), t) == e.notifies.end())
                        e.notifies.push_back(t);
                    if (ike::isErrorNotify(t) &&
                        std::find(e.errorNotifies.begin(), e.errorNotifies.end(), t) == e.errorNotifies.end())
                        e.errorNotifies.push_back(t);
                }
                if (msg(i).ipFragmented) {
                    e.ipFragmented = true;
                    if (!msg(i).reassembled) e.ipFragmentsComplete = false;
                }
            }
        };
        take(e.requestMessages);
        take(e.responseMessages);
    }

    static void finishFragments(IkeFragmentSet &f)
    {
        std::sort(f.seen.begin(), f.seen.end());
        f.missing.clear();
        for (std::uint16_t n = 1; n <= f.total && f.total; ++n)
            if (!std::binary_search(f.seen.begin(), f.seen.end(), n)) f.missing.push_back(n);
    }

    void classify(IkeSaExchanges &sa, IkeExchange &e, std::uint32_t minInfoLength) const
    {
        const IkePayloadSummary *req =
            e.requestMessages.empty() ? nullptr : &msg(e.requestMessages.front()).payloads;
        const IkePayloadSummary *resp =
            e.responseMessages.empty() ? nullptr : &msg(e.responseMessages.front()).payloads;
        if (isV1(sa)) {
            switch (ike::Exchange(e.exchange)) {
            case ike::Exchange::V1IdentityProtection:
                e.cls = ExchangeClass::V1MainMode;
                break;
            case ike::Exchange::V1Aggressive:
                e.cls = ExchangeClass::V1Aggressive;
                break;
            case ike::Exchange::V1QuickMode:
                e.cls = ExchangeClass::V1QuickMode;
                break;
            case ike::Exchange::V1Informational:
                e.cls = ExchangeClass::V1Informational;
                break;
            default:
                e.cls = ExchangeClass::Other;
                break;
            }
            return;
        }
        switch (ike::Exchange(e.exchange)) {
        case ike::Exchange::IkeSaInit:
            e.cls = ExchangeClass::IkeSaInit;
            if (resp && !resp->hasPayload(ike::PayloadSA)) {
                if (resp->hasNotify(ike::Cookie))
                    e.cls = ExchangeClass::IkeSaInitCookie;
                else if (resp->hasNotify(ike::InvalidKePayload))
                    e.cls = ExchangeClass::IkeSaInitInvalidKe;
                else if (resp->firstErrorNotify())
                    e.cls = ExchangeClass::IkeSaInitError;
            }
            break;
        case ike::Exchange::IkeAuth:
            e.cls = ExchangeClass::IkeAuth;
            break;
        case ike::Exchange::CreateChildSa:
            e.cls = ExchangeClass::CreateChildSa;
            if (req && !req->hasSk && !req->hasSkf) {
                if (req->hasNotify(ike::RekeySa))
                    e.cls = ExchangeClass::ChildRekey;
                else if (req->hasPayload(ike::PayloadTSi))
                    e.cls = ExchangeClass::NewChild;
                else if (req->hasPayload(ike::PayloadSA) && req->hasPayload(ike::PayloadKE))
                    e.cls = ExchangeClass::IkeRekey;
            }
            break;
        case ike::Exchange::Informational:
            e.cls = ExchangeClass::Informational;
            if (!req) break;
            if (!req->hasSk && !req->hasSkf) {
                // Cleartext (rare: a capture of a NULL-encrypted or broken SA).
                if (req->hasPayload(ike::PayloadDelete))
                    e.cls = ExchangeClass::Delete;
                else if (req->notifyCount)
                    e.cls = ExchangeClass::InformationalNotify;
                else if (req->payloadCount == 0)
                    e.cls = ExchangeClass::Dpd;
            } else if (req->hasSk && !req->truncated) {
                // The SK payload's next-payload field (the first inner payload) is in clear:
                // 0 means an empty body, i.e. a liveness check.
                switch (req->encryptedFirstPayload) {
                case ike::PayloadNone:
                    e.cls = ExchangeClass::Dpd;
                    break;
                case ike::PayloadDelete:
                    e.cls = ExchangeClass::Delete;
                    break;
                case ike::PayloadNotify:
                    e.cls = ExchangeClass::InformationalNotify;
                    break;
                default:
                    break;
                }
            } else {
                // Fragmented or cut: the smallest INFORMATIONAL of the SA is the empty one.
                e.cls = e.requestLength <= minInfoLength ? ExchangeClass::Dpd : ExchangeClass::Delete;
                e.classInferred = true;
            }
            break;
        default:
            e.cls = ExchangeClass::Other;
            break;
        }
    }

    void finishSa(std::size_t s)
    {
        IkeSaExchanges &sa = m_out.ikeSas[s];
        std::uint32_t minInfo = 0xffffffffu;
        for (const IkeExchange &e : sa.exchanges)
            if (e.exchange == std::uint8_t(ike::Exchange::Informational) && e.requestNs >= 0)
                minInfo = std::min(minInfo, e.requestLength);
        const auto &msgs = m_saMessages[s];
        for (std::size_t k = 0; k < sa.exchanges.size(); ++k) {
            IkeExchange &e = sa.exchanges[k];
            collectNotifies(e);
            finishFragments(e.fragments);
            finishFragments(e.responseFragments);
            classify(sa, e, minInfo);
            sa.retransmissions += std::uint32_t(e.retransmissions.size());
            sa.responseRetransmissions += e.responseRetransmissions;
            if (k + 1 < sa.exchanges.size() && sa.exchanges[k + 1].exchange == e.exchange) {
                if (e.cls == ExchangeClass::IkeSaInitCookie)
                    ++sa.cookieRetries;
                else if (e.cls == ExchangeClass::IkeSaInitInvalidKe)
                    ++sa.invalidKeRetries;
            }
            const bool oneWay = e.cls == ExchangeClass::V1Informational;
            if (e.requestNs < 0 || e.answered || oneWay) continue;
            const std::int64_t lastSend =
                e.retransmissions.empty() ? e.requestNs : e.retransmissions.back().tsNs;
            // The next IKE message of this SA after the last send, if any.
            std::int64_t next = -1;
            for (std::size_t mi : msgs)
                if (msg(mi).tsNs > lastSend) {
                    next = msg(mi).tsNs;
                    break;
                }
            e.silenceAfterS = seconds((next >= 0 ? next : m_index.lastNs) - lastSend);
            e.silenceToCaptureEnd = next < 0;
            // A set of files with a hole in the silence, starting before the next retransmission
            // (or the give-up) was due: the response or what followed may be in the missing file.
            // Nothing here is unanswered, retransmitted in vain or given up.
            const int gap = m_index.set.gapSpanned(lastSend, next >= 0 ? next : m_index.lastNs);
            if (gap >= 0 && seconds(m_index.set.gaps[std::size_t(gap)].fromNs - lastSend) <=
                                kStopMargin * strongswanExpectedGapS(int(e.retransmissions.size()) + 1)) {
                e.fileGap = gap;
                e.outcomeNotCaptured = true;
                ++sa.inFileGap;
                continue;
            }
            ++sa.unanswered;
            if (e.retransmissions.empty()) continue;
            // Silence in this SA, then the initiator starting over with a fresh IKE_SA_INIT.
            for (const IkeMessage &o : m_index.ikeMessages) {
                if (o.tsNs <= lastSend) continue;
                if (o.header.exchange == std::uint8_t(ike::Exchange::IkeSaInit) && !o.header.isResponse() &&
                    o.header.initiatorSpi != sa.initiatorSpi && flowOf(o).src == sa.initiator) {
                    e.restarted = next < 0 || o.tsNs <= next;
                    break;
                }
            }
            // Silence up to the capture's end proves a give-up only once it outlasts the wait for
            // the next retransmission (or, after the last one, for the give-up): a capture that
            // stops earlier ends before the outcome.
            const bool stopped =
                e.silenceToCaptureEnd &&
                e.silenceAfterS > kStopMargin * strongswanExpectedGapS(int(e.retransmissions.size()) + 1);
            e.outcomeNotCaptured = e.silenceToCaptureEnd && !e.restarted && !stopped;
            const bool gaveUp = e.restarted || stopped;
            e.gaveUp = gaveUp;
            if (gaveUp) ++sa.gaveUp;
        }
    }

    void rekeyTimeline()
    {
        const auto &sas = m_index.espSas;
        if (sas.empty()) return;
        struct Candidate
        {
            std::int64_t t;
            std::size_t sa;
            std::size_t ex;
        };
        std::vector<Candidate> creates;
        for (std::size_t s = 0; s < m_out.ikeSas.size(); ++s)
            for (std::size_t k = 0; k < m_out.ikeSas[s].exchanges.size(); ++k) {
                const IkeExchange &e = m_out.ikeSas[s].exchanges[k];
                if (m_out.ikeSas[s].version == 2 && e.exchange == std::uint8_t(ike::Exchange::CreateChildSa))
                    creates.push_back({e.answered ? e.responseNs : e.requestNs, s, k});
            }
        if (creates.empty()) return;
        std::sort(creates.begin(), creates.end(),
                  [](const Candidate &a, const Candidate &b) { return a.t < b.t; });

        std::vector<IkeRekeyEvent> events(creates.size());
        for (std::size_t c = 0; c < creates.size(); ++c) {
            events[c].tsNs = creates[c].t;
            events[c].ikeSa = creates[c].sa;
            events[c].exchange = creates[c].ex;
        }
        // New SPIs: each ESP SA that starts shortly after a CREATE_CHILD_SA goes to the latest one
        // before it (ESP SAs already running at the capture start are not new).
        for (std::size_t i = 0; i < sas.size(); ++i) {
            if (sas[i].firstNs - m_index.firstNs < kNsPerS) continue;
            std::size_t best = creates.size();
            for (std::size_t c = 0; c < creates.size(); ++c) {
                const std::int64_t d = sas[i].firstNs - creates[c].t;
                if (d >= -kNewSpiBeforeNs && d <= kNewSpiAfterNs) best = c;
            }
            if (best < creates.size()) events[best].newSas.push_back(i);
        }
        // Old SPIs: same outer addresses and direction as a new one, started earlier, stopped
        // shortly after the exchange (and before the capture end).
        std::vector<bool> taken(sas.size(), false);
        for (IkeRekeyEvent &ev : events) {
            for (std::size_t n : ev.newSas) {
                const Flow &nf = m_index.flows[sas[n].flowId];
                std::size_t best = sas.size();
                std::int64_t bestD = 0;
                for (std::size_t o = 0; o < sas.size(); ++o) {
                    if (taken[o] || o == n || sas[o].firstNs >= sas[n].firstNs) continue;
                    const Flow &of = m_index.flows[sas[o].flowId];
                    if (of.src != nf.src || of.dst != nf.dst) continue;
                    if (sas[o].lastNs < ev.tsNs - kNsPerS || sas[o].lastNs > ev.tsNs + kOldSpiStopNs ||
                        sas[o].lastNs > m_index.lastNs - kNsPerS)
                        continue;
                    const std::int64_t d = std::llabs(sas[o].lastNs - ev.tsNs);
                    if (best == sas.size() || d < bestD) {
                        best = o;
                        bestD = d;
                    }
                }
                if (best < sas.size()) {
                    taken[best] = true;
                    ev.oldSas.push_back(best);
                }
            }
        }
        for (IkeRekeyEvent &ev : events) {
            IkeExchange &e = m_out.ikeSas[ev.ikeSa].exchanges[ev.exchange];
            if (e.cls == ExchangeClass::CreateChildSa) {
                if (!ev.oldSas.empty())
                    e.cls = ExchangeClass::ChildRekey;
                else if (!ev.newSas.empty())
                    e.cls = ExchangeClass::NewChild;
                else {
                    // An IKE rekey shows as a new SPI pair that starts without IKE_SA_INIT.
                    for (const IkeSaExchanges &other : m_out.ikeSas)
                        if (!other.startedWithSaInit && other.firstNs >= ev.tsNs - kNewSpiBeforeNs &&
                            other.firstNs <= ev.tsNs + kNewSpiAfterNs)
                            e.cls = ExchangeClass::IkeRekey;
                }
                e.classInferred = e.cls != ExchangeClass::CreateChildSa;
            }
            ev.kind = e.cls;
            ev.inferred = e.classInferred;
            // The INFORMATIONAL that probably deleted the old SPIs: the first non-DPD one after.
            const IkeSaExchanges &sa = m_out.ikeSas[ev.ikeSa];
            for (const IkeExchange &x : sa.exchanges) {
                if (x.exchange != std::uint8_t(ike::Exchange::Informational) || x.cls == ExchangeClass::Dpd ||
                    x.requestNs < ev.tsNs || x.requestNs > ev.tsNs + kDeleteSearchNs)
                    continue;
                ev.deleteNs = x.answered ? x.responseNs : x.requestNs;
                break;
            }
        }
        std::erase_if(events, [](const IkeRekeyEvent &ev) {
            return ev.kind == ExchangeClass::CreateChildSa && ev.newSas.empty() && ev.oldSas.empty();
        });
        espPass(events);
        m_out.rekeys = std::move(events);
    }

    // One pass over the packets: old-SPI packets after the delete, and sequence numbers around
    // each rekey.
    void espPass(std::vector<IkeRekeyEvent> &events)
    {
        struct Watch
        {
            std::size_t event;
            bool old;
            std::size_t slot; // into seqs: this SA's numbers near this event
        };
        std::vector<std::vector<Watch>> watched(m_index.espSas.size());
        std::vector<std::vector<std::uint32_t>> seqs;
        std::vector<std::size_t> slotEvent;
        auto watchSa = [&](std::size_t s, std::size_t k, bool old) {
            if (s >= watched.size()) return;
            // One slot per (event, SA), as the SA may be both old and new for the same event.
            for (const Watch &w : watched[s])
                if (w.event == k) {
                    watched[s].push_back({k, old, w.slot});
                    return;
                }
            watched[s].push_back({k, old, seqs.size()});
            seqs.emplace_back();
            slotEvent.push_back(k);
        };
        for (std::size_t k = 0; k < events.size(); ++k) {
            for (std::size_t s : events[k].oldSas)
                watchSa(s, k, true);
            for (std::size_t s : events[k].newSas)
                watchSa(s, k, false);
        }
        if (seqs.empty()) return;
        if (m_windows) {
            // Gathered during the read: the same packets, the same counts.
            std::vector<std::size_t> slotSa(seqs.size());
            for (std::size_t s = 0; s < watched.size(); ++s)
                for (const Watch &w : watched[s]) {
                    slotSa[w.slot] = s;
                    const IkeRekeyEvent &ev = events[w.event];
                    if (w.old && ev.deleteNs >= 0)
                        events[w.event].packetsAfterDelete +=
                            m_windows->packetsLaterThanSecondAfter(ev.deleteNs, s);
                }
            for (std::size_t slot = 0; slot < seqs.size(); ++slot) {
                std::vector<std::uint32_t> near =
                    m_windows->sequencesNear(events[slotEvent[slot]].tsNs, slotSa[slot]);
                events[slotEvent[slot]].espMissingNearRekey += missingSequenceNumbers(near);
            }
            return;
        }
        SaResolver saOf(m_index.espSas);
        std::size_t n = 0;
        m_index.packets.forEach([&](const PacketRecord &r) {
            if ((++n & 0xffff) == 0 && cancelled(m_cancel)) return;
            if (!r.isEsp()) return;
            const std::uint32_t sa = saOf.find(r);
            if (sa == SaResolver::kNone || watched[sa].empty()) return;
            std::size_t pushedSlot = seqs.size();
            for (const Watch &w : watched[sa]) {
                IkeRekeyEvent &ev = events[w.event];
                if (w.old && ev.deleteNs >= 0 && r.tsNs > ev.deleteNs + kNsPerS) ++ev.packetsAfterDelete;
                if (w.slot != pushedSlot && std::llabs(r.tsNs - ev.tsNs) <= kRekeyWindowNs) {
                    seqs[w.slot].push_back(r.seq());
                    pushedSlot = w.slot;
                }
            }
        });
        for (std::size_t slot = 0; slot < seqs.size(); ++slot)
            events[slotEvent[slot]].espMissingNearRekey += missingSequenceNumbers(seqs[slot]);
    }

    void summarize()
    {
        IkeExchangeSummary &s = m_out.summary;
        s.ikeSas = std::uint32_t(m_out.ikeSas.size());
        for (const IkeSaExchanges &sa : m_out.ikeSas) {
            s.exchanges += std::uint32_t(sa.exchanges.size());
            s.unanswered += sa.unanswered;
            s.inFileGap += sa.inFileGap;
            s.retransmissions += sa.retransmissions;
            s.responseRetransmissions += sa.responseRetransmissions;
            s.captureDuplicates += sa.captureDuplicates;
            s.gaveUp += sa.gaveUp;
            for (const IkeExchange &e : sa.exchanges) {
                if (e.answered && e.requestNs >= 0) {
                    ++s.answered;
                    s.maxResponseMs = std::max(s.maxResponseMs, e.responseMs());
                }
                s.missingFragments +=
                    std::uint32_t(e.fragments.missing.size() + e.responseFragments.missing.size());
                if (e.ipFragmented && !e.ipFragmentsComplete) ++s.incompleteIpFragmented;
            }
        }
        s.rekeys = std::uint32_t(m_out.rekeys.size());
    }

    const CaptureIndex &m_index;
    const std::atomic_bool *m_cancel;
    const IkeEspWindows *m_windows;
    IkeExchangeAnalysis m_out;
    std::unordered_map<std::uint64_t, std::size_t> m_saByKey;
    std::vector<std::vector<std::size_t>> m_saMessages;
    std::map<std::pair<std::size_t, std::size_t>, std::int64_t> m_sendNs;     // last request send
    std::map<std::pair<std::size_t, std::size_t>, std::int64_t> m_responseNs; // last response send
    std::map<std::pair<std::size_t, std::size_t>, std::vector<V1Message>> m_v1;
};

} // namespace

double strongswanExpectedGapS(int n)
{
    return kStrongswanRetransmitTimeoutS * std::pow(kStrongswanRetransmitBase, double(std::max(n, 1) - 1));
}

bool IkeExchange::fitsStrongswanSchedule() const
{
    if (retransmissions.empty()) return false;
    return std::all_of(retransmissions.begin(), retransmissions.end(),
                       [](const IkeRetransmission &r) { return r.ratio() >= 0.85 && r.ratio() <= 1.25; });
}

const char *exchangeClassName(ExchangeClass c)
{
    switch (c) {
    case ExchangeClass::Unknown:
        return "unknown";
    case ExchangeClass::IkeSaInit:
        return "ike_sa_init";
    case ExchangeClass::IkeSaInitCookie:
        return "ike_sa_init_cookie";
    case ExchangeClass::IkeSaInitInvalidKe:
        return "ike_sa_init_invalid_ke";
    case ExchangeClass::IkeSaInitError:
        return "ike_sa_init_error";
    case ExchangeClass::IkeAuth:
        return "ike_auth";
    case ExchangeClass::ChildRekey:
        return "child_rekey";
    case ExchangeClass::IkeRekey:
        return "ike_rekey";
    case ExchangeClass::NewChild:
        return "new_child";
    case ExchangeClass::CreateChildSa:
        return "create_child_sa";
    case ExchangeClass::Dpd:
        return "dpd";
    case ExchangeClass::Delete:
        return "delete";
    case ExchangeClass::InformationalNotify:
        return "informational_notify";
    case ExchangeClass::Informational:
        return "informational";
    case ExchangeClass::V1MainMode:
        return "v1_main_mode";
    case ExchangeClass::V1Aggressive:
        return "v1_aggressive";
    case ExchangeClass::V1QuickMode:
        return "v1_quick_mode";
    case ExchangeClass::V1Informational:
        return "v1_informational";
    case ExchangeClass::Other:
        return "other";
    }
    return "unknown";
}

IkeExchangeAnalysis analyzeIkeExchanges(const CaptureIndex &index, const std::atomic_bool *cancel,
                                        const IkeEspWindows *windows)
{
    return Builder(index, cancel, windows).run();
}

struct IkeEspWindows::State
{
    struct Recent
    {
        std::int64_t ts;
        std::uint32_t sa;
        std::uint32_t seq;
    };
    // ESP packets of the last kRekeyWindowNs (+ 1 s): the part of a window before its message.
    RingQueue<Recent> recent;
    std::int64_t droppedLatest = std::numeric_limits<std::int64_t>::min();
    // One window per CREATE_CHILD_SA message time: per SA, its sequence numbers within ±W, as
    // runs of consecutive numbers (one run per loss, reordering or duplicate, not per packet).
    struct Run
    {
        std::uint32_t first;
        std::uint32_t count;
    };
    struct Runs
    {
        std::vector<Run> runs;
        void add(std::uint32_t seq)
        {
            if (!runs.empty() && runs.back().count < 0xffffffffu &&
                runs.back().first + runs.back().count == seq && seq != 0)
                ++runs.back().count;
            else
                runs.push_back({seq, 1});
        }
    };
    std::map<std::int64_t, std::unordered_map<std::uint32_t, Runs>> windows;
    // The windows still taking packets: a window's key, its runs by SA (a node of `windows`,
    // which does not move) and, by SA index, the entry of that map each SA's packets go to, so a
    // packet in a window costs no look-up in either map.
    struct Open
    {
        std::int64_t t;
        std::unordered_map<std::uint32_t, Runs> *runs;
        std::vector<Runs *> bySa;
        void add(std::uint32_t sa, std::uint32_t seq)
        {
            if (sa >= bySa.size()) bySa.resize(std::size_t(sa) + 1, nullptr);
            Runs *&r = bySa[sa];
            if (!r) r = &(*runs)[sa];
            r->add(seq);
        }
    };
    std::vector<Open> open;
    // INFORMATIONAL message times + 1 s, ascending; per SA, its packet count at each of them.
    std::vector<std::int64_t> thresholds;
    std::size_t passed = 0; // thresholds earlier than the latest ESP packet
    struct Count
    {
        std::size_t passed; // thresholds [previous entry's passed, passed) saw `before` packets
        std::uint64_t before;
    };
    std::vector<std::vector<Count>> counts; // per SA
    std::vector<std::uint64_t> packets;     // per SA
    std::vector<std::size_t> noted;         // per SA: counts' last `passed` (0: none), at hand
    std::size_t ikeSeen = 0;
    std::int64_t latest = std::numeric_limits<std::int64_t>::min();
    mutable bool complete = true;

    [[gnu::always_inline]] inline void observe(const PacketRecord &r, std::uint32_t sa,
                                               const CaptureIndex &tables, std::size_t ikeMessages);
};

IkeEspWindows::IkeEspWindows() : d(std::make_unique<State>()) {}
IkeEspWindows::~IkeEspWindows() = default;

void IkeEspWindows::State::observe(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables,
                                   std::size_t ikeMessages)
{
    if (r.tsNs < latest) complete = false; // the queues below assume time order
    latest = std::max(latest, r.tsNs);
    for (; ikeSeen < ikeMessages; ++ikeSeen) {
        const IkeMessage &m = tables.ikeMessages[ikeSeen];
        if (m.header.exchange == std::uint8_t(ike::Exchange::CreateChildSa) && !windows.count(m.tsNs)) {
            if (droppedLatest >= m.tsNs - kRekeyWindowNs) complete = false;
            auto &w = windows[m.tsNs];
            for (std::size_t i = 0; i < recent.size(); ++i) {
                const State::Recent &p = recent[i];
                if (std::llabs(p.ts - m.tsNs) <= kRekeyWindowNs) w[p.sa].add(p.seq);
            }
            open.push_back({m.tsNs, &w, {}});
        } else if (m.header.exchange == std::uint8_t(ike::Exchange::Informational)) {
            const std::int64_t t = m.tsNs + kNsPerS;
            if (!thresholds.empty() && t < thresholds.back()) complete = false;
            thresholds.push_back(t);
        }
    }
    if (!r.isEsp() || sa == 0xffffffffu) return;
    // Windows: this packet joins every open one it is near; those it is past close. (Most
    // packets come when none is open: no call then.)
    if (!open.empty())
        std::erase_if(open, [&](State::Open &o) {
            if (r.tsNs - o.t > kRekeyWindowNs) return true;
            if (std::llabs(r.tsNs - o.t) <= kRekeyWindowNs) o.add(sa, r.seq());
            return false;
        });
    // The packets older than the windows need are dropped only when the ring is full, found by a
    // binary search: a look at the oldest packet for each new one was a cache miss every few
    // packets. In time order (else the result is not used: `complete`) the queue is sorted.
    if (recent.full()) {
        const std::int64_t keepFrom = r.tsNs - kRekeyWindowNs - kNsPerS;
        std::size_t lo = 0, hi = recent.size();
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (recent[mid].ts < keepFrom)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0) droppedLatest = std::max(droppedLatest, recent[lo - 1].ts);
        recent.drop_front(lo);
    }
    recent.push_back({r.tsNs, sa, r.seq()});
    // Deletes: the count of this SA's packets before each threshold this packet is past.
    while (passed < thresholds.size() && thresholds[passed] < r.tsNs)
        ++passed;
    if (sa >= packets.size()) {
        packets.resize(std::size_t(sa) + 1, 0);
        counts.resize(std::size_t(sa) + 1);
        noted.resize(std::size_t(sa) + 1, 0);
    }
    if (passed > noted[sa]) {
        counts[sa].push_back({passed, packets[sa]});
        noted[sa] = passed;
    }
    ++packets[sa];
}

void IkeEspWindows::observe(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables,
                            std::size_t ikeMessages)
{
    d->observe(r, sa, tables, ikeMessages);
}

void IkeEspWindows::observe(std::span<const PacketRecord> records, std::span<const std::uint32_t> sas,
                            const CaptureIndex &tables, std::size_t ikeMessagesBefore,
                            std::span<const std::uint32_t> newIkeMessages)
{
    State &st = *d;
    for (std::size_t i = 0; i < records.size(); ++i)
        st.observe(records[i], sas[i], tables, ikeMessagesBefore + newIkeMessages[i]);
}

std::vector<std::uint32_t> IkeEspWindows::sequencesNear(std::int64_t tsNs, std::size_t sa) const
{
    const auto w = d->windows.find(tsNs);
    if (w == d->windows.end()) {
        d->complete = false;
        return {};
    }
    const auto s = w->second.find(std::uint32_t(sa));
    std::vector<std::uint32_t> seqs;
    if (s == w->second.end()) return seqs;
    for (const State::Run &run : s->second.runs)
        for (std::uint32_t k = 0; k < run.count; ++k)
            seqs.push_back(run.first + k);
    return seqs;
}

std::uint64_t IkeEspWindows::packetsLaterThanSecondAfter(std::int64_t tsNs, std::size_t sa) const
{
    const auto t = std::lower_bound(d->thresholds.begin(), d->thresholds.end(), tsNs + kNsPerS);
    if (t == d->thresholds.end() || *t != tsNs + kNsPerS) {
        d->complete = false;
        return 0;
    }
    if (sa >= d->packets.size()) return 0;
    const std::size_t k = std::size_t(t - d->thresholds.begin());
    const auto &c = d->counts[sa];
    const auto after = std::upper_bound(c.begin(), c.end(), k,
                                        [](std::size_t v, const State::Count &x) { return v < x.passed; });
    const std::uint64_t notLater = after == c.end() ? d->packets[sa] : after->before;
    return d->packets[sa] - notLater;
}

bool IkeEspWindows::complete() const
{
    return d->complete;
}

} // namespace ikev2wb
