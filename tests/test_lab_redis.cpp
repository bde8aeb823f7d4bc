// The lab's window in Redis mode, driven as a user would, against a redis-server of the test's
// own and real baton-agent processes: handover after "Kill leader", a hung server that never
// stalls the window, and a password that never shows.

#include "backend/local_redis_server.h"
#include "log/event_log_model.h"
#include "support/columns.h"
#include "support/gap_probe.h"
#include "support/lab_events.h"
#include "support/lab_test_case.h"
#include "support/lab_window.h"
#include "support/no_display.h"
#include "support/redis_server.h"
#include "support/signal_rows.h"
#include "timeline/leadership_history.h"
#include "windows/main_window.h"
#include "windows/redis_connect_dialog.h"

#include "timeline/timeline_view.h"
#include <baton/redis/redis_url.h>

#include <QAction>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QTest>
#include <QTimer>

#include <csignal>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;
using namespace baton::test;

namespace {

MainWindow::Options agentsOnly() {
    MainWindow::Options o;
    o.agentPath = QStringLiteral(BATON_AGENT_PATH);
    return o;
}

// Every text the window shows or keeps: status bar, title, log rows, the lock and electors.
QString everythingShown(MainWindow& w) {
    QStringList all{w.statusText(), w.windowTitle()};
    for (const LabEvent& e : w.eventLog()->events())
        all << e.identity << e.name << e.detail;
    const ClusterSnapshot& s = w.controller().snapshot();
    all << s.storeStatus << s.lock.holderIdentity;
    for (const ElectorView& e : s.electors)
        all << e.identity << e.note << e.seenLeader;
    return all.join(u'\n');
}

} // namespace

