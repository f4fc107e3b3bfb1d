#include "capturepage.h"
#include "widgets/tablesizing.h"
#include "widgets/viewactions.h"

#include "charts/ikeladder.h"
#include "charts/sequencechart.h"
#include "charts/timelinedata.h"
#include "models/ikeexchangemodel.h"
#include "pages/checklistpage.h"
#include "pages/comparepage.h"
#include "pages/evidencepage.h"
#include "pages/mtupage.h"
#include "pages/overviewpage.h"
#include "pages/packetspage.h"
#include "report/capturesummary.h"
#include "settings/timedisplay.h"
#include "util/textformat.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace ikev2wb::ui {

CapturePage::CapturePage(IndexPtr index, QWidget *parent) : QWidget(parent), m_index(std::move(index))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget(this);
    layout->addWidget(m_tabs);

    // Overview: the capture, top findings, loss per direction, IKE SAs, the ESP SA table
    m_overview = new OverviewPage(m_index, m_tabs);
    m_tabs->addTab(m_overview, tr("Overview"));

    // Packets: sorting, filtering and packet details on workers (pages/packetspage.h). A pair
    // has a page per capture and an A / B switch above them.
    auto *packetsPane = new QWidget(m_tabs);
    auto *packetsLayout = new QVBoxLayout(packetsPane);
    packetsLayout->setContentsMargins(0, 0, 0, 0);
    m_packetsSwitch = new QWidget(packetsPane);
    auto *switchRows = new QVBoxLayout(m_packetsSwitch);
    switchRows->setContentsMargins(9, 6, 9, 0);
    auto *switchRow = new QHBoxLayout;
    switchRows->addLayout(switchRow);
    switchRow->addWidget(new QLabel(tr("Capture:"), m_packetsSwitch));
    auto *sides = new QButtonGroup(m_packetsSwitch);
    for (int side = 0; side < 2; ++side) {
        m_sideButton[side] = new QToolButton(m_packetsSwitch);
        m_sideButton[side]->setCheckable(true);
        m_sideButton[side]->setObjectName(side == 0 ? QStringLiteral("packetsSideA")
                                                    : QStringLiteral("packetsSideB"));
        sides->addButton(m_sideButton[side], side);
        switchRow->addWidget(m_sideButton[side]);
    }
    m_sideButton[0]->setChecked(true);
    m_pairLine = new QLabel(m_packetsSwitch);
    m_pairLine->setObjectName(QStringLiteral("packetsPairLine"));
    // Wraps instead of widening the window past a small screen (1366 px: the line is ~1,100 px),
    // on a row of its own: beside the buttons its second line was cut off at 1366 px.
    m_pairLine->setWordWrap(true);
    m_pairLine->setMinimumWidth(1);
    switchRow->addStretch(1);
    switchRows->addWidget(m_pairLine);
    m_packetsSwitch->setVisible(false);
    packetsLayout->addWidget(m_packetsSwitch);
    m_packetsStack = new QStackedWidget(packetsPane);
    m_packets = new PacketsPage(m_index, m_packetsStack);
    m_packetsStack->addWidget(m_packets);
    packetsLayout->addWidget(m_packetsStack, 1);
    m_tabs->addTab(packetsPane, tr("Packets"));
    connect(sides, &QButtonGroup::idClicked, this, &CapturePage::setPacketsSide);

    // ESP timeline
    auto *timelinePane = new QWidget(m_tabs);
    auto *timelineLayout = new QVBoxLayout(timelinePane);
    auto *pickRow = new QHBoxLayout;
    pickRow->addWidget(new QLabel(tr("ESP SA:"), timelinePane));
    m_saPicker = new QComboBox(timelinePane);
    m_saPicker->setObjectName(QStringLiteral("timelineSaPicker"));
    m_saPicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    pickRow->addWidget(m_saPicker);
    pickRow->addStretch();
    timelineLayout->addLayout(pickRow);
    m_chart = new SequenceChart(timelinePane);
    installImageActions(m_chart, QStringLiteral("esp-timeline"));
    timelineLayout->addWidget(m_chart, 1);
    m_tabs->addTab(timelinePane, tr("ESP timeline"));
    connect(m_saPicker, &QComboBox::currentIndexChanged, this,
            [this](int i) { showTimeline(m_saPicker->itemData(i).toInt()); });
    connect(m_chart, &SequenceChart::packetClicked, this, &CapturePage::selectPacket);

    // IKE ladder
    auto *ladderPane = new QWidget(m_tabs);
    auto *ladderLayout = new QVBoxLayout(ladderPane);
    auto *ikeRow = new QHBoxLayout;
    ikeRow->addWidget(new QLabel(tr("IKE SA:"), ladderPane));
    m_ikePicker = new QComboBox(ladderPane);
    m_ikePicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    ikeRow->addWidget(m_ikePicker);
    ikeRow->addStretch();
    ladderLayout->addLayout(ikeRow);
    auto *ladderSplit = new QSplitter(Qt::Horizontal, ladderPane);
    auto *scroll = new QScrollArea(ladderSplit);
    m_ladder = new IkeLadder(scroll);
    installImageActions(m_ladder, QStringLiteral("ike-ladder"));
    scroll->setWidget(m_ladder);
    scroll->setWidgetResizable(true);
    // Details in a scrolling, selectable browser; the splitter handle resizes it, neither side
    // collapses to nothing.
    m_ladderDetails = new QTextBrowser(ladderSplit);
    m_ladderDetails->setObjectName(QStringLiteral("ladderDetails"));
    m_ladderDetails->setPlaceholderText(tr("Click a message for its details."));
    m_ladderDetails->setOpenLinks(false);
    m_ladderDetails->setMinimumWidth(m_ladderDetails->fontMetrics().averageCharWidth() * 24);
    ladderSplit->setChildrenCollapsible(false);
    ladderSplit->setObjectName(QStringLiteral("ladderSplit"));
    ladderSplit->addWidget(scroll);
    ladderSplit->addWidget(m_ladderDetails);
    ladderSplit->setStretchFactor(0, 2);
    ladderSplit->setStretchFactor(1, 1);
    // Below, the same exchanges as a table: copy, CSV, filter on a value, open in Wireshark.
    auto *ikeSplit = new QSplitter(Qt::Vertical, ladderPane);
    ikeSplit->setObjectName(QStringLiteral("ikeSplit"));
    ikeSplit->setChildrenCollapsible(false);
    ikeSplit->addWidget(ladderSplit);
    m_ikeExchanges = new IkeExchangeModel(this);
    m_ikeTable = new QTableView(ikeSplit);
    m_ikeTable->setObjectName(QStringLiteral("ikeExchangeTable"));
    m_ikeTable->setModel(m_ikeExchanges);
    m_ikeTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_ikeTable->setWordWrap(false);
    m_ikeTable->verticalHeader()->setVisible(false);
    m_ikeTable->horizontalHeader()->setStretchLastSection(true);
    keepRowsVisible(m_ikeTable, 4); // an IKE SA has a few exchanges: the first four whole
    installTableActions(m_ikeTable, QStringLiteral("ike-exchanges"));
    ikeSplit->addWidget(m_ikeTable);
    ikeSplit->setStretchFactor(0, 3);
    ikeSplit->setStretchFactor(1, 1);
    ladderLayout->addWidget(ikeSplit, 1);
    m_tabs->addTab(ladderPane, tr("IKE ladder"));
    connect(m_ikePicker, &QComboBox::currentIndexChanged, this, [this](int i) { showLadder(i); });
    connect(m_ladder, &IkeLadder::messageSelected, this,
            [this](quint64, const QString &details) { m_ladderDetails->setHtml(details); });

    // MTU
    m_mtu = new MtuPage(m_tabs);
    m_tabs->addTab(m_mtu, tr("MTU"));

    // Checklist: diagnoses on its own worker once the analysis is in
    m_checklist = new ChecklistPage(m_tabs);
    m_tabs->addTab(m_checklist, tr("Checklist"));
    connect(m_checklist, &ChecklistPage::packetRequested, this, &CapturePage::selectPacket);

    // The Overview shows the checklist's top findings; its links jump to the tab that explains them.
    // Queued: the Overview's report is laid out in a turn of its own, not in the Checklist's.
    connect(
        m_checklist, &ChecklistPage::diagnosisChanged, this,
        [this]() {
            const DiagnosisPtr d = m_checklist->diagnosis();
            m_overview->setDiagnosis(d, m_checklist->espDirections(), m_checklist->peerEspDirections());
            if (d) m_mtu->setPathMtu(d->basis.pathMtu, d->basis.pathMtuSource, d->basis.pathMtuText);
        },
        Qt::QueuedConnection);
    connect(m_overview, &OverviewPage::findingRequested, this, [this](int row) {
        m_checklist->showFinding(row);
        m_tabs->setCurrentIndex(ChecklistTab);
    });
    connect(m_overview, &OverviewPage::timelineRequested, this,
            [this](int saIndex) { followSa(0, saIndex); });
    connect(m_overview, &OverviewPage::peerTimelineRequested, this,
            [this](int saIndex) { followSa(1, saIndex); });
    connect(m_overview, &OverviewPage::ladderRequested, this, [this](int ikeSa) {
        if (ikeSa < 0 || ikeSa >= m_ikePicker->count() || !m_tabs->isTabEnabled(LadderTab)) return;
        m_ikePicker->setCurrentIndex(ikeSa);
        m_tabs->setCurrentIndex(LadderTab);
    });
    connect(m_overview, &OverviewPage::comparisonRequested, this, [this]() {
        if (m_comparePage) m_tabs->setCurrentIndex(ComparisonTab);
    });
    connect(m_overview, &OverviewPage::mtuRequested, this, [this]() {
        if (m_tabs->isTabEnabled(MtuTab)) m_tabs->setCurrentIndex(MtuTab);
    });

    // Evidence: imported on either page, parsed once (by the Checklist's worker), shown on both
    m_evidencePage = new EvidencePage(m_tabs);
    m_tabs->addTab(m_evidencePage, tr("Evidence"));
    m_evidencePage->setCapture(m_index);
    connect(m_evidencePage, &EvidencePage::importRequested, this, &CapturePage::addEvidencePaths);
    connect(m_checklist, &ChecklistPage::evidenceChanged, this,
            [this](std::shared_ptr<const EvidenceSet> evidence, const QStringList &warnings) {
                m_evidence = std::move(evidence);
                m_evidencePage->setEvidence(m_evidence, warnings);
            });

    for (int t = TimelineTab; t <= ChecklistTab; ++t)
        m_tabs->setTabEnabled(t, false);
}

