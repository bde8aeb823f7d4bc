#include "baton/sim/checker.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace baton {

namespace {

std::string at(const History& h, TimePoint t) {
    return "t=" +
           formatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(t - h.start));
}

// "493.301ms": overlaps and gaps are read in milliseconds.
std::string millis(Duration d) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    std::string frac = std::to_string(us % 1000);
    return std::to_string(us / 1000) + "." + std::string(3 - frac.size(), '0') + frac + "ms";
}

std::string name(const History& h, int elector) {
    if (elector < 0 || static_cast<std::size_t>(elector) >= h.electors.size())
        return "nobody";
    return h.electors[static_cast<std::size_t>(elector)].identity;
}

} // namespace

DurationStats statsOf(std::vector<Duration> values) {
    DurationStats s;
    s.count = values.size();
    if (values.empty())
        return s;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    s.min = values.front();
    s.max = values.back();
    s.median = values[(n - 1) / 2];
    const auto p99 = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(n)));
    s.p99 = values[std::clamp<std::size_t>(p99, 1, n) - 1];
    return s;
}

namespace {

// Overlaps: sweep the intervals by start, keeping those still open.
void checkOverlaps(const History& h, Report& r) {
    std::vector<const LeadershipInterval*> active;
    for (const LeadershipInterval& b : r.intervals) {
        std::erase_if(active, [&](const LeadershipInterval* a) { return a->end <= b.begin; });
        for (const LeadershipInterval* a : active) {
            if (a->elector == b.elector && a->fence == b.fence)
                continue;
            const Duration length = std::min(a->end, b.end) - b.begin;
            if (length.count() <= 0)
                continue;
            ++r.overlaps;
            r.overlapTotal += length;
            r.violations.push_back(Violation{
                Violation::Kind::Overlap, b.begin, length,
                name(h, b.elector) + " (fence " + std::to_string(b.fence) + ") was elected at " +
                    at(h, b.begin) + " while " + name(h, a->elector) + " (fence " +
                    std::to_string(a->fence) + ") still led until " + at(h, a->end) +
                    ": both led for " + millis(length)});
        }
        active.push_back(&b);
    }
}

// Fences: every term's fence above every earlier term's.
void checkFenceOrder(const History& h, Report& r) {
    std::uint64_t highest = 0;
    const LeadershipInterval* highestTerm = nullptr;
    for (const LeadershipInterval& t : r.intervals) {
        if (highestTerm && t.fence <= highest) {
            ++r.fenceOrderViolations;
            r.violations.push_back(Violation{
                Violation::Kind::FenceOrder,
                t.begin,
                {},
                name(h, t.elector) + "'s term at " + at(h, t.begin) + " has fence " +
                    std::to_string(t.fence) + ", not above fence " + std::to_string(highest) +
                    " of " + name(h, highestTerm->elector) + "'s earlier term"});
        }
        if (t.fence > highest || !highestTerm) {
            highest = std::max(highest, t.fence);
            highestTerm = &t;
        }
    }
}

// Writes: counts, and each corrupted one is a violation.
void checkWrites(const History& h, Report& r) {
    for (const WriteRecord& w : h.writes) {
        switch (w.outcome) {
        case WriteRecord::Outcome::Accepted:
            ++r.writesAccepted;
            break;
        case WriteRecord::Outcome::Rejected:
            ++r.writesRejected;
            break;
        case WriteRecord::Outcome::Corrupted:
            ++r.writesAccepted;
            ++r.writesCorrupted;
            r.violations.push_back(Violation{
                Violation::Kind::CorruptedWrite,
                w.at,
                {},
                "the protected resource accepted a write of " + name(h, w.elector) +
                    " with fence " + std::to_string(w.fence) + " (decided at " +
                    at(h, w.decidedAt) + ") after it had seen fence " +
                    std::to_string(w.newestSeen) + ": a corrupted write (fencing is off)"});
            break;
        }
    }
}

// Time without a leader, from the first election on; a run in which nobody was ever elected
// had no leader at all (not none missing: a tuner point that elects nobody must not look best).
void measureLeaderless(const History& h, Report& r) {
    const auto& iv = r.intervals;
    if (iv.empty()) {
        r.timeWithoutLeader = r.longestWithoutLeader = std::max(Duration{}, h.end - h.start);
        return;
    }
    TimePoint covered = iv.front().begin;
    const auto gap = [&](TimePoint until) {
        if (until <= covered)
            return;
        r.timeWithoutLeader += until - covered;
        r.longestWithoutLeader = std::max(r.longestWithoutLeader, until - covered);
    };
    for (const LeadershipInterval& t : iv) {
        gap(t.begin);
        covered = std::max(covered, t.end);
    }
    gap(h.end);
}

// The failover rule with the checker's policy, fed the checker's terms (its intervals) and the
// faults in time order. At one instant: the terms that begin, then the faults (in record order),
// then the terms that end, so that a fault at a term's first or last instant strikes it and an
// election at the fault's instant is not the one after it.
std::vector<MeasuredFailover> failoversOf(const History& h, const Report& r) {
    struct Step {
        TimePoint at;
        int phase = 0; // 0 a term begins, 1 a fault, 2 a term ends
        std::size_t index = 0;
        bool operator<(const Step& o) const {
            return std::tie(at, phase, index) < std::tie(o.at, o.phase, o.index);
        }
    };
    const auto& iv = r.intervals;
    std::vector<Step> steps;
    for (std::size_t i = 0; i < iv.size(); ++i) {
        steps.push_back(Step{iv[i].begin, 0, i});
        steps.push_back(Step{iv[i].end, 2, i});
    }
    for (std::size_t i = 0; i < h.faults.size(); ++i)
        if (h.faults[i].applied && h.faults[i].elector >= 0)
            steps.push_back(Step{h.faults[i].at, 1, i});
    std::sort(steps.begin(), steps.end());

    FailoverTracker tracker(FailoverPolicy::ofHistory());
    std::vector<MeasuredFailover> out;
    const auto collect = [&](const MeasuredFailover& m) { out.push_back(m); };
    std::size_t leaders = 0;
    for (const Step& s : steps) {
        if (s.phase == 1) {
            const FaultRecord& f = h.faults[s.index];
            tracker.fault(StruckFault{f.kind, f.elector, f.at, f.end, f.wasLeader, s.index},
                          leaders);
            continue;
        }
        const LeadershipInterval& t = iv[s.index];
        TermChange c;
        c.kind = s.phase == 0 ? TermChange::Kind::Began : TermChange::Kind::Ended;
        c.elector = t.elector;
        c.at = s.at;
        c.begin = t.begin;
        c.fence = t.fence;
        c.how = s.phase == 0 ? TermEnd::Open : t.how;
        c.byElected = true;
        leaders = s.phase == 0 ? leaders + 1 : leaders - 1;
        tracker.change(c, leaders, collect);
    }
    tracker.finish(h.end, collect);
    // Reported in the order of the faults that caused them.
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.start.fault < b.start.fault; });
    return out;
}

