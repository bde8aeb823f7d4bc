#pragma once
// `baton-sim tune`: sweeps timings against a failure profile and prints every point, the Pareto
// front and a recommendation (text, --json or --csv). Exit 0 recommended, 1 none meets, 2 usage.

#include <baton/sim/tuner.h>

#include <string>

namespace baton::sim {

/// Runs `baton-sim tune` with argv (argv[0] is "tune"); prints to stdout and stderr.
int runTune(int argc, const char* const* argv);

/// The readable table of a sweep: one row a point, the front marked, the verdict last.
std::string tuningTable(const TuningResult& result);

} // namespace baton::sim
