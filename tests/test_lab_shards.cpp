// The lab's Shards view in a real window, on a redis-server of the test's own: real
// baton-agent --shards processes (started by the test, and by the lab's own Redis > Start
// sharded agents), one SIGKILLed, and the grid following the takeover.

#include "support/agent_process.h"
#include "support/lab_test_case.h"
#include "support/redis_server.h"

#include "resources/resource_model.h"
#include "resources/resources_pane.h"
#include "shards/shard_grid_model.h"
#include "shards/shards_pane.h"
#include "windows/main_window.h"

#include <QDockWidget>
#include <QTest>

#include <map>
#include <memory>

using namespace baton;
using namespace baton::lab;
using namespace baton::test;
using namespace Qt::StringLiterals;

namespace {

const QStringList kTimings{u"--ttl"_s, u"1s"_s, u"--refresh"_s, u"200ms"_s, u"--retry"_s, u"1s"_s};

// "" when the grid shows `shards` rows, each led by exactly one of `members` (all live, no
// other column) and each of them leading `each` (any number when negative); else what differs.
QString gridIs(const ShardGridModel& g, const QStringList& members, int shards, int each) {
    if (g.rowCount() != shards)
        return u"%1 rows, not %2"_s.arg(g.rowCount()).arg(shards);
    QStringList columns;
    for (int c = 0; c < g.columnCount(); ++c)
        columns << QString::fromStdString(g.member(c).id) + (g.member(c).live ? u""_s : u"?"_s);
    if (columns != members)
        return u"members %1, not %2"_s.arg(columns.join(u','), members.join(u','));
    for (int r = 0; r < g.rowCount(); ++r) {
        int leaders = 0;
        for (int c = 0; c < g.columnCount(); ++c)
            leaders += g.index(r, c).data(ShardGridModel::LeadsRole).toBool();
        if (leaders != 1)
            return u"shard %1 has %2 leaders"_s.arg(r).arg(leaders);
    }
    for (int c = 0; c < g.columnCount(); ++c)
        if (each >= 0 && g.member(c).led != each)
            return u"%1 leads %2, not %3"_s.arg(columns[c]).arg(g.member(c).led).arg(each);
    return {};
}

} // namespace

class TestLabShards : public baton::test::LabTestCase {
    Q_OBJECT

    RedisServer m_redis;
    std::vector<std::unique_ptr<AgentProcess>> m_agents;

    std::unique_ptr<MainWindow> window() {
        MainWindow::Options o;
        o.agentPath = QStringLiteral(BATON_AGENT_PATH);
        o.redisUrl = QString::fromStdString(m_redis.url());
        o.agents = 0; // the list only: the agents are the test's
        auto w = std::make_unique<MainWindow>(o);
        w->show();
        return w;
    }

private Q_SLOTS:
    void init() { QVERIFY2(m_redis.start(), qPrintable(m_redis.error())); }
    void cleanup() {
        m_agents.clear();
        m_redis.stop();
    }

