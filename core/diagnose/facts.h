#pragma once
// The flat set of numbers the checklist rules look at, derived once from what the engineer
// has: one capture (and its analysis), optionally the peer's capture and the comparison of
// the two, optionally host evidence (counters, configs, charon logs). Rules never look at
// captures or files themselves, so each rule can be tested on a hand-built Facts.
#include "analyze/analysis.h"
#include "analyze/espdirections.h"
#include "analyze/overhead.h"
#include "compare/endpointcompare.h"
#include "diagnosis.h"
#include "evidence/evidenceset.h"

#include <QSet>
#include <QString>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace ikev2wb {

/// What the diagnosis assumes where no host evidence names the value (Preferences in the GUI,
/// --replay-window / --nat-timeout in the CLI). Evidence always wins over an assumption.
struct DiagnosisAssumptions
{
    static constexpr std::uint32_t kDefaultReplayWindow = 32; // strongSwan's replay_window default
    // Conservative: many NATs drop idle UDP mappings after 30 s (Linux: nf_conntrack_udp_timeout,
    // flows without replies); an established flow on a Linux NAT gets _stream (120 s).
    static constexpr double kDefaultNatUdpTimeoutS = 30;
    std::uint32_t replayWindow = kDefaultReplayWindow; // receiver's anti-replay window, packets
    double natUdpTimeoutS = kDefaultNatUdpTimeoutS;    // NAT's idle UDP mapping timeout
    // Where each was set ("Preferences", "command line", "default"), for the evidence text.
    QString replayWindowFrom = QStringLiteral("default");
    QString natUdpTimeoutFrom = QStringLiteral("default");
};

/// What the diagnosis is run on. Pointers are borrowed; only `indexA` is required.
struct DiagnosisInput
{
    const CaptureIndex *indexA = nullptr; // "this" host's capture
    const CaptureAnalysis *analysisA = nullptr;
    const CaptureIndex *indexB = nullptr; // the peer's capture, optional
    const CaptureAnalysis *analysisB = nullptr;
    const CompareResult *comparison = nullptr; // A against B, when both are given
    const EvidenceSet *evidence = nullptr;
    QString nameA; // file names for references
    QString nameB;
    DiagnosisAssumptions assumptions;
};

/// A number with where it came from.
struct RefCount
{
    std::uint64_t value = 0;
    EvidenceRef ref;
};

/// Transit loss of one direction, from the two-capture comparison.
struct DirectionFacts
{
    QString from, to; // addresses (or capture names)
    std::uint64_t sent = 0, received = 0, lost = 0, reordered = 0;
    std::uint32_t maxDisplacement = 0;
    // Every packet larger than the largest one delivered was lost (sizeLost() of them, the smallest
    // smallestLost bytes, the first sizeLostAt()), more than the loss rate of the smaller ones
    // explains (pairFacts): the MTU's loss. The smaller ones lost beside it (smallLost) are the
    // path's own.
    bool sizeDependent = false;
    std::uint32_t largestDelivered = 0, smallestLost = 0;
    std::uint64_t outages = 0;
    double longestOutageS = 0;
    std::uint64_t outageLost = 0; // lost inside outages
    std::uint64_t ikeLost = 0;
    EvidenceRef firstLost;
    EvidenceRef firstOutage;
    std::uint64_t smallLost = 0; // of a size-dependent loss, the packets no larger than largestDelivered
    EvidenceRef sizeLostRef;     // the first larger one lost (else firstLost)
    int fromSide = -1;           // the sending capture (0: A, 1: B)
    /// Packets the receiving capture holds that arrived corrupted (its Facts::corruptHeaders +
    /// corruptSpiPackets + outOfRunSeq): sent, but never received intact; its kernel drops them.
    std::uint64_t arrivedCorrupted = 0;

    /// Of a size-dependent loss, the packets larger than every delivered one (the MTU's).
    [[nodiscard]] std::uint64_t sizeLost() const { return lost - std::min(lost, smallLost); }
    [[nodiscard]] const EvidenceRef &sizeLostAt() const
    {
        return sizeLostRef.source.isEmpty() ? firstLost : sizeLostRef;
    }

    /// The losses packet_loss_in_transit judges as its own: none when nothing arrived at all
    /// (esp_blocked's); of a size-dependent loss those no larger than the largest delivered packet
    /// (the larger ones are the MTU rule's); else those outside outages (the rest is
    /// peer_unreachable's). Step 1 points the others to those steps.
    [[nodiscard]] std::uint64_t lossOfItsOwn() const
    {
        if (sent > 0 && received == 0) return 0;
        if (sizeDependent) return std::min(lost, smallLost);
        return lost - std::min(lost, outageLost);
    }
};

/// Sequence numbers missing at one capture point, for one direction (outer source → destination):
/// counted over every SA of the direction, so the rate is the direction's, not one short SA's.
struct SeqGapFacts
{
    QString from, to;
    std::uint64_t missing = 0;
    std::uint64_t packets = 0; // ESP packets captured on the direction's SAs
    std::uint32_t sas = 0, sasWithGaps = 0, longestBurst = 0;
    double seconds = 0; // from the first to the last packet of the direction
    EvidenceRef ref;    // first gap
};

