#include "windows/main_window.h"

#include "backend/local_redis_server.h"
#include "backend/redis_backend.h"
#include "backend/sim_backend.h"
#include "cluster/cluster_model.h"
#include "cluster/cluster_view.h"
#include "inspector/inspector.h"
#include "log/event_export.h"
#include "log/event_filter_model.h"
#include "log/event_log_model.h"
#include "stats/failover_stats.h"
#include "stats/stats_panel.h"
#include "timeline/leadership_history.h"
#include "timeline/timeline_view.h"
#include "windows/redis_connect_dialog.h"

#include <baton/redis/redis_url.h>
#include <baton/sim/scenario_file.h>

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>

namespace baton::lab {

namespace {

// The speed slider is logarithmic: 0 is 0.1x, 100 is 1x, 300 is 100x.
int sliderFromSpeed(double speed) {
    return static_cast<int>(std::lround(100 * (std::log10(speed) + 1)));
}
double speedFromSlider(int value) {
    return std::pow(10.0, value / 100.0 - 1);
}

QString speedText(double speed) {
    const int decimals = speed >= 10 ? 0 : speed >= 1 ? 1 : 2;
    return QString::number(speed, 'f', decimals) + u'x';
}

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
    setCentralWidget(m_cluster);
    createActions();
    createDocks();
    createMenus();
    createToolBar();
    createStatusBar();

    connect(&m_controller, &LabController::runStarted, this, &MainWindow::onRunStarted);
    connect(&m_controller, &LabController::snapshotChanged, this, &MainWindow::onSnapshot);
    connect(&m_controller, &LabController::eventsArrived, this, &MainWindow::onEvents);
    connect(&m_controller, &LabController::actionRefused, this, [this](const QString& why) {
        statusBar()->showMessage(QStringLiteral("Refused: ") + why, 6000);
    });
    connect(m_cluster, &ClusterView::selectionChanged, this, [this](int id) {
        const ClusterSnapshot& s = m_controller.snapshot();
        m_inspector->setElector(electorIn(s, id), s.now);
        updateActions();
    });
    connect(m_cluster, &ClusterView::contextMenuRequestedFor, this, &MainWindow::showContextMenu);

    resize(1360, 860);
    readSettings();
    m_speedSlider->setValue(
        sliderFromSpeed(std::clamp(m_options.speed, SimBackend::kMinSpeed, SimBackend::kMaxSpeed)));
    QString error;
    if (m_options.localRedis) {
        newSimulation(m_options.electors, m_options.pollingOnlyElectors); // until it is ready
        startLocalRedis();
    } else if (!m_options.redisUrl.isEmpty()) {
        connectRedis(m_options.redisUrl, m_options.agents);
    } else if (!m_options.scenarioPath.isEmpty() && !openScenario(m_options.scenarioPath, &error)) {
        newSimulation(m_options.electors, m_options.pollingOnlyElectors);
        statusBar()->showMessage(error, 15000);
    } else if (m_options.scenarioPath.isEmpty()) {
        newSimulation(m_options.electors, m_options.pollingOnlyElectors);
    }
    updateActions();
}

MainWindow::~MainWindow() = default;

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
    QMainWindow::addAction(a); // shortcuts work wherever the focus is in the window
    m_actions.insert(name, a);
    return a;
}

QAction* MainWindow::action(const QString& name) const {
    return m_actions.value(name); // a hash: updateActions() runs with every snapshot
}

