#include "timedisplay.h"

#include "settings/workbenchsettings.h"

#include <QActionGroup>
#include <QCoreApplication>
#include <QMenu>

namespace ikev2wb::ui {

TimeDisplayChoice::TimeDisplayChoice(QObject *parent) : QObject(parent)
{
    m_mode = timeDisplayFromKey(WorkbenchSettings().timeDisplay()).value_or(TimeDisplay::SinceStart);
}

TimeDisplayChoice &TimeDisplayChoice::instance()
{
    static TimeDisplayChoice *choice = new TimeDisplayChoice(QCoreApplication::instance());
    return *choice;
}

void TimeDisplayChoice::setMode(TimeDisplay mode)
{
    if (mode == m_mode) return;
    m_mode = mode;
    WorkbenchSettings().setTimeDisplay(timeDisplayKey(mode));
    Q_EMIT changed(mode);
}

const std::vector<TimeDisplay> &TimeDisplayChoice::modes()
{
    static const std::vector<TimeDisplay> all{TimeDisplay::Utc, TimeDisplay::Local, TimeDisplay::SinceStart,
                                              TimeDisplay::SinceReference, TimeDisplay::SincePrevious};
    return all;
}

QString TimeDisplayChoice::menuText(TimeDisplay mode)
{
    switch (mode) {
    case TimeDisplay::Utc:
        return tr("Date and Time (&UTC)");
    case TimeDisplay::Local:
        return tr("Date and Time (&Local)");
    case TimeDisplay::SinceStart:
        return tr("Seconds Since Capture &Start");
    case TimeDisplay::SinceReference:
        return tr("Seconds Since &Reference Packet");
    case TimeDisplay::SincePrevious:
        return tr("Seconds Since &Previous Shown Packet");
    }
    return {};
}

QString TimeDisplayChoice::columnTitle(TimeDisplay mode, quint64 referenceFrame)
{
    switch (mode) {
    case TimeDisplay::Utc:
        return tr("Time (UTC)");
    case TimeDisplay::Local:
        return tr("Time (local)");
    case TimeDisplay::SinceStart:
        return tr("Since start (s)");
    case TimeDisplay::SinceReference:
        return referenceFrame ? tr("Since #%1 (s)").arg(referenceFrame) : tr("Since start (s, no ref.)");
    case TimeDisplay::SincePrevious:
        return tr("Delta shown (s)");
    }
    return {};
}

QString TimeDisplayChoice::eventTimeText(std::int64_t tsNs, std::int64_t captureStartNs)
{
    const TimeDisplay mode = instance().mode();
    if (mode == TimeDisplay::Utc || mode == TimeDisplay::Local)
        return formatPacketTime(mode, tsNs, 0, QTimeZone::systemTimeZone());
    return formatSeconds(tsNs - captureStartNs);
}

QString TimeDisplayChoice::eventTimeTitle(const QString &what)
{
    switch (instance().mode()) {
    case TimeDisplay::Utc:
        return tr("%1 (UTC)").arg(what);
    case TimeDisplay::Local:
        return tr("%1 (local)").arg(what);
    default:
        return tr("%1 (s since start)").arg(what);
    }
}

QMenu *TimeDisplayChoice::addMenu(QMenu *menu)
{
    auto *sub = menu->addMenu(tr("&Time Display"));
    sub->setObjectName(QStringLiteral("timeDisplayMenu"));
    sub->setToolTipsVisible(true);
    auto *group = new QActionGroup(sub);
    group->setExclusive(true);
    TimeDisplayChoice &choice = instance();
    int key = 0;
    for (TimeDisplay m : modes()) {
        QAction *a = sub->addAction(menuText(m));
        a->setCheckable(true);
        a->setChecked(m == choice.mode());
        a->setObjectName(QStringLiteral("timeDisplay_") + timeDisplayKey(m));
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key(Qt::Key_1 + key++)));
        if (m == TimeDisplay::SinceReference)
            a->setToolTip(tr("Set the reference from a packet's context menu (Packets page)"));
        group->addAction(a);
        connect(a, &QAction::triggered, &choice, [m]() { instance().setMode(m); });
    }
    connect(&choice, &TimeDisplayChoice::changed, sub, [sub](TimeDisplay mode) {
        const QList<QAction *> actions = sub->actions();
        for (QAction *a : actions)
            if (a->objectName() == QStringLiteral("timeDisplay_") + timeDisplayKey(mode)) a->setChecked(true);
    });
    return sub;
}

} // namespace ikev2wb::ui
