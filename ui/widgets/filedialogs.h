#pragma once
// File dialogs without a nested event loop: QFileDialog objects opened with open() (window-modal,
// the caller returns at once), the choice delivered to a callback when accepted. Replaces the
// static QFileDialog::get…() functions, which spin an event loop of their own inside the caller.
#include <QFileDialog>
#include <QStringList>

#include <functional>

namespace ikev2wb::ui {

struct FileDialogRequest
{
    QString title;
    QString start;  // the directory to start in, or a file name / path to preselect (as get…() take it)
    QString filter; // "Captures (*.pcap);;All files (*)"
    QFileDialog::FileMode mode = QFileDialog::ExistingFiles; // ExistingFile(s), AnyFile (save), Directory
    QFileDialog::AcceptMode accept = QFileDialog::AcceptOpen;
    QFileDialog::Options options;
};

/// Opens the dialog (object name "fileDialog", deleted when closed) and returns it; `chosen`
/// gets the selected paths when the user accepts, nothing when they cancel. The dialog is a
/// child of `parent` and the callback runs only while `parent` lives.
QFileDialog *askForFiles(QWidget *parent, const FileDialogRequest &request,
                         std::function<void(const QStringList &)> chosen);

} // namespace ikev2wb::ui
