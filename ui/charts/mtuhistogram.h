#pragma once
// The MTU page's chart: one ESP SA's outer packet sizes as a histogram (core/analyze/mtu.h's
// bins), with dashed vertical lines at the path MTU and at the outer size a full inner packet
// becomes. Qt Charts stays in ui/charts: the page sees a widget.
#include <QChartView>

#include <cstdint>

namespace ikev2wb {
struct MtuSaSizes;
} // namespace ikev2wb

namespace ikev2wb::ui {

class MtuHistogram final : public QChartView
{
    Q_OBJECT
public:
    explicit MtuHistogram(QWidget *parent = nullptr);

    /// A dashed vertical line at `atBytes` (0: none), named `name` in the legend.
    struct Marker
    {
        std::uint32_t atBytes = 0;
        QString name;
        QColor colour;
    };
    /// Draws `sizes` with the markers (path MTU first, then the full inner packet's outer size);
    /// the title names the capture `whose` (a pair: "Capture B, right.pcap"; may be empty), the
    /// packet count, p50, p99, max and the DF share.
    void setSizes(const MtuSaSizes &sizes, const Marker &pathMtu, const Marker &fullInner,
                  const QString &whose = {});
    /// Nothing drawn (no SA picked).
    void clear();

private:
    QChart *m_chart = nullptr;
};

} // namespace ikev2wb::ui