/// One idle gap of the tunnel (NAT-T analysis), kept so the rules can judge it against the NAT
/// timeout in use.
struct IdleGapFact
{
    double seconds = 0;
    bool failedAfter = false; // new port or one-way traffic after it
    EvidenceRef ref;
};

/// peer_silent's thresholds (peerSilenceFacts): this host's ESP packets to the peer since its last
/// packet, sent more than 1 s before the capture's end; the peer's silence up to the end; the
/// peer's steady ESP before it (its latest run with no gap of more than 1 s).
inline constexpr std::uint64_t kMinSilentSent = 5;
inline constexpr double kMinSilenceS = 5;
inline constexpr std::uint64_t kMinPeerRunPackets = 10;
inline constexpr double kMinPeerRunS = 3;

struct Facts
{
    DiagnosisAssumptions assumptions;
    /// deriveFacts() was cancelled: the rest is incomplete, the caller drops it.
    bool cancelled = false;

    // How host evidence was matched to the captures' endpoints ("host right: capture B's
    // endpoint (10.0.2.1 in its swanctl --list-sas)"), for the diagnosis notes.
    QStringList evidenceHosts;
    // Capture A's IKE and ESP endpoint addresses (both directions): a configuration's connection
    // is this tunnel's when its remote_addrs name one of them.
    QStringList tunnelAddresses;

    // --- what was available
    bool haveCapture = false;
    bool havePair = false;     // two captures compared
    bool haveCounters = false; // xfrm_stat / ip link / snmp with before-after deltas
    bool haveLogs = false;     // charon log
    bool haveConfig = false;   // swanctl.conf / ipsec.conf / strongswan.conf
    QString captureName;

    // --- names for the fixes (empty: unknown, the fix uses a placeholder)
    QString connection, child;
    QString wanInterface;
    QString localAddress, peerAddress;
    /// Two captures: each end's view of the other, from its own capture (the remote outer address
    /// of its IKE/ESP). Behind a NAT this is the NAT's address, not the other end's own
    /// (localAddress / peerAddress). Empty: not known (then the own address is used).
    QString peerSeenHere, localSeenThere;
    QString localSubnet, remoteSubnet;
    bool ipsecConfStyle = false; // configuration came from legacy ipsec.conf

    // --- suite and overhead
    EspSuite suite;
    // Every suite the ESP lengths fit (estimated), or every suite the configured proposals allow
    // when no negotiated one is in the evidence (MTU figures take the largest overhead).
    std::vector<EspSuite> suiteCandidates;
    QString suiteSource; // "configuration", "swanctl --list-sas", "ip xfrm state", "estimated from ESP
                         // lengths", ""
    /// Each SA's own suite as `ip xfrm state` has it (outer source, destination, SPI). With SAs
    /// of different suites, `suite` is the one of the largest overhead; a finding about one SA
    /// takes that SA's (suiteForSa).
    struct SaSuite
    {
        QString src, dst;
        std::uint32_t spi = 0;
        EspSuite suite;
    };
    std::vector<SaSuite> saSuites;
    /// The CHILD_SAs of the latest swanctl --list-sas (name, SPIs, first traffic selectors): with
    /// several, a finding about one SA takes its own child's name and subnets (factsForSa).
    struct ListedChild
    {
        QString name;
        std::uint32_t spiIn = 0, spiOut = 0;
        QString localTs, remoteTs;
    };
    std::vector<ListedChild> listedChildren;
    /// The tunnel's connection in the configuration, one entry per CHILD_SA with the values it sets
    /// (-1 / 0 / empty: not set). With several, the values taken (replay window, rekey_time,
    /// life_time, dpd_action) are those of the child the capture's SAs are tied to by SPI (swanctl
    /// --list-sas, charon's "CHILD_SA name{n} established with SPIs"), else only those every
    /// child shares (configChildFacts).
    struct ConfigChildValues
    {
        QString name;
        int replayWindow = -1;
        double rekeyS = 0, lifeS = -1;
        QString dpdAction;
    };
    QString configChildrenConnection;
    std::vector<ConfigChildValues> configChildren;
    bool configChildTied = false; // one of them is the capture's SAs' (by SPI)
    /// The tunnel connection's charon log lines: each CHILD_SA name with the SPIs they give it.
    std::map<QString, QSet<std::uint32_t>> logChildSpis;
    bool natT = false; // ESP-in-UDP seen (or encap in config / xfrm state)
    bool outerIpv6 = false;
    std::uint64_t espPackets = 0;

