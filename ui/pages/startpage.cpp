#include "startpage.h"

#include "settings/workbenchsettings.h"
#include "theme/theme.h"
#include "widgets/plaintext.h"

#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileInfo>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include <map>

namespace ikev2wb::ui {

namespace {

enum RecentRole { PathsRole = Qt::UserRole + 1 };

struct KnownScenario
{
    const char *name;
    const char *title;
    const char *description;
};

// One line per lab scenario, from tests/data/lab/README.md (each folder's truth.json has the
// full story; it becomes the card's tooltip when the samples are links into the lab folders).
const KnownScenario kKnown[] = {
    {"mtu-blackhole", QT_TRANSLATE_NOOP("StartPage", "PMTUD black hole"),
     QT_TRANSLATE_NOOP("StartPage",
                       "A router link of MTU 1400 drops its ICMP \"fragmentation needed\": ESP above "
                       "1400 bytes vanishes left → right, small packets pass")},
    {"loss1", QT_TRANSLATE_NOOP("StartPage", "Random loss in transit"),
     QT_TRANSLATE_NOOP("StartPage",
                       "1 % of the packets left → right lost on the path; right → left is clean")},
    {"natt-expiry", QT_TRANSLATE_NOOP("StartPage", "NAT mapping expiry"),
     QT_TRANSLATE_NOOP("StartPage",
                       "The NAT forgets the UDP mapping after 10 s, the keepalive comes every 60 s: "
                       "right → left ESP is lost after an idle spell, then the port changes")},
    {"reorder-antireplay", QT_TRANSLATE_NOOP("StartPage", "Anti-replay drops from reordering"),
     QT_TRANSLATE_NOOP("StartPage",
                       "The path reorders ESP deeper than the receiver's 16-packet replay window: "
                       "nothing lost on the wire, 25 packets dropped by the right host")},
    {"rekey-loss", QT_TRANSLATE_NOOP("StartPage", "IKE loss during rekeys"),
     QT_TRANSLATE_NOOP("StartPage",
                       "IKE messages dropped during the CHILD_SA and IKE_SA rekeys: retransmissions "
                       "on strongSwan's schedule, the rekeys still succeed")},
    {"dpd", QT_TRANSLATE_NOOP("StartPage", "Peer unreachable (DPD)"),
     QT_TRANSLATE_NOOP("StartPage",
                       "The path goes down for 22 s: dead peer detection gives up and the left end "
                       "re-establishes the tunnel")},
    {"esp-blocked", QT_TRANSLATE_NOOP("StartPage", "ESP blocked by a firewall"),
     QT_TRANSLATE_NOOP("StartPage", "IKE passes and the tunnel comes up, but every ESP packet is dropped")},
    {"natt", QT_TRANSLATE_NOOP("StartPage", "NAT traversal, healthy"),
     QT_TRANSLATE_NOOP("StartPage",
                       "The left end sits behind a NAT: IKE floats to 4500, ESP in UDP, no loss")},
    {"clean", QT_TRANSLATE_NOOP("StartPage", "Healthy tunnel"),
     QT_TRANSLATE_NOOP("StartPage", "No fault injected: the baseline to compare the others with")},
};

QString truthSummary(const QString &capture)
{
    // The bundled samples link into tests/data/lab/<scenario>/, where truth.json lives.
    const QFileInfo target(QFileInfo(capture).canonicalFilePath());
    QFile f(target.absoluteDir().filePath(QStringLiteral("truth.json")));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("summary")).toString();
}

bool hasCaptures(const QDir &dir)
{
    return dir.exists() &&
           !dir.entryList({QStringLiteral("*.pcap"), QStringLiteral("*.pcapng")}, QDir::Files).isEmpty();
}

QLabel *label(const QString &text, QWidget *parent, bool wrap = false)
{
    auto *l = new QLabel(text, parent);
    l->setWordWrap(wrap);
    l->setTextFormat(Qt::PlainText);
    return l;
}

} // namespace

