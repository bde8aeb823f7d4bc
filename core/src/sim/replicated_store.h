#pragma once
// A Redis primary with asynchronous replicas on virtual time, for the simulator: writes reach
// each replica after a lag, a killed primary is replaced by the best replica (unreplicated
// writes lost), WAIT counts replica acknowledgements, and fences keep each client's floor.

#include "baton/sim/history.h"
#include "baton/sim/random.h"
#include "baton/sim/scenario.h"
#include "baton/store/store.h"
#include "baton/store/subscriber_list.h"

#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace baton::sim_detail {

class ReplicatedStore final : public Store {
public:
    ReplicatedStore(const Clock& clock, const Replication& replication, TimePoint start,
                    std::uint64_t seed);

    AcquireReply acquire(const std::string& resource, const std::string& token,
                         const std::string& identity, Duration ttl) override;
    bool extend(const std::string& resource, const std::string& token, Duration ttl) override;
    bool release(const std::string& resource, const std::string& token) override;
    std::optional<LockInfo> inspect(const std::string& resource) override;
    void publish(const std::string& resource, const std::string& payload) override;
    Subscription subscribe(const std::string& resource,
                           std::function<void(const Notice&)> fn) override;

    /// Plays the kills and promotions due by `v`; true while no primary answers at `v`.
    bool down(TimePoint v);
    /// WAIT after the last write made at `v`: how long until enough replicas acknowledged it,
    /// or the reason it does not count (too few within the timeout, the primary died first).
    struct Ack {
        Duration after{};
        std::optional<std::string> error;
    };
    Ack acknowledge(TimePoint v) const;
    /// Whether the last call wrote (taken, extended, released): only a write is waited for.
    bool wrote() const { return m_wrote; }
    const std::vector<FailoverRecord>& failovers() const { return m_failovers; }

private:
    struct Lock {
        std::string token;
        std::string identity;
        std::uint64_t fence = 0;
        TimePoint expiresAt;
    };
    struct State {
        std::unordered_map<std::string, Lock> locks;
        std::unordered_map<std::string, std::uint64_t> fences;
    };
    // One replicated write: the lock after it (none: deleted) and the fence counter.
    struct Entry {
        std::string resource;
        std::optional<Lock> lock;
        std::uint64_t fence = 0;
        std::vector<TimePoint> arrives; // per replica
    };
    struct Replica {
        State state;
        std::size_t applied = 0; // entries of the log applied (counted from m_logBase)
        TimePoint lastArrive;
    };

    Lock* liveLock(const std::string& resource, TimePoint now);
    void replicate(const std::string& resource);
    Duration sampleLag();
    void catchUp(Replica& r, TimePoint t);
    void trimLog();
    void promote(TimePoint killedAt, TimePoint promotedAt);

    const Clock& m_clock;
    Replication m_config;
    Random m_random;
    double m_sigma = 0; // the lag's log-normal spread (0: every write takes the lag)
    State m_primary;
    std::vector<Replica> m_replicas;
    std::deque<Entry> m_log;
    std::size_t m_logBase = 0;      // entries already dropped from the log's front
    std::vector<TimePoint> m_kills; // sorted, virtual
    std::size_t m_nextKill = 0;
    std::optional<TimePoint> m_promoteAt; // while a failover is under way
    bool m_wrote = false;
    // The highest fence each client has seen (RedisStore::highestFenceSeen): the client's
    // memory, so it survives the store's failover.
    std::unordered_map<std::string, std::uint64_t> m_seen;
    std::vector<FailoverRecord> m_failovers;
    SubscriberList<Notice> m_subscribers;
};

} // namespace baton::sim_detail
