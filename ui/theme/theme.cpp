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

} // namespace ikev2wb::ui
