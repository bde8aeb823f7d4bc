// RedisStore on Redis Sentinel: real redis-server and redis-sentinel processes (a primary, a
// replica, three sentinels) on free ports. Discovery, a primary kill during an election, a
// stale sentinel that names a replica, a demoted primary (READONLY), bad sentinels, passwords.

#include "support/printing.h"
#include "support/redis_options.h"
#include "support/sentinel_setup.h"

#include <baton/election/election.h>
#include <baton/redis/redis_store.h>

#include <QTest>

#include <memory>
#include <mutex>

using namespace baton;
using namespace std::chrono_literals;

namespace {

// Electors on one URL, each with its own store, their events in one journal.
struct Electors {
    struct Recorded {
        std::string identity;
        Event event;
    };
    struct One {
        One(const std::string& url, Config c)
            : store(url, test::quickOptions())
            , locker(store)
            , election(locker, std::move(c)) {}
        RedisStore store;
        Locker locker;
        Election election;
    };

    void start(const std::string& url, int n) {
        for (int i = 0; i < n; ++i) {
            Config c;
            c.resource = "jobs";
            c.identity = "node-" + std::to_string(i);
            c.timing = {1500ms, 250ms, 300ms};
            c.onEvent = [this, id = c.identity](const Event& e) {
                std::lock_guard guard(mutex);
                events.push_back({id, e});
            };
            all.push_back(std::make_unique<One>(url, std::move(c)));
            all.back()->election.start();
        }
    }
    int leaders() const {
        int n = 0;
        for (const auto& e : all)
            n += e->election.isLeader() ? 1 : 0;
        return n;
    }
    One* leader() const {
        for (const auto& e : all)
            if (e->election.isLeader())
                return e.get();
        return nullptr;
    }
    std::vector<std::uint64_t> electedFences() {
        std::lock_guard guard(mutex);
        std::vector<std::uint64_t> out;
        for (const auto& r : events)
            if (r.event.type == EventType::Elected)
                out.push_back(r.event.fence);
        return out;
    }

    std::mutex mutex;
    std::vector<Recorded> events;
    std::vector<std::unique_ptr<One>> all;
};

} // namespace

class TestRedisSentinel : public QObject {
    Q_OBJECT
    std::unique_ptr<test::SentinelSetup> m_setup;

    // Starts a fresh setup; check QTest::currentTestFailed() after.
    void startSetup() { startSetup(test::SentinelSetup::Options()); }
    void startSetup(test::SentinelSetup::Options options) {
        m_setup = std::make_unique<test::SentinelSetup>();
        QVERIFY2(m_setup->start(std::move(options)), qPrintable(m_setup->error()));
    }

private slots:
    void cleanup() { m_setup.reset(); }

    // Given a Sentinel setup, when a store is made on its URL, then it finds the primary,
    // writes there, and what it writes reaches the replica.
    void discoversThePrimary() {
        startSetup();
        if (QTest::currentTestFailed())
            return;
        RedisStore store(m_setup->url(), test::quickOptions());
        const int primary = m_setup->node(0).port();
        QVERIFY2(test::text(store.endpoint())
                     .contains(QStringLiteral("(primary 127.0.0.1:%1)").arg(primary)),
                 store.endpoint().c_str());
        store.checkElectionAccess("jobs");
        const AcquireReply reply = store.acquire("jobs", "token-1", "node-a", 5s);
        QVERIFY(reply.acquired);
        QVERIFY(m_setup->node(0)
                    .cli({QStringLiteral("GET"), QStringLiteral("baton:{jobs}:lock")})
                    .contains(u"node-a"));
        QTRY_VERIFY(m_setup->node(1)
                        .cli({QStringLiteral("GET"), QStringLiteral("baton:{jobs}:lock")})
                        .contains(u"node-a"));
        QVERIFY(store.extend("jobs", "token-1", 5s));
        QVERIFY(store.release("jobs", "token-1"));
    }