QString findSampleDirectory()
{
    const QString env = qEnvironmentVariable("IKEV2WB_SAMPLES_DIR");
    if (!env.isEmpty() && hasCaptures(QDir(env))) return QDir(env).absolutePath();
    QDir dir(QCoreApplication::applicationDirPath());
    for (int up = 0; up < 6; ++up) {
        const QDir candidate(dir.filePath(QStringLiteral("resources/samples")));
        if (hasCaptures(candidate)) return candidate.absolutePath();
        if (!dir.cdUp()) break;
    }
    const QDir installed(QCoreApplication::applicationDirPath() +
                         QStringLiteral("/../share/ikev2-workbench/samples"));
    if (hasCaptures(installed)) return installed.absolutePath();
    return {};
}

QList<SampleScenario> sampleScenarios(const QString &dirPath)
{
    QList<SampleScenario> out;
    if (dirPath.isEmpty()) return out;
    const QDir dir(dirPath);
    std::map<QString, SampleScenario> byName;
    const QStringList files =
        dir.entryList({QStringLiteral("*.pcap"), QStringLiteral("*.pcapng")}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const QString base = QFileInfo(file).completeBaseName();
        QString name = base;
        bool left = false, right = false;
        for (const QString &side : {QStringLiteral("-left"), QStringLiteral("-right")}) {
            const int at = base.lastIndexOf(side);
            if (at > 0) {
                name = base.left(at);
                left = side == QLatin1String("-left");
                right = !left;
                break;
            }
        }
        SampleScenario &s = byName[name];
        s.name = name;
        const QString path = dir.absoluteFilePath(file);
        if (left)
            s.left = path;
        else if (right || s.right.isEmpty())
            s.right = path; // a capture of no named end is listed as the right one
        if (s.details.isEmpty()) s.details = truthSummary(path);
    }
    // Known scenarios in the README's order, then any others by name.
    for (const KnownScenario &k : kKnown) {
        auto it = byName.find(QString::fromLatin1(k.name));
        if (it == byName.end()) continue;
        it->second.title = QCoreApplication::translate("StartPage", k.title);
        it->second.description = QCoreApplication::translate("StartPage", k.description);
        out << it->second;
        byName.erase(it);
    }
    for (auto &[name, s] : byName) {
        s.title = name;
        s.description = s.details.section(QLatin1Char('.'), 0, 0);
        out << s;
    }
    return out;
}

