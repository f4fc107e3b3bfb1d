#pragma once
// Failures reported inline, above the tabs: one row per notice (what failed and why, the text
// selectable), each with its own close button, newest last. Nothing modal: no nested event loop,
// the window stays usable, and two failures show as two rows instead of two stacked boxes.
#include <QFrame>
#include <QStringList>

class QLabel;
class QVBoxLayout;

namespace ikev2wb::ui {

class NoticeBar final : public QFrame
{
    Q_OBJECT
public:
    /// The newest notices kept; an older one is dropped when another arrives.
    static constexpr int kMaxNotices = 6;

    explicit NoticeBar(QWidget *parent = nullptr);
    /// Adds "title: message" as a row and shows the bar.
    void addNotice(const QString &title, const QString &message);
    /// The rows' texts, oldest first.
    [[nodiscard]] QStringList notices() const;
    void clear();

protected:
    void changeEvent(QEvent *event) override;

private:
    void removeRow(QWidget *row);
    void colourText(QLabel *text) const;

    QVBoxLayout *m_rows = nullptr;
};

} // namespace ikev2wb::ui
