#include "timed_store.h"

namespace agent {

template <typename Call>
auto TimedStore::timed(prom::Histogram& histogram, Call&& call) -> decltype(call()) {
    // Failed calls are timed too: a store that times out shows as 0.5 s calls, not as none.
    const baton::TimePoint start = m_clock.now();
    try {
        auto result = call();
        finished(start, histogram, std::nullopt);
        return result;
    } catch (const baton::StoreError& e) {
        finished(start, histogram, std::string(e.what()));
        throw;
    }
}

void TimedStore::finished(const baton::TimePoint& start, prom::Histogram& histogram,
                          std::optional<std::string> error) {
    const baton::TimePoint end = m_clock.now();
    histogram.observe(end - start);
    std::lock_guard lock(m_mutex);
    m_last = {end, std::move(error)};
}

baton::AcquireReply TimedStore::acquire(const std::string& resource, const std::string& token,
                                        const std::string& identity, baton::Duration ttl) {
    const baton::AcquireReply reply =
        timed(m_acquire, [&] { return m_inner.acquire(resource, token, identity, ttl); });
    if (!reply.acquired) {
        std::lock_guard lock(m_mutex);
        if (reply.holder.fence != m_seen.fence)
            m_seenBefore = m_seen;
        m_seen = {reply.holder.fence, m_last.at + reply.holder.remaining};
    }
    return reply;
}

bool TimedStore::extend(const std::string& resource, const std::string& token,
                        baton::Duration ttl) {
    return timed(m_extend, [&] { return m_inner.extend(resource, token, ttl); });
}

bool TimedStore::release(const std::string& resource, const std::string& token) {
    return timed(m_release, [&] { return m_inner.release(resource, token); });
}

TimedStore::LastCall TimedStore::lastCall() const {
    std::lock_guard lock(m_mutex);
    return m_last;
}

std::optional<baton::TimePoint> TimedStore::leaseEndOf(std::uint64_t fence) const {
    std::lock_guard lock(m_mutex);
    for (const SeenLease& seen : {m_seen, m_seenBefore})
        if (fence != 0 && seen.fence == fence)
            return seen.end;
    return std::nullopt;
}

void TimedStore::write(std::ostringstream& out, const std::string& labels) const {
    const char* name = "baton_store_call_duration_seconds";
    prom::family(out, name, "histogram",
                 "Latency of the election's lock calls on the store, failed calls included.");
    m_acquire.write(out, name, labels + ",operation=\"acquire\"");
    m_extend.write(out, name, labels + ",operation=\"extend\"");
    m_release.write(out, name, labels + ",operation=\"release\"");
}

} // namespace agent
