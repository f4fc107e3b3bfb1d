#pragma once
// One row per direction of an endpoint comparison (A → B, B → A): who sends to whom, the SAs,
// sent / received / lost in transit, the packets one capture could not account for, reorder,
// duplicates and the one-way delay. Sorting uses SortRole (raw numbers); DisplayRole is text.
#include "loader/pairloader.h"

#include <QAbstractTableModel>

namespace ikev2wb::ui {

class DirectionModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        ColDirection,
        ColSpis,
        ColSent,
        ColReceived,
        ColLost,
        ColLossPercent,
        ColCaptureDrop,
        ColOutsideSpan,
        ColReordered,
        ColDuplicated,
        ColIkeLost,
        ColOwdMin,
        ColOwdMedian,
        ColOwdP99,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole + 1 };

    explicit DirectionModel(QObject *parent = nullptr);
    void setResult(ComparePtr result);
    [[nodiscard]] const ComparePtr &result() const { return m_result; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    [[nodiscard]] QVariant raw(const DirectionComparison &d, int column) const;

    ComparePtr m_result;
};

} // namespace ikev2wb::ui
