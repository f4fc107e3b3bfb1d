#pragma once
// The ESP timeline tab of a capture: an SA picker and the sequence chart of the SA picked
// (every packet, missing numbers, late and duplicate ones). In a pair, the other end's copy of
// the SA and the packets lost in transit on the same axis, and the SAs only capture B holds.
// The timeline is extracted on a worker; a newer pick cancels the older one.
#include "loader/jobtracker.h"
#include "sharedtypes.h"

#include <QWidget>

#include <memory>

class QComboBox;

namespace ikev2wb {
struct CompareResult;
} // namespace ikev2wb

namespace ikev2wb::ui {

class SequenceChart;

class EspTimelinePage final : public QWidget
{
    Q_OBJECT
public:
    /// The page of capture `index` (A); empty until setAnalysis.
    explicit EspTimelinePage(IndexPtr index, QWidget *parent = nullptr);
    ~EspTimelinePage() override;

    /// Capture A's analysis: fills the picker and opens on the SA where something went
    /// wrong (the most missing numbers, then the busiest).
    void setAnalysis(AnalysisPtr analysis);
    /// A pair: the comparison of A with B (kept; the timeline is redrawn when the peer is in).
    void setComparison(std::shared_ptr<const CompareResult> comparison);
    /// A pair: capture B and its analysis; its SAs join the picker, the timeline is redrawn
    /// with both ends.
    void setPeer(IndexPtr index, AnalysisPtr analysis);

    /// The picker's entry (its item data) for SA `sa` of capture `side`: A's SA by index, B's by
    /// its SPI among A's; an SA only B holds as -sa - 2 (the picker lists those after A's); -1
    /// none. Side 1 needs the peer (setPeer).
    [[nodiscard]] int saEntry(int side, int sa) const;
    /// Is `entry` (saEntry) in the picker?
    [[nodiscard]] bool hasEntry(int entry) const;
    /// Picks `entry`; the picker's signal extracts its timeline.
    void showEntry(int entry);
    /// Entries in the picker (0: the tab has nothing to show).
    [[nodiscard]] int entryCount() const;

    [[nodiscard]] QComboBox *saPicker() const { return m_saPicker; }
    [[nodiscard]] SequenceChart *chart() const { return m_chart; }

signals:
    /// A packet of capture A was clicked in the chart (0-based).
    void packetClicked(quint64 packet);

private:
    void fillSaPicker();
    void showTimeline(int saIndex);

    IndexPtr m_index;
    AnalysisPtr m_analysis;
    IndexPtr m_peerIndex;
    AnalysisPtr m_peerAnalysis;
    std::shared_ptr<const CompareResult> m_comparison;
    QComboBox *m_saPicker = nullptr;
    SequenceChart *m_chart = nullptr;
    JobTracker m_timelineJobs;
};

} // namespace ikev2wb::ui
