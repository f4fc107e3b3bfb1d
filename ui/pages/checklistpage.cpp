#include "checklistpage.h"
#include "report/diagnosisreport.h"
#include "widgets/filedialogs.h"
#include "widgets/plaintext.h"
#include "widgets/viewactions.h"

#include "compare/endpointcompare.h"
#include "diagnose/checklist.h"
#include "diagnose/fixes.h"
#include "evidence/evidenceset.h"
#include "highlight/snippethighlighter.h"
#include "report/outputfile.h"
#include "session/investigation.h"
#include "settings/workbenchsettings.h"

#include <QAbstractTextDocumentLayout>
#include <QEvent>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFrame>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTextBlock>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace ikev2wb::ui {

namespace {

/// Read-only snippet that is exactly as tall as its (wrapped) text: the page scrolls, not
/// every snippet. Long commands wrap so the values at their end stay in view.
class SnippetView final : public QPlainTextEdit
{
public:
    explicit SnippetView(const QString &text, QWidget *parent) : QPlainTextEdit(parent)
    {
        setReadOnly(true);
        setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        // No wrapping: Qt breaks lines after a hyphen, which would split "-j" across lines.
        setLineWrapMode(QPlainTextEdit::NoWrap);
        setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
        setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        QString t = text;
        while (t.endsWith(QLatin1Char('\n')))
            t.chop(1);
        setPlainText(t);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        fitHeight();
    }

protected:
    void resizeEvent(QResizeEvent *e) override
    {
        QPlainTextEdit::resizeEvent(e);
        fitHeight();
    }

private:
    /// Exactly as tall as the text (plus the horizontal bar when a line is wider than the
    /// view): the page scrolls, not every snippet.
    void fitHeight()
    {
        const QFontMetrics fm(font());
        const int lines = document()->blockCount();
        const bool bar = document()->documentLayout()->documentSize().width() > viewport()->width();
        const int want = lines * fm.lineSpacing() + int(2 * document()->documentMargin()) + 2 * frameWidth() +
                         (bar ? horizontalScrollBar()->sizeHint().height() : 0) + 2;
        if (height() != want) setFixedHeight(want);
    }
};

QString configFileOf(FixKind k)
{
    switch (k) {
    case FixKind::Swanctl:
        return QStringLiteral("/etc/swanctl/swanctl.conf");
    case FixKind::IpsecConf:
        return QStringLiteral("/etc/ipsec.conf");
    case FixKind::StrongswanConf:
        return QStringLiteral("/etc/strongswan.conf");
    default:
        return {};
    }
}

QLabel *wrappedLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    return l;
}

} // namespace

