#pragma once
// One investigation of one tunnel: what the CLI's `diagnose` and `compare` and a GUI tab hold.
#include "analyze/analysis.h"
#include "analyze/espdirections.h"
#include "compare/endpointcompare.h"
#include "compare/peertunnel.h"
#include "diagnose/diagnosis.h"
#include "diagnose/facts.h"
#include "evidence/evidenceset.h"
#include "index/captureindex.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace ikev2wb {

/// The two ends of the tunnel: host A took capture A ("this" host), host B the peer's capture.
enum class Host : int { A = 0, B = 1 };

/// One capture's paths: a capture file, a folder, or several files read as one capture (a ring of
/// files). Takes a single path as it is (a QString or anything that converts to one).
struct CapturePaths : QStringList
{
    CapturePaths() = default;
    CapturePaths(const QStringList &paths) : QStringList(paths) {}
    template <typename T>
    requires std::is_convertible_v<T, QString> &&
        (!std::is_convertible_v<T, QStringList>)CapturePaths(T &&path)
        : QStringList{QString(std::forward<T>(path))}
    {
    }
};

/// The files of an investigation: capture A, optionally the peer's capture B, and host evidence
/// files or folders (assigned to a host, or matched to one by the addresses they name).
struct DiagnosisFiles
{
    CapturePaths captureA; // a capture file, a folder, or several files read as one capture (a ring)
    CapturePaths captureB; // the same of the peer; empty: none
    QStringList evidence;  // host evidence, assigned to A or B by the addresses it names
    QStringList evidenceA; // host evidence the user assigned to capture A's endpoint
    QStringList evidenceB; // ... to capture B's endpoint
    DiagnosisAssumptions assumptions;
    TunnelScope scopeA, scopeB; // the tunnel each capture's read is scoped to (inactive: all of it)
    /// TablesOnly: the captures are analysed and compared during their read, without per-packet
    /// records (what the CLI's `diagnose` needs; Investigation::openPair()).
    IndexContents contents = IndexContents::Records;
};

/// One investigation: capture A and optionally the peer's capture B, each read once into its
/// index and analysed; the comparison of the two indexes; host evidence per host; the
/// assumptions; and the diagnosis of all of it. The CLI and the GUI build this one object, so
/// they cannot judge the same files differently.
/// Build it on one thread (a worker may), then share it read-only (the parts are shared_ptrs
/// to const, so pages can keep what they show).
class Investigation final
{
public:
    using IndexPtr = std::shared_ptr<const CaptureIndex>;
    using AnalysisPtr = std::shared_ptr<const CaptureAnalysis>;
    using ComparePtr = std::shared_ptr<const CompareResult>;