    // --- step 1: loss between the ends
    DirectionFacts dir[2];                       // [0] A→B, [1] B→A (pair only)
    std::vector<PairDirectionTotals> pairTotals; // the same directions' totals for the views (pair only)
    RefCount seqMissing; // single capture: numbers never seen on SAs this capture received
    /// What each capture's own host dropped before the packets reached the file (pcapng
    /// Interface Statistics Blocks; `known` false for pcap or without them): not transit loss.
    struct CaptureDropFact
    {
        QString capture;
        bool known = false;
        std::uint64_t dropped = 0, osDrop = 0, ifDrop = 0, received = 0;
    };
    CaptureDropFact captureDrops[2]; // [0] capture A, [1] capture B
    std::uint64_t seqMissingSaPackets = 0;
    std::uint32_t seqMissingLongestBurst = 0;
    std::vector<SeqGapFacts> seqGaps; // single capture: the same per direction (every SA of it)
    // Packets corrupted on the way (each capture's, added): IP headers whose checksum or length
    // is wrong (the receiver's kernel drops them), ESP packets whose SPI is one bit off a busy SA
    // of the same flow (their "SA" is left out of the sequence facts: its gaps are not loss), and
    // ESP sequence numbers far outside their SA's run (EspSaSequence::outOfRun).
    RefCount corruptHeaders, corruptSpiPackets, outOfRunSeq;

