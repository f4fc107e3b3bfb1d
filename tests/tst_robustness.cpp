// Malformed and fuzzed captures (tcpdump's regression files for past crashes and over-reads)
// and a fixed-seed mutation loop over real frames. Run under ASan/UBSan in the "asan" build:
// the point is that nothing crashes and that real damage is reported as a warning.
#include "capture/capturereader.h"
#include "dissect/dissector.h"
#include "dissect/ikepayloads.h"
#include "index/indexbuilder.h"
#include "report/capturesummary.h"
#include "report/jsonwriter.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <pcap/dlt.h>

#include <cstring>
#include <random>
#include <vector>

using namespace ikev2wb;

namespace {

QString dataPath(const QString &rel)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/captures/") + rel;
}

struct Frame
{
    int linkType = 0;
    std::uint32_t originalLength = 0;
    std::vector<std::uint8_t> bytes;
};

std::vector<Frame> framesOf(const QString &rel)
{
    std::vector<Frame> out;
    QString error;
    auto reader = CaptureReader::open(dataPath(rel), &error);
    if (!reader) return out;
    const int dlt = reader->info().linkType;
    reader->read([&](const RawPacket &p) {
        out.push_back({dlt, p.originalLength, std::vector<std::uint8_t>(p.data, p.data + p.capturedLength)});
    });
    return out;
}

/// Checks what must hold for any input, however broken.
bool factsConsistent(const PacketFacts &f, const std::vector<std::uint8_t> &frame)
{
    if (bool(f.flags & FlagMalformed) != (f.warning != nullptr)) return false;
    if (f.kind == PacketKind::Malformed && !f.warning) return false;
    if (!f.ikeMessage.empty()) {
        const auto *lo = frame.data();
        const auto *hi = frame.data() + frame.size();
        if (f.ikeMessage.data() < lo || f.ikeMessage.data() + f.ikeMessage.size() > hi) return false;
    }
    return true;
}

/// The facts the index keeps, compared field by field.
bool sameFacts(const PacketFacts &a, const PacketFacts &b)
{
    const bool sameWarning = (a.warning == nullptr) == (b.warning == nullptr) &&
                             (a.warning == nullptr || std::strcmp(a.warning, b.warning) == 0);
    return a.kind == b.kind && a.flags == b.flags && sameWarning && a.ipVersion == b.ipVersion &&
           a.src == b.src && a.dst == b.dst && a.ipProto == b.ipProto && a.ttl == b.ttl && a.ipId == b.ipId &&
           a.ipTotalLen == b.ipTotalLen && a.fragOffset == b.fragOffset && a.l3Offset == b.l3Offset &&
           a.l4Offset == b.l4Offset && a.srcPort == b.srcPort && a.dstPort == b.dstPort &&
           a.tcpMss == b.tcpMss && a.spi == b.spi && a.seq == b.seq && a.espLen == b.espLen &&
           a.ikeMessage.empty() && b.ikeMessage.empty() && !a.quoted.present && !b.quoted.present;
}

/// The reading thread hands the index builder only the leading Dissector::bytesToDissect()
/// bytes of a frame. Dissecting that prefix (in its own exactly-sized buffer, so ASan sees any
/// read past it) must give the facts the whole frame gives. Returns false on a difference;
/// `prefixed` counts the frames that were cut.
bool prefixDissectsAlike(int linkType, const std::vector<std::uint8_t> &b, std::uint32_t orig,
                         std::size_t &prefixed)
{
    const ByteView whole(b.data(), b.size());
    const std::size_t need = Dissector::bytesToDissect(linkType, whole, orig);
    if (need > b.size()) return false;
    if (need == b.size()) return true;
    ++prefixed;
    Dissector full(linkType), cut(linkType);
    const std::vector<std::uint8_t> prefix(b.begin(), b.begin() + std::ptrdiff_t(need));
    return sameFacts(full.dissect(whole, orig),
                     cut.dissect(ByteView(prefix.data(), prefix.size()), orig, std::uint32_t(b.size())));
}

} // namespace

