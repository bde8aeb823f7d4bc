// Store load: Redis commands per second (INFO commandstats, the harness's own INFO left out)
// with one leader and N-1 healthy followers, N = 3, 10, 50 baton-agent processes (ttl 5 s,
// refresh 1 s), sampled each second for 30 s. The variants run at the same time, each on a
// redis-server of its own, so that they share the machine's state: Baton as the agent starts by
// default (retry = ttl), Baton with a 1 s retry interval, and polling-only mode (retry 1 s, which
// its failover needs: a seed follower only notices a dead leader at its next poll). What a follower
// adds is the slope of the rate over N (least squares), per TTL.

#include "support/agents.h"
#include "support/bench.h"
#include "support/redis.h"

#include <QElapsedTimer>

#include <map>
#include <set>

using namespace baton::bench;

namespace {

constexpr double kTtlSeconds = 5;

// Commands that only Baton's Lua scripts run (inside one EVALSHA request); INFO counts them as
// commands of their own. (PUBLISH is sent by agents too; in steady state nobody releases, so
// every PUBLISH counted is an agent's request.)
const std::set<std::string> kInsideScripts{"get", "pttl", "pexpire", "time", "incr", "set", "del"};

struct Variant {
    QString name;
    QStringList args;
};

struct Load {
    std::vector<double> perSecond;          // all commands
    std::map<std::string, double> meanRate; // per command, over the whole window
    double mean = 0;
};

// Commands counted between two INFO readings, without INFO itself.
std::map<std::string, double> delta(const std::map<std::string, long long>& before,
                                    const std::map<std::string, long long>& after) {
    std::map<std::string, double> d;
    for (const auto& [name, calls] : after)
        if (name != "info") {
            const auto it = before.find(name);
            d[name] = double(calls - (it == before.end() ? 0 : it->second));
        }
    return d;
}

double slope(const std::vector<double>& x, const std::vector<double>& y) {
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        mx += x[i] / double(x.size());
        my += y[i] / double(y.size());
    }
    double num = 0, den = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        num += (x[i] - mx) * (y[i] - my);
        den += (x[i] - mx) * (x[i] - mx);
    }
    return den > 0 ? num / den : 0;
}

// Samples every server's command counters once a second for `seconds`.
std::vector<Load> sample(std::vector<std::unique_ptr<RedisClient>>& clients, int seconds) {
    std::vector<Load> loads(clients.size());
    std::vector<std::map<std::string, long long>> first, last;
    for (auto& c : clients)
        first.push_back(c->commandCalls());
    last = first;
    QElapsedTimer clock;
    clock.start();
    qint64 previous = 0;
    for (int s = 1; s <= seconds; ++s) {
        QTest::qWait(int(std::max<qint64>(0, s * 1000 - clock.elapsed())));
        const qint64 at = clock.elapsed();
        for (std::size_t v = 0; v < clients.size(); ++v) {
            auto now = clients[v]->commandCalls();
            double total = 0;
            for (const auto& [name, n] : delta(last[v], now))
                total += n;
            loads[v].perSecond.push_back(total * 1000.0 / double(at - previous));
            last[v] = std::move(now);
        }
        previous = at;
    }
    for (std::size_t v = 0; v < clients.size(); ++v) {
        for (const auto& [name, n] : delta(first[v], last[v])) {
            loads[v].meanRate[name] = n * 1000.0 / double(previous);
            loads[v].mean += n * 1000.0 / double(previous);
        }
    }
    return loads;
}

using Loads = std::vector<std::vector<Load>>; // [variant][size]

Loads measure(const std::vector<Variant>& variants, const QStringList& common,
              const std::vector<int>& sizes, int seconds) {
    std::vector<std::unique_ptr<baton::test::RedisServer>> servers;
    std::vector<std::unique_ptr<RedisClient>> clients;
    for (std::size_t v = 0; v < variants.size(); ++v) {
        servers.push_back(startRedis());
        clients.push_back(std::make_unique<RedisClient>(servers.back()->port()));
    }
    Loads loads(variants.size());
    for (const int n : sizes) {
        progress("%d agents per variant, %d s", n, seconds);
        std::vector<std::unique_ptr<AgentCluster>> clusters;
        for (std::size_t v = 0; v < variants.size(); ++v)
            clusters.push_back(std::make_unique<AgentCluster>(
                servers[v]->url(), QStringLiteral("load-%1").arg(n), common + variants[v].args, n));
        auto allSettled = [&] {
            return std::all_of(clusters.begin(), clusters.end(),
                               [](const auto& c) { return c->settled(); });
        };
        if (!waitUntil(allSettled, 60000))
            throw Failure("the agents did not all see one leader within 60 s");
        QTest::qWait(1000); // start-up writes (presence, subscriptions) are not steady state
        const std::vector<Load> measured = sample(clients, seconds);
        if (!allSettled())
            throw Failure("leadership changed during the measurement: the load is not steady");
        for (std::size_t v = 0; v < variants.size(); ++v)
            loads[v].push_back(measured[v]);
    }
    return loads;
}

