// The real-time Election runner on a ManualClock: real threads, no sleeps; time moves only
// when a test moves it.

#include "support/cluster.h"
#include "support/columns.h"
#include "support/gated_store.h"
#include "support/printing.h"
#include <baton/store/forwarding_store.h>

#include <QTest>

#include <atomic>
#include <set>

using namespace baton;
using namespace std::chrono_literals;
using baton::test::addColumns;
using test::Cluster;
using test::GatedStore;

Q_DECLARE_METATYPE(baton::Duration)

namespace {

// A store whose first acquire reaches the store but whose answer is lost (a timeout).
class LossyStore final : public ForwardingStore {
public:
    using ForwardingStore::ForwardingStore;

    AcquireReply acquire(const std::string& r, const std::string& t, const std::string& i,
                         Duration ttl) override {
        auto reply = m_inner.acquire(r, t, i, ttl);
        if (m_lose.exchange(false))
            throw StoreError("no answer within 1s (timed out)");
        return reply;
    }

private:
    std::atomic<bool> m_lose{true};
};

std::string theLeader(const Cluster& cluster) {
    const auto leaders = cluster.leaders();
    return leaders.size() == 1 ? leaders.front() : std::string();
}

} // namespace

class TestElection : public QObject {
    Q_OBJECT

private slots:
    // Given five electors started together, when they settle, then exactly one leads and
    // every elector names the same leader.
    void fiveElectorsElectExactlyOne() {
        Cluster cluster;
        for (int i = 0; i < 5; ++i)
            cluster.add("node-" + std::to_string(i)).start();
        QVERIFY(cluster.advance(1ms));
        QCOMPARE(cluster.leaders().size(), std::size_t(1));
        const std::string leader = theLeader(cluster);
        for (auto& e : cluster.electors())
            QCOMPARE(e->leader(), leader);
        QCOMPARE(cluster.events(EventType::Elected).size(), std::size_t(1));
        // Still exactly one after many refresh rounds.
        QVERIFY(cluster.advance(30s));
        QCOMPARE(cluster.leaders(), std::vector<std::string>{leader});
        QCOMPARE(cluster.events(EventType::Elected).size(), std::size_t(1));
        QCOMPARE(cluster.store.inspect("job-scheduler")->identity, leader);
    }

    // Given a leader whose last extend was at T, when it crashes (no release), then a follower
    // leads kExpirySlack (1 ms) after the lock's expiry; in polling-only mode only at its next
    // poll.
    void crashFailoverLandsRightAfterExpiry_data() {
        addColumns<bool, Duration>("pollingOnly", "expectedDelay");
        QTest::newRow("push (remaining TTL)") << false << Duration(ElectionMachine::kExpirySlack);
        // Followers started 300 ms after the leader poll at +300 ms past each whole second.
        QTest::newRow("seed (poll every retry)") << true << Duration(300ms);
    }
    void crashFailoverLandsRightAfterExpiry() {
        QFETCH(bool, pollingOnly);
        QFETCH(Duration, expectedDelay);
        Cluster cluster;
        auto config = [&](const std::string& id) {
            auto c = Cluster::config(id, 3s, 1s, 1s);
            c.pollingOnly = pollingOnly;
            return c;
        };
        Election& first = cluster.add(config("node-0"));
        first.start();
        QVERIFY(cluster.advance(300ms));
        QVERIFY(first.isLeader());
        for (int i = 1; i < 5; ++i)
            cluster.add(config("node-" + std::to_string(i))).start();
        QVERIFY(cluster.advance(10s + 200ms)); // the last extend happened at 10 s

        const auto held = cluster.store.inspect("job-scheduler");
        QVERIFY(held);
        const TimePoint expiry = cluster.clock.now() + held->remaining;
        ElectionFaults::kill(first);
        QVERIFY(cluster.advanceTo(expiry + 2s));

        const auto elected = cluster.events(EventType::Elected, expiry - 3s);
        QCOMPARE(elected.size(), std::size_t(1));
        QVERIFY(elected.front().identity != "node-0");
        const Duration delay = elected.front().event.at - expiry;
        qInfo("failover %s after expiry", formatDuration(delay).c_str());
        QCOMPARE(delay, expectedDelay);
    }

