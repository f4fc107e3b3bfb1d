#pragma once
// Which tunnel of the peer's capture (B) is capture A's, when B holds the IKE/ESP of several (a
// hub's capture): what a pair tab reads of B when no tunnel was given for it; and the mirror, which
// tunnel of capture A is B's when A is the hub's. Only proven by the tunnel's own identity, the
// SPIs both ends see alike (behind a NAT too), never by addresses alone: a hub may show another
// tunnel between the addresses the other capture shows for its own.
#include "index/captureindex.h"

#include <QString>

#include <vector>

namespace ikev2wb {

/// B's tunnel for capture A (or A's for B: `side`), or why none is proven.
struct PeerTunnel
{
    /// The capture judged (and read as `scope` when proven): 1 = B, the peer's (peerTunnelOf()), 0 =
    /// capture A (ownTunnelOf()). The fields below say "A's" of the other capture, B's for side 0.
    int side = 1;
    enum class Basis : std::uint8_t {
        OneTunnel, // B holds the IKE/ESP of one address pair at most: read whole, as before
        Spis, // exactly one of B's address pairs carries SPIs of A's (an IKE SA or two ESP SPIs): `scope` is
              // it
        NotProven, // several pairs and none (or more than one, or one by a single ESP SPI) shares SPIs with A
    };
    Basis basis = Basis::OneTunnel;
    TunnelScope scope;              // Spis: the pair's two ends as B's capture shows them
    std::vector<TunnelPair> pairs;  // B's address pairs (tunnelPairs(), busiest first)
    std::vector<bool> sharesSpis;   // per pair: carries an IKE SA or ESP SPI of A's
    std::vector<bool> sameEnds;     // per pair: the two addresses of A's only tunnel
    std::uint64_t sharedIkeSas = 0; // Spis: IKE SAs (initiator SPI) of A's seen in the pair
    std::uint64_t sharedEspSas = 0; // Spis: ESP SPIs of A's seen in the pair
    QString why;                    // for people: what proves it, or why nothing does
};

/// Judges which of `b`'s address pairs is `a`'s tunnel (both indexes read, B whole).
PeerTunnel peerTunnelOf(const CaptureIndex &a, const CaptureIndex &b);
/// The mirror: which of `a`'s address pairs is `b`'s tunnel (A a hub's capture read whole, B one of
/// its spokes'). The same proof, `side` 0.
PeerTunnel ownTunnelOf(const CaptureIndex &a, const CaptureIndex &b);

/// What a pair says of how B (or A, `side` 0) was read, in the window's words (the Comparison's
/// capture note, the CLI's note): "B read as the tunnel X ↔ Y: why" (Spis), "B read whole: why"
/// (NotProven); empty when B holds one tunnel.
QString peerTunnelNote(const PeerTunnel &t);

} // namespace ikev2wb
