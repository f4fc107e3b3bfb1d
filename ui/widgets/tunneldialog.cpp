#include "tunneldialog.h"

#include <QInputDialog>

namespace ikev2wb::ui {

void openTunnelDialog(QWidget *parent, const TunnelChoice &choice,
                      std::function<void(const TunnelScope &)> chosen)
{
    QStringList items;
    for (std::size_t i = 0; i < choice.pairs.size(); ++i) {
        const TunnelPair &p = choice.pairs[i];
        const QString remark = choice.remarks.value(qsizetype(i));
        items << QInputDialog::tr("%1 ↔ %2 (%3 IKE/ESP packets%4)")
                     .arg(QString::fromStdString(p.a.toString()), QString::fromStdString(p.b.toString()))
                     .arg(p.packets)
                     .arg(remark.isEmpty() ? QString() : QStringLiteral(", ") + remark);
    }
    auto *dialog = new QInputDialog(parent);
    dialog->setObjectName(choice.objectName);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setWindowTitle(choice.title);
    dialog->setLabelText(choice.label);
    dialog->setComboBoxItems(items);
    dialog->setComboBoxEditable(false);
    if (choice.preselect >= 0 && choice.preselect < items.size())
        dialog->setTextValue(items.at(choice.preselect));
    dialog->setOkButtonText(choice.okText);
    QObject::connect(dialog, &QInputDialog::textValueSelected, dialog,
                     [items, pairs = choice.pairs, chosen = std::move(chosen)](const QString &text) {
                         const qsizetype at = items.indexOf(text);
                         if (at < 0) return;
                         TunnelScope scope;
                         scope.ends = {pairs[std::size_t(at)].a, pairs[std::size_t(at)].b};
                         chosen(scope);
                     });
    dialog->open();
}

} // namespace ikev2wb::ui
