#pragma once
// The lab's window: the cluster in the centre; inspector, timeline, event log and statistics
// in docks; menus, toolbar, shortcuts and a status bar that says what time it is and who leads.

#include "backend/lab_controller.h"
#include "shards/shard_agents.h"

#include <QHash>
#include <QMainWindow>

class QLabel;
class QSlider;
class QDoubleSpinBox;
class QMenu;
class QTableView;

namespace baton::lab {

class ClusterView;
class ClusterModel;
class Inspector;
class EventLogModel;
class EventFilterModel;
class LeadershipHistory;
class TimelineView;
class FailoverStats;
class StatsPanel;
class LocalRedisServer;
class LocalRedisHa;
class TopologyStrip;
class TuningWindow;
class RecentFiles;
class SessionTabs;
class ResourcesPane;
class ShardsPane;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        QString redisUrl;     ///< connect to this Redis at start (empty: simulate)
        QString scenarioPath; ///< play this scenario at start
        int electors = 5;
        int pollingOnlyElectors = 0;
        double speed = 1.0;
        QString agentPath;         ///< baton-agent (empty: next to this executable, then PATH)
        int agents = 3;            ///< baton-agent processes to start on connecting to a Redis
        bool localRedis = false;   ///< start a private redis-server and connect to it
        bool localRedisHa = false; ///< start a private Sentinel setup and connect to it
        int minReplicas = 0;       ///< the lab's agents on the first resource: --min-replicas N
        bool tune = false;         ///< open the Tuning window at start and sweep (app/baton)
        QString resource;          ///< Redis: the resource to open (empty: the list only)
        bool watch = false;        ///< Redis: a read-only watch (no agents, nothing written)
        QStringList lockPatterns;  ///< Redis: key patterns of other libraries' locks to list
        int shards = 0;    ///< Redis: the `agents` run baton-agent --shards N on `resource` (jobs)
        QStringList locks; ///< Redis: other libraries' lock keys to open read-only (--lock)
    };
    /// The resource the lab's own agents run on when none is named.
    static QString demoResource() { return QStringLiteral("job-scheduler"); }
    explicit MainWindow(Options options, QWidget* parent = nullptr);
    ~MainWindow() override;

    LabController& controller() { return m_controller; }
    ClusterView* clusterView() const { return m_cluster; }
    Inspector* inspector() const { return m_inspector; }
    TimelineView* timelineView() const { return m_timeline; }
    LeadershipHistory* history() const { return m_history; }
    EventLogModel* eventLog() const { return m_log; }
    FailoverStats* stats() const { return m_stats; }
    SessionTabs* sessionTabs() const { return m_sessionTabs; }
    ResourcesPane* resourcesPane() const { return m_resources; }
    /// The Shards view (a sharded family as a grid) and the sharded agents the lab started.
    ShardsPane* shardsPane() const { return m_shards; }
    ShardAgents* shardAgents() const { return m_shardAgents; }
    /// Shows `family` in the Shards view (false when the Resources list has no such family).
    bool showShardFamily(const QString& family);
    /// Redis mode: starts a group of baton-agent --shards processes (the ids; none on error,
    /// which a message box names).
    QStringList startShardAgents(const ShardAgents::Plan& plan);
    /// An action by object name ("killLeader", "pauseTime", "stepTime", ...).
    QAction* action(const QString& name) const;
    /// File > Recent scenarios.
    RecentFiles* recentScenarios() const { return m_recent; }
    /// The status bar's texts, for tests: mode, time, leader, store.
    QString statusText() const;

    /// Restarts the simulation with a fresh cluster.
    void newSimulation(int electors, int pollingOnlyElectors);
    /// Plays a scenario file (the baton-sim format); false with the reason when it cannot.
    bool openScenario(const QString& path, QString* error);
    /// Saves the simulated run so far (faults included) as a scenario file.
    bool saveScenario(const QString& path, QString* error) const;
    /// Switches to Redis mode on `url` (the password never shows), starting `agents`
    /// baton-agent processes on `resource` (empty: demoResource(), or with no agents none: the
    /// list only). `watch`: a read-only watch, which starts no agents and writes nothing.
    void connectRedis(const QString& url, int agents = 3, const QString& resource = {},
                      bool watch = false);
    /// Redis mode: opens `resource` beside the open ones (or shows it when it is open).
    void openResource(const QString& resource);
    /// Redis mode: opens another library's lock at `key` in a read-only tab (its holders on
    /// the timeline and in the log, the statistics of its handovers).
    void openForeignLock(const QString& key);
    /// Connected as a read-only watch.
    bool watching() const { return m_watch; }
    /// The private redis-server, once started (Redis > Start a private Redis).
    LocalRedisServer* localRedis() const { return m_localRedis; }
    LocalRedisHa* localRedisHa() const { return m_localRedisHa; }
    TopologyStrip* topologyStrip() const { return m_topologyStrip; }
    bool exportEvents(const QString& path, QString* error) const;
    bool exportTimeline(const QString& path, QString* error) const;
    /// Opens (or raises) the Tuning window, prefilled with the running cluster's timings.
    TuningWindow* openTuning();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    // Built once, in main_window_actions.cpp and main_window_docks.cpp.
    void createActions();
    void createElectorActions();
    void createTimeActions();
    void createFileActions();
    void createRedisActions();
    void createTuningActions(); // main_window_tuning.cpp
    void createMenus();
    void createToolBar();
    void createDocks();
    QWidget* createInspectorPane();
    QWidget* createLogPane();
    QTableView* createEventTable(QWidget* parent);
    QWidget* createElectorTable();
    void createResourcesDock();
    void showResourcesDock(bool shown);
    // main_window_shards.cpp: the Shards view and the lab's sharded agents
    void createShardsDock();
    void createShardActions();
    void askStartShardAgents();
    void showShardMemberMenu(const QString& id, const QPoint& globalPos);
    void createStatusBar();
    QWidget* withSessionTabs(QWidget* view);
    void readSettings();
    void writeSettings() const;
    void onRunStarted(bool simulated);
    void onSnapshot(const ClusterSnapshot& snapshot);
    void onEvents(const QVector<LabEvent>& events);
    void updateActions();
    void actOnSelected(Action::Kind kind);
    void act(const Action& action);
    void showContextMenu(int id, const QPoint& globalPos);
    Duration faultLength() const;
    QString agentPath() const;
    QAction* addAction(const QString& name, const QString& text, const QKeySequence& shortcut,
                       const QString& tip);
    // File and Redis menus (main_window_files.cpp).
    void askNewSimulation();
    void askOpenScenario();
    void askSaveScenario();
    void askExportEvents();
    void askExportTimeline();
    using FileWriter = bool (MainWindow::*)(const QString& path, QString* error) const;
    /// Writes `path` (the operator's choice; empty: cancelled, nothing happens) with `write`: a
    /// warning titled `title` if that fails, else `done` (%1: the path) in the status bar.
    void writeChosen(const QString& path, FileWriter write, const QString& title,
                     const QString& done);
    void askConnectRedis();
    void startLocalRedis();
    // main_window_ha.cpp: the private Sentinel setup and its faults
    void startLocalRedisHa();
    void createHaActions();
    void updateHaActions();
    QWidget* withTopologyStrip(QWidget* view);
    void openWaitTwin();
    // Help, recent scenarios and the demo's come-back option (main_window_help.cpp).
    void createHelpActions();
    void createRecentMenu(QMenu* fileMenu);
    void openRecent(const QString& path);
    void showAbout();
    void showShortcuts();
    /// How long a killed elector stays down: the fault length, or zero (for good) when the
    /// "come back" option is off.
    Duration crashLength() const;
    /// The window's first size: the usual one, shrunk to fit the screen (at 200% too).
    void fitToScreen();
    std::unique_ptr<Backend> redisBackend(const QString& resource) const;

    Options m_options;
    LabController m_controller;
    ClusterView* m_cluster = nullptr;
    ClusterModel* m_electors = nullptr;
    Inspector* m_inspector = nullptr;
    EventLogModel* m_log = nullptr;
    EventFilterModel* m_logFilter = nullptr;
    LeadershipHistory* m_history = nullptr;
    TimelineView* m_timeline = nullptr;
    FailoverStats* m_stats = nullptr;
    StatsPanel* m_statsPanel = nullptr;
    LocalRedisServer* m_localRedis = nullptr;
    LocalRedisHa* m_localRedisHa = nullptr;
    TopologyStrip* m_topologyStrip = nullptr;
    TuningWindow* m_tuning = nullptr;
    RecentFiles* m_recent = nullptr;
    SessionTabs* m_sessionTabs = nullptr;
    ResourcesPane* m_resources = nullptr;
    ShardsPane* m_shards = nullptr;
    ShardAgents* m_shardAgents = nullptr;
    QLabel* m_alertLabel = nullptr; ///< resources that need attention
    QMenu* m_electorMenu = nullptr;
    QSlider* m_speedSlider = nullptr;
    QLabel* m_speedLabel = nullptr;
    QDoubleSpinBox* m_faultLength = nullptr;
    QLabel* m_modeLabel = nullptr;
    QLabel* m_timeLabel = nullptr;
    QLabel* m_leaderLabel = nullptr;
    QLabel* m_storeLabel = nullptr;
    QString m_redisShown; ///< the Redis URL as shown (password redacted)
    QString m_redisUrl;   ///< to open more resources on (never shown)
    bool m_watch = false;
    QHash<QString, int> m_minReplicas;  ///< per resource: its agents' --min-replicas
    QHash<QString, QAction*> m_actions; ///< by object name
};

} // namespace baton::lab
