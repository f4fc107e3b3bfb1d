#include "satablemodel.h"
#include "cellroles.h"
#include "packetorder.h"

#include "report/capturesummary.h"
#include "settings/timedisplay.h"
#include "util/textformat.h"

namespace ikev2wb::ui {

SaTableModel::SaTableModel(QObject *parent) : QAbstractTableModel(parent)
{
    // View ▸ Time Display: dates in UTC or local time; the relative choices read as seconds since
    // the capture start (an SA has no previous shown packet).
    connect(&TimeDisplayChoice::instance(), &TimeDisplayChoice::changed, this, [this]() {
        Q_EMIT headerDataChanged(Qt::Horizontal, ColFirstTime, ColLastTime);
        if (rowCount() > 0) Q_EMIT dataChanged(index(0, ColFirstTime), index(rowCount() - 1, ColLastTime));
    });
}

void SaTableModel::setIndex(IndexPtr index)
{
    beginResetModel();
    m_index = std::move(index);
    m_analysis.reset();
    m_sequenceOfSa.assign(m_index ? m_index->espSas.size() : 0, -1);
    endResetModel();
}

void SaTableModel::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    std::fill(m_sequenceOfSa.begin(), m_sequenceOfSa.end(), -1);
    if (m_analysis)
        for (std::size_t i = 0; i < m_analysis->esp.sas.size(); ++i) {
            const std::uint32_t sa = m_analysis->esp.sas[i].saIndex;
            if (sa < m_sequenceOfSa.size()) m_sequenceOfSa[sa] = int(i);
        }
    // Same rows, new values: a dataChanged keeps the views' selection and scroll position.
    if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int SaTableModel::rowOfSpi(quint32 spi) const
{
    if (!m_index) return -1;
    for (std::size_t i = 0; i < m_index->espSas.size(); ++i)
        if (m_index->espSas[i].spi == spi) return int(i);
    return -1;
}

int SaTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_index ? 0 : int(m_index->espSas.size());
}

int SaTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const EspSaSequence *SaTableModel::sequence(int row) const
{
    if (!m_analysis || row < 0 || std::size_t(row) >= m_sequenceOfSa.size()) return nullptr;
    const int s = m_sequenceOfSa[std::size_t(row)];
    return s < 0 ? nullptr : &m_analysis->esp.sas[std::size_t(s)];
}

QVariant SaTableModel::raw(int row, int column) const
{
    const EspSa &sa = m_index->espSas[std::size_t(row)];
    const Flow &fl = m_index->flows[sa.flowId];
    const EspSaSequence *seq = sequence(row);
    switch (column) {
    case ColSpi:
        return quint32(sa.spi);
    case ColSource:
        return QString::fromStdString(fl.src.toString());
    case ColDestination:
        return QString::fromStdString(fl.dst.toString());
    case ColEncap:
        return sa.encap == Encapsulation::Udp ? QStringLiteral("ESP-in-UDP") : QStringLiteral("ESP");
    case ColPackets:
        return quint64(sa.packets);
    case ColBytes:
        return quint64(sa.bytes);
    case ColMaxOuter:
        return uint(sa.maxIpLength);
    case ColFirstTime:
        return qint64(sa.firstNs);
    case ColLastTime:
        return qint64(sa.lastNs);
    default:
        break;
    }
    if (!seq) return {}; // analysis columns: not there yet
    switch (column) {
    case ColFirstSeq:
        return quint64(seq->firstSeq);
    case ColLastSeq:
        return quint64(seq->lastSeq);
    case ColMissing:
        return quint64(seq->missing);
    case ColReordered:
        return quint64(seq->reordered);
    case ColDuplicates:
        return quint64(seq->duplicates);
    case ColMaxReorder:
        return quint64(seq->maxReorderDistance);
    case ColMinSafeWindow:
        return quint64(seq->minWindowExact);
    default:
        return {};
    }
}

