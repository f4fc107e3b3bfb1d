// `diagnose` without per-packet records (the CLI's: DiagnosisFiles::contents TablesOnly): the
// captures are analysed and compared during their one read, which also notes what the diagnosis
// takes from single packets (the packet number a finding cites: the MTU analysis' and the
// comparison's candidates; the reordering lags a replay window no analysis emulated is judged
// by; the ESP lengths of the suite estimate). Its diagnosis must be the one made from indexes
// with records: checked on every committed capture and every lab pair (committed, and the lab's
// own runs in /var/tmp/ikev2-lab/out when present), with the default window and with a window of
// 16 (not emulated), with and without the lab's host evidence.
#include "diagnose/facts.h"
#include "index/indexbuilder.h"
#include "report/diagnosisreport.h"
#include "session/investigation.h"
#include "util/textformat.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QtTest>

using namespace ikev2wb;

namespace {

QStringList capturesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, {QStringLiteral("*.pcap"), QStringLiteral("*.pcapng"), QStringLiteral("*.cap")},
                    QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << it.next();
    out.sort();
    return out;
}

/// Folders holding a lab pair (left-outer.pcap and right-outer.pcap).
QStringList labPairs()
{
    QStringList out;
    for (const QString &root :
         {QStringLiteral(IKEV2WB_TEST_DATA "/lab"), QStringLiteral("/var/tmp/ikev2-lab/out")}) {
        const QDir d(root);
        for (const QString &sub : d.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            if (QFileInfo::exists(d.filePath(sub + QStringLiteral("/left-outer.pcap"))) &&
                QFileInfo::exists(d.filePath(sub + QStringLiteral("/right-outer.pcap"))))
                out << d.filePath(sub);
    }
    return out;
}

/// The per-direction ESP totals the views show, as text (every field, drops included).
QString describe(const EspDirections &e)
{
    QString s = QStringLiteral("window %1 worst %2\n").arg(e.replayWindow).arg(e.worstSa);
    for (const EspDirectionTotals &d : e.directions) {
        s += QStringLiteral("%1>%2 packets %3 max %4 missing %5 unique %6 reordered %7 dup %8 window %9 %10 "
                            "worst %11 drops %12 sas")
                 .arg(addressText(d.src), addressText(d.dst))
                 .arg(d.packets)
                 .arg(d.maxOuter)
                 .arg(d.missing)
                 .arg(d.unique)
                 .arg(d.reordered)
                 .arg(d.duplicates)
                 .arg(d.replayWindow)
                 .arg(d.replayWindowBasis)
                 .arg(d.worstSa)
                 .arg(d.replayDrops ? QString::number(*d.replayDrops) : QStringLiteral("unknown"));
        for (const std::size_t i : d.sas)
            s += QStringLiteral(" %1").arg(i);
        s += QLatin1Char('\n');
    }
    return s;
}

struct Diagnosed
{
    QString json, text, directions[2];
    EvidenceRef delivered;
    std::uint64_t emulatedDrops = 0;
    bool records[2] = {false, false};
};

Diagnosed diagnoseWith(DiagnosisFiles files, IndexContents contents)
{
    files.contents = contents;
    Investigation inv;
    QString error;
    Diagnosed d;
    if (!diagnoseFiles(files, inv, &error)) {
        d.json = QStringLiteral("unreadable: ") + error;
        return d;
    }
    d.json = QString::fromStdString(diagnosisJson(inv.diagnosis()));
    d.text = diagnosisText(inv.diagnosis());
    for (const Host h : {Host::A, Host::B}) {
        d.directions[int(h)] = describe(inv.espDirections(h));
        d.records[int(h)] = inv.index(h) && inv.index(h)->packetsNotKept == 0;
    }
    d.delivered = inv.facts().deliveredRef;
    d.emulatedDrops = inv.facts().emulatedReplayDrops.value;
    for (const DirectionReplayWindow &w : inv.facts().replayWindows)
        d.emulatedDrops += w.drops;
    return d;
}

} // namespace

class TestDiagnoseDuringRead : public QObject
{
    Q_OBJECT
private:
    int m_withoutRecords = 0; // diagnoses whose captures kept no records (the path under test)
    int m_window16Drops = 0;  // of them, with window 16 and drops found by the extra pass

