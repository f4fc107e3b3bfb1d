// The Checklist page, its models and the snippet highlighter (offscreen).
// Expected causes come from the fault lab (tests/data/lab/*/truth.json: the injected fault),
// not from the diagnosis itself; highlighting is checked through the formats QTextLayout holds.
#include "../labdata.h"
#include "../plantedlink.h"
#include "analyze/analysis.h"
#include "highlight/snippethighlighter.h"
#include "index/indexbuilder.h"
#include "loadedcapture.h"
#include "mainwindow.h"
#include "models/checklistmodel.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "supersededjob.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QClipboard>
#include <QDialog>
#include <QDir>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

using namespace ikev2wb;
using namespace ikev2wb::ui;
using ikev2wb::testdata::labDir;

namespace {

/// The first injected fault of a lab scenario, as truth.json names it.
QString injectedFault(const QString &scenario)
{
    QFile f(labDir(scenario) + QStringLiteral("/truth.json"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QJsonArray faults =
        QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("injected_faults")).toArray();
    return faults.isEmpty() ? QString() : faults.first().toObject().value(QStringLiteral("type")).toString();
}

/// The receiving kernel's "replay-window" drops (ip -s xfrm state stats, end minus start) of
/// its inbound SA (the one with a window configured), and that window.
std::pair<int, qint64> kernelReplayDrops(const QString &statsDir, const QString &host)
{
    auto read = [&](const QString &phase) -> std::pair<int, qint64> {
        QFile f(statsDir + QStringLiteral("/%1-xfrm-state-%2.txt").arg(host, phase));
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return {-1, -1};
        static const QRegularExpression re(QStringLiteral(
            "\\n\\s*replay-window (\\d+) seq[\\s\\S]*?stats:\\s*\\n\\s*replay-window (\\d+) replay"));
        auto it = re.globalMatch(QString::fromUtf8(f.readAll()));
        while (it.hasNext()) {
            const auto m = it.next();
            if (m.captured(1).toInt() > 0) return {m.captured(1).toInt(), m.captured(2).toLongLong()};
        }
        return {-1, -1};
    };
    const auto start = read(QStringLiteral("start")), end = read(QStringLiteral("end"));
    return {end.first, end.second - start.second};
}

/// The format covering position `pos` of a highlighted block (default format if none).
QTextCharFormat formatAt(const QTextBlock &block, int pos)
{
    const QList<QTextLayout::FormatRange> ranges = block.layout()->formats();
    for (const QTextLayout::FormatRange &r : ranges)
        if (pos >= r.start && pos < r.start + r.length) return r.format;
    return {};
}

QPalette testLightPalette()
{
    QPalette p;
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::Text, Qt::black);
    return p;
}

QPalette testDarkPalette()
{
    QPalette p;
    p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    p.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
    return p;
}

} // namespace

