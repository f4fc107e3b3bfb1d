#pragma once
// Checklist page: the guided diagnosis of one capture (core/diagnose). Top: the ranked
// findings with a headline for the most likely cause. Left: the six steps with their status.
// Right: the evidence of the selected step or finding (an item that names a packet of this
// capture jumps to it) and its fixes, each a highlighted read-only snippet with a Copy button.
// The page owns its controller: the diagnosis runs on a worker (a JobTracker), re-runs when the
// engineer imports host evidence or changes the Preferences' assumptions (replay window, NAT
// timeout: inputs of the diagnosis), and its JobTracker drops results that were superseded.
#include "diagnose/facts.h"
#include "loader/jobtracker.h"
#include "models/checklistmodel.h"
#include "sharedtypes.h"

#include <QTimer>
#include <QWidget>

#include <memory>

class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QScrollArea;
class QTableView;
class QToolButton;
class QTreeView;
class QVBoxLayout;

namespace ikev2wb {
class EvidenceSet;
struct CompareResult;
struct EspDirections;
} // namespace ikev2wb

namespace ikev2wb::ui {

class SnippetHighlighting;

class ChecklistPage final : public QWidget
{
    Q_OBJECT
public:
    explicit ChecklistPage(QWidget *parent = nullptr);
    ~ChecklistPage() override;

    /// Runs the diagnosis of this capture (plus any imported evidence) on a worker.
    void setData(IndexPtr index, AnalysisPtr analysis);
    /// The peer's capture of a pair (its index, analysis, the comparison of the two ends and its
    /// file name): the diagnosis then reads both captures, as `ikev2wb diagnose --capture A
    /// --peer-capture B` does. Either part may arrive first; each arrival re-runs it.
    void setPeer(IndexPtr index, AnalysisPtr analysis, const QString &name);
    void setComparison(std::shared_ptr<const CompareResult> comparison);
    /// Adds host evidence (files or `ikev2wb collect` folders) and re-runs the diagnosis.
    void addEvidencePaths(const QStringList &paths);
    /// Writes core's fixScript() of the current diagnosis; false with `error` naming the file.
    bool exportFixScript(const QString &path, QString *error = nullptr);

    [[nodiscard]] const DiagnosisPtr &diagnosis() const { return m_diagnosis; }
    /// Capture A's ESP per direction, computed with the diagnosis (its replay window).
    [[nodiscard]] const std::shared_ptr<const EspDirections> &espDirections() const { return m_directions; }
    /// Capture B's, computed with the same diagnosis (a pair), else null.
    [[nodiscard]] const std::shared_ptr<const EspDirections> &peerEspDirections() const
    {
        return m_peerDirections;
    }
    [[nodiscard]] bool isBusy() const { return m_jobs.isRunning(); }
    /// Fix widgets of the selection not added yet (one is added per event-loop turn while visible).
    [[nodiscard]] bool fixesPending() const { return m_nextFix < m_pendingFixes.size(); }
    [[nodiscard]] ChecklistModel *checklistModel() const { return m_steps; }
    [[nodiscard]] FindingsModel *findingsModel() const { return m_findings; }
    [[nodiscard]] QString headline() const;
    /// Shows the details (evidence, fixes) of finding `row` (0 = most likely) or of step 1..6.
    void showFinding(int row);
    void showStep(int number);
    /// The Preferences' assumed receiver replay window and NAT UDP timeout: inputs of the
    /// diagnosis wherever the imported evidence does not name them. A change re-runs it.
    void setAssumptions(int replayWindow, int natUdpTimeoutS);
    [[nodiscard]] QString assumptionsText() const;

Q_SIGNALS:
    /// An evidence item naming packet `packet` (0-based) of this capture was clicked.
    void packetRequested(quint64 packet);
    /// A new diagnosis is on the page.
    void diagnosisChanged();
    /// The evidence set the diagnosis used (parsed on the worker; null without any imported
    /// paths) and read errors of whole paths. CapturePage shares it with the Evidence page.
    void evidenceChanged(std::shared_ptr<const ikev2wb::EvidenceSet> evidence, const QStringList &warnings);
    void failed(const QString &message);

public:
    /// What one run of the diagnosis takes: the tab's parts, the evidence paths, the assumptions.
    struct DiagnosisRun
    {
        IndexPtr index;
        AnalysisPtr analysis;
        IndexPtr peerIndex; // with peerAnalysis and comparison: a pair
        AnalysisPtr peerAnalysis;
        std::shared_ptr<const CompareResult> comparison;
        QStringList paths;
        DiagnosisAssumptions assumptions;
    };
    struct Result
    {
        DiagnosisPtr diagnosis;
        std::shared_ptr<const EspDirections> directions;     // capture A's, for the diagnosis' replay window
        std::shared_ptr<const EspDirections> peerDirections; // capture B's (a pair), else null
        std::shared_ptr<const EvidenceSet> evidence;
        QStringList warnings;
        bool cancelled = false; // the job's cancel flag stopped it: nothing to show
    };
    /// The diagnosis job's work, on a worker: the same Investigation the CLI's diagnose builds.
    /// Polls the job's cancel flag before each evidence path and before diagnosing (a superseded
    /// run stops there); job.items counts the evidence paths read.
    static Result runDiagnosis(const DiagnosisRun &run, Job &job);

private:
    struct Detail
    {
        QString heading;
        StepStatus status = StepStatus::NotEnoughEvidence;
        double confidence = 0;
        const std::vector<EvidenceItem> *evidence = nullptr;
        const QStringList *collectNext = nullptr;
        const std::vector<Fix> *fixes = nullptr;
    };

