#include "overviewpage.h"
#include "report/analysisreport.h"
#include "util/textformat.h"
#include "util/timeformat.h"
#include "widgets/plaintext.h"
#include "widgets/tablesizing.h"
#include "widgets/viewactions.h"

#include "compare/endpointcompare.h"
#include "compare/pairtotals.h"

#include "models/satablemodel.h"
#include "report/capturesummary.h"
#include "report/jsonwriter.h"
#include "settings/workbenchsettings.h"
#include "theme/theme.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <map>
#include <optional>

namespace ikev2wb::ui {

namespace {

constexpr int kMaxFindings = 5;
constexpr int kMaxWarnings = 5;

QString esc(const QString &s)
{
    return htmlText(s);
}

QString duration(double s)
{
    if (s < 120) return QObject::tr("%1 s").arg(s, 0, 'f', s < 10 ? 3 : 1);
    if (s < 7200) return QObject::tr("%1 min %2 s").arg(int(s) / 60).arg(int(s) % 60);
    return QObject::tr("%1 h %2 min").arg(int(s) / 3600).arg((int(s) % 3600) / 60);
}

QString colorName(const QColor &c)
{
    return c.name(QColor::HexRgb);
}

QColor mix(const QColor &a, const QColor &b, double f)
{
    return QColor::fromRgbF(float(a.redF() * (1 - f) + b.redF() * f),
                            float(a.greenF() * (1 - f) + b.greenF() * f),
                            float(a.blueF() * (1 - f) + b.blueF() * f));
}

/// Where a finding of the diagnosis is best seen, by its cause.
QString linkForCause(const QString &cause)
{
    if (cause.startsWith(QLatin1String("mtu")) || cause == QLatin1String("path_mtu_reduced"))
        return QStringLiteral("mtu");
    if (cause == QLatin1String("ike_retransmissions") || cause == QLatin1String("peer_unreachable"))
        return QStringLiteral("ladder:0");
    return {};
}

QString linkLabel(const QString &link)
{
    if (link.startsWith(QLatin1String("timeline:")) || link.startsWith(QLatin1String("peer-timeline:")))
        return QObject::tr("ESP timeline");
    if (link.startsWith(QLatin1String("ladder:"))) return QObject::tr("IKE ladder");
    if (link == QLatin1String("mtu")) return QObject::tr("MTU");
    return {};
}

} // namespace

OverviewPage::OverviewPage(IndexPtr index, QWidget *parent) : QWidget(parent), m_index(std::move(index))
{
    const WorkbenchSettings settings;
    m_replayWindow = settings.assumedReplayWindow();
    m_natUdpTimeoutS = settings.assumedNatUdpTimeoutS();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *split = m_split = new QSplitter(Qt::Vertical, this);
    split->setChildrenCollapsible(false);
    layout->addWidget(split, 1);

    m_report = new QTextBrowser(split);
    m_report->setObjectName(QStringLiteral("overviewReport"));
    m_report->setOpenLinks(false);
    m_report->setFrameShape(QFrame::NoFrame);
    m_report->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the tables wrap to the width
    m_report->document()->setDocumentMargin(12); // before any content: a change lays it all out again
    connect(m_report, &QTextBrowser::anchorClicked, this,
            [this](const QUrl &url) { openLink(url.toString()); });
    split->addWidget(m_report);

    auto *saPane = new QWidget(split);
    auto *saLayout = new QVBoxLayout(saPane);
    saLayout->setContentsMargins(8, 4, 8, 0);
    auto *saRow = new QHBoxLayout;
    m_saHeading = new QLabel(saPane);
    saRow->addWidget(m_saHeading);
    saRow->addStretch();
    m_saFilter = new QLineEdit(saPane);
    m_saFilter->setObjectName(QStringLiteral("saFilter"));
    m_saFilter->setPlaceholderText(tr("Filter SAs by SPI or address"));
    m_saFilter->setClearButtonEnabled(true);
    m_saFilter->setMinimumWidth(260);
    saRow->addWidget(m_saFilter);
    saLayout->addLayout(saRow);
    m_saModel = new SaTableModel(this);
    m_saModel->setIndex(m_index);
    directionsBeforeDiagnosis();
    m_saProxy = new QSortFilterProxyModel(this);
    m_saProxy->setSourceModel(m_saModel);
    m_saProxy->setSortRole(SaTableModel::SortRole);
    m_saProxy->setFilterKeyColumn(-1);
    m_saProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(m_saFilter, &QLineEdit::textChanged, m_saProxy, &QSortFilterProxyModel::setFilterFixedString);
    m_saView = new QTableView(saPane);
    installTableActions(m_saView, QStringLiteral("esp-sas"));
    m_saView->setObjectName(QStringLiteral("saTable"));
    m_saView->setModel(m_saProxy);
    m_saView->setSortingEnabled(true); // tens of rows: sorting at once is free
    m_saView->sortByColumn(SaTableModel::ColFirstTime, Qt::AscendingOrder);
    m_saView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_saView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_saView->setAlternatingRowColors(true);
    m_saView->setWordWrap(false);
    m_saView->verticalHeader()->setVisible(false);
    m_saView->verticalHeader()->setDefaultSectionSize(m_saView->fontMetrics().height() + 8);
    m_saView->horizontalHeader()->setStretchLastSection(true);
    m_saView->setToolTip(tr("Double-click an SA to open it in the ESP timeline"));
    connect(m_saView, &QTableView::doubleClicked, this, [this](const QModelIndex &idx) {
        if (idx.isValid()) Q_EMIT timelineRequested(idx.data(SaTableModel::SaIndexRole).toInt());
    });
    // Up to five SAs whole whatever the window: the report above scrolls instead.
    keepRowsVisible(m_saView, std::clamp(m_saModel->rowCount(), 1, 5));
    saLayout->addWidget(m_saView, 1);
    split->addWidget(saPane);

    m_textView = new QPlainTextEdit(split);
    m_textView->setObjectName(QStringLiteral("summaryText"));
    m_textView->setReadOnly(true);
    m_textView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_textView->setLineWrapMode(QPlainTextEdit::NoWrap);
    split->addWidget(m_textView);
    split->setStretchFactor(0, 1); // a taller window goes to the report
    split->setStretchFactor(1, 0);
    split->setStretchFactor(2, 0);

    auto *bottom = new QHBoxLayout;
    bottom->setContentsMargins(8, 2, 8, 4);
    m_textToggle = new QToolButton(this);
    m_textToggle->setObjectName(QStringLiteral("summaryToggle"));
    m_textToggle->setText(tr("Text summary"));
    m_textToggle->setCheckable(true);
    m_textToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_textToggle->setAutoRaise(true);
    m_textToggle->setToolTip(tr("The 'ikev2wb summary' and 'ikev2wb analyze' text of this capture"));
    connect(m_textToggle, &QToolButton::toggled, this, &OverviewPage::setTextVisible);
    bottom->addWidget(m_textToggle);
    m_copy = new QPushButton(tr("Copy text summary"), this);
    m_copy->setObjectName(QStringLiteral("copySummary"));
    m_copy->setToolTip(tr("Copy the command-line summary and analysis, e.g. for a ticket"));
    connect(m_copy, &QPushButton::clicked, this, [this]() { copyToClipboard(summaryText()); });
    bottom->addWidget(m_copy);
    bottom->addStretch();
    layout->addLayout(bottom);
    setTextVisible(false);

    connect(&m_summary, &QFutureWatcherBase::finished, this, &OverviewPage::updateTextView);
    connect(&m_analysisText, &QFutureWatcherBase::finished, this, &OverviewPage::updateTextView);
    m_summary.setFuture(QtConcurrent::run([ix = m_index]() {
        return ikev2wb::summaryText(*ix, summarize(*ix)); // walks every packet
    }));
    rebuild();
}

void OverviewPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_reportStale) rebuildReport();
    if (!m_fitted) {
        m_fitted = true;
        fitSplitter();
    }
}

