// The main window's Shards view: a dock beside the cluster that shows a sharded family of the
// Resources list as a grid, opened by the list or by View > Shards; and Redis > Start sharded
// agents..., a group of baton-agent --shards processes on the connected Redis.

#include "backend/redis_backend.h"
#include "resources/resources_pane.h"
#include "shards/shard_agents.h"
#include "shards/shards_pane.h"
#include "windows/main_window.h"

#include <QAction>
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFormLayout>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QSpinBox>
#include <QStatusBar>

#include <csignal>

namespace baton::lab {

void MainWindow::createShardsDock() {
    m_shards = new ShardsPane(m_resources->model(), this);
    m_shardAgents = new ShardAgents(this);
    auto* d = new QDockWidget(tr("Shards"), this);
    d->setObjectName(QStringLiteral("shardsDock"));
    d->setWidget(m_shards);
    addDockWidget(Qt::RightDockWidgetArea, d);
    if (auto* inspector = findChild<QDockWidget*>(QStringLiteral("inspectorDock")))
        tabifyDockWidget(inspector, d);
    d->hide(); // shown when the Resources list first holds a family, or on asking
    connect(m_shards, &ShardsPane::familiesAppeared, this, [this](const QStringList& families) {
        showShardFamily(families.front());
        statusBar()->showMessage(tr("Sharded families on this Redis: %1 (see the Shards view)")
                                     .arg(families.join(QStringLiteral(", "))),
                                 8000);
    });
    connect(m_shards, &ShardsPane::memberMenuRequested, this, &MainWindow::showShardMemberMenu);
    connect(m_shardAgents, &ShardAgents::agentEnded, this,
            [this](const QString& id, const QString& why) {
                statusBar()->showMessage(tr("Sharded agent %1 ended: %2").arg(id, why), 10000);
            });
}

bool MainWindow::showShardFamily(const QString& family) {
    if (!m_shards->showFamily(family))
        return false;
    if (auto* d = findChild<QDockWidget*>(QStringLiteral("shardsDock"))) {
        d->show();
        d->raise();
        // Wide enough for the grid the first time, up to half the window (the operator's width
        // is kept after).
        if (!d->property("sized").toBool()) {
            d->setProperty("sized", true);
            resizeDocks({d}, {std::min(m_shards->sizeHint().width(), width() / 2)}, Qt::Horizontal);
        }
    }
    return true;
}

void MainWindow::showShardMemberMenu(const QString& id, const QPoint& globalPos) {
    QMenu menu(this);
    const bool ours = m_shardAgents->running().contains(id);
    QAction* kill = menu.addAction(tr("&Kill %1 (SIGKILL: its locks run out)").arg(id));
    QAction* stop = menu.addAction(tr("&Stop %1 (SIGTERM: it releases its shards)").arg(id));
    for (QAction* a : {kill, stop}) {
        a->setEnabled(ours);
        if (!ours)
            a->setToolTip(tr("Only agents this lab started (Redis > Start sharded agents...)"));
    }
    QAction* chosen = menu.exec(globalPos);
    if (chosen)
        m_shardAgents->signal(id, chosen == kill ? SIGKILL : SIGTERM);
}

void MainWindow::createShardActions() {
    connect(addAction(QStringLiteral("startShardAgents"), tr("Start s&harded agents..."), {},
                      tr("Start N baton-agent processes with --shards M on one family of the "
                         "connected Redis, fair share, and show them in the Shards view")),
            &QAction::triggered, this, &MainWindow::askStartShardAgents);
}

void MainWindow::askStartShardAgents() {
    if (m_redisUrl.isEmpty() || m_controller.simulated()) {
        statusBar()->showMessage(tr("Connect to a Redis first (Redis > Start a private Redis)"),
                                 6000);
        return;
    }
    if (m_watch) {
        statusBar()->showMessage(RedisBackend::readOnlyReason(), 6000);
        return;
    }
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Start sharded agents"));
    auto* family = new QLineEdit(QStringLiteral("jobs"), &dialog);
    family->setObjectName(QStringLiteral("shardFamilyName"));
    auto* agents = new QSpinBox(&dialog);
    agents->setObjectName(QStringLiteral("shardAgentCount"));
    agents->setRange(1, 64);
    agents->setValue(3);
    auto* shards = new QSpinBox(&dialog);
    shards->setObjectName(QStringLiteral("shardCount"));
    shards->setRange(1, 1000);
    shards->setValue(6);
    auto* fair =
        new QCheckBox(tr("Fair share: each leads at most ceil(M / live members)"), &dialog);
    fair->setChecked(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* form = new QFormLayout(&dialog);
    form->addRow(tr("Family (NAME of NAME-0 ...):"), family);
    form->addRow(tr("Agents (N):"), agents);
    form->addRow(tr("Shards (--shards M):"), shards);
    form->addRow(fair);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    ShardAgents::Plan plan;
    plan.family = family->text().trimmed();
    plan.agents = agents->value();
    plan.shards = shards->value();
    plan.fairShare = fair->isChecked();
    startShardAgents(plan);
}

QStringList MainWindow::startShardAgents(const ShardAgents::Plan& plan) {
    QString error;
    const QStringList ids = m_shardAgents->start(m_redisUrl, agentPath(), plan, &error);
    if (ids.isEmpty()) {
        QMessageBox::warning(this, tr("Start sharded agents"), error);
        return ids;
    }
    statusBar()->showMessage(tr("Started %1 with --shards %2 on %3: the Shards view shows them "
                                "once the list has them (right-click a member to kill it)")
                                 .arg(ids.join(QStringLiteral(", ")))
                                 .arg(plan.shards)
                                 .arg(plan.family),
                             10000);
    return ids;
}

} // namespace baton::lab
