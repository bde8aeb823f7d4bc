// The simulator: determinism, the example scenarios' verdicts and figures, faults, the
// protected resource, stepping and pacing. Everything runs on virtual time.

#include "support/columns.h"
#include "support/printing.h"

#include <baton/sim/checker.h>
#include <baton/sim/pacer.h>
#include <baton/sim/random_faults.h>
#include <baton/sim/scenario_file.h>
#include <baton/sim/simulator.h>

#include <QTest>

#include <algorithm>
#include <set>

using namespace baton;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using baton::test::addColumns;

Q_DECLARE_METATYPE(baton::Duration)

namespace {

Scenario example(const char* name) {
    return sim::loadScenario(std::string(BATON_SCENARIO_DIR "/") + name + ".json");
}

Scenario randomScenario(std::uint64_t seed, Duration duration = 2h) {
    Scenario s;
    s.seed = seed;
    s.duration = duration;
    s.faults = randomFaults(s, seed);
    return s;
}

std::vector<Failover> failoversBy(const Report& r, FaultKind cause) {
    std::vector<Failover> out;
    for (const Failover& f : r.failovers)
        if (f.cause == cause)
            out.push_back(f);
    return out;
}

const ElectorEvent* firstEvent(const History& h, EventType type, TimePoint from, int elector = -1) {
    for (const ElectorEvent& e : h.events)
        if (e.event.type == type && e.at >= from && (elector < 0 || e.elector == elector))
            return &e;
    return nullptr;
}

} // namespace

class TestSimulator : public QObject {
    Q_OBJECT

private slots:
    // Given one seed and scenario, when run twice, then the histories are identical, bit for
    // bit; another seed gives another history.
    void sameSeedSameHistory() {
        const Scenario s = randomScenario(7);
        QVERIFY(s.faults.size() > 20);
        const std::string first = toText(simulate(s));
        const std::string second = toText(simulate(s));
        QVERIFY(first.size() > 10000);
        QVERIFY(first == second);
        QVERIFY(toText(simulate(randomScenario(8))) != first);
    }

    // Stepping one event at a time gives the same history as running to the end.
    void steppingEqualsRunning() {
        const Scenario s = randomScenario(3, 20min);
        Simulator stepped(s);
        std::size_t steps = 0;
        while (const auto next = stepped.nextEventTime()) {
            QVERIFY(stepped.step());
            QCOMPARE(stepped.now(), *next); // the clock moves to exactly that event
            ++steps;
        }
        QVERIFY(!stepped.step());
        stepped.run();
        QVERIFY(steps > 1000);
        QVERIFY(toText(stepped.history()) == toText(simulate(s)));
    }

    // runUntil stops at the given virtual time, with every earlier event handled.
    void runUntilStopsAtTheTarget() {
        Simulator sim(randomScenario(5, 10min));
        const TimePoint target = sim.start() + 90s + 1234us;
        sim.runUntil(target);
        QCOMPARE(sim.now(), target);
        QVERIFY(sim.nextEventTime() && *sim.nextEventTime() > target);
        QVERIFY(!sim.finished());
        sim.run();
        QVERIFY(sim.finished());
        QVERIFY(!sim.nextEventTime());
    }

    // Given a leader that crashes without releasing, then a follower leads a few ms after the
    // lock's expiry (as the store saw it), and the lock stayed held until then.
    void leaderCrashFailsOverRightAfterExpiry() {
        const Scenario s = example("leader-crash");
        const History h = simulate(s);
        const Report r = check(h);
        QVERIFY(r.safe());
        const auto crashes = failoversBy(r, FaultKind::Crash);
        QCOMPARE(crashes.size(), std::size_t(1));
        const Failover& f = crashes.front();
        QVERIFY(f.newLeader >= 0 && f.newLeader != f.oldLeader);
        QVERIFY(f.beyondExpiry);
        // Wake 1 ms after the remaining TTL, plus one trip there and back (1 ms each, +25%
        // jitter), plus the reply trip that made the remaining TTL stale: 4-5 ms.
        QVERIFY2(*f.beyondExpiry > 3ms && *f.beyondExpiry < 6ms,
                 formatDuration(*f.beyondExpiry).c_str());
        QVERIFY(f.latency < s.timing.ttl + 10ms);
        // No release: the store's last view before the new term is the crashed leader's lock.
        const StoreView* last = nullptr;
        for (const StoreView& v : h.store)
            if (v.at <= f.faultAt + f.latency && v.elector == f.oldLeader)
                last = &v;
        QVERIFY(last);
        QVERIFY(last->expiresAt > f.faultAt);
        QCOMPARE(r.terms, std::size_t(2));
    }

