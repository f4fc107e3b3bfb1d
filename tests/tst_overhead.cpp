// ESP overhead calculator, strongSwan proposal parsing and the suite estimator.
// Expected figures: AWS Site-to-Site VPN's published MTU/MSS table (AES-GCM-16 1446/1406,
// 1438 with NAT-T; AES-CBC + SHA1 or SHA2-256 1438, 1422 with NAT-T; MSS = MTU - 40), the
// worked figures in DOMAIN.md, and the other rows computed by hand below from
// A = P - outer_ip - udp - 8 - IV - ICV, inner = floor(A / B) * B - 2.
#include "analyze/espsequence.h"
#include "analyze/overhead.h"
#include "index/indexbuilder.h"

#include <QDirIterator>
#include <QtTest>

#include <algorithm>
#include <numeric>
#include <set>

using namespace ikev2wb;

Q_DECLARE_METATYPE(ikev2wb::EspCipher)
Q_DECLARE_METATYPE(ikev2wb::EspIntegrity)

class tst_overhead : public QObject
{
    Q_OBJECT
private slots:
    void table_data();
    void table();
    void tooSmall();
    void parse_data();
    void parse();
    void everySuiteTheProposalsAllow_data();
    void everySuiteTheProposalsAllow();
    void estimate_data();
    void estimate();
    void estimateEspUdp1();
    void summaryOfTheAnalysisEqualsTheLengths();
    void lengthSummaryEqualsTheDefinition();
};

