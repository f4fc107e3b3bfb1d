#pragma once
// Writing the files the CLI and the GUI produce (fix scripts, PDF reports) so that a planted
// symbolic link or a half-written file cannot take effect: the bytes go to a fresh temporary
// file in the same folder (O_EXCL, never an existing name), its mode is set on the open handle,
// and rename() puts it in place, which replaces a link instead of writing through it.
#include <QByteArray>
#include <QString>

namespace ikev2wb {

/// Writes `data` to `path`. Refuses (false, `error` naming the file and the reason) a path that
/// is a symbolic link or exists as anything but a regular file. The file gets mode
/// 0666 & ~umask, plus owner-execute when `executable`.
bool writeOutputFile(const QString &path, const QByteArray &data, bool executable, QString *error);

} // namespace ikev2wb