ChecklistPage::ChecklistPage(QWidget *parent) : QWidget(parent), m_highlighting(SnippetHighlighting::create())
{
    m_fixTimer.setSingleShot(true);
    m_fixTimer.setInterval(0);
    connect(&m_fixTimer, &QTimer::timeout, this, &ChecklistPage::addNextFix);
    auto *root = new QVBoxLayout(this);

    // --- headline and actions
    auto *top = new QHBoxLayout;
    auto *headBox = new QVBoxLayout;
    m_headline = new QLabel(tr("Diagnosing…"), this);
    m_headline->setObjectName(QStringLiteral("checklistHeadline"));
    m_headline->setTextFormat(Qt::RichText);
    m_headline->setWordWrap(true);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont hf = m_headline->font();
    hf.setPointSizeF(hf.pointSizeF() * 1.35);
    m_headline->setFont(hf);
    headBox->addWidget(m_headline);
    m_headlineDetail = wrappedLabel(this);
    headBox->addWidget(m_headlineDetail);
    m_evidenceStatus = wrappedLabel(this);
    headBox->addWidget(m_evidenceStatus);
    m_assumptions = wrappedLabel(this);
    m_assumptions->setTextFormat(Qt::PlainText); // names the evidence file a value was read from
    m_assumptions->setObjectName(QStringLiteral("checklistAssumptions"));
    m_assumptions->setToolTip(
        tr("Edit → Preferences… Used only where no imported evidence names the value."));
    headBox->addWidget(m_assumptions);
    {
        const WorkbenchSettings settings;
        setAssumptions(settings.assumedReplayWindow(), settings.assumedNatUdpTimeoutS());
    }
    top->addLayout(headBox, 1);

    m_import = new QToolButton(this);
    m_import->setText(tr("Import host evidence…"));
    m_import->setToolTip(tr("Counters (xfrm_stat, ip -s link, ethtool -S), configurations and charon logs, "
                            "or a folder written by 'ikev2wb collect'. The diagnosis runs again with them."));
    m_import->setPopupMode(QToolButton::InstantPopup);
    m_import->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *menu = new QMenu(m_import);
    menu->addAction(tr("Evidence files…"), this, &ChecklistPage::importFiles);
    menu->addAction(tr("A collect folder…"), this, &ChecklistPage::importFolder);
    m_import->setMenu(menu);
    m_export = new QPushButton(tr("Export fix script…"), this);
    m_export->setToolTip(tr("One bash script with every fix below; it lists them and applies only the "
                            "ones you pick, each after a confirmation."));
    m_export->setEnabled(false);
    connect(m_export, &QPushButton::clicked, this, &ChecklistPage::exportClicked);
    top->addWidget(m_import, 0, Qt::AlignTop);
    top->addWidget(m_export, 0, Qt::AlignTop);
    root->addLayout(top);

    // --- ranked findings
    m_findings = new FindingsModel(this);
    m_findingsView = new QTableView(this);
    installTableActions(m_findingsView, QStringLiteral("findings"));
    m_findingsView->setObjectName(QStringLiteral("findingsView"));
    m_findingsView->setModel(m_findings);
    m_findingsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_findingsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_findingsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_findingsView->verticalHeader()->setVisible(false);
    m_findingsView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_findingsView->horizontalHeader()->setStretchLastSection(true);
    m_findingsView->setWordWrap(false);
    m_findingsView->setAlternatingRowColors(true);
    connect(m_findingsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid()) showFinding(current.row());
            });

    // --- the six steps
    m_steps = new ChecklistModel(this);
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_stepsView = new QTreeView(left);
    installTableActions(m_stepsView, QStringLiteral("checklist"));
    m_stepsView->setObjectName(QStringLiteral("stepsView"));
    m_stepsView->setModel(m_steps);
    m_stepsView->setUniformRowHeights(true);
    m_stepsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_stepsView->setAlternatingRowColors(true);
    m_stepsView->header()->setStretchLastSection(false);
    m_stepsView->header()->setSectionResizeMode(ChecklistModel::ColStep, QHeaderView::Stretch);
    m_stepsView->header()->setSectionResizeMode(ChecklistModel::ColStatus, QHeaderView::ResizeToContents);
    m_stepsView->header()->setSectionResizeMode(ChecklistModel::ColConfidence, QHeaderView::ResizeToContents);
    leftLayout->addWidget(m_stepsView, 1);
    auto *collectTitle = new QLabel(tr("<b>What to collect next</b>, then the diagnosis' notes"), left);
    leftLayout->addWidget(collectTitle);
    m_collectNext = wrappedLabel(left);
    m_collectNext->setObjectName(QStringLiteral("collectNext"));
    m_collectNext->setTextFormat(Qt::RichText);
    auto *collectScroll = new QScrollArea(left);
    collectScroll->setWidget(m_collectNext);
    collectScroll->setWidgetResizable(true);
    collectScroll->setFrameShape(QFrame::NoFrame);
    leftLayout->addWidget(collectScroll, 1);
    connect(m_stepsView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (!current.isValid()) return;
                showStep(current.data(StepNumberRole).toInt());
            });
    connect(m_stepsView, &QTreeView::activated, this, [this](const QModelIndex &i) {
        const QVariant p = i.siblingAtColumn(0).data(PacketRole);
        if (p.isValid() && p.toLongLong() > 0) {
            const QString src = i.siblingAtColumn(0).data(SourceRole).toString();
            if (src.isEmpty() || QFileInfo(src).fileName() == m_captureName)
                Q_EMIT packetRequested(quint64(p.toLongLong() - 1));
        }
    });

    // --- details of the selection: evidence, then fixes
    // Layout: steps and the selection's evidence side by side; the fixes below them over the
    // whole width, so that commands of ~150 characters fit without wrapping or scrolling.
    auto *evidencePane = new QWidget(this);
    auto *evidenceLayout = new QVBoxLayout(evidencePane);
    evidenceLayout->setContentsMargins(0, 0, 0, 0);
    m_detailHeading = wrappedLabel(evidencePane);
    m_detailHeading->setObjectName(QStringLiteral("detailHeading"));
    m_detailHeading->setTextFormat(Qt::RichText);
    evidenceLayout->addWidget(m_detailHeading);
    m_evidenceList = new QListWidget(evidencePane);
    m_evidenceList->setObjectName(QStringLiteral("evidenceList"));
    showControlsVisibly(m_evidenceList);
    m_evidenceList->setWordWrap(true);
    m_evidenceList->setResizeMode(QListView::Adjust);
    m_evidenceList->setTextElideMode(Qt::ElideNone);
    m_evidenceList->setSpacing(2);
    m_evidenceList->setAlternatingRowColors(true);
    evidenceLayout->addWidget(m_evidenceList);
    connect(m_evidenceList, &QListWidget::itemClicked, this, &ChecklistPage::evidenceClicked);
    connect(m_evidenceList, &QListWidget::itemActivated, this, &ChecklistPage::evidenceClicked);

    m_fixScroll = new QScrollArea(this);
    m_fixScroll->setWidgetResizable(true);
    m_fixScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_fixContainer = new QWidget(m_fixScroll);
    m_fixLayout = new QVBoxLayout(m_fixContainer);
    m_fixLayout->addStretch();
    m_fixScroll->setWidget(m_fixContainer);

    auto *upper = new QSplitter(Qt::Horizontal, this);
    upper->addWidget(left);
    upper->addWidget(evidencePane);
    upper->setStretchFactor(0, 2);
    upper->setStretchFactor(1, 3);
    upper->setSizes({600, 900});
    auto *body = new QSplitter(Qt::Vertical, this);
    body->addWidget(upper);
    body->addWidget(m_fixScroll);
    body->setStretchFactor(0, 2);
    body->setStretchFactor(1, 3);
    body->setSizes({340, 460});
    body->setCollapsible(1, false);

    root->addWidget(m_findingsView);
    root->addWidget(body, 1);
}

