#include "comparepage.h"
#include "models/cellroles.h"
#include "theme/theme.h"
#include "util/textformat.h"
#include "widgets/plaintext.h"
#include "widgets/tablesizing.h"
#include "widgets/viewactions.h"

#include "charts/comparechart.h"
#include "models/directionmodel.h"
#include "models/packetorder.h"
#include "report/comparereport.h"
#include "report/jsonwriter.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <map>

namespace ikev2wb::ui {

namespace {

QString when(std::int64_t ns)
{
    return utcText(ns, UtcFormat::Milliseconds);
}

QString sideName(int s)
{
    return s == 0 ? QStringLiteral("A") : QStringLiteral("B");
}

QString addresses(const CompareSide &s)
{
    QStringList out;
    for (const IpAddress &a : s.localAddresses)
        out << QString::fromStdString(a.toString());
    return out.isEmpty() ? ComparePage::tr("not identified") : out.join(QStringLiteral(", "));
}

// Seconds on the page's timeline: since capture A started, on A's clock when the offset is known.
QString timelineS(const CompareResult &r, int from, std::int64_t ns)
{
    const std::int64_t origin = from == 0 ? r.side[0].firstNs
                                : r.clock.identifiable
                                    ? r.side[0].firstNs + std::int64_t(std::llround(r.clock.offsetS * 1e9))
                                    : r.side[1].firstNs;
    return QString::number(double(ns - origin) / 1e9, 'f', 1);
}

/// Shows its page filling the viewport, and scrolls it only when the viewport is shorter or
/// narrower than the page's minimum (QScrollArea's widgetResizable grows a page holding word-wrapped
/// labels to its preferred height for the width: a scrolling page at 1366x768 with room to spare).
class FitScrollArea final : public QScrollArea
{
public:
    using QScrollArea::QScrollArea;
    void setPage(QWidget *page)
    {
        setWidget(page);
        page->installEventFilter(this);
        fit();
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QScrollArea::resizeEvent(event);
        fit();
    }
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == widget() && event->type() == QEvent::LayoutRequest)
            QMetaObject::invokeMethod(
                this, [this]() { fit(); }, Qt::QueuedConnection);
        return QScrollArea::eventFilter(watched, event);
    }

private:
    void fit()
    {
        QWidget *page = widget();
        if (!page) return;
        const QSize min = page->minimumSizeHint().expandedTo(page->minimumSize());
        const int width = std::max(viewport()->width(), min.width());
        int height = min.height();
        if (QLayout *layout = page->layout(); layout && layout->hasHeightForWidth())
            height = std::max(height, layout->minimumHeightForWidth(width));
        page->resize(width, std::max(viewport()->height(), height));
    }
};

} // namespace

