// Live capture against a real kernel: two network namespaces made by the test, joined by a
// veth pair; the real helper (ikev2wb-capture) or `ikev2wb capture` captures in one of them
// while a thread of the test sends UDP datagrams from the other. The saved pcapng is read back
// with our reader and with hand-decoded bytes (Ethernet/IPv4/UDP headers, pcapng blocks).
// Needs root and `ip`; skipped with a message otherwise. Traffic never leaves the namespaces.
#include "capture/capturereader.h"
#include "capture/pcapngstats.h"
#include "index/indexbuilder.h"
#include "netnspair.h"
#include "plantedlink.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <set>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace ikev2wb;

namespace {

const QString kCli = QStringLiteral(IKEV2WB_CLI);
const QString kHelper = QFileInfo(kCli).dir().filePath(QStringLiteral("ikev2wb-capture"));

/// A thread in namespace B that sends one UDP datagram every `periodMs` to 10.78.0.1, to port
/// 500 and 4500 in turn, plus one to port 53 in between (the filter must leave it out), until
/// stopped. The payload counts up ("ikwb-N").
class Sender
{
public:
    /// `perTick` datagrams padded to `payloadSize` bytes every `periodMs`.
    Sender(const QString &ns, int periodMs, int payloadSize = 0, int perTick = 1)
        : m_ns(QStringLiteral("/run/netns/%1").arg(ns).toLocal8Bit())
    {
        m_thread =
            std::thread([this, periodMs, payloadSize, perTick] { loop(periodMs, payloadSize, perTick); });
    }
    ~Sender() { stop(); }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
    }
    [[nodiscard]] bool joined() const { return m_joined; }
    [[nodiscard]] int sent() const { return m_sent; }

private:
    void loop(int periodMs, int payloadSize, int perTick)
    {
        const int nsfd = ::open(m_ns.constData(), O_RDONLY | O_CLOEXEC);
        if (nsfd < 0) return;
        const bool ok = ::setns(nsfd, CLONE_NEWNET) == 0; // this thread only
        ::close(nsfd);
        if (!ok) return;
        m_joined = true;
        const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0) return;
        sockaddr_in to{};
        to.sin_family = AF_INET;
        ::inet_pton(AF_INET, kCaptureAddr, &to.sin_addr);
        for (int i = 0; !m_stop; ++i) {
            QByteArray payload = "ikwb-" + QByteArray::number(i);
            if (payload.size() < payloadSize) payload.append(payloadSize - payload.size(), 'x');
            to.sin_port = htons(i % 2 ? 4500 : 500);
            for (int k = 1; k < perTick; ++k)
                ::sendto(s, payload.constData(), std::size_t(payload.size()), 0,
                         reinterpret_cast<sockaddr *>(&to), sizeof to);

            for (const std::uint16_t port : {std::uint16_t(i % 2 ? 4500 : 500), std::uint16_t(53)}) {
                to.sin_port = htons(port);
                ::sendto(s, payload.constData(), std::size_t(payload.size()), 0,
                         reinterpret_cast<sockaddr *>(&to), sizeof to);
            }
            ++m_sent;
            std::this_thread::sleep_for(std::chrono::milliseconds(periodMs));
        }
        ::close(s);
    }
    QByteArray m_ns;
    std::thread m_thread;
    std::atomic_bool m_stop{false};
    std::atomic_bool m_joined{false};
    std::atomic_int m_sent{0};
};

/// The processes named `comm` running in network namespace `ns` (by the inode of
/// /proc/PID/ns/net against /run/netns/NS).
std::vector<int> processesInNamespace(const QString &ns, const QByteArray &comm)
{
    std::vector<int> out;
    struct stat want
    {
    };
    if (::stat(QStringLiteral("/run/netns/%1").arg(ns).toLocal8Bit().constData(), &want) != 0) return out;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool isPid = false;
        const int pid = entry.toInt(&isPid);
        if (!isPid) continue;
        struct stat st
        {
        };
        if (::stat(QStringLiteral("/proc/%1/ns/net").arg(pid).toLocal8Bit().constData(), &st) != 0) continue;
        if (st.st_ino != want.st_ino || st.st_dev != want.st_dev) continue;
        QFile f(QStringLiteral("/proc/%1/comm").arg(pid));
        if (f.open(QIODevice::ReadOnly) && f.readAll().trimmed() == comm) out.push_back(pid);
    }
    return out;
}

