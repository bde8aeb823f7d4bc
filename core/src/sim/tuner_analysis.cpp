// The tuner's reading of a sweep: the Pareto front (failover p99, spurious revocations, store
// load), the requirements each point fails, and the recommendation or what to relax.

#include "baton/sim/tuner.h"

#include "tuner_runs.h"

#include <algorithm>
#include <array>
#include <map>
#include <numeric>

namespace baton {

double PointResult::storeLoad(int electors) const {
    return leaderRequests + followerRequests * std::max(0, electors - 1);
}

namespace {

std::string seconds(Duration d) {
    return printedNumber(std::chrono::duration<double>(d).count()) + "s";
}

// A point's failover figure: the measured p99, or the bound when no crash was measured.
double failoverOf(const PointResult& p) {
    const Duration d = p.failover.count ? p.failover.p99 : p.bounds.worstCrashFailover;
    return static_cast<double>(d.count());
}

std::array<double, 3> objectives(const PointResult& p, int electors) {
    return {failoverOf(p), p.spuriousPerDay, p.storeLoad(electors)};
}

bool dominates(const std::array<double, 3>& a, const std::array<double, 3>& b) {
    bool better = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] > b[i])
            return false;
        better = better || a[i] < b[i];
    }
    return better;
}

// One requirement a point fails: what it says and by how much (a share of the limit).
struct Shortfall {
    std::string requirement; ///< "failover p99 <= 10s"
    std::string text;        ///< with the point's own figure
    double by = 0;
};

std::vector<Shortfall> shortfalls(const PointResult& p, const TuningRequirements& req) {
    std::vector<Shortfall> out;
    const auto shortOf = [](double have, double need) { return need > 0 ? have / need : 1.0; };
    const auto add = [&](const std::string& requirement, const std::string& has, double by) {
        out.push_back(Shortfall{requirement, requirement + " (" + has + ")", by});
    };
    if (req.rideOutOutage && p.bounds.rideOutOutage < *req.rideOutOutage)
        add("ride out an outage of " + seconds(*req.rideOutOutage),
            "rides out " + seconds(p.bounds.rideOutOutage),
            1 - shortOf(static_cast<double>(p.bounds.rideOutOutage.count()),
                        static_cast<double>(req.rideOutOutage->count())));
    if (req.rideOutPause && p.bounds.rideOutPause < *req.rideOutPause)
        add("ride out a pause of " + seconds(*req.rideOutPause),
            "rides out " + seconds(p.bounds.rideOutPause),
            1 - shortOf(static_cast<double>(p.bounds.rideOutPause.count()),
                        static_cast<double>(req.rideOutPause->count())));
    if (req.failoverP99 && failoverOf(p) > static_cast<double>(req.failoverP99->count()))
        add("failover p99 <= " + seconds(*req.failoverP99),
            "has " + seconds(Duration(static_cast<Duration::rep>(failoverOf(p)))),
            shortOf(failoverOf(p), static_cast<double>(req.failoverP99->count())) - 1);
    if (req.followerRequests && p.followerRequests > *req.followerRequests)
        add("follower load <= " + printedNumber(*req.followerRequests) + " requests/s",
            "has " + printedNumber(p.followerRequests),
            shortOf(p.followerRequests, *req.followerRequests) - 1);
    if (req.spuriousPerDay && p.spuriousPerDay > *req.spuriousPerDay)
        add("spurious revocations <= " + printedNumber(*req.spuriousPerDay) + "/day",
            "has " + printedNumber(p.spuriousPerDay),
            // Against a limit of 0 every loss a day counts as a whole limit.
            *req.spuriousPerDay > 0 ? shortOf(p.spuriousPerDay, *req.spuriousPerDay) - 1
                                    : p.spuriousPerDay);
    return out;
}

std::string describe(const PointResult& p) {
    const Timing& t = p.point.timing;
    return "ttl " + formatDuration(t.ttl) + " refresh " + formatDuration(t.refreshInterval) +
           " retry " + formatDuration(t.retryInterval) + (p.point.pollingOnly ? " polling" : "") +
           (p.point.minReplicas > 0 ? " WAIT " + std::to_string(p.point.minReplicas) : "");
}

void markFront(TuningResult& r, int electors) {
    for (PointResult& p : r.points) {
        if (!p.safe())
            continue;
        const auto mine = objectives(p, electors);
        p.pareto = std::none_of(r.points.begin(), r.points.end(), [&](const PointResult& q) {
            return q.safe() && dominates(objectives(q, electors), mine);
        });
    }
}

