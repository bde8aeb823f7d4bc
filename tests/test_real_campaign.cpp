// baton-campaign end to end, in CI mode (short runs, ttl 1 s): a campaign with every fault but
// drift is safe; slow clocks far beyond the assumed drift under partitions are caught; drift
// within the assumption is not; bad usage exits 2 and an unreachable Redis 3. The 60 s
// campaign is bench/real_campaign.cpp.

#include "support/program_run.h"
#include "support/redis_server.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run {
    int exitCode = -1;
    QString out, err;
    QJsonObject json; ///< with --json
};

Run campaign(const QStringList& args, int timeoutMs = 60000) {
    // The history directory it keeps goes into a temporary directory of the test's own.
    QTemporaryDir tmp;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TMPDIR"), tmp.path());
    const baton::test::ProgramRun p =
        baton::test::runProgram(QStringLiteral(BATON_CAMPAIGN_PATH), args, timeoutMs, env);
    Run r;
    if (p.timedOut) {
        r.err = QStringLiteral("did not finish in time");
        return r;
    }
    r.exitCode = p.code;
    r.out = p.out;
    r.err = p.err;
    r.json = QJsonDocument::fromJson(r.out.toUtf8()).object();
    return r;
}

// CI mode: ttl 1 s and refresh 250 ms, so that a short run still sees several failovers.
const QStringList kShort{
    QStringLiteral("--local-redis"), QStringLiteral("--ttl"), QStringLiteral("1s"),
    QStringLiteral("--refresh"),     QStringLiteral("250ms"), QStringLiteral("--json")};

QString summary(const Run& r) {
    return QStringLiteral("exit %1\n%2\n%3")
        .arg(r.exitCode)
        .arg(QString::fromUtf8(QJsonDocument(r.json).toJson()).left(4000), r.err);
}

} // namespace

class TestRealCampaign : public QObject {
    Q_OBJECT

private slots:
    // Given every fault but drift on 3 agents for 12 s, then the verdict is safe (exit 0), and
    // the faults struck are those scheduled, with failovers measured.
    void shortCampaignIsSafe() {
        const Run r =
            campaign(kShort + QStringList{QStringLiteral("--duration"), QStringLiteral("12s"),
                                          QStringLiteral("--seed"), QStringLiteral("11")});
        QVERIFY2(r.exitCode == 0, qPrintable(summary(r)));
        QCOMPARE(r.json.value(QStringLiteral("safe")).toBool(), true);
        QCOMPARE(r.json.value(QStringLiteral("overlaps")).toInt(), 0);
        QCOMPARE(r.json.value(QStringLiteral("fenceViolations")).toInt(), 0);
        const int scheduled = int(r.json.value(QStringLiteral("schedule")).toArray().size());
        QVERIFY(scheduled >= 3);
        QCOMPARE(int(r.json.value(QStringLiteral("struck")).toArray().size()), scheduled);
        QVERIFY(r.json.value(QStringLiteral("terms")).toInt() >= 1);
        QCOMPARE(r.json.value(QStringLiteral("unreadableLines")).toInt(), 0);
        QVERIFY(r.json.value(QStringLiteral("lines")).toInt() > 20);
        qInfo("%d faults, %d terms, %d failovers", scheduled,
              r.json.value(QStringLiteral("terms")).toInt(),
              r.json.value(QStringLiteral("failovers"))
                  .toObject()
                  .value(QStringLiteral("all"))
                  .toObject()
                  .value(QStringLiteral("count"))
                  .toInt());
    }

    // Given clocks drifting up to 30% (the slowest leading first) and partitions, with agents
    // assuming 1%, then the campaign finds an overlap and exits 1; with drift of 0.5% (within
    // the assumption) and the same schedule, none.
    void driftBeyondTheAssumptionIsCaught_data() {
        QTest::addColumn<QString>("drift");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("30% vs 1%: unsafe") << QStringLiteral("0.3") << 1;
        QTest::newRow("0.5% vs 1%: safe") << QStringLiteral("0.005") << 0;
    }
    void driftBeyondTheAssumptionIsCaught() {
        QFETCH(QString, drift);
        QFETCH(int, exitCode);
        // Seed 4: the first fault partitions the leader (the slowest clock) for 2.6 s.
        const Run r = campaign(
            kShort + QStringList{QStringLiteral("--faults"), QStringLiteral("partition,drift"),
                                 QStringLiteral("--drift"), drift, QStringLiteral("--max-drift"),
                                 QStringLiteral("0.01"), QStringLiteral("--duration"),
                                 QStringLiteral("8s"), QStringLiteral("--seed"),
                                 QStringLiteral("4")});
        QVERIFY2(r.exitCode == exitCode, qPrintable(summary(r)));
        const int overlaps = r.json.value(QStringLiteral("overlaps")).toInt();
        QVERIFY2(exitCode ? overlaps >= 1 : overlaps == 0, qPrintable(summary(r)));
        if (exitCode) {
            const QString first =
                r.json.value(QStringLiteral("violations")).toArray().first().toString();
            QVERIFY2(first.contains(u"agent-0 (fence"_qs) && first.contains(u"still led until"_qs),
                     qPrintable(first));
            qInfo("%s", qPrintable(first));
        }
    }

