#include "resources/resource_sort_proxy.h"

namespace baton::lab {

ResourceSortProxy::ResourceSortProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
    // The user's collation; under the C locale (a bare shell, CI) English, because Qt's C
    // collator compares code points and has no numeric mode.
    , m_collator(QLocale().language() == QLocale::C ? QLocale(QLocale::English) : QLocale()) {
    m_collator.setNumericMode(true);
    m_collator.setCaseSensitivity(Qt::CaseInsensitive);
}

bool ResourceSortProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    const QVariant a = left.data(sortRole());
    const QVariant b = right.data(sortRole());
    if (a.userType() == QMetaType::QString && b.userType() == QMetaType::QString) {
        const QString x = a.toString();
        const QString y = b.toString();
        const int order = m_collator.compare(x, y);
        return order != 0 ? order < 0 : x < y; // "Jobs" and "jobs" in a fixed order
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace baton::lab