QVariant SaTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const int row = index.row();
    const int column = index.column();
    switch (role) {
    case SortRole:
        return raw(row, column);
    case SaIndexRole:
    case CellRole::EspSa:
        return row;
    case CellRole::Filter: {
        const EspSa &sa = m_index->espSas[std::size_t(row)];
        const Flow &fl = m_index->flows[sa.flowId];
        if (column == ColSpi) return spiFilter(sa.spi);
        if (column == ColSource || column == ColDestination)
            return addressFilter(column == ColSource ? fl.src : fl.dst, column == ColSource);
        // As the Packets table's Kind column: ESP-in-UDP or plain ESP packets.
        if (column == ColEncap)
            return sa.encap == Encapsulation::Udp ? QStringLiteral("esp && udp")
                                                  : QStringLiteral("esp && !udp");
        return {};
    }
    case Qt::TextAlignmentRole:
        return column >= ColPackets ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::ToolTipRole:
        if (column == ColFirstTime || column == ColLastTime)
            return epochSecondsText(raw(row, column).toLongLong());
        if (column == ColMissing)
            return tr("Sequence numbers that never arrived at this capture point (loss as seen here)");
        if (column == ColMinSafeWindow)
            return tr("Smallest receiver anti-replay window that would have dropped none of these packets");
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    const QVariant v = raw(row, column);
    if (!v.isValid())
        return column >= ColFirstSeq && column <= ColMinSafeWindow ? QStringLiteral("…") : QString();
    switch (column) {
    case ColSpi:
        return spiText(v.toUInt());
    case ColFirstTime:
    case ColLastTime:
        return TimeDisplayChoice::eventTimeText(v.toLongLong(), m_index->firstNs);
    case ColSource:
    case ColDestination:
    case ColEncap:
        return v;
    default:
        return QString::number(v.toULongLong());
    }
}

QVariant SaTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ColFirstSeq:
            return tr("Lowest ESP sequence number seen");
        case ColLastSeq:
            return tr("Highest ESP sequence number seen");
        case ColMissing:
            return tr("Sequence numbers absent between the lowest and the highest: loss before this "
                      "capture point");
        case ColReordered:
            return tr("Packets that arrived after a higher number and filled a gap (RFC 4737)");
        case ColMaxReorder:
            return tr("Largest reordering extent, in packets (RFC 4737)");
        case ColMinSafeWindow:
            return tr("Smallest receiver anti-replay window that drops none of these packets: the deepest "
                      "reordering + 1, exactly (the JSON's min_safe_window is the smallest of the emulated "
                      "windows 32, 64, … 4096 that drops none)");
        case ColMaxOuter:
            return tr("Largest outer IP packet of the SA, in bytes");
        case ColFirstTime:
        case ColLastTime: {
            const TimeDisplay mode = TimeDisplayChoice::instance().mode();
            if (mode == TimeDisplay::Utc) return tr("Date and time in UTC (View ▸ Time Display)");
            if (mode == TimeDisplay::Local)
                return tr("Date and time on this machine's clock (View ▸ Time Display)");
            return tr("Seconds since the first packet of the capture (View ▸ Time Display: dates in UTC or "
                      "local time)");
        }
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case ColSpi:
        return tr("SPI");
    case ColSource:
        return tr("Source");
    case ColDestination:
        return tr("Destination");
    case ColEncap:
        return tr("Encap");
    case ColPackets:
        return tr("Packets");
    case ColBytes:
        return tr("Bytes");
    case ColFirstSeq:
        return tr("First seq");
    case ColLastSeq:
        return tr("Last seq");
    case ColMissing:
        return tr("Missing");
    case ColReordered:
        return tr("Reordered");
    case ColDuplicates:
        return tr("Duplicates");
    case ColMaxReorder:
        return tr("Max reorder");
    case ColMinSafeWindow:
        return tr("Min window");
    case ColMaxOuter:
        return tr("Max outer");
    case ColFirstTime: // with its unit or zone, as the Evidence log's Capture time
        return TimeDisplayChoice::eventTimeTitle(tr("First"));
    case ColLastTime:
        return TimeDisplayChoice::eventTimeTitle(tr("Last"));
    default:
        return {};
    }
}

} // namespace ikev2wb::ui
