#pragma once
// Colours that carry meaning (pass / warn / fail ...) and the light/dark decision, in one place
// so every page reads the same in a light and a dark desktop theme.
#include "diagnose/diagnosis.h"

#include <QColor>
#include <QPalette>

namespace ikev2wb::ui {

/// True when the palette's Base (the background of views) is dark.
bool isDarkPalette(const QPalette &palette);

/// Colour of a checklist status, readable on the palette's Base.
QColor statusColor(StepStatus s, const QPalette &palette);

/// Colour of the other end's series in a pair's charts (this end's is the chart's own blue).
QColor otherEndColor(const QPalette &palette);

/// `palette` for an input whose text is invalid (a display filter that does not compile): the
/// Base tinted towards the failure colour, Text kept, in a light and a dark theme alike.
QPalette invalidInputPalette(const QPalette &palette);

} // namespace ikev2wb::ui
