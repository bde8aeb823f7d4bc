#pragma once
// Colours the lab's panels share: one per elector state and per kind of event, chosen to read on
// both light and dark palettes (mid tones, a lighter variant on dark backgrounds).

#include "backend/lab_types.h"

#include <QColor>

class QPalette;

namespace baton::lab {

/// True when the palette draws light text on a dark base.
bool isDarkPalette(const QPalette& palette);
/// isDarkPalette() of the application's palette; false without a GUI application.
bool darkPaletteInUse();

/// Leader green, follower neutral blue, paused amber, partitioned violet, crashed red, stopped
/// grey.
QColor stateColor(ElectorState state, bool dark);
/// The text colour of an event in the log; invalid (the view's default) for routine events.
QColor eventColor(const LabEvent& event, bool dark);
/// Text that says something is wrong (refused input, errors).
QColor errorColor(bool dark);

} // namespace baton::lab
