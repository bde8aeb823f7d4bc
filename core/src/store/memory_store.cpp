#include "baton/store/memory_store.h"

namespace baton {

MemoryStore::MemoryStore(const Clock& clock)
    : m_clock(clock) {}

MemoryStore::~MemoryStore() = default;

MemoryStore::Lock* MemoryStore::liveLock(const std::string& resource, TimePoint now) {
    auto it = m_locks.find(resource);
    if (it == m_locks.end())
        return nullptr;
    if (now >= it->second.expiresAt) {
        m_locks.erase(it);
        return nullptr;
    }
    return &it->second;
}

AcquireReply MemoryStore::acquire(const std::string& resource, const std::string& token,
                                  const std::string& identity, Duration ttl) {
    if (ttl.count() <= 0)
        throw StoreError("acquire: ttl must be positive, got " + formatDuration(ttl));
    std::lock_guard guard(m_mutex);
    const auto now = m_clock.now();
    AcquireReply reply;
    if (Lock* held = liveLock(resource, now)) {
        if (held->token == token) { // our own earlier try got through: take it up
            held->expiresAt = now + ttl;
            reply.acquired = true;
            reply.fence = held->fence;
            reply.holder = {identity, held->fence, ttl};
            return reply;
        }
        reply.holder.identity = held->identity; // a copy into place, no temporary
        reply.holder.fence = held->fence;
        reply.holder.remaining = held->expiresAt - now;
        return reply;
    }
    const auto fence = ++m_fences[resource];
    m_locks[resource] = Lock{token, identity, fence, now + ttl};
    reply.acquired = true;
    reply.fence = fence;
    reply.holder = {identity, fence, ttl};
    return reply;
}

bool MemoryStore::extend(const std::string& resource, const std::string& token, Duration ttl) {
    if (ttl.count() <= 0)
        throw StoreError("extend: ttl must be positive, got " + formatDuration(ttl));
    std::lock_guard guard(m_mutex);
    const auto now = m_clock.now();
    Lock* held = liveLock(resource, now);
    if (!held || held->token != token)
        return false;
    held->expiresAt = now + ttl;
    return true;
}

bool MemoryStore::release(const std::string& resource, const std::string& token) {
    Notice notice{Notice::Kind::Released, resource, {}, 0, {}};
    {
        std::lock_guard guard(m_mutex);
        Lock* held = liveLock(resource, m_clock.now());
        if (!held || held->token != token)
            return false;
        notice.identity = held->identity;
        notice.fence = held->fence;
        m_locks.erase(resource);
    }
    notify(notice);
    return true;
}

std::optional<LockInfo> MemoryStore::inspect(const std::string& resource) {
    std::lock_guard guard(m_mutex);
    const auto now = m_clock.now();
    if (const Lock* held = liveLock(resource, now))
        return LockInfo{held->identity, held->fence, held->expiresAt - now};
    return std::nullopt;
}

void MemoryStore::publish(const std::string& resource, const std::string& payload) {
    notify(Notice{Notice::Kind::Message, resource, {}, 0, payload});
}

Subscription MemoryStore::subscribe(const std::string& resource,
                                    std::function<void(const Notice&)> fn) {
    auto entry = m_subscribers.add(resource, std::move(fn));
    return Subscription([this, resource, entry] { m_subscribers.cancel(resource, entry); });
}

// Callbacks run outside the store's locks, on the caller's thread.
void MemoryStore::notify(const Notice& notice) {
    m_subscribers.deliver(notice.resource, notice);
}

std::optional<std::string> MemoryStore::get(const std::string& key) {
    std::lock_guard guard(m_mutex);
    auto it = m_values.find(key);
    if (it == m_values.end())
        return std::nullopt;
    if (m_clock.now() >= it->second.expiresAt) {
        m_values.erase(it);
        return std::nullopt;
    }
    return it->second.value;
}

void MemoryStore::set(const std::string& key, const std::string& value, Duration ttl) {
    if (ttl.count() < 0)
        throw StoreError("set: ttl must not be negative, got " + formatDuration(ttl));
    std::lock_guard guard(m_mutex);
    const auto expiresAt = ttl.count() == 0 ? TimePoint::max() : m_clock.now() + ttl;
    m_values[key] = Value{value, expiresAt};
}

bool MemoryStore::del(const std::string& key) {
    std::lock_guard guard(m_mutex);
    auto it = m_values.find(key);
    if (it == m_values.end())
        return false;
    const bool live = m_clock.now() < it->second.expiresAt;
    m_values.erase(it);
    return live;
}

} // namespace baton
