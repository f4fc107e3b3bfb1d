#include "ikeladderpage.h"
#include "widgets/tablesizing.h"
#include "widgets/viewactions.h"

#include "charts/ikeladder.h"
#include "models/ikeexchangemodel.h"
#include "settings/timedisplay.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace ikev2wb::ui {

IkeLadderPage::IkeLadderPage(IndexPtr index, QWidget *parent) : QWidget(parent), m_index(std::move(index))
{
    auto *ladderLayout = new QVBoxLayout(this);
    auto *ikeRow = new QHBoxLayout;
    ikeRow->addWidget(new QLabel(tr("IKE SA:"), this));
    m_ikePicker = new QComboBox(this);
    m_ikePicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    ikeRow->addWidget(m_ikePicker);
    ikeRow->addStretch();
    ladderLayout->addLayout(ikeRow);
    auto *ladderSplit = new QSplitter(Qt::Horizontal, this);
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
    auto *ikeSplit = new QSplitter(Qt::Vertical, this);
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
    connect(m_ikePicker, &QComboBox::currentIndexChanged, this, [this](int i) { showLadder(i); });
    connect(m_ladder, &IkeLadder::messageSelected, this,
            [this](quint64, const QString &details) { m_ladderDetails->setHtml(details); });
}

IkeLadderPage::~IkeLadderPage() = default;

QString IkeLadderPage::ikeSaText(const IkeSaExchanges &sa, std::int64_t captureStartNs)
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

void IkeLadderPage::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    if (!m_analysis) return;
    fillIkePicker();
    if (m_ikePicker->count() > 0) showLadder(0);
}

void IkeLadderPage::setComparison(std::shared_ptr<const CompareResult> comparison)
{
    m_comparison = std::move(comparison);
}

void IkeLadderPage::setPeer(IndexPtr index, AnalysisPtr analysis)
{
    m_peerIndex = std::move(index);
    m_peerAnalysis = std::move(analysis);
    if (m_index && m_analysis) fillIkePicker(); // the IKE SAs only B holds join the list
    // The ladder shown so far has this end only.
    if (m_comparison && m_peerIndex && m_analysis && m_ikePicker->currentIndex() >= 0)
        showLadder(m_ikePicker->currentIndex());
}

int IkeLadderPage::entryCount() const
{
    return m_ikePicker->count();
}

void IkeLadderPage::showRow(int row)
{
    m_ikePicker->setCurrentIndex(row);
}

void IkeLadderPage::fillIkePicker()
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
}

void IkeLadderPage::showLadder(int row)
{
    const int ikeSa = row >= 0 && row < m_ikePicker->count() ? m_ikePicker->itemData(row).toInt() : -1;
    if (ikeSa <= -2) {
        // An IKE SA only capture B holds: B's own ladder, capture A as the other end; what B
        // sent that never reached A is drawn lost in transit.
        if (!m_peerIndex || !m_peerAnalysis || !m_comparison) return;
        const int inB = -ikeSa - 2;
        m_ikeExchanges->setData(m_peerIndex, m_peerAnalysis, inB, m_comparison, 1);
        m_ikeTable->resizeColumnsToContents();
        m_ikeTable->setColumnWidth(IkeExchangeModel::ColNotifies,
                                   m_ikeTable->fontMetrics().averageCharWidth() * 24);
        m_ladder->setData(m_peerIndex, m_peerAnalysis, inB, m_comparison, 1,
                          QStringLiteral("A, %1").arg(QFileInfo(m_index->file.path).fileName()));
        return;
    }
    m_ikeExchanges->setData(m_index, m_analysis, ikeSa, m_peerIndex ? m_comparison : nullptr, 0);
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

} // namespace ikev2wb::ui
