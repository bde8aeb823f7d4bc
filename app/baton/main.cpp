// baton: the lab. Opens on a simulated cluster of five electors; --redis runs real ones.

#include "windows/main_window.h"

#include <baton/base/text.h>
#include <baton/redis/redis_url.h>

#include "tuning/tuning_window.h"
#include "windows/quit_on_signal.h"

#include <QApplication>
#include <QCommandLineParser>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <type_traits>

namespace {

// `--redis redis://host:6379` with REDIS_URL=redis://:secret@host:6379 set: the password comes
// from the environment, so it never has to be typed on a command line (ps, shell history).
QString withPasswordFromEnvironment(const QString& url) {
    const QString env = QString::fromLocal8Bit(qgetenv("REDIS_URL"));
    try {
        const baton::RedisUrl given = baton::RedisUrl::parse(url.toStdString());
        const baton::RedisUrl preset = baton::RedisUrl::parse(env.toStdString());
        if (!given.password.empty() || preset.password.empty() ||
            given.unixSocket != preset.unixSocket || given.host != preset.host ||
            given.port != preset.port || given.path != preset.path || given.user != preset.user)
            return url;
        return env;
    } catch (const baton::UrlError&) {
        return url; // the lab says what is wrong with it
    }
}

// Why Qt cannot open a window here (empty when it can): no display server to talk to, and no
// platform plugin that needs none. Without this check QApplication aborts (exit 134) with
// advice to reinstall the application.
std::string missingDisplay() {
    const QString platform = QString::fromLocal8Bit(qgetenv("QT_QPA_PLATFORM"))
                                 .section(u';', 0, 0)
                                 .section(u':', 0, 0)
                                 .trimmed();
    static const QStringList headless{QStringLiteral("offscreen"),   QStringLiteral("minimal"),
                                      QStringLiteral("minimalegl"),  QStringLiteral("vnc"),
                                      QStringLiteral("eglfs"),       QStringLiteral("linuxfb"),
                                      QStringLiteral("vkkhrdisplay")};
    if (headless.contains(platform))
        return {};
    const bool x11 = !qEnvironmentVariableIsEmpty("DISPLAY");
    const bool wayland = !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
    if (platform == u"xcb" && !x11)
        return "QT_QPA_PLATFORM=xcb, and DISPLAY is unset";
    if (platform.startsWith(u"wayland") && !wayland)
        return "QT_QPA_PLATFORM=" + platform.toStdString() + ", and WAYLAND_DISPLAY is unset";
    if (!x11 && !wayland)
        return "DISPLAY and WAYLAND_DISPLAY are unset";
    return {};
}

// --lock KEY: another library's lock opened read-only at start, so it means a --watch of a
// given Redis (a private one has no such locks). A key is printed escaped: it may be anything.
bool checkLockOptions(const QCommandLineParser& parser, baton::lab::MainWindow::Options& options) {
    for (const QString& key : parser.values(QStringLiteral("lock"))) {
        if (key.trimmed().isEmpty()) {
            std::fprintf(stderr, "baton: --lock must not be empty (the key of another library's "
                                 "lock, such as leader:reports)\n");
            return false;
        }
        if (std::any_of(key.begin(), key.end(),
                        [](QChar c) { return c.category() == QChar::Other_Control; })) {
            std::fprintf(stderr,
                         "baton: --lock '%s' has a control character; give the key without it "
                         "(--lock-pattern with * lists such keys)\n",
                         baton::visible(key.toStdString(), 200).c_str());
            return false;
        }
        options.locks << key.trimmed();
    }
    if (options.locks.isEmpty())
        return true;
    if (options.redisUrl.isEmpty()) {
        std::fprintf(stderr, "baton: --lock needs --redis URL (the Redis the other library "
                             "writes its locks to)\n");
        return false;
    }
    if (parser.isSet(QStringLiteral("agents")) && options.agents > 0) {
        std::fprintf(stderr, "baton: --lock watches read-only and starts no agents: leave out "
                             "--agents\n");
        return false;
    }
    return true;
}

// --resource and --watch: only with a Redis, and a watch starts nothing.
bool checkRedisOptions(const QCommandLineParser& parser, baton::lab::MainWindow::Options& options) {
    const bool redis = !options.redisUrl.isEmpty() || options.localRedis || options.localRedisHa;
    const bool resourceSet = parser.isSet(QStringLiteral("resource"));
    options.resource = parser.value(QStringLiteral("resource")).trimmed();
    options.watch = parser.isSet(QStringLiteral("watch")) || !options.locks.isEmpty();
    if (resourceSet && options.resource.isEmpty()) {
        std::fprintf(stderr, "baton: --resource must not be empty (leave it out for the list of "
                             "every resource)\n");
        return false;
    }
    if (resourceSet && !redis) {
        std::fprintf(stderr, "baton: --resource needs --redis URL or --local-redis\n");
        return false;
    }
    if (options.watch && options.redisUrl.isEmpty()) {
        std::fprintf(stderr, "baton: --watch needs --redis URL (a private Redis has nothing to "
                             "watch)\n");
        return false;
    }
    if (options.watch && parser.isSet(QStringLiteral("agents")) && options.agents > 0) {
        std::fprintf(stderr, "baton: --watch starts no agents: leave out --agents\n");
        return false;
    }
    if (options.watch)
        options.agents = 0;
    for (const QString& p : parser.values(QStringLiteral("lock-pattern"))) {
        if (p.trimmed().isEmpty()) {
            std::fprintf(stderr, "baton: --lock-pattern must not be empty (a SCAN MATCH pattern "
                                 "such as 'leader:*')\n");
            return false;
        }
        options.lockPatterns << p.trimmed();
    }
    if (!options.lockPatterns.isEmpty() && !redis) {
        std::fprintf(stderr, "baton: --lock-pattern needs --redis URL or --local-redis\n");
        return false;
    }
    return true;
}

// --shards M: the lab's own agents, sharded, on a Redis it writes to.
bool checkShardOptions(const baton::lab::MainWindow::Options& options) {
    if (options.shards > 0 &&
        ((options.redisUrl.isEmpty() && !options.localRedis) || options.watch)) {
        std::fprintf(stderr, "baton: --shards needs --redis URL (not --watch) or --local-redis\n");
        return false;
    }
    if (options.shards > 0 && options.agents == 0) {
        std::fprintf(stderr, "baton: --shards M runs the lab's agents sharded: give --agents N "
                             "above 0 (or leave it out: 3)\n");
        return false;
    }
    return true;
}

QCommandLineOption flag(const char* name, const char* description) {
    return QCommandLineOption(QString::fromLatin1(name), QString::fromUtf8(description));
}
QCommandLineOption valued(const char* name, const char* description, const char* value,
                          const char* byDefault = nullptr) {
    QCommandLineOption o(QString::fromLatin1(name), QString::fromUtf8(description),
                         QString::fromLatin1(value));
    if (byDefault)
        o.setDefaultValue(QString::fromLatin1(byDefault));
    return o;
}

// The lab's options, in the order --help lists them.
QList<QCommandLineOption> labOptions() {
    return {
        valued("redis",
               "Connect to this Redis at start, e.g. redis://host:6379/0 (a password comes from "
               "REDIS_URL when it names the same server).",
               "URL"),
        valued("scenario", "Play this scenario file (baton-sim format).", "FILE"),
        valued("electors", "Simulated electors (default 5).", "N", "5"),
        valued("polling-only", "How many simulated electors poll as the seed did (default 0).", "N",
               "0"),
        valued("speed", "Simulation speed, 0.1 to 100 (default 1).", "X", "1"),
        valued("agent", "The baton-agent executable to run.", "PATH"),
        valued("agents", "baton-agent processes to start with --redis (default 3; 0: only watch).",
               "N", "3"),
        flag("local-redis",
             "Start a private redis-server (it lives as long as the lab) and run agents on it."),
        valued("resource",
               "With --redis or --local-redis: the resource to open (default: the Resources "
               "list; the lab's agents run on job-scheduler).",
               "NAME"),
        flag("watch", "With --redis: watch read-only; no agents are started and nothing is "
                      "written to Redis (a read-only ACL user is enough)."),
        flag("tune", "Open the Tuning window at start and run a sweep around the cluster's "
                     "timings."),
        flag("local-redis-ha",
             "Start a private Sentinel setup (a primary, a replica, three sentinels) and run "
             "agents on it; the Redis menu kills or pauses the primary."),
        valued("min-replicas",
               "The lab's agents count a lock call only once N replicas have it (WAIT); the "
               "Redis menu compares with and without.",
               "N", "0"),
        valued("lock-pattern",
               "With --redis or --local-redis: also list the keys matching this SCAN pattern as "
               "other libraries' locks, read-only (e.g. 'leader:*'; repeatable; baton-ctl "
               "resources --pattern is the same).",
               "PATTERN"),
        valued("shards",
               "With --redis or --local-redis: the lab's agents (--agents) run baton-agent "
               "--shards M, fair share, on the family --resource (default jobs), shown in the "
               "Shards view.",
               "M", "0"),
        valued("lock",
               "With --redis: open this key as another library's lock in a read-only tab "
               "(holder, TTL, timeline; repeatable; implies --watch).",
               "KEY"),
    };
}

// Reads option `name` as a number from `lo` to `hi` into `out`; false, after saying `rule`
// (what --name must be), when it is not one.
template <typename T>
bool readNumber(const QCommandLineParser& parser, const char* name, T lo, T hi, T& out,
                const char* rule) {
    bool ok = true;
    const QString text = parser.value(QString::fromLatin1(name));
    if constexpr (std::is_floating_point_v<T>)
        out = text.toDouble(&ok);
    else
        out = text.toInt(&ok);
    if (ok && out >= lo && out <= hi)
        return true;
    std::fprintf(stderr, "baton: --%s must be %s\n", name, rule);
    return false;
}

// Reads the command line (exit code in `exitCode` when the lab must not start). It runs before
// the GUI does, so --help, --version and bad options work without a display.
std::optional<baton::lab::MainWindow::Options> readCommandLine(int argc, char** argv,
                                                               int* exitCode) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("baton"));
    QCoreApplication::setOrganizationName(QStringLiteral("Baton"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BATON_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Baton lab: watch leader election live, force failover, stretch TTLs.\n"
        "Starts on a simulated cluster of five electors (no setup). With --redis, runs real "
        "electors (threads and baton-agent processes) on a Redis server."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(labOptions());
    *exitCode = 2;
    if (!parser.parse(QCoreApplication::arguments())) {
        std::fprintf(stderr, "baton: %s (baton --help lists the options)\n",
                     qPrintable(parser.errorText()));
        return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();

    baton::lab::MainWindow::Options o;
    o.redisUrl = withPasswordFromEnvironment(parser.value(QStringLiteral("redis")));
    o.scenarioPath = parser.value(QStringLiteral("scenario"));
    o.agentPath = parser.value(QStringLiteral("agent"));
    o.localRedis = parser.isSet(QStringLiteral("local-redis"));
    o.localRedisHa = parser.isSet(QStringLiteral("local-redis-ha"));
    o.tune = parser.isSet(QStringLiteral("tune"));
    const bool valid =
        readNumber(parser, "electors", 1, 200, o.electors, "a whole number from 1 to 200") &&
        readNumber(parser, "min-replicas", 0, 100, o.minReplicas, "a whole number from 0 to 100") &&
        readNumber(parser, "polling-only", 0, o.electors, o.pollingOnlyElectors,
                   "from 0 to the number of electors") &&
        readNumber(parser, "speed", 0.1, 100.0, o.speed, "a number from 0.1 to 100") &&
        readNumber(parser, "agents", 0, 50, o.agents, "a whole number from 0 to 50") &&
        checkLockOptions(parser, o) && checkRedisOptions(parser, o) &&
        readNumber(parser, "shards", 0, 1000, o.shards, "a whole number from 0 (none) to 1000") &&
        checkShardOptions(o);
    if (!valid)
        return std::nullopt;
    return o;
}

} // namespace

int main(int argc, char** argv) {
    int exitCode = 0;
    const auto options = readCommandLine(argc, argv, &exitCode);
    if (!options)
        return exitCode;
    if (const std::string why = missingDisplay(); !why.empty()) {
        std::fprintf(stderr,
                     "baton: no display to open the lab's window on (%s).\n"
                     "  On a machine without one, give it a virtual display: xvfb-run "
                     "scripts/run.sh (or xvfb-run baton ...).\n"
                     "  For headless runs, baton-sim plays the same scenarios on virtual time "
                     "and checks them: baton-sim --help.\n",
                     why.c_str());
        return 2;
    }
    QApplication app(argc, argv);
    // Wayland and the task bar match the window to the desktop entry (and its icon) by this.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.baton.Baton"));
    baton::lab::quitOnEndingSignals(app);
    baton::lab::MainWindow window(*options);
    window.show();
    if (options->tune) // once the cluster is up, so that the window starts from its timings
        QObject::connect(
            &window.controller(), &baton::lab::LabController::snapshotChanged, &window,
            [&window] { window.openTuning()->runSweep(); }, Qt::SingleShotConnection);
    return QApplication::exec();
}
