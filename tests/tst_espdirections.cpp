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
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <set>

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

/// The ESP sequence numbers per SPI of a classic little-endian Ethernet pcap, in file order,
/// decoded by hand here (Ethernet II → IPv4 → protocol 50: SPI and sequence number).
std::map<std::uint32_t, std::vector<std::uint32_t>> espSequences(const QString &path)
{
    std::map<std::uint32_t, std::vector<std::uint32_t>> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return out;
    const QByteArray all = f.readAll();
    const auto *b = reinterpret_cast<const unsigned char *>(all.constData());
    const auto le32 = [&](qsizetype o) {
        return std::uint32_t(b[o]) | std::uint32_t(b[o + 1]) << 8 | std::uint32_t(b[o + 2]) << 16 |
               std::uint32_t(b[o + 3]) << 24;
    };
    const auto be32 = [&](qsizetype o) {
        return std::uint32_t(b[o]) << 24 | std::uint32_t(b[o + 1]) << 16 | std::uint32_t(b[o + 2]) << 8 |
               std::uint32_t(b[o + 3]);
    };
    if (all.size() < 24 || le32(0) != 0xa1b2c3d4u || le32(20) != 1) return out; // µs pcap, Ethernet
    for (qsizetype o = 24; o + 16 <= all.size();) {
        const qsizetype caplen = qsizetype(le32(o + 8)), p = o + 16;
        o = p + caplen;
        if (o > all.size() || caplen < 14 + 20 + 8 || b[p + 12] != 0x08 || b[p + 13] != 0x00) continue;
        const qsizetype ihl = (b[p + 14] & 0x0f) * 4;
        if (b[p + 14 + 9] != 50 || caplen < 14 + ihl + 8) continue;
        out[be32(p + 14 + ihl)].push_back(be32(p + 14 + ihl + 4));
    }
    return out;
}

/// RFC 4303 §3.4.3 receiver window of `window` packets fed `seqs` in arrival order: the packets
/// it drops as older than the window, not counting numbers seen before (capture duplicates).
std::uint64_t rfc4303Drops(const std::vector<std::uint32_t> &seqs, std::uint32_t window)
{
    std::uint64_t top = 0, drops = 0;
    std::set<std::uint64_t> seen;
    for (const std::uint32_t s : seqs) {
        const bool first = seen.insert(s).second;
        if (s > top)
            top = s;
        else if (top - s >= window && first)
            ++drops;
    }
    return drops;
}

