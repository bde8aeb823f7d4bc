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
        const auto server = startRedis();
        FailoverPlan plan;
        plan.signal = SIGKILL;
        plan.sinceExpiry = true;
        plan.rounds = report.quick() ? 2 : 30;
        plan.clustersPerVariant = report.quick() ? 1 : 4;
        plan.agentArgs = {QStringLiteral("--ttl"),     QStringLiteral("5s"),
                          QStringLiteral("--refresh"), QStringLiteral("1s"),
                          QStringLiteral("--retry"),   QStringLiteral("1s")};
        plan.periodMs = 1000;
        plan.timeoutMs = 12000;
        const auto variants = baselineVariants(1000);
        const auto figures =
            reportFailovers(report, QStringLiteral("SIGKILL leader: elected beyond expiry"), plan,
                            variants, runFailovers(*server, plan, variants));
        figures.front()->target(Target::Stat::Median, true, 5).target(Target::Stat::P99, true, 20);
    });
}
