#include "facts.h"

#include "fixes.h"
#include "shellquote.h"

#include "../util/textformat.h"

#include "analyze/espsequence.h"
#include "dissect/ikeconstants.h"
#include "evidence/routelisting.h"
#include "evidence/rulematch.h"
#include "evidence/suitetext.h"
#include "evidence/sysctlvalues.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

namespace ikev2wb {

namespace {

QString addr(const IpAddress &a)
{
    return addressText(a);
}

EvidenceRef packetRef(const QString &source, std::uint64_t packetIndex, std::int64_t tsNs)
{
    EvidenceRef r;
    r.source = source;
    r.packet = std::int64_t(packetIndex) + 1;
    r.timeNs = tsNs;
    return r;
}

EvidenceRef spiRef(const QString &source, std::uint32_t spi, std::int64_t tsNs = -1)
{
    EvidenceRef r;
    r.source = source;
    r.spi = spi;
    r.hasSpi = true;
    r.timeNs = tsNs;
    return r;
}

/// A reference to the ESP packet `index` (0-based; -1: not known) of a capture.
EvidenceRef espPacketRef(const QString &source, std::uint32_t spi, std::int64_t tsNs, std::int64_t index)
{
    EvidenceRef r = spiRef(source, spi, tsNs);
    r.packet = index >= 0 ? index + 1 : -1;
    return r;
}

/// The 1-based packet number of the ESP packet `r` names by SPI and capture time (the first such
/// packet) from the index's records. Without them `r` keeps the number the analysis or the
/// comparison noted during the capture's one read (espPacketRef()): the first packet of the SA
/// at that time, in a capture read in time order (else the read kept the records).
void fillPacketNumber(EvidenceRef &r, const CaptureIndex &ix)
{
    if (!r.hasSpi || r.timeNs < 0 || !ix.hasRecords()) return;
    const bool timeOrdered = ix.timeBackwards == 0;
    std::int64_t n = 0, found = -1;
    revisitRecords(ix, [&](const PacketRecord &p, std::uint32_t) {
        ++n;
        if (p.isEsp() && p.tsNs == r.timeNs && p.spi() == r.spi) {
            found = n;
            return false;
        }
        return !(timeOrdered && p.tsNs > r.timeNs);
    });
    r.packet = found;
}

/// Keeps the first reference seen: rules cite the earliest occurrence.
void addCount(RefCount &c, std::uint64_t n, const EvidenceRef &ref)
{
    if (n == 0) return;
    if (c.value == 0) c.ref = ref;
    c.value += n;
}

bool isPtb(const IcmpError &e)
{
    return (!e.reporter.v6 && e.type == 3 && e.code == 4) || (e.reporter.v6 && e.type == 2);
}

bool quotesNatT(const IcmpError &e)
{
    return e.quoted.present && e.quoted.proto == 17 &&
           (e.quoted.dstPort == 4500 || e.quoted.srcPort == 4500 || e.quotesEsp);
}

bool quotesTunnel(const IcmpError &e)
{
    return e.quoted.present &&
           (e.quoted.proto == 50 || e.quotesEsp ||
            (e.quoted.proto == 17 && (e.quoted.dstPort == 500 || e.quoted.dstPort == 4500)));
}

// ---------------------------------------------------------------- one capture

/// One capture at the sender of a suspected black hole: the MTU analyzer's size cliff (the
/// smallest size from which on packets mostly drew no reverse ESP) bounds the path MTU from
/// above, the largest smaller size answered at least as often as not bounds it from below.
void senderSizeBounds(Facts &f, const CaptureIndex &ix, const MtuSaSizes &m, const QString &name)
{
    if (!m.cliffSize || !m.answeredBelow || m.answeredBelow >= m.cliffSize) return;
    f.pathMtuLower = m.answeredBelow;
    f.pathMtuUpper = m.cliffSize;
    f.deliveredRef = espPacketRef(name, ix.espSas[m.espSa].spi, m.answeredBelowNs, m.answeredBelowPacket);
    // The packets of the capture's final second are not in the counts: the words say so.
    const QString before =
        m.cliffLate ? QStringLiteral(" sent before the capture's final second") : QString();
    const QString late = !m.cliffLate       ? QString()
                         : m.cliffLate == 1 ? QStringLiteral(" (1 more was sent in it)")
                                            : QStringLiteral(" (%1 more were sent in it)").arg(m.cliffLate);
    f.deliveredHow =
        m.cliffAnswered == 0
            ? QStringLiteral("answered: ESP from the peer followed within 1 s, while the %1 packets of %2 "
                             "bytes or more%3 drew nothing%4")
                  .arg(m.cliffSent)
                  .arg(m.cliffSize)
                  .arg(before, late)
            : QStringLiteral(
                  "answered: ESP from the peer followed within 1 s (as it did for %1 of %2 smaller "
                  "packets), while only %3 of the %4 packets of %5 bytes or more%6 drew any%7")
                  .arg(m.belowAnswered)
                  .arg(m.belowSent)
                  .arg(m.cliffAnswered)
                  .arg(m.cliffSent)
                  .arg(m.cliffSize)
                  .arg(before, late);
}

/// The MTU analyzer's black-hole suspicion the diagnosis takes from capture A, once the capture's own
/// end is known (the comparison, the evidence or the TTLs): as the analyzer ranks them (ranksAbove()),
/// but never one about an SA whose packets were sent to this end. Those arrived
/// here, so no black hole swallowed them; before (up to session 14) the analyzer's pick could be
/// such an SA, and the fix then went to the peer, which sends nothing too large.
void chooseBlackHole(Facts &f, const CaptureIndex &ix, const CaptureAnalysis &an, const QString &name)
{
    const MtuBlackHole *best = nullptr;
    for (const MtuBlackHole &b : an.mtu.saHoles) {
        const Flow &fl = ix.flows[ix.espSas[std::size_t(b.espSa)].flowId];
        if (!b.atReceiver && !f.localAddress.isEmpty() && addr(fl.dst) == f.localAddress) continue;
        if (!best || ranksAbove(an.mtu, b, *best)) best = &b;
    }
    if (!best) return;
    const EspSa &sa = ix.espSas[std::size_t(best->espSa)];
    f.blackHoleLevel = int(best->level);
    f.blackHoleEvidence = best->evidence;
    f.blackHoleRef = spiRef(name, sa.spi);
    f.blackHoleSender = addr(ix.flows[sa.flowId].src);
    f.blackHoleTo = addr(ix.flows[sa.flowId].dst);
    f.blackHoleBackoff = best->backoff;
    f.blackHoleAtReceiver = best->atReceiver;
    if (best->backoff) {
        const MtuSaSizes::Backoff &k = an.mtu.sas[std::size_t(best->espSa)].backoff;
        f.blackHoleRef = espPacketRef(name, sa.spi, k.firstResendNs, k.firstResendPacket);
        f.blackHoleResentLength = k.length;
    }
    if (f.pathMtuUpper == 0) senderSizeBounds(f, ix, an.mtu.sas[std::size_t(best->espSa)], name);
}

/// One capture at this end (its address known): the direction to the peer whose latest ESP drew
/// nothing back (MtuUnansweredTail) while nothing at all, of any protocol, came from the peer
/// since: at least kMinSilentSent of those packets sent before the capture's final second and
/// the peer silent for at least kMinSilenceS up to the capture's end. A capture that simply ends,
/// or an idle tunnel, has no such packets. And the peer's silence must break a habit: its own ESP
/// to this end ran steadily up to its last packet (kMinPeerRunPackets over kMinPeerRunS or more,
/// no gap of more than 1 s). A one-way stream (this host sends, the peer answered a few early
/// packets and has nothing to send) leaves the peer as silent and healthy (review of 51b2c4d).
/// Linear in the flows and the tails (one map of each source's last packet).
void peerSilenceFacts(Facts &f, const CaptureIndex &ix, const CaptureAnalysis &an, const QString &name)
{
    if (f.localAddress.isEmpty() || an.mtu.unansweredTails.empty()) return;
    std::unordered_map<IpAddress, std::int64_t> lastFrom;
    for (const Flow &fl : ix.flows) {
        std::int64_t &last = lastFrom.try_emplace(fl.src, -1).first->second;
        last = std::max(last, fl.lastNs);
    }
    for (const MtuUnansweredTail &t : an.mtu.unansweredTails) {
        if (addr(t.src) != f.localAddress) continue;
        const auto it = lastFrom.find(t.dst);
        const std::int64_t lastFromPeer = it == lastFrom.end() ? -1 : it->second;
        if (lastFromPeer < 0 || lastFromPeer > t.firstNs) continue;
        const double silence = double(ix.lastNs - lastFromPeer) / 1e9;
        const std::uint64_t judged = t.packets - std::min(t.packets, t.late);
        if (judged < kMinSilentSent || silence < kMinSilenceS) continue;
        const double peerRunS = double(t.peerLastNs - t.peerRunFirstNs) / 1e9;
        if (t.peerRunPackets < kMinPeerRunPackets || peerRunS < kMinPeerRunS) continue;
        Facts::PeerSilence s;
        s.peer = addr(t.dst);
        s.sent = t.packets;
        s.judged = judged;
        s.silenceS = silence;
        s.spanS = double(t.lastNs - t.firstNs) / 1e9;
        s.lastSentNs = t.lastNs;
        s.peerRunPackets = t.peerRunPackets;
        s.peerRunS = peerRunS;
        EvidenceRef last;
        last.source = name;
        last.timeNs = lastFromPeer;
        s.lastFromPeer = last;
        s.firstSent = espPacketRef(name, ix.espSas[t.espSa].spi, t.firstNs, t.firstPacket);
        if (!f.peerSilence || s.judged > f.peerSilence->judged) f.peerSilence = s;
    }
}

/// The ESP SAs (by index into an.esp.sas) whose SPI is one bit off the SPI of an SA of the same
/// flow that holds at least 100 times their packets, with their first and last numbers in gaps of
/// that SA's (a rekey's new SA numbers over numbers the old one has):
/// the SPI of a few of its packets was corrupted on the way (the receiver's kernel counts them in
/// XfrmInNoStates). 32 look-ups per small SA, so a hostile capture of many SAs stays linear.
std::vector<bool> corruptedSpiSas(const CaptureIndex &ix, const CaptureAnalysis &an)
{
    std::vector<bool> out(an.esp.sas.size(), false);
    constexpr std::uint64_t kFew = 16, kRatio = 100;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> busy; // (flow, SPI) → SA
    for (std::size_t i = 0; i < an.esp.sas.size(); ++i)
        if (an.esp.sas[i].packets >= kRatio)
            busy.emplace(std::pair(ix.espSas[an.esp.sas[i].saIndex].flowId, an.esp.sas[i].spi), i);
    if (busy.empty()) return out;
    for (std::size_t i = 0; i < an.esp.sas.size(); ++i) {
        const EspSaSequence &s = an.esp.sas[i];
        if (s.packets > kFew || s.epochs.size() != 1) continue;
        const std::uint32_t flow = ix.espSas[s.saIndex].flowId;
        for (int bit = 0; bit < 32 && !out[i]; ++bit) {
            const auto it = busy.find(std::pair(flow, s.spi ^ (1u << bit)));
            if (it == busy.end()) continue;
            const EspSaSequence &b = an.esp.sas[it->second];
            // A corrupted SPI's numbers are missing from the busy SA; a new SA whose random SPI
            // happens to be one bit off (a rekey) numbers from 1 over numbers the busy SA has.
            const auto inHole = [&](std::uint64_t q) {
                const auto r =
                    std::upper_bound(b.missingRanges.begin(), b.missingRanges.end(), q,
                                     [](std::uint64_t v, const EspMissingRange &m) { return v < m.first; });
                return r != b.missingRanges.begin() && std::prev(r)->last >= q;
            };
            out[i] = b.packets >= kRatio * s.packets && inHole(s.firstSeq) && inHole(s.lastSeq);
        }
    }
    return out;
}

void captureFacts(Facts &f, const CaptureIndex &ix, const CaptureAnalysis &an, const QString &name)
{
    f.haveCapture = true;
    f.captureName = name;
    f.espPackets = ix.count(PacketKind::Esp) + ix.count(PacketKind::EspInUdp);
    f.espRawPackets += ix.count(PacketKind::Esp);
    f.espUdpPackets += ix.count(PacketKind::EspInUdp);
    if (ix.count(PacketKind::EspInUdp) > 0) f.natT = true;
    if (!ix.espSas.empty()) f.outerIpv6 = ix.flows[ix.espSas.front().flowId].src.v6;
    QSet<QString> listed(f.tunnelAddresses.begin(),
                         f.tunnelAddresses.end()); // a hostile capture has millions
    for (const Flow &fl : ix.flows) {
        if (!fl.carriesIkeOrEsp()) continue;
        for (const QString &a : {addr(fl.src), addr(fl.dst)})
            if (!listed.contains(a)) {
                listed.insert(a);
                f.tunnelAddresses << a;
            }
    }
    if (ix.captureDrops && (ix.captureDrops->haveOsDrop || ix.captureDrops->haveIfDrop)) {
        const CaptureDrops &d = *ix.captureDrops;
        f.captureDrops[0] = {name, true, d.dropped(), d.osDrop, d.ifDrop, d.received};
    }

    // Corrupted on the way: left out of the sequence facts below, counted here.
    if (ix.corruptHeaders)
        addCount(f.corruptHeaders, ix.corruptHeaders,
                 packetRef(name, std::uint64_t(ix.firstCorruptHeader), ix.firstCorruptHeaderNs));
    const std::vector<bool> corruptSpi = corruptedSpiSas(ix, an);
    for (std::size_t i = 0; i < an.esp.sas.size(); ++i) {
        const EspSaSequence &s = an.esp.sas[i];
        if (corruptSpi[i]) addCount(f.corruptSpiPackets, s.packets, spiRef(name, s.spi, s.firstNs));
        if (s.outOfRun) addCount(f.outOfRunSeq, s.outOfRun, spiRef(name, s.spi));
    }
    // Sequence numbers that never reached this capture point.
    for (std::size_t i = 0; i < an.esp.sas.size(); ++i) {
        const EspSaSequence &s = an.esp.sas[i];
        if (s.missing == 0 || corruptSpi[i]) continue;
        EvidenceRef ref = spiRef(name, s.spi, s.missingRanges.empty() ? -1 : s.missingRanges.front().afterNs);
        addCount(f.seqMissing, s.missing, ref);
        f.seqMissingSaPackets += s.packets;
        f.seqMissingLongestBurst =
            std::max<std::uint32_t>(f.seqMissingLongestBurst, std::uint32_t(s.longestBurst));
    }
    // The same per direction, over every SA of it: the rate of one short SA says little.
    struct Span
    {
        std::int64_t first = 0, last = 0;
    };
    std::vector<Span> spans;
    const std::size_t before = f.seqGaps.size();
    for (std::size_t i = 0; i < an.esp.sas.size(); ++i) {
        const EspSaSequence &s = an.esp.sas[i];
        if (corruptSpi[i]) continue;
        const Flow &fl = ix.flows[ix.espSas[s.saIndex].flowId];
        const QString from = addr(fl.src), to = addr(fl.dst);
        auto it = std::find_if(f.seqGaps.begin() + std::ptrdiff_t(before), f.seqGaps.end(),
                               [&](const SeqGapFacts &g) { return g.from == from && g.to == to; });
        if (it == f.seqGaps.end()) {
            SeqGapFacts g;
            g.from = from;
            g.to = to;
            f.seqGaps.push_back(g);
            spans.push_back({s.firstNs, s.lastNs});
            it = std::prev(f.seqGaps.end());
        }
        SeqGapFacts &g = *it;
        Span &span = spans[std::size_t(it - f.seqGaps.begin()) - before];
        span.first = std::min(span.first, s.firstNs);
        span.last = std::max(span.last, s.lastNs);
        g.packets += s.packets - s.outOfRun; // a corrupted number is no packet of the run
        ++g.sas;
        if (s.missing == 0) continue;
        if (g.missing == 0)
            g.ref = spiRef(name, s.spi, s.missingRanges.empty() ? -1 : s.missingRanges.front().afterNs);
        g.missing += s.missing;
        ++g.sasWithGaps;
        g.longestBurst = std::max<std::uint32_t>(g.longestBurst, std::uint32_t(s.longestBurst));
    }
    for (std::size_t i = before; i < f.seqGaps.size(); ++i)
        f.seqGaps[i].seconds = double(spans[i - before].last - spans[i - before].first) / 1e9;
    // Reordering and the smallest window that would have dropped nothing.
    for (const EspSaSequence &s : an.esp.sas) {
        addCount(f.reordered, s.reordered, spiRef(name, s.spi));
        f.maxReorderDistance = std::max(f.maxReorderDistance, s.maxReorderDistance);
        if (s.reordered && s.minWindowExact > f.minSafeWindow) {
            f.minSafeWindow = s.minWindowExact;
            f.minSafeWindowRef = spiRef(name, s.spi);
        }
    }

    // MTU
    const IcmpError *firstPtb = nullptr;
    for (const MtuIcmpError &m : an.mtu.icmp) {
        const IcmpError &e = ix.icmpErrors[m.icmpError];
        // An ICMPv6 packet-too-big below IPv6's minimum link MTU (1280, RFC 8200 §5) is not a path
        // MTU: a node never lowers its estimate below 1280 (RFC 8201 §4), so a fix to that figure
        // would be wrong. It is set aside and named in the path MTU's notes.
        if (m.tunnel && isPtb(e) && e.reporter.v6 && e.mtu > 0 && e.mtu < 1280) {
            if (!f.ptbBelowMinMtu || e.mtu < f.ptbBelowMinMtu) {
                f.ptbBelowMinMtu = e.mtu;
                f.ptbBelowMinRef = packetRef(name, e.packet, e.tsNs);
            }
            continue;
        }
        if (m.tunnel && isPtb(e) && e.mtu > 0 && (f.ptbFirst.timeNs < 0 || e.tsNs < f.ptbFirst.timeNs)) {
            f.ptbFirst = packetRef(name, e.packet, e.tsNs);
            firstPtb = &e;
        }
        if (m.tunnel && isPtb(e) && e.mtu > 0 && (!f.ptbSeen || e.mtu < f.ptbMtu)) {
            f.ptbSeen = true;
            f.ptbMtu = e.mtu;
            f.ptbRef = packetRef(name, e.packet, e.tsNs);
            f.ptbTo = addr(e.to);
        }
    }
    // The first DF packet the host the earliest packet-too-big went to sent above the MTU it
    // reports: sent more than a second before it, it drew no ICMP error in that time.
    if (firstPtb) {
        const MtuSaSizes *firstSa = nullptr;
        const MtuSaSizes::DfStep *first = nullptr;
        for (const MtuSaSizes &m : an.mtu.sas) {
            if (ix.flows[ix.espSas[m.espSa].flowId].src != firstPtb->to) continue;
            const auto above =
                std::find_if(m.dfSteps.begin(), m.dfSteps.end(),
                             [&](const MtuSaSizes::DfStep &st) { return st.length > firstPtb->mtu; });
            if (above != m.dfSteps.end() && (!first || above->tsNs < first->tsNs)) {
                first = &*above;
                firstSa = &m;
            }
        }
        if (first && firstPtb->tsNs - first->tsNs > 1'000'000'000) {
            f.dfBeforePtbLength = first->length;
            f.dfBeforePtbMtu = firstPtb->mtu;
            f.dfBeforePtbRef = spiRef(name, ix.espSas[firstSa->espSa].spi, first->tsNs);
        }
    }
    for (const IcmpError &e : ix.icmpErrors) {
        const bool v6 = e.reporter.v6;
        const bool unreachable = (!v6 && e.type == 3) || (v6 && e.type == 1);
        if (!unreachable) continue;
        const bool portUnreach = (!v6 && e.code == 3) || (v6 && e.code == 4);
        const bool adminProhibited =
            (!v6 && (e.code == 9 || e.code == 10 || e.code == 13)) || (v6 && e.code == 1);
        if (portUnreach && quotesNatT(e))
            addCount(f.icmpPortUnreachNatT, 1, packetRef(name, e.packet, e.tsNs));
        if (adminProhibited && quotesTunnel(e)) {
            if (f.icmpAdminProhibited.value == 0) {
                f.icmpRejectQuotes = e.quoted.proto == 50                                 ? 50
                                     : quotesNatT(e)                                      ? 4500
                                     : e.quoted.dstPort == 500 || e.quoted.srcPort == 500 ? 500
                                                                                          : 0;
                f.icmpRejectReporter = addr(e.reporter);
                f.icmpRejectQuotedSrc = addr(e.quoted.src);
            }
            addCount(f.icmpAdminProhibited, 1, packetRef(name, e.packet, e.tsNs));
        }
    }
    for (const MtuSaSizes &m : an.mtu.sas) {
        if (m.packets == 0 || m.fragmented) continue;
        const EspSa &sa = ix.espSas[m.espSa];
        f.largestEsp.push_back(
            {addr(ix.flows[sa.flowId].src), addr(ix.flows[sa.flowId].dst), m.max, spiRef(name, sa.spi)});
    }
    f.largestOuter = std::max<std::uint32_t>(f.largestOuter, an.mtu.largestOuter);

    // NAT-T: idle gaps, rebinding, keepalives
    for (const NatPeerPair &p : an.natt.pairs) {
        for (const NatIdleGap &g : p.idleGaps) {
            EvidenceRef gapRef;
            gapRef.source = name;
            gapRef.timeNs = g.startNs;
            f.idleGaps.push_back({g.seconds(), g.portChangeAfter || g.oneWayAfter, gapRef});
            // Idle: neither end sent. A one-way silence (the other end kept sending, or its packets
            // were lost before this capture) bounds nothing both ends did: not the keepalive
            // interval of the host behind the NAT, which may be the one that kept sending.
            if (g.direction == NatIdleGap::Direction::Both)
                f.longestIdleS = std::max(f.longestIdleS, g.seconds());
            if (g.portChangeAfter || g.oneWayAfter) {
                if (f.idleBeforeFailureS == 0 || g.seconds() < f.idleBeforeFailureS)
                    f.idleBeforeFailureS = g.seconds();
            } else {
                f.longestIdleSurvivedS = std::max(f.longestIdleSurvivedS, g.seconds());
            }
        }
    }
    for (const NatRebinding &r : an.natt.rebindings)
        addCount(f.rebindings, 1, spiRef(name, r.spi, ix.espSas[r.newSa].firstNs));
    if (!an.natt.floats.empty()) f.natDetected = true;
    for (const NatKeepaliveFlow &k : an.natt.keepalives)
        f.keepaliveIntervalS = std::max(f.keepaliveIntervalS, k.medianIntervalS);

    // IKE
    const IkeExchangeSummary &sum = an.ike.summary;
    f.ikeExchanges = sum.exchanges;
    f.ikeAnswered = sum.answered;
    f.rekeys = sum.rekeys;
    for (const IkeSaExchanges &sa : an.ike.ikeSas) {
        for (const IkeExchange &x : sa.exchanges) {
            if (x.exchange == 35 && x.answered) f.ikeEstablished = true;
            if (x.exchange == 34 && x.answered) f.ikeSaInitAnswered = true;
            if (x.exchange == 34 && f.ikeInitiator.isEmpty()) f.ikeInitiator = addr(sa.initiator);
            if (x.exchange == 34 && sa.version == 2) {
                auto announces = [&](const std::vector<std::size_t> &msgs) {
                    for (std::size_t i : msgs)
                        if (ix.ikeMessages[i].payloads.hasNotify(ike::Ikev2FragmentationSupported)) return 1;
                    return 0;
                };
                if (!x.requestMessages.empty())
                    f.fragSupportInitiator = std::max(f.fragSupportInitiator, announces(x.requestMessages));
                if (!x.responseMessages.empty() && x.errorNotifies.empty())
                    f.fragSupportResponder = std::max(f.fragSupportResponder, announces(x.responseMessages));
            }
            for (const std::uint16_t n : x.errorNotifies) {
                if (n != ike::NoProposalChosen && n != ike::AuthenticationFailed && n != ike::TsUnacceptable)
                    continue;
                const std::size_t m =
                    x.responseMessages.empty() ? x.requestMessages.front() : x.responseMessages.front();
                addCount(f.ikeErrorNotifies, 1,
                         packetRef(name, ix.ikeMessages[m].packet, ix.ikeMessages[m].tsNs));
                const QString nm =
                    QString::fromLatin1(ike::notifyName(n).data(), qsizetype(ike::notifyName(n).size()));
                if (!f.ikeErrorNotifyNames.contains(nm)) f.ikeErrorNotifyNames << nm;
            }
            // A request larger than the path: sent as IP fragments (retransmitted, or not all of
            // them in this capture) or as RFC 7383 fragments some of which are missing.
            // Only an IKEv2 request whose length field a UDP datagram can carry (a fuzzed or
            // corrupt header claims gigabytes) proves a message too large for the path.
            const bool plausible = sa.version == 2 && x.requestLength > 0 && x.requestLength <= 65535 - 8;
            // An outcome in a missing file of a set (fileGap) is not evidence of anything.
            if (!x.answered && x.fileGap < 0 && !x.requestMessages.empty() && plausible) {
                const IkeMessage &first = ix.ikeMessages[x.requestMessages.front()];
                const EvidenceRef ref = packetRef(name, first.packet, first.tsNs);
                const bool ipFrag = x.ipFragmented && (!x.retransmissions.empty() || !x.ipFragmentsComplete);
                if (ipFrag) addCount(f.ikeIpFragmentedUnanswered, 1, ref);
                if (ipFrag && x.fragments.total > 0) addCount(f.ikeSkfIpFragmented, 1, ref);
                if (x.ipFragmented && !x.ipFragmentsComplete) addCount(f.ikeIpFragmentsMissing, 1, ref);
                if (!x.fragments.missing.empty()) addCount(f.ikeSkfMissing, 1, ref);
                if (ipFrag || !x.fragments.missing.empty()) {
                    f.largestFragmentedIke = std::max(f.largestFragmentedIke, x.requestLength);
                    f.fragmentedIkeRetransmissions += std::uint32_t(x.retransmissions.size());
                }
            }
            f.maxRetransmitsOneExchange =
                std::max<std::uint32_t>(f.maxRetransmitsOneExchange, std::uint32_t(x.retransmissions.size()));
            for (const IkeRetransmission &r : x.retransmissions) {
                const IkeMessage &m = ix.ikeMessages[r.message];
                const EvidenceRef ref = packetRef(name, m.packet, r.tsNs);
                addCount(f.ikeRetransmissions, 1, ref);
                addCount(f.ikeRetransmissionsBySender[addr(ix.flows[m.flowId].src)], 1, ref);
            }
            // Fewer answers than copies, each missing one due before the capture ended: a request
            // or an answer was lost (at the requester; a busy responder may skip a copy).
            if (sa.version == 2 && !x.retransmissions.empty() && x.requestNs >= 0 && x.fragments.total == 0 &&
                x.responseFragments.total == 0 && !x.ipFragmented && !x.responseMessages.empty() &&
                x.responseMessages.size() < x.requestMessages.size()) {
                std::int64_t firstAnswer = INT64_MAX;
                for (const std::size_t i : x.responseMessages)
                    firstAnswer = std::min(firstAnswer, ix.ikeMessages[i].tsNs);
                const IkeMessage &last = ix.ikeMessages[x.requestMessages.back()];
                if (firstAnswer > x.requestNs && last.tsNs + (firstAnswer - x.requestNs) <= ix.lastNs)
                    addCount(f.ikeShortOfAnswersBySender[addr(ix.flows[last.flowId].src)], 1,
                             packetRef(name, last.packet, last.tsNs));
            }
            // Every copy answered, the first answer after the retransmissions: they went out while
            // it was on its way. At the responder's capture the first answer leaves before the
            // second copy arrives unless the responder itself took longer than the wait.
            if (sa.version == 2 && !x.retransmissions.empty() && x.requestNs >= 0 && x.fragments.total == 0 &&
                x.responseFragments.total == 0 && !x.ipFragmented && !x.responseMessages.empty() &&
                x.responseMessages.size() >= x.requestMessages.size()) {
                std::int64_t firstAnswer = INT64_MAX;
                for (const std::size_t i : x.responseMessages)
                    firstAnswer = std::min(firstAnswer, ix.ikeMessages[i].tsNs);
                const IkeRetransmission &first = x.retransmissions.front();
                if (first.tsNs < firstAnswer) {
                    const IkeMessage &m = ix.ikeMessages[first.message];
                    const EvidenceRef ref = packetRef(name, m.packet, first.tsNs);
                    std::uint64_t k = 0;
                    for (const IkeRetransmission &r : x.retransmissions)
                        k += r.tsNs < firstAnswer ? 1 : 0;
                    addCount(f.ikePrematureRetransmissions, k, ref);
                    addCount(f.ikePrematureBySender[addr(ix.flows[m.flowId].src)], k, ref);
                    f.ikePrematureRttS =
                        std::max(f.ikePrematureRttS, double(firstAnswer - x.requestNs) / 1e9);
                    const double wait = double(first.tsNs - x.requestNs) / 1e9;
                    f.ikePrematureWaitS =
                        f.ikePrematureWaitS > 0 ? std::min(f.ikePrematureWaitS, wait) : wait;
                }
            }
            if (!x.answered && x.fileGap < 0 && !x.retransmissions.empty() && !x.requestMessages.empty()) {
                const IkeMessage &m = ix.ikeMessages[x.requestMessages.back()];
                Facts::UnansweredRequest u;
                u.retransmissions = std::uint32_t(x.retransmissions.size());
                u.silenceS = x.silenceAfterS;
                u.toCaptureEnd = x.silenceToCaptureEnd;
                u.restarted = x.restarted;
                u.ref = packetRef(name, m.packet, m.tsNs);
                f.unansweredRequests.push_back(u);
            }
        }
    }

    // ESP that only ever flowed one way between the peers.
    for (std::size_t s : an.natt.oneWaySas) {
        const EspSa &sa = ix.espSas[s];
        addCount(f.espOneWay, sa.packets, spiRef(name, sa.spi, sa.firstNs));
    }
}

// ---------------------------------------------------------------- two captures

/// Whether a direction's loss is the MTU's: every packet larger than the largest one delivered was
/// lost. The comparison says so only when every lost packet is larger (`sizeDependent`); a few
/// smaller ones lost at random beside a black hole (loss and a small MTU on one path) must not hide
/// it, so the larger ones also count as the MTU's when random loss at the rate the smaller ones met
/// (its 99 % upper bound) would have taken every one of them with a chance of at most 1 in 1000
/// (rate^count), and no outage (a window where nothing got through) took smaller packets too.
void sizeDependentLoss(DirectionFacts &df, const DirectionComparison &dc, const QString &sender)
{
    std::uint64_t above = 0;
    std::uint32_t smallestAbove = 0;
    const ComparedPacket *first = nullptr; // lostInTransit is in time order
    for (const ComparedPacket &p : dc.lostInTransit) {
        if (dc.largestDelivered == 0 || p.size <= dc.largestDelivered) continue;
        ++above;
        smallestAbove = smallestAbove ? std::min<std::uint32_t>(smallestAbove, p.size) : p.size;
        if (!first) first = &p;
    }
    if (above == 0 || dc.sent <= above) return;
    if (!dc.sizeDependent) {
        // Random loss is judged at the highest rate the smaller packets' own count allows (the
        // Wilson score bound at 99 %, z = 2.576): a rate measured on a few packets proves little.
        const double n = double(dc.sent - above);
        const double rate = double(dc.lostInTransit.size() - above) / n;
        constexpr double z2 = 2.576 * 2.576;
        const double upper =
            (rate + z2 / (2 * n) + std::sqrt(z2) * std::sqrt(rate * (1 - rate) / n + z2 / (4 * n * n))) /
            (1 + z2 / n);
        if (std::pow(upper, double(above)) > 1e-3) return;
        // Loss is independent only while the path works: a window in which nothing got through and
        // smaller packets died too is an outage of every size, whatever the larger ones lost in it.
        // Both lists are in time order and the outages disjoint: one pass over each.
        std::size_t k = 0;
        for (const ComparedPacket &p : dc.lostInTransit) {
            if (p.size > dc.largestDelivered) continue;
            while (k < dc.outages.size() && dc.outages[k].lastLostNs < p.tsNs)
                ++k;
            if (k == dc.outages.size()) break;
            if (p.tsNs >= dc.outages[k].firstLostNs) return;
        }
    }
    df.sizeDependent = true;
    df.smallLost = dc.lostInTransit.size() - above;
    df.smallestLost = smallestAbove;
    df.sizeLostRef = spiRef(sender, first->spi, first->tsNs);
}

void pairFacts(Facts &f, const CompareResult &r, const QString &nameA, const QString &nameB)
{
    f.havePair = true;
    const QString names[2] = {nameA, nameB};
    auto endpoint = [&](int side) {
        return r.side[side].localAddresses.empty() ? names[side] : addr(r.side[side].localAddresses.front());
    };
    if (!r.side[0].localAddresses.empty()) f.localAddress = addr(r.side[0].localAddresses.front());
    if (!r.side[1].localAddresses.empty()) f.peerAddress = addr(r.side[1].localAddresses.front());
    if (!r.side[0].peerAddresses.empty()) f.peerSeenHere = addr(r.side[0].peerAddresses.front());
    if (!r.side[1].peerAddresses.empty()) f.localSeenThere = addr(r.side[1].peerAddresses.front());
    f.pairTotals = pairDirectionTotals(r);
    double outage[2] = {0, 0};
    for (int d = 0; d < 2; ++d) {
        const DirectionComparison &dc = r.directions[d];
        DirectionFacts &df = f.dir[d];
        df.from = endpoint(dc.from);
        df.to = endpoint(1 - dc.from);
        df.fromSide = dc.from;
        df.sent = dc.sent;
        df.received = dc.received;
        df.lost = dc.lostInTransit.size();
        df.reordered = dc.reordered;
        df.maxDisplacement = dc.maxDisplacement;
        df.largestDelivered = dc.largestDelivered;
        df.smallestLost = dc.smallestLost;
        df.ikeLost = dc.ikeLost;
        if (!dc.lostInTransit.empty()) {
            const ComparedPacket &p = dc.lostInTransit.front();
            df.firstLost = spiRef(names[dc.from], p.spi, p.tsNs);
        }
        sizeDependentLoss(df, dc, names[dc.from]);
        // Losses of a size-dependent direction are the MTU's, not an outage of the path.
        for (const Outage &o : df.sizeDependent ? std::vector<Outage>{} : dc.outages) {
            const double s = double(o.lastLostNs - o.firstLostNs) / 1e9;
            if (df.outages == 0)
                df.firstOutage = EvidenceRef{names[dc.from], -1, o.firstLostNs, 0, false, {}, {}, 0};
            ++df.outages;
            df.outageLost += o.lost;
            df.longestOutageS = std::max(df.longestOutageS, s);
            outage[d] = std::max(outage[d], s);
        }
        addCount(f.outageLost, df.outageLost, df.firstOutage);
        addCount(f.reordered, dc.reordered,
                 dc.reorderedPackets.empty() ? EvidenceRef{}
                                             : spiRef(names[1 - dc.from], dc.reorderedPackets.front().spi,
                                                      dc.reorderedPackets.front().tsNs));
        f.maxReorderDistance = std::max<std::uint64_t>(f.maxReorderDistance, dc.maxDisplacement);
        if (dc.sent > 0 && dc.received == 0 && !f.espNeverReceived) {
            f.espNeverReceived = true;
            f.espNeverReceivedRef = df.firstLost;
        }
        if (df.sizeDependent && df.lost > 0) {
            // Both directions size-dependent: the bounds that hold for both.
            f.lossSizeDependentPair = true;
            if (f.pathMtuLower == 0 || df.largestDelivered < f.pathMtuLower) {
                f.pathMtuLower = df.largestDelivered;
                const ComparedPacket &p = dc.largestDeliveredPacket;
                f.deliveredRef = espPacketRef(names[1 - dc.from], p.spi, p.tsNs, p.packet);
                f.deliveredHow = QStringLiteral("%1 → %2, ESP sequence %3, seen at the receiver")
                                     .arg(df.from, df.to)
                                     .arg(p.seq);
            }
            if (f.pathMtuUpper == 0 || df.smallestLost < f.pathMtuUpper) f.pathMtuUpper = df.smallestLost;
        }
    }
    if (!f.lossSizeDependentPair) {
        // No size-dependent loss: the largest packet delivered in either direction is proven for
        // that direction (the text names it).
        for (int d = 0; d < 2; ++d) {
            const DirectionComparison &dc = r.directions[d];
            if (dc.largestDelivered <= f.pathMtuLower) continue;
            f.pathMtuLower = dc.largestDelivered;
            const ComparedPacket &p = dc.largestDeliveredPacket;
            f.deliveredRef = espPacketRef(names[1 - dc.from], p.spi, p.tsNs, p.packet);
            f.deliveredHow = QStringLiteral("%1 → %2, ESP sequence %3, seen at the receiver")
                                 .arg(f.dir[d].from, f.dir[d].to)
                                 .arg(p.seq);
        }
    }
    f.outageS = std::max(outage[0], outage[1]);
    f.outageBothWays = outage[0] > 0 && outage[1] > 0;
    for (const IkeLostMessage &l : r.ikeLost)
        addCount(l.beyondReceiverSpan ? f.ikeLostBeyondSpan : f.ikeLostInTransit, 1,
                 EvidenceRef{names[l.from], -1, l.tsNs, 0, false, {}, {}, 0});
    for (const IkeRetransmissionCause &c : r.ikeRetransmissions) {
        const EvidenceRef ref{names[c.from], -1, c.tsNs, 0, false, {}, {}, 0};
        if (c.cause == QLatin1String("response_late")) {
            addCount(f.ikeRetransmittedAnswerLate, 1, ref);
            ++f.ikeAnswerLateBySide[c.from == 0 ? 0 : 1];
        }
        if (c.cause == QLatin1String("request_lost") || c.cause == QLatin1String("response_lost"))
            addCount(f.ikeRetransmittedAfterLoss, 1, ref);
    }
}

// ---------------------------------------------------------------- host evidence

QString setting(const std::map<QString, QString> &m, std::initializer_list<const char *> keys)
{
    for (const char *k : keys) {
        const auto it = m.find(QString::fromLatin1(k));
        if (it != m.end()) return it->second;
    }
    return {};
}

/// The host whose evidence describes capture A's endpoint.
template <typename Keep> QString primaryHost(const EvidenceSet &set, const QString &localAddress, Keep keep)
{
    QStringList hosts;
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok() || !keep(ef)) continue;
        if (const auto *x = std::get_if<XfrmStateList>(&ef.data)) {
            for (const XfrmSa &sa : x->sas)
                if (!localAddress.isEmpty() && sa.dst == localAddress && sa.seq > 0) return ef.host;
        }
        if (const auto *s = std::get_if<SwanctlSaList>(&ef.data)) {
            for (const SwanctlIkeSa &ike : s->ikeSas)
                if (!localAddress.isEmpty() && swanctlAddress(ike.local) == localAddress) return ef.host;
        }
        if ((ef.kind == EvidenceKind::XfrmState || ef.kind == EvidenceKind::SwanctlListSas ||
             ef.kind == EvidenceKind::CharonLog || ef.kind == EvidenceKind::XfrmStat) &&
            !hosts.contains(ef.host))
            hosts << ef.host;
    }
    return hosts.isEmpty() ? QString() : hosts.front();
}

