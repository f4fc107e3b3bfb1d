#include "replaywindow.h"

#include <algorithm>

namespace ikev2wb {

// The code below follows the kernel functions line by line (u32 arithmetic included), so that
// odd window sizes and the ESN subspace cases behave exactly as there.

ReplayWindow::ReplayWindow(std::uint32_t size, bool esn)
    : m_size(size), m_mask(size > 1 && (size & (size - 1)) == 0 ? size - 1 : 0), m_esn(esn),
      m_bmp(std::max<std::uint32_t>(1, (size + 31) / 32), 0u)
{
}

void ReplayWindow::prime(std::uint64_t top)
{
    m_seq = static_cast<std::uint32_t>(top);
    m_seqHi = m_esn ? static_cast<std::uint32_t>(top >> 32) : 0;
    std::fill(m_bmp.begin(), m_bmp.end(), 0u);
}

void ReplayWindow::setBits(std::uint32_t first, std::uint32_t count)
{
    while (count) {
        const std::uint32_t off = first & 31;
        const std::uint32_t take = std::min<std::uint32_t>(32 - off, count);
        m_bmp[first >> 5] |= (take == 32 ? ~0u : ((1u << take) - 1)) << off;
        first += take;
        count -= take;
    }
}

void ReplayWindow::acceptInOrder(std::uint32_t n)
{
    // receive()'s shortcut sets bit (top & mask) and moves top one up, n times: the bits of
    // top .. top + n - 1 (mod size), all of them once the run covers the window.
    m_counters.accepted += n;
    if (n >= m_size) {
        setBits(0, m_size);
    } else {
        std::uint32_t pos = m_seq & m_mask;
        std::uint32_t left = n;
        while (left) {
            const std::uint32_t take = std::min(m_size - pos, left);
            setBits(pos, take);
            left -= take;
            pos = 0;
        }
    }
    m_seq += n;
}

bool ReplayWindow::bit(std::uint32_t diff) const
{
    const std::uint32_t pos = mod(m_seq - 1);
    const std::uint32_t bitnr = pos >= diff ? mod(pos - diff) : m_size - (diff - pos);
    return (m_bmp[bitnr >> 5] >> (bitnr & 31)) & 1u;
}

ReplayWindow::Verdict ReplayWindow::count(Verdict v)
{
    switch (v) {
    case Verdict::Accepted:
        ++m_counters.accepted;
        break;
    case Verdict::OutsideWindow:
        ++m_counters.outsideWindow;
        break;
    case Verdict::Replayed:
        ++m_counters.replayed;
        break;
    case Verdict::Invalid:
        ++m_counters.invalid;
        break;
    case Verdict::EsnMismatch:
        ++m_counters.esnMismatch;
        break;
    }
    return v;
}

// xfrm_replay_check_bmp (same outcome as xfrm_replay_check_legacy for windows up to 32)
ReplayWindow::Verdict ReplayWindow::checkBmp(std::uint32_t seq) const
{
    if (seq == 0) return Verdict::Invalid;
    if (seq > m_seq) return Verdict::Accepted;
    const std::uint32_t diff = m_seq - seq;
    if (diff >= m_size) return Verdict::OutsideWindow;
    return bit(diff) ? Verdict::Replayed : Verdict::Accepted;
}

// xfrm_replay_advance_bmp
void ReplayWindow::advanceBmp(std::uint32_t seq)
{
    const std::uint32_t pos = mod(m_seq - 1);
    std::uint32_t bitnr;
    if (seq > m_seq) {
        const std::uint32_t diff = seq - m_seq;
        if (diff < m_size) {
            for (std::uint32_t i = 1; i < diff; ++i)
                clearBit(mod(pos + i));
        } else {
            std::fill(m_bmp.begin(), m_bmp.end(), 0u);
        }
        bitnr = mod(pos + diff);
        m_seq = seq;
    } else {
        const std::uint32_t diff = m_seq - seq;
        bitnr = pos >= diff ? mod(pos - diff) : m_size - (diff - pos);
    }
    setBit(bitnr);
}

// xfrm_replay_check_esn
ReplayWindow::Verdict ReplayWindow::checkEsn(std::uint32_t seq) const
{
    const std::uint32_t top = m_seq;
    const std::uint32_t bottom = top - m_size + 1;
    if (seq == 0 && m_seqHi == 0 && m_seq < m_size - 1) return Verdict::Invalid;
    std::uint32_t diff = top - seq;
    if (top >= m_size - 1) {
        // A. same subspace
        if (seq > top || seq < bottom) return Verdict::Accepted;
    } else {
        // B. window spans two subspaces
        if (seq > top && seq < bottom) return Verdict::Accepted;
        if (seq >= bottom) diff = ~seq + top + 1;
    }
    if (diff >= m_size) return Verdict::OutsideWindow;
    return bit(diff) ? Verdict::Replayed : Verdict::Accepted;
}

// xfrm_replay_seqhi
std::uint32_t ReplayWindow::seqHi(std::uint32_t seq) const
{
    std::uint32_t hi = m_seqHi;
    const std::uint32_t bottom = m_seq - m_size + 1;
    if (m_seq >= m_size - 1) {
        if (seq < bottom) ++hi;
    } else {
        if (seq >= bottom) --hi;
    }
    return hi;
}

// xfrm_replay_advance_esn
void ReplayWindow::advanceEsn(std::uint32_t seq)
{
    const std::uint32_t pos = mod(m_seq - 1);
    const std::uint32_t hi = seqHi(seq);
    const auto wrap = static_cast<std::int32_t>(hi - m_seqHi);
    std::uint32_t bitnr;
    if ((wrap == 0 && seq > m_seq) || wrap > 0) {
        const std::uint32_t diff = wrap == 0 ? seq - m_seq : ~m_seq + seq + 1;
        if (diff < m_size) {
            for (std::uint32_t i = 1; i < diff; ++i)
                clearBit(mod(pos + i));
        } else {
            std::fill(m_bmp.begin(), m_bmp.end(), 0u);
        }
        bitnr = mod(pos + diff);
        m_seq = seq;
        if (wrap > 0) ++m_seqHi;
    } else {
        const std::uint32_t diff = m_seq - seq;
        bitnr = pos >= diff ? mod(pos - diff) : m_size - (diff - pos);
    }
    setBit(bitnr);
}

ReplayWindow::Verdict ReplayWindow::receiveSlow(std::uint64_t seq)
{
    const auto low = static_cast<std::uint32_t>(seq);
    if (m_size == 0) return count(Verdict::Accepted);
    if (!m_esn) {
        const Verdict v = checkBmp(low);
        if (v == Verdict::Accepted) advanceBmp(low);
        return count(v);
    }
    if (seq == 0) return count(Verdict::Invalid);
    const Verdict v = checkEsn(low);
    if (v != Verdict::Accepted) return count(v);
    // The ICV covers the high half the receiver inferred; a wrong guess fails authentication.
    if (seqHi(low) != static_cast<std::uint32_t>(seq >> 32)) return count(Verdict::EsnMismatch);
    advanceEsn(low);
    return count(Verdict::Accepted);
}

const char *verdictName(ReplayWindow::Verdict v)
{
    switch (v) {
    case ReplayWindow::Verdict::Accepted:
        return "accepted";
    case ReplayWindow::Verdict::OutsideWindow:
        return "outside_window";
    case ReplayWindow::Verdict::Replayed:
        return "replayed";
    case ReplayWindow::Verdict::Invalid:
        return "invalid";
    case ReplayWindow::Verdict::EsnMismatch:
        return "esn_mismatch";
    }
    return "?";
}

} // namespace ikev2wb
