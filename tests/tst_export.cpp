// Exports: chosen packets copied to a new pcapng (core/capture/packetexport.h) and CSV cells
// (core/report/csv.h). The oracles are other programs: editcap selects the same frames from the
// source (its records are compared byte for byte, timestamp and lengths, with ours through
// libpcap), capinfos/tshark read our file, and Python's csv module parses our CSV back.
#include "report/csv.h"
#include "report/packetexport.h"

#include <pcap/pcap.h>

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <vector>

using namespace ikev2wb;

namespace {
struct Record
{
    qint64 sec = 0, nsec = 0;
    quint32 caplen = 0, len = 0;
    QByteArray bytes;
    bool operator==(const Record &) const = default;
};

struct ReadBack
{
    int linkType = -1;
    std::vector<Record> records;
    QString error;
};

ReadBack readAll(const QString &path)
{
    ReadBack out;
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path.toLocal8Bit().constData(),
                                                        PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) {
        out.error = QString::fromLocal8Bit(err);
        return out;
    }
    out.linkType = pcap_datalink(p);
    pcap_pkthdr *h = nullptr;
    const u_char *d = nullptr;
    while (pcap_next_ex(p, &h, &d) == 1)
        out.records.push_back({h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len,
                               QByteArray(reinterpret_cast<const char *>(d), int(h->caplen))});
    pcap_close(p);
    return out;
}

QString run(const QString &program, const QStringList &args, int *exitCode = nullptr)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000)) return QStringLiteral("<timeout>");
    if (exitCode) *exitCode = p.exitCode();
    return QString::fromUtf8(p.readAllStandardOutput());
}

const QString kLab = QStringLiteral(IKEV2WB_TEST_DATA "/lab/loss1/left-outer.pcap");
} // namespace