void tst_overhead::table_data()
{
    QTest::addColumn<EspCipher>("cipher");
    QTest::addColumn<EspIntegrity>("integrity");
    QTest::addColumn<int>("pmtu");
    QTest::addColumn<bool>("outerV6");
    QTest::addColumn<bool>("natT");
    QTest::addColumn<bool>("tunnel");
    QTest::addColumn<bool>("innerV6");
    QTest::addColumn<int>("innerMax");
    QTest::addColumn<int>("mss");

    const auto gcm = EspCipher::AesGcm16;
    const auto cbc = EspCipher::AesCbc;
    const auto none = EspIntegrity::None;
    // AWS published table (IPv4 outer, path MTU 1500).
    QTest::newRow("AWS GCM-16") << gcm << none << 1500 << false << false << true << false << 1446 << 1406;
    QTest::newRow("AWS GCM-16 NAT-T")
        << gcm << none << 1500 << false << true << true << false << 1438 << 1398;
    QTest::newRow("AWS CBC SHA1") << cbc << EspIntegrity::HmacSha1_96 << 1500 << false << false << true
                                  << false << 1438 << 1398;
    QTest::newRow("AWS CBC SHA1 NAT-T")
        << cbc << EspIntegrity::HmacSha1_96 << 1500 << false << true << true << false << 1422 << 1382;
    QTest::newRow("AWS CBC SHA256") << cbc << EspIntegrity::HmacSha256_128 << 1500 << false << false << true
                                    << false << 1438 << 1398;
    QTest::newRow("AWS CBC SHA256 NAT-T")
        << cbc << EspIntegrity::HmacSha256_128 << 1500 << false << true << true << false << 1422 << 1382;
    // DOMAIN.md: ChaCha20-Poly1305 like GCM-16 (IV 8, ICV 16, B 4).
    QTest::newRow("ChaCha") << EspCipher::ChaCha20Poly1305 << none << 1500 << false << false << true << false
                            << 1446 << 1406;
    QTest::newRow("ChaCha NAT-T") << EspCipher::ChaCha20Poly1305 << none << 1500 << false << true << true
                                  << false << 1438 << 1398;
    // By hand, IPv4 outer 1500:
    // GCM-12: A = 1500-20-8-8-12 = 1452 -> 1450; GCM-8: A = 1456 -> 1454.
    QTest::newRow("GCM-12") << EspCipher::AesGcm12 << none << 1500 << false << false << true << false << 1450
                            << 1410;
    QTest::newRow("GCM-8") << EspCipher::AesGcm8 << none << 1500 << false << false << true << false << 1454
                           << 1414;
    // CBC+SHA384: A = 1500-20-8-16-24 = 1432, floor(1432/16)*16 = 1424 -> 1422.
    QTest::newRow("CBC SHA384") << cbc << EspIntegrity::HmacSha384_192 << 1500 << false << false << true
                                << false << 1422 << 1382;
    // CBC+SHA512: A = 1500-20-8-16-32 = 1424 = 89*16 -> 1422.
    QTest::newRow("CBC SHA512") << cbc << EspIntegrity::HmacSha512_256 << 1500 << false << false << true
                                << false << 1422 << 1382;
    // strongSwan's other truncations, ICV = the truncation length (RFC 2404 full SHA1 20, RFC 4868
    // SHA256 at 96 bits 12, MD5 full 16, AES-CMAC-96 12 per RFC 4494), by hand, IPv4 outer 1500:
    // CBC+SHA1-160: A = 1500-20-8-16-20 = 1436, floor(1436/16)*16 = 1424 -> 1422.
    QTest::newRow("CBC SHA1-160") << cbc << EspIntegrity::HmacSha1_160 << 1500 << false << false << true
                                  << false << 1422 << 1382;
    // CBC+SHA256-96: A = 1500-20-8-16-12 = 1444 -> 1440 -> 1438.
    QTest::newRow("CBC SHA256-96") << cbc << EspIntegrity::HmacSha256_96 << 1500 << false << false << true
                                   << false << 1438 << 1398;
    // CBC+MD5-128 at 1400: A = 1400-20-8-16-16 = 1340 -> 1328 -> 1326.
    QTest::newRow("CBC MD5-128") << cbc << EspIntegrity::HmacMd5_128 << 1400 << false << false << true
                                 << false << 1326 << 1286;
    // CBC+AES-CMAC-96 at 1400: A = 1400-20-8-16-12 = 1344 = 84*16 -> 1342.
    QTest::newRow("CBC CMAC") << cbc << EspIntegrity::AesCmac96 << 1400 << false << false << true << false
                              << 1342 << 1302;
    // NULL + SHA256: IV 0, B 4: A = 1500-20-8-0-16 = 1456 -> 1454.
    QTest::newRow("NULL SHA256") << EspCipher::Null << EspIntegrity::HmacSha256_128 << 1500 << false << false
                                 << true << false << 1454 << 1414;
    // Unknown = worst listed (IV 16, ICV 32, B 16) = CBC+SHA512 -> 1422.
    QTest::newRow("unknown") << EspCipher::Unknown << none << 1500 << false << false << true << false << 1422
                             << 1382;
    // By hand, IPv6 outer (40 bytes):
    // GCM-16: A = 1500-40-8-8-16 = 1428 -> 1426; MSS IPv4 inner 1426-40 = 1386.
    QTest::newRow("v6 GCM-16") << gcm << none << 1500 << true << false << true << false << 1426 << 1386;
    // GCM-16 NAT-T: A = 1500-40-8-8-8-16 = 1420 -> 1418; MSS 1378.
    QTest::newRow("v6 GCM-16 NAT-T") << gcm << none << 1500 << true << true << true << false << 1418 << 1378;
    // CBC+SHA256, IPv6 inner: A = 1500-40-8-16-16 = 1420, floor(1420/16)=88 -> 1408-2 = 1406; MSS 1406-60 =
    // 1346.
    QTest::newRow("v6 CBC SHA256 v6 inner")
        << cbc << EspIntegrity::HmacSha256_128 << 1500 << true << false << true << true << 1406 << 1346;
    // CBC+SHA1 NAT-T: A = 1500-40-8-8-16-12 = 1416 -> 88*16 = 1408 -> 1406; MSS 1366.
    QTest::newRow("v6 CBC SHA1 NAT-T")
        << cbc << EspIntegrity::HmacSha1_96 << 1500 << true << true << true << false << 1406 << 1366;
    // Path MTU 1280 (IPv6 minimum), GCM-16, IPv6 inner: A = 1280-40-8-8-16 = 1208 -> 1206; MSS 1146.
    QTest::newRow("v6 1280 GCM-16") << gcm << none << 1280 << true << false << true << true << 1206 << 1146;
    // Transport mode, GCM-16, IPv4: segment + 2 <= 1500-20-8-8-16 = 1448 -> segment 1446; the host's
    // packet keeps its 20-byte header: 1466; MSS = 1446-20 = 1426.
    QTest::newRow("transport GCM-16")
        << gcm << none << 1500 << false << false << false << false << 1466 << 1426;
    // Transport, CBC+SHA256, IPv6: A = 1500-40-8-16-16 = 1420 -> segment 1406, packet 1446, MSS 1386
    // (the inner-IPv6 flag does not matter in transport mode).
    QTest::newRow("transport v6 CBC SHA256")
        << cbc << EspIntegrity::HmacSha256_128 << 1500 << true << false << false << true << 1446 << 1386;
}