    // Given passwords on the primary and on the sentinels, then both are used and neither is
    // ever shown: not in the endpoint, not in an error.
    void bothPasswordsAreUsedAndMasked() {
        startSetup({QStringLiteral("hunter2data"), QStringLiteral("hunter2sent"), {}, 400});
        if (QTest::currentTestFailed())
            return;
        RedisStore store(m_setup->url(), test::quickOptions());
        QVERIFY(store.acquire("jobs", "t", "node-a", 5s).acquired);
        const QString shown = test::text(store.endpoint());
        QVERIFY2(!shown.contains(u"hunter2"), qPrintable(shown));
        QVERIFY2(shown.contains(u"sentinelPassword=***"), qPrintable(shown));
        const QString wrongSentinel =
            test::storeError(test::text(m_setup->url())
                                 .replace(QStringLiteral("hunter2sent"), QStringLiteral("nope"))
                                 .toStdString());
        QVERIFY2(wrongSentinel.contains(u"check sentinelUser and sentinelPassword"),
                 qPrintable(wrongSentinel));
        const QString noSentinelPassword =
            test::storeError(test::text(m_setup->url()).section(u'?', 0, 0).toStdString());
        QVERIFY2(noSentinelPassword.contains(u"sentinelPassword=PASSWORD"),
                 qPrintable(noSentinelPassword));
        const QString noMaster = test::storeError(m_setup->url({}, QStringLiteral("nosuch")));
        for (const QString& message : {wrongSentinel, noSentinelPassword, noMaster})
            QVERIFY2(!message.contains(u"hunter2") && !message.contains(u"nope"),
                     qPrintable(message));
    }

    // Given URLs whose "sentinels" are not sentinels, are not there, or do not know the
    // master, then each error says which and the way out.
    void badSentinelsAreSaidClearly() {
        test::RedisServer plain;
        QVERIFY2(plain.start(), qPrintable(plain.error()));
        const QString notSentinel =
            test::storeError(QStringLiteral("redis-sentinel://127.0.0.1:%1/mymaster")
                                 .arg(plain.port())
                                 .toStdString());
        QVERIFY2(notSentinel.contains(u"not a sentinel") &&
                     notSentinel.contains(u"redis://host:port"),
                 qPrintable(notSentinel));

        test::RedisServer lone;
        QVERIFY2(
            test::SentinelSetup::startLoneSentinel(lone, QStringLiteral("known"), plain.port()),
            qPrintable(lone.error()));
        const QString unknown = test::storeError(
            QStringLiteral("redis-sentinel://127.0.0.1:%1/nosuch").arg(lone.port()).toStdString());
        QVERIFY2(unknown.contains(u"monitors no master named 'nosuch'") &&
                     unknown.contains(u"SENTINEL masters"),
                 qPrintable(unknown));

        const int nobody = lone.port();
        lone.stop();
        const QString absent = test::storeError(
            QStringLiteral("redis-sentinel://127.0.0.1:%1/known").arg(nobody).toStdString());
        QVERIFY2(absent.contains(u"is redis-sentinel running there?"), qPrintable(absent));
        QVERIFY2(absent.contains(u"cannot find the primary 'known'"), qPrintable(absent));
    }

    // Given a sentinel whose view is stale (it names a replica as the primary), then the store
    // refuses it after asking ROLE: nothing is written there, even on a replica that would
    // accept writes.
    void aReplicaIsNeverWrittenTo() {
        startSetup();
        if (QTest::currentTestFailed())
            return;
        test::RedisServer& replica = m_setup->node(1);
        replica.cli({QStringLiteral("CONFIG"), QStringLiteral("SET"),
                     QStringLiteral("replica-read-only"), QStringLiteral("no")});
        test::RedisServer stale;
        QVERIFY2(
            test::SentinelSetup::startLoneSentinel(stale, QStringLiteral("stale"), replica.port()),
            qPrintable(stale.error()));
        const QString message = test::storeError(
            QStringLiteral("redis-sentinel://127.0.0.1:%1/stale").arg(stale.port()).toStdString());
        QVERIFY2(message.contains(u"says it is a replica (ROLE)"), qPrintable(message));
        QCOMPARE(replica.cli({QStringLiteral("DBSIZE")}), QStringLiteral("0"));
    }

    // Given an election on the Sentinel URL, when the primary is killed (SIGKILL), then the
    // sentinels promote the replica, one elector leads again, and every new term's fence is
    // above every earlier one.
    void anElectionSurvivesAPrimaryKill() {
        startSetup();
        if (QTest::currentTestFailed())
            return;
        Electors electors;
        electors.start(m_setup->url(), 3);
        QTRY_COMPARE(electors.leaders(), 1);
        const qint64 failoverMs = m_setup->killPrimaryAndWait();
        QVERIFY2(failoverMs >= 0, "the sentinels did not promote the replica");
        qInfo("the sentinels promoted the replica %lld ms after the kill", failoverMs);
        QTRY_COMPARE_WITH_TIMEOUT(electors.leaders(), 1, 10000);
        // A new term on the new primary: the leader stops, another takes over.
        Electors::One* old = electors.leader();
        QVERIFY(old);
        const std::size_t termsBefore = electors.electedFences().size();
        old->election.stop();
        QTRY_VERIFY_WITH_TIMEOUT(electors.electedFences().size() > termsBefore, 10000);
        QTRY_COMPARE(electors.leaders(), 1);
        const auto fences = electors.electedFences();
        for (std::size_t i = 1; i < fences.size(); ++i)
            QVERIFY2(fences[i] > fences[i - 1], "a fence did not increase");
        QVERIFY(m_setup->primary()
                    ->cli({QStringLiteral("GET"), QStringLiteral("baton:{jobs}:lock")})
                    .contains(test::text(electors.leader()->election.identity())));
    }

