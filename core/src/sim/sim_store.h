#pragma once
// The simulator's store: MemoryStore's lock semantics for the run's one resource, without a
// mutex (one thread runs it) or a hash lookup per call, and it knows which elector holds it.

#include "baton/store/locker.h"
#include "baton/store/memory_store.h"
#include "baton/store/store.h"
#include "baton/store/subscriber_list.h"

#include <string>

namespace baton::sim_detail {

/// Every call on `resource` is one step on plain fields, as MemoryStore does it under its
/// mutex; any other resource (no simulated elector uses one) goes to a MemoryStore.
class SimStore final : public Store {
public:
    SimStore(const Clock& clock, std::string resource);

    AcquireReply acquire(const std::string& resource, const std::string& token,
                         const std::string& identity, Duration ttl) override;
    bool extend(const std::string& resource, const std::string& token, Duration ttl) override;
    bool release(const std::string& resource, const std::string& token) override;
    std::optional<LockInfo> inspect(const std::string& resource) override;
    void publish(const std::string& resource, const std::string& payload) override;
    Subscription subscribe(const std::string& resource,
                           std::function<void(const Notice&)> fn) override;

    /// An acquire of the run's resource at `now` (the clock's time), its answer written into
    /// `out` (what Locker::tryLock makes of acquire()'s reply).
    void acquire(TimePoint now, const std::string& token, const std::string& identity, Duration ttl,
                 LockAttempt& out);

    /// Who makes the calls from now on (an elector's index): an acquire that takes the lock
    /// records it as the holder.
    void setCaller(int index) { m_caller = index; }
    /// The elector that holds the lock at `now`, -1 when it is free.
    int holder(TimePoint now) { return live(now) ? m_lock.holder : -1; }

private:
    struct Lock {
        std::string token;
        std::string identity;
        std::uint64_t fence = 0;
        TimePoint expiresAt;
        int holder = -1;
    };
    // Whether the lock is held at `now` (an expired one is dropped, as MemoryStore does).
    bool live(TimePoint now) {
        if (m_held && now >= m_lock.expiresAt)
            m_held = false;
        return m_held;
    }
    bool mine(const std::string& resource) const { return resource == m_resource; }

    const Clock& m_clock;
    const std::string m_resource;
    bool m_held = false;
    Lock m_lock;
    std::uint64_t m_fence = 0;
    int m_caller = -1;
    MemoryStore m_others;
    SubscriberList<Notice> m_subscribers;
};

} // namespace baton::sim_detail
