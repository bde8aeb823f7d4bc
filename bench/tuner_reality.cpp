// The tuner against reality: real baton-agent processes on a private redis-server at two of the
// tuner's points (ttl 2 s and 5 s, refresh ttl / 5, retry = ttl), leaders killed (SIGKILL) and
// stopped (SIGTERM), beside what the tuner predicts for the same cluster: crash failover from the
// kill and beyond the lock's expiry, graceful handover, and the election's requests per second.
// Short by default (8 rounds a figure); BATON_BENCH_ROUNDS=N for more.

#include "support/agents.h"
#include "support/bench.h"
#include "support/failover.h"
#include "support/redis.h"

#include <baton/sim/tuner.h>

#include <QElapsedTimer>

#include <csignal>

using namespace baton::bench;
using namespace std::chrono_literals;

namespace {

struct Point {
    QString name;
    baton::Timing timing;
};

QStringList agentArgs(const baton::Timing& t) {
    const auto text = [](baton::Duration d) {
        return QString::fromStdString(baton::formatDuration(d));
    };
    return {QStringLiteral("--ttl"),     text(t.ttl),
            QStringLiteral("--refresh"), text(t.refreshInterval),
            QStringLiteral("--retry"),   text(t.retryInterval)};
}

std::vector<double> millis(const std::vector<baton::Duration>& values) {
    std::vector<double> out;
    for (baton::Duration d : values)
        out.push_back(std::chrono::duration<double, std::milli>(d).count());
    return out;
}

// The tuner's prediction for 3 electors on a local Redis: sub-millisecond trips, crashes and
// stops of the leader, nothing else.
baton::PointResult predict(const baton::Timing& t) {
    baton::TuningRequest r;
    r.profile.electors = 3;
    r.profile.latency = 150us;
    r.profile.latencyP99 = 600us;
    r.profile.crashRate = 20;
    r.profile.stopRate = 20;
    r.profile.downFor = 5s;
    r.grid.ttls = {t.ttl};
    r.grid.refreshes = {t.refreshInterval};
    r.grid.retries = {t.retryInterval};
    r.seeds = 10;
    r.duration = 1h;
    return baton::tune(r).points.front();
}

int rounds(const Report& report) {
    if (report.quick())
        return 2;
    const int n = qEnvironmentVariableIntValue("BATON_BENCH_ROUNDS");
    return n > 0 ? n : 8;
}

std::vector<FailoverResult> kill(const Point& p, int signal, int count, bool sinceExpiry) {
    const auto server = startRedis();
    FailoverPlan plan;
    plan.signal = signal;
    plan.sinceExpiry = sinceExpiry;
    plan.rounds = count;
    plan.clustersPerVariant = 2;
    plan.agentArgs = agentArgs(p.timing);
    plan.periodMs = std::chrono::duration<double, std::milli>(p.timing.refreshInterval).count();
    plan.timeoutMs = int(std::chrono::duration<double, std::milli>(p.timing.ttl).count()) * 3;
    return runFailovers(*server, plan, {{QStringLiteral("Baton"), {}, true, 100}});
}

// Election requests (EVALSHA: acquire, extend, release are one script call each) per second of
// a settled cluster of three, and all commands (presence, events, keep-alive besides).
std::pair<double, double> requestsPerSecond(const Point& p, int seconds) {
    const auto server = startRedis();
    RedisClient redis(server->port());
    AgentCluster agents(server->url(), QStringLiteral("load"), agentArgs(p.timing), 3, 500);
    if (!waitUntil([&] { return agents.settled(); }, 30000))
        throw Failure("the agents did not settle within 30 s");
    QTest::qWait(1000);
    const auto before = redis.commandCalls();
    QElapsedTimer clock;
    clock.start();
    QTest::qWait(seconds * 1000);
    const auto after = redis.commandCalls();
    const double elapsed = double(clock.elapsed()) / 1000;
    double all = 0;
    for (const auto& [name, calls] : after)
        if (name != "info" && name != "evalsha")
            all += double(calls - (before.count(name) ? before.at(name) : 0));
    const double election =
        double(after.at("evalsha") - (before.count("evalsha") ? before.at("evalsha") : 0));
    return {election / elapsed, (election + all) / elapsed};
}

void compare(Report& report, const Point& p) {
    progress("%s: predicting", qPrintable(p.name));
    const baton::PointResult predicted = predict(p.timing);
    const int n = rounds(report);
    progress("%s: %d crashes", qPrintable(p.name), n);
    const FailoverResult crash = kill(p, SIGKILL, n, true).front();
    progress("%s: %d graceful stops", qPrintable(p.name), n);
    const FailoverResult stop = kill(p, SIGTERM, n, false).front();
    const auto pair = [&](const QString& figure, std::vector<double> measured,
                          std::vector<double> predictedMs) {
        report.add(p.name + QStringLiteral(": ") + figure, QStringLiteral("measured"),
                   QStringLiteral("ms"), Better::Lower, std::move(measured));
        report.add(p.name + QStringLiteral(": ") + figure, QStringLiteral("predicted"),
                   QStringLiteral("ms"), Better::Lower, std::move(predictedMs));
    };
    pair(QStringLiteral("crash failover from the kill"), crash.fromSignalMs,
         millis(predicted.failoverSamples));
    pair(QStringLiteral("crash failover beyond expiry"), crash.latencyMs,
         {std::chrono::duration<double, std::milli>(predicted.beyondExpiry.median).count(),
          std::chrono::duration<double, std::milli>(predicted.beyondExpiry.p99).count()});
    report.detail(p.name + QStringLiteral(" predicted beyond expiry"),
                  QStringLiteral("the tuner's median and p99 over %1 crashes")
                      .arg(predicted.beyondExpiry.count));
    pair(QStringLiteral("graceful handover"), stop.latencyMs, millis(predicted.handoverSamples));
    progress("%s: store load", qPrintable(p.name));
    const auto [election, all] = requestsPerSecond(p, report.quick() ? 3 : 20);
    const double predictedElection = predicted.leaderRequests + 2 * predicted.followerRequests;
    report.add(p.name + QStringLiteral(": election requests/s, 3 electors"),
               QStringLiteral("measured"), QStringLiteral("req/s"), Better::Lower, {election});
    report.add(p.name + QStringLiteral(": election requests/s, 3 electors"),
               QStringLiteral("predicted"), QStringLiteral("req/s"), Better::Lower,
               {predictedElection});
    report
        .add(p.name + QStringLiteral(": all Redis commands/s, 3 agents"),
             QStringLiteral("measured"), QStringLiteral("cmd/s"), Better::Lower, {all})
        .note(QStringLiteral("the agents' presence, events and keep-alive besides the election; "
                             "the simulator models only the election"));
    report.detail(p.name + QStringLiteral(" missed rounds"), crash.missed + stop.missed);
}

} // namespace

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("tuner-reality"), [](Report& report) {
        report.config(QStringLiteral("roundsPerFigure"), rounds(report));
        for (const Point& p : {Point{QStringLiteral("ttl 2s"), baton::Timing{2s, 400ms, 2s}},
                               Point{QStringLiteral("ttl 5s"), baton::Timing{5s, 1s, 5s}}})
            compare(report, p);
    });
}
