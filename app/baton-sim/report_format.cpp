#include "report_format.h"

#include <baton/base/enum_names.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

namespace baton::sim {

namespace {

using Json = nlohmann::json;

double ms(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

std::string stats(const DurationStats& s) {
    if (s.count == 0)
        return "-";
    return "min " + humanDuration(s.min) + "  median " + humanDuration(s.median) + "  p99 " +
           humanDuration(s.p99) + "  max " + humanDuration(s.max);
}

Json statsJson(const DurationStats& s) {
    return Json{{"count", s.count},
                {"minMs", ms(s.min)},
                {"medianMs", ms(s.median)},
                {"p99Ms", ms(s.p99)},
                {"maxMs", ms(s.max)}};
}

std::string kindName(Violation::Kind k) {
    static constexpr EnumNames<Violation::Kind, 3> names{
        {"overlap", "fence-order", "corrupted-write"}};
    return std::string(names.name(k));
}

std::string nodeName(int elector) {
    return elector < 0 ? "nobody" : "node-" + std::to_string(elector);
}

std::string padded(std::string s, std::size_t width) {
    if (s.size() < width)
        s.append(width - s.size(), ' ');
    return s;
}

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : separator) + p;
    return out;
}

// The replicated store (Scenario::replication), or "" without one.
std::string storeLines(const Report& r, const Scenario& s) {
    if (!s.replication)
        return {};
    const Replication& p = *s.replication;
    std::size_t lost = 0, locks = 0;
    for (const FailoverRecord& f : r.storeFailovers) {
        lost += f.lostWrites;
        locks += f.lockLost ? 1 : 0;
    }
    std::string wait = "no WAIT";
    if (p.minReplicas > 0)
        wait =
            "WAIT " + std::to_string(p.minReplicas) + " within " + formatDuration(p.replicaTimeout);
    return "  store: primary + " + std::to_string(p.replicas) + " replica(s), lag " +
           formatDuration(p.lag) +
           (p.lagP99.count() > 0 ? " (p99 " + formatDuration(p.lagP99) + ")" : "") +
           ", failover after " + formatDuration(p.downAfter) + " + " + formatDuration(p.election) +
           ", " + wait + "\n  primary kills: " + std::to_string(p.primaryKills.size()) + ", " +
           std::to_string(r.storeFailovers.size()) + " failed over: " + std::to_string(lost) +
           " writes lost, the lock lost " + std::to_string(locks) + " time(s)\n";
}

std::string header(const Report& r, const RunInfo& info) {
    const Scenario& s = info.scenario;
    std::string title = "baton-sim: ";
    if (!s.name.empty())
        title += s.name + ", ";
    title += std::to_string(r.electors) + " electors, " + humanDuration(r.duration) +
             " virtual, seed " + std::to_string(r.seed) + "\n";
    return title + "  ttl " + formatDuration(s.timing.ttl) + ", refresh " +
           formatDuration(s.timing.refreshInterval) + ", retry " +
           formatDuration(s.timing.retryInterval) + ", drift " + printed("%.3g", r.largestDrift) +
           " (assumed " + printed("%g", s.maxDrift) + "), latency " + formatDuration(s.latency) +
           ", " + (s.pollingOnly ? "polling-only polling" : "push wake-up") + ", fencing " +
           (r.fencing ? "on" : "off") + "\n  faults: " + std::to_string(r.faults) +
           (info.randomFaults ? " (random schedule)" : "") + "\n" + storeLines(r, s) + "\n";
}

std::string failoverLines(const Report& r) {
    std::string out = "  failovers:            " + std::to_string(r.failovers.size()) + "\n" +
                      "    latency from fault: " + stats(r.failoverLatency) + "\n" +
                      "    beyond lock expiry: " + stats(r.beyondExpiry) + "\n";
    std::map<FaultKind, std::vector<Duration>> byCause;
    for (const Failover& f : r.failovers)
        if (f.newLeader >= 0)
            byCause[f.cause].push_back(f.latency);
    for (const auto& [cause, values] : byCause)
        out += "    by " + padded(std::string(faultName(cause)), 10) + "     " +
               std::to_string(values.size()) + ", median " + humanDuration(statsOf(values).median) +
               "\n";
    return out;
}

} // namespace

std::string printed(const char* format, double value) {
    char buf[64];
    const int n = std::snprintf(buf, sizeof buf, format, value);
    return std::string(buf, n < 0 ? 0 : std::min<std::size_t>(std::size_t(n), sizeof buf - 1));
}

std::string humanDuration(Duration d) {
    const double ns = static_cast<double>(d.count());
    const double a = std::fabs(ns);
    if (a == 0)
        return "0s";
    if (a < 1e3)
        return printed("%.0f", ns) + "ns";
    if (a < 1e6)
        return printed("%.3g", ns / 1e3) + "us";
    if (a < 1e9)
        return printed("%.4g", ns / 1e6) + "ms";
    if (a < 60e9)
        return printed("%.4g", ns / 1e9) + "s";
    const auto total = static_cast<long long>(std::llround(a / 1e9));
    const std::string sign = ns < 0 ? "-" : "";
    const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
    char buf[64];
    if (h > 0)
        std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", h, m, s);
    else
        std::snprintf(buf, sizeof buf, "%lldm%02llds", m, s);
    return sign + buf;
}