void reportTotals(Report& report, const std::vector<Variant>& variants,
                  const std::vector<int>& sizes, const Loads& loads) {
    for (std::size_t s = 0; s < sizes.size(); ++s) {
        std::vector<Figure*> figures;
        for (std::size_t v = 0; v < variants.size(); ++v)
            figures.push_back(&report.add(
                QStringLiteral("Redis commands/s, %1 agents").arg(sizes[s]), variants[v].name,
                QStringLiteral("cmd/s"), Better::Lower, loads[v][s].perSecond));
        for (std::size_t v = 0; v + 1 < variants.size(); ++v)
            figures[v]->comparedTo(*figures.back());
    }
}

// Per command, the rate at each size (0 where the command did not occur).
std::map<std::string, std::vector<double>> ratesByCommand(const std::vector<Load>& loads) {
    std::map<std::string, std::vector<double>> byCommand;
    for (const Load& load : loads)
        for (const auto& [name, rate] : load.meanRate)
            byCommand[name].resize(loads.size());
    for (auto& [name, ys] : byCommand)
        for (std::size_t s = 0; s < loads.size(); ++s) {
            const auto it = loads[s].meanRate.find(name);
            ys[s] = it == loads[s].meanRate.end() ? 0 : it->second;
        }
    return byCommand;
}

// What one more follower costs, by command: the election's own EVALSHA (and the commands its
// scripts run inside Redis, which INFO counts too), the agent's presence HSET, event PUBLISH and
// subscription keep-alive PING.
void reportPerFollower(Report& report, const std::vector<Variant>& variants,
                       const std::vector<int>& sizes, const Loads& loads) {
    const std::vector<double> x(sizes.begin(), sizes.end());
    QJsonObject breakdown;
    std::vector<Figure*> perFollower, requests, election;
    for (std::size_t v = 0; v < variants.size(); ++v) {
        std::vector<double> y;
        for (const Load& load : loads[v])
            y.push_back(load.mean);
        QJsonObject commands;
        double sent = 0;
        for (const auto& [name, ys] : ratesByCommand(loads[v])) {
            const double perTtl = slope(x, ys) * kTtlSeconds;
            commands.insert(QString::fromStdString(name), perTtl);
            if (!kInsideScripts.contains(name))
                sent += perTtl;
        }
        breakdown.insert(variants[v].name, commands);
        const QString& name = variants[v].name;
        perFollower.push_back(&report.add(QStringLiteral("per follower per TTL: commands"), name,
                                          QStringLiteral("cmd"), Better::Lower,
                                          {slope(x, y) * kTtlSeconds}));
        requests.push_back(&report.add(QStringLiteral("per follower per TTL: requests"), name,
                                       QStringLiteral("req"), Better::Lower, {sent}));
        election.push_back(&report.add(QStringLiteral("per follower per TTL: election requests"),
                                       name, QStringLiteral("req"), Better::Lower,
                                       {commands.value(QStringLiteral("evalsha")).toDouble()}));
    }
    for (std::size_t v = 0; v + 1 < variants.size(); ++v) {
        perFollower[v]->comparedTo(*perFollower.back());
        requests[v]->comparedTo(*requests.back()).target(Target::Stat::Median, true, 1.5);
        election[v]->comparedTo(*election.back()).target(Target::Stat::Median, true, 1.5);
    }
    report.detail(QStringLiteral("perFollowerPerTtlByCommand"), breakdown);
}

} // namespace

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("store-load"), [](Report& report) {
        const std::vector<Variant> variants{
            {QStringLiteral("Baton"), {}},
            {QStringLiteral("Baton, retry 1 s"), {QStringLiteral("--retry"), QStringLiteral("1s")}},
            {QStringLiteral("polling-only mode"),
             {QStringLiteral("--polling-only"), QStringLiteral("--retry"), QStringLiteral("1s")}}};
        const QStringList common{QStringLiteral("--ttl"), QStringLiteral("5s"),
                                 QStringLiteral("--refresh"), QStringLiteral("1s")};
        const std::vector<int> sizes{3, 10, 50};
        const int seconds = report.quick() ? 2 : 30;
        report.config(QStringLiteral("agentArgs"), common.join(QLatin1Char(' ')));
        report.config(QStringLiteral("secondsPerSize"), seconds);
        const Loads loads = measure(variants, common, sizes, seconds);
        reportTotals(report, variants, sizes, loads);
        reportPerFollower(report, variants, sizes, loads);
    });
}
