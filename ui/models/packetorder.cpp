#include "packetorder.h"

#include "dissect/ikeconstants.h"
#include "filter/displayfilter.h"
#include "models/packettablemodel.h"
#include "report/capturesummary.h"

#include <QStringList>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

namespace ikev2wb::ui {

namespace {

constexpr std::size_t kPollMask = (std::size_t(1) << 16) - 1;

bool cancelled(const std::atomic_bool *cancel, std::size_t i)
{
    return (i & kPollMask) == 0 && cancel && cancel->load(std::memory_order_relaxed);
}

/// The five flag bits the table shows, packed 0..31 (DF, frag, snap, malformed, time-back).
unsigned shownFlagBits(std::uint16_t flags)
{
    return ((flags & FlagDontFragment) ? 1u : 0u) | ((flags & FlagFragment) ? 2u : 0u) |
           ((flags & FlagSnapTruncated) ? 4u : 0u) | ((flags & FlagMalformed) ? 8u : 0u) |
           ((flags & FlagTimeBackwards) ? 16u : 0u);
}

bool isMtuKind(PacketKind k)
{
    return k == PacketKind::IcmpNeedFrag || k == PacketKind::Icmp6TooBig;
}

/// Dense rank of each flow's source (or destination) endpoint: address numerically, then port.
std::vector<std::uint32_t> endpointRanks(const CaptureIndex &index, bool source)
{
    const std::size_t n = index.flows.size();
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = std::uint32_t(i);
    auto endpoint = [&](std::uint32_t f) {
        const Flow &fl = index.flows[f];
        return source ? std::pair(fl.src, fl.srcPort) : std::pair(fl.dst, fl.dstPort);
    };
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t x, std::uint32_t y) { return endpoint(x) < endpoint(y); });
    std::vector<std::uint32_t> rank(n);
    std::uint32_t r = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && endpoint(order[i]) != endpoint(order[i - 1])) ++r;
        rank[order[i]] = r + 1; // 0 is "no flow", which sorts first like an empty cell
    }
    return rank;
}

struct Keyed
{
    std::uint64_t key;
    std::uint32_t packet;
};

} // namespace

QString exchangeText(std::uint8_t exchange, bool response)
{
    const auto name = ike::exchangeName(exchange);
    const QString text =
        name.empty() ? QString::number(exchange) : QString::fromLatin1(name.data(), qsizetype(name.size()));
    return text + (response ? QStringLiteral(" response") : QStringLiteral(" request"));
}

QString exchangeTypeText(std::uint8_t exchange)
{
    const auto n = ike::exchangeName(exchange);
    return n.empty() ? QStringLiteral("exchange %1").arg(exchange)
                     : QString::fromLatin1(n.data(), qsizetype(n.size()));
}

QString flagsText(std::uint16_t flags)
{
    QStringList f;
    if (flags & FlagDontFragment) f << QStringLiteral("DF");
    if (flags & FlagFragment) f << QStringLiteral("frag");
    if (flags & FlagSnapTruncated) f << QStringLiteral("snap");
    if (flags & FlagMalformed) f << QStringLiteral("malformed");
    if (flags & FlagTimeBackwards) f << QStringLiteral("time-back");
    return f.join(QLatin1Char(' '));
}

QString spiFilter(std::uint32_t spi)
{
    return QStringLiteral("esp.spi == %1").arg(spiText(spi));
}

QString addressFilter(const IpAddress &address, bool source)
{
    return QStringLiteral("%1.%2 == %3")
        .arg(address.v6 ? QStringLiteral("ipv6") : QStringLiteral("ip"),
             source ? QStringLiteral("src") : QStringLiteral("dst"),
             QString::fromStdString(address.toString()));
}

