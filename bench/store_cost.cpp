// Store cost per elector: Redis requests (INFO commandstats without INFO and without the commands
// Baton's scripts run inside one EVALSHA) over 10 TTLs, first with one agent alone (what a leader
// costs), then with 3 agents (the two more are followers: what a follower costs is the difference,
// halved). Baton and the seed-mode baseline (--polling-only) run at the same time, each on a
// redis-server of its own, at the agent's defaults (ttl 5 s, refresh 1 s, retry 5 s; polling-only
// needs its retry at the refresh interval to fail over within a TTL) and at the npm peers'
// settings (ttl 2 s, refresh and retry 500 ms).

#include "support/agents.h"
#include "support/bench.h"
#include "support/redis.h"

#include <QElapsedTimer>

#include <map>
#include <set>

using namespace baton::bench;

namespace {

// Commands only Baton's Lua scripts run (inside one EVALSHA request); INFO counts them apart.
const std::set<std::string> kInsideScripts{"get",    "pttl", "pexpire", "time",  "incr",
                                           "set",    "del",  "hset",    "hscan", "hdel",
                                           "strlen", "hlen", "exists"};

struct Variant {
    QString name;
    QStringList args;
};

struct Group {
    QString name;
    double ttlSeconds, refreshSeconds;
    QStringList common;
    std::vector<Variant> variants;
};

using Counts = std::map<std::string, double>;

// Requests per command between two readings (INFO and the script-inside commands left out).
Counts requests(const std::map<std::string, long long>& before,
                const std::map<std::string, long long>& after) {
    Counts d;
    for (const auto& [name, calls] : after) {
        if (name == "info" || kInsideScripts.contains(name))
            continue;
        const auto it = before.find(name);
        if (const double n = double(calls - (it == before.end() ? 0 : it->second)); n > 0)
            d[name] = n;
    }
    return d;
}

double total(const Counts& c) {
    double sum = 0;
    for (const auto& [name, n] : c)
        sum += n;
    return sum;
}

QJsonObject json(const Counts& c, double scale) {
    QJsonObject o;
    for (const auto& [name, n] : c)
        o.insert(QString::fromStdString(name), n * scale);
    return o;
}

// Every server's requests over `ms`.
std::vector<Counts> over(std::vector<std::unique_ptr<RedisClient>>& clients, int ms) {
    std::vector<std::map<std::string, long long>> first;
    for (auto& c : clients)
        first.push_back(c->commandCalls());
    QTest::qWait(ms);
    std::vector<Counts> out;
    for (std::size_t i = 0; i < clients.size(); ++i)
        out.push_back(requests(first[i], clients[i]->commandCalls()));
    return out;
}

void measure(Report& report, const Group& g, int ttls) {
    std::vector<std::unique_ptr<baton::test::RedisServer>> servers;
    std::vector<std::unique_ptr<RedisClient>> clients;
    std::vector<std::unique_ptr<AgentCluster>> clusters;
    for (std::size_t v = 0; v < g.variants.size(); ++v) {
        servers.push_back(startRedis());
        clients.push_back(std::make_unique<RedisClient>(servers.back()->port()));
    }
    const int windowMs = int(g.ttlSeconds * 1000 * ttls);
    auto settled = [&] {
        return std::all_of(clusters.begin(), clusters.end(),
                           [](const auto& c) { return c->settled(); });
    };
    std::vector<std::vector<Counts>> phases; // [1 agent, 3 agents][variant]
    for (const int size : {1, 3}) {
        clusters.clear();
        for (std::size_t v = 0; v < g.variants.size(); ++v)
            clusters.push_back(std::make_unique<AgentCluster>(
                servers[v]->url(), QStringLiteral("cost"), g.common + g.variants[v].args, size));
        if (!waitUntil(settled, 60000))
            throw Failure("the agents did not all see one leader within 60 s");
        QTest::qWait(int(g.ttlSeconds * 1000)); // start-up writes are not steady state
        progress("%s: %d agent(s), %d TTLs", qPrintable(g.name), size, ttls);
        phases.push_back(over(clients, windowMs));
        if (!settled())
            throw Failure("leadership changed during the measurement: the load is not steady");
    }
    const double seconds = windowMs / 1000.0;
    QJsonObject breakdown;
    for (std::size_t v = 0; v < g.variants.size(); ++v) {
        const Counts& alone = phases[0][v];
        const Counts& three = phases[1][v];
        Counts follower;
        for (const auto& [name, n] : three)
            follower[name] = (n - (alone.contains(name) ? alone.at(name) : 0)) / 2;
        const QString& name = g.variants[v].name;
        report.add(QStringLiteral("%1: requests/s, 3 agents").arg(g.name), name,
                   QStringLiteral("req/s"), Better::Lower, {total(three) / seconds});
        report.add(QStringLiteral("%1: leader requests per refresh").arg(g.name), name,
                   QStringLiteral("req"), Better::Lower,
                   {total(alone) / seconds * g.refreshSeconds});
        report.add(QStringLiteral("%1: follower requests per TTL").arg(g.name), name,
                   QStringLiteral("req"), Better::Lower, {total(follower) / ttls});
        breakdown.insert(
            name, QJsonObject{
                      {QStringLiteral("leaderPerRefresh"), json(alone, g.refreshSeconds / seconds)},
                      {QStringLiteral("followerPerTtl"), json(follower, 1.0 / ttls)}});
    }
    report.detail(g.name, breakdown);
}

Group group(const QString& name, double ttl, double refresh, double retry) {
    const auto s = [](double seconds) { return QStringLiteral("%1ms").arg(seconds * 1000); };
    return {name,
            ttl,
            refresh,
            {QStringLiteral("--ttl"), s(ttl), QStringLiteral("--refresh"), s(refresh)},
            {{QStringLiteral("Baton"), {QStringLiteral("--retry"), s(retry)}},
             {QStringLiteral("polling-only mode"),
              {QStringLiteral("--polling-only"), QStringLiteral("--retry"), s(refresh)}}}};
}

} // namespace

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("store-cost"), [](Report& report) {
        const int ttls = report.quick() ? 2 : 10;
        report.config(QStringLiteral("ttlsPerWindow"), ttls);
        if (report.quick()) {
            measure(report, group(QStringLiteral("ttl 500 ms"), 0.5, 0.1, 0.5), ttls);
            return;
        }
        measure(report, group(QStringLiteral("defaults"), 5, 1, 5), ttls);
        measure(report, group(QStringLiteral("ttl 2 s, refresh/retry 500 ms"), 2, 0.5, 0.5), ttls);
    });
}
