#include "mainwindow.h"

#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "pages/comparepage.h"
#include "pages/livecapturedialog.h"
#include "pages/livepage.h"
#include "pages/overviewpage.h"
#include "pages/startpage.h"
#include "report/pdf/pdfreport.h"
#include "settings/settingsdialog.h"
#include "settings/timedisplay.h"
#include "settings/workbenchsettings.h"
#include "widgets/filedialogs.h"
#include "widgets/noticebar.h"
#include "widgets/plaintext.h"
#include "widgets/tabtitles.h"
#include "widgets/tunneldialog.h"
#include "widgets/userguide.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QShowEvent>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <QtConcurrent/QtConcurrentRun>

#include <pcap/pcap.h>

#include <algorithm>
#include <cstdlib>
#include <functional>

namespace ikev2wb::ui {

namespace {
/// A queued capture made of several files read as one (a ring) travels as its paths joined by
/// newlines: the loaders split it again (CaptureLoader, PairLoader).
QString setKey(const QStringList &paths)
{
    return paths.join(QLatin1Char('\n'));
}

/// " [tunnel with 10.0.1.1]" or " [tunnel 10.0.1.1 ↔ 10.0.2.1]" after a capture read as one
/// tunnel of several; "" for a whole capture.
QString tunnelSuffix(const TunnelScope &scope)
{
    return scope.active() ? MainWindow::tr(" [tunnel %1]").arg(scope.endsText()) : QString();
}

/// A queued capture's name for people: the file's, or the first file's and "+N files"; and the
/// tunnel it is read as.
QString displayName(const QString &key)
{
    TunnelScope scope;
    const QStringList parts = keyPaths(key, &scope);
    if (parts.size() == 1) return QFileInfo(parts.front()).fileName() + tunnelSuffix(scope);
    return MainWindow::tr("%1 +%2 files")
               .arg(QFileInfo(parts.front()).fileName(), QString::number(parts.size() - 1)) +
           tunnelSuffix(scope);
}

/// A capture's key in full for a tooltip: its paths, one a line, and the tunnel it is read as.
QString keyText(const QString &key)
{
    TunnelScope scope;
    return keyPaths(key, &scope).join(QLatin1Char('\n')) + tunnelSuffix(scope);
}

/// Single-file capture tabs named by their file, with parent folders where two share a name.
void retitleCaptureTabs(QTabWidget *tabs)
{
    QList<int> at;
    QStringList paths;
    for (int t = 0; t < tabs->count(); ++t) {
        const auto *page = qobject_cast<CapturePage *>(tabs->widget(t));
        if (!page || !page->index() || page->index()->set.isSet() || !page->peerPath().isEmpty()) continue;
        at << t;
        paths << page->index()->file.path;
    }
    const QStringList titles = uniqueTitles(paths);
    for (qsizetype i = 0; i < at.size(); ++i)
        tabs->setTabText(
            at[i],
            mnemonicText(titles[i] +
                         tunnelSuffix(qobject_cast<CapturePage *>(tabs->widget(at[i]))->index()->scope)));
}

/// The key that reads a loaded capture again whole: its file, its folder, or its files.
QString wholeCaptureKey(const CaptureIndex &index)
{
    return index.set.isSet() ? setKey(index.set.sources) : index.file.path;
}

/// The key that reopens a loaded capture: wholeCaptureKey() and the tunnel it was read as.
QString captureKey(const CaptureIndex &index)
{
    return tunnelKey(wholeCaptureKey(index), index.scope);
}
} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("IKEv2 Workbench"));
    setAcceptDrops(true);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int i) {
        QWidget *w = m_tabs->widget(i);
        if (auto *live = qobject_cast<LivePage *>(w)) endLiveInBackground(live);
        m_tabs->removeTab(i);
        w->deleteLater();
        retitleCaptureTabs(m_tabs);
        updateStartPage();
    });
    // No capture open: the start page. It stays one click away (the corner button, Help menu).
    m_stack = new QStackedWidget(this);
    m_start = new StartPage(findSampleDirectory(), m_stack);
    m_stack->addWidget(m_start);
    m_stack->addWidget(m_tabs);
    // Failures are rows of a notice bar above the pages: nothing modal, nothing stacks.
    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    m_notices = new NoticeBar(central);
    centralLayout->addWidget(m_notices);
    centralLayout->addWidget(m_stack, 1);
    setCentralWidget(central);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int i) {
        m_stack->setCurrentWidget(i < 0 ? static_cast<QWidget *>(m_start) : m_tabs);
        // The status bar speaks for the tab in front.
        if (const auto *page = qobject_cast<CapturePage *>(m_tabs->widget(i))) showStatus(page->statusText());
    });
    auto *home = new QToolButton(m_tabs);
    home->setObjectName(QStringLiteral("startPageButton"));
    home->setText(tr("Start"));
    home->setToolTip(tr("The start page: open, compare, lab samples, recent captures"));
    home->setAutoRaise(true);
    connect(home, &QToolButton::clicked, this, &MainWindow::showStartPage);
    m_tabs->setCornerWidget(home, Qt::TopLeftCorner);
    connect(m_start, &StartPage::openDialogRequested, this, &MainWindow::chooseFiles);
    connect(m_start, &StartPage::pairDialogRequested, this, &MainWindow::choosePair);
    connect(m_start, &StartPage::openFilesRequested, this, &MainWindow::openFiles);
    connect(m_start, &StartPage::openPairRequested, this, &MainWindow::openPair);
    connect(m_start, &StartPage::backRequested, this, [this]() {
        if (m_tabs->count() > 0) m_stack->setCurrentWidget(m_tabs);
    });
    // The tab in front holds one capture alone: the start page adds its peer's capture to it.
    connect(m_start, &StartPage::addPeerDialogRequested, this, [this]() {
        if (CapturePage *page = peerTarget()) choosePeerFor(page);
    });
    connect(m_start, &StartPage::addPeerRequested, this, [this](const QString &path) {
        if (CapturePage *page = peerTarget()) addPeerCaptureTo(page, path);
    });

    m_loader = new CaptureLoader(this);
    connect(m_loader, &CaptureLoader::loaded, this, &MainWindow::onLoaded);
    connect(m_loader, &CaptureLoader::analysed, this, &MainWindow::onAnalysed);
    connect(m_loader, &CaptureLoader::failed, this, &MainWindow::onFailed);
    connect(m_loader, &CaptureLoader::progress, this, &MainWindow::onProgress);
    m_pairLoader = new PairLoader(this);
    connect(m_pairLoader, &PairLoader::compared, this, &MainWindow::onCompared);
    connect(m_pairLoader, &PairLoader::failed, this, &MainWindow::onPairFailed);
    connect(m_pairLoader, &PairLoader::progress, this, &MainWindow::onPairProgress);
    connect(m_pairLoader, &PairLoader::cancelled, this, &MainWindow::onPairCancelled);

    auto *file = menuBar()->addMenu(tr("&File"));
    auto *open = file->addAction(tr("&Open Capture…"), this, &MainWindow::chooseFiles);
    open->setObjectName(QStringLiteral("openCaptureAction"));
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open one or more pcap/pcapng captures: each in its own tab, or several files "
                        "as one capture (a ring of files)"));
    auto *openFolder = file->addAction(tr("Open &Folder as One Capture…"), this, &MainWindow::chooseFolder);
    openFolder->setObjectName(QStringLiteral("openFolderAction"));
    openFolder->setToolTip(tr("Read the captures in a folder (a ring written by tcpdump -C/-G, dumpcap or "
                              "editcap -c) as one capture, in the order of their first packet"));
    auto *openPairAction = file->addAction(tr("Open Endpoint &Pair…"), this, &MainWindow::choosePair);
    openPairAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    openPairAction->setToolTip(tr("Compare the captures taken at the two ends of a tunnel"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setToolTipsVisible(true);
    file->addSeparator();
    auto *closeTab = file->addAction(tr("&Close Tab"), this, [this]() {
        if (m_tabs->currentIndex() >= 0) Q_EMIT m_tabs->tabCloseRequested(m_tabs->currentIndex());
    });
    closeTab->setObjectName(QStringLiteral("closeTabAction"));
    auto *addPeer = file->addAction(tr("&Add the Peer's Capture…"), this, &MainWindow::addPeerCapture);
    addPeer->setObjectName(QStringLiteral("addPeerAction"));
    addPeer->setToolTip(tr("Compare the current capture with the capture taken at the other end of the "
                           "tunnel: the tab becomes the investigation of the pair"));
    auto *exportPdf = file->addAction(tr("Export &Report (PDF)…"), this, &MainWindow::exportReport);
    exportPdf->setObjectName(QStringLiteral("exportReportAction"));
    exportPdf->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportPdf->setToolTip(
        tr("Write the verdict, checklist, fixes and plots of the current capture as a PDF"));
    closeTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    closeTab->setToolTip(tr("Close the current capture or comparison"));
    auto *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto *captureMenu = menuBar()->addMenu(tr("&Capture"));
    auto *live = captureMenu->addAction(tr("Start &Live Capture…"), this, &MainWindow::openLiveCaptureDialog);
    live->setObjectName(QStringLiteral("startLiveCaptureAction"));
    live->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    live->setToolTip(tr("Capture IKE/ESP traffic on an interface of this machine through the capture helper, "
                        "watching it as it arrives"));
    auto *oneTunnel = captureMenu->addAction(tr("Read One &Tunnel…"), this, &MainWindow::readOneTunnel);
    oneTunnel->setObjectName(QStringLiteral("readOneTunnelAction"));
    oneTunnel->setToolTip(tr("A capture holding the IKE/ESP of several tunnels (a hub's): open only one of "
                             "them in a new tab, judged apart from the others"));

    auto *edit = menuBar()->addMenu(tr("&Edit"));
    auto *prefs = edit->addAction(tr("&Preferences…"), this, &MainWindow::showPreferences);
    prefs->setObjectName(QStringLiteral("preferencesAction"));
    prefs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    prefs->setToolTip(tr("Assumed receiver replay window and NAT UDP timeout"));

    // Ctrl+1..7: the inner tabs of the current capture (Overview … Evidence)
    auto *view = menuBar()->addMenu(tr("&View"));
    const QStringList innerTabs{tr("Overview"), tr("Packets"),   tr("ESP Timeline"), tr("IKE Ladder"),
                                tr("MTU"),      tr("Checklist"), tr("Evidence"),     tr("Comparison")};
    for (int t = 0; t < innerTabs.size(); ++t) {
        auto *go = view->addAction(innerTabs.at(t), this, [this, t]() { showInnerTab(t); });
        go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + t)));
        go->setObjectName(QStringLiteral("innerTab%1").arg(t + 1));
    }
    view->addSeparator();
    TimeDisplayChoice::addMenu(view);

    auto *help = menuBar()->addMenu(tr("&Help"));
    auto *start = help->addAction(tr("&Start Page"), this, &MainWindow::showStartPage);
    start->setObjectName(QStringLiteral("startPageAction"));
    start->setToolTip(tr("Open, compare, the lab samples and the recent captures"));
    auto *guide = help->addAction(tr("&User Guide"), this, [this]() { showUserGuide(this); });
    guide->setObjectName(QStringLiteral("userGuideAction"));
    guide->setShortcut(QKeySequence::HelpContents);
    guide->setToolTip(tr("The six checklist steps with screenshots, and the keyboard shortcuts"));
    help->addAction(tr("&About IKEv2 Workbench"), this, &MainWindow::showAbout);

    m_status = new QLabel(tr("Open a capture (Ctrl+O) or drop one here"), this);
    m_status->setObjectName(QStringLiteral("statusText"));
    m_status->setTextFormat(Qt::PlainText); // file names and messages quoting them are shown as they are
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(240);
    m_progress->setVisible(false);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setVisible(false);
    m_cancel->setToolTip(tr("Stop loading this capture"));
    connect(m_cancel, &QPushButton::clicked, this, [this]() {
        m_queue.clear();
        m_loader->cancel();
        m_pairQueue.clear();
        if (m_pairLoader->isBusy()) {
            showStatus(tr("Cancelling the comparison…"));
            m_pairLoader->cancel();
        }
    });
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);

    const WorkbenchSettings settings;
    restoreGeometry(settings.windowGeometry());
    restoreState(settings.windowState());
    // First start: 1400x900, or the whole screen when it is smaller (a 1366x768 laptop).
    if (!settings.hasWindowGeometry())
        resize(QSize(1400, 900).boundedTo(screen()->availableGeometry().size()));
    rebuildRecentMenu();
}

