#pragma once
// Reads a simulated run's history and gives a verdict: overlapping leadership, fences out of
// order and corrupted writes are violations; time without a leader, failovers and store load
// are figures.

#include "baton/sim/history.h"
#include "baton/sim/terms.h"

#include <optional>
#include <string>
#include <vector>

namespace baton {

struct Violation {
    enum class Kind : std::uint8_t { Overlap, FenceOrder, CorruptedWrite };
    Kind kind = Kind::Overlap;
    TimePoint at;
    Duration length{}; ///< Overlap: how long both led
    std::string description;
};

/// A fault that ended the leader's term, and how long until somebody led again.
struct Failover {
    TimePoint faultAt;
    FaultKind cause = FaultKind::Crash;
    int oldLeader = 0;
    int newLeader = -1; ///< -1: nobody led again before the run ended
    Duration latency{}; ///< fault to the next Elected
    /// Next Elected minus the lock's expiry as the store saw it at the fault (crash, pause,
    /// partition, ...); empty when the lock was released (stop) or no expiry applies.
    std::optional<Duration> beyondExpiry;
};

/// min / median / p99 / max of a set of durations (all zero when empty).
struct DurationStats {
    std::size_t count = 0;
    Duration min{}, median{}, p99{}, max{};
};
DurationStats statsOf(std::vector<Duration> values);

struct Report {
    std::uint64_t seed = 0;
    TimePoint start; ///< virtual time of the run's start (violations and failovers are absolute)
    Duration duration{};
    std::size_t electors = 0;
    double largestDrift = 0.0; ///< the largest true clock-rate error, |rate - 1|, in the cluster
    std::size_t terms = 0;
    std::size_t faults = 0;

    std::vector<LeadershipInterval> intervals;
    std::vector<Violation> violations; ///< in time order
    std::size_t overlaps = 0;
    Duration overlapTotal{};
    std::size_t fenceOrderViolations = 0;

    Duration timeWithoutLeader{}; ///< after the first election (all of it without one)
    Duration longestWithoutLeader{};

    std::vector<Failover> failovers;
    std::vector<FailoverRecord> storeFailovers; ///< History::failovers: the store's own
    DurationStats failoverLatency;
    DurationStats beyondExpiry;

    std::vector<double> opsPerSecond; ///< store calls per elector per second
    double meanOpsPerSecond = 0.0;

    std::string cutShort; ///< History::cutShort: why the run ended early, or ""

    bool fencing = true;
    std::uint64_t writesAccepted = 0;
    std::uint64_t writesRejected = 0;
    std::uint64_t writesCorrupted = 0;

    bool safe() const { return violations.empty(); }
    const Violation* firstViolation() const {
        return violations.empty() ? nullptr : &violations.front();
    }
};

/// Checks a history.
Report check(const History& history);

} // namespace baton
