#include "failover.h"

#include "support/agents.h"
#include "support/bench.h"

#include <baton/redis/redis_store.h>

#include <algorithm>
#include <list>
#include <random>
#include <thread>

namespace baton::bench {

namespace {

constexpr double kGuardMs = 50;           // kept free before a window
constexpr double kStartClearanceMs = 300; // no process start this close before a precise window
constexpr int kSettleTimeoutMs = 30000;
// Around a precise window's failover the harness sleeps without serving its event loop (the
// agents' lines wait in their pipes; their times are their own), so that it takes no CPU from
// the processes being measured on a small machine.
constexpr double kQuietBeforeMs = 5, kQuietAfterMs = 30;

struct Window {
    double from, to;
    bool precise;
};

struct Round {
    enum class State { Settling, Waiting, Fired, Replacing, Starting, Done };
    State state = State::Settling;
    double since = 0;   // when the current state began (Unix ms)
    double fireAt = 0;  // Waiting
    double startAt = 0; // Starting
    int victim = -1;
    double firedAt = 0, expiry = 0;
    bool expiryChecked = false;
    std::list<Window>::iterator window;
};

// The lock a variant's agents elect for: with --shards 1 (one election on the Campaigner) the
// one shard's, NAME-0.
std::string lockKey(const FailoverVariant& variant, const AgentCluster& agents) {
    const std::string name = agents.resource().toStdString();
    return RedisStore::key(variant.args.contains(QStringLiteral("--shards")) ? name + "-0" : name,
                           "lock");
}

struct Cluster {
    std::size_t variant;
    std::unique_ptr<AgentCluster> agents;
    Round round;
};

} // namespace

std::vector<FailoverResult> runFailovers(const test::RedisServer& server, const FailoverPlan& plan,
                                         const std::vector<FailoverVariant>& variants) {
    RedisClient redis(server.port());
    std::mt19937 random(7);
    std::vector<FailoverResult> results(variants.size());
    std::vector<int> fired(variants.size(), 0);
    std::list<Window> windows;
    std::vector<Cluster> clusters;
    for (int c = 0; c < plan.clustersPerVariant; ++c)
        for (std::size_t v = 0; v < variants.size(); ++v)
            clusters.push_back({v,
                                std::make_unique<AgentCluster>(
                                    server.url(), QStringLiteral("v%1c%2").arg(v).arg(c),
                                    plan.agentArgs + variants[v].args, 3, int(plan.periodMs)),
                                Round{}});
    for (Cluster& c : clusters)
        c.round.since = test::nowMs();

    auto overlaps = [&](const Window& w) {
        return std::any_of(windows.begin(), windows.end(), [&](const Window& o) {
            return w.from - kGuardMs < o.to && o.from - kGuardMs < w.to;
        });
    };
    auto mayStartProcess = [&](double now) {
        return std::none_of(windows.begin(), windows.end(), [&](const Window& o) {
            return o.precise && o.from - now < kStartClearanceMs;
        });
    };
    // Variants take turns: a variant fires only when no unfinished variant is behind it.
    auto hasTurn = [&](std::size_t v) {
        for (std::size_t w = 0; w < variants.size(); ++w)
            if (w != v && fired[w] < plan.rounds && fired[w] < fired[v])
                return false;
        return fired[v] < plan.rounds;
    };
    auto finished = [&] {
        return std::all_of(clusters.begin(), clusters.end(),
                           [](const Cluster& c) { return c.round.state == Round::State::Done; });
    };

    std::uniform_real_distribution<double> phase(0, plan.periodMs);
    while (!finished()) {
        for (const Window& w : windows) {
            const double now = test::nowMs();
            if (w.precise && now >= w.from - kQuietBeforeMs && now < w.from + kQuietAfterMs)
                std::this_thread::sleep_for(
                    std::chrono::duration<double, std::milli>(w.from + kQuietAfterMs - now));
        }
        // Serve the event loop until the next planned step (at most 10 ms: lines to read).
        const double start = test::nowMs();
        double next = start + 10;
        auto upTo = [&](double at) {
            if (at > start)
                next = std::min(next, at);
        };
        for (const Cluster& c : clusters) {
            if (c.round.state == Round::State::Waiting)
                upTo(c.round.fireAt);
            if (c.round.state == Round::State::Starting)
                upTo(c.round.startAt);
        }
        for (const Window& w : windows)
            if (w.precise)
                upTo(w.from - kQuietBeforeMs);
        QTest::qWait(std::max(1, int(next - start)));
        for (Cluster& c : clusters) {
            Round& r = c.round;
            AgentCluster& agents = *c.agents;
            const FailoverVariant& variant = variants[c.variant];
            const double now = test::nowMs();
            auto enter = [&](Round::State s) {
                r.state = s;
                r.since = now;
            };
            switch (r.state) {
            case Round::State::Settling:
                if (fired[c.variant] >= plan.rounds) {
                    enter(Round::State::Done);
                } else if (agents.settled()) {
                    enter(Round::State::Waiting);
                    r.fireAt = now + phase(random);
                } else if (now - r.since > kSettleTimeoutMs) {
                    throw Failure("cluster " + agents.resource().toStdString() +
                                  " found no settled leader within 30 s");
                }
                break;
            case Round::State::Waiting: {
                if (fired[c.variant] >= plan.rounds) {
                    enter(Round::State::Done);
                    break;
                }
                if (now < r.fireAt || !hasTurn(c.variant))
                    break;
                r.victim = agents.leader();
                if (r.victim < 0 || !agents.settled()) {
                    enter(Round::State::Settling);
                    break;
                }
                double moment = now;
                if (plan.sinceExpiry) {
                    // Conservative: the PTTL was computed after the request was sent, so this
                    // expiry is never later than the true one (latencies never flatter).
                    const double sent = test::nowMs();
                    const long long pttl = redis.integer({"PTTL", lockKey(variant, agents)});
                    if (pttl < 0) {
                        enter(Round::State::Settling);
                        break;
                    }
                    moment = sent + double(pttl);
                }
                const Window w{moment, moment + variant.windowMs, variant.precise};
                if (overlaps(w)) {
                    r.fireAt = now + 20; // another round's failover is due then: try later
                    break;
                }
                r.firedAt = test::nowMs();
                agents.at(r.victim).signal(plan.signal);
                r.expiry = moment;
                r.expiryChecked = !plan.sinceExpiry;
                r.window = windows.insert(windows.end(), w);
                ++fired[c.variant];
                enter(Round::State::Fired);
                break;
            }
            case Round::State::Fired: {
                if (!r.expiryChecked && !agents.running(r.victim)) {
                    // An extend sent just before the kill may have landed after the PTTL read:
                    // then the lock lives longer, and the later expiry is the true one.
                    r.expiryChecked = true;
                    const double sent = test::nowMs();
                    const long long pttl = redis.integer({"PTTL", lockKey(variant, agents)});
                    if (pttl >= 0 && sent + double(pttl) > r.expiry + 2) {
                        ++results[c.variant].extendsRaced;
                        r.expiry = sent + double(pttl);
                        r.window->from = r.expiry;
                        r.window->to = r.expiry + variant.windowMs;
                    }
                }
                const auto elected = agents.electedSince(r.firedAt, r.victim);
                if (elected && r.expiryChecked) {
                    const QList<QJsonObject> revoked =
                        agents.at(r.victim).events(QStringLiteral("revoked"));
                    if (!revoked.isEmpty() &&
                        revoked.back().value(QStringLiteral("t")).toDouble() >= r.firedAt)
                        results[c.variant].revokedMs.push_back(
                            revoked.back().value(QStringLiteral("t")).toDouble() - r.firedAt);
                    results[c.variant].latencyMs.push_back(
                        *elected - (plan.sinceExpiry ? r.expiry : r.firedAt));
                    results[c.variant].fromSignalMs.push_back(*elected - r.firedAt);
                    windows.erase(r.window);
                    enter(Round::State::Replacing);
                } else if (now - r.firedAt > plan.timeoutMs) {
                    ++results[c.variant].missed;
                    windows.erase(r.window);
                    enter(Round::State::Replacing);
                }
                break;
            }
            case Round::State::Replacing:
                // A stopped agent exits by itself within a second; one that does not is killed.
                // Its successor starts at a random point of the retry interval: started in step
                // with the failover, a polling-only follower would poll right after every expiry.
                if (!agents.running(r.victim) || now - r.since > 5000) {
                    r.startAt = now + phase(random);
                    enter(Round::State::Starting);
                }
                break;
            case Round::State::Starting:
                if (now >= r.startAt && mayStartProcess(now)) {
                    agents.replace(r.victim);
                    enter(Round::State::Settling);
                }
                break;
            case Round::State::Done:
                break;
            }
        }
    }
    return results;
}

} // namespace baton::bench

