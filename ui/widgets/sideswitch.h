#pragma once
// A pair's capture switch: "Capture: [A: left.pcap (10.0.1.1)] [B: right.pcap (10.0.2.1)]",
// the shown capture's button checked and bold, and a wrapping line under it saying what the
// page shows of that capture. Hidden until a pair sets its names. The Packets and MTU pages of
// a pair tab use it.
#include <QWidget>

class QLabel;
class QToolButton;

namespace ikev2wb::ui {

class SideSwitch final : public QWidget
{
    Q_OBJECT
public:
    /// Its buttons are named `prefix` + "SideA" / "SideB", its line `prefix` + "PairLine".
    explicit SideSwitch(const QString &prefix, QWidget *parent = nullptr);
    /// The buttons' texts (capture A's, capture B's); shows the switch.
    void setNames(const QString &a, const QString &b);
    [[nodiscard]] int side() const { return m_side; }
    /// Checks `side`'s button (0 = A, 1 = B) without emitting sideClicked.
    void setSide(int side);
    /// The line under the buttons (plain text, shown as it is).
    void setLine(const QString &text);
    [[nodiscard]] QString line() const;
    [[nodiscard]] QToolButton *button(int side) const { return m_button[side]; }

Q_SIGNALS:
    /// The user clicked the button of `side`.
    void sideClicked(int side);

private:
    QToolButton *m_button[2] = {nullptr, nullptr};
    QLabel *m_line = nullptr;
    int m_side = 0;
};

} // namespace ikev2wb::ui
