#include "noticebar.h"

#include "theme/theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace ikev2wb::ui {

NoticeBar::NoticeBar(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("noticeBar"));
    setFrameShape(QFrame::StyledPanel);
    m_rows = new QVBoxLayout(this);
    m_rows->setContentsMargins(6, 2, 2, 2);
    m_rows->setSpacing(2);
    setVisible(false);
}

void NoticeBar::addNotice(const QString &title, const QString &message)
{
    while (m_rows->count() >= kMaxNotices)
        removeRow(m_rows->itemAt(0)->widget());
    auto *row = new QWidget(this);
    row->setObjectName(QStringLiteral("notice"));
    auto *h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    auto *icon = new QLabel(row);
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this).pixmap(size, size));
    h->addWidget(icon, 0, Qt::AlignTop);
    auto *text = new QLabel(title + QStringLiteral(": ") + message, row);
    text->setObjectName(QStringLiteral("noticeText"));
    text->setTextFormat(Qt::PlainText); // a file name is shown as it is
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    colourText(text);
    h->addWidget(text, 1);
    auto *close = new QToolButton(row);
    close->setObjectName(QStringLiteral("noticeClose"));
    close->setAutoRaise(true);
    close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton, nullptr, this));
    close->setToolTip(tr("Dismiss"));
    connect(close, &QToolButton::clicked, this, [this, row]() { removeRow(row); });
    h->addWidget(close, 0, Qt::AlignTop);
    m_rows->addWidget(row);
    setVisible(true);
}

void NoticeBar::colourText(QLabel *text) const
{
    QPalette p = text->palette();
    p.setColor(QPalette::WindowText, roleColor(ColorRole::Bad, palette()));
    text->setPalette(p);
}

void NoticeBar::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    // The rows' text set its own colour, which a new palette does not reach: the theme's again.
    if (event->type() == QEvent::PaletteChange)
        for (QLabel *text : findChildren<QLabel *>(QStringLiteral("noticeText")))
            colourText(text);
}

QStringList NoticeBar::notices() const
{
    QStringList out;
    for (int i = 0; i < m_rows->count(); ++i)
        if (const QWidget *row = m_rows->itemAt(i)->widget())
            if (const auto *text = row->findChild<QLabel *>(QStringLiteral("noticeText")))
                out << text->text();
    return out;
}

void NoticeBar::removeRow(QWidget *row)
{
    m_rows->removeWidget(row);
    row->hide();
    row->deleteLater();
    if (m_rows->count() == 0) setVisible(false);
}

void NoticeBar::clear()
{
    while (m_rows->count() > 0)
        removeRow(m_rows->itemAt(0)->widget());
}

} // namespace ikev2wb::ui
