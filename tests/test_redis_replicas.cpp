// Replicas and the lock: WAIT before an acquire or extend counts (RedisOptions::minReplicas),
// and fences that stay increasing when a replica whose clock is behind is promoted. Real
// redis-server processes; a replica paused with SIGSTOP, a wall clock shifted (LD_PRELOAD).

#include "support/printing.h"
#include "support/redis_options.h"
#include "support/sentinel_setup.h"

#include <baton/election/election.h>
#include <baton/redis/redis_store.h>

#include <QElapsedTimer>
#include <QTest>

#include <memory>
#include <mutex>

using namespace baton;
using namespace std::chrono_literals;

namespace {

RedisOptions quick(int minReplicas = 0) {
    RedisOptions o = test::quickOptions();
    o.minReplicas = minReplicas;
    o.replicaTimeout = 1s; // a loaded machine may take a while to acknowledge
    return o;
}

} // namespace

class TestRedisReplicas : public QObject {
    Q_OBJECT
    test::RedisServer m_primary, m_replica;

private slots:
    void init() {
        QVERIFY2(m_primary.start(), qPrintable(m_primary.error()));
        QVERIFY2(m_replica.start({}, test::RedisServer::replicaOf(m_primary.port())),
                 qPrintable(m_replica.error()));
        // Online as the primary sees it (after the replica's first ACK): only then does WAIT
        // count it.
        QTRY_VERIFY(m_primary.cli({QStringLiteral("INFO"), QStringLiteral("replication")})
                        .contains(u"state=online"));
    }
    void cleanup() {
        m_replica.stop();
        m_primary.stop();
    }

    // Given minReplicas 1 and a replica in sync, then acquire and extend count; when the
    // replica is paused (SIGSTOP), then both fail after the replica timeout, saying why, and
    // the lock stays with its token, so the same try succeeds once the replica is back.
    void waitMakesACallCountOnlyWhenAReplicaHasIt() {
        RedisStore store(m_primary.url(), quick(1));
        const AcquireReply first = store.acquire("jobs", "token-1", "node-a", 30s);
        QVERIFY(first.acquired);
        QVERIFY(store.extend("jobs", "token-1", 30s));

        m_replica.pause();
        QElapsedTimer waited;
        waited.start();
        const QString extendError = test::errorOf([&] { store.extend("jobs", "token-1", 30s); });
        QVERIFY2(extendError.contains(u"extend: 0 of the 1 replicas wanted acknowledged it within "
                                      u"1s (WAIT"),
                 qPrintable(extendError));
        QVERIFY(waited.elapsed() >= 990);
        const QString acquireError =
            test::errorOf([&] { store.acquire("other", "token-2", "node-a", 30s); });
        QVERIFY2(acquireError.startsWith(u"acquire: 0 of the 1 replicas"),
                 qPrintable(acquireError));
        QVERIFY(acquireError.contains(u"does not count"));

        m_replica.resume();
        const AcquireReply again = store.acquire("other", "token-2", "node-a", 30s);
        QVERIFY(again.acquired);
        QVERIFY(store.extend("jobs", "token-1", 30s));
        // Not taking a lock held by another writes nothing, and waits for nothing.
        m_replica.pause();
        const AcquireReply held = store.acquire("jobs", "token-3", "node-b", 30s);
        QVERIFY(!held.acquired);
        QCOMPARE(held.holder.identity, std::string("node-a"));
        m_replica.resume();
    }

    // Given more replicas wanted than there are, then every acquire fails and says how many
    // acknowledged.
    void tooFewReplicasFailEveryCall() {
        RedisStore store(m_primary.url(), quick(2));
        const QString error =
            test::errorOf([&] { store.acquire("jobs", "token-1", "node-a", 30s); });
        QVERIFY2(error.contains(u"1 of the 2 replicas wanted"), qPrintable(error));
    }

