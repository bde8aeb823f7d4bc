// The resource directory: key names and replies decoded without I/O (garbage included), then
// real passes over a test-owned redis-server holding Baton's locks and two other libraries'.

#include "support/redis_server.h"

#include <baton/redis/resource_directory.h>
#include <baton/store/locker.h>
#include <baton/wire/lock_value.h>

#include <QTest>

using namespace baton;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using directory::RawForeign;
using directory::RawResource;

namespace {

RedisOptions quick() {
    RedisOptions o;
    o.connectTimeout = 500ms;
    o.commandTimeout = 500ms;
    return o;
}

std::string memberJson(const std::string& state, double seenMs, double expMs = 0,
                       std::uint64_t fence = 0, double since = 0) {
    MemberInfo m;
    m.state = state;
    m.ttl = 2s;
    m.refresh = 500ms;
    m.seenMs = seenMs;
    m.expiresMs = expMs;
    m.fence = fence;
    m.termStartMs = since;
    return wire::encode(m);
}

const ResourceInfo* find(const DirectoryPass& pass, const std::string& name) {
    for (const ResourceInfo& r : pass.resources)
        if (r.name == name)
            return &r;
    return nullptr;
}

} // namespace

class TestResourceDirectory : public QObject {
    Q_OBJECT
    test::RedisServer m_server;

private slots:
    void initTestCase() { QVERIFY2(m_server.start(), qPrintable(m_server.error())); }
    void init() { m_server.cli({QStringLiteral("FLUSHALL")}); }