StartPage::StartPage(const QString &sampleDir, QWidget *parent)
    : QWidget(parent), m_scenarios(sampleScenarios(sampleDir))
{
    setObjectName(QStringLiteral("startPage"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    outer->addWidget(scroll);
    auto *content = new QWidget(scroll);
    scroll->setWidget(content);
    auto *center = new QHBoxLayout(content);
    auto *column = new QWidget(content);
    column->setMaximumWidth(1180);
    center->addStretch(1);
    center->addWidget(column, 12);
    center->addStretch(1);
    auto *layout = new QVBoxLayout(column);
    layout->setContentsMargins(24, 28, 24, 24);
    layout->setSpacing(10);

    auto *title = label(tr("IKEv2 Workbench"), column);
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.9);
    big.setWeight(QFont::DemiBold);
    title->setFont(big);
    layout->addWidget(title);
    auto *tagline =
        label(tr("Finds out why traffic inside IKEv2/IPsec tunnels gets lost. Open the capture of "
                 "one tunnel end, or compare the captures of both ends."),
              column, true);
    m_muted << tagline;
    layout->addWidget(tagline);

    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(12);
    auto *open = new QPushButton(tr("Open Capture…"), column);
    open->setObjectName(QStringLiteral("startOpen"));
    open->setToolTip(tr("Open one or more pcap/pcapng captures (Ctrl+O)"));
    open->setDefault(true);
    auto *pair = new QPushButton(tr("Compare Two Endpoint Captures…"), column);
    pair->setObjectName(QStringLiteral("startPair"));
    pair->setToolTip(tr("The captures taken at the two ends of one tunnel, side by side (Ctrl+Shift+O)"));
    for (QPushButton *b : {open, pair}) {
        b->setMinimumHeight(b->sizeHint().height() * 3 / 2);
        b->setMinimumWidth(b->sizeHint().width() + 40);
        buttons->addWidget(b);
    }
    connect(open, &QPushButton::clicked, this, &StartPage::openDialogRequested);
    connect(pair, &QPushButton::clicked, this, &StartPage::pairDialogRequested);
    auto *drop = label(tr("…or drop capture files anywhere on this window"), column);
    m_muted << drop;
    buttons->addWidget(drop);
    buttons->addStretch();
    m_back = new QPushButton(column);
    m_back->setObjectName(QStringLiteral("startBack"));
    m_back->setVisible(false);
    connect(m_back, &QPushButton::clicked, this, &StartPage::backRequested);
    buttons->addWidget(m_back);
    layout->addSpacing(8);
    layout->addLayout(buttons);

    // The tab in front holds one end's capture alone: its peer's capture can join it here.
    m_peerBar = new QFrame(column);
    m_peerBar->setObjectName(QStringLiteral("startPeerBar"));
    m_peerBar->setFrameShape(QFrame::StyledPanel);
    m_cards << m_peerBar; // drawn like the sample cards
    auto *peerRow = new QHBoxLayout(m_peerBar);
    peerRow->setContentsMargins(14, 8, 14, 8);
    peerRow->setSpacing(10);
    m_peerText = label(QString(), m_peerBar, true);
    m_peerText->setObjectName(QStringLiteral("startPeerText"));
    peerRow->addWidget(m_peerText, 1);
    m_peerChoose = new QPushButton(tr("Add the Peer's Capture…"), m_peerBar);
    m_peerChoose->setObjectName(QStringLiteral("startPeerChoose"));
    connect(m_peerChoose, &QPushButton::clicked, this, &StartPage::addPeerDialogRequested);
    peerRow->addWidget(m_peerChoose);
    m_peerFromRecent = new QPushButton(tr("Add the Selected Recent Capture"), m_peerBar);
    m_peerFromRecent->setObjectName(QStringLiteral("startPeerFromRecent"));
    connect(m_peerFromRecent, &QPushButton::clicked, this, [this]() {
        if (const QString path = selectedPeerCandidate(); !path.isEmpty()) Q_EMIT addPeerRequested(path);
    });
    peerRow->addWidget(m_peerFromRecent);
    m_peerBar->setVisible(false);
    layout->addSpacing(8);
    layout->addWidget(m_peerBar);
    layout->addSpacing(8);

    auto *columns = new QHBoxLayout;
    columns->setSpacing(28);
    layout->addLayout(columns, 1);

    // Lab samples
    auto *samples = new QVBoxLayout;
    samples->setSpacing(8);
    auto *samplesTitle = label(tr("Lab samples"), column);
    QFont heading = samplesTitle->font();
    heading.setPointSizeF(heading.pointSizeF() * 1.25);
    heading.setWeight(QFont::DemiBold);
    samplesTitle->setFont(heading);
    samples->addWidget(samplesTitle);
    auto *samplesNote =
        label(tr("Real strongSwan tunnels, each with one injected fault, captured at the tunnel ends."),
              column, true);
    m_muted << samplesNote;
    samples->addWidget(samplesNote);
    if (m_scenarios.isEmpty()) {
        auto *none = label(tr("No sample captures found (resources/samples, or set IKEV2WB_SAMPLES_DIR)."),
                           column, true);
        m_muted << none;
        samples->addWidget(none);
    }
    for (const SampleScenario &s : std::as_const(m_scenarios))
        samples->addWidget(scenarioCard(s, column));
    samples->addStretch();
    columns->addLayout(samples, 3);

    // Recent
    auto *recent = new QVBoxLayout;
    recent->setSpacing(8);
    auto *recentTitle = label(tr("Recent"), column);
    recentTitle->setFont(heading);
    recent->addWidget(recentTitle);
    auto *recentNote =
        label(tr("Double-click to open again; ⇄ marks a comparison of two ends."), column, true);
    m_muted << recentNote;
    recent->addWidget(recentNote);
    m_recent = new QListWidget(column);
    m_recent->setObjectName(QStringLiteral("recentList"));
    showControlsVisibly(m_recent);
    m_recent->setFrameShape(QFrame::NoFrame);
    m_recent->setSpacing(3);
    m_recent->setWordWrap(false);
    m_recent->setTextElideMode(Qt::ElideMiddle);
    m_recent->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_recent->setToolTip(tr("Double-click or press Enter to open"));
    connect(m_recent, &QListWidget::itemActivated, this, &StartPage::recentActivated);
    connect(m_recent, &QListWidget::currentItemChanged, this, &StartPage::updatePeerButtons);
    m_recent->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_recent, &QListWidget::customContextMenuRequested, this, &StartPage::recentContextMenu);
    recent->addWidget(m_recent, 1);
    columns->addLayout(recent, 2);

    refreshRecent();
    applyColors();
}

