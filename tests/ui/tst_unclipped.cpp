// Titles and legends never clipped (issue 16): opens a pair of endpoint captures and a single
// capture with host evidence in the real window, shows every page at the window sizes a user
// gets (1366x768, 1500x950, 2560x1440; 1280x720 logical for QT_SCALE_FACTOR 1.5 on 1920x1080 and
// 2 on 2560x1440, run by ctest as tst_unclipped_scale15 / _scale2), and checks every visible text:
// labels, buttons, group box titles and tab texts against their rectangles by the widget's own
// font metrics (QFontMetrics::horizontalAdvance, or the rich text's ideal width), and the Qt
// Charts' titles, axis labels and titles and legend labels for the "..." Qt Charts elides them
// to when they do not fit. plantedClipsAreFound shows the check fails on clipped texts.
#include "mainwindow.h"
#include "pages/capturepage.h"
#include "pages/checklistpage.h"
#include "pages/comparepage.h"
#include "pages/evidencepage.h"

#include <QAbstractButton>
#include <QAbstractScrollArea>
#include <QApplication>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QGraphicsTextItem>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QPushButton>
#include <QRadioButton>
#include <QScreen>
#include <QStyle>
#include <QStyleOptionButton>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTextDocument>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

using namespace ikev2wb::ui;

namespace {
constexpr int kMinTableRows = 4;

QString lab(const QString &scenario, const QString &file)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/lab/%1/%2").arg(scenario, file);
}

QString where(const QWidget *w)
{
    QStringList path;
    for (const QWidget *p = w; p && !p->isWindow(); p = p->parentWidget())
        path.prepend(p->objectName().isEmpty() ? QString::fromLatin1(p->metaObject()->className())
                                               : p->objectName());
    return path.join(QLatin1Char('/'));
}

/// The text a button or tab shows: its mnemonic ampersands are not drawn.
QString shown(QString text)
{
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QLatin1Char('\x01'), QLatin1Char('&'));
    return text;
}

int advance(const QFontMetrics &fm, const QString &text)
{
    int w = 0;
    for (const QString &line : text.split(QLatin1Char('\n')))
        w = std::max(w, fm.horizontalAdvance(line));
    return w;
}

/// Inside a scroll area's viewport a widget may lie partly outside what is shown: the user scrolls.
bool inScrolledViewport(const QWidget *w)
{
    for (const QWidget *p = w->parentWidget(); p; p = p->parentWidget())
        if (auto *area = qobject_cast<const QAbstractScrollArea *>(p->parentWidget());
            area && area->viewport() == p)
            return true;
    return false;
}

void checkLabel(const QLabel *l, QStringList &out)
{
    // A label with a buddy draws its mnemonic '&' as an underline.
    const QString text = l->buddy() ? shown(l->text()) : l->text();
    if (text.isEmpty() || !l->pixmap().isNull()) return;
    const QRect cr = l->contentsRect().adjusted(l->margin(), l->margin(), -l->margin(), -l->margin());
    const bool rich =
        l->textFormat() == Qt::RichText || (l->textFormat() == Qt::AutoText && Qt::mightBeRichText(text));
    if (l->wordWrap()) {
        // Wrapped: every line must fit the height the label has at its width.
        const int need = l->heightForWidth(l->width());
        if (need > l->height() + 1)
            out << QStringLiteral("%1: wrapped label needs %2 px height, has %3: \"%4\"")
                       .arg(where(l))
                       .arg(need)
                       .arg(l->height())
                       .arg(text.left(80));
        return;
    }
    int needW = 0;
    int needH = 0;
    if (rich) {
        QTextDocument doc;
        doc.setDefaultFont(l->font());
        doc.setDocumentMargin(0);
        doc.setHtml(text);
        needW = int(std::ceil(doc.idealWidth()));
        doc.setTextWidth(needW);
        needH = int(std::ceil(doc.size().height()));
    } else {
        const QFontMetrics fm(l->font());
        needW = advance(fm, text);
        needH = fm.height() * int(text.count(QLatin1Char('\n')) + 1);
    }
    if (needW > cr.width() + 1 || needH > cr.height() + 2)
        out << QStringLiteral("%1: label needs %2x%3 px, has %4x%5: \"%6\"")
                   .arg(where(l))
                   .arg(needW)
                   .arg(needH)
                   .arg(cr.width())
                   .arg(cr.height())
                   .arg(text.left(80));
}

