#pragma once
// Two network namespaces joined by a veth pair, made by a test and removed with it: A (the
// capture side, veth ikwbcap0 10.78.0.1/24) and B (the sender, ikwbsend0 10.78.0.2/24).
// Needs root and iproute2's `ip`. Traffic between them never leaves the machine.
#include <QProcess>
#include <QString>
#include <QStringList>

#include <unistd.h>
#include <utility>

inline const QString kCaptureIf = QStringLiteral("ikwbcap0"); // the veth end we capture on
inline const char *const kCaptureAddr = "10.78.0.1";
inline const char *const kSenderAddr = "10.78.0.2";

struct Run
{
    int exitCode = -1;
    QByteArray out, err;
};

inline Run run(const QString &program, const QStringList &args, int timeoutMs = 30000)
{
    QProcess p;
    p.start(program, args);
    Run r;
    const bool done = p.waitForFinished(timeoutMs) && p.exitStatus() == QProcess::NormalExit;
    if (!done) {
        p.kill();
        p.waitForFinished(2000);
    } else {
        r.exitCode = p.exitCode();
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// Namespace A (capture side, veth ikwbcap0 10.78.0.1) and B (sender, 10.78.0.2), unique per
/// test process and instance; removed on destruction (also when a check failed).
class NsPair
{
public:
    NsPair()
    {
        static int counter = 0;
        const QString prefix = QStringLiteral("ikwblive%1x%2").arg(::getpid()).arg(++counter);
        a = prefix + QLatin1Char('a');
        b = prefix + QLatin1Char('b');
    }
    ~NsPair()
    {
        for (const QString &ns : std::as_const(m_created))
            run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("del"), ns});
    }
    NsPair(const NsPair &) = delete;
    NsPair &operator=(const NsPair &) = delete;

    QString build()
    {
        for (const QString &ns : {a, b}) {
            if (QString e = ip({QStringLiteral("netns"), QStringLiteral("add"), ns}); !e.isEmpty()) return e;
            m_created << ns;
        }
        const QStringList steps[] = {
            {QStringLiteral("-n"), a, QStringLiteral("link"), QStringLiteral("add"), kCaptureIf,
             QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"),
             QStringLiteral("ikwbsend0"), QStringLiteral("netns"), b},
            {QStringLiteral("-n"), a, QStringLiteral("addr"), QStringLiteral("add"),
             QStringLiteral("10.78.0.1/24"), QStringLiteral("dev"), kCaptureIf},
            {QStringLiteral("-n"), b, QStringLiteral("addr"), QStringLiteral("add"),
             QStringLiteral("10.78.0.2/24"), QStringLiteral("dev"), QStringLiteral("ikwbsend0")},
            {QStringLiteral("-n"), a, QStringLiteral("link"), QStringLiteral("set"), kCaptureIf,
             QStringLiteral("up")},
            {QStringLiteral("-n"), b, QStringLiteral("link"), QStringLiteral("set"),
             QStringLiteral("ikwbsend0"), QStringLiteral("up")},
        };
        for (const QStringList &s : steps)
            if (QString e = ip(s); !e.isEmpty()) return e;
        return {};
    }
    /// `ip netns exec A program args...` (ip execs: the QProcess's pid is the program's).
    QStringList inA(const QString &program, const QStringList &args) const
    {
        return QStringList{QStringLiteral("netns"), QStringLiteral("exec"), a, program} + args;
    }

    QString a, b;

private:
    static QString ip(const QStringList &args)
    {
        const Run r = run(QStringLiteral("ip"), args);
        if (r.exitCode == 0) return {};
        return QStringLiteral("ip %1: %2")
            .arg(args.join(QLatin1Char(' ')), QString::fromLocal8Bit(r.err).trimmed());
    }
    QStringList m_created;
};
