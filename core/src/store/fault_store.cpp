#include "baton/store/fault_store.h"

namespace baton {

// One trip to the store: refused while partitioned; the way there and the way back each wait
// out the delay in force.
class FaultStore::Trip {
public:
    Trip(FaultStore& store, const char* what)
        : m_store(store) {
        const auto until = TimePoint(Duration(store.m_partitionedUntil.load()));
        const auto now = store.m_clock.now();
        if (now < until)
            throw StoreError(
                std::string(what) + ": partitioned from the store for " +
                formatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(until - now)) +
                " more (a simulated fault)");
        store.delay();
    }
    ~Trip() { m_store.delay(); }
    Trip(const Trip&) = delete;
    Trip& operator=(const Trip&) = delete;

private:
    FaultStore& m_store;
};

FaultStore::FaultStore(Store& inner, const Clock& clock)
    : ForwardingStore(inner)
    , m_clock(clock) {}

FaultStore::~FaultStore() = default;

void FaultStore::partitionFor(Duration d) {
    m_partitionedUntil.store(saturatingAdd(m_clock.now(), d).time_since_epoch().count());
}

bool FaultStore::partitioned() const {
    return m_clock.now().time_since_epoch().count() < m_partitionedUntil.load();
}

void FaultStore::delayFor(Duration extra, Duration length) {
    {
        std::lock_guard guard(m_mutex);
        m_extra = extra;
        m_delayUntil = length.count() > 0 ? saturatingAdd(m_clock.now(), length) : TimePoint{};
    }
    m_cv.notify_all();
}

Duration FaultStore::delayNow() const {
    std::lock_guard guard(m_mutex);
    return m_clock.now() < m_delayUntil ? m_extra : Duration{};
}

void FaultStore::delay() {
    std::unique_lock lock(m_mutex);
    if (m_extra.count() <= 0)
        return;
    const TimePoint end = saturatingAdd(m_clock.now(), m_extra);
    // Until the delay has passed, or it was ended (delayFor with zero length) meanwhile.
    for (TimePoint now = m_clock.now(); now < end && now < m_delayUntil; now = m_clock.now())
        m_clock.wait(m_cv, lock, end);
}

StoreCounters FaultStore::counters() const {
    return {m_acquireWon.load(), m_acquireLost.load(),   m_acquireErrors.load(),
            m_extendOk.load(),   m_extendLost.load(),    m_extendErrors.load(),
            m_releaseOk.load(),  m_releaseMissed.load(), m_releaseErrors.load()};
}

AcquireReply FaultStore::acquire(const std::string& resource, const std::string& token,
                                 const std::string& identity, Duration ttl) {
    try {
        Trip trip(*this, "acquire");
        AcquireReply r = m_inner.acquire(resource, token, identity, ttl);
        ++(r.acquired ? m_acquireWon : m_acquireLost);
        return r;
    } catch (...) {
        ++m_acquireErrors;
        throw;
    }
}

bool FaultStore::extend(const std::string& resource, const std::string& token, Duration ttl) {
    try {
        Trip trip(*this, "extend");
        const bool held = m_inner.extend(resource, token, ttl);
        ++(held ? m_extendOk : m_extendLost);
        return held;
    } catch (...) {
        ++m_extendErrors;
        throw;
    }
}

bool FaultStore::release(const std::string& resource, const std::string& token) {
    try {
        Trip trip(*this, "release");
        const bool held = m_inner.release(resource, token);
        ++(held ? m_releaseOk : m_releaseMissed);
        return held;
    } catch (...) {
        ++m_releaseErrors;
        throw;
    }
}

std::optional<LockInfo> FaultStore::inspect(const std::string& resource) {
    Trip trip(*this, "inspect");
    return m_inner.inspect(resource);
}

void FaultStore::publish(const std::string& resource, const std::string& payload) {
    Trip trip(*this, "publish");
    m_inner.publish(resource, payload);
}

Subscription FaultStore::subscribe(const std::string& resource,
                                   std::function<void(const Notice&)> fn) {
    // Notices are dropped while partitioned, as a cut-off network would drop them.
    return m_inner.subscribe(resource, [this, fn = std::move(fn)](const Notice& n) {
        if (!partitioned())
            fn(n);
    });
}

} // namespace baton
