#pragma once
// The IKE ladder tab of a capture: an IKE SA picker, the ladder of the SA picked with the
// details of the message clicked beside it, and below the same exchanges as a table. In a pair,
// messages lost in transit both ways (the other end's placed on this clock) and the IKE SAs only
// capture B holds.
#include "sharedtypes.h"

#include <QWidget>

#include <cstdint>
#include <memory>

class QComboBox;
class QTableView;
class QTextBrowser;

namespace ikev2wb {
struct CompareResult;
struct IkeSaExchanges;
} // namespace ikev2wb

namespace ikev2wb::ui {

class IkeExchangeModel;
class IkeLadder;

class IkeLadderPage final : public QWidget
{
    Q_OBJECT
public:
    /// The page of capture `index` (A); empty until setAnalysis.
    explicit IkeLadderPage(IndexPtr index, QWidget *parent = nullptr);
    ~IkeLadderPage() override;

    /// Capture A's analysis: fills the picker and shows its first IKE SA.
    void setAnalysis(AnalysisPtr analysis);
    /// A pair: the comparison of A with B (kept; the ladder is redrawn when the peer is in).
    void setComparison(std::shared_ptr<const CompareResult> comparison);
    /// A pair: capture B and its analysis; its IKE SAs join the picker, the ladder is redrawn
    /// with both ends.
    void setPeer(IndexPtr index, AnalysisPtr analysis);

    /// Entries in the picker (0: the tab has nothing to show).
    [[nodiscard]] int entryCount() const;
    /// Picks row `row` of the IKE SA picker (A's IKE SAs in their order, then B's own).
    void showRow(int row);

    [[nodiscard]] QComboBox *ikePicker() const { return m_ikePicker; }
    [[nodiscard]] IkeLadder *ladder() const { return m_ladder; }
    [[nodiscard]] QTextBrowser *ladderDetails() const { return m_ladderDetails; }
    /// The table of the picked IKE SA's exchanges (under the ladder).
    [[nodiscard]] QTableView *ikeExchangeTable() const { return m_ikeTable; }

    /// The IKE SA picker's entry: both SPIs, the peers, the start (View ▸ Time Display: a date,
    /// or seconds since `captureStartNs`) and the exchange count, with retransmissions and
    /// unanswered requests when there are any.
    static QString ikeSaText(const IkeSaExchanges &sa, std::int64_t captureStartNs);

private:
    /// A's IKE SAs (data: their index), then in a pair the ones only B holds (data: -(index in
    /// B) - 2).
    void fillIkePicker();
    void showLadder(int row); // a row of the IKE SA picker

    IndexPtr m_index;
    AnalysisPtr m_analysis;
    IndexPtr m_peerIndex;
    AnalysisPtr m_peerAnalysis;
    std::shared_ptr<const CompareResult> m_comparison;
    QComboBox *m_ikePicker = nullptr;
    IkeLadder *m_ladder = nullptr;
    QTextBrowser *m_ladderDetails = nullptr;
    IkeExchangeModel *m_ikeExchanges = nullptr;
    QTableView *m_ikeTable = nullptr;
};

} // namespace ikev2wb::ui
