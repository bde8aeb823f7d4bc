#include "bench.h"

#include <QFile>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <numeric>

namespace baton::bench {

namespace {

// The k-th smallest by nearest rank: the smallest value with at least p of the sample at or
// below it.
double nearestRank(const std::vector<double>& sorted, double p) {
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

QString number(double v) {
    const double a = std::fabs(v);
    const int decimals = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3;
    return QString::number(v, 'f', decimals);
}

QString targetText(const Target& t, const QString& unit) {
    return QStringLiteral("%1 %2 %3 %4")
        .arg(t.stat == Target::Stat::Median ? QStringLiteral("median") : QStringLiteral("p99"),
             t.atMost ? QStringLiteral("<=") : QStringLiteral(">="),
             QString::number(t.bound, 'f',
                             std::fabs(t.bound) >= 100 || t.bound == std::round(t.bound) ? 0 : 2),
             unit);
}

} // namespace

Stats Stats::of(std::vector<double> samples, Better better) {
    Stats s;
    s.n = samples.size();
    if (samples.empty())
        return s;
    std::sort(samples.begin(), samples.end());
    s.min = samples.front();
    s.max = samples.back();
    s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(s.n);
    const std::size_t n = samples.size();
    s.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
    s.p99 = better == Better::Lower ? nearestRank(samples, 0.99) : nearestRank(samples, 0.01);
    return s;
}

Figure::Figure(QString name, QString variant, QString unit, Better better,
               std::vector<double> samples)
    : m_name(std::move(name))
    , m_variant(std::move(variant))
    , m_unit(std::move(unit))
    , m_better(better)
    , m_samples(std::move(samples))
    , m_stats(Stats::of(m_samples, better)) {}

Figure& Figure::target(Target::Stat stat, bool atMost, double bound) {
    m_targets.push_back({stat, atMost, bound});
    return *this;
}

Figure& Figure::note(const QString& text) {
    m_note = m_note.isEmpty() ? text : m_note + QStringLiteral("; ") + text;
    return *this;
}

Figure& Figure::comparedTo(const Figure& reference) {
    const double mine = m_stats.median, theirs = reference.stats().median;
    if (m_stats.n && reference.stats().n && mine > 0 && theirs > 0)
        m_ratio = m_better == Better::Lower ? theirs / mine : mine / theirs;
    m_ratioTo = reference.variant();
    return *this;
}

std::optional<bool> Figure::met() const {
    if (m_targets.empty() || !m_stats.n)
        return std::nullopt;
    return std::all_of(m_targets.begin(), m_targets.end(), [this](const Target& t) {
        const double v = t.stat == Target::Stat::Median ? m_stats.median : m_stats.p99;
        return t.atMost ? v <= t.bound : v >= t.bound;
    });
}

QJsonObject Figure::json() const {
    QJsonObject o{{QStringLiteral("figure"), m_name},
                  {QStringLiteral("variant"), m_variant},
                  {QStringLiteral("unit"), m_unit},
                  {QStringLiteral("better"),
                   m_better == Better::Lower ? QStringLiteral("lower") : QStringLiteral("higher")},
                  {QStringLiteral("n"), static_cast<qint64>(m_stats.n)},
                  {QStringLiteral("median"), m_stats.median},
                  {QStringLiteral("p99"), m_stats.p99},
                  {QStringLiteral("min"), m_stats.min},
                  {QStringLiteral("max"), m_stats.max},
                  {QStringLiteral("mean"), m_stats.mean}};
    QJsonArray samples;
    for (double v : m_samples)
        samples.append(v);
    o.insert(QStringLiteral("samples"), samples);
    if (!m_targets.empty()) {
        QStringList texts;
        for (const Target& t : m_targets)
            texts << targetText(t, m_unit);
        o.insert(QStringLiteral("target"), texts.join(QStringLiteral(", ")));
        o.insert(QStringLiteral("met"), met() ? QJsonValue(*met()) : QJsonValue());
    }
    if (m_ratio)
        o.insert(QStringLiteral("ratio"), QJsonObject{{QStringLiteral("to"), m_ratioTo},
                                                      {QStringLiteral("times"), *m_ratio}});
    if (!m_note.isEmpty())
        o.insert(QStringLiteral("note"), m_note);
    return o;
}

Report::Report(QString benchmark, Options options)
    : m_name(std::move(benchmark))
    , m_options(std::move(options)) {}

Figure& Report::add(const QString& name, const QString& variant, const QString& unit, Better better,
                    std::vector<double> samples) {
    return m_figures.emplace_back(name, variant, unit, better, std::move(samples));
}

QJsonObject Report::json() const {
    QJsonArray figures;
    for (const Figure& f : m_figures)
        figures.append(f.json());
    return {{QStringLiteral("benchmark"), m_name},
            {QStringLiteral("quick"), m_options.quick},
            {QStringLiteral("config"), m_config},
            {QStringLiteral("details"), m_details},
            {QStringLiteral("figures"), figures}};
}

void progress(const char* format, ...) {
    std::va_list args;
    va_start(args, format);
    std::fputs("  ", stderr);
    std::vfprintf(stderr, format, args);
    std::fputc('\n', stderr);
    va_end(args);
}

double cpuSeconds(clockid_t clock) {
    timespec t{};
    ::clock_gettime(clock, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

QString table(const QJsonArray& benchmarks) {
    const QStringList header{
        QStringLiteral("figure"), QStringLiteral("variant"), QStringLiteral("n"),
        QStringLiteral("median"), QStringLiteral("p99"),     QStringLiteral("unit"),
        QStringLiteral("vs ref"), QStringLiteral("target"),  QStringLiteral("met")};
    QList<QStringList> rows;
    QList<int> sections; // row index where each benchmark's title goes
    QStringList titles;
    for (const QJsonValue& b : benchmarks) {
        const QJsonObject bo = b.toObject();
        sections << int(rows.size());
        titles << bo.value(QStringLiteral("benchmark")).toString() +
                      (bo.contains(QStringLiteral("error"))
                           ? QStringLiteral(": COULD NOT RUN: ") +
                                 bo.value(QStringLiteral("error")).toString()
                           : QString());
        for (const QJsonValue& f : bo.value(QStringLiteral("figures")).toArray()) {
            const QJsonObject fo = f.toObject();
            const QJsonValue met = fo.value(QStringLiteral("met"));
            const QJsonObject ratio = fo.value(QStringLiteral("ratio")).toObject();
            rows << QStringList{
                fo.value(QStringLiteral("figure")).toString(),
                fo.value(QStringLiteral("variant")).toString(),
                QString::number(fo.value(QStringLiteral("n")).toInteger()),
                number(fo.value(QStringLiteral("median")).toDouble()),
                number(fo.value(QStringLiteral("p99")).toDouble()),
                fo.value(QStringLiteral("unit")).toString(),
                ratio.isEmpty()
                    ? QString()
                    : number(ratio.value(QStringLiteral("times")).toDouble()) +
                          QStringLiteral("x ") + ratio.value(QStringLiteral("to")).toString(),
                fo.value(QStringLiteral("target")).toString(),
                met.isBool() ? (met.toBool() ? QStringLiteral("yes") : QStringLiteral("NO"))
                             : QString()};
        }
    }
    QList<int> width;
    for (const QString& h : header)
        width << int(h.size());
    for (const QStringList& r : rows)
        for (int i = 0; i < r.size(); ++i)
            width[i] = std::max(width[i], int(r[i].size()));
    auto line = [&](const QStringList& cells) -> QString {
        QString s = QStringLiteral("  ");
        for (int i = 0; i < cells.size(); ++i) {
            const bool numeric = i >= 2 && i <= 4;
            s += numeric ? cells[i].rightJustified(width[i]) : cells[i].leftJustified(width[i]);
            s += QStringLiteral("  ");
        }
        return s.trimmed().prepend(QStringLiteral("  ")) + QLatin1Char('\n');
    };
    QString out = line(header);
    for (int r = 0, s = 0; r <= rows.size(); ++r) {
        while (s < sections.size() && sections[s] == r)
            out += titles[s++] + QLatin1Char('\n');
        if (r < rows.size())
            out += line(rows[r]);
    }
    return out;
}

bool writeJson(const QJsonObject& json, const QString& path) {
    const QByteArray text = QJsonDocument(json).toJson(QJsonDocument::Indented);
    if (path.isEmpty()) {
        std::fwrite(text.constData(), 1, static_cast<std::size_t>(text.size()), stdout);
        return true;
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
        std::fprintf(stderr, "cannot write %s: %s\n", qPrintable(path),
                     qPrintable(file.errorString()));
        return false;
    }
    return true;
}

std::optional<Options> parseOptions(int argc, char** argv, const QString& name) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == QStringLiteral("--quick")) {
            o.quick = true;
        } else if (arg == QStringLiteral("--long")) {
            o.longRun = true;
        } else if (arg == QStringLiteral("--out") && i + 1 < argc) {
            o.out = QString::fromLocal8Bit(argv[++i]);
        } else if (arg == QStringLiteral("--help") || arg == QStringLiteral("-h")) {
            std::printf("usage: %s [--quick | --long] [--out FILE]\n"
                        "Runs the '%s' benchmark and writes its figures as JSON (to FILE, or to\n"
                        "standard output); the table goes to standard error. --quick: a short\n"
                        "run that only shows the benchmark still works; --long: more rounds\n"
                        "(where a benchmark has a long form).\n",
                        argv[0], qPrintable(name));
            o.help = true;
            return o;
        } else {
            std::fprintf(stderr, "%s: unknown argument '%s' (try --help)\n", argv[0], argv[i]);
            return std::nullopt;
        }
    }
    return o;
}

} // namespace baton::bench
