#pragma once
// A Store decorator for faults and figures: counts every lock call by outcome (for metrics),
// cuts its elector off from the store for a while (a partition: every call fails, notices are
// dropped) and adds latency to every trip. The lab, the agent and tests put it in front of a
// real store; production electors need none of it.

#include "baton/store/forwarding_store.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace baton {

struct StoreCounters {
    std::uint64_t acquireWon = 0, acquireLost = 0, acquireErrors = 0;
    std::uint64_t extendOk = 0, extendLost = 0, extendErrors = 0;
    std::uint64_t releaseOk = 0, releaseMissed = 0, releaseErrors = 0;
};

class FaultStore final : public ForwardingStore {
public:
    explicit FaultStore(Store& inner, const Clock& clock = SteadyClock::instance());
    ~FaultStore() override;

    /// From now until now + d, every call fails with StoreError("partitioned ..."); zero heals.
    void partitionFor(Duration d);
    bool partitioned() const;
    /// From now until now + length, each trip (there and back) takes `extra` longer; zero length
    /// ends it, and also cuts short the waits in progress (so a stop never waits them out).
    void delayFor(Duration extra, Duration length);
    /// The latency added now (zero when none is in force).
    Duration delayNow() const;
    StoreCounters counters() const;

    AcquireReply acquire(const std::string& resource, const std::string& token,
                         const std::string& identity, Duration ttl) override;
    bool extend(const std::string& resource, const std::string& token, Duration ttl) override;
    bool release(const std::string& resource, const std::string& token) override;
    std::optional<LockInfo> inspect(const std::string& resource) override;
    void publish(const std::string& resource, const std::string& payload) override;
    Subscription subscribe(const std::string& resource,
                           std::function<void(const Notice&)> fn) override;

private:
    class Trip;
    void delay();

    const Clock& m_clock;
    std::atomic<TimePoint::rep> m_partitionedUntil{0};
    mutable std::mutex m_mutex; // guards the delay
    std::condition_variable m_cv;
    Duration m_extra{};
    TimePoint m_delayUntil{};
    std::atomic<std::uint64_t> m_acquireWon{0}, m_acquireLost{0}, m_acquireErrors{0};
    std::atomic<std::uint64_t> m_extendOk{0}, m_extendLost{0}, m_extendErrors{0};
    std::atomic<std::uint64_t> m_releaseOk{0}, m_releaseMissed{0}, m_releaseErrors{0};
};

} // namespace baton
