#include "suitetext.h"

namespace ikev2wb {

/// "AES_CBC-128/HMAC_SHA2_256_128" (swanctl --list-sas) → suite.
std::optional<EspSuite> suiteFromSwanctlProposal(QString p)
{
    p = p.toUpper();
    if (p.startsWith(QLatin1String("ESP:"))) p = p.mid(4);
    EspSuite s;
    if (p.contains(QLatin1String("AES_GCM_16")))
        s.cipher = EspCipher::AesGcm16;
    else if (p.contains(QLatin1String("AES_GCM_12")))
        s.cipher = EspCipher::AesGcm12;
    else if (p.contains(QLatin1String("AES_GCM_8")))
        s.cipher = EspCipher::AesGcm8;
    else if (p.contains(QLatin1String("CHACHA20_POLY1305")))
        s.cipher = EspCipher::ChaCha20Poly1305;
    else if (p.contains(QLatin1String("AES_CBC")))
        s.cipher = EspCipher::AesCbc;
    else if (p.contains(QLatin1String("AES_CTR")))
        s.cipher = EspCipher::AesCtr;
    else if (p.contains(QLatin1String("3DES")))
        s.cipher = EspCipher::TripleDesCbc;
    else
        return std::nullopt;
    if (p.contains(QLatin1String("HMAC_SHA2_512")))
        s.integrity = EspIntegrity::HmacSha512_256;
    else if (p.contains(QLatin1String("HMAC_SHA2_384")))
        s.integrity = EspIntegrity::HmacSha384_192;
    else if (p.contains(QLatin1String("HMAC_SHA2_256")))
        s.integrity = EspIntegrity::HmacSha256_128;
    else if (p.contains(QLatin1String("HMAC_SHA1")))
        s.integrity = EspIntegrity::HmacSha1_96;
    else if (p.contains(QLatin1String("AES_XCBC")))
        s.integrity = EspIntegrity::AesXcbc96;
    else if (p.contains(QLatin1String("HMAC_MD5")))
        s.integrity = EspIntegrity::HmacMd5_96;
    const bool aead = s.cipher == EspCipher::AesGcm16 || s.cipher == EspCipher::AesGcm12 ||
                      s.cipher == EspCipher::AesGcm8 || s.cipher == EspCipher::ChaCha20Poly1305;
    if (!aead && s.integrity == EspIntegrity::None) return std::nullopt;
    return s;
}

/// `ip xfrm state` algorithm lines ("enc cbc(aes)", "auth-trunc hmac(sha256) 128",
/// "aead rfc4106(gcm(aes)) 128") → suite.
std::optional<EspSuite> suiteFromXfrm(const QStringList &algorithms)
{
    EspSuite s;
    bool enc = false;
    for (const QString &a : algorithms) {
        if (a.startsWith(QLatin1String("aead"))) {
            if (a.contains(QLatin1String("chacha20")))
                s.cipher = EspCipher::ChaCha20Poly1305;
            else if (a.contains(QLatin1String("gcm")))
                s.cipher = a.endsWith(QLatin1String(" 64"))   ? EspCipher::AesGcm8
                           : a.endsWith(QLatin1String(" 96")) ? EspCipher::AesGcm12
                                                              : EspCipher::AesGcm16;
            enc = s.cipher != EspCipher::Unknown;
        } else if (a.startsWith(QLatin1String("enc"))) {
            if (a.contains(QLatin1String("cbc(aes)")))
                s.cipher = EspCipher::AesCbc;
            else if (a.contains(QLatin1String("des3")))
                s.cipher = EspCipher::TripleDesCbc;
            else if (a.contains(QLatin1String("ctr(aes)")) || a.contains(QLatin1String("rfc3686")))
                s.cipher = EspCipher::AesCtr;
            else if (a.contains(QLatin1String("ecb(cipher_null)")))
                s.cipher = EspCipher::Null;
            enc = s.cipher != EspCipher::Unknown;
        } else if (a.startsWith(QLatin1String("auth"))) {
            if (a.contains(QLatin1String("sha512")))
                s.integrity = EspIntegrity::HmacSha512_256;
            else if (a.contains(QLatin1String("sha384")))
                s.integrity = EspIntegrity::HmacSha384_192;
            else if (a.contains(QLatin1String("sha256")))
                s.integrity = EspIntegrity::HmacSha256_128;
            else if (a.contains(QLatin1String("sha1")))
                s.integrity = EspIntegrity::HmacSha1_96;
            else if (a.contains(QLatin1String("xcbc")))
                s.integrity = EspIntegrity::AesXcbc96;
            else if (a.contains(QLatin1String("md5")))
                s.integrity = EspIntegrity::HmacMd5_96;
        }
    }
    if (!enc) return std::nullopt;
    return s;
}

} // namespace ikev2wb