ComparePage::ComparePage(ComparePtr result, QWidget *parent) : QWidget(parent), m_result(std::move(result))
{
    // The page scrolls when the window is shorter than its charts need to show their axes whole
    // (1280x720 logical at QT_SCALE_FACTOR 1.5 on 1920x1080), instead of growing the window past
    // the screen or letting Qt Charts elide the axis labels to "...".
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new FitScrollArea(this);
    scroll->setFrameShape(QFrame::NoFrame);
    outer->addWidget(scroll);
    auto *content = new QWidget(scroll);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(6, 6, 6, 6);

    m_verdict = new QLabel(this);
    m_verdict->setTextFormat(Qt::RichText);
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = m_verdict->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    m_verdict->setFont(big);
    layout->addWidget(m_verdict);

    m_sides = new QLabel(this);
    m_sides->setObjectName(QStringLiteral("compareSides"));
    m_sides->setTextFormat(Qt::RichText);
    m_sides->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_sides);
    // A hub's capture compared as one of its tunnels: said above the figures, with the way to the
    // whole capture (the tab's other pages of that capture, or a tab of its own).
    m_tunnels = new QLabel(this);
    m_tunnels->setObjectName(QStringLiteral("compareTunnels"));
    m_tunnels->setWordWrap(true);
    m_tunnels->setTextFormat(Qt::RichText);
    m_tunnels->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_tunnels->setVisible(false);
    connect(m_tunnels, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link == QLatin1String("whole:0") || link == QLatin1String("whole:1"))
            Q_EMIT wholeCaptureRequested(link.back() == QLatin1Char('1') ? 1 : 0);
    });
    layout->addWidget(m_tunnels);
    m_clock = new QLabel(this);
    m_clock->setWordWrap(true);
    m_clock->setTextFormat(Qt::RichText);
    m_clock->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_clock);

    m_model = new DirectionModel(this);
    m_model->setResult(m_result);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(DirectionModel::SortRole);
    m_table = new QTableView(this);
    installTableActions(m_table, QStringLiteral("comparison"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // A → B first, as the comparison lists them
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setStretchLastSection(true);
    // Both directions whole: at 1366x768 the horizontal scroll bar covered B → A's row.
    m_table->setFixedHeight(heightForRows(m_table, 2));
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    layout->addWidget(m_table);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_chart = new CompareChart(split);
    installImageActions(m_chart, QStringLiteral("comparison-chart"));
    split->addWidget(m_chart);
    auto *bottom = new QWidget(split);
    auto *bottomLayout = new QHBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    auto *sizePane = new QWidget(bottom);
    auto *sizeLayout = new QVBoxLayout(sizePane);
    sizeLayout->setContentsMargins(0, 0, 0, 0);
    m_sizeVerdict = new QLabel(sizePane);
    m_sizeVerdict->setWordWrap(true);
    m_sizeVerdict->setTextFormat(Qt::RichText);
    sizeLayout->addWidget(m_sizeVerdict);
    m_sizeTable = new QTableWidget(sizePane);
    installTableActions(m_sizeTable, QStringLiteral("comparison-sizes"));
    m_sizeTable->verticalHeader()->setVisible(false);
    m_sizeTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_sizeTable->verticalHeader()->setDefaultSectionSize(m_sizeTable->fontMetrics().height() + 4);
    sizeLayout->addWidget(m_sizeTable, 1);
    m_notes = new QPlainTextEdit(bottom);
    m_notes->setObjectName(QStringLiteral("compareNotes"));
    m_notes->setReadOnly(true);
    bottomLayout->addWidget(sizePane, 1);
    bottomLayout->addWidget(m_notes, 1);
    split->addWidget(bottom);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    scroll->setPage(content);

    fillHeader();
    fillSizeTable();
    keepRowsVisible(m_sizeTable, 4); // its header is filled now
    fillNotes();

    if (m_result) {
        // Extraction copies every lost packet and merges the delay series: not on this thread.
        auto *watcher = new QFutureWatcher<std::shared_ptr<const CompareChartData>>(this);
        connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher]() {
            watcher->deleteLater();
            m_chart->setData(watcher->result());
            Q_EMIT chartReady();
        });
        ComparePtr r = m_result;
        watcher->setFuture(QtConcurrent::run(
            [r]() { return std::make_shared<const CompareChartData>(buildCompareChart(*r)); }));
    }
}

ComparePage::~ComparePage() = default;

bool ComparePage::isChartReady() const
{
    return m_chart->data() != nullptr;
}