/// One host's `ip xfrm state` with its inbound SA (`inSpi` from `peer`, window `window`) and its
/// outbound one: enough for the diagnosis to tell the host by its addresses and read its window.
QByteArray xfrmState(const QString &self, const QString &peer, std::uint32_t inSpi, std::uint32_t outSpi,
                     std::uint32_t window)
{
    const auto sa = [](const QString &src, const QString &dst, std::uint32_t spi, std::uint32_t w,
                       const QString &context) {
        return QStringLiteral("src %1 dst %2\n\tproto esp spi 0x%3(%4) reqid 1(0x00000001) mode tunnel\n"
                              "\treplay-window %5 seq 0x00000000 flag af-unspec (0x00100000)\n"
                              "\tanti-replay context: %6\n")
            .arg(src, dst, QStringLiteral("%1").arg(spi, 8, 16, QLatin1Char('0')))
            .arg(spi)
            .arg(w)
            .arg(context);
    };
    return (sa(peer, self, inSpi, window, QStringLiteral("seq 0x100, oseq 0x0, bitmap 0x0000ffff")) +
            sa(self, peer, outSpi, 0, QStringLiteral("seq 0x0, oseq 0x100, bitmap 0x00000000")))
        .toUtf8();
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
    /// analysis does not emulate (32…4096). Without ESN the SA's reordering lags give it, with
    /// or without a pass over the records (`emulateMissing`). The window 0 turns the check off.
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
        QCOMPARE(dropsInto(espDirections(*ix, &an, std::uint32_t(window), false)),
                 std::optional<std::uint64_t>(std::uint64_t(kernelDrops)));
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

    /// A pair judges each direction with its RECEIVING host's window. reorder-two-windows
    /// reorders both ways; hand-built `ip xfrm state` gives right (receiving 10.0.1.1 → 10.0.2.1)
    /// a window of 24 and left (receiving 10.0.2.1 → 10.0.1.1) one of 8, sizes the analysis does
    /// not emulate. Expected drops: the RFC 4303 window run here on the sequence numbers decoded
    /// here from the receiver's capture (the same arithmetic reproduces right's kernel counter at
    /// its real window 16: 1636).
    void eachDirectionWithItsReceiversWindow()
    {
        const QString dir = labDir(QStringLiteral("reorder-two-windows"));
        const auto atLeft = espSequences(dir + QStringLiteral("/left-outer.pcap"));
        const auto atRight = espSequences(dir + QStringLiteral("/right-outer.pcap"));
        const std::uint32_t toRight = 0xc5641fa5, toLeft = 0xce25694c; // stats/*-xfrm-state-end.txt
        QVERIFY(atRight.count(toRight) && atLeft.count(toLeft));
        QCOMPARE(rfc4303Drops(atRight.at(toRight), 16), std::uint64_t(1636)); // right's XfrmInStateSeqError
        const std::uint64_t rightDrops = rfc4303Drops(atRight.at(toRight), 24);
        const std::uint64_t leftDrops = rfc4303Drops(atLeft.at(toLeft), 8);
        // Swapping the windows would change both numbers: the test tells them apart.
        QVERIFY(leftDrops > 0 && rightDrops > 0);
        QVERIFY(rfc4303Drops(atRight.at(toRight), 8) != rightDrops);
        QVERIFY(rfc4303Drops(atLeft.at(toLeft), 24) != leftDrops);

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const auto write = [&](const QString &name, const QByteArray &text) {
            QFile f(tmp.filePath(name));
            return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
        };
        QVERIFY(
            write(QStringLiteral("right-xfrm-state.txt"),
                  xfrmState(QStringLiteral("10.0.2.1"), QStringLiteral("10.0.1.1"), toRight, toLeft, 24)));
        QVERIFY(write(QStringLiteral("left-xfrm-state.txt"),
                      xfrmState(QStringLiteral("10.0.1.1"), QStringLiteral("10.0.2.1"), toLeft, toRight, 8)));
        DiagnosisFiles files;
        files.captureA = dir + QStringLiteral("/left-outer.pcap");
        files.captureB = dir + QStringLiteral("/right-outer.pcap");
        files.evidence = {tmp.path()};
        Investigation inv;
        QString error;
        QVERIFY2(diagnoseFiles(files, inv, &error), qPrintable(error));

        // The diagnosis: one entry per direction, each with its receiver's window and source.
        const auto &windows = inv.diagnosis().basis.replayWindows;
        QCOMPARE(windows.size(), std::size_t(2));
        for (const DirectionReplayWindow &w : windows) {
            const bool intoRight = w.to == QLatin1String("10.0.2.1");
            QCOMPARE(w.window, intoRight ? 24u : 8u);
            QVERIFY(!w.assumed);
            QVERIFY2(w.basis.contains(intoRight ? QStringLiteral("host 'right' (10.0.2.1): 24")
                                                : QStringLiteral("host 'left' (10.0.1.1): 8")),
                     qPrintable(w.basis));
            QVERIFY(w.emulated);
            QCOMPARE(w.drops, intoRight ? rightDrops : leftDrops);
        }
        // The totals each capture's Overview shows: the same windows, the receiver's drops.
        const auto *intoRight =
            direction(inv.espDirections(Host::B), QStringLiteral("10.0.1.1"), QStringLiteral("10.0.2.1"));
        const auto *intoLeft =
            direction(inv.espDirections(Host::A), QStringLiteral("10.0.2.1"), QStringLiteral("10.0.1.1"));
        QVERIFY(intoRight && intoLeft);
        QCOMPARE(intoRight->replayWindow, 24u);
        QCOMPARE(intoRight->replayDrops, std::optional<std::uint64_t>(rightDrops));
        QCOMPARE(intoLeft->replayWindow, 8u);
        QCOMPARE(intoLeft->replayDrops, std::optional<std::uint64_t>(leftDrops));
        QVERIFY(intoLeft->replayWindowBasis.contains(QStringLiteral("host 'left'")));
        // The sender's copy of a direction is judged with the same receiver's window.
        const auto *sentRight =
            direction(inv.espDirections(Host::A), QStringLiteral("10.0.1.1"), QStringLiteral("10.0.2.1"));
        QVERIFY(sentRight);
        QCOMPARE(sentRight->replayWindow, 24u);
        QCOMPARE(sentRight->replayDrops, std::optional<std::uint64_t>(rfc4303Drops(atLeft.at(toRight), 24)));
        // The notes say where each window came from.
        QVERIFY(inv.diagnosis().notes.contains(QStringLiteral(
            "receiver replay window of 10.0.2.1 → 10.0.1.1 read from ip xfrm state (0xce25694c) of host "
            "'left' (10.0.1.1): 8")));
    }
};

QTEST_GUILESS_MAIN(TestEspDirections)
#include "tst_espdirections.moc"
