#pragma once
// A Store wrapper that counts every call by outcome (for metrics) and can cut its elector off
// from the store for a while (a simulated network partition: every call fails).

#include "baton/store.h"

#include <atomic>

namespace baton {

struct StoreCounters {
    std::uint64_t acquireWon = 0, acquireLost = 0, acquireErrors = 0;
    std::uint64_t extendOk = 0, extendLost = 0, extendErrors = 0;
    std::uint64_t releaseOk = 0, releaseMissed = 0, releaseErrors = 0;
};

class InstrumentedStore final : public Store {
public:
    explicit InstrumentedStore(Store& inner, const Clock& clock = SteadyClock::instance());

    /// From now until now + d, every call fails with StoreError("partitioned ...").
    void partitionFor(Duration d);
    bool partitioned() const;
    StoreCounters counters() const;

    AcquireReply acquire(const std::string& resource, const std::string& token,
                         const std::string& identity, Duration ttl) override;
    bool extend(const std::string& resource, const std::string& token, Duration ttl) override;
    bool release(const std::string& resource, const std::string& token) override;
    std::optional<LockInfo> inspect(const std::string& resource) override;
    void publish(const std::string& resource, const std::string& payload) override;
    Subscription subscribe(const std::string& resource,
                           std::function<void(const Notice&)> fn) override;
    std::optional<std::string> get(const std::string& key) override;
    void set(const std::string& key, const std::string& value, Duration ttl) override;
    bool del(const std::string& key) override;

private:
    void checkReachable(const char* what) const;

    Store& m_inner;
    const Clock& m_clock;
    std::atomic<TimePoint::rep> m_partitionedUntil{0};
    std::atomic<std::uint64_t> m_acquireWon{0}, m_acquireLost{0}, m_acquireErrors{0};
    std::atomic<std::uint64_t> m_extendOk{0}, m_extendLost{0}, m_extendErrors{0};
    std::atomic<std::uint64_t> m_releaseOk{0}, m_releaseMissed{0}, m_releaseErrors{0};
};

} // namespace baton
