#include "options.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <random>

namespace campaign {

namespace {

constexpr const char* kDescription =
    "Runs real baton-agent processes on Redis, each behind a fault proxy of its own, injects a "
    "seeded random schedule of real faults (printed), keeps every agent's JSON lines as the "
    "history and checks it with the simulator's checker: overlapping terms, fence order, "
    "failovers by cause, time without a leader.\n"
    "Exit status: 0 safe, 1 unsafe (an overlap or a fence out of order), 2 bad usage, 3 Redis "
    "unreachable.";

constexpr const char* kFooter = R"(Faults (--faults, comma-separated):
  kill       SIGKILL an agent (the leader 3 times in 5), restart it after a while
  pause      SIGSTOP an agent, SIGCONT after a while
  term       SIGTERM an agent (graceful: revoke, release), restart it after a while
  partition  its proxy blackholes its connections, or resets them (new ones accepted and
             closed, or refused) for a while: the leader 4 times in 5
  latency    its proxy delays every byte both ways (+-25% jitter) for a while
  drift      restart a follower with --clock-rate drawn from [1-F, 1+F] (F: --drift). With
             drift, agents also start with drawn rates, the slowest (1-F) first so that it
             leads first, as baton-sim's clock-drift scenario does
Faults come one at a time, each after a calm gap of ttl/2 to 2 ttl; the last ends 2 ttl
before the end. The history and each agent's log are kept in a directory (printed).
Times in the history are the agents' own: they share this host's clock. Across hosts they
would be comparable only as far as the hosts' clocks are synchronised.
For demonstrations and tests: --clock-rate on baton-agent is not for production.
)";

baton::Duration duration(const std::string& flag, const std::string& text) {
    try {
        return baton::parseDuration(text);
    } catch (const std::invalid_argument& e) {
        throw UsageError("--" + flag + ": " + e.what());
    }
}

double number(const std::string& flag, const std::string& text) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(v))
        throw UsageError("--" + flag + ": '" + text + "' is not a number (e.g. 0.01)");
    return v;
}

int integer(const std::string& flag, const std::string& text) {
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < -1000000 || v > 1000000)
        throw UsageError("--" + flag + ": '" + text + "' is not a whole number (e.g. 4)");
    return static_cast<int>(v);
}

std::vector<FaultType> faultList(const std::string& text) {
    std::vector<FaultType> out;
    std::size_t from = 0;
    while (from <= text.size()) {
        const std::size_t comma = std::min(text.find(',', from), text.size());
        const std::string word = text.substr(from, comma - from);
        bool known = false;
        for (int i = 0; i < kFaultTypes; ++i) {
            const auto type = static_cast<FaultType>(i);
            if (word == faultTypeName(type)) {
                known = true;
                if (std::find(out.begin(), out.end(), type) == out.end())
                    out.push_back(type);
            }
        }
        if (!known)
            throw UsageError("--faults: unknown fault '" + word +
                             "' (known: kill,pause,term,partition,latency,drift)");
        from = comma + 1;
    }
    return out;
}

void check(const Options& o) {
    using namespace std::chrono_literals;
    if (o.agents < 2 || o.agents > 16)
        throw UsageError("--agents: " + std::to_string(o.agents) +
                         " is not in [2, 16] (a failover needs somebody to fail over to)");
    if (o.ttl < 200ms || o.ttl > 60s)
        throw UsageError("--ttl: " + baton::formatDuration(o.ttl) + " is not in [200ms, 60s]");
    if (o.refresh <= 0ns || o.refresh * 2 >= o.ttl)
        throw UsageError("--refresh: " + baton::formatDuration(o.refresh) +
                         " must be above zero and below ttl/2 (" +
                         baton::formatDuration(o.ttl / 2) + ")");
    if (o.duration < 4 * o.ttl || o.duration > 24h)
        throw UsageError("--duration: " + baton::formatDuration(o.duration) +
                         " is not in [4 ttl, 24h] (" + baton::formatDuration(4 * o.ttl) +
                         " at this ttl)");
    if (!(o.maxDrift >= 0 && o.maxDrift < 0.5))
        throw UsageError("--max-drift: must be in [0, 0.5)");
    if (!(o.drift >= 0 && o.drift <= 0.5))
        throw UsageError("--drift: must be in [0, 0.5] (rates from 1-F to 1+F)");
}

} // namespace

