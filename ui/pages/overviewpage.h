#pragma once
// Overview of one capture, readable at first sight: the file (format, packets, time span,
// warnings and where), the top findings (the checklist diagnosis's, none of its own) each with a
// link to the tab that shows it, loss per direction (outer src → dst, core's espDirections()),
// the IKE SAs, and the ESP SA table (sortable, filterable; a double-click opens the
// SA in the ESP timeline). The `ikev2wb summary` + `analyze` text stays one click away (and on
// the clipboard with Copy) because engineers paste it into tickets.
// The index arrives first (the page shows it with "analysing…"); analysis and diagnosis follow.
// The report is laid out only while the page is shown (a hidden page catches up when it is
// shown), once per change; the text summary walks every packet, so a worker writes it.
#include "analyze/espdirections.h"
#include "compare/peertunnel.h"
#include "models/checklistmodel.h"
#include "sharedtypes.h"

#include <QFutureWatcher>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTextBrowser;
class QToolButton;
class QUrl;

namespace ikev2wb {
struct CompareResult;
}

namespace ikev2wb::ui {

class SaTableModel;

class OverviewPage final : public QWidget
{
    Q_OBJECT
public:
    explicit OverviewPage(IndexPtr index, QWidget *parent = nullptr);
    ~OverviewPage() override;

    void setAnalysis(AnalysisPtr analysis);
    /// The checklist's diagnosis: its ranked findings are the page's, and `directions` (computed
    /// with it, for its replay window) fill the per-direction table's anti-replay drops.
    /// A pair: `peerDirections` are capture B's, shown in a table of their own below A's.
    void setDiagnosis(DiagnosisPtr diagnosis, std::shared_ptr<const EspDirections> directions = {},
                      std::shared_ptr<const EspDirections> peerDirections = {});
    /// The comparison with the peer's capture (a pair's tab): the report shows loss in transit
    /// per direction, measured between the two ends, above this capture's own view.
    void setComparison(std::shared_ptr<const CompareResult> comparison);
    /// How the peer's capture (B) was scoped to A's tunnel or why not: a row of the header.
    void setPeerTunnel(const PeerTunnel &peerTunnel);
    /// Receiver replay window and NAT UDP timeout assumed where no evidence names them.
    void setAssumptions(int replayWindow, int natUdpTimeoutS);

    /// One shown finding of the diagnosis: its cause identifier.
    struct ShownFinding
    {
        QString cause;
        QString title;
        StepStatus status = StepStatus::Warn;
        QString detail;
        QString link;          // where its jump link goes (see openLink), empty: none
        int checklistRow = -1; // the finding's row on the Checklist, -1: not from the diagnosis
    };
    [[nodiscard]] const QList<ShownFinding> &findings() const { return m_shown; }
    [[nodiscard]] bool findingsFromDiagnosis() const { return m_diagnosis != nullptr; }
    /// The per-direction table's figures (core's espDirections(); drops known once diagnosed).
    [[nodiscard]] const EspDirections &espDirections() const { return m_directions; }
    /// Capture B's per-direction figures (a diagnosed pair), null otherwise.
    [[nodiscard]] const std::shared_ptr<const EspDirections> &peerEspDirections() const
    {
        return m_peerDirections;
    }
    /// The `ikev2wb summary` and `analyze` text (what Copy puts on the clipboard). Written on a
    /// worker; asked for before the worker is done, it waits for it (or does the work here).
    [[nodiscard]] QString summaryText() const;
    [[nodiscard]] QTextBrowser *report() const { return m_report; }
    [[nodiscard]] SaTableModel *saModel() const { return m_saModel; }
    [[nodiscard]] QSortFilterProxyModel *saProxy() const { return m_saProxy; }
    [[nodiscard]] QTableView *saView() const { return m_saView; }
    /// Follows a link of the report ("timeline:3", "peer-timeline:2" (B's SA), "ladder:0", "mtu",
    /// "finding:1"), as a click does.
    void openLink(const QString &link);

Q_SIGNALS:
    void timelineRequested(int saIndex);
    /// A row of capture B's own per-direction table (a pair): `saIndex` is into B's espSas.
    void peerTimelineRequested(int saIndex);
    void ladderRequested(int ikeSa);
    void mtuRequested();
    void comparisonRequested();
    void findingRequested(int row);

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    /// Findings now; the report now when shown, else when the page is next shown.
    void rebuild();
    void rebuildReport();
    /// Fills the text view when it is open (it stays empty while collapsed).
    void updateTextView();
    void collectFindings();
    void directionsBeforeDiagnosis();
    [[nodiscard]] QString headerHtml() const;
    [[nodiscard]] QString findingsHtml() const;
    [[nodiscard]] QString directionsHtml() const;
    /// One capture's "ESP per direction" table under `heading`.
    [[nodiscard]] QString directionsTableHtml(const EspDirections &directions, bool diagnosed,
                                              const QString &heading, bool anyEsp, int side = 0) const;
    [[nodiscard]] QString pairHtml() const;
    [[nodiscard]] QString ikeHtml() const;
    [[nodiscard]] QString pathHtml() const;
    [[nodiscard]] int saOfSpi(quint32 spi) const;
    void setTextVisible(bool visible);
    /// Gives the SA table the height of its rows (up to a third of the page), the report the rest.
    void fitSplitter();

    IndexPtr m_index;
    AnalysisPtr m_analysis;
    DiagnosisPtr m_diagnosis;
    EspDirections m_directions;
    std::shared_ptr<const EspDirections> m_peerDirections; // capture B's (a diagnosed pair)
    bool m_directionsDiagnosed = false; // m_directions came with the diagnosis (its replay window)
    std::shared_ptr<const CompareResult> m_comparison;
    PeerTunnel m_peerTunnel;
    PeerTunnel m_ownTunnel; // the mirror: capture A judged against B (a hub's A)
    int m_replayWindow = 32;
    int m_natUdpTimeoutS = 30;
    QList<ShownFinding> m_shown;
    bool m_fitted = false;                  // the splitter got its first sizes (needs the page's real height)
    bool m_reportStale = true;              // the report does not show the current state (page hidden)
    bool m_textStale = true;                // the text view does not show the current text (collapsed)
    QFutureWatcher<QString> m_summary;      // `ikev2wb summary` text
    QFutureWatcher<QString> m_analysisText; // `ikev2wb analyze` text (no future: no analysis)

    QSplitter *m_split = nullptr;
    QTextBrowser *m_report = nullptr;
    SaTableModel *m_saModel = nullptr;
    QSortFilterProxyModel *m_saProxy = nullptr;
    QTableView *m_saView = nullptr;
    QLineEdit *m_saFilter = nullptr;
    QLabel *m_saHeading = nullptr;
    QToolButton *m_textToggle = nullptr;
    QPushButton *m_copy = nullptr;
    QPlainTextEdit *m_textView = nullptr;
};

} // namespace ikev2wb::ui
