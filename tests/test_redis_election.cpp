// Electors on a real redis-server, each with its own connection: election, crash, graceful
// stop, and a server that dies, loses its data or hangs. Real time, waited for with QTRY.

#include "support/printing.h"
#include "support/redis_options.h"
#include "support/redis_server.h"

#include <baton/election/election.h>
#include <baton/redis/redis_store.h>

#include <QTest>

#include <memory>
#include <mutex>

using namespace baton;
using namespace std::chrono_literals;

namespace {

constexpr Duration kTtl = 1000ms;
constexpr Duration kRefresh = 200ms;
constexpr Duration kRetry = 300ms;

RedisOptions quick() {
    RedisOptions o = test::quickOptions();
    o.commandTimeout = 250ms;
    return o;
}

struct Recorded {
    std::string identity;
    Event event;
};

// Every elector's events, in the order they happened (one clock: steady time).
struct Journal {
    std::mutex mutex;
    std::vector<Recorded> events;

    std::vector<Recorded> of(EventType type, TimePoint from = TimePoint::min()) {
        std::lock_guard guard(mutex);
        std::vector<Recorded> out;
        for (const auto& r : events)
            if (r.event.type == type && r.event.at >= from)
                out.push_back(r);
        return out;
    }
};

// One elector with a connection of its own.
struct Elector {
    Elector(const std::string& url, const std::string& id, Journal& journal,
            const std::string& resource = "jobs")
        : store(url, quick())
        , locker(store)
        , election(locker, config(id, journal, resource)) {}

    static Config config(const std::string& id, Journal& journal, const std::string& resource) {
        Config c;
        c.resource = resource;
        c.identity = id;
        c.timing = {kTtl, kRefresh, kRetry};
        c.onEvent = [&journal, id](const Event& e) {
            std::lock_guard guard(journal.mutex);
            journal.events.push_back({id, e});
        };
        return c;
    }

    RedisStore store;
    Locker locker;
    Election election;
};

} // namespace

class TestRedisElection : public QObject {
    Q_OBJECT
    test::RedisServer m_server;
    Journal m_journal;
    std::vector<std::unique_ptr<Elector>> m_electors;

    void startElectors(int n, const std::string& url = {}, const std::string& resource = "jobs") {
        for (int i = 0; i < n; ++i) {
            m_electors.push_back(std::make_unique<Elector>(url.empty() ? m_server.url() : url,
                                                           "node-" + std::to_string(i), m_journal,
                                                           resource));
            m_electors.back()->election.start();
        }
    }
    int leaderCount() const {
        int n = 0;
        for (const auto& e : m_electors)
            n += e->election.isLeader() ? 1 : 0;
        return n;
    }
    Elector* leader() const {
        for (const auto& e : m_electors)
            if (e->election.isLeader())
                return e.get();
        return nullptr;
    }

    // Once one elector leads and every one has seen it (so followers wait on the lock's TTL,
    // not on their start-up): stops it and waits for the next "elected". Returns when it was
    // stopped; check QTest::currentTestFailed() after.
    TimePoint stopTheLeaderSeenByAll() {
        TimePoint stoppedAt{};
        [&] {
            QTRY_COMPARE(leaderCount(), 1);
            Elector* old = leader();
            for (const auto& e : m_electors)
                QTRY_COMPARE(e->election.leader(), old->election.identity());
            stoppedAt = SteadyClock::instance().now();
            old->election.stop();
            QTRY_COMPARE(m_journal.of(EventType::Elected, stoppedAt).size(), std::size_t(1));
        }();
        return stoppedAt;
    }

private slots:
    void initTestCase() { QVERIFY2(m_server.start(), qPrintable(m_server.error())); }
    void init() {
        if (!m_server.restart()) // a fresh, empty, running server for every test
            QFAIL(qPrintable(m_server.error()));
    }
    void cleanup() {
        m_server.resume();
        m_electors.clear();
        std::lock_guard guard(m_journal.mutex);
        m_journal.events.clear();
    }

    // Three electors elect exactly one, whom every elector and redis-cli GET name.
    void threeElectorsElectOne() {
        startElectors(3);
        QTRY_COMPARE(leaderCount(), 1);
        Elector* l = leader();
        const std::string id = l->election.identity();
        for (const auto& e : m_electors)
            QTRY_COMPARE(e->election.leader(), id);
        const QString value =
            m_server.cli({QStringLiteral("GET"), QStringLiteral("baton:{jobs}:lock")});
        QVERIFY2(value.contains(QStringLiteral("\"id\":\"%1\"").arg(QString::fromStdString(id))),
                 qPrintable(value));
        QVERIFY2(value.contains(QStringLiteral("\"fence\":%1").arg(l->election.fence())),
                 qPrintable(value));
        QTest::qWait(1500); // several TTLs of refreshes: still the same single leader
        QCOMPARE(leaderCount(), 1);
        QCOMPARE(leader(), l);
        QCOMPARE(m_journal.of(EventType::Elected).size(), std::size_t(1));
    }

