// RedisStore against a real redis-server that this test starts: primitives, notices, logins,
// bad servers and bad data.

#include "support/columns.h"
#include "support/redis_server.h"
#include "support/words.h"

#include <baton/redis/redis_store.h>
#include <baton/store/locker.h>
#include <baton/wire/lock_value.h>

#include <QElapsedTimer>
#include <QTest>

#include <atomic>
#include <mutex>

using namespace baton;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using baton::test::addColumns;
using baton::test::words;

namespace {

RedisOptions quick() {
    RedisOptions o;
    o.connectTimeout = 500ms;
    o.commandTimeout = 300ms;
    return o;
}

// Publishes on "jobs" and tells whether a subscriber has received anything yet.
bool published(RedisStore& store, const std::atomic<int>& notices) {
    store.publish("jobs", "ping");
    return notices.load() > 0;
}

QString messageOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestRedisStore : public QObject {
    Q_OBJECT
    test::RedisServer m_server;

private slots:
    void initTestCase() { QVERIFY2(m_server.start(), qPrintable(m_server.error())); }
    void init() { m_server.cli({QStringLiteral("FLUSHALL")}); }

    void primitivesWorkAndTheLockIsReadable() {
        RedisStore store(m_server.url(), quick());
        Locker locker(store);
        const auto beforeUs = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
        auto mine = locker.tryLock("jobs", "alice", 5s);
        QVERIFY(mine.lease);
        // Fences are at least the server's time in microseconds.
        QVERIFY(mine.lease->fence >= static_cast<std::uint64_t>(beforeUs) - 5'000'000);
        const QString value =
            m_server.cli({QStringLiteral("GET"), QStringLiteral("baton:{jobs}:lock")});
        QVERIFY2(value.contains(u"\"id\":\"alice\""), qPrintable(value));
        QVERIFY2(value.contains(QStringLiteral("\"fence\":%1").arg(mine.lease->fence)),
                 qPrintable(value));

        auto theirs = locker.tryLock("jobs", "bob", 5s);
        QVERIFY(!theirs.lease);
        QCOMPARE(theirs.holder.identity, std::string("alice"));
        QCOMPARE(theirs.holder.fence, mine.lease->fence);
        QVERIFY(theirs.holder.remaining > 4s && theirs.holder.remaining <= 5s);

        Lease forged = *mine.lease;
        forged.token = Locker::randomToken();
        QVERIFY(!locker.refresh(forged, 60s));
        QVERIFY(!locker.unlock(forged));
        QVERIFY(locker.refresh(*mine.lease, 60s));
        QVERIFY(store.inspect("jobs")->remaining > 59s);
        QVERIFY(locker.unlock(*mine.lease));
        QVERIFY(!store.inspect("jobs"));
        auto next = locker.tryLock("jobs", "bob", 5s);
        QVERIFY(next.lease && next.lease->fence > mine.lease->fence);
        // A retry with the holder's own token takes the lock up again, same fence.
        auto retry = locker.tryLock("jobs", "bob", 5s, next.lease->token);
        QVERIFY(retry.lease);
        QCOMPARE(retry.lease->fence, next.lease->fence);
        QVERIFY(!locker.tryLock("jobs", "carol", 5s).lease);
    }

    void releaseNoticesArePushed() {
        RedisStore store(m_server.url(), quick());
        RedisStore other(m_server.url(), quick());
        std::mutex mutex;
        std::vector<Notice> got;
        auto sub = other.subscribe("jobs", [&](const Notice& n) {
            std::lock_guard guard(mutex);
            got.push_back(n);
        });
        auto reply = store.acquire("jobs", "tok", "al\"ice", 5s);
        QVERIFY(store.release("jobs", "tok"));
        store.publish("jobs", "{\"event\":\"elected\"}");
        auto count = [&] {
            std::lock_guard guard(mutex);
            return got.size();
        };
        QTRY_COMPARE(count(), std::size_t(2));
        std::lock_guard guard(mutex);
        QCOMPARE(got[0].kind, Notice::Kind::Released);
        QCOMPARE(got[0].identity, std::string("al\"ice"));
        QCOMPARE(got[0].fence, reply.fence);
        QCOMPARE(got[0].resource, std::string("jobs"));
        QCOMPARE(got[1].kind, Notice::Kind::Message);
        QCOMPARE(got[1].payload, std::string("{\"event\":\"elected\"}"));
    }

    // A server that forgot the scripts (restart, SCRIPT FLUSH) gets them loaded again.
    void scriptsAreReloadedOnNoscript() {
        RedisStore store(m_server.url(), quick());
        QVERIFY(store.acquire("jobs", "t", "a", 5s).acquired);
        QCOMPARE(m_server.cli({QStringLiteral("SCRIPT"), QStringLiteral("FLUSH")}),
                 QStringLiteral("OK"));
        QVERIFY(store.extend("jobs", "t", 5s));
        QVERIFY(store.release("jobs", "t"));
    }

    // INFO sections come back as the server's text.
    void infoReadsTheServersFigures() {
        RedisStore store(m_server.url(), quick());
        QVERIFY(store.info("stats").find("total_commands_processed:") != std::string::npos);
        QVERIFY(store.info("server").find("redis_version:") != std::string::npos);
    }

    void plainValues() {
        RedisStore store(m_server.url(), quick());
        store.set("k", "v", 0s);
        store.set("t", "v", 100ms);
        QCOMPARE(store.get("k").value_or(""), std::string("v"));
        QTRY_VERIFY(!store.get("t"));
        QVERIFY(store.del("k"));
        QVERIFY(!store.del("k"));
    }

    void noServerFailsClearlyWithinTheConnectTimeout_data() {
        QTest::addColumn<QString>("url");
        QTest::newRow("closed port") << "redis://127.0.0.1:1";
        QTest::newRow("missing socket") << "unix:///nonexistent/redis.sock";
    }
    void noServerFailsClearlyWithinTheConnectTimeout() {
        QFETCH(QString, url);
        QElapsedTimer timer;
        timer.start();
        const QString message = messageOf([&] { RedisStore store(url.toStdString(), quick()); });
        QVERIFY(timer.elapsed() < 500 + 250);
        QVERIFY2(message.startsWith(u"cannot connect to"), qPrintable(message));
        QVERIFY2(message.contains(u"redis-server"), qPrintable(message));
    }

    void loginsWork() {
        test::RedisServer secured;
        QVERIFY2(secured.start({QStringLiteral("topsecret"),
                                {QStringLiteral("alice on >wonder ~* &* +@all")}}),
                 qPrintable(secured.error()));
        RedisStore byPassword(secured.url(QStringLiteral(":topsecret"), 2), quick());
        QVERIFY(byPassword.acquire("jobs", "t", "a", 5s).acquired);
        RedisStore byUser(secured.url(QStringLiteral("alice:wonder"), 2), quick());
        QVERIFY(!byUser.acquire("jobs", "u", "b", 5s).acquired); // same db: sees the lock
        RedisStore otherDb(secured.url(QStringLiteral("alice:wonder"), 3), quick());
        QVERIFY(otherDb.acquire("jobs", "u", "b", 5s).acquired); // another db, another lock
        RedisStore unix("unix://:topsecret@" + secured.socketPath().toStdString() + "?db=2",
                        quick());
        QCOMPARE(unix.inspect("jobs")->identity, std::string("a"));
        QCOMPARE(QString::fromStdString(byPassword.endpoint()).contains(u"topsecret"), false);
    }

    void badLoginsSayAuthenticationFailed_data() {
        addColumns<QString, QString, QString>("credentials", "secret", "hint");
        QTest::newRow("wrong password") << u":hunter2"_s << u"hunter2"_s << u"WRONGPASS"_s;
        QTest::newRow("unknown ACL user") << u"mallory:hunter2"_s << u"hunter2"_s << u"WRONGPASS"_s;
        QTest::newRow("wrong ACL password") << u"alice:hunter2"_s << u"hunter2"_s << u"WRONGPASS"_s;
        QTest::newRow("no password") << QString() << QString() << u"NOAUTH"_s;
    }
    void badLoginsSayAuthenticationFailed() {
        QFETCH(QString, credentials);
        QFETCH(QString, secret);
        QFETCH(QString, hint);
        test::RedisServer secured;
        QVERIFY2(secured.start({QStringLiteral("topsecret"),
                                {QStringLiteral("alice on >wonder ~* &* +@all")}}),
                 qPrintable(secured.error()));
        const QString message = messageOf([&] { RedisStore s(secured.url(credentials), quick()); });
        QVERIFY2(message.startsWith(u"authentication failed on"), qPrintable(message));
        QVERIFY2(message.contains(hint), qPrintable(message));
        if (!secret.isEmpty())
            QVERIFY2(!message.contains(secret), qPrintable(message));
    }

    void passwordForAServerWithoutOne() {
        const QString message =
            messageOf([&] { RedisStore s(m_server.url(QStringLiteral(":hunter2")), quick()); });
        QVERIFY2(message.startsWith(u"authentication failed on"), qPrintable(message));
        QVERIFY2(message.contains(u"remove it from the URL"), qPrintable(message));
        QVERIFY(!message.contains(u"hunter2"));
    }

    void dbOutOfRange() {
        const QString message = messageOf([&] { RedisStore s(m_server.url({}, 99), quick()); });
        QVERIFY2(message.contains(u"cannot select db 99"), qPrintable(message));
    }

    // Somebody else's data in the lock key: clear errors, no crash, and the key works again
    // once it is deleted or expires.
    void garbageInTheLockKey_data() {
        addColumns<QStringList, QString>("write", "message");
        QTest::newRow("text") << QStringList{QStringLiteral("SET"),
                                             QStringLiteral("baton:{jobs}:lock"),
                                             QStringLiteral("not json")}
                              << "holds a value Baton did not write";
        QTest::newRow("json of another shape")
            << words("SET baton:{jobs}:lock [1,2]") << "holds a value Baton did not write";
        QTest::newRow("hash") << words("HSET baton:{jobs}:lock a b") << "is not a string";
    }
    void garbageInTheLockKey() {
        QFETCH(QStringList, write);
        QFETCH(QString, message);
        RedisStore store(m_server.url(), quick());
        m_server.cli(write);
        for (auto call : std::initializer_list<std::function<void()>>{
                 [&] { store.acquire("jobs", "t", "a", 5s); }, [&] { store.inspect("jobs"); }}) {
            const QString text = messageOf(call);
            QVERIFY2(text.contains(message), qPrintable(text));
            QVERIFY2(text.contains(u"redis-cli DEL 'baton:{jobs}:lock'"), qPrintable(text));
        }
        // Extending someone else's value is refused (or, for another type, an error).
        bool extended = false;
        const QString extendError = messageOf([&] { extended = store.extend("jobs", "t", 5s); });
        QVERIFY(!extended);
        QCOMPARE(extendError.isEmpty(), write.first() != u"HSET");
        m_server.cli({QStringLiteral("DEL"), QStringLiteral("baton:{jobs}:lock")});
        QVERIFY(store.acquire("jobs", "t", "a", 5s).acquired);
    }

    // Odd resource names work and never share keys.
    void resourceNamesAreKeptApart() {
        RedisStore store(m_server.url(), quick());
        const std::vector<std::string> names{
            "with space",           "{braces}", "}{", "a}b", "a}c", "Zürich ☃ 東京",
            std::string(1024, 'x'), "x"};
        for (std::size_t i = 0; i < names.size(); ++i) {
            auto r =
                store.acquire(names[i], "tok" + std::to_string(i), "id" + std::to_string(i), 60s);
            QVERIFY2(r.acquired, names[i].c_str());
        }
        for (std::size_t i = 0; i < names.size(); ++i) {
            auto held = store.inspect(names[i]);
            QVERIFY(held);
            QCOMPARE(held->identity, "id" + std::to_string(i));
        }
        QCOMPARE(m_server.cli({QStringLiteral("DBSIZE")}).toInt(), int(names.size() * 2));
        for (std::size_t i = 0; i < names.size(); ++i)
            QVERIFY(store.release(names[i], "tok" + std::to_string(i)));
    }

    // Subscribing while the server is down returns as soon as connecting fails (the
    // subscription is made later, when the server is back), not after a timeout.
    void subscribeWhileTheServerIsDown() {
        RedisStore store(m_server.url(), quick());
        m_server.kill();
        QElapsedTimer timer;
        timer.start();
        std::atomic<int> notices{0};
        auto sub = store.subscribe("jobs", [&](const Notice&) { ++notices; });
        QVERIFY2(timer.elapsed() < 300, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(m_server.restart());
        RedisStore other(m_server.url(), quick());
        // Once the subscriber has reconnected, notices flow again.
        QTRY_VERIFY_WITH_TIMEOUT(published(other, notices), 5000);
    }

    // A subscription connection that goes quiet (here: the server holds every client's
    // commands, so the heartbeat PING gets no answer) is dropped and made again, instead of
    // waiting minutes for TCP keepalive; notices then flow on the new one.
    void silentSubscriptionConnectionIsReplaced() {
        RedisStore store(m_server.url(), quick());
        std::atomic<int> notices{0};
        auto sub = store.subscribe("jobs", [&](const Notice&) { ++notices; });
        auto pubsubIds = [&] {
            QStringList ids;
            const QString list = m_server.cli({QStringLiteral("CLIENT"), QStringLiteral("LIST"),
                                               QStringLiteral("TYPE"), QStringLiteral("pubsub")});
            for (const QString& line : list.split(u'\n', Qt::SkipEmptyParts))
                ids << line.section(u' ', 0, 0);
            return ids;
        };
        const QStringList before = pubsubIds();
        QCOMPARE(before.size(), 1);
        m_server.cli({QStringLiteral("CLIENT"), QStringLiteral("PAUSE"), QStringLiteral("2500"),
                      QStringLiteral("ALL")});
        QTRY_VERIFY_WITH_TIMEOUT(!pubsubIds().isEmpty() && !pubsubIds().contains(before.first()),
                                 10000);
        RedisStore other(m_server.url(), quick());
        QTRY_VERIFY_WITH_TIMEOUT(published(other, notices), 5000);
    }

    // After the server loses its data, new fences are still above every earlier one.
    void fencesSurviveDataLoss() {
        RedisStore store(m_server.url(), quick());
        std::uint64_t highest = 0;
        for (int i = 0; i < 50; ++i) {
            auto r = store.acquire("jobs", "t" + std::to_string(i), "a", 5s);
            QVERIFY(r.acquired && r.fence > highest);
            highest = r.fence;
            QVERIFY(store.release("jobs", "t" + std::to_string(i)));
        }
        QVERIFY(m_server.restart()); // no persistence: everything is gone
        QCOMPARE(m_server.cli({QStringLiteral("DBSIZE")}).toInt(), 0);
        QVERIFY(!messageOf([&] { store.acquire("jobs", "x", "a", 5s); }).isEmpty()); // old socket
        auto r = store.acquire("jobs", "x", "a", 5s);
        QVERIFY(r.acquired);
        QVERIFY(r.fence > highest);
    }

    // Given a fence counter above 2^53 (where doubles skip integers), then every term's fence
    // is exact and strictly increasing, in the replies, the lock value and the release notice.
    void fencesStayExactAbove2To53() {
        RedisStore store(m_server.url(), quick());
        std::vector<Notice> notices;
        std::mutex mutex;
        auto sub = store.subscribe("jobs", [&](const Notice& n) {
            std::lock_guard guard(mutex);
            notices.push_back(n);
        });
        m_server.cli({QStringLiteral("SET"), QStringLiteral("baton:{jobs}:fence"),
                      QStringLiteral("9007199254740993")});
        for (std::uint64_t expected = 9007199254740994; expected < 9007199254740997; ++expected) {
            const auto r = store.acquire("jobs", "t", "a", 5s);
            QVERIFY(r.acquired);
            QCOMPARE(r.fence, expected);
            QCOMPARE(store.inspect("jobs")->fence, expected);
            const auto value = wire::decodeLockValue(
                m_server.cli({QStringLiteral("GET"), QStringLiteral("baton:{jobs}:lock")})
                    .toStdString());
            QVERIFY2(value, value.error().c_str());
            QCOMPARE(value->fence, expected);
            QCOMPARE(store.acquire("jobs", "u", "b", 5s).holder.fence, expected);
            QVERIFY(store.release("jobs", "t"));
        }
        auto count = [&] {
            std::lock_guard guard(mutex);
            return notices.size();
        };
        QTRY_COMPARE(count(), std::size_t(3));
        std::lock_guard guard(mutex);
        QCOMPARE(notices.back().kind, Notice::Kind::Released);
        QCOMPARE(notices.back().fence, std::uint64_t(9007199254740996));
    }

    // A fence key Baton did not write is named in the error, with how to fix it.
    void garbageInTheFenceKey_data() {
        QTest::addColumn<QStringList>("write");
        QTest::newRow("text") << QStringList{
            QStringLiteral("SET"), QStringLiteral("baton:{jobs}:fence"), QStringLiteral("twelve")};
        QTest::newRow("float") << QStringList{
            QStringLiteral("SET"), QStringLiteral("baton:{jobs}:fence"), QStringLiteral("1.5")};
        QTest::newRow("hash") << QStringList{QStringLiteral("HSET"),
                                             QStringLiteral("baton:{jobs}:fence"),
                                             QStringLiteral("a"), QStringLiteral("b")};
    }
    void garbageInTheFenceKey() {
        QFETCH(QStringList, write);
        RedisStore store(m_server.url(), quick());
        m_server.cli(write);
        const QString text = messageOf([&] { store.acquire("jobs", "t", "a", 5s); });
        QVERIFY2(text.contains(u"baton:{jobs}:fence is not a fence counter"), qPrintable(text));
        QVERIFY2(text.contains(u"redis-cli SET 'baton:{jobs}:fence'"), qPrintable(text));
        QVERIFY(!store.inspect("jobs"));
    }
};

QTEST_GUILESS_MAIN(TestRedisStore)
#include "test_redis_store.moc"
