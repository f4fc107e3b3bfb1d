#include "livesession.h"

#include "report/outputfile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTimer>

#include <unistd.h>

namespace ikev2wb::ui {

QStringList LiveCaptureOptions::helperArguments() const
{
    const bool ring = ringFiles > 0 && ringSizeMb > 0;
    QStringList a{QStringLiteral("-i"), interfaceName, QStringLiteral("-q"),
                  QStringLiteral("--stats-interval"), QString::number(statsIntervalMs)};
    if (ring)
        a << QStringLiteral("-w") << QFileInfo(output).absoluteFilePath() << QStringLiteral("--ring")
          << QString::number(ringFiles) << QStringLiteral("--size") << QString::number(ringSizeMb)
          << QStringLiteral("--tee");
    else
        a << QStringLiteral("-w") << QStringLiteral("-");
    if (!filter.isEmpty()) a << QStringLiteral("-f") << filter;
    if (durationS > 0) a << QStringLiteral("--duration") << QString::number(durationS);
    if (count > 0) a << QStringLiteral("--count") << QString::number(count);
    if (snaplen > 0) a << QStringLiteral("--snaplen") << QString::number(snaplen);
    return a;
}

class LiveSession::Worker final : public QObject
{
    Q_OBJECT
public:
    explicit Worker(LiveCaptureOptions o) : m_o(std::move(o)) {}

    /// On the worker's thread: the timeline follows SA `sa` from the next snapshot on.
    void setTimelineSa(std::size_t sa)
    {
        m_live.setTimelineSa(sa);
        m_changed = true;
    }