    // Given a resource name, when its keys are made, then the key names give it back.
    void keysNameTheirResource_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"jobs", "a:b", "}b", "", "x}:lock", "{y}", "%", "}%7D{", "ünï"})
            QTest::newRow(n) << QString::fromUtf8(n);
    }
    void keysNameTheirResource() {
        QFETCH(QString, name);
        const std::string r = name.toStdString();
        for (const char* kind : {"lock", "members"}) {
            const auto back = directory::resourceOfKey(RedisStore::key(r, kind), kind);
            QVERIFY2(back.has_value(), kind);
            QCOMPARE(QString::fromStdString(*back), name);
        }
        QVERIFY(!directory::resourceOfKey(RedisStore::key(r, "lock"), "members"));
    }

    void keysThatAreNotBatonsNameNothing_data() {
        QTest::addColumn<QString>("key");
        for (const char* k : {"leader:jobs", "baton:{}:lock", "baton:{}b}:lock", "baton:%{zz}:lock",
                              "baton:%{jobs}:lock", "baton:%{%7}:lock", "baton:{jobs}:fence",
                              "baton:{jobs}", "baton:", "", "}:lock", "baton:{jobs:lock"})
            QTest::newRow(k) << QString::fromUtf8(k);
    }
    void keysThatAreNotBatonsNameNothing() {
        QFETCH(QString, key);
        QVERIFY(!directory::resourceOfKey(key.toStdString(), "lock"));
    }

    void aHeldLockDecodesWithItsLiveMembers() {
        RawResource raw;
        raw.lockValue = wire::encode(wire::LockValue{"alice", 18446744073709551615ULL, "t"});
        raw.pttl = 1234;
        raw.serverMs = 1'000'000;
        raw.readerMs = 1'000'010; // a little ahead of the server
        raw.members = {
            {"bob", memberJson("follower", 999'900, 1'001'000)},
            {"alice", memberJson("leader", 999'900, 1'001'000, 18446744073709551615ULL, 990'000)},
            {"dead", memberJson("leader", 900'000, 999'999)},
            // Fresh by its writer's clock, but past the expiry the server gave it.
            {"stale", memberJson("leader", 999'950, 999'990)}};
        const ResourceInfo info = directory::decodeResource("jobs", raw);
        QCOMPARE(info.error, std::string());
        QCOMPARE(info.holder, std::string("alice"));
        QCOMPARE(info.fence, 18446744073709551615ULL);
        QCOMPARE(info.ttl, std::optional<Duration>(1234ms));
        QCOMPARE(info.key, std::string("baton:{jobs}:lock"));
        QCOMPARE(info.members.size(), std::size_t(2)); // the expired one is not live
        QCOMPARE(info.members[0].id, std::string("alice"));
        QCOMPARE(info.expiredMembers, std::size_t(2));
        QCOMPARE(info.termStartMs, std::optional<double>(990'000));
    }

    // Whatever the server holds, decoding says what is wrong and never throws.
    void garbageGivesAnErrorPerResource_data() {
        QTest::addColumn<QString>("lock");
        QTest::addColumn<qint64>("pttl");
        QTest::addColumn<QString>("member");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << u"hello\x1b[2J"_s << 500ll << QString()
                                  << u"holds a value Baton did not write"_s;
        QTest::newRow("no fence") << uR"({"id":"a"})"_s << 500ll << QString() << u"did not write"_s;
        QTest::newRow("no expiry")
            << uR"({"id":"a","fence":3,"token":"x"})"_s << -1ll << QString() << u"has no expiry"_s;
        QTest::newRow("bad member") << QString() << -2ll << u"[1,2"_s << u"member 'm'"_s;
        QTest::newRow("member without seen")
            << QString() << -2ll << uR"({"ttl":5})"_s << u"needs \"seen\""_s;
    }
    void garbageGivesAnErrorPerResource() {
        QFETCH(QString, lock);
        QFETCH(qint64, pttl);
        QFETCH(QString, member);
        QFETCH(QString, expected);
        RawResource raw;
        if (!lock.isEmpty())
            raw.lockValue = lock.toStdString();
        raw.pttl = pttl;
        if (!member.isEmpty())
            raw.members = {{"m", member.toStdString()}};
        const ResourceInfo info = directory::decodeResource("jobs", raw);
        QVERIFY2(QString::fromStdString(info.error).contains(expected), info.error.c_str());
        QVERIFY2(info.error.find('\x1b') == std::string::npos, "escaped");
    }

    void foreignKeysDecodeAsLocks_data() {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QStringList>("fields");
        QTest::addColumn<qint64>("size");
        QTest::addColumn<QString>("holder");
        QTest::addColumn<QString>("error");
        QTest::newRow("plain SET")
            << u"string"_s << u"worker-7"_s << QStringList() << 8ll << u"worker-7"_s << QString();
        QTest::newRow("Redisson hash") << u"hash"_s << QString() << QStringList{u"uuid:1"_s, u"2"_s}
                                       << 1ll << u"uuid:1"_s << QString();
        QTest::newRow("two holders")
            << u"hash"_s << QString() << QStringList{u"a"_s, u"1"_s, u"b"_s, u"1"_s} << 2ll
            << u"a, b"_s << u"one holder"_s;
        QTest::newRow("huge hash")
            << u"hash"_s << QString() << QStringList() << 5000ll << QString() << u"too many"_s;
        QTest::newRow("huge value") << u"string"_s << QString() << QStringList() << 99999999ll
                                    << QString() << u"too long"_s;
        QTest::newRow("empty value")
            << u"string"_s << u""_s << QStringList() << 0ll << QString() << u"empty"_s;
        QTest::newRow("a list") << u"list"_s << QString() << QStringList() << 0ll << QString()
                                << u"a list key, not a lock"_s;
    }
    void foreignKeysDecodeAsLocks() {
        QFETCH(QString, type);
        QFETCH(QString, value);
        QFETCH(QStringList, fields);
        QFETCH(qint64, size);
        QFETCH(QString, holder);
        QFETCH(QString, error);
        RawForeign raw;
        raw.type = type.toStdString();
        raw.pttl = 700;
        raw.size = static_cast<std::size_t>(size);
        if (!value.isNull())
            raw.value = value.toStdString();
        for (qsizetype i = 0; i + 1 < fields.size(); i += 2)
            raw.fields.emplace_back(fields[i].toStdString(), fields[i + 1].toStdString());
        const ResourceInfo info = directory::decodeForeign("k", raw);
        QVERIFY(info.foreign);
        QCOMPARE(QString::fromStdString(info.holder), holder);
        QCOMPARE(info.ttl, std::optional<Duration>(700ms));
        if (error.isEmpty())
            QCOMPARE(info.error, std::string());
        else
            QVERIFY2(QString::fromStdString(info.error).contains(error), info.error.c_str());
    }

    void aForeignLockWithoutExpirySaysSo() {
        RawForeign raw;
        raw.type = "string";
        raw.value = "me";
        raw.pttl = -1;
        const ResourceInfo info = directory::decodeForeign("k", raw);
        QVERIFY(!info.ttl);
        QVERIFY2(info.error.find("no expiry") != std::string::npos, info.error.c_str());
    }

    // Given Baton's locks, garbage, and two other libraries' locks on a real server, when a
    // pass runs with patterns, then every one is there with its holder and TTL.
    void aPassFindsBatonsAndForeignLocks() {
        RedisStore store(m_server.url(), quick());
        Locker locker(store);
        for (const char* r : {"jobs", "payments", "}odd"})
            QVERIFY(locker.tryLock(r, std::string("holder-of-") + r, 10s).lease);
        store.hset(RedisStore::key("jobs", "members"), "holder-of-jobs",
                   memberJson("leader", unixMsNow(), 0));
        store.hset(RedisStore::key("idle", "members"), "w1", memberJson("follower", unixMsNow()));
        m_server.cli({u"SET"_s, u"baton:{bad}:lock"_s, u"hello"_s});
        m_server.cli({u"HSET"_s, u"baton:{wrong}:lock"_s, u"a"_s, u"b"_s});
        // A plain SET ... PX ... NX lock (redis-py, node-redlock, go-redsync's value).
        m_server.cli(
            {u"SET"_s, u"leader:scheduler"_s, u"host-a:4242"_s, u"PX"_s, u"30000"_s, u"NX"_s});
        // A Redisson RLock: a hash {client uuid:thread id: reentry count} with PEXPIRE.
        m_server.cli(
            {u"HSET"_s, u"orders:lock"_s, u"8743c9c0-0795-4907-87fd-6c719a6b4586:1"_s, u"1"_s});
        m_server.cli({u"PEXPIRE"_s, u"orders:lock"_s, u"30000"_s});
        m_server.cli({u"RPUSH"_s, u"queue:lock"_s, u"x"_s});
        m_server.cli({u"SET"_s, u"unrelated"_s, u"x"_s});

        DirectoryOptions options;
        options.foreignPatterns = {"leader:*", "*:lock"};
        options.scanCount = 2; // several pages, paced
        options.pause = 1ms;
        ResourceDirectory dir(store, options);
        const DirectoryPass pass = dir.scan();
        QVERIFY(pass.scanCalls > 3);
        QVERIFY(pass.errors.empty());
        QVERIFY(pass.atMs > 0);

        QStringList names;
        for (const ResourceInfo& r : pass.resources)
            names << QString::fromStdString(r.name);
        QCOMPARE(names,
                 (QStringList{u"bad"_s, u"idle"_s, u"jobs"_s, u"payments"_s, u"wrong"_s, u"}odd"_s,
                              u"leader:scheduler"_s, u"orders:lock"_s, u"queue:lock"_s}));
        const ResourceInfo* jobs = find(pass, "jobs");
        QCOMPARE(jobs->holder, std::string("holder-of-jobs"));
        QVERIFY(jobs->fence > 0);
        QVERIFY(jobs->ttl && *jobs->ttl > 9s && *jobs->ttl <= 10s);
        QCOMPARE(jobs->members.size(), std::size_t(1));
        QCOMPARE(jobs->error, std::string());
        QCOMPARE(find(pass, "}odd")->holder, std::string("holder-of-}odd"));
        QVERIFY(!find(pass, "idle")->held());
        QCOMPARE(find(pass, "idle")->members.size(), std::size_t(1));
        QVERIFY(find(pass, "bad")->error.find("did not write") != std::string::npos);
        QVERIFY2(find(pass, "wrong")->error.find("not a string") != std::string::npos,
                 find(pass, "wrong")->error.c_str());

        const ResourceInfo* plain = find(pass, "leader:scheduler");
        QVERIFY(plain->foreign);
        QCOMPARE(plain->holder, std::string("host-a:4242"));
        QVERIFY(plain->ttl && *plain->ttl > 29s);
        const ResourceInfo* redisson = find(pass, "orders:lock");
        QCOMPARE(redisson->holder, std::string("8743c9c0-0795-4907-87fd-6c719a6b4586:1"));
        QVERIFY(redisson->ttl && *redisson->ttl > 29s);
        QCOMPARE(redisson->error, std::string());
        QVERIFY(find(pass, "queue:lock")->error.find("not a lock") != std::string::npos);

        // One resource alone, as status reads it.
        const ResourceInfo one = dir.read("jobs");
        QCOMPARE(one.holder, jobs->holder);
        QCOMPARE(one.fence, jobs->fence);
    }

    // One foreign lock alone, as the lab's read-only tab polls it: what the pass read, and a
    // missing key is a free lock, not an error.
    void readLockReadsOneForeignKey() {
        RedisStore store(m_server.url(), quick());
        m_server.cli({u"SET"_s, u"leader:one"_s, u"host-a"_s, u"PX"_s, u"30000"_s, u"NX"_s});
        m_server.cli({u"HSET"_s, u"one:lock"_s, u"uuid-1:7"_s, u"2"_s});
        m_server.cli({u"PEXPIRE"_s, u"one:lock"_s, u"30000"_s});
        m_server.cli({u"RPUSH"_s, u"list:lock"_s, u"x"_s});
        ResourceDirectory dir(store);
        const ResourceInfo plain = dir.readLock("leader:one");
        QCOMPARE(plain.holder, std::string("host-a"));
        QVERIFY(plain.foreign && plain.ttl && *plain.ttl > 29s);
        const ResourceInfo hash = dir.readLock("one:lock");
        QCOMPARE(hash.holder, std::string("uuid-1:7"));
        QCOMPARE(hash.error, std::string());
        const ResourceInfo gone = dir.readLock("leader:none");
        QVERIFY(!gone.held() && !gone.ttl && gone.error.empty());
        QCOMPARE(gone.key, std::string("leader:none"));
        const ResourceInfo list = dir.readLock("list:lock");
        QVERIFY(!list.held());
        QVERIFY2(list.error.find("not a lock") != std::string::npos, list.error.c_str());
        m_server.cli({u"DEL"_s, u"leader:one"_s, u"one:lock"_s, u"list:lock"_s});
    }

    // Given the README's read-only watcher, when it may also use the foreign keys (~: a
    // script's keys need it, %R~ is refused; its commands stay read-only) and run HGETALL,
    // then it reads a hash lock's holder; without either, the error says what to grant.
    void aWatcherReadsForeignLocksWithReadAccessToTheirKeys_data() {
        QTest::addColumn<QString>("extra");
        QTest::addColumn<bool>("reads");
        QTest::newRow("~ and +hgetall") << u"~lock:* +hgetall"_s << true;
        QTest::newRow("~ only") << u"~lock:*"_s << false;
        QTest::newRow("%R~ and +hgetall") << u"%R~lock:* +hgetall"_s << false;
    }
    void aWatcherReadsForeignLocksWithReadAccessToTheirKeys() {
        QFETCH(QString, extra);
        QFETCH(bool, reads);
        m_server.cli({u"HSET"_s, u"lock:orders"_s, u"uuid-9:3"_s, u"1"_s});
        m_server.cli({u"PEXPIRE"_s, u"lock:orders"_s, u"30000"_s});
        const QString acl = u"ACL SETUSER watcher on >watchpw resetkeys ~baton:* resetchannels "
                            u"&baton:* -@all +ping +select +scan +script|load +evalsha +time "
                            u"+pttl +strlen +type +get +hlen +hscan +subscribe +unsubscribe "_s +
                            extra;
        QCOMPARE(m_server.cli(acl.split(u' ')), u"OK"_s);
        RedisStore store(m_server.url(u"watcher:watchpw"_s), quick());
        const ResourceInfo info = ResourceDirectory(store).readLock("lock:orders");
        if (reads) {
            QVERIFY2(info.error.empty(), info.error.c_str());
            QCOMPARE(info.holder, std::string("uuid-9:3"));
        } else {
            QVERIFY(!info.held());
            QVERIFY2(QString::fromStdString(info.error).contains(u"+hgetall"_s),
                     info.error.c_str());
        }
        m_server.cli({u"ACL"_s, u"DELUSER"_s, u"watcher"_s});
        m_server.cli({u"DEL"_s, u"lock:orders"_s});
    }

    void aPassStopsAtItsLimitAndSaysSo() {
        RedisStore store(m_server.url(), quick());
        for (int i = 0; i < 30; ++i)
            store.set(RedisStore::key("r" + std::to_string(i), "lock"),
                      wire::encode(wire::LockValue{"a", 1, "t"}), 10s);
        DirectoryOptions options;
        options.maxResources = 10;
        const DirectoryPass pass = ResourceDirectory(store, options).scan();
        QCOMPARE(pass.resources.size(), std::size_t(10));
        QCOMPARE(pass.errors.size(), std::size_t(1));
        QVERIFY(pass.errors[0].find("more than 10") != std::string::npos);
    }

    // A server that forgot the scripts (SCRIPT FLUSH, a restart) answers NOSCRIPT to the
    // whole pipelined batch: they are loaded again and the batch runs once more.
    void forgottenScriptsAreLoadedAgain() {
        RedisStore store(m_server.url(), quick());
        Locker locker(store);
        QVERIFY(locker.tryLock("jobs", "alice", 10s).lease);
        ResourceDirectory dir(store);
        QCOMPARE(dir.scan().resources.size(), std::size_t(1));
        m_server.cli({u"SCRIPT"_s, u"FLUSH"_s});
        const DirectoryPass pass = dir.scan();
        QCOMPARE(pass.resources.size(), std::size_t(1));
        QCOMPARE(pass.resources[0].holder, std::string("alice"));
        QCOMPARE(pass.resources[0].error, std::string());
    }

    // Given a watcher granted the README's read-only line less one read permission, when it
    // scans, then the message names what is missing and advises the read-only watch's own ACL
    // line, never the election's (which would grant writes a watch must not have).
    void aWatcherMissingAPermissionGetsTheWatchAdvice_data() {
        QTest::addColumn<QString>("without");
        QTest::addColumn<QString>("names");
        QTest::newRow("no SCAN") << u"-scan"_s << u"SCAN"_s;
        QTest::newRow("no HSCAN in the scripts") << u"-hscan"_s << u"hscan"_s;
    }
    void aWatcherMissingAPermissionGetsTheWatchAdvice() {
        QFETCH(QString, without);
        QFETCH(QString, names);
        RedisStore writer(m_server.url(), quick());
        Locker locker(writer);
        QVERIFY(locker.tryLock("jobs", "alice", 10s).lease);
        m_server.cli({u"HSET"_s, u"baton:{jobs}:members"_s, u"alice"_s, u"{}"_s});
        QString acl = u"ACL SETUSER watcher on >watchpw resetkeys ~baton:* resetchannels "
                      u"&baton:* -@all +ping +select +scan +script|load +evalsha +time +pttl "
                      u"+strlen +type +get +hlen +hscan +subscribe +unsubscribe "_s +
                      without;
        QCOMPARE(m_server.cli(acl.split(u' ')), u"OK"_s);
        RedisStore store(m_server.url(u"watcher:watchpw"_s), quick());
        ResourceDirectory dir(store);
        std::string message;
        try {
            const DirectoryPass pass = dir.scan();
            for (const ResourceInfo& r : pass.resources)
                message += r.error;
        } catch (const StoreError& e) {
            message = e.what();
        }
        const QString m = QString::fromStdString(message);
        QVERIFY2(m.contains(names, Qt::CaseInsensitive), qPrintable(m));
        QVERIFY2(m.contains(u"grant what a read-only watch needs: ACL SETUSER watcher "
                            u"resetkeys ~baton:* resetchannels &baton:* -@all"_s),
                 qPrintable(m));
        QVERIFY2(!m.contains(u"+set"_s) && !m.contains(u"election"_s), qPrintable(m));
        m_server.cli({u"ACL"_s, u"DELUSER"_s, u"watcher"_s});
    }

    void aServerThatWentAwayThrowsAStoreError() {
        test::RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.error()));
        RedisStore store(server.url(), quick());
        server.stop();
        ResourceDirectory dir(store);
        QVERIFY_THROWS_EXCEPTION(StoreError, dir.scan());
        QVERIFY_THROWS_EXCEPTION(StoreError, dir.read("jobs"));
    }
};

QTEST_GUILESS_MAIN(TestResourceDirectory)
#include "test_resource_directory.moc"
