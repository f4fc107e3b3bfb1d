#include "windowedtableview.h"

#include <QAbstractTableModel>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QScopedValueRollback>
#include <QScrollBar>

#include <algorithm>

namespace ikev2wb::ui {

/// Rows first .. first + count - 1 of the source, as rows 0 .. count - 1. Reads the source on
/// every call: no copy of any cell.
class RowWindowModel final : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;

    void setSource(QAbstractItemModel *source)
    {
        beginResetModel();
        m_source = source;
        m_first = 0;
        m_count = 0;
        m_columns = source ? source->columnCount() : 0;
        endResetModel();
    }
    [[nodiscard]] int first() const { return m_first; }

    /// Moves the window. Rows are inserted or removed at the end, never a reset: a reset would
    /// clear the horizontal header's column widths.
    void setWindow(int first, int count)
    {
        if (m_source && m_source->columnCount() != m_columns) {
            beginResetModel();
            m_columns = m_source->columnCount();
            m_first = first;
            m_count = count;
            endResetModel();
            return;
        }
        m_first = first;
        if (count > m_count) {
            beginInsertRows({}, m_count, count - 1);
            m_count = count;
            endInsertRows();
        } else if (count < m_count) {
            beginRemoveRows({}, count, m_count - 1);
            m_count = count;
            endRemoveRows();
        }
        if (m_count > 0 && m_columns > 0) Q_EMIT dataChanged(index(0, 0), index(m_count - 1, m_columns - 1));
    }
    void forwardHeader(Qt::Orientation o, int first, int last) { Q_EMIT headerDataChanged(o, first, last); }

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : m_count; }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : m_columns;
    }
    QVariant data(const QModelIndex &i, int role) const override
    {
        if (!m_source || !i.isValid() || i.row() >= m_count) return {};
        return m_source->index(m_first + i.row(), i.column()).data(role);
    }
    QVariant headerData(int section, Qt::Orientation o, int role) const override
    {
        if (!m_source) return {};
        return m_source->headerData(o == Qt::Vertical ? m_first + section : section, o, role);
    }
    Qt::ItemFlags flags(const QModelIndex &i) const override
    {
        if (!m_source || !i.isValid()) return {};
        return m_source->index(m_first + i.row(), i.column()).flags();
    }

private:
    QAbstractItemModel *m_source = nullptr;
    int m_first = 0;
    int m_count = 0;
    int m_columns = 0;
};

WindowedTableView::WindowedTableView(QWidget *parent) : QTableView(parent)
{
    setVerticalScrollMode(ScrollPerItem); // the scroll bar counts rows
    setSelectionBehavior(SelectRows);
    setSelectionMode(ExtendedSelection);
    m_autoScroll.setInterval(50);
    connect(&m_autoScroll, &QTimer::timeout, this, &WindowedTableView::autoScrollStep);
}

WindowedTableView::~WindowedTableView() = default;

void WindowedTableView::setSourceModel(QAbstractItemModel *source)
{
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_source = source;
    if (!m_window) m_window = new RowWindowModel(this);
    m_window->setSource(source);
    if (model() != m_window) {
        setModel(m_window);
        connect(selectionModel(), &QItemSelectionModel::selectionChanged, this,
                &WindowedTableView::windowSelectionChanged);
        connect(selectionModel(), &QItemSelectionModel::currentChanged, this,
                &WindowedTableView::windowCurrentChanged);
    }
    if (source) {
        auto reset = [this]() { sourceReset(); };
        m_connections << connect(source, &QAbstractItemModel::modelReset, this, reset)
                      << connect(source, &QAbstractItemModel::layoutChanged, this, reset)
                      << connect(source, &QAbstractItemModel::rowsInserted, this, reset)
                      << connect(source, &QAbstractItemModel::rowsRemoved, this, reset)
                      << connect(source, &QAbstractItemModel::dataChanged, this,
                                 [this]() { refreshWindow(); })
                      << connect(source, &QAbstractItemModel::headerDataChanged, this,
                                 [this](Qt::Orientation o, int first, int last) {
                                     if (o == Qt::Horizontal) m_window->forwardHeader(o, first, last);
                                 });
    }
    m_value = 0;
    sourceReset();
}