    void start()
    {
        m_since.start();
        m_ring = m_o.ringFiles > 0 && m_o.ringSizeMb > 0;
        if (!m_ring) {
            // Never overwritten, never through a link planted while it runs (core/report).
            m_file = std::make_unique<OutputFile>(m_o.output, OutputFile::Existing::Refuse);
            QString error;
            if (!m_file->open(&error)) {
                end(error);
                return;
            }
        }
        m_proc = new QProcess(this);
        m_proc->setProcessChannelMode(QProcess::SeparateChannels);
        connect(m_proc, &QProcess::readyReadStandardOutput, this, &Worker::drain);
        connect(m_proc, &QProcess::readyReadStandardError, this, [this]() {
            const QByteArray e = m_proc->readAllStandardError();
            if (m_stderr.size() < 65536) m_stderr += e.left(65536 - m_stderr.size());
        });
        connect(m_proc, &QProcess::finished, this, &Worker::onFinished);
        connect(m_proc, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
            if (e == QProcess::FailedToStart)
                end(QStringLiteral("Cannot run the capture helper %1: %2")
                        .arg(m_o.helper, m_proc->errorString()));
        });
        if (m_o.withPeer()) startPeer();
        m_timer = new QTimer(this);
        m_timer->setInterval(250);
        connect(m_timer, &QTimer::timeout, this, &Worker::publish);
        m_timer->start();
        m_proc->start(m_o.helper, m_o.helperArguments());
    }
    void stop()
    {
        if (m_proc && m_proc->state() != QProcess::NotRunning) m_proc->terminate();
        stopPeer();
    }
    /// The bounded end of finishInBackground(): what still runs is killed (finished() follows
    /// from the processes' own finished signals).
    void kill()
    {
        if (m_done) return;
        if (m_peer && m_peer->state() != QProcess::NotRunning) m_peer->kill();
        if (m_proc && m_proc->state() != QProcess::NotRunning) m_proc->kill();
    }
    /// The window goes away while capturing: end the helper and save what it wrote.
    void shutdown()
    {
        if (!m_proc || m_done) return;
        stop();
        if (!m_proc->waitForFinished(5000)) {
            m_proc->kill();
            m_proc->waitForFinished(2000);
        }
        if (m_peer && m_peer->state() != QProcess::NotRunning && !m_peer->waitForFinished(5000)) {
            m_peer->kill();
            m_peer->waitForFinished(2000);
        }
        m_localEnded = m_peerEnded = true;
        if (!m_done) onFinished(m_proc->exitCode(), m_proc->exitStatus());
    }

Q_SIGNALS:
    void peerSaved(const QString &path);

private:
    /// The peer's capture over ssh, started with the local one; closing ssh's stdin stops it.
    void startPeer()
    {
        m_peerEnded = false;
        const QString ssh = QStandardPaths::findExecutable(QStringLiteral("ssh"));
        if (ssh.isEmpty()) {
            m_peerError = QStringLiteral(
                "The peer's capture needs the ssh client (openssh-client), which is not installed.");
            m_peerEnded = true;
            return;
        }
        m_peerFile = std::make_unique<OutputFile>(m_o.peerOutput, OutputFile::Existing::Refuse);
        QString error;
        if (!m_peerFile->open(&error)) {
            m_peerError = error;
            m_peerEnded = true;
            return;
        }
        m_peer = new QProcess(this);
        m_peer->setProcessChannelMode(QProcess::SeparateChannels);
        m_peer->setChildProcessModifier([] { ::setsid(); }); // no terminal's signals reach ssh
        connect(m_peer, &QProcess::readyReadStandardOutput, this, &Worker::drainPeer);
        connect(m_peer, &QProcess::readyReadStandardError, this, [this]() {
            const QByteArray e = m_peer->readAllStandardError();
            if (m_peerStderr.size() < 65536) m_peerStderr += e.left(65536 - m_peerStderr.size());
        });
        connect(m_peer, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
            drainPeer();
            m_peerEnded = true;
            if (m_peerDeadline) m_peerDeadline->stop();
            const QString said = QString::fromLocal8Bit(m_peerStderr).trimmed();
            if (status != QProcess::NormalExit || code != 0) {
                m_peerError = code == kSshFailed && status == QProcess::NormalExit
                                  ? QStringLiteral("Cannot reach the peer %1 over ssh:\n%2")
                                        .arg(m_o.peer.destination, said)
                                  : QStringLiteral("The capture on the peer %1 failed (exit status %2):\n%3")
                                        .arg(m_o.peer.destination, QString::number(code), said);
                // The local side stops too: a pair with one end missing is not what was asked.
                if (m_proc && m_proc->state() != QProcess::NotRunning) m_proc->terminate();
            }
            maybeFinish();
        });
        connect(m_peer, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
            if (e != QProcess::FailedToStart) return;
            m_peerError = QStringLiteral("Cannot run ssh: %1").arg(m_peer->errorString());
            m_peerEnded = true;
            if (m_proc && m_proc->state() != QProcess::NotRunning) m_proc->terminate();
            maybeFinish();
        });
        m_peer->start(ssh, peerSshArguments(m_o.peer));
    }
    void stopPeer()
    {
        if (!m_peer || m_peerEnded || m_peer->state() == QProcess::NotRunning) return;
        m_peer->closeWriteChannel();
        if (!m_peerDeadline) {
            m_peerDeadline = new QTimer(this);
            m_peerDeadline->setSingleShot(true);
            connect(m_peerDeadline, &QTimer::timeout, this, [this]() {
                m_peerError = QStringLiteral("The peer's capture did not end within 15 s of the local one.");
                m_peer->kill();
            });
            m_peerDeadline->start(15000);
        }
    }
    void drainPeer()
    {
        const QByteArray chunk = m_peer->readAllStandardOutput();
        if (chunk.isEmpty()) return;
        if (m_peerFirstMs < 0) m_peerFirstMs = m_since.elapsed();
        m_peerBytes += std::uint64_t(chunk.size());
        m_changed = true;
        if (!m_peerWriteFailed && !m_peerFile->write(chunk)) {
            m_peerWriteFailed = true;
            m_peerError =
                QStringLiteral("Writing %1 failed: %2").arg(m_o.peerOutput, m_peerFile->errorString());
            stopPeer();
        }
    }
    /// The local helper and the peer both ended: the outcome of the pair.
    void maybeFinish()
    {
        if (!m_localEnded || !m_peerEnded || m_done) return;
        evaluate();
    }

