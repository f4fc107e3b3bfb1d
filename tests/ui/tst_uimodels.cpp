// The packet table model under QAbstractItemModelTester, on a real capture whose expected
// contents come from tcpdump's own expected output (tests/isakmp4.out in tcpdump's tree).
#include "index/indexbuilder.h"
#include "models/packettablemodel.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace ikev2wb;
using namespace ikev2wb::ui;

class TstUiModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void packetTable()
    {
        const QString path = QStringLiteral(IKEV2WB_TEST_DATA "/captures/tcpdump/tests/isakmp4500.pcap");
        QString error;
        std::shared_ptr<const CaptureIndex> index(loadCapture(path, &error).release());
        QVERIFY2(index, qPrintable(error));
        PacketTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setIndex(index);
        // isakmp4.out lists 35 packets; packet 12 is "UDP-encap: ESP(spi=0xf4dc0ae5,seq=0x1)".
        QCOMPARE(model.rowCount(), 35);
        QCOMPARE(model.index(11, PacketTableModel::ColSpiOrExchange).data().toString(),
                 QStringLiteral("0xf4dc0ae5"));
        QCOMPARE(model.index(11, PacketTableModel::ColSeqOrMessageId).data().toString(), QStringLiteral("1"));
        QCOMPARE(model.index(11, PacketTableModel::ColSource).data().toString(),
                 QStringLiteral("192.1.2.254:4500"));

        QSortFilterProxyModel proxy;
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(PacketTableModel::SortRole);
        proxy.setFilterKeyColumn(PacketTableModel::ColKind);
        proxy.setFilterFixedString(QStringLiteral("esp_udp"));
        // isakmp4.out: 8 UDP-encap ESP packets, seq 1..8.
        QCOMPARE(proxy.rowCount(), 8);
        proxy.sort(PacketTableModel::ColSeqOrMessageId, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, PacketTableModel::ColSeqOrMessageId).data().toString(), QStringLiteral("8"));
        proxy.setFilterFixedString(QStringLiteral("nat_keepalive"));
        QCOMPARE(proxy.rowCount(), 4); // isakmp4.out: 4 isakmp-nat-keep-alive
        model.setIndex({});
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TstUiModels)
#include "tst_uimodels.moc"
