#pragma once
// CSV as RFC 4180 writes it (comma separated, CRLF line ends, a field with a comma, quote or line
// break in double quotes with quotes doubled), made safe for spreadsheets: values in a capture or
// in host evidence are chosen by whoever sent the packets or wrote the files, and a cell starting
// with = + - @ (or a tab / carriage return before one) is run as a formula by Excel and
// LibreOffice. Such a cell gets a leading apostrophe (OWASP "CSV injection"), except a plain number
// such as -5 or +1.5, which stays a number.
#include <QString>
#include <QStringList>

namespace ikev2wb {

/// One field, quoted and neutralised as above.
[[nodiscard]] QString csvField(const QString &value);
/// One line: the fields joined by commas, ending in CRLF.
[[nodiscard]] QString csvRow(const QStringList &fields);

} // namespace ikev2wb
