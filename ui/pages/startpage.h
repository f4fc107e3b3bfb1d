#pragma once
// The start page, shown while no capture is open (and from Help ▸ Start Page): open a capture,
// compare the captures of two tunnel ends, the bundled lab samples (one card per lab scenario
// saying which fault it shows, with its captures and, where both ends were captured, the pair
// as a comparison) and the recent captures and comparisons. While a tab holds one end's capture
// alone, it offers to add the peer's capture to that tab (a file dialog, or a recent capture).
#include <QList>
#include <QPoint>
#include <QString>
#include <QStringList>
#include <QWidget>

class QAction;
class QFrame;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QVBoxLayout;

namespace ikev2wb::ui {

/// One lab scenario among the bundled samples: its captures of the left and the right end.
struct SampleScenario
{
    QString name;        // lab scenario folder, e.g. "mtu-blackhole"
    QString title;       // e.g. "PMTUD black hole"
    QString description; // one line: the fault the captures show
    QString details;     // the lab's truth.json summary, when it can be found
    QString left;        // capture of the left end ("" if not bundled)
    QString right;
};

/// The folder with the bundled sample captures: $IKEV2WB_SAMPLES_DIR, else resources/samples
/// of the source tree above the executable (build trees live inside it), else
/// ../share/ikev2-workbench/samples next to the installed binary. Empty if none exists.
QString findSampleDirectory();
/// The scenarios of the captures in `dir` (files named SCENARIO-left-outer.pcap /
/// SCENARIO-right-outer.pcap), in a stable order.
QList<SampleScenario> sampleScenarios(const QString &dir);

class StartPage final : public QWidget
{
    Q_OBJECT
public:
    explicit StartPage(const QString &sampleDir, QWidget *parent = nullptr);
    ~StartPage() override;

    [[nodiscard]] const QList<SampleScenario> &scenarios() const { return m_scenarios; }
    /// Opens one sample capture (objectName "sample:FILE") or compares a pair ("pair:SCENARIO").
    [[nodiscard]] const QList<QAction *> &sampleActions() const { return m_sampleActions; }
    [[nodiscard]] QListWidget *recentList() const { return m_recent; }
    /// Re-reads the recent captures and comparisons from the settings.
    void refreshRecent();
    /// How many captures and comparisons are open: the page offers to go back to them.
    void setOpenCount(int open);
    /// The tab in front holds one end's capture alone (`tabName`, read from `capturePath`): the
    /// page offers to add the peer's capture to it (a file dialog, or a recent capture). Empty:
    /// no such tab, the offer is hidden.
    void setPeerTarget(const QString &tabName, const QString &capturePath);
    [[nodiscard]] QString peerTargetName() const { return m_peerTargetName; }

Q_SIGNALS:
    void openDialogRequested();
    void pairDialogRequested();
    void openFilesRequested(const QStringList &paths);
    void openPairRequested(const QString &pathA, const QString &pathB);
    /// "Back to the open captures" was clicked.
    void backRequested();
    /// "Add the Peer's Capture…": a file dialog for the peer of the tab in front (setPeerTarget).
    void addPeerDialogRequested();
    /// Capture `path` (a recent one) is to become the peer (B) of the tab in front.
    void addPeerRequested(const QString &path);

protected:
    void changeEvent(QEvent *event) override;

private:
    QWidget *scenarioCard(const SampleScenario &s, QWidget *parent);
    void recentActivated(QListWidgetItem *item);
    /// A recent entry's paths: a pair (two) or one capture.
    void openRecent(const QStringList &paths);
    /// The selected recent entry when it is one capture that can be the peer of the tab in front.
    [[nodiscard]] QString selectedPeerCandidate() const;
    void updatePeerButtons();
    void recentContextMenu(const QPoint &pos);
    void applyColors();

    QList<SampleScenario> m_scenarios;
    QList<QAction *> m_sampleActions;
    QListWidget *m_recent = nullptr;
    QPushButton *m_back = nullptr;
    QFrame *m_peerBar = nullptr; // "add the peer's capture to the tab in front"
    QLabel *m_peerText = nullptr;
    QPushButton *m_peerChoose = nullptr;
    QPushButton *m_peerFromRecent = nullptr;
    QString m_peerTargetName;
    QString m_peerTargetPath;
    QList<QWidget *> m_muted; // labels drawn in the muted text colour
    QList<QWidget *> m_cards;
};

} // namespace ikev2wb::ui
