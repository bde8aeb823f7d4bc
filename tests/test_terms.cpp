// The term and failover rule (baton/sim/terms.h) on hand-built event sequences: when a term
// begins, moves and ends, what a new incarnation and a crash do, and what a failover is.

#include "support/columns.h"
#include "support/printing.h"

#include <baton/sim/terms.h>

#include <QTest>

using namespace baton;
using namespace std::chrono_literals;
using baton::test::addColumns;

namespace {

const TimePoint T0 = TimePoint{} + 1h;

TermInput input(TermInput::Kind kind, int elector, Duration at, std::uint64_t fence = 0,
                std::optional<Duration> deadline = std::nullopt, std::uint64_t incarnation = 1) {
    TermInput in;
    in.kind = kind;
    in.elector = elector;
    in.at = T0 + at;
    in.incarnation = incarnation;
    in.fence = fence;
    if (deadline)
        in.deadline = T0 + *deadline;
    return in;
}

TermInput elected(int elector, Duration at, std::uint64_t fence, Duration deadline,
                  std::uint64_t incarnation = 1) {
    return input(TermInput::Kind::Elected, elector, at, fence, deadline, incarnation);
}

TermInput extended(int elector, Duration at, Duration deadline) {
    return input(TermInput::Kind::Extended, elector, at, 0, deadline);
}

/// Feeds `inputs`, then finishes at `end`; returns every change.
std::vector<TermChange> run(TermTracker& tracker, const std::vector<TermInput>& inputs,
                            Duration end = 100s) {
    std::vector<TermChange> changes;
    const auto collect = [&](const TermChange& c) { changes.push_back(c); };
    for (const TermInput& in : inputs)
        tracker.add(in, collect);
    tracker.finish(T0 + end, collect);
    return changes;
}

std::vector<TermChange> ends(const std::vector<TermChange>& changes) {
    std::vector<TermChange> out;
    for (const TermChange& c : changes)
        if (c.kind == TermChange::Kind::Ended)
            out.push_back(c);
    return out;
}

/// A TermTracker and a FailoverTracker fed together, as the lab and the checker feed them.
struct FailoverRun {
    TermTracker terms;
    FailoverTracker failovers;
    std::vector<MeasuredFailover> measured;
    std::size_t faults = 0;

    explicit FailoverRun(FailoverPolicy policy)
        : failovers(policy) {}

    TermTracker::Callback onChange() {
        return [this](const TermChange& c) {
            failovers.change(c, terms.leaderCount(),
                             [this](const MeasuredFailover& f) { measured.push_back(f); });
        };
    }
    void add(const TermInput& in) { terms.add(in, onChange()); }
    void fault(FaultKind kind, int elector, Duration at, Duration end, bool wasLeader = true) {
        terms.advanceTo(T0 + at, onChange());
        failovers.fault(StruckFault{kind, elector, T0 + at, T0 + end, wasLeader, faults++},
                        terms.leaderCount());
    }
    void finish(Duration end) {
        terms.finish(T0 + end, onChange());
        failovers.finish(T0 + end, [this](const MeasuredFailover& f) { measured.push_back(f); });
    }
};

} // namespace

class TestTerms : public QObject {
    Q_OBJECT

private slots:
    // Given one input that ends a term, then the term ends there, for that reason.
    void howATermEnds_data() {
        addColumns<int, int>("kind", "how");
        QTest::newRow("revoked") << int(TermInput::Kind::Revoked) << int(TermEnd::Revoked);
        QTest::newRow("stopped") << int(TermInput::Kind::Stopped) << int(TermEnd::Stopped);
        QTest::newRow("crashed") << int(TermInput::Kind::Crashed) << int(TermEnd::Crashed);
        QTest::newRow("elected again") << int(TermInput::Kind::Elected) << int(TermEnd::Reelected);
    }
    void howATermEnds() {
        QFETCH(int, kind);
        QFETCH(int, how);
        TermTracker tracker;
        const auto e = ends(
            run(tracker, {elected(0, 1s, 1, 10s), input(TermInput::Kind(kind), 0, 4s, 2, 20s)}));
        QVERIFY(!e.empty());
        QCOMPARE(e.front().at, T0 + 4s);
        QCOMPARE(int(e.front().how), how);
        QCOMPARE(e.front().fence, std::uint64_t(1));
    }