    // Given a graceful stop, then the successor leads within ms: revoke, release, notice.
    void gracefulHandoverTakesMilliseconds() {
        const Report r = check(simulate(example("graceful-handover")));
        QVERIFY(r.safe());
        const auto stops = failoversBy(r, FaultKind::Stop);
        QCOMPARE(stops.size(), std::size_t(1));
        QVERIFY2(stops.front().latency < 10ms, formatDuration(stops.front().latency).c_str());
        QVERIFY(!stops.front().beyondExpiry); // released, not expired
        QVERIFY(r.longestWithoutLeader < 10ms);
    }

    // Given a leader paused (after it decided to write) for longer than the TTL, then a
    // follower takes over, and the old leader's late write is rejected with fencing and
    // corrupts the resource without.
    void gcPauseLateWriteIsFenced_data() {
        QTest::addColumn<bool>("fencing");
        QTest::newRow("fencing") << true;
        QTest::newRow("no fencing") << false;
    }
    void gcPauseLateWriteIsFenced() {
        QFETCH(bool, fencing);
        Scenario s = example("gc-pause");
        s.fencing = fencing;
        const History h = simulate(s);
        const Report r = check(h);
        const auto pauses = failoversBy(r, FaultKind::Pause);
        QCOMPARE(pauses.size(), std::size_t(1));
        const Failover& f = pauses.front();
        QVERIFY(f.newLeader != f.oldLeader);
        QCOMPARE(r.overlaps, std::size_t(0)); // the paused leader fenced itself in time

        // The write decided at the pause arrives after the resume with the old fence.
        std::vector<WriteRecord> late;
        for (const WriteRecord& w : h.writes)
            if (w.elector == f.oldLeader && w.decidedAt == f.faultAt)
                late.push_back(w);
        QCOMPARE(late.size(), std::size_t(1));
        QVERIFY(late.front().at >= f.faultAt + 12s);
        QVERIFY(late.front().fence < late.front().newestSeen);
        if (fencing) {
            QCOMPARE(late.front().outcome, WriteRecord::Outcome::Rejected);
            QCOMPARE(r.writesRejected, std::uint64_t(1));
            QCOMPARE(r.writesCorrupted, std::uint64_t(0));
            QVERIFY(r.safe());
        } else {
            QCOMPARE(late.front().outcome, WriteRecord::Outcome::Corrupted);
            QCOMPARE(r.writesCorrupted, std::uint64_t(1));
            QVERIFY(!r.safe());
            QCOMPARE(r.firstViolation()->kind, Violation::Kind::CorruptedWrite);
        }
        // Paused means no steps: the old leader records nothing during the pause.
        for (const ElectorEvent& e : h.events)
            QVERIFY(!(e.elector == f.oldLeader && e.at > f.faultAt && e.at < f.faultAt + 12s));
        // ... and its clock ran on: it revokes (expired) at the resume.
        const ElectorEvent* revoked = firstEvent(h, EventType::Revoked, f.faultAt, f.oldLeader);
        QVERIFY(revoked);
        QCOMPARE(revoked->at, f.faultAt + 12s);
        QCOMPARE(revoked->event.reason, RevokeReason::Expired);
    }

