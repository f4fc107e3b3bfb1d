#pragma once
// Text from captures, file names and host evidence (log lines, connection and interface names)
// is hostile. A tool tip, like a QLabel or QMessageBox left at Qt::AutoText, renders its text as
// HTML when it merely looks like HTML (Qt::mightBeRichText): a log line holding
// <img src="file:///…"> would load a local file into the tip, <a href> would show a link. Labels
// and message boxes that quote such text are set to Qt::PlainText; tool tips go through
// plainToolTip().
#include <QString>
#include <QTextDocument>

namespace ikev2wb::ui {

/// `text` as a tool tip shows it literally: unchanged when Qt would show it as plain text anyway,
/// else escaped into HTML that displays exactly these characters (line breaks kept).
inline QString plainToolTip(const QString &text)
{
    return Qt::mightBeRichText(text) ? Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal) : text;
}

} // namespace ikev2wb::ui