    // Given no extend, then the term lapses at its deadline once time is past it, and an end
    // reported later is clipped to the deadline.
    void theDeadlineEndsATerm() {
        TermTracker tracker;
        std::vector<TermChange> changes;
        const auto collect = [&](const TermChange& c) { changes.push_back(c); };
        tracker.add(elected(0, 1s, 1, 5s), collect);
        tracker.advanceTo(T0 + 5s, collect);
        QVERIFY(tracker.leads(0)); // at the deadline itself: not yet past it
        tracker.advanceTo(T0 + 6s, collect);
        QVERIFY(!tracker.leads(0));
        QCOMPARE(changes.back().how, TermEnd::Deadline);
        QCOMPARE(changes.back().at, T0 + 5s);
        TermTracker late;
        const auto e =
            ends(run(late, {elected(0, 1s, 1, 5s), input(TermInput::Kind::Revoked, 0, 9s)}));
        QCOMPARE(e.size(), std::size_t(1));
        QCOMPARE(e[0].at, T0 + 5s);
        QCOMPARE(e[0].how, TermEnd::Deadline);
    }

    // Extends move the deadline; one at or after the deadline comes too late.
    void extends() {
        TermTracker tracker;
        auto e =
            ends(run(tracker, {elected(0, 0s, 1, 5s), extended(0, 1s, 6s), extended(0, 2s, 7s)}));
        QCOMPARE(e.at(0).at, T0 + 7s);
        TermTracker tooLate;
        e = ends(run(tooLate, {elected(0, 0s, 1, 5s), extended(0, 5s, 9s)}));
        QCOMPARE(e.size(), std::size_t(1));
        QCOMPARE(e[0].at, T0 + 5s);
        QCOMPARE(e[0].how, TermEnd::Deadline);
    }

    // An extend with no term open begins one only for an observer that joined mid-term.
    void joinMidTerm() {
        TermTracker strict;
        QVERIFY(run(strict, {extended(0, 1s, 5s)}).empty());
        TermTracker joining(TermTracker::Options{true});
        const auto changes = run(joining, {extended(0, 1s, 5s)});
        QCOMPARE(changes.size(), std::size_t(2));
        QCOMPARE(changes[0].kind, TermChange::Kind::Began);
        QVERIFY(!changes[0].byElected);
        QCOMPARE(changes[1].at, T0 + 5s);
    }

    // A new incarnation's event leaves the old term to its deadline, unless a crash comes first.
    void aNewIncarnation() {
        TermTracker tracker;
        auto e = ends(run(tracker, {elected(0, 0s, 1, 10s, 1),
                                    input(TermInput::Kind::Revoked, 0, 2s, 0, {}, 2)}));
        QCOMPARE(e.size(), std::size_t(1));
        QCOMPARE(e[0].at, T0 + 10s);
        TermTracker crashed;
        e = ends(run(crashed, {elected(0, 0s, 1, 10s, 1), elected(0, 2s, 2, 20s, 2),
                               input(TermInput::Kind::Crashed, 0, 3s)}));
        QCOMPARE(e.size(), std::size_t(2));
        QCOMPARE(e[0].at, T0 + 3s);
        QCOMPARE(e[1].at, T0 + 3s);
    }

    // Late inputs count at the latest time handled; changes come in time order.
    void lateInputsAndOrder() {
        TermTracker tracker;
        std::vector<TermChange> changes;
        const auto collect = [&](const TermChange& c) { changes.push_back(c); };
        tracker.add(elected(0, 1s, 1, 4s), collect);
        tracker.add(elected(1, 2s, 2, 3s), collect);
        QCOMPARE(tracker.add(input(TermInput::Kind::Other, 2, 10s), collect), T0 + 10s);
        QCOMPARE(tracker.add(elected(2, 5s, 3, 50s), collect), T0 + 10s);
        QCOMPARE(changes.size(), std::size_t(5));
        QCOMPARE(changes[2].elector, 1); // deadline 3 s before deadline 4 s
        QCOMPARE(changes[3].elector, 0);
        QCOMPARE(changes[4].at, T0 + 10s);
        QCOMPARE(tracker.leaders(), std::vector<int>{2});
    }

    // Given a whole history, then its intervals: a crash record ends a term; an empty one is
    // left out.
    void intervalsOfAHistory() {
        History h;
        h.start = T0;
        h.end = T0 + 30s;
        h.electors = {ElectorInfo{"a", 1.0, T0, T0}, ElectorInfo{"b", 1.0, T0, T0}};
        Event e;
        e.type = EventType::Elected;
        e.fence = 1;
        e.deadline = T0 + 10s;
        h.events.push_back(ElectorEvent{T0 + 1s, 0, 1, e});
        e.fence = 2;
        e.deadline = T0 + 12s; // elected at its deadline: no term
        h.events.push_back(ElectorEvent{T0 + 12s, 1, 1, e});
        h.faults.push_back(FaultRecord{T0 + 4s, T0 + 4s, 0, FaultKind::Crash, true, true, {}});
        const auto iv = leadershipIntervals(h);
        QCOMPARE(iv.size(), std::size_t(1));
        QCOMPARE(iv[0].end, T0 + 4s);
    }