void WindowedTableView::sourceReset()
{
    // Rows changed place or number: the selection (in rows) means nothing any more; the page
    // selects its packet again.
    m_selected.clear();
    m_committed.clear();
    m_anchor = -1;
    setCurrent(-1, m_currentColumn);
    refreshWindow();
    Q_EMIT rowSelectionChanged();
}

QModelIndex WindowedTableView::mapToSource(const QModelIndex &windowIndex) const
{
    if (!m_source || !windowIndex.isValid()) return {};
    if (windowIndex.model() == m_source) return windowIndex;
    return m_source->index(m_first + windowIndex.row(), windowIndex.column());
}

QModelIndex WindowedTableView::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!m_window || !sourceIndex.isValid()) return {};
    const int row = sourceIndex.row() - m_first;
    if (row < 0 || row >= m_window->rowCount()) return {};
    return m_window->index(row, sourceIndex.column());
}

int WindowedTableView::totalRows() const
{
    return m_source ? m_source->rowCount() : 0;
}

int WindowedTableView::rowHeight() const
{
    return std::max(1, verticalHeader()->defaultSectionSize());
}

int WindowedTableView::pageRows() const
{
    return std::max(1, viewport()->height() / rowHeight());
}

int WindowedTableView::windowRowCount() const
{
    return m_window ? m_window->rowCount() : 0;
}

int WindowedTableView::rowAtY(int y) const
{
    if (y < 0) return -1;
    const int row = m_first + (y + m_offset) / rowHeight();
    return row < m_first + windowRowCount() ? row : -1;
}

void WindowedTableView::refreshWindow()
{
    // Rows inserted into the window make QTableView lay out again, which comes back here.
    if (!m_window || m_refreshing) return;
    const QScopedValueRollback refreshing(m_refreshing, true);
    // Again if that layout changed the viewport's height (a horizontal scroll bar came or went).
    for (int pass = 0; pass < 3; ++pass) {
        const int vh = viewport()->height();
        placeWindow(vh);
        if (viewport()->height() == vh) break;
    }
    syncScrollBar();
    mirrorSelection();
    viewport()->update();
}

void WindowedTableView::placeWindow(int vh)
{
    const int total = totalRows(), h = rowHeight();
    const int maxValue = std::max(0, total - pageRows());
    m_value = std::clamp(m_value, 0, maxValue);
    // The rows on screen, the last one maybe in part. At the scroll bar's end the last row sits
    // on the bottom edge and the top one is cut, as QTableView shows it (setOffsetToLastSection).
    const int fit = std::max(1, (vh + h - 1) / h);
    const bool atEnd = maxValue > 0 && m_value == maxValue;
    int top = m_value, offset = 0;
    if (atEnd) {
        top = std::max(0, total - fit);
        offset = std::max(0, (total - top) * h - vh);
    }
    // QTableView paints alternate rows by the row's number: the window starts on an even row
    // (one more row above the viewport when the top one is odd).
    if (top % 2 != 0) {
        --top;
        offset += h;
    }
    m_first = top;
    m_offset = offset;
    const int count = std::max(0, std::min((offset + vh + h - 1) / h, total - m_first));
    {
        const QScopedValueRollback syncing(m_syncing, true);
        m_window->setWindow(m_first, count);
    }
}

void WindowedTableView::syncScrollBar()
{
    // Not signal-blocked: QAbstractScrollArea shows or hides the bar on rangeChanged.
    {
        const QScopedValueRollback syncing(m_syncing, true);
        QScrollBar *bar = verticalScrollBar();
        bar->setRange(0, std::max(0, totalRows() - pageRows()));
        bar->setPageStep(pageRows());
        bar->setSingleStep(1);
        bar->setValue(m_value);
    }
    if (verticalHeader()->offset() != m_offset) verticalHeader()->setOffset(m_offset);
}

void WindowedTableView::updateGeometries()
{
    if (m_inBase) return;
    {
        const QScopedValueRollback inBase(m_inBase, true);
        // QTableView sizes the scroll bar for the window's rows; unseen, or the bar would hide
        // and show again (a relayout) each time before ours is set.
        const QSignalBlocker quiet(verticalScrollBar());
        QTableView::updateGeometries();
    }
    // It also moved the header's offset for the window's rows. Inside refreshWindow (a layout
    // the window's own changes started) only the bar and the offset are put back.
    if (m_refreshing)
        syncScrollBar();
    else
        refreshWindow();
}

