// ESP per outer direction and "the worst SA" (core/analyze/espdirections): what the Overview's
// table and the PDF show. Expected numbers come from the lab's own records: verify.json (the
// lab's tshark-based per-SPI counts at each capture point) and the receiving kernel's
// `ip xfrm state` replay counters in stats/.
#include "analyze/espdirections.h"
#include "labdata.h"
#include "session/investigation.h"
#include "util/textformat.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace ikev2wb;
using ikev2wb::testdata::labDir;
using ikev2wb::testdata::readJson;

namespace {

/// verify.json's per-SPI record of one capture ("0xc8b78eba" → {src, dst, packets, ...}).
QJsonObject verifiedSpis(const QString &scenario, const QString &capture)
{
    return readJson(labDir(scenario) + QStringLiteral("/verify.json"))
        .value(QStringLiteral("captures"))
        .toObject()
        .value(capture)
        .toObject()
        .value(QStringLiteral("esp_by_spi"))
        .toObject();
}

/// The receiving kernel's inbound SA with a replay window: (window, packets it dropped as too old
/// between the start and the end snapshot), from `ip xfrm state -s` in stats/.
std::pair<int, qint64> kernelReplay(const QString &scenario, const QString &host)
{
    const auto read = [&](const QString &when) {
        QFile f(labDir(scenario) + QStringLiteral("/stats/%1-xfrm-state-%2.txt").arg(host, when));
        std::pair<int, qint64> out{-1, -1};
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return out;
        static const QRegularExpression cfg(QStringLiteral("\\n\\s*replay-window (\\d+) seq"));
        static const QRegularExpression stats(QStringLiteral("stats:\\s*\\n\\s*replay-window (\\d+) replay"));
        for (const QString &b :
             QString::fromUtf8(f.readAll())
                 .split(QRegularExpression(QStringLiteral("^src "), QRegularExpression::MultilineOption))) {
            const auto c = cfg.match(b);
            const auto s = stats.match(b);
            if (c.hasMatch() && s.hasMatch() && c.captured(1).toInt() > 0)
                out = {c.captured(1).toInt(), s.captured(1).toLongLong()};
        }
        return out;
    };
    const auto start = read(QStringLiteral("start"));
    const auto end = read(QStringLiteral("end"));
    return {end.first, end.second - start.second};
}

const EspDirectionTotals *direction(const EspDirections &d, const QString &src, const QString &dst)
{
    for (const EspDirectionTotals &t : d.directions)
        if (addressText(t.src) == src && addressText(t.dst) == dst) return &t;
    return nullptr;
}

} // namespace

class TestEspDirections : public QObject
{
    Q_OBJECT
private slots:
    /// loss1 at the receiver (right-outer): verify.json counts 5937 packets of 0xc8b78eba
    /// 10.0.1.1 → 10.0.2.1 with 58 numbers missing, 810 of 0xc1522098 the other way, none missing.
    void totalsMatchTheLabsCount()
    {
        const auto ix = testdata::loadTestCapture(QStringLiteral("lab/loss1/right-outer.pcap"));
        QVERIFY(ix);
        const CaptureAnalysis an = analyzeCapture(*ix);
        const QJsonObject spis = verifiedSpis(QStringLiteral("loss1"), QStringLiteral("right-outer.pcap"));
        QCOMPARE(spis.size(), 2);
        const EspDirections d = espDirections(*ix, &an, 32);
        QCOMPARE(d.directions.size(), std::size_t(2));
        for (auto it = spis.begin(); it != spis.end(); ++it) {
            const QJsonObject v = it.value().toObject();
            const EspDirectionTotals *t = direction(d, v.value(QStringLiteral("src")).toString(),
                                                    v.value(QStringLiteral("dst")).toString());
            QVERIFY2(t, qPrintable(it.key()));
            QVERIFY(t->analysed);
            QCOMPARE(t->spis.size(), std::size_t(1));
            QCOMPARE(spiText(t->spis.front()), it.key());
            QCOMPARE(qint64(t->packets), qint64(v.value(QStringLiteral("packets")).toInt()));
            QCOMPARE(qint64(t->missing), qint64(v.value(QStringLiteral("missing_in_range")).toInt()));
            QCOMPARE(qint64(t->duplicates), qint64(v.value(QStringLiteral("duplicates")).toInt()));
            QCOMPARE(int(t->maxOuter), v.value(QStringLiteral("max_iplen")).toInt());
            QCOMPARE(t->replayDrops, std::optional<std::uint64_t>(0)); // no reordering: nothing dropped
        }
        // The loss rate of the lossy direction: 58 of the 5995 the sender numbered, in percent.
        const EspDirectionTotals *lossy =
            direction(d, QStringLiteral("10.0.1.1"), QStringLiteral("10.0.2.1"));
        QVERIFY(lossy);
        QCOMPARE(lossy->lossPercent(), 100.0 * 58 / 5995);
        // The worst SA, of the capture and of that direction: the one with the missing numbers.
        QVERIFY(d.worstSa >= 0);
        QCOMPARE(spiText(ix->espSas[std::size_t(d.worstSa)].spi), QStringLiteral("0xc8b78eba"));
        QCOMPARE(lossy->worstSa, d.worstSa);
        QCOMPARE(worstEspSa(*ix, &an), d.worstSa);
    }

