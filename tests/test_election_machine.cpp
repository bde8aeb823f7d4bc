// The sans-IO ElectionMachine, driven by hand: every input and every instant is the test's.

#include "support/printing.h"

#include <baton/election/election_machine.h>

#include <QTest>

using namespace baton;
using namespace std::chrono_literals;

namespace {

const TimePoint T0 = TimePoint{} + 1h;

Config config(bool pollingOnly = false) {
    Config c;
    c.resource = "r";
    c.identity = "me";
    c.timing = {3s, 1s, 1s};
    c.maxClockDrift = 0.01;
    c.pollingOnly = pollingOnly;
    return c;
}

LockAttempt won(std::uint64_t fence, const std::string& token = "tok") {
    LockAttempt a;
    a.lease = Lease{"r", token, fence};
    a.holder = {"me", fence, 3s};
    return a;
}

LockAttempt lost(const std::string& holder, Duration remaining, std::uint64_t fence = 7) {
    LockAttempt a;
    a.holder = {holder, fence, remaining};
    return a;
}

std::vector<EventType> types(const std::vector<Event>& events) {
    std::vector<EventType> out;
    for (const auto& e : events)
        out.push_back(e.type);
    return out;
}

// Starts a machine and makes it leader at T0 with fence 1.
ElectionMachine leaderAtT0(bool pollingOnly = false) {
    ElectionMachine m(config(pollingOnly));
    m.start(T0);
    auto cmd = m.poll(T0);
    Q_ASSERT(cmd && cmd->kind == Command::Kind::Acquire);
    m.handle(T0, CallResult::acquired(won(1)));
    m.takeEvents();
    return m;
}

} // namespace

class TestElectionMachine : public QObject {
    Q_OBJECT

private slots:
    // Given a leader whose extends keep failing, then it retries with backoff, stays leader
    // until its deadline and revokes exactly there with reason "error".
    void storeErrorsAreRiddenOutUntilTheDeadline() {
        ElectionMachine m = leaderAtT0();
        const TimePoint deadline = m.deadlineFor(T0, 3s);
        QCOMPARE(deadline, T0 + 2970ms - 1ms);
        QCOMPARE(m.wakeAt(), T0 + 1s);
        TimePoint now = T0 + 1s;
        int attempts = 0;
        while (true) {
            auto cmd = m.poll(now);
            if (!cmd)
                break;
            QCOMPARE(cmd->kind, Command::Kind::Extend);
            ++attempts;
            m.handle(now, CallResult::failure(Command::Kind::Acquire, "connection refused"));
            const auto events = m.takeEvents();
            QCOMPARE(types(events), std::vector<EventType>{EventType::ExtendFailed});
            QVERIFY(QString::fromStdString(events[0].message).contains(u"connection refused"));
            QVERIFY(m.isLeader(now));
            QVERIFY(m.wakeAt() > now);
            now = std::min(m.wakeAt(), deadline);
            if (now == deadline)
                break;
        }
        QVERIFY(attempts >= 5); // 10 ms, 20 ms, 40 ms ... then every retry interval
        QVERIFY(m.isLeader(deadline - 1ns));
        QVERIFY(!m.isLeader(deadline));
        m.poll(deadline);
        const auto events = m.takeEvents();
        QVERIFY(!events.empty());
        QCOMPARE(events[0].type, EventType::Revoked);
        QCOMPARE(events[0].reason, RevokeReason::Error);
        QCOMPARE(events[0].at, deadline);
    }

