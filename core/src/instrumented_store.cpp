#include "baton/instrumented_store.h"

namespace baton {

InstrumentedStore::InstrumentedStore(Store& inner, const Clock& clock)
    : m_inner(inner)
    , m_clock(clock) {}

void InstrumentedStore::partitionFor(Duration d) {
    m_partitionedUntil.store(saturatingAdd(m_clock.now(), d).time_since_epoch().count());
}

bool InstrumentedStore::partitioned() const {
    return m_clock.now().time_since_epoch().count() < m_partitionedUntil.load();
}

void InstrumentedStore::checkReachable(const char* what) const {
    const auto until = TimePoint(Duration(m_partitionedUntil.load()));
    const auto now = m_clock.now();
    if (now < until)
        throw StoreError(
            std::string(what) + ": partitioned from the store for " +
            formatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(until - now)) +
            " more (a simulated fault)");
}

StoreCounters InstrumentedStore::counters() const {
    return {m_acquireWon.load(), m_acquireLost.load(),   m_acquireErrors.load(),
            m_extendOk.load(),   m_extendLost.load(),    m_extendErrors.load(),
            m_releaseOk.load(),  m_releaseMissed.load(), m_releaseErrors.load()};
}

AcquireReply InstrumentedStore::acquire(const std::string& resource, const std::string& token,
                                        const std::string& identity, Duration ttl) {
    try {
        checkReachable("acquire");
        AcquireReply r = m_inner.acquire(resource, token, identity, ttl);
        ++(r.acquired ? m_acquireWon : m_acquireLost);
        return r;
    } catch (...) {
        ++m_acquireErrors;
        throw;
    }
}

bool InstrumentedStore::extend(const std::string& resource, const std::string& token,
                               Duration ttl) {
    try {
        checkReachable("extend");
        const bool held = m_inner.extend(resource, token, ttl);
        ++(held ? m_extendOk : m_extendLost);
        return held;
    } catch (...) {
        ++m_extendErrors;
        throw;
    }
}

bool InstrumentedStore::release(const std::string& resource, const std::string& token) {
    try {
        checkReachable("release");
        const bool held = m_inner.release(resource, token);
        ++(held ? m_releaseOk : m_releaseMissed);
        return held;
    } catch (...) {
        ++m_releaseErrors;
        throw;
    }
}

std::optional<LockInfo> InstrumentedStore::inspect(const std::string& resource) {
    checkReachable("inspect");
    return m_inner.inspect(resource);
}

void InstrumentedStore::publish(const std::string& resource, const std::string& payload) {
    checkReachable("publish");
    m_inner.publish(resource, payload);
}

Subscription InstrumentedStore::subscribe(const std::string& resource,
                                          std::function<void(const Notice&)> fn) {
    // Notices are dropped while partitioned, as a cut-off network would drop them.
    return m_inner.subscribe(resource, [this, fn = std::move(fn)](const Notice& n) {
        if (!partitioned())
            fn(n);
    });
}

std::optional<std::string> InstrumentedStore::get(const std::string& key) {
    checkReachable("get");
    return m_inner.get(key);
}

void InstrumentedStore::set(const std::string& key, const std::string& value, Duration ttl) {
    checkReachable("set");
    m_inner.set(key, value, ttl);
}

bool InstrumentedStore::del(const std::string& key) {
    checkReachable("del");
    return m_inner.del(key);
}

} // namespace baton