QString primaryHost(const EvidenceSet &set, const QString &localAddress)
{
    return primaryHost(set, localAddress, [](const EvidenceFile &) { return true; });
}

/// Later snapshots win: the file's phase order.
int phaseRank(SnapshotPhase p)
{
    switch (p) {
    case SnapshotPhase::Before:
        return 0;
    case SnapshotPhase::None:
        return 1;
    case SnapshotPhase::During:
        return 2;
    case SnapshotPhase::After:
        return 3;
    }
    return 1;
}

EvidenceRef logRef(const LogEvent &e, const QString &source)
{
    EvidenceRef ref;
    ref.source = source;
    ref.logLine = e.raw;
    ref.line = e.line;
    return ref;
}

/// A configuration that does not match the other end's (no common proposal, unacceptable traffic
/// selectors, failed authentication): the tunnel's problem whichever end logged it. False for
/// other events.
bool configMismatchFacts(Facts &f, const LogEvent &e, const EvidenceRef &ref)
{
    switch (e.kind) {
    case LogEventKind::NoProposal:
        addCount(f.logNoProposal, 1, ref);
        return true;
    case LogEventKind::TsUnacceptable:
        addCount(f.logTsUnacceptable, 1, ref);
        return true;
    case LogEventKind::AuthFailed:
        addCount(f.logAuthFailed, 1, ref);
        return true;
    default:
        return false;
    }
}

/// One NAT mapping change is logged once per SA ("NAT mappings of CHILD_SA ESP/0x.../... changed
/// to A[P]") and once more for the IKE_SA ("remote endpoint changed from ... to A[P]"): a line
/// naming the endpoint the change counted last moved to is that same change. A line naming none
/// ("detected changes in NAT mappings") counts on its own.
void natMappingChange(Facts &f, const QString &message, const EvidenceRef &ref)
{
    static const QRegularExpression to(QStringLiteral("\\bto (\\S+\\[\\d+\\])"));
    const QRegularExpressionMatch m = to.match(message);
    const QString endpoint = m.hasMatch() ? m.captured(1) : QString();
    if (!endpoint.isEmpty() && endpoint == f.natMappingTo) return;
    f.natMappingTo = endpoint;
    addCount(f.natMappingChanges, 1, ref);
}

/// What one charon log event says about the tunnel (counts and flags, not names).
void logEventFacts(Facts &f, const LogEvent &e, const EvidenceRef &ref)
{
    if (configMismatchFacts(f, e, ref)) return;
    switch (e.kind) {
    case LogEventKind::Retransmit:
        addCount(f.logRetransmits, 1, ref);
        break;
    case LogEventKind::GiveUp:
        addCount(f.logGiveUps, 1, ref);
        addCount(f.peerNotResponding, 1, ref);
        break;
    case LogEventKind::PeerNotResponding:
        addCount(f.peerNotResponding, 1, ref);
        break;
    case LogEventKind::EstablishFailed:
        // "establishing IKE_SA failed, peer not responding"; a failure for another reason
        // (an error notify, an unacceptable proposal) is no sign of an unreachable peer.
        if (e.message.contains(QLatin1String("not responding"))) addCount(f.peerNotResponding, 1, ref);
        break;
    case LogEventKind::DpdRequest:
        addCount(f.dpdRequests, 1, ref);
        break;
    case LogEventKind::Fragmentation:
        addCount(f.logIkeFragments, 1, ref);
        break;
    case LogEventKind::NatDetected:
        f.natDetected = true;
        break;
    case LogEventKind::NatMappingChanged:
        natMappingChange(f, e.message, ref);
        break;
    case LogEventKind::EndpointChanged:
        // Setting up (from 0.0.0.0) and the NAT-T float (500 → 4500) are normal; a remote
        // endpoint that moves later is the NAT giving the peer a new mapping.
        if (e.message.contains(QLatin1String("remote endpoint changed")) &&
            !e.message.contains(QLatin1String("from 0.0.0.0")) &&
            !e.message.contains(QLatin1String("from ::")) && !e.message.contains(QLatin1String("[500] to")))
            natMappingChange(f, e.message, ref);
        break;
    case LogEventKind::IkeEstablished:
    case LogEventKind::ChildEstablished:
        f.ikeEstablished = true;
        break;
    default:
        break;
    }
}

/// A gateway's charon log holds the lines of every tunnel it has: the connection (IKE_SA name)
/// that is this capture's is the one whose lines name one of capture A's IKE/ESP endpoints
/// ("initiating IKE_SA lab[1] to 10.0.2.1", "established between 10.0.1.1...10.0.2.1"); a name
/// whose lines name only other addresses is another tunnel's. Of the rest a single one; else ""
/// (no name is taken: the fixes keep a placeholder). `names`: every name the log uses; `others`:
/// those whose lines name only other addresses.
QString tunnelLogConnection(const Facts &f, const CharonLog &log, QStringList *names, QSet<QString> *others)
{
    // Sets for membership: a log holds up to 500,000 events.
    QSet<QString> named, ours, foreign;
    const auto name = [&](const QString &n) {
        if (named.contains(n)) return;
        named.insert(n);
        *names << n;
    };
    for (const LogEvent &e : log.events)
        if (!e.ikeName.isEmpty()) name(e.ikeName);
    for (const auto &[n, addrs] : log.addressesByIkeName) {
        name(n);
        for (const QString &a : addrs)
            (f.tunnelAddresses.contains(canonicalAddress(a)) ? ours : foreign).insert(n);
    }
    QStringList rest;
    for (const QString &n : *names)
        if (!foreign.contains(n) || ours.contains(n) || f.tunnelAddresses.isEmpty())
            rest << n;
        else
            others->insert(n);
    if (ours.size() == 1) return *ours.begin();
    if (!ours.isEmpty()) return {};
    return rest.size() == 1 ? rest.front() : QString();
}

/// Another connection's events are another tunnel's (lines without a name are kept).
bool ofTheTunnel(const LogEvent &e, const QString &conn, const QSet<QString> &others)
{
    return e.ikeName.isEmpty() || ((conn.isEmpty() || e.ikeName == conn) && !others.contains(e.ikeName));
}

/// The names of `subset`, in the order `names` has them, comma-separated.
QString inLogOrder(const QStringList &names, const QSet<QString> &subset)
{
    QStringList out;
    for (const QString &n : names)
        if (subset.contains(n)) out << n;
    return out.join(QStringLiteral(", "));
}

/// The retransmission schedule a log shows: the first request of the tunnel's connection that
/// charon gave up on, with its first send ("generating ... request M") and every "retransmit n of
/// request with message ID M" timed. Tries come from the give-up line alone; the timeout and base
/// only from lines timed to the millisecond (a log timed in whole seconds cannot tell 2 s from
/// 2.9 s). The first give-up of the log that shows them wins.
void loggedRetransmitSchedule(Facts &f, const CharonLog &log, const QString &conn,
                              const QSet<QString> &others, const QString &source)
{
    struct Sends
    {
        std::int64_t messageId = -1;
        std::vector<QDateTime> times; // first send, then retransmission 1, 2, ...
        std::vector<int> lines;
    };
    std::map<std::pair<QString, int>, Sends> lastRequest; // per IKE_SA: its last request sent
    for (const LogEvent &e : log.events) {
        if (!ofTheTunnel(e, conn, others) || e.ikeName.isEmpty()) continue;
        const auto key = std::make_pair(e.ikeName, e.ikeUniqueId);
        const QDateTime t = e.time ? e.time->dateTime : QDateTime();
        if (e.kind == LogEventKind::MessageGenerated && !e.response) {
            lastRequest[key] = Sends{e.messageId, {t}, {e.line}};
        } else if (e.kind == LogEventKind::Retransmit) {
            Sends &s = lastRequest[key];
            if (s.messageId == e.messageId && s.times.size() == std::size_t(e.retransmit))
                s.times.push_back(t), s.lines.push_back(e.line);
        } else if (e.kind == LogEventKind::GiveUp && e.retransmit >= 0) {
            if (f.loggedRetransmitTries < 0) {
                f.loggedRetransmitTries = e.retransmit;
                f.loggedScheduleFrom = QStringLiteral("%1 line %2").arg(source, QString::number(e.line));
            }
            const Sends &s = lastRequest[key];
            if (f.loggedRetransmitTimeoutS > 0 || e.retransmit < 2 ||
                s.times.size() != std::size_t(e.retransmit) + 1)
                continue;
            bool timed = true, subSecond = false;
            for (const QDateTime &x : s.times) {
                timed = timed && x.isValid();
                subSecond = subSecond || (x.isValid() && x.time().msec() != 0);
            }
            if (!timed || !subSecond) continue;
            const double first = double(s.times[0].msecsTo(s.times[1])) / 1000;
            const double second = double(s.times[1].msecsTo(s.times[2])) / 1000;
            if (!(first > 0) || !(second >= first)) continue;
            f.loggedRetransmitTries = e.retransmit;
            f.loggedRetransmitTimeoutS = std::round(first * 10) / 10;
            f.loggedRetransmitBase = std::round(second / first * 100) / 100;
            f.loggedScheduleFrom =
                QStringLiteral("%1 lines %2–%3")
                    .arg(source, QString::number(s.lines.front()), QString::number(e.line));
        }
    }
}

/// dpd_action = restart proven by this end's own log (Facts::dpdRestartsLogged): a child restarted
/// right after a give-up of the same IKE_SA, nothing else of that IKE_SA logged in between but a
/// failed rekey (the give-up of an IKE rekey) or another child's restart.
void loggedDpdRestarts(Facts &f, const CharonLog &log, const QString &conn, const QSet<QString> &others,
                       const QString &source)
{
    std::map<std::pair<QString, int>, int> giveUpLine; // per IKE_SA: the give-up still in force
    for (const LogEvent &e : log.events) {
        if (!ofTheTunnel(e, conn, others)) continue;
        const auto key = std::make_pair(e.ikeName, e.ikeUniqueId);
        switch (e.kind) {
        case LogEventKind::GiveUp:
            giveUpLine[key] = e.line;
            break;
        case LogEventKind::RekeyFailed:
            break;
        case LogEventKind::ChildRestart: {
            const auto it = giveUpLine.find(key);
            if (it == giveUpLine.end() || e.childName.isEmpty()) break;
            if (std::none_of(f.dpdRestartsLogged.begin(), f.dpdRestartsLogged.end(),
                             [&](const Facts::LoggedRestart &r) { return r.child == e.childName; }))
                f.dpdRestartsLogged.push_back({e.childName, logRef(e, source), it->second});
            break;
        }
        default:
            giveUpLine.erase(key);
            break;
        }
    }
}