/// The pcapng blocks of a file as (type, offset, length), walked by hand (little-endian
/// sections only, as the helper writes on x86/arm64).
struct Block
{
    std::uint32_t type, offset, length;
};
std::uint32_t le32(const QByteArray &b, qsizetype at)
{
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | std::uint8_t(b[at + i]);
    return v;
}
std::vector<Block> blocks(const QByteArray &f)
{
    std::vector<Block> out;
    qsizetype at = 0;
    while (at + 12 <= f.size()) {
        const std::uint32_t len = le32(f, at + 4);
        if (len < 12 || at + len > f.size() || le32(f, at + len - 4) != len) break;
        out.push_back({le32(f, at), std::uint32_t(at), len});
        at += len;
    }
    return out;
}
/// The IDB's if_name option (code 2), decoded from the bytes.
QString idbName(const QByteArray &f, const Block &idb)
{
    qsizetype at = idb.offset + 16; // type, length, linktype+reserved, snaplen
    while (at + 4 <= qsizetype(idb.offset + idb.length - 4)) {
        const int code = std::uint8_t(f[at]) | std::uint8_t(f[at + 1]) << 8;
        const int len = std::uint8_t(f[at + 2]) | std::uint8_t(f[at + 3]) << 8;
        if (code == 0) break;
        if (code == 2) return QString::fromLatin1(f.mid(at + 4, len));
        at += 4 + ((len + 3) & ~3);
    }
    return {};
}

/// Every packet of the file: Ethernet + IPv4 + UDP from the sender to 10.78.0.1, decoded by hand;
/// returns the UDP destination ports.
std::vector<int> udpDestinationPorts(const QString &path, QString *why)
{
    std::vector<int> ports;
    QString err;
    auto reader = CaptureReader::open(path, &err);
    if (!reader) {
        *why = err;
        return ports;
    }
    std::uint32_t sender = 0, capturer = 0;
    ::inet_pton(AF_INET, kSenderAddr, &sender);
    ::inet_pton(AF_INET, kCaptureAddr, &capturer);
    reader->read([&](const RawPacket &p) {
        const std::uint8_t *d = p.data;
        const bool ipv4 =
            p.presentLength >= 14 + 20 + 8 && d[12] == 0x08 && d[13] == 0x00 && (d[14] >> 4) == 4;
        if (!ipv4 || d[14 + 9] != 17 || std::memcmp(d + 14 + 12, &sender, 4) != 0 ||
            std::memcmp(d + 14 + 16, &capturer, 4) != 0) {
            ports.push_back(-1);
            return;
        }
        const int ihl = (d[14] & 0x0f) * 4;
        ports.push_back(d[14 + ihl + 2] << 8 | d[14 + ihl + 3]);
    });
    return ports;
}

/// Checks the file's block structure as the helper must write it: SHB, an IDB naming the veth,
/// packets, and the ISB as the very last block. Returns what is wrong, or an empty string; the
/// file's size in *size.
QString checkBlocks(const QString &path, qsizetype *size = nullptr, const QString &ifName = kCaptureIf)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return QStringLiteral("cannot open ") + path;
    const QByteArray bytes = f.readAll();
    if (size) *size = bytes.size();
    const std::vector<Block> bl = blocks(bytes);
    if (bl.size() < 3) return QStringLiteral("%1 blocks only").arg(bl.size());
    if (bl.front().type != 0x0A0D0D0Au) return QStringLiteral("does not start with a section header");
    if (bl[1].type != 1) return QStringLiteral("second block is not an IDB");
    if (idbName(bytes, bl[1]) != ifName) return QStringLiteral("if_name is '%1'").arg(idbName(bytes, bl[1]));
    if (bl.back().type != 5)
        return QStringLiteral("the last block is of type %1, not an ISB").arg(bl.back().type);
    if (qsizetype(bl.back().offset + bl.back().length) != bytes.size())
        return QStringLiteral("bytes after the last whole block (file %1 bytes)").arg(bytes.size());
    return {};
}

bool waitForNonEmpty(const QString &path, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (QFileInfo(path).size() > 0) return true;
        QTest::qWait(20);
    }
    return false;
}

