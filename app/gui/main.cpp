// ikev2-workbench: the desktop workbench. Opens the captures named on the command line, and
// with `--pair A B` (repeatable) compares the captures of the two ends of a tunnel:
//   ikev2-workbench [--pair A B]... [CAPTURE...]
// Without arguments it shows the start page (open, compare, the bundled lab samples, recent).
#include "mainwindow.h"
#include "settings/workbenchsettings.h"
#include "theme/theme.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>
#include <utility>
#include <vector>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("ikev2-workbench"));
    QApplication::setApplicationName(QStringLiteral("ikev2-workbench"));
    QApplication::setApplicationVersion(QStringLiteral(IKEV2WB_VERSION));
    qRegisterMetaType<ikev2wb::ui::IndexPtr>("ikev2wb::ui::IndexPtr");

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Finds out why traffic inside IKEv2/IPsec tunnels gets lost."));
    parser.addHelpOption();
    parser.addVersionOption();
    // Listed for --help only: QCommandLineParser options take one value, so the two files of
    // each --pair are taken out of the arguments before parsing.
    parser.addOption(QCommandLineOption(
        QStringLiteral("pair"),
        QStringLiteral("compare the captures of the two ends of a tunnel: --pair A B (repeatable)"),
        QStringLiteral("A> <B")));
    parser.addPositionalArgument(QStringLiteral("captures"), QStringLiteral("pcap/pcapng files to open"),
                                 QStringLiteral("[captures...]"));

    QStringList args = QApplication::arguments();
    std::vector<std::pair<QString, QString>> pairs;
    for (qsizetype i = 1; i < args.size();) {
        if (args.at(i) == QLatin1String("--")) break;
        if (args.at(i) != QLatin1String("--pair")) {
            ++i;
            continue;
        }
        if (i + 2 >= args.size()) {
            std::fprintf(stderr, "ikev2-workbench: --pair needs two captures: --pair A B\n");
            return 2;
        }
        pairs.emplace_back(args.at(i + 1), args.at(i + 2));
        args.remove(i, 3);
    }
    parser.process(args);
    if (const QString theme = ikev2wb::ui::WorkbenchSettings().theme(); theme != QLatin1String("system"))
        ikev2wb::ui::applyTheme(ikev2wb::ui::themeChoice(theme));

    ikev2wb::ui::MainWindow window;
    window.show();
    for (const auto &[a, b] : pairs)
        window.openPair(a, b);
    window.openFiles(parser.positionalArguments());
    return app.exec();
}
