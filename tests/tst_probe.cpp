// `ikev2wb probe` against real kernels: three network namespaces made by the test,
// client — router — server, the router's link to the server at a lower MTU. The expected path MTU
// is the one the test configures on the links (the smallest on the path), never the probe's
// output. With ICMP allowed the router's fragmentation-needed / packet-too-big names it; with
// those dropped by iptables on the router the probe must call it a black hole at the same size.
// Needs root and `ip`; skipped with a message otherwise. Traffic never leaves the namespaces.
#include "labdata.h"
#include "probe/pathprobe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <sched.h>
#include <thread>
#include <unistd.h>

using namespace ikev2wb;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCommand(const QString &program, const QStringList &args, int timeoutMs = 20000)
{
    QProcess p;
    p.start(program, args);
    Run r;
    if (!p.waitForFinished(timeoutMs) || p.exitStatus() != QProcess::NormalExit) {
        p.kill();
        p.waitForFinished(2000);
        r.err = p.readAllStandardError();
        return r;
    }
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// The IPv4 addresses of a Lab (/24 each side): client, router's client side, router's server
/// side, server.
struct LabPlan4
{
    QString client = QStringLiteral("10.77.1.2"), routerClientSide = QStringLiteral("10.77.1.1"),
            routerServerSide = QStringLiteral("10.77.2.1"), server = QStringLiteral("10.77.2.2");
};

/// client (c0) — (r0) router (r1) — (s0) server. Addresses: 10.77.1.0/24 and 10.77.2.0/24,
/// fd77:1::/64 and fd77:2::/64; the router is .1 / ::1 on both. Removed on destruction.
class Lab
{
public:
    static inline const QString routerClientSide4 = QStringLiteral("10.77.1.1");
    static inline const QString routerClientSide6 = QStringLiteral("fd77:1::1");
    static inline const QString server4 = QStringLiteral("10.77.2.2");
    static inline const QString server6 = QStringLiteral("fd77:2::2");
    static inline const QString client4 = QStringLiteral("10.77.1.2");
    static inline const QString client6 = QStringLiteral("fd77:1::2");
    using Plan4 = LabPlan4;

    explicit Lab(Plan4 plan = Plan4()) : m_plan(std::move(plan))
    {
        static int counter = 0;
        const QString prefix = QStringLiteral("ikwbprobe%1x%2").arg(::getpid()).arg(++counter);
        m_client = prefix + QLatin1Char('c');
        m_router = prefix + QLatin1Char('r');
        m_server = prefix + QLatin1Char('s');
    }
    ~Lab()
    {
        for (const QString &ns : m_created)
            runCommand(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("del"), ns});
    }
    Lab(const Lab &) = delete;
    Lab &operator=(const Lab &) = delete;

    /// Builds the three namespaces; returns an error text naming the failed command.
    QString build(int clientMtu, int serverLinkMtu)
    {
        for (const QString &ns : {m_client, m_router, m_server}) {
            if (QString e = ip({QStringLiteral("netns"), QStringLiteral("add"), ns}); !e.isEmpty()) return e;
            m_created << ns;
            // Without duplicate address detection the link-local addresses are usable at once;
            // a tentative one keeps neighbour discovery (and the first IPv6 probes) waiting.
            if (QString e = sysctl(ns, {QStringLiteral("net.ipv6.conf.default.accept_dad=0"),
                                        QStringLiteral("net.ipv6.conf.all.accept_dad=0")});
                !e.isEmpty())
                return e;
        }
        const QStringList steps[] = {
            {QStringLiteral("-n"), m_client, QStringLiteral("link"), QStringLiteral("add"),
             QStringLiteral("c0"), QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
             QStringLiteral("name"), QStringLiteral("r0"), QStringLiteral("netns"), m_router},
            {QStringLiteral("-n"), m_router, QStringLiteral("link"), QStringLiteral("add"),
             QStringLiteral("r1"), QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
             QStringLiteral("name"), QStringLiteral("s0"), QStringLiteral("netns"), m_server},
        };
        for (const QStringList &s : steps)
            if (QString e = ip(s); !e.isEmpty()) return e;
        struct Link
        {
            QString ns, dev, v4, v6;
            int mtu;
        };
        const QString p24 = QStringLiteral("/24");
        const Link links[] = {
            {m_client, QStringLiteral("c0"), m_plan.client + p24, QStringLiteral("fd77:1::2/64"), clientMtu},
            {m_router, QStringLiteral("r0"), m_plan.routerClientSide + p24, QStringLiteral("fd77:1::1/64"),
             clientMtu},
            {m_router, QStringLiteral("r1"), m_plan.routerServerSide + p24, QStringLiteral("fd77:2::1/64"),
             serverLinkMtu},
            {m_server, QStringLiteral("s0"), m_plan.server + p24, QStringLiteral("fd77:2::2/64"),
             serverLinkMtu},
        };
        for (const Link &l : links) {
            const QStringList cmds[] = {
                {QStringLiteral("-n"), l.ns, QStringLiteral("link"), QStringLiteral("set"), l.dev,
                 QStringLiteral("mtu"), QString::number(l.mtu), QStringLiteral("up")},
                {QStringLiteral("-n"), l.ns, QStringLiteral("addr"), QStringLiteral("add"), l.v4,
                 QStringLiteral("dev"), l.dev},
                {QStringLiteral("-n"), l.ns, QStringLiteral("addr"), QStringLiteral("add"), l.v6,
                 QStringLiteral("dev"), l.dev, QStringLiteral("nodad")},
            };
            for (const QStringList &c : cmds)
                if (QString e = ip(c); !e.isEmpty()) return e;
        }
        const QStringList more[] = {
            {QStringLiteral("-n"), m_client, QStringLiteral("route"), QStringLiteral("add"),
             QStringLiteral("default"), QStringLiteral("via"), m_plan.routerClientSide},
            {QStringLiteral("-n"), m_client, QStringLiteral("-6"), QStringLiteral("route"),
             QStringLiteral("add"), QStringLiteral("default"), QStringLiteral("via"),
             QStringLiteral("fd77:1::1")},
            {QStringLiteral("-n"), m_server, QStringLiteral("route"), QStringLiteral("add"),
             QStringLiteral("default"), QStringLiteral("via"), m_plan.routerServerSide},
            {QStringLiteral("-n"), m_server, QStringLiteral("-6"), QStringLiteral("route"),
             QStringLiteral("add"), QStringLiteral("default"), QStringLiteral("via"),
             QStringLiteral("fd77:2::1")},
        };
        for (const QStringList &c : more)
            if (QString e = ip(c); !e.isEmpty()) return e;
        for (const QString &ns : {m_client, m_router, m_server}) {
            if (QString e = ip({QStringLiteral("-n"), ns, QStringLiteral("link"), QStringLiteral("set"),
                                QStringLiteral("lo"), QStringLiteral("up")});
                !e.isEmpty())
                return e;
        }
        // Forwarding on the router; no ICMP rate limit on the router and the server, so every
        // probe's error or port unreachable comes back (the probe retries, the test is faster).
        const QStringList noLimit = {QStringLiteral("net.ipv4.icmp_ratelimit=0"),
                                     QStringLiteral("net.ipv6.icmp.ratelimit=0")};
        if (QString e = sysctl(m_router, QStringList{QStringLiteral("net.ipv4.ip_forward=1"),
                                                     QStringLiteral("net.ipv6.conf.all.forwarding=1")} +
                                             noLimit);
            !e.isEmpty())
            return e;
        return sysctl(m_server, noLimit);
    }

    /// Lets every group of the client namespace open ICMP datagram ("ping") sockets.
    QString allowPingSockets()
    {
        return sysctl(m_client, {QStringLiteral("net.ipv4.ping_group_range=0 2147483647")});
    }

    /// The router drops the fragmentation-needed / packet-too-big it generates: a black hole.
    QString dropTooBig()
    {
        Run r = exec(m_router, QStringLiteral("iptables"),
                     {QStringLiteral("-A"), QStringLiteral("OUTPUT"), QStringLiteral("-p"),
                      QStringLiteral("icmp"), QStringLiteral("--icmp-type"),
                      QStringLiteral("fragmentation-needed"), QStringLiteral("-j"), QStringLiteral("DROP")});
        if (r.exitCode != 0) return QStringLiteral("iptables: ") + QString::fromLocal8Bit(r.err);
        r = exec(m_router, QStringLiteral("ip6tables"),
                 {QStringLiteral("-A"), QStringLiteral("OUTPUT"), QStringLiteral("-p"),
                  QStringLiteral("icmpv6"), QStringLiteral("--icmpv6-type"), QStringLiteral("packet-too-big"),
                  QStringLiteral("-j"), QStringLiteral("DROP")});
        if (r.exitCode != 0) return QStringLiteral("ip6tables: ") + QString::fromLocal8Bit(r.err);
        return {};
    }

    QString buildBlackHole(int clientMtu, int serverLinkMtu)
    {
        const QString e = build(clientMtu, serverLinkMtu);
        return e.isEmpty() ? dropTooBig() : e;
    }

    /// Runs `program args` inside namespace ns.
    Run exec(const QString &ns, const QString &program, const QStringList &args, int timeoutMs = 60000) const
    {
        return runCommand(QStringLiteral("ip"),
                          QStringList{QStringLiteral("netns"), QStringLiteral("exec"), ns, program} + args,
                          timeoutMs);
    }
    [[nodiscard]] const QString &client() const { return m_client; }

private:
    static QString ip(const QStringList &args)
    {
        const Run r = runCommand(QStringLiteral("ip"), args);
        if (r.exitCode == 0) return {};
        return QStringLiteral("ip %1: %2")
            .arg(args.join(QLatin1Char(' ')), QString::fromLocal8Bit(r.err).trimmed());
    }
    QString sysctl(const QString &ns, const QStringList &settings) const
    {
        const Run r = exec(ns, QStringLiteral("sysctl"), QStringList{QStringLiteral("-qw")} + settings);
        if (r.exitCode == 0) return {};
        return QStringLiteral("sysctl in %1: %2").arg(ns, QString::fromLocal8Bit(r.err).trimmed());
    }

    Plan4 m_plan;
    QString m_client, m_router, m_server;
    QStringList m_created;
};

