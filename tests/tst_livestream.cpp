// core/live's LiveCapture, which follows the pcapng a capture helper streams: fed in pieces of
// any size (down to single bytes) it must see exactly what libpcap sees reading the same bytes
// from a file, in either byte order and across sections; its per-SA "missing so far" must be the
// sequence numbers a hand-built stream leaves out; damaged streams give an error with the
// offset, never a crash or unbounded memory.
#include "analyze/analysis.h"
#include "capture/pcapngstats.h"
#include "index/indexbuilder.h"
#include "live/livecapture.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <numeric>

using namespace ikev2wb;

namespace {

using Octets = std::vector<std::uint8_t>;

/// pcapng blocks by hand, big- or little-endian.
struct Ng
{
    bool big = false;
    Octets b;
    void u8s(std::initializer_list<std::uint8_t> v) { b.insert(b.end(), v); }
    void u16(std::uint16_t v)
    {
        if (big)
            u8s({std::uint8_t(v >> 8), std::uint8_t(v)});
        else
            u8s({std::uint8_t(v), std::uint8_t(v >> 8)});
    }
    void u32(std::uint32_t v)
    {
        if (big) {
            u16(std::uint16_t(v >> 16));
            u16(std::uint16_t(v));
        } else {
            u16(std::uint16_t(v));
            u16(std::uint16_t(v >> 16));
        }
    }
    void u64(std::uint64_t v)
    {
        // pcapng writes 64-bit option values in the section's byte order as one number.
        if (big) {
            u32(std::uint32_t(v >> 32));
            u32(std::uint32_t(v));
        } else {
            u32(std::uint32_t(v));
            u32(std::uint32_t(v >> 32));
        }
    }
    void shb()
    {
        u32(0x0A0D0D0A);
        u32(28);
        u32(0x1A2B3C4D);
        u16(1);
        u16(0);
        u32(0xffffffff);
        u32(0xffffffff);
        u32(28);
    }
    void idb() // Ethernet, microseconds (no if_tsresol)
    {
        u32(1);
        u32(20);
        u16(1);
        u16(0);
        u32(65535);
        u32(20);
    }
    void epb(std::uint64_t tsUs, const Octets &frame)
    {
        const std::uint32_t padded = (std::uint32_t(frame.size()) + 3) & ~3u;
        u32(6);
        u32(32 + padded);
        u32(0);
        u32(std::uint32_t(tsUs >> 32));
        u32(std::uint32_t(tsUs));
        u32(std::uint32_t(frame.size()));
        u32(std::uint32_t(frame.size()));
        b.insert(b.end(), frame.begin(), frame.end());
        b.insert(b.end(), padded - frame.size(), 0);
        u32(32 + padded);
    }
    void isb(std::uint64_t recv, std::uint64_t osDrop)
    {
        u32(5);
        u32(24 + 12 + 12 + 4);
        u32(0);
        u32(0);
        u32(0);
        u16(4), u16(8), u64(recv);
        u16(7), u16(8), u64(osDrop);
        u16(0), u16(0);
        u32(24 + 12 + 12 + 4);
    }
};

/// Ethernet + IPv4 (no checksum needed) + UDP 4500→4500 + ESP header (SPI, sequence) + 16 bytes.
Octets espInUdp(std::uint32_t spi, std::uint32_t seq)
{
    Octets f(14, 0);
    f[12] = 0x08;
    const std::uint16_t ipLen = 20 + 8 + 8 + 16;
    const Octets ip{0x45,
                    0,
                    std::uint8_t(ipLen >> 8),
                    std::uint8_t(ipLen),
                    0,
                    1,
                    0x40,
                    0,
                    64,
                    17,
                    0,
                    0,
                    10,
                    0,
                    0,
                    1,
                    10,
                    0,
                    0,
                    2};
    f.insert(f.end(), ip.begin(), ip.end());
    const std::uint16_t udpLen = 8 + 8 + 16;
    const Octets udp{0x11, 0x94, 0x11, 0x94, std::uint8_t(udpLen >> 8), std::uint8_t(udpLen), 0, 0};
    f.insert(f.end(), udp.begin(), udp.end());
    for (const std::uint32_t v : {spi, seq})
        f.insert(f.end(),
                 {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)});
    f.insert(f.end(), 16, 0xab);
    return f;
}

LiveSnapshot feedAll(LiveCapture &live, const Octets &bytes, std::size_t piece)
{
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        live.feed(reinterpret_cast<const char *>(bytes.data()) + at, std::min(piece, bytes.size() - at));
    return live.snapshot();
}

Octets readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray all = f.readAll();
    return Octets(all.begin(), all.end());
}

} // namespace

class TestLiveStream : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;

