// baton-ctl against real baton-agent processes on three resources of a test-owned
// redis-server: listing, status, watch, resign, control, and a read-only ACL user (the line the
// README documents) who can look but not act.

#include "support/agent_process.h"
#include "support/program_run.h"
#include "support/redis_server.h"
#include "support/unread_pipe.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace baton::test;
using namespace Qt::StringLiterals;

namespace {

using Run = ProgramRun;

// The read-only watcher's ACL line as the README gives it (PASSWORD replaced).
QStringList watcherAcl() {
    QFile readme(QStringLiteral(BATON_README));
    if (!readme.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray& line : readme.readAll().split('\n'))
        if (line.startsWith("ACL SETUSER watcher "))
            return QString::fromUtf8(line)
                .replace(u">PASSWORD"_s, u">watchpw"_s)
                .split(u' ', Qt::SkipEmptyParts);
    return {};
}

QJsonObject object(const QString& text) {
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

} // namespace

class TestBatonCtl : public QObject {
    Q_OBJECT
    RedisServer m_server;
    std::vector<std::unique_ptr<AgentProcess>> m_agents;

    QString url(const QString& credentials = {}) const {
        return QString::fromStdString(m_server.url(credentials));
    }
    static Run ctl(const QStringList& args, int timeoutMs = 15000) {
        return runProgram(QStringLiteral(BATON_CTL_PATH), args, timeoutMs);
    }
    Run ctlOn(const QStringList& args, const QString& credentials = {}) {
        return ctl(QStringList{u"--redis"_s, url(credentials)} + args);
    }
    AgentProcess& agent(const QString& id, const QString& resource, bool control) {
        m_agents.push_back(std::make_unique<AgentProcess>());
        QStringList args{u"--redis"_s, url(),   u"--resource"_s, resource,
                         u"--ttl"_s,   u"1s"_s, u"--refresh"_s,  u"200ms"_s};
        if (control)
            args << u"--allow-control"_s;
        m_agents.back()->start(id, args);
        return *m_agents.back();
    }
    // The holder of `resource` as redis-cli reads its lock ("" when free).
    QString holder(const QString& resource) const {
        return object(m_server.cli({u"GET"_s, u"baton:{%1}:lock"_s.arg(resource)}))
            .value(u"id"_s)
            .toString();
    }
    int members(const QString& resource) const {
        return m_server.cli({u"HLEN"_s, u"baton:{%1}:members"_s.arg(resource)}).toInt();
    }
    // Agents: jobs (two, control allowed), payments (two, no control), reports (one).
    void threeResources() {
        agent(u"jobs-a"_s, u"jobs"_s, true);
        agent(u"pay-a"_s, u"payments"_s, false);
        agent(u"rep-a"_s, u"reports"_s, false);
        QTRY_VERIFY(!holder(u"jobs"_s).isEmpty() && !holder(u"payments"_s).isEmpty() &&
                    !holder(u"reports"_s).isEmpty());
        agent(u"jobs-b"_s, u"jobs"_s, true);
        agent(u"pay-b"_s, u"payments"_s, false);
        QTRY_VERIFY(members(u"jobs"_s) == 2 && members(u"payments"_s) == 2 &&
                    members(u"reports"_s) == 1);
    }

private slots:
    void initTestCase() {
        QVERIFY2(!watcherAcl().isEmpty(), "README has the watcher's ACL SETUSER line");
        QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    }
    void init() {
        m_server.cli({u"FLUSHALL"_s});
        m_server.cli(watcherAcl().mid(0)); // ACL SETUSER watcher ...
        m_server.cli({u"ACL"_s, u"LOG"_s, u"RESET"_s});
    }
    void cleanup() { m_agents.clear(); }

