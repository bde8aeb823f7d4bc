#include "cli.h"

#include "junit.h"
#include "option_line.h"
#include "report_format.h"
#include "tune_cli.h"

#include <baton/base/text.h>
#include <baton/sim/checker.h>
#include <baton/sim/random.h>
#include <baton/sim/random_faults.h>
#include <baton/sim/scenario_file.h>
#include <baton/sim/simulator.h>

#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <unistd.h>

namespace baton::sim {

namespace {

std::string jsonText(const nlohmann::json& j) {
    return j.dump(4, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

struct Options {
    std::string file;
    Scenario scenario;
    bool randomFaults = false;
    std::uint64_t firstSeed = 1;
    std::uint64_t seeds = 1;
    bool json = false;
    std::string junit;       // a JUnit XML file to write, when set
    double killsPerHour = 0; // --primary-kills: drawn anew for each seed
};

// baton-sim's own options, and a scenario file.
class CommandLine : public OptionLine {
public:
    explicit CommandLine(const std::string& version);
    /// Parses argv; --help and --version print and exit 0. Throws UsageError.
    void parse(int argc, const char* const* argv);

    const std::vector<std::string>& positional() const { return m_files; }

private:
    std::string m_version;
    bool m_showVersion = false;
    std::vector<std::string> m_files;
};

CommandLine::CommandLine(const std::string& version)
    : OptionLine("Runs a Baton cluster on virtual time, with faults, and checks that leadership "
                 "was never unsafe.\nExit status: 0 safe, 1 a safety violation, 2 bad usage or "
                 "scenario.",
                 "baton-sim")
    , m_version(version) {
    m_app.footer("baton-sim tune ... sweeps timings against a failure profile: see "
                 "'baton-sim tune --help'.");
    m_app.add_flag("-v,--version", m_showVersion, "Shows the version.");
    m_app
        .add_option("SCENARIO.json", m_files,
                    "A scenario file (format in the README); without one, a cluster with a "
                    "random fault schedule.")
        ->type_name("");
    option("electors", "Number of electors (default 5).", "N");
    option("duration", "Virtual time to run, e.g. 24h (default 24h, or the file's).", "D");
    option("seed", "Seed of the run (default 1, or the file's).", "S");
    option("seeds", "Runs K seeds (S, S+1, ...) and reports the worst.", "K");
    option("faults",
           "none or random: add a random fault schedule (default: random without a scenario "
           "file, none with one).",
           "MODE");
    option("ttl", "Lock TTL (default 5s).", "D");
    option("refresh", "Leader refresh interval (default 1s).", "D");
    option("retry",
           "Follower retry interval (default 1s; baton-agent's is 5s: a simulated cluster whose "
           "followers retry each second is busier, and easier to watch). --ttl, --refresh and "
           "--max-drift default as in baton-agent.",
           "D");
    option("drift", "Largest true clock-rate error in the cluster (default 0).", "F");
    option("max-drift", "Clock-rate error the electors assume (default 0.01).", "F");
    option("latency", "One-way store latency, e.g. 2ms (a bare number is ms).", "MS");
    flag("polling-only", "Followers only poll every retry interval (as the seed).");
    flag("no-fencing", "The protected resource accepts any fence.");
    option("replicas",
           "The store is a primary with N asynchronous replicas under Sentinel (the scenario "
           "file's 'replication' block; any of the next options adds one).",
           "N");
    option("replication-lag", "Median delay until a replica has a write (default 2ms).", "D");
    option("failover-after",
           "Sentinel's down-after: a dead primary is replaced this long (plus a 1s election) "
           "after it died (default 5s).",
           "D");
    option("min-replicas",
           "WAIT: an acquire or extend counts only once N replicas have it (default 0: no WAIT).",
           "N");
    option("replica-timeout", "WAIT's timeout (default 250ms, as baton-agent's).", "D");
    option("primary-kills",
           "Kills the primary at random times, R an hour on average, e.g. 2/h (from the seed).",
           "R/h");
    flag("json", "Prints the full report as JSON.");
    option("junit",
           "Also writes the result as JUnit XML for CI: one test case per seed, a failure with "
           "the violations for each unsafe one.",
           "FILE");
}

void CommandLine::parse(int argc, const char* const* argv) {
    OptionLine::parse(argc, argv);
    if (m_showVersion) {
        std::cout << "baton-sim " << m_version << '\n' << std::flush;
        std::exit(Safe);
    }
    if (m_files.size() > 1) {
        std::string all;
        for (const auto& f : m_files)
            all += (all.empty() ? "" : " ") + f;
        usage("expected at most one scenario file, got " + visible(all));
    }
}

// --replicas and the like: each adds a replication block where the scenario has none.
void applyReplication(const CommandLine& c, Options& o) {
    Scenario& s = o.scenario;
    const auto block = [&]() -> Replication& {
        if (!s.replication)
            s.replication = Replication{};
        return *s.replication;
    };
    if (c.isSet("replicas"))
        block().replicas = static_cast<int>(std::min<std::uint64_t>(c.count("replicas", 1), 99));
    if (c.isSet("replication-lag"))
        block().lag = c.duration("replication-lag");
    if (c.isSet("failover-after"))
        block().downAfter = c.duration("failover-after");
    if (c.isSet("min-replicas"))
        block().minReplicas =
            static_cast<int>(std::min<std::uint64_t>(c.count("min-replicas", 0), 99));
    if (c.isSet("replica-timeout"))
        block().replicaTimeout = c.duration("replica-timeout");
    if (c.isSet("primary-kills")) {
        double v = 0;
        try {
            v = rateOption("primary-kills", c.value("primary-kills"));
        } catch (const UsageError&) {
            // the message below says what a rate is
        }
        if (!(v > 0 && v <= 3600))
            usage("--primary-kills expects a rate such as 2/h (above 0, at most 3600), got '" +
                  visible(c.value("primary-kills")) + "'");
        block();
        o.killsPerHour = v;
    }
}

// The options over the scenario (the file's, or the defaults).
void applyOptions(const CommandLine& c, Options& o) {
    Scenario& s = o.scenario;
    if (c.isSet("electors"))
        s.electors = static_cast<int>(std::min<std::uint64_t>(c.count("electors", 1), INT_MAX));
    if (c.isSet("duration"))
        s.duration = c.duration("duration");
    if (c.isSet("seed"))
        s.seed = c.count("seed", 0);
    o.firstSeed = s.seed;
    if (c.isSet("seeds"))
        o.seeds = c.count("seeds", 1);
    if (c.isSet("faults")) {
        const std::string& mode = c.value("faults");
        if (mode == "none")
            o.randomFaults = false;
        else if (mode == "random")
            o.randomFaults = true;
        else
            usage("--faults expects none or random, got '" + visible(mode) + "'");
    }
    for (const auto& [name, member] : kTimingFields)
        if (c.isSet(name))
            s.timing.*member = c.duration(name);
    if (c.isSet("drift"))
        s.drift = c.number("drift");
    if (c.isSet("max-drift"))
        s.maxDrift = c.number("max-drift");
    if (c.isSet("latency"))
        s.latency = c.duration("latency");
    if (c.isSet("polling-only"))
        s.pollingOnly = true;
    if (c.isSet("no-fencing"))
        s.fencing = false;
    applyReplication(c, o);
    o.json = c.isSet("json");
    if (c.isSet("junit"))
        o.junit = c.value("junit");
}

Options parse(int argc, const char* const* argv, const std::string& version) {
    CommandLine c(version);
    c.parse(argc, argv);
    Options o;
    if (!c.positional().empty()) {
        o.file = c.positional().front();
        o.scenario = loadScenario(o.file); // throws ScenarioFileError
    } else {
        o.scenario.duration = std::chrono::hours(24);
        o.randomFaults = true;
    }
    applyOptions(c, o);
    try {
        validate(o.scenario);
    } catch (const std::invalid_argument& e) {
        usage(e.what());
    }
    return o;
}

struct Outcome {
    Report report;
    RunInfo info;
};

Outcome runSeed(const Options& o, std::uint64_t seed) {
    Outcome result;
    result.info.scenario = o.scenario;
    result.info.randomFaults = o.randomFaults;
    Scenario& s = result.info.scenario;
    s.seed = seed;
    if (o.randomFaults) {
        const auto extra = randomFaults(s, seed);
        s.faults.insert(s.faults.end(), extra.begin(), extra.end());
    }
    if (o.killsPerHour > 0) { // exponential gaps: kills that fall anywhere in a refresh
        Random draw(seed ^ 0x6b696c6c73ULL);
        const double meanMs = 3.6e6 / o.killsPerHour;
        for (double at = -std::log(1.0 - draw.unit()) * meanMs;
             at < std::chrono::duration<double, std::milli>(s.duration).count();
             at += -std::log(1.0 - draw.unit()) * meanMs)
            s.replication->primaryKills.push_back(std::chrono::duration_cast<Duration>(
                std::chrono::duration<double, std::milli>(at)));
    }
    const auto begin = std::chrono::steady_clock::now();
    result.report = check(simulate(s));
    result.info.wallSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    return result;
}

// Worse is: more violations, then longer overlap, then a longer time without a leader.
bool worse(const Report& a, const Report& b) {
    if (a.violations.size() != b.violations.size())
        return a.violations.size() > b.violations.size();
    if (a.overlapTotal != b.overlapTotal)
        return a.overlapTotal > b.overlapTotal;
    return a.longestWithoutLeader > b.longestWithoutLeader;
}

class Progress {
public:
    explicit Progress(std::uint64_t total)
        : m_total(total)
        , m_tty(::isatty(STDERR_FILENO) == 1) {}

    void update(std::uint64_t done, std::uint64_t unsafe) {
        const auto percent = done * 100 / m_total;
        if (m_tty) {
            const int filled = static_cast<int>(done * 40 / m_total);
            std::fprintf(
                stderr, "\r[%s%s] %llu/%llu seeds, %llu unsafe", std::string(filled, '#').c_str(),
                std::string(40 - filled, ' ').c_str(), static_cast<unsigned long long>(done),
                static_cast<unsigned long long>(m_total), static_cast<unsigned long long>(unsafe));
            if (done == m_total)
                std::fputc('\n', stderr);
        } else if (percent / 10 != m_lastDecile || done == m_total) {
            // Not a terminal: a plain line every 10% keeps logs readable.
            m_lastDecile = percent / 10;
            std::fprintf(stderr, "baton-sim: %llu/%llu seeds, %llu unsafe\n",
                         static_cast<unsigned long long>(done),
                         static_cast<unsigned long long>(m_total),
                         static_cast<unsigned long long>(unsafe));
        }
        std::fflush(stderr);
    }

private:
    std::uint64_t m_total;
    bool m_tty;
    std::uint64_t m_lastDecile = 0;
};

std::string replayHint(const Options& o, std::uint64_t seed) {
    std::string hint = "replay: baton-sim";
    if (!o.file.empty())
        hint += " " + o.file;
    return hint + " --seed " + std::to_string(seed) + " (with the same other options)";
}

// The JUnit file, when asked for: opened before the first run, so that a path that cannot be
// written is a usage error at once, not after an hour of seeds.
std::optional<JUnitReport> junitFor(const Options& o) {
    if (o.junit.empty())
        return std::nullopt;
    try {
        return std::optional<JUnitReport>(std::in_place, o.junit,
                                          o.scenario.name.empty() ? "random" : o.scenario.name);
    } catch (const std::runtime_error& e) {
        usage(e.what());
    }
}

std::string caseName(const Options& o, std::uint64_t seed) {
    return (o.scenario.name.empty() ? "" : o.scenario.name + " ") + "seed " + std::to_string(seed);
}

int runCampaign(const Options& o, std::optional<JUnitReport>& junit) {
    Progress progress(o.seeds);
    std::optional<Outcome> worst;
    std::optional<Outcome> firstUnsafe;
    std::uint64_t unsafe = 0;
    double wall = 0;
    Duration virtualTotal{};
    for (std::uint64_t i = 0; i < o.seeds; ++i) {
        Outcome result = runSeed(o, o.firstSeed + i);
        wall += result.info.wallSeconds;
        virtualTotal += result.report.duration;
        if (junit)
            junit->add(caseName(o, result.report.seed), result.info.wallSeconds, result.report);
        if (!result.report.safe()) {
            ++unsafe;
            if (!firstUnsafe)
                firstUnsafe = result;
        }
        if (!worst || worse(result.report, worst->report))
            worst = std::move(result);
        progress.update(i + 1, unsafe);
    }
    const double hours = std::chrono::duration<double>(virtualTotal).count() / 3600.0;
    const double rate = wall > 0 ? hours / wall : 0.0;
    if (o.json) {
        nlohmann::json campaign{
            {"seeds", o.seeds},      {"firstSeed", std::to_string(o.firstSeed)},
            {"unsafeSeeds", unsafe}, {"worstSeed", std::to_string(worst->report.seed)},
            {"wallSeconds", wall},   {"virtualHoursPerWallSecond", rate}};
        if (firstUnsafe)
            campaign["firstViolation"] =
                describeViolation(firstUnsafe->report, *firstUnsafe->report.firstViolation());
        std::cout << jsonText(
            nlohmann::json{{"campaign", campaign}, {"worst", toJson(worst->report, worst->info)}});
    } else {
        std::cout << "campaign: " << o.seeds << " seeds (" << o.firstSeed << ".."
                  << (o.firstSeed + o.seeds - 1) << "), " << unsafe << " unsafe, "
                  << printed("%.1f", hours) << " virtual hours in " << printed("%.2f", wall)
                  << " s (" << printed("%.1f", rate) << " virtual hours per wall second)\n";
        std::cout << "worst seed: " << worst->report.seed << "\n\n";
        std::cout << summary(worst->report, worst->info);
    }
    std::cout.flush();
    if (firstUnsafe) {
        std::cerr << "baton-sim: UNSAFE: " << unsafe << " of " << o.seeds
                  << " seeds; first violation: "
                  << describeViolation(firstUnsafe->report, *firstUnsafe->report.firstViolation())
                  << "\n  " << replayHint(o, firstUnsafe->report.seed) << '\n'
                  << std::flush;
        return Unsafe;
    }
    return Safe;
}

int runOnce(const Options& o, std::optional<JUnitReport>& junit) {
    const Outcome result = runSeed(o, o.firstSeed);
    if (junit)
        junit->add(caseName(o, result.report.seed), result.info.wallSeconds, result.report);
    if (o.json)
        std::cout << jsonText(toJson(result.report, result.info));
    else
        std::cout << summary(result.report, result.info);
    std::cout.flush();
    if (const Violation* v = result.report.firstViolation()) {
        std::cerr << "baton-sim: UNSAFE: first violation: " << describeViolation(result.report, *v)
                  << "\n  " << replayHint(o, result.report.seed) << '\n'
                  << std::flush;
        return Unsafe;
    }
    return Safe;
}

} // namespace

int run(int argc, const char* const* argv, const std::string& version) {
    if (argc >= 2 && std::string_view(argv[1]) == "tune")
        return runTune(argc - 1, argv + 1);
    Options o;
    std::optional<JUnitReport> junit;
    try {
        o = parse(argc, argv, version);
        junit = junitFor(o);
    } catch (const UsageError& e) {
        std::cerr << "baton-sim: " << e.what() << "\nTry 'baton-sim --help'.\n";
        return BadUsage;
    } catch (const ScenarioFileError& e) {
        std::cerr << "baton-sim: bad scenario file: line " << e.line() << ": " << e.reason()
                  << '\n';
        return BadUsage;
    }
    const int code = o.seeds > 1 ? runCampaign(o, junit) : runOnce(o, junit);
    if (junit) {
        try {
            junit->write();
        } catch (const std::runtime_error& e) {
            std::cerr << "baton-sim: " << e.what() << '\n';
            return BadUsage;
        }
    }
    return code;
}

} // namespace baton::sim
