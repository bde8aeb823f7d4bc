// The real `baton-sim tune`: exit 2 with the rule for bad grids and flags, exit 0 with a
// recommendation and 1 without, the JSON schema, CSV rows, the table's last line, and the same
// numbers for the same seed.

#include "support/baton_sim_process.h"
#include "support/columns.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using baton::test::addColumns;

namespace {

using Result = baton::test::SimResult;

// A small, fast sweep: two ttls, one minute-scale profile.
const QStringList kSmall = {u"tune"_qs,   u"--electors"_qs,      u"3"_qs,       u"--ttl"_qs,
                            u"2s,5s"_qs,  u"--refresh-ratio"_qs, u"0.1,0.3"_qs, u"--retry"_qs,
                            u"ttl,1s"_qs, u"--crash-rate"_qs,    u"10/h"_qs,    u"--stop-rate"_qs,
                            u"10/h"_qs,   u"--seeds"_qs,         u"2"_qs,       u"--duration"_qs,
                            u"20min"_qs,  u"--outage"_qs,        u"3s"_qs,      u"--pause"_qs,
                            u"500ms"_qs,  u"--latency-p99"_qs,   u"10ms"_qs};

Result tune(const QStringList& args) {
    return baton::test::runBatonSim(args);
}

} // namespace

class TestTuneCli : public QObject {
    Q_OBJECT

private slots:
    // Given a bad grid or flag, then exit 2 naming the rule, and nothing on stdout.
    void badUsageExits2WithTheRule_data() {
        addColumns<QString, QString>("args", "rule");
        QTest::newRow("ttl 0") << u"--ttl 0s"_qs << u"a ttl must be positive"_qs;
        QTest::newRow("ratio 0.5")
            << u"--ttl 5s --refresh-ratio 0.5"_qs << u"refresh must be below ttl / 2"_qs;
        QTest::newRow("refresh 3s, ttl 5s")
            << u"--ttl 5s --refresh 3s"_qs << u"refresh must be below ttl / 2"_qs;
        QTest::newRow("empty ttl list") << u"--ttl ,"_qs << u"--ttl: an empty item"_qs;
        QTest::newRow("no ttl") << u"--seeds 2"_qs << u"--ttl is required"_qs;
        QTest::newRow("empty item") << u"--ttl 5s,,10s"_qs << u"--ttl: an empty item"_qs;
        QTest::newRow("unknown flag") << u"--ttl 5s --bogus 1"_qs << u"--bogus"_qs;
        QTest::newRow("bad duration") << u"--ttl 5 parsecs"_qs << u"parsecs"_qs;
        QTest::newRow("bad rate") << u"--ttl 5s --pause-rate 2/week"_qs
                                  << u"unknown unit 'week'"_qs;
        QTest::newRow("json and csv") << u"--ttl 5s --json --csv"_qs << u"exclude each other"_qs;
        QTest::newRow("no seeds") << u"--ttl 5s --seeds 0"_qs << u"--seeds expects"_qs;
        QTest::newRow("WAIT variant and WAIT")
            << u"--ttl 5s --wait-variant --min-replicas 1"_qs << u"leave min-replicas at 0"_qs;
        QTest::newRow("lag p99 below median")
            << u"--ttl 5s --replication-lag 50ms --replication-lag-p99 1ms"_qs
            << u"replication lag p99"_qs;
    }
    void badUsageExits2WithTheRule() {
        QFETCH(QString, args);
        QFETCH(QString, rule);
        const Result r = tune(QStringList{u"tune"_qs} + args.split(u' '));
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(rule), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"baton-sim tune --help"_qs), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    // Given the same seed twice, then the same JSON, in the schema.
    void jsonHasTheSchemaAndRepeats() {
        const Result a = tune(kSmall + QStringList{u"--json"_qs});
        QCOMPARE(a.code, 0);
        const Result b = tune(kSmall + QStringList{u"--json"_qs, u"--threads"_qs, u"1"_qs});
        QCOMPARE(b.out, a.out);
        const QJsonObject root = QJsonDocument::fromJson(a.out.toUtf8()).object();
        const QJsonArray points = root[u"points"_qs].toArray();
        QCOMPARE(points.size(), 2 * 2 * 2);
        for (const QJsonValue& v : points) {
            const QJsonObject p = v.toObject();
            for (const char* key :
                 {"ttl", "refresh", "retry", "spuriousPerDay", "overlaps", "unavailablePerDay"})
                QVERIFY2(p[QString::fromLatin1(key)].isDouble(), key);
            for (const char* key : {"p50", "p99", "max"})
                QVERIFY(p[u"failover"_qs].toObject()[QString::fromLatin1(key)].isDouble());
            QVERIFY(p[u"handover"_qs].toObject()[u"p99"_qs].isDouble());
            QVERIFY(p[u"requestsPerSecond"_qs].toObject()[u"leader"_qs].toDouble() > 0);
            QVERIFY(p[u"requestsPerSecond"_qs].toObject()[u"follower"_qs].toDouble() > 0);
            QVERIFY(p[u"bounds"_qs].toObject()[u"worstCrashFailover"_qs].toDouble() > 0);
            QVERIFY(p[u"pareto"_qs].isBool());
        }
        QCOMPARE(points[0].toObject()[u"ttl"_qs].toDouble(), 2000.0);
        QCOMPARE(points[0].toObject()[u"refresh"_qs].toDouble(), 200.0);
        QVERIFY(root[u"recommended"_qs].isObject());
    }

