// Lock operations: acquire + extend + release cycles per second on MemoryStore (1 and 2
// threads, a lock each) and on RedisStore (1 connection), next to redis-benchmark's SET on the
// same server (-c 1 -P 1: one connection, one request at a time), in alternation. A cycle is
// three round trips where SET is one, so Redis cycles should reach 0.8 * SET rate / 3.

#include "support/bench.h"
#include "support/redis.h"

#include <baton/redis/redis_store.h>
#include <baton/store/locker.h>
#include <baton/store/memory_store.h>

#include <QProcess>

#include <atomic>
#include <thread>

using namespace baton::bench;
using namespace std::chrono_literals;

namespace {

// Cycles per second of `threads` threads, each on a lock of its own, for `seconds`.
double cycles(baton::Store& store, int threads, double seconds) {
    std::atomic<bool> stop{false}, failed{false};
    std::atomic<long long> total{0};
    std::vector<std::thread> workers;
    const auto begin = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            const std::string resource = "bench-" + std::to_string(t);
            const std::string token = baton::Locker::randomToken();
            long long n = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                if (!store.acquire(resource, token, "bench", 5s).acquired ||
                    !store.extend(resource, token, 5s) || !store.release(resource, token)) {
                    failed = true;
                    break;
                }
                ++n;
            }
            total += n;
        });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& w : workers)
        w.join();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (failed)
        throw Failure("a lock cycle failed: nobody else holds these locks");
    return double(total) / elapsed;
}

// redis-benchmark's SET requests per second on `port`, one connection, no pipelining.
double redisBenchmarkSet(int port, int requests) {
    QProcess p;
    p.start(QStringLiteral("redis-benchmark"),
            {QStringLiteral("-p"), QString::number(port), QStringLiteral("-c"), QStringLiteral("1"),
             QStringLiteral("-P"), QStringLiteral("1"), QStringLiteral("-t"), QStringLiteral("set"),
             QStringLiteral("-n"), QString::number(requests), QStringLiteral("--csv")});
    if (!p.waitForStarted(5000))
        throw Failure("redis-benchmark not found: apt-get install redis-tools");
    p.waitForFinished(120000);
    // "test","rps",...  then  "SET","41322.31",...
    const QStringList lines = QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'));
    for (const QString& line : lines)
        if (line.startsWith(QStringLiteral("\"SET\"")))
            return line.section(QLatin1Char(','), 1, 1).remove(QLatin1Char('"')).toDouble();
    throw Failure("redis-benchmark printed no SET figure: " +
                  QString::fromUtf8(p.readAllStandardError()).toStdString());
}

} // namespace

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("lock-operations"), [](Report& report) {
        const auto server = startRedis();
        baton::RedisStore redis(server->url());
        baton::MemoryStore memory;
        const int repeats = report.quick() ? 2 : 7;
        const double seconds = report.quick() ? 0.2 : 1.0;
        const int setRequests = report.quick() ? 2000 : 20000;
        report.config(QStringLiteral("repeats"), repeats);
        report.config(QStringLiteral("secondsPerRepeat"), seconds);
        report.config(QStringLiteral("redisBenchmarkRequests"), setRequests);
        std::vector<double> set, redisCycles, memory1, memory2;
        for (int r = 0; r < repeats; ++r) {
            set.push_back(redisBenchmarkSet(server->port(), setRequests));
            redisCycles.push_back(cycles(redis, 1, seconds));
            memory1.push_back(cycles(memory, 1, seconds / 2));
            memory2.push_back(cycles(memory, 2, seconds / 2));
            progress("repeat %d: SET %.0f/s, Redis cycles %.0f/s, memory %.0f/s and %.0f/s", r + 1,
                     set.back(), redisCycles.back(), memory1.back(), memory2.back());
        }
        const Figure& setFigure = report.add(QStringLiteral("SET, redis-benchmark -c 1 -P 1"),
                                             QStringLiteral("redis-benchmark"),
                                             QStringLiteral("ops/s"), Better::Higher, set);
        report
            .add(QStringLiteral("lock cycles, RedisStore (1 connection)"), QStringLiteral("Baton"),
                 QStringLiteral("cycles/s"), Better::Higher, redisCycles)
            .target(Target::Stat::Median, false, 0.8 * setFigure.stats().median / 3)
            .note(QStringLiteral("target: 80% of the SET rate / 3 round trips"));
        report.add(QStringLiteral("lock cycles, MemoryStore, 1 thread"), QStringLiteral("Baton"),
                   QStringLiteral("cycles/s"), Better::Higher, memory1);
        report.add(QStringLiteral("lock cycles, MemoryStore, 2 threads"), QStringLiteral("Baton"),
                   QStringLiteral("cycles/s"), Better::Higher, memory2);
    });
}
