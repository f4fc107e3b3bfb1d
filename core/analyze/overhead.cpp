#include "overhead.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <unordered_set>

namespace ikev2wb {

namespace {

constexpr int kEspHeader = 8; // SPI + sequence number
constexpr int kTrailer = 2;   // pad length + next header
constexpr int kUdp = 8;

int icvOf(EspIntegrity i)
{
    switch (i) {
    case EspIntegrity::None:
        return 0;
    case EspIntegrity::HmacMd5_96:
    case EspIntegrity::HmacSha1_96:
    case EspIntegrity::AesXcbc96:
    case EspIntegrity::HmacSha256_96:
    case EspIntegrity::AesCmac96:
        return 12;
    case EspIntegrity::HmacSha256_128:
    case EspIntegrity::HmacMd5_128:
        return 16;
    case EspIntegrity::HmacSha1_160:
        return 20;
    case EspIntegrity::HmacSha384_192:
        return 24;
    case EspIntegrity::HmacSha512_256:
        return 32;
    }
    return 0;
}

QString integrityName(EspIntegrity i)
{
    switch (i) {
    case EspIntegrity::None:
        return {};
    case EspIntegrity::HmacMd5_96:
        return QStringLiteral("HMAC-MD5-96");
    case EspIntegrity::HmacSha1_96:
        return QStringLiteral("HMAC-SHA1-96");
    case EspIntegrity::AesXcbc96:
        return QStringLiteral("AES-XCBC-96");
    case EspIntegrity::HmacSha256_128:
        return QStringLiteral("HMAC-SHA256-128");
    case EspIntegrity::HmacSha384_192:
        return QStringLiteral("HMAC-SHA384-192");
    case EspIntegrity::HmacSha512_256:
        return QStringLiteral("HMAC-SHA512-256");
    case EspIntegrity::HmacMd5_128:
        return QStringLiteral("HMAC-MD5-128");
    case EspIntegrity::HmacSha1_160:
        return QStringLiteral("HMAC-SHA1-160");
    case EspIntegrity::HmacSha256_96:
        return QStringLiteral("HMAC-SHA256-96");
    case EspIntegrity::AesCmac96:
        return QStringLiteral("AES-CMAC-96");
    }
    return {};
}

bool isAead(EspCipher c)
{
    return c == EspCipher::AesGcm8 || c == EspCipher::AesGcm12 || c == EspCipher::AesGcm16 ||
           c == EspCipher::ChaCha20Poly1305;
}

} // namespace

EspSuiteParams espSuiteParams(const EspSuite &suite)
{
    EspSuiteParams p;
    switch (suite.cipher) {
    case EspCipher::Unknown:
        // The largest overhead of the listed suites (AES-CBC + HMAC-SHA512-256): a safe bound.
        return {16, 32, 16, true};
    case EspCipher::Null:
        p = {0, 0, 4, false};
        break;
    case EspCipher::AesCbc:
        p = {16, 0, 16, false};
        break;
    case EspCipher::TripleDesCbc:
        p = {8, 0, 8, false};
        break;
    case EspCipher::AesCtr:
        p = {8, 0, 4, false};
        break;
    case EspCipher::AesGcm8:
        return {8, 8, 4, false};
    case EspCipher::AesGcm12:
        return {8, 12, 4, false};
    case EspCipher::AesGcm16:
        return {8, 16, 4, false};
    case EspCipher::ChaCha20Poly1305:
        return {8, 16, 4, false};
    }
    p.icvBytes = icvOf(suite.integrity);
    return p;
}

QString espSuiteName(const EspSuite &suite)
{
    QString c;
    switch (suite.cipher) {
    case EspCipher::Unknown:
        return QStringLiteral("unknown suite");
    case EspCipher::Null:
        c = QStringLiteral("NULL");
        break;
    case EspCipher::AesCbc:
        c = suite.keyBits ? QStringLiteral("AES-CBC-%1").arg(suite.keyBits) : QStringLiteral("AES-CBC");
        break;
    case EspCipher::TripleDesCbc:
        c = QStringLiteral("3DES-CBC");
        break;
    case EspCipher::AesCtr:
        c = suite.keyBits ? QStringLiteral("AES-CTR-%1").arg(suite.keyBits) : QStringLiteral("AES-CTR");
        break;
    case EspCipher::AesGcm8:
        c = QStringLiteral("AES-GCM-8");
        break;
    case EspCipher::AesGcm12:
        c = QStringLiteral("AES-GCM-12");
        break;
    case EspCipher::AesGcm16:
        c = QStringLiteral("AES-GCM-16");
        break;
    case EspCipher::ChaCha20Poly1305:
        c = QStringLiteral("ChaCha20-Poly1305");
        break;
    }
    if (isAead(suite.cipher) || suite.integrity == EspIntegrity::None) return c;
    return c + QStringLiteral(" + ") + integrityName(suite.integrity);
}

std::vector<EspSuite> commonEspSuites()
{
    return {
        {EspCipher::AesGcm16, EspIntegrity::None, 0, false},
        {EspCipher::AesGcm12, EspIntegrity::None, 0, false},
        {EspCipher::AesGcm8, EspIntegrity::None, 0, false},
        {EspCipher::ChaCha20Poly1305, EspIntegrity::None, 0, false},
        {EspCipher::AesCbc, EspIntegrity::HmacSha1_96, 0, false},
        {EspCipher::AesCbc, EspIntegrity::HmacSha256_128, 0, false},
        {EspCipher::AesCbc, EspIntegrity::HmacSha384_192, 0, false},
        {EspCipher::AesCbc, EspIntegrity::HmacSha512_256, 0, false},
        {EspCipher::Null, EspIntegrity::HmacSha256_128, 0, false},
        {EspCipher::Unknown, EspIntegrity::None, 0, false},
    };
}

namespace {

/// The algorithms of one strongSwan proposal ("aes128-aes256-sha256-sha1-modp2048!"), in order.
struct ProposalAlgorithms
{
    std::vector<EspSuite> ciphers; // cipher and key size only
    std::vector<EspIntegrity> integrities;
    bool esn = false;
    bool unknown = false; // a token that is neither a known ESP algorithm nor a key exchange
};

std::optional<EspIntegrity> integrityKeyword(const QString &tok)
{
    static const std::map<QString, EspIntegrity> words{
        {QStringLiteral("md5"), EspIntegrity::HmacMd5_96},
        {QStringLiteral("md5_128"), EspIntegrity::HmacMd5_128},
        {QStringLiteral("sha"), EspIntegrity::HmacSha1_96},
        {QStringLiteral("sha1"), EspIntegrity::HmacSha1_96},
        {QStringLiteral("sha1_160"), EspIntegrity::HmacSha1_160},
        {QStringLiteral("sha256"), EspIntegrity::HmacSha256_128},
        {QStringLiteral("sha2_256"), EspIntegrity::HmacSha256_128},
        {QStringLiteral("sha256_96"), EspIntegrity::HmacSha256_96},
        {QStringLiteral("sha2_256_96"), EspIntegrity::HmacSha256_96},
        {QStringLiteral("sha384"), EspIntegrity::HmacSha384_192},
        {QStringLiteral("sha2_384"), EspIntegrity::HmacSha384_192},
        {QStringLiteral("sha512"), EspIntegrity::HmacSha512_256},
        {QStringLiteral("sha2_512"), EspIntegrity::HmacSha512_256},
        {QStringLiteral("aesxcbc"), EspIntegrity::AesXcbc96},
        {QStringLiteral("aescmac"), EspIntegrity::AesCmac96},
    };
    const auto it = words.find(tok);
    if (it == words.end()) return std::nullopt;
    return it->second;
}

std::optional<EspSuite> cipherKeyword(const QString &tok)
{
    EspSuite s;
    if (tok == QLatin1String("chacha20poly1305"))
        return EspSuite{EspCipher::ChaCha20Poly1305, {}, 256, false};
    if (tok == QLatin1String("3des")) return EspSuite{EspCipher::TripleDesCbc, {}, 192, false};
    if (tok == QLatin1String("null")) return EspSuite{EspCipher::Null, {}, 0, false};
    if (!tok.startsWith(QLatin1String("aes")) || integrityKeyword(tok)) return std::nullopt;
    // AES key size prefix: aes128..., aes192..., aes256..., plain "aes" = 128
    QString rest = tok.mid(3);
    s.keyBits = 128;
    for (const int b : {128, 192, 256}) {
        if (rest.startsWith(QString::number(b))) {
            s.keyBits = b;
            rest = rest.mid(3);
            break;
        }
    }
    if (rest.isEmpty() || rest == QLatin1String("cbc"))
        s.cipher = EspCipher::AesCbc;
    else if (rest == QLatin1String("gcm16") || rest == QLatin1String("gcm128") ||
             rest == QLatin1String("gcm"))
        s.cipher = EspCipher::AesGcm16;
    else if (rest == QLatin1String("gcm12") || rest == QLatin1String("gcm96"))
        s.cipher = EspCipher::AesGcm12;
    else if (rest == QLatin1String("gcm8") || rest == QLatin1String("gcm64"))
        s.cipher = EspCipher::AesGcm8;
    else if (rest == QLatin1String("ctr"))
        s.cipher = EspCipher::AesCtr;
    else
        return std::nullopt; // CCM, GMAC, ...: not in the table
    return s;
}

/// Key exchange tokens (no effect on the ESP overhead).
bool keyExchangeKeyword(const QString &tok)
{
    static const QRegularExpression ke(
        QStringLiteral("^(ke[1-7]_)?(modp|ecp|curve|x25519|x448|ntru|newhope|mlkem|frodo|bike|hqc)"));
    return tok == QLatin1String("noesn") || ke.match(tok).hasMatch();
}

ProposalAlgorithms proposalAlgorithms(QStringView proposal)
{
    ProposalAlgorithms p;
    QString text = proposal.trimmed().toString().toLower();
    text.remove(QLatin1Char('!'));
    for (const QString &tok : text.split(QLatin1Char('-'), Qt::SkipEmptyParts)) {
        if (const auto c = cipherKeyword(tok))
            p.ciphers.push_back(*c);
        else if (const auto i = integrityKeyword(tok))
            p.integrities.push_back(*i);
        else if (tok == QLatin1String("esn"))
            p.esn = true;
        else if (!keyExchangeKeyword(tok))
            p.unknown = true;
    }
    return p;
}

} // namespace

EspSuite parseStrongswanEspProposal(QStringView proposal, bool *ok)
{
    // First proposal only; "!" (strict, ipsec.conf) and whitespace do not matter here.
    // A proposal may list several algorithms of a kind; the first is the preferred one.
    const qsizetype comma = proposal.indexOf(QLatin1Char(','));
    const ProposalAlgorithms p = proposalAlgorithms(comma >= 0 ? proposal.left(comma) : proposal);
    EspSuite s;
    if (!p.ciphers.empty()) {
        s = p.ciphers.front();
        if (!p.integrities.empty()) s.integrity = p.integrities.front();
        s.esn = p.esn;
    }
    if (isAead(s.cipher)) s.integrity = EspIntegrity::None;
    if (ok) *ok = !p.ciphers.empty();
    return s;
}

std::vector<EspSuite> strongswanEspSuites(QStringView proposals, bool *ok)
{
    std::vector<EspSuite> out;
    const auto add = [&out](const EspSuite &s) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    };
    bool anyCipher = false;
    for (const QStringView one : proposals.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const ProposalAlgorithms p = proposalAlgorithms(one);
        anyCipher = anyCipher || !p.ciphers.empty();
        if (p.ciphers.empty()) continue;
        if (p.unknown) add(EspSuite{});
        // strongSwan splits a proposal mixing AEAD and classic ciphers: an AEAD cipher goes
        // without integrity, a classic one with each integrity algorithm listed.
        for (EspSuite c : p.ciphers) {
            c.esn = p.esn;
            if (isAead(c.cipher)) {
                add(c);
            } else if (p.integrities.empty()) {
                add(EspSuite{}); // no integrity this tool knows: its ICV is not known
            } else {
                for (const EspIntegrity i : p.integrities) {
                    c.integrity = i;
                    add(c);
                }
            }
        }
    }
    if (ok) *ok = anyCipher;
    if (!anyCipher) out.clear();
    return out;
}

