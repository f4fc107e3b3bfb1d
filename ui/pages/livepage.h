#pragma once
// The tab of a running live capture: packets and bytes, IKE/ESP/ICMP counts, the capture's own
// drops (the helper's statistics blocks), each ESP SA with the sequence numbers missing so far,
// and, growing as it runs: a timeline of ESP packets and skipped sequence numbers per second,
// the ESP sequence timeline of the SA picked in the table (every packet, missing numbers, late
// and duplicate ones; 64-bit numbers as the file analysis counts them) and the IKE ladder.
// It only draws the snapshots LiveSession sends (at most four a second); all the work is on
// the session's thread. Stop ends the capture; the window then opens the saved file as an
// ordinary tab in its place.
#include "loader/livesession.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QTabWidget;
class QElapsedTimer;
class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;

namespace ikev2wb::ui {

class IkeLadder;
class LiveRateChart;
class SequenceChart;
struct TimelineData;

class LivePage final : public QWidget
{
    Q_OBJECT
public:
    explicit LivePage(LiveSession *session, QWidget *parent = nullptr);
    ~LivePage() override;

    [[nodiscard]] LiveSession *session() const { return m_session; }
    /// The latest snapshot shown (null before the first).
    [[nodiscard]] const LiveSnapshotPtr &snapshot() const { return m_snapshot; }
    /// Snapshots applied so far.
    [[nodiscard]] int updates() const { return m_updates; }
    /// The ESP sequence timeline shown (null before the first SA), and its chart.
    [[nodiscard]] std::shared_ptr<const TimelineData> timeline() const;
    [[nodiscard]] SequenceChart *timelineChart() const { return m_timelineChart; }
    [[nodiscard]] IkeLadder *ladder() const { return m_ladder; }
    /// Shows how the capture ended: saved (and being opened) or the error.
    void showEnded(const QStringList &saved, const QString &error);

public Q_SLOTS:
    void apply(const ikev2wb::ui::LiveSnapshotPtr &snapshot);

private:
    void tick();
    void applyTimeline(const LiveSnapshot &s);
    void applyLadder(const LiveSnapshot &s);

    LiveSession *m_session = nullptr;
    LiveSnapshotPtr m_snapshot;
    int m_updates = 0;
    QLabel *m_title = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_counters = nullptr;
    QLabel *m_drops = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_stop = nullptr;
    QTableWidget *m_sas = nullptr;
    LiveRateChart *m_chartView = nullptr;
    QTabWidget *m_views = nullptr;
    SequenceChart *m_timelineChart = nullptr;
    std::shared_ptr<TimelineData> m_timeline;  // grows in place on the GUI thread
    std::vector<std::uint64_t> m_timelineLoss; // numbers skipped per second of the timeline's SA
    std::size_t m_timelineSa = SIZE_MAX;
    IkeLadder *m_ladder = nullptr;
    QComboBox *m_ikeSas = nullptr;
    std::shared_ptr<const CaptureIndex> m_ikeIndex;
    std::shared_ptr<const CaptureAnalysis> m_ikeAnalysis;
    QTimer *m_clock = nullptr;
    std::unique_ptr<QElapsedTimer> m_elapsed;
    std::uint64_t m_lastPackets = 0;
    qint64 m_lastPacketsAtMs = 0;
    double m_rate = 0;
    bool m_ended = false;
};

} // namespace ikev2wb::ui