CapturePage::~CapturePage() = default;

QString CapturePage::statusText() const
{
    if (!m_index) return {};
    const QString name = m_index->set.isSet() ? m_index->set.name : QFileInfo(m_index->file.path).fileName();
    QString text =
        tr("%1: %2 packets, %3 ESP SAs").arg(name).arg(m_index->packetCount()).arg(m_index->espSas.size());
    if (m_analysis)
        text += tr(", %1 IKE SAs").arg(m_analysis->ike.ikeSas.size());
    else
        text += tr(", analysing…");
    if (m_peerIndex) text += tr(" — paired with %1").arg(QFileInfo(m_peerIndex->file.path).fileName());
    if (m_comparison) {
        std::size_t lost = 0;
        for (const DirectionComparison &d : m_comparison->directions)
            lost += d.lostInTransit.size();
        text += tr(", %1 ESP packets lost in transit").arg(lost);
    }
    if (m_index->timeBackwards) text += tr(" — %1 timestamps go backwards").arg(m_index->timeBackwards);
    return text;
}

QString CapturePage::ikeSaText(const IkeSaExchanges &sa, std::int64_t captureStartNs)
{
    // Many SAs share their peers (70 rekeys of one tunnel): the SPIs and the start tell them apart.
    const auto spi = [](std::uint64_t v) { return QStringLiteral("%1").arg(v, 16, 16, QLatin1Char('0')); };
    const TimeDisplay mode = TimeDisplayChoice::instance().mode();
    const QString start = mode == TimeDisplay::Utc || mode == TimeDisplay::Local
                              ? formatPacketTime(mode, sa.firstNs, 0, QTimeZone::systemTimeZone()).left(19) +
                                    (mode == TimeDisplay::Utc ? tr(" UTC") : QString())
                              : tr("%1 s").arg(double(sa.firstNs - captureStartNs) / 1e9, 0, 'f', 3);
    QString text =
        tr("%1/%2  %3 → %4  from %5  %6 exchanges")
            .arg(spi(sa.initiatorSpi), spi(sa.responderSpi), QString::fromStdString(sa.initiator.toString()),
                 QString::fromStdString(sa.responder.toString()), start,
                 QString::number(sa.exchanges.size()));
    if (sa.retransmissions) text += tr(", %1 retransmissions").arg(sa.retransmissions);
    if (sa.unanswered) text += tr(", %1 unanswered").arg(sa.unanswered);
    return text;
}

