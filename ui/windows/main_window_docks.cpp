#include "windows/main_window.h"

#include "cluster/cluster_model.h"
#include "cluster/cluster_view.h"
#include "inspector/inspector.h"
#include "log/event_filter_model.h"
#include "log/event_log_model.h"
#include "resources/resources_pane.h"
#include "stats/failover_stats.h"
#include "stats/stats_panel.h"
#include "timeline/leadership_history.h"
#include "timeline/timeline_view.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace baton::lab {

void MainWindow::createDocks() {
    const auto dock = [this](const QString& name, const QString& title, QWidget* content,
                             Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(content);
        addDockWidget(area, d);
        return d;
    };
    dock(QStringLiteral("inspectorDock"), tr("Inspector"), createInspectorPane(),
         Qt::RightDockWidgetArea);
    QDockWidget* logDock =
        dock(QStringLiteral("logDock"), tr("Event log"), createLogPane(), Qt::BottomDockWidgetArea);

    m_history = new LeadershipHistory(this);
    m_timeline = new TimelineView(m_history, this);
    m_timeline->setObjectName(QStringLiteral("timeline"));
    QDockWidget* timelineDock =
        dock(QStringLiteral("timelineDock"), tr("Timeline"), m_timeline, Qt::BottomDockWidgetArea);
    splitDockWidget(timelineDock, logDock, Qt::Horizontal);
    resizeDocks({timelineDock, logDock}, {3, 2}, Qt::Horizontal);

    m_stats = new FailoverStats(this);
    m_statsPanel = new StatsPanel(m_stats, this);
    // Scrolled rather than squeezed: a squeezed chart cuts its axis titles.
    auto* statsScroll = new QScrollArea(this);
    statsScroll->setObjectName(QStringLiteral("statsScroll"));
    statsScroll->setWidget(m_statsPanel);
    statsScroll->setWidgetResizable(true);
    statsScroll->setFrameShape(QFrame::NoFrame);
    QDockWidget* statsDock =
        dock(QStringLiteral("statsDock"), tr("Statistics"), statsScroll, Qt::BottomDockWidgetArea);
    tabifyDockWidget(logDock, statsDock);
    QDockWidget* electorsDock = dock(QStringLiteral("electorsDock"), tr("Electors"),
                                     createElectorTable(), Qt::BottomDockWidgetArea);
    tabifyDockWidget(statsDock, electorsDock);
    logDock->raise();
    createResourcesDock();
    createShardsDock();
}

// Every resource on the connected Redis; opening one adds a tab above the cluster.
void MainWindow::createResourcesDock() {
    m_resources = new ResourcesPane(this);
    connect(m_resources, &ResourcesPane::openRequested, this, &MainWindow::openResource);
    connect(m_resources, &ResourcesPane::openLockRequested, this, &MainWindow::openForeignLock);
    connect(m_resources, &ResourcesPane::notice, this,
            [this](const QString& text) { statusBar()->showMessage(text, 8000); });
    auto* d = new QDockWidget(tr("Resources"), this);
    d->setObjectName(QStringLiteral("resourcesDock"));
    d->setWidget(m_resources);
    addDockWidget(Qt::LeftDockWidgetArea, d);
    d->hide(); // shown on connecting to a Redis
}

// The Resources list is for a Redis only: in a simulation it would take the cluster's room.
void MainWindow::showResourcesDock(bool shown) {
    QDockWidget* dock = findChild<QDockWidget*>(QStringLiteral("resourcesDock"));
    if (!dock)
        return;
    dock->setVisible(shown);
    if (!shown)
        return;
    dock->raise();
    // Wide enough for every column the first time (the operator's width is kept after).
    if (dock->width() < 400)
        resizeDocks({dock}, {dock->widget()->sizeHint().width()}, Qt::Horizontal);
}

QWidget* MainWindow::createInspectorPane() {
    m_inspector = new Inspector(this);
    connect(m_inspector, &Inspector::actionRequested, this, &MainWindow::act);
    connect(m_inspector, &Inspector::tuneRequested, this, &MainWindow::openTuning);
    // In a scroll area: its full height would make the window taller than a laptop's screen.
    auto* inspectorScroll = new QScrollArea(this);
    inspectorScroll->setWidget(m_inspector);
    inspectorScroll->setWidgetResizable(true);
    inspectorScroll->setFrameShape(QFrame::NoFrame);
    inspectorScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    inspectorScroll->setMinimumWidth(m_inspector->sizeHint().width() +
                                     inspectorScroll->verticalScrollBar()->sizeHint().width());
    return inspectorScroll;
}

// The event log: a capped ring, filtered by elector and by event.
QWidget* MainWindow::createLogPane() {
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
    QTableView* table = createEventTable(logPane);
    // One toggle for the rows a healthy leader writes every refresh interval.
    QAction* hideRoutine = addAction(QStringLiteral("hideRoutine"), tr("&Hide routine rows"), {},
                                     tr("Hide each leader's \"extended\" rows (one a refresh "
                                        "interval) unless the event filter picks them"));
    hideRoutine->setCheckable(true);
    connect(hideRoutine, &QAction::toggled, m_logFilter, &EventFilterModel::setHideRoutine);
    hideRoutine->setChecked(QSettings().value(QStringLiteral("log/hideRoutine"), false).toBool());
    connect(hideRoutine, &QAction::toggled, this,
            [](bool on) { QSettings().setValue(QStringLiteral("log/hideRoutine"), on); });
    auto* hideButton = new QToolButton(logPane);
    hideButton->setObjectName(QStringLiteral("hideRoutineButton"));
    hideButton->setDefaultAction(hideRoutine);
    hideButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto* filters = new QHBoxLayout;
    filters->addWidget(electorFilter);
    filters->addWidget(eventFilter);
    filters->addWidget(hideButton);
    filters->addStretch();
    auto* logLayout = new QVBoxLayout(logPane);
    logLayout->setContentsMargins(2, 2, 2, 2);
    logLayout->addLayout(filters);
    logLayout->addWidget(table);
    return logPane;
}

QTableView* MainWindow::createEventTable(QWidget* parent) {
    auto* table = new QTableView(parent);
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
    return table;
}

// Every elector in a table, for clusters too big to read on the ring.
QWidget* MainWindow::createElectorTable() {
    m_electors = new ClusterModel(this);
    auto* electors = new QTableView(this);
    electors->setObjectName(QStringLiteral("electorTable"));
    electors->setModel(m_electors);
    electors->verticalHeader()->hide();
    electors->verticalHeader()->setDefaultSectionSize(electors->fontMetrics().height() + 4);
    electors->setSelectionBehavior(QAbstractItemView::SelectRows);
    electors->setSelectionMode(QAbstractItemView::SingleSelection);
    // Every column as wide as its widest cell (a horizontal scroll bar when short of room).
    electors->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
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
    return electors;
}

} // namespace baton::lab