/// Moves the calling thread into namespace ns (only this thread; sockets it opens stay there).
bool joinNetns(const QString &ns)
{
    const QByteArray path = QStringLiteral("/run/netns/%1").arg(ns).toLocal8Bit();
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::setns(fd, CLONE_NEWNET) == 0;
    ::close(fd);
    return ok;
}

/// The probe CLI inside the client namespace; the parsed JSON.
QJsonObject probeJson(const Lab &lab, const QStringList &args, Run *raw = nullptr)
{
    const Run r =
        lab.exec(lab.client(), QStringLiteral(IKEV2WB_CLI),
                 QStringList{QStringLiteral("probe")} + args +
                     QStringList{QStringLiteral("--json"), QStringLiteral("--tries"), QStringLiteral("2"),
                                 QStringLiteral("--timeout"), QStringLiteral("0.5")});
    if (raw) *raw = r;
    return QJsonDocument::fromJson(r.out).object();
}

/// `diagnose --json` of the mtu-blackhole lab's left capture with a probe result (saved as
/// probe-peer.json in an evidence folder of its own).
Run diagnoseWithProbe(const QByteArray &probeJson)
{
    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("probe-peer.json")));
    if (!dir.isValid() || !f.open(QIODevice::WriteOnly) || f.write(probeJson) != probeJson.size()) return {};
    f.close();
    return runCommand(QStringLiteral(IKEV2WB_CLI),
                      {QStringLiteral("diagnose"), QStringLiteral("--capture"),
                       QStringLiteral(IKEV2WB_TEST_DATA "/lab/mtu-blackhole/left-outer.pcap"),
                       QStringLiteral("--evidence"), dir.path(), QStringLiteral("--json")});
}