std::string describeViolation(const Report& r, const Violation& v) {
    return "seed " + std::to_string(r.seed) +
           " at t=" + printed("%.6f", std::chrono::duration<double>(v.at - r.start).count()) +
           "s: " + kindName(v.kind) + ": " + v.description;
}

std::string summary(const Report& r, const RunInfo& info) {
    std::string out = header(r, info);
    out += r.safe() ? "verdict: SAFE (no overlapping leadership, fences in order, no corrupted "
                      "write)\n"
                    : "verdict: UNSAFE (" + std::to_string(r.violations.size()) +
                          (r.violations.size() == 1 ? " violation)\n" : " violations)\n");
    out += "  terms:                " + std::to_string(r.terms) + "\n";
    out += "  overlaps:             " + std::to_string(r.overlaps) +
           (r.overlaps ? " (both leading for " + humanDuration(r.overlapTotal) + " in all)" : "") +
           "\n";
    out += "  fence order:          " +
           (r.fenceOrderViolations ? std::to_string(r.fenceOrderViolations) + " out of order"
                                   : std::string("strictly increasing")) +
           "\n";
    const double share = r.duration.count() > 0
                             ? 100.0 * static_cast<double>(r.timeWithoutLeader.count()) /
                                   static_cast<double>(r.duration.count())
                             : 0.0;
    out += "  time without leader:  " + humanDuration(r.timeWithoutLeader) + " (" +
           printed("%.3f", share) + "%), longest " + humanDuration(r.longestWithoutLeader) + "\n";
    out += failoverLines(r);
    std::vector<std::string> perElector;
    for (std::size_t i = 0; i < r.opsPerSecond.size() && i < 8; ++i)
        perElector.push_back(nodeName(static_cast<int>(i)) + " " +
                             printed("%.2f", r.opsPerSecond[i]));
    if (r.opsPerSecond.size() > 8)
        perElector.push_back("...");
    out += "  store ops/s/elector:  " + printed("%.2f", r.meanOpsPerSecond) + " mean (" +
           joined(perElector, ", ") + ")\n";
    out += "  protected resource:   " + std::to_string(r.writesAccepted) + " writes accepted, " +
           std::to_string(r.writesRejected) + " rejected by fencing, " +
           std::to_string(r.writesCorrupted) + " corrupted\n";
    if (const Violation* v = r.firstViolation())
        out += "  first violation:      " + describeViolation(r, *v) + "\n";
    if (!r.cutShort.empty())
        out += "  cut short:            " + r.cutShort + "\n";
    if (info.wallSeconds > 0) {
        const double hours = std::chrono::duration<double>(r.duration).count() / 3600.0;
        out += "  ran in " + printed("%.3f", info.wallSeconds) + " s wall (" +
               printed("%.1f", hours / info.wallSeconds) + " virtual hours per wall second)\n";
    }
    return out;
}

Json toJson(const Report& r, const RunInfo& info) {
    const Scenario& s = info.scenario;
    Json violations = Json::array();
    for (const Violation& v : r.violations)
        violations.push_back({{"kind", kindName(v.kind)},
                              {"atMs", ms(v.at - r.start)},
                              {"lengthMs", ms(v.length)},
                              {"description", v.description}});
    Json failovers = Json::array();
    for (const Failover& f : r.failovers) {
        Json o{{"faultAtMs", ms(f.faultAt - r.start)},
               {"cause", faultName(f.cause)},
               {"oldLeader", nodeName(f.oldLeader)},
               {"newLeader", nodeName(f.newLeader)},
               {"latencyMs", ms(f.latency)}};
        if (f.beyondExpiry)
            o["beyondExpiryMs"] = ms(*f.beyondExpiry);
        failovers.push_back(std::move(o));
    }
    Json config{{"name", s.name},
                {"electors", r.electors},
                {"durationMs", ms(r.duration)},
                {"seed", std::to_string(r.seed)},
                {"drift", r.largestDrift},
                {"maxDrift", s.maxDrift},
                {"latencyMs", ms(s.latency)},
                {"pollingOnly", s.pollingOnly},
                {"fencing", r.fencing},
                {"randomFaults", info.randomFaults}};
    for (const auto& [name, member] : kTimingFields)
        config[std::string(name) + "Ms"] = ms(s.timing.*member);
    return Json{
        {"config", config},
        {"safe", r.safe()},
        {"terms", r.terms},
        {"faults", r.faults},
        {"overlaps", r.overlaps},
        {"overlapTotalMs", ms(r.overlapTotal)},
        {"fenceOrderViolations", r.fenceOrderViolations},
        {"timeWithoutLeaderMs", ms(r.timeWithoutLeader)},
        {"longestWithoutLeaderMs", ms(r.longestWithoutLeader)},
        {"failoverLatency", statsJson(r.failoverLatency)},
        {"beyondExpiry", statsJson(r.beyondExpiry)},
        {"failovers", failovers},
        {"opsPerSecondPerElector", r.opsPerSecond},
        {"meanOpsPerSecond", r.meanOpsPerSecond},
        {"writes",
         {{"accepted", r.writesAccepted},
          {"rejected", r.writesRejected},
          {"corrupted", r.writesCorrupted}}},
        {"violations", violations},
        {"cutShort", r.cutShort.empty() ? Json(nullptr) : Json(r.cutShort)},
        {"wallSeconds", info.wallSeconds},
    };
}

} // namespace baton::sim