    // Given a leader and four followers, when the leader stops gracefully, then a follower
    // leads at the same instant: the release notice wakes it, no clock time passes.
    void gracefulStopHandsOverAtOnce() {
        Cluster cluster;
        for (int i = 0; i < 5; ++i)
            cluster.add("node-" + std::to_string(i)).start();
        QVERIFY(cluster.advance(2500ms));
        const std::string old = theLeader(cluster);
        QVERIFY(!old.empty());
        const TimePoint stopAt = cluster.clock.now();
        for (auto& e : cluster.electors())
            if (e->identity() == old)
                e->stop();
        QVERIFY(cluster.settle());
        const auto elected = cluster.events(EventType::Elected, stopAt);
        QCOMPARE(elected.size(), std::size_t(1));
        QVERIFY(elected.front().identity != old);
        QCOMPARE(elected.front().event.at, stopAt);
        QCOMPARE(cluster.leaders().size(), std::size_t(1));
    }

    // Given a leader whose extend call hangs, then isLeader() is true until the instant before
    // its deadline and false at it, and the runner revokes at the deadline while the call
    // still hangs.
    void hangingExtendLosesLeadershipAtDeadline() {
        ManualClock clock;
        MemoryStore memory(clock);
        GatedStore store(memory);
        Locker locker(store);
        std::atomic<int> revoked{0};
        std::atomic<int> elected{0};
        auto config = Cluster::config("node-0", 3s, 1s, 1s);
        config.onElected = [&] { ++elected; };
        config.onRevoked = [&] { ++revoked; };
        std::vector<Event> events;
        std::mutex eventsMutex;
        config.onEvent = [&](const Event& e) {
            std::lock_guard guard(eventsMutex);
            events.push_back(e);
        };
        Election election(locker, config, clock);
        election.start();
        QTRY_VERIFY(election.isLeader());
        const TimePoint electedAt = clock.now();
        const TimePoint deadline = election.deadline();
        // The rule: send time + ttl * (1 - drift) - min(1 ms, ttl / 100).
        QCOMPARE(deadline, electedAt + Duration(2970ms) - Duration(1ms));

        store.hangExtends = true;
        clock.advance(1s); // time for the first extend: it hangs
        QTRY_COMPARE(store.hanging.load(), 1);
        clock.advanceTo(deadline - 1ns);
        QVERIFY(election.isLeader());
        clock.advanceTo(deadline);
        QVERIFY(!election.isLeader()); // at once, lock-free, while the call hangs
        QTRY_COMPARE(revoked.load(), 1);
        QCOMPARE(store.hanging.load(), 1);
        {
            std::lock_guard guard(eventsMutex);
            auto it = std::find_if(events.begin(), events.end(),
                                   [](const Event& e) { return e.type == EventType::Revoked; });
            QVERIFY(it != events.end());
            QCOMPARE(it->reason, RevokeReason::Expired);
            QCOMPARE(it->at, deadline);
        }
        store.open();
        election.stop();
        QCOMPARE(elected.load(), revoked.load()); // every term that began has ended
    }

    // Given an acquire that got through but whose answer was lost, then the elector takes the
    // lock up on its retry (10 ms later, same fence) instead of everybody waiting out its TTL.
    void lostAcquireAnswerIsTakenUpOnRetry() {
        ManualClock clock;
        MemoryStore memory(clock);
        LossyStore store(memory);
        Locker locker(store);
        std::atomic<int> elected{0};
        auto config = Cluster::config("node-0");
        config.onElected = [&] { ++elected; };
        Election election(locker, config, clock);
        const TimePoint t0 = clock.now();
        election.start();
        QTRY_VERIFY(memory.inspect("job-scheduler").has_value()); // the lost try got through
        QTRY_VERIFY(election.idle());
        QVERIFY(!election.isLeader());
        QCOMPARE(election.nextWake(), t0 + ElectionMachine::kErrorBackoff);
        clock.advanceTo(t0 + ElectionMachine::kErrorBackoff);
        QTRY_COMPARE(elected.load(), 1);
        QCOMPARE(election.fence(), std::uint64_t(1)); // the fence the lost try was given
        QCOMPARE(memory.inspect("job-scheduler")->remaining, Duration(3s));
        election.stop();
        QVERIFY(!memory.inspect("job-scheduler"));
    }

