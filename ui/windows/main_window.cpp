#include "windows/main_window.h"

#include "backend/redis_backend.h"
#include "backend/sim_backend.h"
#include "cluster/cluster_model.h"
#include "cluster/cluster_view.h"
#include "common/eliding_label.h"
#include "inspector/inspector.h"
#include "log/event_log_model.h"
#include "resources/resources_pane.h"
#include "resources/session_tabs.h"
#include "stats/failover_stats.h"
#include "style/lab_icons.h"
#include "timeline/leadership_history.h"
#include "windows/lab_status_bar.h"
#include "windows/speed_scale.h"

#include <baton/base/text.h>

#include <QAction>
#include <QCloseEvent>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QVBoxLayout>

namespace baton::lab {

namespace {

// The elector with id `id` in `s`, or nullptr (nothing selected, or no longer there).
const ElectorView* electorIn(const ClusterSnapshot& s, int id) {
    return id >= 0 && id < s.electors.size() ? &s.electors[id] : nullptr;
}

} // namespace

MainWindow::MainWindow(Options options, QWidget* parent)
    : QMainWindow(parent)
    , m_options(std::move(options)) {
    setWindowTitle(QStringLiteral("Baton lab"));
    setObjectName(QStringLiteral("BatonLab"));
    m_cluster = new ClusterView(this);
    setCentralWidget(withTopologyStrip(withSessionTabs(m_cluster)));
    createActions();
    createDocks();
    createMenus();
    createToolBar();
    createStatusBar();
    setWindowIcon(applicationIcon());
    applyActionIcons(this);

    connect(&m_controller, &LabController::runStarted, this, &MainWindow::onRunStarted);
    connect(&m_controller, &LabController::snapshotChanged, this, &MainWindow::onSnapshot);
    connect(&m_controller, &LabController::eventsArrived, this, &MainWindow::onEvents);
    connect(&m_controller, &LabController::actionRefused, this, [this](const QString& why) {
        statusBar()->showMessage(QStringLiteral("Refused: ") + why, 6000);
    });
    connect(m_cluster, &ClusterView::selectionChanged, this, [this](int id) {
        const ClusterSnapshot& s = m_controller.snapshot();
        m_inspector->setCluster(s.electors);
        m_inspector->setElector(electorIn(s, id), s.now);
        updateActions();
    });
    connect(m_cluster, &ClusterView::contextMenuRequestedFor, this, &MainWindow::showContextMenu);

    fitToScreen();
    readSettings();
    m_speedSlider->setValue(
        sliderFromSpeed(std::clamp(m_options.speed, SimBackend::kMinSpeed, SimBackend::kMaxSpeed)));
    QString error;
    m_resources->setLockPatterns(m_options.lockPatterns);
    if (m_options.localRedis || m_options.localRedisHa) {
        newSimulation(m_options.electors, m_options.pollingOnlyElectors); // until it is ready
        m_options.localRedisHa ? startLocalRedisHa() : startLocalRedis();
    } else if (!m_options.redisUrl.isEmpty()) {
        connectRedis(m_options.redisUrl, m_options.agents, m_options.resource, m_options.watch);
        for (const QString& key : m_options.locks) // after the resource: the last tab is shown
            openForeignLock(key);
        if (!m_options.locks.isEmpty())
            statusBar()->showMessage(
                tr("read-only watch of %1: %2").arg(m_redisShown, m_options.locks.join(u", ")),
                10000);
    } else if (!m_options.scenarioPath.isEmpty() && !openScenario(m_options.scenarioPath, &error)) {
        newSimulation(m_options.electors, m_options.pollingOnlyElectors);
        statusBar()->showMessage(error, 15000);
    } else if (m_options.scenarioPath.isEmpty()) {
        newSimulation(m_options.electors, m_options.pollingOnlyElectors);
    }
    updateActions();
}

MainWindow::~MainWindow() = default;

// The open resources' tabs above the cluster view.
QWidget* MainWindow::withSessionTabs(QWidget* view) {
    auto* centre = new QWidget(this);
    m_sessionTabs = new SessionTabs(m_controller, centre);
    auto* layout = new QVBoxLayout(centre);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_sessionTabs);
    layout->addWidget(view, 1);
    return centre;
}