void ComparePage::fillHeader()
{
    if (!m_result) return;
    const CompareResult &r = *m_result;
    // The verdict first: where the loss is, how much and when, in one line per direction.
    QStringList lines;
    for (const DirectionComparison &d : r.directions) {
        const QString dir = QStringLiteral("%1 → %2").arg(sideName(d.from), sideName(1 - d.from));
        const std::size_t lost = d.lostInTransit.size();
        QString line;
        if (d.sent == 0)
            line = tr("<b>%1</b>: no ESP sent").arg(dir);
        else if (lost == 0)
            line = tr("<b>%1</b>: nothing lost in transit (%2 ESP packets)").arg(dir).arg(d.sent);
        else
            line = tr("<b>%1</b>: <span style='color:%7'><b>%2 of %3 ESP packets lost in transit "
                      "(%4 %)</b></span>, sent between %5 s and %6 s on the timeline")
                       .arg(dir)
                       .arg(lost)
                       .arg(d.sent)
                       .arg(100.0 * double(lost) / double(d.sent), 0, 'f', 2)
                       .arg(timelineS(r, d.from, d.lostInTransit.front().tsNs),
                            timelineS(r, d.from, d.lostInTransit.back().tsNs),
                            roleCss(ColorRole::Bad, palette()));
        if (d.sizeDependent)
            line += tr(" — <b>only large packets</b>: every lost one ≥ %1 B, every delivered one ≤ %2 B "
                       "(suspect the path MTU)")
                        .arg(d.smallestLost)
                        .arg(d.largestDelivered);
        if (!d.outages.empty()) {
            double longest = 0;
            for (const Outage &o : d.outages)
                longest = std::max(longest, double(o.lastLostNs - o.firstLostNs) / 1e9);
            line +=
                tr(" — %n outage(s), longest %1 s", nullptr, int(d.outages.size())).arg(longest, 0, 'f', 1);
        }
        if (d.ikeLost) {
            // Those due after (or before) the receiver's captured packets are not called lost.
            std::uint64_t beyond = 0;
            for (const IkeLostMessage &l : r.ikeLost)
                beyond += l.from == d.from && l.beyondReceiverSpan ? 1 : 0;
            if (d.ikeLost > beyond) line += tr(" — %1 IKE message(s) lost").arg(d.ikeLost - beyond);
            if (beyond)
                line +=
                    tr(" — %1 IKE message(s) due at %2 after its last captured packet (or before its first): "
                       "not judged")
                        .arg(beyond)
                        .arg(QLatin1String(d.from == 0 ? "B" : "A"));
        }
        lines << line;
    }
    m_verdict->setText(lines.join(QStringLiteral("<br>")));

    QString sides = QStringLiteral("<table cellspacing='0' cellpadding='1'>");
    for (int s = 0; s < 2; ++s) {
        const CompareSide &c = r.side[s];
        sides +=
            tr("<tr><td><b>%1</b>&nbsp;</td><td><b>%2</b>&nbsp;&nbsp;</td><td>endpoint <b>%3</b>"
               "&nbsp;&nbsp;</td><td>%4 → %5 UTC (%6 s)&nbsp;&nbsp;</td>"
               "<td>%7 packets: %8 ESP, %9 IKE</td></tr>")
                .arg(sideName(s),
                     htmlText(QFileInfo(c.file.path).fileName() +
                              (c.scope.active() ? tr(" [tunnel %1]").arg(c.scope.endsText()) : QString())),
                     htmlText(addresses(c)), when(c.firstNs), when(c.lastNs),
                     QString::number(double(c.lastNs - c.firstNs) / 1e9, 'f', 1), QString::number(c.packets),
                     QString::number(c.espPackets), QString::number(c.ikeMessages));
    }
    sides += QStringLiteral("</table>");
    m_sides->setText(sides);
    m_sides->setToolTip(plainToolTip(QDir::toNativeSeparators(r.side[0].file.path) + QLatin1Char('\n') +
                                     QDir::toNativeSeparators(r.side[1].file.path)));

    QStringList scoped;
    for (const PeerTunnel *t : {&r.ownTunnel, &r.peerTunnel}) {
        if (t->basis != PeerTunnel::Basis::Spis || t->side < 0 || t->side > 1) continue;
        const CompareSide &c = r.side[t->side];
        const QString name = htmlText(QFileInfo(c.file.path).fileName());
        scoped << tr("<span style='color:%1'><b>%2 is compared as one of its tunnels, %3</b></span> — %4. "
                     "%5 of its %6 packets (its other tunnels, plain traffic) are not in this comparison. "
                     "<a href=\"whole:%7\">Open all of %8</a>")
                      .arg(roleCss(ColorRole::Warning, palette()), sideName(t->side),
                           htmlText(t->scope.endsText()), htmlText(t->why), QString::number(c.outOfScope),
                           QString::number(c.packets), QString::number(t->side), name);
    }
    m_tunnels->setText(scoped.join(QStringLiteral("<br>")));
    m_tunnels->setVisible(!scoped.isEmpty());

    if (r.clock.identifiable)
        m_clock->setText(tr("<b>Clock</b>: B − A = %1 s ± %2 ms (minimum path delay %3 ms). Assumption: %4.")
                             .arg(QString::number(r.clock.offsetS, 'f', 6),
                                  QString::number(r.clock.errorBoundS * 1e3, 'f', 3),
                                  QString::number(r.clock.pathDelayS * 1e3, 'f', 3),
                                  htmlText(r.clock.assumption)));
    else
        m_clock->setText(
            tr("<b>Clock</b>: offset not identifiable (%1); delays are relative to their minimum "
               "and the two directions are drawn on their own clocks.")
                .arg(htmlText(r.clock.assumption)));
}