MainWindow::~MainWindow()
{
    // A recent-file write still running (see addRecent) finishes before the window goes.
    for (QThread *t : findChildren<QThread *>(QStringLiteral("settingsWriter")))
        t->wait();
}

namespace {
/// Runs a settings write on a thread of its own, then `done` on the GUI thread. QSettings writes
/// its file with fsync(), which on a busy disk blocks for a tenth of a second and more: the
/// GUI thread must not wait for it. (Not the thread pool: it may be busy analysing for seconds.)
void writeSettings(QObject *owner, std::function<void()> write, std::function<void()> done)
{
    QThread *thread = QThread::create(std::move(write));
    thread->setObjectName(QStringLiteral("settingsWriter"));
    thread->setParent(owner);
    QObject::connect(thread, &QThread::finished, owner, [thread, done = std::move(done)]() {
        thread->deleteLater();
        done();
    });
    thread->start();
}
} // namespace

void MainWindow::openFiles(const QStringList &paths)
{
    m_queue << paths;
    if (!m_loader->isBusy()) openNext();
}

void MainWindow::openAsOneCapture(const QStringList &paths)
{
    if (paths.isEmpty()) return;
    openFiles({setKey(paths)});
}

void MainWindow::chooseFiles()
{
    FileDialogRequest r;
    r.title = tr("Open captures");
    r.start = WorkbenchSettings().lastDirectory();
    r.filter = tr("Captures (*.pcap *.pcapng *.cap);;All files (*)");
    askForFiles(this, r, [this](const QStringList &paths) {
        WorkbenchSettings().setLastDirectory(QFileInfo(paths.first()).absolutePath());
        if (paths.size() >= 2)
            offerChoices(paths);
        else
            openFiles(paths);
    });
}

