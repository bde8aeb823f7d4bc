// Graceful handover: three baton-agent processes (ttl 5 s, refresh 1 s, retry 1 s); SIGTERM the
// leader; the time to the next `elected` line of another agent. Baton's followers are woken by
// the release notice; polling-only mode's find the lock free at their next poll.

#include "support/bench.h"
#include "support/failover.h"

#include <csignal>

using namespace baton::bench;

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("graceful-handover"), [](Report& report) {
        const auto server = startRedis();
        FailoverPlan plan;
        plan.signal = SIGTERM;
        plan.rounds = report.quick() ? 3 : 30;
        plan.clustersPerVariant = report.quick() ? 1 : 2;
        plan.agentArgs = {QStringLiteral("--ttl"),     QStringLiteral("5s"),
                          QStringLiteral("--refresh"), QStringLiteral("1s"),
                          QStringLiteral("--retry"),   QStringLiteral("1s")};
        plan.periodMs = 1000;
        plan.timeoutMs = 10000;
        const auto variants = baselineVariants(1000);
        const auto figures =
            reportFailovers(report, QStringLiteral("SIGTERM leader -> next elected"), plan,
                            variants, runFailovers(*server, plan, variants));
        figures.front()->target(Target::Stat::Median, true, 2);
    });
}
