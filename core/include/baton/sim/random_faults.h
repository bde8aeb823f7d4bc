#pragma once
// A random, seeded fault schedule: crashes and restarts, stops and starts, pauses (some longer
// than the TTL), partitions (failing and hanging), latency spikes and live timing changes, on
// random electors and on the leader.

#include "baton/sim/scenario.h"

namespace baton {

struct RandomFaultOptions {
    Duration meanGap = std::chrono::minutes(2); ///< mean time between two faults
    double leaderShare = 0.5;                   ///< share of faults aimed at the leader
};

/// Faults for `scenario` (its electors, duration and timing), drawn from `seed`.
std::vector<Fault> randomFaults(const Scenario& scenario, std::uint64_t seed,
                                const RandomFaultOptions& options = {});

} // namespace baton