class TstChecklist : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QCoreApplication::setOrganizationName(QStringLiteral("ikev2-workbench-tests")); }

    void modelsFromLabDiagnosis()
    {
        // truth.json: the mtu-blackhole lab injected a PMTUD black hole; from the sender's (left)
        // capture alone the most likely cause must be that fault.
        const QString fault = injectedFault(QStringLiteral("mtu-blackhole"));
        QCOMPARE(fault, QStringLiteral("mtu_blackhole"));
        const Loaded l = load(labDir(QStringLiteral("mtu-blackhole")) + QStringLiteral("/left-outer.pcap"));
        QVERIFY(l.index && l.analysis);

        ChecklistPage page;
        QAbstractItemModelTester stepsTester(page.checklistModel(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester findingsTester(page.findingsModel(),
                                                QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy changed(&page, &ChecklistPage::diagnosisChanged);
        page.setData(l.index, l.analysis);
        QVERIFY(page.isBusy()); // the diagnosis runs on a worker, not in setData
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 30000);
        QVERIFY(!page.isBusy());

        const FindingsModel *findings = page.findingsModel();
        QVERIFY(findings->rowCount() >= 1);
        const QModelIndex top = findings->index(0, FindingsModel::ColCause);
        QCOMPARE(top.data().toString(), fault);
        QCOMPARE(top.data(CauseRole).toString(), fault);
        QCOMPARE(top.data(RankRole).toInt(), 1);
        const auto status = StepStatus(top.data(StatusRole).toInt());
        QVERIFY(status == StepStatus::Fail || status == StepStatus::Warn);
        QVERIFY(page.headline().startsWith(QStringLiteral("Most likely: ")));
        // Ranked: no later finding outranks the first one.
        for (int r = 1; r < findings->rowCount(); ++r) {
            const QModelIndex i = findings->index(r, 0);
            QVERIFY(stepStatusSeverity(StepStatus(i.data(StatusRole).toInt())) <= stepStatusSeverity(status));
        }

        const ChecklistModel *steps = page.checklistModel();
        QCOMPARE(steps->rowCount(), 6);
        const int stepNumber = top.data(StepNumberRole).toInt();
        const QModelIndex step = steps->stepIndex(stepNumber);
        QVERIFY(step.isValid());
        QCOMPARE(step.data(StepNumberRole).toInt(), stepNumber);
        QVERIFY(step.data(CauseRole).toString().split(QLatin1Char(',')).contains(fault));
        QCOMPARE(StepStatus(step.data(StatusRole).toInt()), status);
        // children: evidence, then fixes, then what to collect next
        int evidence = 0, fixes = 0;
        for (int r = 0; r < steps->rowCount(step); ++r) {
            const QModelIndex c = steps->index(r, 0, step);
            QCOMPARE(c.parent(), step);
            const auto kind = ChecklistItemKind(c.data(KindRole).toInt());
            evidence += kind == ChecklistItemKind::Evidence;
            fixes += kind == ChecklistItemKind::Fix;
            if (kind == ChecklistItemKind::Fix)
                QVERIFY(c.data().toString().startsWith(QStringLiteral("Fix: ")));
        }
        QVERIFY(evidence >= 1);
        QVERIFY(fixes >= 1);

        // The page opens on the most likely cause: one highlighted snippet per fix, built once
        // the page is shown (a hidden page lays nothing out).
        const Finding &f = page.diagnosis()->findings.front();
        QVERIFY(f.fixes.size() >= 2);
        QVERIFY(page.findChildren<QPlainTextEdit *>(QStringLiteral("fixSnippet")).isEmpty());
        page.resize(1200, 800);
        page.show();
        QTRY_COMPARE(page.findChildren<QPlainTextEdit *>(QStringLiteral("fixSnippet")).size(),
                     qsizetype(f.fixes.size()));
        for (const QPlainTextEdit *s : page.findChildren<QPlainTextEdit *>(QStringLiteral("fixSnippet")))
            QVERIFY(s->isReadOnly());
    }

    void highlighter_data()
    {
        QTest::addColumn<QPalette>("palette");
        QTest::newRow("light") << testLightPalette();
        QTest::newRow("dark") << testDarkPalette();
    }

    void highlighter()
    {
        QFETCH(QPalette, palette);
        QCOMPARE(snippetLanguage(FixKind::Iptables), SnippetLanguage::Shell);
        QCOMPARE(snippetLanguage(FixKind::Sysctl), SnippetLanguage::Shell);
        QCOMPARE(snippetLanguage(FixKind::Nftables), SnippetLanguage::Nft);
        QCOMPARE(snippetLanguage(FixKind::Swanctl), SnippetLanguage::StrongSwanConf);
        QCOMPARE(snippetLanguage(FixKind::StrongswanConf), SnippetLanguage::StrongSwanConf);
        QCOMPARE(snippetLanguage(FixKind::IpsecConf), SnippetLanguage::IpsecConf);

        auto highlighting = SnippetHighlighting::create();
        QTextDocument shell(
            QStringLiteral("# clamp the MSS\n"
                           "iptables -t mangle -A FORWARD -o <wan-interface> --set-mss 1286\n"));
        highlighting->attach(&shell, SnippetLanguage::Shell, palette);
        const QTextBlock comment = shell.findBlockByNumber(0);
        const QTextBlock command = shell.findBlockByNumber(1);
        const QTextCharFormat commentFmt = formatAt(comment, 2);
        const QTextCharFormat keywordFmt = formatAt(command, 0);      // iptables
        const QTextCharFormat optionFmt = formatAt(command, 9);       // -t
        const QTextCharFormat longOptionFmt = formatAt(command, 49);  // --set-mss
        const QTextCharFormat placeholderFmt = formatAt(command, 33); // <wan-interface>
        const QTextCharFormat plainFmt = formatAt(command, 12);       // mangle
        QCOMPARE(command.text().mid(49, 9), QStringLiteral("--set-mss"));
        QCOMPARE(command.text().mid(33, 15), QStringLiteral("<wan-interface>"));
        for (const QTextCharFormat *f : {&commentFmt, &keywordFmt, &optionFmt, &placeholderFmt})
            QVERIFY(f->hasProperty(QTextFormat::ForegroundBrush));
        QVERIFY(!plainFmt.hasProperty(QTextFormat::ForegroundBrush));
        QVERIFY(commentFmt != keywordFmt);
        QVERIFY(commentFmt != optionFmt);
        QVERIFY(keywordFmt != optionFmt);
        QCOMPARE(optionFmt, longOptionFmt);
        QVERIFY(placeholderFmt.hasProperty(QTextFormat::BackgroundBrush));
        // Ink must stand out from the Base it is drawn on, in both themes.
        const qreal base = palette.color(QPalette::Base).lightnessF();
        for (const QTextCharFormat *f : {&commentFmt, &keywordFmt, &optionFmt})
            QVERIFY2(qAbs(f->foreground().color().lightnessF() - base) > 0.3,
                     qPrintable(f->foreground().color().name()));

        // strongSwan configuration: section name, key, value
        QTextDocument conf(QStringLiteral("connections {\n    replay_window = 64 # was 32\n}\n"));
        highlighting->attach(&conf, SnippetLanguage::StrongSwanConf, palette);
        const QTextBlock keyLine = conf.findBlockByNumber(1);
        const QTextCharFormat section = formatAt(conf.firstBlock(), 0);
        const QTextCharFormat key = formatAt(keyLine, 4);
        const QTextCharFormat number = formatAt(keyLine, 20);
        const QTextCharFormat confComment = formatAt(keyLine, 23);
        QVERIFY(section.hasProperty(QTextFormat::ForegroundBrush));
        QVERIFY(key.hasProperty(QTextFormat::ForegroundBrush));
        QVERIFY(section != key);
        QVERIFY(key != number);
        QCOMPARE(confComment, commentFmt);

        // legacy ipsec.conf: "conn NAME" and key=value
        QTextDocument ipsec(QStringLiteral("conn lab\n    dpdaction=restart\n"));
        highlighting->attach(&ipsec, SnippetLanguage::IpsecConf, palette);
        QCOMPARE(formatAt(ipsec.firstBlock(), 0), keywordFmt);
        QCOMPARE(formatAt(ipsec.findBlockByNumber(1), 4), key);

        // nft keywords inside the command line
        QTextDocument nft(
            QStringLiteral("nft add rule inet t f tcp flags syn tcp option maxseg size set 1286\n"));
        highlighting->attach(&nft, SnippetLanguage::Nft, palette);
        QCOMPARE(formatAt(nft.firstBlock(), 0), keywordFmt);  // nft
        QCOMPARE(formatAt(nft.firstBlock(), 47), keywordFmt); // maxseg
        QCOMPARE(nft.firstBlock().text().mid(47, 6), QStringLiteral("maxseg"));
    }

    void evidenceClickJumpsToPacket()
    {
        // rekey-loss, initiator side: the IKE retransmissions are evidence with packet numbers.
        const QString path = labDir(QStringLiteral("rekey-loss")) + QStringLiteral("/left-outer.pcap");
        const Loaded l = load(path);
        QVERIFY(l.index && l.analysis);
        CapturePage capture(l.index);
        capture.resize(1200, 800);
        capture.show();
        QVERIFY(QTest::qWaitForWindowExposed(&capture));
        ChecklistPage *page = capture.checklist();
        QVERIFY(page);
        QSignalSpy changed(page, &ChecklistPage::diagnosisChanged);
        capture.setAnalysis(l.analysis);
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 30000);
        capture.tabs()->setCurrentIndex(CapturePage::ChecklistTab);
        QCOMPARE(capture.tabs()->tabText(CapturePage::ChecklistTab), QStringLiteral("Checklist"));

        // Find a finding whose evidence names a packet of this capture.
        const DiagnosisPtr d = page->diagnosis();
        int findingRow = -1;
        qint64 packet = -1;
        for (std::size_t i = 0; i < d->findings.size() && findingRow < 0; ++i)
            for (const EvidenceItem &e : d->findings[i].evidence)
                if (e.ref.packet > 0) {
                    findingRow = int(i);
                    packet = e.ref.packet;
                    break;
                }
        QVERIFY2(findingRow >= 0, "no evidence with a packet reference");
        page->showFinding(findingRow);
        auto *list = page->findChild<QListWidget *>(QStringLiteral("evidenceList"));
        QVERIFY(list);
        QListWidgetItem *item = nullptr;
        for (int i = 0; i < list->count() && !item; ++i)
            if (list->item(i)->data(PacketRole).isValid()) item = list->item(i);
        QVERIFY(item);
        QSignalSpy spy(page, &ChecklistPage::packetRequested);
        list->scrollToItem(item);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(item).center());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toULongLong(), quint64(packet - 1)); // 1-based ref, 0-based table
        // CapturePage follows: the packet table with that packet selected.
        QCOMPARE(capture.tabs()->currentIndex(), int(CapturePage::PacketsTab));
        QTableView *table = nullptr;
        for (QTableView *t : capture.findChildren<QTableView *>())
            if (t->objectName() != QLatin1String("findingsView")) table = t;
        QVERIFY(table);
        const QModelIndexList rows = table->selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().data().toLongLong(), packet); // the No. column is 1-based

        // Activation (keyboard) works as well.
        list->setCurrentItem(item);
        Q_EMIT list->itemActivated(item);
        QCOMPARE(spy.count(), 2);
    }

    void fixesOnePerTurnThenCopyAndExport()
    {
        // Laying out all fix widgets in the turn that shows the page was its first show's
        // GUI-thread stall: the diagnosis' arrival shows only the caption, each later turn one fix.
        const Loaded l = load(labDir(QStringLiteral("mtu-blackhole")) + QStringLiteral("/left-outer.pcap"));
        QVERIFY(l.index && l.analysis);
        ChecklistPage page;
        page.resize(1200, 800);
        page.show();
        qsizetype atArrival = -1;
        connect(&page, &ChecklistPage::diagnosisChanged, &page,
                [&]() { atArrival = page.findChildren<QPushButton *>(QStringLiteral("copyFix")).size(); });
        page.setData(l.index, l.analysis);
        QTRY_VERIFY_WITH_TIMEOUT(atArrival >= 0, 30000);
        const qsizetype fixes = qsizetype(page.diagnosis()->findings.front().fixes.size());
        QVERIFY(fixes >= 2);
        QCOMPARE(atArrival, 0);
        // One event-loop turn at a time: never more than one new fix per turn, all in the end.
        for (int turn = 0; turn < 1000; ++turn) {
            const qsizetype before = page.findChildren<QPushButton *>(QStringLiteral("copyFix")).size();
            if (before == fixes) break;
            QCoreApplication::processEvents();
            QVERIFY(page.findChildren<QPushButton *>(QStringLiteral("copyFix")).size() <= before + 1);
        }
        QCOMPARE(page.findChildren<QPushButton *>(QStringLiteral("copyFix")).size(), fixes);
        const Finding &top = page.diagnosis()->findings.front();

        const auto copies = page.findChildren<QPushButton *>(QStringLiteral("copyFix"));
        QCOMPARE(copies.size(), qsizetype(top.fixes.size()));
        QGuiApplication::clipboard()->clear();
        QTest::mouseClick(copies.last(), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), top.fixes.back().text);

        QTemporaryDir dir;
        const QString script = dir.filePath(QStringLiteral("fixes.sh"));
        QString error;
        QVERIFY2(page.exportFixScript(script, &error), qPrintable(error));
        QFile f(script);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY(text.startsWith(QStringLiteral("#!")));
        for (const Finding &finding : page.diagnosis()->findings)
            for (const Fix &fix : finding.fixes)
                QVERIFY2(text.contains(fix.title), qPrintable(fix.title));
        QVERIFY(f.permissions() & QFileDevice::ExeOwner);

        const QString bad = dir.filePath(QStringLiteral("missing/dir/fixes.sh"));
        QVERIFY(!page.exportFixScript(bad, &error));
        QVERIFY(error.contains(bad));

        // A symbolic link at the chosen name is refused, its target left as it was.
        const PlantedLink planted = PlantedLink::make(dir.path(), QStringLiteral("planted.sh"));
        QVERIFY(!page.exportFixScript(planted.link, &error));
        QVERIFY2(error.contains(QStringLiteral("%1: is a symbolic link").arg(planted.link)),
                 qPrintable(error));
        QVERIFY(planted.intact());
    }

    void importEvidenceRerunsAndDropsStale()
    {
        const QString dir = labDir(QStringLiteral("mtu-blackhole"));
        const Loaded l = load(dir + QStringLiteral("/left-outer.pcap"));
        QVERIFY(l.index && l.analysis);
        ChecklistPage page;
        QSignalSpy changed(&page, &ChecklistPage::diagnosisChanged);
        page.setData(l.index, l.analysis);
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 30000);
        const DiagnosisPtr before = page.diagnosis();

        QStringList stats;
        const QDir statsDir(dir + QStringLiteral("/stats"));
        for (const QString &s : statsDir.entryList({QStringLiteral("left-*")}, QDir::Files))
            stats << statsDir.filePath(s);
        QVERIFY(!stats.isEmpty());
        const QString log = dir + QStringLiteral("/charon-left.log");
        // Two imports in a row: the first run is superseded, only the second one lands.
        page.addEvidencePaths(stats);
        page.addEvidencePaths({log});
        QTRY_VERIFY_WITH_TIMEOUT(!page.isBusy(), 30000);
        QCOMPARE(changed.count(), 2);
        QVERIFY(page.diagnosis() != before);
        QVERIFY(page.diagnosis()->inputs.contains(log));
        QVERIFY(page.diagnosis()->inputs.contains(stats.first()));
        QCOMPARE(page.findingsModel()->index(0, FindingsModel::ColCause).data().toString(),
                 injectedFault(QStringLiteral("mtu-blackhole")));
    }

    // The diagnosis' notes are on the page (the CLI prints them; before, the page showed none):
    // every note of natt's right capture shows, its text escaped (the placeholders note names
    // <connection>, which rich text would swallow as a tag).
    void notesOnThePage()
    {
        const Loaded l = load(labDir(QStringLiteral("natt")) + QStringLiteral("/right-outer.pcap"));
        QVERIFY(l.index && l.analysis);
        ChecklistPage page;
        QSignalSpy changed(&page, &ChecklistPage::diagnosisChanged);
        page.setData(l.index, l.analysis);
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 30000);
        const QStringList notes = page.diagnosis()->notes;
        QVERIFY(std::any_of(notes.begin(), notes.end(),
                            [](const QString &n) { return n.contains(QLatin1String("<connection>")); }));
        const auto *label = page.findChild<QLabel *>(QStringLiteral("collectNext"));
        QVERIFY(label);
        QTextDocument shown;
        shown.setHtml(label->text());
        for (const QString &n : notes)
            QVERIFY2(shown.toPlainText().contains(n), qPrintable(n));
    }

    void preferencesRerunDiagnosis()
    {
        // The receiver of reorder-antireplay; its kernel dropped packets with a window of 16.
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        const auto [kernelWindow, kernelDrops] =
            kernelReplayDrops(dir + QStringLiteral("/stats"), QStringLiteral("right"));
        QCOMPARE(kernelWindow, 16);
        QVERIFY(kernelDrops > 0);
        const Loaded l = load(dir + QStringLiteral("/right-outer.pcap"));
        QVERIFY(l.index && l.analysis);
        ChecklistPage page;
        page.setAssumptions(64, 30);
        QSignalSpy changed(&page, &ChecklistPage::diagnosisChanged);
        page.setData(l.index, l.analysis);
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 30000);
        QCOMPARE(page.diagnosis()->basis.replayWindow, 64u);
        QCOMPARE(page.diagnosis()->basis.replayDrops, 0ull); // the reordering stays within 32
        QVERIFY2(page.assumptionsText().contains(QLatin1String("assumed 64 (Preferences)")),
                 qPrintable(page.assumptionsText()));

        // Preferences changed: the diagnosis runs again with the kernel's window assumed.
        page.setAssumptions(kernelWindow, 30);
        QVERIFY(page.isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 2, 30000);
        QCOMPARE(page.diagnosis()->basis.replayWindow, std::uint32_t(kernelWindow));
        QCOMPARE(qint64(page.diagnosis()->basis.replayDrops), kernelDrops);
        QVERIFY(
            page.assumptionsText().contains(QStringLiteral("assumed %1 (Preferences)").arg(kernelWindow)));
        // The same values again change nothing.
        page.setAssumptions(kernelWindow, 30);
        QVERIFY(!page.isBusy());

        // With the host's xfrm state imported, its window wins over the assumption.
        page.setAssumptions(64, 30);
        QStringList stats;
        const QDir statsDir(dir + QStringLiteral("/stats"));
        for (const QString &s : statsDir.entryList({QStringLiteral("right-*")}, QDir::Files))
            stats << statsDir.filePath(s);
        page.addEvidencePaths(stats);
        QTRY_VERIFY_WITH_TIMEOUT(!page.isBusy(), 30000);
        QCOMPARE(page.diagnosis()->basis.replayWindow, std::uint32_t(kernelWindow));
        QVERIFY(!page.diagnosis()->basis.replayWindowAssumed);
        QCOMPARE(qint64(page.diagnosis()->basis.replayDrops), kernelDrops);
        QVERIFY2(page.assumptionsText().contains(QLatin1String("read from ip xfrm state")),
                 qPrintable(page.assumptionsText()));
    }

    void preferencesDialogRerunsOpenCaptures()
    {
        // Edit → Preferences, OK: the open capture's checklist runs again with the new window.
        const QString dir = labDir(QStringLiteral("reorder-antireplay"));
        const auto [kernelWindow, kernelDrops] =
            kernelReplayDrops(dir + QStringLiteral("/stats"), QStringLiteral("right"));
        QSettings().clear();
        MainWindow w;
        w.show();
        w.openFiles({dir + QStringLiteral("/right-outer.pcap")});
        auto *tabs = w.findChild<QTabWidget *>();
        CapturePage *page = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((page = qobject_cast<CapturePage *>(tabs->currentWidget())) != nullptr,
                                 30000);
        ChecklistPage *checklist = page->checklist();
        QTRY_VERIFY_WITH_TIMEOUT(checklist->diagnosis() && !checklist->isBusy(), 60000);
        QCOMPARE(checklist->diagnosis()->basis.replayWindow, 32u); // the default assumption
        QCOMPARE(checklist->diagnosis()->basis.replayDrops, 0ull);

        QAction *prefs = w.findChild<QAction *>(QStringLiteral("preferencesAction"));
        QVERIFY(prefs);
        prefs->trigger();
        QDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = w.findChild<QDialog *>(QStringLiteral("settingsDialog"))) != nullptr);
        const QList<QSpinBox *> spins = dialog->findChildren<QSpinBox *>();
        QCOMPARE(spins.size(), 2);
        spins.at(0)->setValue(kernelWindow); // the replay window comes first
        dialog->accept();
        QTRY_VERIFY_WITH_TIMEOUT(checklist->diagnosis()->basis.replayWindow == std::uint32_t(kernelWindow) &&
                                     !checklist->isBusy(),
                                 60000);
        QCOMPARE(qint64(checklist->diagnosis()->basis.replayDrops), kernelDrops);
        QSettings().clear();
    }
    // The diagnosis job polls its cancel flag: run superseded (runSuperseded) over loss1's left
    // capture with every file of its stats folder and both charon logs as evidence paths, the
    // first run reads none of them and diagnoses nothing; the run that superseded it reads all.
    void supersededDiagnosisStopsEarly()
    {
        const Loaded l = load(labDir(QStringLiteral("loss1")) + QStringLiteral("/left-outer.pcap"));
        QVERIFY(l.index && l.analysis);
        ChecklistPage::DiagnosisRun run;
        run.index = l.index;
        run.analysis = l.analysis;
        const QDir stats(labDir(QStringLiteral("loss1")) + QStringLiteral("/stats"));
        for (const QString &f : stats.entryList({QStringLiteral("*.txt")}, QDir::Files))
            run.paths << stats.filePath(f);
        run.paths << labDir(QStringLiteral("loss1")) + QStringLiteral("/charon-left.log")
                  << labDir(QStringLiteral("loss1")) + QStringLiteral("/charon-right.log");
        QVERIFY(run.paths.size() > 20);
        auto diagnosed = std::make_shared<std::atomic_int>(0);
        const SupersededRuns r = runSuperseded([run, diagnosed](Job &job) {
            const ChecklistPage::Result result = ChecklistPage::runDiagnosis(run, job);
            if (result.diagnosis) ++*diagnosed;
            return result.cancelled;
        });
        QVERIFY(r.firstCancelled);
        QCOMPARE(r.firstWalked, quint64(0));
        QVERIFY(!r.firstDelivered);
        QVERIFY(!r.secondCancelled);
        QCOMPARE(r.secondWalked, quint64(run.paths.size()));
        QCOMPARE(diagnosed->load(), 1); // the superseded run never reached the diagnosis
    }
};

QTEST_MAIN(TstChecklist)
#include "tst_checklist.moc"