    /// Reads `path` into host's index (the file's one read) and analyses it; drops the comparison
    /// and the diagnosis of the previous captures. False with `error` naming the file when it
    /// cannot be opened, or saying the read was cancelled. `contents` TablesOnly: analysed during
    /// the read (loadAndAnalyzeCapture()), the index keeps no per-packet records; what the
    /// diagnosis takes from single packets (a cited packet number, the suite's ESP lengths, the
    /// reordering a replay window is judged by) is noted by the analysis during that read.
    bool openCapture(Host host, const QString &path, QString *error, const ProgressFn &progress = {},
                     const std::atomic_bool *cancel = nullptr,
                     IndexContents contents = IndexContents::Records);
    /// The same for several files or folders read as one capture (loadCapture(QStringList)).
    bool openCapture(Host host, const QStringList &paths, QString *error, const ProgressFn &progress = {},
                     const std::atomic_bool *cancel = nullptr,
                     IndexContents contents = IndexContents::Records);
    /// Reads A and B side by side (each file once), analyses both and compares them: what a
    /// pair needs. B read without a tunnel given for it (scope(Host::B) inactive) and holding the
    /// IKE/ESP of several tunnels (a hub's) is judged against A first (peerTunnelOf(), what
    /// peerTunnel() then says): the one tunnel proven A's is read again alone (progress:
    /// ReadingTunnel, bytes of B) and becomes B's scope; not proven, B stays whole. The mirror
    /// likewise: A a hub's capture read whole, B a spoke's (ownTunnelOf(), ownTunnel()); both judged
    /// and read again by ikev2wb::readProvenTunnels(). `progress` gets (Reading,
    /// bytes of both files read, their size) from both reading threads, then (Comparing, ...) as
    /// compareCaptures() reports it. False with `error` naming the file that cannot be opened, or saying the
    /// work was cancelled; then the investigation is left as it was. `contents` TablesOnly: each capture
    /// analysed and observed for the comparison during its read (no per-packet records: memory grows with the
    /// ESP packets' 16-byte observations, not 32-byte records, and the comparison has no
    /// CompareResult::pairing); equal to the records' result otherwise.
    bool openPair(const QString &pathA, const QString &pathB, QString *error,
                  const CompareProgressFn &progress = {}, const std::atomic_bool *cancel = nullptr,
                  IndexContents contents = IndexContents::Records);
    /// The same with each side given as several files or folders read as one capture.
    bool openPair(const QStringList &pathsA, const QStringList &pathsB, QString *error,
                  const CompareProgressFn &progress = {}, const std::atomic_bool *cancel = nullptr,
                  IndexContents contents = IndexContents::Records);
    /// The tunnel the next read of host's capture is scoped to (openCapture(), openPair();
    /// inactive, the default: the whole capture).
    void setScope(Host host, const TunnelScope &scope) { m_scope[int(host)] = scope; }
    [[nodiscard]] const TunnelScope &scope(Host host) const { return m_scope[int(host)]; }
    /// Captures A and B, read (openCapture()) each whole where no scope was set for it: a capture
    /// holding the IKE/ESP of several tunnels is read again as the one tunnel proven the other's
    /// (ikev2wb::readProvenTunnels(): an IKE SA or two ESP SPIs shared; progress: ReadingTunnel),
    /// which becomes its scope and drops the comparison; else it stays as it is. What was judged is
    /// peerTunnel() and ownTunnel(). False with `error` when a second read fails or is cancelled.
    bool readProvenTunnels(const QStringList &pathsA, const QStringList &pathsB, QString *error,
                           const CompareProgressFn &progress = {}, const std::atomic_bool *cancel = nullptr);
    /// How openPair() or readProvenTunnels() judged B's tunnels (OneTunnel when B holds one, its
    /// tunnel was given, or it was not asked).
    [[nodiscard]] const PeerTunnel &peerTunnel() const { return m_tunnels[1]; }
    /// The mirror: how capture A's tunnels were judged against B (side 0).
    [[nodiscard]] const PeerTunnel &ownTunnel() const { return m_tunnels[0]; }
    /// A capture read elsewhere (with its analysis, or analysed here when null).
    void setCapture(Host host, IndexPtr index, AnalysisPtr analysis = {});
    /// Compares capture A with capture B from their indexes (no file is read). False when either
    /// capture is missing or `cancel` stopped it (the previous comparison is dropped).
    bool compare(const CompareOptions &options = {}, const CompareProgressFn &progress = {},
                 const std::atomic_bool *cancel = nullptr);
    /// A comparison of exactly these two captures' indexes, computed elsewhere (a GUI worker).
    void setComparison(ComparePtr comparison) { m_comparison = std::move(comparison); }
    /// Host evidence of host A or B, or (no host) of the host whose addresses it names. False
    /// with `error` when the path cannot be read at all; a file it cannot parse is a warning.
    bool addEvidence(const QString &path, std::optional<Host> host, QString *error);
    void setAssumptions(const DiagnosisAssumptions &assumptions) { m_assumptions = assumptions; }
    /// Diagnoses what is there: capture A, B and the comparison when both are in, the evidence
    /// (when any was added) and the assumptions. `cancel` (a worker's flag) is polled while the
    /// facts are derived; cancelled, the diagnosis is empty with `cancelled` set (drop it).
    const Diagnosis &diagnose(const std::atomic_bool *cancel = nullptr);

    [[nodiscard]] bool hasCapture(Host h) const { return bool(m_index[int(h)]); }
    [[nodiscard]] bool isPair() const { return hasCapture(Host::A) && hasCapture(Host::B); }
    [[nodiscard]] const IndexPtr &index(Host h) const { return m_index[int(h)]; }
    [[nodiscard]] const AnalysisPtr &analysis(Host h) const { return m_analysis[int(h)]; }
    [[nodiscard]] const ComparePtr &comparison() const { return m_comparison; }
    [[nodiscard]] const EvidenceSet &evidence() const { return m_evidence; }
    /// Evidence paths added, in order ("A=" / "B=" before those assigned to a host).
    [[nodiscard]] const QStringList &evidenceInputs() const { return m_evidenceInputs; }
    [[nodiscard]] const DiagnosisAssumptions &assumptions() const { return m_assumptions; }
    [[nodiscard]] const Facts &facts() const { return m_facts; }
    [[nodiscard]] const Diagnosis &diagnosis() const { return m_diagnosis; }
    /// ESP per direction of host's capture, anti-replay drops counted for the diagnosis' replay
    /// window (what the Overview and the reports show); filled by diagnose().
    [[nodiscard]] const EspDirections &espDirections(Host h) const { return m_espDirections[int(h)]; }
    /// Partial captures (where the read stopped) and evidence files that could not be parsed.
    [[nodiscard]] QStringList warnings() const;

private:
    TunnelScope m_scope[2];
    PairTunnels m_tunnels; // [0] A's, [1] B's, judged against the other
    IndexPtr m_index[2];
    AnalysisPtr m_analysis[2];
    ComparePtr m_comparison;
    EvidenceSet m_evidence;
    QStringList m_evidenceInputs;
    DiagnosisAssumptions m_assumptions;
    Facts m_facts;
    Diagnosis m_diagnosis;
    EspDirections m_espDirections[2];
};

/// What `ikev2wb diagnose` runs: opens capture A (and B), compares them, adds the evidence
/// (unassigned, then A's, then B's) and diagnoses. False with `error` naming the file when a
/// capture or an evidence path cannot be read at all.
bool diagnoseFiles(const DiagnosisFiles &files, Investigation &out, QString *error);

} // namespace ikev2wb
