// Resource scan: one full pass of the resource directory (SCAN, then the locks and presence
// entries read in pipelined batches) over 1,000 resources with 3 member entries each (and their
// fence keys, and 1,000 keys that are not Baton's): wall time per pass, and the server's own
// time for it (INFO commandstats usec of SCAN and EVALSHA), unpaced and paced as baton-ctl
// runs it (1 ms between SCAN pages).

#include "support/bench.h"
#include "support/redis.h"

#include <baton/redis/resource_directory.h>
#include <baton/wire/lock_value.h>

#include <QStringList>

#include <chrono>
#include <ctime>

using namespace baton::bench;
using namespace std::chrono_literals;

namespace {

constexpr int kResources = 1000;
constexpr int kMembers = 3;

// Server microseconds and calls of the commands a pass sends, from INFO commandstats.
struct ServerTime {
    double usec = 0;
    double calls = 0;
};

ServerTime serverTime(RedisClient& client) {
    ServerTime t;
    const QString info = QString::fromStdString(client.text({"INFO", "commandstats"}));
    for (const QString& line : info.split(QLatin1Char('\n'))) {
        // cmdstat_evalsha:calls=2000,usec=12345,usec_per_call=6.17,...
        if (!line.startsWith(u"cmdstat_scan:") && !line.startsWith(u"cmdstat_evalsha:"))
            continue;
        for (const QString& field : line.section(QLatin1Char(':'), 1).split(QLatin1Char(','))) {
            if (field.startsWith(u"calls="))
                t.calls += field.mid(6).toDouble();
            if (field.startsWith(u"usec="))
                t.usec += field.mid(5).toDouble();
        }
    }
    return t;
}

void fill(baton::RedisStore& store) {
    const double now = baton::unixMsNow();
    for (int i = 0; i < kResources; ++i) {
        const std::string r = "resource-" + std::to_string(i);
        store.set(baton::RedisStore::key(r, "lock"),
                  baton::wire::encode(baton::wire::LockValue{r + "-0", 1000u + i, "token"}), 1h);
        store.set(baton::RedisStore::key(r, "fence"), std::to_string(1000 + i), {});
        for (int m = 0; m < kMembers; ++m) {
            baton::MemberInfo member;
            member.state = m == 0 ? "leader" : "follower";
            member.ttl = 1h; // live for the whole run
            member.refresh = 1s;
            member.seenMs = now;
            member.host = "bench";
            member.pid = 1000 + m;
            store.hset(baton::RedisStore::key(r, "members"), r + "-" + std::to_string(m),
                       baton::wire::encode(member));
        }
        store.set("other:" + std::to_string(i), "x", {});
    }
}

} // namespace

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("resource-scan"), [](Report& report) {
        const auto server = startRedis();
        baton::RedisStore store(server->url());
        RedisClient client(server->port());
        fill(store);
        const int passes = report.quick() ? 3 : 30;
        report.config(QStringLiteral("resources"), kResources);
        report.config(QStringLiteral("membersPerResource"), kMembers);
        report.config(QStringLiteral("keysOnServer"), static_cast<int>(client.integer({"DBSIZE"})));
        report.config(QStringLiteral("passes"), passes);
        for (const bool paced : {false, true}) {
            baton::DirectoryOptions options;
            options.pause = paced ? 1ms : baton::Duration::zero();
            baton::ResourceDirectory directory(store, options);
            std::vector<double> wall, cpu, redis, calls;
            std::size_t scans = 0;
            for (int p = 0; p < passes; ++p) {
                const ServerTime before = serverTime(client);
                const auto begin = std::chrono::steady_clock::now();
                const double cpuBegin = 1e3 * cpuSeconds(); // all threads: the decoding too
                const baton::DirectoryPass pass = directory.scan();
                cpu.push_back(1e3 * cpuSeconds() - cpuBegin);
                wall.push_back(std::chrono::duration<double, std::milli>(
                                   std::chrono::steady_clock::now() - begin)
                                   .count());
                const ServerTime after = serverTime(client);
                redis.push_back((after.usec - before.usec) / 1000);
                calls.push_back(after.calls - before.calls);
                scans = pass.scanCalls;
                if (pass.resources.size() != kResources ||
                    pass.resources.front().members.size() != kMembers)
                    throw Failure("a pass found " + std::to_string(pass.resources.size()) +
                                  " resources, not " + std::to_string(kResources));
            }
            const QString variant =
                paced ? QStringLiteral("paced 1 ms") : QStringLiteral("unpaced");
            progress("%s: %.1f ms a pass (server %.1f ms), %zu SCAN calls", qPrintable(variant),
                     Stats::of(wall, Better::Lower).median, Stats::of(redis, Better::Lower).median,
                     scans);
            report.add(QStringLiteral("full pass, wall time"), variant, QStringLiteral("ms"),
                       Better::Lower, wall);
            report.add(QStringLiteral("full pass, this process's CPU time"), variant,
                       QStringLiteral("ms"), Better::Lower, cpu);
            report.add(QStringLiteral("full pass, Redis time (SCAN + EVALSHA usec)"), variant,
                       QStringLiteral("ms"), Better::Lower, redis);
            report.add(QStringLiteral("commands per pass"), variant, QStringLiteral("calls"),
                       Better::Lower, calls);
            report.detail(variant + QStringLiteral(" SCAN calls"), double(scans));
        }
    });
}