QString filterForCell(const CaptureIndex &index, std::uint64_t packet, int column)
{
    if (packet >= index.packetCount()) return {};
    const PacketRecord &r = index.packets[std::size_t(packet)];
    const Flow *fl = r.flowId < index.flows.size() ? &index.flows[r.flowId] : nullptr;
    const bool v6 = (r.flags & FlagIpv6) != 0;
    // The IKE facts of a fragmented message sit on its first fragment; tshark and the filter
    // show them on the reassembling frame, so a fragment's IKE/ESP cells are not offered.
    const bool fragment = (r.flags & FlagFragment) != 0;
    switch (column) {
    case PacketTableModel::ColNumber:
        return QStringLiteral("frame.number == %1").arg(packet + 1);
    case PacketTableModel::ColSource:
    case PacketTableModel::ColDestination: {
        if (!fl) return {};
        const bool src = column == PacketTableModel::ColSource;
        QString e = addressFilter(src ? fl->src : fl->dst, src);
        if (fl->proto == 17 && !fragment)
            e += QStringLiteral(" && udp.%1 == %2")
                     .arg(src ? QStringLiteral("srcport") : QStringLiteral("dstport"))
                     .arg(src ? fl->srcPort : fl->dstPort);
        return e;
    }
    case PacketTableModel::ColKind:
        if (fragment && r.kind != PacketKind::Fragment) return {};
        switch (r.kind) {
        case PacketKind::Esp:
            return QStringLiteral("esp && !udp");
        case PacketKind::EspInUdp:
            return QStringLiteral("esp && udp");
        case PacketKind::Ike:
        case PacketKind::IkeNatT:
            return QStringLiteral("isakmp");
        case PacketKind::IcmpNeedFrag:
            return QStringLiteral("icmp.type == 3 && icmp.code == 4");
        case PacketKind::Icmp6TooBig:
            return QStringLiteral("icmpv6.type == 2");
        case PacketKind::IcmpUnreachable:
            return v6 ? QStringLiteral("icmpv6.type == 1") : QStringLiteral("icmp.type == 3");
        case PacketKind::Fragment:
            return v6 ? QString() : QStringLiteral("ip.frag_offset > 0");
        case PacketKind::NonIp:
            return QStringLiteral("!ip && !ipv6");
        default:
            return {};
        }
    case PacketTableModel::ColSpiOrExchange:
    case PacketTableModel::ColSeqOrMessageId: {
        if (fragment) return {};
        const bool seq = column == PacketTableModel::ColSeqOrMessageId;
        if (r.isEsp()) {
            const QString spi = spiFilter(r.spi());
            return seq ? spi + QStringLiteral(" && esp.sequence == %1").arg(r.seq()) : spi;
        }
        if (r.kind == PacketKind::Ike || r.kind == PacketKind::IkeNatT)
            return seq ? QStringLiteral("isakmp.messageid == %1").arg(r.b)
                       : QStringLiteral("isakmp.exchangetype == %1").arg(r.aux);
        if (r.kind == PacketKind::IcmpNeedFrag && !seq) return QStringLiteral("icmp.mtu == %1").arg(r.b);
        if (r.kind == PacketKind::Icmp6TooBig && !seq) return QStringLiteral("icmpv6.mtu == %1").arg(r.b);
        return {};
    }
    case PacketTableModel::ColLength:
        if (!fl || r.ipLength == 0) return {};
        return v6 ? QStringLiteral("ipv6.plen == %1").arg(r.ipLength >= 40 ? r.ipLength - 40 : 0)
                  : QStringLiteral("ip.len == %1").arg(r.ipLength);
    case PacketTableModel::ColFlags:
        if (!fl || v6) return {};
        return QStringLiteral("ip.flags.df == %1").arg((r.flags & FlagDontFragment) ? 1 : 0);
    default:
        return {};
    }
}

