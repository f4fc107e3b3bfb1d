// `ikev2wb capture`: live capture through the privilege-separated helper ikev2wb-capture.
// ikev2wb itself never needs root: it runs the helper (by absolute path, never through $PATH),
// saves the pcapng it streams on stdout through OutputFile (a temporary file put in place only
// when the capture succeeded, never over an existing name or through a link) and passes Ctrl-C on so that the
// helper ends cleanly with its statistics block.
#include "commands.h"

#include "capture/pcapngstats.h"
#include "diagnose/shellquote.h"
#include "index/captureset.h"
#include "live/capturehelper.h"
#include "report/outputfile.h"
#include "util/textformat.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QProcess>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace ikev2wb::cli {

namespace {

// Messages and the closing summary quote file names and what ssh or the helper printed: written
// with control characters made visible (terminalText), as every command's output.
void err(const QString &s)
{
    const QByteArray b = terminalText(s).toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stderr);
}
void out(const QString &s)
{
    const QByteArray b = terminalText(s).toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stdout);
}

constexpr const char *kHelperName = "ikev2wb-capture";
/// A ring's kept files are read back at the end (their packet count) up to this size together;
/// a larger ring is only listed.
constexpr qint64 kRingReadLimit = qint64(2) << 30;
/// Exit status of the helper (see its --help) that means "no permission to capture".
constexpr int kHelperNoPermission = 4;

QStringList helperCandidates()
{
    return captureHelperCandidates(QCoreApplication::applicationDirPath());
}

// Ctrl-C / SIGTERM reach the event loop through a pipe; the loop asks the helper to stop.
int g_signalPipe[2] = {-1, -1};
extern "C" void onCaptureSignal(int sig)
{
    const char c = char(sig);
    [[maybe_unused]] const ssize_t n = ::write(g_signalPipe[1], &c, 1);
}

struct Options
{
    QString iface;
    QString filter;
    QString out;
    QString duration, count, snaplen;
    QString ring, size; // ring buffer: the helper writes the files itself
    // --ssh: the peer gateway's side, captured over the system's ssh client at the same time.
    QString ssh, peerIface, peerOut, peerTool, peerHelper;
    QStringList sshOptions;
};

PeerCapture peerOf(const Options &o)
{
    PeerCapture p;
    p.destination = o.ssh;
    p.iface = o.peerIface.isEmpty() ? o.iface : o.peerIface;
    p.tool = o.peerTool;
    p.helperPath = o.peerHelper;
    p.filter = o.filter;
    p.count = o.count;
    p.snaplen = o.snaplen;
    p.sshOptions = o.sshOptions;
    return p;
}

/// The last non-empty lines of what a program said on stderr (at most `lines`).
QString lastLines(const QByteArray &text, int lines)
{
    QStringList all = QString::fromLocal8Bit(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    while (all.size() > lines)
        all.removeFirst();
    return all.join(QStringLiteral("\n  "));
}

bool digitsInRange(const QString &s, qint64 lo, qint64 hi)
{
    if (s.isEmpty() || s.size() > 12) return false;
    for (const QChar c : s)
        if (c < QLatin1Char('0') || c > QLatin1Char('9')) return false;
    const qint64 v = s.toLongLong();
    return v >= lo && v <= hi;
}

} // namespace

