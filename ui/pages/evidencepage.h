#pragma once
// Evidence page of one capture: the imported host evidence files (kind, host, parse warnings),
// the counter deltas between before/after snapshots (drop and error counters flagged), and a
// timeline with charon log events placed on the capture's time axis over its ESP/IKE activity.
// The evidence set is owned by CapturePage and shared with the Checklist page; this page asks
// for an import (importRequested) and shows what it is given. Flattening the set and counting
// the capture's packets per second run on workers (JobTrackers: a newer import drops the older).
#include "loader/jobtracker.h"
#include "sharedtypes.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QToolButton;
class QTreeWidget;

namespace ikev2wb {
class EvidenceSet;
}

namespace ikev2wb::ui {

class CounterDeltaModel;
class CounterFilterProxy;
class EvidenceTimeline;
class LogEventModel;
struct EvidenceRows;

class EvidencePage final : public QWidget
{
    Q_OBJECT
public:
    explicit EvidencePage(QWidget *parent = nullptr);
    ~EvidencePage() override;

    /// The capture whose time axis and activity the timeline shows.
    void setCapture(IndexPtr index);
    /// Shows an evidence set (null: none imported); `warnings` are read errors of whole paths.
    void setEvidence(std::shared_ptr<const EvidenceSet> evidence, const QStringList &warnings = {});
    /// Seconds added to the host's log times to place them on the capture's clock.
    void setClockOffset(double seconds);
    [[nodiscard]] double clockOffset() const;

    [[nodiscard]] CounterDeltaModel *counterModel() const { return m_counters; }
    [[nodiscard]] CounterFilterProxy *counterProxy() const { return m_counterProxy; }
    [[nodiscard]] LogEventModel *logModel() const { return m_log; }
    [[nodiscard]] EvidenceTimeline *timeline() const { return m_timeline; }
    [[nodiscard]] QTreeWidget *fileList() const { return m_files; }
    [[nodiscard]] bool isBusy() const { return m_rowsJobs.isRunning() || m_activityJobs.isRunning(); }

Q_SIGNALS:
    /// The user picked evidence files or a collect folder to import.
    void importRequested(const QStringList &paths);
    /// The rows of a new evidence set are on the page.
    void evidenceShown();

private:
    void applyRows(const EvidenceRows &rows);
    void updateMarkers();
    void updateStatus();
    void importFiles();
    void importFolder();

    IndexPtr m_index;
    std::shared_ptr<const EvidenceSet> m_evidence;
    QStringList m_warnings;
    JobTracker m_rowsJobs;
    JobTracker m_activityJobs;

    QLabel *m_status = nullptr;
    QToolButton *m_import = nullptr;
    QDoubleSpinBox *m_offset = nullptr;
    QTreeWidget *m_files = nullptr;
    QLineEdit *m_filter = nullptr;
    QCheckBox *m_onlyChanged = nullptr;
    CounterDeltaModel *m_counters = nullptr;
    CounterFilterProxy *m_counterProxy = nullptr;
    QTableView *m_counterView = nullptr;
    EvidenceTimeline *m_timeline = nullptr;
    LogEventModel *m_log = nullptr;
    QSortFilterProxyModel *m_logProxy = nullptr;
    QTableView *m_logView = nullptr;
};

} // namespace ikev2wb::ui