    // Given a partitioned leader (hanging calls, then failing ones), then it revokes (error)
    // at its deadline, before its lock expires, and a follower leads ms after the expiry.
    void partitionedLeaderFencesItselfFirst() {
        const History h = simulate(example("partition-leader"));
        const Report r = check(h);
        QVERIFY(r.safe());
        const auto partitions = failoversBy(r, FaultKind::Partition);
        QCOMPARE(partitions.size(), std::size_t(2));
        for (const Failover& f : partitions) {
            QVERIFY(f.beyondExpiry);
            QVERIFY2(*f.beyondExpiry < 6ms, formatDuration(*f.beyondExpiry).c_str());
            const ElectorEvent* revoked = firstEvent(h, EventType::Revoked, f.faultAt, f.oldLeader);
            QVERIFY(revoked);
            QCOMPARE(revoked->event.reason, RevokeReason::Error);
            QVERIFY(revoked->at < f.faultAt + f.latency);
        }
        // The open-ended "fail" partition lasted until the explicit heal at 90 s.
        std::vector<FaultRecord> parts;
        for (const FaultRecord& f : h.faults)
            if (f.kind == FaultKind::Partition)
                parts.push_back(f);
        QCOMPARE(parts.size(), std::size_t(2));
        QCOMPARE(parts[0].end, parts[0].at + 15s);
        QCOMPARE(parts[1].end, h.start + 90s);
        QVERIFY(parts[0].wasLeader && parts[1].wasLeader);
        bool sawHang = false;
        for (const ElectorEvent& e : h.events)
            sawHang |= e.event.message.find("timed out after 1s") != std::string::npos;
        QVERIFY(sawHang);
    }

    // Given the TTL stretched live to 15 s, then a crash failover waits for the longer TTL and
    // still lands ms after the expiry.
    void stretchedTtlAppliesLive() {
        Simulator sim(example("ttl-stretched"));
        sim.runUntil(sim.start() + 11s);
        for (std::size_t i = 0; i < sim.size(); ++i)
            QCOMPARE(sim.elector(i).timing.ttl, Duration(15s));
        sim.run();
        const Report r = check(sim.history());
        QVERIFY(r.safe());
        const auto crashes = failoversBy(r, FaultKind::Crash);
        QCOMPARE(crashes.size(), std::size_t(1));
        QVERIFY(crashes.front().latency > 10s);
        QVERIFY(crashes.front().beyondExpiry && *crashes.front().beyondExpiry < 6ms);
    }

    // Given a clock 10% slow while 1% is assumed, then the checker finds the overlap: the slow
    // leader's deadline, (5 s * 0.99 - 1 ms) / 0.9 = 5.499 s after its last extend, outlives the
    // 5 s lock that a follower takes over ~4 ms after its expiry.
    void driftBeyondTheAssumptionOverlaps() {
        const Report r = check(simulate(example("clock-drift")));
        QVERIFY(!r.safe());
        QCOMPARE(r.overlaps, std::size_t(1));
        QCOMPARE(r.firstViolation()->kind, Violation::Kind::Overlap);
        QVERIFY2(r.overlapTotal > 480ms && r.overlapTotal < 500ms,
                 formatDuration(r.overlapTotal).c_str());
    }

    // Given polling-only polling instead of push wake-up, then failover waits for the next poll.
    void pollingOnlyWaitsForItsPoll() {
        Scenario s = example("polling-only-vs-push");
        const Report push = check(simulate(s));
        s.pollingOnly = true;
        const Report seed = check(simulate(s));
        QVERIFY(push.safe() && seed.safe());
        const auto pushCrash = failoversBy(push, FaultKind::Crash);
        const auto seedCrash = failoversBy(seed, FaultKind::Crash);
        const auto pushStop = failoversBy(push, FaultKind::Stop);
        const auto seedStop = failoversBy(seed, FaultKind::Stop);
        QVERIFY(pushCrash.size() == 1 && seedCrash.size() == 1);
        QVERIFY(pushStop.size() == 1 && seedStop.size() == 1);
        QVERIFY(*pushCrash.front().beyondExpiry < 6ms);
        QVERIFY(*seedCrash.front().beyondExpiry > 6ms);
        QVERIFY(*seedCrash.front().beyondExpiry < s.timing.retryInterval + 6ms);
        QVERIFY(pushStop.front().latency < 6ms);
        QVERIFY(seedStop.front().latency > 6ms);
    }

    // Given random faults and true drift at most the assumed drift, then no seed is unsafe.
    void randomFaultsWithinDriftAreSafe_data() {
        addColumns<double, Duration>("drift", "latency");
        QTest::newRow("no drift") << 0.0 << Duration(1ms);
        QTest::newRow("drift = max") << 0.01 << Duration(1ms);
        QTest::newRow("drift = max, slow store") << 0.01 << Duration(80ms);
    }
    void randomFaultsWithinDriftAreSafe() {
        QFETCH(double, drift);
        QFETCH(Duration, latency);
        std::size_t faults = 0, failovers = 0;
        for (std::uint64_t seed = 100; seed < 130; ++seed) {
            Scenario s;
            s.seed = seed;
            s.duration = 30min;
            s.drift = drift;
            s.maxDrift = 0.01;
            s.latency = latency;
            s.faults = randomFaults(s, seed);
            const Report r = check(simulate(s));
            if (!r.safe())
                QFAIL(("seed " + std::to_string(seed) + ": " + r.firstViolation()->description)
                          .c_str());
            faults += r.faults;
            failovers += r.failovers.size();
        }
        QVERIFY(faults > 300);
        QVERIFY(failovers > 100);
    }

