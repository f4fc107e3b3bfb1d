#include "mtupage.h"
#include "charts/mtuhistogram.h"
#include "probedialog.h"
#include "report/analysisreport.h"
#include "theme/theme.h"
#include "widgets/plaintext.h"
#include "widgets/sideswitch.h"
#include "widgets/viewactions.h"

#include "analyze/overhead.h"
#include "report/capturesummary.h"
#include "report/pdf/pdfreport.h"
#include "util/textformat.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShowEvent>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

namespace ikev2wb::ui {

MtuPage::MtuPage(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    auto *split = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(split);

    auto *left = new QWidget(split);
    auto *leftLayout = new QVBoxLayout(left);
    // A pair: which capture's sizes are shown (hidden for a single capture).
    m_switch = new SideSwitch(QStringLiteral("mtu"), left);
    m_switch->layout()->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_switch);
    connect(m_switch, &SideSwitch::sideClicked, this, &MtuPage::setSide);
    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("ESP SA:"), left));
    m_saPicker = new QComboBox(left);
    m_saPicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    row->addWidget(m_saPicker);
    row->addStretch();
    m_probe = new QPushButton(tr("Probe path MTU…"), left);
    m_probe->setObjectName(QStringLiteral("probePathMtu"));
    m_probe->setToolTip(tr("Measure the path MTU to the peer with DF-set probes (ikev2wb probe)"));
    row->addWidget(m_probe);
    leftLayout->addLayout(row);
    // The path MTU and its reason on a wrapping line of its own: in the chart's title a long
    // reason was cut to "…" on a 1366-px screen.
    m_pathMtuLine = new QLabel(left);
    m_pathMtuLine->setObjectName(QStringLiteral("pathMtuReason"));
    m_pathMtuLine->setWordWrap(true);
    m_pathMtuLine->setTextFormat(Qt::PlainText);
    m_pathMtuLine->setTextInteractionFlags(Qt::TextSelectableByMouse);
    leftLayout->addWidget(m_pathMtuLine);
    m_chartView = new MtuHistogram(left);
    installImageActions(m_chartView, QStringLiteral("mtu"));
    leftLayout->addWidget(m_chartView, 3);
    m_text = new QPlainTextEdit(left);
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth); // a 1366-px screen cut its lines
    leftLayout->addWidget(m_text, 2);
    split->addWidget(left);

    auto *calc = new QGroupBox(tr("ESP overhead calculator"), split);
    auto *form = new QFormLayout(calc);
    m_suite = new QComboBox(calc);
    for (const EspSuite &s : commonEspSuites())
        m_suite->addItem(espSuiteName(s));
    m_suite->setToolTip(tr("The CHILD_SA's ESP proposal (swanctl esp_proposals)"));
    form->addRow(tr("ESP suite"), m_suite);
    m_pathMtu = new QSpinBox(calc);
    m_pathMtu->setObjectName(QStringLiteral("pathMtu"));
    m_pathMtu->setRange(576, 9216);
    m_pathMtu->setValue(1500);
    m_pathMtu->setSuffix(tr(" bytes"));
    form->addRow(tr("Path MTU"), m_pathMtu);
    m_natT = new QCheckBox(tr("UDP encapsulation (NAT-T, port 4500)"), calc);
    m_outerV6 = new QCheckBox(tr("IPv6 between the gateways"), calc);
    m_innerV6 = new QCheckBox(tr("IPv6 inside the tunnel"), calc);
    m_transport = new QCheckBox(tr("transport mode"), calc);
    form->addRow(QString(), m_natT);
    form->addRow(QString(), m_outerV6);
    form->addRow(QString(), m_innerV6);
    form->addRow(QString(), m_transport);
    m_result = new QLabel(calc);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = m_result->font();
    big.setPointSizeF(big.pointSizeF() * 1.2);
    big.setBold(true);
    m_result->setFont(big);
    form->addRow(m_result);
    m_breakdown = new QLabel(calc);
    m_breakdown->setWordWrap(true);
    m_breakdown->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(m_breakdown);
    m_estimate = new QLabel(calc);
    m_estimate->setWordWrap(true);
    form->addRow(m_estimate);
    split->addWidget(calc);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    for (QCheckBox *c : {m_natT, m_outerV6, m_innerV6, m_transport})
        connect(c, &QCheckBox::toggled, this, &MtuPage::recompute);
    connect(m_suite, &QComboBox::currentIndexChanged, this, &MtuPage::recompute);
    connect(m_pathMtu, &QSpinBox::valueChanged, this, &MtuPage::recompute);
    connect(m_saPicker, &QComboBox::currentIndexChanged, this, &MtuPage::showHistogram);
    connect(m_probe, &QPushButton::clicked, this, &MtuPage::openProbeDialog);
    recompute();
}

