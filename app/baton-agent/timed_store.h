#pragma once
// A Store decorator in the agent's chain that times acquire, extend and release for the
// metrics, remembers whether the last lock call succeeded (for /healthz), and when the lease
// of the holder it last saw ends (for the failover time).

#include "prometheus.h"

#include <baton/store/forwarding_store.h>

#include <mutex>
#include <optional>

namespace agent {

class TimedStore : public baton::ForwardingStore {
public:
    /// Times are read on `clock`, the election's (the lease ends it remembers are compared
    /// with the election's times).
    explicit TimedStore(baton::Store& inner,
                        const baton::Clock& clock = baton::SteadyClock::instance())
        : ForwardingStore(inner)
        , m_clock(clock) {}

    baton::AcquireReply acquire(const std::string& resource, const std::string& token,
                                const std::string& identity, baton::Duration ttl) override;
    bool extend(const std::string& resource, const std::string& token,
                baton::Duration ttl) override;
    bool release(const std::string& resource, const std::string& token) override;

    /// The outcome of the last lock call: when it ended, and the error if it failed.
    struct LastCall {
        baton::TimePoint at{};
        std::optional<std::string> error;
    };
    LastCall lastCall() const;
    /// When the lease of the term with `fence` ends, as the last acquire reply here that saw
    /// another elector hold it said; remembered for the last two such terms.
    std::optional<baton::TimePoint> leaseEndOf(std::uint64_t fence) const;
    /// `baton_store_call_duration_seconds`, labelled `labels` and the operation.
    void write(std::ostringstream& out, const std::string& labels) const;

private:
    template <typename Call>
    auto timed(prom::Histogram& histogram, Call&& call) -> decltype(call());
    void finished(const baton::TimePoint& start, prom::Histogram& histogram,
                  std::optional<std::string> error);

    const baton::Clock& m_clock;
    prom::Histogram m_acquire{prom::Histogram::storeCallBounds()};
    prom::Histogram m_extend{prom::Histogram::storeCallBounds()};
    prom::Histogram m_release{prom::Histogram::storeCallBounds()};
    mutable std::mutex m_mutex;
    LastCall m_last;
    struct SeenLease {
        std::uint64_t fence = 0;
        baton::TimePoint end{};
    };
    SeenLease m_seen, m_seenBefore;
};

} // namespace agent