    // --- step 2: MTU
    bool ptbSeen = false;
    std::uint32_t ptbMtu = 0;
    EvidenceRef ptbFirst; // the earliest tunnel packet-too-big captured (its capture and time)
    QString ptbTo;        // whom the ICMP error was sent to: the sender of the packet it quotes
    EvidenceRef ptbRef;
    /// The smallest ICMPv6 packet-too-big MTU below IPv6's 1280 minimum (0: none), set aside.
    std::uint32_t ptbBelowMinMtu = 0;
    EvidenceRef ptbBelowMinRef;
    // At the end that sends the large packets (one capture): the first DF packet above the MTU the
    // earliest packet-too-big reports was sent more than a second before that ICMP error, and none
    // came for it meanwhile. dfBeforePtbLength 0: not seen.
    std::uint32_t dfBeforePtbLength = 0; // that packet's outer length
    std::uint32_t dfBeforePtbMtu = 0;    // the MTU the earliest packet-too-big reports
    EvidenceRef dfBeforePtbRef;          // that packet (capture, SPI, time)
    int blackHoleLevel = 0;              // 0 none, 1 possible, 2 suspected (MTU analyzer)
    QStringList blackHoleEvidence;
    EvidenceRef blackHoleRef;
    QString blackHoleSender; // the outer source of the SA that suspicion is about
    // The suspicion rests on large packets resent at backed-off intervals, unanswered, while smaller
    // ones were answered (MtuSaSizes::backoff; blackHoleRef cites the first resend), of this size.
    bool blackHoleBackoff = false;
    std::uint32_t blackHoleResentLength = 0;
    QString blackHoleTo; // the outer destination of that SA
    // The suspicion is the receiver's (MtuBlackHole::atReceiver): the SA's sequence numbers went
    // missing in runs while only its small packets arrived at this capture point; blackHoleSender
    // sent them.
    bool blackHoleAtReceiver = false;
    // One capture at this end: nothing at all came from the peer after `lastFromPeer` up to the
    // capture's end, while this end's ESP to it went on unanswered (MtuUnansweredTail: `sent`
    // packets from `firstSent` on, `judged` of them before the capture's final second).
    struct PeerSilence
    {
        QString peer;
        std::uint64_t sent = 0, judged = 0;
        double silenceS = 0; // from the peer's last packet to the capture's end
        double spanS = 0;    // from the first to the last of the packets sent meanwhile
        // The peer's own ESP to this end before it fell silent: its latest run with no gap of more
        // than 1 s (packets, first to last in s).
        std::uint64_t peerRunPackets = 0;
        double peerRunS = 0;
        std::int64_t lastSentNs = -1;
        EvidenceRef lastFromPeer, firstSent;
    };
    std::optional<PeerSilence> peerSilence;
    // Per ESP SA none of whose packets came as IP fragments (one capture): its largest packet. At
    // the SA's receiving end that size arrived: a lower bound of the path MTU, never a fix value.
    struct LargestEsp
    {
        QString from, to;
        std::uint32_t bytes = 0;
        EvidenceRef ref; // the SA
    };
    std::vector<LargestEsp> largestEsp;
    std::uint32_t largestOuter = 0;
    std::uint32_t pathMtuLower = 0;     // largest outer size proven delivered (see deliveredHow)
    std::uint32_t pathMtuUpper = 0;     // smallest outer size proven lost
    EvidenceRef deliveredRef;           // the packet behind pathMtuLower
    QString deliveredHow;               // "seen at the receiver", "answered by reverse ESP within 1 s"
    bool lossSizeDependentPair = false; // the two-capture comparison proved size-dependent loss
    RefCount fragFails;                 // Ip FragFails delta
    int interfaceMtu = 0;               // MTU of wanInterface from ip link
    // Active probes (`ikev2wb probe HOST --json`, schema ikev2wb.probe/1, imported as evidence):
    // the strongest proof of the path MTU. Each usable result, then classified by its target once
    // the ends and the traffic selectors are known: a probe of an end of the tunnel measured the
    // outer path; a probe of an address inside the traffic selectors measured the largest inner
    // packet the tunnel delivers; a probe of any other address says nothing about this tunnel.
    struct ProbeFact
    {
        std::uint32_t pathMtu = 0;
        QString target, verdict; // verdict: "working", "black_hole"
        QString source;          // the local address it was sent from (an IP literal), "" not recorded
        EvidenceRef ref;
    };
    std::vector<ProbeFact> probes;
    // The outer probe in use (the smallest proven MTU of several). 0 = none.
    std::uint32_t probePathMtu = 0;
    QString probeTarget, probeVerdict;
    EvidenceRef probeRef;
    // The inner probe in use: the largest inner packet proven through the tunnel. 0 = none.
    std::uint32_t probeInnerMtu = 0;
    QString probeInnerTarget, probeInnerVerdict;
    EvidenceRef probeInnerRef;
    QString probeInnerSender; // the end whose ESP packets carry it: this end into the remote selector
    QStringList probeNotes;   // probes set aside, and why
    /// Where the outer probe in use ran from (its JSON `source`, an IP literal) and whether the
    /// result records it at all (older ones do not).
    QString probeSource;
    bool probeSourceRecorded = false;
    /// The end that sends over the path that probe proved: the probe's source when it is one end,
    /// else the other end of the one it was sent to (as run at that other end when the source is
    /// not recorded); "" when that is not known.
    QString probeSender;
    // Link and route MTUs read from imported evidence (`ip link`, `ip -s link`, `ip -d link`,
    // `ip route`) of either host or a router, for interfaces on the path between the peers.
    struct PathLinkMtu
    {
        QString host, name; // "right", "wan0" (or "route to 10.0.2.1")
        int mtu = 0;
        bool route = false; // a route's mtu metric rather than an interface MTU
        QString why;        // why it is on the path
        EvidenceRef ref;
    };
    std::vector<PathLinkMtu> pathLinkMtus;
    // Route-based tunnel (XFRM interface or VTI) found in the evidence: MTU and MSS clamping go
    // on that interface. tunnelInterface may be empty when only an if_id was seen.
    bool routeBased = false;
    QString tunnelInterface, routeBasedWhy;
    int tunnelInterfaceMtu = 0;
    bool peerRouteKnown = false; // the route to the peer was read from a routes listing
    QString wanGateway;          // its next hop ("" = directly connected)
    bool peerHostRoute = false;  // a /32 (/128) route to the peer exists already
    QString peerHostRouteLine;   // that route as the routes listing has it (unvalidated evidence text)
    QString peerRouteSource;     // the routes listing the route to the peer was read from
    /// The peer's end (capture B's host, or the one capture's peer): its route back towards this
    /// end, from its own routes listing. The per-peer MTU route goes on the end that sends the
    /// packets that are too large, which may be the peer.
    struct SideRoute
    {
        bool known = false; // read from the host's routes listing
        QString dev, via, hostRouteLine, source;
        bool hostRoute = false;
        int devMtu = 0; // of dev, from the host's ip link listing
    } peerSideRoute;
    /// Capture B holds IKE/ESP sent to capture A's own address: the peer reaches this end by it
    /// (not behind a NAT that the peer sees in its place).
    bool localSeenAtPeer = false;
    /// Capture A, taken at this end: the ESP / ESP-in-UDP packets it holds that this end sent to
    /// the peer and that the peer sent to this end; -1 when the ends are not known. A capture sees
    /// arriving packets before the host's firewall: none from the peer means none reached it.
    std::int64_t espSentCaptured = -1, espFromPeerCaptured = -1;
    /// Capture A: packets of any kind the peer sent to this end (IKE, ESP, ICMP); 0 means the
    /// capture may not see arriving traffic at all (taken with -Q out, a src filter, the wrong
    /// interface), so its missing ESP proves nothing; -1 unknown.
    std::int64_t fromPeerCaptured = -1;
    /// A host whose sysctl evidence turns IPv4 PMTU discovery off (net.ipv4.ip_no_pmtu_disc 1, 2, 3).
    struct PmtuDiscOff
    {
        QString host;
        int mode = 0;
        int minPmtu = 0;       // net.ipv4.route.min_pmtu, 0 not in the evidence
        QStringList addresses; // the host's own addresses (hostAddresses)
        EvidenceRef ref;
    };
    std::vector<PmtuDiscOff> pmtuDiscOff;
    // Inner traffic families, from the traffic selectors (false/false = unknown: IPv4 assumed).
    bool innerIpv4 = false, innerIpv6 = false;

