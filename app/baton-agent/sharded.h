#pragma once
// baton-agent --shards N: one process campaigns for NAME-0 ... NAME-(N-1) on the shared runtime
// (one scheduler thread, one pipelined command connection, one subscription connection), with
// fair share: it leads at most ceil(N / live members) shards while others are alive.

#include "options.h"

namespace agent {

/// Runs until SIGTERM, SIGINT or SIGHUP (then every shard stops gracefully at once); returns
/// the exit code. Ending signals must be blocked already (Agent::blockEndingSignals).
int runSharded(const Options& options);

} // namespace agent
