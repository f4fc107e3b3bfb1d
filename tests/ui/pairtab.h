#pragma once
// Shared by the GUI tests that open a pair of endpoint captures.
#include "diagnose/diagnosis.h"
#include "mainwindow.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "pages/comparepage.h"

#include <QTabWidget>
#include <QTest>

namespace ikev2wb::ui {

/// The Comparison tab of the current pair tab when it is the one shown (a pair opens on it).
inline ComparePage *shownComparePage(QTabWidget *tabs)
{
    auto *page = qobject_cast<CapturePage *>(tabs->currentWidget());
    return page && page->comparePage() && page->tabs()->currentWidget() == page->comparePage()
               ? page->comparePage()
               : nullptr;
}

/// Opens captures `a` and `b` as a pair in `w` (shown, 1400x900) and waits until its tab holds
/// B's analysis and the diagnosis of both ends; null when that takes over a minute.
inline CapturePage *openPairDiagnosed(MainWindow &w, const QString &a, const QString &b)
{
    w.resize(1400, 900);
    w.show();
    w.openPair(a, b);
    auto *tabs = w.findChild<QTabWidget *>();
    CapturePage *page = nullptr;
    const bool ready = QTest::qWaitFor(
        [&]() {
            page = qobject_cast<CapturePage *>(tabs->currentWidget());
            return page && page->peerAnalysis() && page->checklist()->diagnosis() &&
                   !page->checklist()->isBusy() && page->checklist()->diagnosis()->inputs.size() == 2;
        },
        60000);
    return ready ? page : nullptr;
}

} // namespace ikev2wb::ui