    // --- step 2: IKE messages larger than the path (ike_fragmentation)
    RefCount ikeIpFragmentedUnanswered; // requests sent as IP fragments, retransmitted or incomplete, never
                                        // answered
    RefCount ikeIpFragmentsMissing;     // such requests of which a capture holds only some fragments
    RefCount ikeSkfMissing;             // unanswered requests with RFC 7383 fragments missing
    // of ikeIpFragmentedUnanswered, those sent as RFC 7383 fragments: IKE fragmentation was in use
    // and its fragments themselves were larger than the path (charon.fragment_size)
    RefCount ikeSkfIpFragmented;
    std::uint32_t largestFragmentedIke = 0; // IKE length of the largest of them, bytes
    std::uint32_t fragmentedIkeRetransmissions = 0;
    bool ikeSaInitAnswered = false;
    QString ikeInitiator; // outer address that sent the first IKE_SA_INIT request captured
    // IKEV2_FRAGMENTATION_SUPPORTED in the captured IKE_SA_INIT: 1 announced, 0 not, -1 not captured.
    int fragSupportInitiator = -1, fragSupportResponder = -1;
    QString fragmentationSetting; // swanctl / ipsec.conf "fragmentation", empty when not configured
    RefCount logIkeFragments;     // charon "splitting IKE message" / "received fragment"

    // --- step 3: NAT-T, DPD, keepalives
    bool natDetected = false;        // log or capture says NAT between the peers
    double longestIdleS = 0;         // longest idle gap of the tunnel in a capture
    double idleBeforeFailureS = 0;   // idle gap after which the mapping was gone
    double longestIdleSurvivedS = 0; // idle gap after which the mapping still worked
    RefCount natMappingChanges;      // charon "NAT mappings ... changed" / endpoint changed
    QString natMappingTo;            // the endpoint the last change counted moved to ("A[P]")
    RefCount rebindings;             // one SPI on two UDP flows, port change after a gap
    RefCount icmpPortUnreachNatT;    // ICMP port unreachable quoting UDP 4500 / ESP-in-UDP
    double keepaliveIntervalS = 0;   // measured median, 0 = none seen
    double keepaliveConfiguredS = 0; // strongswan.conf charon.keep_alive, 0 = unknown
    // The NAT's timeout for an established (assured, traffic both ways) UDP flow, as NAT-T is:
    // sysctl nf_conntrack_udp_timeout_stream (Linux default 120 s; 180 s in older kernels).
    // nf_conntrack_udp_timeout (30 s) only applies to flows without replies. 0 = unknown.
    double natUdpTimeoutS = 0;
    std::vector<IdleGapFact> idleGaps;
    RefCount dpdRequests;             // log "sending DPD request"
    std::uint64_t ownDpdRequests = 0; // of them in this end's (capture A's host's) own log
    double dpdDelayS = -1;            // configured, -1 unknown
    QString dpdAction;
    // This end's own log (never the peer's): "restarting CHILD_SA NAME" right after charon gave
    // up on the peer ("giving up after N retransmits", also via "rekeying IKE_SA failed") in the
    // same IKE_SA. strongSwan's ike_sa.c reestablish() re-creates a child there only when its
    // dpd_action is restart (not while deleting: close_action; not while reauthenticating:
    // every child). Each child it names once: its first such restart line and that give-up's line.
    struct LoggedRestart
    {
        QString child;
        EvidenceRef ref;
        int giveUpLine = 0;
    };
    std::vector<LoggedRestart> dpdRestartsLogged;
    RefCount peerNotResponding; // log: give-ups, "peer not responding", establishing failed
    RefCount outageLost;        // pair: ESP lost during outages, both directions
    double outageS = 0;
    bool outageBothWays = false;

