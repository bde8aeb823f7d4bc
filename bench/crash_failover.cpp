// Crash failover beyond expiry: three baton-agent processes (ttl 5 s, refresh 1 s, retry 1 s);
// read the lock's PTTL, SIGKILL the leader; latency = the next `elected` minus (the time the PTTL
// was read + PTTL). Rounds run on several resources at once (see support/failover.h), so that
// 30 rounds of a 5 s TTL take about a minute instead of five.

#include "support/bench.h"
#include "support/failover.h"

#include <csignal>

using namespace baton::bench;

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("crash-failover"), [](Report& report) {
        FailoverPlan plan = standardPlan(SIGKILL);
        plan.sinceExpiry = true;
        plan.rounds = report.quick() ? 2 : 30;
        plan.clustersPerVariant = report.quick() ? 1 : 4;
        plan.timeoutMs = 12000;
        measureFailovers(report, QStringLiteral("SIGKILL leader: elected beyond expiry"), plan)
            .target(Target::Stat::Median, true, 5)
            .target(Target::Stat::P99, true, 20);
    });
}