ChecklistPage::~ChecklistPage() = default;

void ChecklistPage::setData(IndexPtr index, AnalysisPtr analysis)
{
    m_index = std::move(index);
    m_analysis = std::move(analysis);
    m_captureName = m_index ? QFileInfo(m_index->file.path).fileName() : QString();
    rerun();
}

void ChecklistPage::addEvidencePaths(const QStringList &paths)
{
    for (const QString &p : paths)
        if (!m_evidencePaths.contains(p)) m_evidencePaths << p;
    rerun();
}

void ChecklistPage::setPeer(IndexPtr index, AnalysisPtr analysis, const QString &name)
{
    m_peerIndex = std::move(index);
    m_peerAnalysis = std::move(analysis);
    m_peerName = name;
    if (m_comparison && m_analysis) rerun();
}

void ChecklistPage::setComparison(std::shared_ptr<const CompareResult> comparison)
{
    m_comparison = std::move(comparison);
    if (m_peerIndex && m_analysis) rerun();
}

void ChecklistPage::rerun()
{
    if (!m_index) {
        m_jobs.drop();
        return;
    }
    if (m_diagnosis)
        m_evidenceStatus->setText(
            tr("Diagnosing again with %n evidence path(s)…", nullptr, int(m_evidencePaths.size())));
    else
        m_headline->setText(tr("Diagnosing…"));
    DiagnosisRun run;
    run.index = m_index;
    run.analysis = m_analysis;
    // The peer joins the diagnosis once its capture is analysed and the comparison is in.
    if (m_peerIndex && m_peerAnalysis && m_comparison) {
        run.peerIndex = m_peerIndex;
        run.peerAnalysis = m_peerAnalysis;
        run.comparison = m_comparison;
    }
    run.paths = m_evidencePaths;
    run.assumptions.replayWindow = std::uint32_t(std::max(0, m_replayWindow));
    run.assumptions.natUdpTimeoutS = m_natUdpTimeoutS;
    run.assumptions.replayWindowFrom = run.assumptions.natUdpTimeoutFrom = tr("Preferences");
    // A newer run (newer evidence or another analysis) cancels this one and drops its result.
    m_jobs.start([run](Job &job) { return runDiagnosis(run, job); },
                 [this](const Result &r) {
                     if (!r.cancelled) apply(r);
                 });
}

