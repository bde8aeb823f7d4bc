// baton-agent --shards N on a test-owned redis-server: real processes, one leader per shard
// throughout, fair share when they settle, when one is killed, one stopped and one joins.

#include "support/agent_process.h"
#include "support/proc_status.h"
#include "support/redis_server.h"
#include "support/shard_leaders.h"
#include "support/unread_pipe.h"

#include <QTest>

#include <array>
#include <map>
#include <memory>
#include <set>

#include <baton/redis/redis_store.h>
#include <baton/wire/member.h>

using namespace baton;
using namespace baton::test;

class TestShardedAgent : public QObject {
    Q_OBJECT
    static constexpr int kShards = 20;

    RedisServer m_server;
    std::vector<std::unique_ptr<AgentProcess>> m_agents;
    std::map<const AgentProcess*, double> m_killedAt;

    AgentProcess& launch(const QString& id) {
        return launchAgent(m_agents, id, m_server.url(),
                           {QStringLiteral("--shards"), QString::number(kShards),
                            QStringLiteral("--ttl"), QStringLiteral("1s"),
                            QStringLiteral("--refresh"), QStringLiteral("200ms"),
                            QStringLiteral("--retry"), QStringLiteral("1s")});
    }
    // Every shard led by exactly one live agent, and each leads between `least` and `most`.
    bool shared(const std::vector<AgentProcess*>& live, int least, int most) const {
        std::map<QString, int> leaders;
        for (const AgentProcess* a : live) {
            const auto mine = shardsLed(*a);
            if (int(mine.size()) < least || int(mine.size()) > most)
                return false;
            for (const QString& s : mine)
                ++leaders[s];
        }
        if (int(leaders.size()) != kShards)
            return false;
        for (const auto& [shard, n] : leaders)
            if (n != 1)
                return false;
        return true;
    }
    // Agents a, b and c, started together.
    std::array<AgentProcess*, 3> launchThree() {
        return {&launch(QStringLiteral("a")), &launch(QStringLiteral("b")),
                &launch(QStringLiteral("c"))};
    }
    // Settled: their shares reached, and no election for one and a half TTLs (members that
    // were over their share have handed over).
    bool settledAtShare(const std::vector<AgentProcess*>& live) const {
        return shared(live, kShards / int(live.size()), kShards / int(live.size()) + 1) &&
               nowMs() - lastElectedMs() > 1500;
    }

    // Elections so far, in all agents' events, and when the last one was.
    int elections(const QString& type = QStringLiteral("elected")) const {
        int n = 0;
        for (const auto& agent : m_agents)
            n += agent->count(type);
        return n;
    }
    double lastElectedMs() const {
        double last = 0;
        for (const auto& agent : m_agents)
            for (const QJsonObject& e : agent->events(QStringLiteral("elected")))
                last = std::max(last, e.value(QStringLiteral("t")).toDouble());
        return last;
    }

    // No two terms of one shard overlap in any agent's events (a killed agent's terms end at
    // the kill; the lock expires later still).
    QString overlaps() const {
        std::map<QString, std::vector<std::pair<double, int>>> changes; // t, +1 / -1
        for (const auto& a : m_agents) {
            std::set<QString> open;
            for (const QJsonObject& e : a->events()) {
                const QString type = e.value(QStringLiteral("event")).toString();
                const QString shard = e.value(QStringLiteral("resource")).toString();
                const double t = e.value(QStringLiteral("t")).toDouble();
                if (type == QLatin1String("elected")) {
                    changes[shard].emplace_back(t, 1);
                    open.insert(shard);
                } else if ((type == QLatin1String("revoked") || type == QLatin1String("stopped")) &&
                           open.erase(shard)) {
                    changes[shard].emplace_back(t, -1);
                }
            }
            if (const auto it = m_killedAt.find(a.get()); it != m_killedAt.end())
                for (const QString& shard : open)
                    changes[shard].emplace_back(it->second, -1);
        }
        for (auto& [shard, list] : changes) {
            std::sort(list.begin(), list.end()); // at one instant, an end before a begin
            int leaders = 0;
            for (const auto& [t, d] : list)
                if ((leaders += d) > 1)
                    return shard + QStringLiteral(" had two leaders at %1").arg(t, 0, 'f', 3);
        }
        return {};
    }

private slots:
    void init() { QVERIFY2(m_server.start(), qPrintable(m_server.error())); }
    void cleanup() {
        m_agents.clear();
        m_killedAt.clear();
        m_server.stop();
    }

