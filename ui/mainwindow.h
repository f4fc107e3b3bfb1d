#pragma once
// The workbench window: opens captures (menu, drag and drop, command line, recent files),
// loads them in the background with progress and Cancel, and shows one page per capture.
#include "loader/captureloader.h"
#include "loader/pairloader.h"

#include <QMainWindow>
#include <QStringList>

class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QMenu;

namespace ikev2wb::ui {

class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;
    /// Queues captures to open one after another.
    void openFiles(const QStringList &paths);
    /// Compares the captures of the two ends of a tunnel (A and B) in the background and shows
    /// them side by side in a tab "A ⇄ B". Pairs are compared one after another.
    void openPair(const QString &pathA, const QString &pathB);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void openNext();
    void onLoaded(const QString &path, IndexPtr index);
    void onAnalysed(const QString &path, IndexPtr index, AnalysisPtr analysis);
    void onFailed(const QString &path, const QString &message);
    void onProgress(const QString &path, qint64 done, qint64 total, quint64 packets, double secondsLeft);
    void onPairProgress(const QString &pathA, const QString &pathB, PairLoader::Stage stage, double elapsedS);
    void onCompared(const QString &pathA, const QString &pathB, ComparePtr result);
    void onPairFailed(const QString &pathA, const QString &pathB, const QString &message);
    void choosePair();
    void compareNextPair();
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void showAbout();
    void showPreferences();
    /// Ctrl+1..7: inner tab `tab` of the current capture page.
    void showInnerTab(int tab);

    CaptureLoader *m_loader = nullptr;
    PairLoader *m_pairLoader = nullptr;
    QTabWidget *m_tabs = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_status = nullptr;
    QMenu *m_recentMenu = nullptr;
    QStringList m_queue;
    QList<QStringList> m_pairQueue; // {A, B} each
};

} // namespace ikev2wb::ui
