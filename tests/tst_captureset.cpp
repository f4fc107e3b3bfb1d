// Several files read as ONE capture (a ring of files): lab captures split with `editcap -c` at
// test time. Splitting must not change a single per-SA fact; a piece deleted from the middle is
// "not captured between files", counted from the pieces with tshark, not transit loss; files
// given out of order, pieces of another link type, bad members of the set.
#include "analyze/analysis.h"
#include "compare/endpointcompare.h"
#include "index/captureset.h"
#include "index/indexbuilder.h"
#include "labdata.h"
#include "report/analysisreport.h"
#include "report/capturesummary.h"
#include "report/packetexport.h"
#include "session/investigation.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <pcap/pcap.h>

#include <fcntl.h>
#include <future>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

using namespace ikev2wb;
using namespace ikev2wb::testdata;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    Run r;
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit) return r;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString tool(const char *name)
{
    return QStandardPaths::findExecutable(QString::fromLatin1(name));
}

#define REQUIRE_TOOLS()                                                                                      \
    do {                                                                                                     \
        if (tool("editcap").isEmpty() || tool("tshark").isEmpty())                                           \
            QSKIP("editcap/tshark (wireshark-common, tshark) not installed: scripts/setup-deps.sh");         \
    } while (0)

/// `editcap -c n` of `src` into `dir`: the pieces in name order (= time order for editcap).
QStringList split(const QString &src, int n, const QString &dir)
{
    const Run r = run(tool("editcap"),
                      {QStringLiteral("-c"), QString::number(n), src, dir + QStringLiteral("/piece.pcapng")});
    if (r.exitCode != 0) return {};
    QStringList out;
    for (const QString &f : QDir(dir).entryList({QStringLiteral("piece_*")}, QDir::Files, QDir::Name))
        out << dir + QLatin1Char('/') + f;
    return out;
}

/// Turns an Ethernet capture into raw IP in place (`editcap -C 14 -T rawip`: the 14-byte
/// Ethernet headers cut off).
bool makeRawIp(const QString &piece)
{
    const QString raw = piece + QStringLiteral(".raw");
    return run(tool("editcap"), {QStringLiteral("-C"), QStringLiteral("14"), QStringLiteral("-T"),
                                 QStringLiteral("rawip"), piece, raw})
                   .exitCode == 0 &&
           QFile::remove(piece) && QFile::rename(raw, piece);
}

/// Per SPI: the ESP sequence numbers tshark reads in `file`.
std::map<QString, std::vector<std::uint64_t>> tsharkEspSeqs(const QString &file)
{
    const Run r = run(tool("tshark"),
                      {QStringLiteral("-r"), file, QStringLiteral("-Y"), QStringLiteral("esp"),
                       QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-e"),
                       QStringLiteral("esp.spi"), QStringLiteral("-e"), QStringLiteral("esp.sequence")});
    std::map<QString, std::vector<std::uint64_t>> out;
    for (const QByteArray &line : r.out.split('\n')) {
        const QList<QByteArray> f = line.trimmed().split('\t');
        if (f.size() != 2) continue;
        bool ok = false;
        const QString spi = QString::fromLatin1(f[0]).toLower();
        const std::uint64_t seq = f[1].toULongLong(&ok);
        if (ok) out[spi].push_back(seq);
    }
    return out;
}

/// The facts of one SA that splitting must not change.
struct SaFacts
{
    std::uint64_t packets, missing, reordered, duplicates, firstSeq, lastSeq, maxReorderDistance, lossBursts;
    std::vector<std::uint64_t> antiReplay;
    bool operator==(const SaFacts &) const = default;
};

struct SetFacts
{
    std::map<QString, SaFacts> sas; // by SPI and flow
    std::vector<std::tuple<std::uint8_t, std::uint32_t, bool, bool>>
        ike; // exchange, message ID, response, initiator
    std::uint64_t packets = 0, ikeMessages = 0;
    bool operator==(const SetFacts &) const = default;
};

SetFacts factsOf(const CaptureIndex &index)
{
    const CaptureAnalysis a = analyzeCapture(index);
    SetFacts f;
    f.packets = index.packetCount();
    f.ikeMessages = index.ikeMessages.size();
    for (const EspSaSequence &s : a.esp.sas) {
        const Flow &fl = index.flows[index.espSas[s.saIndex].flowId];
        SaFacts x{s.packets,  s.missing, s.reordered,          s.duplicates,
                  s.firstSeq, s.lastSeq, s.maxReorderDistance, s.lossBursts,
                  {}};
        for (const auto &o : s.antiReplay)
            x.antiReplay.push_back(o.dropped());
        f.sas[spiText(s.spi) + QString::fromStdString(" " + fl.src.toString() + ">" + fl.dst.toString())] = x;
    }
    for (const IkeMessage &m : index.ikeMessages)
        f.ike.emplace_back(m.header.exchange, m.header.messageId, m.header.isResponse(),
                           m.header.isInitiator());
    return f;
}

std::unique_ptr<CaptureIndex> load(const QStringList &paths)
{
    QString error;
    auto index = loadCapture(paths, &error);
    if (!index) qWarning("%s", qPrintable(error));
    return index;
}