    // Given an extend in flight past the deadline, when it finally succeeds, then the machine
    // does not lead on it but releases that lock first.
    void lateExtendSuccessIsHandedBack() {
        ElectionMachine m = leaderAtT0();
        auto cmd = m.poll(T0 + 1s);
        QVERIFY(cmd && cmd->kind == Command::Kind::Extend);
        const TimePoint deadline = m.deadline();
        QCOMPARE(m.wakeAt(), deadline); // it wakes at the deadline even with a call in flight
        QVERIFY(!m.poll(deadline));
        auto events = m.takeEvents();
        QCOMPARE(events.at(0).type, EventType::Revoked);
        QCOMPARE(events.at(0).reason, RevokeReason::Expired);
        m.handle(deadline + 5s, CallResult::extended(true));
        QVERIFY(!m.isLeader(deadline + 5s));
        cmd = m.poll(deadline + 5s);
        QVERIFY(cmd);
        QCOMPARE(cmd->kind, Command::Kind::Release);
        QCOMPARE(cmd->lease.token, std::string("tok"));
        m.handle(deadline + 5s, CallResult::released(true));
        cmd = m.poll(deadline + 5s);
        QVERIFY(cmd);
        QCOMPARE(cmd->kind, Command::Kind::Acquire);
    }

    // An extend that finds the lock gone revokes with reason "lost" and tries again at once.
    void extendThatFindsTheLockGoneRevokesLost() {
        ElectionMachine m = leaderAtT0();
        QVERIFY(m.poll(T0 + 1s));
        m.handle(T0 + 1s, CallResult::extended(false));
        const auto events = m.takeEvents();
        QCOMPARE(events.at(0).type, EventType::Revoked);
        QCOMPARE(events.at(0).reason, RevokeReason::Lost);
        QVERIFY(!m.isLeader(T0 + 1s));
        auto cmd = m.poll(T0 + 1s);
        QVERIFY(cmd);
        QCOMPARE(cmd->kind, Command::Kind::Acquire); // nothing to release: it is not ours
    }

    // A follower schedules by the holder's remaining TTL, capped by the retry interval; a
    // release notice that came while its acquire was in flight makes it try again at once.
    void followerWaitsForRemainingTtlOrNotice() {
        ElectionMachine m(config());
        m.start(T0);
        QVERIFY(m.poll(T0));
        m.handle(T0, CallResult::acquired(lost("other", 300ms)));
        QCOMPARE(m.wakeAt(), T0 + 301ms);
        QCOMPARE(m.leader(), std::string("other"));
        QVERIFY(m.poll(T0 + 301ms));
        m.handle(T0 + 301ms, CallResult::acquired(lost("other", 2500ms)));
        QCOMPARE(m.wakeAt(), T0 + 1301ms); // capped by the retry interval
        QVERIFY(m.poll(T0 + 1301ms));
        m.handle(T0 + 1302ms, ReleaseNotice{}); // while the acquire is in flight
        m.handle(T0 + 1303ms, CallResult::acquired(lost("other", 2s)));
        QCOMPARE(m.wakeAt(), T0 + 1303ms);
        QVERIFY(m.poll(T0 + 1303ms));
        m.handle(T0 + 1303ms, CallResult::acquired(lost("other", 2s)));
        QCOMPARE(m.wakeAt(), T0 + 2303ms);
        m.handle(T0 + 1400ms, ReleaseNotice{}); // while waiting
        QCOMPARE(m.wakeAt(), T0 + 1400ms);
        QCOMPARE(m.leader(), std::string());
    }