    // The text verdict: the schedule before the run, each fault as it struck, the verdict.
    void textVerdict() {
        QStringList args = kShort;
        args.removeAll(QStringLiteral("--json"));
        const Run r =
            campaign(args + QStringList{QStringLiteral("--faults"), QStringLiteral("pause"),
                                        QStringLiteral("--duration"), QStringLiteral("4s"),
                                        QStringLiteral("--seed"), QStringLiteral("2")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        for (const QString& part :
             {u"schedule (seed 2, "_qs, u"run:\n"_qs, u"pause of "_qs, u"verdict: safe\n"_qs,
              u"  terms "_qs, u"  failovers "_qs, u"  overlaps             0\n"_qs,
              u"  fence violations     0\n"_qs, u"  time without leader  "_qs, u"history.jsonl"_qs})
            QVERIFY2(r.out.contains(part), qPrintable(part + u" not in:\n"_qs + r.out));
    }

    void badUsageExitsTwo_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown flag") << QStringList{u"--frobnicate"_qs} << u"--frobnicate"_qs;
        QTest::newRow("unknown fault")
            << QStringList{u"--faults"_qs, u"kill,nap"_qs} << u"unknown fault 'nap'"_qs;
        QTest::newRow("both redis kinds")
            << QStringList{u"--redis"_qs, u"redis://127.0.0.1:1"_qs, u"--local-redis"_qs}
            << u"--local-redis"_qs;
        QTest::newRow("one agent") << QStringList{u"--agents"_qs, u"1"_qs} << u"--agents"_qs;
        QTest::newRow("agents not a number")
            << QStringList{u"--agents"_qs, u"four"_qs} << u"--agents: 'four'"_qs;
        QTest::newRow("bad duration")
            << QStringList{u"--duration"_qs, u"soon"_qs} << u"--duration"_qs;
        QTest::newRow("too short") << QStringList{u"--duration"_qs, u"1s"_qs} << u"4 ttl"_qs;
        QTest::newRow("refresh too long")
            << QStringList{u"--ttl"_qs, u"1s"_qs, u"--refresh"_qs, u"600ms"_qs}
            << u"below ttl/2"_qs;
        QTest::newRow("drift without drift fault")
            << QStringList{u"--drift"_qs, u"0.2"_qs} << u"needs drift in --faults"_qs;
        QTest::newRow("drift too large")
            << QStringList{u"--faults"_qs, u"drift"_qs, u"--drift"_qs, u"0.9"_qs} << u"--drift"_qs;
        QTest::newRow("max drift not a number")
            << QStringList{u"--max-drift"_qs, u"x"_qs} << u"--max-drift: 'x'"_qs;
        QTest::newRow("negative seed") << QStringList{u"--seed"_qs, u"-3"_qs} << u"--seed"_qs;
        QTest::newRow("bad url") << QStringList{u"--redis"_qs, u"http://x"_qs} << u"--redis"_qs;
        QTest::newRow("unix socket")
            << QStringList{u"--redis"_qs, u"unix:///tmp/r.sock"_qs} << u"unix socket"_qs;
    }
    // Bad flags exit 2 with one line naming the problem, before anything starts.
    void badUsageExitsTwo() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = campaign(args, 10000);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    // Given a Redis that does not answer, then exit 3 naming it.
    void unreachableRedisExitsThree() {
        baton::test::RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.error()));
        const QString url = QString::fromStdString(server.url());
        server.stop();
        const Run r = campaign({QStringLiteral("--redis"), url}, 10000);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(u"Redis unreachable"_qs), qPrintable(r.err));
    }

    void helpAndVersion() {
        const Run help = campaign({QStringLiteral("--help")}, 10000);
        QCOMPARE(help.exitCode, 0);
        for (const QString& flag :
             {u"--redis"_qs, u"--local-redis"_qs, u"--agents"_qs, u"--duration"_qs, u"--seed"_qs,
              u"--faults"_qs, u"--ttl"_qs, u"--refresh"_qs, u"--drift"_qs, u"--max-drift"_qs,
              u"--json"_qs, u"synchronised"_qs})
            QVERIFY2(help.out.contains(flag), qPrintable(flag));
        const Run version = campaign({QStringLiteral("--version")}, 10000);
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith(u"baton-campaign "_qs));
    }
};

QTEST_GUILESS_MAIN(TestRealCampaign)
#include "test_real_campaign.moc"