OverviewPage::~OverviewPage() = default;

void OverviewPage::fitSplitter()
{
    const int rows = std::max(2, m_saModel->rowCount());
    const int rowHeight = m_saView->verticalHeader()->defaultSectionSize();
    const int wanted = m_saHeading->sizeHint().height() + m_saView->horizontalHeader()->sizeHint().height() +
                       rows * rowHeight + 24;
    const int total = std::max(m_split->height(), 600);
    // The report keeps what its text needs where it can; the table gets at least a third. The
    // text edit has laid the document out at its width already (setTextWidth would do it again).
    const int report = int(m_report->document()->size().height()) + 8;
    const int table = std::min(wanted, std::max(total / 3, total - report));
    m_split->setSizes({total - table, table, m_textView->isVisible() ? total / 3 : 0});
}

void OverviewPage::setTextVisible(bool visible)
{
    m_textToggle->setArrowType(visible ? Qt::DownArrow : Qt::RightArrow);
    m_textView->setVisible(visible);
    if (visible && m_textStale) updateTextView();
    if (visible) {
        QList<int> sizes = m_split->sizes();
        if (sizes.size() == 3 && sizes[2] < 120) {
            sizes[2] = m_split->height() / 3;
            sizes[0] = std::max(100, sizes[0] - sizes[2]);
            m_split->setSizes(sizes);
        }
    }
}

void OverviewPage::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    m_saModel->setAnalysis(m_analysis);
    if (!m_directionsDiagnosed) directionsBeforeDiagnosis();
    m_textStale = true;
    if (m_analysis) {
        m_analysisText.setFuture(
            QtConcurrent::run([ix = m_index, a = m_analysis]() { return analysisText(*ix, *a); }));
    }
    // The last column too: its size is the least the stretch gives it ("Last (s since start)"
    // had 96 of its 111 px at 1366x768).
    for (int c = 0; c < SaTableModel::ColumnCount; ++c)
        m_saView->resizeColumnToContents(c);
    rebuild();
    // The report grew by the analysis: fit it now, or when the page is next shown.
    if (m_fitted && isVisible())
        fitSplitter();
    else
        m_fitted = false;
}

