#include "viewactions.h"
#include "cellnavigation.h"
#include "plaintext.h"
#include "windowedtableview.h"

#include "report/csv.h"
#include "report/outputfile.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QChartView>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QKeySequence>
#include <QMainWindow>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPointer>
#include <QProgressDialog>
#include <QStatusBar>
#include <QSvgGenerator>
#include <QTableView>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <memory>
#include <vector>

namespace ikev2wb::ui {

namespace {

QHeaderView *headerOf(const QAbstractItemView *view)
{
    if (const auto *t = qobject_cast<const QTableView *>(view)) return t->horizontalHeader();
    if (const auto *t = qobject_cast<const QTreeView *>(view)) return t->header();
    return nullptr;
}

/// The model whose rows the view stands for: a windowed table's source (its own model holds the
/// rows on screen only).
const QAbstractItemModel *wholeModel(const QAbstractItemView *view)
{
    if (const auto *w = qobject_cast<const WindowedTableView *>(view)) return w->sourceModel();
    return view->model();
}

/// Logical columns in the order the view shows them, hidden ones left out.
std::vector<int> shownColumns(const QAbstractItemView *view)
{
    std::vector<int> cols;
    const QAbstractItemModel *m = view->model();
    if (!m) return cols;
    const int n = m->columnCount();
    if (const QHeaderView *h = headerOf(view)) {
        for (int visual = 0; visual < h->count(); ++visual) {
            const int logical = h->logicalIndex(visual);
            if (logical >= 0 && logical < n && !h->isSectionHidden(logical)) cols.push_back(logical);
        }
    } else {
        for (int c = 0; c < n; ++c)
            cols.push_back(c);
    }
    return cols;
}

QString oneLineText(const QVariant &v)
{
    QString s = v.toString();
    s.replace(QLatin1Char('\t'), QLatin1Char(' '));
    s.replace(QLatin1Char('\n'), QLatin1Char(' '));
    s.replace(QLatin1Char('\r'), QLatin1Char(' '));
    return s;
}

void chooseSaveFile(QWidget *parent, const QString &title, const QString &suggested, const QString &filter,
                    std::function<void(const QString &)> chosen)
{
    auto *dlg = new QFileDialog(parent, title, suggested, filter);
    dlg->setAcceptMode(QFileDialog::AcceptSave);
    dlg->setFileMode(QFileDialog::AnyFile);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dlg, &QFileDialog::fileSelected, parent, std::move(chosen));
    dlg->open(); // window-modal, no nested event loop
}

QString withSuffix(QString path, const QString &suffix)
{
    if (QFileInfo(path).suffix().isEmpty()) path += QLatin1Char('.') + suffix;
    return path;
}

/// The CSV export of one view: slices of at most ~15 ms on the GUI thread.
class CsvExport final : public QObject
{
public:
    CsvExport(QAbstractItemView *view, const QString &path, std::function<void(const QString &, qint64)> done)
        : QObject(view), m_view(view), m_path(path), m_file(path), m_done(std::move(done))
    {
    }

    void start()
    {
        QString error;
        if (!m_file.open(&error)) return finish(error);
        m_columns = shownColumns(m_view);
        QStringList header;
        for (int c : m_columns)
            header << wholeModel(m_view)->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
        m_file.write(csvRow(header).toUtf8());
        m_stack.push_back({QPersistentModelIndex(), 0});
        const int top = wholeModel(m_view)->rowCount();
        if (top > 20000) {
            m_progress = new QProgressDialog(QObject::tr("Writing %1…").arg(QFileInfo(m_path).fileName()),
                                             QObject::tr("Cancel"), 0, top, m_view);
            m_progress->setWindowModality(Qt::WindowModal);
            m_progress->setMinimumDuration(300);
            m_progress->setAutoClose(false);
            m_progress->setAutoReset(false);
        }
        QTimer::singleShot(0, this, [this]() { slice(); });
    }

private:
    struct Level
    {
        QPersistentModelIndex parent;
        int next = 0;
    };

