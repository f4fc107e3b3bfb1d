#include "packettablemodel.h"
#include "cellroles.h"
#include "widgets/plaintext.h"

#include "dissect/ikeconstants.h"
#include "index/indexbuilder.h"
#include "report/capturesummary.h"
#include "settings/timedisplay.h"
#include "theme/theme.h"

#include <QGuiApplication>
#include <QPalette>

#include <algorithm>

namespace ikev2wb::ui {

PacketTableModel::PacketTableModel(QObject *parent) : QAbstractTableModel(parent)
{
    TimeDisplayChoice &choice = TimeDisplayChoice::instance();
    m_timeMode = choice.mode();
    connect(&choice, &TimeDisplayChoice::changed, this, &PacketTableModel::setTimeDisplay);
}

void PacketTableModel::setTimeDisplay(TimeDisplay mode)
{
    if (mode == m_timeMode) return;
    m_timeMode = mode;
    timeColumnChanged();
}

void PacketTableModel::setReferencePacket(std::optional<quint64> packet)
{
    if (packet && (!m_index || *packet >= m_index->packetCount())) packet.reset();
    m_reference = packet;
    timeColumnChanged();
}

void PacketTableModel::timeColumnChanged()
{
    // The views repaint the cells they show: no per-row work here, whatever the row count.
    Q_EMIT headerDataChanged(Qt::Horizontal, ColTime, ColTime);
    if (m_total > 0) Q_EMIT dataChanged(index(0, ColTime), index(m_total - 1, ColTime));
}

std::optional<quint64> PacketTableModel::previousShownPacket(int row) const
{
    if (row < 0 || row >= m_total) return std::nullopt;
    // Rows in packet order: the row above.
    if (!m_rows) return row > 0 ? std::optional<quint64>(row - 1) : std::nullopt;
    if (!m_inPacketOrder)
        return row > 0 ? std::optional<quint64>((*m_rows)[std::size_t(row - 1)]) : std::nullopt;
    const auto packet = std::uint32_t(packetAt(row));
    const auto it = std::lower_bound(m_inPacketOrder->begin(), m_inPacketOrder->end(), packet);
    if (it == m_inPacketOrder->begin()) return std::nullopt;
    return quint64(*(it - 1));
}

QVariant PacketTableModel::timeData(int row, std::size_t packet, int role) const
{
    const PacketRecord &r = m_index->packets[packet];
    std::int64_t base = m_index->firstNs;
    std::optional<quint64> previous;
    if (m_timeMode == TimeDisplay::SinceReference && m_reference) base = m_index->packets[*m_reference].tsNs;
    if (m_timeMode == TimeDisplay::SincePrevious) {
        previous = previousShownPacket(row);
        base = previous ? m_index->packets[*previous].tsNs : r.tsNs;
    }
    if (role == Qt::DisplayRole) return formatPacketTime(m_timeMode, r.tsNs, base, m_zone);
    const bool backwards = (r.flags & FlagTimeBackwards) && packet > 0;
    // Filtered: a packet may be earlier than the previous shown one though it did not step back
    // itself (one hidden between them did).
    const bool beforePrevious = previous && r.tsNs < base;
    if (!backwards && !beforePrevious) return {};
    if (role == Qt::ForegroundRole) return statusColor(StepStatus::Warn, QGuiApplication::palette());
    if (role != Qt::ToolTipRole) return {};
    if (backwards)
        return tr("Timestamp %1 s earlier than packet %2's, the packet before it in the file: a merged "
                  "capture or a clock stepped back (wb.time_backwards)")
            .arg(formatSeconds(m_index->packets[packet - 1].tsNs - r.tsNs))
            .arg(packet);
    return tr("Timestamp %1 s earlier than packet %2's, the previous shown packet: a packet hidden between "
              "them stepped back in time")
        .arg(formatSeconds(base - r.tsNs))
        .arg(*previous + 1);
}

void PacketTableModel::setIndex(IndexPtr index)
{
    beginResetModel();
    m_index = std::move(index);
    m_rows.reset();
    m_inPacketOrder.reset();
    m_reference.reset();
    m_total = orderRows();
    endResetModel();
}

void PacketTableModel::setPairing(std::shared_ptr<const CompareResult> comparison, int side,
                                  const QString &otherName)
{
    m_comparison = std::move(comparison);
    m_side = side;
    m_otherName = otherName;
    if (m_total > 0) Q_EMIT dataChanged(index(0, 0), index(m_total - 1, ColumnCount - 1));
}

QVariant PacketTableModel::fateData(std::size_t packet, int role) const
{
    const PacketPeer *p = m_comparison ? m_comparison->pairing.find(m_side, packet) : nullptr;
    if (!p) return {};
    if (role == FateRole) return int(p->fate);
    const QPalette palette = QGuiApplication::palette();
    switch (p->fate) {
    case PacketFate::LostInTransit:
        if (role == Qt::ToolTipRole)
            return plainToolTip(tr("Never arrived at %1 (lost in transit)").arg(m_otherName));
        return statusColor(StepStatus::Fail, palette);
    case PacketFate::MissingAtSender:
        if (role == Qt::ToolTipRole)
            return plainToolTip(
                tr("Not in %1's capture though it was running (dropped by the capture)").arg(m_otherName));
        return role == Qt::DecorationRole ? QVariant(statusColor(StepStatus::Warn, palette)) : QVariant();
    case PacketFate::OutsideReceiverSpan:
    case PacketFate::OutsideSenderSpan:
        if (role == Qt::ToolTipRole) return plainToolTip(tr("Outside %1's capture span").arg(m_otherName));
        return role == Qt::DecorationRole ? QVariant(statusColor(StepStatus::NotEnoughEvidence, palette))
                                          : QVariant();
    default:
        return {};
    }
}

int PacketTableModel::orderRows() const
{
    if (!m_index) return 0;
    if (m_rows) return int(m_rows->size());
    // QAbstractItemModel rows are int: very large captures are capped (and the page says so).
    return int(std::min<std::size_t>(m_index->packetCount(), std::size_t(std::numeric_limits<int>::max())));
}

std::vector<std::uint64_t> PacketTableModel::shownFrames() const
{
    std::vector<std::uint64_t> frames;
    const int n = orderRows();
    frames.reserve(std::size_t(n));
    for (int r = 0; r < n; ++r)
        frames.push_back(packetAt(r) + 1);
    if (m_rows) std::sort(frames.begin(), frames.end());
    return frames;
}

int PacketTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_total;
}

