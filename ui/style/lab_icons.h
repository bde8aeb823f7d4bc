#pragma once
// The lab's icons: the desktop theme's where it has one, else a bundled SVG (resources/icons/),
// so the toolbar and the menus have pictures on any desktop and in screenshots.

#include <QIcon>
#include <QString>

class QWidget;

namespace baton::lab {

/// The theme icon `themeName` (freedesktop naming: "media-playback-pause"), falling back to the
/// bundled ":/icons/<themeName>.svg"; a null icon when neither exists.
QIcon labIcon(const QString& themeName);
/// The theme icon name for an action of the window by its object name ("killLeader"), or an
/// empty string when it has none. Actions other parts add appear here by name too.
QString iconNameForAction(const QString& actionName);
/// Gives every QAction under `root` that has no icon yet the one iconNameForAction() names.
void applyActionIcons(QWidget* root);
/// The application's own icon (the hicolor SVG the desktop entry names).
QIcon applicationIcon();

} // namespace baton::lab
