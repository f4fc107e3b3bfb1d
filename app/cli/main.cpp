// ikev2wb: the command-line face of the workbench, for scripts, CI and servers.
#include "commands.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include "util/textformat.h"

#include <pcap/pcap.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace {
// QGuiApplication (only for --pdf) warns about a missing XDG_RUNTIME_DIR, normal for root on a
// server; the CLI's stderr is for the user's problems.
void quietRuntimeDirWarning(QtMsgType type, const QMessageLogContext &, const QString &msg)
{
    if (msg.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR"))) return;
    std::fprintf(stderr, "%s\n", qPrintable(ikev2wb::terminalText(msg)));
    if (type == QtFatalMsg) std::abort();
}
} // namespace

int main(int argc, char **argv)
{
    // Writing a PDF needs QtGui's font and painting machinery; the offscreen platform gives it
    // without a display. Every other command stays a plain QCoreApplication.
    bool pdf = false;
    for (int i = 1; i < argc; ++i)
        pdf = pdf || std::strcmp(argv[i], "--pdf") == 0;
    if (pdf && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    if (pdf) qInstallMessageHandler(quietRuntimeDirWarning);
    std::unique_ptr<QCoreApplication> app;
    if (pdf)
        app = std::make_unique<QGuiApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ikev2wb"));
    QCoreApplication::setApplicationVersion(QStringLiteral(IKEV2WB_VERSION));
    QStringList args = QCoreApplication::arguments().mid(1);
    using namespace ikev2wb::cli;
    if (args.isEmpty()) return usageError(QStringLiteral("no command given"));
    if (args.contains(QLatin1String("--help")) || args.contains(QLatin1String("-h"))) {
        printUsage(false);
        return ExitOk;
    }
    if (args.contains(QLatin1String("--version"))) {
        std::printf("ikev2wb %s (Qt %s, %s)\n", IKEV2WB_VERSION, qVersion(), pcap_lib_version());
        return ExitOk;
    }
    const QString command = args.takeFirst();
    if (command == QLatin1String("summary")) return summary(args);
    if (command == QLatin1String("packets")) return packets(args);
    if (command == QLatin1String("analyze")) return analyze(args);
    if (command == QLatin1String("compare")) return compare(args);
    if (command == QLatin1String("evidence")) return evidence(args);
    if (command == QLatin1String("collect")) return collect(args);
    if (command == QLatin1String("diagnose")) return diagnose(args);
    if (command == QLatin1String("probe")) return probe(args);
    if (command == QLatin1String("capture")) return capture(args);
    return usageError(QStringLiteral("unknown command '%1'").arg(command));
}
