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
        auto measure = [&](int signal, const QString& figure, int rounds, int clusters,
                           double median) {
            FailoverPlan plan = standardPlan(signal);
            plan.sinceExpiry = signal == SIGKILL;
            plan.rounds = rounds;
            plan.clustersPerVariant = report.quick() ? 1 : clusters;
            plan.timeoutMs = plan.sinceExpiry ? 12000 : 10000;
            reportFailovers(report, figure, plan, variants, runFailovers(*server, plan, variants))
                .front()
                ->target(Target::Stat::Median, true, median);
        };
        measure(SIGTERM, QStringLiteral("SIGTERM leader -> next elected"), report.quick() ? 3 : 20,
                2, 2);
        measure(SIGKILL, QStringLiteral("SIGKILL leader: elected beyond expiry"),
                report.quick() ? 2 : 20, 4, 5);
    });
}