class TestExport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("editcap")).isEmpty() ||
            QStandardPaths::findExecutable(QStringLiteral("tshark")).isEmpty())
            QSKIP("editcap/tshark (wireshark-common, tshark) not installed: scripts/setup-deps.sh installs "
                  "them");
    }

    void packetsEqualEditcapSelection()
    {
        QTemporaryDir dir;
        const std::vector<std::uint64_t> frames{1, 2, 7, 40, 41, 42, 500, 1000};
        const QString ours = dir.filePath(QStringLiteral("ours.pcapng"));
        PacketExportResult r;
        QString error;
        QVERIFY2(exportPackets(kLab, frames, ours, &r, &error), qPrintable(error));
        QCOMPARE(r.written, quint64(frames.size()));
        QVERIFY2(r.warning.isEmpty(), qPrintable(r.warning));

        const QString ref = dir.filePath(QStringLiteral("ref.pcapng"));
        QStringList args{QStringLiteral("-r"), QStringLiteral("-F"), QStringLiteral("pcapng"), kLab, ref};
        for (auto f : frames)
            args << QString::number(f);
        int rc = -1;
        run(QStringLiteral("editcap"), args, &rc);
        QCOMPARE(rc, 0);

        const ReadBack a = readAll(ours), b = readAll(ref);
        QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
        QVERIFY2(b.error.isEmpty(), qPrintable(b.error));
        QCOMPARE(a.linkType, b.linkType);
        QCOMPARE(a.records.size(), frames.size());
        QVERIFY(a.records == b.records);

        // tshark reads it as pcapng with the same encapsulation as the source.
        const QString info =
            run(QStringLiteral("capinfos"), {QStringLiteral("-t"), QStringLiteral("-E"), QStringLiteral("-c"),
                                             QStringLiteral("-T"), ours});
        QVERIFY2(info.contains(QLatin1String("pcapng")), qPrintable(info));
        QVERIFY2(info.contains(QLatin1String("\t8")), qPrintable(info));
    }

    void rawIpKeepsItsLinkType()
    {
        // A raw-IP capture (tun, xfrm and vti interfaces): libpcap calls it DLT_RAW (12 on
        // Linux), the file must say LINKTYPE_RAW (101). Made from the lab capture by editcap
        // (strip the 14-byte Ethernet header, relabel).
        QTemporaryDir dir;
        const QString raw = dir.filePath(QStringLiteral("raw.pcap"));
        int rc = -1;
        run(QStringLiteral("editcap"),
            {QStringLiteral("-C"), QStringLiteral("14"), QStringLiteral("-T"), QStringLiteral("rawip"), kLab,
             raw},
            &rc);
        QCOMPARE(rc, 0);
        const QString ours = dir.filePath(QStringLiteral("ours.pcapng"));
        QString error;
        const std::vector<std::uint64_t> frames{3, 4};
        QVERIFY2(exportPackets(raw, frames, ours, nullptr, &error), qPrintable(error));

        // The Interface Description Block by hand: SHB length at offset 4, IDB link type after
        // its type and length (little-endian here: the writer uses host order on x86).
        QFile f(ours);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray d = f.readAll();
        quint32 shbLen = 0;
        memcpy(&shbLen, d.constData() + 4, 4);
        quint16 linkType = 0;
        memcpy(&linkType, d.constData() + shbLen + 8, 2);
        QCOMPARE(linkType, quint16(101));

        const QString srcA = run(QStringLiteral("tshark"),
                                 {QStringLiteral("-r"), raw, QStringLiteral("-Y"),
                                  QStringLiteral("frame.number in {3,4}"), QStringLiteral("-T"),
                                  QStringLiteral("fields"), QStringLiteral("-e"), QStringLiteral("ip.src")});
        const QString srcB = run(QStringLiteral("tshark"),
                                 {QStringLiteral("-r"), ours, QStringLiteral("-T"), QStringLiteral("fields"),
                                  QStringLiteral("-e"), QStringLiteral("ip.src")});
        QVERIFY(!srcA.trimmed().isEmpty());
        QCOMPARE(srcB, srcA);
    }

    void badInput()
    {
        QTemporaryDir dir;
        QString error;
        const std::vector<std::uint64_t> frames{1};
        // Not a capture: a clear error, nothing written.
        const QString out = dir.filePath(QStringLiteral("x.pcapng"));
        QVERIFY(!exportPackets(QStringLiteral(IKEV2WB_TEST_DATA "/README.md"), frames, out, nullptr, &error));
        QVERIFY2(error.contains(QLatin1String("README.md")), qPrintable(error));
        QVERIFY(!QFile::exists(out));
        // Frames beyond the file: written up to its end, with a warning saying so.
        const std::vector<std::uint64_t> beyond{2, 99999999};
        PacketExportResult r;
        QVERIFY2(exportPackets(kLab, beyond, out, &r, &error), qPrintable(error));
        QCOMPARE(r.written, quint64(1));
        QVERIFY2(r.warning.contains(QLatin1String("1 of the 2")), qPrintable(r.warning));
        // Not ascending: refused.
        const std::vector<std::uint64_t> unsorted{5, 3};
        QVERIFY(!exportPackets(kLab, unsorted, dir.filePath(QStringLiteral("y.pcapng")), nullptr, &error));
        // A symbolic link at the destination is replaced, not written through.
        const QString target = dir.filePath(QStringLiteral("victim"));
        QFile v(target);
        QVERIFY(v.open(QIODevice::WriteOnly));
        v.write("keep");
        v.close();
        const QString link = dir.filePath(QStringLiteral("link.pcapng"));
        QVERIFY(QFile::link(target, link));
        exportPackets(kLab, frames, link, nullptr, &error);
        QFile check(target);
        QVERIFY(check.open(QIODevice::ReadOnly));
        QCOMPARE(check.readAll(), QByteArray("keep"));
        // Cancelled (the reader looks every 4096 records; the file has more): an error, nothing
        // left behind, not even the temporary file.
        std::atomic_bool cancel{true};
        std::vector<std::uint64_t> all;
        for (std::uint64_t i = 1; i <= 4500; ++i)
            all.push_back(i);
        QTemporaryDir empty;
        const QString cancelled = empty.filePath(QStringLiteral("c.pcapng"));
        QVERIFY(!exportPackets(kLab, all, cancelled, nullptr, &error, &cancel));
        QVERIFY2(error.contains(QLatin1String("cancelled")), qPrintable(error));
        QCOMPARE(QDir(empty.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }

    void csvCells_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << QStringLiteral("ESP") << QStringLiteral("ESP");
        QTest::newRow("comma") << QStringLiteral("a,b") << QStringLiteral("\"a,b\"");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
        QTest::newRow("newline") << QStringLiteral("a\nb") << QStringLiteral("\"a\nb\"");
        QTest::newRow("formula") << QStringLiteral("=1+2") << QStringLiteral("'=1+2");
        QTest::newRow("at") << QStringLiteral("@SUM(A1)") << QStringLiteral("'@SUM(A1)");
        QTest::newRow("dde") << QStringLiteral("-cmd|' /C calc'!A0") << QStringLiteral("'-cmd|' /C calc'!A0");
        QTest::newRow("plus alone") << QStringLiteral("+") << QStringLiteral("'+");
        QTest::newRow("tab") << QStringLiteral("\t=x") << QStringLiteral("'\t=x");
        QTest::newRow("negative") << QStringLiteral("-5") << QStringLiteral("-5");
        QTest::newRow("signed decimal") << QStringLiteral("+1.25") << QStringLiteral("+1.25");
        QTest::newRow("ipv6") << QStringLiteral("2001:db8::1") << QStringLiteral("2001:db8::1");
        QTest::newRow("formula with comma") << QStringLiteral("=HYPERLINK(\"x\",\"y\")")
                                            << QStringLiteral("\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
    }

    void csvCells()
    {
        QFETCH(QString, value);
        QFETCH(QString, expected);
        QCOMPARE(csvField(value), expected);
    }

    void csvParsedByPython()
    {
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (python.isEmpty()) QSKIP("python3 not installed");
        const QList<QStringList> rows{{QStringLiteral("frame"), QStringLiteral("info")},
                                      {QStringLiteral("1"), QStringLiteral("a, \"b\"\nc")},
                                      {QStringLiteral("-2"), QStringLiteral(" spaced ")},
                                      {QStringLiteral("=x"), QString()}};
        QString csv;
        for (const QStringList &r : rows)
            csv += csvRow(r);
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("t.csv")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(csv.toUtf8());
        f.close();
        const QString out = run(
            python, {QStringLiteral("-c"),
                     QStringLiteral("import csv,sys,json;print(json.dumps(list(csv.reader(open(sys.argv[1],"
                                    "newline='',encoding='utf-8')))))"),
                     f.fileName()});
        const QString expected = QStringLiteral("[[\"frame\", \"info\"], [\"1\", \"a, \\\"b\\\"\\nc\"], "
                                                "[\"-2\", \" spaced \"], [\"'=x\", \"\"]]\n");
        QCOMPARE(out, expected);
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
