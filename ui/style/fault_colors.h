#pragma once
// One colour per fault kind and failover cause, shared by the timeline and the statistics so a
// pause looks the same everywhere. Chosen to read on light and dark palettes alike.

#include <QColor>
#include <QString>

namespace baton::lab {

/// The colour of a fault kind ("crash", "pause", ...) or failover cause ("other"), opaque.
QColor faultColor(const QString& kind);
/// Red: two electors leading at once.
QColor overlapColor();

} // namespace baton::lab