    // Callbacks alternate per elector and never overlap, over many terms with stops and restarts.
    void callbacksAlternate() {
        Cluster cluster;
        struct Track {
            std::atomic<int> inCallback{0};
            std::atomic<bool> overlapped{false};
            std::mutex mutex;
            std::string sequence;
        };
        std::vector<std::unique_ptr<Track>> tracks;
        for (int i = 0; i < 3; ++i) {
            auto track = std::make_unique<Track>();
            Track* t = track.get();
            auto note = [t](char c) {
                if (t->inCallback.fetch_add(1) != 0)
                    t->overlapped = true;
                {
                    std::lock_guard guard(t->mutex);
                    t->sequence.push_back(c);
                }
                t->inCallback.fetch_sub(1);
            };
            auto c = Cluster::config("node-" + std::to_string(i));
            c.onElected = [note] { note('E'); };
            c.onRevoked = [note] { note('R'); };
            cluster.add(c).start();
            tracks.push_back(std::move(track));
        }
        QVERIFY(cluster.advance(1ms));
        for (int round = 0; round < 12; ++round) {
            for (auto& e : cluster.electors()) {
                if (!e->isLeader())
                    continue;
                e->stop();
                e->start();
                break;
            }
            QVERIFY(cluster.advance(4s));
        }
        for (auto& e : cluster.electors())
            e->stop();
        int terms = 0;
        for (auto& t : tracks) {
            QVERIFY(!t->overlapped);
            std::lock_guard guard(t->mutex);
            for (std::size_t k = 0; k < t->sequence.size(); ++k)
                QCOMPARE(t->sequence[k], k % 2 == 0 ? 'E' : 'R');
            terms += static_cast<int>(t->sequence.size() + 1) / 2;
        }
        QVERIFY(terms >= 12);
    }

    // On stop(), onRevoked runs and returns while the lock is still held; only then is it
    // released (the release notice comes after onRevoked returned).
    void revokedReturnsBeforeRelease() {
        Cluster cluster;
        std::atomic<bool> heldDuringRevoke{false};
        std::atomic<bool> revokeReturned{false};
        std::atomic<bool> noticeAfterReturn{false};
        std::atomic<int> notices{0};
        auto c = Cluster::config("node-0");
        c.onRevoked = [&] {
            const auto held = cluster.store.inspect("job-scheduler");
            heldDuringRevoke = held && held->identity == "node-0";
            revokeReturned = true;
        };
        Election& e = cluster.add(c);
        auto sub = cluster.store.subscribe("job-scheduler", [&](const Notice& n) {
            if (n.kind == Notice::Kind::Released) {
                noticeAfterReturn = revokeReturned.load();
                ++notices;
            }
        });
        e.start();
        QVERIFY(cluster.advance(1ms));
        QVERIFY(e.isLeader());
        e.stop();
        QVERIFY(!e.isLeader());
        QVERIFY(heldDuringRevoke);
        QCOMPARE(notices.load(), 1);
        QVERIFY(noticeAfterReturn);
        QVERIFY(!cluster.store.inspect("job-scheduler"));
        QCOMPARE(cluster.events(EventType::Stopped).size(), std::size_t(1));
    }

    // stop() called inside onElected returns; the election then winds down on its own.
    void stopInsideOnElectedReturns() {
        Cluster cluster;
        Election* self = nullptr;
        std::atomic<bool> returned{false};
        auto c = Cluster::config("node-0");
        c.onElected = [&] {
            self->stop();
            returned = true;
        };
        self = &cluster.add(c);
        self->start();
        QTRY_VERIFY(returned.load());
        QTRY_VERIFY(!self->running());
        QVERIFY(!self->isLeader());
        QCOMPARE(cluster.events(EventType::Revoked).size(), std::size_t(1));
        QCOMPARE(cluster.events(EventType::Revoked).front().event.reason, RevokeReason::Stopped);
        QCOMPARE(cluster.events(EventType::Stopped).size(), std::size_t(1));
        QVERIFY(!cluster.store.inspect("job-scheduler"));
    }

    // stop() twice, and stop() before start(), are harmless.
    void stopTwiceIsHarmless() {
        Cluster cluster;
        std::atomic<int> revoked{0};
        auto c = Cluster::config("node-0");
        c.onRevoked = [&] { ++revoked; };
        Election& e = cluster.add(c);
        e.stop();
        e.start();
        QVERIFY(cluster.advance(1ms));
        QVERIFY(e.isLeader());
        e.stop();
        e.stop();
        QCOMPARE(revoked.load(), 1);
        QCOMPARE(cluster.events(EventType::Stopped).size(), std::size_t(1));
        QVERIFY(!e.running());
    }

