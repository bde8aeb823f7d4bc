#include "baton/sim/tuner.h"

#include "tuner_runs.h"

#include "baton/election/election_machine.h"
#include "baton/sim/random.h"
#include "baton/sim/simulator.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace baton {

namespace {

[[noreturn]] void reject(const std::string& why) {
    throw std::invalid_argument(why);
}

void checkTtls(const TuningGrid& g) {
    if (g.ttls.empty())
        reject("ttl: the list is empty (give at least one, e.g. 5s)");
    for (Duration ttl : g.ttls)
        if (ttl.count() <= 0)
            reject("ttl " + formatDuration(ttl) + ": a ttl must be positive");
}

std::vector<Duration> refreshesFor(const TuningGrid& g, Duration ttl) {
    std::vector<Duration> out;
    if (!g.refreshRatios.empty()) {
        for (double ratio : g.refreshRatios) {
            if (!(ratio > 0 && ratio < 0.5))
                reject("refresh ratio " + printedNumber(ratio) +
                       ": must be above 0 and below 0.5 (refresh must be below ttl / 2)");
            out.push_back(Duration(static_cast<Duration::rep>(
                std::llround(static_cast<double>(ttl.count()) * ratio))));
        }
        return out;
    }
    if (g.refreshes.empty())
        reject("refresh: the list is empty (give ratios of the ttl, e.g. 0.2, or intervals)");
    for (Duration r : g.refreshes) {
        if (r.count() <= 0)
            reject("refresh " + formatDuration(r) + ": must be positive");
        if (r * 2 >= ttl)
            reject("refresh " + formatDuration(r) + " with ttl " + formatDuration(ttl) +
                   ": refresh must be below ttl / 2 (use a ratio below 0.5, or a longer ttl)");
        out.push_back(r);
    }
    return out;
}

std::vector<Duration> retriesFor(const TuningGrid& g, Duration ttl) {
    if (g.retries.empty() && !g.retryEqualsTtl)
        reject("retry: the list is empty (give intervals, or ttl for retry = ttl)");
    std::vector<Duration> out;
    for (Duration r : g.retries) {
        if (r.count() <= 0)
            reject("retry " + formatDuration(r) + ": must be positive");
        out.push_back(r);
    }
    if (g.retryEqualsTtl && std::find(out.begin(), out.end(), ttl) == out.end())
        out.push_back(ttl);
    return out;
}

// Exponential gaps (a Poisson process) of `perHour` faults over `duration`.
std::vector<Duration> arrivals(Random& random, double perHour, Duration duration) {
    std::vector<Duration> out;
    if (perHour <= 0)
        return out;
    const double meanGap = 3600e9 / perHour;
    Duration t{};
    while (true) {
        t += Duration(static_cast<Duration::rep>(-std::log(1.0 - random.unit()) * meanGap));
        if (t >= duration)
            return out;
        out.push_back(t);
    }
}

void addFaults(Scenario& s, std::uint64_t salt, double perHour, const Fault& shape) {
    Random random(s.seed ^ salt);
    for (Duration at : arrivals(random, perHour, s.duration)) {
        Fault f = shape;
        f.at = at;
        s.faults.push_back(f);
    }
}

Fault shaped(FaultKind kind, FaultTarget::Kind target, Duration duration) {
    Fault f;
    f.kind = kind;
    f.target.kind = target;
    f.duration = duration;
    return f;
}

// The replication profile's rules in the tuner's words (the scenario's would name
// "replication.lag" and the like, which the user never typed).
void validateReplication(const TuningRequest& r) {
    const FailureProfile& p = r.profile;
    if (p.minReplicas < 0 || p.minReplicas > 1)
        reject("min-replicas: must be 0 (no WAIT) or 1 (the replica), got " +
               std::to_string(p.minReplicas));
    if (r.grid.waitVariant && p.minReplicas > 0)
        reject("WAIT variant: it sets each point with WAIT 1 beside the same point without; "
               "leave min-replicas at 0");
    if (p.replicationLag.count() < 0 || p.replicationLag > std::chrono::minutes(1))
        reject("replication lag: must be between 0 and 1min, got " +
               formatDuration(p.replicationLag));
    if (p.replicationLagP99.count() != 0 &&
        (p.replicationLagP99 < p.replicationLag || p.replicationLagP99 > 1000 * p.replicationLag))
        reject("replication lag p99: must be 0 (no tail) or between the median (" +
               formatDuration(p.replicationLag) + ") and 1000 times it, got " +
               formatDuration(p.replicationLagP99));
    if (p.failoverAfter.count() <= 0 || p.failoverAfter > faultLimits::kLongest)
        reject("failover-after (the detection delay): must be above 0 and at most 24h, got " +
               formatDuration(p.failoverAfter));
    if (p.replicaTimeout < std::chrono::milliseconds(1) ||
        p.replicaTimeout > std::chrono::minutes(1))
        reject("replica timeout (WAIT's): must be between 1ms and 1min, got " +
               formatDuration(p.replicaTimeout));
}

} // namespace

