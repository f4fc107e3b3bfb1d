// The Packets tab of a pair: capture A or B behind one switch, each packet's fate at the other
// end marked, the same packet on the other side in the details. Lab pair tests/data/lab/loss1
// (tests/data/lab/README.md): netem dropped left → right only. Opened with A = right-outer.pcap
// and B = left-outer.pcap, so the lost packets are in B's capture. Expected values come from the
// lab's verify.json (its tshark count of packets lost each way and a sample of their sequence
// numbers), and the other end's frame number from the other capture's own table row.
#include "compare/endpointcompare.h"
#include "diagnose/diagnosis.h"
#include "index/indexbuilder.h"
#include "mainwindow.h"
#include "models/packettablemodel.h"
#include "pages/capturepage.h"
#include "pages/packetspage.h"
#include "theme/theme.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>

using namespace ikev2wb;
using namespace ikev2wb::ui;

namespace {
QString lab(const char *file)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/lab/loss1/") + QLatin1String(file);
}

QJsonObject espLoss(const char *direction)
{
    QFile f(lab("verify.json"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll())
        .object()
        .value(QStringLiteral("esp_loss"))
        .toObject()
        .value(QLatin1String(direction))
        .toObject();
}

constexpr std::uint32_t kSpiLeftToRight = 0xc8b78eba; // verify.json's only left → right SPI

int countFate(const QAbstractItemModel &m, PacketFate fate)
{
    int n = 0;
    for (int r = 0; r < m.rowCount(); ++r)
        if (m.index(r, 0).data(PacketTableModel::FateRole) == QVariant(int(fate))) ++n;
    return n;
}

/// The row of ESP packet (SPI, seq) in a table model, from its shown SPI and Seq columns.
int rowOf(const QAbstractItemModel &m, std::uint32_t spi, std::uint32_t seq)
{
    const QString spiText = QStringLiteral("0x%1").arg(spi, 8, 16, QLatin1Char('0'));
    for (int r = 0; r < m.rowCount(); ++r)
        if (m.index(r, PacketTableModel::ColSpiOrExchange).data().toString() == spiText &&
            m.index(r, PacketTableModel::ColSeqOrMessageId).data().toString() == QString::number(seq))
            return r;
    return -1;
}

QString detailsOf(PacketsPage *page, int row)
{
    QSignalSpy shown(page, &PacketsPage::detailsShown);
    const QModelIndex idx = page->tableView()->model()->index(row, 0);
    page->tableView()->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect |
                                                                  QItemSelectionModel::Rows);
    const quint64 packet = idx.data(PacketTableModel::PacketIndexRole).toULongLong();
    if (!QTest::qWaitFor([&]() { return !shown.isEmpty() && shown.last().at(0).toULongLong() == packet; },
                         10000))
        return QString();
    return page->detailsView()->toPlainText();
}
} // namespace

