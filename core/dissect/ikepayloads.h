#pragma once
// The cleartext payload chain of an IKE message, parsed without keys.
#include "packetfacts.h"

#include <array>
#include <cstdint>

namespace ikev2wb {

/// What can be read of an IKE message's payloads in clear. Fixed-size, no allocation:
/// counts beyond the array sizes are kept, the values are not.
struct IkePayloadSummary
{
    static constexpr int MaxPayloads = 16;
    static constexpr int MaxNotifies = 12;
    static constexpr int MaxDeletedSpis = 8;

    std::array<std::uint8_t, MaxPayloads> payloads{};
    std::uint8_t payloadCount = 0; // payloads parsed (may exceed MaxPayloads)
    std::array<std::uint16_t, MaxNotifies> notifies{};
    std::uint8_t notifyCount = 0;
    std::uint16_t dhGroup = 0;              // KE payload's Diffie-Hellman group
    std::uint16_t invalidKeGroup = 0;       // group a responder asks for in INVALID_KE_PAYLOAD
    std::uint32_t rekeySpi = 0;             // SPI in a REKEY_SA notify (CHILD SA rekey)
    bool hasSk = false;                     // SK payload present (rest is encrypted)
    bool hasSkf = false;                    // SKF payload (RFC 7383 fragment)
    std::uint16_t fragmentNumber = 0;       // SKF fragment number (1-based)
    std::uint16_t totalFragments = 0;       // SKF total fragments
    std::uint8_t encryptedFirstPayload = 0; // SK/SKF next-payload field
    std::uint32_t encryptedLength = 0;      // SK/SKF payload length
    std::uint8_t deleteProtocol = 0;        // 1 IKE, 2 AH, 3 ESP
    std::uint16_t deleteSpiCount = 0;
    std::array<std::uint32_t, MaxDeletedSpis> deletedSpis{};
    std::uint8_t vendorIdCount = 0;
    std::uint8_t proposalCount = 0; // proposals in a cleartext SA payload
    bool v1Encrypted = false;       // IKEv1 message with the encryption flag
    bool truncated = false;         // chain ran past the captured bytes
    const char *warning = nullptr;  // first inconsistency found, or nullptr

    [[nodiscard]] bool hasNotify(std::uint16_t type) const;
    [[nodiscard]] bool hasPayload(std::uint8_t type) const;
    [[nodiscard]] std::uint16_t firstErrorNotify() const;
};

/// Walks the payload chain of the IKE message in `message` (header included). `declaredLength`
/// bounds the walk as well as the captured bytes; a short capture sets `truncated`.
IkePayloadSummary parseIkePayloads(ByteView message, const IkeHeader &header);

/// Parses the 28-byte IKE header; false if there are too few bytes or the version is not 1 or 2.
bool parseIkeHeader(ByteView bytes, IkeHeader &out);

} // namespace ikev2wb