/// Every fix's title and text of a `diagnose --json` output.
QString fixesOf(const QByteArray &json)
{
    QString fixes;
    for (const QJsonValue &finding :
         QJsonDocument::fromJson(json).object().value(QLatin1String("findings")).toArray())
        for (const QJsonValue &fix : finding[QLatin1String("fixes")].toArray())
            fixes += fix[QLatin1String("title")].toString() + QLatin1Char('\n') +
                     fix[QLatin1String("text")].toString() + QLatin1Char('\n');
    return fixes;
}

} // namespace

class TestProbe : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral(IKEV2WB_CLI)), IKEV2WB_CLI);
        m_canLab = ::geteuid() == 0 && !QStandardPaths::findExecutable(QStringLiteral("ip")).isEmpty();
        if (m_canLab) {
            Lab lab; // can this machine make namespaces at all (a container may not allow it)?
            const QString e = lab.build(1500, 1500);
            if (!e.isEmpty()) {
                m_canLab = false;
                m_why = e;
            }
        } else {
            m_why = QStringLiteral("needs root and iproute2's `ip` to build network namespaces");
        }
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no host") << QStringList{};
        QTest::newRow("bad proto") << QStringList{QStringLiteral("192.0.2.1"), QStringLiteral("--proto"),
                                                  QStringLiteral("tcp")};
        QTest::newRow("min above max")
            << QStringList{QStringLiteral("192.0.2.1"), QStringLiteral("--min"), QStringLiteral("1500"),
                           QStringLiteral("--max"), QStringLiteral("1400")};
        QTest::newRow("min below headers")
            << QStringList{QStringLiteral("192.0.2.1"), QStringLiteral("--min"), QStringLiteral("20")};
        QTest::newRow("tries 0") << QStringList{QStringLiteral("192.0.2.1"), QStringLiteral("--tries"),
                                                QStringLiteral("0")};
        QTest::newRow("timeout 100") << QStringList{QStringLiteral("192.0.2.1"), QStringLiteral("--timeout"),
                                                    QStringLiteral("100")};
        QTest::newRow("two hosts") << QStringList{QStringLiteral("192.0.2.1"), QStringLiteral("192.0.2.2")};
    }
    void usageErrors()
    {
        // Refused before any socket is opened: nothing is sent anywhere.
        QFETCH(QStringList, args);
        const Run r = runCommand(QStringLiteral(IKEV2WB_CLI), QStringList{QStringLiteral("probe")} + args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("usage error"), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void pathMtu_data()
    {
        QTest::addColumn<bool>("ipv6");
        QTest::addColumn<QString>("proto");
        QTest::addColumn<bool>("pingSockets"); // ping_group_range opened in the client namespace
        QTest::addColumn<int>("clientMtu");
        QTest::addColumn<int>("serverLinkMtu");
        QTest::addColumn<bool>("blackHole");
        QTest::addColumn<QString>("method");
        const QString icmp = QStringLiteral("icmp"), udp = QStringLiteral("udp");
        const QString dgram = QStringLiteral("icmp-datagram"), raw = QStringLiteral("icmp-raw");
        QTest::newRow("v4 icmp ping-socket 1400 ptb")
            << false << icmp << true << 1500 << 1400 << false << dgram;
        QTest::newRow("v4 icmp raw 1313 ptb") << false << icmp << false << 1500 << 1313 << false << raw;
        QTest::newRow("v4 udp 1313 ptb") << false << udp << false << 1500 << 1313 << false << udp;
        QTest::newRow("v4 icmp ping-socket 1400 black hole")
            << false << icmp << true << 1500 << 1400 << true << dgram;
        QTest::newRow("v4 udp 1313 black hole") << false << udp << false << 1500 << 1313 << true << udp;
        QTest::newRow("v4 icmp local 1350") << false << icmp << true << 1350 << 1400 << false << dgram;
        QTest::newRow("v6 icmp ping-socket 1400 ptb")
            << true << icmp << true << 1500 << 1400 << false << dgram;
        QTest::newRow("v6 udp 1313 ptb") << true << udp << false << 1500 << 1313 << false << udp;
        QTest::newRow("v6 icmp raw 1313 black hole") << true << icmp << false << 1500 << 1313 << true << raw;
        QTest::newRow("v6 udp 1400 black hole") << true << udp << false << 1500 << 1400 << true << udp;
        QTest::newRow("v6 udp local 1350") << true << udp << false << 1350 << 1400 << false << udp;
    }
    void pathMtu()
    {
        if (!m_canLab) QSKIP(qPrintable(m_why));
        QFETCH(bool, ipv6);
        QFETCH(QString, proto);
        QFETCH(bool, pingSockets);
        QFETCH(int, clientMtu);
        QFETCH(int, serverLinkMtu);
        QFETCH(bool, blackHole);
        QFETCH(QString, method);
        Lab lab;
        QString e = lab.build(clientMtu, serverLinkMtu);
        QVERIFY2(e.isEmpty(), qPrintable(e));
        if (pingSockets) QVERIFY2((e = lab.allowPingSockets()).isEmpty(), qPrintable(e));
        if (blackHole) QVERIFY2((e = lab.dropTooBig()).isEmpty(), qPrintable(e));

        // The truth: the smallest MTU configured on the path; the client's own link is refused
        // by its stack (EMSGSIZE), the router's link by the router's ICMP error (or silence).
        const int expectedMtu = std::min(clientMtu, serverLinkMtu);
        const bool local = clientMtu <= serverLinkMtu;
        Run raw;
        const QJsonObject j =
            probeJson(lab, {ipv6 ? Lab::server6 : Lab::server4, QStringLiteral("--proto"), proto}, &raw);
        QVERIFY2(raw.exitCode == 0, raw.err.constData());
        QCOMPARE(j.value(QLatin1String("schema")).toString(), QStringLiteral("ikev2wb.probe/1"));
        QCOMPARE(j.value(QLatin1String("family")).toString(),
                 ipv6 ? QStringLiteral("ipv6") : QStringLiteral("ipv4"));
        QCOMPARE(j.value(QLatin1String("method")).toString(), method);
        // Sent from the client's own address on its only link (the namespace's configuration).
        QCOMPARE(j.value(QLatin1String("source")).toString(), ipv6 ? Lab::client6 : Lab::client4);
        QCOMPARE(j.value(QLatin1String("path_mtu")).toInt(), expectedMtu);
        QCOMPARE(j.value(QLatin1String("largest_delivered")).toInt(), expectedMtu);
        QCOMPARE(j.value(QLatin1String("smallest_failed")).toInt(), expectedMtu + 1);
        const QJsonArray ptb = j.value(QLatin1String("ptb")).toArray();
        if (local) {
            QCOMPARE(j.value(QLatin1String("pmtud")).toString(), QStringLiteral("working"));
            QCOMPARE(j.value(QLatin1String("failed_by")).toString(), QStringLiteral("too_big_local"));
            QVERIFY(ptb.isEmpty());
        } else if (blackHole) {
            QCOMPARE(j.value(QLatin1String("pmtud")).toString(), QStringLiteral("black_hole"));
            QCOMPARE(j.value(QLatin1String("failed_by")).toString(), QStringLiteral("silent"));
            QVERIFY(ptb.isEmpty());
        } else {
            QCOMPARE(j.value(QLatin1String("pmtud")).toString(), QStringLiteral("working"));
            QCOMPARE(j.value(QLatin1String("failed_by")).toString(), QStringLiteral("too_big_icmp"));
            QCOMPARE(j.value(QLatin1String("reported_mtu")).toInt(), serverLinkMtu);
            const QString router = ipv6 ? Lab::routerClientSide6 : Lab::routerClientSide4;
            QCOMPARE(j.value(QLatin1String("failed_from")).toString(), router);
            QCOMPARE(ptb.size(), 1);
            QCOMPARE(ptb.at(0)[QLatin1String("from")].toString(), router);
            QCOMPARE(ptb.at(0)[QLatin1String("mtu")].toInt(), serverLinkMtu);
        }
        // Every size tried agrees with the configured MTU: at or below it delivered, above it
        // refused the way the configuration says.
        const QJsonArray probes = j.value(QLatin1String("probes")).toArray();
        QVERIFY(probes.size() >= 3);
        const QString above = local ? QStringLiteral("too_big_local")
                                    : (blackHole ? QStringLiteral("silent") : QStringLiteral("too_big_icmp"));
        for (const QJsonValue &v : probes) {
            const int size = v[QLatin1String("size")].toInt();
            const QString outcome = v[QLatin1String("outcome")].toString();
            const QString what = QStringLiteral("size %1: %2").arg(size).arg(outcome);
            if (size <= expectedMtu) {
                QVERIFY2(outcome == QLatin1String("delivered"), qPrintable(what));
                QVERIFY2(v[QLatin1String("answered")].toInt() == 1, qPrintable(what));
            } else {
                QVERIFY2(outcome == above, qPrintable(what));
            }
            if (outcome == QLatin1String("silent"))
                QCOMPARE(v[QLatin1String("sent")].toInt(), 2); // every try spent
            if (outcome == QLatin1String("too_big_icmp"))
                QCOMPARE(v[QLatin1String("icmp")][QLatin1String("type")].toInt(), ipv6 ? 2 : 3);
        }
    }

    void unreachable()
    {
        // The router has no route to 10.77.9.0/24: its net unreachable comes back at the first size.
        if (!m_canLab) QSKIP(qPrintable(m_why));
        Lab lab;
        const QString e = lab.build(1500, 1400);
        QVERIFY2(e.isEmpty(), qPrintable(e));
        Run raw;
        const QJsonObject j = probeJson(lab, {QStringLiteral("10.77.9.9")}, &raw);
        QCOMPARE(raw.exitCode, 0);
        QCOMPARE(j.value(QLatin1String("pmtud")).toString(), QStringLiteral("unreachable"));
        QVERIFY(j.value(QLatin1String("path_mtu")).isNull());
        const QJsonArray probes = j.value(QLatin1String("probes")).toArray();
        QCOMPARE(probes.size(), 1);
        QCOMPARE(probes.at(0)[QLatin1String("outcome")].toString(), QStringLiteral("unreachable"));
        QCOMPARE(probes.at(0)[QLatin1String("icmp")][QLatin1String("from")].toString(),
                 Lab::routerClientSide4);
    }

    void savedResultFromThisHostIsDiagnosisEvidence()
    {
        // The probe's own JSON, saved in an evidence folder given to `diagnose --evidence`, is the
        // path MTU of the diagnosis (source "probe"), whatever the capture suggests. The namespaces
        // carry the mtu-blackhole lab's addresses (truth.json topology: the client is left, the
        // router mid, the server right), so the probe runs from the capture's own end to its peer.
        if (!m_canLab) QSKIP(qPrintable(m_why));
        const QJsonObject topo = testdata::readJson(testdata::labDir(QStringLiteral("mtu-blackhole")) +
                                                    QStringLiteral("/truth.json"))
                                     .value(QLatin1String("topology"))
                                     .toObject();
        const auto ipOf = [&](const char *host, const char *key) {
            return topo.value(QLatin1String(host)).toObject().value(QLatin1String(key)).toString();
        };
        Lab::Plan4 plan;
        plan.client = ipOf("left", "outer_ip");
        plan.server = ipOf("right", "outer_ip");
        plan.routerClientSide = ipOf("mid", "left_if").section(QLatin1Char(' '), 1);
        plan.routerServerSide = ipOf("mid", "right_if").section(QLatin1Char(' '), 1);
        QVERIFY2(!plan.client.isEmpty() && !plan.server.isEmpty() && !plan.routerClientSide.isEmpty() &&
                     !plan.routerServerSide.isEmpty(),
                 "truth.json topology");
        Lab lab(plan);
        const QString e = lab.buildBlackHole(1500, 1313);
        QVERIFY2(e.isEmpty(), qPrintable(e));
        Run raw;
        const QJsonObject probe = probeJson(lab, {plan.server}, &raw);
        QCOMPARE(probe.value(QLatin1String("path_mtu")).toInt(), 1313);
        QCOMPARE(probe.value(QLatin1String("source")).toString(), plan.client);
        const Run d = diagnoseWithProbe(raw.out);
        const QJsonObject pathMtu =
            QJsonDocument::fromJson(d.out).object().value(QLatin1String("path_mtu")).toObject();
        QVERIFY2(!pathMtu.isEmpty(), d.err.constData());
        QCOMPARE(pathMtu.value(QLatin1String("source")).toString(), QStringLiteral("probe"));
        QCOMPARE(pathMtu.value(QLatin1String("value")).toInt(), 1313);
        const QString text = pathMtu.value(QLatin1String("text")).toString();
        QVERIFY2(text.contains(QLatin1String("black_hole")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("of %1 from %2").arg(plan.server, plan.client)),
                 qPrintable(text));
        // The fixes use the probed number. The ESP lengths of this capture fit several suites;
        // the advice sizes for the one with the largest overhead, AES-CBC + HMAC-SHA512-256 in
        // tunnel mode over IPv4 (RFC 4303 arithmetic, done here): 1313 - 20 (outer IP) - 8 (SPI,
        // sequence) - 16 (IV) - 32 (ICV) = 1237 bytes for the inner packet, its 2 trailer bytes
        // and padding to 16: 1232 = 77 x 16, so the inner MTU is 1230 and the IPv4 TCP MSS 1190.
        // The probe ran from this host to its peer: the route fix is this host's, to the peer.
        const QString fixes = fixesOf(d.out);
        QVERIFY2(fixes.contains(QLatin1String("AES-CBC + HMAC-SHA512-256")), qPrintable(fixes));
        QVERIFY2(fixes.contains(QLatin1String("path MTU 1313")), qPrintable(fixes));
        QVERIFY2(fixes.contains(QLatin1String("inner MTU 1230, TCP MSS 1190")), qPrintable(fixes));
        QVERIFY2(fixes.contains(QLatin1String("mtu lock 1313")), qPrintable(fixes));
        QVERIFY2(fixes.contains(QStringLiteral("route replace %1/32 ").arg(plan.server)), qPrintable(fixes));
        QVERIFY2(!fixes.contains(QLatin1String("On the peer")), qPrintable(fixes));
    }

    void savedResultOfAnotherPathIsNotUsed()
    {
        // The probe's own JSON, saved in an evidence folder given to `diagnose --evidence`, is read
        // as a probe result; but its target (this test's server) is neither end of the lab tunnel
        // in the capture nor inside its traffic selectors, so it measured another path and the
        // diagnosis must not size the tunnel's fixes from it. (A probe of the tunnel's own ends and
        // through it, taken inside the lab, is tst_diagnose_lab's probeThroughRealTunnel.)
        if (!m_canLab) QSKIP(qPrintable(m_why));
        Lab lab;
        const QString e = lab.buildBlackHole(1500, 1313);
        QVERIFY2(e.isEmpty(), qPrintable(e));
        Run raw;
        const QJsonObject probe = probeJson(lab, {Lab::server4}, &raw);
        QCOMPARE(probe.value(QLatin1String("path_mtu")).toInt(), 1313);
        const Run d = diagnoseWithProbe(raw.out);
        const QJsonObject out = QJsonDocument::fromJson(d.out).object();
        const QJsonObject pathMtu = out.value(QLatin1String("path_mtu")).toObject();
        QVERIFY2(!pathMtu.isEmpty(), d.err.constData());
        QVERIFY(pathMtu.value(QLatin1String("source")).toString() != QLatin1String("probe"));
        QVERIFY(pathMtu.value(QLatin1String("value")).toInt() != 1313);
        QVERIFY2(!d.out.contains("1313 -") && !d.out.contains("mtu lock 1313"), d.out.constData());
        QVERIFY2(d.out.contains(QStringLiteral("a probe of %1 (path_mtu 1313 in probe-peer.json) is not used")
                                    .arg(Lab::server4)
                                    .toUtf8()),
                 d.out.constData());
        // The result says where it ran from: the note names it.
        QVERIFY2(d.out.contains(QStringLiteral("it ran from %1").arg(Lab::client4).toUtf8()),
                 d.out.constData());
    }

    void ctrlCEndsCleanly()
    {
        // A black hole with 5 s tries would take half a minute; SIGINT ends it within a poll.
        if (!m_canLab) QSKIP(qPrintable(m_why));
        Lab lab;
        const QString e = lab.buildBlackHole(1500, 1400);
        QVERIFY2(e.isEmpty(), qPrintable(e));
        QProcess p;
        p.start(QStringLiteral("ip"),
                {QStringLiteral("netns"), QStringLiteral("exec"), lab.client(), QStringLiteral(IKEV2WB_CLI),
                 QStringLiteral("probe"), Lab::server4, QStringLiteral("--proto"), QStringLiteral("udp"),
                 QStringLiteral("--timeout"), QStringLiteral("5"), QStringLiteral("--json")});
        QVERIFY(p.waitForStarted());
        QTest::qWait(1500); // 68 delivered, 1500 in its first 5 s try
        const auto t0 = std::chrono::steady_clock::now();
        ::kill(pid_t(p.processId()), SIGINT); // `ip netns exec` execs: this is ikev2wb
        QVERIFY(p.waitForFinished(3000));
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
                .count();
        QVERIFY2(ms < 1000, qPrintable(QString::number(ms)));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        const QJsonObject j = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(j.value(QLatin1String("cancelled")).toBool(), true);
        QCOMPARE(j.value(QLatin1String("largest_delivered")).toInt(), 68);
        QCOMPARE(j.value(QLatin1String("pmtud")).toString(), QStringLiteral("inconclusive"));
    }

    void libraryProgressAndCancel()
    {
        // The core API as the GUI's worker uses it: on a thread that joined the client namespace,
        // progress per size, and the cancel flag set from another thread.
        if (!m_canLab) QSKIP(qPrintable(m_why));
        Lab lab;
        const QString e = lab.buildBlackHole(1500, 1313);
        QVERIFY2(e.isEmpty(), qPrintable(e));
        std::atomic_bool cancel{false};
        std::atomic_int progressCalls{0};
        probe::ProbeResult result;
        QString joinError;
        std::thread worker([&] {
            if (!joinNetns(lab.client())) {
                joinError = QStringLiteral("cannot join %1").arg(lab.client());
                return;
            }
            probe::ProbeOptions o;
            o.host = Lab::server4;
            o.proto = probe::Proto::Udp;
            o.tries = 1;
            o.timeoutS = 0.3;
            // First a full run, then one cancelled during its first silent size.
            result = probe::runPathProbe(o, [&](const probe::SizeProbe &) { ++progressCalls; });
        });
        worker.join();
        QVERIFY2(joinError.isEmpty(), qPrintable(joinError));
        QCOMPARE(result.pmtud, probe::Pmtud::BlackHole);
        QCOMPARE(result.pathMtu.value_or(0), 1313);
        QCOMPARE(progressCalls.load(), int(result.probes.size()));

        probe::ProbeResult cancelled;
        std::thread worker2([&] {
            if (!joinNetns(lab.client())) return;
            probe::ProbeOptions o;
            o.host = Lab::server4;
            o.proto = probe::Proto::Udp;
            o.timeoutS = 10;
            cancelled = probe::runPathProbe(o, {}, &cancel);
        });
        QTest::qWait(500);
        const auto t0 = std::chrono::steady_clock::now();
        cancel = true;
        worker2.join();
        QVERIFY(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));
        QVERIFY(cancelled.cancelled);
        QCOMPARE(cancelled.probes.back().outcome, probe::Outcome::Cancelled);
    }

private:
    bool m_canLab = false;
    QString m_why;
};

QTEST_GUILESS_MAIN(TestProbe)
#include "tst_probe.moc"