ChecklistPage::Result ChecklistPage::runDiagnosis(const DiagnosisRun &run, Job &job)
{
    // The same investigation object the CLI's diagnose builds, over the tab's parts.
    Result r;
    Investigation inv;
    inv.setCapture(Host::A, run.index, run.analysis);
    if (run.peerIndex) {
        inv.setCapture(Host::B, run.peerIndex, run.peerAnalysis);
        inv.setComparison(run.comparison);
    }
    for (const QString &p : run.paths) {
        if (job.isCancelled()) {
            r.cancelled = true;
            return r;
        }
        QString error;
        if (!inv.addEvidence(p, std::nullopt, &error)) r.warnings << error;
        job.items.fetch_add(1, std::memory_order_relaxed);
    }
    for (const EvidenceFile &f : inv.evidence().files())
        if (!f.status.ok()) r.warnings << f.status.error;
    if (job.isCancelled()) {
        r.cancelled = true;
        return r;
    }
    inv.setAssumptions(run.assumptions);
    const Diagnosis &diagnosis = inv.diagnose(job.cancelFlag());
    if (diagnosis.cancelled) {
        r.cancelled = true; // a newer run superseded this one: its result is dropped
        return r;
    }
    r.diagnosis = std::make_shared<const Diagnosis>(diagnosis);
    r.directions = std::make_shared<const EspDirections>(inv.espDirections(Host::A));
    if (run.peerIndex) r.peerDirections = std::make_shared<const EspDirections>(inv.espDirections(Host::B));
    r.evidence = std::make_shared<const EvidenceSet>(inv.evidence());
    return r;
}

