// The checker on hand-made histories: the verdicts it must give, failing ones included.

#include "support/printing.h"

#include <baton/sim/checker.h>
#include <baton/sim/real_history.h>

#include <QTest>

using namespace baton;
using namespace std::chrono_literals;

namespace {

const TimePoint T0 = TimePoint{} + 1h;

// A history of `n` electors with exact clocks (local == virtual), from T0 to T0 + length.
History history(int n, Duration length = 100s) {
    History h;
    h.seed = 42;
    h.resource = "r";
    h.start = T0;
    h.end = T0 + length;
    for (int i = 0; i < n; ++i)
        h.electors.push_back(ElectorInfo{"node-" + std::to_string(i), 1.0, T0, T0});
    h.storeCalls.assign(static_cast<std::size_t>(n), 0);
    return h;
}

void elected(History& h, int elector, Duration at, std::uint64_t fence, Duration deadline,
             std::uint64_t incarnation = 1) {
    Event e;
    e.type = EventType::Elected;
    e.fence = fence;
    const ElectorInfo& info = h.electors[static_cast<std::size_t>(elector)];
    e.at = info.toLocal(T0 + at);
    e.deadline = info.toLocal(T0 + deadline);
    h.events.push_back(ElectorEvent{T0 + at, elector, incarnation, e});
}

void extended(History& h, int elector, Duration at, Duration deadline) {
    Event e;
    e.type = EventType::Extended;
    const ElectorInfo& info = h.electors[static_cast<std::size_t>(elector)];
    e.deadline = info.toLocal(T0 + deadline);
    h.events.push_back(ElectorEvent{T0 + at, elector, 1, e});
}

void revoked(History& h, int elector, Duration at) {
    Event e;
    e.type = EventType::Revoked;
    e.reason = RevokeReason::Lost;
    h.events.push_back(ElectorEvent{T0 + at, elector, 1, e});
}

// A baton-agent line on resource "r" at Unix ms `t` (base 1.8e12, as today's times are).
std::string line(const std::string& id, const std::string& event, double t,
                 const std::string& extra = {}) {
    return "{\"t\":" + std::to_string(1.8e12 + t) + ",\"id\":\"" + id +
           "\",\"resource\":\"r\",\"event\":\"" + event + "\"" + extra + "}";
}
std::string term(std::uint64_t fence, double deadline) {
    return ",\"fence\":" + std::to_string(fence) +
           ",\"deadline\":" + std::to_string(1.8e12 + deadline);
}

void sortEvents(History& h) {
    std::stable_sort(h.events.begin(), h.events.end(),
                     [](const auto& a, const auto& b) { return a.at < b.at; });
}

// Elector 0 elected at 0 s with fence 1 and a deadline at 10 s; elector 1 elected at `second`
// with fence 2 and a deadline at 20 s.
History twoTerms(Duration second) {
    History h = history(2);
    elected(h, 0, 0s, 1, 10s);
    elected(h, 1, second, 2, 20s);
    sortEvents(h);
    return h;
}

} // namespace

class TestChecker : public QObject {
    Q_OBJECT

private slots:
    // Given two terms that overlap by 2 s, then one overlap of exactly 2 s, at the second start.
    void overlappingTermsAreAViolation() {
        const Report r = check(twoTerms(8s));
        QVERIFY(!r.safe());
        QCOMPARE(r.overlaps, std::size_t(1));
        QCOMPARE(r.overlapTotal, Duration(2s));
        QCOMPARE(r.firstViolation()->kind, Violation::Kind::Overlap);
        QCOMPARE(r.firstViolation()->at, T0 + 8s);
        QVERIFY(QString::fromStdString(r.firstViolation()->description).contains(u"2000.000ms"));
    }

    // Given a term that ends exactly where the next begins, then no overlap.
    void touchingTermsAreFine() {
        const Report r = check(twoTerms(10s));
        QVERIFY(r.safe());
        QCOMPARE(r.terms, std::size_t(2));
        QCOMPARE(r.timeWithoutLeader, Duration(80s)); // from 20 s to the end at 100 s
    }

    // Given a run in which nobody was ever elected, then all of it was without a leader (not
    // none of it, which made a tuner point that elects nobody look perfect).
    void aRunWithoutAnyTermHadNoLeaderThroughout() {
        const Report r = check(history(3, 40s));
        QVERIFY(r.safe());
        QCOMPARE(r.terms, std::size_t(0));
        QCOMPARE(r.timeWithoutLeader, Duration(40s));
        QCOMPARE(r.longestWithoutLeader, Duration(40s));
    }