OverheadResult computeEspOverhead(const OverheadInput &in)
{
    OverheadResult r;
    r.params = espSuiteParams(in.suite);
    const EspSuiteParams &p = r.params;
    const int outerIp = in.outerIpv6 ? 40 : 20;
    const int udp = in.natT ? kUdp : 0;
    const int a = in.pathMtu - outerIp - udp - kEspHeader - p.ivBytes - p.icvBytes;
    const int aligned = a > 0 ? (a / p.blockBytes) * p.blockBytes : 0;
    r.espPayloadMax = aligned - kTrailer;
    r.fixedOverhead = outerIp + udp + kEspHeader + p.ivBytes + kTrailer + p.icvBytes;
    r.maxPadding = p.blockBytes - 1;

    const int innerIp = in.tunnelMode ? (in.innerIpv6 ? 40 : 20) : outerIp;
    if (in.tunnelMode) {
        r.innerMax = r.espPayloadMax;
    } else {
        // Transport mode adds no IP header: ESP carries the segment, the packet keeps its own header.
        r.innerMax = r.espPayloadMax + outerIp;
    }
    r.tunnelMtu = r.innerMax;
    r.tcpMss = r.innerMax - innerIp - 20;
    if (r.espPayloadMax <= innerIp || r.tcpMss <= 0) {
        r.error =
            QStringLiteral("path MTU %1 leaves no room for a packet with this ESP overhead").arg(in.pathMtu);
        return r;
    }
    r.valid = true;

    const QString ipName = in.outerIpv6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4");
    if (in.tunnelMode) r.items.push_back({QStringLiteral("outer %1 header").arg(ipName), outerIp});
    if (in.natT) r.items.push_back({QStringLiteral("UDP header (NAT-T, RFC 3948)"), udp});
    r.items.push_back({QStringLiteral("ESP header (SPI, sequence number)"), kEspHeader});
    if (p.ivBytes) r.items.push_back({QStringLiteral("IV"), p.ivBytes});
    r.items.push_back({QStringLiteral("pad length + next header"), kTrailer});
    if (p.icvBytes) r.items.push_back({QStringLiteral("ICV"), p.icvBytes});
    // Bytes of the path MTU that block alignment leaves unusable at the largest size.
    r.items.push_back({QStringLiteral("unusable (block alignment to %1)").arg(p.blockBytes), a - aligned});

    QStringList notes;
    if (in.tunnelMode) {
        notes << QStringLiteral(
                     "Tunnel mode: the inner %1 packet (its own %2-byte header included) is encrypted whole; "
                     "MSS = inner MTU − %3.")
                     .arg(in.innerIpv6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4"))
                     .arg(innerIp)
                     .arg(innerIp + 20);
    } else {
        notes
            << QStringLiteral(
                   "Transport mode adds no IP header: ESP protects the TCP/UDP segment and the packet keeps "
                   "its own %1 header, so the largest packet is the segment plus that header and the inner "
                   "IP version is the outer one.")
                   .arg(ipName);
    }
    notes << QStringLiteral("Padding adds 0–%1 bytes depending on the packet size.").arg(r.maxPadding);
    if (p.assumed)
        notes << QStringLiteral(
            "Suite unknown: assumed the largest overhead of the common suites (IV 16, ICV 32, block 16).");
    if (in.outerIpv6 && in.pathMtu < 1280)
        notes << QStringLiteral("IPv6 requires links of at least 1280 bytes.");
    r.note = notes.join(QLatin1Char(' '));
    return r;
}

namespace {

struct Family
{
    EspSuite suite;
    int rank; // lower = more common, preferred when several fit
};

std::vector<Family> estimationFamilies()
{
    return {
        {{EspCipher::AesCbc, EspIntegrity::HmacSha256_128, 0, false}, 0},
        {{EspCipher::AesCbc, EspIntegrity::HmacSha1_96, 0, false}, 1},
        {{EspCipher::AesCbc, EspIntegrity::HmacSha384_192, 0, false}, 3},
        {{EspCipher::AesCbc, EspIntegrity::HmacSha512_256, 0, false}, 2},
        {{EspCipher::TripleDesCbc, EspIntegrity::HmacSha1_96, 0, false}, 4},
        {{EspCipher::TripleDesCbc, EspIntegrity::HmacMd5_96, 0, false}, 5},
        {{EspCipher::AesGcm16, EspIntegrity::None, 0, false}, 0},
        {{EspCipher::ChaCha20Poly1305, EspIntegrity::None, 0, false}, 1},
        {{EspCipher::AesGcm12, EspIntegrity::None, 0, false}, 2},
        {{EspCipher::AesGcm8, EspIntegrity::None, 0, false}, 3},
    };
}

} // namespace

OverheadEstimate estimateSuiteFromEspLengths(const std::vector<std::uint32_t> &espLengths, bool natT)
{
    EspLengthSummary summary;
    for (std::uint32_t len : espLengths)
        summary.add(len);
    return estimateSuiteFromEspLengths(summary, natT);
}

OverheadEstimate estimateSuiteFromEspLengths(const EspLengthSummary &lengths, bool natT)
{
    OverheadEstimate e;
    e.natT = natT;
    const std::uint32_t first = lengths.first, minLen = lengths.minLen, g = lengths.gcd;
    e.lengthsUsed = lengths.used;
    e.distinctLengths = static_cast<std::uint32_t>(lengths.distinct.size());
    e.lengthGcd = g;
    if (e.lengthsUsed == 0) {
        e.sentence = QStringLiteral("no ESP lengths to estimate the suite from");
        return e;
    }

    struct Fit
    {
        SuiteCandidate c;
        int rank;
    };
    std::vector<Fit> fits;
    for (const Family &f : estimationFamilies()) {
        const EspSuiteParams p = espSuiteParams(f.suite);
        const int fixed = kEspHeader + p.ivBytes + p.icvBytes;
        // Every length must leave a positive multiple of B for payload + padding + trailer; all
        // lengths share first's residue when the GCD of their differences is a multiple of B.
        if (int(minLen) - fixed < p.blockBytes) continue;
        if ((int(first) - fixed) % p.blockBytes != 0 || (g % std::uint32_t(p.blockBytes)) != 0) continue;
        fits.push_back({{f.suite, p, espSuiteName(f.suite)}, f.rank});
    }
    // Larger blocks first: a 16-byte pattern across many lengths is unlikely by chance.
    std::stable_sort(fits.begin(), fits.end(), [](const Fit &x, const Fit &y) {
        if (x.c.params.blockBytes != y.c.params.blockBytes)
            return x.c.params.blockBytes > y.c.params.blockBytes;
        return x.rank < y.rank;
    });
    for (const Fit &f : fits)
        e.candidates.push_back(f.c);
    if (e.candidates.empty()) {
        e.sentence = QStringLiteral("no known ESP suite fits all %1 ESP lengths (GCD of differences %2)")
                         .arg(e.lengthsUsed)
                         .arg(g);
        return e;
    }
    e.found = true;
    const SuiteCandidate &best = e.candidates.front();
    e.blockBytes = best.params.blockBytes;
    e.icvBytes = best.params.icvBytes;
    e.ivBytes = best.params.ivBytes;
    OverheadInput in;
    in.suite = best.suite;
    in.natT = natT;
    e.innerMaxAt1500 = computeEspOverhead(in).innerMax;

    QStringList same, other;
    bool otherIcv = false;
    for (std::size_t i = 1; i < e.candidates.size(); ++i) {
        const SuiteCandidate &c = e.candidates[i];
        if (c.params.blockBytes == best.params.blockBytes) {
            same << c.name;
            otherIcv |= c.params.icvBytes != best.params.icvBytes;
        } else {
            other << c.name;
        }
    }
    // Two distinct lengths fit a 16-byte block by chance one time in four for a 4-byte suite.
    e.ambiguous = e.distinctLengths < 3 || otherIcv;
    e.sentence = QStringLiteral("block size %1 and ICV %2 inferred from %3 ESP lengths; consistent with %4")
                     .arg(e.blockBytes)
                     .arg(e.icvBytes)
                     .arg(e.lengthsUsed)
                     .arg(best.name);
    if (!same.isEmpty())
        e.sentence += QStringLiteral(" (also fits: %1)").arg(same.join(QStringLiteral(", ")));
    if (e.distinctLengths < 3)
        e.sentence +=
            QStringLiteral("; only %1 distinct length(s), so %2 fit too")
                .arg(e.distinctLengths)
                .arg(other.isEmpty() ? QStringLiteral("other suites may") : other.join(QStringLiteral(", ")));
    return e;
}

std::vector<std::uint32_t> espLengthsForSa(const CaptureIndex &index, std::size_t saIndex,
                                           std::size_t maxCount)
{
    std::vector<std::uint32_t> out;
    if (saIndex >= index.espSas.size()) return out;
    const EspSa &sa = index.espSas[saIndex];
    out.reserve(maxCount ? std::min<std::uint64_t>(maxCount, sa.packets) : sa.packets);
    revisitRecords(index, [&](const PacketRecord &r, std::uint32_t) {
        if (!r.isEsp() || r.spi() != sa.spi || r.flowId != sa.flowId || (r.flags & FlagFragment)) return true;
        const std::uint32_t hdr =
            ((r.flags & FlagIpv6) ? 40u : 20u) + (r.kind == PacketKind::EspInUdp ? 8u : 0u);
        if (r.ipLength > hdr) out.push_back(r.ipLength - hdr);
        return !(maxCount && out.size() >= maxCount);
    });
    return out;
}

} // namespace ikev2wb
