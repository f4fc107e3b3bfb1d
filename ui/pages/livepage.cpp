#include "livepage.h"
#include "charts/ikeladder.h"
#include "charts/liverate.h"
#include "charts/sequencechart.h"
#include "charts/timelinedata.h"
#include "models/packetorder.h"
#include "theme/theme.h"
#include "util/textformat.h"
#include "widgets/plaintext.h"
#include "widgets/viewactions.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace ikev2wb::ui {

namespace {
QString bytesText(std::uint64_t b)
{
    if (b >= 10ULL * 1000 * 1000) return QStringLiteral("%1 MB").arg(double(b) / 1e6, 0, 'f', 1);
    if (b >= 10ULL * 1000) return QStringLiteral("%1 kB").arg(double(b) / 1e3, 0, 'f', 1);
    return QStringLiteral("%1 B").arg(b);
}
} // namespace

LivePage::LivePage(LiveSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    setObjectName(QStringLiteral("livePage"));
    const LiveCaptureOptions &o = session->options();
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("liveTitle"));
    m_title->setTextFormat(Qt::PlainText);
    QString stopWhen;
    if (o.durationS > 0) stopWhen += tr(", for %1 s").arg(o.durationS);
    if (o.count > 0) stopWhen += tr(", up to %1 packets").arg(o.count);
    m_title->setText(tr("Live capture on %1%2 → %3")
                         .arg(o.interfaceName, stopWhen,
                              o.ringFiles > 0 ? tr("a ring of %1 files of %2 MB (%3)")
                                                    .arg(o.ringFiles)
                                                    .arg(o.ringSizeMb)
                                                    .arg(QFileInfo(o.output).fileName())
                                              : QFileInfo(o.output).fileName()));
    if (o.withPeer())
        m_title->setText(m_title->text() +
                         tr(", and %1 on %2 → %3")
                             .arg(o.peer.iface, o.peer.destination, QFileInfo(o.peerOutput).fileName()));
    m_title->setToolTip(
        plainToolTip(tr("Filter: %1\nFile: %2")
                         .arg(o.filter.isEmpty() ? tr("(the helper's default)") : o.filter, o.output)));
    QFont f = m_title->font();
    f.setPointSizeF(f.pointSizeF() * 1.25);
    f.setBold(true);
    m_title->setFont(f);
    top->addWidget(m_title, 1);
    m_state = new QLabel(tr("starting…"), this);
    m_state->setObjectName(QStringLiteral("liveState"));
    top->addWidget(m_state);
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("liveStop"));
    m_stop->setToolTip(tr("End the capture; the saved file then opens with the full analysis"));
    connect(m_stop, &QPushButton::clicked, this, [this]() {
        m_stop->setEnabled(false);
        m_state->setText(tr("stopping…"));
        m_session->stop();
    });
    top->addWidget(m_stop);
    layout->addLayout(top);

    m_counters = new QLabel(this);
    m_counters->setObjectName(QStringLiteral("liveCounters"));
    m_counters->setTextFormat(Qt::PlainText);
    layout->addWidget(m_counters);
    m_drops = new QLabel(tr("Capture drops: no statistics from the helper yet"), this);
    m_drops->setObjectName(QStringLiteral("liveDrops"));
    m_drops->setTextFormat(Qt::PlainText);
    layout->addWidget(m_drops);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("liveMessage"));
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setVisible(false);
    layout->addWidget(m_message);

    m_sas = new QTableWidget(0, 8, this);
    // No Packets page while capturing: a row's menu follows its SA on the ESP timeline below and
    // copies the display filter that selects it (for Wireshark now, the Packets page after Stop).
    installTableActions(m_sas, QStringLiteral("live-sas"), [this](QMenu *menu, const QModelIndex &at) {
        const int row = at.row();
        const bool sa = m_snapshot && row >= 0 && std::size_t(row) < m_snapshot->sas.size();
        QAction *follow = menu->addAction(tr("Follow This SA (ESP Timeline)"), this, [this, row]() {
            m_sas->setCurrentCell(row, 0); // its signal picks the SA for the timeline
            m_views->setCurrentWidget(m_timelineChart);
        });
        follow->setObjectName(QStringLiteral("followSa"));
        follow->setEnabled(sa);
        const QString filter = sa ? spiFilter(m_snapshot->sas[std::size_t(row)].spi) : QString();
        QAction *copy =
            menu->addAction(sa ? tr("Copy Display Filter (%1)").arg(filter) : tr("Copy Display Filter"), this,
                            [filter]() { copyToClipboard(filter); });
        copy->setObjectName(QStringLiteral("copyFilter"));
        copy->setEnabled(sa);
    });
    m_sas->setObjectName(QStringLiteral("liveSas"));
    m_sas->setHorizontalHeaderLabels({tr("SPI"), tr("Flow"), tr("Encap"), tr("Packets"), tr("Bytes"),
                                      tr("Sequence numbers"), tr("Missing so far"), tr("Duplicates")});
    m_sas->verticalHeader()->setVisible(false);
    m_sas->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_sas->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sas->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_sas->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_sas->setToolTip(tr("Missing so far: sequence numbers between the lowest and the highest seen that have "
                         "not arrived (a late packet still fills its gap). The full analysis after Stop "
                         "tells loss from reordering"));
    layout->addWidget(m_sas, 1);
    // The picked SA's sequence timeline follows the table's current row.
    connect(m_sas, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row >= 0 && std::size_t(row) != m_timelineSa) m_session->setTimelineSa(std::size_t(row));
    });

    m_views = new QTabWidget(this);
    m_views->setObjectName(QStringLiteral("liveViews"));
    m_chartView = new LiveRateChart(m_views);
    installImageActions(m_chartView, QStringLiteral("live"));
    m_chartView->setObjectName(QStringLiteral("liveChart"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(220);
    m_views->addTab(m_chartView, tr("Per second"));
    m_timelineChart = new SequenceChart(m_views);
    m_timelineChart->setObjectName(QStringLiteral("liveTimeline"));
    m_views->addTab(m_timelineChart, tr("ESP timeline"));
    m_views->setTabToolTip(1,
                           tr("Sequence number against time of the SA picked in the table: every packet so "
                              "far, numbers skipped (missing so far), late and duplicate packets"));
    auto *ladderPane = new QWidget(m_views);
    auto *ladderLayout = new QVBoxLayout(ladderPane);
    ladderLayout->setContentsMargins(0, 0, 0, 0);
    m_ikeSas = new QComboBox(ladderPane);
    m_ikeSas->setObjectName(QStringLiteral("liveIkeSas"));
    m_ikeSas->setPlaceholderText(tr("no IKE message yet"));
    ladderLayout->addWidget(m_ikeSas);
    auto *scroll = new QScrollArea(ladderPane);
    m_ladder = new IkeLadder(scroll);
    m_ladder->setObjectName(QStringLiteral("liveLadder"));
    installImageActions(m_ladder, QStringLiteral("live-ike-ladder"));
    scroll->setWidget(m_ladder);
    scroll->setWidgetResizable(true);
    ladderLayout->addWidget(scroll, 1);
    connect(m_ikeSas, &QComboBox::currentIndexChanged, this,
            [this](int i) { m_ladder->setData(m_ikeIndex, m_ikeAnalysis, i); });
    m_views->addTab(ladderPane, tr("IKE ladder"));
    layout->addWidget(m_views, 3); // a few SA rows; the charts need the height

    m_elapsed = std::make_unique<QElapsedTimer>();
    m_elapsed->start();
    m_clock = new QTimer(this);
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &LivePage::tick);
    m_clock->start();
    connect(session, &LiveSession::updated, this, &LivePage::apply);
    tick();
}