// Of the points that meet everything: the fewest spurious revocations, then the best sum of
// failover and load, each against the best of them.
std::size_t pick(const TuningResult& r, const std::vector<std::size_t>& meeting, int electors) {
    double bestFailover = 0, bestLoad = 0;
    bool first = true;
    for (std::size_t i : meeting) {
        const auto o = objectives(r.points[i], electors);
        bestFailover = first ? o[0] : std::min(bestFailover, o[0]);
        bestLoad = first ? o[2] : std::min(bestLoad, o[2]);
        first = false;
    }
    const auto score = [&](std::size_t i) {
        const auto o = objectives(r.points[i], electors);
        return (bestFailover > 0 ? o[0] / bestFailover : 1.0) +
               (bestLoad > 0 ? o[2] / bestLoad : 1.0);
    };
    return *std::min_element(meeting.begin(), meeting.end(), [&](std::size_t a, std::size_t b) {
        const double sa = r.points[a].spuriousPerDay, sb = r.points[b].spuriousPerDay;
        if (sa != sb)
            return sa < sb;
        return score(a) < score(b);
    });
}

// For each requirement, the point that fails only it, by the least: relaxing that one
// requirement would admit it. Without such points, the points closest over all.
void explainNone(TuningResult& r, const std::vector<std::size_t>& safe,
                 const std::vector<std::vector<Shortfall>>& unmet) {
    if (safe.empty()) {
        const bool replicated = r.request.profile.primaryKillRate > 0;
        r.verdict = "no point is safe: every one had overlapping leaders or fence violations "
                    "(true clock drift above the assumed maxClockDrift?";
        r.verdict += replicated ? " a failover that lost an unreplicated lock?); raise "
                                  "maxClockDrift, or wait for the replica (min-replicas 1)"
                                : "); raise maxClockDrift";
        return;
    }
    std::map<std::string, std::size_t> alone; // requirement -> point failing only it
    for (std::size_t i : safe) {
        if (unmet[i].size() != 1)
            continue;
        const auto [it, added] = alone.emplace(unmet[i].front().requirement, i);
        if (!added && unmet[i].front().by < unmet[it->second].front().by)
            it->second = i;
    }
    std::string relax;
    std::size_t n = 0;
    for (const auto& [requirement, i] : alone) {
        relax += (n++ == 0 ? "" : " or ") + requirement + " (" + describe(r.points[i]) + ": " +
                 unmet[i].front().text.substr(requirement.size() + 2);
        relax.pop_back(); // the text's closing parenthesis
        relax += ")";
        r.nearest.push_back(i);
    }
    if (r.nearest.empty()) {
        std::vector<std::size_t> order = safe;
        const auto distance = [&](std::size_t i) {
            double d = 0;
            for (const Shortfall& s : unmet[i])
                d += s.by;
            return d;
        };
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return distance(a) < distance(b); });
        order.resize(std::min<std::size_t>(order.size(), 3));
        r.nearest = order;
        const PointResult& best = r.points[order.front()];
        for (std::size_t i = 0; i < best.unmet.size(); ++i)
            relax += (i == 0 ? "" : i + 1 == best.unmet.size() ? " and " : ", ") + best.unmet[i];
        relax += " (nearest: " + describe(best) + ")";
    }
    r.verdict = "no point meets the requirements: relax " + relax;
}

} // namespace

void analyse(TuningResult& r) {
    const int electors = r.request.profile.electors;
    markFront(r, electors);
    std::vector<std::size_t> meeting, safe;
    std::vector<std::vector<Shortfall>> unmet(r.points.size());
    for (std::size_t i = 0; i < r.points.size(); ++i) {
        PointResult& p = r.points[i];
        p.unmet.clear();
        unmet[i] = shortfalls(p, r.request.requirements);
        for (const Shortfall& s : unmet[i])
            p.unmet.push_back(s.text);
        if (!p.safe())
            continue;
        safe.push_back(i);
        if (p.unmet.empty())
            meeting.push_back(i);
    }
    r.recommended.reset();
    r.nearest.clear();
    if (meeting.empty()) {
        explainNone(r, safe, unmet);
        return;
    }
    const std::size_t chosen = pick(r, meeting, electors);
    r.recommended = chosen;
    const PointResult& p = r.points[chosen];
    r.verdict = "recommended: " + describe(p) + " (failover p99 " +
                seconds(Duration(static_cast<Duration::rep>(failoverOf(p)))) + ", " +
                printedNumber(p.spuriousPerDay) + " spurious/day, " +
                printedNumber(p.storeLoad(electors)) + " requests/s in all; " +
                std::to_string(meeting.size()) + " of " + std::to_string(r.points.size()) +
                " points meet the requirements)";
}

} // namespace baton
