#pragma once
// Data roles by which a model says what a cell stands for, read by the context menu of every
// table (widgets/cellnavigation.h). Above the models' own roles (Qt::UserRole + 1 …).
#include <Qt>

namespace ikev2wb::ui::CellRole {
enum : int {
    /// QString: a display filter (Wireshark syntax) selecting the packets that share this
    /// cell's value ("esp.spi == 0xc1a2b3c4", "ip.src == 10.0.1.1"); none: nothing to filter on.
    Filter = Qt::UserRole + 64,
    /// qulonglong: the row is this packet (0-based) of its capture.
    Packet,
    /// int: the row is this ESP SA (index into CaptureIndex::espSas) of its capture.
    EspSa,
    /// int: which capture of a pair the row's packet / SA / filter belong to (0 = A, 1 = B);
    /// none: A.
    Side,
    /// QString: the capture file the row refers to (evidence items); decides the side.
    SourceFile,
};
} // namespace ikev2wb::ui::CellRole
