#pragma once
// The configuration text of a sentinel that watches one primary, shared by the lab's private
// HA setup and the tests' SentinelSetup, so both fail over the same way.

#include <string>

namespace baton {

struct SentinelMonitor {
    std::string master = "mymaster";
    int primaryPort = 0;
    int quorum = 2;
    int downAfterMs = 400; ///< how soon a silent primary is called down
    /// Short: a stalled failover is tried again soon, and a returning old primary is made a
    /// replica soon after.
    int failoverTimeoutMs = 3000;
    std::string authPass;     ///< the primary's and replica's requirepass, or empty
    std::string sentinelPass; ///< the other sentinels' requirepass, or empty
};

inline std::string sentinelConfig(const SentinelMonitor& m) {
    const std::string& n = m.master;
    std::string c = "sentinel monitor " + n + " 127.0.0.1 " + std::to_string(m.primaryPort) + ' ' +
                    std::to_string(m.quorum) + '\n';
    c += "sentinel down-after-milliseconds " + n + ' ' + std::to_string(m.downAfterMs) + '\n';
    c += "sentinel failover-timeout " + n + ' ' + std::to_string(m.failoverTimeoutMs) + '\n';
    if (!m.authPass.empty())
        c += "sentinel auth-pass " + n + ' ' + m.authPass + '\n';
    if (!m.sentinelPass.empty())
        c += "sentinel sentinel-pass " + m.sentinelPass + '\n';
    return c;
}

} // namespace baton