    /// Without an analysis: packets and sizes only, the drops unknown, the busiest SA the worst.
    /// reorder-antireplay's right-outer: 4009 of 0xcd95a8a5 against 3116 of 0xcd93565c.
    void withoutAnalysisTheBusiestIsWorst()
    {
        const auto ix = testdata::loadTestCapture(QStringLiteral("lab/reorder-antireplay/right-outer.pcap"));
        QVERIFY(ix);
        const EspDirections d = espDirections(*ix, nullptr, 32);
        QCOMPARE(d.directions.size(), std::size_t(2));
        for (const EspDirectionTotals &t : d.directions) {
            QVERIFY(!t.analysed);
            QVERIFY(!t.replayDrops);
        }
        QCOMPARE(spiText(ix->espSas[std::size_t(d.worstSa)].spi), QStringLiteral("0xcd95a8a5"));
        const auto *t = direction(d, QStringLiteral("10.0.1.1"), QStringLiteral("10.0.2.1"));
        QVERIFY(t);
        QCOMPARE(qint64(t->packets), qint64(4009));
    }

    /// The receiving kernel (right, window 16) dropped 25 packets as too old: a window the
    /// analysis does not emulate (32…4096), so espDirections() runs its own pass with it. The
    /// window 0 turns the check off; without the extra pass the count stays unknown.
    void dropsOfTheReceiversWindow()
    {
        const auto [window, kernelDrops] =
            kernelReplay(QStringLiteral("reorder-antireplay"), QStringLiteral("right"));
        QCOMPARE(window, 16);
        QCOMPARE(kernelDrops, qint64(25));
        const auto ix = testdata::loadTestCapture(QStringLiteral("lab/reorder-antireplay/right-outer.pcap"));
        QVERIFY(ix);
        const CaptureAnalysis an = analyzeCapture(*ix);
        const auto dropsInto = [&](const EspDirections &d) {
            const auto *t = direction(d, QStringLiteral("10.0.1.1"), QStringLiteral("10.0.2.1"));
            return t ? t->replayDrops : std::optional<std::uint64_t>(999999);
        };
        QCOMPARE(dropsInto(espDirections(*ix, &an, std::uint32_t(window))),
                 std::optional<std::uint64_t>(std::uint64_t(kernelDrops)));
        QCOMPARE(dropsInto(espDirections(*ix, &an, 0)), std::optional<std::uint64_t>(0));
        QVERIFY(!dropsInto(espDirections(*ix, &an, std::uint32_t(window), false)));
        // The other direction had no reordering: 0 at any window.
        const EspDirections at16 = espDirections(*ix, &an, 16); // outlives the pointer into it
        const auto *back = direction(at16, QStringLiteral("10.0.2.1"), QStringLiteral("10.0.1.1"));
        QVERIFY(back);
        QCOMPARE(back->replayDrops, std::optional<std::uint64_t>(0));
    }

    /// The investigation computes them once, with the diagnosis, for the window it judged by.
    void investigationUsesTheDiagnosisWindow()
    {
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/right-outer.pcap");
        files.assumptions.replayWindow = 16;
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseFiles(files, inv, &error), qPrintable(error));
        QCOMPARE(inv.diagnosis().basis.replayWindow, 16u);
        const EspDirections &d = inv.espDirections(Host::A);
        QCOMPARE(d.replayWindow, 16u);
        const auto *t = direction(d, QStringLiteral("10.0.1.1"), QStringLiteral("10.0.2.1"));
        QVERIFY(t);
        QCOMPARE(t->replayDrops, std::optional<std::uint64_t>(25)); // the kernel's count (stats/)
        QVERIFY(inv.espDirections(Host::B).directions.empty());     // no peer capture
    }
};

QTEST_GUILESS_MAIN(TestEspDirections)
#include "tst_espdirections.moc"
