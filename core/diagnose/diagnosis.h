#pragma once
// Value types of the guided checklist: the six steps, ranked findings, the evidence behind
// them (with references into captures, counters and logs) and the fix snippets.
#include "compare/pairtotals.h"
#include "compare/peertunnel.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace ikev2wb {

/// Where a snippet goes; selects the shell or config syntax.
enum class FixKind : std::uint8_t {
    Iptables,
    Nftables,
    IpLink,
    Sysctl,
    Ethtool,
    Swanctl,
    IpsecConf,
    StrongswanConf,
    ClientSettings // what to set on a remote-access client (Windows, macOS/iOS, Android): prose
};
/// "iptables", "nftables", "ip_link", "sysctl", "ethtool", "swanctl", "ipsec_conf", "strongswan_conf",
/// "client".
const char *fixKindName(FixKind kind);
/// Shell commands can go into the fix script as commands; config snippets are printed with
/// the file they belong in.
[[nodiscard]] bool fixIsShell(FixKind kind);

/// One generated change with the real values filled in.
struct Fix
{
    FixKind kind = FixKind::Sysctl;
    QString title;
    QString text;     // the commands or the config snippet
    QString changes;  // what it changes
    QString tradeoff; // what it costs or weakens
    QString verify;   // how to see that it worked
    QString undo;     // how to take it back
};

/// Where a piece of evidence comes from. Unset members are -1 / 0 / empty.
struct EvidenceRef
{
    QString source;           // capture or evidence file
    std::int64_t packet = -1; // 1-based packet number in `source`
    std::int64_t timeNs = -1;
    std::uint32_t spi = 0;
    bool hasSpi = false;
    QString counter; // e.g. "XfrmInStateSeqError +25"
    QString logLine; // the raw log line
    int line = 0;    // its line number in `source`
    [[nodiscard]] bool empty() const
    {
        return packet < 0 && timeNs < 0 && !hasSpi && counter.isEmpty() && logLine.isEmpty();
    }
};

struct EvidenceItem
{
    QString text;
    EvidenceRef ref;
};

enum class StepStatus : std::uint8_t { Pass, NotEnoughEvidence, Warn, Fail };
/// "pass", "not_enough_evidence", "warn", "fail".
const char *stepStatusName(StepStatus s);
/// Order for ranking: fail > warn > not enough evidence > pass.
int stepStatusSeverity(StepStatus s);

/// One cause the rules found, with what backs it and what to change.
struct Finding
{
    QString cause; // stable identifier, e.g. "mtu_blackhole"
    int step = 0;  // 1..6
    QString title;
    StepStatus status = StepStatus::Warn;
    double confidence = 0; // 0..1
    std::vector<EvidenceItem> evidence;
    QStringList collectNext; // what would make it surer
    std::vector<Fix> fixes;
};

/// One of the six checklist steps.
struct ChecklistStep
{
    int number = 0;
    QString title;
    StepStatus status = StepStatus::NotEnoughEvidence;
    double confidence = 0;
    std::vector<EvidenceItem> evidence;
    QStringList collectNext;
    std::vector<Fix> fixes;
    QStringList causes; // findings of this step
};

/// One direction of a capture pair judged with its receiving host's own anti-replay window.
struct DirectionReplayWindow
{
    QString from, to;         // outer addresses (or capture names)
    QString receiver;         // "host 'right' (10.0.2.1)", "the receiver 10.0.2.1"
    std::uint32_t window = 0; // packets; 0: the check is off
    bool assumed = true;      // no evidence of the receiver names it
    QString basis; // "read from ip xfrm state (0x…) of host 'right' (10.0.2.1): 16", "assumed 32 (default)"
    bool emulated = false;   // the receiver's capture carried ESP of this direction
    std::uint64_t drops = 0; // of those packets, the ones that window drops
};

/// The receiver replay window and NAT UDP timeout the diagnosis worked with, and whether host
/// evidence named them or they were assumed (Preferences, command line, defaults).
struct DiagnosisBasis
{
    std::uint32_t replayWindow = 0;
    bool replayWindowAssumed = true;
    QString replayWindowBasis;     // "assumed 32 (Preferences)", "read from ip xfrm state (0x…): 16"
    bool replayEmulated = false;   // a capture carried ESP to emulate the window on
    std::uint64_t replayDrops = 0; // captured ESP packets that window would drop
    // A pair: each direction with its own receiver's window (the fields above are those of the
    // direction with the most anti-replay trouble); empty for one capture.
    std::vector<DirectionReplayWindow> replayWindows;
    double natUdpTimeoutS = 0;
    bool natUdpTimeoutAssumed = true;
    QString natUdpTimeoutBasis;
    // The path MTU every view shows, with its provenance (decidePathMtu in facts.h).
    std::uint32_t pathMtu = 0;                      // 0: nothing proven
    QString pathMtuSource = QStringLiteral("none"); // "probe", "icmp", "link_mtu", "proven_delivered", "none"
    QString pathMtuText;   // "largest outer packet proven delivered: 1200 bytes (packet #123 …)"
    QString pathMtuRefine; // the ping / ikev2wb probe command that would measure it
};

struct Diagnosis
{
    QStringList inputs;               // captures and evidence paths used
    std::vector<ChecklistStep> steps; // always six, in order
    std::vector<Finding> findings;    // ranked, most likely cause first
    QStringList notes;                // assumptions (placeholders, estimated suite, ...)
    DiagnosisBasis basis;
    std::vector<PairDirectionTotals> pairDirections; // a pair: both directions' totals; else empty
    PeerTunnel peerTunnel;  // a pair: how B's tunnels were judged against A (CompareResult::peerTunnel)
    PeerTunnel ownTunnel;   // a pair: how A's tunnels were judged against B (CompareResult::ownTunnel)
    bool cancelled = false; // the run was cancelled: everything above is empty, drop it
};

} // namespace ikev2wb