void CapturePage::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    if (!m_analysis) return;
    m_overview->setAnalysis(m_analysis);
    m_mtu->setData(m_index, m_analysis);
    m_packets->setAnalysis(m_analysis);

    fillSaPicker();
    fillIkePicker();
    m_tabs->setTabEnabled(MtuTab, true);
    m_tabs->setTabEnabled(ChecklistTab, true);
    m_checklist->setData(m_index, m_analysis);
    if (!m_index->espSas.empty()) {
        // Open on the SA where something went wrong: the most missing numbers, then the busiest.
        int best = 0;
        std::uint64_t bestMissing = 0, bestPackets = 0;
        for (const EspSaSequence &s : m_analysis->esp.sas) {
            const std::uint64_t packets = m_index->espSas[s.saIndex].packets;
            if (s.missing > bestMissing || (s.missing == bestMissing && packets > bestPackets)) {
                best = int(s.saIndex);
                bestMissing = s.missing;
                bestPackets = packets;
            }
        }
        const int row = m_saPicker->findData(best);
        if (m_saPicker->currentIndex() == row)
            showTimeline(best); // no index change, so no signal
        else
            m_saPicker->setCurrentIndex(row);
    }
    if (m_ikePicker->count() > 0) showLadder(0);
    emit statusChanged();
}

