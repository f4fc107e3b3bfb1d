#include "theme.h"

namespace ikev2wb::ui {

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Active, QPalette::Base).lightnessF() < 0.5;
}

QColor statusColor(StepStatus s, const QPalette &palette)
{
    const bool dark = isDarkPalette(palette);
    switch (s) {
    case StepStatus::Pass:
        return dark ? QColor(0x56, 0xd3, 0x64) : QColor(0x1e, 0x7b, 0x34);
    case StepStatus::NotEnoughEvidence:
        return dark ? QColor(0x9a, 0xa4, 0xad) : QColor(0x6c, 0x75, 0x7d);
    case StepStatus::Warn:
        return dark ? QColor(0xe3, 0xb3, 0x41) : QColor(0xa0, 0x5a, 0x00);
    case StepStatus::Fail:
        return dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc6, 0x28, 0x28);
    }
    return palette.color(QPalette::Text);
}

QColor otherEndColor(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0x5e, 0xd6, 0xc4) : QColor(0x00, 0x7d, 0x6e);
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
