// The agent and the lab on a Redis Cluster URL, unchanged: a private 3-primary cluster on
// loopback, two real baton-agent processes on a resource whose slot is on the second node (the
// URL names the first), a real lab window watching them through a SIGKILL of the leader, and
// the Resources list saying why it cannot list on a Cluster.

#include "support/agent_process.h"
#include "support/lab_test_case.h"
#include "support/redis_cluster.h"

#include "resources/resources_pane.h"
#include "windows/main_window.h"

#include <baton/redis/redis_store.h>

#include <QLabel>
#include <QLineEdit>
#include <QTest>

#include <csignal>

using namespace baton;
using namespace baton::lab;
using namespace baton::test;
using namespace Qt::StringLiterals;

namespace {

using Agents = std::vector<std::unique_ptr<AgentProcess>>;

quint64 fenceOf(const QJsonObject& event) {
    return event.value(u"fence"_s).toVariant().toULongLong();
}

// The agents that say they lead now: their last elected event is after their last revoked one.
QList<AgentProcess*> leaders(const Agents& agents) {
    QList<AgentProcess*> out;
    for (const auto& a : agents) {
        const auto elected = a->events(u"elected"_s);
        const auto revoked = a->events(u"revoked"_s);
        if (a->running() && !elected.isEmpty() &&
            (revoked.isEmpty() ||
             elected.last().value(u"t"_s).toDouble() > revoked.last().value(u"t"_s).toDouble()))
            out << a.get();
    }
    return out;
}

} // namespace

class TestLabCluster : public LabTestCase {
    Q_OBJECT
    RedisCluster m_cluster;
    Agents m_agents;
    QString m_resource;

    // A resource whose keys are in a slot that node `node` serves (not the URL's node 0).
    QString resourceOn(int node) {
        for (int i = 0; i < 1000; ++i) {
            const std::string name = "lab-" + std::to_string(i);
            if (m_cluster.ownerOf(RedisStore::clusterSlot(RedisStore::key(name, "lock"))) == node)
                return QString::fromStdString(name);
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(m_cluster.start(), qPrintable(m_cluster.error()));
        m_resource = resourceOn(1);
        QVERIFY(!m_resource.isEmpty());
    }

    // Given two agents on a cluster URL naming the first node, a resource on the second, then
    // one of them leads; the lab opened on the same URL and resource shows it as the holder.
    // When the leader is SIGKILLed, then the other leads with a higher fence, the lab shows that
    // too, and the Resources list says listing is not done on a Cluster and what to do instead.
    void labFollowsAnAgentFailoverOnACluster() {
        const QString url = QString::fromStdString(m_cluster.url());
        for (const QString& id : {u"cl-a"_s, u"cl-b"_s}) {
            m_agents.push_back(std::make_unique<AgentProcess>());
            m_agents.back()->start(id,
                                   {u"--redis"_s, url, u"--resource"_s, m_resource, u"--ttl"_s,
                                    u"1s"_s, u"--refresh"_s, u"200ms"_s, u"--retry"_s, u"200ms"_s});
        }
        QTRY_COMPARE_WITH_TIMEOUT(leaders(m_agents).size(), qsizetype(1), 10000);
        AgentProcess* first = leaders(m_agents).front();
        AgentProcess* second = m_agents[0].get() == first ? m_agents[1].get() : m_agents[0].get();
        // The lock is on the slot's node, not on the node the URL names.
        QVERIFY(m_cluster.node(1)
                    .cli({u"GET"_s, u"baton:{%1}:lock"_s.arg(m_resource)})
                    .contains(first->id()));
        const quint64 firstFence = fenceOf(first->events(u"elected"_s).last());
        QVERIFY(firstFence > 0);

        MainWindow::Options o;
        o.agentPath = QStringLiteral(BATON_AGENT_PATH);
        MainWindow w(o);
        w.show();
        w.connectRedis(url, 0, m_resource);
        QTRY_COMPARE_WITH_TIMEOUT(w.controller().snapshot().lock.holderIdentity, first->id(),
                                  10000);
        QCOMPARE(w.controller().snapshot().lock.fence, firstFence);
        QTRY_COMPARE_WITH_TIMEOUT(w.controller().snapshot().electors.size(), qsizetype(2), 10000);

        first->signal(SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(!first->running(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(leaders(m_agents) == QList<AgentProcess*>{second}, 10000);
        const quint64 secondFence = fenceOf(second->events(u"elected"_s).last());
        QVERIFY2(secondFence > firstFence,
                 qPrintable(u"%1 after %2"_s.arg(secondFence).arg(firstFence)));
        QTRY_COMPARE_WITH_TIMEOUT(w.controller().snapshot().lock.holderIdentity, second->id(),
                                  10000);
        QCOMPARE(w.controller().snapshot().lock.fence, secondFence);
        QTRY_VERIFY2(w.statusText().contains(second->id()), qPrintable(w.statusText()));

        // The Resources list: refused, in red where the operator looks, with the way out.
        ResourcesPane& pane = *w.resourcesPane();
        QVERIFY(pane.isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(pane.summary().contains(u"not supported on Redis Cluster"_s),
                                 10000);
        auto* label = pane.findChild<QLabel*>(u"resourceSummary"_s);
        QVERIFY(label && label->isVisible());
        QVERIFY(label->styleSheet().contains(u"color"_s));
        const QString summary = label->text();
        QVERIFY2(summary.contains(u"--resource"_s) && summary.contains(u"Connect to Redis"_s),
                 qPrintable(summary));
        QVERIFY(pane.problem().contains(u"Redis Cluster"_s));
        QCOMPARE(pane.model()->rowCount(), 0);
        // Asking for other libraries' locks does not start a scan the Cluster would refuse.
        auto* patterns = pane.findChild<QLineEdit*>(u"foreignPatterns"_s);
        patterns->setText(u"leader:*"_s);
        Q_EMIT patterns->editingFinished();
        QVERIFY(!pane.watch()->running());
        QCOMPARE(label->text(), summary);
        QVERIFY(w.statusText().contains(u"Redis Cluster"_s));
        // Still live after the refused listing: the lab goes on following the election.
        QVERIFY(second->running());
        QVERIFY(m_agents[0]->badLines().isEmpty() && m_agents[1]->badLines().isEmpty());
    }
};

QTEST_MAIN(TestLabCluster)
#include "test_lab_cluster.moc"
