#include "packettablemodel.h"

#include "dissect/ikeconstants.h"
#include "index/indexbuilder.h"
#include "report/capturesummary.h"

#include <QStringList>

namespace ikev2wb::ui {

PacketTableModel::PacketTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void PacketTableModel::setIndex(IndexPtr index)
{
    beginResetModel();
    m_index = std::move(index);
    endResetModel();
}

int PacketTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_index) return 0;
    // QAbstractItemModel rows are int: very large captures are capped (and the page says so).
    return int(std::min<std::size_t>(m_index->packetCount(), std::size_t(std::numeric_limits<int>::max())));
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
        return tr("Time (s)");
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
    if (!m_index || !idx.isValid() || idx.row() < 0 || std::size_t(idx.row()) >= m_index->packetCount())
        return {};
    const std::size_t row = std::size_t(idx.row());
    const PacketRecord &r = m_index->packets[row];
    if (role == PacketIndexRole) return QVariant::fromValue<qulonglong>(row);
    const bool hasFlow = r.flowId != kNoFlow && r.flowId < m_index->flows.size();
    if (role == SortRole) {
        switch (idx.column()) {
        case ColNumber:
            return QVariant::fromValue<qulonglong>(row);
        case ColTime:
            return QVariant::fromValue<qlonglong>(r.tsNs);
        case ColKind:
            return int(r.kind);
        case ColSpiOrExchange:
            return r.isEsp() ? QVariant(r.a) : QVariant(unsigned(r.aux));
        case ColSeqOrMessageId:
            return (r.isEsp() || r.isIke()) ? QVariant(r.b) : QVariant();
        case ColLength:
            return unsigned(r.ipLength);
        default:
            break;
        }
        // Text columns sort as text.
    }
    if (role != Qt::DisplayRole && role != SortRole) {
        if (role == Qt::TextAlignmentRole && (idx.column() == ColNumber || idx.column() == ColTime ||
                                              idx.column() == ColLength || idx.column() == ColSeqOrMessageId))
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    switch (idx.column()) {
    case ColNumber:
        return QString::number(row + 1);
    case ColTime:
        return QString::number(double(r.tsNs - m_index->firstNs) / 1e9, 'f', 6);
    case ColSource:
        return hasFlow ? endpointText(m_index->flows[r.flowId].src, m_index->flows[r.flowId].srcPort)
                       : QString();
    case ColDestination:
        return hasFlow ? endpointText(m_index->flows[r.flowId].dst, m_index->flows[r.flowId].dstPort)
                       : QString();
    case ColKind:
        return QString::fromLatin1(packetKindName(r.kind));
    case ColSpiOrExchange:
        if (r.isEsp()) return QStringLiteral("0x%1").arg(r.a, 8, 16, QLatin1Char('0'));
        if (r.isIke()) {
            const auto name = ike::exchangeName(r.aux);
            QString text = name.empty() ? QString::number(r.aux)
                                        : QString::fromLatin1(name.data(), qsizetype(name.size()));
            return QString(text + ((r.flags & FlagIkeResponse) ? tr(" response") : tr(" request")));
        }
        if (r.kind == PacketKind::IcmpNeedFrag || r.kind == PacketKind::Icmp6TooBig)
            return tr("MTU %1").arg(r.b);
        return QString();
    case ColSeqOrMessageId:
        return (r.isEsp() || r.isIke()) ? QString::number(r.b) : QString();
    case ColLength:
        return r.ipLength ? QString::number(r.ipLength) : QString();
    case ColFlags: {
        QStringList f;
        if (r.flags & FlagDontFragment) f << QStringLiteral("DF");
        if (r.flags & FlagFragment) f << QStringLiteral("frag");
        if (r.flags & FlagSnapTruncated) f << QStringLiteral("snap");
        if (r.flags & FlagMalformed) f << QStringLiteral("malformed");
        return f.join(QLatin1Char(' '));
    }
    default:
        return {};
    }
}

} // namespace ikev2wb::ui
