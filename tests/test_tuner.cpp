// The tuner on small grids: its figures move the way the timings say (failover with the ttl,
// follower load with the retry, spurious losses with the outage a leader can ride out), an
// unsafe point is reported, the recommendation meets its requirements, and the result does not
// depend on the thread count. Everything runs on virtual time.

#include <baton/sim/scenario_file.h>
#include <baton/sim/tuner.h>

#include <QTest>

using namespace baton;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

// A quiet profile: only what a test turns on.
TuningRequest quiet() {
    TuningRequest r;
    r.profile.electors = 3;
    r.profile.crashRate = 0;
    r.profile.stopRate = 0;
    r.profile.latency = 1ms;
    r.seeds = 2;
    r.duration = 30min;
    r.grid.refreshRatios = {0.2};
    r.grid.retryEqualsTtl = true;
    return r;
}

QString name(const PointResult& p) {
    return QString::fromStdString("ttl " + formatDuration(p.point.timing.ttl) + " refresh " +
                                  formatDuration(p.point.timing.refreshInterval) + " retry " +
                                  formatDuration(p.point.timing.retryInterval));
}

double seconds(Duration d) {
    return std::chrono::duration<double>(d).count();
}

} // namespace

class TestTuner : public QObject {
    Q_OBJECT

private slots:
    void failoverGrowsWithTtl() {
        // Given leader crashes and ttls of 1s, 3s and 8s
        TuningRequest r = quiet();
        r.profile.crashRate = 12;
        r.grid.ttls = {1s, 3s, 8s};
        // When swept
        const TuningResult result = tune(r);
        // Then each ttl fails over later than the one before, within its bound, and past the
        // lock's expiry by no more than a few trips
        QCOMPARE(result.points.size(), 3u);
        for (std::size_t i = 0; i < result.points.size(); ++i) {
            const PointResult& p = result.points[i];
            QVERIFY2(p.failover.count >= 5, qPrintable(name(p)));
            QVERIFY2(p.failover.max <= p.bounds.worstCrashFailover, qPrintable(name(p)));
            QVERIFY2(p.beyondExpiry.max < 20ms, qPrintable(name(p)));
            QVERIFY(p.safe());
            if (i > 0) {
                QVERIFY(p.failover.median > result.points[i - 1].failover.median);
                QVERIFY(p.failover.p99 > result.points[i - 1].failover.p99);
            }
        }
    }

    void followerLoadFallsAsRetryGrows() {
        // Given one ttl and follower retries of 250ms, 1s and 4s
        TuningRequest r = quiet();
        r.grid.ttls = {10s};
        r.grid.retryEqualsTtl = false;
        r.grid.retries = {250ms, 1s, 4s};
        const TuningResult result = tune(r);
        double previous = 1e9;
        for (const PointResult& p : result.points) {
            // Then each follower costs about one request a retry, as the bound says
            const double expected = p.bounds.followerRequestsPerTtl / seconds(p.point.timing.ttl);
            QVERIFY2(p.followerRequests < previous, qPrintable(name(p)));
            QVERIFY2(std::abs(p.followerRequests - expected) < 0.15 * expected,
                     qPrintable(name(p) + u" measured "_s + QString::number(p.followerRequests) +
                                u" expected "_s + QString::number(expected)));
            // and the leader one a refresh
            const double leader = p.bounds.leaderRequestsPerTtl / seconds(p.point.timing.ttl);
            QVERIFY(std::abs(p.leaderRequests - leader) < 0.05 * leader);
            previous = p.followerRequests;
        }
    }

    void outageRevokesOnlyTtlsThatCannotRideItOut() {
        // Given whole-store outages of 20s, and ttls that cannot (5s, 10s) and can (40s, 60s)
        // ride one out
        TuningRequest r = quiet();
        r.profile.outage = 20s;
        r.profile.outageRate = 4;
        r.grid.ttls = {5s, 10s, 40s, 60s};
        r.grid.refreshRatios = {0.1};
        const TuningResult result = tune(r);
        for (const PointResult& p : result.points) {
            const bool ridesOut = p.bounds.rideOutOutage >= 20s;
            QCOMPARE(ridesOut, p.point.timing.ttl >= 40s);
            // Then the ones that cannot lose terms, the ones that can lose none
            if (ridesOut)
                QVERIFY2(p.spuriousPerDay == 0, qPrintable(name(p)));
            else
                QVERIFY2(p.spuriousPerDay > 24, qPrintable(name(p))); // about one an outage
            QVERIFY(p.safe());
        }
        // and a requirement to ride it out recommends one that can
        r.requirements.rideOutOutage = 20s;
        TuningResult again = result;
        again.request = r;
        analyse(again);
        QVERIFY(again.recommended);
        QVERIFY(again.points[*again.recommended].point.timing.ttl >= 40s);
    }

