// ikev2wb: the command-line face of the workbench, for scripts, CI and servers.
#include "commands.h"

#include <QCoreApplication>

#include <pcap/pcap.h>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
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
    return usageError(QStringLiteral("unknown command '%1'").arg(command));
}