void WindowedTableView::scrollContentsBy(int dx, int dy)
{
    QTableView::scrollContentsBy(dx, 0);
    if (dy != 0 && !m_syncing && !m_inBase) setScrollValue(verticalScrollBar()->value());
}

void WindowedTableView::setScrollValue(int value)
{
    value = std::clamp(value, 0, std::max(0, totalRows() - pageRows()));
    if (value == m_value) return;
    m_value = value;
    refreshWindow();
}

void WindowedTableView::scrollTo(const QModelIndex &index, ScrollHint hint)
{
    if (m_syncing || !index.isValid() || !m_source) return;
    const int row = index.model() == m_source ? index.row() : m_first + index.row();
    scrollToRow(row, hint);
    // Horizontally as QTableView does (item mode: the bar counts columns).
    const int column = index.column();
    if (columnWidth(column) <= 0) return;
    QScrollBar *bar = horizontalScrollBar();
    for (int guard = 0; guard < 64; ++guard) {
        const int x = columnViewportPosition(column);
        if (x < 0 && bar->value() > bar->minimum())
            bar->setValue(bar->value() - 1);
        else if (x > 0 && x + columnWidth(column) > viewport()->width() && bar->value() < bar->maximum())
            bar->setValue(bar->value() + 1);
        else
            break;
    }
}

QRect WindowedTableView::visualRect(const QModelIndex &index) const
{
    if (m_source && index.isValid() && index.model() == m_source)
        return QTableView::visualRect(mapFromSource(index));
    return QTableView::visualRect(index);
}

void WindowedTableView::scrollToRow(int row, ScrollHint hint)
{
    const int total = totalRows();
    if (row < 0 || row >= total) return;
    // As QTableView in ScrollPerItem mode: how many whole rows fit above the row.
    const int h = rowHeight(), vh = viewport()->height();
    int value = m_value;
    const qint64 top = qint64(row - m_first) * h - m_offset; // the row's y in the viewport
    const bool above = top<0, below = top + h> vh;
    switch (hint) {
    case EnsureVisible:
        if (above)
            value = row;
        else if (below)
            value = row - std::max(0, vh - h) / h;
        break;
    case PositionAtTop:
        value = row;
        break;
    case PositionAtBottom:
        value = row - std::max(0, vh - h) / h;
        break;
    case PositionAtCenter:
        value = row - std::max(0, vh / 2 - h) / h;
        break;
    }
    setScrollValue(value);
}

void WindowedTableView::mirrorSelection()
{
    if (!m_window || !selectionModel()) return;
    const QScopedValueRollback syncing(m_syncing, true);
    const int n = m_window->rowCount(), columns = m_window->columnCount();
    QItemSelection sel;
    if (columns > 0)
        for (const RowRanges::Range &r : m_selected.ranges()) {
            const int a = std::max(r.first, m_first), b = std::min(r.second, m_first + n - 1);
            if (a <= b)
                sel.select(m_window->index(a - m_first, 0), m_window->index(b - m_first, columns - 1));
        }
    selectionModel()->select(sel, QItemSelectionModel::ClearAndSelect);
    if (m_current >= m_first && m_current < m_first + n)
        selectionModel()->setCurrentIndex(m_window->index(m_current - m_first, m_currentColumn),
                                          QItemSelectionModel::NoUpdate);
    else
        selectionModel()->clearCurrentIndex();
}

void WindowedTableView::setCurrent(int row, int column)
{
    const bool changed = row != m_current;
    m_current = row;
    m_currentColumn = std::max(0, column);
    if (changed) Q_EMIT currentRowChanged(row);
}

void WindowedTableView::selectOnly(int row)
{
    if (row < 0 || row >= totalRows()) return;
    m_selected.clear();
    m_selected.add(row, row);
    m_committed.clear();
    m_anchor = row;
    setCurrent(row, m_currentColumn);
    mirrorSelection();
    Q_EMIT rowSelectionChanged();
}

void WindowedTableView::selectRowRange(int first, int last)
{
    first = std::max(first, 0);
    last = std::min(last, totalRows() - 1);
    if (first > last) return;
    m_selected.add(first, last);
    m_committed = m_selected;
    mirrorSelection();
    Q_EMIT rowSelectionChanged();
}

