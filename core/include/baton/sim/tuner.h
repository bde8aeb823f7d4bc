#pragma once
// The tuner: sweeps a grid of timings against a failure profile on the simulator (many seeds a
// point, on a thread pool, the same figures whatever the thread count), measures each point
// with the checker, sets the analytic bounds beside them and recommends one.

#include "baton/sim/checker.h"
#include "baton/sim/scenario.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace baton {

/// The timings to try. Every ttl is combined with every refresh and every retry.
struct TuningGrid {
    std::vector<Duration> ttls;
    std::vector<double> refreshRatios; ///< refresh = ttl * ratio (used when not empty)
    std::vector<Duration> refreshes;   ///< absolute refresh intervals (when no ratios)
    std::vector<Duration> retries;     ///< absolute follower retry intervals
    bool retryEqualsTtl = false;       ///< also retry = ttl (the agent's default)
    bool pollingVariant = false;       ///< also each point with polling-only followers (the seed)
    /// Also each point with WAIT 1 (`--min-replicas 1`) on the replicated store, to set beside
    /// the same point without WAIT (the profile's minReplicas must then be 0).
    bool waitVariant = false;
};

/// What the cluster goes through. Rates are per virtual hour; a rate of 0 turns a fault off.
struct FailureProfile {
    int electors = 5;
    Duration latency = std::chrono::milliseconds(1);   ///< one-way store latency, median
    Duration latencyP99{};                             ///< its 99th percentile (0: no tail)
    Duration outage{};                                 ///< whole-store outage length (0: none)
    double outageRate = 1.0;                           ///< outages per hour, when outage > 0
    bool outageHangs = false;                          ///< calls hang (else fail at once)
    Duration pause{};                                  ///< leader process pause (0: none)
    double pauseRate = 2.0;                            ///< pauses per hour, when pause > 0
    double crashRate = 2.0;                            ///< leader crashes per hour
    double stopRate = 2.0;                             ///< leader graceful stops per hour
    Duration downFor = std::chrono::seconds(30);       ///< a crashed or stopped elector's absence
    double drift = 0.0;                                ///< true clock rates in [1-drift, 1+drift]
    double maxDrift = 0.01;                            ///< what the electors assume
    Duration commandTimeout = std::chrono::seconds(1); ///< a hanging call fails then
    /// A replicated store (Scenario::replication: a primary and one replica under Sentinel)
    /// whose primary dies this often; the store is replicated when this is above 0 or a point
    /// waits for the replica (minReplicas, TuningGrid::waitVariant), else one store that never
    /// fails over. The replica's lag (median, and p99 for a log-normal tail; 0: none),
    /// Sentinel's down-after (the detection delay; a 1s election follows), WAIT's replicas
    /// (0 or 1) and WAIT's timeout.
    double primaryKillRate = 0.0;
    Duration replicationLag = std::chrono::milliseconds(2);
    Duration replicationLagP99{};
    Duration failoverAfter = std::chrono::seconds(5);
    int minReplicas = 0;
    Duration replicaTimeout = std::chrono::milliseconds(250);
};

/// What the recommended point must meet; an empty field is no requirement.
struct TuningRequirements {
    std::optional<Duration> rideOutOutage;  ///< the bound must cover an outage this long
    std::optional<Duration> rideOutPause;   ///< ... and a leader pause this long
    std::optional<Duration> failoverP99;    ///< crash failover p99 at most this
    std::optional<double> followerRequests; ///< requests per second per follower at most
    std::optional<double> spuriousPerDay;   ///< spurious revocations per day at most
};

struct TuningRequest {
    TuningGrid grid;
    FailureProfile profile;
    TuningRequirements requirements;
    Duration duration = std::chrono::hours(2); ///< virtual time a seed
    int seeds = 10;
    std::uint64_t firstSeed = 1;
    unsigned threads = 0; ///< 0: one per core
};

/// One candidate timing.
struct TuningPoint {
    Timing timing;
    bool pollingOnly = false;
    /// WAIT's replicas of this point (0: none): 1 on TuningGrid::waitVariant's points; tune()
    /// sets every point's to the WAIT it ran with (the profile's minReplicas at least).
    int minReplicas = 0;
};

/// What formulas say of a point, to set beside what was measured.
struct TuningBounds {
    Duration worstCrashFailover{}; ///< crash to the next election, at the latest
    Duration rideOutOutage{};      ///< the longest whole-store outage a leader survives
    Duration rideOutPause{};       ///< the longest leader pause a leader survives
    double leaderRequestsPerTtl = 0;
    double followerRequestsPerTtl = 0;
};

/// A point's figures over all its seeds.
struct PointResult {
    TuningPoint point;
    DurationStats failover;       ///< crash to the next election
    DurationStats beyondExpiry;   ///< the lock's expiry to the next election, after a crash
    DurationStats handover;       ///< graceful stop to the next election
    double spuriousPerDay = 0;    ///< a leader lost its term to latency, an outage or a pause
    Duration unavailablePerDay{}; ///< time without a leader
    std::size_t overlaps = 0;
    std::size_t fenceViolations = 0; ///< fence order and corrupted writes
    double leaderRequests = 0;       ///< store requests per second of the leader
    double followerRequests = 0;     ///< ... of each follower
    TuningBounds bounds;
    bool pareto = false;
    std::vector<std::string> unmet; ///< the requirements it fails, as "--require-... (its value)"
    std::vector<Duration> failoverSamples; ///< for histograms
    std::vector<Duration> handoverSamples;

    bool safe() const { return overlaps == 0 && fenceViolations == 0; }
    /// Store load: all electors' requests per second (leader and N-1 followers).
    double storeLoad(int electors) const;
};

struct TuningResult {
    TuningRequest request;
    std::vector<PointResult> points; ///< in grid order
    std::optional<std::size_t> recommended;
    std::vector<std::size_t> nearest; ///< no recommendation: the closest points, best first
    std::string verdict;              ///< one line: why this point, or what to relax
    bool cancelled = false;
    double wallSeconds = 0;
};

/// The grid's points in order (ttl, then refresh, then retry, then polling, then WAIT); throws
/// std::invalid_argument naming the rule (an empty list, ttl 0, refresh >= ttl / 2, ...).
std::vector<TuningPoint> tuningPoints(const TuningGrid& grid);
/// Throws std::invalid_argument for a profile or request that makes no sense.
void validate(const TuningRequest& request);

/// The scenario of one seed at one point: the same fault schedule for every point of a seed.
Scenario tuningScenario(const FailureProfile& profile, const TuningPoint& point, Duration duration,
                        std::uint64_t seed);
TuningBounds tuningBounds(const FailureProfile& profile, const TuningPoint& point);

/// Progress (runs done of runs in all), called from worker threads; `cancel` stops early.
struct TuningControl {
    std::function<void(std::size_t done, std::size_t total)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

/// Runs the sweep (validates first, throws std::invalid_argument).
TuningResult tune(const TuningRequest& request, const TuningControl& control = {});

/// Marks the Pareto front and picks the recommendation (tune() does it; exposed for tests).
void analyse(TuningResult& result);

/// The result as JSON (durations in ms) and as CSV, one row a point.
std::string tuningJson(const TuningResult& result);
std::string tuningCsv(const TuningResult& result);

} // namespace baton