void PacketTableModel::setOrder(PacketOrder order)
{
    if (!m_index || order.cancelled) return;
    std::shared_ptr<const std::vector<std::uint32_t>> rows = std::move(order.rows);
    const int newRows = rows ? int(rows->size())
                             : int(std::min<std::size_t>(m_index->packetCount(),
                                                         std::size_t(std::numeric_limits<int>::max())));
    if (newRows != m_total) {
        beginResetModel();
        m_rows = std::move(rows);
        m_inPacketOrder = std::move(order.inPacketOrder);
        m_total = newRows;
        endResetModel();
        return;
    }
    // Same rows, new order: move the persistent indexes (a handful: selection and current row)
    // with their packets, found in one pass over the new order.
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    // The wanted packets (a handful), sorted, with their new rows; the pass over the new order
    // costs one range check per row (a few ms at 10M rows).
    std::vector<std::pair<std::uint32_t, int>> wanted;
    if (before.size() <= 256) {
        for (const QModelIndex &i : before)
            wanted.emplace_back(std::uint32_t(packetAt(i.row())), -1);
        std::sort(wanted.begin(), wanted.end());
        wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    }
    if (!wanted.empty()) {
        const std::uint32_t lo = wanted.front().first, hi = wanted.back().first;
        for (int r = 0; r < newRows; ++r) {
            const std::uint32_t p = rows ? (*rows)[std::size_t(r)] : std::uint32_t(r);
            if (p < lo || p > hi) continue;
            const auto it = std::lower_bound(wanted.begin(), wanted.end(), std::pair(p, -1));
            if (it != wanted.end() && it->first == p) it->second = r;
        }
    }
    QModelIndexList after;
    after.reserve(before.size());
    for (const QModelIndex &i : before) {
        const auto it =
            std::lower_bound(wanted.begin(), wanted.end(), std::pair(std::uint32_t(packetAt(i.row())), -1));
        after.push_back(it != wanted.end() && it->first == std::uint32_t(packetAt(i.row())) && it->second >= 0
                            ? createIndex(it->second, i.column())
                            : QModelIndex());
    }
    m_rows = std::move(rows);
    m_inPacketOrder = std::move(order.inPacketOrder);
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

int PacketTableModel::rowOfPacket(quint64 packet) const
{
    if (!m_index) return -1;
    if (!m_rows) return packet < quint64(m_total) ? int(packet) : -1;
    const auto it = std::find(m_rows->begin(), m_rows->end(), std::uint32_t(packet));
    return it == m_rows->end() ? -1 : int(it - m_rows->begin());
}

int PacketTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PacketTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case ColNumber:
        return tr("No.");
    case ColTime:
        return TimeDisplayChoice::columnTitle(m_timeMode, m_reference ? *m_reference + 1 : 0);
    case ColSource:
        return tr("Source");
    case ColDestination:
        return tr("Destination");
    case ColKind:
        return tr("Kind");
    case ColSpiOrExchange:
        return tr("SPI / Exchange");
    case ColSeqOrMessageId:
        return tr("Seq / Msg ID");
    case ColLength:
        return tr("IP length");
    case ColFlags:
        return tr("Flags");
    default:
        return {};
    }
}

