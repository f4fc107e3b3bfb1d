#include "checklist.h"

#include "fixes.h"
#include "rules.h"

#include <algorithm>

namespace ikev2wb {

const char *fixKindName(FixKind kind)
{
    switch (kind) {
    case FixKind::Iptables:
        return "iptables";
    case FixKind::Nftables:
        return "nftables";
    case FixKind::IpLink:
        return "ip_link";
    case FixKind::Sysctl:
        return "sysctl";
    case FixKind::Ethtool:
        return "ethtool";
    case FixKind::Swanctl:
        return "swanctl";
    case FixKind::IpsecConf:
        return "ipsec_conf";
    case FixKind::StrongswanConf:
        return "strongswan_conf";
    case FixKind::ClientSettings:
        return "client";
    }
    return "unknown";
}

bool fixIsShell(FixKind kind)
{
    return kind != FixKind::Swanctl && kind != FixKind::IpsecConf && kind != FixKind::StrongswanConf &&
           kind != FixKind::ClientSettings;
}

const char *stepStatusName(StepStatus s)
{
    switch (s) {
    case StepStatus::Pass:
        return "pass";
    case StepStatus::NotEnoughEvidence:
        return "not_enough_evidence";
    case StepStatus::Warn:
        return "warn";
    case StepStatus::Fail:
        return "fail";
    }
    return "unknown";
}

int stepStatusSeverity(StepStatus s)
{
    switch (s) {
    case StepStatus::Pass:
        return 0;
    case StepStatus::NotEnoughEvidence:
        return 1;
    case StepStatus::Warn:
        return 2;
    case StepStatus::Fail:
        return 3;
    }
    return 0;
}

bool findingRanksBefore(const Finding &a, const Finding &b)
{
    if (stepStatusSeverity(a.status) != stepStatusSeverity(b.status))
        return stepStatusSeverity(a.status) > stepStatusSeverity(b.status);
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    return a.step < b.step;
}

namespace {

void add(ChecklistStep &s, const QString &text, const EvidenceRef &ref = {})
{
    s.evidence.push_back({text, ref});
}

/// Where step 1 leaves a direction's loss when packet_loss_in_transit does not count it (see
/// rulePacketLossInTransit): to the steps whose findings explain it. ": all of them size-dependent:
/// step 2 gives the cause (mtu_blackhole)"; "" when nothing was lost. `heavy`: the direction's
/// loss alone would fail the loss rule.
QString lossLeftToOtherSteps(const DirectionFacts &d, const std::vector<Finding> &findings, bool &heavy)
{
    heavy = false;
    if (d.lost == 0) return {};
    // What the loss rule leaves out (DirectionFacts::lossOfItsOwn), and the steps whose rules
    // take it instead.
    const std::uint64_t explained = d.lost - d.lossOfItsOwn();
    QString how;
    std::vector<int> steps;
    if (d.sent > 0 && d.received == 0) {
        how = QStringLiteral("none arrived");
        steps = {6, 3}; // ESP blocked or dropped by the receiver; an outage
    } else if (d.sizeDependent) {
        how = explained == d.lost
                  ? QStringLiteral("all of them size-dependent")
                  : QStringLiteral("%1 of them size-dependent (every one larger than %2 bytes)")
                        .arg(explained)
                        .arg(d.largestDelivered);
        steps = {2};
    } else if (explained) {
        how = explained == d.lost ? QStringLiteral("all of them in outages")
                                  : QStringLiteral("%1 of them in outages").arg(explained);
        steps = {3};
    }
    const std::uint64_t rest = d.lost - explained;
    // the rest is step 1's own (packet_loss_in_transit) when heavy enough, beside a size-dependent
    // loss at the rate of the sizes that can arrive
    const bool restIsCause =
        rest > 0 && lossSeverity(rest, d.sizeDependent ? d.sent - d.sizeLost() : d.sent) != StepStatus::Pass;
    const QString restText =
        rest == 0 ? QString()
        : restIsCause && explained > 0
            ? QStringLiteral("; the other %1: lost in transit (packet_loss_in_transit)").arg(rest)
        : explained == 0 ? QStringLiteral(": too few to be a cause, noted only")
                         : QStringLiteral("; the other %1: too few to be a cause, noted only").arg(rest);
    if (explained == 0) return restText;
    heavy = lossSeverity(d.lost, d.sent) != StepStatus::Pass;
    for (int step : steps) {
        QStringList causes;
        for (const Finding &fd : findings)
            if (fd.step == step && fd.status != StepStatus::Pass && !causes.contains(fd.cause))
                causes << fd.cause;
        if (!causes.isEmpty())
            return QStringLiteral(": %1: step %2 gives the cause (%3)%4")
                .arg(how)
                .arg(step)
                .arg(causes.join(QStringLiteral(", ")), restText);
    }
    heavy = true; // left out of the loss rule, yet no other step explains it: not a pass
    return QStringLiteral(": %1, which no finding of another step explains%2").arg(how, restText);
}

/// What a step says when no rule fired: pass if the evidence it needs was there.
void baseline(ChecklistStep &s, const Facts &f, const std::vector<Finding> &findings)
{
    auto pass = [&](double c) {
        s.status = StepStatus::Pass;
        s.confidence = c;
    };
    switch (s.number) {
    case 1:
        if (f.havePair && f.dir[0].sent + f.dir[1].sent == 0) {
            // Two captures without ESP prove nothing about loss between the ends.
            add(s, QStringLiteral("neither capture holds ESP: no CHILD_SA carried traffic while they ran"));
        } else if (f.havePair) {
            // The comparison itself worked; loss it measured that another step's finding explains
            // (an MTU black hole, an outage, blocked ESP) makes it a warning that points there,
            // never a pass beside a heavy loss.
            pass(0.85);
            for (const DirectionFacts &d : f.dir) {
                bool heavy = false;
                const QString where = lossLeftToOtherSteps(d, findings, heavy);
                if (heavy) s.status = StepStatus::Warn;
                add(s,
                    QStringLiteral("%1 → %2: %3 ESP packets sent, %4 received, %5 of %3 lost in transit "
                                   "(%6 %)%7")
                        .arg(d.from, d.to)
                        .arg(d.sent)
                        .arg(d.received)
                        .arg(d.lost)
                        .arg(percent(d.lost, d.sent), where),
                    d.firstLost);
            }
        } else {
            s.collectNext << QStringLiteral(
                "a capture at the peer's outer interface over the same time (tcpdump -ni IFACE -w "
                "peer.pcap 'udp port 500 or udp port 4500 or esp or icmp'), then ikev2wb diagnose "
                "--capture A --peer-capture B");
            if (f.haveCapture && f.espPackets > 0 && f.seqMissing.value == 0)
                add(s,
                    QStringLiteral("no ESP sequence numbers missing at this capture point (%1 ESP packets)")
                        .arg(f.espPackets));
            for (const SeqGapFacts &g : f.seqGaps)
                if (g.missing > 0 && lossSeverity(g.missing, g.packets + g.missing) == StepStatus::Pass)
                    add(s, seqGapText(g) + QStringLiteral(": too few to be a cause, noted only"), g.ref);
        }
        break;
    case 2: {
        const PathMtuDecision pm = decidePathMtu(f);
        if (f.havePair && f.dir[0].sent + f.dir[1].sent == 0) {
            // No ESP in either capture: no size was sent, so none can be judged lost or delivered.
            add(s, QStringLiteral("neither capture holds ESP: no packet size to judge"));
        } else if (f.havePair) {
            pass(0.8);
            add(s, QStringLiteral("no size-dependent loss; largest outer ESP packet %1 bytes")
                       .arg(f.largestOuter));
        } else if (f.haveCapture && f.largestOuter >= kLargeOuterBytes && f.blackHoleLevel == 0 &&
                   f.probeVerdict != QLatin1String("black_hole") &&
                   f.probeInnerVerdict != QLatin1String("black_hole")) {
            pass(0.55);
            add(s, QStringLiteral("outer packets up to %1 bytes and no sign of a black hole")
                       .arg(f.largestOuter));
        } else {
            s.collectNext << QStringLiteral(
                "large packets through the tunnel: from an inner host ping -M do -s 1400 <remote inner "
                "host>, while capturing");
        }
        add(s, QStringLiteral("path MTU: %1").arg(pm.text), pm.ref);
        if (pm.source != PathMtuSource::Probe)
            s.collectNext << QStringLiteral("measure the path MTU: %1").arg(pm.refine);
        break;
    }
    case 3:
        if (f.haveCapture || f.haveLogs) {
            pass(f.havePair ? 0.8 : 0.6);
            // A direction whose ESP never arrived at all is not an outage of a working tunnel (a
            // run of losses between delivered packets): saying "no outage" beside 100 % loss would
            // read as a contradiction. Step 6 judges it.
            add(s,
                f.natT
                    ? QStringLiteral(
                          "NAT-T (ESP in UDP) in use; no mapping change, rebinding or port-unreachable seen")
                : f.espNeverReceived
                    ? QStringLiteral(
                          "no NAT-T in use and no dead peer; ESP that never arrived in a direction "
                          "is no NAT or DPD timeout (step 6 judges it)")
                : !f.havePair && f.espOneWay.value > 0
                    ? QStringLiteral(
                          "no NAT-T in use and no dead peer; ESP seen one way only at this capture "
                          "point is no NAT or DPD timeout (step 6 judges it)")
                    : QStringLiteral("no NAT-T in use, no outage and no dead peer"));
        } else {
            s.collectNext << QStringLiteral("a capture or charon's log");
        }
        break;
    case 4:
        if (f.haveCapture || f.haveLogs) {
            pass(f.haveLogs || f.havePair ? 0.8 : 0.6);
            add(s, QStringLiteral("%1 IKE exchange(s), %2 answered, no retransmissions")
                       .arg(f.ikeExchanges)
                       .arg(f.ikeAnswered));
            if (f.replayEmulated) {
                QString basis;
                const std::uint32_t w = replayWindowInUse(f, &basis);
                add(s, QStringLiteral(
                           "a receiver with a replay window of %1 packets (%2) would have dropped %3 of "
                           "the captured ESP packets")
                           .arg(QString::number(w), basis, QString::number(f.emulatedReplayDrops.value)));
            }
        } else {
            s.collectNext << QStringLiteral("a capture or charon's log");
        }
        break;
    case 5:
        if (f.haveCounters) {
            pass(0.7);
            add(s, QStringLiteral("XFRM error counters and interface drop counters did not grow"));
        }
        break;
    case 6:
        if ((f.havePair && !f.espNeverReceived && f.dir[0].sent + f.dir[1].sent > 0) ||
            (f.haveCapture && f.espPackets > 0 && f.espOneWay.value == 0)) {
            pass(f.havePair ? 0.8 : 0.5);
            // Not "gets through" beside a peer that went silent (step 3 says since when).
            add(s, f.peerSilence ? QStringLiteral("ESP got through in both directions until %1 went silent "
                                                  "(step 3); no ICMP reject")
                                       .arg(f.peerSilence->peer)
                                 : QStringLiteral("ESP gets through in both directions; no ICMP reject"));
        }
        break;
    default:
        break;
    }
    if (s.number == 5 && !f.haveCounters)
        s.collectNext << QStringLiteral(
            "ikev2wb collect before and after reproducing the problem (xfrm_stat, ip -s link, "
            "ethtool -S/-k), then pass both folders with --evidence");
    if (s.number == 6 && s.status != StepStatus::Pass)
        s.collectNext << QStringLiteral("captures at both ends with traffic in both directions");
    if (s.number == 4 && !f.haveCounters && f.reordered.value > 0)
        s.collectNext << QStringLiteral(
            "/proc/net/xfrm_stat before and after on the receiver, to see anti-replay drops");
}

bool sameFix(const Fix &a, const Fix &b)
{
    return a.kind == b.kind && a.title == b.title && a.text == b.text;
}

} // namespace

Diagnosis runChecklist(const Facts &f)
{
    Diagnosis d;
    for (const Rule &r : checklistRules())
        if (std::optional<Finding> fd = r.fn(f)) d.findings.push_back(std::move(*fd));
    std::stable_sort(d.findings.begin(), d.findings.end(), findingRanksBefore);

    for (int n = 1; n <= 6; ++n) {
        ChecklistStep s;
        s.number = n;
        s.title = stepTitle(n);
        bool any = false;
        for (const Finding &fd : d.findings) {
            if (fd.step != n) continue;
            if (!any || stepStatusSeverity(fd.status) > stepStatusSeverity(s.status)) s.status = fd.status;
            s.confidence = std::max(s.confidence, fd.confidence);
            any = true;
            s.causes << fd.cause;
            s.evidence.insert(s.evidence.end(), fd.evidence.begin(), fd.evidence.end());
            for (const QString &c : fd.collectNext)
                if (!s.collectNext.contains(c)) s.collectNext << c;
            for (const Fix &x : fd.fixes)
                if (std::none_of(s.fixes.begin(), s.fixes.end(), [&](const Fix &y) { return sameFix(x, y); }))
                    s.fixes.push_back(x);
        }
        if (!any) baseline(s, f, d.findings);
        d.steps.push_back(std::move(s));
    }

    const FixTarget target = fixTarget(f);
    for (const QString &r : target.rejected)
        d.notes << r;
    const QStringList ph = placeholders(target);
    if (!ph.isEmpty())
        d.notes << QStringLiteral("not found in the evidence, left as placeholders in the fixes: %1 (replace "
                                  "them before use)")
                       .arg(ph.join(QStringLiteral(", ")));
    for (const QString &h : f.evidenceHosts)
        d.notes << h;
    if (f.suiteSource.isEmpty())
        d.notes << QStringLiteral("ESP suite unknown: MTU figures assume the worst listed suite");
    else if (f.suiteSource.startsWith(QLatin1String("estimated")))
        d.notes
            << QStringLiteral(
                   "ESP suite %1 estimated from ESP lengths (no configuration or SA list gives the suite)")
                   .arg(espSuiteName(f.suite));
    if (!f.havePair)
        d.notes << QStringLiteral(
            "one capture only: loss is seen only as missing sequence numbers at this capture point");

    d.pairDirections = f.pairTotals;
    DiagnosisBasis &b = d.basis;
    b.replayWindow = replayWindowInUse(f, &b.replayWindowBasis);
    b.replayWindowAssumed = f.configuredReplayWindow < 0;
    b.replayEmulated = f.replayEmulated && f.emulatedReplayWindow == b.replayWindow;
    b.replayDrops = b.replayEmulated ? f.emulatedReplayDrops.value : 0;
    b.natUdpTimeoutS = natUdpTimeoutInUse(f, &b.natUdpTimeoutAssumed, &b.natUdpTimeoutBasis);
    const PathMtuDecision pm = decidePathMtu(f);
    b.pathMtu = pm.value;
    b.pathMtuSource = QString::fromLatin1(pathMtuSourceName(pm.source));
    b.pathMtuText = pm.text;
    b.pathMtuRefine = pm.refine;
    if (f.havePair) {
        // Each direction is judged with its receiving host's own window.
        b.replayWindows.assign(std::begin(f.replayWindows), std::end(f.replayWindows));
        for (const DirectionReplayWindow &w : b.replayWindows)
            d.notes << QStringLiteral("receiver replay window of %1 → %2 %3").arg(w.from, w.to, w.basis);
    } else {
        d.notes << QStringLiteral("receiver replay window %1").arg(b.replayWindowBasis);
        // One capture: each direction with its receiver's window where the evidence gives it.
        for (const DirectionReplayWindow &w : f.replayWindows)
            if (!w.from.isEmpty()) b.replayWindows.push_back(w);
        for (const DirectionReplayWindow &w : b.replayWindows)
            d.notes << QStringLiteral("receiver replay window of %1 → %2 %3").arg(w.from, w.to, w.basis);
    }
    d.notes << QStringLiteral("NAT UDP timeout %1").arg(b.natUdpTimeoutBasis);
    return d;
}

Diagnosis diagnose(const DiagnosisInput &input, const QStringList &inputs, const std::atomic_bool *cancel)
{
    const Facts facts = deriveFacts(input, cancel);
    if (facts.cancelled) {
        Diagnosis cancelled;
        cancelled.cancelled = true;
        return cancelled;
    }
    Diagnosis d = runChecklist(facts);
    d.inputs = inputs;
    if (input.comparison) {
        d.peerTunnel = input.comparison->peerTunnel;
        d.ownTunnel = input.comparison->ownTunnel;
    }
    return d;
}

} // namespace ikev2wb