    // A crashed leader (no release) is replaced within the lock's remaining TTL plus a bound.
    void crashedLeaderIsReplacedAfterItsTtl() {
        startElectors(3);
        QTRY_COMPARE(leaderCount(), 1);
        Elector* old = leader();
        const auto held = old->store.inspect("jobs");
        QVERIFY(held);
        const TimePoint killedAt = SteadyClock::instance().now();
        ElectionFaults::kill(old->election);
        QTRY_COMPARE_WITH_TIMEOUT(m_journal.of(EventType::Elected, killedAt).size(), std::size_t(1),
                                  5000);
        const auto next = m_journal.of(EventType::Elected, killedAt).front();
        QVERIFY(next.identity != old->election.identity());
        const Duration after = next.event.at - killedAt;
        qInfo("new leader %lld ms after the crash; the lock had %lld ms left",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(after).count()),
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(held->remaining).count()));
        QVERIFY(after >= held->remaining - 5ms); // not before the lock expired
        QVERIFY(after <= held->remaining + 100ms);
    }

    // A gracefully stopped leader is replaced at once: the release notice is pushed.
    void stoppedLeaderIsReplacedAtOnce() {
        startElectors(3);
        const TimePoint stoppedAt = stopTheLeaderSeenByAll();
        if (QTest::currentTestFailed())
            return;
        const auto next = m_journal.of(EventType::Elected, stoppedAt).front();
        const Duration after = next.event.at - stoppedAt;
        qInfo("new leader %lld us after stop()",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::microseconds>(after).count()));
        QVERIFY(after < 200ms);
        const auto revoked = m_journal.of(EventType::Revoked, stoppedAt);
        QCOMPARE(revoked.size(), std::size_t(1));
        QVERIFY(revoked.front().event.at <= next.event.at);
    }

    // The server dies under a leader: it leads until its deadline, then revokes with a reason;
    // when the server is back, there is exactly one leader again.
    void serverKilledWhileLeading() {
        startElectors(3);
        QTRY_COMPARE(leaderCount(), 1);
        Elector* l = leader();
        m_server.kill();
        const TimePoint deadline = l->election.deadline();
        const TimePoint killedAt = SteadyClock::instance().now();
        QVERIFY(deadline > killedAt);
        QVERIFY(l->election.isLeader());
        QTRY_COMPARE(m_journal.of(EventType::Revoked, killedAt).size(), std::size_t(1));
        const auto revoked = m_journal.of(EventType::Revoked, killedAt).front();
        QCOMPARE(revoked.identity, l->election.identity());
        QCOMPARE(revoked.event.reason, RevokeReason::Error);
        QVERIFY(revoked.event.at >= deadline);
        QVERIFY(revoked.event.at < deadline + 50ms);
        QVERIFY(!m_journal.of(EventType::ExtendFailed, killedAt).empty());
        QVERIFY(m_server.restart());
        QTRY_COMPARE_WITH_TIMEOUT(leaderCount(), 1, 5000);
        QTest::qWait(300);
        QCOMPARE(leaderCount(), 1);
    }

    // The server restarts empty: the old leader's next extend fails and it revokes; the new
    // term's fence is above every earlier one.
    void serverLosesItsData() {
        startElectors(3);
        QTRY_COMPARE(leaderCount(), 1);
        Elector* l = leader();
        const std::uint64_t oldFence = l->election.fence();
        const TimePoint flushedAt = SteadyClock::instance().now();
        m_server.cli({QStringLiteral("FLUSHALL")});
        QTRY_COMPARE(m_journal.of(EventType::Revoked, flushedAt).size(), std::size_t(1));
        QCOMPARE(m_journal.of(EventType::Revoked, flushedAt).front().event.reason,
                 RevokeReason::Lost);
        QTRY_COMPARE(m_journal.of(EventType::Elected, flushedAt).size(), std::size_t(1));
        QVERIFY(m_journal.of(EventType::Elected, flushedAt).front().event.fence > oldFence);
        QTRY_COMPARE(leaderCount(), 1);
    }

    // The server hangs (SIGSTOP): calls time out within the command timeout and the leader
    // revokes at its deadline, not later.
    void serverHangs() {
        startElectors(2);
        QTRY_COMPARE(leaderCount(), 1);
        Elector* l = leader();
        RedisStore probe(m_server.url(), quick());
        m_server.pause();
        const TimePoint pausedAt = SteadyClock::instance().now();
        const TimePoint deadline = l->election.deadline();
        QString error;
        try {
            probe.inspect("jobs");
        } catch (const StoreError& e) {
            error = QString::fromUtf8(e.what());
        }
        const Duration took = SteadyClock::instance().now() - pausedAt;
        QVERIFY2(error.contains(u"timed out"), qPrintable(error));
        QVERIFY(took >= quick().commandTimeout - 5ms && took < quick().commandTimeout + 100ms);
        QTRY_COMPARE(m_journal.of(EventType::Revoked, pausedAt).size(), std::size_t(1));
        const auto revoked = m_journal.of(EventType::Revoked, pausedAt).front();
        QCOMPARE(revoked.identity, l->election.identity());
        QVERIFY(revoked.event.at >= deadline);
        QVERIFY(revoked.event.at < deadline + 50ms);
        QVERIFY(!l->election.isLeader());
        m_server.resume();
        QTRY_COMPARE_WITH_TIMEOUT(leaderCount(), 1, 5000);
    }

    // Garbage in the lock key becomes error events; the election recovers once it is deleted.
    void garbageInTheLockKeyIsSurvived() {
        m_server.cli({QStringLiteral("HSET"), QStringLiteral("baton:{jobs}:lock"),
                      QStringLiteral("x"), QStringLiteral("y")});
        startElectors(2);
        QTRY_VERIFY(!m_journal.of(EventType::Error).empty());
        QVERIFY(QString::fromStdString(m_journal.of(EventType::Error).front().event.message)
                    .contains(u"is not a string"));
        QCOMPARE(leaderCount(), 0);
        m_server.cli({QStringLiteral("DEL"), QStringLiteral("baton:{jobs}:lock")});
        QTRY_COMPARE(leaderCount(), 1);
    }

    // Given a resource name with braces (one that starts with '}' once broke the hash tag, so
    // lock and fence fell in two slots: CROSSSLOT), then on a Redis Cluster node electors elect
    // one leader without an error and hand over at once on a graceful stop.
    void electionOnANameWithBracesWorksOnACluster_data() {
        QTest::addColumn<QString>("resource");
        QTest::newRow("a}b") << "a}b";
        QTest::newRow("}b") << "}b";
        QTest::newRow("}{") << "}{";
    }
    void electionOnANameWithBracesWorksOnACluster() {
        QFETCH(QString, resource);
        test::RedisServer node;
        QVERIFY2(node.start({}, test::RedisServer::clusterNode()), qPrintable(node.error()));
        QVERIFY(node.serveAllSlots());
        startElectors(2, node.url(), resource.toStdString());
        const TimePoint stoppedAt = stopTheLeaderSeenByAll();
        if (QTest::currentTestFailed())
            return;
        QVERIFY(m_journal.of(EventType::Elected, stoppedAt).front().event.at - stoppedAt < 200ms);
        const auto errors = m_journal.of(EventType::Error);
        QVERIFY2(errors.empty(), errors.empty() ? "" : errors.front().event.message.c_str());
    }

    // Given a permission revoked while electors run, then the failed calls become error events
    // that name the command and how to grant it (not the server's bare NOPERM, over and over).
    void revokedPermissionBecomesANamedErrorEvent() {
        test::RedisServer server;
        QVERIFY2(server.start({{}, {QStringLiteral("worker on >hunter2 ~* &* +@all")}}),
                 qPrintable(server.error()));
        startElectors(2, server.url(QStringLiteral("worker:hunter2")));
        QTRY_COMPARE(leaderCount(), 1);
        const TimePoint revokedAt = SteadyClock::instance().now();
        server.cli({QStringLiteral("ACL"), QStringLiteral("SETUSER"), QStringLiteral("worker"),
                    QStringLiteral("-evalsha")});
        QTRY_VERIFY(!m_journal.of(EventType::Error, revokedAt).empty());
        const std::string message = m_journal.of(EventType::Error, revokedAt).front().event.message;
        QVERIFY2(QString::fromStdString(message).contains(u"may not run EVALSHA"), message.c_str());
        QVERIFY2(QString::fromStdString(message).contains(u"ACL SETUSER worker +"),
                 message.c_str());
        QTRY_COMPARE(leaderCount(), 0); // the leader revoked at its deadline
    }
};

QTEST_GUILESS_MAIN(TestRedisElection)
#include "test_redis_election.moc"