    void rerun();
    void apply(const Result &result);
    void showDetail(const Detail &detail);
    QWidget *fixWidget(const Fix &fix, QWidget *parent);
    void evidenceClicked(QListWidgetItem *item);
    void importFiles();
    void importFolder();
    void exportClicked();
    void updateHeadline();
    void updateAssumptions();
    /// Adds the next of m_pendingFixes' widgets; the timer calls it again while fixes remain.
    void addNextFix();
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

    IndexPtr m_index;
    AnalysisPtr m_analysis;
    IndexPtr m_peerIndex;
    AnalysisPtr m_peerAnalysis;
    std::shared_ptr<const CompareResult> m_comparison;
    QString m_peerName;
    QStringList m_evidencePaths;
    std::shared_ptr<const EvidenceSet> m_evidence;
    DiagnosisPtr m_diagnosis;
    std::shared_ptr<const EspDirections> m_directions;
    std::shared_ptr<const EspDirections> m_peerDirections;
    QString m_captureName;
    JobTracker m_jobs;        // the diagnosis
    int m_replayWindow = 0;   // assumed (Preferences)
    int m_natUdpTimeoutS = 0; // assumed (Preferences)
    std::unique_ptr<SnippetHighlighting> m_highlighting;

    ChecklistModel *m_steps = nullptr;
    FindingsModel *m_findings = nullptr;
    QLabel *m_headline = nullptr;
    QLabel *m_headlineDetail = nullptr;
    QLabel *m_evidenceStatus = nullptr;
    QLabel *m_assumptions = nullptr;
    QToolButton *m_import = nullptr;
    QPushButton *m_export = nullptr;
    QTableView *m_findingsView = nullptr;
    QTreeView *m_stepsView = nullptr;
    QLabel *m_detailHeading = nullptr;
    QListWidget *m_evidenceList = nullptr;
    QLabel *m_collectNext = nullptr;
    QScrollArea *m_fixScroll = nullptr;
    QWidget *m_fixContainer = nullptr;
    QVBoxLayout *m_fixLayout = nullptr;
    int m_detailFinding = 0; // what the right side shows: finding row, or −step number
    // The selection's fixes still to be shown, one widget per turn while the page is visible.
    std::vector<Fix> m_pendingFixes;
    std::size_t m_nextFix = 0;
    QTimer m_fixTimer;
};

} // namespace ikev2wb::ui
