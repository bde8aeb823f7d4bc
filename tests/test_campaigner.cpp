// The shared runtime (Campaigner) on a ManualClock: many elections on one scheduler thread and
// one I/O thread, real threads, no sleeps; time moves only when a test moves it.

#include "support/gated_store.h"

#include <baton/election/campaigner.h>
#include <baton/store/memory_store.h>

#include <QTest>

#include <atomic>
#include <map>

using namespace baton;
using namespace std::chrono_literals;
using baton::test::GatedStore;

namespace {

// What one election's callbacks did: their order, and whether two ever overlapped.
struct Trace {
    std::mutex mutex;
    std::string order; // 'E' elected, 'R' revoked
    std::atomic<int> inside{0};
    std::atomic<bool> overlapped{false};
    void note(char c) {
        if (++inside > 1)
            overlapped = true;
        {
            std::lock_guard guard(mutex);
            order += c;
        }
        --inside;
    }
    std::string text() {
        std::lock_guard guard(mutex);
        return order;
    }
};

Config config(const std::string& resource, const std::string& id, Trace& trace) {
    Config c;
    c.resource = resource;
    c.identity = id;
    c.timing = {3s, 1s, 3s};
    c.onElected = [&trace] { trace.note('E'); };
    c.onRevoked = [&trace] { trace.note('R'); };
    return c;
}

bool alternates(const std::string& order) {
    for (std::size_t i = 0; i < order.size(); ++i)
        if (order[i] != (i % 2 == 0 ? 'E' : 'R'))
            return false;
    return true;
}

} // namespace

class TestCampaigner : public QObject {
    Q_OBJECT

private slots:
    // Given 200 elections (100 resources, two candidates each) on one runtime, when they
    // settle, then each resource has exactly one leader; when every leader stops, the other
    // takes over at once (the notice); every election's callbacks alternate strictly and never
    // overlap, and isLeader() turns false exactly at a hung leader's deadline.
    void twoHundredElections() {
        ManualClock clock;
        MemoryStore memory(clock);
        Locker locker(memory);
        Campaigner runtime(locker, clock);
        constexpr int kResources = 100;
        std::vector<Trace> traces(2 * kResources);
        std::vector<std::unique_ptr<Campaign>> campaigns;
        for (int i = 0; i < 2 * kResources; ++i)
            campaigns.push_back(runtime.add(config("shard-" + std::to_string(i / 2),
                                                   "node-" + std::to_string(i % 2), traces[i])));
        for (auto& c : campaigns)
            c->start();
        QTRY_VERIFY(runtime.idle());
        auto leaders = [&] {
            std::map<std::string, int> n;
            for (auto& c : campaigns)
                n[c->resource()] += c->isLeader() ? 1 : 0;
            return n;
        };
        for (const auto& [resource, n] : leaders())
            QCOMPARE(n, 1);
        for (int round = 0; round < 5; ++round) { // extends, on time
            clock.advance(1s);
            QTRY_VERIFY(runtime.idle());
        }
        for (const auto& [resource, n] : leaders())
            QCOMPARE(n, 1);
        std::vector<int> stopped;
        for (int i = 0; i < 2 * kResources; ++i)
            if (campaigns[i]->isLeader())
                stopped.push_back(i);
        QCOMPARE(stopped.size(), std::size_t(kResources));
        for (const int i : stopped) {
            campaigns[i]->stop();
            QVERIFY(!campaigns[i]->isLeader());
        }
        QTRY_VERIFY(runtime.idle()); // no time passed: the release notices did it
        for (const int i : stopped)
            QVERIFY(campaigns[i ^ 1]->isLeader());
        for (int i = 0; i < 2 * kResources; ++i) {
            const std::string order = traces[i].text();
            QVERIFY2(alternates(order), order.c_str());
            QVERIFY(!traces[i].overlapped);
        }
        QCOMPARE(traces[stopped.front()].text(), std::string("ER"));
        QCOMPARE(traces[stopped.front() ^ 1].text(), std::string("E"));
        QVERIFY(runtime.calls() > 0 && runtime.batches() <= runtime.calls());
    }

