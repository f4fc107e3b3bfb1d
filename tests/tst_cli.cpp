// The built `ikev2wb` command line, run as a process: exit codes, messages, and the JSON
// documents checked against what tcpdump/tshark report for the same capture.
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <pcap/pcap.h>
#include <sys/stat.h>

#include <map>
#include <utility>

#include "plantedlink.h"
#include "report/outputfile.h"
#include "synthcapture.h"
#include "testfiles.h"

namespace {

QString dataPath(const QString &rel)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/captures/") + rel;
}

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(IKEV2WB_CLI), args);
    Run r;
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit) return r;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// tshark's distinct values of `field` in the packets of `path` matching the display filter, sorted.
QStringList tsharkValues(const QString &path, const QString &filter, const QString &field)
{
    QProcess p;
    p.start(QStringLiteral("tshark"),
            {QStringLiteral("-r"), path, QStringLiteral("-Y"), filter, QStringLiteral("-T"),
             QStringLiteral("fields"), QStringLiteral("-e"), field});
    if (!p.waitForFinished(60000)) return {};
    QStringList l = QString::fromLatin1(p.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    l.removeDuplicates();
    l.sort();
    return l;
}

/// A diagnosis JSON's findings as "cause status", in order.
QStringList causes(const QJsonObject &o)
{
    QStringList out;
    for (const QJsonValue f : o[QStringLiteral("findings")].toArray())
        out << QStringLiteral("%1 %2").arg(f[QStringLiteral("cause")].toString(),
                                           f[QStringLiteral("status")].toString());
    return out;
}

/// `diagnose --capture A --peer-capture B --json --fix-script SCRIPT` says `note` in its text (the
/// JSON's notes) and, as "# note: …", in the fix script; `json` gets its JSON.
void diagnoseSaysNote(const QString &a, const QString &b, const QString &note, const QString &script,
                      QJsonObject &json)
{
    const Run diag =
        run({QStringLiteral("diagnose"), QStringLiteral("--capture"), a, QStringLiteral("--peer-capture"), b,
             QStringLiteral("--json"), QStringLiteral("--fix-script"), script});
    QCOMPARE(diag.exitCode, 0);
    json = QJsonDocument::fromJson(diag.out).object();
    QVERIFY2(diag.out.contains(note.toUtf8()), diag.out.constData());
    QFile fixes(script);
    QVERIFY(fixes.open(QIODevice::ReadOnly));
    QVERIFY(fixes.readAll().contains(QByteArray(QByteArray("# note: ") + note.toUtf8())));
}

/// The 1-based numbers of the packets of `path` that libpcap's own BPF `filter` selects: an
/// independent reading of which packets belong where.
std::vector<qint64> bpfFrames(const QString &path, const char *filter)
{
    std::vector<qint64> frames;
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t *p = pcap_open_offline(QFile::encodeName(path).constData(), err);
    if (!p) return frames;
    bpf_program prog{};
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0) {
        pcap_pkthdr *h = nullptr;
        const u_char *d = nullptr;
        for (qint64 n = 1; pcap_next_ex(p, &h, &d) == 1; ++n)
            if (pcap_offline_filter(&prog, h, d) != 0) frames.push_back(n);
        pcap_freecode(&prog);
    }
    pcap_close(p);
    return frames;
}

QJsonObject findExchange(const QJsonArray &a, const QString &name)
{
    for (const auto &v : a)
        if (v.toObject().value(QStringLiteral("exchange")).toString() == name) return v.toObject();
    return {};
}

} // namespace