QString lab(const QString &scenario, const QString &file)
{
    return labDir(scenario) + QLatin1Char('/') + file;
}

} // namespace

class TestCaptureSet final : public QObject
{
    Q_OBJECT
private slots:
    void splitEqualsWhole_data();
    void splitEqualsWhole();
    void middlePieceMissing();
    void gapFromTimeAlone();
    void ikeOutcomeInMissingFile();
    void mixedLinkTypes();
    void exportAcrossFiles();
    void ringNumbering();
    void badMembers();
    void specialFilesNotOpened();
    void percentInFileNames();
    void overlapWarns();
    void cliSyntax();
};

void TestCaptureSet::splitEqualsWhole_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("perPiece");
    // loss1: 58 lost at right; reorder-antireplay: 1022 reordered at right (tshark); rekey-loss:
    // 6 SAs over 3 rekeys, 21/22 IKE messages: exchanges continue across pieces.
    QTest::newRow("loss1 right, 1000 a piece") << "loss1"
                                               << "right-outer.pcap" << 1000;
    QTest::newRow("loss1 right, 97 a piece") << "loss1"
                                             << "right-outer.pcap" << 97;
    QTest::newRow("reorder right, 700 a piece") << "reorder-antireplay"
                                                << "right-outer.pcap" << 700;
    QTest::newRow("rekey-loss left, 100 a piece") << "rekey-loss"
                                                  << "left-outer.pcap" << 100;
    QTest::newRow("rekey-loss right, 7 a piece") << "rekey-loss"
                                                 << "right-outer.pcap" << 7;
}

void TestCaptureSet::splitEqualsWhole()
{
    QFETCH(QString, scenario);
    QFETCH(QString, file);
    QFETCH(int, perPiece);
    REQUIRE_TOOLS();
    const QString whole = lab(scenario, file);
    if (!QFile::exists(whole)) QSKIP("lab data not present");
    QTemporaryDir dir;
    const QStringList pieces = split(whole, perPiece, dir.path());
    QVERIFY(pieces.size() >= 2);

    const auto w = load({whole});
    QVERIFY(w);
    QVERIFY(!w->set.isSet());
    const SetFacts expected = factsOf(*w);

    // Given as files, as a folder, and in reverse order: the same capture.
    QStringList reversed = pieces;
    std::reverse(reversed.begin(), reversed.end());
    for (const QStringList &given : {pieces, QStringList{dir.path()}, reversed}) {
        const auto s = load(given);
        QVERIFY(s);
        QCOMPARE(s->set.files.size(), std::size_t(pieces.size()));
        QVERIFY2(s->set.gaps.empty(), qPrintable(s->set.notes.join(QLatin1Char('\n'))));
        QVERIFY(!s->partial);
        for (std::size_t i = 0; i < s->set.files.size(); ++i)
            QCOMPARE(s->set.files[i].path, pieces[qsizetype(i)]);       // by first packet, not as given
        QCOMPARE(s->set.files[1].firstPacket, std::uint64_t(perPiece)); // frame numbers continue
        const SetFacts got = factsOf(*s);
        QCOMPARE(got.packets, expected.packets);
        QCOMPARE(got.ikeMessages, expected.ikeMessages);
        QVERIFY(got.ike == expected.ike);
        QCOMPARE(got.sas.size(), expected.sas.size());
        for (const auto &[key, x] : expected.sas) {
            QVERIFY2(got.sas.count(key), qPrintable(key));
            QVERIFY2(got.sas.at(key) == x, qPrintable(key));
        }
    }

    // Absolute numbers from the lab's own count (verify.json: tshark over the same capture).
    const QJsonObject v = readJson(labDir(scenario) + QStringLiteral("/verify.json"))
                              .value(QStringLiteral("captures"))
                              .toObject()
                              .value(file)
                              .toObject();
    QVERIFY(!v.isEmpty());
    const auto s = load(pieces);
    const CaptureAnalysis a = analyzeCapture(*s);
    const QJsonObject bySpi = v.value(QStringLiteral("esp_by_spi")).toObject();
    QCOMPARE(qsizetype(a.esp.sas.size()), bySpi.size());
    for (const EspSaSequence &sa : a.esp.sas) {
        const QJsonObject t = bySpi.value(spiText(sa.spi)).toObject();
        QVERIFY2(!t.isEmpty(), qPrintable(spiText(sa.spi)));
        QCOMPARE(sa.packets, std::uint64_t(t.value(QStringLiteral("packets")).toInteger()));
        QCOMPARE(sa.missing, std::uint64_t(t.value(QStringLiteral("missing_in_range")).toInteger()));
        QCOMPARE(sa.lastSeq, std::uint64_t(t.value(QStringLiteral("seq_max")).toInteger()));
        QCOMPARE(sa.duplicates, std::uint64_t(t.value(QStringLiteral("duplicates")).toInteger()));
    }
    QCOMPARE(qint64(s->ikeMessages.size()),
             v.value(QStringLiteral("ike")).toObject().value(QStringLiteral("total")).toInteger());
}

