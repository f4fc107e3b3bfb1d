#include "esptimelinepage.h"
#include "widgets/viewactions.h"

#include "charts/sequencechart.h"
#include "charts/timelinedata.h"
#include "util/textformat.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace ikev2wb::ui {

EspTimelinePage::EspTimelinePage(IndexPtr index, QWidget *parent) : QWidget(parent), m_index(std::move(index))
{
    auto *timelineLayout = new QVBoxLayout(this);
    auto *pickRow = new QHBoxLayout;
    pickRow->addWidget(new QLabel(tr("ESP SA:"), this));
    m_saPicker = new QComboBox(this);
    m_saPicker->setObjectName(QStringLiteral("timelineSaPicker"));
    m_saPicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    pickRow->addWidget(m_saPicker);
    pickRow->addStretch();
    timelineLayout->addLayout(pickRow);
    m_chart = new SequenceChart(this);
    installImageActions(m_chart, QStringLiteral("esp-timeline"));
    timelineLayout->addWidget(m_chart, 1);
    connect(m_saPicker, &QComboBox::currentIndexChanged, this,
            [this](int i) { showTimeline(m_saPicker->itemData(i).toInt()); });
    connect(m_chart, &SequenceChart::packetClicked, this, &EspTimelinePage::packetClicked);
}

EspTimelinePage::~EspTimelinePage() = default;

void EspTimelinePage::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    if (!m_analysis) return;
    fillSaPicker();
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
}

void EspTimelinePage::setComparison(std::shared_ptr<const CompareResult> comparison)
{
    m_comparison = std::move(comparison);
}

void EspTimelinePage::setPeer(IndexPtr index, AnalysisPtr analysis)
{
    m_peerIndex = std::move(index);
    m_peerAnalysis = std::move(analysis);
    if (m_index && m_analysis) fillSaPicker(); // the SAs only B holds join the list
    // The timeline shown so far has this end only.
    if (m_comparison && m_peerIndex && m_analysis && m_saPicker->currentIndex() >= 0)
        showTimeline(m_saPicker->currentData().toInt());
}

int EspTimelinePage::entryCount() const
{
    return m_saPicker->count();
}

bool EspTimelinePage::hasEntry(int entry) const
{
    return m_saPicker->findData(entry) >= 0;
}

void EspTimelinePage::showEntry(int entry)
{
    m_saPicker->setCurrentIndex(m_saPicker->findData(entry)); // its signal extracts the timeline
}

int EspTimelinePage::saEntry(int side, int sa) const
{
    const CaptureIndex *c = side == 0 ? m_index.get() : side == 1 ? m_peerIndex.get() : nullptr;
    if (!c || sa < 0 || std::size_t(sa) >= c->espSas.size()) return -1;
    if (side == 0) return sa;
    if (!m_index) return -1;
    for (std::size_t i = 0; i < m_index->espSas.size(); ++i)
        if (m_index->espSas[i].spi == c->espSas[std::size_t(sa)].spi) return int(i);
    return -sa - 2; // only in B: the picker lists it by its own data
}

void EspTimelinePage::fillSaPicker()
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
            if (saEntry(1, int(i)) >= 0) continue;
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
}

void EspTimelinePage::showTimeline(int saIndex)
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

} // namespace ikev2wb::ui