void CapturePage::fillIkePicker()
{
    const int current = m_ikePicker->currentIndex();
    m_ikePicker->blockSignals(true);
    m_ikePicker->clear();
    for (const IkeSaExchanges &sa : m_analysis->ike.ikeSas)
        m_ikePicker->addItem(ikeSaText(sa, m_index->firstNs), int(m_ikePicker->count()));
    // A pair: the IKE SAs only the other capture holds (every message of them lost on the way
    // here, or sent while this capture was not running), after A's, as -(index in B) - 2.
    if (m_peerIndex && m_peerAnalysis && m_comparison) {
        const auto &own = m_analysis->ike.ikeSas;
        for (std::size_t i = 0; i < m_peerAnalysis->ike.ikeSas.size(); ++i) {
            const IkeSaExchanges &sa = m_peerAnalysis->ike.ikeSas[i];
            if (std::any_of(own.begin(), own.end(),
                            [&](const IkeSaExchanges &o) { return o.initiatorSpi == sa.initiatorSpi; }))
                continue;
            m_ikePicker->addItem(
                tr("%1  (only in B: its ladder on B's clock)").arg(ikeSaText(sa, m_peerIndex->firstNs)),
                -int(i) - 2);
        }
    }
    if (current >= 0 && current < m_ikePicker->count()) m_ikePicker->setCurrentIndex(current);
    m_ikePicker->blockSignals(false);
    m_tabs->setTabEnabled(LadderTab, m_ikePicker->count() > 0);
}

void CapturePage::fillSaPicker()
{
    const int current = m_saPicker->currentIndex() >= 0 ? m_saPicker->currentData().toInt() : -1;
    m_saPicker->blockSignals(true);
    m_saPicker->clear();
    for (std::size_t i = 0; i < m_index->espSas.size(); ++i) {
        const EspSa &sa = m_index->espSas[i];
        const Flow &fl = m_index->flows[sa.flowId];
        m_saPicker->addItem(tr("%1  %2 → %3  (%4 packets)")
                                .arg(spiText(sa.spi), endpointText(fl.src, 0), endpointText(fl.dst, 0))
                                .arg(sa.packets),
                            int(i));
    }
    // A pair: the SAs only the other capture holds (every packet of them lost on the way here, or
    // sent while this capture was not running), by their own data, as -(index in B) - 2.
    if (m_peerIndex && m_peerAnalysis && m_comparison) {
        for (std::size_t i = 0; i < m_peerIndex->espSas.size(); ++i) {
            const EspSa &sa = m_peerIndex->espSas[i];
            if (timelineSa(1, int(i)) >= 0) continue;
            const Flow &fl = m_peerIndex->flows[sa.flowId];
            m_saPicker->addItem(tr("%1  %2 → %3  (%4 packets, only in B: its timeline on B's clock)")
                                    .arg(spiText(sa.spi), endpointText(fl.src, 0), endpointText(fl.dst, 0))
                                    .arg(sa.packets),
                                -int(i) - 2);
        }
    }
    const int row = m_saPicker->findData(current);
    if (row >= 0) m_saPicker->setCurrentIndex(row);
    m_saPicker->blockSignals(false);
    m_tabs->setTabEnabled(TimelineTab, m_saPicker->count() > 0);
}

