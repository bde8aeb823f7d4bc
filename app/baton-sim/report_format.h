#pragma once
// How baton-sim shows a checked run: a readable summary, or the full report as JSON.

#include <baton/sim/checker.h>
#include <baton/sim/scenario.h>

#include <QJsonObject>
#include <QString>

namespace baton::sim {

/// How a run was made, for the report's header.
struct RunInfo {
    Scenario scenario;
    bool randomFaults = false;
    double wallSeconds = 0.0;
};

/// "3.2ms", "4.998s", "1h02m03s": a duration at a readable precision.
QString humanDuration(Duration d);

/// The readable summary of one run (several lines, ending in a newline).
QString summary(const Report& report, const RunInfo& info);
/// The full report of one run.
QJsonObject toJson(const Report& report, const RunInfo& info);

/// One line naming a violation with its seed and virtual time, and how to replay it.
QString describeViolation(const Report& report, const Violation& violation);

} // namespace baton::sim
