// The lab as a monitor of a real deployment: a test-owned redis-server with baton-agent
// processes on several resources. The Resources view lists them all; opening two shows each in
// its own tab with its own history; a read-only watch as an ACL user that may only read never
// writes (Redis would refuse it: its ACL LOG stays empty) and still sees a failover.

#include "support/agent_process.h"
#include "support/lab_test_case.h"
#include "support/redis_server.h"
#include "support/resource_rows.h"

#include "cluster/cluster_view.h"
#include "inspector/inspector.h"
#include "log/event_log_model.h"
#include "resources/resources_pane.h"
#include "resources/session_tabs.h"
#include "windows/main_window.h"
#include "windows/redis_connect_dialog.h"

#include <QAction>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace baton::test;
using namespace Qt::StringLiterals;

namespace {

// The README's read-only user (Monitoring a deployment), word for word: what the watch needs
// and no command that writes, so a write, direct or in a script, is refused whatever the key.
const QString kWatcherAcl =
    u"watcher on >watch-pw resetkeys ~baton:* resetchannels &baton:* -@all +ping +select +scan "
    "+script|load +evalsha +time +pttl +strlen +type +get +hlen +hscan +subscribe +unsubscribe"_s;

using Agents = std::vector<std::unique_ptr<AgentProcess>>;

AgentProcess& startAgent(Agents& agents, const std::string& url, const QString& resource,
                         const QString& id) {
    agents.push_back(std::make_unique<AgentProcess>());
    agents.back()->start(id, {u"--redis"_s, QString::fromStdString(url), u"--resource"_s, resource,
                              u"--ttl"_s, u"1s"_s, u"--refresh"_s, u"200ms"_s, u"--retry"_s,
                              u"200ms"_s});
    return *agents.back();
}

MainWindow::Options labOptions() {
    MainWindow::Options o;
    o.agentPath = QStringLiteral(BATON_AGENT_PATH);
    return o;
}

// The holder the store names for the resource on screen, or "".
QString holderShown(MainWindow& w) {
    return w.controller().snapshot().lock.holderIdentity;
}

bool logSays(MainWindow& w, const QString& text) {
    for (const LabEvent& e : w.eventLog()->events())
        if (e.detail.contains(text))
            return true;
    return false;
}

QString logText(MainWindow& w) {
    QStringList lines;
    for (const LabEvent& e : w.eventLog()->events())
        lines << e.name + u' ' + e.detail;
    return lines.join(u'\n');
}

} // namespace

class TestLabMonitor : public baton::test::LabTestCase {
    Q_OBJECT
    RedisServer m_redis;
    Agents m_agents;

private Q_SLOTS:
    void initTestCase() {
        RedisServer::Options o;
        o.aclUsers = {kWatcherAcl};
        QVERIFY2(m_redis.start(o), qPrintable(m_redis.error()));
        startAgent(m_agents, m_redis.url(), u"jobs"_s, u"jobs-a"_s);
        startAgent(m_agents, m_redis.url(), u"jobs"_s, u"jobs-b"_s);
        startAgent(m_agents, m_redis.url(), u"payments"_s, u"pay-a"_s);
        startAgent(m_agents, m_redis.url(), u"mail"_s, u"mail-a"_s);
        for (const char* r : {"jobs", "payments", "mail"})
            QTRY_VERIFY_WITH_TIMEOUT(
                !m_redis.cli({u"GET"_s, u"baton:{%1}:lock"_s.arg(QLatin1String(r))}).isEmpty(),
                10000);
    }