void logFacts(Facts &f, const CharonLog &log, const QString &source)
{
    f.haveLogs = true;
    QStringList names;
    QSet<QString> others;
    const QString conn = tunnelLogConnection(f, log, &names, &others);
    if (names.size() > 1 || !others.isEmpty())
        f.evidenceHosts
            << (conn.isEmpty()
                    ? QStringLiteral("%1 names %2 connection(s) (%3), none of them tied to this capture's "
                                     "endpoints (%4): no name is taken from it; the events of %5 "
                                     "(whose lines name only other peers) do not count")
                          .arg(source, QString::number(names.size()), names.join(QStringLiteral(", ")),
                               f.tunnelAddresses.join(QStringLiteral(", ")),
                               others.isEmpty() ? QStringLiteral("no connection") : inLogOrder(names, others))
                    : QStringLiteral("%1 names %2 connections: '%3' is this tunnel's (its lines name the "
                                     "capture's endpoints); only its events count")
                          .arg(source, QString::number(names.size()), conn));
    for (const LogEvent &e : log.events) {
        if (!ofTheTunnel(e, conn, others)) continue;
        logEventFacts(f, e, logRef(e, source));
        if (f.connection.isEmpty() && !conn.isEmpty() && e.ikeName == conn) f.connection = conn;
        if (f.child.isEmpty() && !conn.isEmpty() && e.ikeName == conn && !e.childName.isEmpty())
            f.child = e.childName;
        if (!e.childName.isEmpty() && (conn.isEmpty() || e.ikeName == conn))
            for (const QString &spi : e.spis) {
                bool ok = false;
                const std::uint32_t v = spi.toUInt(&ok, 16);
                if (ok) f.logChildSpis[e.childName].insert(v);
            }
    }
    loggedRetransmitSchedule(f, log, conn, others, source);
    loggedDpdRestarts(f, log, conn, others, source);
}

/// Adds the ESP suites the children of `c` propose to `suites` (each once): the peer picks one of
/// them, not necessarily the first. `ok` becomes false when a proposal names no cipher this tool
/// knows (its overhead is then unknown; unknown algorithms beside known ones count as the
/// largest overhead, EspSuite{}).
void addConfiguredSuites(const ConfigConnection &c, std::vector<EspSuite> &suites, bool *ok)
{
    for (const ConfigChild &child : c.children) {
        const QString proposal = setting(child.settings, {"esp_proposals", "esp"});
        if (proposal.isEmpty()) continue;
        bool parsed = false;
        std::vector<EspSuite> these = strongswanEspSuites(proposal, &parsed);
        *ok = *ok && parsed;
        // sha256_96 = yes (the CHILD_SA's in swanctl.conf, the conn's in ipsec.conf): HMAC-SHA-256
        // truncated to 96 bits, as before RFC 4868, so its ICV is 12 bytes, not 16.
        const QString sha96 = setting(child.settings, {"sha256_96"}).isEmpty()
                                  ? setting(c.settings, {"sha256_96"})
                                  : setting(child.settings, {"sha256_96"});
        for (EspSuite &e : these) {
            if (sha96.trimmed().toLower() == QLatin1String("yes") &&
                e.integrity == EspIntegrity::HmacSha256_128)
                e.integrity = EspIntegrity::HmacSha256_96;
            if (std::find(suites.begin(), suites.end(), e) == suites.end()) suites.push_back(e);
        }
    }
}

/// The configured suites become the candidates (the MTU figures take the largest overhead), unless
/// a proposal named no known cipher: then its overhead is unknown and they are not taken (the ESP
/// lengths or a negotiated suite decide).
void takeConfiguredSuites(Facts &f, const std::vector<EspSuite> &suites, bool ok)
{
    if (!ok || suites.empty()) return;
    f.suite = suites.front();
    f.suiteCandidates = suites.size() > 1 ? suites : std::vector<EspSuite>{};
    f.suiteSource = QStringLiteral("configuration");
}

/// The connection of a swanctl.conf / ipsec.conf that is the capture's tunnel: the one whose
/// remote addresses (remote_addrs / right: addresses or prefixes) take one of capture A's IKE/ESP
/// endpoints. Connections whose addresses are all readable and take none of them are other
/// tunnels' (another branch, another peer): never theirs. Of the rest (%any, a hostname, nothing
/// said) one alone is taken; with several (or none) no connection is: its name, children,
/// subnets, lifetimes and windows would be another tunnel's, so they are left out (placeholders),
/// and the MTU takes the largest overhead of every ESP proposal in the file. Said in a note.
/// The connections of `cfg` that may be the tunnel between `addresses` (tunnelConnection): those
/// whose remote addresses take one of them, else those whose remote addresses cannot be judged;
/// nothing to judge by (no addresses) and a single connection: that one. `byAddress`: the first kind.
std::vector<const ConfigConnection *> candidateConnections(const QStringList &addresses,
                                                           const ConfigFile &cfg, bool *byAddress)
{
    *byAddress = false;
    if (cfg.connections.size() == 1 && addresses.isEmpty()) return {&cfg.connections.front()};
    std::vector<const ConfigConnection *> named, unjudged;
    for (const ConfigConnection &c : cfg.connections) {
        const QStringList remotes =
            setting(c.settings, {"remote_addrs", "right"}).split(QLatin1Char(','), Qt::SkipEmptyParts);
        bool takes = false, readable = !remotes.isEmpty();
        for (const QString &r : remotes) {
            const QString e = r.trimmed();
            bool judged = true;
            for (const QString &a : addresses) {
                const int in = inPrefix(a, e);
                if (in < 0) judged = false;
                takes = takes || in == 1;
            }
            readable = readable && judged && !e.startsWith(QLatin1Char('%'));
        }
        if (takes)
            named.push_back(&c);
        else if (!readable)
            unjudged.push_back(&c);
    }
    *byAddress = !named.empty();
    return named.empty() ? unjudged : named;
}

const ConfigConnection *tunnelConnection(Facts &f, const ConfigFile &cfg, const QString &source)
{
    bool byAddress = false;
    const std::vector<const ConfigConnection *> pick =
        candidateConnections(f.tunnelAddresses, cfg, &byAddress);
    if (pick.size() == 1) {
        if (cfg.connections.size() > 1)
            f.evidenceHosts << QStringLiteral("%1: connection '%2' is this tunnel's (%3, of %4 connections)")
                                   .arg(source, pick.front()->name,
                                        !byAddress
                                            ? QStringLiteral("the only one whose remote address "
                                                             "is not another peer's")
                                            : QStringLiteral("its remote address is the capture's peer"),
                                        QString::number(cfg.connections.size()));
        return pick.front();
    }
    QStringList names;
    for (const ConfigConnection *c : pick.empty() ? std::vector<const ConfigConnection *>{} : pick)
        names << QStringLiteral("'%1'").arg(c->name);
    f.evidenceHosts
        << QStringLiteral(
               "%1: %2 of its %3 connections could be this tunnel's (%4): none is taken; their "
               "names, subnets, lifetimes and windows stay out of the fixes, and the MTU takes the "
               "largest overhead of every ESP proposal in the file")
               .arg(source, QString::number(pick.size()), QString::number(cfg.connections.size()),
                    pick.empty()
                        ? QStringLiteral("none names %1").arg(f.tunnelAddresses.join(QStringLiteral(", ")))
                        : names.join(QStringLiteral(", ")));
    std::vector<EspSuite> all;
    bool ok = true;
    for (const ConfigConnection &c : cfg.connections)
        addConfiguredSuites(c, all, &ok);
    takeConfiguredSuites(f, all, ok);
    return nullptr;
}

/// A CHILD_SA's configured replay_window, -1 when it sets none (or not a number).
int childReplayWindow(const ConfigChild &ch)
{
    bool ok = false;
    const int w = setting(ch.settings, {"replay_window"}).trimmed().toInt(&ok);
    return ok && w >= 0 ? w : -1;
}

/// One CHILD_SA's configured values become the tunnel's (those it sets).
void applyConfigChild(Facts &f, const Facts::ConfigChildValues &v)
{
    if (v.replayWindow >= 0) {
        f.configuredReplayWindow = v.replayWindow;
        f.replayWindowSource = QStringLiteral("configuration");
        f.replayWindowChild =
            f.configChildren.size() < 2 ? QStringLiteral("connection '%1' CHILD_SA '%2', its only child")
                                              .arg(f.configChildrenConnection, v.name)
            : f.configChildTied
                ? QStringLiteral(
                      "connection '%1' CHILD_SA '%2', the child the evidence ties the capture's SAs to")
                      .arg(f.configChildrenConnection, v.name)
                : QStringLiteral("every CHILD_SA of connection '%1'").arg(f.configChildrenConnection);
    }
    if (v.rekeyS > 0) f.rekeyTimeS = v.rekeyS;
    if (v.lifeS >= 0) f.childLifeTimeS = v.lifeS;
    if (!v.dpdAction.isEmpty()) f.dpdAction = v.dpdAction;
}

void configFacts(Facts &f, const ConfigFile &cfg, EvidenceKind kind, const QString &source)
{
    f.haveConfig = true;
    if (kind == EvidenceKind::StrongswanConf) {
        auto num = [&](const char *path) -> const ConfigValue * {
            return cfg.root.find(QString::fromLatin1(path));
        };
        if (const ConfigValue *v = num("charon.keep_alive"))
            f.keepaliveConfiguredS = std::max(0.0, parseDuration(v->value));
        // Only a number read whole counts: toInt() of "99999999999" (beyond int) was 0, taken as a
        // configured 0 tries; "1e999" was an infinite timeout.
        bool ok = false;
        if (const ConfigValue *v = num("charon.retransmit_tries")) {
            const int n = v->value.trimmed().toInt(&ok);
            if (ok && n >= 0) f.retransmitTries = n;
        }
        if (const ConfigValue *v = num("charon.retransmit_timeout")) {
            const double t = v->value.trimmed().toDouble(&ok);
            if (ok && std::isfinite(t)) f.retransmitTimeoutS = t;
        }
        if (const ConfigValue *v = num("charon.retransmit_base")) {
            const double b = v->value.trimmed().toDouble(&ok);
            if (ok && std::isfinite(b)) f.retransmitBase = b;
        }
        return;
    }
    if (cfg.connections.empty()) return;
    f.ipsecConfStyle = kind == EvidenceKind::IpsecConf;
    const ConfigConnection *chosen = tunnelConnection(f, cfg, source);
    if (!chosen) return;
    const ConfigConnection &c = *chosen;
    if (f.connection.isEmpty() || f.ipsecConfStyle) f.connection = c.name;
    const QString dpd = setting(c.settings, {"dpd_delay", "dpddelay"});
    if (!dpd.isEmpty())
        f.dpdDelayS = parseDuration(dpd);
    else if (kind != EvidenceKind::IpsecConf)
        f.dpdDelayS = 0; // swanctl.conf's default: DPD off
    // The ends' addresses: the one capture address the setting takes (it may list several, a
    // prefix or a hostname); without a capture, its first entry when that is an address.
    const auto endAddress = [&f](const QString &setting) -> QString {
        const QStringList entries = setting.split(QLatin1Char(','), Qt::SkipEmptyParts);
        QStringList taken;
        for (const QString &a : f.tunnelAddresses)
            for (const QString &e : entries)
                if (inPrefix(a, e.trimmed()) == 1 && !taken.contains(a)) taken << a;
        if (!f.tunnelAddresses.isEmpty()) return taken.size() == 1 ? taken.front() : QString();
        return entries.isEmpty() ? QString() : canonicalAddress(entries.front().trimmed());
    };
    if (f.peerAddress.isEmpty()) f.peerAddress = endAddress(setting(c.settings, {"remote_addrs", "right"}));
    if (f.localAddress.isEmpty()) f.localAddress = endAddress(setting(c.settings, {"local_addrs", "left"}));
    const QString frag = setting(c.settings, {"fragmentation"});
    // Only the values strongSwan knows; anything else is not repeated into the fix text.
    static const QStringList fragValues{QStringLiteral("yes"), QStringLiteral("no"), QStringLiteral("accept"),
                                        QStringLiteral("force")};
    if (fragValues.contains(frag.trimmed().toLower())) f.fragmentationSetting = frag.trimmed().toLower();
    const QString encap = setting(c.settings, {"encap", "forceencaps"});
    if (encap == QLatin1String("yes")) f.natT = f.encapInEvidence = true;
    auto duration = [&](const std::map<QString, QString> &m, std::initializer_list<const char *> keys,
                        double &out) {
        const QString v = setting(m, keys);
        if (!v.isEmpty() && parseDuration(v) >= 0) out = parseDuration(v);
    };
    if (f.ipsecConfStyle) {
        duration(c.settings, {"margintime", "rekeymargin"}, f.marginTimeS);
        duration(c.settings, {"ikelifetime"}, f.ikeLifetimeS);
    } else {
        duration(c.settings, {"rekey_time"}, f.ikeRekeyTimeS);
        duration(c.settings, {"over_time"}, f.ikeOverTimeS);
        duration(c.settings, {"reauth_time"}, f.ikeReauthTimeS);
    }
    if (c.children.empty()) return;
    const ConfigChild &ch = c.children.front();
    // With several CHILD_SAs the capture does not say which one an SA is (swanctl --list-sas does,
    // by SPI: factsForSa): a name or subnets they do not share would be another child's.
    const bool oneChild = c.children.size() == 1;
    if ((f.child.isEmpty() && oneChild) || f.ipsecConfStyle) f.child = ch.name;
    // The peer picks one of the suites the proposals allow, not necessarily the first: every one
    // (of every child) is a candidate and the MTU figures take the largest overhead. A negotiated
    // suite (swanctl --list-sas, ip xfrm state) replaces them.
    std::vector<EspSuite> suites;
    bool ok = true;
    addConfiguredSuites(c, suites, &ok);
    takeConfiguredSuites(f, suites, ok);
    // Each child's replay window, lifetimes and DPD action: with one child they are the tunnel's;
    // with several, configChildFacts takes the one the capture's SAs are tied to, else only
    // what every child shares.
    f.configChildrenConnection = c.name;
    f.configChildren.clear();
    f.configChildTied = false;
    for (const ConfigChild &child : c.children) {
        Facts::ConfigChildValues v;
        v.name = child.name;
        v.replayWindow = childReplayWindow(child);
        const QString rekey = setting(child.settings, {"rekey_time", "lifetime", "keylife"});
        if (!rekey.isEmpty()) v.rekeyS = std::max(0.0, parseDuration(rekey));
        if (!f.ipsecConfStyle) duration(child.settings, {"life_time"}, v.lifeS);
        v.dpdAction = setting(child.settings, {"dpd_action", "dpdaction"});
        f.configChildren.push_back(v);
    }
    if (oneChild) applyConfigChild(f, f.configChildren.front());
    // The subnets when every child has the same first ones.
    const auto first = [&](const ConfigChild &child, std::initializer_list<const char *> keys) {
        return setting(child.settings, keys).section(QLatin1Char(','), 0, 0).trimmed();
    };
    bool sameTs = true;
    for (const ConfigChild &child : c.children)
        sameTs = sameTs &&
                 first(child, {"local_ts", "leftsubnet"}) == first(ch, {"local_ts", "leftsubnet"}) &&
                 first(child, {"remote_ts", "rightsubnet"}) == first(ch, {"remote_ts", "rightsubnet"});
    if (!sameTs) return;
    if (const QString lts = first(ch, {"local_ts", "leftsubnet"}); !lts.isEmpty()) f.localSubnet = lts;
    if (const QString rts = first(ch, {"remote_ts", "rightsubnet"}); !rts.isEmpty()) f.remoteSubnet = rts;
}

} // namespace

namespace {

QString deltaText(const CounterDelta &c)
{
    return QStringLiteral("%1 %2 → %3 (+%4)")
        .arg(c.name, QString::number(c.before), QString::number(c.after), QString::number(c.delta));
}

void addDelta(RefCount &target, const SnapshotDelta &d, const CounterDelta &c)
{
    if (c.delta <= 0) return;
    EvidenceRef ref;
    ref.source = d.afterPath;
    ref.counter = deltaText(c);
    addCount(target, std::uint64_t(c.delta), ref);
}

/// Which capture's endpoint the evidence describes: 0 = A, 1 = B, -1 = neither known.
struct HostSides
{
    std::map<QString, int> byHost; // evidence host name ("right", a collect MANIFEST's host)
    std::map<QString, int> byPath; // files the user assigned (--evidence-a / --evidence-b)
    bool assigned = false;         // some evidence belongs to a capture
    /// Two captures: only evidence tied to capture A (by the user or by its addresses) is A's;
    /// evidence that names neither end is no one's (a router's still counts for the path).
    bool pair = false;
    /// Evidence of several hosts that cannot be tied to the one capture: none of it is taken as
    /// the capture's end (its window, counters, configuration).
    bool undecided = false;
    /// The host assigned to capture A's end, if one is.
    [[nodiscard]] const QString *hostOfA() const
    {
        for (const auto &[host, side] : byHost)
            if (side == 0) return &host;
        return nullptr;
    }
    [[nodiscard]] int sideOf(const QString &path, const QString &host) const
    {
        if (const auto p = byPath.find(path); p != byPath.end()) return p->second;
        const auto h = byHost.find(host);
        return h == byHost.end() ? -1 : h->second;
    }
    [[nodiscard]] int sideOf(const EvidenceFile &ef) const { return sideOf(ef.path, ef.host); }
};

/// The addresses each evidence host names as its own, with where: the local end of its IKE_SAs
/// (swanctl --list-sas), the destination of SAs it received on and the source of SAs it sent on
/// (ip xfrm state), its configured local address (swanctl.conf local_addrs, ipsec.conf left).
std::map<QString, std::map<QString, QString>> hostAddresses(const EvidenceSet &set)
{
    std::map<QString, std::map<QString, QString>> out;
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok()) continue;
        auto &mine = out[ef.host];
        const QString source = evidenceKindSource(ef.kind);
        if (const auto *x = std::get_if<XfrmStateList>(&ef.data)) {
            for (const XfrmSa &sa : x->sas) {
                if (sa.hasReplayContext && sa.seq > 0) mine.emplace(sa.dst, source);
                if (sa.hasReplayContext && sa.oseq > 0) mine.emplace(sa.src, source);
            }
        } else if (const auto *l = std::get_if<SwanctlSaList>(&ef.data)) {
            for (const SwanctlIkeSa &ike : l->ikeSas)
                if (const QString a = swanctlAddress(ike.local); !a.isEmpty()) mine.emplace(a, source);
        } else if (const auto *c = std::get_if<ConfigFile>(&ef.data)) {
            for (const ConfigConnection &conn : c->connections) {
                const QString local = setting(conn.settings, {"local_addrs", "left"});
                if (!local.isEmpty() && !local.startsWith(QLatin1Char('%')))
                    mine.emplace(local.section(QLatin1Char(','), 0, 0).trimmed(), source);
            }
        } else if (const auto *r = std::get_if<RouteListing>(&ef.data);
                   r && ef.kind == EvidenceKind::IpRoute) {
            // `ip route show table all`: the "local ADDR" routes are the host's own addresses.
            for (const QString &a : ownAddresses(r->lines.join(QLatin1Char('\n'))))
                if (!a.startsWith(QLatin1String("127.")) && a != QLatin1String("::1"))
                    mine.emplace(a, source + QStringLiteral(" (local route)"));
        }
    }
    return out;
}

/// The tunnel's outer addresses in one capture (the pair with the most IKE and ESP packets) and
/// which of them is the capture's own end: a host's packets leave it with an initial TTL / hop
/// limit (64, 128 or 255) and arrive lowered by the routers on the way, so the end whose
/// packets all carry an initial value while the other end's do not is where the capture was
/// taken. `local` stays empty when the TTLs do not tell (both ends initial: no router between
/// them; packets one way only).
struct CaptureEnd
{
    QString a, b;          // the tunnel's outer addresses, "" without IKE or ESP
    QString local, remote; // the capture's own end and the peer, "" unknown
    QString why;
};

CaptureEnd captureEnd(const CaptureIndex &ix)
{
    struct Dir
    {
        std::uint64_t packets = 0;
        std::uint8_t minTtl = 255, maxTtl = 0;
    };
    std::map<std::pair<QString, QString>, Dir> dirs;
    for (const Flow &fl : ix.flows) {
        if (!fl.carriesIkeOrEsp() || fl.packets == 0) continue;
        Dir &d = dirs[{addr(fl.src), addr(fl.dst)}];
        d.packets += fl.packets;
        d.minTtl = std::min(d.minTtl, fl.minTtl);
        d.maxTtl = std::max(d.maxTtl, fl.maxTtl);
    }
    CaptureEnd e;
    std::uint64_t best = 0;
    for (const auto &[k, d] : dirs) {
        const auto back = dirs.find({k.second, k.first});
        const std::uint64_t n = d.packets + (back == dirs.end() ? 0 : back->second.packets);
        if (n > best || (n == best && k.first < e.a)) {
            best = n;
            e.a = std::min(k.first, k.second);
            e.b = std::max(k.first, k.second);
        }
    }
    if (e.a.isEmpty()) return e;
    const Dir ab = dirs.count({e.a, e.b}) ? dirs[{e.a, e.b}] : Dir{};
    const Dir ba = dirs.count({e.b, e.a}) ? dirs[{e.b, e.a}] : Dir{};
    const auto initial = [](const Dir &d) {
        return d.packets > 0 && d.minTtl == d.maxTtl &&
               (d.maxTtl == 64 || d.maxTtl == 128 || d.maxTtl == 255);
    };
    const auto ttls = [](const Dir &d) {
        return d.minTtl == d.maxTtl ? QString::number(d.maxTtl)
                                    : QStringLiteral("%1–%2").arg(d.minTtl).arg(d.maxTtl);
    };
    const auto decide = [&](const QString &local, const Dir &out, const QString &remote, const Dir &in) {
        e.local = local;
        e.remote = remote;
        e.why = QStringLiteral("IKE/ESP from %1 carries TTL %2 (as it leaves its host), from %3 TTL %4 "
                               "(lowered on the way)")
                    .arg(local, ttls(out), remote, ttls(in));
    };
    if (ab.packets > 0 && ba.packets > 0) {
        if (initial(ab) && !initial(ba))
            decide(e.a, ab, e.b, ba);
        else if (initial(ba) && !initial(ab))
            decide(e.b, ba, e.a, ab);
        else
            e.why = QStringLiteral("IKE/ESP carries TTL %1 from %2 and %3 from %4")
                        .arg(ttls(ab), e.a, ttls(ba), e.b);
    } else {
        e.why = QStringLiteral("the capture holds IKE/ESP in one direction only");
    }
    return e;
}

/// One capture and evidence of several hosts, nothing assigned by the user: the host whose own
/// addresses hold the capture's end (by TTL) is capture A's, a host owning the other end is
/// the peer's; without the TTL, a host is A's only when it is the one whose addresses appear in
/// the capture at all. Otherwise nothing is guessed: `undecided`, and the notes ask for A=/B=.
void assignHostsOneCapture(const EvidenceSet &set, const CaptureEnd &end, const QString &name, HostSides &h,
                           QStringList &notes)
{
    if (end.a.isEmpty() || h.hostOfA()) return;
    std::vector<std::pair<QString, std::map<QString, QString>>> hosts; // not assigned, with own addresses
    for (auto &[host, addrs] : hostAddresses(set))
        if (!addrs.empty() && !h.byHost.count(host)) hosts.emplace_back(host, addrs);
    const auto who = [](const QString &host) {
        return host.isEmpty() ? QStringLiteral("evidence without a host name")
                              : QStringLiteral("host '%1'").arg(host);
    };
    const auto where = [](const std::map<QString, QString> &addrs, const QString &a) {
        const auto it = addrs.find(a);
        return it == addrs.end() ? QString() : QStringLiteral("%1 in its %2").arg(a, it->second);
    };
    std::vector<std::size_t> owners[2], present; // hosts owning local / remote; any end address
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        const auto &addrs = hosts[i].second;
        if (!end.local.isEmpty() && addrs.count(end.local))
            owners[0].push_back(i);
        else if (!end.remote.isEmpty() && addrs.count(end.remote))
            owners[1].push_back(i);
        if (addrs.count(end.a) || addrs.count(end.b)) present.push_back(i);
    }
    if (!end.local.isEmpty() && owners[0].size() == 1) {
        const auto &[host, addrs] = hosts[owners[0].front()];
        h.byHost.emplace(host, 0);
        h.assigned = true;
        notes << QStringLiteral("%1 is the end %2 was captured at (%3): %4")
                     .arg(who(host), name, where(addrs, end.local), end.why);
        for (const std::size_t i : owners[1]) {
            h.byHost.emplace(hosts[i].first, 1);
            notes << QStringLiteral("%1 is the peer's end (%2): its counters and window judge the direction "
                                    "this capture sends, not the one it receives")
                         .arg(who(hosts[i].first), where(hosts[i].second, end.remote));
        }
        return;
    }
    if (hosts.size() < 2) {
        // One host's evidence: taken as this capture's end, as always, unless it owns the far end.
        if (owners[1].size() == 1 && owners[0].empty()) {
            const auto &[host, addrs] = hosts[owners[1].front()];
            h.byHost.emplace(host, 1);
            h.assigned = true;
            h.undecided = true; // nothing left for capture A's end
            notes << QStringLiteral("%1 is the peer's end, not the one %2 was captured at (%3; %4): its "
                                    "counters and window are not used for the packets this capture received")
                         .arg(who(host), name, where(addrs, end.remote), end.why);
        }
        return;
    }
    if (end.local.isEmpty() && present.size() == 1) {
        const auto &[host, addrs] = hosts[present.front()];
        h.byHost.emplace(host, 0);
        h.assigned = true;
        notes << QStringLiteral("%1 is the end %2 was captured at: the only host whose own addresses appear "
                                "in it (%3)")
                     .arg(who(host), name,
                          where(addrs, end.a).isEmpty() ? where(addrs, end.b) : where(addrs, end.a));
        return;
    }
    QStringList named;
    for (const std::size_t i : present) {
        const QString w = where(hosts[i].second, end.a);
        named << QStringLiteral("%1 (%2)").arg(who(hosts[i].first),
                                               w.isEmpty() ? where(hosts[i].second, end.b) : w);
    }
    h.undecided = true;
    const QString what =
        named.isEmpty()
            ? QStringLiteral("the evidence of %1 hosts names neither of the tunnel's addresses (%2, %3)")
                  .arg(hosts.size())
                  .arg(end.a, end.b)
            : QStringLiteral("the tunnel's addresses are named by %1")
                  .arg(named.join(QStringLiteral(" and ")));
    const QString why =
        end.local.isEmpty()
            ? QStringLiteral("%1 does not tell which end it was captured at (%2)").arg(name, end.why)
            : QStringLiteral("%1 was captured at %2 (%3), which no one host names as its own")
                  .arg(name, end.local, end.why);
    notes << QStringLiteral(
                 "host evidence not used for this capture's end: %1, and %2; the window, counters and "
                 "configuration of none of them are taken as its receiver's. Assign them with "
                 "--evidence-a PATH (the end %3 was captured at) and --evidence-b PATH (the peer), or "
                 "--evidence A=PATH / B=PATH")
                 .arg(what, why, name);
}

