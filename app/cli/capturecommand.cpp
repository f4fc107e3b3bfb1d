// `ikev2wb capture`: live capture through the privilege-separated helper ikev2wb-capture.
// ikev2wb itself never needs root: it runs the helper (by absolute path, never through $PATH),
// saves the pcapng it streams on stdout through OutputFile (a temporary file put in place only
// when the capture succeeded, never over an existing name or through a link) and passes Ctrl-C on so that the
// helper ends cleanly with its statistics block.
#include "commands.h"

#include "capture/pcapngstats.h"
#include "diagnose/shellquote.h"
#include "report/outputfile.h"
#include "live/capturehelper.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QProcess>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace ikev2wb::cli {

namespace {

void err(const QString &s)
{
    const QByteArray b = s.toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stderr);
}

constexpr const char *kHelperName = "ikev2wb-capture";
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
};

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
                                a == QLatin1String("--ring") || a == QLatin1String("--size");
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
        else
            o.snaplen = v;
    }
    if (o.iface.isEmpty()) return usageError(QStringLiteral("capture needs -i IFACE"));
    if (o.out.isEmpty()) return usageError(QStringLiteral("capture needs -w FILE.pcapng"));
    if (!isValidInterfaceName(o.iface) && o.iface != QLatin1String("any"))
        return usageError(
            QStringLiteral("'%1' is not an interface name (1-15 of A-Z a-z 0-9 _ . + -)").arg(o.iface));
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
    bool writeFailed = false;
    bool stopping = false;
    auto drain = [&] {
        const QByteArray chunk = proc.readAllStandardOutput();
        if (!chunk.isEmpty() && !writeFailed && !file.write(chunk)) {
            writeFailed = true;
            proc.terminate();
        }
    };
    QObject::connect(&proc, &QProcess::readyReadStandardOutput, &loop, drain);
    QObject::connect(&proc, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&proc, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) loop.quit();
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
    });
    proc.start(helper, helperArgs);
    if (proc.waitForStarted(-1)) loop.exec();
    if (proc.state() != QProcess::NotRunning) proc.waitForFinished(-1);
    drain();
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    ::close(g_signalPipe[0]);
    ::close(g_signalPipe[1]);

    if (proc.error() == QProcess::FailedToStart) {
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
        const QString line = QStringLiteral("capture saved as a ring of at most %1 files of %2 MB: %3\n")
                                 .arg(o.ring, o.size, o.out);
        const QByteArray b = line.toUtf8();
        std::fwrite(b.constData(), 1, std::size_t(b.size()), stdout);
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
    const QByteArray b = line.toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stdout);
    return ExitOk;
}

} // namespace ikev2wb::cli
