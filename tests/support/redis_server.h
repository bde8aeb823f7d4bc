#pragma once
// Test support: a real redis-server owned by one test: its own free port and unix socket, its
// own temporary directory, no persistence; killed, paused, restarted and stopped on demand.
// Blocking by design (a test waits for it); the lab's own, which must never block the GUI
// thread, is ui/local_redis_server.h.

#include <baton/redis/free_port.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <hiredis/hiredis.h>

#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace baton::test {

class RedisServer {
public:
    struct Options {
        QString password;     ///< requirepass for the default user
        QStringList aclUsers; ///< e.g. "alice on >secret ~* &* +@all"
    };

    /// Before start(): run a redis-sentinel with these configuration lines (sentinel monitor
    /// ...), written once, then kept as the sentinel rewrites it (a restart keeps its state).
    void setSentinelConfig(const QString& lines) { m_sentinelConfig = lines; }
    /// Before start(): shift the server's wall clock by `seconds` (see clockShiftLibrary());
    /// the process is still the server itself, so signals reach it.
    void setClockShift(int seconds) { m_clockShift = seconds; }

    /// The library that shifts a server's wall clock (support/clock_shift.cpp), or empty when
    /// this test was not built with it (BATON_CLOCK_SHIFT_LIBRARY).
    static QString clockShiftLibrary() {
#ifdef BATON_CLOCK_SHIFT_LIBRARY
        return QStringLiteral(BATON_CLOCK_SHIFT_LIBRARY);
#else
        return {};
#endif
    }

    /// Arguments that make a server a replica of the one on `port` (read-only).
    static QStringList replicaOf(int port) {
        return {QStringLiteral("--replicaof"), QStringLiteral("127.0.0.1"), QString::number(port)};
    }
    /// Arguments for a Redis Cluster node (see serveAllSlots()).
    static QStringList clusterNode() {
        // A short node timeout: the state turns ok that much after the slots are added. The
        // bus port is a free one of its own (by default it is the port + 10000, which may not
        // exist).
        return {QStringLiteral("--cluster-enabled"),      QStringLiteral("yes"),
                QStringLiteral("--cluster-config-file"),  QStringLiteral("nodes.conf"),
                QStringLiteral("--cluster-node-timeout"), QStringLiteral("500"),
                QStringLiteral("--cluster-port"),         QString::number(freeLoopbackPort())};
    }
    /// Makes a started cluster node a one-node Cluster that serves every slot: commands work,
    /// and keys of one call in different slots fail with CROSSSLOT, as on a real Cluster.
    [[nodiscard]] bool serveAllSlots() {
        cli({QStringLiteral("CLUSTER"), QStringLiteral("ADDSLOTSRANGE"), QStringLiteral("0"),
             QStringLiteral("16383")});
        return QTest::qWaitFor(
            [this] {
                return cli({QStringLiteral("CLUSTER"), QStringLiteral("INFO")})
                    .contains(u"cluster_state:ok");
            },
            10000);
    }

    RedisServer() = default;
    ~RedisServer() {
        stop();
    }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    static QString executable() {
        return QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    }

    /// Starts on a free port; returns false (with a message in error()) when it cannot.
    /// `extraArgs` are more redis-server arguments, e.g. replicaOf(port) or clusterNode().
    [[nodiscard]] bool start(Options options = {}, QStringList extraArgs = {}) {
        m_options = std::move(options);
        m_extraArgs = std::move(extraArgs);
        if (executable().isEmpty()) {
            m_error = QStringLiteral("redis-server not found: apt-get install redis-server");
            return false;
        }
        if (!m_port)
            m_port = freeLoopbackPort();
        return launch();
    }

    /// Starts again on the same port and socket (after kill() or stop()); data is gone.
    [[nodiscard]] bool restart() {
        stop();
        return launch();
    }

    void signal(int sig) {
        if (m_process.state() != QProcess::NotRunning)
            ::kill(static_cast<pid_t>(m_process.processId()), sig);
    }
    void kill() {
        signal(SIGKILL);
        m_process.waitForFinished(5000);
    }
    void pause() {
        signal(SIGSTOP);
    }
    void resume() {
        signal(SIGCONT);
    }
    void stop() {
        if (m_process.state() == QProcess::NotRunning)
            return;
        resume();
        signal(SIGKILL);
        m_process.waitForFinished(5000);
    }