void checkButton(const QAbstractButton *b, QStringList &out)
{
    const QString text = shown(b->text());
    if (text.isEmpty()) return;
    if (auto *tb = qobject_cast<const QToolButton *>(b);
        tb && tb->toolButtonStyle() == Qt::ToolButtonIconOnly)
        return;
    const QFontMetrics fm(b->font());
    const int need = advance(fm, text) + (b->icon().isNull() ? 0 : b->iconSize().width() + 4);
    QStyleOptionButton opt;
    opt.initFrom(b);
    opt.text = text;
    int have = b->width() - 4; // a tool button's frame
    if (qobject_cast<const QCheckBox *>(b))
        have = b->style()->subElementRect(QStyle::SE_CheckBoxContents, &opt, b).width();
    else if (qobject_cast<const QRadioButton *>(b))
        have = b->style()->subElementRect(QStyle::SE_RadioButtonContents, &opt, b).width();
    else if (qobject_cast<const QPushButton *>(b))
        have = b->style()->subElementRect(QStyle::SE_PushButtonContents, &opt, b).width();
    if (need > have + 1)
        out << QStringLiteral("%1: button text needs %2 px, has %3: \"%4\"")
                   .arg(where(b))
                   .arg(need)
                   .arg(have)
                   .arg(text);
}

void checkGroupBox(const QGroupBox *g, QStringList &out)
{
    const QString title = shown(g->title());
    if (title.isEmpty()) return;
    const int need = QFontMetrics(g->font()).horizontalAdvance(title) + (g->isCheckable() ? 20 : 0);
    const int have = g->width() - 16;
    if (need > have)
        out << QStringLiteral("%1: group box title needs %2 px, has %3: \"%4\"")
                   .arg(where(g))
                   .arg(need)
                   .arg(have)
                   .arg(title);
}

void checkTabBar(const QTabBar *bar, QStringList &out)
{
    const QFontMetrics fm(bar->font());
    for (int i = 0; i < bar->count(); ++i) {
        if (!bar->isTabVisible(i)) continue;
        const QString text = shown(bar->tabText(i));
        const QRect r = bar->tabRect(i);
        const int need =
            fm.horizontalAdvance(text) + (bar->tabIcon(i).isNull() ? 0 : bar->iconSize().width() + 4);
        if (need > r.width())
            out << QStringLiteral("%1: tab needs %2 px, has %3: \"%4\"")
                       .arg(where(bar))
                       .arg(need)
                       .arg(r.width())
                       .arg(text);
        else if (!bar->rect().contains(r))
            out << QStringLiteral("%1: tab \"%2\" is outside the tab bar (%3 px wide)")
                       .arg(where(bar), text)
                       .arg(bar->width());
    }
}

/// Qt Charts elides a title, an axis label or title and a legend label that does not fit to "...".
void checkChart(const QChartView *view, QStringList &out)
{
    const QChart *chart = view->chart();
    if (!chart) return;
    const QString dots = QStringLiteral("...");
    QStringList own{chart->title()};
    for (const QAbstractAxis *axis : chart->axes()) {
        own << axis->titleText();
        if (auto *c = qobject_cast<QCategoryAxis *>(const_cast<QAbstractAxis *>(axis)))
            own << c->categoriesLabels();
    }
    for (const QLegendMarker *m : chart->legend()->markers())
        own << m->label();
    for (const QString &s : own)
        if (s.contains(dots)) return; // a text of its own with dots: cannot tell
    for (const QGraphicsItem *item : view->scene()->items()) {
        const auto *t = dynamic_cast<const QGraphicsTextItem *>(item);
        if (!t || !t->isVisible() || !t->toPlainText().contains(dots)) continue;
        out << QStringLiteral("%1: chart text elided to \"%2\" (chart \"%3\", view %4x%5)")
                   .arg(where(view), t->toPlainText(), chart->title().left(50))
                   .arg(view->width())
                   .arg(view->height());
    }
}

