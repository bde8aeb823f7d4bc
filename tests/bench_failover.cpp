// Benchmark (not a test): how fast leadership moves on a real Redis, Baton's push wake-up
// against the seed-like polling mode measured in the same run, and what followers cost.
// Prints JSON. Usage: bench_failover [rounds]   (starts its own redis-server)

#include "support/redis_server.h"

#include <baton/election.h>
#include <baton/instrumented_store.h>
#include <baton/redis_store.h>

#include <QCoreApplication>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>

using namespace baton;
using namespace std::chrono_literals;

namespace {

constexpr Duration kTtl = 500ms, kRefresh = 100ms, kRetry = 250ms;

struct Elector {
    Elector(const std::string& url, const std::string& id, bool seedMode, std::mutex& m,
            std::vector<std::pair<std::string, TimePoint>>& elected)
        : store(url)
        , counted(store)
        , locker(counted)
        , election(locker, config(id, seedMode, m, elected)) {}
    static Config config(const std::string& id, bool seedMode, std::mutex& m,
                         std::vector<std::pair<std::string, TimePoint>>& elected) {
        Config c;
        c.resource = "bench";
        c.identity = id;
        c.ttl = kTtl;
        c.refreshInterval = kRefresh;
        c.retryInterval = kRetry;
        c.seedMode = seedMode;
        c.onElected = [&m, &elected, id] {
            std::lock_guard g(m);
            elected.emplace_back(id, SteadyClock::instance().now());
        };
        return c;
    }
    RedisStore store;
    InstrumentedStore counted;
    Locker locker;
    Election election;
};

double ms(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}
double pct(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

struct Figures {
    std::vector<double> stopMs, crashBeyondExpiryMs;
    double followerOpsPerSecond = 0;
};

// Waits (really) until `pred` or 5 s.
template <typename P>
bool waitFor(P pred) {
    const auto until = SteadyClock::instance().now() + 5s;
    while (!pred()) {
        if (SteadyClock::instance().now() > until)
            return false;
        std::this_thread::sleep_for(200us);
    }
    return true;
}

Figures run(const std::string& url, bool seedMode, int rounds) {
    Figures f;
    std::mutex m;
    std::vector<std::pair<std::string, TimePoint>> elected;
    std::vector<std::unique_ptr<Elector>> electors;
    auto leader = [&]() -> Elector* {
        for (auto& e : electors)
            if (e->election.isLeader())
                return e.get();
        return nullptr;
    };
    auto electedSince = [&](TimePoint t) -> std::optional<TimePoint> {
        std::lock_guard g(m);
        for (auto& [id, at] : elected)
            if (at >= t)
                return at;
        return std::nullopt;
    };
    for (int i = 0; i < 3; ++i) {
        electors.push_back(
            std::make_unique<Elector>(url, "e" + std::to_string(i), seedMode, m, elected));
        electors.back()->election.start();
    }
    waitFor([&] { return leader() != nullptr; });

    // Follower cost while a healthy leader holds the lock.
    std::this_thread::sleep_for(300ms);
    Elector* l = leader();
    std::uint64_t before = 0, after = 0;
    for (auto& e : electors)
        if (e.get() != l) {
            const auto c = e->counted.counters();
            before += c.acquireWon + c.acquireLost + c.acquireErrors;
        }
    std::this_thread::sleep_for(2s);
    for (auto& e : electors)
        if (e.get() != l) {
            const auto c = e->counted.counters();
            after += c.acquireWon + c.acquireLost + c.acquireErrors;
        }
    f.followerOpsPerSecond = static_cast<double>(after - before) / 2.0 / 2.0;

    for (int r = 0; r < rounds; ++r) {
        for (const bool crash : {false, true}) {
            waitFor([&] { return leader() != nullptr; });
            // Land at a random phase of the followers' polls.
            std::this_thread::sleep_for(std::chrono::milliseconds(50 + (r * 37) % 200));
            Elector* old = leader();
            if (!old)
                continue;
            const TimePoint t0 = SteadyClock::instance().now();
            TimePoint expiry = t0;
            if (crash) {
                const auto held = old->store.inspect("bench");
                expiry = SteadyClock::instance().now() + (held ? held->remaining : Duration{});
                old->election.kill();
            } else {
                old->election.stop();
            }
            if (waitFor([&] { return electedSince(t0).has_value(); })) {
                const TimePoint at = *electedSince(t0);
                (crash ? f.crashBeyondExpiryMs : f.stopMs)
                    .push_back(ms(at - (crash ? expiry : t0)));
            }
            old->election.start();
        }
    }
    for (auto& e : electors)
        e->election.stop();
    return f;
}

void print(const char* name, const Figures& f, bool last) {
    std::printf(
        "  \"%s\": {\"graceful_stop_ms\": {\"median\": %.2f, \"p90\": %.2f, \"max\": %.2f}, "
        "\"crash_beyond_expiry_ms\": {\"median\": %.2f, \"p90\": %.2f, \"max\": %.2f}, "
        "\"follower_acquires_per_s\": %.2f}%s\n",
        name, median(f.stopMs), pct(f.stopMs, 0.9), pct(f.stopMs, 1.0),
        median(f.crashBeyondExpiryMs), pct(f.crashBeyondExpiryMs, 0.9),
        pct(f.crashBeyondExpiryMs, 1.0), f.followerOpsPerSecond, last ? "" : ",");
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
    test::RedisServer server;
    if (!server.start()) {
        std::fprintf(stderr, "%s\n", qPrintable(server.error()));
        return 1;
    }
    const Figures push = run(server.url(), false, rounds);
    const Figures seed = run(server.url(), true, rounds);
    std::printf(
        "{\n  \"ttl_ms\": %.0f, \"refresh_ms\": %.0f, \"retry_ms\": %.0f, \"rounds\": %d,\n",
        ms(kTtl), ms(kRefresh), ms(kRetry), rounds);
    print("push", push, false);
    print("seed_mode_baseline", seed, false);
    std::printf(
        "  \"ratio_seed_over_push\": {\"graceful_stop\": %.1f, \"crash_beyond_expiry\": %.1f}\n}\n",
        median(seed.stopMs) / std::max(0.001, median(push.stopMs)),
        median(seed.crashBeyondExpiryMs) / std::max(0.001, median(push.crashBeyondExpiryMs)));
    return 0;
}