void OverviewPage::directionsBeforeDiagnosis()
{
    // Until the diagnosis brings them with the drops of its window: no pass of their own here.
    m_directions = ikev2wb::espDirections(*m_index, m_analysis.get(), std::uint32_t(m_replayWindow), false);
}

void OverviewPage::setDiagnosis(DiagnosisPtr diagnosis, std::shared_ptr<const EspDirections> directions,
                                std::shared_ptr<const EspDirections> peerDirections)
{
    m_diagnosis = std::move(diagnosis);
    m_peerDirections = m_diagnosis ? std::move(peerDirections) : nullptr;
    m_directionsDiagnosed = m_diagnosis && directions;
    if (m_directionsDiagnosed)
        m_directions = *directions;
    else
        directionsBeforeDiagnosis();
    rebuild();
}

void OverviewPage::setAssumptions(int replayWindow, int natUdpTimeoutS)
{
    m_replayWindow = std::max(1, replayWindow);
    m_natUdpTimeoutS = std::max(1, natUdpTimeoutS);
    if (!m_directionsDiagnosed) directionsBeforeDiagnosis();
    rebuild();
}

QString OverviewPage::summaryText() const
{
    // result() waits for a running worker, or takes a job not yet started and runs it here.
    QString text = m_summary.future().result();
    if (m_analysis) text += QLatin1Char('\n') + m_analysisText.future().result();
    return text;
}

void OverviewPage::updateTextView()
{
    m_textStale = true;
    if (!m_textToggle->isChecked()) return; // filled when opened
    if (!m_summary.isFinished() || (m_analysis && !m_analysisText.isFinished()))
        return; // the worker's finished signal comes back here
    m_textStale = false;
    m_textView->setPlainText(m_analysis ? summaryText() : summaryText() + tr("\nAnalysing…\n"));
}

void OverviewPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) rebuild();
}

void OverviewPage::openLink(const QString &link)
{
    const QString arg = link.section(QLatin1Char(':'), 1);
    if (link.startsWith(QLatin1String("timeline:")))
        Q_EMIT timelineRequested(arg.toInt());
    else if (link.startsWith(QLatin1String("peer-timeline:")))
        Q_EMIT peerTimelineRequested(arg.toInt());
    else if (link.startsWith(QLatin1String("ladder:")))
        Q_EMIT ladderRequested(arg.toInt());
    else if (link == QLatin1String("mtu"))
        Q_EMIT mtuRequested();
    else if (link == QLatin1String("compare"))
        Q_EMIT comparisonRequested();
    else if (link.startsWith(QLatin1String("finding:")))
        Q_EMIT findingRequested(arg.toInt());
    else if (link == QLatin1String("text"))
        m_textToggle->setChecked(true);
}

int OverviewPage::saOfSpi(quint32 spi) const
{
    return m_saModel->rowOfSpi(spi);
}

void OverviewPage::rebuild()
{
    collectFindings();
    m_saHeading->setText(tr("<b>ESP SAs</b> (%1) — double-click one to open it in the ESP timeline")
                             .arg(m_index->espSas.size()));
    // Laying out the report's tables is the expensive part: not for a hidden page.
    if (isVisible())
        rebuildReport();
    else
        m_reportStale = true;
}

void OverviewPage::rebuildReport()
{
    m_reportStale = false;
    const QPalette &pal = m_report->palette();
    const QColor text = pal.color(QPalette::Text);
    const QColor muted = mix(pal.color(QPalette::Base), text, 0.62);
    const QColor rule = mix(pal.color(QPalette::Base), text, 0.18);
    const QColor headBg = mix(pal.color(QPalette::Base), text, 0.07);
    const QString css =
        QStringLiteral("body { margin: 0; }"
                       "h1 { font-size: x-large; margin: 0 0 2px 0; }"
                       "h2 { font-size: large; margin: 14px 0 4px 0; }"
                       ".muted { color: %1; }"
                       "th { background-color: %3; text-align: left; padding: 3px 8px; font-weight: 600; }"
                       "td { padding: 3px 8px; border-bottom: 1px solid %2; }"
                       "td.num { text-align: right; }"
                       "a { text-decoration: none; }")
            .arg(colorName(muted), colorName(rule), colorName(headBg));
    m_report->document()->setDefaultStyleSheet(css);
    const QString html = QStringLiteral("<html><body>") + headerHtml() + findingsHtml() + pairHtml() +
                         directionsHtml() + ikeHtml() + pathHtml() + QStringLiteral("</body></html>");
    const int scroll = m_report->verticalScrollBar() ? m_report->verticalScrollBar()->value() : 0;
    m_report->setHtml(html);
    if (m_report->verticalScrollBar()) m_report->verticalScrollBar()->setValue(scroll);
}

// --- the findings ---