    // Given a follower with a notice delay of 500 ms (a sharded agent at its share), when the
    // leader releases, then it tries 500 ms later, not at once and not at its 3 s retry; with
    // no delay, the other one takes a release at once.
    void aNoticeDelayPostponesTheTry() {
        ManualClock clock;
        MemoryStore memory(clock);
        Locker locker(memory);
        Campaigner runtime(locker, clock);
        Trace ta, tb;
        auto a = runtime.add(config("jobs", "a", ta));
        auto b = runtime.add(config("jobs", "b", tb));
        a->start();
        QTRY_VERIFY(a->isLeader());
        b->start();
        QTRY_VERIFY(runtime.idle());
        QCOMPARE(b->noticeDelay(), Duration::zero());
        b->setNoticeDelay(500ms);
        QCOMPARE(b->noticeDelay(), Duration(500ms));
        a->stop();
        QTRY_VERIFY(runtime.idle());
        QVERIFY(!b->isLeader()); // no time passed: the notice waits
        QCOMPARE(runtime.nextWake(), clock.now() + 500ms);
        clock.advance(499ms);
        QTRY_VERIFY(runtime.idle());
        QVERIFY(!b->isLeader());
        clock.advance(1ms);
        QTRY_VERIFY(b->isLeader()); // at the delayed notice, long before its retry
        a->start();                 // a: no delay (the default)
        QTRY_VERIFY(runtime.idle());
        b->stop();
        QTRY_VERIFY(runtime.idle());
        QVERIFY(a->isLeader()); // at once, on the notice
        QCOMPARE(tb.text(), std::string("ER"));
        // A delay for releases by others only: a's release is heard at once.
        b->start();
        QTRY_VERIFY(runtime.idle());
        b->setNoticeDelay(500ms, std::make_shared<const std::vector<std::string>>(
                                     std::vector<std::string>{"someone-else"}));
        a->stop();
        QTRY_VERIFY(runtime.idle());
        QVERIFY(b->isLeader()); // no time passed
    }

    // Given 20 leaders on one runtime whose shared store hangs on every extend, then each one's
    // isLeader() is true until the instant before its deadline and false at it, and every one
    // revokes at its deadline: the scheduler never waits for the hung call.
    void aHungStoreRevokesEveryLeaderAtItsDeadline() {
        ManualClock clock;
        MemoryStore memory(clock);
        GatedStore store(memory);
        Locker locker(store);
        Campaigner runtime(locker, clock);
        std::vector<Trace> traces(20);
        std::vector<std::unique_ptr<Campaign>> campaigns;
        for (int i = 0; i < 20; ++i) {
            campaigns.push_back(runtime.add(config("r" + std::to_string(i), "a", traces[i])));
            campaigns.back()->start();
        }
        const struct Opener {
            GatedStore& store;
            ~Opener() { store.open(); } // a failed check must not leave the stops hanging
        } opener{store};
        QTRY_VERIFY(runtime.idle());
        TimePoint last{};
        for (auto& c : campaigns) {
            QVERIFY(c->isLeader());
            last = std::max(last, c->deadline());
        }
        store.hangExtends = true;
        clock.advance(1s); // the first extend hangs, and the I/O thread with it
        QTRY_COMPARE(store.hanging.load(), 1);
        for (auto& c : campaigns) {
            if (clock.now() < c->deadline()) { // deadlines that are equal are checked once
                clock.advanceTo(c->deadline() - 1ns);
                QVERIFY(c->isLeader());
            }
            clock.advanceTo(c->deadline());
            QVERIFY(!c->isLeader()); // at once, lock-free, while the call hangs
        }
        clock.advanceTo(last);
        for (auto& t : traces)
            QTRY_COMPARE(t.text(), std::string("ER"));
        QCOMPARE(store.hanging.load(), 1);
        store.open();
        QTRY_COMPARE(store.hanging.load(), 0);
        for (auto& c : campaigns)
            c->stop();
    }

    // Given a campaign that stops itself from its own onElected, then nothing deadlocks and the
    // stop completes (revoked, released) on the scheduler thread.
    void stopFromACallback() {
        ManualClock clock;
        MemoryStore memory(clock);
        Locker locker(memory);
        Campaigner runtime(locker, clock);
        Trace trace;
        Config c = config("self", "a", trace);
        std::unique_ptr<Campaign> campaign;
        c.onElected = [&] {
            trace.note('E');
            campaign->stop();
        };
        campaign = runtime.add(c);
        campaign->start();
        QTRY_VERIFY(!campaign->running());
        QCOMPARE(trace.text(), std::string("ER"));
        QVERIFY(!memory.inspect("self"));
    }
};

QTEST_GUILESS_MAIN(TestCampaigner)
#include "test_campaigner.moc"