void tst_overhead::table()
{
    QFETCH(EspCipher, cipher);
    QFETCH(EspIntegrity, integrity);
    QFETCH(int, pmtu);
    QFETCH(bool, outerV6);
    QFETCH(bool, natT);
    QFETCH(bool, tunnel);
    QFETCH(bool, innerV6);
    QFETCH(int, innerMax);
    QFETCH(int, mss);

    OverheadInput in;
    in.suite = {cipher, integrity, 0, false};
    in.pathMtu = pmtu;
    in.outerIpv6 = outerV6;
    in.natT = natT;
    in.tunnelMode = tunnel;
    in.innerIpv6 = innerV6;
    const OverheadResult r = computeEspOverhead(in);
    QVERIFY2(r.valid, qPrintable(r.error));
    QCOMPARE(r.innerMax, innerMax);
    QCOMPARE(r.tunnelMtu, innerMax);
    QCOMPARE(r.tcpMss, mss);
    // The breakdown accounts for every byte of the path MTU.
    int sum = r.innerMax;
    for (const auto &item : r.items)
        sum += item.bytes;
    QCOMPARE(sum, pmtu);
    QVERIFY(!r.note.isEmpty());
    if (!tunnel) QVERIFY(r.note.contains(QStringLiteral("no IP header")));
}

void tst_overhead::tooSmall()
{
    OverheadInput in;
    in.suite = {EspCipher::AesCbc, EspIntegrity::HmacSha512_256, 256, false};
    in.pathMtu = 80; // A = 80-20-8-16-32 = 4: nothing fits
    const OverheadResult r = computeEspOverhead(in);
    QVERIFY(!r.valid);
    QVERIFY(!r.error.isEmpty());
}