    // Given 3 agents with --shards 6 (fair share) and the lab watching the list, then the
    // Shards view appears by itself with 6 rows, one holder each, 2 per member; when one agent
    // is SIGKILLed, the grid shows the other two holding its shards (3 each) and it is gone.
    void threeAgentsSixShardsThenAKill() {
        for (const QString& id : {u"node-a"_s, u"node-b"_s, u"node-c"_s})
            launchAgent(m_agents, id, m_redis.url(), QStringList{u"--shards"_s, u"6"_s} + kTimings);
        auto w = window();
        const ShardGridModel& g = *w->shardsPane()->model();
        QTRY_COMPARE_WITH_TIMEOUT(gridIs(g, {u"node-a"_s, u"node-b"_s, u"node-c"_s}, 6, 2),
                                  QString(), 15000);
        auto* dock = w->findChild<QDockWidget*>(u"shardsDock"_s);
        QVERIFY(dock && dock->isVisible());
        QCOMPARE(w->shardsPane()->family(), u"jobs"_s);
        QCOMPARE(
            w->shardsPane()->summary(),
            u"jobs: 6 shards · 3 live members · fair share 2 (ceil 6 / 3) · every shard led"_s);
        // The family's presence row is no resource without a leader.
        ResourceModel* list = w->resourcesPane()->model();
        QCOMPARE(list->index(list->rowOf(u"jobs"_s), ResourceModel::State).data().toString(),
                 u"shard family"_s);
        // (Shards may be flagged as flapping: fair share hands them round while agents join.)
        for (const QString& alert : list->alerts())
            QVERIFY2(!alert.startsWith(u"jobs:"_s), qPrintable(alert));

        m_agents[2]->signal(SIGKILL);
        QVERIFY(m_agents[2]->process().waitForFinished(5000));
        QTRY_COMPARE_WITH_TIMEOUT(gridIs(g, {u"node-a"_s, u"node-b"_s}, 6, 3), QString(), 15000);
        QCOMPARE(g.columnOf(u"node-c"_s), -1);
        QVERIFY(g.headerData(0, Qt::Horizontal).toString().endsWith(u"3 / share 3"_s));
        // A shard's leader has no entry of its own (it is on the family): the status bar names
        // the store's holder instead of saying there is no leader.
        w->openResource(u"jobs-0"_s);
        QTRY_VERIFY2_WITH_TIMEOUT(w->statusText().contains(u"held by node-"_s),
                                  qPrintable(w->statusText()), 5000);
        // Opening the family from the list shows its grid; it opens no election named "jobs".
        w->openResource(u"jobs"_s);
        QVERIFY(!w->controller().sessions().contains(u"jobs"_s));
        QVERIFY(dock->isVisible());
    }

    // Given the lab's own Redis > Start sharded agents (2 agents, --shards 4), then the grid
    // shows them 2 and 2; a SIGKILL from the lab leaves the other leading all 4; closing the
    // lab stops the last one (its own presence entry removed on the way out).
    void theLabStartsAShardedGroup() {
        auto w = window();
        ShardAgents::Plan plan;
        plan.family = u"lab"_s;
        plan.agents = 2;
        plan.shards = 4;
        plan.extraArgs = kTimings;
        const QStringList ids = w->startShardAgents(plan);
        QCOMPARE(ids, (QStringList{u"lab-agent-a"_s, u"lab-agent-b"_s}));
        const ShardGridModel& g = *w->shardsPane()->model();
        QTRY_COMPARE_WITH_TIMEOUT(gridIs(g, ids, 4, 2), QString(), 15000);
        QVERIFY(w->shardAgents()->signal(ids[1], SIGKILL));
        QTRY_COMPARE_WITH_TIMEOUT(gridIs(g, {ids[0]}, 4, 4), QString(), 15000);
        QCOMPARE(w->shardAgents()->running(), QStringList{ids[0]});
        w.reset();
        // The survivor's entry goes with it; the SIGKILLed one's lapses by itself (pruned by
        // the next writer, so it may still be there).
        QCOMPARE(m_redis.cli({u"HEXISTS"_s, u"baton:{lab}:members"_s, ids[0]}).trimmed(), u"0"_s);
    }

    // Given baton --redis URL --agents 2 --shards 3 --resource cli, then the lab starts two
    // sharded agents on "cli", opens no election, and the grid shows 3 shards led by them.
    void theShardsOptionStartsShardedAgents() {
        MainWindow::Options o;
        o.agentPath = QStringLiteral(BATON_AGENT_PATH);
        o.redisUrl = QString::fromStdString(m_redis.url());
        o.agents = 2;
        o.shards = 3;
        o.resource = u"cli"_s;
        MainWindow w(o);
        w.show();
        QCOMPARE(w.shardAgents()->running(), (QStringList{u"cli-agent-a"_s, u"cli-agent-b"_s}));
        QVERIFY(w.controller().sessions().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(
            gridIs(*w.shardsPane()->model(), {u"cli-agent-a"_s, u"cli-agent-b"_s}, 3, -1),
            QString(), 15000);
        QCOMPARE(w.shardsPane()->family(), u"cli"_s);
    }
};

QTEST_MAIN(TestLabShards)
#include "test_lab_shards.moc"
