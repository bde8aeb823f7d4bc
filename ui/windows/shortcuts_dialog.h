#pragma once
// Help > Keyboard shortcuts: every shortcut of the window, read from its actions when the dialog
// opens, so an action added anywhere (a new menu, a new window part) shows up by itself.

#include <QDialog>
#include <QList>
#include <QString>

class QAction;
class QMenuBar;
class QWidget;

namespace baton::lab {

/// One row of the list: where the action lives ("Elector", "File > Recent"), what it does and
/// its keys as the platform writes them ("Ctrl+O").
struct ShortcutRow {
    QString menu;
    QString action;
    QString keys;
};

/// Every action under `window` with a shortcut, in menu order (actions in no menu last, under
/// "Window"), each once; mnemonics ("&Kill") stripped.
QList<ShortcutRow> shortcutRows(const QWidget* window, const QMenuBar* menuBar);

class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    ShortcutsDialog(const QList<ShortcutRow>& rows, QWidget* parent = nullptr);
};

} // namespace baton::lab
