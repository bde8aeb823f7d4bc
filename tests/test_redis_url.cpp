// Redis URLs: every accepted form, and a table of malformed ones that must fail clearly.

#include "support/columns.h"

#include <baton/redis/redis_url.h>

#include <QTest>

using namespace baton;
using namespace Qt::StringLiterals;
using baton::test::addColumns;

class TestRedisUrl : public QObject {
    Q_OBJECT

private slots:
    void parsesValidUrls_data() {
        addColumns<QString, bool, QString, int, QString, QString, int>(
            "url", "unix", "hostOrPath", "port", "user", "password", "db");
        QTest::newRow("host") << "redis://localhost" << false << "localhost" << 6379 << ""
                              << "" << 0;
        QTest::newRow("port") << "redis://127.0.0.1:7000" << false << "127.0.0.1" << 7000 << ""
                              << "" << 0;
        QTest::newRow("db") << "redis://h:1/3" << false << "h" << 1 << ""
                            << "" << 3;
        QTest::newRow("trailing slash") << "redis://h/" << false << "h" << 6379 << ""
                                        << "" << 0;
        QTest::newRow("password") << "redis://:s3cret@h" << false << "h" << 6379 << ""
                                  << "s3cret" << 0;
        QTest::newRow("bare password") << "redis://s3cret@h" << false << "h" << 6379 << ""
                                       << "s3cret" << 0;
        QTest::newRow("acl user") << "redis://alice:pw@h:6380/2" << false << "h" << 6380 << "alice"
                                  << "pw" << 2;
        QTest::newRow("escaped") << "redis://a%40b:p%3Aw%40@h" << false << "h" << 6379 << "a@b"
                                 << "p:w@" << 0;
        QTest::newRow("ipv6") << "redis://[::1]:6390" << false << "::1" << 6390 << ""
                              << "" << 0;
        QTest::newRow("unix") << "unix:///run/redis.sock" << true << "/run/redis.sock" << 6379 << ""
                              << "" << 0;
        QTest::newRow("unix db") << "unix:///tmp/r.sock?db=5" << true << "/tmp/r.sock" << 6379 << ""
                                 << "" << 5;
        QTest::newRow("slash and at in password")
            << "redis://u:a/b@c@h:1/2" << false << "h" << 1 << "u"
            << "a/b@c" << 2;
        QTest::newRow("leading zero in the port") << "redis://h:06379" << false << "h" << 6379 << ""
                                                  << "" << 0;
        QTest::newRow("many leading zeros in the port")
            << "redis://h:0000000000006379" << false << "h" << 6379 << ""
            << "" << 0;
        QTest::newRow("unix auth")
            << "unix://bob:pw@/tmp/r.sock" << true << "/tmp/r.sock" << 6379 << "bob"
            << "pw" << 0;
    }
    void parsesValidUrls() {
        QFETCH(QString, url);
        QFETCH(bool, unix);
        QFETCH(QString, hostOrPath);
        QFETCH(int, port);
        QFETCH(QString, user);
        QFETCH(QString, password);
        QFETCH(int, db);
        const RedisUrl u = RedisUrl::parse(url.toStdString());
        QCOMPARE(u.unixSocket, unix);
        QCOMPARE(QString::fromStdString(unix ? u.path : u.host), hostOrPath);
        QCOMPARE(u.port, port);
        QCOMPARE(QString::fromStdString(u.user), user);
        QCOMPARE(QString::fromStdString(u.password), password);
        QCOMPARE(u.db, db);
        if (!password.isEmpty()) {
            QVERIFY(!QString::fromStdString(u.redacted()).contains(password));
            QVERIFY(QString::fromStdString(u.redacted()).contains(u"***"));
            QVERIFY(!QString::fromStdString(redactUrl(url.toStdString())).contains(password));
        }
    }