void MainWindow::chooseFolder()
{
    FileDialogRequest r;
    r.title = tr("Open a folder of captures as one capture");
    r.start = WorkbenchSettings().lastDirectory();
    r.mode = QFileDialog::Directory;
    askForFiles(this, r, [this](const QStringList &dirs) {
        WorkbenchSettings().setLastDirectory(dirs.first());
        openFiles({dirs.first()});
    });
}

void MainWindow::showStartPage()
{
    m_start->refreshRecent();
    updateStartPage();
    m_stack->setCurrentWidget(m_start);
}

void MainWindow::updateStartPage()
{
    m_start->setOpenCount(m_tabs->count());
    const CapturePage *target = peerTarget();
    m_start->setPeerTarget(target ? m_tabs->tabText(m_tabs->indexOf(target)) : QString(),
                           target ? target->index()->file.path : QString());
    if (m_tabs->count() == 0) m_stack->setCurrentWidget(m_start);
}

CapturePage *MainWindow::peerTarget() const
{
    auto *page = qobject_cast<CapturePage *>(m_tabs->currentWidget());
    if (!page || !page->index() || !page->peerPath().isEmpty()) return nullptr;
    for (const QPointer<CapturePage> &attaching : m_attachTo)
        if (attaching == page) return nullptr; // its peer is on its way
    return page;
}

void MainWindow::openNext()
{
    if (m_queue.isEmpty()) return;
    const QString path = m_queue.takeFirst();
    showStatus(tr("Loading %1…").arg(displayName(path)));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
    m_loader->load(path);
}

void MainWindow::onProgress(const QString &path, qint64 done, qint64 total, quint64 packets,
                            double secondsLeft)
{
    if (total > 0) m_progress->setValue(int(1000.0 * double(done) / double(total)));
    QString left = secondsLeft >= 0 ? tr(", about %1 s left").arg(secondsLeft, 0, 'f', 0) : QString();
    showStatus(tr("Loading %1: %2 of %3 MB, %4 packets%5")
                   .arg(displayName(path), QString::number(double(done) / 1e6, 'f', 1),
                        QString::number(double(total) / 1e6, 'f', 1), QString::number(packets), left));
}

void MainWindow::onLoaded(const QString &path, IndexPtr index)
{
    addCapturePage(path, index);
    QString warn = index->warnings.empty()
                       ? QString()
                       : tr(" — %1 warnings").arg(index->warnings.size() + index->warningsSuppressed);
    showStatus(tr("%1: %2 packets%3; analysing…")
                   .arg(displayName(path), QString::number(index->packetCount()), warn));
}

void MainWindow::showStatus(const QString &text)
{
    m_status->setText(visibleText(text));
}

CapturePage *MainWindow::addCapturePage(const QString &path, IndexPtr index)
{
    // Building the page, showing it (its first layout) and applying the analysis (onAnalysed)
    // each take an event-loop turn of their own, so that no single turn stalls the window while
    // the workers compete with the GUI thread for the cores.
    auto *page = new CapturePage(index, m_tabs); // hidden until added
    connect(page, &CapturePage::statusChanged, this, [this, page]() {
        if (m_tabs->currentWidget() == page) showStatus(page->statusText());
    });
    // A capture compared as one of its tunnels (a hub's): the whole of it, its tab if one is open.
    connect(page, &CapturePage::wholeCaptureRequested, this, [this, page](int side) {
        const IndexPtr ix = side == 0 ? page->index() : page->peerIndex();
        if (!ix) return;
        const QString whole = wholeCaptureKey(*ix);
        for (int t = 0; t < m_tabs->count(); ++t)
            if (auto *open = qobject_cast<CapturePage *>(m_tabs->widget(t));
                open && open->peerPath().isEmpty() && open->index() && captureKey(*open->index()) == whole) {
                m_tabs->setCurrentIndex(t);
                return;
            }
        openFiles({whole});
    });
    // Two hops: the next turn runs what building the page posted (chart layouts and the like),
    // the one after adds and shows it.
    QTimer::singleShot(0, page, [this, page, path]() {
        QTimer::singleShot(0, page, [this, page, path]() {
            // The page's final width before it is shown (a document-mode tab widget has no frame
            // and fills the stack): its report is laid out once, not again when the tab widget
            // lays out its new tab bar.
            page->resize(m_stack->size());
            const bool pair = !page->peerPath().isEmpty();
            // A set of files is named by its folder, or its first file and "+N files".
            const IndexPtr &ix = page->index();
            const QString name =
                (ix && ix->set.isSet() ? ix->set.name : QFileInfo(keyPaths(path).front()).fileName()) +
                (ix ? tunnelSuffix(ix->scope) : QString());
            const QString title = pair ? name + QStringLiteral(" ⇄ ") + displayName(page->peerPath()) : name;
            // A live capture's saved file takes the place of its live tab.
            const QPointer<LivePage> live = m_liveReplace.take(path);
            const int liveTab = live ? m_tabs->indexOf(live) : -1;
            const int tab = liveTab >= 0 ? m_tabs->insertTab(liveTab, page, mnemonicText(title))
                                         : m_tabs->addTab(page, mnemonicText(title));
            if (live) {
                m_tabs->removeTab(m_tabs->indexOf(live));
                live->deleteLater();
            }
            const QString shown = keyText(path);
            m_tabs->setTabToolTip(
                tab, plainToolTip(pair ? tr("A: %1\nB: %2").arg(shown, keyText(page->peerPath())) : shown));
            retitleCaptureTabs(m_tabs);
            m_tabs->setCurrentIndex(tab);
            m_stack->setCurrentWidget(m_tabs);
            updateStartPage();
        });
    });
    addRecent(path);
    return page;
}

