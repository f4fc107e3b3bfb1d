#pragma once
// Edit → Preferences…: the analysis assumptions used when no host evidence names the value, and
// the appearance (System / Light / Dark, applied at once).
// Non-modal (open()); Ok writes WorkbenchSettings and emits assumptionsChanged.
#include <QDialog>

class QComboBox;
class QSpinBox;

namespace ikev2wb::ui {

class SettingsDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget *parent = nullptr);
    [[nodiscard]] QSpinBox *replayWindowBox() const { return m_replayWindow; }
    [[nodiscard]] QSpinBox *natTimeoutBox() const { return m_natTimeout; }
    [[nodiscard]] QComboBox *themeBox() const { return m_theme; }
    [[nodiscard]] QComboBox *timeDisplayBox() const { return m_timeDisplay; }

Q_SIGNALS:
    void assumptionsChanged(int replayWindow, int natUdpTimeoutS);

private:
    void save();
    QSpinBox *m_replayWindow = nullptr;
    QSpinBox *m_natTimeout = nullptr;
    QComboBox *m_theme = nullptr;
    QComboBox *m_timeDisplay = nullptr;
};

} // namespace ikev2wb::ui
