// Graceful handover: three baton-agent processes (ttl 5 s, refresh 1 s, retry 1 s); SIGTERM the
// leader; the time to the next `elected` line of another agent. Baton's followers are woken by
// the release notice; polling-only mode's find the lock free at their next poll.

#include "support/bench.h"
#include "support/failover.h"

#include <csignal>

using namespace baton::bench;

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("graceful-handover"), [](Report& report) {
        FailoverPlan plan = standardPlan(SIGTERM);
        plan.rounds = report.quick() ? 3 : 30;
        plan.clustersPerVariant = report.quick() ? 1 : 2;
        plan.timeoutMs = 10000;
        measureFailovers(report, QStringLiteral("SIGTERM leader -> next elected"), plan)
            .target(Target::Stat::Median, true, 2);
    });
}
