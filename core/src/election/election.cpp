#include "baton/election/election.h"

#include "deliver.h"

namespace baton {

namespace {

Config withDefaults(Config config) {
    if (config.identity.empty())
        config.identity = defaultIdentity();
    return config;
}

} // namespace

Election::Election(Locker& locker, Config config, const Clock& clock)
    : m_locker(locker)
    , m_config(withDefaults(std::move(config)))
    , m_clock(clock)
    , m_identity(m_config.identity)
    , m_resource(m_config.resource)
    , m_machine(m_config, [this] { return m_locker.newToken(); }) {}

Election::~Election() {
    stop();
    // stop() from a callback only asked; make sure the threads are gone.
    std::lock_guard guard(m_lifecycle);
    join();
}

bool Election::onOwnThread() const {
    return m_threadId.load() == std::this_thread::get_id();
}

void Election::wake() {
    {
        std::lock_guard guard(m_mutex);
        m_waiting = false;
    }
    m_cv.notify_all();
}

void Election::start() {
    if (onOwnThread())
        return; // from a callback it is running by definition (and stop() may hold m_lifecycle)
    std::lock_guard guard(m_lifecycle);
    if (running())
        return;
    join(); // a run that stopped itself from a callback
    {
        std::lock_guard lock(m_mutex);
        Config fresh = m_config;
        fresh.timing = m_machine.timing();
        m_machine = ElectionMachine(fresh, [this] { return m_locker.newToken(); });
        m_job.reset();
        m_outcome.reset();
        m_notice = m_stopRequested = m_killRequested = m_ioQuit = m_waiting = false;
        m_pausedUntil = {};
        m_running = true;
    }
    m_clockListener = m_clock.addListener([this] { wake(); });
    m_subscription = m_locker.store().subscribe(m_resource, [this](const Notice& notice) {
        if (notice.kind != Notice::Kind::Released)
            return;
        {
            std::lock_guard lock(m_mutex);
            m_notice = true;
            m_waiting = false;
        }
        m_cv.notify_all();
    });
    m_ioThread = std::thread([this] { ioLoop(); });
    m_thread = std::thread([this] { run(); });
}

void Election::stop() {
    if (onOwnThread()) {
        std::lock_guard lock(m_mutex);
        m_stopRequested = true;
        return; // the run loop checks the flag as soon as the callback returns
    }
    std::lock_guard guard(m_lifecycle);
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable())
            return;
        m_stopRequested = true;
        m_waiting = false;
    }
    m_cv.notify_all();
    join();
}

void Election::kill() {
    if (onOwnThread()) {
        std::lock_guard lock(m_mutex);
        m_killRequested = true;
        return;
    }
    std::lock_guard guard(m_lifecycle);
    {
        std::lock_guard lock(m_mutex);
        m_killRequested = true;
        m_waiting = false;
    }
    m_cv.notify_all();
    join();
}

void Election::join() {
    if (m_thread.joinable())
        m_thread.join();
    if (m_ioThread.joinable())
        m_ioThread.join();
    m_subscription.reset();
    if (m_clockListener) {
        m_clock.removeListener(m_clockListener);
        m_clockListener = 0;
    }
}

bool Election::running() const {
    std::lock_guard lock(m_mutex);
    return m_running;
}

bool Election::isLeader() const noexcept {
    if (!m_leading.load(std::memory_order_acquire))
        return false;
    return m_clock.now().time_since_epoch().count() < m_deadlineNow.load(std::memory_order_acquire);
}

std::string Election::leader() const {
    std::lock_guard lock(m_mutex);
    return m_machine.leader();
}

TimePoint Election::deadline() const {
    return TimePoint(Duration(m_deadlineNow.load(std::memory_order_acquire)));
}

void Election::setTiming(const Timing& timing) {
    {
        std::lock_guard lock(m_mutex);
        m_machine.setTiming(timing);
        m_waiting = false;
    }
    m_cv.notify_all();
}

void Election::pause(Duration d) {
    {
        std::lock_guard lock(m_mutex);
        m_pausedUntil = saturatingAdd(m_clock.now(), d);
        m_waiting = false;
    }
    m_cv.notify_all();
}

bool Election::paused() const {
    std::lock_guard lock(m_mutex);
    return m_running && m_clock.now() < m_pausedUntil;
}

Timing Election::timing() const {
    std::lock_guard lock(m_mutex);
    return m_machine.timing();
}

bool Election::idle() const {
    std::lock_guard lock(m_mutex);
    if (!m_running)
        return true;
    return m_waiting && !m_job && !m_outcome && !m_notice && !m_machine.busy();
}

TimePoint Election::nextWake() const {
    std::lock_guard lock(m_mutex);
    if (!m_running)
        return TimePoint::max();
    return m_clock.now() < m_pausedUntil ? m_pausedUntil : m_machine.wakeAt();
}

void Election::publish() {
    const bool leading = m_machine.phase() == ElectionMachine::Phase::Leading;
    // The deadline is stored before the flag, so a reader that sees `leading` sees its deadline.
    if (leading)
        m_deadlineNow.store(m_machine.deadline().time_since_epoch().count(),
                            std::memory_order_release);
    m_fenceNow.store(m_machine.fence(), std::memory_order_release);
    m_leading.store(leading, std::memory_order_release);
}

void Election::run() {
    m_threadId.store(std::this_thread::get_id());
    std::unique_lock lock(m_mutex);
    m_machine.start(m_clock.now());
    bool stopApplied = false;
    while (!m_killRequested) {
        const TimePoint now = m_clock.now();
        if (now < m_pausedUntil && !m_stopRequested) { // stop() ends a pause
            m_waiting = true;
            m_clock.wait(m_cv, lock, m_pausedUntil);
            continue;
        }
        if (m_outcome)
            m_machine.handle(now, *std::exchange(m_outcome, std::nullopt));
        if (std::exchange(m_notice, false))
            m_machine.handle(now, ReleaseNotice{});
        if (m_stopRequested && !stopApplied) {
            stopApplied = true;
            m_machine.handle(now, StopRequest{});
        }
        std::optional<Command> cmd = m_machine.poll(now);
        publish();
        std::vector<Event> events = m_machine.takeEvents();
        if (!events.empty() || cmd) {
            // Callbacks run unlocked and before the next store call: a revoked leader's
            // onRevoked has returned before its lock is released.
            lock.unlock();
            deliver(events);
            lock.lock();
            if (cmd) {
                m_job = std::move(cmd);
                m_ioCv.notify_all();
            }
            continue;
        }
        if (m_machine.phase() == ElectionMachine::Phase::Stopped)
            break;
        m_waiting = true;
        m_clock.wait(m_cv, lock, m_machine.wakeAt());
    }
    m_leading.store(false, std::memory_order_release);
    m_ioQuit = true;
    m_running = false;
    m_threadId.store(std::thread::id());
    m_ioCv.notify_all();
}

void Election::ioLoop() {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_ioCv.wait(lock, [this] { return m_job.has_value() || m_ioQuit; });
        if (m_ioQuit)
            break;
        const Command cmd = std::move(*m_job);
        m_job.reset();
        lock.unlock();
        CallResult outcome = execute(m_locker, m_identity, cmd);
        lock.lock();
        m_outcome = std::move(outcome);
        m_waiting = false;
        m_cv.notify_all();
    }
}

void Election::deliver(const std::vector<Event>& events) {
    deliverEvents(m_config, events);
}

} // namespace baton
