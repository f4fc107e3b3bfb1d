// WindowedTableView against a stock QTableView over the same 100,000-row model, side by side at
// the same size: the same keys, clicks, wheel turns and scroll-bar drags must leave the same
// current row, the same selected rows and the same top row in both (the stock view is the
// independent truth of how a table behaves). And the window's header stays a window.
#include "widgets/rowranges.h"
#include "widgets/windowedtableview.h"

#include <QAbstractTableModel>
#include <QApplication>
#include <QHeaderView>
#include <QScrollBar>
#include <QTest>
#include <QWheelEvent>

using namespace ikev2wb::ui;

namespace {

class CountingModel final : public QAbstractTableModel
{
public:
    explicit CountingModel(int rows) : m_rows(rows) {}
    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : m_rows; }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : 4; }
    QVariant data(const QModelIndex &i, int role) const override
    {
        if (role != Qt::DisplayRole) return {};
        return QStringLiteral("%1/%2").arg(i.row()).arg(i.column());
    }

private:
    int m_rows;
};

void prepare(QTableView &v, int rowHeight)
{
    v.verticalHeader()->setVisible(false);
    v.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    v.verticalHeader()->setDefaultSectionSize(rowHeight);
    v.setSelectionBehavior(QAbstractItemView::SelectRows);
    v.setSelectionMode(QAbstractItemView::ExtendedSelection);
    v.setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    v.setAlternatingRowColors(true); // as the Packets page: painted by the row's number
    v.resize(500, 413);              // not a whole number of rows: the last one is cut
}

RowRanges stockSelection(const QTableView &v)
{
    RowRanges out;
    for (const QItemSelectionRange &r : v.selectionModel()->selection())
        out.add(r.top(), r.bottom());
    return out;
}

QString describe(const RowRanges &r)
{
    QStringList parts;
    for (const auto &[a, b] : r.ranges())
        parts << QStringLiteral("%1-%2").arg(a).arg(b);
    return parts.join(QLatin1Char(','));
}

} // namespace

class TstWindowedTable : public QObject
{
    Q_OBJECT

    static constexpr int kRows = 100000;
    CountingModel m_model{kRows};
    QTableView *m_stock = nullptr;
    WindowedTableView *m_windowed = nullptr;
    QWidget *m_other = nullptr; // takes the focus before the views are grabbed
    QWidget *m_window = nullptr;

    /// Both views agree on the current row, the selected rows and the top row.
    bool same(const char *step)
    {
        const int stockCurrent = m_stock->currentIndex().isValid() ? m_stock->currentIndex().row() : -1;
        const RowRanges stockSel = stockSelection(*m_stock);
        const int stockTop = m_stock->rowAt(0);
        if (stockCurrent == m_windowed->currentRow() && stockSel == m_windowed->selectedRowRanges() &&
            stockTop == m_windowed->firstRow())
            return true;
        qWarning("%s: stock current %d top %d selection %s; windowed current %d top %d selection %s", step,
                 stockCurrent, stockTop, qPrintable(describe(stockSel)), m_windowed->currentRow(),
                 m_windowed->firstRow(), qPrintable(describe(m_windowed->selectedRowRanges())));
        return false;
    }

    /// Both viewports paint the same pixels (rows, alternating colours, selection), without focus.
    bool samePixels()
    {
        m_other->setFocus();
        QTest::qWait(0);
        const QImage a = m_stock->viewport()->grab().toImage(), b = m_windowed->viewport()->grab().toImage();
        if (a != b && !qEnvironmentVariableIsEmpty("WINDOWED_GRAB_DIR")) {
            a.save(qEnvironmentVariable("WINDOWED_GRAB_DIR") + QStringLiteral("/stock.png"));
            b.save(qEnvironmentVariable("WINDOWED_GRAB_DIR") + QStringLiteral("/windowed.png"));
        }
        return a == b;
    }

