// Context menus and exports of tables and charts (ui/widgets/viewactions.h) and the Packets
// tab's "Export Selected/Shown Packets…". Oracles: the expected TSV and CSV are written out by
// hand for small models, Python's csv module parses the big CSV back, editcap selects the same
// frames for the packet export (records compared byte for byte through libpcap), and QImage /
// an XML reader open the saved PNG / SVG.
#include "../labdata.h"
#include "models/packettablemodel.h"
#include "pages/packetspage.h"
#include "widgets/viewactions.h"

#include <pcap/pcap.h>

#include <QAbstractTableModel>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QHeaderView>
#include <QImage>
#include <QMainWindow>
#include <QMenu>
#include <QProcess>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QXmlStreamReader>

using namespace ikev2wb;
using namespace ikev2wb::ui;

namespace {
/// Row r, column c shows "r:c"; row 7's second column is a formula a spreadsheet would run.
class BigModel final : public QAbstractTableModel
{
public:
    explicit BigModel(int rows) : m_rows(rows) {}
    int rowCount(const QModelIndex &p = {}) const override { return p.isValid() ? 0 : m_rows; }
    int columnCount(const QModelIndex &p = {}) const override { return p.isValid() ? 0 : 3; }
    QVariant data(const QModelIndex &i, int role) const override
    {
        if (role != Qt::DisplayRole) return {};
        if (i.row() == 7 && i.column() == 1) return QStringLiteral("=cmd|' /C calc'!A0");
        return QStringLiteral("%1:%2").arg(i.row()).arg(i.column());
    }
    QVariant headerData(int s, Qt::Orientation o, int role) const override
    {
        if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
        return QStringLiteral("col%1").arg(s);
    }

private:
    int m_rows;
};

QString runPython(const QString &code, const QString &arg)
{
    QProcess p;
    p.start(QStringLiteral("python3"), {QStringLiteral("-c"), code, arg});
    p.waitForFinished(60000);
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

QMenu *openContextMenu(QAbstractItemView *view, const QModelIndex &at)
{
    const QPoint pos = view->visualRect(at).center();
    emit view->customContextMenuRequested(pos);
    for (QWidget *w : QApplication::topLevelWidgets())
        if (auto *m = qobject_cast<QMenu *>(w); m && m->isVisible()) return m;
    return nullptr;
}

QAction *actionStartingWith(QMenu *menu, const QString &prefix)
{
    for (QAction *a : menu->actions())
        if (a->text().startsWith(prefix)) return a;
    return nullptr;
}

QFileDialog *openFileDialog()
{
    for (QWidget *w : QApplication::topLevelWidgets())
        if (auto *d = qobject_cast<QFileDialog *>(w); d && d->isVisible()) return d;
    return nullptr;
}

struct Rec
{
    qint64 s, ns;
    quint32 caplen, len;
    QByteArray bytes;
    bool operator==(const Rec &) const = default;
};

std::vector<Rec> records(const QString &path)
{
    std::vector<Rec> out;
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path.toLocal8Bit().constData(),
                                                        PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) return out;
    pcap_pkthdr *h = nullptr;
    const u_char *d = nullptr;
    while (pcap_next_ex(p, &h, &d) == 1)
        out.push_back({h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len,
                       QByteArray(reinterpret_cast<const char *>(d), int(h->caplen))});
    pcap_close(p);
    return out;
}
} // namespace

