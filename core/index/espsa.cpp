#include "espsa.h"

namespace ikev2wb {

EspPosition espPosition(const CaptureIndex &index, std::uint64_t packet, const std::atomic_bool *cancel)
{
    EspPosition p;
    if (packet >= index.packetCount()) return p;
    const PacketRecord &r = index.packets[packet];
    if (!r.isEsp()) return p;
    EspSaResolver resolver(index.espSas);
    const std::uint32_t sa = resolver.find(r);
    if (sa == EspSaResolver::kNone) return p;
    const EspSa &s = index.espSas[sa];
    const bool wraps = EspSequenceRule::wraps(s.minSeq, s.maxSeq);
    const auto sameSa = [&](const PacketRecord &o) {
        return o.isEsp() && o.a == r.a && o.flowId == r.flowId;
    };
    const auto stop = [&](std::uint64_t i) {
        return (i & 0xffff) == 0 && cancel && cancel->load(std::memory_order_relaxed);
    };

    // First pass: the run the packet belongs to, the highest number before it, its own number.
    EspSequenceRule rule(wraps);
    std::uint64_t runStart = 0;
    for (std::uint64_t i = 0; i <= packet; ++i) {
        if (stop(i)) return p;
        const PacketRecord &o = index.packets[i];
        if (!sameSa(o)) continue;
        const std::uint64_t ext = rule.extend(o.seq());
        const bool restart = ext != 0 && rule.isRestart(o.seq(), ext);
        if (restart) {
            rule.restart();
            runStart = i;
        }
        if (i == packet) {
            p.seq = ext;
            p.restart = restart;
            p.anyBefore = rule.started() && !restart;
            p.highest = rule.top();
            break;
        }
        ++p.before;
        if (ext != 0) rule.accept(ext);
    }
    // Second pass, over its run only: the first earlier packet with the same number.
    if (p.anyBefore && p.seq <= p.highest) {
        EspSequenceRule again(wraps);
        for (std::uint64_t i = 0; i < packet; ++i) {
            if (stop(i)) return p;
            const PacketRecord &o = index.packets[i];
            if (!sameSa(o)) continue;
            const std::uint64_t ext = again.extend(o.seq());
            if (ext != 0 && again.isRestart(o.seq(), ext)) again.restart();
            if (ext != 0) again.accept(ext);
            if (i >= runStart && ext == p.seq) {
                p.duplicate = true;
                p.duplicateOf = i;
                break;
            }
        }
    }
    p.found = true;
    p.saIndex = sa;
    return p;
}

} // namespace ikev2wb
