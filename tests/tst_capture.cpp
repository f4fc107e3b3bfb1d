// Ingestion: pcap and pcapng, µs and ns timestamps, every supported link type, bad inputs,
// truncated files, progress and cancellation. Captures are synthesized here from hand-built
// frames (expected SPI/seq are the bytes we wrote) or rewritten from real captures in another
// container format (expected: identical records).
#include "capture/capturereader.h"
#include "capture/pcapngstats.h"
#include "index/indexbuilder.h"
#include "synthcapture.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <pcap/pcap.h>

#include <atomic>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>
#include <vector>

using namespace ikev2wb;

namespace {

using Bytes8 = std::vector<std::uint8_t>;

QString dataPath(const QString &rel)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/captures/") + rel;
}

void put16(Bytes8 &b, std::uint16_t v)
{
    b.push_back(std::uint8_t(v >> 8));
    b.push_back(std::uint8_t(v));
}
void put32(Bytes8 &b, std::uint32_t v)
{
    put16(b, std::uint16_t(v >> 16));
    put16(b, std::uint16_t(v));
}
void put32le(Bytes8 &b, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b.push_back(std::uint8_t(v >> (8 * i)));
}

/// IPv4 192.0.2.1 → 198.51.100.2, protocol 50, ESP(spi, seq) + 16 bytes of payload.
Bytes8 espV4(std::uint32_t spi, std::uint32_t seq)
{
    Bytes8 b = {0x45, 0x00};
    put16(b, 20 + 8 + 16);
    put16(b, 0x1234);
    put16(b, 0x4000); // DF
    b.insert(b.end(), {64, 50, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2});
    put32(b, spi);
    put32(b, seq);
    b.insert(b.end(), 16, 0xab);
    return b;
}

/// IPv6 2001:db8::1 → 2001:db8::2, next header 50, ESP(spi, seq) + 16 bytes.
Bytes8 espV6(std::uint32_t spi, std::uint32_t seq)
{
    Bytes8 b = {0x60, 0, 0, 0};
    put16(b, 8 + 16);
    b.insert(b.end(), {50, 64});
    const std::uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    const std::uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    b.insert(b.end(), src, src + 16);
    b.insert(b.end(), dst, dst + 16);
    put32(b, spi);
    put32(b, seq);
    b.insert(b.end(), 16, 0xcd);
    return b;
}

Bytes8 concat(Bytes8 head, const Bytes8 &tail)
{
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
}

Bytes8 ethernet(std::initializer_list<std::uint16_t> tagsThenType)
{
    Bytes8 b = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
    bool first = true;
    for (std::uint16_t v : tagsThenType) {
        if (!first) put16(b, 0x0064); // TCI: VLAN 100 between each tag type
        put16(b, v);
        first = false;
    }
    return b;
}

struct Record
{
    std::int64_t tsNs = 0;
    std::uint32_t origLen = 0;
    Bytes8 data;
};

/// Writes a pcap through libpcap's own writer.
bool writePcap(const QString &path, int dlt, const std::vector<Record> &recs, bool nano)
{
    pcap_t *p = pcap_open_dead_with_tstamp_precision(
        dlt, 65535, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    if (!p) return false;
    pcap_dumper_t *d = pcap_dump_open(p, QFile::encodeName(path).constData());
    if (!d) {
        pcap_close(p);
        return false;
    }
    for (const Record &r : recs) {
        pcap_pkthdr h{};
        h.ts.tv_sec = r.tsNs / 1'000'000'000;
        const std::int64_t frac = r.tsNs % 1'000'000'000;
        h.ts.tv_usec = nano ? frac : frac / 1000;
        h.caplen = std::uint32_t(r.data.size());
        h.len = r.origLen ? r.origLen : h.caplen;
        pcap_dump(reinterpret_cast<u_char *>(d), &h, r.data.data());
    }
    pcap_dump_close(d);
    pcap_close(p);
    return true;
}

/// Writes a little-endian pcapng by hand: SHB, one IDB (optionally if_tsresol=9), EPBs.
bool writePcapng(const QString &path, int linktype, const std::vector<Record> &recs, bool nano)
{
    Bytes8 b;
    put32le(b, 0x0A0D0D0A);
    put32le(b, 28);
    put32le(b, 0x1A2B3C4D);
    b.insert(b.end(), {1, 0, 0, 0}); // version 1.0
    b.insert(b.end(), 8, 0xff);      // section length -1
    put32le(b, 28);
    const std::uint32_t idbLen = nano ? 32 : 20;
    put32le(b, 1);
    put32le(b, idbLen);
    b.insert(b.end(), {std::uint8_t(linktype), std::uint8_t(linktype >> 8), 0, 0});
    put32le(b, 65535);
    if (nano) {
        b.insert(b.end(), {9, 0, 1, 0, 9, 0, 0, 0}); // if_tsresol = 10^-9
        b.insert(b.end(), {0, 0, 0, 0});             // opt_endofopt
    }
    put32le(b, idbLen);
    for (const Record &r : recs) {
        const std::uint32_t cap = std::uint32_t(r.data.size());
        const std::uint32_t padded = (cap + 3) & ~3u;
        const std::uint32_t len = 32 + padded;
        const std::uint64_t ts = nano ? std::uint64_t(r.tsNs) : std::uint64_t(r.tsNs / 1000);
        put32le(b, 6);
        put32le(b, len);
        put32le(b, 0);
        put32le(b, std::uint32_t(ts >> 32));
        put32le(b, std::uint32_t(ts));
        put32le(b, cap);
        put32le(b, r.origLen ? r.origLen : cap);
        b.insert(b.end(), r.data.begin(), r.data.end());
        b.insert(b.end(), padded - cap, 0);
        put32le(b, len);
    }
    QFile f(path);
    return f.open(QIODevice::WriteOnly) &&
           f.write(reinterpret_cast<const char *>(b.data()), qint64(b.size())) == qint64(b.size());
}

/// Reads a capture with plain libpcap (nanosecond precision) for rewriting it.
std::vector<Record> readAll(const QString &path, int *dlt)
{
    char err[PCAP_ERRBUF_SIZE];
    std::vector<Record> out;
    pcap_t *p = pcap_open_offline_with_tstamp_precision(QFile::encodeName(path).constData(),
                                                        PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) return out;
    *dlt = pcap_datalink(p);
    pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(p, &h, &data) == 1)
        out.push_back({std::int64_t(h->ts.tv_sec) * 1'000'000'000 + h->ts.tv_usec, h->len,
                       Bytes8(data, data + h->caplen)});
    pcap_close(p);
    return out;
}

bool sameRecord(const PacketRecord &a, const PacketRecord &b)
{
    return a.tsNs == b.tsNs && a.flowId == b.flowId && a.a == b.a && a.b == b.b &&
           a.frameLength == b.frameLength && a.ipLength == b.ipLength && a.flags == b.flags &&
           a.ipId == b.ipId && a.kind == b.kind && a.aux == b.aux;
}

