// The lab's private Sentinel setup (--local-redis-ha): its start, the topology strip and the
// Redis-side faults in the Redis menu and the strip's context menu.

#include "windows/main_window.h"

#include "backend/local_redis_ha.h"
#include "backend/local_redis_server.h"
#include "cluster/topology_strip.h"

#include "backend/lab_types.h"

#include <baton/redis/redis_url.h>

#include <QAction>

#include <QMessageBox>
#include <QStatusBar>
#include <QVBoxLayout>
#include <algorithm>

namespace baton::lab {

QWidget* MainWindow::withTopologyStrip(QWidget* view) {
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_topologyStrip = new TopologyStrip(box);
    layout->addWidget(m_topologyStrip);
    layout->addWidget(view, 1);
    return box;
}

void MainWindow::createHaActions() {
    QAction* start = addAction(
        QStringLiteral("startLocalRedisHa"), tr("Start a private &Sentinel setup"), {},
        tr("A primary, a replica and three sentinels of the lab's own; agents follow failovers"));
    connect(start, &QAction::triggered, this, &MainWindow::startLocalRedisHa);
    if (LocalRedisServer::executable().isEmpty())
        start->setEnabled(false);
    connect(addAction(QStringLiteral("killPrimary"), tr("&Kill the primary"), {},
                      tr("SIGKILL to the Redis primary: the sentinels promote the replica")),
            &QAction::triggered, this, [this] {
                if (m_localRedisHa && m_localRedisHa->killPrimary())
                    statusBar()->showMessage(tr("Primary killed: watch the sentinels"), 6000);
            });
    connect(addAction(QStringLiteral("restartKilledNode"), tr("&Restart the killed node"), {},
                      tr("The killed node comes back on its port as a replica of the new "
                         "primary (--min-replicas 1 needs a replica to acknowledge)")),
            &QAction::triggered, this, [this] {
                if (m_localRedisHa && m_localRedisHa->restartKilled())
                    statusBar()->showMessage(tr("Killed node restarted as a replica"), 6000);
            });
    QAction* pause =
        addAction(QStringLiteral("pausePrimary"), tr("&Pause the primary"), {},
                  tr("SIGSTOP to the Redis primary (again: SIGCONT); long enough, a failover"));
    pause->setCheckable(true);
    connect(pause, &QAction::toggled, this, [this](bool on) {
        if (m_localRedisHa)
            m_localRedisHa->pausePrimary(on);
    });
    QAction* cut = addAction(
        QStringLiteral("cutReplication"), tr("Cut &replication"), {},
        tr("The replica stops copying the primary (wrong masterauth); clients still reach both"));
    cut->setCheckable(true);
    connect(cut, &QAction::toggled, this, [this](bool on) {
        if (m_localRedisHa)
            m_localRedisHa->cutReplication(on);
    });
    connect(addAction(QStringLiteral("openWaitTwin"), tr("Compare with --min-replicas &1"), {},
                      tr("A second group of agents on a twin resource, each lock call waiting "
                         "for the replica (WAIT 1): the next fault side by side, in two tabs")),
            &QAction::triggered, this, &MainWindow::openWaitTwin);
    for (const char* name :
         {"killPrimary", "restartKilledNode", "pausePrimary", "cutReplication", "openWaitTwin"})
        m_topologyStrip->addAction(m_actions.value(QString::fromLatin1(name)));
}

// The same number of agents on "<resource>-wait", with WAIT: both groups live through the
// same Redis fault, one tab each.
void MainWindow::openWaitTwin() {
    if (m_redisUrl.isEmpty() || m_controller.simulated() || m_watch)
        return;
    const QString base = m_options.resource.isEmpty() ? demoResource() : m_options.resource;
    const QString twin = base + QStringLiteral("-wait");
    m_minReplicas.insert(twin, std::max(1, m_options.minReplicas));
    openResource(twin);
    for (int i = 0; i < m_options.agents; ++i) {
        Action add;
        add.kind = Action::Kind::AddAgent;
        m_controller.act(add);
    }
    statusBar()->showMessage(tr("%1: agents with --min-replicas %2; %3: without")
                                 .arg(twin)
                                 .arg(m_minReplicas.value(twin))
                                 .arg(base),
                             8000);
}

void MainWindow::updateHaActions() {
    const bool ha = m_localRedisHa && m_localRedisHa->isReady();
    for (const char* name :
         {"killPrimary", "restartKilledNode", "pausePrimary", "cutReplication", "openWaitTwin"})
        if (QAction* a = m_actions.value(QString::fromLatin1(name)))
            a->setEnabled(ha);
}

void MainWindow::startLocalRedisHa() {
    if (m_localRedisHa && m_localRedisHa->isReady()) {
        connectRedis(m_localRedisHa->url(), m_options.agents, m_options.resource);
        return;
    }
    if (!m_localRedisHa) {
        m_localRedisHa = new LocalRedisHa(this); // lives as long as the lab
        connect(m_localRedisHa, &LocalRedisHa::ready, this, [this](const QString& url) {
            statusBar()->showMessage(
                tr("Private Sentinel setup ready at %1").arg(qstr(redactUrl(url.toStdString()))),
                6000);
            m_topologyStrip->setSource(m_localRedisHa);
            updateHaActions();
            connectRedis(url, m_options.agents, m_options.resource);
        });
        connect(m_localRedisHa, &LocalRedisHa::failed, this, [this](const QString& why) {
            QMessageBox::warning(this, tr("Private Sentinel setup"), why);
        });
    }
    statusBar()->showMessage(tr("Starting a primary, a replica and three sentinels..."));
    m_localRedisHa->start();
}

} // namespace baton::lab