    int port() const {
        return m_port;
    }
    bool running() const {
        return m_process.state() != QProcess::NotRunning;
    }
    QString socketPath() const {
        return m_dir.filePath(QStringLiteral("redis.sock"));
    }
    std::string url(const QString& credentials = {}, int db = 0) const {
        QString u = QStringLiteral("redis://") + credentials +
                    (credentials.isEmpty() ? QString() : QStringLiteral("@")) +
                    QStringLiteral("127.0.0.1:%1").arg(m_port);
        if (db)
            u += QStringLiteral("/%1").arg(db);
        return u.toStdString();
    }
    QString error() const {
        return m_error;
    }

    /// Runs redis-cli against this server; returns its standard output, trimmed.
    QString cli(const QStringList& args) const {
        QProcess p;
        QStringList all{QStringLiteral("-p"), QString::number(m_port)};
        if (!m_options.password.isEmpty())
            all << QStringLiteral("-a") << m_options.password
                << QStringLiteral("--no-auth-warning");
        p.start(QStringLiteral("redis-cli"), all + args);
        p.waitForFinished(10000);
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }

private:
    bool answers() const {
        timeval tv{0, 200000};
        redisContext* c = redisConnectWithTimeout("127.0.0.1", m_port, tv);
        bool ok = false;
        if (c && !c->err) {
            redisSetTimeout(c, tv);
            if (auto* r = static_cast<redisReply*>(redisCommand(c, "PING"))) {
                ok = true; // PONG, or NOAUTH: either way it is serving
                freeReplyObject(r);
            }
        }
        if (c)
            redisFree(c);
        return ok;
    }

    // The sentinel's configuration file (written on the first start only) and the arguments
    // that make redis-server a sentinel.
    QStringList sentinelArgs() {
        const QString path = m_dir.filePath(QStringLiteral("sentinel.conf"));
        QFile conf(path);
        if (!conf.exists() && conf.open(QIODevice::WriteOnly))
            conf.write(m_sentinelConfig.toUtf8());
        return {path, QStringLiteral("--sentinel")};
    }

    bool launch() {
        QStringList args{QStringLiteral("--port"), QString::number(m_port),
                         QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                         QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"),
                         QStringLiteral("no"), QStringLiteral("--dir"), m_dir.path(),
                         QStringLiteral("--unixsocket"), socketPath(),
                         QStringLiteral("--unixsocketperm"), QStringLiteral("700"),
                         QStringLiteral("--logfile"), m_dir.filePath(QStringLiteral("redis.log")),
                         // A replica's first sync starts at once, not 5 s later.
                         QStringLiteral("--repl-diskless-sync-delay"), QStringLiteral("0")};
        if (!m_options.password.isEmpty())
            args << QStringLiteral("--requirepass") << m_options.password;
        for (const QString& user : m_options.aclUsers)
            args << QStringLiteral("--user") << user.split(QLatin1Char(' '));
        args << m_extraArgs;
        if (!m_sentinelConfig.isEmpty())
            args = sentinelArgs() + args;
        if (m_clockShift != 0) {
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("LD_PRELOAD"), clockShiftLibrary());
            env.insert(QStringLiteral("BATON_CLOCK_SHIFT_SECONDS"), QString::number(m_clockShift));
            m_process.setProcessEnvironment(env);
        }
        m_process.setProgram(executable());
        m_process.setArguments(args);
        m_process.start();
        if (!m_process.waitForStarted(5000)) {
            m_error = QStringLiteral("redis-server did not start: ") + m_process.errorString();
            return false;
        }
        if (!QTest::qWaitFor(
                [this] { return answers() || m_process.state() == QProcess::NotRunning; }, 10000) ||
            m_process.state() == QProcess::NotRunning) {
            QFile log(m_dir.filePath(QStringLiteral("redis.log")));
            const QByteArray last =
                log.open(QIODevice::ReadOnly) ? log.readAll().trimmed().split('\n').last() : "";
            m_error = QStringLiteral("redis-server on port %1 does not answer: %2")
                          .arg(m_port)
                          .arg(QString::fromUtf8(last));
            return false;
        }
        return true;
    }

    Options m_options;
    QString m_sentinelConfig;
    int m_clockShift = 0;
    QStringList m_extraArgs;
    QTemporaryDir m_dir;
    QProcess m_process;
    int m_port = 0;
    QString m_error;
};

} // namespace baton::test
