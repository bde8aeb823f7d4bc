// Config validation and the duration helpers: every rule, as a table.

#include "support/columns.h"

#include <baton/election/election.h>
#include <baton/store/memory_store.h>

#include <QTest>

using namespace baton;
using namespace std::chrono_literals;
using baton::test::addColumns;

Q_DECLARE_METATYPE(baton::Duration)

class TestConfig : public QObject {
    Q_OBJECT

private slots:
    void rejectsBadConfig_data() {
        // mentions: the value and the rule in the message
        addColumns<QString, Duration, Duration, Duration, double, QString, QString>(
            "resource", "ttl", "refresh", "retry", "drift", "field", "mentions");

        const QString r = QStringLiteral("jobs");
        QTest::newRow("empty resource")
            << QString() << Duration(5s) << Duration(1s) << Duration(1s) << 0.01 << "resource"
            << "must not be empty";
        QTest::newRow("zero ttl") << r << Duration(0s) << Duration(1s) << Duration(1s) << 0.01
                                  << "ttl"
                                  << "ttl = 0ms: must be positive";
        QTest::newRow("negative ttl")
            << r << Duration(-5s) << Duration(1s) << Duration(1s) << 0.01 << "ttl"
            << "ttl = -5s";
        QTest::newRow("zero refresh")
            << r << Duration(5s) << Duration(0s) << Duration(1s) << 0.01 << "refreshInterval"
            << "must be positive";
        QTest::newRow("negative refresh")
            << r << Duration(5s) << Duration(-1ms) << Duration(1s) << 0.01 << "refreshInterval"
            << "= -1ms";
        QTest::newRow("refresh = ttl/2")
            << r << Duration(5s) << Duration(2500ms) << Duration(1s) << 0.01 << "refreshInterval"
            << "2500ms: must be below ttl / 2 = 2500ms";
        QTest::newRow("refresh > ttl")
            << r << Duration(5s) << Duration(6s) << Duration(1s) << 0.01 << "refreshInterval"
            << "below ttl / 2";
        QTest::newRow("ttl over a week")
            << r << Duration(200h) << Duration(1s) << Duration(1s) << 0.01 << "ttl"
            << "200h: must be at most 7d";
        QTest::newRow("retry forever")
            << r << Duration(5s) << Duration(1s) << Duration::max() << 0.01 << "retryInterval"
            << "must be at most 7d";
        QTest::newRow("retry of a nanosecond")
            << r << Duration(5s) << Duration(1s) << Duration(1ns) << 0.01 << "retryInterval"
            << "1ns: must be at least 1ms";
        QTest::newRow("refresh under a millisecond")
            << r << Duration(5s) << Duration(500us) << Duration(1s) << 0.01 << "refreshInterval"
            << "must be at least 1ms";
        QTest::newRow("zero retry")
            << r << Duration(5s) << Duration(1s) << Duration(0s) << 0.01 << "retryInterval"
            << "must be positive";
        QTest::newRow("negative drift")
            << r << Duration(5s) << Duration(1s) << Duration(1s) << -0.1 << "maxClockDrift"
            << "-0.1: must be in [0, 0.5)";
        QTest::newRow("drift 0.5")
            << r << Duration(5s) << Duration(1s) << Duration(1s) << 0.5 << "maxClockDrift"
            << "0.5: must be in [0, 0.5)";
        QTest::newRow("drift NaN")
            << r << Duration(5s) << Duration(1s) << Duration(1s) << std::nan("") << "maxClockDrift"
            << "nan";
    }
    void rejectsBadConfig() {
        QFETCH(QString, resource);
        QFETCH(Duration, ttl);
        QFETCH(Duration, refresh);
        QFETCH(Duration, retry);
        QFETCH(double, drift);
        QFETCH(QString, field);
        QFETCH(QString, mentions);
        Config c;
        c.resource = resource.toStdString();
        c.timing = {ttl, refresh, retry};
        c.maxClockDrift = drift;
        bool started = false;
        c.onElected = [&] { started = true; };
        MemoryStore store;
        Locker locker(store);
        try {
            Election e(locker, c);
            QFAIL("an invalid config was accepted");
        } catch (const ConfigError& error) {
            QCOMPARE(QString::fromStdString(error.field()), field);
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains(mentions), qPrintable(message));
            QVERIFY2(message.contains(field), qPrintable(message));
        }
        QVERIFY(!started);
        QVERIFY(!store.inspect(c.resource));
    }

    // An identity is written into the lock and every event: a megabyte of it is refused.
    void rejectsAnOverlongIdentity() {
        Config c;
        c.resource = "job-scheduler";
        c.identity = std::string(1024, 'x');
        validate(c);
        c.identity += 'x';
        try {
            validate(c);
            QFAIL("a 1025-byte identity was accepted");
        } catch (const ConfigError& e) {
            QCOMPARE(e.field(), std::string("identity"));
            QVERIFY(std::string(e.what()).find("at most 1024 bytes") != std::string::npos);
        }
    }

    void acceptsTheSeedDefaults() {
        Config c;
        c.resource = "job-scheduler";
        validate(c);
        MemoryStore store;
        Locker locker(store);
        Election e(locker, c);
        QVERIFY(!e.identity().empty()); // host-pid by default
        QVERIFY(e.identity().find('-') != std::string::npos);
    }

    void parsesDurations_data() {
        addColumns<QString, Duration>("text", "expected");
        QTest::newRow("ms") << "1500ms" << Duration(1500ms);
        QTest::newRow("bare ms") << "250" << Duration(250ms);
        QTest::newRow("s") << "5s" << Duration(5s);
        QTest::newRow("fraction") << "1.5s" << Duration(1500ms);
        QTest::newRow("m") << "2m" << Duration(2min);
        QTest::newRow("h") << "24h" << Duration(24h);
        QTest::newRow("us") << "250us" << Duration(250us);
    }
    void parsesDurations() {
        QFETCH(QString, text);
        QFETCH(Duration, expected);
        QCOMPARE(parseDuration(text.toStdString()), expected);
        QCOMPARE(parseDuration(formatDuration(expected)), expected);
    }

    void rejectsBadDurations_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << "";
        QTest::newRow("letters") << "soon";
        QTest::newRow("unit") << "5 parsecs";
        QTest::newRow("huge") << "1e30h";
        QTest::newRow("inf") << "inf";
    }
    void rejectsBadDurations() {
        QFETCH(QString, text);
        try {
            parseDuration(text.toStdString());
            QFAIL("accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY(QString::fromUtf8(e.what()).contains(u"1500ms"));
        }
    }
};

QTEST_APPLESS_MAIN(TestConfig)
#include "test_config.moc"