    /// `files` diagnosed with and without records: the same diagnosis, directions and citation.
    void same(const DiagnosisFiles &files, const QString &what)
    {
        const Diagnosed withRecords = diagnoseWith(files, IndexContents::Records);
        const Diagnosed without = diagnoseWith(files, IndexContents::TablesOnly);
        QVERIFY2(withRecords.records[0], qPrintable(what));
        QVERIFY2(without.json == withRecords.json, qPrintable(what));
        QVERIFY2(without.text == withRecords.text, qPrintable(what));
        for (int h = 0; h < 2; ++h)
            QVERIFY2(without.directions[h] == withRecords.directions[h], qPrintable(what));
        QCOMPARE(without.delivered.packet, withRecords.delivered.packet);
        if (!without.records[0] && (files.captureB.isEmpty() || !without.records[1])) {
            ++m_withoutRecords;
            if (files.assumptions.replayWindow == 16 && without.emulatedDrops > 0) ++m_window16Drops;
        }
    }

    static DiagnosisFiles withWindow(DiagnosisFiles files, std::uint32_t window)
    {
        files.assumptions.replayWindow = window;
        files.assumptions.replayWindowFrom = QStringLiteral("command line");
        return files;
    }

private Q_SLOTS:
    void everyCommittedCaptureAlone()
    {
        const QStringList captures = capturesUnder(QStringLiteral(IKEV2WB_TEST_DATA));
        QVERIFY(captures.size() >= 100);
        m_withoutRecords = 0;
        for (const QString &path : captures) {
            DiagnosisFiles files;
            files.captureA = QStringList{path};
            same(files, path);
            same(withWindow(files, 16), path + QStringLiteral(" (window 16)"));
        }
        // Most are read once without records; a few must be read again with them (clock steps).
        QVERIFY2(m_withoutRecords >= captures.size(), qPrintable(QString::number(m_withoutRecords)));
    }

    void everyLabPair()
    {
        const QStringList pairs = labPairs();
        QVERIFY(pairs.size() >= 10);
        m_withoutRecords = m_window16Drops = 0;
        int cited = 0;
        for (const QString &dir : pairs) {
            const QDir d(dir);
            DiagnosisFiles files;
            files.captureA = QStringList{d.filePath(QStringLiteral("left-outer.pcap"))};
            files.captureB = QStringList{d.filePath(QStringLiteral("right-outer.pcap"))};
            same(files, dir);
            same(withWindow(files, 16), dir + QStringLiteral(" (window 16)"));
            // The host evidence gives each direction its receiver's window (ip xfrm state).
            DiagnosisFiles evidence = files;
            for (const QString &f : d.entryList({QStringLiteral("charon-left.log")}, QDir::Files))
                evidence.evidenceA << d.filePath(f);
            for (const QString &f : d.entryList({QStringLiteral("charon-right.log")}, QDir::Files))
                evidence.evidenceB << d.filePath(f);
            const QDir stats(d.filePath(QStringLiteral("stats")));
            for (const QString &f : stats.entryList({QStringLiteral("left-*")}, QDir::Files))
                evidence.evidenceA << stats.filePath(f);
            for (const QString &f : stats.entryList({QStringLiteral("right-*")}, QDir::Files))
                evidence.evidenceB << stats.filePath(f);
            if (!evidence.evidenceA.isEmpty() || !evidence.evidenceB.isEmpty())
                same(evidence, dir + QStringLiteral(" (evidence)"));

            // The packet the path-MTU finding cites, noted during the read without records: the
            // ESP packet of that SPI at that time in the capture's records.
            const Diagnosed without = diagnoseWith(files, IndexContents::TablesOnly);
            const EvidenceRef &r = without.delivered;
            if (r.packet <= 0) continue;
            QString error;
            const auto ix = loadCapture(
                r.source == QLatin1String("left-outer.pcap") ? files.captureA : files.captureB, &error);
            QVERIFY2(ix, qPrintable(error));
            const PacketRecord &p = ix->packets[std::size_t(r.packet - 1)];
            QVERIFY2(p.isEsp() && p.spi() == r.spi && p.tsNs == r.timeNs, qPrintable(dir));
            ++cited;
        }
        QVERIFY2(m_withoutRecords >= pairs.size(), qPrintable(QString::number(m_withoutRecords)));
        QVERIFY(cited >= 5);
        // Window 16 is none the analysis emulates: the drops came from the reordering lags noted
        // during the read (reorder-antireplay reorders deeper than 16).
        QVERIFY2(m_window16Drops >= 1, qPrintable(QString::number(m_window16Drops)));
    }
};

QTEST_GUILESS_MAIN(TestDiagnoseDuringRead)
#include "tst_diagnoseduringread.moc"
