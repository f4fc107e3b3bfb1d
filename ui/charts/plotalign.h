#pragma once
// Charts stacked over one time axis (the ESP timeline and its loss strip, the Comparison's two
// plots) keep their plot areas at the same left and right edges, so a given second sits at the
// same pixel column in each. Their y axes' labels differ in width ("12000" against "5"), so
// equal chart margins give different plot edges: each chart's margins are widened by what its
// plot lacks against the narrowest common span, and again whenever a plot area moves (a
// resize, wider labels after a zoom).
#include <QMargins>
#include <QObject>

#include <vector>

class QChartView;

namespace ikev2wb::ui {

class PlotAligner final : public QObject
{
    Q_OBJECT
public:
    /// Aligns the charts of `views` (their own margins are `base`); owned by `parent`.
    PlotAligner(std::vector<QChartView *> views, QMargins base, QObject *parent);
    /// Lines the plot areas up now (a plot area's change schedules this by itself).
    void align();

private:
    void schedule();

    std::vector<QChartView *> m_views;
    QMargins m_base;
    bool m_scheduled = false;
};

} // namespace ikev2wb::ui
