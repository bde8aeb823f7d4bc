#pragma once
// The fault proxy between one of the lab's agents and Redis (Baton::proxy): the agent's command
// and subscription connections both go through it, so the lab's partition and latency happen on
// the network, where the agent cannot tell them from real ones. The proxy runs on a thread of
// its own; these calls only set and read its faults.

#include "backend/lab_types.h"

#include <memory>

namespace baton::proxy {
class FaultProxy;
}

namespace baton::lab {

/// The agent's URL with the proxy's address in place of the server's (user, password and db
/// kept as they were written), or "" when `url` is not a redis:// URL.
QString throughProxy(const QString& url, int port);

class AgentProxy {
public:
    /// A proxy to the server of `url` (a redis:// URL), or nullptr with `why` set: a unix socket
    /// (the proxy forwards TCP only), a URL that does not parse, a port that cannot be opened.
    static std::unique_ptr<AgentProxy> open(const QString& url, QString& why);
    ~AgentProxy();
    AgentProxy(const AgentProxy&) = delete;
    AgentProxy& operator=(const AgentProxy&) = delete;

    /// What the agent connects to (it holds the password: the agent's environment only).
    const QString& agentUrl() const { return m_agentUrl; }
    /// "127.0.0.1:PORT -> HOST:PORT", for the log.
    QString describe() const;

    /// Holds every byte both ways for `d` (a blackhole): calls hang until the agent's command
    /// timeout, notices do not arrive; what is held is delivered when it ends, as TCP would.
    void partition(Duration d);
    /// Adds `extra` to each direction for `d`, replacing an earlier latency fault.
    void addLatency(Duration extra, Duration d);
    /// Ends the partition and the latency now.
    void heal();

    /// What is in force now, as the proxy says (its faults end by themselves).
    struct InForce {
        TimePoint partitionedUntil{}; ///< zero: not partitioned (max: until healed)
        Duration latency{};           ///< added each way
        TimePoint latencyUntil{};
    };
    InForce inForce() const;

private:
    AgentProxy(std::unique_ptr<proxy::FaultProxy> proxy, QString agentUrl);

    std::unique_ptr<proxy::FaultProxy> m_proxy;
    QString m_agentUrl;
    std::uint64_t m_partition = 0; ///< the proxy's FaultId (0: none set)
    std::uint64_t m_latency = 0;
};

} // namespace baton::lab