    void helpVersionAndUsage() {
        const Run help = ctl({u"--help"_s});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains(u"Exit codes"));
        for (const QString& sub : {u"resources"_s, u"status"_s, u"watch"_s, u"resign"_s, u"stop"_s,
                                   u"pause"_s, u"partition"_s, u"set"_s}) {
            const Run r = ctl({sub, u"--help"_s});
            QCOMPARE(r.code, 0);
            QVERIFY2(r.out.contains(u"Usage: baton-ctl " + sub), qPrintable(r.out));
        }
        const Run version = ctl({u"-v"_s});
        QCOMPARE(version.code, 0);
        QVERIFY(version.out.startsWith(u"baton-ctl "));
        for (const QStringList& bad :
             {QStringList{}, QStringList{u"explode"_s}, QStringList{u"status"_s},
              QStringList{u"resign"_s, u"jobs"_s, u"--wait"_s, u"soon"_s},
              QStringList{u"set"_s, u"a"_s}, QStringList{u"stop"_s, u"*"_s},
              QStringList{u"--redis"_s, u"http://u:hunter2@h"_s, u"resources"_s}}) {
            const Run r = ctl(bad);
            QVERIFY2(r.code == 2, qPrintable(bad.join(u' ') + u": " + r.err));
            QVERIFY2(!r.err.isEmpty() && !r.err.contains(u"hunter2"), qPrintable(r.err));
        }
    }

    // A dead server, an unresolvable host and a refused login: exit 3, said clearly, the
    // password never shown.
    void unreachableOrRefusedExitsThree() {
        RedisServer dead;
        QVERIFY2(dead.start(), qPrintable(dead.error()));
        const QString deadUrl = QString::fromStdString(dead.url());
        dead.stop();
        for (const QString& u :
             {deadUrl, u"redis://no-such-host.invalid:6379"_s, url(u"watcher:hunter2"_s)}) {
            const Run r = ctl({u"--redis"_s, u, u"resources"_s});
            QVERIFY2(r.code == 3, qPrintable(u + u": " + r.err));
            QVERIFY2(r.err.startsWith(u"baton-ctl: ") && r.err.size() > 30, qPrintable(r.err));
            QVERIFY(!r.err.contains(u"hunter2"));
        }
        QVERIFY(ctl({u"--redis"_s, deadUrl, u"status"_s, u"jobs"_s}).code == 3);
        QVERIFY(ctl({u"--redis"_s, deadUrl, u"watch"_s, u"jobs"_s}).code == 3);
    }