void TestCaptureSet::middlePieceMissing()
{
    REQUIRE_TOOLS();
    const QString whole = lab(QStringLiteral("loss1"), QStringLiteral("right-outer.pcap"));
    if (!QFile::exists(whole)) QSKIP("lab data not present");
    QTemporaryDir dir;
    QStringList pieces = split(whole, 1000, dir.path());
    QCOMPARE(pieces.size(), 7); // 6781 packets (capinfos)
    // What the lab counted over the whole capture (verify.json) and tshark in the pieces.
    const QJsonObject bySpi = readJson(labDir(QStringLiteral("loss1")) + QStringLiteral("/verify.json"))
                                  .value(QStringLiteral("captures"))
                                  .toObject()
                                  .value(QStringLiteral("right-outer.pcap"))
                                  .toObject()
                                  .value(QStringLiteral("esp_by_spi"))
                                  .toObject();
    const auto before = tsharkEspSeqs(pieces[2]);
    const auto deleted = tsharkEspSeqs(pieces[3]);
    const auto after = tsharkEspSeqs(pieces[4]);
    QVERIFY(!deleted.empty());
    const QString removed = pieces.takeAt(3);
    QVERIFY(QFile::remove(removed));

    const auto s = load(pieces);
    QVERIFY(s);
    QCOMPARE(s->set.gaps.size(), std::size_t(1));
    const CaptureFileGap &g = s->set.gaps.front();
    QCOMPARE(s->set.files[g.before].path, pieces[2]);
    QCOMPARE(s->set.files[g.after].path, pieces[3]);
    QVERIFY(g.byNumbering); // piece_00002 then piece_00004
    QCOMPARE(g.missingFiles, 1);
    QVERIFY(g.byTime);
    QVERIFY(s->set.notes.join(QLatin1Char('\n')).contains(QStringLiteral("not captured between files")));

    const CaptureAnalysis a = analyzeCapture(*s);
    QCOMPARE(a.esp.sas.size(), std::size_t(2));
    for (const EspSaSequence &sa : a.esp.sas) {
        const QString spi = spiText(sa.spi);
        // The hole: from the SA's last number before it to its first after it (tshark, in the
        // neighbouring pieces; loss1 has no reordering).
        const std::uint64_t lastBefore = *std::max_element(before.at(spi).begin(), before.at(spi).end());
        const std::uint64_t firstAfter = *std::min_element(after.at(spi).begin(), after.at(spi).end());
        QCOMPARE(sa.notCaptured, firstAfter - lastBefore - 1);
        QCOMPARE(sa.notCapturedRanges.size(), std::size_t(1));
        QCOMPARE(sa.notCapturedRanges[0].first, lastBefore + 1);
        QCOMPARE(sa.notCapturedRanges[0].last, firstAfter - 1);
        // Of those, the deleted piece held deleted.at(spi).size(); the rest were lost on the path
        // inside the hole: the set's loss is the whole capture's (verify.json) without them.
        const std::uint64_t inPiece = deleted.at(spi).size();
        QVERIFY(inPiece <= sa.notCaptured);
        const std::uint64_t lostInHole = sa.notCaptured - inPiece;
        const QJsonObject t = bySpi.value(spi).toObject();
        QCOMPARE(sa.missing + lostInHole,
                 std::uint64_t(t.value(QStringLiteral("missing_in_range")).toInteger()));
        QCOMPARE(sa.packets + inPiece, std::uint64_t(t.value(QStringLiteral("packets")).toInteger()));
        for (const EspMissingRange &r : sa.missingRanges)
            QVERIFY(r.last < lastBefore || r.first > firstAfter); // no loss blamed across the hole
    }
    // The text says where and how many.
    const QString text = espSequenceText(*s, a.esp);
    QVERIFY(text.contains(QStringLiteral("not captured (a file of the set missing, not loss)")));
    QVERIFY(text.contains(QFileInfo(pieces[2]).fileName()));

    // compare: what the left sent during the hole is outside the receiver's capture, not lost.
    CompareResult whole2, holed;
    QString error;
    const QString left = lab(QStringLiteral("loss1"), QStringLiteral("left-outer.pcap"));
    QVERIFY2(compareCaptureFiles(left, whole, whole2, &error), qPrintable(error));
    QVERIFY2(compareCaptureFiles(QStringList{left}, pieces, holed, &error), qPrintable(error));
    const DirectionComparison &d = holed.directions[0]; // A→B: left → right
    const EspSaSequence &ab = a.esp.sas[0].spi == 0xc8b78ebau ? a.esp.sas[0] : a.esp.sas[1];
    QCOMPARE(ab.spi, 0xc8b78ebau); // the left→right SA (verify.json)
    QCOMPARE(std::uint64_t(d.outsideReceiverSpan.size()), ab.notCaptured);
    QCOMPARE(std::uint64_t(d.lostInTransit.size()), ab.missing);
    QCOMPARE(std::uint64_t(whole2.directions[0].lostInTransit.size()),
             std::uint64_t(bySpi.value(QStringLiteral("0xc8b78eba"))
                               .toObject()
                               .value(QStringLiteral("missing_in_range"))
                               .toInteger()));
    QVERIFY(holed.side[1].set.isSet());
    QCOMPARE(holed.side[1].set.gaps.size(), std::size_t(1));

    // diagnose: the same transit-loss figure as the comparison, and a note saying how many
    // were not captured between which files.
    Investigation inv;
    DiagnosisFiles files;
    files.captureA = left;
    files.captureB = pieces;
    QVERIFY2(diagnoseFiles(files, inv, &error), qPrintable(error));
    const QString notes = inv.diagnosis().notes.join(QLatin1Char('\n'));
    std::uint64_t notCaptured = 0;
    for (const EspSaSequence &sa : a.esp.sas)
        notCaptured += sa.notCaptured;
    QVERIFY2(notes.contains(QStringLiteral("%1 ESP sequence numbers not captured between files %2 and %3")
                                .arg(notCaptured)
                                .arg(QFileInfo(pieces[2]).fileName(), QFileInfo(pieces[3]).fileName())),
             qPrintable(notes));
}

