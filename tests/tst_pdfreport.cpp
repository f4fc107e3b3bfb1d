// The PDF report, read back with poppler (pdftotext, pdftoppm) as a reader of the file would:
// the loss1 lab pair must say what netem did (its own drop counter, not our output), the
// mtu-blackhole pair must lead with the black hole and carry the MSS clamp with the router's
// real path MTU, and the plots must be in the pages. Also `ikev2wb diagnose --pdf`.
#include "diagnose/checklist.h"
#include "plantedlink.h"
#include "report/pdf/pdfreport.h"
#include "session/investigation.h"

#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace ikev2wb;

namespace {

QString lab(const QString &rel)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/lab/") + rel;
}

QString run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000)) return {};
    return QString::fromUtf8(p.readAllStandardOutput());
}

/// Diagnoses a lab scenario's two captures (left = A, right = B) and writes their report.
bool writeLabPairReport(const QString &scenario, const QString &pdf, Investigation &loaded)
{
    DiagnosisFiles files;
    files.captureA = lab(scenario + QStringLiteral("/left-outer.pcap"));
    files.captureB = lab(scenario + QStringLiteral("/right-outer.pcap"));
    QString error;
    return diagnoseFiles(files, loaded, &error) &&
           report::writePdfReport(pdf, report::reportInput(loaded), &error);
}

/// The number in "(dropped N, ..." of the netem qdisc on the router, as tc printed it (the
/// lines after "qdisc netem").
int netemDropped(const QString &tcFile)
{
    QFile f(tcFile);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    const auto m = QRegularExpression(QStringLiteral("qdisc netem[^\n]*\n[^\n]*dropped (\\d+)"))
                       .match(QString::fromUtf8(f.readAll()));
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

} // namespace