void MainWindow::onAnalysed(const QString &path, IndexPtr index, AnalysisPtr analysis)
{
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    // The page may not be in a tab yet (see onLoaded). The analysis goes in in a turn of its own.
    for (CapturePage *page : m_tabs->findChildren<CapturePage *>())
        if (page->index() == index)
            QTimer::singleShot(0, page, [page, analysis]() { page->setAnalysis(analysis); });
    showStatus(tr("%1: %2 packets analysed").arg(displayName(path), QString::number(index->packetCount())));
    openNext();
}

void MainWindow::onFailed(const QString &path, const QString &message)
{
    if (const QPointer<LivePage> live = m_liveReplace.take(path)) live->showEnded({}, message);
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    showStatus(message);
    // Inline, not a dialog: a queue of files keeps loading behind it, and failures do not stack.
    m_notices->addNotice(tr("Cannot open capture"), message);
    openNext();
}

void MainWindow::addRecent(const QString &path)
{
    if (path.contains(QLatin1Char('\n'))) return; // several files read as one: not a recent file
    writeSettings(
        this, [path]() { WorkbenchSettings().addRecentFile(path); }, [this]() { rebuildRecentMenu(); });
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = WorkbenchSettings().recentFiles();
    for (const QString &p : recent) {
        auto *a = m_recentMenu->addAction(mnemonicText(QFileInfo(p).fileName()), this,
                                          [this, p]() { openFiles({p}); });
        a->setToolTip(plainToolTip(p));
    }
    // Pairs reopen as a comparison.
    const QList<QStringList> pairs = WorkbenchSettings().recentPairs();
    if (!pairs.isEmpty() && !recent.isEmpty()) m_recentMenu->addSeparator();
    for (const QStringList &pair : pairs) {
        const QString a = pair.at(0), b = pair.at(1);
        auto *act = m_recentMenu->addAction(
            mnemonicText(QFileInfo(a).fileName() + QStringLiteral(" ⇄ ") + QFileInfo(b).fileName()), this,
            [this, a, b]() { openPair(a, b); });
        act->setToolTip(plainToolTip(tr("A: %1\nB: %2").arg(a, b)));
    }
    m_recentMenu->setEnabled(!recent.isEmpty() || !pairs.isEmpty());
    if (m_start) m_start->refreshRecent();
}

void MainWindow::showInnerTab(int tab)
{
    auto *page = qobject_cast<CapturePage *>(m_tabs->currentWidget());
    if (!page || tab >= page->tabs()->count() || !page->tabs()->isTabEnabled(tab)) return;
    m_stack->setCurrentWidget(m_tabs); // from the start page too
    page->tabs()->setCurrentIndex(tab);
}

void MainWindow::showPreferences()
{
    auto *dialog = findChild<SettingsDialog *>();
    if (!dialog) {
        dialog = new SettingsDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &SettingsDialog::assumptionsChanged, this, [this](int replayWindow, int natTimeoutS) {
            for (int i = 0; i < m_tabs->count(); ++i)
                if (auto *page = qobject_cast<CapturePage *>(m_tabs->widget(i))) {
                    page->checklist()->setAssumptions(replayWindow, natTimeoutS);
                    page->overview()->setAssumptions(replayWindow, natTimeoutS);
                }
            showStatus(tr("Assumptions: replay window %1 packets, NAT UDP timeout %2 s")
                           .arg(replayWindow)
                           .arg(natTimeoutS));
        });
    }
    dialog->open(); // non-modal towards the event loop: no exec()
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(
        QMessageBox::Information, tr("About IKEv2 Workbench"),
        tr("<h3>IKEv2 Workbench %1</h3><p>Finds out why traffic inside IKEv2/IPsec tunnels gets lost.</p>"
           "<p>Qt %2 (built with %3)<br>%4</p>")
            .arg(QStringLiteral(IKEV2WB_VERSION), QString::fromLatin1(qVersion()),
                 QStringLiteral(QT_VERSION_STR), htmlText(QString::fromLatin1(pcap_lib_version()))),
        QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // QMessageBox::about() would run a nested event loop
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile()) paths << url.toLocalFile();
    auto *page = qobject_cast<CapturePage *>(m_tabs->currentWidget());
    if (paths.size() >= 2)
        offerChoices(paths);
    else if (paths.size() == 1 && page && page->index() && page->peerPath().isEmpty() &&
             QFileInfo(paths.first()) != QFileInfo(page->index()->file.path))
        offerPeer(page, paths.first());
    else
        openFiles(paths);
}

