#pragma once
// ESP per outer direction (source → destination address) of one capture: the totals the
// Overview's table and the reports show, the anti-replay drops of the receiver's window, and
// "the worst SA" (the one with the most missing numbers, then the busiest). Judged here once so
// no page applies rules of its own.
#include "../index/indexbuilder.h"
#include "analysis.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

namespace ikev2wb {

/// One outer direction's ESP, summed over its SAs.
struct EspDirectionTotals
{
    IpAddress src, dst;              // outer addresses
    std::vector<std::uint32_t> spis; // in order of first appearance, each once
    std::vector<std::size_t> sas;    // into CaptureIndex::espSas
    std::uint64_t packets = 0;       // captured ESP packets (duplicates included)
    std::uint16_t maxOuter = 0;      // largest outer IP length
    bool analysed = false;           // the fields below are known (an analysis was given)
    std::uint64_t missing = 0;       // sequence numbers never seen here
    std::uint64_t unique = 0;        // packets - duplicates
    std::uint64_t reordered = 0;     // RFC 4737
    std::uint64_t duplicates = 0;
    std::optional<std::uint64_t> replayDrops; // first-seen packets the window drops; nullopt: not emulated
    std::uint32_t replayWindow = 0;           // the window of the host receiving this direction
    QString replayWindowBasis; // where it came from ("read from ip xfrm state (0x…) of host …: 16")
    int worstSa = -1;          // into CaptureIndex::espSas
    /// missing / (unique + missing), in percent; 0 without packets.
    [[nodiscard]] double lossPercent() const
    {
        return unique + missing ? 100.0 * double(missing) / double(unique + missing) : 0;
    }
};

struct EspDirections
{
    // The receiver window the drops are counted for (0: check off); in a pair each direction
    // has its receiver's own (EspDirectionTotals::replayWindow), this is the diagnosis' headline one.
    std::uint32_t replayWindow = 0;
    std::vector<EspDirectionTotals> directions; // in order of the first SA of each
    int worstSa = -1; // of the whole capture (into CaptureIndex::espSas), -1: no ESP
};

/// The anti-replay judgement of one SA of one capture: the window of the host that receives the
/// SA's direction, where that value came from, and the first-seen packets of this capture that
/// window drops (nullopt: not emulated, e.g. cancelled).
struct SaReplayJudgement
{
    std::uint32_t window = 0;
    QString windowBasis;
    std::optional<std::uint64_t> drops;
};

/// Judges every SA of `index` with its own receiver's window (`windows[i]` for
/// CaptureIndex::espSas[i]: window and basis; `drops` ignored): from the analysis when it emulated
/// that size, 0 when the check is off, from the SA's reordering lags without ESN
/// (EspSaSequence::reorderLags), else (ESN, the window shallower than the reordering seen) from
/// ONE more pass over the index's records with every window still needed; an index without
/// records never needs it. A cancelled pass leaves those drops unknown.
std::vector<SaReplayJudgement> judgeReplayWindows(const CaptureIndex &index, const CaptureAnalysis &analysis,
                                                  std::vector<SaReplayJudgement> windows,
                                                  const std::atomic_bool *cancel = nullptr);

/// The SA of `index` with the most missing sequence numbers, then the most packets (the busiest
/// without an analysis); -1 when there is no ESP.
int worstEspSa(const CaptureIndex &index, const CaptureAnalysis *analysis);

/// Per-direction ESP of `index`. Without `analysis` only packets, SPIs, the largest outer size
/// and the busiest SA are filled in. The drops are those of a receiver window of `replayWindow`
/// packets, judged as judgeReplayWindows() does (`emulateMissing`; without it the drops a pass
/// over the records would give stay unknown). A cancelled pass leaves them unknown.
EspDirections espDirections(const CaptureIndex &index, const CaptureAnalysis *analysis,
                            std::uint32_t replayWindow, bool emulateMissing = true,
                            const std::atomic_bool *cancel = nullptr);

/// Per-direction ESP of `index` with each SA judged already (judgeReplayWindows(), one entry per
/// CaptureIndex::espSas; the diagnosis does it once for its facts and these totals). `headline`
/// becomes EspDirections::replayWindow. No pass over the index.
EspDirections espDirections(const CaptureIndex &index, const CaptureAnalysis *analysis,
                            const std::vector<SaReplayJudgement> &judged, std::uint32_t headline);

} // namespace ikev2wb
