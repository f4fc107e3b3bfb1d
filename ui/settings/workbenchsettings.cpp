#include "workbenchsettings.h"

#include <QFileInfo>

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
    // Absolute: a path given relative to the working directory would not reopen from elsewhere.
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList recent = recentFiles();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    setRecentFiles(recent);
}

QList<QStringList> WorkbenchSettings::recentPairs() const
{
    QList<QStringList> pairs;
    const QVariantList stored = m_settings.value(recentPairsKey()).toList();
    for (const QVariant &v : stored) {
        const QStringList pair = v.toStringList();
        if (pair.size() == 2 && !pair.at(0).isEmpty() && !pair.at(1).isEmpty()) pairs << pair;
    }
    return pairs;
}

void WorkbenchSettings::setRecentPairs(const QList<QStringList> &pairs)
{
    QVariantList stored;
    for (const QStringList &pair : pairs) {
        if (pair.size() != 2) continue;
        stored << QVariant(pair);
        if (stored.size() >= MaxRecentFiles) break;
    }
    m_settings.setValue(recentPairsKey(), stored);
}

void WorkbenchSettings::addRecentPair(const QString &pathA, const QString &pathB)
{
    QList<QStringList> pairs = recentPairs();
    const QStringList pair{QFileInfo(pathA).absoluteFilePath(), QFileInfo(pathB).absoluteFilePath()};
    pairs.removeAll(pair);
    pairs.prepend(pair);
    setRecentPairs(pairs);
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

QString WorkbenchSettings::theme() const
{
    const QString t = m_settings.value(themeKey()).toString();
    return t == QLatin1String("light") || t == QLatin1String("dark") ? t : QStringLiteral("system");
}

void WorkbenchSettings::setTheme(const QString &theme)
{
    m_settings.setValue(themeKey(), theme == QLatin1String("light") || theme == QLatin1String("dark")
                                        ? theme
                                        : QStringLiteral("system"));
}

QString WorkbenchSettings::lastDirectory() const
{
    return m_settings.value(lastDirectoryKey()).toString();
}

void WorkbenchSettings::setLastDirectory(const QString &dir)
{
    m_settings.setValue(lastDirectoryKey(), dir);
}

QString WorkbenchSettings::timeDisplay() const
{
    return m_settings.value(timeDisplaySettingKey(), QStringLiteral("start")).toString();
}

void WorkbenchSettings::setTimeDisplay(const QString &key)
{
    m_settings.setValue(timeDisplaySettingKey(), key);
}

QList<int> WorkbenchSettings::packetColumnWidths() const
{
    QList<int> widths;
    // A hand-edited value cannot make a column vanish or swallow the screen: not chosen then.
    for (const QVariant &v : m_settings.value(packetColumnWidthsKey()).toList()) {
        const int w = v.toInt();
        widths << (w >= 20 && w <= 4000 ? w : 0);
    }
    return widths;
}

void WorkbenchSettings::setPacketColumnWidths(const QList<int> &widths)
{
    QVariantList list;
    for (int w : widths)
        list << w;
    m_settings.setValue(packetColumnWidthsKey(), list);
}

} // namespace ikev2wb::ui
