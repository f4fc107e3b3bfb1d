#pragma once
// The workbench window: opens captures (menu, drag and drop, command line, recent files),
// loads them in the background with progress and Cancel, and shows one page per capture.
#include "loader/captureloader.h"

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
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void showAbout();

    CaptureLoader *m_loader = nullptr;
    QTabWidget *m_tabs = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_status = nullptr;
    QMenu *m_recentMenu = nullptr;
    QStringList m_queue;
};

} // namespace ikev2wb::ui
