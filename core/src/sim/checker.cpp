#include "baton/sim/checker.h"

#include <algorithm>
#include <cmath>

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

Report check(const History& h) {
    Report r;
    r.seed = h.seed;
    r.start = h.start;
    r.duration = h.end - h.start;
    r.electors = h.electors.size();
    for (const ElectorInfo& e : h.electors)
        r.largestDrift = std::max(r.largestDrift, std::fabs(e.clockRate - 1.0));
    r.fencing = h.fencing;
    r.intervals = leadershipIntervals(h);
    r.terms = r.intervals.size();
    for (const FaultRecord& f : h.faults)
        if (f.applied)
            ++r.faults;
    const auto& iv = r.intervals;

    // Overlaps: sweep the intervals by start, keeping those still open.
    std::vector<const LeadershipInterval*> active;
    for (const LeadershipInterval& b : iv) {
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

    // Fences: every term's fence above every earlier term's.
    std::uint64_t highest = 0;
    const LeadershipInterval* highestTerm = nullptr;
    for (const LeadershipInterval& t : iv) {
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

    // Writes: counts, and each corrupted one is a violation.
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
    std::stable_sort(r.violations.begin(), r.violations.end(),
                     [](const Violation& a, const Violation& b) { return a.at < b.at; });

    // Time without a leader, from the first election on.
    if (!iv.empty()) {
        TimePoint covered = iv.front().begin;
        for (const LeadershipInterval& t : iv) {
            if (t.begin > covered) {
                const Duration gap = t.begin - covered;
                r.timeWithoutLeader += gap;
                r.longestWithoutLeader = std::max(r.longestWithoutLeader, gap);
            }
            covered = std::max(covered, t.end);
        }
        if (h.end > covered) {
            const Duration gap = h.end - covered;
            r.timeWithoutLeader += gap;
            r.longestWithoutLeader = std::max(r.longestWithoutLeader, gap);
        }
    }

    // Failovers: a fault that struck a leader whose term then ended while the fault lasted.
    std::vector<bool> counted(iv.size(), false);
    std::vector<Duration> latencies, beyond;
    for (const FaultRecord& f : h.faults) {
        if (!f.applied || f.elector < 0)
            continue;
        if (f.kind == FaultKind::Restart || f.kind == FaultKind::Start ||
            f.kind == FaultKind::Resume || f.kind == FaultKind::Heal || f.kind == FaultKind::Timing)
            continue;
        std::size_t term = iv.size();
        for (std::size_t i = 0; i < iv.size(); ++i)
            // A crash or stop ends the term at the fault's very instant: <= on the end.
            if (iv[i].elector == f.elector && iv[i].begin <= f.at && f.at <= iv[i].end)
                term = i;
        if (term == iv.size() || counted[term])
            continue;
        const TimePoint faultEnd = std::max(f.end, f.at);
        if (iv[term].end > faultEnd)
            continue; // the leader rode it out
        counted[term] = true;
        Failover fo;
        fo.faultAt = f.at;
        fo.cause = f.kind;
        fo.oldLeader = f.elector;
        const LeadershipInterval* next = nullptr;
        for (const LeadershipInterval& t : iv)
            if (t.begin > f.at && &t != &iv[term]) {
                next = &t;
                break;
            }
        if (!next) {
            fo.latency = h.end - f.at;
            r.failovers.push_back(fo);
            continue;
        }
        fo.newLeader = next->elector;
        fo.latency = next->begin - f.at;
        latencies.push_back(fo.latency);
        if (f.kind != FaultKind::Stop) {
            // The lock the successor waited for: the old term's last view before it took over,
            // unless that lock was released (not expired) first.
            const StoreView* last = nullptr;
            bool released = false;
            // Views are in time order: start at the old term's beginning, not at the run's.
            auto from = std::lower_bound(h.store.begin(), h.store.end(), iv[term].begin,
                                         [](const StoreView& v, TimePoint t) { return v.at < t; });
            if (from != h.store.begin())
                --from; // the acquire that began the term was seen just before its Elected
            for (auto it = from; it != h.store.end(); ++it) {
                const StoreView& s = *it;
                if (s.at > next->begin)
                    break;
                if (s.fence == iv[term].fence && s.elector == f.elector) {
                    last = &s;
                    released = false;
                } else if (last && s.elector < 0 && s.at < last->expiresAt) {
                    released = true;
                }
            }
            if (last && !released && last->expiresAt <= next->begin) {
                fo.beyondExpiry = next->begin - last->expiresAt;
                beyond.push_back(*fo.beyondExpiry);
            }
        }
        r.failovers.push_back(fo);
    }
    r.failoverLatency = statsOf(latencies);
    r.beyondExpiry = statsOf(beyond);

    const double seconds = std::chrono::duration<double>(r.duration).count();
    double total = 0;
    for (std::uint64_t calls : h.storeCalls) {
        const double rate = seconds > 0 ? static_cast<double>(calls) / seconds : 0.0;
        r.opsPerSecond.push_back(rate);
        total += rate;
    }
    r.meanOpsPerSecond =
        r.opsPerSecond.empty() ? 0.0 : total / static_cast<double>(r.opsPerSecond.size());
    return r;
}

} // namespace baton
