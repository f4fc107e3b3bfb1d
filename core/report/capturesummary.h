#pragma once
// The overview of one capture that `ikev2wb summary` prints: packets by kind, endpoints,
// ESP SAs, IKE SAs and their exchanges, ICMP errors, fragments and warnings.
#include "../index/captureindex.h"
#include "../util/textformat.h" // addressText, spiText, endpointText: callers of this header use them

#include <QString>

#include <map>
#include <string>
#include <vector>

namespace ikev2wb {

class JsonWriter;

/// Writes the keys "files", "file_gaps" and "set_notes" (README.md, "Capture sets") when the
/// index was read as a set; nothing for a capture opened as one file.
void writeCaptureSetJson(JsonWriter &w, const CaptureSet &set);
/// The set's files, gaps and notes for people ("" when not a set).
QString captureSetText(const CaptureSet &set);
/// Writes the key "tunnel" (README.md, "One tunnel of several") when the read was scoped to one
/// tunnel: `ends`, `packets_outside`; nothing otherwise.
void writeTunnelScopeJson(JsonWriter &w, const TunnelScope &scope, std::uint64_t outside);
/// "Tunnel with 10.0.1.1: 68 of 4836 packets are outside it and not analysed (…)", "" when not
/// scoped. `labelWidth`: "Tunnel" padded to that many characters (the summary's column of labels).
QString tunnelScopeText(const TunnelScope &scope, std::uint64_t outside, std::uint64_t packets,
                        int labelWidth = 0);

/// Exchange counts of one kind within an IKE SA or a capture.
struct ExchangeCount
{
    std::uint8_t exchange = 0;
    std::uint64_t requests = 0;
    std::uint64_t responses = 0;
};

/// IKE messages grouped by the initiator's SPI.
struct IkeSaSummary
{
    std::uint64_t initiatorSpi = 0;
    std::uint64_t responderSpi = 0; // first non-zero responder SPI seen
    int version = 0;                // 1 or 2
    IpAddress initiator;            // source of the first message sent with the I flag
    IpAddress responder;
    bool initiatorKnown = false;
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    std::uint64_t messages = 0;
    bool usedPort500 = false;
    bool usedNatT = false; // messages behind the non-ESP marker (float to 4500)
    bool usedTcp = false;
    bool natDetection = false; // NAT_DETECTION_* notifies seen
    std::vector<ExchangeCount> exchanges;
};

/// An address that took part in IPsec traffic.
struct EndpointSummary
{
    IpAddress address;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    bool ike = false;
    bool esp = false;
};

struct CaptureSummary
{
    std::vector<EndpointSummary> endpoints;
    std::vector<IkeSaSummary> ikeSas;
    std::vector<ExchangeCount> exchanges; // over the whole capture
    std::uint64_t fragmentsComplete = 0;
    std::uint64_t fragmentsIncomplete = 0;
};

CaptureSummary summarize(const CaptureIndex &index);

/// `ikev2wb summary FILE --json` document.
std::string summaryJson(const CaptureIndex &index, const CaptureSummary &summary, bool pretty = true);
/// `ikev2wb summary FILE` text.
QString summaryText(const CaptureIndex &index, const CaptureSummary &summary);
/// One packet as a JSON object (one line of `ikev2wb packets FILE --json`).
void writePacketJson(JsonWriter &w, const CaptureIndex &index, std::size_t i);
/// One packet as a text line (`ikev2wb packets FILE`).
QString packetText(const CaptureIndex &index, std::size_t i);

} // namespace ikev2wb
