#pragma once
// The lab's one point of contact with its backends: runs each backend on a thread of its own,
// forwards the operator's actions to the one on screen (queued) and its snapshots and events
// back (queued). Several Redis resources can be open at once, each a session with its own
// backend; the others go on in the background and their history is replayed when shown.
// Lives on the GUI thread; never blocks on the store.

#include "backend/backend.h"
#include "backend/session_record.h"
#include "common/ending_threads.h"

#include <baton/sim/scenario.h>

#include <QPointer>
#include <QStringList>
#include <QThread>

#include <memory>
#include <vector>

namespace baton::lab {

class SimBackend;

class LabController : public QObject {
    Q_OBJECT
public:
    explicit LabController(QObject* parent = nullptr);
    /// Shuts every backend down and waits (boundedly) for their threads.
    ~LabController() override;

    /// Ends every session and plays `scenario` on the simulator (throws
    /// std::invalid_argument for a scenario the simulator refuses; the old run then goes on).
    void startSimulation(const Scenario& scenario);
    /// Ends every session and runs `backend` (which must not have a parent) on a new thread,
    /// as the session `key` (a resource's name; empty for a simulation).
    void startBackend(std::unique_ptr<Backend> backend, bool simulated, const QString& key = {});
    /// Ends every session: Redis mode with nothing open (only the list of resources).
    void startEmpty();
    /// Runs `backend` as the session `key` beside the open ones and shows it; when `key` is
    /// open already, shows that one (and drops `backend`). Redis sessions only.
    void openSession(const QString& key, std::unique_ptr<Backend> backend);
    /// Shows the open session `key`: views start afresh and get its history again. False when
    /// it is not open.
    bool showSession(const QString& key);
    /// Ends the session `key`; when it was on screen, the first other one is shown.
    void closeSession(const QString& key);
    /// The open sessions' keys, in the order they were opened.
    QStringList sessions() const;
    /// The key of the session on screen (empty: a simulation, or nothing open).
    QString currentSession() const { return m_current ? m_current->key : QString(); }

    bool simulated() const { return m_simulated; }
    /// The newest snapshot of the session on screen (empty before the first).
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
    /// A new run begins, or another session is shown: views and models start afresh.
    void runStarted(bool simulated);
    void snapshotChanged(const baton::lab::ClusterSnapshot& snapshot);
    void eventsArrived(const QVector<baton::lab::LabEvent>& events);
    void actionRefused(const QString& why);
    /// A session was opened, closed or shown.
    void sessionsChanged();

private:
    struct Session {
        QString key;
        QPointer<Backend> backend;
        QPointer<QThread> thread;
        quint64 run = 0;
        bool simulated = false;
        SimBackend* sim = nullptr;
        ClusterSnapshot last;
        SessionRecord record; ///< what it said, to replay when shown again (Redis only)
    };

    Session& launch(std::unique_ptr<Backend> backend, bool simulated, const QString& key);
    void stopSession(Session& s);
    void stopAll();
    Session* find(const QString& key) const;
    Session* byRun(quint64 run) const;
    void show(Session& s);
    template <typename F>
    void onBackend(F&& f);

    std::vector<std::unique_ptr<Session>> m_sessions;
    EndingThreads m_ending; ///< threads of ended sessions, maybe winding down
    Session* m_current = nullptr;
    bool m_simulated = true;
    ClusterSnapshot m_snapshot;
    quint64 m_run = 0;
};

} // namespace baton::lab
