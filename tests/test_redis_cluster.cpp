// RedisStore on Redis Cluster: three real redis-server primaries on loopback (redis-cli
// --cluster create). Slots as Redis computes them, an election on the second node, a slot
// migrated mid-run (MOVED), a release notice over sharded pub/sub, bad URLs and nodes.

#include "support/redis_cluster.h"
#include "support/redis_options.h"

#include <baton/election/election.h>
#include <baton/redis/redis_store.h>
#include <baton/redis/resource_directory.h>

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <memory>
#include <mutex>

using namespace baton;
using namespace std::chrono_literals;

namespace {

// An elector with a store of its own, its events recorded.
struct Elector {
    Elector(const std::string& url, Config c)
        : store(url, test::quickOptions())
        , locker(store)
        , election(locker, journaled(std::move(c))) {}
    Config journaled(Config c) {
        c.onEvent = [this](const Event& e) {
            std::lock_guard guard(mutex);
            log.push_back(e);
        };
        return c;
    }
    std::vector<std::uint64_t> fences(EventType type) {
        std::lock_guard guard(mutex);
        std::vector<std::uint64_t> out;
        for (const Event& e : log)
            if (e.type == type)
                out.push_back(e.fence);
        return out;
    }
    RedisStore store;
    Locker locker;
    std::mutex mutex;
    std::vector<Event> log;
    Election election;
};

} // namespace

class TestRedisCluster : public QObject {
    Q_OBJECT
    test::RedisCluster m_cluster;

    // A resource whose keys are in a slot that node `node` serves.
    std::string resourceOn(int node, const std::string& prefix) {
        for (int i = 0; i < 1000; ++i) {
            const std::string name = prefix + std::to_string(i);
            if (m_cluster.ownerOf(RedisStore::clusterSlot(RedisStore::key(name, "lock"))) == node)
                return name;
        }
        return {};
    }
    std::unique_ptr<Elector> start(const std::string& resource, const std::string& id,
                                   Timing timing) {
        Config c;
        c.resource = resource;
        c.identity = id;
        c.timing = timing;
        auto e = std::make_unique<Elector>(m_cluster.url(), std::move(c));
        e->election.start();
        return e;
    }
    // A leader on `resource`, then a follower that has seen it lead; both empty when that did
    // not happen in time.
    std::pair<std::unique_ptr<Elector>, std::unique_ptr<Elector>>
    leaderAndFollower(const std::string& resource, Timing leader, Timing follower) {
        auto a = start(resource, "node-a", leader);
        if (!QTest::qWaitFor([&] { return a->election.isLeader(); }, 5000))
            return {};
        auto b = start(resource, "node-b", follower);
        if (!QTest::qWaitFor([&] { return !b->fences(EventType::LeaderChanged).empty(); }, 5000))
            return {};
        return {std::move(a), std::move(b)};
    }
    QString lockOn(int node, const std::string& resource) {
        return m_cluster.node(node).cli(
            {QStringLiteral("GET"), test::text(RedisStore::key(resource, "lock"))});
    }

private slots:
    void initTestCase() { QVERIFY2(m_cluster.start(), qPrintable(m_cluster.error())); }

    // Given keys with and without hash tags, then the slot is the one Redis computes; and every
    // key and channel of one resource, whatever its name, shares one slot.
    void slotsAreRedis() {
        for (const std::string k :
             {"foo", "", "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}",
              "a}b{c", "{}", "}{", "baton:{jobs}:lock", "\xc3\xa9t\xc3\xa9"}) {
            const QString redis =
                m_cluster.node(0).cli({QStringLiteral("CLUSTER"), QStringLiteral("KEYSLOT"),
                                       QString::fromUtf8(k.c_str())});
            QCOMPARE(QString::number(RedisStore::clusterSlot(k)), redis);
        }
        for (const std::string name : {"jobs", "}b", "a{b}c", "", "x}y", "{", "}"}) {
            const int slot = RedisStore::clusterSlot(RedisStore::key(name, "lock"));
            for (const char* kind : {"fence", "events", "members", "control"})
                QCOMPARE(RedisStore::clusterSlot(RedisStore::key(name, kind)), slot);
        }
    }

