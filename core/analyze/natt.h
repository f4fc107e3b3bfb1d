#pragma once
// NAT traversal: encapsulation per peer pair, the IKE port float, NAT keepalive timing against
// strongSwan's keep_alive, NAT rebinding (one ESP SPI on two UDP flows), idle gaps longer than
// common NAT UDP timeouts and what followed them, and ESP SAs seen in one direction only.
//
// JSON written by writeNattJson under the key "natt":
//   peer_pairs[]   {a, b, encapsulation ("esp" | "esp-in-udp" | "mixed" | "none"), esp_packets,
//                  esp_in_udp_packets, ike_500, ike_natt, keepalives,
//                  idle_gaps[] {start, end, seconds, direction ("both" | "a_to_b" | "b_to_a": the
//                  silent one), nat_timeouts_exceeded[] (of 30/60/120/180 s), port_change_after,
//                  one_way_after (only one direction sent in the 30 s after), esp_sequence_jump
//                  (numbers skipped by the first ESP packet after the gap)}}
//   floats[]       {time, ike_initiator_spi, initiator, from_port, to_src_port, to_dst_port}
//   keepalives[]   {src, dst, src_port, dst_port, count, median_interval_s, max_interval_s,
//                  median_idle_before_s (time since the previous packet of the flow),
//                  matches_strongswan_default (keep_alive = 20 s)}
//   rebindings[]   {spi, src, dst, old_src_port, old_dst_port, new_src_port, new_dst_port,
//                  old_last_time, new_first_time}
//   one_way_sas[]  {spi, src, dst, encap, packets}: ESP SAs whose reverse direction has no SA
#include "../index/captureindex.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace ikev2wb {

class JsonWriter;

inline constexpr double kStrongswanKeepAliveS = 20.0;
/// Common NAT UDP mapping timeouts (seconds) that an idle gap is compared with.
inline constexpr int kNatUdpTimeoutsS[] = {30, 60, 120, 180};

/// An idle gap a NAT's UDP mapping with this timeout does not survive: at least as long as it.
/// The one rule the diagnosis and every view judge gaps by.
inline bool outlastsNatTimeout(double gapS, double timeoutS)
{
    return gapS >= timeoutS;
}

struct NatIdleGap
{
    enum class Direction : std::uint8_t { Both, AToB, BToA }; // which direction was silent
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
    Direction direction = Direction::Both;
    bool portChangeAfter = false;
    bool oneWayAfter = false;
    std::uint64_t espSequenceJump = 0;
    [[nodiscard]] double seconds() const { return double(endNs - startNs) / 1e9; }
};

struct NatPeerPair
{
    IpAddress a; // the smaller address
    IpAddress b;
    std::uint64_t espPackets = 0;
    std::uint64_t espInUdpPackets = 0;
    std::uint64_t ike500 = 0;
    std::uint64_t ikeNatT = 0;
    std::uint64_t keepalives = 0;
    std::vector<NatIdleGap> idleGaps;
    [[nodiscard]] const char *encapsulation() const;
};

struct NatPortFloat
{
    std::int64_t tsNs = 0;
    std::uint64_t ikeInitiatorSpi = 0;
    IpAddress initiator;
    std::uint16_t fromPort = 500;
    std::uint16_t toSrcPort = 0;
    std::uint16_t toDstPort = 0;
};

struct NatKeepaliveFlow
{
    std::uint32_t flowId = 0;
    std::uint64_t count = 0;
    double medianIntervalS = 0;
    double maxIntervalS = 0;
    double medianIdleBeforeS = 0;
    [[nodiscard]] bool matchesStrongswanDefault() const;
};

struct NatRebinding
{
    std::uint32_t spi = 0;
    std::size_t oldSa = 0; // indexes into CaptureIndex::espSas
    std::size_t newSa = 0;
};

struct NattAnalysis
{
    std::vector<NatPeerPair> pairs;
    std::vector<NatPortFloat> floats;
    std::vector<NatKeepaliveFlow> keepalives;
    std::vector<NatRebinding> rebindings;
    std::vector<std::size_t> oneWaySas; // indexes into CaptureIndex::espSas
    bool cancelled = false;
};

/// The NAT-T analysis fed packet by packet (file order), so it can run during the read without
/// per-packet records; analyzeNatt() feeds it from an index's records.
class NattAnalyzer final
{
public:
    NattAnalyzer();
    ~NattAnalyzer();
    NattAnalyzer(const NattAnalyzer &) = delete;
    NattAnalyzer &operator=(const NattAnalyzer &) = delete;
    static constexpr std::uint32_t kNoEspSa = 0xffffffffu;
    /// The next packet; `sa`: its index into CaptureIndex::espSas (kNoEspSa: not ESP); `tables`:
    /// the index its flow id refers to (it may still be growing).
    void observe(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables);
    /// The next packets in order: records[i] with its SA sas[i]. The same as observe() of each;
    /// one call for a batch spares a call per packet.
    void observe(std::span<const PacketRecord> records, std::span<const std::uint32_t> sas,
                 const CaptureIndex &tables);
    /// The analysis; `index`: the finished index of the packets observed.
    NattAnalysis finish(const CaptureIndex &index, bool cancelled);

private:
    struct State;
    std::unique_ptr<State> d;
};

NattAnalysis analyzeNatt(const CaptureIndex &index, const std::atomic_bool *cancel = nullptr);

} // namespace ikev2wb
