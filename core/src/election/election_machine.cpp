#include "baton/election/election_machine.h"

#include <algorithm>
#include <cassert>

namespace baton {

namespace {

const Config& validated(const Config& config) {
    validate(config);
    return config;
}

} // namespace

ElectionMachine::ElectionMachine(Config config, Locker::TokenSource tokens)
    : m_pollingOnly(validated(config).pollingOnly)
    , m_timing(config.timing)
    , m_resource(config.resource)
    , m_identity(config.identity.empty() ? defaultIdentity() : std::move(config.identity))
    , m_maxDrift(config.maxClockDrift)
    , m_tokens(tokens ? std::move(tokens) : Locker::TokenSource(&Locker::randomToken)) {}

void ElectionMachine::setTiming(const Timing& timing) {
    validate(timing);
    m_timing = timing;
}

TimePoint ElectionMachine::deadlineFor(TimePoint sentAt, Duration ttl) const {
    const auto scaled =
        Duration(static_cast<Duration::rep>(static_cast<double>(ttl.count()) * (1.0 - m_maxDrift)));
    const Duration margin = std::min<Duration>(std::chrono::milliseconds(1), ttl / 100);
    return sentAt + scaled - margin;
}

Event& ElectionMachine::record(EventType type, TimePoint at) {
    Event& e = m_events.emplace_back();
    e.type = type;
    e.at = at;
    e.fence = m_fence;
    return e;
}

void ElectionMachine::handle(TimePoint now, const Input& input) {
    if (const auto* result = std::get_if<CallResult>(&input)) {
        handle(now, *result);
    } else if (std::holds_alternative<ReleaseNotice>(input)) {
        releaseNoticed(now);
    } else {
        stop(now);
    }
}

void ElectionMachine::start(TimePoint now) {
    if (m_phase == Phase::Following || m_phase == Phase::Leading || m_phase == Phase::Stopping)
        return;
    m_phase = Phase::Following;
    m_nextAttempt = now;
    m_hasRetryToken = false;
    m_tokenMayBeHeld = false;
    m_errors = 0;
    m_noticePending = false;
    m_fence = 0;
    record(EventType::Started, now);
}

void ElectionMachine::stop(TimePoint now) {
    if (m_phase == Phase::Idle || m_phase == Phase::Stopped || m_phase == Phase::Stopping)
        return;
    checkDeadline(now);
    if (m_phase == Phase::Leading)
        revoke(now, RevokeReason::Stopped);
    m_phase = Phase::Stopping;
    ++m_term; // an acquire in flight now belongs to no run: its lease is released, not used
    // A failed try may have got through (it had the retry token, which stays until a try takes
    // the lock).
    if (m_tokenMayBeHeld && m_hasRetryToken && !m_busy && !m_cleanup) {
        m_cleanup = std::make_unique<Lease>(Lease{m_resource, takeRetryToken(), 0});
        m_tokenMayBeHeld = false;
    }
    finishStopIfDone(now);
}

void ElectionMachine::revoke(TimePoint now, RevokeReason reason) {
    assert(m_phase == Phase::Leading && m_lease);
    record(EventType::Revoked, now).reason = reason;
    // Release the old lease before anything else: if the store still holds it (a slow store, a
    // late extend), everybody can acquire again at once instead of after its TTL.
    m_cleanup = std::make_unique<Lease>(std::move(*m_lease));
    m_lease.reset();
    m_phase = Phase::Following;
    ++m_term;
    m_nextAttempt = now;
    m_lastExtendFailed = false;
    setLeader(now, {}, 0);
}

std::optional<Command> ElectionMachine::poll(TimePoint now) {
    std::optional<Command> out(std::in_place);
    if (!poll(now, *out))
        out.reset();
    return out;
}

ElectionMachine::InFlight ElectionMachine::takeInflight(Command::Kind expected) {
    assert(m_busy && m_inflight.kind == expected);
    (void)expected;
    m_busy = false;
    return m_inflight;
}

Duration ElectionMachine::backoff() const {
    const int shift = std::clamp(m_errors - 1, 0, 20);
    return std::min<Duration>(
        {m_timing.retryInterval, kErrorBackoffMax, kErrorBackoff * (1LL << shift)});
}

void ElectionMachine::extended(TimePoint now, bool held) {
    const InFlight f = takeInflight(Command::Kind::Extend);
    checkDeadline(now);
    if (m_phase != Phase::Leading || f.term != m_term) {
        // Too late: this term already ended. If the store took the extend, hand the lock back.
        if (held)
            m_cleanup = std::make_unique<Lease>(m_inflightLease);
        finishStopIfDone(now);
        return;
    }
    m_errors = 0;
    if (!held) {
        revoke(now, RevokeReason::Lost);
        m_cleanup.reset(); // it is not ours any more: nothing to release
        return;
    }
    m_lastExtendFailed = false;
    m_deadline = deadlineFor(f.sentAt, f.ttl);
    m_nextRefresh = f.sentAt + m_timing.refreshInterval;
    record(EventType::Extended, now).deadline = m_deadline;
    checkDeadline(now);
}

void ElectionMachine::released(TimePoint now) {
    takeInflight(Command::Kind::Release);
    if (m_cleanup && m_cleanup->token == m_inflightLease.token)
        m_cleanup.reset();
    checkDeadline(now);
    finishStopIfDone(now);
}

void ElectionMachine::failed(TimePoint now, const std::string& error) {
    const InFlight f = takeInflight(m_busy ? m_inflight.kind : Command::Kind::Acquire);
    if (f.kind == Command::Kind::Acquire)
        m_tokenMayBeHeld = true;
    checkDeadline(now);
    ++m_errors;
    static constexpr const char* names[] = {"acquire", "extend", "release"};
    const bool extendFailed =
        f.kind == Command::Kind::Extend && m_phase == Phase::Leading && f.term == m_term;
    record(extendFailed ? EventType::ExtendFailed : EventType::Error, now).message =
        std::string(names[static_cast<int>(f.kind)]) + ": " + error;

    switch (f.kind) {
    case Command::Kind::Release:
        // Give up on it: the lock expires by itself.
        if (m_cleanup && m_cleanup->token == m_inflightLease.token)
            m_cleanup.reset();
        if (m_phase == Phase::Following)
            m_nextAttempt = std::max(m_nextAttempt, now + backoff());
        break;
    case Command::Kind::Acquire:
        if (m_phase == Phase::Following && f.term == m_term)
            m_nextAttempt = now + backoff(); // retried with the same token (m_retryToken)
        else if (m_phase == Phase::Stopping && !m_cleanup && m_hasRetryToken) {
            // It may have got through: give it back before stopping. Its lease is the retry
            // token's, kept until a try takes the lock.
            m_cleanup = std::make_unique<Lease>(Lease{m_resource, takeRetryToken(), 0});
            m_tokenMayBeHeld = false;
        }
        break;
    case Command::Kind::Extend:
        if (m_phase == Phase::Leading && f.term == m_term) {
            m_lastExtendFailed = true;
            m_nextRefresh = now + backoff(); // ride it out until the deadline
        }
        break;
    }
    finishStopIfDone(now);
}

void ElectionMachine::releaseNoticed(TimePoint now) {
    checkDeadline(now);
    if (m_pollingOnly || m_phase != Phase::Following)
        return;
    setLeader(now, {}, 0); // whoever led has let go
    if (m_busy)
        m_noticePending = true;
    else
        m_nextAttempt = std::min(m_nextAttempt, now);
}

std::vector<Event> ElectionMachine::takeEvents() {
    if (m_events.empty())
        return {}; // the common case: nothing to hand over, and no buffer to give away
    return std::exchange(m_events, {});
}

} // namespace baton
