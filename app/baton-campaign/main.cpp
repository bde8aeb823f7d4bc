// baton-campaign: real agents under a seeded schedule of real faults, and a verdict on their
// history. See --help.

#include "campaign.h"
#include "options.h"
#include "verdict.h"

#include <baton/redis/redis_store.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
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
    try {
        setting.dir = makeDirectory();
        setting.resource = "campaign-" + std::to_string(o.seed) + "-" + std::to_string(::getpid());
        if (o.redis) {
            upstream.url = baton::RedisUrl::parse(*o.redis);
            if (upstream.url.unixSocket)
                return fail(BadUsage, "--redis: a unix socket cannot go through the fault proxy "
                                      "(give a redis://host:port URL)");
        } else {
            const auto server = findProgram("redis-server", nullptr);
            if (!server)
                return fail(RedisUnreachable, "redis-server not found (apt-get install "
                                              "redis-server), or give --redis URL");
            const int port = freePort();
            localRedis = std::make_unique<ChildProcess>(
                *server,
                std::vector<std::string>{"--port", std::to_string(port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", setting.dir,
                                         "--logfile", setting.dir + "/redis.log"},
                setting.dir + "/redis.log", false);
            upstream.url = baton::RedisUrl::parse("redis://127.0.0.1:" + std::to_string(port));
            setting.localRedis = true;
        }
    } catch (const baton::UrlError& e) {
        return fail(BadUsage, std::string("--redis: ") + e.what());
    } catch (const std::runtime_error& e) {
        return fail(RedisUnreachable, e.what());
    }
    upstream.shown = upstream.url.redacted();
    setting.redis = upstream.shown;
    const std::string direct =
        o.redis ? *o.redis : "redis://127.0.0.1:" + std::to_string(upstream.url.port);
    if (const std::string error = reach(direct, setting.resource, !o.redis.has_value());
        !error.empty())
        return fail(RedisUnreachable, "Redis unreachable: " + error);

    const Schedule schedule = makeSchedule(o);
    const auto log = [&o](const std::string& line) {
        if (!o.json)
            std::cout << "  " << line << '\n' << std::flush;
    };
    if (!o.json)
        std::cout << "baton-campaign: " << o.agents << " agents on " << setting.redis
                  << (setting.localRedis ? " (a private redis-server)" : "") << ", resource "
                  << setting.resource << ", " << baton::formatDuration(o.duration) << ", ttl "
                  << baton::formatDuration(o.ttl) << ", refresh "
                  << baton::formatDuration(o.refresh) << ", max drift " << o.maxDrift
                  << (o.has(FaultType::Drift) ? ", drift " + std::to_string(o.drift) : "") << "\n"
                  << scheduleText(o, schedule) << "run:\n"
                  << std::flush;
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
