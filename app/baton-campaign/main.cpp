// baton-campaign: real agents under a seeded schedule of real faults, and a verdict on their
// history. See --help.

#include "campaign.h"
#include "options.h"
#include "verdict.h"

#include <baton/redis/free_port.h>
#include <baton/redis/redis_store.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>
#include <unistd.h>

namespace {

std::atomic<bool> g_stop{false};

void onSignal(int) {
    g_stop = true; // a lock-free atomic store: safe in a handler
}

int fail(int code, const std::string& message) {
    std::fprintf(stderr, "baton-campaign: %s\n", message.c_str());
    return code;
}

std::string makeDirectory() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/baton-campaign-XXXXXX";
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("cannot make a directory for the history in " + pattern);
    return pattern;
}

/// Waits up to 5 s for a Redis at `url` to serve an election on `resource`; the error if not.
std::string reach(const std::string& url, const std::string& resource, bool retry) {
    std::string error;
    for (int attempt = 0; attempt < (retry ? 50 : 1); ++attempt) {
        try {
            baton::RedisOptions options;
            options.connectTimeout = std::chrono::seconds(2);
            baton::RedisStore store(url, options);
            store.checkElectionAccess(resource);
            return {};
        } catch (const baton::StoreError& e) {
            error = e.what();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return error;
}

std::string driftText(double drift) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", drift);
    return text;
}

/// The Redis the agents use, reachable and able to serve an election: --redis URL, or a
/// private redis-server; an exit code when there is none.
std::optional<int> prepare(const campaign::Options& o, campaign::Setting& setting,
                           campaign::Upstream& upstream,
                           std::unique_ptr<campaign::ChildProcess>& localRedis) {
    using namespace campaign;
    setting.resource = "campaign-" + std::to_string(o.seed) + "-" + std::to_string(::getpid());
    try {
        if (o.redis) {
            upstream.url = baton::RedisUrl::parse(*o.redis);
            if (upstream.url.unixSocket)
                return fail(BadUsage, "--redis: a unix socket cannot go through the fault proxy "
                                      "(give a redis://host:port URL)");
            if (const std::string error = reach(*o.redis, setting.resource, false); !error.empty())
                return fail(RedisUnreachable, "Redis unreachable: " + error);
            setting.dir = makeDirectory();
        } else {
            const auto server = findProgram("redis-server", nullptr);
            if (!server)
                return fail(RedisUnreachable, "redis-server not found (apt-get install "
                                              "redis-server), or give --redis URL");
            const int port = baton::freeLoopbackPort();
            if (port == 0)
                return fail(RedisUnreachable, "no free loopback port for a local redis-server "
                                              "(is the loopback interface up?), or give --redis "
                                              "URL");
            setting.dir = makeDirectory();
            localRedis = std::make_unique<ChildProcess>(
                *server,
                std::vector<std::string>{"--port", std::to_string(port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", setting.dir,
                                         "--logfile", setting.dir + "/redis.log"},
                setting.dir + "/redis.log", false);
            const std::string url = "redis://127.0.0.1:" + std::to_string(port);
            upstream.url = baton::RedisUrl::parse(url);
            setting.localRedis = true;
            if (const std::string error = reach(url, setting.resource, true); !error.empty())
                return fail(RedisUnreachable,
                            "the private redis-server does not answer (its log: " + setting.dir +
                                "/redis.log): " + error);
        }
    } catch (const baton::UrlError& e) {
        return fail(BadUsage, std::string("--redis: ") + e.what());
    } catch (const std::runtime_error& e) {
        return fail(RedisUnreachable, e.what());
    }
    upstream.shown = upstream.url.redacted();
    setting.redis = upstream.shown;
    return std::nullopt;
}

void printHeader(const campaign::Options& o, const campaign::Setting& setting,
                 const campaign::Schedule& schedule) {
    std::cout << "baton-campaign: " << o.agents << " agents on " << setting.redis
              << (setting.localRedis ? " (a private redis-server)" : "") << ", resource "
              << setting.resource << ", " << baton::formatDuration(o.duration) << ", ttl "
              << baton::formatDuration(o.ttl) << ", refresh " << baton::formatDuration(o.refresh)
              << ", max drift " << driftText(o.maxDrift)
              << (o.has(campaign::FaultType::Drift) ? ", drift " + driftText(o.drift) : "") << "\n"
              << campaign::scheduleText(o, schedule) << "run:\n"
              << std::flush;
}

} // namespace

int main(int argc, char** argv) {
    using namespace campaign;
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const UsageError& e) {
        return fail(BadUsage, std::string(e.what()) + " (see --help)");
    }
    const auto agent = findProgram("baton-agent", "BATON_AGENT");
    if (!agent)
        return fail(BadUsage, "cannot find baton-agent next to baton-campaign or on PATH (or "
                              "set BATON_AGENT=/path/to/baton-agent)");
    Setting setting;
    Upstream upstream;
    std::unique_ptr<ChildProcess> localRedis;
    if (const auto failed = prepare(o, setting, upstream, localRedis))
        return *failed;
    const Schedule schedule = makeSchedule(o);
    if (!o.json)
        printHeader(o, setting, schedule);
    const auto log = [&o](const std::string& line) {
        if (!o.json)
            std::cout << "  " << line << '\n' << std::flush;
    };
    try {
        Campaign c(o, schedule, upstream, *agent, setting.dir, setting.resource, log, g_stop);
        const Outcome out = c.run();
        if (o.json)
            std::cout << verdictJson(o, setting, schedule, out)
                             .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                      << '\n';
        else
            std::cout << verdictText(setting, out) << std::flush;
        return out.report.safe() ? Safe : Unsafe;
    } catch (const std::runtime_error& e) {
        return fail(RedisUnreachable, e.what());
    }
}
