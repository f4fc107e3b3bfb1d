#pragma once
// Shared by the GUI tests that plant HTML in a file name or host evidence: Qt renders a label,
// tool tip or message box text as HTML when it only looks like HTML (Qt::AutoText and
// Qt::mightBeRichText), so a log line holding <img src="file:///…"> or <a href> would load a
// local file or show a link. renderedMarkup() lists every place in a widget tree that would
// render the planted `tag` (e.g. "<b>EVIL") as markup instead of showing it as text.
#include "util/textformat.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSeries>
#include <QAction>
#include <QChart>
#include <QChartView>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QStringList>
#include <QStyledItemDelegate>
#include <QTabBar>
#include <QTextBrowser>
#include <QTextDocument>
#include <QWidget>

namespace ikev2wb::ui {

/// `root` and every widget under it.
inline QList<const QWidget *> widgetTree(const QWidget *root)
{
    QList<const QWidget *> widgets{root};
    for (const QWidget *w : root->findChildren<QWidget *>())
        widgets << w;
    return widgets;
}

/// "ClassName objectName", how a finding names the widget.
inline QString widgetName(const QWidget *w)
{
    return QString::fromLatin1(w->metaObject()->className()) + QLatin1Char(' ') + w->objectName();
}

/// Whether `text` holds `tag` where Qt would read it as markup.
inline bool rendersTag(const QString &text, Qt::TextFormat format, const QString &tag)
{
    const bool rich = format == Qt::RichText || (format == Qt::AutoText && Qt::mightBeRichText(text));
    return rich && text.contains(tag);
}

/// What a tool tip with `text` shows: the text itself, or what its HTML displays.
inline QString shownText(const QString &text)
{
    if (!Qt::mightBeRichText(text)) return text;
    QTextDocument d;
    d.setHtml(text);
    return d.toPlainText();
}

inline void modelToolTips(const QAbstractItemModel *m, const QModelIndex &parent, const QString &tag,
                          const QString &where, QStringList &found, int &budget)
{
    for (int r = 0; r < m->rowCount(parent) && budget > 0; ++r, --budget) {
        for (int c = 0; c < m->columnCount(parent); ++c) {
            const QModelIndex i = m->index(r, c, parent);
            if (rendersTag(i.data(Qt::ToolTipRole).toString(), Qt::AutoText, tag)) {
                found << QStringLiteral("%1 tool tip (row %2 column %3, and maybe more)")
                             .arg(where)
                             .arg(r)
                             .arg(c);
                budget = 0; // one line per view
                return;
            }
        }
        modelToolTips(m, m->index(r, 0, parent), tag, where, found, budget);
    }
}

/// Every label, tool tip (widgets, actions, tabs, item models), message box and text browser
/// under `root` that would render `tag` as markup; empty when each shows it as text.
inline QStringList renderedMarkup(const QWidget *root, const QString &tag)
{
    QStringList found;
    for (const QWidget *w : widgetTree(root)) {
        const QString name = widgetName(w);
        if (rendersTag(w->toolTip(), Qt::AutoText, tag)) found << name + QStringLiteral(" tool tip");
        for (const QAction *a : w->actions())
            if (rendersTag(a->toolTip(), Qt::AutoText, tag))
                found << name + QStringLiteral(" action tool tip");
        if (const auto *l = qobject_cast<const QLabel *>(w); l && rendersTag(l->text(), l->textFormat(), tag))
            found << name + QStringLiteral(": ") + l->text();
        if (const auto *b = qobject_cast<const QMessageBox *>(w);
            b && rendersTag(b->text(), b->textFormat(), tag))
            found << name + QStringLiteral(": ") + b->text();
        // A chart's title and its legend's labels are HTML.
        if (const auto *cv = qobject_cast<const QChartView *>(w); cv && cv->chart()) {
            if (rendersTag(cv->chart()->title(), Qt::RichText, tag))
                found << name + QStringLiteral(" chart title");
            for (const QAbstractSeries *series : cv->chart()->series())
                if (rendersTag(series->name(), Qt::RichText, tag))
                    found << name + QStringLiteral(" legend label");
        }
        if (const auto *t = qobject_cast<const QTabBar *>(w))
            for (int i = 0; i < t->count(); ++i)
                if (rendersTag(t->tabToolTip(i), Qt::AutoText, tag))
                    found << name + QStringLiteral(" tab tool tip");
        // A browser shows the planted text literally when its plain text still holds the tag.
        if (const auto *t = qobject_cast<const QTextBrowser *>(w)) {
            const QString plain = t->toPlainText();
            const QString word = tag.mid(tag.indexOf(QLatin1Char('>')) + 1);
            if (plain.contains(word) && !plain.contains(tag)) found << name + QStringLiteral(" rendered it");
        }
        if (const auto *v = qobject_cast<const QAbstractItemView *>(w); v && v->model()) {
            int budget = 5000;
            modelToolTips(v->model(), v->rootIndex(), tag, name, found, budget);
        }
    }
    found.removeDuplicates();
    return found;
}

/// Whether `text` holds a character a text view or terminal acts on instead of showing (a bidi
/// override, a zero-width or tag character, ESC, CR…); newline and tab are layout. Decides with
/// core's isControlCharacter, code point by code point (a tag character is a surrogate pair).
inline bool holdsRawControl(const QString &text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t u = text[i].unicode();
        if (QChar::isHighSurrogate(u) && i + 1 < text.size() &&
            QChar::isLowSurrogate(text[i + 1].unicode())) {
            u = QChar::surrogateToUcs4(text[i].unicode(), text[i + 1].unicode());
            ++i;
        }
        if (u != u'\n' && u != u'\t' && isControlCharacter(u)) return true;
    }
    return false;
}