void MainWindow::createStatusBar() {
    setStatusBar(new LabStatusBar(this));
    m_modeLabel = new ElidingLabel(this);
    m_timeLabel = new QLabel(this);
    m_leaderLabel = new ElidingLabel(this);
    m_storeLabel = new ElidingLabel(this);
    m_timeLabel->setMinimumWidth(
        m_timeLabel->fontMetrics().horizontalAdvance(QStringLiteral("t = 00000.000 s · paused")));
    statusBar()->addPermanentWidget(m_modeLabel);
    statusBar()->addPermanentWidget(m_timeLabel);
    statusBar()->addPermanentWidget(m_leaderLabel);
    statusBar()->addPermanentWidget(m_storeLabel);
    m_alertLabel = new QLabel(this);
    m_alertLabel->setObjectName(QStringLiteral("alertLabel"));
    m_alertLabel->setTextFormat(Qt::PlainText);
    m_alertLabel->setStyleSheet(QStringLiteral("color: #d32f2f; font-weight: bold"));
    statusBar()->addPermanentWidget(m_alertLabel);
    // What needs attention on the whole server: resources in red, or a list that cannot be read.
    connect(m_resources, &ResourcesPane::attentionChanged, m_alertLabel, [this] {
        const QStringList alerts = m_resources->model()->alerts();
        QString text = alerts.isEmpty()     ? QString()
                       : alerts.size() == 1 ? alerts.front()
                                            : tr("%1 resources need attention: %2")
                                                  .arg(alerts.size())
                                                  .arg(alerts.join(QStringLiteral("; ")));
        if (!m_resources->problem().isEmpty())
            text = tr("Resources: %1").arg(m_resources->problem());
        m_alertLabel->setText(text);
        m_alertLabel->setToolTip(alerts.join(u'\n'));
    });
}

QString MainWindow::statusText() const {
    return QStringList{m_modeLabel->text(), m_timeLabel->text(), m_leaderLabel->text(),
                       m_storeLabel->text(), m_alertLabel->text()}
        .join(QStringLiteral(" | "));
}

void MainWindow::readSettings() {
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    // A saved Redis session's Resources list is not brought back before a Redis is connected.
    showResourcesDock(m_resources->listing());
    if (m_faultLength)
        m_faultLength->setValue(s.value(QStringLiteral("faults/length"), 5.0).toDouble());
}

void MainWindow::writeSettings() const {
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("faults/length"), m_faultLength->value());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    writeSettings();
    event->accept();
}

void MainWindow::onRunStarted(bool simulated) {
    m_cluster->setSelected(-1);
    m_log->clear();
    m_history->clear();
    m_stats->clear();
    m_modeLabel->setText(simulated ? tr("Simulated")
                         : m_watch ? tr("Redis %1 · read-only watch").arg(m_redisShown)
                                   : tr("Redis %1").arg(m_redisShown));
    updateActions();
}

void MainWindow::onSnapshot(const ClusterSnapshot& s) {
    m_cluster->setSnapshot(s);
    m_electors->setSnapshot(s);
    m_history->setSnapshot(s);
    m_stats->setSnapshot(s);
    const int id = m_cluster->selected();
    m_inspector->setCluster(s.electors);
    m_inspector->setElector(electorIn(s, id), s.now);
    const QString t = QStringLiteral("t = %1 s").arg(formatSeconds(s.now));
    m_timeLabel->setText(s.simulated ? t + QStringLiteral(" · ") +
                                           (s.paused ? tr("paused") : speedText(s.speed))
                                     : t);
    QStringList leaders;
    for (const ElectorView& e : s.electors)
        if (e.believesLeader)
            leaders << e.identity + u' ' + m_cluster->fenceText(e.fence);
    if (!leaders.isEmpty())
        m_leaderLabel->setText(tr("leader: %1").arg(leaders.join(u", ")));
    else if (s.lock.known && s.lock.holder < 0 && !s.lock.holderIdentity.isEmpty())
        // Held by a process the lab does not know as a member here (a shard's leader keeps its
        // entry on the family): the store's word is all there is.
        m_leaderLabel->setText(tr("held by %1 %2 (the store's holder)")
                                   .arg(qstr(visible(s.lock.holderIdentity.toStdString(), 200)),
                                        m_cluster->fenceText(s.lock.fence)));
    else
        m_leaderLabel->setText(tr("no leader"));
    m_storeLabel->setText(s.storeStatus);
    // A style sheet repolishes the label: set it only when it changes, not 50 times a second.
    const QString css = s.storeStatus.isEmpty() ? QString() : QStringLiteral("color: #d32f2f");
    if (m_storeLabel->styleSheet() != css)
        m_storeLabel->setStyleSheet(css);
    if (s.simulated)
        m_modeLabel->setText(tr("Simulated · %1 electors").arg(s.electors.size()));
    updateActions();
}