void WindowedTableView::setSelectedRows(RowRanges rows)
{
    m_selected = std::move(rows);
    m_committed = m_selected;
    mirrorSelection();
    Q_EMIT rowSelectionChanged();
}

void WindowedTableView::clearRowSelection()
{
    m_selected.clear();
    m_committed.clear();
    mirrorSelection();
    Q_EMIT rowSelectionChanged();
}

void WindowedTableView::selectAll()
{
    if (totalRows() <= 0) return;
    m_selected.clear();
    m_selected.add(0, totalRows() - 1);
    m_committed = m_selected;
    mirrorSelection();
    Q_EMIT rowSelectionChanged();
}

QItemSelection WindowedTableView::sourceSelection() const
{
    QItemSelection sel;
    if (!m_source) return sel;
    const int columns = m_source->columnCount();
    for (const RowRanges::Range &r : m_selected.ranges())
        sel.select(m_source->index(r.first, 0), m_source->index(r.second, columns - 1));
    return sel;
}

void WindowedTableView::moveTo(int row, int column, Qt::KeyboardModifiers modifiers, bool key)
{
    // QAbstractItemView's extended selection: a key with Ctrl moves the current row only; Shift
    // selects from the anchor (added to what was selected before the anchor was set); a click
    // with Ctrl toggles the row; otherwise the row alone.
    const bool shift = modifiers & Qt::ShiftModifier, ctrl = modifiers & Qt::ControlModifier;
    const int previous = m_current;
    setCurrent(row, column);
    if (key && ctrl) {
        m_anchor = row;
    } else if (shift) {
        if (m_anchor < 0) m_anchor = previous >= 0 ? previous : row;
        m_selected = m_committed;
        m_selected.add(m_anchor, row);
    } else if (ctrl) {
        m_committed = m_selected;
        m_selected.toggle(row);
        m_anchor = row;
    } else {
        m_selected.clear();
        m_selected.add(row, row);
        m_committed.clear();
        m_anchor = row;
    }
    mirrorSelection();
    Q_EMIT rowSelectionChanged();
}

void WindowedTableView::keyPressEvent(QKeyEvent *event)
{
    const int total = totalRows();
    if (!m_source || total <= 0) return QTableView::keyPressEvent(event);
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    const int h = rowHeight(), vh = viewport()->height();
    const int lastColumn = m_window->columnCount() - 1;
    int row = m_current, column = m_currentColumn;
    if (m_current < 0) {
        // As QTableView: with no current cell every movement goes to the first one.
        row = 0;
        column = 0;
    } else {
        switch (event->key()) {
        case Qt::Key_Up:
            row = m_current - 1;
            break;
        case Qt::Key_Down:
            row = m_current + 1;
            break;
        case Qt::Key_PageUp: {
            // QTableView: the row at the current row's bottom minus the viewport's height.
            const qint64 y = qint64(m_current + 1) * h - 1 - vh;
            row = y >= 0 ? int(y / h) : 0;
            break;
        }
        case Qt::Key_PageDown: {
            const qint64 y = qint64(m_current) * h + vh;
            row = int(std::min<qint64>(y / h, total - 1));
            break;
        }
        case Qt::Key_Left:
            column = m_currentColumn - 1;
            break;
        case Qt::Key_Right:
            column = m_currentColumn + 1;
            break;
        case Qt::Key_Home:
            column = 0;
            if (ctrl) row = 0;
            break;
        case Qt::Key_End:
            column = lastColumn;
            if (ctrl) row = total - 1;
            break;
        default:
            return QTableView::keyPressEvent(event);
        }
    }
    switch (event->key()) {
    case Qt::Key_Up:
    case Qt::Key_Down:
    case Qt::Key_PageUp:
    case Qt::Key_PageDown:
    case Qt::Key_Left:
    case Qt::Key_Right:
    case Qt::Key_Home:
    case Qt::Key_End:
        break;
    default:
        return QTableView::keyPressEvent(event);
    }
    event->accept();
    row = std::clamp(row, 0, total - 1);
    column = std::clamp(column, 0, std::max(0, lastColumn));
    if (row == m_current && column == m_currentColumn) return;
    moveTo(row, column, event->modifiers(), true);
    scrollTo(m_source->index(row, column), EnsureVisible);
}

