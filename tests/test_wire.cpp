// The wire module: every message Baton writes to or reads from Redis round-trips, fences stay
// exact 64-bit integers, and garbage gets an error (never a crash or an exception).

#include "support/columns.h"
#include <baton/wire/control.h>
#include <baton/wire/event_message.h>
#include <baton/wire/lock_value.h>
#include <baton/wire/member.h>

#include <QTest>

using namespace baton;
using namespace baton::wire;
using namespace std::chrono_literals;
using baton::test::addColumns;

namespace {

constexpr std::uint64_t kHugeFence = (std::uint64_t(1) << 63) + 5; // beyond int64 and double

template <class T>
T ok(const Decoded<T>& d) {
    if (!d)
        qFatal("decoding failed: %s", d.error().c_str());
    return *d;
}

} // namespace

class TestWire : public QObject {
    Q_OBJECT

private slots:
    void lockValueRoundTrips() {
        const LockValue v{"node-1", kHugeFence, "0123456789abcdef"};
        const std::string text = encode(v);
        QVERIFY(text.find("9223372036854775813") != std::string::npos);
        QCOMPARE(ok(decodeLockValue(text)), v);
        // What the acquire script writes.
        QCOMPARE(ok(decodeLockValue(R"({"id":"a","fence":42,"token":"t"})")),
                 (LockValue{"a", 42, "t"}));
    }

    void releaseNoticeRoundTrips() {
        const ReleaseNotice n{"node-\"2\"", kHugeFence};
        QCOMPARE(ok(decodeReleaseNotice(encode(n))), n);
        // What the release script publishes.
        QCOMPARE(ok(decodeReleaseNotice(R"({"event":"released","fence":7,"id":"x"})")),
                 (ReleaseNotice{"x", 7}));
        QVERIFY(!decodeReleaseNotice(R"({"event":"elected","fence":7,"id":"x"})"));
    }

    void eventRoundTrips() {
        EventMessage m;
        m.t = 1712345678901.25;
        m.id = "node-1";
        m.resource = "jobs";
        m.event = "elected";
        m.fence = kHugeFence;
        m.deadline = 1712345683901.5;
        QCOMPARE(ok(decodeEvent(encode(m))), m);
        m.event = "revoked";
        m.deadline.reset();
        m.reason = "expired";
        QCOMPARE(ok(decodeEvent(encode(m))), m);
        m.event = "leader-changed";
        m.reason.reset();
        m.leader = "";
        QCOMPARE(ok(decodeEvent(encode(m))), m);
    }

    void eventFromCoreEvent() {
        ManualClock clock;
        Event e;
        e.type = EventType::LeaderChanged;
        e.at = clock.now();
        e.leader = "node-3";
        e.fence = kHugeFence;
        const EventMessage m = eventMessage(e, "node-1", "jobs", clock);
        QCOMPARE(m.event, std::string("leader-changed"));
        QCOMPARE(*m.leader, std::string("node-3"));
        QCOMPARE(*m.fence, kHugeFence);
        QVERIFY(!m.deadline && !m.reason);
        const std::string text = encode(m);
        QVERIFY2(text.rfind(R"({"t":)", 0) == 0, text.c_str()); // t first, as it always was
        QCOMPARE(ok(decodeEvent(text)), m);
    }

    void memberRoundTrips() {
        MemberInfo m;
        m.id = "node-1";
        m.state = "leader";
        m.fence = kHugeFence;
        m.leader = "node-1";
        m.ttl = 5s;
        m.refresh = 1s;
        m.retry = 2500ms;
        m.pollingOnly = true;
        m.control = true;
        m.host = "box";
        m.pid = 4242;
        m.seenMs = 1712345678901.5;
        QCOMPARE(ok(decodeMember("node-1", encode(m))), m);
        // The term's start and the server's expiry travel only when known.
        QVERIFY(encode(m).find("since") == std::string::npos);
        m.termStartMs = 1712345670000;
        m.expiresMs = 1712345683901;
        QCOMPARE(ok(decodeMember("node-1", encode(m))), m);
        QVERIFY(!decodeMember("x", R"({"seen":1,"ttl":5,"exp":"soon"})"));
        QVERIFY(!decodeMember("x", R"({"seen":1,"ttl":0})"));
        QVERIFY(!decodeMember("x", R"({"ttl":5000})"));
    }