    void aClusterThatElectsNobodyIsWithoutALeaderAllDay() {
        // Given a store so slow (600ms each way) that every call outlasts the 1s command timeout
        TuningRequest r = quiet();
        r.profile.latency = 600ms;
        r.grid.ttls = {5s};
        const PointResult slow = tune(r).points.front();
        // Then nobody is ever elected, and the point is without a leader all day, not never
        QCOMPARE(slow.failover.count, std::size_t(0));
        QCOMPARE(slow.unavailablePerDay, Duration(24h));
        // while at 1ms a leader serves nearly all the time
        r.profile.latency = 1ms;
        QVERIFY(tune(r).points.front().unavailablePerDay < 1s);
    }

    void driftAboveTheAssumedBoundIsReported() {
        // Given clocks 20% apart, leaders paused longer than a ttl, and electors that assume 0
        TuningRequest r = quiet();
        r.profile.electors = 5;
        r.profile.pause = 9s;
        r.profile.pauseRate = 20;
        r.profile.drift = 0.2;
        r.profile.maxDrift = 0.0;
        r.seeds = 3;
        r.grid.ttls = {5s};
        const TuningResult unsafe = tune(r);
        // Then the tuner reports the overlaps, and neither marks nor recommends the point
        const PointResult& p = unsafe.points.front();
        QVERIFY2(p.overlaps > 0, "overlaps hidden");
        QVERIFY(!p.safe());
        QVERIFY(!p.pareto);
        QVERIFY(!unsafe.recommended);
        QVERIFY(QString::fromStdString(unsafe.verdict).contains(u"maxClockDrift"_s));
        // When the electors assume the true drift, the same run is safe
        r.profile.maxDrift = 0.25;
        const TuningResult safe = tune(r);
        QCOMPARE(safe.points.front().overlaps, 0u);
        QCOMPARE(safe.points.front().fenceViolations, 0u);
        QVERIFY(safe.recommended);
    }

    void recommendationMeetsItsRequirements() {
        TuningRequest r = quiet();
        r.profile.crashRate = 6;
        r.profile.stopRate = 6;
        r.profile.outage = 3s;
        r.profile.outageRate = 2;
        r.grid.ttls = {2s, 5s, 10s, 20s};
        r.grid.refreshRatios = {0.1, 0.3};
        r.grid.retries = {1s};
        r.requirements.rideOutOutage = 3s;
        r.requirements.failoverP99 = 12s;
        r.requirements.followerRequests = 0.5;
        const TuningResult result = tune(r);
        QVERIFY2(result.recommended, result.verdict.c_str());
        const PointResult& p = result.points[*result.recommended];
        QVERIFY(p.bounds.rideOutOutage >= 3s);
        QVERIFY(p.failover.p99 <= 12s);
        QVERIFY(p.followerRequests <= 0.5);
        QVERIFY(p.unmet.empty());
        QVERIFY(p.safe());
        QVERIFY(result.verdict.starts_with("recommended: ttl "));
        // and no other point that meets them is better in every figure
        for (const PointResult& q : result.points) {
            if (&q == &p || !q.unmet.empty() || !q.safe())
                continue;
            const bool better = q.failover.p99 <= p.failover.p99 &&
                                q.spuriousPerDay <= p.spuriousPerDay &&
                                q.storeLoad(3) <= p.storeLoad(3);
            const bool strictly = q.failover.p99 < p.failover.p99 ||
                                  q.spuriousPerDay < p.spuriousPerDay ||
                                  q.storeLoad(3) < p.storeLoad(3);
            QVERIFY2(!(better && strictly), qPrintable(name(q)));
        }
        // When no point meets both, the verdict names each one to relax with the point that
        // relaxing it admits (short ttls fail over fast, long ones ride out the outage)
        TuningResult none = result;
        none.request.requirements.failoverP99 = 3s;
        none.request.requirements.rideOutOutage = 15s;
        analyse(none);
        QVERIFY(!none.recommended);
        QCOMPARE(none.nearest.size(), 2u);
        QVERIFY2(none.verdict.find("relax failover p99 <= 3s (ttl 20s") != std::string::npos,
                 none.verdict.c_str());
        QVERIFY2(none.verdict.find(" or ride out an outage of 15s (ttl 2s") != std::string::npos,
                 none.verdict.c_str());
        // When even one requirement alone is out of reach, the closest points overall
        none.request.requirements.failoverP99 = 1s;
        none.request.requirements.rideOutOutage = 25s;
        analyse(none);
        QVERIFY(!none.recommended);
        QVERIFY(!none.nearest.empty());
        QVERIFY2(none.verdict.find("nearest: ttl ") != std::string::npos, none.verdict.c_str());
    }