void TestCaptureSet::gapFromTimeAlone()
{
    // Names without a ring number, given in reverse: the hole is found from time alone.
    REQUIRE_TOOLS();
    const QString whole = lab(QStringLiteral("loss1"), QStringLiteral("right-outer.pcap"));
    if (!QFile::exists(whole)) QSKIP("lab data not present");
    QTemporaryDir dir;
    const QStringList pieces = split(whole, 1000, dir.path());
    QCOMPARE(pieces.size(), 7);
    QStringList renamed;
    const QString names = QStringLiteral("gfedcba");
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        if (i == 3) {
            QVERIFY(QFile::remove(pieces[i]));
            continue;
        }
        const QString to = dir.filePath(names.mid(i, 1) + QStringLiteral("-x.pcapng"));
        QVERIFY(QFile::rename(pieces[i], to));
        renamed.prepend(to);
    }
    const auto s = load(renamed);
    QVERIFY(s);
    QCOMPARE(s->set.gaps.size(), std::size_t(1));
    QVERIFY(!s->set.gaps[0].byNumbering);
    QCOMPARE(s->set.gaps[0].missingFiles, -1);
    QVERIFY(s->set.gaps[0].byTime);
    QCOMPARE(QFileInfo(s->set.files[s->set.gaps[0].before].path).fileName(), QStringLiteral("e-x.pcapng"));
    const CaptureAnalysis a = analyzeCapture(*s);
    std::uint64_t notCaptured = 0;
    for (const auto &sa : a.esp.sas)
        notCaptured += sa.notCaptured;
    QVERIFY(notCaptured >= 1000);
}

void TestCaptureSet::ikeOutcomeInMissingFile()
{
    // rekey-loss, left side: a CREATE_CHILD_SA request (message ID 2) is sent four times before
    // its response comes (tshark). The set keeps its first two sends and loses the file holding
    // the other two and the response: its outcome is in the hole, not "unanswered".
    REQUIRE_TOOLS();
    const QString whole = lab(QStringLiteral("rekey-loss"), QStringLiteral("left-outer.pcap"));
    if (!QFile::exists(whole)) QSKIP("lab data not present");
    const Run t = run(tool("tshark"), {QStringLiteral("-r"), whole, QStringLiteral("-Y"),
                                       QStringLiteral("isakmp.exchangetype == 36 && isakmp.messageid == 2"),
                                       QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-e"),
                                       QStringLiteral("frame.number"), QStringLiteral("-e"),
                                       QStringLiteral("isakmp.flag_r")});
    QCOMPARE(t.exitCode, 0);
    std::vector<int> requests, responses;
    for (const QByteArray &line : t.out.split('\n')) {
        const QList<QByteArray> f = line.trimmed().split('\t');
        if (f.size() != 2) continue;
        (f[1].trimmed() == "1" || f[1].trimmed() == "True" ? responses : requests).push_back(f[0].toInt());
    }
    QCOMPARE(requests.size(), std::size_t(4));
    QCOMPARE(responses.size(), std::size_t(1));
    const int kept = requests[1]; // file 0 ends with the second send
    const int resumeAt = responses[0] + 100;
    QTemporaryDir dir;
    const QString p0 = dir.filePath(QStringLiteral("piece_00000.pcap"));
    const QString p1 = dir.filePath(QStringLiteral("piece_00001.pcap"));
    const QString p2 = dir.filePath(QStringLiteral("piece_00002.pcap"));
    QCOMPARE(
        run(tool("editcap"), {QStringLiteral("-r"), whole, p0, QStringLiteral("1-%1").arg(kept)}).exitCode,
        0);
    QCOMPARE(
        run(tool("editcap"), {QStringLiteral("-r"), whole, p2, QStringLiteral("%1-100000").arg(resumeAt)})
            .exitCode,
        0);
    QVERIFY(!QFile::exists(p1)); // never written: the missing file

    const auto wholeIndex = load({whole});
    const auto s = load({p0, p2});
    QVERIFY(wholeIndex && s);
    QCOMPARE(s->set.gaps.size(), std::size_t(1));
    const CaptureAnalysis aw = analyzeCapture(*wholeIndex);
    const CaptureAnalysis as = analyzeCapture(*s);
    auto find = [](const CaptureAnalysis &a) -> const IkeExchange * {
        for (const IkeSaExchanges &sa : a.ike.ikeSas)
            for (const IkeExchange &e : sa.exchanges)
                if (e.exchange == 36 && e.messageId == 2) return &e;
        return nullptr;
    };
    const IkeExchange *ew = find(aw);
    const IkeExchange *es = find(as);
    QVERIFY(ew && es);
    QVERIFY(ew->answered);
    QCOMPARE(ew->retransmissions.size(), requests.size() - 1);
    QCOMPARE(ew->fileGap, -1);
    QVERIFY(!es->answered);
    QCOMPARE(es->retransmissions.size(), std::size_t(1)); // the sends file 0 holds, minus the first
    QCOMPARE(es->fileGap, 0);
    QVERIFY(es->outcomeNotCaptured);
    QVERIFY(!es->gaveUp);
    // Not unanswered: the whole capture has no unanswered request (tshark: the response above),
    // and the hole adds none.
    QCOMPARE(aw.ike.summary.unanswered, 0u);
    QCOMPARE(as.ike.summary.unanswered, 0u);
    QCOMPARE(as.ike.summary.inFileGap, 1u);
    QVERIFY(ikeExchangesText(*s, as.ike).contains(QStringLiteral("outcome falls in the hole between files")));

    // The diagnosis does not take it as an unanswered request and says where it went.
    Investigation inv;
    DiagnosisFiles files;
    files.captureA = QStringList{p0, p2};
    QString error;
    QVERIFY2(diagnoseFiles(files, inv, &error), qPrintable(error));
    QCOMPARE(inv.facts().unansweredRequests.size(), std::size_t(0));
    const QString notes = inv.diagnosis().notes.join(QLatin1Char('\n'));
    QVERIFY2(notes.contains(QStringLiteral("1 IKE request(s) have their response or outcome in it")),
             qPrintable(notes));
}