class TstPairPackets : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2-workbench-tests"));
        qRegisterMetaType<IndexPtr>("ikev2wb::ui::IndexPtr");
        if (!QFile::exists(lab("left-outer.pcap"))) QSKIP("tests/data/lab/loss1 is missing");
        QVERIFY(!espLoss("left_to_right").isEmpty());
    }

    void modelMarksLostPackets()
    {
        QString error;
        std::shared_ptr<const CaptureIndex> left(loadCapture(lab("left-outer.pcap"), &error).release());
        std::shared_ptr<const CaptureIndex> right(loadCapture(lab("right-outer.pcap"), &error).release());
        QVERIFY2(left && right, qPrintable(error));
        auto result = std::make_shared<const CompareResult>(compareIndexes(*left, *right));
        PacketTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setIndex(left);
        QCOMPARE(countFate(model, PacketFate::LostInTransit), 0); // no pairing yet
        model.setPairing(result, 0, QStringLiteral("B"));
        QCOMPARE(countFate(model, PacketFate::LostInTransit),
                 espLoss("left_to_right").value(QStringLiteral("lost")).toInt());
        const int lost = rowOf(model, kSpiLeftToRight, 33); // in verify.json's lost_seq_sample
        QVERIFY(lost >= 0);
        const QColor fail = statusColor(StepStatus::Fail, QGuiApplication::palette());
        QCOMPARE(model.index(lost, PacketTableModel::ColNumber).data(Qt::DecorationRole).value<QColor>(),
                 fail);
        QCOMPARE(model.index(lost, PacketTableModel::ColKind).data(Qt::ForegroundRole).value<QColor>(), fail);
        QVERIFY(model.index(lost, 0)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("lost in transit")));
        const int delivered = rowOf(model, kSpiLeftToRight, 34);
        QCOMPARE(model.index(delivered, 0).data(PacketTableModel::FateRole),
                 QVariant(int(PacketFate::Delivered)));
        QVERIFY(!model.index(delivered, 0).data(Qt::DecorationRole).isValid());
        model.setPairing({}, 0, QString());
        QCOMPARE(countFate(model, PacketFate::LostInTransit), 0);
    }

    void pairTabSwitchesToB()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        // A = right (the receiver of the lossy direction), B = left (its sender).
        w.openPair(lab("right-outer.pcap"), lab("left-outer.pcap"));
        auto *tabs = w.findChild<QTabWidget *>();
        CapturePage *page = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((page = qobject_cast<CapturePage *>(tabs->currentWidget())) &&
                                     page->comparison() && page->packetsPage(1) != nullptr,
                                 60000);
        page->tabs()->setCurrentIndex(CapturePage::PacketsTab);
        PacketsPage *a = page->packetsPage(0);
        QTRY_VERIFY(a->isAttached() && a->tableView()->model()->rowCount() > 0);
        QCOMPARE(page->packetsSide(), 0);
        // A's own sent packets: right → left lost none (verify.json).
        QCOMPARE(countFate(*a->tableView()->model(), PacketFate::LostInTransit),
                 espLoss("right_to_left").value(QStringLiteral("lost")).toInt());

        // The switch names each capture by its file and its endpoint's address.
        auto *toB = page->findChild<QToolButton *>(QStringLiteral("packetsSideB"));
        QVERIFY(toB && toB->isVisible());
        QVERIFY2(toB->text().contains(QStringLiteral("left-outer.pcap")) &&
                     toB->text().contains(QStringLiteral("10.0.1.1")),
                 qPrintable(toB->text()));
        QTest::mouseClick(toB, Qt::LeftButton);
        QCOMPARE(page->packetsSide(), 1);
        PacketsPage *b = page->packetsPage(1);
        QTRY_VERIFY(b->isVisible() && b->isAttached() && b->tableView()->model()->rowCount() > 0);
        QCOMPARE(b->tableView()->model()->rowCount(), int(page->peerIndex()->packetCount()));
        const int known = espLoss("left_to_right").value(QStringLiteral("lost")).toInt();
        QVERIFY(known > 0);
        QCOMPARE(countFate(*b->tableView()->model(), PacketFate::LostInTransit), known);
        QVERIFY(page->findChild<QLabel *>(QStringLiteral("packetsPairLine"))
                    ->text()
                    .startsWith(QStringLiteral("%1 ESP packets sent here never arrived at A").arg(known)));

        // A lost packet's details: one of verify.json's lost sequence numbers.
        const QJsonArray sample = espLoss("left_to_right")
                                      .value(QStringLiteral("per_spi"))
                                      .toObject()
                                      .value(QStringLiteral("0xc8b78eba"))
                                      .toObject()
                                      .value(QStringLiteral("lost_seq_sample"))
                                      .toArray();
        QVERIFY(!sample.isEmpty());
        const auto lostSeq = std::uint32_t(sample.at(0).toInt());
        const int lostRow = rowOf(*b->tableView()->model(), kSpiLeftToRight, lostSeq);
        QVERIFY(lostRow >= 0);
        QString text = detailsOf(b, lostRow);
        QVERIFY2(text.contains(QStringLiteral("never arrived at A, right-outer.pcap (lost in transit)")),
                 qPrintable(text));

        // A delivered one (the next number, not in the lost sample) points at its row in A's table.
        QVERIFY(!sample.contains(QJsonValue(int(lostSeq + 1))));
        const int deliveredRow = rowOf(*b->tableView()->model(), kSpiLeftToRight, lostSeq + 1);
        const int inA = rowOf(*a->tableView()->model(), kSpiLeftToRight, lostSeq + 1);
        QVERIFY(deliveredRow >= 0 && inA >= 0);
        const QString frameInA =
            a->tableView()->model()->index(inA, PacketTableModel::ColNumber).data().toString();
        text = detailsOf(b, deliveredRow);
        QVERIFY2(text.contains(QStringLiteral("frame %1, one-way delay ").arg(frameInA)) &&
                     text.contains(QStringLiteral("ms (clock offset")),
                 qPrintable(text));

        // Back to A: the switch shows A's page again; selectPacket always shows A.
        page->setPacketsSide(1);
        page->selectPacket(0);
        QCOMPARE(page->packetsSide(), 0);
    }
};

QTEST_MAIN(TstPairPackets)
#include "tst_pairpackets.moc"
