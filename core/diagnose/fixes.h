#pragma once
// Fix snippets with the real values filled in: MSS clamping (iptables, nftables), MTU (ip link),
// sysctl, ethtool, strongSwan swanctl.conf / ipsec.conf / strongswan.conf. Each says what it
// changes, its trade-off, how to verify it and how to undo it. Pure functions of their
// arguments, so the golden-file test pins the text down.
#include "diagnosis.h"

#include <QString>

#include <vector>

namespace ikev2wb {

struct Facts;

/// Names the snippets use. Unknown ones are placeholders such as "<wan-interface>" and the
/// snippet says so.
struct FixTarget
{
    QString connection = QStringLiteral("<connection>");
    QString child = QStringLiteral("<child>");
    QString wanInterface = QStringLiteral("<wan-interface>");
    QString localAddress = QStringLiteral("<local-address>");
    QString peerAddress = QStringLiteral("<peer-address>");
    QString remoteSubnet;   // empty: the nft clamp matches by IPsec state (rt/meta ipsec exists)
    int interfaceMtu = 0;   // current MTU of wanInterface from the evidence, 0 unknown
    bool ipsecConf = false; // legacy ipsec.conf instead of swanctl.conf
    QString replayReceiver; // prose: the host whose window the anti-replay fix raises, empty unknown
    /// Values the evidence gave that failed validation (shellquote.h) and were replaced by the
    /// placeholder: one line each, the value shown escaped ("connection name 'a$(…)' from the
    /// evidence is not a valid swanctl name: left as <connection>").
    QStringList rejected;
    // Route-based tunnel (XFRM interface / VTI): MTU and MSS clamp go on the tunnel interface.
    bool routeBased = false;
    QString tunnelInterface = QStringLiteral("<tunnel-interface>");
    QString gateway = QStringLiteral("<gateway>"); // next hop towards the peer, "" = directly connected
    bool peerHostRoute = false; // a host route to the peer exists already (undo restores, not deletes)
    /// That route as the evidence's routes listing has it, as a validated, quoted
    /// `ip route replace …` command; empty when there was none or its line was refused (then
    /// `rejected` says why).
    QString peerHostRouteRestore;
    QString peerRouteSource; // the routes listing the route to the peer came from
    bool outerIpv6 = false;
    /// This host's nft base chains on the input hook (family, table, chain), each validated
    /// (fixTarget); `nftKnown` false when its ruleset was not in the evidence.
    struct NftChain
    {
        QString family, table, chain;
    };
    bool nftKnown = false;
    std::vector<NftChain> nftInputChains;
    int nftChainsRefused = 0; // input-hook base chains whose names did not validate (see `rejected`)
    QString nftSource;        // the listing they come from
    /// The host the fix is written for, as its words name it: "this host" (the end whose evidence
    /// it is) or, from fixTargetAtPeer, "the peer ADDRESS"; `hostsOwn` is its possessive ("this
    /// host's", "the peer's"). The filter fixes write these instead of a fixed "this host".
    QString host = QStringLiteral("this host");
    QString hostsOwn = QStringLiteral("this host's");
};
/// The target from the facts: every name and address validated (shellquote.h), placeholders
/// where a value is unknown or was rejected (then `rejected` says why).
FixTarget fixTarget(const Facts &f);
/// The same for the peer's end (the per-peer MTU route when the peer sends the packets that are
/// too large): its interface and next hop from its own routes listing, this end's address as
/// the destination when the peer's capture shows it sends there; names stay placeholders.
FixTarget fixTargetAtPeer(const Facts &f);
/// The `ip route` line of a host route to `peer` as the arguments of `ip route replace`, each
/// validated and quoted: destination (the peer itself), via/src addresses, dev (an interface
/// name), proto/scope/metric and the route metrics iproute2 prints; output-only flags (linkdown,
/// dead, offload, trap, …) dropped. Empty with `why` set for anything else.
QString restorableRoute(const QString &line, const QString &peer, QString *why);
/// Placeholders still in the target ("<wan-interface>", ...).
QStringList placeholders(const FixTarget &t);

struct MtuFixParams
{
    int pathMtu = 0;   // outer path MTU the fix is computed for
    int tunnelMtu = 0; // largest inner packet (computeEspOverhead)
    int mss = 0;       // tunnelMtu − 40 (IPv4 inner); 0 = no IPv4 inner traffic
    int mss6 = 0;      // tunnelMtu − 60 (IPv6 inner); 0 = no IPv6 inner traffic
    QString suiteName; // "AES-CBC + HMAC-SHA256-128"
    bool natT = false;
    QString pathMtuWhy; // where the path MTU comes from (decidePathMtu's text)
};
std::vector<Fix> mtuFixes(const FixTarget &t, const MtuFixParams &p);

/// `window` is the value to configure; `minSafe` the measured minimum (max reorder lag + 1).
std::vector<Fix> replayWindowFixes(const FixTarget &t, std::uint64_t window, std::uint64_t minSafe,
                                   int current);
/// The largest anti-replay window Linux accepts: the ESN replay bitmap is limited to 4096 bits
/// (XFRMA_REPLAY_ESN_MAX); a larger replay_window makes the kernel refuse the SA.
inline constexpr std::uint64_t kMaxReplayWindow = 4096;
/// The smallest power of two ≥ max(2 × minSafe, 64): headroom over what was measured; at most
/// kMaxReplayWindow.
std::uint64_t recommendedReplayWindow(std::uint64_t minSafe);

/// `keepaliveS` to configure; `natTimeoutS` the NAT's UDP timeout (or the idle time after which
/// the mapping was gone, `timeoutMeasured` false); `longestIdleS` the longest idle gap of the
/// tunnel the capture measured (0: none) and `keepaliveInUseS` the keepalive interval captured or
/// configured now (0: unknown), which size the "lengthen the NAT's timeout" alternative.
std::vector<Fix> natKeepaliveFixes(const FixTarget &t, int keepaliveS, double natTimeoutS, bool timeoutKnown,
                                   double longestIdleS = 0, double keepaliveInUseS = 0);
/// Where the NAT timeout of the keepalive fix comes from: the NAT's sysctl, the idle time after
/// which the mapping was gone (an upper bound), or the engineer's assumption (Preferences/CLI).
enum class NatTimeoutBasis : std::uint8_t { Known, IdleBound, Assumed };
std::vector<Fix> natKeepaliveFixes(const FixTarget &t, int keepaliveS, double natTimeoutS,
                                   NatTimeoutBasis basis, double longestIdleS = 0,
                                   double keepaliveInUseS = 0);
/// The NAT's established-UDP timeout that outlives the tunnel's idle time: twice the longer of
/// the keepalive interval in use and the longest idle gap measured (room for one lost keepalive or
/// a gap as long again), rounded up to 10 s. 0 when the keepalive interval in use is not known:
/// while the tunnel idles, the gaps last as long as that interval, which no capture then bounds
/// (a gap measured without a keepalive only says the interval is longer), so no number is proven.
int recommendedNatStreamTimeout(double longestIdleS, double keepaliveInUseS = 0);
/// Keep-alive for a NAT whose UDP timeout is known (`known`) or only bounded above by an idle
/// gap after which the mapping was gone: below a third of the bound, at most strongSwan's 20 s.
int recommendedKeepalive(double timeoutOrBoundS, bool known);

/// Total time strongSwan spends on one request: Σ_{k=0..tries} timeout·base^k.
double retransmitTotalS(int tries, double timeoutS, double base);

/// strongswan.conf charon.retransmit_* in use: configured where the evidence names them, else
/// strongSwan's defaults (5 tries, 4.0 s, base 1.8).
struct RetransmitSchedule
{
    int tries = 5;
    double timeoutS = 4.0;
    double base = 1.8;
    bool triesConfigured = false, timeoutConfigured = false, baseConfigured = false;
    // Shown by charon's log instead (a give-up and the waits before it), and where.
    bool triesLogged = false, timeoutLogged = false, baseLogged = false;
    // The timeout is the one the longer-wait fix (retransmitTimeoutFixes) sets, not the one in use.
    bool timeoutPlanned = false;
    QString loggedFrom;
    /// Wait after the first send (n = 0) or after retransmission n: timeout × base^n; after the
    /// last retransmission (n = tries) charon gives up when it ends.
    [[nodiscard]] double waitAfter(int n) const;
    /// From the first send to the give-up: retransmitTotalS(tries, timeoutS, base).
    [[nodiscard]] double totalS() const;
    /// Whether charon waits as waitAfter() says: it keeps each wait in 32-bit milliseconds
    /// (at most kMaxRetransmitWaitS), so a longer one (retransmit_timeout = 1e300, or 4 s x 1.8^40)
    /// is not the schedule it follows, and no lifetime may be sized from its give-up time.
    [[nodiscard]] bool followed() const;
    [[nodiscard]] bool anyConfigured() const
    {
        return triesConfigured || timeoutConfigured || baseConfigured;
    }
    /// Known from the configuration or the log, not assumed.
    [[nodiscard]] bool anyKnown() const
    {
        return anyConfigured() || triesLogged || timeoutLogged || baseLogged;
    }
    /// "4 s × 1.8^k, 5 retransmissions, give-up 165.1 s after the first send; strongSwan's defaults,
    /// assumed ..." / "; strongswan.conf: ..." / "; charon's log (FILE lines A–B): ..."
    [[nodiscard]] QString text() const;
};
/// The longest time a fix writes into a configuration (2^53 s: every whole second up to it is
/// exact in a double and in a long); a configured time beyond it sizes nothing.
inline constexpr double kMaxSizedTimeS = 9007199254740992.0;
/// The longest wait charon's 32-bit millisecond retransmission timer holds, seconds.
inline constexpr double kMaxRetransmitWaitS = 4294967.295;
/// The schedule the facts' configuration names, defaults for the rest.
RetransmitSchedule retransmitScheduleInUse(const Facts &f);
/// Silence after a send must outlast the scheduled wait by this factor before it proves the
/// sender stopped (timer slack, capture clocks).
inline constexpr double kRetransmitStopMargin = 1.1;

/// SA lifetimes in use, seconds: configured where known, else strongSwan's defaults.
struct LifetimesInUse
{
    double childRekeyS = 3600, childLifeS = 3960; // life_time = rekey_time + 10 %
    double ikeRekeyS = 14400, ikeOverS = 1440;    // over_time = 10 % of the longer of rekey/reauth
    double marginS = 540;                         // ipsec.conf margintime (9m)
    bool childRekeyConfigured = false, childLifeConfigured = false, ikeRekeyConfigured = false,
         ikeOverConfigured = false, marginConfigured = false;
    /// The tunnel's connection has several CHILD_SAs whose lifetimes differ and no evidence ties
    /// the capture's SAs to one: each child's own (childRekeyS / childLifeS are then not used;
    /// the fix covers every child whose margin is short, under its own name).
    struct Child
    {
        QString name;
        double rekeyS = 3600, lifeS = 3960;
        bool rekeyConfigured = false, lifeConfigured = false;
    };
    std::vector<Child> eachChild;
};
LifetimesInUse lifetimesInUse(const Facts &f);
/// What the peer_unreachable fixes know of the configuration.
struct PeerUnreachableParams
{
    double outageS = 0; // measured outage, 0: none observed (no retransmission change is sized)
    RetransmitSchedule schedule;
    double dpdDelayS = -1; // configured dpd_delay, -1 unknown
    QString dpdAction;     // configured dpd_action, empty unknown
    /// This end's own log proves dpd_action = restart for the fix's child: where ("charon.log
    /// line 98 'restarting CHILD_SA net', right after the give-up on line 97"); empty: not proven.
    QString dpdRestartLogged;
    std::uint64_t dpdRequestsLogged = 0; // this end's own log: 'sending DPD request' (DPD is on)
    /// This end started the IKE_SA (its IKE_SA_INIT request is in the capture): 1, the peer did: 0,
    /// not known: -1. Only the initiator gets start_action / close_action = start.
    int thisEndInitiates = -1;
    QString initiator; // the initiator's address when known
};
/// More retransmission tries where a measured outage outlasts the schedule in use (≥ 1.5 × it;
/// only the tries change), DPD and restart where the configuration does not have them yet.
std::vector<Fix> peerUnreachableFixes(const FixTarget &t, const PeerUnreachableParams &p);
/// Lifetime margins that leave a rekey room for the schedule's retransmissions, and the
/// default schedule back where the configuration shortened it: only values that change.
std::vector<Fix> ikeRetransmissionFixes(const FixTarget &t, std::uint32_t retransmissions,
                                        const RetransmitSchedule &schedule, const LifetimesInUse &lifetimes);
/// Requests retransmitted while their answers were on their way: strongSwan's default first wait
/// (4 s) back, only when it is longer than the longest round trip measured (`rttS`) and the wait
/// in use (`waitS`, measured: first send to first retransmission) is shorter; else nothing.
std::vector<Fix> retransmitTimeoutFixes(double rttS, double waitS, const RetransmitSchedule &schedule);
/// What carries the traffic a filter drops: plain ESP (IP protocol 50), ESP-in-UDP on port
/// 4500 (NAT-T or encap = yes), or IKE itself (UDP 500/4500).
enum class EspCarrier : std::uint8_t { Esp, UdpEncap, Ike };
/// "esp", "udp_4500", "ike".
const char *espCarrierName(EspCarrier c);
/// Plain ESP: let protocol 50 through, or wrap it in UDP 4500 (`tunnelMtuNatT` for the new
/// MTU). ESP-in-UDP or IKE: accept rules for UDP 4500 (and 500) only; protocol-50 rules and
/// encap = yes would change nothing.
/// `notHere` non-empty: this host's own capture proves the traffic never reached it (the reason,
/// quoted in the fixes), so nothing is added to its input chains.
std::vector<Fix> espBlockedFixes(const FixTarget &t, EspCarrier carrier, int tunnelMtuNatT, int pathMtu,
                                 const QString &notHere = {});
/// What the ike_fragmentation fixes know.
struct IkeFragmentationParams
{
    int initiatorAnnounces = -1; // IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT: 1, 0, -1 not captured
    int responderAnnounces = -1;
    int provenPathMtu = 0; // a path MTU the evidence proves (ICMP, probe, link...), 0 unknown
    QString provenBy;      // how, for the fix's words; empty: "the path MTU an ICMP error reported"
    /// What provenPathMtu is of the path: its MTU (ICMP error, probe), only an upper bound (a link
    /// MTU on it: the path may be smaller) or only a lower bound (a size proven delivered: it
    /// may be larger). "Fits" needs a figure of at least 1280 that is not only an upper bound.
    enum class Bound : std::uint8_t { Exact, AtMost, AtLeast } bound = Bound::Exact;
    QString configured;          // "fragmentation" of the configuration, empty: not set or unknown
    bool configKnown = false;    // a swanctl.conf / ipsec.conf was in the evidence
    bool fragmentsInUse = false; // the lost request was sent as RFC 7383 fragments already
};
/// IKEv2 fragmentation (RFC 7383) on both ends (not when the lost request was sent as RFC 7383
/// fragments: it is in use), charon.fragment_size only for a proven path MTU below its 1280
/// default, the common clients, and where fragments get dropped.
std::vector<Fix> ikeFragmentationFixes(const FixTarget &t, const IkeFragmentationParams &p);
/// A DROP/REJECT rule of a firewall listing that takes the tunnel's traffic (Facts::FirewallDrop).
struct DropRuleParams
{
    QString host;         // prose
    QString table, chain; // from the evidence: validated by the function that writes the fix
    QString ruleText;     // as the listing prints it ("-A FORWARD -p esp -j DROP", nft's rule text)
    bool esp = false;     // the rule takes raw ESP
    QStringList ports;    // of "500", "4500" those it takes
    bool fromLocal = true, fromPeer = true; // directions it takes (local → peer, peer → local)
};
/// iptables-save's rule ("-A …" as iptables-save / iptables -S print it).
struct FirewallAcceptParams : DropRuleParams
{
    bool ipv6 = false; // ip6tables
};
/// ACCEPT rules for exactly the tunnel's two ends and what the rule drops, inserted right before
/// it (found at run time by its text, so a changed ruleset changes nothing), with their exact
/// deletes as the undo. Empty with `why` when a value from the evidence does not validate.
std::vector<Fix> firewallAcceptFixes(const FixTarget &t, const FirewallAcceptParams &p, QString *why);
/// An nft rule that drops the tunnel in a base chain of a host's ruleset (input, prerouting at raw /
/// mangle priority, or a router's forward): accepts for exactly the two ends and what the rule
/// takes go at the top of THAT chain.
struct NftChainAcceptParams : DropRuleParams
{
    QString family, hook; // from the evidence: validated by nftChainAcceptFixes
};
/// Inserted in one nft transaction (`nft -f -`), each rule once (a second run finds it by its
/// comment "ikev2wb-accept PEER TAG"), undone by deleting exactly the rules with that comment in
/// that chain. Empty with `why` when a value from the evidence does not validate.
std::vector<Fix> nftChainAcceptFixes(const FixTarget &t, const NftChainAcceptParams &p, QString *why);
/// disable_xfrm / disable_policy back to 0 for the given sysctl keys (validated by the facts).
std::vector<Fix> ipsecBypassFixes(const QStringList &keys);
/// Offload off for diagnosis.
std::vector<Fix> offloadFixes(const FixTarget &t);
/// Receive drops on the host: the NIC ring (capped at the driver's maximum) and the backlog
/// (`nicDrops`), charon's socket buffers (`udpSocketDrops`). Each saves the value it changes and
/// its undo puts that value back.
std::vector<Fix> receiveDropFixes(const FixTarget &t);
std::vector<Fix> receiveDropFixes(const FixTarget &t, bool nicDrops, bool udpSocketDrops);

} // namespace ikev2wb