QVariant PacketTableModel::data(const QModelIndex &idx, int role) const
{
    if (!m_index || !idx.isValid() || idx.row() < 0 || idx.row() >= m_total) return {};
    const std::size_t row = std::size_t(packetAt(idx.row()));
    const PacketRecord &r = m_index->packets[row];
    if (role == PacketIndexRole || role == CellRole::Packet) return QVariant::fromValue<qulonglong>(row);
    if (role == CellRole::Side) return m_side;
    if (role == CellRole::Filter) return filterForCell(*m_index, row, idx.column());
    if (role == CellRole::EspSa) {
        // The menu asks once per right click; an index holds tens of SAs.
        if (!r.isEsp()) return {};
        for (std::size_t s = 0; s < m_index->espSas.size(); ++s)
            if (m_index->espSas[s].spi == r.spi() && m_index->espSas[s].flowId == r.flowId) return int(s);
        return {};
    }
    if (idx.column() == ColTime &&
        (role == Qt::DisplayRole || role == Qt::ToolTipRole || role == Qt::ForegroundRole)) {
        QVariant v = timeData(idx.row(), row, role);
        if (v.isValid() || role == Qt::DisplayRole) return v;
    }
    // A pair: the packet's fate at the other end (a mark in the No. column, lost rows in colour).
    if (m_comparison && r.isEsp() &&
        (role == FateRole || role == Qt::ToolTipRole || role == Qt::ForegroundRole ||
         (role == Qt::DecorationRole && idx.column() == ColNumber)))
        return fateData(row, role);
    if (role == Qt::TextAlignmentRole) {
        if (idx.column() == ColNumber || idx.column() == ColTime || idx.column() == ColLength ||
            idx.column() == ColSeqOrMessageId)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    if (role != Qt::DisplayRole) return {};
    const bool hasFlow = r.flowId != kNoFlow && r.flowId < m_index->flows.size();
    switch (idx.column()) {
    case ColNumber:
        return QString::number(row + 1);
    case ColSource:
        return hasFlow ? endpointText(m_index->flows[r.flowId].src, m_index->flows[r.flowId].srcPort)
                       : QString();
    case ColDestination:
        return hasFlow ? endpointText(m_index->flows[r.flowId].dst, m_index->flows[r.flowId].dstPort)
                       : QString();
    case ColKind:
        return QString::fromLatin1(packetKindName(r.kind));
    case ColSpiOrExchange:
        if (r.isEsp()) return spiText(r.a);
        if (r.isIke()) return exchangeText(r.aux, (r.flags & FlagIkeResponse) != 0);
        if (r.kind == PacketKind::IcmpNeedFrag || r.kind == PacketKind::Icmp6TooBig)
            return tr("MTU %1").arg(r.b);
        return QString();
    case ColSeqOrMessageId:
        return (r.isEsp() || r.isIke()) ? QString::number(r.b) : QString();
    case ColLength:
        return r.ipLength ? QString::number(r.ipLength) : QString();
    case ColFlags:
        return flagsText(r.flags);
    default:
        return {};
    }
}

} // namespace ikev2wb::ui