    // An acquire is retried with the same token until one takes the lock: after a failure (so a
    // try that got through is taken up) and after a refusal (the store kept its holder's token,
    // and a failed try before it may still land). A token that took the lock is spent.
    void acquiresKeepTheirTokenUntilOneTakesTheLock() {
        int made = 0;
        ElectionMachine m(config(), [&made] { return "t" + std::to_string(++made); });
        m.start(T0);
        auto first = m.poll(T0);
        QVERIFY(first && first->kind == Command::Kind::Acquire);
        QCOMPARE(first->lease.token, std::string("t1"));
        m.handle(T0 + 1s, CallResult::failure(Command::Kind::Acquire, "timed out"));
        const TimePoint retryAt = m.wakeAt();
        QCOMPARE(retryAt, T0 + 1s + ElectionMachine::kErrorBackoff);
        auto second = m.poll(retryAt);
        QVERIFY(second && second->kind == Command::Kind::Acquire);
        QCOMPARE(second->lease.token, std::string("t1"));
        m.handle(retryAt, CallResult::acquired(lost("other", 2s)));
        auto third = m.poll(m.wakeAt());
        QVERIFY(third);
        QCOMPARE(third->lease.token, std::string("t1"));
        // Refused (no failed try before it), then stopped: nothing of ours can be held, so
        // nothing is released.
        {
            int made2 = 0;
            ElectionMachine r(config(), [&made2] { return "r" + std::to_string(++made2); });
            r.start(T0);
            QVERIFY(r.poll(T0));
            r.handle(T0 + 2ms, CallResult::acquired(lost("other", 2s)));
            r.handle(T0 + 3ms, StopRequest{});
            QVERIFY(!r.poll(T0 + 3ms));
            QCOMPARE(r.phase(), ElectionMachine::Phase::Stopped);
        }
        // A stop after a failed try releases that token, in case it got through.
        m.handle(T0 + 5s, CallResult::failure(Command::Kind::Acquire, "timed out"));
        m.handle(T0 + 5s, StopRequest{});
        auto cleanup = m.poll(T0 + 5s);
        QVERIFY(cleanup && cleanup->kind == Command::Kind::Release);
        QCOMPARE(cleanup->lease.token, std::string("t1"));
        m.handle(T0 + 5s + 2ms, CallResult::released(false));
        QCOMPARE(m.phase(), ElectionMachine::Phase::Stopped);
        // A new run, a win, a loss: the next term's tries have a new token.
        m.start(T0 + 6s);
        auto fourth = m.poll(T0 + 6s);
        QVERIFY(fourth);
        QCOMPARE(fourth->lease.token, std::string("t2"));
        m.handle(T0 + 6s + 2ms, CallResult::acquired(won(3, "t2")));
        QVERIFY(m.isLeader(T0 + 6s + 2ms));
        const TimePoint refreshAt = m.wakeAt();
        auto extend = m.poll(refreshAt);
        QVERIFY(extend && extend->kind == Command::Kind::Extend);
        m.handle(refreshAt + 2ms, CallResult::extended(false)); // lost: nothing to give back
        auto fifth = m.poll(m.wakeAt());
        QVERIFY(fifth && fifth->kind == Command::Kind::Acquire);
        QCOMPARE(fifth->lease.token, std::string("t3"));
    }

    // Before wakeAt() a poll makes no call and changes nothing (the simulator skips it then), in
    // every phase; at wakeAt() it acts.
    void pollBeforeWakeAtDoesNothing() {
        // Polls at `from`, halfway to the wake-up and a nanosecond before it (`to` when the
        // machine waits for an input only): nothing happens, nothing moves.
        const auto quietUntil = [](ElectionMachine& m, TimePoint from, TimePoint to) {
            m.takeEvents();
            const TimePoint wake = m.wakeAt();
            const TimePoint last = wake == TimePoint::max() ? to : wake - 1ns;
            QVERIFY(from <= last);
            for (const TimePoint t : {from, from + (last - from) / 2, last}) {
                QVERIFY(!m.poll(t));
                QCOMPARE(m.wakeAt(), wake);
                QVERIFY(!m.hasEvents());
            }
        };
        ElectionMachine m(config());
        m.start(T0);
        auto cmd = m.poll(T0);
        QVERIFY(cmd && cmd->kind == Command::Kind::Acquire);
        quietUntil(m, T0, T0 + 10s); // the acquire in flight: only its answer will do
        m.handle(T0 + 2ms, CallResult::acquired(lost("other", 2s)));
        QCOMPARE(m.wakeAt(), T0 + 2ms + 1s); // the retry interval, before the holder's expiry
        quietUntil(m, T0 + 2ms, T0 + 10s);
        cmd = m.poll(m.wakeAt());
        QVERIFY(cmd && cmd->kind == Command::Kind::Acquire);

        const TimePoint sent = T0 + 1002ms;
        m.handle(sent + 2ms, CallResult::acquired(won(8, cmd->lease.token)));
        QVERIFY(m.isLeader(sent + 2ms));
        QCOMPARE(m.wakeAt(), sent + 1s); // the refresh, before the deadline
        quietUntil(m, sent + 2ms, sent + 10s);
        cmd = m.poll(m.wakeAt());
        QVERIFY(cmd && cmd->kind == Command::Kind::Extend);
        // The extend in flight: the deadline is the next thing to act on.
        QCOMPARE(m.wakeAt(), m.deadline());
        quietUntil(m, sent + 1s, sent + 10s);
        QVERIFY(!m.poll(m.deadline()));
        QVERIFY(!m.isLeader(m.deadline()));
        QCOMPARE(types(m.takeEvents()),
                 (std::vector<EventType>{EventType::Revoked, EventType::LeaderChanged}));

        ElectionMachine stopped(config());
        stopped.start(T0);
        stopped.handle(T0, StopRequest{});
        QVERIFY(!stopped.poll(T0));
        QCOMPARE(stopped.phase(), ElectionMachine::Phase::Stopped);
        QCOMPARE(stopped.wakeAt(), TimePoint::max());
        quietUntil(stopped, T0, T0 + 1h);
    }

