#pragma once
// Heights of tables that must show a few rows whole, whatever the window's size.
class QTableView;

namespace ikev2wb::ui {

/// The height `view` needs to show `rows` rows whole under its header, with room for its
/// horizontal scroll bar (which would otherwise cover the last of them) and its frame.
[[nodiscard]] int heightForRows(const QTableView *view, int rows);

/// Sets heightForRows(view, rows) as the view's minimum height: a splitter or layout short of room
/// shrinks its neighbours instead (at 1366x768 the Overview's SA table showed one and a half rows).
void keepRowsVisible(QTableView *view, int rows);

} // namespace ikev2wb::ui
