// High availability: a private Sentinel setup (primary, replica, three sentinels on loopback),
// two clusters of three baton-agent processes side by side (no WAIT; --min-replicas 1), and N
// primary kills while the replica lags. Each round: pause the replica (SIGSTOP), hand each
// cluster's leadership over (SIGTERM the leader) so that the new terms live on the primary only,
// wait a ttl (the replica's copy of the old lock expires), SIGKILL the primary, resume the
// replica; the sentinels promote it; the old primary is started again and made a replica.
// Figures: Redis's failover time, time to a single leader again, overlaps (two agents leading at
// once, by their own events) and their length, fence order violations (must be 0), and the
// extend latency of a RedisStore on the setup with and without WAIT.
// --quick: one kill; default: 3 kills; --long: 10 kills.

#include "support/agents.h"
#include "support/bench.h"
#include "support/sentinel_setup.h"

#include <baton/redis/redis_store.h>

#include <QElapsedTimer>

#include <algorithm>
#include <csignal>
#include <map>

using namespace baton::bench;
using namespace std::chrono_literals;

namespace {

// A ttl well above Redis's failover time, a refresh below it, and followers that try often: a
// leader whose lock was lost in the failover believes it leads until its next extend.
constexpr int kTtlMs = 4000;

struct Variant {
    QString name;
    QStringList args;
    std::unique_ptr<AgentCluster> agents;
    std::vector<QJsonObject> history; // events of replaced members
    std::vector<double> singleLeaderMs;
};

// Every event of a cluster so far (replaced members' too), with the member's id.
std::vector<QJsonObject> allEvents(Variant& v) {
    std::vector<QJsonObject> out = v.history;
    for (int i = 0; i < v.agents->size(); ++i)
        for (QJsonObject e : v.agents->at(i).events()) {
            e.insert(QStringLiteral("member"), QString(v.agents->at(i).id() + QString::number(i)));
            out.push_back(e);
        }
    return out;
}

void replace(Variant& v, int i) {
    const QString member =
        v.agents->at(i).id() + QString::number(i) + u'@' + QString::number(v.history.size());
    for (QJsonObject e : v.agents->at(i).events()) {
        e.insert(QStringLiteral("member"), member);
        v.history.push_back(e);
    }
    v.agents->replace(i);
}

struct Interval {
    QString member;
    double from, to;
};

// Each member's terms by its own account: elected until revoked or stopped (or now).
std::vector<Interval> terms(const std::vector<QJsonObject>& events, double now) {
    std::map<QString, double> open;
    std::vector<Interval> out;
    for (const QJsonObject& e : events) {
        const QString m = e.value(QStringLiteral("member")).toString();
        const QString name = e.value(QStringLiteral("event")).toString();
        const double t = e.value(QStringLiteral("t")).toDouble();
        if (name == u"elected")
            open[m] = t;
        else if ((name == u"revoked" || name == u"stopped") && open.count(m)) {
            out.push_back({m, open[m], t});
            open.erase(m);
        }
    }
    for (const auto& [m, from] : open)
        out.push_back({m, from, now});
    return out;
}

// The lengths of every overlap of two members' terms.
std::vector<double> overlaps(const std::vector<Interval>& terms) {
    std::vector<double> out;
    for (std::size_t i = 0; i < terms.size(); ++i)
        for (std::size_t j = i + 1; j < terms.size(); ++j) {
            if (terms[i].member == terms[j].member)
                continue;
            const double o =
                std::min(terms[i].to, terms[j].to) - std::max(terms[i].from, terms[j].from);
            if (o > 0)
                out.push_back(o);
        }
    return out;
}

// Elected events in time order whose fence is not above the one before.
int fenceViolations(std::vector<QJsonObject> events) {
    std::vector<std::pair<double, qint64>> elected;
    for (const QJsonObject& e : events)
        if (e.value(QStringLiteral("event")).toString() == u"elected")
            elected.emplace_back(e.value(QStringLiteral("t")).toDouble(),
                                 e.value(QStringLiteral("fence")).toInteger());
    std::sort(elected.begin(), elected.end());
    int bad = 0;
    for (std::size_t i = 1; i < elected.size(); ++i)
        bad += elected[i].second <= elected[i - 1].second ? 1 : 0;
    return bad;
}

// Extend round trips (ms) of a store on `url`.
std::vector<double> extendLatency(const std::string& url, int minReplicas, int samples) {
    baton::RedisOptions options;
    options.minReplicas = minReplicas;
    baton::RedisStore store(url, options);
    const std::string resource = "latency-" + std::to_string(minReplicas);
    if (!store.acquire(resource, "bench", "bench", 30s).acquired)
        throw Failure("cannot take the latency lock");
    std::vector<double> out;
    for (int i = 0; i < samples; ++i) {
        QElapsedTimer t;
        t.start();
        if (!store.extend(resource, "bench", 30s))
            throw Failure("an extend of the latency lock failed");
        out.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    store.release(resource, "bench");
    return out;
}

// One round: returns Redis's failover time (ms).
double killRound(baton::test::SentinelSetup& setup, std::vector<Variant>& variants) {
    for (Variant& v : variants)
        if (!waitUntil([&] { return v.agents->settled(); }, 30000))
            throw Failure("the " + v.name.toStdString() + " cluster did not settle");
    baton::test::RedisServer* primary = setup.primary();
    baton::test::RedisServer* replica = setup.replica();
    if (!primary || !replica)
        throw Failure("no primary and replica to start a round with");
    replica->pause();
    for (Variant& v : variants) {
        const int leader = v.agents->leader();
        v.agents->at(leader).signal(SIGTERM);
        waitUntil([&] { return !v.agents->running(leader); }, 5000);
        replace(v, leader);
    }
    // The replica's copies of the old terms' locks run out meanwhile.
    QTest::qWait(kTtlMs + 500);
    const int oldPort = primary->port();
    const double killedAt = baton::test::nowMs();
    primary->kill();
    replica->resume();
    if (!setup.waitForPrimaryOtherThan(oldPort, 30000))
        throw Failure("the sentinels did not promote the replica");
    const double failoverMs = baton::test::nowMs() - killedAt;
    // An operator (or a supervisor) brings the old primary back; the sentinels make it a replica.
    if (!setup.restartOldPrimaryAsReplica(30000))
        throw Failure("the old primary did not come back as a replica: " +
                      setup.error().toStdString());
    for (Variant& v : variants) {
        if (!waitUntil([&] { return v.agents->settled(); }, 30000))
            throw Failure("the " + v.name.toStdString() + " cluster did not settle after a kill");
        // A single leader again: the first term, after the kill, of the leader that settled.
        const QString id = v.agents->at(v.agents->leader()).id();
        double at = 0;
        for (const QJsonObject& e : v.agents->at(v.agents->leader()).events())
            if (e.value(QStringLiteral("event")).toString() == u"elected" &&
                e.value(QStringLiteral("t")).toDouble() >= killedAt && at == 0)
                at = e.value(QStringLiteral("t")).toDouble();
        v.singleLeaderMs.push_back(at > 0 ? at - killedAt : 0);
    }
    return failoverMs;
}

} // namespace

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("ha-failover"), [](Report& report) {
        const int kills = report.quick() ? 1 : report.longRun() ? 10 : 3;
        baton::test::SentinelSetup setup;
        if (!setup.start())
            throw Failure("no Sentinel setup: " + setup.error().toStdString());
        const QStringList timing = {QStringLiteral("--ttl"),     QStringLiteral("2s"),
                                    QStringLiteral("--refresh"), QStringLiteral("500ms"),
                                    QStringLiteral("--retry"),   QStringLiteral("500ms")};
        std::vector<Variant> variants;
        variants.push_back({QStringLiteral("no WAIT"), {}, nullptr, {}, {}});
        variants.push_back({QStringLiteral("--min-replicas 1"),
                            {QStringLiteral("--min-replicas"), QStringLiteral("1")},
                            nullptr,
                            {},
                            {}});
        for (std::size_t i = 0; i < variants.size(); ++i)
            variants[i].agents = std::make_unique<AgentCluster>(
                setup.url(), QStringLiteral("ha%1").arg(i), timing + variants[i].args, 3, 500);

        const int samples = report.quick() ? 50 : 500;
        for (std::size_t i = 0; i < variants.size(); ++i)
            report.add(QStringLiteral("extend latency"), variants[i].name, QStringLiteral("ms"),
                       Better::Lower, extendLatency(setup.url(), int(i), samples));

        std::vector<double> failoverMs;
        for (int k = 0; k < kills; ++k) {
            progress("[ha-failover] kill %d of %d", k + 1, kills);
            failoverMs.push_back(killRound(setup, variants));
        }
        report.add(QStringLiteral("Redis failover (kill to promoted)"), QStringLiteral("Sentinel"),
                   QStringLiteral("ms"), Better::Lower, failoverMs);
        const double now = baton::test::nowMs();
        for (Variant& v : variants) {
            const std::vector<QJsonObject> events = allEvents(v);
            const std::vector<double> o = overlaps(terms(events, now));
            report.add(QStringLiteral("kill to a single leader again"), v.name,
                       QStringLiteral("ms"), Better::Lower, v.singleLeaderMs);
            report
                .add(QStringLiteral("overlap length"), v.name, QStringLiteral("ms"), Better::Lower,
                     o.empty() ? std::vector<double>{0} : o)
                .note(QStringLiteral("%1 overlaps in %2 kills").arg(o.size()).arg(kills));
            report
                .add(QStringLiteral("fence order violations"), v.name, QStringLiteral("count"),
                     Better::Lower, {double(fenceViolations(events))})
                .target(Target::Stat::Median, true, 0);
            report.detail(v.name + QStringLiteral(" overlaps"), double(o.size()));
        }
        report.config(QStringLiteral("kills"), kills);
        report.config(QStringLiteral("agents"), QStringLiteral("3 per variant, ttl 4s, refresh "
                                                               "1s, retry 300ms"));
        report.config(QStringLiteral("round"),
                      QStringLiteral("replica paused, leaders SIGTERMed, a ttl later the primary "
                                     "SIGKILLed and the replica resumed"));
    });
}