    void latencyTailShowsInHandovers() {
        // Given graceful stops, without and with a latency tail (p99 40 times the median)
        TuningRequest r = quiet();
        r.profile.stopRate = 30;
        r.profile.downFor = 2s; // so that somebody is always up to take over
        r.grid.ttls = {5s};
        const PointResult plain = tune(r).points.front();
        r.profile.latencyP99 = 40ms;
        const PointResult tailed = tune(r).points.front();
        QVERIFY(plain.handover.count > 10);
        // Then the handover's p99 grows with the tail, its median barely
        QVERIFY(tailed.handover.p99 > plain.handover.p99 + 20ms);
        QVERIFY(tailed.handover.median < plain.handover.median + 10ms);
    }

    void latencyTailInScenarioFiles() {
        // Given a scenario file with a tail, then it is read, written back, and checked
        const Scenario s = sim::parseScenario(R"({"latency": "2ms", "latencyP99": "30ms"})");
        QCOMPARE(s.latencyP99, Duration(30ms));
        QCOMPARE(sim::parseScenario(sim::scenarioJson(s)).latencyP99, Duration(30ms));
        try {
            sim::parseScenario(R"({"latency": "2ms", "latencyP99": "1ms"})");
            QFAIL("a p99 below the median was accepted");
        } catch (const sim::ScenarioFileError& e) {
            QVERIFY2(e.reason().find("latencyP99") != std::string::npos, e.what());
        }
    }

    void sameFiguresWhateverTheThreadCount() {
        TuningRequest r = quiet();
        r.profile.crashRate = 6;
        r.profile.stopRate = 6;
        r.profile.pause = 2s;
        r.grid.ttls = {2s, 4s};
        r.grid.refreshRatios = {0.1, 0.3};
        r.grid.pollingVariant = true;
        r.seeds = 3;
        r.duration = 20min;
        r.threads = 1;
        const std::string one = tuningJson(tune(r));
        for (unsigned threads : {2u, 3u, 7u}) {
            r.threads = threads;
            QCOMPARE(tuningJson(tune(r)), one);
        }
        QCOMPARE(tuningCsv(tune(r)).size() > 100, true);
    }

    void cancelStopsEarly() {
        TuningRequest r = quiet();
        r.grid.ttls = {2s, 4s, 6s, 8s};
        r.seeds = 50;
        std::atomic<bool> cancel{false};
        std::atomic<std::size_t> seen{0};
        TuningControl control;
        control.cancel = &cancel;
        control.progress = [&](std::size_t done, std::size_t) {
            seen = done;
            if (done >= 3)
                cancel = true;
        };
        const TuningResult result = tune(r, control);
        QVERIFY(result.cancelled);
        QVERIFY(seen.load() < 200);
        QVERIFY(!result.recommended);
    }

    // The hazard of issue 15 on the simulator: a primary that dies while its replica lags
    // loses the leader's last extend, the promoted replica's copy of the lock expires before
    // the leader's own deadline, and a follower is elected beside it. WAIT 1 closes it.
    void waitClosesTheFailoverOverlap() {
        // Given a primary killed about once a minute, a replica 50ms behind (p99 500ms), a
        // failover 2s after a kill (1s detection, 1s election) and a ttl that outlives it
        TuningRequest r = quiet();
        r.profile.primaryKillRate = 60;
        r.profile.replicationLag = 50ms;
        r.profile.replicationLagP99 = 500ms;
        r.profile.failoverAfter = 1s;
        r.grid.ttls = {3s};
        r.grid.refreshRatios = {0.1, 0.3};
        r.grid.waitVariant = true;
        r.duration = 1h;
        r.seeds = 4;
        // When swept with and without WAIT
        const TuningResult result = tune(r);
        QCOMPARE(result.points.size(), 4u);
        for (std::size_t i = 0; i < result.points.size(); i += 2) {
            const PointResult& without = result.points[i];
            const PointResult& with = result.points[i + 1];
            QCOMPARE(without.point.timing.refreshInterval, with.point.timing.refreshInterval);
            QCOMPARE(without.point.minReplicas, 0);
            QCOMPARE(with.point.minReplicas, 1);
            // Then without WAIT two lead at once, and with it nobody does; fences stay in
            // order in both (the client's floor carries them over the failover)
            qInfo("%s: overlaps %zu without WAIT, %zu with", qPrintable(name(without)),
                  without.overlaps, with.overlaps);
            QVERIFY2(without.overlaps > 0, qPrintable(name(without)));
            QVERIFY(!without.safe());
            QCOMPARE(with.overlaps, 0u);
            QCOMPARE(with.fenceViolations, 0u);
            QCOMPARE(without.fenceViolations, 0u);
            // and both elect again after the failovers
            QVERIFY(with.leaderRequests > 0);
        }
        // Then the recommendation waits for the replica
        QVERIFY(result.recommended);
        QCOMPARE(result.points[*result.recommended].point.minReplicas, 1);
        QVERIFY2(QString::fromStdString(result.verdict).contains(u"WAIT 1"_s),
                 result.verdict.c_str());
        // and the exports say which point waited
        QVERIFY(tuningCsv(result).find(",min_replicas,") != std::string::npos);
        QVERIFY(tuningJson(result).find("\"waitVariant\": true") != std::string::npos);
        // and the figures are the seeds', not the threads'
        r.threads = 1;
        const TuningResult alone = tune(r);
        for (std::size_t i = 0; i < result.points.size(); ++i)
            QCOMPARE(alone.points[i].overlaps, result.points[i].overlaps);
    }

