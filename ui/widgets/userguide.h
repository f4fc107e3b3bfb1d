#pragma once
// Help ▸ User Guide: the guide shipped inside the program (resources/guide/userguide.html and
// the screenshots it shows, compiled in as Qt resources), shown in a window of its own.
#include <QUrl>

class QTextBrowser;
class QWidget;

namespace ikev2wb::ui {

/// Where the guide is: qrc:/guide/resources/guide/userguide.html.
QUrl userGuideUrl();
/// Opens the guide in a non-modal window owned by `parent` (one at a time: raised when open).
QTextBrowser *showUserGuide(QWidget *parent);

} // namespace ikev2wb::ui