void tst_overhead::parse_data()
{
    QTest::addColumn<QString>("proposal");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<EspCipher>("cipher");
    QTest::addColumn<EspIntegrity>("integrity");
    QTest::addColumn<int>("keyBits");
    QTest::addColumn<bool>("esn");

    QTest::newRow("aes128gcm16") << "aes128gcm16" << true << EspCipher::AesGcm16 << EspIntegrity::None << 128
                                 << false;
    QTest::newRow("aes256gcm16-modp2048")
        << "aes256gcm16-modp2048" << true << EspCipher::AesGcm16 << EspIntegrity::None << 256 << false;
    QTest::newRow("aes128-sha256") << "aes128-sha256" << true << EspCipher::AesCbc
                                   << EspIntegrity::HmacSha256_128 << 128 << false;
    QTest::newRow("aes256-sha1") << "aes256-sha1" << true << EspCipher::AesCbc << EspIntegrity::HmacSha1_96
                                 << 256 << false;
    QTest::newRow("chacha20poly1305")
        << "chacha20poly1305" << true << EspCipher::ChaCha20Poly1305 << EspIntegrity::None << 256 << false;
    QTest::newRow("aes128-sha256-modp2048") << "aes128-sha256-modp2048" << true << EspCipher::AesCbc
                                            << EspIntegrity::HmacSha256_128 << 128 << false;
    QTest::newRow("esn") << "aes256-sha384-ecp384-esn" << true << EspCipher::AesCbc
                         << EspIntegrity::HmacSha384_192 << 256 << true;
    QTest::newRow("gcm8 x25519") << "aes192gcm8-x25519" << true << EspCipher::AesGcm8 << EspIntegrity::None
                                 << 192 << false;
    QTest::newRow("gcm12 bits alias")
        << "aes128gcm96" << true << EspCipher::AesGcm12 << EspIntegrity::None << 128 << false;
    QTest::newRow("plain aes") << "aes-sha512" << true << EspCipher::AesCbc << EspIntegrity::HmacSha512_256
                               << 128 << false;
    QTest::newRow("strict, list") << " AES128-SHA256! , aes256-sha1" << true << EspCipher::AesCbc
                                  << EspIntegrity::HmacSha256_128 << 128 << false;
    QTest::newRow("first algorithm wins") << "aes256gcm16-aes128-sha256-modp3072" << true
                                          << EspCipher::AesGcm16 << EspIntegrity::None << 256 << false;
    QTest::newRow("3des-md5") << "3des-md5" << true << EspCipher::TripleDesCbc << EspIntegrity::HmacMd5_96
                              << 192 << false;
    QTest::newRow("null-sha256") << "null-sha256" << true << EspCipher::Null << EspIntegrity::HmacSha256_128
                                 << 0 << false;
    // strongSwan's truncation keywords (proposal_keywords_static.txt) and AES-CMAC.
    QTest::newRow("sha1_160") << "aes128-sha1_160-modp2048" << true << EspCipher::AesCbc
                              << EspIntegrity::HmacSha1_160 << 128 << false;
    QTest::newRow("sha256_96") << "aes256-sha256_96" << true << EspCipher::AesCbc
                               << EspIntegrity::HmacSha256_96 << 256 << false;
    QTest::newRow("sha2_256_96") << "aes256-sha2_256_96" << true << EspCipher::AesCbc
                                 << EspIntegrity::HmacSha256_96 << 256 << false;
    QTest::newRow("md5_128") << "3des-md5_128" << true << EspCipher::TripleDesCbc << EspIntegrity::HmacMd5_128
                             << 192 << false;
    QTest::newRow("aescmac") << "aes128-aescmac-ecp256" << true << EspCipher::AesCbc
                             << EspIntegrity::AesCmac96 << 128 << false;
    QTest::newRow("no cipher") << "modp2048" << false << EspCipher::Unknown << EspIntegrity::None << 0
                               << false;
    QTest::newRow("empty") << "" << false << EspCipher::Unknown << EspIntegrity::None << 0 << false;
}

void tst_overhead::parse()
{
    QFETCH(QString, proposal);
    QFETCH(bool, ok);
    QFETCH(EspCipher, cipher);
    QFETCH(EspIntegrity, integrity);
    QFETCH(int, keyBits);
    QFETCH(bool, esn);
    bool parsed = !ok;
    const EspSuite s = parseStrongswanEspProposal(proposal, &parsed);
    QCOMPARE(parsed, ok);
    QCOMPARE(s.cipher, cipher);
    QCOMPARE(s.integrity, integrity);
    QCOMPARE(s.keyBits, keyBits);
    QCOMPARE(s.esn, esn);
}

void tst_overhead::everySuiteTheProposalsAllow_data()
{
    QTest::addColumn<QString>("proposals");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QStringList>("suites");   // espSuiteName of each, in order
    QTest::addColumn<int>("worstInnerAt1400"); // IPv4 outer, tunnel mode, computed by hand

    // GCM-16: A = 1400-20-8-8-16 = 1348 -> 1346. CBC+SHA512: A = 1400-20-8-16-32 = 1324 -> 1312 ->
    // 1310. CBC+SHA256: A = 1340 -> 1328 -> 1326. CBC+SHA1: A = 1344 -> 1342.
    QTest::newRow("one") << "aes128gcm16" << true << QStringList{QStringLiteral("AES-GCM-16")} << 1346;
    // The responder may take the second proposal: its overhead counts.
    QTest::newRow("two proposals") << "aes128gcm16-modp2048, aes256-sha512-modp2048" << true
                                   << QStringList{QStringLiteral("AES-GCM-16"),
                                                  QStringLiteral("AES-CBC-256 + HMAC-SHA512-256")}
                                   << 1310;
    // One proposal with several algorithms of a kind: every cipher with every integrity; strongSwan
    // splits the AEAD cipher off (no integrity with it).
    QTest::newRow("mixed proposal") << "aes256gcm16-aes128-sha1-sha256-modp3072" << true
                                    << QStringList{QStringLiteral("AES-GCM-16"),
                                                   QStringLiteral("AES-CBC-128 + HMAC-SHA1-96"),
                                                   QStringLiteral("AES-CBC-128 + HMAC-SHA256-128")}
                                    << 1326;
    // An algorithm this tool has no overhead for: the unknown suite (the worst case) is a candidate.
    QTest::newRow("unknown cipher too")
        << "aes128gcm16-camellia128-sha256" << true
        << QStringList{QStringLiteral("unknown suite"), QStringLiteral("AES-GCM-16")} << 1310;
    // A classic cipher with no integrity this tool knows: its ICV is not known, never 0.
    QTest::newRow("no integrity") << "aes128-modp2048" << true << QStringList{QStringLiteral("unknown suite")}
                                  << 1310;
    QTest::newRow("key exchanges only") << "modp2048, ecp256" << false << QStringList{} << 0;
}

