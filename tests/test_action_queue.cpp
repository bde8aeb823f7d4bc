// The simulator's event queue against a plain ordered set: whatever the mix of delays (a
// second's retries, millisecond calls whose latencies cross, bursts at one instant, a schedule
// made in advance, delays beyond the wheel's reach, a look at the next action before one is
// scheduled ahead of it), actions come out in (time, order of scheduling) order, and a popped
// action put back (repush) is ordered as a new one. Each comes out with the kind it had when it
// was queued.

#include "action_queue.h"

#include <baton/sim/random.h>

#include <QTest>

#include <set>
#include <tuple>

using namespace baton;
using namespace baton::sim_detail;
using namespace std::chrono_literals;

namespace {
// A kind for action `id`: every kind in turn.
ActionKind kindOf(std::uint64_t id) {
    return static_cast<ActionKind>(id % kActionKinds);
}
} // namespace

class TestActionQueue : public QObject {
    Q_OBJECT

private slots:
    void popsInTimeThenSchedulingOrder_data() {
        QTest::addColumn<std::uint64_t>("seed");
        for (std::uint64_t seed = 1; seed <= 8; ++seed)
            QTest::newRow(qPrintable(QStringLiteral("seed %1").arg(seed))) << seed;
    }
    void popsInTimeThenSchedulingOrder() {
        QFETCH(std::uint64_t, seed);
        Random random(seed);
        ActionQueue queue;
        // (time, order of scheduling, id): what the queue must give back, in this order.
        std::set<std::tuple<TimePoint, std::uint64_t, std::uint64_t>> expected;
        std::uint64_t order = 0, ids = 0;
        TimePoint now = TimePoint{} + 1h;
        const auto delay = [&random]() -> Duration {
            switch (random.below(5)) {
            case 0: // a follower's retry
                return 1s + random.between(Duration(0), 3ms);
            case 1: // a call: a millisecond and up to a quarter more, crossing others
            case 2:
                return 1ms + random.between(Duration(0), 250us);
            case 3: // the same instant
                return Duration(0);
            default: // anything up to a minute
                return random.between(Duration(0), 60s);
            }
        };
        // The schedule known in advance: in time order, as the simulator's setup makes it.
        TimePoint sortedAt = now;
        for (int i = 0; i < 50; ++i) {
            sortedAt += random.between(Duration(0), 10s);
            ++ids;
            queue.push(sortedAt, kindOf(ids)).token = ids;
            expected.emplace(sortedAt, order++, ids);
        }
        for (int step = 0; step < 20000; ++step) {
            if (expected.empty() || random.below(100) < 52) {
                // A burst now and then: many calls at once.
                const int n = random.below(50) == 0 ? 40 : 1;
                // A look at the next one first, as the simulator's run does before it stops at
                // a time (and the lab then strikes a fault that schedules before it).
                if (!expected.empty() && random.below(4) == 0)
                    QCOMPARE(queue.nextAt(), std::get<0>(*expected.begin()));
                for (int k = 0; k < n; ++k) {
                    const TimePoint at = now + delay();
                    ++ids;
                    queue.push(at, kindOf(ids)).token = ids;
                    expected.emplace(at, order++, ids);
                }
                continue;
            }
            QVERIFY(!queue.empty());
            const auto [at, o, id] = *expected.begin();
            QCOMPARE(queue.nextAt(), at);
            TimePoint popped;
            ActionKind kind;
            const std::uint32_t slot = queue.pop(popped, kind);
            QCOMPARE(popped, at);
            QCOMPARE(queue.action(slot).token, id);
            QCOMPARE(kind, kindOf(id));
            expected.erase(expected.begin());
            now = popped;
            if (random.below(3) == 0) { // the call's arrival becomes its reply
                const TimePoint back = now + delay();
                ++ids;
                queue.action(slot).kind = kindOf(ids); // as an arrival becomes a reply
                queue.repush(slot, back);
                queue.action(slot).token = ids;
                expected.emplace(back, order++, ids);
            } else {
                queue.release(slot);
            }
        }
        while (!expected.empty()) {
            const auto [at, o, id] = *expected.begin();
            TimePoint popped;
            ActionKind kind;
            const std::uint32_t slot = queue.pop(popped, kind);
            QCOMPARE(popped, at);
            QCOMPARE(queue.action(slot).token, id);
            QCOMPARE(kind, kindOf(id));
            queue.release(slot);
            expected.erase(expected.begin());
        }
        QVERIFY(queue.empty());
    }
};

QTEST_APPLESS_MAIN(TestActionQueue)
#include "test_action_queue.moc"
