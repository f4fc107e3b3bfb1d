#include "capturepage.h"
#include "loader/captureloader.h"
#include "widgets/plaintext.h"
#include "widgets/sideswitch.h"

#include "pages/checklistpage.h"
#include "pages/comparepage.h"
#include "pages/esptimelinepage.h"
#include "pages/evidencepage.h"
#include "pages/ikeladderpage.h"
#include "pages/mtupage.h"
#include "pages/overviewpage.h"
#include "pages/packetspage.h"
#include "report/capturesummary.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
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
    m_packetsSwitch = new SideSwitch(QStringLiteral("packets"), packetsPane);
    packetsLayout->addWidget(m_packetsSwitch);
    m_packetsStack = new QStackedWidget(packetsPane);
    m_packets = new PacketsPage(m_index, m_packetsStack);
    m_packetsStack->addWidget(m_packets);
    packetsLayout->addWidget(m_packetsStack, 1);
    m_tabs->addTab(packetsPane, tr("Packets"));
    connect(m_packetsSwitch, &SideSwitch::sideClicked, this, &CapturePage::setPacketsSide);

    // ESP timeline: the sequence chart of the SA picked, extracted on a worker
    m_timeline = new EspTimelinePage(m_index, m_tabs);
    m_tabs->addTab(m_timeline, tr("ESP timeline"));
    connect(m_timeline, &EspTimelinePage::packetClicked, this, &CapturePage::selectPacket);

    // IKE ladder: the picked IKE SA's messages, their details, its exchanges as a table
    m_ladderPage = new IkeLadderPage(m_index, m_tabs);
    m_tabs->addTab(m_ladderPage, tr("IKE ladder"));

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
        if (ikeSa < 0 || ikeSa >= m_ladderPage->entryCount() || !m_tabs->isTabEnabled(LadderTab)) return;
        m_ladderPage->showRow(ikeSa);
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

SequenceChart *CapturePage::timelineChart() const
{
    return m_timeline->chart();
}

IkeLadder *CapturePage::ladder() const
{
    return m_ladderPage->ladder();
}

QComboBox *CapturePage::ikePicker() const
{
    return m_ladderPage->ikePicker();
}

QComboBox *CapturePage::saPicker() const
{
    return m_timeline->saPicker();
}

QTextBrowser *CapturePage::ladderDetails() const
{
    return m_ladderPage->ladderDetails();
}

QTableView *CapturePage::ikeExchangeTable() const
{
    return m_ladderPage->ikeExchangeTable();
}

QString CapturePage::statusText() const
{
    if (!m_index) return {};
    const QString name = m_index->set.isSet() ? m_index->set.name : QFileInfo(m_index->file.path).fileName();
    QString text =
        tr("%1: %2 packets, %3 ESP SAs")
            .arg(name, QString::number(m_index->packetCount()), QString::number(m_index->espSas.size()));
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

void CapturePage::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    if (!m_analysis) return;
    m_overview->setAnalysis(m_analysis);
    m_mtu->setData(m_index, m_analysis);
    m_packets->setAnalysis(m_analysis);

    m_tabs->setTabEnabled(MtuTab, true);
    m_tabs->setTabEnabled(ChecklistTab, true);
    m_checklist->setData(m_index, m_analysis);
    m_timeline->setAnalysis(m_analysis);
    m_ladderPage->setAnalysis(m_analysis);
    updateViewTabs();
    emit statusChanged();
}

void CapturePage::updateViewTabs()
{
    m_tabs->setTabEnabled(TimelineTab, m_timeline->entryCount() > 0);
    m_tabs->setTabEnabled(LadderTab, m_ladderPage->entryCount() > 0);
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
        connect(m_comparePage, &ComparePage::wholeCaptureRequested, this,
                &CapturePage::wholeCaptureRequested);
        m_tabs->setTabToolTip(
            ComparisonTab,
            plainToolTip(tr("This capture (A) and the peer's (B, %1) compared packet by packet")
                             .arg(QFileInfo(keyPaths(peerPath).front()).fileName())));
    }
    m_checklist->setComparison(m_comparison);
    m_overview->setComparison(m_comparison);
    m_timeline->setComparison(m_comparison);
    m_ladderPage->setComparison(m_comparison);
    setUpPairPackets();
    setUpPairMtu();
}

void CapturePage::setPeerTunnel(const PeerTunnel &peerTunnel)
{
    m_overview->setPeerTunnel(peerTunnel);
    if (m_comparePage && peerTunnel.basis != PeerTunnel::Basis::OneTunnel)
        m_comparePage->addCaptureNote(peerTunnelNote(peerTunnel));
}

void CapturePage::setPeer(IndexPtr index, AnalysisPtr analysis)
{
    m_peerIndex = std::move(index);
    m_peerAnalysis = std::move(analysis);
    m_checklist->setPeer(m_peerIndex, m_peerAnalysis,
                         m_peerIndex ? QFileInfo(m_peerIndex->file.path).fileName() : QString());
    if (m_peerPackets && m_peerAnalysis) m_peerPackets->setAnalysis(m_peerAnalysis);
    setUpPairPackets();
    setUpPairMtu();
    // The SAs and IKE SAs only B holds join the pickers; the views drawn so far have this end only.
    m_timeline->setPeer(m_peerIndex, m_peerAnalysis);
    m_ladderPage->setPeer(m_peerIndex, m_peerAnalysis);
    if (m_index && m_analysis) updateViewTabs();
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
    m_packetsSwitch->setSide(side);
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
    m_packetsSwitch->setNames(sideName(0), sideName(1));
    setPacketsSide(packetsSide());
}

void CapturePage::setUpPairMtu()
{
    if (m_comparison && m_peerIndex && m_peerAnalysis)
        m_mtu->setPeer(m_peerIndex, m_peerAnalysis, sideName(0), sideName(1));
}

QString CapturePage::sideName(int side) const
{
    // Named by the file and the endpoint's own address as its capture shows it.
    const CaptureIndex *c = side == 0 ? m_index.get() : m_peerIndex.get();
    QString text = QStringLiteral("%1: %2")
                       .arg(QLatin1Char(side == 0 ? 'A' : 'B'))
                       .arg(c ? QFileInfo(c->file.path).fileName() : QString());
    if (m_comparison && !m_comparison->side[side].localAddresses.empty())
        text += QStringLiteral(" (%1)").arg(
            QString::fromStdString(m_comparison->side[side].localAddresses.front().toString()));
    return text;
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
    m_packetsSwitch->setLine(text);
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
    return navigationCapture(side) ? m_timeline->saEntry(side, sa) : -1;
}

bool CapturePage::canFollowSa(int side, int sa) const
{
    const int mine = timelineSa(side, sa);
    return mine != -1 && m_tabs->isTabEnabled(TimelineTab) && m_timeline->hasEntry(mine);
}

void CapturePage::followSa(int side, int sa)
{
    if (!canFollowSa(side, sa)) return;
    m_timeline->showEntry(timelineSa(side, sa));
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
