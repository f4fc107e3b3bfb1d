#pragma once
// MTU page: outer size histogram per SA with the path MTU and the overhead-derived limit, the
// ICMP errors, and the overhead calculator (suite, NAT-T, IPv4/IPv6, path MTU → inner MTU, MSS).
#include "loader/captureloader.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;
class QChart;
class QChartView;

namespace ikev2wb::ui {

class MtuPage final : public QWidget
{
    Q_OBJECT
public:
    explicit MtuPage(QWidget *parent = nullptr);
    void setData(IndexPtr index, AnalysisPtr analysis);
    /// The calculator's current result line (for tests and the status bar).
    [[nodiscard]] QString calculatorResult() const;
    void setCalculatorInput(int suiteRow, int pathMtu, bool natT, bool outerIpv6);

private:
    void recompute();
    void showHistogram(int saRow);

    IndexPtr m_index;
    AnalysisPtr m_analysis;
    QComboBox *m_saPicker = nullptr;
    QChart *m_chart = nullptr;
    QChartView *m_chartView = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QComboBox *m_suite = nullptr;
    QSpinBox *m_pathMtu = nullptr;
    QCheckBox *m_natT = nullptr;
    QCheckBox *m_outerV6 = nullptr;
    QCheckBox *m_innerV6 = nullptr;
    QCheckBox *m_transport = nullptr;
    QLabel *m_result = nullptr;
    QLabel *m_breakdown = nullptr;
    QLabel *m_estimate = nullptr;
};

} // namespace ikev2wb::ui
