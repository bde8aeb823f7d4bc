#include "cli.h"

#include "report_format.h"
#include "scenario_file.h"

#include <baton/sim/checker.h>
#include <baton/sim/random_faults.h>
#include <baton/sim/simulator.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

#include <chrono>
#include <cstdio>
#include <optional>
#include <unistd.h>

namespace baton::sim {

namespace {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Options {
    QString file;
    Scenario scenario;
    bool randomFaults = false;
    std::uint64_t firstSeed = 1;
    std::uint64_t seeds = 1;
    bool json = false;
};

QTextStream& out() {
    static QTextStream s(stdout);
    return s;
}
QTextStream& err() {
    static QTextStream s(stderr);
    return s;
}

[[noreturn]] void usage(const QString& message) {
    throw UsageError(message.toStdString());
}

Duration durationOption(const QCommandLineParser& p, const QString& name) {
    try {
        const Duration d = parseDuration(p.value(name).toStdString());
        if (d.count() < 0)
            usage(u"--"_qs + name + u" must not be negative"_qs);
        return d;
    } catch (const std::invalid_argument& e) {
        usage(u"--"_qs + name + u": "_qs + QString::fromStdString(e.what()));
    }
}

double numberOption(const QCommandLineParser& p, const QString& name) {
    bool ok = false;
    const double v = p.value(name).toDouble(&ok);
    if (!ok)
        usage(u"--"_qs + name + u" expects a number, got '"_qs + p.value(name) + u"'"_qs);
    return v;
}

std::uint64_t countOption(const QCommandLineParser& p, const QString& name, std::uint64_t min) {
    bool ok = false;
    const qulonglong v = p.value(name).toULongLong(&ok);
    if (!ok || v < min)
        usage(u"--"_qs + name + u" expects a whole number >= "_qs + QString::number(min) +
              u", got '"_qs + p.value(name) + u"'"_qs);
    return v;
}

Options parse(const QStringList& arguments) {
    QCommandLineParser p;
    p.setApplicationDescription(
        u"Runs a Baton cluster on virtual time, with faults, and checks that leadership was "
        u"never unsafe.\nExit status: 0 safe, 1 a safety violation, 2 bad usage or scenario."_qs);
    p.addPositionalArgument(u"SCENARIO.json"_qs,
                            u"A scenario file (format in the README); without one, a cluster "
                            u"with a random fault schedule."_qs,
                            u"[SCENARIO.json]"_qs);
    const QCommandLineOption help(QStringList{u"h"_qs, u"help"_qs}, u"Shows this help."_qs);
    const QCommandLineOption version(QStringList{u"v"_qs, u"version"_qs}, u"Shows the version."_qs);
    p.addOption(help);
    p.addOption(version);
    p.addOption({u"electors"_qs, u"Number of electors (default 5)."_qs, u"N"_qs});
    p.addOption({u"duration"_qs, u"Virtual time to run, e.g. 24h (default 24h, or the file's)."_qs,
                 u"D"_qs});
    p.addOption({u"seed"_qs, u"Seed of the run (default 1, or the file's)."_qs, u"S"_qs});
    p.addOption({u"seeds"_qs, u"Runs K seeds (S, S+1, ...) and reports the worst."_qs, u"K"_qs});
    p.addOption({u"faults"_qs,
                 u"none or random: add a random fault schedule (default: random without a "
                 u"scenario file, none with one)."_qs,
                 u"MODE"_qs});
    p.addOption({u"ttl"_qs, u"Lock TTL (default 5s)."_qs, u"D"_qs});
    p.addOption({u"refresh"_qs, u"Leader refresh interval (default 1s)."_qs, u"D"_qs});
    p.addOption({u"retry"_qs, u"Follower retry interval (default 1s)."_qs, u"D"_qs});
    p.addOption(
        {u"drift"_qs, u"Largest true clock-rate error in the cluster (default 0)."_qs, u"F"_qs});
    p.addOption(
        {u"max-drift"_qs, u"Clock-rate error the electors assume (default 0.01)."_qs, u"F"_qs});
    p.addOption(
        {u"latency"_qs, u"One-way store latency, e.g. 2ms (a bare number is ms)."_qs, u"MS"_qs});
    p.addOption({u"polling-only"_qs, u"Followers only poll every retry interval (as the seed)."_qs});
    p.addOption({u"no-fencing"_qs, u"The protected resource accepts any fence."_qs});
    p.addOption({u"json"_qs, u"Prints the full report as JSON."_qs});

    if (!p.parse(arguments))
        usage(p.errorText());
    if (p.isSet(help)) {
        out() << p.helpText();
        out().flush();
        std::exit(Safe);
    }
    if (p.isSet(version)) {
        out() << u"baton-sim "_qs << QCoreApplication::applicationVersion() << u'\n';
        out().flush();
        std::exit(Safe);
    }
    const QStringList positional = p.positionalArguments();
    if (positional.size() > 1)
        usage(u"expected at most one scenario file, got "_qs + positional.join(u' '));

    Options o;
    if (!positional.isEmpty()) {
        o.file = positional.front();
        o.scenario = loadScenario(o.file); // throws ScenarioFileError
    } else {
        o.scenario.duration = std::chrono::hours(24);
        o.randomFaults = true;
    }
    Scenario& s = o.scenario;
    if (p.isSet(u"electors"_qs))
        s.electors = static_cast<int>(countOption(p, u"electors"_qs, 1));
    if (p.isSet(u"duration"_qs))
        s.duration = durationOption(p, u"duration"_qs);
    if (p.isSet(u"seed"_qs))
        s.seed = countOption(p, u"seed"_qs, 0);
    o.firstSeed = s.seed;
    if (p.isSet(u"seeds"_qs))
        o.seeds = countOption(p, u"seeds"_qs, 1);
    if (p.isSet(u"faults"_qs)) {
        const QString mode = p.value(u"faults"_qs);
        if (mode == u"none")
            o.randomFaults = false;
        else if (mode == u"random")
            o.randomFaults = true;
        else
            usage(u"--faults expects none or random, got '"_qs + mode + u"'"_qs);
    }
    if (p.isSet(u"ttl"_qs))
        s.timing.ttl = durationOption(p, u"ttl"_qs);
    if (p.isSet(u"refresh"_qs))
        s.timing.refreshInterval = durationOption(p, u"refresh"_qs);
    if (p.isSet(u"retry"_qs))
        s.timing.retryInterval = durationOption(p, u"retry"_qs);
    if (p.isSet(u"drift"_qs))
        s.drift = numberOption(p, u"drift"_qs);
    if (p.isSet(u"max-drift"_qs))
        s.maxDrift = numberOption(p, u"max-drift"_qs);
    if (p.isSet(u"latency"_qs))
        s.latency = durationOption(p, u"latency"_qs);
    if (p.isSet(u"polling-only"_qs))
        s.pollingOnly = true;
    if (p.isSet(u"no-fencing"_qs))
        s.fencing = false;
    o.json = p.isSet(u"json"_qs);
    try {
        validate(s);
    } catch (const std::invalid_argument& e) {
        usage(QString::fromStdString(e.what()));
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

QString replayHint(const Options& o, std::uint64_t seed) {
    QString hint = u"replay: baton-sim"_qs;
    if (!o.file.isEmpty())
        hint += u" "_qs + o.file;
    return hint + u" --seed "_qs + QString::number(seed) + u" (with the same other options)"_qs;
}

int runCampaign(const Options& o) {
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
    if (o.json) {
        QJsonObject campaign{{u"seeds"_qs, static_cast<qint64>(o.seeds)},
                             {u"firstSeed"_qs, QString::number(o.firstSeed)},
                             {u"unsafeSeeds"_qs, static_cast<qint64>(unsafe)},
                             {u"worstSeed"_qs, QString::number(worst->report.seed)},
                             {u"wallSeconds"_qs, wall},
                             {u"virtualHoursPerWallSecond"_qs, wall > 0 ? hours / wall : 0.0}};
        if (firstUnsafe)
            campaign.insert(
                u"firstViolation"_qs,
                describeViolation(firstUnsafe->report, *firstUnsafe->report.firstViolation()));
        out() << QJsonDocument(QJsonObject{{u"campaign"_qs, campaign},
                                           {u"worst"_qs, toJson(worst->report, worst->info)}})
                     .toJson(QJsonDocument::Indented);
    } else {
        out() << u"campaign: "_qs << o.seeds << u" seeds ("_qs << o.firstSeed << u".."_qs
              << (o.firstSeed + o.seeds - 1) << u"), "_qs << unsafe << u" unsafe, "_qs
              << QString::number(hours, 'f', 1) << u" virtual hours in "_qs
              << QString::number(wall, 'f', 2) << u" s ("_qs
              << QString::number(wall > 0 ? hours / wall : 0.0, 'f', 1)
              << u" virtual hours per wall second)\n"_qs;
        out() << u"worst seed: "_qs << worst->report.seed << u"\n\n"_qs;
        out() << summary(worst->report, worst->info);
    }
    out().flush();
    if (firstUnsafe) {
        err() << u"baton-sim: UNSAFE: "_qs << unsafe << u" of "_qs << o.seeds
              << u" seeds; first violation: "_qs
              << describeViolation(firstUnsafe->report, *firstUnsafe->report.firstViolation())
              << u"\n  "_qs << replayHint(o, firstUnsafe->report.seed) << u'\n';
        err().flush();
        return Unsafe;
    }
    return Safe;
}

int runOnce(const Options& o) {
    const Outcome result = runSeed(o, o.firstSeed);
    if (o.json)
        out() << QJsonDocument(toJson(result.report, result.info)).toJson(QJsonDocument::Indented);
    else
        out() << summary(result.report, result.info);
    out().flush();
    if (const Violation* v = result.report.firstViolation()) {
        err() << u"baton-sim: UNSAFE: first violation: "_qs << describeViolation(result.report, *v)
              << u"\n  "_qs << replayHint(o, result.report.seed) << u'\n';
        err().flush();
        return Unsafe;
    }
    return Safe;
}

} // namespace

int run(const QStringList& arguments) {
    Options o;
    try {
        o = parse(arguments);
    } catch (const UsageError& e) {
        err() << u"baton-sim: "_qs << QString::fromStdString(e.what())
              << u"\nTry 'baton-sim --help'.\n"_qs;
        return BadUsage;
    } catch (const ScenarioFileError& e) {
        err() << u"baton-sim: bad scenario file: line "_qs << e.line() << u": "_qs << e.reason()
              << u'\n';
        return BadUsage;
    }
    return o.seeds > 1 ? runCampaign(o) : runOnce(o);
}

} // namespace baton::sim
