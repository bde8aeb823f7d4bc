// Sharded agents: 3 baton-agent processes with --shards 1000 (ttl 5 s, refresh 1 s) on one
// redis-server: threads and Redis connections per process, memory per election (a process with
// 1000 shards against one with 1), Redis requests/s in steady state against the bound
// leaders / refresh + followers / ttl, the fair share, and the failover of every shard of a
// member killed with SIGKILL (beyond its locks' expiry) and of one stopped with SIGTERM (from
// the signal). --quick: 60 shards, ttl 1 s.

#include "support/agents.h"
#include "support/bench.h"
#include "support/redis.h"

#include "support/proc_status.h"
#include "support/shard_leaders.h"

#include <QTest>

#include <map>
#include <set>

using namespace baton::bench;
using baton::test::AgentProcess;

namespace {

struct Setup {
    int shards;
    double ttl, refresh; // seconds
};

QStringList args(const baton::test::RedisServer& server, const Setup& s, const QString& resource,
                 int shards) {
    return {QStringLiteral("--redis"),    QString::fromStdString(server.url()),
            QStringLiteral("--resource"), resource,
            QStringLiteral("--shards"),   QString::number(shards),
            QStringLiteral("--ttl"),      QStringLiteral("%1ms").arg(s.ttl * 1000),
            QStringLiteral("--refresh"),  QStringLiteral("%1ms").arg(s.refresh * 1000),
            QStringLiteral("--retry"),    QStringLiteral("%1ms").arg(s.ttl * 1000)};
}

// shard -> who leads it, by the processes' own events.
std::map<QString, const AgentProcess*> leaders(const std::vector<AgentProcess*>& agents) {
    std::map<QString, const AgentProcess*> out;
    for (const AgentProcess* a : agents)
        for (const QString& shard : baton::test::shardsLed(*a))
            out[shard] = a;
    return out;
}

int count(const std::map<QString, const AgentProcess*>& led, const AgentProcess* a) {
    return int(std::count_if(led.begin(), led.end(), [a](const auto& p) { return p.second == a; }));
}

// The first `elected` at or after `sinceMs` per shard, among `agents`.
std::map<QString, double> electedSince(const std::vector<AgentProcess*>& agents, double sinceMs) {
    std::map<QString, double> out;
    for (const AgentProcess* a : agents)
        for (const QJsonObject& e : a->events(QStringLiteral("elected"))) {
            const double t = e.value(QStringLiteral("t")).toDouble();
            const QString shard = e.value(QStringLiteral("resource")).toString();
            if (t >= sinceMs && (!out.contains(shard) || t < out[shard]))
                out[shard] = t;
        }
    return out;
}

long long requests(RedisClient& redis) {
    static const std::set<std::string> inside{"get",    "pttl", "pexpire", "time",  "incr",
                                              "set",    "del",  "hset",    "hscan", "hdel",
                                              "strlen", "info", "hlen",    "client"};
    long long n = 0;
    for (const auto& [name, calls] : redis.commandCalls())
        if (!inside.contains(name))
            n += calls;
    return n;
}

// Threads, connections, memory and Redis requests of the settled processes, and their shares.
void steadyState(Report& report, const Setup& s, RedisClient& redis, AgentProcess& one,
                 const std::vector<AgentProcess*>& agents) {
    QTest::qWait(int(s.ttl * 1000)); // start-up writes are not steady state
    const auto led = leaders(agents);
    std::vector<double> shares, threads;
    for (AgentProcess* a : agents) {
        shares.push_back(count(led, a));
        const QString pid = QString::number(a->process().processId());
        threads.push_back(double(baton::test::statusKb(pid, "Threads")));
    }
    const QString solo = QString::number(one.process().processId());
    const double perElection =
        double(baton::test::statusKb(QString::number(agents[0]->process().processId()), "VmRSS") -
               baton::test::statusKb(solo, "VmRSS")) /
        double(s.shards - 1);
    // One line a client, less the harness's own connection: as many as the lines' ends.
    const long long clients =
        QString::fromStdString(redis.text({"CLIENT", "LIST"})).trimmed().count(u'\n');
    const long long before = requests(redis);
    const int windowMs = int(10 * s.ttl * 1000);
    QTest::qWait(windowMs);
    const double perSecond = double(requests(redis) - before) * 1000.0 / windowMs;
    const double bound = s.shards / s.refresh + 2 * s.shards / s.ttl + 1 / s.refresh;
    report
        .add(QStringLiteral("threads per process"), QStringLiteral("Baton"),
             QStringLiteral("threads"), Better::Lower, threads)
        .target(Target::Stat::Median, true, 4);
    report
        .add(QStringLiteral("Redis connections per process"), QStringLiteral("Baton"),
             QStringLiteral("conn"), Better::Lower, {double(clients) / 4.0})
        .target(Target::Stat::Median, true, 2)
        .note(QStringLiteral("4 processes: 3 sharded + 1 with one shard"));
    report
        .add(QStringLiteral("memory per election"), QStringLiteral("Baton"), QStringLiteral("KiB"),
             Better::Lower, {perElection})
        .target(Target::Stat::Median, true, 16);
    report
        .add(QStringLiteral("Redis requests/s over the bound"), QStringLiteral("Baton"),
             QStringLiteral("x"), Better::Lower, {perSecond / bound})
        .target(Target::Stat::Median, true, 1.1)
        .note(QStringLiteral("%1 req/s, bound %2").arg(perSecond).arg(bound));
    report.add(QStringLiteral("shards led per process after settling"), QStringLiteral("Baton"),
               QStringLiteral("shards"), Better::Higher, shares);
}

// SIGKILL agents[2]: each of its shards, from its lock's expiry to the next elected.
void killFailover(Report& report, const Setup& s, RedisClient& redis,
                  const std::vector<AgentProcess*>& agents) {
    std::map<QString, double> expiry;
    const double before = baton::test::nowMs();
    for (const auto& [shard, a] : leaders(agents))
        if (a == agents[2])
            expiry[shard] =
                baton::test::nowMs() + // read one by one: each at its own time
                double(redis.integer({"PTTL", "baton:{" + shard.toStdString() + "}:lock"}));
    agents[2]->signal(SIGKILL);
    const std::vector<AgentProcess*> survivors{agents[0], agents[1]};
    waitUntil([&] { return electedSince(survivors, before).size() >= expiry.size(); },
              int(s.ttl * 4000));
    std::vector<double> crash;
    const auto taken = electedSince(survivors, before);
    for (const auto& [shard, at] : expiry)
        if (taken.contains(shard))
            crash.push_back(taken.at(shard) - at);
    report
        .add(QStringLiteral("SIGKILL: shard led again, beyond expiry"), QStringLiteral("Baton"),
             QStringLiteral("ms"), Better::Lower, crash)
        .target(Target::Stat::P99, true, 20);
}

// SIGTERM agents[1] (agents[2] is gone): each of its shards, from the signal to the next elected.
void termFailover(Report& report, const std::vector<AgentProcess*>& agents) {
    std::set<QString> itsShards;
    for (const auto& [shard, a] : leaders({agents[0], agents[1]}))
        if (a == agents[1])
            itsShards.insert(shard);
    const double signalled = baton::test::nowMs();
    agents[1]->signal(SIGTERM);
    const std::vector<AgentProcess*> last{agents[0]};
    waitUntil([&] { return electedSince(last, signalled).size() >= itsShards.size(); }, 10000);
    std::vector<double> graceful;
    for (const auto& [shard, at] : electedSince(last, signalled))
        if (itsShards.contains(shard))
            graceful.push_back(at - signalled);
    report
        .add(QStringLiteral("SIGTERM: shard led again, from the signal"), QStringLiteral("Baton"),
             QStringLiteral("ms"), Better::Lower, graceful)
        .target(Target::Stat::P99, true, 50);
}

void measure(Report& report, const Setup& s) {
    auto server = startRedis();
    RedisClient redis(server->port());
    std::vector<std::unique_ptr<AgentProcess>> owned;
    auto launch = [&](const QString& id, const QString& resource, int shards) {
        owned.push_back(std::make_unique<AgentProcess>());
        owned.back()->start(id, args(*server, s, resource, shards));
        return owned.back().get();
    };
    AgentProcess* one = launch(QStringLiteral("single"), QStringLiteral("solo"), 1);
    std::vector<AgentProcess*> agents;
    for (int i = 0; i < 3; ++i)
        agents.push_back(launch(QStringLiteral("p%1").arg(i), QStringLiteral("jobs"), s.shards));
    const int lo = s.shards / 3, hi = (s.shards + 2) / 3;
    auto fair = [&] {
        const auto led = leaders(agents);
        if (int(led.size()) != s.shards)
            return false;
        return std::all_of(agents.begin(), agents.end(), [&](const AgentProcess* a) {
            const int n = count(led, a);
            return n >= lo && n <= hi;
        });
    };
    if (!waitUntil(fair, 60000))
        throw Failure("the 3 processes did not settle on a fair share within 60 s");
    steadyState(report, s, redis, *one, agents);
    killFailover(report, s, redis, agents);
    termFailover(report, agents);
    report.config(QStringLiteral("shards"), s.shards);
    report.config(QStringLiteral("ttlSeconds"), s.ttl);
    report.config(QStringLiteral("refreshSeconds"), s.refresh);
}

} // namespace

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("shards"), [](Report& report) {
        measure(report, report.quick() ? Setup{60, 1, 0.2} : Setup{1000, 5, 1});
    });
}