/// Evidence files read only in part (a size, line, entry or event cap; a section or SA the file
/// ends inside): what the diagnosis takes from them may be incomplete, and it says so, with the
/// first place each was cut.
void partlyReadEvidenceNotes(const EvidenceSet &set, QStringList &notes)
{
    constexpr int kNamed = 8;
    QStringList named;
    int more = 0;
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok() || !ef.status.partial()) continue;
        if (named.size() == kNamed) {
            ++more;
            continue;
        }
        QString message = ef.status.cut.message;
        if (message.startsWith(ef.path + QStringLiteral(": "))) message.remove(0, ef.path.size() + 2);
        named << (ef.status.cut.line > 0 ? QStringLiteral("%1 (line %2: %3)")
                                               .arg(ef.path, QString::number(ef.status.cut.line), message)
                                         : QStringLiteral("%1 (%2)").arg(ef.path, message));
    }
    if (named.isEmpty()) return;
    notes << QStringLiteral("evidence read only in part: %1%2; what the diagnosis takes from it may be "
                            "incomplete (ikev2wb evidence FILE lists every warning)")
                 .arg(named.join(QStringLiteral("; ")),
                      more ? QStringLiteral("; and %1 more file(s)").arg(more) : QString());
}

/// Evidence hosts matched to the captures: the user's assignment first, then the host whose
/// addresses are one capture's local addresses (the comparison knows them). Notes say which.
HostSides assignHosts(const EvidenceSet &set, const CompareResult *cmp, const QString names[2],
                      QStringList &notes)
{
    HostSides h;
    const QLatin1Char letter[2] = {QLatin1Char('A'), QLatin1Char('B')};
    std::map<QString, int> userHosts;
    for (const EvidenceFile &ef : set.files()) {
        if (ef.captureSide < 0 || ef.captureSide > 1) continue;
        h.byPath[ef.path] = ef.captureSide;
        h.assigned = true;
        if (userHosts.emplace(ef.host, ef.captureSide).second)
            notes << QStringLiteral("evidence%1 assigned to capture %2 (%3) on the command line")
                         .arg(ef.host.isEmpty() ? QString() : QStringLiteral(" of host '%1'").arg(ef.host),
                              QString(letter[ef.captureSide]), names[ef.captureSide]);
    }
    for (const auto &[host, side] : userHosts)
        if (!host.isEmpty()) h.byHost.emplace(host, side);
    if (!cmp) return h;
    h.pair = true;
    // The files of a host that is not tied to either capture, for the note that says so.
    const auto filesOf = [&](const QString &host) {
        QStringList out;
        for (const EvidenceFile &ef : set.files())
            if (ef.status.ok() && ef.host == host && h.sideOf(ef) < 0 && out.size() < 8)
                out << QFileInfo(ef.path).fileName();
        return out.join(QStringLiteral(", "));
    };
    const QString unused = QStringLiteral(
        "its counters, replay window, configuration and logs are used for neither capture's end (its "
        "links, routes and firewall rules still count for the path); assign it with --evidence-a / "
        "--evidence-b if it is one of them");
    for (const auto &[host, addrs] : hostAddresses(set)) {
        if (h.byHost.count(host)) continue;
        if (addrs.empty()) {
            if (const QString files = filesOf(host); !files.isEmpty())
                notes << QStringLiteral("%1 (%2) names none of its own addresses: %3")
                             .arg(host.isEmpty() ? QStringLiteral("evidence without a host name")
                                                 : QStringLiteral("host '%1'").arg(host),
                                  files, unused);
            continue;
        }
        int side = -1;
        bool both = false;
        QString why;
        for (int s = 0; s < 2; ++s) {
            for (const IpAddress &a : cmp->side[s].localAddresses) {
                const auto it = addrs.find(addr(a));
                if (it == addrs.end()) continue;
                if (side >= 0 && side != s) both = true;
                side = s;
                why = QStringLiteral("%1 in its %2").arg(it->first, it->second);
            }
        }
        const QString who = host.isEmpty() ? QStringLiteral("evidence without a host name")
                                           : QStringLiteral("host '%1'").arg(host);
        if (both || side < 0) {
            notes << QStringLiteral("%1 (%2) names %3 of the captures' endpoint addresses: %4")
                         .arg(who, filesOf(host), both ? QStringLiteral("both") : QStringLiteral("none"),
                              unused);
            continue;
        }
        h.byHost.emplace(host, side);
        h.assigned = true;
        notes << QStringLiteral("%1 is capture %2's endpoint (%3): %4")
                     .arg(who, QString(letter[side]), names[side], why);
    }
    return h;
}

/// A connection with several CHILD_SAs: the child whose SPIs (swanctl --list-sas, the tunnel's
/// charon log lines) are the capture's gives the replay window, rekey_time, life_time and
/// dpd_action; without one such child, a value is taken only when every child has it (the
/// others are another child's, perhaps not this tunnel's). Said in a note.
void configChildFacts(Facts &f, const QSet<std::uint32_t> &captureSpis)
{
    if (f.configChildren.size() < 2) return;
    QStringList tied;
    QStringList how;
    const auto tie = [&](const QString &name, std::uint32_t spi, const QString &source) {
        if (!captureSpis.contains(spi) ||
            std::none_of(f.configChildren.begin(), f.configChildren.end(),
                         [&](const Facts::ConfigChildValues &v) { return v.name == name; }))
            return;
        if (!tied.contains(name)) tied << name;
        if (how.size() < 4) how << QStringLiteral("SA %1 of '%2' in %3").arg(spiText(spi), name, source);
    };
    for (const Facts::ListedChild &c : f.listedChildren)
        for (const std::uint32_t spi : {c.spiIn, c.spiOut})
            tie(c.name, spi, QStringLiteral("swanctl --list-sas"));
    for (const auto &[name, spis] : f.logChildSpis)
        for (const std::uint32_t spi : spis)
            tie(name, spi, QStringLiteral("the charon log"));
    const QString conn = f.configChildrenConnection;
    if (tied.size() == 1) {
        const auto it =
            std::find_if(f.configChildren.begin(), f.configChildren.end(),
                         [&](const Facts::ConfigChildValues &v) { return v.name == tied.front(); });
        f.configChildTied = true;
        applyConfigChild(f, *it);
        f.child = it->name;
        f.evidenceHosts << QStringLiteral(
                               "connection '%1' has %2 CHILD_SAs: '%3' is this capture's (%4); its "
                               "replay window, lifetimes and DPD action are taken")
                               .arg(conn, QString::number(f.configChildren.size()), it->name,
                                    how.join(QStringLiteral(", ")));
        return;
    }
    // No child tied (or the capture carries SAs of several): what they all set alike.
    Facts::ConfigChildValues shared = f.configChildren.front();
    QStringList differ;
    const auto differs = [&](const QString &what, auto get) {
        QStringList values;
        bool same = true;
        for (const Facts::ConfigChildValues &v : f.configChildren) {
            same = same && get(v) == get(f.configChildren.front());
            if (values.size() < 4) values << QStringLiteral("'%1' %2").arg(v.name, get(v));
        }
        if (!same) differ << QStringLiteral("%1 (%2)").arg(what, values.join(QStringLiteral(", ")));
        return !same;
    };
    const auto secs = [](double s, double unset) {
        return s == unset ? QStringLiteral("not set") : QStringLiteral("%1 s").arg(s);
    };
    if (differs(QStringLiteral("replay_window"), [](const Facts::ConfigChildValues &v) {
            return v.replayWindow < 0 ? QStringLiteral("not set") : QString::number(v.replayWindow);
        }))
        shared.replayWindow = -1;
    if (differs(QStringLiteral("rekey_time"),
                [&](const Facts::ConfigChildValues &v) { return secs(v.rekeyS, 0); }))
        shared.rekeyS = 0;
    if (differs(QStringLiteral("life_time"),
                [&](const Facts::ConfigChildValues &v) { return secs(v.lifeS, -1); }))
        shared.lifeS = -1;
    if (differs(QStringLiteral("dpd_action"), [](const Facts::ConfigChildValues &v) {
            return v.dpdAction.isEmpty() ? QStringLiteral("not set") : v.dpdAction;
        }))
        shared.dpdAction.clear();
    applyConfigChild(f, shared);
    if (!differ.isEmpty())
        f.evidenceHosts << QStringLiteral(
                               "connection '%1' has %2 CHILD_SAs and %3: %4 differ between them, so "
                               "none of those is taken")
                               .arg(conn, QString::number(f.configChildren.size()),
                                    tied.size() > 1 ? QStringLiteral("the capture carries SAs of %1")
                                                          .arg(tied.join(QStringLiteral(", ")))
                                                    : QStringLiteral("no evidence ties the capture's SAs to "
                                                                     "one (swanctl --list-sas or the charon "
                                                                     "log's SPIs)"),
                                    differ.join(QStringLiteral("; ")));
}

/// A CHILD_SA of a host's swanctl --list-sas whose inbound SA counted no packets while its
/// outbound twin carried some: what the peer sent never reached that host's SA.
void inboundSaZeroListed(Facts &f, const EvidenceFile &ef, const QString &host)
{
    for (const SwanctlIkeSa &ike : std::get<SwanctlSaList>(ef.data).ikeSas)
        for (const SwanctlChildSa &c : ike.children)
            if (c.packetsOut > 0 && c.packetsIn == 0) {
                EvidenceRef ref;
                ref.source = ef.path;
                ref.spi = c.spiIn;
                ref.hasSpi = true;
                ref.counter = QStringLiteral("in %1: 0 packets, out %2: %3 packets")
                                  .arg(spiText(c.spiIn), spiText(c.spiOut))
                                  .arg(c.packetsOut);
                addCount(f.inboundSaZero, 1, ref);
                f.outboundSaPackets += c.packetsOut;
                f.inboundSaZeroHost = host;
            }
}

/// The same from a host's ip -s xfrm state: an SA to `local` that counted nothing while the SAs
/// from it carried packets.
void inboundSaZeroXfrm(Facts &f, const EvidenceFile &ef, const QString &local)
{
    std::uint64_t out = 0;
    const XfrmSa *zeroIn = nullptr;
    for (const XfrmSa &sa : std::get<XfrmStateList>(ef.data).sas) {
        if (!sa.hasLifetimeCurrent) continue;
        if (sa.dst == local && sa.currentPackets == 0)
            zeroIn = &sa;
        else if (sa.src == local)
            out += sa.currentPackets;
    }
    if (!zeroIn || out == 0) return;
    EvidenceRef ref;
    ref.source = ef.path;
    ref.spi = zeroIn->spi;
    ref.hasSpi = true;
    ref.counter =
        QStringLiteral("inbound SA %1: 0 packets; outbound: %2 packets").arg(spiText(zeroIn->spi)).arg(out);
    addCount(f.inboundSaZero, 1, ref);
    f.outboundSaPackets = out;
    f.inboundSaZeroHost = local;
}

void evidenceFacts(Facts &f, const EvidenceSet &set, const HostSides &sides,
                   const QSet<std::uint32_t> &captureSpis)
{
    // Capture A's endpoint: the evidence assigned to it; without any, the host that names A's
    // address (or the first host) among the evidence not assigned to B.
    bool anyA = false;
    for (const EvidenceFile &ef : set.files())
        anyA = anyA || (ef.status.ok() && sides.sideOf(ef) == 0);
    const QString host =
        anyA || sides.undecided || sides.pair
            ? QString()
            : primaryHost(set, f.localAddress, [&](const EvidenceFile &ef) { return sides.sideOf(ef) != 1; });
    auto mineHost = [&](const QString &path, const QString &h) {
        const int side = sides.sideOf(path, h);
        if (anyA || sides.undecided || sides.pair) return side == 0;
        return side != 1 && (host.isEmpty() || h == host || h.isEmpty());
    };
    auto mine = [&](const EvidenceFile &ef) { return ef.status.ok() && mineHost(ef.path, ef.host); };

    // The peer's (B's) charon log: what it says about the tunnel is the pair's, whichever end
    // logged it. A configuration that does not match (no common proposal, unacceptable traffic
    // selectors, failed authentication; the responder often logs only its own side, e.g.
    // "N(NO_PROP)" it sent), B's own retransmissions, give-ups and DPD requests, a NAT mapping
    // change B saw. Not its names (A's connection and child name A's fixes). Added after A's
    // own log below, so that A's lines are cited first.
    // Its lines name B's own address and A's as B sees it (behind a NAT, the NAT's): only the
    // connection tied to those counts, as with A's log.
    Facts peerLog;
    peerLog.tunnelAddresses = f.tunnelAddresses;
    for (const QString &a : {f.peerAddress, f.localSeenThere})
        if (!a.isEmpty() && !peerLog.tunnelAddresses.contains(a)) peerLog.tunnelAddresses << a;
    if (sides.pair)
        for (const EvidenceFile &ef : set.files()) {
            if (!ef.status.ok() || ef.kind != EvidenceKind::CharonLog || sides.sideOf(ef) != 1) continue;
            const CharonLog &log = std::get<CharonLog>(ef.data);
            QStringList names;
            QSet<QString> others;
            const QString conn = tunnelLogConnection(peerLog, log, &names, &others);
            for (const LogEvent &e : log.events)
                if (ofTheTunnel(e, conn, others)) logEventFacts(peerLog, e, logRef(e, ef.path));
            loggedRetransmitSchedule(peerLog, log, conn, others, ef.path);
        }

    // Latest snapshot of each status kind wins.
    const EvidenceFile *lastSas = nullptr, *lastXfrm = nullptr, *lastLink = nullptr;
    for (const EvidenceFile &ef : set.files()) {
        if (!mine(ef)) continue;
        auto later = [&](const EvidenceFile *cur) {
            return !cur || phaseRank(ef.phase) >= phaseRank(cur->phase);
        };
        switch (ef.kind) {
        case EvidenceKind::SwanctlListSas:
            if (later(lastSas)) lastSas = &ef;
            break;
        case EvidenceKind::XfrmState:
            if (later(lastXfrm)) lastXfrm = &ef;
            break;
        case EvidenceKind::IpLink:
            if (later(lastLink)) lastLink = &ef;
            break;
        case EvidenceKind::XfrmStat:
        case EvidenceKind::Snmp:
            f.haveCounters = true;
            break;
        case EvidenceKind::CharonLog:
            logFacts(f, std::get<CharonLog>(ef.data), ef.path);
            break;
        case EvidenceKind::SwanctlConf:
        case EvidenceKind::IpsecConf:
        case EvidenceKind::StrongswanConf:
            configFacts(f, std::get<ConfigFile>(ef.data), ef.kind, ef.path);
            break;
        case EvidenceKind::Sysctl: {
            const auto &v = std::get<SysctlValues>(ef.data);
            if (const auto n = sysctlInt(v, QStringLiteral("net.ipv4.conf.all.rp_filter"))) f.rpFilter = *n;
            for (const auto &[key, value] : v.values) {
                const QString canonical = xfrmBypassKey(key);
                if (canonical.isEmpty() || value.trimmed() != QLatin1String("1")) continue;
                if (!f.xfrmBypassedOn.contains(canonical)) f.xfrmBypassedOn << canonical;
            }
            break;
        }
        case EvidenceKind::EthtoolFeatures:
            for (const EthtoolFeature &feat : std::get<EthtoolFeatures>(ef.data).features)
                if (feat.on && !feat.fixed &&
                    (feat.name.startsWith(QLatin1String("esp-")) || feat.name == QLatin1String("rx-gro-hw") ||
                     feat.name == QLatin1String("generic-receive-offload")))
                    f.offloadFeaturesOn
                        << std::get<EthtoolFeatures>(ef.data).interfaceName + QLatin1Char(':') + feat.name;
            break;
        default:
            break;
        }
    }
    // Each host logs its own sends (retransmissions, give-ups, DPD requests, fragmented
    // messages) and the configuration mismatches: B's add to A's. Both may log one NAT mapping
    // change: the host that saw more of them counts.
    f.ownDpdRequests = f.dpdRequests.value; // before B's are added: DPD is on at this end
    for (const auto &[mineCount, peerCount] : {std::pair{&f.logNoProposal, &peerLog.logNoProposal},
                                               {&f.logTsUnacceptable, &peerLog.logTsUnacceptable},
                                               {&f.logAuthFailed, &peerLog.logAuthFailed},
                                               {&f.logRetransmits, &peerLog.logRetransmits},
                                               {&f.logGiveUps, &peerLog.logGiveUps},
                                               {&f.peerNotResponding, &peerLog.peerNotResponding},
                                               {&f.dpdRequests, &peerLog.dpdRequests},
                                               {&f.logIkeFragments, &peerLog.logIkeFragments}})
        addCount(*mineCount, peerCount->value, peerCount->ref);
    // B's log shows B's schedule, not this end's: the retransmit_tries fix and its undo are this
    // end's strongswan.conf, so B's values never stand for A's (B's may differ; an undo putting
    // back B's tries would lower A's).
    if (peerLog.natMappingChanges.value > f.natMappingChanges.value)
        f.natMappingChanges = peerLog.natMappingChanges;
    f.natDetected = f.natDetected || peerLog.natDetected;
    f.ikeEstablished = f.ikeEstablished || peerLog.ikeEstablished;
    // The suites of the SAs a host lists (each with its addresses and SPI): with different ones,
    // `suite` is the largest overhead's until a finding names its SA (factsForSa).
    const auto adoptSaSuites = [&f](std::vector<Facts::SaSuite> suites, const QString &source) {
        if (suites.empty() || !(f.suiteSource.isEmpty() || f.suiteSource == QLatin1String("configuration") ||
                                f.suiteSource == QLatin1String("swanctl --list-sas")))
            return;
        OverheadInput in;
        in.outerIpv6 = f.outerIpv6;
        in.natT = true; // the same for every suite: only their order matters here
        int smallest = 0;
        for (const Facts::SaSuite &s : suites) {
            in.suite = s.suite;
            const OverheadResult o = computeEspOverhead(in);
            if (o.valid && (smallest == 0 || o.tunnelMtu < smallest)) {
                smallest = o.tunnelMtu;
                f.suite = s.suite;
            }
        }
        f.suiteCandidates.clear();
        for (const Facts::SaSuite &s : suites)
            if (std::find(f.suiteCandidates.begin(), f.suiteCandidates.end(), s.suite) ==
                f.suiteCandidates.end())
                f.suiteCandidates.push_back(s.suite);
        if (f.suiteCandidates.size() < 2) f.suiteCandidates.clear();
        f.saSuites = std::move(suites);
        f.suiteSource = source;
    };
    if (lastSas) {
        std::vector<Facts::SaSuite> listedSuites;
        for (const SwanctlIkeSa &ike : std::get<SwanctlSaList>(lastSas->data).ikeSas) {
            if (f.connection.isEmpty()) f.connection = ike.name;
            if (f.localAddress.isEmpty()) f.localAddress = swanctlAddress(ike.local);
            if (f.peerAddress.isEmpty()) f.peerAddress = swanctlAddress(ike.remote);
            for (const SwanctlChildSa &c : ike.children) {
                if (f.child.isEmpty()) f.child = c.name;
                if (c.mode.contains(QLatin1String("UDP"))) f.natT = f.encapInEvidence = true;
                if (f.localSubnet.isEmpty()) f.localSubnet = c.localTs.section(QLatin1Char(' '), 0, 0);
                if (f.remoteSubnet.isEmpty()) f.remoteSubnet = c.remoteTs.section(QLatin1Char(' '), 0, 0);
                f.listedChildren.push_back({c.name, c.spiIn, c.spiOut,
                                            c.localTs.section(QLatin1Char(' '), 0, 0),
                                            c.remoteTs.section(QLatin1Char(' '), 0, 0)});
                if (const auto s = suiteFromSwanctlProposal(c.proposal)) {
                    const QString local = swanctlAddress(ike.local), remote = swanctlAddress(ike.remote);
                    listedSuites.push_back({remote, local, c.spiIn, *s});
                    listedSuites.push_back({local, remote, c.spiOut, *s});
                }
            }
        }
        adoptSaSuites(std::move(listedSuites), QStringLiteral("swanctl --list-sas"));
        inboundSaZeroListed(f, *lastSas, f.localAddress);
    }
    configChildFacts(f, captureSpis);
    if (lastXfrm) {
        const auto &sas = std::get<XfrmStateList>(lastXfrm->data).sas;
        std::vector<Facts::SaSuite> kernelSuites;
        for (const XfrmSa &sa : sas) {
            const bool inbound = sa.seq > 0 || sa.replayWindow > 0;
            if (inbound && f.localAddress.isEmpty()) f.localAddress = sa.dst;
            if (inbound && f.peerAddress.isEmpty()) f.peerAddress = sa.src;
            if (sa.hasEncap) f.natT = f.encapInEvidence = true;
            if (sa.replayWindow > 0 && f.replayWindowSource != QLatin1String("configuration") &&
                (f.configuredReplayWindow < 0 || int(sa.replayWindow) < f.configuredReplayWindow)) {
                f.configuredReplayWindow = int(sa.replayWindow);
                f.replayWindowSource = QStringLiteral("ip xfrm state (%1)").arg(spiText(sa.spi));
            }
            if (sa.proto == QLatin1String("esp"))
                if (const auto s = suiteFromXfrm(sa.algorithms))
                    kernelSuites.push_back({sa.src, sa.dst, sa.spi, *s});
        }
        // What the kernel uses wins over swanctl's list and the configuration's proposals.
        adoptSaSuites(std::move(kernelSuites), QStringLiteral("ip xfrm state"));
        if (f.inboundSaZero.value == 0) inboundSaZeroXfrm(f, *lastXfrm, f.localAddress);
    }
    // In a pair the peer's own listings judge what was sent to it (the same checks on B's latest
    // swanctl --list-sas, else ip xfrm state).
    if (sides.pair && f.inboundSaZero.value == 0) {
        const EvidenceFile *peerSas = nullptr, *peerXfrm = nullptr;
        for (const EvidenceFile &ef : set.files()) {
            if (!ef.status.ok() || sides.sideOf(ef) != 1) continue;
            const EvidenceFile *&cur = ef.kind == EvidenceKind::SwanctlListSas ? peerSas : peerXfrm;
            if ((ef.kind == EvidenceKind::SwanctlListSas || ef.kind == EvidenceKind::XfrmState) &&
                (!cur || phaseRank(ef.phase) >= phaseRank(cur->phase)))
                cur = &ef;
        }
        if (peerSas)
            inboundSaZeroListed(f, *peerSas,
                                f.peerAddress.isEmpty() ? QStringLiteral("the peer") : f.peerAddress);
        if (peerXfrm && f.inboundSaZero.value == 0 && !f.peerAddress.isEmpty())
            inboundSaZeroXfrm(f, *peerXfrm, f.peerAddress);
    }

    // Interface facing the peer: the routes listing of the host, if any.
    for (const EvidenceFile &ef : set.files()) {
        if (ef.kind != EvidenceKind::IpRoute || !mine(ef)) continue;
        const QString dev =
            interfaceFromRoutes(std::get<RouteListing>(ef.data).lines.join(QLatin1Char('\n')), f.peerAddress);
        if (!dev.isEmpty()) {
            f.wanInterface = dev;
            break;
        }
    }
    if (lastLink) {
        for (const LinkStats &l : std::get<LinkStatsList>(lastLink->data).links)
            if (l.name == f.wanInterface) f.interfaceMtu = l.mtu;
    }

    for (const SnapshotDelta &d : set.deltas()) {
        if (d.kind == EvidenceKind::XfrmStat && sides.sideOf(d.afterPath, d.host) == 1) {
            // The peer's receive errors (a pair's B, or the host one capture names as its peer):
            // the direction this host sends.
            for (const CounterDelta &c : d.counters) {
                Facts::InErrors &p = f.peerInErrors;
                if (c.name == QLatin1String("XfrmInNoStates"))
                    addDelta(p.noStates, d, c);
                else if (c.name == QLatin1String("XfrmInStateProtoError"))
                    addDelta(p.protoError, d, c);
                else if (c.name == QLatin1String("XfrmInStateMismatch"))
                    addDelta(p.mismatch, d, c);
                else if (c.name == QLatin1String("XfrmInBufferError"))
                    addDelta(p.bufferError, d, c);
            }
            continue;
        }
        if (!mineHost(d.afterPath, d.host)) continue;
        for (const CounterDelta &c : d.counters) {
            if (d.kind == EvidenceKind::XfrmStat) {
                if (c.name == QLatin1String("XfrmInStateSeqError"))
                    addDelta(f.replayCounter, d, c);
                else if (c.name == QLatin1String("XfrmInNoStates"))
                    addDelta(f.xfrmInNoStates, d, c);
                else if (c.name == QLatin1String("XfrmInStateProtoError"))
                    addDelta(f.xfrmInStateProtoError, d, c);
                else if (c.name == QLatin1String("XfrmInStateMismatch"))
                    addDelta(f.xfrmInStateMismatch, d, c);
                else if (c.name == QLatin1String("XfrmInBufferError"))
                    addDelta(f.xfrmInBufferError, d, c);
                else if (c.name == QLatin1String("XfrmInTmplMismatch"))
                    addDelta(f.xfrmInTmplMismatch, d, c);
                else if (c.name == QLatin1String("XfrmInNoPols"))
                    addDelta(f.xfrmInNoPols, d, c);
                else if (c.name == QLatin1String("XfrmOutNoStates"))
                    addDelta(f.xfrmOutNoStates, d, c);
                else if (c.name == QLatin1String("XfrmInStateExpired"))
                    addDelta(f.xfrmInStateExpired, d, c);
                else if (c.name == QLatin1String("XfrmOutStateExpired"))
                    addDelta(f.xfrmOutStateExpired, d, c);
                else if (c.name == QLatin1String("XfrmOutPolBlock"))
                    addDelta(f.xfrmOutPolBlock, d, c);
            } else if (d.kind == EvidenceKind::XfrmState) {
                if (c.name.endsWith(QLatin1String("/replay-window")))
                    addDelta(f.replayTooOld, d, c);
                else if (c.name.endsWith(QLatin1String("/replay")))
                    addDelta(f.replayDuplicates, d, c);
            } else if (d.kind == EvidenceKind::IpLink) {
                if (c.name.startsWith(QLatin1String("lo."))) continue;
                if (c.name.endsWith(QLatin1String(".rx_dropped")))
                    addDelta(f.rxDropped, d, c);
                else if (c.name.endsWith(QLatin1String(".rx_missed")) ||
                         c.name.endsWith(QLatin1String(".rx_overrun")))
                    addDelta(f.rxMissed, d, c);
            } else if (d.kind == EvidenceKind::Snmp) {
                if (c.name == QLatin1String("Udp.RcvbufErrors"))
                    addDelta(f.udpRcvbufErrors, d, c);
                else if (c.name == QLatin1String("Ip.FragFails"))
                    addDelta(f.fragFails, d, c);
            }
        }
    }
}

