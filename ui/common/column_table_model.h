#pragma once
// The base of the lab's table models: the columns' titles and tooltips come from one table, so
// a model only says how many rows it has and what is in them.

#include <QAbstractTableModel>

#include <span>

namespace baton::lab {

/// One column's header: its title and an optional tooltip (both untranslated source text;
/// translated in the model's context).
struct ColumnHeader {
    const char* title;
    const char* tooltip = nullptr;
};

class ColumnTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    /// `columns` must outlive the model (a static table of the derived class).
    ColumnTableModel(std::span<const ColumnHeader> columns, QObject* parent = nullptr);

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::span<const ColumnHeader> m_columns;
};

} // namespace baton::lab
