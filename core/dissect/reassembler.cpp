#include "reassembler.h"

#include <algorithm>

namespace ikev2wb {

const char *outcomeName(FragmentedDatagram::Outcome o)
{
    switch (o) {
    case FragmentedDatagram::Outcome::Complete:
        return "complete";
    case FragmentedDatagram::Outcome::Timeout:
        return "timeout";
    case FragmentedDatagram::Outcome::MemoryLimit:
        return "memory_limit";
    case FragmentedDatagram::Outcome::EndOfCapture:
        return "incomplete_at_end";
    case FragmentedDatagram::Outcome::SnapTruncated:
        return "snap_truncated";
    }
    return "unknown";
}

void Reassembler::finish(std::unordered_map<Key, Pending, KeyHash>::iterator it,
                         FragmentedDatagram::Outcome outcome)
{
    Pending &p = it->second;
    p.info.outcome = outcome;
    for (const auto &piece : p.pieces)
        m_bytes -= piece.bytes.size();
    m_finished.push_back(p.info);
    m_order.erase(p.age);
    m_pending.erase(it);
}

void Reassembler::expire(std::int64_t nowNs)
{
    while (!m_order.empty()) {
        auto it = m_pending.find(m_order.front());
        if (it == m_pending.end()) { // cannot happen; keep the structures consistent anyway
            m_order.pop_front();
            continue;
        }
        if (nowNs - it->second.info.firstNs <= m_limits.timeoutNs) break;
        finish(it, it->second.truncated ? FragmentedDatagram::Outcome::SnapTruncated
                                        : FragmentedDatagram::Outcome::Timeout);
    }
}

void Reassembler::flush()
{
    while (!m_order.empty()) {
        auto it = m_pending.find(m_order.front());
        if (it == m_pending.end()) {
            m_order.pop_front();
            continue;
        }
        finish(it, it->second.truncated ? FragmentedDatagram::Outcome::SnapTruncated
                                        : FragmentedDatagram::Outcome::EndOfCapture);
    }
}

bool Reassembler::add(const PacketFacts &f, ByteView ip, std::uint64_t packetIndex, std::int64_t tsNs,
                      std::vector<std::uint8_t> &datagram)
{
    expire(tsNs);
    const std::size_t hdrLen = std::size_t(f.l4Offset) - f.l3Offset;
    if (hdrLen > ip.size() || f.ipTotalLen < hdrLen) return false;
    const Key key{f.src, f.dst, f.ipId, static_cast<std::uint8_t>(f.ipVersion == 4 ? f.ipProto : 0)};
    auto it = m_pending.find(key);
    if (it == m_pending.end()) {
        while (m_pending.size() >= m_limits.maxDatagrams && !m_order.empty())
            finish(m_pending.find(m_order.front()), FragmentedDatagram::Outcome::MemoryLimit);
        Pending p;
        p.info.firstPacket = packetIndex;
        p.info.firstNs = tsNs;
        p.info.src = f.src;
        p.info.dst = f.dst;
        p.info.id = f.ipId;
        m_order.push_back(key);
        p.age = std::prev(m_order.end());
        it = m_pending.emplace(key, std::move(p)).first;
    }
    Pending &p = it->second;
    p.info.lastPacket = packetIndex;
    p.info.lastNs = tsNs;
    if (p.info.fragments < 0xffff) ++p.info.fragments;

    const std::uint32_t payloadLen = f.ipTotalLen - static_cast<std::uint32_t>(hdrLen);
    const ByteView payload = ip.slice(hdrLen, payloadLen);
    if (payload.size() < payloadLen) p.truncated = true;
    if (f.fragOffset == 0) {
        p.info.haveFirst = true;
        p.info.proto = f.ipProto;
        p.header.assign(ip.data(), ip.data() + hdrLen);
    }
    if (!(f.flags & FlagMoreFragments)) {
        p.info.haveLast = true;
        p.info.totalLength = f.fragOffset + payloadLen;
    }
    // Keep the first copy of overlapping data; drop exact duplicates.
    const bool duplicate = std::any_of(p.pieces.begin(), p.pieces.end(), [&](const Piece &q) {
        return q.offset == f.fragOffset && q.bytes.size() == payload.size();
    });
    if (!duplicate && !payload.empty()) {
        if (m_bytes + payload.size() > m_limits.maxBytes) {
            finish(it, FragmentedDatagram::Outcome::MemoryLimit);
            return false;
        }
        p.pieces.push_back({f.fragOffset, {payload.data(), payload.data() + payload.size()}});
        m_bytes += payload.size();
        p.info.bytesSeen += static_cast<std::uint32_t>(payload.size());
    }
    if (!p.info.haveFirst || !p.info.haveLast || p.truncated) return false;

    // Complete when the pieces cover [0, totalLength) without a hole.
    std::sort(p.pieces.begin(), p.pieces.end(),
              [](const Piece &a, const Piece &b) { return a.offset < b.offset; });
    std::uint32_t covered = 0;
    for (const auto &piece : p.pieces) {
        if (piece.offset > covered) return false;
        covered =
            std::max<std::uint32_t>(covered, piece.offset + static_cast<std::uint32_t>(piece.bytes.size()));
    }
    if (covered < p.info.totalLength) return false;

    // Rebuild: first fragment's header with the fragmentation fields cleared, then the payload.
    const std::uint32_t total = p.info.totalLength;
    datagram.clear();
    if (f.ipVersion == 4) {
        datagram = p.header;
        const std::size_t ihl = datagram.size();
        const std::uint32_t ipLen = static_cast<std::uint32_t>(ihl) + total;
        if (ipLen > 0xffff) {
            finish(it, FragmentedDatagram::Outcome::MemoryLimit);
            return false;
        }
        datagram[2] = static_cast<std::uint8_t>(ipLen >> 8);
        datagram[3] = static_cast<std::uint8_t>(ipLen);
        datagram[6] &= 0x40; // keep DF, clear MF and offset
        datagram[7] = 0;
    } else {
        // Keep the fixed header only and splice the fragment header's next-header in.
        if (p.header.size() < 40 || total > 0xffff) {
            finish(it, FragmentedDatagram::Outcome::MemoryLimit);
            return false;
        }
        datagram.assign(p.header.begin(), p.header.begin() + 40);
        datagram[4] = static_cast<std::uint8_t>(total >> 8);
        datagram[5] = static_cast<std::uint8_t>(total);
        datagram[6] = p.info.proto;
    }
    const std::size_t base = datagram.size();
    datagram.resize(base + total);
    for (const auto &piece : p.pieces) {
        const std::size_t n =
            std::min<std::size_t>(piece.bytes.size(), total - std::min(total, piece.offset));
        std::copy_n(piece.bytes.begin(), n, datagram.begin() + std::ptrdiff_t(base + piece.offset));
    }
    finish(it, FragmentedDatagram::Outcome::Complete);
    return true;
}

} // namespace ikev2wb