void tst_overhead::everySuiteTheProposalsAllow()
{
    QFETCH(QString, proposals);
    QFETCH(bool, ok);
    QFETCH(QStringList, suites);
    QFETCH(int, worstInnerAt1400);
    bool parsed = !ok;
    const std::vector<EspSuite> got = strongswanEspSuites(proposals, &parsed);
    QCOMPARE(parsed, ok);
    QStringList names;
    int worst = 0;
    for (const EspSuite &s : got) {
        names << espSuiteName(s);
        OverheadInput in;
        in.suite = s;
        in.pathMtu = 1400;
        const OverheadResult r = computeEspOverhead(in);
        QVERIFY(r.valid);
        if (!worst || r.tunnelMtu < worst) worst = r.tunnelMtu;
    }
    QCOMPARE(names, suites);
    QCOMPARE(worst, worstInnerAt1400);
}

void tst_overhead::estimate_data()
{
    QTest::addColumn<QList<uint>>("lengths");
    QTest::addColumn<bool>("found");
    QTest::addColumn<int>("block");
    QTest::addColumn<int>("icv");
    QTest::addColumn<QString>("best");
    QTest::addColumn<bool>("ambiguous");
    QTest::addColumn<QString>("alsoListed"); // a candidate that must be in the list too, or ""

    // AES-CBC + SHA256: 8 + 16 + 16k + 16 = 40 + 16k, k = 1, 3, 6, 87 -> 56, 88, 136, 1432.
    // Residue 8 mod 16 fits ICV 16 (and ICV 32, but 56 - 56 = 0 leaves no block for SHA512).
    QTest::newRow("CBC SHA256") << QList<uint>{56, 88, 136, 1432} << true << 16 << 16
                                << "AES-CBC + HMAC-SHA256-128" << false << "AES-GCM-16";
    // Same suite without the smallest length: SHA512 (8+16+16k+32) fits too -> ambiguous ICV.
    QTest::newRow("CBC SHA256 or SHA512")
        << QList<uint>{88, 136, 1432} << true << 16 << 16 << "AES-CBC + HMAC-SHA256-128" << true
        << "AES-CBC + HMAC-SHA512-256";
    // AES-CBC + SHA1: 36 + 16k, k = 1, 3, 9, 87 -> 52, 84, 180, 1428; GCD of differences 32.
    QTest::newRow("CBC SHA1") << QList<uint>{52, 84, 180, 1428} << true << 16 << 12
                              << "AES-CBC + HMAC-SHA1-96" << false << "3DES-CBC + HMAC-SHA1-96";
    // AES-GCM-16: 8 + 8 + 4k + 16 = 32 + 4k -> 100, 104, 132, 1448; GCD 4 rules out 8 and 16.
    QTest::newRow("GCM-16") << QList<uint>{100, 104, 132, 1448} << true << 4 << 16 << "AES-GCM-16" << true
                            << "ChaCha20-Poly1305";
    // Odd lengths fit no suite (all need a multiple of 4 after the fixed part).
    QTest::newRow("nothing fits") << QList<uint>{45, 47} << false << 0 << 0 << "" << false << "";
    QTest::newRow("no lengths") << QList<uint>{} << false << 0 << 0 << "" << false << "";
    // Keepalive-sized junk (< 20) is ignored: same as the CBC SHA256 row.
    QTest::newRow("junk ignored") << QList<uint>{1, 56, 88, 136, 1432} << true << 16 << 16
                                  << "AES-CBC + HMAC-SHA256-128" << false << "";
}

