#pragma once
// IKE exchanges of one capture: requests matched to responses, retransmissions measured against
// strongSwan's schedule, capture duplicates, give-ups, RFC 7383 fragments, exchange classes,
// the NAT-T float, and a rekey timeline that ties ESP SPIs to CREATE_CHILD_SA / INFORMATIONAL.
//
// JSON written by writeIkeExchangesJson under the key "ike":
//   ike_sas[]            one per IKE SA (keyed by the initiator SPI)
//     initiator_spi, responder_spi   hex; responder SPI from the first response that carries it
//     version            1 or 2
//     initiator, responder           addresses (IKEv2: I flag; IKEv1: first sender)
//     exchanges[]        in order of the first request
//       exchange         name ("IKE_SA_INIT", "v1-QuickMode", ...), type = its number
//       message_id       number
//       by_initiator     the request came from the original initiator
//       request_time / response_time  first send of each (null if not captured)
//       response_ms      response_time − request_time in ms (null if unanswered)
//       request_length / response_length  IKE lengths (of the first fragment if SKF)
//       retransmissions[] {time, gap_s, expected_gap_s, ratio}: re-sends of the request;
//                        gap from the previous send, strongSwan default timeout for that n
//       fits_strongswan_schedule  every ratio within 0.85..1.25 (null without retransmissions)
//       response_retransmissions  re-sends of the response (the responder answering a
//                        retransmitted request again)
//       answered, gave_up   gave_up: retransmitted, never answered, and either a new IKE_SA_INIT
//                        from the initiator followed or the silence outlasted the default
//                        schedule's next wait (1.1 × 4.0 × 1.8^n after n retransmissions)
//       silence_after_s  seconds from the last send of an unanswered request to the next IKE
//                        message of the SA (or the capture end)
//       silence_to_capture_end  no message of the SA followed the last send
//       restarted        a new IKE_SA_INIT from the initiator followed the last send
//       outcome_not_captured  retransmitted, unanswered, and the capture ended before the
//                        default schedule's next retransmission or give-up was due
//       class            see ExchangeClass below; class_inferred: true when it rests on lengths
//                        or ESP SPI timing rather than cleartext payloads
//       notifies         cleartext notify names of request and response; error_notifies apart
//       fragments        {total, seen[], missing[]} for RFC 7383 SKF messages (request side;
//                        response_fragments likewise), absent otherwise
//       ip_fragmented, ip_fragments_complete   the message travelled as IP fragments and
//                        whether every fragment arrived
//     retransmissions, response_retransmissions, unanswered, capture_duplicates, gave_up,
//     cookie_retries, invalid_ke_retries   counts over the SA
//     nat_detection      NAT_DETECTION_*_IP notifies seen in clear
//     float_to_natt_time first message behind the non-ESP marker after messages on port 500
//     natt_from_start    every message of the SA used NAT-T framing
//   rekeys[]             {time, kind, ike_initiator_spi, message_id, new_spis[], old_spis[],
//                        packets_after_delete, esp_missing_near_rekey, delete_time}
//                        kind: child_rekey | child_rekey_inferred | new_child |
//                        new_child_inferred | ike_rekey | ike_rekey_inferred | unknown
//   summary              totals over all SAs
#include "../index/captureindex.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace ikev2wb {

class JsonWriter;

/// strongSwan charon defaults (strongswan.conf retransmit_timeout / retransmit_base).
inline constexpr double kStrongswanRetransmitTimeoutS = 4.0;
/// A copy of a packet seen twice by the capture (two interfaces, a SPAN port) arrives within
/// microseconds; 100 ms is generous and still far below strongSwan's shortest retransmission
/// gap (4 s). A capture duplicate: same flow, same non-zero IP ID, same IP length and the same
/// IKE header (or ESP SPI and sequence number) as a packet of its SA this recently.
inline constexpr std::int64_t kCaptureDuplicateWindowNs = 100'000'000LL;
inline constexpr double kStrongswanRetransmitBase = 1.8;
/// Gap strongSwan waits before retransmission n (1-based) with its defaults.
double strongswanExpectedGapS(int n);

