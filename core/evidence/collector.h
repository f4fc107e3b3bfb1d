#pragma once
// `ikev2wb collect`: gathers host evidence from the local machine into a folder that
// EvidenceSet reads: kernel counters, XFRM state and policies (keys redacted), interface
// statistics and offloads, sysctl values, swanctl status, strongSwan configuration (secrets
// redacted) and charon logs. Never copies ipsec.secrets or private keys.
#include <QString>
#include <QStringList>

#include <vector>

namespace ikev2wb {

struct CollectOptions
{
    /// Created with mode 0700; if it exists it must be an empty folder of the caller's that is
    /// not group/world-writable. Empty: a new ikev2wb-evidence-<UTC time>-<random> folder in the
    /// current folder.
    QString outDir;
    QString rootDir = QStringLiteral("/"); // where etc/ and var/log/ are looked up (tests use a fake tree)
    int commandTimeoutMs = 15000;
    bool runCommands = true; // ip, ethtool, swanctl, sysctl, journalctl
    bool readProc = true;    // /proc/net/xfrm_stat, snmp, snmp6
};

/// One source and what happened to it.
struct CollectItem
{
    QString source; // "ip -s -s xfrm state", "/proc/net/xfrm_stat", "/etc/swanctl/swanctl.conf"
    QString file;   // relative path in the output folder; empty when nothing was written
    bool ok = false;
    QString note;    // why it failed ("needs root", "command not found", ...) or what was redacted
    QString program; // commands: the absolute path that was run (empty if none was found)
};

struct CollectResult
{
    QString outDir;
    QString error; // set when the output folder could not be made; nothing was collected
    std::vector<CollectItem> items;
    [[nodiscard]] bool ok() const { return error.isEmpty(); }
};

CollectResult collectEvidence(const CollectOptions &options);

/// Folders external commands are taken from when running as root; $PATH is not used then.
QStringList rootCommandFolders();

/// Absolute path of the program `name`: as root only from rootCommandFolders(), otherwise
/// from $PATH and then the sbin folders. Empty if not found.
QString resolveCollectCommand(const QString &name);

/// The sysctl names collect asks for.
QStringList collectSysctlNames();

/// Turns a failed command's exit status and stderr into a short reason, e.g.
/// "needs root (RTNETLINK answers: Operation not permitted)".
QString describeCommandFailure(int exitCode, const QByteArray &stderrText);

} // namespace ikev2wb