void TestCaptureSet::mixedLinkTypes()
{
    // One piece turned into raw IP (its 14-byte Ethernet headers cut off): the set reads each
    // file with its own link type and every fact stays the whole file's.
    REQUIRE_TOOLS();
    const QString whole = lab(QStringLiteral("rekey-loss"), QStringLiteral("right-outer.pcap"));
    if (!QFile::exists(whole)) QSKIP("lab data not present");
    QTemporaryDir dir;
    const QStringList pieces = split(whole, 300, dir.path());
    QVERIFY(pieces.size() >= 4);
    QVERIFY(makeRawIp(pieces[2]));
    const auto w = load({whole});
    const auto s = load({dir.path()});
    QVERIFY(w && s);
    QCOMPARE(s->set.files[0].linkType, DLT_EN10MB);
    QCOMPARE(s->set.files[2].linkType, DLT_RAW);
    QVERIFY(s->file.linkTypeName.contains(QStringLiteral(" + ")));
    QVERIFY(s->set.gaps.empty());
    QVERIFY(factsOf(*s) == factsOf(*w));
}

void TestCaptureSet::exportAcrossFiles()
{
    // Packets chosen across the files of a set (one piece raw IP) are written with their own link
    // types; tshark reads the same ESP packets (SPI, sequence number, time) in the new file as in
    // the whole capture at those frame numbers.
    REQUIRE_TOOLS();
    const QString whole = lab(QStringLiteral("rekey-loss"), QStringLiteral("right-outer.pcap"));
    if (!QFile::exists(whole)) QSKIP("lab data not present");
    QTemporaryDir dir;
    const QStringList pieces = split(whole, 300, dir.path());
    QVERIFY(pieces.size() >= 4);
    QVERIFY(makeRawIp(pieces[1]));
    const auto s = load(pieces);
    QVERIFY(s);
    QStringList sources;
    for (const CaptureSetFile &f : s->set.files)
        sources << f.path;
    const std::vector<std::uint64_t> frames{1, 299, 300, 301, 450, 600, 601, 1000, 1390};
    const QString out = dir.filePath(QStringLiteral("export.pcapng"));
    PacketExportResult r;
    QString error;
    QVERIFY2(exportPackets(sources, frames, out, &r, &error), qPrintable(error));
    QCOMPARE(r.written, std::uint64_t(frames.size()));
    QVERIFY2(r.warning.isEmpty(), qPrintable(r.warning));
    const QStringList fields{QStringLiteral("-T"), QStringLiteral("fields"),
                             QStringLiteral("-e"), QStringLiteral("frame.time_epoch"),
                             QStringLiteral("-e"), QStringLiteral("esp.spi"),
                             QStringLiteral("-e"), QStringLiteral("esp.sequence")};
    QStringList numbers;
    for (std::uint64_t f : frames)
        numbers << QStringLiteral("frame.number == %1").arg(f);
    const Run expected = run(tool("tshark"), QStringList{QStringLiteral("-r"), whole, QStringLiteral("-Y"),
                                                         numbers.join(QStringLiteral(" || "))} +
                                                 fields);
    const Run got = run(tool("tshark"), QStringList{QStringLiteral("-r"), out} + fields);
    QCOMPARE(expected.exitCode, 0);
    QCOMPARE(got.exitCode, 0);
    QCOMPARE(got.out.count('\n'), qsizetype(frames.size()));
    QCOMPARE(got.out, expected.out);
}