/// What an exchange was for, from cleartext where possible.
enum class ExchangeClass : std::uint8_t {
    Unknown,
    IkeSaInit,
    IkeSaInitCookie,    // answered by N(COOKIE) only; a retry follows
    IkeSaInitInvalidKe, // answered by N(INVALID_KE_PAYLOAD); a retry with another group follows
    IkeSaInitError,     // answered by another error notify
    IkeAuth,
    ChildRekey, // CREATE_CHILD_SA with REKEY_SA (cleartext or inferred from ESP SPIs)
    IkeRekey,
    NewChild,
    CreateChildSa, // encrypted, nothing to infer from
    Dpd,           // empty INFORMATIONAL (liveness check)
    Delete,
    InformationalNotify, // INFORMATIONAL starting with a notify (e.g. MOBIKE address update)
    Informational,
    V1MainMode,
    V1Aggressive,
    V1QuickMode,
    V1Informational,
    Other,
};
const char *exchangeClassName(ExchangeClass c);

/// One re-send of a request.
struct IkeRetransmission
{
    std::int64_t tsNs = 0;
    std::size_t message = 0; // index into CaptureIndex::ikeMessages
    double gapS = 0;         // since the previous send of the same request
    double expectedGapS = 0; // strongSwan default for this retransmission number
    [[nodiscard]] double ratio() const { return expectedGapS > 0 ? gapS / expectedGapS : 0; }
};

/// RFC 7383 fragments of one message, as far as they can be counted without keys.
struct IkeFragmentSet
{
    std::uint16_t total = 0;            // 0: not fragmented
    std::vector<std::uint16_t> seen;    // fragment numbers seen, sorted, unique
    std::vector<std::uint16_t> missing; // 1..total minus seen
};

/// A request and its response (either may be missing from the capture).
struct IkeExchange
{
    std::uint8_t exchange = 0;
    std::uint32_t messageId = 0;
    bool byInitiator = true;
    std::int64_t requestNs = -1;  // -1: request not captured
    std::int64_t responseNs = -1; // -1: no response captured
    std::uint32_t requestLength = 0;
    std::uint32_t responseLength = 0;
    std::uint8_t requestNextPayload = 0;
    std::vector<std::size_t> requestMessages; // indexes into CaptureIndex::ikeMessages (every send)
    std::vector<std::size_t> responseMessages;
    std::vector<IkeRetransmission> retransmissions;
    std::uint32_t responseRetransmissions = 0;
    bool answered = false;
    // Unanswered and retransmitted: the sender started over with a new IKE_SA_INIT, or stayed
    // silent longer than strongSwan's default schedule waits for the next step.
    bool gaveUp = false;
    double silenceAfterS = 0;
    bool silenceToCaptureEnd = false; // nothing of the SA followed the last send
    bool restarted = false;           // a new IKE_SA_INIT from the initiator followed the last send
    // Retransmitted, unanswered, and the capture ended before the default schedule's next
    // retransmission or give-up was due: what happened is not in the capture.
    bool outcomeNotCaptured = false;
    // A set of files: the silence after the last send runs into a hole between two files (a
    // file of the ring is missing) before the response, the next retransmission or the give-up
    // was due: the outcome may be in the missing file. Index into CaptureSet::gaps, -1 for none.
    // Such an exchange is not counted as unanswered.
    int fileGap = -1;
    ExchangeClass cls = ExchangeClass::Unknown;
    bool classInferred = false;
    std::vector<std::uint16_t> notifies; // cleartext, request then response, unique
    std::vector<std::uint16_t> errorNotifies;
    IkeFragmentSet fragments; // request side
    IkeFragmentSet responseFragments;
    bool ipFragmented = false;
    bool ipFragmentsComplete = true;

    [[nodiscard]] double responseMs() const
    {
        return answered && requestNs >= 0 ? double(responseNs - requestNs) / 1e6 : -1;
    }
    /// Every retransmission within 0.85..1.25 of strongSwan's default gap; false without any.
    [[nodiscard]] bool fitsStrongswanSchedule() const;
};

/// Exchanges of one IKE SA.
struct IkeSaExchanges
{
    std::uint64_t initiatorSpi = 0;
    std::uint64_t responderSpi = 0;
    int version = 2;
    IpAddress initiator;
    IpAddress responder;
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    std::vector<IkeExchange> exchanges;
    std::uint32_t retransmissions = 0; // request re-sends
    std::uint32_t responseRetransmissions = 0;
    std::uint32_t unanswered = 0;
    std::uint32_t inFileGap =
        0; // unanswered, the outcome in a missing file of the set (IkeExchange::fileGap)
    std::uint32_t captureDuplicates = 0;
    std::vector<std::size_t> captureDuplicateMessages; // indexes into CaptureIndex::ikeMessages
    std::uint32_t gaveUp = 0;
    std::uint32_t cookieRetries = 0;
    std::uint32_t invalidKeRetries = 0;
    bool natDetection = false;
    bool natTFromStart = false;
    std::int64_t floatToNatTNs = -1; // -1: no float seen
    bool startedWithSaInit = false;
};

