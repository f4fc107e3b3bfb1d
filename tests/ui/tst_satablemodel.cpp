// The ESP SA table model under QAbstractItemModelTester, on the strongSwan lab captures
// (tests/data/lab, see its README.md). Expected values never come from our analyzers:
// - per SPI, the lab's tshark verification of the same capture (verify.json,
//   captures.<file>.esp_by_spi: src, dst, udp_encap, packets, seq_min, seq_max,
//   missing_in_range, duplicates, out_of_order, max_iplen, first_t, last_t);
// - the smallest safe replay window against the receiving kernel's counters: the right host of
//   reorder-antireplay dropped packets with its window of 16 (truth.json ipsec.replay_window),
//   the right host of loss1 dropped none with 32 (verify.json kernel.right.sas_end).
#include "../labdata.h"
#include "analyze/analysis.h"
#include "index/indexbuilder.h"
#include "models/satablemodel.h"
#include "settings/timedisplay.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTest>
#include <QTimeZone>

#include <cmath>
#include <functional>

using namespace ikev2wb;
using namespace ikev2wb::ui;
using ikev2wb::testdata::labDir;
using ikev2wb::testdata::readJson;

namespace {

QVariant cell(const QAbstractItemModel &m, int row, int column, int role = SaTableModel::SortRole)
{
    return m.index(row, column).data(role);
}

} // namespace

class TstSaTableModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // The time display choice is saved: in test-mode settings, not the user's.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2wb-tst-satablemodel"));
    }

    void againstTshark_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("file");
        QTest::newRow("loss1 receiver") << QStringLiteral("loss1") << QStringLiteral("right-outer.pcap");
        QTest::newRow("mtu-blackhole receiver")
            << QStringLiteral("mtu-blackhole") << QStringLiteral("right-outer.pcap");
        QTest::newRow("reorder-antireplay receiver")
            << QStringLiteral("reorder-antireplay") << QStringLiteral("right-outer.pcap");
        QTest::newRow("natt-expiry left (ESP-in-UDP)")
            << QStringLiteral("natt-expiry") << QStringLiteral("left-outer.pcap");
    }

    void againstTshark()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, file);
        const QJsonObject verify = readJson(labDir(scenario) + QStringLiteral("/verify.json"));
        QVERIFY2(!verify.isEmpty(), "verify.json missing");
        const QJsonObject bySpi = verify.value(QStringLiteral("captures"))
                                      .toObject()
                                      .value(file)
                                      .toObject()
                                      .value(QStringLiteral("esp_by_spi"))
                                      .toObject();
        QVERIFY(!bySpi.isEmpty());

        QString error;
        std::shared_ptr<const CaptureIndex> index(
            loadCapture(labDir(scenario) + QLatin1Char('/') + file, &error));
        QVERIFY2(index, qPrintable(error));
        auto analysis = std::make_shared<const CaptureAnalysis>(analyzeCapture(*index));

        SaTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(SaTableModel::SortRole);
        proxy.setFilterKeyColumn(-1);
        proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);

        model.setIndex(index);
        QCOMPARE(model.rowCount(), bySpi.size());
        // Before the analysis: identity columns filled, sequence columns pending.
        const int anyRow = 0;
        QVERIFY(cell(model, anyRow, SaTableModel::ColPackets).isValid());
        QVERIFY(!cell(model, anyRow, SaTableModel::ColMissing).isValid());
        QCOMPARE(cell(model, anyRow, SaTableModel::ColMissing, Qt::DisplayRole).toString(),
                 QStringLiteral("…"));

        model.setAnalysis(analysis);
        QString busiest;
        qint64 busiestPackets = -1;
        for (auto it = bySpi.begin(); it != bySpi.end(); ++it) {
            const QString spi = it.key();
            const QJsonObject t = it.value().toObject();
            const int row = model.rowOfSpi(spi.mid(2).toUInt(nullptr, 16));
            QVERIFY2(row >= 0, qPrintable(spi));
            QCOMPARE(cell(model, row, SaTableModel::ColSpi, Qt::DisplayRole).toString(), spi);
            QCOMPARE(cell(model, row, SaTableModel::ColSource).toString(),
                     t[QStringLiteral("src")].toString());
            QCOMPARE(cell(model, row, SaTableModel::ColDestination).toString(),
                     t[QStringLiteral("dst")].toString());
            QCOMPARE(cell(model, row, SaTableModel::ColEncap).toString(),
                     t[QStringLiteral("udp_encap")].toBool() ? QStringLiteral("ESP-in-UDP")
                                                             : QStringLiteral("ESP"));
            QCOMPARE(cell(model, row, SaTableModel::ColPackets).toLongLong(),
                     t[QStringLiteral("packets")].toInteger());
            QCOMPARE(cell(model, row, SaTableModel::ColFirstSeq).toLongLong(),
                     t[QStringLiteral("seq_min")].toInteger());
            QCOMPARE(cell(model, row, SaTableModel::ColLastSeq).toLongLong(),
                     t[QStringLiteral("seq_max")].toInteger());
            QCOMPARE(cell(model, row, SaTableModel::ColMissing).toLongLong(),
                     t[QStringLiteral("missing_in_range")].toInteger());
            QCOMPARE(cell(model, row, SaTableModel::ColDuplicates).toLongLong(),
                     t[QStringLiteral("duplicates")].toInteger());
            // tshark's out_of_order (below the highest seen) is RFC 4737 reordering when
            // nothing is missing: every late packet then fills a gap.
            if (t[QStringLiteral("missing_in_range")].toInteger() == 0)
                QCOMPARE(cell(model, row, SaTableModel::ColReordered).toLongLong(),
                         t[QStringLiteral("out_of_order")].toInteger());
            QCOMPARE(cell(model, row, SaTableModel::ColMaxOuter).toLongLong(),
                     t[QStringLiteral("max_iplen")].toInteger());
            const double first = double(cell(model, row, SaTableModel::ColFirstTime).toLongLong()) / 1e9;
            const double last = double(cell(model, row, SaTableModel::ColLastTime).toLongLong()) / 1e9;
            QVERIFY(qAbs(first - t[QStringLiteral("first_t")].toDouble()) < 2e-6);
            QVERIFY(qAbs(last - t[QStringLiteral("last_t")].toDouble()) < 2e-6);
            QCOMPARE(cell(model, row, SaTableModel::ColSpi, SaTableModel::SaIndexRole).toInt(), row);
            if (t[QStringLiteral("packets")].toInteger() > busiestPackets) {
                busiestPackets = t[QStringLiteral("packets")].toInteger();
                busiest = spi;
            }
        }

        // Sortable on raw numbers, filterable on the displayed SPI.
        proxy.sort(SaTableModel::ColPackets, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, SaTableModel::ColSpi).data().toString(), busiest);
        proxy.setFilterFixedString(busiest.mid(2).toUpper());
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, SaTableModel::ColSpi).data().toString(), busiest);
        proxy.setFilterFixedString(QString());
        QCOMPARE(proxy.rowCount(), bySpi.size());
        model.setIndex({});
        QCOMPARE(model.rowCount(), 0);
    }

    // First / Last name their unit or zone as View ▸ Time Display has them (a bare "0.299794"
    // said neither); in UTC the cell is tshark's first_t of the SA as a date (verify.json).
    void timeColumnsNameTheirUnit()
    {
        const QJsonObject bySpi = readJson(labDir(QStringLiteral("loss1")) + QStringLiteral("/verify.json"))
                                      .value(QStringLiteral("captures"))
                                      .toObject()
                                      .value(QStringLiteral("right-outer.pcap"))
                                      .toObject()
                                      .value(QStringLiteral("esp_by_spi"))
                                      .toObject();
        QVERIFY(!bySpi.isEmpty());
        QString error;
        std::shared_ptr<const CaptureIndex> index(
            loadCapture(labDir(QStringLiteral("loss1")) + QStringLiteral("/right-outer.pcap"), &error));
        QVERIFY2(index, qPrintable(error));
        SaTableModel model;
        model.setIndex(index);
        TimeDisplayChoice &choice = TimeDisplayChoice::instance();
        const TimeDisplay before = choice.mode();
        choice.setMode(TimeDisplay::SinceStart);
        QCOMPARE(model.headerData(SaTableModel::ColFirstTime, Qt::Horizontal).toString(),
                 QStringLiteral("First (s since start)"));
        QCOMPARE(model.headerData(SaTableModel::ColLastTime, Qt::Horizontal).toString(),
                 QStringLiteral("Last (s since start)"));
        QSignalSpy header(&model, &QAbstractItemModel::headerDataChanged);
        choice.setMode(TimeDisplay::Utc);
        QCOMPARE(header.count(), 1);
        QCOMPARE(model.headerData(SaTableModel::ColFirstTime, Qt::Horizontal).toString(),
                 QStringLiteral("First (UTC)"));
        const QString spi = bySpi.begin().key();
        const int row = model.rowOfSpi(spi.mid(2).toUInt(nullptr, 16));
        QVERIFY(row >= 0);
        const double firstT = bySpi.begin().value().toObject().value(QStringLiteral("first_t")).toDouble();
        const QString date = QDateTime::fromMSecsSinceEpoch(qint64(std::floor(firstT)) * 1000, Qt::UTC)
                                 .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
        QVERIFY2(cell(model, row, SaTableModel::ColFirstTime, Qt::DisplayRole).toString().startsWith(date),
                 qPrintable(cell(model, row, SaTableModel::ColFirstTime, Qt::DisplayRole).toString() +
                            QStringLiteral(" vs ") + date));
        choice.setMode(before);
    }

    void minSafeWindowAgainstKernel()
    {
        // reorder-antireplay: the right kernel (window 16, truth.json) dropped packets of the
        // left → right SA, so no window of 16 or less is safe for it.
        const QJsonObject truth =
            readJson(labDir(QStringLiteral("reorder-antireplay")) + QStringLiteral("/truth.json"));
        const int rightWindow =
            truth[QStringLiteral("ipsec")][QStringLiteral("replay_window")][QStringLiteral("right")].toInt();
        QCOMPARE(rightWindow, 16);
        // loss1: the right kernel (window 32) dropped nothing, so 32 is safe for its inbound SA.
        const QJsonObject verify = readJson(labDir(QStringLiteral("loss1")) + QStringLiteral("/verify.json"));
        const QJsonArray rightSas =
            verify[QStringLiteral("kernel")][QStringLiteral("right")][QStringLiteral("sas_end")].toArray();
        QString safeSpi;
        for (const QJsonValue &v : rightSas) {
            const QJsonObject sa = v.toObject();
            if (sa[QStringLiteral("dst")].toString() == QLatin1String("10.0.2.1") &&
                sa[QStringLiteral("replay_window")].toInt() == 32 &&
                sa[QStringLiteral("drop_outside_replay_window")].toInt() == 0)
                safeSpi = sa[QStringLiteral("spi")].toString();
        }
        QVERIFY(!safeSpi.isEmpty());

        struct Case
        {
            QString scenario;
            QString spi;
            std::function<bool(qint64)> ok;
        };
        const QList<Case> cases{
            {QStringLiteral("reorder-antireplay"), QStringLiteral("0xcd95a8a5"),
             [rightWindow](qint64 w) { return w > rightWindow; }},
            {QStringLiteral("loss1"), safeSpi, [](qint64 w) { return w >= 1 && w <= 32; }},
        };
        for (const Case &c : cases) {
            QString error;
            std::shared_ptr<const CaptureIndex> index(
                loadCapture(labDir(c.scenario) + QStringLiteral("/right-outer.pcap"), &error));
            QVERIFY2(index, qPrintable(error));
            SaTableModel model;
            model.setIndex(index);
            model.setAnalysis(std::make_shared<const CaptureAnalysis>(analyzeCapture(*index)));
            const int row = model.rowOfSpi(c.spi.mid(2).toUInt(nullptr, 16));
            QVERIFY(row >= 0);
            const qint64 w = cell(model, row, SaTableModel::ColMinSafeWindow).toLongLong();
            QVERIFY2(c.ok(w),
                     qPrintable(QStringLiteral("%1 %2: min safe window %3").arg(c.scenario, c.spi).arg(w)));
        }
    }
};

QTEST_MAIN(TstSaTableModel)
#include "tst_satablemodel.moc"
