// What a healthy elector costs the store (issue 16): real baton-agent processes on a test-owned
// redis-server, Redis requests counted with INFO commandstats over 10 TTLs. A leader costs one
// extend per refresh interval and nothing else; a follower about one request per TTL in all,
// presence included (carried by its acquires), and no keep-alive PING (TCP keep-alive).

#include "support/agent_process.h"
#include "support/redis_server.h"

#include <baton/redis/resource_directory.h>

#include <QTest>

#include <map>
#include <memory>
#include <set>

using namespace baton;
using namespace baton::test;

class TestStoreCost : public QObject {
    Q_OBJECT
    static constexpr int kTtlMs = 1000, kRefreshMs = 200, kTtls = 10;

    RedisServer m_server;
    std::vector<std::unique_ptr<AgentProcess>> m_agents;

    AgentProcess& launch(const QString& id) {
        // The agent's default ratios (refresh a fifth of the ttl, retry the ttl), 5x faster.
        return launchAgent(m_agents, id, m_server.url(),
                           {QStringLiteral("--ttl"), QStringLiteral("%1ms").arg(kTtlMs),
                            QStringLiteral("--refresh"), QStringLiteral("%1ms").arg(kRefreshMs),
                            QStringLiteral("--retry"), QStringLiteral("%1ms").arg(kTtlMs)});
    }

    // Requests per command so far: INFO commandstats without INFO itself and without the
    // commands Baton's scripts run inside one EVALSHA (INFO counts those apart).
    std::map<std::string, long long> requests() const {
        static const std::set<QString> inside{
            QStringLiteral("get"),  QStringLiteral("pttl"),   QStringLiteral("pexpire"),
            QStringLiteral("time"), QStringLiteral("incr"),   QStringLiteral("set"),
            QStringLiteral("del"),  QStringLiteral("hset"),   QStringLiteral("hscan"),
            QStringLiteral("hdel"), QStringLiteral("strlen"), QStringLiteral("info")};
        std::map<std::string, long long> out;
        const QString text = m_server.cli({QStringLiteral("INFO"), QStringLiteral("commandstats")});
        for (const QString& line : text.split(QLatin1Char('\n'))) {
            const qsizetype colon = line.indexOf(QLatin1String(":calls="));
            if (!line.startsWith(QLatin1String("cmdstat_")) || colon < 0)
                continue;
            const QString name = line.mid(8, colon - 8);
            if (!inside.contains(name))
                out[name.toStdString()] =
                    line.mid(colon + 7).section(QLatin1Char(','), 0, 0).toLongLong();
        }
        return out;
    }
    // Requests per command over `ttls` TTLs from now.
    std::map<std::string, long long> over(int ttls) const {
        const auto before = requests();
        QTest::qWait(ttls * kTtlMs); // the measurement window itself: real time must pass
        std::map<std::string, long long> d;
        for (const auto& [name, n] : requests())
            if (const long long k = n - (before.contains(name) ? before.at(name) : 0))
                d[name] = k;
        return d;
    }
    static long long total(const std::map<std::string, long long>& d) {
        long long sum = 0;
        for (const auto& [name, n] : d)
            sum += n;
        return sum;
    }
    static QByteArray text(const std::map<std::string, long long>& d) {
        QByteArray out;
        for (const auto& [name, n] : d)
            out += QByteArray::fromStdString(name) + '=' + QByteArray::number(n) + ' ';
        return out;
    }
    static bool sawLeader(const AgentProcess& a, const QString& leader) {
        for (const QJsonObject& e : a.events(QStringLiteral("leader-changed")))
            if (e.value(QStringLiteral("leader")).toString() == leader)
                return true;
        return false;
    }

private slots:
    void init() { QVERIFY2(m_server.start(), qPrintable(m_server.error())); }
    void cleanup() {
        m_agents.clear();
        m_server.stop();
    }

    // Given one agent alone, when it leads: one extend per refresh interval and nothing else.
    // Given two more, when they follow: about one request per TTL each, presence included, and
    // every member's entry stays live all along.
    void aHealthyElectorCostsOneCallPerInterval() {
        AgentProcess& leader = launch(QStringLiteral("agent-0"));
        QTRY_COMPARE(leader.count(QStringLiteral("elected")), 1);
        QTest::qWait(kTtlMs); // start-up writes (presence, subscriptions) are not steady state
        const auto alone = over(kTtls);
        const long long extends = kTtls * kTtlMs / kRefreshMs;
        qInfo("leader alone over %d TTLs: %s", kTtls, text(alone).constData());
        QVERIFY2(total(alone) <= extends + 1, text(alone).constData());
        QVERIFY2(alone.size() == 1 && alone.contains("evalsha"), text(alone).constData());

        AgentProcess& one = launch(QStringLiteral("agent-1"));
        AgentProcess& two = launch(QStringLiteral("agent-2"));
        QTRY_VERIFY(sawLeader(one, leader.id()) && sawLeader(two, leader.id()));
        QTest::qWait(kTtlMs);
        RedisStore store(m_server.url());
        ResourceDirectory directory(store);
        QCOMPARE(directory.read("jobs").members.size(), std::size_t(3));
        const auto three = over(kTtls);
        const double perFollowerPerTtl = double(total(three) - total(alone)) / 2 / kTtls;
        qInfo("3 agents over %d TTLs: %s; a follower: %.2f requests per TTL", kTtls,
              text(three).constData(), perFollowerPerTtl);
        // A follower tries at the holder's expiry, which it reads between two extends: a try
        // per TTL less up to one refresh interval, 1.25 at most at these ratios.
        QVERIFY2(perFollowerPerTtl <= 1.3, text(three).constData());
        QVERIFY2(!three.contains("ping") && !three.contains("publish"), text(three).constData());
        QCOMPARE(directory.read("jobs").members.size(), std::size_t(3));
        QCOMPARE(leader.count(QStringLiteral("elected")), 1);
    }
};

QTEST_GUILESS_MAIN(TestStoreCost)
#include "test_store_cost.moc"