int capture(const QStringList &args)
{
    Options o;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        const bool takesValue = a == QLatin1String("-i") || a == QLatin1String("-f") ||
                                a == QLatin1String("-w") || a == QLatin1String("--duration") ||
                                a == QLatin1String("--count") || a == QLatin1String("--snaplen") ||
                                a == QLatin1String("--ring") || a == QLatin1String("--size") ||
                                a == QLatin1String("--ssh") || a == QLatin1String("--peer-iface") ||
                                a == QLatin1String("--peer-w") || a == QLatin1String("--peer-tool") ||
                                a == QLatin1String("--peer-helper") || a == QLatin1String("--ssh-option");
        if (!takesValue) return usageError(QStringLiteral("capture does not take '%1'").arg(a));
        if (i + 1 >= args.size()) return usageError(QStringLiteral("%1 needs a value").arg(a));
        const QString v = args[++i];
        if (a == QLatin1String("-i"))
            o.iface = v;
        else if (a == QLatin1String("-f"))
            o.filter = v;
        else if (a == QLatin1String("-w"))
            o.out = v;
        else if (a == QLatin1String("--duration"))
            o.duration = v;
        else if (a == QLatin1String("--count"))
            o.count = v;
        else if (a == QLatin1String("--ring"))
            o.ring = v;
        else if (a == QLatin1String("--size"))
            o.size = v;
        else if (a == QLatin1String("--ssh"))
            o.ssh = v;
        else if (a == QLatin1String("--peer-iface"))
            o.peerIface = v;
        else if (a == QLatin1String("--peer-w"))
            o.peerOut = v;
        else if (a == QLatin1String("--peer-tool"))
            o.peerTool = v;
        else if (a == QLatin1String("--peer-helper"))
            o.peerHelper = v;
        else if (a == QLatin1String("--ssh-option"))
            o.sshOptions << v;
        else
            o.snaplen = v;
    }
    if (o.iface.isEmpty()) return usageError(QStringLiteral("capture needs -i IFACE"));
    if (o.out.isEmpty()) return usageError(QStringLiteral("capture needs -w FILE.pcapng"));
    if (!isValidInterfaceName(o.iface) && o.iface != QLatin1String("any"))
        return usageError(
            QStringLiteral(
                "'%1' is not an interface name (1-15 of A-Z a-z 0-9 _ . + -, not starting with . + -)")
                .arg(o.iface));
    if (!o.filter.isNull()) {
        bool printable = o.filter.size() <= 4096;
        for (const QChar c : o.filter)
            printable = printable && c.unicode() >= 0x20 && c.unicode() < 0x7f;
        if (!printable)
            return usageError(QStringLiteral("-f takes a libpcap filter of printable ASCII (at most 4096)"));
    }
    if (!o.duration.isNull() && !digitsInRange(o.duration, 1, 604800))
        return usageError(QStringLiteral("--duration takes whole seconds from 1 to 604800"));
    if (!o.count.isNull() && !digitsInRange(o.count, 1, 1000000000))
        return usageError(QStringLiteral("--count takes a number of packets from 1 to 1000000000"));
    if (!o.snaplen.isNull() && !digitsInRange(o.snaplen, 64, 262144))
        return usageError(QStringLiteral("--snaplen takes a number of bytes from 64 to 262144"));
    if (o.ring.isNull() != o.size.isNull())
        return usageError(QStringLiteral("--ring and --size go together"));
    if (!o.ring.isNull() && !digitsInRange(o.ring, 2, 1000))
        return usageError(QStringLiteral("--ring takes a number of files from 2 to 1000"));
    if (!o.size.isNull() && !digitsInRange(o.size, 1, 10240))
        return usageError(QStringLiteral("--size takes megabytes from 1 to 10240"));
    if (o.out == QLatin1String("-"))
        return usageError(QStringLiteral("-w takes a file name (the helper itself streams to stdout)"));
    const bool withPeer = !o.ssh.isEmpty();
    if (!withPeer && (!o.peerIface.isNull() || !o.peerOut.isNull() || !o.peerTool.isNull() ||
                      !o.peerHelper.isNull() || !o.sshOptions.isEmpty()))
        return usageError(QStringLiteral("--peer-* and --ssh-option go with --ssh USER@HOST"));
    if (withPeer) {
        if (!o.ring.isNull()) return usageError(QStringLiteral("--ssh does not go with --ring"));
        if (o.peerTool.isNull()) o.peerTool = QStringLiteral("helper");
        if (const QString bad = checkPeerCapture(peerOf(o)); !bad.isEmpty())
            return usageError(QStringLiteral("--ssh/--peer-*/--ssh-option: ") + bad);
        if (o.peerOut.isNull()) o.peerOut = defaultPeerOutput(o.out, o.peerTool == QLatin1String("tcpdump"));
        if (o.peerOut == o.out || o.peerOut == QLatin1String("-"))
            return usageError(QStringLiteral("--peer-w takes a file name other than -w's"));
        if (QFileInfo::exists(o.peerOut) || QFileInfo(o.peerOut).isSymLink()) {
            err(QStringLiteral("ikev2wb: %1 exists; captures are never overwritten: choose another name "
                               "(--peer-w)\n")
                    .arg(o.peerOut));
            return ExitBadInput;
        }
    }
    // The file itself is checked and created below (OutputFile::Refuse); a ring's files by the
    // helper. This early check only spares starting a capture that could not be saved.
    if (QFileInfo::exists(o.out) || QFileInfo(o.out).isSymLink()) {
        err(QStringLiteral("ikev2wb: %1 exists; captures are never overwritten: choose another name\n")
                .arg(o.out));
        return ExitBadInput;
    }

    QString helper;
    for (const QString &c : helperCandidates()) {
        if (QFileInfo(c).isFile()) {
            helper = c;
            break;
        }
    }
    if (helper.isEmpty()) {
        err(QStringLiteral("ikev2wb: the capture helper %1 is not installed (looked in %2)\n")
                .arg(QString::fromLatin1(kHelperName), helperCandidates().join(QStringLiteral(", "))));
        return ExitBadInput;
    }
    if (!QFileInfo(helper).isExecutable()) {
        err(QStringLiteral("ikev2wb: you may not run the capture helper %1: add yourself to its group (ls -l "
                           "shows it; usermod -aG GROUP \"$USER\", then log in again) or capture as root\n")
                .arg(shq(helper)));
        return ExitCannotProbe;
    }

    const bool ring = !o.ring.isNull();
    // Not QSaveFile: it resolves a symbolic link planted at the name between the check above and
    // its open, and writes over the link's target. OutputFile creates a fresh temporary file
    // (O_EXCL, 0600) and commit() refuses a name that was taken meanwhile.
    OutputFile file(o.out, OutputFile::Existing::Refuse);
    QString openError;
    if (!ring && !file.open(&openError)) {
        err(QStringLiteral("ikev2wb: cannot write %1\n").arg(openError));
        return ExitBadInput;
    }

    OutputFile peerFile(o.peerOut, OutputFile::Existing::Refuse);
    QString ssh;
    if (withPeer) {
        ssh = QStandardPaths::findExecutable(QStringLiteral("ssh"));
        if (ssh.isEmpty()) {
            file.cancel();
            err(QStringLiteral(
                "ikev2wb: --ssh needs the ssh client (openssh-client), which is not installed\n"));
            return ExitBadInput;
        }
        if (!peerFile.open(&openError)) {
            file.cancel();
            err(QStringLiteral("ikev2wb: cannot write %1\n").arg(openError));
            return ExitBadInput;
        }
    }

    // A ring is several files: the helper creates them itself (O_EXCL, 0600, as this user).
    QStringList helperArgs{QStringLiteral("-i"), o.iface, QStringLiteral("-w"),
                           ring ? QFileInfo(o.out).absoluteFilePath() : QStringLiteral("-"),
                           QStringLiteral("-q")};
    if (ring) helperArgs << QStringLiteral("--ring") << o.ring << QStringLiteral("--size") << o.size;
    if (!o.filter.isNull()) helperArgs << QStringLiteral("-f") << o.filter;
    if (!o.duration.isNull()) helperArgs << QStringLiteral("--duration") << o.duration;
    if (!o.count.isNull()) helperArgs << QStringLiteral("--count") << o.count;
    if (!o.snaplen.isNull()) helperArgs << QStringLiteral("--snaplen") << o.snaplen;

    if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        err(QStringLiteral("ikev2wb: cannot set up signal handling\n"));
        return ExitBadInput;
    }
    struct sigaction sa = {};
    sa.sa_handler = onCaptureSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);

    QProcess proc;
    proc.setProcessChannelMode(QProcess::ForwardedErrorChannel); // its messages go to our stderr
    proc.setInputChannelMode(QProcess::ManagedInputChannel);
    QEventLoop loop;
    // The start skew of the two ends: when each stream's first bytes came (each capture writes
    // its header once its interface is open), on this machine's monotonic clock.
    QElapsedTimer since;
    qint64 localFirstMs = -1, peerFirstMs = -1;
    bool writeFailed = false;
    bool stopping = false;
    auto drain = [&] {
        const QByteArray chunk = proc.readAllStandardOutput();
        if (!chunk.isEmpty() && localFirstMs < 0) localFirstMs = since.elapsed();
        if (!chunk.isEmpty() && !writeFailed && !file.write(chunk)) {
            writeFailed = true;
            proc.terminate();
        }
    };
    // The peer: ssh runs the capture there and streams it back on its stdout; closing its stdin
    // stops it (see peerCommand). The user's -o options come first: ssh keeps the first value.
    QProcess peer;
    peer.setProcessChannelMode(QProcess::SeparateChannels);
    QByteArray peerErr;
    bool peerWriteFailed = false, peerEnded = !withPeer, localEnded = false;
    QTimer peerDeadline;
    peerDeadline.setSingleShot(true);
    peerDeadline.setInterval(15000);
    QObject::connect(&peerDeadline, &QTimer::timeout, &loop, [&] {
        err(QStringLiteral(
            "ikev2wb: the peer's capture did not end within 15 s of the local one; stopping it\n"));
        peer.kill();
    });
    auto drainPeer = [&] {
        const QByteArray chunk = peer.readAllStandardOutput();
        if (!chunk.isEmpty() && peerFirstMs < 0) peerFirstMs = since.elapsed();
        if (!chunk.isEmpty() && !peerWriteFailed && !peerFile.write(chunk)) {
            peerWriteFailed = true;
            peer.closeWriteChannel();
        }
    };
    auto stopPeer = [&] {
        if (peerEnded || peer.state() == QProcess::NotRunning) return;
        peer.closeWriteChannel();
        if (!peerDeadline.isActive()) peerDeadline.start();
    };
    auto maybeQuit = [&] {
        if (localEnded && peerEnded) loop.quit();
    };
    if (withPeer) {
        QObject::connect(&peer, &QProcess::readyReadStandardOutput, &loop, drainPeer);
        QObject::connect(&peer, &QProcess::readyReadStandardError, &loop, [&] {
            const QByteArray e = peer.readAllStandardError();
            if (peerErr.size() < 65536) peerErr += e.left(65536 - peerErr.size());
        });
        QObject::connect(&peer, &QProcess::finished, &loop, [&](int code, QProcess::ExitStatus status) {
            drainPeer();
            peerEnded = true;
            peerDeadline.stop();
            // The peer failed (unreachable, refused, no capture there): the local capture stops too.
            if ((status != QProcess::NormalExit || code != 0) && proc.state() != QProcess::NotRunning)
                proc.terminate();
            maybeQuit();
        });
        QObject::connect(&peer, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError e) {
            if (e != QProcess::FailedToStart) return;
            peerEnded = true;
            if (proc.state() != QProcess::NotRunning) proc.terminate();
            maybeQuit();
        });
    }
    QObject::connect(&proc, &QProcess::readyReadStandardOutput, &loop, drain);
    QObject::connect(&proc, &QProcess::finished, &loop, [&] {
        localEnded = true;
        stopPeer(); // the duration or count ended the local side: the peer's ends with it
        maybeQuit();
    });
    QObject::connect(&proc, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart) return;
        localEnded = true;
        stopPeer();
        maybeQuit();
    });
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &loop, [&] {
        char c;
        while (::read(g_signalPipe[0], &c, 1) == 1) {
        }
        // The helper may already have its own SIGINT from the terminal; one SIGTERM more is harmless.
        if (!stopping) err(QStringLiteral("ikev2wb: stopping the capture...\n"));
        stopping = true;
        proc.terminate();
        stopPeer();
    });
    // Started together: the local helper, and at once the connection to the peer.
    since.start();
    proc.start(helper, helperArgs);
    if (withPeer) {
        // Its own session: a Ctrl-C at the terminal reaches the process group, and ssh would
        // die of it (exit 255) instead of letting the peer's capture finish its file.
        peer.setChildProcessModifier([] { ::setsid(); });
        peer.start(ssh, peerSshArguments(peerOf(o)));
    }
    if (proc.waitForStarted(-1)) {
        loop.exec();
    } else {
        localEnded = true;
        stopPeer();
        if (!peerEnded) loop.exec();
    }
    if (proc.state() != QProcess::NotRunning) proc.waitForFinished(-1);
    if (withPeer && peer.state() != QProcess::NotRunning) {
        peer.kill();
        peer.waitForFinished(2000);
    }
    drain();
    if (withPeer) {
        drainPeer();
        peerErr += peer.readAllStandardError();
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    ::close(g_signalPipe[0]);
    ::close(g_signalPipe[1]);

    // The peer's failure comes first: it is why the local side was stopped.
    if (withPeer) {
        const bool peerCrashed =
            peer.error() == QProcess::FailedToStart || peer.exitStatus() != QProcess::NormalExit;
        const int peerRc = peerCrashed ? -1 : peer.exitCode();
        if (peerCrashed || peerRc != 0 || peerWriteFailed) {
            file.cancel();
            const QString writeError = peerFile.errorString();
            peerFile.cancel();
            const QString said = lastLines(peerErr, 4);
            if (peerWriteFailed) {
                err(QStringLiteral("ikev2wb: writing %1 failed: %2; nothing was saved\n")
                        .arg(o.peerOut, writeError));
                return ExitBadInput;
            }
            if (peer.error() == QProcess::FailedToStart) {
                err(QStringLiteral("ikev2wb: cannot run %1: %2; nothing was saved\n")
                        .arg(ssh, peer.errorString()));
                return ExitBadInput;
            }
            if (peerRc == kSshFailed) { // ssh's own failure: connection, host key, authentication
                err(QStringLiteral("ikev2wb: cannot reach the peer %1 over ssh; nothing was saved\n  %2\n")
                        .arg(o.ssh, said.isEmpty() ? QStringLiteral("(ssh said nothing)") : said));
                return ExitPeerUnreachable;
            }
            err(QStringLiteral("ikev2wb: the capture on the peer %1 failed (%2 exit status %3); nothing was "
                               "saved\n  %4\n")
                    .arg(o.ssh, o.peerTool == QLatin1String("tcpdump") ? QStringLiteral("tcpdump")
                                                                       : QStringLiteral("helper"))
                    .arg(peerRc)
                    .arg(said.isEmpty() ? QStringLiteral("(it said nothing)") : said));
            return peerRc == kHelperNoPermission ? ExitCannotProbe : ExitBadInput;
        }
    }
    if (proc.error() == QProcess::FailedToStart) {
        peerFile.cancel();
        file.cancel();
        err(QStringLiteral("ikev2wb: cannot run the capture helper %1: %2\n")
                .arg(shq(helper), proc.errorString()));
        return ExitCannotProbe;
    }
    const bool crashed = proc.exitStatus() != QProcess::NormalExit;
    const int rc = crashed ? -1 : proc.exitCode();
    if (writeFailed || crashed || rc != 0) {
        const QString writeError = file.errorString();
        file.cancel();
        peerFile.cancel();
        if (writeFailed)
            err(QStringLiteral("ikev2wb: writing %1 failed: %2; nothing was saved\n").arg(o.out, writeError));
        else if (crashed)
            err(QStringLiteral("ikev2wb: the capture helper stopped abnormally; nothing was saved\n"));
        else
            err(QStringLiteral("ikev2wb: the capture failed (helper exit status %1); nothing was saved\n")
                    .arg(rc));
        if (rc == kHelperNoPermission) return ExitCannotProbe;
        if (rc == ExitUsage) return ExitUsage;
        return ExitBadInput;
    }
    if (ring) {
        // The kept files are one capture: read them as such (core/index/captureset), as
        // `analyze`, `summary` and the window do, and say how to open them.
        const QStringList kept = ringCaptureFiles(o.out);
        QString line =
            QStringLiteral("capture saved as a ring of at most %1 files of %2 MB: ").arg(o.ring, o.size);
        if (kept.isEmpty()) {
            line += QStringLiteral("no file of %1 was kept\n").arg(o.out);
        } else {
            line += QStringLiteral("%1 kept, %2 … %3\n")
                        .arg(kept.size() == 1 ? QStringLiteral("1 file")
                                              : QStringLiteral("%1 files").arg(kept.size()))
                        .arg(QFileInfo(kept.first()).fileName(), QFileInfo(kept.last()).fileName());
            qint64 bytes = 0;
            for (const QString &f : kept)
                bytes += QFileInfo(f).size();
            if (bytes <= kRingReadLimit) {
                QString readError;
                const auto set = loadCaptureSet(kept, &readError);
                if (!set) {
                    line += QStringLiteral("  cannot read them back: %1\n").arg(readError);
                } else {
                    line += QStringLiteral("  read as one capture: %1 packets").arg(set->packetCount());
                    if (set->captureDrops) {
                        const QString drops = captureDropsText(*set->captureDrops);
                        if (!drops.isEmpty()) line += QStringLiteral("; ") + drops;
                    }
                    line += QLatin1Char('\n');
                    for (const CaptureFileGap &g : set->set.gaps)
                        line += QStringLiteral("  not captured %1\n").arg(fileGapText(set->set, g));
                    for (std::size_t i = 0; i < set->warnings.size() && i < 3; ++i)
                        line += QStringLiteral("  warning: %1\n").arg(set->warnings[i].message);
                }
            } else {
                line += QStringLiteral("  (%1 GB together: not read back here)\n")
                            .arg(double(bytes) / 1e9, 0, 'f', 1);
            }
            QStringList quoted;
            for (const QString &f : kept)
                quoted << shq(f);
            line += QStringLiteral("analyze them as one capture: ikev2wb analyze %1\n")
                        .arg(quoted.join(QLatin1Char(' ')));
        }
        out(line);
        return ExitOk;
    }
    // A capture holds other people's traffic: readable by its owner only.
    QString commitError, keptAs;
    if (!file.commit(0600, &commitError, &keptAs)) {
        if (!keptAs.isEmpty())
            err(QStringLiteral("ikev2wb: cannot save %1; the capture was kept as %2\n")
                    .arg(commitError, keptAs));
        else
            err(QStringLiteral("ikev2wb: cannot save %1\n").arg(commitError));
        return ExitBadInput;
    }

    if (withPeer && !peerFile.commit(0600, &commitError, &keptAs)) {
        if (!keptAs.isEmpty())
            err(QStringLiteral("ikev2wb: cannot save %1; the peer's capture was kept as %2\n")
                    .arg(commitError, keptAs));
        else
            err(QStringLiteral("ikev2wb: cannot save %1\n").arg(commitError));
        return ExitBadInput;
    }

    const PcapngStatsScan scan = scanPcapngStatistics(o.out);
    QString line = QStringLiteral("capture saved to %1").arg(o.out);
    if (scan.drops && scan.drops->haveDelivered)
        line += QStringLiteral(": %1 packets").arg(scan.drops->delivered);
    if (scan.drops) {
        const QString drops = captureDropsText(*scan.drops);
        if (!drops.isEmpty()) line += QStringLiteral("; ") + drops;
    } else {
        line += QStringLiteral(" (no statistics block: the drop counts are unknown)");
    }
    line += QLatin1Char('\n');
    if (withPeer) {
        line += QStringLiteral("the peer's capture (%1 on %2) saved to %3").arg(o.peerTool, o.ssh, o.peerOut);
        const PcapngStatsScan peerScan = scanPcapngStatistics(o.peerOut);
        if (peerScan.drops && peerScan.drops->haveDelivered)
            line += QStringLiteral(": %1 packets").arg(peerScan.drops->delivered);
        if (peerScan.drops) {
            const QString drops = captureDropsText(*peerScan.drops);
            if (!drops.isEmpty()) line += QStringLiteral("; ") + drops;
        }
        if (localFirstMs >= 0 && peerFirstMs >= 0)
            line +=
                QStringLiteral("\nthe peer's capture started %1 ms %2 the local one (ssh login and the "
                               "capture's start there; traffic before it is only in the earlier file)")
                    .arg(std::abs(peerFirstMs - localFirstMs))
                    .arg(peerFirstMs >= localFirstMs ? QStringLiteral("after") : QStringLiteral("before"));
        line += QStringLiteral("\nopen them as a pair: ikev2-workbench --pair %1 %2\n")
                    .arg(shq(o.out), shq(o.peerOut));
    }
    out(line);
    return ExitOk;
}

} // namespace ikev2wb::cli