PacketOrder computePacketOrder(const CaptureIndex &index, const PacketOrderRequest &request,
                               const std::atomic_bool *cancel)
{
    PacketOrder out;
    if (request.isIdentity()) return out;
    // Rows are ints in the model: the table shows at most INT_MAX packets.
    const std::size_t count =
        std::min<std::size_t>(index.packetCount(), std::size_t(std::numeric_limits<int>::max()));

    // 1. Filter: packet indices in packet order.
    auto rows = std::make_shared<std::vector<std::uint32_t>>();
    const DisplayFilter filter = DisplayFilter::compile(request.filter);
    if (filter.isEmpty()) {
        rows->resize(count);
        for (std::size_t i = 0; i < count; ++i)
            (*rows)[i] = std::uint32_t(i);
    } else if (filter.isValid()) {
        const FilterEvaluator selected(
            filter, index, {request.comparison ? &request.comparison->pairing : nullptr, request.side});
        for (std::size_t i = 0; i < count; ++i) {
            if (cancelled(cancel, i)) {
                out.cancelled = true;
                return out;
            }
            if (selected.matches(i)) rows->push_back(std::uint32_t(i));
        }
        rows->shrink_to_fit();
    }

    // 2. Sort, stable: ties keep packet order in both directions.
    const bool descending = request.order == Qt::DescendingOrder;
    const int column = request.column;
    const bool byNumber =
        column == PacketTableModel::ColNumber || column < 0 || column >= PacketTableModel::ColumnCount;
    if (!byNumber || descending)
        out.inPacketOrder = std::make_shared<const std::vector<std::uint32_t>>(*rows);
    if (byNumber) {
        if (descending) std::reverse(rows->begin(), rows->end());
        out.rows = std::move(rows);
        return out;
    }
    std::vector<std::uint32_t> ranks;
    std::array<std::uint32_t, std::size_t(PacketKind::Count_)> kindRank{};
    if (column == PacketTableModel::ColSource || column == PacketTableModel::ColDestination)
        ranks = endpointRanks(index, column == PacketTableModel::ColSource);
    if (column == PacketTableModel::ColKind) {
        std::array<std::uint32_t, std::size_t(PacketKind::Count_)> byName{};
        for (std::size_t k = 0; k < byName.size(); ++k)
            byName[k] = std::uint32_t(k);
        std::sort(byName.begin(), byName.end(), [](std::uint32_t x, std::uint32_t y) {
            return std::strcmp(packetKindName(PacketKind(x)), packetKindName(PacketKind(y))) < 0;
        });
        for (std::size_t k = 0; k < byName.size(); ++k)
            kindRank[byName[k]] = std::uint32_t(k);
    }
    auto keyOf = [&](const PacketRecord &r) -> std::uint64_t {
        switch (column) {
        case PacketTableModel::ColTime:
            return std::uint64_t(r.tsNs) ^ (std::uint64_t(1) << 63); // signed order
        case PacketTableModel::ColSource:
        case PacketTableModel::ColDestination:
            return r.flowId < ranks.size() ? ranks[r.flowId] : 0;
        case PacketTableModel::ColKind:
            return kindRank[std::size_t(r.kind)];
        case PacketTableModel::ColSpiOrExchange:
            // Grouped as the column reads: empty, ESP by SPI, IKE by exchange then direction, MTU.
            if (r.isEsp()) return (std::uint64_t(1) << 40) | r.a;
            if (r.isIke())
                return (std::uint64_t(2) << 40) | (std::uint64_t(r.aux) << 1) |
                       ((r.flags & FlagIkeResponse) ? 1 : 0);
            if (isMtuKind(r.kind)) return (std::uint64_t(3) << 40) | r.b;
            return 0;
        case PacketTableModel::ColSeqOrMessageId:
            return (r.isEsp() || r.isIke()) ? ((std::uint64_t(1) << 32) | r.b) : 0;
        case PacketTableModel::ColLength:
            return r.ipLength;
        case PacketTableModel::ColFlags:
            return shownFlagBits(r.flags);
        default:
            return 0;
        }
    };

    const std::size_t n = rows->size();
    std::uint64_t maxKey = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (cancelled(cancel, i)) {
            out.cancelled = true;
            return out;
        }
        maxKey = std::max(maxKey, keyOf(index.packets[(*rows)[i]]));
    }
    // Descending: sort on maxKey - key, so ties still keep packet order.
    auto sortKey = [&](std::uint32_t p) {
        const std::uint64_t k = keyOf(index.packets[p]);
        return descending ? maxKey - k : k;
    };
    if (maxKey <= 0xffffffffULL) {
        // Key and packet in one 64-bit word: sorting words is sorting by (key, packet), stable.
        std::vector<std::uint64_t> packed(n);
        for (std::size_t i = 0; i < n; ++i)
            packed[i] = (sortKey((*rows)[i]) << 32) | (*rows)[i];
        if (cancel && cancel->load()) {
            out.cancelled = true;
            return out;
        }
        std::sort(packed.begin(), packed.end());
        for (std::size_t i = 0; i < n; ++i)
            (*rows)[i] = std::uint32_t(packed[i]);
    } else {
        std::vector<Keyed> keyed(n);
        for (std::size_t i = 0; i < n; ++i)
            keyed[i] = {sortKey((*rows)[i]), (*rows)[i]};
        if (cancel && cancel->load()) {
            out.cancelled = true;
            return out;
        }
        std::sort(keyed.begin(), keyed.end(), [](const Keyed &x, const Keyed &y) {
            return x.key < y.key || (x.key == y.key && x.packet < y.packet);
        });
        for (std::size_t i = 0; i < n; ++i)
            (*rows)[i] = keyed[i].packet;
    }
    out.rows = std::move(rows);
    return out;
}

} // namespace ikev2wb::ui
