// Pickers and titles that name things: unique tab titles, the IKE SA picker's entries (SPIs,
// peers, start, exchanges), the ladder's resizable details pane, the status text of a tab.
// Expected SPIs, addresses and time come from tshark and tcpdump's ikev2four.out, not from us.
#include "../labdata.h"
#include "analyze/analysis.h"
#include "charts/ikeladder.h"
#include "diagnose/rules.h"
#include "pages/capturepage.h"
#include "pages/ikeladderpage.h"
#include "settings/timedisplay.h"
#include "widgets/tabtitles.h"
#include "widgets/userguide.h"

#include <QComboBox>
#include <QImage>
#include <QRegularExpression>
#include <QSplitter>
#include <QStandardPaths>
#include <QTest>
#include <QTextBrowser>

using namespace ikev2wb;
using namespace ikev2wb::ui;

class TstPickers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2wb-tst-pickers"));
    }

    void uniqueTabTitles()
    {
        QCOMPARE(uniqueTitles({QStringLiteral("/cap/left/trace.pcap"),
                               QStringLiteral("/cap/right/trace.pcap"), QStringLiteral("/cap/other.pcap")}),
                 (QStringList{QStringLiteral("left/trace.pcap"), QStringLiteral("right/trace.pcap"),
                              QStringLiteral("other.pcap")}));
        // Same folder name one level up: one more level until they differ.
        QCOMPARE(uniqueTitles({QStringLiteral("/a/x/t.pcap"), QStringLiteral("/b/x/t.pcap")}),
                 (QStringList{QStringLiteral("a/x/t.pcap"), QStringLiteral("b/x/t.pcap")}));
        // The same file twice keeps its name; a lone file its name.
        QCOMPARE(uniqueTitles({QStringLiteral("/a/t.pcap"), QStringLiteral("/a/t.pcap")}),
                 (QStringList{QStringLiteral("t.pcap"), QStringLiteral("t.pcap")}));
        QCOMPARE(uniqueTitles({QStringLiteral("t.pcap"), QStringLiteral("/x/t.pcap")}),
                 (QStringList{QStringLiteral("t.pcap"), QStringLiteral("x/t.pcap")}));
    }

    void ikeSaPickerNamesThem()
    {
        const auto index = testdata::loadTestCapture(QStringLiteral("captures/tcpdump/tests/ikev2four.pcap"));
        QVERIFY(index);
        TimeDisplayChoice::instance().setMode(TimeDisplay::Utc);
        CapturePage page(index);
        page.resize(1200, 800);
        page.show();
        page.setAnalysis(std::make_shared<const CaptureAnalysis>(analyzeCapture(*index)));
        QComboBox *picker = page.ikePicker();
        QCOMPARE(picker->count(), 2);
        // tshark: frames 1-20 ispi a88875a8198992a6 rspi 71be8358efae7663; ikev2four.out frame 1:
        // 12:21:24.386989, 192.168.1.2.500 > 192.168.1.1.500 (the initiator).
        const QString first = picker->itemText(0);
        QVERIFY2(
            first.startsWith(QStringLiteral("a88875a8198992a6/71be8358efae7663  192.168.1.2 → 192.168.1.1  "
                                            "from 2007-08-06 12:21:24 UTC  ")),
            qPrintable(first));
        QVERIFY(first.contains(QStringLiteral(" exchange")));
        // frame 21: ispi 1d9be9451d4f97a8 rspi 64a2a4b5d0e17b6a
        QVERIFY2(picker->itemText(1).startsWith(QStringLiteral("1d9be9451d4f97a8/64a2a4b5d0e17b6a")),
                 qPrintable(picker->itemText(1)));
        // The ladder's times follow the choice: frame 1's time of day (ikev2four.out), then
        // seconds since the SA's first message.
        IkeLadder *ladder = page.ladder();
        QCOMPARE(ladder->timeLabel(index->ikeMessages.front().tsNs), QStringLiteral("12:21:24.386989"));
        // Since the start: frame 1 is the capture's first packet.
        TimeDisplayChoice::instance().setMode(TimeDisplay::SinceStart);
        QCOMPARE(ladder->timeLabel(index->ikeMessages.front().tsNs), QStringLiteral("+0.000 s"));
        QVERIFY(IkeLadderPage::ikeSaText(page.analysis()->ike.ikeSas.front(), index->firstNs)
                    .contains(QStringLiteral("from 0.000 s")));

        // The ladder's details: a browser in a splitter whose panes do not collapse.
        QTextBrowser *details = page.ladderDetails();
        QVERIFY(details);
        auto *split = qobject_cast<QSplitter *>(details->parentWidget());
        QVERIFY(split);
        QVERIFY(!split->childrenCollapsible());
        page.tabs()->setCurrentIndex(CapturePage::LadderTab);
        QTRY_VERIFY(details->isVisible());
        const int total = split->sizes().at(0) + split->sizes().at(1);
        split->setSizes({total / 4, total - total / 4}); // the handle dragged to a quarter
        QCOMPARE(split->sizes().at(1), total - total / 4);
        QVERIFY(details->width() > split->width() / 2);

        // The status text of the tab.
        const QString status = page.statusText();
        QVERIFY2(status.startsWith(QStringLiteral("ikev2four.pcap: 21 packets, 0 ESP SAs, 2 IKE SAs")),
                 qPrintable(status));
    }

    // Help ▸ User Guide: shipped inside the program, every picture in it loads, it walks the six
    // steps under the names the checklist gives them and lists the shortcuts.
    void userGuide()
    {
        QWidget window;
        QTextBrowser *guide = showUserGuide(&window);
        QVERIFY(guide->isVisible());
        QCOMPARE(showUserGuide(&window), guide); // one window, raised again
        const QString text = guide->toPlainText();
        QVERIFY2(text.size() > 1000, qPrintable(text.left(200)));
        for (int step = 1; step <= 6; ++step)
            QVERIFY2(text.contains(stepTitle(step)), qPrintable(stepTitle(step)));
        for (const char *keys : {"Ctrl+O", "Ctrl+Shift+O", "Ctrl+Alt+1", "F1", "Ctrl+W"})
            QVERIFY2(text.contains(QLatin1String(keys)), keys);
        QFile html(QStringLiteral(":/guide/resources/guide/userguide.html"));
        QVERIFY(html.open(QIODevice::ReadOnly));
        const QString source = QString::fromUtf8(html.readAll());
        int images = 0;
        QRegularExpressionMatchIterator it =
            QRegularExpression(QStringLiteral("<img src=\"([^\"]+)\"")).globalMatch(source);
        while (it.hasNext()) {
            const QUrl url = guide->source().resolved(QUrl(it.next().captured(1)));
            const QImage image =
                guide->document()->resource(QTextDocument::ImageResource, url).value<QImage>();
            QVERIFY2(!image.isNull(), qPrintable(url.toString()));
            ++images;
        }
        QCOMPARE(images, 7);
    }
};

QTEST_MAIN(TstPickers)
#include "tst_pickers.moc"
