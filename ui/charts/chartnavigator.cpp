#include "chartnavigator.h"

#include "theme/theme.h"

#include <QChart>
#include <QChartView>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

#include <cmath>

namespace ikev2wb::ui {

AxisRange zoomAround(AxisRange r, double anchor, double factor)
{
    if (!(factor > 0) || !std::isfinite(factor)) return r;
    return {anchor - (anchor - r.lo) * factor, anchor + (r.hi - anchor) * factor};
}

AxisRange panBy(AxisRange r, double delta)
{
    return {r.lo + delta, r.hi + delta};
}

ChartNavigator::ChartNavigator(QChartView *view, QValueAxis *x, ApplyFn apply, std::function<void()> reset,
                               DescribeFn describe)
    : QObject(view), m_view(view), m_x(x), m_apply(std::move(apply)), m_reset(std::move(reset)),
      m_describe(std::move(describe))
{
    m_view->setFocusPolicy(Qt::StrongFocus);
    m_view->viewport()->setMouseTracking(true);
    m_view->installEventFilter(this);
    m_view->viewport()->installEventFilter(this);
    // Wheel events come in bursts: the chart re-reduces its points once per event-loop turn.
    m_pending.setSingleShot(true);
    m_pending.setInterval(0);
    connect(&m_pending, &QTimer::timeout, this, [this]() {
        if (!m_hasWanted) return;
        m_hasWanted = false;
        m_apply(m_wanted);
    });
}

QLabel *ChartNavigator::makeHint(QWidget *parent)
{
    auto *hint =
        new QLabel(tr("Wheel: zoom at the cursor · drag: zoom to a range · Ctrl+drag or middle drag: pan · "
                      "+ / − / ← / →: zoom and pan · 0 or double-click: reset · right click: zoom out, save"),
                   parent);
    hint->setObjectName(QStringLiteral("chartHint"));
    hint->setWordWrap(true);
    QPalette pal = hint->palette();
    pal.setColor(QPalette::WindowText, roleColor(ColorRole::Muted, pal));
    hint->setPalette(pal);
    QFont f = hint->font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    hint->setFont(f);
    return hint;
}

AxisRange ChartNavigator::current() const
{
    return m_hasWanted ? m_wanted : AxisRange{m_x->min(), m_x->max()};
}

void ChartNavigator::request(AxisRange r)
{
    if (!(r.hi > r.lo) || !std::isfinite(r.lo) || !std::isfinite(r.hi)) return;
    // Not below a microsecond of time, not beyond 10^12 s: the axis stays meaningful.
    if (r.span() < 1e-6 || r.span() > 1e12) return;
    m_wanted = r;
    m_hasWanted = true;
    m_pending.start();
}

bool ChartNavigator::inPlot(const QPointF &viewportPos) const
{
    return m_view->chart()->plotArea().contains(m_view->mapToScene(viewportPos.toPoint()));
}

bool ChartNavigator::eventFilter(QObject *watched, QEvent *event)
{
    QChart *chart = m_view->chart();
    if (watched == m_view && event->type() == QEvent::KeyPress) {
        const auto *k = static_cast<QKeyEvent *>(event);
        const AxisRange r = current();
        const double mid = (r.lo + r.hi) / 2;
        switch (k->key()) {
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            request(zoomAround(r, mid, 1 / kWheelStep));
            return true;
        case Qt::Key_Minus:
        case Qt::Key_Underscore:
            request(zoomAround(r, mid, kWheelStep));
            return true;
        case Qt::Key_0:
            m_hasWanted = false;
            m_reset();
            return true;
        case Qt::Key_Left:
            request(panBy(r, -kPanStep * r.span()));
            return true;
        case Qt::Key_Right:
            request(panBy(r, kPanStep * r.span()));
            return true;
        default:
            return false;
        }
    }
    if (watched != m_view->viewport()) return false;
    switch (event->type()) {
    case QEvent::Wheel: {
        const auto *w = static_cast<QWheelEvent *>(event);
        const int notches = w->angleDelta().y() / 120;
        const double steps = notches != 0 ? notches : w->angleDelta().y() / 120.0; // touchpads
        if (steps == 0) return true;
        const QPointF value = chart->mapToValue(m_view->mapToScene(w->position().toPoint()));
        request(zoomAround(current(), value.x(), std::pow(kWheelStep, -steps)));
        return true;
    }
    case QEvent::MouseButtonPress: {
        const auto *m = static_cast<QMouseEvent *>(event);
        const bool pan = m->button() == Qt::MiddleButton ||
                         (m->button() == Qt::LeftButton && (m->modifiers() & Qt::ControlModifier));
        if (!pan || !inPlot(m->position())) return false;
        m_view->setFocus(Qt::MouseFocusReason);
        m_panning = true;
        m_panStart = m->position();
        m_panFrom = current();
        m_view->viewport()->setCursor(Qt::ClosedHandCursor);
        return true;
    }
    case QEvent::MouseMove: {
        const auto *m = static_cast<QMouseEvent *>(event);
        if (m_panning) {
            const double width = chart->plotArea().width();
            if (width > 0)
                request(panBy(m_panFrom, -(m->position().x() - m_panStart.x()) / width * m_panFrom.span()));
            return true;
        }
        if (m_describe && m->buttons() == Qt::NoButton && inPlot(m->position())) {
            const QPointF value = chart->mapToValue(m_view->mapToScene(m->position().toPoint()));
            QToolTip::showText(m->globalPosition().toPoint(), m_describe(value), m_view->viewport());
        }
        return false;
    }
    case QEvent::MouseButtonRelease:
        if (!m_panning) return false;
        m_panning = false;
        m_view->viewport()->unsetCursor();
        return true;
    case QEvent::MouseButtonDblClick:
        if (static_cast<QMouseEvent *>(event)->button() != Qt::LeftButton) return false;
        m_hasWanted = false;
        m_reset();
        return true;
    default:
        return false;
    }
}

} // namespace ikev2wb::ui
