#include "windows/main_window.h"

#include "backend/local_redis_server.h"
#include "windows/speed_scale.h"

#include <QAction>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSlider>
#include <QToolBar>

namespace baton::lab {

QAction* MainWindow::addAction(const QString& name, const QString& text,
                               const QKeySequence& shortcut, const QString& tip) {
    auto* a = new QAction(text, this);
    a->setObjectName(name);
    if (!shortcut.isEmpty())
        a->setShortcut(shortcut);
    a->setToolTip(shortcut.isEmpty()
                      ? tip
                      : tip + QStringLiteral(" (") + shortcut.toString(QKeySequence::NativeText) +
                            QStringLiteral(")"));
    a->setStatusTip(tip);
    // What the tips go back to after saying why the action is not available.
    a->setProperty("baseTip", tip);
    a->setProperty("baseToolTip", a->toolTip());
    QMainWindow::addAction(a); // shortcuts work wherever the focus is in the window
    m_actions.insert(name, a);
    return a;
}

QAction* MainWindow::action(const QString& name) const {
    return m_actions.value(name); // a hash: updateActions() runs with every snapshot
}

void MainWindow::createActions() {
    createElectorActions();
    createTimeActions();
    createFileActions();
    createRedisActions();
    createTuningActions();
    createShardActions();
    connect(addAction(QStringLiteral("removeElector"), tr("Re&move elector"), {},
                      tr("Stop the selected real elector and drop it from the lab")),
            &QAction::triggered, this, [this] { actOnSelected(Action::Kind::Remove); });
    createHelpActions();
}

void MainWindow::createElectorActions() {
    using K = Action::Kind;
    connect(addAction(QStringLiteral("killLeader"), tr("&Kill leader"), QKeySequence(Qt::Key_K),
                      tr("Crash whoever leads now: no release, the lock must expire")),
            &QAction::triggered, this, [this] {
                Action kill;
                kill.kind = Action::Kind::KillLeader;
                kill.duration = crashLength();
                act(kill);
            });
    connect(addAction(QStringLiteral("resignLeader"), tr("Resign lea&der"),
                      QKeySequence(tr("Shift+K")),
                      tr("Ask whoever leads to step down: it revokes, releases and sits out one "
                         "TTL, so another member takes over at once (as baton-ctl resign)")),
            &QAction::triggered, this, [this] {
                Action a;
                a.kind = Action::Kind::ResignLeader;
                act(a);
            });
    const struct {
        const char* name;
        QString text;
        QKeySequence key;
        QString tip;
        K kind;
    } electorActions[] = {
        {"killElector", tr("&Kill"), QKeySequence(Qt::Key_X),
         tr("Crash the selected elector (no release)"), K::Crash},
        {"stopElector", tr("&Stop"), QKeySequence(Qt::Key_S),
         tr("Stop the selected elector gracefully (it releases the lock)"), K::Stop},
        {"startElector", tr("St&art"), QKeySequence(Qt::Key_R),
         tr("Start (restart) the selected elector"), K::Start},
        {"pauseElector", tr("&Pause"), QKeySequence(Qt::Key_P),
         tr("Freeze the selected elector for the fault length (a GC pause, SIGSTOP)"), K::Pause},
        {"partitionElector", tr("Pa&rtition"), QKeySequence(Qt::Key_T),
         tr("Cut the selected elector off from the store for the fault length"), K::Partition},
        {"latencyElector", tr("Add &latency"), QKeySequence(Qt::Key_L),
         tr("Add 200 ms to each store trip of the selected elector for the fault length"),
         K::Latency},
        {"driftElector", tr("Clock &drift"), QKeySequence(Qt::Key_D),
         tr("Make the selected elector's clock run 10% slow (a lab agent restarts with "
            "--clock-rate 0.9)"),
         K::Drift},
    };
    for (const auto& a : electorActions)
        connect(addAction(QString::fromLatin1(a.name), a.text, a.key, a.tip), &QAction::triggered,
                this, [this, kind = a.kind] { actOnSelected(kind); });
}

void MainWindow::createTimeActions() {
    QAction* pause = addAction(QStringLiteral("pauseTime"), tr("&Pause time"),
                               QKeySequence(Qt::Key_Space), tr("Stop or resume simulated time"));
    pause->setCheckable(true);
    connect(pause, &QAction::toggled, &m_controller, &LabController::setTimePaused);
    connect(addAction(QStringLiteral("stepTime"), tr("&Step to next event"),
                      QKeySequence(Qt::Key_N), tr("Pause, then handle the next simulated event")),
            &QAction::triggered, this, [this] {
                action(QStringLiteral("pauseTime"))->setChecked(true);
                m_controller.stepToNextEvent();
            });
    connect(addAction(QStringLiteral("faster"), tr("&Faster"), QKeySequence(Qt::Key_Plus),
                      tr("Double the simulation speed")),
            &QAction::triggered, this,
            [this] { m_speedSlider->setValue(m_speedSlider->value() + 30); });
    connect(addAction(QStringLiteral("slower"), tr("S&lower"), QKeySequence(Qt::Key_Minus),
                      tr("Halve the simulation speed")),
            &QAction::triggered, this,
            [this] { m_speedSlider->setValue(m_speedSlider->value() - 30); });
    connect(addAction(QStringLiteral("realTime"), tr("&Real time"), QKeySequence(Qt::Key_1),
                      tr("Run simulated time at wall-clock speed")),
            &QAction::triggered, this, [this] { m_speedSlider->setValue(100); });
}

void MainWindow::createFileActions() {
    connect(addAction(QStringLiteral("newSimulation"), tr("&New simulation..."), QKeySequence::New,
                      tr("Start a fresh simulated cluster")),
            &QAction::triggered, this, &MainWindow::askNewSimulation);
    connect(addAction(QStringLiteral("openScenario"), tr("&Open scenario..."), QKeySequence::Open,
                      tr("Play a scenario file (the baton-sim format)")),
            &QAction::triggered, this, &MainWindow::askOpenScenario);
    connect(addAction(QStringLiteral("saveScenario"), tr("&Save run as scenario..."),
                      QKeySequence::Save,
                      tr("Save this simulated run, with the faults you injected, to replay it "
                         "with baton-sim")),
            &QAction::triggered, this, &MainWindow::askSaveScenario);
    connect(addAction(QStringLiteral("exportEvents"), tr("Export &events..."),
                      QKeySequence(tr("Ctrl+E")), tr("Write the event log as CSV or JSON")),
            &QAction::triggered, this, &MainWindow::askExportEvents);
    connect(addAction(QStringLiteral("exportTimeline"), tr("Export &timeline..."),
                      QKeySequence(tr("Ctrl+Shift+E")), tr("Write the timeline as PNG or SVG")),
            &QAction::triggered, this, &MainWindow::askExportTimeline);
    connect(addAction(QStringLiteral("quit"), tr("&Quit"), QKeySequence::Quit, tr("Quit the lab")),
            &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createRedisActions() {
    using K = Action::Kind;
    connect(addAction(QStringLiteral("connectRedis"), tr("&Connect to Redis..."),
                      QKeySequence(tr("Ctrl+R")), tr("Run real electors on a Redis server")),
            &QAction::triggered, this, &MainWindow::askConnectRedis);
    QAction* local =
        addAction(QStringLiteral("startLocalRedis"), tr("Start a &private Redis"), {},
                  tr("Start a redis-server of the lab's own on a free port and connect"));
    connect(local, &QAction::triggered, this, &MainWindow::startLocalRedis);
    if (LocalRedisServer::executable().isEmpty()) {
        local->setEnabled(false);
        local->setToolTip(tr("redis-server is not on the PATH: apt-get install redis-server"));
    }
    createHaActions();
    const struct {
        const char* name;
        QString text;
        K kind;
        bool seed;
    } adds[] = {
        {"addThread", tr("Add &thread elector"), K::AddThread, false},
        {"addAgent", tr("Add &agent process"), K::AddAgent, false},
        {"addSeedThread", tr("Add thread elector in &polling-only mode"), K::AddThread, true},
        {"addSeedAgent", tr("Add agent in seed &mode"), K::AddAgent, true},
    };
    for (const auto& a : adds)
        connect(addAction(QString::fromLatin1(a.name), a.text, {},
                          tr("A new real elector on the connected Redis")),
                &QAction::triggered, this, [this, kind = a.kind, seed = a.seed] {
                    Action action;
                    action.kind = kind;
                    action.pollingOnly = seed;
                    act(action);
                });
}

void MainWindow::createMenus() {
    const auto add = [this](QMenu* menu, std::initializer_list<const char*> names) {
        for (const char* n : names) {
            if (*n == '-')
                menu->addSeparator();
            else
                menu->addAction(action(QString::fromLatin1(n)));
        }
    };
    QMenu* file = menuBar()->addMenu(tr("&File"));
    add(file, {"newSimulation", "openScenario", "saveScenario", "-", "exportEvents",
               "exportTimeline", "-", "quit"});
    createRecentMenu(file);
    add(menuBar()->addMenu(tr("&Time")),
        {"pauseTime", "stepTime", "-", "faster", "slower", "realTime"});
    m_electorMenu = menuBar()->addMenu(tr("&Elector"));
    add(m_electorMenu, {"killLeader", "resignLeader", "-", "killElector", "stopElector",
                        "startElector", "pauseElector", "partitionElector", "latencyElector",
                        "driftElector", "-", "removeElector", "-", "crashComesBack"});
    add(menuBar()->addMenu(tr("&Redis")),
        {"connectRedis", "startLocalRedis", "-", "addThread", "addAgent", "addSeedThread",
         "addSeedAgent", "startShardAgents", "-", "startLocalRedisHa", "killPrimary",
         "restartKilledNode", "pausePrimary", "cutReplication", "openWaitTwin"});
    add(menuBar()->addMenu(tr("T&ools")), {"tuneTimings"});
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
    add(menuBar()->addMenu(tr("&Help")), {"shortcuts", "-", "about", "aboutQt"});
}

void MainWindow::createToolBar() {
    QToolBar* bar = addToolBar(tr("Lab"));
    bar->setObjectName(QStringLiteral("labToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(action(QStringLiteral("killLeader")));
    bar->addSeparator();
    for (const char* n :
         {"killElector", "stopElector", "startElector", "pauseElector", "partitionElector"})
        bar->addAction(action(QString::fromLatin1(n)));
    bar->addWidget(new QLabel(tr(" for "), bar));
    m_faultLength = new QDoubleSpinBox(bar);
    m_faultLength->setObjectName(QStringLiteral("faultLength"));
    m_faultLength->setRange(0.1, 3600);
    m_faultLength->setDecimals(1);
    m_faultLength->setValue(5);
    m_faultLength->setSuffix(tr(" s"));
    m_faultLength->setToolTip(tr("How long a pause, partition or latency spike lasts, and how "
                                 "long a killed elector stays down (Elector > Killed electors "
                                 "come back)"));
    bar->addWidget(m_faultLength);
    bar->addSeparator();
    bar->addAction(action(QStringLiteral("pauseTime")));
    bar->addAction(action(QStringLiteral("stepTime")));
    m_speedSlider = new QSlider(Qt::Horizontal, bar);
    m_speedSlider->setObjectName(QStringLiteral("speedSlider"));
    m_speedSlider->setRange(0, 300);
    m_speedSlider->setValue(100);
    m_speedSlider->setMaximumWidth(160);
    m_speedSlider->setToolTip(tr("Simulation speed, 0.1x to 100x"));
    m_speedLabel = new QLabel(speedText(1), bar);
    m_speedLabel->setMinimumWidth(48);
    connect(m_speedSlider, &QSlider::valueChanged, this, [this](int v) {
        const double speed = speedFromSlider(v);
        m_speedLabel->setText(speedText(speed));
        m_controller.setSpeed(speed);
    });
    bar->addWidget(new QLabel(tr(" speed "), bar));
    bar->addWidget(m_speedSlider);
    bar->addWidget(m_speedLabel);
}

} // namespace baton::lab
