#include "replicated_store.h"

#include <algorithm>

namespace baton::sim_detail {

namespace {

std::string seenKey(const std::string& identity, const std::string& resource) {
    return identity + '\n' + resource;
}

} // namespace

ReplicatedStore::ReplicatedStore(const Clock& clock, const Replication& replication,
                                 TimePoint start, std::uint64_t seed)
    : m_clock(clock)
    , m_config(replication)
    , m_random(seed ^ 0x7265706c696361ULL)
    , m_sigma(logNormalSigma(replication.lag, replication.lagP99))
    , m_replicas(static_cast<std::size_t>(replication.replicas)) {
    for (Duration at : m_config.primaryKills)
        m_kills.push_back(start + at);
    std::sort(m_kills.begin(), m_kills.end());
}

ReplicatedStore::Lock* ReplicatedStore::liveLock(const std::string& resource, TimePoint now) {
    auto it = m_primary.locks.find(resource);
    if (it == m_primary.locks.end())
        return nullptr;
    if (now >= it->second.expiresAt) {
        m_primary.locks.erase(it);
        return nullptr;
    }
    return &it->second;
}

AcquireReply ReplicatedStore::acquire(const std::string& resource, const std::string& token,
                                      const std::string& identity, Duration ttl) {
    if (ttl.count() <= 0)
        throw StoreError("acquire: ttl must be positive, got " + formatDuration(ttl));
    const TimePoint now = m_clock.now();
    std::uint64_t& seen = m_seen[seenKey(identity, resource)];
    AcquireReply reply;
    m_wrote = false;
    if (Lock* held = liveLock(resource, now)) {
        seen = std::max(seen, held->fence);
        if (held->token != token) {
            reply.holder = {held->identity, held->fence, held->expiresAt - now};
            return reply;
        }
        held->expiresAt = now + ttl; // our own earlier try got through: take it up
    } else {
        // As the acquire script: above the counter, above the floor the client sends (the
        // highest fence it has seen) and at least the server's time in microseconds, so a
        // promoted replica that missed writes stays above what its clients saw.
        std::uint64_t& counter = m_primary.fences[resource];
        const auto micros = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count());
        counter = std::max(std::max(counter, seen) + 1, micros);
        m_primary.locks[resource] = Lock{token, identity, counter, now + ttl};
        seen = counter;
    }
    const Lock& lock = m_primary.locks[resource];
    reply.acquired = true;
    reply.fence = lock.fence;
    reply.holder = {identity, lock.fence, ttl};
    replicate(resource);
    return reply;
}

bool ReplicatedStore::extend(const std::string& resource, const std::string& token, Duration ttl) {
    if (ttl.count() <= 0)
        throw StoreError("extend: ttl must be positive, got " + formatDuration(ttl));
    m_wrote = false;
    const TimePoint now = m_clock.now();
    Lock* held = liveLock(resource, now);
    if (!held || held->token != token)
        return false;
    held->expiresAt = now + ttl;
    replicate(resource);
    return true;
}

bool ReplicatedStore::release(const std::string& resource, const std::string& token) {
    m_wrote = false;
    Lock* held = liveLock(resource, m_clock.now());
    if (!held || held->token != token)
        return false;
    const Notice notice{Notice::Kind::Released, resource, held->identity, held->fence, {}};
    m_primary.locks.erase(resource);
    replicate(resource);
    m_subscribers.deliver(resource, notice);
    return true;
}

std::optional<LockInfo> ReplicatedStore::inspect(const std::string& resource) {
    const TimePoint now = m_clock.now();
    if (const Lock* held = liveLock(resource, now))
        return LockInfo{held->identity, held->fence, held->expiresAt - now};
    return std::nullopt;
}

void ReplicatedStore::publish(const std::string& resource, const std::string& payload) {
    m_subscribers.deliver(resource, Notice{Notice::Kind::Message, resource, {}, 0, payload});
}

Subscription ReplicatedStore::subscribe(const std::string& resource,
                                        std::function<void(const Notice&)> fn) {
    auto entry = m_subscribers.add(resource, std::move(fn));
    return Subscription([this, resource, entry] { m_subscribers.cancel(resource, entry); });
}

Duration ReplicatedStore::sampleLag() {
    return m_sigma > 0 ? m_random.logNormal(m_config.lag, m_sigma) : m_config.lag;
}