    // Given an election with minReplicas 1, when the replica is paused, then the leader's
    // extends fail and it stops leading at its deadline, and nobody else is elected until the
    // replica is back.
    void aLeaderWithoutItsReplicaStepsDown() {
        std::mutex mutex;
        std::vector<std::pair<std::string, Event>> events;
        std::vector<std::unique_ptr<RedisStore>> stores;
        std::vector<std::unique_ptr<Locker>> lockers;
        std::vector<std::unique_ptr<Election>> electors;
        for (int i = 0; i < 2; ++i) {
            stores.push_back(std::make_unique<RedisStore>(m_primary.url(), quick(1)));
            lockers.push_back(std::make_unique<Locker>(*stores.back()));
            Config c;
            c.resource = "jobs";
            c.identity = "node-" + std::to_string(i);
            c.timing = {1000ms, 200ms, 200ms};
            c.onEvent = [&, id = c.identity](const Event& e) {
                std::lock_guard guard(mutex);
                events.emplace_back(id, e);
            };
            electors.push_back(std::make_unique<Election>(*lockers.back(), std::move(c)));
            electors.back()->start();
        }
        const auto leaders = [&] {
            int n = 0;
            for (const auto& e : electors)
                n += e->isLeader() ? 1 : 0;
            return n;
        };
        const auto count = [&](EventType type) {
            std::lock_guard guard(mutex);
            return std::count_if(events.begin(), events.end(),
                                 [type](const auto& r) { return r.second.type == type; });
        };
        QTRY_COMPARE(leaders(), 1);
        m_replica.pause();
        QTRY_COMPARE_WITH_TIMEOUT(leaders(), 0, 3000);
        const auto electedWhilePaused = count(EventType::Elected);
        // Until both have tried (and been refused) a few times after the lock's ttl: nobody
        // may be elected.
        const auto errorsBefore = count(EventType::Error);
        QTRY_VERIFY_WITH_TIMEOUT(count(EventType::Error) >= errorsBefore + 6, 10000);
        QCOMPARE(count(EventType::Elected), electedWhilePaused);
        QCOMPARE(leaders(), 0);
        m_replica.resume();
        QTRY_COMPARE_WITH_TIMEOUT(leaders(), 1, 5000);
    }
    // Given a store that has seen fence F on a resource, when its own token's lock comes back
    // with a lower fence (somebody rewrote the lock), then the acquire is refused, the lock
    // released, and the error names both fences.
    void anAcquireBelowASeenFenceIsRefused() {
        RedisStore store(m_primary.url(), quick());
        const AcquireReply first = store.acquire("jobs", "token-1", "node-a", 30s);
        QVERIFY(first.acquired);
        QCOMPARE(store.highestFenceSeen("jobs"), first.fence);
        QVERIFY(store.release("jobs", "token-1"));
        m_primary.cli({QStringLiteral("SET"), QStringLiteral("baton:{jobs}:lock"),
                       QStringLiteral("{\"id\":\"node-a\",\"fence\":5,\"token\":\"token-2\"}")});
        const QString error =
            test::errorOf([&] { store.acquire("jobs", "token-2", "node-a", 30s); });
        QVERIFY2(error.contains(u"issued fence 5, not above fence %1"_qs.arg(first.fence)) &&
                     error.contains(u"refused and released"),
                 qPrintable(error));
        QCOMPARE(m_primary.cli({QStringLiteral("EXISTS"), QStringLiteral("baton:{jobs}:lock")}),
                 QStringLiteral("0"));
        // A retry of its own term gives its fence again, and is taken.
        const AcquireReply next = store.acquire("jobs", "token-3", "node-a", 30s);
        QVERIFY(next.acquired && next.fence > first.fence);
        QCOMPARE(store.acquire("jobs", "token-3", "node-a", 30s).fence, next.fence);
    }

    // Given a replica whose clock is a day behind (support/clock_shift.cpp), when it is promoted
    // after the primary's last terms never reached it, then electors that saw those terms still get
    // fences above them, and the counter carries that on to everyone.
    void fencesStayIncreasingAcrossAFailoverToABehindClock() {
        cleanup(); // this one needs sentinels
        QVERIFY(!test::RedisServer::clockShiftLibrary().isEmpty());
        test::SentinelSetup setup;
        QVERIFY2(setup.start({{}, {}, -86400, 400}), qPrintable(setup.error()));
        test::RedisServer& primary = setup.node(0);
        test::RedisServer& replica = setup.node(1);
        const auto seconds = [](const test::RedisServer& n) {
            return n.cli({QStringLiteral("TIME")}).section(u'\n', 0, 0).toLongLong();
        };
        QVERIFY2(seconds(primary) - seconds(replica) > 86000, "the replica's clock is not behind");

        RedisStore a(setup.url(), quick()), b(setup.url(), quick());
        const std::uint64_t f1 = a.acquire("jobs", "a-1", "node-a", 30s).fence;
        QVERIFY(!b.acquire("jobs", "b-1", "node-b", 30s).acquired);
        QCOMPARE(primary.cli({QStringLiteral("WAIT"), QStringLiteral("1"), QStringLiteral("2000")}),
                 QStringLiteral("1"));
        // From here on nothing reaches the replica: it is stopped, and its link is cut.
        replica.pause();
        primary.cli({QStringLiteral("CLIENT"), QStringLiteral("KILL"), QStringLiteral("TYPE"),
                     QStringLiteral("replica")});
        QVERIFY(a.release("jobs", "a-1"));
        const std::uint64_t f2 = a.acquire("jobs", "a-2", "node-a", 30s).fence;
        QVERIFY(f2 > f1);
        const AcquireReply seenByB = b.acquire("jobs", "b-2", "node-b", 30s);
        QVERIFY(!seenByB.acquired && seenByB.holder.fence == f2);
        const int oldPort = primary.port();
        primary.kill();
        replica.resume();
        QVERIFY2(setup.waitForPrimaryOtherThan(oldPort),
                 "the sentinels did not promote the replica");

        // The promoted replica has the first term's lock and a counter at f1: a day behind,
        // its clock would give less. Whoever saw f2 gets above it.
        const auto acquireRetrying = [](RedisStore& store, const char* token) {
            AcquireReply reply;
            (void)QTest::qWaitFor( // a reply of no lease fails the test after
                [&] {
                    try {
                        reply = store.acquire("jobs", token, "node", 30s);
                        return true;
                    } catch (const StoreError&) {
                        return false;
                    }
                },
                10000);
            return reply;
        };
        QVERIFY(!acquireRetrying(b, "b-3").acquired); // a-1's lock came back with the replica
        QVERIFY(a.release("jobs", "a-1"));
        const AcquireReply byB = acquireRetrying(b, "b-3");
        QVERIFY(byB.acquired);
        QVERIFY2(byB.fence > f2, qPrintable(u"fence %1 after %2"_qs.arg(byB.fence).arg(f2)));
        QVERIFY(b.release("jobs", "b-3"));
        // A store that saw none of it continues above too: the counter carries the floor.
        RedisStore fresh(setup.url(), quick());
        const AcquireReply byFresh = fresh.acquire("jobs", "c-1", "node-c", 30s);
        QVERIFY(byFresh.acquired && byFresh.fence > byB.fence);
    }
};

QTEST_GUILESS_MAIN(TestRedisReplicas)
#include "test_redis_replicas.moc"
