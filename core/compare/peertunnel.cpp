#include "peertunnel.h"

#include <algorithm>
#include <map>
#include <set>

namespace ikev2wb {

namespace {

QString pairText(const TunnelPair &p)
{
    return QStringLiteral("%1 ↔ %2").arg(QString::fromStdString(p.a.toString()),
                                         QString::fromStdString(p.b.toString()));
}

std::pair<IpAddress, IpAddress> ends(const Flow &fl)
{
    return fl.src < fl.dst ? std::pair{fl.src, fl.dst} : std::pair{fl.dst, fl.src};
}

/// Judges which of `b`'s address pairs is `a`'s tunnel; `side`: which capture `b` is (1 = B, the
/// peer's; 0 = A), for the words.
PeerTunnel judge(const CaptureIndex &a, const CaptureIndex &b, int side)
{
    PeerTunnel out;
    out.side = side;
    // The judged capture and the other one, in the words of a pair.
    const QString holder = side == 1 ? QStringLiteral("the peer's capture") : QStringLiteral("capture A");
    const QString ofOther = side == 1 ? QStringLiteral("capture A's") : QStringLiteral("the peer's capture");
    const QString others = side == 1 ? QStringLiteral("A's") : QStringLiteral("the peer's");
    constexpr std::size_t kListed = 1000;
    bool more = false;
    out.pairs = tunnelPairs(b, kListed, &more);
    if (out.pairs.size() < 2) return out;
    out.basis = PeerTunnel::Basis::NotProven;

    // The tunnel's identity at both ends: IKE initiator SPIs (64 random bits) and ESP SPIs.
    std::set<std::uint64_t> ikeA;
    std::set<std::uint32_t> espA;
    for (const IkeMessage &m : a.ikeMessages)
        if (m.header.initiatorSpi != 0) ikeA.insert(m.header.initiatorSpi);
    for (const EspSa &sa : a.espSas)
        espA.insert(sa.spi);
    const std::vector<TunnelPair> pairsA = tunnelPairs(a, 2);

    // A hub of more pairs than are listed (a concentrator's thousands of clients): the pairs that
    // carry A's SPIs are added wherever they are, so that A's tunnel is never left out unjudged.
    if (more) {
        std::set<std::pair<IpAddress, IpAddress>> extra;
        for (const IkeMessage &m : b.ikeMessages)
            if (ikeA.count(m.header.initiatorSpi) && m.flowId < b.flows.size())
                extra.insert(ends(b.flows[m.flowId]));
        for (const EspSa &sa : b.espSas)
            if (espA.count(sa.spi) && sa.flowId < b.flows.size()) extra.insert(ends(b.flows[sa.flowId]));
        for (const TunnelPair &p : out.pairs)
            extra.erase({p.a, p.b});
        std::map<std::pair<IpAddress, IpAddress>, std::uint64_t> packets;
        for (const Flow &fl : b.flows)
            if (fl.carriesIkeOrEsp() && extra.count(ends(fl))) packets[ends(fl)] += fl.packets;
        for (const auto &[e, n] : packets)
            out.pairs.push_back({e.first, e.second, n});
    }
    // "N address pairs", or more than the listed ones when B holds more.
    const QString count =
        more ? QStringLiteral("more than %1").arg(kListed) : QString::number(out.pairs.size());

    const std::size_t n = out.pairs.size();
    out.sharesSpis.assign(n, false);
    out.sameEnds.assign(n, false);
    std::vector<std::set<std::uint64_t>> ikeShared(n);
    std::vector<std::set<std::uint32_t>> espShared(n);
    const auto pairOf = [&](const Flow &fl) -> std::size_t {
        const auto e = ends(fl);
        for (std::size_t i = 0; i < n; ++i)
            if (out.pairs[i].a == e.first && out.pairs[i].b == e.second) return i;
        return n;
    };
    for (const IkeMessage &m : b.ikeMessages)
        if (ikeA.count(m.header.initiatorSpi) && m.flowId < b.flows.size())
            if (const std::size_t i = pairOf(b.flows[m.flowId]); i < n)
                ikeShared[i].insert(m.header.initiatorSpi);
    for (const EspSa &sa : b.espSas)
        if (espA.count(sa.spi) && sa.flowId < b.flows.size())
            if (const std::size_t i = pairOf(b.flows[sa.flowId]); i < n) espShared[i].insert(sa.spi);
    std::vector<std::size_t> sharing;
    for (std::size_t i = 0; i < n; ++i) {
        out.sharesSpis[i] = !ikeShared[i].empty() || !espShared[i].empty();
        if (out.sharesSpis[i]) sharing.push_back(i);
        out.sameEnds[i] =
            pairsA.size() == 1 && pairsA[0].a == out.pairs[i].a && pairsA[0].b == out.pairs[i].b;
    }

    // One ESP SPI alone (32 bits, about 28 of them random) could be a chance match of another
    // tunnel's, e.g. when A's own tunnel is not in B at all: proof takes an IKE SA (64 random bits)
    // or two ESP SPIs (both directions of a CHILD_SA, or several SAs).
    const bool strong = sharing.size() == 1 &&
                        (!ikeShared[sharing.front()].empty() || espShared[sharing.front()].size() >= 2);
    if (strong) {
        const std::size_t i = sharing.front();
        const TunnelPair &p = out.pairs[i];
        out.basis = PeerTunnel::Basis::Spis;
        out.scope.ends = {p.a, p.b};
        out.sharedIkeSas = ikeShared[i].size();
        out.sharedEspSas = espShared[i].size();
        QStringList what;
        if (out.sharedIkeSas) what << QStringLiteral("%1 IKE SA(s)").arg(out.sharedIkeSas);
        if (out.sharedEspSas) what << QStringLiteral("%1 ESP SPI(s)").arg(out.sharedEspSas);
        out.why = QStringLiteral("%1 holds the IKE/ESP of %2 address pairs; only %3 carries SPIs of %4 (%5)")
                      .arg(holder, count, pairText(p), ofOther, what.join(QStringLiteral(", ")));
        if (!out.sameEnds[i] && pairsA.size() == 1)
            out.why += QStringLiteral(": the same tunnel as %1 %2, its addresses changed on the way (NAT)")
                           .arg(others, pairText(pairsA[0]));
        return out;
    }
    if (sharing.size() == 1)
        out.why = QStringLiteral("%1 holds the IKE/ESP of %2 address pairs; only %3 carries an SPI of %4, "
                                 "but one ESP SPI and no IKE SA: too little to prove it is the same tunnel")
                      .arg(holder, count, pairText(out.pairs[sharing.front()]), ofOther);
    else if (sharing.empty())
        out.why =
            QStringLiteral("%1 holds the IKE/ESP of %2 address pairs and none carries an IKE or ESP SPI "
                           "of %3: which is %4 tunnel is not proven")
                .arg(holder, count, ofOther, others);
    else
        out.why = QStringLiteral("%1 holds the IKE/ESP of %2 address pairs and %3 of them carry SPIs of %4: "
                                 "which is %5 tunnel is not proven")
                      .arg(holder, count, QString::number(sharing.size()), ofOther, others);
    return out;
}

} // namespace

PeerTunnel peerTunnelOf(const CaptureIndex &a, const CaptureIndex &b)
{
    return judge(a, b, 1);
}

PeerTunnel ownTunnelOf(const CaptureIndex &a, const CaptureIndex &b)
{
    return judge(b, a, 0);
}

QString peerTunnelNote(const PeerTunnel &t)
{
    const QChar name = QLatin1Char(t.side == 0 ? 'A' : 'B');
    switch (t.basis) {
    case PeerTunnel::Basis::Spis:
        return QStringLiteral("%1 read as the tunnel %2: %3").arg(name).arg(t.scope.endsText(), t.why);
    case PeerTunnel::Basis::NotProven:
        return QStringLiteral("%1 read whole: %2").arg(name).arg(t.why);
    case PeerTunnel::Basis::OneTunnel:
        break;
    }
    return {};
}

} // namespace ikev2wb
