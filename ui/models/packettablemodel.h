#pragma once
// One row per packet of a CaptureIndex. Reads the compact records directly, so it stays fast
// at millions of rows; SortRole returns raw numbers for the proxy.
#include "loader/captureloader.h"

#include <QAbstractTableModel>

namespace ikev2wb::ui {

class PacketTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        ColNumber,
        ColTime,
        ColSource,
        ColDestination,
        ColKind,
        ColSpiOrExchange,
        ColSeqOrMessageId,
        ColLength,
        ColFlags,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole + 1, PacketIndexRole };

    explicit PacketTableModel(QObject *parent = nullptr);
    void setIndex(IndexPtr index);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    IndexPtr m_index;
};

} // namespace ikev2wb::ui
