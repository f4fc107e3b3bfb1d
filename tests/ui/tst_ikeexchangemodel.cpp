// The IKE page's table of exchanges (models/ikeexchangemodel.h) under QAbstractItemModelTester,
// on the strongSwan lab capture ike-frag-drop/left-outer.pcap (tests/data/lab/README.md: the
// path drops IP fragments, so the initiator's fragmented IKE_AUTH never arrives). Oracles, none
// of them our analyzer: the lab's tshark counts of the same capture (verify.json
// captures["left-outer.pcap"].ike: 11 IKE messages, by type, 5 retransmissions, 2 IKE SAs) and
// charon's own log (verify.json charon_log.left: giving_up 1). The cells' filters are run through
// the display filter engine (whose selection tst_displayfilter compares with tshark's): the
// exchanges' filters together select every IKE message exactly once.
#include "../labdata.h"
#include "analyze/analysis.h"
#include "filter/displayfilter.h"
#include "index/indexbuilder.h"
#include "models/cellroles.h"
#include "models/ikeexchangemodel.h"
#include "settings/timedisplay.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimeZone>

#include <set>

using namespace ikev2wb;
using namespace ikev2wb::ui;
using ikev2wb::testdata::labDir;
using ikev2wb::testdata::readJson;

namespace {

std::vector<std::uint32_t> selected(const QString &filter, const CaptureIndex &index)
{
    FilterError error;
    const DisplayFilter f = DisplayFilter::compile(filter, &error);
    if (!f.isValid()) qWarning("%s: %s", qPrintable(filter), qPrintable(error.message));
    return f.isValid() ? selectPackets(f, index) : std::vector<std::uint32_t>{};
}

} // namespace

class TstIkeExchangeModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // The time display choice is saved: in test-mode settings, not the user's.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2wb-tst-ikeexchangemodel"));
    }

    void againstTsharkAndCharon()
    {
        const QJsonObject verify =
            readJson(labDir(QStringLiteral("ike-frag-drop")) + QStringLiteral("/verify.json"));
        QVERIFY2(!verify.isEmpty(), "verify.json missing");
        const QJsonObject ike =
            verify[QStringLiteral("captures")][QStringLiteral("left-outer.pcap")][QStringLiteral("ike")]
                .toObject();
        const QJsonObject byType = ike[QStringLiteral("by_type")].toObject();
        QString error;
        std::shared_ptr<const CaptureIndex> index(loadCapture(
            labDir(QStringLiteral("ike-frag-drop")) + QStringLiteral("/left-outer.pcap"), &error));
        QVERIFY2(index, qPrintable(error));
        auto analysis = std::make_shared<const CaptureAnalysis>(analyzeCapture(*index));
        QCOMPARE(qint64(analysis->ike.ikeSas.size()), ike[QStringLiteral("ike_sas")].toInteger());

        IkeExchangeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        std::map<QString, int> requests, responses; // "IKE_AUTH" → sends, from the table's cells
        int retransmissions = 0, gaveUp = 0, rows = 0;
        std::multiset<std::uint32_t> byMessageFilter, byRequestFilter, byResponseFilter;
        for (int sa = 0; sa < int(analysis->ike.ikeSas.size()); ++sa) {
            model.setData(index, analysis, sa);
            QVERIFY(model.rowCount() > 0);
            rows += model.rowCount();
            for (int r = 0; r < model.rowCount(); ++r) {
                const auto cell = [&](int c, int role = Qt::DisplayRole) {
                    return model.index(r, c).data(role);
                };
                const QString type =
                    cell(IkeExchangeModel::ColExchange).toString().section(QLatin1Char(' '), 0, 0);
                const int resent = cell(IkeExchangeModel::ColRetransmissions).toString().toInt();
                retransmissions += resent;
                if (cell(IkeExchangeModel::ColRequest).toString() != QLatin1String("not captured"))
                    requests[type] += 1 + resent;
                if (cell(IkeExchangeModel::ColResponse).toString() != QLatin1String("none"))
                    responses[type] += 1;
                if (cell(IkeExchangeModel::ColOutcome).toString().contains(QLatin1String("gave up")))
                    ++gaveUp;
                // The row is its first request's packet: an IKE message of this message ID.
                const quint64 packet = cell(IkeExchangeModel::ColMessageId, CellRole::Packet).toULongLong();
                const auto isIke = [&](quint64 p) {
                    for (const IkeMessage &m : index->ikeMessages)
                        if (m.packet == p) return true;
                    return false;
                };
                QVERIFY(isIke(packet));
                const QString byId = cell(IkeExchangeModel::ColMessageId, CellRole::Filter).toString();
                QVERIFY2(byId.endsWith(QStringLiteral("isakmp.messageid == %1")
                                           .arg(cell(IkeExchangeModel::ColMessageId).toString())),
                         qPrintable(byId));
                // As tshark, the filter selects an IP-fragmented message at the frame that completes
                // it: one packet per send the row counts (request sends, response).
                const std::vector<std::uint32_t> ofExchange = selected(byId, *index);
                const bool requested =
                    cell(IkeExchangeModel::ColRequest).toString() != QLatin1String("not captured");
                const bool answered = cell(IkeExchangeModel::ColResponse).toString() != QLatin1String("none");
                QCOMPARE(int(ofExchange.size()), (requested ? 1 + resent : 0) + (answered ? 1 : 0));
                byMessageFilter.insert(ofExchange.begin(), ofExchange.end());
                for (const std::uint32_t p :
                     selected(cell(IkeExchangeModel::ColRequest, CellRole::Filter).toString(), *index))
                    byRequestFilter.insert(p);
                if (const QString f = cell(IkeExchangeModel::ColResponse, CellRole::Filter).toString();
                    !f.isEmpty())
                    for (const std::uint32_t p : selected(f, *index))
                        byResponseFilter.insert(p);
                // The exchange type's filter: every message of that type.
                const QString byTypeFilter = cell(IkeExchangeModel::ColExchange, CellRole::Filter).toString();
                QCOMPARE(qint64(selected(byTypeFilter, *index).size()),
                         byType[type + QStringLiteral(" request")].toInteger() +
                             byType[type + QStringLiteral(" response")].toInteger());
            }
        }
        // tshark's counts of the capture, per type and in total.
        QCOMPARE(retransmissions, ike[QStringLiteral("retransmissions")].toInt());
        for (auto it = byType.begin(); it != byType.end(); ++it) {
            const QString type = it.key().section(QLatin1Char(' '), 0, 0);
            const bool response = it.key().endsWith(QLatin1String("response"));
            QCOMPARE((response ? responses : requests)[type], it.value().toInt());
        }
        // Each IKE message under exactly one exchange's filter; requests and responses apart.
        QCOMPARE(qint64(byMessageFilter.size()), ike[QStringLiteral("total")].toInteger());
        QCOMPARE(std::set<std::uint32_t>(byMessageFilter.begin(), byMessageFilter.end()).size(),
                 byMessageFilter.size());
        qint64 requestTotal = 0, responseTotal = 0;
        for (auto it = byType.begin(); it != byType.end(); ++it)
            (it.key().endsWith(QLatin1String("response")) ? responseTotal : requestTotal) +=
                it.value().toInteger();
        QCOMPARE(qint64(byRequestFilter.size()), requestTotal);
        QCOMPARE(qint64(byResponseFilter.size()), responseTotal);
        // charon gave up once (the IKE_AUTH whose fragments the path dropped).
        QCOMPARE(gaveUp,
                 verify[QStringLiteral("charon_log")][QStringLiteral("left")][QStringLiteral("giving_up")]
                     .toInt());
        QCOMPARE(rows, 4); // two IKE SAs: IKE_SA_INIT + IKE_AUTH each
        model.setData({}, {}, 0);
        QCOMPARE(model.rowCount(), 0);
    }

    // The Time column follows View ▸ Time Display, with the unit or zone in its title; in UTC
    // the row's request time is its packet's capture time as a date.
    void timeFollowsTheTimeDisplay()
    {
        QString error;
        std::shared_ptr<const CaptureIndex> index(loadCapture(
            labDir(QStringLiteral("ike-frag-drop")) + QStringLiteral("/left-outer.pcap"), &error));
        QVERIFY2(index, qPrintable(error));
        auto analysis = std::make_shared<const CaptureAnalysis>(analyzeCapture(*index));
        IkeExchangeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setData(index, analysis, 0);
        QVERIFY(model.rowCount() > 0);
        TimeDisplayChoice &choice = TimeDisplayChoice::instance();
        const TimeDisplay before = choice.mode();
        choice.setMode(TimeDisplay::SinceStart);
        QCOMPARE(model.headerData(IkeExchangeModel::ColTime, Qt::Horizontal).toString(),
                 QStringLiteral("Time (s since start)"));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        choice.setMode(TimeDisplay::Utc);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.headerData(IkeExchangeModel::ColTime, Qt::Horizontal).toString(),
                 QStringLiteral("Time (UTC)"));
        const quint64 packet = model.index(0, IkeExchangeModel::ColTime).data(CellRole::Packet).toULongLong();
        const QString date = QDateTime::fromMSecsSinceEpoch(index->packets[packet].tsNs / 1'000'000, Qt::UTC)
                                 .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"));
        QVERIFY2(model.index(0, IkeExchangeModel::ColTime).data().toString().startsWith(date),
                 qPrintable(model.index(0, IkeExchangeModel::ColTime).data().toString() +
                            QStringLiteral(" vs ") + date));
        choice.setMode(before);
    }
};

QTEST_MAIN(TstIkeExchangeModel)
#include "tst_ikeexchangemodel.moc"
