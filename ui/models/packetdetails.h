#pragma once
// Everything the index (and the analysis, once it is in) knows about one packet, as labelled
// rows grouped in sections: the text of the Packets tab's details pane. No widgets, so tests
// check the rows directly. Finding the packet's place in its ESP SA walks the packets before it,
// so the page builds the details on a worker.
#include "analyze/analysis.h"
#include "compare/endpointcompare.h"
#include "index/captureindex.h"

#include <QString>

#include <atomic>
#include <vector>

namespace ikev2wb::ui {

struct PacketDetailRow
{
    QString section; // "Frame", "IP", "ESP", "ESP SA", "IKE", "ICMP", ...
    QString field;
    QString value;
    bool warning = false; // worth the reader's attention (loss, truncation, error notify)
};

struct PacketDetails
{
    std::uint64_t packet = 0;
    QString title; // "Packet 12: esp_udp 192.1.2.254:4500 → 192.1.2.45:4500"
    std::vector<PacketDetailRow> rows;

    /// The value of the first row with this section and field, or a null QString.
    [[nodiscard]] QString value(const QString &section, const QString &field) const;
    /// The rows as a compact HTML table (section headings, field names, values).
    [[nodiscard]] QString toHtml() const;
};

/// Details of packet `packet` (0-based). `analysis` may be null (not analysed yet). `cancel` is
/// polled while walking the ESP SA's earlier packets; a cancelled call returns what it had.
PacketDetails packetDetails(const CaptureIndex &index, const CaptureAnalysis *analysis, std::uint64_t packet,
                            const std::atomic_bool *cancel = nullptr);

/// The "At the other end" section of packet `packet` of a pair's capture `side` (0 = A): the same
/// packet in the other capture (`there`, called `thereName`) with its one-way delay, or why it
/// is not there, as the comparison paired them (core/compare PacketPairing). Nothing for packets
/// that are not ESP.
void addPairRows(PacketDetails &d, const PacketPairing &pairing, int side, const CaptureIndex &here,
                 const CaptureIndex &there, const QString &thereName);

} // namespace ikev2wb::ui
