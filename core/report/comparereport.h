#pragma once
// The endpoint comparison's outputs: `ikev2wb compare A B --json` and the text report
// (core/compare computes the CompareResult, this writes it).
#include "../compare/endpointcompare.h"

#include <QString>
#include <QStringList>

#include <array>
#include <cstdint>
#include <string>

namespace ikev2wb {

/// How compareNotes() writes a time: epoch seconds (the CLI's text, like its JSON) or UTC to the
/// millisecond with " UTC" (the Comparison page).
enum class CompareTimes : std::uint8_t { EpochSeconds, Utc };

/// The comparison's events, one line each, written here once: the CLI's text (compareText) and
/// the Comparison page's Notes both print these lines, each with its own prefix.
struct CompareNotes
{
    /// Per entry of CompareResult::directions: "58 lost from T to T (1.234 s)".
    std::array<QStringList, 2> outages;
    /// "A → B: IKE_AUTH request ID 1 (attempt 2) at T"
    QStringList ikeLost;
    /// "by A: IKE_AUTH ID 1 attempt 2: request_lost"
    QStringList ikeRetransmissions;
};
CompareNotes compareNotes(const CompareResult &r, CompareTimes times);

class JsonWriter;
/// `peer_tunnel` (compare's and diagnose's JSON): how the peer's capture B, holding the IKE/ESP of
/// several address pairs, was judged against A: {`read_as` "tunnel" (the pair proven A's by its
/// SPIs: `ends`, `shared_ike_sas`, `shared_esp_spis`) or "whole" (none proven), `why`, `pairs[]`
/// {`a`, `b`, `packets`, `carries_spis_of_a`}}. Nothing when B holds one tunnel or was read as a
/// tunnel given for it. The mirror (`t.side` 0: capture A a hub's judged against B) is `own_tunnel`,
/// the same fields with `carries_spis_of_b`.
void writePeerTunnelJson(JsonWriter &w, const PeerTunnel &t);

/// `ikev2wb compare A B --json` document and the text report.
std::string compareJson(const CompareResult &r, bool pretty = true);
QString compareText(const CompareResult &r);

} // namespace ikev2wb
