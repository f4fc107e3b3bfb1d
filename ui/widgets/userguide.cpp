#include "userguide.h"

#include <QDesktopServices>
#include <QTextBrowser>

namespace ikev2wb::ui {

QUrl userGuideUrl()
{
    return QUrl(QStringLiteral("qrc:/guide/resources/guide/userguide.html"));
}

QTextBrowser *showUserGuide(QWidget *parent)
{
    auto *guide = parent->findChild<QTextBrowser *>(QStringLiteral("userGuide"), Qt::FindDirectChildrenOnly);
    if (!guide) {
        guide = new QTextBrowser(parent);
        guide->setObjectName(QStringLiteral("userGuide"));
        guide->setWindowFlag(Qt::Window);
        guide->setAttribute(Qt::WA_DeleteOnClose);
        guide->setWindowTitle(QTextBrowser::tr("IKEv2 Workbench — User Guide"));
        // Links out of the guide go to the system browser; its own pages stay here.
        guide->setOpenExternalLinks(true);
        guide->setSource(userGuideUrl());
        const QFontMetrics fm = guide->fontMetrics();
        guide->resize(fm.averageCharWidth() * 100, fm.height() * 45);
    }
    guide->show();
    guide->raise();
    guide->activateWindow();
    return guide;
}

} // namespace ikev2wb::ui
