#pragma once
// What a simulated run is made of: the cluster (electors, timings, clock drift, latency) and a
// timeline of faults and live changes. The simulator plays it; baton-sim reads it from JSON.

#include "baton/election/config.h"
#include "baton/fault/fault.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baton {

/// Whom a fault hits: one elector, whoever leads at that instant, a follower, or everybody.
struct FaultTarget {
    enum class Kind : std::uint8_t { Elector, Leader, Follower, All };
    Kind kind = Kind::Leader;
    int index = 0; ///< Elector
};

struct Fault {
    enum class PartitionMode : std::uint8_t { Fail, Hang };

    Duration at{}; ///< from the start of the run
    FaultKind kind = FaultKind::Crash;
    FaultTarget target;
    /// Crash, Stop, Pause, Partition, Latency: how long until it ends by itself (restart, start,
    /// resume, heal, spike over); zero: until an explicit ending fault.
    Duration duration{};
    PartitionMode mode = PartitionMode::Fail; ///< Partition
    Duration extra{};                         ///< Latency: added to each one-way trip
    std::optional<Duration> ttl;              ///< Timing
    std::optional<Duration> refresh;          ///< Timing
    std::optional<Duration> retry;            ///< Timing
    double rate = 1.0;                        ///< Drift: local seconds per true second
    /// How many of the run's steps (Simulator::step()) at the instant `at` come before it; 0:
    /// before them all. The lab records a fault struck between two steps of one instant so
    /// (Simulator::stepsNow()), and its saved run replays it in the same place.
    int after = 0;
};

/// A replicated store (a Redis primary with asynchronous replicas under Sentinel): each write
/// reaches a replica after a lag; a killed primary is replaced, after the detection delay, by
/// the replica with the most writes, and what it had not received is lost.
struct Replication {
    int replicas = 1;
    Duration lag = std::chrono::milliseconds(2); ///< median delay until a replica has a write
    Duration lagP99{}; ///< 0: every write takes `lag`; else log-normal with this p99
    Duration downAfter = std::chrono::seconds(5); ///< Sentinel's down-after-milliseconds
    Duration election = std::chrono::seconds(1);  ///< the sentinels' vote and the promotion
    /// WAIT: an acquire or extend counts only when this many replicas have it within
    /// `replicaTimeout`; otherwise it is a failed call (the write stays on the primary).
    int minReplicas = 0;
    Duration replicaTimeout = std::chrono::milliseconds(250); ///< as RedisOptions
    bool outageHangs = false; ///< calls during the outage hang until the timeout, or fail at once
    std::vector<Duration> primaryKills; ///< when the primary dies (from the start)
};

/// Settings of one elector that differ from the cluster's.
struct ElectorSetup {
    int index = 0;
    std::optional<double> clockRate; ///< local seconds per true second (1.0: exact)
    std::optional<Duration> latency; ///< one-way store latency
    std::optional<bool> pollingOnly;
    std::optional<Duration> startAt; ///< when it starts (default: at 0)
};

struct Scenario {
    std::string name;
    std::string description;
    std::string resource = "job-scheduler";
    int electors = 5;
    Duration duration = std::chrono::minutes(1);
    std::uint64_t seed = 1;
    Timing timing{5s, 1s, 1s}; ///< followers try every second: busier, and easier to watch
    double drift = 0.0;        ///< true clock rates are drawn from [1 - drift, 1 + drift]
    double maxDrift = 0.01;    ///< what the electors assume (Config::maxClockDrift)
    Duration latency = std::chrono::milliseconds(1); ///< one-way store latency
    double latencyJitter = 0.25; ///< each trip takes latency * (1 + [0, jitter))
    /// When set, each trip's latency is log-normal instead, with `latency` as its median and
    /// this as its 99th percentile (a tail: one trip in a hundred takes longer); 0: jitter.
    Duration latencyP99{};
    Duration commandTimeout = std::chrono::seconds(1); ///< a call without answer fails then
    bool pollingOnly = false;
    bool fencing = true; ///< the protected resource checks fences
    Duration writeInterval = std::chrono::milliseconds(250); ///< a leader's writes downstream
    /// The most records (events, store views, writes) a run keeps: 5 M take about 420 MB, some
    /// six virtual days of five electors at a 1 s refresh. A run that reaches it ends there and
    /// its history says so (History::cutShort); an endless run (the lab) discards its records.
    std::size_t maxRecords = 5'000'000;
    std::vector<ElectorSetup> setups;
    std::vector<Fault> faults;
    std::optional<Replication> replication; ///< none: one store that never fails
};

/// Throws std::invalid_argument naming the first thing that makes no sense (a negative time, a
/// target out of range, a bad timing...). `where` of fault i is "faults[i]".
void validate(const Scenario& scenario);

} // namespace baton
