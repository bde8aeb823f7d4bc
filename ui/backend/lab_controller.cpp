#include "backend/lab_controller.h"

#include "backend/sim_backend.h"

namespace baton::lab {

namespace {
// How long quitting waits for a backend to stop (a graceful stop on a hung Redis waits up to
// its command timeout).
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
    QPointer<QThread> thread = m_thread;
    stopBackend();
    if (thread && !thread->wait(kShutdownWaitMs)) {
        // Destroying a running QThread aborts the program: let it go instead; the process
        // is on its way out.
        qWarning("baton: the backend did not stop within %d ms; leaving it behind",
                 kShutdownWaitMs);
        thread->setParent(nullptr);
    }
}

template <typename F>
void LabController::onBackend(F&& f) {
    if (m_backend)
        QMetaObject::invokeMethod(m_backend, std::forward<F>(f), Qt::QueuedConnection);
}

void LabController::startSimulation(const Scenario& scenario) {
    auto backend = std::make_unique<SimBackend>(scenario); // throws for a bad scenario
    startBackend(std::move(backend), true);
}

void LabController::startBackend(std::unique_ptr<Backend> backend, bool simulated) {
    stopBackend();
    ++m_run;
    m_simulated = simulated;
    m_sim = simulated ? qobject_cast<SimBackend*>(backend.get()) : nullptr;
    m_snapshot = ClusterSnapshot{};
    m_snapshot.simulated = simulated;

    auto* thread = new QThread(this);
    thread->setObjectName(simulated ? QStringLiteral("lab-sim") : QStringLiteral("lab-redis"));
    Backend* b = backend.release();
    b->moveToThread(thread);
    connect(thread, &QThread::finished, b, &QObject::deleteLater);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    // Signals of a run that has been replaced are dropped: its thread may still be winding down.
    const quint64 run = m_run;
    connect(b, &Backend::snapshotReady, this, [this, run](const ClusterSnapshot& s) {
        if (run != m_run)
            return;
        m_snapshot = s;
        Q_EMIT snapshotChanged(m_snapshot);
    });
    connect(b, &Backend::eventsReady, this, [this, run](const QVector<LabEvent>& events) {
        if (run == m_run)
            Q_EMIT eventsArrived(events);
    });
    connect(b, &Backend::actionRefused, this, [this, run](const QString& why) {
        if (run == m_run)
            Q_EMIT actionRefused(why);
    });
    m_backend = b;
    m_thread = thread;
    thread->start();
    Q_EMIT runStarted(simulated);
    onBackend([b] { b->begin(); });
}

void LabController::stopBackend() {
    if (!m_backend || !m_thread)
        return;
    Backend* b = m_backend;
    QThread* thread = m_thread;
    QMetaObject::invokeMethod(
        b,
        [b, thread] {
            b->shutdown();
            thread->quit();
        },
        Qt::QueuedConnection);
    m_backend = nullptr;
    m_thread = nullptr;
    m_sim = nullptr;
}

std::optional<Scenario> LabController::recordedScenario() const {
    if (!m_sim)
        return std::nullopt;
    return m_sim->recordedScenario();
}

void LabController::act(const Action& action) {
    Backend* b = m_backend;
    onBackend([b, action] { b->act(action); });
}

void LabController::killLeader() {
    Action a;
    a.kind = Action::Kind::KillLeader;
    act(a);
}

void LabController::setSpeed(double speed) {
    Backend* b = m_backend;
    onBackend([b, speed] { b->setSpeed(speed); });
}

void LabController::setTimePaused(bool paused) {
    Backend* b = m_backend;
    onBackend([b, paused] { b->setTimePaused(paused); });
}

void LabController::stepToNextEvent() {
    Backend* b = m_backend;
    onBackend([b] { b->stepToNextEvent(); });
}

} // namespace baton::lab
