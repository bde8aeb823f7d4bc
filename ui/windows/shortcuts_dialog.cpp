#include "windows/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>

namespace baton::lab {

namespace {

QString plainText(QString text) {
    text.remove(QRegularExpression(QStringLiteral("&(?!&)")));
    text.replace(QStringLiteral("&&"), QStringLiteral("&"));
    if (text.endsWith(QStringLiteral("...")))
        text.chop(3);
    return text;
}

QString keysOf(const QAction* a) {
    QStringList keys;
    for (const QKeySequence& k : a->shortcuts())
        keys << k.toString(QKeySequence::NativeText);
    return keys.join(QStringLiteral(", "));
}

void collect(const QMenu* menu, const QString& where, QSet<const QAction*>& seen,
             QList<ShortcutRow>& rows) {
    for (const QAction* a : menu->actions()) {
        if (a->menu()) {
            collect(a->menu(), where + QStringLiteral(" > ") + plainText(a->text()), seen, rows);
            continue;
        }
        if (a->isSeparator() || a->shortcuts().isEmpty() || seen.contains(a))
            continue;
        seen.insert(a);
        rows.push_back({where, plainText(a->text()), keysOf(a)});
    }
}

} // namespace

QList<ShortcutRow> shortcutRows(const QWidget* window, const QMenuBar* menuBar) {
    QList<ShortcutRow> rows;
    QSet<const QAction*> seen;
    if (menuBar)
        for (const QAction* top : menuBar->actions())
            if (top->menu())
                collect(top->menu(), plainText(top->text()), seen, rows);
    for (const QAction* a : window->findChildren<QAction*>()) {
        if (a->shortcuts().isEmpty() || seen.contains(a) || a->menu())
            continue;
        seen.insert(a);
        rows.push_back({QObject::tr("Window"), plainText(a->text()), keysOf(a)});
    }
    return rows;
}

ShortcutsDialog::ShortcutsDialog(const QList<ShortcutRow>& rows, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Keyboard shortcuts"));
    setObjectName(QStringLiteral("shortcutsDialog"));
    auto* table = new QTableWidget(int(rows.size()), 3, this);
    table->setObjectName(QStringLiteral("shortcutTable"));
    table->setHorizontalHeaderLabels({tr("Keys"), tr("Action"), tr("Menu")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    for (int i = 0; i < rows.size(); ++i) {
        table->setItem(i, 0, new QTableWidgetItem(rows[i].keys));
        table->setItem(i, 1, new QTableWidgetItem(rows[i].action));
        table->setItem(i, 2, new QTableWidgetItem(rows[i].menu));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    auto* note = new QLabel(tr("Elector keys act on the selected elector: click it, or move "
                               "through the cluster with the arrow keys (Esc: none)."),
                            this);
    note->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(table);
    layout->addWidget(note);
    layout->addWidget(buttons);
    int width = table->verticalScrollBar()->sizeHint().width() + 40;
    for (int c = 0; c < 3; ++c)
        width += table->columnWidth(c);
    resize(std::max(width, 420), std::min(720, 140 + int(rows.size()) * table->rowHeight(0)));
}

} // namespace baton::lab
