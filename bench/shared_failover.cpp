// One election on the shared runtime against a plain agent, in the same run on one
// redis-server: three `baton-agent --shards 1` processes (the Campaigner, lock NAME-0) and three
// plain ones (Election), ttl 5 s, refresh and retry 1 s. Graceful handover (SIGTERM the leader:
// signal -> the next `elected`) and crash failover (SIGKILL: the lock's expiry -> the next
// `elected`), rounds taking turns between the two. --quick: 3 and 2 rounds.

#include "support/bench.h"
#include "support/failover.h"

#include <csignal>

using namespace baton::bench;

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("shared-failover"), [](Report& report) {
        const auto server = startRedis();
        const std::vector<FailoverVariant> variants{
            {QStringLiteral("shared runtime (--shards 1)"),
             {QStringLiteral("--shards"), QStringLiteral("1")},
             true,
             100},
            {QStringLiteral("plain agent"), {}, true, 100}};
        FailoverPlan handover = standardPlan(SIGTERM);
        handover.rounds = report.quick() ? 3 : 20;
        handover.clustersPerVariant = report.quick() ? 1 : 2;
        handover.timeoutMs = 10000;
        reportFailovers(report, QStringLiteral("SIGTERM leader -> next elected"), handover,
                        variants, runFailovers(*server, handover, variants))
            .front()
            ->target(Target::Stat::Median, true, 2);
        FailoverPlan crash = standardPlan(SIGKILL);
        crash.sinceExpiry = true;
        crash.rounds = report.quick() ? 2 : 20;
        crash.clustersPerVariant = report.quick() ? 1 : 4;
        crash.timeoutMs = 12000;
        reportFailovers(report, QStringLiteral("SIGKILL leader: elected beyond expiry"), crash,
                        variants, runFailovers(*server, crash, variants))
            .front()
            ->target(Target::Stat::Median, true, 5);
    });
}