// The replication stream is one ordered stream per replica: a write never overtakes an older
// one, so a replica holds a prefix of the log.
void ReplicatedStore::replicate(const std::string& resource) {
    const TimePoint now = m_clock.now();
    Entry e;
    e.resource = resource;
    if (const auto it = m_primary.locks.find(resource); it != m_primary.locks.end())
        e.lock = it->second;
    e.fence = m_primary.fences[resource];
    for (Replica& r : m_replicas) {
        r.lastArrive = std::max(r.lastArrive, now + sampleLag());
        e.arrives.push_back(r.lastArrive);
    }
    m_log.push_back(std::move(e));
    m_wrote = true;
    trimLog();
}

void ReplicatedStore::catchUp(Replica& r, TimePoint t) {
    const std::size_t i = static_cast<std::size_t>(&r - m_replicas.data());
    while (r.applied - m_logBase < m_log.size()) {
        const Entry& e = m_log[r.applied - m_logBase];
        if (e.arrives[i] > t)
            break;
        if (e.lock)
            r.state.locks[e.resource] = *e.lock;
        else
            r.state.locks.erase(e.resource);
        r.state.fences[e.resource] = e.fence;
        ++r.applied;
    }
}

// Keeps only the writes some replica still lacks: the log stays as long as the lag is.
void ReplicatedStore::trimLog() {
    const TimePoint now = m_clock.now();
    std::size_t lowest = m_logBase + m_log.size();
    for (Replica& r : m_replicas) {
        catchUp(r, now);
        lowest = std::min(lowest, r.applied);
    }
    while (m_logBase < lowest) {
        m_log.pop_front();
        ++m_logBase;
    }
}

bool ReplicatedStore::down(TimePoint v) {
    for (;;) {
        if (m_promoteAt) {
            if (v < *m_promoteAt)
                return true;
            promote(m_kills[m_nextKill - 1], *m_promoteAt);
            const TimePoint promoted = *m_promoteAt;
            m_promoteAt.reset();
            // A kill while no primary exists has nothing to kill.
            while (m_nextKill < m_kills.size() && m_kills[m_nextKill] < promoted)
                ++m_nextKill;
            continue;
        }
        if (m_nextKill < m_kills.size() && m_kills[m_nextKill] <= v) {
            m_promoteAt = m_kills[m_nextKill++] + m_config.downAfter + m_config.election;
            continue;
        }
        return false;
    }
}

// Sentinel promotes the replica with the largest replication offset; the old primary comes
// back as a replica of it, resynchronised (so the replica count stays).
void ReplicatedStore::promote(TimePoint killedAt, TimePoint promotedAt) {
    Replica* best = &m_replicas.front();
    for (Replica& r : m_replicas) {
        catchUp(r, killedAt);
        if (r.applied > best->applied)
            best = &r;
    }
    FailoverRecord f{killedAt, promotedAt, m_logBase + m_log.size() - best->applied, false};
    for (const auto& [resource, lock] : m_primary.locks) {
        const auto it = best->state.locks.find(resource);
        if (lock.expiresAt > killedAt &&
            (it == best->state.locks.end() || it->second.token != lock.token ||
             it->second.expiresAt <= promotedAt))
            f.lockLost = true;
    }
    m_failovers.push_back(f);
    m_primary = best->state;
    const State promoted = m_primary;
    m_log.clear();
    m_logBase = 0;
    for (Replica& r : m_replicas)
        r = Replica{promoted, 0, promotedAt};
}

ReplicatedStore::Ack ReplicatedStore::acknowledge(TimePoint v) const {
    const Entry& e = m_log.empty() ? Entry{} : m_log.back();
    std::vector<TimePoint> arrives = e.arrives;
    if (m_log.empty()) // every replica had it at once (a zero lag)
        arrives.assign(m_replicas.size(), v);
    std::sort(arrives.begin(), arrives.end());
    const auto needed = static_cast<std::size_t>(m_config.minReplicas);
    const TimePoint ackAt = arrives[needed - 1];
    const TimePoint giveUp = v + m_config.replicaTimeout;
    const TimePoint until = std::min(ackAt, giveUp);
    if (m_nextKill < m_kills.size() && m_kills[m_nextKill] <= until)
        return {m_kills[m_nextKill] - v, "the primary died before WAIT returned"};
    if (ackAt > giveUp) {
        const auto got =
            std::count_if(arrives.begin(), arrives.end(), [&](TimePoint t) { return t <= giveUp; });
        return {m_config.replicaTimeout,
                "WAIT: " + std::to_string(got) + " of " + std::to_string(needed) +
                    " replicas acknowledged within " + formatDuration(m_config.replicaTimeout)};
    }
    return {ackAt - v, std::nullopt};
}

} // namespace baton::sim_detail