    // A 24 h random run has hundreds of faults of every kind, on the leader and others.
    void randomScheduleCoversEveryFault() {
        Scenario s;
        s.duration = 24h;
        const auto faults = randomFaults(s, 1);
        QVERIFY(faults.size() > 300);
        std::set<FaultKind> kinds;
        bool leader = false, other = false, hang = false, longPause = false;
        for (const Fault& f : faults) {
            kinds.insert(f.kind);
            leader |= f.target.kind == FaultTarget::Kind::Leader;
            other |= f.target.kind == FaultTarget::Kind::Elector;
            hang |= f.kind == FaultKind::Partition && f.mode == Fault::PartitionMode::Hang;
            longPause |= f.kind == FaultKind::Pause && f.duration > s.timing.ttl;
        }
        QCOMPARE(kinds.size(), std::size_t(6)); // crash, stop, pause, partition, latency, timing
        QVERIFY(leader && other && hang && longPause);
    }

    // Faults injected live (as the GUI will) act at once.
    void injectedFaultsActNow() {
        Scenario s;
        s.duration = 1h;
        Simulator sim(s);
        sim.runFor(3s);
        int leader = -1;
        for (std::size_t i = 0; i < sim.size(); ++i)
            if (sim.elector(i).leader)
                leader = static_cast<int>(i);
        QVERIFY(leader >= 0);
        QVERIFY(sim.lock() && sim.lock()->elector == leader);
        Fault pause;
        pause.kind = FaultKind::Pause;
        pause.target = {FaultTarget::Kind::Elector, leader};
        sim.inject(pause);
        QVERIFY(sim.elector(static_cast<std::size_t>(leader)).paused);
        sim.runFor(10s);
        QVERIFY(!sim.elector(static_cast<std::size_t>(leader)).leader); // its deadline passed
        QVERIFY(sim.lock() && sim.lock()->elector != leader);
        Fault crash;
        crash.kind = FaultKind::Crash;
        crash.target = {FaultTarget::Kind::Elector, leader};
        sim.inject(crash);
        QVERIFY(!sim.elector(static_cast<std::size_t>(leader)).alive);
        Fault restart;
        restart.kind = FaultKind::Restart;
        restart.target = {FaultTarget::Kind::Elector, leader};
        sim.inject(restart);
        QVERIFY(sim.elector(static_cast<std::size_t>(leader)).running);
        sim.run();
        QVERIFY(check(sim.history()).safe());
    }

    // Given a random fault schedule, when each fault is injected live at its time (as the lab
    // does) instead of scheduled, then the run is the same, record for record: a fault struck
    // between two steps finds the simulator as one struck by its own schedule does. (The
    // schedule's times are random nanoseconds, which no other action shares: a scheduled fault
    // goes before the actions of its own instant, an injected one after them.)
    void injectingTheScheduleEqualsScheduling_data() {
        QTest::addColumn<int>("electors");
        QTest::addColumn<std::uint64_t>("seed");
        QTest::newRow("5 electors") << 5 << std::uint64_t(3);
        QTest::newRow("20 electors") << 20 << std::uint64_t(4);
    }
    void injectingTheScheduleEqualsScheduling() {
        QFETCH(int, electors);
        QFETCH(std::uint64_t, seed);
        Scenario scheduled;
        scheduled.electors = electors;
        scheduled.seed = seed;
        scheduled.duration = 2h;
        scheduled.faults = randomFaults(scheduled, seed);
        QVERIFY(scheduled.faults.size() > 20);
        const std::string expected = toText(simulate(scheduled));

        Scenario live = scheduled;
        live.faults.clear();
        Simulator sim(live);
        const TimePoint start = sim.now();
        std::vector<Fault> byTime = scheduled.faults;
        std::stable_sort(byTime.begin(), byTime.end(),
                         [](const Fault& a, const Fault& b) { return a.at < b.at; });
        for (const Fault& f : byTime) {
            sim.runUntil(start + f.at);
            sim.inject(f);
        }
        sim.run();
        QCOMPARE(toText(sim.history()), expected);
    }

