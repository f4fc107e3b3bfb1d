#pragma once
// Edit → Preferences…: the analysis assumptions used when no host evidence names the value.
// Non-modal (open()); Ok writes WorkbenchSettings and emits assumptionsChanged.
#include <QDialog>

class QSpinBox;

namespace ikev2wb::ui {

class SettingsDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget *parent = nullptr);
    [[nodiscard]] QSpinBox *replayWindowBox() const { return m_replayWindow; }
    [[nodiscard]] QSpinBox *natTimeoutBox() const { return m_natTimeout; }

Q_SIGNALS:
    void assumptionsChanged(int replayWindow, int natUdpTimeoutS);

private:
    void save();
    QSpinBox *m_replayWindow = nullptr;
    QSpinBox *m_natTimeout = nullptr;
};

} // namespace ikev2wb::ui
