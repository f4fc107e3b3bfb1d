#include "theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

#include <array>

namespace ikev2wb::ui {

namespace {
struct Pair
{
    QRgb light; // on a light Base (white-ish): dark shades
    QRgb dark;  // on a dark Base: light shades
};

// Contrast against white (light) and against #1e1f22 (dark), WCAG relative luminance: every
// entry ≥ 4.5:1 (checked in tst_chartmath's themeContrast).
constexpr std::array<Pair, std::size_t(ColorRole::Count_)> kRoles{{
    {0xffc62828, 0xffff7b72}, // Bad
    {0xff9a5200, 0xffe3b341}, // Warning
    {0xff1e7b34, 0xff56d364}, // Good
    {0xff5f6368, 0xff9aa4ad}, // Muted
    {0xff1f4e9a, 0xff6cb4ff}, // Primary
    {0xff1b6b45, 0xff7dd87d}, // Secondary
    {0xff8e24aa, 0xffd2a8ff}, // Accent
    {0xff006d80, 0xff39c5cf}, // Tertiary
}};

struct Startup
{
    bool saved = false;
    QString styleName;
    QPalette palette;
};

Startup &startup()
{
    static Startup s;
    return s;
}
} // namespace

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Active, QPalette::Base).lightnessF() < 0.5;
}

QColor roleColor(ColorRole role, const QPalette &palette)
{
    const std::size_t i = std::size_t(role) < kRoles.size() ? std::size_t(role) : 0;
    return QColor::fromRgb(isDarkPalette(palette) ? kRoles[i].dark : kRoles[i].light);
}

QString roleCss(ColorRole role, const QPalette &palette)
{
    return roleColor(role, palette).name(QColor::HexRgb);
}

QColor statusColor(StepStatus s, const QPalette &palette)
{
    switch (s) {
    case StepStatus::Pass:
        return roleColor(ColorRole::Good, palette);
    case StepStatus::NotEnoughEvidence:
        return roleColor(ColorRole::Muted, palette);
    case StepStatus::Warn:
        return roleColor(ColorRole::Warning, palette);
    case StepStatus::Fail:
        return roleColor(ColorRole::Bad, palette);
    }
    return palette.color(QPalette::Text);
}

QColor otherEndColor(const QPalette &palette)
{
    return roleColor(ColorRole::Secondary, palette);
}

ThemeChoice themeChoice(const QString &name)
{
    if (name == QLatin1String("light")) return ThemeChoice::Light;
    if (name == QLatin1String("dark")) return ThemeChoice::Dark;
    return ThemeChoice::System;
}

QPalette lightPalette()
{
    QStyle *fusion = QStyleFactory::create(QStringLiteral("Fusion"));
    QPalette p = fusion ? fusion->standardPalette() : QPalette();
    delete fusion;
    return p;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xdf, 0xe1, 0xe5);
    const QColor disabled(0x6e, 0x72, 0x78);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x7b, 0x72));
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xd2, 0xa8, 0xff));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x65, 0xca));
    p.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x90, 0x96));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x52));
    p.setColor(QPalette::Midlight, QColor(0x3a, 0x3d, 0x41));
    p.setColor(QPalette::Mid, QColor(0x45, 0x48, 0x4d));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, QColor(0x0a, 0x0a, 0x0b));
    for (auto role : {QPalette::Text, QPalette::WindowText, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

void applyTheme(ThemeChoice choice)
{
    Startup &s = startup();
    if (!s.saved) {
        s.saved = true;
        s.styleName = QApplication::style() ? QApplication::style()->name() : QString();
        s.palette = QApplication::palette();
    }
    switch (choice) {
    case ThemeChoice::System:
        if (!s.styleName.isEmpty()) QApplication::setStyle(QStyleFactory::create(s.styleName));
        QApplication::setPalette(s.palette);
        break;
    case ThemeChoice::Light:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(lightPalette());
        break;
    case ThemeChoice::Dark:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
        break;
    }
}

QPalette invalidInputPalette(const QPalette &palette)
{
    QPalette out = palette;
    const QColor fail = statusColor(StepStatus::Fail, palette);
    for (const auto group : {QPalette::Active, QPalette::Inactive}) {
        const QColor base = palette.color(group, QPalette::Base);
        // A quarter of the failure colour over the background: clearly red, text still legible.
        const QColor tinted = QColor::fromRgbF(base.redF() * 0.75f + fail.redF() * 0.25f,
                                               base.greenF() * 0.75f + fail.greenF() * 0.25f,
                                               base.blueF() * 0.75f + fail.blueF() * 0.25f);
        out.setColor(group, QPalette::Base, tinted);
    }
    return out;
}

} // namespace ikev2wb::ui