    // --- step 4: IKE/ESP retransmissions, lifetimes, anti-replay
    RefCount ikeRetransmissions; // capture (a pair: per sender, the capture that saw more)
    // Per sending address (a capture sees its own end's retransmissions and those of the peer's
    // that arrived): a pair takes each sender's from the capture that saw more of them.
    std::map<QString, RefCount> ikeRetransmissionsBySender;
    // Retransmissions sent while the answer to the request was still on its way: every copy of
    // the request was answered (so each arrived) and the first answer came after them. Only
    // unfragmented IKEv2 exchanges (copies and answers then pair one to one). A pair takes each
    // sender's from the capture that saw more (the requester's shows the round trip).
    RefCount ikePrematureRetransmissions;
    std::map<QString, RefCount> ikePrematureBySender;
    double ikePrematureRttS = 0;  // the longest of their round trips: first send → first answer
    double ikePrematureWaitS = 0; // the shortest wait from a first send to its first retransmission
    // A pair: retransmissions the comparison found sent before the answer to the previous copy
    // had arrived or was even due there (cause response_late), the answer's fate aside.
    RefCount ikeRetransmittedAnswerLate;
    RefCount ikeRetransmittedAfterLoss;            // a pair: causes request_lost / response_lost
    std::uint64_t ikeAnswerLateBySide[2] = {0, 0}; // a pair: response_late by retransmitting end (A, B)
    // Loss one capture shows at a requester: an answered, unfragmented IKEv2 exchange with fewer
    // answers than copies, the missing answers due (at the exchange's round trip) before the
    // capture's end; by requesting address (a capture also sees the other end's requests, as
    // their responder). A pair: each end's own, from its own capture (ikeShortOfAnswersPair).
    std::map<QString, RefCount> ikeShortOfAnswersBySender;
    RefCount ikeShortOfAnswersPair;
    RefCount ikeGaveUp; // capture: exchanges abandoned (proven, see unansweredRequests)
    // Retransmitted requests never answered in a capture, judged against the retransmission
    // schedule in use once the configuration is known: a new IKE_SA_INIT, or silence longer than
    // the next scheduled wait, proves the give-up (ikeGaveUp); silence up to the capture's end
    // that is shorter leaves the outcome out of the capture (ikeOutcomeNotCaptured).
    struct UnansweredRequest
    {
        std::uint32_t retransmissions = 0;
        double silenceS = 0; // after the last send
        bool toCaptureEnd = false;
        bool restarted = false;
        bool fromPeerCapture = false;
        EvidenceRef ref; // the last send
    };
    std::vector<UnansweredRequest> unansweredRequests;
    RefCount ikeOutcomeNotCaptured;
    double outcomeSilenceS = 0; // of the first such request: silence seen
    double outcomeNeededS = 0;  // and the wait the schedule in use asks for before the next step
    RefCount logRetransmits;    // charon "retransmit N of request"
    RefCount logGiveUps;        // charon "giving up after N retransmits"
    // The schedule charon's log shows for a request it gave up on: N of "giving up after N
    // retransmits", the wait from the request to its first retransmission and the growth of the
    // next wait (lines timed to the millisecond only), and where. -1 / 0: not shown.
    int loggedRetransmitTries = -1;
    double loggedRetransmitTimeoutS = 0, loggedRetransmitBase = 0;
    QString loggedScheduleFrom; // "charon-left.log lines 86–97"
    std::uint32_t maxRetransmitsOneExchange = 0;
    std::uint64_t ikeExchanges = 0, ikeAnswered = 0;
    bool ikeEstablished = false; // an IKE_AUTH answered (capture) or an SA established (log)
    std::uint32_t rekeys = 0;    // a pair: the larger of the two captures' counts
    RefCount ikeLostInTransit;   // pair
    RefCount ikeLostBeyondSpan;  // pair: due at the receiver after its last (before its first) packet
    double rekeyTimeS = 0;       // configured child rekey_time, 0 unknown
    int retransmitTries = -1;    // configured, -1 unknown (default 5)
    double retransmitTimeoutS = 0, retransmitBase = 0;
    // Configured lifetimes in seconds, -1 where the configuration does not name them.
    double childLifeTimeS = -1; // swanctl child life_time
    double ikeRekeyTimeS = -1;  // swanctl connection rekey_time
    double ikeOverTimeS = -1;   // swanctl connection over_time
    double ikeReauthTimeS = -1; // swanctl connection reauth_time
    double marginTimeS = -1;    // ipsec.conf margintime / rekeymargin
    double ikeLifetimeS = -1;   // ipsec.conf ikelifetime

    std::uint64_t minSafeWindow = 0; // ESP analysis' min_window_exact (largest over received SAs)
    EvidenceRef minSafeWindowRef;
    RefCount reordered; // reordered packets (capture or pair)
    std::uint64_t maxReorderDistance = 0;
    // Anti-replay counters and window of the RECEIVING host. With two captures and evidence of
    // both hosts, the direction that shows the most trouble is judged with its receiver's
    // evidence (replayDirection, replayReceiver); the other direction's findings are in replayOther.
    RefCount replayCounter;          // XfrmInStateSeqError delta (too old and duplicates together)
    RefCount replayTooOld;           // per-SA stats "replay-window" delta: older than the window
    RefCount replayDuplicates;       // per-SA stats "replay" delta: duplicates (a window does not help)
    int configuredReplayWindow = -1; // kernel SA / config, -1 unknown
    QString replayWindowSource;
    QString replayWindowChild; // from the configuration: "connection 'X' CHILD_SA 'Y'" whose window it is
    QString replayDirection;   // "10.0.1.1 → 10.0.2.1", empty: one capture
    QString replayReceiver;    // "host right (10.0.2.1)", empty: not known
    // A pair: the capture whose end receives that direction (0 A, 1 B; -1 one capture), and the
    // connection and CHILD_SA names that host's own evidence gives (its swanctl --list-sas entry
    // for the direction's SPIs, else its configuration; empty unknown): the window fix goes into
    // the receiver's configuration, under its names, not this end's.
    int replayReceiverSide = -1;
    QString replayReceiverConnection, replayReceiverChild;
    QStringList replayOther; // the other direction, when its receiver drops or would drop too
    // The captured sequence numbers fed to a receiver with replayWindowInUse() (replaywindow.h):
    // packets it would have dropped, not counting capture duplicates. `replayEmulated` false
    // when no capture carried ESP.
    bool replayEmulated = false;
    std::uint32_t emulatedReplayWindow = 0;
    RefCount emulatedReplayDrops;
    // A pair: each direction ([0] A→B, [1] B→A as dir[]) with its receiving host's own window.
    // One capture: its (up to two) directions, each with its receiver's window where the
    // evidence gives it (oneCaptureReplayFacts); `from` empty: no such direction.
    DirectionReplayWindow replayWindows[2];
    // Per capture (0: A, 1: B) and SA (CaptureIndex::espSas): the window of the host receiving
    // it and the drops it gives on that capture's sequence numbers. Computed once here
    // (judgeReplayWindows) for these facts and for the per-direction totals (espDirections()).
    std::vector<SaReplayJudgement> replayBySa[2];