void CapturePage::showTimeline(int saIndex)
{
    if (!m_analysis || saIndex == -1) return;
    if (saIndex <= -2) {
        // An SA only capture B holds: its own timeline, capture A as the other end.
        if (!m_peerIndex || !m_peerAnalysis || !m_comparison) return;
        m_timelineJobs.start(
            [index = m_index, peer = m_peerIndex, peerAnalysis = m_peerAnalysis,
             sa = std::size_t(-saIndex - 2), comparison = m_comparison,
             name = QStringLiteral("A, %1").arg(QFileInfo(m_index->file.path).fileName())](Job &job) {
                TimelineData d = buildTimeline(*peer, *peerAnalysis, sa, job.cancelFlag(), &job.items);
                if (d.cancelled) return std::shared_ptr<const TimelineData>();
                addOtherEnd(d, *peer, 1, *index, *comparison, name);
                return std::make_shared<const TimelineData>(std::move(d));
            },
            [this](std::shared_ptr<const TimelineData> data) {
                if (data) m_chart->setData(std::move(data));
            });
        return;
    }
    // Extraction walks every packet: a worker does it, a stale result is dropped.
    // A pair: the other end's copy of the SA and the packets lost in transit on the same axis.
    const std::shared_ptr<const CompareResult> comparison = m_peerIndex ? m_comparison : nullptr;
    m_timelineJobs.start(
        [index = m_index, analysis = m_analysis, saIndex, comparison, peer = m_peerIndex](Job &job) {
            // A newer SA picked (or the page gone) cancels this walk: it stops, its result dropped.
            TimelineData d =
                buildTimeline(*index, *analysis, std::size_t(saIndex), job.cancelFlag(), &job.items);
            if (d.cancelled) return std::shared_ptr<const TimelineData>();
            if (comparison)
                addOtherEnd(d, *index, 0, *peer, *comparison,
                            QStringLiteral("B, %1").arg(QFileInfo(peer->file.path).fileName()));
            return std::make_shared<const TimelineData>(std::move(d));
        },
        [this](std::shared_ptr<const TimelineData> data) {
            if (data) m_chart->setData(std::move(data));
        });
}

void CapturePage::showLadder(int row)
{
    const int ikeSa = row >= 0 && row < m_ikePicker->count() ? m_ikePicker->itemData(row).toInt() : -1;
    if (ikeSa <= -2) {
        // An IKE SA only capture B holds: B's own ladder, capture A as the other end; what B
        // sent that never reached A is drawn lost in transit.
        if (!m_peerIndex || !m_peerAnalysis || !m_comparison) return;
        const int inB = -ikeSa - 2;
        m_ikeExchanges->setData(m_peerIndex, m_peerAnalysis, inB);
        m_ikeTable->resizeColumnsToContents();
        m_ikeTable->setColumnWidth(IkeExchangeModel::ColNotifies,
                                   m_ikeTable->fontMetrics().averageCharWidth() * 24);
        m_ladder->setData(m_peerIndex, m_peerAnalysis, inB, m_comparison, 1,
                          QStringLiteral("A, %1").arg(QFileInfo(m_index->file.path).fileName()));
        return;
    }
    m_ikeExchanges->setData(m_index, m_analysis, ikeSa);
    m_ikeTable->resizeColumnsToContents(); // the notifies (last) stretch over what is left
    m_ikeTable->setColumnWidth(IkeExchangeModel::ColNotifies,
                               m_ikeTable->fontMetrics().averageCharWidth() * 24);
    // A pair: messages lost in transit both ways, the other end's placed on this clock.
    if (m_comparison && m_peerIndex)
        m_ladder->setData(m_index, m_analysis, ikeSa, m_comparison, 0,
                          QStringLiteral("B, %1").arg(QFileInfo(m_peerIndex->file.path).fileName()));
    else
        m_ladder->setData(m_index, m_analysis, ikeSa);
}

