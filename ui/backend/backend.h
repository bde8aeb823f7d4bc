#pragma once
// A source of electors for the lab: the simulated cluster or a Redis. A backend lives on a
// thread of its own (never the GUI thread: it is where store calls happen). The GUI talks to it
// only through queued calls of its slots and hears from it only through its signals.

#include "backend/lab_types.h"

#include <QObject>

namespace baton::lab {

class Backend : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~Backend() override = default;

    /// Starts producing snapshots (several per second of wall time) and events.
    virtual void begin() = 0;
    /// Carries out `action`, or emits actionRefused saying why not.
    virtual void act(const baton::lab::Action& action) = 0;

    // Time control; only the simulated backend has virtual time.
    virtual void setSpeed(double /*simulatedSecondsPerSecond*/) {}
    virtual void setTimePaused(bool /*paused*/) {}
    /// With time paused: handles the next event and shows the cluster after it.
    virtual void stepToNextEvent() {}
    /// Stops everything it started (electors, processes, threads); called before destruction,
    /// on the backend's thread.
    virtual void shutdown() {}

Q_SIGNALS:
    void snapshotReady(const baton::lab::ClusterSnapshot& snapshot);
    void eventsReady(const QVector<baton::lab::LabEvent>& events);
    void actionRefused(const QString& why);
};

} // namespace baton::lab