LivePage::~LivePage() = default;

std::shared_ptr<const TimelineData> LivePage::timeline() const
{
    return m_timeline;
}

void LivePage::tick()
{
    if (m_ended) return;
    const qint64 s = m_elapsed->elapsed() / 1000;
    m_state->setText(m_stop->isEnabled()
                         ? tr("capturing, %1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'))
                         : tr("stopping…"));
}

void LivePage::apply(const LiveSnapshotPtr &snap)
{
    if (!snap) return;
    ++m_updates;
    m_snapshot = snap;
    const LiveSnapshot &s = *snap;
    const qint64 now = m_elapsed->elapsed();
    if (now - m_lastPacketsAtMs >= 500) {
        m_rate =
            double(s.packets - std::min(s.packets, m_lastPackets)) * 1000.0 / double(now - m_lastPacketsAtMs);
        m_lastPackets = s.packets;
        m_lastPacketsAtMs = now;
    }
    const auto kind = [&](PacketKind k) { return s.kindCounts[std::size_t(k)]; };
    m_counters->setText(
        tr("%1 packets (%2), %3 packets/s · ESP %4 · IKE %5 messages · ICMP errors %6 · "
           "other %7")
            .arg(s.packets)
            .arg(bytesText(s.bytes))
            .arg(m_rate, 0, 'f', 0)
            .arg(kind(PacketKind::Esp) + kind(PacketKind::EspInUdp))
            .arg(s.ikeMessages)
            .arg(kind(PacketKind::IcmpNeedFrag) + kind(PacketKind::Icmp6TooBig) +
                 kind(PacketKind::IcmpUnreachable))
            .arg(s.packets -
                 std::min<std::uint64_t>(
                     s.packets, kind(PacketKind::Esp) + kind(PacketKind::EspInUdp) + kind(PacketKind::Ike) +
                                    kind(PacketKind::IkeNatT) + kind(PacketKind::IkeTcp) +
                                    kind(PacketKind::IcmpNeedFrag) + kind(PacketKind::Icmp6TooBig) +
                                    kind(PacketKind::IcmpUnreachable))));
    if (s.peer)
        m_counters->setText(m_counters->text() +
                            tr(" · the peer's capture: %1 received%2")
                                .arg(bytesText(s.peerStreamBytes),
                                     s.peerStarted
                                         ? tr(", started %1 ms after this one").arg(s.peerStartSkewMs)
                                         : QString()));
    if (s.drops) {
        const CaptureDrops &d = *s.drops;
        m_drops->setText(tr("Capture drops (the helper's last report): kernel %1, interface %2; %3 packets "
                            "passed the filter by then%4")
                             .arg(d.osDrop)
                             .arg(d.ifDrop)
                             .arg(d.received)
                             .arg(d.dropped() > 0 ? tr(" — these are not transit loss") : QString()));
        m_drops->setStyleSheet(
            d.dropped() > 0 ? QStringLiteral("QLabel { color: %1; }").arg(roleCss(ColorRole::Bad, palette()))
                            : QString());
    }
    if (!s.error.isEmpty()) {
        m_message->setText(tr("The capture stream cannot be followed any more: %1. The helper keeps writing "
                              "the file.")
                               .arg(s.error));
        m_message->setVisible(true);
    }

    m_sas->setUpdatesEnabled(false);
    m_sas->setRowCount(int(s.sas.size()));
    for (int r = 0; r < int(s.sas.size()); ++r) {
        const LiveSa &sa = s.sas[std::size_t(r)];
        const QString cells[] = {spiText(sa.spi),
                                 sa.flow,
                                 QString::fromLatin1(encapName(sa.encap)),
                                 QString::number(sa.packets),
                                 bytesText(sa.bytes),
                                 QStringLiteral("%1 – %2").arg(sa.firstSeq).arg(sa.topSeq),
                                 QString::number(sa.missing),
                                 QString::number(sa.duplicates)};
        for (int c = 0; c < 8; ++c) {
            QTableWidgetItem *it = m_sas->item(r, c);
            if (!it) {
                it = new QTableWidgetItem;
                if (c >= 3) it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                m_sas->setItem(r, c, it);
            }
            if (it->text() != cells[c]) it->setText(cells[c]);
        }
        m_sas->item(r, 6)->setForeground(sa.missing > 0 ? roleColor(ColorRole::Bad, palette())
                                                        : palette().text().color());
    }
    m_sas->setUpdatesEnabled(true);
    // The first SA's timeline until another row is picked.
    if (m_sas->rowCount() > 0 && m_sas->currentRow() < 0) m_sas->setCurrentCell(0, 0);
    applyTimeline(s);
    applyLadder(s);

    // The per-second chart: the snapshot's buckets replace what was drawn there, the rest are new.
    m_chartView->setBuckets(s.seriesFrom, s.espPerSecond, s.missingPerSecond);
}

void LivePage::applyTimeline(const LiveSnapshot &s)
{
    if (s.timelineSa >= s.sas.size()) return;
    const LiveSa &sa = s.sas[s.timelineSa];
    if (s.timelineSa != m_timelineSa || s.timelineFrom == 0 || !m_timeline) {
        // Another SA, or its whole history again: start over.
        m_timelineSa = s.timelineSa;
        m_timeline = std::make_shared<TimelineData>();
        m_timeline->saIndex = s.timelineSa;
        m_timelineLoss.clear();
    }
    TimelineData &d = *m_timeline;
    if (s.timelinePoints.empty() && s.timelineGaps.empty() && !d.sequence.empty()) return;
    d.title =
        tr("SPI %1  %2%3")
            .arg(spiText(sa.spi), sa.flow, sa.esn ? tr("  (64-bit numbers: wrapped past 2^32)") : QString());
    d.originNs = s.firstNs;
    for (const LiveSeqPoint &p : s.timelinePoints) {
        const SeriesPoint point{p.tNs, double(p.seq)};
        d.sequence.push_back(point);
        d.packetOf.push_back(p.packet);
        if (p.kind == LiveSeqPoint::Kind::Late) d.reordered.push_back(point);
        if (p.kind == LiveSeqPoint::Kind::Duplicate) d.duplicates.push_back(point);
    }
    constexpr std::int64_t kSecond = 1'000'000'000;
    for (const LiveSeqGap &g : s.timelineGaps) {
        d.lost.push_back({g.tNs, double(g.first)});
        const std::size_t b = g.tNs > s.firstNs ? std::size_t((g.tNs - s.firstNs) / kSecond) : 0;
        if (b < LiveCapture::kMaxSeconds) {
            if (b >= m_timelineLoss.size()) m_timelineLoss.resize(b + 1, 0);
            m_timelineLoss[b] += g.count;
        }
    }
    if (!s.timelineGaps.empty()) {
        d.lossPerSecond.clear();
        for (std::size_t b = 0; b < m_timelineLoss.size(); ++b) {
            const std::int64_t from = s.firstNs + std::int64_t(b) * kSecond;
            d.lossPerSecond.push_back({from, double(m_timelineLoss[b])});
            d.lossPerSecond.push_back({from + kSecond - 1, double(m_timelineLoss[b])});
        }
    }
    d.missing = sa.missing;
    if (!d.sequence.empty()) {
        d.startNs = d.sequence.front().tNs;
        d.endNs = std::max(d.sequence.back().tNs, d.startNs + 1);
    }
    m_timelineChart->setData(m_timeline);
}

void LivePage::applyLadder(const LiveSnapshot &s)
{
    if (!s.ikeIndex || !s.ikeAnalysis) return;
    m_ikeIndex = s.ikeIndex;
    m_ikeAnalysis = s.ikeAnalysis;
    const auto &sas = m_ikeAnalysis->ike.ikeSas;
    const int keep = std::max(0, m_ikeSas->currentIndex());
    const QSignalBlocker block(m_ikeSas);
    m_ikeSas->clear();
    for (const IkeSaExchanges &sa : sas)
        m_ikeSas->addItem(tr("%1 ⇄ %2, %3 exchanges")
                              .arg(QString::fromStdString(sa.initiator.toString()),
                                   QString::fromStdString(sa.responder.toString()))
                              .arg(sa.exchanges.size()));
    const int current = sas.empty() ? -1 : std::min(keep, int(sas.size()) - 1);
    m_ikeSas->setCurrentIndex(current);
    m_ladder->setData(m_ikeIndex, m_ikeAnalysis, current);
}

void LivePage::showEnded(const QStringList &saved, const QString &error)
{
    m_ended = true;
    m_clock->stop();
    m_stop->setEnabled(false);
    if (!error.isEmpty()) {
        m_state->setText(tr("failed"));
        m_message->setText(error);
        m_message->setStyleSheet(QStringLiteral("QLabel { color: %1; font-family: monospace; }")
                                     .arg(roleCss(ColorRole::Bad, palette())));
        m_message->setVisible(true);
        return;
    }
    m_state->setText(tr("ended"));
    m_message->setText(saved.size() == 1
                           ? tr("Saved to %1; opening it with the full analysis…").arg(saved.first())
                           : tr("Saved as a ring of %1 files (%2); opening them as one capture with the "
                                "full analysis…")
                                 .arg(saved.size())
                                 .arg(saved.join(QStringLiteral(", "))));
    m_message->setVisible(true);
}

} // namespace ikev2wb::ui
