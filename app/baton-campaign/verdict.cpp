#include "verdict.h"

#include <baton/base/text.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace campaign {

namespace {

const char* causeName(baton::FaultKind kind) {
    switch (kind) {
    case baton::FaultKind::Crash:
        return "kill";
    case baton::FaultKind::Stop:
        return "term";
    case baton::FaultKind::Pause:
        return "pause";
    case baton::FaultKind::Partition:
        return "partition";
    case baton::FaultKind::Latency:
        return "latency";
    case baton::FaultKind::Drift:
        return "drift";
    default:
        return "other";
    }
}

std::string rate(double r) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", r);
    return text;
}

double ms(baton::Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

/// Failover latencies of the failovers that found a new leader, by cause (all: "").
std::map<std::string, std::vector<baton::Duration>> failoversByCause(const baton::Report& r) {
    std::map<std::string, std::vector<baton::Duration>> out;
    for (const baton::Failover& f : r.failovers)
        if (f.newLeader >= 0) {
            out[""].push_back(f.latency);
            out[causeName(f.cause)].push_back(f.latency);
        }
    return out;
}

double toUnixMsSince(baton::TimePoint t, double startMs) {
    return baton::toUnixMs(t) - startMs;
}

std::map<std::string, int> faultsByKind(const Outcome& out) {
    std::map<std::string, int> n;
    for (const StruckFault& f : out.struck)
        ++n[faultTypeName(f.plan.type)];
    return n;
}

std::string percentiles(const std::vector<baton::Duration>& values) {
    const baton::DurationStats s = baton::statsOf(values);
    return "p50 " + shortTime(s.median) + ", p99 " + shortTime(s.p99);
}

std::string joinFaults(const Options& o) {
    std::string out;
    for (FaultType t : o.faults)
        out += (out.empty() ? "" : ",") + std::string(faultTypeName(t));
    return out;
}

} // namespace

std::string padded(const std::string& time) {
    return std::string(time.size() < 9 ? 9 - time.size() : 0, ' ') + time;
}

std::string scheduleText(const Options& o, const Schedule& s) {
    std::ostringstream out;
    out << "clock rates at start:";
    for (std::size_t i = 0; i < s.startRates.size(); ++i)
        out << (i ? ", " : " ") << "agent-" << i << " " << rate(s.startRates[i])
            << (static_cast<int>(i) == s.firstAgent ? " (starts first)" : "");
    out << "\nschedule (seed " << o.seed << ", " << s.faults.size()
        << " faults, one at a time; time 0 is the first leader):\n";
    for (const PlannedFault& f : s.faults)
        out << "  " << padded(seconds(f.at)) << "  " << describe(f) << '\n';
    return out.str();
}

std::string verdictText(const Setting& setting, const Outcome& out) {
    const baton::Report& r = out.report;
    std::ostringstream t;
    t << "verdict: " << (r.safe() ? "safe" : "UNSAFE")
      << (out.interrupted ? " (interrupted: the run was cut short)" : "") << '\n';
    t << "  terms                " << r.terms << '\n';
    const auto kinds = faultsByKind(out);
    t << "  faults               " << out.struck.size();
    std::string sep = ": ";
    for (const auto& [kind, n] : kinds) {
        t << sep << kind << ' ' << n;
        sep = ", ";
    }
    t << '\n';
    const auto byCause = failoversByCause(r);
    const auto all = byCause.count("") ? byCause.at("") : std::vector<baton::Duration>{};
    t << "  failovers            " << all.size();
    if (!all.empty())
        t << ": " << percentiles(all);
    t << '\n';
    for (const auto& [cause, values] : byCause)
        if (!cause.empty())
            t << "    " << cause << std::string(18 - std::min<std::size_t>(cause.size(), 17), ' ')
              << values.size() << ": " << percentiles(values) << '\n';
    t << "  overlaps             " << r.overlaps;
    if (r.overlaps)
        t << ", " << shortTime(r.overlapTotal) << " in all";
    t << '\n';
    for (const baton::Violation& v : r.violations)
        t << "    " << baton::visible(v.description, 400) << '\n';
    t << "  fence violations     " << r.fenceOrderViolations << '\n';
    t << "  time without leader  " << shortTime(r.timeWithoutLeader) << " (longest "
      << shortTime(r.longestWithoutLeader) << ")\n";
    if (out.unexpectedExits)
        t << "  agents that ended    " << out.unexpectedExits
          << " without a fault (started again; see their logs)\n";
    if (out.badLines)
        t << "  unreadable lines     " << out.badLines
          << " (left out; first: " << (out.problems.empty() ? "" : out.problems.front()) << ")\n";
    t << "  history              " << setting.dir << "/history.jsonl (" << out.lines
      << " lines), faults.jsonl; agent logs " << setting.dir << "/agent-N.log\n";
    return t.str();
}

nlohmann::json verdictJson(const Options& o, const Setting& setting, const Schedule& s,
                           const Outcome& out) {
    using nlohmann::json;
    const baton::Report& r = out.report;
    json schedule = json::array();
    for (const PlannedFault& f : s.faults)
        schedule.push_back({{"atMs", ms(f.at)}, {"fault", describe(f)}});
    json struck = json::array();
    for (const StruckFault& f : out.struck)
        struck.push_back({{"atMs", f.atMs - out.startMs},
                          {"endMs", f.endMs - out.startMs},
                          {"fault", faultTypeName(f.plan.type)},
                          {"agent", "agent-" + std::to_string(f.agent)},
                          {"wasLeader", f.wasLeader},
                          {"detail", describe(f.plan)}});
    json byCause = json::object();
    for (const auto& [cause, values] : failoversByCause(r)) {
        const baton::DurationStats st = baton::statsOf(values);
        byCause[cause.empty() ? "all" : cause] = {
            {"count", values.size()}, {"p50Ms", ms(st.median)}, {"p99Ms", ms(st.p99)}};
    }
    json failovers = json::array();
    for (const baton::Failover& f : r.failovers)
        failovers.push_back({{"cause", causeName(f.cause)},
                             {"atMs", toUnixMsSince(f.faultAt, out.startMs)},
                             {"latencyMs", ms(f.latency)},
                             {"newLeader", f.newLeader >= 0}});
    json violations = json::array();
    for (const baton::Violation& v : r.violations)
        violations.push_back(v.description);
    return {{"safe", r.safe()},
            {"seed", o.seed},
            {"agents", o.agents},
            {"durationMs", ms(o.duration)},
            {"ttlMs", ms(o.ttl)},
            {"refreshMs", ms(o.refresh)},
            {"drift", o.drift},
            {"maxDrift", o.maxDrift},
            {"faultTypes", joinFaults(o)},
            {"redis", setting.redis},
            {"localRedis", setting.localRedis},
            {"resource", setting.resource},
            {"startRates", s.startRates},
            {"schedule", schedule},
            {"struck", struck},
            {"faults", faultsByKind(out)},
            {"terms", r.terms},
            {"failovers", byCause},
            {"failoverList", failovers},
            {"overlaps", r.overlaps},
            {"overlapTotalMs", ms(r.overlapTotal)},
            {"violations", violations},
            {"fenceViolations", r.fenceOrderViolations},
            {"timeWithoutLeaderMs", ms(r.timeWithoutLeader)},
            {"longestWithoutLeaderMs", ms(r.longestWithoutLeader)},
            {"lines", out.lines},
            {"unreadableLines", out.badLines},
            {"interrupted", out.interrupted},
            {"unexpectedExits", out.unexpectedExits},
            {"historyDir", setting.dir}};
}

} // namespace campaign
