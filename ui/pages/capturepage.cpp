#include "capturepage.h"

#include "models/packettablemodel.h"
#include "report/capturesummary.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace ikev2wb::ui {

CapturePage::CapturePage(IndexPtr index, QWidget *parent) : QWidget(parent), m_index(std::move(index))
{
    auto *layout = new QVBoxLayout(this);
    auto *splitter = new QSplitter(Qt::Vertical, this);

    m_summary = new QPlainTextEdit(splitter);
    m_summary->setReadOnly(true);
    m_summary->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_summary->setPlainText(summaryText(*m_index, summarize(*m_index)));

    auto *tablePane = new QWidget(splitter);
    auto *tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    m_filter = new QLineEdit(tablePane);
    m_filter->setPlaceholderText(tr("Filter packets by kind, address, SPI or exchange (e.g. esp, 0x12345678, IKE_AUTH)"));
    m_filter->setClearButtonEnabled(true);
    tableLayout->addWidget(m_filter);

    m_model = new PacketTableModel(this);
    m_model->setIndex(m_index);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(PacketTableModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table = new QTableView(tablePane);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(PacketTableModel::ColNumber, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    tableLayout->addWidget(m_table);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    splitter->addWidget(m_summary);
    splitter->addWidget(tablePane);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter);
    for (int c = 0; c < PacketTableModel::ColFlags; ++c)
        m_table->resizeColumnToContents(c);
}

} // namespace ikev2wb::ui