Q_SIGNALS:
    void updated(ikev2wb::ui::LiveSnapshotPtr snapshot);
    void finished(const QStringList &saved, const QString &error, ikev2wb::ui::LiveSnapshotPtr last);

private:
    void drain()
    {
        const QByteArray chunk = m_proc->readAllStandardOutput();
        if (chunk.isEmpty()) return;
        if (m_localFirstMs < 0) m_localFirstMs = m_since.elapsed();
        m_changed = true;
        if (m_file && !m_writeFailed && !m_file->write(chunk)) {
            m_writeFailed = true;
            m_proc->terminate();
        }
        m_live.feed(chunk.constData(), std::size_t(chunk.size())); // a damaged stream shows in the snapshot
    }
    void publish()
    {
        if (!m_changed) return;
        m_changed = false;
        Q_EMIT updated(std::make_shared<const LiveSnapshot>(snapshot()));
    }
    LiveSnapshot snapshot()
    {
        LiveSnapshot s = m_live.snapshot();
        s.peer = m_o.withPeer();
        s.peerStreamBytes = m_peerBytes;
        if (m_localFirstMs >= 0 && m_peerFirstMs >= 0) {
            s.peerStarted = true;
            s.peerStartSkewMs = m_peerFirstMs - m_localFirstMs;
        }
        return s;
    }
    void onFinished(int exitCode, QProcess::ExitStatus status)
    {
        if (m_done) return;
        drain();
        m_stderr += m_proc->readAllStandardError();
        m_localCode = exitCode;
        m_localStatus = status;
        m_localEnded = true;
        stopPeer(); // the duration or count ended the local side: the peer's ends with it
        maybeFinish();
    }
    void evaluate()
    {
        const int exitCode = m_localCode;
        const QProcess::ExitStatus status = m_localStatus;
        // The peer's failure first: it is why the local side was stopped.
        if (!m_peerError.isEmpty()) {
            if (m_peerFile) m_peerFile->cancel();
            end(m_peerError + QStringLiteral("\nNothing was saved."));
            return;
        }
        const QString helperSaid = QString::fromLocal8Bit(m_stderr).trimmed();
        if (status != QProcess::NormalExit) {
            end(QStringLiteral("The capture helper stopped abnormally; nothing was saved.%1")
                    .arg(helperSaid.isEmpty() ? QString() : QLatin1Char('\n') + helperSaid));
            return;
        }
        if (m_writeFailed) {
            end(QStringLiteral("Writing %1 failed: %2; nothing was saved.")
                    .arg(m_o.output, m_file->errorString()));
            return;
        }
        if (exitCode != 0) {
            // The helper's own message says what happened and what to do (e.g. the setcap
            // command when it has no permission; see ikev2wb-capture --help for the codes).
            end(helperSaid.isEmpty()
                    ? QStringLiteral("The capture helper failed (exit status %1); nothing was saved.")
                          .arg(exitCode)
                    : helperSaid + QStringLiteral("\n(exit status %1; nothing was saved)").arg(exitCode));
            return;
        }
        if (m_ring) {
            end({}, ringCaptureFiles(m_o.output));
            return;
        }
        // A capture holds other people's traffic: readable by its owner only.
        QString error, keptAs;
        if (m_peerFile && !m_peerFile->commit(0600, &error, &keptAs)) {
            end(error + (keptAs.isEmpty()
                             ? QString()
                             : QStringLiteral("\nThe peer's capture was kept as %1.").arg(keptAs)));
            return;
        }
        if (!m_file->commit(0600, &error, &keptAs)) {
            if (!keptAs.isEmpty()) {
                // The name was taken while it ran: the capture stays under the temporary name.
                end(error + QStringLiteral("\nThe capture was kept as %1.").arg(keptAs), {});
                return;
            }
            end(error);
            return;
        }
        if (m_peerFile) Q_EMIT peerSaved(m_o.peerOutput);
        end({}, {m_o.output});
    }
    void end(const QString &error, const QStringList &saved = {})
    {
        if (m_done) return;
        m_done = true;
        if (m_timer) m_timer->stop();
        if (m_file && saved.isEmpty()) m_file->cancel(); // after commit() there is nothing left to remove
        if (m_peerFile && saved.isEmpty()) m_peerFile->cancel();
        if (m_peer && m_peer->state() != QProcess::NotRunning) {
            m_peer->kill();
            m_peer->waitForFinished(2000);
        }
        if (m_proc && m_proc->state() != QProcess::NotRunning) {
            m_proc->kill();
            m_proc->waitForFinished(2000);
        }
        Q_EMIT finished(saved, error, std::make_shared<const LiveSnapshot>(snapshot()));
    }

    LiveCaptureOptions m_o;
    QProcess *m_proc = nullptr;
    QTimer *m_timer = nullptr;
    std::unique_ptr<OutputFile> m_file;
    LiveCapture m_live;
    QByteArray m_stderr;
    bool m_ring = false;
    bool m_changed = false;
    bool m_writeFailed = false;
    bool m_done = false;
    // The local helper's end, kept until the peer has ended too.
    bool m_localEnded = false;
    int m_localCode = 0;
    QProcess::ExitStatus m_localStatus = QProcess::NormalExit;
    // The peer over ssh.
    QProcess *m_peer = nullptr;
    QTimer *m_peerDeadline = nullptr;
    std::unique_ptr<OutputFile> m_peerFile;
    QByteArray m_peerStderr;
    QString m_peerError;
    std::uint64_t m_peerBytes = 0;
    QElapsedTimer m_since; // from start(): when each stream's first bytes came
    qint64 m_localFirstMs = -1, m_peerFirstMs = -1;
    bool m_peerEnded = true;
    bool m_peerWriteFailed = false;
};

