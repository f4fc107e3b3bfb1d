// ikev2-workbench: the desktop workbench. Opens the captures named on the command line.
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>

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
    parser.addPositionalArgument(QStringLiteral("captures"), QStringLiteral("pcap/pcapng files to open"),
                                 QStringLiteral("[captures...]"));
    parser.process(app);

    ikev2wb::ui::MainWindow window;
    window.show();
    window.openFiles(parser.positionalArguments());
    return app.exec();
}