// The lock the successor waited for: the old term's last view before it took over, unless that
// lock was released (not expired) first.
std::optional<Duration> beyondExpiry(const History& h, const PendingFailover& old,
                                     TimePoint taken) {
    const StoreView* last = nullptr;
    bool released = false;
    // Views are in time order: start at the old term's beginning, not at the run's.
    auto from = std::lower_bound(h.store.begin(), h.store.end(), old.termBegin,
                                 [](const StoreView& v, TimePoint t) { return v.at < t; });
    if (from != h.store.begin())
        --from; // the acquire that began the term was seen just before its Elected
    for (auto it = from; it != h.store.end(); ++it) {
        const StoreView& s = *it;
        if (s.at > taken)
            break;
        if (s.fence == old.fence && s.elector == old.elector) {
            last = &s;
            released = false;
        } else if (last && s.elector < 0 && s.at < last->expiresAt) {
            released = true;
        }
    }
    if (last && !released && last->expiresAt <= taken)
        return taken - last->expiresAt;
    return std::nullopt;
}

// Failovers: a fault that struck a leader whose term then ended while the fault lasted.
void measureFailovers(const History& h, Report& r) {
    std::vector<Duration> latencies, beyond;
    for (const MeasuredFailover& m : failoversOf(h, r)) {
        Failover fo;
        fo.faultAt = m.start.since;
        fo.cause = m.start.cause.value_or(FaultKind::Crash); // ofHistory(): never without one
        fo.oldLeader = m.start.elector;
        fo.newLeader = m.newLeader;
        fo.latency = m.latency;
        if (m.newLeader >= 0) {
            latencies.push_back(fo.latency);
            if (fo.cause != FaultKind::Stop)
                fo.beyondExpiry = beyondExpiry(h, m.start, m.start.since + m.latency);
            if (fo.beyondExpiry)
                beyond.push_back(*fo.beyondExpiry);
        }
        r.failovers.push_back(fo);
    }
    r.failoverLatency = statsOf(latencies);
    r.beyondExpiry = statsOf(beyond);
}

void measureStoreLoad(const History& h, Report& r) {
    const double seconds = std::chrono::duration<double>(r.duration).count();
    double total = 0;
    for (std::uint64_t calls : h.storeCalls) {
        const double rate = seconds > 0 ? static_cast<double>(calls) / seconds : 0.0;
        r.opsPerSecond.push_back(rate);
        total += rate;
    }
    r.meanOpsPerSecond =
        r.opsPerSecond.empty() ? 0.0 : total / static_cast<double>(r.opsPerSecond.size());
}

} // namespace

Report check(const History& h) {
    Report r;
    r.seed = h.seed;
    r.start = h.start;
    r.duration = h.end - h.start;
    r.electors = h.electors.size();
    for (const ElectorInfo& e : h.electors)
        r.largestDrift = std::max(r.largestDrift, std::fabs(e.clockRate - 1.0));
    r.fencing = h.fencing;
    r.cutShort = h.cutShort;
    r.storeFailovers = h.failovers;
    r.intervals = leadershipIntervals(h);
    r.terms = r.intervals.size();
    for (const FaultRecord& f : h.faults)
        if (f.applied)
            ++r.faults;

    checkOverlaps(h, r);
    checkFenceOrder(h, r);
    checkWrites(h, r);
    std::stable_sort(r.violations.begin(), r.violations.end(),
                     [](const Violation& a, const Violation& b) { return a.at < b.at; });
    measureLeaderless(h, r);
    measureFailovers(h, r);
    measureStoreLoad(h, r);
    return r;
}

} // namespace baton
