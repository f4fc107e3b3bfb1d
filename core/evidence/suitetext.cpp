#include "suitetext.h"

#include <map>

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
    // The integrity algorithm by its exact name: the suffix is the ICV length (HMAC_SHA1_160 is
    // 20 bytes, HMAC_SHA2_256_96 12), so a name is never matched by its prefix.
    static const std::map<QString, EspIntegrity> integrities{
        {QStringLiteral("HMAC_MD5_96"), EspIntegrity::HmacMd5_96},
        {QStringLiteral("HMAC_MD5_128"), EspIntegrity::HmacMd5_128},
        {QStringLiteral("HMAC_SHA1_96"), EspIntegrity::HmacSha1_96},
        {QStringLiteral("HMAC_SHA1_160"), EspIntegrity::HmacSha1_160},
        {QStringLiteral("HMAC_SHA2_256_96"), EspIntegrity::HmacSha256_96},
        {QStringLiteral("HMAC_SHA2_256_128"), EspIntegrity::HmacSha256_128},
        {QStringLiteral("HMAC_SHA2_384_192"), EspIntegrity::HmacSha384_192},
        {QStringLiteral("HMAC_SHA2_512_256"), EspIntegrity::HmacSha512_256},
        {QStringLiteral("AES_XCBC_96"), EspIntegrity::AesXcbc96},
        {QStringLiteral("AES_CMAC_96"), EspIntegrity::AesCmac96},
    };
    for (const QString &part : p.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        const QString name = part.trimmed();
        if (name.startsWith(QLatin1String("PRF_"))) continue; // the IKE_SA's, not ESP's
        if (const auto it = integrities.find(name); it != integrities.end())
            s.integrity = it->second;
        else if (name.contains(QLatin1String("HMAC")) || name.contains(QLatin1String("XCBC")) ||
                 name.contains(QLatin1String("CMAC")) || name.contains(QLatin1String("GMAC")))
            return std::nullopt; // an integrity algorithm whose ICV length this tool does not know
    }
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
            // "auth-trunc hmac(sha1) 160": the ICV is the truncation length the kernel uses, which
            // is not always the algorithm's usual one (sha1_160, sha256_96, md5_128). A plain
            // "auth" line (no truncation attribute) has the kernel's default for the algorithm
            // (net/xfrm/xfrm_algo.c: 96 bits for hmac(sha256) as well).
            const QStringList w = a.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            const QString alg = w.size() > 1 ? w[1] : QString();
            const bool trunc = w.front() == QLatin1String("auth-trunc");
            bool bitsOk = false;
            const int bits = trunc && w.size() > 2 ? w.back().toInt(&bitsOk) : 0;
            if (trunc && !bitsOk) return std::nullopt;
            static const std::map<std::pair<QString, int>, EspIntegrity> algs{
                {{QStringLiteral("hmac(md5)"), 96}, EspIntegrity::HmacMd5_96},
                {{QStringLiteral("hmac(md5)"), 128}, EspIntegrity::HmacMd5_128},
                {{QStringLiteral("hmac(sha1)"), 96}, EspIntegrity::HmacSha1_96},
                {{QStringLiteral("hmac(sha1)"), 160}, EspIntegrity::HmacSha1_160},
                {{QStringLiteral("hmac(sha256)"), 96}, EspIntegrity::HmacSha256_96},
                {{QStringLiteral("hmac(sha256)"), 128}, EspIntegrity::HmacSha256_128},
                {{QStringLiteral("hmac(sha384)"), 192}, EspIntegrity::HmacSha384_192},
                {{QStringLiteral("hmac(sha512)"), 256}, EspIntegrity::HmacSha512_256},
                {{QStringLiteral("xcbc(aes)"), 96}, EspIntegrity::AesXcbc96},
                {{QStringLiteral("cmac(aes)"), 96}, EspIntegrity::AesCmac96},
            };
            static const std::map<QString, int> defaultBits{
                {QStringLiteral("hmac(md5)"), 96},     {QStringLiteral("hmac(sha1)"), 96},
                {QStringLiteral("hmac(sha256)"), 96},  {QStringLiteral("hmac(sha384)"), 192},
                {QStringLiteral("hmac(sha512)"), 256}, {QStringLiteral("xcbc(aes)"), 96},
                {QStringLiteral("cmac(aes)"), 96},
            };
            int icvBits = bits;
            if (!trunc) {
                const auto d = defaultBits.find(alg);
                if (d == defaultBits.end()) return std::nullopt;
                icvBits = d->second;
            }
            const auto it = algs.find({alg, icvBits});
            if (it == algs.end()) return std::nullopt; // an ICV length this tool does not know
            s.integrity = it->second;
        }
    }
    if (!enc) return std::nullopt;
    return s;
}

} // namespace ikev2wb
