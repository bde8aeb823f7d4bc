#pragma once
// The benchmark suite's common frame: a Report of figures (samples summed up as median and p99,
// targets, ratios against polling-only mode) that each benchmark fills and writes as JSON, and
// run(), the main() of every benchmark executable (--quick, --out FILE). Benchmarks never fail on
// speed: the exit status says only whether the benchmark could run.

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <cstdio>
#include <ctime>
#include <deque>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <vector>

namespace baton::bench {

/// What every benchmark is told on its command line.
struct Options {
    bool quick = false;   ///< a short run that only proves the benchmark still works
    bool longRun = false; ///< --long: more rounds, for benchmarks that have a long form
    QString out;          ///< where to write the JSON (empty: standard output)
    bool help = false;    ///< --help was given (and answered)
};

/// Which way a figure improves.
enum class Better { Lower, Higher };

/// Summary of a sample, with percentiles by nearest rank (so p99 of 30 values is the largest).
/// For a Higher-is-better figure, p99 is taken on the bad side: 99% of samples are at least it.
struct Stats {
    std::size_t n = 0;
    double median = 0, p99 = 0, min = 0, max = 0, mean = 0;
    static Stats of(std::vector<double> samples, Better better);
};

/// A bound on a figure's median or p99, e.g. "median <= 2 ms".
struct Target {
    enum class Stat { Median, P99 };
    Stat stat = Stat::Median;
    bool atMost = true; ///< true: value <= bound; false: value >= bound
    double bound = 0;
};

/// One measured figure of one variant (Baton, polling-only mode, redis-benchmark, ...).
class Figure {
public:
    Figure(QString name, QString variant, QString unit, Better better, std::vector<double> samples);

    Figure& target(Target::Stat stat, bool atMost, double bound);
    Figure& note(const QString& text);
    /// Sets how many times better this figure's median is than `reference`'s.
    Figure& comparedTo(const Figure& reference);

    const Stats& stats() const { return m_stats; }
    const QString& variant() const { return m_variant; }
    /// Every target met; nullopt when there is none (or no sample).
    std::optional<bool> met() const;
    QJsonObject json() const;

private:
    QString m_name, m_variant, m_unit;
    Better m_better;
    std::vector<double> m_samples;
    Stats m_stats;
    std::vector<Target> m_targets;
    QString m_note, m_ratioTo;
    std::optional<double> m_ratio;
};

/// Everything one benchmark found: its settings and its figures.
class Report {
public:
    Report(QString benchmark, Options options);

    Figure& add(const QString& name, const QString& variant, const QString& unit, Better better,
                std::vector<double> samples);
    /// A setting or extra result kept in the JSON under "config" or "details".
    void config(const QString& key, const QJsonValue& value) { m_config.insert(key, value); }
    void detail(const QString& key, const QJsonValue& value) { m_details.insert(key, value); }

    bool quick() const { return m_options.quick; }
    bool longRun() const { return m_options.longRun; }
    QJsonObject json() const;

private:
    QString m_name;
    Options m_options;
    QJsonObject m_config, m_details;
    std::deque<Figure> m_figures; // a deque: references from add() stay valid
};

/// Progress on standard error ("[name] ..."), so that a long run shows it is alive.
void progress(const char* format, ...) __attribute__((format(printf, 1, 2)));

/// CPU time in seconds of this process (all threads) or, with CLOCK_THREAD_CPUTIME_ID, of the
/// calling thread.
double cpuSeconds(clockid_t clock = CLOCK_PROCESS_CPUTIME_ID);

/// The table of figures of one or more benchmark JSON objects, for a terminal.
QString table(const QJsonArray& benchmarks);

/// Writes `json` to `path` (or to standard output when empty); false with a message on error.
bool writeJson(const QJsonObject& json, const QString& path);

/// Parses --quick, --long, --out FILE and --help (answered here); nullopt (after printing why) when
/// they are wrong.
std::optional<Options> parseOptions(int argc, char** argv, const QString& name);

/// The main() of a benchmark: parses the options, makes the application object (App: a
/// QCoreApplication, or a QApplication for GUI figures), runs `body`, writes the JSON and the
/// table. Returns 0 when the benchmark ran, 1 when it could not (an exception: the reason is
/// printed), 2 for bad usage.
template <class App = QCoreApplication>
int run(int argc, char** argv, const QString& name, const std::function<void(Report&)>& body) {
    const std::optional<Options> options = parseOptions(argc, argv, name);
    if (!options)
        return 2;
    if (options->help)
        return 0;
    App app(argc, argv);
    Report report(name, *options);
    try {
        body(report);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: could not run: %s\n", qPrintable(name), e.what());
        return 1;
    }
    const QJsonObject json = report.json();
    std::fputs(qPrintable(table(QJsonArray{json})), stderr);
    return writeJson(json, options->out) ? 0 : 1;
}

/// Thrown by a benchmark that cannot go on (no redis-server, an agent that never elects).
class Failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace baton::bench
