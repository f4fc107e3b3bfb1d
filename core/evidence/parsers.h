#pragma once
// One parser per evidence kind. Each takes the file's text (already capped by readEvidenceText)
// and the file name for messages; on the wrong kind of file it sets status.error to a sentence
// naming the file and what was expected, and returns what it could read.
#include "evidencetypes.h"

#include <QByteArray>
#include <QByteArrayView>

class QIODevice;

namespace ikev2wb {

/// Limits that keep hostile input bounded.
struct TextLimits
{
    qint64 maxFileBytes = 64LL * 1024 * 1024; // larger files are read up to here, with a warning
    int maxLineLength = 64 * 1024;            // longer lines are cut, with a warning
    int maxLines = 2'000'000;
    /// Why maxFileBytes is what it is, for the warning when a file is cut ("the evidence
    /// budget of one load is spent"); empty: the per-file cap.
    QString capReason;
};

/// Reads at most limits.maxFileBytes of a file; an unreadable file sets status.error.
QByteArray readEvidenceText(const QString &path, ParseStatus &status, const TextLimits &limits = {});
/// The same from an open device; `name` is the file name for messages.
QByteArray readEvidenceText(QIODevice &device, const QString &name, ParseStatus &status,
                            const TextLimits &limits = {});

/// Splits text into lines (LF or CRLF) under the limits. Text with NUL bytes, or mostly
/// non-printable bytes, is binary: status.error is set and no lines are returned.
std::vector<QByteArrayView> splitEvidenceLines(QByteArrayView text, const QString &fileName,
                                               ParseStatus &status, const TextLimits &limits = {});

XfrmStat parseXfrmStat(QByteArrayView text, const QString &fileName, ParseStatus &status);
XfrmStateList parseXfrmState(QByteArrayView text, const QString &fileName, ParseStatus &status);
XfrmPolicyList parseXfrmPolicy(QByteArrayView text, const QString &fileName, ParseStatus &status);
LinkStatsList parseIpLink(QByteArrayView text, const QString &fileName, ParseStatus &status);
/// `ikev2wb probe HOST --json` (schema ikev2wb.probe/1): target, path_mtu, pmtud, limited_by_max.
ProbeResult parseProbeResult(QByteArrayView text, const QString &fileName, ParseStatus &status);
EthtoolStats parseEthtoolStats(QByteArrayView text, const QString &fileName, ParseStatus &status);
EthtoolFeatures parseEthtoolFeatures(QByteArrayView text, const QString &fileName, ParseStatus &status);
SnmpCounters parseSnmp(QByteArrayView text, const QString &fileName, ParseStatus &status);
SnmpCounters parseSnmp6(QByteArrayView text, const QString &fileName, ParseStatus &status);
SysctlValues parseSysctl(QByteArrayView text, const QString &fileName, ParseStatus &status);

SwanctlSaList parseSwanctlListSas(QByteArrayView text, const QString &fileName, ParseStatus &status);
SwanctlConnList parseSwanctlListConns(QByteArrayView text, const QString &fileName, ParseStatus &status);
/// swanctl.conf and strongswan.conf share one syntax; kind selects what connections mean.
ConfigFile parseStrongswanStyleConf(QByteArrayView text, const QString &fileName, EvidenceKind kind,
                                    ParseStatus &status);
ConfigFile parseIpsecConf(QByteArrayView text, const QString &fileName, ParseStatus &status);

/// Charon file log (with or without timestamps), syslog or journal lines. Lines of other
/// programs in a syslog are skipped.
CharonLog parseCharonLog(QByteArrayView text, const QString &fileName, ParseStatus &status);
/// Recognises one charon message (without time/thread/group prefix); Other if nothing known.
LogEvent classifyCharonMessage(const QString &message);

/// `iptables-save -c`, `ip6tables-save -c` (the family from the file name) or `nft [-a] list
/// ruleset`: every rule with its counters and the matches the diagnosis judges.
FirewallRuleset parseFirewall(QByteArrayView text, const QString &fileName, ParseStatus &status);
/// `conntrack -S`: the per-CPU counters summed.
ConntrackCounters parseConntrackStats(QByteArrayView text, const QString &fileName, ParseStatus &status);

/// Picks the parser from the first bytes of a file and its name; Unknown if nothing fits.
EvidenceKind detectEvidenceKind(const QByteArray &head, const QString &fileName);
/// Parses text of the given kind into the matching EvidenceData alternative.
EvidenceData parseEvidence(EvidenceKind kind, QByteArrayView text, const QString &fileName,
                           ParseStatus &status);

} // namespace ikev2wb
