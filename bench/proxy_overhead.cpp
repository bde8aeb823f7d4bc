// The fault proxy's cost with no fault set: the round trip of a PING straight to Redis and
// through a proxy (target: under 0.1 ms added at the median), and a graceful handover of three
// agents with every connection through one proxy against the same handover straight to Redis.

#include "support/bench.h"
#include "support/failover.h"
#include "support/redis.h"

#include <baton/proxy/fault_proxy.h>

#include <hiredis/hiredis.h>

#include <chrono>
#include <csignal>

using namespace baton::bench;

namespace {

/// `n` PING round trips on one connection to `port`, in milliseconds.
std::vector<double> pings(int port, int n) {
    redisContext* c = redisConnect("127.0.0.1", port);
    if (!c || c->err)
        throw Failure("cannot connect to 127.0.0.1:" + std::to_string(port));
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
        const auto start = std::chrono::steady_clock::now();
        auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
        const auto end = std::chrono::steady_clock::now();
        if (!r)
            throw Failure(std::string("PING failed: ") + c->errstr);
        freeReplyObject(r);
        ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    redisFree(c);
    return ms;
}

} // namespace

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("proxy-overhead"), [](Report& report) {
        const auto server = startRedis();
        baton::proxy::FaultProxy proxy("127.0.0.1", server->port());
        const int n = report.quick() ? 200 : 5000;
        // Interleaved blocks, so that a busy moment of the machine hits both alike.
        std::vector<double> direct, proxied;
        for (int block = 0; block < 10; ++block) {
            const auto d = pings(server->port(), n / 10);
            const auto p = pings(proxy.port(), n / 10);
            direct.insert(direct.end(), d.begin(), d.end());
            proxied.insert(proxied.end(), p.begin(), p.end());
        }
        Figure& through =
            report.add(QStringLiteral("PING round trip"), QStringLiteral("through the proxy"),
                       QStringLiteral("ms"), Better::Lower, proxied);
        Figure& straight =
            report.add(QStringLiteral("PING round trip"), QStringLiteral("straight to Redis"),
                       QStringLiteral("ms"), Better::Lower, direct);
        const double added = through.stats().median - straight.stats().median;
        report.detail(QStringLiteral("added by the proxy at the median (ms)"), added);
        through.note(
            QStringLiteral("%1 ms added at the median (target < 0.1 ms)").arg(added, 0, 'f', 4));

        FailoverPlan plan = standardPlan(SIGTERM);
        plan.rounds = report.quick() ? 3 : 20;
        plan.timeoutMs = 10000;
        const QString url = QStringLiteral("redis://127.0.0.1:%1").arg(proxy.port());
        const std::vector<FailoverVariant> variants{
            {QStringLiteral("through the proxy"), {QStringLiteral("--redis"), url}, true, 100},
            {QStringLiteral("straight to Redis"), {}, true, 100}};
        reportFailovers(report, QStringLiteral("SIGTERM leader -> next elected"), plan, variants,
                        runFailovers(*server, plan, variants));
    });
}