std::vector<TuningPoint> tuningPoints(const TuningGrid& g) {
    checkTtls(g);
    std::vector<TuningPoint> points;
    for (Duration ttl : g.ttls)
        for (Duration refresh : refreshesFor(g, ttl))
            for (Duration retry : retriesFor(g, ttl)) {
                TuningPoint p{Timing{ttl, refresh, retry}, false};
                try {
                    validate(p.timing);
                } catch (const ConfigError& e) {
                    reject("ttl " + formatDuration(ttl) + " refresh " + formatDuration(refresh) +
                           " retry " + formatDuration(retry) + ": " + e.what());
                }
                for (bool polling : {false, true}) {
                    if (polling && !g.pollingVariant)
                        continue;
                    points.push_back(TuningPoint{p.timing, polling, 0});
                    if (g.waitVariant)
                        points.push_back(TuningPoint{p.timing, polling, 1});
                }
            }
    if (points.size() > 10000)
        reject("the grid has " + std::to_string(points.size()) +
               " points; at most 10000 (use fewer values)");
    return points;
}

void validate(const TuningRequest& r) {
    (void)tuningPoints(r.grid);
    const FailureProfile& p = r.profile;
    if (r.seeds < 1 || r.seeds > 100000)
        reject("seeds: must be between 1 and 100000, got " + std::to_string(r.seeds));
    if (r.duration < std::chrono::minutes(1) || r.duration > std::chrono::hours(24 * 365))
        reject("duration: must be between 1min and 365d, got " + formatDuration(r.duration));
    const auto rate = [](const char* name, double v) {
        if (!(v >= 0 && v <= 3600))
            reject(std::string(name) + ": must be between 0 and 3600 an hour, got " +
                   printedNumber(v));
    };
    rate("outage rate", p.outageRate);
    rate("pause rate", p.pauseRate);
    rate("crash rate", p.crashRate);
    rate("stop rate", p.stopRate);
    rate("primary kill rate", p.primaryKillRate);
    for (const auto& [name, d] : {std::pair{"outage", p.outage}, std::pair{"pause", p.pause},
                                  std::pair{"down-for", p.downFor}})
        if (d.count() < 0 || d > faultLimits::kLongest)
            reject(std::string(name) + ": must be between 0 and 24h, got " + formatDuration(d));
    validateReplication(r);
    // The rest (electors, latency, drift) as the simulator's own rules say.
    validate(tuningScenario(p, tuningPoints(r.grid).front(), r.duration, r.firstSeed));
}

Scenario tuningScenario(const FailureProfile& p, const TuningPoint& point, Duration duration,
                        std::uint64_t seed) {
    Scenario s;
    s.name = "tune";
    s.electors = p.electors;
    s.duration = duration;
    s.seed = seed;
    s.timing = point.timing;
    s.pollingOnly = point.pollingOnly;
    s.drift = p.drift;
    s.maxDrift = p.maxDrift;
    s.latency = p.latency;
    s.latencyP99 = p.latencyP99;
    s.commandTimeout = p.commandTimeout;
    // Writes only serve the fence check here: one a second is plenty and keeps runs fast.
    s.writeInterval = std::chrono::seconds(1);
    // Each kind draws from its own stream, so one rate's change leaves the others' times.
    addFaults(s, 0x637261736801ULL, p.crashRate,
              shaped(FaultKind::Crash, FaultTarget::Kind::Leader, p.downFor));
    addFaults(s, 0x73746f7002ULL, p.stopRate,
              shaped(FaultKind::Stop, FaultTarget::Kind::Leader, p.downFor));
    if (p.pause.count() > 0)
        addFaults(s, 0x706175736503ULL, p.pauseRate,
                  shaped(FaultKind::Pause, FaultTarget::Kind::Leader, p.pause));
    if (p.outage.count() > 0) {
        Fault outage = shaped(FaultKind::Partition, FaultTarget::Kind::All, p.outage);
        outage.mode = p.outageHangs ? Fault::PartitionMode::Hang : Fault::PartitionMode::Fail;
        addFaults(s, 0x6f757461676504ULL, p.outageRate, outage);
    }
    std::stable_sort(s.faults.begin(), s.faults.end(),
                     [](const Fault& a, const Fault& b) { return a.at < b.at; });
    const int wait = std::max(p.minReplicas, point.minReplicas);
    if (p.primaryKillRate > 0 || wait > 0) {
        Replication r;
        r.lag = p.replicationLag;
        r.lagP99 = p.replicationLagP99;
        r.downAfter = p.failoverAfter;
        r.minReplicas = wait;
        r.replicaTimeout = p.replicaTimeout;
        // The kills' own stream: a point with WAIT and one without see the same kills.
        Random random(s.seed ^ 0x6b696c6c05ULL);
        r.primaryKills = arrivals(random, p.primaryKillRate, s.duration);
        s.replication = r;
    }
    return s;
}