    // --- ESP blocked
    // How ESP travels: packets captured as plain ESP (IP protocol 50) and as ESP-in-UDP (port
    // 4500 behind NAT-T or encap = yes), over both captures; `encapInEvidence` when the kernel SA
    // or the configuration says UDP encapsulation.
    std::uint64_t espRawPackets = 0, espUdpPackets = 0;
    bool encapInEvidence = false;
    // What an ICMP "administratively prohibited" error quoting tunnel traffic carried: 50 (ESP),
    // 4500 (UDP 4500: NAT-T / ESP-in-UDP), 500 (IKE), 0 none.
    int icmpRejectQuotes = 0;
    QString icmpRejectReporter;    // the source of the first of them: the box whose rule rejects
    QString icmpRejectQuotedSrc;   // the rejected packet's source as the error quotes it
    bool icmpRejectAtPeer = false; // the error was taken from the peer's capture (B)
    RefCount espOneWay;            // ESP packets on SAs whose reverse direction carries no ESP
    bool espNeverReceived = false; // pair: a direction sent ESP and none arrived
    EvidenceRef espNeverReceivedRef;
    RefCount inboundSaZero;    // evidence: inbound SA with 0 packets while outbound counts
    QString inboundSaZeroHost; // the address of the host whose SA it is (empty: unknown)
    std::uint64_t outboundSaPackets = 0;
    // ESP that reached a host (its own capture holds it) while that host's kernel SA for it
    // counted no packet at all (its ip -s xfrm state taken after the traffic, or while its
    // outbound SA to the same peer counted): dropped on the host before IPsec.
    struct EspNotAccepted
    {
        QString host;    // evidence host name, may be empty
        QString address; // the receiving host's address (the SA's destination)
        QString from;    // the sender (the SA's source)
        std::uint32_t spi = 0;
        std::uint64_t arrived = 0; // packets of the SA in the receiving host's capture
        EvidenceRef captureRef, saRef;
    };
    std::vector<EspNotAccepted> espNotAccepted;

    // --- the peers' configurations do not meet (ike_config_mismatch)
    RefCount logNoProposal, logTsUnacceptable, logAuthFailed; // charon log lines
    RefCount ikeErrorNotifies; // captured responses with a cleartext NO_PROPOSAL_CHOSEN,
                               // AUTHENTICATION_FAILED or TS_UNACCEPTABLE
    QStringList ikeErrorNotifyNames;
    RefCount xfrmInTmplMismatch, xfrmInNoPols; // inbound packets that matched no policy / template

    // --- packets that found no usable SA (sa_missing_or_expired)
    RefCount xfrmOutNoStates, xfrmInStateExpired, xfrmOutStateExpired, xfrmOutPolBlock;

    // --- host settings (sysctl evidence); -1 unknown
    int rpFilter = -1;          // net.ipv4.conf.all.rp_filter (the kernel uses max(all, interface))
    QStringList xfrmBypassedOn; // sysctl keys net.ipv4.conf.X.disable_xfrm / disable_policy set to 1
    // Interfaces `ip -d link` of any host shows as VTI or XFRM devices (they need disable_policy = 1).
    QStringList tunnelDeviceNames;

    // --- step 5: offload, CPU, host drops
    RefCount xfrmInNoStates, xfrmInStateProtoError, xfrmInStateMismatch, xfrmInBufferError;
    /// The same receive errors of the peer's host (a pair's B, or the host one capture's evidence
    /// names as its peer): it receives what this host sends, so its counters judge that direction
    /// (each direction by its receiver's evidence).
    struct InErrors
    {
        RefCount noStates, protoError, mismatch, bufferError;
        [[nodiscard]] std::uint64_t total() const
        {
            return noStates.value + protoError.value + mismatch.value + bufferError.value;
        }
    };
    InErrors peerInErrors;
    RefCount rxDropped, rxMissed, udpRcvbufErrors;
    QStringList offloadFeaturesOn; // ethtool -k features related to ESP/GRO that are on

