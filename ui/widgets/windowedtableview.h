#pragma once
// A QTableView over a model of millions of rows that hands the view only the rows that fit.
// QHeaderView keeps one 8-byte section per row of its model, hidden or not, whatever the resize
// mode (76–134 MiB at 10M packets): here the view's model is a window of the rows on screen over
// the source model, and the view's vertical scroll bar spans every source row (its value is the
// first row shown). Selection and current row live here in source rows, so a selection, the
// anchor of Shift+click and the current row survive the window moving; the window's own
// selection model only mirrors the part on screen. Keys, wheel, scroll-bar drag and clicks act
// as on a plain QTableView (ScrollPerItem), also across the window's edges.
#include "widgets/rowranges.h"

#include <QItemSelection>
#include <QTableView>
#include <QTimer>

namespace ikev2wb::ui {

class RowWindowModel;

class WindowedTableView final : public QTableView
{
    Q_OBJECT
public:
    explicit WindowedTableView(QWidget *parent = nullptr);
    ~WindowedTableView() override;

    /// Shows `source` (a flat table model) through the window; replaces any model set before.
    void setSourceModel(QAbstractItemModel *source);
    [[nodiscard]] QAbstractItemModel *sourceModel() const { return m_source; }
    /// The source index of an index of the view's model (the window), and back (invalid when
    /// the row is not in the window).
    [[nodiscard]] QModelIndex mapToSource(const QModelIndex &windowIndex) const;
    [[nodiscard]] QModelIndex mapFromSource(const QModelIndex &sourceIndex) const;

    /// The source row shown at the top (maybe in part), and how many rows the window holds.
    [[nodiscard]] int firstRow() const { return m_first + m_offset / rowHeight(); }
    [[nodiscard]] int windowRowCount() const;
    /// Rows a page holds: what PageDown moves (the rows wholly on screen, at least 1).
    [[nodiscard]] int pageRows() const;
    /// Scrolls so that source row `row` is shown as `hint` says.
    void scrollToRow(int row, ScrollHint hint = EnsureVisible);

    /// The current row (source row), -1 for none.
    [[nodiscard]] int currentRow() const { return m_current; }
    /// Makes `row` current and the only selected row (the anchor of a later Shift+click).
    void selectOnly(int row);
    /// Adds rows `first`..`last` (source rows) to the selection.
    void selectRowRange(int first, int last);
    /// Selects exactly `rows` (the current row and the anchor stay).
    void setSelectedRows(RowRanges rows);
    void clearRowSelection();
    [[nodiscard]] const RowRanges &selectedRowRanges() const { return m_selected; }
    /// The selection in source indexes (whole rows), for copying.
    [[nodiscard]] QItemSelection sourceSelection() const;

    /// Also takes the source's indexes (an empty rect for a row outside the window).
    QRect visualRect(const QModelIndex &index) const override;
    void selectAll() override;
    void scrollTo(const QModelIndex &index, ScrollHint hint = EnsureVisible) override;

Q_SIGNALS:
    /// The current row changed (source row, -1 for none), by the user or by a call.
    void currentRowChanged(int row);
    /// The selected rows changed.
    void rowSelectionChanged();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void updateGeometries() override;
    void scrollContentsBy(int dx, int dy) override;

private:
    [[nodiscard]] int totalRows() const;
    [[nodiscard]] int rowHeight() const;
    /// Source row under viewport position y, -1 below the last row.
    [[nodiscard]] int rowAtY(int y) const;
    void setScrollValue(int value);
    void refreshWindow();
    void placeWindow(int viewportHeight);
    void syncScrollBar();
    void mirrorSelection();
    void setCurrent(int row, int column);
    /// What a key or click does with the selection (ExtendedSelection, as QAbstractItemView).
    void moveTo(int row, int column, Qt::KeyboardModifiers modifiers, bool key);
    void extendDragTo(int row);
    void autoScrollStep();
    void sourceReset();
    void windowSelectionChanged(const QItemSelection &selected, const QItemSelection &deselected);
    void windowCurrentChanged(const QModelIndex &current);

    QAbstractItemModel *m_source = nullptr;
    RowWindowModel *m_window = nullptr;
    QList<QMetaObject::Connection> m_connections;
    int m_value = 0;  // the scroll bar's: the top row, except at the end (last row on the bottom edge)
    int m_first = 0;  // the source row of the window's first row
    int m_offset = 0; // pixels of the window above the viewport
    int m_current = -1;
    int m_currentColumn = 0;
    int m_anchor = -1;
    RowRanges m_selected;
    RowRanges m_committed;          // the selection a Shift range is added to (QItemSelectionModel's ranges)
    bool m_syncing = false;         // writing the window's selection model or scroll bar ourselves
    bool m_inBase = false;          // inside QTableView::updateGeometries
    bool m_refreshing = false;      // inside refreshWindow
    bool m_dragging = false;        // left button held after a press on a row
    bool m_pressedSelected = false; // a plain press on a selected row: selects it alone on release
    int m_pressRow = -1;
    int m_dragDirection = 0;
    RowRanges m_dragCommitted;
    QTimer m_autoScroll;
};

} // namespace ikev2wb::ui
