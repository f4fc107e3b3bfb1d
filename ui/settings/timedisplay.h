#pragma once
// The program's one time display choice (View ▸ Time Display, Edit ▸ Preferences): every table
// that shows packet times listens to changed() and formats with core/util/timeformat. Like the
// palette, it is application-wide; it lives in the settings so a restart keeps it.
#include "util/timeformat.h"

#include <QObject>

class QMenu;

namespace ikev2wb::ui {

class TimeDisplayChoice final : public QObject
{
    Q_OBJECT
public:
    /// The choice, read from the settings at first use (owned by the application object).
    static TimeDisplayChoice &instance();
    [[nodiscard]] TimeDisplay mode() const { return m_mode; }
    /// Saves `mode` and tells the tables (nothing happens when it is already the choice).
    void setMode(TimeDisplay mode);

    /// The modes in menu order and their menu texts ("Since Capture Start", …).
    static const std::vector<TimeDisplay> &modes();
    static QString menuText(TimeDisplay mode);
    /// The packet tables' column title: "Time (UTC)", "Since start (s)", "Since #12 (s)"…;
    /// `referenceFrame` is the 1-based frame of the reference packet, 0 for none.
    static QString columnTitle(TimeDisplay mode, quint64 referenceFrame = 0);

    /// A time that is not a packet's (an SA's first packet, a log event on the capture's clock) as
    /// the current choice shows it: a date in UTC or local time, otherwise seconds since the
    /// capture start `captureStartNs` (the reference and previous packets are the Packets
    /// table's). The tables that show such times format them here.
    static QString eventTimeText(std::int64_t tsNs, std::int64_t captureStartNs);
    /// The column title for eventTimeText(): "`what` (UTC)", "`what` (local)", "`what` (s since
    /// start)".
    static QString eventTimeTitle(const QString &what);

    /// Adds the "Time Display" submenu (exclusive, checked on the current choice, Ctrl+Alt+1..5)
    /// to `menu`.
    static QMenu *addMenu(QMenu *menu);

Q_SIGNALS:
    void changed(ikev2wb::TimeDisplay mode);

private:
    explicit TimeDisplayChoice(QObject *parent);
    TimeDisplay m_mode = TimeDisplay::SinceStart;
};

} // namespace ikev2wb::ui