    // Given faults struck between two steps of one instant (the lab's Step, then a kill: here
    // the electors' first starts, all at the start), when they are saved with the steps before
    // them (Fault::after) and the saved run is played, then it replays the live run bit for bit;
    // saved without, they strike before every step of their instant and the run differs.
    void aFaultStruckBetweenStepsReplaysInPlace() {
        Scenario s;
        s.electors = 5;
        s.seed = 7;
        s.duration = 2min;
        Simulator live(s);
        std::vector<Fault> recorded;
        const auto strike = [&](FaultKind kind, int elector, Duration duration) {
            Fault f;
            f.kind = kind;
            f.target = {FaultTarget::Kind::Elector, elector};
            f.duration = duration;
            if (kind == FaultKind::Latency)
                f.extra = 50ms;
            live.inject(f);
            f.at = live.now() - live.start();
            f.after = live.stepsNow();
            recorded.push_back(f);
        };
        QCOMPARE(live.stepsNow(), 0);
        QVERIFY(live.step()); // node-0 starts
        QCOMPARE(live.stepsNow(), 1);
        QCOMPARE(live.nextEventTime(), std::optional<TimePoint>(live.now())); // four more starts
        strike(FaultKind::Crash, 0, 2s);
        QVERIFY(live.step());               // node-1 starts
        strike(FaultKind::Latency, 2, 10s); // node-2's first try is slowed
        QCOMPARE(recorded[1].after, 2);
        // Between two instants there is no step of the current one.
        live.runUntil(live.start() + 30s + 123us);
        QCOMPARE(live.stepsNow(), 0);
        strike(FaultKind::Crash, 2, 1s);
        live.run();
        const std::string expected = toText(live.history());

        Scenario replay = s;
        replay.faults = recorded;
        QCOMPARE(toText(simulate(replay)), expected);
        const Scenario saved = sim::parseScenario(sim::scenarioJson(replay));
        QCOMPARE(saved.faults[1].after, 2);
        QCOMPARE(toText(simulate(saved)), expected);
        for (Fault& f : replay.faults)
            f.after = 0;
        QVERIFY(toText(simulate(replay)) != expected);
    }

    // Given an instant of several steps (a leader's release notice reaching four followers at
    // once: no jitter) with a scenario's own fault on it, when faults are struck after its
    // first and third steps and saved in either order, then the run replays bit for bit: the
    // scenario's fault still first, each saved one after its steps.
    void faultsAmongTheStepsOfOneInstantReplayInPlace() {
        Scenario base;
        base.electors = 5;
        base.seed = 11;
        base.duration = 1min;
        base.latencyJitter = 0;
        Fault stop;
        stop.at = 10s;
        stop.kind = FaultKind::Stop;
        stop.target = {FaultTarget::Kind::Leader, 0};
        base.faults.push_back(stop);
        // The first instant after the stop with at least four steps: the notices.
        TimePoint busy{};
        Duration busyAt{};
        {
            Simulator probe(base);
            probe.runUntil(probe.start() + 10s);
            while (probe.step())
                if (probe.stepsNow() == 4) {
                    busy = probe.now();
                    break;
                }
            QVERIFY(busy > probe.start() + 10s);
            busyAt = busy - probe.start();
        }
        Scenario s = base;
        Fault slow; // the scenario's own fault on that instant: before all its steps
        slow.at = busyAt;
        slow.kind = FaultKind::Latency;
        slow.target = {FaultTarget::Kind::All, 0};
        slow.extra = 40ms;
        slow.duration = 5s;
        s.faults.push_back(slow);
        Simulator run(s);
        std::vector<Fault> recorded;
        const auto strikeAfter = [&](int steps, int elector) {
            while (!(run.now() == busy && run.stepsNow() == steps))
                QVERIFY(run.step());
            Fault f;
            f.kind = FaultKind::Crash;
            f.target = {FaultTarget::Kind::Elector, elector};
            f.duration = 3s;
            run.inject(f);
            f.at = run.now() - run.start();
            f.after = run.stepsNow();
            recorded.push_back(f);
        };
        strikeAfter(1, 1);
        strikeAfter(3, 3);
        run.run();
        const std::string expected = toText(run.history());

        Scenario replay = s;
        replay.faults.insert(replay.faults.end(), recorded.begin(), recorded.end());
        QCOMPARE(toText(simulate(replay)), expected);
        Scenario reversed = s;
        reversed.faults.insert(reversed.faults.end(), recorded.rbegin(), recorded.rend());
        QCOMPARE(toText(simulate(reversed)), expected);
    }

