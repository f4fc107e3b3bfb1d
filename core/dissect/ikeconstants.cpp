#include "ikeconstants.h"

namespace ikev2wb::ike {

std::string_view exchangeName(std::uint8_t exchange)
{
    switch (exchange) {
    case 1: return "v1-Base";
    case 2: return "v1-MainMode";
    case 3: return "v1-AuthOnly";
    case 4: return "v1-Aggressive";
    case 5: return "v1-Informational";
    case 32: return "v1-QuickMode";
    case 33: return "v1-NewGroup";
    case 34: return "IKE_SA_INIT";
    case 35: return "IKE_AUTH";
    case 36: return "CREATE_CHILD_SA";
    case 37: return "INFORMATIONAL";
    case 38: return "IKE_SESSION_RESUME";
    case 39: return "GSA_AUTH";
    case 40: return "GSA_REGISTRATION";
    case 41: return "GSA_REKEY";
    case 43: return "IKE_INTERMEDIATE";
    case 44: return "IKE_FOLLOWUP_KE";
    default: return {};
    }
}

std::string_view payloadName(std::uint8_t type)
{
    switch (type) {
    case 33: return "SA";
    case 34: return "KE";
    case 35: return "IDi";
    case 36: return "IDr";
    case 37: return "CERT";
    case 38: return "CERTREQ";
    case 39: return "AUTH";
    case 40: return "No";
    case 41: return "N";
    case 42: return "D";
    case 43: return "V";
    case 44: return "TSi";
    case 45: return "TSr";
    case 46: return "SK";
    case 47: return "CP";
    case 48: return "EAP";
    case 49: return "GSPM";
    case 53: return "SKF";
    default: return {};
    }
}

std::string_view notifyName(std::uint16_t type)
{
    switch (type) {
    case 1: return "UNSUPPORTED_CRITICAL_PAYLOAD";
    case 4: return "INVALID_IKE_SPI";
    case 5: return "INVALID_MAJOR_VERSION";
    case 7: return "INVALID_SYNTAX";
    case 9: return "INVALID_MESSAGE_ID";
    case 11: return "INVALID_SPI";
    case 14: return "NO_PROPOSAL_CHOSEN";
    case 17: return "INVALID_KE_PAYLOAD";
    case 24: return "AUTHENTICATION_FAILED";
    case 34: return "SINGLE_PAIR_REQUIRED";
    case 35: return "NO_ADDITIONAL_SAS";
    case 36: return "INTERNAL_ADDRESS_FAILURE";
    case 37: return "FAILED_CP_REQUIRED";
    case 38: return "TS_UNACCEPTABLE";
    case 39: return "INVALID_SELECTORS";
    case 40: return "UNACCEPTABLE_ADDRESSES";
    case 41: return "UNEXPECTED_NAT_DETECTED";
    case 42: return "USE_ASSIGNED_HoA";
    case 43: return "TEMPORARY_FAILURE";
    case 44: return "CHILD_SA_NOT_FOUND";
    case 45: return "INVALID_GROUP_ID";
    case 46: return "AUTHORIZATION_FAILED";
    case 47: return "STATE_NOT_FOUND";
    case 16384: return "INITIAL_CONTACT";
    case 16385: return "SET_WINDOW_SIZE";
    case 16386: return "ADDITIONAL_TS_POSSIBLE";
    case 16387: return "IPCOMP_SUPPORTED";
    case 16388: return "NAT_DETECTION_SOURCE_IP";
    case 16389: return "NAT_DETECTION_DESTINATION_IP";
    case 16390: return "COOKIE";
    case 16391: return "USE_TRANSPORT_MODE";
    case 16392: return "HTTP_CERT_LOOKUP_SUPPORTED";
    case 16393: return "REKEY_SA";
    case 16394: return "ESP_TFC_PADDING_NOT_SUPPORTED";
    case 16395: return "NON_FIRST_FRAGMENTS_ALSO";
    case 16396: return "MOBIKE_SUPPORTED";
    case 16397: return "ADDITIONAL_IP4_ADDRESS";
    case 16398: return "ADDITIONAL_IP6_ADDRESS";
    case 16399: return "NO_ADDITIONAL_ADDRESSES";
    case 16400: return "UPDATE_SA_ADDRESSES";
    case 16401: return "COOKIE2";
    case 16402: return "NO_NATS_ALLOWED";
    case 16403: return "AUTH_LIFETIME";
    case 16404: return "MULTIPLE_AUTH_SUPPORTED";
    case 16405: return "ANOTHER_AUTH_FOLLOWS";
    case 16406: return "REDIRECT_SUPPORTED";
    case 16407: return "REDIRECT";
    case 16408: return "REDIRECTED_FROM";
    case 16409: return "TICKET_LT_OPAQUE";
    case 16410: return "TICKET_REQUEST";
    case 16411: return "TICKET_ACK";
    case 16412: return "TICKET_NACK";
    case 16413: return "TICKET_OPAQUE";
    case 16414: return "LINK_ID";
    case 16415: return "USE_WESP_MODE";
    case 16416: return "ROHC_SUPPORTED";
    case 16417: return "EAP_ONLY_AUTHENTICATION";
    case 16418: return "CHILDLESS_IKEV2_SUPPORTED";
    case 16419: return "QUICK_CRASH_DETECTION";
    case 16420: return "IKEV2_MESSAGE_ID_SYNC_SUPPORTED";
    case 16421: return "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED";
    case 16422: return "IKEV2_MESSAGE_ID_SYNC";
    case 16423: return "IPSEC_REPLAY_COUNTER_SYNC";
    case 16424: return "SECURE_PASSWORD_METHODS";
    case 16425: return "PSK_PERSIST";
    case 16426: return "PSK_CONFIRM";
    case 16427: return "ERX_SUPPORTED";
    case 16428: return "IFOM_CAPABILITY";
    case 16429: return "SENDER_REQUEST_ID";
    case 16430: return "IKEV2_FRAGMENTATION_SUPPORTED";
    case 16431: return "SIGNATURE_HASH_ALGORITHMS";
    case 16432: return "CLONE_IKE_SA_SUPPORTED";
    case 16433: return "CLONE_IKE_SA";
    case 16434: return "PUZZLE";
    case 16435: return "USE_PPK";
    case 16436: return "PPK_IDENTITY";
    case 16437: return "NO_PPK_AUTH";
    case 16438: return "INTERMEDIATE_EXCHANGE_SUPPORTED";
    case 16439: return "IP4_ALLOWED";
    case 16440: return "IP6_ALLOWED";
    case 16441: return "ADDITIONAL_KEY_EXCHANGE";
    case 16442: return "USE_AGGFRAG";
    default: return {};
    }
}

} // namespace ikev2wb::ike
