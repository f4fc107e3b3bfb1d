#pragma once
// The workbench window: opens captures (menu, drag and drop, command line, recent files),
// loads them in the background with progress and Cancel, and shows one page per capture.
#include "loader/captureloader.h"
#include "loader/pairloader.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QStringList>

class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QMenu;
class QStackedWidget;

namespace ikev2wb::ui {

class CapturePage;
class LiveCaptureDialog;
class LivePage;
struct LiveCaptureOptions;

class StartPage;
class NoticeBar;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;
    /// Queues captures to open one after another (a folder is read as one capture).
    void openFiles(const QStringList &paths);
    /// Queues several files to be read as ONE capture (a ring of files), in one tab named after
    /// the first file and "+N files".
    void openAsOneCapture(const QStringList &paths);
    /// Compares the captures of the two ends of a tunnel (A and B) in the background and shows
    /// them side by side in a tab "A ⇄ B". Pairs are compared one after another.
    void openPair(const QString &pathA, const QString &pathB);
    /// File → Export Report without its file dialog: writes the current capture's report to
    /// `path` on a worker; the status bar (or the notice bar) says how it ended.
    void exportReportTo(const QString &path);
    /// The failures reported so far (open, compare, export), oldest first, as the notice bar shows them.
    [[nodiscard]] NoticeBar *notices() const { return m_notices; }
    /// Shows the start page (open, compare, lab samples, recent); opening a capture leaves it.
    void showStartPage();
    [[nodiscard]] StartPage *startPage() const { return m_start; }

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    /// The status line: `text` with its control characters written visibly (it quotes file names).
    void showStatus(const QString &text);
    void openNext();
    void onLoaded(const QString &path, IndexPtr index);
    void onAnalysed(const QString &path, IndexPtr index, AnalysisPtr analysis);
    void onFailed(const QString &path, const QString &message);
    void onProgress(const QString &path, qint64 done, qint64 total, quint64 packets, double secondsLeft);
    void onPairProgress(const QString &pathA, const QString &pathB, PairLoader::Stage stage, qint64 done,
                        qint64 total, int permille, double elapsedS);
    void onPairCancelled(const QString &pathA, const QString &pathB);
    void onCompared(const QString &pathA, const QString &pathB, InvestigationPtr investigation);
    /// A new tab for capture `path` (shown a few event-loop turns later, see onLoaded).
    CapturePage *addCapturePage(const QString &path, IndexPtr index);
    void onPairFailed(const QString &pathA, const QString &pathB, const QString &message);
    void choosePair();
    /// The pair chosen in the dialogs: A and B, or a notice when it is not two captures.
    void openChosenPair(const QStringList &paths);
    void compareNextPair();
    void addRecent(const QString &path);
    void chooseFiles();
    void chooseFolder();
    /// Several captures chosen or dropped at once: asks whether they are the two ends of one
    /// tunnel (two files), one capture written as a ring of files, or a tab each.
    void offerChoices(const QStringList &paths);
    /// One file dropped on a single capture's tab: add it as that tab's peer (B), or open it alone.
    void offerPeer(CapturePage *page, const QString &path);
    void updateStartPage();
    void rebuildRecentMenu();
    void showAbout();
    void showPreferences();
    /// File → Export Report (PDF): the checklist, fixes and plots of the current capture,
    /// written on a worker (core/report/pdf).
    void exportReport();
    /// The current tab's capture page when its report can be written; else null, and the
    /// status bar says why.
    CapturePage *reportablePage();
    /// Ctrl+1..7: inner tab `tab` of the current capture page.
    void showInnerTab(int tab);

    CaptureLoader *m_loader = nullptr;
    PairLoader *m_pairLoader = nullptr;
    QTabWidget *m_tabs = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_status = nullptr;
    QMenu *m_recentMenu = nullptr;
    QStackedWidget *m_stack = nullptr; // the start page, or the tabs of the open captures
    StartPage *m_start = nullptr;
    NoticeBar *m_notices = nullptr; // failures, inline above the pages
    QStringList m_queue;
    QList<QStringList> m_pairQueue; // {A, B} each
    /// "Add Peer Capture…": the comparison of (A, B) goes into this existing tab.
    QHash<QString, QPointer<CapturePage>> m_attachTo;
    void readOneTunnel();
    /// Which of the tunnels of `page`'s peer's capture is capture A's was not proven (`peer`):
    /// asks, and compares A with the one chosen in a new tab.
    void askPeerTunnel(CapturePage *page, const PeerTunnel &peer);
    void addPeerCapture();
    /// A file dialog for the capture of `page`'s other end; chosen, it becomes `page`'s peer.
    void choosePeerFor(CapturePage *page);
    /// The tab in front when it holds one capture alone and no peer is on its way; else null.
    [[nodiscard]] CapturePage *peerTarget() const;

public:
    /// Compares `page`'s capture with `peerPath` and turns the tab into the pair's investigation.
    void addPeerCaptureTo(CapturePage *page, const QString &peerPath);
    /// Capture ▸ Start Live Capture…: the dialog (non-modal); Start calls startLiveCapture().
    LiveCaptureDialog *openLiveCaptureDialog();
    /// Runs the capture helper with `options` in a live tab; when it ends the saved file opens
    /// as an ordinary tab in the live tab's place.
    LivePage *startLiveCapture(const LiveCaptureOptions &options);

private:
    void onLiveFinished(LivePage *page, const QStringList &saved, const QString &error);
    /// The live tab `page` is closing: its capture stops (and is saved) in the background, without
    /// blocking the window; the status bar says how it ended.
    void endLiveInBackground(LivePage *page);
    /// Closing waits for running live captures: closes once none runs any more.
    void maybeFinishClosing();
    bool m_closing = false;
    bool m_fittedToScreen = false; // the first show kept the window inside its screen
    /// Saved live captures being loaded → the live tab their tab replaces.
    QHash<QString, QPointer<LivePage>> m_liveReplace;
    /// A live capture's pair (A + '\n' + B) → what its capture measured (the start skew), for the
    /// pair's comparison notes.
    QHash<QString, QString> m_pairCaptureNotes;
};

} // namespace ikev2wb::ui