    // Given a paused follower whose wake-up has just come (and done nothing, being paused), when
    // a fault with a duration is injected right then, then the fault's end comes as scheduled:
    // the action the wake-up was in is gone, and the fault's end is an action of its own.
    void aFaultInjectedRightAfterAPausedWakeUpEnds() {
        Scenario s;
        s.electors = 3;
        s.duration = 1h;
        Simulator sim(s);
        sim.runFor(3s);
        std::size_t follower = sim.size(), other = sim.size();
        for (std::size_t i = 0; i < sim.size(); ++i)
            (sim.elector(i).leader ? other : follower) = i;
        QVERIFY(follower < sim.size() && other < sim.size());
        Fault pause;
        pause.kind = FaultKind::Pause;
        pause.target = {FaultTarget::Kind::Elector, static_cast<int>(follower)};
        sim.inject(pause);
        const TimePoint wake = sim.elector(follower).nextWake; // its next try, due while paused
        QVERIFY(wake > sim.now() && wake < sim.now() + 2s);
        sim.runUntil(wake); // the last action handled is that wake-up
        const Duration base = sim.elector(other).latency;
        Fault slow;
        slow.kind = FaultKind::Latency;
        slow.target = {FaultTarget::Kind::Elector, static_cast<int>(other)};
        slow.extra = 200ms;
        slow.duration = 1s;
        sim.inject(slow);
        QCOMPARE(sim.elector(other).latency, base + 200ms);
        sim.runFor(2s);
        QCOMPARE(sim.elector(other).latency, base);
        Fault resume;
        resume.kind = FaultKind::Resume;
        resume.target = pause.target;
        sim.inject(resume);
        sim.runFor(10s);
        QVERIFY(!sim.elector(follower).paused && sim.elector(follower).running);
        QVERIFY(check(sim.history()).safe());
    }

    // Given a 50 ms one-way latency without jitter, then an acquire reaches the store after
    // 50 ms and its answer the elector after 100 ms.
    void storeCallsTakeTheirLatencyBothWays() {
        Scenario s;
        s.electors = 1;
        s.latency = 50ms;
        s.latencyJitter = 0;
        s.duration = 10s;
        const History h = simulate(s);
        QVERIFY(!h.store.empty());
        QCOMPARE(h.store.front().at, h.start + 50ms);
        QCOMPARE(h.store.front().expiresAt, h.start + 50ms + s.timing.ttl);
        const ElectorEvent* elected = firstEvent(h, EventType::Elected, h.start);
        QVERIFY(elected);
        QCOMPARE(elected->at, h.start + 100ms);
    }

    // Given a partitioned leader, then its calls fail after one latency ("fail") or after the
    // command timeout ("hang").
    void partitionFailsOrHangs_data() {
        addColumns<bool, Duration>("hang", "failsAfter");
        QTest::newRow("fail") << false << Duration(20ms);
        QTest::newRow("hang") << true << Duration(1s);
    }
    void partitionFailsOrHangs() {
        QFETCH(bool, hang);
        QFETCH(Duration, failsAfter);
        Scenario s;
        s.electors = 1;
        s.latency = 20ms;
        s.latencyJitter = 0;
        s.duration = 10s;
        Fault f;
        f.at = 2500ms; // extends leave every refresh from the acquire: 1 s, 2 s, 3 s ...
        f.kind = FaultKind::Partition;
        f.mode = hang ? Fault::PartitionMode::Hang : Fault::PartitionMode::Fail;
        s.faults.push_back(f);
        const History h = simulate(s);
        const ElectorEvent* failed = firstEvent(h, EventType::ExtendFailed, h.start);
        QVERIFY(failed);
        // The first extend sent in the partition leaves at 3 s.
        QCOMPARE(failed->at, h.start + 3s + failsAfter);
        QVERIFY(QString::fromStdString(failed->event.message).contains(u"partitioned"));
    }