void WindowedTableView::mousePressEvent(QMouseEvent *event)
{
    if (!m_source) return QTableView::mousePressEvent(event);
    const QPoint pos = event->position().toPoint();
    const int row = rowAtY(pos.y());
    const int column = std::max(0, columnAt(pos.x()));
    const bool right = event->button() == Qt::RightButton, left = event->button() == Qt::LeftButton;
    const Qt::KeyboardModifiers mods = event->modifiers();
    const bool shift = mods & Qt::ShiftModifier, ctrl = mods & Qt::ControlModifier;
    m_dragging = false;
    m_pressedSelected = false;
    if (row < 0) {
        // Below the last row: a plain click clears the selection (QAbstractItemView).
        if (!right && !shift && !ctrl) clearRowSelection();
        return;
    }
    // A press never scrolls (QAbstractItemView turns autoScroll off for it).
    if (((shift || ctrl) && right) || (!shift && !ctrl && m_selected.contains(row))) {
        // No selection change; the current row moves, and a plain left click on a selected row
        // selects it alone on release.
        setCurrent(row, column);
        m_anchor = row;
        mirrorSelection();
        m_pressedSelected = left;
        m_pressRow = row;
    } else {
        moveTo(row, column, mods, false);
    }
    if (left) {
        m_dragging = true;
        m_dragCommitted = m_committed;
        m_pressRow = row;
    }
}

void WindowedTableView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging || !(event->buttons() & Qt::LeftButton)) {
        if (event->buttons() == Qt::NoButton) QTableView::mouseMoveEvent(event);
        return;
    }
    const int y = event->position().toPoint().y();
    m_dragDirection = y < 0 ? -1 : (y >= viewport()->height() ? 1 : 0);
    if (m_dragDirection != 0) {
        if (!m_autoScroll.isActive()) m_autoScroll.start();
    } else {
        m_autoScroll.stop();
    }
    const int clamped = std::clamp(y, 0, std::max(0, viewport()->height() - 1));
    int row = rowAtY(clamped);
    if (row < 0) row = m_first + windowRowCount() - 1;
    extendDragTo(row);
}

void WindowedTableView::extendDragTo(int row)
{
    if (row < 0 || row == m_current) return;
    m_pressedSelected = false;
    setCurrent(row, m_currentColumn);
    m_selected = m_dragCommitted;
    m_selected.add(m_anchor, row);
    mirrorSelection();
    Q_EMIT rowSelectionChanged();
}

void WindowedTableView::autoScrollStep()
{
    if (!m_dragging || m_dragDirection == 0) return m_autoScroll.stop();
    setScrollValue(m_value + m_dragDirection);
    extendDragTo(m_dragDirection < 0 ? m_value : std::min(totalRows() - 1, m_value + pageRows() - 1));
}

void WindowedTableView::mouseReleaseEvent(QMouseEvent *event)
{
    m_autoScroll.stop();
    const bool wasDragging = m_dragging;
    m_dragging = false;
    if (!m_source) return QTableView::mouseReleaseEvent(event);
    if (wasDragging && m_pressedSelected && event->button() == Qt::LeftButton &&
        rowAtY(event->position().toPoint().y()) == m_pressRow)
        moveTo(m_pressRow, m_currentColumn, {}, false);
    m_pressedSelected = false;
}

void WindowedTableView::windowSelectionChanged(const QItemSelection &selected,
                                               const QItemSelection &deselected)
{
    if (m_syncing) return;
    // A change made on the window's selection model directly (Space, keyboard search, a caller):
    // rows of the window, moved to source rows.
    for (const QItemSelectionRange &r : deselected)
        m_selected.remove(m_first + r.top(), m_first + r.bottom());
    for (const QItemSelectionRange &r : selected)
        m_selected.add(m_first + r.top(), m_first + r.bottom());
    m_committed = m_selected;
    Q_EMIT rowSelectionChanged();
}

void WindowedTableView::windowCurrentChanged(const QModelIndex &current)
{
    if (m_syncing || !current.isValid()) return;
    m_anchor = m_first + current.row();
    setCurrent(m_first + current.row(), current.column());
}

} // namespace ikev2wb::ui
