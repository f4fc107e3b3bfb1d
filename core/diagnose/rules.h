#pragma once
// The checklist rules: each a small function Facts → optional Finding, registered in one table
// with its cause identifier and checklist step. A rule only reads Facts, so each is tested on
// hand-built Facts (tests/tst_rules.cpp).
#include "diagnosis.h"
#include "facts.h"

#include <optional>
#include <vector>

namespace ikev2wb {

using RuleFn = std::optional<Finding> (*)(const Facts &);

struct Rule
{
    const char *cause; // stable identifier, also Finding::cause
    int step;          // 1..6
    RuleFn fn;
};

/// Every rule, in checklist order.
const std::vector<Rule> &checklistRules();
/// The rule for a cause, or null.
const Rule *findRule(const QString &cause);

/// The six steps' titles ("Capture at both endpoints and compare", ...), 1-based.
QString stepTitle(int step);

// Individual rules (also reachable through the table).
std::optional<Finding> ruleMtuBlackhole(const Facts &f);
std::optional<Finding> rulePathMtuReduced(const Facts &f);
std::optional<Finding> ruleIkeFragmentation(const Facts &f);
std::optional<Finding> ruleIkeConfigMismatch(const Facts &f);
std::optional<Finding> ruleSaMissingOrExpired(const Facts &f);
std::optional<Finding> ruleIpsecBypassed(const Facts &f);
std::optional<Finding> rulePacketLossInTransit(const Facts &f);
std::optional<Finding> rulePeerUnreachable(const Facts &f);
/// One capture at this end: nothing came from the peer for the rest of the capture while this
/// host's ESP to it went on (Facts::peerSilence); the cause is not known, so no fix.
std::optional<Finding> rulePeerSilent(const Facts &f);
std::optional<Finding> ruleNatMappingExpiry(const Facts &f);
std::optional<Finding> ruleIkeRetransmissions(const Facts &f);
std::optional<Finding> ruleAntireplayReordering(const Facts &f);
std::optional<Finding> ruleEspBlocked(const Facts &f);
std::optional<Finding> ruleFirewallReject(const Facts &f);
/// A DROP/REJECT rule of a host's firewall listing whose counters show it takes the tunnel's
/// IKE or ESP (firewall_drop); iptables: ACCEPT rules for the two ends inserted before it.
std::optional<Finding> ruleFirewallDrop(const Facts &f);
std::optional<Finding> ruleEspDroppedByReceiver(const Facts &f);
std::optional<Finding> ruleOffloadOrCrypto(const Facts &f);
std::optional<Finding> ruleHostReceiveDrops(const Facts &f);

/// Keep-alive interval the NAT fix proposes and the bound it is derived from (known NAT
/// timeout, or the idle time after which the mapping was gone). `known` false for a bound.
int natKeepaliveFor(const Facts &f, double *bound = nullptr, bool *known = nullptr);
/// Replay window the anti-replay fix proposes: above the one in use, at most kMaxReplayWindow;
/// 0 when no larger window can be configured.
std::uint64_t replayWindowFor(const Facts &f);

/// Loss of one direction: Pass (a note: one or two packets), Warn, or Fail (at least 10 lost
/// and 0.5 % of what was sent).
StepStatus lossSeverity(std::uint64_t lost, std::uint64_t of);
/// "12.34": `n` of `of` in per cent, two decimals.
QString percent(std::uint64_t n, std::uint64_t of);
/// One line for the sequence numbers missing on one direction at one capture point.
QString seqGapText(const SeqGapFacts &g);

} // namespace ikev2wb
