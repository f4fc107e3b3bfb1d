#include "packetorder.h"

#include "dissect/ikeconstants.h"
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

/// The four flag bits the table shows, packed 0..15 (DF, frag, snap, malformed).
unsigned shownFlagBits(std::uint16_t flags)
{
    return ((flags & FlagDontFragment) ? 1u : 0u) | ((flags & FlagFragment) ? 2u : 0u) |
           ((flags & FlagSnapTruncated) ? 4u : 0u) | ((flags & FlagMalformed) ? 8u : 0u);
}

bool isMtuKind(PacketKind k)
{
    return k == PacketKind::IcmpNeedFrag || k == PacketKind::Icmp6TooBig;
}

/// One filter word, prepared once: per-kind, per-flow, per-SPI, per-exchange and per-flag-set
/// answers, so the per-packet test is a few table look-ups.
struct Word
{
    std::array<bool, std::size_t(PacketKind::Count_)> kind{};
    std::vector<std::uint8_t> flow;  // src or dst endpoint text matches
    std::vector<std::uint32_t> spis; // sorted SPIs whose hex text matches
    std::array<std::array<bool, 2>, 256> exchange{};
    std::array<bool, 16> flags{};
    bool hasNumber = false;
    std::uint32_t number = 0;

    [[nodiscard]] bool matches(const PacketRecord &r) const
    {
        if (kind[std::size_t(r.kind)]) return true;
        if (r.flowId < flow.size() && flow[r.flowId]) return true;
        if (r.isEsp() && !spis.empty() && std::binary_search(spis.begin(), spis.end(), r.a)) return true;
        if (r.isIke() && exchange[r.aux][(r.flags & FlagIkeResponse) ? 1 : 0]) return true;
        if (flags[shownFlagBits(r.flags)]) return true;
        return hasNumber && (r.isEsp() || r.isIke() || isMtuKind(r.kind)) && r.b == number;
    }
};

std::vector<Word> prepareFilter(const CaptureIndex &index, const QString &filter)
{
    std::vector<Word> words;
    const QStringList parts = filter.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (parts.isEmpty()) return words;
    std::vector<QString> src(index.flows.size()), dst(index.flows.size());
    for (std::size_t f = 0; f < index.flows.size(); ++f) {
        src[f] = endpointText(index.flows[f].src, index.flows[f].srcPort).toLower();
        dst[f] = endpointText(index.flows[f].dst, index.flows[f].dstPort).toLower();
    }
    std::vector<std::uint32_t> allSpis;
    for (const EspSa &sa : index.espSas)
        allSpis.push_back(sa.spi);
    std::sort(allSpis.begin(), allSpis.end());
    allSpis.erase(std::unique(allSpis.begin(), allSpis.end()), allSpis.end());
    std::array<QString, 256> exchangeNames;
    for (int e = 0; e < 256; ++e)
        exchangeNames[std::size_t(e)] =
            exchangeText(std::uint8_t(e), false).section(QLatin1Char(' '), 0, 0).toLower();
    std::array<QString, 16> flagTexts;
    for (unsigned bits = 0; bits < 16; ++bits) {
        const std::uint16_t f =
            std::uint16_t(((bits & 1) ? FlagDontFragment : 0) | ((bits & 2) ? FlagFragment : 0) |
                          ((bits & 4) ? FlagSnapTruncated : 0) | ((bits & 8) ? FlagMalformed : 0));
        flagTexts[bits] = flagsText(f).toLower();
    }

    for (const QString &p : parts) {
        Word w;
        // A plain number is a sequence number, message ID, MTU or port, matched exactly, or
        // (from 4 digits) part of an SPI; it does not match inside addresses ("5" is not
        // "10.0.5.1"). Anything else matches as a substring of what the table shows.
        bool isNumber = false;
        const qulonglong n = p.toULongLong(&isNumber, 10);
        if (isNumber && n <= 0xffffffffULL) {
            w.hasNumber = true;
            w.number = std::uint32_t(n);
        }
        w.flow.resize(index.flows.size());
        for (std::size_t f = 0; f < index.flows.size(); ++f) {
            const Flow &fl = index.flows[f];
            w.flow[f] = isNumber ? (n == fl.srcPort || n == fl.dstPort) && n != 0
                                 : src[f].contains(p) || dst[f].contains(p);
        }
        if (!isNumber || p.size() >= 4)
            for (std::uint32_t spi : allSpis)
                if (spiText(spi).contains(p)) w.spis.push_back(spi);
        if (!isNumber) {
            for (std::size_t k = 0; k < w.kind.size(); ++k) {
                const QString name = QString::fromLatin1(packetKindName(PacketKind(k)));
                w.kind[k] =
                    name.contains(p) || (isMtuKind(PacketKind(k)) && QStringLiteral("mtu").contains(p));
            }
            // The direction only by prefix ("req", "resp"): "esp" must not match "response".
            const bool request = QStringLiteral("request").startsWith(p);
            const bool response = QStringLiteral("response").startsWith(p);
            for (std::size_t e = 0; e < 256; ++e) {
                w.exchange[e][0] = request || exchangeNames[e].contains(p);
                w.exchange[e][1] = response || exchangeNames[e].contains(p);
            }
            for (std::size_t bits = 0; bits < 16; ++bits)
                w.flags[bits] = !flagTexts[bits].isEmpty() && flagTexts[bits].contains(p);
        }
        words.push_back(std::move(w));
    }
    return words;
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

QString flagsText(std::uint16_t flags)
{
    QStringList f;
    if (flags & FlagDontFragment) f << QStringLiteral("DF");
    if (flags & FlagFragment) f << QStringLiteral("frag");
    if (flags & FlagSnapTruncated) f << QStringLiteral("snap");
    if (flags & FlagMalformed) f << QStringLiteral("malformed");
    return f.join(QLatin1Char(' '));
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
    const std::vector<Word> words = prepareFilter(index, request.filter);
    if (words.empty()) {
        rows->resize(count);
        for (std::size_t i = 0; i < count; ++i)
            (*rows)[i] = std::uint32_t(i);
    } else {
        for (std::size_t i = 0; i < count; ++i) {
            if (cancelled(cancel, i)) {
                out.cancelled = true;
                return out;
            }
            const PacketRecord &r = index.packets[i];
            bool keep = true;
            for (const Word &w : words)
                if (!w.matches(r)) {
                    keep = false;
                    break;
                }
            if (keep) rows->push_back(std::uint32_t(i));
        }
        rows->shrink_to_fit();
    }

    // 2. Sort, stable: ties keep packet order in both directions.
    const bool descending = request.order == Qt::DescendingOrder;
    const int column = request.column;
    if (column == PacketTableModel::ColNumber || column < 0 || column >= PacketTableModel::ColumnCount) {
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
