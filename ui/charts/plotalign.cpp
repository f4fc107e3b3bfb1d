#include "plotalign.h"

#include <QChart>
#include <QChartView>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ikev2wb::ui {

PlotAligner::PlotAligner(std::vector<QChartView *> views, QMargins base, QObject *parent)
    : QObject(parent), m_views(std::move(views)), m_base(base)
{
    for (QChartView *v : m_views) {
        v->chart()->setMargins(m_base);
        connect(v->chart(), &QChart::plotAreaChanged, this, &PlotAligner::schedule);
    }
}

void PlotAligner::schedule()
{
    // After the layout pass that moved the plot area: its axes have their final sizes then.
    if (m_scheduled) return;
    m_scheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this]() {
            m_scheduled = false;
            align();
        },
        Qt::QueuedConnection);
}

void PlotAligner::align()
{
    if (m_views.size() < 2) return;
    // Each plot's edges in the window's coordinates as they would be with the base margins.
    std::vector<double> left, right;
    for (QChartView *v : m_views) {
        const QChart *c = v->chart();
        const QRectF plot = c->plotArea();
        if (!v->isVisible() || plot.width() <= 0) return; // not laid out yet
        const double origin = v->viewport()->mapTo(v->window(), QPoint(0, 0)).x();
        const QTransform toViewport = v->viewportTransform();
        const QMargins m = c->margins();
        left.push_back(origin + toViewport.map(c->mapToScene(plot.topLeft())).x() -
                       (m.left() - m_base.left()));
        right.push_back(origin + toViewport.map(c->mapToScene(plot.topRight())).x() +
                        (m.right() - m_base.right()));
    }
    const double l = *std::max_element(left.begin(), left.end());
    const double r = *std::min_element(right.begin(), right.end());
    if (r - l < 10) return; // too narrow to share anything
    for (std::size_t i = 0; i < m_views.size(); ++i) {
        QChart *c = m_views[i]->chart();
        QMargins m = m_base;
        m.setLeft(m_base.left() + int(std::lround(l - left[i])));
        m.setRight(m_base.right() + int(std::lround(right[i] - r)));
        if (m != c->margins()) c->setMargins(m); // its layout moves the plot: schedule() again
    }
}

} // namespace ikev2wb::ui
