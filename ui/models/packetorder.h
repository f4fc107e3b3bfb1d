#pragma once
// Sorting and filtering of the packet table as a plain computation over the index: the result
// is a row → packet permutation that PacketTableModel applies. Runs on a worker (PacketsPage
// calls it through QtConcurrent); nothing here touches QVariant or formats a string per packet.
#include "compare/endpointcompare.h"
#include "index/captureindex.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace ikev2wb::ui {

/// What the table shows: sorted by `column` (a PacketTableModel::Column) in `order`, keeping the
/// packets that match `filter`. Packet order (No. ascending) without a filter is the identity.
struct PacketOrderRequest
{
    int column = 0;
    Qt::SortOrder order = Qt::AscendingOrder;
    QString filter;
    /// A pair tab: the comparison and this capture's side, what wb.esp.lost reads.
    std::shared_ptr<const CompareResult> comparison;
    int side = 0;
    [[nodiscard]] bool isIdentity() const
    {
        return column == 0 && order == Qt::AscendingOrder && filter.trimmed().isEmpty();
    }
};

/// Row r of the table shows packet rows[r]. A null `rows` means the identity (every packet, in
/// packet order) and costs no memory.
struct PacketOrder
{
    std::shared_ptr<const std::vector<std::uint32_t>> rows;
    /// The shown packets in packet order, when `rows` is sorted otherwise (null when `rows` is
    /// null or already ascending): what "since the previous shown packet" looks up.
    std::shared_ptr<const std::vector<std::uint32_t>> inPacketOrder;
    bool cancelled = false;
    [[nodiscard]] bool isIdentity() const { return !rows; }
};

/// Computes the order for `request`. The filter is a display filter in Wireshark's syntax
/// (core/filter, README "Display filters"); an invalid one selects nothing (the page checks it
/// before asking). Sorting is stable (ties keep packet order, also when descending), on the raw
/// numbers: time, addresses numerically then ports, kind name, SPI / exchange / MTU grouped by
/// kind, and so on.
/// `cancel` is polled every 64 Ki packets.
PacketOrder computePacketOrder(const CaptureIndex &index, const PacketOrderRequest &request,
                               const std::atomic_bool *cancel = nullptr);

/// A display filter selecting the packets that share the value of `column` (a
/// PacketTableModel::Column) with packet `packet` (0-based): "esp.spi == 0xc1a2b3c4",
/// "ip.src == 10.0.0.1 && udp.srcport == 4500", "isakmp.exchangetype == 35". Empty when the
/// cell holds nothing to filter on. What "Filter on This Value" puts into the box.
QString filterForCell(const CaptureIndex &index, std::uint64_t packet, int column);
/// "esp.spi == 0xc1a2b3c4".
QString spiFilter(std::uint32_t spi);
/// "ip.src == 10.0.1.1" (`source`), "ipv6.dst == 2001:db8::1".
QString addressFilter(const IpAddress &address, bool source);

/// Cell texts shared by the table and the filter (so a filter matches what the table shows).
QString exchangeText(std::uint8_t exchange, bool response); // "IKE_AUTH request"
QString exchangeTypeText(std::uint8_t exchange);            // "IKE_AUTH", "exchange 99" if unknown
QString flagsText(std::uint16_t flags);                     // "DF frag snap malformed time-back"

} // namespace ikev2wb::ui
