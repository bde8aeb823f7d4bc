#pragma once
// The seed's `leader`, rebuilt: an ElectionMachine driven in real time on two threads of its
// own (one runs the machine and the callbacks, one makes the store calls), woken by deadlines,
// call outcomes and release notices.

#include "baton/election/config.h"
#include "baton/election/election_machine.h"
#include "baton/store/locker.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace baton {

class Election {
public:
    /// Validates `config` (throws ConfigError; nothing starts). `locker` and `clock` must
    /// outlive the election. Callbacks run on the election's thread, one at a time, and must be
    /// quick: while one runs, no refresh or revocation happens (isLeader() stays exact). Never
    /// destroy an Election from inside its own callback.
    Election(Locker& locker, Config config, const Clock& clock = SteadyClock::instance());
    ~Election();
    Election(const Election&) = delete;
    Election& operator=(const Election&) = delete;

    /// Starts campaigning. Does nothing while running.
    void start();
    /// Graceful stop: stops leading (isLeader() false, onRevoked returns), then releases the
    /// lock, then returns. From inside a callback it asks for the stop and returns at once; the
    /// stop then completes on the election's thread. Harmless when not running.
    void stop();

    /// True while this elector leads and its self-fencing deadline has not passed. Lock-free:
    /// it turns false at the deadline even while a store call hangs.
    bool isLeader() const noexcept;
    /// The fence of the current (or last) term; 0 before the first.
    std::uint64_t fence() const noexcept { return m_fenceNow.load(std::memory_order_acquire); }
    /// The leader as last seen, or "" when unknown.
    std::string leader() const;
    /// The self-fencing deadline while leading.
    TimePoint deadline() const;
    const std::string& identity() const { return m_identity; }
    const std::string& resource() const { return m_resource; }
    bool running() const;

    /// Changes ttl, refresh and retry interval live (throws ConfigError, leaving them as they
    /// were). They take effect at the next extend (ttl, refresh) or try (retry).
    void setTiming(const Timing& timing);
    Timing timing() const;

    /// True when the election waits for time to pass or for a notice, with no call in flight
    /// and nothing left to handle (for tests and tools that step a ManualClock).
    bool idle() const;
    /// When it will next act if nothing arrives (TimePoint::max when it waits for an input).
    TimePoint nextWake() const;

private:
    friend class ElectionFaults;
    void kill();
    void pause(Duration d);
    bool paused() const;

    void run();
    void ioLoop();
    void publish();
    void deliver(const std::vector<Event>& events);
    void wake();
    bool onOwnThread() const;
    void join();

    Locker& m_locker;
    Config m_config;
    const Clock& m_clock;
    const std::string m_identity;
    const std::string m_resource;

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;   // the run loop waits here
    std::condition_variable m_ioCv; // the I/O thread waits here
    ElectionMachine m_machine;
    std::optional<Command> m_job;
    std::optional<CallResult> m_outcome;
    bool m_notice = false;
    bool m_stopRequested = false;
    bool m_killRequested = false;
    bool m_ioQuit = false;
    bool m_waiting = false;
    bool m_running = false;
    TimePoint m_pausedUntil{};

    std::atomic<bool> m_leading{false};
    std::atomic<TimePoint::rep> m_deadlineNow{0};
    std::atomic<std::uint64_t> m_fenceNow{0};

    std::mutex m_lifecycle; // serialises start/stop/kill
    std::thread m_thread;
    std::thread m_ioThread;
    std::atomic<std::thread::id> m_threadId{};
    Subscription m_subscription;
    std::uint64_t m_clockListener = 0;
};

/// Faults injected into an in-process election, for labs and tests (a production elector never
/// needs them; store-side faults are FaultStore's).
class ElectionFaults {
public:
    /// Stops at once as a crashed process would: no callbacks, no release; the lock expires.
    /// A later start() begins a new run (its onElected follows no onRevoked for this one).
    static void kill(Election& e) { e.kill(); }
    /// Freezes the run loop for `d`, as a GC pause or SIGSTOP would: no store calls, no
    /// callbacks, no revocation until it ends (isLeader() still turns false at the deadline).
    /// stop() and kill() end it; a zero `d` resumes.
    static void pause(Election& e, Duration d) { e.pause(d); }
    static bool paused(const Election& e) { return e.paused(); }
};

} // namespace baton
