// The theme helper (ui/theme/theme.h): every colour role readable on the views' backgrounds of
// both palettes, by the WCAG 2.1 contrast formula written out here (relative luminance of sRGB,
// ratio (L1 + 0.05) / (L2 + 0.05), 4.5:1 for normal text); and Preferences ▸ Theme applied to
// the application at once, System restoring what the application started with.
#include "settings/settingsdialog.h"
#include "settings/workbenchsettings.h"
#include "theme/theme.h"
#include "widgets/noticebar.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QStyle>
#include <QTest>

#include <cmath>

using namespace ikev2wb::ui;

namespace {
double channel(int c8)
{
    const double c = c8 / 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}
double luminance(const QColor &c)
{
    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue());
}
double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}
} // namespace

class TstTheme : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("ikev2wb-tst-theme"));
        WorkbenchSettings().setTheme(QStringLiteral("system"));
    }

    void rolesReadableOnBothPalettes()
    {
        for (const QPalette &pal : {lightPalette(), darkPalette()})
            for (int r = 0; r < int(ColorRole::Count_); ++r)
                for (auto bg : {QPalette::Base, QPalette::AlternateBase, QPalette::Window}) {
                    const double ratio = contrast(roleColor(ColorRole(r), pal), pal.color(bg));
                    QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("role %1 on %2 (%3 palette): %4:1")
                                                          .arg(r)
                                                          .arg(pal.color(bg).name())
                                                          .arg(isDarkPalette(pal) ? QStringLiteral("dark")
                                                                                  : QStringLiteral("light"))
                                                          .arg(ratio, 0, 'f', 2)));
                }
        // Light and dark shades differ (a dark Base gets the light shade).
        QVERIFY(roleColor(ColorRole::Bad, lightPalette()) != roleColor(ColorRole::Bad, darkPalette()));
        QCOMPARE(roleCss(ColorRole::Bad, lightPalette()), roleColor(ColorRole::Bad, lightPalette()).name());
    }
    /// A notice shown before the theme changes takes the new theme's "bad" colour with it.
    void noticeBarFollowsTheTheme()
    {
        NoticeBar bar;
        bar.setPalette(lightPalette());
        bar.addNotice(QStringLiteral("x.pcap"), QStringLiteral("cannot be opened"));
        bar.show();
        auto *text = bar.findChild<QLabel *>(QStringLiteral("noticeText"));
        QVERIFY(text);
        QCOMPARE(text->palette().color(QPalette::WindowText), roleColor(ColorRole::Bad, lightPalette()));
        bar.setPalette(darkPalette());
        QCOMPARE(text->palette().color(QPalette::WindowText), roleColor(ColorRole::Bad, darkPalette()));
        bar.setPalette(lightPalette());
        QCOMPARE(text->palette().color(QPalette::WindowText), roleColor(ColorRole::Bad, lightPalette()));
    }

    void preferencesApplyTheTheme()
    {
        const QPalette startup = QApplication::palette();
        const QString startupStyle = QApplication::style()->name();
        {
            SettingsDialog d;
            d.themeBox()->setCurrentIndex(d.themeBox()->findData(QStringLiteral("dark")));
            d.accept();
        }
        QVERIFY(isDarkPalette(QApplication::palette()));
        QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
        QCOMPARE(WorkbenchSettings().theme(), QStringLiteral("dark"));
        {
            SettingsDialog d;
            QCOMPARE(d.themeBox()->currentData().toString(), QStringLiteral("dark"));
            d.themeBox()->setCurrentIndex(d.themeBox()->findData(QStringLiteral("system")));
            d.accept();
        }
        QCOMPARE(QApplication::palette().color(QPalette::Base), startup.color(QPalette::Base));
        QCOMPARE(QApplication::style()->name(), startupStyle);
        QCOMPARE(WorkbenchSettings().theme(), QStringLiteral("system"));
        // A value nobody wrote reads as System.
        WorkbenchSettings s;
        s.setTheme(QStringLiteral("$(reboot)"));
        QCOMPARE(s.theme(), QStringLiteral("system"));
    }
};

QTEST_MAIN(TstTheme)
#include "tst_theme.moc"