void MainWindow::onEvents(const QVector<LabEvent>& events) {
    m_log->addEvents(events);
    m_history->addEvents(events);
    m_stats->addEvents(events);
}

void MainWindow::updateActions() {
    updateHaActions();
    const ClusterSnapshot& s = m_controller.snapshot();
    const int id = m_cluster->selected();
    const ElectorView* e = electorIn(s, id);
    // What the elector's backend says it can undergo now, the same as the inspector shows.
    using K = Action::Kind;
    for (const auto& [name, kind] :
         {std::pair{"killElector", K::Crash}, std::pair{"stopElector", K::Stop},
          std::pair{"startElector", K::Start}, std::pair{"pauseElector", K::Pause},
          std::pair{"partitionElector", K::Partition}, std::pair{"latencyElector", K::Latency},
          std::pair{"driftElector", K::Drift}, std::pair{"removeElector", K::Remove}}) {
        const QString why = e ? actionUnavailableReason(*e, kind) : tr("select an elector first");
        QAction* a = action(QString::fromLatin1(name));
        a->setEnabled(why.isEmpty());
        a->setStatusTip(why);
        a->setToolTip(why.isEmpty() ? a->property("baseToolTip").toString() : why);
    }
    const bool sim = m_controller.simulated();
    for (const char* n : {"pauseTime", "stepTime", "faster", "slower", "realTime", "saveScenario"})
        action(QString::fromLatin1(n))->setEnabled(sim);
    // What acts on the cluster: nothing in a read-only watch, or with no resource open.
    const QString noCluster =
        sim                     ? QString()
        : m_watch               ? RedisBackend::readOnlyReason()
        : !s.readOnly.isEmpty() ? s.readOnly // another library's lock
        : m_controller.sessions().isEmpty()
            ? tr("open a resource first (double-click it in the Resources list)")
            : QString();
    for (const char* n :
         {"killLeader", "resignLeader", "addThread", "addAgent", "addSeedThread", "addSeedAgent"}) {
        QAction* a = action(QString::fromLatin1(n));
        const bool redisOnly = n[0] == 'a' || n[0] == 'r';
        const QString why = redisOnly && sim ? tr("only in Redis mode") : noCluster;
        a->setEnabled(why.isEmpty());
        a->setStatusTip(why.isEmpty() ? a->property("baseTip").toString() : why);
        a->setToolTip(why.isEmpty() ? a->property("baseToolTip").toString() : why);
    }
    m_speedSlider->setEnabled(sim);
}

Duration MainWindow::faultLength() const {
    return std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(m_faultLength->value()));
}

void MainWindow::act(const Action& action) {
    m_controller.act(action);
}

void MainWindow::actOnSelected(Action::Kind kind) {
    const int id = m_cluster->selected();
    if (id < 0) {
        statusBar()->showMessage(tr("Select an elector first (click it, or use the arrow keys)"),
                                 4000);
        return;
    }
    Action a;
    a.kind = kind;
    a.elector = id;
    a.duration = kind == Action::Kind::Crash ? crashLength() : faultLength();
    a.extra = std::chrono::milliseconds(200);
    a.rate = 0.9;
    act(a);
}

void MainWindow::showContextMenu(int id, const QPoint& globalPos) {
    QMenu menu(this);
    if (id >= 0) {
        menu.setTitle(m_controller.snapshot().electors.value(id).identity);
        for (const char* n :
             {"killElector", "stopElector", "startElector", "pauseElector", "partitionElector",
              "latencyElector", "driftElector", "removeElector"})
            menu.addAction(action(QString::fromLatin1(n)));
        menu.addSeparator();
    }
    menu.addAction(action(QStringLiteral("killLeader")));
    menu.addAction(action(QStringLiteral("resignLeader")));
    menu.exec(globalPos);
}

} // namespace baton::lab