void MainWindow::offerPeer(CapturePage *page, const QString &path)
{
    auto *box =
        new QMessageBox(QMessageBox::Question, tr("Capture dropped on a tab"),
                        tr("Is %1 the capture of the other end of %2's tunnel?")
                            .arg(QFileInfo(path).fileName(), QFileInfo(page->index()->file.path).fileName()),
                        QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("dropPeerBox"));
    box->setTextFormat(Qt::PlainText); // the file names as they are, never as HTML
    box->setInformativeText(
        tr("Added as the peer's capture (B), this tab becomes a pair: every ESP packet sent at "
           "one end is looked up at the other, and the checklist diagnoses both ends."));
    auto *add = box->addButton(tr("Add as the Peer's Capture"), QMessageBox::AcceptRole);
    add->setObjectName(QStringLiteral("dropAddPeer"));
    auto *alone = box->addButton(tr("Open in a Tab of Its Own"), QMessageBox::ActionRole);
    alone->setObjectName(QStringLiteral("dropOpenAlone"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(add);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this,
            [this, add, alone, path, tab = QPointer<CapturePage>(page)](QAbstractButton *button) {
                if (button == add && tab)
                    addPeerCaptureTo(tab, path); // the tab may have been closed meanwhile
                else if (button == alone)
                    openFiles({path});
            });
    box->open(); // no exec(): no nested event loop
}

void MainWindow::offerChoices(const QStringList &paths)
{
    // Two files: the two ends of one tunnel (a pair), two tabs, or one capture written as a ring.
    // More: one capture (a ring of files) or a tab each.
    const bool two = paths.size() == 2;
    const QString a = paths.at(0), b = paths.at(1);
    auto *box = new QMessageBox(
        QMessageBox::Question, two ? tr("Two captures dropped") : tr("Several captures"),
        two ? tr("Are %1 and %2 the captures of the two ends of one tunnel?")
                  .arg(QFileInfo(a).fileName(), QFileInfo(b).fileName())
            : tr("Are these %1 files one capture written as a ring of files?").arg(paths.size()),
        QMessageBox::NoButton, this);
    box->setObjectName(two ? QStringLiteral("dropPairBox") : QStringLiteral("openSetBox"));
    box->setTextFormat(Qt::PlainText); // the file names as they are, never as HTML
    box->setInformativeText(
        (two ? tr("Compared as a pair, every ESP packet sent at one end is looked up at the other: "
                  "loss in transit, per direction, with the one-way delay.") +
                   QLatin1Char(' ')
             : QString()) +
        tr("As one capture, the files are read in the order of their first packet: sequence numbers and "
           "IKE exchanges continue from file to file, and what a missing file of the ring did not capture "
           "is not counted as loss."));
    QPushButton *compare = nullptr;
    if (two) {
        compare = box->addButton(tr("Compare as a Pair"), QMessageBox::AcceptRole);
        compare->setObjectName(QStringLiteral("dropCompare"));
    }
    auto *separate = box->addButton(tr("Open Separately"), QMessageBox::ActionRole);
    separate->setObjectName(QStringLiteral("dropSeparate"));
    auto *asOne =
        box->addButton(tr("Open as One Capture"), two ? QMessageBox::ActionRole : QMessageBox::AcceptRole);
    asOne->setObjectName(QStringLiteral("dropAsOne"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(two ? compare : asOne);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this,
            [this, compare, separate, asOne, paths](QAbstractButton *button) {
                if (compare && button == compare)
                    openPair(paths.at(0), paths.at(1));
                else if (button == separate)
                    openFiles(paths);
                else if (button == asOne)
                    openAsOneCapture(paths);
            });
    box->open(); // no exec(): no nested event loop
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_fittedToScreen) return;
    m_fittedToScreen = true;
    // A geometry saved on a larger or another screen (a monitor that is gone): restoreGeometry
    // moves it into view but keeps its size. The window is kept whole inside the screen it
    // opens on: no larger than its available area, moved in from the edges.
    if (isMaximized() || isFullScreen() || !screen()) return;
    const QRect avail = screen()->availableGeometry();
    const QRect frame = frameGeometry();
    if (avail.contains(frame)) return;
    const QSize decoration = frame.size() - geometry().size();
    const QSize size = geometry().size().boundedTo(avail.size() - decoration);
    const QSize outer = size + decoration;
    resize(size);
    move(std::clamp(frame.left(), avail.left(), avail.left() + avail.width() - outer.width()),
         std::clamp(frame.top(), avail.top(), avail.top() + avail.height() - outer.height()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // A live capture still running: its helper ends (and the file is saved) before the window
    // closes, in the background, with the status bar saying so; maybeFinishClosing() closes.
    for (int i = m_tabs->count() - 1; i >= 0; --i)
        if (auto *live = qobject_cast<LivePage *>(m_tabs->widget(i)); live && live->session()->isRunning()) {
            endLiveInBackground(live);
            m_tabs->removeTab(i);
            live->deleteLater();
        }
    QStringList running;
    for (const LiveSession *s : findChildren<LiveSession *>())
        if (s->isRunning()) running << s->options().interfaceName;
    if (!running.isEmpty()) {
        m_closing = true;
        updateStartPage();
        showStatus(tr("Stopping the live capture on %1 and saving it before closing (the capture "
                      "helper is killed after %2 s)…")
                       .arg(running.join(QStringLiteral(", ")),
                            QString::number(LiveSession::kBackgroundKillMs / 1000)));
        event->ignore();
        return;
    }
    m_queue.clear();
    m_loader->cancel();
    m_pairQueue.clear();
    m_pairLoader->cancel();
    WorkbenchSettings settings;
    settings.setWindowGeometry(saveGeometry());
    settings.setWindowState(saveState());
    event->accept();
}

// --- endpoint pairs ---

void MainWindow::choosePair()
{
    // One dialog with two files selected, or one file now and its peer in a second dialog.
    FileDialogRequest r;
    r.title = tr("Open the two endpoint captures (A, then B)");
    r.filter = tr("Captures (*.pcap *.pcapng *.cap);;All files (*)");
    askForFiles(this, r, [this, r](const QStringList &paths) {
        if (paths.size() != 1) {
            openChosenPair(paths);
            return;
        }
        FileDialogRequest peer = r;
        peer.title = tr("Open the capture of the other endpoint (B)");
        peer.start = QFileInfo(paths.first()).absolutePath();
        peer.mode = QFileDialog::ExistingFile;
        askForFiles(this, peer, [this, a = paths.first()](const QStringList &b) {
            openChosenPair({a, b.first()});
        });
    });
}

void MainWindow::openChosenPair(const QStringList &paths)
{
    if (paths.size() != 2) {
        onPairFailed(QString(), QString(),
                     tr("Select exactly two captures, one from each end of the tunnel (%1 selected)")
                         .arg(paths.size()));
        return;
    }
    openPair(paths.at(0), paths.at(1));
}

void MainWindow::openPair(const QString &pathA, const QString &pathB)
{
    m_pairQueue.append({pathA, pathB});
    if (!m_pairLoader->isBusy()) compareNextPair();
}

void MainWindow::compareNextPair()
{
    if (m_pairQueue.isEmpty()) return;
    const QStringList pair = m_pairQueue.takeFirst();
    const QString &pathA = pair.at(0);
    const QString &pathB = pair.at(1);
    if (!m_loader->isBusy()) {
        showStatus(tr("Comparing %1 ⇄ %2…").arg(displayName(pathA), displayName(pathB)));
        m_progress->setRange(0, 1000);
        m_progress->setValue(0);
    }
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
    // A tab getting its peer: its capture is read already, only B is.
    const QPointer<CapturePage> target = m_attachTo.value(pathA + QLatin1Char('\n') + pathB);
    if (target && captureKey(*target->index()) == pathA)
        m_pairLoader->compare(pathA, target->index(), target->analysis(), pathB);
    else
        m_pairLoader->compare(pathA, pathB);
}

void MainWindow::onPairProgress(const QString &pathA, const QString &pathB, PairLoader::Stage stage,
                                qint64 done, qint64 total, int permille, double elapsedS)
{
    // A single capture's load owns the bar and the status text while it runs; the pair only
    // keeps the bar and Cancel visible (a finished single load hides them).
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
    if (m_loader->isBusy()) return;
    m_progress->setRange(0, 1000);
    m_progress->setValue(permille);
    const QString names = displayName(pathA) + QStringLiteral(" ⇄ ") + displayName(pathB);
    const QString mb = QString::number(double(done) / 1e6, 'f', 1),
                  ofMb = QString::number(double(total) / 1e6, 'f', 1), s = QString::number(elapsedS, 'f', 0);
    switch (stage) {
    case PairLoader::Stage::Reading:
        showStatus(tr("Reading %1 (both at once): %2 of %3 MB, %4 s").arg(names, mb, ofMb, s));
        break;
    case PairLoader::Stage::ReadingTunnel:
        showStatus(tr("Reading again the capture of %1 that holds several tunnels, as the one the other "
                      "capture proves: %2 of %3 MB, %4 s")
                       .arg(names, mb, ofMb, s));
        break;
    case PairLoader::Stage::Comparing:
        showStatus(tr("Comparing %1: %2 of %3 ESP packet visits, %4 s")
                       .arg(names, QString::number(done), QString::number(total), s));
        break;
    }
}

void MainWindow::onPairCancelled(const QString &pathA, const QString &pathB)
{
    m_attachTo.remove(pathA + QLatin1Char('\n') + pathB);
    if (!m_loader->isBusy()) {
        m_progress->setVisible(false);
        m_cancel->setVisible(false);
    }
    showStatus(tr("Comparison of %1 ⇄ %2 cancelled").arg(displayName(pathA), displayName(pathB)));
    compareNextPair();
}

namespace {
/// Runs `f` `turns` event-loop turns from now (while `context` lives): each heavy step of
/// building a tab gets a turn of its own.
void afterTurns(QObject *context, int turns, std::function<void()> f)
{
    QTimer::singleShot(0, context, [context, turns, f = std::move(f)]() mutable {
        if (turns <= 1)
            f();
        else
            afterTurns(context, turns - 1, std::move(f));
    });
}
} // namespace

void MainWindow::onCompared(const QString &pathA, const QString &pathB, InvestigationPtr investigation)
{
    if (!m_loader->isBusy()) {
        m_progress->setVisible(false);
        m_progress->setRange(0, 1000);
        m_cancel->setVisible(false);
    }
    // One investigation per tab: capture A's tab with every page, the comparison as a tab of its
    // own, and the checklist diagnosing both ends. Every part comes from the one investigation:
    // no file is read again.
    const IndexPtr peerIndex = investigation->index(Host::B);
    // B given whole and read as the one of its tunnels proven A's: named (and remembered) so; A
    // likewise (the mirror: A a hub's capture, B a spoke's).
    TunnelScope givenA, givenB;
    keyPaths(pathA, &givenA);
    keyPaths(pathB, &givenB);
    const QString keyA = givenA.active() ? pathA : tunnelKey(pathA, investigation->index(Host::A)->scope);
    const QString keyB = givenB.active() ? pathB : tunnelKey(pathB, peerIndex->scope);
    const QString title = displayName(keyA) + QStringLiteral(" ⇄ ") + displayName(keyB);
    const ComparePtr result = investigation->comparison();
    const AnalysisPtr peerAnalysis = investigation->analysis(Host::B);
    QPointer<CapturePage> page = m_attachTo.take(pathA + QLatin1Char('\n') + pathB);
    // The peer added to a tab of a hub's whole capture, whose tunnel with B its SPIs prove: that
    // tab keeps the whole capture it shows (its Overview, Packets and findings are the hub's), and
    // the tunnel's pair opens in a tab of its own beside it, saying so.
    QPointer<CapturePage> wholeTab;
    if (page && keyA != pathA) std::swap(page, wholeTab);
    if (page) {
        page->setComparison(result, keyB);
        const int tab = m_tabs->indexOf(page);
        if (tab >= 0) {
            m_tabs->setTabText(tab, mnemonicText(title));
            m_tabs->setTabToolTip(tab, plainToolTip(tr("A: %1\nB: %2").arg(keyText(pathA), keyText(keyB))));
            m_tabs->setCurrentIndex(tab);
        }
        m_stack->setCurrentWidget(m_tabs);
    } else {
        page = addCapturePage(keyA, investigation->index(Host::A));
        page->setComparison(result, keyB);
        const AnalysisPtr analysis = investigation->analysis(Host::A);
        // After the page is in its tab (two turns, see addCapturePage), in a turn of its own.
        afterTurns(page, 3, [page, analysis]() { page->setAnalysis(analysis); });
    }
    page->tabs()->setCurrentIndex(CapturePage::ComparisonTab);
    if (const QString note = m_pairCaptureNotes.take(pathA + QLatin1Char('\n') + pathB); !note.isEmpty())
        if (ComparePage *compare = page->comparePage()) compare->addCaptureNote(note);
    afterTurns(page, 4, [page, peerIndex, peerAnalysis]() { page->setPeer(peerIndex, peerAnalysis); });
    if (investigation->ownTunnel().basis != PeerTunnel::Basis::OneTunnel)
        page->setPeerTunnel(investigation->ownTunnel());
    const PeerTunnel &peerTunnel = investigation->peerTunnel();
    page->setPeerTunnel(peerTunnel);
    if (peerTunnel.basis == PeerTunnel::Basis::NotProven)
        afterTurns(page, 5, [this, page, peerTunnel]() { askPeerTunnel(page, peerTunnel); });
    writeSettings(
        this, [keyA, keyB]() { WorkbenchSettings().addRecentPair(keyA, keyB); },
        [this]() { rebuildRecentMenu(); });
    std::size_t lost = 0;
    for (const DirectionComparison &d : result->directions)
        lost += d.lostInTransit.size();
    if (wholeTab)
        showStatus(tr("%1 holds several tunnels: %2's, %3, is compared in a tab of its own (%4 ESP packets "
                      "lost in transit); the tab of %1 keeps all of it")
                       .arg(displayName(pathA), displayName(keyB),
                            investigation->ownTunnel().scope.endsText(), QString::number(lost)));
    else
        showStatus(tr("%1: %2 ESP packets lost in transit").arg(title).arg(lost));
    compareNextPair();
}

void MainWindow::readOneTunnel()
{
    auto *page = qobject_cast<CapturePage *>(m_tabs->currentWidget());
    if (!page || !page->index()) {
        showStatus(tr("Open a capture first: one tunnel of the current tab's capture is read"));
        return;
    }
    if (!page->peerPath().isEmpty()) {
        // A pair whose peer's capture is read whole although it holds several tunnels.
        if (page->peerIndex() && !page->peerIndex()->scope.active() &&
            tunnelPairs(*page->peerIndex(), 2).size() >= 2)
            askPeerTunnel(page, peerTunnelOf(*page->index(), *page->peerIndex()));
        else
            showStatus(tr("Read one tunnel of each capture alone first, then add the peer's capture to it"));
        return;
    }
    const IndexPtr index = page->index();
    bool more = false;
    TunnelChoice choice;
    choice.pairs = tunnelPairs(*index, 1000, &more);
    if (choice.pairs.size() < 2) {
        showStatus(index->scope.active() ? tr("This tab is read as one tunnel already")
                                         : tr("This capture holds the IKE/ESP of one tunnel only"));
        return;
    }
    choice.objectName = QStringLiteral("readOneTunnelDialog");
    choice.title = tr("Read One Tunnel");
    choice.label = tr("%1 holds the IKE/ESP of %2%3 address pairs, judged as one tunnel when read "
                      "whole.\nRead only the packets between:")
                       .arg(displayName(captureKey(*index)), QString::number(choice.pairs.size()),
                            more ? QStringLiteral("+") : QString());
    choice.okText = tr("Open in a New Tab");
    openTunnelDialog(this, choice, [this, key = wholeCaptureKey(*index)](const TunnelScope &scope) {
        openFiles({tunnelKey(key, scope)});
    });
}

void MainWindow::askPeerTunnel(CapturePage *page, const PeerTunnel &peer)
{
    TunnelChoice choice;
    choice.pairs = peer.pairs;
    // Preselected: the busiest pair carrying A's SPIs, else the busiest with A's addresses (which
    // alone prove nothing: a hub may hold another tunnel between them).
    int preselect = -1, sameEnds = -1;
    for (std::size_t i = 0; i < peer.pairs.size(); ++i) {
        QStringList remarks;
        if (peer.sharesSpis.at(i)) remarks << tr("carries SPIs of A's");
        if (peer.sameEnds.at(i)) remarks << tr("A's addresses");
        choice.remarks << remarks.join(QStringLiteral(", "));
        if (preselect < 0 && peer.sharesSpis.at(i)) preselect = int(i);
        if (sameEnds < 0 && peer.sameEnds.at(i)) sameEnds = int(i);
    }
    choice.preselect = std::max(preselect >= 0 ? preselect : sameEnds, 0);
    choice.objectName = QStringLiteral("peerTunnelDialog");
    choice.title = tr("Which Tunnel of the Peer's Capture?");
    const IndexPtr b = page->peerIndex();
    if (!b) return;
    choice.label =
        tr("This tab compares %1 with the whole of %2: %3.\nCompare A with only the packets of "
           "the peer's capture between:")
            .arg(displayName(captureKey(*page->index())), displayName(wholeCaptureKey(*b)), peer.why);
    choice.okText = tr("Compare in a New Tab");
    openTunnelDialog(this, choice,
                     [this, a = captureKey(*page->index()), keyB = wholeCaptureKey(*b)](
                         const TunnelScope &scope) { openPair(a, tunnelKey(keyB, scope)); });
}

void MainWindow::addPeerCapture()
{
    auto *page = qobject_cast<CapturePage *>(m_tabs->currentWidget());
    if (!page) {
        showStatus(tr("Open a capture first: the peer's capture is compared with the current tab's"));
        return;
    }
    if (!page->peerPath().isEmpty()) {
        showStatus(tr("This tab already compares with %1").arg(displayName(page->peerPath())));
        return;
    }
    choosePeerFor(page);
}

void MainWindow::choosePeerFor(CapturePage *page)
{
    FileDialogRequest r;
    r.title = tr("Open the capture of the other endpoint (B)");
    r.start = QFileInfo(page->index()->file.path).absolutePath();
    r.filter = tr("Captures (*.pcap *.pcapng *.cap);;All files (*)");
    r.mode = QFileDialog::ExistingFile;
    askForFiles(this, r, [this, tab = QPointer<CapturePage>(page)](const QStringList &b) {
        if (tab) addPeerCaptureTo(tab, b.first()); // the tab may have been closed meanwhile
    });
}

void MainWindow::addPeerCaptureTo(CapturePage *page, const QString &peerPath)
{
    const QString a = captureKey(*page->index());
    m_attachTo.insert(a + QLatin1Char('\n') + peerPath, page);
    // The tab getting its peer is the one shown (the request may come from the start page).
    if (const int tab = m_tabs->indexOf(page); tab >= 0) {
        m_tabs->setCurrentIndex(tab);
        m_stack->setCurrentWidget(m_tabs);
    }
    openPair(a, peerPath);
}

void MainWindow::onPairFailed(const QString &pathA, const QString &pathB, const QString &message)
{
    m_attachTo.remove(pathA + QLatin1Char('\n') + pathB);
    if (!m_loader->isBusy()) {
        m_progress->setVisible(false);
        m_progress->setRange(0, 1000);
        m_cancel->setVisible(false);
    }
    showStatus(message);
    m_notices->addNotice(tr("Cannot compare the captures"), message);
    if (!m_pairLoader->isBusy()) compareNextPair();
}

} // namespace ikev2wb::ui

namespace ikev2wb::ui {

CapturePage *MainWindow::reportablePage()
{
    auto *page = qobject_cast<CapturePage *>(m_tabs->currentWidget());
    // A pair's report waits for the peer's analysis and the diagnosis of both ends (the checklist
    // is busy while it is redone), else it would silently cover capture A alone.
    if (page && page->analysis() && page->checklist() && page->checklist()->diagnosis() &&
        !page->checklist()->isBusy() && (!page->comparison() || page->peerAnalysis()))
        return page;
    showStatus(page ? tr("The report needs the finished checklist: wait for the analysis and diagnosis")
                    : tr("Open a capture first: the report covers the current capture's tab"));
    return nullptr;
}

void MainWindow::exportReport()
{
    const CapturePage *page = reportablePage();
    if (!page) return;
    FileDialogRequest r;
    r.title = tr("Export Report");
    r.start = QFileInfo(page->index()->file.path).completeBaseName() + QStringLiteral("-report.pdf");
    r.filter = tr("PDF documents (*.pdf)");
    r.mode = QFileDialog::AnyFile;
    r.accept = QFileDialog::AcceptSave;
    askForFiles(this, r, [this](const QStringList &paths) { exportReportTo(paths.first()); });
}

void MainWindow::exportReportTo(const QString &path)
{
    const CapturePage *page = reportablePage();
    if (!page) return;
    // The shared pointers keep the capture alive while the worker draws the plots from it.
    const IndexPtr index = page->index();
    const AnalysisPtr analysis = page->analysis();
    const DiagnosisPtr diagnosis = page->checklist()->diagnosis();
    // A pair's report covers both ends once the peer is analysed.
    const IndexPtr peerIndex = page->peerAnalysis() ? page->peerIndex() : IndexPtr();
    const AnalysisPtr peerAnalysis = page->peerAnalysis();
    const std::shared_ptr<const CompareResult> comparison = page->comparison();
    showStatus(tr("Writing %1…").arg(QFileInfo(path).fileName()));
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path]() {
        watcher->deleteLater();
        const QString error = watcher->result();
        if (error.isEmpty())
            showStatus(tr("Report written to %1").arg(path));
        else
            m_notices->addNotice(tr("Export Report"), error);
    });
    watcher->setFuture(
        QtConcurrent::run([index, analysis, diagnosis, peerIndex, peerAnalysis, comparison, path]() {
            report::PdfReportInput in;
            in.diagnosis = diagnosis.get();
            in.indexA = index.get();
            in.analysisA = analysis.get();
            in.indexB = peerIndex.get();
            in.analysisB = peerAnalysis.get();
            in.comparison = comparison.get();
            QString error;
            return report::writePdfReport(path, in, &error) ? QString() : error;
        }));
}

} // namespace ikev2wb::ui

