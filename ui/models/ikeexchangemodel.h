#pragma once
// One row per IKE exchange of one IKE SA (the IKE ladder's, IkeSaExchanges::exchanges order):
// when its request was first sent (View ▸ Time Display), who sent it to whom, the exchange type
// and message ID, its first request and response packets, retransmissions, RFC 7383 fragments,
// the notify types seen in clear and the outcome (core's judgement, compare/ikeoutcome.h: in a pair
// it says what was lost in transit, as the ladder does). The ladder's messages as a table, so the
// copy, CSV export and cell navigation of every table (widgets/viewactions.h, cellnavigation.h)
// reach IKE too: Filter on This Value selects the exchange's messages ("isakmp.ispi == … &&
// isakmp.messageid == N"), its type, its notifies, the sender or receiver; a row is its first
// request's packet (the Response column: the response's) for Open in Wireshark.
#include "compare/ikeoutcome.h"
#include "sharedtypes.h"

#include <QAbstractTableModel>

namespace ikev2wb::ui {

class IkeExchangeModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        ColTime,
        ColPeers,
        ColExchange,
        ColMessageId,
        ColRequest,
        ColResponse,
        ColRetransmissions,
        ColOutcome,
        ColFragments,
        ColNotifies, // last: the longest (it stretches, its tooltip has them all)
        ColumnCount
    };
    /// Raw values for sorting (numbers as numbers).
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit IkeExchangeModel(QObject *parent = nullptr);
    /// Shows IKE SA `ikeSa` (index into analysis->ike.ikeSas); none when out of range. A pair:
    /// this capture is side `side` of `comparison` (an outcome says what was lost in transit).
    void setData(IndexPtr index, AnalysisPtr analysis, int ikeSa,
                 std::shared_ptr<const CompareResult> comparison = {}, int side = 0);
    [[nodiscard]] int ikeSa() const { return m_ikeSa; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    [[nodiscard]] const IkeSaExchanges *sa() const;
    [[nodiscard]] QVariant display(const IkeExchange &ex, int column) const;
    [[nodiscard]] QVariant sortValue(const IkeExchange &ex, int column) const;
    [[nodiscard]] QString filter(const IkeExchange &ex, int column) const;
    [[nodiscard]] QVariant packet(const IkeExchange &ex, int column) const;

    IndexPtr m_index;
    AnalysisPtr m_analysis;
    int m_ikeSa = -1;
    IkeSaOutcomes m_outcomes;
};

} // namespace ikev2wb::ui