/// Replay drops per SA (keyed by SPI and addresses, so the copies of an SA in both captures
/// meet): the largest count of any capture, as only the receiver's capture shows the reordering.
using ReplayDrops = std::map<QString, std::pair<std::uint64_t, EvidenceRef>>;

/// The drops of each SA of one capture as judged (judgeReplayWindows) into `drops`, only the SAs
/// `spis` when given.
void collectDrops(ReplayDrops &drops, const CaptureIndex &ix, const CaptureAnalysis &an,
                  const std::vector<SaReplayJudgement> &judged, const QString &name,
                  const std::set<std::uint32_t> *spis = nullptr)
{
    for (const EspSaSequence &s : an.esp.sas) {
        if (s.saIndex >= judged.size() || (spis && !spis->count(s.spi))) continue;
        const std::uint64_t n = judged[s.saIndex].drops.value_or(0);
        if (n == 0) continue;
        const EspSa &sa = ix.espSas[s.saIndex];
        const Flow &fl = ix.flows[sa.flowId];
        const QString key =
            spiText(s.spi) + QLatin1Char(' ') + addr(fl.src) + QLatin1Char('>') + addr(fl.dst);
        auto &slot = drops[key];
        if (n > slot.first) slot = {n, spiRef(name, s.spi, s.firstNs)};
    }
}

/// Every SA of one capture judged with `window` (one capture: the window in use for all).
std::vector<SaReplayJudgement> judgeWithOneWindow(const CaptureIndex &ix, const CaptureAnalysis &an,
                                                  const std::atomic_bool *cancel, std::uint32_t window,
                                                  const QString &basis)
{
    return judgeReplayWindows(ix, an, std::vector<SaReplayJudgement>(ix.espSas.size(), {window, basis, {}}),
                              cancel);
}

/// SA `spi` as the kernel of its receiving host holds it: the latest `ip xfrm state` of capture
/// side `side` (one capture: 0 its own end, 1 the peer). Evidence tied to no side counts as the
/// capture's own end unless the sides are undecided (assignHostsOneCapture). Null: none names it.
const XfrmSa *receiverXfrmSa(const EvidenceSet &set, const HostSides &sides, int side, std::uint32_t spi,
                             QString *host)
{
    const EvidenceFile *xfrm = nullptr;
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok() || ef.kind != EvidenceKind::XfrmState) continue;
        int s = sides.sideOf(ef);
        if (s < 0 && !sides.undecided) s = 0;
        if (s != side) continue;
        if (!xfrm || phaseRank(ef.phase) >= phaseRank(xfrm->phase)) xfrm = &ef;
    }
    if (!xfrm) return nullptr;
    for (const XfrmSa &sa : std::get<XfrmStateList>(xfrm->data).sas)
        if (sa.spi == spi) {
            if (host) *host = xfrm->host;
            return &sa;
        }
    return nullptr;
}

// ---------------------------------------------------------------- path MTU and tunnel evidence

/// `ikev2wb probe PEER --json` output imported as evidence (the smallest proven MTU of several).
void probeFacts(Facts &f, const EvidenceFile &ef)
{
    const ProbeResult &p = std::get<ProbeResult>(ef.data);
    // Unreachable and inconclusive results (every size delivered up to --max, cancelled) prove no MTU.
    if (!p.pathMtu || p.limitedByMax || p.pmtud == QLatin1String("unreachable") ||
        p.pmtud == QLatin1String("inconclusive"))
        return;
    Facts::ProbeFact pf;
    pf.pathMtu = p.pathMtu;
    pf.target = isIpLiteral(p.target) ? p.target : QString();
    // Where it ran from (newer results): only one address tells a direction (the parser warned).
    pf.source = isIpLiteral(p.source) ? canonicalAddress(p.source) : QString();
    static const QRegularExpression word(QStringLiteral("^[a-z_]{1,32}\\z"));
    pf.verdict = word.match(p.pmtud).hasMatch() ? p.pmtud : QString();
    pf.ref.source = ef.path;
    pf.ref.counter = QStringLiteral("path_mtu %1").arg(p.pathMtu);
    f.probes.push_back(std::move(pf));
}

/// Which path each probe measured, by its target: an end of the tunnel (the outer path, as today's
/// fixes use it), an address inside the traffic selectors (the largest inner packet through the
/// tunnel), else neither — a probe of some other host proves nothing about this tunnel's path.
void classifyProbes(Facts &f)
{
    // Neither end known (evidence alone, no capture): nothing tells a probe measured another path,
    // so it stands for the outer path, without a direction unless its source is an end.
    const bool endsUnknown = f.localAddress.isEmpty() && f.peerAddress.isEmpty();
    for (const Facts::ProbeFact &p : f.probes) {
        const QString &t = p.target;
        const bool end = endsUnknown || (!t.isEmpty() && (t == f.localAddress || t == f.peerAddress ||
                                                          t == f.peerSeenHere || t == f.localSeenThere));
        const bool remote = !t.isEmpty() && !f.remoteSubnet.isEmpty() && inPrefix(t, f.remoteSubnet) == 1;
        const bool local = !t.isEmpty() && !f.localSubnet.isEmpty() && inPrefix(t, f.localSubnet) == 1;
        if (end) {
            if (f.probePathMtu && p.pathMtu >= f.probePathMtu) continue;
            f.probePathMtu = p.pathMtu;
            f.probeTarget = t;
            f.probeVerdict = p.verdict;
            f.probeRef = p.ref;
            f.probeSource = p.source;
            f.probeSourceRecorded = !p.source.isEmpty();
            // The end that sends over the proved path: the source when it is one end, else the other
            // end of the target (without a recorded source: as if run at that other end).
            const auto here = [&](const QString &a) {
                return !a.isEmpty() && (a == f.localAddress || a == f.localSeenThere);
            };
            const auto there = [&](const QString &a) {
                return !a.isEmpty() && (a == f.peerAddress || a == f.peerSeenHere);
            };
            f.probeSender.clear();
            if (!p.source.isEmpty() && here(p.source))
                f.probeSender = f.localAddress;
            else if (!p.source.isEmpty() && there(p.source))
                f.probeSender = f.peerAddress;
            else if (here(t))
                f.probeSender = f.peerAddress;
            else if (there(t))
                f.probeSender = f.localAddress;
        } else if (remote || local) {
            if (f.probeInnerMtu && p.pathMtu >= f.probeInnerMtu) continue;
            f.probeInnerMtu = p.pathMtu;
            f.probeInnerTarget = t;
            f.probeInnerVerdict = p.verdict;
            f.probeInnerRef = p.ref;
            // Into the remote selector the ESP packets leave this end; into the local one, the peer.
            f.probeInnerSender = remote ? f.localAddress : f.peerAddress;
        } else {
            // One multi-argument arg(): a "%1" inside the file name is not substituted again.
            f.probeNotes << QStringLiteral(
                                "a probe of %1 (path_mtu %2 in %3) is not used: %1 is neither end of "
                                "the tunnel (%4, %5) nor inside its traffic selectors%6, so it "
                                "measured some other path%7")
                                .arg(t.isEmpty() ? QStringLiteral("a host name") : t,
                                     QString::number(p.pathMtu), QFileInfo(p.ref.source).fileName(),
                                     f.localAddress.isEmpty() ? QStringLiteral("unknown") : f.localAddress,
                                     f.peerAddress.isEmpty() ? QStringLiteral("unknown") : f.peerAddress,
                                     f.localSubnet.isEmpty() && f.remoteSubnet.isEmpty()
                                         ? QStringLiteral(" (none in the evidence)")
                                         : QStringLiteral(" (%1, %2)").arg(f.localSubnet, f.remoteSubnet),
                                     p.source.isEmpty() ? QString()
                                                        : QStringLiteral(" (it ran from %1)").arg(p.source));
        }
    }
}

/// Capture A's host among the evidence hosts: the one assigned to it, else (one capture) the one
/// naming A's address (or the first); none when the evidence could not be tied to the capture.
struct PrimaryHost
{
    bool have = false, pair = false;
    QString host;
    [[nodiscard]] bool is(const QString &h) const
    {
        if (pair) return have && h == host;
        return have && (h == host || host.isEmpty() || h.isEmpty());
    }
};

PrimaryHost primaryHostOf(const EvidenceSet &set, const HostSides &sides, const QString &localAddress)
{
    // With two captures only evidence tied to capture A is A's (a file assigned with
    // --evidence-a has no host name of its own).
    const bool unnamedA = std::any_of(set.files().begin(), set.files().end(), [&](const EvidenceFile &ef) {
        return ef.status.ok() && ef.host.isEmpty() && sides.sideOf(ef) == 0;
    });
    PrimaryHost p;
    p.pair = sides.pair;
    p.have = !sides.undecided && (!sides.pair || sides.hostOfA() || unnamedA);
    p.host = sides.hostOfA()         ? *sides.hostOfA()
             : p.have && !sides.pair ? primaryHost(set, localAddress)
                                     : QString();
    return p;
}

/// Link and route MTUs on the path, route-based tunnel devices, the next hop towards the peer
/// and the inner families, from every host's evidence (not only capture A's host: the path MTU
/// is the smallest MTU of any hop, and the peer's or a router's link may be that hop).
void pathEvidenceFacts(Facts &f, const EvidenceSet &set, const HostSides &sides)
{
    // Route listings and probe results.
    std::map<QString, QString> routes, routeFile; // host → text, file
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok()) continue;
        if (ef.kind == EvidenceKind::ProbeResult) probeFacts(f, ef);
        if (ef.kind != EvidenceKind::IpRoute) continue;
        // Every listing of the host (IPv4 and IPv6, several snapshots): the first names it.
        QString &text = routes[ef.host];
        if (!text.isEmpty()) text += QLatin1Char('\n');
        text += std::get<RouteListing>(ef.data).lines.join(QLatin1Char('\n'));
        if (!routeFile.count(ef.host)) routeFile[ef.host] = ef.path;
    }

    // Hosts that are tunnel endpoints (IPsec state or configuration), the rest are routers.
    std::set<QString> endpoints;
    std::uint32_t stateIfId = 0;
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok()) continue;
        switch (ef.kind) {
        case EvidenceKind::XfrmState:
            endpoints.insert(ef.host);
            for (const XfrmSa &sa : std::get<XfrmStateList>(ef.data).sas)
                if (sa.ifId) stateIfId = sa.ifId;
            break;
        case EvidenceKind::SwanctlListSas:
            endpoints.insert(ef.host);
            for (const SwanctlIkeSa &ike : std::get<SwanctlSaList>(ef.data).ikeSas)
                for (const SwanctlChildSa &c : ike.children) {
                    trafficSelectorFamilies(c.localTs, f.innerIpv4, f.innerIpv6);
                    trafficSelectorFamilies(c.remoteTs, f.innerIpv4, f.innerIpv6);
                }
            break;
        case EvidenceKind::SwanctlConf:
        case EvidenceKind::IpsecConf:
            endpoints.insert(ef.host);
            for (const ConfigConnection &c : std::get<ConfigFile>(ef.data).connections)
                for (const ConfigChild &ch : c.children) {
                    trafficSelectorFamilies(setting(ch.settings, {"local_ts", "leftsubnet"}), f.innerIpv4,
                                            f.innerIpv6);
                    trafficSelectorFamilies(setting(ch.settings, {"remote_ts", "rightsubnet"}), f.innerIpv4,
                                            f.innerIpv6);
                    for (const char *k : {"if_id_in", "if_id_out"}) {
                        const QString v = setting(ch.settings, {k});
                        const bool on = !v.isEmpty() && v != QLatin1String("0");
                        if (on && !f.routeBased) {
                            f.routeBased = true;
                            f.routeBasedWhy =
                                QStringLiteral("%1 = %2 in %3")
                                    .arg(QLatin1String(k), oneLine(v, 40), oneLine(ef.path, 200));
                        }
                    }
                }
            break;
        default:
            break;
        }
    }
    if (stateIfId && !f.routeBased) {
        f.routeBased = true;
        f.routeBasedWhy = QStringLiteral("the SAs carry if_id 0x%1 (ip xfrm state)").arg(stateIfId, 0, 16);
    }

    // Latest `ip link` snapshot per host, and which interfaces' packet counters grew.
    std::map<QString, const EvidenceFile *> lastLink;
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok() || ef.kind != EvidenceKind::IpLink) continue;
        const EvidenceFile *&cur = lastLink[ef.host];
        if (!cur || phaseRank(ef.phase) >= phaseRank(cur->phase)) cur = &ef;
    }
    std::map<QString, std::set<QString>> grew; // host → interfaces that carried packets
    for (const SnapshotDelta &d : set.deltas()) {
        if (d.kind != EvidenceKind::IpLink) continue;
        for (const CounterDelta &c : d.counters)
            if (c.delta > 0 && (c.name.endsWith(QLatin1String(".rx_packets")) ||
                                c.name.endsWith(QLatin1String(".tx_packets"))))
                grew[d.host].insert(c.name.section(QLatin1Char('.'), 0, -2));
    }

    const PrimaryHost primary = primaryHostOf(set, sides, f.localAddress);
    const auto isPrimary = [&](const QString &host) { return primary.is(host); };
    // Each host's route towards the other end (the peer, or for the peer's host capture A's
    // address): its MTU metric is a hop's MTU; capture A's host's gives the fix its next hop and
    // any host route to the peer (with or without a link listing of that host).
    std::map<QString, std::pair<RouteTowards, QString>> towards; // host → route, its target
    for (const auto &[host, text] : routes) {
        const QStringList own = ownAddresses(text);
        QString target;
        // Each end routes towards the other as its own capture shows it (behind a NAT: the NAT's
        // address); a host tied to neither end towards whichever end is not its own.
        const auto tied = sides.byHost.find(host);
        const int end = tied != sides.byHost.end() ? tied->second : isPrimary(host) ? 0 : -1;
        const QString seen = end == 0 ? f.peerSeenHere : end == 1 ? f.localSeenThere : QString();
        for (const QString &a : {seen, f.peerAddress, f.localAddress})
            if (!a.isEmpty() && !own.contains(a)) {
                target = a;
                break;
            }
        const RouteTowards r = routeTowards(text, target.isEmpty() ? f.peerAddress : target);
        towards.emplace(host, std::make_pair(r, target));
        if (r.mtu > 0) {
            Facts::PathLinkMtu m;
            m.host = host;
            m.name = QStringLiteral("route %1").arg(r.line);
            m.mtu = r.mtu;
            m.route = true;
            m.why = QStringLiteral("the route to %1").arg(target);
            m.ref.source = routeFile[host];
            m.ref.counter = r.line;
            f.pathLinkMtus.push_back(m);
        }
        if (const auto side = sides.byHost.find(host);
            side != sides.byHost.end() && side->second == 1 &&
            (target == f.localAddress || (!f.localSeenThere.isEmpty() && target == f.localSeenThere)) &&
            !r.dev.isEmpty()) {
            f.peerSideRoute.known = r.via.isEmpty() || isIpLiteral(r.via);
            f.peerSideRoute.dev = r.dev;
            f.peerSideRoute.via = r.via;
            f.peerSideRoute.hostRoute = r.hostRoute;
            f.peerSideRoute.hostRouteLine = r.hostRoute ? r.line : QString();
            f.peerSideRoute.source = routeFile[host];
            if (const auto l = lastLink.find(host); l != lastLink.end())
                for (const LinkStats &ls : std::get<LinkStatsList>(l->second->data).links)
                    if (ls.name == r.dev) f.peerSideRoute.devMtu = ls.mtu;
        }
        if (isPrimary(host) && !target.isEmpty()) {
            f.peerRouteKnown = !r.dev.isEmpty() && (r.via.isEmpty() || isIpLiteral(r.via));
            f.wanGateway = f.peerRouteKnown ? r.via : QString();
            f.peerHostRoute = r.hostRoute;
            f.peerHostRouteLine = r.hostRoute ? r.line : QString();
            f.peerRouteSource = routeFile[host];
        }
    }
    for (const auto &[host, ef] : lastLink) {
        const auto &links = std::get<LinkStatsList>(ef->data).links;
        // Route-based tunnel devices: the tunnel's MTU and MSS clamp go there.
        for (const LinkStats &l : links) {
            const bool tunnelDev =
                l.linkKind == QLatin1String("xfrm") || l.linkKind.startsWith(QLatin1String("vti"));
            if (tunnelDev && !f.tunnelDeviceNames.contains(l.name)) f.tunnelDeviceNames << l.name;
            if (!tunnelDev || !isPrimary(host)) continue;
            if (f.tunnelInterface.isEmpty() || (stateIfId && l.ifId == stateIfId)) {
                f.routeBased = true;
                f.tunnelInterface = l.name;
                f.tunnelInterfaceMtu = l.mtu;
                f.routeBasedWhy =
                    QStringLiteral("%1 is an %2 interface%3 (%4)")
                        .arg(oneLine(l.name, 40),
                             l.linkKind == QLatin1String("xfrm") ? QStringLiteral("XFRM")
                                                                 : l.linkKind.toUpper(),
                             l.ifId ? QStringLiteral(" with if_id 0x%1").arg(l.ifId, 0, 16) : QString(),
                             ef->path);
            }
        }
        std::vector<std::pair<const LinkStats *, QString>> onPath;
        if (const auto rt = towards.find(host); rt != towards.end()) {
            for (const LinkStats &l : links)
                if (l.name == rt->second.first.dev)
                    onPath.emplace_back(&l, QStringLiteral("carries the route to %1")
                                                .arg(rt->second.second.isEmpty() ? QStringLiteral("the peer")
                                                                                 : rt->second.second));
        } else if (!endpoints.count(host)) {
            // A router without its routes: the interfaces that forwarded packets meanwhile.
            for (const LinkStats &l : links)
                if (l.name != QLatin1String("lo") && l.linkKind.isEmpty() && grew[host].count(l.name))
                    onPath.emplace_back(&l, QStringLiteral("a router interface whose packet counters grew "
                                                           "between the snapshots"));
        } else if (primary.have && host == primary.host && !f.wanInterface.isEmpty()) {
            for (const LinkStats &l : links)
                if (l.name == f.wanInterface)
                    onPath.emplace_back(&l, QStringLiteral("the interface facing the peer"));
        }
        for (const auto &[l, why] : onPath) {
            if (l->mtu <= 0) continue;
            Facts::PathLinkMtu m;
            m.host = host;
            m.name = l->name;
            m.mtu = l->mtu;
            m.why = why;
            m.ref.source = ef->path;
            m.ref.counter = QStringLiteral("%1 mtu %2").arg(l->name, QString::number(l->mtu));
            m.ref.line = l->line;
            f.pathLinkMtus.push_back(m);
        }
    }
    // A route-based tunnel whose device name was not in `ip -d link`: the route to the remote subnet.
    if (primary.have && f.routeBased && f.tunnelInterface.isEmpty() && !f.remoteSubnet.isEmpty()) {
        const auto rt = routes.find(primary.host);
        if (rt != routes.end()) {
            const QString dev = routeTowards(rt->second, f.remoteSubnet.section(QLatin1Char('/'), 0, 0)).dev;
            if (dev.startsWith(QLatin1String("xfrm")) || dev.startsWith(QLatin1String("vti")))
                f.tunnelInterface = dev;
        }
    }
    if (!f.innerIpv4 && !f.innerIpv6)
        trafficSelectorFamilies(f.localSubnet + QLatin1Char(' ') + f.remoteSubnet, f.innerIpv4, f.innerIpv6);
}

/// Unanswered, retransmitted requests against the retransmission schedule in use (the
/// configured one, else strongSwan's defaults): this capture's count, the peer capture's only
/// where this one has none.
void judgeUnansweredRequests(Facts &f)
{
    const RetransmitSchedule sched = retransmitScheduleInUse(f);
    RefCount gaveUp[2], notCaptured[2];
    double silence[2] = {0, 0}, needed[2] = {0, 0};
    for (const Facts::UnansweredRequest &u : f.unansweredRequests) {
        const int side = u.fromPeerCapture ? 1 : 0;
        // After n retransmissions charon waits timeout × base^n for the next one, or, after the
        // last one, before it gives up.
        const double wait = sched.waitAfter(int(u.retransmissions));
        const bool stopped = u.toCaptureEnd && u.silenceS > kRetransmitStopMargin * wait;
        if (u.restarted || stopped) {
            addCount(gaveUp[side], 1, u.ref);
        } else if (u.toCaptureEnd) {
            if (notCaptured[side].value == 0) {
                silence[side] = u.silenceS;
                needed[side] = wait;
            }
            addCount(notCaptured[side], 1, u.ref);
        }
    }
    const int g = gaveUp[0].value ? 0 : 1;
    addCount(f.ikeGaveUp, gaveUp[g].value, gaveUp[g].ref);
    const int n = notCaptured[0].value ? 0 : 1;
    f.ikeOutcomeNotCaptured = notCaptured[n];
    f.outcomeSilenceS = silence[n];
    f.outcomeNeededS = needed[n];
}

/// All SAs' emulated drops, citing the SA with the most.
RefCount totalDrops(const ReplayDrops &drops)
{
    RefCount total;
    const std::pair<std::uint64_t, EvidenceRef> *most = nullptr;
    for (const auto &[key, d] : drops) {
        total.value += d.first;
        if (!most || d.first > most->first) most = &d;
    }
    if (most) total.ref = most->second;
    return total;
}

/// The NAT's timeout for the tunnel's flow: nf_conntrack_udp_timeout_stream of any host's
/// sysctl (the NAT is usually a third box), a host that is neither capture's endpoint first.
void natTimeoutFacts(Facts &f, const EvidenceSet &set, const HostSides &sides)
{
    int best = 3;
    for (const EvidenceFile &ef : set.files()) {
        const auto *v = std::get_if<SysctlValues>(&ef.data);
        if (!v || !ef.status.ok()) continue;
        const auto it = v->values.find(QStringLiteral("net.netfilter.nf_conntrack_udp_timeout_stream"));
        bool ok = false;
        const double t = it == v->values.end() ? 0 : it->second.toDouble(&ok);
        if (!ok || !(t > 0) || !std::isfinite(t)) continue; // "nan" and "inf" are no timeout
        const int rank = sides.sideOf(ef) < 0 ? 0 : 1;
        if (rank < best) {
            best = rank;
            f.natUdpTimeoutS = t;
        }
    }
}

/// Anti-replay evidence of the host that receives one direction.
struct ReceiverReplay
{
    QString host, address;
    QString connection, child; // the receiver's names for the direction's CHILD_SA, empty unknown
    int window = -1;           // -1: no evidence names it
    QString windowSource;
    RefCount seqErrors, tooOld, duplicates;
    bool counters = false;     // a before/after pair of its xfrm_stat or ip -s xfrm state was read
    bool namesFromSas = false; // connection/child named by its swanctl --list-sas for the SPIs
};

/// The tunnel's addresses as either end sees them (capture A's endpoints, the ends' own and
/// behind a NAT the NAT's): what a configuration's remote addresses name at either end.
QStringList bothViews(const Facts &f)
{
    QStringList out = f.tunnelAddresses;
    for (const QString &a : {f.localAddress, f.peerAddress, f.localSeenThere, f.peerSeenHere})
        if (!a.isEmpty() && !out.contains(a)) out << a;
    return out;
}