void CapturePage::addEvidencePaths(const QStringList &paths)
{
    m_checklist->addEvidencePaths(paths);
}

void CapturePage::setComparison(std::shared_ptr<const CompareResult> comparison, const QString &peerPath)
{
    m_comparison = std::move(comparison);
    m_peerPath = peerPath;
    if (!m_comparePage) {
        m_comparePage = new ComparePage(m_comparison, m_tabs);
        m_tabs->insertTab(ComparisonTab, m_comparePage, tr("Comparison"));
        m_tabs->setTabToolTip(ComparisonTab,
                              tr("This capture (A) and the peer's (B, %1) compared packet by packet")
                                  .arg(QFileInfo(peerPath).fileName()));
    }
    m_checklist->setComparison(m_comparison);
    m_overview->setComparison(m_comparison);
    setUpPairPackets();
}

void CapturePage::setPeer(IndexPtr index, AnalysisPtr analysis)
{
    m_peerIndex = std::move(index);
    m_peerAnalysis = std::move(analysis);
    m_checklist->setPeer(m_peerIndex, m_peerAnalysis,
                         m_peerIndex ? QFileInfo(m_peerIndex->file.path).fileName() : QString());
    if (m_peerPackets && m_peerAnalysis) m_peerPackets->setAnalysis(m_peerAnalysis);
    setUpPairPackets();
    if (m_index && m_analysis) {
        fillSaPicker(); // the SAs only B holds join the lists
        fillIkePicker();
    }
    // The timeline shown so far has this end only.
    if (m_comparison && m_peerIndex && m_analysis && m_saPicker->currentIndex() >= 0)
        showTimeline(m_saPicker->currentData().toInt());
    if (m_comparison && m_peerIndex && m_analysis && m_ikePicker->currentIndex() >= 0)
        showLadder(m_ikePicker->currentIndex());
    emit statusChanged();
}

int CapturePage::packetsSide() const
{
    return m_peerPackets && m_packetsStack->currentWidget() == m_peerPackets ? 1 : 0;
}

void CapturePage::setPacketsSide(int side)
{
    if (side == 1 && !m_peerPackets) return;
    m_packetsStack->setCurrentWidget(side == 1 ? m_peerPackets : m_packets);
    if (m_sideButton[side] && !m_sideButton[side]->isChecked()) m_sideButton[side]->setChecked(true);
    for (QToolButton *b : m_sideButton) {
        // The capture shown reads in bold: a checked button's frame alone is faint in some themes.
        QFont f = b->font();
        f.setBold(b->isChecked());
        b->setFont(f);
    }
    updatePairLine();
}

void CapturePage::setUpPairPackets()
{
    if (!m_comparison || !m_peerIndex || m_peerPackets) return;
    m_peerPackets = new PacketsPage(m_peerIndex, m_packetsStack);
    m_packetsStack->addWidget(m_peerPackets);
    if (m_peerAnalysis) m_peerPackets->setAnalysis(m_peerAnalysis);
    const QString names[2] = {QFileInfo(m_index->file.path).fileName(),
                              QFileInfo(m_peerIndex->file.path).fileName()};
    m_packets->setPairing(m_comparison, 0, m_peerIndex, QStringLiteral("B, ") + names[1]);
    m_peerPackets->setPairing(m_comparison, 1, m_index, QStringLiteral("A, ") + names[0]);
    connect(m_peerPackets, &PacketsPage::orderApplied, this, &CapturePage::updatePairLine);
    for (int side = 0; side < 2; ++side) {
        // Named by the file and the endpoint's own address as its capture shows it.
        const auto &own = m_comparison->side[side].localAddresses;
        QString text = QStringLiteral("%1: %2").arg(QLatin1Char(side == 0 ? 'A' : 'B')).arg(names[side]);
        if (!own.empty()) text += QStringLiteral(" (%1)").arg(QString::fromStdString(own.front().toString()));
        m_sideButton[side]->setText(text);
    }
    m_packetsSwitch->setVisible(true);
    setPacketsSide(packetsSide());
}