private slots:
    // A real pcapng (scapy's IKEv2 NAT-T capture, which ends with a statistics block) fed in
    // pieces of 1, 7, 4096 bytes and whole: the same packets, kinds, IKE messages and drop
    // counters as loadCapture() and scanPcapngStatistics() read from the file.
    void sameAsFile_data()
    {
        QTest::addColumn<int>("piece");
        for (const int p : {1, 7, 4096, 1 << 30})
            QTest::newRow(qPrintable(QString::number(p))) << p;
    }
    void sameAsFile()
    {
        QFETCH(int, piece);
        const QString path =
            QStringLiteral(IKEV2WB_TEST_DATA "/captures/scapy/test/pcaps/ikev2_nat_t.pcapng");
        QString err;
        const auto idx = loadCapture(path, &err);
        QVERIFY2(idx, qPrintable(err));
        const Octets bytes = readFile(path);
        QVERIFY(!bytes.empty());
        LiveCapture live;
        const LiveSnapshot s = feedAll(live, bytes, std::size_t(piece));
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        QCOMPARE(s.packets, std::uint64_t(idx->packetCount()));
        QVERIFY(s.kindCounts == idx->kindCounts);
        QCOMPARE(s.ikeMessages, idx->ikeMessages.size());
        QCOMPARE(s.firstNs, idx->firstNs);
        QCOMPARE(s.lastNs, idx->lastNs);
        QCOMPARE(s.streamBytes, std::uint64_t(bytes.size()));
        QCOMPARE(live.pendingBytes(), std::size_t(0));
        const PcapngStatsScan scan = scanPcapngStatistics(path);
        QVERIFY(scan.drops && s.drops);
        QCOMPARE(s.drops->received, scan.drops->received);
        QCOMPARE(s.drops->osDrop, scan.drops->osDrop);
        QCOMPARE(s.drops->ifDrop, scan.drops->ifDrop);
    }

    // A big-endian stream of two sections (as the helper's --tee writes a ring: each file a
    // section) with ESP-in-UDP whose sequence numbers leave out 3-4 and 8-9: missing so far is
    // what was left out, a late 3 fills its gap, a repeated 5 is a duplicate; the per-second
    // timeline counts the packets by their second; the latest statistics block wins.
    void sequenceGapsAcrossSections()
    {
        Ng ng;
        ng.big = true;
        ng.shb();
        ng.idb();
        const std::uint64_t t0 = 1'700'000'000ULL * 1'000'000;
        const std::uint32_t spi = 0x01020304;
        int sent = 0;
        for (const std::uint32_t seq : {1u, 2u, 5u, 6u, 7u}) {
            ng.epb(t0 + seq * 100'000, espInUdp(spi, seq)); // 0.1 s apart: seconds 0
            ++sent;
        }
        ng.isb(5, 0);
        ng.shb(); // the next ring file
        ng.idb();
        for (const std::uint32_t seq : {10u, 11u}) {
            ng.epb(t0 + 1'500'000 + seq, espInUdp(spi, seq)); // second 1
            ++sent;
        }
        ng.isb(9, 2);
        LiveCapture live;
        LiveSnapshot s = feedAll(live, ng.b, 3);
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        QCOMPARE(s.packets, std::uint64_t(sent));
        QCOMPARE(s.sas.size(), std::size_t(1));
        QCOMPARE(s.sas[0].spi, spi);
        QCOMPARE(s.sas[0].firstSeq, 1ULL);
        QCOMPARE(s.sas[0].topSeq, 11ULL);
        QCOMPARE(s.sas[0].missing, 4ULL); // 3, 4, 8, 9
        QCOMPARE(s.seriesFrom, std::size_t(0));
        QCOMPARE(s.espPerSecond, (std::vector<std::uint64_t>{5, 2}));
        QCOMPARE(s.missingPerSecond, (std::vector<std::uint64_t>{2, 2}));
        QVERIFY(s.drops);
        // The helper's counters run from the start of the capture: the latest block, not a sum.
        QCOMPARE(s.drops->received, 9ULL);
        QCOMPARE(s.drops->osDrop, 2ULL);
        QCOMPARE(s.drops->interfaces, 1);

        Ng more;
        more.big = true;
        more.epb(t0 + 1'600'000, espInUdp(spi, 3)); // late: fills
        more.epb(t0 + 1'700'000, espInUdp(spi, 5)); // again: duplicate
        s = feedAll(live, more.b, 5);
        QCOMPARE(s.sas[0].missing, 3ULL);
        QCOMPARE(s.sas[0].duplicates, 1ULL);
        // Only the last bucket is sent again (it may have grown): second 1 now holds 4.
        QCOMPARE(s.seriesFrom, std::size_t(1));
        QCOMPARE(s.espPerSecond, (std::vector<std::uint64_t>{4}));
    }

    // Sequence numbers past 2^32 (ESN) and a restart, live as the file analysis counts them (one
    // rule, core/index/espsa.h). SA 1 sends 0xfffffffa..0xffffffff without 0xfffffffc, then
    // 0, 1, 2, 4, 5 (the low 32 bits of 2^32 .. 2^32 + 5) without 3: two numbers missing, the last
    // one 2^32 + 5. SA 2 sends 10000, 10001, then starts again at 1, 2, 4: one restart, 3 missing
    // (nothing between 10001 and 1 is). The 32-bit tracker called 0..5 late arrivals and
    // missed the second hole. The timeline of SA 1 carries every packet with its 64-bit
    // number and the two holes where they showed.
    void esnAndRestartAsTheFileAnalysis()
    {
        constexpr std::uint32_t spiWrap = 0x0a0b0c0d, spiRestart = 0x0e0f1011;
        constexpr std::uint64_t k2p32 = std::uint64_t(1) << 32;
        Ng ng;
        ng.shb();
        ng.idb();
        const std::uint64_t t0 = 1'700'000'000ULL * 1'000'000;
        std::uint64_t t = t0;
        std::vector<std::uint64_t> sentWrap;
        for (std::uint64_t seq = 0xfffffffaULL; seq <= k2p32 + 5; ++seq) {
            if (seq == 0xfffffffcULL || seq == k2p32 + 3) continue;
            ng.epb(t += 1000, espInUdp(spiWrap, std::uint32_t(seq)));
            sentWrap.push_back(seq);
        }
        for (const std::uint32_t seq : {10000u, 10001u, 1u, 2u, 4u})
            ng.epb(t += 1000, espInUdp(spiRestart, seq));
        LiveCapture live;
        live.setTimelineSa(0);
        const LiveSnapshot s = feedAll(live, ng.b, 11);
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        QCOMPARE(s.sas.size(), std::size_t(2));
        const LiveSa &w = s.sas[0];
        QCOMPARE(w.spi, spiWrap);
        QVERIFY(w.esn);
        QCOMPARE(w.firstSeq, 0xfffffffaULL);
        QCOMPARE(w.topSeq, k2p32 + 5);
        QCOMPARE(w.missing, 2ULL);
        QCOMPARE(w.late, 0ULL);
        QCOMPARE(w.duplicates, 0ULL);
        const LiveSa &r = s.sas[1];
        QCOMPARE(r.spi, spiRestart);
        QVERIFY(!r.esn);
        QCOMPARE(r.restarts, 1u);
        QCOMPARE(r.firstSeq, 1ULL);
        QCOMPARE(r.topSeq, 4ULL);
        QCOMPARE(r.missing, 1ULL);
        // The timeline of SA 1: its packets by 64-bit number, the holes where they showed.
        QCOMPARE(s.timelineSa, std::size_t(0));
        QCOMPARE(s.timelineFrom, std::size_t(0));
        QCOMPARE(s.timelinePoints.size(), sentWrap.size());
        for (std::size_t i = 0; i < sentWrap.size(); ++i) {
            QCOMPARE(s.timelinePoints[i].seq, sentWrap[i]);
            QCOMPARE(s.timelinePoints[i].packet, std::uint64_t(i));
        }
        QCOMPARE(s.timelineGaps.size(), std::size_t(2));
        QCOMPARE(s.timelineGaps[0].first, 0xfffffffcULL);
        QCOMPARE(s.timelineGaps[0].count, 1ULL);
        QCOMPARE(s.timelineGaps[1].first, k2p32 + 3);
        QCOMPARE(s.timelineGaps[1].count, 1ULL);
        // The next snapshot carries only what is new: nothing.
        LiveSnapshot again = live.snapshot();
        QCOMPARE(again.timelineFrom, sentWrap.size());
        QVERIFY(again.timelinePoints.empty());

        // The file analysis of the same bytes agrees.
        const QString path = m_tmp.filePath(QStringLiteral("esn.pcapng"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(reinterpret_cast<const char *>(ng.b.data()), qint64(ng.b.size()));
        }
        QString err;
        const auto idx = loadCapture(path, &err);
        QVERIFY2(idx, qPrintable(err));
        const CaptureAnalysis a = analyzeCapture(*idx);
        QCOMPARE(a.esp.sas.size(), std::size_t(2));
        for (const EspSaSequence &seq : a.esp.sas) {
            const LiveSa &l = seq.spi == spiWrap ? w : r;
            QCOMPARE(seq.missing, l.missing);
            QCOMPARE(seq.esn, l.esn);
            QCOMPARE(seq.restarts, l.restarts);
            QCOMPARE(seq.lastSeq, l.topSeq);
        }
    }

    // The IKE ladder's data: the IKE messages so far, analysed as the file's are; sent again
    // only when new IKE messages came.
    void ikeLadderAsTheFile()
    {
        const QString path =
            QStringLiteral(IKEV2WB_TEST_DATA "/captures/scapy/test/pcaps/ikev2_nat_t.pcapng");
        QString err;
        const auto idx = loadCapture(path, &err);
        QVERIFY2(idx, qPrintable(err));
        const CaptureAnalysis a = analyzeCapture(*idx);
        QVERIFY(!a.ike.ikeSas.empty());
        const Octets bytes = readFile(path);
        LiveCapture live;
        const LiveSnapshot s = feedAll(live, bytes, 4096);
        QVERIFY(s.ikeIndex && s.ikeAnalysis);
        QCOMPARE(s.ikeIndex->ikeMessages.size(), idx->ikeMessages.size());
        QCOMPARE(s.ikeAnalysis->ike.ikeSas.size(), a.ike.ikeSas.size());
        for (std::size_t i = 0; i < a.ike.ikeSas.size(); ++i) {
            const IkeSaExchanges &x = a.ike.ikeSas[i], &y = s.ikeAnalysis->ike.ikeSas[i];
            QCOMPARE(y.exchanges.size(), x.exchanges.size());
            for (std::size_t e = 0; e < x.exchanges.size(); ++e) {
                QCOMPARE(y.exchanges[e].messageId, x.exchanges[e].messageId);
                QCOMPARE(y.exchanges[e].requestMessages, x.exchanges[e].requestMessages);
                QCOMPARE(y.exchanges[e].responseMessages, x.exchanges[e].responseMessages);
                QCOMPARE(y.exchanges[e].answered, x.exchanges[e].answered);
            }
        }
        QVERIFY(!live.snapshot().ikeAnalysis);
    }

    // Damaged streams: an error naming the offset, nothing allocated for a claimed huge block,
    // and feeding more after the error does nothing.
    void damaged_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        Ng ok;
        ok.shb();
        const QByteArray shb(reinterpret_cast<const char *>(ok.b.data()), qsizetype(ok.b.size()));
        QTest::newRow("not pcapng") << QByteArray("GET / HTTP/1.1\r\n\r\n")
                                    << QStringLiteral("does not start with");
        QByteArray bom = shb;
        bom[8] = 0x11;
        QTest::newRow("bad byte-order magic") << bom << QStringLiteral("byte-order magic");
        QByteArray huge =
            shb + QByteArray::fromHex("06000000") + QByteArray::fromHex("000000f0") + QByteArray(8, 0);
        QTest::newRow("huge block") << huge << QStringLiteral("at byte 28 has an invalid length");
        QByteArray odd =
            shb + QByteArray::fromHex("06000000") + QByteArray::fromHex("0d000000") + QByteArray(8, 0);
        QTest::newRow("length not a multiple of 4") << odd << QStringLiteral("invalid length 13");
        QByteArray trailer = shb + QByteArray::fromHex("0100000014000000010000000000010018000000");
        QTest::newRow("trailing length differs") << trailer << QStringLiteral("trailing length");
        QByteArray noIdb = shb + QByteArray::fromHex("0600000024000000"
                                                     "00000000"
                                                     "00000000"
                                                     "00000000"
                                                     "04000000"
                                                     "04000000"
                                                     "aabbccdd"
                                                     "24000000");
        QTest::newRow("packet of an undescribed interface") << noIdb << QStringLiteral("was not described");
        QByteArray capTooBig = shb + QByteArray::fromHex("0100000014000000010000000000010014000000") +
                               QByteArray::fromHex("0600000024000000"
                                                   "00000000"
                                                   "00000000"
                                                   "00000000"
                                                   "ff000000"
                                                   "04000000"
                                                   "aabbccdd"
                                                   "24000000");
        QTest::newRow("captured length beyond the block") << capTooBig << QStringLiteral("do not fit");
    }
    void damaged()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        LiveCapture live;
        const bool ok = live.feed(bytes.constData(), std::size_t(bytes.size()));
        QVERIFY(!ok);
        QVERIFY2(live.error().contains(message), qPrintable(live.error()));
        QVERIFY(!live.feed(bytes.constData(), std::size_t(bytes.size())));
        QCOMPARE(live.pendingBytes(), std::size_t(0));
        QCOMPARE(live.snapshot().error, live.error());
    }
};

QTEST_GUILESS_MAIN(TestLiveStream)
#include "tst_livestream.moc"