namespace baton::bench {

std::vector<FailoverVariant> baselineVariants(double retryMs) {
    return {{QStringLiteral("Baton"), {}, true, 100},
            {QStringLiteral("polling-only mode"),
             {QStringLiteral("--polling-only")},
             false,
             retryMs + 50}};
}

std::vector<Figure*> reportFailovers(Report& report, const QString& figure,
                                     const FailoverPlan& plan,
                                     const std::vector<FailoverVariant>& variants,
                                     const std::vector<FailoverResult>& results) {
    report.config(QStringLiteral("agentArgs"), plan.agentArgs.join(QLatin1Char(' ')));
    report.config(QStringLiteral("roundsPerVariant"), plan.rounds);
    report.config(QStringLiteral("clustersPerVariant"), plan.clustersPerVariant);
    report.config(QStringLiteral("agentsPerCluster"), 3);
    std::vector<Figure*> figures;
    for (std::size_t v = 0; v < variants.size(); ++v) {
        Figure& f = report.add(figure, variants[v].name, QStringLiteral("ms"), Better::Lower,
                               results[v].latencyMs);
        if (results[v].missed)
            f.note(QStringLiteral("%1 rounds without a new leader in time").arg(results[v].missed));
        if (results[v].extendsRaced)
            f.note(
                QStringLiteral("%1 extends landed between PTTL read and kill (later expiry used)")
                    .arg(results[v].extendsRaced));
        figures.push_back(&f);
        if (!results[v].revokedMs.empty()) {
            const Stats s = Stats::of(results[v].revokedMs, Better::Lower);
            report.detail(
                variants[v].name + QStringLiteral(": signal -> old leader revoked (ms)"),
                QJsonObject{{QStringLiteral("median"), s.median}, {QStringLiteral("p99"), s.p99}});
        }
    }
    for (std::size_t v = 0; v + 1 < figures.size(); ++v) // each against the last: polling-only mode
        figures[v]->comparedTo(*figures.back());
    return figures;
}

FailoverPlan standardPlan(int signal) {
    FailoverPlan plan;
    plan.signal = signal;
    plan.agentArgs = {QStringLiteral("--ttl"),     QStringLiteral("5s"),
                      QStringLiteral("--refresh"), QStringLiteral("1s"),
                      QStringLiteral("--retry"),   QStringLiteral("1s")};
    plan.periodMs = 1000;
    return plan;
}

Figure& measureFailovers(Report& report, const QString& figure, const FailoverPlan& plan) {
    const auto server = startRedis();
    const auto variants = baselineVariants(plan.periodMs);
    return *reportFailovers(report, figure, plan, variants, runFailovers(*server, plan, variants))
                .front();
}

} // namespace baton::bench
