#pragma once
// The Resources table's sorting: names in natural order ("shard-2" before "shard-10", case
// aside), as a file manager lists them; numbers (fences, TTLs, counts) by value.

#include <QCollator>
#include <QSortFilterProxyModel>

namespace baton::lab {

class ResourceSortProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ResourceSortProxy(QObject* parent = nullptr);

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QCollator m_collator;
};

} // namespace baton::lab