TuningBounds tuningBounds(const FailureProfile& p, const TuningPoint& point) {
    const Timing& t = point.timing;
    const Duration oneWay = std::max(p.latency, p.latencyP99);
    const Duration margin = std::min<Duration>(std::chrono::milliseconds(1), t.ttl / 100);
    const auto scaled = Duration(
        static_cast<Duration::rep>(static_cast<double>(t.ttl.count()) * (1.0 - p.maxDrift)));
    // The leader's last good extend left just before the fault: its deadline is a refresh
    // interval nearer, and after the fault it needs a try (backoff, or a hung call) and a trip.
    const Duration lease = scaled - margin - t.refreshInterval;
    const Duration backoff = std::min(t.retryInterval, ElectionMachine::kErrorBackoffMax);
    const Duration afterOutage = backoff + (p.outageHangs ? p.commandTimeout : 2 * oneWay);
    TuningBounds b;
    b.rideOutOutage = std::max(Duration::zero(), lease - afterOutage);
    b.rideOutPause = std::max(Duration::zero(), lease - 2 * oneWay);
    // The crash just after the store took an extend: the lock lives a ttl, then the follower
    // that saw its expiry wakes (a trip after the store said it), acquires (two trips).
    b.worstCrashFailover = t.ttl + 3 * oneWay + ElectionMachine::kExpirySlack;
    if (point.pollingOnly)
        b.worstCrashFailover += t.retryInterval;
    if (point.minReplicas > 0) // the acquire's answer waits for the replica, at most this
        b.worstCrashFailover += p.replicaTimeout;
    const double ttl = static_cast<double>(t.ttl.count());
    b.leaderRequestsPerTtl = ttl / static_cast<double>(t.refreshInterval.count());
    // A follower that waits longer than a lease wakes at each expiry it saw: a ttl less half a
    // refresh on average, as the leader extends in between.
    const Duration wait = point.pollingOnly
                              ? t.retryInterval
                              : std::min(t.retryInterval, t.ttl - t.refreshInterval / 2);
    b.followerRequestsPerTtl = ttl / static_cast<double>(wait.count());
    return b;
}

TuningResult tune(const TuningRequest& request, const TuningControl& control) {
    validate(request);
    const auto begin = std::chrono::steady_clock::now();
    TuningResult result;
    result.request = request;
    std::vector<TuningPoint> points = tuningPoints(request.grid);
    for (TuningPoint& p : points)
        p.minReplicas = std::max(p.minReplicas, request.profile.minReplicas);
    const std::size_t seeds = static_cast<std::size_t>(request.seeds);
    const std::size_t total = points.size() * seeds;
    std::vector<std::optional<tuner_detail::SeedFigures>> runs(total);
    std::atomic<std::size_t> next{0}, done{0};
    const auto cancelled = [&] { return control.cancel && control.cancel->load(); };
    const auto work = [&] {
        for (std::size_t job; !cancelled() && (job = next.fetch_add(1)) < total;) {
            const TuningPoint& point = points[job / seeds];
            const std::uint64_t seed = request.firstSeed + job % seeds;
            runs[job] = tuner_detail::runSeed(
                tuningScenario(request.profile, point, request.duration, seed));
            const std::size_t now = done.fetch_add(1) + 1;
            if (control.progress)
                control.progress(now, total);
        }
    };
    unsigned threads = request.threads ? request.threads : std::thread::hardware_concurrency();
    threads =
        std::clamp<unsigned>(threads, 1, static_cast<unsigned>(std::min<std::size_t>(total, 256)));
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i)
        pool.emplace_back(work);
    work();
    for (std::thread& t : pool)
        t.join();
    result.cancelled = cancelled() && done.load() < total;
    for (std::size_t i = 0; i < points.size(); ++i) {
        PointResult pr =
            tuner_detail::aggregate(points[i], std::span(runs).subspan(i * seeds, seeds));
        pr.bounds = tuningBounds(request.profile, points[i]);
        result.points.push_back(std::move(pr));
    }
    if (!result.cancelled)
        analyse(result);
    result.wallSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    return result;
}

} // namespace baton
