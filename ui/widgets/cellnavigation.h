#pragma once
// What a table cell stands for, and where its context menu can take the engineer: the packets
// that share its value (a display filter on the Packets page), the SA's ESP timeline, the packet
// in Wireshark, the same packet in the other end's capture. Models say what a cell is through
// the CellRole data roles (proxies pass them on); the capture tab (CapturePage) is the
// CellNavigator that goes there. installTableActions() adds these entries to every table inside
// a capture tab; a table outside one (the live page) keeps its copy and export entries only.
#include "models/cellroles.h"

#include <QModelIndex>
#include <QString>

#include <cstdint>
#include <optional>

class QMenu;
class QWidget;

namespace ikev2wb {
struct CaptureIndex;
} // namespace ikev2wb

namespace ikev2wb::ui {

/// Goes where a cell's context menu asks; the capture tab implements it.
class CellNavigator
{
public:
    virtual ~CellNavigator() = default;
    /// Capture `side` (0 = A, 1 = B of a pair); null when there is none.
    [[nodiscard]] virtual const CaptureIndex *navigationCapture(int side) const = 0;
    /// The side whose capture is `path` (the full path or its file name), -1 for neither.
    [[nodiscard]] virtual int sideOfFile(const QString &path) const = 0;
    /// The same packet in the other capture of a pair, none when it was not seen there.
    [[nodiscard]] virtual std::optional<quint64> otherEndPacket(int side, quint64 packet) const = 0;
    /// The ESP timeline can show SA `sa` of capture `side`.
    [[nodiscard]] virtual bool canFollowSa(int side, int sa) const = 0;
    /// The Packets page of capture `side` with `filter` in its box.
    virtual void filterPackets(int side, const QString &filter) = 0;
    /// The ESP timeline on SA `sa` of capture `side`.
    virtual void followSa(int side, int sa) = 0;
    /// The Packets page of capture `side` with packet `packet` (0-based) selected.
    virtual void showPacket(int side, quint64 packet) = 0;
};

/// The nearest CellNavigator among `widget` and its ancestors, null if none.
CellNavigator *cellNavigator(QWidget *widget);

/// The file holding packet `packet` (0-based) of `index` and its 1-based frame number in that
/// file (a capture read as a set of files: the member file). Empty path: none.
QString packetFile(const CaptureIndex &index, quint64 packet, quint64 *frameInFile);

/// Adds the entries for the cell `at` of a view inside `from`: Filter on This Value (always,
/// disabled where the column maps to no filter field), Follow This SA where the row is an SA,
/// Open in Wireshark at Packet N and, in a pair, Show This Packet at the Other End where the row
/// is a packet. Nothing without a CellNavigator above `from`.
void addCellActions(QMenu *menu, const QModelIndex &at, QWidget *from);

} // namespace ikev2wb::ui
