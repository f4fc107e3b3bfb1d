#pragma once
// ESP overhead: what an ESP suite, the outer IP version, NAT-T and the mode cost in bytes, and
// from that the largest inner packet, the tunnel MTU and the TCP MSS to clamp for a path MTU
// (RFC 4303, RFC 3948, RFC 4106, RFC 7634; the Linux kernel's xfrm_state_mtu). Also the suite
// from a strongSwan proposal string, and an estimate of it from the ESP lengths in a capture.
#include "../index/captureindex.h"
#include "../index/indexbuilder.h"
#include "espsequence.h"

#include <QString>
#include <QStringView>

#include <cstdint>
#include <vector>

namespace ikev2wb {

/// Encryption transform. AEAD ciphers bring their own ICV.
enum class EspCipher : std::uint8_t {
    Unknown,      // not visible: the calculator assumes the worst listed suite
    Null,         // ENCR_NULL (RFC 2410): no IV, 4-byte alignment
    AesCbc,       // RFC 3602: IV 16, block 16
    TripleDesCbc, // RFC 2451: IV 8, block 8
    AesCtr,       // RFC 3686: IV 8, 4-byte alignment
    AesGcm8,      // RFC 4106: IV 8, ICV 8, 4-byte alignment
    AesGcm12,
    AesGcm16,
    ChaCha20Poly1305, // RFC 7634: IV 8, ICV 16, 4-byte alignment
};

/// Integrity transform (none with an AEAD cipher).
enum class EspIntegrity : std::uint8_t {
    None,
    HmacMd5_96,
    HmacSha1_96,
    AesXcbc96,
    HmacSha256_128,
    HmacSha384_192,
    HmacSha512_256,
    // Truncations strongSwan also offers (sha1_160, md5_128, sha256_96) and AES-CMAC-96 (RFC 4494).
    HmacMd5_128,
    HmacSha1_160,
    HmacSha256_96,
    AesCmac96,
};

/// An ESP suite as negotiated (or assumed).
struct EspSuite
{
    EspCipher cipher = EspCipher::Unknown;
    EspIntegrity integrity = EspIntegrity::None;
    int keyBits = 0;  // 128/192/256 for AES, 0 if not stated; does not change the overhead
    bool esn = false; // extended sequence numbers (not sent on the wire: no overhead)
    friend bool operator==(const EspSuite &, const EspSuite &) = default;
};

/// The sizes that matter for the overhead.
struct EspSuiteParams
{
    int ivBytes = 0;
    int icvBytes = 0;
    int blockBytes = 4;   // padding alignment B: (payload + 2) is a multiple of it
    bool assumed = false; // suite unknown: worst case of the listed suites (IV 16, ICV 32, B 16)
};

[[nodiscard]] EspSuiteParams espSuiteParams(const EspSuite &suite);
/// "AES-CBC + HMAC-SHA256-128", "AES-GCM-16", "ChaCha20-Poly1305", "unknown suite" ...
[[nodiscard]] QString espSuiteName(const EspSuite &suite);
/// The suites a user picks from (the ones in DOMAIN.md's table, plus null and unknown).
[[nodiscard]] std::vector<EspSuite> commonEspSuites();

/// Parses the first proposal of a strongSwan `esp_proposals` / `esp=` string, e.g.
/// "aes128gcm16", "aes256gcm16-modp2048", "aes128-sha256", "aes256-sha1-modp2048!",
/// "chacha20poly1305", "aes128-sha256-ecp256-esn". Key exchange and PRF tokens are ignored.
/// Returns cipher Unknown (and *ok = false) if no encryption algorithm is recognised.
[[nodiscard]] EspSuite parseStrongswanEspProposal(QStringView proposal, bool *ok = nullptr);
/// Every suite a strongSwan `esp_proposals` / `esp=` string lets the peers negotiate: each
/// cipher of each comma-separated proposal with each of its integrity algorithms (the responder
/// picks one of them, not necessarily the first). A proposal holding an algorithm this tool does
/// not know the overhead of, or a non-AEAD cipher without a known integrity algorithm, adds the
/// unknown suite (the worst case). Empty (and *ok = false) when no proposal names a cipher.
[[nodiscard]] std::vector<EspSuite> strongswanEspSuites(QStringView proposals, bool *ok = nullptr);

struct OverheadInput
{
    EspSuite suite;
    int pathMtu = 1500;
    bool outerIpv6 = false;
    bool natT = false; // RFC 3948 UDP encapsulation (8 bytes)
    bool tunnelMode = true;
    bool innerIpv6 = false; // tunnel mode only; transport mode keeps the packet's own header
};

/// One line of the breakdown. The items plus `innerMax` add up to the path MTU.
struct OverheadItem
{
    QString name;
    int bytes = 0;
};

struct OverheadResult
{
    bool valid = false;
    QString error; // why there is no result (path MTU too small, ...)
    EspSuiteParams params;
    /// Largest IP packet that still fits unfragmented after encapsulation: the inner packet in
    /// tunnel mode; in transport mode the host's own packet (its IP header is the outer one).
    int innerMax = 0;
    int tunnelMtu = 0;     // MTU to set on the tunnel interface / route (= innerMax)
    int tcpMss = 0;        // MSS to clamp for TCP inside
    int espPayloadMax = 0; // bytes ESP encrypts at most (inner packet, or transport segment)
    int fixedOverhead = 0; // bytes added to every packet, before padding
    int maxPadding = 0;    // padding varies from 0 to this with the packet size
    std::vector<OverheadItem> items;
    QString note; // what the mode or an assumption means for the result
};

/// A = P − outer_ip − udp − 8 − IV − ICV; inner_max = floor(A / B) × B − 2 (DOMAIN.md).
[[nodiscard]] OverheadResult computeEspOverhead(const OverheadInput &input);

/// A suite that fits the observed lengths.
struct SuiteCandidate
{
    EspSuite suite;
    EspSuiteParams params;
    QString name;
};

/// The suite guessed from ESP lengths when the negotiation is encrypted or not captured.
struct OverheadEstimate
{
    bool estimate = true;   // always: inferred, not observed
    bool found = false;     // at least one candidate fits every length
    bool ambiguous = false; // too few distinct lengths, or several ICV sizes fit equally
    int blockBytes = 0;     // of the best candidate
    int icvBytes = 0;
    int ivBytes = 0;
    bool natT = false;
    int innerMaxAt1500 = 0; // best candidate, IPv4 outer, tunnel mode, path MTU 1500
    std::uint64_t lengthsUsed = 0;
    std::uint32_t distinctLengths = 0;
    std::uint32_t lengthGcd = 0;            // GCD of the differences between lengths, 0 if all equal
    std::vector<SuiteCandidate> candidates; // most likely first
    QString sentence; // e.g. "block size 16 and ICV 16 inferred from 1234 ESP lengths; ..."
};

/// `espLengths` are ESP header..ICV lengths. A CBC suite gives 8 + IV + k·B + ICV; AEAD suites
/// 8 + 8 + k·4 + ICV. Lengths below 20 bytes (keepalives, junk) are ignored.
[[nodiscard]] OverheadEstimate estimateSuiteFromEspLengths(const std::vector<std::uint32_t> &espLengths,
                                                           bool natT);
/// The same from the lengths' summary (EspSaSequence::lengths: taken during the analysis).
[[nodiscard]] OverheadEstimate estimateSuiteFromEspLengths(const EspLengthSummary &lengths, bool natT);

/// ESP lengths of one SA from the index's records (outer IP length minus a 20/40-byte IP header
/// and the UDP header; IP fragments skipped). `maxCount` 0 = all. An index without records has
/// none (its analysis has the first EspSaSequence::kSuiteLengths summarised).
[[nodiscard]] std::vector<std::uint32_t> espLengthsForSa(const CaptureIndex &index, std::size_t saIndex,
                                                         std::size_t maxCount = 0);

} // namespace ikev2wb