void tst_overhead::estimate()
{
    QFETCH(QList<uint>, lengths);
    QFETCH(bool, found);
    QFETCH(int, block);
    QFETCH(int, icv);
    QFETCH(QString, best);
    QFETCH(bool, ambiguous);
    QFETCH(QString, alsoListed);

    const std::vector<std::uint32_t> v(lengths.begin(), lengths.end());
    const OverheadEstimate e = estimateSuiteFromEspLengths(v, false);
    QVERIFY(e.estimate);
    QCOMPARE(e.found, found);
    QVERIFY(!e.sentence.isEmpty());
    if (!found) return;
    QCOMPARE(e.blockBytes, block);
    QCOMPARE(e.icvBytes, icv);
    QCOMPARE(e.candidates.front().name, best);
    QCOMPARE(e.ambiguous, ambiguous);
    QVERIFY2(e.sentence.startsWith(
                 QStringLiteral("block size %1 and ICV %2 inferred from %3 ESP lengths; consistent with %4")
                     .arg(block)
                     .arg(icv)
                     .arg(e.lengthsUsed)
                     .arg(best)),
             qPrintable(e.sentence));
    if (!alsoListed.isEmpty()) {
        bool listed = false;
        for (const auto &c : e.candidates)
            listed |= c.name == alsoListed;
        QVERIFY2(listed, qPrintable(alsoListed));
    }
}

void tst_overhead::estimateEspUdp1()
{
    // tcpdump espudp1.pcap: 8 ESP-in-UDP packets of IP length 144 (tshark ip.len), so ESP length
    // 144 - 20 - 8 = 116; the suite is 3DES-CBC + HMAC-96 (esp-secrets.txt): 8 + 8 + 88 + 12.
    // One distinct length cannot tell block sizes apart: the estimate must say so and still
    // list 3DES-CBC + HMAC-SHA1-96 among the candidates.
    const QString path = QFINDTESTDATA("data/captures/tcpdump/tests/espudp1.pcap");
    QVERIFY(!path.isEmpty());
    QString error;
    const auto index = loadCapture(path, &error);
    QVERIFY2(index, qPrintable(error));
    QCOMPARE(index->espSas.size(), std::size_t(1));
    const auto lengths = espLengthsForSa(*index, 0);
    QCOMPARE(lengths, std::vector<std::uint32_t>(8, 116));
    const OverheadEstimate e = estimateSuiteFromEspLengths(lengths, true);
    QVERIFY(e.found);
    QVERIFY(e.ambiguous);
    QCOMPARE(e.distinctLengths, 1u);
    bool des = false;
    for (const auto &c : e.candidates)
        des |= c.suite.cipher == EspCipher::TripleDesCbc;
    QVERIFY(des);
}

