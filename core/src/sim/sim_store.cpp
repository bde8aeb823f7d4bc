#include "sim_store.h"

#include "baton/base/text.h"

namespace baton::sim_detail {

SimStore::SimStore(const Clock& clock, std::string resource)
    : m_clock(clock)
    , m_resource(std::move(resource))
    , m_others(clock) {}

AcquireReply SimStore::acquire(const std::string& resource, const std::string& token,
                               const std::string& identity, Duration ttl) {
    if (!mine(resource))
        return m_others.acquire(resource, token, identity, ttl);
    LockAttempt attempt;
    acquire(m_clock.now(), token, identity, ttl, attempt);
    AcquireReply reply;
    reply.acquired = attempt.lease.has_value();
    reply.fence = attempt.lease ? attempt.lease->fence : 0;
    reply.holder = std::move(attempt.holder);
    return reply;
}

void SimStore::acquire(TimePoint now, const std::string& token, const std::string& identity,
                       Duration ttl, LockAttempt& out) {
    if (ttl.count() <= 0)
        throw StoreError("acquire: ttl must be positive, got " + formatDuration(ttl));
    if (live(now) && !sameText(m_lock.token, token)) {
        out.lease.reset();
        // Mostly the last answer's already, in its slot.
        if (!sameText(out.holder.identity, m_lock.identity))
            out.holder.identity = m_lock.identity;
        out.holder.fence = m_lock.fence;
        out.holder.remaining = m_lock.expiresAt - now;
        return;
    }
    if (!m_held) { // free: take it (else our own earlier try got through: take it up)
        m_held = true;
        m_lock.token = token;
        m_lock.identity = identity;
        m_lock.fence = ++m_fence;
        m_lock.holder = m_caller;
    }
    m_lock.expiresAt = now + ttl;
    out.lease = Lease{m_resource, token, m_lock.fence};
    out.holder.identity = identity;
    out.holder.fence = m_lock.fence;
    out.holder.remaining = ttl;
}

bool SimStore::extend(const std::string& resource, const std::string& token, Duration ttl) {
    if (!mine(resource))
        return m_others.extend(resource, token, ttl);
    if (ttl.count() <= 0)
        throw StoreError("extend: ttl must be positive, got " + formatDuration(ttl));
    const TimePoint now = m_clock.now();
    if (!live(now) || m_lock.token != token)
        return false;
    m_lock.expiresAt = now + ttl;
    return true;
}

bool SimStore::release(const std::string& resource, const std::string& token) {
    if (!mine(resource))
        return m_others.release(resource, token);
    if (!live(m_clock.now()) || m_lock.token != token)
        return false;
    m_held = false;
    m_subscribers.deliver(
        m_resource, Notice{Notice::Kind::Released, m_resource, m_lock.identity, m_lock.fence, {}});
    return true;
}

std::optional<LockInfo> SimStore::inspect(const std::string& resource) {
    if (!mine(resource))
        return m_others.inspect(resource);
    const TimePoint now = m_clock.now();
    if (!live(now))
        return std::nullopt;
    return LockInfo{m_lock.identity, m_lock.fence, m_lock.expiresAt - now};
}

void SimStore::publish(const std::string& resource, const std::string& payload) {
    if (!mine(resource))
        return m_others.publish(resource, payload);
    m_subscribers.deliver(m_resource, Notice{Notice::Kind::Message, m_resource, {}, 0, payload});
}

Subscription SimStore::subscribe(const std::string& resource,
                                 std::function<void(const Notice&)> fn) {
    if (!mine(resource))
        return m_others.subscribe(resource, std::move(fn));
    auto entry = m_subscribers.add(m_resource, std::move(fn));
    return Subscription([this, entry] { m_subscribers.cancel(m_resource, entry); });
}

} // namespace baton::sim_detail
