#pragma once
// Test support: a private Redis Sentinel setup on free ports (a primary, one replica, three
// sentinels with a short down-after time), and ways to wait for what the sentinels see. Every
// wait polls a condition; none sleeps a fixed time.

#include "support/redis_server.h"

#include <baton/redis/sentinel_config.h>

#include <QElapsedTimer>

#include <array>
#include <memory>

namespace baton::test {

class SentinelSetup {
public:
    struct Options {
        QString password;         ///< requirepass (and masterauth) of the primary and replica
        QString sentinelPassword; ///< requirepass of the sentinels
        int replicaClockShift =
            0;                 ///< seconds the replica's wall clock is off (-86400: a day behind)
        int downAfterMs = 400; ///< how soon the sentinels call a silent primary down
    };
    static constexpr const char* kMaster = "mymaster";

    [[nodiscard]] bool start() { return start(Options()); }
    [[nodiscard]] bool start(Options options) {
        m_options = std::move(options);
        const RedisServer::Options node{m_options.password, {}};
        QStringList auth;
        if (!m_options.password.isEmpty())
            auth << QStringLiteral("--masterauth") << m_options.password;
        if (!m_nodes[0].start(node, auth))
            return fail(QStringLiteral("primary: ") + m_nodes[0].error());
        m_nodes[1].setClockShift(m_options.replicaClockShift);
        if (!m_nodes[1].start(node, auth + RedisServer::replicaOf(m_nodes[0].port())))
            return fail(QStringLiteral("replica: ") + m_nodes[1].error());
        for (auto& s : m_sentinels) {
            s.setSentinelConfig(sentinelConfig());
            if (!s.start({m_options.sentinelPassword, {}}))
                return fail(QStringLiteral("sentinel: ") + s.error());
        }
        return waitReady();
    }

    QString error() const { return m_error; }
    RedisServer& node(int i) { return m_nodes.at(static_cast<std::size_t>(i)); }
    RedisServer& sentinel(int i) { return m_sentinels.at(static_cast<std::size_t>(i)); }

    /// redis-sentinel://[:password@]127.0.0.1:S1,...,127.0.0.1:S3/mymaster[?query]; the
    /// sentinels' password is added to the query when they have one.
    std::string url(QString query = {},
                    const QString& master = QString::fromLatin1(kMaster)) const {
        QString u = QStringLiteral("redis-sentinel://");
        if (!m_options.password.isEmpty())
            u += u':' + m_options.password + u'@';
        QStringList hosts;
        for (const auto& s : m_sentinels)
            hosts << QStringLiteral("127.0.0.1:%1").arg(s.port());
        u += hosts.join(u',') + u'/' + master;
        if (!m_options.sentinelPassword.isEmpty())
            query += (query.isEmpty() ? QString() : QStringLiteral("&")) +
                     QStringLiteral("sentinelPassword=") + m_options.sentinelPassword;
        if (!query.isEmpty())
            u += u'?' + query;
        return u.toStdString();
    }

    /// The port sentinel `i` names as the primary's (0: none, or it does not answer).
    int primaryPort(int i) const {
        const QStringList a =
            m_sentinels.at(static_cast<std::size_t>(i))
                .cli({QStringLiteral("SENTINEL"), QStringLiteral("get-master-addr-by-name"),
                      QString::fromLatin1(kMaster)})
                .split(u'\n');
        return a.size() == 2 ? a[1].trimmed().toInt() : 0;
    }
    /// The node that every running sentinel names as primary and that says ROLE master.
    RedisServer* primary() {
        const int port = agreedPrimaryPort();
        for (auto& n : m_nodes)
            if (n.port() == port && n.running() && role(n) == u"master")
                return &n;
        return nullptr;
    }
    /// The node that is not the primary.
    RedisServer* replica() {
        RedisServer* p = primary();
        if (!p)
            return nullptr;
        return p == &m_nodes[0] ? &m_nodes[1] : &m_nodes[0];
    }
    static QString role(const RedisServer& n) {
        return n.cli({QStringLiteral("ROLE")}).section(u'\n', 0, 0).trimmed();
    }

    /// The replica is in sync and every sentinel knows it and the two other sentinels (so a
    /// failover can be agreed).
    [[nodiscard]] bool waitReady(int timeoutMs = 20000) {
        const bool ok = QTest::qWaitFor(
            [this] {
                // Online as the primary sees it (after the replica's first ACK): only then
                // does WAIT count it.
                RedisServer* p = primary();
                if (!p || !p->cli({QStringLiteral("INFO"), QStringLiteral("replication")})
                               .contains(u"state=online"))
                    return false;
                for (const auto& s : m_sentinels) {
                    const QString m = s.cli({QStringLiteral("SENTINEL"), QStringLiteral("master"),
                                             QString::fromLatin1(kMaster)});
                    if (!m.contains(u"num-slaves\n1") || !m.contains(u"num-other-sentinels\n2"))
                        return false;
                }
                return true;
            },
            timeoutMs);
        return ok || fail(QStringLiteral("the sentinels did not see the replica and each other"));
    }

    /// A lone sentinel that monitors `port` as `name` (quorum 1): its view can be made stale.
    static bool startLoneSentinel(RedisServer& sentinel, const QString& name, int port) {
        sentinel.setSentinelConfig(
            QStringLiteral("sentinel monitor %1 127.0.0.1 %2 1\n").arg(name).arg(port));
        return sentinel.start();
    }

    /// Kills (SIGKILL) the primary and waits until the sentinels name the replica and it is the
    /// primary; returns the milliseconds that took, or -1.
    qint64 killPrimaryAndWait(int timeoutMs = 20000) {
        RedisServer* old = primary();
        if (!old)
            return -1;
        const int oldPort = old->port();
        QElapsedTimer t;
        t.start();
        old->kill();
        return waitForPrimaryOtherThan(oldPort, timeoutMs) ? t.elapsed() : -1;
    }
    /// Waits until the sentinels agree on a primary that is not on `port` and it says so.
    [[nodiscard]] bool waitForPrimaryOtherThan(int port, int timeoutMs = 20000) {
        return QTest::qWaitFor(
            [&] {
                RedisServer* now = primary();
                return now && now->port() != port;
            },
            timeoutMs);
    }

    /// Starts the killed node again and waits until the sentinels have made it a replica of the
    /// new primary, in sync.
    [[nodiscard]] bool restartOldPrimaryAsReplica(int timeoutMs = 20000) {
        for (auto& n : m_nodes)
            if (!n.running() && !n.restart())
                return fail(QStringLiteral("restart: ") + n.error());
        return waitReady(timeoutMs);
    }

private:
    bool fail(const QString& why) {
        m_error = why;
        return false;
    }

    int agreedPrimaryPort() const {
        int port = 0;
        for (int i = 0; i < 3; ++i) {
            if (!m_sentinels.at(static_cast<std::size_t>(i)).running())
                continue;
            const int p = primaryPort(i);
            if (p == 0 || (port && p != port))
                return 0;
            port = p;
        }
        return port;
    }

    QString sentinelConfig() const {
        SentinelMonitor m;
        m.master = kMaster;
        m.primaryPort = m_nodes[0].port();
        m.downAfterMs = m_options.downAfterMs;
        m.authPass = m_options.password.toStdString();
        m.sentinelPass = m_options.sentinelPassword.toStdString();
        return QString::fromStdString(baton::sentinelConfig(m));
    }

    Options m_options;
    std::array<RedisServer, 2> m_nodes;
    std::array<RedisServer, 3> m_sentinels;
    QString m_error;
};

} // namespace baton::test