    // Given a resource whose slot is on the second node and a URL naming the first only, then
    // an election runs there: one leader, the lock on that node, access checks pass.
    void electsOnTheSlotsNode() {
        const std::string r = resourceOn(1, "second-");
        QVERIFY(!r.empty());
        RedisStore store(m_cluster.url(), test::quickOptions());
        store.checkElectionAccess(r);
        QVERIFY2(test::text(store.endpoint())
                     .contains(QStringLiteral("(node 127.0.0.1:%1)").arg(m_cluster.node(1).port())),
                 store.endpoint().c_str());
        auto a = start(r, "node-a", {1500ms, 250ms, 300ms});
        auto b = start(r, "node-b", {1500ms, 250ms, 300ms});
        QTRY_VERIFY_WITH_TIMEOUT(a->election.isLeader() != b->election.isLeader(), 5000);
        const std::string leader = a->election.isLeader() ? "node-a" : "node-b";
        QVERIFY2(lockOn(1, r).contains(test::text(leader)), qPrintable(lockOn(1, r)));
        // One store serves resources on every node.
        const std::string third = resourceOn(2, "third-");
        QVERIFY(store.acquire(third, "t3", "node-c", 5s).acquired);
        QVERIFY(lockOn(2, third).contains(u"node-c"));
        QVERIFY(store.release(third, "t3"));
        a->election.stop();
        b->election.stop();
    }

    // Given a leader and a follower, when the resource's slot is migrated to another node
    // mid-run (MOVED from then on), then the leader keeps leading there, and after it stops the
    // follower takes over with a higher fence, told by a notice on the new node.
    void survivesASlotMigration() {
        const std::string r = resourceOn(1, "moving-");
        QVERIFY(!r.empty());
        const int slot = RedisStore::clusterSlot(RedisStore::key(r, "lock"));
        auto [a, b] = leaderAndFollower(r, {1500ms, 200ms, 300ms}, {1500ms, 200ms, 5000ms});
        QVERIFY(a && b);
        const auto first = a->fences(EventType::Elected);
        // Mid-move, the keys are on the new node and the old one answers ASK for them: extends
        // go on there.
        QVERIFY2(m_cluster.moveKeys(slot, 1, 2), qPrintable(m_cluster.error()));
        QVERIFY(lockOn(1, r).startsWith(u"ASK"));
        std::size_t extended = a->fences(EventType::Extended).size();
        QTRY_VERIFY_WITH_TIMEOUT(a->fences(EventType::Extended).size() >= extended + 3, 5000);
        QVERIFY2(m_cluster.finishMove(slot, 1, 2), qPrintable(m_cluster.error()));
        QCOMPARE(m_cluster.ownerOf(slot), 2);
        // Moved (MOVED from then on): several more succeed on the new node, none fails.
        extended = a->fences(EventType::Extended).size();
        QTRY_VERIFY_WITH_TIMEOUT(a->fences(EventType::Extended).size() >= extended + 4, 5000);
        QVERIFY2(test::text(a->store.endpoint())
                     .contains(QStringLiteral("(node 127.0.0.1:%1)").arg(m_cluster.node(2).port())),
                 a->store.endpoint().c_str());
        QVERIFY(a->election.isLeader());
        QVERIFY(a->fences(EventType::Revoked).empty());
        QVERIFY2(lockOn(2, r).contains(u"node-a"), qPrintable(lockOn(2, r)));
        QVERIFY2(lockOn(1, r).startsWith(u"MOVED"), qPrintable(lockOn(1, r)));
        // A graceful stop hands over by the release notice, long before the retry (5 s).
        QElapsedTimer handover;
        handover.start();
        a->election.stop();
        QTRY_VERIFY_WITH_TIMEOUT(b->election.isLeader(), 4000);
        qInfo("handover after the slot moved: %lld ms", static_cast<long long>(handover.elapsed()));
        QVERIFY2(handover.elapsed() < 1500, qPrintable(QString::number(handover.elapsed())));
        QVERIFY(b->fences(EventType::Elected).front() > first.front());
        b->election.stop();
    }

    // Given a follower with a long TTL and retry, when the leader stops, then the release
    // notice reaches it over sharded pub/sub (SSUBSCRIBE on the slot's node): it leads within
    // milliseconds, not at the lock's expiry.
    void releaseNoticeOverShardedPubSub() {
        const std::string r = resourceOn(2, "notice-");
        QVERIFY(!r.empty());
        auto [a, b] = leaderAndFollower(r, {10s, 1s, 10s}, {10s, 1s, 10s});
        QVERIFY(a && b);
        const QString channels =
            m_cluster.node(2).cli({QStringLiteral("PUBSUB"), QStringLiteral("SHARDCHANNELS")});
        QVERIFY2(channels.contains(test::text(RedisStore::key(r, "events"))), qPrintable(channels));
        QElapsedTimer handover;
        handover.start();
        a->election.stop();
        QTRY_VERIFY_WITH_TIMEOUT(b->election.isLeader(), 4000);
        qInfo("handover by a sharded release notice: %lld ms (ttl 10 s)",
              static_cast<long long>(handover.elapsed()));
        QVERIFY2(handover.elapsed() < 1000, qPrintable(QString::number(handover.elapsed())));
        QVERIFY(b->fences(EventType::Elected).front() > a->fences(EventType::Elected).front());
        b->election.stop();
    }