/// The sequence analysis summarises each SA's first 20,000 ESP lengths as it goes (what `diagnose`
/// estimates the suite from, with or without records): the estimate from the summary is the one
/// from the lengths listed from the records, for every SA of every committed capture.
void tst_overhead::summaryOfTheAnalysisEqualsTheLengths()
{
    QDirIterator it(QStringLiteral(IKEV2WB_TEST_DATA), {QStringLiteral("*.pcap"), QStringLiteral("*.pcapng")},
                    QDir::Files, QDirIterator::Subdirectories);
    int sas = 0, withLengths = 0;
    while (it.hasNext()) {
        const QString path = it.next();
        QString error;
        const auto index = loadCapture(path, &error);
        if (!index) continue;
        const EspSequenceAnalysis a = analyzeEspSequences(*index);
        QCOMPARE(a.sas.size(), index->espSas.size());
        for (std::size_t i = 0; i < index->espSas.size(); ++i) {
            const auto lengths = espLengthsForSa(*index, i, std::size_t(EspSaSequence::kSuiteLengths));
            const EspLengthSummary &sum = a.sas[i].lengths;
            QCOMPARE(sum.lengths, std::uint64_t(lengths.size()));
            const OverheadEstimate fromList = estimateSuiteFromEspLengths(lengths, false);
            const OverheadEstimate fromSummary = estimateSuiteFromEspLengths(sum, false);
            QVERIFY2(fromList.sentence == fromSummary.sentence, qPrintable(path));
            QCOMPARE(fromSummary.lengthsUsed, fromList.lengthsUsed);
            QCOMPARE(fromSummary.distinctLengths, fromList.distinctLengths);
            QCOMPARE(fromSummary.lengthGcd, fromList.lengthGcd);
            QCOMPARE(fromSummary.candidates.size(), fromList.candidates.size());
            ++sas;
            withLengths += fromList.lengthsUsed > 0;
        }
    }
    QVERIFY2(sas > 20 && withLengths > 20, "too few ESP SAs in the test data to check anything");
}

/// EspLengthSummary::add() against its definition computed here from the whole list: the lengths
/// of 20 bytes or more are "used", `gcd` is the gcd of their differences to the first one,
/// `distinct` the sorted set of the first kMaxDistinct different used lengths. Lists: repeats
/// (the bit found again), short ones, lengths of 2^16 and more (no bit: searched), a gcd that
/// stays above 1 (all 16 apart) and one that falls to 1, and more than kMaxDistinct different
/// lengths in a shuffled order (the ones after the limit must stay out, even when repeated).
void tst_overhead::lengthSummaryEqualsTheDefinition()
{
    std::uint64_t state = 12345;
    const auto next = [&state](std::uint32_t below) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return std::uint32_t((state >> 33) % below);
    };
    std::vector<std::vector<std::uint32_t>> lists;
    lists.push_back({100, 100, 116, 5, 132, 100, 19, 20, 148});                  // gcd 16 (and 20-100)
    lists.push_back({1000, 1016, 1032, 1000, 1048, 1032});                       // gcd stays 16
    lists.push_back({70000, 65536, 65535, 70000, 64, 65536, 200000, 65535, 64}); // 2^16 and more
    std::vector<std::uint32_t> many;
    for (std::uint32_t k = 0; k < 6000; ++k)
        many.push_back(20 + k);
    for (std::size_t k = many.size(); k > 1; --k)
        std::swap(many[k - 1], many[next(std::uint32_t(k))]);
    for (std::uint32_t k = 0; k < 3000; ++k)
        many.push_back(many[next(6000)]); // repeats of lengths both inside and beyond the limit
    lists.push_back(many);
    std::vector<std::uint32_t> random;
    for (int k = 0; k < 20000; ++k)
        random.push_back(next(3) == 0 ? 16 * next(100) : next(1600));
    lists.push_back(random);

    for (const auto &list : lists) {
        EspLengthSummary sum;
        for (std::uint32_t len : list)
            sum.add(len);
        std::vector<std::uint32_t> used;
        for (std::uint32_t len : list)
            if (len >= 20) used.push_back(len);
        QCOMPARE(sum.lengths, std::uint64_t(list.size()));
        QCOMPARE(sum.used, std::uint64_t(used.size()));
        QCOMPARE(sum.first, used.front());
        QCOMPARE(sum.minLen, *std::min_element(used.begin(), used.end()));
        std::uint32_t gcd = 0;
        for (std::uint32_t len : used)
            gcd = std::gcd(gcd, len > used.front() ? len - used.front() : used.front() - len);
        QCOMPARE(sum.gcd, gcd);
        std::vector<std::uint32_t> firstDistinct;
        std::set<std::uint32_t> seen;
        for (std::uint32_t len : used)
            if (seen.insert(len).second && firstDistinct.size() < EspLengthSummary::kMaxDistinct)
                firstDistinct.push_back(len);
        std::sort(firstDistinct.begin(), firstDistinct.end());
        QCOMPARE(sum.distinct, firstDistinct);
    }
}

QTEST_APPLESS_MAIN(tst_overhead)
#include "tst_overhead.moc"