void ChecklistPage::apply(const Result &result)
{
    m_diagnosis = result.diagnosis;
    m_directions = result.directions;
    m_peerDirections = result.peerDirections;
    m_evidence = result.evidence;
    m_steps->setDiagnosis(m_diagnosis);
    m_findings->setDiagnosis(m_diagnosis);
    m_findingsView->resizeColumnsToContents();
    m_findingsView->horizontalHeader()->setStretchLastSection(true);
    // As tall as the findings (up to five): the steps and fixes below need the room.
    const int shown = std::clamp(m_findings->rowCount(), 1, 5);
    m_findingsView->setFixedHeight(m_findingsView->horizontalHeader()->sizeHint().height() +
                                   shown * m_findingsView->verticalHeader()->defaultSectionSize() +
                                   2 * m_findingsView->frameWidth());
    // Steps stay collapsed so all six show at once; the selection's evidence is on the right.

    QStringList collect;
    for (const ChecklistStep &s : m_diagnosis->steps)
        for (const QString &c : s.collectNext)
            collect << QStringLiteral("<li><b>%1.</b> %2</li>").arg(s.number).arg(htmlText(c));
    // The notes say what was taken from where and what was not (which connection, placeholders,
    // a capture holding several tunnels): the CLI prints them, the page lists them too.
    QStringList notes;
    for (const QString &n : m_diagnosis->notes)
        notes << QStringLiteral("<li>%1</li>").arg(htmlText(n));
    m_collectNext->setText((collect.isEmpty() ? tr("Nothing: every step has what it needs.")
                                              : QStringLiteral("<ul style=\"margin-left:-20px\">") +
                                                    collect.join(QString()) + QStringLiteral("</ul>")) +
                           (notes.isEmpty() ? QString()
                                            : tr("<p><b>Notes</b></p>") +
                                                  QStringLiteral("<ul style=\"margin-left:-20px\">") +
                                                  notes.join(QString()) + QStringLiteral("</ul>")));

    if (m_evidencePaths.isEmpty() || !m_evidence) {
        m_evidenceStatus->setText(tr("Host evidence: none. Import counters, configurations or a charon log "
                                     "(or an 'ikev2wb collect' folder) to decide the steps marked NOT "
                                     "ENOUGH EVIDENCE."));
    } else {
        std::size_t changed = 0;
        for (const SnapshotDelta &d : m_evidence->deltas())
            changed += d.changed().size();
        m_evidenceStatus->setText(tr("Host evidence: %1 file(s) read, %2 skipped, %3 counter(s) changed "
                                     "between snapshots.")
                                      .arg(m_evidence->files().size())
                                      .arg(m_evidence->skipped().size())
                                      .arg(changed));
    }
    m_export->setEnabled(std::any_of(m_diagnosis->findings.begin(), m_diagnosis->findings.end(),
                                     [](const Finding &f) { return !f.fixes.empty(); }));
    updateHeadline();
    updateAssumptions();

    if (m_detailFinding >= 0 && m_detailFinding < int(m_diagnosis->findings.size()))
        showFinding(m_detailFinding);
    else if (!m_diagnosis->findings.empty())
        showFinding(0);
    else
        showStep(m_detailFinding < 0 ? -m_detailFinding : 1);
    if (!result.warnings.isEmpty()) Q_EMIT failed(result.warnings.join(QLatin1Char('\n')));
    Q_EMIT evidenceChanged(m_evidencePaths.isEmpty() ? nullptr : m_evidence, result.warnings);
    Q_EMIT diagnosisChanged();
}

void ChecklistPage::setAssumptions(int replayWindow, int natUdpTimeoutS)
{
    const bool changed = replayWindow != m_replayWindow || natUdpTimeoutS != m_natUdpTimeoutS;
    m_replayWindow = replayWindow;
    m_natUdpTimeoutS = natUdpTimeoutS;
    if (changed && m_index) rerun();
    updateAssumptions();
}

void ChecklistPage::updateAssumptions()
{
    // Before a diagnosis (or while a new one runs with changed values): the Preferences. After
    // it: what the diagnosis used, evidence or assumption.
    const bool current = m_diagnosis && !m_jobs.isRunning();
    if (!current) {
        m_assumptions->setText(
            tr("Assumed (Preferences): receiver replay window %1 packets, NAT UDP timeout %2 s.")
                .arg(m_replayWindow)
                .arg(m_natUdpTimeoutS));
        return;
    }
    const DiagnosisBasis &b = m_diagnosis->basis;
    if (!b.replayWindows.empty()) {
        // A pair: each direction with its receiving host's own window.
        QStringList windows;
        for (const DirectionReplayWindow &w : b.replayWindows)
            windows << tr("%1 → %2 %3").arg(w.from, w.to, w.basis);
        m_assumptions->setText(tr("Receiver replay windows: %1. NAT UDP timeout: %2.")
                                   .arg(windows.join(QStringLiteral("; ")), b.natUdpTimeoutBasis));
        return;
    }
    m_assumptions->setText(tr("Receiver replay window: %1. NAT UDP timeout: %2.")
                               .arg(b.replayWindowBasis, b.natUdpTimeoutBasis));
}

QString ChecklistPage::assumptionsText() const
{
    return m_assumptions->text();
}

