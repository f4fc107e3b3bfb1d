#pragma once
// Syntax highlighting of fix snippets (shell commands, nft rules, strongSwan configuration).
// KSyntaxHighlighting for Qt 6 (KF6) needs Qt >= 6.5 and is not packaged for Debian 12, so the
// default backend is a small QSyntaxHighlighter of our own. Pages only see SnippetHighlighting:
// a KF6 backend (Repository::definitionForName + themeForPalette) can plug in behind it.
#include "diagnose/diagnosis.h"

#include <QColor>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

#include <memory>

class QPalette;
class QTextDocument;

namespace ikev2wb::ui {

enum class SnippetLanguage { Plain, Shell, Nft, StrongSwanConf, IpsecConf };

/// Which syntax a fix snippet is written in.
SnippetLanguage snippetLanguage(FixKind kind);

/// Highlights snippet documents; one instance can serve many documents.
class SnippetHighlighting
{
public:
    virtual ~SnippetHighlighting() = default;
    /// Highlights `document` as `language` with colours that read on `palette`'s Base colour.
    /// The highlighter is owned by the document (Qt parent); attaching again replaces it.
    virtual void attach(QTextDocument *document, SnippetLanguage language, const QPalette &palette) = 0;

    /// The best backend available in this build (today: SnippetHighlighter below).
    static std::unique_ptr<SnippetHighlighting> create();
};

/// The formats of one theme, chosen for a light or a dark Base colour.
struct SnippetTheme
{
    QTextCharFormat comment, keyword, option, string, variable, number, section, key, placeholder;
    bool dark = false;
    static SnippetTheme forPalette(const QPalette &palette);
};

/// Our own backend: a line-based tokenizer per language (no multi-line constructs in snippets).
class SnippetHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    SnippetHighlighter(QTextDocument *document, SnippetLanguage language, const SnippetTheme &theme);
    [[nodiscard]] SnippetLanguage language() const { return m_language; }

protected:
    void highlightBlock(const QString &text) override;

private:
    void highlightShell(const QString &text, bool nft);
    void highlightConf(const QString &text, bool ipsecConf);
    void markPlaceholders(const QString &text);

    SnippetLanguage m_language;
    SnippetTheme m_theme;
};

} // namespace ikev2wb::ui