/// The UDP payload ids ("ikwb-N") of the sender's datagrams in a capture (pcap or pcapng).
std::set<int> payloadIds(const QString &path, QString *why)
{
    std::set<int> ids;
    QString err;
    auto reader = CaptureReader::open(path, &err);
    if (!reader) {
        *why = err;
        return ids;
    }
    reader->read([&](const RawPacket &p) {
        const std::uint8_t *d = p.data;
        if (p.presentLength < 14 + 20 + 8 + 6 || d[12] != 0x08 || d[13] != 0x00 || d[14 + 9] != 17) return;
        const int ihl = (d[14] & 0x0f) * 4;
        const QByteArray payload(reinterpret_cast<const char *>(d + 14 + ihl + 8),
                                 qsizetype(p.presentLength) - 14 - ihl - 8);
        if (payload.startsWith("ikwb-")) ids.insert(payload.mid(5).toInt());
    });
    return ids;
}

} // namespace

class TestLiveCapture : public QObject
{
    Q_OBJECT

    bool m_canLab = false;
    QString m_why;
    QTemporaryDir m_tmp;

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(QFileInfo(kHelper).isExecutable(), qPrintable(kHelper));
        m_canLab = ::geteuid() == 0 && !QStandardPaths::findExecutable(QStringLiteral("ip")).isEmpty();
        if (!m_canLab) {
            m_why = QStringLiteral("needs root and iproute2's `ip` to build network namespaces and capture");
            return;
        }
        NsPair probe;
        if (const QString e = probe.build(); !e.isEmpty()) {
            m_canLab = false;
            m_why = QStringLiteral("cannot build network namespaces here: ") + e;
        }
    }

    // --count N through `ikev2wb capture`: exactly N packets, all UDP 500/4500 from the sender,
    // the IDB names the veth, the ISB is the last block and counts them.
    void countExact()
    {
        if (!m_canLab) QSKIP(qPrintable(m_why));
        NsPair ns;
        QVERIFY2(ns.build().isEmpty(), "namespaces");
        const QString file = m_tmp.filePath(QStringLiteral("count.pcapng"));
        constexpr int kCount = 7;
        QProcess cap;
        cap.start(
            QStringLiteral("ip"),
            ns.inA(kCli, {QStringLiteral("capture"), QStringLiteral("-i"), kCaptureIf, QStringLiteral("-f"),
                          QStringLiteral("udp port 500 or udp port 4500"), QStringLiteral("--count"),
                          QString::number(kCount), QStringLiteral("-w"), file}));
        QVERIFY(cap.waitForStarted());
        Sender sender(ns.b, 20); // until the capture has its 7 (more are sent than captured)
        const bool finished = cap.waitForFinished(20000);
        sender.stop();
        QVERIFY(sender.joined());
        if (!finished) cap.kill(), cap.waitForFinished(2000);
        QVERIFY2(finished, cap.readAllStandardError().constData());
        const QByteArray err = cap.readAllStandardError();
        QVERIFY2(cap.exitCode() == 0, err.constData());
        QVERIFY(sender.sent() > kCount);
        QVERIFY2(cap.readAllStandardOutput().contains(QByteArrayLiteral(": 7 packets")), err.constData());

        QString why;
        const std::vector<int> ports = udpDestinationPorts(file, &why);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QCOMPARE(int(ports.size()), kCount);
        for (const int p : ports)
            QVERIFY2(p == 500 || p == 4500, qPrintable(QStringLiteral("unexpected packet, port %1").arg(p)));
        QCOMPARE(QFileInfo(file).permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());

        const QString bad = checkBlocks(file);
        QVERIFY2(bad.isEmpty(), qPrintable(bad));
        const PcapngStatsScan scan = scanPcapngStatistics(file);
        QVERIFY(scan.drops.has_value());
        QVERIFY(scan.drops->haveDelivered && scan.drops->haveOsDrop && scan.drops->haveIfDrop);
        QCOMPARE(scan.drops->delivered, std::uint64_t(kCount));
        QVERIFY(scan.drops->received >= std::uint64_t(kCount));
        QCOMPARE(scan.drops->osDrop, std::uint64_t(0));
    }

    // SIGTERM to the helper, SIGINT to `ikev2wb capture` during a --duration capture: a complete
    // file that our reader reads without a warning, ending with the statistics block.
    void signalEndsCleanly_data()
    {
        QTest::addColumn<bool>("viaCli");
        QTest::newRow("helper, SIGTERM") << false;
        QTest::newRow("ikev2wb capture, SIGINT") << true;
    }
    void signalEndsCleanly()
    {
        if (!m_canLab) QSKIP(qPrintable(m_why));
        QFETCH(bool, viaCli);
        NsPair ns;
        QVERIFY2(ns.build().isEmpty(), "namespaces");
        const QString file =
            m_tmp.filePath(viaCli ? QStringLiteral("sigint.pcapng") : QStringLiteral("sigterm.pcapng"));
        const QStringList args{QStringLiteral("-i"), kCaptureIf,           QStringLiteral("--duration"),
                               QStringLiteral("60"), QStringLiteral("-w"), file};
        QProcess cap;
        cap.start(QStringLiteral("ip"), viaCli ? ns.inA(kCli, QStringList{QStringLiteral("capture")} + args)
                                               : ns.inA(kHelper, args));
        QVERIFY(cap.waitForStarted());
        if (!viaCli)
            QVERIFY2(waitForNonEmpty(file, 10000),
                     "the helper writes its headers once the interface is open");
        {
            Sender sender(ns.b, 20);
            QTest::qWait(viaCli ? 1500 : 500);
        }
        QElapsedTimer t;
        t.start();
        ::kill(pid_t(cap.processId()), viaCli ? SIGINT : SIGTERM);
        const bool finished = cap.waitForFinished(10000);
        if (!finished) cap.kill(), cap.waitForFinished(2000);
        QVERIFY2(finished, "the capture did not end on the signal");
        QVERIFY2(t.elapsed() < 5000, "ending took more than 5 s");
        QCOMPARE(cap.exitStatus(), QProcess::NormalExit);
        QVERIFY2(cap.exitCode() == 0, cap.readAllStandardError().constData());

        QString err;
        const auto idx = loadCapture(file, &err);
        QVERIFY2(idx, qPrintable(err));
        QVERIFY(!idx->partial);
        QVERIFY2(idx->warnings.empty() || !idx->warnings.front().message.contains(QLatin1String("truncated")),
                 qPrintable(idx->warnings.front().message));
        QVERIFY(idx->packetCount() >= 1);
        QVERIFY(idx->captureDrops.has_value());
        QCOMPARE(idx->captureDrops->delivered, std::uint64_t(idx->packetCount()));
        const QString bad = checkBlocks(file);
        QVERIFY2(bad.isEmpty(), qPrintable(bad));
    }

    // Bad input: a clear message, the documented exit code, no file left behind.
    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::addColumn<bool>("asNobody");
        const QString i = QStringLiteral("-i");
        QTest::newRow("no such interface") << QStringList{i, QStringLiteral("ikwbnosuch0")} << 3
                                           << QStringLiteral("no interface named ikwbnosuch0") << false;
        QTest::newRow("invalid filter")
            << QStringList{i, kCaptureIf, QStringLiteral("-f"), QStringLiteral("udp port")} << 3
            << QStringLiteral("invalid filter") << false;
        QTest::newRow("interface name with a slash") << QStringList{i, QStringLiteral("eth0/x")} << 2
                                                     << QStringLiteral("not an interface name") << false;
        QTest::newRow("duration 0") << QStringList{i, kCaptureIf, QStringLiteral("--duration"),
                                                   QStringLiteral("0")}
                                    << 2 << QStringLiteral("--duration takes whole seconds") << false;
        QTest::newRow("count not a number")
            << QStringList{i, kCaptureIf, QStringLiteral("--count"), QStringLiteral("1e3")} << 2
            << QStringLiteral("--count takes") << false;
        QTest::newRow("no permission") << QStringList{i, kCaptureIf} << 4
                                       << QStringLiteral("setcap cap_net_raw,cap_net_admin=eip") << true;
    }
    void badInput()
    {
        if (!m_canLab) QSKIP(qPrintable(m_why));
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QFETCH(bool, asNobody);
        NsPair ns;
        QVERIFY2(ns.build().isEmpty(), "namespaces");
        // A folder anyone may write to, so that nobody's failure is the capture, not the folder.
        QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/ikwblive-XXXXXX"));
        QVERIFY(dir.isValid());
        QFile::setPermissions(dir.path(), QFile::Permissions(0x7777));
        const QString file = dir.filePath(QStringLiteral("bad.pcapng"));
        QStringList cmd =
            QStringList{QStringLiteral("capture")} + args + QStringList{QStringLiteral("-w"), file};
        Run r;
        if (asNobody) {
            if (QStandardPaths::findExecutable(QStringLiteral("setpriv")).isEmpty()) QSKIP("needs setpriv");
            // nobody must be able to reach the build tree's programs for this row to mean anything.
            const Run probe = run(QStringLiteral("setpriv"),
                                  {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                   QStringLiteral("--clear-groups"), kHelper, QStringLiteral("--version")});
            if (probe.exitCode != 0) QSKIP("the build tree is not readable by nobody");
            r = run(QStringLiteral("ip"),
                    ns.inA(QStringLiteral("setpriv"),
                           QStringList{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                       QStringLiteral("--clear-groups"), kCli} +
                               cmd));
        } else {
            r = run(QStringLiteral("ip"), ns.inA(kCli, cmd));
        }
        QVERIFY2(
            r.exitCode == exitCode,
            qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(QString::fromLocal8Bit(r.err))));
        QVERIFY2(QString::fromLocal8Bit(r.err).contains(message), r.err.constData());
        QVERIFY2(QDir(dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::Hidden).isEmpty(),
                 "a failed capture leaves no file behind");
    }

    // --ring 3 --size 1: files rotate at 1 MB, only the last three are kept, each complete with
    // its own header and statistics block; `ikev2wb capture` reads the kept files back as one
    // capture and counts what capinfos counts in them.
    void ring()
    {
        if (!m_canLab) QSKIP(qPrintable(m_why));
        if (QStandardPaths::findExecutable(QStringLiteral("capinfos")).isEmpty()) QSKIP("needs capinfos");
        NsPair ns;
        QVERIFY2(ns.build().isEmpty(), "namespaces");
        QTemporaryDir dir(m_tmp.filePath(QStringLiteral("ringXXXXXX")));
        QVERIFY(dir.isValid());
        const QString base = dir.filePath(QStringLiteral("r.pcapng"));
        QProcess cap;
        cap.start(
            QStringLiteral("ip"),
            ns.inA(kCli, {QStringLiteral("capture"), QStringLiteral("-i"), kCaptureIf, QStringLiteral("-f"),
                          QStringLiteral("udp port 500 or udp port 4500"), QStringLiteral("--duration"),
                          QStringLiteral("60"), QStringLiteral("--ring"), QStringLiteral("3"),
                          QStringLiteral("--size"), QStringLiteral("1"), QStringLiteral("-w"), base}));
        QVERIFY(cap.waitForStarted());
        QVERIFY2(waitForNonEmpty(dir.filePath(QStringLiteral("r_00001.pcapng")), 10000), "first ring file");
        {
            // 1400-byte datagrams, 20 every 2 ms: ~14 MB/s for 0.6 s, several 1 MB files.
            Sender sender(ns.b, 2, 1400, 20);
            QTest::qWait(600);
        }
        ::kill(pid_t(cap.processId()), SIGINT);
        const bool finished = cap.waitForFinished(10000);
        if (!finished) cap.kill(), cap.waitForFinished(2000);
        QVERIFY(finished);
        QVERIFY2(cap.exitCode() == 0, cap.readAllStandardError().constData());
        const QString said = QString::fromUtf8(cap.readAllStandardOutput());
        const QStringList files = QDir(dir.path()).entryList(QDir::Files, QDir::Name);
        QCOMPARE(files.size(), 3);
        QVERIFY2(files.first() != QStringLiteral("r_00001.pcapng"), qPrintable(files.join(QLatin1Char(' '))));
        // Consecutive numbers: the newest three.
        const int first = files.first().mid(2, 5).toInt();
        QVERIFY(first >= 2);
        for (int i = 1; i < 3; ++i)
            QCOMPARE(files.at(i).mid(2, 5).toInt(), first + i);
        QStringList paths;
        for (const QString &name : files) {
            const QString path = dir.filePath(name);
            paths << path;
            QString err;
            const auto idx = loadCapture(path, &err);
            QVERIFY2(idx, qPrintable(err));
            QVERIFY2(!idx->partial, qPrintable(name));
            QVERIFY(idx->captureDrops.has_value());
            qsizetype size = 0;
            const QString bad = checkBlocks(path, &size);
            QVERIFY2(bad.isEmpty(), qPrintable(name + QLatin1String(": ") + bad));
            // A file ends at the first packet that takes it to 1 MB (plus its statistics block).
            QVERIFY2(size < 1000000 + 1500 + 200, qPrintable(QString::number(size)));
        }
        const QFileInfo older(dir.filePath(files.first()));
        QVERIFY2(older.size() >= 1000000, "a rotated file is full");
        // capinfos' packet counts of the three files, summed: what the ring still holds.
        const Run ci =
            run(QStringLiteral("capinfos"), QStringList{QStringLiteral("-c"), QStringLiteral("-M"),
                                                        QStringLiteral("-T"), QStringLiteral("-r")} +
                                                paths);
        QCOMPARE(ci.exitCode, 0);
        qulonglong inFiles = 0;
        const QStringList rows = QString::fromUtf8(ci.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), 3);
        for (const QString &row : rows)
            inFiles += row.section(QLatin1Char('\t'), -1).toULongLong();
        QVERIFY(inFiles > 1000);
        QVERIFY2(said.contains(QStringLiteral("3 files kept, %1 … %2").arg(files.first(), files.last())),
                 qPrintable(said));
        QVERIFY2(said.contains(QStringLiteral("read as one capture: %1 packets").arg(inFiles)),
                 qPrintable(said));
        QVERIFY2(said.contains(QStringLiteral("analyze them as one capture: ikev2wb analyze %1 %2 %3")
                                   .arg(paths.at(0), paths.at(1), paths.at(2))),
                 qPrintable(said));
        // The command it names reads the whole ring: summary's packets are capinfos' sum.
        const Run summary =
            run(kCli, QStringList{QStringLiteral("summary"), QStringLiteral("--json")} + paths);
        QCOMPARE(summary.exitCode, 0);
        const QJsonObject js = QJsonDocument::fromJson(summary.out).object();
        QCOMPARE(js.value(QStringLiteral("packets")).toInteger(), qint64(inFiles));
        QCOMPARE(js.value(QStringLiteral("files")).toArray().size(), 3);
    }

    // A symbolic link planted at the output name while `ikev2wb capture` runs (the check of the
    // name is long past) is neither followed nor replaced: exit 3, the link and its target as
    // they were, and the capture kept under the temporary name the message gives, mode 0600.
    // (With QSaveFile the finished capture was renamed over the link: exit 0, link gone.)
    void linkPlantedDuringCapture()
    {
        if (!m_canLab) QSKIP(qPrintable(m_why));
        NsPair ns;
        QVERIFY2(ns.build().isEmpty(), "namespaces");
        QTemporaryDir dir(m_tmp.filePath(QStringLiteral("raceXXXXXX")));
        QVERIFY(dir.isValid());
        const QString out = dir.filePath(QStringLiteral("planted.pcapng"));
        QProcess cap;
        cap.start(QStringLiteral("ip"), ns.inA(kCli, {QStringLiteral("capture"), QStringLiteral("-i"),
                                                      kCaptureIf, QStringLiteral("--duration"),
                                                      QStringLiteral("60"), QStringLiteral("-w"), out}));
        QVERIFY(cap.waitForStarted());
        // The name was checked and the capture is running (its temporary file is unnamed until
        // it is put in place): the window QSaveFile left open.
        QTest::qWait(1500);
        QCOMPARE(cap.state(), QProcess::Running);
        const PlantedLink planted = PlantedLink::make(dir.path(), QStringLiteral("planted.pcapng"));
        QVERIFY(QFileInfo(out).isSymLink());
        {
            Sender sender(ns.b, 20);
            QTest::qWait(300);
        }
        ::kill(pid_t(cap.processId()), SIGINT);
        const bool finished = cap.waitForFinished(10000);
        if (!finished) cap.kill(), cap.waitForFinished(2000);
        QVERIFY(finished);
        const QString err = QString::fromLocal8Bit(cap.readAllStandardError());
        QVERIFY2(cap.exitCode() == 3, qPrintable(err));
        QVERIFY2(planted.intact(), "the planted link or its target changed");
        QVERIFY2(err.contains(QStringLiteral("appeared while it was being written; not replaced")),
                 qPrintable(err));
        const QRegularExpressionMatch kept =
            QRegularExpression(QStringLiteral("the capture was kept as (\\S+)\n")).match(err);
        QVERIFY2(kept.hasMatch(), qPrintable(err));
        const QString tmp = kept.captured(1);
        QVERIFY2(tmp.startsWith(dir.filePath(QStringLiteral(".planted.pcapng."))), qPrintable(tmp));
        QCOMPARE(QFileInfo(tmp).permissions() &
                     (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());
        QString why;
        const auto idx = loadCapture(tmp, &why);
        QVERIFY2(idx, qPrintable(why));
        QVERIFY(idx->packetCount() >= 1);
        QVERIFY(idx->captureDrops.has_value());
    }

    // --ssh: the peer's side captured over ssh at the same time — an sshd the test starts in
    // namespace B, the peer's capture on B's end of the veth (tcpdump there, or the helper),
    // stopped together by one SIGINT. Both files hold exactly the datagrams the sender sent
    // (by their payload ids); no traffic leaves the two namespaces.
    void sshPeer_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::newRow("tcpdump on the peer") << QStringLiteral("tcpdump");
        QTest::newRow("the helper on the peer") << QStringLiteral("helper");
    }
    void sshPeer()
    {
        if (!m_canLab) QSKIP(qPrintable(m_why));
        QFETCH(QString, tool);
        if (tool == QLatin1String("tcpdump") &&
            QStandardPaths::findExecutable(QStringLiteral("tcpdump")).isEmpty())
            QSKIP("needs tcpdump");
        NsPair ns;
        QVERIFY2(ns.build().isEmpty(), "namespaces");
        QTemporaryDir dir(m_tmp.filePath(QStringLiteral("sshXXXXXX")));
        QVERIFY(dir.isValid());
        SshServer sshd(ns.b, dir.path());
        if (!sshd.why.isEmpty()) QSKIP(qPrintable(sshd.why));
        const QString out = dir.filePath(QStringLiteral("local.pcapng"));
        QStringList args{QStringLiteral("capture"),
                         QStringLiteral("-i"),
                         kCaptureIf,
                         QStringLiteral("-f"),
                         QStringLiteral("udp port 500 or udp port 4500"),
                         QStringLiteral("-w"),
                         out,
                         QStringLiteral("--ssh"),
                         QStringLiteral("root@10.78.0.2"),
                         QStringLiteral("--peer-iface"),
                         QStringLiteral("ikwbsend0"),
                         QStringLiteral("--ssh-option"),
                         QStringLiteral("IdentityFile=") + sshd.path(QStringLiteral("id")),
                         QStringLiteral("--ssh-option"),
                         QStringLiteral("UserKnownHostsFile=") + sshd.knownHosts()};
        if (tool == QLatin1String("tcpdump"))
            args << QStringLiteral("--peer-tool") << tool;
        else
            args << QStringLiteral("--peer-helper") << kHelper;
        QProcess cap;
        cap.start(QStringLiteral("ip"), ns.inA(kCli, args));
        QVERIFY(cap.waitForStarted());
        QTest::qWait(2000); // both ends capturing (the ssh login inside the namespaces takes ~0.2 s)
        QCOMPARE(cap.state(), QProcess::Running);
        // The peer's capture runs in B, started through sshd.
        const QByteArray peerComm = tool == QLatin1String("tcpdump") ? "tcpdump" : "ikev2wb-capture";
        QCOMPARE(processesInNamespace(ns.b, peerComm).size(), std::size_t(1));
        int sent = 0;
        {
            Sender sender(ns.b, 20);
            QTest::qWait(1000);
            sender.stop();
            QVERIFY(sender.joined());
            sent = sender.sent();
        }
        QTest::qWait(300);
        ::kill(pid_t(cap.processId()), SIGINT);
        const bool finished = cap.waitForFinished(20000);
        if (!finished) cap.kill(), cap.waitForFinished(2000);
        QVERIFY(finished);
        const QByteArray err = cap.readAllStandardError();
        QVERIFY2(cap.exitCode() == 0, err.constData());
        const QByteArray said = cap.readAllStandardOutput();
        const QString peerOut =
            dir.filePath(tool == QLatin1String("tcpdump") ? QStringLiteral("local-peer.pcap")
                                                          : QStringLiteral("local-peer.pcapng"));
        // The close path: the local stop ended the capture on the peer too (it is gone from B;
        // its file below is complete).
        QTRY_VERIFY_WITH_TIMEOUT(processesInNamespace(ns.b, peerComm).empty(), 5000);
        // The start skew, measured: the peer began after the local helper (ssh login first),
        // within the 2 s the test waited before sending.
        const QRegularExpression skew(
            QStringLiteral("the peer's capture started (\\d+) ms after the local one"));
        const auto m = skew.match(QString::fromUtf8(said));
        QVERIFY2(m.hasMatch(), said.constData());
        qInfo("%s: the peer's capture started %s ms after the local one", qPrintable(tool),
              qPrintable(m.captured(1)));
        QVERIFY2(m.captured(1).toInt() > 0 && m.captured(1).toInt() < 2000, said.constData());
        QVERIFY2(said.contains(QStringLiteral("open them as a pair: ikev2-workbench --pair %1 %2")
                                   .arg(out, peerOut)
                                   .toUtf8()),
                 said.constData());
        QVERIFY(sent >= 20);
        std::set<int> expected;
        for (int i = 0; i < sent; ++i)
            expected.insert(i);
        for (const QString &file : {out, peerOut}) {
            QString why;
            const std::set<int> ids = payloadIds(file, &why);
            QVERIFY2(why.isEmpty(), qPrintable(why));
            QVERIFY2(
                ids == expected,
                qPrintable(QStringLiteral("%1: %2 of %3 datagrams").arg(file).arg(ids.size()).arg(sent)));
            QCOMPARE(QFileInfo(file).permissions() & (QFile::ReadGroup | QFile::ReadOther),
                     QFile::Permissions());
        }
        if (tool == QLatin1String("helper")) {
            const QString bad = checkBlocks(peerOut, nullptr, QStringLiteral("ikwbsend0"));
            QVERIFY2(bad.isEmpty(), qPrintable(bad));
        }
    }

    // --ssh to a host that does not answer, or that refuses the key: exit 5 with ssh's reason,
    // and neither file is left behind (the local capture, already running, is discarded too).
    void sshPeerUnreachable_data()
    {
        QTest::addColumn<QString>("dest");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("reason");
        QTest::newRow("no such host")
            << QStringLiteral("root@10.78.0.9") << QStringLiteral("id") << QStringLiteral("10.78.0.9");
        QTest::newRow("key refused") << QStringLiteral("root@10.78.0.2") << QStringLiteral("other")
                                     << QStringLiteral("Permission denied");
    }
    void sshPeerUnreachable()
    {
        if (!m_canLab) QSKIP(qPrintable(m_why));
        QFETCH(QString, dest);
        QFETCH(QString, key);
        QFETCH(QString, reason);
        NsPair ns;
        QVERIFY2(ns.build().isEmpty(), "namespaces");
        QTemporaryDir keys(m_tmp.filePath(QStringLiteral("sshkeysXXXXXX")));
        QTemporaryDir dir(m_tmp.filePath(QStringLiteral("sshoutXXXXXX")));
        QVERIFY(keys.isValid() && dir.isValid());
        SshServer sshd(ns.b, keys.path());
        if (!sshd.why.isEmpty()) QSKIP(qPrintable(sshd.why));
        QElapsedTimer t;
        t.start();
        const Run r = run(
            QStringLiteral("ip"),
            ns.inA(kCli, {QStringLiteral("capture"), QStringLiteral("-i"), kCaptureIf, QStringLiteral("-w"),
                          dir.filePath(QStringLiteral("x.pcapng")), QStringLiteral("--ssh"), dest,
                          QStringLiteral("--ssh-option"), QStringLiteral("ConnectTimeout=2"),
                          QStringLiteral("--ssh-option"), QStringLiteral("IdentityFile=") + sshd.path(key),
                          QStringLiteral("--ssh-option"),
                          QStringLiteral("UserKnownHostsFile=") + sshd.knownHosts()}));
        QVERIFY2(
            r.exitCode == 5,
            qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(QString::fromLocal8Bit(r.err))));
        const QString err = QString::fromLocal8Bit(r.err);
        QVERIFY2(err.contains(QStringLiteral("cannot reach the peer ") + dest) && err.contains(reason) &&
                     err.contains(QStringLiteral("nothing was saved")),
                 qPrintable(err));
        QVERIFY2(t.elapsed() < 15000, qPrintable(QString::number(t.elapsed())));
        QVERIFY2(QDir(dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::Hidden).isEmpty(),
                 "a failed capture leaves no file behind");
    }

    // The helper itself refuses an existing file and a terminal; checked without a capture.
    void helperRefusesToOverwrite()
    {
        if (!m_canLab) QSKIP(qPrintable(m_why));
        NsPair ns;
        QVERIFY2(ns.build().isEmpty(), "namespaces");
        const QString file = m_tmp.filePath(QStringLiteral("exists.pcapng"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("keep");
        f.close();
        const Run r = run(QStringLiteral("ip"),
                          ns.inA(kHelper, {QStringLiteral("-i"), kCaptureIf, QStringLiteral("--count"),
                                           QStringLiteral("1"), QStringLiteral("-w"), file}));
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("never overwritten"), r.err.constData());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArrayLiteral("keep"));
    }
};

QTEST_GUILESS_MAIN(TestLiveCapture)
#include "tst_livecapture.moc"