QString ChecklistPage::headline() const
{
    if (!m_diagnosis) return tr("Diagnosing…");
    if (m_diagnosis->findings.empty() || m_diagnosis->findings.front().status == StepStatus::Pass)
        return tr("No cause of loss found in this capture");
    const Finding &f = m_diagnosis->findings.front();
    return tr("Most likely: %1 (%2, %3)")
        .arg(f.title, statusText(f.status).toLower(), QString::number(f.confidence, 'f', 2));
}

void ChecklistPage::updateHeadline()
{
    if (!m_diagnosis) return;
    const QPalette &pal = palette();
    if (m_diagnosis->findings.empty() || m_diagnosis->findings.front().status == StepStatus::Pass) {
        m_headline->setText(QStringLiteral("<span style=\"color:%1\">%2</span>")
                                .arg(statusColor(StepStatus::Pass, pal).name(), htmlText(headline())));
        m_headlineDetail->setText(tr("No step fails or warns. Steps marked NOT ENOUGH EVIDENCE need the "
                                     "peer's capture or host evidence."));
        return;
    }
    const Finding &f = m_diagnosis->findings.front();
    m_headline->setText(tr("Most likely: <b>%1</b> <span style=\"color:%2\"><b>(%3, %4)</b></span>")
                            .arg(htmlText(f.title), statusColor(f.status, pal).name(),
                                 statusText(f.status).toLower(), QString::number(f.confidence, 'f', 2)));
    QString stepTitle;
    for (const ChecklistStep &s : m_diagnosis->steps)
        if (s.number == f.step) stepTitle = s.title;
    const int others = int(m_diagnosis->findings.size()) - 1;
    m_headlineDetail->setText(
        tr("Cause <code>%1</code>, checklist step %2 (%3). %4 %5")
            .arg(f.cause, QString::number(f.step), htmlText(stepTitle))
            .arg(f.fixes.empty() ? tr("No fix yet: see what to collect next.")
                                 : tr("%n fix(es) below.", nullptr, int(f.fixes.size())))
            .arg(others > 0 ? tr("%n other finding(s) in the table.", nullptr, others) : QString()));
}

void ChecklistPage::showFinding(int row)
{
    if (!m_diagnosis || row < 0 || row >= int(m_diagnosis->findings.size())) return;
    m_detailFinding = row;
    const Finding &f = m_diagnosis->findings[std::size_t(row)];
    if (m_findingsView->currentIndex().row() != row) {
        const QSignalBlocker block(m_findingsView->selectionModel());
        m_findingsView->selectRow(row);
        m_findingsView->viewport()->update();
    }
    {
        const QSignalBlocker block(m_stepsView->selectionModel());
        m_stepsView->selectionModel()->clearSelection();
        m_stepsView->viewport()->update();
    }
    showDetail({tr("Finding %1: %2").arg(row + 1).arg(f.title), f.status, f.confidence, &f.evidence, nullptr,
                &f.fixes});
}

void ChecklistPage::showStep(int number)
{
    if (!m_diagnosis) return;
    for (const ChecklistStep &s : m_diagnosis->steps) {
        if (s.number != number) continue;
        m_detailFinding = -number;
        {
            const QSignalBlocker block(m_findingsView->selectionModel());
            m_findingsView->selectionModel()->clearSelection();
            m_findingsView->viewport()->update();
        }
        showDetail({tr("Step %1: %2").arg(s.number).arg(s.title), s.status, s.confidence, &s.evidence,
                    nullptr, &s.fixes});
        return;
    }
}