void MtuPage::setPathMtu(std::uint32_t value, const QString &source, const QString &text)
{
    m_pathMtuValue = value;
    m_pathMtuSource = source;
    m_pathMtuText = text;
    m_pathMtu->setToolTip(plainToolTip(text)); // names the capture or evidence file
    if (m_stale || !m_analysis) return;        // fill() seeds the calculator with it
    if (value >= 576) {
        m_pathMtu->setValue(int(value)); // recomputes and redraws
    } else {
        recompute();
    }
}

ProbeDialog *MtuPage::openProbeDialog()
{
    if (!m_probeDialog) {
        m_probeDialog = new ProbeDialog(this);
        connect(m_probeDialog, &ProbeDialog::pathMtuMeasured, m_pathMtu, &QSpinBox::setValue);
    }
    // The picked SA's outer destination: the peer's public address, seen from this capture.
    const int row = m_saPicker->currentIndex();
    if (m_index && m_analysis && row >= 0 && std::size_t(row) < m_analysis->mtu.sas.size() &&
        !m_probeDialog->isRunning()) {
        const EspSa &sa = m_index->espSas[m_analysis->mtu.sas[std::size_t(row)].espSa];
        m_probeDialog->setHost(addressText(m_index->flows[sa.flowId].dst));
    }
    m_probeDialog->show();
    m_probeDialog->raise();
    return m_probeDialog;
}

void MtuPage::setCalculatorInput(int suiteRow, int pathMtu, bool natT, bool outerIpv6)
{
    m_suite->setCurrentIndex(suiteRow);
    m_pathMtu->setValue(pathMtu);
    m_natT->setChecked(natT);
    m_outerV6->setChecked(outerIpv6);
    recompute();
}

QString MtuPage::calculatorResult() const
{
    return m_result->text();
}

void MtuPage::recompute()
{
    const auto suites = commonEspSuites();
    OverheadInput in;
    if (m_suite->currentIndex() >= 0 && std::size_t(m_suite->currentIndex()) < suites.size())
        in.suite = suites[std::size_t(m_suite->currentIndex())];
    in.pathMtu = m_pathMtu->value();
    in.natT = m_natT->isChecked();
    in.outerIpv6 = m_outerV6->isChecked();
    in.innerIpv6 = m_innerV6->isChecked();
    in.tunnelMode = !m_transport->isChecked();
    m_innerV6->setEnabled(in.tunnelMode);
    // The outer size of a full 1500-byte inner packet: the smallest path MTU the calculator
    // says carries it (the suite's padding included), for the histogram's second line. It does
    // not depend on the path MTU entered, so it is drawn even when that one is too small.
    m_outerOfFullInner = 0;
    for (int p = 1500; p <= 1800 && m_outerOfFullInner == 0; ++p) {
        OverheadInput probe = in;
        probe.pathMtu = p;
        const OverheadResult q = computeEspOverhead(probe);
        if (q.valid && q.innerMax >= 1500) m_outerOfFullInner = p;
    }
    if (m_saPicker->currentIndex() >= 0) showHistogram(m_saPicker->currentIndex());
    const OverheadResult r = computeEspOverhead(in);
    if (!r.valid) {
        m_result->setText(r.error);
        m_breakdown->clear();
        return;
    }
    m_result->setText(tr("inner MTU %1, TCP MSS %2").arg(r.innerMax).arg(r.tcpMss));
    QStringList lines;
    for (const OverheadItem &item : r.items)
        lines << tr("%1: %2 bytes").arg(item.name).arg(item.bytes);
    lines << tr("largest inner packet: %1 bytes").arg(r.innerMax);
    if (!r.note.isEmpty()) lines << r.note;
    m_breakdown->setText(lines.join(QStringLiteral("<br>")));
}

void MtuPage::setData(IndexPtr index, AnalysisPtr analysis)
{
    m_sides[0].index = std::move(index);
    m_sides[0].analysis = std::move(analysis);
    setSide(m_side);
}

void MtuPage::setPeer(IndexPtr index, AnalysisPtr analysis, const QString &nameA, const QString &nameB)
{
    m_sides[1].index = std::move(index);
    m_sides[1].analysis = std::move(analysis);
    m_switch->setNames(nameA, nameB);
    setSide(m_side);
}

void MtuPage::setSide(int side)
{
    if (side != 0 && side != 1) return;
    if (side == 1 && !m_sides[1].index) side = 0;
    m_side = side;
    m_switch->setSide(side);
    m_index = m_sides[side].index;
    m_analysis = m_sides[side].analysis;
    if (m_sides[1].index)
        m_switch->setLine(
            tr("Shown: the outer packets capture %1 holds, both directions as %1 saw them (each SA's "
               "direction in the picker); the other end's sizes may differ where packets were lost.")
                .arg(QLatin1Char(side == 0 ? 'A' : 'B')));
    m_stale = true;
    if (isVisible()) fill();
}