class TestPdfReport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty(),
                 "pdftotext (poppler-utils) is needed; scripts/setup-deps.sh installs it");
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("pdftoppm")).isEmpty(), "pdftoppm is needed");
    }

    void lossPairSaysWhatNetemDropped()
    {
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("loss1.pdf"));
        Investigation loaded;
        QVERIFY(writeLabPairReport(QStringLiteral("loss1"), pdf, loaded));
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(5) == "%PDF-");

        const int dropped = netemDropped(lab(QStringLiteral("loss1/stats/mid-tc-end.txt")));
        QCOMPARE(dropped, 58);
        const QString text =
            run(QStringLiteral("pdftotext"), {QStringLiteral("-layout"), pdf, QStringLiteral("-")});
        QVERIFY2(text.contains(QStringLiteral("IKEv2/IPsec loss report")), qPrintable(text.left(300)));
        // The verdict leads with transit loss, with netem's count.
        const qsizetype verdict = text.indexOf(QStringLiteral("Verdict"));
        const qsizetype checklist = text.indexOf(QStringLiteral("Checklist"));
        QVERIFY(verdict >= 0 && checklist > verdict);
        const QString top = text.mid(verdict, checklist - verdict);
        QVERIFY2(top.contains(QStringLiteral("[FAIL]")), qPrintable(top));
        QVERIFY2(top.contains(QStringLiteral("%1 of").arg(dropped)), qPrintable(top));
        // The comparison table: A → B lost in transit = netem's drops; B → A none.
        const QRegularExpression ab(QStringLiteral("A\\s*→\\s*B\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)"));
        const auto m = ab.match(text);
        QVERIFY2(m.hasMatch(), qPrintable(text.right(800)));
        QCOMPARE(m.captured(3).toInt(), dropped);
        QCOMPARE(m.captured(1).toInt() - m.captured(2).toInt(), dropped);
        QVERIFY(QRegularExpression(QStringLiteral("B\\s*→\\s*A\\s+(\\d+)\\s+\\1\\s+0\\s"))
                    .match(text)
                    .hasMatch());
        // Then its capture drops and packets outside either capture's span: tcpdump at both ends
        // dropped none (stats/tcpdump-*-outer.pcap.log) and both ran across all the traffic
        // (truth.json's timeline: captures_started before ike_initiate, stopped after traffic_done).
        const QRegularExpression abFull(QStringLiteral(
            "A\\s*→\\s*B\\s+(\\d+)\\s+(\\d+)\\s+(\\d+) \\(([\\d.]+)%\\)\\s+(\\d+)\\s+(\\d+)\\s"));
        const auto full = abFull.match(text);
        QVERIFY2(full.hasMatch(), qPrintable(text.right(800)));
        QCOMPARE(full.captured(4), QString::number(100.0 * dropped / m.captured(1).toInt(), 'f', 2));
        QFile senderLog(lab(QStringLiteral("loss1/stats/tcpdump-left-outer.pcap.log")));
        QVERIFY(senderLog.open(QIODevice::ReadOnly));
        const auto kernelDrops = QRegularExpression(QStringLiteral("(\\d+) packets dropped by kernel"))
                                     .match(QString::fromUtf8(senderLog.readAll()));
        QVERIFY(kernelDrops.hasMatch());
        QCOMPARE(full.captured(5).toInt(), kernelDrops.captured(1).toInt());
        QCOMPARE(full.captured(6).toInt(), 0);
        QVERIFY2(text.contains(QStringLiteral("A = 10.0.1.1, B = 10.0.2.1")), qPrintable(text.right(800)));

        // The timeline plot is in the pages: render them and look for its blue and red ink.
        QVERIFY(run(QStringLiteral("pdftoppm"),
                    {QStringLiteral("-r"), QStringLiteral("72"), QStringLiteral("-png"), pdf,
                     dir.filePath(QStringLiteral("page"))})
                    .isEmpty());
        int blue = 0, red = 0, pages = 0;
        for (int page = 1; page <= 9; ++page) {
            const QImage img(dir.filePath(QStringLiteral("page-%1.png").arg(page)));
            if (img.isNull()) continue;
            ++pages;
            for (int y = 0; y < img.height(); ++y)
                for (int x = 0; x < img.width(); ++x) {
                    const QColor c = img.pixelColor(x, y);
                    if (c.blue() > 180 && c.red() < 80 && c.green() < 160) ++blue;
                    if (c.red() > 200 && c.green() < 110 && c.blue() < 110)
                        ++red; // the ticks (#d93025), not the [FAIL] badges (#b3261e)
                }
        }
        qInfo("pages %d, timeline blue pixels %d, missing-tick red pixels %d", pages, blue, red);
        QVERIFY(pages >= 2);
        QVERIFY2(blue > 500, qPrintable(QString::number(blue)));
        QVERIFY2(red > 40, qPrintable(QString::number(red)));

        // The timeline marks missing numbers: the receiver's SA (58 missing) carries red ticks in
        // the plot area, the sender's (none missing) none.
        auto tickPixels = [](const QImage &img) {
            int n = 0;
            for (int y = 90; y < img.height() - 100; ++y) // below the title and legend rows
                for (int x = 150; x < img.width(); ++x) {
                    const QColor c = img.pixelColor(x, y);
                    if (c.red() > 200 && c.green() < 110 && c.blue() < 110) ++n;
                }
            return n;
        };
        const int atReceiver =
            tickPixels(report::espTimelinePlot(*loaded.index(Host::B), *loaded.analysis(Host::B)));
        const int atSender =
            tickPixels(report::espTimelinePlot(*loaded.index(Host::A), *loaded.analysis(Host::A)));
        qInfo("tick pixels: receiver %d, sender %d", atReceiver, atSender);
        QCOMPARE(atSender, 0);
        QVERIFY(atReceiver > 58 * 10);
    }

    void blackHoleLeadsWithTheMssClamp()
    {
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("bh.pdf"));
        Investigation loaded;
        QVERIFY(writeLabPairReport(QStringLiteral("mtu-blackhole"), pdf, loaded));
        const QString text = run(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")});
        const qsizetype verdict = text.indexOf(QStringLiteral("Verdict"));
        const qsizetype checklist = text.indexOf(QStringLiteral("Checklist"));
        const QString top = text.mid(verdict, checklist - verdict);
        QVERIFY2(top.contains(QStringLiteral("black hole"), Qt::CaseInsensitive), qPrintable(top));
        // Two captures, no evidence of the router's link: the report shows the diagnosis's one path
        // MTU figure with its provenance, the largest outer packet proven delivered. The lab's
        // largest ping that fits the 1400-byte link (payload 1000: ESP 20 + 8 + 16 +
        // pad16(1028 + 2) + 16 = 1100) is that figure; nothing guessed towards the router's 1400.
        QVERIFY2(top.contains(QStringLiteral("Path MTU: largest outer packet proven delivered: 1100 bytes")),
                 qPrintable(top));
        QVERIFY2(!text.contains(QStringLiteral("path MTU 1400")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("ping -M do")));
        QVERIFY(!text.contains(QStringLiteral("largest_seen")));
        QVERIFY(text.contains(QStringLiteral("TCPMSS")));
        QVERIFY(text.contains(QStringLiteral("Fixes")));
    }

    void cliWritesThePdf()
    {
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("cli.pdf"));
        QProcess p;
        p.start(QStringLiteral(IKEV2WB_CLI),
                {QStringLiteral("diagnose"), QStringLiteral("--capture"),
                 lab(QStringLiteral("loss1/right-outer.pcap")), QStringLiteral("--pdf"), pdf});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(p.readAllStandardError().isEmpty(), "no warnings on stderr");
        QVERIFY(run(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")})
                    .contains(QStringLiteral("right-outer.pcap")));
        // An unwritable destination is a clear error, exit 3.
        p.start(QStringLiteral(IKEV2WB_CLI),
                {QStringLiteral("diagnose"), QStringLiteral("--capture"),
                 lab(QStringLiteral("loss1/right-outer.pcap")), QStringLiteral("--pdf"),
                 QStringLiteral("/nonexistent-dir/x.pdf")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 3);
        QVERIFY(
            QString::fromUtf8(p.readAllStandardError()).contains(QStringLiteral("/nonexistent-dir/x.pdf")));
        // A symbolic link planted at the report's name is not written through: exit 3, the
        // file it points to keeps its bytes.
        const PlantedLink planted = PlantedLink::make(dir.path(), QStringLiteral("planted.pdf"));
        p.start(QStringLiteral(IKEV2WB_CLI),
                {QStringLiteral("diagnose"), QStringLiteral("--capture"),
                 lab(QStringLiteral("loss1/right-outer.pcap")), QStringLiteral("--pdf"), planted.link});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 3);
        QVERIFY(QString::fromUtf8(p.readAllStandardError())
                    .contains(QStringLiteral("%1: is a symbolic link; not written").arg(planted.link)));
        QVERIFY(planted.intact());
    }
};

int main(int argc, char **argv)
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    TestPdfReport t;
    return QTest::qExec(&t, argc, argv);
}
#include "tst_pdfreport.moc"