class TestCli final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(IKEV2WB_CLI)), IKEV2WB_CLI);
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stdoutHas");
        QTest::addColumn<QString>("stderrHas");
        QTest::newRow("--version") << QStringList{QStringLiteral("--version")} << 0
                                   << QStringLiteral("ikev2wb") << QString();
        QTest::newRow("--help") << QStringList{QStringLiteral("--help")} << 0 << QStringLiteral("usage")
                                << QString();
        QTest::newRow("no arguments") << QStringList{} << 2 << QString() << QStringLiteral("usage");
        QTest::newRow("unknown command")
            << QStringList{QStringLiteral("frobnicate")} << 2 << QString() << QStringLiteral("frobnicate");
        QTest::newRow("unknown option")
            << QStringList{QStringLiteral("summary"), dataPath(QStringLiteral("tcpdump/tests/espudp1.pcap")),
                           QStringLiteral("--bogus")}
            << 2 << QString() << QStringLiteral("--bogus");
        QTest::newRow("summary without file")
            << QStringList{QStringLiteral("summary")} << 2 << QString() << QStringLiteral("usage");
        // Several files are one capture (a ring of files, tst_captureset): a missing one is named.
        QTest::newRow("packets with two missing files")
            << QStringList{QStringLiteral("packets"), QStringLiteral("a"), QStringLiteral("b")} << 3
            << QString() << QStringLiteral("a: no such file");
        // espudp1.out (tcpdump's own reading) lists 8 packets.
        QTest::newRow("analyze --progress")
            << QStringList{QStringLiteral("analyze"), QStringLiteral("--progress"),
                           dataPath(QStringLiteral("tcpdump/tests/espudp1.pcap"))}
            << 0 << QStringLiteral("ESP") << QStringLiteral("read 100 %, 8 packets");
        QTest::newRow("--threads 3") << QStringList{QStringLiteral("summary"), QStringLiteral("--threads"),
                                                    QStringLiteral("3"),
                                                    dataPath(QStringLiteral("tcpdump/tests/espudp1.pcap"))}
                                     << 2 << QString() << QStringLiteral("--threads takes 1 or 2");
        QTest::newRow("--threads without a number")
            << QStringList{QStringLiteral("analyze"), dataPath(QStringLiteral("tcpdump/tests/espudp1.pcap")),
                           QStringLiteral("--threads")}
            << 2 << QString() << QStringLiteral("--threads needs a number");
        const QString esp = dataPath(QStringLiteral("tcpdump/tests/espudp1.pcap"));
        for (const auto &[name, value, says] :
             {std::tuple{"--tunnel with a name", "gw.example", "'gw.example' is not an IPv4 or IPv6 address"},
              std::tuple{"--tunnel with a newline", "10.0.1.1\n", "is not an IPv4 or IPv6 address"},
              std::tuple{"--tunnel with a prefix", "10.0.1.0/24", "is not an IPv4 or IPv6 address"},
              std::tuple{"--tunnel with three ends", "10.0.1.1,10.0.2.1,10.0.3.1", "one or two addresses"},
              std::tuple{"--tunnel with two families", "10.0.1.1,2001:db8::1", "one address family"},
              std::tuple{"--tunnel with one end twice", "10.0.1.1,10.0.1.1", "two addresses"},
              std::tuple{"--tunnel with a command", "$(reboot)", "is not an IPv4 or IPv6 address"}})
            QTest::newRow(name) << QStringList{QStringLiteral("analyze"), esp, QStringLiteral("--tunnel"),
                                               QString::fromUtf8(value)}
                                << 2 << QString() << QString::fromUtf8(says);
        QTest::newRow("--tunnel without an address")
            << QStringList{QStringLiteral("summary"), esp, QStringLiteral("--tunnel")} << 2 << QString()
            << QStringLiteral("--tunnel needs the tunnel's peer address");
        QTest::newRow("--tunnel twice")
            << QStringList{QStringLiteral("summary"), esp, QStringLiteral("--tunnel=10.0.1.1"),
                           QStringLiteral("--tunnel=10.0.2.1")}
            << 2 << QString() << QStringLiteral("--tunnel is given twice");
        QTest::newRow("--peer-tunnel bad")
            << QStringList{QStringLiteral("compare"), esp, esp, QStringLiteral("--peer-tunnel"),
                           QStringLiteral("x")}
            << 2 << QString() << QStringLiteral("--peer-tunnel: 'x'");
        QTest::newRow("--peer-tunnel without a peer capture")
            << QStringList{QStringLiteral("diagnose"), QStringLiteral("--capture"), esp,
                           QStringLiteral("--peer-tunnel"), QStringLiteral("10.0.9.9")}
            << 2 << QString() << QStringLiteral("--peer-tunnel scopes the --peer-capture");
        QTest::newRow("compare with one capture")
            << QStringList{QStringLiteral("compare"), dataPath(QStringLiteral("tcpdump/tests/espudp1.pcap"))}
            << 2 << QString() << QStringLiteral("usage");
    }
    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, stdoutHas);
        QFETCH(QString, stderrHas);
        const Run r = run(args);
        QCOMPARE(r.exitCode, exitCode);
        if (!stdoutHas.isEmpty())
            QVERIFY2(QString::fromUtf8(r.out).contains(stdoutHas, Qt::CaseInsensitive), r.out.constData());
        if (!stderrHas.isEmpty())
            QVERIFY2(QString::fromUtf8(r.err).contains(stderrHas, Qt::CaseInsensitive), r.err.constData());
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("kind");
        for (const char *cmd : {"summary", "packets"}) {
            QTest::addRow("%s missing", cmd) << QString::fromLatin1(cmd) << QStringLiteral("missing");
            QTest::addRow("%s text", cmd) << QString::fromLatin1(cmd) << QStringLiteral("text");
        }
    }
    void badInput()
    {
        QFETCH(QString, command);
        QFETCH(QString, kind);
        QString path = m_tmp.filePath(QStringLiteral("nothing-here.pcap"));
        if (kind == QLatin1String("text")) {
            path = m_tmp.filePath(QStringLiteral("readme.txt"));
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("hello\n");
        }
        const Run r = run({command, path, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(QString::fromUtf8(r.err).contains(path), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    // isakmp4500: expected numbers from tcpdump's isakmp4.out, INDEX.md and the tshark dump.
    void summaryJsonIsakmp4500()
    {
        const Run r =
            run({QStringLiteral("summary"), dataPath(QStringLiteral("tcpdump/tests/isakmp4500.pcap")),
                 QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError perr{};
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &perr);
        QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(perr.errorString()));
        const QJsonObject o = doc.object();
        QCOMPARE(o.value(QStringLiteral("schema")).toString(), QStringLiteral("ikev2wb.summary/1"));
        QCOMPARE(o.value(QStringLiteral("packets")).toInt(), 35);
        QCOMPARE(o.value(QStringLiteral("partial")).toBool(true), false);

        // isakmp4.out: 8 ARP lines, 4 IKE on 500, 11 "NONESP-encap", 8 "UDP-encap: ESP", 4 keep-alives.
        const QJsonObject kinds = o.value(QStringLiteral("packets_by_kind")).toObject();
        QCOMPARE(kinds.value(QStringLiteral("non_ip")).toInt(), 8);
        QCOMPARE(kinds.value(QStringLiteral("ike")).toInt(), 4);
        QCOMPARE(kinds.value(QStringLiteral("ike_natt")).toInt(), 11);
        QCOMPARE(kinds.value(QStringLiteral("esp_udp")).toInt(), 8);
        QCOMPARE(kinds.value(QStringLiteral("nat_keepalive")).toInt(), 4);
        QCOMPARE(kinds.value(QStringLiteral("malformed")).toInt(), 0);

        const QJsonArray esp = o.value(QStringLiteral("esp_sas")).toArray();
        QCOMPARE(esp.size(), 1);
        const QJsonObject sa = esp.at(0).toObject();
        QVERIFY(sa.value(QStringLiteral("spi")).isString());
        QCOMPARE(sa.value(QStringLiteral("spi")).toString(), QStringLiteral("0xf4dc0ae5"));
        QCOMPARE(sa.value(QStringLiteral("src")).toString(), QStringLiteral("192.1.2.254"));
        QCOMPARE(sa.value(QStringLiteral("dst")).toString(), QStringLiteral("192.1.2.23"));
        QCOMPARE(sa.value(QStringLiteral("src_port")).toInt(), 4500);
        QCOMPARE(sa.value(QStringLiteral("dst_port")).toInt(), 4500);
        QCOMPARE(sa.value(QStringLiteral("encap")).toString(), QStringLiteral("udp"));
        QCOMPARE(sa.value(QStringLiteral("packets")).toInt(), 8);
        QCOMPARE(sa.value(QStringLiteral("first_seq")).toInt(), 1);
        QCOMPARE(sa.value(QStringLiteral("last_seq")).toInt(), 8);
        QCOMPARE(sa.value(QStringLiteral("max_ip_length")).toInt(), 160); // "length 132" + UDP + IPv4

        const QJsonArray ikeSas = o.value(QStringLiteral("ike_sas")).toArray();
        QCOMPARE(ikeSas.size(), 1);
        const QJsonObject ikeSa = ikeSas.at(0).toObject();
        QCOMPARE(ikeSa.value(QStringLiteral("initiator_spi")).toString(),
                 QStringLiteral("0x9e89f2388f90bc1e"));
        QCOMPARE(ikeSa.value(QStringLiteral("responder_spi")).toString(),
                 QStringLiteral("0x0a74357ce3d1a4bf"));
        QCOMPARE(ikeSa.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(ikeSa.value(QStringLiteral("messages")).toInt(), 15);
        QCOMPARE(ikeSa.value(QStringLiteral("initiator")).toString(), QStringLiteral("192.1.2.254"));
        QCOMPARE(ikeSa.value(QStringLiteral("udp_500")).toBool(), true);
        QCOMPARE(ikeSa.value(QStringLiteral("nat_t")).toBool(), true);

        // INDEX.md: v1-MainMode 6, v1-QuickMode 8, v1-Informational 1 (IKEv1: no response flag).
        const QJsonArray ex = o.value(QStringLiteral("ike_exchanges")).toArray();
        QCOMPARE(ex.size(), 3);
        QCOMPARE(findExchange(ex, QStringLiteral("v1-MainMode")).value(QStringLiteral("requests")).toInt(),
                 6);
        QCOMPARE(findExchange(ex, QStringLiteral("v1-QuickMode")).value(QStringLiteral("requests")).toInt(),
                 8);
        QCOMPARE(
            findExchange(ex, QStringLiteral("v1-Informational")).value(QStringLiteral("requests")).toInt(),
            1);
        QCOMPARE(findExchange(ex, QStringLiteral("v1-QuickMode")).value(QStringLiteral("type")).toInt(), 32);
    }

    // ikev2four: one object per line, times with exactly 9 decimals (ikev2four.out: -tttt, TZ=GMT0).
    void packetsJsonLines()
    {
        const Run r =
            run({QStringLiteral("packets"), dataPath(QStringLiteral("tcpdump/tests/ikev2four.pcap")),
                 QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QList<QByteArray> lines = r.out.split('\n');
        QVERIFY(lines.size() > 1);
        QVERIFY(lines.last().isEmpty());
        lines.removeLast();
        QCOMPARE(lines.size(), 21);
        const QRegularExpression timeRe(QStringLiteral("\"time\":\"?(-?\\d+\\.(\\d+))\"?[,}]"));
        const std::int64_t base =
            QDateTime(QDate(2007, 8, 6), QTime(12, 21, 24), QTimeZone::utc()).toSecsSinceEpoch();
        const char *firstAndLast[] = {".386989000", ".517735000"};
        for (int i = 0; i < lines.size(); ++i) {
            QJsonParseError perr{};
            const QJsonDocument doc = QJsonDocument::fromJson(lines[i], &perr);
            QVERIFY2(perr.error == QJsonParseError::NoError, lines[i].constData());
            const QJsonObject o = doc.object();
            QCOMPARE(o.value(QStringLiteral("n")).toInt(), i + 1);
            const auto m = timeRe.match(QString::fromUtf8(lines[i]));
            QVERIFY2(m.hasMatch(), lines[i].constData());
            QCOMPARE(m.captured(2).size(), 9);
            if (i == 0 || i == 20)
                QCOMPARE(m.captured(1), QString::number(base) + QLatin1String(firstAndLast[i == 0 ? 0 : 1]));
            const QJsonObject ike = o.value(QStringLiteral("ike")).toObject();
            QVERIFY(!ike.isEmpty());
            QVERIFY(ike.value(QStringLiteral("initiator_spi")).toString().startsWith(QLatin1String("0x")));
        }
        // Frame 2 (ikev2four.out): "msgid 00000000: parent_sa ikev2_init[R]: (n: ... type=16390(cookie)"
        const QJsonObject second =
            QJsonDocument::fromJson(lines[1]).object().value(QStringLiteral("ike")).toObject();
        QCOMPARE(second.value(QStringLiteral("exchange_type")).toInt(), 34);
        QCOMPARE(second.value(QStringLiteral("response")).toBool(), true);
        QCOMPARE(second.value(QStringLiteral("notifies")).toArray().size(), 1);
    }

    void packetsFilter()
    {
        // Expected from tcpdump's decode (ikev2four.out): the frames whose header line reads
        // "192.168.1.1.500 > 192.168.1.2.500: ... [R]" (responses the responder sent).
        QFile out(dataPath(QStringLiteral("tcpdump/tests/ikev2four.out")));
        QVERIFY(out.open(QIODevice::ReadOnly));
        const QRegularExpression frameRe(QStringLiteral("^\\s+(\\d+)\\s+\\d{4}-\\d\\d-\\d\\d "));
        QList<int> expected;
        int frame = 0;
        for (const QByteArray &raw : out.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw);
            const auto m = frameRe.match(line);
            if (m.hasMatch()) {
                frame = m.captured(1).toInt();
                continue;
            }
            if (frame && line.contains(QLatin1String("192.168.1.1.500 > 192.168.1.2.500:")) &&
                line.contains(QLatin1String("[R]")))
                expected.append(frame);
            frame = 0;
        }
        QVERIFY(expected.size() >= 2);

        const QString file = dataPath(QStringLiteral("tcpdump/tests/ikev2four.pcap"));
        const QString expr = QStringLiteral("isakmp.flag_r == 1 && ip.src == 192.168.1.1");
        const Run r = run(
            {QStringLiteral("packets"), file, QStringLiteral("--filter"), expr, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QList<int> got;
        for (const QByteArray &line : r.out.trimmed().split('\n'))
            got.append(QJsonDocument::fromJson(line).object().value(QStringLiteral("n")).toInt());
        QCOMPARE(got, expected); // the file's own numbers, not 1..n

        const Run text = run({QStringLiteral("packets"), file, QStringLiteral("--filter=") + expr});
        QCOMPARE(text.exitCode, 0);
        QCOMPARE(text.out.trimmed().split('\n').size(), expected.size());

        // A syntax error: exit 2, the position on stderr, nothing on stdout.
        const Run bad = run({QStringLiteral("packets"), file, QStringLiteral("--filter"),
                             QStringLiteral("udp.port in {500 4500}")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.out.isEmpty());
        QVERIFY2(bad.err.contains("character 18:"), bad.err.constData());
        QVERIFY2(bad.err.contains("\n                   ^^^^\n"), bad.err.constData());
        QCOMPARE(run({QStringLiteral("packets"), file, QStringLiteral("--filter")}).exitCode, 2);
    }

    void packetsJsonEsp()
    {
        // espudp1.out: "UDP-encap: ESP(spi=0x12345678,seq=0x1)" ... seq 0x8.
        const Run r = run({QStringLiteral("packets"), dataPath(QStringLiteral("tcpdump/tests/espudp1.pcap")),
                           QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 8);
        for (int i = 0; i < lines.size(); ++i) {
            const QJsonObject o = QJsonDocument::fromJson(lines[i]).object();
            QCOMPARE(o.value(QStringLiteral("kind")).toString(), QStringLiteral("esp_udp"));
            QCOMPARE(o.value(QStringLiteral("spi")).toString(), QStringLiteral("0x12345678"));
            QCOMPARE(o.value(QStringLiteral("seq")).toInt(), i + 1);
        }
    }

    void truncatedFileIsPartial()
    {
        QFile in(dataPath(QStringLiteral("tcpdump/tests/isakmp4500.pcap")));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QString path = m_tmp.filePath(QStringLiteral("cut.pcap"));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(in.readAll().chopped(10));
        out.close();
        const Run r = run({QStringLiteral("summary"), path, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(QString::fromUtf8(r.err).contains(path), r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("partial")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("packets")).toInt(), 34);
    }

    // A valid pcap header and then 2 GiB of zeros (sparse: no disk used) once ran for ~50 s of
    // CPU and took 4.2 GB; now the read stops after 16 MiB of empty 16-byte records, exit 3.
    void zeroFilledCaptureStopsEarly()
    {
        const QString path = m_tmp.filePath(QStringLiteral("sparse.pcap"));
        QVERIFY(synth::writeZeroFilledPcap(path, qint64(2) << 30));
        QElapsedTimer clock;
        clock.start();
        const Run r = run({QStringLiteral("summary"), path, QStringLiteral("--json")});
        const qint64 ms = clock.elapsed();
        QFile::remove(path);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(QString::fromUtf8(r.err).contains(QStringLiteral(
                     "no valid packet in the last 16 MiB: the records from byte 24 to byte 16777240")),
                 r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("partial")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("packets")).toInt(), 1048575);
        QVERIFY2(ms < 60000, qPrintable(QString::number(ms))); // generous: shared CI, ASan
    }

    // A file named on the command line that is not read as evidence is an error naming it.
    void evidenceFileNotReadIsAnError()
    {
        const QString fifo = m_tmp.filePath(QStringLiteral("charon.log"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const QString garbage = QStringLiteral(IKEV2WB_TEST_DATA "/evidence/garbage.bin");
        const Run r = run({QStringLiteral("evidence"), fifo, garbage});
        QFile::remove(fifo);
        QCOMPARE(r.exitCode, 3); // the FIFO hung the command; garbage.bin gave 0
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.contains(QStringLiteral("ikev2wb: %1: a FIFO").arg(fifo)), r.err.constData());
        QVERIFY2(err.contains(QStringLiteral("ikev2wb: %1: not a recognised evidence file").arg(garbage)),
                 r.err.constData());
    }

    // Text from host evidence and file names reaches the terminal with its control characters
    // visible: a log file named with an OSC title sequence and log lines carrying ESC/CSI, CR,
    // backspace, BEL, a C1 CSI (U+009B), a bidi override (U+202E) and U+2028. Text output holds
    // none of those characters (it held the raw ESC ] 0 ; T BEL of the name: the terminal's title);
    // JSON stays valid, holds them only as \u escapes and reads back to the same strings.
    void hostileTextNeverReachesTheTerminal()
    {
        const QString hostile = QStringLiteral(" \x1b]0;owned\x07\x1b[2J\x1b[1A\rHIDDEN\x08") + QChar(0x9b) +
                                QStringLiteral("31m") + QChar(0x202e) + QStringLiteral("evil") +
                                QChar(0x2028) + QStringLiteral("x");
        QString log =
            QString::fromUtf8(readAll(QStringLiteral(IKEV2WB_TEST_DATA "/evidence/syslog-charon.log")));
        QVERIFY(log.contains(QStringLiteral("giving up after 5 retransmits\n")));
        log.replace(QStringLiteral("giving up after 5 retransmits\n"),
                    QStringLiteral("giving up after 5 retransmits") + hostile + QLatin1Char('\n'));
        const QString name = QStringLiteral("x\x1b]0;T\x07y.log");
        const QString path = m_tmp.filePath(name);
        QVERIFY(writeFile(path, log.toUtf8()));
        // What a terminal would act on, as UTF-8 bytes.
        const QList<QByteArray> forbidden = {"\x1b",     "\x07",         "\x08",        "\r",
                                             "\xc2\x9b", "\xe2\x80\xae", "\xe2\x80\xa8"};

        const Run text = run({QStringLiteral("evidence"), path});
        QCOMPARE(text.exitCode, 0);
        for (const QByteArray &b : forbidden) {
            QVERIFY2(!text.out.contains(b), text.out.toHex(' ').constData());
            QVERIFY2(!text.err.contains(b), text.err.toHex(' ').constData());
        }
        QVERIFY2(text.out.contains("x\\x1b]0;T\\x07y.log: charon_log"), text.out.constData());

        const Run json = run({QStringLiteral("evidence"), QStringLiteral("--json"), path});
        QCOMPARE(json.exitCode, 0);
        for (const QByteArray &b : forbidden)
            QVERIFY2(!json.out.contains(b), json.out.constData());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject file = doc.object().value(QStringLiteral("files")).toArray().at(0).toObject();
        QCOMPARE(file.value(QStringLiteral("path")).toString(), path);
        QStringList messages;
        for (const auto &e : file.value(QStringLiteral("events")).toArray())
            messages << e.toObject().value(QStringLiteral("message")).toString();
        QVERIFY2(messages.contains(QStringLiteral("giving up after 5 retransmits") + hostile),
                 qPrintable(messages.join(QLatin1Char('|'))));
        QVERIFY2(json.out.contains("HIDDEN\\u0008\\u009b31m\\u202eevil\\u2028x"), json.out.constData());
    }

    // A charon log line the diagnosis quotes (rekey-loss: the retransmits of message ID 2), with
    // HTML and an OSC title sequence planted: the text output shows the sequence visibly (it was
    // printed raw), the PDF shows the HTML as text (pdftotext reads the tags back).
    void hostileLogLineInTheDiagnosis()
    {
        QByteArray log = readAll(QStringLiteral(IKEV2WB_TEST_DATA "/lab/rekey-loss/charon-left.log"));
        const QByteArray planted =
            " <img src=\"file:///etc/passwd\"><a href=\"file:///etc/\">link</a><b>EVIL \x1b]0;T\x07";
        QByteArray hostile;
        for (const QByteArray &line : log.split('\n'))
            hostile += line + (line.contains("retransmit") ? planted : QByteArray()) + '\n';
        const QString path = m_tmp.filePath(QStringLiteral("hostile-charon.log"));
        QVERIFY(writeFile(path, hostile));
        const QString capture = QStringLiteral(IKEV2WB_TEST_DATA "/lab/rekey-loss/left-outer.pcap");
        const QString pdf = m_tmp.filePath(QStringLiteral("hostile.pdf"));
        const Run r = run({QStringLiteral("diagnose"), QStringLiteral("--capture"), capture,
                           QStringLiteral("--evidence"), path, QStringLiteral("--pdf"), pdf});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("<b>EVIL \\x1b]0;T\\x07"), r.out.constData()); // the line is quoted
        QVERIFY(!r.out.contains('\x1b') && !r.out.contains('\x07'));
        QProcess p;
        p.start(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")});
        QVERIFY(p.waitForFinished(60000));
        const QString text = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(
            text.contains(QStringLiteral("<b>EVIL")) &&
                text.contains(QStringLiteral("src=\"file:///etc/passwd\"><a href=\"file:///etc/\">link</a>")),
            qPrintable(text));
    }

    // --fix-script writes a new executable file, and never through a symbolic link planted at
    // its name (the script is run as root: the link could point at /etc/cron.d/x or the like).
    void fixScriptNotWrittenThroughLink()
    {
        const QString capture = QStringLiteral(IKEV2WB_TEST_DATA "/lab/loss1/right-outer.pcap");
        const QString script = m_tmp.filePath(QStringLiteral("fixes.sh"));
        Run r = run({QStringLiteral("diagnose"), QStringLiteral("--capture"), capture,
                     QStringLiteral("--fix-script"), script});
        QCOMPARE(r.exitCode, 0);
        QFile written(script);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QVERIFY(written.readAll().startsWith("#!"));
        QVERIFY(written.permissions() & QFileDevice::ExeOwner);

        const PlantedLink planted = PlantedLink::make(m_tmp.path(), QStringLiteral("planted.sh"));
        r = run({QStringLiteral("diagnose"), QStringLiteral("--capture"), capture,
                 QStringLiteral("--fix-script"), planted.link});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(QString::fromUtf8(r.err).contains(
                     QStringLiteral("cannot write the fix script: %1: is a symbolic link; not written")
                         .arg(planted.link)),
                 r.err.constData());
        QVERIFY(planted.intact()); // bytes and mode (no execute bit added through the link)
        // No temporary file is left behind.
        QCOMPARE(QDir(m_tmp.path()).entryList({QStringLiteral(".planted.sh*")}, QDir::Hidden | QDir::Files),
                 QStringList());
    }
    // An investigation reads each capture file once: `diagnose` of a pair opens A and B exactly
    // once each (before issue 12 the comparison read both again, and a pcapng file a third time
    // for its statistics blocks). Counted by strace, not by our own bookkeeping.
    /// Each capture file is opened once (strace): a pair of files (read with their records), and
    /// a pair of folders, each a ring of `editcap -c` pieces (a folder is read without records:
    /// analysed and compared during its read, which notes what the diagnosis cites from single
    /// packets — loss1 cites the largest packet delivered — so no file is read again).
    void diagnoseOpensEachCaptureOnce_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<int>("ringPieces"); // 0: the files themselves; n: folders of n-packet pieces
        const QString lab = QStringLiteral(IKEV2WB_TEST_DATA "/lab/loss1/");
        QTest::newRow("pcap pair") << lab + QStringLiteral("left-outer.pcap")
                                   << lab + QStringLiteral("right-outer.pcap") << 0;
        QTest::newRow("pcapng pair") << dataPath(QStringLiteral("tcpdump/tests/isakmp-no-none-np.pcapng"))
                                     << dataPath(QStringLiteral("tcpdump/tests/ikev2pI2-segfault.pcapng"))
                                     << 0;
        QTest::newRow("folders of ring files")
            << lab + QStringLiteral("left-outer.pcap") << lab + QStringLiteral("right-outer.pcap") << 400;
    }
    void diagnoseOpensEachCaptureOnce()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(int, ringPieces);
        const QString strace = QStandardPaths::findExecutable(QStringLiteral("strace"));
        if (strace.isEmpty()) QSKIP("strace is not installed (scripts/setup-deps.sh installs it)");
        const QString tag =
            QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'));
        QStringList filesA{QFileInfo(a).absoluteFilePath()}, filesB{QFileInfo(b).absoluteFilePath()};
        if (ringPieces > 0) {
            const QString editcap = QStandardPaths::findExecutable(QStringLiteral("editcap"));
            if (editcap.isEmpty())
                QSKIP("editcap (wireshark-common) is not installed: scripts/setup-deps.sh");
            for (auto [path, files] : {std::pair{&a, &filesA}, std::pair{&b, &filesB}}) {
                const QString dir = m_tmp.filePath(tag + QLatin1Char('-') + QFileInfo(*path).baseName());
                QVERIFY(QDir().mkpath(dir));
                QProcess split;
                split.start(editcap, {QStringLiteral("-c"), QString::number(ringPieces), *path,
                                      dir + QStringLiteral("/ring.pcap")});
                QVERIFY(split.waitForFinished(60000) && split.exitCode() == 0);
                files->clear();
                for (const QString &f : QDir(dir).entryList(QDir::Files, QDir::Name))
                    *files << dir + QLatin1Char('/') + f;
                QVERIFY2(files->size() >= 3, qPrintable(dir)); // a ring, not one file
                *path = dir;
            }
        } else {
            a = filesA.front();
            b = filesB.front();
        }
        const QString log = m_tmp.filePath(QStringLiteral("strace-%1.txt").arg(tag));
        QProcess p;
        // LeakSanitizer cannot run under ptrace (it aborts at exit when strace is attached): in
        // the ASan build this one run goes without leak checking; every other test keeps it.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QString asan = env.value(QStringLiteral("ASAN_OPTIONS"));
        env.insert(QStringLiteral("ASAN_OPTIONS"), asan.isEmpty() ? QStringLiteral("detect_leaks=0")
                                                                  : asan + QStringLiteral(":detect_leaks=0"));
        p.setProcessEnvironment(env);
        p.start(strace, {QStringLiteral("-f"), QStringLiteral("-e"), QStringLiteral("trace=%file"),
                         QStringLiteral("-o"), log, QStringLiteral(IKEV2WB_CLI), QStringLiteral("diagnose"),
                         QStringLiteral("--capture"), a, QStringLiteral("--peer-capture"), b,
                         QStringLiteral("--json")});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(QJsonDocument::fromJson(p.readAllStandardOutput()).isObject(),
                 p.readAllStandardError().constData());
        QFile f(log);
        QVERIFY(f.open(QIODevice::ReadOnly));
        std::map<QString, int> opensOf;
        int opens = 0;
        static const QRegularExpression openCall(QStringLiteral("\\bopen(at2?)?\\(.*\"([^\"]*)\""));
        for (const QByteArray &line : f.readAll().split('\n')) {
            const QRegularExpressionMatch m = openCall.match(QString::fromUtf8(line));
            if (!m.hasMatch()) continue;
            ++opens;
            ++opensOf[m.captured(2)];
        }
        QVERIFY2(opens > 2, "strace saw no open calls: the filter does not match this system");
        for (const QString &file : filesA + filesB)
            QVERIFY2(opensOf[file] == 1,
                     qPrintable(QStringLiteral("%1 opened %2 times").arg(file).arg(opensOf[file])));
    }

    // --threads 2 starts one thread more than --threads 1 (libpcap's reader thread), counted by
    // strace's clone calls, and prints the same bytes.
    // A hub's capture holding two tunnels: natt's right capture (10.0.2.1 <-> the NAT 10.0.2.254),
    // shifted 30 s with editcap so its packets interleave with mtu-blackhole's right capture
    // (10.0.1.1 <-> 10.0.2.1), merged by time with mergecap. Read as the tunnel with 10.0.1.1, it
    // must give what mtu-blackhole's own capture gives (truth.json: a black hole left->right), and
    // the packets kept are the ones libpcap's BPF 'ip host 10.0.1.1' selects, with the merged
    // file's numbers. Read whole, the NAT's packets mix in: the probe is aimed at 10.0.2.254.
    void oneTunnelOfAHubCapture()
    {
        const QString lab = QStringLiteral(IKEV2WB_TEST_DATA "/lab/");
        const QString natt = lab + QStringLiteral("natt/right-outer.pcap");
        const QString mtu = lab + QStringLiteral("mtu-blackhole/right-outer.pcap");
        const QString shifted = m_tmp.filePath(QStringLiteral("natt-shifted.pcap"));
        const QString hub = m_tmp.filePath(QStringLiteral("hub.pcap"));
        QCOMPARE(QProcess::execute(QStringLiteral("editcap"),
                                   {QStringLiteral("-t"), QStringLiteral("-30"), natt, shifted}),
                 0);
        QCOMPARE(QProcess::execute(QStringLiteral("mergecap"), {QStringLiteral("-F"), QStringLiteral("pcap"),
                                                                QStringLiteral("-w"), hub, shifted, mtu}),
                 0);
        const std::vector<qint64> tunnel = bpfFrames(hub, "ip host 10.0.1.1");
        const std::vector<qint64> all = bpfFrames(hub, "");
        // The rest of mtu-blackhole's capture is decrypted inner traffic (10.1.0.10 -> 10.2.0.10), which
        // no address ties to a tunnel: left out too.
        QCOMPARE(tunnel.size(), bpfFrames(mtu, "ip host 10.0.1.1").size());
        QVERIFY(tunnel.back() > qint64(tunnel.size())); // interleaved: numbers differ from the own file's

        const QString scope = QStringLiteral("--tunnel=10.0.1.1");
        // summary: the counts of what was left out; the ESP SAs are the tunnel's own.
        const Run sum = run({QStringLiteral("summary"), hub, scope, QStringLiteral("--json")});
        QCOMPARE(sum.exitCode, 0);
        const QJsonObject s = QJsonDocument::fromJson(sum.out).object();
        QCOMPARE(s[QStringLiteral("packets")].toInteger(), qint64(all.size()));
        QCOMPARE(s[QStringLiteral("tunnel")][QStringLiteral("packets_outside")].toInteger(),
                 qint64(all.size() - tunnel.size()));
        QCOMPARE(s[QStringLiteral("packets_by_kind")][QStringLiteral("out_of_scope")].toInteger(),
                 qint64(all.size() - tunnel.size()));
        QCOMPARE(s[QStringLiteral("tunnel")][QStringLiteral("ends")].toArray(),
                 QJsonArray{QStringLiteral("10.0.1.1")});
        const QJsonObject single =
            QJsonDocument::fromJson(run({QStringLiteral("summary"), mtu, QStringLiteral("--json")}).out)
                .object();
        QCOMPARE(s[QStringLiteral("esp_sas")].toArray(), single[QStringLiteral("esp_sas")].toArray());
        QVERIFY(!single.contains(QStringLiteral("tunnel")));
        QVERIFY(
            !single[QStringLiteral("packets_by_kind")].toObject().contains(QStringLiteral("out_of_scope")));

        // packets: exactly the BPF's packets, numbered as in the merged file.
        const Run pk = run({QStringLiteral("packets"), hub, scope, QStringLiteral("--json")});
        QCOMPARE(pk.exitCode, 0);
        std::vector<qint64> listed;
        for (const QByteArray &line : pk.out.split('\n'))
            if (!line.isEmpty())
                listed.push_back(QJsonDocument::fromJson(line).object()[QStringLiteral("n")].toInteger());
        QCOMPARE(listed, tunnel);

        // analyze: every section equals the tunnel's own capture's.
        const QJsonObject a = QJsonDocument::fromJson(
                                  run({QStringLiteral("analyze"), hub, scope, QStringLiteral("--json")}).out)
                                  .object();
        const QJsonObject a1 =
            QJsonDocument::fromJson(run({QStringLiteral("analyze"), mtu, QStringLiteral("--json")}).out)
                .object();
        for (const char *k : {"sas", "ike", "natt", "mtu"})
            QVERIFY2(a[QLatin1String(k)] == a1[QLatin1String(k)], k);

        // diagnose: the same findings and path-MTU advice as the own capture, and a note saying
        // what was left out; read whole, the other tunnel's NAT is probed.
        const auto diagnosis = [](const QByteArray &json) {
            const QJsonObject d = QJsonDocument::fromJson(json).object();
            QStringList out;
            for (const QJsonValue f : d[QStringLiteral("findings")].toArray())
                out << QStringLiteral("%1 %2 %3")
                           .arg(f[QStringLiteral("cause")].toString(), f[QStringLiteral("status")].toString())
                           .arg(f[QStringLiteral("confidence")].toDouble());
            out << d[QStringLiteral("path_mtu")][QStringLiteral("refine")].toString();
            return out;
        };
        const Run scoped = run(
            {QStringLiteral("diagnose"), QStringLiteral("--capture"), hub, scope, QStringLiteral("--json")});
        QCOMPARE(scoped.exitCode, 0);
        const Run own1 =
            run({QStringLiteral("diagnose"), QStringLiteral("--capture"), mtu, QStringLiteral("--json")});
        const QStringList expected = diagnosis(own1.out);
        QVERIFY2(expected.first().startsWith(QLatin1String("mtu_blackhole")),
                 qPrintable(expected.join(u'|')));
        QCOMPARE(diagnosis(scoped.out), expected);
        const QByteArray note = "is read as one tunnel, --tunnel 10.0.1.1: " +
                                QByteArray::number(qint64(all.size() - tunnel.size())) + " of its " +
                                QByteArray::number(qint64(all.size())) + " packets are outside it";
        QVERIFY2(scoped.out.contains(note), scoped.out.constData());
        const Run whole =
            run({QStringLiteral("diagnose"), QStringLiteral("--capture"), hub, QStringLiteral("--json")});
        QVERIFY(diagnosis(whole.out) != expected);
        // The note names the option for one of the two pairs (the busiest: the NAT's).
        QVERIFY2(whole.out.contains("--tunnel 10.0.2.1,10.0.2.254 (ikev2wb diagnose)"),
                 whole.out.constData());
        // The hub's capture as the peer's (B) of mtu-blackhole's left capture: --peer-tunnel makes
        // the comparison and the pair's diagnosis those of the tunnel's own two captures.
        const QString left = lab + QStringLiteral("mtu-blackhole/left-outer.pcap");
        const QJsonObject ownPair =
            QJsonDocument::fromJson(run({QStringLiteral("compare"), left, mtu, QStringLiteral("--json")}).out)
                .object();
        const Run hubPair = run({QStringLiteral("compare"), left, hub,
                                 QStringLiteral("--peer-tunnel=10.0.1.1"), QStringLiteral("--json")});
        QCOMPARE(hubPair.exitCode, 0);
        const QJsonObject hp = QJsonDocument::fromJson(hubPair.out).object();
        QVERIFY(!ownPair[QStringLiteral("directions")].toArray().isEmpty());
        // Equal but for the capture's name (hub.pcap, right-outer.pcap).
        const auto unnamed = [](QJsonArray dirs) {
            for (auto d : dirs) {
                QJsonObject o = d.toObject();
                o.remove(QStringLiteral("from_capture"));
                o.remove(QStringLiteral("to_capture"));
                d = o;
            }
            return dirs;
        };
        QCOMPARE(unnamed(hp[QStringLiteral("directions")].toArray()),
                 unnamed(ownPair[QStringLiteral("directions")].toArray()));
        QCOMPARE(
            hp[QStringLiteral("captures")][1][QStringLiteral("tunnel")][QStringLiteral("packets_outside")]
                .toInteger(),
            qint64(all.size() - tunnel.size()));
        QVERIFY(!hp[QStringLiteral("captures")][0].toObject().contains(QStringLiteral("tunnel")));
        const Run ownDiag = run({QStringLiteral("diagnose"), QStringLiteral("--capture"), left,
                                 QStringLiteral("--peer-capture"), mtu, QStringLiteral("--json")});
        const Run hubDiag = run({QStringLiteral("diagnose"), QStringLiteral("--capture"), left,
                                 QStringLiteral("--peer-capture"), hub, QStringLiteral("--peer-tunnel"),
                                 QStringLiteral("10.0.1.1"), QStringLiteral("--json")});
        QCOMPARE(hubDiag.exitCode, 0);
        QCOMPARE(diagnosis(hubDiag.out), diagnosis(ownDiag.out));
        // Read whole (--peer-tunnel given as the other tunnel's NAT, which carries none of A's
        // IKE), B's other tunnel's IKE counts as the pair's: 2 of B's 4 'lost in transit'.
        const QJsonObject whole2 =
            QJsonDocument::fromJson(run({QStringLiteral("compare"), left, hub,
                                         QStringLiteral("--peer-tunnel=10.0.2.1"), QStringLiteral("--json")})
                                        .out)
                .object();
        QCOMPARE(
            whole2[QStringLiteral("directions")][1][QStringLiteral("ike")][QStringLiteral("lost_in_transit")]
                .toInteger(),
            2);
        QCOMPARE(hp[QStringLiteral("directions")][1][QStringLiteral("ike")][QStringLiteral("lost_in_transit")]
                     .toInteger(),
                 0);

        // The address of neither tunnel: nothing of IKE or ESP is left, and the warning says so.
        const Run none = run({QStringLiteral("summary"), hub, QStringLiteral("--tunnel=192.0.2.9")});
        QVERIFY2(none.out.contains("no IKE or ESP packet of the capture is in the tunnel 192.0.2.9"),
                 none.out.constData());
    }

    // The peer's capture is a hub's (tests/data/derived/hub: natt's right capture and
    // mtu-blackhole's, two tunnels) and no --peer-tunnel is given: compare and diagnose read it as
    // the one tunnel carrying SPIs of A's (an IKE SA or two ESP SPIs), as the window does, and say
    // which and why in text, JSON and the fix script; not proven, B stays whole and the note names
    // --peer-tunnel with the pair carrying A's SPI. Expected counts from libpcap's BPF and tshark.
    void peerHubReadAsTheTunnelOfA()
    {
        const QString lab = QStringLiteral(IKEV2WB_TEST_DATA "/lab/");
        const QString hub = QStringLiteral(IKEV2WB_TEST_DATA "/derived/hub/hub.pcap");
        const QString left = lab + QStringLiteral("mtu-blackhole/left-outer.pcap");
        const qint64 all = qint64(bpfFrames(hub, "").size());
        const qint64 tunnel = qint64(bpfFrames(hub, "ip host 10.0.1.1").size());
        const qint64 natTunnel = qint64(bpfFrames(hub, "ip host 10.0.2.254 and ip host 10.0.2.1").size());
        QCOMPARE(all, 4876); // capinfos -c
        QVERIFY(tunnel > 0 && natTunnel > 0 && tunnel + natTunnel < all);
        // A's ESP SPIs and IKE SAs (tshark): all in the hub, on the pair 10.0.1.1 <-> 10.0.2.1.
        const QString esp = QStringLiteral("esp"), spiField = QStringLiteral("esp.spi");
        const QString ike = QStringLiteral("isakmp"), ispi = QStringLiteral("isakmp.ispi");
        const QStringList spisA = tsharkValues(left, esp, spiField), ikeA = tsharkValues(left, ike, ispi);
        QCOMPARE(spisA.size(), 2);
        QCOMPARE(ikeA.size(), 1);
        for (const QString &spi : spisA)
            QVERIFY(
                tsharkValues(hub, esp + QStringLiteral(" && ip.addr == 10.0.1.1"), spiField).contains(spi));
        QVERIFY(
            tsharkValues(hub, ike + QStringLiteral(" && ip.addr == 10.0.1.1"), ispi).contains(ikeA.first()));

        const auto json = [](const Run &r) { return QJsonDocument::fromJson(r.out).object(); };
        const Run cmp = run({QStringLiteral("compare"), left, hub, QStringLiteral("--json")});
        QCOMPARE(cmp.exitCode, 0);
        const QJsonObject c = json(cmp);
        const QJsonObject pt = c[QStringLiteral("peer_tunnel")].toObject();
        QCOMPARE(pt[QStringLiteral("read_as")].toString(), QStringLiteral("tunnel"));
        QCOMPARE(pt[QStringLiteral("ends")].toArray(),
                 (QJsonArray{QStringLiteral("10.0.1.1"), QStringLiteral("10.0.2.1")}));
        QCOMPARE(pt[QStringLiteral("shared_esp_spis")].toInteger(), qint64(spisA.size()));
        QCOMPARE(pt[QStringLiteral("shared_ike_sas")].toInteger(), qint64(ikeA.size()));
        QCOMPARE(pt[QStringLiteral("pairs")].toArray().size(), 2);
        QCOMPARE(c[QStringLiteral("captures")][1][QStringLiteral("tunnel")][QStringLiteral("packets_outside")]
                     .toInteger(),
                 all - tunnel);
        // B's other tunnel's IKE no longer counts as the pair's (read whole: 2 'lost in transit').
        QCOMPARE(c[QStringLiteral("directions")][1][QStringLiteral("ike")][QStringLiteral("lost_in_transit")]
                     .toInteger(),
                 0);
        // Text: which tunnel and why, in the window's words.
        const Run cmpText = run({QStringLiteral("compare"), left, hub});
        QVERIFY2(
            cmpText.out.contains("B read as the tunnel 10.0.1.1 ↔ 10.0.2.1: the peer's capture holds the "
                                 "IKE/ESP of 2 address pairs; only 10.0.1.1 ↔ 10.0.2.1 carries SPIs"),
            cmpText.out.constData());

        // diagnose: the same, with the note in the text, the JSON and the fix script.
        QJsonObject d;
        const QString note =
            QStringLiteral(
                "B read as the tunnel 10.0.1.1 ↔ 10.0.2.1: the peer's capture holds the IKE/ESP of 2 "
                "address pairs; only 10.0.1.1 ↔ 10.0.2.1 carries SPIs of capture A's (1 IKE SA(s), "
                "2 ESP SPI(s)) (hub.pcap): %1 of its %2 packets are outside it")
                .arg(all - tunnel)
                .arg(all);
        diagnoseSaysNote(left, hub, note, m_tmp.filePath(QStringLiteral("hub-peer-fixes.sh")), d);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(d[QStringLiteral("peer_tunnel")][QStringLiteral("read_as")].toString(),
                 QStringLiteral("tunnel"));
        // The findings are those of the tunnel's own two captures.
        const QJsonObject own = json(run(
            {QStringLiteral("diagnose"), QStringLiteral("--capture"), left, QStringLiteral("--peer-capture"),
             lab + QStringLiteral("mtu-blackhole/right-outer.pcap"), QStringLiteral("--json")}));
        QVERIFY(!causes(own).isEmpty());
        QCOMPARE(causes(d), causes(own));
        QVERIFY(!own.contains(QStringLiteral("peer_tunnel"))); // a peer of one tunnel: no field

        // Behind the NAT: A's 10.0.1.1 <-> 10.0.2.1 is 10.0.2.1 <-> 10.0.2.254 at the hub.
        const QJsonObject nat =
            json(run({QStringLiteral("compare"), lab + QStringLiteral("natt/left-outer.pcap"), hub,
                      QStringLiteral("--json")}));
        QCOMPARE(nat[QStringLiteral("peer_tunnel")][QStringLiteral("ends")].toArray(),
                 (QJsonArray{QStringLiteral("10.0.2.1"), QStringLiteral("10.0.2.254")}));
        QCOMPARE(
            nat[QStringLiteral("captures")][1][QStringLiteral("tunnel")][QStringLiteral("packets_outside")]
                .toInteger(),
            all - natTunnel);

        // An explicit --peer-tunnel wins: read as given, nothing judged.
        const QJsonObject given =
            json(run({QStringLiteral("compare"), left, hub, QStringLiteral("--peer-tunnel=10.0.2.254"),
                      QStringLiteral("--json")}));
        QCOMPARE(
            given[QStringLiteral("captures")][1][QStringLiteral("tunnel")][QStringLiteral("ends")].toArray(),
            QJsonArray{QStringLiteral("10.0.2.254")});
        QVERIFY(!given.contains(QStringLiteral("peer_tunnel")));
        // Also for diagnose, with a scope that keeps both of the hub's tunnels (10.0.2.1 is an end
        // of each): nothing judged, so B is not cut to A's tunnel (review of 66e6d9e).
        const QJsonObject givenBoth = json(run(
            {QStringLiteral("diagnose"), QStringLiteral("--capture"), left, QStringLiteral("--peer-capture"),
             hub, QStringLiteral("--peer-tunnel"), QStringLiteral("10.0.2.1"), QStringLiteral("--json")}));
        QVERIFY(!givenBoth.isEmpty());
        QVERIFY(!givenBoth.contains(QStringLiteral("peer_tunnel")));
        const QJsonObject givenBothCmp =
            json(run({QStringLiteral("compare"), left, hub, QStringLiteral("--peer-tunnel=10.0.2.1"),
                      QStringLiteral("--json")}));
        QVERIFY(!givenBothCmp.contains(QStringLiteral("peer_tunnel")));
        QCOMPARE(givenBothCmp[QStringLiteral("captures")][1][QStringLiteral("tunnel")]
                             [QStringLiteral("packets_outside")]
                                 .toInteger(),
                 all - qint64(bpfFrames(hub, "ip host 10.0.2.1").size())); // both tunnels kept

        // Addresses alone prove nothing: clean's A has the pair 10.0.1.1 <-> 10.0.2.1 of the hub's
        // mtu-blackhole tunnel, but none of its SPIs (another run): B stays whole.
        const QJsonObject sameAddresses =
            json(run({QStringLiteral("compare"), lab + QStringLiteral("clean/left-outer.pcap"), hub,
                      QStringLiteral("--json")}));
        QCOMPARE(sameAddresses[QStringLiteral("peer_tunnel")][QStringLiteral("read_as")].toString(),
                 QStringLiteral("whole"));
        QVERIFY(!sameAddresses[QStringLiteral("captures")][1].toObject().contains(QStringLiteral("tunnel")));

        // Not proven: A holds one ESP SPI of the hub's and no IKE (cut with tshark): B stays whole,
        // and the note names --peer-tunnel with the pair carrying that SPI (not the busiest).
        const QString oneSpi = m_tmp.filePath(QStringLiteral("one-spi.pcap"));
        QCOMPARE(QProcess::execute(QStringLiteral("tshark"),
                                   {QStringLiteral("-r"), left, QStringLiteral("-Y"),
                                    QStringLiteral("esp.spi == ") + spisA.first(), QStringLiteral("-F"),
                                    QStringLiteral("pcap"), QStringLiteral("-w"), oneSpi}),
                 0);
        const Run weak = run({QStringLiteral("diagnose"), QStringLiteral("--capture"), oneSpi,
                              QStringLiteral("--peer-capture"), hub, QStringLiteral("--json")});
        QCOMPARE(weak.exitCode, 0);
        const QJsonObject w = json(weak);
        QCOMPARE(w[QStringLiteral("peer_tunnel")][QStringLiteral("read_as")].toString(),
                 QStringLiteral("whole"));
        QVERIFY2(
            weak.out.contains("B read whole: the peer's capture holds the IKE/ESP of 2 address pairs; only "
                              "10.0.1.1 ↔ 10.0.2.1 carries an SPI of capture A's, but one ESP SPI and no "
                              "IKE SA"),
            weak.out.constData());
        QVERIFY2(weak.out.contains("--peer-tunnel 10.0.1.1,10.0.2.1 (ikev2wb diagnose)"),
                 weak.out.constData());
        const QJsonObject weakCmp =
            json(run({QStringLiteral("compare"), oneSpi, hub, QStringLiteral("--json")}));
        QVERIFY(!weakCmp[QStringLiteral("captures")][1].toObject().contains(QStringLiteral("tunnel")));
        QCOMPARE(weakCmp[QStringLiteral("peer_tunnel")][QStringLiteral("read_as")].toString(),
                 QStringLiteral("whole"));
    }

    // The mirror of peerHubReadAsTheTunnelOfA: the hub's capture is A, the spoke's (mtu-blackhole's
    // left) B. A is read as the one tunnel B's SPIs prove (before: the whole hub was compared, and
    // the other tunnel's IKE counted as 'lost in transit'), said in the text, the JSON (`own_tunnel`),
    // diagnose's notes and fix script; an explicit --tunnel wins; swapping A and B gives the same
    // per-direction figures.
    void hubCaptureAReadAsTheTunnelOfB()
    {
        const QString lab = QStringLiteral(IKEV2WB_TEST_DATA "/lab/");
        const QString hub = QStringLiteral(IKEV2WB_TEST_DATA "/derived/hub/hub.pcap");
        const QString spoke = lab + QStringLiteral("mtu-blackhole/left-outer.pcap");
        const qint64 all = qint64(bpfFrames(hub, "").size());
        const qint64 tunnel = qint64(bpfFrames(hub, "ip host 10.0.1.1").size());
        QCOMPARE(all, 4876); // capinfos -c
        // The spoke's ESP SPIs and IKE SAs (tshark), all on the hub's pair 10.0.1.1 <-> 10.0.2.1.
        const qint64 spis = tsharkValues(spoke, QStringLiteral("esp"), QStringLiteral("esp.spi")).size();
        const qint64 ikeSas =
            tsharkValues(spoke, QStringLiteral("isakmp"), QStringLiteral("isakmp.ispi")).size();
        QCOMPARE(spis, 2);
        QCOMPARE(ikeSas, 1);
        // IKE messages of the tunnel at the hub and at the spoke (tshark): every one arrived.
        const qint64 ikeTunnel =
            tsharkValues(hub, QStringLiteral("isakmp && ip.addr == 10.0.1.1"), QStringLiteral("frame.number"))
                .size();
        const qint64 ikeSpoke =
            tsharkValues(spoke, QStringLiteral("isakmp"), QStringLiteral("frame.number")).size();
        QCOMPARE(ikeTunnel, ikeSpoke);

        const auto json = [](const Run &r) { return QJsonDocument::fromJson(r.out).object(); };
        const Run cmp = run({QStringLiteral("compare"), hub, spoke, QStringLiteral("--json")});
        QCOMPARE(cmp.exitCode, 0);
        const QJsonObject c = json(cmp);
        const QJsonObject own = c[QStringLiteral("own_tunnel")].toObject();
        QCOMPARE(own[QStringLiteral("read_as")].toString(), QStringLiteral("tunnel"));
        QCOMPARE(own[QStringLiteral("ends")].toArray(),
                 (QJsonArray{QStringLiteral("10.0.1.1"), QStringLiteral("10.0.2.1")}));
        QCOMPARE(own[QStringLiteral("shared_esp_spis")].toInteger(), spis);
        QCOMPARE(own[QStringLiteral("shared_ike_sas")].toInteger(), ikeSas);
        QCOMPARE(own[QStringLiteral("pairs")].toArray().size(), 2);
        QVERIFY(!c.contains(QStringLiteral("peer_tunnel"))); // the spoke holds one tunnel
        QCOMPARE(c[QStringLiteral("captures")][0][QStringLiteral("tunnel")][QStringLiteral("packets_outside")]
                     .toInteger(),
                 all - tunnel);
        // Only the tunnel's IKE is the pair's: none lost either way (read whole: 2 'lost in transit').
        for (int d = 0; d < 2; ++d) {
            const QJsonObject ike = c[QStringLiteral("directions")][d][QStringLiteral("ike")].toObject();
            QCOMPARE(ike[QStringLiteral("lost_in_transit")].toInteger(), 0);
        }
        // Swapped (the hub as B): the same figures per direction (A → B there is B → A here).
        const QJsonObject swapped =
            json(run({QStringLiteral("compare"), spoke, hub, QStringLiteral("--json")}));
        QCOMPARE(swapped[QStringLiteral("peer_tunnel")][QStringLiteral("ends")].toArray(),
                 own[QStringLiteral("ends")].toArray());
        for (int d = 0; d < 2; ++d) {
            const QJsonObject here = c[QStringLiteral("directions")][d].toObject();
            const QJsonObject there = swapped[QStringLiteral("directions")][1 - d].toObject();
            for (const char *key : {"sent", "received", "lost_in_transit", "capture_drop_at_sender"})
                QCOMPARE(here[QLatin1String(key)].toVariant(), there[QLatin1String(key)].toVariant());
            QCOMPARE(here[QStringLiteral("ike")].toObject(), there[QStringLiteral("ike")].toObject());
        }
        // Text: which tunnel and why; the scope line has one space after "Tunnel".
        const Run text = run({QStringLiteral("compare"), hub, spoke});
        QVERIFY2(
            text.out.contains("A read as the tunnel 10.0.1.1 ↔ 10.0.2.1: capture A holds the IKE/ESP of 2 "
                              "address pairs; only 10.0.1.1 ↔ 10.0.2.1 carries SPIs of the peer's capture"),
            text.out.constData());
        QVERIFY2(text.out.contains(QStringLiteral("A: Tunnel between 10.0.1.1 and 10.0.2.1: %1 of %2 packets")
                                       .arg(all - tunnel)
                                       .arg(all)
                                       .toUtf8()),
                 text.out.constData());

        // An explicit --tunnel wins, even one keeping both of the hub's tunnels: nothing judged.
        const QJsonObject given = json(run({QStringLiteral("compare"), hub, spoke,
                                            QStringLiteral("--tunnel=10.0.2.1"), QStringLiteral("--json")}));
        QVERIFY(!given.isEmpty());
        QVERIFY(!given.contains(QStringLiteral("own_tunnel")));
        QCOMPARE(
            given[QStringLiteral("captures")][0][QStringLiteral("tunnel")][QStringLiteral("packets_outside")]
                .toInteger(),
            all - qint64(bpfFrames(hub, "ip host 10.0.2.1").size()));

        // diagnose: the note in the text, the JSON and the fix script; the findings are the tunnel's
        // own two captures' (mtu-blackhole's right and left).
        QJsonObject d;
        const QString note =
            QStringLiteral(
                "A read as the tunnel 10.0.1.1 ↔ 10.0.2.1: capture A holds the IKE/ESP of 2 address "
                "pairs; only 10.0.1.1 ↔ 10.0.2.1 carries SPIs of the peer's capture (1 IKE SA(s), 2 "
                "ESP SPI(s)) (hub.pcap): %1 of its %2 packets are outside it")
                .arg(all - tunnel)
                .arg(all);
        diagnoseSaysNote(hub, spoke, note, m_tmp.filePath(QStringLiteral("hub-a-fixes.sh")), d);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(d[QStringLiteral("own_tunnel")][QStringLiteral("read_as")].toString(),
                 QStringLiteral("tunnel"));
        const QJsonObject pair =
            json(run({QStringLiteral("diagnose"), QStringLiteral("--capture"),
                      lab + QStringLiteral("mtu-blackhole/right-outer.pcap"),
                      QStringLiteral("--peer-capture"), spoke, QStringLiteral("--json")}));
        QVERIFY(!causes(pair).isEmpty());
        QCOMPARE(causes(d), causes(pair));
        QCOMPARE(d[QStringLiteral("pair_directions")].toArray(),
                 pair[QStringLiteral("pair_directions")].toArray());
    }

    // An ICMP error belongs to the tunnel whose packet it quotes: mtu-probe-1420's left capture has
    // frag-needed errors from the router 10.0.1.254 to 10.0.1.1 quoting ESP to 10.0.2.1 (counted
    // here by BPF). Read as the tunnel with 10.0.2.1, none of them is left out.
    void icmpErrorsFollowTheQuotedPacket()
    {
        const QString cap = QStringLiteral(IKEV2WB_TEST_DATA "/lab/mtu-probe-1420/left-outer.pcap");
        const std::size_t needFrag = bpfFrames(cap, "icmp[icmptype] = 3 and icmp[icmpcode] = 4 and src host "
                                                    "10.0.1.254 and dst host 10.0.1.1")
                                         .size();
        QVERIFY(needFrag > 0);
        const Run r = run({QStringLiteral("summary"), cap, QStringLiteral("--tunnel"),
                           QStringLiteral("10.0.2.1"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(s[QStringLiteral("packets_by_kind")][QStringLiteral("icmp_need_frag")].toInteger(),
                 qint64(needFrag));
        QCOMPARE(s[QStringLiteral("icmp_errors")].toArray().size(), qsizetype(needFrag));
    }

    void threadsOption_data()
    {
        QTest::addColumn<QString>("command");
        for (const char *c : {"summary", "packets", "analyze"})
            QTest::newRow(c) << QString::fromLatin1(c);
    }
    void threadsOption()
    {
        QFETCH(QString, command);
        const QString strace = QStandardPaths::findExecutable(QStringLiteral("strace"));
        if (strace.isEmpty()) QSKIP("strace is not installed (scripts/setup-deps.sh installs it)");
        const QString capture = QStringLiteral(IKEV2WB_TEST_DATA "/lab/loss1/left-outer.pcap");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QString asan = env.value(QStringLiteral("ASAN_OPTIONS"));
        env.insert(QStringLiteral("ASAN_OPTIONS"), asan.isEmpty() ? QStringLiteral("detect_leaks=0")
                                                                  : asan + QStringLiteral(":detect_leaks=0"));
        QByteArray out[2];
        int clones[2] = {0, 0};
        for (int n = 0; n < 2; ++n) {
            const QString log = m_tmp.filePath(QStringLiteral("clone-%1-%2.txt").arg(command).arg(n + 1));
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(strace, {QStringLiteral("-f"), QStringLiteral("-e"), QStringLiteral("trace=clone,clone3"),
                             QStringLiteral("-o"), log, QStringLiteral(IKEV2WB_CLI), command,
                             QStringLiteral("--json"), QStringLiteral("--threads=%1").arg(n + 1), capture});
            QVERIFY(p.waitForFinished(120000));
            QCOMPARE(p.exitStatus(), QProcess::NormalExit);
            QCOMPARE(p.exitCode(), 0);
            out[n] = p.readAllStandardOutput();
            QFile f(log);
            QVERIFY(f.open(QIODevice::ReadOnly));
            for (const QByteArray &line : f.readAll().split('\n'))
                if (line.contains("clone(") || line.contains("clone3(")) ++clones[n];
        }
        QVERIFY(!out[0].isEmpty());
        QVERIFY(out[0] == out[1]);
        QCOMPARE(clones[1], clones[0] + 1);
    }

    // OutputFile, the writer behind --fix-script, --pdf and `ikev2wb capture -w`: a link planted
    // at the name after open() (the check) and before commit() is never written through. A
    // replaceable output (fix script) replaces the link itself; a never-overwritten one (capture)
    // leaves it in place and keeps the data under the temporary name, which it reports.
    void outputFileLinkPlantedAfterOpen_data()
    {
        QTest::addColumn<bool>("refuse");
        QTest::newRow("replace regular (fix script, PDF)") << false;
        QTest::newRow("refuse existing (capture)") << true;
    }
    void outputFileLinkPlantedAfterOpen()
    {
        QFETCH(bool, refuse);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("out.bin"));
        using ikev2wb::OutputFile;
        OutputFile f(path, refuse ? OutputFile::Existing::Refuse : OutputFile::Existing::ReplaceRegular);
        QString error;
        QVERIFY2(f.open(&error), qPrintable(error));
        QVERIFY(f.write(QByteArrayLiteral("first half, ")));
        const PlantedLink planted = PlantedLink::make(dir.path(), QStringLiteral("out.bin"));
        QVERIFY(QFileInfo(path).isSymLink());
        QVERIFY(f.write(QByteArrayLiteral("second half\n")));
        QString kept;
        const bool ok = f.commit(0600, &error, &kept);
        // The target of the link keeps its bytes either way.
        QFile target(planted.target);
        QVERIFY(target.open(QIODevice::ReadOnly));
        QCOMPARE(target.readAll(), QByteArray(PlantedLink::Bytes));
        if (!refuse) {
            QVERIFY2(ok, qPrintable(error));
            QVERIFY(!QFileInfo(path).isSymLink());
            QFile out(path);
            QVERIFY(out.open(QIODevice::ReadOnly));
            QCOMPARE(out.readAll(), QByteArrayLiteral("first half, second half\n"));
            return;
        }
        QVERIFY(!ok);
        QVERIFY(planted.intact());
        QCOMPARE(error, path + QStringLiteral(": appeared while it was being written; not replaced"));
        QVERIFY(kept.startsWith(dir.filePath(QStringLiteral(".out.bin."))));
        QFile out(kept);
        QVERIFY(out.open(QIODevice::ReadOnly));
        QCOMPARE(out.readAll(), QByteArrayLiteral("first half, second half\n"));
        QCOMPARE(int(out.permissions() & 0x0077), 0); // no group/other bits: 0600
        // Refused from the start as well: a link, or any existing name.
        OutputFile again(path, OutputFile::Existing::Refuse);
        QVERIFY(!again.open(&error));
        QCOMPARE(error, path + QStringLiteral(
                                   ": is a symbolic link; not written (remove it or choose another name)"));
        OutputFile regular(kept, OutputFile::Existing::Refuse);
        QVERIFY(!regular.open(&error));
        QCOMPARE(error, kept + QStringLiteral(": exists; never overwritten (choose another name)"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