/// An ESP SA change tied to a CREATE_CHILD_SA.
struct IkeRekeyEvent
{
    std::int64_t tsNs = 0; // response (or request) time of the exchange
    ExchangeClass kind = ExchangeClass::Unknown;
    bool inferred = false;
    std::size_t ikeSa = 0;           // index into IkeExchangeAnalysis::ikeSas
    std::size_t exchange = 0;        // index into that SA's exchanges
    std::vector<std::size_t> newSas; // indexes into CaptureIndex::espSas
    std::vector<std::size_t> oldSas;
    std::int64_t deleteNs = -1;            // INFORMATIONAL (delete) that followed, if any
    std::uint64_t packetsAfterDelete = 0;  // old-SPI ESP packets later than deleteNs + 1 s
    std::uint64_t espMissingNearRekey = 0; // sequence numbers never seen within ±kRekeyWindow
};

struct IkeExchangeSummary
{
    std::uint32_t ikeSas = 0;
    std::uint32_t exchanges = 0;
    std::uint32_t answered = 0;
    std::uint32_t unanswered = 0;
    std::uint32_t inFileGap = 0; // unanswered in the set, the outcome in a missing file
    std::uint32_t retransmissions = 0;
    std::uint32_t responseRetransmissions = 0;
    std::uint32_t captureDuplicates = 0;
    std::uint32_t gaveUp = 0;
    std::uint32_t missingFragments = 0;
    std::uint32_t incompleteIpFragmented = 0;
    std::uint32_t rekeys = 0;
    double maxResponseMs = 0;
};

struct IkeExchangeAnalysis
{
    std::vector<IkeSaExchanges> ikeSas;
    std::vector<IkeRekeyEvent> rekeys;
    IkeExchangeSummary summary;
    bool cancelled = false;
};

/// What the rekey timeline reads from ESP packets, gathered during the read so that no per-packet
/// records are needed: every ESP packet within ±5 s of each CREATE_CHILD_SA message (its SA and
/// sequence number; the last 6 s of ESP packets are held for the part before a message), and per
/// SA how many of its packets came no later than 1 s after each INFORMATIONAL message. Numbers
/// are kept as runs of consecutive ones: memory grows with the IKE messages and the losses and
/// reorderings near them (plus 6 s of ESP packets), not with the capture's length.
/// Exact for packets in time order; complete() says whether the read gave what a query asks.
class IkeEspWindows final
{
public:
    IkeEspWindows();
    ~IkeEspWindows();
    IkeEspWindows(const IkeEspWindows &) = delete;
    IkeEspWindows &operator=(const IkeEspWindows &) = delete;
    /// The next packet of the read; `sa`: its index into tables.espSas (or 0xffffffff: not ESP);
    /// `tables`: the index built so far, of whose IKE messages the first `ikeMessages` had been
    /// made when the read reached this packet (its new ones among them open windows).
    void observe(const PacketRecord &r, std::uint32_t sa, const CaptureIndex &tables,
                 std::size_t ikeMessages);
    /// The next packets in order: records[i] with its SA sas[i], when the first ikeMessagesBefore
    /// + newIkeMessages[i] IKE messages had been made. The same as observe() of each; one call for
    /// a batch spares a call per packet.
    void observe(std::span<const PacketRecord> records, std::span<const std::uint32_t> sas,
                 const CaptureIndex &tables, std::size_t ikeMessagesBefore,
                 std::span<const std::uint32_t> newIkeMessages);
    /// Sequence numbers of SA `sa`'s packets within ±5 s of `tsNs` (the time of a CREATE_CHILD_SA
    /// message), in capture order.
    [[nodiscard]] std::vector<std::uint32_t> sequencesNear(std::int64_t tsNs, std::size_t sa) const;
    /// SA `sa`'s packets later than `tsNs` + 1 s (`tsNs`: the time of an INFORMATIONAL message).
    [[nodiscard]] std::uint64_t packetsLaterThanSecondAfter(std::int64_t tsNs, std::size_t sa) const;
    /// False when a query above was not answered from what the read held (a message whose
    /// window began before the packets kept, packets out of time order): then only the
    /// records can answer.
    [[nodiscard]] bool complete() const;

private:
    struct State;
    std::unique_ptr<State> d;
};

/// `windows`: the ESP packets near IKE messages gathered during the read; nullptr reads them
/// from the index's records.
IkeExchangeAnalysis analyzeIkeExchanges(const CaptureIndex &index, const std::atomic_bool *cancel = nullptr,
                                        const IkeEspWindows *windows = nullptr);

} // namespace ikev2wb
