#include "windows/main_window.h"

#include "backend/foreign_lock_backend.h"
#include "backend/local_redis_server.h"
#include "backend/redis_backend.h"
#include "backend/sim_backend.h"
#include "log/event_export.h"
#include "log/event_log_model.h"
#include "resources/resources_pane.h"
#include "resources/session_tabs.h"
#include "timeline/timeline_view.h"
#include "windows/recent_files.h"
#include "windows/redis_connect_dialog.h"
#include "windows/speed_scale.h"

#include <baton/redis/redis_url.h>
#include <baton/sim/scenario_file.h>

#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMessageBox>
#include <QSaveFile>
#include <QSettings>
#include <QSlider>
#include <QStandardPaths>
#include <QStatusBar>

#include <utility>

namespace baton::lab {

void MainWindow::newSimulation(int electors, int pollingOnlyElectors) {
    m_controller.startSimulation(SimBackend::defaultScenario(electors, pollingOnlyElectors));
    m_controller.setSpeed(speedFromSlider(m_speedSlider->value()));
    m_controller.setTimePaused(action(QStringLiteral("pauseTime"))->isChecked());
    m_redisShown.clear();
    m_redisUrl.clear();
    m_resources->stop();
    showResourcesDock(false);
}

bool MainWindow::openScenario(const QString& path, QString* error) {
    try {
        Scenario s = sim::loadScenario(QFile::encodeName(path).toStdString());
        m_controller.startSimulation(s);
    } catch (const std::exception& e) {
        if (error)
            *error = tr("Cannot play %1: %2").arg(path, QString::fromUtf8(e.what()));
        return false;
    }
    m_controller.setSpeed(speedFromSlider(m_speedSlider->value()));
    m_controller.setTimePaused(action(QStringLiteral("pauseTime"))->isChecked());
    m_redisShown.clear();
    if (m_recent)
        m_recent->add(path);
    m_redisUrl.clear();
    m_resources->stop();
    showResourcesDock(false);
    return true;
}

bool MainWindow::saveScenario(const QString& path, QString* error) const {
    const auto scenario = m_controller.recordedScenario();
    if (!scenario) {
        if (error)
            *error = tr("Only a simulated run can be saved as a scenario");
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(QByteArray::fromStdString(sim::scenarioJson(*scenario))) < 0 || !file.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void MainWindow::askNewSimulation() {
    bool ok = false;
    const int n = QInputDialog::getInt(this, tr("New simulation"), tr("Electors:"),
                                       m_options.electors, 1, 200, 1, &ok);
    if (!ok)
        return;
    const int seed = QInputDialog::getInt(
        this, tr("New simulation"),
        tr("How many of them poll as the seed did (to compare handovers side by side)?"), 0, 0, n,
        1, &ok);
    if (ok)
        newSimulation(n, seed);
}

void MainWindow::askOpenScenario() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open scenario"), {}, tr("Scenarios (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!openScenario(path, &error))
        QMessageBox::warning(this, tr("Open scenario"), error);
}

void MainWindow::askSaveScenario() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save run as scenario"), QStringLiteral("run.json"), tr("Scenarios (*.json)"));
    writeChosen(path, &MainWindow::saveScenario, tr("Save scenario"),
                tr("Saved %1 (play it with baton-sim)"));
}

void MainWindow::askExportEvents() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export events"), QStringLiteral("events.csv"), tr("CSV (*.csv);;JSON (*.json)"));
    writeChosen(path, &MainWindow::exportEvents, tr("Export events"), tr("Wrote %1"));
}

void MainWindow::askExportTimeline() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export timeline"), QStringLiteral("timeline.png"),
                                     tr("PNG image (*.png);;SVG drawing (*.svg)"));
    writeChosen(path, &MainWindow::exportTimeline, tr("Export timeline"), tr("Wrote %1"));
}

void MainWindow::writeChosen(const QString& path, FileWriter write, const QString& title,
                             const QString& done) {
    if (path.isEmpty())
        return;
    QString error;
    if (!(this->*write)(path, &error))
        QMessageBox::warning(this, title, error);
    else
        statusBar()->showMessage(done.arg(path), 6000);
}

bool MainWindow::exportEvents(const QString& path, QString* error) const {
    const QVector<LabEvent> events = m_log->events();
    return path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)
               ? exportEventsJson(events, path, error)
               : exportEventsCsv(events, path, error);
}

bool MainWindow::exportTimeline(const QString& path, QString* error) const {
    return path.endsWith(QStringLiteral(".svg"), Qt::CaseInsensitive)
               ? m_timeline->exportSvg(path, error)
               : m_timeline->exportPng(path, error);
}

QString MainWindow::agentPath() const {
    if (!m_options.agentPath.isEmpty())
        return m_options.agentPath;
    const QString beside =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("baton-agent"));
    if (QFileInfo(beside).isExecutable())
        return beside;
    const QString built = QDir(QCoreApplication::applicationDirPath())
                              .filePath(QStringLiteral("../baton-agent/baton-agent"));
    if (QFileInfo(built).isExecutable())
        return QFileInfo(built).canonicalFilePath();
    return QStandardPaths::findExecutable(QStringLiteral("baton-agent"));
}

