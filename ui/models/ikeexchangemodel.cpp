#include "ikeexchangemodel.h"
#include "cellroles.h"
#include "packetorder.h"

#include "dissect/ikeconstants.h"
#include "settings/timedisplay.h"
#include "util/textformat.h"

#include <QStringList>

namespace ikev2wb::ui {

namespace {

QString notifyText(std::uint16_t type)
{
    const auto n = ike::notifyName(type);
    return n.empty() ? QString::number(type) : QString::fromLatin1(n.data(), qsizetype(n.size()));
}

QString fragmentText(const IkeFragmentSet &f)
{
    if (f.total == 0) return {};
    QString text = QObject::tr("%1 of %2").arg(f.seen.size()).arg(f.total);
    if (!f.missing.empty()) {
        QStringList missing;
        for (const std::uint16_t m : f.missing)
            missing << QString::number(m);
        text += QObject::tr(" (missing %1)").arg(missing.join(QStringLiteral(", ")));
    }
    return text;
}

} // namespace

IkeExchangeModel::IkeExchangeModel(QObject *parent) : QAbstractTableModel(parent)
{
    // View ▸ Time Display: the Time column's text and title.
    connect(&TimeDisplayChoice::instance(), &TimeDisplayChoice::changed, this, [this]() {
        Q_EMIT headerDataChanged(Qt::Horizontal, ColTime, ColTime);
        if (rowCount() > 0) Q_EMIT dataChanged(index(0, ColTime), index(rowCount() - 1, ColTime));
    });
}

void IkeExchangeModel::setData(IndexPtr index, AnalysisPtr analysis, int ikeSa,
                               std::shared_ptr<const CompareResult> comparison, int side)
{
    beginResetModel();
    m_index = std::move(index);
    m_analysis = std::move(analysis);
    m_ikeSa = ikeSa;
    // The outcomes are core's judgement, the same words as the IKE ladder's.
    m_outcomes = sa() ? judgeIkeSa(*m_index, *sa(), comparison.get(), side) : IkeSaOutcomes{};
    endResetModel();
}

const IkeSaExchanges *IkeExchangeModel::sa() const
{
    if (!m_index || !m_analysis || m_ikeSa < 0 || std::size_t(m_ikeSa) >= m_analysis->ike.ikeSas.size())
        return nullptr;
    return &m_analysis->ike.ikeSas[std::size_t(m_ikeSa)];
}

int IkeExchangeModel::rowCount(const QModelIndex &parent) const
{
    const IkeSaExchanges *s = sa();
    return parent.isValid() || !s ? 0 : int(s->exchanges.size());
}

int IkeExchangeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant IkeExchangeModel::sortValue(const IkeExchange &ex, int column) const
{
    switch (column) {
    case ColTime:
        return qint64(ex.requestNs >= 0 ? ex.requestNs : ex.responseNs);
    case ColExchange:
        return uint(ex.exchange);
    case ColMessageId:
        return uint(ex.messageId);
    case ColRequest:
        return ex.requestMessages.empty()
                   ? QVariant()
                   : QVariant(qulonglong(m_index->ikeMessages[ex.requestMessages.front()].packet));
    case ColResponse:
        return ex.responseMessages.empty()
                   ? QVariant()
                   : QVariant(qulonglong(m_index->ikeMessages[ex.responseMessages.front()].packet));
    case ColRetransmissions:
        return uint(ex.retransmissions.size() + ex.responseRetransmissions);
    default:
        return display(ex, column);
    }
}

QVariant IkeExchangeModel::display(const IkeExchange &ex, int column) const
{
    const IkeSaExchanges &s = *sa();
    switch (column) {
    case ColTime:
        return TimeDisplayChoice::eventTimeText(ex.requestNs >= 0 ? ex.requestNs : ex.responseNs,
                                                m_index->firstNs);
    case ColPeers: {
        const IpAddress &from = ex.byInitiator ? s.initiator : s.responder;
        const IpAddress &to = ex.byInitiator ? s.responder : s.initiator;
        return tr("%1 → %2").arg(QString::fromStdString(from.toString()),
                                 QString::fromStdString(to.toString()));
    }
    case ColExchange: {
        // What it was for where that says more than its type ("CREATE_CHILD_SA (child rekey)").
        const QString type = exchangeTypeText(ex.exchange);
        const QString cls = QString::fromLatin1(exchangeClassName(ex.cls));
        if (ex.cls == ExchangeClass::Unknown || cls.compare(type, Qt::CaseInsensitive) == 0) return type;
        return tr("%1 (%2%3)")
            .arg(type, QString(cls).replace(QLatin1Char('_'), QLatin1Char(' ')),
                 ex.classInferred ? tr(", inferred") : QString());
    }
    case ColMessageId:
        return QString::number(ex.messageId);
    case ColRequest: {
        if (ex.requestMessages.empty()) return tr("not captured");
        const IkeMessage &m = m_index->ikeMessages[ex.requestMessages.front()];
        return tr("packet %1, %2 B").arg(m.packet + 1).arg(m.header.length);
    }
    case ColResponse: {
        if (ex.responseMessages.empty()) return tr("none");
        const IkeMessage &m = m_index->ikeMessages[ex.responseMessages.front()];
        return tr("packet %1, %2 B").arg(m.packet + 1).arg(m.header.length);
    }
    case ColRetransmissions: {
        QString text = QString::number(ex.retransmissions.size());
        if (ex.responseRetransmissions) text += tr(" (+%1 of the response)").arg(ex.responseRetransmissions);
        return text;
    }
    case ColFragments: {
        QStringList parts;
        if (const QString f = fragmentText(ex.fragments); !f.isEmpty()) parts << tr("request %1").arg(f);
        if (const QString f = fragmentText(ex.responseFragments); !f.isEmpty())
            parts << tr("response %1").arg(f);
        if (ex.ipFragmented)
            parts << (ex.ipFragmentsComplete ? tr("IP fragments") : tr("IP fragments, incomplete"));
        return parts.join(QStringLiteral("; "));
    }
    case ColNotifies: {
        QStringList names;
        for (const std::uint16_t n : ex.notifies)
            names << notifyText(n);
        return names.join(QStringLiteral(", "));
    }
    case ColOutcome: {
        const auto row = std::size_t(&ex - s.exchanges.data());
        return row < m_outcomes.exchanges.size() ? m_outcomes.exchanges[row].text : QString();
    }
    default:
        return {};
    }
}

QString IkeExchangeModel::filter(const IkeExchange &ex, int column) const
{
    const IkeSaExchanges &s = *sa();
    // The exchange's messages: this IKE SA's, this message ID (requests, responses, re-sends).
    const QString exchange = QStringLiteral("isakmp.ispi == %1 && isakmp.messageid == %2")
                                 .arg(s.initiatorSpi, 16, 16, QLatin1Char('0'))
                                 .arg(ex.messageId);
    switch (column) {
    case ColPeers: {
        const IpAddress &from = ex.byInitiator ? s.initiator : s.responder;
        const IpAddress &to = ex.byInitiator ? s.responder : s.initiator;
        return QStringLiteral("isakmp && %1 && %2").arg(addressFilter(from, true), addressFilter(to, false));
    }
    case ColExchange:
        return QStringLiteral("isakmp.exchangetype == %1").arg(ex.exchange);
    case ColMessageId:
    case ColTime:
    case ColOutcome:
        return exchange;
    case ColRequest:
        return ex.requestMessages.empty() ? QString() : exchange + QStringLiteral(" && isakmp.flag_r == 0");
    case ColResponse:
        return ex.responseMessages.empty() ? QString() : exchange + QStringLiteral(" && isakmp.flag_r == 1");
    case ColRetransmissions:
        return ex.retransmissions.empty() ? QString()
                                          : exchange + QStringLiteral(" && wb.ike.retransmission");
    case ColNotifies: {
        if (ex.notifies.empty()) return {};
        if (ex.notifies.size() == 1)
            return QStringLiteral("isakmp.notify.msgtype == %1").arg(ex.notifies.front());
        QStringList types;
        for (const std::uint16_t n : ex.notifies)
            types << QString::number(n);
        return QStringLiteral("isakmp.notify.msgtype in {%1}").arg(types.join(QStringLiteral(", ")));
    }
    default:
        return {};
    }
}

QVariant IkeExchangeModel::packet(const IkeExchange &ex, int column) const
{
    // The response's cell is the response; any other cell the first request (else the response).
    const bool response = column == ColResponse || ex.requestMessages.empty();
    const std::vector<std::size_t> &messages = response ? ex.responseMessages : ex.requestMessages;
    if (messages.empty()) return {};
    return qulonglong(m_index->ikeMessages[messages.front()].packet);
}

QVariant IkeExchangeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const IkeSaExchanges *s = sa();
    if (!s) return {};
    const IkeExchange &ex = s->exchanges[std::size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(ex, column);
    case SortRole:
        return sortValue(ex, column);
    case CellRole::Filter: {
        const QString f = filter(ex, column);
        return f.isEmpty() ? QVariant() : QVariant(f);
    }
    case CellRole::Packet:
        return packet(ex, column);
    case Qt::TextAlignmentRole:
        return column == ColMessageId || column == ColRetransmissions
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant();
    case Qt::ToolTipRole:
        if (column == ColTime) return epochSecondsText(ex.requestNs >= 0 ? ex.requestNs : ex.responseNs);
        if (column == ColRetransmissions && !ex.retransmissions.empty()) {
            QStringList gaps;
            for (const IkeRetransmission &rt : ex.retransmissions)
                gaps << tr("%1 s (strongSwan default %2 s)")
                            .arg(rt.gapS, 0, 'f', 2)
                            .arg(rt.expectedGapS, 0, 'f', 2);
            return tr("Gaps before each re-send: %1").arg(gaps.join(QStringLiteral("; ")));
        }
        if (column == ColNotifies && !ex.notifies.empty()) {
            QString text = display(ex, column).toString();
            QStringList errors;
            for (const std::uint16_t n : ex.errorNotifies)
                errors << notifyText(n);
            if (!errors.isEmpty()) text += tr("\nErrors: %1").arg(errors.join(QStringLiteral(", ")));
            return text;
        }
        return {};
    default:
        return {};
    }
}

