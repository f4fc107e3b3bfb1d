#include "directionmodel.h"
#include "cellroles.h"
#include "packetorder.h"
#include "theme/theme.h"
#include "widgets/plaintext.h"

#include <QGuiApplication>

#include <QBrush>
#include <QColor>
#include <QFileInfo>
#include <QFont>

namespace ikev2wb::ui {

namespace {
QString sideText(const CompareResult &r, int side)
{
    QStringList addrs;
    for (const IpAddress &a : r.side[side].localAddresses)
        addrs << QString::fromStdString(a.toString());
    return QStringLiteral("%1 %2").arg(side == 0 ? QStringLiteral("A") : QStringLiteral("B"),
                                       addrs.isEmpty() ? QStringLiteral("?")
                                                       : addrs.join(QStringLiteral(", ")));
}

bool isOwd(int column)
{
    return column == DirectionModel::ColOwdMin || column == DirectionModel::ColOwdMedian ||
           column == DirectionModel::ColOwdP99;
}
} // namespace

DirectionModel::DirectionModel(QObject *parent) : QAbstractTableModel(parent) {}

void DirectionModel::setResult(ComparePtr result)
{
    beginResetModel();
    m_result = std::move(result);
    endResetModel();
}

int DirectionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_result ? 0 : 2;
}

int DirectionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DirectionModel::raw(const DirectionComparison &d, int column) const
{
    switch (column) {
    case ColDirection:
        return d.from;
    case ColSpis:
        return d.spis.join(QLatin1Char(' '));
    case ColSent:
        return quint64(d.sent);
    case ColReceived:
        return quint64(d.received);
    case ColLost:
        return quint64(d.lostInTransit.size());
    case ColLossPercent:
        return d.sent ? 100.0 * double(d.lostInTransit.size()) / double(d.sent) : 0.0;
    case ColCaptureDrop:
        return quint64(d.captureDropAtSender.size());
    case ColOutsideSpan:
        return quint64(d.outsideSenderSpan.size() + d.outsideReceiverSpan.size());
    case ColReordered:
        return quint64(d.reordered);
    case ColDuplicated:
        return quint64(d.duplicated);
    case ColIkeLost:
        return quint64(d.ikeLost);
    case ColOwdMin:
        return d.owd.samples ? QVariant(d.owd.minMs) : QVariant();
    case ColOwdMedian:
        return d.owd.samples ? QVariant(d.owd.medianMs) : QVariant();
    case ColOwdP99:
        return d.owd.samples ? QVariant(d.owd.p99Ms) : QVariant();
    default:
        return {};
    }
}

QVariant DirectionModel::data(const QModelIndex &index, int role) const
{
    if (!m_result || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CompareResult &r = *m_result;
    const DirectionComparison &d = r.directions[index.row()];
    const int col = index.column();
    switch (role) {
    case SortRole:
        return raw(d, col);
    case CellRole::Side: // the sender's capture: the packets it sent
        return d.from;
    case CellRole::Filter:
        if (col == ColSpis && !d.spis.isEmpty())
            return d.spis.size() == 1
                       ? QString(QStringLiteral("esp.spi == ") + d.spis.first())
                       : QStringLiteral("esp.spi in {%1}").arg(d.spis.join(QStringLiteral(", ")));
        if (col == ColDirection && !r.side[d.from].localAddresses.empty() &&
            !r.side[d.from].peerAddresses.empty())
            return QString(addressFilter(r.side[d.from].localAddresses.front(), true) +
                           QStringLiteral(" && ") +
                           addressFilter(r.side[d.from].peerAddresses.front(), false));
        return {};
    case Qt::DisplayRole: {
        if (col == ColDirection)
            return QString(sideText(r, d.from) + QStringLiteral("  →  ") + sideText(r, 1 - d.from));
        // Rekeys make long SPI lists: the first SA and how many more (all in the tooltip).
        if (col == ColSpis && d.spis.size() > 1)
            return tr("%1 +%2").arg(d.spis.first()).arg(d.spis.size() - 1);
        if (col == ColLossPercent) return QString::number(raw(d, col).toDouble(), 'f', 2);
        if (isOwd(col)) {
            if (!d.owd.samples) return QStringLiteral("–");
            return QString::number(raw(d, col).toDouble(), 'f', 3);
        }
        return raw(d, col).toString();
    }
    case Qt::TextAlignmentRole:
        return col == ColDirection || col == ColSpis ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                                     : int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if ((col == ColLost || col == ColLossPercent || col == ColIkeLost) && raw(d, col).toDouble() > 0)
            return QBrush(roleColor(ColorRole::Bad, QGuiApplication::palette()));
        return {};
    case Qt::FontRole:
        if (col == ColLost || col == ColLossPercent) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::ToolTipRole:
        if (col == ColDirection)
            return plainToolTip(tr("%1 (%2) sends, %3 (%4) receives")
                                    .arg(sideText(r, d.from), QFileInfo(r.side[d.from].file.path).fileName(),
                                         sideText(r, 1 - d.from),
                                         QFileInfo(r.side[1 - d.from].file.path).fileName()));
        if (col == ColSpis) return d.spis.join(QLatin1Char('\n'));
        if (isOwd(col) && !d.owdAbsolute)
            return tr("Relative to the smallest delay seen: the clock offset could not be identified");
        return {};
    default:
        return {};
    }
}

QVariant DirectionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case ColDirection:
            return tr("From → to");
        case ColSpis:
            return tr("SPIs");
        case ColSent:
            return tr("Sent");
        case ColReceived:
            return tr("Received");
        case ColLost:
            return tr("Lost in transit");
        case ColLossPercent:
            return tr("Loss %");
        case ColCaptureDrop:
            return tr("Capture drops");
        case ColOutsideSpan:
            return tr("Outside span");
        case ColReordered:
            return tr("Reordered");
        case ColDuplicated:
            return tr("Duplicated");
        case ColIkeLost:
            return tr("IKE lost");
        case ColOwdMin:
            return tr("OWD min ms");
        case ColOwdMedian:
            return tr("OWD median ms");
        case ColOwdP99:
            return tr("OWD p99 ms");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ColSent:
            return tr("Distinct ESP sequence numbers in the sender's capture");
        case ColReceived:
            return tr("Distinct ESP sequence numbers in the receiver's capture");
        case ColLost:
            return tr("Seen leaving the sender, never seen at the receiver: lost between the two "
                      "capture points");
        case ColCaptureDrop:
            return tr("Seen at the receiver but missing from the sender's capture while it ran: "
                      "the sender's capture dropped them, the network did not");
        case ColOutsideSpan:
            return tr("Sent or due while the other capture was not running: neither lost nor delivered");
        case ColReordered:
            return tr("Arrived after a higher sequence number of their SA");
        case ColDuplicated:
            return tr("Extra copies at the receiver");
        case ColIkeLost:
            return tr("IKE messages sent and never received");
        case ColOwdMin:
        case ColOwdMedian:
        case ColOwdP99:
            return tr("One-way delay (receiver's time − sender's time − clock offset)");
        default:
            return {};
        }
    }
    return {};
}

} // namespace ikev2wb::ui
