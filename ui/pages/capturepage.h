#pragma once
// One opened capture: its overview text and the packet table with a kind filter.
#include "loader/captureloader.h"

#include <QWidget>

class QLineEdit;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTableView;
class QLabel;

namespace ikev2wb::ui {

class PacketTableModel;

class CapturePage final : public QWidget
{
    Q_OBJECT
public:
    explicit CapturePage(IndexPtr index, QWidget *parent = nullptr);
    [[nodiscard]] const IndexPtr &index() const { return m_index; }

private:
    IndexPtr m_index;
    PacketTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_summary = nullptr;
    QLineEdit *m_filter = nullptr;
};

} // namespace ikev2wb::ui