    // A clock's rate turns local deadlines into virtual ones, exactly.
    void electorClocksConvert() {
        ElectorInfo slow{"x", 0.9, TimePoint{} + 1h, TimePoint{} + 5h};
        const TimePoint local = slow.localAtStart + 9s;
        QCOMPARE(slow.toVirtual(local), slow.start + 10s);
        QCOMPARE(slow.toLocal(slow.start + 10s), local);
        ElectorInfo odd{"y", 1.0 / 3.0, TimePoint{}, TimePoint{}};
        const TimePoint v = odd.toVirtual(TimePoint{} + 1s);
        QVERIFY(odd.toLocal(v) >= TimePoint{} + 1s);
        QVERIFY(odd.toLocal(v - 1ns) < TimePoint{} + 1s);
    }

    void protectedResourceFences() {
        ProtectedResource fenced(true);
        QCOMPARE(fenced.write(3), ProtectedResource::Result::Accepted);
        QCOMPARE(fenced.write(3), ProtectedResource::Result::Accepted);
        QCOMPARE(fenced.write(2), ProtectedResource::Result::Rejected);
        QCOMPARE(fenced.write(4), ProtectedResource::Result::Accepted);
        QCOMPARE(fenced.accepted(), std::uint64_t(3));
        QCOMPARE(fenced.rejected(), std::uint64_t(1));
        ProtectedResource open(false);
        QCOMPARE(open.write(3), ProtectedResource::Result::Accepted);
        QCOMPARE(open.write(2), ProtectedResource::Result::Corrupted);
        QCOMPARE(open.corrupted(), std::uint64_t(1));
        QCOMPARE(open.newestFence(), std::uint64_t(3));
    }

    // The pacer maps wall time to virtual time at a speed, without jumps on a speed change.
    void pacerFollowsWallTimeAtSpeed() {
        const TimePoint wall0 = TimePoint{} + 100s;
        const TimePoint virt0 = TimePoint{} + 1h;
        Pacer pacer(wall0, virt0, 10.0);
        QCOMPARE(pacer.target(wall0), virt0);
        QCOMPARE(pacer.target(wall0 + 2s), virt0 + 20s);
        pacer.setSpeed(0.5, wall0 + 2s);
        QCOMPARE(pacer.target(wall0 + 2s), virt0 + 20s);
        QCOMPARE(pacer.target(wall0 + 4s), virt0 + 21s);
        pacer.pause(wall0 + 4s);
        QCOMPARE(pacer.target(wall0 + 60s), virt0 + 21s);
        pacer.setSpeed(1.0, wall0 + 60s);
        QCOMPARE(pacer.target(wall0 + 61s), virt0 + 22s);

        // Driving a simulator with it reaches exactly the target.
        Scenario s;
        s.duration = 1h;
        Simulator sim(s);
        Pacer paced(wall0, sim.start(), 100.0);
        sim.runUntil(paced.target(wall0 + 250ms));
        QCOMPARE(sim.now(), sim.start() + 25s);
    }

    // Bad scenarios are refused with the reason.
    // Given an elector whose clock is set to run 10% fast mid-run, then its clock changes pace
    // at that instant without jumping, and a rate outside (0.5, 2) is refused, not applied.
    void driftFaultChangesPaceWithoutJump() {
        Scenario s;
        s.electors = 2;
        s.duration = 1min;
        Simulator sim(s);
        sim.runUntil(sim.start() + 10s);
        const TimePoint before = sim.now();
        Fault f;
        f.kind = FaultKind::Drift;
        f.target = FaultTarget{FaultTarget::Kind::Elector, 1};
        f.rate = 1.1;
        sim.inject(f);
        QCOMPARE(sim.elector(1).clockRate, 1.1);
        const TimePoint local = TimePoint{} + 24h;
        const TimePoint v = sim.toVirtual(1, local);
        // 1.1 local seconds pass per virtual second from `before` on: a local interval of 11 s
        // takes 10 virtual seconds.
        QCOMPARE(sim.toVirtual(1, local + 11s) - v, Duration(10s));
        QVERIFY(v > before || v < before); // some instant; the pace is what matters
        f.rate = 3.0;
        sim.inject(f);
        QCOMPARE(sim.elector(1).clockRate, 1.1);
        QVERIFY(!sim.history().faults.back().applied);
        sim.runUntil(sim.start() + 40s);
        QVERIFY(check(sim.history()).terms >= 1);
    }

