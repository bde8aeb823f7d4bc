// MemoryStore and Locker: the atomic primitives, tokens, fences, and real-thread contention.

#include <baton/store/locker.h>
#include <baton/store/memory_store.h>

#include <QTest>

#include <atomic>
#include <set>
#include <thread>

using namespace baton;
using namespace std::chrono_literals;

class TestMemoryStore : public QObject {
    Q_OBJECT

private slots:
    void acquireIssuesFenceOrReportsHolder() {
        ManualClock clock;
        MemoryStore store(clock);
        auto first = store.acquire("r", "t1", "alice", 5s);
        QVERIFY(first.acquired);
        QCOMPARE(first.fence, std::uint64_t(1));
        clock.advance(2s);
        auto second = store.acquire("r", "t2", "bob", 5s);
        QVERIFY(!second.acquired);
        QCOMPARE(second.holder.identity, std::string("alice"));
        QCOMPARE(second.holder.fence, std::uint64_t(1));
        QCOMPARE(second.holder.remaining, Duration(3s));
        // Expiry is exact on the store's clock: held until the instant before, free at it.
        clock.advance(3s - 1ns);
        QVERIFY(!store.acquire("r", "t2", "bob", 5s).acquired);
        clock.advance(1ns);
        QVERIFY(!store.inspect("r"));
        auto third = store.acquire("r", "t2", "bob", 5s);
        QVERIFY(third.acquired);
        QCOMPARE(third.fence, std::uint64_t(2));
        // Another resource has its own lock and its own fences.
        QCOMPARE(store.acquire("other", "t3", "carol", 5s).fence, std::uint64_t(1));
    }

    // Extend and release with a foreign token fail and leave the holder alone.
    void foreignTokenCannotExtendOrRelease() {
        ManualClock clock;
        MemoryStore store(clock);
        Locker locker(store);
        auto mine = locker.tryLock("r", "alice", 5s);
        QVERIFY(mine.lease);
        Lease forged = *mine.lease;
        forged.token = Locker::randomToken();
        clock.advance(1s);
        QVERIFY(!locker.refresh(forged, 60s));
        QVERIFY(!locker.unlock(forged));
        auto held = store.inspect("r");
        QVERIFY(held);
        QCOMPARE(held->identity, std::string("alice"));
        QCOMPARE(held->remaining, Duration(4s));
        QVERIFY(locker.refresh(*mine.lease, 5s));
        QCOMPARE(store.inspect("r")->remaining, Duration(5s));
        QVERIFY(locker.unlock(*mine.lease));
        QVERIFY(!locker.unlock(*mine.lease)); // only once
        QVERIFY(!store.inspect("r"));
    }

    // Acquiring again with the holder's own token takes it up: same fence, TTL reset.
    void acquireWithTheHoldersTokenIsARetry() {
        ManualClock clock;
        MemoryStore store(clock);
        const auto first = store.acquire("r", "tok", "alice", 5s);
        clock.advance(3s);
        const auto again = store.acquire("r", "tok", "alice", 5s);
        QVERIFY(again.acquired);
        QCOMPARE(again.fence, first.fence);
        QCOMPARE(store.inspect("r")->remaining, Duration(5s));
        QVERIFY(!store.acquire("r", "other", "bob", 5s).acquired);
    }

    void expiredLockCannotBeExtended() {
        ManualClock clock;
        MemoryStore store(clock);
        Locker locker(store);
        auto mine = locker.tryLock("r", "alice", 1s);
        clock.advance(1s);
        QVERIFY(!locker.refresh(*mine.lease, 5s));
    }

    void tokensAreRandomAndNeverRepeat() {
        std::set<std::string> seen;
        for (int i = 0; i < 100000; ++i) {
            const std::string t = Locker::randomToken();
            QCOMPARE(t.size(), std::size_t(32));
            QVERIFY(t.find_first_not_of("0123456789abcdef") == std::string::npos);
            QVERIFY(seen.insert(t).second);
        }
    }

    void releaseNotifiesSubscribersOfThatResourceOnly() {
        MemoryStore store;
        std::vector<Notice> got;
        auto sub = store.subscribe("r", [&](const Notice& n) { got.push_back(n); });
        auto lease = store.acquire("r", "t", "alice", 5s);
        store.acquire("x", "t", "bob", 5s);
        QVERIFY(store.release("x", "t"));
        QVERIFY(!store.release("r", "wrong"));
        QVERIFY(got.empty());
        QVERIFY(store.release("r", "t"));
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(got[0].kind, Notice::Kind::Released);
        QCOMPARE(got[0].identity, std::string("alice"));
        QCOMPARE(got[0].fence, lease.fence);
        store.publish("r", "hello");
        QCOMPARE(got.size(), std::size_t(2));
        QCOMPARE(got[1].payload, std::string("hello"));
        sub.reset();
        store.publish("r", "again");
        QCOMPARE(got.size(), std::size_t(2));
    }

    void plainValuesExpire() {
        ManualClock clock;
        MemoryStore store(clock);
        store.set("k", "v", 2s);
        store.set("forever", "v", 0s);
        QCOMPARE(store.get("k").value_or(""), std::string("v"));
        clock.advance(2s);
        QVERIFY(!store.get("k"));
        QVERIFY(store.get("forever"));
        QVERIFY(store.del("forever"));
        QVERIFY(!store.del("forever"));
        QVERIFY_THROWS_EXCEPTION(StoreError, store.set("k", "v", -1s));
        QVERIFY_THROWS_EXCEPTION(StoreError, store.acquire("r", "t", "i", 0s));
    }

    // Given several real threads hammering one store, then no two ever hold the lock at once
    // and every new term's fence is greater than the last. Bounded by count and by time.
    void threadsNeverSeeTwoHolders() {
        MemoryStore store; // steady clock; the TTL is far longer than the test
        Locker locker(store);
        std::atomic<int> holders{0};
        std::atomic<bool> violation{false};
        std::atomic<std::uint64_t> lastFence{0};
        std::atomic<bool> fenceOrder{true};
        std::atomic<long> terms{0};
        const auto until = std::chrono::steady_clock::now() + 2s;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                const std::string id = "thread-" + std::to_string(t);
                for (int i = 0; i < 20000 && std::chrono::steady_clock::now() < until; ++i) {
                    auto attempt = locker.tryLock("hot", id, 60s);
                    if (!attempt.lease)
                        continue;
                    if (holders.fetch_add(1) != 0)
                        violation = true;
                    if (attempt.lease->fence <= lastFence.load())
                        fenceOrder = false;
                    lastFence = attempt.lease->fence;
                    const auto held = store.inspect("hot");
                    if (!held || held->identity != id)
                        violation = true;
                    if (!locker.refresh(*attempt.lease, 60s))
                        violation = true;
                    ++terms;
                    holders.fetch_sub(1);
                    if (!locker.unlock(*attempt.lease))
                        violation = true;
                }
            });
        }
        for (auto& th : threads)
            th.join();
        QVERIFY(!violation);
        QVERIFY(fenceOrder);
        QVERIFY(terms.load() > 100);
        QCOMPARE(lastFence.load(), static_cast<std::uint64_t>(terms.load()));
    }
};

QTEST_APPLESS_MAIN(TestMemoryStore)
#include "test_memory_store.moc"
