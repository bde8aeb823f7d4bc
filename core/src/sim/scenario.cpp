#include "baton/sim/scenario.h"

#include <stdexcept>

namespace baton {

namespace {

[[noreturn]] void reject(const std::string& where, const std::string& why) {
    throw std::invalid_argument(where + ": " + why);
}

void validateReplication(const Replication& r) {
    if (r.replicas < 1 || r.replicas > 16)
        reject("replication.replicas",
               "must be between 1 and 16, got " + std::to_string(r.replicas));
    if (r.lag.count() < 0)
        reject("replication.lag", "must not be negative, got " + formatDuration(r.lag));
    if (r.lagP99.count() != 0 && (r.lagP99 < r.lag || r.lagP99 > 1000 * r.lag))
        reject("replication.lagP99",
               "must be 0 (every write takes the lag) or between the lag and 1000 times it, got " +
                   formatDuration(r.lagP99));
    if (r.downAfter.count() <= 0)
        reject("replication.downAfter", "must be positive, got " + formatDuration(r.downAfter));
    if (r.election.count() < 0)
        reject("replication.election", "must not be negative, got " + formatDuration(r.election));
    if (r.minReplicas < 0 || r.minReplicas > r.replicas)
        reject("replication.minReplicas", "must be between 0 (no WAIT) and the replicas (" +
                                              std::to_string(r.replicas) + "), got " +
                                              std::to_string(r.minReplicas));
    if (r.minReplicas > 0 && r.replicaTimeout < std::chrono::milliseconds(1))
        reject("replication.replicaTimeout",
               "must be at least 1ms, got " + formatDuration(r.replicaTimeout));
    for (std::size_t i = 0; i < r.primaryKills.size(); ++i)
        if (r.primaryKills[i].count() < 0)
            reject("replication.primaryKills[" + std::to_string(i) + "]",
                   "time must not be negative, got " + formatDuration(r.primaryKills[i]));
}

} // namespace

void validate(const Scenario& s) {
    if (s.replication)
        validateReplication(*s.replication);
    if (s.electors < 1 || s.electors > 1000)
        reject("electors", "must be between 1 and 1000, got " + std::to_string(s.electors));
    if (s.duration.count() <= 0)
        reject("duration", "must be positive, got " + formatDuration(s.duration));
    if (s.resource.empty())
        reject("resource", "must not be empty");
    try {
        validate(s.timing);
    } catch (const ConfigError& e) {
        reject(e.field(), e.what());
    }
    if (!(s.drift >= 0.0 && s.drift < 0.5))
        reject("drift", "must be in [0, 0.5), got " + std::to_string(s.drift));
    if (!(s.maxDrift >= 0.0 && s.maxDrift < 0.5))
        reject("maxDrift", "must be in [0, 0.5), got " + std::to_string(s.maxDrift));
    if (s.latency.count() < 0)
        reject("latency", "must not be negative, got " + formatDuration(s.latency));
    if (!(s.latencyJitter >= 0.0 && s.latencyJitter <= 10.0))
        reject("latencyJitter", "must be in [0, 10]");
    if (s.latencyP99.count() != 0 && (s.latencyP99 < s.latency || s.latencyP99 > 1000 * s.latency))
        reject("latencyP99", "must be 0 (no tail) or between the latency and 1000 times it, got " +
                                 formatDuration(s.latencyP99));
    // Floors that keep a run's events and records to a rate a machine can hold: a leader
    // writing every nanosecond grew a run by 40 MB a second.
    if (s.writeInterval < std::chrono::milliseconds(1))
        reject("writeInterval", "must be at least 1ms, got " + formatDuration(s.writeInterval));
    if (s.commandTimeout < std::chrono::milliseconds(1))
        reject("commandTimeout", "must be at least 1ms, got " + formatDuration(s.commandTimeout));
    for (std::size_t i = 0; i < s.setups.size(); ++i) {
        const ElectorSetup& e = s.setups[i];
        const std::string where = "electorSetups[" + std::to_string(i) + "]";
        if (e.index < 0 || e.index >= s.electors)
            reject(where, "elector " + std::to_string(e.index) + " does not exist (there are " +
                              std::to_string(s.electors) + ")");
        if (e.clockRate && !clockRateError(*e.clockRate).empty())
            reject(where, "clockRate: " + clockRateError(*e.clockRate));
        if (e.latency && e.latency->count() < 0)
            reject(where, "latency must not be negative");
        if (e.startAt && e.startAt->count() < 0)
            reject(where, "startAt must not be negative");
    }
    for (std::size_t i = 0; i < s.faults.size(); ++i) {
        const Fault& f = s.faults[i];
        const std::string where = "faults[" + std::to_string(i) + "]";
        if (f.at.count() < 0)
            reject(where, "time must not be negative, got " + formatDuration(f.at));
        if (f.duration.count() < 0)
            reject(where, "duration must not be negative, got " + formatDuration(f.duration));
        if (f.after < 0)
            reject(where, "after (steps of its instant before it) must not be negative, got " +
                              std::to_string(f.after));
        if (f.target.kind == FaultTarget::Kind::Elector &&
            (f.target.index < 0 || f.target.index >= s.electors))
            reject(where, "elector " + std::to_string(f.target.index) +
                              " does not exist (there are " + std::to_string(s.electors) + ")");
        if (f.kind == FaultKind::Latency && f.extra.count() <= 0)
            reject(where, "a latency spike needs a positive extra latency");
        if (f.kind == FaultKind::Drift && !clockRateError(f.rate).empty())
            reject(where, clockRateError(f.rate));
        if (f.kind == FaultKind::Timing) {
            if (!f.ttl && !f.refresh && !f.retry)
                reject(where, "a timing change needs ttl, refresh or retry");
            for (const auto& [name, value] :
                 {std::pair{"ttl", f.ttl}, std::pair{"refresh", f.refresh},
                  std::pair{"retry", f.retry}})
                if (value && value->count() <= 0)
                    reject(where,
                           std::string(name) + " must be positive, got " + formatDuration(*value));
            // The other intervals may change on the way, so the full rule is checked when the
            // change applies; here only what the fault alone decides.
            if (f.ttl && f.refresh && *f.refresh * 2 >= *f.ttl)
                reject(where, "refresh must be below ttl / 2");
        }
    }
}

} // namespace baton