    // Given requirements nobody meets, then exit 1, a null recommendation and what to relax.
    void noPointMeetsExits1() {
        const Result r = tune(kSmall + QStringList{u"--require-failover-p99"_qs, u"1s"_qs,
                                                   u"--require-outage"_qs, u"10s"_qs});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(u"no point meets the requirements: relax"_qs), qPrintable(r.out));
        const Result j =
            tune(kSmall + QStringList{u"--require-failover-p99"_qs, u"1s"_qs, u"--json"_qs});
        QCOMPARE(j.code, 1);
        QVERIFY(QJsonDocument::fromJson(j.out.toUtf8()).object()[u"recommended"_qs].isNull());
    }

    // The table: a header, a row a point, the front marked, the recommendation last.
    void tableEndsWithTheRecommendation() {
        const Result r = tune(kSmall + QStringList{u"--require-outage"_qs, u"0.5s"_qs});
        QCOMPARE(r.code, 0);
        const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
        QVERIFY2(lines.last().startsWith(u"recommended: ttl "_qs), qPrintable(r.out));
        QVERIFY(lines.first().contains(u"fo p99"_qs));
        QVERIFY(r.out.contains(u"\n*"_qs));
        // no progress bar when stderr is not a terminal
        QVERIFY2(!r.err.contains(u"ETA"_qs), qPrintable(r.err));
    }

    // Given primary kills and --wait-variant, then each point runs without and with WAIT: the
    // table's wait column says which, and the overlaps are the no-WAIT rows'.
    void waitVariantSetsWaitBesideNoWait() {
        const Result r =
            tune({u"tune"_qs,  u"--electors"_qs,        u"3"_qs,    u"--ttl"_qs,
                  u"3s"_qs,    u"--refresh-ratio"_qs,   u"0.3"_qs,  u"--primary-kills"_qs,
                  u"60/h"_qs,  u"--replication-lag"_qs, u"50ms"_qs, u"--replication-lag-p99"_qs,
                  u"500ms"_qs, u"--failover-after"_qs,  u"1s"_qs,   u"--seeds"_qs,
                  u"4"_qs,     u"--duration"_qs,        u"1h"_qs,   u"--crash-rate"_qs,
                  u"0"_qs,     u"--stop-rate"_qs,       u"0"_qs,    u"--wait-variant"_qs,
                  u"--json"_qs});
        QCOMPARE(r.code, 0);
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonArray points = j[u"points"_qs].toArray();
        QCOMPARE(points.size(), 2);
        QCOMPARE(points[0][u"minReplicas"_qs].toInt(), 0);
        QCOMPARE(points[1][u"minReplicas"_qs].toInt(), 1);
        QVERIFY(points[0][u"overlaps"_qs].toInt() > 0);
        QCOMPARE(points[1][u"overlaps"_qs].toInt(), 0);
        QCOMPARE(points[0][u"fenceViolations"_qs].toInt(), 0);
        QCOMPARE(j[u"recommended"_qs][u"minReplicas"_qs].toInt(), 1);
        const QJsonObject replication = j[u"profile"_qs][u"replication"_qs].toObject();
        QCOMPARE(replication[u"lagP99"_qs].toDouble(), 500.0);
        QCOMPARE(replication[u"waitVariant"_qs].toBool(), true);
    }

    void csvHasARowAPoint() {
        const Result r = tune(kSmall + QStringList{u"--csv"_qs});
        QCOMPARE(r.code, 0);
        const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 8);
        QVERIFY(lines.first().startsWith(u"ttl_ms,refresh_ms,retry_ms"_qs));
        QCOMPARE(lines[1].count(u','), lines[0].count(u','));
    }
};

QTEST_GUILESS_MAIN(TestTuneCli)
#include "test_tune_cli.moc"