    void rejectsMalformedUrls_data() {
        // reason: what the message must say
        addColumns<QString, QString>("url", "reason");
        QTest::newRow("empty") << u""_s << u"it is empty"_s;
        QTest::newRow("no scheme") << u"localhost:6379"_s << u"no scheme"_s;
        QTest::newRow("no scheme, credentials")
            << u"alice:s3cret@db:6379"_s << u"'***@db:6379': no scheme"_s;
        QTest::newRow("broken scheme, credentials") << u"redis:/alice:s3cret@db"_s << u"'***@db'"_s;
        QTest::newRow("unknown scheme") << u"http://localhost"_s << u"unknown scheme 'http'"_s;
        QTest::newRow("tls") << u"rediss://localhost"_s << u"TLS (rediss://) is not supported"_s;
        QTest::newRow("cluster, no nodes")
            << u"redis-cluster://"_s << u"the list of cluster nodes is empty"_s;
        QTest::newRow("cluster, credentials only")
            << u"redis-cluster://u:pw@"_s << u"the list of cluster nodes is empty"_s;
        QTest::newRow("cluster, stray comma")
            << u"redis-cluster://h:7000,,h:7001"_s << u"an empty entry in the list of cluster"_s;
        QTest::newRow("cluster, db") << u"redis-cluster://h:7000/2"_s << u"db 0 only"_s;
        QTest::newRow("cluster, query") << u"redis-cluster://h:7000?db=1"_s << u"no options"_s;
        QTest::newRow("cluster, bad port")
            << u"redis-cluster://h:7000,h:0"_s << u"port 0 is out of range"_s;
        QTest::newRow("no host") << u"redis://"_s << u"no host"_s;
        QTest::newRow("no host, port") << u"redis://:6379"_s << u"no host"_s;
        QTest::newRow("no host, credentials") << u"redis://:pw@"_s << u"no host"_s;
        QTest::newRow("port 0") << u"redis://h:0"_s << u"port 0 is out of range 1-65535"_s;
        QTest::newRow("port 70000") << u"redis://h:70000"_s << u"port 70000 is out of range"_s;
        QTest::newRow("port letters") << u"redis://h:abc"_s << u"port 'abc' is not a number"_s;
        QTest::newRow("port negative") << u"redis://h:-1"_s << u"port '-1' is not a number"_s;
        QTest::newRow("port empty") << u"redis://h:"_s << u"the port is empty"_s;
        QTest::newRow("port huge") << u"redis://h:99999999999999"_s << u"out of range"_s;
        QTest::newRow("db letters") << u"redis://h/zero"_s << u"db 'zero' is not a number"_s;
        QTest::newRow("db negative") << u"redis://h/-2"_s << u"db '-2' is not a number"_s;
        QTest::newRow("db with path") << u"redis://h/1/2"_s << u"db '1/2' is not a number"_s;
        QTest::newRow("space") << u"redis://local host"_s << u"space or a control character"_s;
        QTest::newRow("stray char in host") << u"redis://lo$calhost"_s << u"host contains '$'"_s;
        QTest::newRow("query") << u"redis://h?timeout=3"_s << u"unexpected '?'"_s;
        QTest::newRow("user without password") << u"redis://alice:@h"_s << u"has no password"_s;
        QTest::newRow("bad escape") << u"redis://:p%zz@h"_s << u"bad %-escape"_s;
        QTest::newRow("unclosed ipv6") << u"redis://[::1:6379"_s << u"unclosed '['"_s;
        QTest::newRow("bad ipv6") << u"redis://[zz]:1"_s << u"not an IPv6 address"_s;
        QTest::newRow("junk after ipv6") << u"redis://[::1]x"_s << u"unexpected 'x'"_s;
        QTest::newRow("unix no path") << u"unix://"_s << u"no socket path"_s;
        QTest::newRow("unix dir") << u"unix:///tmp/"_s << u"no socket path"_s;
        QTest::newRow("unix bad query") << u"unix:///tmp/r.sock?x=1"_s << u"unknown query"_s;
        QTest::newRow("unix bad db") << u"unix:///tmp/r.sock?db=x"_s << u"not a number"_s;
        QTest::newRow("sentinel password on a unix socket")
            << u"unix:///tmp/r.sock?sentinelPassword=x"_s
            << u"understood only in the query of a redis-sentinel://"_s;
        QTest::newRow("very long url")
            << QStringLiteral("redis://h/") + QString(5000, u'1') << "characters long";
        QTest::newRow("very long host")
            << QStringLiteral("redis://") + QString(300, u'a') << "longer than 253";
        QTest::newRow("no master") << u"redis-sentinel://h:26379"_s << u"no master name"_s;
        QTest::newRow("empty master") << u"redis-sentinel://h/"_s << u"no master name"_s;
        QTest::newRow("master, query only") << u"redis-sentinel://h/?db=1"_s << u"no master name"_s;
        QTest::newRow("no hosts") << u"redis-sentinel:///m"_s << u"list of sentinels is empty"_s;
        QTest::newRow("nothing") << u"redis-sentinel://"_s << u"list of sentinels is empty"_s;
        QTest::newRow("credentials only")
            << u"redis-sentinel://:pw@/m"_s << u"list of sentinels is empty"_s;
        QTest::newRow("stray comma") << u"redis-sentinel://a,,b/m"_s << u"a stray ','"_s;
        QTest::newRow("trailing comma") << u"redis-sentinel://a,/m"_s << u"a stray ','"_s;
        QTest::newRow("bad port") << u"redis-sentinel://a:0/m"_s << u"out of range"_s;
        QTest::newRow("bad master") << u"redis-sentinel://a/m/x"_s << u"contains '/'"_s;
        QTest::newRow("unknown option")
            << u"redis-sentinel://a/m?timeout=1"_s << u"unknown option 'timeout'"_s;
        QTest::newRow("bad db") << u"redis-sentinel://a/m?db=x"_s << u"not a number"_s;
        QTest::newRow("sentinel user alone")
            << u"redis-sentinel://a/m?sentinelUser=bob"_s << u"without sentinelPassword"_s;
    }
    void rejectsMalformedUrls() {
        QFETCH(QString, url);
        QFETCH(QString, reason);
        try {
            RedisUrl::parse(url.toStdString());
            QFAIL("a malformed URL was accepted");
        } catch (const UrlError& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains(reason), qPrintable(message));
            QVERIFY2(message.contains(u"redis://[user:password@]host[:port][/db]"),
                     qPrintable(message));
            QVERIFY(message.size() < 400); // a long URL is cut, not echoed whole
        }
    }

    // Given text with no scheme and no '@' (perhaps a password given as --redis), then the
    // message says what is wrong and how to write it, and shows none of the text.
    void schemelessTextIsNeverShown_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("a password") << "S3CRETpw";
        QTest::newRow("with a colon") << "S3CRET:pw";
        QTest::newRow("one slash") << "redis:/S3CRETpw";
        QTest::newRow("no colon") << "redis//S3CRETpw";
    }
    void schemelessTextIsNeverShown() {
        QFETCH(QString, text);
        try {
            RedisUrl::parse(text.toStdString());
            QFAIL("accepted");
        } catch (const UrlError& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(!message.contains(u"S3CRET"), qPrintable(message));
            QVERIFY2(message.contains(u"not shown, in case it is a password"), qPrintable(message));
            QVERIFY2(message.contains(u"no scheme; write redis://host:port"), qPrintable(message));
        }
    }

    // Given a name alone before '@', then it is read as the password, and the URL says so, so
    // that a login error can tell a user name from a password (see test_redis_store).
    void aNameAloneBeforeTheAtIsMarked_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("bare");
        QTest::newRow("name alone") << "redis://alice@h" << true;
        QTest::newRow("password") << "redis://:alice@h" << false;
        QTest::newRow("user and password") << "redis://alice:pw@h" << false;
        QTest::newRow("unix name alone") << "unix://alice@/tmp/r.sock" << true;
        QTest::newRow("no credentials") << "redis://h" << false;
    }
    void aNameAloneBeforeTheAtIsMarked() {
        QFETCH(QString, url);
        QFETCH(bool, bare);
        const RedisUrl u = RedisUrl::parse(url.toStdString());
        QCOMPARE(u.bareCredential, bare);
        if (bare) {
            QCOMPARE(QString::fromStdString(u.password), QStringLiteral("alice"));
            QVERIFY(!QString::fromStdString(u.redacted()).contains(u"alice"));
        }
    }

    // Passwords never appear in messages, even when the URL fails to parse.
    void errorsNeverShowThePassword_data() {
        QTest::addColumn<QString>("url");
        QTest::newRow("bad port") << "redis://alice:hunter2@h:port";
        QTest::newRow("bad host") << "redis://:hunter2@bad$host";
        QTest::newRow("bare password") << "redis://hunter2@h:0";
        QTest::newRow("unix") << "unix://bob:hunter2@/tmp/x.sock?db=q";
        QTest::newRow("slash in password") << "redis://u:hun/ter2@h:port";
        QTest::newRow("question mark in password") << "redis://u:hun?ter2@h:0";
        QTest::newRow("hash in password") << "redis://:hun#ter2@h/x";
        QTest::newRow("at in password") << "redis://u:hun@ter2@h:0";
        QTest::newRow("bad port") << "redis-sentinel://:hunter2@h:0/m?sentinelPassword=hunter2";
        QTest::newRow("raw ampersand") << "redis-sentinel://h/m?sentinelPassword=hun&ter2";
        QTest::newRow("raw at") << "redis-sentinel://h:x/m?sentinelPassword=hun@ter2";
        QTest::newRow("odd case") << "redis-sentinel://h/m?SentinelPassword=hunter2";
        QTest::newRow("bad escape") << "redis-sentinel://h/m?sentinelPassword=hun%zter2";
        QTest::newRow("typo in the scheme") << "redis-sentinal://h/m?sentinelPassword=hunter2";
        QTest::newRow("sentinel password in a port")
            << "redis-sentinel://h:sentinelPassword=hunter2/m";
        QTest::newRow("sentinel password in the db")
            << "redis-sentinel://h/m?db=2:sentinelPassword=hunter2";
        // Found by fuzz_redis_url: a unix socket URL echoed its whole query.
        QTest::newRow("sentinel password on a unix socket")
            << "unix:///tmp/r.sock?sentinelPassword=hunter2";
        QTest::newRow("sentinel password after a unix db")
            << "unix:///tmp/r.sock?db=1&sentinelPassword=hunter2";
        QTest::newRow("sentinel password in the scheme") << "redis-sentinelPassword=hunter2://h/m";
    }
    void errorsNeverShowThePassword() {
        QFETCH(QString, url);
        try {
            RedisUrl::parse(url.toStdString());
            QFAIL("accepted");
        } catch (const UrlError& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(!message.contains(u"hunter2") && !message.contains(u"hun") &&
                         !message.contains(u"ter2"),
                     e.what());
        }
    }
    // Given a redis-cluster:// URL, then the nodes (6379 by default) and the login are read,
    // and redacted() hides the password and parses back to the same nodes.
    void parsesClusterUrls() {
        const RedisUrl u = RedisUrl::parse("redis-cluster://alice:hunter2@a:7000,b,[::1]:7002");
        QVERIFY(u.cluster);
        QVERIFY(!u.sentinel);
        QStringList hosts;
        for (const RedisHost& h : u.nodes)
            hosts << QStringLiteral("%1:%2").arg(QString::fromStdString(h.host)).arg(h.port);
        QCOMPARE(hosts.join(u' '), u"a:7000 b:6379 ::1:7002"_s);
        QCOMPARE(u.user, std::string("alice"));
        QCOMPARE(u.password, std::string("hunter2"));
        QCOMPARE(u.host, std::string("a"));
        const QString shown = QString::fromStdString(u.redacted());
        QCOMPARE(shown, u"redis-cluster://alice:***@a:7000,b:6379,[::1]:7002"_s);
        QCOMPARE(RedisUrl::parse(shown.toStdString()).nodes.size(), std::size_t(3));
        QVERIFY(!QString::fromStdString(redactUrl("redis-cluster://alice:hunter2@a,,b"))
                     .contains(u"hunter2"));
        try {
            RedisUrl::parse("redis-cluster://alice:hunter2@a:7000,,b");
            QFAIL("a stray comma was accepted");
        } catch (const UrlError& e) {
            QVERIFY2(!QString::fromUtf8(e.what()).contains(u"hunter2"), e.what());
        }
        const RedisUrl node = u.server("b", 6380);
        QVERIFY(!node.cluster);
        QCOMPARE(node.password, std::string("hunter2"));
    }

    // Given a redis-sentinel:// URL, then the sentinels (26379 by default), the master's name,
    // the primary's login and db and the sentinels' login are read, and redacted() hides both
    // passwords.
    void parsesSentinelUrls_data() {
        addColumns<QString, QString, QString, QString, QString, int, QString, QString>(
            "url", "sentinels", "master", "user", "password", "db", "sentinelUser",
            "sentinelPassword");
        QTest::newRow("one") << "redis-sentinel://h/mymaster"
                             << "h:26379"
                             << "mymaster"
                             << ""
                             << "" << 0 << ""
                             << "";
        QTest::newRow("three") << "redis-sentinel://a:1,b,[::1]:3/m"
                               << "a:1 b:26379 ::1:3"
                               << "m"
                               << ""
                               << "" << 0 << ""
                               << "";
        QTest::newRow("logins") << "redis-sentinel://alice:pw@h:2/m.1?db=4&sentinelPassword=sp"
                                << "h:2"
                                << "m.1"
                                << "alice"
                                << "pw" << 4 << ""
                                << "sp";
        QTest::newRow("sentinel user")
            << "redis-sentinel://h/m?sentinelUser=bob&sentinelPassword=a%26b@c&db=1"
            << "h:26379"
            << "m"
            << ""
            << "" << 1 << "bob"
            << "a&b@c";
        QTest::newRow("at in both passwords") << "redis-sentinel://:p@w@h/m?sentinelPassword=s@x"
                                              << "h:26379"
                                              << "m"
                                              << ""
                                              << "p@w" << 0 << ""
                                              << "s@x";
    }
    void parsesSentinelUrls() {
        QFETCH(QString, url);
        QFETCH(QString, sentinels);
        QFETCH(QString, master);
        QFETCH(QString, user);
        QFETCH(QString, password);
        QFETCH(int, db);
        QFETCH(QString, sentinelUser);
        QFETCH(QString, sentinelPassword);
        const RedisUrl u = RedisUrl::parse(url.toStdString());
        QVERIFY(u.sentinel);
        QStringList hosts;
        for (const RedisHost& h : u.sentinels)
            hosts << QStringLiteral("%1:%2").arg(QString::fromStdString(h.host)).arg(h.port);
        QCOMPARE(hosts.join(u' '), sentinels);
        QCOMPARE(QString::fromStdString(u.masterName), master);
        QCOMPARE(QString::fromStdString(u.user), user);
        QCOMPARE(QString::fromStdString(u.password), password);
        QCOMPARE(u.db, db);
        QCOMPARE(QString::fromStdString(u.sentinelUser), sentinelUser);
        QCOMPARE(QString::fromStdString(u.sentinelPassword), sentinelPassword);
        // What is shown parses back to the same place, with neither password in it.
        const QString shown = QString::fromStdString(u.redacted());
        const RedisUrl back = RedisUrl::parse(shown.toStdString());
        QCOMPARE(back.sentinels.size(), u.sentinels.size());
        QCOMPARE(back.masterName, u.masterName);
        QCOMPARE(back.db, u.db);
        for (const QString& secret : {password, sentinelPassword}) {
            if (secret.isEmpty())
                continue;
            QVERIFY2(!shown.contains(secret), qPrintable(shown));
            QVERIFY2(!QString::fromStdString(redactUrl(url.toStdString())).contains(secret),
                     qPrintable(QString::fromStdString(redactUrl(url.toStdString()))));
        }
        // The primary a sentinel names is reached with the primary's login; a sentinel with its
        // own.
        const RedisUrl primary = u.server("10.0.0.9", 6390);
        QVERIFY(!primary.sentinel);
        QCOMPARE(QString::fromStdString(primary.password), password);
        QCOMPARE(primary.db, db);
        const RedisUrl sentinel = u.sentinelServer(u.sentinels.front());
        QCOMPARE(QString::fromStdString(sentinel.password), sentinelPassword);
        QCOMPARE(sentinel.db, 0);
    }
};

QTEST_APPLESS_MAIN(TestRedisUrl)
#include "test_redis_url.moc"
