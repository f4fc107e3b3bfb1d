#include "plaintext.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QClipboard>
#include <QStyledItemDelegate>

namespace ikev2wb::ui {

namespace {

class VisibleControlsDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QString displayText(const QVariant &value, const QLocale &locale) const override
    {
        // Before Qt's own formatting, which turns a newline into U+2028 (a line break in the cell).
        if (value.typeId() == QMetaType::QString)
            return QStyledItemDelegate::displayText(visibleText(value.toString()), locale);
        return QStyledItemDelegate::displayText(value, locale);
    }
};

} // namespace

void showControlsVisibly(QAbstractItemView *view)
{
    view->setItemDelegate(new VisibleControlsDelegate(view));
}

void copyToClipboard(const QString &text)
{
    QGuiApplication::clipboard()->setText(visibleText(text));
}

} // namespace ikev2wb::ui