const char* faultTypeName(FaultType type) {
    switch (type) {
    case FaultType::Kill:
        return "kill";
    case FaultType::Pause:
        return "pause";
    case FaultType::Term:
        return "term";
    case FaultType::Partition:
        return "partition";
    case FaultType::Latency:
        return "latency";
    case FaultType::Drift:
        return "drift";
    }
    return "?";
}

bool Options::has(FaultType type) const {
    return std::find(faults.begin(), faults.end(), type) != faults.end();
}

Options parse(int argc, const char* const* argv) {
    CLI::App app(kDescription, "baton-campaign");
    app.footer(kFooter);
    app.set_help_flag("-h,--help", "Shows this help.");
    bool version = false, localRedis = false, json = false;
    std::string redis, agents, durationText, seed, faults, ttl, refresh, drift, maxDrift;
    app.add_flag("-v,--version", version, "Shows the version.");
    auto* redisOption =
        app.add_option("--redis", redis, "The Redis to use (redis://...).")->type_name("URL");
    auto* localOption = app.add_flag("--local-redis", localRedis,
                                     "Starts a private redis-server on a free port (default).");
    redisOption->excludes(localOption);
    app.add_option("--agents", agents, "Number of agents (default 3).")->type_name("N");
    app.add_option("--duration", durationText, "How long to inject faults (default 60s).")
        ->type_name("D");
    app.add_option("--seed", seed, "Seed of the fault schedule (default: from the clock).")
        ->type_name("S");
    app.add_option("--faults", faults,
                   "Fault types (default kill,pause,term,partition,latency; see below).")
        ->type_name("LIST");
    app.add_option("--ttl", ttl, "The agents' lock TTL (default 2s).")->type_name("D");
    app.add_option("--refresh", refresh, "The agents' refresh interval (default 500ms).")
        ->type_name("D");
    app.add_option("--drift", drift,
                   "Largest true clock-rate error the drift fault gives (default: --max-drift, "
                   "within what the agents assume).")
        ->type_name("F");
    app.add_option("--max-drift", maxDrift, "Clock-rate error the agents assume (default 0.01).")
        ->type_name("F");
    app.add_flag("--json", json, "Prints the verdict as one JSON object (nothing else on stdout).");
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help() << std::flush;
        std::exit(Safe);
    } catch (const CLI::ParseError& e) {
        throw UsageError(e.what());
    }
    if (version) {
        std::cout << "baton-campaign " << BATON_VERSION << '\n' << std::flush;
        std::exit(Safe);
    }
    Options o;
    if (!redis.empty())
        o.redis = redis;
    else if (redisOption->count())
        throw UsageError("--redis: the URL is empty (e.g. redis://127.0.0.1:6379)");
    o.json = json;
    if (!agents.empty())
        o.agents = integer("agents", agents);
    if (!durationText.empty())
        o.duration = duration("duration", durationText);
    if (!ttl.empty())
        o.ttl = duration("ttl", ttl);
    if (!refresh.empty())
        o.refresh = duration("refresh", refresh);
    if (!maxDrift.empty())
        o.maxDrift = number("max-drift", maxDrift);
    o.drift = drift.empty() ? o.maxDrift : number("drift", drift);
    o.faults = faultList(faults.empty() ? "kill,pause,term,partition,latency" : faults);
    if (!drift.empty() && !o.has(FaultType::Drift))
        throw UsageError("--drift: needs drift in --faults (e.g. --faults partition,drift)");
    if (!seed.empty()) {
        char* end = nullptr;
        o.seed = std::strtoull(seed.c_str(), &end, 10);
        if (*end != '\0' || seed.front() == '-')
            throw UsageError("--seed: '" + seed + "' is not a whole number");
        o.seedGiven = true;
    } else {
        o.seed = std::random_device{}() % 1000000;
    }
    check(o);
    return o;
}

} // namespace campaign