void OverviewPage::collectFindings()
{
    m_shown.clear();
    // The findings are the diagnosis's: the Overview makes no judgement of its own that the
    // checklist could contradict.
    if (!m_diagnosis) return;
    int row = 0;
    for (const Finding &f : m_diagnosis->findings) {
        const int r = row++;
        if (f.status == StepStatus::Pass) continue;
        if (m_shown.size() >= kMaxFindings) break;
        ShownFinding s;
        s.cause = f.cause;
        s.title = f.title;
        s.status = f.status;
        if (!f.evidence.empty()) s.detail = f.evidence.front().text;
        s.link = linkForCause(f.cause);
        if (s.link.isEmpty())
            for (const EvidenceItem &e : f.evidence)
                if (e.ref.hasSpi && saOfSpi(e.ref.spi) >= 0) {
                    s.link = QStringLiteral("timeline:%1").arg(saOfSpi(e.ref.spi));
                    break;
                }
        s.checklistRow = r;
        m_shown.append(s);
    }
}

// --- the report ---

QString OverviewPage::headerHtml() const
{
    const CaptureIndex &ix = *m_index;
    const QFileInfo fi(ix.file.path);
    QString h = QStringLiteral("<h1>%1</h1>").arg(esc(fi.fileName()));
    h += QStringLiteral("<p class=\"muted\">%1</p>").arg(esc(QDir::toNativeSeparators(fi.absolutePath())));
    const double span = double(ix.lastNs - ix.firstNs) / 1e9;
    const std::uint64_t esp = ix.count(PacketKind::Esp) + ix.count(PacketKind::EspInUdp);
    const std::uint64_t ike =
        ix.count(PacketKind::Ike) + ix.count(PacketKind::IkeNatT) + ix.count(PacketKind::IkeTcp);
    h += QStringLiteral("<table cellspacing=\"0\">");
    auto row = [&](const QString &k, const QString &v) {
        h += QStringLiteral("<tr><td class=\"muted\">%1</td><td>%2</td></tr>").arg(k, v);
    };
    const double size = double(ix.file.fileSize);
    const QString sizeText = size >= 1e6 ? tr("%1 MB").arg(size / 1e6, 0, 'f', 1)
                                         : tr("%1 kB").arg(size / 1e3, 0, 'f', size >= 1e4 ? 0 : 1);
    row(tr("Format"), tr("%1, %2, %3").arg(esc(ix.file.format), esc(ix.file.linkTypeName), sizeText));
    row(tr("Packets"), tr("<b>%1</b> — %2 ESP, %3 IKE, %4 NAT keepalives, %5 ICMP errors")
                           .arg(ix.packetCount())
                           .arg(esp)
                           .arg(ike)
                           .arg(ix.count(PacketKind::NatKeepalive))
                           .arg(ix.icmpErrors.size()));
    if (ix.packetCount() > 0)
        row(tr("Time span"), tr("<b>%1</b> — %2 to %3 UTC")
                                 .arg(duration(span), utcText(ix.firstNs, UtcFormat::Milliseconds),
                                      utcText(ix.lastNs, UtcFormat::Milliseconds).mid(11)));
    if (ix.timeBackwards > 0)
        row(tr("Clock"),
            QStringLiteral("<span style=\"color:%1\">%2</span>")
                .arg(colorName(statusColor(StepStatus::Warn, m_report->palette())),
                     tr("<b>%1 timestamp(s) go backwards</b> (first: packet %2, largest step back %3 s): a "
                        "merged capture or a clock stepped back. Times are shown as the file has them; the "
                        "Packets page flags these (filter <tt>wb.time_backwards</tt>).")
                         .arg(ix.timeBackwards)
                         .arg(ix.firstTimeBackwards + 1)
                         .arg(formatSeconds(ix.largestStepBackNs))));
    row(tr("SAs"), tr("%1 ESP SAs, %2 IKE SAs")
                       .arg(ix.espSas.size())
                       .arg(m_analysis ? QString::number(m_analysis->ike.ikeSas.size()) : tr("…")));
    if (ix.scope.active()) {
        const QString ends = ix.scope.endsText();
        row(tr("Tunnel"), tr("<b>%1</b> — %2 of the %3 packets are outside it (other tunnels, plain traffic, "
                             "non-IP frames) and not analysed; packet numbers are the file's%4")
                              .arg(ends, QString::number(ix.count(PacketKind::OutOfScope)),
                                   QString::number(ix.packetCount()),
                                   m_ownTunnel.basis == PeerTunnel::Basis::Spis
                                       ? tr("; chosen as B's tunnel: %1").arg(esc(m_ownTunnel.why))
                                       : QString()));
    } else if (const std::size_t pairs = tunnelPairs(ix, 1000).size(); pairs >= 2) {
        row(tr("Tunnels"), QStringLiteral("<span style=\"color:%1\">%2</span>")
                               .arg(colorName(statusColor(StepStatus::Warn, m_report->palette())),
                                    tr("<b>%1 address pairs</b> carry IKE/ESP and are judged as one tunnel "
                                       "here: Capture ▸ Read One Tunnel… opens one of them apart")
                                        .arg(pairs)));
    }
    if (m_comparison && m_comparison->side[1].scope.active()) {
        const CompareSide &b = m_comparison->side[1];
        row(tr("Tunnel (B)"), tr("<b>%1</b> in the peer's capture %2 — %3 of its %4 packets are outside it%5")
                                  .arg(b.scope.endsText(), esc(QFileInfo(b.file.path).fileName()),
                                       QString::number(b.outOfScope), QString::number(b.packets),
                                       m_peerTunnel.basis == PeerTunnel::Basis::Spis
                                           ? tr("; chosen as A's tunnel: %1").arg(esc(m_peerTunnel.why))
                                           : QString()));
    } else if (m_comparison && m_peerTunnel.basis == PeerTunnel::Basis::NotProven) {
        row(tr("Tunnels (B)"),
            QStringLiteral("<span style=\"color:%1\">%2</span>")
                .arg(colorName(statusColor(StepStatus::Warn, m_report->palette())),
                     tr("<b>The peer's capture is read whole</b>, judged as one tunnel: %1. "
                        "Capture ▸ Read One Tunnel… compares A with one of them")
                         .arg(esc(m_peerTunnel.why))));
    }
    if (ix.partial || !ix.warnings.empty()) {
        const QColor warn = statusColor(StepStatus::Warn, m_report->palette());
        QStringList lines;
        if (ix.partial)
            lines << tr("<b>Partial:</b> the read stopped early; everything up to there is shown");
        for (std::size_t i = 0; i < ix.warnings.size() && i < std::size_t(kMaxWarnings); ++i) {
            const CaptureWarning &w = ix.warnings[i];
            lines << (w.packet >= 0 ? tr("packet %1: %2").arg(w.packet + 1).arg(esc(w.message))
                                    : esc(w.message));
        }
        const std::uint64_t more = ix.warnings.size() + ix.warningsSuppressed -
                                   std::min<std::uint64_t>(ix.warnings.size(), kMaxWarnings);
        if (more > 0) lines << tr("… and %1 more (Text summary)").arg(more);
        row(tr("Warnings"), QStringLiteral("<span style=\"color:%1\">%2</span>")
                                .arg(colorName(warn), lines.join(QStringLiteral("<br>"))));
    }
    h += QStringLiteral("</table>");
    return h;
}