    // A term ends at its self-fencing deadline if that comes before its revocation; on a slow
    // clock (rate 0.5) the local deadline lands twice as late in virtual time.
    void deadlineEndsATermOnTheTrueClock() {
        History h = history(2);
        h.electors[0].clockRate = 0.5;
        elected(h, 0, 0s, 1, 4s);  // local deadline 2 s after start: virtual 4 s
        revoked(h, 0, 30s);        // revoked late (a pause): the deadline counts
        elected(h, 1, 3s, 2, 50s); // overlaps the slow deadline by 1 s
        sortEvents(h);
        const auto iv = leadershipIntervals(h);
        QCOMPARE(iv.size(), std::size_t(2));
        QCOMPARE(iv[0].end, T0 + 4s);
        const Report r = check(h);
        QCOMPARE(r.overlaps, std::size_t(1));
        QCOMPARE(r.overlapTotal, Duration(1s));
    }

    // Extends move the deadline on; a revocation ends the term early.
    void extendsMoveTheDeadline() {
        History h = history(1);
        elected(h, 0, 0s, 1, 5s);
        extended(h, 0, 1s, 6s);
        extended(h, 0, 2s, 7s);
        revoked(h, 0, 3s);
        const auto iv = leadershipIntervals(h);
        QCOMPARE(iv.size(), std::size_t(1));
        QCOMPARE(iv[0].end, T0 + 3s);
        History open = history(1);
        elected(open, 0, 0s, 1, 5s);
        extended(open, 0, 1s, 6s);
        QCOMPARE(leadershipIntervals(open).at(0).end, T0 + 6s);
    }

    // A crash ends the term at once, even though the deadline is later.
    void crashEndsATerm() {
        History h = history(2);
        elected(h, 0, 0s, 1, 10s);
        h.faults.push_back(FaultRecord{T0 + 3s, T0 + 20s, 0, FaultKind::Crash, true, true, {}});
        elected(h, 1, 9s, 2, 30s);
        sortEvents(h);
        const Report r = check(h);
        QVERIFY(r.safe());
        QCOMPARE(r.intervals.at(0).end, T0 + 3s);
        QCOMPARE(r.timeWithoutLeader, Duration(6s + 70s));
        QCOMPARE(r.longestWithoutLeader, Duration(70s));
        // The failover: from the crash to the next election, 6 s; 1 s beyond the expiry at 8 s.
        QCOMPARE(r.failovers.size(), std::size_t(1));
        QCOMPARE(r.failovers[0].latency, Duration(6s));
        QCOMPARE(r.failovers[0].newLeader, 1);
        QVERIFY(!r.failovers[0].beyondExpiry); // no store view recorded
        h.store.push_back(StoreView{T0 + 2s, 0, 1, T0 + 8s});
        const Report withStore = check(h);
        QVERIFY(withStore.failovers[0].beyondExpiry);
        QCOMPARE(*withStore.failovers[0].beyondExpiry, Duration(1s));
    }

    // A fault the leader rides out is no failover.
    void riddenOutFaultIsNoFailover() {
        History h = history(1);
        elected(h, 0, 0s, 1, 10s);
        extended(h, 0, 5s, 60s);
        h.faults.push_back(FaultRecord{T0 + 2s, T0 + 3s, 0, FaultKind::Pause, true, true, {}});
        const Report r = check(h);
        QVERIFY(r.failovers.empty());
    }

    // Fences must grow with every term.
    void fencesOutOfOrderAreAViolation() {
        History h = history(2);
        elected(h, 0, 0s, 5, 10s);
        elected(h, 1, 10s, 5, 20s);
        elected(h, 0, 20s, 4, 30s);
        sortEvents(h);
        const Report r = check(h);
        QCOMPARE(r.overlaps, std::size_t(0));
        QCOMPARE(r.fenceOrderViolations, std::size_t(2));
        QCOMPARE(r.firstViolation()->kind, Violation::Kind::FenceOrder);
        QCOMPARE(r.firstViolation()->at, T0 + 10s);
    }

    // A corrupted write is a violation; a rejected one is not.
    void corruptedWritesAreViolations() {
        History h = history(2);
        h.fencing = false;
        h.writes.push_back(WriteRecord{T0, T0 + 1s, 0, 1, 0, WriteRecord::Outcome::Accepted});
        h.writes.push_back(WriteRecord{T0, T0 + 2s, 0, 1, 2, WriteRecord::Outcome::Rejected});
        QVERIFY(check(h).safe());
        h.writes.push_back(WriteRecord{T0, T0 + 3s, 0, 1, 2, WriteRecord::Outcome::Corrupted});
        const Report r = check(h);
        QVERIFY(!r.safe());
        QCOMPARE(r.writesAccepted, std::uint64_t(2));
        QCOMPARE(r.writesRejected, std::uint64_t(1));
        QCOMPARE(r.writesCorrupted, std::uint64_t(1));
        QCOMPARE(r.firstViolation()->kind, Violation::Kind::CorruptedWrite);
    }

