#pragma once
// A source of electors for the lab: the simulated cluster or a Redis. A backend lives on a
// thread of its own (never the GUI thread: it is where store calls happen). The GUI talks to it
// only through queued calls of its slots and hears from it only through its signals.

#include "backend/lab_types.h"

#include <QObject>

namespace baton::lab {

/// What the operator asks for. Unused fields are ignored.
struct Action {
    enum class Kind : quint8 {
        Kill,       ///< crash: no release (agent: SIGKILL)
        Stop,       ///< graceful stop (agent: SIGTERM)
        Start,      ///< start a stopped or crashed elector again
        Pause,      ///< freeze for `duration` (agent: SIGSTOP, SIGCONT after it)
        Resume,     ///< end a pause now
        Partition,  ///< cut it off from the store for `duration`
        Heal,       ///< end a partition now
        Latency,    ///< add `extra` to each store trip for `duration`
        Drift,      ///< its clock runs at `rate` (simulated only)
        SetTiming,  ///< new ttl, refresh and retry intervals, live
        KillLeader, ///< Kill whoever leads now (the store's holder)
        AddThread,  ///< Redis: a new in-process elector (pollingOnly)
        AddAgent,   ///< Redis: a new baton-agent process (pollingOnly)
        Remove,     ///< Redis: stop it and drop it from the lab
    };
    Kind kind = Kind::Kill;
    int elector = -1;
    Duration duration{};
    Duration extra{};
    double rate = 1.0;
    Timing timing;
    bool pollingOnly = false;
};

/// "kill", "stop", ... (for logs and refusals).
QString actionName(Action::Kind kind);

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

Q_DECLARE_METATYPE(baton::lab::Action)