/// Every visible section of a horizontal header shows its whole text. The room is what
/// QCommonStyle's SE_HeaderLabel gives the text (Fusion draws through it): the section less
/// PM_HeaderMargin on each side, and on the sorted section also the arrow's height / 2 + 2 margins.
/// A decoration takes its icon width and a margin. A text elided with its whole text in the
/// section's tool tip is the code's choice and passes.
void checkHeader(const QHeaderView *h, QStringList &out)
{
    const QAbstractItemModel *m = h->model();
    if (!m || h->orientation() != Qt::Horizontal) return;
    const int margin = h->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, h);
    for (int v = 0; v < h->count(); ++v) {
        const int logical = h->logicalIndex(v);
        if (h->isSectionHidden(logical) || h->sectionSize(logical) <= 0) continue;
        const QString text = m->headerData(logical, Qt::Horizontal, Qt::DisplayRole).toString();
        if (text.isEmpty()) continue;
        const QString tip = m->headerData(logical, Qt::Horizontal, Qt::ToolTipRole).toString();
        if (tip.contains(text)) continue;
        QFont font = h->font();
        if (const QVariant f = m->headerData(logical, Qt::Horizontal, Qt::FontRole); f.canConvert<QFont>())
            font = f.value<QFont>().resolve(font);
        int need = advance(QFontMetrics(font), text);
        if (!m->headerData(logical, Qt::Horizontal, Qt::DecorationRole).isNull())
            need += h->style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, h) + margin;
        int have = h->sectionSize(logical) - 2 * margin;
        if (h->isSortIndicatorShown() && h->sortIndicatorSection() == logical)
            have -= h->height() / 2 + 2 * margin;
        if (need > have + 1)
            out << QStringLiteral("%1: column header needs %2 px, has %3: \"%4\"")
                       .arg(where(h))
                       .arg(need)
                       .arg(have)
                       .arg(text);
    }
}

/// A table shows at least four of its rows (all when it has fewer) above its scroll bar: at
/// 1366x768 the Overview's SA table showed one and a half.
void checkTable(const QTableView *t, QStringList &out)
{
    const int rows = t->model() ? t->model()->rowCount() : 0;
    if (rows == 0) return;
    const int want = std::min(rows, kMinTableRows);
    const int shownRows = t->viewport()->height() / std::max(1, t->rowHeight(0));
    if (shownRows < want)
        out << QStringLiteral("%1: table shows %2 of its %3 rows (wants %4)")
                   .arg(where(t))
                   .arg(shownRows)
                   .arg(rows)
                   .arg(want);
}

