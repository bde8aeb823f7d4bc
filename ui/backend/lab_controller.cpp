#include "backend/lab_controller.h"

#include "backend/sim_backend.h"

namespace baton::lab {

namespace {
// How long quitting waits for the backends to stop (a graceful stop on a hung Redis waits up to
// its command timeout; the backends stop at once, so the waits overlap).
constexpr int kShutdownWaitMs = 5000;
} // namespace

LabController::LabController(QObject* parent)
    : QObject(parent) {
    qRegisterMetaType<ClusterSnapshot>();
    qRegisterMetaType<LabEvent>();
    qRegisterMetaType<QVector<LabEvent>>();
    qRegisterMetaType<Action>();
}

LabController::~LabController() {
    stopAll();
    m_ending.wait(kShutdownWaitMs, "a backend"); // the process is on its way out
}

template <typename F>
void LabController::onBackend(F&& f) {
    if (m_current && m_current->backend)
        QMetaObject::invokeMethod(m_current->backend, std::forward<F>(f), Qt::QueuedConnection);
}

void LabController::startSimulation(const Scenario& scenario) {
    auto backend = std::make_unique<SimBackend>(scenario); // throws for a bad scenario
    startBackend(std::move(backend), true);
}

void LabController::startBackend(std::unique_ptr<Backend> backend, bool simulated,
                                 const QString& key) {
    stopAll();
    Session& s = launch(std::move(backend), simulated, key);
    show(s);
    Q_EMIT sessionsChanged();
}

void LabController::startEmpty() {
    stopAll();
    m_simulated = false;
    m_snapshot = ClusterSnapshot{};
    m_snapshot.simulated = false;
    ++m_run;
    Q_EMIT runStarted(false);
    Q_EMIT sessionsChanged();
}

void LabController::openSession(const QString& key, std::unique_ptr<Backend> backend) {
    if (m_simulated)
        stopAll(); // a simulation does not run beside Redis sessions
    if (Session* open = find(key)) {
        show(*open);
    } else {
        show(launch(std::move(backend), false, key));
    }
    Q_EMIT sessionsChanged();
}

bool LabController::showSession(const QString& key) {
    Session* s = find(key);
    if (!s)
        return false;
    if (s != m_current) {
        show(*s);
        Q_EMIT sessionsChanged();
    }
    return true;
}

void LabController::closeSession(const QString& key) {
    Session* s = find(key);
    if (!s)
        return;
    const bool shown = s == m_current;
    stopSession(*s);
    std::erase_if(m_sessions, [s](const auto& p) { return p.get() == s; });
    if (shown) {
        m_current = nullptr;
        if (m_sessions.empty()) {
            m_snapshot = ClusterSnapshot{};
            m_snapshot.simulated = m_simulated;
            Q_EMIT runStarted(m_simulated);
        } else {
            show(*m_sessions.front());
        }
    }
    Q_EMIT sessionsChanged();
}

QStringList LabController::sessions() const {
    QStringList keys;
    for (const auto& s : m_sessions)
        keys << s->key;
    return keys;
}

LabController::Session* LabController::find(const QString& key) const {
    for (const auto& s : m_sessions)
        if (s->key == key)
            return s.get();
    return nullptr;
}

LabController::Session* LabController::byRun(quint64 run) const {
    for (const auto& s : m_sessions)
        if (s->run == run)
            return s.get();
    return nullptr;
}

LabController::Session& LabController::launch(std::unique_ptr<Backend> backend, bool simulated,
                                              const QString& key) {
    auto session = std::make_unique<Session>();
    Session& s = *session;
    s.key = key;
    s.run = ++m_run;
    s.simulated = simulated;
    s.sim = simulated ? qobject_cast<SimBackend*>(backend.get()) : nullptr;
    s.last.simulated = simulated;

    auto* thread = new QThread(this);
    thread->setObjectName(simulated ? QStringLiteral("lab-sim") : QStringLiteral("lab-redis"));
    Backend* b = backend.release();
    b->moveToThread(thread);
    connect(thread, &QThread::finished, b, &QObject::deleteLater);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    // Signals of a session that has ended are dropped: its thread may still be winding down.
    // One in the background is recorded, to be replayed when it is shown.
    const quint64 run = s.run;
    connect(b, &Backend::snapshotReady, this, [this, run](const ClusterSnapshot& snap) {
        Session* owner = byRun(run);
        if (!owner)
            return;
        owner->last = snap;
        if (!owner->simulated)
            owner->record.addSnapshot(snap);
        if (owner == m_current) {
            m_snapshot = snap;
            Q_EMIT snapshotChanged(m_snapshot);
        }
    });
    connect(b, &Backend::eventsReady, this, [this, run](const QVector<LabEvent>& events) {
        Session* owner = byRun(run);
        if (!owner)
            return;
        if (!owner->simulated)
            owner->record.addEvents(events);
        if (owner == m_current)
            Q_EMIT eventsArrived(events);
    });
    connect(b, &Backend::actionRefused, this, [this, run](const QString& why) {
        if (m_current && m_current->run == run)
            Q_EMIT actionRefused(why);
    });
    s.backend = b;
    s.thread = thread;
    m_sessions.push_back(std::move(session));
    thread->start();
    QMetaObject::invokeMethod(
        b, [b] { b->begin(); }, Qt::QueuedConnection);
    return s;
}

// Views start afresh, then get the session's history: what it said while in the background.
void LabController::show(Session& s) {
    m_current = &s;
    m_simulated = s.simulated;
    m_snapshot = s.last;
    Q_EMIT runStarted(s.simulated);
    s.record.replay([this](const QVector<LabEvent>& events) { Q_EMIT eventsArrived(events); },
                    [this](const ClusterSnapshot& snap) { Q_EMIT snapshotChanged(snap); });
    if (s.record.snapshots() > 0)
        Q_EMIT snapshotChanged(m_snapshot);
}

void LabController::stopSession(Session& s) {
    Backend* b = s.backend;
    QThread* thread = s.thread;
    if (!b || !thread)
        return;
    QMetaObject::invokeMethod(
        b,
        [b, thread] {
            b->shutdown();
            thread->quit();
        },
        Qt::QueuedConnection);
    s.backend = nullptr;
    s.thread = nullptr;
    s.sim = nullptr;
    m_ending.add(thread);
}

void LabController::stopAll() {
    for (const auto& s : m_sessions)
        stopSession(*s);
    m_sessions.clear();
    m_current = nullptr;
}

std::optional<Scenario> LabController::recordedScenario() const {
    if (!m_current || !m_current->sim)
        return std::nullopt;
    return m_current->sim->recordedScenario();
}

void LabController::act(const Action& action) {
    Backend* b = m_current ? m_current->backend.data() : nullptr;
    onBackend([b, action] { b->act(action); });
}

void LabController::killLeader() {
    Action a;
    a.kind = Action::Kind::KillLeader;
    act(a);
}

void LabController::setSpeed(double speed) {
    Backend* b = m_current ? m_current->backend.data() : nullptr;
    onBackend([b, speed] { b->setSpeed(speed); });
}

void LabController::setTimePaused(bool paused) {
    Backend* b = m_current ? m_current->backend.data() : nullptr;
    onBackend([b, paused] { b->setTimePaused(paused); });
}

void LabController::stepToNextEvent() {
    Backend* b = m_current ? m_current->backend.data() : nullptr;
    onBackend([b] { b->stepToNextEvent(); });
}

} // namespace baton::lab