    void slice()
    {
        if (!m_view || !wholeModel(m_view))
            return finish(QObject::tr("the table went away during the export"));
        if (m_progress && m_progress->wasCanceled()) return finish(QObject::tr("export cancelled"));
        const QAbstractItemModel *m = wholeModel(m_view);
        QElapsedTimer t;
        t.start();
        QByteArray chunk;
        while (!m_stack.empty() && t.elapsed() < 15) {
            Level &lv = m_stack.back();
            if (lv.next >= m->rowCount(lv.parent)) {
                m_stack.pop_back();
                continue;
            }
            const int row = lv.next++;
            QStringList fields;
            fields.reserve(qsizetype(m_columns.size()));
            for (int c : m_columns)
                fields << m->index(row, c, lv.parent).data(Qt::DisplayRole).toString();
            chunk += csvRow(fields).toUtf8();
            ++m_rows;
            const QModelIndex first = m->index(row, 0, lv.parent);
            if (m->hasChildren(first)) m_stack.push_back({QPersistentModelIndex(first), 0});
            if (m_stack.size() == 1 && m_progress && (row & 0xfff) == 0) m_progress->setValue(row);
        }
        if (!m_file.write(chunk)) return finish(m_file.errorString());
        if (m_stack.empty()) {
            QString error;
            if (!m_file.commit(OutputFile::defaultMode(false), &error)) return finish(error);
            return finish(QString());
        }
        QTimer::singleShot(0, this, [this]() { slice(); });
    }

    void finish(const QString &error)
    {
        if (m_progress) m_progress->deleteLater();
        if (m_done) m_done(error, m_rows);
        deleteLater(); // an uncommitted OutputFile leaves nothing behind
    }

    QPointer<QAbstractItemView> m_view;
    QString m_path;
    OutputFile m_file;
    std::function<void(const QString &, qint64)> m_done;
    std::vector<int> m_columns;
    std::vector<Level> m_stack;
    QPointer<QProgressDialog> m_progress;
    qint64 m_rows = 0;
};

/// Ctrl+C on a view: the selection as tab-separated lines.
class CopyFilter final : public QObject
{
public:
    explicit CopyFilter(QAbstractItemView *view) : QObject(view), m_view(view) {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_view && event->type() == QEvent::KeyPress &&
            static_cast<QKeyEvent *>(event)->matches(QKeySequence::Copy)) {
            const QString text = selectionText(m_view, false);
            if (!text.isEmpty()) copyToClipboard(text);
            return true;
        }
        return false;
    }

private:
    QAbstractItemView *m_view;
};

/// On a chart view that zooms with a rubber band, a right click zooms out (QChartView). Here the
/// right button opens the menu instead, whose "Zoom Out" replays that click.
class ChartRightClick final : public QObject
{
public:
    explicit ChartRightClick(QChartView *view) : QObject(view), m_view(view) {}
    void zoomOut(const QPoint &at)
    {
        m_replaying = true;
        QMouseEvent ev(QEvent::MouseButtonRelease, QPointF(at), m_view->viewport()->mapToGlobal(QPointF(at)),
                       Qt::RightButton, Qt::NoButton, Qt::NoModifier);
        QCoreApplication::sendEvent(m_view->viewport(), &ev);
        m_replaying = false;
    }

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (m_replaying) return false;
        if (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::MouseButtonRelease)
            return static_cast<QMouseEvent *>(event)->button() == Qt::RightButton;
        return false;
    }

private:
    QChartView *m_view;
    bool m_replaying = false;
};

} // namespace

QStringList visibleHeader(const QAbstractItemView *view)
{
    QStringList out;
    const QAbstractItemModel *m = wholeModel(view);
    if (!m) return out;
    for (int c : shownColumns(view))
        out << oneLineText(m->headerData(c, Qt::Horizontal, Qt::DisplayRole));
    return out;
}

QStringList rowTexts(const QAbstractItemView *view, int row, const QModelIndex &parent)
{
    QStringList out;
    const QAbstractItemModel *m = wholeModel(view);
    if (!m) return out;
    for (int c : shownColumns(view))
        out << oneLineText(m->index(row, c, parent).data(Qt::DisplayRole));
    return out;
}

namespace {
/// The rows from the root down to `index`, which orders rows depth first, as a tree view shows
/// them (for a flat model: the row alone).
std::vector<int> rowPath(QModelIndex index)
{
    std::vector<int> path;
    for (; index.isValid(); index = index.parent())
        path.push_back(index.row());
    std::reverse(path.begin(), path.end());
    return path;
}
} // namespace

