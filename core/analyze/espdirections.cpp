#include "espdirections.h"

#include <algorithm>
#include <map>

namespace ikev2wb {

namespace {

/// Worse first: the most missing numbers, then the most packets.
bool worse(std::uint64_t missingA, std::uint64_t packetsA, std::uint64_t missingB, std::uint64_t packetsB)
{
    return missingA != missingB ? missingA > missingB : packetsA > packetsB;
}

std::vector<const EspSaSequence *> sequencesBySa(const CaptureIndex &index, const CaptureAnalysis *analysis)
{
    std::vector<const EspSaSequence *> seqOf(index.espSas.size(), nullptr);
    if (analysis)
        for (const EspSaSequence &s : analysis->esp.sas)
            if (s.saIndex < seqOf.size()) seqOf[s.saIndex] = &s;
    return seqOf;
}

/// The outcome of `window` in `s` without another pass, or nullopt when that needs one.
std::optional<std::uint64_t> emulatedDrops(const EspSaSequence &s, std::uint32_t window)
{
    for (const EspReplayOutcome &o : s.antiReplay)
        if (o.window == window) return o.droppedFirstSeen;
    if (window == 0) return 0; // the check is off
    // Without ESN the first-seen drops of any window are the reordered packets at least that far
    // behind (EspSaSequence::reorderLags); with ESN a wrong guess of the high half drops too.
    if (!s.esn) return s.reorderedAtLeast(window);
    // Deeper than any reordering whose lag is known (a packet older than the tracking horizon
    // has none: then only the pass can tell).
    if (s.lateUntracked == 0 && std::uint64_t(window) >= s.minWindowExact) return 0;
    return std::nullopt;
}

} // namespace

int worstEspSa(const CaptureIndex &index, const CaptureAnalysis *analysis)
{
    const auto seqOf = sequencesBySa(index, analysis);
    int worst = -1;
    std::uint64_t worstMissing = 0, worstPackets = 0;
    for (std::size_t i = 0; i < index.espSas.size(); ++i) {
        const std::uint64_t missing = seqOf[i] ? seqOf[i]->missing : 0;
        const std::uint64_t packets = index.espSas[i].packets;
        if (worst < 0 || worse(missing, packets, worstMissing, worstPackets)) {
            worst = int(i);
            worstMissing = missing;
            worstPackets = packets;
        }
    }
    return worst;
}

std::vector<SaReplayJudgement> judgeReplayWindows(const CaptureIndex &index, const CaptureAnalysis &analysis,
                                                  std::vector<SaReplayJudgement> windows,
                                                  const std::atomic_bool *cancel)
{
    windows.resize(index.espSas.size());
    const auto seqOf = sequencesBySa(index, &analysis);
    EspSequenceOptions options;
    options.windows.clear();
    for (std::size_t i = 0; i < windows.size(); ++i) {
        windows[i].drops =
            seqOf[i] ? emulatedDrops(*seqOf[i], windows[i].window) : std::optional<std::uint64_t>(0);
        if (!windows[i].drops) options.windows.push_back(windows[i].window);
    }
    if (options.windows.empty()) return windows;
    // One pass over the records for every window not known yet (each SA picks its own
    // receiver's): only an SA with ESN needs one, and an index without records has none (its
    // read analysed it during the read, which keeps the records of a capture with ESN).
    if (!index.hasRecords()) return windows;
    const EspSequenceAnalysis own = analyzeEspSequences(index, options, cancel);
    if (own.cancelled) return windows;
    for (const EspSaSequence &s : own.sas) {
        if (s.saIndex >= windows.size() || windows[s.saIndex].drops) continue;
        for (const EspReplayOutcome &o : s.antiReplay)
            if (o.window == windows[s.saIndex].window) windows[s.saIndex].drops = o.droppedFirstSeen;
    }
    return windows;
}

EspDirections espDirections(const CaptureIndex &index, const CaptureAnalysis *analysis,
                            std::uint32_t replayWindow, bool emulateMissing, const std::atomic_bool *cancel)
{
    std::vector<SaReplayJudgement> judged(index.espSas.size());
    for (SaReplayJudgement &j : judged)
        j.window = replayWindow;
    if (analysis && emulateMissing) {
        judged = judgeReplayWindows(index, *analysis, std::move(judged), cancel);
    } else {
        const auto seqOf = sequencesBySa(index, analysis);
        for (std::size_t i = 0; i < judged.size(); ++i)
            if (seqOf[i]) judged[i].drops = emulatedDrops(*seqOf[i], replayWindow);
    }
    return espDirections(index, analysis, judged, replayWindow);
}

EspDirections espDirections(const CaptureIndex &index, const CaptureAnalysis *analysis,
                            const std::vector<SaReplayJudgement> &judged, std::uint32_t headline)
{
    EspDirections out;
    out.replayWindow = headline;
    out.worstSa = worstEspSa(index, analysis);
    const auto seqOf = sequencesBySa(index, analysis);
    const auto judgedOf = [&](std::size_t i) {
        return i < judged.size() ? judged[i] : SaReplayJudgement{headline, {}, {}};
    };

    std::map<std::pair<IpAddress, IpAddress>, std::size_t> byAddresses;
    std::vector<std::uint64_t> worstMissing;
    for (std::size_t i = 0; i < index.espSas.size(); ++i) {
        const EspSa &sa = index.espSas[i];
        const Flow &fl = index.flows[sa.flowId];
        auto it = byAddresses.find({fl.src, fl.dst});
        if (it == byAddresses.end()) {
            it = byAddresses.emplace(std::make_pair(fl.src, fl.dst), out.directions.size()).first;
            out.directions.emplace_back();
            out.directions.back().src = fl.src;
            out.directions.back().dst = fl.dst;
            out.directions.back().analysed = analysis != nullptr;
            out.directions.back().replayDrops = 0;
            out.directions.back().replayWindow = judgedOf(i).window;
            out.directions.back().replayWindowBasis = judgedOf(i).windowBasis;
            worstMissing.push_back(0);
        }
        EspDirectionTotals &d = out.directions[it->second];
        if (std::find(d.spis.begin(), d.spis.end(), sa.spi) == d.spis.end()) d.spis.push_back(sa.spi);
        d.sas.push_back(i);
        d.packets += sa.packets;
        d.maxOuter = std::max(d.maxOuter, sa.maxIpLength);
        std::uint64_t missing = 0;
        if (const EspSaSequence *s = seqOf[i]) {
            missing = s->missing;
            d.missing += s->missing;
            d.unique += s->packets - s->duplicates;
            d.reordered += s->reordered;
            d.duplicates += s->duplicates;
            const std::optional<std::uint64_t> drops = judgedOf(i).drops;
            if (drops && d.replayDrops)
                *d.replayDrops += *drops;
            else
                d.replayDrops.reset();
        }
        std::uint64_t &wm = worstMissing[it->second];
        if (d.worstSa < 0 || worse(missing, sa.packets, wm, index.espSas[std::size_t(d.worstSa)].packets)) {
            d.worstSa = int(i);
            wm = missing;
        }
    }
    for (EspDirectionTotals &d : out.directions)
        if (!d.analysed) d.replayDrops.reset();
    return out;
}

} // namespace ikev2wb