    // --- step 6: firewalls
    RefCount icmpAdminProhibited; // ICMP unreachable code 9/10/13 quoting tunnel traffic
    /// A DROP/REJECT rule of a host's firewall listing (iptables-save -c, ip6tables-save -c, nft)
    /// whose matches take the tunnel's IKE or ESP between its two ends and whose counters grew
    /// between two snapshots (or, with one snapshot, are not zero).
    struct FirewallDrop
    {
        QString host, format, family, table, chain, text, verdict;
        std::uint64_t packets = 0, bytes = 0;
        std::int64_t delta = -1, deltaBytes = -1; // between the snapshots, -1: one snapshot only
        int position = 0;                         // iptables: the rule's index in its chain
        std::int64_t handle = -1;                 // nft -a
        QString hook; // nft: the hook of its chain when that is a base chain ("prerouting"), else ""
        bool esp = false, ike = false; // it takes raw ESP / IKE and ESP-in-UDP (500/4500)
        QString what;                  // "ESP (IP protocol 50)", "UDP 500/4500 (IKE, ESP-in-UDP)"
        QStringList ports;             // of 500 and 4500 those it takes
        QStringList directions;        // "10.0.1.1 > 10.0.2.1" pairs it takes
        /// Whose rule: 0 capture A's host, 1 capture B's host, -1 neither (a router). Its
        /// directions use the two ends as that host sees them: its own address and the other
        /// end as its own capture shows it (behind a NAT the NAT's address).
        int end = -1;
        QString local, peer;
        EvidenceRef ref;
    };
    std::vector<FirewallDrop> firewallDrops;
    /// A chain whose policy is DROP in a host's listing (the latest snapshot): packets no rule
    /// accepted end there. Not a rule that dropped the tunnel: its counter counts everything.
    struct FirewallDropPolicy
    {
        QString host, format;
        FirewallRuleset::DropPolicy policy;
        EvidenceRef ref;
    };
    std::vector<FirewallDropPolicy> firewallDropPolicies;
    /// Capture A's host's own nft ruleset (the latest listing of its evidence): its base chains
    /// on the input hook, where an accept for the tunnel must go (an accept in a chain of another
    /// table does not stop a drop here). `nftKnown` false: no nft listing of that host.
    bool nftKnown = false;
    QString nftSource;
    std::vector<FirewallRuleset::BaseChain> nftInputChains;
};

/// Derives the facts. Anything missing stays at its "unknown" value. `cancel` is polled between
/// the stages and inside the passes over the packets (the anti-replay emulation, every 64 Ki
/// packets); a cancelled run returns at once with `cancelled` set and what it had so far.
Facts deriveFacts(const DiagnosisInput &input, const std::atomic_bool *cancel = nullptr);

/// The receiver's replay window the diagnosis works with: the one host evidence names, else the
/// assumption. `basis` says which: "read from ip xfrm state (0x…): 16", "assumed 32 (Preferences)".
std::uint32_t replayWindowInUse(const Facts &f, QString *basis = nullptr);
/// The NAT UDP timeout the diagnosis works with: the sysctl of the evidence, else the
/// assumption; `assumed` and `basis` as for replayWindowInUse().
double natUdpTimeoutInUse(const Facts &f, bool *assumed = nullptr, QString *basis = nullptr);

/// Where the path MTU the advice works with comes from, strongest first. Never guessed upward:
/// each is a measurement (see README, "How the path MTU is decided").
enum class PathMtuSource : std::uint8_t {
    None,
    Probe,           // an active probe result imported as evidence
    Icmp,            // the MTU an ICMP fragmentation-needed / packet-too-big reports
    LinkMtu,         // the smallest link or route MTU on the path in imported evidence
    ProvenDelivered, // the largest outer packet proven delivered (seen at the receiver / answered)
};
/// "probe", "icmp", "link_mtu", "proven_delivered", "none" (JSON).
const char *pathMtuSourceName(PathMtuSource s);

/// The path MTU with its provenance, as every view shows it.
struct PathMtuDecision
{
    std::uint32_t value = 0; // 0: nothing proven
    /// The largest inner packet a probe through the tunnel proved delivered (0: none): the MTU
    /// and MSS fixes use it as measured instead of deriving it from `value` and the suite.
    std::uint32_t innerMtu = 0;
    PathMtuSource source = PathMtuSource::None;
    QString text;   // "largest outer packet proven delivered: 1200 bytes (ESP SPI 0x… seq 17 …)"
    QString refine; // the command that would measure it: ping -M do … / ikev2wb probe …
    EvidenceRef ref;
    QStringList notes; // evidence considered and set aside, and why
};
/// Decides the path MTU from the facts: probe, ICMP (unless size-dependent loss at or below its
/// value proves a second, silent hop), a link/route MTU on the path that agrees with the sizes
/// delivered and lost, else the largest outer size proven delivered.
PathMtuDecision decidePathMtu(const Facts &f);
/// decidePathMtu(f).value, with its text in *why.
std::uint32_t likelyPathMtu(const Facts &f, QString *why = nullptr);

/// Overhead result for the path MTU with the facts' suite, outer family and NAT-T. With several
/// estimated suite candidates, the one leaving the smallest inner packet (safe for all of them);
/// `suiteName` (optional) gets its name and how it was chosen.
OverheadResult overheadFor(const Facts &f, int pathMtu, bool innerIpv6 = false, QString *suiteName = nullptr);
/// The facts with the suite of the SA `ref` names (its SPI, sent by `sender` when that is known)
/// when the host evidence lists that SA's suite (Facts::saSuites), and, when swanctl --list-sas
/// lists several CHILD_SAs, that SA's child name and subnets; otherwise the facts as they are.
Facts factsForSa(const Facts &f, const EvidenceRef &ref, const QString &sender);

} // namespace ikev2wb
