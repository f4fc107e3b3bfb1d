// Packet time texts (core/util/timeformat) and the count of timestamps going backwards
// (IndexBuilder, FlagTimeBackwards, wb.time_backwards). Every expected string is worked by hand
// in the comment beside it; the capture is written byte by byte here.
#include "filter/displayfilter.h"
#include "index/indexbuilder.h"
#include "util/timeformat.h"

#include <QTemporaryDir>
#include <QTest>

using namespace ikev2wb;

namespace {

constexpr std::int64_t kS = 1'000'000'000;

void le16(QByteArray &b, std::uint16_t v)
{
    b.append(char(v & 0xff)).append(char(v >> 8));
}
void le32(QByteArray &b, std::uint32_t v)
{
    le16(b, std::uint16_t(v & 0xffff));
    le16(b, std::uint16_t(v >> 16));
}

/// A microsecond pcap (LINKTYPE_ETHERNET) of ARP-typed frames at the given (s, µs) times.
QByteArray pcapAt(const std::vector<std::pair<std::uint32_t, std::uint32_t>> &times)
{
    QByteArray b;
    le32(b, 0xa1b2c3d4); // written little-endian: d4 c3 b2 a1, microsecond resolution
    le16(b, 2);
    le16(b, 4);
    le32(b, 0);     // thiszone
    le32(b, 0);     // sigfigs
    le32(b, 65535); // snaplen
    le32(b, 1);     // Ethernet
    for (const auto &[s, us] : times) {
        le32(b, s);
        le32(b, us);
        le32(b, 42);
        le32(b, 42);
        QByteArray frame(42, '\0');
        frame[12] = char(0x08); // ethertype 0x0806 (ARP): not IP, the index just counts it
        frame[13] = char(0x06);
        b.append(frame);
    }
    return b;
}

} // namespace

