#include "tuner_runs.h"

#include "baton/sim/simulator.h"

#include <cstdio>

namespace baton::tuner_detail {

namespace {

// A healthy leader's loss: the store said it lost the lock, its deadline passed, or the store
// failed until then. A stop's revocation and a crash are not spurious.
bool spurious(const ElectorEvent& e) {
    return e.event.type == EventType::Revoked && e.event.reason != RevokeReason::Stopped &&
           e.event.reason != RevokeReason::None;
}

void addFailovers(const Report& report, SeedFigures& f) {
    for (const Failover& fo : report.failovers) {
        if (fo.newLeader < 0)
            continue; // the run ended first: no latency to tell
        if (fo.cause == FaultKind::Crash) {
            f.failovers.push_back(fo.latency);
            if (fo.beyondExpiry)
                f.beyondExpiry.push_back(*fo.beyondExpiry);
        } else if (fo.cause == FaultKind::Stop) {
            f.handovers.push_back(fo.latency);
        }
    }
}

} // namespace

SeedFigures runSeed(const Scenario& scenario) {
    const History history = simulate(scenario);
    const Report report = check(history);
    SeedFigures f;
    addFailovers(report, f);
    for (const ElectorEvent& e : history.events)
        if (spurious(e))
            ++f.spurious;
    f.duration = report.duration;
    f.withoutLeader = report.timeWithoutLeader;
    f.overlaps = report.overlaps;
    f.fenceViolations = report.fenceOrderViolations + report.writesCorrupted;
    // Every call that changed the lock (an acquire that won, an extend, a release) left a store
    // view; the calls that left none are the followers' tries that found it held.
    std::uint64_t calls = 0;
    for (std::uint64_t c : history.storeCalls)
        calls += c;
    f.leaderCalls = std::min<std::uint64_t>(calls, history.store.size());
    f.followerCalls = calls - f.leaderCalls;
    for (const LeadershipInterval& i : report.intervals)
        f.leading += i.end - i.begin;
    f.following = report.duration * static_cast<Duration::rep>(report.electors) - f.leading;
    return f;
}

PointResult aggregate(const TuningPoint& point, std::span<const std::optional<SeedFigures>> seeds) {
    PointResult r;
    r.point = point;
    std::vector<Duration> beyond;
    Duration total{}, without{}, leading{}, following{};
    std::uint64_t spurious = 0, leaderCalls = 0, followerCalls = 0;
    for (const auto& s : seeds) {
        if (!s)
            continue;
        r.failoverSamples.insert(r.failoverSamples.end(), s->failovers.begin(), s->failovers.end());
        r.handoverSamples.insert(r.handoverSamples.end(), s->handovers.begin(), s->handovers.end());
        beyond.insert(beyond.end(), s->beyondExpiry.begin(), s->beyondExpiry.end());
        spurious += s->spurious;
        total += s->duration;
        without += s->withoutLeader;
        r.overlaps += s->overlaps;
        r.fenceViolations += s->fenceViolations;
        leaderCalls += s->leaderCalls;
        followerCalls += s->followerCalls;
        leading += s->leading;
        following += s->following;
    }
    r.failover = statsOf(r.failoverSamples);
    r.beyondExpiry = statsOf(beyond);
    r.handover = statsOf(r.handoverSamples);
    const double days = std::chrono::duration<double>(total).count() / 86400.0;
    if (days > 0) {
        r.spuriousPerDay = static_cast<double>(spurious) / days;
        r.unavailablePerDay =
            Duration(static_cast<Duration::rep>(static_cast<double>(without.count()) / days));
    }
    const auto perSecond = [](std::uint64_t calls, Duration time) {
        const double s = std::chrono::duration<double>(time).count();
        return s > 0 ? static_cast<double>(calls) / s : 0.0;
    };
    r.leaderRequests = perSecond(leaderCalls, leading);
    r.followerRequests = perSecond(followerCalls, following);
    return r;
}

std::string printedNumber(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", v);
    return text;
}

} // namespace baton::tuner_detail
