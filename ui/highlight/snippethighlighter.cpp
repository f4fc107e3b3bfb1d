#include "snippethighlighter.h"

#include "theme/theme.h"

#include <QPalette>
#include <QSet>
#include <QTextDocument>

namespace ikev2wb::ui {

SnippetLanguage snippetLanguage(FixKind kind)
{
    switch (kind) {
    case FixKind::Iptables:
    case FixKind::IpLink:
    case FixKind::Sysctl:
    case FixKind::Ethtool:
        return SnippetLanguage::Shell;
    case FixKind::Nftables:
        return SnippetLanguage::Nft;
    case FixKind::Swanctl:
    case FixKind::StrongswanConf: // strongswan.conf and swanctl.conf share one syntax
        return SnippetLanguage::StrongSwanConf;
    case FixKind::IpsecConf:
        return SnippetLanguage::IpsecConf;
    case FixKind::ClientSettings:
        return SnippetLanguage::Plain;
    }
    return SnippetLanguage::Plain;
}

namespace {

QTextCharFormat fmt(const QColor &fg, bool bold = false, bool italic = false)
{
    QTextCharFormat f;
    f.setForeground(fg);
    if (bold) f.setFontWeight(QFont::Bold);
    f.setFontItalic(italic);
    return f;
}

class QSyntaxBackend final : public SnippetHighlighting
{
public:
    void attach(QTextDocument *document, SnippetLanguage language, const QPalette &palette) override
    {
        if (!document) return;
        // One highlighter per document: a palette change re-attaches with the new theme.
        const auto old = document->findChildren<SnippetHighlighter *>(Qt::FindDirectChildrenOnly);
        for (SnippetHighlighter *h : old) {
            h->setDocument(nullptr);
            delete h;
        }
        new SnippetHighlighter(document, language, SnippetTheme::forPalette(palette));
    }
};

const QSet<QString> &shellCommands()
{
    static const QSet<QString> words{
        QStringLiteral("iptables"), QStringLiteral("ip6tables"), QStringLiteral("nft"),
        QStringLiteral("ip"),       QStringLiteral("sysctl"),    QStringLiteral("ethtool"),
        QStringLiteral("swanctl"),  QStringLiteral("ipsec"),     QStringLiteral("systemctl"),
        QStringLiteral("tcpdump"),  QStringLiteral("sudo"),      QStringLiteral("echo"),
        QStringLiteral("cat"),      QStringLiteral("grep"),      QStringLiteral("printf"),
        QStringLiteral("tee"),      QStringLiteral("if"),        QStringLiteral("then"),
        QStringLiteral("else"),     QStringLiteral("fi"),        QStringLiteral("for"),
        QStringLiteral("do"),       QStringLiteral("done"),      QStringLiteral("modprobe"),
        QStringLiteral("ss"),       QStringLiteral("ping")};
    return words;
}

const QSet<QString> &nftKeywords()
{
    static const QSet<QString> words{
        QStringLiteral("add"),     QStringLiteral("insert"),  QStringLiteral("delete"),
        QStringLiteral("list"),    QStringLiteral("flush"),   QStringLiteral("table"),
        QStringLiteral("chain"),   QStringLiteral("rule"),    QStringLiteral("inet"),
        QStringLiteral("ip"),      QStringLiteral("ip6"),     QStringLiteral("type"),
        QStringLiteral("filter"),  QStringLiteral("hook"),    QStringLiteral("forward"),
        QStringLiteral("input"),   QStringLiteral("output"),  QStringLiteral("priority"),
        QStringLiteral("policy"),  QStringLiteral("accept"),  QStringLiteral("drop"),
        QStringLiteral("reject"),  QStringLiteral("mangle"),  QStringLiteral("tcp"),
        QStringLiteral("udp"),     QStringLiteral("esp"),     QStringLiteral("flags"),
        QStringLiteral("syn"),     QStringLiteral("option"),  QStringLiteral("maxseg"),
        QStringLiteral("size"),    QStringLiteral("set"),     QStringLiteral("rt"),
        QStringLiteral("mtu"),     QStringLiteral("oifname"), QStringLiteral("iifname"),
        QStringLiteral("counter"), QStringLiteral("meta"),    QStringLiteral("l4proto"),
        QStringLiteral("dport"),   QStringLiteral("sport"),   QStringLiteral("saddr"),
        QStringLiteral("daddr"),   QStringLiteral("ipsec"),   QStringLiteral("protocol"),
        QStringLiteral("in"),      QStringLiteral("out")};
    return words;
}

const QSet<QString> &ipsecConfSections()
{
    static const QSet<QString> words{QStringLiteral("conn"), QStringLiteral("config"), QStringLiteral("ca"),
                                     QStringLiteral("include"), QStringLiteral("version")};
    return words;
}

bool isNumber(QStringView w)
{
    // 1400, 4.0, 10s, 20m, 1h, 0x1f: numbers with an optional unit the snippets use
    if (w.isEmpty() || !w.front().isDigit()) return false;
    qsizetype i = 0;
    if (w.startsWith(u"0x")) {
        for (i = 2; i < w.size(); ++i)
            if (!w[i].isDigit() && !QStringView(u"abcdefABCDEF").contains(w[i])) return false;
        return true;
    }
    while (i < w.size() && (w[i].isDigit() || w[i] == QLatin1Char('.')))
        ++i;
    return i == w.size() || (i == w.size() - 1 && QStringView(u"smhdkKMG").contains(w[i]));
}

bool isWordBreak(QChar c)
{
    return c.isSpace() || QStringView(u";|&'\"(){}").contains(c);
}

} // namespace

std::unique_ptr<SnippetHighlighting> SnippetHighlighting::create()
{
    return std::make_unique<QSyntaxBackend>();
}

SnippetTheme SnippetTheme::forPalette(const QPalette &palette)
{
    SnippetTheme t;
    // Decide on the colour the snippet is drawn on, not on the window: a dark Base needs light ink.
    t.dark = isDarkPalette(palette);
    if (t.dark) {
        t.comment = fmt(QColor(0x8b, 0x94, 0x9e), false, true);
        t.keyword = fmt(QColor(0x79, 0xc0, 0xff), true);
        t.option = fmt(QColor(0x7e, 0xe7, 0x87));
        t.string = fmt(QColor(0xff, 0xa6, 0x57));
        t.variable = fmt(QColor(0xd2, 0xa8, 0xff));
        t.number = fmt(QColor(0xf2, 0xcc, 0x60));
        t.section = fmt(QColor(0x79, 0xc0, 0xff), true);
        t.key = fmt(QColor(0x56, 0xd4, 0xdd));
        t.placeholder = fmt(QColor(0xff, 0xe0, 0x8a), true);
        t.placeholder.setBackground(QColor(0x5c, 0x44, 0x00));
    } else {
        t.comment = fmt(QColor(0x5f, 0x6b, 0x76), false, true);
        t.keyword = fmt(QColor(0x0b, 0x4f, 0x9c), true);
        t.option = fmt(QColor(0x11, 0x6f, 0x2f));
        t.string = fmt(QColor(0xa3, 0x3b, 0x00));
        t.variable = fmt(QColor(0x7a, 0x3e, 0xc8));
        t.number = fmt(QColor(0x9a, 0x4d, 0x00));
        t.section = fmt(QColor(0x0b, 0x4f, 0x9c), true);
        t.key = fmt(QColor(0x00, 0x5f, 0x73));
        t.placeholder = fmt(QColor(0x6b, 0x3d, 0x00), true);
        t.placeholder.setBackground(QColor(0xff, 0xe8, 0x8c));
    }
    return t;
}

SnippetHighlighter::SnippetHighlighter(QTextDocument *document, SnippetLanguage language,
                                       const SnippetTheme &theme)
    : QSyntaxHighlighter(document), m_language(language), m_theme(theme)
{
    rehighlight(); // the base constructor ran before m_language was set
}

void SnippetHighlighter::highlightBlock(const QString &text)
{
    switch (m_language) {
    case SnippetLanguage::Plain:
        break;
    case SnippetLanguage::Shell:
        highlightShell(text, false);
        break;
    case SnippetLanguage::Nft:
        highlightShell(text, true);
        break;
    case SnippetLanguage::StrongSwanConf:
        highlightConf(text, false);
        break;
    case SnippetLanguage::IpsecConf:
        highlightConf(text, true);
        break;
    }
    markPlaceholders(text);
}

void SnippetHighlighter::highlightShell(const QString &text, bool nft)
{
    const qsizetype n = text.size();
    bool commandPosition = true; // the next word is a command name
    qsizetype i = 0;
    while (i < n) {
        const QChar c = text[i];
        if (c.isSpace()) {
            ++i;
            continue;
        }
        if (c == QLatin1Char('#')) { // only reached at the start of a word
            setFormat(int(i), int(n - i), m_theme.comment);
            return;
        }
        if (c == QLatin1Char('\'') || c == QLatin1Char('"')) {
            qsizetype j = i + 1;
            while (j < n && text[j] != c)
                j += (c == QLatin1Char('"') && text[j] == QLatin1Char('\\')) ? 2 : 1;
            j = std::min(j + 1, n);
            setFormat(int(i), int(j - i), m_theme.string);
            if (c == QLatin1Char('"')) // variables expand inside double quotes
                for (qsizetype k = i; k < j; ++k)
                    if (text[k] == QLatin1Char('$')) setFormat(int(k), 1, m_theme.variable);
            i = j;
            commandPosition = false;
            continue;
        }
        if (c == QLatin1Char('$')) {
            qsizetype j = i + 1;
            if (j < n && (text[j] == QLatin1Char('{') || text[j] == QLatin1Char('('))) {
                const QChar close = text[j] == QLatin1Char('{') ? QLatin1Char('}') : QLatin1Char(')');
                while (j < n && text[j] != close)
                    ++j;
                j = std::min(j + 1, n);
            } else if (j < n && QStringView(u"@#?*!$-0123456789").contains(text[j])) {
                ++j;
            } else {
                while (j < n && (text[j].isLetterOrNumber() || text[j] == QLatin1Char('_')))
                    ++j;
            }
            setFormat(int(i), int(j - i), m_theme.variable);
            i = j;
            commandPosition = false;
            continue;
        }
        if (QStringView(u";|&(){}").contains(c)) {
            commandPosition = c != QLatin1Char('{') && c != QLatin1Char('}');
            ++i;
            continue;
        }
        qsizetype j = i;
        while (j < n && !isWordBreak(text[j]))
            ++j;
        const QString word = text.mid(i, j - i);
        if (word.size() > 1 && word.front() == QLatin1Char('-') && !word[1].isDigit()) {
            // -o, --set-mss, -w; an '=' value after a long option stays plain
            const qsizetype eq = word.indexOf(QLatin1Char('='));
            setFormat(int(i), int(eq > 0 ? eq : word.size()), m_theme.option);
        } else if (commandPosition && shellCommands().contains(word)) {
            setFormat(int(i), int(word.size()), m_theme.keyword);
        } else if (nft && nftKeywords().contains(word)) {
            setFormat(int(i), int(word.size()), m_theme.keyword);
        } else if (isNumber(word)) {
            setFormat(int(i), int(word.size()), m_theme.number);
        } else if (const qsizetype eq = word.indexOf(QLatin1Char('=')); eq > 0) {
            // sysctl net.ipv4.ip_no_pmtu_disc=0: the key like a config key, the value as a value
            setFormat(int(i), int(eq), m_theme.key);
            if (isNumber(QStringView(word).mid(eq + 1)))
                setFormat(int(i + eq + 1), int(word.size() - eq - 1), m_theme.number);
        }
        commandPosition = word == QLatin1String("sudo") || word == QLatin1String("then") ||
                          word == QLatin1String("do") || word == QLatin1String("else");
        i = j;
    }
}

void SnippetHighlighter::highlightConf(const QString &text, bool ipsecConf)
{
    // A '#' outside quotes starts a comment in both strongswan.conf and ipsec.conf.
    qsizetype end = text.size();
    bool quoted = false;
    for (qsizetype k = 0; k < text.size(); ++k) {
        if (text[k] == QLatin1Char('"')) quoted = !quoted;
        if (!quoted && text[k] == QLatin1Char('#')) {
            end = k;
            setFormat(int(k), int(text.size() - k), m_theme.comment);
            break;
        }
    }
    const QStringView code = QStringView(text).left(end);
    qsizetype start = 0;
    while (start < code.size() && code[start].isSpace())
        ++start;
    if (start == code.size()) return;

    auto markValue = [&](qsizetype from) {
        while (from < code.size() && code[from].isSpace())
            ++from;
        qsizetype to = code.size();
        while (to > from && code[to - 1].isSpace())
            --to;
        const QStringView v = code.mid(from, to - from);
        if (v.isEmpty()) return;
        if (v.front() == QLatin1Char('"'))
            setFormat(int(from), int(v.size()), m_theme.string);
        else if (v.front() == QLatin1Char('%'))
            setFormat(int(from), int(v.size()), m_theme.variable); // ipsec.conf %forever, %any
        else if (isNumber(v))
            setFormat(int(from), int(v.size()), m_theme.number);
    };

    const qsizetype eq = code.indexOf(QLatin1Char('='), start);
    if (eq > 0) {
        qsizetype keyEnd = eq;
        while (keyEnd > start && code[keyEnd - 1].isSpace())
            --keyEnd;
        setFormat(int(start), int(keyEnd - start), m_theme.key);
        markValue(eq + 1);
        return;
    }
    if (ipsecConf) {
        // "conn lab", "config setup", "ca name" at column 0
        qsizetype w = start;
        while (w < code.size() && !code[w].isSpace())
            ++w;
        if (start == 0 && ipsecConfSections().contains(code.mid(0, w).toString())) {
            setFormat(0, int(w), m_theme.keyword);
            qsizetype nameStart = w;
            while (nameStart < code.size() && code[nameStart].isSpace())
                ++nameStart;
            setFormat(int(nameStart), int(code.size() - nameStart), m_theme.section);
        }
        return;
    }
    // strongswan.conf / swanctl.conf: "name {" opens a section
    const qsizetype brace = code.indexOf(QLatin1Char('{'), start);
    if (brace > start) {
        qsizetype nameEnd = brace;
        while (nameEnd > start && code[nameEnd - 1].isSpace())
            --nameEnd;
        setFormat(int(start), int(nameEnd - start), m_theme.section);
    }
}

void SnippetHighlighter::markPlaceholders(const QString &text)
{
    // <wan-interface>, <connection>: names the diagnosis could not know; they must be replaced.
    qsizetype from = 0;
    while ((from = text.indexOf(QLatin1Char('<'), from)) >= 0) {
        const qsizetype close = text.indexOf(QLatin1Char('>'), from + 1);
        if (close < 0) return;
        const QStringView inner = QStringView(text).mid(from + 1, close - from - 1);
        const bool name = !inner.isEmpty() && std::all_of(inner.begin(), inner.end(), [](QChar ch) {
            return ch.isLetterOrNumber() || ch == QLatin1Char('-') || ch == QLatin1Char('_');
        });
        if (!name) {
            from = from + 1;
            continue;
        }
        setFormat(int(from), int(close - from + 1), m_theme.placeholder);
        from = close + 1;
    }
}

} // namespace ikev2wb::ui
