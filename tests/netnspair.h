#pragma once
// Two network namespaces joined by a veth pair, made by a test and removed with it: A (the
// capture side, veth ikwbcap0 10.78.0.1/24) and B (the sender, ikwbsend0 10.78.0.2/24).
// Needs root and iproute2's `ip`. Traffic between them never leaves the machine.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
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

/// An sshd in namespace `ns` on 10.78.0.2:22 with keys made for the test: root logs in with
/// `identity`; `knownHosts` holds its host key. Stopped on destruction.
class SshServer
{
public:
    SshServer(const QString &ns, const QString &dir) : m_dir(dir)
    {
        const QString sshd = QStringLiteral("/usr/sbin/sshd");
        if (!QFileInfo(sshd).isExecutable() ||
            QStandardPaths::findExecutable(QStringLiteral("ssh-keygen")).isEmpty() ||
            QStandardPaths::findExecutable(QStringLiteral("ssh")).isEmpty()) {
            why = QStringLiteral("needs openssh-server and openssh-client (scripts/setup-deps.sh)");
            return;
        }
        QDir().mkpath(QStringLiteral("/run/sshd")); // sshd's privilege separation folder
        for (const QString &key :
             {QStringLiteral("host_key"), QStringLiteral("id"), QStringLiteral("other")}) {
            const Run r = run(QStringLiteral("ssh-keygen"),
                              {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                               QStringLiteral("-N"), QString(), QStringLiteral("-f"), path(key)});
            if (r.exitCode != 0) {
                why = QStringLiteral("ssh-keygen: ") + QString::fromLocal8Bit(r.err);
                return;
            }
        }
        QFile::copy(path(QStringLiteral("id.pub")), path(QStringLiteral("authorized_keys")));
        QFile hostPub(path(QStringLiteral("host_key.pub")));
        hostPub.open(QIODevice::ReadOnly);
        QFile known(knownHosts());
        known.open(QIODevice::WriteOnly);
        known.write("10.78.0.2 " + hostPub.readAll());
        known.close();
        QFile cfg(path(QStringLiteral("sshd_config")));
        cfg.open(QIODevice::WriteOnly);
        cfg.write(QStringLiteral(
                      "ListenAddress 10.78.0.2\nPort 22\nHostKey %1\nAuthorizedKeysFile %2\nStrictModes no\n"
                      "UsePAM no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n"
                      "KbdInteractiveAuthentication no\nPidFile none\n")
                      .arg(path(QStringLiteral("host_key")), path(QStringLiteral("authorized_keys")))
                      .toUtf8());
        cfg.close();
        m_proc.setProcessChannelMode(QProcess::MergedChannels);
        m_proc.start(QStringLiteral("ip"),
                     {QStringLiteral("netns"), QStringLiteral("exec"), ns, sshd, QStringLiteral("-D"),
                      QStringLiteral("-e"), QStringLiteral("-f"), cfg.fileName()});
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 5000 && !m_log.contains("Server listening")) {
            m_proc.waitForReadyRead(100);
            m_log += m_proc.readAll();
            if (m_proc.state() == QProcess::NotRunning) break;
        }
        if (!m_log.contains("Server listening"))
            why = QStringLiteral("sshd did not start: ") + QString::fromLocal8Bit(m_log);
    }
    ~SshServer()
    {
        m_proc.terminate();
        if (!m_proc.waitForFinished(3000)) m_proc.kill(), m_proc.waitForFinished(2000);
    }
    SshServer(const SshServer &) = delete;
    SshServer &operator=(const SshServer &) = delete;
    [[nodiscard]] QString path(const QString &name) const { return QDir(m_dir).filePath(name); }
    [[nodiscard]] QString knownHosts() const { return path(QStringLiteral("known_hosts")); }
    QString why;

private:
    QString m_dir;
    QProcess m_proc;
    QByteArray m_log;
};
