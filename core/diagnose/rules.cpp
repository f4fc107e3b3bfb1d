#include "rules.h"

#include "evidence/routelisting.h"
#include "fixes.h"
#include "shellquote.h"
#include "util/textformat.h"

#include <algorithm>
#include <cmath>

namespace ikev2wb {

namespace {

QString secs(double s)
{
    return QString::number(s, 'f', 1);
}

Finding start(const char *cause, int step, const QString &title, StepStatus status, double confidence)
{
    Finding f;
    f.cause = QString::fromLatin1(cause);
    f.step = step;
    f.title = title;
    f.status = status;
    f.confidence = std::clamp(confidence, 0.0, 1.0);
    return f;
}

void cite(Finding &f, const QString &text, const EvidenceRef &ref = {})
{
    f.evidence.push_back({text, ref});
}

void cite(Finding &f, const QString &text, const RefCount &c)
{
    f.evidence.push_back({text, c.ref});
}

/// Cites `format` with the count as %1, when the count is not zero.
void citeCount(Finding &f, const RefCount &c, const QString &format)
{
    if (c.value) cite(f, format.arg(c.value), c);
}

void addFixes(Finding &f, std::vector<Fix> fixes)
{
    for (Fix &x : fixes)
        f.fixes.push_back(std::move(x));
}

/// The first lines of a fix that must run on the peer, not here: it refuses to run on a host that
/// does not own the peer's address (a placeholder never matches). The addresses are validated
/// (fixTarget, fixTargetAtPeer) and quoted. grep reads all of ip's output (no -q): with pipefail an
/// early exit would make a SIGPIPE of ip look like "not this host".
QString onThePeerOnly(const FixTarget &peer, const FixTarget &here, const QString &why)
{
    return QStringLiteral("# Run this on the peer %1 (%2), not on %3.\n"
                          "ip -o addr show | grep -F -e %4 > /dev/null || { echo %5 >&2; exit 1; }\n")
        .arg(peer.localAddress, why, here.localAddress,
             shq(QLatin1Char(' ') + peer.localAddress + QLatin1Char('/')),
             shq(QStringLiteral("this host does not have the address %1: run this fix on the peer")
                     .arg(peer.localAddress)));
}

/// A fix the builders wrote for the peer (`there`, from fixTargetAtPeer: its words name
/// `there.host`) says where it runs: its title, a guard that refuses to run on another host
/// (onThePeerOnly, `why` it is the peer's), its verification and its undo.
void markForThePeer(Fix &x, const FixTarget &there, const FixTarget &here, const QString &why)
{
    x.title = QStringLiteral("On the peer %1: %2").arg(there.localAddress, x.title);
    x.text = onThePeerOnly(there, here, why) + x.text;
    x.verify = QStringLiteral("On %1: %2").arg(there.host, x.verify);
    const qsizetype note = x.undo.indexOf(QStringLiteral("  # "));
    x.undo = note < 0 ? x.undo + QStringLiteral("  # on %1").arg(there.host)
             : note == 0
                 ? x.undo
                 : x.undo.left(note) + QStringLiteral("  # on %1; ").arg(there.host) + x.undo.mid(note + 4);
}

/// The MTU/MSS fixes for the facts' suite at the decided path MTU; cites how it was decided and
/// the command that would measure it. `sender` (the outer source of the packets that are too
/// large, "" unknown): when it is the peer, the per-peer route (or tunnel interface) MTU is the
/// peer's to set; the MSS clamp works on either end.
void addMtuFixes(Finding &fd, const Facts &facts, const PathMtuDecision &pm, const QString &sender)
{
    // The suite of the SA the finding is about (the decision's, else the first its evidence
    // names), when the host evidence lists that SA.
    EvidenceRef sa = pm.ref;
    for (auto it = fd.evidence.begin(); !sa.hasSpi && it != fd.evidence.end(); ++it)
        sa = it->ref;
    const Facts f = factsForSa(facts, sa, sender);
    for (const QString &n : pm.notes)
        cite(fd, n);
    if (pm.value < 576) return;
    const bool v6 = f.innerIpv6;
    const bool v4 = f.innerIpv4 || !f.innerIpv6; // unknown families: IPv4
    QString suiteName;
    const OverheadResult o = overheadFor(f, int(pm.value), false, &suiteName);
    if (!o.valid) return;
    // Measured through the tunnel, the inner MTU needs no suite arithmetic.
    const int inner = pm.innerMtu ? int(pm.innerMtu) : o.tunnelMtu;
    MtuFixParams p;
    p.pathMtu = int(pm.value);
    p.tunnelMtu = inner;
    p.mss = v4 ? inner - 40 : 0;
    p.mss6 = v6 ? inner - 60 : 0;
    p.suiteName = suiteName;
    p.natT = f.natT;
    p.pathMtuWhy = pm.text;
    QStringList mss;
    if (p.mss) mss << QStringLiteral("the TCP MSS %1 (IPv4)").arg(p.mss);
    if (p.mss6) mss << QStringLiteral("%1 (IPv6 inside)").arg(p.mss6);
    if (pm.innerMtu)
        cite(fd,
             QStringLiteral("path MTU %1 — %2. The inner MTU is %3 as measured through the tunnel, and %4")
                 .arg(QString::number(pm.value), pm.text, QString::number(inner),
                      mss.join(QStringLiteral(" and "))),
             pm.ref);
    else
        cite(fd,
             QStringLiteral("path MTU %1 — %2. With %3%4%5 (suite %6) the inner MTU is %7 and %8")
                 .arg(QString::number(pm.value), pm.text, suiteName,
                      f.natT ? QStringLiteral(", NAT-T") : QString(),
                      f.outerIpv6 ? QStringLiteral(", IPv6 outer header") : QString(),
                      f.suiteSource.isEmpty() ? QStringLiteral("from nowhere: worst case assumed")
                      : f.suiteSource.startsWith(QLatin1String("estimated"))
                          ? f.suiteSource
                          : QStringLiteral("from ") + f.suiteSource,
                      QString::number(o.tunnelMtu), mss.join(QStringLiteral(" and "))),
             pm.ref);
    if (f.routeBased)
        cite(fd, QStringLiteral("route-based tunnel: %1; MTU and MSS clamping go on the tunnel interface")
                     .arg(f.routeBasedWhy));
    if (pm.source != PathMtuSource::Probe)
        fd.collectNext << QStringLiteral("measure the path MTU: %1").arg(pm.refine);
    std::vector<Fix> fixes = mtuFixes(fixTarget(f), p);
    if (!sender.isEmpty() && sender != f.localAddress && sender == f.peerAddress) {
        const FixTarget peer = fixTargetAtPeer(f);
        std::vector<Fix> atPeer = mtuFixes(peer, p);
        for (Fix &x : fixes) {
            if (x.kind != FixKind::IpLink) continue;
            for (Fix &y : atPeer)
                if (y.kind == FixKind::IpLink) {
                    y.title = f.routeBased
                                  ? QStringLiteral("On the peer %1: %2").arg(f.peerAddress, y.title)
                                  : QStringLiteral("On the peer %1: set the path MTU %2 on its route to %3")
                                        .arg(f.peerAddress)
                                        .arg(p.pathMtu)
                                        .arg(peer.peerAddress);
                    y.text = onThePeerOnly(peer, fixTarget(f),
                                           QStringLiteral("it sends the packets that are too large")) +
                             y.text;
                    x = std::move(y);
                    break;
                }
        }
        QStringList unknown;
        for (const QString *v : {&peer.wanInterface, &peer.gateway, &peer.peerAddress})
            if (v->startsWith(QLatin1Char('<'))) unknown << *v;
        cite(fd,
             QStringLiteral("the packets that are too large are sent by the peer %1, so the MTU of its "
                            "route towards %2 is what must change; the TCP MSS clamp works at either end%3")
                 .arg(f.peerAddress, f.localAddress)
                 .arg(unknown.isEmpty()
                          ? QString()
                          : QStringLiteral(" (%1 left as placeholders: %2)")
                                .arg(unknown.join(QStringLiteral(", ")),
                                     f.localSeenAtPeer
                                         ? QStringLiteral("the peer's routes listing was not given")
                                         : QStringLiteral("the peer's capture does not show which "
                                                          "address it sends to, or its routes "
                                                          "listing was not given"))));
    }
    addFixes(fd, std::move(fixes));
}

/// The direction whose loss the comparison proved size-dependent (the most lost), or null.
const DirectionFacts *sizeDependentDirection(const Facts &f)
{
    const DirectionFacts *sized = nullptr;
    for (const DirectionFacts &d : f.dir)
        if (d.sizeDependent && d.lost > 0 && (!sized || d.lost > sized->lost)) sized = &d;
    return sized;
}

/// What carries the traffic that is dropped: what a captured ICMP reject quotes first, then the
/// ESP packets the captures hold, then the kernel SA / configuration; `why` names the source.
EspCarrier espCarrier(const Facts &f, QString *why)
{
    auto say = [&](const QString &s) {
        if (why) *why = s;
    };
    if (f.icmpRejectQuotes == 50) {
        say(QStringLiteral("IP protocol 50 (quoted by the ICMP error)"));
        return EspCarrier::Esp;
    }
    if (f.icmpRejectQuotes == 4500) {
        say(QStringLiteral("UDP 4500 (quoted by the ICMP error)"));
        return EspCarrier::UdpEncap;
    }
    if (f.icmpRejectQuotes == 500) {
        say(QStringLiteral("IKE on UDP 500 (quoted by the ICMP error)"));
        return EspCarrier::Ike;
    }
    if (f.espRawPackets + f.espUdpPackets > 0) {
        const bool udp = f.espUdpPackets > f.espRawPackets;
        say(QStringLiteral("%1 (captured: %2 ESP-in-UDP, %3 plain ESP packets)")
                .arg(udp ? QStringLiteral("ESP-in-UDP on port 4500") : QStringLiteral("IP protocol 50"))
                .arg(f.espUdpPackets)
                .arg(f.espRawPackets));
        return udp ? EspCarrier::UdpEncap : EspCarrier::Esp;
    }
    if (f.encapInEvidence || f.natT) {
        say(QStringLiteral("ESP-in-UDP on port 4500 (UDP encapsulation in the SA / configuration)"));
        return EspCarrier::UdpEncap;
    }
    say(QStringLiteral("IP protocol 50 (no ESP captured, no UDP encapsulation in the evidence)"));
    return EspCarrier::Esp;
}

std::uint64_t totalLost(const Facts &f)
{
    return f.dir[0].lost + f.dir[1].lost;
}

} // namespace

QString percent(std::uint64_t n, std::uint64_t of)
{
    return QString::number(100.0 * double(n) / double(std::max<std::uint64_t>(of, 1)), 'f', 2);
}

StepStatus lossSeverity(std::uint64_t lost, std::uint64_t of)
{
    // A loss or two cannot make a rate: a note. Then by the direction's rate: from 0.5 % with at
    // least ten losses (TCP throughput suffers visibly) a failure, below it a warning.
    const double rate = of ? double(lost) / double(of) : 0;
    if (lost <= 2 && rate < 0.01) return StepStatus::Pass;
    if (lost >= 10 && rate >= 0.005) return StepStatus::Fail;
    return StepStatus::Warn;
}

QString seqGapText(const SeqGapFacts &g)
{
    return QStringLiteral("%1 → %2: %3 of %4 ESP sequence numbers never reached this capture (%5 %) over "
                          "%6 s and %7 SA(s) (%8 with gaps), longest run %9")
        .arg(g.from, g.to)
        .arg(g.missing)
        .arg(g.packets + g.missing)
        .arg(percent(g.missing, g.packets + g.missing))
        .arg(QString::number(g.seconds, 'f', 0))
        .arg(g.sas)
        .arg(g.sasWithGaps)
        .arg(g.longestBurst);
}

QString stepTitle(int step)
{
    switch (step) {
    case 1:
        return QStringLiteral("Capture at both endpoints and compare");
    case 2:
        return QStringLiteral("MTU / PMTUD: tunnel MTU and MSS clamping");
    case 3:
        return QStringLiteral("NAT-T stability: NAT timeouts, DPD/keepalives, symmetric routing");
    case 4:
        return QStringLiteral("IKE/ESP retransmissions, SA lifetimes and anti-replay");
    case 5:
        return QStringLiteral("Hardware offload and CPU");
    case 6:
        return QStringLiteral("Firewalls and DPI");
    }
    return {};
}

// ---------------------------------------------------------------- step 2

/// net.ipv4.ip_no_pmtu_disc ≠ 0 on the end that sends the packets that are too large (`sender`,
/// "" unknown): it explains why the sender keeps sending them. The receiving end's setting does not
/// size this direction and is left out. Returns true when ICMP errors are discarded there (2, 3).
bool citePmtuDiscOff(Finding &fd, const Facts &f, const QString &sender)
{
    bool discards = false;
    for (const Facts::PmtuDiscOff &p : f.pmtuDiscOff) {
        if (sender.contains(QLatin1Char(':'))) break; // an IPv4 setting
        const bool sends = !sender.isEmpty() && p.addresses.contains(sender);
        if (!sender.isEmpty() && !p.addresses.isEmpty() && !sends) continue;
        const QString who = QStringLiteral("%1%2").arg(
            p.host.isEmpty() ? QStringLiteral("a host") : QStringLiteral("host '%1'").arg(p.host),
            sends ? QStringLiteral(", which sends the packets that are too large (%1),").arg(sender)
                  : QStringLiteral(" (which end it is was not found in the evidence)"));
        QString what;
        if (p.mode == 1)
            what =
                QStringLiteral(
                    "its kernel does not use the MTU an ICMP fragmentation-needed reports: it sets the path "
                    "MTU "
                    "to the smaller of the current one and min_pmtu (%1) instead, and its own sockets send "
                    "without DF")
                    .arg(p.minPmtu > 0 ? QStringLiteral("%1 bytes").arg(p.minPmtu)
                                       : QStringLiteral("552 bytes by default"));
        else if (p.mode == 2)
            what = QStringLiteral(
                "its kernel discards every ICMP fragmentation-needed, so no packet-too-big from "
                "the path ever lowers its path MTU for the tunnel");
        else
            what = QStringLiteral(
                "its kernel uses only the fragmentation-needed errors TCP, SCTP or DCCP can "
                "verify and discards those quoting ESP, so no packet-too-big from the path lowers "
                "its path MTU for the tunnel");
        discards = discards || (sends && p.mode >= 2);
        cite(fd,
             QStringLiteral("net.ipv4.ip_no_pmtu_disc = %1 on %2 so PMTU discovery is off there: %3; a route "
                            "MTU ('mtu lock', below) or a lower link MTU holds whatever ICMP arrives")
                 .arg(p.mode)
                 .arg(who, what),
             p.ref);
    }
    return discards;
}

/// Whether the packet-too-big errors captured do not show PMTUD working: packets no larger than the
/// MTU they report were proven lost silently (`*belowPtb`: a second hop drops them without a word),
/// large packets were proven lost more than a second before the first one of the same capture
/// (`*beforePtb`), or — one capture at the sending end — DF packets above the MTU the first one
/// reports were sent more than a second before it (`*dfBeforePtb`). Each time the ICMP errors were
/// filtered or limited, and came later or never for that hop.
bool ptbDoesNotExplain(const Facts &f, bool *belowPtb = nullptr, bool *beforePtb = nullptr,
                       bool *dfBeforePtb = nullptr)
{
    const DirectionFacts *sized = sizeDependentDirection(f);
    const bool below = sized && f.ptbSeen && sized->smallestLost > 0 && sized->smallestLost <= f.ptbMtu;
    const bool before = sized && f.ptbSeen && !below && sized->sizeLostAt().timeNs >= 0 &&
                        f.ptbFirst.timeNs >= 0 && sized->sizeLostAt().source == f.ptbFirst.source &&
                        f.ptbFirst.timeNs - sized->sizeLostAt().timeNs > 1'000'000'000;
    // With both captures, large packets that drew no ICMP error and were not lost were delivered.
    const bool df = !sized && !f.havePair && f.ptbSeen && f.dfBeforePtbLength > 0;
    if (belowPtb) *belowPtb = below;
    if (beforePtb) *beforePtb = before;
    if (dfBeforePtb) *dfBeforePtb = df;
    return below || before || df;
}

namespace {

/// Who sends the packets a receiver's black-hole suspicion is about, for the words: the address
/// they come from, which behind NAT-T is the NAT's, not the peer's.
QString missingPacketsSender(const Facts &f)
{
    return f.natT ? QStringLiteral("the peer (seen here as %1; with NAT-T in use that may be the address of "
                                   "a NAT in front of it)")
                        .arg(f.blackHoleSender)
                  : QStringLiteral("%1 (it sends the packets that go missing)").arg(f.blackHoleSender);
}

/// The measurement a receiver's black-hole suspicion asks for: a probe on the sending end towards
/// this end (blackHoleTo), from the largest packet of that direction that arrived here (a lower
/// bound) up. Both addresses are validated literals (the caller checks).
QString receiverProbe(const Facts &f)
{
    std::uint32_t arrived = 0;
    for (const Facts::LargestEsp &e : f.largestEsp)
        if (e.from == f.blackHoleSender && e.to == f.blackHoleTo) arrived = std::max(arrived, e.bytes);
    const QString min = arrived >= 68 ? QStringLiteral(" --min %1").arg(arrived) : QString();
    // Behind a NAT the peer reaches this end at the NAT's public address, which one capture here
    // does not show; a probe through the tunnel takes the ESP's path whatever the addresses.
    const QString probe =
        f.natT ? QStringLiteral("ikev2wb probe ADDRESS%1 --json > probe.json, ADDRESS this end as the peer "
                                "reaches it (%2 here; behind a NAT the NAT's public address), or a probe "
                                "through the tunnel from a host behind the peer to one of this end's "
                                "protected subnet (ikev2wb probe INNER-HOST --json)")
                     .arg(min, f.blackHoleTo)
               : QStringLiteral("ikev2wb probe %1%2 --json > probe-%1.json").arg(f.blackHoleTo, min);
    return QStringLiteral("measure the path towards this end where the packets are sent, on %1: %2 (answers "
                          "up to a size and silence above it, without an ICMP error, is the black hole), "
                          "then pass the file to ikev2wb diagnose --evidence: the MTU and MSS fixes are "
                          "computed from the size it proves")
        .arg(missingPacketsSender(f), probe);
}

} // namespace

std::optional<Finding> ruleMtuBlackhole(const Facts &f)
{
    const DirectionFacts *sized = sizeDependentDirection(f);
    bool silentBelowPtb = false, silentBeforePtb = false, dfBeforePtb = false;
    ptbDoesNotExplain(f, &silentBelowPtb, &silentBeforePtb, &dfBeforePtb);
    // An active probe that found answers up to a size and silence above it, without an ICMP
    // error, measured a black hole on the path to its target: proof without any capture.
    const bool outerHole = f.probePathMtu > 0 && f.probeVerdict == QLatin1String("black_hole");
    // Through the tunnel: large inner packets vanish without the gateway's ICMP error to the inner
    // host — the ESP black hole itself.
    const bool innerHole = f.probeInnerMtu > 0 && f.probeInnerVerdict == QLatin1String("black_hole");
    const bool probeHole = outerHole || innerHole;
    // With both captures the comparison proves what was lost; the one-capture suspicion of the
    // MTU analyzer only counts without it.
    if ((f.ptbSeen && !silentBelowPtb && !silentBeforePtb && !dfBeforePtb && !probeHole) ||
        (!sized && !probeHole && !dfBeforePtb && (f.blackHoleLevel == 0 || f.havePair)))
        return std::nullopt;
    // Which end sends the packets the probed path drops: for the outer probe the end it ran from, or
    // the other end of the one it ran to (classifyProbes).
    const QString probeSender = outerHole ? f.probeSender : innerHole ? f.probeInnerSender : QString();
    Finding fd;
    if (sized) {
        fd = start("mtu_blackhole", 2, QStringLiteral("PMTUD black hole: packets above the path MTU vanish"),
                   StepStatus::Fail, 0.9);
    } else if (probeHole) {
        // Measured; with both captures and no large packet lost while they ran, only a warning.
        const bool lossSeen = f.blackHoleLevel > 0 || !f.havePair;
        fd = start("mtu_blackhole", 2,
                   (outerHole
                        ? QStringLiteral("PMTUD black hole measured by a probe: packets above %1 bytes %2")
                        : QStringLiteral("PMTUD black hole measured by a probe through the tunnel: inner "
                                         "packets above %1 bytes %2"))
                       .arg(outerHole ? f.probePathMtu : f.probeInnerMtu)
                       .arg(lossSeen ? QStringLiteral("vanish") : QStringLiteral("would vanish")),
                   lossSeen ? StepStatus::Fail : StepStatus::Warn, lossSeen ? 0.8 : 0.5);
    } else if (dfBeforePtb) {
        fd = start(
            "mtu_blackhole", 2,
            QStringLiteral("PMTUD black hole suspected: packets above %1 bytes drew no ICMP error for %2 s")
                .arg(f.dfBeforePtbMtu)
                .arg(secs(double(f.ptbFirst.timeNs - f.dfBeforePtbRef.timeNs) / 1e9)),
            StepStatus::Warn, 0.65);
    } else if (f.blackHoleBackoff) {
        fd = start(
            "mtu_blackhole", 2,
            QStringLiteral("PMTUD black hole suspected: %1-byte packets resent with growing gaps drew no "
                           "answer, smaller ones did")
                .arg(f.blackHoleResentLength),
            StepStatus::Warn, 0.5);
    } else if (f.blackHoleAtReceiver) {
        // Seen where the packets arrive: what went missing, not what was sent.
        fd = start("mtu_blackhole", 2,
                   QStringLiteral("PMTUD black hole suspected: packets from %1 go missing in runs while only "
                                  "smaller ones arrive")
                       .arg(f.blackHoleSender),
                   StepStatus::Warn, 0.4);
    } else {
        fd = start("mtu_blackhole", 2, QStringLiteral("PMTUD black hole suspected: large packets vanish"),
                   f.blackHoleLevel >= 2 ? StepStatus::Fail : StepStatus::Warn,
                   f.blackHoleLevel >= 2 ? 0.7 : 0.4);
    }
    if (innerHole)
        cite(fd,
             QStringLiteral("an active probe of %1 through the tunnel was answered up to %2 bytes and met "
                            "silence above, without an ICMP fragmentation-needed from the gateway (verdict "
                            "black_hole): the ESP packets of larger inner packets vanish on the path from %3")
                 .arg(f.probeInnerTarget, QString::number(f.probeInnerMtu),
                      probeSender.isEmpty() ? QStringLiteral("the sending end") : probeSender),
             f.probeInnerRef);
    if (outerHole) {
        QString direction;
        if (!probeSender.isEmpty() && probeSender == f.peerAddress)
            direction = QStringLiteral(": the path from the peer towards this host, so the peer %1 sends the "
                                       "packets that are too large")
                            .arg(f.peerAddress);
        else if (!probeSender.isEmpty() && probeSender == f.localAddress && f.probeSourceRecorded)
            direction =
                QStringLiteral(": the path from this host %1 towards the peer, so this host sends the "
                               "packets that are too large")
                    .arg(f.localAddress);
        cite(fd,
             QStringLiteral("an active probe%1%2 was answered up to %3 bytes and met silence above, without "
                            "an ICMP fragmentation-needed / packet-too-big (verdict black_hole)%4%5")
                 .arg(f.probeTarget.isEmpty() ? QString() : QStringLiteral(" of %1").arg(f.probeTarget),
                      f.probeSource.isEmpty() ? QString() : QStringLiteral(" from %1").arg(f.probeSource),
                      QString::number(f.probePathMtu), direction,
                      f.probeSourceRecorded
                          ? QString()
                          : QStringLiteral("; the result does not record where the probe ran from (no "
                                           "\"source\", an older ikev2wb), so its direction is assumed")),
             f.probeRef);
    }
    if (sized && sized->sizeLost() == sized->lost) {
        cite(fd,
             QStringLiteral(
                 "%1 of %2 ESP packets %3 → %4 were lost in transit, every one larger than every delivered "
                 "one: largest delivered %5 bytes, smallest lost %6 bytes")
                 .arg(sized->lost)
                 .arg(sized->sent)
                 .arg(sized->from, sized->to)
                 .arg(sized->largestDelivered)
                 .arg(sized->smallestLost),
             sized->sizeLostAt());
    } else if (sized) {
        const std::uint64_t small = sized->lost - sized->sizeLost();
        cite(fd,
             QStringLiteral(
                 "%1 → %2: every ESP packet larger than the largest delivered one (%3 bytes) was lost "
                 "in transit, %4 packets of %5 bytes or more, against %6 of the %7 packets of up to "
                 "%3 bytes (%8 %): far more than loss at that rate would take")
                 .arg(sized->from, sized->to)
                 .arg(sized->largestDelivered)
                 .arg(sized->sizeLost())
                 .arg(sized->smallestLost)
                 .arg(small)
                 .arg(sized->sent - sized->sizeLost())
                 .arg(percent(small, sized->sent - sized->sizeLost())),
             sized->sizeLostAt());
    }
    // The one-capture suspicion's lines, unless the comparison proved another direction's loss
    // size-dependent: about the other direction they would describe packets that were delivered.
    // A receiver's guess at what went missing has nothing to add to the sender's capture.
    if ((!sized || f.blackHoleSender == sized->from) && !(f.havePair && f.blackHoleAtReceiver))
        for (const QString &e : f.blackHoleEvidence)
            cite(fd, e, f.blackHoleRef);
    if (silentBelowPtb)
        cite(
            fd,
            QStringLiteral("an ICMP fragmentation-needed / packet-too-big reports MTU %1, yet packets of %2 "
                           "bytes were lost without one: a second hop with a smaller MTU drops them silently")
                .arg(f.ptbMtu)
                .arg(sized->smallestLost),
            f.ptbRef);
    else if (silentBeforePtb)
        cite(fd,
             QStringLiteral(
                 "the first ICMP fragmentation-needed / packet-too-big quoting tunnel traffic was "
                 "captured %1 after the first large packet was lost without one: PMTUD did not "
                 "work while those packets were lost (the ICMP errors were filtered or rate-limited, "
                 "and got through only later)")
                 .arg(secs(double(f.ptbFirst.timeNs - sized->sizeLostAt().timeNs) / 1e9) +
                      QStringLiteral(" s")),
             f.ptbFirst);
    else if (dfBeforePtb)
        cite(fd,
             QStringLiteral(
                 "%1 sent packets above %2 bytes with DF set (the first of %3 bytes) %4 s before the "
                 "first ICMP fragmentation-needed / packet-too-big quoting tunnel traffic, which reports "
                 "MTU %2, and none came for them meanwhile: PMTUD did not work in that time (the ICMP "
                 "errors were filtered or rate-limited and got through only later), unless the path "
                 "changed then; only a capture at the peer proves which of them were lost")
                 .arg(f.ptbTo)
                 .arg(f.dfBeforePtbMtu)
                 .arg(f.dfBeforePtbLength)
                 .arg(secs(double(f.ptbFirst.timeNs - f.dfBeforePtbRef.timeNs) / 1e9)),
             f.dfBeforePtbRef);
    else if (f.ptbSeen)
        // Only a probe's black hole gets here with an ICMP error captured: they were not at the same time.
        cite(fd,
             QStringLiteral(
                 "an ICMP fragmentation-needed / packet-too-big reporting MTU %1 was captured, yet the "
                 "probe met silence above %2 bytes: the ICMP errors do not get through every time "
                 "(a rate limit, a filter that comes and goes)")
                 .arg(f.ptbMtu)
                 .arg(outerHole ? f.probePathMtu : f.probeInnerMtu),
             f.ptbRef);
    else if (f.blackHoleEvidence.isEmpty() || (f.havePair && f.blackHoleAtReceiver))
        cite(fd, QStringLiteral(
                     "no ICMP fragmentation-needed / packet-too-big quoting tunnel traffic was captured"));
    // The backed-off resends alone: one capture at the sender shows what was sent and answered,
    // never what arrived.
    const bool backoffOnly = !sized && !probeHole && !dfBeforePtb && f.blackHoleBackoff;
    if (backoffOnly)
        cite(fd, QStringLiteral(
                     "what this capture does not prove: that the resent packets were lost for their size, or "
                     "where (a filter dropping that one connection, or the peer itself, looks the same from "
                     "here), nor which size passes; a capture at the peer shows which sizes arrive, a probe "
                     "from %1 measures the path")
                     .arg(f.blackHoleSender));
    citePmtuDiscOff(fd, f, sized ? sized->from : dfBeforePtb ? f.ptbTo : QString());
    if (f.fragFails.value) {
        cite(fd,
             QStringLiteral("the host could not fragment %1 packets with DF set (Ip FragFails)")
                 .arg(f.fragFails.value),
             f.fragFails);
        fd.confidence = std::min(1.0, fd.confidence + 0.05);
    }
    const PathMtuDecision pm = decidePathMtu(f);
    // A suspicion about what this capture's own end sent, whose only figure is not below the
    // largest packet the capture holds: every packet sent fits it, so it explains no loss of large
    // packets and a fix at it changes nothing. (At the receiver the large ones may never have
    // arrived: its largest packet proves nothing of the kind.)
    const bool atSender = !f.localAddress.isEmpty() && f.blackHoleSender == f.localAddress;
    const bool fitsAll = !sized && atSender && pm.value && f.largestOuter > 0 && pm.value >= f.largestOuter;
    const bool backoffMeasure =
        backoffOnly && !pm.value && isIpLiteral(f.blackHoleSender) && isIpLiteral(f.blackHoleTo);
    // The receiver's suspicion: it guesses which packets were lost (it cannot see their sizes), so
    // the path to measure is the peer's towards this end, and no figure becomes a fix.
    const bool receiverOnly = !sized && !probeHole && !dfBeforePtb && f.blackHoleAtReceiver;
    // A suspicion about what the peer sent, whose only figure is a link MTU of a full 1500 bytes:
    // a packet lost for its size would need a smaller link elsewhere, which nothing shows, so a
    // fix at 1500 would be the usual tunnel MTU, not a cure (the number would be a guess).
    const bool fullSizedLink = !sized && !atSender && !f.blackHoleSender.isEmpty() &&
                               pm.source == PathMtuSource::LinkMtu && pm.value >= 1500;
    if (fullSizedLink || fitsAll) {
        // The figure explains no loss of large packets: no MTU or MSS change until it is measured.
        const QString why =
            fullSizedLink
                ? QStringLiteral("is a full-sized link: packets lost for their size would need a smaller "
                                 "link elsewhere on the path, which no evidence shows")
                : QStringLiteral("is not below the largest packet sent (%1 bytes): it does not explain a "
                                 "loss of large packets")
                      .arg(f.largestOuter);
        cite(fd,
             QStringLiteral(
                 "path MTU %1 — %2 — %3, so no MTU or MSS change is offered until the path is measured")
                 .arg(QString::number(pm.value), pm.text, why),
             pm.ref);
        fd.confidence = std::min(fd.confidence, 0.3);
        fd.collectNext << QStringLiteral("measure the path MTU: %1").arg(pm.refine);
    } else if (receiverOnly) {
        // An outage after a bulk transfer or burst loss of small packets looks the same from the
        // receiver: an MTU or MSS fix from a figure here could cure nothing, and behind NAT-T the
        // peer's address is not known from this end. The fix is the measurement on the sending end.
        for (const QString &n : pm.notes)
            cite(fd, n);
        if (pm.value)
            cite(
                fd,
                QStringLiteral("path MTU %1 — %2 — bounds the path, but this end cannot see the sizes of the "
                               "packets that went missing, so no MTU or MSS change is offered until the "
                               "sending end measures the path")
                    .arg(QString::number(pm.value), pm.text),
                pm.ref);
        fd.confidence = std::min(fd.confidence, 0.4);
        fd.collectNext.erase(std::remove_if(fd.collectNext.begin(), fd.collectNext.end(),
                                            [](const QString &c) {
                                                return c.startsWith(QLatin1String("measure the path MTU: "));
                                            }),
                             fd.collectNext.end());
        fd.collectNext
            << QStringLiteral(
                   "capture at %1 over the same time (tcpdump -ni IFACE -w peer.pcap 'udp port 500 or "
                   "udp port 4500 or esp or icmp'), then ikev2wb diagnose --capture A --peer-capture "
                   "B: it shows the sizes of the missing packets")
                   .arg(missingPacketsSender(f));
        if (isIpLiteral(f.blackHoleSender) && isIpLiteral(f.blackHoleTo))
            fd.collectNext << receiverProbe(f);
        else
            fd.collectNext << QStringLiteral("measure the path MTU from the sending end: %1").arg(pm.refine);
    } else if (pm.value) {
        // A receiver's suspicion only guesses the direction; a probe's black hole proves its own.
        const bool probeDirection = probeHole && !probeSender.isEmpty() && f.blackHoleAtReceiver;
        addMtuFixes(fd, f, pm,
                    sized                                             ? sized->from
                    : dfBeforePtb                                     ? f.ptbTo
                    : !f.blackHoleSender.isEmpty() && !probeDirection ? f.blackHoleSender
                                                                      : probeSender);
        // A receiver's suspicion: the path to check is the one from the peer towards this end.
        if (!sized && !probeHole && !dfBeforePtb && f.blackHoleAtReceiver && isIpLiteral(f.blackHoleSender) &&
            isIpLiteral(f.blackHoleTo))
            for (QString &c : fd.collectNext)
                if (c.startsWith(QLatin1String("measure the path MTU: "))) c = receiverProbe(f);
    } else if (backoffMeasure) {
        // No size proven: the fix is the measurement, on the end that sends the resent packets (a
        // probe proves the path from its source to its target), up to their size.
        for (const QString &n : pm.notes)
            cite(fd, n);
        fd.collectNext
            << QStringLiteral(
                   "measure the path the resent packets take, on %1 (it sends them): ikev2wb probe "
                   "%2 --max %3 --json > probe-%2.json (answers up to a size and silence above it, "
                   "without an ICMP error, is the black hole), then pass the file to ikev2wb "
                   "diagnose --evidence: the MTU and MSS fixes are computed from the size it proves")
                   .arg(f.blackHoleSender, f.blackHoleTo)
                   .arg(f.blackHoleResentLength)
            << QStringLiteral(
                   "capture at the peer too (%1 as this end sees it) over the same time (tcpdump -ni "
                   "IFACE -w peer.pcap 'udp port 500 or udp port 4500 or esp or icmp'), then ikev2wb "
                   "diagnose --capture A --peer-capture B: it shows which sizes arrive")
                   .arg(f.blackHoleTo);
        // Behind a NAT the address ESP goes to may be the NAT's own: a probe of it stops there.
        if (f.natT)
            fd.collectNext
                << QStringLiteral(
                       "ESP goes in UDP through a NAT here: the probe of %1 measures the path to that "
                       "address only, which may be the NAT itself and not the peer behind it; a probe "
                       "through the tunnel, from a host of this end's protected subnet to one behind "
                       "the peer (ikev2wb probe INNER-HOST --json), measures the path the ESP takes")
                       .arg(f.blackHoleTo);
    } else {
        for (const QString &n : pm.notes)
            cite(fd, n);
        fd.collectNext << QStringLiteral(
                              "capture at the peer too, so the sizes that arrive can be told from those lost "
                              "(ikev2wb diagnose --capture A --peer-capture B)")
                       << QStringLiteral("measure the path MTU: %1").arg(pm.refine);
    }
    if (!f.havePair && !backoffMeasure && !receiverOnly)
        fd.collectNext << QStringLiteral(
            "a capture at the peer's outer interface proves which sizes are lost");
    return fd;
}

std::optional<Finding> rulePathMtuReduced(const Facts &f)
{
    if (!f.ptbSeen || f.ptbMtu >= 1500) return std::nullopt;
    // The ICMP errors did not do their work (a second, silent hop; or they came late):
    // mtu_blackhole's case, whose fixes are the same; "PMTUD works" would contradict it.
    if (ptbDoesNotExplain(f)) return std::nullopt;
    Finding fd = start(
        "path_mtu_reduced", 2,
        QStringLiteral("The path MTU is %1: PMTUD works, tunnel MTU and MSS should match it").arg(f.ptbMtu),
        StepStatus::Warn, 0.6);
    cite(fd,
         QStringLiteral("ICMP fragmentation-needed / packet-too-big quoting tunnel traffic reports MTU %1")
             .arg(f.ptbMtu),
         f.ptbRef);
    if (citePmtuDiscOff(fd, f, f.ptbTo)) {
        // The ICMP error reached a sender that throws it away: PMTUD does not work after all.
        fd.title =
            QStringLiteral("The path MTU is %1, but the sending end discards ICMP fragmentation-needed "
                           "(ip_no_pmtu_disc): it keeps sending larger packets")
                .arg(f.ptbMtu);
        fd.status = StepStatus::Fail;
        fd.confidence = 0.75;
    }
    addMtuFixes(fd, f, decidePathMtu(f), f.ptbTo);
    return fd;
}

std::optional<Finding> ruleIkeFragmentation(const Facts &f)
{
    if (f.ikeIpFragmentedUnanswered.value == 0 && f.ikeSkfMissing.value == 0) return std::nullopt;
    // The small IKE_SA_INIT came back: the peer is reachable and only the large message is lost.
    Finding fd =
        start("ike_fragmentation", 2,
              QStringLiteral("IKE messages larger than the path are lost as fragments (IKE_AUTH never "
                             "answered)"),
              StepStatus::Fail, f.ikeSaInitAnswered ? 0.95 : 0.8);
    if (f.ikeIpFragmentedUnanswered.value)
        cite(fd,
             QStringLiteral(
                 "%1 IKE request(s) of up to %2 bytes were sent as IP fragments and never answered, "
                 "%3 retransmission(s) included")
                 .arg(f.ikeIpFragmentedUnanswered.value)
                 .arg(f.largestFragmentedIke)
                 .arg(f.fragmentedIkeRetransmissions),
             f.ikeIpFragmentedUnanswered);
    citeCount(fd, f.ikeIpFragmentsMissing,
              QStringLiteral(
                  "a capture holds only some IP fragments of %1 of them: the other fragments were "
                  "dropped before it (non-first fragments carry no UDP header, so port filters drop them)"));
    citeCount(fd, f.ikeSkfMissing,
              QStringLiteral("%1 unanswered request(s) arrived with RFC 7383 IKE fragments missing"));
    citeCount(fd, f.ikeSkfIpFragmented,
              QStringLiteral("%1 of them were RFC 7383 IKE fragments already: IKEv2 fragmentation is in use, "
                             "its fragments are larger than the path (charon.fragment_size, default 1280 "
                             "bytes), so setting fragmentation = yes changes nothing"));
    if (f.ikeSaInitAnswered)
        cite(fd, QStringLiteral("the peer answered the small IKE_SA_INIT, so it is reachable: only the large "
                                "message does not get through"));
    auto said = [](int a) {
        return a > 0 ? QStringLiteral("announced") : a == 0 ? QStringLiteral("did not announce") : QString();
    };
    if (f.fragSupportInitiator >= 0)
        cite(fd, QStringLiteral("IKE_SA_INIT: the initiator %1 IKEv2 fragmentation%2")
                     .arg(said(f.fragSupportInitiator),
                          f.fragSupportResponder >= 0
                              ? QStringLiteral(", the responder %1 it").arg(said(f.fragSupportResponder))
                              : QString()));
    if (!f.fragmentationSetting.isEmpty())
        cite(fd, QStringLiteral("the configuration sets fragmentation = %1").arg(f.fragmentationSetting));
    if (!f.havePair)
        fd.collectNext << QStringLiteral(
            "a capture at the peer: it shows which fragments arrive (only the first one: a filter in between "
            "drops the others)");
    IkeFragmentationParams p;
    p.initiatorAnnounces = f.fragSupportInitiator;
    p.responderAnnounces = f.fragSupportResponder;
    p.provenPathMtu = f.ptbSeen ? int(f.ptbMtu) : 0;
    p.configured = f.fragmentationSetting;
    p.configKnown = f.haveConfig;
    p.fragmentsInUse = f.ikeSkfIpFragmented.value > 0;
    // The fragments' size (with fragments in use the only configuration fix; without, what
    // fragmentation = yes sends: charon.fragment_size, default 1280): without an ICMP error the path
    // MTU the evidence proves otherwise (a probe, a link MTU on the path, the largest packet proven
    // delivered: a size that got through) bounds it. Nothing proven: the fix says so.
    if (!f.ptbSeen) {
        const PathMtuDecision pm = decidePathMtu(f);
        p.provenPathMtu = int(pm.value);
        p.provenBy =
            pm.source == PathMtuSource::Probe ? QStringLiteral("the path MTU a probe measured")
            : pm.source == PathMtuSource::LinkMtu
                ? QStringLiteral("the smallest link MTU on the path in the evidence")
            : pm.source == PathMtuSource::ProvenDelivered
                ? QStringLiteral("the largest outer packet proven delivered (the path carries at least that)")
                : QString();
        if (p.provenBy.isEmpty()) p.provenPathMtu = 0;
        p.bound = pm.source == PathMtuSource::LinkMtu           ? IkeFragmentationParams::Bound::AtMost
                  : pm.source == PathMtuSource::ProvenDelivered ? IkeFragmentationParams::Bound::AtLeast
                                                                : IkeFragmentationParams::Bound::Exact;
    }
    addFixes(fd, ikeFragmentationFixes(fixTarget(f), p));
    return fd;
}

// ---------------------------------------------------------------- step 1

/// Cites each capture's own drops; returns how many packets the captures dropped in all.
std::uint64_t citeCaptureDrops(Finding &fd, const Facts &f)
{
    std::uint64_t total = 0;
    for (const Facts::CaptureDropFact &d : f.captureDrops) {
        if (!d.known || d.dropped == 0) continue;
        total += d.dropped;
        cite(fd,
             QStringLiteral(
                 "the capture %1 itself dropped %2 packets (kernel %3, interface %4) of %5 received, "
                 "as its statistics block says: packets missing from it may be these, which are "
                 "not transit loss")
                 .arg(d.capture, QString::number(d.dropped), QString::number(d.osDrop),
                      QString::number(d.ifDrop), QString::number(d.received)),
             EvidenceRef{d.capture,
                         -1,
                         -1,
                         0,
                         false,
                         QStringLiteral("isb_osdrop+isb_ifdrop %1").arg(d.dropped),
                         {},
                         0});
    }
    return total;
}

/// Cites the signs of packets corrupted on the way the captures hold (Facts::corruptHeaders,
/// corruptSpiPackets, outOfRunSeq); false when there are none.
bool citeCorruption(Finding &fd, const Facts &f)
{
    struct Sign
    {
        const RefCount &count;
        const char *one, *many, *what;
    };
    const Sign signs[] = {
        {f.corruptHeaders, "packet", "packets",
         "with an IPv4 header corrupted on the way (its checksum wrong after a router): the receiving kernel "
         "drops them"},
        {f.corruptSpiPackets, "ESP packet", "ESP packets",
         "with an SPI one bit off that of a busy SA of the same flow, numbered inside its run: corrupted on "
         "the way (the receiver has no such SA: XfrmInNoStates)"},
        {f.outOfRunSeq, "ESP packet", "ESP packets",
         "with a sequence number ahead of its SA's run that the numbering never went on from: corrupted on "
         "the way, counted neither as loss nor as reordering"},
    };
    bool any = false;
    for (const Sign &g : signs) {
        if (!g.count.value) continue;
        cite(fd,
             QStringLiteral("%1 %2 %3")
                 .arg(g.count.value)
                 .arg(QLatin1String(g.count.value == 1 ? g.one : g.many), QLatin1String(g.what)),
             g.count.ref);
        any = true;
    }
    if (any) {
        cite(fd,
             QStringLiteral("packets are corrupted between the ends (bit errors after a link's CRC, a faulty "
                            "NIC, a box that mangles packets); where the payload is hit, the receiver's "
                            "ESP integrity check fails (XfrmInStateProtoError)"));
        fd.collectNext << QStringLiteral(
            "the receiver's /proc/net/xfrm_stat before and after (ikev2wb collect): XfrmInStateProtoError "
            "counts the corrupted payloads a capture cannot tell apart");
    }
    return any;
}

std::optional<Finding> rulePacketLossInTransit(const Facts &f)
{
    if (f.havePair) {
        // Each direction on its own numbers: its losses outside outages and MTU effects, over
        // what it sent.
        const DirectionFacts *worst = nullptr;
        StepStatus status = StepStatus::Pass;
        std::uint64_t lost = 0;
        for (const DirectionFacts &d : f.dir) {
            const std::uint64_t l = d.lossOfItsOwn();
            lost += l;
            // beside a size-dependent loss, the rate of the sizes that can arrive
            const StepStatus s = lossSeverity(l, d.sizeDependent ? d.sent - d.sizeLost() : d.sent);
            if (l && (!worst || stepStatusSeverity(s) > stepStatusSeverity(status))) worst = &d;
            if (stepStatusSeverity(s) > stepStatusSeverity(status)) status = s;
        }
        // A loss or two is a note on step 1 (see checklist.cpp), not a cause.
        if (!worst || status == StepStatus::Pass) return std::nullopt;
        // The receiver's capture holds, arriving corrupted (bad header checksums, altered SPIs or
        // numbers), at least half of what the worst direction never received intact: corruption
        // on the way, which its kernel drops, not congestion.
        const bool corrupted = worst->arrivedCorrupted * 2 >= worst->lossOfItsOwn();
        Finding fd =
            start("packet_loss_in_transit", 1,
                  corrupted ? QStringLiteral("ESP packets are corrupted in transit between the endpoints: "
                                             "they reach %1 damaged and its kernel drops them")
                                  .arg(worst->to)
                            : QStringLiteral("ESP packets are lost in transit between the endpoints"),
                  status, status == StepStatus::Fail ? 0.85 : 0.6);
        for (const DirectionFacts &d : f.dir)
            if (d.lost && !d.sizeDependent)
                cite(fd,
                     QStringLiteral(
                         "%1 → %2: %3 of %4 ESP packets sent were never received%5 (%6 %); %7 lost in "
                         "outages")
                             .arg(d.from, d.to)
                             .arg(d.lost)
                             .arg(d.sent)
                             .arg(d.arrivedCorrupted ? QStringLiteral(" intact") : QString())
                             .arg(percent(d.lost, d.sent))
                             .arg(d.outageLost) +
                         (d.arrivedCorrupted
                              ? QStringLiteral(
                                    "; %1's capture holds %2 packets that arrived corrupted (below)")
                                    .arg(d.to)
                                    .arg(d.arrivedCorrupted)
                              : QString()),
                     d.firstLost);
            else if (d.lossOfItsOwn() && d.sizeDependent)
                cite(fd,
                     QStringLiteral(
                         "%1 → %2: %3 of %4 ESP packets sent were never received (%5 %): %6 larger "
                         "than %7 bytes, which step 2 explains, and %8 of the %9 packets of up to %7 "
                         "bytes (%10 %)")
                         .arg(d.from, d.to)
                         .arg(d.lost)
                         .arg(d.sent)
                         .arg(percent(d.lost, d.sent))
                         .arg(d.sizeLost())
                         .arg(d.largestDelivered)
                         .arg(d.lossOfItsOwn())
                         .arg(d.sent - d.sizeLost())
                         .arg(percent(d.lossOfItsOwn(), d.sent - d.sizeLost())),
                     d.firstLost);
        cite(fd,
             corrupted
                 ? QStringLiteral("%1 packets arrived at %2 corrupted against %3 never received intact: the "
                                  "loss is corruption on the way (bit errors), not congestion or policing")
                       .arg(worst->arrivedCorrupted)
                       .arg(worst->to)
                       .arg(worst->lossOfItsOwn())
             : worst->sizeDependent
                 ? QStringLiteral("beside the MTU's loss of the larger packets, packets small enough for the "
                                  "path were lost too, outside outages: random loss on the path, e.g. "
                                  "congestion, a bad link or policing")
             : worst->smallestLost && worst->largestDelivered >= worst->smallestLost
                 ? QStringLiteral(
                       "lost packets were as small as %1 bytes while packets of up to %2 bytes arrived: the "
                       "loss "
                       "does not depend on size (not an MTU effect), and it happened outside outages: "
                       "loss on the path, e.g. congestion, a bad link or policing")
                       .arg(worst->smallestLost)
                       .arg(worst->largestDelivered)
                 : QStringLiteral("the loss is spread over sizes (not an MTU effect) and outside outages: "
                                  "random loss on the path, e.g. congestion, a bad link or policing"));
        citeCorruption(fd, f);
        // Capture drops as large as the loss could explain all of it: not proven transit loss.
        if (citeCaptureDrops(fd, f) >= lost) {
            fd.status = StepStatus::Warn;
            fd.confidence = std::min(fd.confidence, 0.4);
        }
        fd.collectNext
            << QStringLiteral(
                   "captures along the path (or mtr / tracepath from %1 to %2) to find the hop that drops")
                   .arg(worst->from, worst->to)
            << QStringLiteral(
                   "interface and qdisc drop counters of the routers in between (tc -s qdisc, ip -s link)");
        return fd;
    }
    if (f.seqMissing.value == 0 || f.espNeverReceived) return std::nullopt;
    // One capture: sequence numbers that never reached this point, judged per direction over
    // all of its SAs. It cannot say where they were lost.
    const SeqGapFacts *worst = nullptr;
    StepStatus status = StepStatus::Pass;
    for (const SeqGapFacts &g : f.seqGaps) {
        const StepStatus s = lossSeverity(g.missing, g.packets + g.missing);
        if (g.missing && (!worst || stepStatusSeverity(s) > stepStatusSeverity(status))) worst = &g;
        if (stepStatusSeverity(s) > stepStatusSeverity(status)) status = s;
    }
    if (!worst || status == StepStatus::Pass) return std::nullopt;
    // The MTU analyzer suspects a black hole at this receiver (nothing large arrived after the
    // first missing number, or nothing large at all): the missing ones may be the large ones, so
    // loss is the weaker explanation.
    // A receiver's suspicion is about one peer's direction: at a hub another spoke's loss stays
    // its own (review of fd8e3fa).
    const bool mtuExplains =
        f.blackHoleLevel >= 1 &&
        ((f.blackHoleAtReceiver && (f.blackHoleSender.isEmpty() || worst->from == f.blackHoleSender)) ||
         f.largestOuter < kLargeOuterBytes);
    if (mtuExplains) status = StepStatus::Warn;
    Finding fd = start("packet_loss_in_transit", 1,
                       QStringLiteral("ESP sequence numbers are missing at the capture point"), status,
                       mtuExplains ? 0.35 : (status == StepStatus::Fail ? 0.55 : 0.45));
    for (const SeqGapFacts &g : f.seqGaps)
        if (g.missing) cite(fd, seqGapText(g), g.ref);
    if (f.replayCounter.value == 0 && f.haveCounters)
        cite(fd, QStringLiteral("no anti-replay drops on the host (XfrmInStateSeqError unchanged): the gaps "
                                "are loss, not drops"));
    citeCorruption(fd, f);
    if (citeCaptureDrops(fd, f) >= f.seqMissing.value) {
        fd.status = StepStatus::Warn;
        fd.confidence = std::min(fd.confidence, 0.3);
    }
    fd.collectNext << QStringLiteral(
        "a capture at the sending endpoint: it proves the missing packets were sent, i.e. lost "
        "in transit rather than never sent (ikev2wb diagnose --capture A --peer-capture B)");
    return fd;
}

// ---------------------------------------------------------------- step 3

std::optional<Finding> rulePeerUnreachable(const Facts &f)
{
    double conf = 0;
    StepStatus status = StepStatus::Warn;
    std::vector<EvidenceItem> ev;
    if (f.logGiveUps.value || f.peerNotResponding.value) {
        conf = 0.85;
        status = StepStatus::Fail;
        ev.push_back(
            {QStringLiteral(
                 "charon gave up on the peer %1 time(s) (\"giving up after N retransmits\" / \"peer not "
                 "responding\")")
                 .arg(f.peerNotResponding.value),
             f.peerNotResponding.ref});
    }
    if (f.ikeGaveUp.value) {
        conf = std::max(conf, 0.75);
        status = StepStatus::Fail;
        ev.push_back(
            {QStringLiteral(
                 "%1 IKE exchange(s) were retransmitted until the sender gave up, with no answer captured")
                 .arg(f.ikeGaveUp.value),
             f.ikeGaveUp.ref});
    }
    // An outage that NAT signs explain is the NAT rule's; ESP that never arrived is esp_blocked's.
    const bool natExplains = f.icmpPortUnreachNatT.value || f.rebindings.value || f.natMappingChanges.value;
    if (f.outageS >= 3 && !f.espNeverReceived && !(conf == 0 && natExplains)) {
        if (conf == 0) {
            conf = f.outageBothWays ? 0.7 : 0.45;
            status = f.outageBothWays ? StepStatus::Fail : StepStatus::Warn;
        } else {
            conf = std::min(1.0, conf + 0.05);
        }
        ev.push_back({QStringLiteral("ESP outage of %1 s (%2 packets lost) %3")
                          .arg(secs(f.outageS))
                          .arg(f.outageLost.value)
                          .arg(f.outageBothWays ? QStringLiteral("in both directions")
                                                : QStringLiteral("in one direction")),
                      f.outageLost.ref});
    }
    if (conf == 0) return std::nullopt;
    // A peer that answered IKE_SA_INIT while only its large IKE_AUTH went unanswered is reachable:
    // that silence is ike_fragmentation's, unless ESP measured an outage as well.
    if (f.ikeSaInitAnswered && (f.ikeIpFragmentedUnanswered.value || f.ikeSkfMissing.value) && f.outageS < 3)
        return std::nullopt;
    Finding fd =
        start("peer_unreachable", 3,
              QStringLiteral("The peer was unreachable: an outage on the path, DPD declared it dead"), status,
              conf);
    fd.evidence = std::move(ev);
    if (f.dpdRequests.value) {
        cite(fd, QStringLiteral("%1 DPD request(s) sent").arg(f.dpdRequests.value), f.dpdRequests);
        fd.confidence = std::min(1.0, fd.confidence + 0.05);
    }
    PeerUnreachableParams p;
    p.outageS = f.outageS;
    p.schedule = retransmitScheduleInUse(f);
    p.dpdDelayS = f.dpdDelayS;
    p.dpdAction = f.dpdAction;
    p.dpdRequestsLogged = f.ownDpdRequests;
    const FixTarget target = fixTarget(f);
    // The log proves the action of the children it names: the fix's own, or the one it names
    // when the fix's child is a placeholder.
    const bool childKnown = !target.child.startsWith(QLatin1Char('<'));
    for (const Facts::LoggedRestart &r : f.dpdRestartsLogged)
        if (childKnown ? r.child == target.child
                       : f.dpdRestartsLogged.size() == 1 && isValidConnectionName(r.child))
            p.dpdRestartLogged =
                QStringLiteral("%1 line %2 'restarting CHILD_SA %3', right after the give-up "
                               "on line %4")
                    .arg(r.ref.source, QString::number(r.ref.line), r.child, QString::number(r.giveUpLine));
    if (!f.ikeInitiator.isEmpty() && !f.localAddress.isEmpty()) {
        p.thisEndInitiates = f.ikeInitiator == f.localAddress ? 1 : 0;
        p.initiator = f.ikeInitiator;
    }
    cite(fd, (p.schedule.anyKnown() ? QStringLiteral("retransmission schedule in use: %1")
                                    : QStringLiteral("retransmission schedule: %1"))
                 .arg(p.schedule.text()));
    if (f.outageS <= 0)
        fd.collectNext << QStringLiteral(
            "captures at both ends to measure how long the path was down: only a measured outage "
            "sizes a change of retransmit_tries");
    addFixes(fd, peerUnreachableFixes(target, p));
    return fd;
}

std::optional<Finding> rulePeerSilent(const Facts &f)
{
    if (!f.peerSilence || f.havePair) return std::nullopt;
    const Facts::PeerSilence &s = *f.peerSilence;
    Finding fd = start("peer_silent", 3,
                       QStringLiteral("Nothing came back from %1 for the last %2 s of the capture while this "
                                      "host kept sending ESP to it")
                           .arg(s.peer, secs(s.silenceS)),
                       StepStatus::Warn, 0.5);
    cite(fd,
         QStringLiteral(
             "nothing from %1 after %2 (its last packet of any kind) to the capture's end %3 s later")
             .arg(s.peer, utcText(s.lastFromPeer.timeNs, UtcFormat::TimeOfDay), secs(s.silenceS)),
         s.lastFromPeer);
    cite(fd,
         QStringLiteral(
             "meanwhile this host sent %1 ESP packets to %2 over %3 s (%4 to %5, SPI %6), %7 of them "
             "more than 1 s before the capture's end; none drew ESP from the peer")
             .arg(s.sent)
             .arg(s.peer, secs(s.spanS), utcText(s.firstSent.timeNs, UtcFormat::TimeOfDay),
                  utcText(s.lastSentNs, UtcFormat::TimeOfDay), spiText(s.firstSent.spi))
             .arg(s.judged),
         s.firstSent);
    cite(fd,
         QStringLiteral("before that the peer sent ESP to this host steadily: %1 packets over %2 s up to its "
                        "last, none more than 1 s after the one before (a peer that only answered a few "
                        "packets of a one-way stream is not taken as silent)")
             .arg(s.peerRunPackets)
             .arg(secs(s.peerRunS)),
         s.lastFromPeer);
    cite(fd, QStringLiteral("what this capture does not prove: whether this host's packets reached the peer, "
                            "whether the peer answered and its answers were lost on the way back, or why; "
                            "so no configuration change is offered"));
    fd.collectNext
        << QStringLiteral(
               "a capture at the peer %1 over the same time (tcpdump -ni IFACE -w peer.pcap 'udp port "
               "500 or udp port 4500 or esp or icmp'), then ikev2wb diagnose --capture A "
               "--peer-capture B: it shows whether this host's ESP arrived and whether the peer "
               "sent anything back")
               .arg(s.peer)
        << QStringLiteral(
               "the peer's SA state while it happens: on %1, ip -s xfrm state (does its inbound SA "
               "count this host's packets, are its SAs still there) and swanctl --list-sas, or "
               "ikev2wb collect there, passed with --evidence")
               .arg(s.peer);
    return fd;
}

int natKeepaliveFor(const Facts &f, double *bound, bool *known)
{
    bool assumed = true;
    const double timeout = natUdpTimeoutInUse(f, &assumed);
    double b = timeout;
    bool k = true; // a timeout (known or assumed) leaves room for one lost keepalive
    int keepalive = recommendedKeepalive(timeout, true);
    if (assumed && f.idleBeforeFailureS > 0) {
        // The mapping was gone after this idle time: an upper bound of the real timeout, which
        // wins when it asks for the shorter interval.
        const int fromBound = recommendedKeepalive(f.idleBeforeFailureS, false);
        if (fromBound <= keepalive) {
            keepalive = fromBound;
            b = f.idleBeforeFailureS;
            k = false;
        }
    }
    if (bound) *bound = b;
    if (known) *known = k;
    return keepalive;
}

std::optional<Finding> ruleNatMappingExpiry(const Facts &f)
{
    if (!f.natT && !f.natDetected) return std::nullopt;
    int hints = 0;
    std::vector<EvidenceItem> ev;
    if (f.natMappingChanges.value) {
        ++hints;
        ev.push_back(
            {QStringLiteral("charon saw the NAT mapping change %1 time(s)").arg(f.natMappingChanges.value),
             f.natMappingChanges.ref});
    }
    if (f.rebindings.value) {
        ++hints;
        ev.push_back({QStringLiteral("%1 ESP SA(s) continued from a new UDP port (NAT rebinding)")
                          .arg(f.rebindings.value),
                      f.rebindings.ref});
    }
    if (f.icmpPortUnreachNatT.value) {
        ++hints;
        ev.push_back(
            {QStringLiteral(
                 "%1 ICMP port-unreachable quoting UDP 4500 / ESP-in-UDP: the NAT no longer had the mapping")
                 .arg(f.icmpPortUnreachNatT.value),
             f.icmpPortUnreachNatT.ref});
    }
    if (f.idleBeforeFailureS > 0) {
        ++hints;
        ev.push_back({QStringLiteral("after %1 s of idle the traffic came back on a new port or one way only")
                          .arg(secs(f.idleBeforeFailureS)),
                      {}});
    }
    if (hints == 0 ||
        (hints == 1 && f.idleBeforeFailureS > 0 && f.natMappingChanges.value == 0 && !f.havePair))
        return std::nullopt;
    // Idle gaps judged against the NAT timeout in use: a gap longer than it supports the finding
    // (it is not a finding on its own: many NATs keep mappings longer than assumed).
    bool timeoutAssumed = true;
    QString timeoutBasis;
    const double timeout = natUdpTimeoutInUse(f, &timeoutAssumed, &timeoutBasis);
    std::uint64_t over = 0;
    double longestOver = 0;
    EvidenceRef overRef;
    for (const IdleGapFact &g : f.idleGaps) {
        if (!outlastsNatTimeout(g.seconds, timeout)) continue;
        if (over++ == 0) overRef = g.ref;
        longestOver = std::max(longestOver, g.seconds);
    }
    const bool loss = totalLost(f) > 0 || f.icmpPortUnreachNatT.value > 0;
    Finding fd = start("nat_mapping_expiry", 3,
                       QStringLiteral("The NAT dropped the tunnel's UDP mapping while it was idle"),
                       loss ? StepStatus::Fail : StepStatus::Warn,
                       std::min(0.95, 0.6 + 0.12 * (hints - 1) + (loss ? 0.1 : 0) + (over ? 0.05 : 0)));
    fd.evidence = std::move(ev);
    if (over)
        cite(fd,
             QStringLiteral("%1 idle gap(s) of up to %2 s, longer than the NAT UDP timeout (%3): the mapping "
                            "expires in them")
                 .arg(over)
                 .arg(secs(longestOver), timeoutBasis),
             overRef);
    else if (f.idleBeforeFailureS > 0)
        cite(fd,
             QStringLiteral("the mapping was gone after %1 s of idle, shorter than the NAT UDP timeout (%2): "
                            "this NAT times out sooner")
                 .arg(secs(f.idleBeforeFailureS), timeoutBasis));
    else if (!f.idleGaps.empty())
        cite(fd, QStringLiteral("no idle gap reached the NAT UDP timeout (%1); the longest was %2 s")
                     .arg(timeoutBasis, secs(std::max_element(f.idleGaps.begin(), f.idleGaps.end(),
                                                              [](const IdleGapFact &a, const IdleGapFact &b) {
                                                                  return a.seconds < b.seconds;
                                                              })
                                                 ->seconds)));
    double bound = 0;
    bool known = false;
    const int keepalive = natKeepaliveFor(f, &bound, &known);
    if (f.keepaliveIntervalS > 0)
        cite(fd, QStringLiteral("NAT-T keepalives were sent every %1 s").arg(secs(f.keepaliveIntervalS)));
    else if (f.keepaliveConfiguredS > 0)
        cite(fd, QStringLiteral("charon.keep_alive is %1 s").arg(secs(f.keepaliveConfiguredS)));
    else if (const double idle = std::max(f.longestIdleS, f.idleBeforeFailureS); idle > 0)
        // The number the NAT-timeout alternative quotes ("longer than that"), cited here.
        cite(fd,
             QStringLiteral("no NAT-T keepalive was captured during the idle time: the interval in use is "
                            "longer than the longest idle gap captured, %1 s (strongSwan's default is 20 s)")
                 .arg(secs(idle)));
    else
        cite(fd, QStringLiteral("no NAT-T keepalive was captured during the idle time: the interval is "
                                "longer than the idle gap "
                                "(strongSwan's default is 20 s)"));
    if (f.keepaliveIntervalS > timeout || f.keepaliveConfiguredS > timeout)
        cite(fd, QStringLiteral("the keepalive interval is longer than the NAT UDP timeout (%1)")
                     .arg(timeoutBasis));
    cite(fd,
         known ? QStringLiteral("the NAT's UDP timeout is %1 s (%2)")
                     .arg(secs(bound),
                          timeoutAssumed ? QStringLiteral("assumed, %1").arg(f.assumptions.natUdpTimeoutFrom)
                                         : QStringLiteral("sysctl nf_conntrack_udp_timeout_stream"))
               : QStringLiteral(
                     "the NAT's UDP timeout is below %1 s (the mapping was gone after that much idle time)")
                     .arg(secs(bound)));
    if (timeoutAssumed)
        fd.collectNext << QStringLiteral(
            "the NAT device's timeout for an established UDP flow (Linux: sysctl "
            "net.netfilter.nf_conntrack_udp_timeout_stream, as NAT-T traffic goes both ways; "
            "conntrack -L -p udp shows the 4500 entry [ASSURED] with its remaining seconds)");
    if (f.keepaliveIntervalS <= 0 && f.keepaliveConfiguredS <= 0)
        fd.collectNext << QStringLiteral(
            "strongswan.conf / strongswan.d of the host behind the NAT (charon.keep_alive)");
    addFixes(fd, natKeepaliveFixes(fixTarget(f), keepalive, bound,
                                   !known           ? NatTimeoutBasis::IdleBound
                                   : timeoutAssumed ? NatTimeoutBasis::Assumed
                                                    : NatTimeoutBasis::Known,
                                   std::max(f.longestIdleS, f.idleBeforeFailureS),
                                   std::max(f.keepaliveIntervalS, f.keepaliveConfiguredS)));
    return fd;
}

// ---------------------------------------------------------------- step 4

std::optional<Finding> ruleIkeRetransmissions(const Facts &f)
{
    const std::uint64_t n = std::max(f.ikeRetransmissions.value, f.logRetransmits.value);
    if (n == 0) return std::nullopt;
    const bool gaveUp = f.logGiveUps.value || f.ikeGaveUp.value || f.peerNotResponding.value;
    // Retransmissions that chased answers on their way (every copy answered, or the pair's
    // comparison shows the answer not yet due): nothing was lost, the wait is shorter than the
    // round trip.
    const RefCount &early = f.ikeRetransmittedAnswerLate.value > f.ikePrematureRetransmissions.value
                                ? f.ikeRetransmittedAnswerLate
                                : f.ikePrematureRetransmissions;
    // Most of them proven early and none proven lost: the rest are likely the same (their answers
    // fell outside the capture, or it was taken at the responder), so not a failure.
    // Loss shown anywhere keeps the finding a failure: a copy lost in the pair, a retransmission
    // the comparison blames on a lost request or answer, or (one capture) a requester's exchange
    // answered fewer times than sent.
    std::uint64_t shortOfAnswers = f.ikeShortOfAnswersPair.value;
    if (!f.havePair)
        for (const auto &[sender, c] : f.ikeShortOfAnswersBySender)
            if (sender != f.peerAddress) shortOfAnswers += c.value;
    const bool lossShown = f.ikeLostInTransit.value || f.ikeRetransmittedAfterLoss.value || shortOfAnswers;
    const bool mostlyEarly = early.value * 2 > n && !gaveUp && !lossShown;
    const bool onlyEarly = mostlyEarly && early.value >= n;
    // Given-up exchanges are the peer_unreachable finding; here they only support it.
    const bool serious = !gaveUp && !mostlyEarly && (n >= 3 || f.maxRetransmitsOneExchange >= 2);
    double conf = gaveUp ? 0.3 : 0.6;
    if (f.ikeLostInTransit.value) conf += 0.15;
    if (f.logRetransmits.value && f.ikeRetransmissions.value) conf += 0.1;
    Finding fd =
        start("ike_retransmissions", 4,
              onlyEarly ? QStringLiteral("IKE requests were retransmitted before their answers could arrive")
              : mostlyEarly
                  ? QStringLiteral("IKE requests were retransmitted, most before their answers could arrive")
                  : QStringLiteral("IKE requests had to be retransmitted"),
              serious ? StepStatus::Fail : StepStatus::Warn, conf);
    if (f.ikeRetransmissions.value)
        cite(fd,
             (f.havePair
                  ? QStringLiteral("%1 IKE request retransmission(s) in the two captures (per sender, the "
                                   "capture that saw more of its sends), up to %2 for one exchange")
                  : QStringLiteral(
                        "%1 IKE request retransmission(s) in the capture, up to %2 for one exchange"))
                 .arg(f.ikeRetransmissions.value)
                 .arg(f.maxRetransmitsOneExchange),
             f.ikeRetransmissions);
    citeCount(fd, f.logRetransmits, QStringLiteral("%1 \"retransmit N of request\" line(s) in charon's log"));
    citeCount(fd, f.ikeLostInTransit,
              QStringLiteral("%1 IKE message(s) were sent by one end and never reached the other"));
    if (early.value) {
        const QString wait =
            f.ikePrematureWaitS > 0
                ? QStringLiteral(", the first retransmission %1 s after its request (charon's "
                                 "retransmit_timeout)")
                      .arg(QString::number(f.ikePrematureWaitS, 'f', 2))
                : QString();
        const QString rtt = f.ikePrematureRttS > 0
                                ? QStringLiteral(": the first answer came up to %1 s after the request")
                                      .arg(QString::number(f.ikePrematureRttS, 'f', 2))
                                : QString();
        cite(fd,
             (&early == &f.ikeRetransmittedAnswerLate
                  ? QStringLiteral(
                        "%1 of them went out while the answer to the copy before was still on its way "
                        "(the other capture shows it sent, not yet arrived)%2%3")
                  : QStringLiteral("%1 of them went out while the answer was still on its way (every copy of "
                                   "those requests was answered, the first answer after them)%2%3"))
                 .arg(early.value)
                 .arg(rtt, wait),
             early);
    }
    if (shortOfAnswers)
        cite(fd,
             QStringLiteral("%1 exchange(s) were answered fewer times than their request was sent, each "
                            "missing answer due before the capture's end: a request or an answer was lost")
                 .arg(shortOfAnswers));
    citeCount(
        fd, f.ikeLostBeyondSpan,
        QStringLiteral("%1 IKE message(s) were on their way when a capture stopped (due at the other end "
                       "after its capture's last packet, within one transit of it or of the end of the "
                       "sender's capture; or the mirror at the start): not counted as lost"));
    if (f.rekeys && !mostlyEarly)
        cite(fd,
             (f.havePair ? QStringLiteral("%1 rekey(s) in the capture that saw more of them: a rekey slowed "
                                          "by lost messages can outlast the SA's hard lifetime")
                         : QStringLiteral("%1 rekey(s) in the capture: a rekey slowed by lost messages can "
                                          "outlast the SA's hard lifetime"))
                 .arg(f.rekeys));
    const RetransmitSchedule sched = retransmitScheduleInUse(f);
    if (!sched.followed())
        cite(fd, QStringLiteral("retransmission schedule in strongswan.conf: %1; not a schedule strongSwan "
                                "follows (it keeps each wait in 32-bit milliseconds, at most %2 s): no "
                                "lifetime is sized from it")
                     .arg(sched.text(), QString::number(kMaxRetransmitWaitS, 'f', 3)));
    if (f.ikeOutcomeNotCaptured.value && !gaveUp) {
        cite(fd,
             QStringLiteral(
                 "the capture ended %1 s after the last retransmission of %2 unanswered request(s); "
                 "with the schedule in use (%3) the next retransmission or the give-up was due "
                 "%4 s after it: the capture ended before the outcome")
                 .arg(secs(f.outcomeSilenceS))
                 .arg(f.ikeOutcomeNotCaptured.value)
                 .arg(sched.text(), secs(f.outcomeNeededS)),
             f.ikeOutcomeNotCaptured);
        fd.collectNext
            << QStringLiteral(
                   "a capture that runs at least %1 s past the last retransmission, or charon's log "
                   "(\"giving up after N retransmits\" or the response)")
                   .arg(secs(kRetransmitStopMargin * f.outcomeNeededS));
    }
    if (!f.havePair)
        fd.collectNext << QStringLiteral(
            "a capture at the peer: it shows whether requests or responses were lost");
    if (!f.haveConfig)
        fd.collectNext << QStringLiteral(
            "swanctl.conf and strongswan.conf (rekey_time, life_time, over_time, retransmit_*)");
    // Any retransmission proven early proves the wait shorter than that round trip, lost messages
    // besides or not: the longer wait is offered either way.
    std::vector<Fix> longerWait;
    if (early.value) longerWait = retransmitTimeoutFixes(f.ikePrematureRttS, f.ikePrematureWaitS, sched);
    if (early.value && longerWait.empty())
        fd.collectNext << QStringLiteral(
            "the round trip and the retransmission wait in use: a capture at the requesting end with "
            "each request answered (it shows both), and strongswan.conf (retransmit_timeout)");
    // The lifetimes must leave room for the schedule the fixes leave in place: a longer first
    // wait stretches the give-up time by the same factor (0.5 → 4 s: 20.6 → 165 s).
    RetransmitSchedule kept = sched;
    if (!longerWait.empty()) {
        kept.timeoutS = RetransmitSchedule{}.timeoutS;
        kept.timeoutConfigured = kept.timeoutLogged = false;
        kept.timeoutPlanned = true;
    }
    addFixes(fd, ikeRetransmissionFixes(fixTarget(f), std::uint32_t(n), kept, lifetimesInUse(f)));
    // Whose charon retransmitted early: this host's, the peer's, or both.
    std::uint64_t earlyHere = 0, earlyThere = 0;
    if (f.havePair && f.ikeAnswerLateBySide[0] + f.ikeAnswerLateBySide[1] > 0) {
        earlyHere = f.ikeAnswerLateBySide[0];
        earlyThere = f.ikeAnswerLateBySide[1];
    } else {
        for (const auto &[sender, c] : f.ikePrematureBySender)
            (!f.peerAddress.isEmpty() && sender == f.peerAddress ? earlyThere : earlyHere) += c.value;
    }
    const bool theirsToo = !longerWait.empty() && earlyThere;
    if (earlyHere || !earlyThere) addFixes(fd, std::move(longerWait));
    if (theirsToo) {
        const FixTarget there = fixTargetAtPeer(f);
        std::vector<Fix> theirs;
        // The peer's configuration is not this host's: its wait as measured.
        for (Fix x : retransmitTimeoutFixes(f.ikePrematureRttS, f.ikePrematureWaitS, RetransmitSchedule{})) {
            x.title = QStringLiteral("On the peer %1: %2").arg(there.localAddress, x.title);
            x.changes = QStringLiteral("%1 of the early retransmissions came from the peer's charon. %2")
                            .arg(earlyThere)
                            .arg(x.changes);
            x.verify = QStringLiteral("On %1: %2").arg(there.host, x.verify);
            theirs.push_back(std::move(x));
        }
        addFixes(fd, std::move(theirs));
    }
    return fd;
}

std::optional<Finding> ruleIkeConfigMismatch(const Facts &f)
{
    const std::uint64_t said =
        f.logNoProposal.value + f.logTsUnacceptable.value + f.logAuthFailed.value + f.ikeErrorNotifies.value;
    const std::uint64_t kernel = f.xfrmInTmplMismatch.value + f.xfrmInNoPols.value;
    if (said == 0 && kernel == 0) return std::nullopt;
    // The peer answers, with an error: a configuration mismatch, not an unreachable peer.
    Finding fd =
        start("ike_config_mismatch", 4,
              QStringLiteral("The peers' configurations do not match (proposals, traffic selectors or "
                             "authentication)"),
              said ? StepStatus::Fail : StepStatus::Warn, said ? 0.9 : 0.4);
    citeCount(fd, f.logNoProposal,
              QStringLiteral("%1 charon line(s): no proposal both sides accept (NO_PROPOSAL_CHOSEN)"));
    if (f.logNoProposal.value)
        fd.collectNext << QStringLiteral(
            "swanctl --list-conns on both peers: the proposals (proposals / esp_proposals) must share one "
            "algorithm set; the responder's log (cfg 2) prints 'received proposals' and 'configured "
            "proposals' "
            "(a CHILD_SA proposal the responder's kernel cannot install is refused the same way: look for "
            "kernel errors there)");
    citeCount(fd, f.logTsUnacceptable,
              QStringLiteral("%1 charon line(s): the traffic selectors were refused (TS_UNACCEPTABLE)"));
    if (f.logTsUnacceptable.value)
        fd.collectNext << QStringLiteral(
            "local_ts / remote_ts of both peers: each side's local_ts must lie within the other's remote_ts");
    citeCount(
        fd, f.logAuthFailed,
        QStringLiteral("%1 charon line(s): authentication failed (AUTHENTICATION_FAILED, a MAC mismatch, "
                       "no matching peer config)"));
    if (f.logAuthFailed.value)
        fd.collectNext << QStringLiteral("ids, auth methods, PSK or certificates (and the CA chain) of both "
                                         "peers; the responder's log names "
                                         "the identity it looked for");
    if (f.ikeErrorNotifies.value)
        cite(fd,
             QStringLiteral("%1 captured IKE response(s) carry the error notify %2 in clear")
                 .arg(f.ikeErrorNotifies.value)
                 .arg(f.ikeErrorNotifyNames.join(QStringLiteral(", "))),
             f.ikeErrorNotifies);
    citeCount(fd, f.xfrmInTmplMismatch,
              QStringLiteral(
                  "XfrmInTmplMismatch +%1: decrypted packets did not match the inbound policy's template "
                  "(the SA and the policy disagree, e.g. traffic selectors)"));
    citeCount(
        fd, f.xfrmInNoPols,
        QStringLiteral("XfrmInNoPols +%1: packets arrived through an SA with no inbound policy for them "
                       "(traffic outside the negotiated selectors)"));
    if (!f.haveLogs)
        fd.collectNext << QStringLiteral(
            "charon's log of both peers (the responder names what it refused and why)");
    return fd;
}

std::optional<Finding> ruleSaMissingOrExpired(const Facts &f)
{
    const std::uint64_t expired = f.xfrmInStateExpired.value + f.xfrmOutStateExpired.value;
    const std::uint64_t missing = f.xfrmOutNoStates.value + f.xfrmOutPolBlock.value;
    if (expired == 0 && missing == 0) return std::nullopt;
    Finding fd =
        start("sa_missing_or_expired", 4,
              QStringLiteral("Packets found no usable SA (hard lifetime expired, rekey gap or tunnel down)"),
              expired ? StepStatus::Fail : StepStatus::Warn, expired ? 0.6 : 0.4);
    citeCount(fd, f.xfrmInStateExpired,
              QStringLiteral("XfrmInStateExpired +%1: inbound packets for an SA past its hard lifetime"));
    citeCount(
        fd, f.xfrmOutStateExpired,
        QStringLiteral("XfrmOutStateExpired +%1: outbound packets for an SA past its hard lifetime (the "
                       "rekey did not finish in time)"));
    citeCount(
        fd, f.xfrmOutNoStates,
        QStringLiteral("XfrmOutNoStates +%1: outbound packets matched an IPsec policy that had no SA (tunnel "
                       "down, a gap between expiry and the new SA, or an acquire pending)"));
    citeCount(
        fd, f.xfrmOutPolBlock,
        QStringLiteral("XfrmOutPolBlock +%1: outbound packets hit a block policy (e.g. strongSwan's drop "
                       "policies while the CHILD_SA is down)"));
    fd.collectNext << QStringLiteral(
        "charon's log over the same time: 'CHILD_SA ... expired', 'rekeying failed', 'deleting CHILD_SA'");
    const std::uint64_t retransmissions = std::max(f.ikeRetransmissions.value, f.logRetransmits.value);
    if (expired && retransmissions)
        addFixes(fd, ikeRetransmissionFixes(fixTarget(f), std::uint32_t(retransmissions),
                                            retransmitScheduleInUse(f), lifetimesInUse(f)));
    return fd;
}

std::uint64_t replayWindowFor(const Facts &f)
{
    const std::uint64_t current = replayWindowInUse(f);
    const std::uint64_t minSafe =
        f.minSafeWindow > 0 ? f.minSafeWindow : std::max<std::uint64_t>(current, 32) * 2;
    std::uint64_t w = recommendedReplayWindow(minSafe);
    // Never at or below the window in use: a window that already drops needs to grow.
    while (w <= current && w < kMaxReplayWindow)
        w <<= 1;
    w = std::min(w, kMaxReplayWindow);
    return w > current ? w : 0;
}

std::optional<Finding> ruleAntireplayReordering(const Facts &f)
{
    // XfrmInStateSeqError counts both drop kinds; the SA's stats tell "too old" (outside the
    // window: reordering deeper than it, a larger window helps) from "replay" (a duplicate: the
    // path, a SPAN port or an attacker repeats packets; no window helps). Without the per-SA
    // stats the counter is read as too old only when reordering was measured.
    const bool perSa = f.replayTooOld.value + f.replayDuplicates.value > 0;
    const std::uint64_t tooOld =
        perSa ? f.replayTooOld.value : (f.reordered.value ? f.replayCounter.value : 0);
    const std::uint64_t duplicates = f.replayDuplicates.value;
    const std::uint64_t unexplained = perSa || f.reordered.value ? 0 : f.replayCounter.value;
    QString basis;
    const std::uint32_t window = replayWindowInUse(f, &basis);
    const bool known = f.configuredReplayWindow >= 0;
    // The emulation at the window in use decides when it ran on a reordered capture; the
    // smallest safe window is the fallback for hand-built facts without it.
    const bool emulated = f.replayEmulated && f.emulatedReplayWindow == window;
    // A window is judged from reordering only when more than one packet arrived late: one lone
    // late number is as likely a number corrupted on the way (a flipped bit landing on a number
    // that was missing), which no window change helps.
    const bool reorderedMore = f.reordered.value > 1;
    const bool tooSmall = reorderedMore && window > 0 &&
                          (emulated ? f.emulatedReplayDrops.value > 0 : f.minSafeWindow > window);
    // Reordering deep enough to matter for small windows (some peers and offload engines use
    // 16 or less), while the receiver's window is not known: worth a warning.
    const bool unknownWindow = !known && reorderedMore && f.minSafeWindow > 2;
    if (tooOld == 0 && duplicates == 0 && unexplained == 0 && !tooSmall && !unknownWindow)
        return std::nullopt;
    const bool windowHelps = tooOld > 0 || tooSmall || unknownWindow;
    StepStatus status = StepStatus::Fail;
    double conf = 0;
    if (tooOld) {
        conf = f.reordered.value ? 0.9 : 0.7;
    } else if (tooSmall) {
        conf = known ? 0.6 : 0.45;
        status = known ? StepStatus::Fail : StepStatus::Warn;
    } else {
        conf = 0.3;
        status = StepStatus::Warn;
    }
    // Only a warning about an unknown window: nothing proves a drop, the title says what would.
    const bool onlyUnknown = tooOld == 0 && duplicates == 0 && unexplained == 0 && !tooSmall;
    Finding fd = start(
        "antireplay_reordering", 4,
        onlyUnknown
            ? QStringLiteral("ESP packets arrive up to %1 sequence numbers behind the highest: a receiver "
                             "whose anti-replay window is below %2 drops them (the receiver's window is not "
                             "known)")
                  .arg(f.minSafeWindow - 1)
                  .arg(f.minSafeWindow)
        : windowHelps
            ? QStringLiteral("Reordered ESP packets are dropped by the receiver's anti-replay window")
            : QStringLiteral("The receiver's anti-replay check dropped ESP packets (not reordering)"),
        status, conf);
    if (!f.replayDirection.isEmpty())
        cite(fd, QStringLiteral("direction %1, judged with the receiver's evidence: %2")
                     .arg(f.replayDirection,
                          f.replayReceiver.isEmpty() ? QStringLiteral("none given") : f.replayReceiver));
    if (f.replayCounter.value)
        cite(fd,
             QStringLiteral(
                 "XfrmInStateSeqError grew by %1 (anti-replay drops: too old and duplicates together)")
                 .arg(f.replayCounter.value),
             f.replayCounter);
    if (f.replayTooOld.value)
        cite(fd,
             QStringLiteral("%1 packet(s) dropped as too old (ip -s xfrm state stats 'replay-window'): they "
                            "arrived more than the window behind the highest number")
                 .arg(f.replayTooOld.value),
             f.replayTooOld);
    if (duplicates)
        cite(fd,
             QStringLiteral("%1 packet(s) dropped as duplicates (stats 'replay'): the same sequence number "
                            "arrived twice; a larger window does not help, find what duplicates them")
                 .arg(duplicates),
             f.replayDuplicates);
    if (unexplained)
        fd.collectNext << QStringLiteral(
            "ip -s xfrm state on the receiver before and after: its 'stats: replay-window N replay N' tell "
            "too old (a larger window helps) from duplicates (it does not)");
    if (emulated && f.reordered.value)
        cite(fd,
             QStringLiteral("a receiver with a replay window of %1 packets (%2) would have dropped %3 of the "
                            "captured ESP packets (emulated on their sequence numbers)")
                 .arg(QString::number(window), basis, QString::number(f.emulatedReplayDrops.value)),
             f.emulatedReplayDrops.value ? f.emulatedReplayDrops.ref : f.reordered.ref);
    if (f.reordered.value)
        cite(fd,
             QStringLiteral("%1 ESP packets arrived after a higher sequence number (reordering, up to %2 "
                            "packets displaced)")
                 .arg(f.reordered.value)
                 .arg(f.maxReorderDistance),
             f.reordered);
    if (f.minSafeWindow)
        cite(fd,
             QStringLiteral(
                 "the smallest replay window that drops none of them is %1; the window in use is %2")
                 .arg(f.minSafeWindow)
                 .arg(basis),
             f.minSafeWindowRef);
    else if (windowHelps)
        fd.collectNext << QStringLiteral(
            "a capture at the receiving endpoint's outer interface to measure the reordering depth");
    for (const QString &o : f.replayOther)
        cite(fd, o);
    if (!known)
        fd.collectNext << QStringLiteral(
            "ip -s xfrm state on the receiver: its replay-window replaces the assumed one");
    if (!f.haveCounters)
        fd.collectNext << QStringLiteral(
            "/proc/net/xfrm_stat and ip -s xfrm state before and after, on the receiver");
    if (!windowHelps) return fd;
    const std::uint64_t rec = replayWindowFor(f);
    if (rec == 0) {
        cite(fd, QStringLiteral("the window in use (%1) is already the kernel's largest (%2): only less "
                                "reordering on the path helps")
                     .arg(window)
                     .arg(kMaxReplayWindow));
        fd.collectNext << QStringLiteral(
            "where the path reorders: captures along it (ECMP / link aggregation hashing, QoS queues, "
            "multipath WAN)");
        return fd;
    }
    // The window is the receiver's to raise: with the peer receiving, its own names (or
    // placeholders), never this end's connection and child.
    Facts atReceiver = f;
    if (f.replayReceiverSide == 1) {
        atReceiver.connection = f.replayReceiverConnection;
        atReceiver.child = f.replayReceiverChild;
    }
    // minSafe 0: no capture measured the reordering's depth (the fix text says so, never rec / 2).
    addFixes(fd, replayWindowFixes(fixTarget(atReceiver), rec, f.minSafeWindow, f.configuredReplayWindow));
    return fd;
}

// ---------------------------------------------------------------- step 6

std::optional<Finding> ruleEspBlocked(const Facts &f)
{
    double conf = 0;
    std::vector<EvidenceItem> ev;
    if (f.havePair && f.espNeverReceived) {
        conf = 0.8;
        for (const DirectionFacts &d : f.dir)
            if (d.sent > 0 && d.received == 0)
                ev.push_back({QStringLiteral("%1 → %2: %3 ESP packets sent, none received")
                                  .arg(d.from, d.to)
                                  .arg(d.sent),
                              d.firstLost});
    } else if (!f.havePair && f.espOneWay.value > 0 && f.ikeEstablished) {
        conf = 0.6;
        ev.push_back(
            {QStringLiteral(
                 "%1 ESP packets in one direction only: no ESP in the reverse direction was captured")
                 .arg(f.espOneWay.value),
             f.espOneWay.ref});
    }
    // An inbound SA that counted nothing says ESP did not get through, unless the host's own
    // capture shows it arrived: then the host dropped it (esp_dropped_by_receiver), not a filter
    // on the way.
    if (f.inboundSaZero.value && f.ikeEstablished && f.espNotAccepted.empty()) {
        conf = conf > 0 ? conf + 0.1 : 0.6;
        ev.push_back(
            {QStringLiteral("the inbound SA of %1 counted no packets while its outbound one carried %2")
                 .arg(f.inboundSaZeroHost.isEmpty() ? QStringLiteral("this host") : f.inboundSaZeroHost)
                 .arg(f.outboundSaPackets),
             f.inboundSaZero.ref});
    }
    if (conf == 0 || !f.ikeEstablished) return std::nullopt;
    conf += 0.1;
    QString carried;
    const EspCarrier carrier = espCarrier(f, &carried);
    const bool udp = carrier != EspCarrier::Esp;
    Finding fd =
        start("esp_blocked", 6,
              udp ? QStringLiteral("IKE works but ESP-in-UDP does not get through: a filter drops the "
                                   "tunnel's UDP 4500 traffic")
                  : QStringLiteral("IKE works but ESP does not get through: a filter drops IP protocol 50"),
              StepStatus::Fail, conf);
    fd.evidence = std::move(ev);
    cite(fd, QStringLiteral("IKE_SA and CHILD_SA were established, so IKE's UDP passes"));
    cite(fd, QStringLiteral("the tunnel's ESP travels as %1").arg(carried));
    if (udp) {
        cite(fd, QStringLiteral(
                     "ESP is already inside UDP 4500: rules for IP protocol 50 and encap = yes change "
                     "nothing; a filter that passes IKE on 4500 but drops ESP-in-UDP (it can tell them "
                     "apart by the non-ESP marker) is a DPI or rate-limiting box"));
        fd.collectNext << QStringLiteral(
            "captures on both sides of the suspected firewall, filtered on 'udp port 4500 and udp[8:4] != 0' "
            "(ESP-in-UDP, not IKE)");
    }
    if (!f.havePair)
        fd.collectNext << QStringLiteral("a capture at the peer: ESP that leaves one end and never arrives "
                                         "proves the filter is in between");
    const int pathMtu = f.interfaceMtu > 0 ? f.interfaceMtu : 1500;
    Facts withNatT = f;
    withNatT.natT = true;
    const OverheadResult o = overheadFor(withNatT, pathMtu);
    // An accept in this host's input chains helps only ESP from the peer that reached this host.
    // A capture sees arriving packets before netfilter (iptables/nftables): when this end's own
    // capture, which does see the peer's other traffic, holds none of its ESP, none reached those
    // chains; in a pair, when the peer's ESP all arrived here, what is lost is what this host
    // sends, which its input chains never touch.
    QString notHere;
    const bool seesArriving = f.fromPeerCaptured > 0 && f.espSentCaptured > 0;
    const DirectionFacts *in = nullptr;
    for (const DirectionFacts &d : f.dir)
        if (f.havePair && d.to == f.localAddress && (d.from == f.peerAddress || d.from == f.peerSeenHere))
            in = &d;
    if (seesArriving && f.espFromPeerCaptured == 0) {
        cite(fd,
             QStringLiteral("its own capture (%1) holds %2 ESP packets it sent to %3 and %4 other packets "
                            "from %3, but no ESP from it; a capture sees arriving packets before netfilter "
                            "(iptables/nftables), so no ESP from %3 reached this host's input chains")
                 .arg(f.captureName)
                 .arg(f.espSentCaptured)
                 .arg(f.peerAddress)
                 .arg(f.fromPeerCaptured));
        notHere = QStringLiteral("its own capture (%1) holds no ESP from %2 (a capture sees arriving packets "
                                 "before iptables/nftables)")
                      .arg(f.captureName, f.peerAddress);
    } else if (seesArriving && in && in->sent > 0 && in->lost == 0) {
        notHere =
            QStringLiteral("all %1 ESP packets %2 sent arrived here (%3); what is lost is what this host "
                           "sends, which its input chains never see")
                .arg(in->sent)
                .arg(in->from, f.captureName);
        cite(fd, notHere);
    }
    addFixes(fd, espBlockedFixes(fixTarget(f), carrier, o.valid ? o.tunnelMtu : 0, pathMtu, notHere));
    return fd;
}

std::optional<Finding> ruleEspDroppedByReceiver(const Facts &f)
{
    if (f.espNotAccepted.empty()) return std::nullopt;
    const Facts::EspNotAccepted &first = f.espNotAccepted.front();
    const QString who = first.host.isEmpty()
                            ? first.address
                            : QStringLiteral("host '%1' (%2)").arg(first.host, first.address);
    Finding fd = start("esp_dropped_by_receiver", 6,
                       QStringLiteral("ESP reaches %1 but never its IPsec SA: the host drops it before "
                                      "decryption")
                           .arg(who),
                       StepStatus::Fail, 0.8);
    for (const Facts::EspNotAccepted &n : f.espNotAccepted) {
        cite(fd,
             QStringLiteral("%1 ESP packets of SPI %2 from %3 arrived at %4 (its own capture holds them)")
                 .arg(n.arrived)
                 .arg(spiText(n.spi), n.from, n.address),
             n.captureRef);
        cite(fd,
             QStringLiteral("the host's inbound SA %1 counted 0 packets (ip -s xfrm state, taken while or "
                            "after they arrived): the kernel never decrypted one")
                 .arg(spiText(n.spi)),
             n.saRef);
    }
    cite(fd, QStringLiteral("nothing was lost on the path: the fault is on the receiving host"));
    // A DROP policy on the path into the host (input hook) is a candidate, not a proven rule: its
    // counter counts all traffic no rule accepted, and no rule of the listing counted the ESP.
    for (const Facts::FirewallDropPolicy &fp : f.firewallDropPolicies) {
        const FirewallRuleset::DropPolicy &p = fp.policy;
        if (fp.host != first.host || p.hook != QLatin1String("input")) continue;
        if (std::any_of(f.firewallDrops.begin(), f.firewallDrops.end(),
                        [&](const Facts::FirewallDrop &d) { return d.host == fp.host; }))
            continue; // a rule of this host counted the tunnel's traffic: firewall_drop names it
        if (first.address.contains(QLatin1Char(':'))
                ? (p.family == QLatin1String("ipv4") || p.family == QLatin1String("ip"))
                : (p.family == QLatin1String("ipv6") || p.family == QLatin1String("ip6")))
            continue;
        cite(fd,
             QStringLiteral(
                 "%1 table %2 chain %3 has policy DROP%4: ESP from %5 that no rule accepts ends there. "
                 "No DROP rule of the listing counted it, so if this is the cause it is the policy, "
                 "not a rule; accept the tunnel's ESP / UDP 4500 from %5 in that chain")
                 .arg(fp.format == QLatin1String("nft") ? QStringLiteral("nft") : QStringLiteral("iptables"),
                      p.table, p.chain,
                      p.hasCounters
                          ? QStringLiteral(" (its counter: %1 packets of any traffic no rule accepted, since "
                                           "reset)")
                                .arg(p.packets)
                          : QString(),
                      first.from),
             fp.ref);
    }
    fd.collectNext
        << QStringLiteral(
               "on %1: iptables-save -c and nft list ruleset (a rule in INPUT or PREROUTING that "
               "drops ESP / UDP 4500 from %2, and its counters), sysctl net.ipv4.conf.all.rp_filter "
               "and the WAN interface's, ip -s xfrm policy (a policy that does not match the SA)")
               .arg(who, first.from);
    return fd;
}

std::optional<Finding> ruleFirewallReject(const Facts &f)
{
    if (f.icmpAdminProhibited.value == 0) return std::nullopt;
    Finding fd = start("firewall_reject", 6,
                       QStringLiteral("A firewall rejects tunnel traffic (ICMP administratively prohibited)"),
                       StepStatus::Fail, 0.75);
    cite(fd,
         QStringLiteral("%1 ICMP 'communication administratively prohibited' quoting IKE/ESP")
             .arg(f.icmpAdminProhibited.value),
         f.icmpAdminProhibited);
    fd.collectNext << QStringLiteral(
        "the rules of the firewall that sent the ICMP error (its address is the ICMP source)");
    QString carried;
    const EspCarrier carrier = espCarrier(f, &carried);
    cite(fd, QStringLiteral("the rejected traffic is %1").arg(carried));
    // The error's source is the box whose rule rejects: an accept in this host's input chains
    // helps only when this host sent it (it rejects what the peer sends).
    QString notHere;
    const QString &by = f.icmpRejectReporter;
    if (!by.isEmpty() && (f.localAddress.isEmpty() || f.peerAddress.isEmpty())) {
        cite(fd,
             QStringLiteral("the ICMP error came from %1 (which address is which end is not known)").arg(by));
    } else if (!by.isEmpty()) {
        // Behind a NAT an end is seen by the NAT's address: an error from it may come from that end
        // or from the NAT itself, so no accept is placed by it.
        const bool self = by == f.localAddress;
        const bool peer = by == f.peerAddress;
        const bool nated = !self && !peer && (by == f.localSeenThere || by == f.peerSeenHere);
        cite(fd,
             QStringLiteral("the ICMP error came from %1%2")
                 .arg(by, self   ? QStringLiteral(", this host: its own firewall rejects what the peer sends")
                          : peer ? QStringLiteral(", the peer itself: its own firewall rejects what this "
                                                  "host sends")
                          : nated && by == f.localSeenThere
                              ? QStringLiteral(", the address this host is seen by at the peer: this host "
                                               "or the NAT in front of it rejects")
                          : nated ? QStringLiteral(", the address the peer is seen by here: the peer or the "
                                                   "NAT in front of it rejects")
                                  : QStringLiteral(", a box on the path: the rejecting rule is there")));
        if (!self && !peer && !(nated && by == f.localSeenThere))
            notHere = QStringLiteral("the ICMP error came from %1, so the rule that rejects is %2")
                          .arg(by, nated ? QStringLiteral("on the peer or the NAT in front of it")
                                         : QStringLiteral("on that box"));
        if (peer) {
            // The peer's own input chains: the same fixes with its view of the two ends, run there.
            // The source to accept is this end as the peer sees it: the rejected packet's source as
            // the error quotes it when the peer's own capture holds the error (a NAT on the way back
            // rewrites the quote, RFC 5508), else known from the pair, else a placeholder.
            Facts g = f;
            if (g.localSeenThere.isEmpty() && (f.icmpRejectAtPeer || !(f.natT || f.natDetected)))
                g.localSeenThere = f.icmpRejectQuotedSrc;
            const FixTarget there = fixTargetAtPeer(g);
            std::vector<Fix> fixes =
                espBlockedFixes(there, carrier, 0, f.interfaceMtu > 0 ? f.interfaceMtu : 1500);
            fixes.resize(2);
            for (Fix &x : fixes)
                markForThePeer(x, there, fixTarget(f),
                               QStringLiteral("its own firewall rejects what this host sends"));
            addFixes(fd, std::move(fixes));
            return fd;
        }
    }
    addFixes(fd,
             espBlockedFixes(fixTarget(f), carrier, 0, f.interfaceMtu > 0 ? f.interfaceMtu : 1500, notHere));
    fd.fixes.resize(2); // the filter fixes; encapsulation does not help against an explicit reject
    return fd;
}

std::optional<Finding> ruleFirewallDrop(const Facts &f)
{
    if (f.firewallDrops.empty()) return std::nullopt;
    // The rule that dropped the most in the observed interval (or since its counters were reset).
    const auto grewBy = [](const Facts::FirewallDrop &d) {
        return d.delta >= 0 ? std::uint64_t(d.delta) : d.packets;
    };
    const Facts::FirewallDrop *top = &f.firewallDrops.front();
    bool measured = false;
    for (const Facts::FirewallDrop &d : f.firewallDrops) {
        measured = measured || d.delta >= 0;
        if ((d.delta >= 0) > (top->delta >= 0) ||
            ((d.delta >= 0) == (top->delta >= 0) && grewBy(d) > grewBy(*top)))
            top = &d;
    }
    // One snapshot proves the rule dropped them when the same host's capture holds ESP its SA
    // never counted (esp_dropped_by_receiver) and this rule, taking raw ESP from that sender,
    // counted at least as many.
    const Facts::EspNotAccepted *matched = nullptr;
    if (!measured && top->esp)
        for (const Facts::EspNotAccepted &n : f.espNotAccepted)
            if (n.host == top->host && top->packets >= n.arrived &&
                (top->directions.isEmpty() ||
                 top->directions.contains(QStringLiteral("%1 > %2").arg(n.from, n.address))))
                matched = &n;
    const bool proven = measured || matched;
    const QString host =
        top->host.isEmpty() ? QStringLiteral("a host") : QStringLiteral("host '%1'").arg(top->host);
    Finding fd = start("firewall_drop", 6,
                       QStringLiteral("A firewall rule on %1 drops the tunnel's %2").arg(host, top->what),
                       proven ? StepStatus::Fail : StepStatus::Warn, proven ? 0.85 : 0.45);
    for (const Facts::FirewallDrop &d : f.firewallDrops) {
        const QString where =
            d.format == QLatin1String("nft")
                ? QStringLiteral("nft table %1 %2, chain %3%4")
                      .arg(d.family, d.table, d.chain,
                           d.handle >= 0 ? QStringLiteral(", handle %1").arg(d.handle) : QString())
                : QStringLiteral("%1 table %2, chain %3, rule %4")
                      .arg(d.family == QLatin1String("ipv6") ? QStringLiteral("ip6tables")
                                                             : QStringLiteral("iptables"),
                           d.table, d.chain)
                      .arg(d.position);
        const QString counted =
            d.delta >= 0 ? QStringLiteral("dropped %1 packets (%2 bytes) between the snapshots")
                               .arg(d.delta)
                               .arg(d.deltaBytes)
                         : QStringLiteral("counts %1 packets (%2 bytes) since its counters were last reset")
                               .arg(d.packets)
                               .arg(d.bytes);
        cite(fd,
             QStringLiteral("%1 (%2) '%3' %4; it takes %5 (%6)")
                 .arg(d.host.isEmpty() ? QStringLiteral("the host") : QStringLiteral("host '%1'").arg(d.host),
                      where, oneLine(d.text, 300), counted, d.what,
                      d.directions.isEmpty() ? QStringLiteral("any addresses")
                                             : d.directions.join(QStringLiteral(", "))),
             d.ref);
    }
    if (matched)
        cite(fd,
             QStringLiteral(
                 "the %1 ESP packets of SPI %2 from %3 that the host's own capture holds never reached "
                 "its SA (it counted 0); this rule counted %4")
                 .arg(matched->arrived)
                 .arg(spiText(matched->spi), matched->from)
                 .arg(top->packets),
             matched->saRef);
    if (!proven)
        fd.collectNext << QStringLiteral("the same listing (ikev2wb collect) before and after the problem "
                                         "shows: only a counter that grows "
                                         "meanwhile proves the rule drops the tunnel now");
    // The rule's host accepts the ends as it sees them: capture A's host as fixTarget has them,
    // capture B's host (two captures) as its own capture shows them; a router, or the peer of
    // one capture (whose view of this end no capture shows), the ends' own addresses.
    const bool ownView = top->end == 0 || (top->end == 1 && f.havePair);
    FixTarget t;
    if (top->end == 0) {
        t = fixTarget(f);
    } else if (ownView) {
        t = fixTargetAtPeer(f);
    } else {
        Facts g = f;
        g.peerSeenHere.clear();
        t = fixTarget(g);
    }
    const QString tl = ownView ? top->local : f.localAddress, tp = ownView ? top->peer : f.peerAddress;
    const bool fromLocal =
        top->directions.isEmpty() || top->directions.contains(QStringLiteral("%1 > %2").arg(tl, tp));
    const bool fromPeer =
        top->directions.isEmpty() || top->directions.contains(QStringLiteral("%1 > %2").arg(tp, tl));
    // nft: a drop in a base chain (input, prerouting at raw/mangle priority, a router's forward) is
    // answered in that very chain; one in a chain jumped to is not (its base chain is not known).
    // A router's rules (or the peer's, seen from one capture) match the ends' own addresses. With a
    // NAT on the path that holds only between an end and the NAT: say which view the rules assume,
    // and the translated addresses the captures show.
    QString natNote;
    if (!ownView && (f.natT || f.natDetected)) {
        QStringList seen;
        if (!f.localSeenThere.isEmpty() && f.localSeenThere != f.localAddress)
            seen
                << QStringLiteral("%1 reaches %2 as %3").arg(f.localAddress, f.peerAddress, f.localSeenThere);
        if (!f.peerSeenHere.isEmpty() && f.peerSeenHere != f.peerAddress)
            seen << QStringLiteral("%1 reaches %2 as %3").arg(f.peerAddress, f.localAddress, f.peerSeenHere);
        natNote =
            QStringLiteral("# NAT on the path (NAT-T in use): these rules match the ends' own addresses "
                           "%1 and %2, as packets carry them between an end and the NAT. Assumed, not "
                           "proven: that %3 sees them so (a rule on the NAT's other side, or after its "
                           "SNAT, sees the NAT's address instead%4); check with tcpdump there and adapt "
                           "the addresses.\n")
                .arg(oneLine(f.localAddress, 60), oneLine(f.peerAddress, 60), oneLine(host, 80),
                     seen.isEmpty() ? QString()
                                    : QStringLiteral(": per the captures %1")
                                          .arg(oneLine(seen.join(QStringLiteral(", ")), 200)));
    }
    const auto noted = [&](std::vector<Fix> fixes) {
        for (Fix &x : fixes)
            x.text.prepend(natNote);
        return fixes;
    };
    const auto fill = [&](DropRuleParams &p) {
        p.host = host;
        p.table = top->table;
        p.chain = top->chain;
        p.ruleText = top->text;
        p.esp = top->esp;
        p.ports = top->ports;
        p.fromLocal = fromLocal;
        p.fromPeer = fromPeer;
    };
    if (top->format == QLatin1String("nft") && !top->hook.isEmpty()) {
        NftChainAcceptParams p;
        fill(p);
        p.family = top->family;
        p.hook = top->hook;
        QString why;
        const std::vector<Fix> fixes = noted(nftChainAcceptFixes(t, p, &why));
        if (!fixes.empty()) {
            addFixes(fd, fixes);
            return fd;
        }
        cite(fd, QStringLiteral("no nft command is given for it: %1").arg(why));
    }
    if (top->format == QLatin1String("nft")) {
        cite(fd,
             QStringLiteral(
                 "nft: an accept rule for the two ends right before it (nft insert rule %1 %2 %3 position %4 "
                 "... accept) lets the tunnel through; this tool writes no command for a rule outside a base "
                 "chain on the input, prerouting or forward hook (which chain jumps to it is not known here; "
                 "nft -a list chain %1 %2 %3 shows the handles)")
                 .arg(oneLine(top->family, 20), oneLine(top->table, 40), oneLine(top->chain, 40),
                      top->handle >= 0 ? QString::number(top->handle) : QStringLiteral("HANDLE")));
        return fd;
    }
    FirewallAcceptParams p;
    fill(p);
    p.ipv6 = top->family == QLatin1String("ipv6");
    QString why;
    const std::vector<Fix> fixes = noted(firewallAcceptFixes(t, p, &why));
    if (fixes.empty())
        cite(fd, QStringLiteral(
                     "no command is given for it: %1; accept the tunnel's traffic before that rule by hand")
                     .arg(why));
    addFixes(fd, fixes);
    return fd;
}

// ---------------------------------------------------------------- step 5
// ---------------------------------------------------------------- step 5

/// Cites one host's receive errors (xfrm_stat); `whose` prefixes each line ("" for this host,
/// "the peer X: " for B's in a pair).
void citeInErrors(Finding &fd, const RefCount &proto, const RefCount &noStates, const RefCount &mismatch,
                  const RefCount &buffer, const QString &whose)
{
    if (proto.value)
        cite(fd,
             whose +
                 QStringLiteral(
                     "XfrmInStateProtoError +%1: integrity check failed (wrong key, corruption, offload bug)")
                     .arg(proto.value),
             proto);
    if (noStates.value)
        cite(fd,
             whose + QStringLiteral("XfrmInNoStates +%1: ESP for an SA the kernel does not have (often late "
                                    "packets after a rekey "
                                    "or delete; many of them mean the peers disagree on SAs)")
                         .arg(noStates.value),
             noStates);
    if (mismatch.value)
        cite(fd,
             whose + QStringLiteral(
                         "XfrmInStateMismatch +%1: packets did not match their SA (e.g. encapsulation)")
                         .arg(mismatch.value),
             mismatch);
    if (buffer.value)
        cite(fd,
             whose +
                 QStringLiteral("XfrmInBufferError +%1: no buffer for decryption (CPU or memory pressure)")
                     .arg(buffer.value),
             buffer);
}

std::optional<Finding> ruleOffloadOrCrypto(const Facts &f)
{
    const std::uint64_t here = f.xfrmInStateProtoError.value + f.xfrmInNoStates.value +
                               f.xfrmInStateMismatch.value + f.xfrmInBufferError.value;
    const Facts::InErrors &p = f.peerInErrors;
    // In a pair each end's counters judge what it receives: the peer's count too.
    if (here == 0 && p.total() == 0) return std::nullopt;
    Finding fd =
        start("offload_or_crypto_errors", 5,
              QStringLiteral("The receiving kernel rejected ESP packets (integrity, unknown SA, buffer)"),
              StepStatus::Warn, f.xfrmInStateProtoError.value || p.protoError.value ? 0.5 : 0.3);
    citeInErrors(fd, f.xfrmInStateProtoError, f.xfrmInNoStates, f.xfrmInStateMismatch, f.xfrmInBufferError,
                 p.total() ? QStringLiteral("this host: ") : QString());
    citeInErrors(
        fd, p.protoError, p.noStates, p.mismatch, p.bufferError,
        QStringLiteral("the peer %1: ").arg(f.peerAddress.isEmpty() ? QStringLiteral("(B)") : f.peerAddress));
    if (!f.offloadFeaturesOn.isEmpty())
        cite(fd, QStringLiteral("offloads on: %1").arg(f.offloadFeaturesOn.join(QStringLiteral(", "))));
    citeCorruption(fd, f);
    // Packets for an SA the kernel no longer (or not yet) has are what a rekey leaves in flight.
    if (f.rekeys && f.xfrmInStateProtoError.value == 0 && p.protoError.value == 0)
        cite(fd,
             QStringLiteral("%1 rekey(s) in the capture%2: ESP the peer sent on an SA just before its "
                            "delete can arrive after it; no integrity failure was counted, so nothing points "
                            "at a NIC offload")
                 .arg(f.rekeys)
                 .arg(f.havePair ? QStringLiteral(" that saw more of them") : QString()));
    fd.collectNext << QStringLiteral(
        "ethtool -k and ethtool -S of the interface facing the peer (ikev2wb collect)");
    // The offload fix goes on the host whose kernel counted integrity failures: an offload that
    // mangles packets fails their ICV; unknown SAs, mismatches and buffer shortage it does not cause.
    // XfrmInBufferError too where an ESP offload is on: the kernel counts an offloaded
    // decryption's failure there (xfrm_input).
    const bool espOffloadOn =
        std::any_of(f.offloadFeaturesOn.begin(), f.offloadFeaturesOn.end(), [](const QString &x) {
            return x.section(QLatin1Char(':'), -1).startsWith(QLatin1String("esp-"));
        });
    if (f.xfrmInStateProtoError.value || (f.xfrmInBufferError.value && espOffloadOn))
        addFixes(fd, offloadFixes(fixTarget(f)));
    if (p.protoError.value) {
        const FixTarget there = fixTargetAtPeer(f);
        std::vector<Fix> fixes = offloadFixes(there);
        for (Fix &x : fixes)
            markForThePeer(x, there, fixTarget(f), QStringLiteral("its kernel counted the receive errors"));
        addFixes(fd, std::move(fixes));
    }
    return fd;
}

std::optional<Finding> ruleIpsecBypassed(const Facts &f)
{
    // disable_policy = 1 is what a VTI / XFRM interface needs; elsewhere both switch IPsec off.
    // A tunnel device by its kind in `ip -d link`, else by the usual names (the fix itself asks the
    // kernel for the kind before it changes disable_policy: a VTI named otherwise is left alone).
    QStringList keys;
    for (const QString &k : f.xfrmBypassedOn) {
        const QString iface = k.section(QLatin1Char('.'), 3, -2);
        const QString dev = QString(iface).replace(QLatin1Char('/'), QLatin1Char('.'));
        const bool tunnel = f.tunnelDeviceNames.contains(dev) || iface.startsWith(QLatin1String("vti")) ||
                            iface.startsWith(QLatin1String("xfrm")) ||
                            iface.startsWith(QLatin1String("ipsec"));
        if (!(tunnel && k.endsWith(QLatin1String(".disable_policy")))) keys << k;
    }
    if (keys.isEmpty()) return std::nullopt;
    Finding fd = start("ipsec_bypassed", 5,
                       QStringLiteral("The kernel is told to skip IPsec on an interface (disable_xfrm / "
                                      "disable_policy)"),
                       StepStatus::Warn, 0.35);
    for (const QString &k : keys)
        cite(fd, QStringLiteral("sysctl %1 = 1").arg(k));
    if (f.rpFilter == 1)
        cite(fd,
             QStringLiteral("net.ipv4.conf.all.rp_filter = 1 (strict): decrypted packets whose source routes "
                            "out of another interface are dropped as well"));
    fd.collectNext << QStringLiteral(
        "ip -s xfrm policy and ip -s xfrm state while traffic flows: packets leaving without ESP, or SA "
        "counters that do not grow, confirm the bypass");
    addFixes(fd, ipsecBypassFixes(keys));
    return fd;
}

std::optional<Finding> ruleHostReceiveDrops(const Facts &f)
{
    const std::uint64_t n = f.rxDropped.value + f.rxMissed.value + f.udpRcvbufErrors.value;
    if (n == 0) return std::nullopt;
    Finding fd =
        start("host_receive_drops", 5,
              QStringLiteral("The host dropped packets on receive (NIC ring, backlog or socket buffer)"),
              StepStatus::Warn, f.rxMissed.value ? 0.45 : 0.35);
    if (f.rxMissed.value)
        cite(fd, QStringLiteral("rx missed +%1: the NIC ring overflowed").arg(f.rxMissed.value), f.rxMissed);
    if (f.rxDropped.value) cite(fd, QStringLiteral("rx dropped +%1").arg(f.rxDropped.value), f.rxDropped);
    if (f.udpRcvbufErrors.value)
        cite(fd,
             QStringLiteral("Udp RcvbufErrors +%1: a UDP socket buffer overflowed")
                 .arg(f.udpRcvbufErrors.value),
             f.udpRcvbufErrors);
    fd.collectNext << QStringLiteral(
        "CPU load during the test (mpstat -P ALL 1, top: ksoftirqd) and ethtool -S of the interface");
    addFixes(fd, receiveDropFixes(fixTarget(f), f.rxMissed.value + f.rxDropped.value > 0,
                                  f.udpRcvbufErrors.value > 0));
    return fd;
}

// ---------------------------------------------------------------- table

const std::vector<Rule> &checklistRules()
{
    static const std::vector<Rule> rules{
        {"packet_loss_in_transit", 1, &rulePacketLossInTransit},
        {"mtu_blackhole", 2, &ruleMtuBlackhole},
        {"ike_fragmentation", 2, &ruleIkeFragmentation},
        {"path_mtu_reduced", 2, &rulePathMtuReduced},
        {"nat_mapping_expiry", 3, &ruleNatMappingExpiry},
        {"peer_unreachable", 3, &rulePeerUnreachable},
        {"peer_silent", 3, &rulePeerSilent},
        {"ike_retransmissions", 4, &ruleIkeRetransmissions},
        {"antireplay_reordering", 4, &ruleAntireplayReordering},
        {"ike_config_mismatch", 4, &ruleIkeConfigMismatch},
        {"sa_missing_or_expired", 4, &ruleSaMissingOrExpired},
        {"offload_or_crypto_errors", 5, &ruleOffloadOrCrypto},
        {"host_receive_drops", 5, &ruleHostReceiveDrops},
        {"ipsec_bypassed", 5, &ruleIpsecBypassed},
        {"esp_blocked", 6, &ruleEspBlocked},
        {"firewall_reject", 6, &ruleFirewallReject},
        {"firewall_drop", 6, &ruleFirewallDrop},
        {"esp_dropped_by_receiver", 6, &ruleEspDroppedByReceiver},
    };
    return rules;
}

const Rule *findRule(const QString &cause)
{
    for (const Rule &r : checklistRules())
        if (cause == QLatin1String(r.cause)) return &r;
    return nullptr;
}

} // namespace ikev2wb
