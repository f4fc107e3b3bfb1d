#include "cellnavigation.h"

#include "index/captureindex.h"
#include "widgets/plaintext.h"

#include <QAction>
#include <QMenu>
#include <QProcess>
#include <QStandardPaths>
#include <QWidget>

namespace ikev2wb::ui {

CellNavigator *cellNavigator(QWidget *widget)
{
    for (QWidget *w = widget; w; w = w->parentWidget())
        if (auto *n = dynamic_cast<CellNavigator *>(w)) return n;
    return nullptr;
}

QString packetFile(const CaptureIndex &index, quint64 packet, quint64 *frameInFile)
{
    const quint64 frame = packet + 1;
    if (index.set.isSet())
        for (const CaptureSetFile &f : index.set.files)
            if (frame > f.firstPacket && frame <= f.firstPacket + f.packets) {
                if (frameInFile) *frameInFile = frame - f.firstPacket;
                return f.path;
            }
    if (frameInFile) *frameInFile = frame;
    return index.file.path;
}

void addCellActions(QMenu *menu, const QModelIndex &at, QWidget *from)
{
    CellNavigator *nav = cellNavigator(from);
    if (!nav) return;
    menu->addSeparator();
    menu->setToolTipsVisible(true);
    int side = at.data(CellRole::Side).isValid() ? at.data(CellRole::Side).toInt() : 0;
    if (const QString source = at.data(CellRole::SourceFile).toString(); !source.isEmpty())
        side = nav->sideOfFile(source);
    const CaptureIndex *capture = side >= 0 ? nav->navigationCapture(side) : nullptr;

    const QString filter = capture ? at.data(CellRole::Filter).toString() : QString();
    QAction *filterOn = menu->addAction(QObject::tr("Filter on This Value"), from,
                                        [nav, side, filter]() { nav->filterPackets(side, filter); });
    filterOn->setObjectName(QStringLiteral("filterOnValue"));
    filterOn->setEnabled(!filter.isEmpty());
    filterOn->setToolTip(filter.isEmpty() ? QObject::tr("This column holds nothing a display filter selects")
                                          : plainToolTip(QObject::tr("Packets page: %1").arg(filter)));

    if (const QVariant sa = at.data(CellRole::EspSa); sa.isValid() && capture) {
        QAction *follow = menu->addAction(QObject::tr("Follow This SA (ESP Timeline)"), from,
                                          [nav, side, s = sa.toInt()]() { nav->followSa(side, s); });
        follow->setObjectName(QStringLiteral("followSa"));
        follow->setEnabled(nav->canFollowSa(side, sa.toInt()));
        if (!follow->isEnabled())
            follow->setToolTip(
                QObject::tr("The ESP timeline shows capture A's SAs; A has no SA with this SPI"));
    }

    const QVariant packetData = at.data(CellRole::Packet);
    if (!packetData.isValid() || !capture) return;
    const quint64 packet = packetData.toULongLong();
    const QString wireshark = QStandardPaths::findExecutable(QStringLiteral("wireshark"));
    quint64 frameInFile = 0;
    const QString file = packetFile(*capture, packet, &frameInFile);
    QAction *open = menu->addAction(QObject::tr("Open in Wireshark at Packet %1").arg(packet + 1), from,
                                    [wireshark, file, frameInFile]() {
                                        // No shell: the program and its arguments as a list.
                                        QProcess::startDetached(wireshark, {QStringLiteral("-r"), file,
                                                                            QStringLiteral("-g"),
                                                                            QString::number(frameInFile)});
                                    });
    open->setObjectName(QStringLiteral("openInWireshark"));
    open->setEnabled(!wireshark.isEmpty() && !file.isEmpty());
    if (wireshark.isEmpty())
        open->setToolTip(QObject::tr("Wireshark is not installed (no 'wireshark' in PATH)"));

    if (!nav->navigationCapture(1 - side)) return; // not a pair
    const std::optional<quint64> there = nav->otherEndPacket(side, packet);
    const QChar otherName = QLatin1Char(side == 0 ? 'B' : 'A');
    QAction *other =
        menu->addAction(there ? QObject::tr("Show This Packet at the Other End (%1, Packet %2)")
                                    .arg(otherName, QString::number(*there + 1))
                              : QObject::tr("Show This Packet at the Other End (%1)").arg(otherName),
                        from, [nav, side, there]() {
                            if (there) nav->showPacket(1 - side, *there);
                        });
    other->setObjectName(QStringLiteral("showAtOtherEnd"));
    other->setEnabled(there.has_value());
    if (!there) other->setToolTip(QObject::tr("%1's capture has no copy of this packet").arg(otherName));
}

} // namespace ikev2wb::ui