void TestCaptureSet::ringNumbering()
{
    const auto numbers = [](std::initializer_list<const char *> names) {
        QStringList l;
        for (const char *n : names)
            l << QString::fromLatin1(n);
        return ringNumbers(l);
    };
    // tcpdump -C: the first file carries no number.
    QCOMPARE(numbers({"cap.pcap", "cap.pcap1", "cap.pcap2", "cap.pcap4"}),
             (std::vector<std::int64_t>{0, 1, 2, 4}));
    // dumpcap / editcap: counter, then the start time.
    QCOMPARE(numbers({"r_00008_20261206085000.pcapng", "r_00009_20261206085100.pcapng",
                      "r_00010_20261206085200.pcapng"}),
             (std::vector<std::int64_t>{8, 9, 10}));
    // ikev2wb capture --ring.
    QCOMPARE(numbers({"x_00001.pcapng", "x_00002.pcapng", "x_00004.pcapng", "x_00005.pcapng"}),
             (std::vector<std::int64_t>{1, 2, 4, 5}));
    // Not a counter: times every 5 minutes, a wrapped ring, names without digits.
    QVERIFY(numbers({"c-0850.pcap", "c-0855.pcap", "c-0900.pcap"}).empty());
    QVERIFY(numbers({"r3.pcap", "r4.pcap", "r0.pcap"}).empty());
    QVERIFY(numbers({"a.pcap", "b.pcap"}).empty());
}

void TestCaptureSet::badMembers()
{
    REQUIRE_TOOLS();
    const QString whole = lab(QStringLiteral("loss1"), QStringLiteral("right-outer.pcap"));
    if (!QFile::exists(whole)) QSKIP("lab data not present");
    QTemporaryDir dir;
    const QStringList pieces = split(whole, 2000, dir.path());
    QCOMPARE(pieces.size(), 4);

    // A folder without captures: exit 3, saying so.
    QTemporaryDir empty;
    QFile note(empty.filePath(QStringLiteral("README.txt")));
    QVERIFY(note.open(QIODevice::WriteOnly));
    note.write("not a capture\n");
    note.close();
    Run r = run(QStringLiteral(IKEV2WB_CLI), {QStringLiteral("analyze"), empty.path()});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains("holds no pcap or pcapng capture"), r.err.constData());

    // A non-capture file in a folder of pieces: skipped with a note, the rest read.
    QFile::copy(note.fileName(), dir.filePath(QStringLiteral("notes.txt")));
    r = run(QStringLiteral(IKEV2WB_CLI), {QStringLiteral("summary"), QStringLiteral("--json"), dir.path()});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains("notes.txt: not a pcap or pcapng capture, skipped"), r.err.constData());
    const QJsonObject summary = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(summary.value(QStringLiteral("packets")).toInteger(), 6781); // capinfos
    QCOMPARE(summary.value(QStringLiteral("files")).toArray().size(), 4);

    // The same non-capture named explicitly: an error naming it.
    r = run(QStringLiteral(IKEV2WB_CLI),
            {QStringLiteral("analyze"), pieces[0], dir.filePath(QStringLiteral("notes.txt"))});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains("notes.txt: not a pcap or pcapng capture"), r.err.constData());

    // A piece cut short in its middle: a partial result, the warning names the piece, the
    // files after it are still read.
    QFile cut(pieces[1]);
    const qint64 size = cut.size();
    QVERIFY(cut.resize(size / 2));
    QString error;
    const auto s = loadCapture(pieces, &error);
    QVERIFY(s);
    QVERIFY(s->partial);
    QVERIFY(s->warnings.front().message.contains(pieces[1]));
    QVERIFY(!s->set.files[1].warning.isEmpty());
    QCOMPARE(s->set.files[2].packets, std::uint64_t(2000));
    QCOMPARE(s->set.files[3].packets, std::uint64_t(781));
    QVERIFY(s->set.files[1].packets < 2000);
    r = run(QStringLiteral(IKEV2WB_CLI), {QStringLiteral("analyze"), QStringLiteral("--json"), dir.path()});
    QCOMPARE(r.exitCode, 3); // printed, then the damage reported
    QVERIFY(r.err.contains(QFileInfo(pieces[1]).fileName().toUtf8()));
    QVERIFY(QJsonDocument::fromJson(r.out)
                .object()
                .value(QStringLiteral("file"))
                .toObject()
                .value(QStringLiteral("partial"))
                .toBool());
}