    // --watch and --resource are refused where they mean nothing, with the way out.
    void commandLineChecksTheMonitorOptions_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("says");
        QTest::newRow("resource without redis")
            << QStringList{u"--resource"_s, u"jobs"_s} << u"--resource needs --redis"_s;
        QTest::newRow("watch without redis") << QStringList{u"--watch"_s} << u"--watch needs"_s;
        QTest::newRow("watch with agents") << QStringList{u"--redis"_s, u"redis://127.0.0.1:1"_s,
                                                          u"--watch"_s, u"--agents"_s, u"2"_s}
                                           << u"leave out --agents"_s;
        QTest::newRow("empty resource")
            << QStringList{u"--redis"_s, u"redis://127.0.0.1:1"_s, u"--resource"_s, u" "_s}
            << u"must not be empty"_s;
        QTest::newRow("lock pattern without redis")
            << QStringList{u"--lock-pattern"_s, u"leader:*"_s} << u"--lock-pattern needs"_s;
        QTest::newRow("empty lock pattern")
            << QStringList{u"--redis"_s, u"redis://127.0.0.1:1"_s, u"--lock-pattern"_s, u""_s}
            << u"--lock-pattern must not be empty"_s;
        QTest::newRow("lock without redis")
            << QStringList{u"--lock"_s, u"leader:reports"_s} << u"--lock needs --redis URL"_s;
        QTest::newRow("lock on a private redis")
            << QStringList{u"--local-redis"_s, u"--lock"_s, u"leader:reports"_s}
            << u"--lock needs --redis URL"_s;
        QTest::newRow("empty lock")
            << QStringList{u"--redis"_s, u"redis://127.0.0.1:1"_s, u"--lock"_s, u"a"_s, u"--lock"_s,
                           u" "_s}
            << u"--lock must not be empty"_s;
        QTest::newRow("lock with a control character")
            << QStringList{u"--redis"_s, u"redis://127.0.0.1:1"_s, u"--lock"_s,
                           u"leader:\x1b[2Jx\n"_s}
            << u"--lock 'leader:\\x1b[2Jx\\n' has a control character"_s;
        QTest::newRow("lock with agents") << QStringList{u"--redis"_s,  u"redis://127.0.0.1:1"_s,
                                                         u"--lock"_s,   u"a"_s,
                                                         u"--agents"_s, u"2"_s}
                                          << u"starts no agents: leave out --agents"_s;
    }
    void commandLineChecksTheMonitorOptions() {
        QFETCH(QStringList, args);
        QFETCH(QString, says);
        QProcess lab;
        lab.start(QStringLiteral(BATON_LAB_PATH), args);
        QVERIFY(lab.waitForFinished(10000));
        QCOMPARE(lab.exitCode(), 2);
        const QString err = QString::fromUtf8(lab.readAllStandardError());
        QVERIFY2(err.contains(says), qPrintable(err));
        QVERIFY2(!err.contains(u'\x1b'), qPrintable(err)); // outside text comes back escaped
    }

    // Given agents on three resources, when the lab connects with no resource named, then the
    // Resources view lists all three with their holders, and nothing is open yet; opening two
    // (Enter on the row) gives each a tab with its own electors and its own log, kept while
    // the other is shown.
    void listsEveryResourceAndOpensSeveral() {
        MainWindow w(labOptions());
        w.show();
        w.connectRedis(QString::fromStdString(m_redis.url()), 0);
        ResourcesPane& pane = *w.resourcesPane();
        QVERIFY(pane.isVisible());
        for (const QString& r : {u"jobs"_s, u"payments"_s, u"mail"_s})
            QTRY_VERIFY_WITH_TIMEOUT(!shownCell(pane, r, ResourceModel::Fence).isEmpty(), 10000);
        QTRY_COMPARE(shownCell(pane, u"jobs"_s, ResourceModel::Members), u"2"_s);
        QCOMPARE(shownCell(pane, u"payments"_s, ResourceModel::Holder), u"pay-a"_s);
        QCOMPARE(shownCell(pane, u"jobs"_s, ResourceModel::State), u"led"_s);
        QVERIFY(w.controller().sessions().isEmpty());
        QVERIFY(!w.action(u"killLeader"_s)->isEnabled());
        QVERIFY(w.action(u"killLeader"_s)->toolTip().contains(u"open a resource"_s));

        activate(pane, u"jobs"_s);
        QCOMPARE(w.sessionTabs()->resources(), QStringList{u"jobs"_s});
        QTRY_VERIFY_WITH_TIMEOUT(holderShown(w).startsWith(u"jobs-"_s), 10000);
        QTRY_COMPARE(w.controller().snapshot().electors.size(), qsizetype(2));
        QTRY_VERIFY(logSays(w, u"watching 'jobs'"_s));

        activate(pane, u"payments"_s);
        QCOMPARE(w.sessionTabs()->resources(), (QStringList{u"jobs"_s, u"payments"_s}));
        QCOMPARE(w.controller().currentSession(), u"payments"_s);
        QTRY_COMPARE_WITH_TIMEOUT(holderShown(w), u"pay-a"_s, 10000);
        QTRY_VERIFY(logSays(w, u"watching 'payments'"_s));
        QVERIFY(!logSays(w, u"watching 'jobs'"_s)); // its own log

        // Back to jobs by its tab: its history again, and it went on meanwhile.
        w.sessionTabs()->setCurrentIndex(0);
        QCOMPARE(w.controller().currentSession(), u"jobs"_s);
        QVERIFY(logSays(w, u"watching 'jobs'"_s));
        QVERIFY(!logSays(w, u"watching 'payments'"_s));
        QCOMPARE(w.controller().snapshot().electors.size(), qsizetype(2));
        QVERIFY(holderShown(w).startsWith(u"jobs-"_s));

        // Opening an open one shows it; closing a tab ends its session.
        activate(pane, u"payments"_s);
        QCOMPARE(w.sessionTabs()->resources().size(), 2);
        Q_EMIT w.sessionTabs()->tabCloseRequested(1);
        QCOMPARE(w.controller().sessions(), QStringList{u"jobs"_s});
        QCOMPARE(w.controller().currentSession(), u"jobs"_s);
    }

    // Given another library's locks (a plain SET ... PX and a Redisson-style hash), when their
    // pattern is typed under "Watch keys as locks", then they are listed read-only as foreign
    // with their holder and TTL, beside Baton's; opening one gives it a read-only tab.
    void listsForeignLocksByPattern() {
        QCOMPARE(
            m_redis.cli({u"SET"_s, u"leader:scheduler"_s, u"host-a:4242"_s, u"PX"_s, u"60000"_s}),
            u"OK"_s);
        m_redis.cli({u"HSET"_s, u"leader:billing"_s, u"client-7:thread-1"_s, u"1"_s});
        m_redis.cli({u"PEXPIRE"_s, u"leader:billing"_s, u"60000"_s});
        MainWindow w(labOptions());
        w.show();
        w.connectRedis(QString::fromStdString(m_redis.url()), 0);
        ResourcesPane& pane = *w.resourcesPane();
        auto* patterns = pane.findChild<QLineEdit*>(u"foreignPatterns"_s);
        patterns->setText(u"leader:*"_s);
        Q_EMIT patterns->editingFinished();
        QTRY_COMPARE_WITH_TIMEOUT(shownCell(pane, u"leader:scheduler"_s, ResourceModel::Holder),
                                  u"host-a:4242"_s, 10000);
        QCOMPARE(shownCell(pane, u"leader:scheduler"_s, ResourceModel::State), u"foreign"_s);
        QTRY_VERIFY(!shownCell(pane, u"leader:billing"_s, ResourceModel::Ttl).isEmpty());
        QVERIFY(
            shownCell(pane, u"leader:billing"_s, ResourceModel::Holder).contains(u"client-7"_s));
        QVERIFY(!shownCell(pane, u"jobs"_s, ResourceModel::Fence).isEmpty());
        activate(pane, u"leader:scheduler"_s);
        QCOMPARE(w.controller().sessions(), QStringList{foreignSessionKey(u"leader:scheduler"_s)});
        QTRY_COMPARE_WITH_TIMEOUT(holderShown(w), u"host-a:4242"_s, 10000);
        QVERIFY(!w.action(u"killLeader"_s)->isEnabled());
        // Beside a Baton resource: each tab enables what it allows, and keeps its history.
        activate(pane, u"jobs"_s);
        QCOMPARE(w.controller().sessions().size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(holderShown(w).startsWith(u"jobs-"_s), 10000);
        QTRY_VERIFY(w.action(u"killLeader"_s)->isEnabled());
        w.sessionTabs()->setCurrentIndex(0);
        QTRY_COMPARE(holderShown(w), u"host-a:4242"_s);
        QVERIFY(logSays(w, u"another library's lock"_s));
        QVERIFY(!logSays(w, u"watching 'jobs'"_s));
        QTRY_VERIFY(!w.action(u"killLeader"_s)->isEnabled());
        m_redis.cli({u"DEL"_s, u"leader:scheduler"_s, u"leader:billing"_s});
    }

    // Given --lock-pattern twice (Options::lockPatterns), when the lab connects, then both
    // patterns' keys are listed as foreign locks from the first pass, and the pane's field
    // shows them; the connect dialog's field reads and writes the same list.
    void lockPatternOptionListsForeignLocks() {
        m_redis.cli({u"SET"_s, u"leader:scheduler"_s, u"host-a:4242"_s, u"PX"_s, u"60000"_s});
        m_redis.cli({u"SET"_s, u"mail:lock"_s, u"host-b"_s, u"PX"_s, u"60000"_s});
        auto options = labOptions();
        options.lockPatterns = {u"leader:*"_s, u"*:lock"_s};
        MainWindow w(options);
        w.show();
        w.connectRedis(QString::fromStdString(m_redis.url()), 0);
        ResourcesPane& pane = *w.resourcesPane();
        QCOMPARE(pane.lockPatterns(), options.lockPatterns);
        QCOMPARE(pane.findChild<QLineEdit*>(u"foreignPatterns"_s)->text(), u"leader:*, *:lock"_s);
        QTRY_COMPARE_WITH_TIMEOUT(shownCell(pane, u"leader:scheduler"_s, ResourceModel::Holder),
                                  u"host-a:4242"_s, 10000);
        QTRY_COMPARE(shownCell(pane, u"mail:lock"_s, ResourceModel::Holder), u"host-b"_s);
        RedisConnectDialog d(u"redis://127.0.0.1:6379"_s);
        QVERIFY(d.lockPatterns().isEmpty());
        d.findChild<QLineEdit*>(u"lockPatterns"_s)->setText(u" leader:* ,, *:lock "_s);
        QCOMPARE(d.lockPatterns(), options.lockPatterns);
        m_redis.cli({u"DEL"_s, u"leader:scheduler"_s, u"mail:lock"_s});
    }

    // Given flapping limits of 1 failover in 1 minute and notifications on (saved: a new pane
    // reads them back), when another library's lock changes holder twice, then the list counts
    // both failovers, the row is flapping, and one desktop notification names it.
    void flappingLimitsAndNotificationOnAForeignLock() {
        MainWindow w(labOptions());
        w.show();
        ResourcesPane& pane = *w.resourcesPane();
        pane.setFlapLimits(1, 1);
        pane.setNotify(true);
        {
            ResourcesPane again;
            QCOMPARE(again.model()->flapFailovers(), 1);
            QCOMPARE(again.model()->flapWindow(), Duration(std::chrono::minutes(1)));
            QVERIFY(again.notifies());
        }
        QStringList notices;
        connect(&pane, &ResourcesPane::notified, this,
                [&](const QString& title, const QString& text) { notices << title + text; });
        pane.setLockPatterns({u"lease:*"_s});
        w.connectRedis(QString::fromStdString(m_redis.url()), 0);
        for (const QString& holder : {u"host-a"_s, u"host-b"_s, u"host-c"_s}) {
            m_redis.cli({u"SET"_s, u"lease:cron"_s, holder, u"PX"_s, u"60000"_s});
            QTRY_COMPARE_WITH_TIMEOUT(shownCell(pane, u"lease:cron"_s, ResourceModel::Holder),
                                      holder, 10000);
        }
        QCOMPARE(shownCell(pane, u"lease:cron"_s, ResourceModel::Failovers), u"2"_s);
        QCOMPARE(shownCell(pane, u"lease:cron"_s, ResourceModel::State),
                 u"flapping: 2 failovers in 1 min"_s);
        QCOMPARE(notices.size(), 1);
        QVERIFY2(notices[0].contains(u"lease:cron"_s) && notices[0].contains(u"flapping"_s),
                 qPrintable(notices[0]));
        pane.setFlapLimits(3, 5);
        pane.setNotify(false);
        m_redis.cli({u"DEL"_s, u"lease:cron"_s});
    }

    // Given the README's watcher less SUBSCRIBE, when the lab watches 'jobs' as that user, then
    // the log says which permission is missing and gives the read-only line (not the
    // election's) as the way out.
    void aWatcherWithoutSubscribeIsToldTheWatchAcl() {
        QCOMPARE(m_redis.cli({u"ACL"_s, u"SETUSER"_s, u"watcher"_s, u"-subscribe"_s}), u"OK"_s);
        MainWindow w(labOptions());
        w.show();
        w.connectRedis(QString::fromStdString(m_redis.url(u"watcher:watch-pw"_s)), 0, u"jobs"_s,
                       true);
        QTRY_VERIFY_WITH_TIMEOUT(logSays(w, u"grant what a read-only watch needs"_s), 10000);
        QVERIFY(logSays(w, u"may not run SUBSCRIBE"_s));
        QVERIFY(!logSays(w, u"what an election needs"_s));
        m_redis.cli({u"ACL"_s, u"SETUSER"_s, u"watcher"_s, u"+subscribe"_s});
    }

    // Given the connect dialog, the resource and the watch option come back as typed, and a
    // watch starts no agents.
    void connectDialogTakesResourceAndWatch() {
        RedisConnectDialog d(u"redis://127.0.0.1:6379"_s);
        QCOMPARE(d.resource(), QString());
        d.findChild<QLineEdit*>(u"resource"_s)->setText(u" payments "_s);
        QCOMPARE(d.resource(), u"payments"_s);
        QCOMPARE(d.agents(), 3);
        d.findChild<QCheckBox*>(u"watch"_s)->setChecked(true);
        QVERIFY(d.watch());
        QCOMPARE(d.agents(), 0);
        QVERIFY(!d.findChild<QSpinBox*>(u"agents"_s)->isEnabled());
    }

    // Given three agents the lab started (they obey control), when the leader is selected and
    // Resign is pressed in the inspector, then it revokes ("resigned") and another agent holds
    // the lock with a higher fence well before the 5 s TTL could have run out: the handover
    // came from the release, not from expiry. The timeline and the log show it.
    void resignMovesLeadership() {
        MainWindow w(labOptions());
        w.show();
        w.connectRedis(QString::fromStdString(m_redis.url()), 3, u"resign-demo"_s);
        QTRY_COMPARE_WITH_TIMEOUT(w.controller().snapshot().electors.size(), qsizetype(3), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(w.controller().snapshot().lock.holder >= 0, 15000);
        const ClusterSnapshot before = w.controller().snapshot();
        const int leader = before.lock.holder;
        QTRY_VERIFY(w.controller().snapshot().electors[leader].believesLeader);
        w.clusterView()->setSelected(leader);
        auto* resign = w.inspector()->findChild<QPushButton*>(u"resignButton"_s);
        QVERIFY(resign);
        QTRY_VERIFY2(resign->isEnabled(), qPrintable(resign->toolTip()));
        QVERIFY(w.action(u"resignLeader"_s)->isEnabled());
        QElapsedTimer sincePress;
        sincePress.start();
        resign->click();
        QTRY_VERIFY_WITH_TIMEOUT(w.controller().snapshot().lock.holder >= 0 &&
                                     w.controller().snapshot().lock.holder != leader,
                                 4000);
        QVERIFY2(sincePress.elapsed() < 3000, qPrintable(QString::number(sincePress.elapsed())));
        QVERIFY(w.controller().snapshot().lock.fence > before.lock.fence);
        QVERIFY(logSays(w, u"to resign"_s));
        QTRY_VERIFY(std::any_of(w.eventLog()->events().cbegin(), w.eventLog()->events().cend(),
                                [&](const LabEvent& e) {
                                    return e.elector == leader && e.name == u"revoked"_s &&
                                           e.detail.contains(u"resign"_s);
                                }));
        // The one that resigned goes on as a follower.
        QTRY_COMPARE(w.controller().snapshot().electors[leader].state, ElectorState::Follower);
        QVERIFY(!resign->isEnabled()); // it no longer leads
        QVERIFY(resign->toolTip().contains(u"does not lead"_s));
    }

    // Given agents started elsewhere without --allow-control, Resign leader is refused with
    // the flag named; in a simulation it is disabled and says why.
    void resignNeedsAllowControl() {
        MainWindow w(labOptions());
        w.show();
        w.connectRedis(QString::fromStdString(m_redis.url()), 0, u"payments"_s);
        QTRY_COMPARE_WITH_TIMEOUT(holderShown(w), u"pay-a"_s, 10000);
        QStringList refusals;
        connect(&w.controller(), &LabController::actionRefused, this,
                [&](const QString& why) { refusals << why; });
        w.action(u"resignLeader"_s)->trigger();
        QTRY_COMPARE(refusals.size(), 1);
        QVERIFY2(refusals.at(0).contains(u"--allow-control"_s), qPrintable(refusals.at(0)));
        QCOMPARE(holderShown(w), u"pay-a"_s);

        w.newSimulation(3, 0);
        QVERIFY(!w.action(u"resignLeader"_s)->isEnabled());
        QVERIFY(w.action(u"resignLeader"_s)->toolTip().contains(u"Redis mode"_s));
    }

    // Given a Redis session whose window was closed with the Resources list open (the window
    // state is saved), when the lab opens again on a simulation, or a session turns into one,
    // then the list is not shown: it would only take the cluster's room.
    void aSimulationHasNoResourcesList() {
        {
            MainWindow w(labOptions());
            w.show();
            w.connectRedis(QString::fromStdString(m_redis.url()), 0);
            QVERIFY(w.resourcesPane()->isVisible());
            w.close(); // saves the window's state, the Resources dock shown
        }
        MainWindow again(labOptions());
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QVERIFY(!again.resourcesPane()->isVisible());
        again.connectRedis(QString::fromStdString(m_redis.url()), 0);
        QVERIFY(again.resourcesPane()->isVisible());
        again.newSimulation(3, 0);
        QVERIFY(!again.resourcesPane()->isVisible());
    }

    // Given an ACL user that may only read (kWatcherAcl), when the lab watches 'jobs' with
    // --watch, then it sees the leader and every resource, every action that would write is
    // disabled and says why, and after the leader is killed it sees the new one; Redis logged
    // no refused command (ACL LOG is empty) and no NOPERM shows anywhere.
    void readOnlyWatchWritesNothing() {
        // The user really cannot write: what the lab would send is refused, and logged.
        const QStringList as{u"--user"_s, u"watcher"_s, u"--pass"_s, u"watch-pw"_s,
                             u"--no-auth-warning"_s};
        for (const QStringList& write :
             {QStringList{u"PUBLISH"_s, u"baton:{jobs}:control"_s, u"{}"_s},
              QStringList{u"HSET"_s, u"baton:{jobs}:members"_s, u"x"_s, u"{}"_s},
              QStringList{u"EVAL"_s, u"return redis.call('DEL', KEYS[1])"_s, u"1"_s,
                          u"baton:{jobs}:lock"_s}})
            QVERIFY2(m_redis.cli(as + write).contains(u"NOPERM"_s) ||
                         m_redis.cli(as + write).contains(u"permission"_s),
                     qPrintable(m_redis.cli(as + write)));
        QVERIFY(!m_redis.cli({u"ACL"_s, u"LOG"_s}).isEmpty());
        QCOMPARE(m_redis.cli({u"ACL"_s, u"LOG"_s, u"RESET"_s}), u"OK"_s);
        MainWindow::Options o = labOptions();
        o.redisUrl = QString::fromStdString(m_redis.url(u"watcher:watch-pw"_s));
        o.watch = true;
        o.resource = u"jobs"_s;
        MainWindow w(o);
        w.show();
        QVERIFY(w.watching());
        QTRY_VERIFY2_WITH_TIMEOUT(holderShown(w).startsWith(u"jobs-"_s),
                                  qPrintable(w.statusText() + u'\n' + logText(w) + u'\n' +
                                             m_redis.cli({u"ACL"_s, u"LOG"_s})),
                                  10000);
        QTRY_COMPARE(w.controller().snapshot().electors.size(), qsizetype(2));
        ResourcesPane& pane = *w.resourcesPane();
        QTRY_VERIFY_WITH_TIMEOUT(!shownCell(pane, u"mail"_s, ResourceModel::Fence).isEmpty(),
                                 10000);
        QVERIFY(w.statusText().contains(u"read-only watch"_s));
        for (const char* name : {"killLeader", "resignLeader", "addAgent", "addThread"}) {
            QAction* a = w.action(QString::fromLatin1(name));
            QVERIFY2(!a->isEnabled(), name);
            QVERIFY2(a->toolTip().contains(u"read-only watch"_s), qPrintable(a->toolTip()));
        }
        const ClusterSnapshot& s = w.controller().snapshot();
        for (const ElectorView& e : s.electors) {
            QVERIFY(!e.controllable);
            QVERIFY(e.unavailable[std::size_t(Action::Kind::Stop)].contains(u"read-only"_s));
        }
        // Even asked directly, the backend refuses.
        QStringList refusals;
        connect(&w.controller(), &LabController::actionRefused, this,
                [&](const QString& why) { refusals << why; });
        Action add;
        add.kind = Action::Kind::AddAgent;
        w.controller().act(add);
        w.controller().killLeader();
        QTRY_COMPARE(refusals.size(), 2);
        QVERIFY(refusals.at(0).contains(u"read-only watch"_s));

        // A failover, seen without writing.
        const QString first = holderShown(w);
        for (auto& a : m_agents)
            if (a->id() == first)
                a->signal(SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(holderShown(w).startsWith(u"jobs-"_s) && holderShown(w) != first,
                                 10000);
        QTRY_VERIFY(shownCell(pane, u"jobs"_s, ResourceModel::Failovers) == u"1"_s);

        QCOMPARE(m_redis.cli({u"ACL"_s, u"LOG"_s}), QString());
        QStringList shown{w.statusText(), pane.summary()};
        for (const LabEvent& e : w.eventLog()->events())
            shown << e.detail;
        QVERIFY2(!shown.join(u'\n').contains(u"NOPERM"_s), qPrintable(shown.join(u'\n')));
        QVERIFY(!shown.join(u'\n').contains(u"watch-pw"_s));
    }
};

QTEST_MAIN(TestLabMonitor)
#include "test_lab_monitor.moc"