/// pcapng blocks built by hand in either byte order, for the statistics-block scan.
struct NgBytes
{
    bool big = false;
    Bytes8 b;
    void u16(std::uint16_t v)
    {
        for (int i = 0; i < 2; ++i)
            b.push_back(std::uint8_t(big ? v >> (8 * (1 - i)) : v >> (8 * i)));
    }
    void u32(std::uint32_t v)
    {
        for (int i = 0; i < 4; ++i)
            b.push_back(std::uint8_t(big ? v >> (8 * (3 - i)) : v >> (8 * i)));
    }
    void u64(std::uint64_t v)
    {
        // A 64-bit option value is one 64-bit number in the section's byte order.
        for (int i = 0; i < 8; ++i)
            b.push_back(std::uint8_t(big ? v >> (8 * (7 - i)) : v >> (8 * i)));
    }
    void shb() // 28 bytes, no options
    {
        u32(0x0A0D0D0A), u32(28), u32(0x1A2B3C4D), u16(1), u16(0), u64(~0ULL), u32(28);
    }
    void idb() // 20 bytes, Ethernet, no options
    {
        u32(1), u32(20), u16(1), u16(0), u32(65535), u32(20);
    }
    /// ISB with isb_ifrecv (4), isb_ifdrop (5), isb_osdrop (7): 20 + 3*12 + 4 + 4 = 64 bytes.
    void isb(std::uint32_t ifId, std::uint64_t recv, std::uint64_t ifDrop, std::uint64_t osDrop)
    {
        u32(5), u32(64), u32(ifId), u32(0), u32(0);
        u16(4), u16(8), u64(recv);
        u16(5), u16(8), u64(ifDrop);
        u16(7), u16(8), u64(osDrop);
        u16(0), u16(0);
        u32(64);
    }
};

bool writeBytes(const QString &path, const Bytes8 &b)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) &&
           f.write(reinterpret_cast<const char *>(b.data()), qint64(b.size())) == qint64(b.size());
}

} // namespace

