#pragma once
// The base of the models the main window feeds with every batch of lab events and every
// snapshot (LeadershipHistory, FailoverStats): a batch is handled event by event, then
// announced once with changed().

#include "backend/lab_types.h"

#include <QObject>

namespace baton::lab {

class LabFeed : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /// Events in time order (a late one counts as happening at the latest time seen); changed()
    /// once after a batch that held any.
    void addEvents(const QVector<LabEvent>& events);
    /// Lab time moves to `snapshot.now`.
    virtual void setSnapshot(const ClusterSnapshot& snapshot) = 0;
    /// Forgets everything, as at the start of a run.
    virtual void clear() = 0;

Q_SIGNALS:
    void changed();

protected:
    virtual void handle(const LabEvent& event) = 0;
    /// After a batch is handled, before changed().
    virtual void batchHandled() {}
};

} // namespace baton::lab
