// RedisStore against a real redis-server that this test starts: primitives, notices, logins,
// bad servers and bad data.

#include "support/columns.h"
#include "support/proc_status.h"
#include "support/redis_server.h"
#include "support/words.h"

#include <baton/redis/redis_store.h>
#include <baton/store/locker.h>
#include <baton/wire/lock_value.h>

#include <baton/redis/observer.h>

#include <QElapsedTimer>
#include <QSet>
#include <QTest>

#include <atomic>
#include <mutex>
#include <set>

using namespace baton;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using baton::test::addColumns;
using baton::test::resetPeakMemory;
using baton::test::statusKb;
using baton::test::words;
using baton::test::writeLockWithIdOf;

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

// The start-up check's message, or empty when it passes (the store's own start included).
QString accessProblem(const std::string& url) {
    return messageOf([&] {
        RedisStore store(url, quick());
        store.checkElectionAccess("jobs");
    });
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

    // Given redis://NAME@host (NAME is read as a password), when the login fails, then the
    // message says NAME was taken for a password and how to write a user or a password,
    // without showing NAME (it may be a password).
    void aNameAloneBeforeTheAtIsExplained_data() {
        QTest::addColumn<bool>("secured");
        QTest::addColumn<QString>("said");
        QTest::newRow("server without a password") << false << "remove it from the URL";
        QTest::newRow("server with ACL users") << true << "WRONGPASS";
    }
    void aNameAloneBeforeTheAtIsExplained() {
        QFETCH(bool, secured);
        QFETCH(QString, said);
        test::RedisServer server;
        QVERIFY2(secured ? server.start({QStringLiteral("topsecret"),
                                         {QStringLiteral("alice on >wonder ~* &* +@all")}})
                         : server.start(),
                 qPrintable(server.error()));
        const QString message =
            messageOf([&] { RedisStore s(server.url(QStringLiteral("alice")), quick()); });
        QVERIFY2(message.startsWith(u"authentication failed on"), qPrintable(message));
        QVERIFY2(message.contains(said), qPrintable(message));
        QVERIFY2(message.contains(u"the name alone before '@' was read as a password, not a user"),
                 qPrintable(message));
        QVERIFY2(message.contains(u"for an ACL user write redis://USER:PASSWORD@host, for a "
                                  u"password redis://:PASSWORD@host"),
                 qPrintable(message));
        QVERIFY2(!message.contains(u"alice"), qPrintable(message));
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

    // Given a Redis user that lacks one thing an election needs, then the start-up check fails
    // with a message naming it and the ACL SETUSER line that grants it (never the password).
    void missingPermissionsAreNamedAtStart_data() {
        QTest::addColumn<QString>("grants");
        QTest::addColumn<QString>("named");
        QTest::newRow("no SUBSCRIBE") << u"~* &* +@all -subscribe"_s << u"may not run SUBSCRIBE"_s;
        QTest::newRow("no channels")
            << u"~* +@all"_s << u"may not use the channels baton:* (PUBLISH)"_s;
        QTest::newRow("no control channel")
            << u"~* &baton:{jobs}:events +@all"_s << u"cannot subscribe to baton:{jobs}:control"_s;
        QTest::newRow("no EVALSHA") << u"~* &* +@all -evalsha"_s << u"may not run EVALSHA"_s;
        QTest::newRow("no SCRIPT LOAD")
            << u"~* &* +@all -script|load"_s << u"may not run SCRIPT LOAD"_s;
        QTest::newRow("no PUBLISH") << u"~* &* +@all -publish"_s << u"may not run PUBLISH"_s;
        QTest::newRow("no keys") << u"~other:* &* +@all"_s
                                 << u"may not use the keys baton:* (EVALSHA)"_s;
        QTest::newRow("no DEL in scripts") << u"~* &* +@all -del"_s << u"may not run DEL"_s;
        QTest::newRow("no TIME in scripts") << u"~* &* +@all -time"_s << u"may not run TIME"_s;
    }
    void missingPermissionsAreNamedAtStart() {
        QFETCH(QString, grants);
        QFETCH(QString, named);
        test::RedisServer server;
        QVERIFY2(server.start({{}, {QStringLiteral("worker on >hunter2 ") + grants}}),
                 qPrintable(server.error()));
        const QString message = accessProblem(server.url(QStringLiteral("worker:hunter2")));
        QVERIFY2(message.contains(named), qPrintable(message));
        QVERIFY2(message.contains(u"ACL SETUSER worker +"), qPrintable(message));
        QVERIFY2(!message.contains(u"hunter2") && !message.contains(u'\n'), qPrintable(message));

        // The line it gives, alone, is enough for an election and presence.
        const QString line = message.mid(message.indexOf(u"ACL SETUSER"));
        server.cli(QStringList{QStringLiteral("ACL"), QStringLiteral("SETUSER"),
                               QStringLiteral("worker"), QStringLiteral("reset"),
                               QStringLiteral("on"), QStringLiteral(">hunter2")} +
                   line.split(u' ').mid(3));
        QCOMPARE(accessProblem(server.url(QStringLiteral("worker:hunter2"))), QString());
        RedisStore store(server.url(QStringLiteral("worker:hunter2")), quick());
        std::atomic<int> notices{0};
        auto sub = store.subscribe("jobs", [&](const Notice&) { ++notices; });
        QVERIFY(store.acquire("jobs", "t", "a", 5s).acquired);
        QVERIFY(store.extend("jobs", "t", 5s));
        QVERIFY(store.inspect("jobs"));
        QVERIFY(store.release("jobs", "t"));
        QTRY_COMPARE(notices.load(), 1);
        store.hset(RedisStore::key("jobs", "members"), "a", "{}");
        QCOMPARE(store.members("jobs").entries.size(), std::size_t(1));
        QVERIFY(store.hdel(RedisStore::key("jobs", "members"), "a"));
    }

    // Given a replica, then the check refuses it and names the primary; when the user may not
    // ask ROLE, the check's harmless write shows it is read-only.
    void replicasAreRefusedAtStart() {
        test::RedisServer replica;
        QVERIFY2(replica.start({{}, {QStringLiteral("reader on >hunter2 ~* &* +@all -role")}},
                               test::RedisServer::replicaOf(m_server.port())),
                 qPrintable(replica.error()));
        const QString named = accessProblem(replica.url());
        QVERIFY2(
            named.contains(QStringLiteral("is a replica of 127.0.0.1:%1").arg(m_server.port())),
            qPrintable(named));
        QVERIFY2(named.contains(u"point the Redis URL at it"), qPrintable(named));
        const QString readOnly = accessProblem(replica.url(QStringLiteral("reader:hunter2")));
        QVERIFY2(readOnly.contains(u"is a read-only replica (READONLY)"), qPrintable(readOnly));
        QVERIFY2(readOnly.contains(u"point the Redis URL at it"), qPrintable(readOnly));
        QCOMPARE(accessProblem(m_server.url()), QString()); // the primary passes
    }

    // Given permissions revoked (or the server made a replica) while a store runs, then its
    // calls fail with the command named and the way out, not the bare server error.
    void permissionsLostWhileRunningAreNamed() {
        test::RedisServer server;
        QVERIFY2(server.start({{}, {QStringLiteral("worker on >hunter2 ~* &* +@all")}}),
                 qPrintable(server.error()));
        RedisStore store(server.url(QStringLiteral("worker:hunter2")), quick());
        store.checkElectionAccess("jobs");
        QVERIFY(store.acquire("jobs", "t", "a", 5s).acquired);
        const auto setUser = [&](const char* change) {
            server.cli({QStringLiteral("ACL"), QStringLiteral("SETUSER"), QStringLiteral("worker"),
                        QString::fromUtf8(change)});
        };
        setUser("-evalsha");
        QString message = messageOf([&] { store.extend("jobs", "t", 5s); });
        QVERIFY2(message.contains(u"may not run EVALSHA"), qPrintable(message));
        QVERIFY2(message.contains(u"ACL SETUSER worker +"), qPrintable(message));
        setUser("+evalsha");
        setUser("-pexpire");
        message = messageOf([&] { store.extend("jobs", "t", 5s); });
        QVERIFY2(message.contains(u"commands of Baton's scripts (STRLEN, GET, PEXPIRE;"),
                 qPrintable(message));
        QVERIFY2(message.contains(u"ACL SETUSER worker +"), qPrintable(message));
        setUser("+pexpire");
        QVERIFY(store.release("jobs", "t")); // so that the last acquire below writes
        setUser("-publish");
        message = messageOf([&] { store.publish("jobs", "x"); });
        QVERIFY2(message.contains(u"may not run PUBLISH"), qPrintable(message));
        server.cli({QStringLiteral("REPLICAOF"), QStringLiteral("127.0.0.1"),
                    QString::number(m_server.port())});
        QTRY_VERIFY2((message = messageOf([&] {
                          store.acquire("jobs", "u", "b", 5s);
                      })).contains(u"read-only replica (READONLY)"),
                     qPrintable(message));
        QVERIFY2(message.contains(u"point the Redis URL at it"), qPrintable(message));
    }

    // Given a 20 MB holder id in the lock key, then no call reads it: acquire and inspect say
    // how long it is and how to delete it, and this process's memory does not grow by it.
    void oversizedLockValuesAreNotRead_data() {
        QTest::addColumn<int>("idBytes");
        QTest::addColumn<QString>("message");
        QTest::newRow("20 MB") << 20'000'000 << "holds 20000036 bytes, more than Baton ever writes";
        QTest::newRow("long id") << 2000 << "names a holder id of 2000 bytes";
    }
    void oversizedLockValuesAreNotRead() {
        QFETCH(int, idBytes);
        QFETCH(QString, message);
        RedisStore store(m_server.url(), quick());
        QCOMPARE(m_server.cli(writeLockWithIdOf(QStringLiteral("baton:{jobs}:lock"), idBytes)),
                 QString());
        const bool measured = resetPeakMemory();
        const long before = statusKb(QStringLiteral("self"), "VmHWM");
        for (auto call : std::initializer_list<std::function<void()>>{
                 [&] { store.acquire("jobs", "t", "a", 5s); }, [&] { store.inspect("jobs"); }}) {
            const QString text = messageOf(call);
            QVERIFY2(text.contains(message), qPrintable(text.left(500)));
            QVERIFY2(text.contains(u"redis-cli DEL 'baton:{jobs}:lock'"),
                     qPrintable(text.left(500)));
            QVERIFY(text.size() < 1000);
        }
        QVERIFY(!store.extend("jobs", "t", 5s));
        QVERIFY(!store.release("jobs", "t"));
        if (measured) {
            const long grown = statusKb(QStringLiteral("self"), "VmHWM") - before;
            QVERIFY2(grown < 8 * 1024, qPrintable(QStringLiteral("grew by %1 kB").arg(grown)));
        }
        // Baton itself never writes an id it would refuse to read.
        QVERIFY(messageOf([&] {
                    store.acquire("other", "t", std::string(1025, 'x'), 5s);
                }).contains(u"more than 1024"));
    }

    // Given presence entries too long to be Baton's (a 20 MB entry, a 2000-byte id), then the
    // observer reads neither: it reports each, keeps the good one, and memory stays small.
    void oversizedPresenceEntriesAreNotRead() {
        const QString members = QStringLiteral("baton:{jobs}:members");
        m_server.cli({QStringLiteral("EVAL"),
                      QStringLiteral("redis.call('HSET', KEYS[1], 'big', string.rep('x', 20000000))"
                                     " redis.call('HSET', KEYS[1], string.rep('i', 2000), '{}')"),
                      QStringLiteral("1"), members});
        MemberInfo good;
        good.id = "good";
        good.ttl = 60s;
        good.refresh = 1s;
        good.seenMs = unixMsNow();
        m_server.cli({QStringLiteral("HSET"), members, QStringLiteral("good"),
                      QString::fromStdString(wire::encode(good))});
        RedisStore store(m_server.url(), quick());
        const bool measured = resetPeakMemory();
        const long before = statusKb(QStringLiteral("self"), "VmHWM");
        std::mutex mutex;
        QStringList errors;
        std::vector<std::string> seen;
        Observer::Callbacks callbacks;
        callbacks.onError = [&](const std::string& e) {
            std::lock_guard guard(mutex);
            errors << QString::fromStdString(e);
        };
        callbacks.onState = [&](const ObservedState& s) {
            std::lock_guard guard(mutex);
            seen.clear();
            for (const auto& m : s.members)
                seen.push_back(m.id);
        };
        Observer observer(store, "jobs", callbacks);
        observer.start();
        auto errorCount = [&] {
            std::lock_guard guard(mutex);
            return errors.size();
        };
        QTRY_VERIFY(errorCount() >= 2);
        observer.stop();
        std::lock_guard guard(mutex);
        QVERIFY2(errors.join(u'\n').contains(
                     u"the entry of 'big' in baton:{jobs}:members holds 20000000 bytes"),
                 qPrintable(errors.join(u'\n').left(1000)));
        QVERIFY2(errors.join(u'\n').contains(u"redis-cli HDEL 'baton:{jobs}:members' 'big'"),
                 qPrintable(errors.join(u'\n').left(1000)));
        QVERIFY2(errors.join(u'\n').contains(u"an id of 2000 bytes in baton:{jobs}:members"),
                 qPrintable(errors.join(u'\n').left(1000)));
        QCOMPARE(seen, std::vector<std::string>{"good"});
        if (measured) {
            const long grown = statusKb(QStringLiteral("self"), "VmHWM") - before;
            QVERIFY2(grown < 8 * 1024, qPrintable(QStringLiteral("grew by %1 kB").arg(grown)));
        }
    }

    // Given a resource name with braces anywhere, then every key of it lands in one Redis
    // Cluster slot (asked of a real cluster node), and the lock calls work on a Cluster,
    // where keys of one call in two slots would fail with CROSSSLOT.
    void everyKeyOfAResourceSharesOneSlot() {
        test::RedisServer node;
        QVERIFY2(node.start({}, test::RedisServer::clusterNode()), qPrintable(node.error()));
        QVERIFY(node.serveAllSlots());
        RedisStore store(node.url(), quick());
        const std::vector<std::string> names{"jobs", "a}b", "}b",   "}{",    "{}",
                                             "{x}",  "}",   "%7Db", "a{b}c", "}}}"};
        std::set<std::string> keys;
        for (const std::string& name : names) {
            QSet<QString> slotsOfName;
            for (const char* kind : {"lock", "fence", "events", "members", "control"}) {
                const std::string k = RedisStore::key(name, kind);
                QVERIFY2(keys.insert(k).second, k.c_str()); // no two names share a key
                slotsOfName << node.cli({QStringLiteral("CLUSTER"), QStringLiteral("KEYSLOT"),
                                         QString::fromStdString(k)});
            }
            QVERIFY2(slotsOfName.size() == 1, name.c_str());
            store.checkElectionAccess(name);
            const auto r = store.acquire(name, "t", "a", 5s);
            QVERIFY2(r.acquired, name.c_str());
            QVERIFY(store.extend(name, "t", 5s));
            QCOMPARE(store.inspect(name)->fence, r.fence);
            QVERIFY(store.release(name, "t"));
        }
        // Ordinary names keep the keys they always had.
        QCOMPARE(RedisStore::key("jobs", "lock"), std::string("baton:{jobs}:lock"));
        QCOMPARE(RedisStore::key("a}b", "fence"), std::string("baton:{a}b}:fence"));
    }
};

QTEST_GUILESS_MAIN(TestRedisStore)
#include "test_redis_store.moc"
