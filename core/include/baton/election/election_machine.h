#pragma once
// The election as a sans-IO state machine: it is told the time, asked what to do next and when
// to wake, and fed the outcome of each store call. It performs no I/O and reads no clock, so the
// real-time runner (Election) and the simulator drive the same code.

#include "baton/base/text.h"
#include "baton/election/config.h"
#include "baton/election/event.h"
#include "baton/election/store_call.h"

#include <algorithm>
#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace baton {

/// A release notice arrived for the machine's resource.
struct ReleaseNotice {};
/// A graceful stop: a leader revokes first (event), then releases, then emits Stopped.
struct StopRequest {};
/// Everything the machine is fed besides the time: the outcome of the call in flight, a
/// release notice, or a request to stop.
using Input = std::variant<CallResult, ReleaseNotice, StopRequest>;

class alignas(64) ElectionMachine {
public:
    enum class Phase { Idle, Following, Leading, Stopping, Stopped };

    /// A leader's extend is tried again this soon after a store error (doubling up to the
    /// retry interval); so is a follower's acquire.
    static constexpr Duration kErrorBackoff = std::chrono::milliseconds(10);
    /// The longest wait after errors, whatever the retry interval: an outage ends, the
    /// election notices within a second.
    static constexpr Duration kErrorBackoffMax = std::chrono::seconds(1);
    /// A follower tries this long after the holder's remaining TTL ends, so that the store (whose
    /// expiry may be inclusive, as Redis's is) has surely expired the lock.
    static constexpr Duration kExpirySlack = std::chrono::milliseconds(1);

    /// Validates `config` (throws ConfigError); the callbacks in it are not used here.
    /// `tokens` makes the tokens acquires are sent with (default: Locker::randomToken). Tries
    /// go out with the same token until one takes the lock, so a try that reached the store
    /// although its answer was lost (even one that lands after a later try was refused) is
    /// taken up by the next, not left to expire.
    explicit ElectionMachine(Config config, Locker::TokenSource tokens = {});

    const std::string& identity() const { return m_identity; }
    const std::string& resource() const { return m_resource; }
    Timing timing() const { return m_timing; }
    double maxClockDrift() const { return m_maxDrift; }
    bool pollingOnly() const { return m_pollingOnly; }

    /// New timings, validated (throws ConfigError). The ttl and refresh interval take effect at
    /// the next extend, the retry interval at the next failed acquire.
    void setTiming(const Timing& timing);

    void start(TimePoint now);
    /// Feeds one input at `now`; then poll() says what to do next.
    void handle(TimePoint now, const Input& input);
    /// The same for the outcome of the call in flight (what a driver feeds most often).
    void handle(TimePoint now, const CallResult& result);

    /// Advances timers to `now` and returns the store call to make now, if any.
    std::optional<Command> poll(TimePoint now);
    /// The same, written into `out` (whose strings' buffers are reused): true when there is a
    /// call to make, else `out` is left as it was.
    bool poll(TimePoint now, Command& out);
    /// When poll() should next be called if nothing else happens (max: only an input will do).
    /// Before it, poll() makes no call and changes nothing, so a driver may skip it.
    TimePoint wakeAt() const {
        switch (m_phase) {
        case Phase::Leading:
            return m_busy ? m_deadline : std::min(m_deadline, m_nextRefresh);
        case Phase::Following:
            if (m_busy)
                return TimePoint::max();
            return m_cleanup ? TimePoint::min() : m_nextAttempt;
        case Phase::Stopping:
            return m_busy ? TimePoint::max() : TimePoint::min();
        case Phase::Idle:
        case Phase::Stopped:
            break;
        }
        return TimePoint::max();
    }

    /// Events produced since the last call, oldest first.
    std::vector<Event> takeEvents();
    /// Whether takeEvents() has anything to hand over.
    bool hasEvents() const { return !m_events.empty(); }

    Phase phase() const { return m_phase; }
    bool busy() const { return m_busy; }
    /// True while leading and before the self-fencing deadline.
    bool isLeader(TimePoint now) const { return m_phase == Phase::Leading && now < m_deadline; }
    TimePoint deadline() const { return m_phase == Phase::Leading ? m_deadline : TimePoint{}; }
    std::uint64_t fence() const { return m_fence; }
    const std::string& leader() const { return m_leader; }