void ChecklistPage::showDetail(const Detail &d)
{
    const QPalette &pal = palette();
    m_detailHeading->setText(QStringLiteral("<b>%1</b> &nbsp;<span style=\"color:%2\"><b>%3</b></span>%4")
                                 .arg(htmlText(d.heading), statusColor(d.status, pal).name(),
                                      statusText(d.status),
                                      d.status == StepStatus::NotEnoughEvidence
                                          ? QString()
                                          : tr(", confidence %1").arg(d.confidence, 0, 'f', 2)));

    m_evidenceList->clear();
    if (d.evidence) {
        for (const EvidenceItem &e : *d.evidence) {
            const QString ref = evidenceRefText(e.ref);
            auto *item = new QListWidgetItem(
                ref.isEmpty() ? e.text : e.text + QStringLiteral("\n    → ") + ref, m_evidenceList);
            const bool here = e.ref.source.isEmpty() || QFileInfo(e.ref.source).fileName() == m_captureName;
            if (e.ref.packet > 0 && here) {
                item->setData(PacketRole, qint64(e.ref.packet - 1)); // the packet table is 0-based
                item->setForeground(pal.color(QPalette::Link));
                item->setToolTip(tr("Click to show packet %1 in the Packets tab").arg(e.ref.packet));
            } else {
                item->setToolTip(plainToolTip(ref.isEmpty() ? e.text : ref));
            }
        }
    }
    if (m_evidenceList->count() == 0) {
        auto *item = new QListWidgetItem(tr("No evidence recorded for this."), m_evidenceList);
        item->setFlags(Qt::NoItemFlags);
    }

    // Fix widgets are rebuilt: a handful per selection, and no stale highlighter.
    while (QLayoutItem *it = m_fixLayout->takeAt(0)) {
        delete it->widget();
        delete it;
    }
    m_pendingFixes.clear();
    m_nextFix = 0;
    if (d.fixes && !d.fixes->empty()) {
        auto *caption = new QLabel(
            tr("<b>Fixes for %1</b> (review before use; values are filled in from this capture, "
               "<span style=\"%2\">&lt;names&gt;</span> must be replaced)")
                .arg(htmlText(d.heading.section(QLatin1Char(':'), 0, 0).toLower()),
                     QStringLiteral("background:%1")
                         .arg(SnippetTheme::forPalette(pal).placeholder.background().color().name())),
            m_fixContainer);
        caption->setWordWrap(true);
        m_fixLayout->addWidget(caption);
        // One fix widget per event-loop turn once the page is visible (addNextFix): laying out
        // the four fixes' rich-text labels in the turn that showed the page was its largest
        // GUI-thread stall (56-71 ms of CPU in one turn, bench/RESULTS.md).
        m_pendingFixes = *d.fixes;
        m_nextFix = 0;
    } else {
        auto *none = new QLabel(tr("<b>No fix proposed for %1 yet.</b> The evidence does not pin down "
                                   "what to change: see <i>What to collect next</i>, or import host "
                                   "evidence.")
                                    .arg(htmlText(d.heading.section(QLatin1Char(':'), 0, 0).toLower())),
                                m_fixContainer);
        none->setWordWrap(true);
        m_fixLayout->addWidget(none);
    }
    m_fixLayout->addStretch();
    if (isVisible() && !m_pendingFixes.empty()) m_fixTimer.start();
}

void ChecklistPage::addNextFix()
{
    if (m_nextFix >= m_pendingFixes.size()) return;
    // Before the stretch that ends the layout.
    m_fixLayout->insertWidget(m_fixLayout->count() - 1, fixWidget(m_pendingFixes[m_nextFix], m_fixContainer));
    if (++m_nextFix < m_pendingFixes.size()) m_fixTimer.start();
}

void ChecklistPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_nextFix < m_pendingFixes.size()) m_fixTimer.start();
}