    // Store calls per elector per second.
    void opsPerSecond() {
        History h = history(2, 10s);
        h.storeCalls = {20, 5};
        const Report r = check(h);
        QCOMPARE(r.opsPerSecond, (std::vector<double>{2.0, 0.5}));
        QCOMPARE(r.meanOpsPerSecond, 1.25);
    }

    void durationStats() {
        std::vector<Duration> values;
        for (int i = 100; i >= 1; --i)
            values.push_back(Duration(std::chrono::milliseconds(i)));
        const DurationStats s = statsOf(values);
        QCOMPARE(s.count, std::size_t(100));
        QCOMPARE(s.min, Duration(1ms));
        QCOMPARE(s.median, Duration(50ms));
        QCOMPARE(s.p99, Duration(99ms));
        QCOMPARE(s.max, Duration(100ms));
        QCOMPARE(statsOf({}).count, std::size_t(0));
    }

    // Given real agents' lines where b is elected at 5.5 s while a's extended deadline is 6 s
    // and a revokes only then, then the checker finds one overlap of 500 ms naming both.
    void realLinesWithAnOverlap() {
        RealHistory h("r");
        QVERIFY(h.addLine(1, line("a", "started", 0)));
        QVERIFY(h.addLine(1, line("a", "elected", 1000, term(1, 5000))));
        QVERIFY(h.addLine(1, line("a", "extended", 2000, term(1, 6000))));
        // b's lines come in later than a's revocation: the reader puts them in time order.
        QVERIFY(h.addLine(1, line("a", "revoked", 6000, ",\"fence\":1,\"reason\":\"expired\"")));
        QVERIFY(h.addLine(2, line("b", "elected", 5500, term(2, 9500))));
        const Report r = h.check(1.8e12, 1.8e12 + 10000);
        QCOMPARE(r.terms, 2u);
        QCOMPARE(r.overlaps, 1u);
        QCOMPARE(r.overlapTotal, Duration(500ms));
        QVERIFY2(r.violations.front().description.find("b (fence 2) was elected at t=5500ms while "
                                                       "a (fence 1) still led until t=6s") !=
                     std::string::npos,
                 r.violations.front().description.c_str());
        QCOMPARE(h.identities(), (std::vector<std::string>{"a", "b"}));
    }

    // Given a leader killed (a crash fault: it prints nothing more) and a follower elected after
    // its lock expired, then the run is safe and the failover is blamed on the crash.
    void realCrashIsAFailover() {
        RealHistory h("r");
        h.addLine(1, line("a", "elected", 0, term(1, 4900)));
        h.addFault("a", FaultKind::Crash, 1.8e12 + 1000, 1.8e12 + 1000, true, "SIGKILL");
        h.addLine(1, line("b", "elected", 5010, term(2, 10100)));
        const Report r = h.check(1.8e12, 1.8e12 + 10000);
        QVERIFY(r.safe());
        QCOMPARE(r.terms, 2u);
        QCOMPARE(r.failovers.size(), 1u);
        QCOMPARE(r.failovers.front().cause, FaultKind::Crash);
        QCOMPARE(r.failovers.front().latency, Duration(4010ms));
        QCOMPARE(r.timeWithoutLeader, Duration(4010ms));
    }

    // Given a restarted agent (a new incarnation of the same id) elected with a lower fence than
    // the term before, then the fence order is violated.
    void realFenceOrder() {
        RealHistory h("r");
        h.addLine(1, line("a", "elected", 0, term(7, 1000)));
        h.addLine(1, line("a", "revoked", 500, ",\"fence\":7,\"reason\":\"stopped\""));
        h.addLine(2, line("a", "elected", 600, term(3, 1600)));
        const Report r = h.check(1.8e12, 1.8e12 + 2000);
        QCOMPARE(r.fenceOrderViolations, 1u);
    }

    // Lines that are not events are noted (bounded, escaped) and left out; other resources and
    // release notices are no events of this run.
    void realBadLines() {
        RealHistory h("r");
        QVERIFY(!h.addLine(1, "not json\x1b[31m"));
        QVERIFY(!h.addLine(1, R"({"id":"a","resource":"r","event":"elected"})")); // no t
        QVERIFY(h.addLine(1, R"({"t":1,"id":"a","resource":"other","event":"elected"})"));
        QVERIFY(h.addLine(1, R"({"event":"released","id":"a","resource":"r","t":2})"));
        QCOMPARE(h.events(), 0u);
        QCOMPARE(h.badLines(), 2u);
        QCOMPARE(h.problems().size(), 2u);
        QVERIFY(h.problems().front().find('\x1b') == std::string::npos);
        for (int i = 0; i < 30; ++i)
            h.addLine(1, "{");
        QCOMPARE(h.problems().size(), 20u);
        QCOMPARE(h.badLines(), 32u);
    }
};

QTEST_APPLESS_MAIN(TestChecker)
#include "test_checker.moc"
