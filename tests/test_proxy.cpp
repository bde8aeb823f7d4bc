// The fault proxy (Baton::proxy) between real clients and a private redis-server: latency within
// tolerance, a blackhole that makes a call time out, a reset that makes the client reconnect,
// refusal, durations, several faults at once, and heal restoring every one of them.

#include "support/redis_server.h"

#include <baton/proxy/fault_proxy.h>
#include <baton/proxy/proxied_url.h>
#include <baton/redis/redis_store.h>

#include <QElapsedTimer>
#include <QTest>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>
#include <vector>

using namespace std::chrono_literals;
using baton::proxy::Direction;
using baton::proxy::Fault;
using baton::proxy::FaultProxy;
using baton::proxy::ResetMode;

namespace {

struct RedisFree {
    void operator()(redisContext* c) const { redisFree(c); }
};
using Connection = std::unique_ptr<redisContext, RedisFree>;

Connection dial(int port, timeval timeout = {2, 0}) {
    Connection c(redisConnectWithTimeout("127.0.0.1", port, timeout));
    if (c && !c->err)
        redisSetTimeout(c.get(), timeout);
    return c;
}

/// One command's reply as text ("" and the error in `error` when it failed).
QString command(redisContext* c, const char* text, QString* error = nullptr) {
    auto* r = static_cast<redisReply*>(redisCommand(c, text));
    if (!r) {
        if (error)
            *error = QString::fromUtf8(c->errstr);
        return {};
    }
    const QString out = QString::fromUtf8(r->str ? r->str : "");
    freeReplyObject(r);
    return out;
}

/// The median round trip of `n` PINGs, in milliseconds.
double medianPingMs(redisContext* c, int n = 21) {
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
        QElapsedTimer t;
        t.start();
        if (command(c, "PING") != u"PONG"_qs)
            return -1;
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

} // namespace

class TestProxy : public QObject {
    Q_OBJECT

