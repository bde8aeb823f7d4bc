// The simulator's results are pinned: a fixed set of scenarios and seeds must give exactly the
// histories and checker reports recorded here (64-bit FNV-1a of their text), so that a speed-up
// of the simulator cannot change what it computes. A change that is *meant* to change results
// (new behaviour, a fix) updates the table with the values the failure prints.

#include <baton/sim/checker.h>
#include <baton/sim/random_faults.h>
#include <baton/sim/scenario_file.h>
#include <baton/sim/simulator.h>

#include <QTest>

#include <cstdio>
#include <functional>

using namespace baton;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(std::function<baton::Scenario()>)

namespace {

std::uint64_t fnv1a(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string hex(std::uint64_t v) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
    return text;
}

std::string exact(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", v);
    return text;
}

std::string durations(const DurationStats& s) {
    return std::to_string(s.count) + " " + std::to_string(s.min.count()) + " " +
           std::to_string(s.median.count()) + " " + std::to_string(s.p99.count()) + " " +
           std::to_string(s.max.count());
}

// Every figure and verdict of a report, numbers in full.
std::string reportText(const Report& r) {
    std::string out = "seed " + std::to_string(r.seed) + " duration " +
                      std::to_string(r.duration.count()) + " electors " +
                      std::to_string(r.electors) + " drift " + exact(r.largestDrift) + " terms " +
                      std::to_string(r.terms) + " faults " + std::to_string(r.faults) + "\n";
    for (const LeadershipInterval& i : r.intervals)
        out += "term e" + std::to_string(i.elector) + " fence " + std::to_string(i.fence) + " " +
               std::to_string((i.begin - r.start).count()) + ".." +
               std::to_string((i.end - r.start).count()) + " " +
               std::to_string(static_cast<int>(i.how)) + "\n";
    for (const Violation& v : r.violations)
        out += "violation " + std::to_string(static_cast<int>(v.kind)) + " " +
               std::to_string((v.at - r.start).count()) + " " + v.description + "\n";
    out += "overlaps " + std::to_string(r.overlaps) + " " + std::to_string(r.overlapTotal.count()) +
           " fence-order " + std::to_string(r.fenceOrderViolations) + " without-leader " +
           std::to_string(r.timeWithoutLeader.count()) + " longest " +
           std::to_string(r.longestWithoutLeader.count()) + "\n";
    for (const Failover& f : r.failovers)
        out += "failover " + std::to_string((f.faultAt - r.start).count()) + " " +
               std::to_string(static_cast<int>(f.cause)) + " " + std::to_string(f.oldLeader) +
               "->" + std::to_string(f.newLeader) + " " + std::to_string(f.latency.count()) + " " +
               (f.beyondExpiry ? std::to_string(f.beyondExpiry->count()) : "-") + "\n";
    out += "latency " + durations(r.failoverLatency) + " beyond " + durations(r.beyondExpiry) +
           "\nops";
    for (double ops : r.opsPerSecond)
        out += " " + exact(ops);
    out += " mean " + exact(r.meanOpsPerSecond) + "\ncut " + r.cutShort + "\nwrites " +
           std::to_string(r.writesAccepted) + " " + std::to_string(r.writesRejected) + " " +
           std::to_string(r.writesCorrupted) + "\n";
    return out;
}

Scenario example(const char* name) {
    return sim::loadScenario(std::string(BATON_SCENARIO_DIR "/") + name + ".json");
}

Scenario random(std::uint64_t seed, int electors, Duration duration,
                const std::function<void(Scenario&)>& adjust = {}) {
    Scenario s;
    s.seed = seed;
    s.electors = electors;
    s.duration = duration;
    if (adjust)
        adjust(s);
    s.faults = randomFaults(s, seed);
    return s;
}

} // namespace