QString MtuPage::shownCapture() const
{
    if (!m_sides[1].index || !m_index) return {};
    return tr("Capture %1, %2")
        .arg(QLatin1Char(m_side == 0 ? 'A' : 'B'))
        .arg(QFileInfo(m_index->file.path).fileName());
}

QString MtuPage::histogramTitle() const
{
    return m_chartView->chart()->title();
}

QString MtuPage::sizeText() const
{
    return m_text->toPlainText();
}

void MtuPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale) fill();
}

void MtuPage::fill()
{
    m_stale = false;
    if (!m_index || !m_analysis) return;
    const QString capture = shownCapture();
    m_text->setPlainText((capture.isEmpty() ? QString() : visibleText(capture) + QLatin1Char('\n')) +
                         mtuText(*m_index, m_analysis->mtu));
    m_saPicker->blockSignals(true);
    m_saPicker->clear();
    int largest = 0;
    for (std::size_t i = 0; i < m_analysis->mtu.sas.size(); ++i) {
        const MtuSaSizes &m = m_analysis->mtu.sas[i];
        const EspSa &sa = m_index->espSas[m.espSa];
        const Flow &fl = m_index->flows[sa.flowId];
        m_saPicker->addItem(tr("%1  %2 → %3  (max %4 bytes)")
                                .arg(spiText(sa.spi), endpointText(fl.src, 0), endpointText(fl.dst, 0))
                                .arg(m.max),
                            int(i));
        if (m.max > m_analysis->mtu.sas[std::size_t(largest)].max) largest = int(i);
    }
    m_saPicker->blockSignals(false);
    // Start the calculator on what the capture says: path MTU, NAT-T, suite. Each of these
    // widgets would redo the calculation and redraw the histogram; one recompute() below does.
    const QSignalBlocker quietPath(m_pathMtu), quietNatT(m_natT), quietSuite(m_suite),
        quietPicker(m_saPicker);
    if (m_pathMtuValue >= 576) m_pathMtu->setValue(int(m_pathMtuValue));
    const bool natT = std::any_of(m_index->espSas.begin(), m_index->espSas.end(),
                                  [](const EspSa &s) { return s.encap == Encapsulation::Udp; });
    m_natT->setChecked(natT);
    if (!m_index->espSas.empty()) {
        const auto lengths = espLengthsForSa(
            *m_index, m_analysis->mtu.sas.empty() ? 0 : m_analysis->mtu.sas[std::size_t(largest)].espSa,
            20000);
        const OverheadEstimate est = estimateSuiteFromEspLengths(lengths, natT);
        m_estimate->setText(tr("<i>From the capture (an estimate):</i> %1").arg(htmlText(est.sentence)));
        // Start the calculator on the most likely suite.
        if (est.found && !est.candidates.empty()) {
            const auto suites = commonEspSuites();
            for (std::size_t k = 0; k < suites.size(); ++k)
                if (suites[k] == est.candidates.front().suite) m_suite->setCurrentIndex(int(k));
        }
    }
    if (m_saPicker->count() > 0) m_saPicker->setCurrentIndex(largest);
    recompute(); // the calculator's result, then the histogram of the picked SA with its lines
}

void MtuPage::showHistogram(int saRow)
{
    if (!m_analysis || saRow < 0 || std::size_t(saRow) >= m_analysis->mtu.sas.size()) {
        m_chartView->clear();
        return;
    }
    const std::uint32_t pathMtu = m_pathMtuValue;
    // Short legend names (one row, elided past the chart's width); the line below says more.
    MtuHistogram::Marker pathMarker, innerMarker;
    if (pathMtu > 0)
        pathMarker = {pathMtu,
                      tr("path MTU %1 (%2)").arg(pathMtu).arg(report::pathMtuSourceWords(m_pathMtuSource)),
                      roleColor(ColorRole::Bad, palette())};
    if (m_outerOfFullInner > 0)
        innerMarker = {std::uint32_t(m_outerOfFullInner),
                       tr("1500-B inner → %1 B outer").arg(m_outerOfFullInner),
                       roleColor(ColorRole::Warning, palette())};
    m_chartView->setSizes(m_analysis->mtu.sas[std::size_t(saRow)], pathMarker, innerMarker, shownCapture());
    QString line2 =
        tr("Path MTU: %1").arg(m_pathMtuText.isEmpty() ? tr("waiting for the diagnosis") : m_pathMtuText);
    if (m_outerOfFullInner > 0)
        line2 +=
            tr("\nWith the calculator's suite a full 1500-byte inner packet leaves as a %1-byte outer packet "
               "(dashed line).")
                .arg(m_outerOfFullInner);
    m_pathMtuLine->setText(visibleText(line2));
}

QString MtuPage::pathMtuLine() const
{
    return m_pathMtuLine->text();
}

} // namespace ikev2wb::ui
