// The simulator's replicated store: a primary kill loses unreplicated writes (an overlap), WAIT
// closes that window, fences keep increasing per client, and bad replication blocks are refused.

#include "support/printing.h"

#include <baton/sim/checker.h>
#include <baton/sim/scenario_file.h>
#include <baton/sim/simulator.h>

#include <QTest>

#include <map>

using namespace baton;
using namespace std::chrono_literals;

namespace {

// Five electors on a primary with one replica 300 ms behind; the primary dies at `killAt`.
Scenario failover(int minReplicas, Duration lag = 300ms, Duration killAt = 150ms) {
    Scenario s;
    s.name = "failover";
    s.electors = 5;
    s.duration = 60s;
    s.timing = Timing{20s, 5s, 200ms};
    s.latency = 1ms;
    Replication r;
    r.replicas = 1;
    r.lag = lag;
    r.downAfter = 5s;
    r.election = 1s;
    r.minReplicas = minReplicas;
    r.replicaTimeout = 1s;
    r.primaryKills = {killAt};
    s.replication = r;
    return s;
}

std::string ruleOf(const std::string& json) {
    try {
        sim::parseScenario(json);
    } catch (const sim::ScenarioFileError& e) {
        return e.what();
    }
    return "accepted";
}

} // namespace

class TestReplication : public QObject {
    Q_OBJECT

private slots:
    void unreplicatedAcquireLostGivesAnOverlap() {
        for (std::uint64_t seed = 1; seed <= 5; ++seed) {
            Scenario s = failover(0);
            s.seed = seed;
            const History h = simulate(s);
            QCOMPARE(h.failovers.size(), std::size_t(1));
            QVERIFY(h.failovers[0].lockLost);
            QVERIFY(h.failovers[0].lostWrites >= 1);
            QCOMPARE(h.failovers[0].promotedAt - h.failovers[0].killedAt, Duration(6s));
            const Report report = check(h);
            QVERIFY2(report.overlaps >= 1, qPrintable(QString::number(seed)));
            // Fencing still holds: the new leader's fence is above the old one's.
            QCOMPARE(report.fenceOrderViolations, std::size_t(0));
            QCOMPARE(report.writesCorrupted, std::uint64_t(0));
        }
    }

    void waitForOneReplicaClosesTheWindow() {
        for (std::uint64_t seed = 1; seed <= 5; ++seed) {
            // The kill after the acquire was acknowledged (lag 2 ms < the 1 s timeout), and one
            // during it: neither gives two leaders.
            for (Duration killAt : {Duration(150ms), Duration(1ms)}) {
                Scenario s = failover(1, 2ms, killAt);
                s.seed = seed;
                const Report report = check(simulate(s));
                QVERIFY2(report.safe(), qPrintable(QString::number(seed)));
                QVERIFY(report.terms >= 1);
            }
        }
    }

    void waitTimeoutMakesTheCallFail() {
        // The replica is 2 s behind, WAIT gives up after 1 s: nobody is ever elected.
        Scenario s = failover(1, 2s, 50s);
        s.duration = 10s;
        const History h = simulate(s);
        QCOMPARE(check(h).terms, std::size_t(0));
        QVERIFY(h.failovers.empty());
    }

    void fencesNeverGoBackwardsForAClient() {
        // Many kills with a long lag: the promoted replica's counter is often behind.
        Scenario s = failover(0, 3s);
        s.duration = 10min;
        s.timing = Timing{3s, 1s, 200ms};
        s.replication->downAfter = 1s;
        s.replication->election = 500ms;
        s.replication->primaryKills.clear();
        for (int i = 0; i < 80; ++i)
            s.replication->primaryKills.push_back(Duration(std::chrono::seconds(10 + i * 7)));
        for (Duration at : {Duration(30s), Duration(200s)}) {
            Fault crash; // the leader crashes too: its successor's floor is what it saw
            crash.at = at;
            crash.duration = 5s;
            s.faults.push_back(crash);
        }
        const History h = simulate(s);
        QVERIFY(h.failovers.size() >= 60);
        std::map<int, std::uint64_t> last;
        std::uint64_t highest = 0;
        std::size_t elections = 0;
        for (const ElectorEvent& e : h.events) {
            if (e.event.type != EventType::Elected)
                continue;
            ++elections;
            QVERIFY2(e.event.fence > last[e.elector], qPrintable(QString::number(e.elector)));
            last[e.elector] = e.event.fence;
            highest = std::max(highest, e.event.fence);
        }
        QVERIFY2(elections >= 40, qPrintable(QString::number(elections)));
        QCOMPARE(check(h).fenceOrderViolations, std::size_t(0));
    }

    void sameSeedSameHistory() {
        Scenario s = failover(0, 50ms);
        s.replication->lagP99 = 400ms;
        s.replication->outageHangs = true;
        QCOMPARE(toText(simulate(s)), toText(simulate(s)));
        // The file form reads back to the same run.
        const Scenario back = sim::parseScenario(sim::scenarioJson(s));
        QVERIFY(back.replication);
        QCOMPARE(toText(simulate(back)), toText(simulate(s)));
    }

    void badBlocksAreRefusedWithTheRule() {
        QCOMPARE(ruleOf(R"({"replication": {"lag": "-2ms"}})"),
                 std::string("line 1: replication.lag: must not be negative, got -2ms"));
        const std::string tooMany = ruleOf("{\n\"replication\": {\n\"replicas\": 1,\n"
                                           "\"minReplicas\": 2}}");
        QVERIFY2(tooMany.find("minReplicas: must be between 0 (no WAIT) and the replicas (1), "
                              "got 2") != std::string::npos,
                 tooMany.c_str());
        QVERIFY2(tooMany.rfind("line 4:", 0) == 0, tooMany.c_str());
        const std::string noBlock = ruleOf(R"({"faults": [{"at": "1s", "type": "primary-kill"}]})");
        QVERIFY2(noBlock.find("needs a 'replication' block") != std::string::npos, noBlock.c_str());
        QVERIFY(ruleOf(R"({"replication": {"outage": "maybe"}})").find("fail or hang") !=
                std::string::npos);
        QVERIFY(ruleOf(R"({"replication": {"replicas": 0}})").find("between 1 and 16") !=
                std::string::npos);
        Scenario s = failover(0);
        s.replication->lagP99 = 1ms; // below the median
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(s));
    }

    void exampleScenarioShowsTheOverlapAndItsCure() {
        Scenario s = sim::loadScenario(BATON_SCENARIO_DIR "/primary-failover.json");
        QVERIFY(s.replication);
        QCOMPARE(check(simulate(s)).overlaps, std::size_t(1));
        s.replication->minReplicas = 1;
        QVERIFY(check(simulate(s)).safe());
    }
};

QTEST_GUILESS_MAIN(TestReplication)
#include "test_replication.moc"
