#pragma once
// IKE (RFC 7296, RFC 2408) numbers and their names.
#include <cstdint>
#include <string_view>

namespace ikev2wb::ike {

enum class Exchange : std::uint8_t {
    // IKEv1 (RFC 2408 / 2409)
    V1Base = 1,
    V1IdentityProtection = 2, // Main Mode
    V1AuthOnly = 3,
    V1Aggressive = 4,
    V1Informational = 5,
    V1QuickMode = 32,
    V1NewGroup = 33,
    // IKEv2 (RFC 7296, RFC 9242, RFC 9370)
    IkeSaInit = 34,
    IkeAuth = 35,
    CreateChildSa = 36,
    Informational = 37,
    IkeSessionResume = 38,
    GsaAuth = 39,
    GsaRegistration = 40,
    GsaRekey = 41,
    IkeIntermediate = 43,
    IkeFollowupKe = 44,
};

enum PayloadType : std::uint8_t {
    PayloadNone = 0,
    PayloadSA = 33,
    PayloadKE = 34,
    PayloadIDi = 35,
    PayloadIDr = 36,
    PayloadCERT = 37,
    PayloadCERTREQ = 38,
    PayloadAUTH = 39,
    PayloadNonce = 40,
    PayloadNotify = 41,
    PayloadDelete = 42,
    PayloadVendorID = 43,
    PayloadTSi = 44,
    PayloadTSr = 45,
    PayloadSK = 46,
    PayloadCP = 47,
    PayloadEAP = 48,
    PayloadGSPM = 49,
    PayloadSKF = 53,
};

enum NotifyType : std::uint16_t {
    UnsupportedCriticalPayload = 1,
    InvalidIkeSpi = 4,
    InvalidMajorVersion = 5,
    InvalidSyntax = 7,
    InvalidMessageId = 9,
    InvalidSpi = 11,
    NoProposalChosen = 14,
    InvalidKePayload = 17,
    AuthenticationFailed = 24,
    SinglePairRequired = 34,
    NoAdditionalSas = 35,
    InternalAddressFailure = 36,
    FailedCpRequired = 37,
    TsUnacceptable = 38,
    InvalidSelectors = 39,
    TemporaryFailure = 43,
    ChildSaNotFound = 44,
    InitialContact = 16384,
    NatDetectionSourceIp = 16388,
    NatDetectionDestinationIp = 16389,
    Cookie = 16390,
    UseTransportMode = 16391,
    RekeySa = 16393,
    MobikeSupported = 16396,
    UpdateSaAddresses = 16400,
    Ikev2FragmentationSupported = 16430,
};

/// Flags octet of the IKEv2 header.
inline constexpr std::uint8_t FlagInitiator = 0x08;
inline constexpr std::uint8_t FlagVersion = 0x10;
inline constexpr std::uint8_t FlagResponse = 0x20;

/// "IKE_SA_INIT", "CREATE_CHILD_SA", "v1-MainMode", or "exchange-N" for unknown numbers.
std::string_view exchangeName(std::uint8_t exchange);
/// Short upper-case payload name ("SA", "KE", "N", "SKF", ...); empty for unknown types.
std::string_view payloadName(std::uint8_t type);
/// IANA notify name ("NAT_DETECTION_SOURCE_IP"); empty for unknown types.
std::string_view notifyName(std::uint16_t type);
/// Error notifies are types below 16384 (RFC 7296 §3.10.1).
constexpr bool isErrorNotify(std::uint16_t type)
{
    return type > 0 && type < 16384;
}

} // namespace ikev2wb::ike