QString OverviewPage::findingsHtml() const
{
    const QPalette &pal = m_report->palette();
    QString h = QStringLiteral("<h2>%1</h2>").arg(tr("Top findings"));
    if (!m_analysis) return h + QStringLiteral("<p class=\"muted\">%1</p>").arg(tr("Analysing…"));
    if (!m_diagnosis)
        return h + QStringLiteral("<p class=\"muted\">%1</p>").arg(tr("The checklist is diagnosing…"));
    if (m_shown.isEmpty()) {
        h += QStringLiteral("<p><span style=\"color:%1\"><b>%2</b></span> %3</p>")
                 .arg(colorName(statusColor(StepStatus::Pass, pal)), tr("Nothing wrong found."),
                      tr("Every checklist step passed or lacks evidence (see Checklist)."));
        return h;
    }
    h += QStringLiteral("<table cellspacing=\"0\" width=\"100%\">");
    for (const ShownFinding &f : m_shown) {
        QStringList links;
        if (!f.link.isEmpty())
            links << QStringLiteral("<a href=\"%1\">%2 ›</a>").arg(f.link, linkLabel(f.link));
        if (f.checklistRow >= 0)
            links
                << QStringLiteral("<a href=\"finding:%1\">%2 ›</a>").arg(f.checklistRow).arg(tr("Checklist"));
        h += QStringLiteral("<tr><td width=\"70\"><b style=\"color:%1\">%2</b></td>"
                            "<td><b>%3</b><br><span class=\"muted\">%4</span></td>"
                            "<td width=\"190\" align=\"right\">%5</td></tr>")
                 .arg(colorName(statusColor(f.status, pal)), esc(statusText(f.status)).toUpper(),
                      esc(f.title), esc(f.detail), links.join(QStringLiteral("&nbsp;&nbsp;&nbsp;")));
    }
    h += QStringLiteral("</table>");
    return h;
}

QString OverviewPage::directionsHtml() const
{
    QString h;
    if (!m_comparison || !m_peerDirections) {
        h = directionsTableHtml(m_directions, m_directionsDiagnosed,
                                tr("ESP per direction (loss as seen at this capture point)"),
                                !m_index->espSas.empty());
    } else {
        // A pair: each capture's own view, A's then B's (what reached each end, judged by the
        // diagnosis with each receiver's window).
        const auto name = [](const CompareSide &s) { return QFileInfo(s.file.path).fileName(); };
        h = directionsTableHtml(
                m_directions, m_directionsDiagnosed,
                tr("ESP per direction as seen at capture A (%1)").arg(name(m_comparison->side[0])),
                !m_directions.directions.empty()) +
            directionsTableHtml(
                *m_peerDirections, true,
                tr("ESP per direction as seen at capture B (%1)").arg(name(m_comparison->side[1])),
                !m_peerDirections->directions.empty(), 1);
    }
    // Where each receiver's window came from (a pair: the diagnosis judged every direction so).
    if (m_diagnosis && !m_diagnosis->basis.replayWindows.empty()) {
        QStringList windows;
        for (const DirectionReplayWindow &w : m_diagnosis->basis.replayWindows)
            windows << tr("%1 → %2 at %3: %4").arg(w.from, w.to, w.receiver, w.basis);
        h += QStringLiteral("<p class=\"muted\">%1</p>")
                 .arg(esc(tr("Each direction is judged with its receiving host's anti-replay window: %1.")
                              .arg(windows.join(QStringLiteral("; ")))));
    }
    return h;
}

