#pragma once
// MTU page: outer size histogram per SA with the path MTU and the overhead-derived limit, the
// ICMP errors, and the overhead calculator (suite, NAT-T, IPv4/IPv6, path MTU → inner MTU, MSS).
// A pair shows capture A or B behind a switch (widgets/sideswitch.h), each from its own analysis.
// The histogram, the text and the calculator's start values are filled when the page is first
// shown after setData(): a hidden bar chart (ui/charts/mtuhistogram.h) still lays out every axis label.
#include "sharedtypes.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;
class QPushButton;

namespace ikev2wb::ui {

class MtuHistogram;
class ProbeDialog;
class SideSwitch;

class MtuPage final : public QWidget
{
    Q_OBJECT
public:
    explicit MtuPage(QWidget *parent = nullptr);
    /// Capture A (the tab's own capture) and its analysis.
    void setData(IndexPtr index, AnalysisPtr analysis);
    /// A pair: capture B and its analysis; the switch above the page shows A (named `nameA`) or
    /// B (`nameB`), each capture's sizes, ICMP errors and calculator seeds from its own analysis.
    void setPeer(IndexPtr index, AnalysisPtr analysis, const QString &nameA, const QString &nameB);
    /// The capture shown: 0 = A, 1 = B (a pair only).
    [[nodiscard]] int side() const { return m_side; }
    void setSide(int side);
    /// The SA picker and the histogram's title (what it says of the SA picked).
    [[nodiscard]] QComboBox *saPicker() const { return m_saPicker; }
    [[nodiscard]] QString histogramTitle() const;
    /// The size report under the histogram.
    [[nodiscard]] QString sizeText() const;
    /// setData() has been applied to the widgets (it waits for the page to be shown).
    [[nodiscard]] bool isFilled() const { return !m_stale; }
    /// The calculator's current result line (for tests and the status bar).
    [[nodiscard]] QString calculatorResult() const;
    void setCalculatorInput(int suiteRow, int pathMtu, bool natT, bool outerIpv6);
    /// The diagnosis's path MTU (0: nothing proven) with its provenance: drawn on the histogram,
    /// named in its title and used as the calculator's starting path MTU.
    void setPathMtu(std::uint32_t value, const QString &source, const QString &text);
    [[nodiscard]] std::uint32_t pathMtu() const { return m_pathMtuValue; }
    /// The line above the histogram: the path MTU with its reason (whole, wrapped) and what the
    /// dashed line of the calculator's suite stands for.
    [[nodiscard]] QString pathMtuLine() const;
    /// "Probe path MTU…": the probe dialog, its target set to the picked SA's peer address.
    ProbeDialog *openProbeDialog();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void fill();
    void recompute();
    void showHistogram(int saRow);

    /// "Capture B, right.pcap" in a pair (what the title and the report name), else empty.
    [[nodiscard]] QString shownCapture() const;

    IndexPtr m_index; // the capture shown (a pair: m_sides[m_side])
    AnalysisPtr m_analysis;
    struct Side
    {
        IndexPtr index;
        AnalysisPtr analysis;
    };
    Side m_sides[2];
    int m_side = 0;
    SideSwitch *m_switch = nullptr;
    bool m_stale = false;
    QComboBox *m_saPicker = nullptr;
    QPushButton *m_probe = nullptr;
    ProbeDialog *m_probeDialog = nullptr;
    MtuHistogram *m_chartView = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QComboBox *m_suite = nullptr;
    QSpinBox *m_pathMtu = nullptr;
    QCheckBox *m_natT = nullptr;
    QCheckBox *m_outerV6 = nullptr;
    QCheckBox *m_innerV6 = nullptr;
    QCheckBox *m_transport = nullptr;
    QLabel *m_pathMtuLine = nullptr;
    QLabel *m_result = nullptr;
    QLabel *m_breakdown = nullptr;
    QLabel *m_estimate = nullptr;
    std::uint32_t m_pathMtuValue = 0;
    QString m_pathMtuSource, m_pathMtuText;
    int m_outerOfFullInner = 0; // outer bytes of a 1500-byte inner packet with the calculator's suite
};

} // namespace ikev2wb::ui
