#pragma once
// The campaign's fault schedule: seeded, bounded (one fault at a time, calm gaps between them,
// a calm end) and printed before it runs. Targets are roles ("the leader", "a follower") or
// agents, resolved when the fault strikes.

#include "options.h"

#include <baton/proxy/fault_proxy.h>

#include <string>
#include <vector>

namespace campaign {

struct Target {
    enum class Kind { Leader, Follower, Agent };
    Kind kind = Kind::Agent;
    int agent = 0; ///< Agent
};

struct PlannedFault {
    baton::Duration at{}; ///< since the campaign's start
    FaultType type = FaultType::Kill;
    Target target;
    baton::Duration length{};       ///< how long it lasts (kill, term: until the restart)
    baton::proxy::Fault proxyFault; ///< partition, latency
    double rate = 1;                ///< drift
};

struct Schedule {
    std::vector<double> startRates; ///< each agent's clock rate at the start
    int firstAgent = -1;            ///< started alone first (to lead first), or -1: all at once
    std::vector<PlannedFault> faults;
};

Schedule makeSchedule(const Options& options);

/// "partition (blackhole both) of the leader for 3.100s", "drift of a follower to rate 0.7400".
std::string describe(const PlannedFault& fault);
/// "1.500s": times in a schedule, to the millisecond.
std::string seconds(baton::Duration d);
/// "2.1ms" below a second, else as seconds(): failover times.
std::string shortTime(baton::Duration d);

} // namespace campaign