QString OverviewPage::directionsTableHtml(const EspDirections &directions, bool diagnosed,
                                          const QString &heading, bool anyEsp, int side) const
{
    const QPalette &pal = m_report->palette();
    QString h = QStringLiteral("<h2>%1</h2>").arg(esc(heading));
    if (!anyEsp) return h + QStringLiteral("<p class=\"muted\">%1</p>").arg(tr("No ESP in this capture."));
    const QString fail = colorName(statusColor(StepStatus::Fail, pal));
    const QString pass = colorName(statusColor(StepStatus::Pass, pal));
    // A pair judges each direction with its receiving host's window: say it per cell when they differ.
    const bool oneWindow =
        std::all_of(directions.directions.begin(), directions.directions.end(),
                    [&](const EspDirectionTotals &d) { return d.replayWindow == directions.replayWindow; });
    h += QStringLiteral(
             "<table cellspacing=\"0\" width=\"100%\"><tr><th>%1</th><th>%2</th><th align=\"right\">%3</th>"
             "<th align=\"right\">%4</th><th align=\"right\">%5</th><th align=\"right\">%6</th>"
             "<th align=\"right\">%7</th><th align=\"right\">%8</th></tr>")
             .arg(tr("Outer source → destination"), tr("SPIs"), tr("Packets"), tr("Missing"), tr("Reordered"),
                  tr("Duplicates"),
                  oneWindow ? tr("Anti-replay drops (window %1)").arg(directions.replayWindow)
                            : tr("Anti-replay drops (receiver's window)"),
                  tr("Max outer"));
    const QString pending = QStringLiteral("<span class=\"muted\">%1</span>").arg(tr("analysing…"));
    for (const EspDirectionTotals &d : directions.directions) {
        QString missing = pending, reordered = pending, dups = pending, drops = pending;
        QStringList spis;
        for (const std::uint32_t spi : d.spis)
            spis << spiText(spi);
        if (d.analysed) {
            const double pct = d.lossPercent();
            missing = d.missing ? QStringLiteral("<b style=\"color:%1\">%2</b> (%3 %)")
                                      .arg(fail)
                                      .arg(d.missing)
                                      .arg(pct, 0, 'f', pct < 1 ? 2 : 1)
                                : QStringLiteral("<span style=\"color:%1\">0</span>").arg(pass);
            reordered = QString::number(d.reordered);
            dups = QString::number(d.duplicates);
            if (!diagnosed)
                drops = QStringLiteral("<span class=\"muted\">%1</span>").arg(tr("diagnosing…"));
            else if (!d.replayDrops)
                drops = QStringLiteral("<span class=\"muted\">%1</span>").arg(tr("unknown"));
            else if (*d.replayDrops)
                drops = QStringLiteral("<b style=\"color:%1\">%2</b>").arg(fail).arg(*d.replayDrops);
            else
                drops = QStringLiteral("0");
            if (diagnosed && !oneWindow)
                drops += QStringLiteral(" <span class=\"muted\">(%1)</span>")
                             .arg(tr("window %1").arg(d.replayWindow));
        }
        // B's rows index B's SAs: their own link, followed on B's side.
        const QString link = (side == 0 ? QStringLiteral("timeline:") : QStringLiteral("peer-timeline:")) +
                             QString::number(d.worstSa);
        h +=
            QStringLiteral("<tr><td><a href=\"%1\">%2</a></td><td>%3</td><td class=\"num\" "
                           "align=\"right\">%4</td>"
                           "<td align=\"right\">%5</td><td align=\"right\">%6</td><td align=\"right\">%7</td>"
                           "<td align=\"right\">%8</td><td align=\"right\">%9 B</td></tr>")
                .arg(link)
                .arg(esc(addressText(d.src) + QStringLiteral(" → ") + addressText(d.dst)),
                     spis.join(QStringLiteral(", ")))
                .arg(d.packets)
                .arg(missing, reordered, dups, drops)
                .arg(d.maxOuter);
    }
    h += QStringLiteral("</table>");
    return h;
}

void OverviewPage::setComparison(std::shared_ptr<const CompareResult> comparison)
{
    m_comparison = std::move(comparison);
    rebuild();
}