    // Given a sharded agent's entry, then its family's shard count round-trips; a single
    // agent's entry (and an older agent's) has none, and still reads.
    void memberShardCountRoundTrips() {
        MemberInfo m;
        m.id = "node-1";
        m.ttl = 5s;
        m.seenMs = 1712345678901;
        QVERIFY(encode(m).find("shardCount") == std::string::npos);
        QCOMPARE(ok(decodeMember("node-1", encode(m))).shardCount, 0u);
        m.shardsLed = 3;
        m.shardCount = 8;
        QVERIFY(encode(m).find(R"("shardCount":8)") != std::string::npos);
        QCOMPARE(ok(decodeMember("node-1", encode(m))), m);
        m.shardCount = kMostShards;
        QCOMPARE(ok(decodeMember("node-1", encode(m))), m);
        m.shardCount = kMostShards + 1; // never written: a reader would ignore it
        QVERIFY(encode(m).find("shardCount") == std::string::npos);
    }

    void memberShardCountGarbageIsIgnored_data() {
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("negative") << QByteArray("-4");
        QTest::newRow("zero") << QByteArray("0");
        QTest::newRow("huge") << QByteArray("1000001");
        QTest::newRow("beyond 64 bits") << QByteArray("123456789012345678901234567890");
        QTest::newRow("fraction") << QByteArray("2.5");
        QTest::newRow("text") << QByteArray(R"("six")");
        QTest::newRow("null") << QByteArray("null");
        QTest::newRow("list") << QByteArray("[6]");
        QTest::newRow("object") << QByteArray(R"({"n":6})");
        QTest::newRow("true") << QByteArray("true");
    }
    // Given garbage in "shardCount" (anyone can write the hash), then the entry is still read,
    // with every other field, and the count is unknown (0).
    void memberShardCountGarbageIsIgnored() {
        QFETCH(QByteArray, value);
        const std::string text = R"({"state":"leader","ttl":5000,"seen":1,"shards":2,)"
                                 R"("host":"box","shardCount":)" +
                                 value.toStdString() + "}";
        const MemberInfo m = ok(decodeMember("x", text));
        QCOMPARE(m.shardCount, 0u);
        QCOMPARE(m.state, std::string("leader"));
        QCOMPARE(m.shardsLed, 2u);
        QCOMPARE(m.host, std::string("box"));
    }

    void controlRoundTrips() {
        const Timing t{6s, 1500ms, 2s};
        for (const ControlMessage& m :
             {ControlMessage::stop("*"), ControlMessage::pause("node-1", 2s),
              ControlMessage::pause("node-1", 0ms), ControlMessage::partition("node-2", 1500us),
              ControlMessage::set("node-3", t), ControlMessage::resign("node-4"),
              ControlMessage::resign("node-4", 1500ms)})
            QCOMPARE(ok(decodeControl(encode(m))), m);
        QCOMPARE(encode(ControlMessage::resign("n")), std::string(R"({"to":"n","cmd":"resign"})"));
        QVERIFY(!decodeControl(R"({"to":"n","cmd":"resign","ms":"soon"})"));
        // What the lab has always sent.
        QCOMPARE(encode(ControlMessage::pause("a", 2s)),
                 std::string(R"({"to":"a","cmd":"pause","ms":2000})"));
        QCOMPARE(encode(ControlMessage::set("a", t)),
                 std::string(R"({"to":"a","cmd":"set","ttl":6000,"refresh":1500,"retry":2000})"));
        // Durations as strings, and who a message is for.
        const ControlMessage m = ok(decodeControl(R"({"cmd":"set","ttl":"10s"})"));
        QCOMPARE(*m.ttl, Duration(10s));
        QVERIFY(!m.refresh);
        const ControlHeader h = ok(decodeControlHeader(R"({"to":"b","cmd":"explode"})"));
        QVERIFY(h.isFor("b") && !h.isFor("a"));
        QVERIFY(ok(decodeControlHeader(R"({"cmd":"stop"})")).isFor("anyone"));
    }