    // With no primary kills, WAIT still costs: each acquire and extend waits for the replica.
    void waitWithoutKillsShowsItsCost() {
        TuningRequest r = quiet();
        r.profile.stopRate = 20;
        r.profile.replicationLag = 30ms;
        r.grid.ttls = {5s};
        r.grid.waitVariant = true;
        const TuningResult result = tune(r);
        QCOMPARE(result.points.size(), 2u);
        const PointResult& without = result.points[0];
        const PointResult& with = result.points[1];
        QVERIFY(without.safe() && with.safe());
        QVERIFY(with.handover.count > 0 && without.handover.count > 0);
        // Then a handover takes about the lag longer with WAIT
        QVERIFY2(with.handover.median >= without.handover.median + 25ms,
                 qPrintable(u"%1 vs %2"_s.arg(seconds(with.handover.median))
                                .arg(seconds(without.handover.median))));
        QVERIFY(with.bounds.worstCrashFailover > without.bounds.worstCrashFailover);
    }

    void badGridsNameTheRule_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("rule");
        QTest::newRow("no ttl") << 0 << u"ttl: the list is empty"_s;
        QTest::newRow("ttl 0") << 1 << u"a ttl must be positive"_s;
        QTest::newRow("ratio 0.5") << 2 << u"refresh must be below ttl / 2"_s;
        QTest::newRow("refresh 3s, ttl 5s") << 3 << u"refresh must be below ttl / 2"_s;
        QTest::newRow("no refresh") << 4 << u"refresh: the list is empty"_s;
        QTest::newRow("no retry") << 5 << u"retry: the list is empty"_s;
        QTest::newRow("no seeds") << 6 << u"seeds: must be between"_s;
        QTest::newRow("min-replicas 2") << 7 << u"min-replicas: must be 0 (no WAIT) or 1"_s;
        QTest::newRow("WAIT variant and WAIT") << 8 << u"leave min-replicas at 0"_s;
        QTest::newRow("lag p99 below median") << 9 << u"replication lag p99: must be 0"_s;
        QTest::newRow("detection 0") << 10 << u"failover-after (the detection delay)"_s;
        QTest::newRow("WAIT timeout 0") << 11 << u"replica timeout (WAIT's)"_s;
    }
    void badGridsNameTheRule() {
        QFETCH(int, which);
        QFETCH(QString, rule);
        TuningRequest r = quiet();
        r.grid.ttls = {5s};
        switch (which) {
        case 0:
            r.grid.ttls.clear();
            break;
        case 1:
            r.grid.ttls = {0s};
            break;
        case 2:
            r.grid.refreshRatios = {0.5};
            break;
        case 3:
            r.grid.refreshRatios.clear();
            r.grid.refreshes = {3s};
            break;
        case 4:
            r.grid.refreshRatios.clear();
            break;
        case 5:
            r.grid.retryEqualsTtl = false;
            break;
        case 6:
            r.seeds = 0;
            break;
        case 7:
            r.profile.minReplicas = 2;
            break;
        case 8:
            r.profile.minReplicas = 1;
            r.grid.waitVariant = true;
            break;
        case 9:
            r.profile.replicationLag = 50ms;
            r.profile.replicationLagP99 = 10ms;
            break;
        case 10:
            r.profile.primaryKillRate = 1;
            r.profile.failoverAfter = 0s;
            break;
        case 11:
            r.profile.replicaTimeout = 0s;
            break;
        }
        try {
            validate(r);
            QFAIL("accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(rule), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestTuner)
#include "test_tuner.moc"