class TstTimeFormat : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void seconds_data()
    {
        QTest::addColumn<qint64>("ns");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << qint64(0) << QStringLiteral("0.000000");
        // 12 s + 500 µs
        QTest::newRow("twelve") << qint64(12'000'500'000) << QStringLiteral("12.000500");
        // 1.5 µs: half away from zero -> 2 µs
        QTest::newRow("half up") << qint64(1'500) << QStringLiteral("0.000002");
        // 1.499 µs -> 1 µs
        QTest::newRow("below half") << qint64(1'499) << QStringLiteral("0.000001");
        // 999999.5 µs -> 1000000 µs: the carry reaches the seconds
        QTest::newRow("carry") << qint64(999'999'500) << QStringLiteral("1.000000");
        // -2 ms
        QTest::newRow("negative") << qint64(-2'000'000) << QStringLiteral("-0.002000");
        // -1.5 µs -> -2 µs
        QTest::newRow("negative half") << qint64(-1'500) << QStringLiteral("-0.000002");
        // -400 ns rounds to 0 µs but keeps its sign
        QTest::newRow("tiny step back") << qint64(-400) << QStringLiteral("-0.000000");
        // one hour
        QTest::newRow("hour") << qint64(3600) * kS << QStringLiteral("3600.000000");
        // INT64_MIN ns = -9223372036.854775808 s -> -9223372036.854776 (0.808 µs rounds up)
        QTest::newRow("int64 min") << std::numeric_limits<qint64>::min()
                                   << QStringLiteral("-9223372036.854776");
    }
    void seconds()
    {
        QFETCH(qint64, ns);
        QFETCH(QString, text);
        QCOMPARE(formatSeconds(ns), text);
    }

    void dateTime_data()
    {
        QTest::addColumn<qint64>("ns");
        QTest::addColumn<int>("offsetS");
        QTest::addColumn<QString>("text");
        QTest::newRow("epoch") << qint64(0) << 0 << QStringLiteral("1970-01-01 00:00:00.000000");
        // 1,700,000,000 s = 19675 days + 80000 s; day 19675 = 2023 day 317 (0-based) = Nov 14;
        // 80000 s = 22:13:20. 0.123456789 s rounds to .123457.
        QTest::newRow("2023") << qint64(1'700'000'000'123'456'789) << 0
                              << QStringLiteral("2023-11-14 22:13:20.123457");
        // .9999995 s rounds up to the next second
        QTest::newRow("carry") << qint64(1'700'000'000'999'999'500) << 0
                               << QStringLiteral("2023-11-14 22:13:21.000000");
        // The same instant at UTC+05:30: 22:13:20 + 5:30 = 03:43:20 on Nov 15
        QTest::newRow("+05:30") << qint64(1'700'000'000'123'456'789) << (5 * 3600 + 1800)
                                << QStringLiteral("2023-11-15 03:43:20.123457");
        // At UTC-08:00: 14:13:20 on Nov 14
        QTest::newRow("-08:00") << qint64(1'700'000'000) * kS << (-8 * 3600)
                                << QStringLiteral("2023-11-14 14:13:20.000000");
        // -1.5 µs -> -2 µs: 2 µs before the epoch
        QTest::newRow("before 1970") << qint64(-1'500) << 0 << QStringLiteral("1969-12-31 23:59:59.999998");
    }
    void dateTime()
    {
        QFETCH(qint64, ns);
        QFETCH(int, offsetS);
        QFETCH(QString, text);
        const QTimeZone zone = offsetS == 0 ? QTimeZone::utc() : QTimeZone(offsetS);
        QVERIFY(zone.isValid());
        QCOMPARE(formatDateTime(ns, zone), text);
    }

    void packetTimeModes()
    {
        const std::int64_t t = 1'700'000'000 * kS + 250'000'000; // 22:13:20.25 UTC
        const std::int64_t base = 1'700'000'000 * kS - 2 * kS;   // 2 s before 22:13:20
        const QTimeZone plusOne(3600);
        QCOMPARE(formatPacketTime(TimeDisplay::Utc, t, base, plusOne),
                 QStringLiteral("2023-11-14 22:13:20.250000"));
        QCOMPARE(formatPacketTime(TimeDisplay::Local, t, base, plusOne),
                 QStringLiteral("2023-11-14 23:13:20.250000"));
        for (TimeDisplay m :
             {TimeDisplay::SinceStart, TimeDisplay::SinceReference, TimeDisplay::SincePrevious})
            QCOMPARE(formatPacketTime(m, t, base, plusOne), QStringLiteral("2.250000"));
        // Earlier than the base: a negative number, never an absolute value.
        QCOMPARE(formatPacketTime(TimeDisplay::SincePrevious, base, t, plusOne), QStringLiteral("-2.250000"));
        // pcapng times may reach ±2^62 ns: their difference (2^63 ns) does not overflow.
        const std::int64_t big = std::int64_t(1) << 62;
        // 2^63 ns = 9223372036.854775808 s -> .854776
        QCOMPARE(formatPacketTime(TimeDisplay::SinceStart, big, -big, plusOne),
                 QStringLiteral("9223372036.854776"));
    }

    void keys()
    {
        for (TimeDisplay m : {TimeDisplay::Utc, TimeDisplay::Local, TimeDisplay::SinceStart,
                              TimeDisplay::SinceReference, TimeDisplay::SincePrevious})
            QCOMPARE(timeDisplayFromKey(timeDisplayKey(m)), std::optional<TimeDisplay>(m));
        QCOMPARE(timeDisplayKey(TimeDisplay::Utc), QStringLiteral("utc"));
        QVERIFY(!timeDisplayFromKey(u"sideways").has_value());
    }

    // Seven frames; frame 3 is 0.5 s before frame 2 and frame 6 is 52 s before frame 5 (frames
    // 4 and 5 share a time: equal is not backwards). Two steps back.
    void backwardsCounted()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("stepped.pcap"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(pcapAt({{100, 0}, {101, 0}, {100, 500000}, {102, 0}, {102, 0}, {50, 0}, {60, 0}}));
        f.close();
        QString error;
        const auto index = loadCapture(path, &error);
        QVERIFY2(index, qPrintable(error));
        QCOMPARE(index->packetCount(), std::size_t(7));
        QCOMPARE(index->timeBackwards, std::uint64_t(2));
        QCOMPARE(index->firstTimeBackwards, std::int64_t(2)); // frame 3, 0-based
        QCOMPARE(index->largestStepBackNs, 52 * kS);
        QCOMPARE(index->firstNs, 50 * kS); // the earliest, not the first frame's
        QCOMPARE(index->lastNs, 102 * kS);
        for (std::size_t i = 0; i < 7; ++i)
            QCOMPARE((index->packets[i].flags & FlagTimeBackwards) != 0, i == 2 || i == 5);
        // Frame 3 since the previous frame: 100.5 - 101 = -0.5 s.
        QCOMPARE(formatPacketTime(TimeDisplay::SincePrevious, index->packets[2].tsNs, index->packets[1].tsNs,
                                  QTimeZone::utc()),
                 QStringLiteral("-0.500000"));

        FilterError fe;
        const DisplayFilter back = DisplayFilter::compile(QStringLiteral("wb.time_backwards"), &fe);
        QVERIFY2(back.isValid(), qPrintable(fe.toString()));
        QCOMPARE(selectPackets(back, *index), (std::vector<std::uint32_t>{2, 5}));
        const DisplayFilter forward = DisplayFilter::compile(QStringLiteral("!wb.time_backwards"), &fe);
        QCOMPARE(selectPackets(forward, *index), (std::vector<std::uint32_t>{0, 1, 3, 4, 6}));
    }

    // A capture whose times only rise (or repeat) has none.
    void monotonicHasNone()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("flat.pcap"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(pcapAt({{100, 0}, {100, 0}, {100, 1}, {200, 0}}));
        f.close();
        QString error;
        const auto index = loadCapture(path, &error);
        QVERIFY2(index, qPrintable(error));
        QCOMPARE(index->timeBackwards, std::uint64_t(0));
        QCOMPARE(index->firstTimeBackwards, std::int64_t(-1));
    }
};

QTEST_GUILESS_MAIN(TstTimeFormat)
#include "tst_timeformat.moc"
