#pragma once
// One elector process: an Election on Redis whose events go to stdout as JSON lines and to
// Redis for observers, steerable over baton:{R}:control when allowed.

#include "line_pump.h"
#include "metrics.h"
#include "options.h"
#include "prometheus.h"
#include "scaled_clock.h"
#include "timed_store.h"

#include <baton/election/election.h>
#include <baton/redis/presence.h>
#include <baton/redis/redis_store.h>
#include <baton/store/fault_store.h>
#include <baton/wire/control.h>

#include <atomic>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>

namespace agent {

using baton::app::LinePump;

/// This machine's name, as presence entries carry it ("host").
std::string hostName();

class Agent {
public:
    explicit Agent(Options options);
    /// Runs until SIGTERM, SIGINT, SIGHUP or a stop command; returns the exit code. Each of
    /// those signals ends it gracefully (revoke, release, "stopped", exit 0), however many come.
    int run();
    /// Blocks the signals that end an agent in the calling thread and every thread it starts
    /// from then on: call it first thing in main(), before an Agent exists.
    static void blockEndingSignals();

private:
    static sigset_t endingSignals();
    /// The ending signals and SIGUSR1 (a resign's wake-up): what run()'s thread takes.
    static sigset_t takenSignals();
    baton::Config electionConfig();
    /// Connects and builds the election; an exit code when that fails.
    std::optional<int> connect(const baton::Config& config);
    void joinPresence();
    /// Warns when a live elector already uses this agent's id.
    void warnOfATwin();
    /// Keeps the presence entry's state true until a signal asks to end; carries out a resign.
    void waitForTheEnd();
    /// Stops leading and releases, stays out for the hold-off, campaigns again. False when an
    /// ending signal came during the hold-off (the agent then ends).
    bool resign();
    void onEvent(const baton::Event& e);
    void onControl(const std::string& payload);
    void obey(const baton::wire::ControlMessage& message);
    void reportError(const std::string& reason);
    std::string metrics() const;
    Health health() const;
    /// Feeds baton_failover_seconds from the election's events (on its callback thread).
    void noteFailover(const baton::Event& e);
    void print(const std::string& line);
    /// The event's JSON line; its times are true Unix times whatever --clock-rate says.
    std::string eventLine(const baton::Event& e, const char* reason = nullptr) const;
    enum class Level { Info, Warning, Error };
    /// One human line on stderr: "2026-12-01T10:15:02.123Z baton-agent[ID] info: text" (UTC).
    void log(Level level, const std::string& text) const;
    std::string currentState() const;

    /// A bounded amount of notes: a burst of `burst`, then one per `every` (a token bucket);
    /// says how many it held back.
    class NoteLimiter {
    public:
        NoteLimiter(int burst, baton::Duration every)
            : m_burst(burst)
            , m_every(every)
            , m_tokens(burst) {}
        /// Whether a note may be given now; if so, `held` is how many were held back before.
        bool allow(std::uint64_t& held);

    private:
        int m_burst;
        baton::Duration m_every;
        int m_tokens;
        baton::TimePoint m_refilled{};
        std::uint64_t m_held = 0;
    };

    Options m_options;
    std::string m_id;
    ScaledClock m_clock; // the election's time (--clock-rate; the steady clock at rate 1)
    LinePump m_out; // stdout and the signals, on run()'s thread: a blocked reader stalls nothing
    std::unique_ptr<baton::RedisStore> m_store; // the election's connections (control heard here)
    std::unique_ptr<baton::RedisStore> m_side;  // presence and events
    std::unique_ptr<baton::FaultStore> m_faults;
    std::unique_ptr<TimedStore> m_timed; // over m_faults: times what the election sees
    std::unique_ptr<baton::Locker> m_locker;
    std::unique_ptr<baton::Election> m_election;
    std::unique_ptr<baton::Presence> m_presence;
    std::atomic<std::uint64_t> m_elected{0}, m_revoked{0}, m_presenceErrors{0};
    std::string m_lastPresenceError; // only touched on the presence thread
    prom::Histogram m_failover{prom::Histogram::failoverBounds()};
    std::uint64_t m_knownFence = 0;              // the last term seen; on the callback thread
    std::optional<baton::TimePoint> m_lostSight; // when it was seen to end; likewise
    // Control traffic, on the subscription thread only: whatever arrives, an agent says a
    // bounded amount about it.
    NoteLimiter m_ignoredControl{1, std::chrono::seconds(10)};
    NoteLimiter m_badControl{5, std::chrono::seconds(1)};
    // A resign asked by control (subscription thread), carried out by run()'s thread, which
    // SIGUSR1 wakes. While it runs, the stop's and restart's own events are not shown: the
    // election goes on, the revocation says "resigned".
    std::atomic<baton::Duration::rep> m_resignHoldOff{-1};
    std::atomic<bool> m_resigning{false}, m_hideStarted{false};
};

} // namespace agent
