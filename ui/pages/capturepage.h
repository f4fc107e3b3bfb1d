#pragma once
// One opened capture: overview, packet table, ESP sequence timeline, IKE ladder, MTU view and
// the guided checklist (diagnosis and fixes) and the imported host evidence.
// The index arrives first (overview text and packet table work at once); the analysis follows.
#include "compare/peertunnel.h"
#include "sharedtypes.h"
#include "widgets/cellnavigation.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QTextBrowser;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QScrollArea;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace ikev2wb {
class EvidenceSet;
struct CompareResult;
} // namespace ikev2wb

namespace ikev2wb::ui {

class ChecklistPage;
class ComparePage;
class EvidencePage;
class EspTimelinePage;
class IkeLadder;
class IkeLadderPage;
class MtuPage;
class OverviewPage;
class PacketsPage;
class SequenceChart;
class SideSwitch;

class CapturePage final : public QWidget, public CellNavigator
{
    Q_OBJECT
public:
    explicit CapturePage(IndexPtr index, QWidget *parent = nullptr);
    ~CapturePage() override;
    [[nodiscard]] const IndexPtr &index() const { return m_index; }
    [[nodiscard]] const AnalysisPtr &analysis() const { return m_analysis; }
    void setAnalysis(AnalysisPtr analysis);
    /// Shows the packet table with packet `packet` (0-based) selected.
    void selectPacket(quint64 packet);

    /// A pair (the captures of both ends of the tunnel) adds the Comparison tab after Evidence.
    enum Tab {
        OverviewTab,
        PacketsTab,
        TimelineTab,
        LadderTab,
        MtuTab,
        ChecklistTab = 5,
        EvidenceTab = 6,
        ComparisonTab = 7
    };
    [[nodiscard]] QTabWidget *tabs() const { return m_tabs; }
    [[nodiscard]] ChecklistPage *checklist() const { return m_checklist; }
    [[nodiscard]] OverviewPage *overview() const { return m_overview; }
    [[nodiscard]] MtuPage *mtu() const { return m_mtu; }
    [[nodiscard]] EvidencePage *evidencePage() const { return m_evidencePage; }
    [[nodiscard]] PacketsPage *packetsPage() const { return m_packets; }
    [[nodiscard]] EspTimelinePage *timelinePage() const { return m_timeline; }
    [[nodiscard]] IkeLadderPage *ladderPage() const { return m_ladderPage; }
    [[nodiscard]] SequenceChart *timelineChart() const;
    [[nodiscard]] IkeLadder *ladder() const;
    [[nodiscard]] QComboBox *ikePicker() const;
    [[nodiscard]] QComboBox *saPicker() const;
    [[nodiscard]] QTextBrowser *ladderDetails() const;
    /// The IKE page's table of the picked IKE SA's exchanges (under the ladder).
    [[nodiscard]] QTableView *ikeExchangeTable() const;
    /// What the status bar says for this tab: the capture, its packets and SAs, its verdict.
    [[nodiscard]] QString statusText() const;
    /// The Packets page of capture A (side 0) or, in a pair, of the peer's capture B (side 1;
    /// null until the peer is in).
    [[nodiscard]] PacketsPage *packetsPage(int side) const { return side == 0 ? m_packets : m_peerPackets; }
    /// Which capture the Packets tab shows (0 = A, 1 = B); the A / B switch above the table.
    [[nodiscard]] int packetsSide() const;
    void setPacketsSide(int side);
    /// The host evidence both the Checklist and the Evidence page show (null: none imported).
    [[nodiscard]] const std::shared_ptr<const EvidenceSet> &evidence() const { return m_evidence; }
    /// Imports evidence files or collect folders; the Checklist's worker parses them and
    /// re-diagnoses, then both pages show the same set.
    void addEvidencePaths(const QStringList &paths);

    /// Makes this tab the investigation of a pair: `comparison` of this capture (A) with the
    /// peer's capture `peerPath` (B) goes into a Comparison tab, and the Checklist diagnoses both
    /// ends once the peer's own analysis is in (setPeer).
    void setComparison(std::shared_ptr<const CompareResult> comparison, const QString &peerPath);
    void setPeer(IndexPtr index, AnalysisPtr analysis);
    /// How the peer's capture was scoped to A's tunnel, or why it was not (a hub's capture read
    /// whole): the Overview and the Comparison say so. The same of capture A judged against B
    /// (`peerTunnel.side` 0, the mirror: A a hub's).
    void setPeerTunnel(const PeerTunnel &peerTunnel);
    [[nodiscard]] const QString &peerPath() const { return m_peerPath; }
    [[nodiscard]] const IndexPtr &peerIndex() const { return m_peerIndex; }
    [[nodiscard]] const AnalysisPtr &peerAnalysis() const { return m_peerAnalysis; }
    [[nodiscard]] const std::shared_ptr<const CompareResult> &comparison() const { return m_comparison; }
    [[nodiscard]] ComparePage *comparePage() const { return m_comparePage; }

    // CellNavigator: where the context menus of the tab's tables go.
    [[nodiscard]] const CaptureIndex *navigationCapture(int side) const override;
    [[nodiscard]] int sideOfFile(const QString &path) const override;
    [[nodiscard]] std::optional<quint64> otherEndPacket(int side, quint64 packet) const override;
    [[nodiscard]] bool canFollowSa(int side, int sa) const override;
    void filterPackets(int side, const QString &filter) override;
    void followSa(int side, int sa) override;
    void showPacket(int side, quint64 packet) override;

signals:
    /// statusText() changed (the analysis or the peer arrived).
    void statusChanged();
    /// The Comparison's "Open all of …": capture `side` (0 = A) was compared as one of its tunnels.
    void wholeCaptureRequested(int side);

private:
    /// The ESP timeline and IKE ladder tabs enabled when their pickers have something.
    void updateViewTabs();
    /// The timeline picker's SA (capture A's) for SA `sa` of capture `side`: B's by its SPI; an SA
    /// only B holds as -sa - 2 (the picker lists those after A's); -1 none.
    [[nodiscard]] int timelineSa(int side, int sa) const;
    /// A pair with both captures in: B's Packets page, the A / B switch, the fate marks.
    void setUpPairPackets();
    void updatePairLine();
    /// A pair with B's analysis in: the MTU page's A / B switch.
    void setUpPairMtu();
    /// The switch's name of capture `side`: "A: file (its endpoint's own address)".
    [[nodiscard]] QString sideName(int side) const;

    IndexPtr m_index;
    AnalysisPtr m_analysis;
    QTabWidget *m_tabs = nullptr;
    PacketsPage *m_packets = nullptr;
    PacketsPage *m_peerPackets = nullptr;
    SideSwitch *m_packetsSwitch = nullptr; // the A / B row, shown in a pair
    QStackedWidget *m_packetsStack = nullptr;
    OverviewPage *m_overview = nullptr;
    EspTimelinePage *m_timeline = nullptr;
    IkeLadderPage *m_ladderPage = nullptr;
    MtuPage *m_mtu = nullptr;
    ChecklistPage *m_checklist = nullptr;
    EvidencePage *m_evidencePage = nullptr;
    std::shared_ptr<const EvidenceSet> m_evidence;
    QString m_peerPath;
    IndexPtr m_peerIndex;
    AnalysisPtr m_peerAnalysis;
    std::shared_ptr<const CompareResult> m_comparison;
    ComparePage *m_comparePage = nullptr;
};

} // namespace ikev2wb::ui