/// The receiving host's (capture `side`'s endpoint) window for the SAs `spis` and its
/// anti-replay counters: XfrmInStateSeqError, and per SA "replay-window" (too old) and "replay"
/// (duplicate) from ip -s xfrm state before/after.
ReceiverReplay receiverReplay(const EvidenceSet &set, const HostSides &sides, int side,
                              const std::set<std::uint32_t> &spis, const QStringList &addresses)
{
    ReceiverReplay r;
    const EvidenceFile *xfrm = nullptr;
    bool namesFromSas = false;
    std::vector<const EvidenceFile *> configs;
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok() || sides.sideOf(ef) != side) continue;
        if (r.host.isEmpty()) r.host = ef.host;
        if (ef.kind == EvidenceKind::XfrmState && (!xfrm || phaseRank(ef.phase) >= phaseRank(xfrm->phase)))
            xfrm = &ef;
        if (ef.kind == EvidenceKind::SwanctlListSas)
            // The CHILD_SA that receives the direction's SPIs names the connection exactly.
            for (const SwanctlIkeSa &ike : std::get<SwanctlSaList>(ef.data).ikeSas)
                for (const SwanctlChildSa &c : ike.children)
                    if (spis.count(c.spiIn) && !namesFromSas) {
                        r.connection = ike.name;
                        r.child = c.name;
                        namesFromSas = true;
                    }
        if (ef.kind == EvidenceKind::SwanctlConf || ef.kind == EvidenceKind::IpsecConf)
            configs.push_back(&ef);
    }
    // The configured window of the direction's own CHILD_SA, never another connection's or
    // child's: the names its swanctl --list-sas gives the SPIs; else, as for this end
    // (tunnelConnection, configChildFacts), the one connection that may be the tunnel's
    // (its remote addresses take the tunnel's) and its only child, or the window all its
    // children share.
    for (const EvidenceFile *ef : configs) {
        const ConfigFile &cfg = std::get<ConfigFile>(ef->data);
        const ConfigConnection *conn = nullptr;
        if (namesFromSas) {
            for (const ConfigConnection &c : cfg.connections)
                if (c.name == r.connection) conn = &c;
        } else if (r.connection.isEmpty()) {
            bool byAddress = false;
            const auto pick = candidateConnections(addresses, cfg, &byAddress);
            if (pick.size() == 1) {
                conn = pick.front();
                r.connection = conn->name;
                if (conn->children.size() == 1) r.child = conn->children.front().name;
            }
        }
        if (!conn || conn->children.empty()) continue;
        int w = -2;
        for (const ConfigChild &ch : conn->children) {
            if (!r.child.isEmpty() && ch.name != r.child) continue;
            w = w == -2 || w == childReplayWindow(ch) ? childReplayWindow(ch) : -1;
        }
        if (w >= 0) {
            r.window = w;
            r.windowSource = QStringLiteral("configuration (%1)").arg(ef->path);
            break;
        }
    }
    r.namesFromSas = namesFromSas;
    if (xfrm) {
        // The SAs of this direction as the receiving kernel has them; a configured window is
        // only the intent, the kernel's is what drops.
        int kernel = -1;
        QString source;
        for (const XfrmSa &sa : std::get<XfrmStateList>(xfrm->data).sas) {
            if (!spis.count(sa.spi)) continue;
            r.address = sa.dst;
            if (kernel < 0 || int(sa.replayWindow) < kernel) {
                kernel = int(sa.replayWindow);
                source = QStringLiteral("ip xfrm state (%1)").arg(spiText(sa.spi));
            }
        }
        if (kernel >= 0) {
            r.window = kernel;
            r.windowSource = source;
        }
    }
    for (const SnapshotDelta &d : set.deltas()) {
        if (sides.sideOf(d.afterPath, d.host) != side) continue;
        if (d.kind == EvidenceKind::XfrmStat || d.kind == EvidenceKind::XfrmState) r.counters = true;
        for (const CounterDelta &c : d.counters) {
            if (d.kind == EvidenceKind::XfrmStat && c.name == QLatin1String("XfrmInStateSeqError")) {
                addDelta(r.seqErrors, d, c);
            } else if (d.kind == EvidenceKind::XfrmState) {
                bool ok = false;
                const std::uint32_t spi = c.name.section(QLatin1Char('@'), 0, 0).toUInt(&ok, 16);
                if (!ok || !spis.count(spi)) continue;
                if (c.name.endsWith(QLatin1String("/replay-window")))
                    addDelta(r.tooOld, d, c);
                else if (c.name.endsWith(QLatin1String("/replay")))
                    addDelta(r.duplicates, d, c);
            }
        }
    }
    return r;
}

/// One direction of a capture pair judged at its receiver.
struct DirectionReplay
{
    int receiverSide = 0;
    QString from, to;
    ReceiverReplay rx;
    std::set<std::uint32_t> spis;
    std::uint32_t window = 0; // in use: rx.window, else the assumption
    QString windowBasis;      // where it came from
    bool emulated = false;    // the receiver's capture carried ESP of this direction
    RefCount emulatedDrops;
    RefCount reordered;
    std::uint64_t maxReorderDistance = 0, minSafeWindow = 0;
    EvidenceRef minSafeWindowRef;
    [[nodiscard]] std::uint64_t drops() const
    {
        return std::max({rx.tooOld.value, rx.seqErrors.value, emulatedDrops.value});
    }
};

QString receiverText(const DirectionReplay &r)
{
    const QString address = r.rx.address.isEmpty() ? r.to : r.rx.address;
    return r.rx.host.isEmpty() ? QStringLiteral("the receiver %1").arg(address)
                               : QStringLiteral("host '%1' (%2)").arg(r.rx.host, address);
}

DirectionReplay directionReplay(const DiagnosisInput &in, const Facts &f, const EvidenceSet *set,
                                const HostSides &sides, int d)
{
    const CompareResult &cmp = *in.comparison;
    const DirectionComparison &dc = cmp.directions[d];
    DirectionReplay r;
    r.receiverSide = 1 - dc.from;
    r.from = f.dir[d].from;
    r.to = f.dir[d].to;
    std::set<std::uint32_t> &spis = r.spis;
    for (const SaComparison &sa : dc.sas)
        spis.insert(sa.spi);
    if (set) r.rx = receiverReplay(*set, sides, r.receiverSide, spis, bothViews(f));
    r.window = r.rx.window >= 0 ? std::uint32_t(r.rx.window) : f.assumptions.replayWindow;
    r.windowBasis = r.rx.window >= 0
                        ? QStringLiteral("read from %1 of %2: %3")
                              .arg(r.rx.windowSource, receiverText(r), QString::number(r.rx.window))
                        : QStringLiteral("assumed %1 (%2)")
                              .arg(f.assumptions.replayWindow)
                              .arg(f.assumptions.replayWindowFrom);
    const QString names[2] = {in.nameA, in.nameB};
    if (!dc.reorderedPackets.empty())
        addCount(
            r.reordered, dc.reordered,
            spiRef(names[r.receiverSide], dc.reorderedPackets.front().spi, dc.reorderedPackets.front().tsNs));
    else
        r.reordered.value = dc.reordered;
    const CaptureIndex *ix = r.receiverSide == 0 ? in.indexA : in.indexB;
    const CaptureAnalysis *an = r.receiverSide == 0 ? in.analysisA : in.analysisB;
    if (!ix || !an) return r;
    for (const EspSaSequence &s : an->esp.sas) {
        if (!spis.count(s.spi)) continue;
        r.emulated = true;
        r.maxReorderDistance = std::max(r.maxReorderDistance, s.maxReorderDistance);
        if (s.reordered && s.minWindowExact > r.minSafeWindow) {
            r.minSafeWindow = s.minWindowExact;
            r.minSafeWindowRef = spiRef(names[r.receiverSide], s.spi);
        }
    }
    return r;
}

/// Hosts whose kernel does not do IPv4 path MTU discovery (net.ipv4.ip_no_pmtu_disc ≠ 0), with
/// their own addresses, so the MTU findings can tell whether it is the end that sends.
void pmtuDiscFacts(Facts &f, const EvidenceSet &set)
{
    const auto own = hostAddresses(set);
    std::set<QString> seen;
    for (const EvidenceFile &ef : set.files()) {
        const auto *v = std::get_if<SysctlValues>(&ef.data);
        if (!v || !ef.status.ok() || seen.count(ef.host)) continue;
        const auto noPmtuDisc = sysctlInt(*v, QStringLiteral("net.ipv4.ip_no_pmtu_disc"));
        if (!noPmtuDisc) continue;
        const int mode = *noPmtuDisc;
        seen.insert(ef.host);
        if (mode < 1 || mode > 3) continue;
        Facts::PmtuDiscOff p;
        p.host = ef.host;
        p.mode = mode;
        p.minPmtu = sysctlInt(*v, QStringLiteral("net.ipv4.route.min_pmtu")).value_or(0);
        if (const auto a = own.find(ef.host); a != own.end())
            for (const auto &[address, where] : a->second)
                p.addresses << address;
        p.ref.source = ef.path;
        p.ref.counter = QStringLiteral("net.ipv4.ip_no_pmtu_disc = %1").arg(mode);
        f.pmtuDiscOff.push_back(p);
    }
}

// ---------------------------------------------------------------- firewall rules

/// A host's routes as its firewall rules are judged with: its own addresses and its routes towards
/// each end (the interfaces packets arrive on and leave by; symmetric routing assumed).
struct HostView
{
    bool known = false;
    QStringList own;
    QString routes;
};

/// Does the rule's chain and interface matches take packets `from` → `to` on the host? A rule
/// with an interface match is judged only with the host's routes (which interface the packets
/// use); without them it is left alone. iptables' built-in INPUT / OUTPUT / FORWARD see only the
/// packets to, from or through the host.
bool pathTakes(const FirewallRule &r, const HostView &h, const QString &from, const QString &to)
{
    const bool ifaces = !r.inIfaces.isEmpty() || !r.outIfaces.isEmpty();
    if (!h.known) return !ifaces;
    const bool fromHere = h.own.contains(from), toHere = h.own.contains(to);
    // Its own addresses are in a `show table all` listing only ("local ADDR" routes).
    if (!h.own.isEmpty() && (r.family == QLatin1String("ipv4") || r.family == QLatin1String("ipv6"))) {
        if (r.chain == QLatin1String("INPUT") && !toHere) return false;
        if (r.chain == QLatin1String("OUTPUT") && !fromHere) return false;
        if (r.chain == QLatin1String("FORWARD") && (fromHere || toHere)) return false;
    }
    if (!ifaces) return true;
    // routeTowards reads IPv4 routes only.
    if (from.contains(QLatin1Char(':')) || to.contains(QLatin1Char(':'))) return false;
    if (!r.inIfaces.isEmpty() && (fromHere || !interfacesTake(r.inIfaces, routeTowards(h.routes, from).dev)))
        return false;
    if (!r.outIfaces.isEmpty() && (toHere || !interfacesTake(r.outIfaces, routeTowards(h.routes, to).dev)))
        return false;
    return true;
}

/// A DROP/REJECT rule that takes the tunnel's IKE or ESP between `local` and `peer`; false for a
/// rule with matches this tool does not judge (a negation, conntrack state, a set, ...) and for a
/// rule whose chain or interfaces do not see the tunnel's packets on the host (`h`).
bool takesTunnel(const FirewallRule &r, const HostView &h, const QString &local, const QString &peer,
                 bool rawEsp, Facts::FirewallDrop &d)
{
    if (r.verdict != QLatin1String("DROP") && r.verdict != QLatin1String("REJECT")) return false;
    if (r.negated || !r.other.isEmpty()) return false;
    const bool v6 = peer.contains(QLatin1Char(':'));
    if ((r.family == QLatin1String("ipv4") || r.family == QLatin1String("ip")) && v6) return false;
    if ((r.family == QLatin1String("ipv6") || r.family == QLatin1String("ip6")) && !v6) return false;
    if (r.family != QLatin1String("ipv4") && r.family != QLatin1String("ipv6") &&
        r.family != QLatin1String("ip") && r.family != QLatin1String("ip6") &&
        r.family != QLatin1String("inet"))
        return false;
    const QString proto = r.proto;
    const bool any = proto.isEmpty() || proto == QLatin1String("all") || proto == QLatin1String("0");
    const bool esp = proto == QLatin1String("esp") || proto == QLatin1String("50");
    const bool udp = proto == QLatin1String("udp") || proto == QLatin1String("17");
    if (!any && !esp && !udp) return false;
    if (any && (!r.sports.empty() || !r.dports.empty() || !r.ports.empty())) return false;
    // Its counters must be about the tunnel: a catch-all rule (any UDP, or everything, from and to
    // anywhere) counts other traffic too, so its growth proves nothing about IKE or ESP.
    const bool portsNamed = !r.sports.empty() || !r.dports.empty() || !r.ports.empty();
    const auto everywhere = [](const QStringList &l) {
        return l.isEmpty() || std::any_of(l.begin(), l.end(),
                                          [](const QString &p) { return p.endsWith(QLatin1String("/0")); });
    };
    if (!esp && !(udp && portsNamed) && everywhere(r.src) && everywhere(r.dst)) return false;
    QStringList ports;
    if (udp || any)
        for (const int p : {500, 4500})
            if (portsTake(r.dports, p) && portsTake(r.sports, p) && portsTake(r.ports, p))
                ports << QString::number(p);
    d.esp = (esp || any) && rawEsp;
    d.ike = !ports.isEmpty();
    if (!d.esp && !d.ike) return false;
    if (local.isEmpty() || peer.isEmpty()) {
        if (!r.src.isEmpty() || !r.dst.isEmpty() || !r.inIfaces.isEmpty() || !r.outIfaces.isEmpty())
            return false;
    } else {
        for (const auto &[from, to] : {std::pair{local, peer}, std::pair{peer, local}}) {
            const int s = listTakes(r.src, from), t = listTakes(r.dst, to);
            if (s < 0 || t < 0) return false;
            if (s && t && pathTakes(r, h, from, to)) d.directions << QStringLiteral("%1 > %2").arg(from, to);
        }
        if (d.directions.isEmpty()) return false;
    }
    QStringList what;
    if (d.esp) what << QStringLiteral("ESP (IP protocol 50)");
    if (d.ike)
        what << QStringLiteral("UDP %1 (IKE%2)")
                    .arg(ports.join(QLatin1Char('/')),
                         ports.contains(QLatin1String("4500")) ? QStringLiteral(", ESP-in-UDP") : QString());
    d.what = what.join(QStringLiteral(" and "));
    d.ports = ports;
    return true;
}

/// Firewall rules of every host (endpoints and routers) that drop the tunnel's IKE or ESP: their
/// counters' growth between two snapshots, or with one snapshot their counters since reset.
void firewallFacts(Facts &f, const EvidenceSet &set, const HostSides &sides)
{
    // Capture A's host's own nft ruleset (its latest listing): the base chains on the input hook.
    const PrimaryHost primary = primaryHostOf(set, sides, f.localAddress);
    const EvidenceFile *nft = nullptr;
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok() || ef.kind != EvidenceKind::Firewall || !primary.is(ef.host)) continue;
        if (std::get<FirewallRuleset>(ef.data).format != QLatin1String("nft")) continue;
        if (!nft || phaseRank(ef.phase) >= phaseRank(nft->phase)) nft = &ef;
    }
    if (nft) {
        f.nftKnown = true;
        f.nftSource = nft->path;
        for (const FirewallRuleset::BaseChain &c : std::get<FirewallRuleset>(nft->data).baseChains)
            if (c.hook == QLatin1String("input")) f.nftInputChains.push_back(c);
    }

    std::set<QString> befores;
    std::map<QString, std::map<QString, std::pair<std::int64_t, std::int64_t>>>
        grew; // after file → key → +packets, +bytes
    for (const SnapshotDelta &d : set.deltas()) {
        if (d.kind != EvidenceKind::Firewall) continue;
        befores.insert(d.beforePath);
        auto &m = grew[d.afterPath];
        for (const CounterDelta &c : d.counters) {
            if (!c.inBefore || !c.inAfter) continue;
            if (c.name.endsWith(QLatin1String("/packets")))
                m[c.name.chopped(8)].first = c.delta;
            else if (c.name.endsWith(QLatin1String("/bytes")))
                m[c.name.chopped(6)].second = c.delta;
        }
    }
    const bool rawEsp = f.espRawPackets > 0 || (!f.natT && f.espUdpPackets == 0);
    std::map<QString, HostView> views; // host → its routes (`ip route show table all`)
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok() || ef.kind != EvidenceKind::IpRoute) continue;
        HostView &v = views[ef.host];
        const QString text = std::get<RouteListing>(ef.data).lines.join(QLatin1Char('\n'));
        v.known = true;
        v.own << ownAddresses(text);
        v.routes += text + QLatin1Char('\n');
    }
    for (const EvidenceFile &ef : set.files()) {
        if (!ef.status.ok() || ef.kind != EvidenceKind::Firewall || befores.count(ef.path)) continue;
        const HostView &view = views[ef.host];
        // An end's own rules match the other end as that end sees it; a router's the ends' own.
        int end = sides.sideOf(ef);
        if (end < 0 && !sides.pair && primary.is(ef.host)) end = 0;
        const QString local = end == 1 ? f.peerAddress : f.localAddress;
        const QString peer = end == 0   ? (f.peerSeenHere.isEmpty() ? f.peerAddress : f.peerSeenHere)
                             : end == 1 ? (f.localSeenThere.isEmpty() ? f.localAddress : f.localSeenThere)
                                        : f.peerAddress;
        const auto &fw = std::get<FirewallRuleset>(ef.data);
        for (const FirewallRuleset::DropPolicy &dp : fw.dropPolicies) {
            Facts::FirewallDropPolicy p{ef.host, fw.format, dp, {}};
            p.ref.source = ef.path;
            p.ref.line = dp.line;
            f.firewallDropPolicies.push_back(std::move(p));
        }
        const QStringList keys = firewallCounterKeys(fw);
        const auto g = grew.find(ef.path);
        for (std::size_t i = 0; i < fw.rules.size(); ++i) {
            const FirewallRule &r = fw.rules[i];
            if (!r.hasCounters) continue;
            Facts::FirewallDrop d;
            if (!takesTunnel(r, view, local, peer, rawEsp, d)) continue;
            d.end = end;
            d.local = local;
            d.peer = peer;
            if (g != grew.end()) {
                const auto k = g->second.find(keys[qsizetype(i)]);
                if (k == g->second.end() || k->second.first <= 0)
                    continue; // not in both snapshots, or did not grow
                d.delta = k->second.first;
                d.deltaBytes = k->second.second;
            } else if (r.packets == 0) {
                continue;
            }
            d.host = ef.host;
            d.format = fw.format;
            d.family = r.family;
            d.table = r.table;
            for (const FirewallRuleset::BaseChain &c : fw.baseChains)
                if (c.family == r.family && c.table == r.table && c.chain == r.chain) d.hook = c.hook;
            d.chain = r.chain;
            d.text = r.text;
            d.verdict = r.verdict;
            d.packets = r.packets;
            d.bytes = r.bytes;
            d.position = r.position;
            d.handle = r.handle;
            d.ref.source = ef.path;
            d.ref.line = r.line;
            d.ref.counter = d.delta >= 0
                                ? QStringLiteral("+%1 packets (+%2 bytes)").arg(d.delta).arg(d.deltaBytes)
                                : QStringLiteral("%1 packets (%2 bytes)").arg(r.packets).arg(r.bytes);
            f.firewallDrops.push_back(std::move(d));
        }
    }
}

/// One capture: the direction it sends is received by the peer, judged with the peer's own
/// anti-replay counters when its evidence is known (the capture's window is not the peer's).
void peerReceiverFacts(Facts &f, const EvidenceSet &set, const HostSides &sides, const CaptureIndex &ix,
                       const CaptureEnd &end)
{
    const bool peerKnown =
        std::any_of(sides.byHost.begin(), sides.byHost.end(), [](const auto &h) { return h.second == 1; });
    if (!peerKnown || end.local.isEmpty()) return;
    std::set<std::uint32_t> spis;
    for (const EspSa &sa : ix.espSas)
        if (addr(ix.flows[sa.flowId].src) == end.local) spis.insert(sa.spi);
    const ReceiverReplay rx = receiverReplay(set, sides, 1, spis, bothViews(f));
    if (!rx.tooOld.value && !rx.seqErrors.value && !rx.duplicates.value) return;
    f.replayOther << QStringLiteral(
                         "also %1 → %2 (sent by this capture's end), at its receiver%3: %4 dropped as too "
                         "old and %5 as duplicates, XfrmInStateSeqError +%6 (window %7)")
                         .arg(end.local, end.remote,
                              rx.host.isEmpty() ? QString() : QStringLiteral(" host '%1'").arg(rx.host))
                         .arg(rx.tooOld.value)
                         .arg(rx.duplicates.value)
                         .arg(rx.seqErrors.value)
                         .arg(rx.window < 0 ? QStringLiteral("unknown") : QString::number(rx.window));
}

/// Pair: the anti-replay facts of the direction with the most trouble, from its receiver's
/// evidence and capture; the other direction is summarised when its receiver drops too.
void pairReplayFacts(Facts &f, const DiagnosisInput &in, const HostSides &sides,
                     const std::atomic_bool *cancel)
{
    DirectionReplay r[2] = {directionReplay(in, f, in.evidence, sides, 0),
                            directionReplay(in, f, in.evidence, sides, 1)};
    // Each capture's SAs judged once, each with the window of the host receiving its direction
    // (by SPI, else by the receiver's address); these drops feed the facts and the totals.
    const CaptureIndex *ix[2] = {in.indexA, in.indexB};
    const CaptureAnalysis *an[2] = {in.analysisA, in.analysisB};
    const QString names[2] = {in.nameA, in.nameB};
    for (int side = 0; side < 2; ++side) {
        if (!ix[side] || !an[side]) continue;
        std::vector<SaReplayJudgement> windows(ix[side]->espSas.size());
        for (std::size_t i = 0; i < windows.size(); ++i) {
            const EspSa &sa = ix[side]->espSas[i];
            const QString dst = addr(ix[side]->flows[sa.flowId].dst);
            const DirectionReplay *d = r[0].spis.count(sa.spi)   ? &r[0]
                                       : r[1].spis.count(sa.spi) ? &r[1]
                                       : r[0].to == dst          ? &r[0]
                                       : r[1].to == dst          ? &r[1]
                                                                 : nullptr;
            windows[i] = d ? SaReplayJudgement{d->window, d->windowBasis, {}}
                           : SaReplayJudgement{f.assumptions.replayWindow,
                                               QStringLiteral("assumed %1 (%2)")
                                                   .arg(f.assumptions.replayWindow)
                                                   .arg(f.assumptions.replayWindowFrom),
                                               {}};
        }
        f.replayBySa[side] = judgeReplayWindows(*ix[side], *an[side], std::move(windows), cancel);
    }
    for (DirectionReplay &d : r) {
        const int rx = d.receiverSide;
        if (!ix[rx] || !an[rx]) continue;
        ReplayDrops drops;
        collectDrops(drops, *ix[rx], *an[rx], f.replayBySa[rx], names[rx], &d.spis);
        d.emulatedDrops = totalDrops(drops);
    }
    for (int k = 0; k < 2; ++k) {
        DirectionReplayWindow &w = f.replayWindows[k];
        w.from = r[k].from;
        w.to = r[k].to;
        w.receiver = receiverText(r[k]);
        w.window = r[k].window;
        w.assumed = r[k].rx.window < 0;
        w.basis = r[k].windowBasis;
        w.emulated = r[k].emulated;
        w.drops = r[k].emulatedDrops.value;
    }
    auto key = [](const DirectionReplay &x) {
        return std::make_tuple(x.rx.tooOld.value, x.drops(), x.reordered.value, x.minSafeWindow);
    };
    // The same choice whichever capture is A: ties go to the lower source address.
    int pick = key(r[1]) > key(r[0]) || (key(r[1]) == key(r[0]) && r[1].from < r[0].from) ? 1 : 0;
    const DirectionReplay &p = r[pick];
    f.replayDirection = QStringLiteral("%1 → %2").arg(p.from, p.to);
    f.replayReceiver = receiverText(p);
    f.replayReceiverSide = p.receiverSide;
    f.replayReceiverConnection = p.rx.connection;
    f.replayReceiverChild = p.rx.child;
    f.replayCounter = p.rx.seqErrors;
    f.replayTooOld = p.rx.tooOld;
    f.replayDuplicates = p.rx.duplicates;
    f.configuredReplayWindow = p.rx.window;
    f.replayWindowSource =
        p.rx.window < 0 ? QString() : QStringLiteral("%1 of %2").arg(p.rx.windowSource, f.replayReceiver);
    f.reordered = p.reordered;
    f.maxReorderDistance = p.maxReorderDistance;
    f.minSafeWindow = p.minSafeWindow;
    f.minSafeWindowRef = p.minSafeWindowRef;
    f.replayEmulated = p.emulated;
    f.emulatedReplayWindow = p.window;
    f.emulatedReplayDrops = p.emulatedDrops;
    const DirectionReplay &o = r[1 - pick];
    // What the receiver counted only when its counters were read; else only the emulation.
    if (o.drops() > 0 || o.rx.duplicates.value > 0)
        f.replayOther << QStringLiteral(
                             "also %1 → %2: %3 (window %4%5)%6; a window of %4 would drop %7 of the "
                             "captured packets")
                             .arg(o.from, o.to, receiverText(o), QString::number(o.window),
                                  o.rx.window < 0 ? QStringLiteral(", assumed") : QString(),
                                  o.rx.counters
                                      ? QStringLiteral(" dropped %1 as too old and %2 as duplicates; "
                                                       "XfrmInStateSeqError +%3")
                                            .arg(o.rx.tooOld.value)
                                            .arg(o.rx.duplicates.value)
                                            .arg(o.rx.seqErrors.value)
                                      : QStringLiteral(": its anti-replay counters were not given"),
                                  QString::number(o.emulatedDrops.value));
}

} // namespace