QString selectionText(const QAbstractItemView *view, bool withHeader)
{
    const QAbstractItemModel *m = wholeModel(view);
    const auto *windowed = qobject_cast<const WindowedTableView *>(view);
    if (!m || (!windowed && !view->selectionModel())) return {};
    const QItemSelection selection =
        windowed ? windowed->sourceSelection() : view->selectionModel()->selection();
    // From the selection's ranges (a whole-table selection is one range, not one index per cell):
    // each selected row once, with the columns selected in it.
    struct Row
    {
        QModelIndex parent;
        int row;
        std::vector<bool> columns;
    };
    std::vector<Row> rows;
    const int columnCount = m->columnCount();
    std::size_t cells = 0;
    for (const QItemSelectionRange &r : selection) {
        if (!r.isValid()) continue;
        for (int row = r.top(); row <= r.bottom(); ++row) {
            Row x{r.parent(), row, std::vector<bool>(std::size_t(std::max(columnCount, 0)))};
            for (int c = r.left(); c <= r.right() && c < columnCount; ++c)
                x.columns[std::size_t(c)] = true;
            cells += std::size_t(r.width());
            rows.push_back(std::move(x));
        }
    }
    if (rows.empty()) return {};
    if (cells == 1) {
        const Row &only = rows.front();
        for (int c = 0; c < columnCount; ++c)
            if (only.columns[std::size_t(c)]) return oneLineText(m->index(only.row, c, only.parent).data());
    }
    // In the order the view shows them; a row selected by two ranges once, its columns merged.
    const bool flat = std::all_of(rows.begin(), rows.end(), [](const Row &x) { return !x.parent.isValid(); });
    auto before = [flat](const Row &a, const Row &b) {
        if (flat || a.parent == b.parent) return a.row < b.row;
        std::vector<int> pa = rowPath(a.parent), pb = rowPath(b.parent);
        pa.push_back(a.row);
        pb.push_back(b.row);
        return pa < pb;
    };
    std::stable_sort(rows.begin(), rows.end(), before);
    std::vector<Row> merged;
    for (Row &x : rows) {
        if (!merged.empty() && merged.back().parent == x.parent && merged.back().row == x.row) {
            for (std::size_t c = 0; c < x.columns.size(); ++c)
                if (x.columns[c]) merged.back().columns[c] = true;
            continue;
        }
        merged.push_back(std::move(x));
    }
    // Only the shown columns that hold a selected cell in some row, in the view's order.
    std::vector<int> used;
    for (int c : shownColumns(view))
        if (std::any_of(merged.begin(), merged.end(),
                        [c](const Row &x) { return x.columns[std::size_t(c)]; }))
            used.push_back(c);
    QStringList lines;
    if (withHeader) {
        QStringList h;
        for (int c : used)
            h << oneLineText(m->headerData(c, Qt::Horizontal, Qt::DisplayRole));
        lines << h.join(QLatin1Char('\t'));
    }
    for (const Row &x : merged) {
        QStringList f;
        for (int c : used)
            f << (x.columns[std::size_t(c)] ? oneLineText(m->index(x.row, c, x.parent).data()) : QString());
        lines << f.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n'));
}

void exportTableCsv(QAbstractItemView *view, const QString &path,
                    std::function<void(const QString &error, qint64 rows)> done)
{
    auto *job = new CsvExport(view, path, std::move(done));
    job->start();
}

bool saveWidgetImage(QWidget *widget, const QString &path, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("svg")) {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(widget->size());
        svg.setViewBox(QRect(QPoint(0, 0), widget->size()));
        svg.setTitle(widget->windowTitle().isEmpty() ? QFileInfo(path).completeBaseName()
                                                     : widget->windowTitle());
        svg.setDescription(QStringLiteral("ikev2-workbench"));
        {
            QPainter p(&svg);
            widget->render(&p, QPoint(), QRegion(), QWidget::DrawChildren);
        }
        return writeOutputFile(path, buffer.data(), false, error);
    }
    const QPixmap pixmap = widget->grab();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!pixmap.save(&buffer, "PNG")) {
        if (error) *error = QObject::tr("%1: the image could not be encoded").arg(path);
        return false;
    }
    return writeOutputFile(path, bytes, false, error);
}

void notify(QWidget *widget, const QString &message)
{
    for (QWidget *w = widget; w; w = w->parentWidget())
        if (auto *mw = qobject_cast<QMainWindow *>(w)) {
            mw->statusBar()->showMessage(message, 15000);
            return;
        }
}

