#include "schedule.h"

#include <baton/sim/random.h>

#include <cstdio>

namespace campaign {

using namespace std::chrono_literals;
using baton::Duration;

namespace {

Target leaderOr(baton::Random& random, double leaderShare, int agents) {
    if (random.chance(leaderShare))
        return {Target::Kind::Leader, 0};
    return {Target::Kind::Agent,
            static_cast<int>(random.below(static_cast<std::uint64_t>(agents)))};
}

std::chrono::microseconds micros(Duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d);
}

/// One fault of `type` at `at`, its target and strength drawn from `random`.
PlannedFault draw(const Options& o, baton::Random& random, FaultType type, Duration at) {
    const Duration ttl = o.ttl;
    PlannedFault f;
    f.at = at;
    f.type = type;
    switch (type) {
    case FaultType::Kill:
    case FaultType::Term:
        f.target = leaderOr(random, 0.6, o.agents);
        f.length = random.between(ttl / 2, ttl * 2);
        break;
    case FaultType::Pause:
        f.target = leaderOr(random, 0.6, o.agents);
        // Short pauses (a GC hiccup) and pauses beyond the TTL (a stop-the-world GC).
        f.length =
            random.chance(0.5) ? random.between(ttl / 10, ttl / 2) : random.between(ttl, ttl * 2);
        break;
    case FaultType::Partition: {
        f.target = leaderOr(random, 0.8, o.agents);
        f.length = random.between(ttl, ttl * 3);
        const double mode = random.unit();
        f.proxyFault = mode < 0.5 ? baton::proxy::Fault::blackhole()
                       : mode < 0.75
                           ? baton::proxy::Fault::resetAll()
                           : baton::proxy::Fault::resetAll(baton::proxy::ResetMode::Refuse);
        break;
    }
    case FaultType::Latency: {
        f.target = leaderOr(random, 0.5, o.agents);
        f.length = random.between(ttl / 2, ttl * 2);
        // Whole milliseconds: the schedule reads better, and no precision is lost that matters.
        const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
            random.between(ttl / 40, ttl / 4));
        f.proxyFault = baton::proxy::Fault::latencyOf(micros(latency), micros(latency / 4));
        break;
    }
    case FaultType::Drift:
        f.target = {Target::Kind::Follower, 0};
        f.rate = random.between(1 - o.drift, 1 + o.drift);
        break;
    }
    return f;
}

} // namespace

Schedule makeSchedule(const Options& o) {
    baton::Random random(o.seed);
    Schedule s;
    s.startRates.assign(static_cast<std::size_t>(o.agents), 1.0);
    if (o.has(FaultType::Drift) && o.drift > 0) {
        // As baton-sim's --drift: the worst rates are always in the cluster, and the slowest
        // starts first, so that it leads first (resources/scenarios/clock-drift.json).
        for (double& rate : s.startRates)
            rate = random.between(1 - o.drift, 1 + o.drift);
        s.startRates[0] = 1 - o.drift;
        s.startRates[1] = 1 + o.drift;
        s.firstAgent = 0;
    }
    const Duration ttl = o.ttl;
    const Duration calmEnd = o.duration - std::max<Duration>(2 * ttl, 2s);
    // Bounded: a fault and a gap take at least ttl/2 each, and never more than 1000 faults.
    Duration t = std::max<Duration>(ttl, 1s);
    while (t < calmEnd && s.faults.size() < 1000) {
        const FaultType type = o.faults[random.below(o.faults.size())];
        PlannedFault f = draw(o, random, type, t);
        if (t + f.length > calmEnd)
            f.length = calmEnd - t;
        if (f.length <= 0ns && type != FaultType::Drift)
            break;
        t += f.length + random.between(ttl / 2, ttl * 2);
        s.faults.push_back(f);
    }
    return s;
}

std::string seconds(Duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3fs", std::chrono::duration<double>(d).count());
    return text;
}

std::string shortTime(Duration d) {
    if (d >= 1s)
        return seconds(d);
    char text[32];
    std::snprintf(text, sizeof text, "%.1fms",
                  std::chrono::duration<double, std::milli>(d).count());
    return text;
}

std::string describe(const PlannedFault& f) {
    std::string target = f.target.kind == Target::Kind::Leader ? "the leader"
                         : f.target.kind == Target::Kind::Follower
                             ? "a follower"
                             : "agent-" + std::to_string(f.target.agent);
    std::string out = faultTypeName(f.type);
    if (f.type == FaultType::Partition)
        out += " (" + baton::proxy::describe(f.proxyFault) + ")";
    if (f.type == FaultType::Latency) // "latency 120ms +-30ms both"
        out = baton::proxy::describe(f.proxyFault);
    out += " of " + target;
    if (f.type == FaultType::Drift) {
        char rate[32];
        std::snprintf(rate, sizeof rate, "%.4f", f.rate);
        return out + " to clock rate " + rate;
    }
    return out + " for " + seconds(f.length);
}

} // namespace campaign