class TestRobustness final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Every malformed or fuzzed capture listed in INDEX.md. "damaged" says whether the packet
    // is really broken according to tcpdump's .out for it (a "[|...]" truncation marker,
    // "[payload too short]", "(invalid)", "len mismatch", a dissection that stops short).
    void malformedCaptures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("damaged");
        auto row = [](const char *name, bool damaged) {
            QTest::newRow(name) << (QStringLiteral("tcpdump/tests/") + QString::fromLatin1(name)) << damaged;
        };
        row("esp_truncated.pcap", true);                  // "ESP(spi=0xc0f7d4c3 [|esp]"
        row("ikev1_id_ipv6_addr_subnet-oobr.pcap", true); // "[bad: < 32]) [|#145] (len mismatch: ...)"
        row("ikev2-id-short.pcap", true);                 // "(v2IDi: len=1 01 [payload too short])"
        row("ikev2pI2-segfault.pcapng", true);            // "[|v2sa]) [|v2ke]"
        row("ip6_frag_asan.pcap", true);                  // "frag ( [|frag6]"
        row("ipv6_frag6_negative_len.pcap", true);        // "[length < 0] (invalid)"
        row("isakmp-3948-oobr-2.pcap", true);             // "[|isakmp_rfc3948]"
        row("isakmp-delete-segfault.pcap", true);         // isakmp1.out: "isakmp:" and nothing decodable
        row("isakmp-identification-segfault.pcap",
            false);                                  // isakmp3.out decodes cleanly (an all-zero FQDN ID)
        row("isakmp-ikev1_n_print-oobr.pcap", true); // version 2.12, IP length 296 > captured
        row("isakmp-no-none-np.pcapng", true);       // "(len mismatch: isakmp 84/ip 2186)"
        row("isakmp-pointer-loop.pcap", true);       // isakmp2.out: "phase 1 ? base", length 0
        row("isakmp-rfc3948-oobr.pcap", true);       // 22 junk frames + "[|isakmp_rfc3948]"
        row("isakmp-various-oobr.pcap", true);       // "( [|v2ke]) (len mismatch: ...)"
        row("isakmpv1-attr-oobr.pcap", true);        // "[|isakmp]"
    }
    void malformedCaptures()
    {
        QFETCH(QString, file);
        QFETCH(bool, damaged);
        QString error;
        auto index = loadCapture(dataPath(file), &error);
        QVERIFY2(index, qPrintable(error));
        QVERIFY(index->packetCount() > 0);
        if (damaged) QVERIFY2(!index->warnings.empty() || index->malformed > 0, qPrintable(file));
        for (const auto &w : index->warnings)
            QVERIFY(!w.message.isEmpty());

        // The reports built on the index must survive it too and stay valid JSON.
        const CaptureSummary s = summarize(*index);
        const std::string json = summaryJson(*index, s);
        QJsonParseError perr{};
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &perr);
        QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(perr.errorString()));
        QCOMPARE(doc.object().value(QStringLiteral("packets")).toInt(), int(index->packetCount()));
        for (std::size_t i = 0; i < index->packetCount(); ++i) {
            JsonWriter w;
            writePacketJson(w, *index, i);
            QJsonDocument::fromJson(QByteArray::fromStdString(w.str()), &perr);
            QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(perr.errorString()));
            QVERIFY(!packetText(*index, i).isEmpty());
        }
        QVERIFY(!summaryText(*index, s).isEmpty());

        // Frame by frame through a bare Dissector as well.
        for (const Frame &fr : framesOf(file)) {
            Dissector d(fr.linkType);
            const PacketFacts f = d.dissect(ByteView(fr.bytes.data(), fr.bytes.size()), fr.originalLength);
            QVERIFY(factsConsistent(f, fr.bytes));
            if (!f.ikeMessage.empty()) (void)parseIkePayloads(f.ikeMessage, f.ike);
        }
    }

    // Fixed-seed mutations of real frames, fed straight into Dissector::dissect, the payload
    // walker and an IndexBuilder per link type (flows, SAs, reassembly, summaries).
    // Inputs that crashed or tripped a sanitizer under libFuzzer (fuzz/README.md): each must
    // now load to an index (possibly partial) without undefined behaviour.
    void fuzzRegressions_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(QStringLiteral(IKEV2WB_TEST_DATA "/fuzz-regressions"));
        const QStringList files = dir.entryList(QDir::Files | QDir::NoDotAndDotDot);
        for (const QString &f : files)
            if (f != QLatin1String("README.md")) QTest::newRow(qPrintable(f)) << dir.filePath(f);
    }
    void fuzzRegressions()
    {
        QFETCH(QString, path);
        QString error;
        auto index = loadCapture(path, &error);
        if (!index) {
            QVERIFY2(error.contains(path), qPrintable(error));
            return;
        }
        // pcapng-timestamp-overflow: a timestamp ~145e9 s must not wrap into a negative time.
        for (std::size_t i = 0; i < index->packetCount(); ++i)
            QVERIFY(index->packets[i].tsNs >= 0);
    }

    void randomMutations()
    {
        const char *sources[] = {
            "tcpdump/tests/ikev2four.pcap",
            "tcpdump/tests/isakmp4500.pcap",
            "tcpdump/tests/ikev2pI2.pcap",
            "tcpdump/tests/espudp1.pcap",
            "tcpdump/tests/icmpv6-rfc7112.pcap",
            "scapy/test/pcaps/ikev2_nat_t.pcapng",
            "zeek/testing/btest/Traces/icmp/icmp6-toobig.pcap",
            "zeek/testing/btest/Traces/ipv6-fragmented-dns.pcap",
            "zeek/testing/btest/Traces/ipv6-http-atomic-frag.pcap",
        };
        std::vector<Frame> corpus;
        for (const char *s : sources) {
            auto f = framesOf(QString::fromLatin1(s));
            corpus.insert(corpus.end(), f.begin(), f.end());
        }
        QVERIFY(corpus.size() > 100);
        // Every frame of the real strongSwan runs and of the peer captures: the prefix the
        // reading thread copies dissects like the whole frame.
        std::size_t prefixed = 0;
        {
            std::vector<Frame> real = corpus;
            for (const char *lab : {"../lab/loss1/left-outer.pcap", "../lab/natt/left-outer.pcap",
                                    "../lab/mtu-blackhole/left-outer.pcap"}) {
                auto f = framesOf(QString::fromLatin1(lab));
                QVERIFY2(!f.empty(), lab);
                real.insert(real.end(), f.begin(), f.end());
            }
            for (std::size_t i = 0; i < real.size(); ++i)
                QVERIFY2(
                    prefixDissectsAlike(real[i].linkType, real[i].bytes, real[i].originalLength, prefixed),
                    qPrintable(QStringLiteral("frame %1").arg(i)));
            // The lab captures are snap-trimmed (caplen < len), so their frames take the whole-frame
            // path; the untrimmed ESP / ESP-in-UDP frames of the peer captures (espudp1,
            // isakmp4500, ikev2_nat_t, ...) take the cut one: 245 of them when this was written.
            QVERIFY2(prefixed >= 200, qPrintable(QString::number(prefixed)));
        }

        std::mt19937 rng(20240229u);
        auto pick = [&](std::size_t n) { return std::size_t(rng() % (n ? n : 1)); };
        const std::uint8_t interesting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x2c, 0x32, 0x11, 0x3a, 0x06};
        const int linkTypes[] = {DLT_EN10MB,     DLT_NULL, DLT_RAW,  DLT_LINUX_SLL,
                                 DLT_LINUX_SLL2, DLT_LOOP, DLT_IPV4, DLT_IPV6};

        struct Sink
        {
            CaptureFileInfo info;
            std::unique_ptr<IndexBuilder> builder;
        };
        std::vector<Sink> sinks;
        for (int lt : linkTypes) {
            Sink s;
            s.info.linkType = lt;
            s.info.path = QStringLiteral("mutations");
            s.builder = std::make_unique<IndexBuilder>(s.info);
            sinks.push_back(std::move(s));
        }

        constexpr int Iterations = 6000;
        std::int64_t ts = 1'000'000'000'000'000'000;
        for (int it = 0; it < Iterations; ++it) {
            const Frame &src = corpus[pick(corpus.size())];
            std::vector<std::uint8_t> b = src.bytes;
            const int edits = 1 + int(pick(4));
            for (int e = 0; e < edits && !b.empty(); ++e) {
                switch (pick(6)) {
                case 0:
                    b[pick(b.size())] ^= std::uint8_t(1u << pick(8));
                    break;
                case 1:
                    b[pick(b.size())] = interesting[pick(sizeof interesting)];
                    break;
                case 2:
                    b.resize(pick(b.size() + 1));
                    break;
                case 3: { // a 16-bit length-like field set to a boundary value
                    const std::size_t o = pick(b.size());
                    const std::uint16_t v =
                        std::uint16_t(pick(3) == 0 ? 0 : (pick(2) ? 0xffff : pick(70000)));
                    b[o] = std::uint8_t(v >> 8);
                    if (o + 1 < b.size()) b[o + 1] = std::uint8_t(v);
                    break;
                }
                case 4:
                    b.insert(b.begin() + std::ptrdiff_t(pick(b.size() + 1)), std::size_t(1 + pick(16)),
                             std::uint8_t(rng()));
                    break;
                default: // splice: repeat a slice (payload chains that loop back)
                    if (b.size() > 8) {
                        const std::size_t from = pick(b.size() - 4);
                        const std::size_t len = 1 + pick(std::min<std::size_t>(64, b.size() - from));
                        std::vector<std::uint8_t> slice(b.begin() + std::ptrdiff_t(from),
                                                        b.begin() + std::ptrdiff_t(from + len));
                        b.insert(b.begin() + std::ptrdiff_t(pick(b.size())), slice.begin(), slice.end());
                    }
                    break;
                }
            }
            // Usually keep the frame's own link type; sometimes dissect it as another one.
            const int lt = pick(5) == 0 ? linkTypes[pick(std::size(linkTypes))] : src.linkType;
            const std::uint32_t orig =
                pick(4) == 0 ? std::uint32_t(b.size() + pick(3000)) : std::uint32_t(b.size());

            Dissector d(lt);
            const PacketFacts f = d.dissect(ByteView(b.data(), b.size()), orig);
            QVERIFY2(factsConsistent(f, b), qPrintable(QStringLiteral("iteration %1").arg(it)));
            QVERIFY2(prefixDissectsAlike(lt, b, orig, prefixed),
                     qPrintable(QStringLiteral("iteration %1").arg(it)));
            if (!f.ikeMessage.empty()) {
                const IkePayloadSummary p = parseIkePayloads(f.ikeMessage, f.ike);
                QVERIFY(p.notifyCount >= std::min<int>(p.notifyCount, IkePayloadSummary::MaxNotifies));
            }
            if (f.kind != PacketKind::Malformed && f.ipVersion != 0)
                (void)d.dissectIp(ByteView(b.data(), b.size()).from(f.l3Offset));

            for (Sink &s : sinks) {
                if (s.info.linkType != lt) continue;
                RawPacket rp;
                ts += std::int64_t(pick(2'000'000'000));
                rp.tsNs = ts;
                rp.capturedLength = std::uint32_t(b.size());
                rp.presentLength = rp.capturedLength;
                rp.originalLength = orig;
                rp.data = b.data();
                s.builder->add(rp);
            }
        }
        std::uint64_t total = 0;
        for (Sink &s : sinks) {
            const CaptureIndex index = s.builder->finish(ReadOutcome{});
            total += index.packetCount();
            const CaptureSummary sum = summarize(index);
            QJsonParseError perr{};
            QJsonDocument::fromJson(QByteArray::fromStdString(summaryJson(index, sum, false)), &perr);
            QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(perr.errorString()));
            for (std::size_t i = 0; i < index.packetCount(); ++i) {
                JsonWriter w;
                writePacketJson(w, index, i);
            }
        }
        QCOMPARE(total, std::uint64_t(Iterations));
    }

    // Payload chains built to loop, overrun and underrun, straight into the walker.
    void payloadWalkerEdges_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<bool>("warns");
        auto hdr = [](std::uint8_t np, std::uint32_t len) {
            QByteArray h(16, '\x11');
            h += char(np);
            h += char(0x20);
            h += char(34);
            h += char(0x08);
            h += QByteArray(4, '\0');
            h += char(len >> 24);
            h += char(len >> 16);
            h += char(len >> 8);
            h += char(len);
            return h;
        };
        // Hand-built: generic payload header = next(1) critical(1) length(2).
        QTest::newRow("zero-length payload") << (hdr(41, 32) + QByteArray("\x29\x00\x00\x00", 4)) << true;
        QTest::newRow("length past message")
            << (hdr(40, 36) + QByteArray("\x00\x00\x00\x40", 4) + QByteArray(4, 'n')) << true;
        QTest::newRow("notify body too short")
            << (hdr(41, 34) + QByteArray("\x00\x00\x00\x06\x00\x00", 6)) << true;
        QTest::newRow("ID body too short") << (hdr(35, 33) + QByteArray("\x00\x00\x00\x05\x01", 5)) << true;
        QTest::newRow("next payload beyond the end")
            << (hdr(40, 36) + QByteArray("\x28\x00\x00\x08", 4) + QByteArray(4, 'n')) << true;
        QTest::newRow("IKE length below header") << hdr(40, 20) << true;
        QTest::newRow("well-formed nonce")
            << (hdr(40, 48) + QByteArray("\x00\x00\x00\x14", 4) + QByteArray(16, 'n')) << false;
    }
    void payloadWalkerEdges()
    {
        QFETCH(QByteArray, message);
        QFETCH(bool, warns);
        const ByteView v(reinterpret_cast<const std::uint8_t *>(message.constData()),
                         std::size_t(message.size()));
        IkeHeader h;
        QVERIFY(parseIkeHeader(v, h));
        const IkePayloadSummary s = parseIkePayloads(v, h);
        QCOMPARE(s.warning != nullptr, warns);
    }
};

QTEST_GUILESS_MAIN(TestRobustness)
#include "tst_robustness.moc"
