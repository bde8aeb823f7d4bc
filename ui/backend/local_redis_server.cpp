#include "backend/local_redis_server.h"

#include "backend/child_process.h"

#include <baton/redis/free_port.h>

#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include <csignal>
#include <unistd.h>

namespace baton::lab {

namespace {

constexpr int kProbeIntervalMs = 50;
constexpr qint64 kAnswerWithinMs = 10'000;
// A port taken by somebody else between choosing it and binding it: try another.
constexpr int kMaxLaunches = 3;

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

LocalRedisServer::LocalRedisServer(QObject* parent)
    : QObject(parent) {}

LocalRedisServer::~LocalRedisServer() {
    stop();
}

QString LocalRedisServer::executable() {
    return QStandardPaths::findExecutable(QStringLiteral("redis-server"));
}

QString LocalRedisServer::url() const {
    return m_ready ? QStringLiteral("redis://:%1@127.0.0.1:%2").arg(m_password).arg(m_port)
                   : QString();
}

qint64 LocalRedisServer::processId() const {
    return m_process && m_process->state() != QProcess::NotRunning ? m_process->processId() : 0;
}

bool LocalRedisServer::sendSignal(int signal) {
    const qint64 pid = processId();
    return pid > 0 && ::kill(pid_t(pid), signal) == 0;
}

void LocalRedisServer::start() {
    if (m_process)
        return;
    m_error.clear();
    m_launches = 0;
    m_executable = executable(); // searched once, not again at each launch
    if (m_executable.isEmpty()) {
        fail(QStringLiteral("redis-server not found: apt-get install redis-server"));
        return;
    }
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid()) {
        fail(QStringLiteral("cannot make a directory for redis-server: ") + m_dir->errorString());
        return;
    }
    launch();
}

void LocalRedisServer::startOnPort(int port) {
    if (m_process)
        return;
    m_wantedPort = port;
    start();
}

void LocalRedisServer::launch() {
    ++m_launches;
    m_port = m_wantedPort ? m_wantedPort : baton::freeLoopbackPort();
    if (!m_port) {
        fail(QStringLiteral("no free TCP port on 127.0.0.1 for redis-server"));
        return;
    }
    // A password of its own, so that no other local user can drive the lab's agents; it goes
    // in a file in the private directory, never on a command line that ps shows.
    if (m_password.isEmpty()) {
        const quint64 a = QRandomGenerator::system()->generate64();
        const quint64 b = QRandomGenerator::system()->generate64();
        m_password = QString::number(a, 16) + QString::number(b, 16);
    }
    const QString config = m_dir->filePath(QStringLiteral("redis.conf"));
    QFile file(config);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write("requirepass " + m_password.toLatin1() + "\n" + m_extraConfig) < 0) {
        fail(QStringLiteral("cannot write %1: %2").arg(config, file.errorString()));
        return;
    }
    file.close();
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    m_process = new QProcess(this);
    m_process->setProgram(m_executable);
    QStringList args{config};
    if (m_sentinel)
        args << QStringLiteral("--sentinel"); // it rewrites its config: the file stays its own
    args << QStringLiteral("--port") << QString::number(m_port) << QStringLiteral("--bind")
         << QStringLiteral("127.0.0.1");
    if (!m_sentinel)
        args << QStringLiteral("--save") << QString() << QStringLiteral("--appendonly")
             << QStringLiteral("no");
    args << QStringLiteral("--dir") << m_dir->path() << QStringLiteral("--logfile")
         << m_dir->filePath(QStringLiteral("redis.log"));
    m_process->setArguments(args);
    m_process->setStandardInputFile(QProcess::nullDevice());
    dieWithLab(*m_process); // start() runs on a long-lived thread: PDEATHSIG follows it
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            fail(QStringLiteral("redis-server did not start: ") + m_process->errorString());
    });
    connect(m_process, &QProcess::finished, this,
            [this](int exitCode, QProcess::ExitStatus) { onFinished(exitCode); });
    if (!m_probeTimer) {
        m_probeTimer = new QTimer(this);
        m_probeTimer->setInterval(kProbeIntervalMs);
        connect(m_probeTimer, &QTimer::timeout, this, &LocalRedisServer::probe);
    }
    m_startedAtMs = nowMs();
    m_process->start();
    m_probeTimer->start();
}

void LocalRedisServer::onFinished(int exitCode) {
    if (m_stopping || !m_process)
        return;
    const QString log = logTail();
    m_process->deleteLater();
    m_process = nullptr;
    if (m_probe) {
        m_probe->deleteLater();
        m_probe = nullptr;
    }
    if (!m_ready && m_launches < kMaxLaunches &&
        log.contains(QStringLiteral("Address already in use"))) {
        launch();
        return;
    }
    const bool wasReady = std::exchange(m_ready, false);
    QString why = wasReady ? QStringLiteral("redis-server on port %1 exited (code %2)")
                           : QStringLiteral("redis-server on port %1 exited at start (code %2)");
    why = why.arg(m_port).arg(exitCode);
    if (!log.isEmpty())
        why += QStringLiteral(": ") + log;
    fail(why);
}

// Asks PING over a socket of the event loop: the GUI thread never waits for an answer.
void LocalRedisServer::probe() {
    if (m_ready || !m_process)
        return;
    if (nowMs() - m_startedAtMs > kAnswerWithinMs) {
        fail(QStringLiteral("redis-server on port %1 did not answer within %2 s")
                 .arg(m_port)
                 .arg(kAnswerWithinMs / 1000));
        return;
    }
    if (m_probe || m_process->state() != QProcess::Running)
        return;
    m_probe = new QTcpSocket(this);
    QTcpSocket* socket = m_probe;
    auto drop = [this, socket] {
        if (m_probe == socket)
            m_probe = nullptr;
        socket->deleteLater();
    };
    connect(socket, &QTcpSocket::connected, this,
            [this, socket] { socket->write("AUTH " + m_password.toLatin1() + "\r\nPING\r\n"); });
    connect(socket, &QTcpSocket::errorOccurred, this, drop);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket, drop] {
        const QByteArray answer = socket->readAll();
        drop();
        if (!answer.contains("+PONG") || m_ready || !m_process)
            return;
        m_ready = true;
        m_probeTimer->stop();
        Q_EMIT ready(url());
    });
    socket->connectToHost(QStringLiteral("127.0.0.1"), quint16(m_port));
}

void LocalRedisServer::fail(const QString& why) {
    m_error = why;
    stop(); // stops the probe too
    Q_EMIT failed(why);
}

void LocalRedisServer::stop() {
    if (m_probeTimer)
        m_probeTimer->stop();
    if (m_probe) {
        m_probe->abort();
        m_probe->deleteLater();
        m_probe = nullptr;
    }
    m_ready = false;
    if (!m_process)
        return;
    m_stopping = true;
    m_process->disconnect(this);
    if (m_process->state() != QProcess::NotRunning) {
        // No data to keep: SIGKILL ends it at once, so the wait below is short.
        m_process->kill();
        m_process->waitForFinished(2000);
    }
    // Later: stop() may run inside one of the process's own signals.
    m_process->deleteLater();
    m_process = nullptr;
    m_stopping = false;
}

QString LocalRedisServer::logTail() const {
    if (!m_dir)
        return {};
    QFile f(m_dir->filePath(QStringLiteral("redis.log")));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    return lines.isEmpty() ? QString() : QString::fromUtf8(lines.back()).trimmed();
}

} // namespace baton::lab