RetransmitSchedule retransmitScheduleInUse(const Facts &f)
{
    RetransmitSchedule s;
    if (f.retransmitTries >= 0) {
        s.tries = f.retransmitTries;
        s.triesConfigured = true;
    }
    if (f.retransmitTimeoutS > 0) {
        s.timeoutS = f.retransmitTimeoutS;
        s.timeoutConfigured = true;
    }
    if (f.retransmitBase >= 1) {
        s.base = f.retransmitBase;
        s.baseConfigured = true;
    }
    // What charon did (its log) stands for what the configuration read does not say.
    if (!s.triesConfigured && f.loggedRetransmitTries >= 0) {
        s.tries = f.loggedRetransmitTries;
        s.triesLogged = true;
    }
    if (!s.timeoutConfigured && !s.baseConfigured && f.loggedRetransmitTimeoutS > 0) {
        s.timeoutS = f.loggedRetransmitTimeoutS;
        s.base = f.loggedRetransmitBase;
        s.timeoutLogged = s.baseLogged = true;
    }
    if (s.triesLogged || s.timeoutLogged) s.loggedFrom = f.loggedScheduleFrom;
    return s;
}

LifetimesInUse lifetimesInUse(const Facts &f)
{
    LifetimesInUse l;
    if (f.rekeyTimeS > 0 && !f.ipsecConfStyle) {
        l.childRekeyS = f.rekeyTimeS;
        l.childRekeyConfigured = true;
    }
    if (f.childLifeTimeS > 0) {
        l.childLifeS = f.childLifeTimeS;
        l.childLifeConfigured = true;
    } else {
        l.childLifeS = l.childRekeyS * 1.1;
    }
    if (f.configChildren.size() > 1 && !f.configChildTied && !f.ipsecConfStyle) {
        for (const Facts::ConfigChildValues &v : f.configChildren) {
            LifetimesInUse::Child c;
            c.name = v.name;
            c.rekeyConfigured = v.rekeyS > 0;
            if (c.rekeyConfigured) c.rekeyS = v.rekeyS;
            c.lifeConfigured = v.lifeS > 0;
            c.lifeS = c.lifeConfigured ? v.lifeS : c.rekeyS * 1.1;
            l.eachChild.push_back(c);
        }
        const bool same =
            std::all_of(l.eachChild.begin(), l.eachChild.end(), [&](const LifetimesInUse::Child &c) {
                return c.rekeyS == l.eachChild.front().rekeyS && c.lifeS == l.eachChild.front().lifeS;
            });
        if (same) l.eachChild.clear();
    }
    if (f.ikeRekeyTimeS > 0) {
        l.ikeRekeyS = f.ikeRekeyTimeS;
        l.ikeRekeyConfigured = true;
    }
    if (f.ikeOverTimeS >= 0) {
        l.ikeOverS = f.ikeOverTimeS;
        l.ikeOverConfigured = true;
    } else {
        l.ikeOverS = 0.1 * std::max(l.ikeRekeyS, std::max(f.ikeReauthTimeS, 0.0));
    }
    if (f.marginTimeS >= 0) {
        l.marginS = f.marginTimeS;
        l.marginConfigured = true;
    }
    return l;
}

std::uint32_t replayWindowInUse(const Facts &f, QString *basis)
{
    if (f.configuredReplayWindow >= 0) {
        if (basis)
            *basis =
                QStringLiteral("read from %1: %2")
                    .arg(f.replayWindowSource.isEmpty() ? QStringLiteral("evidence") : f.replayWindowSource,
                         QString::number(f.configuredReplayWindow));
        return std::uint32_t(f.configuredReplayWindow);
    }
    if (basis)
        *basis = QStringLiteral("assumed %1 (%2)")
                     .arg(f.assumptions.replayWindow)
                     .arg(f.assumptions.replayWindowFrom);
    return f.assumptions.replayWindow;
}

double natUdpTimeoutInUse(const Facts &f, bool *assumed, QString *basis)
{
    const bool a = f.natUdpTimeoutS <= 0;
    if (assumed) *assumed = a;
    const double t = a ? f.assumptions.natUdpTimeoutS : f.natUdpTimeoutS;
    if (basis)
        *basis =
            a ? QStringLiteral("assumed %1 s (%2)").arg(t).arg(f.assumptions.natUdpTimeoutFrom)
              : QStringLiteral("read from sysctl net.netfilter.nf_conntrack_udp_timeout_stream: %1 s").arg(t);
    return t;
}

/// ESP that reached a capture's host while the host's own kernel SA for it counted nothing
/// (Facts::espNotAccepted). `sides` ties evidence to capture A / B; with one capture, the
/// evidence not assigned to B of the host that names A's address.
void notAcceptedFacts(Facts &f, const DiagnosisInput &in, const HostSides &sides)
{
    if (!in.evidence) return;
    const bool pair = in.indexB != nullptr;
    const QString primary = pair ? QString() : primaryHost(*in.evidence, f.localAddress);
    const QString names[2] = {in.nameA, in.nameB};
    for (int side = 0; side < (pair ? 2 : 1); ++side) {
        const CaptureIndex *ix = side == 0 ? in.indexA : in.indexB;
        if (!ix) continue;
        const EvidenceFile *xfrm = nullptr;
        for (const EvidenceFile &ef : in.evidence->files()) {
            if (!ef.status.ok() || ef.kind != EvidenceKind::XfrmState) continue;
            const int s = sides.sideOf(ef);
            const bool belongs =
                pair ? s == side : (s != 1 && (primary.isEmpty() || ef.host == primary || ef.host.isEmpty()));
            if (belongs && (!xfrm || phaseRank(ef.phase) >= phaseRank(xfrm->phase))) xfrm = &ef;
        }
        // A snapshot from before the traffic proves nothing about packets that came later.
        if (!xfrm || xfrm->phase == SnapshotPhase::Before) continue;
        const auto &sas = std::get<XfrmStateList>(xfrm->data).sas;
        for (const XfrmSa &k : sas) {
            if (!k.hasLifetimeCurrent || k.currentPackets != 0 || k.proto != QLatin1String("esp")) continue;
            std::uint64_t out = 0; // the host's own SAs back to the sender
            for (const XfrmSa &o : sas)
                if (o.hasLifetimeCurrent && o.src == k.dst && o.dst == k.src) out += o.currentPackets;
            if (xfrm->phase != SnapshotPhase::After && xfrm->phase != SnapshotPhase::During && out == 0)
                continue;
            const QString dst = canonicalAddress(k.dst);
            for (const EspSa &sa : ix->espSas) {
                if (sa.spi != k.spi || sa.packets < 3 || addr(ix->flows[sa.flowId].dst) != dst) continue;
                Facts::EspNotAccepted n;
                n.host = xfrm->host;
                n.address = dst;
                n.from = canonicalAddress(k.src);
                n.spi = k.spi;
                n.arrived = sa.packets;
                n.captureRef = spiRef(names[side], sa.spi, sa.firstNs);
                n.saRef.source = xfrm->path;
                n.saRef.spi = k.spi;
                n.saRef.hasSpi = true;
                n.saRef.counter = QStringLiteral("%1: 0 packets").arg(spiText(k.spi));
                f.espNotAccepted.push_back(n);
            }
        }
    }
}

/// One capture: each SA judged with the window of the host that receives it, when the evidence
/// gives it (that host's `ip xfrm state` entry for the SPI: the capture host's for what it
/// receives, the peer's for what it sends); otherwise an SA the capture host receives takes the
/// window in use (replayWindowInUse: this host's evidence, else the assumption) and one the peer
/// receives the assumption. Facts::replayWindows say, per direction, which it was.
void oneCaptureReplayFacts(Facts &f, const DiagnosisInput &in, const HostSides &sides, const CaptureEnd &end,
                           const std::atomic_bool *cancel)
{
    const CaptureIndex &ix = *in.indexA;
    const CaptureAnalysis &an = *in.analysisA;
    QString inUseBasis;
    const std::uint32_t inUse = replayWindowInUse(f, &inUseBasis);
    const QString assumedBasis =
        QStringLiteral("assumed %1 (%2)").arg(f.assumptions.replayWindow).arg(f.assumptions.replayWindowFrom);
    const QString local = !end.local.isEmpty() ? end.local : f.localAddress;
    const QString remote = !end.remote.isEmpty() ? end.remote : f.peerAddress;
    struct Direction
    {
        QString from, to, receiverText;
        int receiver = -1; // 0 the capture's end, 1 the peer, -1 unknown
        std::uint64_t packets = 0;
        std::vector<std::size_t> sas;
    };
    std::vector<Direction> dirs;
    std::vector<SaReplayJudgement> windows(ix.espSas.size());
    for (std::size_t i = 0; i < ix.espSas.size(); ++i) {
        const EspSa &sa = ix.espSas[i];
        const Flow &fl = ix.flows[sa.flowId];
        const QString src = addr(fl.src), dst = addr(fl.dst);
        const int receiver = !local.isEmpty() && dst == local     ? 0
                             : !remote.isEmpty() && dst == remote ? 1
                                                                  : -1;
        QString host;
        const XfrmSa *x = in.evidence && receiver >= 0
                              ? receiverXfrmSa(*in.evidence, sides, receiver, sa.spi, &host)
                              : nullptr;
        const QString who = host.isEmpty() ? QStringLiteral("the receiver %1").arg(dst)
                                           : QStringLiteral("host '%1' (%2)").arg(host, dst);
        // Without its kernel SA: the configured window of the CHILD_SA this host's swanctl
        // --list-sas names for the SPI; else the tunnel connection's (configChildFacts).
        const ReceiverReplay rx = !x && receiver == 0 && in.evidence
                                      ? receiverReplay(*in.evidence, sides, 0, {sa.spi}, bothViews(f))
                                      : ReceiverReplay{};
        if (x)
            windows[i] = {x->replayWindow,
                          QStringLiteral("read from ip xfrm state (%1) of %2: %3")
                              .arg(spiText(sa.spi), who, QString::number(x->replayWindow)),
                          {}};
        else if (receiver == 1)
            windows[i] = {f.assumptions.replayWindow, assumedBasis, {}};
        else if (rx.namesFromSas && rx.window >= 0)
            windows[i] = {
                std::uint32_t(rx.window),
                QStringLiteral("read from %1 for connection '%2' CHILD_SA '%3' (its SA %4 in swanctl "
                               "--list-sas): %5")
                    .arg(rx.windowSource, rx.connection, rx.child, spiText(sa.spi),
                         QString::number(rx.window)),
                {}};
        else if (rx.namesFromSas && f.replayWindowSource == QLatin1String("configuration"))
            windows[i] = {f.assumptions.replayWindow,
                          assumedBasis + QStringLiteral("; connection '%1' CHILD_SA '%2' (SA %3 in swanctl "
                                                        "--list-sas) sets no replay_window")
                                             .arg(rx.connection, rx.child, spiText(sa.spi)),
                          {}};
        else if (f.replayWindowSource == QLatin1String("configuration"))
            windows[i] = {inUse,
                          inUseBasis + QStringLiteral(", the replay_window of %1 (no evidence names the "
                                                      "child of SA %2)")
                                           .arg(f.replayWindowChild, spiText(sa.spi)),
                          {}};
        else
            windows[i] = {inUse, inUseBasis, {}};
        auto d = std::find_if(dirs.begin(), dirs.end(),
                              [&](const Direction &e) { return e.from == src && e.to == dst; });
        if (d == dirs.end()) {
            dirs.push_back({src, dst, who, receiver, 0, {}});
            d = dirs.end() - 1;
        }
        if (d->receiverText.startsWith(QLatin1String("the receiver")) && !host.isEmpty())
            d->receiverText = who;
        d->packets += sa.packets;
        d->sas.push_back(i);
    }
    f.replayBySa[0] = judgeReplayWindows(ix, an, std::move(windows), cancel);
    ReplayDrops drops;
    collectDrops(drops, ix, an, f.replayBySa[0], in.nameA);
    f.replayEmulated = !an.esp.sas.empty();
    f.emulatedReplayDrops = totalDrops(drops);
    f.emulatedReplayWindow = inUse;
    // The two directions of the tunnel (the capture's end and its peer), busiest first otherwise.
    std::stable_sort(dirs.begin(), dirs.end(), [](const Direction &a, const Direction &b) {
        const bool ka = a.receiver >= 0, kb = b.receiver >= 0;
        return ka != kb ? ka : a.packets > b.packets;
    });
    for (std::size_t k = 0; k < dirs.size() && k < 2; ++k) {
        const Direction &d = dirs[k];
        DirectionReplayWindow &w = f.replayWindows[k];
        w.from = d.from;
        w.to = d.to;
        w.receiver = d.receiverText;
        // The direction's smallest window among its SAs (the one that drops first), and its basis.
        std::size_t pick = d.sas.front();
        for (const std::size_t i : d.sas)
            if (f.replayBySa[0][i].window < f.replayBySa[0][pick].window) pick = i;
        w.window = f.replayBySa[0][pick].window;
        w.basis = f.replayBySa[0][pick].windowBasis;
        w.assumed = w.basis.startsWith(QLatin1String("assumed"));
        // The drops seen here are the receiver's only when this capture was taken at it.
        w.emulated = d.receiver == 0;
        std::uint64_t n = 0;
        for (const std::size_t i : d.sas)
            n += f.replayBySa[0][i].drops.value_or(0);
        w.drops = w.emulated ? n : 0;
    }
}

/// Adds `c` to `total`, citing the earliest of their first packets.
void addCountEarliest(RefCount &total, const RefCount &c)
{
    if (c.value == 0) return;
    if (total.value == 0 || c.ref.timeNs < total.ref.timeNs) total.ref = c.ref;
    total.value += c.value;
}

/// Counts by sending address in capture A (`here`) and B (`there`), summed over the two ends,
/// each end's from the capture that saw more of its sends (A's own address is f.localAddress,
/// B's f.peerAddress; every other sender is the other end's), citing the earliest.
RefCount eachEndFromTheCaptureThatSawMore(const std::map<QString, RefCount> &here,
                                          const std::map<QString, RefCount> &there, const Facts &f)
{
    RefCount seen[2][2]; // [end: 0 = A's, 1 = B's][capture: 0 = A, 1 = B]
    for (const auto &[sender, c] : here)
        addCountEarliest(seen[sender == f.localAddress ? 0 : 1][0], c);
    for (const auto &[sender, c] : there)
        addCountEarliest(seen[sender == f.peerAddress ? 1 : 0][1], c);
    RefCount total;
    for (int end = 0; end < 2; ++end)
        addCountEarliest(total, seen[end][1 - end].value > seen[end][end].value ? seen[end][1 - end]
                                                                                : seen[end][end]);
    return total;
}

/// A pair's IKE request retransmissions. Each capture sees all of its own end's and those of the
/// other end's that arrived, so per end the capture that saw more counts (on a tie the sender's
/// own): the same number and citation whichever capture is A. An end is a capture's own address;
/// every other sender is the other end's (behind a NAT it has another address in each capture).
/// The rekeys likewise. Without both ends' addresses, capture A's count stays, as with one capture.
void mergeRetransmissions(Facts &f, const Facts &peer)
{
    f.maxRetransmitsOneExchange = std::max(f.maxRetransmitsOneExchange, peer.maxRetransmitsOneExchange);
    f.rekeys = std::max(f.rekeys, peer.rekeys);
    if (f.localAddress.isEmpty() || f.peerAddress.isEmpty()) return;
    f.ikeRetransmissions =
        eachEndFromTheCaptureThatSawMore(f.ikeRetransmissionsBySender, peer.ikeRetransmissionsBySender, f);
    // The premature ones likewise, with the round trips and waits of both captures.
    f.ikePrematureRetransmissions =
        eachEndFromTheCaptureThatSawMore(f.ikePrematureBySender, peer.ikePrematureBySender, f);
    if (const auto it = f.ikeShortOfAnswersBySender.find(f.localAddress);
        it != f.ikeShortOfAnswersBySender.end())
        addCountEarliest(f.ikeShortOfAnswersPair, it->second);
    if (const auto it = peer.ikeShortOfAnswersBySender.find(f.peerAddress);
        it != peer.ikeShortOfAnswersBySender.end())
        addCountEarliest(f.ikeShortOfAnswersPair, it->second);
    f.ikePrematureRttS = std::max(f.ikePrematureRttS, peer.ikePrematureRttS);
    if (peer.ikePrematureWaitS > 0)
        f.ikePrematureWaitS = f.ikePrematureWaitS > 0 ? std::min(f.ikePrematureWaitS, peer.ikePrematureWaitS)
                                                      : peer.ikePrematureWaitS;
}

/// A capture holding the IKE/ESP of several tunnels (taken at a hub or a remote-access server,
/// or a router between several): the diagnosis judges all its packets as one tunnel, so a
/// figure of one (NAT-T, the suite, the path MTU, the peer in a command) may be another's. A
/// note lists the address pairs with their packets and says how to read one tunnel only
/// (`option`: --tunnel for capture A, --peer-tunnel for B). A capture read scoped to one tunnel
/// says so instead, with what was left out. `judged`: how B's tunnels were judged against A (B
/// read as the tunnel proven A's, or whole with none proven), said in the window's words.
void severalTunnelsNote(Facts &f, const CaptureIndex &ix, const QString &name, const QString &peer,
                        const QString &option, const PeerTunnel *judged = nullptr)
{
    if (ix.scope.active() && judged && judged->basis == PeerTunnel::Basis::Spis) {
        f.evidenceHosts << QStringLiteral("%1 (%2): %3 of its %4 packets are outside it (other tunnels, "
                                          "plain traffic, non-IP frames) and not judged; packet numbers "
                                          "are the file's; %5 ADDR[,ADDR] reads another of its tunnels")
                               .arg(peerTunnelNote(*judged), name,
                                    QString::number(ix.count(PacketKind::OutOfScope)),
                                    QString::number(ix.packetCount()), option);
    } else if (ix.scope.active()) {
        f.evidenceHosts << QStringLiteral(
                               "%1 is read as one tunnel, %2 %3: %4 of its %5 packets are outside it "
                               "(other tunnels, plain traffic, non-IP frames) and not judged; "
                               "packet numbers are the file's")
                               .arg(name, option, ix.scope.text(),
                                    QString::number(ix.count(PacketKind::OutOfScope)),
                                    QString::number(ix.packetCount()));
    }
    bool more = false; // a hostile capture's millions of pairs: 100000 are enough to say so
    const std::vector<TunnelPair> busiest = tunnelPairs(ix, 100000, &more);
    if (busiest.size() < 2) return;
    // The example: the pair holding the peer the other capture or the evidence names, else the busiest.
    // B judged against A: the pair carrying A's SPIs (the window's preselection) before those.
    std::pair<QString, QString> example{addr(busiest.front().a), addr(busiest.front().b)};
    bool spis = false;
    if (judged && judged->basis == PeerTunnel::Basis::NotProven)
        for (std::size_t i = 0; i < judged->pairs.size() && i < judged->sharesSpis.size(); ++i)
            if (judged->sharesSpis[i]) {
                example = {addr(judged->pairs[i].a), addr(judged->pairs[i].b)};
                spis = true;
                break;
            }
    for (const TunnelPair &p : busiest)
        if (!spis && !peer.isEmpty() && (addr(p.a) == peer || addr(p.b) == peer)) {
            example = {addr(p.a), addr(p.b)};
            break;
        }
    QStringList listed;
    for (std::size_t i = 0; i < busiest.size() && i < 6; ++i)
        listed << QStringLiteral("%1 ↔ %2: %3 packets")
                      .arg(addr(busiest[i].a), addr(busiest[i].b), QString::number(busiest[i].packets));
    if (busiest.size() > 6)
        listed << QStringLiteral("%1%2 more")
                      .arg(QString::number(busiest.size() - 6), more ? QStringLiteral("+") : QString());
    const QString judgedText = judged && judged->basis == PeerTunnel::Basis::NotProven
                                   ? peerTunnelNote(*judged) + QStringLiteral(". ")
                                   : QString();
    f.evidenceHosts << judgedText +
                           QStringLiteral(
                               "%1 holds the IKE/ESP of %2 address pairs (%3): they are judged as one "
                               "tunnel here, so a figure of one (NAT-T, the ESP suite, the path MTU, the "
                               "peer in a command) may be another's; read one tunnel only and diagnose "
                               "that: %4 %5,%6 (ikev2wb diagnose), or cut it out with tcpdump -r FILE -w "
                               "ONE.pcap '(host %5 and host %6) or icmp or icmp6'")
                               .arg(name, QString::number(busiest.size()), listed.join(QStringLiteral("; ")),
                                    option, example.first, example.second);
}