void LiveSession::setTimelineSa(std::size_t sa)
{
    Worker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, sa]() { worker->setTimelineSa(sa); }, Qt::QueuedConnection);
}

LiveSession::LiveSession(LiveCaptureOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    qRegisterMetaType<LiveSnapshotPtr>();
    m_thread.setObjectName(QStringLiteral("liveCapture"));
    m_worker = new Worker(m_options);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &Worker::updated, this, &LiveSession::updated);
    connect(m_worker, &Worker::peerSaved, this, [this](const QString &path) { m_peerSaved = path; });
    connect(m_worker, &Worker::finished, this,
            [this](const QStringList &saved, const QString &error, LiveSnapshotPtr last) {
                m_running = false;
                Q_EMIT finished(saved, error, last);
            });
    m_thread.start();
}

LiveSession::~LiveSession()
{
    if (m_running) {
        disconnect(m_worker, nullptr, this, nullptr);
        QMetaObject::invokeMethod(m_worker, &Worker::shutdown, Qt::BlockingQueuedConnection);
    }
    m_thread.quit();
    m_thread.wait();
}

void LiveSession::start()
{
    if (m_running) return;
    m_running = true;
    QMetaObject::invokeMethod(m_worker, &Worker::start, Qt::QueuedConnection);
}

void LiveSession::stop()
{
    QMetaObject::invokeMethod(m_worker, &Worker::stop, Qt::QueuedConnection);
}

void LiveSession::finishInBackground(int killAfterMs)
{
    if (!m_running) {
        deleteLater();
        return;
    }
    if (m_killTimer) return;
    connect(this, &LiveSession::finished, this, &QObject::deleteLater);
    stop();
    // First the kill, then (the worker not answering even to that) the destructor's bounded wait.
    m_killTimer = new QTimer(this);
    m_killTimer->setSingleShot(true);
    connect(m_killTimer, &QTimer::timeout, this, [this, killed = false]() mutable {
        if (killed) {
            deleteLater();
            return;
        }
        killed = true;
        QMetaObject::invokeMethod(m_worker, &Worker::kill, Qt::QueuedConnection);
        m_killTimer->start(5000);
    });
    m_killTimer->start(killAfterMs);
}

} // namespace ikev2wb::ui

#include "livesession.moc"
