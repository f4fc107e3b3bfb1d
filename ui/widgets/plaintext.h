#pragma once
// Text from captures, file names and host evidence (log lines, connection and interface names)
// is hostile.
// - Markup: a tool tip, like a QLabel or QMessageBox left at Qt::AutoText, renders its text as
//   HTML when it merely looks like HTML (Qt::mightBeRichText): a log line holding
//   <img src="file:///…"> would load a local file into the tip, <a href> would show a link.
//   Labels and message boxes that quote such text are set to Qt::PlainText; tool tips go through
//   plainToolTip().
// - Controls: a bidi override (U+202E) makes a cell, label or tip show its text reordered (a
//   file "x\u202Egnp.pcap" reads "xpcap.png"), zero-width and tag characters hide text, and an
//   escape sequence copied to the clipboard acts on the terminal it is pasted into. Item views
//   show them written visibly (showControlsVisibly(), installed with the table actions), labels
//   and tips quote them through visibleText(), and every copy goes through copyToClipboard().
#include "util/textformat.h"

#include <QString>
#include <QTextDocument>

class QAbstractItemView;

namespace ikev2wb::ui {

/// `text` with its control and format characters (but newline and tab) written as \xNN: what a
/// label, a title or a status line quoting outside text shows.
inline QString visibleText(const QString &text)
{
    return visibleControls(text, true);
}

/// `text` for a tab title, a menu entry or a button: control characters written visibly and '&'
/// doubled (a single one would make the next letter a keyboard mnemonic and vanish from the text).
inline QString mnemonicText(const QString &text)
{
    return visibleText(text).replace(QLatin1Char('&'), QStringLiteral("&&"));
}

/// `text` for a place in HTML (a browser, a rich-text label): control characters written visibly,
/// then HTML-escaped.
inline QString htmlText(const QString &text)
{
    return visibleText(text).toHtmlEscaped();
}

/// `text` as a tool tip shows it literally: control characters written visibly, then unchanged
/// when Qt would show it as plain text anyway, else escaped into HTML that displays exactly these
/// characters (line breaks kept).
inline QString plainToolTip(const QString &text)
{
    const QString shown = visibleText(text);
    return Qt::mightBeRichText(shown) ? Qt::convertFromPlainText(shown, Qt::WhiteSpaceNormal) : shown;
}

/// Makes `view` show the control characters of its items' display text written visibly (an item
/// delegate that writes them as \xNN); numbers and dates are formatted as before.
void showControlsVisibly(QAbstractItemView *view);

/// Puts `text` on the clipboard with its control characters (but newline and tab) written as
/// \xNN, so a copy pasted into a terminal cannot act on it.
void copyToClipboard(const QString &text);

} // namespace ikev2wb::ui
