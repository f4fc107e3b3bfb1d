#pragma once
// A receiver's anti-replay window, emulated the way Linux does it (net/xfrm/xfrm_replay.c:
// xfrm_replay_check_bmp/advance_bmp without ESN, xfrm_replay_check_esn/advance_esn and
// xfrm_replay_seqhi with ESN), following RFC 4303 §3.4.3 and Appendix A.
#include <cstdint>
#include <vector>

namespace ikev2wb {

/// One anti-replay window of a given size. Feed it the packets of one SA in arrival order;
/// it says what the receiver would have done with each and counts the outcomes.
///
/// The emulation assumes every packet passes the integrity check, except that with ESN a packet
/// whose inferred high-order 32 bits differ from the sender's real ones fails it (the kernel
/// then counts it under "failed", not "replay-window").
class ReplayWindow final
{
public:
    enum class Verdict : std::uint8_t {
        Accepted,
        OutsideWindow, // too old: top - s >= window (kernel stats "replay-window")
        Replayed,      // its bit is already set (kernel stats "replay")
        Invalid,       // sequence number 0, never sent by a conforming sender
        EsnMismatch,   // ESN only: the receiver guessed the wrong high half; the ICV check fails
    };

    struct Counters
    {
        std::uint64_t accepted = 0;
        std::uint64_t outsideWindow = 0;
        std::uint64_t replayed = 0;
        std::uint64_t invalid = 0;
        std::uint64_t esnMismatch = 0;
        [[nodiscard]] std::uint64_t dropped() const
        {
            return outsideWindow + replayed + invalid + esnMismatch;
        }
    };

    /// `size` 0 disables the check (every packet is accepted), as `replay_window = 0` does.
    explicit ReplayWindow(std::uint32_t size, bool esn = false);

    /// Starts the window as if sequence numbers up to `top` had already moved it (none of them
    /// marked as received). Used when a capture begins in the middle of an SA's life.
    void prime(std::uint64_t top);

    /// One packet. Without ESN only the low 32 bits of `seq` travel on the wire and count.
    /// With ESN `seq` is the sender's full 64-bit number: the window sees its low half only and
    /// infers the high half as the kernel does.
    Verdict receive(std::uint64_t seq)
    {
        // The usual case, inlined: the next number in order without ESN. xfrm_replay_check_bmp
        // accepts it (seq > top, seq != 0) and xfrm_replay_advance_bmp with diff 1 clears no bit
        // and sets bit mod(mod(top - 1) + 1) = top & mask.
        const auto low = static_cast<std::uint32_t>(seq);
        if (!m_esn && m_mask != 0 && low == m_seq + 1 && low != 0) {
            setBit(m_seq & m_mask);
            m_seq = low;
            ++m_counters.accepted;
            return Verdict::Accepted;
        }
        return receiveSlow(seq);
    }

    /// True when receive() takes its in-order shortcut for every number in order (no ESN, a
    /// power-of-two size above 1): acceptInOrder() may then stand for such a run.
    [[nodiscard]] bool hasInOrderShortcut() const { return !m_esn && m_mask != 0; }
    /// The same as receive(top() + 1), receive(top() + 2), ... `n` times (each accepted through the
    /// in-order shortcut): only with hasInOrderShortcut() and when top() + n does not pass 2^32 - 1.
    /// The bits of the run are set a word at a time instead of one call per packet.
    void acceptInOrder(std::uint32_t n);

    [[nodiscard]] std::uint32_t size() const { return m_size; }
    [[nodiscard]] bool esn() const { return m_esn; }
    /// Highest accepted sequence number (64-bit with ESN).
    [[nodiscard]] std::uint64_t top() const { return (std::uint64_t(m_seqHi) << 32) | m_seq; }
    [[nodiscard]] const Counters &counters() const { return m_counters; }

private:
    Verdict receiveSlow(std::uint64_t seq);
    Verdict checkBmp(std::uint32_t seq) const;
    void advanceBmp(std::uint32_t seq);
    Verdict checkEsn(std::uint32_t seq) const;
    std::uint32_t seqHi(std::uint32_t seq) const;
    void advanceEsn(std::uint32_t seq);
    [[nodiscard]] bool bit(std::uint32_t diff) const;
    void setBit(std::uint32_t bitnr) { m_bmp[bitnr >> 5] |= 1u << (bitnr & 31); }
    void clearBit(std::uint32_t bitnr) { m_bmp[bitnr >> 5] &= ~(1u << (bitnr & 31)); }
    void setBits(std::uint32_t first, std::uint32_t count); // bits [first, first + count), no wrap
    Verdict count(Verdict v);
    // x % size; a mask for the usual power-of-two sizes (the division dominated the run time).
    [[nodiscard]] std::uint32_t mod(std::uint32_t x) const { return m_mask ? (x & m_mask) : x % m_size; }

    std::uint32_t m_size;
    std::uint32_t m_mask; // size - 1 if size is a power of two, else 0
    bool m_esn;
    std::uint32_t m_seq = 0;   // replay_esn->seq
    std::uint32_t m_seqHi = 0; // replay_esn->seq_hi
    std::vector<std::uint32_t> m_bmp;
    Counters m_counters;
};

const char *verdictName(ReplayWindow::Verdict v);

} // namespace ikev2wb
