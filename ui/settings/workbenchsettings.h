#pragma once
// Typed access to the workbench's persistent settings (QSettings), with every key in one place.
// Cheap to construct: make one where it is needed, like QSettings itself.
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>

namespace ikev2wb::ui {

class WorkbenchSettings final
{
public:
    static constexpr int MaxRecentFiles = 10;
    static constexpr int DefaultReplayWindow = 32;   // Linux xfrm default without replay_window
    static constexpr int DefaultNatUdpTimeoutS = 30; // conservative (Linux _stream: 120 s)

    [[nodiscard]] QStringList recentFiles() const;
    void setRecentFiles(const QStringList &files);
    /// Moves `path` to the front of the recent files (at most MaxRecentFiles).
    void addRecentFile(const QString &path);
    /// Endpoint pairs compared recently, each {A, B}, most recent first (at most MaxRecentFiles).
    [[nodiscard]] QList<QStringList> recentPairs() const;
    void setRecentPairs(const QList<QStringList> &pairs);
    /// Moves the pair (A, B) to the front of the recent pairs.
    void addRecentPair(const QString &pathA, const QString &pathB);

    [[nodiscard]] QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    [[nodiscard]] bool hasWindowGeometry() const;
    [[nodiscard]] QByteArray windowState() const;
    void setWindowState(const QByteArray &state);

    /// The receiver's anti-replay window assumed when no evidence names it (packets).
    [[nodiscard]] int assumedReplayWindow() const;
    void setAssumedReplayWindow(int packets);
    /// The NAT's UDP mapping timeout assumed when no evidence names it (seconds).
    [[nodiscard]] int assumedNatUdpTimeoutS() const;
    void setAssumedNatUdpTimeoutS(int seconds);

    /// Edit ▸ Preferences ▸ Appearance: "system" (default), "light" or "dark".
    [[nodiscard]] QString theme() const;
    void setTheme(const QString &theme);

    /// View ▸ Time Display: a timeDisplayKey() ("utc", "local", "start", "reference", "previous").
    [[nodiscard]] QString timeDisplay() const;
    void setTimeDisplay(const QString &key);

    /// The Packets tables' column widths the user chose, by column (0: not chosen, the page's own).
    [[nodiscard]] QList<int> packetColumnWidths() const;
    void setPacketColumnWidths(const QList<int> &widths);

    [[nodiscard]] QString lastDirectory() const;
    void setLastDirectory(const QString &dir);

    /// The keys, for tests and migrations. "recentFiles" predates this class and is kept.
    static QString recentFilesKey() { return QStringLiteral("recentFiles"); }
    static QString recentPairsKey() { return QStringLiteral("recentPairs"); }
    static QString geometryKey() { return QStringLiteral("window/geometry"); }
    static QString stateKey() { return QStringLiteral("window/state"); }
    static QString replayWindowKey() { return QStringLiteral("assumptions/replayWindow"); }
    static QString natUdpTimeoutKey() { return QStringLiteral("assumptions/natUdpTimeoutS"); }
    static QString themeKey() { return QStringLiteral("appearance/theme"); }
    static QString timeDisplaySettingKey() { return QStringLiteral("appearance/timeDisplay"); }
    static QString packetColumnWidthsKey() { return QStringLiteral("tables/packetColumnWidths"); }
    static QString lastDirectoryKey() { return QStringLiteral("dialogs/lastDirectory"); }

private:
    QSettings m_settings;
};

} // namespace ikev2wb::ui