class TestSimDeterminism : public QObject {
    Q_OBJECT

private slots:
    void pinnedResults_data() {
        QTest::addColumn<std::function<Scenario()>>("scenario");
        QTest::addColumn<QString>("historyHash");
        QTest::addColumn<QString>("reportHash");
        const auto row = [](const char* name, std::function<Scenario()> make, const char* history,
                            const char* report) {
            QTest::newRow(name) << make << QString::fromLatin1(history)
                                << QString::fromLatin1(report);
        };
        row(
            "clock-drift", [] { return example("clock-drift"); }, "381b72a9b03f721c",
            "e4758678900db42d");
        row(
            "gc-pause", [] { return example("gc-pause"); }, "df171101e4db8510", "7c196ee275814e45");
        row(
            "graceful-handover", [] { return example("graceful-handover"); }, "99de4a0aa11c161c",
            "4c2efb73d8d69e6b");
        row(
            "leader-crash", [] { return example("leader-crash"); }, "4694929943ad3e63",
            "85f4c337335f8a2e");
        row(
            "partition-leader", [] { return example("partition-leader"); }, "2c898e735a22f9f3",
            "8eab6e3309957c9d");
        row(
            "polling-only-vs-push", [] { return example("polling-only-vs-push"); },
            "8e1419c49bcf89d7", "2891c455241ef50c");
        row(
            "ttl-stretched", [] { return example("ttl-stretched"); }, "649f1bffb81813a3",
            "d0c53f361b4579b0");
        row(
            "random 5 electors seed 1", [] { return random(1, 5, 2h); }, "809e102fa1fdfba4",
            "585eab4fa9249c16");
        row(
            "random 5 electors seed 2", [] { return random(2, 5, 2h); }, "c9a4af1012854b8a",
            "234b2d4ef599cc98");
        row(
            "random 5 electors seed 3", [] { return random(3, 5, 2h); }, "6e4323c522dcc0fa",
            "754ba1d44f498dcc");
        row(
            "random 5 electors seed 4", [] { return random(4, 5, 2h); }, "4471f134cdee83a9",
            "749999f2a4f03bf6");
        row(
            "random 5 electors seed 5", [] { return random(5, 5, 2h); }, "bba2f4502261a56a",
            "bf7ca0edc7ab4e93");
        row(
            "random 5 electors seed 6", [] { return random(6, 5, 2h); }, "a18749a231b07c61",
            "922be07c58b4b25d");
        row(
            "random 100 electors", [] { return random(11, 100, 10min); }, "dc2980f7acde2d46",
            "a7b0f53dcecc59dc");
        row(
            "random 20 electors, drift beyond the assumption",
            [] {
                return random(12, 20, 1h, [](Scenario& s) {
                    s.drift = 0.03;
                    s.maxDrift = 0.01;
                });
            },
            "9eff746d7a2e58a5", "ac4f9f549a97f093");
        row(
            "random, polling only, slow store, no fencing",
            [] {
                return random(13, 7, 1h, [](Scenario& s) {
                    s.pollingOnly = true;
                    s.latency = 40ms;
                    s.latencyJitter = 1.5;
                    s.fencing = false;
                    s.timing = Timing{2s, 500ms, 300ms};
                });
            },
            "bd2d597f4e6a3053", "64c4d7ffffdcb8b4");
        row(
            "random, record cap",
            [] { return random(14, 5, 1h, [](Scenario& s) { s.maxRecords = 3000; }); },
            "2805824b0e168db2", "71bb3de4e402040e");
    }

    // Given a scenario of the table, when simulated and checked, then its history and report
    // are the recorded ones, byte for byte.
    void pinnedResults() {
        QFETCH(std::function<Scenario()>, scenario);
        QFETCH(QString, historyHash);
        QFETCH(QString, reportHash);
        const History h = simulate(scenario());
        const QString history = QString::fromStdString(hex(fnv1a(toText(h))));
        const QString report = QString::fromStdString(hex(fnv1a(reportText(check(h)))));
        if (history != historyHash || report != reportHash)
            qWarning("results changed: history %s report %s (update the table only if the "
                     "change of results is intended)",
                     qPrintable(history), qPrintable(report));
        QCOMPARE(history, historyHash);
        QCOMPARE(report, reportHash);
    }
};

QTEST_APPLESS_MAIN(TestSimDeterminism)
#include "test_sim_determinism.moc"
