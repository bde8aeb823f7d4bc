#include "log/event_filter_model.h"

#include "log/event_log_model.h"

namespace baton::lab {

EventFilterModel::EventFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent) {}

void EventFilterModel::setElectorFilter(const QSet<QString>& identities) {
    if (identities == m_electors)
        return;
    m_electors = identities;
    invalidateFilter();
}

void EventFilterModel::setEventFilter(const QSet<QString>& names) {
    if (names == m_events)
        return;
    m_events = names;
    invalidateFilter();
}

void EventFilterModel::setHideRoutine(bool hide) {
    if (hide == m_hideRoutine)
        return;
    m_hideRoutine = hide;
    invalidateFilter();
}

bool EventFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QAbstractItemModel* source = sourceModel();
    if (source == nullptr)
        return false;
    const QModelIndex row = source->index(sourceRow, EventLogModel::Event, sourceParent);
    if (!m_electors.isEmpty() &&
        !m_electors.contains(row.data(EventLogModel::IdentityRole).toString()))
        return false;
    if (!m_events.isEmpty() && !m_events.contains(row.data(EventLogModel::NameRole).toString()) &&
        !m_events.contains(row.data(Qt::DisplayRole).toString()))
        return false;
    const QString name = row.data(EventLogModel::NameRole).toString();
    if (m_hideRoutine && name == u"extended" && !m_events.contains(name))
        return false;
    return true;
}

} // namespace baton::lab
