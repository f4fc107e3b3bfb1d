#pragma once
// Where a value of a chart's x axis is drawn: the column in the window's coordinates, for the
// tests that check charts sharing a time axis put a second at the same pixel column.
#include <QChart>
#include <QChartView>
#include <QLineSeries>

namespace ikev2wb::ui {

/// The window x of axis value `x` in `view`'s chart (mapped through its first series' axes).
inline double windowXOf(const QChartView *view, double x)
{
    QChart *c = view->chart();
    const QPointF scene = c->mapToScene(c->mapToPosition(QPointF(x, 0), c->series().value(0)));
    return view->viewport()->mapTo(view->window(), QPoint(0, 0)).x() +
           view->viewportTransform().map(scene).x();
}

} // namespace ikev2wb::ui