void MainWindow::createActions() {
    using K = Action::Kind;
    connect(addAction(QStringLiteral("killLeader"), tr("&Kill leader"), QKeySequence(Qt::Key_K),
                      tr("Crash whoever leads now: no release, the lock must expire")),
            &QAction::triggered, this, [this] { m_controller.killLeader(); });
    const struct {
        const char* name;
        QString text;
        QKeySequence key;
        QString tip;
        K kind;
    } electorActions[] = {
        {"killElector", tr("&Kill"), QKeySequence(Qt::Key_X),
         tr("Crash the selected elector (no release)"), K::Kill},
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
         tr("Make the selected elector's clock run 10% slow (simulated only)"), K::Drift},
    };
    for (const auto& a : electorActions)
        connect(addAction(QString::fromLatin1(a.name), a.text, a.key, a.tip), &QAction::triggered,
                this, [this, kind = a.kind] { actOnSelected(kind); });

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
    connect(addAction(QStringLiteral("removeElector"), tr("Re&move elector"), {},
                      tr("Stop the selected real elector and drop it from the lab")),
            &QAction::triggered, this, [this] { actOnSelected(K::Remove); });
    connect(addAction(QStringLiteral("about"), tr("&About Baton"), {}, tr("About the lab")),
            &QAction::triggered, this, [this] {
                QMessageBox::about(
                    this, tr("About Baton"),
                    tr("<b>Baton lab</b><p>Leader election you can see: electors on a lock with a "
                       "TTL, the store's view in the middle, every handover on the "
                       "timeline.</p><p>K kills the leader; select an elector to kill (X), stop "
                       "(S), restart (R), pause (P) or partition (T) it; Space pauses time, N "
                       "steps, +/- change speed.</p>"));
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
    add(menuBar()->addMenu(tr("&File")), {"newSimulation", "openScenario", "saveScenario", "-",
                                          "exportEvents", "exportTimeline", "-", "quit"});
    add(menuBar()->addMenu(tr("&Time")),
        {"pauseTime", "stepTime", "-", "faster", "slower", "realTime"});
    m_electorMenu = menuBar()->addMenu(tr("&Elector"));
    add(m_electorMenu,
        {"killLeader", "-", "killElector", "stopElector", "startElector", "pauseElector",
         "partitionElector", "latencyElector", "driftElector", "-", "removeElector"});
    add(menuBar()->addMenu(tr("&Redis")), {"connectRedis", "startLocalRedis", "-", "addThread",
                                           "addAgent", "addSeedThread", "addSeedAgent"});
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
    add(menuBar()->addMenu(tr("&Help")), {"about"});
}

void MainWindow::createToolBar() {
    QToolBar* bar = addToolBar(tr("Lab"));
    bar->setObjectName(QStringLiteral("labToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
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
    m_faultLength->setToolTip(tr("How long a pause, partition or latency spike lasts"));
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

void MainWindow::createDocks() {
    const auto dock = [this](const QString& name, const QString& title, QWidget* content,
                             Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(content);
        addDockWidget(area, d);
        return d;
    };
    m_inspector = new Inspector(this);
    connect(m_inspector, &Inspector::actionRequested, this, &MainWindow::act);
    // In a scroll area: its full height would make the window taller than a laptop's screen.
    auto* inspectorScroll = new QScrollArea(this);
    inspectorScroll->setWidget(m_inspector);
    inspectorScroll->setWidgetResizable(true);
    inspectorScroll->setFrameShape(QFrame::NoFrame);
    inspectorScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    inspectorScroll->setMinimumWidth(m_inspector->sizeHint().width() +
                                     inspectorScroll->verticalScrollBar()->sizeHint().width());
    dock(QStringLiteral("inspectorDock"), tr("Inspector"), inspectorScroll,
         Qt::RightDockWidgetArea);

    // The event log: a capped ring, filtered by elector and by event.
    m_log = new EventLogModel(this);
    m_logFilter = new EventFilterModel(this);
    m_logFilter->setSourceModel(m_log);
    auto* logPane = new QWidget(this);
    auto* electorFilter = new QComboBox(logPane);
    electorFilter->setObjectName(QStringLiteral("electorFilter"));
    auto* eventFilter = new QComboBox(logPane);
    eventFilter->setObjectName(QStringLiteral("eventFilter"));
    eventFilter->addItem(tr("All events"));
    for (const char* name :
         {"elected", "extended", "revoked",   "leader-changed", "extend-failed", "started",
          "stopped", "error",    "crash",     "restart",        "stop",          "start",
          "pause",   "resume",   "partition", "heal",           "latency",       "timing",
          "drift",   "holder",   "free"})
        eventFilter->addItem(QString::fromLatin1(name), QString::fromLatin1(name));
    electorFilter->addItem(tr("All electors"));
    connect(electorFilter, &QComboBox::currentIndexChanged, this, [this, electorFilter](int i) {
        m_logFilter->setElectorFilter(i <= 0 ? QSet<QString>{}
                                             : QSet<QString>{electorFilter->itemText(i)});
    });
    connect(eventFilter, &QComboBox::currentIndexChanged, this, [this, eventFilter](int i) {
        m_logFilter->setEventFilter(i <= 0 ? QSet<QString>{}
                                           : QSet<QString>{eventFilter->itemData(i).toString()});
    });
    // The elector list follows the cluster.
    connect(&m_controller, &LabController::snapshotChanged, electorFilter,
            [electorFilter](const ClusterSnapshot& snap) {
                if (electorFilter->count() == snap.electors.size() + 1)
                    return;
                const QString current = electorFilter->currentText();
                QSignalBlocker block(electorFilter);
                electorFilter->clear();
                electorFilter->addItem(tr("All electors"));
                for (const ElectorView& e : snap.electors)
                    electorFilter->addItem(e.identity);
                electorFilter->setCurrentIndex(std::max(0, electorFilter->findText(current)));
            });
    auto* table = new QTableView(logPane);
    table->setObjectName(QStringLiteral("eventTable"));
    table->setModel(m_logFilter);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 4);
    table->horizontalHeader()->setStretchLastSection(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setColumnWidth(EventLogModel::Time, 80);
    table->setColumnWidth(EventLogModel::Elector, 90);
    table->setColumnWidth(EventLogModel::Event, 110);
    table->setColumnWidth(EventLogModel::Fence, 80);
    // Follow the newest row unless the user scrolled up to read.
    connect(m_logFilter, &QAbstractItemModel::rowsInserted, table, [table] {
        auto* bar = table->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 2)
            QMetaObject::invokeMethod(table, &QTableView::scrollToBottom, Qt::QueuedConnection);
    });
    auto* filters = new QHBoxLayout;
    filters->addWidget(electorFilter);
    filters->addWidget(eventFilter);
    filters->addStretch();
    auto* logLayout = new QVBoxLayout(logPane);
    logLayout->setContentsMargins(2, 2, 2, 2);
    logLayout->addLayout(filters);
    logLayout->addWidget(table);
    QDockWidget* logDock =
        dock(QStringLiteral("logDock"), tr("Event log"), logPane, Qt::BottomDockWidgetArea);

    m_history = new LeadershipHistory(this);
    m_timeline = new TimelineView(m_history, this);
    m_timeline->setObjectName(QStringLiteral("timeline"));
    QDockWidget* timelineDock =
        dock(QStringLiteral("timelineDock"), tr("Timeline"), m_timeline, Qt::BottomDockWidgetArea);
    splitDockWidget(timelineDock, logDock, Qt::Horizontal);
    resizeDocks({timelineDock, logDock}, {3, 2}, Qt::Horizontal);

    m_stats = new FailoverStats(this);
    m_statsPanel = new StatsPanel(m_stats, this);
    QDockWidget* statsDock =
        dock(QStringLiteral("statsDock"), tr("Statistics"), m_statsPanel, Qt::BottomDockWidgetArea);
    tabifyDockWidget(logDock, statsDock);

    // Every elector in a table, for clusters too big to read on the ring.
    m_electors = new ClusterModel(this);
    auto* electors = new QTableView(this);
    electors->setObjectName(QStringLiteral("electorTable"));
    electors->setModel(m_electors);
    electors->verticalHeader()->hide();
    electors->verticalHeader()->setDefaultSectionSize(electors->fontMetrics().height() + 4);
    electors->setSelectionBehavior(QAbstractItemView::SelectRows);
    electors->setSelectionMode(QAbstractItemView::SingleSelection);
    electors->horizontalHeader()->setStretchLastSection(true);
    connect(electors, &QTableView::clicked, this, [this](const QModelIndex& index) {
        m_cluster->setSelected(index.data(ClusterModel::ElectorIdRole).toInt());
    });
    connect(m_cluster, &ClusterView::selectionChanged, electors, [this, electors](int id) {
        const int row = m_electors->rowOfElector(id);
        if (row < 0)
            electors->clearSelection();
        else
            electors->selectRow(row);
    });
    QDockWidget* electorsDock =
        dock(QStringLiteral("electorsDock"), tr("Electors"), electors, Qt::BottomDockWidgetArea);
    tabifyDockWidget(statsDock, electorsDock);
    logDock->raise();
}

void MainWindow::createStatusBar() {
    m_modeLabel = new QLabel(this);
    m_timeLabel = new QLabel(this);
    m_leaderLabel = new QLabel(this);
    m_storeLabel = new QLabel(this);
    m_timeLabel->setMinimumWidth(150);
    statusBar()->addPermanentWidget(m_modeLabel);
    statusBar()->addPermanentWidget(m_timeLabel);
    statusBar()->addPermanentWidget(m_leaderLabel);
    statusBar()->addPermanentWidget(m_storeLabel);
}

QString MainWindow::statusText() const {
    return QStringList{m_modeLabel->text(), m_timeLabel->text(), m_leaderLabel->text(),
                       m_storeLabel->text()}
        .join(QStringLiteral(" | "));
}

void MainWindow::readSettings() {
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
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

void MainWindow::newSimulation(int electors, int pollingOnlyElectors) {
    m_controller.startSimulation(SimBackend::defaultScenario(electors, pollingOnlyElectors));
    m_controller.setSpeed(speedFromSlider(m_speedSlider->value()));
    m_controller.setTimePaused(action(QStringLiteral("pauseTime"))->isChecked());
    m_redisShown.clear();
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

void MainWindow::onRunStarted(bool simulated) {
    m_cluster->setSelected(-1);
    m_log->clear();
    m_history->clear();
    m_stats->clear();
    m_modeLabel->setText(simulated ? tr("Simulated") : tr("Redis %1").arg(m_redisShown));
    updateActions();
}

void MainWindow::onSnapshot(const ClusterSnapshot& s) {
    m_cluster->setSnapshot(s);
    m_electors->setSnapshot(s);
    m_history->setSnapshot(s);
    m_stats->setSnapshot(s);
    const int id = m_cluster->selected();
    m_inspector->setElector(electorIn(s, id), s.now);
    const QString t = QStringLiteral("t = %1 s").arg(formatSeconds(s.now));
    m_timeLabel->setText(s.simulated ? t + QStringLiteral(" · ") +
                                           (s.paused ? tr("paused") : speedText(s.speed))
                                     : t);
    QStringList leaders;
    for (const ElectorView& e : s.electors)
        if (e.believesLeader)
            leaders << QStringLiteral("%1 #%2").arg(e.identity).arg(e.fence);
    m_leaderLabel->setText(leaders.isEmpty() ? tr("no leader")
                                             : tr("leader: %1").arg(leaders.join(u", ")));
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
    const ClusterSnapshot& s = m_controller.snapshot();
    const int id = m_cluster->selected();
    const ElectorView* e = electorIn(s, id);
    const bool can = e && e->controllable;
    const bool running =
        e && e->state != ElectorState::Crashed && e->state != ElectorState::Stopped;
    action(QStringLiteral("killElector"))->setEnabled(can && running);
    action(QStringLiteral("stopElector"))->setEnabled(can && running);
    action(QStringLiteral("startElector"))->setEnabled(can && !running);
    action(QStringLiteral("pauseElector"))->setEnabled(can && running);
    action(QStringLiteral("partitionElector"))->setEnabled(can && running);
    action(QStringLiteral("latencyElector"))
        ->setEnabled(can && running && e->kind != ElectorKind::Agent);
    action(QStringLiteral("driftElector"))->setEnabled(can && e->kind == ElectorKind::Simulated);
    action(QStringLiteral("removeElector"))
        ->setEnabled(e && (e->kind == ElectorKind::Thread || e->kind == ElectorKind::Agent));
    const bool sim = m_controller.simulated();
    for (const char* n : {"pauseTime", "stepTime", "faster", "slower", "realTime", "saveScenario"})
        action(QString::fromLatin1(n))->setEnabled(sim);
    for (const char* n : {"addThread", "addAgent", "addSeedThread", "addSeedAgent"})
        action(QString::fromLatin1(n))->setEnabled(!sim);
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
    a.duration = faultLength();
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
    menu.exec(globalPos);
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
    if (path.isEmpty())
        return;
    QString error;
    if (!saveScenario(path, &error))
        QMessageBox::warning(this, tr("Save scenario"), error);
    else
        statusBar()->showMessage(tr("Saved %1 (play it with baton-sim)").arg(path), 6000);
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

void MainWindow::askExportEvents() {
    QString filter;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export events"), QStringLiteral("events.csv"),
                                     tr("CSV (*.csv);;JSON (*.json)"), &filter);
    if (path.isEmpty())
        return;
    QString error;
    if (!exportEvents(path, &error))
        QMessageBox::warning(this, tr("Export events"), error);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(path), 6000);
}
void MainWindow::askExportTimeline() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export timeline"), QStringLiteral("timeline.png"),
                                     tr("PNG image (*.png);;SVG drawing (*.svg)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTimeline(path, &error))
        QMessageBox::warning(this, tr("Export timeline"), error);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(path), 6000);
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
    if (dialog.exec() != QDialog::Accepted)
        return;
    settings.setValue(QStringLiteral("redis/address"), dialog.address());
    settings.setValue(QStringLiteral("redis/user"), dialog.user());
    connectRedis(dialog.url(), dialog.agents());
}

void MainWindow::startLocalRedis() {
    if (m_localRedis && m_localRedis->isReady()) {
        connectRedis(m_localRedis->url(), m_options.agents);
        return;
    }
    if (!m_localRedis) {
        m_localRedis = new LocalRedisServer(this); // lives as long as the lab
        connect(m_localRedis, &LocalRedisServer::ready, this, [this](const QString& url) {
            statusBar()->showMessage(
                tr("Private redis-server ready at %1").arg(qstr(redactUrl(url.toStdString()))),
                6000);
            connectRedis(url, m_options.agents);
        });
        connect(m_localRedis, &LocalRedisServer::failed, this, [this](const QString& why) {
            QMessageBox::warning(this, tr("Private Redis"), why);
        });
    }
    statusBar()->showMessage(tr("Starting a private redis-server..."));
    m_localRedis->start();
}

void MainWindow::connectRedis(const QString& url, int agents) {
    m_redisShown = qstr(redactUrl(url.toStdString()));
    m_controller.startBackend(
        std::make_unique<RedisBackend>(url, QStringLiteral("job-scheduler"), agentPath()), false);
    for (int i = 0; i < agents; ++i) {
        Action add;
        add.kind = Action::Kind::AddAgent;
        m_controller.act(add);
    }
    statusBar()->showMessage(
        tr("Redis mode on %1: add electors from the Redis menu; agents started elsewhere on "
           "resource job-scheduler appear by themselves")
            .arg(m_redisShown),
        10000);
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

} // namespace baton::lab
