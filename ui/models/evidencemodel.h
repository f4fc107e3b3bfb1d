#pragma once
// Models of imported host evidence: the counter deltas between before/after snapshots (with
// counters that count drops or errors flagged) and the charon log events. Rows are plain values
// built on a worker (evidenceRows()); the models only hold and format them.
#include "evidence/evidenceset.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace ikev2wb::ui {

/// True for counters that count dropped, refused or failed packets (every xfrm_stat counter,
/// rx_dropped, RcvbufErrors, FragFails, an SA's replay-window stat, ...). Takes the flattened
/// name of evidenceCounters(), e.g. "wan0.rx_dropped" or "0xcd95a8a5@10.0.2.1/replay-window".
bool isBadCounter(EvidenceKind kind, const QString &name);

/// One counter of one (host, kind, subject) pair of snapshots.
struct CounterRow
{
    QString host;
    EvidenceKind kind = EvidenceKind::Unknown;
    QString subject;
    CounterDelta counter;
    bool bad = false; // a bad counter that changed
};

/// One charon log event with where it came from and where it falls on the capture's axis.
struct LogRow
{
    QString host;
    QString file;
    LogEvent event;
    /// Seconds since the capture's first packet with a clock offset of 0; NaN without a time.
    double captureS = std::numeric_limits<double>::quiet_NaN();
};

/// Seconds of `time` (the host's wall clock) since the capture start `captureStartNs` (UTC ns).
/// A time without a year (syslog) takes the year of the capture's start; a known UTC offset is
/// applied, otherwise the host clock is taken as UTC (the lab's and most servers' setting).
double logTimeOnCapture(const LogTime &time, std::int64_t captureStartNs);

struct EvidenceRows
{
    std::vector<CounterRow> counters;
    std::vector<LogRow> logEvents;
    bool cancelled = false; // `cancel` stopped it: the rows are incomplete
};
/// Flattens an evidence set for the models (run on a worker: deltas() pairs every snapshot).
/// `cancel` is polled before each pair of snapshots and each log file; `walked` (when given)
/// counts the snapshot pairs and log events turned into rows.
EvidenceRows evidenceRows(const EvidenceSet &evidence, std::int64_t captureStartNs,
                          const std::atomic_bool *cancel = nullptr, std::atomic<quint64> *walked = nullptr);

class CounterDeltaModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ColHost, ColSource, ColCounter, ColBefore, ColAfter, ColDelta, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, BadRole, ChangedRole };

    explicit CounterDeltaModel(QObject *parent = nullptr);
    void setRows(std::vector<CounterRow> rows);
    [[nodiscard]] const CounterRow &row(int r) const { return m_rows[std::size_t(r)]; }
    /// Row of counter `name` of `host` (any kind), -1 if absent.
    [[nodiscard]] int find(const QString &host, const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<CounterRow> m_rows;
};

/// Text filter over every column plus "only counters that changed" and "only counters not zero"
/// (after: an error counter that grew before the first snapshot is non-zero but unchanged).
class CounterFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit CounterFilterProxy(QObject *parent = nullptr);
    void setOnlyChanged(bool on);
    [[nodiscard]] bool onlyChanged() const { return m_onlyChanged; }
    void setOnlyNonZero(bool on);
    [[nodiscard]] bool onlyNonZero() const { return m_onlyNonZero; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool m_onlyChanged = true;
    bool m_onlyNonZero = false;
};

/// Where a log event goes on the timeline; None: listed, not drawn.
enum class LogMarker { None = -1, Retransmit, Dpd, Rekey, Nat, Delete, Failure, Count_ };
LogMarker logMarkerOf(LogEventKind kind);
QString logMarkerName(LogMarker marker);

class LogEventModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ColTime, ColCaptureTime, ColHost, ColKind, ColMessage, ColLine, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, KindRole, MarkerRole, CaptureSecondsRole };

    explicit LogEventModel(QObject *parent = nullptr);
    void setRows(std::vector<LogRow> rows);
    /// The capture's first packet (UTC ns): what the Capture time column counts from, and the
    /// base of its dates under View ▸ Time Display (UTC / local).
    void setCaptureStart(std::int64_t ns);
    /// Seconds added to every log time to bring the host clock onto the capture's clock.
    void setClockOffset(double seconds);
    [[nodiscard]] double clockOffset() const { return m_offsetS; }
    [[nodiscard]] const std::vector<LogRow> &rows() const { return m_rows; }
    /// The capture-axis seconds of row `r` with the offset applied (NaN without a time).
    [[nodiscard]] double captureSeconds(int r) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<LogRow> m_rows;
    std::int64_t m_startNs = 0;
    double m_offsetS = 0;
};

} // namespace ikev2wb::ui