void TestCaptureSet::specialFilesNotOpened()
{
    // A folder of captures is anyone's to fill: a FIFO, a link to one and a link to a device in
    // it are refused from their stat, never opened (the open of a FIFO waited for a writer for
    // ever: the load hung; the device was opened and read), and a FIFO named directly is an
    // error naming it. The capture beside them is read.
    const QString capture = lab(QStringLiteral("esp-blocked"), QStringLiteral("left-outer.pcap"));
    if (!QFile::exists(capture)) QSKIP("lab data not present");
    QTemporaryDir dir;
    QVERIFY(QFile::copy(capture, dir.filePath(QStringLiteral("a.pcap"))));
    const QString fifo = dir.filePath(QStringLiteral("charon.fifo"));
    QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
    QVERIFY(QFile::link(fifo, dir.filePath(QStringLiteral("to-fifo.pcap"))));
    QVERIFY(QFile::link(QStringLiteral("/dev/zero"), dir.filePath(QStringLiteral("zero.pcap"))));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("loop-b")), dir.filePath(QStringLiteral("loop-a"))));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("loop-a")), dir.filePath(QStringLiteral("loop-b"))));
    // Run where a hang can be ended: a writer opening the FIFO releases a reader waiting on it.
    const auto bounded = [&fifo](const QStringList &paths, QString *error) {
        auto job = std::async(std::launch::async, [paths, error] { return loadCapture(paths, error); });
        const bool inTime = job.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
        if (!inTime) ::close(::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_NONBLOCK));
        auto index = job.get();
        return std::make_pair(inTime, std::move(index));
    };
    QString error;
    auto [inTime, index] = bounded({dir.path()}, &error);
    QVERIFY2(inTime, "a FIFO in the folder was opened: the load waited for a writer");
    QVERIFY2(index, qPrintable(error));
    QCOMPARE(index->set.files.size(), std::size_t(1));
    QCOMPARE(index->packetCount(), std::uint64_t(17)); // capinfos -c left-outer.pcap
    const QString notes = index->set.notes.join(QLatin1Char('\n'));
    for (const char *name : {"to-fifo.pcap", "zero.pcap"})
        QVERIFY2(notes.contains(dir.filePath(QLatin1String(name)) +
                                QStringLiteral(": not a regular file (a FIFO, socket or device), skipped")),
                 qPrintable(notes));
    std::tie(inTime, index) = bounded({fifo}, &error);
    QVERIFY2(inTime, "a FIFO named directly was opened: the load waited for a writer");
    QVERIFY(!index);
    QCOMPARE(error, fifo + QStringLiteral(": not a regular file (a FIFO, socket or device): not read"));
}

void TestCaptureSet::percentInFileNames()
{
    // A file name is text, not a format: "x%1%2" in the names of a ring's files stays as it is in
    // the set's name, its listing, the gap note and the analysis' first line. Before, a chain of
    // QString::arg() put the next argument into the name's own %1 ("x6%2_00000_... +%2 files").
    REQUIRE_TOOLS();
    const QString whole = lab(QStringLiteral("loss1"), QStringLiteral("right-outer.pcap"));
    if (!QFile::exists(whole)) QSKIP("lab data not present");
    QTemporaryDir dir;
    QVERIFY(run(tool("editcap"), {QStringLiteral("-c"), QStringLiteral("1000"), whole,
                                  dir.filePath(QStringLiteral("x%1%2.pcapng"))})
                .exitCode == 0);
    QStringList pieces;
    for (const QString &f : QDir(dir.path()).entryList({QStringLiteral("x*")}, QDir::Files, QDir::Name))
        pieces << dir.filePath(f);
    QCOMPARE(pieces.size(), 7); // 6781 packets (capinfos) in pieces of 1000
    QVERIFY(QFileInfo(pieces[0]).fileName().startsWith(QLatin1String("x%1%2_00000_")));
    QVERIFY(QFile::remove(pieces.takeAt(3)));
    const auto s = load(pieces);
    QVERIFY(s);
    const QString first = QFileInfo(pieces[0]).fileName();
    QCOMPARE(s->set.name, first + QStringLiteral(" +5 files"));
    const QStringList listing = captureSetText(s->set).split(QLatin1Char('\n'));
    QCOMPARE(listing.value(0), QStringLiteral("Capture set ") + first +
                                   QStringLiteral(" +5 files: 6 files read as one capture, by their first "
                                                  "packet's time"));
    QVERIFY2(listing.value(1).startsWith(QStringLiteral("  1. ") + pieces[0] + QStringLiteral("  pcapng, ")),
             qPrintable(listing.value(1)));
    const QString gap = QStringLiteral("not captured between files ") + QFileInfo(pieces[2]).fileName() +
                        QStringLiteral(" and ") + QFileInfo(pieces[3]).fileName() + QStringLiteral(" (");
    QVERIFY2(s->set.notes.join(QLatin1Char('\n')).contains(gap),
             qPrintable(s->set.notes.join(QLatin1Char('\n'))));
    const CaptureAnalysis a = analyzeCapture(*s);
    QCOMPARE(analysisText(*s, a).section(QLatin1Char('\n'), 0, 0),
             QStringLiteral("Capture ") + pieces[0] + QStringLiteral(" (5781 packets)"));
}

