#include "common/column_table_model.h"

#include <QCoreApplication>

namespace baton::lab {

ColumnTableModel::ColumnTableModel(std::span<const ColumnHeader> columns, QObject* parent)
    : QAbstractTableModel(parent)
    , m_columns(columns) {}

int ColumnTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_columns.size());
}

QVariant ColumnTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    const ColumnHeader& c = m_columns[static_cast<std::size_t>(section)];
    const char* context = metaObject()->className();
    if (role == Qt::DisplayRole)
        return QCoreApplication::translate(context, c.title);
    if (role == Qt::ToolTipRole && c.tooltip)
        return QCoreApplication::translate(context, c.tooltip);
    return {};
}

} // namespace baton::lab