void OverviewPage::setPeerTunnel(const PeerTunnel &peerTunnel)
{
    (peerTunnel.side == 0 ? m_ownTunnel : m_peerTunnel) = peerTunnel;
    rebuild();
}

QString OverviewPage::pairHtml() const
{
    if (!m_comparison) return {};
    const CompareResult &r = *m_comparison;
    const QPalette &pal = m_report->palette();
    const QString fail = colorName(statusColor(StepStatus::Fail, pal));
    const QString pass = colorName(statusColor(StepStatus::Pass, pal));
    QString h =
        QStringLiteral("<h2>%1 <a href=\"compare\">%2</a></h2>")
            .arg(tr("Both ends (loss in transit, measured between the two captures)"), tr("Comparison ›"));
    h += QStringLiteral(
             "<table cellspacing=\"0\" width=\"100%\"><tr><th>%1</th><th align=\"right\">%2</th>"
             "<th align=\"right\">%3</th><th align=\"right\">%4</th><th align=\"right\">%5</th>"
             "<th align=\"right\">%6</th><th align=\"right\">%7</th><th align=\"right\">%8</th></tr>")
             .arg(tr("From → to"), tr("Sent"), tr("Received"), tr("Lost in transit"), tr("Capture drops"),
                  tr("Outside span"), tr("Reordered"), tr("IKE lost"));
    for (const PairDirectionTotals &d : pairDirectionTotals(r)) {
        const std::uint64_t lost = d.lostInTransit;
        const double pct = d.lossPercent();
        const QString lostText = lost ? QStringLiteral("<b style=\"color:%1\">%2</b> (%3 %)")
                                            .arg(fail)
                                            .arg(lost)
                                            .arg(pct, 0, 'f', pct < 1 ? 2 : 1)
                                      : QStringLiteral("<span style=\"color:%1\">0</span>").arg(pass);
        h +=
            QStringLiteral("<tr><td>%1 → %2</td><td align=\"right\">%3</td><td align=\"right\">%4</td>"
                           "<td align=\"right\">%5</td><td align=\"right\">%6</td><td align=\"right\">%7</td>"
                           "<td align=\"right\">%8</td><td align=\"right\">%9</td></tr>")
                .arg(esc(d.fromName()), esc(d.toName()))
                .arg(d.sent)
                .arg(d.received)
                .arg(lostText)
                .arg(d.captureDrops)
                .arg(d.outsideSpan)
                .arg(d.reordered)
                .arg(d.ikeLost);
    }
    h += QStringLiteral("</table>");
    const ClockOffset &c = r.clock;
    h += QStringLiteral("<p class=\"muted\">%1</p>")
             .arg(c.identifiable
                      ? tr("Clock: B − A = %1 s ± %2 ms (minimum one-way path delay %3 ms).")
                            .arg(c.offsetS, 0, 'f', 6)
                            .arg(c.errorBoundS * 1000, 0, 'f', 3)
                            .arg(c.pathDelayS * 1000, 0, 'f', 3)
                      : tr("Clock offset between the captures not identifiable (traffic one way only): "
                           "delays are relative."));
    return h;
}

QString OverviewPage::ikeHtml() const
{
    QString h = QStringLiteral("<h2>%1</h2>").arg(tr("IKE SAs"));
    if (!m_analysis) return h + QStringLiteral("<p class=\"muted\">%1</p>").arg(tr("analysing…"));
    const auto &sas = m_analysis->ike.ikeSas;
    if (sas.empty())
        return h + QStringLiteral("<p class=\"muted\">%1</p>").arg(tr("No IKE in this capture."));
    const QPalette &pal = m_report->palette();
    const QString warn = colorName(statusColor(StepStatus::Warn, pal));
    h += QStringLiteral(
             "<table cellspacing=\"0\" width=\"100%\"><tr><th>%1</th><th>%2</th><th align=\"right\">%3</th>"
             "<th align=\"right\">%4</th><th align=\"right\">%5</th><th>%6</th></tr>")
             .arg(tr("Initiator → responder"), tr("Initiator SPI"), tr("Exchanges"), tr("Retransmissions"),
                  tr("Unanswered"), tr("Notes"));
    auto count = [&](std::uint32_t n) {
        return n ? QStringLiteral("<b style=\"color:%1\">%2</b>").arg(warn).arg(n) : QStringLiteral("0");
    };
    for (std::size_t i = 0; i < sas.size(); ++i) {
        const IkeSaExchanges &sa = sas[i];
        QStringList notes;
        if (sa.version == 1) notes << tr("IKEv1");
        if (sa.gaveUp) notes << tr("%1 given up").arg(sa.gaveUp);
        if (sa.inFileGap) notes << tr("%1 with the outcome in a missing file").arg(sa.inFileGap);
        if (sa.floatToNatTNs >= 0 || sa.natTFromStart) notes << tr("NAT-T");
        if (!sa.startedWithSaInit) notes << tr("began before the capture");
        h += QStringLiteral(
                 "<tr><td><a href=\"ladder:%1\">%2 → %3</a></td><td>%4</td><td align=\"right\">%5</td>"
                 "<td align=\"right\">%6</td><td align=\"right\">%7</td><td class=\"muted\">%8</td></tr>")
                 .arg(i)
                 .arg(esc(addressText(sa.initiator)), esc(addressText(sa.responder)),
                      QStringLiteral("0x%1").arg(sa.initiatorSpi, 16, 16, QLatin1Char('0')))
                 .arg(sa.exchanges.size())
                 .arg(count(sa.retransmissions), count(sa.unanswered), esc(notes.join(QStringLiteral(", "))));
    }
    h += QStringLiteral("</table>");
    return h;
}