void ComparePage::fillSizeTable()
{
    if (!m_result) return;
    const CompareResult &r = *m_result;
    struct Row
    {
        std::uint32_t max = 0;
        std::uint64_t sent[2] = {0, 0}, lost[2] = {0, 0};
    };
    std::map<std::uint32_t, Row> rows;
    for (int dir = 0; dir < 2; ++dir)
        for (const SizeBucket &b : r.directions[dir].lossBySize) {
            Row &row = rows[b.minSize];
            row.max = b.maxSize;
            row.sent[dir] += b.sent;
            row.lost[dir] += b.lost;
        }
    m_sizeTable->setColumnCount(5);
    m_sizeTable->setHorizontalHeaderLabels(
        {tr("Outer IP size (B)"), tr("A → B sent"), tr("A → B lost"), tr("B → A sent"), tr("B → A lost")});
    m_sizeTable->setRowCount(int(rows.size()));
    // "Filter on This Value": the ESP packets of the size range, in A's capture for A → B and the
    // size column, in B's for B → A (an IPv6 tunnel's outer size is not ip.len: none there).
    const bool v6 = !r.side[0].localAddresses.empty() && r.side[0].localAddresses.front().v6;
    int i = 0;
    for (const auto &[min, row] : rows) {
        const bool lossy = row.lost[0] || row.lost[1];
        const QString sizeFilter =
            v6 ? QString() : QStringLiteral("esp && ip.len >= %1 && ip.len <= %2").arg(min).arg(row.max);
        auto put = [&](int col, const QString &text) {
            auto *item = new QTableWidgetItem(text);
            item->setData(CellRole::Filter, sizeFilter);
            item->setData(CellRole::Side, col >= 3 ? 1 : 0);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (lossy) item->setForeground(roleColor(ColorRole::Bad, palette()));
            m_sizeTable->setItem(i, col, item);
        };
        put(0, QStringLiteral("%1–%2").arg(min).arg(row.max));
        for (int dir = 0; dir < 2; ++dir) {
            put(1 + 2 * dir, QString::number(row.sent[dir]));
            put(2 + 2 * dir, row.lost[dir]
                                 ? QStringLiteral("%1 (%2 %)")
                                       .arg(row.lost[dir])
                                       .arg(100.0 * double(row.lost[dir]) / double(row.sent[dir]), 0, 'f', 1)
                                 : QStringLiteral("0"));
        }
        ++i;
    }
    m_sizeTable->resizeColumnsToContents();
    m_sizeTable->horizontalHeader()->setStretchLastSection(true);

    QStringList verdicts;
    for (const DirectionComparison &d : r.directions) {
        if (!d.sizeDependent) continue;
        verdicts << tr("<span style='color:%5'><b>%1 → %2: size-dependent loss</b></span> — every lost "
                       "packet is ≥ %3 B, every delivered one ≤ %4 B: the path MTU lies in between")
                        .arg(sideName(d.from), sideName(1 - d.from))
                        .arg(d.smallestLost)
                        .arg(d.largestDelivered)
                        .arg(roleCss(ColorRole::Bad, palette()));
    }
    m_sizeVerdict->setText(
        verdicts.isEmpty() ? tr("<b>Loss by packet size</b> — no size dependence (small and large "
                                "packets were lost alike, or nothing was lost)")
                           : tr("<b>Loss by packet size</b><br>") + verdicts.join(QStringLiteral("<br>")));
}

void ComparePage::addCaptureNote(const QString &note)
{
    m_captureNotes << note;
    fillNotes();
}

QString ComparePage::notesText() const
{
    return m_notes->toPlainText();
}

void ComparePage::fillNotes()
{
    if (!m_result) return;
    const CompareResult &r = *m_result;
    // The lines are core's (compareNotes), the same the CLI's compare text prints.
    const CompareNotes notes = compareNotes(r, CompareTimes::Utc);
    QString t;
    for (std::size_t i = 0; i < std::size(r.directions) && i < notes.outages.size(); ++i)
        for (const QString &o : notes.outages[i])
            t += tr("%1 → %2 outage: %3\n")
                     .arg(sideName(r.directions[i].from), sideName(1 - r.directions[i].from), o);
    for (const QString &l : notes.ikeLost)
        t += tr("IKE lost %1\n").arg(l);
    for (const QString &rt : notes.ikeRetransmissions)
        t += tr("IKE retransmission %1\n").arg(rt);
    for (const QString &n : r.notes)
        t += tr("Note: %1\n").arg(n);
    for (auto it = m_captureNotes.crbegin(); it != m_captureNotes.crend(); ++it)
        t.prepend(tr("Capture: %1\n").arg(*it));
    if (t.isEmpty()) t = tr("No notes: every packet was accounted for and nothing was left undecided.");
    m_notes->setPlainText(tr("Notes\n") + t);
}

} // namespace ikev2wb::ui