QWidget *ChecklistPage::fixWidget(const Fix &fix, QWidget *parent)
{
    auto *box = new QFrame(parent);
    box->setObjectName(QStringLiteral("fix"));
    box->setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(box);
    auto *head = new QHBoxLayout;
    auto *title = wrappedLabel(box);
    const QString where = configFileOf(fix.kind);
    title->setText(QStringLiteral("<b>%1</b> &nbsp;<span style=\"color:%2\">[%3]%4</span>")
                       .arg(htmlText(fix.title), palette().color(QPalette::PlaceholderText).name(),
                            QString::fromLatin1(fixKindName(fix.kind)),
                            where.isEmpty() ? QString() : tr(" in %1").arg(where)));
    head->addWidget(title, 1);
    auto *copy = new QPushButton(tr("Copy"), box);
    copy->setObjectName(QStringLiteral("copyFix"));
    copy->setToolTip(tr("Copy the snippet to the clipboard"));
    const QString text = fix.text;
    connect(copy, &QPushButton::clicked, copy, [copy, text]() {
        copyToClipboard(text);
        copy->setText(tr("Copied"));
        QTimer::singleShot(1500, copy, [copy]() { copy->setText(tr("Copy")); });
    });
    head->addWidget(copy, 0, Qt::AlignTop);
    layout->addLayout(head);

    auto *snippet = new SnippetView(fix.text, box);
    snippet->setObjectName(QStringLiteral("fixSnippet"));
    m_highlighting->attach(snippet->document(), snippetLanguage(fix.kind), palette());
    layout->addWidget(snippet);

    // Plain-text labels in a grid: a rich-text <table> label was the slowest part of the page's
    // layout (QTextDocument table layout for every width the scroll area tries).
    auto *info = new QGridLayout;
    info->setColumnStretch(1, 1);
    int line = 0;
    for (const auto &[label, value] :
         {std::pair{tr("Changes"), &fix.changes}, std::pair{tr("Trade-off"), &fix.tradeoff},
          std::pair{tr("Verify"), &fix.verify}, std::pair{tr("Undo"), &fix.undo}}) {
        auto *name = new QLabel(label, box);
        QFont bold = name->font();
        bold.setBold(true);
        name->setFont(bold);
        name->setAlignment(Qt::AlignTop | Qt::AlignLeft);
        auto *valueLabel = wrappedLabel(box);
        valueLabel->setTextFormat(Qt::PlainText);
        valueLabel->setText(*value);
        info->addWidget(name, line, 0);
        info->addWidget(valueLabel, line, 1);
        ++line;
    }
    layout->addLayout(info);
    return box;
}

void ChecklistPage::evidenceClicked(QListWidgetItem *item)
{
    if (!item) return;
    const QVariant p = item->data(PacketRole);
    if (p.isValid()) Q_EMIT packetRequested(quint64(p.toLongLong()));
}

void ChecklistPage::importFiles()
{
    FileDialogRequest r;
    r.title = tr("Import host evidence");
    r.filter = tr("Evidence (*.txt *.log *.conf *.json);;All files (*)");
    askForFiles(this, r, [this](const QStringList &files) { addEvidencePaths(files); });
}

void ChecklistPage::importFolder()
{
    FileDialogRequest r;
    r.title = tr("Import an 'ikev2wb collect' folder");
    r.mode = QFileDialog::Directory;
    askForFiles(this, r, [this](const QStringList &dirs) { addEvidencePaths({dirs.first()}); });
}

void ChecklistPage::exportClicked()
{
    FileDialogRequest r;
    r.title = tr("Export fix script");
    r.start = QStringLiteral("ikev2wb-fixes.sh");
    r.filter = tr("Shell scripts (*.sh);;All files (*)");
    r.mode = QFileDialog::AnyFile;
    r.accept = QFileDialog::AcceptSave;
    askForFiles(this, r, [this](const QStringList &paths) {
        QString error;
        if (!exportFixScript(paths.first(), &error)) Q_EMIT failed(error);
    });
}

bool ChecklistPage::exportFixScript(const QString &path, QString *error)
{
    if (!m_diagnosis) {
        if (error) *error = tr("%1: no diagnosis yet").arg(path);
        return false;
    }
    QString why;
    if (writeOutputFile(path, fixScript(*m_diagnosis).toUtf8(), true, &why)) return true;
    if (error) *error = tr("cannot write the fix script: %1").arg(why);
    return false;
}

void ChecklistPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_diagnosis) {
        // Snippet colours and status colours depend on the Base colour: redraw with the new theme.
        updateHeadline();
        if (m_detailFinding >= 0)
            showFinding(m_detailFinding);
        else
            showStep(-m_detailFinding);
    }
}

} // namespace ikev2wb::ui
