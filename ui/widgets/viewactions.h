#pragma once
// What an engineer's right hand expects on every table and chart: copy a value, a row or the
// selection; export the table as CSV; save a chart as PNG or SVG. Pages add their own entries
// (export packets, time reference) through ExtraActions; the entries that navigate from a
// cell (filter on this value, follow this SA, open in Wireshark) are cellnavigation.h's.
//
// Exports never block the window: a file name is chosen in a window-modal dialog opened with
// open() (no nested event loop), a large table is written in slices of a few milliseconds on the
// GUI thread (the model lives there) with a cancellable progress bar, and the file goes in place
// only when complete (OutputFile: nothing half-written, a symbolic link is not followed).
#include <QString>
#include <QStringList>

#include <functional>

class QAbstractItemModel;
class QAbstractItemView;
class QMenu;
class QModelIndex;
class QWidget;

namespace ikev2wb::ui {

/// Adds the page's own entries for the cell under the cursor (`index` may be invalid).
using ExtraActions = std::function<void(QMenu *menu, const QModelIndex &index)>;

/// Context menu and Ctrl+C on a table or tree view: Copy Value, Copy Rows, Copy Selection
/// (tab-separated, with the header), Export Table as CSV…; inside a capture tab the cell's
/// navigation entries (cellnavigation.h: filter on this value, follow this SA, open in
/// Wireshark, the other end's packet); then `extra`'s entries.
/// `exportName` is the suggested file name (without extension).
void installTableActions(QAbstractItemView *view, const QString &exportName, ExtraActions extra = {});

/// Context menu on a drawn widget (charts, the IKE ladder): Copy Image, Save as PNG…, Save as SVG….
void installImageActions(QWidget *widget, const QString &exportName);

/// The header's texts of the columns `view` shows, in order.
[[nodiscard]] QStringList visibleHeader(const QAbstractItemView *view);
/// The display texts of `row` (under `parent`) in the columns `view` shows.
[[nodiscard]] QStringList rowTexts(const QAbstractItemView *view, int row, const QModelIndex &parent);
/// The selected cells as tab-separated lines (rows in view order, columns in view order), with
/// the header line first when `withHeader`; a single cell is its bare text.
[[nodiscard]] QString selectionText(const QAbstractItemView *view, bool withHeader);

/// Writes `view`'s whole model (every row, depth first for trees; the columns shown) as CSV to
/// `path`, in slices on the GUI thread; `done` is called with an empty error on success.
void exportTableCsv(QAbstractItemView *view, const QString &path,
                    std::function<void(const QString &error, qint64 rows)> done);

/// Saves `widget` as an SVG (vector for charts) or PNG file. False with `error`.
bool saveWidgetImage(QWidget *widget, const QString &path, QString *error);

/// Shows `message` in the status bar of `widget`'s main window for a while (no modal box).
void notify(QWidget *widget, const QString &message);

} // namespace ikev2wb::ui
