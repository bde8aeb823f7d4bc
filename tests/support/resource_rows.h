#pragma once
// Test support for suites that drive the lab's Resources view: a row as shown (sorted,
// filtered) and opening it as the operator does, with Enter.

#include "resources/resources_pane.h"

#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

namespace baton::test {

/// The row of `name` in the Resources view, as shown (after the proxy); -1 when not listed.
inline int shownRow(const lab::ResourcesPane& pane, const QString& name) {
    const QAbstractItemModel& m = *pane.proxy();
    for (int r = 0; r < m.rowCount(); ++r)
        if (m.index(r, lab::ResourceModel::Name).data(lab::ResourceModel::NameRole).toString() ==
            name)
            return r;
    return -1;
}

/// The text of `column` in the row of `name`, or "" when it is not listed.
inline QString shownCell(const lab::ResourcesPane& pane, const QString& name, int column) {
    const int row = shownRow(pane, name);
    return row < 0 ? QString() : pane.proxy()->index(row, column).data().toString();
}

/// Enter on the row of `name`: opens it.
inline void activate(lab::ResourcesPane& pane, const QString& name) {
    QTableView* table = pane.table();
    table->setFocus();
    table->setCurrentIndex(pane.proxy()->index(shownRow(pane, name), 0));
    QTest::keyClick(table, Qt::Key_Return);
}

} // namespace baton::test