void CapturePage::updatePairLine()
{
    if (!m_comparison || !m_peerPackets) return;
    const int side = packetsSide();
    const PacketPairing &pp = m_comparison->pairing;
    const QChar other = QLatin1Char(side == 0 ? 'B' : 'A');
    const QLocale locale;
    QString text;
    if (pp.empty()) {
        text = tr("packets were not paired in this comparison");
    } else {
        text = tr("%1 ESP packets sent here never arrived at %2 (marked)")
                   .arg(locale.toString(qulonglong(pp.count(side, PacketFate::LostInTransit))))
                   .arg(other);
        if (const std::uint64_t in = pp.count(1 - side, PacketFate::LostInTransit))
            text += tr("; %1 sent by %2 never arrived here (marked in %2's list)")
                        .arg(locale.toString(qulonglong(in)))
                        .arg(other);
        if (const std::uint64_t drops = pp.count(side, PacketFate::MissingAtSender))
            text += tr("; %1 received here are missing from %2's capture")
                        .arg(locale.toString(qulonglong(drops)))
                        .arg(other);
        text += pp.offsetApplied
                    ? tr("; delays with B's clock offset %1 ms applied").arg(pp.offsetS * 1e3, 0, 'f', 3)
                    : tr("; clock offset unknown: delays are relative");
    }
    m_pairLine->setText(text);
}

void CapturePage::selectPacket(quint64 packet)
{
    showPacket(0, packet);
}

const CaptureIndex *CapturePage::navigationCapture(int side) const
{
    if (side == 0) return m_index.get();
    return side == 1 && m_comparison && m_peerPackets ? m_peerIndex.get() : nullptr;
}

int CapturePage::sideOfFile(const QString &path) const
{
    // Evidence names its capture by path, or by file name only (reports written elsewhere).
    const QString name = QFileInfo(path).fileName();
    for (int side = 0; side < 2; ++side) {
        const CaptureIndex *c = navigationCapture(side);
        if (!c) continue;
        QStringList files{c->file.path};
        for (const CaptureSetFile &f : c->set.files)
            files << f.path;
        for (const QString &f : std::as_const(files))
            if (f == path || QFileInfo(f).fileName() == name) return side;
    }
    return -1;
}

std::optional<quint64> CapturePage::otherEndPacket(int side, quint64 packet) const
{
    if (!m_comparison || !navigationCapture(1 - side) || (side != 0 && side != 1)) return std::nullopt;
    const PacketPeer *p = m_comparison->pairing.find(side, packet);
    if (!p || p->other == PacketPeer::kNone) return std::nullopt;
    return quint64(p->other);
}

int CapturePage::timelineSa(int side, int sa) const
{
    const CaptureIndex *c = navigationCapture(side);
    if (!c || sa < 0 || std::size_t(sa) >= c->espSas.size()) return -1;
    if (side == 0) return sa;
    for (std::size_t i = 0; i < m_index->espSas.size(); ++i)
        if (m_index->espSas[i].spi == c->espSas[std::size_t(sa)].spi) return int(i);
    return -sa - 2; // only in B: the picker lists it by its own data
}

bool CapturePage::canFollowSa(int side, int sa) const
{
    const int mine = timelineSa(side, sa);
    return mine != -1 && m_tabs->isTabEnabled(TimelineTab) && m_saPicker->findData(mine) >= 0;
}

void CapturePage::followSa(int side, int sa)
{
    if (!canFollowSa(side, sa)) return;
    m_saPicker->setCurrentIndex(
        m_saPicker->findData(timelineSa(side, sa))); // its signal extracts the timeline
    m_tabs->setCurrentIndex(TimelineTab);
}

void CapturePage::filterPackets(int side, const QString &filter)
{
    if (!navigationCapture(side)) return;
    m_tabs->setCurrentIndex(PacketsTab);
    setPacketsSide(side);
    packetsPage(side)->setFilterText(filter);
}

void CapturePage::showPacket(int side, quint64 packet)
{
    if (!navigationCapture(side)) return;
    m_tabs->setCurrentIndex(PacketsTab);
    setPacketsSide(side);
    packetsPage(side)->selectPacket(packet);
}

} // namespace ikev2wb::ui