    // Every new term's fence is greater than all before it, whoever wins it.
    void fencesStrictlyIncreaseAcrossTerms() {
        Cluster cluster;
        for (int i = 0; i < 3; ++i)
            cluster.add("node-" + std::to_string(i)).start();
        QVERIFY(cluster.advance(1ms));
        for (int round = 0; round < 10; ++round) {
            for (auto& e : cluster.electors()) {
                if (e->isLeader()) {
                    round % 2 ? ElectionFaults::kill(*e) : e->stop();
                    e->start();
                    break;
                }
            }
            QVERIFY(cluster.advance(4s));
        }
        const auto elected = cluster.events(EventType::Elected);
        QVERIFY(elected.size() >= 11);
        for (std::size_t i = 1; i < elected.size(); ++i)
            QVERIFY2(elected[i].event.fence > elected[i - 1].event.fence,
                     qPrintable(QStringLiteral("fence %1 after %2")
                                    .arg(elected[i].event.fence)
                                    .arg(elected[i - 1].event.fence)));
        for (auto& e : cluster.electors())
            if (e->isLeader())
                QCOMPARE(e->fence(), elected.back().event.fence);
    }

    // pause() freezes the run loop as a GC pause would: isLeader() still ends at the deadline,
    // a follower takes over after the lock expires, and the paused one revokes ("expired")
    // only when it wakes. stop() ends a pause.
    void pauseFreezesTheLoopLikeAGcPause() {
        Cluster cluster;
        Election& a = cluster.add("node-0");
        a.start();
        QVERIFY(cluster.advance(1ms));
        Election& b = cluster.add("node-1");
        b.start();
        QVERIFY(cluster.advance(1ms));
        QVERIFY(a.isLeader());
        const TimePoint deadline = a.deadline();
        const TimePoint pausedAt = cluster.clock.now();
        ElectionFaults::pause(a, 5s);
        QVERIFY(cluster.advanceTo(deadline));
        QVERIFY(!a.isLeader());
        QVERIFY(cluster.events(EventType::Revoked).empty()); // frozen: no revocation yet
        QVERIFY(cluster.advanceTo(pausedAt + 4s));
        QVERIFY(b.isLeader());
        QVERIFY(cluster.advanceTo(pausedAt + 5s + 1ms));
        const auto revoked = cluster.events(EventType::Revoked);
        QCOMPARE(revoked.size(), std::size_t(1));
        QCOMPARE(revoked.front().identity, std::string("node-0"));
        QCOMPARE(revoked.front().event.reason, RevokeReason::Expired);
        QCOMPARE(revoked.front().event.at, pausedAt + 5s);
        QVERIFY(revoked.front().event.at > cluster.events(EventType::Elected).back().event.at);
        ElectionFaults::pause(b, 1h);
        b.stop(); // returns at once: stop() ends the pause
        QVERIFY(!b.running());
        QCOMPARE(cluster.events(EventType::Revoked).back().event.reason, RevokeReason::Stopped);
    }

    // A live change of ttl and refresh interval takes effect at the next extend.
    void liveTimingChangeTakesEffectAtNextExtend() {
        Cluster cluster;
        Election& e = cluster.add(Cluster::config("node-0", 3s, 1s, 1s));
        e.start();
        QVERIFY(cluster.advance(1ms));
        const TimePoint t0 = cluster.clock.now() - 1ms; // acquired at t0
        QVERIFY(e.isLeader());
        QVERIFY(cluster.advanceTo(t0 + 500ms));
        e.setTiming({10s, 2s, 1s});
        QCOMPARE(cluster.store.inspect("job-scheduler")->remaining, Duration(2500ms)); // not yet
        QVERIFY(cluster.advanceTo(t0 + 1s)); // the next extend, on the old schedule
        QCOMPARE(cluster.store.inspect("job-scheduler")->remaining, Duration(10s));
        QCOMPARE(e.deadline(), t0 + 1s + Duration(9900ms) - Duration(1ms));
        // The next extend comes 2 s later, not 1 s.
        QVERIFY(cluster.advanceTo(t0 + 2900ms));
        QCOMPARE(cluster.store.inspect("job-scheduler")->remaining, Duration(8100ms));
        QVERIFY(cluster.advanceTo(t0 + 3s));
        QCOMPARE(cluster.store.inspect("job-scheduler")->remaining, Duration(10s));
        // A bad change is refused and changes nothing.
        QVERIFY_THROWS_EXCEPTION(ConfigError, e.setTiming({1s, 1s, 1s}));
        QCOMPARE(e.timing().ttl, Duration(10s));
    }
};

QTEST_GUILESS_MAIN(TestElection)
#include "test_election.moc"
