#include "evidencepage.h"
#include "settings/timedisplay.h"
#include "widgets/filedialogs.h"
#include "widgets/plaintext.h"
#include "widgets/viewactions.h"

#include "charts/evidencetimeline.h"
#include "evidence/evidenceset.h"
#include "models/checklistmodel.h"
#include "models/evidencemodel.h"
#include "settings/workbenchsettings.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

namespace ikev2wb::ui {

namespace {
QTableView *tableView(QAbstractItemModel *model, QWidget *parent)
{
    auto *v = new QTableView(parent);
    v->setModel(model);
    installTableActions(v, QStringLiteral("evidence"));
    v->setSortingEnabled(true);
    v->setSelectionBehavior(QAbstractItemView::SelectRows);
    v->verticalHeader()->setVisible(false);
    v->verticalHeader()->setDefaultSectionSize(v->fontMetrics().height() + 4);
    v->horizontalHeader()->setStretchLastSection(true);
    v->setAlternatingRowColors(true);
    v->setWordWrap(false);
    return v;
}
} // namespace

EvidencePage::EvidencePage(QWidget *parent) : QWidget(parent)
{
    auto *root = new QVBoxLayout(this);

    // --- status, import, clock offset
    auto *top = new QHBoxLayout;
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("evidenceStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::RichText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_status, 1);
    m_import = new QToolButton(this);
    m_import->setText(tr("Import host evidence…"));
    m_import->setToolTip(tr("Counters (xfrm_stat, ip -s link, ethtool -S, snmp), xfrm states, configurations "
                            "and charon logs, or a folder written by 'ikev2wb collect'. The Checklist uses "
                            "them too."));
    m_import->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(m_import);
    menu->addAction(tr("Evidence files…"), this, &EvidencePage::importFiles);
    menu->addAction(tr("A collect folder…"), this, &EvidencePage::importFolder);
    m_import->setMenu(menu);
    top->addWidget(m_import, 0, Qt::AlignTop);
    auto *offsetLabel = new QLabel(tr("Log clock &offset:"), this);
    m_offset = new QDoubleSpinBox(this);
    m_offset->setObjectName(QStringLiteral("clockOffset"));
    m_offset->setRange(-7 * 86400.0, 7 * 86400.0);
    m_offset->setDecimals(3);
    m_offset->setSingleStep(0.1);
    m_offset->setSuffix(tr(" s"));
    m_offset->setToolTip(tr("Seconds added to the host's log times to bring them onto the capture's clock "
                            "(log clock behind the capture: positive). Kept for this session only."));
    offsetLabel->setBuddy(m_offset);
    top->addWidget(offsetLabel, 0, Qt::AlignTop);
    top->addWidget(m_offset, 0, Qt::AlignTop);
    root->addLayout(top);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setChildrenCollapsible(false);

    // --- files and counters
    auto *upper = new QSplitter(Qt::Horizontal, split);
    m_files = new QTreeWidget(upper);
    m_files->setObjectName(QStringLiteral("evidenceFiles"));
    showControlsVisibly(m_files);
    m_files->setHeaderLabels({tr("File"), tr("Host"), tr("Kind"), tr("Snapshot")});
    m_files->setRootIsDecorated(true);
    m_files->setAlternatingRowColors(true);
    auto *counterPane = new QWidget(upper);
    auto *counterLayout = new QVBoxLayout(counterPane);
    counterLayout->setContentsMargins(0, 0, 0, 0);
    auto *filterRow = new QHBoxLayout;
    m_filter = new QLineEdit(counterPane);
    m_filter->setPlaceholderText(tr("Filter counters by host, source or name (e.g. Xfrm, rx_dropped)"));
    m_filter->setClearButtonEnabled(true);
    filterRow->addWidget(m_filter, 1);
    m_onlyChanged = new QCheckBox(tr("Only &changed"), counterPane);
    m_onlyChanged->setChecked(true);
    m_onlyChanged->setToolTip(tr("Hide counters with the same value in both snapshots"));
    filterRow->addWidget(m_onlyChanged);
    auto *nonZero = new QCheckBox(tr("Non-&zero only"), counterPane);
    nonZero->setObjectName(QStringLiteral("onlyNonZero"));
    nonZero->setToolTip(tr("Hide counters whose value in the later snapshot is 0 (an error counter that grew "
                           "before the first snapshot stays: non-zero, unchanged)"));
    filterRow->addWidget(nonZero);
    counterLayout->addLayout(filterRow);
    m_counters = new CounterDeltaModel(this);
    m_counterProxy = new CounterFilterProxy(this);
    m_counterProxy->setSourceModel(m_counters);
    m_counterView = tableView(m_counterProxy, counterPane);
    m_counterView->setObjectName(QStringLiteral("counterView"));
    m_counterView->horizontalHeader()->setStretchLastSection(false);
    // Model order (bad counters first) until the user clicks a header.
    m_counterView->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_counterProxy->sort(-1);
    counterLayout->addWidget(m_counterView);
    connect(m_filter, &QLineEdit::textChanged, m_counterProxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_onlyChanged, &QCheckBox::toggled, m_counterProxy, &CounterFilterProxy::setOnlyChanged);
    connect(nonZero, &QCheckBox::toggled, m_counterProxy, &CounterFilterProxy::setOnlyNonZero);
    upper->addWidget(m_files);
    upper->addWidget(counterPane);
    upper->setStretchFactor(0, 2);
    upper->setStretchFactor(1, 3);

    // --- timeline and log events
    m_timeline = new EvidenceTimeline(split);
    installImageActions(m_timeline, QStringLiteral("evidence-timeline"));
    m_timeline->setMinimumHeight(fontMetrics().height() * 14);
    m_log = new LogEventModel(this);
    m_logProxy = new QSortFilterProxyModel(this);
    m_logProxy->setSourceModel(m_log);
    m_logProxy->setSortRole(LogEventModel::SortRole);
    m_logView = tableView(m_logProxy, split);
    m_logView->setObjectName(QStringLiteral("logView"));
    m_logView->sortByColumn(LogEventModel::ColCaptureTime, Qt::AscendingOrder);
    split->addWidget(upper);
    split->addWidget(m_timeline);
    split->addWidget(m_logView);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setStretchFactor(2, 2);
    // The timeline needs the height: its six marker lanes carry their names on the right axis.
    const int line = fontMetrics().height();
    split->setSizes({line * 9, line * 22, line * 11});
    root->addWidget(split, 1);

    // Dates are wider than seconds: the column grows to show them, never shrinks a width the
    // user chose.
    connect(&TimeDisplayChoice::instance(), &TimeDisplayChoice::changed, this, [this]() {
        const int c = LogEventModel::ColCaptureTime;
        const int chosen = m_logView->columnWidth(c);
        m_logView->resizeColumnToContents(c);
        if (m_logView->columnWidth(c) < chosen) m_logView->setColumnWidth(c, chosen);
    });
    connect(m_offset, &QDoubleSpinBox::valueChanged, this, [this](double s) {
        m_log->setClockOffset(s);
        updateMarkers();
    });
    connect(m_timeline, &EvidenceTimeline::markerClicked, this, [this](int row) {
        const QModelIndex idx = m_logProxy->mapFromSource(m_log->index(row, 0));
        if (!idx.isValid()) return;
        m_logView->selectRow(idx.row());
        m_logView->scrollTo(idx, QAbstractItemView::PositionAtCenter);
    });
    updateStatus();
}

EvidencePage::~EvidencePage() = default;

void EvidencePage::setCapture(IndexPtr index)
{
    m_index = std::move(index);
    if (!m_index) {
        m_activityJobs.drop();
        return;
    }
    m_activityJobs.start(
        [index = m_index](Job &job) {
            CaptureActivity a = captureActivity(*index, 1200, job.cancelFlag(), &job.items);
            return a.cancelled ? nullptr : std::make_shared<const CaptureActivity>(std::move(a));
        },
        [this](std::shared_ptr<const CaptureActivity> activity) {
            if (activity) m_timeline->setActivity(std::move(activity));
        });
    // The time axis moved: place the log events again.
    if (m_evidence) setEvidence(m_evidence, m_warnings);
}

void EvidencePage::setEvidence(std::shared_ptr<const EvidenceSet> evidence, const QStringList &warnings)
{
    m_evidence = std::move(evidence);
    m_warnings = warnings;
    const std::int64_t start = m_index ? m_index->firstNs : 0;
    // A newer import supersedes this one: its rows are dropped.
    m_rowsJobs.start(
        [set = m_evidence, start](Job &job) {
            return std::make_shared<const EvidenceRows>(
                set ? evidenceRows(*set, start, job.cancelFlag(), &job.items) : EvidenceRows{});
        },
        [this](const std::shared_ptr<const EvidenceRows> &rows) {
            if (!rows->cancelled) applyRows(*rows);
        });
    updateStatus();
}

void EvidencePage::setClockOffset(double seconds)
{
    m_offset->setValue(seconds);
}

double EvidencePage::clockOffset() const
{
    return m_offset->value();
}

void EvidencePage::applyRows(const EvidenceRows &rows)
{
    m_counters->setRows(rows.counters);
    m_log->setCaptureStart(m_index ? m_index->firstNs : 0);
    m_log->setRows(rows.logEvents);
    m_counterView->resizeColumnsToContents();
    m_logView->resizeColumnsToContents();

    m_files->clear();
    if (m_evidence) {
        for (const EvidenceFile &f : m_evidence->files()) {
            auto *item = new QTreeWidgetItem(m_files, {QFileInfo(f.path).fileName(), f.host,
                                                       evidenceKindName(f.kind), snapshotPhaseName(f.phase)});
            item->setToolTip(0, plainToolTip(f.path));
            item->setToolTip(2, evidenceKindSource(f.kind));
            if (!f.status.ok()) {
                auto *err = new QTreeWidgetItem(item, {f.status.error});
                err->setForeground(0, statusColor(StepStatus::Fail, palette()));
                err->setFirstColumnSpanned(true);
                item->setExpanded(true);
            }
            for (const EvidenceIssue &w : f.status.warnings) {
                auto *warn = new QTreeWidgetItem(
                    item, {w.line > 0 ? tr("line %1: %2").arg(w.line).arg(w.message) : w.message});
                warn->setFirstColumnSpanned(true);
            }
        }
        for (const SkippedFile &s : m_evidence->skipped()) {
            auto *item =
                new QTreeWidgetItem(m_files, {QFileInfo(s.path).fileName(), QString(), tr("skipped")});
            item->setToolTip(0, plainToolTip(s.path));
            auto *why = new QTreeWidgetItem(item, {s.reason});
            why->setFirstColumnSpanned(true);
        }
    }
    for (int c = 0; c < m_files->columnCount(); ++c)
        m_files->resizeColumnToContents(c);
    updateMarkers();
    updateStatus();
    Q_EMIT evidenceShown();
}

void EvidencePage::updateMarkers()
{
    std::vector<TimelineMarker> markers;
    const std::vector<LogRow> &rows = m_log->rows();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const LogMarker lane = logMarkerOf(rows[i].event.kind);
        const double x = m_log->captureSeconds(int(i));
        if (lane == LogMarker::None || std::isnan(x)) continue;
        markers.push_back({x, int(lane), int(i),
                           plainToolTip(tr("%1 s — %2 line %3\n%4")
                                            .arg(QString::number(x, 'f', 3), rows[i].file,
                                                 QString::number(rows[i].event.line), rows[i].event.raw))});
    }
    m_timeline->setMarkers(std::move(markers));
}

void EvidencePage::updateStatus()
{
    if (!m_evidence || m_evidence->files().empty()) {
        m_status->setText(
            tr("<b>No host evidence imported.</b> On each peer run <code>ikev2wb collect --out DIR</code> "
               "before and after the problem (or copy <code>/proc/net/xfrm_stat</code>, "
               "<code>ip -s -s xfrm state</code>, <code>ip -s link</code> and the charon log), then "
               "<i>Import host evidence…</i> here or on the Checklist. Counters are paired into deltas "
               "and log events are placed on this capture's time axis.") +
            (m_warnings.isEmpty()
                 ? QString()
                 : QStringLiteral("<br>") + htmlText(m_warnings.join(QLatin1Char('\n')))
                                                .replace(QLatin1Char('\n'), QStringLiteral("<br>"))));
        return;
    }
    std::size_t bad = 0, changed = 0;
    for (int r = 0; r < m_counters->rowCount(); ++r) {
        const CounterRow &row = m_counters->row(r);
        changed += row.counter.delta != 0 ? 1 : 0;
        bad += row.bad ? 1 : 0;
    }
    std::size_t withTime = 0;
    for (const LogRow &r : m_log->rows())
        withTime += std::isnan(r.captureS) ? 0 : 1;
    m_status->setText(
        tr("%1 file(s) read, %2 skipped. %3 counter(s) changed, <b>%4 of them count drops or errors</b>. "
           "%5 log event(s), %6 with a time on the capture's axis.%7")
            .arg(m_evidence->files().size())
            .arg(m_evidence->skipped().size())
            .arg(changed)
            .arg(bad)
            .arg(m_log->rowCount())
            .arg(withTime)
            .arg(m_rowsJobs.isRunning() ? tr(" Reading…") : QString()));
}

void EvidencePage::importFiles()
{
    FileDialogRequest r;
    r.title = tr("Import host evidence");
    r.start = WorkbenchSettings().lastDirectory();
    r.filter = tr("Evidence (*.txt *.log *.conf *.json);;All files (*)");
    askForFiles(this, r, [this](const QStringList &files) {
        WorkbenchSettings().setLastDirectory(QFileInfo(files.first()).absolutePath());
        Q_EMIT importRequested(files);
    });
}

void EvidencePage::importFolder()
{
    FileDialogRequest r;
    r.title = tr("Import an 'ikev2wb collect' folder");
    r.start = WorkbenchSettings().lastDirectory();
    r.mode = QFileDialog::Directory;
    askForFiles(this, r, [this](const QStringList &dirs) {
        WorkbenchSettings().setLastDirectory(dirs.first());
        Q_EMIT importRequested({dirs.first()});
    });
}

} // namespace ikev2wb::ui
