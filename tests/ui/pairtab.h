#pragma once
// Shared by the GUI tests that open a pair of endpoint captures.
#include "pages/capturepage.h"
#include "pages/comparepage.h"

#include <QTabWidget>

namespace ikev2wb::ui {

/// The Comparison tab of the current pair tab when it is the one shown (a pair opens on it).
inline ComparePage *shownComparePage(QTabWidget *tabs)
{
    auto *page = qobject_cast<CapturePage *>(tabs->currentWidget());
    return page && page->comparePage() && page->tabs()->currentWidget() == page->comparePage()
               ? page->comparePage()
               : nullptr;
}

} // namespace ikev2wb::ui
