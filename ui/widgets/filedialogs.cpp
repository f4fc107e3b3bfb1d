#include "filedialogs.h"

namespace ikev2wb::ui {

QFileDialog *askForFiles(QWidget *parent, const FileDialogRequest &request,
                         std::function<void(const QStringList &)> chosen)
{
    // The constructor reads `start` as the get…() functions do: a directory, or a file in one.
    auto *dialog = new QFileDialog(parent, request.title, request.start, request.filter);
    dialog->setObjectName(QStringLiteral("fileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(request.mode);
    dialog->setAcceptMode(request.accept);
    dialog->setOptions(request.options | (request.mode == QFileDialog::Directory ? QFileDialog::ShowDirsOnly
                                                                                 : QFileDialog::Options()));
    QObject::connect(dialog, &QFileDialog::filesSelected, parent,
                     [chosen = std::move(chosen)](const QStringList &files) {
                         if (!files.isEmpty()) chosen(files);
                     });
    dialog->open();
    return dialog;
}

} // namespace ikev2wb::ui