    // Given a reader that consumed the records (the lab), when they are discarded, then the run
    // goes on and new records arrive; the faults and counters stay.
    // Given a run that would record more than its cap, it ends where it reached the cap and
    // says so, instead of growing without end; the checker's report carries the reason.
    void aRunStopsAtItsRecordCap() {
        Scenario s;
        s.duration = 24h;
        s.maxRecords = 20'000;
        Simulator sim(s);
        sim.run();
        const History& h = sim.history();
        QVERIFY(h.records() <= s.maxRecords + 100); // one step may add a few
        QVERIFY(h.end - h.start < 24h);
        QVERIFY(QString::fromStdString(h.cutShort).contains(u"cap of 20000 records"_s));
        QCOMPARE(check(h).cutShort, h.cutShort);
        Scenario roomy = s;
        roomy.duration = 1min;
        QVERIFY(simulate(roomy).cutShort.empty());
    }

    void discardRecordsKeepsTheRunGoing() {
        Scenario s;
        s.duration = 10min;
        Fault crash;
        crash.at = 20s;
        crash.duration = 5s;
        s.faults.push_back(crash);
        Simulator sim(s);
        sim.runUntil(sim.start() + 30s);
        QVERIFY(!sim.history().events.empty());
        const auto calls = sim.history().storeCalls;
        sim.discardRecords();
        QVERIFY(sim.history().events.empty());
        QCOMPARE(sim.history().store.size(), std::size_t(1));
        QCOMPARE(sim.history().faults.size(), std::size_t(1));
        QCOMPARE(sim.history().storeCalls, calls);
        sim.runUntil(sim.start() + 60s);
        QVERIFY(firstEvent(sim.history(), EventType::Extended, sim.start() + 30s) != nullptr);
    }

    // Given every example scenario and a scenario with every kind of fault, when written as JSON
    // and read back, then the result is the same scenario (it replays to the same history).
    void scenarioJsonRoundTrips() {
        Scenario s = example("gc-pause");
        s.setups.push_back(ElectorSetup{1, 1.05, 3ms, true, 2s});
        for (int k = 0; k <= static_cast<int>(FaultKind::Drift); ++k) {
            Fault f;
            f.at = std::chrono::milliseconds(1500 + k);
            f.kind = static_cast<FaultKind>(k);
            f.target = FaultTarget{FaultTarget::Kind::Elector, k % s.electors};
            if (f.kind == FaultKind::Latency)
                f.extra = 7ms;
            if (f.kind == FaultKind::Timing)
                f.ttl = 6s;
            if (f.kind == FaultKind::Drift)
                f.rate = 0.97;
            if (f.kind == FaultKind::Partition) {
                f.mode = Fault::PartitionMode::Hang;
                f.duration = 2s;
                f.after = 3;
            }
            s.faults.push_back(f);
        }
        const Scenario back = sim::parseScenario(sim::scenarioJson(s));
        QCOMPARE(sim::scenarioJson(back), sim::scenarioJson(s));
        QCOMPARE(back.faults.size(), s.faults.size());
        QCOMPARE(back.faults.back().rate, 0.97);
        QCOMPARE(std::count_if(back.faults.begin(), back.faults.end(),
                               [](const Fault& f) { return f.after == 3; }),
                 1);
        QCOMPARE(toText(simulate(back)), toText(simulate(s)));
    }

    void invalidScenariosAreRefused() {
        Scenario s;
        s.faults.push_back(Fault{});
        s.faults.back().at = -1s;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Simulator{s});
        Scenario t;
        t.timing.refreshInterval = 3s;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Simulator{t});
        // Intervals with no floor grew a run without end (a write every nanosecond: 40 MB/s).
        Scenario writes;
        writes.writeInterval = 1ns;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Simulator{writes});
        Scenario timeouts;
        timeouts.commandTimeout = 500us;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Simulator{timeouts});
        Scenario retries;
        retries.timing.retryInterval = 1ns;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Simulator{retries});
        Scenario negative;
        negative.faults.push_back(Fault{});
        negative.faults.back().after = -1;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Simulator{negative});
    }
};

QTEST_APPLESS_MAIN(TestSimulator)
#include "test_simulator.moc"