    void controlErrorsSayWhy_data() {
        addColumns<QString, QString>("text", "reason");
        QTest::newRow("unknown cmd") << R"({"cmd":"explode"})"
                                     << "unknown cmd 'explode'";
        QTest::newRow("huge ms") << R"({"cmd":"pause","ms":1e300})"
                                 << "24h";
        QTest::newRow("negative ms") << R"({"cmd":"pause","ms":-1})"
                                     << "24h";
        QTest::newRow("missing ms") << R"({"cmd":"partition"})"
                                    << "\"ms\" is missing";
        QTest::newRow("bad string") << R"({"cmd":"set","ttl":"5 parsecs"})"
                                    << "5 parsecs";
        QTest::newRow("long string") << R"({"cmd":"set","ttl":"25h"})"
                                     << "24h";
        QTest::newRow("wrong type") << R"({"cmd":"pause","ms":[1]})"
                                    << "milliseconds";
        QTest::newRow("to not a string") << R"({"to":1,"cmd":"stop"})"
                                         << "\"to\"";
        QTest::newRow("truncated") << R"({"to":"*","cmd":)"
                                   << "not JSON";
    }
    void controlErrorsSayWhy() {
        QFETCH(QString, text);
        QFETCH(QString, reason);
        const auto d = decodeControl(text.toStdString());
        QVERIFY(!d);
        QVERIFY2(QString::fromStdString(d.error()).contains(reason), d.error().c_str());
    }

    // Fences: exact up to 2^64 - 1; negative, fractional, too large or not a number is an error.
    void fencesAreExactOrRefused() {
        QCOMPARE(
            ok(decodeLockValue(R"({"id":"a","fence":18446744073709551615,"token":"t"})")).fence,
            UINT64_MAX);
        for (const char* fence : {"18446744073709551616", "-1", "1.5", "1e3", "\"7\"", "null"}) {
            const std::string text = std::string(R"({"id":"a","token":"t","fence":)") + fence + "}";
            const auto d = decodeLockValue(text);
            QVERIFY2(!d, fence);
            QVERIFY2(d.error().find("fence") != std::string::npos, d.error().c_str());
        }
    }

    void garbageGetsAnError_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("not json") << QByteArray("hello");
        QTest::newRow("array") << QByteArray("[1,2]");
        QTest::newRow("number") << QByteArray("42");
        QTest::newRow("truncated") << QByteArray(R"({"id":"a","fence":)");
        QTest::newRow("nul") << QByteArray("{\"id\":\"a\0b\"}", 12);
        QTest::newRow("bad utf-8") << QByteArray("{\"id\":\"\xff\xfe\"}");
        QTest::newRow("deep") << QByteArray(100000, '[');
        QTest::newRow("huge") << QByteArray("{\"id\":\"") + QByteArray(1 << 20, 'x') + "\"}";
        QTest::newRow("wrong types") << QByteArray(
            R"({"id":1,"event":true,"fence":"x","token":[],"ttl":{},"seen":"now","cmd":5})");
    }
    void garbageGetsAnError() {
        QFETCH(QByteArray, text);
        const std::string_view s(text.constData(), static_cast<std::size_t>(text.size()));
        for (const std::string& error :
             {decodeLockValue(s).error(), decodeReleaseNotice(s).error(), decodeEvent(s).error(),
              decodeMember("x", s).error(), decodeControl(s).error()})
            QVERIFY2(!error.empty(), qPrintable(QString::fromLatin1(text.left(40))));
        QVERIFY(!decodeControlHeader(s));
    }

    // Text from outside stays valid JSON when written back: invalid UTF-8 is replaced.
    void invalidUtf8IsReplacedOnEncode() {
        EventMessage m;
        m.id = "bad\xff id";
        m.event = "error";
        m.reason = "line\nbreak";
        const std::string text = encode(m);
        QVERIFY(text.find('\n') == std::string::npos);
        const EventMessage back = ok(decodeEvent(text));
        QCOMPARE(back.id, std::string("bad\xEF\xBF\xBD id"));
        QCOMPARE(*back.reason, std::string("line\nbreak"));
    }
};

QTEST_APPLESS_MAIN(TestWire)
#include "test_wire.moc"
