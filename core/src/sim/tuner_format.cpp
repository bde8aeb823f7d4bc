// A sweep's result as JSON (baton-sim tune --json, the lab's export) and as CSV; durations in
// milliseconds as numbers. Wall time is left out, so the same seed gives the same text.

#include "baton/sim/tuner.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace baton {

namespace {

using Json = nlohmann::ordered_json;

double ms(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

Json statsJson(const DurationStats& s) {
    return Json{{"count", s.count}, {"p50", ms(s.median)}, {"p99", ms(s.p99)}, {"max", ms(s.max)}};
}

Json pointJson(const PointResult& p) {
    const Timing& t = p.point.timing;
    const TuningBounds& b = p.bounds;
    Json j{{"ttl", ms(t.ttl)},
           {"refresh", ms(t.refreshInterval)},
           {"retry", ms(t.retryInterval)},
           {"pollingOnly", p.point.pollingOnly},
           {"minReplicas", p.point.minReplicas},
           {"failover", statsJson(p.failover)},
           {"beyondExpiry", statsJson(p.beyondExpiry)},
           {"handover", statsJson(p.handover)},
           {"spuriousPerDay", p.spuriousPerDay},
           {"overlaps", p.overlaps},
           {"fenceViolations", p.fenceViolations},
           {"unavailablePerDay", ms(p.unavailablePerDay)},
           {"requestsPerSecond", {{"leader", p.leaderRequests}, {"follower", p.followerRequests}}},
           {"bounds",
            {{"worstCrashFailover", ms(b.worstCrashFailover)},
             {"rideOutOutage", ms(b.rideOutOutage)},
             {"rideOutPause", ms(b.rideOutPause)},
             {"leaderRequestsPerTtl", b.leaderRequestsPerTtl},
             {"followerRequestsPerTtl", b.followerRequestsPerTtl}}},
           {"pareto", p.pareto},
           {"safe", p.safe()},
           {"unmet", p.unmet}};
    return j;
}

Json profileJson(const TuningRequest& r) {
    const FailureProfile& p = r.profile;
    Json o{
        {"electors", p.electors},    {"latency", ms(p.latency)},   {"latencyP99", ms(p.latencyP99)},
        {"outage", ms(p.outage)},    {"outageRate", p.outageRate}, {"outageHangs", p.outageHangs},
        {"pause", ms(p.pause)},      {"pauseRate", p.pauseRate},   {"crashRate", p.crashRate},
        {"stopRate", p.stopRate},    {"downFor", ms(p.downFor)},   {"drift", p.drift},
        {"maxDrift", p.maxDrift},    {"seeds", r.seeds},           {"firstSeed", r.firstSeed},
        {"duration", ms(r.duration)}};
    // Only with one: a profile without a replicated store reads as before.
    if (p.primaryKillRate > 0 || p.minReplicas > 0 || r.grid.waitVariant)
        o["replication"] =
            Json{{"primaryKillRate", p.primaryKillRate}, {"lag", ms(p.replicationLag)},
                 {"lagP99", ms(p.replicationLagP99)},    {"failoverAfter", ms(p.failoverAfter)},
                 {"minReplicas", p.minReplicas},         {"replicaTimeout", ms(p.replicaTimeout)},
                 {"waitVariant", r.grid.waitVariant}};
    return o;
}

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", v);
    return text;
}

} // namespace

std::string tuningJson(const TuningResult& r) {
    Json points = Json::array();
    for (const PointResult& p : r.points)
        points.push_back(pointJson(p));
    Json nearest = Json::array();
    for (std::size_t i : r.nearest)
        nearest.push_back(pointJson(r.points[i]));
    Json j{{"profile", profileJson(r.request)},
           {"points", points},
           {"recommended", r.recommended ? pointJson(r.points[*r.recommended]) : Json(nullptr)},
           {"nearest", nearest},
           {"verdict", r.verdict},
           {"cancelled", r.cancelled}};
    return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string tuningCsv(const TuningResult& r) {
    std::string out =
        "ttl_ms,refresh_ms,retry_ms,polling,min_replicas,failover_p50_ms,failover_p99_ms,"
        "failover_max_ms,beyond_expiry_p99_ms,handover_p50_ms,handover_p99_ms,"
        "spurious_per_day,unavailable_ms_per_day,overlaps,fence_violations,"
        "leader_rps,follower_rps,bound_failover_ms,bound_outage_ms,bound_pause_ms,"
        "leader_per_ttl,follower_per_ttl,pareto,recommended\n";
    for (std::size_t i = 0; i < r.points.size(); ++i) {
        const PointResult& p = r.points[i];
        const Timing& t = p.point.timing;
        const TuningBounds& b = p.bounds;
        for (double v : {ms(t.ttl), ms(t.refreshInterval), ms(t.retryInterval)})
            out += number(v) + ",";
        out += std::string(p.point.pollingOnly ? "1" : "0") + "," +
               std::to_string(p.point.minReplicas) + ",";
        for (double v :
             {ms(p.failover.median), ms(p.failover.p99), ms(p.failover.max), ms(p.beyondExpiry.p99),
              ms(p.handover.median), ms(p.handover.p99), p.spuriousPerDay, ms(p.unavailablePerDay),
              static_cast<double>(p.overlaps), static_cast<double>(p.fenceViolations),
              p.leaderRequests, p.followerRequests, ms(b.worstCrashFailover), ms(b.rideOutOutage),
              ms(b.rideOutPause), b.leaderRequestsPerTtl, b.followerRequestsPerTtl})
            out += number(v) + ",";
        out += std::string(p.pareto ? "1" : "0") + "," + (r.recommended == i ? "1" : "0") + "\n";
    }
    return out;
}

} // namespace baton
