#pragma once
// Colours that carry meaning and the light/dark decision, in one place, so that every page, chart
// and rich-text label reads the same in a light and a dark theme. Pages never write a colour
// literal: they ask for a role, resolved against the palette they draw on (a darker shade on a
// light Base, a lighter one on a dark Base, each with at least 4.5:1 contrast against it).
#include "diagnose/diagnosis.h"

#include <QColor>
#include <QPalette>
#include <QString>

#include <cstdint>

namespace ikev2wb::ui {

/// What a colour means.
enum class ColorRole : std::uint8_t {
    Bad,       // loss, failures, lost packets, unanswered requests
    Warning,   // warn status, reordering, retransmissions, problem events
    Good,      // pass, responses
    Muted,     // not enough evidence, secondary text, ordinary events
    Primary,   // the main series (sequence numbers, requests, side A)
    Secondary, // the second series (side B)
    Accent,    // a third hue (duplicates, NAT events)
    Tertiary, // a fourth hue, cyan (a series beside the others' hues: IKE packets/s on the Evidence timeline)
    Count_
};

/// True when the palette's Base (the background of views) is dark.
bool isDarkPalette(const QPalette &palette);

/// The colour of `role` on `palette`'s Base.
QColor roleColor(ColorRole role, const QPalette &palette);
/// The same as "#rrggbb" for rich text (labels, the details pane).
QString roleCss(ColorRole role, const QPalette &palette);

/// Colour of a checklist status, readable on the palette's Base.
QColor statusColor(StepStatus s, const QPalette &palette);

/// Colour of the other end's series in a pair's charts (this end's is the chart's own blue).
QColor otherEndColor(const QPalette &palette);

/// `palette` for an input whose text is invalid (a display filter that does not compile): the
/// Base tinted towards the failure colour, Text kept, in a light and a dark theme alike.
QPalette invalidInputPalette(const QPalette &palette);

/// Edit ▸ Preferences ▸ Appearance.
enum class ThemeChoice : std::uint8_t { System, Light, Dark };

/// "light" / "dark" / anything else (System), as WorkbenchSettings::theme() stores it.
ThemeChoice themeChoice(const QString &name);

/// The Fusion palettes the Light and Dark choices use.
QPalette lightPalette();
QPalette darkPalette();

/// Applies `choice` to the application: System restores the style and palette the application
/// started with; Light and Dark use the Fusion style with the palettes above. Widgets built
/// afterwards take the new colours; charts of tabs already open keep theirs until reopened.
void applyTheme(ThemeChoice choice);

} // namespace ikev2wb::ui
