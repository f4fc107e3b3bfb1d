#include "workbenchsettings.h"

#include <algorithm>

namespace ikev2wb::ui {

QStringList WorkbenchSettings::recentFiles() const
{
    return m_settings.value(recentFilesKey()).toStringList();
}

void WorkbenchSettings::setRecentFiles(const QStringList &files)
{
    m_settings.setValue(recentFilesKey(), files.mid(0, MaxRecentFiles));
}

void WorkbenchSettings::addRecentFile(const QString &path)
{
    QStringList recent = recentFiles();
    recent.removeAll(path);
    recent.prepend(path);
    setRecentFiles(recent);
}

QByteArray WorkbenchSettings::windowGeometry() const
{
    return m_settings.value(geometryKey()).toByteArray();
}

void WorkbenchSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(geometryKey(), geometry);
}

bool WorkbenchSettings::hasWindowGeometry() const
{
    return m_settings.contains(geometryKey());
}

QByteArray WorkbenchSettings::windowState() const
{
    return m_settings.value(stateKey()).toByteArray();
}

void WorkbenchSettings::setWindowState(const QByteArray &state)
{
    m_settings.setValue(stateKey(), state);
}

int WorkbenchSettings::assumedReplayWindow() const
{
    bool ok = false;
    const int v = m_settings.value(replayWindowKey(), DefaultReplayWindow).toInt(&ok);
    return ok && v > 0 ? v : DefaultReplayWindow;
}

void WorkbenchSettings::setAssumedReplayWindow(int packets)
{
    m_settings.setValue(replayWindowKey(), std::max(1, packets));
}

int WorkbenchSettings::assumedNatUdpTimeoutS() const
{
    bool ok = false;
    const int v = m_settings.value(natUdpTimeoutKey(), DefaultNatUdpTimeoutS).toInt(&ok);
    return ok && v > 0 ? v : DefaultNatUdpTimeoutS;
}

void WorkbenchSettings::setAssumedNatUdpTimeoutS(int seconds)
{
    m_settings.setValue(natUdpTimeoutKey(), std::max(1, seconds));
}

QString WorkbenchSettings::lastDirectory() const
{
    return m_settings.value(lastDirectoryKey()).toString();
}

void WorkbenchSettings::setLastDirectory(const QString &dir)
{
    m_settings.setValue(lastDirectoryKey(), dir);
}

} // namespace ikev2wb::ui