StartPage::~StartPage() = default;

QWidget *StartPage::scenarioCard(const SampleScenario &s, QWidget *parent)
{
    auto *card = new QFrame(parent);
    card->setObjectName(QStringLiteral("sampleCard"));
    card->setFrameShape(QFrame::StyledPanel);
    card->setToolTip(s.details);
    m_cards << card;
    auto *layout = new QVBoxLayout(card);
    layout->setContentsMargins(14, 10, 14, 10);
    layout->setSpacing(4);
    auto *title = label(s.title, card);
    QFont bold = title->font();
    bold.setWeight(QFont::DemiBold);
    title->setFont(bold);
    auto *name = label(s.name, card);
    m_muted << name;
    auto *top = new QHBoxLayout;
    top->addWidget(title);
    top->addStretch();
    top->addWidget(name);
    layout->addLayout(top);
    auto *desc = label(s.description, card, true);
    layout->addWidget(desc);

    auto *row = new QHBoxLayout;
    row->setSpacing(6);
    auto addAction = [&](const QString &text, const QString &objectName, const QString &tip, auto slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(objectName);
        action->setToolTip(tip);
        connect(action, &QAction::triggered, this, slot);
        m_sampleActions << action;
        auto *button = new QToolButton(card);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        row->addWidget(button);
    };
    if (!s.left.isEmpty() && !s.right.isEmpty()) {
        const QString a = s.left, b = s.right;
        addAction(tr("Compare both ends ⇄"), QStringLiteral("pair:") + s.name, tr("%1\n⇄ %2").arg(a, b),
                  [this, a, b]() { Q_EMIT openPairRequested(a, b); });
    }
    for (const QString &path : {s.left, s.right}) {
        if (path.isEmpty()) continue;
        const QString side = path == s.left ? tr("Left end") : tr("Right end");
        addAction(side, QStringLiteral("sample:") + QFileInfo(path).fileName(), path,
                  [this, path]() { Q_EMIT openFilesRequested({path}); });
    }
    row->addStretch();
    layout->addLayout(row);
    return card;
}

void StartPage::refreshRecent()
{
    // File names with their folder's name (which tells lab runs apart); the tooltip has the path.
    m_recent->clear();
    const WorkbenchSettings settings;
    const QList<QStringList> pairs = settings.recentPairs();
    for (const QStringList &pair : pairs) {
        const QFileInfo a(pair.at(0)), b(pair.at(1));
        auto *item = new QListWidgetItem(
            tr("%1 ⇄ %2  —  %3").arg(a.fileName(), b.fileName(), a.dir().dirName()), m_recent);
        item->setData(PathsRole, pair);
        item->setToolTip(plainToolTip(tr("Compare\nA: %1\nB: %2").arg(pair.at(0), pair.at(1))));
    }
    const QStringList files = settings.recentFiles();
    for (const QString &file : files) {
        const QFileInfo f(file);
        auto *item = new QListWidgetItem(tr("%1  —  %2").arg(f.fileName(), f.dir().dirName()), m_recent);
        item->setData(PathsRole, QStringList{file});
        item->setToolTip(plainToolTip(file));
    }
    if (m_recent->count() == 0) {
        auto *none = new QListWidgetItem(tr("Nothing opened yet"), m_recent);
        none->setFlags(Qt::NoItemFlags);
    }
    if (m_peerFromRecent) updatePeerButtons();
}

void StartPage::setOpenCount(int open)
{
    m_back->setText(tr("Back to the open captures (%1) ›").arg(open));
    m_back->setVisible(open > 0);
}

