#pragma once
// Narrows the event log to some electors and some kinds of event, for the log view.

#include <QSet>
#include <QSortFilterProxyModel>
#include <QString>

namespace baton::lab {

/// A proxy over EventLogModel (or any model with its IdentityRole and NameRole) that keeps the
/// rows whose identity is in the elector filter and whose event is in the event filter. An empty
/// filter keeps everything.
class EventFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit EventFilterModel(QObject* parent = nullptr);

    /// Elector identities to keep; rows without an identity (the lab's own) go when it is set.
    void setElectorFilter(const QSet<QString>& identities);
    /// Event names to keep: "elected", "crash", ... or the log's label ("fault: crash").
    void setEventFilter(const QSet<QString>& names);
    /// Hides the routine rows (a leader's "extended", one a refresh interval) unless the event
    /// filter asks for them by name.
    void setHideRoutine(bool hide);
    bool hidesRoutine() const { return m_hideRoutine; }
    QSet<QString> electorFilter() const { return m_electors; }
    QSet<QString> eventFilter() const { return m_events; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QSet<QString> m_electors;
    QSet<QString> m_events;
    bool m_hideRoutine = false;
};

} // namespace baton::lab
