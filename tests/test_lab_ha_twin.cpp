// "Compare with --min-replicas 1" on the lab's private Sentinel setup: a twin resource whose
// agents wait for the replica (WAIT 1), in a second tab, lives through the same primary kill as
// the first resource's agents. Real redis-server and redis-sentinel processes, real agents.

#include "backend/local_redis_ha.h"
#include "cluster/topology_strip.h"
#include "resources/session_tabs.h"
#include "stats/failover_stats.h"
#include "support/lab_events.h"
#include "support/lab_ha.h"
#include "support/lab_test_case.h"
#include "windows/main_window.h"

#include <QAction>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace baton::test;

namespace {

// Shows session `key` (as its tab would) and returns its newest snapshot.
const ClusterSnapshot& shown(MainWindow& w, const QString& key) {
    w.controller().showSession(key);
    return w.controller().snapshot();
}

int leaders(const ClusterSnapshot& s) {
    int n = 0;
    for (const ElectorView& e : s.electors)
        n += e.believesLeader && e.state == ElectorState::Leader ? 1 : 0;
    return n;
}

struct Term {
    QString identity;
    quint64 fence = 0;
};

// The one leader of `s` whose lease began after `since`, or nothing.
std::optional<Term> leaderSince(const ClusterSnapshot& s, LabTime since) {
    const int i = lab_events::leaderOf(s, true);
    if (i < 0 || leaders(s) != 1 || s.electors[i].leaseStart <= since)
        return std::nullopt;
    return Term{s.electors[i].identity, s.electors[i].fence};
}

} // namespace

class TestLabHaTwin : public LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    // Given the lab on --local-redis-ha with three agents on job-scheduler, when "Compare with
    // --min-replicas 1" opens the twin and the primary is killed, then the first tab has a
    // leader again on the promoted replica; the twin, whose agents wait for a replica, has one
    // again once the killed node is back as a replica; its fences never go back, and no two of
    // its agents led at once.
    void waitTwinLivesThroughAPrimaryKill() {
        MainWindow w(labOnLocalHa());
        w.show();
        QTRY_VERIFY_WITH_TIMEOUT(w.localRedisHa() && w.localRedisHa()->isReady(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(primaries(w.topologyStrip()->lines()), 1, 10000);
        const QString base = MainWindow::demoResource();
        const QString twin = base + u"-wait"_qs;
        QTRY_VERIFY_WITH_TIMEOUT(lab_events::leaderOf(w.controller().snapshot(), true) >= 0, 20000);

        QAction* compare = w.action(u"openWaitTwin"_qs);
        QVERIFY(compare->isEnabled());
        compare->trigger();
        // Then a second tab, shown, with as many agents of its own, and a leader
        QCOMPARE(w.sessionTabs()->resources(), (QStringList{base, twin}));
        QCOMPARE(w.controller().currentSession(), twin);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const ClusterSnapshot& s = shown(w, twin);
                return s.electors.size() == 3 && leaders(s) == 1;
            }(),
            20000);
        // whose processes run with --min-replicas 1, and the first tab's without
        QTRY_COMPARE_WITH_TIMEOUT(agentCommandLines(twin).size(), 3, 5000);
        for (const QStringList& args : agentCommandLines(twin)) {
            const qsizetype at = args.indexOf(u"--min-replicas"_qs);
            QVERIFY2(at >= 0 && args.value(at + 1) == u"1"_qs, qPrintable(args.join(u' ')));
        }
        QCOMPARE(agentCommandLines(base).size(), 3);
        for (const QStringList& args : agentCommandLines(base))
            QVERIFY2(!args.contains(u"--min-replicas"_qs), qPrintable(args.join(u' ')));

        QTRY_VERIFY_WITH_TIMEOUT(sentinelsCanFailOver(*w.localRedisHa()), 25000);
        const ClusterSnapshot& before = shown(w, twin);
        const ElectorView& was = before.electors[lab_events::leaderOf(before, true)];
        const Term old{was.identity, was.fence};
        QVERIFY(old.fence > 0);

        // When the primary is killed (SIGKILL, from the Redis menu)
        w.action(u"killPrimary"_qs)->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.localRedisHa()->primaryIndex(), 1, 20000);
        const LabTime promotedAt = w.controller().snapshot().now;
        // Then the first tab has a single leader again, on the new primary
        QTRY_VERIFY_WITH_TIMEOUT(leaderSince(shown(w, base), promotedAt).has_value(), 20000);
        const qsizetype baseOverlaps = w.stats()->overlapCount();
        // while the twin's WAIT 1 has no replica left to acknowledge: no lease is taken or
        // extended until the killed node is back
        const bool twinLedAlone = leaderSince(shown(w, twin), promotedAt).has_value();
        // When the killed node restarts, as a replica of the new primary
        QVERIFY(w.action(u"restartKilledNode"_qs)->isEnabled());
        w.action(u"restartKilledNode"_qs)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.topologyStrip()->lines().at(0).contains(u"up"_qs), 10000);
        // Then the twin has a single leader again, its lease taken or extended on the new
        // primary: the same term carried over (the replica had its lock, as WAIT made sure)
        // or a new one with a higher fence; never a lower one
        std::optional<Term> again;
        QTRY_VERIFY_WITH_TIMEOUT((again = leaderSince(shown(w, twin), promotedAt)).has_value(),
                                 20000);
        if (again->identity == old.identity)
            QVERIFY2(again->fence >= old.fence, qPrintable(again->identity));
        else
            QVERIFY2(again->fence > old.fence, qPrintable(again->identity));
        const qsizetype twinOverlaps = w.stats()->overlapCount();
        const qsizetype twinFenceViolations = w.stats()->fenceOrderViolations();
        qInfo("overlaps: %lld without WAIT (%s), %lld with WAIT 1 (%s); twin's term %s fence %llu "
              "-> %s fence %llu; the twin led before the restart: %s",
              static_cast<long long>(baseOverlaps), qPrintable(base),
              static_cast<long long>(twinOverlaps), qPrintable(twin), qPrintable(old.identity),
              static_cast<unsigned long long>(old.fence), qPrintable(again->identity),
              static_cast<unsigned long long>(again->fence), twinLedAlone ? "yes" : "no");
        // and with WAIT no two agents led at once, nor went a fence back
        QCOMPARE(twinOverlaps, 0);
        QCOMPARE(twinFenceViolations, 0);
        shown(w, base);
        QCOMPARE(w.stats()->fenceOrderViolations(), 0);
    }
};

QTEST_MAIN(TestLabHaTwin)
#include "test_lab_ha_twin.moc"
