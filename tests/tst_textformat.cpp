// core/util/textformat: the one way SPIs, addresses and UTC times are written. Expected texts
// from `date -u -d @1709294405` (2024-03-01 12:00:05) and RFC 5952 written out by hand.
#include "dissect/ipaddress.h"
#include "report/jsonwriter.h"
#include "util/textformat.h"

#include <QTest>

#include <limits>

using namespace ikev2wb;

class TstTextFormat : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void utc_data()
    {
        QTest::addColumn<qint64>("ns");
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("text");
        const qint64 t = 1709294405123456789LL;
        QTest::newRow("ms") << t << int(UtcFormat::Milliseconds) << QStringLiteral("2024-03-01 12:00:05.123");
        QTest::newRow("ms UTC") << t << int(UtcFormat::MillisecondsSuffix)
                                << QStringLiteral("2024-03-01 12:00:05.123 UTC");
        QTest::newRow("ns") << t << int(UtcFormat::Nanoseconds)
                            << QStringLiteral("2024-03-01 12:00:05.123456789 UTC");
        QTest::newRow("time of day") << t << int(UtcFormat::TimeOfDay) << QStringLiteral("12:00:05.123");
        QTest::newRow("minutes") << t << int(UtcFormat::Minutes) << QStringLiteral("2024-03-01 12:00 UTC");
        // Before the epoch: nanoseconds floor to the second before; milliseconds truncate toward 0.
        QTest::newRow("ns -1") << qint64(-1) << int(UtcFormat::Nanoseconds)
                               << QStringLiteral("1969-12-31 23:59:59.999999999 UTC");
        QTest::newRow("ms -1") << qint64(-1) << int(UtcFormat::Milliseconds)
                               << QStringLiteral("1970-01-01 00:00:00.000");
    }
    void utc()
    {
        QFETCH(qint64, ns);
        QFETCH(int, format);
        QFETCH(QString, text);
        QCOMPARE(utcText(ns, UtcFormat(format)), text);
    }
    void spiAndAddress()
    {
        QCOMPARE(spiText(0xc1a2), QStringLiteral("0x0000c1a2"));
        QCOMPARE(spiText(0xffffffffu), QStringLiteral("0xffffffff"));
        const std::uint8_t v4[4] = {192, 0, 2, 1};
        QCOMPARE(addressText(IpAddress::fromV4(v4)), QStringLiteral("192.0.2.1"));
        const std::uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        QCOMPARE(addressText(IpAddress::fromV6(v6)), QStringLiteral("2001:db8::1"));
    }
    /// The JSON time form: whole seconds, a point, nine digits of nanoseconds; sign before 1970.
    void epochSecondsForm()
    {
        QCOMPARE(epochSeconds(0), std::string("0.000000000"));
        QCOMPARE(epochSeconds(1'700'000'000'123'456'789), std::string("1700000000.123456789"));
        QCOMPARE(epochSeconds(5), std::string("0.000000005"));
        QCOMPARE(epochSeconds(-1), std::string("-0.000000001"));
        QCOMPARE(epochSeconds(-1'500'000'000), std::string("-1.500000000"));
        // INT64_MIN = -9223372036854775808 ns: its magnitude does not fit in int64 either.
        QCOMPARE(epochSeconds(std::numeric_limits<std::int64_t>::min()),
                 std::string("-9223372036.854775808"));
        QCOMPARE(epochSecondsText(42'000'000'001), QStringLiteral("42.000000001"));
    }

    // What a terminal acts on is written visibly; line breaks, tabs and ordinary text are kept.
    void terminalTextEscapes()
    {
        QCOMPARE(terminalText(QStringLiteral("a\tb\nc é → ✓")), QStringLiteral("a\tb\nc é → ✓"));
        QCOMPARE(terminalText(QStringLiteral("\x1b]0;T\x07\r\x08\x7f")),
                 QStringLiteral("\\x1b]0;T\\x07\\x0d\\x08\\x7f"));
        QCOMPARE(terminalText(QString(QChar(0x9b)) + QChar(0x202e) + QChar(0x2028) + QChar(0x200b)),
                 QStringLiteral("\\x9b\\x202e\\x2028\\x200b"));
        QCOMPARE(terminalText(std::string("ok\n")), std::string("ok\n"));
        QCOMPARE(terminalText(std::string("\x1b[2J \xc2\x9b \xc3\xa9")),
                 std::string("\\x1b[2J \\x9b \xc3\xa9"));
    }

    // Outside the BMP: the tag characters U+E0000–U+E007F (invisible, category Cf: "ASCII
    // smuggling") are one code point each, written with five hex digits; an emoji (U+1F600, So)
    // and a CJK ideograph of plane 2 (U+20000, Lo) are kept. A lone surrogate (not text) is
    // written too. Code points and UTF-16/UTF-8 forms from the Unicode charts, by hand.
    void terminalTextEscapesOutsideTheBmp()
    {
        const QString tagA = QString::fromUcs4(U"\U000E0041"); // TAG LATIN CAPITAL LETTER A
        QCOMPARE(tagA.size(), 2);
        QCOMPARE(terminalText(QStringLiteral("ok") + tagA + QStringLiteral("!")),
                 QStringLiteral("ok\\xe0041!"));
        QCOMPARE(terminalText(QString::fromUcs4(U"\U000E0001\U000E007F")),
                 QStringLiteral("\\xe0001\\xe007f"));
        const QString kept = QString::fromUcs4(U"\U0001F600 \U00020000");
        QCOMPARE(terminalText(kept), kept);
        QCOMPARE(terminalText(QString(QChar(0xd800)) + QStringLiteral("x") + QChar(0xdc00)),
                 QStringLiteral("\\xd800x\\xdc00"));
        // UTF-8 of U+E0041 is F3 A0 81 81.
        QCOMPARE(terminalText(std::string("a\xf3\xa0\x81\x81")), std::string("a\\xe0041"));
        // Newline and tab can be written too (a one-line cell, a clipboard copy).
        QCOMPARE(visibleControls(QStringLiteral("a\tb\n"), false), QStringLiteral("a\\x09b\\x0a"));
    }

    // JSON spells a control outside the BMP as its UTF-16 surrogate pair (U+E0041 = DB40 DC41),
    // so a JSON reader gets the same string back and a terminal never sees the raw character.
    void jsonEscapesTagCharacters()
    {
        JsonWriter w;
        w.value(std::string_view("x\xf3\xa0\x81\x81y \xf0\x9f\x98\x80"));
        QCOMPARE(QByteArray::fromStdString(w.str()), QByteArray("\"x\\udb40\\udc41y \xf0\x9f\x98\x80\""));
    }
};

QTEST_GUILESS_MAIN(TstTextFormat)
#include "tst_textformat.moc"