    // The failover rule: a fault on a leader, the newest one while somebody leads, ridden out by
    // an extend, or nobody to blame; the next election ends it.
    void failovers() {
        FailoverRun run(FailoverPolicy::live());
        const FailoverTracker& failovers = run.failovers;
        const auto fault = [&](FaultKind kind, int elector, Duration at, bool wasLeader) {
            run.fault(kind, elector, at, at, wasLeader);
        };
        run.add(elected(0, 0s, 1, 10s));
        fault(FaultKind::Latency, 0, 1s, true);
        QVERIFY(!failovers.pending());
        fault(FaultKind::Pause, 0, 2s, true);
        run.add(extended(0, 3s, 20s));
        QVERIFY(!failovers.pending()); // ridden out
        fault(FaultKind::Pause, 0, 4s, true);
        fault(FaultKind::Crash, 0, 5s, true);
        run.add(input(TermInput::Kind::Crashed, 0, 5s));
        fault(FaultKind::Stop, 1, 6s, false); // a follower: no matter
        QCOMPARE(failovers.pending()->cause, std::optional<FaultKind>(FaultKind::Crash));
        run.add(elected(1, 8s, 2, 20s));
        run.add(input(TermInput::Kind::Revoked, 1, 9s));
        QVERIFY(failovers.pending() && !failovers.pending()->cause);
        run.add(elected(0, 9500ms, 3, 20s));
        const auto& measured = run.measured;
        QCOMPARE(measured.size(), std::size_t(2));
        QCOMPARE(measured[0].latency, Duration(3s));
        QCOMPARE(measured[0].newLeader, 1);
        QCOMPARE(measured[1].latency, Duration(500ms));
        QVERIFY(!measured[1].start.cause);
    }

    // Given a leader struck by a short pause, a long partition, a latency spike and another
    // short pause before its term lapses, then the live policy blames the newest fault that can
    // cost leadership (the last pause) and the checker's the first that outlasted the term (the
    // partition).
    void whichFaultIsBlamed_data() {
        addColumns<bool, int, int>("live", "cause", "sinceSeconds");
        QTest::newRow("live: the newest") << true << int(FaultKind::Pause) << 5;
        QTest::newRow("history: the first outlasting") << false << int(FaultKind::Partition) << 3;
    }
    void whichFaultIsBlamed() {
        QFETCH(bool, live);
        QFETCH(int, cause);
        QFETCH(int, sinceSeconds);
        const Duration since = std::chrono::seconds(sinceSeconds);
        FailoverRun run(live ? FailoverPolicy::live() : FailoverPolicy::ofHistory());
        run.add(elected(0, 0s, 1, 10s));
        run.fault(FaultKind::Pause, 0, 1s, 2s);
        run.fault(FaultKind::Partition, 0, 3s, 20s);
        run.fault(FaultKind::Latency, 0, 4s, 30s);
        run.fault(FaultKind::Pause, 0, 5s, 6s);
        run.add(elected(1, 12s, 2, 30s));
        QCOMPARE(run.measured.size(), std::size_t(1));
        QCOMPARE(run.measured[0].start.cause, std::optional<FaultKind>(FaultKind(cause)));
        QCOMPARE(run.measured[0].start.since, T0 + since);
        QCOMPARE(run.measured[0].latency, Duration(12s) - since);
        QCOMPARE(run.measured[0].newLeader, 1);
        QCOMPARE(run.measured[0].start.termBegin, T0);
        QCOMPARE(run.measured[0].start.fence, std::uint64_t(1));
    }

    // Given only a latency spike (or a drift) that outlasts the leader's term, then the checker
    // blames it; the live policy counts neither as a cause, so the lapse is a failover nobody
    // caused.
    void whichKindsAreCauses() {
        for (const FaultKind kind : {FaultKind::Latency, FaultKind::Drift}) {
            FailoverRun history(FailoverPolicy::ofHistory());
            FailoverRun live(FailoverPolicy::live());
            for (FailoverRun* run : {&history, &live}) {
                run->add(elected(0, 0s, 1, 10s));
                run->fault(kind, 0, 2s, 40s);
                run->add(elected(1, 15s, 2, 30s));
                QCOMPARE(run->measured.size(), std::size_t(1));
            }
            QCOMPARE(history.measured[0].start.cause, std::optional<FaultKind>(kind));
            QCOMPARE(history.measured[0].latency, Duration(13s));
            QVERIFY(!live.measured[0].start.cause);
            QCOMPARE(live.measured[0].latency, Duration(5s)); // from the lapse at 10 s
        }
        QVERIFY(!FailoverPolicy::live().causes.contains(FaultKind::Heal));
        QVERIFY(!FailoverPolicy::ofHistory().causes.contains(FaultKind::Restart));
        QVERIFY(FailoverPolicy::ofHistory().causes.contains(FaultKind::Stop));
    }