QString OverviewPage::pathHtml() const
{
    QString h = QStringLiteral("<h2>%1</h2>").arg(tr("Path and NAT"));
    if (!m_analysis) return h + QStringLiteral("<p class=\"muted\">%1</p>").arg(tr("analysing…"));
    const MtuAnalysis &mtu = m_analysis->mtu;
    const NattAnalysis &natt = m_analysis->natt;
    const QPalette &pal = m_report->palette();
    h += QStringLiteral("<table cellspacing=\"0\">");
    auto row = [&](const QString &k, const QString &v, const QString &link = {}) {
        h += QStringLiteral("<tr><td class=\"muted\">%1</td><td>%2</td><td>%3</td></tr>")
                 .arg(k, v,
                      link.isEmpty() ? QString()
                                     : QStringLiteral("<a href=\"%1\">%2 ›</a>").arg(link, linkLabel(link)));
    };
    // The diagnosis's one path-MTU figure with its provenance (the same in every view).
    QString pmtu;
    if (!m_diagnosis)
        pmtu = QStringLiteral("<span class=\"muted\">%1</span>").arg(tr("waiting for the diagnosis…"));
    else if (m_diagnosis->basis.pathMtu)
        // The largest size delivered bounds the path MTU from below only.
        pmtu = (m_diagnosis->basis.pathMtuSource == QLatin1String("proven_delivered")
                    ? tr("<b>at least %1 B</b>: %2")
                    : tr("<b>%1 B</b>: %2"))
                   .arg(m_diagnosis->basis.pathMtu)
                   .arg(htmlText(m_diagnosis->basis.pathMtuText));
    else
        pmtu = htmlText(m_diagnosis->basis.pathMtuText); // "not known: …" says it itself
    if (m_diagnosis && !m_diagnosis->basis.pathMtuRefine.isEmpty())
        pmtu += QStringLiteral("<br/><span class=\"muted\">%1</span>")
                    .arg(tr("measure it: %1").arg(htmlText(m_diagnosis->basis.pathMtuRefine)));
    row(tr("Path MTU"), pmtu, QStringLiteral("mtu"));
    if (mtu.blackHole.level != MtuBlackHole::Level::None)
        row(tr("Black hole"),
            QStringLiteral("<b style=\"color:%1\">%2</b>")
                .arg(colorName(statusColor(mtu.blackHole.level == MtuBlackHole::Level::Suspected
                                               ? StepStatus::Fail
                                               : StepStatus::Warn,
                                           pal)),
                     mtu.blackHole.level == MtuBlackHole::Level::Suspected ? tr("suspected")
                                                                           : tr("possible")));
    if (mtu.fragmentsIncomplete > 0)
        row(tr("Outer fragments"), tr("%1 datagrams incomplete, %2 reassembled")
                                       .arg(mtu.fragmentsIncomplete)
                                       .arg(mtu.fragmentsComplete));
    // The timeout the diagnosis judged by (evidence, else the assumption); the preference before.
    const double natTimeout = m_diagnosis && m_diagnosis->basis.natUdpTimeoutS > 0
                                  ? m_diagnosis->basis.natUdpTimeoutS
                                  : double(m_natUdpTimeoutS);
    for (const NatPeerPair &p : natt.pairs) {
        std::size_t longGaps = 0;
        double longest = 0;
        for (const NatIdleGap &g : p.idleGaps) {
            longest = std::max(longest, g.seconds());
            if (outlastsNatTimeout(g.seconds(), natTimeout)) ++longGaps;
        }
        QString v =
            tr("%1 ⇄ %2: %3, %4 NAT keepalives")
                .arg(esc(addressText(p.a)), esc(addressText(p.b)), QString::fromLatin1(p.encapsulation()))
                .arg(p.keepalives);
        if (longGaps > 0)
            v += QStringLiteral(", <b style=\"color:%1\">%2</b>")
                     .arg(colorName(statusColor(StepStatus::Warn, pal)),
                          tr("%1 idle gap(s) at least as long as the NAT UDP timeout of %2 s (longest %3 s)")
                              .arg(longGaps)
                              .arg(natTimeout)
                              .arg(longest, 0, 'f', 1));
        row(tr("Peers"), v);
    }
    if (!natt.rebindings.empty())
        row(tr("NAT rebinding"), tr("%1 SA(s) changed UDP ports").arg(natt.rebindings.size()));
    h += QStringLiteral("</table>");
    return h;
}

} // namespace ikev2wb::ui