inline void modelRawControls(const QAbstractItemView *v, const QModelIndex &parent, const QString &where,
                             QStringList &found, int &budget)
{
    const QAbstractItemModel *m = v->model();
    for (int r = 0; r < m->rowCount(parent) && budget > 0; ++r, --budget) {
        for (int c = 0; c < m->columnCount(parent); ++c) {
            const QModelIndex i = m->index(r, c, parent);
            // What the cell shows is its delegate's display text (Qt writes a newline as U+2028 there).
            const auto *d = qobject_cast<const QStyledItemDelegate *>(v->itemDelegateForIndex(i));
            const QVariant shown = i.data(Qt::DisplayRole);
            const QString cell =
                (d ? d->displayText(shown, QLocale()) : shown.toString()).replace(QChar(0x2028), u'\n');
            const QString tip = i.data(Qt::ToolTipRole).toString();
            if (holdsRawControl(cell) || holdsRawControl(tip)) {
                found << QStringLiteral("%1 %2 (row %3 column %4, and maybe more)")
                             .arg(where,
                                  holdsRawControl(cell) ? QStringLiteral("cell") : QStringLiteral("tool tip"))
                             .arg(r)
                             .arg(c);
                budget = 0;
                return;
            }
        }
        modelRawControls(v, m->index(r, 0, parent), where, found, budget);
    }
}

/// Every label, button, group title, tab, tool tip, window title, text view and item view cell
/// under `root` that shows a control character raw; empty when each writes them visibly.
inline QStringList rawControls(const QWidget *root)
{
    QStringList found;
    for (const QWidget *w : widgetTree(root)) {
        const QString name = widgetName(w);
        QStringList texts{w->toolTip(), w->windowTitle()};
        for (const QAction *a : w->actions())
            texts << a->text() << a->toolTip();
        if (const auto *l = qobject_cast<const QLabel *>(w)) texts << l->text();
        if (const auto *b = qobject_cast<const QAbstractButton *>(w)) texts << b->text();
        if (const auto *g = qobject_cast<const QGroupBox *>(w)) texts << g->title();
        if (const auto *b = qobject_cast<const QMessageBox *>(w)) texts << b->text() << b->informativeText();
        if (const auto *t = qobject_cast<const QTabBar *>(w))
            for (int i = 0; i < t->count(); ++i)
                texts << t->tabText(i) << t->tabToolTip(i);
        if (const auto *cv = qobject_cast<const QChartView *>(w); cv && cv->chart()) {
            texts << cv->chart()->title();
            for (const QAbstractSeries *series : cv->chart()->series())
                texts << series->name();
        }
        if (const auto *t = qobject_cast<const QTextEdit *>(w)) texts << t->toPlainText();
        if (const auto *t = qobject_cast<const QPlainTextEdit *>(w)) texts << t->toPlainText();
        for (const QString &t : texts)
            if (holdsRawControl(t)) {
                found << name + QStringLiteral(": ") + visibleControls(t).left(200);
                break;
            }
        // A header view shares its table's model (its sections are the header data, ours).
        if (const auto *v = qobject_cast<const QAbstractItemView *>(w);
            v && v->model() && !qobject_cast<const QHeaderView *>(w)) {
            int budget = 5000;
            modelRawControls(v, v->rootIndex(), name, found, budget);
        }
    }
    found.removeDuplicates();
    return found;
}

} // namespace ikev2wb::ui