    void key(Qt::Key k, Qt::KeyboardModifiers mods = {})
    {
        QTest::keyClick(m_stock, k, mods);
        QTest::keyClick(m_windowed, k, mods);
    }

    void click(int viewportY, Qt::KeyboardModifiers mods = {}, Qt::MouseButton button = Qt::LeftButton)
    {
        QTest::mouseClick(m_stock->viewport(), button, mods, QPoint(60, viewportY));
        QTest::mouseClick(m_windowed->viewport(), button, mods, QPoint(60, viewportY));
    }

    void wheel(int notches)
    {
        for (QTableView *v : {m_stock, static_cast<QTableView *>(m_windowed)}) {
            const QPointF at(60, 60);
            QWheelEvent e(at, v->viewport()->mapToGlobal(at), QPoint(), QPoint(0, -120 * notches),
                          Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
            QApplication::sendEvent(v->viewport(), &e);
        }
    }

private Q_SLOTS:
    void init()
    {
        m_window = new QWidget;
        m_stock = new QTableView(m_window);
        m_windowed = new WindowedTableView(m_window);
        const int h = m_stock->fontMetrics().height() + 4;
        prepare(*m_stock, h);
        prepare(*m_windowed, h);
        m_windowed->move(520, 0);
        m_other = new QWidget(m_window);
        m_other->setFocusPolicy(Qt::StrongFocus);
        m_other->setGeometry(1040, 0, 10, 10);
        m_stock->setModel(&m_model);
        m_windowed->setSourceModel(&m_model);
        m_window->resize(1050, 420);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
        QCOMPARE(m_windowed->viewport()->height(), m_stock->viewport()->height());
        // Focus gives a table without a current cell its first one (QAbstractItemView).
        m_windowed->setFocus();
        QTRY_VERIFY(m_windowed->hasFocus());
        m_stock->setFocus();
        QTRY_VERIFY(m_stock->hasFocus());
    }

    void cleanup() { delete m_window; }

    void keysAsAStockTable()
    {
        QVERIFY(same("start"));
        const std::pair<Qt::Key, Qt::KeyboardModifiers> steps[] = {
            {Qt::Key_Down, {}},
            {Qt::Key_Down, {}},
            {Qt::Key_PageDown, {}},
            {Qt::Key_PageDown, {}}, // across the window's bottom edge
            {Qt::Key_PageDown, Qt::ShiftModifier},
            {Qt::Key_Down, Qt::ShiftModifier},
            {Qt::Key_PageUp, {}},
            {Qt::Key_Up, {}},
            {Qt::Key_End, Qt::ControlModifier}, // the last row, far outside any window so far
            {Qt::Key_PageUp, Qt::ShiftModifier},
            {Qt::Key_Up, {}},
            {Qt::Key_PageDown, {}},
            {Qt::Key_Down, {}}, // at the end: nothing moves
            {Qt::Key_Home, Qt::ControlModifier},
            {Qt::Key_Up, {}},
            {Qt::Key_End, {}}, // the row's last column, same row
            {Qt::Key_Home, {}},
            {Qt::Key_Down, Qt::ControlModifier}, // current moves, selection stays
            {Qt::Key_Down, Qt::ControlModifier},
            {Qt::Key_PageDown, Qt::ShiftModifier},
            {Qt::Key_PageDown, Qt::ShiftModifier},
            {Qt::Key_Up, {}},
        };
        int i = 0;
        for (const auto &[k, mods] : steps) {
            key(k, mods);
            const QByteArray name = "key step " + QByteArray::number(i++);
            QVERIFY2(same(name.constData()), name.constData());
        }
    }

    void mouseWheelAndScrollBarAsAStockTable()
    {
        const int h = m_stock->verticalHeader()->defaultSectionSize();
        click(h * 3 + 2); // row 3
        QVERIFY(same("click"));
        wheel(4); // 12 rows down
        QVERIFY(same("wheel down"));
        click(h * 10 + 2, Qt::ShiftModifier); // Shift+click from row 3, now off screen
        QVERIFY(same("shift click after wheel"));
        // Drag both scroll bars far down: the anchor stays at row 3.
        m_stock->verticalScrollBar()->setValue(70000);
        m_windowed->verticalScrollBar()->setValue(70000);
        QVERIFY(same("scroll bar"));
        click(h * 2 + 2, Qt::ShiftModifier);
        QVERIFY(same("shift click across 70,000 rows"));
        click(h * 5 + 2, Qt::ControlModifier); // toggles one row out of the range
        QVERIFY(same("ctrl click"));
        wheel(-2);
        QVERIFY(same("wheel up"));
        click(h * 7 + 2, Qt::NoModifier, Qt::RightButton); // on a selected row: selection stays
        QVERIFY(same("right click on a selection"));
        click(h * 7 + 2); // a plain click on a selected row: that row alone
        QVERIFY(same("click on a selection"));
        m_stock->verticalScrollBar()->setValue(m_stock->verticalScrollBar()->maximum());
        m_windowed->verticalScrollBar()->setValue(m_windowed->verticalScrollBar()->maximum());
        QVERIFY(same("scroll bar to the end"));
        QCOMPARE(m_windowed->verticalScrollBar()->maximum(), m_stock->verticalScrollBar()->maximum());
        key(Qt::Key_PageDown); // from the selected row, now off screen above
        QVERIFY(same("page down from off screen"));
        QVERIFY(samePixels());
        wheel(-7);
        QVERIFY(same("wheel up at the end"));
        QVERIFY(samePixels());
    }

    void scrollHintsAsAStockTable()
    {
        for (const int row : {0, 5, 30, 5000, kRows - 3, kRows - 1})
            for (const auto hint : {QAbstractItemView::PositionAtCenter, QAbstractItemView::PositionAtTop,
                                    QAbstractItemView::PositionAtBottom, QAbstractItemView::EnsureVisible}) {
                m_stock->scrollTo(m_model.index(row, 0), hint);
                m_windowed->scrollToRow(row, hint);
                const QByteArray name =
                    "row " + QByteArray::number(row) + " hint " + QByteArray::number(int(hint));
                QVERIFY2(same(name.constData()), name.constData());
                QVERIFY2(samePixels(), name.constData());
            }
    }

    void headerStaysAWindow()
    {
        // One section per row on screen, not per row of the model.
        QVERIFY(m_windowed->verticalHeader()->count() <= m_windowed->viewport()->height() / 10 + 2);
        QCOMPARE(m_windowed->model()->rowCount(), m_windowed->windowRowCount());
        QCOMPARE(m_stock->verticalHeader()->count(), kRows);
        m_windowed->scrollToRow(kRows - 1);
        QVERIFY(m_windowed->verticalHeader()->count() <= m_windowed->viewport()->height() / 10 + 2);
        QCOMPARE(m_windowed->model()->index(m_windowed->windowRowCount() - 1, 0).data().toString(),
                 QStringLiteral("%1/0").arg(kRows - 1));
    }

    void rowRangesMerge()
    {
        RowRanges r;
        r.add(5, 9);
        r.add(11, 12);
        QCOMPARE(r.ranges().size(), std::size_t(2));
        r.add(10, 10); // touches both: one range
        QCOMPARE(r.ranges(), (std::vector<RowRanges::Range>{{5, 12}}));
        r.remove(7, 8);
        QCOMPARE(r.ranges(), (std::vector<RowRanges::Range>{{5, 6}, {9, 12}}));
        r.toggle(7);
        QCOMPARE(r.count(), 7LL);
        QVERIFY(r.contains(7) && !r.contains(8) && r.contains(12) && !r.contains(13));
    }
};

QTEST_MAIN(TstWindowedTable)
#include "tst_windowedtable.moc"