    // Given URLs that name no cluster node (a lone server, nobody) or need what Cluster lacks,
    // then each error says which and the way out, and never shows the password.
    void badNodesAreSaidClearly() {
        test::RedisServer plain;
        QVERIFY2(plain.start(), qPrintable(plain.error()));
        const QString lone = test::storeError<std::exception>("redis-cluster://127.0.0.1:" +
                                                              std::to_string(plain.port()));
        QVERIFY2(lone.contains(u"not a cluster node") && lone.contains(u"redis://host:port"),
                 qPrintable(lone));
        const int nobody = plain.port();
        plain.stop();
        const QString absent = test::storeError<std::exception>(
            "redis-cluster://alice:hunter2@127.0.0.1:" + std::to_string(nobody));
        QVERIFY2(absent.contains(u"cannot read the slot map") &&
                     absent.contains(u"is redis-server running there?"),
                 qPrintable(absent));
        QVERIFY2(!absent.contains(u"hunter2"), qPrintable(absent));
        const QString empty = test::storeError<std::exception>("redis-cluster://");
        QVERIFY2(empty.contains(u"the list of cluster nodes is empty"), qPrintable(empty));

        // One node down of the list: the next one is asked.
        RedisStore store("redis-cluster://127.0.0.1:" + std::to_string(nobody) +
                             ",127.0.0.1:" + std::to_string(m_cluster.node(1).port()),
                         test::quickOptions());
        QVERIFY(store.acquire("jobs", "t", "node-a", 5s).acquired);
        QVERIFY(store.release("jobs", "t"));
        // Listing every resource is not done on a Cluster; one resource is read.
        ResourceDirectory directory(store);
        try {
            directory.scan();
            QFAIL("a scan on Cluster was accepted");
        } catch (const StoreError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(u"not supported on Redis Cluster"),
                     e.what());
        }
        QVERIFY(directory.read("jobs").error.empty());
    }

    // Given a running election on the second node and a replica of it, when that primary is
    // killed (SIGKILL), then the cluster promotes the replica and the election goes on there:
    // one leader again, fences increasing. (Last: the cluster has a dead node after it.)
    void survivesANodeFailover() {
        QVERIFY2(m_cluster.addReplica(1), qPrintable(m_cluster.error()));
        const std::string r = resourceOn(1, "failover-");
        QVERIFY(!r.empty());
        auto [a, b] = leaderAndFollower(r, {1500ms, 200ms, 300ms}, {1500ms, 200ms, 300ms});
        QVERIFY(a && b);
        QElapsedTimer failover;
        failover.start();
        m_cluster.node(1).kill();
        const int slot = RedisStore::clusterSlot(RedisStore::key(r, "lock"));
        QTRY_VERIFY_WITH_TIMEOUT(m_cluster.ownerOf(slot) == test::RedisCluster::kNodes, 15000);
        // One leader again, whose extends succeed on the promoted replica.
        QTRY_VERIFY_WITH_TIMEOUT(a->election.isLeader() != b->election.isLeader(), 10000);
        Elector* leader = a->election.isLeader() ? a.get() : b.get();
        const std::size_t extended = leader->fences(EventType::Extended).size();
        QTRY_VERIFY_WITH_TIMEOUT(leader->fences(EventType::Extended).size() >= extended + 3, 5000);
        QVERIFY(a->election.isLeader() != b->election.isLeader());
        qInfo("primary killed: a single leader extending on the promoted replica after %lld ms",
              static_cast<long long>(failover.elapsed()));
        std::vector<std::uint64_t> elected = a->fences(EventType::Elected);
        for (auto f : b->fences(EventType::Elected))
            elected.push_back(f);
        std::sort(elected.begin(), elected.end());
        QVERIFY(std::adjacent_find(elected.begin(), elected.end()) == elected.end());
        QVERIFY2(test::text(leader->store.endpoint())
                     .contains(QStringLiteral(":%1)").arg(m_cluster.replica().port())),
                 leader->store.endpoint().c_str());
        a->election.stop();
        b->election.stop();
    }
};

QTEST_GUILESS_MAIN(TestRedisCluster)
#include "test_redis_cluster.moc"
