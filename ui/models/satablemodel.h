#pragma once
// One row per ESP SA of a capture (CaptureIndex::espSas order): SPI, outer src → dst, encap,
// packets, bytes, the sequence range, what the sequence analysis found (missing, reordered,
// duplicates, reorder extent, the smallest replay window that drops nothing) and the time span.
// The index fills the identity columns at once; the analysis columns stay empty until
// setAnalysis(). SortRole returns raw numbers, DisplayRole formatted text.
#include "sharedtypes.h"

#include <QAbstractTableModel>

namespace ikev2wb::ui {

class SaTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        ColSpi,
        ColSource,
        ColDestination,
        ColEncap,
        ColPackets,
        ColBytes,
        ColFirstSeq,
        ColLastSeq,
        ColMissing,
        ColReordered,
        ColDuplicates,
        ColMaxReorder,
        ColMinSafeWindow,
        ColMaxOuter,
        ColFirstTime,
        ColLastTime,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,
        SaIndexRole, // int: index into CaptureIndex::espSas
    };

    explicit SaTableModel(QObject *parent = nullptr);
    void setIndex(IndexPtr index);
    void setAnalysis(AnalysisPtr analysis);
    [[nodiscard]] const IndexPtr &captureIndex() const { return m_index; }
    /// The row of ESP SA `spi` (first match), -1 if none.
    [[nodiscard]] int rowOfSpi(quint32 spi) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    [[nodiscard]] QVariant raw(int row, int column) const;
    [[nodiscard]] const EspSaSequence *sequence(int row) const;

    IndexPtr m_index;
    AnalysisPtr m_analysis;
    std::vector<int> m_sequenceOfSa; // espSas index → index into analysis->esp.sas, -1 if none
};

} // namespace ikev2wb::ui