void MainWindow::askConnectRedis() {
    // REDIS_URL first (it may carry the password), then what was used last (never a password).
    QSettings settings;
    QString preset = QString::fromLocal8Bit(qgetenv("REDIS_URL"));
    if (preset.isEmpty())
        preset = settings.value(QStringLiteral("redis/address")).toString();
    if (preset.isEmpty())
        preset = QStringLiteral("redis://127.0.0.1:6379");
    RedisConnectDialog dialog(preset, this);
    if (qgetenv("REDIS_URL").isEmpty())
        dialog.setUser(settings.value(QStringLiteral("redis/user")).toString());
    dialog.setResource(settings.value(QStringLiteral("redis/resource")).toString());
    dialog.setWatch(settings.value(QStringLiteral("redis/watch")).toBool());
    dialog.setLockPatterns(m_resources->lockPatterns());
    if (dialog.exec() != QDialog::Accepted)
        return;
    settings.setValue(QStringLiteral("redis/address"), dialog.address());
    settings.setValue(QStringLiteral("redis/user"), dialog.user());
    settings.setValue(QStringLiteral("redis/resource"), dialog.resource());
    settings.setValue(QStringLiteral("redis/watch"), dialog.watch());
    m_resources->setLockPatterns(dialog.lockPatterns());
    connectRedis(dialog.url(), dialog.agents(), dialog.resource(), dialog.watch());
}

void MainWindow::startLocalRedis() {
    if (m_localRedis && m_localRedis->isReady()) {
        connectRedis(m_localRedis->url(), m_options.agents, m_options.resource);
        return;
    }
    if (!m_localRedis) {
        m_localRedis = new LocalRedisServer(this); // lives as long as the lab
        connect(m_localRedis, &LocalRedisServer::ready, this, [this](const QString& url) {
            statusBar()->showMessage(
                tr("Private redis-server ready at %1").arg(qstr(redactUrl(url.toStdString()))),
                6000);
            connectRedis(url, m_options.agents, m_options.resource);
        });
        connect(m_localRedis, &LocalRedisServer::failed, this, [this](const QString& why) {
            QMessageBox::warning(this, tr("Private Redis"), why);
        });
    }
    statusBar()->showMessage(tr("Starting a private redis-server..."));
    m_localRedis->start();
}

std::unique_ptr<Backend> MainWindow::redisBackend(const QString& resource) const {
    auto backend = std::make_unique<RedisBackend>(m_redisUrl, resource, agentPath());
    backend->setReadOnly(m_watch);
    if (const int n = m_minReplicas.value(resource); n > 0)
        backend->setAgentArguments({QStringLiteral("--min-replicas"), QString::number(n)});
    return backend;
}

void MainWindow::connectRedis(const QString& url, int agents, const QString& resource, bool watch) {
    if (url != m_redisUrl)
        m_shardAgents->stopAll(); // the lab's sharded agents run on the Redis it leaves
    m_redisShown = qstr(redactUrl(url.toStdString()));
    m_redisUrl = url;
    m_watch = watch;
    if (watch)
        agents = 0;
    if (m_options.shards > 0 && !watch) { // baton --shards M: once, on the first connection
        ShardAgents::Plan plan;
        plan.family = resource.isEmpty() ? plan.family : resource;
        plan.agents = agents;
        plan.shards = std::exchange(m_options.shards, 0);
        startShardAgents(plan);
        agents = -1; // none of the usual, and no election opens: the Shards view shows them
    }
    const QString open = agents < 0            ? QString()
                         : !resource.isEmpty() ? resource
                         : agents > 0          ? demoResource()
                                               : QString();
    if (m_options.minReplicas > 0 && !open.isEmpty() && !m_minReplicas.contains(open))
        m_minReplicas.insert(open, m_options.minReplicas);
    if (open.isEmpty())
        m_controller.startEmpty();
    else
        m_controller.startBackend(redisBackend(open), false, open);
    for (int i = 0; i < agents; ++i) {
        Action add;
        add.kind = Action::Kind::AddAgent;
        m_controller.act(add);
    }
    m_resources->start(url);
    showResourcesDock(true);
    const QString what = watch ? tr("read-only watch of %1").arg(m_redisShown)
                               : tr("Redis mode on %1").arg(m_redisShown);
    statusBar()->showMessage(
        open.isEmpty()
            ? tr("%1: open a resource from the Resources list").arg(what)
            : tr("%1: resource %2; agents started elsewhere on it appear by themselves; open "
                 "others from the Resources list")
                  .arg(what, open),
        10000);
}

void MainWindow::openResource(const QString& resource) {
    if (m_redisUrl.isEmpty() || m_controller.simulated() || resource.isEmpty())
        return;
    if (showShardFamily(resource)) // a sharded family's name: its grid, not one election
        return;
    m_controller.openSession(resource, redisBackend(resource));
}

void MainWindow::openForeignLock(const QString& key) {
    if (m_redisUrl.isEmpty() || m_controller.simulated() || key.isEmpty())
        return;
    m_controller.openSession(foreignSessionKey(key),
                             std::make_unique<ForeignLockBackend>(m_redisUrl, key));
}

} // namespace baton::lab
