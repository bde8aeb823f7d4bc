#pragma once
// The lab's one point of contact with its backend: runs the backend on a thread of its own,
// forwards the operator's actions to it (queued) and its snapshots and events back (queued).
// Lives on the GUI thread; never blocks on the store.

#include "backend/backend.h"

#include <baton/sim/scenario.h>

#include <QPointer>
#include <QThread>

#include <memory>

namespace baton::lab {

class SimBackend;

class LabController : public QObject {
    Q_OBJECT
public:
    explicit LabController(QObject* parent = nullptr);
    /// Shuts the backend down and waits (boundedly) for its thread.
    ~LabController() override;

    /// Ends the current run and plays `scenario` on the simulator (throws
    /// std::invalid_argument for a scenario the simulator refuses; the old run then goes on).
    void startSimulation(const Scenario& scenario);
    /// Ends the current run and runs `backend` (which must not have a parent) on a new thread.
    void startBackend(std::unique_ptr<Backend> backend, bool simulated);

    bool simulated() const { return m_simulated; }
    /// The newest snapshot (empty before the first).
    const ClusterSnapshot& snapshot() const { return m_snapshot; }
    /// The simulated run as played so far, with the operator's faults (simulated mode only).
    std::optional<Scenario> recordedScenario() const;

public Q_SLOTS:
    void act(const baton::lab::Action& action);
    void killLeader();
    void setSpeed(double speed);
    void setTimePaused(bool paused);
    void stepToNextEvent();

Q_SIGNALS:
    /// A new run begins: views and models start afresh.
    void runStarted(bool simulated);
    void snapshotChanged(const baton::lab::ClusterSnapshot& snapshot);
    void eventsArrived(const QVector<baton::lab::LabEvent>& events);
    void actionRefused(const QString& why);

private:
    void stopBackend();
    template <typename F>
    void onBackend(F&& f);

    QPointer<Backend> m_backend;
    QPointer<QThread> m_thread;
    SimBackend* m_sim = nullptr; // the backend while it is a simulation
    bool m_simulated = true;
    ClusterSnapshot m_snapshot;
    quint64 m_run = 0;
};

} // namespace baton::lab