void installTableActions(QAbstractItemView *view, const QString &exportName, ExtraActions extra)
{
    // QAbstractItemView copies only the current cell on Ctrl+C (and claims the shortcut before
    // any QAction sees it): the whole selection is copied instead.
    view->installEventFilter(new CopyFilter(view));
    showControlsVisibly(view);

    view->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(
        view, &QWidget::customContextMenuRequested, view, [view, exportName, extra](const QPoint &pos) {
            if (!view->model()) return;
            const auto *windowed = qobject_cast<const WindowedTableView *>(view);
            // The source's index behind a windowed table's cell: its row is the row of every row.
            const QModelIndex at = windowed ? windowed->mapToSource(view->indexAt(pos)) : view->indexAt(pos);
            auto *menu = new QMenu(view);
            menu->setAttribute(Qt::WA_DeleteOnClose);
            QAction *value = menu->addAction(QObject::tr("Copy Value"), view, [at]() {
                copyToClipboard(oneLineText(at.data(Qt::DisplayRole)));
            });
            value->setEnabled(at.isValid());
            QAction *row = menu->addAction(QObject::tr("Copy Row"), view, [view, at]() {
                copyToClipboard(visibleHeader(view).join(QLatin1Char('\t')) + QLatin1Char('\n') +
                                rowTexts(view, at.row(), at.parent()).join(QLatin1Char('\t')));
            });
            row->setEnabled(at.isValid());
            QAction *selection = menu->addAction(QObject::tr("Copy Selection with Header"), view,
                                                 [view]() { copyToClipboard(selectionText(view, true)); });
            selection->setEnabled(windowed
                                      ? !windowed->selectedRowRanges().isEmpty()
                                      : view->selectionModel() && view->selectionModel()->hasSelection());
            menu->addSeparator();
            menu->addAction(QObject::tr("Export Table as CSV…"), view, [view, exportName]() {
                chooseSaveFile(
                    view, QObject::tr("Export the table as CSV"), exportName + QStringLiteral(".csv"),
                    QObject::tr("CSV (*.csv)"), [view](const QString &chosen) {
                        const QString path = withSuffix(chosen, QStringLiteral("csv"));
                        exportTableCsv(view, path, [view, path](const QString &error, qint64 rows) {
                            notify(view, error.isEmpty()
                                             ? QObject::tr("%1 rows written to %2").arg(rows).arg(path)
                                             : QObject::tr("CSV export failed: %1").arg(error));
                        });
                    });
            });
            addCellActions(menu, at, view);
            if (extra) {
                menu->addSeparator();
                extra(menu, at);
            }
            menu->popup(view->viewport()->mapToGlobal(pos));
        });
}

void installImageActions(QWidget *widget, const QString &exportName)
{
    QList<QPair<QChartView *, ChartRightClick *>> zoomable;
    QList<QChartView *> views = widget->findChildren<QChartView *>();
    if (auto *self = qobject_cast<QChartView *>(widget)) views.prepend(self);
    for (QChartView *v : views)
        if (v->rubberBand() != QChartView::NoRubberBand) {
            auto *filter = new ChartRightClick(v);
            v->viewport()->installEventFilter(filter);
            zoomable.append({v, filter});
        }
    widget->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(
        widget, &QWidget::customContextMenuRequested, widget,
        [widget, exportName, zoomable](const QPoint &pos) {
            auto *menu = new QMenu(widget);
            menu->setAttribute(Qt::WA_DeleteOnClose);
            for (const auto &[view, filter] : zoomable) {
                const QPoint inView = view->viewport()->mapFrom(widget, pos);
                if (!view->viewport()->rect().contains(inView)) continue;
                menu->addAction(QObject::tr("Zoom Out"), view,
                                [f = filter, inView]() { f->zoomOut(inView); });
                menu->addSeparator();
                break;
            }
            menu->addAction(QObject::tr("Copy Image"), widget,
                            [widget]() { QApplication::clipboard()->setPixmap(widget->grab()); });
            auto save = [widget, exportName](const QString &suffix, const QString &filter) {
                chooseSaveFile(widget, QObject::tr("Save the chart"), exportName + QLatin1Char('.') + suffix,
                               filter, [widget, suffix](const QString &chosen) {
                                   const QString path = withSuffix(chosen, suffix);
                                   QString error;
                                   notify(widget,
                                          saveWidgetImage(widget, path, &error)
                                              ? QObject::tr("Saved %1").arg(path)
                                              : QObject::tr("Saving the chart failed: %1").arg(error));
                               });
            };
            menu->addAction(QObject::tr("Save as PNG…"), widget,
                            [save]() { save(QStringLiteral("png"), QObject::tr("PNG image (*.png)")); });
            menu->addAction(QObject::tr("Save as SVG…"), widget,
                            [save]() { save(QStringLiteral("svg"), QObject::tr("SVG drawing (*.svg)")); });
            menu->popup(widget->mapToGlobal(pos));
        });
}

} // namespace ikev2wb::ui