QVariant IkeExchangeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ColTime:
            return tr("When the request was first sent (the response, when no request was captured); "
                      "View ▸ Time Display");
        case ColPeers:
            return tr("Who sent the request to whom (an exchange may start at either end)");
        case ColRequest:
            return tr("The request's first send: its packet and IKE length");
        case ColResponse:
            return tr("The response's first send: its packet and IKE length");
        case ColRetransmissions:
            return tr("Re-sends of the request (and of the response)");
        case ColFragments:
            return tr("RFC 7383 IKE fragments seen of the total, or IP fragmentation of the message");
        case ColNotifies:
            return tr("Notify types seen in clear in the request and the response");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case ColTime:
        return TimeDisplayChoice::eventTimeTitle(tr("Time"));
    case ColPeers:
        return tr("From → to");
    case ColExchange:
        return tr("Exchange");
    case ColMessageId:
        return tr("Message ID");
    case ColRequest:
        return tr("Request");
    case ColResponse:
        return tr("Response");
    case ColRetransmissions:
        return tr("Retransmissions");
    case ColFragments:
        return tr("Fragments");
    case ColNotifies:
        return tr("Notifies");
    case ColOutcome:
        return tr("Outcome");
    default:
        return {};
    }
}

} // namespace ikev2wb::ui