/// Every visible text under `root` that does not fit its place.
QStringList clippedTexts(QWidget *root)
{
    QStringList out;
    const QRect window = root->window()->rect();
    for (QWidget *w : root->findChildren<QWidget *>()) {
        if (!w->isVisible() || w->width() <= 0 || w->height() <= 0) continue;
        const bool hasText = qobject_cast<QLabel *>(w) || qobject_cast<QAbstractButton *>(w) ||
                             qobject_cast<QGroupBox *>(w) || qobject_cast<QTabBar *>(w) ||
                             qobject_cast<QChartView *>(w) || qobject_cast<QTableView *>(w) ||
                             qobject_cast<QHeaderView *>(w);
        if (!hasText) continue;
        if (auto *l = qobject_cast<QLabel *>(w)) checkLabel(l, out);
        if (auto *b = qobject_cast<QAbstractButton *>(w)) checkButton(b, out);
        if (auto *g = qobject_cast<QGroupBox *>(w)) checkGroupBox(g, out);
        if (auto *t = qobject_cast<QTabBar *>(w)) checkTabBar(t, out);
        if (auto *c = qobject_cast<QChartView *>(w)) checkChart(c, out);
        if (auto *t = qobject_cast<QTableView *>(w)) checkTable(t, out);
        if (auto *h = qobject_cast<QHeaderView *>(w)) checkHeader(h, out);
        // Cut by the window's edge (a layout wider or taller than the window).
        const QRect r(w->mapTo(w->window(), QPoint(0, 0)), w->size());
        if (!inScrolledViewport(w) && !window.contains(r) &&
            !(qobject_cast<QLabel *>(w) && static_cast<QLabel *>(w)->text().isEmpty()))
            out << QStringLiteral("%1: %2x%3 at %4,%5 outside the %6x%7 window")
                       .arg(where(w))
                       .arg(r.width())
                       .arg(r.height())
                       .arg(r.x())
                       .arg(r.y())
                       .arg(window.width())
                       .arg(window.height());
    }
    out.removeDuplicates();
    return out;
}

bool ready(const CapturePage *page, bool pair)
{
    if (!page || !page->analysis() || !page->checklist()->diagnosis() || page->checklist()->isBusy())
        return false;
    if (pair)
        return page->comparePage() && page->comparePage()->isChartReady() && page->peerAnalysis() &&
               page->checklist()->diagnosis()->inputs.size() >= 2;
    return page->evidence() && !page->evidencePage()->isBusy();
}

/// Logical window sizes to check: the screens of the issue at this process's QT_SCALE_FACTOR.
QList<QSize> windowSizes()
{
    const double scale =
        qEnvironmentVariableIsSet("QT_SCALE_FACTOR") ? qgetenv("QT_SCALE_FACTOR").toDouble() : 1.0;
    if (scale > 1.9) return {QSize(1280, 720)}; // 2560x1440 at 2
    if (scale > 1.4) return {QSize(1280, 720)}; // 1920x1080 at 1.5
    return {QSize(1366, 768), QSize(1500, 950), QSize(2560, 1440)};
}
} // namespace

