#include "options.h"

#include <baton/redis/redis_store.h>

#include <cmath>
#include <cstdlib>

namespace agent {

const char* const kVersion = "baton-agent 0.1.0";

const char* const kUsage = R"(Usage: baton-agent --resource NAME [options]

Runs one elector on Redis. Prints one JSON object per event on standard output; logs go to
standard error. SIGTERM, SIGINT or SIGHUP stop it gracefully (revoke, release, exit 0).

  --redis URL          redis://[user:password@]host[:port][/db], unix:///path.sock or
                       redis-sentinel://[user:password@]host[:port][,host...]/MASTER
                       [?db=N&sentinelPassword=P] (sentinels: default port 26379)
                       (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --min-replicas N     an acquire or extend counts only once N replicas have it (Redis
                       WAIT); fewer make it a failed call (default 0: no wait)
  --replica-timeout D  how long to wait for them (default 250ms)
  --resource NAME      what to elect a leader for (required)
  --id ID              this elector's identity (default: host-pid)
  --ttl DURATION       lock time to live (default 5s)
  --refresh DURATION   leader's refresh interval, below ttl/2 (default 1s)
  --retry DURATION     follower's longest wait between tries (default 5s; it also wakes
                       at the lock's expiry and on a release notice)
  --max-drift F        largest clock-rate difference assumed, in [0, 0.5) (default 0.01)
  --clock-rate R       for demonstrations and tests only: this agent's clock runs at R
                       local seconds per true second, R in [0.1, 10] (default 1), a
                       steady clock scaled from start (no jump); event lines keep true
                       times. A rate further from 1 than --max-drift breaks the
                       assumption that keeps one leader at a time: that is what it shows
  --polling-only       behave like the seed package: followers only poll every retry
  --allow-control      obey commands on baton:{NAME}:control (set, stop, pause, partition,
                       resign)
  --metrics-port PORT  serve Prometheus metrics on http://ADDRESS:PORT/metrics, and
                       /healthz (200 while electing and reaching the store, else 503)
  --metrics-address A  the address to serve them on (default 127.0.0.1; 0.0.0.0 for all)
  --shards N           campaign for NAME-0 ... NAME-(N-1) in this one process (one
                       scheduler thread, one command and one subscription connection);
                       events name the shard; fair share by default: lead at most
                       ceil(N / live members), handing the rest over gracefully;
                       --allow-control, --metrics-port and --clock-rate are for one
                       election and refused with it
  --no-fair-share      with --shards: lead whatever it wins
  --verbose            also print extended and extend-failed events (long form only:
                       -v is --version, as in baton and baton-sim)
  -h, --help           show this help
  -v, --version        show the version

Log lines on standard error: "2026-12-01T10:15:02.123Z baton-agent[ID] info: ..." (UTC,
milliseconds; levels info, warning, error).

Durations take a unit (250ms, 1.5s, 2m); a bare number is milliseconds.
Exit codes: 0 stopped by a signal or a stop command; 2 bad usage or config;
3 Redis unreachable or authentication failed at start.
)";

namespace {

baton::Duration duration(const std::string& flag, const std::string& value) {
    try {
        return baton::parseDuration(value);
    } catch (const std::invalid_argument& e) {
        throw UsageError(flag + ": " + e.what());
    }
}

// A whole number in [lo, hi], `what` the flag wants; else an error naming both.
int integer(const std::string& flag, const std::string& v, long lo, long hi, const char* what) {
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < lo || n > hi)
        throw UsageError(flag + ": '" + v + "' is not " + what + " (" + std::to_string(lo) + "-" +
                         std::to_string(hi) + ")");
    return static_cast<int>(n);
}

// The whole of `v` as a finite number, if it is one.
std::optional<double> finite(const std::string& v) {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !std::isfinite(d))
        return std::nullopt;
    return d;
}

} // namespace

