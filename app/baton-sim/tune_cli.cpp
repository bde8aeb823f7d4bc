#include "tune_cli.h"

#include "cli.h"
#include "option_line.h"
#include "report_format.h"

#include <baton/base/text.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <unistd.h>

namespace baton::sim {

namespace {

struct TuneLine : OptionLine {
    TuneLine();
};

TuneLine::TuneLine()
    : OptionLine("Sweeps lock timings against a failure profile on the simulator and recommends "
                 "the timing that meets the requirements.\nExit status: 0 a recommendation, 1 no "
                 "point meets the requirements, 2 bad usage.",
                 "baton-sim tune") {
    option("electors", "Electors in the cluster (default 5).", "N");
    option("ttl", "Lock TTLs to try, e.g. 2s,5s,10s (required).", "LIST");
    option("refresh-ratio", "Refresh intervals as fractions of the ttl, each below 0.5.", "LIST");
    option("refresh", "Refresh intervals as durations (instead of --refresh-ratio).", "LIST");
    option("retry", "Follower retry intervals; 'ttl' means retry = ttl (default ttl).", "LIST");
    flag("polling", "Also tries each point with polling-only followers.");
    option("latency", "One-way store latency, median (default 1ms).", "D");
    option("latency-p99", "Its 99th percentile: a log-normal tail (default: no tail).", "D");
    option("outage", "Whole-store outages of this length (default none).", "D");
    option("outage-rate", "Outages per hour, e.g. 1/h or 6/d (default 1/h).", "RATE");
    flag("outage-hang", "Calls hang until the command timeout during an outage.");
    option("pause", "Leader process pauses (GC, SIGSTOP) of this length (default none).", "D");
    option("pause-rate", "Leader pauses per hour (default 2/h).", "RATE");
    option("crash-rate", "Leader crashes per hour (default 2/h).", "RATE");
    option("stop-rate", "Leader graceful stops per hour (default 2/h).", "RATE");
    option("primary-kills",
           "The store is a primary with a replica; it dies this often (default none).", "RATE");
    option("replication-lag", "The replica's lag behind the primary (default 2ms).", "D");
    option("replication-lag-p99",
           "Its 99th percentile: a log-normal tail of the lag (default: no tail).", "D");
    option("failover-after",
           "Sentinel's down-after (the detection delay), plus a 1s election (default 5s).", "D");
    option("min-replicas",
           "WAIT: 1 makes an acquire or extend count only once the replica "
           "has it (default 0).",
           "N");
    option("replica-timeout", "WAIT's timeout (default 250ms, as baton-agent's).", "D");
    flag("wait-variant",
         "Also tries each point with WAIT 1 (--min-replicas 1), beside the same point without: "
         "the overlaps a failover causes, and what waiting costs.");
    option("down-for", "How long a crashed or stopped elector stays away (default 30s).", "D");
    option("drift", "True clock-rate error in the cluster, e.g. 0.001 (default 0).", "F");
    option("max-drift", "Clock-rate error the electors assume (default 0.01).", "F");
    option("seeds", "Seeds a point (default 10).", "K");
    option("seed", "First seed (default 1).", "S");
    option("duration", "Virtual time a seed (default 2h).", "D");
    option("threads", "Worker threads (default: one per core).", "N");
    option("require-outage", "The recommendation must ride out an outage this long.", "D");
    option("require-pause", "... and a leader pause this long.", "D");
    option("require-failover-p99", "... and fail over after a crash within this (p99).", "D");
    option("require-follower-load", "... and cost at most this many requests/s a follower.", "F");
    option("require-spurious", "... and lose at most this many terms a day spuriously.", "F");
    flag("json", "Prints the full result as JSON (durations in ms).");
    flag("csv", "Prints one CSV row a point.");
}

std::vector<std::string> items(const TuneLine& c, const std::string& name) {
    std::vector<std::string> out;
    const std::string& text = c.value(name);
    std::size_t from = 0;
    while (from <= text.size()) {
        const std::size_t comma = std::min(text.find(',', from), text.size());
        out.push_back(text.substr(from, comma - from));
        from = comma + 1;
    }
    for (const std::string& item : out)
        if (item.empty())
            usage("--" + name + ": an empty item in '" + visible(text) +
                  "' (give values separated by commas)");
    return out;
}

void readGrid(const TuneLine& c, TuningGrid& g) {
    if (!c.isSet("ttl"))
        usage("--ttl is required (the lock TTLs to try, e.g. --ttl 2s,5s,10s)");
    for (const std::string& t : items(c, "ttl"))
        g.ttls.push_back(durationOption("ttl", t));
    if (c.isSet("refresh-ratio") && c.isSet("refresh"))
        usage("--refresh-ratio and --refresh exclude each other: give one");
    if (c.isSet("refresh")) {
        for (const std::string& t : items(c, "refresh"))
            g.refreshes.push_back(durationOption("refresh", t));
    } else if (c.isSet("refresh-ratio")) {
        for (const std::string& t : items(c, "refresh-ratio"))
            g.refreshRatios.push_back(numberOption("refresh-ratio", t));
    } else {
        g.refreshRatios = {0.2};
    }
    if (!c.isSet("retry"))
        g.retryEqualsTtl = true;
    else
        for (const std::string& t : items(c, "retry")) {
            if (t == "ttl")
                g.retryEqualsTtl = true;
            else
                g.retries.push_back(durationOption("retry", t));
        }
    g.pollingVariant = c.isSet("polling");
    g.waitVariant = c.isSet("wait-variant");
}

void readProfile(const TuneLine& c, FailureProfile& p) {
    if (c.isSet("electors"))
        p.electors = static_cast<int>(std::min<std::uint64_t>(c.count("electors", 1), 1000000));
    const auto setDuration = [&](const char* name, Duration& field) {
        if (c.isSet(name))
            field = c.duration(name);
    };
    const auto setRate = [&](const char* name, double& field) {
        if (c.isSet(name))
            field = rateOption(name, c.value(name));
    };
    setDuration("latency", p.latency);
    setDuration("latency-p99", p.latencyP99);
    setDuration("outage", p.outage);
    setDuration("pause", p.pause);
    setDuration("down-for", p.downFor);
    setRate("outage-rate", p.outageRate);
    setRate("pause-rate", p.pauseRate);
    setRate("crash-rate", p.crashRate);
    setRate("stop-rate", p.stopRate);
    setRate("primary-kills", p.primaryKillRate);
    setDuration("replication-lag", p.replicationLag);
    setDuration("replication-lag-p99", p.replicationLagP99);
    setDuration("failover-after", p.failoverAfter);
    setDuration("replica-timeout", p.replicaTimeout);
    if (c.isSet("min-replicas"))
        p.minReplicas = static_cast<int>(std::min<std::uint64_t>(c.count("min-replicas", 0), 99));
    p.outageHangs = c.isSet("outage-hang");
    if (c.isSet("drift"))
        p.drift = c.number("drift");
    if (c.isSet("max-drift"))
        p.maxDrift = c.number("max-drift");
}

void readRequirements(const TuneLine& c, TuningRequirements& r) {
    const auto setDuration = [&](const char* name, std::optional<Duration>& field) {
        if (c.isSet(name))
            field = c.duration(name);
    };
    setDuration("require-outage", r.rideOutOutage);
    setDuration("require-pause", r.rideOutPause);
    setDuration("require-failover-p99", r.failoverP99);
    if (c.isSet("require-follower-load"))
        r.followerRequests = c.number("require-follower-load");
    if (c.isSet("require-spurious"))
        r.spuriousPerDay = c.number("require-spurious");
}

struct TuneOptions {
    TuningRequest request;
    bool json = false;
    bool csv = false;
};

TuneOptions parseTune(int argc, const char* const* argv) {
    TuneLine c;
    c.parse(argc, argv);
    TuneOptions o;
    o.json = c.isSet("json");
    o.csv = c.isSet("csv");
    if (o.json && o.csv)
        usage("--json and --csv exclude each other: give one");
    TuningRequest& r = o.request;
    readGrid(c, r.grid);
    readProfile(c, r.profile);
    readRequirements(c, r.requirements);
    if (c.isSet("seeds"))
        r.seeds = static_cast<int>(std::min<std::uint64_t>(c.count("seeds", 1), 1000000));
    if (c.isSet("seed"))
        r.firstSeed = c.count("seed", 0);
    if (c.isSet("duration"))
        r.duration = c.duration("duration");
    if (c.isSet("threads"))
        r.threads = static_cast<unsigned>(std::min<std::uint64_t>(c.count("threads", 1), 256));
    try {
        validate(r);
    } catch (const std::invalid_argument& e) {
        usage(e.what());
    }
    return o;
}

// A bar with an ETA on a terminal; nothing in a log.
class TuneProgress {
public:
    TuneProgress()
        : m_tty(::isatty(STDERR_FILENO) == 1)
        , m_begin(std::chrono::steady_clock::now()) {}