class TstUnclipped : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2-workbench-tests"));
        qRegisterMetaType<ikev2wb::ui::IndexPtr>("ikev2wb::ui::IndexPtr");
    }

    // The check finds a clipped label, button, group box title, tab text, chart title and column header.
    void plantedClipsAreFound()
    {
        QWidget w;
        w.resize(600, 400);
        auto *layout = new QVBoxLayout(&w);
        auto *fits = new QLabel(QStringLiteral("fits"));
        auto *label = new QLabel(QStringLiteral("A label far too long for the forty pixels it is given"));
        label->setFixedWidth(40);
        auto *rich = new QLabel(QStringLiteral("<b>Rich</b> text that is also much too long for its place"));
        rich->setFixedWidth(60);
        auto *check = new QCheckBox(QStringLiteral("A check box with a long text"));
        check->setFixedWidth(50);
        auto *group = new QGroupBox(QStringLiteral("A group box title that does not fit"));
        group->setFixedWidth(60);
        auto *tabs = new QTabBar;
        tabs->addTab(QStringLiteral("A tab"));
        tabs->setFixedWidth(20);
        auto *chart = new QChart;
        chart->setTitle(
            QStringLiteral("A chart title much wider than the chart it belongs to, so it is elided"));
        auto *view = new QChartView(chart);
        view->setFixedSize(150, 150);
        auto *table = new QTableWidget(1, 2);
        table->setHorizontalHeaderLabels({QStringLiteral("A column header too long"), QStringLiteral("ok")});
        table->horizontalHeader()->setStretchLastSection(false);
        table->setColumnWidth(0, 40);
        table->setColumnWidth(1, 80);
        for (QWidget *c :
             {static_cast<QWidget *>(fits), static_cast<QWidget *>(label), static_cast<QWidget *>(rich),
              static_cast<QWidget *>(check), static_cast<QWidget *>(group), static_cast<QWidget *>(tabs),
              static_cast<QWidget *>(view), static_cast<QWidget *>(table)})
            layout->addWidget(c);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QString all = clippedTexts(&w).join(QLatin1Char('\n'));
        QVERIFY2(!all.contains(QStringLiteral("\"fits\"")), qPrintable(all));
        QVERIFY2(!all.contains(QStringLiteral("\"ok\"")), qPrintable(all));
        for (const QString &s :
             {QStringLiteral("A label far too long"), QStringLiteral("Rich"), QStringLiteral("A check box"),
              QStringLiteral("A group box title"), QStringLiteral("\"A tab\""),
              QStringLiteral("chart text elided"), QStringLiteral("column header needs")})
            QVERIFY2(all.contains(s), qPrintable(s + QStringLiteral(" not found in:\n") + all));
    }

    void everyPageAtEverySize()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto *tabs = w.findChild<QTabWidget *>();
        QVERIFY(tabs);
        w.openPair(QStringLiteral(IKEV2WB_SAMPLES "/mtu-blackhole-left-outer.pcap"),
                   QStringLiteral(IKEV2WB_SAMPLES "/mtu-blackhole-right-outer.pcap"));
        CapturePage *pair = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((pair = qobject_cast<CapturePage *>(tabs->currentWidget())) != nullptr &&
                                     ready(pair, true),
                                 120000);
        w.openFiles({lab(QStringLiteral("rekey-loss"), QStringLiteral("left-outer.pcap"))});
        CapturePage *single = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((single = qobject_cast<CapturePage *>(tabs->currentWidget())) != nullptr &&
                                     single != pair && single->analysis(),
                                 120000);
        single->addEvidencePaths({lab(QStringLiteral("rekey-loss"), QStringLiteral("charon-left.log"))});
        QTRY_VERIFY_WITH_TIMEOUT(ready(single, false), 120000);

        QStringList failures;
        for (const QSize size : windowSizes()) {
            w.resize(size);
            QTRY_COMPARE(w.size(), size); // the window is not made larger than the screen by its content
            const QString at = QStringLiteral("%1x%2").arg(size.width()).arg(size.height());
            auto visit = [&](const QString &what) {
                // The Checklist adds its fix widgets one per event-loop turn: all of them first.
                for (ChecklistPage *checklist : w.findChildren<ChecklistPage *>())
                    if (checklist->isVisible()) QTRY_VERIFY(!checklist->fixesPending());
                QTest::qWait(150); // layouts settle, charts re-reduce (queued)
                QCoreApplication::processEvents();
                if (w.size() != size)
                    failures << QStringLiteral("%1 %2: the window grew to %3x%4")
                                    .arg(at, what)
                                    .arg(w.width())
                                    .arg(w.height());
                for (const QString &c : clippedTexts(&w))
                    failures << QStringLiteral("%1 %2: %3").arg(at, what, c);
            };
            for (CapturePage *page : {pair, single}) {
                tabs->setCurrentWidget(page);
                for (int i = 0; i < page->tabs()->count(); ++i) {
                    page->tabs()->setCurrentIndex(i);
                    const QString what = QStringLiteral("%1 ▸ %2").arg(
                        page == pair ? QStringLiteral("pair") : QStringLiteral("single"),
                        page->tabs()->tabText(i));
                    visit(what);
                    if (page == pair && i == CapturePage::PacketsTab) {
                        page->setPacketsSide(1);
                        visit(what + QStringLiteral(" (B)"));
                        page->setPacketsSide(0);
                    }
                }
            }
            w.showStartPage();
            visit(QStringLiteral("Start"));
        }
        failures.removeDuplicates();
        for (const QString &f : std::as_const(failures))
            qWarning("%s", qPrintable(f));
        QCOMPARE(failures.size(), 0);
    }
};

QTEST_MAIN(TstUnclipped)
#include "tst_unclipped.moc"