Options parse(int argc, char** argv) {
    Options o;
    o.redis = baton::defaultRedisUrl();
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::optional<std::string> inlineValue;
        if (arg.rfind("--", 0) == 0) {
            const auto eq = arg.find('=');
            if (eq != std::string::npos) {
                inlineValue = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
            }
        }
        auto value = [&]() -> std::string {
            if (inlineValue)
                return *inlineValue;
            if (i + 1 >= argc)
                throw UsageError(arg + " needs a value (see --help)");
            return argv[++i];
        };
        auto flag = [&] {
            if (inlineValue)
                throw UsageError(arg + " takes no value");
        };
        if (arg == "--help" || arg == "-h") {
            o.help = true;
            return o;
        } else if (arg == "--version" || arg == "-v") {
            o.version = true;
            return o;
        } else if (arg == "--redis") {
            o.redis = value();
        } else if (arg == "--min-replicas") {
            o.minReplicas = integer(arg, value(), 0, 100, "a replica count");
        } else if (arg == "--replica-timeout") {
            o.replicaTimeout = duration(arg, value());
            if (o.replicaTimeout <= baton::Duration::zero())
                throw UsageError("--replica-timeout must be above 0 (e.g. 250ms)");
        } else if (arg == "--resource") {
            o.resource = value();
            if (o.resource.empty())
                throw UsageError("--resource must not be empty");
        } else if (arg == "--id") {
            o.id = value();
            if (o.id.empty())
                throw UsageError("--id must not be empty");
        } else if (arg == "--ttl") {
            o.ttl = duration(arg, value());
        } else if (arg == "--refresh") {
            o.refresh = duration(arg, value());
        } else if (arg == "--retry") {
            o.retry = duration(arg, value());
        } else if (arg == "--max-drift") {
            const std::string v = value();
            const std::optional<double> drift = finite(v);
            if (!drift)
                throw UsageError("--max-drift: '" + v + "' is not a number (e.g. 0.01)");
            o.maxDrift = *drift;
        } else if (arg == "--clock-rate") {
            const std::string v = value();
            const std::optional<double> rate = finite(v);
            if (!rate || !(*rate >= 0.1 && *rate <= 10))
                throw UsageError("--clock-rate: '" + v +
                                 "' is not a rate in [0.1, 10] (e.g. 0.8: a clock that runs slow)");
            o.clockRate = *rate;
        } else if (arg == "--polling-only") {
            flag();
            o.pollingOnly = true;
        } else if (arg == "--allow-control") {
            flag();
            o.allowControl = true;
        } else if (arg == "--shards") {
            o.shards = integer(arg, value(), 1, 100000, "a shard count");
        } else if (arg == "--no-fair-share") {
            flag();
            o.fairShare = false;
        } else if (arg == "--verbose") {
            flag();
            o.verbose = true;
        } else if (arg == "--metrics-port") {
            o.metricsPort = integer(arg, value(), 1, 65535, "a port");
        } else if (arg == "--metrics-address") {
            o.metricsAddress = value();
            if (o.metricsAddress.empty())
                throw UsageError("--metrics-address must not be empty (e.g. 0.0.0.0)");
        } else if (arg.rfind("-", 0) == 0) {
            throw UsageError("unknown option '" + arg + "' (see --help)");
        } else {
            throw UsageError("unexpected argument '" + arg + "' (see --help)");
        }
    }
    if (o.resource.empty())
        throw UsageError("missing --resource NAME (see --help)");
    if (o.shards > 0) {
        // What one election's agent offers and a sharded one does not (yet): refused, not
        // silently ignored.
        const char* unsupported = o.allowControl     ? "--allow-control"
                                  : o.metricsPort    ? "--metrics-port"
                                  : o.clockRate != 1 ? "--clock-rate"
                                                     : nullptr;
        if (unsupported)
            throw UsageError(std::string(unsupported) +
                             " works for one election only, not with --shards: run one agent "
                             "per resource for it");
    }
    if (!o.fairShare && o.shards == 0)
        throw UsageError("--no-fair-share needs --shards N");
    return o;
}

} // namespace agent