    baton::test::RedisServer m_redis;
    std::unique_ptr<FaultProxy> m_proxy;

private slots:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.error())); }
    void init() { m_proxy = std::make_unique<FaultProxy>("127.0.0.1", m_redis.port()); }
    void cleanup() { m_proxy.reset(); }

    // Given no fault, then commands pass unchanged and the proxy counts the connection.
    void forwardsWithoutFault() {
        Connection c = dial(m_proxy->port());
        QVERIFY(c && !c->err);
        QCOMPARE(command(c.get(), "SET proxied yes"), u"OK"_qs);
        QCOMPARE(command(c.get(), "GET proxied"), u"yes"_qs);
        QCOMPARE(m_proxy->stats().accepted, 1u);
        QVERIFY(m_proxy->active().empty());
        QCOMPARE(m_proxy->upstream(),
                 QStringLiteral("127.0.0.1:%1").arg(m_redis.port()).toStdString());
    }

    void latencyIsAddedWithinTolerance_data() {
        QTest::addColumn<int>("latencyMs");
        QTest::addColumn<Direction>("direction");
        QTest::addColumn<int>("expectedMs"); // added per round trip
        QTest::newRow("upstream 30ms") << 30 << Direction::Upstream << 30;
        QTest::newRow("downstream 30ms") << 30 << Direction::Downstream << 30;
        QTest::newRow("both 20ms") << 20 << Direction::Both << 40;
    }
    // Given a latency fault, then every round trip takes that much longer (within 15 ms on a
    // shared machine), and heal takes it away.
    void latencyIsAddedWithinTolerance() {
        QFETCH(int, latencyMs);
        QFETCH(Direction, direction);
        QFETCH(int, expectedMs);
        Connection c = dial(m_proxy->port());
        QVERIFY(c && !c->err);
        const double base = medianPingMs(c.get());
        const auto id =
            m_proxy->add(Fault::latencyOf(std::chrono::milliseconds(latencyMs), {}, direction));
        const double slowed = medianPingMs(c.get(), 9);
        QVERIFY2(slowed >= expectedMs && slowed < base + expectedMs + 15,
                 qPrintable(QStringLiteral("%1 ms, base %2 ms").arg(slowed).arg(base)));
        QVERIFY(m_proxy->heal(id));
        QVERIFY(!m_proxy->heal(id));
        QVERIFY2(medianPingMs(c.get()) < base + 5, "heal takes the latency away");
    }

    // Given jitter, then each round trip lies in [latency - jitter, latency + jitter] (plus
    // tolerance), and pipelined replies still come in order (jitter never reorders bytes).
    void jitterKeepsOrder() {
        Connection c = dial(m_proxy->port());
        m_proxy->add(Fault::latencyOf(20ms, 10ms, Direction::Upstream));
        for (int i = 0; i < 50; ++i)
            redisAppendCommand(c.get(), "ECHO %d", i);
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < 50; ++i) {
            void* reply = nullptr;
            QCOMPARE(redisGetReply(c.get(), &reply), REDIS_OK);
            auto* r = static_cast<redisReply*>(reply);
            QCOMPARE(QString::fromUtf8(r->str), QString::number(i));
            freeReplyObject(r);
        }
        // Held one after another, the 50 would take a second; together they take one trip (the
        // bound leaves room for a loaded machine).
        QVERIFY2(t.elapsed() >= 10 && t.elapsed() < 250, qPrintable(QString::number(t.elapsed())));
    }

    // Given a blackhole, then a call through the proxy hangs until the client's command
    // timeout; after heal a call succeeds again (the client reconnects).
    void blackholeMakesACallTimeOut() {
        baton::RedisOptions options;
        options.commandTimeout = 300ms;
        options.reconnectBackoffMin = 20ms;
        options.reconnectBackoffMax = 50ms;
        baton::RedisStore store("redis://127.0.0.1:" + std::to_string(m_proxy->port()), options);
        QVERIFY(!store.inspect("jobs"));
        const auto id = m_proxy->add(Fault::blackhole());
        QElapsedTimer t;
        t.start();
        QVERIFY_THROWS_EXCEPTION(baton::StoreError, store.inspect("jobs"));
        QVERIFY2(t.elapsed() >= 280 && t.elapsed() < 1500,
                 qPrintable(QString::number(t.elapsed())));
        QCOMPARE(m_proxy->active().size(), 1u);
        m_proxy->heal(id);
        QVERIFY(m_proxy->active().empty());
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                try {
                    store.inspect("jobs");
                    return true;
                } catch (const baton::StoreError&) {
                    return false;
                }
            }(),
            5000);
    }

    // Given a downstream blackhole, then the server still runs the command (the reply is what
    // is lost): the client cannot tell a lost request from a lost reply, as on a real network.
    void downstreamBlackholeLosesOnlyReplies() {
        Connection c = dial(m_proxy->port(), {0, 300000});
        m_proxy->add(Fault::blackhole(Direction::Downstream));
        QString error;
        QCOMPARE(command(c.get(), "SET sent-but-unanswered 1", &error), QString());
        QVERIFY2(!error.isEmpty(), "the call timed out");
        QCOMPARE(m_redis.cli({u"GET"_qs, u"sent-but-unanswered"_qs}), u"1"_qs);
    }

    // Given a reset, then open connections die at once, new ones are accepted and closed while
    // it lasts, and after heal a new connection works (the client reconnects).
    void resetMakesAReconnect() {
        Connection c = dial(m_proxy->port());
        QCOMPARE(command(c.get(), "PING"), u"PONG"_qs);
        const auto id = m_proxy->add(Fault::resetAll());
        QString error;
        QTRY_VERIFY(command(c.get(), "PING", &error).isEmpty());
        QVERIFY(!error.isEmpty());
        Connection during = dial(m_proxy->port());
        QVERIFY(!during || during->err || command(during.get(), "PING").isEmpty());
        QVERIFY(m_proxy->stats().closedByFault >= 2);
        QVERIFY(m_proxy->heal(id));
        Connection after = dial(m_proxy->port());
        QVERIFY(after && !after->err);
        QCOMPARE(command(after.get(), "PING"), u"PONG"_qs);
    }

    // Given a reset in refuse mode, then the port refuses connections; after heal it listens
    // again on the same port.
    void refuseThenListenAgain() {
        const int port = m_proxy->port();
        m_proxy->add(Fault::resetAll(ResetMode::Refuse).lasting(400ms));
        QTRY_VERIFY([&] {
            Connection c = dial(port);
            return !c || c->err;
        }());
        Connection refused = dial(port);
        QVERIFY(refused && refused->err);
        QVERIFY2(QString::fromUtf8(refused->errstr).contains(u"refused"_qs), refused->errstr);
        // The fault ends by itself after 400 ms.
        QTRY_VERIFY(m_proxy->active().empty());
        QTRY_VERIFY([&] {
            Connection c = dial(port);
            return c && !c->err && command(c.get(), "PING") == u"PONG"_qs;
        }());
        QCOMPARE(m_proxy->port(), port);
    }

    // Given a blackhole lasting 300 ms, then a call made during it is answered when it ends
    // (the held bytes are delivered in order, as TCP would once a partition heals).
    void heldBytesArriveWhenAFaultEnds() {
        Connection c = dial(m_proxy->port());
        m_proxy->add(Fault::blackhole().lasting(300ms));
        QCOMPARE(m_proxy->active().size(), 1u);
        QVERIFY(m_proxy->active().front().endsAt.has_value());
        QElapsedTimer t;
        t.start();
        QCOMPARE(command(c.get(), "ECHO late"), u"late"_qs);
        QVERIFY2(t.elapsed() >= 250, qPrintable(QString::number(t.elapsed())));
        QVERIFY(m_proxy->active().empty());
    }

    // Given latency and a bandwidth limit at once, then both are listed and both apply: 60 KB
    // at 200 KB/s takes about 300 ms; healAll restores full speed.
    void severalFaultsAtOnce() {
        Connection c = dial(m_proxy->port(), {5, 0});
        const std::string value(60000, 'x');
        auto* r = static_cast<redisReply*>(
            redisCommand(c.get(), "SET big %b", value.data(), value.size()));
        QVERIFY(r);
        freeReplyObject(r);
        m_proxy->add(Fault::latencyOf(10ms, {}, Direction::Upstream));
        m_proxy->add(Fault::slow(200000, Direction::Downstream));
        const auto faults = m_proxy->active();
        QCOMPARE(faults.size(), 2u);
        QCOMPARE(describe(faults[0].fault), std::string("latency 10ms upstream"));
        QCOMPARE(describe(faults[1].fault), std::string("slow 200000 B/s downstream"));
        QElapsedTimer t;
        t.start();
        QCOMPARE(command(c.get(), "GET big").size(), 60000);
        QVERIFY2(t.elapsed() >= 250 && t.elapsed() < 700, qPrintable(QString::number(t.elapsed())));
        m_proxy->healAll();
        t.restart();
        QCOMPARE(command(c.get(), "GET big").size(), 60000);
        QVERIFY2(t.elapsed() < 200, qPrintable(QString::number(t.elapsed()))); // slow: 300 ms
    }

    // Given an upstream that is down, then a client's connection through the proxy is closed
    // (as if the server refused) and counted.
    void upstreamDownClosesTheClient() {
        m_redis.stop();
        Connection c = dial(m_proxy->port(), {0, 500000});
        QVERIFY(!c || c->err || command(c.get(), "PING").isEmpty());
        QTRY_COMPARE(m_proxy->stats().upstreamFailed, 1u);
        QVERIFY2(m_redis.restart(), qPrintable(m_redis.error()));
        Connection again = dial(m_proxy->port());
        QCOMPARE(command(again.get(), "PING"), u"PONG"_qs);
    }

    // Faults that would do nothing, and upstreams that cannot be, are refused with a reason.
    void badInputIsRefused() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m_proxy->add(Fault::latencyOf(0ms)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m_proxy->add(Fault::slow(0)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 m_proxy->add(Fault::blackhole().lasting(0ms)));
        QVERIFY(m_proxy->active().empty());
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, FaultProxy("127.0.0.1", 0));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, FaultProxy("no-such-host.invalid", 6379));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 FaultProxy("127.0.0.1", m_redis.port(), m_redis.port()));
    }

    // An agent's URL through its proxy keeps the login and the database, escaped as the URL
    // parser reads it back; a unix socket cannot be proxied.
    void urlThroughTheProxy() {
        const auto url = baton::RedisUrl::parse("redis://alice:p%40ss%3Aword@db.example:6380/3");
        const std::string proxied = baton::proxy::throughProxy(url, 40001);
        QCOMPARE(proxied, std::string("redis://alice:p%40ss%3Aword@127.0.0.1:40001/3"));
        const auto back = baton::RedisUrl::parse(proxied);
        QCOMPARE(back.user, std::string("alice"));
        QCOMPARE(back.password, std::string("p@ss:word"));
        QCOMPARE(back.db, 3);
        QCOMPARE(baton::proxy::throughProxy(baton::RedisUrl::parse("redis://:secret@h"), 1),
                 std::string("redis://:secret@127.0.0.1:1/0"));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            baton::proxy::throughProxy(baton::RedisUrl::parse("unix:///tmp/r.sock"), 1));
    }
};

QTEST_GUILESS_MAIN(TestProxy)
#include "test_proxy.moc"