    // In polling-only mode a follower polls every retry interval and ignores notices.
    void pollingOnlyPolls() {
        ElectionMachine m(config(true));
        m.start(T0);
        QVERIFY(m.poll(T0));
        m.handle(T0, CallResult::acquired(lost("other", 100ms)));
        QCOMPARE(m.wakeAt(), T0 + 1s);
        m.handle(T0 + 200ms, ReleaseNotice{});
        QCOMPARE(m.wakeAt(), T0 + 1s);
        QVERIFY(!m.poll(T0 + 999ms));
    }

    // A stop while an acquire is in flight: if it wins, the lock is released, never led on.
    void stopDuringAcquireReleasesWithoutLeading() {
        ElectionMachine m(config());
        m.start(T0);
        QVERIFY(m.poll(T0));
        m.handle(T0, StopRequest{});
        QCOMPARE(m.phase(), ElectionMachine::Phase::Stopping);
        m.handle(T0 + 1ms, CallResult::acquired(won(4, "late")));
        QVERIFY(!m.isLeader(T0 + 1ms));
        auto cmd = m.poll(T0 + 1ms);
        QVERIFY(cmd);
        QCOMPARE(cmd->kind, Command::Kind::Release);
        QCOMPARE(cmd->lease.token, std::string("late"));
        m.handle(T0 + 2ms, CallResult::released(true));
        QCOMPARE(m.phase(), ElectionMachine::Phase::Stopped);
        const auto events = types(m.takeEvents());
        QVERIFY(std::find(events.begin(), events.end(), EventType::Elected) == events.end());
        QCOMPARE(events.back(), EventType::Stopped);
    }

    // A graceful stop revokes first (event), then releases, then reports stopped.
    void stopRevokesThenReleasesThenStops() {
        ElectionMachine m = leaderAtT0();
        m.handle(T0 + 100ms, StopRequest{});
        QVERIFY(!m.isLeader(T0 + 100ms));
        auto events = m.takeEvents();
        QCOMPARE(events.at(0).type, EventType::Revoked);
        QCOMPARE(events.at(0).reason, RevokeReason::Stopped);
        auto cmd = m.poll(T0 + 100ms);
        QVERIFY(cmd && cmd->kind == Command::Kind::Release);
        QVERIFY(m.takeEvents().empty());
        m.handle(T0 + 101ms, CallResult::released(true));
        QCOMPARE(types(m.takeEvents()), std::vector<EventType>{EventType::Stopped});
    }
};

QTEST_APPLESS_MAIN(TestElectionMachine)
#include "test_election_machine.moc"
