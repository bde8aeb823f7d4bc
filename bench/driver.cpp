// baton-bench: runs the benchmarks of the suite one after another (each starts its own
// redis-server and processes), prints one table and writes one JSON file with the machine they
// ran on. Exit status 1 when a benchmark could not run (never because of a figure).

#include "support/bench.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace baton::bench;

namespace {

struct Benchmark {
    QString name, path;
    bool gui = false;
};

const char* const kUsage =
    R"(usage: baton-bench [--quick] [--out FILE] [--only NAME[,NAME...]] [--list]
Runs every benchmark (or the named ones), prints the table of figures and writes them with the
machine's description as JSON to FILE (default: none). --quick: a short run of each, to show
that it still works (its figures mean little). --list: the benchmarks' names.
)";

std::vector<Benchmark> manifest() {
    QFile file(QStringLiteral(BATON_BENCH_MANIFEST));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    std::vector<Benchmark> out;
    for (const QByteArray& line : file.readAll().split('\n')) {
        const QList<QByteArray> parts = line.split('|');
        if (parts.size() == 3)
            out.push_back(
                {QString::fromUtf8(parts[0]), QString::fromUtf8(parts[1]), parts[2] == "1"});
    }
    return out;
}

QString firstLine(const QString& program, const QStringList& args) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(10000))
        return {};
    return QString::fromUtf8(p.readAllStandardOutput()).section(QLatin1Char('\n'), 0, 0).trimmed();
}

QString fileField(const QString& path, const QString& key) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray& line : file.readAll().split('\n')) {
        const QString l = QString::fromUtf8(line);
        if (key.isEmpty())
            return l.trimmed();
        if (l.startsWith(key))
            return l.section(QLatin1Char(':'), 1).trimmed();
    }
    return {};
}

QJsonObject machine() {
    return {
        {QStringLiteral("cores"), QThread::idealThreadCount()},
        {QStringLiteral("cpu"),
         fileField(QStringLiteral("/proc/cpuinfo"), QStringLiteral("model name"))},
        {QStringLiteral("os"), QSysInfo::prettyProductName()},
        {QStringLiteral("kernel"), QSysInfo::kernelVersion()},
        {QStringLiteral("redis"),
         firstLine(QStringLiteral("redis-server"), {QStringLiteral("--version")})},
        {QStringLiteral("commit"),
         firstLine(QStringLiteral("git"), {QStringLiteral("-C"), QStringLiteral(BATON_SOURCE_DIR),
                                           QStringLiteral("describe"), QStringLiteral("--always"),
                                           QStringLiteral("--dirty")})}};
}

QString loadAverage() {
    return fileField(QStringLiteral("/proc/loadavg"), {}).section(QLatin1Char(' '), 0, 2);
}

QJsonObject runOne(const Benchmark& b, bool quick, const QTemporaryDir& dir) {
    const QString out = dir.filePath(b.name + QStringLiteral(".json"));
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (b.gui && !env.contains(QStringLiteral("QT_QPA_PLATFORM")))
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    QStringList args{QStringLiteral("--out"), out};
    if (quick)
        args << QStringLiteral("--quick");
    std::fprintf(stderr, "== %s%s\n", qPrintable(b.name), quick ? " (quick)" : "");
    QElapsedTimer timer;
    timer.start();
    p.start(b.path, args);
    p.waitForFinished(-1);
    const double seconds = double(timer.elapsed()) / 1000.0;
    QJsonObject result;
    QFile file(out);
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        result.insert(QStringLiteral("error"),
                      p.error() == QProcess::FailedToStart
                          ? QStringLiteral("cannot start %1: %2").arg(b.path, p.errorString())
                          : QStringLiteral("exited with %1 (see its messages above)")
                                .arg(p.exitStatus() == QProcess::NormalExit
                                         ? QStringLiteral("status %1").arg(p.exitCode())
                                         : QStringLiteral("a crash")));
    } else if (!file.open(QIODevice::ReadOnly)) {
        result.insert(QStringLiteral("error"), QStringLiteral("wrote no figures"));
    } else {
        result = QJsonDocument::fromJson(file.readAll()).object();
        if (result.isEmpty())
            result.insert(QStringLiteral("error"),
                          QStringLiteral("wrote figures that are not JSON"));
    }
    result.insert(QStringLiteral("benchmark"), b.name);
    result.insert(QStringLiteral("seconds"), seconds);
    return result;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    bool quick = false, list = false;
    QString out;
    QStringList only;
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == QStringLiteral("--quick")) {
            quick = true;
        } else if (arg == QStringLiteral("--list")) {
            list = true;
        } else if (arg == QStringLiteral("--out") && i + 1 < argc) {
            out = QString::fromLocal8Bit(argv[++i]);
        } else if (arg == QStringLiteral("--only") && i + 1 < argc) {
            only = QString::fromLocal8Bit(argv[++i]).split(QLatin1Char(','), Qt::SkipEmptyParts);
        } else if (arg == QStringLiteral("--help") || arg == QStringLiteral("-h")) {
            std::fputs(kUsage, stdout);
            return 0;
        } else {
            std::fprintf(stderr, "baton-bench: unknown argument '%s'\n%s", argv[i], kUsage);
            return 2;
        }
    }
    const std::vector<Benchmark> all = manifest();
    if (all.empty()) {
        std::fprintf(stderr, "baton-bench: no benchmarks listed in %s; rebuild the build tree\n",
                     BATON_BENCH_MANIFEST);
        return 1;
    }
    std::vector<Benchmark> chosen;
    for (const Benchmark& b : all) {
        if (list)
            std::printf("%s\n", qPrintable(b.name));
        if (only.isEmpty() || only.contains(b.name))
            chosen.push_back(b);
    }
    if (list)
        return 0;
    for (const QString& name : only)
        if (std::none_of(all.begin(), all.end(),
                         [&](const Benchmark& b) { return b.name == name; })) {
            std::fprintf(stderr, "baton-bench: no benchmark '%s' (see --list)\n", qPrintable(name));
            return 2;
        }

    QTemporaryDir dir;
    QJsonObject suite{
        {QStringLiteral("quick"), quick},
        {QStringLiteral("started"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        {QStringLiteral("machine"), machine()},
        {QStringLiteral("loadAverageBefore"), loadAverage()}};
    QJsonArray results;
    bool allRan = true;
    for (const Benchmark& b : chosen) {
        const QJsonObject r = runOne(b, quick, dir);
        allRan = allRan && !r.contains(QStringLiteral("error"));
        results.append(r);
    }
    suite.insert(QStringLiteral("loadAverageAfter"), loadAverage());
    suite.insert(QStringLiteral("benchmarks"), results);
    const QJsonObject m = suite.value(QStringLiteral("machine")).toObject();
    std::printf("\nBaton benchmarks%s on %d cores (%s), load average %s before, %s after\n%s",
                quick ? " (quick: figures mean little)" : "",
                m.value(QStringLiteral("cores")).toInt(),
                qPrintable(m.value(QStringLiteral("cpu")).toString()),
                qPrintable(suite.value(QStringLiteral("loadAverageBefore")).toString()),
                qPrintable(suite.value(QStringLiteral("loadAverageAfter")).toString()),
                qPrintable(table(results)));
    if (!out.isEmpty()) {
        if (!writeJson(suite, out))
            return 1;
        std::printf("figures written to %s\n", qPrintable(out));
    }
    return allRan ? 0 : 1;
}