void TestCaptureSet::overlapWarns()
{
    REQUIRE_TOOLS();
    const QString whole = lab(QStringLiteral("loss1"), QStringLiteral("right-outer.pcap"));
    if (!QFile::exists(whole)) QSKIP("lab data not present");
    QTemporaryDir dir;
    const QStringList pieces = split(whole, 2000, dir.path());
    const QString copy = dir.filePath(QStringLiteral("copy-of-second.pcapng"));
    QVERIFY(QFile::copy(pieces[1], copy));
    const auto s = load(pieces + QStringList{copy});
    QVERIFY(s);
    const QString notes = s->set.notes.join(QLatin1Char('\n'));
    QVERIFY2(notes.contains(QStringLiteral("hold the same packets")), qPrintable(notes));
    QVERIFY(notes.contains(QStringLiteral("copy-of-second.pcapng")));
    QVERIFY(notes.contains(QFileInfo(pieces[1]).fileName()));
    // Read twice: each of its ESP packets is a duplicate.
    const CaptureAnalysis a = analyzeCapture(*s);
    std::uint64_t dups = 0;
    for (const auto &sa : a.esp.sas)
        dups += sa.duplicates;
    QCOMPARE(dups, std::uint64_t(2000)); // loss1's right capture is ESP but for its IKE start
}

void TestCaptureSet::cliSyntax()
{
    REQUIRE_TOOLS();
    const QString left = lab(QStringLiteral("loss1"), QStringLiteral("left-outer.pcap"));
    const QString right = lab(QStringLiteral("loss1"), QStringLiteral("right-outer.pcap"));
    if (!QFile::exists(right)) QSKIP("lab data not present");
    QTemporaryDir dir;
    const QStringList pieces = split(right, 1500, dir.path());
    const QString cli = QStringLiteral(IKEV2WB_CLI);
    const Run plain = run(cli, {QStringLiteral("compare"), QStringLiteral("--json"), left, right});
    QCOMPARE(plain.exitCode, 0);
    const Run byFolder = run(cli, {QStringLiteral("compare"), QStringLiteral("--json"), left, dir.path()});
    QCOMPARE(byFolder.exitCode, 0);
    const Run byFiles =
        run(cli, QStringList{QStringLiteral("compare"), QStringLiteral("--a"), left, QStringLiteral("--b")} +
                     pieces + QStringList{QStringLiteral("--json")});
    QCOMPARE(byFiles.exitCode, 0);
    const auto directions = [](const Run &r) {
        return QJsonDocument::fromJson(r.out).object().value(QStringLiteral("directions")).toArray();
    };
    for (const Run *r : {&byFolder, &byFiles}) {
        const QJsonArray d = directions(*r);
        QCOMPARE(d.size(), 2);
        for (int i = 0; i < 2; ++i)
            for (const char *k : {"sent", "received", "lost", "lost_in_transit", "reordered", "duplicated"})
                QCOMPARE(d[i].toObject().value(QLatin1String(k)),
                         directions(plain)[i].toObject().value(QLatin1String(k)));
        const QJsonArray caps =
            QJsonDocument::fromJson(r->out).object().value(QStringLiteral("captures")).toArray();
        QCOMPARE(caps[1].toObject().value(QStringLiteral("files")).toArray().size(), pieces.size());
        QVERIFY(!caps[0].toObject().contains(QStringLiteral("files"))); // one file: the shape as before
    }
    QCOMPARE(directions(plain)[0].toObject().value(QStringLiteral("lost")).toInt(), 58); // verify.json

    // Usage errors: both forms at once, a side without files.
    QCOMPARE(run(cli, {QStringLiteral("compare"), left, QStringLiteral("--b"), right}).exitCode, 2);
    QCOMPARE(
        run(cli, {QStringLiteral("compare"), QStringLiteral("--a"), left, QStringLiteral("--b")}).exitCode,
        2);

    // diagnose: --capture / --peer-capture take the pieces.
    const Run diag =
        run(cli, QStringList{QStringLiteral("diagnose"), QStringLiteral("--json"),
                             QStringLiteral("--capture"), left, QStringLiteral("--peer-capture")} +
                     pieces);
    QCOMPARE(diag.exitCode, 0);
    const Run diagWhole =
        run(cli, {QStringLiteral("diagnose"), QStringLiteral("--json"), QStringLiteral("--capture"), left,
                  QStringLiteral("--peer-capture"), right});
    const auto findings = [](const Run &r) {
        QStringList out;
        for (const auto &f :
             QJsonDocument::fromJson(r.out).object().value(QStringLiteral("findings")).toArray())
            out << f.toObject().value(QStringLiteral("cause")).toString() + QLatin1Char(' ') +
                       f.toObject().value(QStringLiteral("status")).toString();
        return out;
    };
    QVERIFY(!findings(diagWhole).isEmpty());
    QCOMPARE(findings(diag), findings(diagWhole));
    QCOMPARE(QJsonDocument::fromJson(diag.out).object().value(QStringLiteral("inputs")).toArray().size(),
             1 + pieces.size());

    // summary / analyze of several files.
    const Run summary = run(cli, QStringList{QStringLiteral("summary"), QStringLiteral("--json")} + pieces);
    QCOMPARE(summary.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(summary.out).object().value(QStringLiteral("packets")).toInteger(),
             6781);
}

QTEST_GUILESS_MAIN(TestCaptureSet)
#include "tst_captureset.moc"
