#pragma once
// The choice of one tunnel (address pair) of a capture holding several: Capture ▸ Read One
// Tunnel… for a capture alone, and for the peer's capture of a pair when which of its tunnels is
// capture A's is not proven. Window-modal and asynchronous like the file dialogs: no nested
// event loop.
#include "index/captureindex.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

class QWidget;

namespace ikev2wb::ui {

struct TunnelChoice
{
    QString objectName, title, label, okText;
    std::vector<TunnelPair> pairs; // busiest first (tunnelPairs())
    QStringList remarks;           // per pair, after its packets ("" or e.g. "carries A's SPIs")
    int preselect = 0;
};

/// Opens the dialog; `chosen` gets the pair picked as a two-ended scope (nothing on Cancel).
void openTunnelDialog(QWidget *parent, const TunnelChoice &choice,
                      std::function<void(const TunnelScope &)> chosen);

} // namespace ikev2wb::ui
