#pragma once
// baton-sim's command line: options into a scenario, one run or a campaign of seeds, the report,
// and the exit code (0 safe, 1 a safety violation, 2 bad usage or a bad scenario file).

#include <string>

namespace baton::sim {

enum ExitCode { Safe = 0, Unsafe = 1, BadUsage = 2 };

/// Runs baton-sim with argv (program name first); prints to stdout and stderr.
int run(int argc, const char* const* argv, const std::string& version);

} // namespace baton::sim
