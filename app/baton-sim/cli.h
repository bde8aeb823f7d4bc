#pragma once
// baton-sim's command line: options into a scenario, one run or a campaign of seeds, the report,
// and the exit code (0 safe, 1 a safety violation, 2 bad usage or a bad scenario file).

#include <QStringList>

namespace baton::sim {

enum ExitCode { Safe = 0, Unsafe = 1, BadUsage = 2 };

/// Runs baton-sim with `arguments` (argv, program name first); prints to stdout and stderr.
int run(const QStringList& arguments);

} // namespace baton::sim