    // After the fact: a term that outlives the fault rode it out; a loss nobody caused is no
    // failover; a fault on a follower strikes no term.
    void firstOutlastingRideOut() {
        FailoverRun run(FailoverPolicy::ofHistory());
        run.add(elected(0, 0s, 1, 10s));
        run.fault(FaultKind::Pause, 0, 1s, 3s);
        run.fault(FaultKind::Crash, 1, 2s, 50s, false);
        run.add(extended(0, 4s, 20s));
        run.add(input(TermInput::Kind::Revoked, 0, 15s));
        run.add(elected(1, 16s, 2, 30s));
        run.finish(40s);
        QVERIFY(run.measured.empty());
        QVERIFY(!run.failovers.pending());
    }

    // After the fact: an election between the fault and the term's end (an overlap) is the one
    // that ended the failover, reported when the term ends; two leaders lost at once are two
    // failovers under way, and one election ends both; at the run's end one still under way has
    // no new leader.
    void firstOutlastingUnderWay() {
        FailoverRun run(FailoverPolicy::ofHistory());
        run.add(elected(0, 0s, 1, 10s));
        run.fault(FaultKind::Partition, 0, 2s, 50s);
        run.add(elected(1, 5s, 2, 30s));
        QVERIFY(run.measured.empty()); // the partition has not cost 0 its term yet
        run.terms.advanceTo(T0 + 11s, run.onChange());
        QCOMPARE(run.measured.size(), std::size_t(1));
        QCOMPARE(run.measured[0].newLeader, 1);
        QCOMPARE(run.measured[0].latency, Duration(3s));

        run.add(elected(0, 12s, 3, 40s));
        run.fault(FaultKind::Crash, 1, 20s, 60s);
        run.add(input(TermInput::Kind::Crashed, 1, 20s));
        run.fault(FaultKind::Stop, 0, 21s, 21s);
        run.add(input(TermInput::Kind::Stopped, 0, 21s));
        QCOMPARE(run.failovers.pending()->since, T0 + 20s); // the oldest of two
        run.add(elected(2, 25s, 4, 50s));
        QCOMPARE(run.measured.size(), std::size_t(3));
        QCOMPARE(run.measured[1].latency, Duration(5s));
        QCOMPARE(run.measured[2].latency, Duration(4s));
        QCOMPARE(run.measured[2].start.cause, std::optional<FaultKind>(FaultKind::Stop));

        run.fault(FaultKind::Crash, 2, 30s, 90s);
        run.add(input(TermInput::Kind::Crashed, 2, 30s));
        run.finish(45s);
        QCOMPARE(run.measured.size(), std::size_t(4));
        QCOMPARE(run.measured[3].newLeader, -1);
        QCOMPARE(run.measured[3].latency, Duration(15s));
        QCOMPARE(run.measured[3].start.fault, std::size_t(3)); // its id: the fourth fault
    }

    // Given a stop and the revocation it caused at one instant, then the fault fed first is the
    // cause (both policies); fed after (a History's record order) it looks like a revocation
    // nobody caused, to the live policy.
    void aStopBeforeItsRevocation() {
        for (const FailoverPolicy& policy : {FailoverPolicy::live(), FailoverPolicy::ofHistory()}) {
            FailoverRun run(policy);
            run.add(elected(0, 0s, 1, 10s));
            run.fault(FaultKind::Stop, 0, 4s, 4s);
            run.add(input(TermInput::Kind::Revoked, 0, 4s));
            run.add(elected(1, 5s, 2, 20s));
            QCOMPARE(run.measured.size(), std::size_t(1));
            QCOMPARE(run.measured[0].start.cause, std::optional<FaultKind>(FaultKind::Stop));
        }
        FailoverRun late(FailoverPolicy::live());
        late.add(elected(0, 0s, 1, 10s));
        late.add(input(TermInput::Kind::Revoked, 0, 4s));
        late.fault(FaultKind::Stop, 0, 4s, 4s);
        late.add(elected(1, 5s, 2, 20s));
        QVERIFY(!late.measured.at(0).start.cause);
    }

    void labels() {
        QCOMPARE(termEndLabel(TermEnd::Deadline), std::string_view("deadline passed"));
        QCOMPARE(termEndLabel(TermEnd::Reelected), std::string_view("elected again"));
    }
};

QTEST_APPLESS_MAIN(TestTerms)
#include "test_terms.moc"