    // Given a store on the primary, when the sentinels fail over (SENTINEL FAILOVER: the old
    // primary becomes a replica and drops its clients), then the store moves to the new one.
    void aFailoverMovesTheStore() {
        startSetup();
        if (QTest::currentTestFailed())
            return;
        RedisStore store(m_setup->url(), test::quickOptions());
        QVERIFY(store.acquire("jobs", "token-1", "node-a", 30s).acquired);
        test::RedisServer& first = m_setup->node(0);
        QCOMPARE(first.cli({QStringLiteral("WAIT"), QStringLiteral("1"), QStringLiteral("2000")}),
                 QStringLiteral("1"));
        m_setup->sentinel(0).cli({QStringLiteral("SENTINEL"), QStringLiteral("FAILOVER"),
                                  QString::fromLatin1(test::SentinelSetup::kMaster)});
        QTRY_VERIFY_WITH_TIMEOUT(m_setup->primary() == &m_setup->node(1), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(test::SentinelSetup::role(first), QStringLiteral("slave"), 15000);
        // A call may fail once (the connection was dropped); the next reaches the new primary.
        const auto extends = [&] {
            try {
                return store.extend("jobs", "token-1", 30s);
            } catch (const StoreError&) {
                return false;
            }
        };
        QTRY_VERIFY(extends());
        QVERIFY2(test::text(store.endpoint())
                     .contains(QStringLiteral(":%1)").arg(m_setup->node(1).port())),
                 store.endpoint().c_str());
    }

    // Given a store on a primary that is then demoted by hand (REPLICAOF) while the sentinel
    // still names it, when a write meets READONLY, then the store asks the sentinel again,
    // refuses the replica with a clear error, writes nothing, and works once it is a primary.
    void readOnlyIsHandled() {
        test::RedisServer x, other;
        QVERIFY2(x.start() && other.start(), qPrintable(x.error() + other.error()));
        test::RedisServer lone;
        QVERIFY2(test::SentinelSetup::startLoneSentinel(lone, QStringLiteral("solo"), x.port()),
                 qPrintable(lone.error()));
        RedisOptions options = test::quickOptions();
        options.commandTimeout = 2s; // REPLICAOF's first sync may hold the server a moment
        RedisStore store(
            QStringLiteral("redis-sentinel://127.0.0.1:%1/solo").arg(lone.port()).toStdString(),
            options);
        QVERIFY(store.acquire("jobs", "token-1", "node-a", 30s).acquired);
        x.cli({QStringLiteral("REPLICAOF"), QStringLiteral("127.0.0.1"),
               QString::number(other.port())});
        QTRY_VERIFY(x.cli({QStringLiteral("INFO"), QStringLiteral("replication")})
                        .contains(u"master_link_status:up"));
        try {
            store.acquire("jobs", "token-2", "node-b", 30s);
            QFAIL("a replica took a write");
        } catch (const StoreError& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains(u"is a replica now (READONLY)") &&
                         message.contains(u"says it is a replica (ROLE)"),
                     e.what());
        }
        QCOMPARE(x.cli({QStringLiteral("DBSIZE")}), QStringLiteral("0"));
        x.cli({QStringLiteral("REPLICAOF"), QStringLiteral("NO"), QStringLiteral("ONE")});
        QTRY_COMPARE(test::SentinelSetup::role(x), QStringLiteral("master"));
        const auto acquires = [&] {
            try {
                return store.acquire("jobs", "token-2", "node-b", 30s).acquired;
            } catch (const StoreError&) {
                return false;
            }
        };
        QTRY_VERIFY(acquires());
    }
};

QTEST_GUILESS_MAIN(TestRedisSentinel)
#include "test_redis_sentinel.moc"
