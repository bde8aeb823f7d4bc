#pragma once
// A private redis-server for the lab's Redis mode when there is no Redis at hand: a free
// loopback port, a temporary directory, no persistence. It lives as long as its owner and dies
// with the lab. Starting never blocks: start(), then ready(url) or failed(why).
//
// (tests/support/redis_server.h is the tests' blocking fixture, with passwords, ACL users,
// pause and restart; this one serves the GUI and only ever starts and stops.)

#include <QObject>
#include <QString>

#include <memory>

class QProcess;
class QTcpSocket;
class QTemporaryDir;
class QTimer;

namespace baton::lab {

class LocalRedisServer : public QObject {
    Q_OBJECT
public:
    explicit LocalRedisServer(QObject* parent = nullptr);
    /// Stops the server (SIGKILL: there is nothing to save) and removes its directory.
    ~LocalRedisServer() override;

    /// Starts redis-server without blocking; ready() or failed() follows. Call it on a thread
    /// that lives as long as the server (the GUI thread): the server is killed when the thread
    /// that started it ends, so a crashed lab leaves no server behind. Does nothing while
    /// starting or running.
    void start();
    /// start() on `port` (the one it had before it was killed, so that whoever polls or
    /// remembers it finds it again) instead of a fresh one.
    void startOnPort(int port);
    /// Stops it now (also done by the destructor).
    void stop();

    /// Before start(): the requirepass to use (empty: a random one), lines added to its
    /// configuration (replicaof, masterauth, sentinel monitor...), and whether it runs as a
    /// sentinel. The HA setup (local_redis_ha.h) makes its five nodes this way.
    void setPassword(const QString& password) { m_password = password; }
    void setExtraConfig(const QByteArray& lines) { m_extraConfig = lines; }
    void setSentinel(bool sentinel) { m_sentinel = sentinel; }
    QString password() const { return m_password; }
    /// Sends a signal to the running server (SIGKILL, SIGSTOP, SIGCONT); false when not running.
    bool sendSignal(int signal);

    bool isReady() const { return m_ready; }
    /// "redis://:PASSWORD@127.0.0.1:PORT" once ready (a random password of its own: show it
    /// only through redactUrl), else empty.
    QString url() const;
    int port() const { return m_port; }
    /// The server's process id while it runs, else 0.
    qint64 processId() const;
    /// Why the last start failed, else empty.
    QString error() const { return m_error; }

    /// Where redis-server is on PATH, or empty.
    static QString executable();

Q_SIGNALS:
    void ready(const QString& url);
    /// It could not start, or it died after starting.
    void failed(const QString& why);

private:
    void launch();
    void probe();
    void fail(const QString& why);
    void onFinished(int exitCode);
    QString logTail() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess* m_process = nullptr;
    QTimer* m_probeTimer = nullptr;
    QTcpSocket* m_probe = nullptr;
    qint64 m_startedAtMs = 0;
    int m_port = 0;
    int m_wantedPort = 0; ///< startOnPort's; 0: a free one at each launch
    int m_launches = 0;
    bool m_ready = false;
    bool m_stopping = false;
    QString m_error;
    QString m_executable;
    QString m_password; ///< requirepass, random per lab
    QByteArray m_extraConfig;
    bool m_sentinel = false;
};

} // namespace baton::lab