class TestCapture final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString tmp(const char *name) const { return m_tmp.filePath(QString::fromLatin1(name)); }

    void compareIndexes(const CaptureIndex &a, const CaptureIndex &b)
    {
        QCOMPARE(a.packetCount(), b.packetCount());
        for (std::size_t i = 0; i < a.packetCount(); ++i)
            QVERIFY2(sameRecord(a.packets[i], b.packets[i]),
                     qPrintable(QStringLiteral("record %1 differs").arg(i)));
        QCOMPARE(a.flows.size(), b.flows.size());
        QCOMPARE(a.espSas.size(), b.espSas.size());
        QCOMPARE(a.ikeMessages.size(), b.ikeMessages.size());
        QCOMPARE(a.icmpErrors.size(), b.icmpErrors.size());
        QCOMPARE(a.kindCounts, b.kindCounts);
        QCOMPARE(a.warnings.size(), b.warnings.size());
        QCOMPARE(a.firstNs, b.firstNs);
        QCOMPARE(a.lastNs, b.lastNs);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    // --- every link type the dissector supports, one hand-built ESP packet each ---
    void linkTypes_data()
    {
        QTest::addColumn<int>("dlt");
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<uint>("spi");
        QTest::addColumn<bool>("v6");
        auto add = [](const char *name, int dlt, const Bytes8 &f, uint spi, bool v6) {
            QTest::newRow(name) << dlt
                                << QByteArray(reinterpret_cast<const char *>(f.data()), qsizetype(f.size()))
                                << spi << v6;
        };
        add("ethernet", DLT_EN10MB, concat(ethernet({0x0800}), espV4(0x1001, 1)), 0x1001, false);
        add("ethernet ipv6", DLT_EN10MB, concat(ethernet({0x86dd}), espV6(0x1002, 2)), 0x1002, true);
        add("802.1Q", DLT_EN10MB, concat(ethernet({0x8100, 0x0800}), espV4(0x1003, 3)), 0x1003, false);
        add("QinQ 88a8", DLT_EN10MB, concat(ethernet({0x88a8, 0x8100, 0x0800}), espV4(0x1004, 4)), 0x1004,
            false);
        add("QinQ 9100 ipv6", DLT_EN10MB, concat(ethernet({0x9100, 0x8100, 0x86dd}), espV6(0x1005, 5)),
            0x1005, true);
        {
            Bytes8 sll;
            put16(sll, 0); // packet type: to us
            put16(sll, 1); // ARPHRD_ETHER
            put16(sll, 6); // address length
            sll.insert(sll.end(), {2, 0, 0, 0, 0, 1, 0, 0});
            put16(sll, 0x0800);
            add("SLL", DLT_LINUX_SLL, concat(sll, espV4(0x1006, 6)), 0x1006, false);
        }
        {
            Bytes8 sll2;
            put16(sll2, 0x86dd); // protocol type first
            put16(sll2, 0);      // reserved
            put32(sll2, 3);      // interface index
            put16(sll2, 1);      // ARPHRD_ETHER
            sll2.push_back(4);   // outgoing
            sll2.push_back(6);
            sll2.insert(sll2.end(), {2, 0, 0, 0, 0, 1, 0, 0});
            add("SLL2", DLT_LINUX_SLL2, concat(sll2, espV6(0x1007, 7)), 0x1007, true);
        }
        add("RAW v4", DLT_RAW, espV4(0x1008, 8), 0x1008, false);
        add("RAW v6", DLT_RAW, espV6(0x1009, 9), 0x1009, true);
        add("IPV4", DLT_IPV4, espV4(0x100a, 10), 0x100a, false);
        add("IPV6", DLT_IPV6, espV6(0x100b, 11), 0x100b, true);
        {
            Bytes8 le;
            put32le(le, 2); // AF_INET written by a little-endian host
            add("NULL little-endian", DLT_NULL, concat(le, espV4(0x100c, 12)), 0x100c, false);
            Bytes8 be;
            put32(be, 2); // ... and by a big-endian host
            add("NULL big-endian", DLT_NULL, concat(be, espV4(0x100d, 13)), 0x100d, false);
            Bytes8 le6;
            put32le(le6, 30); // AF_INET6 on macOS
            add("NULL ipv6 (30)", DLT_NULL, concat(le6, espV6(0x100e, 14)), 0x100e, true);
            Bytes8 be6;
            put32(be6, 24); // AF_INET6 on NetBSD/OpenBSD
            add("NULL ipv6 (24, big-endian)", DLT_NULL, concat(be6, espV6(0x100f, 15)), 0x100f, true);
            Bytes8 loop;
            put32(loop, 2); // DLT_LOOP: always network order
            add("LOOP", DLT_LOOP, concat(loop, espV4(0x1010, 16)), 0x1010, false);
        }
    }
    void linkTypes()
    {
        QFETCH(int, dlt);
        QFETCH(QByteArray, frame);
        QFETCH(uint, spi);
        QFETCH(bool, v6);
        const QString path = tmp("link.pcap");
        QFile::remove(path);
        Record r;
        r.tsNs = 1'700'000'000'123'456'000;
        r.data.assign(frame.begin(), frame.end());
        QVERIFY(writePcap(path, dlt, {r}, false));
        QString error;
        auto index = loadCapture(path, &error);
        QVERIFY2(index, qPrintable(error));
        QCOMPARE(index->packetCount(), std::size_t(1));
        const PacketRecord &rec = index->packets[0];
        QCOMPARE(rec.kind, PacketKind::Esp);
        QCOMPARE(rec.spi(), spi);
        QCOMPARE(rec.seq(), spi & 0xff); // the builder above numbers seq after the SPI's low byte
        QCOMPARE(bool(rec.flags & FlagIpv6), v6);
        QCOMPARE(int(rec.ipLength), v6 ? 40 + 24 : 44);
        QCOMPARE(rec.tsNs, r.tsNs);
        QCOMPARE(index->espSas.size(), std::size_t(1));
        QVERIFY(index->warnings.empty());
        QVERIFY(!index->file.linkTypeName.isEmpty());
    }

    // --- the same packets in pcap and pcapng give identical records ---
    void pcapVsPcapng_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("isakmp4500 (pcap, µs)") << QStringLiteral("tcpdump/tests/isakmp4500.pcap");
        QTest::newRow("ikev2four (pcap, NULL)") << QStringLiteral("tcpdump/tests/ikev2four.pcap");
        QTest::newRow("ikev2_nat_t (pcapng, ns)") << QStringLiteral("scapy/test/pcaps/ikev2_nat_t.pcapng");
        QTest::newRow("smtp (pcap)") << QStringLiteral("zeek/testing/btest/Traces/smtp.pcap");
    }
    void pcapVsPcapng()
    {
        QFETCH(QString, file);
        int dlt = -1;
        const auto recs = readAll(dataPath(file), &dlt);
        QVERIFY(!recs.empty());
        const QString ng = tmp("same.pcapng");
        const QString pc = tmp("same.pcap");
        QFile::remove(ng);
        QFile::remove(pc);
        QVERIFY(writePcapng(ng, dlt, recs, true)); // DLT_NULL/EN10MB equal their LINKTYPE_ values
        QVERIFY(writePcap(pc, dlt, recs, true));
        QString error;
        auto original = loadCapture(dataPath(file), &error);
        QVERIFY2(original, qPrintable(error));
        auto asNg = loadCapture(ng, &error);
        QVERIFY2(asNg, qPrintable(error));
        auto asPcap = loadCapture(pc, &error);
        QVERIFY2(asPcap, qPrintable(error));
        QCOMPARE(asNg->file.format, QStringLiteral("pcapng"));
        QCOMPARE(asPcap->file.format, QStringLiteral("pcap"));
        QCOMPARE(asPcap->file.linkType, original->file.linkType);
        QCOMPARE(asNg->file.linkType, original->file.linkType);
        compareIndexes(*original, *asNg);
        compareIndexes(*original, *asPcap);
    }

    // --- an index of the tables only (ikev2wb summary): no records, the same tables ---
    void tablesOnly_data() { pcapVsPcapng_data(); }
    void tablesOnly()
    {
        QFETCH(QString, file);
        int dlt = -1;
        const auto recs = readAll(dataPath(file), &dlt); // libpcap's own count of the records
        QVERIFY(!recs.empty());
        QString error;
        auto whole = loadCapture(dataPath(file), &error);
        QVERIFY2(whole, qPrintable(error));
        auto tables =
            loadCapture(QStringList{dataPath(file)}, &error, {}, nullptr, IndexContents::TablesOnly);
        QVERIFY2(tables, qPrintable(error));
        QVERIFY(whole->hasRecords());
        QCOMPARE(whole->packets.size(), recs.size());
        QVERIFY(!tables->hasRecords());
        QVERIFY(tables->packets.empty());
        QCOMPARE(tables->packetCount(), recs.size());
        QCOMPARE(tables->flows.size(), whole->flows.size());
        for (std::size_t i = 0; i < whole->flows.size(); ++i) {
            QCOMPARE(tables->flows[i].packets, whole->flows[i].packets);
            QCOMPARE(tables->flows[i].bytes, whole->flows[i].bytes);
        }
        QCOMPARE(tables->espSas.size(), whole->espSas.size());
        for (std::size_t i = 0; i < whole->espSas.size(); ++i) {
            QCOMPARE(tables->espSas[i].packets, whole->espSas[i].packets);
            QCOMPARE(tables->espSas[i].minSeq, whole->espSas[i].minSeq);
            QCOMPARE(tables->espSas[i].maxSeq, whole->espSas[i].maxSeq);
        }
        QCOMPARE(tables->ikeMessages.size(), whole->ikeMessages.size());
        QCOMPARE(tables->icmpErrors.size(), whole->icmpErrors.size());
        QCOMPARE(tables->fragmentedDatagrams.size(), whole->fragmentedDatagrams.size());
        QCOMPARE(tables->kindCounts, whole->kindCounts);
        QCOMPARE(tables->warnings.size(), whole->warnings.size());
        QCOMPARE(tables->firstNs, whole->firstNs);
        QCOMPARE(tables->lastNs, whole->lastNs);
    }

    // --- timestamps ---
    void microsecondTimestamps()
    {
        // ikev2four.out (TZ=GMT0): frame 1 at 2007-08-06 12:21:24.386989, frame 21 at 12:21:24.517735.
        QString error;
        auto index = loadCapture(dataPath(QStringLiteral("tcpdump/tests/ikev2four.pcap")), &error);
        QVERIFY2(index, qPrintable(error));
        const std::int64_t base =
            QDateTime(QDate(2007, 8, 6), QTime(12, 21, 24), QTimeZone::utc()).toSecsSinceEpoch();
        QCOMPARE(index->packets[0].tsNs, base * 1'000'000'000 + 386'989'000);
        QCOMPARE(index->packets[20].tsNs, base * 1'000'000'000 + 517'735'000);
        QVERIFY(!index->file.nanosecondFile);
    }
    void nanosecondTimestamps_data()
    {
        QTest::addColumn<bool>("viaLibpcap");
        QTest::newRow("pcap_dump nano") << true;
        QTest::newRow("hand-written 0xa1b23c4d header") << false;
    }
    void nanosecondTimestamps()
    {
        QFETCH(bool, viaLibpcap);
        const QString path = tmp("nano.pcap");
        QFile::remove(path);
        const std::int64_t t0 = 1'700'000'000'123'456'789; // sub-microsecond digits must survive
        const std::int64_t t1 = 1'700'000'001'000'000'001;
        std::vector<Record> recs = {{t0, 0, concat(ethernet({0x0800}), espV4(0x2001, 1))},
                                    {t1, 0, concat(ethernet({0x0800}), espV4(0x2001, 2))}};
        if (viaLibpcap) {
            QVERIFY(writePcap(path, DLT_EN10MB, recs, true));
        } else {
            Bytes8 b;
            put32le(b, 0xa1b23c4d); // nanosecond magic, little-endian file
            b.insert(b.end(), {2, 0, 4, 0});
            put32le(b, 0);
            put32le(b, 0);
            put32le(b, 65535);
            put32le(b, 1); // LINKTYPE_ETHERNET
            for (const Record &r : recs) {
                put32le(b, std::uint32_t(r.tsNs / 1'000'000'000));
                put32le(b, std::uint32_t(r.tsNs % 1'000'000'000));
                put32le(b, std::uint32_t(r.data.size()));
                put32le(b, std::uint32_t(r.data.size()));
                b.insert(b.end(), r.data.begin(), r.data.end());
            }
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(reinterpret_cast<const char *>(b.data()), qint64(b.size()));
        }
        QString error;
        auto index = loadCapture(path, &error);
        QVERIFY2(index, qPrintable(error));
        QVERIFY(index->file.nanosecondFile);
        QCOMPARE(index->packetCount(), std::size_t(2));
        QCOMPARE(index->packets[0].tsNs, t0);
        QCOMPARE(index->packets[1].tsNs, t1);
        QCOMPARE(index->espSas[0].lastSeq, 2u);

        // The same packets in a µs file lose only the sub-microsecond digits.
        const QString micro = tmp("micro.pcap");
        QFile::remove(micro);
        QVERIFY(writePcap(micro, DLT_EN10MB, recs, false));
        auto mi = loadCapture(micro, &error);
        QVERIFY2(mi, qPrintable(error));
        QVERIFY(!mi->file.nanosecondFile);
        QCOMPARE(mi->packets[0].tsNs, t0 - 789);
        QCOMPARE(mi->packets[1].tsNs, t1 - 1);
    }

    // --- values a record keeps outside its 24 bytes (PacketStore's exception tables) ---
    // A hand-written pcapng with nanosecond timestamps: 1100 packets 1 ns apart (a block of 1024
    // and the next), then +10 years, back, the epoch, two timestamps libpcap hands over beyond
    // 2^62 ns (the reader clamps the seconds to 2^62 / 10^9 - 1 = 4611686017, keeps the ns),
    // then frames longer than a record's byte beyond the IP datagram.
    void recordsBeyondTheirBytes()
    {
        const QString path = tmp("beyond.pcapng");
        QFile::remove(path);
        const std::int64_t t0 = 1'700'000'000'000'000'000;
        const std::int64_t tenYears = 315'576'000'000'000'000; // 10 × 365.25 days
        const Bytes8 esp = concat(ethernet({0x0800}), espV4(0x2001, 1));
        std::vector<Record> recs;
        for (int i = 0; i < 1100; ++i)
            recs.push_back({t0 + i, 0, esp});
        recs.push_back({t0 + tenYears, 0, esp});                            // 1100
        recs.push_back({t0 + 1101, 0, esp});                                // 1101: back by 10 years
        recs.push_back({0, 0, esp});                                        // 1102: 1970-01-01
        recs.push_back({0x3fff'ffff'ffff'ffff, 0, esp});                    // 1103: 2^62 - 1 ns
        recs.push_back({std::numeric_limits<std::int64_t>::min(), 0, esp}); // 1104: 2^63 ns
        recs.push_back({t0 + 1105, 0, esp});                                // 1105
        recs.push_back({t0 + 1106, 262144, esp});                           // 1106: libpcap's largest frame
        Bytes8 other = ethernet({0x88b5});                                  // IEEE local experimental: not IP
        other.insert(other.end(), 46, 0);
        recs.push_back({t0 + 1107, 1514, other}); // 1107: 1514 bytes not IP
        recs.push_back({t0 + 1108, 0, other});    // 1108: 60 bytes not IP
        QVERIFY(writePcapng(path, 1, recs, true));

        QString error;
        auto index = loadCapture(path, &error);
        QVERIFY2(index, qPrintable(error));
        QCOMPARE(index->packetCount(), std::size_t(1109));
        std::vector<std::int64_t> ts;
        for (int i = 0; i < 1100; ++i)
            ts.push_back(t0 + i);
        ts.insert(ts.end(), {t0 + tenYears, t0 + 1101, 0, 4'611'686'017'427'387'903LL,
                             4'611'686'017'854'775'808LL, t0 + 1105, t0 + 1106, t0 + 1107, t0 + 1108});
        // 14 + 44 bytes of Ethernet + IPv4 ESP; the last two frames are not IP.
        std::vector<std::uint32_t> frame(1109, 58);
        frame[1106] = 262144;
        frame[1107] = 1514;
        frame[1108] = 60;
        std::size_t visited = 0;
        index->packets.forEach([&](const PacketRecord &r) {
            const std::size_t i = visited++;
            const PacketRecord at = index->packets[i];
            QCOMPARE(r.tsNs, ts[i]);
            QCOMPARE(at.tsNs, ts[i]);
            QCOMPARE(r.frameLength, frame[i]);
            QCOMPARE(at.frameLength, frame[i]);
            QCOMPARE(at.ipLength, std::uint16_t(i >= 1107 ? 0 : 44));
            QCOMPARE(at.kind, i >= 1107 ? PacketKind::NonIp : PacketKind::Esp);
            QCOMPARE(at.flowId, i >= 1107 ? kNoFlow : 0u);
            QCOMPARE(bool(at.flags & FlagTimeBackwards), i == 1101 || i == 1102 || i == 1105);
            QCOMPARE(bool(at.flags & FlagSnapTruncated), i == 1106 || i == 1107);
        });
        QCOMPARE(visited, std::size_t(1109));
        // In the tables: the four timestamps more than 2^39 ns from their block's first
        // (1100, 1102, 1103, 1104) and the two frames 255+ bytes beyond their IP length.
        QCOMPARE(index->packets.exceptions(), std::size_t(6));
    }

    // The store alone, at the limits of each narrowed field: every value comes back.
    void packetStoreLimits()
    {
        PacketStore store;
        std::vector<PacketRecord> in;
        const auto add = [&](std::int64_t ts, std::uint32_t flow, std::uint32_t frame, std::uint16_t ip) {
            PacketRecord r;
            r.tsNs = ts;
            r.flowId = flow;
            r.frameLength = frame;
            r.ipLength = ip;
            r.a = 0xffffffffu - std::uint32_t(in.size());
            r.b = std::uint32_t(in.size()) * 2654435761u;
            r.flags = std::uint16_t(in.size() & 0xfff);
            r.ipId = std::uint16_t(0xffff - in.size());
            r.kind = PacketKind(in.size() % std::size_t(PacketKind::Count_));
            r.aux = std::uint8_t(255 - in.size());
            in.push_back(r);
            store.push_back(r);
        };
        const std::int64_t min = std::numeric_limits<std::int64_t>::min();
        const std::int64_t max = std::numeric_limits<std::int64_t>::max();
        const std::int64_t half = std::int64_t(1) << 39; // a record's timestamp reach: [-2^39, 2^39 - 2]
        // Block 0 (base: the first timestamp, INT64_MIN).
        add(min, 0, 0, 0);                      // fits
        add(max, kNoFlow, 262144, 40);          // max - min = -1 mod 2^64: fits; frame in the table
        add(-1, 0xfffffffeu, 20, 40);           // ts in the table; flow in the table; frame < IP length
        add(min + half - 2, 0xfffffdu, 254, 0); // the last that fits each field
        add(min + half - 1, 0xfffffeu, 255, 0); // one beyond: all three in the tables
        add(min + 5, 0xffffffu, 1754, 1500);    // flow 2^24 - 1 (not kNoFlow): in the table; frame fits
        while (in.size() < 1024)
            add(min + std::int64_t(in.size()), std::uint32_t(in.size()), 60, 46);
        // Block 1 (base: record 1024's).
        const std::int64_t base = 1'000'000'000'000'000'000;
        add(base, 7, 1514, 1500);
        add(base - half, 7, 1514, 1500);     // fits
        add(base + half - 2, 7, 1514, 1500); // fits
        add(base + half - 1, 7, 1514, 1500); // table
        add(base - half - 1, 7, 1514, 1500); // table
        // In the tables: timestamps of records 2, 4, 1027, 1028; flows of 2, 4, 5; frames of 1, 2, 4.
        QCOMPARE(store.size(), in.size());
        QCOMPARE(store.exceptions(), std::size_t(4 + 3 + 3));
        std::size_t i = 0;
        store.forEach([&](const PacketRecord &r) {
            QVERIFY2(sameRecord(r, in[i]), qPrintable(QStringLiteral("forEach: record %1 differs").arg(i)));
            QVERIFY2(sameRecord(store[i], in[i]), qPrintable(QStringLiteral("[]: record %1 differs").arg(i)));
            ++i;
        });
        QCOMPARE(i, in.size());
    }

    // --- inputs that are not captures: one message naming the file and the reason ---
    void badInputs_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("content"); // null: do not create
        QTest::addColumn<QString>("reason");
        QTest::newRow("text file") << QStringLiteral("notes.txt")
                                   << QByteArray("this is not a capture\nat all\n")
                                   << QStringLiteral("text file");
        QTest::newRow("gzip") << QStringLiteral("trace.pcap.gz")
                              << QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10)
                              << QStringLiteral("gzip");
        QTest::newRow("empty") << QStringLiteral("empty.pcap") << QByteArray("") << QStringLiteral("empty");
        QTest::newRow("missing") << QStringLiteral("missing.pcap") << QByteArray()
                                 << QStringLiteral("no such file");
        // A folder is read as one capture made of its capture files (tst_captureset): an empty one says so.
        QTest::newRow("directory") << QStringLiteral("adir") << QByteArray()
                                   << QStringLiteral("holds no pcap or pcapng capture");
        QTest::newRow("short pcap header")
            << QStringLiteral("short.pcap") << QByteArray("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8)
            << QStringLiteral("header");
    }
    void badInputs()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, content);
        QFETCH(QString, reason);
        const QString path = m_tmp.filePath(name);
        if (name == QLatin1String("adir")) {
            QVERIFY(QDir().mkpath(path));
        } else if (!content.isNull()) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        QString error;
        auto index = loadCapture(path, &error);
        QVERIFY(!index);
        QVERIFY2(error.contains(path), qPrintable(error));
        QVERIFY2(error.contains(reason, Qt::CaseInsensitive), qPrintable(error));
        QCOMPARE(error.count(QLatin1Char('\n')), 0);
    }
    void unsupportedLinkType()
    {
        const QString path = tmp("wifi.pcap");
        Record r{0, 0, Bytes8(40, 0)};
        QVERIFY(writePcap(path, DLT_IEEE802_11, {r}, false));
        QString error;
        auto index = loadCapture(path, &error);
        QVERIFY(!index);
        QVERIFY2(error.contains(path), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("unsupported link type 105")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("IEEE802_11")), qPrintable(error));
    }

    // --- a file that breaks off: partial index plus a warning with the offset ---
    void truncatedLastRecord_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("cut");
        QTest::addColumn<int>("expectedPackets");
        QTest::addColumn<int>("badRecordAt"); // -1: offset not checked
        // isakmp4500.pcap (6830 bytes): 35 records, the last is 16 + 122 bytes (_summary: frame 35
        // len 122), so it starts at byte 6830 - 138 = 6692.
        const QString isakmp = QStringLiteral("tcpdump/tests/isakmp4500.pcap");
        QTest::newRow("pcap, cut inside the data") << isakmp << 10 << 34 << 6692;
        QTest::newRow("pcap, cut inside the record header") << isakmp << 132 << 34 << 6692;
        // ikev2_nat_t.pcapng ends with a 108-byte interface statistics block after the 54th EPB
        // (block lengths read by hand): cutting 10 bytes breaks that block, 118 the last EPB.
        const QString natt = QStringLiteral("scapy/test/pcaps/ikev2_nat_t.pcapng");
        QTest::newRow("pcapng, cut inside the statistics block") << natt << 10 << 54 << -1;
        QTest::newRow("pcapng, cut inside the last packet block") << natt << 118 << 53 << -1;
    }
    void truncatedLastRecord()
    {
        QFETCH(QString, file);
        QFETCH(int, cut);
        QFETCH(int, expectedPackets);
        QFETCH(int, badRecordAt);
        QFile in(dataPath(file));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray all = in.readAll();
        const QString path = tmp("cut.cap");
        {
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(all.left(all.size() - cut));
        }
        QString error;
        auto full = loadCapture(dataPath(file), &error);
        QVERIFY(full);
        // With the reading thread and without it (libpcap on the caller's thread): the same.
        for (const bool thread : {true, false}) {
            auto part = loadCapture(path, &error, {}, nullptr, IndexContents::Records, nullptr, thread);
            QVERIFY2(part, qPrintable(error));
            QVERIFY(part->partial);
            QVERIFY(!part->cancelled);
            QCOMPARE(part->packetCount(), std::size_t(expectedPackets));
            QVERIFY(!part->warnings.empty());
            const CaptureWarning &w = part->warnings.front();
            QCOMPARE(w.packet, std::int64_t(-1));
            QVERIFY2(w.message.contains(path), qPrintable(w.message));
            QVERIFY2(w.message.contains(QStringLiteral("after %1 packets").arg(expectedPackets)),
                     qPrintable(w.message));
            QVERIFY2(w.message.contains(QStringLiteral("byte ")), qPrintable(w.message));
            if (badRecordAt >= 0)
                QVERIFY2(w.message.contains(QStringLiteral("record at byte %1 ").arg(badRecordAt)),
                         qPrintable(w.message));
            for (std::size_t i = 0; i < part->packetCount(); ++i)
                QVERIFY(sameRecord(part->packets[i], full->packets[i]));
        }
    }

    // --- records that carry nothing (a sparse or zero-filled file) stop the read ---
    // A pcap (DLT_RAW) built by hand: "E" is a 16-byte record header plus a 44-byte ESP packet
    // (60 bytes); a number is a hole of that many zero bytes, i.e. zero-length records of 16
    // bytes each. The file header is 24 bytes. Expected counts: 16 MiB / 16 = 1,048,576 void
    // records reach the budget; the one that does is not handed over.
    void voidRecords_data()
    {
        QTest::addColumn<QList<qint64>>("layout"); // -1: an ESP record; n > 0: n zero bytes
        QTest::addColumn<qint64>("packets");
        QTest::addColumn<QString>("message"); // empty: the read is complete
        constexpr qint64 MiB = 1 << 20;
        QTest::newRow("sparse after the header") << QList<qint64>{256 * MiB} << qint64(1048575)
                                                 << QStringLiteral("no valid packet in the last 16 MiB: the "
                                                                   "records from byte 24 to byte 16777240 of "
                                                                   "268435480 are empty or all zeros");
        // The run starts after the ESP record: 24 + 60 = 84; it ends 16 MiB later; the file is
        // 24 + 60 + 64 MiB + 60 bytes.
        QTest::newRow("a packet, then zeros") << QList<qint64>{-1, 64 * MiB, -1} << qint64(1 + 1048575)
                                              << QStringLiteral("no valid packet in the last 16 MiB: the "
                                                                "records from byte 84 to byte 16777300 of "
                                                                "67109008 are empty");
        // 10 MiB (655,360 records) + 6 MiB (393,216, the last one not handed over) in two runs;
        // the file is 24 + 60 + 10 MiB + 60 + 10 MiB bytes.
        // The second run starts at 84 + 10 MiB + 60 = 10485904; the budget is spent 6 MiB later.
        QTest::newRow("two runs") << QList<qint64>{-1, 10 * MiB, -1, 10 * MiB}
                                  << qint64(1 + 655360 + 1 + 393215)
                                  << QStringLiteral("at byte 16777360 of 20971664: 16 MiB of records are "
                                                    "empty or all zeros (the first at byte 84;");
        // A little zero-fill inside a capture is read whole: 65,536 void records.
        QTest::newRow("one MiB of zeros") << QList<qint64>{-1, MiB, -1} << qint64(1 + 65536 + 1) << QString();
    }
    void voidRecords()
    {
        QFETCH(QList<qint64>, layout);
        QFETCH(qint64, packets);
        QFETCH(QString, message);
        const QString path = tmp("void.pcap");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        Bytes8 b;
        put32le(b, 0xa1b2c3d4);
        b.insert(b.end(), {2, 0, 4, 0});
        b.insert(b.end(), 8, 0);
        put32le(b, 65535);
        put32le(b, DLT_RAW);
        for (qint64 part : layout) {
            if (part < 0) {
                const Bytes8 esp = espV4(0x1001, 1);
                put32le(b, 1'600'000'000);
                put32le(b, 0);
                put32le(b, std::uint32_t(esp.size()));
                put32le(b, std::uint32_t(esp.size()));
                b.insert(b.end(), esp.begin(), esp.end());
                QCOMPARE(f.write(reinterpret_cast<const char *>(b.data()), qint64(b.size())),
                         qint64(b.size()));
                b.clear();
            } else {
                QCOMPARE(f.write(reinterpret_cast<const char *>(b.data()), qint64(b.size())),
                         qint64(b.size()));
                b.clear();
                QVERIFY(f.resize(f.size() + part)); // a hole: no disk used
                QVERIFY(f.seek(f.size()));
            }
        }
        QCOMPARE(f.write(reinterpret_cast<const char *>(b.data()), qint64(b.size())), qint64(b.size()));
        f.close();

        for (const bool thread : {true, false}) { // with the reading thread and without
            QString error;
            auto index = loadCapture(path, &error, {}, nullptr, IndexContents::Records, nullptr, thread);
            QVERIFY2(index, qPrintable(error));
            QCOMPARE(qint64(index->packetCount()), packets);
            QCOMPARE(index->partial, !message.isEmpty());
            if (!message.isEmpty()) {
                const QString w = index->warnings.front().message;
                QVERIFY2(w.startsWith(path + QStringLiteral(": read stopped after %1 packets").arg(packets)),
                         qPrintable(w));
                QVERIFY2(w.contains(message), qPrintable(w));
            }
        }
        QFile::remove(path);
    }

    // The same budget for pcapng: an Enhanced Packet Block with no data is 32 bytes, so
    // 524,288 of them are 16 MiB; they follow a 28-byte section header and a 20-byte interface
    // block (byte 48).
    void voidRecordsPcapng()
    {
        const QString path = tmp("void.pcapng");
        QVERIFY(writePcapng(path, DLT_RAW, std::vector<Record>(600000), false));
        for (const bool thread : {true, false}) { // with the reading thread and without
            QString error;
            auto index = loadCapture(path, &error, {}, nullptr, IndexContents::Records, nullptr, thread);
            QVERIFY2(index, qPrintable(error));
            QVERIFY(index->partial);
            QCOMPARE(index->packetCount(), std::size_t(524287));
            const QString w = index->warnings.front().message;
            QVERIFY2(w.contains(QStringLiteral(
                         "no valid packet in the last 16 MiB: the records from byte 48 to byte "
                         "16777264 of 19200048")),
                     qPrintable(w));
        }
        QFile::remove(path);
    }

    // --- progress and cancellation ---

    // --- pcapng Interface Statistics Blocks: the capture's own drop counters ---
    void statisticsBlockFromDumpcap()
    {
        // ikev2_nat_t.pcapng (scapy's test data, written by dumpcap) ends with a 108-byte ISB;
        // decoded by hand with xxd: opt_comment "Counters provided by dumpcap", isb_starttime,
        // isb_endtime, isb_ifrecv = 0x36 = 54, isb_ifdrop = 0; no isb_osdrop.
        QString err;
        const auto idx =
            loadCapture(QFINDTESTDATA("data/captures/scapy/test/pcaps/ikev2_nat_t.pcapng"), &err);
        QVERIFY2(idx, qPrintable(err));
        QVERIFY(idx->captureDrops.has_value());
        const CaptureDrops &d = *idx->captureDrops;
        QCOMPARE(d.interfaces, 1);
        QVERIFY(d.haveReceived);
        QCOMPARE(d.received, std::uint64_t(54));
        QVERIFY(d.haveIfDrop);
        QCOMPARE(d.ifDrop, std::uint64_t(0));
        QVERIFY(!d.haveOsDrop);
        // A pcap file has no statistics blocks.
        const auto pcapIdx =
            loadCapture(QFINDTESTDATA("data/captures/tcpdump/tests/02-sunrise-sunset-esp.pcap"), &err);
        QVERIFY2(pcapIdx, qPrintable(err));
        QVERIFY(!pcapIdx->captureDrops.has_value());
    }

    void statisticsBlocksBothByteOrders()
    {
        // Section 1 little-endian: two ISBs for interface 0 (cumulative: the last one counts).
        // Section 2 big-endian: one ISB for its interface 0. Sum: 200+10, 3+5, 4+7.
        NgBytes le;
        le.shb(), le.idb(), le.isb(0, 100, 1, 2), le.isb(0, 200, 3, 4);
        NgBytes be{true, {}};
        be.shb(), be.idb(), be.isb(0, 10, 5, 7);
        Bytes8 all = le.b;
        all.insert(all.end(), be.b.begin(), be.b.end());
        const QString path = tmp("isb-two-sections.pcapng");
        QVERIFY(writeBytes(path, all));
        const PcapngStatsScan scan = scanPcapngStatistics(path);
        QVERIFY2(scan.warning.isEmpty(), qPrintable(scan.warning));
        QVERIFY(scan.drops.has_value());
        QCOMPARE(scan.drops->interfaces, 2);
        QCOMPARE(scan.drops->received, std::uint64_t(210));
        QCOMPARE(scan.drops->ifDrop, std::uint64_t(8));
        QCOMPARE(scan.drops->osDrop, std::uint64_t(11));
        QCOMPARE(
            captureDropsText(*scan.drops),
            QStringLiteral("the capture itself dropped 19 packets (kernel 11, interface 8) of 210 received: "
                           "these are not transit loss"));
    }

    void statisticsBlocksDamaged_data()
    {
        QTest::addColumn<int>("damage");
        QTest::newRow("block length past the end of the file") << 0;
        QTest::newRow("option length past the end of the block") << 1;
        QTest::newRow("block length not a multiple of 4") << 2;
        QTest::newRow("file cut inside the block header") << 3;
    }
    void statisticsBlocksDamaged()
    {
        QFETCH(int, damage);
        NgBytes ng;
        ng.shb(), ng.idb();
        const std::size_t isbAt = ng.b.size();
        ng.isb(0, 9, 1, 1);
        Bytes8 b = ng.b;
        if (damage == 0) b[isbAt + 4] = 0xf0;      // length 240 > what is left
        if (damage == 1) b[isbAt + 20 + 2] = 0x60; // first option claims 96 bytes
        if (damage == 2) b[isbAt + 4] = 66;
        if (damage == 3) b.resize(isbAt + 6);
        const QString path = m_tmp.filePath(QStringLiteral("isb-damaged-%1.pcapng").arg(damage));
        QVERIFY(writeBytes(path, b));
        const PcapngStatsScan scan = scanPcapngStatistics(path);
        QVERIFY2(!scan.warning.isEmpty(), "a damaged block must be reported");
        QVERIFY2(scan.warning.contains(QString::number(isbAt)), qPrintable(scan.warning)); // names the offset
        if (damage != 1) QVERIFY(!scan.drops.has_value());
    }

    void progressAndCancel()
    {
        const QString path = tmp("many.pcap");
        constexpr int N = 70000; // past one 64 Ki progress step and many 4 Ki cancel polls
        std::vector<Record> recs;
        recs.reserve(N);
        for (int i = 0; i < N; ++i)
            recs.push_back({std::int64_t(1'000'000'000) * 1'000'000'000 + std::int64_t(i) * 1000, 0,
                            espV4(0x3001, std::uint32_t(i + 1))});
        QVERIFY(writePcap(path, DLT_RAW, recs, false));
        const qint64 size = QFileInfo(path).size();

        std::vector<std::pair<std::int64_t, std::uint64_t>> calls;
        QString error;
        auto index =
            loadCapture(path, &error, [&](std::int64_t done, std::int64_t total, std::uint64_t packets) {
                QCOMPARE(total, size);
                calls.emplace_back(done, packets);
            });
        QVERIFY2(index, qPrintable(error));
        QCOMPARE(index->packetCount(), std::size_t(N));
        QVERIFY(calls.size() >= 2);
        for (std::size_t i = 1; i < calls.size(); ++i) {
            QVERIFY(calls[i].first >= calls[i - 1].first);
            QVERIFY(calls[i].second >= calls[i - 1].second);
        }
        QCOMPARE(calls.back().first, size);
        QCOMPARE(calls.back().second, std::uint64_t(N));
        QCOMPARE(index->espSas[0].maxSeq, std::uint32_t(N));

        // A cancel flag raised before the read stops it at the first poll.
        std::atomic_bool cancel{true};
        auto early = loadCapture(path, &error, {}, &cancel);
        QVERIFY(early);
        QVERIFY(early->cancelled);
        QVERIFY(early->partial);
        QVERIFY(early->packetCount() < std::size_t(N));
        QVERIFY(early->packetCount() <= 8192);

        // Raised from another place while reading (here: the sink), it stops within a poll interval.
        auto reader = CaptureReader::open(path, &error);
        QVERIFY(reader);
        std::atomic_bool stop{false};
        std::uint64_t seen = 0;
        const ReadOutcome out = reader->read(
            [&](const RawPacket &) {
                if (++seen == 5000) stop.store(true);
            },
            {}, &stop);
        QVERIFY(out.cancelled);
        QVERIFY(out.packets >= 5000);
        QVERIFY(out.packets <= 8192);
        QCOMPARE(out.packets, seen);

        // The same without the reading thread: progress up to the file's size, the cancel polls.
        calls.clear();
        auto here = loadCapture(
            path, &error,
            [&](std::int64_t done, std::int64_t, std::uint64_t packets) {
                calls.emplace_back(done, packets);
            },
            nullptr, IndexContents::Records, nullptr, false);
        QVERIFY2(here, qPrintable(error));
        QCOMPARE(here->packetCount(), std::size_t(N));
        QCOMPARE(here->espSas[0].maxSeq, std::uint32_t(N));
        QVERIFY(calls.size() >= 2);
        for (std::size_t i = 1; i < calls.size(); ++i)
            QVERIFY(calls[i].first >= calls[i - 1].first && calls[i].second >= calls[i - 1].second);
        QCOMPARE(calls.back().first, size);
        QCOMPARE(calls.back().second, std::uint64_t(N));
        auto earlyHere = loadCapture(path, &error, {}, &cancel, IndexContents::Records, nullptr, false);
        QVERIFY(earlyHere && earlyHere->cancelled && earlyHere->partial);
        QCOMPARE(earlyHere->packetCount(), std::size_t(4096)); // stopped at the first poll
        auto reader2 = CaptureReader::open(path, &error);
        QVERIFY(reader2);
        reader2->setReaderThread(false);
        stop = false;
        seen = 0;
        const ReadOutcome out2 = reader2->read(
            [&](const RawPacket &) {
                if (++seen == 5000) stop.store(true);
            },
            {}, &stop);
        QVERIFY(out2.cancelled);
        QCOMPARE(out2.packets, std::uint64_t(8192)); // the next poll after 5000
        QCOMPARE(out2.packets, seen);
    }

    // Every committed capture read with and without the reading thread: the same records.
    // The flow of every packet, with more IPv4 5-tuples (600) than the index builder's caches
    // have entries (256), interleaved at random so entries are evicted and found again, then the
    // tuples that differ only in protocol or family right after each other: UDP,
    // ESP (no ports), non-first IPv4 fragments (no ports: one flow with port-0 UDP of the same
    // hosts), ESP and UDP between the same hosts without ports, IPv6 UDP between IPv4-mapped addresses
    // with the same 16 bytes as an IPv4 flow (another flow: the family differs), and ESP from one
    // source to two destinations (a hub). Expected: the flows in order
    // of first appearance and their packet counts, from the tuples written here.
    void flowsOfManyInterleavedTuples()
    {
        struct Tuple
        {
            int family; // 4 or 6
            std::uint32_t src, dst;
            std::uint16_t sport, dport;
            std::uint8_t proto;
            bool fragment;
        };
        std::uint64_t state = 99;
        const auto next = [&state](std::uint32_t below) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            return std::uint32_t((state >> 33) % below);
        };
        std::vector<Tuple> tuples;
        for (int k = 0; k < 600; ++k) {
            const std::uint32_t src = synth::ip4(10, 0, k / 100, k % 100 + 1),
                                dst = synth::ip4(10, 1, 0, k % 7 + 1);
            switch (k % 5) {
            case 0:
            case 1: // UDP; every 20th to port 0 (the fragments' flow of the same hosts)
                tuples.push_back({4, src, dst, std::uint16_t(k % 20 ? 1000 + k : 0),
                                  std::uint16_t(k % 20 ? 5000 : 0), 17, false});
                break;
            case 2:
                tuples.push_back({4, src, dst, 0, 0, 50, false});
                break;
            case 3: // the hosts of tuple k - 3 (UDP, to port 0 when k - 3 is a multiple of 20)
                tuples.push_back(
                    {4, tuples[std::size_t(k - 3)].src, tuples[std::size_t(k - 3)].dst, 0, 0, 17, true});
                break;
            default:
                tuples.push_back({6, src, dst, std::uint16_t(1000 + k), 5000, 17, false});
                break;
            }
        }
        // ESP between the hosts of tuple 0 (UDP from port 0 to port 0): only the protocol differs.
        tuples.push_back({4, tuples[0].src, tuples[0].dst, 0, 0, 50, false});
        // The IPv6 twin of tuple 1 (same address bytes as IPv4-mapped, same ports).
        tuples.push_back({6, tuples[1].src, tuples[1].dst, tuples[1].sport, tuples[1].dport, 17, false});
        // ESP from the source of tuple 2 (ESP) to another peer, as a hub's: only the destination
        // differs (every other tuple has a source of its own).
        tuples.push_back({4, tuples[2].src, synth::ip4(10, 1, 0, 200), 0, 0, 50, false});
        const auto packetOf = [](const Tuple &t, std::uint16_t id) {
            using namespace synth;
            if (t.family == 6) {
                Buf ip{0x60, 0, 0, 0};
                const Buf u = udp(t.sport, t.dport, Buf(12, 0x11));
                synth::put16(ip, std::uint16_t(u.size()));
                ip.push_back(17);
                ip.push_back(64);
                for (std::uint32_t a : {t.src, t.dst}) {
                    ip.insert(ip.end(), {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff});
                    synth::put32(ip, a);
                }
                append(ip, u);
                return ip;
            }
            if (t.fragment) return ipv4(Ip{t.src, t.dst, id, false, false, 1480}, 17, Buf(40, 0x22));
            if (t.proto == 50) return ipv4(Ip{t.src, t.dst, id}, 50, esp(0x1000 + id, id, 16));
            return ipv4(Ip{t.src, t.dst, id}, 17, udp(t.sport, t.dport, Buf(12, 0x33)));
        };
        std::vector<synth::Packet> packets;
        std::vector<std::size_t> order;
        for (std::size_t k = 0; k < tuples.size(); ++k)
            order.push_back(k); // each tuple once in order, then 6000 at random in runs of 1-3
        while (order.size() < tuples.size() + 6000) {
            const std::size_t k = next(std::uint32_t(tuples.size()));
            for (std::uint32_t n = next(3); n < 3; ++n)
                order.push_back(k);
        }
        for (int round = 0; round < 50; ++round) // the twins right after each other
            for (std::size_t k : {std::size_t(0), std::size_t(600), std::size_t(1), std::size_t(601),
                                  std::size_t(3), std::size_t(2), std::size_t(602)})
                order.push_back(k);
        using Key = std::tuple<int, std::uint32_t, std::uint32_t, std::uint16_t, std::uint16_t, std::uint8_t>;
        std::map<Key, std::size_t> idOf;
        std::vector<std::pair<Key, std::uint64_t>> expected; // by flow id: the key and its packets
        for (std::size_t k = 0; k < order.size(); ++k) {
            const Tuple &t = tuples[order[k]];
            packets.push_back({std::int64_t(k) * 1000, packetOf(t, std::uint16_t(k + 1))});
            const Key key{t.family, t.src, t.dst, t.sport, t.dport, t.proto};
            const auto [it, inserted] = idOf.try_emplace(key, expected.size());
            if (inserted) expected.push_back({key, 0});
            ++expected[it->second].second;
        }
        const QString path = m_tmp.filePath(QStringLiteral("flows.pcap"));
        QVERIFY(synth::writePcap(path, packets));
        QString error;
        const auto index = loadCapture(path, &error);
        QVERIFY2(index, qPrintable(error));
        QCOMPARE(index->packetCount(), order.size());
        QCOMPARE(index->flows.size(), expected.size());
        QVERIFY(expected.size() < tuples.size()); // port-0 UDP and fragments of the same hosts share
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const auto &[key, count] = expected[i];
            const Flow &f = index->flows[i];
            QCOMPARE(f.src.v6, std::get<0>(key) == 6);
            QCOMPARE(f.src.v4(), std::get<1>(key));
            QCOMPARE(f.dst.v4(), std::get<2>(key));
            QCOMPARE(f.srcPort, std::get<3>(key));
            QCOMPARE(f.dstPort, std::get<4>(key));
            QCOMPARE(f.proto, std::get<5>(key));
            QCOMPARE(f.packets, count);
        }
    }

    void readerThreadOrNot()
    {
        int n = 0;
        QDirIterator it(QStringLiteral(IKEV2WB_TEST_DATA),
                        {QStringLiteral("*.pcap"), QStringLiteral("*.pcapng")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QString e1, e2;
            auto a = loadCapture(path, &e1);
            auto b = loadCapture(path, &e2, {}, nullptr, IndexContents::Records, nullptr, false);
            QCOMPARE(bool(a), bool(b));
            QCOMPARE(e1, e2);
            if (!a) continue;
            compareIndexes(*a, *b);
            QCOMPARE(a->partial, b->partial);
            for (std::size_t w = 0; w < a->warnings.size(); ++w)
                QCOMPARE(a->warnings[w].message, b->warnings[w].message);
            ++n;
        }
        QVERIFY(n >= 50);
    }
};

QTEST_GUILESS_MAIN(TestCapture)
#include "tst_capture.moc"