    /// The self-fencing deadline of a call sent at `sentAt` with `ttl`:
    /// sentAt + ttl * (1 - maxClockDrift) - margin, where margin = min(1ms, ttl / 100).
    TimePoint deadlineFor(TimePoint sentAt, Duration ttl) const;

private:
    struct InFlight {
        Command::Kind kind = Command::Kind::Acquire;
        TimePoint sentAt;
        Duration ttl{};
        std::uint64_t term = 0;
    };

    void stop(TimePoint now);
    void acquired(TimePoint now, const LockAttempt& attempt);
    void extended(TimePoint now, bool held);
    void released(TimePoint now);
    void failed(TimePoint now, const std::string& error);
    void releaseNoticed(TimePoint now);

    /// The one place events are made: type, time and the current fence; callers add the rest.
    Event& record(EventType type, TimePoint at);
    void revoke(TimePoint now, RevokeReason reason);
    void checkDeadline(TimePoint now);
    void setLeader(TimePoint now, const std::string& identity, std::uint64_t fence);
    void finishStopIfDone(TimePoint now);
    InFlight takeInflight(Command::Kind expected);
    Duration backoff() const;
    /// Gives m_retryToken away (the machine has none after).
    std::string takeRetryToken() {
        m_hasRetryToken = false;
        return std::exchange(m_retryToken, {});
    }

    // What a follower's try reads and writes comes first (the class is aligned to a cache
    // line): a simulator runs a hundred machines in turn, and a call reads the first two lines
    // and the third (the retry token and the resource), an answer the first two and the fourth
    // (the leader's name). Before, the fields a try uses were spread over the whole class.
    Phase m_phase = Phase::Idle;
    bool m_busy = false; ///< a call is in flight: m_inflight says which (and an extend's or
                         ///< release's lease is m_inflightLease)
    bool m_pollingOnly;
    bool m_tokenMayBeHeld = false; ///< a try with m_retryToken failed unanswered
    bool m_noticePending = false;
    bool m_lastExtendFailed = false;
    bool m_hasRetryToken = false; ///< m_retryToken holds one
    int m_errors = 0;
    std::uint64_t m_term = 0; ///< bumped whenever a leadership or a run ends
    InFlight m_inflight;
    TimePoint m_nextAttempt;
    std::unique_ptr<Lease> m_cleanup; ///< a lease to release before anything else
    Timing m_timing;
    std::uint64_t m_leaderFence = 0;
    std::vector<Event> m_events;
    /// The token acquires are sent with until one takes the lock (while m_hasRetryToken). A
    /// refused try leaves it unused (the store kept its holder's), so the next try sends it
    /// again; one that failed unanswered may have got through, and trying again with it takes
    /// that lock up.
    std::string m_retryToken;
    std::string m_resource;
    std::string m_leader;
    // What only a leader or a stop reads.
    TimePoint m_deadline;
    TimePoint m_nextRefresh;
    std::uint64_t m_fence = 0;
    std::string m_identity;
    double m_maxDrift;
    std::optional<Lease> m_lease; ///< held while leading
    Lease m_inflightLease;        ///< an extend's or a release's in flight
    Locker::TokenSource m_tokens;
};

// A follower's try and its answer, inline (with the checks they make): a simulator takes them
// a million times a virtual hour, and its hot path inlines them into its own steps. The rest of
// the machine is in election_machine.cpp.

namespace machine_detail {
inline const LockAttempt kNoAttempt{};
} // namespace machine_detail