class TestLabRedis : public baton::test::LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.error())); }

    // Given no display (no DISPLAY, no WAYLAND_DISPLAY, no headless QT_QPA_PLATFORM), when the
    // lab starts, then it exits 2 and names xvfb-run and baton-sim (Qt alone aborts: exit 134);
    // --help and --version still work.
    void withoutADisplayTheLabSaysHowToRunIt() {
        QProcess lab;
        lab.setProcessEnvironment(baton::test::withoutADisplay());
        lab.start(QStringLiteral(BATON_LAB_PATH), {});
        QVERIFY(lab.waitForFinished(10000));
        QCOMPARE(lab.exitStatus(), QProcess::NormalExit);
        QCOMPARE(lab.exitCode(), 2);
        const QString err = QString::fromUtf8(lab.readAllStandardError());
        QVERIFY2(err.contains(u"no display"_qs), qPrintable(err));
        QVERIFY2(err.contains(u"xvfb-run scripts/run.sh"_qs), qPrintable(err));
        QVERIFY2(err.contains(u"baton-sim"_qs), qPrintable(err));
        for (const char* flag : {"--help", "--version", "-v"}) {
            lab.start(QStringLiteral(BATON_LAB_PATH), {QString::fromLatin1(flag)});
            QVERIFY(lab.waitForFinished(10000));
            QCOMPARE(lab.exitCode(), 0);
            QVERIFY(!lab.readAllStandardOutput().isEmpty());
        }
    }

    // Given the lab's executable and a bad command line, then it exits 2 before opening any
    // window, with one line on stderr that names the option and the rule.
    void usageErrorsExitTwoWithOneLine_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("says");
        const QString redis = u"redis://127.0.0.1:1"_qs; // never reached: the options fail first
        const auto row = [](const char* name, QStringList args, QString says) {
            QTest::newRow(name) << args << says;
        };
        row("unknown option", {u"--bogus"_qs}, u"baton --help lists the options"_qs);
        row("electors 0", {u"--electors"_qs, u"0"_qs}, u"--electors must be a whole number"_qs);
        row("electors text", {u"--electors"_qs, u"five"_qs}, u"from 1 to 200"_qs);
        row("speed too high", {u"--speed"_qs, u"500"_qs}, u"--speed must be a number"_qs);
        row("polling-only above electors",
            {u"--electors"_qs, u"3"_qs, u"--polling-only"_qs, u"4"_qs},
            u"--polling-only must be from 0 to the number of electors"_qs);
        row("agents negative", {u"--agents"_qs, u"-1"_qs}, u"--agents must be"_qs);
        row("min-replicas too many", {u"--min-replicas"_qs, u"101"_qs}, u"--min-replicas must"_qs);
        row("shards negative", {u"--shards"_qs, u"-3"_qs}, u"--shards must be a whole number"_qs);
        row("shards without redis", {u"--shards"_qs, u"4"_qs}, u"--shards needs --redis URL"_qs);
        row("shards without agents",
            {u"--shards"_qs, u"4"_qs, u"--redis"_qs, redis, u"--agents"_qs, u"0"_qs},
            u"give --agents N"_qs);
        row("watch without redis", {u"--watch"_qs}, u"--watch needs --redis URL"_qs);
        row("watch with agents", {u"--watch"_qs, u"--redis"_qs, redis, u"--agents"_qs, u"2"_qs},
            u"--watch starts no agents"_qs);
        row("resource without redis", {u"--resource"_qs, u"jobs"_qs}, u"--resource needs"_qs);
        row("resource empty", {u"--resource"_qs, u" "_qs, u"--redis"_qs, redis},
            u"--resource must not be empty"_qs);
        row("lock without redis", {u"--lock"_qs, u"leader:x"_qs}, u"--lock needs --redis URL"_qs);
        row("lock with agents",
            {u"--lock"_qs, u"leader:x"_qs, u"--redis"_qs, redis, u"--agents"_qs, u"2"_qs},
            u"--lock watches read-only"_qs);
        row("lock with a control character",
            {u"--lock"_qs,
             QStringLiteral("lead\x01"
                            "er"),
             u"--redis"_qs, redis},
            u"has a control character"_qs);
        row("lock-pattern without redis", {u"--lock-pattern"_qs, u"leader:*"_qs},
            u"--lock-pattern needs"_qs);
    }
    void usageErrorsExitTwoWithOneLine() {
        QFETCH(QStringList, args);
        QFETCH(QString, says);
        QProcess lab;
        lab.setProcessEnvironment(baton::test::withoutADisplay()); // it must not get that far
        lab.start(QStringLiteral(BATON_LAB_PATH), args);
        QVERIFY(lab.waitForFinished(10000));
        QCOMPARE(lab.exitStatus(), QProcess::NormalExit);
        const QString err = QString::fromUtf8(lab.readAllStandardError());
        QCOMPARE(lab.exitCode(), 2);
        QVERIFY2(err.startsWith(u"baton: "_qs) && err.count(u'\n') == 1 && err.endsWith(u'\n'),
                 qPrintable(err));
        QVERIFY2(err.contains(says), qPrintable(err));
        QVERIFY2(!err.contains(u"no display"_qs), qPrintable(err));
    }

    // Given the lab itself (its executable) running agents on Redis, when it gets SIGTERM (or
    // SIGINT, SIGHUP), then it closes as if its window were closed: its agents stop gracefully
    // and release, so no lock and no presence entry is left behind (before, they were killed
    // with the lab and the lock stayed until its TTL ran out).
    void signalledLabStopsItsAgents_data() {
        addSignalRows({{"SIGTERM", SIGTERM}, {"SIGHUP", SIGHUP}});
    }
    void signalledLabStopsItsAgents() {
        QFETCH(int, sig);
        const QStringList lock{u"GET"_qs, u"baton:{job-scheduler}:lock"_qs};
        QProcess lab;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"QT_QPA_PLATFORM"_qs, u"offscreen"_qs);
        lab.setProcessEnvironment(env);
        lab.start(QStringLiteral(BATON_LAB_PATH),
                  {u"--redis"_qs, QString::fromStdString(m_redis.url()), u"--agents"_qs, u"2"_qs});
        QTRY_VERIFY_WITH_TIMEOUT(!m_redis.cli(lock).isEmpty(), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(m_redis.cli({u"HLEN"_qs, u"baton:{job-scheduler}:members"_qs}),
                                  u"2"_qs, 10000);
        QElapsedTimer sinceSignal;
        sinceSignal.start();
        ::kill(static_cast<pid_t>(lab.processId()), sig);
        QVERIFY(lab.waitForFinished(10000));
        QCOMPARE(lab.exitStatus(), QProcess::NormalExit);
        QVERIFY(sinceSignal.elapsed() < 4000); // well inside the lock's 5 s TTL: released
        QCOMPARE(m_redis.cli(lock), QString());
        QCOMPARE(m_redis.cli({u"HLEN"_qs, u"baton:{job-scheduler}:members"_qs}), u"0"_qs);
    }

    // Given three agent processes on Redis, when the operator presses "Kill leader", then the
    // leader's process gets SIGKILL, it shows crashed, another agent is elected with a higher
    // fence once the lock expires, and the timeline and the log show the handover.
    void killLeaderHandsOverBetweenAgents() {
        MainWindow w(agentsOnly());
        w.show();
        w.connectRedis(QString::fromStdString(m_redis.url()), 3);
        QVERIFY(!w.controller().simulated());
        QTRY_COMPARE_WITH_TIMEOUT(w.controller().snapshot().electors.size(), qsizetype(3), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(leaderOf(w.controller().snapshot(), true) >= 0, 10000);
        const int first = leaderOf(w.controller().snapshot(), true);
        const quint64 fence = w.controller().snapshot().electors[first].fence;
        QCOMPARE(w.controller().snapshot().electors[first].kind, ElectorKind::Agent);
        QTRY_COMPARE(w.controller().snapshot().lock.holder, first);

        w.action(u"killLeader"_qs)->trigger();
        QTRY_COMPARE(w.controller().snapshot().electors[first].state, ElectorState::Crashed);
        QTRY_VERIFY_WITH_TIMEOUT(otherLeader(w.controller().snapshot(), first, true),
                                 10000); // the lock's 5 s TTL runs out first
        const int second = leaderOf(w.controller().snapshot(), true);
        QVERIFY(w.controller().snapshot().electors[second].fence > fence);
        QTRY_COMPARE(w.controller().snapshot().lock.holder, second);

        LeadershipHistory* h = w.history();
        QTRY_COMPARE(h->terms(first, LabTime::min(), LabTime::max()).size(), qsizetype(1));
        QTRY_COMPARE(h->terms(second, LabTime::min(), LabTime::max()).size(), qsizetype(1));
        QVERIFY(h->overlaps(LabTime::min(), LabTime::max()).isEmpty());
        QTRY_COMPARE(handoverRows(w, first, second), (HandoverRows{1, 1, 1}));
        const QByteArray out = qgetenv("BATON_SCREENSHOT");
        if (!out.isEmpty())
            QVERIFY(w.grab().save(QString::fromLocal8Bit(out)));
    }

    // Given Redis mode with a leader, when the server is SIGSTOPped, then a timer on the GUI
    // thread never waits more than 100 ms, the status bar says Redis does not answer, and after
    // SIGCONT the message clears and a leader is back.
    void hungServerNeverStallsTheWindow() {
        MainWindow w(agentsOnly());
        w.show();
        w.connectRedis(QString::fromStdString(m_redis.url()), 2);
        QTRY_VERIFY_WITH_TIMEOUT(leaderOf(w.controller().snapshot(), true) >= 0, 10000);
        Action add;
        add.kind = Action::Kind::AddThread;
        w.controller().act(add);
        QTRY_COMPARE_WITH_TIMEOUT(w.controller().snapshot().electors.size(), qsizetype(3), 10000);

        baton::test::GapProbe probe(10);
        m_redis.pause();
        probe.start();
        QTRY_VERIFY_WITH_TIMEOUT(w.statusText().contains(u"not answering"_qs), 5000);
        QTest::qWait(2000); // the window must stay responsive for this long while Redis hangs
        probe.stop();
        m_redis.resume();
        QVERIFY2(probe.worst() < 100,
                 qPrintable(u"the GUI thread stalled for %1 ms"_qs.arg(probe.worst())));
        QTRY_VERIFY_WITH_TIMEOUT(!w.statusText().contains(u"not answering"_qs), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(leaderOf(w.controller().snapshot(), true) >= 0, 15000);
    }

    // Given a Redis with a password, when the lab connects with it, then electors run and the
    // password appears nowhere in the window, its log or its settings.
    void passwordNeverShows() {
        RedisServer secured;
        QVERIFY2(secured.start({u"s3cr3t-pw"_qs, {}}), qPrintable(secured.error()));
        MainWindow w(agentsOnly());
        w.show();
        w.connectRedis(QString::fromStdString(secured.url(u":s3cr3t-pw"_qs)), 1);
        Action add;
        add.kind = Action::Kind::AddThread;
        w.controller().act(add);
        QTRY_VERIFY_WITH_TIMEOUT(leaderOf(w.controller().snapshot(), true) >= 0, 10000);
        QVERIFY(w.statusText().contains(u"***"_qs));
        QVERIFY(!everythingShown(w).contains(u"s3cr3t-pw"_qs));
        w.close(); // writes the settings
        QSettings settings;
        for (const QString& key : settings.allKeys())
            QVERIFY(!settings.value(key).toString().contains(u"s3cr3t-pw"_qs));

        // A wrong password: a clear message, still no password.
        MainWindow wrong(agentsOnly());
        wrong.connectRedis(QString::fromStdString(secured.url(u":not-it-pw"_qs)), 0);
        wrong.controller().act(add);
        QTRY_VERIFY_WITH_TIMEOUT(everythingShown(wrong).contains(u"refused the login"_qs) ||
                                     everythingShown(wrong).contains(u"WRONGPASS"_qs),
                                 10000);
        QVERIFY(!everythingShown(wrong).contains(u"not-it-pw"_qs));
    }

    // Given URLs with credentials, the connect dialog moves the user and the password to their
    // own fields (the password masked), and gives back a URL that the core reads to the same
    // credentials, percent-encoded (a sentinel login too); what it shows and remembers holds no
    // password.
    void connectDialogMasksThePassword_data() {
        addColumns<QString, QString, QString, QString>("given", "address", "user", "password");
        QTest::newRow("user and password with @")
            << u"redis://alice:pa@ss@db.example:6380/2"_qs << u"redis://db.example:6380/2"_qs
            << u"alice"_qs << u"pa@ss"_qs;
        QTest::newRow("a password alone")
            << u"redis://s3cret@db"_qs << u"redis://db:6379"_qs << QString() << u"s3cret"_qs;
        QTest::newRow("percent-encoded")
            << u"redis://:a%2Fb%20c@h:7000"_qs << u"redis://h:7000"_qs << QString() << u"a/b c"_qs;
        QTest::newRow("unix socket") << u"unix://:pw@/tmp/r.sock?db=3"_qs
                                     << u"unix:///tmp/r.sock?db=3"_qs << QString() << u"pw"_qs;
        QTest::newRow("no credentials")
            << u"redis://h:1234"_qs << u"redis://h:1234"_qs << QString() << QString();
        // The sentinels' password is not kept in what is shown and saved.
        QTest::newRow("sentinel")
            << u"redis-sentinel://alice:pw@s1,s2:26380/mymaster?db=2&sentinelPassword=sp"_qs
            << u"redis-sentinel://s1:26379,s2:26380/mymaster?db=2"_qs << u"alice"_qs << u"pw"_qs;
        QTest::newRow("sentinel user")
            << u"redis-sentinel://s1/m?sentinelUser=watch&sentinelPassword=s%26p"_qs
            << u"redis-sentinel://s1:26379/m"_qs << QString() << QString();
    }
    void connectDialogMasksThePassword() {
        QFETCH(QString, given);
        QFETCH(QString, address);
        QFETCH(QString, user);
        QFETCH(QString, password);
        RedisConnectDialog dialog(given);
        auto* url = dialog.findChild<QLineEdit*>(u"url"_qs);
        auto* pw = dialog.findChild<QLineEdit*>(u"password"_qs);
        QVERIFY(url && pw);
        QCOMPARE(url->text(), address);
        QCOMPARE(dialog.user(), user);
        QCOMPARE(pw->echoMode(), QLineEdit::Password);
        QCOMPARE(pw->text(), password);
        const RedisUrl back = RedisUrl::parse(dialog.url().toStdString());
        QCOMPARE(QString::fromStdString(back.user), user);
        QCOMPARE(QString::fromStdString(back.password), password);
        const RedisUrl sent = RedisUrl::parse(given.toStdString());
        QCOMPARE(back.sentinelUser, sent.sentinelUser);
        QCOMPARE(back.sentinelPassword, sent.sentinelPassword);
        QCOMPARE(dialog.address(), address);
        if (!password.isEmpty())
            QVERIFY(!dialog.shownUrl().contains(password));
    }

    // Given what a user types, the dialog refuses what cannot be used, naming why.
    void connectDialogRefusesBadInput() {
        RedisConnectDialog dialog(u"redis://h:6379"_qs);
        auto* url = dialog.findChild<QLineEdit*>(u"url"_qs);
        auto* user = dialog.findChild<QLineEdit*>(u"user"_qs);
        auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(ok->isEnabled());
        url->setText(u"redis://host:99999"_qs);
        QVERIFY(!ok->isEnabled());
        url->setText(u"redis://alice:pw@host"_qs);
        QVERIFY(!ok->isEnabled()); // credentials go in their own fields
        url->setText(u"redis://host"_qs);
        user->setText(u"alice"_qs);
        QVERIFY(!ok->isEnabled()); // a user without a password
        dialog.findChild<QLineEdit*>(u"password"_qs)->setText(u"p w"_qs);
        QVERIFY(ok->isEnabled());
    }

    // Given redis-server on the PATH, when the operator starts a private one, then the lab
    // connects to it and its agents elect a leader; the server dies with the lab.
    void privateServerRunsAgents() {
        qint64 pid = 0;
        {
            MainWindow w(agentsOnly());
            w.show();
            w.action(u"startLocalRedis"_qs)->trigger();
            QVERIFY(w.localRedis());
            QTRY_VERIFY_WITH_TIMEOUT(!w.controller().simulated(), 10000);
            QTRY_VERIFY_WITH_TIMEOUT(leaderOf(w.controller().snapshot(), true) >= 0, 10000);
            pid = w.localRedis()->processId();
            QVERIFY(pid > 0);
            QCOMPARE(::kill(pid_t(pid), 0), 0);
            // It has a password of its own, which never shows.
            QProcess cli;
            cli.start(u"redis-cli"_qs,
                      {u"-p"_qs, QString::number(w.localRedis()->port()), u"PING"_qs});
            QVERIFY(cli.waitForFinished(5000));
            QVERIFY2(cli.readAllStandardOutput().contains("NOAUTH"), "no password asked");
            QString password;
            RedisConnectDialog::withoutPassword(w.localRedis()->url(), &password);
            QVERIFY(password.size() >= 16);
            QVERIFY(!everythingShown(w).contains(password));
        }
        QTRY_VERIFY(::kill(pid_t(pid), 0) != 0);
    }

private:
    RedisServer m_redis;
};

QTEST_MAIN(TestLabRedis)
#include "test_lab_redis.moc"
