#pragma once
// A set of host evidence files (a `collect` folder, a lab `stats/` folder, or single files),
// each parsed by kind, with before/after snapshots of the same counters paired into deltas.
#include "evidencetypes.h"

#include <QString>
#include <QStringList>

#include <map>
#include <utility>
#include <vector>

namespace ikev2wb {

/// When a snapshot was taken, from the file name ("-start", "-before", "-during", "-end", "-after").
enum class SnapshotPhase { None, Before, During, After };
QString snapshotPhaseName(SnapshotPhase phase);

/// One parsed file.
struct EvidenceFile
{
    QString path;
    EvidenceKind kind = EvidenceKind::Unknown;
    QString host;    // "left" from "left-xfrm_stat-start.txt", or the collect MANIFEST's host
    QString subject; // e.g. the interface of "ethtool-S-eth0.txt"
    SnapshotPhase phase = SnapshotPhase::None;
    int folder = 0; // order of the folder given to addPath; pairs unnamed snapshots
    // The capture whose endpoint this file describes when the user said so (diagnose
    // --evidence-a / --evidence-b): 0 = A, 1 = B; -1 = not assigned (matched by addresses).
    int captureSide = -1;
    ParseStatus status;
    EvidenceData data;
};

/// A file that was not read as evidence, and why.
struct SkippedFile
{
    QString path;
    QString reason;
    int captureSide = -1; // as EvidenceFile::captureSide
};

/// One counter in two snapshots. delta is after − before (negative: counter reset).
struct CounterDelta
{
    QString name;
    std::uint64_t before = 0;
    std::uint64_t after = 0;
    std::int64_t delta = 0;
    bool inBefore = true;
    bool inAfter = true;
};

/// The counters of one (host, kind, subject) in an earlier and a later snapshot.
struct SnapshotDelta
{
    QString host;
    EvidenceKind kind = EvidenceKind::Unknown;
    QString subject;
    QString beforePath;
    QString afterPath;
    std::vector<CounterDelta> counters; // every counter; see changed()
    [[nodiscard]] std::vector<CounterDelta> changed() const;
    [[nodiscard]] const CounterDelta *find(const QString &name) const;
};

/// Flattened counters of a parsed file ("XfrmInStateSeqError", "wan0.rx_dropped",
/// "0xcd95a8a5@10.0.2.1/replay-window", "Ip.FragFails"); empty for kinds without counters.
CounterMap evidenceCounters(const EvidenceFile &file);
/// The counter name of each rule of a firewall listing ("ipv4 filter FORWARD: -A FORWARD ... -j
/// DROP", "" for a rule without counters); evidenceCounters adds "/packets" and "/bytes".
QStringList firewallCounterKeys(const FirewallRuleset &fw);

/// Evidence is hostile input: only regular files are opened (FIFOs, sockets and devices are
/// refused from their stat, never opened for reading), each file (device + inode) is read once,
/// symbolic links inside a folder that lead out of it are not followed, and all files of one
/// set share a byte budget.
class EvidenceSet final
{
public:
    static constexpr qint64 DefaultByteBudget = 256LL * 1024 * 1024;
    explicit EvidenceSet(qint64 byteBudget = DefaultByteBudget) : m_byteBudget(byteBudget) {}

    /// Adds a file or a folder (read recursively, at most MaxFiles files). Returns false and
    /// sets error when the path cannot be read at all, or when a file named directly is not
    /// read as evidence (not a regular file, unreadable, not a recognised kind).
    /// `captureSide` (0 = A, 1 = B) tags every file as evidence of that capture's host.
    bool addPath(const QString &path, QString *error = nullptr, int captureSide = -1);
    /// Adds already-read text (tests, stdin).
    void addText(const QString &name, const QByteArray &text, int folder = 0);

    [[nodiscard]] const std::vector<EvidenceFile> &files() const { return m_files; }
    [[nodiscard]] const std::vector<SkippedFile> &skipped() const { return m_skipped; }
    [[nodiscard]] const QStringList &warnings() const { return m_warnings; }
    /// Before/after pairs: the earliest and the latest phase of each (host, kind, subject,
    /// captureSide);
    /// unnamed snapshots pair by folder order (first folder before, last after).
    [[nodiscard]] std::vector<SnapshotDelta> deltas() const;
    [[nodiscard]] const EvidenceFile *find(const QString &host, EvidenceKind kind, SnapshotPhase phase,
                                           const QString &subject = {}) const;

    static constexpr int MaxFiles = 5000;

private:
    /// Reads one file; returns why it was skipped (also in skipped()), empty when read.
    /// `root`: the canonical folder the file was found in (empty for a file named directly).
    QString addFile(const QString &path, int folder, const QString &manifestHost, const QString &root);
    QString skip(const QString &path, const QString &reason);
    std::vector<EvidenceFile> m_files;
    std::map<std::pair<quint64, quint64>, QString> m_seen; // (device, inode) → first path
    qint64 m_byteBudget;
    qint64 m_bytesRead = 0;
    std::vector<SkippedFile> m_skipped;
    int m_side = -1; // captureSide of the addPath call in progress
    QStringList m_warnings;
    int m_folders = 0;
};

} // namespace ikev2wb
