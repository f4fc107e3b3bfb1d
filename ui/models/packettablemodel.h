#pragma once
// One row per shown packet of a CaptureIndex. Reads the compact records directly, so it stays
// fast at millions of rows. Sorting and filtering are a row → packet permutation computed on a
// worker (packetorder.h) and applied here with setOrder(); no permutation means packet order.
#include "compare/endpointcompare.h"
#include "models/packetorder.h"
#include "sharedtypes.h"
#include "util/timeformat.h"

#include <QAbstractTableModel>
#include <QTimeZone>

#include <optional>

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
    /// FateRole: the PacketFate (int) of an ESP packet of a pair's tunnel, invalid otherwise.
    enum Role { PacketIndexRole = Qt::UserRole + 2, FateRole };

    explicit PacketTableModel(QObject *parent = nullptr);
    /// Shows every packet of `index` in packet order.
    void setIndex(IndexPtr index);
    [[nodiscard]] const IndexPtr &captureIndex() const { return m_index; }
    /// A pair: this capture is side `side` (0 = A) of `comparison`, the other end is called
    /// `otherName`. Packets lost in transit (and those the other capture could not see) get a
    /// mark in the No. column in the theme's colour, a tooltip, and FateRole.
    void setPairing(std::shared_ptr<const CompareResult> comparison, int side, const QString &otherName);
    /// How the Time column reads (TimeDisplayChoice follows the program's choice by default).
    void setTimeDisplay(TimeDisplay mode);
    [[nodiscard]] TimeDisplay timeDisplay() const { return m_timeMode; }
    /// The packet (0-based) times are relative to in TimeDisplay::SinceReference; none: the
    /// capture start.
    void setReferencePacket(std::optional<quint64> packet);
    [[nodiscard]] std::optional<quint64> referencePacket() const { return m_reference; }
    /// The packet shown before `row`'s in packet order (what "since the previous shown packet"
    /// subtracts), none for the first shown.
    [[nodiscard]] std::optional<quint64> previousShownPacket(int row) const;

    /// Shows the rows of `order` (computed for this model's index). Same row count: a layout
    /// change that keeps persistent indexes (selection, current row) on their packets; otherwise
    /// a reset.
    void setOrder(PacketOrder order);
    [[nodiscard]] bool isIdentityOrder() const { return !m_rows; }
    /// The packet shown in `row`.
    [[nodiscard]] quint64 packetAt(int row) const
    {
        return m_rows ? quint64((*m_rows)[std::size_t(row)]) : quint64(row);
    }
    /// Every packet of the current order, 1-based frame numbers in ascending order: what "Export
    /// Shown Packets" writes.
    [[nodiscard]] std::vector<std::uint64_t> shownFrames() const;
    /// How many packets the current order shows.
    [[nodiscard]] int shownCount() const { return orderRows(); }
    /// The row showing `packet`, -1 when the filter hides it (a scan of the rows when sorted).
    [[nodiscard]] int rowOfPacket(quint64 packet) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    [[nodiscard]] int orderRows() const;
    [[nodiscard]] QVariant fateData(std::size_t packet, int role) const;
    /// The Time cell: its text in the current mode; a timestamp going backwards in the warning
    /// colour with a tooltip saying by how much (empty QVariant: not the Time column's business).
    [[nodiscard]] QVariant timeData(int row, std::size_t packet, int role) const;
    void timeColumnChanged();

    IndexPtr m_index;
    std::shared_ptr<const CompareResult> m_comparison;
    int m_side = 0;
    QString m_otherName;
    std::shared_ptr<const std::vector<std::uint32_t>> m_rows;
    std::shared_ptr<const std::vector<std::uint32_t>> m_inPacketOrder; // see PacketOrder
    TimeDisplay m_timeMode = TimeDisplay::SinceStart;
    std::optional<quint64> m_reference;
    QTimeZone m_zone = QTimeZone::systemTimeZone();
    int m_total = 0; // rows in the current order
};

} // namespace ikev2wb::ui