    // Given agents on three resources, `resources --json` lists all three with their holders
    // and members; the table shows them too.
    void resourcesListsEveryResourceWithItsHolder() {
        threeResources();
        const Run r = ctlOn({u"resources"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        const QJsonArray list = object(r.out).value(u"resources"_s).toArray();
        QCOMPARE(list.size(), 3);
        for (const QJsonValue& v : list) {
            const QJsonObject o = v.toObject();
            const QString name = o.value(u"name"_s).toString();
            QCOMPARE(o.value(u"holder"_s).toString(), holder(name));
            QCOMPARE(o.value(u"state"_s).toString(), u"led"_s);
            QCOMPARE(o.value(u"members"_s).toArray().size(), members(name));
            QVERIFY(o.value(u"ttlMs"_s).toDouble() > 0 && o.value(u"ttlMs"_s).toDouble() <= 1000);
            QVERIFY(o.value(u"termStartMs"_s).toDouble() > 0);
            QVERIFY(o.value(u"error"_s).isNull());
        }
        const Run table = ctlOn({u"resources"_s});
        QCOMPARE(table.code, 0);
        for (const QString& name : {u"jobs"_s, u"payments"_s, u"reports"_s})
            QVERIFY2(table.out.contains(QRegularExpression(u"\\n"_s + name + u" +"_s +
                                                           holder(name) + u" +\\d+"_s)),
                     qPrintable(table.out));
    }

    void statusShowsMembersWithTheirConfig() {
        threeResources();
        // Presence is each member's own report, written at its heartbeat: the new leader's
        // entry says "leader" within a refresh of its election, not at the same instant.
        const auto statesAgree = [&] {
            const QJsonObject o = object(ctlOn({u"status"_s, u"jobs"_s, u"--json"_s}).out);
            const QJsonArray list = o.value(u"members"_s).toArray();
            return std::all_of(list.begin(), list.end(), [&](const QJsonValue& v) {
                const QJsonObject m = v.toObject();
                const bool leads = m.value(u"id"_s).toString() == o.value(u"holder"_s).toString();
                return m.value(u"state"_s).toString() == (leads ? u"leader"_s : u"follower"_s);
            });
        };
        QTRY_VERIFY(statesAgree());
        const Run r = ctlOn({u"status"_s, u"jobs"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        const QJsonObject o = object(r.out);
        QCOMPARE(o.value(u"holder"_s).toString(), holder(u"jobs"_s));
        const QJsonArray list = o.value(u"members"_s).toArray();
        QCOMPARE(list.size(), 2);
        for (const QJsonValue& v : list) {
            const QJsonObject m = v.toObject();
            QCOMPARE(m.value(u"ttlMs"_s).toInt(), 1000);
            QCOMPARE(m.value(u"refreshMs"_s).toInt(), 200);
            QVERIFY(m.value(u"control"_s).toBool());
            QCOMPARE(m.value(u"state"_s).toString(),
                     m.value(u"id"_s).toString() == holder(u"jobs"_s) ? u"leader"_s
                                                                      : u"follower"_s);
        }
        const Run text = ctlOn({u"status"_s, u"jobs"_s});
        QCOMPARE(text.code, 0);
        QVERIFY2(text.out.contains(u"holder    " + holder(u"jobs"_s)), qPrintable(text.out));
        QVERIFY(text.out.contains(u"control allowed"));
    }

    // resign moves leadership: another holder, a larger fence, the elapsed ms printed.
    void resignMovesLeadership() {
        threeResources();
        const QString before = holder(u"jobs"_s);
        const quint64 fenceBefore = m_server.cli({u"GET"_s, u"baton:{jobs}:lock"_s})
                                        .section(u"\"fence\":"_s, 1)
                                        .toULongLong();
        const Run r = ctlOn({u"resign"_s, u"jobs"_s, u"--json"_s});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = object(r.out);
        QCOMPARE(o.value(u"from"_s).toString(), before);
        QVERIFY(o.value(u"holder"_s).toString() != before);
        QCOMPARE(o.value(u"holder"_s).toString(), holder(u"jobs"_s));
        QVERIFY(o.value(u"fence"_s).toDouble() > double(fenceBefore));
        const double elapsed = o.value(u"elapsedMs"_s).toDouble();
        qInfo("resign: new leader after %.1f ms", elapsed);
        QVERIFY(elapsed > 0 && elapsed < 1000);
        // And back, in words this time (the first leader's hold-off of one TTL has passed
        // once it shows as a follower again).
        QTRY_VERIFY_WITH_TIMEOUT(ctlOn({u"status"_s, u"jobs"_s})
                                     .out.contains(QRegularExpression(before + u" +follower"_s)),
                                 5000);
        const Run back = ctlOn({u"resign"_s, u"jobs"_s});
        QVERIFY2(back.code == 0, qPrintable(back.err));
        QVERIFY2(
            back.out.contains(QRegularExpression(u"^new leader of jobs: "_s + before +
                                                 u" \\(fence \\d+, was .* after [\\d.]+ ms\\n"_s)),
            qPrintable(back.out));
    }

    // No --allow-control: exit 4 naming the flag; a leader without followers, or a frozen
    // one, does not resign: exit 1.
    void resignThatCannotHappen() {
        threeResources();
        const Run denied = ctlOn({u"resign"_s, u"payments"_s});
        QCOMPARE(denied.code, 4);
        QVERIFY2(denied.err.contains(u"--allow-control"), qPrintable(denied.err));
        QCOMPARE(ctlOn({u"stop"_s, u"pay-a"_s}).code, 4);
        const Run alone = ctlOn({u"resign"_s, u"reports"_s});
        QCOMPARE(alone.code, 1);
        QVERIFY2(alone.err.contains(u"no other live follower"), qPrintable(alone.err));
        AgentProcess* leader = nullptr;
        for (const auto& a : m_agents)
            if (a->id() == holder(u"jobs"_s))
                leader = a.get();
        leader->signal(SIGSTOP);
        const Run frozen = ctlOn({u"resign"_s, u"jobs"_s, u"--wait"_s, u"300ms"_s});
        leader->signal(SIGCONT);
        QCOMPARE(frozen.code, 1);
        QVERIFY2(frozen.err.contains(u"no new leader of 'jobs' within 300ms"),
                 qPrintable(frozen.err));
    }

    // --force-delete moves a leader that does not allow control, after a warning that names
    // the risk and the fence.
    void forceDeleteWarnsAndReleases() {
        threeResources();
        const QString before = holder(u"payments"_s);
        const QString fence = m_server.cli({u"GET"_s, u"baton:{payments}:lock"_s})
                                  .section(u"\"fence\":"_s, 1)
                                  .section(u',', 0, 0);
        const Run r = ctlOn({u"resign"_s, u"payments"_s, u"--force-delete"_s});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(u"WARNING") && r.err.contains(u"two leaders") &&
                     r.err.contains(fence),
                 qPrintable(r.err));
        QVERIFY(holder(u"payments"_s) != before);
    }

    void controlCommandsAreConfirmed() {
        threeResources();
        const QString follower = holder(u"jobs"_s) == u"jobs-a" ? u"jobs-b"_s : u"jobs-a"_s;
        const Run pause = ctlOn({u"pause"_s, follower, u"1s"_s});
        QVERIFY2(pause.code == 0, qPrintable(pause.err));
        QVERIFY(pause.out.contains(u"pause: done"));
        const Run set =
            ctlOn({u"set"_s, follower, u"--resource"_s, u"jobs"_s, u"--ttl"_s, u"2s"_s});
        QVERIFY2(set.code == 0, qPrintable(set.err));
        QVERIFY(ctlOn({u"status"_s, u"jobs"_s})
                    .out.contains(QRegularExpression(follower + u" .* ttl 2.0s, refresh 200ms")));
        QCOMPARE(ctlOn({u"stop"_s, u"nobody"_s}).code, 1);
        const Run stop = ctlOn({u"stop"_s, follower});
        QVERIFY2(stop.code == 0, qPrintable(stop.err));
        for (const auto& a : m_agents)
            if (a->id() == follower) {
                QVERIFY(a->process().waitForFinished(3000));
                QCOMPARE(a->process().exitCode(), 0);
            }
    }

    // watch prints one JSON line per event: every event an agent published appears once.
    void watchPrintsOneJsonLinePerEvent() {
        threeResources();
        QProcess watch;
        watch.start(QStringLiteral(BATON_CTL_PATH),
                    {u"--redis"_s, url(), u"watch"_s, u"jobs"_s, u"reports"_s});
        QByteArray out;
        const auto lines = [&] {
            out += watch.readAllStandardOutput();
            QList<QJsonObject> all;
            for (const QByteArray& l : out.split('\n'))
                if (!l.isEmpty())
                    all << QJsonDocument::fromJson(l).object();
            return all;
        };
        const auto count = [&](const QString& event, const QString& resource) {
            int n = 0;
            for (const QJsonObject& o : lines())
                n += o.value(u"event"_s).toString() == event &&
                     o.value(u"resource"_s).toString() == resource;
            return n;
        };
        QTRY_VERIFY(count(u"holder"_s, u"jobs"_s) == 1 && count(u"holder"_s, u"reports"_s) == 1);
        QCOMPARE(ctlOn({u"resign"_s, u"jobs"_s}).code, 0);
        QTRY_COMPARE(count(u"elected"_s, u"jobs"_s), 1);
        // A holder line per change: the new holder (and, when a look fell between release
        // and take-over, the free lock before it).
        QTRY_VERIFY([&] {
            QStringList holders;
            for (const QJsonObject& o : lines())
                if (o.value(u"event"_s).toString() == u"holder" &&
                    o.value(u"resource"_s).toString() == u"jobs" && !o.value(u"holder"_s).isNull())
                    holders << o.value(u"holder"_s).toString();
            return holders.size() == 2 && holders[1] == holder(u"jobs"_s) &&
                   holders[0] != holders[1];
        }());
        QTRY_COMPARE(count(u"released"_s, u"jobs"_s), 1);
        QTRY_COMPARE(count(u"revoked"_s, u"jobs"_s), 1);
        for (const QByteArray& l : out.split('\n'))
            QVERIFY2(l.isEmpty() || QJsonDocument::fromJson(l).isObject(), l.constData());
        for (const QJsonObject& o : lines())
            QVERIFY(o.contains(u"event"_s) && o.contains(u"t"_s) && o.contains(u"resource"_s));
        ::kill(static_cast<pid_t>(watch.processId()), SIGTERM);
        QVERIFY(watch.waitForFinished(3000));
        QCOMPARE(watch.exitCode(), 0);
    }

    // Given a watch whose standard output nobody reads (a one-page pipe, full), when events
    // keep coming and then Ctrl-C (SIGINT) arrives, then the watch ends at once with 0: a line
    // that cannot be written never holds up the ending.
    void aWatchWhoseReaderStoppedEndsOnSigint() {
        agent(u"jobs-a"_s, u"jobs"_s, true);
        QTRY_VERIFY(!holder(u"jobs"_s).isEmpty());
        agent(u"jobs-b"_s, u"jobs"_s, true);
        UnreadPipe out;
        QVERIFY(out.ok());
        QProcess watch;
        out.becomeStdoutOf(watch);
        watch.start(QStringLiteral(BATON_CTL_PATH), {u"--redis"_s, url(), u"watch"_s, u"jobs"_s});
        QVERIFY(watch.waitForStarted(5000));
        out.started();
        QTRY_VERIFY(out.queued() > 0);
        // A second watch, read, measures what the first had to write: handovers until that is
        // more than the page holds (small writes share it), so some lines cannot be written.
        QProcess read;
        read.start(QStringLiteral(BATON_CTL_PATH), {u"--redis"_s, url(), u"watch"_s, u"jobs"_s});
        QVERIFY(read.waitForStarted(5000));
        QByteArray seen; // from its first line on, it is subscribed
        QTRY_VERIFY((seen += read.readAllStandardOutput()).contains("\"event\":\"holder\""));
        for (int i = 0; i < 60 && seen.size() < 3 * 4096; ++i) {
            const QString before = holder(u"jobs"_s);
            QCOMPARE(ctlOn({u"resign"_s, u"jobs"_s}).code, 0);
            QTRY_VERIFY(!holder(u"jobs"_s).isEmpty() && holder(u"jobs"_s) != before);
            QTRY_VERIFY((seen += read.readAllStandardOutput()).count("\"elected\"") > i);
        }
        QVERIFY(seen.size() >= 3 * 4096);
        QVERIFY(out.queued() <= 4096);
        QVERIFY(watch.state() == QProcess::Running);
        ::kill(static_cast<pid_t>(watch.processId()), SIGINT);
        QVERIFY2(watch.waitForFinished(5000), "the watch did not end on SIGINT");
        QCOMPARE(watch.exitStatus(), QProcess::NormalExit);
        QCOMPARE(watch.exitCode(), 0);
    }

    // The README's read-only user: looks at everything, watches, and is refused (exit 4)
    // every action; Redis's ACL log shows it never tried to write.
    // Given the README's watcher less one read permission, when it runs a read command, then it
    // exits 4 naming what was refused, and the way out is the README's read-only line (word for
    // word, after the user's name), never the election's.
    void aWatcherMissingAPermissionIsToldTheWatchAcl_data() {
        QTest::addColumn<QString>("without");
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QString>("names");
        QTest::newRow("watch without SUBSCRIBE")
            << u"-subscribe"_s << QStringList{u"watch"_s, u"jobs"_s} << u"SUBSCRIBE"_s;
        QTest::newRow("watch without HSCAN")
            << u"-hscan"_s << QStringList{u"watch"_s, u"jobs"_s} << u"hscan"_s;
        QTest::newRow("resources without SCAN")
            << u"-scan"_s << QStringList{u"resources"_s} << u"SCAN"_s;
    }
    void aWatcherMissingAPermissionIsToldTheWatchAcl() {
        QFETCH(QString, without);
        QFETCH(QStringList, command);
        QFETCH(QString, names);
        threeResources();
        m_server.cli({u"ACL"_s, u"SETUSER"_s, u"watcher"_s, without});
        const Run run = ctlOn(command, u"watcher:watchpw"_s);
        QCOMPARE(run.code, 4);
        QVERIFY2(run.err.contains(names, Qt::CaseInsensitive), qPrintable(run.err));
        const QString readme = watcherAcl().mid(5).join(u' '); // after "... watcher on >pw"
        QVERIFY2(run.err.contains(u"grant what a read-only watch needs: ACL SETUSER watcher "_s +
                                  readme),
                 qPrintable(run.err));
        QVERIFY2(!run.err.contains(u"election"_s) && !run.err.contains(u"watchpw"_s),
                 qPrintable(run.err));
    }

    void readOnlyUserWatchesButCannotAct() {
        threeResources();
        const QString watcher = u"watcher:watchpw"_s;
        const Run list = ctlOn({u"resources"_s, u"--json"_s}, watcher);
        QVERIFY2(list.code == 0, qPrintable(list.err));
        QCOMPARE(object(list.out).value(u"resources"_s).toArray().size(), 3);
        const Run status = ctlOn({u"status"_s, u"jobs"_s}, watcher);
        QVERIFY2(status.code == 0, qPrintable(status.err));
        QVERIFY(status.out.contains(holder(u"jobs"_s)));
        QVERIFY(!status.err.contains(u"watchpw") && !list.out.contains(u"watchpw"));

        QProcess watch;
        watch.start(QStringLiteral(BATON_CTL_PATH),
                    {u"--redis"_s, url(watcher), u"watch"_s, u"jobs"_s});
        QTRY_VERIFY(watch.peek(1 << 20).contains("\"event\":\"holder\""));
        QCOMPARE(m_server.cli({u"ACL"_s, u"LOG"_s}), QString()); // nothing refused so far

        const Run resign = ctlOn({u"resign"_s, u"jobs"_s}, watcher);
        QCOMPARE(resign.code, 4);
        QVERIFY2(resign.err.contains(u"PUBLISH"), qPrintable(resign.err));
        QCOMPARE(ctlOn({u"stop"_s, u"jobs-a"_s}, watcher).code, 4);
        QCOMPARE(ctlOn({u"resign"_s, u"jobs"_s, u"--force-delete"_s}, watcher).code, 4);
        // The live election goes on, and the watch sees it.
        QCOMPARE(ctlOn({u"resign"_s, u"jobs"_s}).code, 0);
        QTRY_VERIFY(watch.peek(1 << 20).contains("\"event\":\"elected\""));
        ::kill(static_cast<pid_t>(watch.processId()), SIGINT);
        QVERIFY(watch.waitForFinished(3000));
        QCOMPARE(watch.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestBatonCtl)
#include "test_baton_ctl.moc"
