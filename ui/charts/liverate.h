#pragma once
// The live tab's "Per second" chart: ESP packets and sequence numbers skipped per second of a
// running capture, growing as snapshots arrive (each replaces its buckets from `from` on). Two
// scales: a handful of skipped numbers must show beside tens of thousands of packets. Qt Charts
// stays in ui/charts: the page sees a widget.
#include <QChartView>

#include <cstdint>
#include <vector>

class QLineSeries;
class QValueAxis;

namespace ikev2wb::ui {

class LiveRateChart final : public QChartView
{
    Q_OBJECT
public:
    explicit LiveRateChart(QWidget *parent = nullptr);

    /// Buckets [from, from + esp.size()) (seconds since the first packet): ESP packets and
    /// numbers skipped in each. Buckets drawn before `from` stay; those from `from` on are
    /// replaced. `esp` and `missing` have the same size.
    void setBuckets(std::size_t from, const std::vector<std::uint64_t> &esp,
                    const std::vector<std::uint64_t> &missing);

private:
    QChart *m_chart = nullptr;
    QLineSeries *m_espSeries = nullptr;
    QLineSeries *m_missingSeries = nullptr;
    QValueAxis *m_x = nullptr;
    QValueAxis *m_y = nullptr;
    QValueAxis *m_yMissing = nullptr;
    std::size_t m_seriesBuckets = 0; // seconds drawn
    double m_yMax = 1;
    double m_yMissingMax = 0;
};

} // namespace ikev2wb::ui
