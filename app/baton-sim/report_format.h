#pragma once
// How baton-sim shows a checked run: a readable summary, or the full report as JSON.

#include <baton/sim/checker.h>
#include <baton/sim/scenario.h>

#include <nlohmann/json.hpp>

#include <string>

namespace baton::sim {

/// How a run was made, for the report's header.
struct RunInfo {
    Scenario scenario;
    bool randomFaults = false;
    double wallSeconds = 0.0;
};

/// "3.2ms", "4.998s", "1h02m03s": a duration at a readable precision.
std::string humanDuration(Duration d);

/// The readable summary of one run (several lines, ending in a newline).
std::string summary(const Report& report, const RunInfo& info);
/// The full report of one run.
nlohmann::json toJson(const Report& report, const RunInfo& info);

/// One line naming a violation with its seed and virtual time, and how to replay it.
std::string describeViolation(const Report& report, const Violation& violation);

/// `value` as printf's format `format` shows it (one double, e.g. "%.3f"), in the C locale.
std::string printed(const char* format, double value);

} // namespace baton::sim