void StartPage::setPeerTarget(const QString &tabName, const QString &capturePath)
{
    m_peerTargetName = tabName;
    m_peerTargetPath = capturePath;
    m_peerBar->setVisible(!tabName.isEmpty());
    if (tabName.isEmpty()) return;
    m_peerText->setText(tr("%1 is open with one end's capture. Add the capture of the other end to "
                           "its tab: every ESP packet is looked up at both ends, and the checklist "
                           "diagnoses both.")
                            .arg(tabName));
    m_peerChoose->setToolTip(
        plainToolTip(tr("Choose the capture of the other end of %1's tunnel").arg(tabName)));
    updatePeerButtons();
}

QString StartPage::selectedPeerCandidate() const
{
    if (m_peerTargetName.isEmpty()) return {};
    const QListWidgetItem *item = m_recent->currentItem();
    const QStringList paths = item ? item->data(PathsRole).toStringList() : QStringList();
    // One capture, and not the tab's own.
    if (paths.size() != 1 || QFileInfo(paths.front()) == QFileInfo(m_peerTargetPath)) return {};
    return paths.front();
}

void StartPage::updatePeerButtons()
{
    const QString candidate = selectedPeerCandidate();
    m_peerFromRecent->setEnabled(!candidate.isEmpty());
    m_peerFromRecent->setToolTip(
        candidate.isEmpty()
            ? plainToolTip(
                  tr("Select a capture in Recent (not a comparison, not %1 itself)").arg(m_peerTargetName))
            : plainToolTip(tr("Add %1 as the peer (B) of %2").arg(candidate, m_peerTargetName)));
}

void StartPage::recentContextMenu(const QPoint &pos)
{
    QListWidgetItem *item = m_recent->itemAt(pos);
    if (!item || !(item->flags() & Qt::ItemIsEnabled)) return;
    m_recent->setCurrentItem(item);
    auto *menu = new QMenu(m_recent);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(tr("Open"), this,
                    [this, paths = item->data(PathsRole).toStringList()]() { openRecent(paths); });
    if (const QString path = selectedPeerCandidate(); !path.isEmpty()) {
        // A '&' in the tab's name is shown, not taken for a shortcut.
        QString name = m_peerTargetName;
        name.replace(QLatin1Char('&'), QLatin1String("&&"));
        QAction *peer = menu->addAction(tr("Add as the Peer of %1").arg(name), this,
                                        [this, path]() { Q_EMIT addPeerRequested(path); });
        peer->setObjectName(QStringLiteral("recentAddAsPeer"));
    }
    menu->popup(m_recent->viewport()->mapToGlobal(pos));
}

void StartPage::recentActivated(QListWidgetItem *item)
{
    openRecent(item ? item->data(PathsRole).toStringList() : QStringList());
}

void StartPage::openRecent(const QStringList &paths)
{
    if (paths.size() == 2)
        Q_EMIT openPairRequested(paths.at(0), paths.at(1));
    else if (paths.size() == 1)
        Q_EMIT openFilesRequested(paths);
}

void StartPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) applyColors();
}

void StartPage::applyColors()
{
    // Muted text: between the text and the background, readable in light and dark themes.
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText), bg = pal.color(QPalette::Window);
    const QColor muted = QColor::fromRgbF(float(text.redF() * 0.65 + bg.redF() * 0.35),
                                          float(text.greenF() * 0.65 + bg.greenF() * 0.35),
                                          float(text.blueF() * 0.65 + bg.blueF() * 0.35));
    for (QWidget *w : std::as_const(m_muted)) {
        QPalette p = w->palette();
        p.setColor(QPalette::WindowText, muted);
        w->setPalette(p);
    }
    // Cards stand out from the window a little: the view background (Base).
    for (QWidget *card : std::as_const(m_cards)) {
        card->setAutoFillBackground(true);
        QPalette p = card->palette();
        p.setColor(QPalette::Window, pal.color(QPalette::Base));
        card->setPalette(p);
    }
    QPalette lp = m_recent->palette();
    lp.setColor(QPalette::Base, pal.color(QPalette::Window));
    m_recent->setPalette(lp);
}

} // namespace ikev2wb::ui