Facts deriveFacts(const DiagnosisInput &in, const std::atomic_bool *cancel)
{
    Facts f;
    // Polled between the stages; the passes over the packets (judgeReplayWindows) poll it too.
    const auto stop = [&f, cancel]() {
        if (cancel && cancel->load(std::memory_order_relaxed)) f.cancelled = true;
        return f.cancelled;
    };
    if (stop()) return f;
    f.assumptions = in.assumptions;
    if (in.comparison) pairFacts(f, *in.comparison, in.nameA, in.nameB);
    if (in.indexB && !f.localAddress.isEmpty())
        for (const Flow &fl : in.indexB->flows)
            if (addr(fl.dst) == f.localAddress && (fl.proto == 50 || fl.proto == 17))
                f.localSeenAtPeer = true;
    // Packets each capture holds that arrived corrupted: a pair's direction into it lost them.
    const auto corruptedArrivals = [](const Facts &x) {
        return x.corruptHeaders.value + x.corruptSpiPackets.value + x.outOfRunSeq.value;
    };
    std::uint64_t arrivedCorrupted[2] = {0, 0};
    if (in.indexA && in.analysisA) {
        captureFacts(f, *in.indexA, *in.analysisA, in.nameA);
        arrivedCorrupted[0] = corruptedArrivals(f);
    }
    if (stop()) return f;
    if (in.indexB && in.analysisB) {
        // The peer's capture adds what only the receiving side sees (reordering, the minimum
        // safe window); its own losses are already in the comparison.
        Facts peer;
        captureFacts(peer, *in.indexB, *in.analysisB, in.nameB);
        f.captureDrops[1] = peer.captureDrops[0];
        arrivedCorrupted[1] = corruptedArrivals(peer);
        addCountEarliest(f.corruptHeaders, peer.corruptHeaders);
        addCountEarliest(f.corruptSpiPackets, peer.corruptSpiPackets);
        addCountEarliest(f.outOfRunSeq, peer.outOfRunSeq);
        if (peer.minSafeWindow > f.minSafeWindow) {
            f.minSafeWindow = peer.minSafeWindow;
            f.minSafeWindowRef = peer.minSafeWindowRef;
        }
        f.maxReorderDistance = std::max(f.maxReorderDistance, peer.maxReorderDistance);
        if (!f.ptbSeen && peer.ptbSeen) {
            f.ptbSeen = true;
            f.ptbMtu = peer.ptbMtu;
            f.ptbRef = peer.ptbRef;
            f.ptbTo = peer.ptbTo;
            f.ptbFirst = peer.ptbFirst;
        }
        if (!f.ptbBelowMinMtu && peer.ptbBelowMinMtu) {
            f.ptbBelowMinMtu = peer.ptbBelowMinMtu;
            f.ptbBelowMinRef = peer.ptbBelowMinRef;
        }
        f.natT = f.natT || peer.natT;
        f.natDetected = f.natDetected || peer.natDetected;
        f.ikeEstablished = f.ikeEstablished || peer.ikeEstablished;
        if (f.rebindings.value == 0) f.rebindings = peer.rebindings;
        if (f.icmpPortUnreachNatT.value == 0) f.icmpPortUnreachNatT = peer.icmpPortUnreachNatT;
        if (f.icmpAdminProhibited.value == 0) {
            f.icmpAdminProhibited = peer.icmpAdminProhibited;
            f.icmpRejectQuotes = peer.icmpRejectQuotes;
            f.icmpRejectReporter = peer.icmpRejectReporter;
            f.icmpRejectQuotedSrc = peer.icmpRejectQuotedSrc;
            f.icmpRejectAtPeer = f.icmpAdminProhibited.value > 0;
        }
        if (f.ikeIpFragmentedUnanswered.value == 0) {
            f.ikeIpFragmentedUnanswered = peer.ikeIpFragmentedUnanswered;
            f.ikeSkfIpFragmented = peer.ikeSkfIpFragmented;
            f.largestFragmentedIke = std::max(f.largestFragmentedIke, peer.largestFragmentedIke);
            f.fragmentedIkeRetransmissions = peer.fragmentedIkeRetransmissions;
        }
        if (f.ikeIpFragmentsMissing.value == 0) f.ikeIpFragmentsMissing = peer.ikeIpFragmentsMissing;
        if (f.ikeSkfMissing.value == 0) f.ikeSkfMissing = peer.ikeSkfMissing;
        f.ikeSaInitAnswered = f.ikeSaInitAnswered || peer.ikeSaInitAnswered;
        f.fragSupportInitiator = std::max(f.fragSupportInitiator, peer.fragSupportInitiator);
        f.fragSupportResponder = std::max(f.fragSupportResponder, peer.fragSupportResponder);
        f.espRawPackets += peer.espRawPackets;
        f.espUdpPackets += peer.espUdpPackets;
        mergeRetransmissions(f, peer);
        for (Facts::UnansweredRequest u : peer.unansweredRequests) {
            u.fromPeerCapture = true;
            f.unansweredRequests.push_back(u);
        }
        if (peer.idleBeforeFailureS > 0 &&
            (f.idleBeforeFailureS == 0 || peer.idleBeforeFailureS < f.idleBeforeFailureS))
            f.idleBeforeFailureS = peer.idleBeforeFailureS;
        f.longestIdleSurvivedS = std::max(f.longestIdleSurvivedS, peer.longestIdleSurvivedS);
        f.longestIdleS = std::max(f.longestIdleS, peer.longestIdleS);
        f.idleGaps.insert(f.idleGaps.end(), peer.idleGaps.begin(), peer.idleGaps.end());
        f.keepaliveIntervalS = std::max(f.keepaliveIntervalS, peer.keepaliveIntervalS);
        f.largestOuter = std::max(f.largestOuter, peer.largestOuter);
    }
    for (DirectionFacts &d : f.dir)
        if (f.havePair && d.fromSide >= 0) d.arrivedCorrupted = arrivedCorrupted[1 - d.fromSide];
    if (in.indexA)
        severalTunnelsNote(f, *in.indexA, in.nameA, f.peerSeenHere, QStringLiteral("--tunnel"),
                           in.comparison ? &in.comparison->ownTunnel : nullptr);
    if (in.indexB)
        severalTunnelsNote(f, *in.indexB, in.nameB, f.localSeenThere, QStringLiteral("--peer-tunnel"),
                           in.comparison ? &in.comparison->peerTunnel : nullptr);
    if (stop()) return f;
    HostSides sides;
    CaptureEnd oneEnd; // one capture: its tunnel's ends
    if (in.evidence) {
        const QString names[2] = {in.nameA, in.nameB};
        partlyReadEvidenceNotes(*in.evidence, f.evidenceHosts);
        sides = assignHosts(*in.evidence, in.comparison, names, f.evidenceHosts);
        if (!in.comparison && in.indexA) {
            oneEnd = captureEnd(*in.indexA);
            assignHostsOneCapture(*in.evidence, oneEnd, in.nameA, sides, f.evidenceHosts);
        }
        QSet<std::uint32_t> spis;
        for (const CaptureIndex *ix : {in.indexA, in.indexB})
            if (ix)
                for (const EspSa &sa : ix->espSas)
                    spis.insert(sa.spi);
        evidenceFacts(f, *in.evidence, sides, spis);
        natTimeoutFacts(f, *in.evidence, sides);
        pathEvidenceFacts(f, *in.evidence, sides);
        firewallFacts(f, *in.evidence, sides);
        pmtuDiscFacts(f, *in.evidence);
    }
    // One capture: where the evidence did not name the ends, the TTLs do when they prove at which
    // end the capture was taken (captureEnd); otherwise they stay unknown (placeholders).
    if (!in.comparison && !in.indexB && in.indexA) {
        if (oneEnd.a.isEmpty()) oneEnd = captureEnd(*in.indexA);
        const bool localFits = f.localAddress.isEmpty() || f.localAddress == oneEnd.local;
        const bool peerFits = f.peerAddress.isEmpty() || f.peerAddress == oneEnd.remote;
        if (!oneEnd.local.isEmpty() && localFits && peerFits &&
            (f.localAddress.isEmpty() || f.peerAddress.isEmpty())) {
            f.localAddress = oneEnd.local;
            f.peerAddress = oneEnd.remote;
            f.evidenceHosts << QStringLiteral("this capture was taken at %1, the peer is %2: %3")
                                   .arg(oneEnd.local, oneEnd.remote, oneEnd.why);
        }
    }

    if (in.indexA && !f.localAddress.isEmpty() && !f.peerAddress.isEmpty()) {
        f.espSentCaptured = f.espFromPeerCaptured = f.fromPeerCaptured = 0;
        for (const Flow &fl : in.indexA->flows)
            if (addr(fl.dst) == f.localAddress &&
                (addr(fl.src) == f.peerAddress || addr(fl.src) == f.peerSeenHere))
                f.fromPeerCaptured += std::int64_t(fl.packets);
        for (const EspSa &sa : in.indexA->espSas) {
            const Flow &fl = in.indexA->flows[sa.flowId];
            const QString src = addr(fl.src), dst = addr(fl.dst);
            if (src == f.localAddress && (dst == f.peerAddress || dst == f.peerSeenHere))
                f.espSentCaptured += std::int64_t(sa.packets);
            else if (dst == f.localAddress && (src == f.peerAddress || src == f.peerSeenHere))
                f.espFromPeerCaptured += std::int64_t(sa.packets);
        }
    }
    if (in.indexA && in.analysisA) chooseBlackHole(f, *in.indexA, *in.analysisA, in.nameA);
    if (in.indexA && in.analysisA && !f.havePair) peerSilenceFacts(f, *in.indexA, *in.analysisA, in.nameA);
    if (stop()) return f; // fillPacketNumber walks every packet of a capture
    if (in.indexA && f.blackHoleBackoff) fillPacketNumber(f.blackHoleRef, *in.indexA);
    if (in.indexA && f.deliveredRef.source == in.nameA)
        fillPacketNumber(f.deliveredRef, *in.indexA);
    else if (in.indexB && f.deliveredRef.source == in.nameB)
        fillPacketNumber(f.deliveredRef, *in.indexB);
    judgeUnansweredRequests(f);
    if (stop()) return f;

    // Anti-replay at the window in use (known from the evidence only now): with two captures
    // per direction at its receiver, else on what the one capture received.
    if (in.comparison) {
        // Evidence tied to neither capture is no one's receiver (assignHosts' notes say so).
        pairReplayFacts(f, in, sides, cancel);
    } else if (in.indexA && in.analysisA && !in.indexB) {
        oneCaptureReplayFacts(f, in, sides, oneEnd, cancel);
        if (in.evidence) peerReceiverFacts(f, *in.evidence, sides, *in.indexA, oneEnd);
    } else {
        QString basis;
        const std::uint32_t window = replayWindowInUse(f, &basis);
        ReplayDrops drops;
        bool esp = false;
        if (in.indexA && in.analysisA) {
            esp = esp || !in.analysisA->esp.sas.empty();
            f.replayBySa[0] = judgeWithOneWindow(*in.indexA, *in.analysisA, cancel, window, basis);
            collectDrops(drops, *in.indexA, *in.analysisA, f.replayBySa[0], in.nameA);
        }
        if (in.indexB && in.analysisB) {
            esp = esp || !in.analysisB->esp.sas.empty();
            f.replayBySa[1] = judgeWithOneWindow(*in.indexB, *in.analysisB, cancel, window, basis);
            collectDrops(drops, *in.indexB, *in.analysisB, f.replayBySa[1], in.nameB);
        }
        f.replayEmulated = esp;
        f.emulatedReplayWindow = window;
        f.emulatedReplayDrops = totalDrops(drops);
        if (in.evidence && in.indexA) peerReceiverFacts(f, *in.evidence, sides, *in.indexA, oneEnd);
    }

    // A pass cancelled inside left its drops unknown: the facts are incomplete.
    if (stop()) return f;
    notAcceptedFacts(f, in, in.comparison && in.evidence && !sides.assigned ? HostSides{} : sides);
    classifyProbes(f);

    // Without a negotiated suite, estimate it from the ESP lengths of the largest SA (the first
    // EspSaSequence::kSuiteLengths of them, summarised by its sequence analysis).
    if (f.suiteSource.isEmpty() && in.indexA && in.analysisA &&
        in.analysisA->esp.sas.size() == in.indexA->espSas.size() && !in.indexA->espSas.empty()) {
        std::size_t best = 0;
        for (std::size_t i = 1; i < in.indexA->espSas.size(); ++i)
            if (in.indexA->espSas[i].packets > in.indexA->espSas[best].packets) best = i;
        const bool udp = in.indexA->espSas[best].encap == Encapsulation::Udp;
        const OverheadEstimate est = estimateSuiteFromEspLengths(in.analysisA->esp.sas[best].lengths, udp);
        if (est.found && !est.candidates.empty()) {
            f.suite = est.candidates.front().suite;
            f.suiteSource = QStringLiteral("estimated from ESP lengths");
            for (const SuiteCandidate &c : est.candidates)
                f.suiteCandidates.push_back(c.suite);
        }
    }
    return f;
}

const char *pathMtuSourceName(PathMtuSource s)
{
    switch (s) {
    case PathMtuSource::None:
        return "none";
    case PathMtuSource::Probe:
        return "probe";
    case PathMtuSource::Icmp:
        return "icmp";
    case PathMtuSource::LinkMtu:
        return "link_mtu";
    case PathMtuSource::ProvenDelivered:
        return "proven_delivered";
    }
    return "none";
}

namespace {

/// "packet #123 at 12:00:01.5 in right-outer.pcap", "SPI 0x…", "wan0 mtu 1350 (right-link-end.txt)".
QString refWhere(const EvidenceRef &r)
{
    QStringList parts;
    if (r.packet > 0) parts << QStringLiteral("packet #%1").arg(r.packet);
    if (r.hasSpi) parts << QStringLiteral("SPI %1").arg(spiText(r.spi));
    if (!r.counter.isEmpty() && r.packet <= 0) parts << r.counter;
    if (!r.source.isEmpty()) parts << QStringLiteral("in %1").arg(QFileInfo(r.source).fileName());
    return parts.join(QLatin1Char(' '));
}

/// The outer packet size that carries an inner packet of `inner` bytes with the facts' suite,
/// outer family and NAT-T (with estimated candidates, the smallest of theirs); 0 when no suite
/// is known. `suiteName` gets the suite's name.
/// Where Facts::suiteCandidates come from, as "the suites %1".
QString candidatesFrom(const Facts &f)
{
    if (f.suiteSource == QLatin1String("ip xfrm state")) return QStringLiteral("of the SAs in ip xfrm state");
    if (f.suiteSource == QLatin1String("swanctl --list-sas"))
        return QStringLiteral("of the CHILD_SAs in swanctl --list-sas");
    return f.suiteSource == QLatin1String("configuration") ? QStringLiteral("the configured proposals allow")
                                                           : QStringLiteral("the ESP lengths fit");
}

std::uint32_t outerForInner(const Facts &f, std::uint32_t inner, QString *suiteName)
{
    if (f.suiteSource.isEmpty()) return 0;
    std::vector<EspSuite> suites = f.suiteCandidates;
    if (suites.empty()) suites.push_back(f.suite);
    std::uint32_t best = 0;
    for (const EspSuite &s : suites) {
        OverheadInput in;
        in.suite = s;
        in.outerIpv6 = f.outerIpv6;
        in.natT = f.natT;
        in.tunnelMode = true;
        // The inner MTU grows with the outer one: the first outer size whose inner MTU holds it.
        for (std::uint32_t outer = inner; outer <= inner + 256; ++outer) {
            in.pathMtu = int(outer);
            const OverheadResult o = computeEspOverhead(in);
            if (!o.valid || o.tunnelMtu < int(inner)) continue;
            if (!best || outer < best) {
                best = outer;
                if (suiteName) *suiteName = espSuiteName(s);
            }
            break;
        }
    }
    return best;
}

/// The peer's outer address when it is a valid literal, else the placeholder.
QString peerForCommand(const Facts &f)
{
    return isIpLiteral(f.peerAddress) ? f.peerAddress : QStringLiteral("<peer-address>");
}

} // namespace

PathMtuDecision decidePathMtu(const Facts &f)
{
    PathMtuDecision d;
    const QString peer = peerForCommand(f);
    const int ipIcmp = f.outerIpv6 ? 48 : 28; // outer IP + ICMP echo header: ping -s = size − this
    const QString ping6 = f.outerIpv6 ? QStringLiteral(" -6") : QString();
    const std::uint32_t lower = f.pathMtuLower, upper = f.pathMtuUpper;
    // A size-dependent loss proven at or below a value means that value does not pass.
    auto contradicted = [&](std::uint32_t v) { return upper > 0 && v >= upper; };
    auto refineBetween = [&](std::uint32_t lo, std::uint32_t hi) {
        QString r = QStringLiteral("ping%1 -M do -c 3 -s %2 %3 (outer %4 bytes) must be answered")
                        .arg(ping6)
                        .arg(int(lo) - ipIcmp)
                        .arg(peer)
                        .arg(lo);
        if (hi > lo + 1)
            r += QStringLiteral("; raise -s towards %1 (outer %2) to find the largest size answered, or run "
                                "ikev2wb probe %3 --min %4 --max %2")
                     .arg(int(hi) - 1 - ipIcmp)
                     .arg(hi - 1)
                     .arg(peer)
                     .arg(lo);
        else
            r += QStringLiteral(", or run ikev2wb probe %1").arg(peer);
        return r;
    };
    // A size that passed with none proven lost: confirming it would prove nothing new, so the search
    // starts there and goes up to the interface's MTU (or confirms it when it fills the interface).
    auto searchUpFrom = [&](std::uint32_t lo) {
        const int top = std::max(f.interfaceMtu > 0 ? f.interfaceMtu : 1500, int(lo));
        if (top <= int(lo)) return refineBetween(lo, lo);
        return QStringLiteral("ikev2wb probe %1 --min %2 --max %3, or ping%4 -M do -c 3 -s SIZE %1 for SIZE "
                              "from %5 up to %6 (outer %2 to %3 bytes): the largest size answered")
            .arg(peer)
            .arg(lo)
            .arg(top)
            .arg(ping6)
            .arg(int(lo) - ipIcmp)
            .arg(top - ipIcmp);
    };

    d.notes = f.probeNotes;
    // A probe through the tunnel measured the inner MTU itself: the fixes use it as measured.
    QString innerText;
    if (f.probeInnerMtu) {
        d.innerMtu = f.probeInnerMtu;
        innerText =
            QStringLiteral("an active probe of %1 through the tunnel: inner packets up to %2 bytes "
                           "delivered%3 (%4)")
                .arg(f.probeInnerTarget, QString::number(f.probeInnerMtu),
                     f.probeInnerVerdict.isEmpty() ? QString()
                                                   : QStringLiteral(", PMTUD %1").arg(f.probeInnerVerdict),
                     refWhere(f.probeInnerRef));
    }
    if (f.probePathMtu) {
        d.value = f.probePathMtu;
        d.source = PathMtuSource::Probe;
        d.ref = f.probeRef;
        d.text =
            QStringLiteral("measured by an active probe%1: %2 bytes%3 (%4)")
                .arg(
                    (f.probeTarget.isEmpty() ? QString() : QStringLiteral(" of %1").arg(f.probeTarget)) +
                        (f.probeSource.isEmpty() ? QString() : QStringLiteral(" from %1").arg(f.probeSource)),
                    QString::number(f.probePathMtu),
                    f.probeVerdict.isEmpty() ? QString() : QStringLiteral(", PMTUD %1").arg(f.probeVerdict),
                    refWhere(f.probeRef));
        if (!innerText.isEmpty()) d.text += QStringLiteral("; the inner MTU measured by ") + innerText;
        d.refine = refineBetween(f.probePathMtu, f.probePathMtu);
        return d;
    }
    if (f.probeInnerMtu) {
        // The outer size of the largest inner packet delivered: with an estimated suite the
        // smallest of the candidates' (a packet at least that large went through).
        QString suiteName;
        const std::uint32_t outer = outerForInner(f, f.probeInnerMtu, &suiteName);
        if (outer) {
            d.value = outer;
            d.source = PathMtuSource::Probe;
            d.ref = f.probeInnerRef;
            d.text =
                QStringLiteral("%2; with %3%4 the largest of them is a %1-byte outer packet, so the path "
                               "carries at least %1 bytes")
                    .arg(outer)
                    .arg(innerText, suiteName,
                         f.suiteCandidates.size() > 1
                             ? QStringLiteral(" (the smallest overhead of the suites %1)")
                                   .arg(candidatesFrom(f))
                             : QString());
            const bool inner6 = f.probeInnerTarget.contains(QLatin1Char(':'));
            const int innerIcmp = inner6 ? 48 : 28;
            d.refine =
                QStringLiteral("from an inner host: ping%1 -M do -c 3 -s %2 %3 (inner %4 bytes) must be "
                               "answered, or run ikev2wb probe %3")
                    .arg(inner6 ? QStringLiteral(" -6") : QString(),
                         QString::number(int(f.probeInnerMtu) - innerIcmp), f.probeInnerTarget,
                         QString::number(f.probeInnerMtu));
            return d;
        }
        d.notes << QStringLiteral("%1: the tunnel's suite is not known, so the outer size is not (the inner "
                                  "MTU is used for the MSS only)")
                       .arg(innerText);
    }
    // The smallest MTU an outer link may have: IPv4's 68 (RFC 791), IPv6's 1280 (RFC 8200 §5).
    const std::uint32_t minLinkMtu = f.outerIpv6 ? 1280 : 68;
    if (f.ptbBelowMinMtu)
        d.notes << QStringLiteral(
                       "an ICMPv6 packet-too-big reports MTU %1 (%2), below IPv6's minimum link MTU "
                       "of 1280 bytes (RFC 8200): not a path MTU, set aside (RFC 8201 keeps the "
                       "path MTU at 1280 or more)")
                       .arg(f.ptbBelowMinMtu)
                       .arg(refWhere(f.ptbBelowMinRef));
    if (f.ptbSeen && f.ptbMtu >= 68) {
        if (!contradicted(f.ptbMtu)) {
            d.value = f.ptbMtu;
            d.source = PathMtuSource::Icmp;
            d.ref = f.ptbRef;
            d.text =
                QStringLiteral("reported by an ICMP fragmentation-needed / packet-too-big quoting tunnel "
                               "traffic: %1 bytes (%2)")
                    .arg(f.ptbMtu)
                    .arg(refWhere(f.ptbRef));
            d.refine = refineBetween(f.ptbMtu, f.ptbMtu);
            return d;
        }
        d.notes << QStringLiteral(
                       "an ICMP error reports MTU %1, but packets of %2 bytes were lost without one: "
                       "a second, silent hop has a smaller MTU")
                       .arg(f.ptbMtu)
                       .arg(upper);
    }
    // Link and route MTUs on the path: each bounds the path MTU from above; the smallest one is the
    // path MTU when it agrees with what was delivered (not below it) and lost (below it).
    const Facts::PathLinkMtu *link = nullptr;
    for (const Facts::PathLinkMtu &m : f.pathLinkMtus) {
        if (m.mtu < 68) continue;
        if (std::uint32_t(m.mtu) < minLinkMtu) {
            d.notes << QStringLiteral("%1 %2 has MTU %3, below IPv6's minimum link MTU of 1280 bytes: IPv6 "
                                      "does not run over it, so it is not on the tunnel's path, set aside")
                           .arg(m.host, m.name, QString::number(m.mtu));
            continue;
        }
        if (lower > 0 && std::uint32_t(m.mtu) < lower) {
            d.notes << QStringLiteral("%1 %2 has MTU %3, below the %4 bytes proven delivered: not on the "
                                      "path, set aside")
                           .arg(m.host, m.name, QString::number(m.mtu), QString::number(lower));
            continue;
        }
        if (!link || m.mtu < link->mtu) link = &m;
    }
    if (link && !contradicted(std::uint32_t(link->mtu))) {
        d.value = std::uint32_t(link->mtu);
        d.source = PathMtuSource::LinkMtu;
        d.ref = link->ref;
        d.text = QStringLiteral("the smallest %1 MTU on the path in the evidence: %2 bytes, %3%4 (%5, %6)")
                     .arg(link->route ? QStringLiteral("route") : QStringLiteral("link"),
                          QString::number(link->mtu),
                          link->host.isEmpty() ? QString() : link->host + QLatin1Char(' '), link->name,
                          link->why, refWhere(link->ref));
        d.refine = refineBetween(d.value, d.value);
        return d;
    }
    if (link)
        d.notes << QStringLiteral(
                       "the smallest link MTU in the evidence (%1 %2: %3) does not explain the loss "
                       "of %4-byte packets: the black-holing hop is not in the evidence")
                       .arg(link->host, link->name, QString::number(link->mtu), QString::number(upper));
    if (lower > 0) {
        d.value = lower;
        d.source = PathMtuSource::ProvenDelivered;
        d.ref = f.deliveredRef;
        d.text = QStringLiteral("largest outer packet proven delivered: %1 bytes (%2%3%4)")
                     .arg(QString::number(lower), refWhere(f.deliveredRef),
                          f.deliveredHow.isEmpty() ? QString() : QStringLiteral(", ") + f.deliveredHow,
                          upper ? QStringLiteral("; the smallest lost had %1 bytes, so the path MTU lies in "
                                                 "%2–%3")
                                      .arg(upper)
                                      .arg(lower)
                                      .arg(upper - 1)
                                : QString());
        d.refine = upper ? refineBetween(lower, upper) : searchUpFrom(lower);
        return d;
    }
    // One capture at the receiving end: the ESP packets it holds from the peer arrived, but with no
    // size proven lost that is a lower bound only, never a value to fix to.
    const Facts::LargestEsp *arrived = nullptr;
    if (!f.havePair && !f.localAddress.isEmpty())
        for (const Facts::LargestEsp &e : f.largestEsp)
            if (e.to == f.localAddress && e.from != f.localAddress && (!arrived || e.bytes > arrived->bytes))
                arrived = &e;
    const QString noIcmp = f.ptbBelowMinMtu
                               ? QStringLiteral("no ICMP error but one below IPv6's 1280 minimum "
                                                "(set aside)")
                               : QStringLiteral("no ICMP error");
    if (arrived) {
        const std::uint32_t seen = arrived->bytes;
        d.text = QStringLiteral("not known: no probe, %1 and no link MTU in the evidence; ESP packets "
                                "from %2 of up to %3 bytes arrived at this end (%4), so the path carries at "
                                "least that much, but no size is proven lost")
                     .arg(noIcmp, arrived->from)
                     .arg(seen)
                     .arg(refWhere(arrived->ref));
        d.refine = searchUpFrom(seen);
        return d;
    }
    d.text = QStringLiteral("not known: no probe, %1, no link MTU in the evidence and no packet "
                            "proven delivered")
                 .arg(noIcmp);
    d.refine =
        QStringLiteral("ikev2wb probe %1, or ping%2 -M do -s SIZE %1 for decreasing SIZE").arg(peer, ping6);
    return d;
}

std::uint32_t likelyPathMtu(const Facts &f, QString *why)
{
    const PathMtuDecision d = decidePathMtu(f);
    if (why) *why = d.text;
    return d.value;
}

Facts factsForSa(const Facts &f, const EvidenceRef &ref, const QString &sender)
{
    Facts out = f;
    if (!ref.hasSpi) return out;
    if (f.suiteSource == QLatin1String("ip xfrm state") ||
        f.suiteSource == QLatin1String("swanctl --list-sas"))
        for (const Facts::SaSuite &s : f.saSuites)
            if (s.spi == ref.spi && (sender.isEmpty() || s.src == sender)) {
                out.suite = s.suite;
                out.suiteCandidates.clear();
                out.suiteSource = QStringLiteral("%1 (%2)").arg(f.suiteSource, spiText(s.spi));
                break;
            }
    // Several CHILD_SAs: the first one's name and subnets (the default) may be another tunnel's.
    if (f.listedChildren.size() > 1)
        for (const Facts::ListedChild &c : f.listedChildren)
            if (c.spiIn == ref.spi || c.spiOut == ref.spi) {
                out.child = c.name;
                if (!c.localTs.isEmpty()) out.localSubnet = c.localTs;
                if (!c.remoteTs.isEmpty()) out.remoteSubnet = c.remoteTs;
                break;
            }
    return out;
}

OverheadResult overheadFor(const Facts &f, int pathMtu, bool innerIpv6, QString *suiteName)
{
    OverheadInput in;
    in.suite = f.suite;
    in.pathMtu = pathMtu;
    in.outerIpv6 = f.outerIpv6;
    in.natT = f.natT;
    in.tunnelMode = true;
    in.innerIpv6 = innerIpv6;
    OverheadResult best = computeEspOverhead(in);
    EspSuite chosen = f.suite;
    // Suite estimated from lengths: every candidate fits, so the MTU and MSS must fit every one.
    for (const EspSuite &c : f.suiteCandidates) {
        in.suite = c;
        const OverheadResult o = computeEspOverhead(in);
        if (o.valid && (!best.valid || o.tunnelMtu < best.tunnelMtu)) {
            best = o;
            chosen = c;
        }
    }
    if (suiteName) {
        *suiteName = espSuiteName(chosen);
        if (f.suiteCandidates.size() > 1) {
            QStringList names;
            for (const EspSuite &c : f.suiteCandidates)
                if (!(c == chosen)) names << espSuiteName(c);
            *suiteName += QStringLiteral(", the largest overhead of the suites %1 (also: %2)")
                              .arg(candidatesFrom(f), names.join(QStringLiteral(", ")));
        }
    }
    return best;
}

} // namespace ikev2wb
