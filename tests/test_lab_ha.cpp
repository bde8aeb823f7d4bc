// The lab on its own private Sentinel setup (--local-redis-ha), driven as a user would: real
// redis-server and redis-sentinel processes, real agents, the topology strip, and "Kill the
// primary" from the Redis menu.

#include "backend/local_redis_ha.h"
#include "backend/local_redis_server.h"
#include "cluster/topology_strip.h"
#include "support/lab_events.h"
#include "support/lab_ha.h"
#include "support/lab_test_case.h"
#include "support/resource_rows.h"
#include "windows/main_window.h"

#include <QAction>
#include <QMenu>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace baton::test;

class TestLabHa : public LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    // Given the lab started with --local-redis-ha and three agents, when the primary is killed
    // from the Redis menu, then the strip shows the replica promoted and the other node down,
    // and the agents have a leader again with a higher fence.
    void killingThePrimaryPromotesTheReplica() {
        MainWindow w(labOnLocalHa());
        w.show();
        QVERIFY(w.localRedisHa());
        QTRY_VERIFY_WITH_TIMEOUT(w.localRedisHa()->isReady(), 20000);
        TopologyStrip* strip = w.topologyStrip();
        QVERIFY(strip->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(primaries(strip->lines()), 1, 10000);
        QCOMPARE(strip->lines().size(), LocalRedisHa::kNodes);
        QVERIFY(!w.statusText().contains(w.localRedisHa()->server(0)->password()));
        const int before = w.localRedisHa()->primaryIndex();
        QCOMPARE(before, 0);
        // The strip's context menu holds the faults; the menu's actions are the same.
        QVERIFY(strip->actions().contains(w.action(u"killPrimary"_qs)));

        QTRY_VERIFY_WITH_TIMEOUT(lab_events::leaderOf(w.controller().snapshot(), true) >= 0, 20000);
        const ClusterSnapshot& s = w.controller().snapshot();
        const quint64 fence = s.electors[lab_events::leaderOf(s, true)].fence;
        const QString oldLeader = s.electors[lab_events::leaderOf(s, true)].identity;
        QVERIFY(fence > 0);
        QTRY_VERIFY_WITH_TIMEOUT(sentinelsCanFailOver(*w.localRedisHa()), 25000);

        QVERIFY(w.action(u"killPrimary"_qs)->isEnabled());
        w.action(u"killPrimary"_qs)->trigger();
        QTRY_VERIFY(strip->lines().at(before).contains(u"down"_qs));
        const QByteArray out = qgetenv("BATON_SCREENSHOT");
        if (!out.isEmpty()) // the lab during the kill: the old primary down, no leader yet
            QVERIFY(w.grab().save(QString::fromLocal8Bit(out)));
        QTRY_COMPARE_WITH_TIMEOUT(w.localRedisHa()->primaryIndex(), 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(strip->lines().at(1).contains(u"node B: primary, up"_qs), 5000);
        // A leader again on the new primary: a call of its answered after the promotion. Its
        // fence is higher when a new term began; the same term goes on (same leader, same fence)
        // when its lease had reached the replica before the kill. Never a lower fence.
        const LabTime promotedAt = w.controller().snapshot().now;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const ClusterSnapshot& now = w.controller().snapshot();
                const int leader = lab_events::leaderOf(now, true);
                if (leader < 0 || now.electors[leader].leaseStart <= promotedAt)
                    return false;
                const ElectorView& e = now.electors[leader];
                return e.identity == oldLeader ? e.fence >= fence : e.fence > fence;
            }(),
            20000);
        // The Resources list follows the failover too: it reads the promoted primary.
        const ClusterSnapshot& led = w.controller().snapshot();
        const QString holder = led.electors[lab_events::leaderOf(led, true)].identity;
        const ResourcesPane& pane = *w.resourcesPane();
        QTRY_VERIFY_WITH_TIMEOUT(
            shownCell(pane, w.controller().currentSession(), ResourceModel::Holder) == holder &&
                pane.problem().isEmpty(),
            15000);
        const QByteArray after = qgetenv("BATON_SCREENSHOT_AFTER");
        if (!after.isEmpty())
            QVERIFY(w.grab().save(QString::fromLocal8Bit(after)));
    }
};

QTEST_MAIN(TestLabHa)
#include "test_lab_ha.moc"