class TstViewActions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void selectionTextFollowsTheView()
    {
        QStandardItemModel m(3, 3);
        m.setHorizontalHeaderLabels({QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")});
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c)
                m.setItem(r, c, new QStandardItem(QStringLiteral("%1%2").arg(QChar(u'a' + c)).arg(r)));
        m.item(1, 0)->setText(QStringLiteral("tab\there"));
        QTableView v;
        v.setModel(&m);
        v.setColumnHidden(1, true);              // B hidden
        v.horizontalHeader()->moveSection(2, 0); // C shown first
        v.resize(400, 300);
        v.show();
        installTableActions(&v, QStringLiteral("t"));
        QCOMPARE(visibleHeader(&v), (QStringList{QStringLiteral("C"), QStringLiteral("A")}));
        v.setSelectionBehavior(QAbstractItemView::SelectRows);
        v.selectRow(2);
        v.selectionModel()->select(m.index(1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        // Rows in view order (1 before 2), columns in view order, hidden B left out, a tab in a
        // value made a space.
        QCOMPARE(selectionText(&v, true), QStringLiteral("C\tA\nc1\ttab here\nc2\ta2"));
        // Ctrl+C copies the selection without the header.
        v.setFocus();
        QTest::keySequence(&v, QKeySequence::Copy);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("c1\ttab here\nc2\ta2"));
        // Copy Value from the context menu: the cell under the cursor.
        QMenu *menu = openContextMenu(&v, m.index(0, 2));
        QVERIFY(menu);
        QAction *value = actionStartingWith(menu, QStringLiteral("Copy Value"));
        QVERIFY(value && value->isEnabled());
        value->trigger();
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("c0"));
        menu->close();
    }

    // A cell holding a bidi override, a tag character or an escape sequence shows them written as
    // \xNN (a table with the table actions installed); a line break in a cell stays a line break,
    // a number is formatted as before; each copy puts the visible form on the clipboard.
    void controlsShownAndCopiedVisibly()
    {
        QStandardItemModel m(1, 3);
        m.setItem(0, 0,
                  new QStandardItem(QString::fromUcs4(U"x\u202Egnp.pcap\U000E0041") + QChar(0x1b) +
                                    QStringLiteral("]0;T") + QChar(0x07)));
        m.setItem(0, 1, new QStandardItem(QStringLiteral("two\nlines")));
        auto *number = new QStandardItem;
        number->setData(1234.5, Qt::DisplayRole);
        m.setItem(0, 2, number);
        QTableView v;
        v.setModel(&m);
        const QString plainNumber =
            v.itemDelegate()->metaObject()->className() == QByteArray("QStyledItemDelegate")
                ? qobject_cast<QStyledItemDelegate *>(v.itemDelegate())
                      ->displayText(number->data(Qt::DisplayRole), QLocale())
                : QString();
        QVERIFY(!plainNumber.isEmpty());
        installTableActions(&v, QStringLiteral("t"));
        v.show();
        const auto *d = qobject_cast<QStyledItemDelegate *>(v.itemDelegateForIndex(m.index(0, 0)));
        QVERIFY(d);
        QCOMPARE(d->displayText(m.index(0, 0).data(), QLocale()),
                 QStringLiteral("x\\x202egnp.pcap\\xe0041\\x1b]0;T\\x07"));
        const QString twoLines = d->displayText(m.index(0, 1).data(), QLocale());
        QVERIFY2(!twoLines.contains(QLatin1Char('\\')), qPrintable(twoLines));
        QCOMPARE(d->displayText(number->data(Qt::DisplayRole), QLocale()), plainNumber);
        v.selectAll();
        v.setFocus();
        QTest::keySequence(&v, QKeySequence::Copy);
        QCOMPARE(QApplication::clipboard()->text(),
                 QStringLiteral("x\\x202egnp.pcap\\xe0041\\x1b]0;T\\x07\ttwo lines\t") +
                     m.index(0, 2).data().toString());
        QMenu *menu = openContextMenu(&v, m.index(0, 0));
        QVERIFY(menu);
        actionStartingWith(menu, QStringLiteral("Copy Value"))->trigger();
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("x\\x202egnp.pcap\\xe0041\\x1b]0;T\\x07"));
        menu->close();
    }

    void bigCsvInSlices()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("python3")).isEmpty()) QSKIP("python3 missing");
        BigModel model(60000);
        QTableView v;
        v.setModel(&model);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big.csv"));
        bool finished = false;
        QString error;
        qint64 rows = -1;
        int turnsBeforeDone = 0;
        exportTableCsv(&v, path, [&](const QString &e, qint64 n) {
            finished = true;
            error = e;
            rows = n;
        });
        QVERIFY(!finished); // nothing written on the calling turn
        QVERIFY(!QFile::exists(path));
        while (!finished && turnsBeforeDone < 100000) {
            QCoreApplication::processEvents();
            ++turnsBeforeDone;
        }
        QVERIFY2(finished && error.isEmpty(), qPrintable(error));
        QCOMPARE(rows, 60000);
        QVERIFY(turnsBeforeDone > 1); // written in slices, the event loop turning in between
        const QString summary =
            runPython(QStringLiteral("import csv,sys;r=list(csv.reader(open(sys.argv[1],newline='')));"
                                     "print(len(r), r[0], r[1], r[8][1], r[60000])"),
                      path);
        QCOMPARE(summary,
                 QStringLiteral("60001 ['col0', 'col1', 'col2'] ['0:0', '0:1', '0:2'] '=cmd|' /C calc'!A0 "
                                "['59999:0', '59999:1', '59999:2']"));
    }

    void treeDepthFirst()
    {
        QStandardItemModel m;
        m.setHorizontalHeaderLabels({QStringLiteral("step"), QStringLiteral("state")});
        auto *one = new QStandardItem(QStringLiteral("1"));
        one->appendRow({new QStandardItem(QStringLiteral("1.a")), new QStandardItem(QStringLiteral("pass"))});
        m.appendRow({one, new QStandardItem(QStringLiteral("fail"))});
        m.appendRow({new QStandardItem(QStringLiteral("2")), new QStandardItem(QStringLiteral("n/a"))});
        QTreeView v;
        v.setModel(&m);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tree.csv"));
        bool finished = false;
        exportTableCsv(&v, path, [&](const QString &, qint64) { finished = true; });
        QTRY_VERIFY(finished);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("step,state\r\n1,fail\r\n1.a,pass\r\n2,n/a\r\n"));
    }

    void chartImages()
    {
        QWidget w;
        w.resize(320, 200);
        w.setWindowTitle(QStringLiteral("chart"));
        w.show();
        QTemporaryDir dir;
        QString error;
        const QString png = dir.filePath(QStringLiteral("c.png"));
        QVERIFY2(saveWidgetImage(&w, png, &error), qPrintable(error));
        QImage img(png);
        QVERIFY(!img.isNull());
        QCOMPARE(img.size(), w.grab().size());
        const QString svg = dir.filePath(QStringLiteral("c.svg"));
        QVERIFY2(saveWidgetImage(&w, svg, &error), qPrintable(error));
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&f);
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name().toString(), QStringLiteral("svg"));
        QCOMPARE(xml.attributes().value(QStringLiteral("width")).toString(), QStringLiteral("112.889mm"));
    }

    void packetsPageExportsSelection()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("editcap")).isEmpty()) QSKIP("editcap missing");
        const QString rel = QStringLiteral("lab/loss1/left-outer.pcap");
        const auto index = testdata::loadTestCapture(rel);
        QVERIFY(index);
        QMainWindow window;
        auto *page = new PacketsPage(index);
        window.setCentralWidget(page);
        window.resize(1200, 800);
        window.show();
        QTRY_VERIFY(page->isAttached());
        WindowedTableView *t = page->tableView();
        // Rows 40 and 1000 are not on screen (the table holds a window of the rows).
        t->selectRowRange(40, 40);
        t->selectRowRange(4, 4);
        t->selectRowRange(1000, 1000);

        QMenu *menu = openContextMenu(t, t->model()->index(4, 0));
        QVERIFY(menu);
        QAction *sel = actionStartingWith(menu, QStringLiteral("Export Selected Packets (3)"));
        QVERIFY(sel && sel->isEnabled());
        if (const QString shots = qEnvironmentVariable("IKEV2WB_SHOT_DIR"); !shots.isEmpty()) {
            window.grab().save(shots + QStringLiteral("/packets-menu-window.png"));
            menu->grab().save(shots + QStringLiteral("/packets-menu.png"));
        }
        sel->trigger();
        menu->close();
        QFileDialog *dlg = nullptr;
        QTRY_VERIFY((dlg = openFileDialog()) != nullptr);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("sel")); // the suffix is added
        dlg->selectFile(out);
        emit dlg->fileSelected(out);
        dlg->close();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.statusBar()->currentMessage().contains(QLatin1String("packets written")), 20000);
        QVERIFY2(window.statusBar()->currentMessage().startsWith(QLatin1String("3 packets written")),
                 qPrintable(window.statusBar()->currentMessage()));

        const QString ref = dir.filePath(QStringLiteral("ref.pcapng"));
        QProcess e;
        e.start(QStringLiteral("editcap"),
                {QStringLiteral("-r"), QStringLiteral(IKEV2WB_TEST_DATA "/") + rel, ref, QStringLiteral("5"),
                 QStringLiteral("41"), QStringLiteral("1001")});
        QVERIFY(e.waitForFinished(30000));
        QCOMPARE(e.exitCode(), 0);
        const auto ours = records(out + QStringLiteral(".pcapng"));
        QCOMPARE(ours.size(), std::size_t(3));
        QVERIFY(ours == records(ref));
    }
};

QTEST_MAIN(TstViewActions)
#include "tst_viewactions.moc"
