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
    QString remoteSubnet;   // empty: rules match all TCP through the interface
    int interfaceMtu = 0;   // current MTU of wanInterface, 0 unknown (undo says 1500)
    bool ipsecConf = false; // legacy ipsec.conf instead of swanctl.conf
    /// Values the evidence gave that failed validation (shellquote.h) and were replaced by the
    /// placeholder: one line each, the value shown escaped ("connection name 'a$(…)' from the
    /// evidence is not a valid swanctl name: left as <connection>").
    QStringList rejected;
    // Route-based tunnel (XFRM interface / VTI): MTU and MSS clamp go on the tunnel interface.
    bool routeBased = false;
    QString tunnelInterface = QStringLiteral("<tunnel-interface>");
    QString gateway = QStringLiteral("<gateway>"); // next hop towards the peer, "" = directly connected
    bool peerHostRoute = false; // a host route to the peer exists already (undo restores, not deletes)
    bool outerIpv6 = false;
};
/// The target from the facts: every name and address validated (shellquote.h), placeholders
/// where a value is unknown or was rejected (then `rejected` says why).
FixTarget fixTarget(const Facts &f);
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
/// The smallest power of two ≥ max(2 × minSafe, 64): headroom over what was measured.
std::uint64_t recommendedReplayWindow(std::uint64_t minSafe);

/// `keepaliveS` to configure; `natTimeoutS` the NAT's UDP timeout (or the idle time after which
/// the mapping was gone, `timeoutMeasured` false).
std::vector<Fix> natKeepaliveFixes(const FixTarget &t, int keepaliveS, double natTimeoutS, bool timeoutKnown);
/// Where the NAT timeout of the keepalive fix comes from: the NAT's sysctl, the idle time after
/// which the mapping was gone (an upper bound), or the engineer's assumption (Preferences/CLI).
enum class NatTimeoutBasis : std::uint8_t { Known, IdleBound, Assumed };
std::vector<Fix> natKeepaliveFixes(const FixTarget &t, int keepaliveS, double natTimeoutS,
                                   NatTimeoutBasis basis);
/// Keep-alive for a NAT whose UDP timeout is known (`known`) or only bounded above by an idle
/// gap after which the mapping was gone: below a third of the bound, at most strongSwan's 20 s.
int recommendedKeepalive(double timeoutOrBoundS, bool known);

/// Total time strongSwan spends on one request: Σ_{k=0..tries} timeout·base^k.
double retransmitTotalS(int tries, double timeoutS, double base);
/// Retransmission settings that ride out an outage of `outageS` seconds (≥ 1.5 × it, at least
/// the defaults), DPD and restart so the tunnel comes back by itself.
std::vector<Fix> peerUnreachableFixes(const FixTarget &t, double outageS);
/// Retransmission / lifetime settings when IKE messages got lost.
std::vector<Fix> ikeRetransmissionFixes(const FixTarget &t, std::uint32_t retransmissions, double rekeyTimeS);
/// Let ESP through a filter, or wrap it in UDP 4500 (`tunnelMtuNatT` for the new MTU).
std::vector<Fix> espBlockedFixes(const FixTarget &t, int tunnelMtuNatT, int pathMtu);
/// Offload off for diagnosis.
std::vector<Fix> offloadFixes(const FixTarget &t);
/// Receive drops on the host: rings and backlog.
std::vector<Fix> receiveDropFixes(const FixTarget &t);

/// One bash script with every fix of the diagnosis, nothing run without review: see fixes.cpp.
QString fixScript(const Diagnosis &d);

} // namespace ikev2wb