inline bool ElectionMachine::poll(TimePoint now, Command& cmd) {
    checkDeadline(now);
    if (m_busy)
        return false;
    finishStopIfDone(now);

    Command::Kind kind;
    if ((m_phase == Phase::Following || m_phase == Phase::Stopping) && m_cleanup)
        kind = Command::Kind::Release;
    else if (m_phase == Phase::Following && now >= m_nextAttempt)
        kind = Command::Kind::Acquire;
    else if (m_phase == Phase::Leading && now >= m_nextRefresh)
        kind = Command::Kind::Extend;
    else
        return false;

    cmd.kind = kind;
    switch (kind) {
    case Command::Kind::Release:
        cmd.ttl = Duration{};
        cmd.lease = *m_cleanup;
        break;
    case Command::Kind::Acquire:
        cmd.ttl = m_timing.ttl;
        if (!m_hasRetryToken) {
            m_retryToken = m_tokens();
            m_hasRetryToken = true;
        }
        // Written only where they differ: a driver that hands in the command of the last try
        // (the simulator does) has them already, and a compare costs less than a copy.
        if (!sameText(cmd.lease.resource, m_resource))
            cmd.lease.resource = m_resource;
        if (!sameText(cmd.lease.token, m_retryToken))
            cmd.lease.token = m_retryToken;
        cmd.lease.fence = 0;
        m_noticePending = false;
        break;
    case Command::Kind::Extend:
        cmd.ttl = m_timing.ttl;
        cmd.lease = *m_lease;
        break;
    }
    m_busy = true;
    m_inflight = InFlight{kind, now, cmd.ttl, m_term};
    // The lease of an acquire in flight is the retry token's, which stays until a try takes the
    // lock: no copy is kept (see failed()).
    if (kind != Command::Kind::Acquire)
        m_inflightLease = cmd.lease;
    return true;
}

inline void ElectionMachine::handle(TimePoint now, const CallResult& result) {
    if (result.error)
        failed(now, *result.error);
    else if (result.kind == Command::Kind::Acquire)
        acquired(now, result.attempt ? *result.attempt : machine_detail::kNoAttempt);
    else if (result.kind == Command::Kind::Extend)
        extended(now, result.held);
    else
        released(now);
}

inline void ElectionMachine::acquired(TimePoint now, const LockAttempt& attempt) {
    // An acquire's record has no lease: its times are all there is to take.
    assert(m_busy && m_inflight.kind == Command::Kind::Acquire);
    const TimePoint sentAt = m_inflight.sentAt;
    const Duration ttl = m_inflight.ttl;
    const std::uint64_t term = m_inflight.term;
    m_busy = false;
    // Answered: a token that took the lock is this term's (or given back below); a refused one
    // never reached the lock and goes out again with the next try.
    if (attempt.lease)
        m_hasRetryToken = false;
    m_tokenMayBeHeld = false;
    checkDeadline(now);
    if (m_phase != Phase::Following || term != m_term) {
        // Sent before a stop: never lead on it, give it back.
        if (attempt.lease)
            m_cleanup = std::make_unique<Lease>(*attempt.lease);
        finishStopIfDone(now);
        return;
    }
    m_errors = 0;
    if (attempt.lease) {
        m_lease = attempt.lease;
        m_phase = Phase::Leading;
        m_fence = attempt.lease->fence;
        m_deadline = deadlineFor(sentAt, ttl);
        m_nextRefresh = sentAt + m_timing.refreshInterval;
        m_lastExtendFailed = false;
        record(EventType::Elected, now).deadline = m_deadline;
        setLeader(now, m_identity, m_fence);
        if (now >= m_deadline) // the reply came too late to lead at all
            checkDeadline(now);
        return;
    }
    setLeader(now, attempt.holder.identity, attempt.holder.fence);
    Duration wait = m_timing.retryInterval;
    if (!m_pollingOnly) {
        // Wake right after the holder's lock expires, or at once if a release was announced
        // while this call was in flight; a release notice may still cut the wait short.
        wait = std::min(wait, std::max(Duration::zero(), attempt.holder.remaining) + kExpirySlack);
        if (m_noticePending)
            wait = Duration::zero();
    }
    m_noticePending = false;
    m_nextAttempt = now + wait;
}

inline void ElectionMachine::checkDeadline(TimePoint now) {
    if (m_phase == Phase::Leading && now >= m_deadline)
        revoke(now, m_lastExtendFailed ? RevokeReason::Error : RevokeReason::Expired);
}

inline void ElectionMachine::setLeader(TimePoint now, const std::string& identity,
                                       std::uint64_t fence) {
    if (fence == m_leaderFence && sameText(identity, m_leader))
        return;
    m_leader = identity;
    m_leaderFence = fence;
    Event& e = record(EventType::LeaderChanged, now);
    e.fence = fence;
    e.leader = identity;
}

inline void ElectionMachine::finishStopIfDone(TimePoint now) {
    if (m_phase != Phase::Stopping || m_busy || m_cleanup)
        return;
    m_phase = Phase::Stopped;
    record(EventType::Stopped, now);
}

} // namespace baton
