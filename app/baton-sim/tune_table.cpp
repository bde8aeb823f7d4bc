// baton-sim tune's text table: one row a point, '*' on the Pareto front, '!' when unsafe, and
// the verdict with the recommended (or nearest) point last.

#include "report_format.h"
#include "tune_cli.h"

#include <cstdio>

namespace baton::sim {

namespace {

std::string cell(const std::string& text, int width) {
    return text.size() >= static_cast<std::size_t>(width)
               ? text + " "
               : std::string(static_cast<std::size_t>(width) - text.size(), ' ') + text + " ";
}

std::string row(const PointResult& p, int electors) {
    const Timing& t = p.point.timing;
    const std::string mark = !p.safe() ? "!" : p.pareto ? "*" : " ";
    std::string line =
        mark + " " + cell(humanDuration(t.ttl), 7) + cell(humanDuration(t.refreshInterval), 8) +
        cell(humanDuration(t.retryInterval) + (p.point.pollingOnly ? " poll" : ""), 10) +
        cell(p.point.minReplicas > 0 ? std::to_string(p.point.minReplicas) : "-", 4);
    line += cell(humanDuration(p.failover.median), 9) + cell(humanDuration(p.failover.p99), 9) +
            cell(humanDuration(p.failover.max), 9) + cell(humanDuration(p.beyondExpiry.p99), 9);
    line += cell(humanDuration(p.handover.median), 9) + cell(humanDuration(p.handover.p99), 9);
    line += cell(printed("%.2f", p.spuriousPerDay), 8) +
            cell(humanDuration(p.unavailablePerDay), 9) + cell(std::to_string(p.overlaps), 4) +
            cell(std::to_string(p.fenceViolations), 5);
    line += cell(printed("%.2f", p.leaderRequests), 7) +
            cell(printed("%.3f", p.followerRequests), 7) +
            cell(printed("%.1f", p.storeLoad(electors)), 7);
    line += cell(humanDuration(p.bounds.worstCrashFailover), 9) +
            cell(humanDuration(p.bounds.rideOutOutage), 9) +
            cell(humanDuration(p.bounds.rideOutPause), 9);
    return line + "\n";
}

std::string header() {
    std::string h = "  " + cell("ttl", 7) + cell("refresh", 8) + cell("retry", 10) +
                    cell("wait", 4) + cell("fo p50", 9) + cell("fo p99", 9) + cell("fo max", 9) +
                    cell(">exp p99", 9) + cell("ho p50", 9) + cell("ho p99", 9) +
                    cell("spur/d", 8) + cell("noldr/d", 9) + cell("ovl", 4) + cell("fence", 5) +
                    cell("L r/s", 7) + cell("F r/s", 7) + cell("all r/s", 7) + cell("fo bound", 9) +
                    cell("outage", 9) + cell("pause", 9);
    return h + "\n";
}

} // namespace

std::string tuningTable(const TuningResult& r) {
    const int electors = r.request.profile.electors;
    std::string out = header();
    for (const PointResult& p : r.points)
        out += row(p, electors);
    out += "\n* Pareto front (failover p99, spurious/day, store load)  ! unsafe (overlap or fence "
           "violation)\nwait: WAIT's replicas (-: none), fo: crash failover, >exp: beyond the "
           "lock's expiry, ho: graceful handover, ovl: overlapping leaders, fence: fence "
           "violations; bounds: worst crash failover, longest outage and pause ridden out\n\n";
    if (r.recommended) {
        out += header() + row(r.points[*r.recommended], electors);
    } else {
        out += "nearest points:\n" + header();
        for (std::size_t i : r.nearest)
            out += row(r.points[i], electors);
    }
    return out + r.verdict + "\n";
}

} // namespace baton::sim