    // Given three sharded agents, when they settle, then each leads 6 or 7 of 20; when one is
    // killed, the other two take its shards over (10 each); when one more stops, the last leads
    // all 20; when a new one joins, the two share them 10 and 10. One leader per shard always.
    void killStopJoinKeepsOneLeaderPerShardAndAFairShare() {
        AgentProcess& a = launch(QStringLiteral("a"));
        AgentProcess& b = launch(QStringLiteral("b"));
        AgentProcess& c = launch(QStringLiteral("c"));
        QTRY_VERIFY_WITH_TIMEOUT(shared({&a, &b, &c}, kShards / 3, kShards / 3 + 1), 15000);
        // Their presence entries say how many shards the family has, where each runs, and
        // that none obeys control messages.
        RedisStore store(m_server.url());
        const MemberEntries entries = store.members("jobs");
        QCOMPARE(entries.entries.size(), std::size_t(3));
        for (const auto& [id, json] : entries.entries) {
            const auto m = wire::decodeMember(id, json);
            QVERIFY2(m, json.c_str());
            QCOMPARE(m->shardCount, std::uint64_t(kShards));
            QVERIFY2(!m->host.empty() && m->pid > 0 && !m->control, json.c_str());
        }

        m_killedAt[&c] = nowMs();
        c.signal(SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(shared({&a, &b}, kShards / 2, kShards / 2), 10000);

        b.signal(SIGTERM);
        QVERIFY(b.process().waitForFinished(5000));
        QCOMPARE(b.process().exitCode(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(shared({&a}, kShards, kShards), 5000);

        AgentProcess& d = launch(QStringLiteral("d"));
        QTRY_VERIFY_WITH_TIMEOUT(shared({&a, &d}, kShards / 2, kShards / 2), 15000);
        const QString overlap = overlaps();
        QVERIFY2(overlap.isEmpty(), qPrintable(overlap));
        for (const auto& agent : m_agents)
            QVERIFY2(agent->badLines().isEmpty(), qPrintable(agent->badLines().join(u'\n')));
    }

    // Given three sharded agents started together, when they settle, then each leads its share
    // (7, 7, 6 of 20) and each shard was won once: they saw each other's presence before they
    // campaigned and each took its own part, so nothing was handed over (before, the first to
    // campaign won most and handed shards round a TTL later).
    void agentsStartedTogetherHandNothingOver() {
        const auto [a, b, c] = launchThree();
        QTRY_VERIFY_WITH_TIMEOUT(settledAtShare({a, b, c}), 15000);
        QCOMPARE(elections(), kShards);
        QCOMPARE(elections(QStringLiteral("revoked")), 0);
        const QString overlap = overlaps();
        QVERIFY2(overlap.isEmpty(), qPrintable(overlap));
    }

    // Given three agents settled on 20 shards (7, 7, 6), when a fourth joins, then it is handed
    // the 5 its share asks for and nothing moves again: the members at their share answer the
    // handovers' release notices only after a head start for the joiner, so no shard goes to a
    // member that would hand it over once more (which made a shard change hands six times
    // before it settled).
    void aJoinMovesOnlyTheJoinersShare() {
        const auto [a, b, c] = launchThree();
        QTRY_VERIFY_WITH_TIMEOUT(settledAtShare({a, b, c}), 15000);
        const int before = elections();
        AgentProcess& d = launch(QStringLiteral("d"));
        QTRY_VERIFY_WITH_TIMEOUT(shared({a, b, c, &d}, kShards / 4, kShards / 4), 15000);
        // Settled: three TTLs later still the same (a member over its share hands over after
        // one), and no more elections than the joiner's share, give or take a race with a
        // retry that fell in the instant between a release and the joiner's acquire.
        const int settled = elections();
        QTest::qWait(3000);
        QVERIFY(shared({a, b, c, &d}, kShards / 4, kShards / 4));
        QCOMPARE(elections(), settled);
        qInfo("%d elections after the join (its share: %d)", settled - before, kShards / 4);
        QVERIFY2(settled - before <= kShards / 4 + 1,
                 qPrintable(QStringLiteral("%1 elections after the join").arg(settled - before)));
        const QString overlap = overlaps();
        QVERIFY2(overlap.isEmpty(), qPrintable(overlap));
    }

    // Given a sharded agent whose stdout is a pipe nobody reads (verbose: a line per extend),
    // when the pipe is full, then it still holds every shard for three TTLs (its extends go on)
    // on at most 4 threads, and SIGTERM still ends it, exit 0, its locks released.
    void blockedStdoutStallsNoElection() {
        UnreadPipe out;
        QVERIFY(out.ok());
        QProcess agent;
        out.becomeStdoutOf(agent);
        agent.start(QStringLiteral(BATON_AGENT_PATH),
                    {QStringLiteral("--redis"), QString::fromStdString(m_server.url()),
                     QStringLiteral("--resource"), QStringLiteral("quiet"),
                     QStringLiteral("--shards"), QString::number(kShards), QStringLiteral("--ttl"),
                     QStringLiteral("1s"), QStringLiteral("--refresh"), QStringLiteral("200ms"),
                     QStringLiteral("--retry"), QStringLiteral("1s"), QStringLiteral("--verbose"),
                     QStringLiteral("--id"), QStringLiteral("mute")});
        QVERIFY(agent.waitForStarted(5000));
        const qint64 pid = agent.processId();
        out.started();
        auto locks = [&] {
            int held = 0;
            for (int i = 0; i < kShards; ++i)
                held +=
                    m_server
                        .cli({QStringLiteral("EXISTS"), QString::fromStdString(RedisStore::key(
                                                            "quiet-" + std::to_string(i), "lock"))})
                        .trimmed() == QLatin1String("1");
            return held;
        };
        // Nobody reads: once the agent has written, the one-page pipe reports no room (a pipe
        // is writable only while it has a free buffer slot), so every later line must wait.
        QTRY_VERIFY_WITH_TIMEOUT(locks() == kShards && out.queued() > 0, 15000);
        const double full = nowMs();
        while (nowMs() - full < 3000) {
            QCOMPARE(locks(), kShards);
            QTest::qWait(100);
        }
        QVERIFY(statusKb(QString::number(pid), "Threads") <= 4);
        agent.terminate(); // SIGTERM
        QVERIFY(agent.waitForFinished(5000));
        QCOMPARE(agent.exitStatus(), QProcess::NormalExit);
        QCOMPARE(agent.exitCode(), 0);
        QCOMPARE(locks(), 0);
    }
};

QTEST_GUILESS_MAIN(TestShardedAgent)
#include "test_sharded_agent.moc"
