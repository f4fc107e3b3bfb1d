#include "tablesizing.h"

#include <QHeaderView>
#include <QScrollBar>
#include <QStyle>
#include <QTableView>

namespace ikev2wb::ui {

int heightForRows(const QTableView *view, int rows)
{
    const QHeaderView *header = view->horizontalHeader();
    const int headerHeight = header->isHidden() ? 0 : header->sizeHint().height();
    const int scrollBar = view->style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, view);
    return headerHeight + rows * view->verticalHeader()->defaultSectionSize() + scrollBar +
           2 * view->frameWidth();
}

void keepRowsVisible(QTableView *view, int rows)
{
    view->setMinimumHeight(heightForRows(view, rows));
}

} // namespace ikev2wb::ui