namespace ikev2wb::ui {

LiveCaptureDialog *MainWindow::openLiveCaptureDialog()
{
    auto *dialog = findChild<LiveCaptureDialog *>();
    if (!dialog) {
        dialog = new LiveCaptureDialog(QCoreApplication::applicationDirPath(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &LiveCaptureDialog::startRequested, this,
                [this](const LiveCaptureOptions &options) { startLiveCapture(options); });
    }
    dialog->open(); // no exec(): no nested event loop
    return dialog;
}

LivePage *MainWindow::startLiveCapture(const LiveCaptureOptions &options)
{
    auto *session = new LiveSession(options);
    auto *page = new LivePage(session);
    session->setParent(page); // closing the tab stops the capture (and saves it)
    const QPointer<LivePage> guard(page);
    connect(session, &LiveSession::finished, this,
            [this, guard](const QStringList &saved, const QString &error, LiveSnapshotPtr last) {
                if (!guard) return;
                guard->apply(last);
                onLiveFinished(guard, saved, error);
            });
    const int tab = m_tabs->addTab(page, mnemonicText(tr("● %1 (live)").arg(options.interfaceName)));
    m_tabs->setTabToolTip(
        tab, plainToolTip(tr("Live capture on %1 into %2").arg(options.interfaceName, options.output)));
    m_tabs->setCurrentIndex(tab);
    m_stack->setCurrentWidget(m_tabs);
    updateStartPage();
    showStatus(tr("Capturing on %1…").arg(options.interfaceName));
    session->start();
    return page;
}

void MainWindow::endLiveInBackground(LivePage *page)
{
    LiveSession *session = page->session();
    // The tab goes now; the session outlives it (the window's end ends it at the latest) and
    // deletes itself once the helper has ended and the file is saved.
    session->setParent(this);
    disconnect(session, &LiveSession::finished, this, nullptr); // not opened in a tab any more
    if (session->isRunning()) {
        const QString iface = session->options().interfaceName;
        connect(session, &LiveSession::finished, this,
                [this, iface](const QStringList &saved, const QString &error) {
                    showStatus(!error.isEmpty() ? tr("The closed live capture on %1: %2")
                                                      .arg(iface, error.section(QLatin1Char('\n'), 0, 0))
                               : saved.isEmpty()
                                   ? tr("The closed live capture on %1 saved no file").arg(iface)
                                   : tr("The closed live capture on %1 was saved to %2")
                                         .arg(iface, saved.join(QStringLiteral(", "))));
                });
        connect(session, &LiveSession::finished, this, &MainWindow::maybeFinishClosing, Qt::QueuedConnection);
        connect(session, &QObject::destroyed, this, &MainWindow::maybeFinishClosing, Qt::QueuedConnection);
        showStatus(tr("Stopping the live capture on %1 and saving it in the background…").arg(iface));
    }
    session->finishInBackground();
}

void MainWindow::maybeFinishClosing()
{
    if (!m_closing) return;
    for (const LiveSession *s : findChildren<LiveSession *>())
        if (s->isRunning()) return;
    m_closing = false;
    close();
}

void MainWindow::onLiveFinished(LivePage *page, const QStringList &saved, const QString &error)
{
    page->showEnded(saved, error);
    const int tab = m_tabs->indexOf(page);
    if (!error.isEmpty() || saved.isEmpty()) {
        if (tab >= 0)
            m_tabs->setTabText(
                tab, mnemonicText(tr("%1 (capture failed)").arg(page->session()->options().interfaceName)));
        showStatus(error.isEmpty() ? tr("The live capture saved no file")
                                   : error.section(QLatin1Char('\n'), 0, 0));
        return;
    }
    // With the peer's side: the two ends open as a pair in the live tab's place.
    if (const QString peer = page->session()->peerSaved(); !peer.isEmpty()) {
        const QString local = saved.first();
        if (tab >= 0)
            m_tabs->setTabText(
                tab,
                mnemonicText(
                    tr("%1 ⇄ %2 (opening)").arg(QFileInfo(local).fileName(), QFileInfo(peer).fileName())));
        m_liveReplace.insert(local, page);
        const LiveSnapshotPtr &last = page->snapshot();
        const QString skew = last && last->peerStarted
                                 ? tr("the peer's capture (%1) started %2 ms %3 this one (%4): its stream's "
                                      "first bytes, the ssh login and the capture's start there; traffic "
                                      "before then is in the earlier capture only")
                                       .arg(QFileInfo(peer).fileName())
                                       .arg(std::abs(last->peerStartSkewMs))
                                       .arg(last->peerStartSkewMs >= 0 ? tr("after") : tr("before"))
                                       .arg(QFileInfo(local).fileName())
                                 : QString();
        if (!skew.isEmpty()) m_pairCaptureNotes.insert(local + QLatin1Char('\n') + peer, skew);
        showStatus(tr("Live capture saved: %1 and the peer's %2").arg(local, peer));
        openPair(local, peer);
        return;
    }
    // One file, or a ring's kept files read as ONE capture (core/index/captureset: packet
    // numbers, SAs and IKE exchanges continue from file to file).
    const QString key = setKey(saved);
    if (tab >= 0) m_tabs->setTabText(tab, mnemonicText(tr("%1 (opening)").arg(displayName(key))));
    m_liveReplace.insert(key, page);
    showStatus(saved.size() == 1
                   ? tr("Live capture saved to %1").arg(saved.first())
                   : tr("Live capture kept %1 ring files (%2 … %3); opening them as one capture")
                         .arg(saved.size())
                         .arg(QFileInfo(saved.first()).fileName(), QFileInfo(saved.last()).fileName()));
    openAsOneCapture(saved);
}

} // namespace ikev2wb::ui
