#pragma once
// The two ends of a tunnel side by side: which endpoint each capture is, the clock offset, per
// direction sent / received / lost (table), a shared timeline with every packet lost in
// transit marked at the time it was sent, the one-way delay below it, loss by packet size and
// the comparison's notes. The chart data is extracted in a worker thread.
#include "loader/pairloader.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;

namespace ikev2wb::ui {

class CompareChart;
class DirectionModel;

class ComparePage final : public QWidget
{
    Q_OBJECT
public:
    explicit ComparePage(ComparePtr result, QWidget *parent = nullptr);
    ~ComparePage() override;
    [[nodiscard]] const ComparePtr &result() const { return m_result; }
    [[nodiscard]] DirectionModel *directionModel() const { return m_model; }
    [[nodiscard]] CompareChart *chart() const { return m_chart; }
    /// True once the timeline has its data (extracted in the background).
    [[nodiscard]] bool isChartReady() const;
    /// Adds a note about how the two captures were taken (e.g. a live capture's start skew),
    /// shown first among the notes.
    void addCaptureNote(const QString &note);
    [[nodiscard]] QString notesText() const;

Q_SIGNALS:
    void chartReady();
    /// The header's "Open all of …" of a capture compared as one of its tunnels (side 0 = A, 1 = B).
    void wholeCaptureRequested(int side);

private:
    void fillHeader();
    void fillSizeTable();
    void fillNotes();

    ComparePtr m_result;
    QLabel *m_verdict = nullptr;
    QLabel *m_sides = nullptr;
    QLabel *m_tunnels = nullptr; // a capture compared as one of its tunnels (a hub's)
    QLabel *m_clock = nullptr;
    DirectionModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    CompareChart *m_chart = nullptr;
    QLabel *m_sizeVerdict = nullptr;
    QTableWidget *m_sizeTable = nullptr;
    QPlainTextEdit *m_notes = nullptr;
    QStringList m_captureNotes;
};

} // namespace ikev2wb::ui