    void update(std::size_t done, std::size_t total) {
        if (!m_tty || total == 0)
            return;
        const std::lock_guard lock(m_mutex);
        if (done <= m_shown)
            return; // a slower worker's older news
        m_shown = done;
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - m_begin).count();
        const double eta = elapsed / static_cast<double>(done) * static_cast<double>(total - done);
        const int filled = static_cast<int>(done * 40 / total);
        std::fprintf(stderr, "\r[%s%s] %zu/%zu runs, ETA %.0fs  ", std::string(filled, '#').c_str(),
                     std::string(40 - filled, ' ').c_str(), done, total, eta);
        if (done == total)
            std::fputc('\n', stderr);
        std::fflush(stderr);
    }

private:
    bool m_tty;
    std::chrono::steady_clock::time_point m_begin;
    std::mutex m_mutex;
    std::size_t m_shown = 0;
};

} // namespace

int runTune(int argc, const char* const* argv) {
    TuneOptions o;
    try {
        o = parseTune(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << "baton-sim tune: " << e.what() << "\nTry 'baton-sim tune --help'.\n";
        return BadUsage;
    }
    TuneProgress progress;
    TuningControl control;
    control.progress = [&](std::size_t done, std::size_t total) { progress.update(done, total); };
    const TuningResult result = tune(o.request, control);
    if (o.json)
        std::cout << tuningJson(result);
    else if (o.csv)
        std::cout << tuningCsv(result);
    else
        std::cout << tuningTable(result);
    std::cout.flush();
    std::cerr << "baton-sim tune: " << result.points.size() << " points x " << o.request.seeds
              << " seeds in " << printed("%.2f", result.wallSeconds) << " s\n";
    return result.recommended ? Safe : Unsafe;
}

} // namespace baton::sim
